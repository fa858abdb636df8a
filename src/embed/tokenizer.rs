//! `WordPieces`: text to the model's word-piece ids with its own `tokenizer.json` (BERT's lower-casing,
//! accent-stripping normaliser and WordPiece vocabulary, `[CLS] ... [SEP]` around each sentence). All
//! calls into the `tokenizers` crate are in this file, so one file absorbs its API changes.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use super::EmbedError;

/// The model's tokenizer, cutting inputs to the model's longest input.
pub(crate) struct WordPieces {
    tokenizer: Tokenizer,
}

impl WordPieces {
    /// Loads `path`, cutting every input to `max_tokens` pieces (with `[CLS]` and `[SEP]`) and
    /// checking that every id it can produce is below `vocab_size`, the model's embedding table.
    pub fn load(path: &Path, max_tokens: usize, vocab_size: usize) -> Result<Self, EmbedError> {
        let fail = |reason: String| EmbedError::Tokenizer {
            path: path.to_path_buf(),
            reason,
        };
        let mut tokenizer = Tokenizer::from_file(path).map_err(|err| fail(err.to_string()))?;
        // The file asks for padding every input to 128 pieces; batches are padded here to their
        // longest member instead, and sentence-transformers cuts inputs at its own max_seq_length.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|err| fail(err.to_string()))?;
        let largest = tokenizer
            .get_vocab(true)
            .values()
            .copied()
            .max()
            .unwrap_or(0);
        if largest as usize >= vocab_size {
            return Err(fail(format!(
                "it has ids up to {largest} but the model knows {vocab_size}; it belongs to another model"
            )));
        }
        Ok(WordPieces { tokenizer })
    }

    /// The ids of `text`, `[CLS]` first and `[SEP]` last, cut to the longest input.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let encoding =
            self.tokenizer
                .encode_fast(text, true)
                .map_err(|err| EmbedError::Tokenize {
                    reason: err.to_string(),
                })?;
        Ok(encoding.get_ids().to_vec())
    }
}

/// The whole words of the vocabulary in `path` (word pieces `##...` left out) with their ids.
pub(crate) fn whole_words(path: &Path) -> Result<Vec<(String, u32)>, EmbedError> {
    let tokenizer = Tokenizer::from_file(path).map_err(|err| EmbedError::Tokenizer {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    Ok(tokenizer
        .get_vocab(false)
        .into_iter()
        .filter(|(word, _)| !word.starts_with("##"))
        .collect())
}
