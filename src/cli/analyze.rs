//! `rehearse analyze AUDIO --question ID [--json]` transcribes a recorded answer and checks it;
//! `rehearse analyze --text FILE --question ID [--json]` checks a written one (delivery skipped).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::analysis::{self, report};
use crate::audio::decode;
use crate::questions::{Bank, user_questions_dir};
use crate::transcribe::Transcriber;

/// Arguments of `rehearse analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recorded answer (WAV). Leave out with `--text`.
    #[arg(required_unless_present = "text", conflicts_with = "text")]
    pub audio: Option<PathBuf>,
    /// A written answer (text file, `-` for stdin) instead of a recording.
    #[arg(long, value_name = "FILE")]
    pub text: Option<PathBuf>,
    /// The question answered (see `rehearse questions`).
    #[arg(long, short, value_name = "ID")]
    pub question: String,
    /// A job advert (text file): the report adds its key terms the answer used and missed.
    #[arg(long, value_name = "FILE")]
    pub job: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse analyze`.
pub fn run(args: &Args, model: Option<&str>) -> anyhow::Result<()> {
    let bank = Bank::load().with_context(|| {
        format!(
            "the question bank does not load (your own files are in `{}`)",
            user_questions_dir().display()
        )
    })?;
    let Some(question) = bank.get(&args.question) else {
        bail!(
            "no question `{}`; pick one of: {} (see `rehearse questions`)",
            args.question,
            bank.ids().join(", ")
        );
    };
    crate::analysis::analyzer::ensure_loaded()?;
    let advert = match &args.job {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "cannot read the job advert `{}`; pass a text file with the advert's words",
                    path.display()
                )
            })?;
            let ranks = crate::embed::WordRanks::load_default()?;
            Some(crate::selection::job::Advert::read(&text, &ranks))
        }
        None => None,
    };
    let report = if let Some(path) = &args.text {
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
                .context("cannot read the answer from stdin")?
        } else {
            read_answer_file(path)?
        };
        if text.trim().is_empty() {
            bail!(
                "the answer `{}` is empty; write the answer in it and run again",
                path.display()
            );
        }
        analysis::analyze_text(question, &text)
    } else {
        let Some(path) = &args.audio else {
            bail!("give a recording, or `--text FILE`")
        };
        let audio = decode::read_wav(path)?;
        let transcriber = Transcriber::load(model)?;
        let transcript = transcriber
            .transcribe(&audio.samples)
            .with_context(|| format!("cannot transcribe `{}`", path.display()))?;
        analysis::analyze(question, &transcript, Some(&audio.samples))
    };
    let terms = advert
        .as_ref()
        .map(|a| crate::selection::job::term_use(&a.terms, &report.transcript.text));
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        if let (Some(terms), Some(object)) = (&terms, value.as_object_mut()) {
            object.insert("job_terms".into(), serde_json::to_value(terms)?);
        }
        super::print_stdout(&(serde_json::to_string_pretty(&value)? + "\n"))
    } else {
        let mut text = report::render(&report, colour());
        if let Some(terms) = &terms {
            text.push_str(&super::practice::render_terms(terms));
        }
        super::print_stdout(&text)
    }
}

/// Colour when stdout is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
fn colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// Reads a written answer's file. `--text` takes a file, and the answer's words given in its place
/// ("--text 'I failed once'") are not a file: that error says how to pass words instead.
fn read_answer_file(path: &std::path::Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidFilename
            ) =>
        {
            bail!(
                "there is no answer file `{}`; --text takes a text file, or - to read the answer \
                 from standard input (echo 'my answer' | rehearse analyze --text - --question ID)",
                super::short(&path.display().to_string())
            )
        }
        Err(err) => {
            Err(err).with_context(|| format!("cannot read the answer `{}`", path.display()))
        }
    }
}
