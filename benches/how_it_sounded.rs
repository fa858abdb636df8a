//! How the answer sounded (issue 12) on a two-minute answer: the pitch and level track, and the
//! delivery figures built on it (voice figures, 10-second windows, notes, repeated phrases).
//!
//! `cargo bench --bench how_it_sounded` prints, median of 7 runs each:
//! - track, whole: the pitch and level of all two minutes at once, after the answer;
//! - track, as it arrives: the cost left after the last 100 ms chunk when the tracker was fed while
//!   the answer was spoken (the last chunk and the octave pass over the whole track);
//! - delivery: `delivery::measure` with the track (everything of issue 12 included) on 300 timed words.
//!
//! The answer is espeak-ng speech of about two minutes, synthesised once into a temporary folder.

use std::process::Command;
use std::time::Instant;

use rehearse::analysis::delivery;
use rehearse::analysis::text::{Doc, SourceWord};
use rehearse::audio::pitch::{self, PitchTracker};

const RUNS: usize = 7;
/// Samples per chunk as practice delivers them (100 ms).
const CHUNK: usize = 1_600;

const TEXT: &str = "Two years ago I ran the move of our billing system to a new provider. I promised the \
finance team a launch date before the engineers had estimated the work, and I did not check the contract \
deadlines with legal. We launched three weeks late and finance had to send invoices by hand. I told my \
manager the same day and owned the mistake. I apologised to finance, set up weekly check ins and we agreed \
on a new plan together. Since then I never commit to a date until the team has estimated it.";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let wav = dir.path().join("answer.wav");
    let text = format!("{TEXT} {TEXT} {TEXT} {TEXT}");
    let status = Command::new("espeak-ng")
        .args(["-s", "150", "-w"])
        .arg(&wav)
        .arg(&text)
        .status()?;
    anyhow::ensure!(status.success(), "espeak-ng failed");
    let audio = rehearse::audio::decode::read_wav(&wav)?;
    let samples = audio.samples;
    let seconds = samples.len() as f64 / 16_000.0;

    let whole: Vec<f64> = (0..RUNS)
        .map(|_| {
            ms(|| {
                std::hint::black_box(pitch::track(&samples));
            })
        })
        .collect();
    let tail: Vec<f64> = (0..RUNS)
        .map(|_| {
            let mut t = PitchTracker::new();
            let chunks: Vec<&[f32]> = samples.chunks(CHUNK).collect();
            let (last, before) = chunks.split_last().unwrap();
            for c in before {
                t.push(c);
            }
            ms(|| {
                t.push(last);
                std::hint::black_box(t.finish());
            })
        })
        .collect();

    // 300 words spread evenly over the speech, some of them fillers.
    let track = pitch::track(&samples);
    let words: Vec<SourceWord> = text
        .split_whitespace()
        .cycle()
        .take(300)
        .enumerate()
        .map(|(i, w)| {
            let start = 0.2 + i as f64 * (seconds - 0.5) / 300.0;
            SourceWord {
                text: if i % 37 == 0 { "um,".into() } else { w.into() },
                start: Some(start),
                end: Some(start + 0.3),
                filler: i % 37 == 0,
            }
        })
        .collect();
    let doc = Doc::new(words);
    let spans: Vec<delivery::Span> = rehearse::audio::vad::speech_spans(&samples)
        .into_iter()
        .map(|s| delivery::Span {
            start: s.start,
            end: s.end,
        })
        .collect();
    let measure: Vec<f64> = (0..RUNS)
        .map(|_| {
            ms(|| {
                std::hint::black_box(delivery::measure(&doc, Some(&spans), Some(&track)));
            })
        })
        .collect();
    let frames = track.frames.len();
    println!("voice analysis of a {seconds:.0} s answer ({frames} frames), median of {RUNS} runs:");
    println!("  track, whole:          {:.1} ms", median(whole));
    println!(
        "  track, as it arrives:  {:.1} ms after the last chunk",
        median(tail)
    );
    println!("  delivery with voice:   {:.1} ms", median(measure));
    Ok(())
}
