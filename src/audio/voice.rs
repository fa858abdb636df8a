//! The interviewer's voice: speak a question with the neural voice ([`super::neural`], Piper's `joe`
//! by default) or espeak-ng, or play the recording a question ships.
//!
//! A voice name that the manifest lists as a neural voice goes to the neural engine; when that voice
//! or its runtime is missing or broken, the question is spoken by espeak-ng instead and [`speak`]
//! returns [`Spoken::FellBack`] with the one-line notice to show. Any other name (`espeak`, or an
//! espeak-ng voice such as `en-gb+f3`) is spoken by espeak-ng.
//!
//! espeak-ng speech is synthesized by the `espeak-ng` command (a Debian package; no library binding to build)
//! with a chosen voice and rate, and cached as a WAV in `<data>/cache/voice/`, keyed by a hash of the
//! engine, voice, rate and text, so a question is synthesized once. A recorded audio file, when a
//! question has one, takes precedence. When no engine is installed, [`speak`] says so in
//! [`Spoken::TextOnly`] and the caller shows the question as text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use super::decode::{self, DecodeError};
use super::device::{self, DeviceError};
use super::resample::WHISPER_RATE;

/// The engine's command; `REHEARSE_ESPEAK` overrides it (a full path, or `none` to turn speech off).
const ENGINE: &str = "espeak-ng";

/// The voice name that chooses espeak-ng with its default voice.
pub const ESPEAK: &str = "espeak";

/// espeak-ng's voice when none is named (`--voice espeak`, and the fallback).
const ESPEAK_DEFAULT_VOICE: &str = "en-us";

/// How to speak.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceOptions {
    /// The voice: a neural voice (`joe`), `espeak`, or an espeak-ng voice such as `en-us`.
    pub voice: String,
    /// Words per minute.
    pub rate_wpm: u32,
    /// The output device (`None` = the default).
    pub output_device: Option<String>,
}

impl Default for VoiceOptions {
    fn default() -> Self {
        VoiceOptions {
            voice: crate::tts::DEFAULT_VOICE.into(),
            rate_wpm: 160,
            output_device: None,
        }
    }
}

/// Synthesized or recorded speech, ready to play.
#[derive(Debug, Clone)]
pub struct Speech {
    /// Mono samples.
    pub samples: Vec<f32>,
    /// Their rate.
    pub rate: u32,
    /// Where they came from.
    pub source: SpeechSource,
}

impl Speech {
    /// Length in seconds.
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate.max(1))
    }
}

/// Where speech came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SpeechSource {
    /// A recording shipped with the question.
    Recorded {
        /// The file.
        path: PathBuf,
    },
    /// The text-to-speech engine.
    Synthesized {
        /// The cached WAV.
        cache: PathBuf,
        /// It was already in the cache.
        cached: bool,
    },
}

/// What [`speak`] did.
#[derive(Debug, Clone)]
pub enum Spoken {
    /// The speech was played.
    Played(Speech),
    /// The neural voice could not be used, so espeak-ng spoke instead; show this one-line notice.
    FellBack {
        /// What espeak-ng played.
        speech: Speech,
        /// Why, and how to install the voice.
        notice: String,
    },
    /// No engine: show the text instead, with this one-line notice.
    TextOnly {
        /// Why, and how to install an engine.
        notice: String,
    },
}

/// Why speaking failed.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// No text-to-speech engine is installed (or it is turned off).
    #[error("{0}")]
    NoEngine(String),
    /// The engine ran but failed (a voice that does not exist, for example).
    #[error("espeak-ng could not speak the text: {0}")]
    Engine(String),
    /// The voice cache could not be written.
    #[error("cannot write the voice cache `{path}`: {source}")]
    Cache {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The question's recording could not be read.
    #[error(transparent)]
    Recording(#[from] DecodeError),
    /// Playback failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
}

fn engine_command() -> Result<String, VoiceError> {
    match crate::paths::non_empty_env("REHEARSE_ESPEAK") {
        Some(value) if value == "none" => Err(VoiceError::NoEngine(
            "speech is turned off (REHEARSE_ESPEAK=none); showing the question as text".into(),
        )),
        Some(value) => Ok(value),
        None => Ok(ENGINE.to_string()),
    }
}

fn no_engine_notice() -> String {
    "espeak-ng is not installed, so the question is shown as text; install it (e.g. `sudo apt install espeak-ng`) to hear it"
        .to_string()
}

/// The folder of synthesized speech: `<data>/cache/voice`.
pub fn cache_dir() -> PathBuf {
    crate::paths::data_dir().join("cache").join("voice")
}

/// The engine that speaks a voice name: `piper` for a neural voice, else `espeak-ng`.
pub fn engine_of(voice: &str) -> &'static str {
    if crate::tts::is_neural(voice) {
        "piper"
    } else {
        ENGINE
    }
}

/// The espeak-ng voice for a name (`espeak` means espeak-ng's default).
fn espeak_voice(voice: &str) -> &str {
    if voice == ESPEAK {
        ESPEAK_DEFAULT_VOICE
    } else {
        voice
    }
}

/// The cache file for a text in a voice, inside `dir`: keyed by engine, voice, rate and text.
pub fn cache_path(dir: &Path, text: &str, options: &VoiceOptions) -> PathBuf {
    let mut hash = Sha256::new();
    for part in [
        engine_of(&options.voice),
        espeak_voice(&options.voice),
        &options.rate_wpm.to_string(),
        text,
    ] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.wav"))
}

/// Synthesizes `text` (or takes it from the cache in the data folder).
pub fn synthesize(text: &str, options: &VoiceOptions) -> Result<Speech, VoiceError> {
    synthesize_in(&cache_dir(), text, options)
}

/// Synthesizes `text` (or takes it from the cache in `dir`).
pub fn synthesize_in(dir: &Path, text: &str, options: &VoiceOptions) -> Result<Speech, VoiceError> {
    let cache = cache_path(dir, text, options);
    if let Ok((samples, rate)) = read_wav_native(&cache) {
        return Ok(Speech {
            samples,
            rate,
            source: SpeechSource::Synthesized {
                cache,
                cached: true,
            },
        });
    }
    let engine = engine_command()?;
    let folder = cache.parent().map(Path::to_path_buf).unwrap_or_default();
    crate::paths::private_cache_dir(&folder).map_err(|source| VoiceError::Cache {
        path: folder.clone(),
        source,
    })?;
    // Write beside the final name, then rename: a killed run never leaves half a WAV in the cache.
    let partial = cache.with_extension("partial.wav");
    let mut child = Command::new(&engine)
        .arg("-v")
        .arg(espeak_voice(&options.voice))
        .arg("-s")
        .arg(options.rate_wpm.to_string())
        .arg("-w")
        .arg(&partial)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                VoiceError::NoEngine(no_engine_notice())
            } else {
                VoiceError::Engine(format!("cannot start `{engine}`: {err}"))
            }
        })?;
    // The text goes through stdin so that one starting with `-` is not taken for an option.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|err| VoiceError::Engine(err.to_string()))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        let detail = String::from_utf8_lossy(&output.stderr)
            .trim()
            .replace('\n', " ");
        let detail = if detail.is_empty() {
            format!("exit status {}", output.status)
        } else {
            detail
        };
        return Err(VoiceError::Engine(format!(
            "{detail} (voice `{}`; `espeak-ng --voices` lists them)",
            options.voice
        )));
    }
    let (samples, rate) =
        read_wav_native(&partial).map_err(|err| VoiceError::Engine(err.to_string()))?;
    // espeak-ng creates the file with the umask's mode; the cache says what was asked, so 0600.
    let _ = crate::paths::private_mode(&partial, 0o600);
    std::fs::rename(&partial, &cache).map_err(|source| VoiceError::Cache {
        path: cache.clone(),
        source,
    })?;
    Ok(Speech {
        samples,
        rate,
        source: SpeechSource::Synthesized {
            cache,
            cached: false,
        },
    })
}

/// Reads a mono WAV at its own rate (espeak-ng writes 22050 Hz; no need to resample for playback).
pub(crate) fn read_wav_native(path: &Path) -> Result<(Vec<f32>, u32), hound::Error> {
    let mut reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>()?,
        hound::SampleFormat::Int => reader
            .samples::<i32>()
            .map(|s| s.map(|v| v as f32 * scale))
            .collect::<Result<_, _>>()?,
    };
    let mono = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok((mono, spec.sample_rate))
}

/// The speech for a question: its recording when it has one, else synthesized text.
pub fn prepare(
    text: &str,
    recorded: Option<&Path>,
    options: &VoiceOptions,
) -> Result<Speech, VoiceError> {
    if let Some(path) = recorded {
        let audio = decode::read_wav(path)?;
        return Ok(Speech {
            samples: audio.samples,
            rate: WHISPER_RATE,
            source: SpeechSource::Recorded {
                path: path.to_path_buf(),
            },
        });
    }
    if crate::tts::is_neural(&options.voice) {
        let voice = super::neural::load(options).map_err(|e| VoiceError::Engine(e.to_string()))?;
        return super::neural::synthesize(&voice, &cache_dir(), text, options);
    }
    synthesize(text, options)
}

/// Speaks a question: plays its recording if it has one, else synthesized text. Without an engine,
/// returns [`Spoken::TextOnly`] with a notice (the caller shows the text).
pub fn speak(
    text: &str,
    recorded: Option<&Path>,
    options: &VoiceOptions,
) -> Result<Spoken, VoiceError> {
    if recorded.is_none() && crate::tts::is_neural(&options.voice) {
        return speak_neural(text, options);
    }
    let speech = match prepare(text, recorded, options) {
        Ok(speech) => speech,
        Err(VoiceError::NoEngine(notice)) => return Ok(Spoken::TextOnly { notice }),
        Err(err) => return Err(err),
    };
    device::play(
        &speech.samples,
        speech.rate,
        options.output_device.as_deref(),
    )?;
    Ok(Spoken::Played(speech))
}

/// Speaks with the neural voice, or with espeak-ng and a notice when the voice cannot be loaded.
fn speak_neural(text: &str, options: &VoiceOptions) -> Result<Spoken, VoiceError> {
    let voice = match super::neural::load(options) {
        Ok(voice) => voice,
        Err(err) => {
            let notice = format!("{err}; speaking with espeak-ng instead");
            let fallback = VoiceOptions {
                voice: ESPEAK.into(),
                ..options.clone()
            };
            return Ok(match speak(text, None, &fallback)? {
                Spoken::Played(speech) | Spoken::FellBack { speech, .. } => {
                    Spoken::FellBack { speech, notice }
                }
                Spoken::TextOnly { notice: why } => Spoken::TextOnly {
                    notice: format!("{err}, and {why}"),
                },
            });
        }
    };
    let (speech, _) = super::neural::speak(&voice, &cache_dir(), text, options)?;
    Ok(Spoken::Played(speech))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_present() -> bool {
        Command::new(ENGINE)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn cache_key_depends_on_text_voice_and_rate() {
        let a = VoiceOptions::default();
        let b = VoiceOptions {
            voice: "en-gb".into(),
            ..VoiceOptions::default()
        };
        let c = VoiceOptions {
            rate_wpm: 120,
            ..VoiceOptions::default()
        };
        let espeak = VoiceOptions {
            voice: "en-us".into(),
            ..VoiceOptions::default()
        };
        let key = |text, options| cache_path(Path::new("c"), text, options);
        // The engine is part of the key: the neural voice and espeak-ng never share a file.
        assert_ne!(key("hello", &a), key("hello", &espeak));
        assert_eq!(key("hello", &a), key("hello", &a));
        assert_ne!(key("hello", &a), key("hello!", &a));
        assert_ne!(key("hello", &a), key("hello", &b));
        assert_ne!(key("hello", &a), key("hello", &c));
    }

    #[test]
    fn espeak_speech_is_synthesized_once_then_cached() {
        assert!(
            engine_present(),
            "espeak-ng must be installed (scripts/setup.sh installs it)"
        );
        let dir = tempfile::tempdir().unwrap();
        let options = VoiceOptions {
            voice: ESPEAK.into(),
            ..VoiceOptions::default()
        };
        let first =
            synthesize_in(dir.path(), "Tell me about a time you failed.", &options).unwrap();
        assert_eq!(first.rate, 22_050);
        assert!(
            (1.0..5.0).contains(&first.duration_seconds()),
            "{}",
            first.duration_seconds()
        );
        assert!(matches!(
            first.source,
            SpeechSource::Synthesized { cached: false, .. }
        ));
        let again =
            synthesize_in(dir.path(), "Tell me about a time you failed.", &options).unwrap();
        assert!(matches!(
            again.source,
            SpeechSource::Synthesized { cached: true, .. }
        ));
        assert_eq!(again.samples.len(), first.samples.len());
        let loud = first.samples.iter().filter(|s| s.abs() > 0.05).count();
        assert!(loud > first.samples.len() / 10, "mostly silent speech");
        let bad = synthesize_in(
            dir.path(),
            "hello",
            &VoiceOptions {
                voice: "qqq".into(),
                ..options
            },
        );
        assert!(
            matches!(bad, Err(VoiceError::Engine(ref msg)) if msg.contains("--voices")),
            "{:?}",
            bad.err()
        );
    }
}
