//! The full-screen interface (ratatui over crossterm): the question, a timer against the target,
//! the input level, speaking or silent, the report, and the keys (Enter done, r retry, s skip,
//! q quit). Redraws on every tick and on resize, so any size from 80x24 up works; the terminal is
//! restored by [`TerminalGuard`] on every way out.

use std::io::Stdout;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};

use crate::analysis::report;
use crate::audio::recorder::RecorderEvent;
use crate::interview::live::Key;
use crate::interview::{Asked, Choice, Feedback, Frontend, InterviewError, Turn};
use crate::ui::text::visible;

use super::{Context, Show, TerminalGuard, clock, feedback_extra, heading, take_answer};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Asking,
    Recording,
    Transcribing(i32),
    Feedback,
}

/// Everything on screen.
#[derive(Debug, Clone)]
struct View {
    title: String,
    prompt: String,
    target: (f64, f64, f64),
    max_seconds: f64,
    elapsed: f64,
    level_db: f32,
    /// The loudest level while speaking in each second of the answer so far (`None`: silent).
    levels: Vec<Option<f64>>,
    speaking: bool,
    heard_speech: bool,
    seconds: f64,
    hint: Option<String>,
    note: Option<String>,
    mode: Mode,
    report: String,
    scroll: u16,
    keys: String,
    colour: bool,
    /// q or Ctrl-C pressed while keys are not being handled (transcribing): quit at the feedback.
    quit_pending: bool,
}

impl View {
    fn new(colour: bool) -> View {
        View {
            title: String::new(),
            prompt: String::new(),
            target: (0.0, 0.0, 0.0),
            max_seconds: 0.0,
            elapsed: 0.0,
            level_db: -90.0,
            levels: Vec::new(),
            speaking: false,
            heard_speech: false,
            seconds: 0.0,
            hint: None,
            note: None,
            mode: Mode::Asking,
            report: String::new(),
            scroll: 0,
            keys: String::new(),
            colour,
            quit_pending: false,
        }
    }

    fn style(&self, colour: Color) -> Style {
        if self.colour {
            Style::default().fg(colour)
        } else {
            Style::default()
        }
    }
}

/// The full-screen front end.
pub struct FullScreen<'a> {
    context: Context<'a>,
    terminal: Terminal<CrosstermBackend<Stdout>>,
    view: View,
    // Declared last: dropped after the terminal is done drawing.
    _guard: TerminalGuard,
}

impl<'a> FullScreen<'a> {
    /// Takes over the terminal.
    pub fn new(context: Context<'a>, colour: bool) -> anyhow::Result<FullScreen<'a>> {
        let guard = TerminalGuard::enter()?;
        let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
        terminal.clear()?;
        Ok(FullScreen {
            context,
            terminal,
            view: View::new(colour),
            _guard: guard,
        })
    }

    /// Gives the terminal back and returns the context (for the failure it may hold).
    pub fn close(self) -> Context<'a> {
        let FullScreen {
            context, _guard, ..
        } = self;
        drop(_guard);
        context
    }
}

struct Painter<'p> {
    terminal: &'p mut Terminal<CrosstermBackend<Stdout>>,
    view: &'p mut View,
}

impl Painter<'_> {
    fn draw(&mut self) -> std::io::Result<()> {
        let view = &*self.view;
        self.terminal.draw(|frame| render(frame, view))?;
        Ok(())
    }

    /// Reads the keys waiting (without blocking) and handles resizes.
    fn keys(&mut self) -> Option<KeyEvent> {
        let mut pressed = None;
        while event::poll(Duration::ZERO).unwrap_or(false) {
            match event::read() {
                Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => pressed = Some(key),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        pressed
    }
}

fn is_quit(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
        || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL))
}

impl Show for Painter<'_> {
    fn asking(&mut self, turn: &Turn<'_>) -> anyhow::Result<()> {
        let v = &mut *self.view;
        v.title = heading(turn);
        v.prompt = turn.prompt.to_string();
        let t = &turn.question.time;
        v.target = (t.min, t.ideal, t.max);
        v.mode = Mode::Asking;
        v.elapsed = 0.0;
        v.speaking = false;
        v.heard_speech = false;
        v.level_db = -90.0;
        v.levels.clear();
        v.hint = None;
        v.keys = "the interviewer is asking...".into();
        // A full repaint at each question wipes anything a library printed over the screen.
        self.terminal.clear()?;
        self.draw()?;
        Ok(())
    }

    fn note(&mut self, text: &str) {
        self.view.note = Some(text.to_string());
        let _ = self.draw();
    }

    fn recording(&mut self, _turn: &Turn<'_>, max_seconds: f64) -> anyhow::Result<()> {
        self.view.mode = Mode::Recording;
        self.view.max_seconds = max_seconds;
        self.view.keys = "Enter: done   s: skip   q: quit".into();
        self.draw()?;
        Ok(())
    }

    fn tick(&mut self, event: Option<&RecorderEvent>) -> Key {
        match event {
            Some(RecorderEvent::Level {
                elapsed,
                level_db,
                speaking,
            }) => {
                self.view.elapsed = *elapsed;
                self.view.level_db = *level_db;
                self.view.speaking = *speaking;
                let second = elapsed.max(0.0) as usize;
                let levels = &mut self.view.levels;
                if levels.len() <= second {
                    levels.resize(second + 1, None);
                }
                if *speaking {
                    let db = f64::from(*level_db);
                    levels[second] = Some(levels[second].map_or(db, |l: f64| l.max(db)));
                }
            }
            Some(RecorderEvent::SpeechStarted { .. }) => {
                self.view.heard_speech = true;
                self.view.hint = None;
            }
            Some(RecorderEvent::QuietInput { .. }) => {
                self.view.hint = Some(
                    "No speech heard yet: the microphone may be muted or the wrong one (rehearse devices)."
                        .into(),
                );
            }
            Some(RecorderEvent::MaxLengthNotice { remaining }) => {
                self.view.hint = Some(format!("{remaining:.0} s left for this answer."));
            }
            _ => {}
        }
        let key = match self.keys() {
            Some(k) if is_quit(&k) => Key::Quit,
            Some(k) if k.code == KeyCode::Enter => Key::Done,
            Some(k) if k.code == KeyCode::Char('s') => Key::Skip,
            _ => Key::None,
        };
        let _ = self.draw();
        key
    }

    fn transcribing(&mut self, seconds: f64, percent: i32) {
        self.view.mode = Mode::Transcribing(percent);
        self.view.seconds = seconds;
        self.view.keys = "transcribing...".into();
        // Other keys pressed now are ignored; a resize still redraws.
        if self.keys().is_some_and(|k| is_quit(&k)) {
            self.view.quit_pending = true;
        }
        let _ = self.draw();
    }
}

impl Frontend for FullScreen<'_> {
    fn ask(&mut self, turn: &Turn<'_>) -> Result<Asked, InterviewError> {
        let mut painter = Painter {
            terminal: &mut self.terminal,
            view: &mut self.view,
        };
        take_answer(&mut self.context, &mut painter, turn)
    }

    fn feedback(&mut self, feedback: &Feedback<'_>) -> Result<Choice, InterviewError> {
        let v = &mut self.view;
        v.mode = Mode::Feedback;
        v.title = heading(feedback.turn);
        v.prompt = feedback.turn.prompt.to_string();
        // What the follow-up recovered and the comparison first: the report below may need scrolling.
        let extra = feedback_extra(feedback);
        v.report = format!(
            "{}{}{}",
            extra.trim_start(),
            if extra.is_empty() { "" } else { "\n" },
            report::render(feedback.report, false)
        );
        v.scroll = 0;
        v.keys = if feedback.follow_up_next {
            "Enter: follow-up question   q: quit   Up/Down: scroll".into()
        } else {
            "Enter: next   r: retry   q: quit   Up/Down: scroll".into()
        };
        let mut painter = Painter {
            terminal: &mut self.terminal,
            view: &mut self.view,
        };
        painter
            .draw()
            .map_err(|e| InterviewError::Frontend(e.into()))?;
        if feedback.ending || std::mem::take(&mut painter.view.quit_pending) {
            return Ok(Choice::Quit);
        }
        loop {
            if self.context.interrupt.is_set() {
                return Ok(Choice::Quit);
            }
            let ready = event::poll(Duration::from_millis(200))
                .map_err(|e| InterviewError::Frontend(e.into()))?;
            if ready {
                let read = event::read().map_err(|e| InterviewError::Frontend(e.into()))?;
                if let Event::Key(key) = read {
                    if key.kind != KeyEventKind::Press {
                        continue;
                    }
                    let v = &mut *painter.view;
                    match key.code {
                        _ if is_quit(&key) => return Ok(Choice::Quit),
                        KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char(' ') => {
                            return Ok(Choice::Next);
                        }
                        KeyCode::Char('r') if !feedback.follow_up_next => {
                            return Ok(Choice::Retry);
                        }
                        KeyCode::Down | KeyCode::Char('j') => v.scroll = v.scroll.saturating_add(1),
                        KeyCode::Up | KeyCode::Char('k') => v.scroll = v.scroll.saturating_sub(1),
                        KeyCode::PageDown => v.scroll = v.scroll.saturating_add(10),
                        KeyCode::PageUp => v.scroll = v.scroll.saturating_sub(10),
                        _ => {}
                    }
                }
            }
            painter
                .draw()
                .map_err(|e| InterviewError::Frontend(e.into()))?;
        }
    }
}

fn render(frame: &mut ratatui::Frame<'_>, view: &View) {
    let area = frame.area();
    let [top, body, hint, keys] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    // User text (the question file, the transcript in the report) may hold control characters:
    // shown as visible escapes, never drawn into the cells.
    let question = Paragraph::new(visible(&view.prompt))
        .wrap(Wrap { trim: true })
        .style(view.style(Color::Cyan).add_modifier(Modifier::BOLD))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" rehearse: {} ", visible(&view.title))),
        );
    frame.render_widget(question, top);
    match view.mode {
        Mode::Feedback => {
            let report = Paragraph::new(visible(&view.report))
                .wrap(Wrap { trim: false })
                .scroll((view.scroll, 0))
                .block(Block::default().borders(Borders::ALL).title(" Feedback "));
            frame.render_widget(report, body);
        }
        _ => render_live(frame, view, body),
    }
    let hint_text = view.hint.as_deref().or(view.note.as_deref()).unwrap_or("");
    frame.render_widget(
        Paragraph::new(visible(hint_text)).style(view.style(Color::Yellow)),
        hint,
    );
    frame.render_widget(
        Paragraph::new(view.keys.as_str()).style(Style::default().add_modifier(Modifier::REVERSED)),
        keys,
    );
}

fn render_live(frame: &mut ratatui::Frame<'_>, view: &View, area: Rect) {
    let [timer, level, state, rest] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let (min, ideal, max) = view.target;
    let scale = max.max(view.elapsed).max(1.0);
    let colour = if view.elapsed < min {
        Color::Blue
    } else if view.elapsed <= max {
        Color::Green
    } else {
        Color::Red
    };
    let timer_gauge = Gauge::default()
        .block(Block::default().borders(Borders::ALL).title(format!(
            " Time {} / target {}-{} (ideal {}) ",
            clock(view.elapsed),
            clock(min),
            clock(max),
            clock(ideal)
        )))
        .gauge_style(view.style(colour))
        .ratio((view.elapsed / scale).clamp(0.0, 1.0))
        .label(clock(view.elapsed));
    frame.render_widget(timer_gauge, timer);
    let ratio = f64::from((view.level_db + 60.0) / 60.0).clamp(0.0, 1.0);
    // The level of each second while speaking, the last 30 s, as a one-line sparkline.
    let recent = &view.levels[view.levels.len().saturating_sub(30)..];
    let title = if recent.iter().flatten().count() >= 2 {
        format!(
            " Input level {} ",
            crate::analysis::timeline::sparkline(recent)
        )
    } else {
        " Input level ".to_string()
    };
    let level_gauge = Gauge::default()
        .block(Block::default().borders(Borders::ALL).title(title))
        .gauge_style(view.style(Color::Magenta))
        .ratio(ratio)
        .label(format!("{:.0} dB", view.level_db.max(-90.0)));
    frame.render_widget(level_gauge, level);
    let status = match view.mode {
        Mode::Asking => Line::from("The interviewer is asking the question..."),
        Mode::Recording if view.speaking => Line::from(vec![
            Span::styled(
                "● speaking",
                view.style(Color::Green).add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("   recording, at most {}", clock(view.max_seconds))),
        ]),
        Mode::Recording => Line::from(vec![
            Span::styled("○ silent", view.style(Color::DarkGray)),
            Span::raw(if view.heard_speech {
                format!("     recording, at most {}", clock(view.max_seconds))
            } else {
                "     recording: speak now".to_string()
            }),
        ]),
        Mode::Transcribing(percent) => Line::from(format!(
            "Transcribing {:.1} s of audio... {percent}%",
            view.seconds
        )),
        Mode::Feedback => Line::from(""),
    };
    frame.render_widget(Paragraph::new(status), state);
    if let Mode::Transcribing(percent) = view.mode {
        let bar = Gauge::default()
            .gauge_style(view.style(Color::Cyan))
            .percent(percent.clamp(0, 100) as u16);
        frame.render_widget(
            bar,
            Rect {
                height: rest.height.min(1),
                ..rest
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;

    fn screen(view: &View, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| render(frame, view)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        let mut text = String::new();
        for y in 0..height {
            for x in 0..width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    fn recording_view() -> View {
        let mut view = View::new(false);
        view.title = "Question 1 of 3".into();
        view.prompt = "Have you ever failed at anything?".into();
        view.target = (60.0, 90.0, 120.0);
        view.max_seconds = 240.0;
        view.elapsed = 12.4;
        view.level_db = -20.0;
        view.levels = vec![Some(-30.0), None, Some(-20.0), Some(-25.0)];
        view.speaking = true;
        view.mode = Mode::Recording;
        view.keys = "Enter: done   s: skip   q: quit".into();
        view
    }

    #[test]
    fn recording_screen_fits_80x24_with_question_timer_level_and_keys() {
        let text = screen(&recording_view(), 80, 24);
        for needle in [
            "Have you ever failed at anything?",
            "Question 1 of 3",
            "Time 0:12 / target 1:00-2:00",
            "Input level ▁ █▅",
            "-20 dB",
            "speaking",
            "Enter: done",
        ] {
            assert!(text.contains(needle), "{needle:?} missing:\n{text}");
        }
    }

    #[test]
    fn control_characters_in_the_question_and_report_are_shown_not_sent() {
        let mut view = recording_view();
        view.prompt = "Have you\u{1b}[2J ever failed?".into();
        let text = screen(&view, 80, 24);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("Have you\\u{1b}[2J ever failed?"), "{text}");
        view.mode = Mode::Feedback;
        view.report = "I said \u{1b}]0;title\u{7} here\n".into();
        let text = screen(&view, 80, 24);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("\\u{1b}]0;title\\u{7} here"), "{text}");
    }

    #[test]
    fn a_small_or_resized_terminal_does_not_panic() {
        let view = recording_view();
        for (w, h) in [(20, 6), (1, 1), (200, 60), (80, 24)] {
            let _ = screen(&view, w, h);
        }
    }

    #[test]
    fn feedback_screen_shows_the_report_and_scrolls() {
        let mut view = recording_view();
        view.mode = Mode::Feedback;
        view.report = (1..40).map(|i| format!("line {i}\n")).collect();
        view.keys = "Enter: next   r: retry   q: quit".into();
        let text = screen(&view, 80, 24);
        assert!(
            text.contains("line 1") && text.contains("r: retry"),
            "{text}"
        );
        view.scroll = 10;
        let text = screen(&view, 80, 24);
        assert!(
            !text.contains("line 1\u{20}") && text.contains("line 11"),
            "{text}"
        );
    }
}
