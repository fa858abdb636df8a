//! `rehearse review SESSION --html FILE`: one self-contained page.
//!
//! No network and no external files: each recording is embedded as a `data:` URI, the style and the
//! one small script are inline, and a Content-Security-Policy allows nothing else (the script by
//! its hash, so even a markup slip could not run injected script). Every text from a transcript,
//! report or the database is escaped with [`escape`].

use std::fmt::Write;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::annotate::{Token, annotate, pause_label};
use super::svg;
use super::text::relation;
use super::view::ReportView;
use super::{figure, minutes_seconds};
use crate::history::{Session, SessionSummary, StoredAnswer};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Clicking anything with `data-start` seeks its answer's audio there and plays; the word being
/// spoken is highlighted during playback.
const SCRIPT: &str = r#"
document.addEventListener('click', function (event) {
  var target = event.target.closest('[data-start]');
  if (!target) return;
  var answer = target.closest('.answer');
  var audio = answer && answer.querySelector('audio');
  if (!audio) return;
  audio.currentTime = parseFloat(target.getAttribute('data-start'));
  var playing = audio.play();
  if (playing && playing.catch) playing.catch(function () {});
});
document.querySelectorAll('.answer audio').forEach(function (audio) {
  var words = audio.closest('.answer').querySelectorAll('.transcript .w');
  audio.addEventListener('timeupdate', function () {
    var now = audio.currentTime;
    words.forEach(function (word) {
      var start = parseFloat(word.getAttribute('data-start'));
      var end = parseFloat(word.getAttribute('data-end'));
      word.classList.toggle('now', now >= start && now < end);
    });
  });
});
"#;

const STYLE: &str = r#"
body { font: 16px/1.5 system-ui, sans-serif; max-width: 58rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0; } .meta { color: #555; margin-top: .2rem; }
.answer { border-top: 1px solid #ddd; margin-top: 2rem; padding-top: 1rem; }
audio { width: 100%; margin: .5rem 0; }
.transcript { line-height: 1.9; }
.w { cursor: pointer; border-radius: 3px; padding: 0 1px; }
.w:hover { background: #e3eefc; } .w.now { background: #ffe58a; }
.w.filler { color: #9a5b00; background: #fff1d6; }
.pause { color: #777; font-size: .85em; }
svg.timeline { width: 100%; height: 38px; display: block; }
.sound { fill: #8e5bb5; cursor: pointer; }
.track { fill: #f1f1f1; } .speech { fill: #4a8fdd; cursor: pointer; } .filler { fill: #e59b1e; cursor: pointer; }
.pause { fill: #bbb; } rect.pause.long { fill: #d9534f; }
.legend span { margin-right: 1rem; font-size: .85em; color: #555; }
.legend i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; vertical-align: middle; }
.checks { list-style: none; padding: 0; } .checks > li { margin: .5rem 0; }
.outcome { display: inline-block; min-width: 4.5em; font-weight: 600; }
.pass .outcome { color: #2e7d32; } .warn .outcome { color: #b26a00; } .fail .outcome { color: #c62828; }
.skipped .outcome { color: #888; }
.evidence { margin: .2rem 0 0 5.5em; padding: 0; list-style: none; color: #444; }
button.seek { font-size: .8em; margin-left: .4em; cursor: pointer; }
svg.trend { width: 100%; max-width: 600px; height: auto; }
.grid { stroke: #ddd; } .axis, .label { font-size: 11px; fill: #666; }
.line { fill: none; stroke: #4a8fdd; stroke-width: 2; }
.point { fill: #4a8fdd; } .point.current { fill: #e59b1e; stroke: #222; stroke-width: 1.5; }
.note { color: #777; }
svg.pace { width: 100%; height: auto; display: block; margin-top: .5rem; }
.pace-line { fill: none; stroke: #4a8fdd; stroke-width: 3; }
.pitch-line { fill: none; stroke: #3a9d5d; stroke-width: 2; stroke-dasharray: 6 4; }
.pace-point { fill: #4a8fdd; cursor: pointer; } .filler-mark { fill: #e59b1e; cursor: pointer; }
"#;

/// The page for `session`, with the score trend over `all_sessions`. Recordings are read from disk;
/// a missing one is noted on the page instead of failing.
pub fn render(session: &Session, all_sessions: &[SessionSummary]) -> String {
    let script_hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    let s = &session.summary;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; media-src data:; \
         img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>rehearse · session {id}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Session {id}</h1>\n<p class=\"meta\">{date} · {questions} question{plural} · score {score} · \
         {speaking} speaking · {wpm} wpm · {fpm} fillers/min{variety}{interrupted}</p>\n",
        id = s.id,
        date = escape(&s.date),
        questions = s.questions,
        plural = if s.questions == 1 { "" } else { "s" },
        score = figure(s.score, 0),
        speaking = minutes_seconds(s.speaking_seconds),
        wpm = figure(s.words_per_minute, 0),
        fpm = figure(s.fillers_per_minute, 1),
        variety = s
            .vocal_variety_semitones
            .map(|v| format!(" · vocal variety {v:.1} semitones"))
            .unwrap_or_default(),
        interrupted = if s.finished_at.is_none() {
            " · interrupted"
        } else {
            ""
        },
    );
    let _ = write!(
        page,
        "<section class=\"trend\">\n<h2>Score across sessions</h2>\n{}\n</section>\n",
        svg::trend_chart(all_sessions, s.id)
    );
    if session.answers.is_empty() {
        page.push_str("<p class=\"note\">No answers were saved in this session.</p>\n");
    }
    for answer in &session.answers {
        page.push_str(&render_answer(session, answer));
    }
    let _ = write!(page, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    page
}

fn render_answer(session: &Session, answer: &StoredAnswer) -> String {
    let mut out = String::new();
    let relation = relation(session, answer)
        .map(|r| format!(" <span class=\"note\">({})</span>", escape(&r)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<article class=\"answer\" id=\"answer-{position}\">\n<h2>{position}. {question}{relation}</h2>\n\
         <p class=\"meta\"><code>{qid}</code> · score {score} · {speaking} speaking · {wpm} wpm · \
         {fpm} fillers/min</p>\n",
        position = answer.position,
        question = escape(&answer.question_text),
        qid = escape(&answer.question_id),
        score = answer
            .score
            .map_or_else(|| "-".to_string(), |v| v.to_string()),
        speaking = answer
            .speaking_seconds
            .map_or_else(|| "-".to_string(), minutes_seconds),
        wpm = figure(answer.words_per_minute, 0),
        fpm = figure(answer.fillers_per_minute, 1),
    );
    let mut duration = 0.0;
    match &answer.recording {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => {
                duration = wav_seconds(&bytes).unwrap_or(0.0);
                let _ = writeln!(
                    out,
                    "<audio controls preload=\"auto\" src=\"data:audio/wav;base64,{}\"></audio>",
                    base64::engine::general_purpose::STANDARD.encode(&bytes)
                );
            }
            Err(err) => {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">The recording <code>{}</code> could not be read: {}.</p>",
                    escape(&path.display().to_string()),
                    escape(&err.to_string())
                );
            }
        },
        None => out.push_str("<p class=\"note\">No recording was kept for this answer.</p>\n"),
    }
    if crate::history::is_recovered(&answer.report_json) {
        out.push_str(
            "<p class=\"note recovered\">Recovered: the session stopped before this answer was \
             stored; it was transcribed from its recording later.</p>\n",
        );
    }
    if crate::history::is_skipped(&answer.report_json) {
        match crate::history::recovery_note(&answer.report_json) {
            Some(why) => {
                let _ = write!(
                    out,
                    "<p class=\"note skipped\">Skipped: {}, so this answer has no score and is \
                     left out of the averages and the trend.</p>\n</article>\n",
                    escape(&why)
                );
            }
            None => out.push_str(
                "<p class=\"note skipped\">Skipped: nothing was said, so this answer has no score and is \
                 left out of the averages and the trend.</p>\n</article>\n",
            ),
        }
        return out;
    }
    let report = match ReportView::parse(&answer.report_json) {
        Ok(report) => report,
        Err(err) => {
            let _ = write!(
                out,
                "<p class=\"note\">The stored report could not be read: {}.</p>\n</article>\n",
                escape(&err.to_string())
            );
            return out;
        }
    };
    let tokens = annotate(&report);
    let sounds = report
        .delivery
        .as_ref()
        .map_or(&[][..], |d| &d.untranscribed_sounds[..]);
    let timeline = svg::timeline(&tokens, sounds, duration);
    if !timeline.is_empty() {
        out.push_str(&timeline);
        out.push_str(
            "\n<p class=\"legend\"><span><i style=\"background:#4a8fdd\"></i>speech</span>\
             <span><i style=\"background:#e59b1e\"></i>filler</span><span><i style=\"background:#bbb\"></i>pause</span>\
             <span><i style=\"background:#d9534f\"></i>pause of 2 s or more</span>\
             <span><i style=\"background:#8e5bb5\"></i>sound with no word</span></p>\n",
        );
    }
    if let Some(d) = report.delivery.as_ref() {
        // The same time axis as the timeline above it.
        let end = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Word { end, .. } => *end,
                Token::Pause { end, .. } => Some(*end),
            })
            .fold(duration, f64::max);
        let chart = svg::pace_chart(&d.windows, &d.fillers.items, end);
        if !chart.is_empty() {
            out.push_str(&chart);
            out.push_str(
                "\n<p class=\"legend\"><span><i style=\"background:#4a8fdd\"></i>words a minute, every 10 s</span>\
                 <span><i style=\"background:#3a9d5d\"></i>pitch (dashed)</span>\
                 <span><i style=\"background:#e59b1e\"></i>filler</span></p>\n",
            );
        }
    }
    out.push_str("<p class=\"transcript\">");
    if tokens.is_empty() {
        out.push_str(&escape(report.transcript.text.trim()));
    }
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match token {
            Token::Word {
                text,
                start,
                end,
                filler,
            } => {
                let class = if *filler { "w filler" } else { "w" };
                match start {
                    Some(start) => {
                        let end = end.unwrap_or(*start);
                        let _ = write!(
                            out,
                            "<span class=\"{class}\" data-start=\"{start:.3}\" data-end=\"{end:.3}\">{}</span>",
                            escape(text)
                        );
                    }
                    None => {
                        let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(text));
                    }
                }
            }
            Token::Pause { start, end } => {
                let _ = write!(
                    out,
                    "<span class=\"pause\">{}</span>",
                    pause_label(end - start)
                );
            }
        }
    }
    out.push_str("</p>\n");
    if !report.checks.is_empty() {
        out.push_str("<ul class=\"checks\">\n");
        for check in &report.checks {
            let outcome = match check.outcome.as_str() {
                known @ ("pass" | "warn" | "fail" | "skipped") => known,
                _ => "other",
            };
            let _ = write!(
                out,
                "<li class=\"{outcome}\"><span class=\"outcome\">{}</span> <code>{}</code> {}",
                escape(&check.outcome),
                escape(&check.id),
                escape(&check.message)
            );
            if !check.evidence.is_empty() {
                out.push_str("<ul class=\"evidence\">");
                for evidence in &check.evidence {
                    let _ = write!(out, "<li><q>{}</q>", escape(&evidence.quote));
                    if let Some(start) = evidence.start {
                        let _ = write!(
                            out,
                            "<button class=\"seek\" type=\"button\" data-start=\"{start:.3}\">{start:.1} s</button>"
                        );
                    }
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
    out
}

/// The length of a PCM WAV in seconds, from its header.
fn wav_seconds(bytes: &[u8]) -> Option<f64> {
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes)).ok()?;
    let spec = reader.spec();
    Some(f64::from(reader.duration()) / f64::from(spec.sample_rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_answer_says_so_instead_of_showing_a_report() {
        use crate::review::text::tests::{answer, session};
        let session = session(vec![answer(
            1,
            1,
            r#"{"skipped": true, "transcript": {"text": "", "words": []},
                "checks": [{"id": "pace", "outcome": "fail", "message": "Too short."}]}"#,
        )]);
        let page = render_answer(&session, &session.answers[0]);
        assert!(page.contains("Skipped: nothing was said"), "{page}");
        assert!(
            !page.contains("Too short."),
            "no checks of an empty answer: {page}"
        );
        assert!(page.trim_end().ends_with("</article>"), "{page}");
    }

    #[test]
    fn a_recovered_answer_says_so_and_an_unreadable_one_says_why_it_was_skipped() {
        use crate::review::text::tests::{answer, session};
        let session = session(vec![
            answer(
                1,
                1,
                r#"{"recovered": true, "transcript": {"text": "I missed a deadline", "words": []},
                    "checks": [{"id": "pace", "outcome": "pass", "message": "Good pace."}]}"#,
            ),
            answer(
                2,
                1,
                r#"{"recovered": true, "skipped": true, "recovery_note": "the recording <cannot> be read",
                    "transcript": {"text": "", "words": []}, "checks": []}"#,
            ),
        ]);
        let page = render_answer(&session, &session.answers[0]);
        assert!(page.contains("Recovered: the session stopped"), "{page}");
        assert!(page.contains("Good pace."), "the report is shown: {page}");
        let page = render_answer(&session, &session.answers[1]);
        assert!(
            page.contains("Skipped: the recording &lt;cannot&gt; be read, so"),
            "{page}"
        );
        assert!(!page.contains("nothing was said"), "{page}");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
