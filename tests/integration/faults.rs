//! The fault matrix (issue 15): a damaged, cut or locked history database, a read-only data folder,
//! a disk that fills while recording and while storing. Each case asserts the exit status, one clear
//! sentence, and that nothing already recorded or stored is lost.
//!
//! Cases covered elsewhere: Ctrl-C mid-answer (`practice::ctrl_c_mid_answer_keeps_what_was_said_and_exits_non_zero`),
//! SIGKILL of a recorder (`audio::killing_record_keeps_everything_but_the_last_second`,
//! `audio::a_kill_in_the_first_second_leaves_a_valid_wav`), the device vanishing
//! (`audio::a_microphone_that_goes_away_keeps_what_was_recorded`), two writers at once and a killed
//! writer (`history::two_processes_write_at_once_and_a_killed_writer_loses_nothing`), and a deleted
//! recording behind a stored answer (`history::a_missing_recording_is_noted_and_the_rest_still_reviews`).

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::history::{DATABASE_FILE, Store};

use crate::harness::Rehearse;
use crate::history::{failure_words, report, seed_session};
use crate::virtual_audio::AlsaFileMic;

fn rehearse(home: &Path) -> Rehearse {
    Rehearse::new().env("REHEARSE_HOME", home)
}

/// A history of three sessions with a recording each; returns the database path.
fn seeded(home: &Path) -> PathBuf {
    let mut store = Store::open(home).unwrap();
    for (i, score) in [60, 70, 80].into_iter().enumerate() {
        let r = report(
            "failure",
            "Have you ever failed at anything?",
            &failure_words(),
            score,
        );
        seed_session(
            &mut store,
            1_750_000_000 + i as u64 * 86_400,
            &[r],
            Some(0.5),
        );
    }
    drop(store);
    home.join(DATABASE_FILE)
}

/// Every file under `dir` with its bytes, for "nothing lost" checks.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_damaged_database_is_named_never_overwritten_and_repair_keeps_a_copy() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join(DATABASE_FILE);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    for args in [&["history"][..], &["review"], &["history", "--json"]] {
        let line = rehearse(home.path()).args(args).run().failure();
        assert!(
            line.contains(&db.display().to_string()) && line.contains("--repair"),
            "{args:?}: {line}"
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            garbage,
            "{args:?} left it alone"
        );
    }
    let out = rehearse(home.path())
        .args(["history", "--repair"])
        .run()
        .success();
    assert!(out.contains("0 sessions"), "{out}");
    let copies: Vec<PathBuf> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(
        std::fs::read(&copies[0]).unwrap(),
        garbage,
        "the copy is the damaged file"
    );
    assert!(out.contains(&copies[0].display().to_string()), "{out}");
    rehearse(home.path()).arg("history").run().success();
}

#[test]
fn a_cut_database_keeps_what_can_be_read_after_repair() {
    let home = tempfile::tempdir().unwrap();
    let db = seeded(home.path());
    let whole = std::fs::read(&db).unwrap();
    // Keep the first pages: the schema and, in a database this small, the first rows.
    let cut = &whole[..whole.len().min(4096 * 3)];
    std::fs::write(&db, cut).unwrap();
    let recordings = snapshot(&home.path().join("recordings"));
    let run = rehearse(home.path()).arg("history").run();
    if run.code() != Some(0) {
        let line = run.failure();
        assert!(line.contains(&db.display().to_string()), "{line}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), cut, "reading left it alone");
    let out = rehearse(home.path())
        .args(["history", "--repair"])
        .run()
        .success();
    println!("{out}");
    assert!(out.contains("damaged database is copied to"), "{out}");
    let listed = rehearse(home.path())
        .args(["history", "--json"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let kept = json["sessions"].as_array().unwrap().len();
    assert!(
        out.contains(&format!("{kept} sessions")),
        "{out} vs {listed}"
    );
    assert_eq!(
        snapshot(&home.path().join("recordings")),
        recordings,
        "no recording lost"
    );
}

#[test]
fn a_repair_of_a_healthy_database_keeps_every_session() {
    let home = tempfile::tempdir().unwrap();
    seeded(home.path());
    let before = rehearse(home.path())
        .args(["history", "--json"])
        .run()
        .success();
    let out = rehearse(home.path())
        .args(["history", "--repair"])
        .run()
        .success();
    assert!(out.contains("3 sessions and 3 answers kept"), "{out}");
    let after = rehearse(home.path())
        .args(["history", "--json"])
        .run()
        .success();
    assert_eq!(before, after);
}

#[test]
fn a_locked_database_still_lists_and_a_writer_says_it_is_busy() {
    let home = tempfile::tempdir().unwrap();
    let db = seeded(home.path());
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let listed = rehearse(home.path())
        .args(["history", "--json"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(json["sessions"].as_array().unwrap().len(), 3);
    let line = rehearse(home.path()).args(["delete", "1"]).run().failure();
    assert!(line.contains("busy"), "{line}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    let listed = rehearse(home.path())
        .args(["history", "--json"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(
        json["sessions"].as_array().unwrap().len(),
        3,
        "nothing lost"
    );
}

/// A tmpfs mounted for one test, unmounted when dropped; `None` (with the reason printed) where this
/// process may not mount.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: not root, so no small filesystem can be mounted for this case");
            return None;
        }
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: `mount -t tmpfs` is refused here (no CAP_SYS_ADMIN)");
            return None;
        }
        Some(Mount { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_read_only_data_folder_still_lists_and_a_change_is_one_sentence() {
    let Some(mount) = Mount::tmpfs("16m") else {
        return;
    };
    // URI characters in the path (issue 15): the read-only open goes through an SQLite URI.
    let home = mount.path().join("data?x=1#y%41");
    seeded(&home);
    let before = snapshot(&home);
    mount.remount("ro");
    let listed = rehearse(&home).args(["history", "--json"]).run().success();
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(json["sessions"].as_array().unwrap().len(), 3, "{listed}");
    rehearse(&home).arg("review").run().success();
    let line = rehearse(&home).args(["delete", "2"]).run().failure();
    assert!(line.contains("read-only"), "{line}");
    mount.remount("rw");
    assert_eq!(snapshot(&home), before, "nothing lost or changed");
}

#[test]
fn a_disk_that_fills_while_recording_keeps_what_fit() {
    let Some(mount) = Mount::tmpfs("64k") else {
        return;
    };
    // Four seconds of a tone; 64 KiB holds about two seconds of 16 kHz 16-bit audio.
    let tone: Vec<i16> = (0..64_000)
        .map(|i| ((i as f32 * 0.06).sin() * 8_000.0) as i16)
        .collect();
    let mic = AlsaFileMic::new(&tone);
    let out = mount.path().join("answer.wav");
    let mut run = Rehearse::new().arg("record").arg(&out).args([
        "--stop-on-silence",
        "0",
        "--max-seconds",
        "4",
    ]);
    for (key, value) in mic.envs() {
        run = run.env(key, value);
    }
    let run = run.run();
    let line = run.failure();
    assert!(line.contains("disk is full"), "{line}");
    let kept = rehearse::audio::decode::read_wav(&out).expect("what fit is a readable WAV");
    println!("kept {:.2} s of 4 s", kept.duration_seconds);
    assert!(
        kept.duration_seconds > 0.5,
        "kept {:.2} s",
        kept.duration_seconds
    );
}

#[test]
fn a_disk_that_fills_while_storing_loses_nothing_stored() {
    let Some(mount) = Mount::tmpfs("1m") else {
        return;
    };
    let home = mount.path().join("data");
    seeded(&home);
    let before = rehearse(&home).args(["history", "--json"]).run().success();
    // Fill what is left, then try to store one more session through the library's own path.
    let filler = mount.path().join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 2 << 20]);
    // An answer whose report is larger than the space left (a long transcript).
    let mut words = failure_words();
    for i in 0..20_000 {
        words.push(("again".into(), 100.0 + i as f64, 100.2 + i as f64));
    }
    let r = report("failure", "Have you ever failed at anything?", &words, 90);
    let err = Store::open(&home)
        .and_then(|mut store| {
            let session = store.start_session(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_760_000_000),
                &serde_json::json!({}),
            )?;
            store.save_answer(session, &rehearse::history::NewAnswer::from_report(r)?)
        })
        .expect_err("a full disk refuses the answer");
    println!("{err}");
    assert!(
        err.to_string()
            .contains("disk holding the data folder is full"),
        "{err}"
    );
    // The command line says the same in one sentence.
    let line = rehearse(&home).args(["delete", "1"]).run();
    if line.code() != Some(0) {
        assert!(line.failure().contains("is full"), "{}", line.stderr());
    }
    std::fs::remove_file(&filler).unwrap();
    let after = rehearse(&home).args(["history", "--json"]).run().success();
    assert_eq!(before, after, "the stored sessions are all still there");
}
