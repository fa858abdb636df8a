//! The setback an answer implies when no lexicon phrase names it: the structure of the story (a past
//! clause of the speaker's with a bad-outcome word, or the action a later lesson was learned from), so
//! one unknown phrasing of a failure does not fail every check that needs one.

use std::sync::LazyLock;

use super::features::own_action;
use super::lexicon as lx;
use super::pattern::{Hit, Pattern, compile, find_all, negated};
use super::text::{Doc, is_past_form};

/// When no phrase in the lexicons names the setback, the story's structure still can: a past
/// clause of the speaker's with a word of the bad-outcome class ("it ran two weeks late", "the
/// totals were off"), else, when a lesson follows, the speaker's first past action (the thing the
/// lesson was learned from, or the repair was made for). One unknown phrasing then costs one judgement, not six.
pub fn implied_setback(doc: &Doc) -> Option<Hit> {
    // Words that mean a bad result on their own; not "over", "off" or "later" ("took over",
    // "signed off"), nor negators ("nothing was late" is good news).
    const BAD: &[&str] = &[
        "late",
        "wrong",
        "short",
        "lower",
        "less",
        "fewer",
        "worse",
        "stale",
        "cold",
        "slow",
        "slower",
        "behind",
        "delayed",
        "broken",
        "angry",
        "unhappy",
        "badly",
        "poorly",
        "empty",
        "mistake",
        "problem",
        "problems",
        "issue",
        "issues",
        "complaint",
        "complaints",
        "lost",
        "missed",
        "too",
        "overdue",
        "chaos",
        "mess",
        "messy",
        "struggled",
        "struggling",
        "stuck",
        "confused",
        "wasted",
        "gap",
        "gaps",
        "hole",
        "holes",
        "clash",
        "conflict",
        "refund",
        "redo",
        "redid",
        "dropping",
        "quit",
        "quitting",
    ];
    static LESSON: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(lx::LESSONS));
    let speaker_past = |c: usize| {
        let clause = &doc.clauses[c];
        let words = doc.clause_norms(c);
        // "I" or "we" before the first past verb: "at my last job I promised ...".
        let verb = words.iter().position(|w| is_past_form(w)).unwrap_or(0);
        clause.past
            && !clause.future
            && !clause.hypothetical
            && words[..verb].iter().any(|w| ["i", "we"].contains(w))
    };
    let sentence_has_speaker = |c: usize| {
        let s = doc.clauses[c].sentence;
        (0..doc.clauses.len()).any(|o| doc.clauses[o].sentence == s && speaker_past(o))
    };
    for c in 0..doc.clauses.len() {
        let clause = &doc.clauses[c];
        if !(clause.past || clause.perfect) || clause.future || clause.hypothetical {
            continue;
        }
        let words = doc.clause_norms(c);
        if let Some(at) = words.iter().position(|w| BAD.contains(w))
            && !negated(
                doc,
                Hit {
                    clause: c,
                    start: at,
                    end: at + 1,
                },
            )
            && sentence_has_speaker(c)
        {
            return Some(Hit {
                clause: c,
                start: at,
                end: at + 1,
            });
        }
    }
    // A lesson, or a repair (an apology, a rerun, someone pointing it out), presumes a setback.
    static REPAIR: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
        compile(&[
            "apologi*|reran|redid|refunded|corrected",
            "owned up",
            "made it right",
            "put ~ right",
            "pointed it out",
            "caught it",
        ])
    });
    let lesson = find_all(doc, &LESSON)
        .into_iter()
        .chain(find_all(doc, &REPAIR))
        .min_by_key(|h| (h.clause, h.start))?;
    (0..lesson.clause).find(|&c| speaker_past(c)).and_then(|c| {
        own_action(doc, c).or(Some(Hit {
            clause: c,
            start: 0,
            end: 1,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implied(text: &str) -> Option<String> {
        let doc = Doc::from_text(text);
        implied_setback(&doc).map(|h| doc.clause_norms(h.clause).join(" "))
    }

    #[test]
    fn a_bad_outcome_word_in_the_speakers_story_is_the_setback() {
        let got = implied(
            "I took over the rota at the cafe and the weekend shifts were a mess for a month.",
        );
        assert!(got.is_some_and(|c| c.contains("mess")));
    }

    #[test]
    fn a_lesson_points_back_to_the_first_past_action() {
        let got = implied(
            "At my last job I promised a client a redesign in two weeks. It took five. I learned to quote in ranges.",
        );
        assert!(got.is_some_and(|c| c.contains("promised")),);
    }

    #[test]
    fn a_repair_points_back_to_what_needed_repairing() {
        let text = "I let a new starter's laptop request sit in my inbox for days. I apologised to her that afternoon.";
        let got = implied(text);
        assert!(got.as_ref().is_some_and(|c| c.contains("let")), "{got:?}");
    }

    #[test]
    fn no_story_and_no_lesson_implies_nothing() {
        assert_eq!(
            implied("I always plan carefully and I meet my goals."),
            None
        );
        assert_eq!(implied("Someday I will probably fail at something."), None);
    }

    #[test]
    fn a_negated_bad_word_is_not_a_setback() {
        assert_eq!(implied("We shipped it and nothing was ever late."), None);
    }
}
