//! One practice answer played through the virtual cable and timed, shared by the latency benchmark
//! (`live`) and the model table (`models`): the fluent two-minute answer, the run itself and the figures
//! read from rehearse's log line and the process's peak memory.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rehearse::audio::vad;

use crate::virtual_audio::{PulseCable, spawn_rehearse};

/// The silence the recorder waits for before it ends the answer.
pub const STOP_ON_SILENCE: &str = "1";

/// One run's figures.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    /// End of speech to the report complete (process exit).
    pub end_to_report: f64,
    /// End of the recording to the transcript, from rehearse's log.
    pub after_recording: f64,
    /// Whisper's time on the transcript over the answer's length, from rehearse's log.
    pub rtf: f64,
    /// Whisper's seconds on the stretches in the transcript.
    pub transcript: f64,
    /// Whisper's seconds in all (with cancelled tentative stretches).
    pub busy: f64,
    /// Peak resident memory of the process (MB).
    pub peak_mb: f64,
}

/// The longest silence the recorder may see inside the answer, well under its one second.
pub const LONGEST_PAUSE: f64 = 0.45;

/// The speech with every pause the recorder would time longer than [`LONGEST_PAUSE`] shortened, so
/// `--stop-on-silence 1` ends the answer only at its end; looped to about two minutes and cut where
/// a stretch of speech ends (so the end of playback is the end of speech).
pub fn fluent(samples: &[f32]) -> Vec<f32> {
    let shortened = shorten_pauses(samples);
    let mut looped = shortened.clone();
    while looped.len() < 120 * 16_000 {
        looped.extend(std::iter::repeat_n(0.0, 4_000));
        looped.extend_from_slice(&shortened);
    }
    let mut looped = shorten_pauses(&looped);
    // Dropping frames changes what the detector sees next; a second pass settles it.
    for _ in 0..3 {
        if longest_pause(&looped) < 0.9 {
            break;
        }
        looped = shorten_pauses(&looped);
    }
    let end = vad::speech_spans(&looped)
        .iter()
        .map(|s| ((s.end * 16_000.0) as usize).min(looped.len()))
        .filter(|&e| e <= 125 * 16_000)
        .max()
        .unwrap_or(looped.len());
    let answer = looped[..end].to_vec();
    let longest = longest_pause(&answer);
    assert!(longest < 0.9, "the answer keeps a {longest:.2} s pause");
    answer
}

/// Drops frames once the recorder's silence timer (time since the last voiced frame while speaking)
/// passes [`LONGEST_PAUSE`], until voice comes back.
pub fn shorten_pauses(samples: &[f32]) -> Vec<f32> {
    let frame = vad::FRAME_SAMPLES;
    let mut detector = vad::VoiceActivity::default();
    let mut out = Vec::with_capacity(samples.len());
    let mut since_voice = 0usize;
    for chunk in samples.chunks_exact(frame) {
        let activity = detector.push_frame(chunk);
        if activity.speaking && activity.voiced {
            since_voice = 0;
        } else {
            since_voice += frame;
        }
        if (since_voice as f64) < LONGEST_PAUSE * 16_000.0 {
            out.extend_from_slice(chunk);
        }
    }
    out
}

/// The longest silence the recorder's rule would time inside `samples`, in seconds.
pub fn longest_pause(samples: &[f32]) -> f64 {
    let frame = vad::FRAME_SAMPLES;
    let mut detector = vad::VoiceActivity::default();
    let (mut started, mut last_voice, mut longest) = (false, 0usize, 0usize);
    for (index, chunk) in samples.chunks_exact(frame).enumerate() {
        let activity = detector.push_frame(chunk);
        let now = (index + 1) * frame;
        started |= activity.started;
        if activity.speaking && activity.voiced {
            last_voice = now;
        }
        if started && !activity.speaking {
            longest = longest.max(now - last_voice);
        }
    }
    longest as f64 / 16_000.0
}

/// One practice answer through the cable.
pub fn practise(cable: &PulseCable, wav: &Path, batch: bool, envs: &[(OsString, OsString)]) -> Run {
    let mut args = vec![
        "practice",
        "--question",
        "failure",
        "--no-follow-ups",
        "--stop-on-silence",
        STOP_ON_SILENCE,
        "--max-seconds",
        "400",
    ];
    if batch {
        args.push("--batch");
    }
    let mut all_envs = cable.envs();
    all_envs.extend_from_slice(envs);
    let running = spawn_rehearse(&args, &all_envs);
    let (peak_kb, watching) = watch_memory(running.child.id());
    running.wait_for_line("speak now", Duration::from_secs(120));
    cable.play_into_mic(wav);
    let speech_ended = Instant::now();
    let started = running.started;
    let (code, _out, err, elapsed) = running.wait(Duration::from_secs(300));
    let exited = (started + elapsed)
        .saturating_duration_since(speech_ended)
        .as_secs_f64();
    watching.store(false, Ordering::Relaxed);
    assert_eq!(code, Some(0), "rehearse failed:\n{err}");
    if std::env::var_os("REHEARSE_BENCH_LOG").is_some() {
        eprintln!("{err}");
    }
    let line = err
        .lines()
        .find(|l| l.starts_with("rehearse: transcribed"))
        .unwrap_or_else(|| panic!("no transcription line:\n{err}"));
    Run {
        end_to_report: exited,
        after_recording: number_before(line, " s after the recording stopped"),
        rtf: number_after(line, "real-time factor "),
        transcript: number_after(line, "Whisper ran "),
        busy: number_before(line, " s in all"),
        peak_mb: peak_kb.load(Ordering::Relaxed) as f64 / 1024.0,
    }
}

/// Polls the process's peak resident memory (VmHWM) until told to stop or the process is gone.
pub fn watch_memory(pid: u32) -> (Arc<AtomicU64>, Arc<AtomicBool>) {
    let peak = Arc::new(AtomicU64::new(0));
    let watching = Arc::new(AtomicBool::new(true));
    let (p, w) = (Arc::clone(&peak), Arc::clone(&watching));
    std::thread::spawn(move || {
        let path = format!("/proc/{pid}/status");
        while w.load(Ordering::Relaxed) {
            let Ok(status) = std::fs::read_to_string(&path) else {
                break;
            };
            let kb = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            p.fetch_max(kb, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    (peak, watching)
}

/// The number just before `marker` in `line`.
pub fn number_before(line: &str, marker: &str) -> f64 {
    let head = &line[..line.find(marker).expect("marker in the log line")];
    head.rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

/// The number just after `marker` in `line`.
pub fn number_after(line: &str, marker: &str) -> f64 {
    let tail = &line[line.find(marker).expect("marker in the log line") + marker.len()..];
    tail.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}
