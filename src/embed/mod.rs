//! Sentence embeddings, the base of the content checks' reading layer: all-MiniLM-L6-v2
//! (sentence-transformers, Apache-2.0) run locally on the CPU. A sentence becomes a unit vector of 384
//! numbers; sentences that mean the same are close (cosine near 1) even when they share no words.
//!
//! The model folder is checked before use ([`inspect`]); [`Embedder`] loads it and embeds batches.
//! The tensor library (candle) is used only in `bert.rs` and the tokenizer crate only in
//! `tokenizer.rs`. `rehearse model download minilm` installs the folder (see `crate::model::sentence`).
//!
//! ```no_run
//! use rehearse::embed::Embedder;
//! let embedder = Embedder::load_default()?;
//! let found = embedder.embed(&["I missed the deadline.", "We shipped two weeks late."])?;
//! println!("{:.2}", found[0].cosine(&found[1]));
//! # Ok::<(), rehearse::embed::EmbedError>(())
//! ```

mod adapter;
mod bert;
mod embedder;
mod embedding;
mod error;
mod model_dir;
mod safetensors;
mod tokenizer;
mod word_rank;

pub use embedder::Embedder;

/// The SHA-256 of the reading adapter built into this binary (`adapter.rs`).
pub fn adapter_sha256() -> String {
    adapter::Adapter::shipped_sha256()
}
pub use embedding::{DIM, Embedding, cosine};
pub use error::EmbedError;
pub use model_dir::{ModelInfo, REQUIRED_FILES, inspect};
pub use word_rank::WordRanks;
