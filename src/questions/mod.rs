//! The question bank: interview questions read from TOML (the shipped files in `prompts/`, embedded in
//! the binary, plus the user's own files in `<data_dir>/questions/`), checked before use.
//!
//! Parsing and checking are separate: [`parse_question`] turns one file's text into a [`Question`]
//! (serde with `deny_unknown_fields`, so a misspelt key is an error with its line), then
//! [`Question::validate`] checks what serde cannot (known check ids, sane thresholds).

mod bank;
pub mod roles;
mod schema;
pub mod shared;

pub use bank::{Bank, BankError, SHIPPED, read_question_file, user_questions_dir};
pub use schema::{CheckSpec, DeliveryThresholds, Question, TargetTime};

/// Parses and validates one question file. `source` names the file in errors.
pub fn parse_question(text: &str, source: &str) -> Result<Question, BankError> {
    let mut question: Question = toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        BankError::Parse {
            file: source.to_string(),
            line,
            column,
            message: err.message().trim().to_string(),
        }
    })?;
    question.source = source.to_string();
    question
        .validate()
        .map_err(|(needle, message)| BankError::Invalid {
            file: source.to_string(),
            line: needle.and_then(|n| line_of(text, &n)).unwrap_or(1),
            message,
        })?;
    Ok(question)
}

/// The 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The first line that mentions `needle` (for pointing at the key behind a validation error).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "demo"
text = "Tell me about a demo."
category = "behavioural"
time = { min = 30, ideal = 60, max = 90 }
roles = ["general"]
sources = ["https://example.org/advice"]

[[checks]]
id = "specific-story"
"#;

    #[test]
    fn parses_a_minimal_question_with_defaults() {
        let q = parse_question(MINIMAL, "demo.toml").unwrap();
        assert_eq!(q.id, "demo");
        assert_eq!(q.checks.len(), 1);
        assert_eq!(q.delivery.pace_pass, [110.0, 170.0]);
        assert_eq!(q.answer_length_warn(), [15.0, 135.0]);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = MINIMAL.replace("category", "categroy");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(err.contains("demo.toml") && err.contains("line 4"), "{err}");
    }

    #[test]
    fn unknown_check_id_names_its_line() {
        let text = MINIMAL.replace("specific-story", "no-such-check");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(
            err.contains("line 10") && err.contains("no-such-check"),
            "{err}"
        );
    }

    #[test]
    fn follow_up_for_unknown_check_is_rejected() {
        let text = format!("{MINIMAL}\n[follow_ups]\nnope = \"Why?\"\n");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn bad_time_order_is_rejected() {
        let text = MINIMAL.replace("min = 30", "min = 100");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(err.contains("time"), "{err}");
    }

    #[test]
    fn unknown_role_names_file_and_line() {
        let text = MINIMAL.replace("[\"general\"]", "[\"general\", \"nursing\"]");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(
            err.contains("demo.toml: line 6") && err.contains("unknown role `nursing`"),
            "{err}"
        );
        assert!(
            err.contains("nursing-care"),
            "the message lists the names: {err}"
        );
    }

    #[test]
    fn roles_are_required_and_not_empty() {
        let text = MINIMAL.replace("roles = [\"general\"]\n", "");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(err.contains("missing field `roles`"), "{err}");
        let text = MINIMAL.replace("[\"general\"]", "[]");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(
            err.contains("line 6") && err.contains("`roles` is empty"),
            "{err}"
        );
    }

    #[test]
    fn a_source_must_be_an_address() {
        let text = MINIMAL.replace("https://example.org/advice", "The Muse, 2023");
        let err = parse_question(&text, "demo.toml").unwrap_err().to_string();
        assert!(
            err.contains("line 7") && err.contains("not a web address"),
            "{err}"
        );
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        #[test]
        fn damaged_question_files_never_panic(text in crate::fuzz::mutated(MINIMAL, 8)) {
            if let Err(err) = parse_question(&text, "demo.toml") {
                let message = err.to_string();
                proptest::prop_assert!(message.contains("demo.toml"), "{}", message);
            }
        }

        #[test]
        fn damaged_shipped_questions_never_panic(
            text in crate::fuzz::mutated(include_str!("../../prompts/failure.toml"), 12),
        ) {
            let _ = parse_question(&text, "failure.toml");
        }
    }
}
