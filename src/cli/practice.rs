//! `rehearse practice` (and plain `rehearse`): the mock interview. Picks the questions, loads the
//! model, opens the history, then runs the interview flow ([`crate::interview::run`]) on the
//! full-screen interface when stdout is a terminal, or on plain lines otherwise, keeping each
//! answer the moment its feedback is ready. Ends with the session summary on stdout.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};

use crate::audio::repair;
use crate::audio::voice::VoiceOptions;
use crate::config::Config;
use crate::history::{NewAnswer, SessionId, Store};
use crate::interview::live::{Interrupt, LiveSettings};
use crate::interview::{self, InterviewError, Keeper, Kept, Options};
use crate::questions::{Bank, Question, user_questions_dir};
use crate::transcribe::Transcriber;
use crate::ui::tui::{self, Context, restore_terminal};

/// How many questions a session asks by default.
pub const DEFAULT_QUESTIONS: usize = 3;

/// Arguments of `rehearse practice`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Ask this question (repeat for several; see `rehearse questions`). Default: three, `failure`
    /// among them.
    #[arg(long, short, value_name = "ID")]
    pub question: Vec<String>,
    /// End an answer after this many seconds of silence once you have spoken (0 = only Enter).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = non_negative_seconds)]
    pub stop_on_silence: f64,
    /// The longest an answer may be (default: twice the question's maximum time).
    #[arg(long, value_name = "N", value_parser = positive_seconds)]
    pub max_seconds: Option<f64>,
    /// The microphone (see `rehearse devices`); default: the settings file's, else the system's.
    #[arg(long, env = "REHEARSE_INPUT_DEVICE", value_name = "NAME")]
    pub input_device: Option<String>,
    /// The speakers or headphones for the interviewer's voice.
    #[arg(long, env = "REHEARSE_OUTPUT_DEVICE", value_name = "NAME")]
    pub output_device: Option<String>,
    /// Do not ask follow-up questions.
    #[arg(long)]
    pub no_follow_ups: bool,
    /// Transcribe each answer as a whole file once it ends, instead of while it is spoken (the
    /// report then waits a few seconds after a long answer).
    #[arg(long)]
    pub batch: bool,
    /// Print the session summary as JSON on stdout (on plain lines, the questions and reports go
    /// to stderr instead).
    #[arg(long)]
    pub json: bool,
}

impl Default for Args {
    /// The defaults of `rehearse practice` (what plain `rehearse` runs).
    fn default() -> Self {
        Args {
            question: Vec::new(),
            stop_on_silence: 3.0,
            max_seconds: None,
            input_device: None,
            output_device: None,
            no_follow_ups: false,
            batch: false,
            json: false,
        }
    }
}

fn non_negative_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a number of seconds (0 or more)")),
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match non_negative_seconds(text) {
        Ok(value) if value > 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a positive number of seconds")),
    }
}

/// The questions to ask: those named, else `failure` and two others, rotating with each session.
pub fn pick<'b>(
    bank: &'b Bank,
    ids: &[String],
    rotation: usize,
) -> anyhow::Result<Vec<&'b Question>> {
    if !ids.is_empty() {
        return ids
            .iter()
            .map(|id| {
                bank.get(id).ok_or_else(|| {
                    anyhow::anyhow!(
                        "no question `{id}`; pick one of: {} (see `rehearse questions`)",
                        bank.ids().join(", ")
                    )
                })
            })
            .collect();
    }
    let mut picked: Vec<&Question> = bank.get("failure").into_iter().collect();
    let others: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| q.id != "failure")
        .collect();
    for i in 0..others.len().min(DEFAULT_QUESTIONS - picked.len()) {
        picked.push(others[(rotation * 2 + i) % others.len()]);
    }
    if picked.is_empty() {
        bail!(
            "the question bank is empty; add question files to `{}`",
            user_questions_dir().display()
        );
    }
    Ok(picked)
}

/// Stores answers in the history database, each in its own transaction.
struct HistoryKeeper {
    store: Rc<RefCell<Store>>,
    session: SessionId,
}

impl Keeper for HistoryKeeper {
    fn keep(&mut self, answer: &Kept<'_>) -> Result<i64, InterviewError> {
        let mut new =
            NewAnswer::from_report(answer.report_json.clone()).map_err(InterviewError::Keep)?;
        new.question_id = answer.question_id.to_string();
        new.question_text = answer.prompt.to_string();
        new.attempt = answer.attempt;
        new.follow_up_of = answer.follow_up_of.map(crate::history::AnswerId);
        new.follow_up_check = answer.follow_up_check.map(String::from);
        new.recording = answer.recording.map(Into::into);
        let id = self
            .store
            .borrow_mut()
            .save_answer(self.session, &new)
            .map_err(InterviewError::Keep)?;
        Ok(id.0)
    }
}

/// Runs `rehearse practice`.
pub fn run(args: &Args, model: Option<&str>) -> anyhow::Result<()> {
    // Ctrl-C and SIGTERM are caught from the start, so a signal while the models load ends the run
    // with a sentence too, before any session is started.
    let interrupt = Interrupt::default();
    {
        let interrupt = interrupt.clone();
        let presses = AtomicUsize::new(0);
        // The first Ctrl-C keeps the answer in progress and ends the session; a second quits at once
        // (answers already kept stay kept).
        let _ = ctrlc::set_handler(move || {
            if presses.fetch_add(1, Ordering::SeqCst) > 0 {
                restore_terminal();
                std::process::exit(130);
            }
            interrupt.trigger();
        });
    }
    let config = Config::load()?;
    let bank = Bank::load().with_context(|| {
        format!(
            "the question bank does not load (your own files are in `{}`)",
            user_questions_dir().display()
        )
    })?;
    let store = Store::open_default()?;
    let rotation = store.list_sessions().map(|s| s.len()).unwrap_or(0);
    let questions = pick(&bank, &args.question, rotation)?;
    let voice = VoiceOptions {
        voice: config
            .voice
            .name
            .clone()
            .unwrap_or_else(|| VoiceOptions::default().voice),
        rate_wpm: config
            .voice
            .rate
            .unwrap_or(VoiceOptions::default().rate_wpm),
        output_device: args
            .output_device
            .clone()
            .or(config.audio.output_device.clone()),
    };
    // The neural voice loads and speaks the session's questions into the cache while the models load,
    // so each question's first words come at once. A missing or broken voice is not an error here:
    // the first question falls back to espeak-ng with a notice.
    // Kept to the end of the session: dropping it waits for the question in progress.
    let _prefetch = crate::tts::is_neural(&voice.voice).then(|| {
        let texts = questions.iter().map(|q| q.text.clone()).collect();
        crate::audio::neural::prefetch(voice.clone(), texts)
    });
    repair_recordings(&store);
    let transcriber = Arc::new(load_model(model)?);
    if interrupt.is_set() {
        anyhow::bail!("interrupted before the first question; nothing was recorded or changed");
    }

    let store = Rc::new(RefCell::new(store));
    let settings = serde_json::json!({
        "questions": questions.iter().map(|q| &q.id).collect::<Vec<_>>(),
        "follow_ups": !args.no_follow_ups,
        "model": transcriber.model_name(),
        "transcription": if args.batch { "batch" } else { "incremental" },
        "stop_on_silence": args.stop_on_silence,
        "max_seconds": args.max_seconds,
    });
    let session = store
        .borrow_mut()
        .start_session(SystemTime::now(), &settings)?;

    let recordings = Rc::clone(&store);
    let context = Context {
        transcriber: Arc::clone(&transcriber),
        live: LiveSettings {
            input_device: args.input_device.clone().or(config.audio.input_device),
            stop_on_silence: (args.stop_on_silence > 0.0)
                .then(|| Duration::from_secs_f64(args.stop_on_silence)),
            max_seconds: args.max_seconds,
            batch: args.batch,
        },
        voice,
        interrupt,
        new_recording: Box::new(move || Ok(recordings.borrow().new_recording(session)?)),
        failure: None,
        voice_notice_shown: false,
    };
    let options = Options {
        follow_ups: !args.no_follow_ups,
        ..Options::default()
    };
    let mut keeper = HistoryKeeper {
        store: Rc::clone(&store),
        session,
    };
    let (result, context) = if std::io::stdout().is_terminal() {
        let mut screen = tui::full::FullScreen::new(context, colour())
            .context("cannot start the full-screen interface")?;
        let result = interview::run(&questions, &options, &mut screen, &mut keeper);
        (result, screen.close())
    } else {
        let mut plain = tui::plain::Plain::new(context, false, args.json);
        let result = interview::run(&questions, &options, &mut plain, &mut keeper);
        (result, plain.into_context())
    };
    let finished = store
        .borrow_mut()
        .finish_session(session, SystemTime::now());
    match result {
        Ok((outcome, summary)) => {
            let mut text = String::from("\n");
            text.push_str(&summary.render());
            if args.json {
                text = format!(
                    "{:#}\n",
                    summary_json(&summary, &outcome, (outcome.kept > 0).then_some(session))
                );
            } else if outcome.kept > 0 {
                text.push_str(&format!(
                    "Saved as session {session}: `rehearse review {session}` shows it again.\n"
                ));
            }
            super::print_stdout(&text)?;
            finished?;
            if outcome.kept == 0 {
                let _ = store.borrow_mut().delete_session(session);
            }
            match context.failure {
                Some(failure) => Err(failure),
                None if context.interrupt.is_set() && outcome.kept == 0 => Err(anyhow::anyhow!(
                    "interrupted before any answer was given; nothing was saved"
                )),
                None if context.interrupt.is_set() => Err(anyhow::anyhow!(
                    "interrupted; the {} answer(s) given are saved in session {session}",
                    outcome.kept
                )),
                None => Ok(()),
            }
        }
        Err(err) => {
            let kept = store
                .borrow()
                .load_session(session)
                .map(|s| s.answers.len())
                .unwrap_or(0);
            if kept == 0 {
                let _ = store.borrow_mut().delete_session(session);
            } else {
                eprintln!(
                    "rehearse: the {kept} answer(s) given are saved in session {session} (`rehearse review {session}`)"
                );
            }
            Err(err.into())
        }
    }
}

/// Loads the model, with a spinner on a terminal (plain lines otherwise).
fn load_model(model: Option<&str>) -> anyhow::Result<Transcriber> {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("loading the speech model...");
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    if spinner.is_none() {
        eprintln!("rehearse: loading the speech model...");
    }
    let loaded = Transcriber::load(model);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let transcriber = loaded?;
    // The reading layer's sentence model, loaded now so a missing one is an error before the first
    // question rather than after the first answer.
    let analyzer = crate::analysis::analyzer::ensure_loaded()?;
    eprintln!(
        "rehearse: model {} ready (content read by {})",
        transcriber.model_name(),
        analyzer.design().describe()
    );
    Ok(transcriber)
}

/// The summary as JSON: the session, each question's score, and what to practise next.
fn summary_json(
    summary: &interview::Summary,
    outcome: &interview::Outcome,
    session: Option<SessionId>,
) -> serde_json::Value {
    serde_json::json!({
        "session": session,
        "answers_saved": outcome.kept,
        "ended_early": outcome.quit,
        "questions": summary.scores.iter().map(|s| serde_json::json!({
            "id": s.id, "text": s.text, "score": s.score,
        })).collect::<Vec<_>>(),
        "practise_next": summary.practise.iter().map(|t| serde_json::json!({
            "check": t.check, "message": t.message, "answers": t.answers,
        })).collect::<Vec<_>>(),
    })
}

/// Repairs recordings left unfinished by a killed session.
fn repair_recordings(store: &Store) {
    let root = store.data_dir().join(crate::history::RECORDINGS_DIR);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if entry.path().is_dir() {
            for fixed in repair::repair_folder(&entry.path()) {
                eprintln!(
                    "rehearse: repaired `{}` left by an interrupted session ({})",
                    fixed.path.display(),
                    fixed.holds()
                );
            }
        }
    }
}

/// Colour on the full screen unless `NO_COLOR` is set or `TERM` is `dumb`.
fn colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_three_questions_with_failure_first_and_rotate() {
        let bank = Bank::shipped().unwrap();
        let a = pick(&bank, &[], 0).unwrap();
        let b = pick(&bank, &[], 1).unwrap();
        assert_eq!(a.len(), DEFAULT_QUESTIONS);
        assert_eq!((a[0].id.as_str(), b[0].id.as_str()), ("failure", "failure"));
        assert_ne!(a[1].id, b[1].id);
    }

    #[test]
    fn named_questions_are_asked_in_order_and_unknown_ones_are_an_error() {
        let bank = Bank::shipped().unwrap();
        let ids = vec!["conflict".to_string(), "failure".to_string()];
        let picked = pick(&bank, &ids, 0).unwrap();
        assert_eq!(picked[0].id, "conflict");
        let err = pick(&bank, &["nope".to_string()], 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no question `nope`"), "{err}");
    }
}
