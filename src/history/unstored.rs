//! Recordings the history holds no answer for: a session killed (SIGKILL, a second Ctrl-C, a power
//! cut) after an answer's WAV was written but before its answer row was stored leaves
//! `recordings/<session>/N.wav` that `review` never reaches. This module finds them; the practice
//! flow's recovery ([`crate::interview::recovery`]) transcribes and stores them.
//!
//! So that a recovered answer is analysed against the question it answered (a session's retries
//! and follow-ups make the recording's number no guide), the practice flow writes a small note
//! beside each recording before it starts, `N.question.json`: the question's id, the words the
//! interviewer said, the attempt and the check a follow-up probed ([`QuestionNote`]). The note is
//! kept with the recording (a repaired database that lost the answer row can recover it too) and
//! goes with the session's folder when the session is deleted.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::private_file;
use super::{HistoryError, RECORDINGS_DIR, SessionId, Store};

/// What a recording answers, written beside it before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionNote {
    /// The question's id in the bank (`failure`).
    pub question_id: String,
    /// The words the interviewer said (for a follow-up, the follow-up prompt).
    pub prompt: String,
    /// 1 for the first try at the question, 2 and up for retries.
    pub attempt: u32,
    /// For a follow-up, the check it probes.
    pub follow_up_check: Option<String>,
}

/// A recording with no answer in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Unstored {
    /// Its session.
    pub session: SessionId,
    /// Its number in the session's folder (`3` for `3.wav`).
    pub number: u32,
    /// The WAV file.
    pub recording: PathBuf,
    /// What it answers, when the note beside it could be read.
    pub note: Option<QuestionNote>,
}

/// The note beside a recording: `N.wav` has `N.question.json`.
pub fn note_path(recording: &Path) -> PathBuf {
    recording.with_extension("question.json")
}

/// Reads the note beside `recording`; `None` when there is none or it cannot be read (a recording
/// from before notes were written, or a note cut short by the crash).
pub fn read_note(recording: &Path) -> Option<QuestionNote> {
    let text = std::fs::read_to_string(note_path(recording)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the note beside `recording` (mode 0600).
pub(crate) fn write_note(recording: &Path, note: &QuestionNote) -> Result<(), HistoryError> {
    let path = note_path(recording);
    private_file(&path, "write the recording's question note")?;
    let text = serde_json::to_string(note).map_err(HistoryError::BadReport)?;
    std::fs::write(&path, text).map_err(|source| HistoryError::Io {
        action: "write the recording's question note",
        path,
        source,
    })
}

/// The number of a recording the history named: `N.wav` with N a number (other files are not
/// rehearse's answers and are left alone).
pub(crate) fn recording_number(path: &Path) -> Option<u32> {
    path.file_name()?
        .to_str()?
        .strip_suffix(".wav")
        .filter(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()
}

impl Store {
    /// Reserves the next recording of `session` like [`Store::new_recording`] and writes `note`
    /// beside it, so an answer whose session is killed before it is stored can be recovered
    /// against its question.
    pub fn new_recording_for(
        &self,
        session: SessionId,
        note: &QuestionNote,
    ) -> Result<PathBuf, HistoryError> {
        let path = self.new_recording(session)?;
        write_note(&path, note)?;
        Ok(path)
    }

    /// Every recording of a session the history knows that has no answer, by session then number,
    /// leaving out sessions another process is practising now (their newest recording is the answer
    /// being given). A folder whose session is not in the history is left alone.
    pub fn unstored_recordings(&self) -> Result<Vec<Unstored>, HistoryError> {
        let mut out = Vec::new();
        for session in self.session_ids()? {
            if super::open_session::is_held(self.data_dir(), session) {
                continue;
            }
            out.extend(self.unstored_in(session)?);
        }
        Ok(out)
    }

    /// The recordings of one session that have no answer, by number (held or not: the caller holds
    /// the session when it means to store them).
    pub fn unstored_in(&self, session: SessionId) -> Result<Vec<Unstored>, HistoryError> {
        let dir = self.recordings_dir(session);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let stored: HashSet<PathBuf> = self
            .stored_recordings(session)?
            .into_iter()
            .map(|r| self.data_dir().join(r))
            .collect();
        let mut out: Vec<Unstored> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file() && !stored.contains(path))
            .filter_map(|path| {
                let number = recording_number(&path)?;
                Some(Unstored {
                    session,
                    number,
                    note: read_note(&path),
                    recording: path,
                })
            })
            .collect();
        out.sort_by_key(|u| u.number);
        Ok(out)
    }

    /// Holds `session` as [`Store::hold_open`] does, unless another process holds it now (`None`):
    /// whoever stores a recovered answer holds the session first, so two processes never store the
    /// same recording twice and `delete` waits for them.
    pub fn try_hold(&self, session: SessionId) -> Result<Option<super::OpenSession>, HistoryError> {
        super::open_session::try_hold(self.data_dir(), session)
    }

    /// Another process holds `session` now (a practice in progress, or a recovery).
    pub fn is_held(&self, session: SessionId) -> bool {
        super::open_session::is_held(self.data_dir(), session)
    }

    fn session_ids(&self) -> Result<Vec<SessionId>, HistoryError> {
        if !self.data_dir().join(RECORDINGS_DIR).is_dir() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare("SELECT id FROM sessions ORDER BY id")?;
        let ids = stmt
            .query_map([], |row| Ok(SessionId(row.get(0)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    fn stored_recordings(&self, session: SessionId) -> Result<Vec<String>, HistoryError> {
        let mut stmt = self.conn().prepare(
            "SELECT recording FROM answers WHERE session_id = ?1 AND recording IS NOT NULL",
        )?;
        let rows = stmt
            .query_map([session.0], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::history::NewAnswer;

    const REPORT: &str = r#"{"question": {"id": "failure", "text": "Have you ever failed?"},
      "transcript": {"text": "I missed a deadline", "words": []}, "checks": [], "score": 60}"#;

    fn note(id: &str, attempt: u32) -> QuestionNote {
        QuestionNote {
            question_id: id.into(),
            prompt: format!("{id}?"),
            attempt,
            follow_up_check: None,
        }
    }

    #[test]
    fn recordings_without_an_answer_are_found_and_held_sessions_left_out() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path()).unwrap();
        let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let first = store.start_session(start, &serde_json::json!({})).unwrap();
        let second = store.start_session(start, &serde_json::json!({})).unwrap();
        let busy = store.start_session(start, &serde_json::json!({})).unwrap();

        // Session 1: answer 1 stored, answer 2 (a retry) killed before it was stored.
        let one = store.new_recording_for(first, &note("failure", 1)).unwrap();
        let mut answer = NewAnswer::from_report(REPORT).unwrap();
        answer.recording = Some(one.clone());
        store.save_answer(first, &answer).unwrap();
        let two = store.new_recording_for(first, &note("failure", 2)).unwrap();
        // Files that are not the history's recordings are never taken for answers.
        std::fs::write(store.recordings_dir(first).join("mine.wav"), b"x").unwrap();
        std::fs::write(store.recordings_dir(first).join("7.txt"), b"x").unwrap();
        // Session 2: a recording from before notes were written.
        let old = store.new_recording(second).unwrap();
        // Session 3 is being practised by another process: its recording is the answer in progress.
        let _held = store.hold_open(busy).unwrap();
        store.new_recording_for(busy, &note("conflict", 1)).unwrap();
        // A folder whose session is not in the history.
        std::fs::create_dir_all(tmp.path().join("recordings/99")).unwrap();
        std::fs::write(tmp.path().join("recordings/99/1.wav"), b"").unwrap();

        let found = store.unstored_recordings().unwrap();
        assert_eq!(
            found,
            vec![
                Unstored {
                    session: first,
                    number: 2,
                    recording: two,
                    note: Some(note("failure", 2)),
                },
                Unstored {
                    session: second,
                    number: 1,
                    recording: old,
                    note: None,
                },
            ]
        );
        assert_eq!(store.unstored_in(busy).unwrap().len(), 1);
        assert!(store.try_hold(busy).unwrap().is_none(), "held elsewhere");
        let claimed = store.try_hold(first).unwrap();
        assert!(claimed.is_some());

        // Once stored, the recording is no longer listed.
        let mut retry = NewAnswer::from_report(REPORT).unwrap();
        retry.recording = Some(found[0].recording.clone());
        store.save_answer(first, &retry).unwrap();
        assert!(store.unstored_in(first).unwrap().is_empty());
    }

    #[test]
    fn a_damaged_note_reads_as_none_and_names_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let wav = tmp.path().join("3.wav");
        std::fs::write(note_path(&wav), "{\"question_id\": \"fail").unwrap();
        assert_eq!(read_note(&wav), None);
        assert_eq!(note_path(&wav), tmp.path().join("3.question.json"));
        assert_eq!(recording_number(&wav), Some(3));
        assert_eq!(recording_number(&tmp.path().join("3.question.json")), None);
        assert_eq!(recording_number(&tmp.path().join(".wav")), None);
    }
}
