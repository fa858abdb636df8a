//! The reading layer: an answer split into clauses (`analysis::text`), and each clause tagged with
//! what it does in the story (`tags`): a setback, the speaker's own cause, blame put on others, a
//! lesson, a later result, a severe matter, a personal disclosure, the setting...
//!
//! The tags of the story come from a model of meaning ([`tagger`]: sentence embeddings of the clause
//! and its neighbours, with small linear classifiers trained on labelled clauses, and the lexicon's
//! hits as extra features); the STAR checks' tags come from the lexicon ([`rules`]). The rubric
//! (`analysis::rubric`) then combines tags into verdicts.

pub mod rules;
pub mod tagger;
pub mod tags;

use super::rubric::Tagged;
use super::text::Doc;
pub use rules::RuleTags;
pub use tagger::{Design, Embedded, Tagger};

/// Turns sentences into unit-length embeddings. The real one is the MiniLM sentence model
/// (`crate::embed`); tests may use any other.
pub trait Encoder: Send + Sync {
    /// One vector per text: its unit-length embedding, possibly followed by more features for the
    /// tagger (see [`meaning`]).
    fn encode(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>>;
}

/// The part of an encoder's vector that compares meanings (its first [`crate::embed::DIM`]
/// numbers): what talking points and job adverts are matched with.
pub fn meaning(vector: &[f32]) -> &[f32] {
    &vector[..vector.len().min(crate::embed::DIM)]
}

/// One clause as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseReading {
    /// The speaker's words of the clause (fillers left out), as embedded.
    pub text: String,
    /// The tags it carries.
    pub tags: Vec<&'static str>,
    /// The tagger's probability for each model tag it considered (empty for the rules-only design).
    pub scores: Vec<(&'static str, f32)>,
}

/// An answer as read: one entry per clause of the document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    /// The clauses, in order.
    pub clauses: Vec<ClauseReading>,
}

impl Tagged for Reading {
    fn clauses_with(&self, tag: &str) -> Vec<usize> {
        (0..self.clauses.len())
            .filter(|&i| self.clauses[i].tags.contains(&tag))
            .collect()
    }
}

/// The words of each clause to embed: the source words of its content tokens, fillers and repeats
/// left out, outer punctuation trimmed.
pub fn clause_texts(doc: &Doc) -> Vec<String> {
    doc.clauses
        .iter()
        .map(|clause| {
            let mut words: Vec<usize> = clause.tokens.iter().map(|&t| doc.tokens[t].word).collect();
            words.dedup();
            let text = words
                .iter()
                .map(|&w| doc.words[w].text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            text.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '"')
                .to_string()
        })
        .collect()
}

impl Encoder for crate::embed::Embedder {
    /// The base embedding, then the tuned one (`Embedder::embed_for_reading`): talking points
    /// compare the first [`crate::embed::DIM`] numbers, the tagger reads all of them.
    fn encode(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        Ok(self.embed_for_reading(texts)?)
    }
}

/// The words of each sentence (its clauses' words joined), and for each clause the index of its
/// sentence in that list.
pub fn sentence_texts(doc: &Doc) -> (Vec<String>, Vec<usize>) {
    let clauses = clause_texts(doc);
    let mut sentences: Vec<String> = Vec::new();
    let mut of_clause = Vec::with_capacity(clauses.len());
    let mut last = None;
    for (clause, text) in doc.clauses.iter().zip(&clauses) {
        if last == Some(clause.sentence) {
            if let Some(s) = sentences.last_mut() {
                s.push(' ');
                s.push_str(text);
            }
        } else {
            sentences.push(text.clone());
            last = Some(clause.sentence);
        }
        of_clause.push(sentences.len() - 1);
    }
    (sentences, of_clause)
}
