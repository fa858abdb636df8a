//! Pitch and level of 16 kHz mono audio, frame by frame: the fundamental frequency of voiced frames
//! (YIN, from the `pitch-detection` crate) and each frame's level in dBFS.
//!
//! [`PitchTracker`] takes samples as they arrive, so the work can run while the answer is spoken;
//! [`track`] runs it over a whole recording. Frames are 64 ms long every 10 ms (Praat's default step
//! for a 75 Hz floor), each timed at its centre.
//!
//! Why YIN from `pitch-detection` and not pYIN (the `pyin` crate): pYIN's voicing model is a Viterbi
//! pass over the whole answer with a dense transition matrix (hundreds of states squared per frame),
//! far over the analysis budget for a two-minute answer and impossible to run as the audio arrives,
//! and the crate pulls in ndarray, nalgebra and a second zip. YIN is one FFT per frame. Its weak spot,
//! octave jumps, is handled here: frequencies outside a speaking range are unvoiced, and a voiced
//! frame an octave away from the median of its neighbours is folded back.

use pitch_detection::detector::PitchDetector;
use pitch_detection::detector::yin::YINDetector;

/// The sample rate the tracker expects.
pub const SAMPLE_RATE: usize = 16_000;
/// Samples in one analysis frame (64 ms: two periods of the lowest pitch fit in its half).
pub const FRAME: usize = 1024;
/// Samples between frames (10 ms).
pub const HOP: usize = 160;
/// Seconds between frames.
pub const HOP_SECONDS: f64 = HOP as f64 / SAMPLE_RATE as f64;
/// Lowest pitch taken as a voice, Hz (Praat's default floor is 75).
pub const MIN_HZ: f64 = 60.0;
/// Highest pitch taken as a voice, Hz.
pub const MAX_HZ: f64 = 500.0;
/// YIN's clarity a frame needs to count as voiced (a YIN threshold of 0.3: against Praat on the shared
/// speech it finds half again as many voiced frames as 0.2, with the same accuracy).
const CLARITY: f32 = 0.7;
/// Frames quieter than this (dBFS) are not searched for a pitch.
const SILENCE_DBFS: f64 = -55.0;
/// A sample at or above this magnitude counts as clipped.
const CLIP: f32 = 0.99;

/// One analysis frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The frame's centre, seconds from the start of the audio.
    pub time: f64,
    /// Fundamental frequency in Hz, when the frame is voiced.
    pub hz: Option<f64>,
    /// RMS level in dBFS (full scale sine = -3 dBFS); `-100` for digital silence.
    pub dbfs: f64,
}

/// The frames of a recording and its clipped samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    /// Every frame in time order.
    pub frames: Vec<Frame>,
    /// Samples at or near full scale.
    pub clipped_samples: usize,
    /// Samples seen.
    pub samples: usize,
}

/// Frame-by-frame pitch and level of audio pushed in pieces.
pub struct PitchTracker {
    detector: YINDetector<f32>,
    pending: Vec<f32>,
    /// Index of the first sample in `pending`, from the start of the audio.
    offset: usize,
    raw: Vec<Frame>,
    clipped: usize,
    samples: usize,
}

impl std::fmt::Debug for PitchTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PitchTracker")
            .field("samples", &self.samples)
            .field("frames", &self.raw.len())
            .finish_non_exhaustive()
    }
}

impl Default for PitchTracker {
    fn default() -> Self {
        Self::new()
    }
}

impl PitchTracker {
    /// A tracker at the start of the audio.
    pub fn new() -> PitchTracker {
        PitchTracker {
            detector: YINDetector::new(FRAME, FRAME / 2),
            pending: Vec::with_capacity(FRAME * 4),
            offset: 0,
            raw: Vec::new(),
            clipped: 0,
            samples: 0,
        }
    }

    /// Takes the next samples (16 kHz mono) and analyses every frame they complete.
    pub fn push(&mut self, samples: &[f32]) {
        self.samples += samples.len();
        self.clipped += samples.iter().filter(|s| s.abs() >= CLIP).count();
        self.pending.extend_from_slice(samples);
        let mut start = 0;
        while start + FRAME <= self.pending.len() {
            let frame = &self.pending[start..start + FRAME];
            let time = (self.offset + start + FRAME / 2) as f64 / SAMPLE_RATE as f64;
            let f = analyse(&mut self.detector, frame, time);
            self.raw.push(f);
            start += HOP;
        }
        self.pending.drain(..start);
        self.offset += start;
    }

    /// Samples pushed so far.
    pub fn samples_pushed(&self) -> usize {
        self.samples
    }

    /// The frames so far, with octave jumps folded back.
    pub fn finish(&self) -> Track {
        Track {
            frames: fold_octaves(&self.raw),
            clipped_samples: self.clipped,
            samples: self.samples,
        }
    }
}

/// Pitch and level of a whole recording (16 kHz mono).
pub fn track(samples: &[f32]) -> Track {
    let mut t = PitchTracker::new();
    t.push(samples);
    t.finish()
}

fn analyse(detector: &mut YINDetector<f32>, frame: &[f32], time: f64) -> Frame {
    let power: f32 = frame.iter().map(|s| s * s).sum();
    let rms = (f64::from(power) / frame.len() as f64).sqrt();
    let dbfs = if rms > 0.0 {
        (20.0 * rms.log10()).max(-100.0)
    } else {
        -100.0
    };
    let hz = if dbfs < SILENCE_DBFS {
        None
    } else {
        detector
            .get_pitch(frame, SAMPLE_RATE, 0.0, CLARITY)
            .map(|p| f64::from(p.frequency))
            .filter(|hz| (MIN_HZ..=MAX_HZ).contains(hz))
    };
    Frame { time, hz, dbfs }
}

/// Folds a voiced frame that sits about an octave above or below the median of the voiced frames
/// around it (half a second each side) back to that octave, and drops it when folding does not bring
/// it within a few semitones.
fn fold_octaves(raw: &[Frame]) -> Vec<Frame> {
    const REACH: usize = 50;
    let mut out = raw.to_vec();
    let mut near: Vec<f64> = Vec::with_capacity(2 * REACH + 1);
    for (i, f) in raw.iter().enumerate() {
        let Some(hz) = f.hz else { continue };
        near.clear();
        let lo = i.saturating_sub(REACH);
        let hi = (i + REACH + 1).min(raw.len());
        near.extend(raw[lo..hi].iter().filter_map(|f| f.hz));
        if near.len() < 5 {
            continue;
        }
        near.sort_by(f64::total_cmp);
        let median = near[near.len() / 2];
        let st = 12.0 * (hz / median).log2();
        let folded = if st > 9.0 {
            hz / 2.0
        } else if st < -9.0 {
            hz * 2.0
        } else {
            hz
        };
        let st = 12.0 * (folded / median).log2();
        out[i].hz = (st.abs() <= 9.0 && (MIN_HZ..=MAX_HZ).contains(&folded)).then_some(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, seconds: f64, amplitude: f32) -> Vec<f32> {
        (0..(seconds * SAMPLE_RATE as f64) as usize)
            .map(|i| {
                let t = i as f64 / SAMPLE_RATE as f64;
                // A few harmonics, as a voice has.
                let x = (2.0 * std::f64::consts::PI * hz * t).sin()
                    + 0.5 * (4.0 * std::f64::consts::PI * hz * t).sin()
                    + 0.25 * (6.0 * std::f64::consts::PI * hz * t).sin();
                amplitude * (x / 1.75) as f32
            })
            .collect()
    }

    #[test]
    fn a_steady_tone_reads_at_its_pitch() {
        let t = track(&tone(140.0, 1.0, 0.3));
        let voiced: Vec<f64> = t.frames.iter().filter_map(|f| f.hz).collect();
        assert!(voiced.len() > 80, "{} voiced frames", voiced.len());
        for hz in voiced {
            assert!((hz - 140.0).abs() < 2.0, "{hz} Hz");
        }
    }

    #[test]
    fn silence_has_no_pitch_and_a_low_level() {
        let t = track(&vec![0.0; SAMPLE_RATE]);
        assert!(t.frames.iter().all(|f| f.hz.is_none() && f.dbfs <= -99.0));
    }

    #[test]
    fn pieces_give_the_same_frames_as_the_whole() {
        let audio = tone(220.0, 0.7, 0.2);
        let whole = track(&audio);
        let mut t = PitchTracker::new();
        for piece in audio.chunks(333) {
            t.push(piece);
        }
        assert_eq!(t.finish(), whole);
    }

    #[test]
    fn clipped_samples_are_counted() {
        let t = track(&tone(200.0, 0.5, 1.5));
        assert!(t.clipped_samples > 100);
    }
}
