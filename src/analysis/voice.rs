//! How the voice sounded: pitch (median, range and vocal variety in semitones) and loudness (level over
//! voiced frames, too quiet or clipping, and how the level falls at the ends of stretches and over the
//! answer), from the frames of [`crate::audio::pitch`]; then the `vocal-variety` check.
//!
//! Vocal variety is the spread of pitch in semitones over voiced frames, as a standard deviation taken
//! from the 10th to 90th percentile range (robust to the odd octave error). Semitones make it the same measure for low and high voices (Traunmüller and
//! Eriksson, "The frequency range of the voice fundamental in the speech of male and female adults",
//! 1995: the spread of F0 in semitones is about the same for men and women and grows with how lively
//! the speech is).

use serde::{Deserialize, Serialize};

use super::delivery::Span;
use super::{CheckResult, Evidence, Outcome};
use crate::audio::pitch::{Frame, Track};
use crate::questions::Question;

/// Fewest voiced frames (10 ms each) for pitch figures: two seconds of voice.
pub const MIN_VOICED_FRAMES: usize = 200;
/// A median level below this (dBFS) is too quiet to analyse well.
pub const QUIET_DBFS: f64 = -40.0;
/// More than this share of samples at full scale (per cent) is clipping.
pub const CLIPPED_PERCENT: f64 = 0.1;
/// Stretches shorter than this (seconds) are not used for the fall at their end.
const MIN_STRETCH_SECONDS: f64 = 1.5;
/// The end of a stretch, seconds, compared with the rest of it.
const END_SECONDS: f64 = 0.4;

/// Pitch figures over voiced frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pitch {
    /// Median fundamental frequency, Hz.
    pub median_hz: f64,
    /// 10th percentile, Hz.
    pub low_hz: f64,
    /// 90th percentile, Hz.
    pub high_hz: f64,
    /// From the 10th to the 90th percentile, semitones.
    pub range_semitones: f64,
    /// Vocal variety: the spread of pitch in semitones, as a standard deviation (the 10th to 90th
    /// percentile range over 2.563, which a few octave errors barely move).
    pub variety_semitones: f64,
}

/// Loudness figures over voiced frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Median level of voiced frames, dBFS.
    pub median_dbfs: f64,
    /// Loudest frame, dBFS.
    pub peak_dbfs: f64,
    /// Share of samples at full scale, per cent.
    pub clipped_percent: f64,
    /// How far the last 0.4 s of a stretch of speech sits under the rest of it, dB, the median over
    /// stretches of 1.5 s or more (positive: trailing off).
    pub end_drop_db: Option<f64>,
    /// The last third of the answer's voiced frames against the first third, dB (negative: fading).
    pub trend_db: Option<f64>,
    /// Problems with the recording level, each one sentence with what to do.
    pub warnings: Vec<String>,
}

/// The voice figures of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    /// Seconds of voiced frames.
    pub voiced_seconds: f64,
    /// `None` with under two seconds of voice.
    pub pitch: Option<Pitch>,
    /// `None` with no voiced frames.
    pub loudness: Option<Loudness>,
}

fn semitones(hz: f64, reference: f64) -> f64 {
    12.0 * (hz / reference).log2()
}

/// The value at a fraction of a sorted slice.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn median_of(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    Some(percentile(xs, 0.5))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Pitch figures of voiced frames (`None` under [`MIN_VOICED_FRAMES`]).
pub fn pitch(frames: &[Frame]) -> Option<Pitch> {
    let mut hz: Vec<f64> = frames.iter().filter_map(|f| f.hz).collect();
    if hz.len() < MIN_VOICED_FRAMES {
        return None;
    }
    hz.sort_by(f64::total_cmp);
    let median = percentile(&hz, 0.5);
    let (low, high) = (percentile(&hz, 0.1), percentile(&hz, 0.9));
    // The spread from the 10th to the 90th percentile scaled to a standard deviation (a normal
    // distribution spans 2.563 of them there): a few octave errors or creaky frames move it little.
    let spread = semitones(high, low) / 2.563;
    Some(Pitch {
        median_hz: round1(median),
        low_hz: round1(low),
        high_hz: round1(high),
        range_semitones: round1(semitones(high, low)),
        variety_semitones: round2(spread),
    })
}

/// Loudness of voiced frames; `speech` (voice-activity stretches) gives the fall at their ends.
pub fn loudness(track: &Track, speech: Option<&[Span]>) -> Option<Loudness> {
    let voiced: Vec<&Frame> = track.frames.iter().filter(|f| f.hz.is_some()).collect();
    if voiced.is_empty() {
        return None;
    }
    let mut levels: Vec<f64> = voiced.iter().map(|f| f.dbfs).collect();
    let median = median_of(&mut levels)?;
    let peak = track
        .frames
        .iter()
        .map(|f| f.dbfs)
        .fold(f64::NEG_INFINITY, f64::max);
    let clipped = 100.0 * track.clipped_samples as f64 / track.samples.max(1) as f64;
    let mut drops: Vec<f64> = speech
        .unwrap_or_default()
        .iter()
        .filter(|s| s.end - s.start >= MIN_STRETCH_SECONDS)
        .filter_map(|s| {
            let mut body: Vec<f64> = Vec::new();
            let mut end: Vec<f64> = Vec::new();
            for f in voiced
                .iter()
                .filter(|f| f.time >= s.start && f.time <= s.end)
            {
                if f.time >= s.end - END_SECONDS {
                    end.push(f.dbfs);
                } else {
                    body.push(f.dbfs);
                }
            }
            (end.len() >= 5 && body.len() >= 20)
                .then(|| median_of(&mut body).zip(median_of(&mut end)))
                .flatten()
                .map(|(b, e)| b - e)
        })
        .collect();
    let end_drop = median_of(&mut drops).map(round1);
    let third = voiced.len() / 3;
    let trend = (third >= 50).then(|| {
        let mut first: Vec<f64> = voiced[..third].iter().map(|f| f.dbfs).collect();
        let mut last: Vec<f64> = voiced[voiced.len() - third..]
            .iter()
            .map(|f| f.dbfs)
            .collect();
        round1(median_of(&mut last).unwrap_or(0.0) - median_of(&mut first).unwrap_or(0.0))
    });
    let mut warnings = Vec::new();
    if median < QUIET_DBFS {
        warnings.push(format!(
            "The recording is very quiet ({median:.0} dBFS); move closer to the microphone or raise its input level in your system's sound settings."
        ));
    }
    if clipped > CLIPPED_PERCENT {
        warnings.push(format!(
            "The recording clips ({clipped:.1}% of samples at full scale); lower the microphone's input level or move back from it."
        ));
    }
    Some(Loudness {
        median_dbfs: round1(median),
        peak_dbfs: round1(peak),
        clipped_percent: round2(clipped),
        end_drop_db: end_drop,
        trend_db: trend,
        warnings,
    })
}

/// The voice figures of a track.
pub fn measure(track: &Track, speech: Option<&[Span]>) -> Voice {
    let voiced = track.frames.iter().filter(|f| f.hz.is_some()).count();
    Voice {
        voiced_seconds: round1(voiced as f64 * crate::audio::pitch::HOP_SECONDS),
        pitch: pitch(&track.frames),
        loudness: loudness(track, speech),
    }
}

/// The `vocal-variety` check: skipped without audio or with under two seconds of voice.
pub fn check(question: &Question, voice: Option<&Voice>) -> CheckResult {
    let t = &question.delivery;
    let Some(p) = voice.and_then(|v| v.pitch.as_ref()) else {
        let message = if voice.is_some() {
            "Too little voiced speech to judge the pitch."
        } else {
            "Not measured without audio."
        };
        return CheckResult {
            id: "vocal-variety".into(),
            outcome: Outcome::Skipped,
            message: message.into(),
            evidence: Vec::new(),
        };
    };
    let v = p.variety_semitones;
    let (outcome, message) = if v >= t.vocal_variety_pass {
        (
            Outcome::Pass,
            format!("A lively voice: your pitch moves {v:.1} semitones around its middle."),
        )
    } else if v >= t.vocal_variety_warn {
        (
            Outcome::Warn,
            format!(
                "A fairly even voice ({v:.1} semitones of variety); lift the key words and let your voice fall at the end of a point."
            ),
        )
    } else {
        (
            Outcome::Fail,
            format!(
                "A monotone voice ({v:.1} semitones of variety); stress the words that matter and vary your pitch as you would telling a friend."
            ),
        )
    };
    CheckResult {
        id: "vocal-variety".into(),
        outcome,
        message,
        evidence: vec![Evidence {
            quote: format!(
                "pitch {:.0} Hz, {:.0} to {:.0} Hz, {v:.1} semitones of variety",
                p.median_hz, p.low_hz, p.high_hz
            ),
            start: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(hz: impl Fn(usize) -> Option<f64>, n: usize, dbfs: f64) -> Track {
        Track {
            frames: (0..n)
                .map(|i| Frame {
                    time: i as f64 * 0.01,
                    hz: hz(i),
                    dbfs,
                })
                .collect(),
            clipped_samples: 0,
            samples: n * 160,
        }
    }

    #[test]
    fn a_steady_pitch_has_no_variety_and_a_swinging_one_has_some() {
        let flat = pitch(&frames(|_| Some(120.0), 500, -20.0).frames).unwrap();
        assert_eq!(flat.median_hz, 120.0);
        assert_eq!(flat.variety_semitones, 0.0);
        // Half the frames a fifth (7 semitones) above the others.
        let swing =
            pitch(&frames(|i| Some(if i % 2 == 0 { 120.0 } else { 179.8 }), 500, -20.0).frames)
                .unwrap();
        assert!(
            (swing.variety_semitones - 7.0 / 2.563).abs() < 0.05,
            "{swing:?}"
        );
        assert!((swing.range_semitones - 7.0).abs() < 0.1, "{swing:?}");
    }

    #[test]
    fn too_little_voice_gives_no_pitch() {
        assert!(pitch(&frames(|i| (i < 100).then_some(150.0), 500, -20.0).frames).is_none());
    }

    #[test]
    fn a_quiet_recording_warns_about_the_microphone() {
        let l = loudness(&frames(|_| Some(150.0), 500, -50.0), None).unwrap();
        assert_eq!(l.median_dbfs, -50.0);
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].contains("microphone"), "{:?}", l.warnings);
        let ok = loudness(&frames(|_| Some(150.0), 500, -20.0), None).unwrap();
        assert!(ok.warnings.is_empty());
    }

    #[test]
    fn level_falling_at_the_end_of_a_stretch_is_measured() {
        let mut t = frames(|_| Some(150.0), 300, -20.0);
        for f in t.frames.iter_mut().filter(|f| f.time >= 2.0) {
            f.dbfs = -32.0;
        }
        let spans = [Span {
            start: 0.0,
            end: 3.0,
        }];
        let l = loudness(&t, Some(&spans)).unwrap();
        assert_eq!(l.end_drop_db, Some(12.0));
        assert_eq!(l.trend_db, Some(-12.0));
    }
}
