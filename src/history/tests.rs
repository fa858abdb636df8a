//! Tests of [`Store`] on a real SQLite file in a temporary folder.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

const REPORT: &str = r#"{"question": {"id": "failure", "text": "Have you ever failed at anything?"},
  "transcript": {"text": "I missed a deadline", "words": []},
  "delivery": {"speaking_seconds": 80.0, "words_per_minute": 140.0,
               "fillers": {"count": 4, "per_minute": 3.0, "items": []}},
  "checks": [], "score": 72}"#;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn the_folder_and_files_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nested/data");
    let mut store = Store::open(&data).unwrap();
    let session = store
        .start_session(at(1_700_000_000), &serde_json::json!({}))
        .unwrap();
    let wav = store.new_recording(session).unwrap();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join(DATABASE_FILE)), 0o600);
    assert_eq!(mode(&data.join(format!("{DATABASE_FILE}-wal"))), 0o600);
    assert_eq!(mode(&data.join(RECORDINGS_DIR)), 0o700);
    assert_eq!(mode(wav.parent().unwrap()), 0o700);
    assert_eq!(mode(&wav), 0o600);
    let journal: String = store
        .conn_for_tests()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn an_answer_round_trips_with_its_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let session = store
        .start_session(at(1_700_000_000), &serde_json::json!({"questions": 3}))
        .unwrap();
    let wav = store.new_recording(session).unwrap();
    assert_eq!(
        wav,
        tmp.path()
            .join("recordings")
            .join(session.to_string())
            .join("1.wav")
    );
    let mut first = NewAnswer::from_report(REPORT).unwrap();
    first.recording = Some(wav.clone());
    let first_id = store.save_answer(session, &first).unwrap();
    let mut follow = NewAnswer::from_report(REPORT.replace("72}", "88}")).unwrap();
    follow.question_text = "What did you learn from that?".into();
    follow.follow_up_of = Some(first_id);
    follow.follow_up_check = Some("lesson-applied".into());
    store.save_answer(session, &follow).unwrap();
    store.finish_session(session, at(1_700_000_300)).unwrap();

    let loaded = store.load_session(session).unwrap();
    assert_eq!(loaded.settings["questions"], 3);
    assert_eq!(loaded.summary.finished_at, Some(1_700_000_300));
    assert_eq!(loaded.answers.len(), 2);
    let a = &loaded.answers[0];
    assert_eq!((a.position, a.attempt, a.score), (1, 1, Some(72)));
    assert_eq!(a.question_id, "failure");
    assert_eq!(a.recording.as_deref(), Some(wav.as_path()));
    assert_eq!(a.report_json, REPORT);
    assert_eq!(a.words_per_minute, Some(140.0));
    assert_eq!(a.fillers_per_minute, Some(3.0));
    let b = &loaded.answers[1];
    assert_eq!(
        (b.position, b.follow_up_of, b.score),
        (2, Some(first_id), Some(88))
    );
    assert_eq!(b.follow_up_check.as_deref(), Some("lesson-applied"));
    // One question; its score is the follow-up's, which covers both answers.
    assert_eq!(
        (loaded.summary.questions, loaded.summary.score),
        (1, Some(88.0))
    );
    assert_eq!(loaded.summary.speaking_seconds, 160.0);
}

#[test]
fn recordings_are_numbered_without_reuse() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let session = store.start_session(at(0), &serde_json::json!({})).unwrap();
    let names: Vec<String> = (0..3)
        .map(|_| {
            store
                .new_recording(session)
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into()
        })
        .collect();
    assert_eq!(names, ["1.wav", "2.wav", "3.wav"]);
}

#[test]
fn unknown_sessions_and_an_empty_history_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    assert!(matches!(
        store.latest_session(),
        Err(HistoryError::NoSessions)
    ));
    assert!(matches!(
        store.load_session(SessionId(4)),
        Err(HistoryError::UnknownSession(_))
    ));
    assert!(matches!(
        store.delete_session(SessionId(4)),
        Err(HistoryError::UnknownSession(_))
    ));
    let answer = NewAnswer::from_report(REPORT).unwrap();
    assert!(matches!(
        store.save_answer(SessionId(4), &answer),
        Err(HistoryError::UnknownSession(_))
    ));
    assert!(matches!(
        NewAnswer::from_report("{not json"),
        Err(HistoryError::BadReport(_))
    ));
    assert!("abc".parse::<SessionId>().is_err());
    assert!("0".parse::<SessionId>().is_err());
    assert_eq!("#7".parse::<SessionId>().unwrap(), SessionId(7));
}

#[test]
fn deleting_a_session_leaves_the_others_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let mut wavs = Vec::new();
    let mut ids = Vec::new();
    for start in [100, 200] {
        let session = store
            .start_session(at(start), &serde_json::json!({}))
            .unwrap();
        let wav = store.new_recording(session).unwrap();
        std::fs::write(&wav, b"RIFF").unwrap();
        let mut answer = NewAnswer::from_report(REPORT).unwrap();
        answer.recording = Some(wav.clone());
        store.save_answer(session, &answer).unwrap();
        wavs.push(wav);
        ids.push(session);
    }
    let deleted = store.delete_session(ids[0]).unwrap();
    assert_eq!((deleted.answers, deleted.recordings), (1, 1));
    assert!(!wavs[0].exists() && !store.recordings_dir(ids[0]).exists());
    assert!(wavs[1].exists());
    let left: Vec<SessionId> = store
        .list_sessions()
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, [ids[1]]);
    assert_eq!(store.load_session(ids[1]).unwrap().answers.len(), 1);
    assert_eq!(store.latest_session().unwrap(), ids[1]);
}

#[test]
fn a_second_connection_sees_committed_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = Store::open(tmp.path()).unwrap();
    let reader = Store::open(tmp.path()).unwrap();
    let session = writer.start_session(at(5), &serde_json::json!({})).unwrap();
    writer
        .save_answer(session, &NewAnswer::from_report(REPORT).unwrap())
        .unwrap();
    // No finish_session: an interrupted session still shows its answers.
    let listed = reader.list_sessions().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].answers, listed[0].finished_at), (1, None));
}

#[test]
fn a_damaged_database_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(DATABASE_FILE), vec![b'x'; 4096]).unwrap();
    let err = Store::open(tmp.path()).err().unwrap();
    assert!(matches!(err, HistoryError::Damaged { .. }), "{err}");
    assert!(
        err.to_string().contains("rehearse history --repair"),
        "{err}"
    );
}

#[test]
fn answered_lists_main_answers_oldest_session_first_without_follow_ups() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    // The later session is started first, so id order and time order differ.
    let later = store
        .start_session(at(1_700_100_000), &serde_json::json!({}))
        .unwrap();
    let earlier = store
        .start_session(at(1_700_000_000), &serde_json::json!({}))
        .unwrap();
    let main = store
        .save_answer(earlier, &NewAnswer::from_report(REPORT).unwrap())
        .unwrap();
    let mut follow = NewAnswer::from_report(REPORT).unwrap();
    follow.follow_up_of = Some(main);
    follow.follow_up_check = Some("lesson-applied".into());
    store.save_answer(earlier, &follow).unwrap();
    let mut other = NewAnswer::from_report(REPORT).unwrap();
    other.question_id = "conflict".into();
    other.score = Some(30);
    store.save_answer(later, &other).unwrap();
    let answered = store.answered().unwrap();
    let seen: Vec<(SessionId, &str, Option<u32>)> = answered
        .iter()
        .map(|a| (a.session, a.question_id.as_str(), a.score))
        .collect();
    assert_eq!(
        seen,
        vec![
            (earlier, "failure", Some(72)),
            (later, "conflict", Some(30))
        ]
    );
}

#[test]
fn a_read_only_history_opens_in_a_folder_named_with_uri_characters() {
    // Issue 15: the read-only URI took `?`, `#` and `%` in the path for URI syntax.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("a?b#c%41 d");
    let session = {
        let mut store = Store::open(&data).unwrap();
        let session = store
            .start_session(at(1_700_000_000), &serde_json::json!({}))
            .unwrap();
        store
            .save_answer(session, &NewAnswer::from_report(REPORT).unwrap())
            .unwrap();
        session
    };
    assert!(super::store::file_uri(&data).ends_with("a%3Fb%23c%2541%20d"));
    let conn = super::store::open_read_only(&data.join(super::store::DATABASE_FILE)).unwrap();
    let answers: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM answers WHERE session_id = ?1",
            [session.0],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(answers, 1);
}

#[test]
fn an_answer_with_nothing_said_is_stored_skipped_and_left_out_of_the_figures() {
    // Issue 16 item 7: Ctrl-C at once stored an empty answer scored 23, which skewed the trend.
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let session = store
        .start_session(at(1_700_000_000), &serde_json::json!({}))
        .unwrap();
    store
        .save_answer(session, &NewAnswer::from_report(REPORT).unwrap())
        .unwrap();
    let empty = r#"{"question": {"id": "failure", "text": "Have you ever failed at anything?"},
      "transcript": {"text": " ", "words": []},
      "delivery": {"speaking_seconds": 0.0, "words_per_minute": 0.0,
                   "fillers": {"count": 0, "per_minute": 0.0, "items": []}},
      "checks": [], "score": 23}"#;
    let skipped = NewAnswer::from_report(empty).unwrap();
    assert_eq!(
        (
            skipped.score,
            skipped.speaking_seconds,
            skipped.words_per_minute
        ),
        (None, None, None)
    );
    assert!(is_skipped(&skipped.report_json));
    assert!(!is_skipped(REPORT));
    // A retry in which nothing was said keeps the attempt before it as the question's score.
    store.save_answer(session, &skipped).unwrap();
    let loaded = store.load_session(session).unwrap();
    assert_eq!(loaded.summary.score, Some(72.0));
    assert_eq!((loaded.summary.answers, loaded.summary.skipped), (2, 1));
    assert_eq!(loaded.answers[1].score, None);
}
