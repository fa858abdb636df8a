//! The real answer source behind both screens: record an answer from the microphone straight into
//! its history path, and transcribe it. The screens drive it with a tick callback (a recorder event
//! or a timeout) that says whether the candidate pressed a key.
//!
//! By default the answer is transcribed while it is spoken ([`IncrementalTranscriber`]): [`record`]
//! feeds it the recorder's audio, and [`finish`] collects the transcript when the answer ends.
//! With `--batch`, [`finish`] transcribes the whole file instead.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::time::Instant;

use crate::audio::pitch::{PitchTracker, Track};
use crate::audio::recorder::{RecordError, RecordOptions, Recorder, RecorderEvent, Recording};
use crate::transcribe::Transcriber;
use crate::transcribe::incremental::IncrementalTranscriber;
use crate::transcribe::stretches::Policy;
use crate::transcript::Transcript;

/// How answers are recorded.
#[derive(Debug, Clone, Default)]
pub struct LiveSettings {
    /// The microphone (`None` = the default).
    pub input_device: Option<String>,
    /// Stop after this much silence once speech has started (`None` = never).
    pub stop_on_silence: Option<Duration>,
    /// Stop at this length (`None` = twice the question's maximum time).
    pub max_seconds: Option<f64>,
    /// Transcribe the whole file after the answer (`--batch`) instead of while it is spoken.
    pub batch: bool,
}

/// Ctrl-C (or a quit key) from any thread: stops the recording in progress and marks the session
/// as ending.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    current: Arc<Mutex<Option<crate::audio::recorder::StopHandle>>>,
}

impl Interrupt {
    /// Ends the session: stops the recording in progress (which is kept).
    pub fn trigger(&self) {
        self.flag.store(true, Ordering::SeqCst);
        if let Ok(current) = self.current.lock() {
            if let Some(handle) = current.as_ref() {
                handle.stop();
            }
        }
    }

    /// The session was interrupted.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    fn set_current(&self, handle: Option<crate::audio::recorder::StopHandle>) {
        if let Ok(mut current) = self.current.lock() {
            *current = handle;
        }
    }
}

/// What the candidate did during a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Nothing.
    None,
    /// Done: stop and analyse.
    Done,
    /// Skip the question (the recording is discarded).
    Skip,
    /// Stop, keep the answer, end the session.
    Quit,
}

/// A finished recording and how it ended.
#[derive(Debug)]
pub struct Recorded {
    /// The recording (on disk at the path given).
    pub recording: Recording,
    /// The key that ended it, if any.
    pub key: Key,
    /// Ctrl-C or the quit key ended it: keep it, then end the session.
    pub interrupted: bool,
    /// Pitch and level of the audio as it arrived (with the incremental transcriber only).
    pub tracker: Option<PitchTracker>,
}

/// The maximum length of an answer: `--max-seconds`, else twice the question's maximum time
/// (at least a minute).
pub fn max_seconds(settings: &LiveSettings, question_max: f64) -> f64 {
    settings
        .max_seconds
        .unwrap_or_else(|| (question_max * 2.0).max(60.0))
}

/// Starts transcribing an answer as it is recorded, unless `--batch` asked for the whole file.
pub fn start_transcription(
    settings: &LiveSettings,
    transcriber: &Arc<Transcriber>,
) -> Option<IncrementalTranscriber> {
    // Each finished stretch's clauses are embedded on the worker while the answer goes on, so the
    // report waits only for the last stretch's.
    let reader: crate::transcribe::incremental::TextHook = Arc::new(|text: &str| {
        if let Ok(analyzer) = crate::analysis::analyzer::shared() {
            analyzer.prefetch(text);
        }
    });
    (!settings.batch).then(|| {
        IncrementalTranscriber::with_reader(
            Arc::clone(transcriber),
            Policy::live(settings.stop_on_silence),
            Some(reader),
        )
    })
}

/// Records an answer into `path`, feeding `incremental` as the audio arrives. `tick` is called with
/// each recorder event and about every 50 ms without one; it returns the key the candidate pressed.
pub fn record(
    settings: &LiveSettings,
    max_seconds: f64,
    path: &Path,
    interrupt: &Interrupt,
    mut incremental: Option<&mut IncrementalTranscriber>,
    tick: &mut dyn FnMut(Option<&RecorderEvent>) -> Key,
) -> Result<Recorded, RecordError> {
    let mut options = RecordOptions::new(path);
    options.audio_events = incremental.is_some();
    options.input_device = settings.input_device.clone();
    options.stop_on_silence = settings.stop_on_silence;
    options.max_length = Some(crate::limits::duration(max_seconds));
    options.notice_before_max = crate::limits::duration((max_seconds / 4.0).min(30.0));
    let mut recorder = Recorder::start(options)?;
    let stop = recorder.stop_handle();
    interrupt.set_current(Some(stop.clone()));
    if interrupt.is_set() {
        stop.stop();
    }
    let mut key = Key::None;
    let mut tracker = incremental.is_some().then(PitchTracker::new);
    if let Some(events) = recorder.events() {
        loop {
            let pressed = match events.recv_timeout(Duration::from_millis(50)) {
                Ok(RecorderEvent::Stopped(reason)) => {
                    tick(Some(&RecorderEvent::Stopped(reason)));
                    break;
                }
                Ok(RecorderEvent::Audio {
                    start_sample,
                    samples,
                }) => {
                    if let Some(inc) = incremental.as_deref_mut() {
                        feed(inc, start_sample as usize, &samples);
                    }
                    if let Some(t) = tracker.as_mut() {
                        feed_tracker(t, start_sample as usize, &samples);
                    }
                    continue;
                }
                Ok(event) => tick(Some(&event)),
                Err(RecvTimeoutError::Timeout) => tick(None),
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if pressed != Key::None && key == Key::None {
                key = pressed;
                stop.stop();
            }
        }
    }
    interrupt.set_current(None);
    let recording = recorder.finish()?;
    let interrupted = interrupt.is_set() || key == Key::Quit;
    Ok(Recorded {
        recording,
        key,
        interrupted,
        tracker,
    })
}

/// Gives the pitch tracker the audio from `start`, lined up as [`feed`] does.
fn feed_tracker(t: &mut PitchTracker, start: usize, samples: &[f32]) {
    let have = t.samples_pushed();
    if start > have {
        t.push(&vec![0.0; start - have]);
    }
    let skip = t.samples_pushed().saturating_sub(start).min(samples.len());
    t.push(&samples[skip..]);
}

/// The pitch track of a recorded answer: the tracker given what the recorder wrote after its last
/// event, then finished; `None` without a tracker (analysis then tracks the samples).
pub fn finish_track(tracker: Option<PitchTracker>, samples: &[f32]) -> Option<Track> {
    let mut t = tracker?;
    if let Some(rest) = samples.get(t.samples_pushed()..) {
        t.push(rest);
    }
    Some(t.finish())
}

/// Gives the transcriber the audio from `start`: a gap (never expected) becomes silence, and audio
/// it already has is skipped, so its samples line up with the recording's.
fn feed(inc: &mut IncrementalTranscriber, start: usize, samples: &[f32]) {
    let have = inc.samples_pushed();
    if start > have {
        inc.push(&vec![0.0; start - have]);
    }
    let skip = inc
        .samples_pushed()
        .saturating_sub(start)
        .min(samples.len());
    inc.push(&samples[skip..]);
}

/// How an answer was transcribed, for the log line after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TranscriptionNote {
    /// Transcribed while spoken.
    pub incremental: bool,
    /// Seconds from the end of the recording to the transcript.
    pub after_recording: f64,
    /// Seconds Whisper ran for this answer (cancelled work included).
    pub busy_seconds: f64,
    /// Seconds Whisper ran on what is in the transcript.
    pub transcript_seconds: f64,
    /// Seconds of audio.
    pub audio_seconds: f64,
    /// Stretches transcribed.
    pub stretches: usize,
}

impl TranscriptionNote {
    /// Whisper's time on the transcript over the audio's length.
    pub fn real_time_factor(&self) -> f64 {
        self.transcript_seconds / self.audio_seconds.max(1e-9)
    }
}

/// The transcript of a recorded answer: the incremental one completed, or (`--batch`) the whole file.
/// `progress` gets 0 to 100 on the calling thread while the model runs.
pub fn finish(
    transcriber: &Transcriber,
    incremental: Option<IncrementalTranscriber>,
    samples: &[f32],
    progress: &mut dyn FnMut(i32),
) -> anyhow::Result<(Transcript, TranscriptionNote)> {
    let started = Instant::now();
    let audio_seconds = samples.len() as f64 / 16_000.0;
    match incremental {
        Some(mut inc) => {
            if let Some(rest) = samples.get(inc.samples_pushed()..) {
                inc.push(rest); // whatever the recorder wrote after its last event
            }
            let (transcript, stats) = inc.finish_with_progress(progress)?;
            Ok((
                transcript,
                TranscriptionNote {
                    incremental: true,
                    after_recording: started.elapsed().as_secs_f64(),
                    busy_seconds: stats.busy_seconds,
                    transcript_seconds: stats.transcript_seconds,
                    audio_seconds,
                    stretches: stats.stretches,
                },
            ))
        }
        None => {
            let transcript = transcribe(transcriber, samples, progress)?;
            let seconds = started.elapsed().as_secs_f64();
            Ok((
                transcript,
                TranscriptionNote {
                    incremental: false,
                    after_recording: seconds,
                    busy_seconds: seconds,
                    transcript_seconds: seconds,
                    audio_seconds,
                    stretches: 0,
                },
            ))
        }
    }
}

/// Transcribes an answer (whole file), reporting progress 0 to 100 through `progress` on the
/// calling thread while the model runs on a worker.
pub fn transcribe(
    transcriber: &Transcriber,
    samples: &[f32],
    progress: &mut dyn FnMut(i32),
) -> anyhow::Result<Transcript> {
    let (sender, receiver) = std::sync::mpsc::channel::<i32>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let report: Box<dyn FnMut(i32)> = Box::new(move |p| {
                let _ = sender.send(p);
            });
            transcriber.transcribe_with_progress(samples, Some(report))
        });
        let mut last = 0;
        // The engine may keep the callback (and so the sender) alive: watch the worker instead.
        while !worker.is_finished() {
            if let Ok(p) = receiver.recv_timeout(Duration::from_millis(100)) {
                last = p.clamp(0, 100);
            }
            progress(last);
        }
        progress(100);
        worker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the transcriber stopped unexpectedly")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_length_defaults_to_twice_the_question_and_at_least_a_minute() {
        let mut settings = LiveSettings::default();
        assert_eq!(max_seconds(&settings, 120.0), 240.0);
        assert_eq!(max_seconds(&settings, 20.0), 60.0);
        settings.max_seconds = Some(7.0);
        assert_eq!(max_seconds(&settings, 120.0), 7.0);
    }

    #[test]
    fn an_interrupt_marks_the_session() {
        let interrupt = Interrupt::default();
        assert!(!interrupt.is_set());
        interrupt.clone().trigger();
        assert!(interrupt.is_set());
    }
}
