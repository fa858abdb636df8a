//! `rehearse history`: one row per session and the trend over the last sessions.

use serde::Serialize;

use super::{Style, figure, minutes_seconds};
use crate::history::{SessionSummary, Trend};

/// The history as `rehearse history --json` prints it.
#[derive(Debug, Serialize)]
pub struct HistoryJson<'a> {
    /// Every session, oldest first.
    pub sessions: &'a [SessionSummary],
    /// The trend over the last sessions, when there are two with a score.
    pub trend: Option<Trend>,
}

/// An arrow for a change: up, down or level (within `level`).
fn arrow(change: f64, level: f64) -> &'static str {
    if change > level {
        "↑"
    } else if change < -level {
        "↓"
    } else {
        "→"
    }
}

/// The history table and trend as text.
pub fn render(sessions: &[SessionSummary], trend: Option<&Trend>, style: Style) -> String {
    if sessions.is_empty() {
        return "no sessions yet; run `rehearse` to practise\n".to_string();
    }
    let mut out = String::new();
    let header = format!(
        "{:>4}  {:<16}  {:>9}  {:>5}  {:>8}  {:>5}  {:>11}  {:>7}",
        "id", "date", "questions", "score", "speaking", "wpm", "fillers/min", "variety"
    );
    out.push_str(&style.bold(&header));
    out.push('\n');
    for s in sessions {
        let mut unfinished = if s.finished_at.is_none() {
            "  (interrupted)".to_string()
        } else {
            String::new()
        };
        if s.skipped > 0 {
            unfinished.push_str(&format!("  ({} skipped)", s.skipped));
        }
        out.push_str(&format!(
            "{:>4}  {:<16}  {:>9}  {:>5}  {:>8}  {:>5}  {:>11}  {:>7}{}\n",
            s.id.to_string(),
            s.date,
            s.questions,
            figure(s.score, 0),
            minutes_seconds(s.speaking_seconds),
            figure(s.words_per_minute, 0),
            figure(s.fillers_per_minute, 1),
            figure(s.vocal_variety_semitones, 1),
            style.dim(&unfinished),
        ));
    }
    out.push('\n');
    match trend {
        Some(t) => {
            out.push_str(&format!(
                "trend over the last {} sessions (#{} to #{}):\n",
                t.sessions, t.first.id, t.last.id
            ));
            if let Some(change) = t.score_change {
                let verdict = if change > 0.5 {
                    "better"
                } else if change < -0.5 {
                    "worse"
                } else {
                    "level"
                };
                out.push_str(&format!(
                    "  score        {} -> {}  {} {:+.0} ({verdict})\n",
                    figure(t.first.score, 0),
                    figure(t.last.score, 0),
                    arrow(change, 0.5),
                    change
                ));
            }
            if let Some(change) = t.fillers_per_minute_change {
                let verdict = if change < -0.05 {
                    "better"
                } else if change > 0.05 {
                    "worse"
                } else {
                    "level"
                };
                out.push_str(&format!(
                    "  fillers/min  {} -> {}  {} {:+.1} ({verdict})\n",
                    figure(t.first.fillers_per_minute, 1),
                    figure(t.last.fillers_per_minute, 1),
                    arrow(change, 0.05),
                    change
                ));
            }
        }
        None => out.push_str("trend: practise at least two sessions to see one\n"),
    }
    out
}
