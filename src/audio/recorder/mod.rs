//! Recording one answer: capture, mix to mono, resample to 16 kHz, detect speech, stream a WAV to
//! disk, and decide when to stop.
//!
//! [`Recorder::start`] opens the microphone (through [`device`](super::device)) and hands it to a
//! worker thread; [`Recorder::start_with_source`] takes any [`CaptureSource`], which is how tests and
//! other front ends drive it without a sound card. The worker sends [`RecorderEvent`]s (level,
//! speaking or silent, speech ended, the max-length notice, the 16 kHz audio as it is written) so a
//! full-screen UI, a plain line and an incremental transcriber can all follow along.
//!
//! It stops on request ([`StopHandle`], from Enter, a key or Ctrl-C), after a stretch of silence once
//! speech has started, at the maximum length, or when the device fails. The WAV header is written
//! as soon as the file is created and rewritten about once a second, so the file is always a valid
//! WAV and a crash loses at most about a second ([`repair_wav`](super::repair::repair_wav) fixes
//! such a file on the next start). Whatever the reason for stopping, the audio captured so far is
//! kept.

mod source;
#[cfg(test)]
mod tests;
mod worker;

pub use source::{CaptureSource, SamplesSource};

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

use super::device::{DeviceError, InputStream};
use super::resample::{ResampleError, StreamResampler, WHISPER_RATE};
use super::vad::{Span, VadOptions};
use worker::{Worker, hound_io};

/// What every recording is: 16 kHz mono 16-bit PCM.
pub const RECORDING_SPEC: hound::WavSpec = hound::WavSpec {
    channels: 1,
    sample_rate: WHISPER_RATE,
    bits_per_sample: 16,
    sample_format: hound::SampleFormat::Int,
};

/// How to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The WAV to write (16 kHz mono 16-bit), streamed as it records.
    pub output: PathBuf,
    /// The input device (`None` = the default); used by [`Recorder::start`].
    pub input_device: Option<String>,
    /// Stop after this much silence once speech has started (`None` = never).
    pub stop_on_silence: Option<Duration>,
    /// Stop at this length (`None` = no limit).
    pub max_length: Option<Duration>,
    /// How long before the maximum to send [`RecorderEvent::MaxLengthNotice`].
    pub notice_before_max: Duration,
    /// Send [`RecorderEvent::QuietInput`] when no speech has been heard after this long.
    pub quiet_hint_after: Duration,
    /// Send each written piece of 16 kHz audio as [`RecorderEvent::Audio`].
    pub audio_events: bool,
    /// Voice-activity smoothing.
    pub vad: VadOptions,
}

impl RecordOptions {
    /// Defaults: stop after 3 s of silence, at most 10 minutes, notice 30 s before, quiet hint at 4 s.
    pub fn new(output: impl Into<PathBuf>) -> Self {
        RecordOptions {
            output: output.into(),
            input_device: None,
            stop_on_silence: Some(Duration::from_secs(3)),
            max_length: Some(Duration::from_secs(600)),
            notice_before_max: Duration::from_secs(30),
            quiet_hint_after: Duration::from_secs(4),
            audio_events: false,
            vad: VadOptions::default(),
        }
    }
}

/// Why a recording stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// [`StopHandle::stop`] was called (Enter, a key, Ctrl-C).
    Requested,
    /// Silence lasted the configured time after speech.
    Silence,
    /// The maximum length was reached.
    MaxLength,
    /// A finite source ran out.
    SourceEnded,
    /// The device failed; what was captured before is kept.
    DeviceLost(DeviceError),
    /// The WAV could not be written (full disk, I/O error); what reached the disk is kept.
    WriteFailed {
        /// The disk is full.
        disk_full: bool,
        /// The I/O error.
        detail: String,
    },
}

/// What the recorder reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum RecorderEvent {
    /// About 20 times a second: the input level and the speaking state.
    Level {
        /// Seconds recorded.
        elapsed: f64,
        /// RMS level of the last ~50 ms in dBFS.
        level_db: f32,
        /// Speech is going on.
        speaking: bool,
    },
    /// Speech began at this time.
    SpeechStarted {
        /// Seconds from the start.
        at: f64,
    },
    /// A stretch of speech ended (a pause longer than the hangover followed it).
    SpeechEnded(Span),
    /// No speech heard yet after the first seconds: the microphone may be muted or the wrong one.
    QuietInput {
        /// Seconds recorded.
        elapsed: f64,
        /// The loudest level heard so far in dBFS (very low: nothing at all reaches the input).
        peak_db: f32,
    },
    /// The maximum length is near.
    MaxLengthNotice {
        /// Seconds left.
        remaining: f64,
    },
    /// 16 kHz mono samples just written (only with [`RecordOptions::audio_events`]).
    Audio {
        /// Index of the first sample in the recording.
        start_sample: u64,
        /// The samples.
        samples: Arc<[f32]>,
    },
    /// The recording stopped (the last event).
    Stopped(StopReason),
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The WAV on disk.
    pub path: PathBuf,
    /// The 16 kHz mono samples (what the WAV holds).
    pub samples: Vec<f32>,
    /// Length in seconds.
    pub duration_seconds: f64,
    /// Stretches of speech.
    pub speech: Vec<Span>,
    /// Why it stopped.
    pub stop: StopReason,
    /// Samples lost because the worker fell behind the device (normally 0).
    pub dropped_samples: u64,
    /// The device's rate and channel count.
    pub source_rate: u32,
    /// The device's channel count.
    pub source_channels: u16,
}

/// Why a recording could not be made (when it failed after starting, the part captured is on disk).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The device could not be opened.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// The WAV could not be created.
    #[error("cannot create `{path}`: {source}; check that the folder exists and is writable")]
    Create {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The disk is full before anything could be recorded.
    #[error("the disk is full, so `{0}` cannot be written; free some space and record again")]
    DiskFull(PathBuf),
    /// The device rate cannot be converted.
    #[error(transparent)]
    Resample(#[from] ResampleError),
    /// The device opened but never delivered audio.
    #[error(
        "the microphone delivered no audio for {0} s; check that it is connected and not in use, or pick another with --input-device (see `rehearse devices`)"
    )]
    Silent(u64),
    /// The worker thread died.
    #[error("the recorder stopped unexpectedly; `{0}` keeps what was captured")]
    Crashed(PathBuf),
}

/// How long [`Recorder::start`] waits for the first audio.
const LIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// Stops a running recording from any thread.
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Asks the recorder to stop; it finishes the file and sends [`RecorderEvent::Stopped`].
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A recording in progress.
pub struct Recorder {
    events: Option<Receiver<RecorderEvent>>,
    stop: StopHandle,
    worker: Option<JoinHandle<Recording>>,
    path: PathBuf,
}

impl Recorder {
    /// Opens the input device named in the options (or the default) and starts recording; returns
    /// once the first audio has arrived.
    pub fn start(options: RecordOptions) -> Result<Recorder, RecordError> {
        let source = InputStream::open(options.input_device.as_deref())?;
        Recorder::start_with_source(source, options)
    }

    /// Starts recording from any source; returns once the first audio has arrived (or the source
    /// has ended).
    pub fn start_with_source(
        source: impl CaptureSource,
        options: RecordOptions,
    ) -> Result<Recorder, RecordError> {
        let resampler = StreamResampler::new(source.rate())?;
        let create = |source| RecordError::Create {
            path: options.output.clone(),
            source,
        };
        let file = File::create(&options.output).map_err(create)?;
        let mut writer = hound::WavWriter::new(BufWriter::new(file), RECORDING_SPEC)
            .map_err(|err| create(hound_io(err)))?;
        // The header would otherwise wait in the buffer until the first flush, a second in: a kill
        // before then left a 0-byte file. Written now, with its sizes filled in, the file is a
        // valid (empty) WAV from the start, and the repair extends it over whatever follows.
        writer.flush().map_err(|err| match hound_io(err) {
            io if io.kind() == std::io::ErrorKind::StorageFull => {
                RecordError::DiskFull(options.output.clone())
            }
            io => create(io),
        })?;
        let (sender, receiver) = mpsc::channel();
        let stop = StopHandle(Arc::new(AtomicBool::new(false)));
        let path = options.output.clone();
        let (live_sender, live) = mpsc::sync_channel(1);
        let worker = Worker::new(
            options,
            source,
            resampler,
            writer,
            sender,
            stop.clone(),
            live_sender,
        );
        let handle = std::thread::Builder::new()
            .name("rehearse-recorder".into())
            .spawn(move || worker.run())
            .map_err(|source| RecordError::Create {
                path: path.clone(),
                source,
            })?;
        // Return once the microphone is live, so whoever prompts "speak now" is telling the truth
        // (sound servers can take a couple of seconds to deliver the first samples).
        match live.recv_timeout(LIVE_TIMEOUT) {
            Ok(Ok(())) => {}
            Ok(Err(err)) => return Err(RecordError::Device(err)),
            Err(_) => {
                stop.stop();
                return Err(RecordError::Silent(LIVE_TIMEOUT.as_secs()));
            }
        }
        Ok(Recorder {
            events: Some(receiver),
            stop,
            worker: Some(handle),
            path,
        })
    }

    /// The events, in order; the last is [`RecorderEvent::Stopped`]. Take them once.
    pub fn events(&mut self) -> Option<Receiver<RecorderEvent>> {
        self.events.take()
    }

    /// A handle that stops the recording from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Waits for the recording to end (on its own, or after [`StopHandle::stop`]) and returns it.
    pub fn finish(mut self) -> Result<Recording, RecordError> {
        let Some(worker) = self.worker.take() else {
            return Err(RecordError::Crashed(self.path.clone()));
        };
        worker
            .join()
            .map_err(|_| RecordError::Crashed(self.path.clone()))
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            self.stop.stop();
            let _ = worker.join();
        }
    }
}
