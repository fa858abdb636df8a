//! The session flow: each question, its follow-ups, retries, and storing every answer as soon as
//! its feedback is ready.

use crate::analysis::{self, Report};
use crate::questions::Question;

use super::{
    Asked, Choice, Comparison, Feedback, Frontend, InterviewError, Keeper, Kept, Outcome, Summary,
    Take, Turn, follow_up,
};

/// How the interviewer behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Ask follow-up questions when a check fails or warns.
    pub follow_ups: bool,
    /// At most this many follow-ups per attempt at a question.
    pub max_follow_ups: usize,
}

impl Default for Options {
    /// Follow-ups on, at most two per question.
    fn default() -> Self {
        Options {
            follow_ups: true,
            max_follow_ups: 2,
        }
    }
}

fn analyse(question: &Question, take: &Take) -> Report {
    let audio = (!take.samples.is_empty()).then_some(take.samples.as_slice());
    analysis::analyze_tracked(question, &take.transcript, audio, take.track.as_ref())
}

/// Runs a session over `questions`. Every answer is handed to the keeper the moment it has been
/// analysed, before its feedback is shown, so an error or a kill later loses nothing answered.
/// Returns what was answered and the summary (the caller shows it).
pub fn run(
    questions: &[&Question],
    options: &Options,
    front: &mut dyn Frontend,
    keeper: &mut dyn Keeper,
) -> Result<(Outcome, Summary), InterviewError> {
    let mut outcome = Outcome::default();
    let mut finals: Vec<(&Question, Report)> = Vec::new();
    'questions: for (index, &question) in questions.iter().enumerate() {
        let mut previous: Option<(u32, Report)> = None;
        let mut attempt = 1;
        loop {
            let turn = Turn {
                question,
                prompt: &question.text,
                follow_up_check: None,
                attempt,
                number: index + 1,
                total: questions.len(),
            };
            let take = match front.ask(&turn)? {
                Asked::Answer(take) => take,
                Asked::Skip => {
                    if let Some((_, report)) = previous {
                        finals.push((question, report));
                    }
                    continue 'questions;
                }
                Asked::Quit => {
                    outcome.quit = true;
                    if let Some((_, report)) = previous {
                        finals.push((question, report));
                    }
                    break 'questions;
                }
            };
            let mut report = analyse(question, &take);
            let first_id = keeper.keep(&Kept {
                question_id: &question.id,
                prompt: &question.text,
                attempt,
                follow_up_of: None,
                follow_up_check: None,
                recording: take.recording.as_deref(),
                report_json: serde_json::to_string(&report)?,
            })?;
            outcome.kept += 1;
            let mut interrupted = take.interrupted;
            let mut joined = take;
            let mut asked: Vec<String> = Vec::new();
            let mut recovered: Vec<String> = Vec::new();
            let mut follow_turn_prompt: Option<(String, String)> = None;
            let choice = loop {
                let next =
                    (options.follow_ups && !interrupted && asked.len() < options.max_follow_ups)
                        .then(|| follow_up::choose(question, &report, &asked))
                        .flatten()
                        .map(|(check, prompt)| (check.to_string(), prompt.to_string()));
                let comparison = match (&previous, &next) {
                    (Some((before, old)), None) => {
                        Some(Comparison::new(old, *before, &report, attempt))
                    }
                    _ => None,
                };
                let shown_turn = Turn {
                    prompt: follow_turn_prompt
                        .as_ref()
                        .map_or(question.text.as_str(), |p| p.1.as_str()),
                    follow_up_check: follow_turn_prompt.as_ref().map(|p| p.0.as_str()),
                    ..turn.clone()
                };
                let choice = front.feedback(&Feedback {
                    turn: &shown_turn,
                    report: &report,
                    recovered: &recovered,
                    follow_up_next: next.is_some(),
                    ending: interrupted,
                    comparison: comparison.as_ref(),
                })?;
                let Some((check, prompt)) = next else {
                    break choice;
                };
                if choice == Choice::Quit {
                    break choice;
                }
                asked.push(check.clone());
                let follow_turn = Turn {
                    prompt: &prompt,
                    follow_up_check: Some(&check),
                    ..turn.clone()
                };
                let follow = match front.ask(&follow_turn)? {
                    Asked::Answer(follow) => follow,
                    Asked::Skip => break Choice::Next,
                    Asked::Quit => break Choice::Quit,
                };
                let both = follow_up::combine(&joined, &follow);
                let combined = analyse(question, &both);
                let alone = analyse(question, &follow);
                recovered = follow_up::recovered(&report, &combined);
                keeper.keep(&Kept {
                    question_id: &question.id,
                    prompt: &prompt,
                    attempt,
                    follow_up_of: Some(first_id),
                    follow_up_check: Some(&check),
                    recording: follow.recording.as_deref(),
                    report_json: follow_up::stored_report(&combined, &alone, &check, &recovered)?,
                })?;
                outcome.kept += 1;
                interrupted |= follow.interrupted;
                report = combined;
                joined = both;
                follow_turn_prompt = Some((check, prompt));
            };
            if interrupted || choice == Choice::Quit {
                outcome.quit = true;
                finals.push((question, report));
                break 'questions;
            }
            if choice == Choice::Retry {
                previous = Some((attempt, report));
                attempt += 1;
                continue;
            }
            finals.push((question, report));
            break;
        }
    }
    let pairs: Vec<(&Question, &Report)> = finals.iter().map(|(q, r)| (*q, r)).collect();
    let summary = Summary::new(&pairs);
    outcome.answered = finals.into_iter().map(|(q, r)| (q.id.clone(), r)).collect();
    Ok((outcome, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::Bank;
    use crate::transcript::{Transcript, Word};
    use std::collections::VecDeque;

    /// Hands back prepared answers (timed words from text) and prepared choices; records what it saw.
    #[derive(Default)]
    struct Fake {
        answers: VecDeque<Option<&'static str>>,
        choices: VecDeque<Choice>,
        prompts: Vec<String>,
        feedback: Vec<(u32, Vec<String>, bool, Option<Comparison>)>,
        interrupt_on: Option<usize>,
    }

    fn take(text: &str, interrupted: bool) -> Take {
        let words = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.into(),
                start: 0.5 + i as f64 * 0.4,
                end: 0.8 + i as f64 * 0.4,
                probability: 0.9,
                filler: false,
            })
            .collect::<Vec<_>>();
        let seconds = 1.0 + words.len() as f64 * 0.4;
        Take {
            transcript: Transcript::from_words("fake", seconds, words),
            samples: Vec::new(),
            track: None,
            recording: None,
            interrupted,
        }
    }

    impl Frontend for Fake {
        fn ask(&mut self, turn: &Turn<'_>) -> Result<Asked, InterviewError> {
            self.prompts.push(turn.prompt.to_string());
            let interrupted = self.interrupt_on == Some(self.prompts.len());
            Ok(match self.answers.pop_front() {
                Some(Some(text)) => Asked::Answer(take(text, interrupted)),
                Some(None) => Asked::Skip,
                None => Asked::Quit,
            })
        }
        fn feedback(&mut self, f: &Feedback<'_>) -> Result<Choice, InterviewError> {
            self.feedback.push((
                f.report.score,
                f.recovered.to_vec(),
                f.follow_up_next,
                f.comparison.cloned(),
            ));
            Ok(if f.follow_up_next || f.ending {
                Choice::Next
            } else {
                self.choices.pop_front().unwrap_or(Choice::Next)
            })
        }
    }

    type Row = (
        String,
        String,
        u32,
        Option<i64>,
        Option<String>,
        serde_json::Value,
    );

    #[derive(Default)]
    struct Kept2 {
        rows: Vec<Row>,
        fail_at: Option<usize>,
    }

    impl Keeper for Kept2 {
        fn keep(&mut self, a: &Kept<'_>) -> Result<i64, InterviewError> {
            if self.fail_at == Some(self.rows.len()) {
                return Err(InterviewError::Frontend(anyhow::anyhow!(
                    "the disk is full"
                )));
            }
            self.rows.push((
                a.question_id.into(),
                a.prompt.into(),
                a.attempt,
                a.follow_up_of,
                a.follow_up_check.map(String::from),
                serde_json::from_str(&a.report_json).unwrap(),
            ));
            Ok(self.rows.len() as i64)
        }
    }

    const NO_LESSON: &str = "Yes. Last year at my job I missed a deadline for a client report because \
        I planned badly. The client was upset and my manager had to apologise to them.";
    const LESSON: &str = "I learned to break big work into weekly milestones. On the next project I \
        used them and we delivered two days early, and it has not happened since.";
    const GOOD: &str = "Yes. At my last job I missed a client deadline because I planned badly. I \
        learned to plan in weekly milestones, and on the next project we delivered two days early.";

    #[test]
    fn a_missing_lesson_is_probed_and_the_follow_up_is_kept_with_what_it_recovered() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let mut front = Fake {
            answers: VecDeque::from([Some(NO_LESSON), Some(LESSON), Some("I do.")]),
            ..Fake::default()
        };
        let mut keeper = Kept2::default();
        let (outcome, summary) = run(&[q], &Options::default(), &mut front, &mut keeper).unwrap();
        assert_eq!(front.prompts[0], q.text);
        assert_eq!(front.prompts[1], "What did you learn from that?");
        assert_eq!(
            keeper.rows[1].3,
            Some(1),
            "the follow-up points at the first answer"
        );
        assert_eq!(keeper.rows[1].4.as_deref(), Some("turnaround-or-lesson"));
        let recovered = keeper.rows[1].5["follow_up"]["recovered"]
            .as_array()
            .unwrap();
        assert!(
            recovered.iter().any(|c| c == "turnaround-or-lesson"),
            "{recovered:?}"
        );
        assert!(
            front.feedback[1]
                .1
                .contains(&"turnaround-or-lesson".to_string())
        );
        assert!(
            front.feedback[0].2,
            "the first feedback announces a follow-up"
        );
        assert!(keeper.rows.len() <= 3, "at most two follow-ups");
        assert_eq!(outcome.kept, keeper.rows.len());
        assert_eq!(summary.scores.len(), 1);
        assert!(summary.scores[0].score > front.feedback[0].0);
    }

    #[test]
    fn no_follow_ups_when_turned_off() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let mut front = Fake {
            answers: VecDeque::from([Some(NO_LESSON)]),
            ..Fake::default()
        };
        let mut keeper = Kept2::default();
        let options = Options {
            follow_ups: false,
            ..Options::default()
        };
        let (outcome, _) = run(&[q], &options, &mut front, &mut keeper).unwrap();
        assert_eq!(front.prompts.len(), 1);
        assert_eq!((outcome.kept, outcome.quit), (1, false));
    }

    #[test]
    fn a_retry_is_compared_with_the_previous_attempt() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let mut front = Fake {
            answers: VecDeque::from([Some("No, I can't think of one."), Some(GOOD)]),
            choices: VecDeque::from([Choice::Retry, Choice::Next]),
            ..Fake::default()
        };
        let mut keeper = Kept2::default();
        let options = Options {
            follow_ups: false,
            ..Options::default()
        };
        let (_, summary) = run(&[q], &options, &mut front, &mut keeper).unwrap();
        assert_eq!(keeper.rows.iter().map(|r| r.2).collect::<Vec<_>>(), [1, 2]);
        let comparison = front.feedback[1].3.as_ref().expect("a comparison");
        assert_eq!(comparison.attempts, (1, 2));
        assert!(comparison.score.1 > comparison.score.0);
        assert!(comparison.changed.iter().any(|c| c.id == "admits-failure"));
        assert_eq!(
            summary.scores[0].score, comparison.score.1,
            "the last attempt counts"
        );
    }

    #[test]
    fn skip_moves_on_and_quit_ends_keeping_what_was_answered() {
        let bank = Bank::shipped().unwrap();
        let ids = ["failure", "greatest-weakness", "conflict"];
        let qs: Vec<_> = ids.iter().map(|id| bank.get(id).unwrap()).collect();
        let mut front = Fake {
            answers: VecDeque::from([None, Some(GOOD)]),
            ..Fake::default()
        };
        let mut keeper = Kept2::default();
        let options = Options {
            follow_ups: false,
            ..Options::default()
        };
        let (outcome, summary) = run(&qs, &options, &mut front, &mut keeper).unwrap();
        assert_eq!(
            front.prompts.len(),
            3,
            "skipped, answered, then quit at the third"
        );
        assert!(outcome.quit);
        assert_eq!(keeper.rows.len(), 1);
        assert_eq!(keeper.rows[0].0, "greatest-weakness");
        assert_eq!(summary.scores.len(), 1);
    }

    #[test]
    fn an_interrupted_answer_is_kept_and_ends_the_session() {
        let bank = Bank::shipped().unwrap();
        let qs = [bank.get("failure").unwrap(), bank.get("conflict").unwrap()];
        let mut front = Fake {
            answers: VecDeque::from([Some(NO_LESSON), Some(LESSON)]),
            interrupt_on: Some(1),
            ..Fake::default()
        };
        let mut keeper = Kept2::default();
        let (outcome, _) = run(&qs, &Options::default(), &mut front, &mut keeper).unwrap();
        assert!(outcome.quit);
        assert_eq!(front.prompts.len(), 1, "no follow-up, no next question");
        assert_eq!(keeper.rows.len(), 1);
    }

    #[test]
    fn a_failed_save_stops_the_session_with_the_error() {
        let bank = Bank::shipped().unwrap();
        let qs = [bank.get("failure").unwrap(), bank.get("conflict").unwrap()];
        let mut front = Fake {
            answers: VecDeque::from([Some(GOOD), Some(GOOD)]),
            ..Fake::default()
        };
        let mut keeper = Kept2 {
            fail_at: Some(1),
            ..Kept2::default()
        };
        let options = Options {
            follow_ups: false,
            ..Options::default()
        };
        let err = run(&qs, &options, &mut front, &mut keeper).unwrap_err();
        assert!(err.to_string().contains("disk is full"), "{err}");
        assert_eq!(keeper.rows.len(), 1, "the first answer was kept before");
    }
}
