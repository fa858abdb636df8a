//! How the answer sounded (issue 12), through `rehearse analyze AUDIO` with the real model: espeak-ng
//! speech with no intonation is flagged as a monotone and lively speech is not; an answer that starts
//! slow and ends fast shows the speed-up in its windows and its report.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::harness::Rehearse;

/// An answer to "Have you ever failed?" written for these tests.
const FIRST: &str = "Two years ago I ran the move of our billing system to a new provider. I promised the \
finance team a launch date before the engineers had estimated the work, and I did not check the \
contract deadlines with legal. We launched three weeks late and finance had to send invoices by hand.";
const SECOND: &str = "I told my manager the same day and owned the mistake. I apologised to finance, set up \
weekly check ins and we agreed on a new plan together. Since then I never commit to a date until the team \
has estimated it, and every project this year has shipped on time.";

/// Speaks SSML with espeak-ng at a rate (words a minute) into `dir`.
fn speak_ssml(dir: &Path, name: &str, rate: u32, ssml: &str) -> PathBuf {
    let wav = dir.join(format!("{name}.wav"));
    let status = Command::new("espeak-ng")
        .args(["-m", "-s", &rate.to_string(), "-w"])
        .arg(&wav)
        .arg(ssml)
        .status()
        .expect("run espeak-ng");
    assert!(status.success());
    wav
}

/// `rehearse analyze --json` of a recording of the failure question.
fn analyze(wav: &Path) -> Value {
    let out = Rehearse::new()
        .args(["analyze", "--question", "failure", "--json"])
        .arg(wav)
        .run()
        .success();
    serde_json::from_str(&out).unwrap()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[test]
fn a_flat_espeak_answer_is_monotone_and_a_lively_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{FIRST} {SECOND}");
    // espeak-ng's SSML pitch range: 0 takes the intonation out, x-high is its widest.
    let flat = speak_ssml(
        dir.path(),
        "flat",
        150,
        &format!(r#"<speak><prosody range="0">{text}</prosody></speak>"#),
    );
    let lively = speak_ssml(
        dir.path(),
        "lively",
        150,
        &format!(r#"<speak><prosody range="x-high">{text}</prosody></speak>"#),
    );
    let flat = analyze(&flat);
    let lively = analyze(&lively);
    let variety = |r: &Value| {
        r["delivery"]["voice"]["pitch"]["variety_semitones"]
            .as_f64()
            .unwrap()
    };
    eprintln!(
        "flat: {} ({})\nlively: {} ({})",
        flat["delivery"]["voice"],
        check(&flat, "vocal-variety")["message"],
        lively["delivery"]["voice"],
        check(&lively, "vocal-variety")["message"]
    );
    assert_eq!(check(&flat, "vocal-variety")["outcome"], "fail");
    assert_eq!(check(&lively, "vocal-variety")["outcome"], "pass");
    assert!(variety(&flat) < 0.5, "flat variety {}", variety(&flat));
    // The same voice, so the median pitch stays within a few semitones.
    let median = |r: &Value| {
        r["delivery"]["voice"]["pitch"]["median_hz"]
            .as_f64()
            .unwrap()
    };
    let apart = 12.0 * (median(&lively) / median(&flat)).log2();
    assert!(apart.abs() < 5.0, "medians {apart:.1} semitones apart");
    // A clean synthetic recording: no level warnings.
    assert_eq!(
        flat["delivery"]["voice"]["loudness"]["warnings"],
        Value::Array(Vec::new())
    );
}

/// Joins 16 kHz WAVs end to end with half a second of silence between.
fn join(parts: &[PathBuf], out: &Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(out, spec).unwrap();
    for part in parts {
        let audio = rehearse::audio::decode::read_wav(part).unwrap();
        for s in audio.samples.iter().chain(std::iter::repeat_n(&0.0, 8_000)) {
            w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

#[test]
fn a_slow_then_fast_answer_shows_the_speed_up() {
    let dir = tempfile::tempdir().unwrap();
    let slow = speak_ssml(dir.path(), "slow", 100, &format!("<speak>{FIRST}</speak>"));
    let fast = speak_ssml(
        dir.path(),
        "fast",
        230,
        &format!("<speak>{SECOND} {FIRST}</speak>"),
    );
    let joined = dir.path().join("joined.wav");
    join(&[slow, fast], &joined);
    let report = analyze(&joined);
    let d = &report["delivery"];
    let notes: Vec<&str> = d["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let rates: Vec<f64> = d["windows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["words_per_minute"].as_f64())
        .collect();
    eprintln!("notes: {notes:?}\nwindow rates: {rates:?}");
    let sped = notes
        .iter()
        .find(|n| n.starts_with("You sped up from"))
        .unwrap_or_else(|| panic!("no speed-up in {notes:?}"));
    // "You sped up from A to B words a minute in the second half."
    let figures: Vec<f64> = sped.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert!(
        figures[1] > figures[0] * 1.5,
        "{sped}: espeak-ng at 100 then 230"
    );
    assert!(rates.len() >= 4, "{rates:?}");
    assert!(
        rates[rates.len() - 2] > rates[0] * 1.5,
        "windows do not show the change: {rates:?}"
    );
    // The text report says it too.
    let text = Rehearse::new()
        .args(["analyze", "--question", "failure"])
        .arg(&joined)
        .run()
        .success();
    assert!(text.contains(sped), "{text}");
}
