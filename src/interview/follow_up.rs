//! Follow-up questions: which one to ask after an answer, how the follow-up is joined to the first
//! answer for analysis, and what it recovered.

use crate::analysis::{Outcome, Report};
use crate::questions::Question;
use crate::transcript::{Transcript, Word};

use super::Take;

/// The most important check that failed or warned and has a follow-up not asked yet: failures
/// before warnings, then the question's order of checks. Returns the check id and the prompt.
pub fn choose<'q>(
    question: &'q Question,
    report: &Report,
    asked: &[String],
) -> Option<(&'q str, &'q str)> {
    let open = |wanted: Outcome| {
        question.checks.iter().find_map(|spec| {
            let result = report.check(&spec.id)?;
            if result.outcome != wanted || asked.iter().any(|a| a == &spec.id) {
                return None;
            }
            let prompt = question.follow_up(&spec.id)?;
            Some((spec.id.as_str(), prompt))
        })
    };
    open(Outcome::Fail).or_else(|| open(Outcome::Warn))
}

/// The first answer and a follow-up as one answer: the follow-up's words and samples come after the
/// first's, its word times offset by the first answer's length.
pub fn combine(first: &Take, follow: &Take) -> Take {
    let offset = first.duration_seconds();
    let mut words: Vec<Word> = first.transcript.words.clone();
    words.extend(follow.transcript.words.iter().map(|w| Word {
        start: w.start + offset,
        end: w.end + offset,
        ..w.clone()
    }));
    let duration = offset + follow.duration_seconds();
    let mut transcript = Transcript::from_words(first.transcript.model.clone(), duration, words);
    if first.transcript.words.is_empty() && follow.transcript.words.is_empty() {
        transcript.text = join_text(&first.transcript.text, &follow.transcript.text);
    }
    let mut samples = first.samples.clone();
    samples.extend_from_slice(&follow.samples);
    Take {
        transcript,
        samples,
        recording: follow.recording.clone(),
        interrupted: follow.interrupted,
    }
}

fn join_text(a: &str, b: &str) -> String {
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (true, _) => b.trim().to_string(),
        (_, true) => a.trim().to_string(),
        _ => format!("{} {}", a.trim(), b.trim()),
    }
}

fn rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        Outcome::Pass => 2,
        Outcome::Skipped => 3,
    }
}

/// Content checks the follow-up improved: fail or warn before, better after (ids in report order).
pub fn recovered(before: &Report, after: &Report) -> Vec<String> {
    after
        .checks
        .iter()
        .filter(|now| !crate::analysis::checks::DELIVERY_CHECKS.contains(&now.id.as_str()))
        .filter(|now| {
            before.check(&now.id).is_some_and(|then| {
                matches!(then.outcome, Outcome::Fail | Outcome::Warn)
                    && now.outcome != Outcome::Skipped
                    && rank(now.outcome) > rank(then.outcome)
            })
        })
        .map(|now| now.id.clone())
        .collect()
}

/// The report to store for a follow-up: the checks, score and verdict of the combined answer, with
/// the follow-up's own transcript and delivery (so they line up with its recording and speaking time
/// is not counted twice), and a `follow_up` object naming the check probed and what it recovered.
pub fn stored_report(
    combined: &Report,
    alone: &Report,
    check: &str,
    recovered: &[String],
) -> Result<String, serde_json::Error> {
    let mut value = serde_json::to_value(combined)?;
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "transcript".into(),
            serde_json::to_value(&alone.transcript)?,
        );
        object.insert("delivery".into(), serde_json::to_value(&alone.delivery)?);
        object.insert(
            "follow_up".into(),
            serde_json::json!({
                "check": check,
                "recovered": recovered,
                "combined_transcript": combined.transcript.text,
            }),
        );
    }
    serde_json::to_string(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_text;
    use crate::questions::Bank;

    fn word(text: &str, start: f64) -> Word {
        Word {
            text: text.into(),
            start,
            end: start + 0.3,
            probability: 0.9,
            filler: false,
        }
    }

    fn take(words: Vec<Word>, seconds: f64) -> Take {
        Take {
            transcript: Transcript::from_words("test", seconds, words),
            samples: vec![0.0; (seconds * 16_000.0) as usize],
            recording: None,
            interrupted: false,
        }
    }

    #[test]
    fn combine_offsets_the_follow_up_by_the_first_answer() {
        let first = take(vec![word("I", 0.5), word("failed.", 1.0)], 2.0);
        let second = take(vec![word("I", 0.2), word("learned.", 0.6)], 1.5);
        let both = combine(&first, &second);
        assert_eq!(both.transcript.text, "I failed. I learned.");
        assert_eq!(both.transcript.words[2].start, 2.2);
        assert_eq!(both.transcript.words[3].end, 2.0 + 0.9);
        assert_eq!(both.samples.len(), 56_000);
        assert!((both.transcript.duration_seconds - 3.5).abs() < 1e-9);
    }

    #[test]
    fn no_lesson_asks_what_was_learned_and_the_lesson_recovers_it() {
        let bank = Bank::shipped().unwrap();
        let question = bank.get("failure").unwrap();
        let first = analyze_text(
            question,
            "Yes. Last year at my job I missed a deadline for a client report because I planned badly. \
             The report went out a week late and my manager had to apologise to the client.",
        );
        let (check, prompt) = choose(question, &first, &[]).expect("a follow-up");
        assert_eq!(check, "turnaround-or-lesson");
        assert_eq!(prompt, "What did you learn from that?");
        // Once asked, it is not asked again.
        let again = choose(question, &first, &[check.to_string()]);
        assert_ne!(again.map(|(c, _)| c), Some("turnaround-or-lesson"));
        let both = analyze_text(
            question,
            "Yes. Last year at my job I missed a deadline for a client report because I planned badly. \
             The report went out a week late and my manager had to apologise to the client. \
             I learned to break big work into weekly milestones. On the next project I used them and \
             we delivered two days early, and it hasn't happened since.",
        );
        let fixed = recovered(&first, &both);
        assert!(
            fixed.contains(&"turnaround-or-lesson".to_string()),
            "{fixed:?}"
        );
    }

    #[test]
    fn a_flat_no_asks_for_a_project_that_went_wrong() {
        let bank = Bank::shipped().unwrap();
        let question = bank.get("failure").unwrap();
        let report = analyze_text(question, "No, I can't think of one.");
        let (check, prompt) = choose(question, &report, &[]).unwrap();
        assert_eq!(check, "admits-failure");
        assert!(prompt.contains("didn't go as planned"), "{prompt}");
    }

    #[test]
    fn the_stored_report_keeps_combined_checks_and_own_transcript() {
        let bank = Bank::shipped().unwrap();
        let question = bank.get("failure").unwrap();
        let alone = analyze_text(question, "I learned to plan.");
        let combined = analyze_text(question, "I missed a deadline at work. I learned to plan.");
        let json = stored_report(&combined, &alone, "turnaround-or-lesson", &["x".into()]).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["transcript"]["text"], "I learned to plan.");
        assert_eq!(value["score"], combined.score);
        assert_eq!(value["follow_up"]["check"], "turnaround-or-lesson");
        assert_eq!(value["follow_up"]["recovered"][0], "x");
    }
}
