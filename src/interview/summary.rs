//! The end of a session: the score per question and the two or three things most worth practising.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::analysis::{Outcome, Report};
use crate::questions::Question;

/// One question's line in the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionScore {
    /// The question's id.
    pub id: String,
    /// The words asked.
    pub text: String,
    /// The final score (last attempt, follow-ups included).
    pub score: u32,
    /// Nothing was said: the answer is stored as skipped and the score means nothing.
    pub skipped: bool,
}

/// Something worth practising next.
#[derive(Debug, Clone, PartialEq)]
pub struct Tip {
    /// The check behind it.
    pub check: String,
    /// The coaching sentence.
    pub message: String,
    /// Answers in which the check failed or warned.
    pub answers: usize,
}

/// The session summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Per question, in the order asked.
    pub scores: Vec<QuestionScore>,
    /// At most three things to practise, the most important first.
    pub practise: Vec<Tip>,
}

impl Summary {
    /// Builds the summary from each answered question's final report. A check's importance is its
    /// outcome (fail 2, warn 1) times its weight in the question (delivery checks weigh 1), summed
    /// over the answers.
    pub fn new(answered: &[(&Question, &Report)]) -> Summary {
        let scores = answered
            .iter()
            .map(|(q, r)| QuestionScore {
                id: q.id.clone(),
                text: q.text.clone(),
                score: r.score,
                skipped: r.transcript.words.is_empty() && r.transcript.text.trim().is_empty(),
            })
            .collect();
        // check id -> (importance, answers, first seen, message)
        let mut weights: BTreeMap<String, (f64, usize, usize, String)> = BTreeMap::new();
        let mut order = 0;
        for (question, report) in answered {
            for check in &report.checks {
                let severity = match check.outcome {
                    Outcome::Fail => 2.0,
                    Outcome::Warn => 1.0,
                    _ => continue,
                };
                let weight = question
                    .checks
                    .iter()
                    .find(|c| c.id == check.id)
                    .map_or(1.0, |c| c.weight);
                let entry = weights
                    .entry(check.id.clone())
                    .or_insert_with(|| (0.0, 0, order, check.message.clone()));
                entry.0 += severity * weight;
                entry.1 += 1;
                order += 1;
            }
        }
        let mut ranked: Vec<_> = weights.into_iter().collect();
        ranked.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.1.2.cmp(&b.1.2)));
        let practise = ranked
            .into_iter()
            .take(3)
            .map(|(check, (_, answers, _, message))| Tip {
                check,
                message,
                answers,
            })
            .collect();
        Summary { scores, practise }
    }

    /// The summary as text.
    pub fn render(&self) -> String {
        let mut out = String::from("Session summary\n");
        if self.scores.is_empty() {
            out.push_str("  no question was answered\n");
            return out;
        }
        for s in &self.scores {
            if s.skipped {
                let _ = writeln!(out, "  skipped  {} (nothing was said)", s.text);
            } else {
                let _ = writeln!(out, "  {:>3}/100  {}", s.score, s.text);
            }
        }
        if self.practise.is_empty() {
            out.push_str("Nothing stood out to practise: every check passed.\n");
        } else {
            out.push_str("Practise next:\n");
            for (i, tip) in self.practise.iter().enumerate() {
                let _ = writeln!(out, "  {}. {} ({})", i + 1, tip.message, tip.check);
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
    fn scores_per_question_and_at_most_three_tips_most_important_first() {
        let bank = Bank::shipped().unwrap();
        let failure = bank.get("failure").unwrap();
        let flat = analyze_text(failure, "No, I can't think of one.");
        let good = analyze_text(
            failure,
            "Yes. At my last job I missed a client deadline because I planned badly. I learned to \
             plan in weekly milestones, and on the next project we delivered early.",
        );
        let summary = Summary::new(&[(failure, &flat), (failure, &good)]);
        assert_eq!(summary.scores.len(), 2);
        assert_eq!(summary.scores[0].score, flat.score);
        assert!((1..=3).contains(&summary.practise.len()), "{summary:?}");
        // admits-failure fails with weight 3: the most important.
        assert_eq!(summary.practise[0].check, "admits-failure");
        let text = summary.render();
        assert!(
            text.contains("Practise next:") && text.contains("Have you ever failed"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_session_says_so() {
        assert!(
            Summary::default()
                .render()
                .contains("no question was answered")
        );
    }
}
