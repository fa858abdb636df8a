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
