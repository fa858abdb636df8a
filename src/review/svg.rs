//! Inline SVG for the HTML review: an answer's timeline, its pace and pitch over time, and the score
//! trend across sessions.
//! Every text that reaches the markup goes through [`escape`].

use std::fmt::Write;

use super::annotate::Token;
use super::html::escape;
use super::view::{FillerView, SpanView, WindowView};
use crate::history::{SessionId, SessionSummary};

/// A pause at least this long is drawn as a long pause.
const LONG_PAUSE_SECONDS: f64 = 2.0;

/// The timeline of one answer: speech, fillers, pauses and sounds no word covers, along the
/// recording's length. Each block carries `data-start`, so a click seeks the answer's audio there.
pub fn timeline(tokens: &[Token], sounds: &[SpanView], duration: f64) -> String {
    let end = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word { end, .. } => *end,
            Token::Pause { end, .. } => Some(*end),
        })
        .fold(duration, f64::max);
    if end <= 0.0 {
        return String::new();
    }
    let x = |t: f64| t / end * 1000.0;
    let mut svg = String::from(
        "<svg class=\"timeline\" viewBox=\"0 0 1000 38\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"timeline of speech, pauses and fillers\">\
         <rect class=\"track\" x=\"0\" y=\"8\" width=\"1000\" height=\"20\"/>",
    );
    for token in tokens {
        match token {
            Token::Word {
                text,
                start: Some(start),
                end: Some(stop),
                filler,
            } => {
                let class = if *filler { "filler" } else { "speech" };
                let _ = write!(
                    svg,
                    "<rect class=\"{class}\" data-start=\"{start:.3}\" x=\"{:.2}\" y=\"8\" width=\"{:.2}\" \
                     height=\"20\"><title>{} ({start:.1} s)</title></rect>",
                    x(*start),
                    (x(*stop) - x(*start)).max(1.0),
                    escape(text),
                );
            }
            Token::Pause { start, end: stop } => {
                let class = if stop - start >= LONG_PAUSE_SECONDS {
                    "pause long"
                } else {
                    "pause"
                };
                let _ = write!(
                    svg,
                    "<rect class=\"{class}\" data-start=\"{start:.3}\" x=\"{:.2}\" y=\"14\" width=\"{:.2}\" \
                     height=\"8\"><title>pause {:.1} s</title></rect>",
                    x(*start),
                    (x(*stop) - x(*start)).max(1.0),
                    stop - start,
                );
            }
            Token::Word { .. } => {}
        }
    }
    for sound in sounds {
        let _ = write!(
            svg,
            "<rect class=\"sound\" data-start=\"{:.3}\" x=\"{:.2}\" y=\"2\" width=\"{:.2}\" \
             height=\"5\"><title>a sound no word covers ({:.1} s)</title></rect>",
            sound.start,
            x(sound.start),
            (x(sound.end) - x(sound.start)).max(1.0),
            sound.start,
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis\" x=\"2\" y=\"35\">0 s</text>\
         <text class=\"axis\" x=\"998\" y=\"35\" text-anchor=\"end\">{end:.1} s</text></svg>"
    );
    svg
}

/// Pace (words a minute, solid) and pitch (Hz, dashed, on its own scale) in each 10-second window, on
/// the same time axis as the timeline, with each filler marked by a tick at the foot. Empty when no
/// window has a pace.
pub fn pace_chart(windows: &[WindowView], fillers: &[FillerView], duration: f64) -> String {
    let paced: Vec<(f64, f64)> = windows
        .iter()
        .filter_map(|w| Some(((w.start + w.end) / 2.0, w.words_per_minute?)))
        .collect();
    if paced.is_empty() {
        return String::new();
    }
    let end = windows.iter().map(|w| w.end).fold(duration, f64::max);
    let x = |t: f64| (t / end * 1000.0).clamp(0.0, 1000.0);
    let top = paced.iter().map(|p| p.1).fold(200.0, f64::max);
    let y_pace = |wpm: f64| 100.0 - wpm / top * 88.0;
    let pitched: Vec<(f64, f64)> = windows
        .iter()
        .filter_map(|w| Some(((w.start + w.end) / 2.0, w.pitch_hz?)))
        .collect();
    let lo = pitched.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = pitched
        .iter()
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    // Pitch on its own scale, at least an octave tall so small wobbles stay small.
    let (lo, hi) = if hi - lo < lo {
        let mid = (hi + lo) / 2.0;
        (mid - lo / 2.0, mid + lo / 2.0)
    } else {
        (lo, hi)
    };
    let y_pitch = |hz: f64| 100.0 - (hz - lo) / (hi - lo) * 88.0;
    let mut svg = String::from(
        "<svg class=\"pace\" viewBox=\"0 0 1000 130\" role=\"img\" \
         aria-label=\"pace and pitch over the answer, fillers marked\">\
         <rect class=\"track\" x=\"0\" y=\"8\" width=\"1000\" height=\"96\"/>",
    );
    let line = |points: &[(f64, f64)], y: &dyn Fn(f64) -> f64| {
        points
            .iter()
            .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if pitched.len() >= 2 {
        let _ = write!(
            svg,
            "<polyline class=\"pitch-line\" points=\"{}\"/>",
            line(&pitched, &y_pitch)
        );
    }
    let _ = write!(
        svg,
        "<polyline class=\"pace-line\" points=\"{}\"/>",
        line(&paced, &y_pace)
    );
    for w in windows {
        let Some(wpm) = w.words_per_minute else {
            continue;
        };
        let t = (w.start + w.end) / 2.0;
        let pitch = w
            .pitch_hz
            .map(|hz| format!(", pitch {hz:.0} Hz"))
            .unwrap_or_default();
        let _ = write!(
            svg,
            "<circle class=\"pace-point\" data-start=\"{:.3}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\">\
             <title>{:.0} to {:.0} s: {wpm:.0} words a minute{pitch}, {} filler(s)</title></circle>",
            w.start,
            x(t),
            y_pace(wpm),
            w.start,
            w.end,
            w.fillers.unwrap_or(0),
        );
    }
    for f in fillers {
        let Some(start) = f.start else { continue };
        let _ = write!(
            svg,
            "<path class=\"filler-mark\" data-start=\"{start:.3}\" d=\"M{:.1} 104 l-5 10 h10 z\">\
             <title>\"{}\" at {start:.1} s</title></path>",
            x(start),
            escape(&f.text),
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis\" x=\"4\" y=\"20\">{top:.0} wpm</text>\
         <text class=\"axis\" x=\"4\" y=\"98\">0</text>\
         <text class=\"axis\" x=\"2\" y=\"127\">0 s</text>\
         <text class=\"axis\" x=\"998\" y=\"127\" text-anchor=\"end\">{end:.1} s</text></svg>"
    );
    svg
}

/// The score of every scored session as a line chart, the current session's point ringed.
pub fn trend_chart(sessions: &[SessionSummary], current: SessionId) -> String {
    let scored: Vec<&SessionSummary> = sessions.iter().filter(|s| s.score.is_some()).collect();
    if scored.is_empty() {
        return "<p class=\"note\">No scored sessions yet.</p>".to_string();
    }
    let (left, right, top, bottom) = (40.0, 590.0, 15.0, 175.0);
    let step = if scored.len() > 1 {
        (right - left) / (scored.len() - 1) as f64
    } else {
        0.0
    };
    let point = |i: usize, score: f64| {
        let x = if scored.len() > 1 {
            left + step * i as f64
        } else {
            (left + right) / 2.0
        };
        (x, bottom - score.clamp(0.0, 100.0) / 100.0 * (bottom - top))
    };
    let mut svg = String::from(
        "<svg class=\"trend\" viewBox=\"0 0 600 200\" role=\"img\" aria-label=\"score across sessions\">",
    );
    for level in [0.0, 50.0, 100.0] {
        let y = bottom - level / 100.0 * (bottom - top);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{level:.0}</text>",
            left - 6.0,
            y + 4.0,
        );
    }
    let points: Vec<String> = scored
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.score.map(|score| point(i, score)))
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"line\" points=\"{}\"/>",
        points.join(" ")
    );
    // At most about a dozen labels, always the last.
    let every = scored.len().div_ceil(12);
    for (i, s) in scored.iter().enumerate() {
        let Some(score) = s.score else { continue };
        let (x, y) = point(i, score);
        let labelled = i % every == 0 || i + 1 == scored.len();
        let class = if s.id == current {
            "point current"
        } else {
            "point"
        };
        let _ = write!(
            svg,
            "<circle class=\"{class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{}\"><title>session {} · {} · score {score:.0}</title></circle>",
            if s.id == current { 6 } else { 4 },
            s.id,
            escape(&s.date),
        );
        if labelled || s.id == current {
            let _ = write!(
                svg,
                "<text class=\"label\" x=\"{x:.1}\" y=\"195\" text-anchor=\"middle\">#{}</text>",
                s.id
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
