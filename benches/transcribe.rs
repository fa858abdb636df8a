//! Transcription benchmark: real-time factor and peak memory of whole-file transcription on about two
//! minutes of real speech (the clips of `../shared/speech/` joined end to end), for each model file
//! given (default: the installed `tiny.en`), with word timings from DTW and from timestamps.
//!
//! Run: `cargo bench --bench transcribe [-- MODEL.bin ...]`. Prints a table; nothing is asserted.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rehearse::audio::decode;
use rehearse::model::ModelFile;
use rehearse::transcribe::{Settings, Timing, Transcriber};

fn main() {
    let speech = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/speech");
    if !speech.is_dir() {
        eprintln!("skipped: ../shared/speech is absent, so there is no real speech to time");
        return;
    }
    let samples = two_minutes_of_speech(&speech);
    let seconds = samples.len() as f64 / 16_000.0;
    let models: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let models = if models.is_empty() {
        vec![
            rehearse::model::locate(None)
                .expect("install tiny.en first: make setup")
                .path,
        ]
    } else {
        models
    };
    println!(
        "audio: {seconds:.1} s of real speech; threads: {}",
        Settings::default().threads
    );
    println!(
        "{:<40} {:>8} {:>10} {:>8} {:>8}",
        "model", "timing", "seconds", "RTF", "words"
    );
    for model in &models {
        for timing in [Timing::Dtw, Timing::Timestamps] {
            let mut runs = Vec::new();
            let mut words = 0;
            for _ in 0..3 {
                let transcriber = Transcriber::load_file(ModelFile {
                    name: "bench".into(),
                    path: model.clone(),
                })
                .expect("model loads")
                .with_settings(Settings {
                    timing,
                    ..Settings::default()
                });
                let start = Instant::now();
                let transcript = transcriber.transcribe(&samples).expect("transcribes");
                runs.push(start.elapsed().as_secs_f64());
                words = transcript.words.len();
            }
            runs.sort_by(f64::total_cmp);
            let median = runs[runs.len() / 2];
            println!(
                "{:<40} {:>8} {:>10.2} {:>8.3} {:>8}",
                model
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                format!("{timing:?}"),
                median,
                median / seconds,
                words
            );
        }
    }
    println!(
        "peak memory (VmHWM): {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

/// All shared clips joined, repeated until there are at least 120 s.
fn two_minutes_of_speech(dir: &Path) -> Vec<f32> {
    let mut clips: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("speech folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    clips.sort();
    let mut out = Vec::new();
    while out.len() < 120 * 16_000 {
        for clip in &clips {
            out.extend(decode::read_wav(clip).expect("clip reads").samples);
            out.extend(std::iter::repeat_n(0.0, 8_000));
        }
    }
    out.truncate(120 * 16_000);
    out
}

fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
}
