//! Transcribing an answer while it is spoken, so the report is ready the moment the candidate stops.
//!
//! Samples arrive as they are recorded and go through the [`Cutter`]; each stretch it cuts is handed
//! to a worker thread that runs Whisper on it (one job at a time, never on the audio thread). Word
//! times are shifted back to the start of the answer, and every stretch gets the filler prompt, so
//! fillers survive as in whole-file transcription, which cuts the same stretches.
//!
//! The last stretch is the one the candidate waits for, so it starts early: in a pause the cutter
//! offers what is pending as a tentative stretch. If the candidate speaks again, that job is cancelled
//! (whisper's abort callback) and the stretch grows on; if the answer has ended, the tentative result
//! is the last stretch, usually finished by the time the recorder has waited out its silence.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;

use super::stretches::{Cut, Cutter, Policy, RATE};
use super::{PartOptions, Transcriber};
use crate::transcript::{Transcript, Word};

struct Job {
    id: usize,
    offset_samples: usize,
    samples: Vec<f32>,
    cancel: Arc<AtomicBool>,
    /// A committed stretch (not a tentative tail): its text goes to the reader once transcribed.
    committed: bool,
}

/// Called on the worker thread with the text of each committed stretch once it is transcribed, after
/// its words have been handed back: the analysis embeds its clauses while the answer goes on.
pub type TextHook = Arc<dyn Fn(&str) + Send + Sync>;

/// A job's id, its words, and the seconds Whisper spent on it.
type JobResult = (usize, anyhow::Result<Vec<Word>>, f64);

/// What the worker did for one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WorkerStats {
    /// Stretches in the transcript.
    pub stretches: usize,
    /// Tentative last stretches started (most are cancelled when the candidate speaks again).
    pub tentatives: usize,
    /// Seconds Whisper ran, cancelled work included.
    pub busy_seconds: f64,
    /// Seconds Whisper ran on the stretches of the transcript.
    pub transcript_seconds: f64,
}

/// An answer being transcribed as it is recorded.
pub struct IncrementalTranscriber {
    cutter: Option<Cutter>,
    /// The tentative job on offer: its id and cancel flag.
    tentative: Option<(usize, Arc<AtomicBool>)>,
    jobs: Option<Sender<Job>>,
    results: Receiver<JobResult>,
    worker: Option<JoinHandle<()>>,
    next_id: usize,
    /// Ids of the stretches that make up the transcript, in order.
    committed: Vec<usize>,
    /// Each finished job's words and the seconds it took.
    received: BTreeMap<usize, (anyhow::Result<Vec<Word>>, f64)>,
    tentatives_sent: usize,
    busy_seconds: f64,
    total: usize,
    model_name: String,
}

impl IncrementalTranscriber {
    /// Starts the worker with a loaded model and the default live policy.
    pub fn start(transcriber: Arc<Transcriber>) -> Self {
        Self::with_policy(transcriber, Policy::live(None))
    }

    /// Starts the worker with a chosen cutting policy.
    pub fn with_policy(transcriber: Arc<Transcriber>, policy: Policy) -> Self {
        Self::with_reader(transcriber, policy, None)
    }

    /// Starts the worker with a chosen cutting policy and a hook for the text of each committed
    /// stretch.
    pub fn with_reader(
        transcriber: Arc<Transcriber>,
        policy: Policy,
        reader: Option<TextHook>,
    ) -> Self {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (result_tx, results) = mpsc::channel::<JobResult>();
        let model_name = transcriber.model_name().to_string();
        let worker = std::thread::Builder::new()
            .name("rehearse-transcribe".into())
            .spawn(move || {
                // The text of each finished stretch by the answer sample it ends at: the stretch
                // that starts there gets it as context, as in whole-file transcription. (A withdrawn
                // tentative stretch ends in a pause that no later stretch starts from.)
                let mut text_ending_at: BTreeMap<usize, String> = BTreeMap::new();
                for job in job_rx {
                    if job.cancel.load(Ordering::Relaxed) {
                        continue;
                    }
                    let offset = job.offset_samples as f64 / RATE;
                    let part = PartOptions {
                        cancel: Some(Arc::clone(&job.cancel)),
                        context: text_ending_at
                            .get(&job.offset_samples)
                            .cloned()
                            .unwrap_or_default(),
                    };
                    let started = std::time::Instant::now();
                    let transcript = transcriber.transcribe_part(&job.samples, &part);
                    if let Ok(t) = &transcript {
                        text_ending_at
                            .insert(job.offset_samples + job.samples.len(), t.text.clone());
                    }
                    let words = transcript.map(|t| shift(t.words, offset));
                    let busy = started.elapsed().as_secs_f64();
                    let text = match (&reader, job.committed, &words) {
                        (Some(_), true, Ok(words)) => Some(
                            words
                                .iter()
                                .map(|w| w.text.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                        _ => None,
                    };
                    if result_tx.send((job.id, words, busy)).is_err() {
                        break;
                    }
                    if let (Some(reader), Some(text)) = (&reader, text) {
                        reader(&text);
                    }
                }
            })
            .ok();
        IncrementalTranscriber {
            cutter: Some(Cutter::new(policy)),
            tentative: None,
            jobs: Some(jobs),
            results,
            worker,
            next_id: 0,
            committed: Vec::new(),
            received: BTreeMap::new(),
            tentatives_sent: 0,
            busy_seconds: 0.0,
            total: 0,
            model_name,
        }
    }

    /// Adds recorded 16 kHz mono samples; sends a stretch to the worker when a good cut point passes.
    pub fn push(&mut self, samples: &[f32]) {
        self.total += samples.len();
        let Some(cutter) = self.cutter.as_mut() else {
            return;
        };
        for cut in cutter.push(samples) {
            self.apply(cut);
        }
        while let Ok(result) = self.results.try_recv() {
            self.receive(result);
        }
    }

    fn receive(&mut self, (id, words, busy): JobResult) {
        self.busy_seconds += busy;
        self.received.insert(id, (words, busy));
    }

    /// Samples pushed so far.
    pub fn samples_pushed(&self) -> usize {
        self.total
    }

    fn apply(&mut self, cut: Cut) {
        match cut {
            Cut::Stretch { offset, samples } => {
                let id = self.send(offset, samples, Arc::new(AtomicBool::new(false)), true);
                self.committed.push(id);
            }
            Cut::Tentative { offset, samples } => {
                let cancel = Arc::new(AtomicBool::new(false));
                let id = self.send(offset, samples, Arc::clone(&cancel), false);
                self.tentative = Some((id, cancel));
                self.tentatives_sent += 1;
            }
            Cut::Withdraw => {
                if let Some((_, cancel)) = self.tentative.take() {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
            Cut::Confirm => {
                if let Some((id, _)) = self.tentative.take() {
                    self.committed.push(id);
                }
            }
        }
    }

    fn send(
        &mut self,
        offset_samples: usize,
        samples: Vec<f32>,
        cancel: Arc<AtomicBool>,
        committed: bool,
    ) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job {
                id,
                offset_samples,
                samples,
                cancel,
                committed,
            });
        }
        id
    }

    /// Stretches committed to the transcript so far.
    pub fn stretches_sent(&self) -> usize {
        self.committed.len()
    }

    /// Tentative last stretches started so far (in pauses; most are withdrawn when speech resumes).
    pub fn tentatives_sent(&self) -> usize {
        self.tentatives_sent
    }

    /// Whether a tentative last stretch is on offer now (the candidate has paused since it was sent).
    pub fn tail_on_offer(&self) -> bool {
        self.tentative.is_some()
    }

    /// Ends the answer: transcribes what remains and returns the whole transcript.
    pub fn finish(self) -> anyhow::Result<Transcript> {
        Ok(self.finish_with_progress(&mut |_| {})?.0)
    }

    /// Ends the answer like [`finish`](Self::finish), calling `progress` (0 to 100, the share of
    /// stretches done) about every 100 ms while the last ones are transcribed; also says what the
    /// worker did.
    pub fn finish_with_progress(
        mut self,
        progress: &mut dyn FnMut(i32),
    ) -> anyhow::Result<(Transcript, WorkerStats)> {
        if let Some(cut) = self.cutter.take().and_then(Cutter::finish) {
            self.apply(cut);
        }
        if let Some((_, cancel)) = self.tentative.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        self.jobs = None; // closes the channel: the worker ends after the last job
        let wanted = self.committed.clone();
        loop {
            let done = wanted
                .iter()
                .filter(|id| self.received.contains_key(id))
                .count();
            progress((done * 100).checked_div(wanted.len()).unwrap_or(100) as i32);
            if done == wanted.len() {
                break;
            }
            match self.results.recv_timeout(Duration::from_millis(100)) {
                Ok(result) => self.receive(result),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    anyhow::bail!("the transcription worker stopped unexpectedly")
                }
            }
        }
        let mut words = Vec::new();
        let mut transcript_seconds = 0.0;
        for id in &wanted {
            let (stretch, busy) = self
                .received
                .remove(id)
                .context("the transcription worker lost a stretch")?;
            words.extend(stretch?);
            transcript_seconds += busy;
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // Cancelled tentative work that ended after the last wanted stretch still counts.
        while let Ok(result) = self.results.try_recv() {
            self.receive(result);
        }
        let stats = WorkerStats {
            stretches: wanted.len(),
            tentatives: self.tentatives_sent,
            busy_seconds: self.busy_seconds,
            transcript_seconds,
        };
        let transcript =
            Transcript::from_words(self.model_name.clone(), self.total as f64 / RATE, words);
        Ok((transcript, stats))
    }
}

impl Drop for IncrementalTranscriber {
    /// An answer abandoned (skipped, or the session ended): cancel the tentative job; the worker ends
    /// after what it holds.
    fn drop(&mut self) {
        if let Some((_, cancel)) = self.tentative.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        self.jobs = None;
    }
}

/// Moves word times by `offset` seconds.
pub(crate) fn shift(words: Vec<Word>, offset: f64) -> Vec<Word> {
    words
        .into_iter()
        .map(|mut w| {
            w.start += offset;
            w.end += offset;
            w
        })
        .collect()
}
