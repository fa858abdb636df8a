//! A lenient reading of a stored report (the JSON of `rehearse analyze --json`, issue 3's shape).
//!
//! Review works from the JSON contract alone: every field is optional and unknown fields are
//! ignored, so reports from older or newer builds still show what they have.

use serde::{Deserialize, Deserializer};

/// `null` and a missing field both become the default.
fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A whole report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportView {
    /// The question answered.
    #[serde(deserialize_with = "null_default")]
    pub question: QuestionView,
    /// What was said.
    #[serde(deserialize_with = "null_default")]
    pub transcript: TranscriptView,
    /// Delivery figures; `None` for a written answer.
    pub delivery: Option<DeliveryView>,
    /// The checks, content and delivery.
    #[serde(deserialize_with = "null_default")]
    pub checks: Vec<CheckView>,
    /// 0 to 100.
    pub score: Option<f64>,
}

/// The question's id and words.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QuestionView {
    /// Its id in the bank.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// The words the interviewer said.
    #[serde(deserialize_with = "null_default")]
    pub text: String,
}

/// The transcript.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TranscriptView {
    /// The running text.
    #[serde(deserialize_with = "null_default")]
    pub text: String,
    /// The words with times; empty for a written answer.
    #[serde(deserialize_with = "null_default")]
    pub words: Vec<WordView>,
}

/// One word.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WordView {
    /// The word as written.
    #[serde(deserialize_with = "null_default")]
    pub text: String,
    /// Start in seconds from the start of the recording.
    pub start: Option<f64>,
    /// End in seconds.
    pub end: Option<f64>,
    /// A hesitation sound (um, uh, ...).
    #[serde(deserialize_with = "null_default")]
    pub filler: bool,
}

/// Delivery figures.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryView {
    /// First word to last, seconds.
    pub speaking_seconds: Option<f64>,
    /// Answer start to first word, seconds.
    pub start_latency_seconds: Option<f64>,
    /// Words per minute.
    pub words_per_minute: Option<f64>,
    /// Fillers found (context-aware ones included).
    #[serde(deserialize_with = "null_default")]
    pub fillers: FillersView,
    /// Silent gaps between words.
    #[serde(deserialize_with = "null_default")]
    pub pauses: PausesView,
    /// Stretches heard as speech that no word covers (often a dropped filler).
    #[serde(deserialize_with = "null_default")]
    pub untranscribed_sounds: Vec<SpanView>,
    /// 10-second windows of pace, fillers and pitch (issue 12; absent in older reports).
    #[serde(deserialize_with = "null_default")]
    pub windows: Vec<WindowView>,
}

/// One 10-second window of the answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WindowView {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Words a minute, when the window held enough speech.
    pub words_per_minute: Option<f64>,
    /// Fillers started in it.
    pub fillers: Option<u64>,
    /// Median pitch, Hz.
    pub pitch_hz: Option<f64>,
}

/// Fillers found.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FillersView {
    /// How many.
    pub count: Option<u64>,
    /// Per minute of speaking.
    pub per_minute: Option<f64>,
    /// Each one with its start.
    #[serde(deserialize_with = "null_default")]
    pub items: Vec<FillerView>,
}

/// One filler (it may span words: "you know").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FillerView {
    /// The words.
    #[serde(deserialize_with = "null_default")]
    pub text: String,
    /// Its start in seconds.
    pub start: Option<f64>,
}

/// Pauses found.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PausesView {
    /// Each pause of at least 0.5 s.
    #[serde(deserialize_with = "null_default")]
    pub items: Vec<SpanView>,
    /// The longest, seconds.
    pub longest_seconds: Option<f64>,
}

/// A stretch of time.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct SpanView {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// One check's outcome.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CheckView {
    /// The check's id (`admits-failure`).
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// `pass`, `warn`, `fail` or `skipped`.
    #[serde(deserialize_with = "null_default")]
    pub outcome: String,
    /// The coaching sentence.
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Quotes from the answer.
    #[serde(deserialize_with = "null_default")]
    pub evidence: Vec<EvidenceView>,
}

/// A quote with its time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EvidenceView {
    /// The quoted words.
    #[serde(deserialize_with = "null_default")]
    pub quote: String,
    /// When they were said, seconds.
    pub start: Option<f64>,
}

impl ReportView {
    /// Reads a stored report.
    pub fn parse(json: &str) -> Result<ReportView, serde_json::Error> {
        serde_json::from_str(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_shape_reads_whole() {
        let json = r#"{"question": {"id": "failure", "text": "Have you ever failed at anything?"},
         "transcript": {"text": "um I missed", "words": [{"text": "um", "start": 1.2, "end": 1.4, "filler": true}]},
         "delivery": {"speaking_seconds": 84.2, "start_latency_seconds": 0.8, "words": 212,
                      "words_per_minute": 151.0,
                      "fillers": {"count": 7, "per_minute": 5.0, "items": [{"text": "um", "start": 3.2}]},
                      "pauses": {"count": 4, "long_count": 1, "longest_seconds": 2.8,
                                 "items": [{"start": 10.1, "end": 12.9}]},
                      "untranscribed_sounds": [{"start": 20.0, "end": 20.4}]},
         "checks": [{"id": "admits-failure", "outcome": "pass", "message": "Good.",
                     "evidence": [{"quote": "I missed the deadline", "start": 12.4}]}],
         "score": 82}"#;
        let r = ReportView::parse(json).unwrap();
        assert_eq!(r.question.id, "failure");
        assert!(r.transcript.words[0].filler);
        let d = r.delivery.unwrap();
        assert_eq!(d.fillers.per_minute, Some(5.0));
        assert_eq!(d.pauses.items[0].end, 12.9);
        assert_eq!(d.untranscribed_sounds[0].start, 20.0);
        assert_eq!(r.checks[0].evidence[0].start, Some(12.4));
        assert_eq!(r.score, Some(82.0));
    }

    #[test]
    fn nulls_and_missing_fields_are_tolerated() {
        let r = ReportView::parse(
            r#"{"question": null, "transcript": {"text": "hi", "words": null}, "delivery": null,
                "checks": [{"id": "pace", "outcome": "skipped", "evidence": null, "extra": 1}]}"#,
        )
        .unwrap();
        assert!(r.delivery.is_none() && r.score.is_none() && r.transcript.words.is_empty());
        assert_eq!(r.checks[0].outcome, "skipped");
        assert!(ReportView::parse("{}").is_ok());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        #[test]
        fn damaged_stored_reports_never_panic(text in crate::fuzz::mutated(
            r#"{"question": {"id": "failure", "text": "Have you ever failed?"},
             "transcript": {"text": "um I missed", "words": [{"text": "um", "start": 1.2, "end": 1.4, "filler": true}]},
             "delivery": {"speaking_seconds": 84.2, "words": 212, "words_per_minute": 151.0,
                          "fillers": {"count": 7, "per_minute": 5.0, "items": [{"text": "um", "start": 3.2}]},
                          "pauses": {"count": 1, "long_count": 1, "longest_seconds": 2.8,
                                     "items": [{"start": 10.1, "end": 12.9}]}},
             "checks": [{"id": "admits-failure", "outcome": "pass", "message": "Good.",
                         "evidence": [{"quote": "I missed", "start": 12.4}]}],
             "score": 82}"#, 10,
        )) {
            let _ = ReportView::parse(&text);
            let _ = crate::history::NewAnswer::from_report(text);
        }
    }
}
