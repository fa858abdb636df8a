//! The practice screens: a full-screen interface on a terminal ([`full`]) and plain lines otherwise
//! ([`plain`]), both [`Frontend`](crate::interview::Frontend)s over the same real audio
//! ([`crate::interview::live`]): show and speak the question, record into the history's path,
//! transcribe, show the report, read the candidate's choice.

pub mod full;
mod guard;
mod held_stderr;
pub mod plain;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::audio::recorder::{RecorderEvent, StopReason};
use crate::audio::voice::{self, Spoken, VoiceOptions};
use crate::interview::live::{self, Interrupt, Key, LiveSettings};
use crate::interview::{Asked, Comparison, Feedback, InterviewError, Take, Turn};
use crate::transcribe::Transcriber;

pub use guard::{TerminalGuard, install_panic_hook, restore_terminal};

/// Reserves the file a turn's answer is recorded into (and notes which turn it answers).
pub type NewRecording<'a> = dyn FnMut(&Turn<'_>) -> anyhow::Result<PathBuf> + 'a;

/// What both screens need to take an answer.
pub struct Context<'a> {
    /// The loaded model (shared with the worker that transcribes while the candidate speaks).
    pub transcriber: Arc<Transcriber>,
    /// Recording settings.
    pub live: LiveSettings,
    /// The interviewer's voice.
    pub voice: VoiceOptions,
    /// Ctrl-C and the quit key.
    pub interrupt: Interrupt,
    /// Reserves the file for the next recording of this turn (the history's path).
    pub new_recording: Box<NewRecording<'a>>,
    /// A device or disk failure that ended the session after keeping the answer; reported at the end.
    pub failure: Option<anyhow::Error>,
    /// The notice about a missing speech engine was shown.
    pub voice_notice_shown: bool,
}

/// What a screen shows while an answer is taken.
pub(crate) trait Show {
    /// Before speaking: the question is on screen.
    fn asking(&mut self, turn: &Turn<'_>) -> anyhow::Result<()>;
    /// A one-line note (no speech engine, speaker failed).
    fn note(&mut self, text: &str);
    /// Recording started.
    fn recording(&mut self, turn: &Turn<'_>, max_seconds: f64) -> anyhow::Result<()>;
    /// A recorder event or a tick; returns the key pressed.
    fn tick(&mut self, event: Option<&RecorderEvent>) -> Key;
    /// Transcription progress, 0 to 100.
    fn transcribing(&mut self, seconds: f64, percent: i32);
    /// The transcript is ready.
    fn transcribed(&mut self, _note: &live::TranscriptionNote) {}
}

/// Speaks the prompt, records and transcribes: the part both screens share.
pub(crate) fn take_answer(
    context: &mut Context<'_>,
    show: &mut dyn Show,
    turn: &Turn<'_>,
) -> Result<Asked, InterviewError> {
    if context.interrupt.is_set() {
        return Ok(Asked::Quit);
    }
    show.asking(turn).map_err(InterviewError::Frontend)?;
    match voice::speak(turn.prompt, None, &context.voice) {
        Ok(Spoken::Played(_)) => {}
        Ok(Spoken::TextOnly { notice } | Spoken::FellBack { notice, .. }) => {
            if !context.voice_notice_shown {
                show.note(&notice);
                context.voice_notice_shown = true;
            }
        }
        Err(err) => show.note(&format!(
            "cannot speak the question ({err}); read it on screen"
        )),
    }
    if context.interrupt.is_set() {
        return Ok(Asked::Quit);
    }
    let path = (context.new_recording)(turn).map_err(InterviewError::Frontend)?;
    // An interview plan's limit for this question comes first, then `--max-seconds`, then twice the
    // question's longest target time.
    let max = turn
        .question
        .limit_seconds
        .unwrap_or_else(|| live::max_seconds(&context.live, turn.question.time.max));
    show.recording(turn, max)
        .map_err(InterviewError::Frontend)?;
    let mut incremental = live::start_transcription(&context.live, &context.transcriber);
    let recorded = match live::record(
        &context.live,
        max,
        &path,
        &context.interrupt,
        incremental.as_mut(),
        &mut |e| show.tick(e),
    ) {
        Ok(recorded) => recorded,
        Err(err) => {
            let _ = std::fs::remove_file(&path);
            return Err(InterviewError::Frontend(
                anyhow::Error::new(err).context("cannot start recording"),
            ));
        }
    };
    if recorded.key == Key::Skip {
        let _ = std::fs::remove_file(&path);
        return Ok(Asked::Skip);
    }
    let mut interrupted = recorded.interrupted;
    let recording = recorded.recording;
    let tracker = recorded.tracker;
    match &recording.stop {
        StopReason::DeviceLost(err) => {
            context.failure = Some(anyhow::anyhow!(
                "{err}; the {:.1} s recorded before are kept in the history",
                recording.duration_seconds
            ));
            interrupted = true;
        }
        StopReason::WriteFailed {
            disk_full: true, ..
        } => {
            context.failure = Some(anyhow::anyhow!(
                "the disk is full; the answer so far is kept in `{}`, so free some space and practise again",
                recording.path.display()
            ));
            interrupted = true;
        }
        StopReason::WriteFailed { detail, .. } => {
            context.failure = Some(anyhow::anyhow!(
                "cannot write `{}` ({detail}); it keeps what was written before",
                recording.path.display()
            ));
            interrupted = true;
        }
        _ => {}
    }
    let seconds = recording.duration_seconds;
    let (transcript, note) = live::finish(
        &context.transcriber,
        incremental,
        &recording.samples,
        &mut |p| show.transcribing(seconds, p),
    )
    .with_context(|| format!("cannot transcribe `{}`", path.display()))
    .map_err(InterviewError::Frontend)?;
    show.transcribed(&note);
    let track = live::finish_track(tracker, &recording.samples);
    Ok(Asked::Answer(Take {
        transcript,
        track,
        samples: recording.samples,
        recording: Some(path),
        interrupted,
    }))
}

/// The heading of a turn: `Question 1 of 3` or `Follow-up`, with the attempt.
pub(crate) fn heading(turn: &Turn<'_>) -> String {
    let mut text = if turn.follow_up_check.is_some() {
        format!("Question {} of {}, follow-up", turn.number, turn.total)
    } else {
        format!("Question {} of {}", turn.number, turn.total)
    };
    if turn.attempt > 1 {
        text.push_str(&format!(", attempt {}", turn.attempt));
    }
    text
}

/// The text under a report: what a follow-up recovered and the comparison with the last attempt.
pub(crate) fn feedback_extra(feedback: &Feedback<'_>) -> String {
    let mut out = String::new();
    if let Some(check) = feedback.turn.follow_up_check {
        if feedback.recovered.is_empty() {
            out.push_str(&format!(
                "\nThe follow-up on {check} did not change any check.\n"
            ));
        } else {
            out.push_str(&format!(
                "\nThe follow-up recovered: {}.\n",
                feedback.recovered.join(", ")
            ));
        }
    }
    if let Some(comparison) = feedback.comparison {
        out.push_str("\nCompared with your last attempt:\n");
        out.push_str(&Comparison::render(comparison));
    }
    out
}

/// `m:ss`.
pub(crate) fn clock(seconds: f64) -> String {
    let whole = seconds.max(0.0) as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::Bank;

    #[test]
    fn headings_name_the_follow_up_and_the_attempt() {
        let bank = Bank::shipped().unwrap();
        let q = bank.get("failure").unwrap();
        let mut turn = Turn {
            question: q,
            prompt: &q.text,
            follow_up_check: None,
            attempt: 1,
            number: 1,
            total: 3,
        };
        assert_eq!(heading(&turn), "Question 1 of 3");
        turn.follow_up_check = Some("lesson-applied");
        turn.attempt = 2;
        assert_eq!(heading(&turn), "Question 1 of 3, follow-up, attempt 2");
        assert_eq!(clock(75.9), "1:15");
    }
}
