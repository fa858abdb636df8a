//! The full-screen practice interface in a real terminal: tmux at 80x24 drives `rehearse practice`
//! with keys, answers come through the private PulseAudio cable, and the screen is read with
//! `capture-pane`. Killing the program mid-session must lose no finished answer.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::practice::{LESSON, NO_LESSON, json_in, spoken};
use crate::virtual_audio::{AlsaFileMic, PulseCable};

/// A private tmux server (its own socket), killed on drop.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (a shell command line) in a detached 80x24 session named `t`.
    fn start(dir: &Path, command: &str) -> Tmux {
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let ok = tmux
            .run(&[
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "80",
                "-y",
                "24",
                command,
            ])
            .status
            .success();
        assert!(
            ok,
            "tmux new-session failed (scripts/setup.sh installs tmux)"
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Waits until the screen shows every needle; returns it.
    fn wait_for(&self, needles: &[&str], timeout: Duration, log: &Path) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {needles:?}:\n{screen}\nstderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn format(&self, format: &str) -> String {
        let out = self
            .run(&["display-message", "-p", "-t", "t", format])
            .stdout;
        String::from_utf8_lossy(&out).trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The shell command that runs `rehearse` with the cable's environment, stderr to `log`.
fn command_line(cable: &PulseCable, home: &Path, args: &str, log: &Path, exec: bool) -> String {
    let mut env = String::new();
    for (key, value) in cable.envs() {
        env.push_str(&format!(
            "{}='{}' ",
            key.to_string_lossy(),
            value.to_string_lossy()
        ));
    }
    env.push_str(&format!("REHEARSE_HOME='{}' ", home.display()));
    let program = env!("CARGO_BIN_EXE_rehearse");
    if exec {
        format!("exec env {env} {program} {args} 2>'{}'", log.display())
    } else {
        format!(
            "env {env} {program} {args} 2>'{}'; echo EXITED $?; sleep 120",
            log.display()
        )
    }
}

const LONG: Duration = Duration::from_secs(90);

#[test]
fn the_screen_shows_the_interview_and_a_kill_loses_no_finished_answer() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let log = dir.path().join("stderr.txt");
    let first = spoken(dir.path(), "first", NO_LESSON);
    let better = spoken(dir.path(), "better", &format!("{NO_LESSON} {LESSON}"));
    let args = "practice --question failure --question conflict --no-follow-ups \
                --stop-on-silence 1 --max-seconds 40";
    let tmux = Tmux::start(dir.path(), &command_line(&cable, &home, args, &log, true));

    let screen = tmux.wait_for(
        &[
            "Have you ever failed at anything?",
            "Question 1 of 2",
            "Enter: done",
        ],
        LONG,
        &log,
    );
    for needle in [
        "Time 0:",
        "target 1:00-2:00",
        "Input level",
        "s: skip",
        "q: quit",
    ] {
        assert!(screen.contains(needle), "{needle:?} missing:\n{screen}");
    }
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");
    assert_eq!(tmux.format("#{alternate_on}"), "1", "not full-screen");
    // Survives a resize: redrawn at the new width, then back.
    tmux.run(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let wide = tmux.screen();
        if wide.contains("Have you ever failed at anything?")
            && wide.lines().any(|l| l.chars().count() > 90)
        {
            break;
        }
        assert!(Instant::now() < deadline, "not redrawn wider:\n{wide}");
        std::thread::sleep(Duration::from_millis(200));
    }
    tmux.run(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);

    // While the answer plays, the screen shows the candidate speaking and the level rising.
    std::thread::scope(|scope| {
        scope.spawn(|| cable.play_into_mic(&first));
        let live = tmux.wait_for(&["● speaking"], LONG, &log);
        assert!(
            !live.contains("-90 dB"),
            "no input level while speaking:\n{live}"
        );
    });
    tmux.wait_for(&["Feedback", "Score:", "r: retry"], LONG, &log);
    // Retry: the second attempt is shown beside the first.
    tmux.keys(&["r"]);
    tmux.wait_for(&["attempt 2", "Enter: done"], LONG, &log);
    cable.play_into_mic(&better);
    let compared = tmux.wait_for(&["Compared with your last attempt", "Feedback"], LONG, &log);
    for needle in [
        "attempt 1",
        "attempt 2",
        "score",
        "words per minute",
        "fillers per min",
    ] {
        assert!(compared.contains(needle), "{needle:?} missing:\n{compared}");
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Question 2 of 2", "Enter: done"], LONG, &log);
    // Three seconds in, so the recorder has written some of it (it syncs about once a second).
    tmux.wait_for(&["Time 0:03"], LONG, &log);

    // Killed mid-session (while recording the second question): nothing finished is lost.
    let pid = tmux.format("#{pane_pid}");
    let killed = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(500));
    let review = json_in(&home, &["review", "--json"]);
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{review}");
    assert_eq!(
        answers
            .iter()
            .map(|a| a["attempt"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let second = answers[1]["report"]["transcript"]["text"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(second.contains("learned"), "{second}");
    let history = json_in(&home, &["history", "--json"]);
    assert!(history["sessions"][0]["finished_at"].is_null(), "{history}");
    assert_eq!(history["sessions"][0]["answers"], 2, "{history}");

    // The next start repairs the recording the kill cut short: its header then matches its data.
    let cut = home.join("recordings/1/3.wav");
    assert!(cut.is_file(), "the third recording was being written");
    let restart = crate::harness::Rehearse::new()
        .args(["practice", "--model", "/nonexistent/model.bin"])
        .env("REHEARSE_HOME", &home)
        .run();
    restart.failure();
    let reader = hound::WavReader::open(&cut).unwrap_or_else(|e| {
        panic!(
            "not a readable WAV after the restart ({e}, {} bytes):\n{}",
            std::fs::metadata(&cut).map_or(0, |m| m.len()),
            restart.stderr()
        )
    });
    let data = u64::from(reader.duration()) * 2;
    let size = std::fs::metadata(&cut).unwrap().len();
    assert!(
        size >= data && size - data <= 80,
        "header says {data} bytes of audio, the file has {size}:\n{}",
        restart.stderr()
    );
}

#[test]
fn quitting_restores_the_terminal_and_prints_the_summary() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let log = dir.path().join("stderr.txt");
    let args = "practice --question failure --stop-on-silence 1";
    let tmux = Tmux::start(dir.path(), &command_line(&cable, &home, args, &log, false));
    tmux.wait_for(
        &["Have you ever failed at anything?", "Enter: done"],
        LONG,
        &log,
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["EXITED"], LONG, &log);
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "still full-screen:\n{screen}"
    );
    assert!(screen.contains("Session summary"), "{screen}");
    assert!(screen.contains("EXITED 0"), "q is a normal end:\n{screen}");
    let err = std::fs::read_to_string(&log).unwrap();
    assert!(!err.contains("rehearse: error:"), "{err}");
}

/// Issue 15: with no sound card, native libraries' lines used to scribble over the full screen.
/// ALSA's are silenced; what others write straight to stderr (libjack's, for `--input-device
/// jack`) is held while the screen is up and printed after it. Here stderr is the terminal itself.
#[test]
fn without_a_sound_card_native_lines_stay_off_the_full_screen() {
    let no_card = AlsaFileMic::with_config("defaults.pcm.card 42\ndefaults.ctl.card 42\n");
    let dir = tempfile::tempdir().unwrap();
    let mut env = String::new();
    for (key, value) in no_card.envs() {
        env.push_str(&format!(
            "{}='{}' ",
            key.to_string_lossy(),
            value.to_string_lossy()
        ));
    }
    // Whether libjack prints when the jack plugin finds no server (it does with
    // libasound2-plugins' JACK plugin; a system without it has nothing to hold).
    let mut jack_plain = crate::harness::Rehearse::new()
        .arg("record")
        .arg(dir.path().join("x.wav"))
        .args(["--input-device", "jack"]);
    for (key, value) in no_card.envs() {
        jack_plain = jack_plain.env(key, value);
    }
    let jack_plain = jack_plain.run();
    let jack_prints = jack_plain.stderr().contains("jack server is not running");
    if !jack_prints {
        eprintln!(
            "skipped the held-stderr half: the ALSA jack plugin printed nothing here:\n{}",
            jack_plain.stderr()
        );
    }
    for (device, error) in [
        ("default", "no microphone found"),
        ("jack", "the input device `jack` is not available"),
    ] {
        let run_dir = dir.path().join(device);
        std::fs::create_dir_all(&run_dir).unwrap();
        let command = format!(
            "env {env} REHEARSE_HOME='{}' {} practice --question failure --input-device {device}; \
             echo EXITED $?; sleep 120",
            run_dir.join("data").display(),
            env!("CARGO_BIN_EXE_rehearse"),
        );
        let tmux = Tmux::start(&run_dir, &command);
        tmux.wait_for(&["EXITED"], LONG, &run_dir.join("none"));
        // Wrapped lines joined, so each message is one line.
        let screen =
            String::from_utf8_lossy(&tmux.run(&["capture-pane", "-p", "-J", "-t", "t"]).stdout)
                .into_owned();
        assert!(
            !screen.lines().any(|l| l.starts_with("ALSA lib")),
            "{device}: ALSA wrote to the terminal:\n{screen}"
        );
        let errors: Vec<&str> = screen
            .lines()
            .filter(|l| l.starts_with("rehearse: error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{device}:\n{screen}");
        assert!(errors[0].contains(error), "{device}:\n{screen}");
        assert!(screen.contains("EXITED 1"), "{device}:\n{screen}");
        if device == "jack" && jack_prints {
            // Written while the screen was up, so without the hold they were drawn on the
            // alternate screen and vanished with it; held, they follow it on the normal screen.
            let held = screen.find("jack server is not running");
            let error_at = screen.find("rehearse: error:");
            assert!(
                held.is_some() && held < error_at,
                "libjack's lines were not held for after the screen:\n{screen}"
            );
        }
    }
}

/// Issue 16 item 7: `TERM=dumb` (an editor's shell) cannot draw a full screen, so practice falls
/// back to plain lines there, on a real terminal.
#[test]
fn a_dumb_terminal_gets_plain_lines_not_the_full_screen() {
    let cable = PulseCable::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("data");
    let log = dir.path().join("stderr.txt");
    let args = "practice --question failure --stop-on-silence 0";
    let command =
        command_line(&cable, &home, args, &log, false).replacen("env ", "env TERM=dumb ", 1);
    let tmux = Tmux::start(dir.path(), &command);
    let screen = tmux.wait_for(&["recording... (target"], LONG, &log);
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "the full screen was drawn on a dumb terminal:\n{screen}"
    );
    assert!(!screen.contains("Enter: done"), "{screen}");
    tmux.keys(&["q", "Enter"]);
    let screen = tmux.wait_for(&["EXITED"], LONG, &log);
    println!("{screen}");
}
