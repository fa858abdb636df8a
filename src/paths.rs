//! Where rehearse keeps things: the data folder and the models folder, with environment overrides.
//!
//! The data folder is `$REHEARSE_HOME` when set, else `$XDG_DATA_HOME/rehearse`, else
//! `~/.local/share/rehearse`. Models live in the repository's `models/` folder when rehearse runs from a
//! checkout, else in `<data>/models`; `REHEARSE_MODELS_DIR` overrides both.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The data folder (sessions, recordings, caches). Not created here.
pub fn data_dir() -> PathBuf {
    if let Some(home) = non_empty_env("REHEARSE_HOME") {
        return PathBuf::from(home);
    }
    if let Some(xdg) = non_empty_env("XDG_DATA_HOME") {
        return PathBuf::from(xdg).join("rehearse");
    }
    home_dir().join(".local/share/rehearse")
}

/// The folder that holds model weights and the manifest of known models.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = non_empty_env("REHEARSE_MODELS_DIR") {
        return PathBuf::from(dir);
    }
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    if checkout.join("manifest.toml").is_file() {
        return checkout;
    }
    data_dir().join("models")
}

fn home_dir() -> PathBuf {
    non_empty_env("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

/// An environment variable's value when it is set and not empty.
pub fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Creates a cache folder inside the data folder (and missing parents) private to the user, 0700
/// like the rest of the data folder; existing folders on the way from the data folder are
/// tightened too (older versions made `cache/voice` 0755).
pub fn private_cache_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let data = data_dir();
    let mut folder = Some(dir);
    while let Some(current) = folder.filter(|f| f.starts_with(&data) && *f != data) {
        private_mode(current, 0o700)?;
        folder = current.parent();
    }
    Ok(())
}

/// Sets `path` to `mode` unless it already allows no one but the user more.
pub fn private_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}
