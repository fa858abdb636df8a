//! The neural interviewer voice: Piper voices (VITS in ONNX) installed in the models folder, loaded once
//! per process and spoken sentence by sentence.
//!
//! [`load`] finds a known voice (`[[voice]]` in `models/manifest.toml`), checks its files and the ONNX
//! Runtime library, and loads both; any failure is a [`TtsError`] whose message says how to fix it, and
//! the caller (`audio::voice`) falls back to espeak-ng with that as its one notice. [`NeuralVoice::stream`]
//! synthesizes in a worker thread and sends each sentence as soon as it is made, so the first can play
//! while the rest is synthesized.

pub mod phonemes;
pub mod piper;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

use crate::model::{manifest, voice as install};
use piper::PiperVoice;

/// The interviewer's voice unless another is chosen.
pub const DEFAULT_VOICE: &str = "joe";

/// The rate at which a voice speaks at its own pace (length scale 1).
pub const NATURAL_RATE_WPM: u32 = 160;

/// Why a neural voice cannot speak.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// The voice or its runtime is not installed, or its files do not match the manifest.
    #[error(
        "the neural voice `{name}` is not installed ({detail}); run `rehearse model download {name}`"
    )]
    NotInstalled {
        /// The voice.
        name: String,
        /// What is missing.
        detail: String,
    },
    /// The files are there but could not be loaded.
    #[error(
        "the neural voice `{name}` cannot be loaded ({detail}); run `rehearse model download {name}` to reinstall it"
    )]
    Broken {
        /// The voice.
        name: String,
        /// The cause.
        detail: String,
    },
    /// Synthesis failed on a sentence.
    #[error("the neural voice failed: {0}")]
    Synthesis(String),
}

/// A voice ready to speak.
#[derive(Debug)]
pub struct NeuralVoice {
    /// Its name (`joe`).
    pub name: String,
    voice: PiperVoice,
}

/// One voice as `rehearse say --voice LIST` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VoiceRow {
    /// `joe`, or `espeak`.
    pub name: String,
    /// `piper` or `espeak-ng`.
    pub engine: String,
    /// Usable now.
    pub installed: bool,
    /// The default interviewer voice.
    pub default: bool,
    /// Where it comes from, or what is missing.
    pub detail: String,
}

/// Whether `name` is a known neural voice (else it is an espeak-ng voice).
pub fn is_neural(name: &str) -> bool {
    manifest::find_voice(name).is_some()
}

/// The voice files: the model and its config.
fn voice_files(name: &str, models: &Path) -> Result<(PathBuf, PathBuf, PathBuf), TtsError> {
    let not_installed = |detail: String| TtsError::NotInstalled {
        name: name.to_string(),
        detail,
    };
    let known = manifest::find_voice(name)
        .ok_or_else(|| not_installed("it is not in the manifest".into()))?;
    let runtime = manifest::runtime()
        .ok_or_else(|| not_installed("the manifest lists no ONNX Runtime".into()))?;
    install::check(&known, &install::install_dir(&known, models))
        .map_err(|e| not_installed(e.to_string()))?;
    install::check(&runtime, &install::install_dir(&runtime, models))
        .map_err(|e| not_installed(format!("ONNX Runtime: {e}")))?;
    let onnx = install::file_ending(&known, models, ".onnx");
    let config = install::file_ending(&known, models, ".onnx.json");
    let library = runtime
        .files
        .iter()
        .find(|f| f.path.contains(".so"))
        .map(|f| install::install_dir(&runtime, models).join(&f.path));
    match (onnx, config, library) {
        (Some(onnx), Some(config), Some(library)) => Ok((onnx, config, library)),
        _ => Err(not_installed(
            "the manifest does not list its model, config and runtime library".into(),
        )),
    }
}

/// Every known voice, the neural ones first, then espeak-ng.
pub fn list(models: &Path) -> Vec<VoiceRow> {
    let mut rows: Vec<VoiceRow> = manifest::voices()
        .into_iter()
        .map(|known| {
            let state = voice_files(&known.name, models);
            VoiceRow {
                default: known.name == DEFAULT_VOICE,
                engine: "piper".into(),
                installed: state.is_ok(),
                detail: match state {
                    Ok(_) => format!("{}, {}", known.origin, known.license),
                    Err(TtsError::NotInstalled { detail, .. }) => {
                        format!(
                            "not installed: {detail}; `rehearse model download {}`",
                            known.name
                        )
                    }
                    Err(err) => err.to_string(),
                },
                name: known.name,
            }
        })
        .collect();
    let espeak = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    rows.push(VoiceRow {
        name: "espeak".into(),
        engine: "espeak-ng".into(),
        installed: espeak,
        default: false,
        detail: if espeak {
            "espeak-ng's en-us voice (any other: `espeak-ng --voices`); the fallback".into()
        } else {
            "espeak-ng is not installed (`sudo apt install espeak-ng`)".into()
        },
    });
    rows
}

static LOADED: OnceLock<Mutex<HashMap<String, Arc<NeuralVoice>>>> = OnceLock::new();

/// Loads the voice `name` from `models` (once per process: later calls share it).
pub fn load(name: &str, models: &Path) -> Result<Arc<NeuralVoice>, TtsError> {
    let loaded = LOADED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut loaded = loaded
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(voice) = loaded.get(name) {
        return Ok(Arc::clone(voice));
    }
    let (onnx, config, library) = voice_files(name, models)?;
    let broken = |detail: String| TtsError::Broken {
        name: name.to_string(),
        detail,
    };
    let voice = PiperVoice::load(&onnx, &config, &library).map_err(|e| broken(e.to_string()))?;
    phonemes::ensure_loaded(&voice.config.espeak.voice).map_err(|e| broken(e.to_string()))?;
    let voice = Arc::new(NeuralVoice {
        name: name.to_string(),
        voice,
    });
    loaded.insert(name.to_string(), Arc::clone(&voice));
    Ok(voice)
}

/// Piper's length scale for a rate in words per minute (160 is the voice's own pace).
pub fn length_scale(rate_wpm: u32) -> f32 {
    NATURAL_RATE_WPM as f32 / rate_wpm.max(1) as f32
}

impl NeuralVoice {
    /// Output rate.
    pub fn sample_rate(&self) -> u32 {
        self.voice.sample_rate()
    }

    /// Speaks one sentence.
    pub fn sentence(
        &self,
        sentence: &[phonemes::Clause],
        rate_wpm: u32,
    ) -> Result<Vec<f32>, TtsError> {
        let phonemes =
            phonemes::phonemize(sentence).map_err(|e| TtsError::Synthesis(e.to_string()))?;
        self.voice
            .synthesize(&phonemes, length_scale(rate_wpm))
            .map_err(|e| TtsError::Synthesis(e.to_string()))
    }

    /// Speaks all of `text` at once.
    pub fn synthesize(&self, text: &str, rate_wpm: u32) -> Result<Vec<f32>, TtsError> {
        let mut out = Vec::new();
        for sentence in phonemes::sentences(text) {
            if !out.is_empty() {
                out.extend(self.sentence_gap());
            }
            out.extend(self.sentence(&sentence, rate_wpm)?);
        }
        Ok(out)
    }

    /// The silence put between two sentences in a whole recording: a quarter of a second, the pause
    /// that playback leaves after each sentence when they are played one by one.
    pub fn sentence_gap(&self) -> Vec<f32> {
        vec![0.0; (self.sample_rate() / 4) as usize]
    }

    /// Synthesizes `text` in a worker thread, sending each sentence as it is made (in order; the
    /// channel ends after the last, or after the first failure).
    pub fn stream(
        self: &Arc<Self>,
        text: &str,
        rate_wpm: u32,
    ) -> Receiver<Result<Vec<f32>, TtsError>> {
        let sentences = phonemes::sentences(text);
        // Room for every sentence: the worker never waits for playback.
        let (send, receive) = sync_channel(sentences.len().max(1));
        let voice = Arc::clone(self);
        std::thread::spawn(move || {
            for sentence in sentences {
                let result = voice.sentence(&sentence, rate_wpm);
                let failed = result.is_err();
                if send.send(result).is_err() || failed {
                    return;
                }
            }
        });
        receive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_sets_the_length_scale() {
        assert!((length_scale(160) - 1.0).abs() < 1e-6);
        assert!(length_scale(200) < 1.0);
        assert!(length_scale(120) > 1.0);
    }

    #[test]
    fn the_default_voice_is_known_and_espeak_names_are_not() {
        assert!(is_neural(DEFAULT_VOICE));
        assert!(!is_neural("espeak"));
        assert!(!is_neural("en-us"));
    }

    #[test]
    fn a_missing_voice_says_how_to_install_it() {
        let empty = tempfile::tempdir().unwrap();
        let err = load(DEFAULT_VOICE, empty.path()).unwrap_err();
        assert!(matches!(err, TtsError::NotInstalled { .. }), "{err}");
        assert!(
            err.to_string().contains("rehearse model download joe"),
            "{err}"
        );
        let rows = list(empty.path());
        assert!(!rows[0].installed && rows[0].default, "{rows:?}");
    }
}
