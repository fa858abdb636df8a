//! Kept sessions: the SQLite history database and the answer recordings beside it.
//!
//! Everything lives in the data folder ([`crate::paths::data_dir`]): `history.sqlite3` (with its WAL
//! files) and `recordings/<session>/<n>.wav`. The folder is created 0700 and every file 0600. Each
//! answer is saved in its own write transaction the moment its feedback is ready, so a killed program
//! loses nothing already answered; WAL mode and a busy timeout let two `rehearse` processes share
//! the database safely.
//!
//! The practice flow uses [`Store`]: [`Store::start_session`], [`Store::new_recording`] (where the
//! recorder writes), [`Store::save_answer`], [`Store::finish_session`]. The review commands use
//! [`Store::list_sessions`], [`Store::load_session`] and [`Store::delete_session`]. Recordings whose
//! answer was never stored (the session was killed first) are found by [`Store::unstored_recordings`]
//! (see [`unstored`]), with the note [`Store::new_recording_for`] writes beside each recording.

mod files;
pub mod migrations;
mod open_session;
pub mod recover;
mod store;
mod summary;
#[cfg(test)]
mod tests;
pub mod unstored;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;

pub use open_session::OpenSession;
pub use store::{DATABASE_FILE, DeletedSession, RECORDINGS_DIR, Store};
pub use summary::{Trend, TrendPoint};
pub use unstored::{QuestionNote, Unstored};

/// A session's id: a small integer, shown by `rehearse history` and typed after `rehearse review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SessionId(pub i64);

/// An answer's id, unique across sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AnswerId(pub i64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for AnswerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for SessionId {
    type Err = String;

    /// Parses `12` (a leading `#` is allowed, as in `#12`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.trim().trim_start_matches('#');
        match digits.parse::<i64>() {
            Ok(id) if id > 0 => Ok(SessionId(id)),
            _ => Err(format!(
                "`{s}` is not a session id; ids are the numbers in the first column of `rehearse history`"
            )),
        }
    }
}

/// What can go wrong with the history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The data folder or a recording could not be created, read or removed.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// What was being done (`create the data folder`).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process held the database longer than the busy timeout.
    #[error(
        "the history database is busy (another rehearse is writing to it); try again in a moment"
    )]
    Busy,
    /// Any other SQLite error.
    #[error("history database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The disk holding the data folder is full (or the write failed as if it were).
    #[error(
        "cannot write the history: the disk holding the data folder is full; free some space and try again (nothing already stored was lost)"
    )]
    DiskFull,
    /// The data folder cannot be written.
    #[error(
        "the data folder is read-only, so the history can be read but not changed; make it writable or point `REHEARSE_HOME` at a writable folder"
    )]
    ReadOnly,
    /// The database was written by a newer rehearse.
    #[error(
        "the history database was written by a newer rehearse (schema {found}, this build knows {known}); update rehearse"
    )]
    NewerSchema {
        /// The version found in the file.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// The database file is not a SQLite database or is damaged.
    #[error(
        "the history database `{}` is damaged or not a database; run `rehearse history --repair` to keep a copy of it and start again from what can be read",
        path.display()
    )]
    Damaged {
        /// The database file.
        path: PathBuf,
    },
    /// No session has that id.
    #[error("no session {0}; `rehearse history` lists the sessions")]
    UnknownSession(SessionId),
    /// The session is being practised by another rehearse (deleting it would lose its answer).
    #[error(
        "session {0} is still being practised in another rehearse; end that session (q, or Ctrl-C) and delete it then"
    )]
    SessionOpen(SessionId),
    /// The history is empty.
    #[error("no sessions yet; run `rehearse` to practise")]
    NoSessions,
    /// A report given to [`NewAnswer::from_report`] is not JSON.
    #[error("the answer's report is not valid JSON: {0}")]
    BadReport(serde_json::Error),
}

impl From<rusqlite::Error> for HistoryError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                HistoryError::Busy
            }
            Some(rusqlite::ErrorCode::DiskFull) => HistoryError::DiskFull,
            Some(rusqlite::ErrorCode::ReadOnly) => HistoryError::ReadOnly,
            // SQLITE_IOERR_SHMSIZE and _WRITE: the shared-memory or data file could not grow.
            Some(rusqlite::ErrorCode::SystemIoFailure)
                if matches!(
                    err,
                    rusqlite::Error::SqliteFailure(ref e, _) if e.extended_code == 4874 || e.extended_code == 778
                ) =>
            {
                HistoryError::DiskFull
            }
            _ => HistoryError::Sqlite(err),
        }
    }
}

/// An answer to save: the question, how it relates to earlier answers, the recording and the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAnswer {
    /// The question's id in the bank (`failure`).
    pub question_id: String,
    /// The words the interviewer said (for a follow-up, the follow-up prompt).
    pub question_text: String,
    /// 1 for the first try at a question, 2 and up for retries.
    pub attempt: u32,
    /// The answer this one follows up, if the interviewer probed.
    pub follow_up_of: Option<AnswerId>,
    /// The check whose outcome prompted the follow-up (`lesson-applied`).
    pub follow_up_check: Option<String>,
    /// The WAV file of the answer (normally from [`Store::new_recording`]).
    pub recording: Option<PathBuf>,
    /// The JSON of `rehearse analyze --json` for this answer.
    pub report_json: String,
    /// The report's score, 0 to 100.
    pub score: Option<u32>,
    /// Speaking time, first word to last, in seconds.
    pub speaking_seconds: Option<f64>,
    /// Words per minute over the speaking time.
    pub words_per_minute: Option<f64>,
    /// Filler words per minute.
    pub fillers_per_minute: Option<f64>,
}

impl NewAnswer {
    /// An answer (attempt 1, no recording) whose question and figures are read from the report JSON:
    /// `question.id`, `question.text`, `score`, `delivery.speaking_seconds`,
    /// `delivery.words_per_minute`, `delivery.fillers.per_minute`.
    ///
    /// A report of an answer in which nothing was said (Ctrl-C at once, silence) is a skipped
    /// answer: stored with `"skipped": true` added to its report and no score or figures, so it
    /// counts in no average or trend.
    pub fn from_report(report_json: impl Into<String>) -> Result<NewAnswer, HistoryError> {
        let mut report_json = report_json.into();
        let mut value: serde_json::Value =
            serde_json::from_str(&report_json).map_err(HistoryError::BadReport)?;
        if nothing_said(&value) {
            if let Some(object) = value.as_object_mut() {
                object.insert("skipped".into(), serde_json::Value::Bool(true));
                report_json = value.to_string();
            }
            return Ok(NewAnswer {
                question_id: value
                    .pointer("/question/id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                question_text: value
                    .pointer("/question/text")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                attempt: 1,
                report_json,
                ..NewAnswer::default()
            });
        }
        let text = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let number = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_f64);
        Ok(NewAnswer {
            question_id: text("/question/id").unwrap_or_default(),
            question_text: text("/question/text").unwrap_or_default(),
            attempt: 1,
            score: number("/score").map(|s| s.round().clamp(0.0, 100.0) as u32),
            speaking_seconds: number("/delivery/speaking_seconds"),
            words_per_minute: number("/delivery/words_per_minute"),
            fillers_per_minute: number("/delivery/fillers/per_minute"),
            report_json,
            ..NewAnswer::default()
        })
    }
}

/// The report is of an answer in which nothing was said: its transcript has no words and no text.
fn nothing_said(report: &serde_json::Value) -> bool {
    let Some(transcript) = report.get("transcript") else {
        return false;
    };
    let text_empty = transcript
        .get("text")
        .and_then(|t| t.as_str())
        .is_none_or(|t| t.trim().is_empty());
    let no_words = transcript
        .get("words")
        .and_then(|w| w.as_array())
        .is_none_or(Vec::is_empty);
    text_empty && no_words
}

/// A stored report says its answer was skipped (nothing was said; see [`NewAnswer::from_report`]).
pub fn is_skipped(report_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(report_json)
        .ok()
        .and_then(|v| v.get("skipped").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// A stored report says its answer was recovered: its session stopped before storing it, and a
/// later start transcribed it from its recording (see [`crate::interview::recovery`]).
pub fn is_recovered(report_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(report_json)
        .ok()
        .and_then(|v| v.get("recovered").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// Why a recovered answer was stored as skipped when its recording could not be read or
/// transcribed (`None` when it simply held no speech).
pub fn recovery_note(report_json: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(report_json)
        .ok()?
        .get("recovery_note")?
        .as_str()
        .map(str::to_owned)
}

/// One saved answer, as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAnswer {
    /// The answer's id.
    pub id: AnswerId,
    /// Its session.
    pub session: SessionId,
    /// Its place in the session, from 1.
    pub position: u32,
    /// The question's id in the bank.
    pub question_id: String,
    /// The words the interviewer said.
    pub question_text: String,
    /// 1 for the first try, 2 and up for retries.
    pub attempt: u32,
    /// The answer this one follows up.
    pub follow_up_of: Option<AnswerId>,
    /// The check that prompted the follow-up.
    pub follow_up_check: Option<String>,
    /// The recording's full path, if there is one.
    pub recording: Option<PathBuf>,
    /// The score, 0 to 100.
    pub score: Option<u32>,
    /// Speaking time in seconds.
    pub speaking_seconds: Option<f64>,
    /// Words per minute.
    pub words_per_minute: Option<f64>,
    /// Fillers per minute.
    pub fillers_per_minute: Option<f64>,
    /// When it was saved (Unix seconds).
    pub created_at: i64,
    /// The JSON of `rehearse analyze --json`.
    #[serde(skip)]
    pub report_json: String,
}

/// A session's row in the history: when, how many questions, and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// The session's id.
    pub id: SessionId,
    /// When it started (Unix seconds).
    pub started_at: i64,
    /// When it started, local time, `2026-11-25 15:45`.
    pub date: String,
    /// When it finished (Unix seconds); `None` if it was interrupted.
    pub finished_at: Option<i64>,
    /// Distinct questions answered.
    pub questions: u32,
    /// Answers saved (retries and follow-ups included).
    pub answers: u32,
    /// Answers in which nothing was said (stored as skipped, without a score).
    pub skipped: u32,
    /// The mean over questions of each question's last answer's score.
    pub score: Option<f64>,
    /// Total speaking time in seconds.
    pub speaking_seconds: f64,
    /// Words per minute, weighted by speaking time.
    pub words_per_minute: Option<f64>,
    /// Fillers per minute, weighted by speaking time.
    pub fillers_per_minute: Option<f64>,
    /// Vocal variety (semitones), weighted by speaking time, over answers whose report measured it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vocal_variety_semitones: Option<f64>,
}

/// A main answer (not a follow-up) as the rotation reads it: which session, which question, what score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// Its session.
    pub session: SessionId,
    /// The question's id in the bank.
    pub question_id: String,
    /// The score, 0 to 100.
    pub score: Option<u32>,
}

/// A whole session: its summary, the settings it ran with, and its answers in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// The history row.
    #[serde(flatten)]
    pub summary: SessionSummary,
    /// The settings the practice flow stored at the start (JSON).
    pub settings: serde_json::Value,
    /// The answers in the order given.
    pub answers: Vec<StoredAnswer>,
}
