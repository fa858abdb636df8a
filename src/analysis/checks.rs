//! The verdicts: each of a question's content checks judged on the reading of the answer, by its
//! rules (`analysis::rubric`) or, for a talking point, by meaning against its example sentences, with
//! the clauses behind each verdict quoted as evidence.

use super::features::evidence;
use super::pattern::Hit;
use super::reading::Reading;
use super::rubric;
use super::text::Doc;
use super::{CheckResult, Evidence, Outcome};
use crate::questions::{CheckSpec, Question};

/// Delivery check ids; every question gets all of them.
pub const DELIVERY_CHECKS: &[&str] = &[
    "answer-length",
    "pace",
    "fillers",
    "long-pauses",
    "start-latency",
    "vocal-variety",
];

/// At most this many quotes per verdict.
const MAX_QUOTES: usize = 2;

/// The similarity at which a clause (or its sentence) says what a talking point's example says, when
/// the question file gives none. With MiniLM, paraphrases of one point score about 0.36 to 0.46 and
/// other sentences of the same answer 0.14 to 0.33 (`analyze::a_talking_point_written_only_in_toml_is_matched_by_meaning`).
pub const DEFAULT_SIMILARITY: f64 = 0.4;

/// How far under the similarity a clause still earns a warning ("you touched on it").
const NEAR: f64 = 0.08;

/// For a talking point: the best clause and its similarity to the nearest example.
pub type Match = Option<(usize, f32)>;

/// Runs the question's content checks on a reading. `talking` gives, for a talking point check, the
/// clause that comes nearest one of its examples.
pub fn content_checks(
    question: &Question,
    doc: &Doc,
    reading: &Reading,
    talking: &dyn Fn(&CheckSpec) -> Match,
) -> Vec<CheckResult> {
    question
        .checks
        .iter()
        .map(|spec| {
            let (outcome, clauses) = if spec.is_talking_point() {
                talking_point(spec, talking(spec))
            } else {
                rubric::judge(&spec.parsed, reading)
            };
            CheckResult {
                id: spec.id.clone(),
                outcome,
                message: message(spec, outcome),
                evidence: quotes(doc, &clauses),
            }
        })
        .collect()
}

fn talking_point(spec: &CheckSpec, best: Match) -> (Outcome, Vec<usize>) {
    let threshold = spec.similarity.unwrap_or(DEFAULT_SIMILARITY);
    match best {
        Some((clause, s)) if f64::from(s) >= threshold => (Outcome::Pass, vec![clause]),
        Some((clause, s)) if f64::from(s) >= threshold - NEAR => (Outcome::Warn, vec![clause]),
        _ => (Outcome::Fail, Vec::new()),
    }
}

/// The quotes of some clauses, at most [`MAX_QUOTES`]: clauses of three words or more first (a bare
/// "Honestly yeah" says nothing), and never a quote that repeats or contains another.
fn quotes(doc: &Doc, clauses: &[usize]) -> Vec<Evidence> {
    let valid: Vec<usize> = clauses
        .iter()
        .copied()
        .filter(|&c| c < doc.clauses.len())
        .collect();
    let (long, short): (Vec<usize>, Vec<usize>) = valid
        .iter()
        .partition(|&&c| doc.clauses[c].tokens.len() >= 3);
    let mut order = long;
    order.extend(short);
    let mut out: Vec<(usize, Evidence)> = Vec::new();
    for clause in order {
        let e = evidence(
            doc,
            Hit {
                clause,
                start: 0,
                end: 0,
            },
        );
        let overlaps = out
            .iter()
            .any(|(_, o)| o.quote.contains(&e.quote) || e.quote.contains(&o.quote));
        if !e.quote.is_empty() && !overlaps {
            out.push((clause, e));
        }
        if out.len() == MAX_QUOTES {
            break;
        }
    }
    // In the order they were said.
    out.sort_by_key(|(c, _)| *c);
    out.into_iter().map(|(_, e)| e).collect()
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

#[cfg(test)]
mod tests {
    use crate::analysis::{Outcome, analyze_text};
    use crate::questions::Bank;

    fn outcome(question: &str, answer: &str, check: &str) -> Outcome {
        let bank = Bank::shipped().unwrap();
        let report = analyze_text(bank.get(question).unwrap(), answer);
        report.check(check).unwrap().outcome
    }

    #[test]
    fn weakness_in_disguise_fails_and_a_real_one_passes() {
        assert_eq!(
            outcome(
                "greatest-weakness",
                "Honestly I'm a perfectionist and I work too hard.",
                "real-weakness"
            ),
            Outcome::Fail
        );
        let real = "I tend to avoid public speaking. Last year I joined a speaking club and I have been practising every week.";
        assert_eq!(
            outcome("greatest-weakness", real, "real-weakness"),
            Outcome::Pass
        );
        assert_eq!(
            outcome("greatest-weakness", real, "improvement-steps"),
            Outcome::Pass
        );
    }

    #[test]
    fn star_story_has_own_actions_and_a_result() {
        let story = "Last spring a colleague and I disagreed about the release plan. I asked her for coffee, I listened to \
                     her concerns and I proposed a compromise. In the end we shipped on time and we still work together.";
        assert_eq!(outcome("conflict", story, "own-actions"), Outcome::Pass);
        assert_eq!(outcome("conflict", story, "result"), Outcome::Pass);
        assert_eq!(outcome("conflict", story, "respectful-tone"), Outcome::Pass);
        let rude = "My colleague was an idiot and totally lazy, so we argued.";
        assert_eq!(outcome("conflict", rude, "respectful-tone"), Outcome::Fail);
    }

    #[test]
    fn motivation_about_pay_fails() {
        assert_eq!(
            outcome(
                "why-this-role",
                "Mostly the salary and the short commute.",
                "motivation"
            ),
            Outcome::Fail
        );
        let good = "I'm excited about your mission, and my experience building payment systems fits this role.";
        assert_eq!(outcome("why-this-role", good, "motivation"), Outcome::Pass);
        assert_eq!(outcome("why-this-role", good, "role-fit"), Outcome::Pass);
    }

    #[test]
    fn a_verdict_quotes_the_clause_behind_it() {
        let bank = Bank::shipped().unwrap();
        let report = analyze_text(
            bank.get("conflict").unwrap(),
            "We had a release to plan. My colleague was an idiot and totally lazy, so we argued.",
        );
        let tone = report.check("respectful-tone").unwrap();
        assert!(
            tone.evidence.iter().any(|e| e.quote.contains("idiot")),
            "{:?}",
            tone.evidence
        );
    }
}
