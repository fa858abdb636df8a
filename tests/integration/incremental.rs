//! Incremental transcription (stretches cut at pauses and transcribed while the answer goes on) must
//! give the same words as whole-file transcription: word error rate within one point, and the same
//! number of fillers within one, on the shared real speech and on long synthesized answers.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use rehearse::audio::decode;
use rehearse::transcribe::Transcriber;
use rehearse::transcribe::accuracy::{self, Comparison};
use rehearse::transcribe::incremental::IncrementalTranscriber;
use rehearse::transcript::Transcript;

fn transcriber() -> Arc<Transcriber> {
    static MODEL: OnceLock<Arc<Transcriber>> = OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(Transcriber::load(None).expect("the default model is installed")))
        .clone()
}

/// Feeds the samples in 100 ms pieces, as the recorder does.
fn incrementally(samples: &[f32]) -> (Transcript, usize) {
    let mut inc = IncrementalTranscriber::start(transcriber());
    for chunk in samples.chunks(1_600) {
        inc.push(chunk);
    }
    let stretches = inc.stretches_sent() + 1;
    (inc.finish().unwrap(), stretches)
}

fn fillers(t: &Transcript) -> usize {
    t.words.iter().filter(|w| w.filler).count()
}

/// Long answers in a candidate's words, with hesitations written out.
const LONG_ANSWERS: [&str; 2] = [
    "Yes, um, I have. In my second year as a data analyst at a logistics company, I was asked to build the \
     quarterly forecast that the operations team used to plan staffing for the holiday season. I was \
     confident, maybe a little too confident, and I skipped the step of checking my assumptions with the \
     warehouse managers. I assumed that the volume growth from the previous year would simply continue. \
     Uh, it did not. A large client moved part of its business to another carrier, and my forecast was off \
     by almost twenty percent. We had too many temporary workers booked for the first two weeks, which cost \
     the company money and, honestly, cost me some credibility with my manager. I owned it. I went to my \
     manager the same day, explained what I had missed, and proposed a fix. I rebuilt the model with the \
     client contracts as an input and set up a short weekly call with the warehouse managers. Since then I \
     always validate my assumptions with the people closest to the work before I publish a number. On the \
     next two forecasts we were within three percent, and the weekly call is now part of the team's routine.",
    "Um, so, let me think. When I was leading a small project at my last job, we had to migrate our \
     customer database to a new system over a weekend. I planned the migration carefully, or I thought I \
     did, but I did not plan a proper rollback. On Saturday night the import failed halfway through, and \
     because we had no tested way back, the support team started Monday morning without access to half of \
     the customer records. That was my mistake, and it was a stressful morning. I called everyone together, \
     we restored the old system from the backup by noon, and I wrote a short report for my director that \
     said clearly what I had done wrong. What I learned is that a plan is not finished until you know how to \
     undo it. Uh, these days every change I lead has a rehearsed rollback, and we practise it in a test \
     environment first. Three months later we ran the same migration again, it went smoothly, and nobody \
     outside the team even noticed. I think that experience made me a much more careful engineer.",
];

fn espeak(text: &str, out: &Path) {
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "165", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng runs");
    assert!(status.success());
}

#[test]
fn incremental_and_whole_file_transcription_agree() {
    let mut cases: Vec<(String, Vec<f32>, String)> = Vec::new();
    if let Some(clips) = crate::speech::clips() {
        for clip in clips {
            cases.push((
                clip.name.clone(),
                decode::read_wav(&clip.wav).unwrap().samples,
                clip.reference.clone(),
            ));
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    for (i, text) in LONG_ANSWERS.iter().enumerate() {
        let wav = tmp.path().join(format!("long{i}.wav"));
        espeak(text, &wav);
        cases.push((
            format!("espeak long answer {i}"),
            decode::read_wav(&wav).unwrap().samples,
            text.to_string(),
        ));
    }
    let (mut whole_total, mut inc_total) = (Comparison::default(), Comparison::default());
    println!(
        "{:<58} {:>7} {:>7} {:>9} {:>9}",
        "recording", "whole", "incr.", "fillers", "stretches"
    );
    for (name, samples, reference) in &cases {
        let whole = transcriber().transcribe(samples).unwrap();
        let (inc, stretches) = incrementally(samples);
        let (w, i) = (
            accuracy::compare(reference, &whole.text),
            accuracy::compare(reference, &inc.text),
        );
        println!(
            "{:<58} {:>6.1}% {:>6.1}% {:>4} {:>4} {:>9}",
            name,
            w.wer() * 100.0,
            i.wer() * 100.0,
            fillers(&whole),
            fillers(&inc),
            stretches
        );
        assert!(
            fillers(&whole).abs_diff(fillers(&inc)) <= 1,
            "{name}: fillers {} vs {}",
            fillers(&whole),
            fillers(&inc)
        );
        for pair in inc.words.windows(2) {
            assert!(
                pair[0].start <= pair[1].start,
                "{name}: incremental times not monotone"
            );
        }
        whole_total.add(w);
        inc_total.add(i);
    }
    println!(
        "total: whole-file WER {:.2}%, incremental WER {:.2}% over {} words",
        whole_total.wer() * 100.0,
        inc_total.wer() * 100.0,
        whole_total.reference_words
    );
    assert!(
        (whole_total.wer() - inc_total.wer()).abs() <= 0.01,
        "WER differs by more than one point"
    );
}

/// A pause at the end starts the last stretch before the answer is known to be over; speaking again
/// cancels it, and the words of both parts are kept, in order.
#[test]
fn the_tail_starts_in_a_pause_and_is_cancelled_when_speech_resumes() {
    use rehearse::transcribe::stretches::Policy;
    let Some(clips) = crate::speech::clips() else {
        panic!("the shared speech is next to the checkout");
    };
    let jfk = clips
        .iter()
        .find(|c| c.name.contains("jfk"))
        .expect("the jfk clip");
    let phrase = decode::read_wav(&jfk.wav).unwrap().samples;
    let silence = vec![0.0f32; 16_000];
    let policy = Policy::live(Some(std::time::Duration::from_secs(1)));

    // Speech, then a second of silence: the tail is on offer, and it is the whole transcript.
    let mut inc = IncrementalTranscriber::with_policy(transcriber(), policy);
    for chunk in phrase
        .iter()
        .chain(&silence)
        .copied()
        .collect::<Vec<_>>()
        .chunks(1_600)
    {
        inc.push(chunk);
    }
    assert!(inc.tail_on_offer(), "a pause after speech offers the tail");
    let whole = transcriber().transcribe(&phrase).unwrap();
    let tail = inc.finish().unwrap();
    let agreement = accuracy::compare(&whole.text, &tail.text);
    assert!(
        agreement.wer() <= 0.05,
        "{:?} vs {:?}",
        whole.text,
        tail.text
    );

    // Speech, a pause (tail offered), the same speech again: the offer is withdrawn and the answer
    // holds both.
    let mut inc = IncrementalTranscriber::with_policy(transcriber(), policy);
    let answer: Vec<f32> = phrase
        .iter()
        .chain(&silence)
        .chain(&phrase)
        .copied()
        .collect();
    for chunk in answer.chunks(1_600) {
        inc.push(chunk);
    }
    assert!(inc.tentatives_sent() >= 1);
    let twice = inc.finish().unwrap();
    let reference = format!("{} {}", jfk.reference, jfk.reference);
    let comparison = accuracy::compare(&reference, &twice.text);
    println!(
        "twice: {} (WER {:.1}%)",
        twice.text,
        comparison.wer() * 100.0
    );
    assert!(comparison.wer() <= 0.1, "{}", twice.text);
    for pair in twice.words.windows(2) {
        assert!(pair[0].start <= pair[1].start, "times run forward");
    }
    let second_half = twice.words.iter().filter(|w| w.start > 12.0).count();
    assert!(
        second_half * 3 >= twice.words.len(),
        "the second copy keeps its words"
    );
}
