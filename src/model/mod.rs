//! Whisper model files: which one to use, where they live, how to get them, and how to check them.
//!
//! A model is named (`tiny.en`, from [`manifest`]) or given by path (`--model PATH`,
//! `REHEARSE_MODEL`). [`ggml`] validates a file before whisper.cpp opens it; [`download`] fetches
//! known models; [`convert`] turns faster-whisper (CTranslate2) models into ggml files, using
//! [`ctranslate2`] to read them and [`mel`] for the filter bank they lack. [`sentence`] installs the
//! sentence model of the content checks (all-MiniLM-L6-v2, used by `crate::embed`).

pub mod convert;
pub mod ctranslate2;
pub mod download;
pub mod ggml;
pub mod manifest;
pub mod mel;
pub mod provenance;
pub mod sentence;
pub mod voice;

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A model file chosen for use.
#[derive(Debug, Clone)]
pub struct ModelFile {
    /// Display name: the manifest name, or the file name for a path.
    pub name: String,
    /// The ggml file.
    pub path: PathBuf,
}

/// Resolves `--model` (a known name or a path); `None` is the default model.
pub fn locate(spec: Option<&str>) -> anyhow::Result<ModelFile> {
    let spec = spec.unwrap_or(manifest::DEFAULT_MODEL);
    if let Some(known) = manifest::find(spec) {
        let path = crate::paths::models_dir().join(&known.file);
        if !path.exists() {
            anyhow::bail!(
                "the model `{}` is not installed; run `rehearse model download {}` (or `make run`, which sets it up)",
                known.name,
                known.name
            );
        }
        return Ok(ModelFile {
            name: known.name,
            path,
        });
    }
    let path = PathBuf::from(spec);
    if path.is_file() {
        let name = path.file_stem().map_or_else(
            || spec.to_string(),
            |s| s.to_string_lossy().trim_start_matches("ggml-").to_string(),
        );
        return Ok(ModelFile { name, path });
    }
    let known: Vec<String> = manifest::known_models()
        .into_iter()
        .map(|m| m.name)
        .collect();
    anyhow::bail!(
        "`{spec}` is neither a model file nor a known model ({}); pass a ggml file path or one of those names",
        known.join(", ")
    )
}

/// Creates the models folder if needed, private to the user.
pub fn secure_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the models folder `{}`", dir.display()))
}
