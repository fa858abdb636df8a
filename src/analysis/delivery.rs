//! Delivery: how the answer was spoken. Figures from word timings (speaking time, start latency, pace,
//! fillers, hedges, repetitions, pauses) and, when there is audio, from voice activity (sounds that no
//! word covers); then the delivery checks against the question's thresholds.

use serde::{Deserialize, Serialize};

use super::text::{Doc, Mark};
use super::timeline::{self, Repeated, Window};
use super::voice::{self, Voice};
use super::{CheckResult, Evidence, Outcome};
use crate::audio::pitch::Track;
use crate::questions::Question;

/// Shortest silence counted as a pause, seconds.
pub const PAUSE_SECONDS: f64 = 0.5;
/// Shortest pause counted as long in the figures, seconds.
pub const LONG_PAUSE_SECONDS: f64 = 2.0;
/// Shortest stretch of voice without a word reported as an untranscribed sound, seconds.
pub const SOUND_SECONDS: f64 = 0.3;

/// A stretch of time in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
}

/// A counted word or phrase and when it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// What was said (`um`, `you know`, `I I`).
    pub text: String,
    /// Start in seconds.
    pub start: f64,
}

/// Fillers: count, rate and each one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fillers {
    /// How many.
    pub count: usize,
    /// Per minute of speaking.
    pub per_minute: f64,
    /// Each one.
    pub items: Vec<Item>,
}

/// Hedges or repetitions: count and each one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    /// How many.
    pub count: usize,
    /// Each one.
    pub items: Vec<Item>,
}

/// Silent gaps inside the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pauses {
    /// Gaps of at least 0.5 s.
    pub count: usize,
    /// Gaps of at least 2 s.
    pub long_count: usize,
    /// The longest gap in seconds (0 when none).
    pub longest_seconds: f64,
    /// Each gap.
    pub items: Vec<Span>,
}

/// The delivery figures of a spoken answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// First word start to last word end.
    pub speaking_seconds: f64,
    /// Answer start (the start of the recording) to the first word.
    pub start_latency_seconds: f64,
    /// Words spoken, hesitation sounds (um, uh) not counted.
    pub words: usize,
    /// Words per minute of speaking time.
    pub words_per_minute: f64,
    /// Fillers: um, uh, er, ah, hmm, and "like", "you know", "I mean", sentence-opening "so" as fillers.
    pub fillers: Fillers,
    /// Hedges: kind of, sort of, I guess, I suppose, maybe.
    pub hedges: Counted,
    /// Repeated words and restarts; each item is the abandoned copy ("i" for "I I", "we were" for
    /// "we were, we were").
    pub repetitions: Counted,
    /// Silent gaps.
    pub pauses: Pauses,
    /// Voice with no word over it (often a filler the transcriber dropped).
    pub untranscribed_sounds: Vec<Span>,
    /// Pitch and loudness, when there was audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<Voice>,
    /// Words a minute, fillers, pitch and level in 10-second windows from the start of the recording.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
    /// Where the answer changed, one sentence each: pace, where the fillers came, the level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The words and phrases said most often, stop words and fillers apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeated: Vec<Repeated>,
}

/// Level changes under this (dB) are not worth a note.
const LEVEL_NOTE_DB: f64 = 4.0;

/// Measures delivery from a document of timed words, optional voice-activity spans and, when there
/// was audio, its pitch and level frames.
pub fn measure(doc: &Doc, speech: Option<&[Span]>, track: Option<&Track>) -> Delivery {
    let timed: Vec<(f64, f64)> = doc
        .words
        .iter()
        .filter_map(|w| Some((w.start?, w.end?)))
        .collect();
    let mut first = timed.first().map_or(0.0, |w| w.0);
    let mut last = timed.iter().map(|w| w.1).fold(first, f64::max);
    // Whisper often stretches the first and last words over the silence around them; the voice
    // detector knows where the voice starts and stops.
    if let (Some(spans), Some(&(_, first_end)), Some(&(last_start, _))) =
        (speech, timed.first(), timed.last())
    {
        if let Some(s) = spans.iter().find(|s| s.end > first && s.start < first_end) {
            first = first.max(s.start);
        }
        if let Some(s) = spans
            .iter()
            .rev()
            .find(|s| s.start < last && s.end > last_start)
        {
            last = last.min(s.end).max(first);
        }
    }
    let speaking = (last - first).max(0.0);
    let sound_words: Vec<bool> = doc
        .words
        .iter()
        .map(|w| w.filler || crate::transcribe::fillers::is_filler(&w.text))
        .collect();
    let words = sound_words.iter().filter(|f| !**f).count();
    let minutes = speaking / 60.0;
    let rate = |n: usize| {
        if minutes > 0.0 {
            round1(n as f64 / minutes)
        } else {
            0.0
        }
    };
    let fillers = marked_items(doc, |m| matches!(m, Mark::Filler(_)));
    let hedges = marked_items(doc, |m| matches!(m, Mark::Hedge(_)));
    let repetitions = marked_items(doc, |m| matches!(m, Mark::Repeat));
    let pauses = pauses(&timed, speech, first, last);
    let untranscribed_sounds = speech.map(|s| untranscribed(&timed, s)).unwrap_or_default();
    let voice = track.map(|t| voice::measure(t, speech));
    let filler_times: Vec<f64> = fillers.iter().map(|i| i.start).collect();
    let frames = track.map_or(&[][..], |t| &t.frames[..]);
    let windows = timeline::windows(doc, &filler_times, frames, first, last);
    let mut notes: Vec<String> = Vec::new();
    notes.extend(timeline::pace_change(doc, first, last));
    notes.extend(timeline::filler_spread(&filler_times, first, last));
    if let Some(l) = voice.as_ref().and_then(|v| v.loudness.as_ref()) {
        if let Some(drop) = l.end_drop_db.filter(|d| *d >= LEVEL_NOTE_DB) {
            notes.push(format!(
                "Your voice drops about {drop:.0} dB at the end of a stretch; carry it through the last word."
            ));
        }
        if let Some(trend) = l.trend_db.filter(|d| d.abs() >= LEVEL_NOTE_DB) {
            notes.push(if trend < 0.0 {
                format!("You got quieter as you went on ({:.0} dB from the first third to the last).", -trend)
            } else {
                format!("You got louder as you went on ({trend:.0} dB from the first third to the last).")
            });
        }
    }
    let repeated = timeline::repeated(doc);
    Delivery {
        speaking_seconds: round2(speaking),
        start_latency_seconds: round2(first),
        words,
        words_per_minute: rate(words),
        fillers: Fillers {
            count: fillers.len(),
            per_minute: rate(fillers.len()),
            items: fillers,
        },
        hedges: Counted {
            count: hedges.len(),
            items: hedges,
        },
        repetitions: Counted {
            count: repetitions.len(),
            items: repetitions,
        },
        pauses,
        untranscribed_sounds,
        voice,
        windows,
        notes,
        repeated,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Groups marked tokens into items: a two-word filler or hedge ("you know") or a restart counts once.
fn marked_items(doc: &Doc, want: impl Fn(Mark) -> bool) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut prev: Option<(usize, Mark)> = None;
    for (i, token) in doc.tokens.iter().enumerate() {
        let Some(mark) = token.mark.filter(|m| want(*m)) else {
            prev = None;
            continue;
        };
        let grouped = match mark {
            Mark::Filler(label) | Mark::Hedge(label) => label.contains(' '),
            Mark::Repeat => true,
        };
        let continues = grouped && prev.is_some_and(|(p, m)| p + 1 == i && m == mark);
        match (continues, mark) {
            (true, Mark::Repeat) => {
                if let Some(last) = items.last_mut() {
                    last.text.push(' ');
                    last.text.push_str(&token.norm);
                }
            }
            (true, _) => {}
            (false, Mark::Filler(label) | Mark::Hedge(label))
                if label.contains(' ') || label != "um" =>
            {
                items.push(Item {
                    text: label.to_string(),
                    start: doc.words[token.word].start.unwrap_or(0.0),
                });
            }
            (false, _) => items.push(Item {
                text: token.norm.clone(),
                start: doc.words[token.word].start.unwrap_or(0.0),
            }),
        }
        prev = Some((i, mark));
    }
    items
}

/// Silent gaps of at least [`PAUSE_SECONDS`] inside the answer. With voice activity, silence is what
/// the detector does not hear as voice between the first and last word; without it, the gaps between
/// words.
fn pauses(timed: &[(f64, f64)], speech: Option<&[Span]>, first: f64, last: f64) -> Pauses {
    let mut items: Vec<Span> = Vec::new();
    match speech {
        Some(spans) if !spans.is_empty() => {
            let mut cursor = first;
            for s in spans.iter().filter(|s| s.end > first && s.start < last) {
                if s.start - cursor >= PAUSE_SECONDS {
                    items.push(Span {
                        start: round2(cursor),
                        end: round2(s.start),
                    });
                }
                cursor = cursor.max(s.end);
            }
            if last - cursor >= PAUSE_SECONDS {
                items.push(Span {
                    start: round2(cursor),
                    end: round2(last),
                });
            }
        }
        _ => {
            for pair in timed.windows(2) {
                if pair[1].0 - pair[0].1 >= PAUSE_SECONDS {
                    items.push(Span {
                        start: round2(pair[0].1),
                        end: round2(pair[1].0),
                    });
                }
            }
        }
    }
    let longest = items.iter().map(|s| s.end - s.start).fold(0.0, f64::max);
    Pauses {
        count: items.len(),
        long_count: items
            .iter()
            .filter(|s| s.end - s.start >= LONG_PAUSE_SECONDS)
            .count(),
        longest_seconds: round2(longest),
        items,
    }
}

/// Voice-activity stretches of at least [`SOUND_SECONDS`] that no word covers.
pub fn untranscribed(timed: &[(f64, f64)], speech: &[Span]) -> Vec<Span> {
    const MARGIN: f64 = 0.1;
    let mut out = Vec::new();
    for s in speech {
        let mut pieces = vec![(s.start, s.end)];
        for &(ws, we) in timed {
            let (ws, we) = (ws - MARGIN, we + MARGIN);
            pieces = pieces
                .into_iter()
                .flat_map(|(a, b)| {
                    if we <= a || ws >= b {
                        vec![(a, b)]
                    } else {
                        let mut v = Vec::new();
                        if ws > a {
                            v.push((a, ws));
                        }
                        if we < b {
                            v.push((we, b));
                        }
                        v
                    }
                })
                .collect();
        }
        out.extend(
            pieces
                .into_iter()
                .filter(|(a, b)| b - a >= SOUND_SECONDS)
                .map(|(a, b)| Span {
                    start: round2(a),
                    end: round2(b),
                }),
        );
    }
    out
}

/// The delivery checks for a question; all `skipped` without delivery figures (a written answer).
pub fn checks(question: &Question, delivery: Option<&Delivery>) -> Vec<CheckResult> {
    let Some(d) = delivery else {
        return super::checks::DELIVERY_CHECKS
            .iter()
            .map(|id| CheckResult {
                id: (*id).to_string(),
                outcome: Outcome::Skipped,
                message: "Not measured for a written answer.".into(),
                evidence: Vec::new(),
            })
            .collect();
    };
    let t = &question.delivery;
    let band = |x: f64, pass: [f64; 2], warn: [f64; 2]| {
        if x >= pass[0] && x <= pass[1] {
            Outcome::Pass
        } else if x >= warn[0] && x <= warn[1] {
            Outcome::Warn
        } else {
            Outcome::Fail
        }
    };
    let figure = |quote: String| vec![Evidence { quote, start: None }];
    let mut out = Vec::new();

    let length = band(
        d.speaking_seconds,
        [question.time.min, question.time.max],
        question.answer_length_warn(),
    );
    let length_msg = match length {
        Outcome::Pass => format!(
            "Good length: about {:.0} s, aim for around {:.0} s.",
            d.speaking_seconds, question.time.ideal
        ),
        _ if d.speaking_seconds < question.time.min => format!(
            "Too short: {:.0} s of speaking; aim for {:.0} to {:.0} s so there is room for the story and the lesson.",
            d.speaking_seconds, question.time.min, question.time.max
        ),
        _ => format!(
            "Too long: {:.0} s of speaking; aim for {:.0} to {:.0} s and cut detail that does not serve the story.",
            d.speaking_seconds, question.time.min, question.time.max
        ),
    };
    out.push(result(
        "answer-length",
        length,
        length_msg,
        figure(format!("{:.1} s speaking", d.speaking_seconds)),
    ));

    let (pace, pace_msg) = if d.words == 0 {
        (Outcome::Skipped, "No words to time.".to_string())
    } else {
        let o = band(d.words_per_minute, t.pace_pass, t.pace_warn);
        let msg = match o {
            Outcome::Pass => format!(
                "A comfortable pace: {:.0} words a minute.",
                d.words_per_minute
            ),
            _ if d.words_per_minute < t.pace_pass[0] => {
                format!(
                    "A little slow at {:.0} words a minute; aim for {:.0} to {:.0}.",
                    d.words_per_minute, t.pace_pass[0], t.pace_pass[1]
                )
            }
            _ => format!(
                "Fast at {:.0} words a minute; slow down to {:.0} to {:.0} and let points land.",
                d.words_per_minute, t.pace_pass[0], t.pace_pass[1]
            ),
        };
        (o, msg)
    };
    out.push(result(
        "pace",
        pace,
        pace_msg,
        figure(format!("{:.0} words per minute", d.words_per_minute)),
    ));

    let rate = d.fillers.per_minute;
    let (fill, fill_msg) = if d.words == 0 {
        (Outcome::Skipped, "No words to count.".to_string())
    } else if rate <= t.fillers_pass {
        (
            Outcome::Pass,
            format!("Few fillers: {} ({rate:.1} a minute).", d.fillers.count),
        )
    } else if rate <= t.fillers_warn {
        (
            Outcome::Warn,
            format!(
                "{} fillers ({rate:.1} a minute); a short silent pause sounds more confident than \"um\".",
                d.fillers.count
            ),
        )
    } else {
        (
            Outcome::Fail,
            format!(
                "{} fillers ({rate:.1} a minute) make you sound hesitant; practise pausing silently instead.",
                d.fillers.count
            ),
        )
    };
    let fill_ev = d
        .fillers
        .items
        .iter()
        .take(3)
        .map(|i| Evidence {
            quote: i.text.clone(),
            start: Some(i.start),
        })
        .collect();
    out.push(result("fillers", fill, fill_msg, fill_ev));

    let long: Vec<&Span> = d
        .pauses
        .items
        .iter()
        .filter(|p| p.end - p.start >= t.long_pause_seconds)
        .collect();
    let long_o = if long.len() as u32 <= t.long_pauses_pass {
        Outcome::Pass
    } else if long.len() as u32 <= t.long_pauses_warn {
        Outcome::Warn
    } else {
        Outcome::Fail
    };
    let long_msg = match long_o {
        Outcome::Pass => format!(
            "No pauses of {:.0} s or more inside the answer.",
            t.long_pause_seconds
        ),
        _ => format!(
            "{} pause(s) of {:.0} s or more; know your story's steps so you do not lose the thread.",
            long.len(),
            t.long_pause_seconds
        ),
    };
    let long_ev = long
        .iter()
        .map(|p| Evidence {
            quote: format!("{:.1} s pause", p.end - p.start),
            start: Some(p.start),
        })
        .collect();
    out.push(result("long-pauses", long_o, long_msg, long_ev));

    let latency = d.start_latency_seconds;
    let lat = if d.words == 0 || latency > t.start_latency_fail {
        Outcome::Fail
    } else if latency > t.start_latency_warn {
        Outcome::Warn
    } else {
        Outcome::Pass
    };
    let lat_msg = match lat {
        Outcome::Pass => format!("You started promptly ({latency:.1} s)."),
        _ if d.words == 0 => "No answer was heard.".to_string(),
        _ => format!(
            "You took {latency:.1} s to start; have your story ready so you can begin within a few seconds."
        ),
    };
    out.push(result(
        "start-latency",
        lat,
        lat_msg,
        figure(format!("{latency:.1} s before the first word")),
    ));
    out.push(voice::check(question, d.voice.as_ref()));
    out
}

fn result(id: &str, outcome: Outcome, message: String, evidence: Vec<Evidence>) -> CheckResult {
    CheckResult {
        id: id.to_string(),
        outcome,
        message,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::SourceWord;

    fn timed(words: &[(&str, f64, f64)]) -> Doc {
        Doc::new(
            words
                .iter()
                .map(|(t, s, e)| SourceWord {
                    text: t.to_string(),
                    start: Some(*s),
                    end: Some(*e),
                    filler: false,
                })
                .collect(),
        )
    }

    #[test]
    fn figures_from_word_timings() {
        let doc = timed(&[
            ("So,", 1.0, 1.2),
            ("um,", 1.3, 1.5),
            ("I", 1.6, 1.7),
            ("I", 1.8, 1.9),
            ("missed", 2.0, 2.4),
            ("it,", 2.4, 2.8),
            ("you", 5.0, 5.1),
            ("know.", 5.1, 5.4),
            ("I", 6.0, 6.1),
            ("like", 6.1, 6.3),
            ("it", 6.3, 7.0),
        ]);
        let d = measure(&doc, None, None);
        assert_eq!(d.start_latency_seconds, 1.0);
        assert_eq!(d.speaking_seconds, 6.0);
        assert_eq!(d.words, 10);
        assert_eq!(d.words_per_minute, 100.0);
        let fillers: Vec<&str> = d.fillers.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(fillers, ["so", "um", "you know"]);
        assert_eq!(d.repetitions.count, 1);
        assert_eq!(d.pauses.count, 2);
        assert_eq!(d.pauses.long_count, 1);
        assert_eq!(d.pauses.longest_seconds, 2.2);
    }

    #[test]
    fn voice_without_words_is_an_untranscribed_sound() {
        let words = [(1.0, 1.5), (3.0, 3.5)];
        let speech = [
            Span {
                start: 1.0,
                end: 1.5,
            },
            Span {
                start: 2.0,
                end: 2.6,
            },
            Span {
                start: 3.0,
                end: 3.5,
            },
        ];
        let sounds = untranscribed(&words, &speech);
        assert_eq!(
            sounds,
            [Span {
                start: 2.0,
                end: 2.6
            }]
        );
    }

    #[test]
    fn pauses_from_voice_activity_ignore_word_timing_smear() {
        let words = [(0.0, 2.0), (2.0, 4.0)];
        let speech = [
            Span {
                start: 0.0,
                end: 0.8,
            },
            Span {
                start: 3.0,
                end: 4.0,
            },
        ];
        let p = pauses(&words, Some(&speech), 0.0, 4.0);
        assert_eq!(
            p.items,
            [Span {
                start: 0.8,
                end: 3.0
            }]
        );
        assert_eq!(p.long_count, 1);
    }
}
