//! Turning whisper's tokens into words with times, and dropping what is not speech.
//!
//! Whisper's tokens are pieces of words; a token that begins with a space starts a new word and
//! punctuation joins the word before it. A word's start is its first token's time and its end the
//! last token's. Segments that the signal itself shows to be silence or steady noise are dropped, which
//! removes Whisper's habit of inventing "Thank you." over silence.

use super::fillers;
use super::whisper::{RawSegment, RawToken};
use crate::transcript::Word;

/// How word times are taken from tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// The timestamp decoder's `t0`/`t1` per token.
    Timestamps,
    /// Dynamic time warping over the alignment heads for starts, where available.
    Dtw,
}

/// Joins the tokens of kept segments into words, with monotone times inside `0..=duration`.
pub fn segments_to_words(segments: &[RawSegment], duration: f64, timing: Timing) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for segment in segments {
        let mut current: Option<WordBuilder> = None;
        for token in &segment.tokens {
            let starts_word = token.text.starts_with(' ') || current.is_none();
            let is_punctuation = token.text.trim().chars().all(|c| !c.is_alphanumeric());
            if starts_word && !(is_punctuation && current.is_some()) {
                if let Some(builder) = current.take() {
                    words.extend(builder.finish(timing));
                }
                current = Some(WordBuilder::new(token));
            } else if let Some(builder) = current.as_mut() {
                builder.push(token);
            }
        }
        if let Some(builder) = current.take() {
            words.extend(builder.finish(timing));
        }
    }
    make_monotone(&mut words, duration);
    words
}

struct WordBuilder {
    text: String,
    start: f64,
    end: f64,
    dtw_start: Option<f64>,
    probability_sum: f32,
    tokens: u32,
}

impl WordBuilder {
    fn new(token: &RawToken) -> Self {
        WordBuilder {
            text: token.text.trim_start().to_string(),
            start: token.start,
            end: token.end,
            dtw_start: token.dtw,
            probability_sum: token.probability,
            tokens: 1,
        }
    }

    fn push(&mut self, token: &RawToken) {
        self.text.push_str(&token.text);
        self.end = self.end.max(token.end);
        self.probability_sum += token.probability;
        self.tokens += 1;
    }

    fn finish(self, timing: Timing) -> Option<Word> {
        let text = self.text.trim().to_string();
        // Bracketed annotations such as "[BLANK_AUDIO]" or "(music)" are not words anyone said.
        let bracketed = (text.starts_with('[') && text.ends_with(']'))
            || (text.starts_with('(') && text.ends_with(')'));
        if text.is_empty() || bracketed || !text.chars().any(char::is_alphanumeric) {
            return None;
        }
        let start = match (timing, self.dtw_start) {
            (Timing::Dtw, Some(dtw)) if dtw <= self.end => dtw,
            _ => self.start,
        };
        Some(Word {
            filler: fillers::is_filler(&text),
            text,
            start,
            end: self.end.max(start),
            probability: self.probability_sum / self.tokens as f32,
        })
    }
}

/// Clamps times into the audio and makes starts non-decreasing, ends at or after starts.
fn make_monotone(words: &mut [Word], duration: f64) {
    let mut last_start = 0.0f64;
    for word in words.iter_mut() {
        word.start = word.start.clamp(last_start, duration.max(0.0));
        word.end = word.end.clamp(word.start, duration.max(0.0));
        last_start = word.start;
    }
    // An end may not run past the next word's start.
    for i in 1..words.len() {
        let next_start = words[i].start;
        if words[i - 1].end > next_start {
            words[i - 1].end = next_start.max(words[i - 1].start);
        }
    }
}

/// Frame energies of the signal, for telling speech from silence and steady noise.
pub struct EnergyProfile {
    frame_rms: Vec<f32>,
    threshold: f32,
}

/// 30 ms frames at 16 kHz.
const FRAME: usize = 480;

impl EnergyProfile {
    /// Measures the signal: a frame counts as possible speech when it stands clearly above the
    /// recording's own quiet floor (the 10th percentile of frame levels) and above near-silence.
    pub fn new(samples: &[f32]) -> Self {
        let frame_rms: Vec<f32> = samples
            .chunks(FRAME)
            .map(|frame| (frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32).sqrt())
            .collect();
        let mut sorted = frame_rms.clone();
        sorted.sort_by(f32::total_cmp);
        let floor = sorted.get(sorted.len() / 10).copied().unwrap_or(0.0);
        let threshold = (floor * 3.0).max(0.002);
        EnergyProfile { frame_rms, threshold }
    }

    /// True when any frame between `start` and `end` seconds rises above the speech threshold.
    pub fn has_voice_between(&self, start: f64, end: f64) -> bool {
        let first = ((start.max(0.0) * 16_000.0) as usize) / FRAME;
        let last = (((end.max(start) * 16_000.0) as usize) / FRAME + 1).min(self.frame_rms.len());
        self.frame_rms.get(first..last).is_some_and(|frames| frames.iter().any(|rms| *rms > self.threshold))
    }
}

/// Keeps the segments that hold speech: drops those over silence or steady noise, and those whisper
/// itself is confident hold no speech while their words are unsure.
pub fn drop_non_speech(segments: Vec<RawSegment>, samples: &[f32]) -> Vec<RawSegment> {
    let energy = EnergyProfile::new(samples);
    segments
        .into_iter()
        .filter(|segment| {
            let mean_probability = if segment.tokens.is_empty() {
                0.0
            } else {
                segment.tokens.iter().map(|t| t.probability).sum::<f32>() / segment.tokens.len() as f32
            };
            let whisper_says_silence = segment.no_speech_probability > 0.8 && mean_probability < 0.5;
            energy.has_voice_between(segment.start, segment.end) && !whisper_says_silence
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str, start: f64, end: f64) -> RawToken {
        RawToken { text: text.into(), start, end, dtw: None, probability: 0.9 }
    }

    fn segment(tokens: Vec<RawToken>) -> RawSegment {
        RawSegment { start: 0.0, end: 10.0, tokens, no_speech_probability: 0.0 }
    }

    #[test]
    fn joins_pieces_and_punctuation_into_words() {
        let seg = segment(vec![
            token(" Um", 0.0, 0.3),
            token(",", 0.3, 0.3),
            token(" I", 0.5, 0.6),
            token(" fail", 0.6, 0.8),
            token("ed", 0.8, 1.0),
            token(".", 1.0, 1.0),
        ]);
        let words = segments_to_words(&[seg], 10.0, Timing::Timestamps);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Um,", "I", "failed."]);
        assert!(words[0].filler && !words[2].filler);
        assert_eq!((words[2].start, words[2].end), (0.6, 1.0));
    }

    #[test]
    fn times_are_monotone_and_inside_the_audio() {
        let seg = segment(vec![token(" a", 2.0, 2.5), token(" b", 1.5, 3.0), token(" c", 4.0, 12.0)]);
        let words = segments_to_words(&[seg], 5.0, Timing::Timestamps);
        for pair in words.windows(2) {
            assert!(pair[0].start <= pair[1].start && pair[0].end <= pair[1].start + 1e-9);
        }
        assert!(words.iter().all(|w| w.start <= w.end && w.end <= 5.0));
    }

    #[test]
    fn annotations_are_not_words() {
        let seg = segment(vec![token(" [", 0.0, 0.1), token("BLANK_AUDIO", 0.1, 0.5), token("]", 0.5, 0.6)]);
        assert!(segments_to_words(&[seg], 1.0, Timing::Timestamps).is_empty());
    }

    #[test]
    fn silence_and_steady_noise_hold_no_voice() {
        let silence = vec![0.0f32; 16_000 * 3];
        assert!(!EnergyProfile::new(&silence).has_voice_between(0.0, 3.0));
        // Deterministic white-ish noise at a steady level.
        let mut state = 12345u32;
        let noise: Vec<f32> = (0..16_000 * 3)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 * 0.2 - 0.1
            })
            .collect();
        assert!(!EnergyProfile::new(&noise).has_voice_between(0.0, 3.0));
        // A burst well above the floor counts.
        let mut burst = silence.clone();
        for (i, sample) in burst[16_000..20_000].iter_mut().enumerate() {
            *sample = (i as f32 * 0.1).sin() * 0.3;
        }
        let profile = EnergyProfile::new(&burst);
        assert!(profile.has_voice_between(0.9, 1.3));
        assert!(!profile.has_voice_between(2.0, 3.0));
    }
}
