//! Looking back: the history table and trend, the review of a session as text, JSON and one
//! self-contained HTML page.
//!
//! Everything here reads stored sessions ([`crate::history`]) and the stored reports through the
//! lenient views in [`view`]; nothing here writes the database.

pub mod annotate;
pub mod history;
pub mod html;
pub mod json;
mod svg;
pub mod text;
pub mod view;

/// Terminal styling: ANSI colour when enabled, plain text otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Whether to emit colour codes.
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    pub fn for_stdout() -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        Style {
            color: std::io::stdout().is_terminal() && !no_color && !dumb,
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// An outcome's colour: green pass, yellow warn, red fail, dim skipped.
    pub fn outcome(self, outcome: &str, text: &str) -> String {
        match outcome {
            "pass" => self.paint("32", text),
            "warn" => self.paint("33", text),
            "fail" => self.paint("31", text),
            _ => self.dim(text),
        }
    }

    /// A filler word.
    pub fn filler(self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// `1:05` for 65 seconds.
pub fn minutes_seconds(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// A figure with `digits` decimals, or `-` when absent.
pub fn figure(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.digits$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_format() {
        assert_eq!(minutes_seconds(65.4), "1:05");
        assert_eq!(minutes_seconds(0.0), "0:00");
        assert_eq!(figure(Some(2.345), 1), "2.3");
        assert_eq!(figure(None, 1), "-");
        assert_eq!(Style { color: false }.outcome("fail", "x"), "x");
        assert_eq!(
            Style { color: true }.outcome("fail", "x"),
            "\x1b[31mx\x1b[0m"
        );
    }
}
