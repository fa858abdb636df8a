//! Sample-rate conversion to Whisper's 16 kHz with rubato's FFT resampler, for whole files and streams.
//!
//! [`StreamResampler`] takes mono samples at any rate in pieces of any size and gives back 16 kHz
//! samples aligned with the input: rubato's filter delay is trimmed at the start and the tail is
//! flushed at the end, so the output has exactly `round(n_in * 16000 / rate)` samples and a word at
//! 1.00 s in the input is at 1.00 s in the output. It allocates, so it belongs on a worker thread,
//! never in an audio callback.

use rubato::{FftFixedIn, Resampler};

/// The sample rate Whisper expects.
pub const WHISPER_RATE: u32 = 16_000;

/// Input frames per resampler call: about 64 ms at 16 kHz, cheap and low-latency enough for capture.
const CHUNK_FRAMES: usize = 1024;

/// Resampling could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    /// The input rate is zero or absurd.
    #[error(
        "cannot resample from {0} Hz; the audio's sample rate must be between 1000 and 384000 Hz"
    )]
    BadRate(u32),
    /// rubato refused.
    #[error("resampler failed: {0}")]
    Rubato(String),
}

/// Streaming mono resampler from any rate to 16 kHz.
pub struct StreamResampler {
    inner: Option<FftFixedIn<f32>>,
    from_rate: u32,
    pending: Vec<f32>,
    to_skip: usize,
    input_total: u64,
    output_total: u64,
}

impl StreamResampler {
    /// A resampler from `from_rate` to 16 kHz; a pass-through when the rate is already 16 kHz.
    pub fn new(from_rate: u32) -> Result<Self, ResampleError> {
        if !(1000..=384_000).contains(&from_rate) {
            return Err(ResampleError::BadRate(from_rate));
        }
        let inner = if from_rate == WHISPER_RATE {
            None
        } else {
            let resampler = FftFixedIn::new(
                from_rate as usize,
                WHISPER_RATE as usize,
                CHUNK_FRAMES,
                2,
                1,
            )
            .map_err(|err| ResampleError::Rubato(err.to_string()))?;
            Some(resampler)
        };
        let to_skip = inner.as_ref().map_or(0, Resampler::output_delay);
        Ok(StreamResampler {
            inner,
            from_rate,
            pending: Vec::with_capacity(CHUNK_FRAMES * 2),
            to_skip,
            input_total: 0,
            output_total: 0,
        })
    }

    /// Feeds samples at the input rate; returns the 16 kHz samples ready so far.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>, ResampleError> {
        self.input_total += samples.len() as u64;
        let Some(resampler) = self.inner.as_mut() else {
            self.output_total += samples.len() as u64;
            return Ok(samples.to_vec());
        };
        self.pending.extend_from_slice(samples);
        let mut out = Vec::new();
        let mut used = 0;
        while self.pending.len() - used >= resampler.input_frames_next() {
            let take = resampler.input_frames_next();
            let chunk = &self.pending[used..used + take];
            let produced = resampler
                .process(&[chunk], None)
                .map_err(|err| ResampleError::Rubato(err.to_string()))?;
            used += take;
            out.extend_from_slice(&produced[0]);
        }
        self.pending.drain(..used);
        Ok(self.trim(out))
    }

    /// Flushes the tail; the stream's total output is then exactly the expected length.
    pub fn finish(&mut self) -> Result<Vec<f32>, ResampleError> {
        let expected = self.expected_output();
        let before = self.output_total;
        let Some(resampler) = self.inner.as_mut() else {
            return Ok(Vec::new());
        };
        let pending = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        let mut first = true;
        // The first partial call takes what is pending (zero-padded); later ones push silence through
        // until the filter's delay has come out too.
        while before + (out.len().saturating_sub(self.to_skip) as u64) < expected {
            // rubato refuses an empty input buffer, which is what is pending when the input was a
            // whole number of chunks: then the flush starts with silence at once.
            let produced = if first && !pending.is_empty() {
                resampler.process_partial(Some(&[pending.as_slice()]), None)
            } else {
                resampler.process_partial::<&[f32]>(None, None)
            }
            .map_err(|err| ResampleError::Rubato(err.to_string()))?;
            first = false;
            if produced[0].is_empty() {
                break;
            }
            out.extend_from_slice(&produced[0]);
        }
        let mut out = self.trim(out);
        out.truncate(usize::try_from(expected.saturating_sub(before)).unwrap_or(usize::MAX));
        self.output_total = before + out.len() as u64;
        Ok(out)
    }

    /// The input rate.
    pub fn from_rate(&self) -> u32 {
        self.from_rate
    }

    fn expected_output(&self) -> u64 {
        (self.input_total * u64::from(WHISPER_RATE) + u64::from(self.from_rate) / 2)
            / u64::from(self.from_rate)
    }

    /// Drops the filter's start-up delay, then counts what is handed out.
    fn trim(&mut self, mut out: Vec<f32>) -> Vec<f32> {
        if self.to_skip > 0 {
            let skip = self.to_skip.min(out.len());
            out.drain(..skip);
            self.to_skip -= skip;
        }
        self.output_total += out.len() as u64;
        out
    }
}

/// Resamples a whole mono signal to 16 kHz.
pub fn to_whisper_rate(samples: &[f32], from_rate: u32) -> Result<Vec<f32>, ResampleError> {
    let mut resampler = StreamResampler::new(from_rate)?;
    let mut out = resampler.push(samples)?;
    out.extend(resampler.finish()?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, freq: f32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    #[test]
    fn a_whole_number_of_chunks_flushes() {
        // 48 kHz, exactly 30 chunks: nothing is pending when the stream ends.
        let input = sine(48_000, 440.0, (30 * CHUNK_FRAMES) as f32 / 48_000.0);
        assert_eq!(input.len(), 30 * CHUNK_FRAMES);
        let out = to_whisper_rate(&input, 48_000).unwrap();
        assert_eq!(out.len(), 30 * CHUNK_FRAMES / 3);
    }

    #[test]
    fn output_length_matches_the_ratio() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let input = sine(rate, 440.0, 1.3);
            let out = to_whisper_rate(&input, rate).unwrap();
            let expected = (input.len() as f64 * 16_000.0 / f64::from(rate)).round() as usize;
            assert_eq!(out.len(), expected, "rate {rate}");
        }
    }

    #[test]
    fn a_tone_keeps_its_pitch_and_level() {
        let out = to_whisper_rate(&sine(48_000, 440.0, 1.0), 48_000).unwrap();
        // Count zero crossings in the steady middle: 440 Hz gives 880 a second.
        let middle = &out[4_000..12_000];
        let crossings = middle
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        assert!((crossings as i64 - 440).abs() <= 2, "crossings {crossings}");
        let peak = middle.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!((peak - 0.5).abs() < 0.02, "peak {peak}");
    }

    #[test]
    fn timing_is_aligned_with_the_input() {
        // A click at 0.5 s must stay at 0.5 s after resampling.
        let rate = 44_100;
        let mut input = vec![0.0f32; rate as usize];
        input[rate as usize / 2] = 1.0;
        let out = to_whisper_rate(&input, rate).unwrap();
        let peak_at = out
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(i, _)| i)
            .unwrap();
        assert!(
            (peak_at as i64 - 8_000).abs() <= 2,
            "click at sample {peak_at}"
        );
    }

    #[test]
    fn streaming_in_odd_pieces_equals_one_piece() {
        let input = sine(44_100, 300.0, 0.7);
        let whole = to_whisper_rate(&input, 44_100).unwrap();
        let mut resampler = StreamResampler::new(44_100).unwrap();
        let mut pieces = Vec::new();
        for chunk in input.chunks(333) {
            pieces.extend(resampler.push(chunk).unwrap());
        }
        pieces.extend(resampler.finish().unwrap());
        assert_eq!(whole.len(), pieces.len());
        let max_diff = whole
            .iter()
            .zip(&pieces)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(max_diff < 1e-5, "max diff {max_diff}");
    }

    #[test]
    fn rejects_a_zero_rate() {
        assert!(StreamResampler::new(0).is_err());
    }
}
