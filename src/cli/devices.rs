//! `rehearse devices [--all] [--json]`: the microphones and speakers the audio system offers,
//! defaults marked, real devices first; ALSA's plugins (rate converters, mixers, bridges to other
//! audio systems) only with `--all`.

use crate::audio::device::{self, DeviceInfo, DeviceKind};
use crate::config::Config;

/// Arguments of `rehearse devices`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list ALSA's plugins (rate converters, channel mixers, `null`, JACK and OSS bridges,
    /// sound servers that are not running); they are not microphones, but any of them can be
    /// passed to --input-device or --output-device.
    #[arg(long)]
    pub all: bool,
    /// Print JSON: each device's id, name, description, kind, whether it can capture or play, and
    /// the defaults; `hidden` lists the ids of the plugins left out (none with --all).
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse devices`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let (shown, hidden) = split(device::list_devices()?, args.all);
    let config = Config::load()?;
    if args.json {
        let report = serde_json::json!({
            "devices": shown,
            "hidden": hidden.iter().map(|d| &d.id).collect::<Vec<_>>(),
            "configured": { "input": config.audio.input_device, "output": config.audio.output_device },
        });
        return super::print_stdout(&format!("{report:#}\n"));
    }
    for (label, chosen) in [
        ("input", &config.audio.input_device),
        ("output", &config.audio.output_device),
    ] {
        if let Some(name) = chosen {
            eprintln!("rehearse: the settings file chooses `{name}` for {label}");
        }
    }
    if !hidden.is_empty() {
        let ids: Vec<&str> = hidden.iter().map(|d| d.id.as_str()).collect();
        eprintln!(
            "rehearse: {} ALSA plugins not shown ({}); `rehearse devices --all` lists them",
            ids.len(),
            ids.join(", ")
        );
    }
    super::print_stdout(&table(&shown))
}

/// The devices to show and the plugins left out (none with `all`).
fn split(devices: Vec<DeviceInfo>, all: bool) -> (Vec<DeviceInfo>, Vec<DeviceInfo>) {
    if all {
        return (devices, Vec::new());
    }
    // What the user has chosen as default stays visible whatever it is.
    devices
        .into_iter()
        .partition(|d| d.kind != DeviceKind::Plugin || d.default_input || d.default_output)
}

/// One row per device: capture and playback (defaults marked), the id to pass to
/// `--input-device`, the kind and the human name.
fn table(devices: &[DeviceInfo]) -> String {
    let mark = |capable: bool, default: bool| match (capable, default) {
        (_, true) => "default",
        (true, false) => "yes",
        (false, false) => "-",
    };
    let width = devices.iter().map(|d| d.id.len()).max().unwrap_or(2).max(2);
    let mut text = format!(
        "{:<8} {:<8} {:<width$}  {:<7}  name\n",
        "input", "output", "id", "kind"
    );
    for d in devices {
        // Two devices of one card share a name; their descriptions tell them apart.
        let twin = devices
            .iter()
            .any(|other| other.id != d.id && other.name == d.name);
        let name = match &d.description {
            Some(description) if twin => format!("{} ({description})", d.name),
            _ => d.name.clone(),
        };
        text.push_str(&format!(
            "{:<8} {:<8} {:<width$}  {:<7}  {name}\n",
            mark(d.input, d.default_input),
            mark(d.output, d.default_output),
            d.id,
            d.kind.word(),
        ));
    }
    if devices.is_empty() {
        text.push_str("(no devices)\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, name: &str, kind: DeviceKind) -> DeviceInfo {
        DeviceInfo {
            id: id.into(),
            name: name.into(),
            description: None,
            kind,
            input: true,
            output: true,
            default_input: false,
            default_output: false,
        }
    }

    #[test]
    fn plugins_are_hidden_unless_all_and_twins_are_told_apart() {
        let mut default = device("default", "Default Audio Device", DeviceKind::Default);
        default.default_input = true;
        default.default_output = true;
        let mut hw = device(
            "hw:CARD=PCH,DEV=0",
            "HDA Intel PCH, ALC3246",
            DeviceKind::Card,
        );
        hw.description = Some("Direct hardware device without any conversions".into());
        let mut plughw = device(
            "plughw:CARD=PCH,DEV=0",
            "HDA Intel PCH, ALC3246",
            DeviceKind::Card,
        );
        plughw.description = Some("Hardware device with all software conversions".into());
        let devices = vec![
            default,
            hw,
            plughw,
            device("lavrate", "Rate Converter Plugin", DeviceKind::Plugin),
        ];
        let (shown, hidden) = split(devices.clone(), false);
        assert_eq!(
            shown.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["default", "hw:CARD=PCH,DEV=0", "plughw:CARD=PCH,DEV=0"]
        );
        assert_eq!(hidden.len(), 1);
        let text = table(&shown);
        assert!(!text.contains("lavrate"), "{text}");
        assert!(
            text.contains("HDA Intel PCH, ALC3246 (Direct hardware device"),
            "{text}"
        );
        assert!(text.contains("Default Audio Device\n"), "{text}");
        let (all, none) = split(devices, true);
        assert_eq!((all.len(), none.len()), (4, 0));
        assert!(table(&all).contains("lavrate"));
    }
}
