//! `rehearse practice` for real on plain lines (stdout not a terminal): espeak-ng answers played
//! through the private PulseAudio cable into real cpal capture, the real model, the real history
//! database; follow-ups, Ctrl-C and the error paths.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::harness::Rehearse;
use crate::virtual_audio::{PulseCable, spawn_rehearse};

/// An answer without a lesson: `turnaround-or-lesson` fails, so the interviewer asks what was learned.
pub const NO_LESSON: &str = "Yes. Last year at my job I missed a deadline for a client report \
    because I planned badly. The client was upset and my manager had to apologise to them.";
/// The lesson, applied later.
pub const LESSON: &str = "I learned to plan every project in weekly milestones. On the next \
    project I used them and we delivered two days early.";

/// Speaks `text` with espeak-ng into a WAV in `dir`.
pub fn spoken(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("run espeak-ng (scripts/setup.sh installs it)");
    assert!(status.success());
    path
}

/// Runs another `rehearse` command on the same data folder and parses its JSON.
pub fn json_in(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = Rehearse::new()
        .args(args)
        .env("REHEARSE_HOME", home)
        .run()
        .success();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

const LONG: Duration = Duration::from_secs(90);

#[test]
fn a_spoken_answer_without_a_lesson_is_probed_and_both_are_kept() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let first = spoken(dir.path(), "first", NO_LESSON);
    let lesson = spoken(dir.path(), "lesson", LESSON);
    let mut running = spawn_rehearse(
        &[
            "practice",
            "--question",
            "failure",
            "--stop-on-silence",
            "1",
            "--max-seconds",
            "20",
        ],
        &cable.envs_with_home(&home),
    );
    running.wait_for_line("Have you ever failed at anything?\"; speak now", LONG);
    cable.play_into_mic(&first);
    running.wait_for_line("What did you learn from that?\"; speak now", LONG);
    cable.play_into_mic(&lesson);
    // Should a second follow-up come, Enter ends it at once.
    std::thread::sleep(Duration::from_secs(3));
    running.press_enter();
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("Score:"), "{out}");
    assert!(
        out.contains("follow-up: What did you learn from that?"),
        "{out}"
    );
    assert!(
        out.contains("The follow-up recovered:") && out.contains("turnaround-or-lesson"),
        "{out}"
    );
    assert!(
        out.contains("Session summary") && out.contains("Practise next:"),
        "{out}"
    );

    let history = json_in(&home, &["history", "--json"]);
    let sessions = history["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{history}");
    assert!(sessions[0]["answers"].as_u64().unwrap() >= 2, "{history}");
    assert!(sessions[0]["finished_at"].is_i64(), "{history}");
    let review = json_in(&home, &["review", "--json"]);
    let answers = review["answers"].as_array().unwrap();
    let (a, b) = (&answers[0], &answers[1]);
    assert_eq!(a["question_id"], "failure");
    assert!(a["follow_up_of"].is_null());
    let outcome = |answer: &serde_json::Value, id: &str| {
        answer["report"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(
        outcome(a, "turnaround-or-lesson").as_deref(),
        Some("fail"),
        "{a}"
    );
    assert!(
        a["report"]["transcript"]["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("deadline"),
        "{a}"
    );
    assert!(Path::new(a["recording"].as_str().unwrap()).is_file());
    assert_eq!(b["follow_up_of"], a["id"]);
    assert_eq!(b["follow_up_check"], "turnaround-or-lesson");
    assert_eq!(b["question_text"], "What did you learn from that?");
    assert_eq!(
        outcome(b, "turnaround-or-lesson").as_deref(),
        Some("pass"),
        "{b}"
    );
    let recovered = b["report"]["follow_up"]["recovered"].as_array().unwrap();
    assert!(recovered.iter().any(|c| c == "turnaround-or-lesson"), "{b}");
    assert!(
        b["report"]["transcript"]["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("learned"),
        "{b}"
    );
}

/// Practises one question with no follow-ups, the recording played into the cable's microphone;
/// asserts it exits 0 and returns its stdout and stderr.
fn answer_once(cable: &PulseCable, home: &Path, question: &str, wav: &Path) -> (String, String) {
    let running = spawn_rehearse(
        &[
            "practice",
            "--question",
            question,
            "--no-follow-ups",
            "--stop-on-silence",
            "1",
            "--json",
        ],
        &cable.envs_with_home(home),
    );
    running.wait_for_line("speak now", LONG);
    cable.play_into_mic(wav);
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    (out, err)
}

#[test]
fn one_answer_without_follow_ups_exits_when_its_report_is_complete() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let first = spoken(dir.path(), "first", NO_LESSON);
    let (out, err) = answer_once(&cable, &home, "failure", &first);
    // With --json the report goes to stderr and the summary is the only thing on stdout.
    assert!(!err.contains("What did you learn"), "no follow-up: {err}");
    assert_eq!(err.matches("Score:").count(), 1, "{err}");
    // Issue 12: the pitch tracked while the answer was recorded reaches the report.
    assert!(err.contains("  voice: pitch "), "{err}");
    let variety = err
        .lines()
        .find(|l| l.contains("vocal-variety"))
        .unwrap_or_else(|| panic!("no vocal-variety check: {err}"));
    assert!(!variety.contains("SKIP"), "{variety}");
    let summary: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(summary["answers_saved"], 1, "{summary}");
    assert_eq!(summary["questions"][0]["id"], "failure", "{summary}");
    let tips = summary["practise_next"].as_array().unwrap();
    assert!((1..=3).contains(&tips.len()), "{summary}");
    let review = json_in(&home, &["review", "--json"]);
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{review}");
    assert_eq!(answers[0]["score"], summary["questions"][0]["score"]);
    assert_eq!(summary["session"], review["session"]["id"], "{review}");
}

/// A question of the user's own whose one content check is a talking point written only in TOML.
const MENTORING: &str = r#"
id = "mentoring"
text = "How do you help people who are new to the team?"
category = "behavioural"
time = { min = 20, ideal = 60, max = 90 }
roles = ["general"]

[[checks]]
id = "mentored-someone"
examples = ["I mentored a new hire on the team", "I coached a junior colleague through their first project", "I helped a new colleague learn the ropes"]
pass = "You showed you help others grow."
fail = "Say how you have helped a newer colleague learn."
"#;

#[test]
fn a_talking_point_from_a_users_question_file_is_judged_in_practice() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    std::fs::create_dir_all(home.join("questions")).unwrap();
    std::fs::write(home.join("questions/mentoring.toml"), MENTORING).unwrap();
    let answer = spoken(
        dir.path(),
        "mentoring",
        "When a new engineer joined us last spring, I mentored her through her first project.",
    );
    answer_once(&cable, &home, "mentoring", &answer);
    let review = json_in(&home, &["review", "--json"]);
    let report = &review["answers"][0]["report"];
    let check = report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("{review}"))
        .iter()
        .find(|c| c["id"] == "mentored-someone")
        .unwrap_or_else(|| panic!("{review}"));
    assert_eq!(check["outcome"], "pass", "{check}");
    assert!(
        check["evidence"][0]["quote"]
            .as_str()
            .is_some_and(|q| q.contains("mentored")),
        "{check}"
    );
}

#[test]
fn enter_ends_an_answer_when_silence_does_not() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let first = spoken(dir.path(), "first", NO_LESSON);
    let mut running = spawn_rehearse(
        &[
            "practice",
            "--question",
            "failure",
            "--no-follow-ups",
            "--stop-on-silence",
            "0",
        ],
        &cable.envs_with_home(&home),
    );
    running.wait_for_line("speak now", LONG);
    cable.play_into_mic(&first);
    running.press_enter();
    running.wait_for_line("recording stopped on request", LONG);
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        out.contains("recording...") && out.contains("Score:"),
        "{out}"
    );
    let review = json_in(&home, &["review", "--json"]);
    assert_eq!(review["answers"].as_array().unwrap().len(), 1, "{review}");
}

#[test]
fn ctrl_c_mid_answer_keeps_what_was_said_and_exits_non_zero() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let first = spoken(dir.path(), "first", NO_LESSON);
    // Silence never ends the answer: only Ctrl-C does.
    let running = spawn_rehearse(
        &[
            "practice",
            "--question",
            "failure",
            "--stop-on-silence",
            "0",
        ],
        &cable.envs_with_home(&home),
    );
    running.wait_for_line("speak now", LONG);
    cable.play_into_mic(&first);
    running.signal("INT");
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(1), "stdout:\n{out}\nstderr:\n{err}");
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("rehearse: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("interrupted") && errors[0].contains("saved"),
        "{err}"
    );
    assert!(
        !out.contains("What did you learn"),
        "no follow-up after Ctrl-C: {out}"
    );
    let review = json_in(&home, &["review", "--json"]);
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{review}");
    let text = answers[0]["report"]["transcript"]["text"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(text.contains("deadline"), "{text}");
}

#[test]
fn no_microphone_and_no_model_are_one_sentence_and_leave_no_session() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let mut no_mic = Rehearse::new().args([
        "practice",
        "--question",
        "failure",
        "--input-device",
        "no-such-mic",
    ]);
    for (key, value) in cable.envs_with_home(&home) {
        no_mic = no_mic.env(key, value);
    }
    let line = no_mic.run().failure();
    assert!(
        line.contains("no input device named `no-such-mic`"),
        "{line}"
    );
    let history = json_in(&home, &["history", "--json"]);
    assert!(
        history["sessions"].as_array().unwrap().is_empty(),
        "{history}"
    );

    let no_model = Rehearse::new()
        .args(["practice", "--model", "/nonexistent/model.bin"])
        .env("REHEARSE_HOME", &home)
        .run();
    let line = no_model.failure();
    assert!(line.contains("model"), "{line}");
    // Plain `rehearse` runs the same practice.
    let bare = Rehearse::new()
        .args(["--model", "/nonexistent/model.bin"])
        .env("REHEARSE_HOME", &home)
        .run();
    assert_eq!(bare.failure(), line);
    let history = json_in(&home, &["history", "--json"]);
    assert!(
        history["sessions"].as_array().unwrap().is_empty(),
        "{history}"
    );
}
