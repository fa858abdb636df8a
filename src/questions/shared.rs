//! The shared content checks (`prompts/checks.toml`): each check id's rules over the reading's tags
//! and its default messages, used by every question that lists the id without rules of its own.

use std::sync::LazyLock;

use serde::Deserialize;

use super::CheckSpec;
use crate::analysis::reading::tags;
use crate::analysis::rubric;

/// The shared checks file, built into the binary.
pub const SHARED_CHECKS: &str = include_str!("../../prompts/checks.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    check: Vec<CheckSpec>,
}

static SHARED: LazyLock<Result<Vec<CheckSpec>, String>> = LazyLock::new(|| parse(SHARED_CHECKS));

/// Parses a shared checks file; the error names the check and what is wrong.
pub fn parse(text: &str) -> Result<Vec<CheckSpec>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.message().trim().to_string())?;
    let mut checks = file.check;
    for check in &mut checks {
        check.parsed = rubric::parse_rules(&check.rules, &tags::known)
            .map_err(|e| format!("check `{}`: {e}", check.id))?;
    }
    Ok(checks)
}

/// The shared checks, or why the shipped file is broken.
pub fn shared() -> Result<&'static [CheckSpec], &'static str> {
    SHARED.as_deref().map_err(String::as_str)
}

/// The shared check with this id.
pub fn get(id: &str) -> Option<&'static CheckSpec> {
    shared().ok()?.iter().find(|c| c.id == id)
}

/// The shared check ids, for error messages and listings.
pub fn ids() -> Vec<&'static str> {
    shared()
        .map(|s| s.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checks_parse_and_keep_their_ids() {
        let ids = ids();
        for id in [
            "admits-failure",
            "specific-story",
            "workplace-story",
            "what-went-wrong",
            "turnaround-or-lesson",
            "lesson-applied",
            "not-too-severe",
            "personal-boundaries",
            "resilient-tone",
            "own-actions",
            "result",
            "real-weakness",
            "improvement-steps",
            "role-fit",
            "motivation",
            "respectful-tone",
            "led-others",
            "career-arc",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert!(shared().unwrap().iter().all(|c| !c.parsed.is_empty()));
    }
}
