//! `rehearse transcribe AUDIO [--json]`: a recording to text, with word timings and fillers in JSON.

use std::path::PathBuf;

use anyhow::Context;

use crate::audio::decode;
use crate::transcribe::Transcriber;
use crate::ui::progress::StderrProgress;

/// Arguments of `rehearse transcribe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recording: a WAV file (any rate, mono or stereo, 16-bit or float).
    pub audio: PathBuf,
    /// Print JSON: model, duration, text, and each word with start, end, probability and filler mark.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse transcribe`.
pub fn run(args: &Args, model: Option<&str>) -> anyhow::Result<()> {
    let audio = decode::read_wav(&args.audio)?;
    if audio.truncated {
        eprintln!(
            "rehearse: warning: `{}` ends early; transcribing what it holds",
            args.audio.display()
        );
    }
    let transcriber = Transcriber::load(model)?;
    let bar = (audio.duration_seconds > 30.0)
        .then(|| StderrProgress::percent("transcribing"))
        .flatten();
    let progress: Option<Box<dyn FnMut(i32)>> = bar.clone().map(|bar| {
        Box::new(move |percent: i32| bar.set_position(percent.clamp(0, 100) as u64))
            as Box<dyn FnMut(i32)>
    });
    let transcript = transcriber
        .transcribe_with_progress(&audio.samples, progress)
        .with_context(|| format!("cannot transcribe `{}`", args.audio.display()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        let text = serde_json::to_string_pretty(&transcript)?;
        super::print_stdout(&(text + "\n"))
    } else {
        super::print_stdout(&(transcript.text + "\n"))
    }
}
