//! Absurd numbers are refused where they are parsed, with the allowed range (issue 16 item 6):
//! before, `--max-seconds 18446744073709551615`, `--stop-on-silence 1e20` and a question's
//! `time.max = 1e300` panicked with "cannot convert float seconds to Duration".

use crate::harness::Rehearse;

/// Usage errors from clap: exit status 2, the range named, no panic.
#[test]
fn absurd_flag_values_are_usage_errors_naming_the_range() {
    let cases: [&[&str]; 4] = [
        &["practice", "--max-seconds", "18446744073709551615"],
        &["practice", "--stop-on-silence", "1e20"],
        &["record", "out.wav", "--max-seconds", "1e300"],
        &["record", "out.wav", "--stop-on-silence=-1"],
    ];
    for args in cases {
        let run = Rehearse::new().args(args).run();
        let err = run.stderr();
        assert_eq!(run.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains(" to 600") || err.contains(" to 3600"), "{err}");
    }
}

/// A question file and a settings file with numbers out of range: one sentence naming the range.
#[test]
fn absurd_numbers_in_files_are_one_sentence_naming_the_range() {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/prompts/failure.toml"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let question = dir.path().join("huge.toml");
    let text = shipped
        .replacen("id = \"failure\"", "id = \"huge\"", 1)
        .replacen("max = 120", "max = 1e300", 1);
    assert!(text.contains("1e300"), "the fixture changed the time");
    std::fs::write(&question, text).unwrap();
    let run = Rehearse::new()
        .args(["questions", "--check"])
        .arg(&question)
        .run();
    let err = run.stderr();
    assert_ne!(run.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("time.max") && err.contains("3600"), "{err}");

    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[voice]\nrate = 1\n").unwrap();
    let line = Rehearse::new()
        .env("REHEARSE_CONFIG", &config)
        .args(["say", "hello"])
        .run()
        .failure();
    assert!(line.contains("80 to 450"), "{line}");
}
