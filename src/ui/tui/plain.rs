//! Plain line output for when stdout is not a terminal: the question, `recording...`, the report and
//! the summary on stdout, progress on stderr. Lines on stdin are commands: an empty line (Enter)
//! ends an answer, `s` skips, `q` ends the session; `r` waiting when feedback is shown retries.
//! Nothing ever waits for stdin, so a closed stdin (EOF) simply means no more commands.

use std::io::{BufRead, Write};
use std::sync::mpsc::{self, Receiver};

use crate::analysis::report;
use crate::audio::recorder::{RecorderEvent, StopReason};
use crate::interview::live::{self, Key};
use crate::interview::{Asked, Choice, Feedback, Frontend, InterviewError, Turn};

use super::{Context, Show, clock, feedback_extra, heading, take_answer};

/// The plain front end.
pub struct Plain<'a> {
    context: Context<'a>,
    lines: Receiver<String>,
    colour: bool,
    spoke: bool,
    last_percent: i32,
    to_stderr: bool,
}

impl<'a> Plain<'a> {
    /// Starts reading stdin lines on a background thread. With `to_stderr` the questions and
    /// reports go to stderr (stdout is kept for JSON).
    pub fn new(context: Context<'a>, colour: bool, to_stderr: bool) -> Plain<'a> {
        let (sender, lines) = mpsc::channel();
        let _ = std::thread::Builder::new()
            .name("rehearse-stdin".into())
            .spawn(move || {
                for line in std::io::stdin().lock().lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line.trim().to_lowercase()).is_err() {
                        break;
                    }
                }
            });
        Plain {
            context,
            lines,
            colour,
            spoke: false,
            last_percent: -1,
            to_stderr,
        }
    }

    /// The context back (for the failure it may hold).
    pub fn into_context(self) -> Context<'a> {
        self.context
    }

    fn next_line(&self) -> Option<String> {
        self.lines.try_recv().ok()
    }
}

fn out(text: &str, to_stderr: bool) -> anyhow::Result<()> {
    if to_stderr {
        let mut stderr = std::io::stderr().lock();
        stderr.write_all(crate::ui::text::printable(text).as_bytes())?;
        stderr.flush()?;
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(crate::ui::text::printable(text).as_bytes())?;
        stdout.flush()?;
    }
    Ok(())
}

/// The show part, split from the context so both can be borrowed at once.
struct Lines<'p> {
    lines: &'p Receiver<String>,
    spoke: &'p mut bool,
    last_percent: &'p mut i32,
    to_stderr: bool,
}

impl Show for Lines<'_> {
    fn asking(&mut self, turn: &Turn<'_>) -> anyhow::Result<()> {
        *self.spoke = false;
        out(
            &format!("\n{}: {}\n", heading(turn), turn.prompt),
            self.to_stderr,
        )
    }

    fn note(&mut self, text: &str) {
        eprintln!("rehearse: note: {text}");
    }

    fn recording(&mut self, turn: &Turn<'_>, max_seconds: f64) -> anyhow::Result<()> {
        let time = &turn.question.time;
        *self.last_percent = -1;
        eprintln!(
            "rehearse: recording the answer to {:?}; speak now",
            turn.prompt
        );
        out(
            &format!(
                "recording... (target {}-{}, at most {}; Enter when done)\n",
                clock(time.min),
                clock(time.max),
                clock(max_seconds)
            ),
            self.to_stderr,
        )
    }

    fn tick(&mut self, event: Option<&RecorderEvent>) -> Key {
        match event {
            Some(RecorderEvent::SpeechStarted { at }) if !*self.spoke => {
                *self.spoke = true;
                eprintln!("rehearse: speech started at {at:.1} s");
            }
            Some(RecorderEvent::QuietInput { .. }) => eprintln!(
                "rehearse: no speech heard yet: the microphone may be muted or the wrong one (see `rehearse devices`)"
            ),
            Some(RecorderEvent::MaxLengthNotice { remaining }) => {
                eprintln!("rehearse: {remaining:.0} s left for this answer");
            }
            Some(RecorderEvent::Stopped(reason)) => {
                let why = match reason {
                    StopReason::Silence => "after the silence",
                    StopReason::MaxLength => "at the length limit",
                    StopReason::Requested => "on request",
                    StopReason::SourceEnded => "at the end of input",
                    StopReason::DeviceLost(_) => "when the microphone went away",
                    StopReason::WriteFailed { .. } => "when the file could not be written",
                };
                eprintln!("rehearse: recording stopped {why}");
            }
            _ => {}
        }
        match self.lines.try_recv() {
            Ok(line) if line == "s" || line == "skip" => Key::Skip,
            Ok(line) if line == "q" || line == "quit" => Key::Quit,
            Ok(_) => Key::Done,
            Err(_) => Key::None,
        }
    }

    fn transcribing(&mut self, seconds: f64, percent: i32) {
        if *self.last_percent < 0 {
            eprintln!("rehearse: transcribing {seconds:.1} s of audio...");
            *self.last_percent = 0;
        }
        if percent >= 100 {
            *self.last_percent = 100;
        }
    }

    fn transcribed(&mut self, note: &live::TranscriptionNote) {
        let how = if note.incremental {
            let plural = if note.stretches == 1 { "" } else { "es" };
            format!("while you spoke, {} stretch{plural}", note.stretches)
        } else {
            "whole file".to_string()
        };
        eprintln!(
            "rehearse: transcribed {:.1} s ({how}; Whisper ran {:.2} s for the transcript, real-time factor {:.3}, {:.2} s in all), ready {:.2} s after the recording stopped",
            note.audio_seconds,
            note.transcript_seconds,
            note.real_time_factor(),
            note.busy_seconds,
            note.after_recording
        );
    }
}

impl Frontend for Plain<'_> {
    fn ask(&mut self, turn: &Turn<'_>) -> Result<Asked, InterviewError> {
        let mut lines = Lines {
            lines: &self.lines,
            spoke: &mut self.spoke,
            last_percent: &mut self.last_percent,
            to_stderr: self.to_stderr,
        };
        take_answer(&mut self.context, &mut lines, turn)
    }

    fn feedback(&mut self, feedback: &Feedback<'_>) -> Result<Choice, InterviewError> {
        let mut text = String::from("\n");
        text.push_str(&report::render(feedback.report, self.colour));
        text.push_str(&feedback_extra(feedback));
        out(&text, self.to_stderr).map_err(InterviewError::Frontend)?;
        if feedback.follow_up_next || feedback.ending {
            return Ok(Choice::Next);
        }
        // Commands typed ahead: the last one counts.
        let mut choice = Choice::Next;
        while let Some(line) = self.next_line() {
            choice = match line.as_str() {
                "r" | "retry" => Choice::Retry,
                "q" | "quit" => Choice::Quit,
                _ => Choice::Next,
            };
        }
        if self.context.interrupt.is_set() {
            choice = Choice::Quit;
        }
        Ok(choice)
    }
}
