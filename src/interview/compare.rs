//! Retry and compare: a new attempt at a question beside the previous one.

use std::fmt::Write;

use crate::analysis::{Outcome, Report};

/// A check whose outcome changed between attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedCheck {
    /// The check id.
    pub id: String,
    /// Its outcome in the previous attempt.
    pub before: Outcome,
    /// Its outcome now.
    pub after: Outcome,
}

/// The figures of two attempts side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Attempt numbers (previous, new).
    pub attempts: (u32, u32),
    /// Scores (previous, new).
    pub score: (u32, u32),
    /// Speaking time in seconds (previous, new), when measured.
    pub speaking_seconds: (Option<f64>, Option<f64>),
    /// Words per minute.
    pub words_per_minute: (Option<f64>, Option<f64>),
    /// Fillers per minute.
    pub fillers_per_minute: (Option<f64>, Option<f64>),
    /// Checks whose outcome changed, in the new report's order.
    pub changed: Vec<ChangedCheck>,
}

impl Comparison {
    /// Compares the previous attempt's report with the new one's.
    pub fn new(previous: &Report, attempt_before: u32, new: &Report, attempt: u32) -> Comparison {
        let figure =
            |r: &Report, f: fn(&crate::analysis::Delivery) -> f64| r.delivery.as_ref().map(f);
        let changed = new
            .checks
            .iter()
            .filter_map(|now| {
                let then = previous.check(&now.id)?;
                (then.outcome != now.outcome).then(|| ChangedCheck {
                    id: now.id.clone(),
                    before: then.outcome,
                    after: now.outcome,
                })
            })
            .collect();
        Comparison {
            attempts: (attempt_before, attempt),
            score: (previous.score, new.score),
            speaking_seconds: (
                figure(previous, |d| d.speaking_seconds),
                figure(new, |d| d.speaking_seconds),
            ),
            words_per_minute: (
                figure(previous, |d| d.words_per_minute),
                figure(new, |d| d.words_per_minute),
            ),
            fillers_per_minute: (
                figure(previous, |d| d.fillers.per_minute),
                figure(new, |d| d.fillers.per_minute),
            ),
            changed,
        }
    }

    /// A small table: one row per figure, the previous attempt left, the new one right.
    pub fn render(&self) -> String {
        let number = |v: Option<f64>, decimals: usize| match v {
            Some(v) => format!("{v:.decimals$}"),
            None => "-".into(),
        };
        let mut out = String::new();
        let (a, b) = self.attempts;
        let _ = writeln!(
            out,
            "{:<18}{:>12}{:>12}",
            "",
            format!("attempt {a}"),
            format!("attempt {b}")
        );
        let mut row = |name: &str, x: String, y: String| {
            let _ = writeln!(out, "{name:<18}{x:>12}{y:>12}");
        };
        row("score", self.score.0.to_string(), self.score.1.to_string());
        row(
            "speaking time (s)",
            number(self.speaking_seconds.0, 1),
            number(self.speaking_seconds.1, 1),
        );
        row(
            "words per minute",
            number(self.words_per_minute.0, 0),
            number(self.words_per_minute.1, 0),
        );
        row(
            "fillers per min",
            number(self.fillers_per_minute.0, 1),
            number(self.fillers_per_minute.1, 1),
        );
        if self.changed.is_empty() {
            out.push_str("no check changed\n");
        } else {
            for c in &self.changed {
                let _ = writeln!(
                    out,
                    "{}: {} -> {}",
                    c.id,
                    c.before.as_str(),
                    c.after.as_str()
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_text;
    use crate::questions::Bank;

    #[test]
    fn a_better_retry_shows_the_score_and_the_checks_that_changed() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let before = analyze_text(q, "No, I can't think of one.");
        let after = analyze_text(
            q,
            "Yes. At my last job I missed a client deadline because I planned badly. I learned to \
             plan in weekly milestones, and on the next project we delivered early.",
        );
        let c = Comparison::new(&before, 1, &after, 2);
        assert!(c.score.1 > c.score.0, "{c:?}");
        let admits = c.changed.iter().find(|x| x.id == "admits-failure").unwrap();
        assert_eq!(
            (admits.before, admits.after),
            (Outcome::Fail, Outcome::Pass)
        );
        let text = c.render();
        assert!(
            text.contains("attempt 1") && text.contains("attempt 2"),
            "{text}"
        );
        assert!(text.contains("admits-failure: fail -> pass"), "{text}");
        // Written answers have no delivery: shown as dashes, not zeros.
        assert!(
            text.lines()
                .any(|l| l.starts_with("words per minute") && l.contains('-'))
        );
    }

    #[test]
    fn the_same_answer_changes_nothing() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let r = analyze_text(q, "I missed a deadline at work and learned to plan.");
        let c = Comparison::new(&r, 1, &r, 2);
        assert!(c.changed.is_empty());
        assert!(c.render().contains("no check changed"));
    }
}
