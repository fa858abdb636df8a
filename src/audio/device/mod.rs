//! Every cpal call lives here: listing devices, choosing one by name, opening a capture stream and
//! playing a buffer.
//!
//! cpal's API changes between minor versions, so this file absorbs it: the rest of rehearse sees
//! [`DeviceInfo`], [`InputStream`] (interleaved `f32` samples from a lock-free ring buffer), [`play`]
//! and [`DeviceError`], whose variants keep "no device", "permission denied", "busy" and "gone" apart.
//!
//! The capture callback converts each sample to `f32` and pushes it into a preallocated ring buffer:
//! it never blocks, allocates or locks. Mixing to mono, resampling and everything else happen on the
//! thread that drains the ring ([`InputStream::pop`]).
//!
//! ALSA's own error printing is switched off ([`silence_native_errors`]) before the first cpal call:
//! the errors come back as [`DeviceError`]s instead.

mod alsa_log;
mod input;
mod kind;
mod output;

pub use alsa_log::silence as silence_native_errors;
pub use input::InputStream;
pub use kind::DeviceKind;
pub use output::play;

use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait};

/// How long the backend may take to open a stream.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// A capture stream that delivers nothing for this long is treated as gone.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a device could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The audio system itself is unavailable.
    #[error(
        "the audio system is not available ({0}); check that ALSA (or PulseAudio/PipeWire) is installed and running"
    )]
    NoHost(String),
    /// There is no input device at all.
    #[error("no microphone found; connect one or pass --input-device (see `rehearse devices`)")]
    NoInput,
    /// There is no output device at all.
    #[error(
        "no speaker or headphones found; connect some or pass --output-device (see `rehearse devices`)"
    )]
    NoOutput,
    /// The named device does not exist.
    #[error("no {direction} device named `{name}`; run `rehearse devices` to see the names")]
    NotFound {
        /// `input` or `output`.
        direction: &'static str,
        /// The name asked for.
        name: String,
    },
    /// The system refused access.
    #[error(
        "permission to use the {direction} device `{name}` was denied; add yourself to the `audio` group or allow microphone access in your system settings"
    )]
    PermissionDenied {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
    },
    /// The named device exists but cannot be opened (unplugged since it was listed, or broken).
    #[error(
        "the {direction} device `{name}` is not available; connect it or pick another with --{direction}-device (see `rehearse devices`)"
    )]
    Unavailable {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
    },
    /// Another program holds the device.
    #[error(
        "the {direction} device `{name}` is busy; close the other program using it, or pick another with --{direction}-device"
    )]
    Busy {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
    },
    /// The device went away (unplugged, or its server stopped).
    #[error(
        "the {direction} device `{name}` was disconnected; reconnect it or pick another with --{direction}-device"
    )]
    Gone {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
    },
    /// The device offers no format rehearse can use.
    #[error(
        "the {direction} device `{name}` offers no usable audio format ({detail}); pick another with --{direction}-device"
    )]
    Unsupported {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
        /// What cpal said.
        detail: String,
    },
    /// Anything else the backend reported.
    #[error("the {direction} device `{name}` failed: {detail}")]
    Backend {
        /// `input` or `output`.
        direction: &'static str,
        /// The device.
        name: String,
        /// What cpal said.
        detail: String,
    },
}

/// Input or output, for messages and lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A microphone.
    Input,
    /// Speakers or headphones.
    Output,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// One device as `rehearse devices` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    /// The backend's identifier (for ALSA, the PCM name such as `default` or `hw:CARD=PCH,DEV=0`);
    /// accepted by `--input-device` and `--output-device`.
    pub id: String,
    /// A human name (the first line of the backend's description).
    pub name: String,
    /// The rest of the backend's description, if any (for a card's devices, which of its
    /// conversions it applies: "Direct hardware device without any conversions").
    pub description: Option<String>,
    /// What it is: the default, a sound server, a card, another configured device or a plugin.
    pub kind: DeviceKind,
    /// It can capture.
    pub input: bool,
    /// It can play.
    pub output: bool,
    /// It is the default input.
    pub default_input: bool,
    /// It is the default output.
    pub default_output: bool,
}

fn host() -> Result<cpal::Host, DeviceError> {
    // Every cpal call starts here, so this covers library users too (the binary does it first).
    silence_native_errors();
    // `cpal::default_host()` panics when ALSA cannot load its configuration; ask by id instead.
    let id = cpal::available_hosts()
        .first()
        .copied()
        .ok_or_else(|| DeviceError::NoHost("no audio host compiled in".into()))?;
    cpal::host_from_id(id).map_err(|err| DeviceError::NoHost(err.to_string()))
}

fn device_id(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| id.id().to_string())
        .unwrap_or_else(|_| device.to_string())
}

fn device_name(device: &cpal::Device) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| device_id(device))
}

/// The description's lines after the name, joined (`None` when there are none).
fn device_details(device: &cpal::Device) -> Option<String> {
    let description = device.description().ok()?;
    let rest: Vec<&str> = description
        .extended()
        .filter(|line| *line != description.name())
        .collect();
    (!rest.is_empty()).then(|| rest.join("; "))
}

/// Lists the devices the audio system knows, defaults marked: the default first, then running
/// sound servers, sound cards, other configured devices, and the ALSA plugins last (see
/// [`DeviceKind`]), each group in the backend's order.
pub fn list_devices() -> Result<Vec<DeviceInfo>, DeviceError> {
    let host = host()?;
    let default_in = host.default_input_device().map(|d| device_id(&d));
    let default_out = host.default_output_device().map(|d| device_id(&d));
    let devices = host
        .devices()
        .map_err(|err| DeviceError::NoHost(err.to_string()))?;
    let mut out: Vec<DeviceInfo> = devices
        .map(|device| {
            let id = device_id(&device);
            DeviceInfo {
                name: device_name(&device),
                description: device_details(&device),
                kind: DeviceKind::of(&id),
                input: device.supports_input(),
                output: device.supports_output(),
                default_input: default_in.as_deref() == Some(id.as_str()),
                default_output: default_out.as_deref() == Some(id.as_str()),
                id,
            }
        })
        .collect();
    // The default device is not always among the listed ones (ALSA lists only hinted PCMs).
    for (default, direction) in [
        (&default_in, Direction::Input),
        (&default_out, Direction::Output),
    ] {
        if let Some(id) = default
            && !out.iter().any(|d| &d.id == id)
        {
            out.insert(
                0,
                DeviceInfo {
                    id: id.clone(),
                    name: "Default Audio Device".into(),
                    description: None,
                    kind: DeviceKind::of(id),
                    input: true,
                    output: true,
                    default_input: direction == Direction::Input || default_in.as_ref() == Some(id),
                    default_output: direction == Direction::Output
                        || default_out.as_ref() == Some(id),
                },
            );
        }
    }
    out.sort_by_key(|d| d.kind);
    Ok(out)
}

/// Finds a device: `None` is the default; a name matches an id exactly, else a human name exactly
/// (ignoring case), else the one id or name that contains it.
fn find_device(
    host: &cpal::Host,
    name: Option<&str>,
    direction: Direction,
) -> Result<cpal::Device, DeviceError> {
    let default = || match direction {
        Direction::Input => host.default_input_device().ok_or(DeviceError::NoInput),
        Direction::Output => host.default_output_device().ok_or(DeviceError::NoOutput),
    };
    let Some(wanted) = name.filter(|n| !n.is_empty()) else {
        return default();
    };
    if wanted == "default" {
        return default();
    }
    let not_found = || DeviceError::NotFound {
        direction: direction.word(),
        name: wanted.to_string(),
    };
    let devices: Vec<cpal::Device> = host.devices().map_err(|_| not_found())?.collect();
    let lower = wanted.to_lowercase();
    let by = |pred: &dyn Fn(&cpal::Device) -> bool| {
        devices
            .iter()
            .filter(|d| pred(d))
            .cloned()
            .collect::<Vec<_>>()
    };
    let exact_id = by(&|d| device_id(d) == wanted);
    if let Some(device) = exact_id.into_iter().next() {
        return Ok(device);
    }
    let exact_name = by(&|d| device_name(d).to_lowercase() == lower);
    if let Some(device) = exact_name.into_iter().next() {
        return Ok(device);
    }
    let partial = by(&|d| {
        device_id(d).to_lowercase().contains(&lower)
            || device_name(d).to_lowercase().contains(&lower)
    });
    match partial.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(not_found()),
    }
}

fn classify(err: &cpal::Error, direction: Direction, name: &str) -> DeviceError {
    let direction_word = direction.word();
    let name = name.to_string();
    match err.kind() {
        cpal::ErrorKind::PermissionDenied => DeviceError::PermissionDenied {
            direction: direction_word,
            name,
        },
        cpal::ErrorKind::DeviceBusy => DeviceError::Busy {
            direction: direction_word,
            name,
        },
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated => {
            DeviceError::Gone {
                direction: direction_word,
                name,
            }
        }
        cpal::ErrorKind::UnsupportedConfig | cpal::ErrorKind::UnsupportedOperation => {
            DeviceError::Unsupported {
                direction: direction_word,
                name,
                detail: err.to_string(),
            }
        }
        cpal::ErrorKind::HostUnavailable => DeviceError::NoHost(err.to_string()),
        _ => DeviceError::Backend {
            direction: direction_word,
            name,
            detail: err.to_string(),
        },
    }
}

/// A buffer of about 1/`per_second` of a second when the device says what it allows: backends'
/// defaults can be over a second (the ALSA PulseAudio plugin's is), which delays a question's start
/// and makes captured audio arrive in lumps.
fn small_buffer(
    supported: &cpal::SupportedBufferSize,
    rate: u32,
    per_second: u32,
) -> cpal::BufferSize {
    match supported {
        cpal::SupportedBufferSize::Range { min, max } if min <= max => {
            cpal::BufferSize::Fixed((rate / per_second.max(1)).clamp(*min, *max))
        }
        _ => cpal::BufferSize::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_sentence_and_say_what_to_do() {
        let errors = [
            DeviceError::NoInput,
            DeviceError::NotFound {
                direction: "input",
                name: "usb".into(),
            },
            DeviceError::PermissionDenied {
                direction: "input",
                name: "hw:0".into(),
            },
            DeviceError::Busy {
                direction: "input",
                name: "hw:0".into(),
            },
            DeviceError::Gone {
                direction: "input",
                name: "hw:0".into(),
            },
            DeviceError::Unavailable {
                direction: "input",
                name: "hw:0".into(),
            },
        ];
        let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
        for text in &texts {
            assert!(!text.contains('\n') && !text.ends_with('.'), "{text}");
            assert!(text.contains(';'), "no fix offered: {text}");
        }
        let unique: std::collections::HashSet<_> = texts.iter().collect();
        assert_eq!(unique.len(), texts.len());
    }

    #[test]
    fn backend_errors_are_kept_apart() {
        let kinds = [
            (cpal::ErrorKind::PermissionDenied, "denied"),
            (cpal::ErrorKind::DeviceBusy, "busy"),
            (cpal::ErrorKind::DeviceNotAvailable, "disconnected"),
            (cpal::ErrorKind::UnsupportedConfig, "no usable audio format"),
        ];
        for (kind, words) in kinds {
            let err = classify(&cpal::Error::new(kind), Direction::Input, "hw:1");
            let text = err.to_string();
            assert!(
                text.contains(words) && text.contains("`hw:1`"),
                "{kind:?}: {text}"
            );
        }
    }
}
