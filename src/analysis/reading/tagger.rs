//! The tagger: one linear classifier per model tag over a clause's features (its sentence embedding,
//! base and tuned by the reading adapters (`crate::embed`), its neighbours' and the whole answer's,
//! and optionally the lexicon's hits and the clause's tense flags). The weights are trained by `examples/train_tagger.rs` on the labelled clauses of
//! `tests/answers/real/` (training split only) and shipped in `models/tagger.json`.

use serde::{Deserialize, Serialize};

use super::rules::RuleTags;
use super::tags::{self, SETTINGS, Source};
use super::{ClauseReading, Reading, clause_texts};
use crate::analysis::text::Doc;

/// The tagger file shipped with the binary.
pub const SHIPPED: &str = include_str!("../../../models/tagger.json");

/// Which features the tags are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// The lexicon alone: the rules' tags are the tags.
    Lexicon,
    /// Sentence embeddings of the clause, its neighbours and the answer.
    Model,
    /// The embeddings plus the lexicon's hits and the clause's tense flags.
    ModelRules,
}

impl Design {
    /// Whether the design reads embeddings.
    pub fn uses_model(self) -> bool {
        self != Design::Lexicon
    }

    /// Whether the design's features include the rules' tags.
    pub fn uses_rules(self) -> bool {
        self != Design::Model
    }

    /// A few words for logs.
    pub fn describe(self) -> &'static str {
        match self {
            Design::Lexicon => "the lexicon",
            Design::Model => "the sentence model",
            Design::ModelRules => "the sentence model and the lexicon",
        }
    }
}

/// How a tag's classifier and the lexicon's hits combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// The classifier alone.
    #[default]
    Model,
    /// The classifier, or the lexicon where it found the tag.
    Either,
}

/// The embeddings an answer is read from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Embedded {
    /// One per clause.
    pub clauses: Vec<Vec<f32>>,
    /// One per sentence.
    pub sentences: Vec<Vec<f32>>,
    /// The sentence of each clause (an index into `sentences`).
    pub sentence_of: Vec<usize>,
}

/// One tag's classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagModel {
    /// The tag.
    pub name: String,
    /// One weight per feature.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
    /// Probability at or above which a clause carries the tag.
    pub threshold: f32,
    /// Whether the lexicon's hits also count.
    #[serde(default)]
    pub combine: Combine,
}

/// The trained tagger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tagger {
    /// The features it reads.
    pub design: Design,
    /// The sentence model its embeddings come from (name and weights' SHA-256).
    pub encoder: String,
    /// The length of a clause embedding.
    pub dim: usize,
    /// One classifier per model tag (empty for the lexicon design).
    pub tags: Vec<TagModel>,
    /// What it was trained on, for the record.
    #[serde(default)]
    pub trained_on: String,
}

/// Why a tagger file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    /// Not the JSON shape.
    #[error("the tagger file does not parse: {0}")]
    Parse(#[from] serde_json::Error),
    /// Weights that do not fit the features.
    #[error(
        "the tagger file is inconsistent: {0}; retrain it with `cargo run --release --example train_tagger`"
    )]
    Shape(String),
}

/// Number of extra features besides embeddings: a rule hit per model tag, then the clause flags.
pub fn extra_len() -> usize {
    tags::model_tags().count() + FLAGS
}

const FLAGS: usize = 6;

/// Clauses shorter than this carry no tags from the classifiers (the lexicon's still count).
const MIN_MODEL_TOKENS: usize = 2;

/// The length of a clause's feature vector.
pub fn feature_len(design: Design, dim: usize) -> usize {
    match design {
        Design::Lexicon => 0,
        Design::Model => 5 * dim,
        Design::ModelRules => 5 * dim + extra_len(),
    }
}

/// The features of every clause: its embedding, its sentence's, the previous and next clauses'
/// (zeros at the ends), the mean of the answer's clauses, then (with rules) the rules' tags and the
/// clause's flags.
pub fn features(design: Design, doc: &Doc, embedded: &Embedded, rules: &RuleTags) -> Vec<Vec<f32>> {
    let embeddings = &embedded.clauses;
    let n = doc.clauses.len();
    let dim = embeddings.first().map_or(0, Vec::len);
    let mut mean = vec![0.0f32; dim];
    for e in embeddings {
        for (m, v) in mean.iter_mut().zip(e) {
            *m += v / n as f32;
        }
    }
    let zeros = vec![0.0f32; dim];
    let model_tags: Vec<&str> = tags::model_tags().map(|t| t.name).collect();
    (0..n)
        .map(|i| {
            let mut x = Vec::with_capacity(feature_len(design, dim));
            x.extend_from_slice(&embeddings[i]);
            let sentence = embedded
                .sentence_of
                .get(i)
                .and_then(|&s| embedded.sentences.get(s));
            x.extend_from_slice(sentence.unwrap_or(&zeros));
            x.extend_from_slice(if i > 0 { &embeddings[i - 1] } else { &zeros });
            x.extend_from_slice(embeddings.get(i + 1).unwrap_or(&zeros));
            x.extend_from_slice(&mean);
            if design.uses_rules() {
                for tag in &model_tags {
                    x.push(f32::from(u8::from(rules.clauses[i].contains(tag))));
                }
                let c = &doc.clauses[i];
                let same_sentence = i > 0 && doc.clauses[i - 1].sentence == c.sentence;
                x.extend_from_slice(&[
                    f32::from(u8::from(c.past)),
                    f32::from(u8::from(c.perfect)),
                    f32::from(u8::from(c.future)),
                    f32::from(u8::from(c.hypothetical)),
                    f32::from(u8::from(same_sentence)),
                    i as f32 / n.max(1) as f32,
                ]);
            }
            x
        })
        .collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Tagger {
    /// The shipped tagger.
    pub fn shipped() -> Result<Tagger, TaggerError> {
        Tagger::parse(SHIPPED)
    }

    /// Parses and checks a tagger file.
    pub fn parse(text: &str) -> Result<Tagger, TaggerError> {
        let tagger: Tagger = serde_json::from_str(text)?;
        let want = feature_len(tagger.design, tagger.dim);
        for t in &tagger.tags {
            if tags::find(&t.name).is_none_or(|tag| tag.source != Source::Model) {
                return Err(TaggerError::Shape(format!(
                    "`{}` is not a model tag",
                    t.name
                )));
            }
            if t.weights.len() != want {
                return Err(TaggerError::Shape(format!(
                    "`{}` has {} weights for {} features",
                    t.name,
                    t.weights.len(),
                    want
                )));
            }
        }
        Ok(tagger)
    }

    /// A tagger that reads with the lexicon only.
    pub fn lexicon() -> Tagger {
        Tagger {
            design: Design::Lexicon,
            encoder: String::new(),
            dim: 0,
            tags: Vec::new(),
            trained_on: String::new(),
        }
    }

    /// Each model tag's probability for each clause.
    pub fn probabilities(&self, features: &[Vec<f32>]) -> Vec<Vec<f32>> {
        features
            .iter()
            .map(|x| {
                self.tags
                    .iter()
                    .map(|t| {
                        let z: f32 = t.weights.iter().zip(x).map(|(w, v)| w * v).sum();
                        sigmoid(z + t.bias)
                    })
                    .collect()
            })
            .collect()
    }

    /// Reads an answer: tags on every clause, from the probabilities (model designs) or the rules.
    pub fn read(&self, doc: &Doc, embedded: Option<&Embedded>, rules: &RuleTags) -> Reading {
        let probabilities = match embedded {
            Some(embedded) if self.design.uses_model() && !doc.clauses.is_empty() => {
                Some(self.probabilities(&features(self.design, doc, embedded, rules)))
            }
            _ => None,
        };
        self.reading_from(doc, probabilities.as_deref(), rules)
    }

    /// The reading given each clause's probabilities for the model tags (in the order of
    /// [`Tagger::tags`]), or `None` to take the story's tags from the rules.
    pub fn reading_from(
        &self,
        doc: &Doc,
        probabilities: Option<&[Vec<f32>]>,
        rules: &RuleTags,
    ) -> Reading {
        let texts = clause_texts(doc);
        let mut clauses: Vec<ClauseReading> = texts
            .into_iter()
            .map(|text| ClauseReading {
                text,
                tags: Vec::new(),
                scores: Vec::new(),
            })
            .collect();
        if let Some(p) = probabilities {
            for (i, clause) in clauses.iter_mut().enumerate() {
                // A one-word clause ("No", "Honestly") tells no story of its own: the classifiers'
                // context features would otherwise lend it its neighbours' tags.
                if doc.clauses[i].tokens.len() < MIN_MODEL_TOKENS {
                    continue;
                }
                for (t, model) in self.tags.iter().enumerate() {
                    let name = tags::find(&model.name).map_or("", |t| t.name);
                    clause.scores.push((name, p[i][t]));
                    let lexicon = model.combine == Combine::Either
                        && rules.clauses.get(i).is_some_and(|r| r.contains(&name));
                    if p[i][t] >= model.threshold || lexicon {
                        clause.tags.push(name);
                    }
                }
            }
        } else {
            for (clause, found) in clauses.iter_mut().zip(&rules.clauses) {
                clause.tags.extend(
                    found
                        .iter()
                        .filter(|t| tags::find(t).is_some_and(|t| t.source == Source::Model)),
                );
            }
        }
        for (clause, found) in clauses.iter_mut().zip(&rules.clauses) {
            clause.tags.extend(
                found
                    .iter()
                    .filter(|t| tags::find(t).is_some_and(|t| t.source == Source::Rules)),
            );
        }
        keep_one_setting(&mut clauses);
        Reading { clauses }
    }
}

/// An answer has one setting: the one with the most support (highest probability, else most
/// clauses); the others are dropped.
fn keep_one_setting(clauses: &mut [ClauseReading]) {
    let support = |setting: &str| -> (f32, usize) {
        let best = clauses
            .iter()
            .filter(|c| c.tags.contains(&setting))
            .filter_map(|c| {
                c.scores
                    .iter()
                    .find(|(n, _)| *n == setting)
                    .map(|(_, p)| *p)
            })
            .fold(0.0f32, f32::max);
        let count = clauses.iter().filter(|c| c.tags.contains(&setting)).count();
        (best, count)
    };
    let winner = SETTINGS
        .iter()
        .filter(|s| support(s).1 > 0)
        .max_by(|a, b| {
            let (pa, ca) = support(a);
            let (pb, cb) = support(b);
            pa.total_cmp(&pb).then(ca.cmp(&cb))
        })
        .copied();
    for clause in clauses.iter_mut() {
        clause
            .tags
            .retain(|t| !SETTINGS.contains(t) || Some(*t) == winner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tagger_fits_its_features() {
        let tagger = Tagger::shipped().unwrap();
        if tagger.design.uses_model() {
            assert_eq!(tagger.tags.len(), tags::model_tags().count());
        }
    }

    #[test]
    fn a_tagger_with_the_wrong_number_of_weights_is_refused() {
        let text = r#"{"design":"model","encoder":"x","dim":2,"tags":[{"name":"setback","weights":[1.0],"bias":0.0,"threshold":0.5}]}"#;
        let err = Tagger::parse(text).unwrap_err().to_string();
        assert!(err.contains("1 weights for 10 features"), "{err}");
        let unknown = text.replace("setback", "own-action");
        assert!(Tagger::parse(&unknown).is_err());
    }

    #[test]
    fn one_setting_survives() {
        let clause = |tags: Vec<&'static str>, p: f32| ClauseReading {
            text: String::new(),
            scores: tags.iter().map(|t| (*t, p)).collect(),
            tags,
        };
        let mut clauses = vec![
            clause(vec!["school"], 0.6),
            clause(vec!["work", "setback"], 0.9),
        ];
        keep_one_setting(&mut clauses);
        assert!(clauses[0].tags.is_empty());
        assert_eq!(clauses[1].tags, vec!["work", "setback"]);
    }
}
