//! Every whisper-rs call in the project lives here, so a change in its API touches this one file.
//!
//! [`Engine`] owns a loaded model; [`Engine::run`] transcribes 16 kHz mono samples and returns plain
//! segments of tokens with their times and probabilities, which the rest of the module turns into
//! words. Callers must validate the model file first ([`crate::model::ggml::inspect`]): whisper.cpp
//! aborts the process on some malformed files instead of returning an error.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

/// Audio up to this length fits one 30 s window (with room for whisper's padding).
const SINGLE_WINDOW_SAMPLES: usize = 29 * 16_000 + 8_000;

/// Prompt tokens left unused below whisper.cpp's limit, for the start-of-previous token it adds.
const PROMPT_MARGIN: i32 = 4;

/// One token as whisper.cpp decoded it. Times are in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct RawToken {
    /// The token's text, with its leading space when it starts a word.
    pub text: String,
    /// Start from the timestamp decoder.
    pub start: f64,
    /// End from the timestamp decoder.
    pub end: f64,
    /// Time from dynamic time warping over the alignment heads, when available (more precise).
    pub dtw: Option<f64>,
    /// Probability of the token.
    pub probability: f32,
}

/// One segment: a run of tokens whisper.cpp decoded in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSegment {
    /// Segment start in seconds.
    pub start: f64,
    /// Segment end in seconds.
    pub end: f64,
    /// Text tokens, in order; special tokens are left out.
    pub tokens: Vec<RawToken>,
    /// whisper's estimate that the segment holds no speech.
    pub no_speech_probability: f32,
}

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Text the decoder sees as preceding context; steers style (keeping "um" and "uh").
    pub initial_prompt: String,
    /// CPU threads.
    pub threads: usize,
    /// Encoder context in frames of 20 ms; `None` is the full 30 s window. Smaller is faster on short
    /// audio, at some cost in accuracy.
    pub audio_ctx: Option<i32>,
    /// Whether a window that decodes badly is retried at higher temperatures (whisper's fallback).
    pub temperature_fallback: bool,
    /// Set from another thread to abandon the run ([`WhisperError::Cancelled`]).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Which architecture a model has, for picking its alignment heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Architecture {
    /// Text decoder layers.
    pub text_layers: i32,
    /// Vocabulary size; 51864 means English-only.
    pub vocab: i32,
}

/// Why whisper failed.
#[derive(Debug, thiserror::Error)]
pub enum WhisperError {
    /// The model file would not load.
    #[error(
        "whisper could not load the model `{path}` ({detail}); download it again with `rehearse model download`"
    )]
    Load { path: String, detail: String },
    /// Decoding failed.
    #[error("transcription failed inside whisper ({0})")]
    Run(String),
    /// The run was cancelled through [`RunOptions::cancel`].
    #[error("the transcription was cancelled")]
    Cancelled,
}

/// A loaded Whisper model.
pub struct Engine {
    context: WhisperContext,
}

impl Engine {
    /// Loads a (validated) ggml model file.
    pub fn load(path: &Path, arch: Architecture) -> Result<Engine, WhisperError> {
        silence_native_logs();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        if let Some(preset) = dtw_preset(arch) {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..DtwParameters::default()
            });
        }
        let context =
            WhisperContext::new_with_params(path, params).map_err(|err| WhisperError::Load {
                path: path.display().to_string(),
                detail: err.to_string(),
            })?;
        Ok(Engine { context })
    }

    /// A new decoding state for one run. States are not reused: whisper.cpp seeds the sampler of
    /// its first decoder once, when a state is made, and temperature fallback draws from it, so a
    /// reused state made the same audio decode differently after other runs ("out wrong" heard as
    /// "K-M-I-R-E" on a fresh state and as "K-Mout run" after a run over noise). Making a state
    /// costs 2 to 25 ms against hundreds for a run.
    fn new_state(&self) -> Result<WhisperState, WhisperError> {
        self.context
            .create_state()
            .map_err(|err| WhisperError::Run(err.to_string()))
    }

    /// The decoder prompt: `fixed` whole, then as much of the end of `context` as fits. whisper.cpp
    /// keeps only the last half of the text context (224 tokens for every Whisper model) of a prompt,
    /// so a long context would push the fixed part (the filler prompt) out; words are trimmed from the
    /// context's start instead.
    pub fn prompt(&self, fixed: &str, context: &str) -> String {
        let join = |words: &[&str]| -> String {
            if words.is_empty() {
                fixed.to_string()
            } else {
                format!("{fixed} {}", words.join(" "))
            }
        };
        let budget = usize::try_from(self.context.n_text_ctx() / 2 - PROMPT_MARGIN).unwrap_or(0);
        let words: Vec<&str> = context.split_whitespace().collect();
        let mut from = 0;
        while from < words.len() {
            let text = join(&words[from..]);
            let tokens = self
                .context
                .tokenize(&text, 1024)
                .map_or(usize::MAX, |t| t.len());
            if tokens <= budget {
                return text;
            }
            // Drop the context's start in steps of about a tenth, so the tokenizer runs a few times.
            from += (words.len() - from).div_ceil(10);
        }
        fixed.to_string()
    }

    /// Transcribes English speech. `progress` is called with 0 to 100 as decoding advances.
    pub fn run(
        &self,
        samples: &[f32],
        options: &RunOptions,
        progress: Option<Box<dyn FnMut(i32)>>,
    ) -> Result<Vec<RawSegment>, WhisperError> {
        let mut state = self.new_state()?;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(i32::try_from(options.threads.max(1)).unwrap_or(1));
        params.set_language(Some("en"));
        params.set_translate(false);
        params.set_no_context(true);
        // Audio within one window is decoded in one pass: otherwise whisper.cpp seeks to the last
        // timestamp it decoded and runs the encoder again on the last second or two (a 10 s stretch
        // took 1.4 s instead of 0.8 s).
        params.set_single_segment(samples.len() <= SINGLE_WINDOW_SAMPLES);
        // Non-speech tokens (brackets, parentheses, music signs) are suppressed: with the filler prompt
        // and a fitted encoder context, Whisper otherwise opens "(" spans that wrap real words
        // (issue 11) and annotates silence; the fillers are ordinary words and stay.
        params.set_suppress_nst(true);
        params.set_token_timestamps(true);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_suppress_blank(true);
        if !options.initial_prompt.is_empty() {
            params.set_initial_prompt(&options.initial_prompt);
        }
        if !options.temperature_fallback {
            params.set_temperature_inc(0.0);
        }
        if let Some(audio_ctx) = options.audio_ctx {
            params.set_audio_ctx(audio_ctx);
        }
        if let Some(mut callback) = progress {
            params.set_progress_callback_safe(move |percent: i32| callback(percent));
        }
        if let Some(cancel) = &options.cancel {
            // whisper-rs 0.16's `set_abort_callback_safe` hands its trampoline a boxed trait object
            // but reads it as the closure type, so every run aborts at once; pass the flag directly.
            // SAFETY: the pointer is the flag inside `options.cancel`, which outlives `state.full`
            // below, and `abort_when_set` only reads it atomically.
            unsafe {
                params.set_abort_callback(Some(abort_when_set));
                params.set_abort_callback_user_data(Arc::as_ptr(cancel) as *mut std::ffi::c_void);
            }
        }
        let cancelled = || {
            options
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
        };
        if cancelled() {
            return Err(WhisperError::Cancelled);
        }
        let ran = state.full(params, samples);
        if cancelled() {
            return Err(WhisperError::Cancelled);
        }
        ran.map_err(|err| WhisperError::Run(err.to_string()))?;

        let eot = self.context.token_eot();
        let mut segments = Vec::new();
        for segment in state.as_iter() {
            let mut tokens = Vec::new();
            for index in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(index) else {
                    continue;
                };
                if token.token_id() >= eot {
                    continue; // timestamps, start-of-transcript and other special tokens
                }
                let data = token.token_data();
                let text = match token.to_bytes() {
                    Ok(bytes) => bytes.to_vec(),
                    Err(_) => continue,
                };
                tokens.push((text, data.t0, data.t1, data.t_dtw, data.p));
            }
            segments.push(RawSegment {
                start: centiseconds(segment.start_timestamp()),
                end: centiseconds(segment.end_timestamp()),
                tokens: decode_token_bytes(tokens),
                no_speech_probability: segment.no_speech_probability(),
            });
        }
        Ok(segments)
    }
}

/// whisper.cpp's abort callback: `data` is an [`AtomicBool`] that another thread sets to cancel.
unsafe extern "C" fn abort_when_set(data: *mut std::ffi::c_void) -> bool {
    // SAFETY: `Engine::run` passes a pointer to an `AtomicBool` it keeps alive for the whole run.
    let flag = unsafe { &*(data as *const AtomicBool) };
    flag.load(Ordering::Relaxed)
}

/// Tokens can split a multi-byte character; join the bytes before turning them into text.
fn decode_token_bytes(tokens: Vec<(Vec<u8>, i64, i64, i64, f32)>) -> Vec<RawToken> {
    let mut out: Vec<RawToken> = Vec::with_capacity(tokens.len());
    let mut pending: Vec<u8> = Vec::new();
    for (bytes, t0, t1, t_dtw, p) in tokens {
        pending.extend_from_slice(&bytes);
        let text = match std::str::from_utf8(&pending) {
            Ok(text) => text.to_string(),
            Err(err) if err.error_len().is_none() => continue, // incomplete character: wait for more
            Err(_) => String::from_utf8_lossy(&pending).into_owned(),
        };
        pending.clear();
        out.push(RawToken {
            text,
            start: centiseconds(t0),
            end: centiseconds(t1),
            dtw: (t_dtw >= 0).then(|| centiseconds(t_dtw)),
            probability: p,
        });
    }
    out
}

fn centiseconds(value: i64) -> f64 {
    value as f64 / 100.0
}

/// The alignment heads for the known model sizes; other models get no DTW timings.
fn dtw_preset(arch: Architecture) -> Option<DtwModelPreset> {
    let english = arch.vocab == 51864;
    match (arch.text_layers, english) {
        (4, true) => Some(DtwModelPreset::TinyEn),
        (4, false) => Some(DtwModelPreset::Tiny),
        (6, true) => Some(DtwModelPreset::BaseEn),
        (6, false) => Some(DtwModelPreset::Base),
        (12, true) => Some(DtwModelPreset::SmallEn),
        (12, false) => Some(DtwModelPreset::Small),
        _ => None,
    }
}

/// whisper.cpp and ggml print model details to stderr; route them away from the user's terminal.
fn silence_native_logs() {
    whisper_rs::install_logging_hooks();
}

/// The version of whisper.cpp compiled in.
pub fn whisper_cpp_version() -> &'static str {
    whisper_rs::WHISPER_CPP_VERSION
}
