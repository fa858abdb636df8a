//! An interview plan (`rehearse practice --plan FILE`): the questions in order, the follow-up policy
//! and the time limits, for a coach or a candidate who knows what is coming. Parsed from TOML, then
//! checked against the bank, each error naming the file and line.
//!
//! ```toml
//! name = "Ward nurse, first interview"   # optional, shown at the start
//! follow_ups = "ask"                     # "ask" (when a check fails or warns; the default) or "none"
//! max_follow_ups = 1                     # per question, 0 to 5 (default 2)
//! max_seconds = 150                      # optional: the longest any answer may be
//!
//! [[question]]
//! id = "tell-me-about-yourself"
//! max_seconds = 90                       # optional: this answer's limit
//! follow_ups = "none"                    # optional: this question's policy
//! ```

use serde::Deserialize;
use toml::Spanned;

use crate::questions::{Bank, Question};

/// Whether the interviewer asks follow-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUps {
    /// Ask one when a check fails or warns and the question has a follow-up for it.
    Ask,
    /// Never ask one.
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    name: Option<String>,
    follow_ups: Option<FollowUps>,
    max_follow_ups: Option<Spanned<i64>>,
    max_seconds: Option<Spanned<f64>>,
    question: Option<Vec<RawItem>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    max_seconds: Option<Spanned<f64>>,
    follow_ups: Option<FollowUps>,
}

/// Most follow-ups a plan may ask per question.
pub const MAX_FOLLOW_UPS: i64 = 5;

/// A checked plan: the questions to ask, in order, each with its own limit and policy applied.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan's name, if it has one.
    pub name: Option<String>,
    /// Whether follow-ups are asked at all (a question may still turn them off for itself).
    pub follow_ups: FollowUps,
    /// Follow-ups per question at most.
    pub max_follow_ups: usize,
    /// The questions in order: copies from the bank with the plan's limit in
    /// [`Question::limit_seconds`] and, where the plan says `none`, no follow-ups.
    pub questions: Vec<Question>,
}

/// Why a plan is refused: its file, the line, and what to change.
#[derive(Debug, thiserror::Error)]
#[error("{file}: line {line}: {message}")]
pub struct PlanError {
    /// The plan file as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Parses and checks a plan's text against the bank. `file` names it in errors.
pub fn parse(text: &str, file: &str, bank: &Bank) -> Result<Plan, PlanError> {
    let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let error = |offset: usize, message: String| PlanError {
        file: file.to_string(),
        line: line_at(offset),
        message,
    };
    let raw: RawPlan = toml::from_str(text).map_err(|e| {
        error(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let check_seconds = |s: &Spanned<f64>| {
        crate::limits::check_file_seconds(*s.get_ref(), "max_seconds")
            .map_err(|message| error(s.span().start, message))
    };
    let max_follow_ups = match &raw.max_follow_ups {
        None => 2,
        Some(n) if (0..=MAX_FOLLOW_UPS).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            return Err(error(
                n.span().start,
                format!("`max_follow_ups` must be 0 to {MAX_FOLLOW_UPS}"),
            ));
        }
    };
    let session_limit = raw.max_seconds.as_ref().map(check_seconds).transpose()?;
    let follow_ups = raw.follow_ups.unwrap_or(FollowUps::Ask);
    let items = raw.question.unwrap_or_default();
    if items.is_empty() {
        return Err(error(
            text.len(),
            "a plan needs at least one `[[question]]` with an `id` (see `rehearse questions`)"
                .into(),
        ));
    }
    let mut questions = Vec::with_capacity(items.len());
    for item in &items {
        let id = item.id.get_ref();
        let Some(found) = bank.get(id) else {
            return Err(error(
                item.id.span().start,
                format!("no question `{id}` in the bank; use an id from `rehearse questions`"),
            ));
        };
        let mut question = found.clone();
        question.limit_seconds = item
            .max_seconds
            .as_ref()
            .map(check_seconds)
            .transpose()?
            .or(session_limit);
        if item.follow_ups.unwrap_or(follow_ups) == FollowUps::None {
            question.follow_ups.clear();
        }
        questions.push(question);
    }
    Ok(Plan {
        name: raw.name,
        follow_ups,
        max_follow_ups,
        questions,
    })
}

/// Reads and checks a plan file.
pub fn read(path: &std::path::Path, bank: &Bank) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the plan `{}`: {e}; pass a TOML file (see the README's \"Interview plans\")",
            path.display()
        )
    })?;
    Ok(parse(&text, &path.display().to_string(), bank)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
name = "Ward nurse"
follow_ups = "ask"
max_follow_ups = 1
max_seconds = 150

[[question]]
id = "tell-me-about-yourself"
max_seconds = 90
follow_ups = "none"

[[question]]
id = "failure"
"#;

    #[test]
    fn a_plan_keeps_its_order_limits_and_policy() {
        let bank = Bank::shipped().unwrap();
        let plan = parse(PLAN, "plan.toml", &bank).unwrap();
        let ids: Vec<&str> = plan.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["tell-me-about-yourself", "failure"]);
        assert_eq!(plan.questions[0].limit_seconds, Some(90.0));
        assert_eq!(plan.questions[1].limit_seconds, Some(150.0));
        assert!(plan.questions[0].follow_ups.is_empty());
        assert!(!plan.questions[1].follow_ups.is_empty());
        assert_eq!(plan.max_follow_ups, 1);
        assert_eq!(plan.name.as_deref(), Some("Ward nurse"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let bank = Bank::shipped().unwrap();
        let cases = [
            (
                PLAN.replace("id = \"failure\"", "id = \"nope\""),
                13,
                "no question `nope`",
            ),
            (
                PLAN.replace("max_seconds = 90", "max_seconds = -4"),
                9,
                "from more than 0 to 3600",
            ),
            (
                PLAN.replace("follow_ups = \"none\"", "follow_ups = \"sometimes\""),
                10,
                "sometimes",
            ),
            (
                PLAN.replace("max_follow_ups = 1", "max_follow_ups = 9"),
                4,
                "0 to 5",
            ),
            (
                PLAN.replace(
                    "[[question]]\nid = \"failure\"",
                    "[[question]]\nidd = \"failure\"",
                ),
                13,
                "idd",
            ),
        ];
        for (text, line, needle) in cases {
            let err = parse(&text, "plan.toml", &bank).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("plan.toml: line {line}: ")) && err.contains(needle),
                "{err}"
            );
        }
        let err = parse("name = \"empty\"\n", "plan.toml", &bank)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least one `[[question]]`"), "{err}");
    }
}
