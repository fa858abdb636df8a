//! Latency benchmark: a two-minute answer (the shared real speech joined end to end) played in real
//! time through a PulseAudio virtual cable into
//! `rehearse practice --question failure --no-follow-ups --stop-on-silence 1`, as a candidate would
//! speak it, transcribed while spoken (the default) and as a whole file (`--batch`).
//!
//! For each path it prints the median over the runs of: the time from the end of speech to the
//! complete report (the process exits once the report is out), the time from the end of the recording
//! to the transcript (rehearse's own log line), the real-time factor of the transcription (Whisper's
//! time on the stretches in the transcript over the answer's length), Whisper's time in all (with the
//! tentative last stretches cancelled when speech went on) and the process's peak memory. Then faster-whisper on the same
//! answer, weights and threads, and the ratio of rehearse's whole-file time to it.
//!
//! Run: `cargo bench --bench live` (about 25 minutes: 2 paths x 5 runs of a two-minute answer).
//! `REHEARSE_BENCH_RUNS=N` changes the number of runs per path. Nothing is asserted.

#[path = "../tests/integration/virtual_audio.rs"]
#[allow(dead_code)]
mod virtual_audio;

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rehearse::audio::vad;
use support::{machine, median, packaged_tiny_en, two_minutes_of_speech, write_wav};
use virtual_audio::{PulseCable, spawn_rehearse};

/// The silence the recorder waits for before it ends the answer.
const STOP_ON_SILENCE: &str = "1";

/// One run's figures.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// End of speech to the report complete (process exit).
    end_to_report: f64,
    /// End of the recording to the transcript, from rehearse's log.
    after_recording: f64,
    /// Whisper's time on the transcript over the answer's length, from rehearse's log.
    rtf: f64,
    /// Whisper's seconds on the stretches in the transcript.
    transcript: f64,
    /// Whisper's seconds in all (with cancelled tentative stretches).
    busy: f64,
    /// Peak resident memory of the process (MB).
    peak_mb: f64,
}

fn main() {
    let speech = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/speech");
    if !speech.is_dir() {
        eprintln!("skipped: ../shared/speech is absent, so there is no real speech to play");
        return;
    }
    let runs: usize = std::env::var("REHEARSE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let work = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&work).expect("target/bench");
    let samples = fluent(&two_minutes_of_speech(&speech));
    let seconds = samples.len() as f64 / 16_000.0;
    let wav = work.join("answer-live.wav");
    write_wav(&wav, &samples);
    println!(
        "longest pause inside the answer, as the recorder times it: {:.2} s",
        longest_pause(&samples)
    );
    println!(
        "answer: {seconds:.1} s of real speech played in real time through a PulseAudio null sink; \
         --stop-on-silence {STOP_ON_SILENCE}; {runs} runs per path; machine: {}",
        machine()
    );
    let cable = PulseCable::start();

    let mut table = Vec::new();
    for (name, batch) in [
        ("incremental (default)", false),
        ("whole file (--batch)", true),
    ] {
        let mut results = Vec::new();
        for run in 0..runs {
            let result = practise(&cable, &wav, batch);
            eprintln!("bench: {name} run {}: {result:?}", run + 1);
            results.push(result);
        }
        table.push((name, results));
    }

    println!(
        "{:<24} {:>14} {:>18} {:>7} {:>13} {:>11} {:>12}",
        "path",
        "end->report s",
        "recording->text s",
        "RTF",
        "transcript s",
        "all work s",
        "peak memory"
    );
    let mut whole_busy = None;
    for (name, results) in &table {
        let pick = |f: fn(&Run) -> f64| median(&mut results.iter().map(f).collect::<Vec<_>>());
        let transcript = pick(|r| r.transcript);
        println!(
            "{:<24} {:>14.2} {:>18.2} {:>7.3} {:>13.2} {:>11.2} {:>9.0} MB",
            name,
            pick(|r| r.end_to_report),
            pick(|r| r.after_recording),
            pick(|r| r.rtf),
            transcript,
            pick(|r| r.busy),
            pick(|r| r.peak_mb)
        );
        for (i, r) in results.iter().enumerate() {
            println!(
                "    run {}: end->report {:.2} s, recording->text {:.2} s",
                i + 1,
                r.end_to_report,
                r.after_recording
            );
        }
        if name.starts_with("whole") {
            whole_busy = Some(transcript);
        }
    }

    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    match packaged_tiny_en(&work).map(|dir| support::faster_whisper(&work, &dir, &wav, threads, 3))
    {
        Some(Ok((fw, words, memory))) => {
            println!(
                "faster-whisper (same answer, weights, {threads} threads): {fw:.2} s, RTF {:.3}, \
                 {words} words, peak {memory} MB",
                fw / seconds
            );
            if let Some(ours) = whole_busy {
                println!(
                    "ratio rehearse whole-file transcription / faster-whisper: {:.2}",
                    ours / fw
                );
            }
        }
        Some(Err(why)) => println!("faster-whisper: not run ({why})"),
        None => println!("faster-whisper: not run (the packaged model could not be fetched)"),
    }
}

/// The longest silence the recorder may see inside the answer, well under its one second.
const LONGEST_PAUSE: f64 = 0.45;

/// The speech with every pause the recorder would time longer than [`LONGEST_PAUSE`] shortened, so
/// `--stop-on-silence 1` ends the answer only at its end; looped to about two minutes and cut where
/// a stretch of speech ends (so the end of playback is the end of speech).
fn fluent(samples: &[f32]) -> Vec<f32> {
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
fn shorten_pauses(samples: &[f32]) -> Vec<f32> {
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
fn longest_pause(samples: &[f32]) -> f64 {
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
fn practise(cable: &PulseCable, wav: &Path, batch: bool) -> Run {
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
    let running = spawn_rehearse(&args, &cable.envs());
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
fn watch_memory(pid: u32) -> (Arc<AtomicU64>, Arc<AtomicBool>) {
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
fn number_before(line: &str, marker: &str) -> f64 {
    let head = &line[..line.find(marker).expect("marker in the log line")];
    head.rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

/// The number just after `marker` in `line`.
fn number_after(line: &str, marker: &str) -> f64 {
    let tail = &line[line.find(marker).expect("marker in the log line") + marker.len()..];
    tail.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}
