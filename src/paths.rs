//! Where rehearse keeps things: the data folder and the models folder, with environment overrides.
//!
//! The data folder is `$REHEARSE_HOME` when set, else `$XDG_DATA_HOME/rehearse`, else
//! `~/.local/share/rehearse`. Models live in the repository's `models/` folder when rehearse runs from a
//! checkout, else in `<data>/models`; `REHEARSE_MODELS_DIR` overrides both.

use std::path::PathBuf;

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
