//! `rehearse say "TEXT"`: speak text in the interviewer's voice (espeak-ng), or play a recording.

use std::path::PathBuf;

use anyhow::Context;

use crate::audio::voice::{self, SpeechSource, Spoken, VoiceOptions};
use crate::config::Config;

/// Arguments of `rehearse say`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The text to speak.
    pub text: String,
    /// Play this recording instead of synthesizing the text (as a question's own audio file).
    #[arg(long, value_name = "WAV")]
    pub audio: Option<PathBuf>,
    /// The espeak-ng voice (`espeak-ng --voices` lists them); default `en-us` or the settings file's.
    #[arg(long, env = "REHEARSE_VOICE")]
    pub voice: Option<String>,
    /// Speaking rate in words per minute; default 160 or the settings file's.
    #[arg(long, value_name = "WPM", value_parser = clap::value_parser!(u32).range(80..=450))]
    pub rate: Option<u32>,
    /// The speakers or headphones (see `rehearse devices`).
    #[arg(long, env = "REHEARSE_OUTPUT_DEVICE", value_name = "NAME")]
    pub output_device: Option<String>,
    /// Print what was played as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse say`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load()?;
    let defaults = VoiceOptions::default();
    let options = VoiceOptions {
        voice: args
            .voice
            .clone()
            .or(config.voice.name)
            .unwrap_or(defaults.voice),
        rate_wpm: args.rate.or(config.voice.rate).unwrap_or(defaults.rate_wpm),
        output_device: args.output_device.clone().or(config.audio.output_device),
    };
    let spoken = voice::speak(&args.text, args.audio.as_deref(), &options)
        .with_context(|| format!("cannot say {:?}", short(&args.text)))?;
    match spoken {
        Spoken::Played(speech) => {
            if args.json {
                let report = serde_json::json!({
                    "played": true,
                    "seconds": speech.duration_seconds(),
                    "rate": speech.rate,
                    "voice": matches!(speech.source, SpeechSource::Synthesized { .. }).then_some(&options.voice),
                    "source": speech.source,
                });
                super::print_stdout(&format!("{report:#}\n"))?;
            } else {
                let from = match &speech.source {
                    SpeechSource::Recorded { path } => format!("from `{}`", path.display()),
                    SpeechSource::Synthesized { cached: true, .. } => {
                        format!("voice {}, cached", options.voice)
                    }
                    SpeechSource::Synthesized { cached: false, .. } => {
                        format!("voice {}", options.voice)
                    }
                };
                eprintln!(
                    "rehearse: played {:.1} s ({from})",
                    speech.duration_seconds()
                );
            }
        }
        Spoken::TextOnly { notice } => {
            eprintln!("rehearse: note: {notice}");
            if args.json {
                let report =
                    serde_json::json!({ "played": false, "text": args.text, "notice": notice });
                super::print_stdout(&format!("{report:#}\n"))?;
            } else {
                super::print_stdout(&format!("{}\n", args.text))?;
            }
        }
    }
    Ok(())
}

/// The start of a long text, for messages.
fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}
