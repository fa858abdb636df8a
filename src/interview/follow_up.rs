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

/// Silence kept around the cut when two answers are joined.
const JOIN_MARGIN: f64 = 0.3;

/// The first answer and a follow-up as one answer: the follow-up's words and samples come after the
/// first's. The silence after the first answer's last word and before the follow-up's first word
/// is cut (keeping [`JOIN_MARGIN`]), so the join does not count as a long pause; the follow-up's
/// word times are offset to match.
pub fn combine(first: &Take, follow: &Take) -> Take {
    let rate = f64::from(crate::audio::resample::WHISPER_RATE);
    let first_end = first
        .transcript
        .words
        .last()
        .map_or(first.duration_seconds(), |w| {
            (w.end + JOIN_MARGIN).min(first.duration_seconds())
        });
    let follow_start = follow
        .transcript
        .words
        .first()
        .map_or(0.0, |w| (w.start - JOIN_MARGIN).max(0.0));
    let offset = first_end - follow_start;
    let mut words: Vec<Word> = first.transcript.words.clone();
    words.extend(follow.transcript.words.iter().map(|w| Word {
        start: w.start + offset,
        end: w.end + offset,
        ..w.clone()
    }));
    let duration = first_end + (follow.duration_seconds() - follow_start).max(0.0);
    let mut transcript = Transcript::from_words(first.transcript.model.clone(), duration, words);
    if first.transcript.words.is_empty() && follow.transcript.words.is_empty() {
        transcript.text = join_text(&first.transcript.text, &follow.transcript.text);
    }
    let cut = |seconds: f64, len: usize| ((seconds * rate).round() as usize).min(len);
    let mut samples = first.samples[..cut(first_end, first.samples.len())].to_vec();
    samples.extend_from_slice(&follow.samples[cut(follow_start, follow.samples.len())..]);
    Take {
        transcript,
        samples,
        track: None,
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
            track: None,
            recording: None,
            interrupted: false,
        }
    }

    #[test]
    fn combine_offsets_the_follow_up_by_the_first_answer() {
        // "failed." ends at 1.3 s of a 4 s answer; "I" starts 2.2 s into a 4 s follow-up.
        let first = take(vec![word("I", 0.5), word("failed.", 1.0)], 4.0);
        let second = take(vec![word("I", 2.2), word("learned.", 2.6)], 4.0);
        let both = combine(&first, &second);
        assert_eq!(both.transcript.text, "I failed. I learned.");
        // Cut at 1.3 + 0.3 and from 2.2 - 0.3: the follow-up's words move by 1.6 - 1.9.
        let gap = both.transcript.words[2].start - both.transcript.words[1].end;
        assert!((gap - 0.6).abs() < 1e-9, "{gap}");
        assert!((both.transcript.words[3].start - (2.6 - 0.3)).abs() < 1e-9);
        assert!((both.transcript.duration_seconds - (1.6 + 2.1)).abs() < 1e-9);
        assert_eq!(both.samples.len(), 25_600 + 33_600);
    }

    #[test]
    fn no_lesson_asks_what_was_learned_and_the_lesson_recovers_it() {
        let bank = Bank::shipped().unwrap();
        let question = bank.get("failure").unwrap();
        let first = analyze_text(
            question,
            "Yes. Last year at my job I missed a deadline for a client report because I planned badly. \
             The client was upset and my manager had to apologise to them.",
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
             The client was upset and my manager had to apologise to them. \
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
