//! Interviewer voice benchmark: how long until a question's first audio is ready with the neural voice
//! (Piper `joe`, sentence by sentence), what a cached replay costs, and espeak-ng for comparison.
//!
//! - **Load**: the voice model and ONNX Runtime, once per process (practice does it before the first
//!   question).
//! - **First audio**: from asking for a question's speech to its first sentence's samples, uncached
//!   (phonemes from espeak-ng's library, then the model), for each of the first 5 bank questions.
//! - **Whole question**: all its sentences, and the real-time factor (synthesis time over audio time).
//! - **Cached replay**: reading the question's WAV back from the cache.
//! - **espeak-ng**: the same questions, whole, through the `espeak-ng` command, uncached.
//!
//! Run: `cargo bench --bench voice`. It prints medians of 5; nothing is asserted. Playback start on a
//! real device is not included (cpal opens a stream in a few milliseconds).

use std::time::Instant;

use rehearse::audio::neural;
use rehearse::audio::voice::{self, VoiceOptions};
use rehearse::questions::Bank;
use rehearse::tts;

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use support::{machine, median};

const RUNS: usize = 5;

fn main() {
    println!("machine: {}", machine());
    let bank = Bank::shipped().expect("the shipped bank loads");
    let questions: Vec<&str> = bank
        .questions()
        .iter()
        .take(RUNS)
        .map(|q| q.text.as_str())
        .collect();
    let options = VoiceOptions::default();
    let started = Instant::now();
    let voice = tts::load(&options.voice, &rehearse::paths::models_dir())
        .expect("the neural voice is installed (`rehearse model download joe`)");
    println!(
        "load (voice model and ONNX Runtime, once per process): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    // One sentence first, so the figures below are not the first run's warm-up.
    voice
        .synthesize("Hello there.", options.rate_wpm)
        .expect("warm-up");

    let cache = tempfile::tempdir().expect("temporary folder");
    let mut first = Vec::new();
    let mut whole = Vec::new();
    let mut factor = Vec::new();
    for text in &questions {
        let started = Instant::now();
        let sentences = voice.stream(text, options.rate_wpm);
        let head = sentences.recv().expect("a sentence").expect("synthesis");
        let first_at = started.elapsed().as_secs_f64();
        let mut samples = head.len();
        for rest in sentences.iter() {
            samples += rest.expect("synthesis").len();
        }
        let all = started.elapsed().as_secs_f64();
        let audio = samples as f64 / f64::from(voice.sample_rate());
        println!(
            "  {:<60} first {:>4.0} ms, whole {:>4.0} ms for {audio:.1} s of speech",
            short(text),
            first_at * 1e3,
            all * 1e3
        );
        first.push(first_at);
        whole.push(all);
        factor.push(all / audio);
        neural::synthesize(&voice, cache.path(), text, &options).expect("cache write");
    }
    let mut replay = Vec::new();
    for text in &questions {
        let started = Instant::now();
        let speech = neural::cached(cache.path(), text, &options).expect("cached");
        replay.push(started.elapsed().as_secs_f64());
        assert!(!speech.samples.is_empty());
    }
    let espeak_options = VoiceOptions {
        voice: voice::ESPEAK.into(),
        ..VoiceOptions::default()
    };
    let mut espeak = Vec::new();
    for text in &questions {
        let dir = tempfile::tempdir().expect("temporary folder");
        let started = Instant::now();
        voice::synthesize_in(dir.path(), text, &espeak_options).expect("espeak-ng speaks");
        espeak.push(started.elapsed().as_secs_f64());
    }
    println!("medians of {RUNS} (one per question):");
    println!("  neural first audio: {:.0} ms", median(&mut first) * 1e3);
    println!(
        "  neural whole question: {:.0} ms",
        median(&mut whole) * 1e3
    );
    println!("  neural real-time factor: {:.3}", median(&mut factor));
    println!(
        "  cached replay (read the WAV): {:.2} ms",
        median(&mut replay) * 1e3
    );
    println!(
        "  espeak-ng whole question: {:.0} ms",
        median(&mut espeak) * 1e3
    );
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(58).collect();
    if text.chars().count() > 58 {
        out.push('…');
    }
    out
}
