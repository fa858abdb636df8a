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
