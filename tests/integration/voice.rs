//! The interviewer's neural voice for real (issue 13): `rehearse say` with Piper's `joe` through the
//! virtual cable, heard at the speaker and matched against the synthesized audio; the cache on a second
//! run; and the espeak-ng fallback, with one notice, when the voice file is missing or broken.

use std::path::Path;
use std::time::Duration;

use crate::harness::Rehearse;
use crate::practice::{NO_LESSON, spoken};
use crate::virtual_audio::{PulseCable, envelope_match, read_wav, spawn_rehearse, words};

fn through(cable: &PulseCable, mut rehearse: Rehearse) -> Rehearse {
    for (key, value) in cable.envs() {
        rehearse = rehearse.env(key, value);
    }
    rehearse
}

fn notices(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("note:"))
        .map(String::from)
        .collect()
}

#[test]
fn say_speaks_with_the_neural_voice_and_the_speaker_hears_it() {
    let cable = PulseCable::start();
    let capture = cable.record_speaker();
    std::thread::sleep(Duration::from_millis(300));
    let question = "Have you ever failed at anything?";
    let rehearse = through(&cable, Rehearse::new().args(["say", question, "--json"]));
    let home = rehearse.home().to_path_buf();
    let run = rehearse.run();
    let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let heard = capture.stop();
    assert_eq!(report["engine"], "piper", "{report}");
    assert_eq!(report["voice"], "joe", "{report}");
    assert_eq!(report["rate"], 22_050, "{report}");
    assert!(report.get("notice").is_none(), "{report}");
    assert!(notices(&run.stderr()).is_empty(), "{}", run.stderr());
    assert_eq!(report["source"]["cached"], false, "{report}");
    let seconds = report["seconds"].as_f64().unwrap();
    assert!((1.0..4.0).contains(&seconds), "{report}");
    // The speaker played what the voice made: the loudness contours match.
    let cache = std::path::PathBuf::from(report["source"]["cache"].as_str().unwrap());
    assert!(cache.starts_with(&home), "{}", cache.display());
    assert_private_cache(&home, &cache);
    let spoken = rehearse::audio::decode::read_wav(&cache).unwrap().samples;
    let (at, corr) = envelope_match(&heard, &spoken);
    eprintln!("neural voice at the speaker: contour correlation {corr:.3} from {at:.2} s");
    assert!(
        corr > 0.9,
        "the speaker did not play the neural voice: correlation {corr:.3}\n{}",
        cable.log()
    );
    // Whisper hears the question's words in what came out of the speaker.
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("speaker.wav");
    write_wav(&wav, &heard);
    let said = words(&Rehearse::new().arg("transcribe").arg(&wav).run().success());
    let expected = words(question);
    let common = expected.iter().filter(|w| said.contains(w)).count();
    assert!(
        common * 4 >= expected.len() * 3,
        "heard {said:?} for {expected:?}"
    );
}

#[test]
fn a_question_is_synthesized_sentence_by_sentence_once_then_replayed_from_the_cache() {
    let cable = PulseCable::start();
    let home = tempfile::tempdir().unwrap();
    let text = "Tell me about a conflict at work. What did you do?";
    let say = || {
        through(&cable, Rehearse::new().args(["say", text, "--json"]))
            .env("REHEARSE_HOME", home.path())
            .run()
    };
    let first: serde_json::Value = serde_json::from_str(&say().success()).unwrap();
    let again: serde_json::Value = serde_json::from_str(&say().success()).unwrap();
    assert_eq!(first["source"]["cached"], false, "{first}");
    assert_eq!(again["source"]["cached"], true, "{again}");
    assert_eq!(first["source"]["cache"], again["source"]["cache"]);
    assert!(
        first["source"]["cache"]
            .as_str()
            .unwrap()
            .starts_with(home.path().join("cache").to_str().unwrap()),
        "{first}"
    );
    // Two sentences with a quarter-second pause between them.
    let seconds = first["seconds"].as_f64().unwrap();
    assert!((2.5..7.0).contains(&seconds), "{first}");
    assert_eq!(first["seconds"], again["seconds"]);
    // Another rate is another cache entry.
    let slower: serde_json::Value = serde_json::from_str(
        &through(
            &cable,
            Rehearse::new().args(["say", text, "--rate", "120", "--json"]),
        )
        .env("REHEARSE_HOME", home.path())
        .run()
        .success(),
    )
    .unwrap();
    assert_eq!(slower["source"]["cached"], false, "{slower}");
    assert!(
        slower["seconds"].as_f64().unwrap() > seconds * 1.15,
        "{slower}"
    );
}

#[test]
fn practice_asks_the_first_question_in_the_neural_voice() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let answer = spoken(dir.path(), "answer", NO_LESSON);
    let mut envs = cable.envs();
    envs.push(("REHEARSE_HOME".into(), home.clone().into()));
    let capture = cable.record_speaker();
    let long = Duration::from_secs(90);
    let mut running = spawn_rehearse(
        &[
            "practice",
            "--question",
            "failure",
            "--no-follow-ups",
            "--stop-on-silence",
            "0",
        ],
        &envs,
    );
    running.wait_for_line("speak now", long);
    // The capture lags the speaker a little; nothing else is played while the answer is recorded.
    std::thread::sleep(Duration::from_millis(800));
    let heard = capture.stop();
    cable.play_into_mic(&answer);
    running.press_enter();
    let (code, out, err, _) = running.wait(long);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        !err.contains("espeak-ng instead") && !out.contains("espeak-ng instead"),
        "{err}"
    );
    // The question's audio is in the cache (spoken there before it was asked), and it is what the
    // speaker played.
    let cached: Vec<_> = std::fs::read_dir(home.join("cache").join("voice"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    // Keyed by the neural engine and voice (espeak-ng's file would have another name).
    let neural = rehearse::audio::voice::cache_path(
        &home.join("cache").join("voice"),
        "Have you ever failed at anything?",
        &rehearse::audio::voice::VoiceOptions::default(),
    );
    assert_eq!(cached[0], neural);
    let (_, rate, _) = read_wav(&cached[0]);
    assert_eq!(rate, 22_050);
    let question = rehearse::audio::decode::read_wav(&cached[0])
        .unwrap()
        .samples;
    let (at, corr) = envelope_match(&heard, &question);
    eprintln!("practice question at the speaker: contour correlation {corr:.3} from {at:.2} s");
    assert!(
        corr > 0.9,
        "the speaker did not play the neural question: {corr:.3}"
    );
}

/// A models folder with the real runtime and the voice's config, and `onnx` for the voice model.
fn models_with_voice_model(onnx: Option<&Path>) -> tempfile::TempDir {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(real.join("onnxruntime"), dir.path().join("onnxruntime")).unwrap();
    let voice = dir.path().join("piper-joe");
    std::fs::create_dir(&voice).unwrap();
    for file in ["en_US-joe-medium.onnx.json", "MODEL_CARD"] {
        std::fs::copy(real.join("piper-joe").join(file), voice.join(file)).unwrap();
    }
    if let Some(onnx) = onnx {
        std::fs::copy(onnx, voice.join("en_US-joe-medium.onnx")).unwrap();
    }
    dir
}

#[test]
fn a_missing_or_broken_voice_falls_back_to_espeak_with_one_notice() {
    let cable = PulseCable::start();
    let missing = models_with_voice_model(None);
    // Broken: the right size, but not a model.
    let scratch = tempfile::tempdir().unwrap();
    let junk = scratch.path().join("junk.onnx");
    std::fs::File::create(&junk)
        .unwrap()
        .set_len(63_201_294)
        .unwrap();
    let broken = models_with_voice_model(Some(&junk));
    for (models, what) in [
        (&missing, "is not installed"),
        (&broken, "cannot be loaded"),
    ] {
        let run = through(
            &cable,
            Rehearse::new().args(["say", "Why this job?", "--json"]),
        )
        .env("REHEARSE_MODELS_DIR", models.path())
        .run();
        let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
        assert_eq!(report["played"], true, "{report}");
        assert_eq!(report["engine"], "espeak-ng", "{report}");
        let cache = std::path::PathBuf::from(report["source"]["cache"].as_str().unwrap());
        assert_private_cache(&rehearse_home(&cache), &cache);
        let lines = notices(&run.stderr());
        assert_eq!(lines.len(), 1, "{}", run.stderr());
        for part in [
            what,
            "`joe`",
            "rehearse model download joe",
            "espeak-ng instead",
        ] {
            assert!(lines[0].contains(part), "{part:?} not in {}", lines[0]);
        }
        assert_eq!(
            report["notice"].as_str().map(str::len),
            Some(lines[0].len() - "rehearse: note: ".len())
        );
    }
    // The list says so too.
    let list = Rehearse::new()
        .args(["say", "--voice", "LIST"])
        .env("REHEARSE_MODELS_DIR", missing.path())
        .run()
        .success();
    let joe = list.lines().find(|l| l.starts_with("joe")).unwrap();
    assert!(
        joe.contains("missing") && joe.contains("rehearse model download joe"),
        "{list}"
    );
}

#[test]
fn voice_list_shows_the_installed_neural_voice_as_default() {
    let json = Rehearse::new()
        .args(["say", "--voice", "LIST", "--json"])
        .run()
        .success();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let voices = value["voices"].as_array().unwrap();
    assert_eq!(voices[0]["name"], "joe");
    assert_eq!(voices[0]["installed"], true, "{value}");
    assert_eq!(voices[0]["default"], true);
    assert!(
        voices
            .iter()
            .any(|v| v["name"] == "espeak" && v["installed"] == true)
    );
    // Text is still needed without LIST.
    let run = Rehearse::new().args(["say", "--voice", "joe", ""]).run();
    assert!(run.failure().contains("needs the text"), "{}", run.stderr());
}

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        writer
            .write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}

/// The voice cache is private like the rest of the data folder: folders 0700, files 0600 (issue 16
/// item 7: `cache/voice` was 0755 and its files 0644).
fn assert_private_cache(home: &Path, cache: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(cache), 0o600, "{}", cache.display());
    assert_eq!(mode(&home.join("cache").join("voice")), 0o700);
    assert_eq!(mode(&home.join("cache")), 0o700);
}

/// The data folder a cache file `<home>/cache/voice/NAME` is in.
fn rehearse_home(cache: &Path) -> std::path::PathBuf {
    cache.ancestors().nth(3).unwrap().to_path_buf()
}
