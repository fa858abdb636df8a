//! `rehearse history [--json]`: one row per session and the trend over the last sessions;
//! `rehearse history --repair`: a damaged database is copied aside and what can be read is kept.

use anyhow::Context;

use super::print_stdout;
use crate::history::{Store, Trend};
use crate::review::{Style, history};

/// Arguments of `rehearse history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON: `{"sessions": [...], "trend": {...} | null}`.
    #[arg(long)]
    pub json: bool,

    /// How many recent sessions the trend spans.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..))]
    pub last: u32,

    /// Repair a damaged history database: keep a copy of it beside it, carry every readable session
    /// and answer into a fresh one.
    #[arg(long, conflicts_with = "json")]
    pub repair: bool,
}

/// Runs `rehearse history`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.repair {
        return repair();
    }
    let store = Store::open_default().context("cannot open the session history")?;
    let sessions = store
        .list_sessions()
        .context("cannot read the session history")?;
    let trend = Trend::over(&sessions, args.last as usize);
    if args.json {
        let json = history::HistoryJson {
            sessions: &sessions,
            trend,
        };
        let mut text = serde_json::to_string_pretty(&json)?;
        text.push('\n');
        return print_stdout(&text);
    }
    print_stdout(&history::render(
        &sessions,
        trend.as_ref(),
        Style::for_stdout(),
    ))
}

/// Runs `rehearse history --repair`.
fn repair() -> anyhow::Result<()> {
    let data_dir = crate::paths::data_dir();
    let recovered =
        crate::history::recover::repair(&data_dir).context("cannot repair the session history")?;
    let mut text = format!(
        "repaired the history: {} sessions and {} answers kept; the damaged database is copied to `{}`\n",
        recovered.sessions,
        recovered.answers,
        recovered.copy.display()
    );
    if recovered.incomplete {
        text.push_str("some of it could not be read; the copy still holds it\n");
    }
    print_stdout(&text)
}
