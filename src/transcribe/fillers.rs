//! Which transcribed words are hesitation sounds (um, uh, er, ah, hmm and their spellings).
//!
//! Only sounds that are never content words are marked here. Words that are fillers only in some
//! contexts ("like", "you know", "so") are judged by the analysis, which sees the sentence.

/// Spellings Whisper uses for hesitation sounds, lower case, without punctuation.
const FILLER_SOUNDS: &[&str] = &[
    "um", "umm", "ummm", "uhm", "uh", "uhh", "uhhh", "er", "erm", "err", "ah", "ahh", "hmm", "hm",
    "hmmm", "mm", "mmm", "eh",
];

/// The word reduced for comparison: lower case, letters and inner apostrophes only.
pub fn normalize(word: &str) -> String {
    let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
    trimmed
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when the word is a hesitation sound.
pub fn is_filler(word: &str) -> bool {
    let normalized = normalize(word);
    FILLER_SOUNDS.contains(&normalized.as_str())
}

/// The initial prompt that keeps Whisper from cleaning fillers out of its transcript. Short on purpose:
/// long prompts, and prompts that open with "I'm", are reported to make the decoder loop.
pub const FILLER_PROMPT: &str = "Um, uh, hmm, er, ah.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_hesitation_sounds_with_punctuation_and_case() {
        for word in ["um", "Um,", "uh.", "UHH", "hmm...", "er", "Ah,"] {
            assert!(is_filler(word), "{word}");
        }
    }

    #[test]
    fn leaves_content_words_alone() {
        for word in [
            "umbrella", "like", "so", "her", "a", "I", "error", "ahead", "you",
        ] {
            assert!(!is_filler(word), "{word}");
        }
    }
}
