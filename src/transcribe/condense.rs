//! Long silences taken out before Whisper hears the audio, and the words' times put back on the
//! recording's clock afterwards.
//!
//! Whisper was trained on 30 s windows of subtitled speech, where seconds of silence are rare: a
//! lead-in of silence or a long pause inside an answer changes how it decodes the speech around
//! it (on `tiny.en`, a 3 s pause after a 3 s lead-in turned "by a month" into a loop of
//! "a-m-m-m"). So, as faster-whisper's voice filter does, every silence the voice detector hears
//! for longer than [`LONGEST_SILENCE`] is shortened to [`PAD`] of it on each side of the speech,
//! and the transcript's times are mapped back through the cuts. The pauses a candidate made are
//! still there in the word times; only the decoder no longer hears them.

use super::stretches::RATE;
use crate::audio::vad::Span;

/// Silence longer than this (seconds) is shortened.
pub const LONGEST_SILENCE: f64 = 2.0;

/// Silence kept beside speech where a longer silence is shortened (seconds). The voice detector's
/// spans end at the last voiced frame, so this also keeps a word's quiet tail and a soft onset.
pub const PAD: f64 = 0.5;

/// A run of samples kept: where it starts in the condensed audio and in the original.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    condensed: usize,
    original: usize,
    len: usize,
}

/// Audio with its long silences shortened, and the way back to the original's times.
#[derive(Debug, Clone)]
pub struct Condensed {
    /// The samples Whisper hears.
    pub samples: Vec<f32>,
    /// The voice detector's spans, in the condensed audio's time.
    pub spans: Vec<Span>,
    pieces: Vec<Piece>,
}

impl Condensed {
    /// Whether anything was taken out.
    pub fn is_cut(&self) -> bool {
        self.pieces.len() != 1 || self.pieces[0].original != 0
    }

    /// The original time of a moment `t` seconds into the condensed audio. `end` says whether `t`
    /// ends something (a word): a time exactly at a cut then stays before the cut rather than
    /// jumping over the silence taken out.
    pub fn to_original(&self, t: f64, end: bool) -> f64 {
        let at = t.max(0.0) * RATE;
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| {
                let start = p.condensed as f64;
                if end { start < at } else { start <= at }
            })
            .unwrap_or(&self.pieces[0]);
        (piece.original as f64 + (at - piece.condensed as f64).min(piece.len as f64)) / RATE
    }
}

/// `samples` with every silence between, before or after the `spans` (voice, in seconds) that is
/// longer than [`LONGEST_SILENCE`] shortened to [`PAD`] beside the speech. Audio in which the
/// detector hears no voice is kept whole: Whisper may still hear what the detector missed.
pub fn condense(samples: &[f32], spans: &[Span]) -> Condensed {
    let whole = || Condensed {
        samples: samples.to_vec(),
        spans: spans.to_vec(),
        pieces: vec![Piece {
            condensed: 0,
            original: 0,
            len: samples.len(),
        }],
    };
    if spans.is_empty() || samples.is_empty() {
        return whole();
    }
    let to_sample = |t: f64| ((t.max(0.0) * RATE) as usize).min(samples.len());
    let (pad, longest) = (to_sample(PAD), to_sample(LONGEST_SILENCE));
    // The kept ranges of the original, in samples: each span with its pad, merged wherever the
    // silence between two spans is not long enough to shorten.
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for span in spans {
        let (start, end) = (
            to_sample(span.start),
            to_sample(span.end).max(to_sample(span.start)),
        );
        match kept.last_mut() {
            Some(last) if start.saturating_sub(last.1) <= longest => last.1 = end,
            _ => kept.push((start, end)),
        }
    }
    // Silence at either end is kept when it is short, like silence between spans.
    if kept[0].0 <= longest {
        kept[0].0 = 0;
    }
    let last = kept.len() - 1;
    if samples.len() - kept[last].1 <= longest {
        kept[last].1 = samples.len();
    }
    for range in &mut kept {
        range.0 = range.0.saturating_sub(pad);
        range.1 = (range.1 + pad).min(samples.len());
    }
    if kept == [(0, samples.len())] {
        return whole();
    }
    let mut out = Condensed {
        samples: Vec::with_capacity(kept.iter().map(|r| r.1 - r.0).sum()),
        spans: Vec::with_capacity(spans.len()),
        pieces: Vec::with_capacity(kept.len()),
    };
    for (start, end) in kept {
        out.pieces.push(Piece {
            condensed: out.samples.len(),
            original: start,
            len: end - start,
        });
        out.samples.extend_from_slice(&samples[start..end]);
    }
    // Every span lies inside one piece, so it moves by that piece's shift.
    for span in spans {
        let at = to_sample(span.start);
        let piece = out
            .pieces
            .iter()
            .rev()
            .find(|p| p.original <= at)
            .unwrap_or(&out.pieces[0]);
        let shift = (piece.original as f64 - piece.condensed as f64) / RATE;
        out.spans.push(Span {
            start: (span.start - shift).max(0.0),
            end: (span.end - shift).max(0.0),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    fn seconds(s: f64) -> Vec<f32> {
        vec![0.1; (s * RATE) as usize]
    }

    #[test]
    fn a_lead_in_and_a_long_pause_are_shortened_and_times_map_back() {
        // 3 s of lead-in, speech 3-5 s, a 4 s pause, speech 9-10 s, 2 s of tail.
        let audio = seconds(12.0);
        let c = condense(&audio, &[span(3.0, 5.0), span(9.0, 10.0)]);
        assert!(c.is_cut());
        // Kept: 2.5-5.5 s and 8.5-12 s (the tail is short enough to keep whole).
        assert_eq!(c.samples.len(), (6.5 * RATE) as usize);
        assert_eq!(c.spans, vec![span(0.5, 2.5), span(3.5, 4.5)]);
        for (condensed, original) in [(0.0, 2.5), (0.5, 3.0), (2.5, 5.0), (3.5, 9.0), (6.5, 12.0)] {
            assert!(
                (c.to_original(condensed, false) - original).abs() < 1e-9,
                "{condensed} -> {}",
                c.to_original(condensed, false)
            );
        }
        // A word ending exactly at the cut ends before it; one starting there starts after it.
        assert!((c.to_original(3.0, true) - 5.5).abs() < 1e-9);
        assert!((c.to_original(3.0, false) - 8.5).abs() < 1e-9);
    }

    #[test]
    fn short_silences_and_audio_without_voice_are_kept_whole() {
        let audio = seconds(6.0);
        let c = condense(&audio, &[span(1.5, 2.0), span(3.9, 5.0)]);
        assert!(!c.is_cut());
        assert_eq!(c.samples.len(), audio.len());
        assert!((c.to_original(4.2, false) - 4.2).abs() < 1e-9);
        let silent = condense(&audio, &[]);
        assert!(!silent.is_cut());
        assert_eq!(silent.samples.len(), audio.len());
    }
}
