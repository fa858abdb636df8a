//! The transcript as review shows it: words in order with fillers marked and pauses of at least
//! 0.5 s placed where they happened.

use super::view::{ReportView, SpanView};

/// The shortest silence review shows.
pub const MIN_PAUSE_SECONDS: f64 = 0.5;

/// A piece of the annotated transcript.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A spoken word.
    Word {
        /// Its text.
        text: String,
        /// Start in seconds, when known.
        start: Option<f64>,
        /// End in seconds, when known.
        end: Option<f64>,
        /// A filler: marked by the transcriber or listed in the report's fillers.
        filler: bool,
    },
    /// A silence between words.
    Pause {
        /// Start in seconds.
        start: f64,
        /// End in seconds.
        end: f64,
    },
}

/// The words of a report with its fillers and pauses. Pauses come from the report's
/// `delivery.pauses.items` when it lists any, else from gaps between word times.
pub fn annotate(report: &ReportView) -> Vec<Token> {
    let words = &report.transcript.words;
    let mut filler: Vec<bool> = words.iter().map(|w| w.filler).collect();
    let mut pauses: Vec<SpanView> = Vec::new();
    if let Some(delivery) = &report.delivery {
        for item in &delivery.fillers.items {
            let Some(start) = item.start else { continue };
            let Some(first) = words
                .iter()
                .position(|w| w.start.is_some_and(|s| (s - start).abs() < 0.05))
            else {
                continue;
            };
            let span = item.text.split_whitespace().count().max(1);
            for mark in filler.iter_mut().skip(first).take(span) {
                *mark = true;
            }
        }
        pauses.extend(
            delivery
                .pauses
                .items
                .iter()
                .filter(|p| p.end - p.start >= MIN_PAUSE_SECONDS - 1e-9),
        );
    }
    if pauses.is_empty() {
        for pair in words.windows(2) {
            match (pair[0].end, pair[1].start) {
                (Some(end), Some(start)) if start - end >= MIN_PAUSE_SECONDS - 1e-9 => {
                    pauses.push(SpanView {
                        start: end,
                        end: start,
                    });
                }
                _ => {}
            }
        }
    }
    pauses.sort_by(|a, b| a.start.total_cmp(&b.start));

    let mut tokens = Vec::with_capacity(words.len() + pauses.len());
    let mut pending = pauses.into_iter().peekable();
    for (word, filler) in words.iter().zip(filler) {
        if let Some(start) = word.start {
            while let Some(pause) = pending.next_if(|p| p.end <= start + 0.05) {
                tokens.push(Token::Pause {
                    start: pause.start,
                    end: pause.end,
                });
            }
        }
        tokens.push(Token::Word {
            text: word.text.clone(),
            start: word.start,
            end: word.end,
            filler,
        });
    }
    tokens.extend(pending.map(|p| Token::Pause {
        start: p.start,
        end: p.end,
    }));
    tokens
}

/// The annotated transcript as plain text: fillers in parentheses, pauses as `[2.4 s]`. A report
/// without word times gives its running text.
pub fn plain_text(report: &ReportView) -> String {
    let tokens = annotate(report);
    if tokens.is_empty() {
        return report.transcript.text.trim().to_string();
    }
    tokens.iter().map(token_text).collect::<Vec<_>>().join(" ")
}

/// One token as plain text.
pub fn token_text(token: &Token) -> String {
    match token {
        Token::Word {
            text, filler: true, ..
        } => format!("({text})"),
        Token::Word { text, .. } => text.clone(),
        Token::Pause { start, end } => pause_label(end - start),
    }
}

/// `[2.4 s]`.
pub fn pause_label(seconds: f64) -> String {
    format!("[{seconds:.1} s]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(json: &str) -> ReportView {
        ReportView::parse(json).unwrap()
    }

    #[test]
    fn fillers_are_marked_and_gaps_become_pauses() {
        let r = report(
            r#"{"transcript": {"words": [
                {"text": "So", "start": 0.0, "end": 0.3},
                {"text": "um", "start": 0.4, "end": 0.6, "filler": true},
                {"text": "I", "start": 3.0, "end": 3.1},
                {"text": "failed.", "start": 3.2, "end": 3.6}]}}"#,
        );
        assert_eq!(plain_text(&r), "So (um) [2.4 s] I failed.");
    }

    #[test]
    fn the_reports_fillers_and_pauses_are_used_when_listed() {
        let r = report(
            r#"{"transcript": {"words": [
                {"text": "You", "start": 0.0, "end": 0.2}, {"text": "know,", "start": 0.2, "end": 0.4},
                {"text": "I", "start": 0.5, "end": 0.6}, {"text": "like", "start": 1.4, "end": 1.6},
                {"text": "failed", "start": 1.7, "end": 2.0}]},
              "delivery": {"fillers": {"items": [{"text": "you know", "start": 0.0}]},
                           "pauses": {"items": [{"start": 0.6, "end": 1.4}]}}}"#,
        );
        assert_eq!(plain_text(&r), "(You) (know,) I [0.8 s] like failed");
    }

    #[test]
    fn a_written_answer_shows_its_text() {
        let r = report(r#"{"transcript": {"text": " I failed once. ", "words": []}}"#);
        assert_eq!(plain_text(&r), "I failed once.");
    }
}
