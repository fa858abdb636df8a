//! Audio in and out: reading recordings, resampling to Whisper's 16 kHz mono, and (in later modules)
//! capture, playback and voice activity.

pub mod decode;
pub mod resample;
pub mod device;
pub mod recorder;
pub mod repair;
pub mod vad;
pub mod voice;
