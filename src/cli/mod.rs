//! The command line: argument parsing (clap derive), dispatch to one file per command, and the
//! uniform error report (`rehearse: error: ...` on stderr, exit status 1; usage errors exit 2).

mod analyze;
mod delete;
mod devices;
mod history;
mod model;
mod practice;
mod questions;
mod record;
mod review;
mod say;
mod transcribe;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A voice-driven mock interview coach: it asks, you answer out loud, it tells you what the guide
/// would say. Everything runs locally.
#[derive(Debug, Parser)]
#[command(name = "rehearse", version, about, propagate_version = true)]
pub struct Cli {
    /// The Whisper model: a name from the manifest (`tiny.en`, `base`) or a path to a ggml file.
    #[arg(long, global = true, env = "REHEARSE_MODEL", value_name = "NAME|PATH")]
    pub model: Option<String>,

    /// Without a subcommand: a practice interview with the defaults (`rehearse practice`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Practise: answer interview questions out loud and get feedback on each (the default).
    Practice(practice::Args),
    /// Transcribe a recording (WAV) with word timings and filler words.
    Transcribe(transcribe::Args),
    /// Show, download or import Whisper models.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// List the kept sessions with their figures, and the trend over the last ones.
    History(history::Args),
    /// Review a session: transcripts with fillers and pauses, and the checks (text, JSON or HTML).
    Review(review::Args),
    /// Delete a session and its recordings.
    Delete(delete::Args),
    /// Speak text in the interviewer's voice (espeak-ng), or play a recording.
    Say(say::Args),
    /// List microphones and speakers, defaults marked.
    Devices(devices::Args),
    /// Record one answer from the microphone to a WAV file.
    Record(record::Args),
    /// List the interview questions, or validate question files (`--check [FILE]`).
    Questions(questions::Args),
    /// Check an answer against its question: a recording (transcribed) or `--text FILE`.
    Analyze(analyze::Args),
}

/// Parses the arguments, runs the command, and turns its outcome into an exit code.
pub fn main() -> ExitCode {
    // Before anything can touch ALSA: its messages would precede our one-line errors and scribble
    // over the full screen.
    crate::audio::device::silence_native_errors();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            // Printing help to a closed pipe is not an error worth reporting.
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report_error(&err);
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // `REHEARSE_MODEL=` (set but empty) means the default model, as if it were unset.
    let model = cli.model.as_deref().filter(|m| !m.trim().is_empty());
    let Some(command) = cli.command else {
        return practice::run(&practice::Args::default(), model);
    };
    match command {
        Command::Practice(args) => practice::run(&args, model),
        Command::Transcribe(args) => transcribe::run(&args, model),
        Command::Model(command) => model::run(command, model),
        Command::History(args) => history::run(&args, model),
        Command::Review(args) => review::run(&args),
        Command::Delete(args) => delete::run(&args),
        Command::Say(args) => say::run(&args),
        Command::Devices(args) => devices::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Questions(args) => questions::run(&args),
        Command::Analyze(args) => analyze::run(&args, model),
    }
}

/// Prints the error and its causes on one line: `rehearse: error: outer: inner`.
fn report_error(err: &anyhow::Error) {
    let line = format!("rehearse: error: {}", error_line(err));
    let _ = writeln!(std::io::stderr(), "{}", crate::ui::text::printable(&line));
}

/// The error and its causes joined by `: `, each cause said once: many errors already quote their
/// cause in their own message (`cannot read `x`: permission denied`), so a cause whose words are
/// already on the line is not repeated.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes to stdout, treating a closed pipe as the end of output rather than a failure.
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(crate::ui::text::printable(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The start of a long text (its first 40 characters), for messages.
pub(crate) fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_quoted_is_not_repeated() {
        let inner = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let quoted = anyhow::Error::new(inner).context("cannot open `h.db`: permission denied");
        let outer = quoted.context("cannot open the history");
        assert_eq!(
            error_line(&outer),
            "cannot open the history: cannot open `h.db`: permission denied"
        );
        let plain = anyhow::anyhow!("disk full").context("cannot save");
        assert_eq!(error_line(&plain), "cannot save: disk full");
    }
}
