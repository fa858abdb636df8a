//! `EmbedError`: everything that can stop the sentence model from loading or running, each said in one
//! sentence that tells a person what to do about it.

use std::path::PathBuf;

/// Why the sentence model cannot be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model folder is not there.
    #[error("the sentence model at `{}` is missing; run `rehearse model download minilm`", .dir.display())]
    NotInstalled {
        /// The folder that was looked for.
        dir: PathBuf,
    },
    /// The folder is there but one of the files the model needs is not.
    #[error(
        "the sentence model at `{}` is incomplete (no `{file}`); run `rehearse model download minilm` to reinstall it",
        .dir.display()
    )]
    MissingFile {
        /// The model folder.
        dir: PathBuf,
        /// The missing file, relative to the folder.
        file: String,
    },
    /// A file is there but cannot be read.
    #[error("cannot read `{}` ({error}); check its permissions, or run `rehearse model download minilm`", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// `config.json` or a sentence-transformers settings file describes something this build cannot run.
    #[error(
        "`{}` is not a sentence model configuration rehearse can use ({reason}); run `rehearse model download minilm` to reinstall the model",
        .path.display()
    )]
    Config {
        /// The settings file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The weights file is truncated, damaged, or not this model's.
    #[error(
        "the sentence model's weights `{}` are damaged or incomplete ({reason}); run `rehearse model download minilm` to replace them",
        .path.display()
    )]
    Weights {
        /// The `.safetensors` file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// `tokenizer.json` cannot be loaded or does not fit the model.
    #[error(
        "cannot load the tokenizer `{}` ({reason}); run `rehearse model download minilm` to reinstall it",
        .path.display()
    )]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A sentence could not be split into word pieces.
    #[error("cannot split a sentence into word pieces ({reason})")]
    Tokenize {
        /// What the tokenizer said.
        reason: String,
    },
    /// The forward pass failed. The inputs are checked before it runs, so this is a bug.
    #[error(
        "the sentence model failed while embedding ({reason}); this is a bug in rehearse, please report it"
    )]
    Inference {
        /// What the tensor library said.
        reason: String,
    },
}
