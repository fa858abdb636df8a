//! The analyzer: what reads answers, loaded once per process. It holds the sentence model (for the
//! tagger and the talking points) and the tagger, and keeps the embeddings of clauses it has seen,
//! so clauses embedded while an answer is still being spoken ([`Analyzer::prefetch`]) cost nothing
//! when the report is made.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::reading::{
    Design, Embedded, Encoder, Reading, RuleTags, Tagger, clause_texts, meaning, sentence_texts,
};
use super::text::Doc;
use crate::embed::cosine;
use crate::questions::CheckSpec;

/// Set to `lexicon` to read answers with the lexicon alone (no sentence model); for comparisons.
pub const READING_ENV: &str = "REHEARSE_READING";

/// The embedding cache holds at most this many clauses before it starts again.
const CACHE_LIMIT: usize = 20_000;

/// Reads answers.
pub struct Analyzer {
    encoder: Option<Arc<dyn Encoder>>,
    tagger: Tagger,
    cache: Mutex<HashMap<String, Vec<f32>>>,
}

/// Why the analyzer could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// The sentence model is missing or broken.
    #[error(transparent)]
    Encoder(#[from] crate::embed::EmbedError),
    /// The shipped tagger does not load.
    #[error(transparent)]
    Tagger(#[from] super::reading::tagger::TaggerError),
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("design", &self.tagger.design)
            .field("encoder", &self.encoder.is_some())
            .finish()
    }
}

impl Analyzer {
    /// An analyzer from its parts; the encoder is needed by model designs and talking points.
    pub fn new(encoder: Option<Arc<dyn Encoder>>, tagger: Tagger) -> Analyzer {
        Analyzer {
            encoder,
            tagger,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Reads with the lexicon alone; talking points then never match.
    pub fn lexicon() -> Analyzer {
        Analyzer::new(None, Tagger::lexicon())
    }

    /// The shipped tagger with the installed sentence model, or the lexicon when
    /// `REHEARSE_READING=lexicon`.
    pub fn load_default() -> Result<Analyzer, AnalyzerError> {
        if std::env::var(READING_ENV).is_ok_and(|v| v == "lexicon") {
            return Ok(Analyzer::lexicon());
        }
        let tagger = Tagger::shipped()?;
        let encoder = crate::embed::Embedder::load_default()?;
        Ok(Analyzer::new(Some(Arc::new(encoder)), tagger))
    }

    /// Forgets every cached embedding (for benchmarks of a cold analysis).
    pub fn clear_cache(&self) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The design the tags are read with.
    pub fn design(&self) -> Design {
        if self.encoder.is_none() {
            Design::Lexicon
        } else {
            self.tagger.design
        }
    }

    /// Embeddings of some texts, from the cache where it has them.
    pub fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let Some(encoder) = &self.encoder else {
            anyhow::bail!("no sentence model loaded");
        };
        let missing: Vec<&str> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut missing: Vec<&str> = texts
                .iter()
                .map(String::as_str)
                .filter(|t| !cache.contains_key(*t))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        let fresh = if missing.is_empty() {
            Vec::new()
        } else {
            encoder.encode(&missing)?
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() + fresh.len() > CACHE_LIMIT {
            cache.clear();
        }
        for (text, e) in missing.iter().zip(fresh) {
            cache.insert((*text).to_string(), e);
        }
        Ok(texts
            .iter()
            .map(|t| cache.get(t).cloned().unwrap_or_default())
            .collect())
    }

    /// Embeds the clauses of an answer so far, so the report of the whole answer finds them cached.
    /// Errors are left for the report to meet.
    pub fn prefetch(&self, text: &str) {
        if self.design().uses_model() {
            let _ = self.embedded(&Doc::from_text(text));
        }
    }

    /// The embeddings of a document's clauses and sentences.
    pub fn embedded(&self, doc: &Doc) -> anyhow::Result<Embedded> {
        let clauses = clause_texts(doc);
        let (sentences, sentence_of) = sentence_texts(doc);
        let mut all = clauses.clone();
        all.extend(sentences.iter().cloned());
        let mut vectors = self.embed(&all)?;
        let sentences = vectors.split_off(clauses.len());
        Ok(Embedded {
            clauses: vectors,
            sentences,
            sentence_of,
        })
    }

    /// Reads a document: the tags of every clause, and the embeddings when there are any.
    pub fn read(&self, doc: &Doc) -> (Reading, Option<Embedded>) {
        let rules = RuleTags::read(doc);
        let embeddings = if self.encoder.is_some() && !doc.clauses.is_empty() {
            self.embedded(doc).ok()
        } else {
            None
        };
        let tagger = if self.encoder.is_some() {
            &self.tagger
        } else {
            &LEXICON
        };
        let reading = tagger.read(doc, embeddings.as_ref(), &rules);
        (reading, embeddings)
    }

    /// For a talking point: the clause nearest one of its examples, and how near.
    pub fn nearest(&self, spec: &CheckSpec, embedded: Option<&Embedded>) -> super::checks::Match {
        let (Some(examples), Some(embedded)) = (&spec.examples, embedded) else {
            return None;
        };
        let examples = self.embed(examples).ok()?;
        let nearest = |v: &Vec<f32>| {
            examples
                .iter()
                .map(|e| cosine(meaning(v), meaning(e)))
                .fold(f32::MIN, f32::max)
        };
        // A clause, or the sentence it is in (a point often spans a clause boundary).
        (0..embedded.clauses.len())
            .map(|i| {
                let own = nearest(&embedded.clauses[i]);
                let sentence = embedded
                    .sentence_of
                    .get(i)
                    .and_then(|&s| embedded.sentences.get(s))
                    .map_or(f32::MIN, nearest);
                (i, own.max(sentence) + own * 1e-3)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

static LEXICON: std::sync::LazyLock<Tagger> = std::sync::LazyLock::new(Tagger::lexicon);

static SHARED: OnceLock<Result<Analyzer, String>> = OnceLock::new();

/// The process's analyzer, loaded on first use.
pub fn shared() -> Result<&'static Analyzer, &'static str> {
    SHARED
        .get_or_init(|| Analyzer::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(String::as_str)
}

/// Loads the process's analyzer now, so a missing or broken sentence model is one clear error
/// before any work starts.
pub fn ensure_loaded() -> anyhow::Result<&'static Analyzer> {
    shared().map_err(|e| anyhow::anyhow!("{e}"))
}
