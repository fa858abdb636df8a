//! The answer over time: words a minute, fillers, pitch and level in 10-second windows; the sentences
//! that say where it changed ("you sped up from 130 to 185 words a minute in the second minute", "most
//! fillers came after 1:10"); and the words and phrases said most often, stop words apart.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::text::{Doc, Mark};
use super::voice::median_of;
use crate::audio::pitch::Frame;

/// Length of a window, seconds.
pub const WINDOW_SECONDS: f64 = 10.0;
/// A window needs this much speaking time (seconds) for a words-a-minute figure.
const MIN_WINDOW_SPEAKING: f64 = 3.0;
/// Answers at least this long (speaking seconds) are compared minute by minute, shorter ones by halves.
const MINUTES_FROM: f64 = 100.0;
/// Smallest change in pace (words a minute) worth a sentence; at least 18% of the earlier pace too.
const PACE_CHANGE: f64 = 25.0;
/// Fewest fillers for a sentence about where they came.
const MIN_FILLERS: usize = 4;
/// A word is listed when said this often; a phrase of two or three words at [`PHRASE_TIMES`].
const WORD_TIMES: usize = 4;
/// See [`WORD_TIMES`].
const PHRASE_TIMES: usize = 3;
/// At most this many repeated words and phrases.
const MAX_REPEATED: usize = 5;

/// One 10-second stretch of the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Start, seconds from the start of the recording.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Words started in the window (hesitation sounds apart).
    pub words: usize,
    /// Words a minute of the speaking time inside the window; `None` under 3 s of it.
    pub words_per_minute: Option<f64>,
    /// Fillers started in the window.
    pub fillers: usize,
    /// Median pitch of its voiced frames, Hz.
    pub pitch_hz: Option<f64>,
    /// Median level of its voiced frames, dBFS.
    pub level_dbfs: Option<f64>,
}

/// A word or phrase said several times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeated {
    /// The words, lower case.
    pub text: String,
    /// How many times.
    pub count: usize,
}

/// Words too common to be a habit on their own (a phrase of only these counts only when it is one of
/// [`HABITS`]).
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had",
    "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "just", "me", "more", "my", "no", "not", "of", "on", "one", "or", "our", "out", "she", "so",
    "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "to", "up", "us", "very", "was", "we", "were", "what", "when", "which", "who", "will",
    "with", "would", "you", "your", "m", "s", "t", "re", "ve", "ll", "d", "n't", "got", "get",
    "go", "went", "like", "really", "because", "what's", "it's", "there's", "that's", "over",
    "now", "too", "much", "where", "why",
];

/// Phrases of stop words that are verbal habits all the same.
const HABITS: &[&str] = &[
    "i think",
    "i mean",
    "i guess",
    "you know",
    "kind of",
    "sort of",
    "i feel like",
    "at the end of",
    "to be honest",
    "a lot",
    "and then",
    "and so",
];

/// Splits the recording into 10-second windows from its start to the last word (or voiced frame).
/// `first` and `last` bound the speaking time.
pub fn windows(doc: &Doc, fillers: &[f64], frames: &[Frame], first: f64, last: f64) -> Vec<Window> {
    let words: Vec<f64> = doc
        .words
        .iter()
        .filter(|w| !(w.filler || crate::transcribe::fillers::is_filler(&w.text)))
        .filter_map(|w| w.start)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let n = (last / WINDOW_SECONDS).ceil().max(1.0) as usize;
    (0..n)
        .map(|k| {
            let start = k as f64 * WINDOW_SECONDS;
            let end = start + WINDOW_SECONDS;
            let inside = |t: f64| t >= start && (t < end || (k + 1 == n && t <= end));
            let count = words.iter().filter(|t| inside(**t)).count();
            let speaking = (end.min(last) - start.max(first)).max(0.0);
            let mut hz: Vec<f64> = Vec::new();
            let mut db: Vec<f64> = Vec::new();
            for f in frames.iter().filter(|f| f.time >= start && f.time < end) {
                if let Some(h) = f.hz {
                    hz.push(h);
                    db.push(f.dbfs);
                }
            }
            Window {
                start,
                end,
                words: count,
                words_per_minute: (speaking >= MIN_WINDOW_SPEAKING)
                    .then(|| (count as f64 * 60.0 / speaking).round()),
                fillers: fillers.iter().filter(|t| inside(**t)).count(),
                pitch_hz: median_of(&mut hz).map(|h| h.round()),
                level_dbfs: median_of(&mut db).map(|d| (d * 10.0).round() / 10.0),
            }
        })
        .collect()
}

/// A one-line chart of values, low to high in eight block heights; a gap (`None`) is a space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let known = values.iter().flatten();
    let lo = known.clone().copied().fold(f64::INFINITY, f64::min);
    let hi = known.copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-9 => BLOCKS[3],
            Some(x) => BLOCKS[(((x - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

fn ordinal(n: usize) -> String {
    const NAMES: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];
    NAMES
        .get(n)
        .map_or_else(|| format!("minute {}", n + 1), |s| (*s).to_string())
}

/// `m:ss`.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).floor() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The biggest change of pace between consecutive minutes (or halves, for a short answer), as a
/// sentence, when it is worth one.
pub fn pace_change(doc: &Doc, first: f64, last: f64) -> Option<String> {
    let speaking = last - first;
    if speaking < 30.0 {
        return None;
    }
    let (size, unit) = if speaking >= MINUTES_FROM {
        (60.0, "minute")
    } else {
        (speaking / 2.0, "half")
    };
    let words: Vec<f64> = doc
        .words
        .iter()
        .filter(|w| !(w.filler || crate::transcribe::fillers::is_filler(&w.text)))
        .filter_map(|w| w.start)
        .collect();
    let mut rates: Vec<f64> = Vec::new();
    let mut k = 0;
    loop {
        let a = first + k as f64 * size;
        let b = (a + size).min(last);
        if b - a < 20.0 {
            break;
        }
        let n = words
            .iter()
            .filter(|t| **t >= a && (**t < b || (b >= last && **t <= b)))
            .count();
        rates.push(n as f64 * 60.0 / (b - a));
        k += 1;
    }
    let (i, change) = rates
        .windows(2)
        .enumerate()
        .map(|(i, p)| (i + 1, p[1] - p[0]))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
    let before = rates[i - 1];
    if change.abs() < PACE_CHANGE.max(0.18 * before) {
        return None;
    }
    let verb = if change > 0.0 {
        "sped up"
    } else {
        "slowed down"
    };
    let when = if unit == "half" {
        "in the second half".to_string()
    } else {
        format!("in the {} minute", ordinal(i))
    };
    Some(format!(
        "You {verb} from {:.0} to {:.0} words a minute {when}.",
        before, rates[i]
    ))
}

/// Where most fillers came, as a sentence, when they bunch in one part of the answer.
pub fn filler_spread(fillers: &[f64], first: f64, last: f64) -> Option<String> {
    let n = fillers.len();
    let speaking = last - first;
    if n < MIN_FILLERS || speaking <= 0.0 {
        return None;
    }
    let mut times = fillers.to_vec();
    times.sort_by(f64::total_cmp);
    let most = (2 * n).div_ceil(3);
    let after = times[n - most];
    if (last - after) / speaking <= 0.5 {
        return Some(format!(
            "Most fillers ({most} of {n}) came after {}.",
            clock(after)
        ));
    }
    let before = times[most - 1];
    if (before - first) / speaking <= 0.5 {
        return Some(format!(
            "Most fillers ({most} of {n}) came before {}.",
            clock(before.ceil())
        ));
    }
    None
}

/// The words and phrases (up to three words) said most often, fillers and stop words apart.
pub fn repeated(doc: &Doc) -> Vec<Repeated> {
    // Runs of content tokens, split at sentence ends and at fillers.
    let mut runs: Vec<Vec<&str>> = vec![Vec::new()];
    for t in &doc.tokens {
        if matches!(t.mark, Some(Mark::Filler(_))) {
            runs.push(Vec::new());
            continue;
        }
        if let Some(run) = runs.last_mut() {
            run.push(t.norm.as_str());
        }
        if t.stop_after {
            runs.push(Vec::new());
        }
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for run in &runs {
        for n in 1..=3 {
            for gram in run.windows(n) {
                let stop = |w: &&str| STOP_WORDS.contains(w);
                let text = gram.join(" ");
                // A phrase counts when it is a habit, or when it neither starts nor ends on a stop
                // word ("the deadline" is the word "deadline").
                let keep = if n == 1 {
                    !stop(&gram[0]) && gram[0].len() > 2
                } else {
                    HABITS.contains(&text.as_str()) || !(stop(&gram[0]) || stop(&gram[n - 1]))
                };
                if keep {
                    *counts.entry(text).or_default() += 1;
                }
            }
        }
    }
    let mut list: Vec<Repeated> = counts
        .into_iter()
        .filter(|(text, count)| {
            let words = text.split(' ').count();
            *count >= if words == 1 { WORD_TIMES } else { PHRASE_TIMES }
        })
        .map(|(text, count)| Repeated { text, count })
        .collect();
    // A word or phrase inside a longer one said as often is that phrase.
    let longer = list.clone();
    list.retain(|r| {
        !longer.iter().any(|l| {
            l.count == r.count
                && l.text.len() > r.text.len()
                && format!(" {} ", l.text).contains(&format!(" {} ", r.text))
        })
    });
    list.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.text.len().cmp(&a.text.len()))
            .then(a.text.cmp(&b.text))
    });
    list.truncate(MAX_REPEATED);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::SourceWord;

    /// Words at a steady rate from `at`, `per_minute` a minute.
    fn spoken(text: &str, at: f64, per_minute: f64) -> Vec<SourceWord> {
        let step = 60.0 / per_minute;
        text.split_whitespace()
            .enumerate()
            .map(|(i, w)| SourceWord {
                text: w.to_string(),
                start: Some(at + i as f64 * step),
                end: Some(at + i as f64 * step + step * 0.8),
                filler: false,
            })
            .collect()
    }

    fn words(n: usize) -> String {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_speed_up_in_the_second_half_is_said() {
        let mut w = spoken(&words(60), 1.0, 120.0);
        w.extend(spoken(&words(90), 31.0, 180.0));
        let doc = Doc::new(w);
        let s = pace_change(&doc, 1.0, 61.0).unwrap();
        assert_eq!(
            s,
            "You sped up from 120 to 180 words a minute in the second half."
        );
    }

    #[test]
    fn a_sparkline_runs_low_to_high() {
        assert_eq!(
            sparkline(&[Some(100.0), None, Some(150.0), Some(200.0)]),
            "▁ ▅█"
        );
        assert_eq!(sparkline(&[Some(5.0), Some(5.0)]), "▄▄");
    }

    #[test]
    fn a_steady_pace_says_nothing() {
        let doc = Doc::new(spoken(&words(150), 0.0, 150.0));
        assert_eq!(pace_change(&doc, 0.0, 60.0), None);
    }

    #[test]
    fn minute_by_minute_for_a_long_answer() {
        let mut w = spoken(&words(130), 0.0, 130.0);
        w.extend(spoken(&words(185), 60.0, 185.0));
        let doc = Doc::new(w);
        let s = pace_change(&doc, 0.0, 120.0).unwrap();
        assert_eq!(
            s,
            "You sped up from 130 to 185 words a minute in the second minute."
        );
    }

    #[test]
    fn fillers_bunched_late_are_placed() {
        let s = filler_spread(&[10.0, 20.0, 70.5, 95.0, 100.0, 110.0], 0.0, 120.0).unwrap();
        assert_eq!(s, "Most fillers (4 of 6) came after 1:10.");
        assert_eq!(filler_spread(&[10.0, 40.0, 80.0, 110.0], 0.0, 120.0), None);
        assert_eq!(filler_spread(&[100.0, 110.0, 115.0], 0.0, 120.0), None);
    }

    #[test]
    fn windows_count_words_and_fillers() {
        let doc = Doc::new(spoken(&words(40), 0.0, 120.0));
        let w = windows(&doc, &[3.0, 12.0, 14.0], &[], 0.0, 20.0);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].words, 20);
        assert_eq!(w[0].words_per_minute, Some(120.0));
        assert_eq!((w[0].fillers, w[1].fillers), (1, 2));
    }

    #[test]
    fn repeated_phrases_skip_stop_words_but_keep_habits() {
        let doc = Doc::from_text(
            "I think the deadline moved. I think the team knew. I think we should have said so. \
             The deadline was the problem, the deadline and the scope, the deadline.",
        );
        let r = repeated(&doc);
        assert_eq!(
            r[0],
            Repeated {
                text: "deadline".into(),
                count: 4
            }
        );
        assert!(
            r.contains(&Repeated {
                text: "i think".into(),
                count: 3
            }),
            "{r:?}"
        );
        assert!(!r.iter().any(|x| x.text == "the"), "{r:?}");
    }
}
