//! A WAV reader of our own, over any `Read + Seek`: the RIFF chunks are walked by seeking, never by
//! allocating what a size field claims, and the samples are streamed into mono `f32` a block at a
//! time. It reads PCM integer (8-bit unsigned, 16/24/32-bit signed, any container the block align
//! gives), IEEE float (32 and 64 bit) and `WAVE_FORMAT_EXTENSIBLE` headers of either. A data chunk
//! that claims more than the file holds is read to the end of the file and marked truncated.
//!
//! A file that is not a WAV is named by its magic bytes ([`sniff`]), so a renamed MP3 is called an
//! MP3 rather than "not a WAV".

use std::io::{Read, Seek, SeekFrom};

/// What a file's first bytes say it is, when it is not a RIFF WAVE.
pub fn sniff(start: &[u8]) -> Option<&'static str> {
    let has = |offset: usize, magic: &[u8]| start.get(offset..offset + magic.len()) == Some(magic);
    if has(0, b"ID3") || (start.len() >= 2 && start[0] == 0xFF && start[1] & 0xE0 == 0xE0) {
        Some("an MP3 file")
    } else if has(0, b"OggS") {
        Some("an Ogg file (Vorbis or Opus)")
    } else if has(0, b"fLaC") {
        Some("a FLAC file")
    } else if has(4, b"ftyp") {
        Some("an MP4/M4A file")
    } else if has(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("a WebM/Matroska file")
    } else if has(0, b"FORM") && (has(8, b"AIFF") || has(8, b"AIFC")) {
        Some("an AIFF file")
    } else if has(0, b"RF64") {
        Some("an RF64 file (a WAV over 4 GB)")
    } else if has(0, b"#!AMR") {
        Some("an AMR file")
    } else {
        None
    }
}

/// How the samples are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Integer PCM; 8-bit is unsigned, wider is signed.
    Int,
    /// IEEE float.
    Float,
}

/// The header facts a reader needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Channels per frame.
    pub channels: u16,
    /// Frames per second.
    pub sample_rate: u32,
    /// Bytes each sample occupies (the container, from the block align).
    pub bytes_per_sample: u16,
    /// Integer or float.
    pub encoding: Encoding,
    /// Offset of the first data byte.
    pub data_start: u64,
    /// Data bytes the header claims.
    pub data_claimed: u64,
    /// Data bytes actually present (whole frames), never more than the file holds.
    pub data_present: u64,
}

impl Header {
    /// Bytes a frame occupies.
    pub fn frame_bytes(&self) -> u64 {
        u64::from(self.channels) * u64::from(self.bytes_per_sample)
    }

    /// Whole frames present in the file.
    pub fn frames(&self) -> u64 {
        self.data_present / self.frame_bytes().max(1)
    }

    /// The file holds less than its header claims.
    pub fn truncated(&self) -> bool {
        self.data_present < self.data_claimed
    }
}

/// Why a WAV cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WavError {
    /// Not RIFF/WAVE at all; the format when its magic bytes were recognised.
    #[error("not a WAV file")]
    NotWav(Option<&'static str>),
    /// A WAV whose encoding is not read here.
    #[error("{0}")]
    Unsupported(String),
    /// A damaged header.
    #[error("{0}")]
    Corrupt(String),
    /// The file could not be read.
    #[error("{0}")]
    Io(String),
}

impl From<std::io::Error> for WavError {
    fn from(err: std::io::Error) -> Self {
        WavError::Io(err.to_string())
    }
}

/// Chunks walked before the data chunk at most: real files have a handful.
const MAX_CHUNKS: usize = 4096;

/// The `fmt ` bytes read at most: WAVEFORMATEXTENSIBLE is 40.
const FMT_BYTES: usize = 40;

/// Reads the header up to the first data byte and leaves `reader` there.
pub fn read_header<R: Read + Seek>(reader: &mut R) -> Result<Header, WavError> {
    let file_len = reader.seek(SeekFrom::End(0))?;
    reader.seek(SeekFrom::Start(0))?;
    let mut start = [0u8; 12];
    let got = read_up_to(reader, &mut start)?;
    if got < 12 || &start[0..4] != b"RIFF" || &start[8..12] != b"WAVE" {
        return Err(WavError::NotWav(sniff(&start[..got])));
    }
    let mut format: Option<Format> = None;
    let mut offset = 12u64;
    for _ in 0..MAX_CHUNKS {
        reader.seek(SeekFrom::Start(offset))?;
        let mut chunk = [0u8; 8];
        if read_up_to(reader, &mut chunk)? < 8 {
            return Err(WavError::Corrupt(if format.is_some() {
                "no data chunk".into()
            } else {
                "no fmt chunk".into()
            }));
        }
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = offset + 8;
        match &chunk[0..4] {
            b"fmt " => {
                let mut bytes = [0u8; FMT_BYTES];
                let want = usize::try_from(size).unwrap_or(FMT_BYTES).min(FMT_BYTES);
                let got = read_up_to(reader, &mut bytes[..want])?;
                format = Some(parse_fmt(&bytes[..got])?);
            }
            b"data" => {
                let Some(format) = format else {
                    return Err(WavError::Corrupt("the data chunk comes before fmt".into()));
                };
                return Ok(format.header(body, size, file_len));
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        offset = body + size + (size & 1);
        if offset >= file_len {
            return Err(WavError::Corrupt(if format.is_some() {
                "no data chunk".into()
            } else {
                "no fmt chunk".into()
            }));
        }
    }
    Err(WavError::Corrupt(format!(
        "more than {MAX_CHUNKS} chunks before the data"
    )))
}

#[derive(Debug, Clone, Copy)]
struct Format {
    channels: u16,
    sample_rate: u32,
    bytes_per_sample: u16,
    encoding: Encoding,
}

impl Format {
    fn header(self, data_start: u64, claimed: u64, file_len: u64) -> Header {
        let available = file_len.saturating_sub(data_start);
        // Writers that stream set the size to 0xFFFFFFFF: the data runs to the end of the file.
        let claimed = if claimed == u64::from(u32::MAX) {
            available
        } else {
            claimed
        };
        let frame = u64::from(self.channels) * u64::from(self.bytes_per_sample);
        let present = claimed.min(available) / frame * frame;
        Header {
            channels: self.channels,
            sample_rate: self.sample_rate,
            bytes_per_sample: self.bytes_per_sample,
            encoding: self.encoding,
            data_start,
            data_claimed: claimed,
            data_present: present,
        }
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn parse_fmt(bytes: &[u8]) -> Result<Format, WavError> {
    if bytes.len() < 16 {
        return Err(WavError::Corrupt(format!(
            "a fmt chunk of {} bytes (at least 16 expected)",
            bytes.len()
        )));
    }
    let mut tag = u16_at(bytes, 0);
    let channels = u16_at(bytes, 2);
    let sample_rate = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let block_align = u16_at(bytes, 12);
    let bits = u16_at(bytes, 14);
    if tag == 0xFFFE {
        // WAVEFORMATEXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
        if bytes.len() < 40 {
            return Err(WavError::Corrupt(
                "an extensible fmt chunk shorter than 40 bytes".into(),
            ));
        }
        tag = u16_at(bytes, 24);
    }
    let encoding = match tag {
        1 => Encoding::Int,
        3 => Encoding::Float,
        other => return Err(WavError::Unsupported(encoding_name(other))),
    };
    if channels == 0 {
        return Err(WavError::Corrupt("zero channels".into()));
    }
    if sample_rate == 0 {
        return Err(WavError::Corrupt("a sample rate of 0 Hz".into()));
    }
    // The container size comes from the block align when it is consistent, else from the bits.
    let from_bits = bits.div_ceil(8);
    let bytes_per_sample = if block_align != 0 && block_align.is_multiple_of(channels) {
        block_align / channels
    } else {
        from_bits
    };
    let fits = match encoding {
        Encoding::Int => (1..=4).contains(&bytes_per_sample),
        Encoding::Float => bytes_per_sample == 4 || bytes_per_sample == 8,
    };
    if !fits || from_bits > bytes_per_sample || bits == 0 {
        let kind = match encoding {
            Encoding::Int => "integer",
            Encoding::Float => "float",
        };
        return Err(WavError::Unsupported(format!(
            "{bits}-bit {kind} samples in {bytes_per_sample}-byte containers"
        )));
    }
    Ok(Format {
        channels,
        sample_rate,
        bytes_per_sample,
        encoding,
    })
}

fn encoding_name(tag: u16) -> String {
    let name = match tag {
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "mu-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x50 => "MPEG",
        0x55 => "MP3",
        _ => return format!("encoding 0x{tag:04X}"),
    };
    format!("{name} encoding")
}

/// Bytes read a call: whole frames of at most this many bytes.
const BLOCK_BYTES: usize = 1 << 16;

/// Streams the data as mono `f32` (channels averaged) into `out`; the reader must be at the data
/// start ([`read_header`] leaves it there). Returns false when the file ended early.
pub fn read_mono<R: Read>(
    reader: &mut R,
    header: &Header,
    out: &mut Vec<f32>,
) -> Result<bool, WavError> {
    let frame = usize::try_from(header.frame_bytes()).unwrap_or(usize::MAX);
    if frame == 0 || frame > BLOCK_BYTES {
        return Err(WavError::Unsupported(format!(
            "{} channels",
            header.channels
        )));
    }
    let mut block = vec![0u8; BLOCK_BYTES / frame * frame];
    let mut left = header.data_present;
    let scale = 1.0 / f32::from(header.channels);
    let width = usize::from(header.bytes_per_sample);
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(block.len());
        let got = read_up_to(reader, &mut block[..want])?;
        let whole = got / frame * frame;
        for frame_bytes in block[..whole].chunks_exact(frame) {
            let sum: f32 = frame_bytes
                .chunks_exact(width)
                .map(|sample| sample_value(sample, header.encoding))
                .sum();
            out.push(sum * scale);
        }
        left -= whole as u64;
        if got < want {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One little-endian sample in -1..1; non-finite floats read as silence.
fn sample_value(bytes: &[u8], encoding: Encoding) -> f32 {
    match (encoding, bytes.len()) {
        (Encoding::Float, 4) => {
            let value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            if value.is_finite() {
                value.clamp(-1.0, 1.0)
            } else {
                0.0
            }
        }
        (Encoding::Float, 8) => {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(bytes);
            let value = f64::from_le_bytes(raw);
            if value.is_finite() {
                value.clamp(-1.0, 1.0) as f32
            } else {
                0.0
            }
        }
        (Encoding::Int, 1) => (f32::from(bytes[0]) - 128.0) / 128.0,
        (Encoding::Int, n @ 2..=4) => {
            // Place the sample in the top bytes of an i32, so the sign extends and the scale is fixed.
            let mut raw = [0u8; 4];
            raw[4 - n..].copy_from_slice(bytes);
            i32::from_le_bytes(raw) as f32 / 2_147_483_648.0
        }
        _ => 0.0,
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests;
