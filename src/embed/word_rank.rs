//! `WordRanks`: how common an English word is, read from the sentence model's own vocabulary. BERT's
//! WordPiece vocabulary lists its whole words from the most frequent in its training text (English
//! Wikipedia and books) down: "the" first, then "of", "and"... So a word's place in that list is
//! its frequency rank in general English, and a word the list lacks is rarer than all of them. The
//! job advert's key terms ([`crate::selection::job`]) are weighed against this baseline.

use std::collections::HashMap;
use std::path::Path;

use super::EmbedError;

/// Frequency ranks of English words (1 = most common).
#[derive(Debug, Clone)]
pub struct WordRanks {
    ranks: HashMap<String, usize>,
}

impl WordRanks {
    /// Ranks from a `tokenizer.json`: its whole words from "the" on, in id order (the entries before
    /// are padding, unused slots and single characters).
    pub fn load(tokenizer: &Path) -> Result<Self, EmbedError> {
        let mut words = super::tokenizer::whole_words(tokenizer)?;
        words.sort_by_key(|(_, id)| *id);
        let first = words.iter().position(|(w, _)| w == "the").unwrap_or(0);
        let ranks = words[first..]
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.clone(), i + 1))
            .collect();
        Ok(WordRanks { ranks })
    }

    /// Ranks from the installed sentence model's tokenizer.
    pub fn load_default() -> Result<Self, EmbedError> {
        Self::load(&super::Embedder::default_dir().join("tokenizer.json"))
    }

    /// Ranks from a list of words, most common first (for tests).
    pub fn from_words(words: &[&str]) -> Self {
        WordRanks {
            ranks: words
                .iter()
                .enumerate()
                .map(|(i, w)| ((*w).to_string(), i + 1))
                .collect(),
        }
    }

    /// The rank of a lower-case word, or `None` when the vocabulary lacks it (rarer than any).
    pub fn rank(&self, word: &str) -> Option<usize> {
        self.ranks.get(word).copied()
    }

    /// How many words are ranked.
    pub fn len(&self) -> usize {
        self.ranks.len()
    }

    /// Whether no word is ranked.
    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installed_vocabulary_ranks_common_words_first() {
        let Ok(ranks) = WordRanks::load_default() else {
            panic!("the sentence model is not installed; run `make test` (scripts/setup.sh)");
        };
        assert_eq!(ranks.rank("the"), Some(1));
        let (of, medication) = (ranks.rank("of").unwrap(), ranks.rank("medication").unwrap());
        assert!(of < 5 && medication > 5_000, "{of} {medication}");
        assert!(ranks.rank("team").unwrap() < ranks.rank("stakeholders").unwrap());
        assert_eq!(ranks.rank("kubernetes"), None);
        assert!(ranks.len() > 20_000);
    }
}
