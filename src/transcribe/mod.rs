//! Speech to text: a loaded Whisper model that turns 16 kHz mono samples into a [`Transcript`] of words
//! with times, probabilities and filler marks.
//!
//! [`whisper`] holds every whisper-rs call; [`words`] turns tokens into words and drops non-speech;
//! [`fillers`] knows the hesitation sounds. Whisper drops "um" and "uh" unless its context shows them,
//! so every run is primed with [`fillers::FILLER_PROMPT`].

pub mod accuracy;
pub mod fillers;
pub mod incremental;
pub mod whisper;
pub mod words;

use std::path::PathBuf;

use anyhow::Context;

use crate::model::{self, ModelFile};
use crate::transcript::Transcript;
use whisper::{Architecture, Engine, RunOptions};
pub use words::Timing;

/// Whisper refuses input shorter than a second; shorter answers are padded with silence.
const MIN_SAMPLES: usize = 16_000 + 1_600;

/// Settings of a transcription.
#[derive(Debug, Clone)]
pub struct Settings {
    /// CPU threads (default: all cores).
    pub threads: usize,
    /// The priming prompt.
    pub initial_prompt: String,
    /// How word times are taken.
    pub timing: Timing,
    /// Encoder context (see [`RunOptions::audio_ctx`]).
    pub audio_ctx: Option<i32>,
    /// Retry badly decoded windows at higher temperatures.
    pub temperature_fallback: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            initial_prompt: fillers::FILLER_PROMPT.to_string(),
            timing: Timing::Dtw,
            audio_ctx: None,
            // Whisper's fallback retries a window at higher temperatures, where it drops the prompt and
            // with it the fillers (measured on the shared speech joined into 90 s: every "um" and all
            // punctuation lost). Repetition loops, the fallback's other job, are cut by `words`.
            temperature_fallback: false,
        }
    }
}

/// A loaded model, ready to transcribe any number of answers.
pub struct Transcriber {
    engine: Engine,
    model: ModelFile,
    settings: Settings,
}

impl Transcriber {
    /// Loads a model by name (`tiny.en`) or path; `None` is the default model. The file is validated
    /// before whisper.cpp sees it.
    pub fn load(model_spec: Option<&str>) -> anyhow::Result<Transcriber> {
        let model = model::locate(model_spec)?;
        Self::load_file(model)
    }

    /// Loads a located model file.
    pub fn load_file(model: ModelFile) -> anyhow::Result<Transcriber> {
        let info = model::ggml::inspect(&model.path)
            .with_context(|| format!("cannot use the model `{}`", model.path.display()))?;
        let arch = Architecture {
            text_layers: info.hparams.n_text_layer,
            vocab: info.hparams.n_vocab,
        };
        let engine = Engine::load(&model.path, arch)?;
        Ok(Transcriber {
            engine,
            model,
            settings: Settings::default(),
        })
    }

    /// Changes the settings (threads, prompt, timing).
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The model's display name.
    pub fn model_name(&self) -> &str {
        &self.model.name
    }

    /// The model file.
    pub fn model_path(&self) -> &PathBuf {
        &self.model.path
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(&self, samples: &[f32]) -> anyhow::Result<Transcript> {
        self.transcribe_with_progress(samples, None)
    }

    /// Transcribes, reporting progress (0 to 100) through `progress`.
    pub fn transcribe_with_progress(
        &self,
        samples: &[f32],
        progress: Option<Box<dyn FnMut(i32)>>,
    ) -> anyhow::Result<Transcript> {
        let duration = samples.len() as f64 / 16_000.0;
        let padded;
        let input = if samples.len() < MIN_SAMPLES {
            padded = [samples, &vec![0.0; MIN_SAMPLES - samples.len()]].concat();
            &padded[..]
        } else {
            samples
        };
        let options = RunOptions {
            initial_prompt: self.settings.initial_prompt.clone(),
            threads: self.settings.threads,
            audio_ctx: self.settings.audio_ctx,
            temperature_fallback: self.settings.temperature_fallback,
        };
        let segments = self.engine.run(input, &options, progress)?;
        let spans = crate::audio::vad::speech_spans(samples);
        let segments = words::drop_non_speech(segments, &spans);
        let mut words = words::segments_to_words(&segments, duration, self.settings.timing);
        words::cut_repetition_loops(&mut words);
        words::snap_to_voice(&mut words, &spans);
        Ok(Transcript::from_words(
            self.model.name.clone(),
            duration,
            words,
        ))
    }
}
