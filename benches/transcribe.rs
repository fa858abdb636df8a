//! Transcription benchmark: whole-file transcription of two minutes of real speech (the clips of
//! `../shared/speech/` joined end to end), timed for the default model in f16 and q8_0 (installed as
//! `rehearse model download` does, offline from the package index), and for faster-whisper on those
//! same weights and threads.
//!
//! Run: `cargo bench --bench transcribe`. It prints a table (median of 3 runs each) and the ratios;
//! nothing is asserted. faster-whisper is installed with pip into `target/bench/venv` on first use;
//! when that fails the bench says why and times rehearse alone.

use std::path::Path;
use std::time::Instant;

use rehearse::model::{ModelFile, download, manifest};
use rehearse::paths;
use rehearse::transcribe::{Settings, Transcriber};

#[path = "support/mod.rs"]
#[allow(dead_code)]
mod support;

use support::{machine, median, packaged_model, two_minutes_of_speech, write_wav};

const RUNS: usize = 3;

fn main() {
    let speech = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/speech");
    if !speech.is_dir() {
        eprintln!("skipped: ../shared/speech is absent, so there is no real speech to time");
        return;
    }
    let work = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&work).expect("target/bench");
    let samples = two_minutes_of_speech(&speech);
    let seconds = samples.len() as f64 / 16_000.0;
    let wav = work.join("answer-120s.wav");
    write_wav(&wav, &samples);
    let threads = Settings::default().threads;
    println!(
        "audio: {seconds:.1} s of real speech; threads: {threads}; machine: {}",
        machine()
    );

    // The default model and its sibling in the other weight format (f16 and q8_0 of the same weights),
    // each installed as `rehearse model download` would, against faster-whisper on those weights.
    let default = manifest::DEFAULT_MODEL;
    let family = manifest::find(default)
        .and_then(|m| m.from)
        .unwrap_or_else(|| default.to_string());
    let ct2 = packaged_model(&work, default);
    let mut models = Vec::new();
    for name in [family.clone(), format!("{family}-q8_0")] {
        let Some(known) = manifest::find(&name) else {
            continue;
        };
        download::fetch(&known, &paths::models_dir(), &mut download::Quiet)
            .unwrap_or_else(|err| panic!("cannot install `{name}`: {err:#}"));
        let label = format!(
            "{name} {}{}",
            download::weights_name(known.weights),
            if name == default { " (default)" } else { "" }
        );
        models.push((label, paths::models_dir().join(&known.file)));
    }

    println!(
        "{:<34} {:>10} {:>8} {:>8} {:>12}",
        "engine", "median s", "RTF", "words", "peak memory"
    );
    let mut ours = Vec::new();
    for (name, path) in &models {
        let transcriber = Transcriber::load_file(ModelFile {
            name: family.clone(),
            path: path.clone(),
        })
        .expect("model loads");
        let mut runs = Vec::new();
        let mut words = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            words = transcriber
                .transcribe(&samples)
                .expect("transcribes")
                .words
                .len();
            runs.push(start.elapsed().as_secs_f64());
        }
        let median = median(&mut runs);
        let memory = peak_memory_kb().map_or("?".into(), |kb| format!("{} MB", kb / 1024));
        println!(
            "{:<34} {:>10.2} {:>8.3} {:>8} {:>12}",
            format!("rehearse {name}"),
            median,
            median / seconds,
            words,
            memory
        );
        ours.push((name.clone(), median));
    }

    match ct2
        .as_ref()
        .map(|dir| support::faster_whisper(&work, dir, &wav, threads, RUNS))
    {
        Some(Ok((median, words, memory_mb))) => {
            println!(
                "{:<34} {:>10.2} {:>8.3} {:>8} {:>12}",
                "faster-whisper (CTranslate2 f32)",
                median,
                median / seconds,
                words,
                format!("{memory_mb} MB")
            );
            for (name, time) in &ours {
                println!(
                    "ratio rehearse {name} / faster-whisper: {:.2}",
                    time / median
                );
            }
        }
        Some(Err(why)) => println!("faster-whisper: not run ({why})"),
        None => println!("faster-whisper: not run (the packaged model could not be fetched)"),
    }
}

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
