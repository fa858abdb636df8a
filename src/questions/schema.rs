//! The shape of one question file (see `prompts/README.md`) and the checks serde cannot do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::checks::DELIVERY_CHECKS;
use crate::analysis::reading::tags;
use crate::analysis::rubric;

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
    /// The role sets this question belongs to (names from [`super::roles::ROLES`]); at least one.
    pub roles: Vec<String>,
    /// Where the advice behind its checks is published: web addresses only, no copied text.
    #[serde(default)]
    pub sources: Vec<String>,
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
    /// The longest an answer may be in this session, when an interview plan sets it (seconds). Not
    /// read from a question file.
    #[serde(skip)]
    pub limit_seconds: Option<f64>,
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
    /// The rubric: ordered rules `OUTCOME [if CONDITION] [(quote TAG, ...)]` over the reading's tags
    /// (see `analysis::rubric`). Absent for a shared check, which takes the rules of
    /// `prompts/checks.toml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// A talking point: sentences that say what the answer should say, matched by meaning. A check
    /// with examples passes when some clause of the answer means what one of them means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examples: Option<Vec<String>>,
    /// For a talking point: the similarity (cosine, 0 to 1) at which a clause matches an example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// The parsed rules (from `rules`, or the shared check's). Not read from TOML.
    #[serde(skip)]
    pub parsed: Vec<crate::analysis::rubric::Rule>,
}

impl CheckSpec {
    /// Whether this check is a talking point defined by example sentences.
    pub fn is_talking_point(&self) -> bool {
        self.examples.is_some()
    }
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
    /// Vocal variety (standard deviation of pitch, semitones) that passes.
    pub vocal_variety_pass: f64,
    /// Vocal variety that still warns (below fails: a monotone).
    pub vocal_variety_warn: f64,
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
            vocal_variety_pass: 1.8,
            vocal_variety_warn: 1.0,
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
    pub(crate) fn validate(&mut self) -> Result<(), (Option<String>, String)> {
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
        for (value, name) in [
            (t.min, "time.min"),
            (t.ideal, "time.ideal"),
            (t.max, "time.max"),
        ] {
            crate::limits::check_file_seconds(value, name).map_err(|e| (Some("time".into()), e))?;
        }
        if !(t.min > 0.0 && t.min <= t.ideal && t.ideal <= t.max) {
            return Err((
                Some("time".into()),
                "`time` needs 0 < min <= ideal <= max (seconds)".into(),
            ));
        }
        self.validate_roles_and_sources()?;
        if self.checks.is_empty() {
            return Err((
                Some("id".into()),
                "a question needs at least one `[[checks]]` entry".into(),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for check in &mut self.checks {
            resolve_check(check)?;
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
            if !seen.contains(key) && !DELIVERY_CHECKS.contains(&key.as_str()) {
                return Err((
                    Some(key.clone()),
                    format!("follow-up for `{key}`, which is not one of this question's checks"),
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
            || d.vocal_variety_warn > d.vocal_variety_pass
        {
            return Err((
                Some("[delivery]".into()),
                "`[delivery]` thresholds must be ordered (low before high, pass before warn before fail)".into(),
            ));
        }
        Ok(())
    }
}

impl Question {
    fn validate_roles_and_sources(&self) -> Result<(), (Option<String>, String)> {
        if self.roles.is_empty() {
            return Err((
                Some("roles".into()),
                format!(
                    "`roles` is empty; name at least one role set: {}",
                    super::roles::names().join(", ")
                ),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for role in &self.roles {
            if super::roles::get(role).is_none() {
                return Err((
                    Some(format!("\"{role}\"")),
                    format!(
                        "unknown role `{role}`; use one of: {}",
                        super::roles::names().join(", ")
                    ),
                ));
            }
            if seen.contains(&role.as_str()) {
                return Err((
                    Some(format!("\"{role}\"")),
                    format!("role `{role}` is listed twice"),
                ));
            }
            seen.push(role);
        }
        for source in &self.sources {
            let address = source.starts_with("https://") || source.starts_with("http://");
            if !address || source.contains(char::is_whitespace) {
                return Err((
                    Some("sources".into()),
                    format!(
                        "source `{source}` is not a web address; `sources` lists addresses (https://...) only"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Gives a check its rules: its own (parsed), a talking point's (none needed), or the shared
/// check's of the same id, whose messages fill in those the question does not give.
fn resolve_check(check: &mut CheckSpec) -> Result<(), (Option<String>, String)> {
    let valid_id = !check.id.is_empty()
        && check
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        return Err((
            Some(format!("\"{}\"", check.id)),
            format!(
                "check id `{}` must be lower case letters, digits and dashes",
                check.id
            ),
        ));
    }
    if let Some(examples) = &check.examples {
        if !check.rules.is_empty() {
            return Err((
                Some("examples".into()),
                format!(
                    "check `{}` has both `rules` and `examples`; a talking point has only examples",
                    check.id
                ),
            ));
        }
        if examples.is_empty() || examples.iter().any(|e| e.trim().is_empty()) {
            return Err((
                Some("examples".into()),
                format!(
                    "talking point `{}` needs at least one example sentence, and none empty",
                    check.id
                ),
            ));
        }
        if let Some(s) = check.similarity
            && !(s > 0.0 && s <= 1.0)
        {
            return Err((
                Some("similarity".into()),
                format!(
                    "`similarity` of `{}` must be above 0 and at most 1",
                    check.id
                ),
            ));
        }
        return Ok(());
    }
    if check.similarity.is_some() {
        return Err((
            Some("similarity".into()),
            format!(
                "`similarity` belongs to a talking point (a check with `examples`); `{}` has none",
                check.id
            ),
        ));
    }
    if !check.rules.is_empty() {
        check.parsed = rubric::parse_rules(&check.rules, &tags::known).map_err(|e| {
            let needle = check
                .rules
                .iter()
                .find(|r| e.0.contains(r.as_str()))
                .map_or_else(|| "rules".to_string(), |r| r.clone());
            (Some(needle), format!("check `{}`: {e}", check.id))
        })?;
        return Ok(());
    }
    let shared =
        super::shared::shared().map_err(|e| (None, format!("prompts/checks.toml: {e}")))?;
    let Some(base) = shared.iter().find(|c| c.id == check.id) else {
        return Err((
            Some(format!("\"{}\"", check.id)),
            format!(
                "unknown check `{}`: give it `rules` or `examples`, or use a shared check: {}",
                check.id,
                super::shared::ids().join(", ")
            ),
        ));
    };
    check.parsed = base.parsed.clone();
    check.rules = base.rules.clone();
    check.pass = check.pass.take().or_else(|| base.pass.clone());
    check.warn = check.warn.take().or_else(|| base.warn.clone());
    check.fail = check.fail.take().or_else(|| base.fail.clone());
    Ok(())
}
