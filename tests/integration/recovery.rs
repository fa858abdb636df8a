//! Issue 16.3's last gap: an answer whose session is killed (SIGKILL, a second Ctrl-C, a power cut)
//! while it is being transcribed left its WAV with no answer, so `review` never reached it. The next
//! start (`rehearse practice`, or `rehearse history --recover`) transcribes it with the real model,
//! analyses it against its question and stores it marked recovered; a recording that cannot be read
//! is stored as skipped, not tried again on every start; a session another process holds is left
//! alone.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rehearse::history::{NewAnswer, QuestionNote, Store};

use crate::harness::Rehearse;
use crate::practice::{LESSON, NO_LESSON, json_in, spoken};
use crate::signals::{ONE_ANSWER, signal_while_transcribing};
use crate::virtual_audio::{PulseCable, spawn_rehearse};

const LONG: Duration = Duration::from_secs(120);

fn run_in(home: &Path, args: &[&str]) -> crate::harness::Run {
    Rehearse::new().env("REHEARSE_HOME", home).args(args).run()
}

fn stored_answers(home: &Path) -> i64 {
    let conn = rusqlite::Connection::open(home.join(rehearse::history::DATABASE_FILE)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM answers", [], |row| row.get(0))
        .unwrap()
}

/// SIGKILL while the answer is transcribed, on both transcription paths; the next start stores it.
/// After `--batch`, `rehearse history --recover` is the next command; after the incremental path,
/// the next `rehearse practice`. Either way `review` reaches the answer, marked recovered, and a
/// second recovery finds nothing left (no answer is stored twice).
#[test]
fn an_answer_killed_while_it_was_transcribed_is_stored_on_the_next_start() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let answer = spoken(dir.path(), "answer", NO_LESSON);
    for batch in [true, false] {
        let home = dir.path().join(if batch { "batch" } else { "incremental" });
        let (code, err) = signal_while_transcribing(&cable, &home, &answer, batch, "KILL");
        assert_eq!(code, None, "killed by the signal:\n{err}");
        assert_eq!(
            stored_answers(&home),
            0,
            "batch {batch}: the kill came after the answer was stored, so nothing was left to recover:\n{err}"
        );
        let wav = home.join("recordings/1/1.wav");
        assert!(wav.is_file(), "the killed answer's recording is kept");
        assert!(
            home.join("recordings/1/1.question.json").is_file(),
            "the note says what it answers"
        );

        // `history` only reads: it says what waits and the command that stores it.
        let listed = run_in(&home, &["history"]);
        listed.success();
        assert!(
            listed.stderr().contains("not stored") && listed.stderr().contains("--recover"),
            "{}",
            listed.stderr()
        );

        if batch {
            let out = run_in(&home, &["history", "--recover"]).success();
            assert!(out.contains("recovered answer 1 of session 1"), "{out}");
        } else {
            let next = spawn_rehearse(&ONE_ANSWER, &cable.envs_with_home(&home));
            let line = next.wait_for_line("recovered answer", LONG);
            assert!(line.contains("answer 1 of session 1"), "{line}");
            next.signal("INT");
            let _ = next.wait(LONG);
        }

        let review = json_in(&home, &["review", "1", "--json"]);
        let first = &review["answers"][0];
        let text = first["report"]["transcript"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(
            text.contains("deadline") && text.contains("client"),
            "batch {batch}: {review}"
        );
        assert_eq!(first["recovered"], true, "{review}");
        assert_eq!(first["report"]["recovered"], true, "{review}");
        assert_eq!(first["question_id"], "failure", "{review}");
        assert!(first["score"].is_u64(), "scored like any answer: {review}");
        assert!(
            wav.is_file(),
            "the recording is kept and the answer points at it"
        );
        let shown = run_in(&home, &["review", "1"]).success();
        assert!(shown.contains("recovered:"), "{shown}");

        let again = run_in(&home, &["history", "--recover"]).success();
        assert!(again.contains("nothing to recover"), "{again}");
        assert_eq!(stored_answers(&home), 1, "batch {batch}");
    }
}

/// Recordings left in three states, recovered without audio devices: one that is not a WAV at all
/// (stored as skipped, saying why, and not tried again), one from before notes were written (its
/// question read from the session's list), and one whose session another process holds (left
/// alone until it is released).
#[test]
fn damaged_noteless_and_held_recordings_are_each_handled_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let speech = spoken(dir.path(), "answer", NO_LESSON);
    let mut store = Store::open(&home).unwrap();
    let settings = serde_json::json!({"questions": ["failure"]});
    let note = QuestionNote {
        question_id: "failure".into(),
        prompt: "Have you ever failed at something?".into(),
        attempt: 1,
        follow_up_check: None,
    };
    let damaged = store.start_session(SystemTime::now(), &settings).unwrap();
    let wav = store.new_recording_for(damaged, &note).unwrap();
    std::fs::write(&wav, b"this is not a recording").unwrap();
    let noteless = store.start_session(SystemTime::now(), &settings).unwrap();
    let wav = store.new_recording(noteless).unwrap();
    std::fs::copy(&speech, &wav).unwrap();
    let busy = store.start_session(SystemTime::now(), &settings).unwrap();
    let held = store.hold_open(busy).unwrap();
    let wav = store.new_recording_for(busy, &note).unwrap();
    std::fs::copy(&speech, &wav).unwrap();

    let out = run_in(&home, &["history", "--recover"]).success();
    println!("{out}");
    assert!(
        out.contains(&format!("answer 1 of session {damaged}")) && out.contains("as skipped"),
        "{out}"
    );
    assert!(
        out.contains(&format!("recovered answer 1 of session {noteless}")),
        "{out}"
    );
    assert!(!out.contains(&format!("session {busy}")), "held: {out}");

    let review = json_in(&home, &["review", &damaged.to_string(), "--json"]);
    let report = &review["answers"][0]["report"];
    assert_eq!(report["skipped"], true, "{review}");
    assert!(
        report["recovery_note"]
            .as_str()
            .is_some_and(|n| n.contains("cannot be read")),
        "{review}"
    );
    let shown = run_in(&home, &["review", &damaged.to_string()]).success();
    assert!(
        shown.contains("skipped: the recording cannot be read"),
        "{shown}"
    );

    let review = json_in(&home, &["review", &noteless.to_string(), "--json"]);
    let first = &review["answers"][0];
    assert_eq!(first["question_id"], "failure", "{review}");
    let text = first["report"]["transcript"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(text.contains("deadline"), "{review}");

    // Only the held session's recording waits; once released, it is recovered, and then nothing.
    let again = run_in(&home, &["history", "--recover"]).success();
    assert!(again.contains("nothing to recover"), "{again}");
    drop(held);
    let out = json_in(&home, &["history", "--recover", "--json"]);
    assert_eq!(out["recovered"][0]["session"], busy.0, "{out}");
    assert_eq!(out["recovered"][0]["position"], 1, "{out}");
    assert_eq!(out["recovered"][0]["skipped"], false, "{out}");
    assert_eq!(out["left"], serde_json::json!([]), "{out}");
    let again = run_in(&home, &["history", "--recover"]).success();
    assert!(again.contains("nothing to recover"), "{again}");
    assert_eq!(stored_answers(&home), 3);
}

/// A follow-up killed before it was stored is recovered as a follow-up: it points at the answer it
/// follows, is analysed joined to it as the flow joins them (so the check it probed can be
/// recovered), and keeps its own transcript beside the joined one.
#[test]
fn a_follow_up_killed_before_it_was_stored_is_joined_to_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let first = spoken(dir.path(), "first", NO_LESSON);
    let lesson = spoken(dir.path(), "lesson", LESSON);
    let report = run_in(
        &home,
        &[
            "analyze",
            first.to_str().unwrap(),
            "--question",
            "failure",
            "--json",
        ],
    )
    .success();
    let mut store = Store::open(&home).unwrap();
    let session = store
        .start_session(
            SystemTime::now(),
            &serde_json::json!({"questions": ["failure"]}),
        )
        .unwrap();
    let asked = QuestionNote {
        question_id: "failure".into(),
        prompt: "Have you ever failed at anything?".into(),
        attempt: 1,
        follow_up_check: None,
    };
    let wav = store.new_recording_for(session, &asked).unwrap();
    std::fs::copy(&first, &wav).unwrap();
    let mut answer = NewAnswer::from_report(report).unwrap();
    answer.recording = Some(wav);
    let first_id = store.save_answer(session, &answer).unwrap();
    let follow = QuestionNote {
        prompt: "What did you learn from that?".into(),
        follow_up_check: Some("turnaround-or-lesson".into()),
        ..asked
    };
    let wav = store.new_recording_for(session, &follow).unwrap();
    std::fs::copy(&lesson, &wav).unwrap();

    let out = run_in(&home, &["history", "--recover"]).success();
    assert!(
        out.contains(&format!("recovered answer 2 of session {session}")),
        "{out}"
    );
    let review = json_in(&home, &["review", &session.to_string(), "--json"]);
    let second = &review["answers"][1];
    assert_eq!(second["follow_up_of"], first_id.0, "{review}");
    assert_eq!(
        second["follow_up_check"], "turnaround-or-lesson",
        "{review}"
    );
    assert_eq!(second["question_text"], "What did you learn from that?");
    assert_eq!(second["recovered"], true, "{review}");
    let report = &second["report"];
    let own = report["transcript"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        own.contains("milestones") && !own.contains("deadline"),
        "{own}"
    );
    let joined = report["follow_up"]["combined_transcript"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        joined.contains("deadline") && joined.contains("milestones"),
        "{joined}"
    );
    let recovered = report["follow_up"]["recovered"].as_array().unwrap();
    assert!(
        recovered.iter().any(|c| c == "turnaround-or-lesson"),
        "the follow-up recovered the lesson: {report}"
    );
}
