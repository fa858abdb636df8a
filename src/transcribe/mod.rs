//! Speech to text: a loaded Whisper model that turns 16 kHz mono samples into a [`Transcript`] of words
//! with times, probabilities and filler marks.
//!
//! [`whisper`] holds every whisper-rs call; [`words`] turns tokens into words and drops non-speech;
//! [`fillers`] knows the hesitation sounds. Whisper drops "um" and "uh" unless its context shows them,
//! so every run is primed with [`fillers::FILLER_PROMPT`], followed by the text said before it.
//! Whisper can stop before the end of its audio; a run then resumes from the last word while the
//! voice detector hears speech after it ([`resume_point`]). Before any run, silences of more than
//! two seconds are shortened ([`condense`]) and the words' times mapped back through the cuts.

pub mod accuracy;
pub mod condense;
pub mod fillers;
pub mod incremental;
pub mod stretches;
pub mod whisper;
pub mod words;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use crate::audio::vad::Span;
use crate::model::{self, ModelFile};
use crate::transcript::Transcript;
use whisper::{Architecture, Engine, RunOptions};
pub use words::Timing;

/// Audio up to this length is transcribed in one run; longer audio is cut into stretches.
const ONE_WINDOW: usize = 29 * 16_000;

/// Whisper refuses input shorter than a second; shorter answers are padded with silence.
const MIN_SAMPLES: usize = 16_000 + 1_600;

/// The smallest encoder context audio gets, in 20 ms frames (20 s). Measured on the 11 shared
/// speech clips (`tiny.en`, 2 threads): fitting the context to the audio plus 1 s with this floor
/// gave a word error rate of 9.4% against 12.3% with the full window, at 0.62 s a clip against 0.95 s.
/// Lower floors were faster still (0.30 s at 10 s) but lost the fillers of `mfa_uh`, and with no
/// floor clips under 10 s fell into repetition loops (59% WER).
const MIN_PART_CONTEXT: f64 = 1000.0;

/// How one part of a longer answer is transcribed (see [`incremental`]).
#[derive(Debug, Clone, Default)]
pub struct PartOptions {
    /// Set from another thread to abandon the part.
    pub cancel: Option<Arc<AtomicBool>>,
    /// The text said before the part (the previous stretch's words), given to Whisper after the
    /// filler prompt: a stretch that starts cold mishears its first words.
    pub context: String,
}

/// `context` followed by the text of `words`.
fn join_context(context: &str, words: &[crate::transcript::Word]) -> String {
    let mut text = context.to_string();
    for word in words {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&word.text);
    }
    text
}

/// The encoder context for `seconds` of audio: the audio plus 1 s, at least [`MIN_PART_CONTEXT`];
/// `None` (the full window) from 29 s.
pub fn fitted_context(seconds: f64) -> Option<i32> {
    let frames = ((seconds + 1.0) * 50.0).ceil().max(MIN_PART_CONTEXT);
    (frames < 1_500.0).then_some(frames as i32)
}

/// Whisper's CPU threads: `REHEARSE_THREADS` when it is a positive number, else every core but one
/// (one thread on two cores). whisper.cpp's threads spin while they wait for each other, so with as
/// many threads as cores one other busy process stalls them all: on 2 cores beside other work, the
/// live path's wait after a two-minute answer was 10.9 s on 2 threads and 0.50 s on 1 (BENCHMARKS.md,
/// `cargo bench --bench models`). The spare core also serves the recorder, the screen and the
/// sentence model while the candidate speaks.
pub fn default_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    std::env::var("REHEARSE_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| cores.saturating_sub(1).max(1))
}

/// Settings of a transcription.
#[derive(Debug, Clone)]
pub struct Settings {
    /// CPU threads (default: [`default_threads`]).
    pub threads: usize,
    /// The priming prompt.
    pub initial_prompt: String,
    /// How word times are taken.
    pub timing: Timing,
    /// Encoder context (see [`RunOptions::audio_ctx`]); `None` fits it to audio under 29 s
    /// ([`fitted_context`]), so a short answer does not pay for a whole 30 s window.
    pub audio_ctx: Option<i32>,
    /// Retry badly decoded windows at higher temperatures.
    pub temperature_fallback: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threads: default_threads(),
            initial_prompt: fillers::FILLER_PROMPT.to_string(),
            timing: Timing::Dtw,
            audio_ctx: None,
            // Whisper's fallback retries a window that decodes badly at higher temperatures. Every run is
            // now one window of at most 28 s with its own prompt ([`stretches`]), and there the fallback
            // keeps the fillers; without it a stretch of "uh, uh" decoded into a loop and lost every
            // other word (15 s of the live benchmark's answer: 5 words against 31). Over the whole 90 s
            // file, before stretches, the fallback dropped the prompt and lost every "um".
            temperature_fallback: true,
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

    /// Transcribes, reporting progress (0 to 100) through `progress`. Audio longer than a stretch
    /// ([`stretches`]) is cut at pauses and transcribed a stretch at a time.
    pub fn transcribe_with_progress(
        &self,
        samples: &[f32],
        progress: Option<Box<dyn FnMut(i32)>>,
    ) -> anyhow::Result<Transcript> {
        if samples.len() <= ONE_WINDOW {
            return self.run(samples, progress, &PartOptions::default());
        }
        let stretches = stretches::cut_whole(samples, stretches::Policy::default());
        // A long answer is cut at pauses exactly as while recording, so both paths agree.
        let progress = std::rc::Rc::new(std::cell::RefCell::new(progress));
        let total = samples.len().max(1) as f64;
        let mut words = Vec::new();
        let mut previous_text = String::new();
        for (offset, stretch) in &stretches {
            let (offset, length) = (*offset, stretch.len());
            let report = progress.borrow().is_some().then(|| {
                let progress = std::rc::Rc::clone(&progress);
                Box::new(move |p: i32| {
                    let done = (offset as f64 + length as f64 * f64::from(p) / 100.0) / total;
                    if let Some(callback) = progress.borrow_mut().as_mut() {
                        callback((done * 100.0) as i32);
                    }
                }) as Box<dyn FnMut(i32)>
            });
            let options = PartOptions {
                cancel: None,
                context: previous_text,
            };
            let part = self.run(stretch, report, &options)?;
            previous_text = part.text.clone();
            words.extend(incremental::shift(part.words, offset as f64 / 16_000.0));
        }
        Ok(Transcript::from_words(
            self.model.name.clone(),
            samples.len() as f64 / 16_000.0,
            words,
        ))
    }

    /// Transcribes one part of a longer answer; times are relative to the part's first sample.
    pub fn transcribe_part(
        &self,
        samples: &[f32],
        part: &PartOptions,
    ) -> anyhow::Result<Transcript> {
        self.run(samples, None, part)
    }

    fn run(
        &self,
        samples: &[f32],
        progress: Option<Box<dyn FnMut(i32)>>,
        part: &PartOptions,
    ) -> anyhow::Result<Transcript> {
        let duration = samples.len() as f64 / 16_000.0;
        let condensed = condense::condense(samples, &crate::audio::vad::speech_spans(samples));
        let words = self
            .decode_through(&condensed.samples, &condensed.spans, progress, part)?
            .into_iter()
            .map(|mut word| {
                word.start = condensed.to_original(word.start, false);
                word.end = condensed.to_original(word.end, true).max(word.start);
                word
            })
            .collect();
        Ok(Transcript::from_words(
            self.model.name.clone(),
            duration,
            words,
        ))
    }

    /// Every word of `samples` (voice at `spans`): one Whisper run, then more from the last word
    /// while the voice detector hears speech the decoder has not reached.
    fn decode_through(
        &self,
        samples: &[f32],
        spans: &[Span],
        progress: Option<Box<dyn FnMut(i32)>>,
        part: &PartOptions,
    ) -> anyhow::Result<Vec<crate::transcript::Word>> {
        let duration = samples.len() as f64 / 16_000.0;
        let mut words = self.decode(samples, spans, progress, part, &part.context)?;
        // Whisper ends a window when it decodes its end token, and whisper.cpp then skips the rest of
        // the window: speech after that point is lost (the last sentence of an answer, or all of it
        // after a lead-in of silence). Decode again from the last word while voice remains unheard.
        let mut resumed_at = 0.0;
        while let Some(from) = resume_point(spans, words.last().map(|w| w.end), duration) {
            if from < resumed_at + MIN_RESUME_PROGRESS {
                break; // the same audio again would decode the same way
            }
            resumed_at = from;
            let first = ((from * 16_000.0) as usize).min(samples.len());
            let rest: Vec<Span> = spans
                .iter()
                .filter(|s| s.end > from)
                .map(|s| Span {
                    start: (s.start - from).max(0.0),
                    end: s.end - from,
                })
                .collect();
            // The words so far are the resumed run's context, as a stretch's are for the next one:
            // without them it starts cold and mishears its first words.
            let context = join_context(&part.context, &words);
            let more = self.decode(&samples[first..], &rest, None, part, &context)?;
            if more.is_empty() {
                break;
            }
            let last_end = words.last().map_or(0.0, |w| w.end);
            words.extend(
                incremental::shift(more, from)
                    .into_iter()
                    .filter(|w| w.start >= last_end - 1e-6),
            );
        }
        Ok(words)
    }

    /// One Whisper run over `samples` (voice detected at `spans`, in the same time base): its words,
    /// with non-speech segments and decoding loops removed and starts moved out of silence.
    fn decode(
        &self,
        samples: &[f32],
        spans: &[Span],
        progress: Option<Box<dyn FnMut(i32)>>,
        part: &PartOptions,
        context: &str,
    ) -> anyhow::Result<Vec<crate::transcript::Word>> {
        let duration = samples.len() as f64 / 16_000.0;
        let padded;
        let input = if samples.len() < MIN_SAMPLES {
            padded = [samples, &vec![0.0; MIN_SAMPLES - samples.len()]].concat();
            &padded[..]
        } else {
            samples
        };
        let options = RunOptions {
            initial_prompt: self.engine.prompt(&self.settings.initial_prompt, context),
            threads: self.settings.threads,
            audio_ctx: self.settings.audio_ctx.or_else(|| fitted_context(duration)),
            temperature_fallback: self.settings.temperature_fallback,
            cancel: part.cancel.clone(),
        };
        let segments = self.engine.run(input, &options, progress)?;
        let segments = words::drop_non_speech(segments, spans);
        let mut words = words::segments_to_words(&segments, duration, self.settings.timing);
        words::cut_repetition_loops(&mut words);
        words::snap_to_voice(&mut words, spans);
        Ok(words)
    }
}

/// Voice the decoder has not reached yet that is worth another run: at least this many seconds...
const RESUME_MIN_VOICE: f64 = 0.5;
/// ...in at least this much audio after the last word.
const RESUME_MIN_AUDIO: f64 = 1.5;
/// Silence kept before the voice a resumed run starts on.
const RESUME_LEAD: f64 = 0.5;
/// A resumed run must start at least this much later than the one before it.
const MIN_RESUME_PROGRESS: f64 = 0.25;

/// Where to decode again when Whisper stopped early: after the last word (`None`: no word at all),
/// when the voice detector hears at least [`RESUME_MIN_VOICE`] of voice after it and at least
/// [`RESUME_MIN_AUDIO`] of audio remains. The run starts at most [`RESUME_LEAD`] before the next
/// voice, so a long pause is not decoded again (silence is where Whisper gives up).
pub fn resume_point(spans: &[Span], last_word_end: Option<f64>, duration: f64) -> Option<f64> {
    let from = last_word_end.unwrap_or(0.0);
    if duration - from < RESUME_MIN_AUDIO {
        return None;
    }
    let after: Vec<&Span> = spans.iter().filter(|s| s.end > from).collect();
    let voice: f64 = after.iter().map(|s| s.end - s.start.max(from)).sum();
    if voice < RESUME_MIN_VOICE {
        return None;
    }
    let onset = after.first().map_or(from, |s| s.start.max(from));
    Some(from.max(onset - RESUME_LEAD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_audio_gets_its_length_plus_a_second_with_a_twenty_second_floor() {
        assert_eq!(fitted_context(2.0), Some(1_000));
        assert_eq!(fitted_context(19.0), Some(1_000));
        assert_eq!(fitted_context(20.5), Some(1_075));
        assert_eq!(fitted_context(29.0), None);
        assert_eq!(fitted_context(120.0), None);
    }

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    #[test]
    fn unheard_voice_after_the_last_word_is_decoded_again() {
        let spans = [span(0.1, 1.2), span(1.5, 16.6)];
        // Whisper stopped at 14.0 s with 2.6 s of voice left: resume there.
        assert_eq!(resume_point(&spans, Some(14.0), 17.0), Some(14.0));
        // Nothing decoded after a 2.3 s lead-in: resume half a second before the voice.
        let lead = [span(2.4, 20.0)];
        assert_eq!(resume_point(&lead, None, 22.0), Some(1.9));
        // The last word reached the end of the voice, or too little audio is left.
        assert_eq!(resume_point(&spans, Some(16.4), 30.0), None);
        assert_eq!(resume_point(&spans, Some(15.8), 17.0), None);
        // A long pause before more voice is skipped, not decoded again.
        let pause = [span(0.0, 5.0), span(12.0, 15.0)];
        assert_eq!(resume_point(&pause, Some(5.0), 16.0), Some(11.5));
    }
}
