//! A session's figures from its answers, and the trend over the last sessions.
//!
//! A question's score is its last answer's: a retry replaces the attempt before it, and a follow-up's
//! report covers the answer it follows. Speaking time adds up; words and fillers per minute are
//! weighted by speaking time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{SessionId, SessionSummary, StoredAnswer};

pub(crate) fn summarise(
    id: SessionId,
    started_at: i64,
    date: String,
    finished_at: Option<i64>,
    answers: &[&StoredAnswer],
) -> SessionSummary {
    let mut last_score: BTreeMap<&str, Option<u32>> = BTreeMap::new();
    for answer in answers {
        // A skipped answer (nothing said) has no score and does not replace an earlier attempt's.
        if answer.score.is_some() || !last_score.contains_key(answer.question_id.as_str()) {
            last_score.insert(&answer.question_id, answer.score);
        }
    }
    let skipped = answers
        .iter()
        .filter(|a| super::is_skipped(&a.report_json))
        .count() as u32;
    let scores: Vec<f64> = last_score
        .values()
        .filter_map(|s| s.map(f64::from))
        .collect();
    let score = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
    // Folded from 0.0: `sum` of no floats is -0.0, which prints as "-0.0".
    let speaking_seconds = answers
        .iter()
        .filter_map(|a| a.speaking_seconds)
        .fold(0.0, |total, s| total + s);
    let weighted = |rate: fn(&StoredAnswer) -> Option<f64>| {
        let (sum, weight) = answers.iter().fold((0.0, 0.0), |(sum, weight), a| {
            match (rate(a), a.speaking_seconds) {
                (Some(r), Some(s)) if s > 0.0 => (sum + r * s, weight + s),
                _ => (sum, weight),
            }
        });
        (weight > 0.0).then(|| sum / weight)
    };
    SessionSummary {
        id,
        started_at,
        date,
        finished_at,
        questions: last_score.len() as u32,
        answers: answers.len() as u32,
        skipped,
        score,
        speaking_seconds,
        words_per_minute: weighted(|a| a.words_per_minute),
        fillers_per_minute: weighted(|a| a.fillers_per_minute),
        vocal_variety_semitones: weighted(vocal_variety),
    }
}

/// The vocal variety an answer's report measured (reports before issue 12 have none).
fn vocal_variety(answer: &StoredAnswer) -> Option<f64> {
    serde_json::from_str::<serde_json::Value>(&answer.report_json)
        .ok()?
        .pointer("/delivery/voice/pitch/variety_semitones")?
        .as_f64()
}

/// One session's place in a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The session.
    pub id: SessionId,
    /// Its local start date.
    pub date: String,
    /// Its score.
    pub score: Option<f64>,
    /// Its fillers per minute.
    pub fillers_per_minute: Option<f64>,
    /// Its words per minute.
    pub words_per_minute: Option<f64>,
}

/// The change from the first to the last of the most recent sessions that have a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// How many sessions the trend spans.
    pub sessions: u32,
    /// The oldest of them.
    pub first: TrendPoint,
    /// The newest of them.
    pub last: TrendPoint,
    /// Last score minus first (positive is better).
    pub score_change: Option<f64>,
    /// Last fillers per minute minus first (negative is better).
    pub fillers_per_minute_change: Option<f64>,
    /// Every session in the span, oldest first (for charts).
    pub points: Vec<TrendPoint>,
}

impl Trend {
    /// The trend over the last `last_n` scored sessions; `None` with fewer than two.
    pub fn over(sessions: &[SessionSummary], last_n: usize) -> Option<Trend> {
        let scored: Vec<&SessionSummary> = sessions.iter().filter(|s| s.score.is_some()).collect();
        let span = &scored[scored.len().saturating_sub(last_n.max(2))..];
        if span.len() < 2 {
            return None;
        }
        let points: Vec<TrendPoint> = span
            .iter()
            .map(|s| TrendPoint {
                id: s.id,
                date: s.date.clone(),
                score: s.score,
                fillers_per_minute: s.fillers_per_minute,
                words_per_minute: s.words_per_minute,
            })
            .collect();
        let first = points[0].clone();
        let last = points[points.len() - 1].clone();
        let change = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
        Some(Trend {
            sessions: points.len() as u32,
            score_change: change(first.score, last.score),
            fillers_per_minute_change: change(first.fillers_per_minute, last.fillers_per_minute),
            first,
            last,
            points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::AnswerId;

    fn answer(question: &str, score: u32, seconds: f64, wpm: f64, fpm: f64) -> StoredAnswer {
        StoredAnswer {
            id: AnswerId(1),
            session: SessionId(1),
            position: 1,
            question_id: question.into(),
            question_text: String::new(),
            attempt: 1,
            follow_up_of: None,
            follow_up_check: None,
            recording: None,
            score: Some(score),
            speaking_seconds: Some(seconds),
            words_per_minute: Some(wpm),
            fillers_per_minute: Some(fpm),
            created_at: 0,
            report_json: String::new(),
        }
    }

    #[test]
    fn a_retry_replaces_the_score_and_rates_are_weighted_by_time() {
        let a = answer("failure", 40, 60.0, 120.0, 6.0);
        let b = answer("failure", 80, 30.0, 150.0, 0.0);
        let c = answer("weakness", 70, 30.0, 150.0, 2.0);
        let s = summarise(SessionId(1), 0, String::new(), None, &[&a, &b, &c]);
        assert_eq!(s.questions, 2);
        assert_eq!(s.answers, 3);
        assert_eq!(s.score, Some(75.0));
        assert_eq!(s.speaking_seconds, 120.0);
        assert_eq!(
            s.words_per_minute,
            Some((120.0 * 60.0 + 150.0 * 60.0) / 120.0)
        );
        assert_eq!(
            s.fillers_per_minute,
            Some((6.0 * 60.0 + 2.0 * 30.0) / 120.0)
        );
    }

    #[test]
    fn vocal_variety_is_weighted_by_time_over_answers_that_measured_it() {
        let mut a = answer("failure", 40, 60.0, 120.0, 6.0);
        a.report_json = r#"{"delivery": {"voice": {"pitch": {"variety_semitones": 3.0}}}}"#.into();
        let mut b = answer("weakness", 80, 30.0, 150.0, 0.0);
        b.report_json = r#"{"delivery": {"voice": {"pitch": {"variety_semitones": 1.5}}}}"#.into();
        let old = answer("conflict", 70, 30.0, 150.0, 2.0);
        let s = summarise(SessionId(1), 0, String::new(), None, &[&a, &b, &old]);
        assert_eq!(
            s.vocal_variety_semitones,
            Some((3.0 * 60.0 + 1.5 * 30.0) / 90.0)
        );
        let none = summarise(SessionId(1), 0, String::new(), None, &[&old]);
        assert_eq!(none.vocal_variety_semitones, None);
    }

    #[test]
    fn an_empty_session_has_no_score() {
        let s = summarise(SessionId(1), 0, String::new(), None, &[]);
        assert_eq!((s.questions, s.score, s.words_per_minute), (0, None, None));
        // Issue 15: a positive zero, so it never prints as "-0.0".
        assert!(s.speaking_seconds == 0.0 && s.speaking_seconds.is_sign_positive());
    }

    #[test]
    fn the_trend_spans_the_last_scored_sessions() {
        let mk = |id, score: Option<f64>, fpm| SessionSummary {
            id: SessionId(id),
            started_at: id,
            date: String::new(),
            finished_at: None,
            questions: 1,
            answers: 1,
            skipped: 0,
            score,
            speaking_seconds: 60.0,
            words_per_minute: Some(140.0),
            fillers_per_minute: Some(fpm),
            vocal_variety_semitones: None,
        };
        let sessions = vec![
            mk(1, Some(10.0), 9.0),
            mk(2, Some(50.0), 6.0),
            mk(3, None, 1.0),
            mk(4, Some(65.0), 2.5),
        ];
        let trend = Trend::over(&sessions, 2).unwrap();
        assert_eq!(
            (trend.first.id, trend.last.id),
            (SessionId(2), SessionId(4))
        );
        assert_eq!(trend.score_change, Some(15.0));
        assert_eq!(trend.fillers_per_minute_change, Some(-3.5));
        assert_eq!(Trend::over(&sessions, 10).unwrap().sessions, 3);
        assert!(Trend::over(&sessions[..1], 5).is_none());
    }
}
