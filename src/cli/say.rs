//! `rehearse say "TEXT"`: speak text in the interviewer's voice (the neural voice `joe` by default, or
//! espeak-ng), or play a recording; `rehearse say --voice LIST` lists the voices installed.

use std::path::PathBuf;

use anyhow::Context;

use crate::audio::voice::{self, Speech, SpeechSource, Spoken, VoiceOptions};
use crate::config::Config;

/// Arguments of `rehearse say`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The text to speak (not needed with `--voice LIST`).
    #[arg(required_unless_present = "voice")]
    pub text: Option<String>,
    /// Play this recording instead of synthesizing the text (as a question's own audio file).
    #[arg(long, value_name = "WAV")]
    pub audio: Option<PathBuf>,
    /// The voice: `joe` (the neural voice, the default), `espeak`, or an espeak-ng voice (`espeak-ng
    /// --voices`); `LIST` lists the voices installed. Default: the settings file's, else `joe`.
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
    if args
        .voice
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("list"))
    {
        return list(args.json);
    }
    let text = args.text.as_deref().unwrap_or_default();
    if text.trim().is_empty() && args.audio.is_none() {
        anyhow::bail!(
            "`rehearse say` needs the text to speak, e.g. `rehearse say \"Tell me about yourself.\"`"
        );
    }
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
    let spoken = voice::speak(text, args.audio.as_deref(), &options)
        .with_context(|| format!("cannot say {:?}", super::short(text)))?;
    match spoken {
        Spoken::Played(speech) => played(&speech, &options.voice, None, args.json)?,
        Spoken::FellBack { speech, notice } => {
            eprintln!("rehearse: note: {notice}");
            played(&speech, voice::ESPEAK, Some(&notice), args.json)?;
        }
        Spoken::TextOnly { notice } => {
            eprintln!("rehearse: note: {notice}");
            if args.json {
                let report = serde_json::json!({ "played": false, "text": text, "notice": notice });
                super::print_stdout(&format!("{report:#}\n"))?;
            } else {
                super::print_stdout(&format!("{text}\n"))?;
            }
        }
    }
    Ok(())
}

/// Reports what was played.
fn played(speech: &Speech, name: &str, notice: Option<&str>, json: bool) -> anyhow::Result<()> {
    let synthesized = matches!(speech.source, SpeechSource::Synthesized { .. });
    if json {
        let mut report = serde_json::json!({
            "played": true,
            "seconds": speech.duration_seconds(),
            "rate": speech.rate,
            "voice": synthesized.then_some(name),
            "engine": synthesized.then(|| voice::engine_of(name)),
            "source": speech.source,
        });
        if let Some(notice) = notice {
            report["notice"] = notice.into();
        }
        super::print_stdout(&format!("{report:#}\n"))?;
    } else {
        let from = match &speech.source {
            SpeechSource::Recorded { path } => format!("from `{}`", path.display()),
            SpeechSource::Synthesized { cached: true, .. } => format!("voice {name}, cached"),
            SpeechSource::Synthesized { cached: false, .. } => format!("voice {name}"),
        };
        eprintln!(
            "rehearse: played {:.1} s ({from})",
            speech.duration_seconds()
        );
    }
    Ok(())
}

/// `rehearse say --voice LIST`: the voices, installed or not.
fn list(json: bool) -> anyhow::Result<()> {
    let rows = crate::tts::list(&crate::paths::models_dir());
    if json {
        let report = serde_json::json!({ "voices": rows });
        return super::print_stdout(&format!("{report:#}\n"));
    }
    let mut out = String::new();
    for row in &rows {
        out.push_str(&format!(
            "{:<8} {:<10} {:<14} {}\n",
            row.name,
            row.engine,
            match (row.installed, row.default) {
                (true, true) => "installed *",
                (true, false) => "installed",
                (false, _) => "missing",
            },
            row.detail
        ));
    }
    out.push_str(
        "* the default; choose another with --voice NAME or `[voice] name` in config.toml\n",
    );
    super::print_stdout(&out)
}
