//! The score (0 to 100) and the one-line verdict. Content weighs 70%, delivery 30% (when measured);
//! within each part a check counts pass 1, warn 0.5, fail 0, weighted by its `weight` in the question
//! file (delivery checks weigh 1 each); skipped checks do not count. Documented in `prompts/README.md`.

use super::checks::DELIVERY_CHECKS;
use super::{CheckResult, Outcome};
use crate::questions::Question;

/// Share of the score given to content when delivery was measured.
pub const CONTENT_SHARE: f64 = 0.7;

fn value(outcome: Outcome) -> Option<f64> {
    match outcome {
        Outcome::Pass => Some(1.0),
        Outcome::Warn => Some(0.5),
        Outcome::Fail => Some(0.0),
        Outcome::Skipped => None,
    }
}

/// Weighted mean of outcome values, `None` when nothing counted.
fn mean(items: impl Iterator<Item = (f64, Outcome)>) -> Option<f64> {
    let (mut total, mut weights) = (0.0, 0.0);
    for (weight, outcome) in items {
        if let Some(v) = value(outcome) {
            total += weight * v;
            weights += weight;
        }
    }
    (weights > 0.0).then(|| total / weights)
}

/// The score of a set of check results for a question.
pub fn score(question: &Question, checks: &[CheckResult]) -> u32 {
    let weight = |id: &str| {
        question
            .checks
            .iter()
            .find(|c| c.id == id)
            .map_or(1.0, |c| c.weight)
    };
    let content = mean(
        checks
            .iter()
            .filter(|c| !DELIVERY_CHECKS.contains(&c.id.as_str()))
            .map(|c| (weight(&c.id), c.outcome)),
    );
    let delivery = mean(
        checks
            .iter()
            .filter(|c| DELIVERY_CHECKS.contains(&c.id.as_str()))
            .map(|c| (1.0, c.outcome)),
    );
    let total = match (content, delivery) {
        (Some(c), Some(d)) => CONTENT_SHARE * c + (1.0 - CONTENT_SHARE) * d,
        (Some(c), None) => c,
        (None, Some(d)) => d,
        (None, None) => 0.0,
    };
    (total * 100.0).round().clamp(0.0, 100.0) as u32
}

/// One line summing up the answer.
pub fn verdict(score: u32, checks: &[CheckResult]) -> String {
    let count = |o: Outcome| checks.iter().filter(|c| c.outcome == o).count();
    let head = match score {
        85.. => "Strong answer",
        65..=84 => "A good answer with a few things to tighten",
        40..=64 => "Needs work",
        _ => "Rework this answer before the interview",
    };
    format!(
        "{head}: {} pass, {} warn, {} fail.",
        count(Outcome::Pass),
        count(Outcome::Warn),
        count(Outcome::Fail)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::Bank;

    fn r(id: &str, outcome: Outcome) -> CheckResult {
        CheckResult {
            id: id.into(),
            outcome,
            message: String::new(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn content_outweighs_delivery() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let mut good_content: Vec<CheckResult> =
            q.checks.iter().map(|c| r(&c.id, Outcome::Pass)).collect();
        good_content.extend(DELIVERY_CHECKS.iter().map(|id| r(id, Outcome::Fail)));
        let mut good_delivery: Vec<CheckResult> =
            q.checks.iter().map(|c| r(&c.id, Outcome::Fail)).collect();
        good_delivery.extend(DELIVERY_CHECKS.iter().map(|id| r(id, Outcome::Pass)));
        assert_eq!(score(q, &good_content), 70);
        assert_eq!(score(q, &good_delivery), 30);
        let text_only: Vec<CheckResult> =
            q.checks.iter().map(|c| r(&c.id, Outcome::Warn)).collect();
        assert_eq!(score(q, &text_only), 50);
    }
}
