//! `rehearse delete SESSION`: removes a session, its answers and its recordings.

use anyhow::Context;

use super::print_stdout;
use crate::history::{SessionId, Store};

/// Arguments of `rehearse delete`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session's id (the first column of `rehearse history`).
    #[arg(value_name = "SESSION")]
    pub session: SessionId,

    /// Print what was removed as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse delete`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let mut store = Store::open_default().context("cannot open the session history")?;
    let deleted = store.delete_session(args.session)?;
    if args.json {
        let mut out = serde_json::to_string(&deleted)?;
        out.push('\n');
        return print_stdout(&out);
    }
    print_stdout(&format!(
        "deleted session {} ({} answer{}, {} recording{})\n",
        deleted.id,
        deleted.answers,
        if deleted.answers == 1 { "" } else { "s" },
        deleted.recordings,
        if deleted.recordings == 1 { "" } else { "s" },
    ))
}
