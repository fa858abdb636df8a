//! Reading a recording from disk into Whisper's input: 16 kHz mono `f32` samples.
//!
//! Any common WAV is accepted (1 to 384 kHz, any channel count, 8/16/24/32-bit integer or 32/64-bit
//! float, plain or extensible headers; [`super::wav`] reads it); channels are averaged and the rate is converted with rubato, never by dropping
//! samples. A file cut short (a recording whose writer was killed) keeps what could be read.

use std::path::{Path, PathBuf};

use super::resample::{self, ResampleError, WHISPER_RATE};
use super::wav::{self, WavError};

/// A recording ready for transcription.
#[derive(Debug, Clone)]
pub struct Audio {
    /// 16 kHz mono samples in -1..1.
    pub samples: Vec<f32>,
    /// Length in seconds.
    pub duration_seconds: f64,
    /// The file's own sample rate and channel count, for messages.
    pub source_rate: u32,
    /// The file's channel count.
    pub source_channels: u16,
    /// True when the file ended before its header said it would.
    pub truncated: bool,
}

impl Audio {
    /// Wraps 16 kHz mono samples that are already in memory.
    pub fn from_samples(samples: Vec<f32>) -> Self {
        let duration_seconds = samples.len() as f64 / f64::from(WHISPER_RATE);
        Audio {
            samples,
            duration_seconds,
            source_rate: WHISPER_RATE,
            source_channels: 1,
            truncated: false,
        }
    }
}

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// No such file.
    #[error("`{0}` does not exist; check the path")]
    Missing(PathBuf),
    /// The file could not be opened.
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not a WAV file at all.
    #[error(
        "`{0}` is not a WAV file; convert it first, e.g. `ffmpeg -i INPUT -ar 16000 -ac 1 OUT.wav`"
    )]
    NotWav(PathBuf),
    /// Another audio format under a `.wav` name.
    #[error(
        "`{path}` is {format}, not a WAV file; convert it first, e.g. `ffmpeg -i INPUT -ar 16000 -ac 1 OUT.wav`"
    )]
    OtherFormat { path: PathBuf, format: &'static str },
    /// A folder where a recording was expected.
    #[error("`{0}` is a folder, not a recording; give the path of a WAV file inside it")]
    Directory(PathBuf),
    /// A WAV variant rehearse cannot read.
    #[error(
        "`{path}` is a WAV file rehearse cannot read ({detail}); convert it to 16-bit PCM, e.g. `sox IN -b 16 OUT.wav`"
    )]
    Unsupported { path: PathBuf, detail: String },
    /// A WAV with a damaged header or data.
    #[error("`{path}` is a damaged WAV file ({detail}); record it again or repair it with `sox`")]
    Corrupt { path: PathBuf, detail: String },
    /// A WAV with no samples.
    #[error("`{0}` holds no audio; record an answer first")]
    Empty(PathBuf),
    /// The sample rate cannot be converted.
    #[error("`{path}`: {source}")]
    Resample {
        path: PathBuf,
        source: ResampleError,
    },
}

/// Reads a WAV file as 16 kHz mono samples.
pub fn read_wav(path: &Path) -> Result<Audio, DecodeError> {
    let file = std::fs::File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => DecodeError::Missing(path.to_path_buf()),
        _ => DecodeError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    match file.metadata() {
        Ok(m) if m.is_dir() => return Err(DecodeError::Directory(path.to_path_buf())),
        Ok(m) if m.len() == 0 => return Err(DecodeError::Empty(path.to_path_buf())),
        _ => {}
    }
    let mut reader = std::io::BufReader::new(file);
    let (mono, header, complete) = read_mono(&mut reader).map_err(|err| match err {
        WavError::NotWav(None) => DecodeError::NotWav(path.to_path_buf()),
        WavError::NotWav(Some(format)) => DecodeError::OtherFormat {
            path: path.to_path_buf(),
            format,
        },
        WavError::Unsupported(detail) => DecodeError::Unsupported {
            path: path.to_path_buf(),
            detail,
        },
        WavError::Corrupt(detail) => DecodeError::Corrupt {
            path: path.to_path_buf(),
            detail,
        },
        WavError::Io(detail) => DecodeError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(detail),
        },
    })?;
    if mono.is_empty() {
        return Err(DecodeError::Empty(path.to_path_buf()));
    }
    let samples = resample::to_whisper_rate(&mono, header.sample_rate).map_err(|source| {
        DecodeError::Resample {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let duration_seconds = samples.len() as f64 / f64::from(WHISPER_RATE);
    Ok(Audio {
        samples,
        duration_seconds,
        source_rate: header.sample_rate,
        source_channels: header.channels,
        truncated: !complete || header.truncated(),
    })
}

/// Samples reserved up front at most (a minute at 1 MHz): past that the vector grows as the file is
/// read, so a size field can never make a large allocation on its own.
const RESERVE_LIMIT: u64 = 64 << 20;

/// Reads any WAV as mono samples at its own rate, with its header and whether it was read whole.
/// Every failure is a [`WavError`]; nothing is allocated from a size field beyond the file's length.
pub fn read_mono<R: std::io::Read + std::io::Seek>(
    reader: &mut R,
) -> Result<(Vec<f32>, wav::Header, bool), WavError> {
    let header = wav::read_header(reader)?;
    let mut mono =
        Vec::with_capacity(usize::try_from(header.frames().min(RESERVE_LIMIT)).unwrap_or(0));
    let complete = wav::read_mono(reader, &header, &mut mono)?;
    Ok((mono, header, complete))
}

/// Averages interleaved channels into one.
pub fn mix_to_mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    let scale = 1.0 / channels as f32;
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() * scale)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, spec: hound::WavSpec, frames: usize) {
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames {
            let value = ((i as f32) * 0.05).sin() * 0.5;
            for _ in 0..spec.channels {
                match spec.sample_format {
                    hound::SampleFormat::Float => writer.write_sample(value).unwrap(),
                    hound::SampleFormat::Int => {
                        writer.write_sample((value * 32767.0) as i16).unwrap()
                    }
                }
            }
        }
        writer.finalize().unwrap();
    }

    #[test]
    fn reads_stereo_float_at_44k_as_16k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        write_wav(&path, spec, 44_100);
        let audio = read_wav(&path).unwrap();
        assert_eq!(audio.samples.len(), 16_000);
        assert!((audio.duration_seconds - 1.0).abs() < 1e-9);
        assert_eq!((audio.source_rate, audio.source_channels), (44_100, 2));
    }

    #[test]
    fn reads_16_bit_mono_at_16k_unchanged_in_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        write_wav(&path, spec, 8_000);
        let audio = read_wav(&path).unwrap();
        assert_eq!(audio.samples.len(), 8_000);
        assert!((audio.samples[20] - (1.0f32).sin() * 0.5).abs() < 1e-3);
    }

    #[test]
    fn a_text_file_is_not_a_wav() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(&path, "these are my notes, not audio\n").unwrap();
        assert!(matches!(read_wav(&path), Err(DecodeError::NotWav(_))));
    }

    #[test]
    fn an_empty_file_and_an_empty_wav_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.wav");
        std::fs::write(&zero, b"").unwrap();
        assert!(matches!(read_wav(&zero), Err(DecodeError::Empty(_))));
        let empty = dir.path().join("empty.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        write_wav(&empty, spec, 0);
        assert!(matches!(read_wav(&empty), Err(DecodeError::Empty(_))));
    }

    #[test]
    fn a_cut_short_file_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        write_wav(&path, spec, 16_000);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 10_000]).unwrap();
        let audio = read_wav(&path).unwrap();
        assert!(audio.truncated);
        assert_eq!(audio.samples.len(), 16_000 - 5_000);
    }

    #[test]
    fn a_missing_file_says_so() {
        let err = read_wav(Path::new("/no/such/answer.wav")).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
