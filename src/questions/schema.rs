//! The shape of one question file (see `prompts/README.md`) and the checks serde cannot do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::checks::{CONTENT_CHECKS, DELIVERY_CHECKS};

/// One interview question with its rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Short stable id (`failure`), lower case with dashes.
    pub id: String,
    /// The words the interviewer says.
    pub text: String,
    /// A grouping for listings (`behavioural`, `background`, `motivation`).
    pub category: String,
    /// Target speaking time in seconds.
    pub time: TargetTime,
    /// Follow-up prompts keyed by the check they probe, asked when that check does not pass.
    #[serde(default)]
    pub follow_ups: BTreeMap<String, String>,
    /// The content checks that apply, in report order.
    pub checks: Vec<CheckSpec>,
    /// Delivery thresholds; every key is optional and defaults to the values in the README.
    #[serde(default)]
    pub delivery: DeliveryThresholds,
    /// Where the question came from (`prompts/failure.toml` or a user file path). Not read from TOML.
    #[serde(skip)]
    pub source: String,
}

/// Target speaking time in seconds: under `min` or over `max` is outside the pass band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTime {
    /// Shortest answer that passes.
    pub min: f64,
    /// What to aim for.
    pub ideal: f64,
    /// Longest answer that passes.
    pub max: f64,
}

/// One content check as a question uses it: its id, weight in the score and coaching messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// The check id, one of the ids in `prompts/README.md`.
    pub id: String,
    /// Weight within the content part of the score (default 1).
    #[serde(default = "one")]
    pub weight: f64,
    /// Message when the check passes (a default is used when absent).
    pub pass: Option<String>,
    /// Message when the check warns.
    pub warn: Option<String>,
    /// Message when the check fails.
    pub fail: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// Delivery thresholds, each overridable in a question's `[delivery]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryThresholds {
    /// Speaking seconds that warn rather than fail; default `[time.min / 2, time.max * 1.5]`.
    pub answer_length_warn: Option<[f64; 2]>,
    /// Words per minute that pass.
    pub pace_pass: [f64; 2],
    /// Words per minute that warn (outside fails).
    pub pace_warn: [f64; 2],
    /// Fillers per minute that still pass.
    pub fillers_pass: f64,
    /// Fillers per minute that still warn (above fails).
    pub fillers_warn: f64,
    /// A pause this long (seconds) or longer counts for the `long-pauses` check.
    pub long_pause_seconds: f64,
    /// Number of such pauses that still passes.
    pub long_pauses_pass: u32,
    /// Number of such pauses that still warns (more fails).
    pub long_pauses_warn: u32,
    /// Start latency (seconds) above which the check warns.
    pub start_latency_warn: f64,
    /// Start latency (seconds) above which the check fails.
    pub start_latency_fail: f64,
}

impl Default for DeliveryThresholds {
    fn default() -> Self {
        DeliveryThresholds {
            answer_length_warn: None,
            pace_pass: [110.0, 170.0],
            pace_warn: [90.0, 190.0],
            fillers_pass: 2.0,
            fillers_warn: 5.0,
            long_pause_seconds: 3.0,
            long_pauses_pass: 0,
            long_pauses_warn: 1,
            start_latency_warn: 5.0,
            start_latency_fail: 10.0,
        }
    }
}

impl Question {
    /// The speaking-time band that warns: the `[delivery]` override or half the minimum to one and a
    /// half times the maximum.
    pub fn answer_length_warn(&self) -> [f64; 2] {
        self.delivery
            .answer_length_warn
            .unwrap_or([self.time.min / 2.0, self.time.max * 1.5])
    }

    /// The follow-up prompt for a check, when the question has one.
    pub fn follow_up(&self, check_id: &str) -> Option<&str> {
        self.follow_ups.get(check_id).map(String::as_str)
    }

    /// Checks what serde cannot. On error returns a word to find the line by, and the message.
    pub(crate) fn validate(&self) -> Result<(), (Option<String>, String)> {
        let valid_id = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            return Err((
                Some("id".into()),
                format!(
                    "question id `{}` must be lower case letters, digits and dashes",
                    self.id
                ),
            ));
        }
        if self.text.trim().is_empty() {
            return Err((
                Some("text".into()),
                "`text` (the words the interviewer says) is empty".into(),
            ));
        }
        let t = self.time;
        if !(t.min > 0.0 && t.min <= t.ideal && t.ideal <= t.max) {
            return Err((
                Some("time".into()),
                "`time` needs 0 < min <= ideal <= max (seconds)".into(),
            ));
        }
        if self.checks.is_empty() {
            return Err((
                Some("id".into()),
                "a question needs at least one `[[checks]]` entry".into(),
            ));
        }
        let mut seen = Vec::new();
        for check in &self.checks {
            if !CONTENT_CHECKS.contains(&check.id.as_str()) {
                return Err((
                    Some(format!("\"{}\"", check.id)),
                    format!(
                        "unknown check `{}`; known checks: {}",
                        check.id,
                        CONTENT_CHECKS.join(", ")
                    ),
                ));
            }
            if seen.contains(&check.id) {
                return Err((
                    Some(format!("\"{}\"", check.id)),
                    format!("check `{}` is listed twice", check.id),
                ));
            }
            if !(check.weight.is_finite() && check.weight >= 0.0) {
                return Err((
                    Some("weight".into()),
                    format!("check `{}` has a negative weight", check.id),
                ));
            }
            seen.push(check.id.clone());
        }
        for key in self.follow_ups.keys() {
            if !CONTENT_CHECKS.contains(&key.as_str()) && !DELIVERY_CHECKS.contains(&key.as_str()) {
                return Err((
                    Some(key.clone()),
                    format!("follow-up for unknown check `{key}`"),
                ));
            }
        }
        let d = &self.delivery;
        let ordered = |r: [f64; 2]| r[0] <= r[1];
        let lw = self.answer_length_warn();
        if !(ordered(d.pace_pass) && ordered(d.pace_warn) && ordered(lw))
            || d.fillers_pass > d.fillers_warn
            || d.long_pauses_pass > d.long_pauses_warn
            || d.start_latency_warn > d.start_latency_fail
        {
            return Err((
                Some("[delivery]".into()),
                "`[delivery]` thresholds must be ordered (low before high, pass before warn before fail)".into(),
            ));
        }
        Ok(())
    }
}
