//! The human report of an analysis: the question, a verdict and score, delivery figures, then each
//! check with its outcome, message and evidence. Colour is an argument; the caller decides it (a
//! terminal without `NO_COLOR`).

use std::fmt::Write;

use super::{Outcome, Report};

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn outcome_label(outcome: Outcome, colour: bool) -> String {
    let (text, code) = match outcome {
        Outcome::Pass => ("PASS", "32"),
        Outcome::Warn => ("WARN", "33"),
        Outcome::Fail => ("FAIL", "31"),
        Outcome::Skipped => ("SKIP", "2"),
    };
    paint(text, code, colour)
}

fn time(seconds: f64) -> String {
    let whole = seconds.max(0.0);
    format!("{}:{:04.1}", (whole / 60.0).floor() as u64, whole % 60.0)
}

/// Renders the report as text.
pub fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        paint("Question:", "1", colour),
        report.question.text
    );
    let _ = writeln!(
        out,
        "{} {}/100. {}",
        paint("Score:", "1", colour),
        report.score,
        report.verdict
    );
    if let Some(d) = &report.delivery {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", paint("Delivery", "1", colour));
        let _ = writeln!(
            out,
            "  speaking {:.1} s, started after {:.1} s, {} words, {:.0} words a minute",
            d.speaking_seconds, d.start_latency_seconds, d.words, d.words_per_minute
        );
        let list = |items: &[super::delivery::Item]| {
            items
                .iter()
                .take(8)
                .map(|i| format!("\"{}\" {}", i.text, time(i.start)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "  fillers {} ({:.1} a minute){}",
            d.fillers.count,
            d.fillers.per_minute,
            suffix(&list(&d.fillers.items))
        );
        let _ = writeln!(
            out,
            "  hedges {}{}",
            d.hedges.count,
            suffix(&list(&d.hedges.items))
        );
        let _ = writeln!(
            out,
            "  repetitions {}{}",
            d.repetitions.count,
            suffix(&list(&d.repetitions.items))
        );
        let _ = writeln!(
            out,
            "  pauses {} (long {}), longest {:.1} s; sounds without words {}",
            d.pauses.count,
            d.pauses.long_count,
            d.pauses.longest_seconds,
            d.untranscribed_sounds.len()
        );
        if let Some(v) = &d.voice {
            let pitch = v.pitch.as_ref().map_or_else(
                || "pitch not measured (under 2 s of voice)".to_string(),
                |p| {
                    format!(
                        "pitch {:.0} Hz ({:.0} to {:.0} Hz), variety {:.1} semitones",
                        p.median_hz, p.low_hz, p.high_hz, p.variety_semitones
                    )
                },
            );
            let level = v
                .loudness
                .as_ref()
                .map(|l| format!("; level {:.0} dBFS", l.median_dbfs))
                .unwrap_or_default();
            let _ = writeln!(out, "  voice: {pitch}{level}");
            for w in v.loudness.iter().flat_map(|l| &l.warnings) {
                let _ = writeln!(out, "  {}", paint(w, "33", colour));
            }
        }
        let pace: Vec<Option<f64>> = d.windows.iter().map(|w| w.words_per_minute).collect();
        if pace.iter().flatten().count() >= 2 {
            let known: Vec<f64> = pace.iter().flatten().copied().collect();
            let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let _ = writeln!(
                out,
                "  pace every 10 s {} ({lo:.0} to {hi:.0} words a minute)",
                super::timeline::sparkline(&pace)
            );
        }
        for note in &d.notes {
            let _ = writeln!(out, "  {note}");
        }
        if !d.repeated.is_empty() {
            let list = d
                .repeated
                .iter()
                .map(|r| format!("\"{}\" {}", r.text, r.count))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "  said most: {list}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", paint("Checks", "1", colour));
    for check in &report.checks {
        let _ = writeln!(
            out,
            "  {} {:<21} {}",
            outcome_label(check.outcome, colour),
            check.id,
            check.message
        );
        for e in &check.evidence {
            let at = e
                .start
                .map(|s| format!(" ({})", time(s)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "       {}",
                paint(&format!("\"{}\"{at}", e.quote), "2", colour)
            );
        }
    }
    out
}

fn suffix(list: &str) -> String {
    if list.is_empty() {
        String::new()
    } else {
        format!(": {list}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_text;
    use crate::questions::Bank;

    #[test]
    fn plain_report_has_question_score_and_checks_without_escapes() {
        let bank = Bank::shipped().unwrap();
        let report = analyze_text(bank.get("failure").unwrap(), "No, not really.");
        let text = render(&report, false);
        assert!(
            text.contains("Question: Have you ever failed at anything?"),
            "{text}"
        );
        assert!(text.contains("FAIL admits-failure"), "{text}");
        assert!(text.contains("SKIP pace"), "{text}");
        assert!(!text.contains('\x1b'));
        assert!(render(&report, true).contains("\x1b[31mFAIL"));
    }
}
