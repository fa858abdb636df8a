#!/usr/bin/env python3
"""Tunes the sentence model's top layers for the reading layer: low-rank adapters (LoRA) on the
linear maps of MiniLM's last encoder layers, trained to tell the story tags of labelled clauses
apart. Sentence embeddings from a model trained on paraphrases group clauses by topic (medication,
deadlines, exams); the tags need what a clause does (blames, owns, learns). The adapters move the
top layers toward that, and are small enough to ship in the repository
(`models/encoder-adapter.safetensors`, read by `src/embed/adapter.rs`).

A development tool, not part of setup or the tests. It needs PyTorch and transformers:

    python3 -m venv .venv-train && .venv-train/bin/pip install torch transformers safetensors scikit-learn
    cargo run --release --example train_tagger -- --dump target/clauses.jsonl
    .venv-train/bin/python scripts/tune_encoder.py target/clauses.jsonl models/encoder-adapter.safetensors

The dump holds the training split only (the held-out answers are never written to it). The
adapters are trained on every fold but `--dev-fold` (0), and the figures printed after each epoch
compare, on that fold, a logistic regression over the base model's clause and window embeddings
with one over the tuned model's: the mean average precision over the tags. The adapters of the
epoch with the best such figure are written.
"""

import argparse
import collections
import json
import time

import numpy as np
import torch
from safetensors.torch import save_file
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from transformers import AutoModel, AutoTokenizer

TAGS = (
    "setback others-failure own-cause blame contempt recovery lesson future-only applied severe "
    "disclosure defeat denial generic disguised context work school volunteer personal-life"
).split()
LINEAR = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
]


class LoRA(torch.nn.Module):
    """A frozen linear map plus a trainable low-rank update: y = W x + b + B (A x)."""

    def __init__(self, base: torch.nn.Linear, rank: int):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad = False
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / base.in_features**0.5)
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x):
        return self.base(x) + (x @ self.a.T) @ self.b.T


def load_rows(path):
    rows = [json.loads(line) for line in open(path)]
    by_answer = collections.OrderedDict()
    for r in rows:
        by_answer.setdefault(r["answer"], []).append(r)
    for clauses in by_answer.values():
        clauses.sort(key=lambda r: r["clause"])
        for i, r in enumerate(clauses):
            r["window"] = " ".join(c["text"] for c in clauses[max(0, i - 1) : i + 2])
    return rows


def embed(model, tokenizer, texts, grad=False, batch=64):
    out = []
    for i in range(0, len(texts), batch):
        b = tokenizer(texts[i : i + batch], padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.set_grad_enabled(grad):
            hidden = model(**b).last_hidden_state
            mask = b["attention_mask"].unsqueeze(-1).float()
            mean = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(mean, dim=-1))
    return torch.cat(out)


def features(model, tokenizer, rows):
    model.eval()
    clause = embed(model, tokenizer, [r["text"] for r in rows])
    window = embed(model, tokenizer, [r["window"] for r in rows])
    return torch.cat([clause, window], 1).numpy()


def dev_ap(x, y, dev):
    aps = []
    for j in range(len(TAGS)):
        if y[dev, j].sum() == 0 or y[~dev, j].sum() == 0:
            continue
        m = LogisticRegression(C=0.5, max_iter=3000, class_weight="balanced").fit(x[~dev], y[~dev, j])
        aps.append(average_precision_score(y[dev, j], m.predict_proba(x[dev])[:, 1]))
    return float(np.mean(aps))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--model-dir", default="models/all-minilm-l6-v2")
    ap.add_argument("--layers", type=int, default=2, help="adapt this many top encoder layers")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--dev-fold", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", help="start from these adapters (a file this script wrote) instead of zero updates")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)

    rows = load_rows(args.dump)
    y = np.array([[t in r["labels"] for t in TAGS] for r in rows], dtype=np.float32)
    dev = np.array([r["fold"] == args.dev_fold for r in rows])
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    model = AutoModel.from_pretrained(args.model_dir)
    for p in model.parameters():
        p.requires_grad = False

    t0 = time.time()
    base_ap = dev_ap(features(model, tokenizer, rows), y, dev)
    print(f"base model: dev-fold mean AP {base_ap:.3f} ({time.time() - t0:.0f} s)", flush=True)

    n_layers = len(model.encoder.layer)
    adapted = {}
    for index in range(n_layers - args.layers, n_layers):
        layer = model.encoder.layer[index]
        for path in LINEAR:
            parent = layer
            *head, last = path.split(".")
            for part in head:
                parent = getattr(parent, part)
            lora = LoRA(getattr(parent, last), args.rank)
            setattr(parent, last, lora)
            adapted[f"encoder.layer.{index}.{path}.weight"] = lora

    done_epochs = 0
    if args.init:
        from safetensors import safe_open

        with safe_open(args.init, "pt") as f:
            meta = f.metadata()
            if int(meta["rank"]) != args.rank or int(meta["layers"]) != args.layers:
                raise SystemExit(f"{args.init} has rank {meta['rank']} on {meta['layers']} layers; pass the same --rank and --layers")
            for name, m in adapted.items():
                m.a.data.copy_(f.get_tensor(name + ".lora_a"))
                m.b.data.copy_(f.get_tensor(name + ".lora_b"))
            done_epochs = int(meta["epochs"])
        print(f"starting from {args.init} ({done_epochs} epochs)", flush=True)

    head = torch.nn.Linear(768, len(TAGS))
    params = [p for m in adapted.values() for p in (m.a, m.b)] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    train = np.where(~dev)[0]
    pos = y[train].sum(0)
    pos_weight = torch.tensor(np.clip((len(train) - pos) / np.maximum(pos, 1), 1, 30) ** 0.5)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    # Starting from saved adapters, an epoch is written only when it beats their dev-fold figure.
    best_ap = float(meta["dev_fold_ap_tuned"]) if args.init else -1.0
    for epoch in range(args.epochs):
        model.train()
        np.random.shuffle(train)
        total = 0.0
        for i in range(0, len(train), 32):
            b = train[i : i + 32]
            c = embed(model, tokenizer, [rows[k]["text"] for k in b], grad=True)
            w = embed(model, tokenizer, [rows[k]["window"] for k in b], grad=True)
            loss = loss_fn(head(torch.cat([c, w], 1) * 5), torch.tensor(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        tuned_ap = dev_ap(features(model, tokenizer, rows), y, dev)
        print(
            f"epoch {done_epochs + epoch + 1}: loss {total:.2f}, dev-fold mean AP {tuned_ap:.3f} "
            f"(base {base_ap:.3f}; {time.time() - t0:.0f} s)",
            flush=True,
        )
        if tuned_ap <= best_ap:
            continue
        best_ap = tuned_ap
        tensors = {}
        for name, m in adapted.items():
            tensors[name + ".lora_a"] = m.a.detach().float().contiguous()
            tensors[name + ".lora_b"] = m.b.detach().float().contiguous()
        meta = {
            "rank": str(args.rank),
            "layers": str(args.layers),
            "epochs": str(done_epochs + epoch + 1),
            "dev_fold_ap_base": f"{base_ap:.4f}",
            "dev_fold_ap_tuned": f"{tuned_ap:.4f}",
            "trained_on": f"{len(train)} clauses of the training split, fold {args.dev_fold} kept for the figures",
        }
        save_file(tensors, args.out, metadata=meta)


if __name__ == "__main__":
    main()
