//! `rehearse record OUT.wav`: record one answer from the microphone, with a live line on stderr.
//!
//! Stops on Enter, after `--stop-on-silence` seconds of silence once speech has started, at
//! `--max-seconds`, or on Ctrl-C (a second Ctrl-C quits at once); every way keeps what was recorded.
//! Before starting, the WAVs a killed `rehearse record` left unfinished in the output folder are
//! repaired (each is marked while it is written: `.NAME.wav.recording`); other files are left alone.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context;

use crate::audio::recorder::{RecordOptions, Recorder, RecorderEvent, Recording, StopReason};
use crate::audio::{repair, vad};
use crate::config::Config;

/// Arguments of `rehearse record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The WAV to write (16 kHz mono); it is written as you speak.
    pub out: PathBuf,
    /// Stop at this length.
    #[arg(long, value_name = "N", default_value_t = 600.0, value_parser = crate::limits::answer_seconds)]
    pub max_seconds: f64,
    /// Stop after this many seconds of silence once you have started speaking (0 = never).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = crate::limits::silence_seconds)]
    pub stop_on_silence: f64,
    /// The microphone (see `rehearse devices`); default: the settings file's, else the system's.
    #[arg(long, env = "REHEARSE_INPUT_DEVICE", value_name = "NAME")]
    pub input_device: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rehearse record`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load()?;
    let folder = match args.out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Only this command's own unfinished WAVs (marked while they were written): the folder may
    // hold other programs' files that merely look unfinished (an ID3 chunk, a size left at 0).
    let repaired = repair::repair_marked(&folder);
    for fixed in &repaired {
        eprintln!(
            "rehearse: repaired `{}` left by an interrupted recording ({})",
            fixed.path.display(),
            fixed.holds()
        );
    }
    let mut options = RecordOptions::new(&args.out);
    options.input_device = args.input_device.clone().or(config.audio.input_device);
    options.max_length = Some(crate::limits::duration(args.max_seconds));
    options.stop_on_silence =
        (args.stop_on_silence > 0.0).then(|| crate::limits::duration(args.stop_on_silence));
    let marker = repair::marker_for(&args.out);
    // If the marker cannot be written the recording still goes ahead; only its repair after a
    // kill is lost.
    let _ = std::fs::write(&marker, b"");
    let mut recorder = match Recorder::start(options).context("cannot start recording") {
        Ok(recorder) => recorder,
        Err(err) => {
            let _ = std::fs::remove_file(&marker);
            return Err(err);
        }
    };
    let stop = recorder.stop_handle();
    let interrupted = Arc::new(AtomicBool::new(false));
    let entered = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let interrupted = Arc::clone(&interrupted);
        let presses = AtomicUsize::new(0);
        // A second Ctrl-C quits at once; the header written in the last second keeps the audio.
        let _ = ctrlc::set_handler(move || {
            if presses.fetch_add(1, Ordering::SeqCst) > 0 {
                std::process::exit(130);
            }
            interrupted.store(true, Ordering::SeqCst);
            stop.stop();
        });
    }
    {
        let stop = stop.clone();
        let entered = Arc::clone(&entered);
        // Enter stops; end of input (a closed or empty stdin) does not.
        let _ = std::thread::Builder::new()
            .name("rehearse-enter".into())
            .spawn(move || {
                let mut line = String::new();
                if std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .is_ok_and(|n| n > 0)
                {
                    entered.store(true, Ordering::SeqCst);
                    stop.stop();
                }
            });
    }
    let mut line = LiveLine::new(args.max_seconds);
    line.note(&format!(
        "recording to `{}`; press Enter to stop",
        args.out.display()
    ));
    if let Some(events) = recorder.events() {
        for event in events.iter() {
            let done = matches!(event, RecorderEvent::Stopped(_));
            line.show(&event);
            if done {
                break;
            }
        }
    }
    line.clear();
    let finished = recorder.finish();
    // The recorder has finalised the header (or reported why it could not): nothing to repair.
    let _ = std::fs::remove_file(&marker);
    let recording = finished?;
    let how = stopped_by(
        &recording.stop,
        interrupted.load(Ordering::SeqCst),
        entered.load(Ordering::SeqCst),
    );
    report(args, &recording, how, &repaired)?;
    match &recording.stop {
        StopReason::DeviceLost(err) => Err(anyhow::anyhow!(
            "{err} (the {:.1} s recorded before are saved in `{}`)",
            recording.duration_seconds,
            recording.path.display()
        )),
        StopReason::WriteFailed {
            disk_full: true, ..
        } => Err(anyhow::anyhow!(
            "the disk is full; `{}` keeps what was written before, so free some space and record again",
            recording.path.display()
        )),
        StopReason::WriteFailed { detail, .. } => Err(anyhow::anyhow!(
            "cannot write `{}` ({detail}); it keeps what was written before",
            recording.path.display()
        )),
        _ => Ok(()),
    }
}

fn stopped_by(stop: &StopReason, interrupted: bool, entered: bool) -> &'static str {
    match stop {
        StopReason::Requested if interrupted => "interrupt",
        StopReason::Requested if entered => "enter",
        StopReason::Requested => "request",
        StopReason::Silence => "silence",
        StopReason::MaxLength => "max_length",
        StopReason::SourceEnded => "end_of_input",
        StopReason::DeviceLost(_) => "device_lost",
        StopReason::WriteFailed {
            disk_full: true, ..
        } => "disk_full",
        StopReason::WriteFailed { .. } => "write_failed",
    }
}

fn report(
    args: &Args,
    recording: &Recording,
    how: &str,
    repaired: &[repair::Repaired],
) -> anyhow::Result<()> {
    if recording.dropped_samples > 0 {
        eprintln!(
            "rehearse: warning: {} samples were lost because the computer fell behind the microphone",
            recording.dropped_samples
        );
    }
    if args.json {
        let report = serde_json::json!({
            "path": recording.path,
            "duration_seconds": recording.duration_seconds,
            "stopped_by": how,
            "speech": recording.speech,
            "device_rate": recording.source_rate,
            "device_channels": recording.source_channels,
            "dropped_samples": recording.dropped_samples,
            "repaired": repaired.iter().map(|r| &r.path).collect::<Vec<_>>(),
        });
        return super::print_stdout(&format!("{report:#}\n"));
    }
    let why = match how {
        "silence" => format!("after {} s of silence", args.stop_on_silence),
        "max_length" => format!("at the {} s limit", args.max_seconds),
        "enter" => "on Enter".to_string(),
        "interrupt" => "on Ctrl-C".to_string(),
        "device_lost" => "when the microphone went away".to_string(),
        "disk_full" | "write_failed" => "when the file could not be written".to_string(),
        _ => "at the end of input".to_string(),
    };
    super::print_stdout(&summary_line(recording, &why))
}

/// `answer.wav: 4.2 s recorded (3.1 s of speech), stopped after 3 s of silence`.
fn summary_line(recording: &Recording, why: &str) -> String {
    format!(
        "{}: {:.1} s recorded ({:.1} s of speech), stopped {why}\n",
        recording.path.display(),
        recording.duration_seconds,
        vad::total_seconds(&recording.speech)
    )
}

/// The live status on stderr: one rewritten line on a terminal, occasional plain lines otherwise.
struct LiveLine {
    terminal: bool,
    max_seconds: f64,
    hint: Option<String>,
    drawn: bool,
}

impl LiveLine {
    fn new(max_seconds: f64) -> Self {
        LiveLine {
            terminal: std::io::stderr().is_terminal(),
            max_seconds,
            hint: None,
            drawn: false,
        }
    }

    fn note(&mut self, text: &str) {
        self.clear();
        eprintln!("rehearse: {text}");
    }

    fn show(&mut self, event: &RecorderEvent) {
        match event {
            RecorderEvent::Level {
                elapsed,
                level_db,
                speaking,
            } if self.terminal => {
                self.draw(*elapsed, *level_db, *speaking);
            }
            RecorderEvent::SpeechStarted { at } if !self.terminal => {
                self.note(&format!("speech started at {at:.1} s"));
            }
            RecorderEvent::SpeechStarted { .. } => self.hint = None,
            RecorderEvent::QuietInput { peak_db, .. } => {
                let hint = quiet_hint(*peak_db);
                if self.terminal {
                    self.hint = Some(hint);
                } else {
                    self.note(&hint);
                }
            }
            RecorderEvent::MaxLengthNotice { remaining } => {
                self.note(&format!(
                    "{remaining:.0} s left before the {:.0} s limit",
                    self.max_seconds
                ));
            }
            _ => {}
        }
    }

    fn draw(&mut self, elapsed: f64, level_db: f32, speaking: bool) {
        // -60 dB .. 0 dB over ten cells.
        let cells = (((level_db + 60.0) / 6.0).clamp(0.0, 10.0)) as usize;
        let meter: String = "#".repeat(cells) + &"-".repeat(10 - cells);
        let state = if speaking { "speaking" } else { "silent  " };
        let hint = self
            .hint
            .as_deref()
            .map(|h| format!("  {h}"))
            .unwrap_or_default();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} / {}  [{meter}] {level_db:>4.0} dB  {state}  Enter stops{hint}",
            clock(elapsed),
            clock(self.max_seconds)
        );
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}

fn quiet_hint(peak_db: f32) -> String {
    if peak_db < -70.0 {
        "no sound reaches the input: the microphone may be muted or the wrong one (see `rehearse devices`)".into()
    } else {
        "no speech heard yet: the microphone may be muted or the wrong one (see `rehearse devices`)"
            .into()
    }
}

fn clock(seconds: f64) -> String {
    let whole = seconds.max(0.0) as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_take_has_no_negative_zero() {
        // Issue 15: "-0.0 s of speech" for a take with no speech.
        let silent = Recording {
            path: PathBuf::from("take.wav"),
            samples: vec![0.0; 16_000],
            duration_seconds: 1.0,
            speech: Vec::new(),
            stop: StopReason::MaxLength,
            dropped_samples: 0,
            source_rate: 16_000,
            source_channels: 1,
        };
        assert_eq!(
            summary_line(&silent, "at the 1 s limit"),
            "take.wav: 1.0 s recorded (0.0 s of speech), stopped at the 1 s limit\n"
        );
    }
}
