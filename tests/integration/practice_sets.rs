//! `rehearse practice --role NAME` and `--plan FILE` for real: espeak-ng answers played through the
//! private PulseAudio cable into real cpal capture, the real model and the real history database.

use std::path::Path;
use std::time::Duration;

use crate::practice::{LESSON, NO_LESSON, json_in, spoken};
use crate::virtual_audio::{PulseCable, spawn_rehearse};

const LONG: Duration = Duration::from_secs(120);

/// The ids of one role set's questions, from `rehearse questions --json`.
fn role_ids(home: &Path, role: &str) -> Vec<String> {
    json_in(home, &["questions", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["roles"].as_array().unwrap().iter().any(|r| r == role))
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_role_set_is_practised_through_the_cable_and_kept() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let story = spoken(dir.path(), "story", NO_LESSON);
    let care = spoken(
        dir.path(),
        "care",
        "On my placement on a busy surgical ward I noticed a patient was confused and not eating, \
         so I told the nurse in charge, we changed her care plan, and she was eating again within \
         two days.",
    );
    let mut running = spawn_rehearse(
        &[
            "practice",
            "--role",
            "nursing-care",
            "--count",
            "2",
            "--no-follow-ups",
            "--stop-on-silence",
            "1",
            "--json",
        ],
        &cable.envs_with_home(&home),
    );
    running.wait_for_line("Have you ever failed at anything?\"; speak now", LONG);
    cable.play_into_mic(&story);
    let second = running.wait_for_line("speak now", LONG);
    cable.play_into_mic(&care);
    std::thread::sleep(Duration::from_secs(2));
    running.press_enter();
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(summary["answers_saved"], 2, "{summary}");
    let asked: Vec<&str> = summary["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(asked[0], "failure", "{summary}");
    let nursing = role_ids(&home, "nursing-care");
    assert!(
        nursing.iter().any(|id| id == asked[1]),
        "{asked:?} {second}"
    );

    let review = json_in(&home, &["review", "--json"]);
    assert_eq!(
        review["session"]["settings"]["role"], "nursing-care",
        "{review}"
    );
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{review}");
    assert!(
        answers[1]["report"]["transcript"]["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("ward"),
        "{review}"
    );
    // The next session's rotation moves on: the nursing question just answered is not asked first.
    let next = json_in(
        &home,
        &[
            "practice",
            "--role",
            "nursing-care",
            "--count",
            "2",
            "--dry-run",
            "--json",
        ],
    );
    assert_ne!(next["questions"][1]["id"], asked[1], "{next}");
}

/// A plan: a short-limited question without follow-ups, then the flagship with one follow-up.
const PLAN: &str = r#"
name = "Two-question screen"
follow_ups = "ask"
max_follow_ups = 1

[[question]]
id = "teamwork"
max_seconds = 6
follow_ups = "none"

[[question]]
id = "failure"
max_seconds = 40
"#;

#[test]
fn a_plan_is_followed_in_order_with_its_limits_and_follow_up_policy() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, PLAN).unwrap();
    // About twelve seconds of speech: the plan's six-second limit ends it.
    let team = spoken(
        dir.path(),
        "team",
        "Last spring our team of four rebuilt the booking page. I wrote the tests and paired with \
         the designer every morning, and we launched a week early with half the support calls.",
    );
    let story = spoken(dir.path(), "story", NO_LESSON);
    let lesson = spoken(dir.path(), "lesson", LESSON);
    let plan_arg = plan.to_str().unwrap();
    let mut running = spawn_rehearse(
        &[
            "practice",
            "--plan",
            plan_arg,
            "--stop-on-silence",
            "1",
            "--json",
        ],
        &cable.envs_with_home(&home),
    );
    running.wait_for_line("interview plan: Two-question screen", LONG);
    running.wait_for_line("worked well as part of a team.\"; speak now", LONG);
    cable.play_into_mic(&team);
    running.wait_for_line("Have you ever failed at anything?\"; speak now", LONG);
    cable.play_into_mic(&story);
    // The follow-up is whichever check the spoken story missed (its transcript varies a little from
    // run to run); the plan's policy is that there is exactly one.
    running.wait_for_line("follow-up", LONG);
    running.wait_for_line("\"; speak now", LONG);
    cable.play_into_mic(&lesson);
    std::thread::sleep(Duration::from_secs(3));
    running.press_enter();
    let (code, out, err, _) = running.wait(LONG);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(
        err.matches("\"; speak now").count(),
        3,
        "two questions and one follow-up, no more: {err}"
    );
    let review = json_in(&home, &["review", "--json"]);
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3, "{review}");
    assert_eq!(answers[0]["question_id"], "teamwork");
    assert_eq!(answers[1]["question_id"], "failure");
    assert!(
        answers[2]["follow_up_check"].is_string(),
        "the third answer is the follow-up: {review}"
    );
    let spoke = answers[0]["speaking_seconds"].as_f64().unwrap();
    assert!(spoke <= 6.5, "the six-second limit: spoke {spoke} s");
    assert!(
        review["session"]["settings"]["plan"]
            .as_str()
            .unwrap()
            .ends_with("plan.toml")
    );
}

#[test]
fn a_broken_plan_names_its_file_and_line_before_any_audio() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        PLAN.replace("id = \"teamwork\"", "id = \"team-work\""),
    )
    .unwrap();
    let run = crate::harness::Rehearse::new()
        .args(["practice", "--plan"])
        .arg(&plan)
        .run();
    let line = run.failure();
    assert!(
        line.contains("plan.toml: line 7: no question `team-work`"),
        "{line}"
    );
}
