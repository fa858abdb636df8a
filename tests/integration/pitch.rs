//! The pitch estimator against Praat, the phoneticians' reference, on the shared real speech: the median
//! absolute difference in semitones over frames both call voiced.

use std::path::Path;
use std::process::Command;

use rehearse::analysis::voice::pitch;
use rehearse::audio::pitch::Frame;

use crate::harness::shared_speech;

/// Praat's pitch track of a file: (time, Hz) of its voiced frames, by `scripts/praat-pitch.praat`.
fn praat_track(wav: &Path) -> Vec<(f64, f64)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/praat-pitch.praat");
    let out = Command::new("praat")
        .arg("--run")
        .arg(&script)
        .arg(wav)
        .output()
        .expect("run praat (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "praat failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (t, f) = line.split_once(' ')?;
            Some((t.parse().ok()?, f.trim().parse().ok()?))
        })
        .collect()
}

/// Semitone differences between rehearse's frames and Praat's at the same instants (within 5 ms),
/// on frames both call voiced; how many frames each called voiced; and the vocal variety each track
/// gives (semitones; `None` under two seconds of voice).
fn differences(wav: &Path) -> (Vec<f64>, usize, usize, Option<f64>, Option<f64>) {
    let audio = rehearse::audio::decode::read_wav(wav).expect("read clip");
    let ours = rehearse::audio::pitch::track(&audio.samples);
    let praat = praat_track(wav);
    let step = rehearse::audio::pitch::HOP_SECONDS;
    let mut diffs = Vec::new();
    for &(t, hz) in &praat {
        let i = ((t - ours.frames[0].time) / step).round();
        if i < 0.0 {
            continue;
        }
        let Some(frame) = ours.frames.get(i as usize) else {
            continue;
        };
        if (frame.time - t).abs() > 0.005 {
            continue;
        }
        if let Some(mine) = frame.hz {
            diffs.push((12.0 * (mine / hz).log2()).abs());
        }
    }
    let voiced = ours.frames.iter().filter(|f| f.hz.is_some()).count();
    let praat_frames: Vec<Frame> = praat
        .iter()
        .map(|&(time, hz)| Frame {
            time,
            hz: Some(hz),
            dbfs: 0.0,
        })
        .collect();
    let variety = |frames: &[Frame]| pitch(frames).map(|p| p.variety_semitones);
    (
        diffs,
        voiced,
        praat.len(),
        variety(&ours.frames),
        variety(&praat_frames),
    )
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[test]
fn pitch_agrees_with_praat_on_real_speech() {
    let Some(dir) = shared_speech() else {
        return;
    };
    let mut all = Vec::new();
    let mut lines = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("read shared speech")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    names.sort();
    for wav in &names {
        let (diffs, ours, praat, our_variety, praat_variety) = differences(wav);
        let both = diffs.len();
        let within = diffs.iter().filter(|d| **d <= 1.0).count();
        lines.push(format!(
            "{}: both voiced {both} (ours {ours}, Praat {praat}), median {:.2} st, within 1 st {:.0}%, variety ours {our_variety:?} Praat's {praat_variety:?}",
            wav.file_stem().unwrap().to_string_lossy(),
            if both > 0 { median(diffs.clone()) } else { f64::NAN },
            100.0 * within as f64 / both.max(1) as f64,
        ));
        if let (Some(a), Some(b)) = (our_variety, praat_variety) {
            assert!(
                (a - b).abs() <= 1.0,
                "{}: vocal variety {a} against Praat's {b}",
                wav.display()
            );
        }
        all.extend(diffs);
    }
    let overall = median(all.clone());
    let within = all.iter().filter(|d| **d <= 1.0).count() as f64 / all.len() as f64;
    eprintln!(
        "{}\nall clips: {} frames both voiced, median absolute error {overall:.3} semitones, {:.1}% within 1 semitone",
        lines.join("\n"),
        all.len(),
        100.0 * within
    );
    assert!(all.len() > 1000, "only {} frames both voiced", all.len());
    assert!(
        overall <= 1.0,
        "median error {overall:.2} semitones against Praat"
    );
}
