//! The allowed range of every number a user gives in seconds or words per minute (command-line
//! flags, question files, interview plans, `config.toml`), and the parsers that check it.
//!
//! Each number is bounded where it is parsed, so nothing later turns an absurd value into a panic
//! (`Duration::from_secs_f64(1e300)` panics) or an unbounded wait. The ranges are generous: an
//! hour-long answer, ten minutes of silence, a speaking rate espeak-ng accepts.

use std::time::Duration;

/// The longest answer any limit may allow, in seconds (one hour).
pub const MAX_ANSWER_SECONDS: f64 = 3600.0;

/// The longest silence that may end an answer, in seconds (ten minutes).
pub const MAX_SILENCE_SECONDS: f64 = 600.0;

/// The interviewer's slowest and fastest speaking rate, in words per minute (espeak-ng's range).
pub const RATE_WPM: (u32, u32) = (80, 450);

/// Parses `--max-seconds`: more than 0, at most [`MAX_ANSWER_SECONDS`].
pub fn answer_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value > 0.0 && value <= MAX_ANSWER_SECONDS => Ok(value),
        _ => Err(format!(
            "`{text}` is not a number of seconds from more than 0 to {MAX_ANSWER_SECONDS:.0} (an hour)"
        )),
    }
}

/// Parses `--stop-on-silence`: 0 (never) to [`MAX_SILENCE_SECONDS`].
pub fn silence_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if (0.0..=MAX_SILENCE_SECONDS).contains(&value) => Ok(value),
        _ => Err(format!(
            "`{text}` is not a number of seconds from 0 (never) to {MAX_SILENCE_SECONDS:.0}"
        )),
    }
}

/// A length of time in a file (a question's target times, a plan's limits) is more than 0 and at
/// most [`MAX_ANSWER_SECONDS`]; the error names the range.
pub fn check_file_seconds(value: f64, name: &str) -> Result<f64, String> {
    if value > 0.0 && value <= MAX_ANSWER_SECONDS {
        Ok(value)
    } else {
        Err(format!(
            "`{name}` must be a number of seconds from more than 0 to {MAX_ANSWER_SECONDS:.0}, not {value}"
        ))
    }
}

/// A speaking rate is within [`RATE_WPM`]; the error names the range.
pub fn check_rate(value: u32) -> Result<u32, String> {
    if (RATE_WPM.0..=RATE_WPM.1).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "`rate` must be {} to {} words per minute, not {value}",
            RATE_WPM.0, RATE_WPM.1
        ))
    }
}

/// Seconds as a [`Duration`], never panicking: negative or not a number is zero, too large is
/// the longest answer. The parsers above keep user numbers in range; this guards derived ones.
pub fn duration(seconds: f64) -> Duration {
    let bounded = if seconds.is_nan() {
        0.0
    } else {
        seconds.clamp(0.0, MAX_ANSWER_SECONDS * 2.0)
    };
    Duration::from_secs_f64(bounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_numbers_are_refused_with_the_range() {
        for text in [
            "1e300",
            "18446744073709551615",
            "-1",
            "nan",
            "inf",
            "0",
            "x",
        ] {
            let err = answer_seconds(text).unwrap_err();
            assert!(err.contains("3600"), "{err}");
        }
        for text in ["1e20", "-0.5", "NaN", "601"] {
            let err = silence_seconds(text).unwrap_err();
            assert!(err.contains("600"), "{err}");
        }
        assert_eq!(answer_seconds("90").unwrap(), 90.0);
        assert_eq!(silence_seconds("0").unwrap(), 0.0);
        assert!(
            check_file_seconds(1e300, "time.max")
                .unwrap_err()
                .contains("time.max")
        );
        assert!(check_rate(1).is_err() && check_rate(160).is_ok());
    }

    #[test]
    fn durations_never_panic() {
        for value in [f64::NAN, f64::INFINITY, -1.0, 1e300, f64::MAX] {
            assert!(duration(value) <= Duration::from_secs(7200));
        }
        assert_eq!(duration(1.5), Duration::from_millis(1500));
    }
}
