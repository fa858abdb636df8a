//! The recorder's worker thread: drain the source, mix, resample, write, detect speech, report.

use std::fs::File;
use std::io::BufWriter;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Sender, SyncSender};
use std::time::Duration;

use super::super::device::DeviceError;
use super::super::resample::{ResampleError, StreamResampler, WHISPER_RATE};
use super::super::vad::{FRAME_SECONDS, Span, VoiceActivity};
use super::{CaptureSource, RecordOptions, RecorderEvent, Recording, StopHandle, StopReason};

pub(super) fn hound_io(err: hound::Error) -> std::io::Error {
    match err {
        hound::Error::IoError(io) => io,
        other => std::io::Error::other(other.to_string()),
    }
}

/// Audio time between header rewrites: a crash loses at most this much.
const FLUSH_SAMPLES: u64 = WHISPER_RATE as u64;
/// VAD frames per level event (48 ms).
const LEVEL_FRAMES: u32 = 3;

pub(super) struct Worker<S: CaptureSource> {
    options: RecordOptions,
    /// Never dropped after the device is lost: closing a stream whose sound server died can block
    /// forever inside the backend (seen with ALSA's PulseAudio plugin), so it is leaked instead.
    source: ManuallyDrop<S>,
    /// Told once when the first audio arrives (or the source fails or ends before any).
    live: Option<SyncSender<Result<(), DeviceError>>>,
    resampler: StreamResampler,
    vad: VoiceActivity,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    events: Sender<RecorderEvent>,
    stop: StopHandle,
    samples: Vec<f32>,
    written_since_flush: u64,
    speech: Vec<Span>,
    speech_started: bool,
    last_voice_end: f64,
    level_frames: u32,
    level_power: f32,
    peak_db: f32,
    quiet_sent: bool,
    notice_sent: bool,
    /// Interleaved samples of an incomplete frame (fewer than `channels`) carried over.
    pending: Vec<f32>,
}

impl<S: CaptureSource> Worker<S> {
    pub(super) fn new(
        options: RecordOptions,
        source: S,
        resampler: StreamResampler,
        writer: hound::WavWriter<BufWriter<File>>,
        events: Sender<RecorderEvent>,
        stop: StopHandle,
        live: SyncSender<Result<(), DeviceError>>,
    ) -> Self {
        Worker {
            vad: VoiceActivity::new(options.vad),
            options,
            source: ManuallyDrop::new(source),
            live: Some(live),
            resampler,
            writer: Some(writer),
            events,
            stop,
            samples: Vec::new(),
            written_since_flush: 0,
            speech: Vec::new(),
            speech_started: false,
            last_voice_end: 0.0,
            level_frames: 0,
            level_power: 0.0,
            peak_db: -120.0,
            quiet_sent: false,
            notice_sent: false,
            pending: Vec::new(),
        }
    }

    pub(super) fn run(mut self) -> Recording {
        let channels = usize::from(self.source.channels().max(1));
        let mut raw = Vec::with_capacity(self.source.rate() as usize * channels);
        let mut mono = Vec::new();
        let reason = loop {
            raw.clear();
            raw.append(&mut self.pending);
            let popped = self.source.pop(&mut raw);
            let whole = raw.len() - raw.len() % channels;
            self.pending.extend_from_slice(&raw[whole..]);
            mono.clear();
            mono.extend(
                raw[..whole]
                    .chunks(channels)
                    .map(|frame| frame.iter().sum::<f32>() / channels as f32),
            );
            let got_audio = !mono.is_empty();
            if got_audio && let Some(live) = self.live.take() {
                let _ = live.send(Ok(()));
            }
            if got_audio {
                match self.resampler.push(&mono) {
                    Ok(out) => {
                        if let Some(reason) = self.take(&out) {
                            break reason;
                        }
                    }
                    Err(err) => break StopReason::DeviceLost(resample_lost(&err)),
                }
            }
            if let Err(err) = popped {
                break StopReason::DeviceLost(err);
            }
            if self.stop.0.load(Ordering::SeqCst) {
                break StopReason::Requested;
            }
            if self.source.exhausted() {
                break StopReason::SourceEnded;
            }
            if !got_audio {
                std::thread::sleep(Duration::from_millis(10));
            }
        };
        if let Some(live) = self.live.take() {
            let _ = live.send(match &reason {
                StopReason::DeviceLost(err) => Err(err.clone()),
                _ => Ok(()),
            });
        }
        self.finish(reason)
    }

    /// Writes, analyses and reports a piece of 16 kHz audio; returns a reason to stop, if any.
    fn take(&mut self, out: &[f32]) -> Option<StopReason> {
        if out.is_empty() {
            return None;
        }
        let start_sample = self.samples.len() as u64;
        if let Some(reason) = self.write(out) {
            return Some(reason);
        }
        self.samples.extend_from_slice(out);
        if self.options.audio_events {
            let _ = self.events.send(RecorderEvent::Audio {
                start_sample,
                samples: out.into(),
            });
        }
        let mut stop = None;
        let mut activities = Vec::new();
        let before = self.vad.elapsed();
        self.vad.push(out, |activity| activities.push(activity));
        for (index, activity) in activities.into_iter().enumerate() {
            // The end of this frame, in seconds from the start.
            let now = before + (index + 1) as f64 * FRAME_SECONDS;
            self.level_power += 10f32.powf(activity.level_db / 10.0);
            self.level_frames += 1;
            self.peak_db = self.peak_db.max(activity.level_db);
            if self.level_frames == LEVEL_FRAMES {
                let level_db = 10.0 * (self.level_power / LEVEL_FRAMES as f32).max(1e-12).log10();
                self.level_frames = 0;
                self.level_power = 0.0;
                let _ = self.events.send(RecorderEvent::Level {
                    elapsed: now,
                    level_db,
                    speaking: activity.speaking,
                });
            }
            if activity.started {
                self.speech_started = true;
                let at = now - f64::from(self.options.vad.onset_frames) * FRAME_SECONDS;
                let _ = self
                    .events
                    .send(RecorderEvent::SpeechStarted { at: at.max(0.0) });
            }
            if activity.speaking && activity.voiced {
                self.last_voice_end = now;
            }
            if let Some(span) = activity.ended {
                self.speech.push(span);
                let _ = self.events.send(RecorderEvent::SpeechEnded(span));
            }
            if stop.is_some() {
                continue;
            }
            if !self.speech_started
                && !self.quiet_sent
                && now >= self.options.quiet_hint_after.as_secs_f64()
            {
                self.quiet_sent = true;
                let _ = self.events.send(RecorderEvent::QuietInput {
                    elapsed: now,
                    peak_db: self.peak_db,
                });
            }
            if let Some(silence) = self.options.stop_on_silence
                && self.speech_started
                && !activity.speaking
                && now - self.last_voice_end >= silence.as_secs_f64()
            {
                stop = Some(StopReason::Silence);
            }
            if let Some(max) = self.options.max_length {
                let max = max.as_secs_f64();
                let notice = self.options.notice_before_max.as_secs_f64();
                if !self.notice_sent && max > notice && now >= max - notice {
                    self.notice_sent = true;
                    let _ = self.events.send(RecorderEvent::MaxLengthNotice {
                        remaining: max - now,
                    });
                }
                if now >= max {
                    stop = Some(StopReason::MaxLength);
                }
            }
        }
        stop
    }

    fn write(&mut self, out: &[f32]) -> Option<StopReason> {
        let writer = self.writer.as_mut()?;
        let result = (|| {
            for sample in out {
                writer.write_sample(to_i16(*sample))?;
            }
            self.written_since_flush += out.len() as u64;
            if self.written_since_flush >= FLUSH_SAMPLES {
                self.written_since_flush = 0;
                writer.flush()?;
            }
            Ok::<(), hound::Error>(())
        })();
        match result {
            Ok(()) => None,
            Err(err) => {
                // Give up on the writer without finalising it (that would write again), then bring
                // the header up to what the disk really holds: the repair only rewrites the header
                // in place and cuts a partial sample, so it needs no free space.
                if let Some(writer) = self.writer.take() {
                    std::mem::forget(writer);
                }
                let _ = crate::audio::repair::repair_wav(&self.options.output);
                Some(write_failed(err))
            }
        }
    }

    fn finish(mut self, reason: StopReason) -> Recording {
        let mut reason = reason;
        if !matches!(reason, StopReason::WriteFailed { .. })
            && let Ok(tail) = self.resampler.finish()
        {
            if let Some(failed) = self.write(&tail) {
                reason = failed;
            } else {
                self.samples.extend_from_slice(&tail);
                let mut ended = Vec::new();
                self.vad
                    .push(&tail, |activity| ended.extend(activity.ended));
                for span in ended {
                    self.speech.push(span);
                    let _ = self.events.send(RecorderEvent::SpeechEnded(span));
                }
            }
        }
        if let Some(span) = self.vad.finish() {
            self.speech.push(span);
            let _ = self.events.send(RecorderEvent::SpeechEnded(span));
        }
        if let Some(writer) = self.writer.take()
            && let Err(err) = writer.finalize()
            && !matches!(reason, StopReason::WriteFailed { .. })
        {
            reason = write_failed(err);
        }
        let _ = self.events.send(RecorderEvent::Stopped(reason.clone()));
        let lost = matches!(reason, StopReason::DeviceLost(_));
        let recording = Recording {
            path: self.options.output.clone(),
            duration_seconds: self.samples.len() as f64 / f64::from(WHISPER_RATE),
            samples: self.samples,
            speech: self.speech,
            stop: reason,
            dropped_samples: self.source.dropped(),
            source_rate: self.source.rate(),
            source_channels: self.source.channels(),
        };
        if !lost {
            drop(ManuallyDrop::into_inner(self.source));
        }
        recording
    }
}

fn write_failed(err: hound::Error) -> StopReason {
    let io = hound_io(err);
    StopReason::WriteFailed {
        disk_full: io.kind() == std::io::ErrorKind::StorageFull,
        detail: io.to_string(),
    }
}

fn resample_lost(err: &ResampleError) -> DeviceError {
    DeviceError::Backend {
        direction: "input",
        name: String::from("resampler"),
        detail: err.to_string(),
    }
}

/// The inverse of cpal's `i16` to `f32` conversion (divide by 32768), so 16-bit input is written
/// back bit for bit.
fn to_i16(sample: f32) -> i16 {
    let scaled = (sample * 32768.0).round().clamp(-32768.0, 32767.0);
    scaled as i16
}
