//! Audio in and out: reading recordings ([`decode`]), resampling to Whisper's 16 kHz mono
//! ([`resample`]), every cpal call ([`device`]), recording an answer ([`recorder`]), repairing a WAV a
//! crash left unfinished ([`repair`]), pitch and level ([`pitch`]), voice activity ([`vad`]), the
//! interviewer's voice ([`voice`], with the neural voice's playback in [`neural`]) and the WAV format
//! itself ([`wav`]).

pub mod decode;
pub mod device;
pub mod neural;
pub mod pitch;
pub mod recorder;
pub mod repair;
pub mod resample;
pub mod vad;
pub mod voice;
pub mod wav;
