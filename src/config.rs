//! User settings: `config.toml` in the config folder, parsed into plain structs.
//!
//! The file is `$REHEARSE_CONFIG` when set, else `$XDG_CONFIG_HOME/rehearse/config.toml`, else
//! `~/.config/rehearse/config.toml`; a missing file means defaults. Each section is its own struct
//! with `#[serde(default, deny_unknown_fields)]`, so a typo is an error rather than silently ignored,
//! and new settings join as new fields or sections. Command-line flags (and their `REHEARSE_*`
//! environment variables) override the file; that merge happens in the commands.
//!
//! ```toml
//! [audio]
//! input_device = "default"
//! output_device = "pulse"
//!
//! [voice]
//! name = "joe"
//! rate = 160
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::paths::non_empty_env;

/// All settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Microphone and speakers.
    pub audio: AudioConfig,
    /// The interviewer's voice.
    pub voice: VoiceConfig,
}

/// Which devices to use (names as `rehearse devices` shows them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// The microphone; unset means the system default.
    pub input_device: Option<String>,
    /// The speakers or headphones; unset means the system default.
    pub output_device: Option<String>,
}

/// The text-to-speech voice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// The interviewer's voice: `joe` (the neural voice, the default), `espeak` (espeak-ng), or an
    /// espeak-ng voice (`espeak-ng --voices` lists them), e.g. `en-us` or `en-gb+f3`.
    pub name: Option<String>,
    /// Speaking rate in words per minute.
    pub rate: Option<u32>,
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read the settings file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("the settings file `{path}` is not valid: {detail}; fix it or move it away")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, from the TOML parser.
        detail: String,
    },
}

/// The settings file's path (it may not exist).
pub fn config_path() -> PathBuf {
    if let Some(file) = non_empty_env("REHEARSE_CONFIG") {
        return PathBuf::from(file);
    }
    let base = non_empty_env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            non_empty_env("HOME")
                .map_or_else(|| PathBuf::from("."), PathBuf::from)
                .join(".config")
        });
    base.join("rehearse").join("config.toml")
}

impl Config {
    /// Parses settings from TOML text; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |detail: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            detail,
        };
        let config: Config =
            toml::from_str(text).map_err(|err| invalid(err.message().trim().to_string()))?;
        if let Some(rate) = config.voice.rate {
            crate::limits::check_rate(rate).map_err(|e| invalid(format!("[voice] {e}")))?;
        }
        Ok(config)
    }

    /// Reads the settings file, or returns defaults when there is none.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_from(&config_path())
    }

    /// Reads a given settings file, or returns defaults when it does not exist.
    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_defaults() {
        assert_eq!(
            Config::parse("", Path::new("c.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn sections_parse() {
        let text = "[audio]\ninput_device = \"hw:1\"\n[voice]\nname = \"en-gb\"\nrate = 150\n";
        let config = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(config.audio.input_device.as_deref(), Some("hw:1"));
        assert_eq!(config.audio.output_device, None);
        assert_eq!(config.voice.name.as_deref(), Some("en-gb"));
        assert_eq!(config.voice.rate, Some(150));
    }

    #[test]
    fn a_typo_is_a_clear_error() {
        let err =
            Config::parse("[audio]\ninput_devise = \"x\"\n", Path::new("c.toml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`c.toml`") && text.contains("input_devise"),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn a_rate_out_of_range_names_the_range() {
        let err = Config::parse("[voice]\nrate = 1\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("80 to 450"), "{err}");
    }

    #[test]
    fn a_missing_file_is_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load_from(&dir.path().join("none.toml")).unwrap(),
            Config::default()
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        #[test]
        fn damaged_config_files_never_panic(text in crate::fuzz::mutated(
            "[audio]\ninput_device = \"hw:1\"\n[voice]\nname = \"en-gb\"\nrate = 150\n", 8,
        )) {
            if let Err(err) = Config::parse(&text, Path::new("c.toml")) {
                let message = err.to_string();
                proptest::prop_assert!(message.contains("c.toml"), "{}", message);
            }
        }
    }
}
