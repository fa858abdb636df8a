//! The check registry: every check id a question file may use, and the dispatch from a question's
//! `[[checks]]` list to the code that judges each one.

use super::features::Features;
use super::text::Doc;
use super::{CheckResult, Evidence, Outcome, failure, star};
use crate::questions::{CheckSpec, Question};

/// Content check ids a question may list (the first nine are the flagship's, from issue 3).
pub const CONTENT_CHECKS: &[&str] = &[
    "admits-failure",
    "specific-story",
    "workplace-story",
    "what-went-wrong",
    "turnaround-or-lesson",
    "lesson-applied",
    "not-too-severe",
    "personal-boundaries",
    "resilient-tone",
    "own-actions",
    "result",
    "real-weakness",
    "improvement-steps",
    "role-fit",
    "motivation",
    "respectful-tone",
    "led-others",
    "career-arc",
];

/// Delivery check ids; every question gets all of them.
pub const DELIVERY_CHECKS: &[&str] = &[
    "answer-length",
    "pace",
    "fillers",
    "long-pauses",
    "start-latency",
];

/// What a check found: its outcome and the quotes behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The outcome.
    pub outcome: Outcome,
    /// Supporting quotes.
    pub evidence: Vec<Evidence>,
}

impl Judgement {
    /// A judgement with evidence.
    pub fn new(outcome: Outcome, evidence: Vec<Evidence>) -> Judgement {
        Judgement { outcome, evidence }
    }
}

/// Runs the question's content checks on a document.
pub fn content_checks(question: &Question, doc: &Doc) -> Vec<CheckResult> {
    let features = Features::extract(doc);
    question
        .checks
        .iter()
        .map(|spec| {
            let judgement = judge(&spec.id, doc, &features);
            CheckResult {
                id: spec.id.clone(),
                outcome: judgement.outcome,
                message: message(spec, judgement.outcome),
                evidence: judgement.evidence,
            }
        })
        .collect()
}

fn judge(id: &str, doc: &Doc, f: &Features) -> Judgement {
    match id {
        "admits-failure" => failure::admits_failure(doc, f),
        "specific-story" => failure::specific_story(doc, f),
        "workplace-story" => failure::workplace_story(doc, f),
        "what-went-wrong" => failure::what_went_wrong(doc, f),
        "turnaround-or-lesson" => failure::turnaround_or_lesson(doc, f),
        "lesson-applied" => failure::lesson_applied(doc, f),
        "not-too-severe" => failure::not_too_severe(doc, f),
        "personal-boundaries" => failure::personal_boundaries(doc, f),
        "resilient-tone" => failure::resilient_tone(doc, f),
        "own-actions" => star::own_actions(doc, f),
        "result" => star::result(doc, f),
        "real-weakness" => star::real_weakness(doc, f),
        "improvement-steps" => star::improvement_steps(doc, f),
        "role-fit" => star::role_fit(doc),
        "motivation" => star::motivation(doc),
        "respectful-tone" => star::respectful_tone(doc, f),
        "led-others" => star::led_others(doc),
        "career-arc" => star::career_arc(doc),
        // Question files are validated against CONTENT_CHECKS, so this is not reachable from a bank.
        _ => Judgement::new(Outcome::Skipped, Vec::new()),
    }
}

/// The question's message for an outcome, or a plain default.
pub fn message(spec: &CheckSpec, outcome: Outcome) -> String {
    let given = match outcome {
        Outcome::Pass => spec.pass.as_deref(),
        Outcome::Warn => spec.warn.as_deref().or(spec.fail.as_deref()),
        Outcome::Fail => spec.fail.as_deref(),
        Outcome::Skipped => None,
    };
    if let Some(text) = given {
        return text.to_string();
    }
    match outcome {
        Outcome::Pass => format!("`{}`: looks good.", spec.id),
        Outcome::Warn => format!("`{}`: acceptable, but could be stronger.", spec.id),
        Outcome::Fail => format!("`{}`: missing from the answer.", spec.id),
        Outcome::Skipped => "Not checked for this answer.".to_string(),
    }
}
