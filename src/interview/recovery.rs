//! Answers whose session was stopped before they were stored (SIGKILL or a second Ctrl-C while the
//! answer was being transcribed, a power cut): their recordings are on disk with no answer in the
//! history ([`crate::history::unstored`]). [`recover`] transcribes each with the loaded model,
//! analyses it against the question it answered (the note written beside the recording, else the
//! session's question list) and stores it like any answer, in its own session, with
//! `"recovered": true` added to its report so the review can say so. A recording that holds no
//! speech or cannot be read is stored as skipped (with `"recovery_note"` saying why) rather than
//! tried again on every start; nothing is deleted.
//!
//! A session another process holds (a practice in progress, or another recovery) is left alone:
//! each session is held while its answers are recovered, so two processes never store one
//! recording twice, and `delete` waits.

use std::collections::BTreeSet;

use crate::analysis::{self, Report};
use crate::audio::decode;
use crate::history::{
    AnswerId, HistoryError, NewAnswer, QuestionNote, Session, SessionId, Store, StoredAnswer,
    Unstored,
};
use crate::questions::{Bank, Question};
use crate::transcribe::Transcriber;
use crate::transcript::{Transcript, Word};

use super::{Take, follow_up};

/// What became of one recording (as JSON: `{"session": 12, "position": 1, "skipped": false,
/// "why": null}`, or `{"session": 12, "number": 3, "why": "..."}` for one left).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Recovery {
    /// Stored as an answer of its session.
    Stored {
        /// The session.
        session: SessionId,
        /// The answer's place in the session (what `rehearse review` numbers it).
        position: u32,
        /// Stored as skipped: nothing was said, or the recording could not be read (`why`).
        skipped: bool,
        /// Why it was skipped when the recording could not be read or transcribed.
        why: Option<String>,
    },
    /// Left as it is, to be tried again (its question is no longer in the bank).
    Left {
        /// The session.
        session: SessionId,
        /// The recording's number in the session's folder.
        number: u32,
        /// Why, and what to do.
        why: String,
    },
}

impl Recovery {
    /// One line for the candidate.
    pub fn line(&self) -> String {
        match self {
            Recovery::Stored {
                session,
                position,
                skipped: false,
                ..
            } => format!(
                "recovered answer {position} of session {session} (its session stopped before the \
                 answer was stored); `rehearse review {session}` shows it"
            ),
            Recovery::Stored {
                session,
                position,
                why,
                ..
            } => format!(
                "recovered answer {position} of session {session} (its session stopped before the \
                 answer was stored) as skipped: {}",
                why.as_deref().unwrap_or("its recording holds no speech")
            ),
            Recovery::Left {
                session,
                number,
                why,
            } => format!("cannot recover recording {number} of session {session} yet: {why}"),
        }
    }
}

/// Recovers every unstored recording of every session no other process holds, in session and
/// recording order, calling `each` after each one (so a line can be printed at once). Stops
/// between recordings when `stop` says so; what is left is recovered on a later start.
pub fn recover(
    store: &mut Store,
    bank: &Bank,
    transcriber: &Transcriber,
    stop: &dyn Fn() -> bool,
    each: &mut dyn FnMut(&Recovery),
) -> Result<Vec<Recovery>, HistoryError> {
    let sessions: BTreeSet<SessionId> = store
        .unstored_recordings()?
        .into_iter()
        .map(|u| u.session)
        .collect();
    let mut done = Vec::new();
    for session in sessions {
        if stop() {
            break;
        }
        // Held (by a practice that started since, or another recovery): theirs to store.
        let Some(_held) = store.try_hold(session)? else {
            continue;
        };
        // Listed again under the hold: another process may have stored some meanwhile.
        for unstored in store.unstored_in(session)? {
            if stop() {
                break;
            }
            let outcome = recover_one(store, bank, transcriber, &unstored)?;
            each(&outcome);
            done.push(outcome);
        }
    }
    Ok(done)
}

fn recover_one(
    store: &mut Store,
    bank: &Bank,
    transcriber: &Transcriber,
    unstored: &Unstored,
) -> Result<Recovery, HistoryError> {
    let session = store.load_session(unstored.session)?;
    let left = |why: String| Recovery::Left {
        session: unstored.session,
        number: unstored.number,
        why,
    };
    let Some(note) = unstored
        .note
        .clone()
        .or_else(|| note_from_settings(&session, bank))
    else {
        return Ok(left(
            "the session does not say which question it answers; `rehearse transcribe` reads it"
                .into(),
        ));
    };
    let Some(question) = bank.get(&note.question_id) else {
        return Ok(left(format!(
            "its question `{}` is no longer in the question bank; put the question's file back and \
             run `rehearse history --recover`",
            note.question_id
        )));
    };
    let (take, why) = transcribe(transcriber, unstored);
    let follow_up_of = note
        .follow_up_check
        .as_ref()
        .and_then(|_| parent(&session, &note));
    let report_json = match (&note.follow_up_check, follow_up_of) {
        (Some(check), Some(parent_id)) => {
            let joined = joined_before(&session, parent_id, transcriber.model_name());
            let before = analyse(question, &joined);
            let both = follow_up::combine(&joined, &take);
            let combined = analyse(question, &both);
            let alone = analyse(question, &take);
            let recovered = follow_up::recovered(&before, &combined);
            follow_up::stored_report(&combined, &alone, check, &recovered)
                .map_err(HistoryError::BadReport)?
        }
        _ => serde_json::to_string(&analyse(question, &take)).map_err(HistoryError::BadReport)?,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(&report_json).map_err(HistoryError::BadReport)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("recovered".into(), serde_json::Value::Bool(true));
        if let Some(why) = &why {
            object.insert("recovery_note".into(), why.clone().into());
        }
    }
    let mut answer = NewAnswer::from_report(value.to_string())?;
    let skipped = crate::history::is_skipped(&answer.report_json);
    answer.question_id = note.question_id.clone();
    answer.question_text = note.prompt.clone();
    answer.attempt = note.attempt.max(1);
    answer.follow_up_of = follow_up_of;
    answer.follow_up_check = note.follow_up_check.clone();
    answer.recording = Some(unstored.recording.clone());
    store.save_answer(unstored.session, &answer)?;
    let position = session
        .answers
        .iter()
        .map(|a| a.position)
        .max()
        .unwrap_or(0)
        + 1;
    Ok(Recovery::Stored {
        session: unstored.session,
        position,
        skipped,
        why,
    })
}

/// The recording transcribed as a whole file, as `--batch` does; an unreadable recording or a
/// failed transcription gives an empty take and says why.
fn transcribe(transcriber: &Transcriber, unstored: &Unstored) -> (Take, Option<String>) {
    let empty = |why: String| {
        let take = Take {
            transcript: Transcript::from_words(transcriber.model_name(), 0.0, Vec::new()),
            samples: Vec::new(),
            track: None,
            recording: Some(unstored.recording.clone()),
            interrupted: false,
        };
        (take, Some(why))
    };
    let audio = match decode::read_wav(&unstored.recording) {
        Ok(audio) => audio,
        Err(err) => return empty(format!("the recording cannot be read ({err})")),
    };
    let transcript = if audio.samples.is_empty() {
        Transcript::from_words(transcriber.model_name(), 0.0, Vec::new())
    } else {
        match transcriber.transcribe(&audio.samples) {
            Ok(transcript) => transcript,
            Err(err) => return empty(format!("the recording cannot be transcribed ({err:#})")),
        }
    };
    let take = Take {
        transcript,
        samples: audio.samples,
        track: None,
        recording: Some(unstored.recording.clone()),
        interrupted: false,
    };
    (take, None)
}

fn analyse(question: &Question, take: &Take) -> Report {
    let audio = (!take.samples.is_empty()).then_some(take.samples.as_slice());
    analysis::analyze(question, &take.transcript, audio)
}

/// For a recording from before notes were written: the session's first question with no answer
/// yet (a kill during the first answer is the usual case), else its last question as a new attempt.
fn note_from_settings(session: &Session, bank: &Bank) -> Option<QuestionNote> {
    let ids: Vec<&str> = session
        .settings
        .get("questions")?
        .as_array()?
        .iter()
        .filter_map(|id| id.as_str())
        .collect();
    let answered = |id: &str| session.answers.iter().any(|a| a.question_id == id);
    let id = ids.iter().find(|id| !answered(id)).or_else(|| ids.last())?;
    let question = bank.get(id)?;
    let attempt = session
        .answers
        .iter()
        .filter(|a| a.question_id == *id)
        .map(|a| a.attempt)
        .max()
        .map_or(1, |a| a + 1);
    Some(QuestionNote {
        question_id: question.id.clone(),
        prompt: question.text.clone(),
        attempt,
        follow_up_check: None,
    })
}

/// The main answer a follow-up follows: the session's last answer to the same question and attempt
/// that is not itself a follow-up.
fn parent(session: &Session, note: &QuestionNote) -> Option<AnswerId> {
    session
        .answers
        .iter()
        .filter(|a| {
            a.follow_up_of.is_none()
                && a.question_id == note.question_id
                && a.attempt == note.attempt
        })
        .map(|a| a.id)
        .next_back()
}

/// The main answer and the follow-ups stored after it, joined as the flow joins them before the
/// next follow-up: what the recovered follow-up is analysed with.
fn joined_before(session: &Session, parent: AnswerId, model: &str) -> Take {
    let mut chain = session
        .answers
        .iter()
        .filter(|a| a.id == parent || a.follow_up_of == Some(parent))
        .map(|a| stored_take(a, model));
    let first = chain.next().unwrap_or_else(|| empty_take(model));
    chain.fold(first, |joined, next| follow_up::combine(&joined, &next))
}

/// A stored answer as a take: its report's words (the follow-up's own, for a follow-up) and its
/// recording's samples.
fn stored_take(answer: &StoredAnswer, model: &str) -> Take {
    let samples = answer
        .recording
        .as_deref()
        .and_then(|path| decode::read_wav(path).ok())
        .map(|audio| audio.samples)
        .unwrap_or_default();
    let report: Option<Report> = serde_json::from_str(&answer.report_json).ok();
    let words: Vec<Word> = report
        .map(|r| r.transcript.words)
        .unwrap_or_default()
        .into_iter()
        .map(|w| Word {
            text: w.text,
            start: w.start,
            end: w.end,
            probability: 1.0,
            filler: w.filler,
        })
        .collect();
    let seconds = samples.len() as f64 / f64::from(crate::audio::resample::WHISPER_RATE);
    let seconds = words.last().map_or(seconds, |w| seconds.max(w.end));
    Take {
        transcript: Transcript::from_words(model, seconds, words),
        samples,
        track: None,
        recording: answer.recording.clone(),
        interrupted: false,
    }
}

fn empty_take(model: &str) -> Take {
    Take {
        transcript: Transcript::from_words(model, 0.0, Vec::new()),
        samples: Vec::new(),
        track: None,
        recording: None,
        interrupted: false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    const REPORT: &str = r#"{"question": {"id": "failure", "text": "Have you ever failed?"},
      "transcript": {"text": "I missed a deadline", "words": []}, "checks": [], "score": 60}"#;

    fn stored(store: &mut Store, session: SessionId, id: &str, attempt: u32) -> AnswerId {
        let mut answer = NewAnswer::from_report(REPORT).unwrap();
        answer.question_id = id.into();
        answer.attempt = attempt;
        store.save_answer(session, &answer).unwrap()
    }

    #[test]
    fn a_recording_without_a_note_answers_the_first_unanswered_question_else_retries_the_last() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path()).unwrap();
        let bank = Bank::shipped().unwrap();
        let settings = serde_json::json!({"questions": ["failure", "conflict"]});
        let session = store.start_session(SystemTime::now(), &settings).unwrap();
        let note = |store: &Store| note_from_settings(&store.load_session(session).unwrap(), &bank);

        let first = note(&store).unwrap();
        assert_eq!((first.question_id.as_str(), first.attempt), ("failure", 1));
        assert_eq!(first.prompt, bank.get("failure").unwrap().text);
        stored(&mut store, session, "failure", 1);
        let second = note(&store).unwrap();
        assert_eq!(
            (second.question_id.as_str(), second.attempt),
            ("conflict", 1)
        );
        stored(&mut store, session, "conflict", 1);
        let retry = note(&store).unwrap();
        assert_eq!((retry.question_id.as_str(), retry.attempt), ("conflict", 2));

        let bare = store
            .start_session(SystemTime::now(), &serde_json::json!({}))
            .unwrap();
        assert_eq!(
            note_from_settings(&store.load_session(bare).unwrap(), &bank),
            None
        );
    }

    #[test]
    fn a_follow_up_belongs_to_the_last_main_answer_of_its_question_and_attempt() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path()).unwrap();
        let session = store
            .start_session(SystemTime::now(), &serde_json::json!({}))
            .unwrap();
        let first = stored(&mut store, session, "failure", 1);
        let mut follow = NewAnswer::from_report(REPORT).unwrap();
        follow.question_id = "failure".into();
        follow.follow_up_of = Some(first);
        store.save_answer(session, &follow).unwrap();
        let retry = stored(&mut store, session, "failure", 2);
        let loaded = store.load_session(session).unwrap();
        let note = |attempt| QuestionNote {
            question_id: "failure".into(),
            prompt: "What did you learn?".into(),
            attempt,
            follow_up_check: Some("turnaround-or-lesson".into()),
        };
        assert_eq!(parent(&loaded, &note(1)), Some(first));
        assert_eq!(parent(&loaded, &note(2)), Some(retry));
        assert_eq!(parent(&loaded, &note(3)), None);
    }
}
