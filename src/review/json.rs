//! `rehearse review --json`: the session, each answer's figures, the stored report as it was
//! written, and the annotated transcript text that `rehearse review` shows.

use serde::Serialize;

use super::annotate::plain_text;
use super::view::ReportView;
use crate::history::{Session, StoredAnswer};

/// One answer in the JSON review.
#[derive(Debug, Serialize)]
pub struct AnswerJson<'a> {
    /// The stored answer's fields.
    #[serde(flatten)]
    pub answer: &'a StoredAnswer,
    /// The transcript with fillers in parentheses and pauses as `[2.4 s]`.
    pub annotated_transcript: String,
    /// The stored report (`rehearse analyze --json`), or `null` if it could not be read.
    pub report: serde_json::Value,
    /// The answer was recovered: its session stopped before storing it, and a later start
    /// transcribed it from its recording.
    pub recovered: bool,
}

/// The whole JSON review.
#[derive(Debug, Serialize)]
pub struct ReviewJson<'a> {
    /// The session, its figures and settings (answers are listed below).
    pub session: SessionJson<'a>,
    /// The answers in order.
    pub answers: Vec<AnswerJson<'a>>,
}

/// The session part of the JSON review.
#[derive(Debug, Serialize)]
pub struct SessionJson<'a> {
    /// Figures.
    #[serde(flatten)]
    pub summary: &'a crate::history::SessionSummary,
    /// Settings kept at the start.
    pub settings: &'a serde_json::Value,
}

/// Builds the JSON review of a session.
pub fn review(session: &Session) -> ReviewJson<'_> {
    ReviewJson {
        session: SessionJson {
            summary: &session.summary,
            settings: &session.settings,
        },
        answers: session
            .answers
            .iter()
            .map(|answer| AnswerJson {
                answer,
                annotated_transcript: ReportView::parse(&answer.report_json)
                    .map(|r| plain_text(&r))
                    .unwrap_or_default(),
                report: serde_json::from_str(&answer.report_json)
                    .unwrap_or(serde_json::Value::Null),
                recovered: crate::history::is_recovered(&answer.report_json),
            })
            .collect(),
    }
}
