//! Intelligibility of the interviewer's voices: every question of the shipped bank, spoken by the
//! neural voice (Piper `joe`) and by espeak-ng (`en-us`, 160 words per minute, both), transcribed with
//! the installed Whisper model (`tiny.en` by default), and scored by word error rate against the
//! question's text (fillers excluded, numbers and case normalised: `transcribe::accuracy`). Each clip
//! gets half a second of silence before and after.
//!
//! Run: `cargo bench --bench voice_intelligibility`. It prints each question's two transcripts and the
//! pooled WER of each voice (errors over all reference words); nothing is asserted here (the lower
//! figure is in BENCHMARKS.md and the README).

use rehearse::audio::resample::to_whisper_rate;
use rehearse::audio::voice::{self, VoiceOptions};
use rehearse::questions::Bank;
use rehearse::transcribe::Transcriber;
use rehearse::transcribe::accuracy::{self, Comparison};
use rehearse::tts;

fn main() {
    let bank = Bank::shipped().expect("the shipped bank loads");
    let transcriber = Transcriber::load(None).expect("the Whisper model is installed");
    let neural = tts::load(tts::DEFAULT_VOICE, &rehearse::paths::models_dir())
        .expect("the neural voice is installed (`rehearse model download joe`)");
    let espeak = VoiceOptions {
        voice: voice::ESPEAK.into(),
        ..VoiceOptions::default()
    };
    let cache = tempfile::tempdir().expect("temporary folder");
    let mut totals = [Comparison::default(), Comparison::default()];
    println!(
        "model: {}; {} questions",
        transcriber.model_name(),
        bank.questions().len()
    );
    for question in bank.questions() {
        let text = &question.text;
        let neural_audio = neural
            .synthesize(text, VoiceOptions::default().rate_wpm)
            .expect("the neural voice speaks");
        let neural_16k = to_whisper_rate(&neural_audio, neural.sample_rate()).expect("resample");
        let espeak_speech =
            voice::synthesize_in(cache.path(), text, &espeak).expect("espeak-ng speaks");
        let espeak_16k =
            to_whisper_rate(&espeak_speech.samples, espeak_speech.rate).expect("resample");
        // Half a second of silence on each side of both, as a real recording has: Whisper tends to
        // repeat itself on a clip that starts and ends in speech.
        let pad = |audio: Vec<f32>| {
            let silence = vec![0.0; 8_000];
            [silence.clone(), audio, silence].concat()
        };
        let (neural_16k, espeak_16k) = (pad(neural_16k), pad(espeak_16k));
        println!("{}: {text}", question.id);
        for (i, (name, audio)) in [("joe", &neural_16k), ("espeak", &espeak_16k)]
            .into_iter()
            .enumerate()
        {
            let heard = transcriber.transcribe(audio).expect("transcribes").text;
            let comparison = accuracy::compare(text, &heard);
            println!(
                "  {name:<7} WER {:>5.1}%  {heard}",
                comparison.wer() * 100.0
            );
            totals[i].add(comparison);
        }
    }
    println!(
        "pooled WER over {} words: neural joe {:.1}% ({} errors), espeak-ng {:.1}% ({} errors)",
        totals[0].reference_words,
        totals[0].wer() * 100.0,
        totals[0].errors,
        totals[1].wer() * 100.0,
        totals[1].errors
    );
}
