//! `rehearse devices [--json]`: the microphones and speakers the audio system offers, defaults marked.

use crate::audio::device;
use crate::config::Config;

/// Arguments of `rehearse devices`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON: each device's id, name, whether it can capture or play, and the defaults.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse devices`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let devices = device::list_devices()?;
    let config = Config::load()?;
    if args.json {
        let report = serde_json::json!({
            "devices": devices,
            "configured": { "input": config.audio.input_device, "output": config.audio.output_device },
        });
        return super::print_stdout(&format!("{report:#}\n"));
    }
    let mark = |capable: bool, default: bool| match (capable, default) {
        (_, true) => "default",
        (true, false) => "yes",
        (false, false) => "-",
    };
    let width = devices.iter().map(|d| d.id.len()).max().unwrap_or(2).max(2);
    let mut text = format!("{:<8} {:<8} {:<width$}  name\n", "input", "output", "id");
    for d in &devices {
        text.push_str(&format!(
            "{:<8} {:<8} {:<width$}  {}\n",
            mark(d.input, d.default_input),
            mark(d.output, d.default_output),
            d.id,
            d.name
        ));
    }
    if devices.is_empty() {
        text.push_str("(no devices)\n");
    }
    for (label, chosen) in [
        ("input", &config.audio.input_device),
        ("output", &config.audio.output_device),
    ] {
        if let Some(name) = chosen {
            eprintln!("rehearse: the settings file chooses `{name}` for {label}");
        }
    }
    super::print_stdout(&text)
}
