//! `rehearse history [--json]`: one row per session and the trend over the last sessions;
//! `rehearse history --repair`: a damaged database is copied aside and what can be read is kept;
//! `rehearse history --recover`: answers whose session stopped before they were stored are
//! transcribed from their recordings and stored (the next `rehearse practice` does it too).

use anyhow::Context;

use super::print_stdout;
use crate::history::{Store, Trend};
use crate::interview::recovery::{self, Recovery};
use crate::questions::{Bank, user_questions_dir};
use crate::review::{Style, history};
use crate::transcribe::Transcriber;

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

    /// Store the answers whose session stopped before they were stored (killed while an answer was
    /// being transcribed): each is transcribed from its recording and analysed. `rehearse practice`
    /// does this when it starts. With `--json`: `{"recovered": [...], "left": [...]}`.
    #[arg(long, conflicts_with = "repair")]
    pub recover: bool,
}

/// Runs `rehearse history`.
pub fn run(args: &Args, model: Option<&str>) -> anyhow::Result<()> {
    if args.repair {
        return repair();
    }
    if args.recover {
        return recover(model, args.json);
    }
    let store = Store::open_default().context("cannot open the session history")?;
    notice_unstored(&store);
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
    print_stdout(&text)?;
    // Answers the damaged file lost whose recordings are still on disk can be stored again.
    if let Ok(store) = Store::open(&data_dir) {
        notice_unstored(&store);
    }
    Ok(())
}

/// Runs `rehearse history --recover`: a line per recording on stdout (or JSON), and a failure when
/// some could not be recovered yet.
fn recover(model: Option<&str>, json: bool) -> anyhow::Result<()> {
    let mut store = Store::open_default().context("cannot open the session history")?;
    let unstored = store
        .unstored_recordings()
        .context("cannot read the session history")?;
    let done = if unstored.is_empty() {
        Vec::new()
    } else {
        let bank = Bank::load().with_context(|| {
            format!(
                "the question bank does not load (your own files are in `{}`)",
                user_questions_dir().display()
            )
        })?;
        let transcriber = Transcriber::load(model)?;
        crate::analysis::analyzer::ensure_loaded()?;
        recovery::recover(&mut store, &bank, &transcriber, &|| false, &mut |r| {
            if !json {
                let _ = print_stdout(&format!("{}\n", r.line()));
            }
        })
        .context("cannot store the recovered answers")?
    };
    let (left, recovered): (Vec<&Recovery>, Vec<&Recovery>) = done
        .iter()
        .partition(|r| matches!(r, Recovery::Left { .. }));
    if json {
        let value = serde_json::json!({"recovered": recovered, "left": left});
        print_stdout(&format!("{value:#}\n"))?;
    } else if done.is_empty() {
        print_stdout("nothing to recover: every recording has its answer in the history\n")?;
    }
    if !left.is_empty() {
        anyhow::bail!(
            "{} recording(s) could not be recovered yet; {} what to do",
            left.len(),
            if json {
                "`left` says"
            } else {
                "the lines above say"
            }
        );
    }
    Ok(())
}

/// One line on stderr when recordings have no answer in the history (their session stopped before
/// storing them), with the command that stores them. `history` and `review` only read, so they say
/// it rather than load the speech model.
pub(super) fn notice_unstored(store: &Store) {
    let Ok(unstored) = store.unstored_recordings() else {
        return;
    };
    let sessions: std::collections::BTreeSet<String> =
        unstored.iter().map(|u| u.session.to_string()).collect();
    if sessions.is_empty() {
        return;
    }
    let plural = if unstored.len() == 1 { "" } else { "s" };
    eprintln!(
        "rehearse: note: {} answer{plural} recorded in session {} {} not stored (the session stopped first); `rehearse history --recover` stores {} (so does the next `rehearse practice`)",
        unstored.len(),
        sessions.into_iter().collect::<Vec<_>>().join(", "),
        if unstored.len() == 1 { "was" } else { "were" },
        if unstored.len() == 1 { "it" } else { "them" },
    );
}
