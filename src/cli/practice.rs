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
use crate::history::{NewAnswer, QuestionNote, SessionId, Store};
use crate::interview::live::{Interrupt, LiveSettings};
use crate::interview::recovery::Recovery;
use crate::interview::{self, InterviewError, Keeper, Kept, Options};
use crate::questions::{Bank, Question, user_questions_dir};
use crate::selection::rotation::{self, Choice};
use crate::selection::{job, plan};
use crate::transcribe::Transcriber;
use crate::ui::tui::{self, Context, restore_terminal};

/// How many questions a session asks by default.
pub const DEFAULT_QUESTIONS: usize = 3;

/// Arguments of `rehearse practice`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Ask this question (repeat for several; see `rehearse questions`). Default: three, `failure`
    /// among them.
    #[arg(long, short, value_name = "ID", conflicts_with = "role")]
    pub question: Vec<String>,
    /// Practise one role set's questions (names and counts: `rehearse questions --roles`).
    #[arg(long, value_name = "NAME", value_parser = role_name)]
    pub role: Option<String>,
    /// How many questions the rotation picks (default 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub count: Option<u32>,
    /// Follow an interview plan: its questions in order, its follow-up policy and time limits (a
    /// TOML file; see the README's "Interview plans").
    #[arg(long, value_name = "FILE", conflicts_with_all = ["question", "role", "count"])]
    pub plan: Option<std::path::PathBuf>,
    /// A job advert (text file): the rotation favours its role set (unless `--role` names one) and
    /// the questions that match it by meaning; the summary lists its key terms you used and missed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["question", "plan"])]
    pub job: Option<std::path::PathBuf>,
    /// Print the questions this session would ask, and why, then stop (no audio, nothing saved).
    #[arg(long)]
    pub dry_run: bool,
    /// End an answer after this many seconds of silence once you have spoken (0 = only Enter).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = crate::limits::silence_seconds)]
    pub stop_on_silence: f64,
    /// The longest an answer may be (default: twice the question's maximum time).
    #[arg(long, value_name = "N", value_parser = crate::limits::answer_seconds)]
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
            role: None,
            count: None,
            plan: None,
            job: None,
            dry_run: false,
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

fn role_name(text: &str) -> Result<String, String> {
    match crate::questions::roles::get(text) {
        Some(role) => Ok(role.name.to_string()),
        None => Err(format!(
            "no role set `{text}`; use one of: {} (see `rehearse questions --roles`)",
            crate::questions::roles::names().join(", ")
        )),
    }
}

/// The questions to ask, each with why: those named, in order, else the rotation's choice for the
/// role set (`--role`, else the advert's, else `general`; see [`crate::selection::rotation`]) from
/// what the history says was answered.
pub fn pick<'b>(
    bank: &'b Bank,
    args: &Args,
    history: &[crate::history::Answered],
    job: Option<&job::Matched>,
) -> anyhow::Result<Vec<Choice<'b>>> {
    if !args.question.is_empty() {
        return args
            .question
            .iter()
            .map(|id| {
                let question = bank.get(id).ok_or_else(|| {
                    anyhow::anyhow!(
                        "no question `{id}`; pick one of: {} (see `rehearse questions`)",
                        bank.ids().join(", ")
                    )
                })?;
                Ok(Choice {
                    question,
                    priority: None,
                    reason: "named with --question".into(),
                })
            })
            .collect();
    }
    let request = rotation::Request {
        // Without a role or an advert, the questions any candidate gets.
        role: args
            .role
            .as_deref()
            .or(job.map(|j| j.role.as_str()))
            .or(Some("general")),
        count: args.count.map_or(DEFAULT_QUESTIONS, |n| n as usize),
        job_match: job.map(|j| j.questions.clone()).unwrap_or_default(),
    };
    let picked = rotation::choose(bank.questions(), &rotation::past(history), &request);
    if picked.is_empty() {
        bail!(
            "the question bank is empty; add question files to `{}`",
            user_questions_dir().display()
        );
    }
    Ok(picked)
}

/// A plan's questions as the session's choice, each with its limit and policy as the reason.
fn plan_choices(plan: &plan::Plan) -> Vec<Choice<'_>> {
    plan.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let limit = q
                .limit_seconds
                .map_or_else(String::new, |s| format!(", at most {s:.0} s"));
            let follow = if q.follow_ups.is_empty() || plan.follow_ups == plan::FollowUps::None {
                "no follow-ups"
            } else {
                "follow-ups on"
            };
            Choice {
                question: q,
                priority: None,
                reason: format!("plan question {}{limit}, {follow}", i + 1),
            }
        })
        .collect()
}

/// Reads a job advert and matches it with the bank by meaning.
fn read_advert(path: &std::path::Path, bank: &Bank) -> anyhow::Result<(job::Advert, job::Matched)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the job advert `{}`: {e}; pass a text file with the advert's words",
            path.display()
        )
    })?;
    let ranks = crate::embed::WordRanks::load_default()?;
    let advert = job::Advert::read(&text, &ranks);
    let analyzer = crate::analysis::analyzer::ensure_loaded()?;
    let matched = job::match_bank(&advert, bank.questions(), analyzer)
        .with_context(|| format!("cannot match the job advert `{}`", path.display()))?;
    Ok((advert, matched))
}

/// The advert's part of `--dry-run --json`: its role set, every role's match and its key terms.
fn advert_json(advert: &(job::Advert, job::Matched)) -> serde_json::Value {
    serde_json::json!({
        "role": advert.1.role,
        "roles": advert.1.roles.iter().map(|(r, m)| serde_json::json!({"name": r, "match": m})).collect::<Vec<_>>(),
        "key_terms": advert.0.terms,
    })
}

/// Prints the choice of `--dry-run`: one line per question with why, or JSON.
fn print_choice(
    choices: &[Choice<'_>],
    args: &Args,
    advert: Option<&(job::Advert, job::Matched)>,
) -> anyhow::Result<()> {
    if args.json {
        let all: Vec<serde_json::Value> = choices
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.question.id,
                    "text": c.question.text,
                    "roles": c.question.roles,
                    "priority": c.priority,
                    "reason": c.reason,
                })
            })
            .collect();
        let value = serde_json::json!({
            "role": args.role,
            "plan": args.plan.as_ref().map(|p| p.display().to_string()),
            "job": advert.map(advert_json),
            "questions": all,
        });
        return super::print_stdout(&format!("{value:#}\n"));
    }
    let width = choices
        .iter()
        .map(|c| c.question.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    if let Some((advert, matched)) = advert {
        out.push_str(&format!(
            "The advert reads as `{}`; its key terms: {}\n",
            matched.role,
            advert
                .terms
                .iter()
                .map(|t| t.term.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (i, c) in choices.iter().enumerate() {
        out.push_str(&format!(
            "{}. {:<width$}  {}\n   ({})\n",
            i + 1,
            c.question.id,
            c.question.text,
            c.reason
        ));
    }
    super::print_stdout(&out)
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
    // Ctrl-C, SIGTERM and SIGHUP (a closed terminal) are caught from the start (the `ctrlc` crate's
    // `termination` feature), so a signal while the models load ends the run
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
    let mut store = Store::open_default()?;
    let history = store.answered()?;
    let mut options = Options {
        follow_ups: !args.no_follow_ups,
        ..Options::default()
    };
    let advert = args
        .job
        .as_deref()
        .map(|path| read_advert(path, &bank))
        .transpose()?;
    let plan = args
        .plan
        .as_deref()
        .map(|path| plan::read(path, &bank))
        .transpose()?;
    let choices = match &plan {
        Some(plan) => {
            options.follow_ups &= plan.follow_ups == plan::FollowUps::Ask;
            options.max_follow_ups = plan.max_follow_ups;
            plan_choices(plan)
        }
        None => pick(&bank, args, &history, advert.as_ref().map(|a| &a.1))?,
    };
    if args.dry_run {
        return print_choice(&choices, args, advert.as_ref());
    }
    if let Some(name) = plan.as_ref().and_then(|p| p.name.as_deref()) {
        eprintln!("rehearse: interview plan: {name}");
    }
    let questions: Vec<&Question> = choices.iter().map(|c| c.question).collect();
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
    let recovered = recover_answers(&mut store, &bank, &transcriber, &interrupt);
    if interrupt.is_set() && recovered > 0 {
        anyhow::bail!(
            "interrupted before the first question; nothing new was recorded (the {recovered} recovered answer(s) above are stored)"
        );
    }
    if interrupt.is_set() {
        anyhow::bail!("interrupted before the first question; nothing was recorded or changed");
    }

    let store = Rc::new(RefCell::new(store));
    let settings = serde_json::json!({
        "questions": questions.iter().map(|q| &q.id).collect::<Vec<_>>(),
        "role": args.role,
        "plan": args.plan.as_ref().map(|p| p.display().to_string()),
        "follow_ups": !args.no_follow_ups,
        "model": transcriber.model_name(),
        "transcription": if args.batch { "batch" } else { "incremental" },
        "stop_on_silence": args.stop_on_silence,
        "max_seconds": args.max_seconds,
    });
    let session = store
        .borrow_mut()
        .start_session(SystemTime::now(), &settings)?;
    // Held while answers may still be stored: `rehearse delete` refuses the session meanwhile.
    let open = match store.borrow().hold_open(session) {
        Ok(open) => open,
        Err(err) => {
            let _ = store.borrow_mut().delete_session(session);
            return Err(err.into());
        }
    };

    let recordings = Rc::clone(&store);
    let context = Context {
        transcriber: Arc::clone(&transcriber),
        live: LiveSettings {
            input_device: args.input_device.clone().or(config.audio.input_device),
            stop_on_silence: (args.stop_on_silence > 0.0)
                .then(|| crate::limits::duration(args.stop_on_silence)),
            max_seconds: args.max_seconds,
            batch: args.batch,
        },
        voice,
        interrupt,
        // The note beside each recording says what it answers, so an answer whose session is
        // killed before it is stored is recovered against its question on the next start.
        new_recording: Box::new(move |turn| {
            let note = QuestionNote {
                question_id: turn.question.id.clone(),
                prompt: turn.prompt.to_string(),
                attempt: turn.attempt,
                follow_up_check: turn.follow_up_check.map(String::from),
            };
            Ok(recordings.borrow().new_recording_for(session, &note)?)
        }),
        failure: None,
        voice_notice_shown: false,
    };
    let mut keeper = HistoryKeeper {
        store: Rc::clone(&store),
        session,
    };
    // A terminal that cannot move the cursor (`TERM=dumb`, as in an editor's shell) gets plain lines.
    let (result, context) = if std::io::stdout().is_terminal() && !dumb_terminal() {
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
    // Nothing more is stored in it; this process may delete it below when it holds no answer.
    drop(open);
    match result {
        Ok((outcome, summary)) => {
            let mut text = String::from("\n");
            text.push_str(&summary.render());
            let terms = advert
                .as_ref()
                .map(|(a, _)| session_terms(&store.borrow(), session, a));
            if let Some(terms) = terms.as_ref().filter(|_| !args.json) {
                text.push_str(&render_terms(terms));
            }
            if args.json {
                let mut value =
                    summary_json(&summary, &outcome, (outcome.kept > 0).then_some(session));
                if let (Some(terms), Some(object)) = (&terms, value.as_object_mut()) {
                    object.insert("job_terms".into(), serde_json::to_value(terms)?);
                }
                text = format!("{value:#}\n");
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
            "id": s.id, "text": s.text, "score": (!s.skipped).then_some(s.score), "skipped": s.skipped,
        })).collect::<Vec<_>>(),
        "practise_next": summary.practise.iter().map(|t| serde_json::json!({
            "check": t.check, "message": t.message, "answers": t.answers,
        })).collect::<Vec<_>>(),
    })
}

/// The advert's key terms the session's answers used and missed (over all its answers).
fn session_terms(store: &Store, session: SessionId, advert: &job::Advert) -> job::TermUse {
    let said: Vec<String> = store
        .load_session(session)
        .map(|s| s.answers)
        .unwrap_or_default()
        .iter()
        .filter_map(|a| {
            let report: serde_json::Value = serde_json::from_str(&a.report_json).ok()?;
            report
                .pointer("/transcript/text")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .collect();
    job::term_use(&advert.terms, &said.join("\n"))
}

/// The advert's terms used and missed, as two lines of the summary.
pub(crate) fn render_terms(terms: &job::TermUse) -> String {
    let list = |t: &[String]| {
        if t.is_empty() {
            "none".to_string()
        } else {
            t.join(", ")
        }
    };
    format!(
        "Advert terms you used: {}\nAdvert terms you missed: {}\n",
        list(&terms.used),
        list(&terms.missed)
    )
}

/// Repairs recordings left unfinished by a killed session; a session another practice holds is
/// being recorded now, and is left alone.
fn repair_recordings(store: &Store) {
    let root = store.data_dir().join(crate::history::RECORDINGS_DIR);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let held = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<SessionId>().ok())
            .is_some_and(|id| store.is_held(id));
        if entry.path().is_dir() && !held {
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

/// Stores the answers that earlier sessions recorded but were stopped before storing (see
/// [`crate::interview::recovery`]), a line each on stderr. A failure here does not stop the
/// practice: the recordings stay, and the next start tries again. Returns how many were stored.
fn recover_answers(
    store: &mut Store,
    bank: &Bank,
    transcriber: &Transcriber,
    interrupt: &Interrupt,
) -> usize {
    let mut stored = 0;
    let result = crate::interview::recovery::recover(
        store,
        bank,
        transcriber,
        &|| interrupt.is_set(),
        &mut |recovery| {
            if matches!(recovery, Recovery::Stored { .. }) {
                stored += 1;
            }
            eprintln!("rehearse: {}", recovery.line());
        },
    );
    if let Err(err) = result {
        eprintln!(
            "rehearse: cannot store the answers earlier sessions left unstored now ({err}); their recordings are kept and the next start tries again"
        );
    }
    stored
}

/// Colour on the full screen unless `NO_COLOR` is set or `TERM` is `dumb`.
fn colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && !dumb_terminal()
}

/// `TERM` is `dumb` (or unset): the terminal cannot draw a full screen.
fn dumb_terminal() -> bool {
    std::env::var("TERM").map_or(true, |t| t.is_empty() || t == "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_three_questions_with_failure_first_and_rotate() {
        let bank = Bank::shipped().unwrap();
        let a = pick(&bank, &Args::default(), &[], None).unwrap();
        let history: Vec<crate::history::Answered> = a
            .iter()
            .map(|c| crate::history::Answered {
                session: crate::history::SessionId(1),
                question_id: c.question.id.clone(),
                score: Some(50),
            })
            .collect();
        let b = pick(&bank, &Args::default(), &history, None).unwrap();
        assert_eq!(a.len(), DEFAULT_QUESTIONS);
        assert_eq!(
            (a[0].question.id.as_str(), b[0].question.id.as_str()),
            ("failure", "failure")
        );
        assert_ne!(a[1].question.id, b[1].question.id);
        // Without a role, the questions any candidate gets.
        for c in a.iter().chain(&b) {
            assert!(
                c.question.roles.iter().any(|r| r == "general"),
                "{}",
                c.question.id
            );
        }
    }

    #[test]
    fn named_questions_are_asked_in_order_and_unknown_ones_are_an_error() {
        let bank = Bank::shipped().unwrap();
        let args = Args {
            question: vec!["conflict".to_string(), "failure".to_string()],
            ..Args::default()
        };
        let picked = pick(&bank, &args, &[], None).unwrap();
        assert_eq!(picked[0].question.id, "conflict");
        let args = Args {
            question: vec!["nope".to_string()],
            ..Args::default()
        };
        let err = pick(&bank, &args, &[], None).unwrap_err().to_string();
        assert!(err.contains("no question `nope`"), "{err}");
    }
}
