//! Kept sessions on a real SQLite file: `rehearse history`, `review` and `delete` on sessions made
//! through the library (`rehearse::history::Store`) with issue-3 report JSON and generated WAVs, and
//! two processes writing the same database at once.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rehearse::history::{NewAnswer, SessionId, Store};
use serde_json::{Value, json};

use crate::harness::Rehearse;

/// A word with its start and end in seconds.
pub type Timed = (String, f64, f64);

/// Times the words of `text`: each word 0.3 s with 0.1 s between, plus `extra` seconds of silence
/// before the word at each given index.
pub fn timed(text: &str, start: f64, extra: &[(usize, f64)]) -> Vec<Timed> {
    let mut t = start;
    let mut words = Vec::new();
    for (i, word) in text.split_whitespace().enumerate() {
        t += extra
            .iter()
            .filter(|(at, _)| *at == i)
            .map(|(_, s)| s)
            .sum::<f64>();
        words.push((word.to_string(), t, t + 0.3));
        t += 0.4;
    }
    words
}

/// A report in the shape of `rehearse analyze --json` (issue 3) for these words.
pub fn report(question_id: &str, question_text: &str, words: &[Timed], score: u32) -> String {
    let is_filler = |w: &str| matches!(w.trim_matches(',').to_lowercase().as_str(), "um" | "uh");
    let speaking = words.last().map_or(0.0, |w| w.2) - words.first().map_or(0.0, |w| w.1);
    let minutes = speaking / 60.0;
    let fillers: Vec<Value> = words
        .iter()
        .filter(|w| is_filler(&w.0))
        .map(|w| json!({"text": w.0, "start": w.1}))
        .collect();
    let pauses: Vec<Value> = words
        .windows(2)
        .filter(|p| p[1].1 - p[0].2 >= 0.5)
        .map(|p| json!({"start": p[0].2, "end": p[1].1}))
        .collect();
    let text = words
        .iter()
        .map(|w| w.0.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let quote_start = words.iter().find(|w| w.0 == "missed").map(|w| w.1);
    json!({
        "question": {"id": question_id, "text": question_text},
        "transcript": {"text": text, "words": words.iter().map(|w| json!({
            "text": w.0, "start": w.1, "end": w.2, "filler": is_filler(&w.0)})).collect::<Vec<_>>()},
        "delivery": {"speaking_seconds": speaking, "start_latency_seconds": words.first().map_or(0.0, |w| w.1),
                     "words": words.len(), "words_per_minute": words.len() as f64 / minutes,
                     "fillers": {"count": fillers.len(), "per_minute": fillers.len() as f64 / minutes, "items": fillers},
                     "pauses": {"count": pauses.len(), "long_count": 1, "longest_seconds": 2.4, "items": pauses},
                     "untranscribed_sounds": []},
        "checks": [
            {"id": "admits-failure", "outcome": "pass", "message": "You own a real failure.",
             "evidence": [{"quote": "I missed the deadline", "start": quote_start}]},
            {"id": "lesson-applied", "outcome": "warn", "message": "Show the lesson working later.",
             "evidence": []}],
        "score": score
    })
    .to_string()
}

/// The flagship story: a filler at 0.4 s and a 2.4 s pause before "on".
pub fn failure_words() -> Vec<Timed> {
    timed(
        "So um I missed the deadline on my first project and I learned to plan",
        0.5,
        &[(6, 2.3)],
    )
}

/// A 16 kHz mono 16-bit WAV of a quiet tone, `seconds` long.
pub fn write_wav(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..(seconds * 16_000.0) as u32 {
        let t = f64::from(n) / 16_000.0;
        writer
            .write_sample(((t * 220.0 * std::f64::consts::TAU).sin() * 6000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}

/// Saves a session of the given reports (each with a recording of `wav_seconds` when set), finished.
pub fn seed_session(
    store: &mut Store,
    started: u64,
    reports: &[String],
    wav_seconds: Option<f64>,
) -> SessionId {
    let start = UNIX_EPOCH + Duration::from_secs(started);
    let session = store
        .start_session(start, &json!({"questions": reports.len()}))
        .unwrap();
    for report in reports {
        let mut answer = NewAnswer::from_report(report.as_str()).unwrap();
        if let Some(seconds) = wav_seconds {
            let path = store.new_recording(session).unwrap();
            write_wav(&path, seconds);
            answer.recording = Some(path);
        }
        store.save_answer(session, &answer).unwrap();
    }
    store
        .finish_session(session, start + Duration::from_secs(300))
        .unwrap();
    session
}

fn rehearse(home: &Path) -> Rehearse {
    Rehearse::new().env("REHEARSE_HOME", home)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Three sessions improving from score 50 to 80 with fewer fillers each time.
fn seed_three(home: &Path) -> Vec<SessionId> {
    let mut store = Store::open(home).unwrap();
    let q = "Have you ever failed at anything?";
    [
        (1_750_000_000, 50, "um uh um I failed"),
        (1_750_100_000, 60, "um I failed once"),
        (1_750_200_000, 80, "I missed the deadline"),
    ]
    .iter()
    .map(|(start, score, text)| {
        let words = timed(
            &format!("{text} and then we shipped it a week later than planned"),
            0.5,
            &[],
        );
        seed_session(
            &mut store,
            *start,
            &[report("failure", q, &words, *score)],
            None,
        )
    })
    .collect()
}

#[test]
fn history_lists_sessions_with_figures_and_a_trend() {
    let home = tempfile::tempdir().unwrap();
    let ids = seed_three(home.path());
    let out = rehearse(home.path()).arg("history").run().success();
    for id in &ids {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(&format!("{id} "))),
            "row {id} missing:\n{out}"
        );
    }
    let last_row = out
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{} ", ids[2])))
        .unwrap();
    assert!(last_row.contains(" 80 "), "{last_row}");
    assert!(
        out.contains("score        50 -> 80  ↑ +30 (better)"),
        "{out}"
    );
    assert!(out.contains("fillers/min") && out.contains("↓"), "{out}");

    let json: Value = serde_json::from_str(
        &rehearse(home.path())
            .args(["history", "--json"])
            .run()
            .success(),
    )
    .unwrap();
    let sessions = json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions[2]["id"], ids[2].0);
    assert_eq!(sessions[2]["score"], 80.0);
    assert_eq!(sessions[0]["questions"], 1);
    assert!(
        sessions[0]["fillers_per_minute"].as_f64().unwrap()
            > sessions[2]["fillers_per_minute"].as_f64().unwrap()
    );
    assert_eq!(json["trend"]["score_change"], 30.0);
    assert!(json["trend"]["fillers_per_minute_change"].as_f64().unwrap() < 0.0);
}

#[test]
fn an_empty_history_and_unknown_ids_give_clear_errors() {
    let home = tempfile::tempdir().unwrap();
    let out = rehearse(home.path()).arg("history").run().success();
    assert!(
        out.contains("no sessions yet; run `rehearse` to practise"),
        "{out}"
    );
    let json: Value = serde_json::from_str(
        &rehearse(home.path())
            .args(["history", "--json"])
            .run()
            .success(),
    )
    .unwrap();
    assert_eq!(json["sessions"].as_array().unwrap().len(), 0);

    let err = rehearse(home.path()).arg("review").run().failure();
    assert!(
        err.contains("no sessions yet; run `rehearse` to practise"),
        "{err}"
    );
    seed_three(home.path());
    let err = rehearse(home.path()).args(["review", "99"]).run().failure();
    assert!(
        err.contains("no session 99") && err.contains("rehearse history"),
        "{err}"
    );
    let err = rehearse(home.path()).args(["delete", "99"]).run().failure();
    assert!(err.contains("no session 99"), "{err}");
    let usage = rehearse(home.path()).args(["review", "yesterday"]).run();
    assert_eq!(usage.code(), Some(2), "{}", usage.stderr());
    assert!(
        usage.stderr().contains("not a session id"),
        "{}",
        usage.stderr()
    );
}

#[test]
fn review_shows_fillers_pauses_and_checks_for_the_latest_session() {
    let home = tempfile::tempdir().unwrap();
    seed_three(home.path());
    let mut store = Store::open(home.path()).unwrap();
    let first = report(
        "failure",
        "Have you ever failed at anything?",
        &failure_words(),
        74,
    );
    let follow_words = timed(
        "I learned to plan and the next project shipped on time",
        0.4,
        &[],
    );
    let session = seed_session(&mut store, 1_760_000_000, &[first], None);
    let follow = NewAnswer {
        question_text: "What did you learn from that?".into(),
        follow_up_of: Some(store.load_session(session).unwrap().answers[0].id),
        follow_up_check: Some("lesson-applied".into()),
        ..NewAnswer::from_report(report(
            "failure",
            "What did you learn from that?",
            &follow_words,
            86,
        ))
        .unwrap()
    };
    store.save_answer(session, &follow).unwrap();

    let out = rehearse(home.path()).arg("review").run().success();
    assert!(out.starts_with(&format!("Session {session} ")), "{out}");
    assert!(
        out.contains("So (um) I missed the deadline [2.4 s] on my first project"),
        "{out}"
    );
    assert!(
        out.contains("admits-failure") && out.contains("\"I missed the deadline\" (1.7 s)"),
        "{out}"
    );
    assert!(out.contains("warn    lesson-applied"), "{out}");
    assert!(
        out.contains("2. What did you learn from that?")
            && out.contains("follow-up to answer 1 (lesson-applied)"),
        "{out}"
    );

    let json: Value = serde_json::from_str(
        &rehearse(home.path())
            .args(["review", &session.to_string(), "--json"])
            .run()
            .success(),
    )
    .unwrap();
    assert_eq!(json["session"]["id"], session.0);
    assert_eq!(
        json["session"]["score"], 86.0,
        "a follow-up's score covers its question"
    );
    let answers = json["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2);
    assert!(
        answers[0]["annotated_transcript"]
            .as_str()
            .unwrap()
            .contains("(um) I missed the deadline [2.4 s] on")
    );
    assert_eq!(answers[0]["report"]["checks"][0]["id"], "admits-failure");
    assert_eq!(answers[1]["follow_up_of"], answers[0]["id"]);

    let older = rehearse(home.path()).args(["review", "1"]).run().success();
    assert!(
        older.starts_with("Session 1 ") && older.contains("(um) (uh) (um) I failed"),
        "{older}"
    );
}

#[test]
fn the_html_review_is_one_escaped_self_contained_file() {
    let home = tempfile::tempdir().unwrap();
    seed_three(home.path());
    let mut store = Store::open(home.path()).unwrap();
    let words = timed(
        "I said <script>alert(1)</script> & \"quoted\" then um I missed the deadline",
        0.3,
        &[(4, 1.0)],
    );
    let session = seed_session(
        &mut store,
        1_760_000_000,
        &[report("failure", "Have <b>you</b> failed?", &words, 70)],
        Some(8.0),
    );
    let page_path = home.path().join("review.html");
    rehearse(home.path())
        .args(["review", &session.to_string(), "--html"])
        .arg(&page_path)
        .run()
        .success();
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert_eq!(mode(&page_path), 0o600);
    assert!(
        page.contains("<audio controls preload=\"auto\" src=\"data:audio/wav;base64,UklGR"),
        "audio is embedded"
    );
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        page.contains("&amp;")
            && page.contains("&quot;quoted&quot;")
            && page.contains("Have &lt;b&gt;you&lt;/b&gt; failed?")
    );
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("src=\"file"),
        "no external resources"
    );
    assert!(page.contains("<svg class=\"trend\"") && page.contains("<svg class=\"timeline\""));
    assert_eq!(
        page.matches("<circle class=\"point").count(),
        4,
        "one point per scored session"
    );
    assert!(
        page.contains("class=\"w filler\" data-start=\"")
            && page.contains("<span class=\"pause\">[1.1 s]</span>")
    );
}

#[test]
fn delete_removes_the_session_and_its_recordings_and_nothing_else() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::open(home.path()).unwrap();
    let r = report(
        "failure",
        "Have you ever failed at anything?",
        &failure_words(),
        70,
    );
    let keep = seed_session(
        &mut store,
        1_750_000_000,
        std::slice::from_ref(&r),
        Some(1.0),
    );
    let gone = seed_session(
        &mut store,
        1_750_100_000,
        &[r.clone(), r.clone()],
        Some(1.0),
    );
    let other_file = home.path().join("notes.txt");
    std::fs::write(&other_file, "mine").unwrap();
    let stray = home.path().join("recordings/keep-me.wav");
    std::fs::write(&stray, "x").unwrap();
    let gone_wavs: Vec<PathBuf> = store
        .load_session(gone)
        .unwrap()
        .answers
        .iter()
        .filter_map(|a| a.recording.clone())
        .collect();
    let keep_wavs: Vec<PathBuf> = store
        .load_session(keep)
        .unwrap()
        .answers
        .iter()
        .filter_map(|a| a.recording.clone())
        .collect();
    assert_eq!((gone_wavs.len(), keep_wavs.len()), (2, 1));
    assert!(gone_wavs.iter().all(|p| p.exists()));
    drop(store);

    let out = rehearse(home.path())
        .args(["delete", &gone.to_string()])
        .run()
        .success();
    assert_eq!(
        out,
        format!("deleted session {gone} (2 answers, 2 recordings)\n")
    );
    assert!(gone_wavs.iter().all(|p| !p.exists()));
    assert!(
        !home
            .path()
            .join("recordings")
            .join(gone.to_string())
            .exists()
    );
    assert!(keep_wavs.iter().all(|p| p.exists()) && other_file.exists() && stray.exists());
    let store = Store::open(home.path()).unwrap();
    let ids: Vec<SessionId> = store
        .list_sessions()
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, [keep]);
    assert_eq!(store.load_session(keep).unwrap().answers.len(), 1);
    let err = rehearse(home.path())
        .args(["delete", &gone.to_string()])
        .run()
        .failure();
    assert!(err.contains(&format!("no session {gone}")), "{err}");
}

#[test]
fn the_data_folder_is_private() {
    let parent = tempfile::tempdir().unwrap();
    let home = parent.path().join("data");
    rehearse(&home).arg("history").run().success();
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("history.sqlite3")), 0o600);
    let mut store = Store::open(&home).unwrap();
    let session = store.start_session(SystemTime::now(), &json!({})).unwrap();
    let wav = store.new_recording(session).unwrap();
    write_wav(&wav, 0.1);
    assert_eq!(
        mode(&wav),
        0o600,
        "the recorder's truncating write keeps the mode"
    );
    assert_eq!(mode(wav.parent().unwrap()), 0o700);
    for side in ["history.sqlite3-wal", "history.sqlite3-shm"] {
        assert_eq!(mode(&home.join(side)), 0o600, "{side}");
    }
}

/// The environment variable that turns this test binary into a writer child (see below).
const WRITER: &str = "REHEARSE_TEST_HISTORY_WRITER";

/// In a child process (`WRITER` set to `<folder>:<sessions>:<answers>`, 0 sessions = forever),
/// saves answers and prints `saved <session> <answer>` after each commit. Otherwise, the parent:
/// two writers at once plus a reader, then a writer killed mid-session.
#[test]
fn two_processes_write_at_once_and_a_killed_writer_loses_nothing() {
    if let Ok(spec) = std::env::var(WRITER) {
        let mut parts = spec.rsplitn(3, ':');
        let answers: u32 = parts.next().unwrap().parse().unwrap();
        let sessions: u32 = parts.next().unwrap().parse().unwrap();
        let home = PathBuf::from(parts.next().unwrap());
        let mut store = Store::open(&home).unwrap();
        let r = report(
            "failure",
            "Have you ever failed at anything?",
            &failure_words(),
            70,
        );
        let mut made = 0;
        while sessions == 0 || made < sessions {
            let session = store
                .start_session(SystemTime::now(), &json!({"pid": std::process::id()}))
                .unwrap();
            for _ in 0..answers {
                let id = store
                    .save_answer(session, &NewAnswer::from_report(r.as_str()).unwrap())
                    .unwrap();
                println!("saved {session} {id}");
            }
            store.finish_session(session, SystemTime::now()).unwrap();
            made += 1;
        }
        return;
    }

    let home = tempfile::tempdir().unwrap();
    let spawn = |sessions: u32, answers: u32| {
        Command::new(std::env::current_exe().unwrap())
            .args([
                "history::two_processes_write_at_once_and_a_killed_writer_loses_nothing",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                WRITER,
                format!("{}:{sessions}:{answers}", home.path().display()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // libtest prints the test's name before the child's first line, so look inside lines.
    let saved_lines = |out: &[u8]| String::from_utf8_lossy(out).matches("saved ").count();

    let a = spawn(20, 5);
    let b = spawn(20, 5);
    // A third process reads while the two write.
    let mut reads = 0;
    let started = Instant::now();
    while reads < 10 || started.elapsed() < Duration::from_millis(300) {
        let json: Value = serde_json::from_str(
            &rehearse(home.path())
                .args(["history", "--json"])
                .run()
                .success(),
        )
        .unwrap();
        assert!(json["sessions"].is_array());
        reads += 1;
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for writer in [&a, &b] {
        assert!(
            writer.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&writer.stdout)
        );
    }
    assert_eq!((saved_lines(&a.stdout), saved_lines(&b.stdout)), (100, 100));
    let store = Store::open(home.path()).unwrap();
    let sessions = store.list_sessions().unwrap();
    assert_eq!(sessions.len(), 40);
    assert!(
        sessions
            .iter()
            .all(|s| s.answers == 5 && s.finished_at.is_some())
    );
    let check: String = rusqlite::Connection::open(home.path().join("history.sqlite3"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // A writer killed without warning: every answer it reported saved is still there.
    let mut child = spawn(0, 3);
    let mut confirmed = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while confirmed.len() < 25 {
        let line = lines.next().unwrap().unwrap();
        if let Some((_, rest)) = line.split_once("saved ") {
            let (session, answer) = rest.split_once(' ').unwrap();
            confirmed.push((
                session.parse::<i64>().unwrap(),
                answer.parse::<i64>().unwrap(),
            ));
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let store = Store::open(home.path()).unwrap();
    for (session, answer) in &confirmed {
        let loaded = store.load_session(SessionId(*session)).unwrap();
        assert!(
            loaded.answers.iter().any(|a| a.id.0 == *answer),
            "answer {answer} of session {session} was lost"
        );
    }
    let interrupted = store
        .list_sessions()
        .unwrap()
        .into_iter()
        .filter(|s| s.finished_at.is_none())
        .count();
    assert!(interrupted <= 1, "only the killed session is unfinished");
    let check: String = rusqlite::Connection::open(home.path().join("history.sqlite3"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The history still opens through the binary.
    rehearse(home.path()).arg("history").run().success();
}

#[test]
fn many_processes_can_open_a_new_history_at_once() {
    // Creating the database and switching it to WAL races when several processes start together.
    for _ in 0..8 {
        let home = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..5)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_rehearse"))
                    .args(["history", "--json"])
                    .env("REHEARSE_HOME", home.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn a_spoken_answer_analysed_by_rehearse_round_trips_through_the_history() {
    // Real parts end to end: espeak-ng speech, `rehearse analyze` with the real model, the stored
    // report and recording, then history and review.
    let home = tempfile::tempdir().unwrap();
    let spoken = home.path().join("spoken.wav");
    let status = Command::new("espeak-ng")
        .args(["-m", "-s", "150", "-w"])
        .arg(&spoken)
        .arg(
            "<speak>I missed the deadline on my first project at work. <break time=\"1500ms\"/> \
             I learned to plan, and since then every project has shipped on time.</speak>",
        )
        .status()
        .expect("run espeak-ng (scripts/setup.sh installs it)");
    assert!(status.success());
    let report_json = rehearse(home.path())
        .arg("analyze")
        .arg(&spoken)
        .args(["--question", "failure", "--json"])
        .run()
        .success();
    let report: Value = serde_json::from_str(&report_json).unwrap();
    let pause = report["delivery"]["pauses"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["end"].as_f64().unwrap() - p["start"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        pause > 1.0,
        "the 1.5 s break is a pause: {}",
        report["delivery"]
    );

    let mut store = Store::open(home.path()).unwrap();
    let session = store.start_session(SystemTime::now(), &json!({})).unwrap();
    let recording = store.new_recording(session).unwrap();
    std::fs::copy(&spoken, &recording).unwrap();
    let mut answer = NewAnswer::from_report(report_json.as_str()).unwrap();
    answer.recording = Some(recording.clone());
    store.save_answer(session, &answer).unwrap();
    store.finish_session(session, SystemTime::now()).unwrap();
    drop(store);

    let review: Value = serde_json::from_str(
        &rehearse(home.path())
            .args(["review", "--json"])
            .run()
            .success(),
    )
    .unwrap();
    let stored = &review["answers"][0];
    assert_eq!(stored["score"], report["score"]);
    assert_eq!(
        stored["report"], report,
        "the report is kept as analyze wrote it"
    );
    let annotated = stored["annotated_transcript"].as_str().unwrap();
    // The pause shows in place: after the first sentence, before "learned" (Whisper may time the
    // "I" on either side of the silence).
    let label = annotated.find(&format!("[{pause:.1} s]")).expect(annotated);
    let (sentence, learned) = (
        annotated.find("work.").unwrap(),
        annotated.find("learned").unwrap(),
    );
    assert!(sentence < label && label < learned, "{annotated}");

    let text = rehearse(home.path()).arg("review").run().success();
    for check in report["checks"].as_array().unwrap() {
        assert!(
            text.contains(check["id"].as_str().unwrap()),
            "{} missing:\n{text}",
            check["id"]
        );
    }
    let history: Value = serde_json::from_str(
        &rehearse(home.path())
            .args(["history", "--json"])
            .run()
            .success(),
    )
    .unwrap();
    let wpm = history["sessions"][0]["words_per_minute"].as_f64().unwrap();
    assert!((wpm - report["delivery"]["words_per_minute"].as_f64().unwrap()).abs() < 1e-6);

    let page = home.path().join("review.html");
    rehearse(home.path())
        .args(["review", &session.to_string(), "--html"])
        .arg(&page)
        .run()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    use base64::Engine;
    let embedded =
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&recording).unwrap());
    assert!(html.contains(&embedded), "the recording is embedded whole");
}

#[test]
fn a_missing_recording_is_noted_and_the_rest_still_reviews() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::open(home.path()).unwrap();
    let r = report(
        "failure",
        "Have you ever failed at anything?",
        &failure_words(),
        70,
    );
    let session = seed_session(&mut store, 1_750_000_000, &[r], Some(1.0));
    let wav = store.load_session(session).unwrap().answers[0]
        .recording
        .clone()
        .unwrap();
    std::fs::remove_file(&wav).unwrap();
    drop(store);
    let page = home.path().join("review.html");
    rehearse(home.path())
        .args(["review", "--html"])
        .arg(&page)
        .run()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("could not be read") && !html.contains("<audio"),
        "missing recording noted"
    );
    assert!(
        html.contains("I missed the deadline"),
        "the transcript still shows"
    );
    let out = rehearse(home.path()).arg("review").run().success();
    assert!(out.contains("So (um) I missed the deadline"), "{out}");
}
