//! `rehearse review [SESSION] [--json] [--html FILE]`: a session's answers, transcripts and checks.

use std::path::PathBuf;

use anyhow::Context;

use super::print_stdout;
use crate::history::{SessionId, Store};
use crate::review::{Style, html, json, text};

/// Arguments of `rehearse review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session's id (the first column of `rehearse history`); the latest when left out.
    #[arg(value_name = "SESSION")]
    pub session: Option<SessionId>,

    /// Print JSON: the session, each answer's figures, its stored report and annotated transcript.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,

    /// Write one self-contained HTML page (audio, clickable transcript, timeline, checks, trend).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Runs `rehearse review`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let store = Store::open_default().context("cannot open the session history")?;
    super::history::notice_unstored(&store);
    let id = match args.session {
        Some(id) => id,
        None => store.latest_session()?,
    };
    let session = store.load_session(id)?;
    if let Some(path) = &args.html {
        let all = store
            .list_sessions()
            .context("cannot read the session history")?;
        let page = html::render(&session, &all);
        write_private(path, page.as_bytes())
            .with_context(|| format!("cannot write the HTML review to `{}`", path.display()))?;
        eprintln!(
            "rehearse: wrote the review of session {id} to {}",
            path.display()
        );
        return Ok(());
    }
    if args.json {
        let mut out = serde_json::to_string_pretty(&json::review(&session))?;
        out.push('\n');
        return print_stdout(&out);
    }
    print_stdout(&text::render(&session, Style::for_stdout()))
}

/// Writes the page readable by its owner only: it holds the recordings.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
