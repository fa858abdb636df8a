//! The practice interview as a flow, free of any screen or sound card: ask each question, take the
//! answer, analyse it, keep it the moment its feedback is ready, probe with follow-ups, let the
//! candidate retry and compare, and sum the session up.
//!
//! The flow ([`run`]) talks to two traits: a [`Frontend`] (shows and speaks a question, records and
//! transcribes the answer, shows feedback, reads the candidate's choice) and a [`Keeper`] (stores each
//! answer). `rehearse practice` supplies a terminal front end and the history store; tests supply
//! fakes that hand back prepared transcripts.

mod compare;
mod flow;
pub mod follow_up;
pub mod live;
pub mod recovery;
mod summary;

use std::path::PathBuf;

pub use compare::{ChangedCheck, Comparison};
pub use flow::{Options, run};
pub use summary::{QuestionScore, Summary, Tip};

use crate::analysis::Report;
use crate::questions::Question;
use crate::transcript::Transcript;

/// One recorded and transcribed answer.
#[derive(Debug, Clone)]
pub struct Take {
    /// What was said, times from the start of the recording.
    pub transcript: Transcript,
    /// The recording as 16 kHz mono samples (empty when there is no audio).
    pub samples: Vec<f32>,
    /// Pitch and level frames tracked while the answer was recorded; `None` has analysis track the
    /// samples after the answer.
    pub track: Option<crate::audio::pitch::Track>,
    /// Where the recording is kept.
    pub recording: Option<PathBuf>,
    /// The candidate stopped the session in the middle of this answer (Ctrl-C, `q`): it is analysed
    /// and kept, and then the session ends.
    pub interrupted: bool,
}

impl Take {
    /// Length of the answer in seconds (the samples', else the transcript's).
    pub fn duration_seconds(&self) -> f64 {
        if self.samples.is_empty() {
            self.transcript.duration_seconds
        } else {
            self.samples.len() as f64 / f64::from(crate::audio::resample::WHISPER_RATE)
        }
    }
}

/// What came back from asking.
#[derive(Debug, Clone)]
pub enum Asked {
    /// An answer.
    Answer(Take),
    /// The candidate skipped the question.
    Skip,
    /// The candidate ended the session before answering.
    Quit,
}

/// What the candidate wants after seeing feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Go on.
    Next,
    /// Answer the same question again.
    Retry,
    /// End the session.
    Quit,
}

/// One thing the interviewer asks.
#[derive(Debug, Clone)]
pub struct Turn<'a> {
    /// The question from the bank.
    pub question: &'a Question,
    /// The words said: the question's text, or a follow-up prompt.
    pub prompt: &'a str,
    /// For a follow-up, the check it probes.
    pub follow_up_check: Option<&'a str>,
    /// 1 for the first try at the question, 2 and up for retries.
    pub attempt: u32,
    /// The question's place in the session, from 1.
    pub number: usize,
    /// Questions in the session.
    pub total: usize,
}

/// Feedback on an answer, ready to show.
#[derive(Debug, Clone)]
pub struct Feedback<'a> {
    /// What was asked.
    pub turn: &'a Turn<'a>,
    /// The report: for a follow-up, the first answer and the follow-up analysed together.
    pub report: &'a Report,
    /// For a follow-up, the checks it turned to pass (or improved).
    pub recovered: &'a [String],
    /// A follow-up will be asked next, so no choice is needed.
    pub follow_up_next: bool,
    /// The session ends after this answer (it was interrupted): no choice is needed.
    pub ending: bool,
    /// For a retry, the new attempt beside the previous one.
    pub comparison: Option<&'a Comparison>,
}

/// An answer to store.
#[derive(Debug, Clone)]
pub struct Kept<'a> {
    /// The question's id.
    pub question_id: &'a str,
    /// The words the interviewer said.
    pub prompt: &'a str,
    /// The attempt at the question.
    pub attempt: u32,
    /// The stored answer this one follows up.
    pub follow_up_of: Option<i64>,
    /// The check that prompted the follow-up.
    pub follow_up_check: Option<&'a str>,
    /// The recording.
    pub recording: Option<&'a std::path::Path>,
    /// The report JSON (`rehearse analyze --json`, plus a `follow_up` object for follow-ups).
    pub report_json: String,
}

/// Stores answers as they are finished.
pub trait Keeper {
    /// Stores one answer in a single transaction and returns its id.
    fn keep(&mut self, answer: &Kept<'_>) -> Result<i64, InterviewError>;
}

/// The screen, the speakers and the microphone.
pub trait Frontend {
    /// Shows and speaks the prompt, records the answer and transcribes it.
    fn ask(&mut self, turn: &Turn<'_>) -> Result<Asked, InterviewError>;
    /// Shows the feedback; unless a follow-up comes next, returns what the candidate wants.
    fn feedback(&mut self, feedback: &Feedback<'_>) -> Result<Choice, InterviewError>;
}

/// Why a session stopped early.
#[derive(Debug, thiserror::Error)]
pub enum InterviewError {
    /// Recording, transcription or the screen failed.
    #[error("{0:#}")]
    Frontend(anyhow::Error),
    /// An answer could not be stored.
    #[error("cannot save the answer: {0}")]
    Keep(#[source] crate::history::HistoryError),
    /// The report could not be written as JSON.
    #[error("cannot write the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// Everything a session produced, for the summary and the caller.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Each question's final report (its last attempt, follow-ups included), in order.
    pub answered: Vec<(String, Report)>,
    /// Answers stored.
    pub kept: usize,
    /// The candidate ended the session early.
    pub quit: bool,
}
