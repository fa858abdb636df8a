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
