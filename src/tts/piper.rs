//! A Piper voice: its VITS model (ONNX) run by ONNX Runtime through `ort`, and its config (`.onnx.json`),
//! which maps each phoneme character to the model's ids.
//!
//! The id sequence is the one Piper's voices were trained on (piper-phonemize's `phonemes_to_ids`):
//! the sentence start `^` and a pad `_`, then each known phoneme followed by a pad, then the end `$`.
//! Unknown characters are skipped, as Piper does. The model takes the ids, their count and three
//! scales (noise, length, noise width) and returns the waveform at the voice's sample rate.
//!
//! ONNX Runtime itself is a shared library loaded at run time (`ort`'s `load-dynamic`): the one setup
//! takes from the `onnxruntime` wheel into `models/onnxruntime/`. It is loaded once per process.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use ort::session::Session;
use ort::value::Tensor;
use serde::Deserialize;

/// Why a voice could not be loaded or could not speak.
#[derive(Debug, thiserror::Error)]
pub enum PiperError {
    /// A file is missing or unreadable.
    #[error("cannot read `{path}`: {detail}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        detail: String,
    },
    /// The config is not a Piper voice config.
    #[error("`{path}` is not a Piper voice config: {detail}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// ONNX Runtime could not be loaded, or refused the model.
    #[error("{0}")]
    Runtime(String),
}

/// The parts of a Piper voice config that synthesis needs.
#[derive(Debug, Clone, Deserialize)]
pub struct VoiceConfig {
    /// Output rate.
    pub audio: AudioConfig,
    /// The espeak-ng voice its phonemes come from.
    pub espeak: EspeakConfig,
    /// Default scales.
    pub inference: InferenceConfig,
    /// Phoneme character to ids.
    pub phoneme_id_map: HashMap<String, Vec<i64>>,
    /// Speakers in the model (1 for a single-speaker voice).
    #[serde(default)]
    pub num_speakers: u32,
}

/// `audio` of the config.
#[derive(Debug, Clone, Deserialize)]
pub struct AudioConfig {
    /// Samples per second.
    pub sample_rate: u32,
}

/// `espeak` of the config.
#[derive(Debug, Clone, Deserialize)]
pub struct EspeakConfig {
    /// e.g. `en-us`.
    pub voice: String,
}

/// `inference` of the config.
#[derive(Debug, Clone, Deserialize)]
pub struct InferenceConfig {
    /// Noise in the generated speech.
    pub noise_scale: f32,
    /// Duration factor (above 1 is slower).
    pub length_scale: f32,
    /// Noise in phoneme durations.
    pub noise_w: f32,
}

impl VoiceConfig {
    /// Parses a config; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<VoiceConfig, PiperError> {
        let config: VoiceConfig = serde_json::from_str(text).map_err(|err| PiperError::Config {
            path: path.display().to_string(),
            detail: err.to_string(),
        })?;
        for symbol in ["^", "_", "$"] {
            if config.phoneme_id_map.get(symbol).is_none_or(Vec::is_empty) {
                return Err(PiperError::Config {
                    path: path.display().to_string(),
                    detail: format!("its phoneme map has no `{symbol}`"),
                });
            }
        }
        Ok(config)
    }

    /// The model's ids for one sentence's phonemes.
    pub fn ids(&self, phonemes: &[char]) -> Vec<i64> {
        let map = &self.phoneme_id_map;
        let lookup = |s: &str| map.get(s).map_or(&[][..], Vec::as_slice);
        let mut ids = Vec::with_capacity(phonemes.len() * 2 + 3);
        ids.extend_from_slice(lookup("^"));
        ids.extend_from_slice(lookup("_"));
        let mut buf = [0u8; 4];
        for c in phonemes {
            let Some(known) = map.get(&*c.encode_utf8(&mut buf)) else {
                continue;
            };
            ids.extend_from_slice(known);
            ids.extend_from_slice(lookup("_"));
        }
        ids.extend_from_slice(lookup("$"));
        ids
    }
}

/// The ONNX Runtime environment, created once per process from the library file.
static RUNTIME: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

fn runtime(library: &Path) -> Result<&'static ort::environment::Environment, PiperError> {
    RUNTIME
        .get_or_init(|| {
            let builder = ort::init_from(library).map_err(|err| {
                format!(
                    "cannot load ONNX Runtime from `{}` ({err})",
                    library.display()
                )
            })?;
            builder
                .with_name("rehearse")
                .build()
                .map_err(|err| format!("ONNX Runtime could not start: {err}"))
        })
        .as_ref()
        .map_err(|err| PiperError::Runtime(err.clone()))
}

/// A loaded voice, ready to speak (one sentence at a time; calls are serialised).
pub struct PiperVoice {
    /// Its config.
    pub config: VoiceConfig,
    session: Mutex<Session>,
}

impl std::fmt::Debug for PiperVoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiperVoice")
            .field("sample_rate", &self.config.audio.sample_rate)
            .finish_non_exhaustive()
    }
}

impl PiperVoice {
    /// Loads the model `onnx` and its config `config`, with ONNX Runtime from `library`.
    pub fn load(onnx: &Path, config: &Path, library: &Path) -> Result<PiperVoice, PiperError> {
        let text = std::fs::read_to_string(config).map_err(|err| PiperError::Read {
            path: config.display().to_string(),
            detail: err.to_string(),
        })?;
        let config = VoiceConfig::parse(&text, config)?;
        if !onnx.is_file() {
            return Err(PiperError::Read {
                path: onnx.display().to_string(),
                detail: "no such file".into(),
            });
        }
        let environment = runtime(library)?;
        let fail = |err: &dyn std::fmt::Display| {
            PiperError::Runtime(format!(
                "ONNX Runtime cannot load the voice `{}`: {err}",
                onnx.display()
            ))
        };
        // Two threads: the machine this must run on has two cores, and more only contend.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        let session = Session::builder(environment)
            .map_err(|e| fail(&e))?
            .with_intra_threads(threads)
            .map_err(|e| fail(&e))?
            .commit_from_file(onnx)
            .map_err(|e| fail(&e))?;
        Ok(PiperVoice {
            config,
            session: Mutex::new(session),
        })
    }

    /// Output rate.
    pub fn sample_rate(&self) -> u32 {
        self.config.audio.sample_rate
    }

    /// Speaks one sentence's phonemes; `length_scale` above 1 is slower. Samples are in -1..1.
    pub fn synthesize(&self, phonemes: &[char], length_scale: f32) -> Result<Vec<f32>, PiperError> {
        let ids = self.ids_or_silence(phonemes);
        let Some(ids) = ids else {
            return Ok(Vec::new());
        };
        let count = ids.len();
        let inference = &self.config.inference;
        let fail = |err: ort::Error| PiperError::Runtime(format!("the voice model failed: {err}"));
        let input = Tensor::from_array(([1usize, count], ids)).map_err(fail)?;
        let lengths = Tensor::from_array(([1usize], vec![count as i64])).map_err(fail)?;
        let scales = Tensor::from_array((
            [3usize],
            vec![inference.noise_scale, length_scale, inference.noise_w],
        ))
        .map_err(fail)?;
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = if self.config.num_speakers > 1 {
            let speaker = Tensor::from_array(([1usize], vec![0i64])).map_err(fail)?;
            session.run(ort::inputs![
                "input" => input, "input_lengths" => lengths, "scales" => scales, "sid" => speaker
            ])
        } else {
            session.run(ort::inputs![
                "input" => input, "input_lengths" => lengths, "scales" => scales
            ])
        }
        .map_err(fail)?;
        let (_, audio) = outputs[0].try_extract_tensor::<f32>().map_err(fail)?;
        Ok(normalise(audio))
    }

    fn ids_or_silence(&self, phonemes: &[char]) -> Option<Vec<i64>> {
        let ids = self.config.ids(phonemes);
        // Only the start, pad and end: nothing to say.
        (ids.len() > 3).then_some(ids)
    }
}

/// Scales a sentence so its peak sits at 0.9 (the model's output level varies from one sentence to
/// the next), never amplifying near-silence by more than 10 times.
fn normalise(audio: &[f32]) -> Vec<f32> {
    let peak = audio.iter().fold(0.0f32, |m, s| m.max(s.abs())).max(0.09);
    let gain = 0.9 / peak;
    audio.iter().map(|s| (s * gain).clamp(-1.0, 1.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> VoiceConfig {
        VoiceConfig::parse(
            r#"{"audio":{"sample_rate":22050},"espeak":{"voice":"en-us"},
                "inference":{"noise_scale":0.667,"length_scale":1,"noise_w":0.8},
                "num_speakers":1,
                "phoneme_id_map":{"_":[0],"^":[1],"$":[2]," ":[3],"a":[14],"ˈ":[120],"?":[13]}}"#,
            Path::new("voice.json"),
        )
        .unwrap()
    }

    #[test]
    fn ids_start_pad_each_phoneme_and_end() {
        let ids = config().ids(&['ˈ', 'a', ' ', 'x', 'a', '?']);
        // ^ _ then each known phoneme and a pad; `x` is not in the map and is skipped; then $.
        assert_eq!(ids, vec![1, 0, 120, 0, 14, 0, 3, 0, 14, 0, 13, 0, 2]);
    }

    #[test]
    fn a_config_without_the_sentence_marks_is_refused() {
        let err = VoiceConfig::parse(
            r#"{"audio":{"sample_rate":22050},"espeak":{"voice":"en-us"},
                "inference":{"noise_scale":0.6,"length_scale":1,"noise_w":0.8},
                "phoneme_id_map":{"a":[14]}}"#,
            Path::new("v.json"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no `^`"), "{err}");
        assert!(VoiceConfig::parse("{}", Path::new("v.json")).is_err());
    }

    #[test]
    fn loudness_is_evened_out() {
        let out = normalise(&[0.1, -0.45, 0.2]);
        assert!((out[1] + 0.9).abs() < 1e-6);
        assert!((out[0] - 0.2).abs() < 1e-6);
        let quiet = normalise(&[0.001, -0.002]);
        assert!(quiet.iter().all(|s| s.abs() < 0.03));
    }
}
