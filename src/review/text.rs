//! `rehearse review [SESSION]`: each answer's transcript with fillers and pauses, and its checks.

use super::annotate::{Token, annotate, pause_label};
use super::view::ReportView;
use super::{Style, figure, minutes_seconds};
use crate::history::{Session, StoredAnswer};

/// Lines are wrapped to this width (transcripts are long).
const WIDTH: usize = 88;
const INDENT: &str = "   ";

/// The session's review as text.
pub fn render(session: &Session, style: Style) -> String {
    let s = &session.summary;
    let mut out = style.bold(&format!("Session {} · {}", s.id, s.date));
    out.push_str(&format!(
        " · {} question{} · score {} · {} speaking · {} wpm · {} fillers/min{}\n",
        s.questions,
        if s.questions == 1 { "" } else { "s" },
        figure(s.score, 0),
        minutes_seconds(s.speaking_seconds),
        figure(s.words_per_minute, 0),
        figure(s.fillers_per_minute, 1),
        if s.finished_at.is_none() {
            " · interrupted"
        } else {
            ""
        },
    ));
    if session.answers.is_empty() {
        out.push_str("\nno answers were saved in this session\n");
    }
    for answer in &session.answers {
        out.push('\n');
        out.push_str(&render_answer(session, answer, style));
    }
    out
}

/// How an answer relates to the others: `follow-up to answer 1 (lesson-applied)`, `attempt 2`.
pub fn relation(session: &Session, answer: &StoredAnswer) -> Option<String> {
    if let Some(parent) = answer.follow_up_of {
        let position = session
            .answers
            .iter()
            .find(|a| a.id == parent)
            .map(|a| a.position);
        let to = position.map_or_else(
            || "an earlier answer".to_string(),
            |p| format!("answer {p}"),
        );
        let check = answer
            .follow_up_check
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        return Some(format!("follow-up to {to}{check}"));
    }
    (answer.attempt > 1).then(|| format!("attempt {}", answer.attempt))
}

fn render_answer(session: &Session, answer: &StoredAnswer, style: Style) -> String {
    let mut out = String::new();
    let relation = relation(session, answer)
        .map(|r| format!("  [{r}]"))
        .unwrap_or_default();
    out.push_str(&style.bold(&format!("{}. {}", answer.position, answer.question_text)));
    out.push_str(&style.dim(&format!("  ({}){relation}", answer.question_id)));
    out.push('\n');
    if crate::history::is_recovered(&answer.report_json) {
        out.push_str(&format!(
            "{INDENT}recovered: the session stopped before this answer was stored; it was transcribed from its recording later\n"
        ));
    }
    if crate::history::is_skipped(&answer.report_json) {
        let why = crate::history::recovery_note(&answer.report_json)
            .unwrap_or_else(|| "nothing was said".into());
        out.push_str(&format!(
            "{INDENT}skipped: {why} (no score; left out of the averages and the trend)\n"
        ));
        return out;
    }
    out.push_str(&format!(
        "{INDENT}score {} · {} speaking · {} wpm · {} fillers/min\n",
        answer
            .score
            .map_or_else(|| "-".to_string(), |s| s.to_string()),
        answer
            .speaking_seconds
            .map_or_else(|| "-".to_string(), minutes_seconds),
        figure(answer.words_per_minute, 0),
        figure(answer.fillers_per_minute, 1),
    ));
    let report = match ReportView::parse(&answer.report_json) {
        Ok(report) => report,
        Err(err) => {
            out.push_str(&format!(
                "{INDENT}(the stored report could not be read: {err})\n"
            ));
            return out;
        }
    };
    out.push('\n');
    out.push_str(&transcript(&report, style));
    if !report.checks.is_empty() {
        out.push('\n');
    }
    let id_width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for check in &report.checks {
        let outcome = style.outcome(&check.outcome, &format!("{:<7}", check.outcome));
        out.push_str(&format!(
            "{INDENT}{outcome} {:<id_width$}  {}\n",
            check.id, check.message
        ));
        for evidence in &check.evidence {
            let at = evidence
                .start
                .map(|s| format!(" ({s:.1} s)"))
                .unwrap_or_default();
            out.push_str(&format!(
                "{INDENT}{:7} {:id_width$}  \"{}\"{at}\n",
                "", "", evidence.quote
            ));
        }
    }
    out
}

/// The annotated transcript, wrapped and indented.
fn transcript(report: &ReportView, style: Style) -> String {
    let tokens = annotate(report);
    let pieces: Vec<(String, usize)> = if tokens.is_empty() {
        report
            .transcript
            .text
            .split_whitespace()
            .map(|w| (w.to_string(), w.chars().count()))
            .collect()
    } else {
        tokens
            .iter()
            .map(|token| match token {
                Token::Word {
                    text, filler: true, ..
                } => {
                    let plain = format!("({text})");
                    let width = plain.chars().count();
                    (style.filler(&plain), width)
                }
                Token::Word { text, .. } => (text.clone(), text.chars().count()),
                Token::Pause { start, end } => {
                    let label = pause_label(end - start);
                    let width = label.chars().count();
                    (style.dim(&label), width)
                }
            })
            .collect()
    };
    if pieces.is_empty() {
        return format!("{INDENT}{}\n", style.dim("(nothing was said)"));
    }
    let mut out = String::new();
    let mut column = 0;
    for (piece, width) in pieces {
        if column > 0 && column + 1 + width > WIDTH - INDENT.len() {
            out.push('\n');
            column = 0;
        }
        if column == 0 {
            out.push_str(INDENT);
        } else {
            out.push(' ');
            column += 1;
        }
        out.push_str(&piece);
        column += width;
    }
    out.push('\n');
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::history::{AnswerId, SessionId, SessionSummary};

    /// A stored answer for the review tests (also the HTML page's).
    pub(in crate::review) fn answer(id: i64, position: u32, report_json: &str) -> StoredAnswer {
        StoredAnswer {
            id: AnswerId(id),
            session: SessionId(1),
            position,
            question_id: "failure".into(),
            question_text: "Have you ever failed at anything?".into(),
            attempt: 1,
            follow_up_of: None,
            follow_up_check: None,
            recording: None,
            score: Some(70),
            speaking_seconds: Some(65.0),
            words_per_minute: Some(140.0),
            fillers_per_minute: Some(1.5),
            created_at: 0,
            report_json: report_json.into(),
        }
    }

    /// A session holding `answers`, for the review tests.
    pub(in crate::review) fn session(answers: Vec<StoredAnswer>) -> Session {
        Session {
            summary: SessionSummary {
                id: SessionId(1),
                started_at: 0,
                date: "2026-11-25 15:45".into(),
                finished_at: None,
                questions: 1,
                answers: answers.len() as u32,
                skipped: 0,
                score: Some(70.0),
                speaking_seconds: 65.0,
                words_per_minute: Some(140.0),
                fillers_per_minute: Some(1.5),
                vocal_variety_semitones: None,
            },
            settings: serde_json::Value::Null,
            answers,
        }
    }

    #[test]
    fn retries_follow_ups_and_unreadable_reports_are_shown() {
        let report = r#"{"transcript": {"text": "I failed.", "words": []},
            "checks": [{"id": "pace", "outcome": "skipped", "message": "No audio."}]}"#;
        let mut retry = answer(2, 2, report);
        retry.attempt = 2;
        let mut follow = answer(3, 3, "not json");
        follow.follow_up_of = Some(AnswerId(2));
        follow.follow_up_check = Some("lesson-applied".into());
        let out = render(
            &session(vec![answer(1, 1, report), retry, follow]),
            Style::default(),
        );
        assert!(
            out.starts_with("Session 1 · 2026-11-25 15:45 · 1 question · score 70 · 1:05 speaking"),
            "{out}"
        );
        assert!(out.contains("interrupted"), "{out}");
        assert!(out.contains("   I failed.\n"), "{out}");
        assert!(out.contains("skipped pace  No audio."), "{out}");
        assert!(
            out.contains("2. Have you ever failed at anything?  (failure)  [attempt 2]"),
            "{out}"
        );
        assert!(
            out.contains("[follow-up to answer 2 (lesson-applied)]"),
            "{out}"
        );
        assert!(
            out.contains("(the stored report could not be read:"),
            "{out}"
        );
    }

    #[test]
    fn long_transcripts_wrap_inside_the_width() {
        let words: Vec<String> = (0..60)
            .map(|i| {
                format!(
                    r#"{{"text": "word{i}", "start": {}, "end": {}}}"#,
                    i as f64,
                    i as f64 + 0.4
                )
            })
            .collect();
        let report = format!(r#"{{"transcript": {{"words": [{}]}}}}"#, words.join(","));
        let out = render(&session(vec![answer(1, 1, &report)]), Style::default());
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("word")).collect();
        assert!(lines.len() > 2, "{out}");
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() <= WIDTH && l.starts_with(INDENT)),
            "{out}"
        );
        assert!(out.contains("word59"), "{out}");
    }
}
