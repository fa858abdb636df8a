//! Progress on stderr: a bar on a terminal, plain lines otherwise (so logs and tests stay readable).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::model::download::Progress;

/// A progress reporter for long work (downloads, conversions, transcription).
pub struct StderrProgress {
    bar: Option<ProgressBar>,
    terminal: bool,
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl StderrProgress {
    /// Bars only when stderr is a terminal.
    pub fn new() -> Self {
        StderrProgress {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A percentage bar for work counted 0 to 100.
    pub fn percent(message: &str) -> Option<ProgressBar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(100);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos:>3}%").map_or_else(
                |_| ProgressStyle::default_bar(),
                |s| s.progress_chars("=> "),
            ),
        );
        bar.set_message(message.to_string());
        Some(bar)
    }
}

impl Progress for StderrProgress {
    fn start(&mut self, message: &str, total: Option<u64>) {
        if !self.terminal {
            eprintln!("rehearse: {message}");
            return;
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::new_spinner(),
        };
        let template = "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})";
        bar.set_style(ProgressStyle::with_template(template).map_or_else(
            |_| ProgressStyle::default_bar(),
            |s| s.progress_chars("=> "),
        ));
        bar.set_message(message.to_string());
        self.bar = Some(bar);
    }

    fn set(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn note(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("rehearse: {message}")),
            None => eprintln!("rehearse: {message}"),
        }
    }
}
