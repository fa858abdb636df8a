//! What a listed device is: the default, a sound server, a sound card, or an ALSA plugin.
//!
//! ALSA lists every PCM its configuration describes, and most of them are not microphones or
//! speakers at all: rate converters (`lavrate`, `samplerate`, `speexrate`), channel mixers
//! (`upmix`, `vdownmix`), the `null` sink, bridges to other audio systems (`jack`, `oss`) and
//! encoders. [`DeviceKind::of`] tells them apart by their PCM name, so `rehearse devices` can put
//! the real devices first and hide the plugins unless asked. A sound server's device (`pulse`,
//! `pipewire`) counts as real only while that server is running.

use std::path::{Path, PathBuf};

/// What a listed device is, in the order `rehearse devices` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// The system's default device (what rehearse uses unless told otherwise).
    Default,
    /// A running sound server (PulseAudio, PipeWire), which routes to the real devices.
    SoundServer,
    /// A sound card's device (`hw:`, `plughw:`, `sysdefault:`, `front:`... with `CARD=`).
    Card,
    /// A device from the user's or the system's configuration that is none of the others.
    Other,
    /// An ALSA plugin: a converter, a mixer, `null`, a bridge to JACK or OSS, or a sound server
    /// that is not running.
    Plugin,
}

/// PCM names of the plugins ALSA and alsa-plugins ship (a name may carry a suffix, as
/// `samplerate_best` does).
const PLUGINS: &[&str] = &[
    "null",
    "lavrate",
    "lavcrate",
    "samplerate",
    "speexrate",
    "speex",
    "upmix",
    "vdownmix",
    "a52",
    "dca",
    "jack",
    "oss",
    "usbstream",
    "arcam_av",
    "maemo",
];

/// Sound servers and the socket that shows each is running.
const SERVERS: &[&str] = &["pulse", "pipewire"];

impl DeviceKind {
    /// The kind of the ALSA PCM `id` (as `rehearse devices` lists it).
    pub fn of(id: &str) -> DeviceKind {
        DeviceKind::classify(id, &Environment::current())
    }

    fn classify(id: &str, env: &Environment) -> DeviceKind {
        let (base, args) = id.split_once(':').unwrap_or((id, ""));
        if base == "default" && args.is_empty() {
            return DeviceKind::Default;
        }
        if SERVERS.contains(&base) {
            return if env.server_running(base) {
                DeviceKind::SoundServer
            } else {
                DeviceKind::Plugin
            };
        }
        if matches!(base, "hw" | "plughw" | "sysdefault") || args.contains("CARD=") {
            return DeviceKind::Card;
        }
        let plugin = PLUGINS.iter().any(|p| {
            base.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        });
        if plugin {
            DeviceKind::Plugin
        } else {
            DeviceKind::Other
        }
    }

    /// A short word for the text listing.
    pub fn word(self) -> &'static str {
        match self {
            DeviceKind::Default => "default",
            DeviceKind::SoundServer => "server",
            DeviceKind::Card => "card",
            DeviceKind::Other => "other",
            DeviceKind::Plugin => "plugin",
        }
    }
}

/// Where sound servers put their sockets (from the environment, so tests can use their own).
struct Environment {
    pulse_server: Option<String>,
    pulse_runtime: Option<PathBuf>,
    pipewire_runtime: Option<PathBuf>,
    pipewire_remote: Option<String>,
    runtime: Option<PathBuf>,
}

impl Environment {
    fn current() -> Environment {
        let path = |key| {
            std::env::var_os(key)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let text = |key| std::env::var(key).ok().filter(|v| !v.is_empty());
        Environment {
            pulse_server: text("PULSE_SERVER"),
            pulse_runtime: path("PULSE_RUNTIME_PATH"),
            pipewire_runtime: path("PIPEWIRE_RUNTIME_DIR"),
            pipewire_remote: text("PIPEWIRE_REMOTE"),
            runtime: path("XDG_RUNTIME_DIR"),
        }
    }

    /// The server's socket exists (a server named by network address is taken as running).
    fn server_running(&self, server: &str) -> bool {
        match server {
            "pulse" => match &self.pulse_server {
                // A list of addresses, tried in order: `unix:/path`, `tcp:host`, `/path`...
                Some(list) => {
                    list.split_whitespace()
                        .any(|address| match address.strip_prefix("unix:") {
                            Some(path) => Path::new(path).exists(),
                            None if address.starts_with('/') => Path::new(address).exists(),
                            None => true,
                        })
                }
                None => self
                    .pulse_runtime
                    .clone()
                    .or_else(|| self.runtime.as_ref().map(|r| r.join("pulse")))
                    .is_some_and(|dir| dir.join("native").exists()),
            },
            "pipewire" => {
                let remote = self.pipewire_remote.as_deref().unwrap_or("pipewire-0");
                if Path::new(remote).is_absolute() {
                    return Path::new(remote).exists();
                }
                self.pipewire_runtime
                    .as_ref()
                    .or(self.runtime.as_ref())
                    .is_some_and(|dir| dir.join(remote).exists())
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing_running() -> Environment {
        Environment {
            pulse_server: Some("unix:/nonexistent/native".into()),
            pulse_runtime: None,
            pipewire_runtime: None,
            pipewire_remote: None,
            runtime: Some("/nonexistent".into()),
        }
    }

    #[test]
    fn plugins_are_told_from_devices() {
        let env = nothing_running();
        for plugin in [
            "null",
            "lavrate",
            "samplerate",
            "samplerate_best",
            "speexrate",
            "speexrate_medium",
            "speex",
            "upmix",
            "vdownmix",
            "jack",
            "oss",
            "a52",
        ] {
            assert_eq!(
                DeviceKind::classify(plugin, &env),
                DeviceKind::Plugin,
                "{plugin}"
            );
        }
        for (id, kind) in [
            ("default", DeviceKind::Default),
            ("hw:CARD=PCH,DEV=0", DeviceKind::Card),
            ("plughw:CARD=PCH,DEV=0", DeviceKind::Card),
            ("sysdefault:CARD=PCH", DeviceKind::Card),
            ("front:CARD=PCH,DEV=0", DeviceKind::Card),
            ("hw:1,0", DeviceKind::Card),
            ("usbmic", DeviceKind::Other),
            ("nullsink", DeviceKind::Other),
            ("pulse", DeviceKind::Plugin),
            ("pipewire", DeviceKind::Plugin),
        ] {
            assert_eq!(DeviceKind::classify(id, &env), kind, "{id}");
        }
    }

    #[test]
    fn a_sound_server_is_a_device_while_its_socket_exists() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pulse")).unwrap();
        std::fs::write(dir.path().join("pulse/native"), b"").unwrap();
        std::fs::write(dir.path().join("pipewire-0"), b"").unwrap();
        let by_runtime = Environment {
            pulse_server: None,
            runtime: Some(dir.path().to_path_buf()),
            ..nothing_running()
        };
        assert_eq!(
            DeviceKind::classify("pulse", &by_runtime),
            DeviceKind::SoundServer
        );
        assert_eq!(
            DeviceKind::classify("pipewire", &by_runtime),
            DeviceKind::SoundServer
        );
        let by_address = Environment {
            pulse_server: Some(format!(
                "unix:/nonexistent unix:{}",
                dir.path().join("pulse/native").display()
            )),
            ..nothing_running()
        };
        assert_eq!(
            DeviceKind::classify("pulse", &by_address),
            DeviceKind::SoundServer
        );
        let remote = Environment {
            pulse_server: Some("tcp:studio.local".into()),
            ..nothing_running()
        };
        assert_eq!(
            DeviceKind::classify("pulse", &remote),
            DeviceKind::SoundServer
        );
    }

    #[test]
    fn kinds_sort_real_devices_first() {
        let mut kinds = [
            DeviceKind::Plugin,
            DeviceKind::Other,
            DeviceKind::Card,
            DeviceKind::SoundServer,
            DeviceKind::Default,
        ];
        kinds.sort();
        assert_eq!(kinds[0], DeviceKind::Default);
        assert_eq!(kinds[4], DeviceKind::Plugin);
    }
}
