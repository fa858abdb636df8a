//! The real answer source behind both screens: record an answer from the microphone straight into
//! its history path, and transcribe it. The screens drive it with a tick callback (a recorder event
//! or a timeout) that says whether the candidate pressed a key.
//!
//! [`transcribe`] is the one place an answer's audio becomes a transcript, so an incremental path
//! can replace the whole-file one without touching the screens or the flow.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::audio::recorder::{RecordError, RecordOptions, Recorder, RecorderEvent, Recording};
use crate::transcribe::Transcriber;
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
}

/// The maximum length of an answer: `--max-seconds`, else twice the question's maximum time
/// (at least a minute).
pub fn max_seconds(settings: &LiveSettings, question_max: f64) -> f64 {
    settings
        .max_seconds
        .unwrap_or_else(|| (question_max * 2.0).max(60.0))
}

/// Records an answer into `path`. `tick` is called with each recorder event and about every 50 ms
/// without one; it returns the key the candidate pressed.
pub fn record(
    settings: &LiveSettings,
    max_seconds: f64,
    path: &Path,
    interrupt: &Interrupt,
    tick: &mut dyn FnMut(Option<&RecorderEvent>) -> Key,
) -> Result<Recorded, RecordError> {
    let mut options = RecordOptions::new(path);
    options.input_device = settings.input_device.clone();
    options.stop_on_silence = settings.stop_on_silence;
    options.max_length = Some(Duration::from_secs_f64(max_seconds));
    options.notice_before_max = Duration::from_secs_f64((max_seconds / 4.0).min(30.0));
    let mut recorder = Recorder::start(options)?;
    let stop = recorder.stop_handle();
    interrupt.set_current(Some(stop.clone()));
    if interrupt.is_set() {
        stop.stop();
    }
    let mut key = Key::None;
    if let Some(events) = recorder.events() {
        loop {
            let pressed = match events.recv_timeout(Duration::from_millis(50)) {
                Ok(RecorderEvent::Stopped(reason)) => {
                    tick(Some(&RecorderEvent::Stopped(reason)));
                    break;
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
    })
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
