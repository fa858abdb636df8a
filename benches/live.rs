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

#[path = "support/practice_run.rs"]
mod practice_run;

use std::path::Path;

use practice_run::{Run, STOP_ON_SILENCE, fluent, longest_pause, practise};
use support::{machine, median, packaged_tiny_en, two_minutes_of_speech, write_wav};
use virtual_audio::PulseCable;

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
            let result = practise(&cable, &wav, batch, &[]);
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

    let threads = rehearse::transcribe::default_threads();
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
