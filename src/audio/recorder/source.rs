//! Where the recorder's audio comes from: the microphone, or samples in memory.

use super::super::device::{DeviceError, InputStream};

/// Where audio comes from: interleaved `f32` samples at some rate and channel count.
pub trait CaptureSource: Send + 'static {
    /// Samples per second per channel.
    fn rate(&self) -> u32;
    /// Channels (samples are interleaved).
    fn channels(&self) -> u16;
    /// Appends what has arrived since the last call. An error means the source failed; whatever it
    /// appended before failing is still kept.
    fn pop(&mut self, out: &mut Vec<f32>) -> Result<(), DeviceError>;
    /// True when a finite source has nothing more to give.
    fn exhausted(&self) -> bool {
        false
    }
    /// Samples lost because the consumer fell behind.
    fn dropped(&self) -> u64 {
        0
    }
}

impl CaptureSource for InputStream {
    fn rate(&self) -> u32 {
        InputStream::rate(self)
    }
    fn channels(&self) -> u16 {
        InputStream::channels(self)
    }
    fn pop(&mut self, out: &mut Vec<f32>) -> Result<(), DeviceError> {
        InputStream::pop(self, out)
    }
    fn dropped(&self) -> u64 {
        InputStream::dropped(self)
    }
}

/// A source that plays back samples held in memory, a block per call (tests, or feeding a file
/// through the same path as a microphone).
pub struct SamplesSource {
    samples: Vec<f32>,
    rate: u32,
    channels: u16,
    position: usize,
    block: usize,
    fail_at: Option<(usize, DeviceError)>,
}

impl SamplesSource {
    /// Interleaved samples at `rate` with `channels` channels, handed out 10 ms at a time.
    pub fn new(samples: Vec<f32>, rate: u32, channels: u16) -> Self {
        let block = (rate as usize / 100).max(1) * usize::from(channels.max(1));
        SamplesSource {
            samples,
            rate,
            channels: channels.max(1),
            position: 0,
            block,
            fail_at: None,
        }
    }

    /// Makes the source fail with `error` once `position` samples have been handed out (a device
    /// unplugged mid-recording).
    pub fn fail_at(mut self, position: usize, error: DeviceError) -> Self {
        self.fail_at = Some((position, error));
        self
    }
}

impl CaptureSource for SamplesSource {
    fn rate(&self) -> u32 {
        self.rate
    }
    fn channels(&self) -> u16 {
        self.channels
    }
    fn pop(&mut self, out: &mut Vec<f32>) -> Result<(), DeviceError> {
        let mut end = (self.position + self.block).min(self.samples.len());
        if let Some((at, error)) = &self.fail_at {
            end = end.min(*at);
            if self.position >= *at {
                return Err(error.clone());
            }
        }
        out.extend_from_slice(&self.samples[self.position..end]);
        self.position = end;
        Ok(())
    }
    fn exhausted(&self) -> bool {
        self.position >= self.samples.len()
    }
}
