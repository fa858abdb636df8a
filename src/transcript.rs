//! The transcript of one answer: words with times, probabilities and filler marks.
//!
//! This is the hand-over between speech to text and everything after it (analysis, storage, review),
//! so it holds plain data only and serialises to the JSON shape that `rehearse transcribe --json`
//! promises.

use serde::{Deserialize, Serialize};

/// One spoken word, with times in seconds from the start of the audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as written, with its punctuation (`"failed,"`), without leading space.
    pub text: String,
    /// Start time in seconds from the start of the audio.
    pub start: f64,
    /// End time in seconds from the start of the audio.
    pub end: f64,
    /// The model's confidence in the word, 0 to 1 (the mean of its tokens' probabilities).
    pub probability: f32,
    /// Whether the word is a hesitation sound: um, uh, er, ah, hmm and their spellings.
    pub filler: bool,
}

/// A whole transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The model that produced it (`tiny.en`, or the file name of a model given by path).
    pub model: String,
    /// Length of the audio in seconds.
    pub duration_seconds: f64,
    /// The words joined with spaces.
    pub text: String,
    /// The words in order; times are monotone and inside `0..=duration_seconds`.
    pub words: Vec<Word>,
}

impl Transcript {
    /// Builds a transcript from words, deriving `text` from them.
    pub fn from_words(model: impl Into<String>, duration_seconds: f64, words: Vec<Word>) -> Self {
        let text = join_words(&words);
        Transcript {
            model: model.into(),
            duration_seconds,
            text,
            words,
        }
    }
}

/// Joins words into running text with single spaces.
pub fn join_words(words: &[Word]) -> String {
    let mut text = String::new();
    for word in words {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&word.text);
    }
    text
}
