//! `Embedder`: the sentence model loaded and ready, from the installed folder or any other. It
//! tokenizes, groups sentences of similar length into batches (padding costs the longest member's
//! length; memory is bounded by a budget on batch size times length squared, the attention's size),
//! runs the encoder on each, and returns the embeddings in the caller's order.

use std::path::{Path, PathBuf};

use super::adapter::Adapter;
use super::bert::{Encoder, Pair};
use super::model_dir::ModelDir;
use super::tokenizer::WordPieces;
use super::{EmbedError, Embedding};

/// Sentences per batch at most.
const MAX_BATCH: usize = 32;
/// Batch size times length squared at most: one input of the full 256 pieces, or a batch of clauses.
/// Kept small so the attention scores of a batch stay a few megabytes (analysis adds 131 MB in all,
/// `cargo bench --bench analyze`; four times this budget added 159 MB).
const ATTENTION_BUDGET: usize = 256 * 256;

/// A loaded sentence model. `Send + Sync`: one can serve several threads.
pub struct Embedder {
    dir: PathBuf,
    tokenizer: WordPieces,
    encoder: Encoder,
    max_tokens: usize,
}

impl Embedder {
    /// Where the sentence model is installed: `all-minilm-l6-v2/` in the models folder (the checkout's
    /// `models/`, or `REHEARSE_MODELS_DIR`; see [`crate::paths::models_dir`]).
    pub fn default_dir() -> PathBuf {
        let dir = crate::model::manifest::find_sentence_model(
            crate::model::manifest::DEFAULT_SENTENCE_MODEL,
        )
        .map_or_else(|| "all-minilm-l6-v2".to_string(), |m| m.dir);
        crate::paths::models_dir().join(dir)
    }

    /// Loads the installed sentence model.
    pub fn load_default() -> Result<Self, EmbedError> {
        Self::load(Self::default_dir())
    }

    /// Loads the model folder `dir` (`config.json`, `model.safetensors`, `tokenizer.json`), checking
    /// every file before use.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, EmbedError> {
        let model = ModelDir::inspect(dir.as_ref())?;
        let tokenizer =
            WordPieces::load(&model.tokenizer, model.max_tokens, model.shape.vocab_size)?;
        let adapter = Adapter::shipped()?;
        let encoder = Encoder::load(&model, Some(&adapter))?;
        Ok(Embedder {
            dir: model.dir,
            tokenizer,
            encoder,
            max_tokens: model.max_tokens,
        })
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The longest input in word pieces; longer sentences are embedded from their beginning.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The threads the encoder runs on (`RAYON_NUM_THREADS`, else the physical cores).
    pub fn threads() -> usize {
        super::bert::threads()
    }

    /// Embeds each sentence, in order. The same sentence gets the same embedding (to about 1e-6)
    /// whatever else is in the batch.
    pub fn embed<S: AsRef<str>>(&self, sentences: &[S]) -> Result<Vec<Embedding>, EmbedError> {
        Ok(self
            .pairs(sentences)?
            .into_iter()
            // Already unit length; normalising again only absorbs rounding.
            .map(|(base, _)| Embedding::normalized(base))
            .collect())
    }

    /// The reading layer's features of each sentence: its embedding, then the tuned top layers'
    /// embedding of it (`adapter.rs`), `2 * DIM` numbers in all.
    pub fn embed_for_reading<S: AsRef<str>>(
        &self,
        sentences: &[S],
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self
            .pairs(sentences)?
            .into_iter()
            .map(|(base, tuned)| {
                let mut v = base.to_vec();
                v.extend_from_slice(&tuned.unwrap_or(base));
                v
            })
            .collect())
    }

    fn pairs<S: AsRef<str>>(&self, sentences: &[S]) -> Result<Vec<Pair>, EmbedError> {
        let ids = sentences
            .iter()
            .map(|s| self.tokenizer.encode(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out: Vec<Pair> = vec![([0.0; super::DIM], None); sentences.len()];
        for batch in plan(&ids) {
            let inputs: Vec<Vec<u32>> = batch.iter().map(|&i| ids[i].clone()).collect();
            for (&i, pair) in batch.iter().zip(self.encoder.embed(&inputs)?) {
                out[i] = pair;
            }
        }
        Ok(out)
    }

    /// Embeds one sentence.
    pub fn embed_one(&self, sentence: &str) -> Result<Embedding, EmbedError> {
        let mut all = self.embed(&[sentence])?;
        all.pop().ok_or_else(|| EmbedError::Inference {
            reason: "no embedding came back".into(),
        })
    }
}

/// Groups the inputs (by index) into batches: longest first, each batch within [`MAX_BATCH`] and
/// [`ATTENTION_BUDGET`], and none holding an input under half its longest: padding costs the
/// longest member's length, so a 50-piece sentence beside eleven short clauses tripled the work
/// (`cargo bench --bench analyze`: 180 ms live before this rule, 94 ms after).
fn plan(ids: &[Vec<u32>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let fits = batches.last().is_some_and(|batch| {
            let width = ids[batch[0]].len().max(1);
            batch.len() < MAX_BATCH
                && (batch.len() + 1) * width * width <= ATTENTION_BUDGET
                && ids[i].len() * 2 >= width
        });
        match batches.last_mut() {
            Some(batch) if fits => batch.push(i),
            _ => batches.push(vec![i]),
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(lens: &[usize]) -> Vec<Vec<u32>> {
        lens.iter().map(|&n| vec![1; n]).collect()
    }

    #[test]
    fn clauses_of_similar_length_share_a_batch_longest_first() {
        let ids = lengths(&[12, 20, 11, 15]);
        assert_eq!(plan(&ids), vec![vec![1, 3, 0, 2]]);
        assert!(plan(&[]).is_empty());
    }

    #[test]
    fn a_long_sentence_does_not_pad_short_clauses_to_its_length() {
        let ids = lengths(&[50, 6, 21, 8, 17, 2]);
        assert_eq!(plan(&ids), vec![vec![0], vec![2, 4], vec![3, 1], vec![5]]);
    }

    #[test]
    fn long_inputs_are_split_to_bound_the_attention_memory() {
        let ids = lengths(&[256; 10]);
        let batches = plan(&ids);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![1; 10]
        );
        let ids = lengths(&[128; 10]);
        let batches = plan(&ids);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![4, 4, 2]
        );
        let many = lengths(&[10; 300]);
        let batches = plan(&many);
        assert!(batches.iter().all(|b| b.len() <= MAX_BATCH));
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 300);
    }

    #[test]
    fn the_adapter_leaves_the_base_embedding_alone_and_changes_the_tuned_one() {
        let model = ModelDir::inspect(&Embedder::default_dir())
            .expect("the sentence model is installed by setup (scripts/setup.sh)");
        let tokenizer =
            WordPieces::load(&model.tokenizer, model.max_tokens, model.shape.vocab_size).unwrap();
        let plain = Encoder::load(&model, None).unwrap();
        let adapted = Encoder::load(&model, Some(&Adapter::shipped().unwrap())).unwrap();
        let ids: Vec<Vec<u32>> = [
            "I never got my manager's backing on it.",
            "I missed the deadline.",
        ]
        .iter()
        .map(|s| tokenizer.encode(s).unwrap())
        .collect();
        let before = plain.embed(&ids).unwrap();
        let after = adapted.embed(&ids).unwrap();
        for ((base, none), (same, tuned)) in before.iter().zip(&after) {
            assert!(none.is_none());
            let gap = base
                .iter()
                .zip(same)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(gap < 1e-5, "the base embedding moved by {gap}");
            let tuned = tuned.expect("the adapted encoder gives a tuned embedding");
            assert!(super::super::cosine(base, &tuned) < 0.9999);
        }
    }

    #[test]
    fn an_embedder_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Embedder>();
    }
}
