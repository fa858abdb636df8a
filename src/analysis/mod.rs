//! Analysis of one answer against its question's rubric: the content checks (the guide as code), the
//! delivery metrics and checks, the score, and the report in the JSON shape of `rehearse analyze --json`.
//!
//! The layers: the reading ([`reading`]: clauses and what each does in the story, from a model of
//! meaning and the lexicon), the rubric ([`rubric`]: each check's rules over the tags, written in the
//! question files), and the verdicts with their evidence ([`checks`]), then the score.
//!
//! [`analyze`] takes a transcript (and, when there is audio, the 16 kHz samples for voice activity);
//! [`analyze_text`] takes a written answer, with delivery skipped. Both use the process's
//! [`analyzer::shared`] analyzer; commands call [`analyzer::ensure_loaded`] first so a missing model
//! is one clear error.

pub mod analyzer;
pub mod checks;
pub mod dataset;
pub mod delivery;
mod features;
mod implied;
pub mod lexicon;
pub mod pattern;
pub mod reading;
pub mod report;
pub mod rubric;
mod score;
pub mod text;
pub mod timeline;
pub mod voice;

pub use analyzer::Analyzer;

use serde::{Deserialize, Serialize};

use crate::questions::Question;
use crate::transcript::Transcript;

pub use delivery::{Delivery, Span};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Meets the guide's advice.
    Pass,
    /// Acceptable, with something to improve.
    Warn,
    /// Misses the advice.
    Fail,
    /// Not measured (delivery checks on a written answer).
    Skipped,
}

impl Outcome {
    /// The lower-case name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Skipped => "skipped",
        }
    }
}

/// A quote from the answer supporting a check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The speaker's words (or a figure, for delivery checks).
    pub quote: String,
    /// When it was said, in seconds, for answers from audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check id (a contract: reports, history and tests key on it).
    pub id: String,
    /// Pass, warn, fail or skipped.
    pub outcome: Outcome,
    /// One sentence of coaching.
    pub message: String,
    /// Quotes behind the outcome.
    pub evidence: Vec<Evidence>,
}

/// The question as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRef {
    /// Question id.
    pub id: String,
    /// The words the interviewer says.
    pub text: String,
}

/// One word of the transcript as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportWord {
    /// The word.
    pub text: String,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// A hesitation sound (um, uh) as the transcriber marked it.
    pub filler: bool,
}

/// The transcript part of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportTranscript {
    /// The whole answer as text.
    pub text: String,
    /// Timed words (empty for a written answer).
    pub words: Vec<ReportWord>,
}

/// Everything said about one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The question answered.
    pub question: QuestionRef,
    /// What was said.
    pub transcript: ReportTranscript,
    /// Delivery figures; `None` for a written answer.
    pub delivery: Option<Delivery>,
    /// Content checks in the question's order, then the delivery checks.
    pub checks: Vec<CheckResult>,
    /// 0 to 100, content weighted above delivery (see `prompts/README.md`).
    pub score: u32,
    /// One line summing up the answer.
    #[serde(default)]
    pub verdict: String,
    /// How the answer was read: each clause and the tags the rubric saw on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reading: Vec<ReadClause>,
}

/// One clause as the reading layer saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadClause {
    /// The speaker's words.
    pub text: String,
    /// The tags it carries (see `prompts/README.md`).
    pub tags: Vec<String>,
}

impl Report {
    /// The result of a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Analyses a spoken answer. `audio` (16 kHz mono) enables the search for sounds without words and
/// the pitch and loudness figures.
pub fn analyze(question: &Question, transcript: &Transcript, audio: Option<&[f32]>) -> Report {
    let spans = audio.map(|samples| {
        crate::audio::vad::speech_spans(samples)
            .into_iter()
            .map(|s| Span {
                start: s.start,
                end: s.end,
            })
            .collect::<Vec<_>>()
    });
    let track = audio.map(crate::audio::pitch::track);
    analyze_with(question, transcript, spans.as_deref(), track.as_ref())
}

/// Analyses a spoken answer whose pitch track was kept while it was recorded (practice); without
/// one, as [`analyze`].
pub fn analyze_tracked(
    question: &Question,
    transcript: &Transcript,
    audio: Option<&[f32]>,
    track: Option<&crate::audio::pitch::Track>,
) -> Report {
    let Some(track) = track.filter(|_| audio.is_some()) else {
        return analyze(question, transcript, audio);
    };
    let spans = audio.map(|samples| {
        crate::audio::vad::speech_spans(samples)
            .into_iter()
            .map(|s| Span {
                start: s.start,
                end: s.end,
            })
            .collect::<Vec<_>>()
    });
    analyze_with(question, transcript, spans.as_deref(), Some(track))
}

/// Analyses a spoken answer given voice-activity spans directly (seconds), or none.
pub fn analyze_with_spans(
    question: &Question,
    transcript: &Transcript,
    speech: Option<&[Span]>,
) -> Report {
    analyze_with(question, transcript, speech, None)
}

/// Analyses a spoken answer given voice-activity spans and the pitch track, when there is audio
/// (practice tracks the pitch while the answer is spoken).
pub fn analyze_with(
    question: &Question,
    transcript: &Transcript,
    speech: Option<&[Span]>,
    track: Option<&crate::audio::pitch::Track>,
) -> Report {
    let words: Vec<text::SourceWord> = transcript
        .words
        .iter()
        .map(|w| text::SourceWord {
            text: w.text.clone(),
            start: Some(w.start),
            end: Some(w.end),
            filler: w.filler,
        })
        .collect();
    let doc = text::Doc::new(words);
    let delivery = delivery::measure(&doc, speech, track);
    let (mut checks, reading) = content(question, &doc);
    checks.extend(delivery::checks(question, Some(&delivery)));
    let report_words = transcript
        .words
        .iter()
        .map(|w| ReportWord {
            text: w.text.clone(),
            start: w.start,
            end: w.end,
            filler: w.filler,
        })
        .collect();
    finish(
        question,
        ReportTranscript {
            text: transcript.text.clone(),
            words: report_words,
        },
        Some(delivery),
        checks,
        reading,
    )
}

/// Analyses a written answer: content checks only; delivery is `None` and its checks are skipped.
pub fn analyze_text(question: &Question, answer: &str) -> Report {
    analyze_text_with(process_analyzer(), question, answer)
}

/// The process's analyzer, or the lexicon when it could not be loaded (commands load it first with
/// [`analyzer::ensure_loaded`], so that case has already been reported).
fn process_analyzer() -> &'static Analyzer {
    static FALLBACK: std::sync::LazyLock<Analyzer> = std::sync::LazyLock::new(Analyzer::lexicon);
    analyzer::shared().unwrap_or(&FALLBACK)
}

fn content(question: &Question, doc: &text::Doc) -> (Vec<CheckResult>, Vec<ReadClause>) {
    content_with(process_analyzer(), question, doc)
}

/// The content checks of a document, read by a given analyzer, and the reading they stand on.
pub fn content_with(
    analyzer: &Analyzer,
    question: &Question,
    doc: &text::Doc,
) -> (Vec<CheckResult>, Vec<ReadClause>) {
    let (reading, embeddings) = analyzer.read(doc);
    let checks = checks::content_checks(question, doc, &reading, &|spec| {
        analyzer.nearest(spec, embeddings.as_ref())
    });
    let read = reading
        .clauses
        .into_iter()
        .map(|c| ReadClause {
            text: c.text,
            tags: c.tags.iter().map(|t| t.to_string()).collect(),
        })
        .collect();
    (checks, read)
}

/// Analyses a written answer with a given analyzer (content checks only).
pub fn analyze_text_with(analyzer: &Analyzer, question: &Question, answer: &str) -> Report {
    let doc = text::Doc::from_text(answer);
    let (mut checks, reading) = content_with(analyzer, question, &doc);
    checks.extend(delivery::checks(question, None));
    let text = answer.split_whitespace().collect::<Vec<_>>().join(" ");
    finish(
        question,
        ReportTranscript {
            text,
            words: Vec::new(),
        },
        None,
        checks,
        reading,
    )
}

fn finish(
    question: &Question,
    transcript: ReportTranscript,
    delivery: Option<Delivery>,
    checks: Vec<CheckResult>,
    reading: Vec<ReadClause>,
) -> Report {
    let score = score::score(question, &checks);
    let verdict = score::verdict(score, &checks);
    Report {
        question: QuestionRef {
            id: question.id.clone(),
            text: question.text.clone(),
        },
        transcript,
        delivery,
        checks,
        score,
        verdict,
        reading,
    }
}
