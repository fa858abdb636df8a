//! Turning whisper's tokens into words with times, and dropping what is not speech.
//!
//! Whisper's tokens are pieces of words; a token that begins with a space starts a new word and
//! punctuation joins the word before it. Times come from the tokens' DTW alignment (or timestamps),
//! and each word starts at the voice onset the detector heard for it ([`crate::audio::vad`]). Segments
//! where the detector hears no voice are dropped, which removes Whisper's habit of inventing
//! "Thank you." over silence or noise; decoding loops are cut.

use super::fillers;
use super::whisper::{RawSegment, RawToken};
use crate::audio::vad::Span;
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
///
/// With [`Timing::Dtw`], a token's DTW time marks where the token ends (measured against forced
/// alignments), so a word ends at its last spoken token's DTW time and starts where the word before
/// it ended; [`snap_to_voice`] then moves starts past any silence.
pub fn segments_to_words(segments: &[RawSegment], duration: f64, timing: Timing) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for segment in segments {
        let mut built: Vec<WordBuilder> = Vec::new();
        for token in &segment.tokens {
            let is_punctuation = token.text.trim().chars().all(|c| !c.is_alphanumeric());
            let starts_word = token.text.starts_with(' ') || built.is_empty();
            match built.last_mut() {
                Some(current) if !starts_word || is_punctuation => {
                    current.push(token, is_punctuation)
                }
                _ => built.push(WordBuilder::new(token)),
            }
        }
        let mut previous_end = segment.start;
        for builder in built {
            let dtw_end = builder.dtw_end;
            if let Some(mut word) = builder.finish() {
                if let (Timing::Dtw, Some(end)) = (timing, dtw_end) {
                    word.start = previous_end.min(end);
                    word.end = end;
                    previous_end = end;
                }
                words.push(word);
            }
        }
    }
    make_monotone(&mut words, duration);
    words
}

struct WordBuilder {
    text: String,
    start: f64,
    end: f64,
    dtw_end: Option<f64>,
    probability_sum: f32,
    tokens: u32,
}

impl WordBuilder {
    fn new(token: &RawToken) -> Self {
        WordBuilder {
            text: token.text.trim_start().to_string(),
            start: token.start,
            end: token.end,
            dtw_end: token.dtw,
            probability_sum: token.probability,
            tokens: 1,
        }
    }

    fn push(&mut self, token: &RawToken, is_punctuation: bool) {
        self.text.push_str(&token.text);
        if !is_punctuation {
            self.end = self.end.max(token.end);
            self.dtw_end = token.dtw.or(self.dtw_end);
            self.probability_sum += token.probability;
            self.tokens += 1;
        }
    }

    fn finish(self) -> Option<Word> {
        let text = self.text.trim().to_string();
        // Bracketed annotations such as "[BLANK_AUDIO]" or "(music)" are not words anyone said.
        let bracketed = (text.starts_with('[') && text.ends_with(']'))
            || (text.starts_with('(') && text.ends_with(')'));
        if text.is_empty() || bracketed || !text.chars().any(char::is_alphanumeric) {
            return None;
        }
        Some(Word {
            filler: fillers::is_filler(&text),
            text,
            start: self.start,
            end: self.end.max(self.start),
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

/// Starts words at the voice onset the detector heard for them. Whisper's times mark where a word
/// ends; its start is taken as the previous word's end, so a pause before a word (or the silence
/// before a segment's first word) was counted inside the word ("I" from 0.88 to 7.04 s). When a
/// voice span begins after a word's start and before its end, the word starts there: the last such
/// onset, since the spans bridge the gaps inside words and a word holds no pause of its own.
/// Ends are left as they are.
pub fn snap_to_voice(words: &mut [Word], spans: &[Span]) {
    for word in words.iter_mut() {
        if let Some(span) = spans
            .iter()
            .rev()
            .find(|s| s.start > word.start + SNAP_TOLERANCE && s.start < word.end - MIN_VOICED)
        {
            word.start = span.start;
        }
    }
}

/// Whisper sometimes loops, writing the same word or phrase over and over. People do repeat
/// themselves ("words, words, words"), so only a run of more than [`MAX_REPEATS`] repetitions of a
/// phrase of one to four words is cut back to its first repetitions.
pub fn cut_repetition_loops(words: &mut Vec<Word>) {
    let key = |w: &Word| fillers::normalize(&w.text);
    let mut i = 0;
    while i < words.len() {
        let mut cut = false;
        for len in 1..=4 {
            let mut repeats = 1;
            while i + (repeats + 1) * len <= words.len()
                && (0..len).all(|k| key(&words[i + k]) == key(&words[i + repeats * len + k]))
            {
                repeats += 1;
            }
            if repeats > MAX_REPEATS {
                words.drain(i + MAX_REPEATS * len..i + repeats * len);
                cut = true;
                break;
            }
        }
        if !cut {
            i += 1;
        }
    }
}

/// Repetitions of a phrase that are kept as speech; more are a decoding loop.
const MAX_REPEATS: usize = 5;

/// How far before a span's start a word may begin and still count as in it (detector onset lag).
const SNAP_TOLERANCE: f64 = 0.05;

/// The least of a word that must follow the onset it is moved to: a span that starts in the last
/// moment of a word belongs to the next word.
const MIN_VOICED: f64 = 0.06;

/// Keeps the segments that hold speech: drops those where the voice detector hears none (silence,
/// steady noise: where Whisper invents "Thank you."), and those whisper itself is confident hold no
/// speech while their words are unsure.
pub fn drop_non_speech(segments: Vec<RawSegment>, spans: &[Span]) -> Vec<RawSegment> {
    segments
        .into_iter()
        .filter(|segment| {
            let mean_probability = if segment.tokens.is_empty() {
                0.0
            } else {
                segment.tokens.iter().map(|t| t.probability).sum::<f32>()
                    / segment.tokens.len() as f32
            };
            let whisper_says_silence =
                segment.no_speech_probability > 0.8 && mean_probability < 0.5;
            let voiced = spans
                .iter()
                .any(|s| s.start < segment.end && s.end > segment.start);
            voiced && !whisper_says_silence
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str, start: f64, end: f64) -> RawToken {
        RawToken {
            text: text.into(),
            start,
            end,
            dtw: None,
            probability: 0.9,
        }
    }

    fn segment(tokens: Vec<RawToken>) -> RawSegment {
        RawSegment {
            start: 0.0,
            end: 10.0,
            tokens,
            no_speech_probability: 0.0,
        }
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
        let seg = segment(vec![
            token(" a", 2.0, 2.5),
            token(" b", 1.5, 3.0),
            token(" c", 4.0, 12.0),
        ]);
        let words = segments_to_words(&[seg], 5.0, Timing::Timestamps);
        for pair in words.windows(2) {
            assert!(pair[0].start <= pair[1].start && pair[0].end <= pair[1].start + 1e-9);
        }
        assert!(words.iter().all(|w| w.start <= w.end && w.end <= 5.0));
    }

    #[test]
    fn annotations_are_not_words() {
        let seg = segment(vec![
            token(" [", 0.0, 0.1),
            token("BLANK_AUDIO", 0.1, 0.5),
            token("]", 0.5, 0.6),
        ]);
        assert!(segments_to_words(&[seg], 1.0, Timing::Timestamps).is_empty());
    }

    #[test]
    fn a_start_in_silence_moves_to_the_voice_onset() {
        let mut words = vec![
            Word {
                text: "This".into(),
                start: 0.0,
                end: 1.2,
                probability: 0.9,
                filler: false,
            },
            Word {
                text: "is".into(),
                start: 1.2,
                end: 1.4,
                probability: 0.9,
                filler: false,
            },
        ];
        snap_to_voice(
            &mut words,
            &[Span {
                start: 1.05,
                end: 3.0,
            }],
        );
        assert_eq!((words[0].start, words[0].end), (1.05, 1.2));
        assert_eq!(words[1].start, 1.2, "a start inside speech stays");
    }

    #[test]
    fn a_pause_before_a_word_is_not_counted_in_it() {
        // "I" decoded from the end of "Yes" (0.88 s) to 7.04 s, over a pause with a noise burst in
        // it; the word's own voice starts at 6.8 s.
        let word = |text: &str, start: f64, end: f64| Word {
            text: text.into(),
            start,
            end,
            probability: 0.9,
            filler: false,
        };
        let mut words = vec![
            word("Yes,", 0.3, 0.88),
            word("I", 0.88, 7.04),
            word("did", 7.04, 7.3),
        ];
        let spans = [
            Span {
                start: 0.3,
                end: 0.9,
            },
            Span {
                start: 3.0,
                end: 3.4,
            },
            Span {
                start: 6.8,
                end: 7.5,
            },
            Span {
                start: 7.27,
                end: 8.0,
            },
        ];
        snap_to_voice(&mut words, &spans);
        assert_eq!(words[0].start, 0.3);
        assert_eq!(
            words[1].start, 6.8,
            "the pause ends where the voice of the word begins"
        );
        assert_eq!(
            words[2].start, 7.04,
            "an onset in a word's last moment is not its start"
        );
    }

    #[test]
    fn decoding_loops_are_cut_but_human_repetition_stays() {
        let make = |text: &str| -> Vec<Word> {
            text.split(' ')
                .enumerate()
                .map(|(i, t)| Word {
                    text: t.into(),
                    start: i as f64,
                    end: i as f64 + 0.5,
                    probability: 0.9,
                    filler: false,
                })
                .collect()
        };
        let mut human = make("words, words, words, words. Um, and");
        let before = human.len();
        cut_repetition_loops(&mut human);
        assert_eq!(human.len(), before);
        let mut looped = make(
            "I said thank you thank you thank you thank you thank you thank you thank you thank you so",
        );
        cut_repetition_loops(&mut looped);
        let text: Vec<&str> = looped.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            text.join(" "),
            "I said thank you thank you thank you thank you thank you so"
        );
    }

    #[test]
    fn segments_without_voice_are_dropped() {
        let seg = |start: f64, end: f64| RawSegment {
            start,
            end,
            tokens: vec![token(" Thank", start, end)],
            no_speech_probability: 0.1,
        };
        let kept = drop_non_speech(
            vec![seg(0.0, 2.0), seg(2.0, 4.0)],
            &[Span {
                start: 0.5,
                end: 1.5,
            }],
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].start, 0.0);
    }
}
