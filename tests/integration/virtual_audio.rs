//! Virtual sound devices for tests on machines with no sound card, each test with its own.
//!
//! - [`PulseCable`]: a private PulseAudio server (started here, killed on drop) with two null sinks,
//!   `mic` and `speaker`. The default source is `mic.monitor` and the default sink `speaker`, and
//!   ALSA's default device is routed to it (`type pulse`, from libasound2-plugins), so `rehearse`
//!   records whatever is played into `mic` and what it plays can be captured from `speaker.monitor`.
//!   Real time, like a real microphone.
//! - [`AlsaFileMic`]: ALSA's `file` plugin as the default capture device, reading a raw S16_LE 16 kHz
//!   mono file: byte-exact and unpaced.
//!
//! Everything lives in a temporary folder: `HOME` (for `.asoundrc`), `XDG_RUNTIME_DIR`, the server's
//! socket and state, so a real user's sound setup is never touched. Servers are distinct per test, so
//! tests may run in parallel.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A private PulseAudio server with a `mic` and a `speaker` null sink.
pub struct PulseCable {
    dir: tempfile::TempDir,
    server: Option<Child>,
}

impl PulseCable {
    /// Starts the server and waits until it answers.
    pub fn start() -> PulseCable {
        let dir = tempfile::tempdir().expect("temporary folder");
        let home = dir.path().join("home");
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(runtime.join("pulse")).unwrap();
        std::fs::write(
            home.join(".asoundrc"),
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n",
        )
        .unwrap();
        let mut cable = PulseCable { dir, server: None };
        let log = std::fs::File::create(cable.dir.path().join("pulseaudio.log")).unwrap();
        // Root may run a per-user server: it warns, and works. `-n` skips the system's default.pa.
        let server = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--log-target=stderr",
            ])
            .arg("-L")
            .arg(format!(
                "module-native-protocol-unix auth-anonymous=1 socket={}",
                cable.socket().display()
            ))
            .args([
                "-L",
                "module-null-sink sink_name=mic",
                "-L",
                "module-null-sink sink_name=speaker",
            ])
            .envs(cable.envs())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start pulseaudio (scripts/setup.sh installs it)");
        cable.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !cable.pactl(&["info"]) {
            assert!(
                Instant::now() < deadline,
                "pulseaudio did not start: {}",
                cable.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(cable.pactl(&["set-default-source", "mic.monitor"]));
        assert!(cable.pactl(&["set-default-sink", "speaker"]));
        cable
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/pulse/native")
    }

    /// [`PulseCable::envs`] with rehearse's data folder at `home`.
    pub fn envs_with_home(&self, home: &Path) -> Vec<(OsString, OsString)> {
        let mut envs = self.envs();
        envs.push(("REHEARSE_HOME".into(), home.into()));
        envs
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pulseaudio.log")).unwrap_or_default()
    }

    /// The environment that points a client (and ALSA) at this server and nowhere else.
    pub fn envs(&self) -> Vec<(OsString, OsString)> {
        let home = self.dir.path().join("home");
        let runtime = self.dir.path().join("run");
        vec![
            ("HOME".into(), home.into()),
            ("XDG_RUNTIME_DIR".into(), runtime.clone().into()),
            (
                "XDG_CONFIG_HOME".into(),
                self.dir.path().join("config").into(),
            ),
            ("PULSE_RUNTIME_PATH".into(), runtime.join("pulse").into()),
            (
                "PULSE_STATE_PATH".into(),
                self.dir.path().join("state").into(),
            ),
            (
                "PULSE_SERVER".into(),
                format!("unix:{}", self.socket().display()).into(),
            ),
        ]
    }

    fn pactl(&self, args: &[&str]) -> bool {
        Command::new("pactl")
            .args(args)
            .envs(self.envs())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Plays a WAV into the `mic` sink (what the program hears); returns when it has played.
    pub fn play_into_mic(&self, wav: &Path) {
        let status = Command::new("paplay")
            .args(["-d", "mic", "--latency-msec=50"])
            .arg(wav)
            .envs(self.envs())
            .status()
            .expect("run paplay (pulseaudio-utils)");
        assert!(status.success(), "paplay failed: {}", self.log());
    }

    /// Starts capturing `speaker.monitor` (what the program played) as 16 kHz mono; returns once
    /// audio flows.
    pub fn record_speaker(&self) -> Capture {
        let mut child = Command::new("parec")
            .args([
                "-d",
                "speaker.monitor",
                "--raw",
                "--rate=16000",
                "--channels=1",
                "--format=s16le",
                // Small fragments: by default parec hands over two seconds at a time.
                "--latency-msec=50",
            ])
            .envs(self.envs())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run parec (pulseaudio-utils)");
        let mut stdout = child.stdout.take().unwrap();
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&bytes);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        // The monitor starts with a burst, stalls for a second or two, then flows steadily: wait
        // for a second and a half of audio, so the capture is listening before anything plays.
        let deadline = Instant::now() + Duration::from_secs(15);
        while bytes.lock().unwrap().len() < 48_000 {
            assert!(
                Instant::now() < deadline,
                "parec delivered nothing: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Capture {
            child,
            bytes,
            reader: Some(reader),
        }
    }

    /// Stops the server now (a microphone unplugged).
    pub fn kill_server(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for PulseCable {
    fn drop(&mut self) {
        self.kill_server();
    }
}

/// A running capture of the speaker side.
pub struct Capture {
    child: Child,
    bytes: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Capture {
    /// Stops and returns the 16 kHz mono samples captured.
    pub fn stop(mut self) -> Vec<f32> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let bytes = self.bytes.lock().unwrap();
        bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect()
    }
}

/// ALSA's `file` plugin as the default capture device, reading a raw S16_LE 16 kHz mono file.
pub struct AlsaFileMic {
    dir: tempfile::TempDir,
}

impl AlsaFileMic {
    /// A home whose `.asoundrc` is `config` (to make devices missing or odd).
    pub fn with_config(config: &str) -> AlsaFileMic {
        let dir = tempfile::tempdir().expect("temporary folder");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join(".asoundrc"), config).unwrap();
        AlsaFileMic { dir }
    }

    /// A fake microphone that delivers `samples` (then whatever the plugin gives after the end).
    pub fn new(samples: &[i16]) -> AlsaFileMic {
        let dir = tempfile::tempdir().expect("temporary folder");
        let raw = dir.path().join("answer.raw");
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(&raw, bytes).unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let config = format!(
            "pcm.rawmic {{\n  type file\n  slave {{ pcm \"null\" }}\n  file \"/dev/null\"\n  infile \"{}\"\n  format \"raw\"\n}}\n\
             pcm.!default {{\n  type asym\n  capture.pcm \"rawmic\"\n  playback.pcm \"null\"\n}}\n",
            raw.display()
        );
        std::fs::write(home.join(".asoundrc"), config).unwrap();
        AlsaFileMic { dir }
    }

    /// The environment that makes ALSA read this `.asoundrc` (and no PulseAudio server).
    pub fn envs(&self) -> Vec<(OsString, OsString)> {
        vec![
            ("HOME".into(), self.dir.path().join("home").into()),
            (
                "XDG_CONFIG_HOME".into(),
                self.dir.path().join("config").into(),
            ),
            ("XDG_RUNTIME_DIR".into(), self.dir.path().into()),
            ("PULSE_SERVER".into(), "unix:/nonexistent".into()),
        ]
    }
}

/// A `rehearse` running in the background, its stderr lines readable as they come.
pub struct Running {
    pub child: Child,
    lines: Receiver<String>,
    pub stderr: Arc<Mutex<String>>,
    pub started: Instant,
    _home: tempfile::TempDir,
}

/// Starts `rehearse` with `args` in a fresh data folder and the given environment.
pub fn spawn_rehearse(args: &[&str], envs: &[(OsString, OsString)]) -> Running {
    let home = tempfile::tempdir().expect("temporary folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env("REHEARSE_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("REHEARSE_MODEL")
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rehearse");
    let stderr = child.stderr.take().unwrap();
    let (sender, lines) = mpsc::channel();
    let all = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&all);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line.clone() + "\n"));
            let _ = sender.send(line);
        }
    });
    Running {
        child,
        lines,
        stderr: all,
        started: Instant::now(),
        _home: home,
    }
}

impl Running {
    /// Waits for a stderr line containing `text`.
    pub fn wait_for_line(&self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no line with {text:?} within {timeout:?}; stderr:\n{}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Presses Enter. When rehearse has already exited (its report came before the key was
    /// needed) the closed input is not an error.
    pub fn press_enter(&mut self) {
        let stdin = self.child.stdin.as_mut().unwrap();
        match stdin.write_all(b"\n").and_then(|()| stdin.flush()) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(err) => panic!("cannot press Enter: {err}"),
        }
    }

    /// Waits for the exit (failing after `timeout`); returns status code and stdout.
    pub fn wait(mut self, timeout: Duration) -> (Option<i32>, String, String, Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let elapsed = self.started.elapsed();
                let mut out = String::new();
                self.child
                    .stdout
                    .take()
                    .unwrap()
                    .read_to_string(&mut out)
                    .unwrap();
                std::thread::sleep(Duration::from_millis(50));
                let err = self.stderr.lock().unwrap().clone();
                return (status.code(), out, err, elapsed);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "rehearse did not exit within {timeout:?}; stderr:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a signal by name (`INT`, `KILL`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// Reads a WAV as samples in -1..1 with its rate and channel count.
pub fn read_wav(path: &Path) -> (Vec<f32>, u32, u16) {
    let mut reader =
        hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = reader.spec();
    let samples = reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect();
    (samples, spec.sample_rate, spec.channels)
}

/// The lag (in samples) at which `haystack` best matches `needle`, and the normalised correlation
/// there (1.0 = identical up to scale).
pub fn best_match(haystack: &[f32], needle: &[f32]) -> (usize, f64) {
    // Coarse search on 4x decimated signals, then refine around the best coarse lag.
    let decimate = |x: &[f32]| {
        x.chunks(4)
            .map(|c| c.iter().sum::<f32>() / c.len() as f32)
            .collect::<Vec<f32>>()
    };
    let (h4, n4) = (decimate(haystack), decimate(needle));
    let mut best = (0usize, f64::MIN);
    for lag in 0..h4.len().saturating_sub(n4.len()) + 1 {
        let c = correlation(&h4[lag..], &n4);
        if c > best.1 {
            best = (lag, c);
        }
    }
    let center = best.0 * 4;
    let mut fine = (center, f64::MIN);
    for lag in center.saturating_sub(8)..=(center + 8).min(haystack.len().saturating_sub(1)) {
        let c = correlation(&haystack[lag..], needle);
        if c > fine.1 {
            fine = (lag, c);
        }
    }
    fine
}

/// Where (in seconds) the loudness contour of `needle` best matches that of `haystack` (10 ms RMS
/// frames), and the Pearson correlation there; robust to the phase changes of resampling.
pub fn envelope_match(haystack: &[f32], needle: &[f32]) -> (f64, f64) {
    let envelope = |x: &[f32]| -> Vec<f32> {
        x.chunks(160)
            .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
            .collect()
    };
    let (h, n) = (envelope(haystack), envelope(needle));
    let mut best = (0usize, f64::MIN);
    for lag in 0..h.len().saturating_sub(n.len()) + 1 {
        let c = pearson(&h[lag..(lag + n.len()).min(h.len())], &n);
        if c > best.1 {
            best = (lag, c);
        }
    }
    (best.0 as f64 * 0.01, best.1)
}

fn pearson(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let mean = |x: &[f32]| x[..n].iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let centered_a: Vec<f32> = a[..n].iter().map(|v| (f64::from(*v) - ma) as f32).collect();
    let centered_b: Vec<f32> = b[..n].iter().map(|v| (f64::from(*v) - mb) as f32).collect();
    correlation(&centered_a, &centered_b)
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        0.0
    } else {
        ab / (aa.sqrt() * bb.sqrt())
    }
}

/// Lower-case words without punctuation.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
