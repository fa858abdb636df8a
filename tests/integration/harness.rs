//! A small harness: `Rehearse::new().args([..]).run()` runs the built binary in a fresh temporary
//! data folder and returns its status and output.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The shared real speech folder (`../shared/speech`), when this checkout has one beside it.
pub fn shared_speech() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/speech");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: ../shared/speech is absent (a clone outside the workplace); real-speech checks did not run"
        );
        None
    }
}

/// One run of the `rehearse` binary.
pub struct Rehearse {
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    home: tempfile::TempDir,
}

impl Rehearse {
    pub fn new() -> Self {
        Rehearse {
            args: Vec::new(),
            envs: Vec::new(),
            home: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// The temporary data folder this run uses as `REHEARSE_HOME`.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn run(self) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rehearse"));
        command
            .args(&self.args)
            .env("REHEARSE_HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("REHEARSE_MODEL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        let output = command.output().expect("run rehearse");
        Run {
            output,
            _home: self.home,
        }
    }
}

/// What a run printed and how it ended.
pub struct Run {
    pub output: Output,
    _home: tempfile::TempDir,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Asserts success and returns stdout.
    pub fn success(&self) -> String {
        assert_eq!(
            self.code(),
            Some(0),
            "rehearse failed:\nstdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }

    /// Asserts a failure with status 1 and a one-line error, and returns that line.
    pub fn failure(&self) -> String {
        assert_eq!(
            self.code(),
            Some(1),
            "expected failure:\nstdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        let err = self.stderr();
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("rehearse: error:"))
            .collect();
        assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
        lines[0].to_string()
    }
}
