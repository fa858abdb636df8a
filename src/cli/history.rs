//! `rehearse history [--json]`: one row per session and the trend over the last sessions.

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
}

/// Runs `rehearse history`.
pub fn run(args: &Args) -> anyhow::Result<()> {
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
