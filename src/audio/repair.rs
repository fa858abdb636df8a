//! Repairing a WAV whose header was never finalised (the recorder was killed or lost power).
//!
//! The recorder streams 16 kHz mono PCM to disk and rewrites the header about once a second, so after
//! a crash the file holds more samples than its header admits. [`repair_wav`] extends the header to
//! cover every whole sample on disk. It touches only files in that state: the RIFF size must fall
//! short of the file, and the `data` chunk must be the last chunk the header describes. A complete
//! WAV, or one with chunks after its data, is left alone.
//!
//! A recorder killed before its header first reached the disk leaves less: an empty file, part of
//! the header, or the header with its sizes still zero (how the writer starts them). Such a file
//! is turned into a valid WAV (empty, or covering the audio after the header) rather than removed:
//! the file stays where the user or the history expects it, and a player or `rehearse transcribe`
//! opens it instead of failing on it. Only files that match the recorder's own header are touched,
//! and only rehearse's own recordings: the history's (`recordings/<session>/N.wav`, see
//! [`repair_folder`]) and those `rehearse record` marks while it writes them ([`repair_marked`]).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::recorder::RECORDING_SPEC;

/// What a repair changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    /// The file.
    pub path: PathBuf,
    /// Data bytes the header claimed before.
    pub data_bytes_before: u64,
    /// Data bytes it claims now.
    pub data_bytes_after: u64,
    /// Seconds of audio the header now covers.
    pub seconds: f64,
}

impl Repaired {
    /// What the file holds now, for a notice: `3.2 s`, or that it is empty.
    pub fn holds(&self) -> String {
        if self.data_bytes_after == 0 {
            "no audio: it was stopped before any reached the disk; now an empty WAV".into()
        } else {
            format!("{:.1} s", self.seconds)
        }
    }
}

/// Why a repair could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// The file could not be read or written.
    #[error("cannot repair `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Extends the header of an unfinished WAV to cover all the audio on disk. Returns `Ok(None)` when
/// the file needs nothing (or is not a WAV this can safely fix).
pub fn repair_wav(path: &Path) -> Result<Option<Repaired>, RepairError> {
    let io = |source| RepairError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let Some(plan) = plan_repair(&mut file, file_len).map_err(io)? else {
        return Ok(None);
    };
    if plan.rewrite_header {
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&empty_recording()).map_err(io)?;
    }
    let riff_size = u32::try_from(plan.data_start + plan.data_after - 8).unwrap_or(u32::MAX);
    let data_size = u32::try_from(plan.data_after).unwrap_or(u32::MAX);
    file.seek(SeekFrom::Start(4)).map_err(io)?;
    file.write_all(&riff_size.to_le_bytes()).map_err(io)?;
    file.seek(SeekFrom::Start(plan.data_start - 4))
        .map_err(io)?;
    file.write_all(&data_size.to_le_bytes()).map_err(io)?;
    // A trailing partial sample frame is cut so players see whole frames only.
    file.set_len(plan.data_start + plan.data_after)
        .map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(Some(Repaired {
        path: path.to_path_buf(),
        data_bytes_before: plan.data_before,
        data_bytes_after: plan.data_after,
        seconds: plan.data_after as f64 / f64::from(plan.byte_rate.max(1)),
    }))
}

/// Repairs the history's own recordings directly inside `dir` (a session's recordings folder):
/// files named the way the history names them (`1.wav`, `2.wav`, ...); any other file there is
/// left alone. Files that cannot be read are skipped. Returns what was repaired.
pub fn repair_folder(dir: &Path) -> Vec<Repaired> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut repaired: Vec<Repaired> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| is_history_recording_name(path) && path.is_file())
        .filter_map(|path| repair_wav(&path).ok().flatten())
        .collect();
    repaired.sort_by(|a, b| a.path.cmp(&b.path));
    repaired
}

/// `N.wav` with N a number: how [`crate::history::Store::new_recording`] names a recording.
fn is_history_recording_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".wav"))
        .is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
}

/// The marker `rehearse record` keeps beside a WAV while it records it (`.NAME.wav.recording`):
/// its presence after the run says the WAV is rehearse's own and was left unfinished.
pub fn marker_for(wav: &Path) -> PathBuf {
    let name = wav
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    wav.with_file_name(format!(".{name}.recording"))
}

/// Repairs the WAVs in `dir` that `rehearse record` left unfinished (each has its marker, see
/// [`marker_for`]) and removes their markers. Every other file in `dir` is left untouched: a
/// folder the user names may hold other programs' WAVs that only look unfinished.
pub fn repair_marked(dir: &Path) -> Vec<Repaired> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut repaired = Vec::new();
    for marker in entries.filter_map(Result::ok).map(|e| e.path()) {
        let Some(wav) = marker
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|n| n.strip_suffix(".recording"))
            .map(|name| dir.join(name))
        else {
            continue;
        };
        if wav.is_file() {
            if let Ok(Some(fixed)) = repair_wav(&wav) {
                repaired.push(fixed);
            }
        }
        let _ = std::fs::remove_file(&marker);
    }
    repaired.sort_by(|a, b| a.path.cmp(&b.path));
    repaired
}

struct Plan {
    /// Offset of the first data byte.
    data_start: u64,
    data_before: u64,
    data_after: u64,
    byte_rate: u32,
    /// Write the recorder's whole header first (the file had only part of it).
    rewrite_header: bool,
}

/// The header of a recording with no audio yet, sizes filled in: what the recorder writes first.
fn empty_recording() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    // Writing a fixed, supported spec to memory cannot fail.
    if let Ok(writer) = hound::WavWriter::new(&mut bytes, RECORDING_SPEC) {
        let _ = writer.finalize();
    }
    bytes.into_inner()
}

/// The file is the start of the recorder's header and no more: the recorder was killed before its
/// header reached the disk (nothing at all, for an old rehearse killed within the first second).
fn is_cut_header(file: &mut File, file_len: u64) -> std::io::Result<bool> {
    let header = empty_recording();
    if file_len >= header.len() as u64 {
        return Ok(false);
    }
    let mut start = Vec::new();
    Read::by_ref(file).take(file_len).read_to_end(&mut start)?;
    // The writer fills the RIFF size in later; until then it is zero.
    let mut placeholder = header.clone();
    placeholder[4..8].fill(0);
    Ok([header, placeholder].iter().any(|h| h.starts_with(&start)))
}

fn plan_repair(file: &mut File, file_len: u64) -> std::io::Result<Option<Plan>> {
    if is_cut_header(file, file_len)? {
        let header_len = empty_recording().len() as u64;
        return Ok(Some(Plan {
            data_start: header_len,
            data_before: 0,
            data_after: 0,
            byte_rate: RECORDING_SPEC.sample_rate * u32::from(RECORDING_SPEC.bits_per_sample / 8),
            rewrite_header: true,
        }));
    }
    file.seek(SeekFrom::Start(0))?;
    let mut header = [0u8; 12];
    if file_len < 44 || file.read_exact(&mut header).is_err() {
        return Ok(None);
    }
    if &header[0..4] != b"RIFF" || &header[8..12] != b"WAVE" {
        return Ok(None);
    }
    let riff_size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let riff_end = u64::from(riff_size) + 8;
    let mut offset = 12u64;
    let mut block_align = 0u16;
    let mut byte_rate = 0u32;
    loop {
        let mut chunk = [0u8; 8];
        if offset + 8 > file_len || file.read_exact(&mut chunk).is_err() {
            return Ok(None);
        }
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = offset + 8;
        if &chunk[0..4] == b"fmt " {
            let mut fmt = [0u8; 16];
            if size < 16 || file.read_exact(&mut fmt).is_err() {
                return Ok(None);
            }
            byte_rate = u32::from_le_bytes([fmt[8], fmt[9], fmt[10], fmt[11]]);
            block_align = u16::from_le_bytes([fmt[12], fmt[13]]);
        } else if &chunk[0..4] == b"data" {
            if block_align == 0 {
                return Ok(None);
            }
            let declared_end = body + size;
            let on_disk = file_len - body;
            let whole = on_disk - on_disk % u64::from(block_align);
            // Only a header that stopped short of the file, with data as its last chunk, is the
            // recorder's unfinished state; anything else may be deliberate.
            let data_is_last = riff_end == declared_end || riff_end == declared_end + 1;
            let unfinished = riff_end < file_len && data_is_last;
            // Both sizes still zero: the writer's first header, never filled in (a recorder
            // killed before its first flush); the data chunk is the last it writes.
            let never_sized = riff_size == 0 && size == 0;
            if !(never_sized || unfinished && whole > size) {
                return Ok(None);
            }
            return Ok(Some(Plan {
                data_start: body,
                data_before: size,
                data_after: whole,
                byte_rate,
                rewrite_header: false,
            }));
        }
        offset = body + size + size % 2;
        file.seek(SeekFrom::Start(offset))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> hound::WavSpec {
        hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        }
    }

    #[test]
    fn unfinished_header_is_extended_to_the_data_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        // Simulate the crash by hand: a finalised 1 s file whose header is then rolled back to 0.5 s,
        // plus an odd trailing byte (half a sample).
        let mut writer = hound::WavWriter::create(&path, spec()).unwrap();
        for i in 0..16_000 {
            writer.write_sample((i % 1000) as i16).unwrap();
        }
        writer.finalize().unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let data_at = bytes.windows(4).position(|w| w == b"data").unwrap();
        bytes[data_at + 4..data_at + 8].copy_from_slice(&16_000u32.to_le_bytes());
        let riff = (data_at + 8 + 16_000 - 8) as u32;
        bytes[4..8].copy_from_slice(&riff.to_le_bytes());
        bytes.push(0x7f);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 8000);

        let repaired = repair_wav(&path).unwrap().expect("needs repair");
        assert_eq!(repaired.data_bytes_before, 16_000);
        assert_eq!(repaired.data_bytes_after, 32_000);
        assert!((repaired.seconds - 1.0).abs() < 1e-9);
        let mut reader = hound::WavReader::open(&path).unwrap();
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len(), 16_000);
        assert!(
            samples
                .iter()
                .enumerate()
                .all(|(i, s)| *s == (i % 1000) as i16)
        );
        // Repairing again changes nothing.
        assert!(repair_wav(&path).unwrap().is_none());
    }

    #[test]
    fn a_writer_killed_after_a_flush_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("killed.wav");
        let mut writer = hound::WavWriter::create(&path, spec()).unwrap();
        for i in 0..8000 {
            writer.write_sample((i % 1000) as i16).unwrap();
        }
        writer.flush().unwrap();
        for i in 8000..24_000 {
            writer.write_sample((i % 1000) as i16).unwrap();
        }
        // What SIGKILL does: no destructor, no final header, the buffered tail lost.
        std::mem::forget(writer);
        assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 8000);
        let on_disk = (std::fs::metadata(&path).unwrap().len() - 44) / 2;
        assert!(on_disk > 16_000, "{on_disk}");

        let repaired = repair_wav(&path).unwrap().expect("needs repair");
        assert_eq!(repaired.data_bytes_after, on_disk * 2);
        let mut reader = hound::WavReader::open(&path).unwrap();
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len() as u64, on_disk);
        assert!(
            samples
                .iter()
                .enumerate()
                .all(|(i, s)| *s == (i % 1000) as i16)
        );
    }

    #[test]
    fn complete_and_foreign_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("1.wav");
        let mut writer = hound::WavWriter::create(&good, spec()).unwrap();
        for _ in 0..100 {
            writer.write_sample(1i16).unwrap();
        }
        writer.finalize().unwrap();
        let before = std::fs::read(&good).unwrap();
        // A deliberate trailing chunk after the data is also fine.
        let mut with_list = before.clone();
        with_list.extend_from_slice(b"LIST\x04\x00\x00\x00INFO");
        let riff = (with_list.len() - 8) as u32;
        with_list[4..8].copy_from_slice(&riff.to_le_bytes());
        let listed = dir.path().join("2.wav");
        std::fs::write(&listed, &with_list).unwrap();
        std::fs::write(dir.path().join("3.wav"), b"not a wav at all, just text").unwrap();
        assert!(repair_folder(dir.path()).is_empty());
        assert_eq!(std::fs::read(&good).unwrap(), before);
        assert_eq!(std::fs::read(&listed).unwrap(), with_list);
    }

    #[test]
    fn a_file_cut_before_its_header_becomes_a_valid_empty_wav() {
        // Issue 15: a kill within the first second left a 0-byte WAV, which the repair skipped.
        let dir = tempfile::tempdir().unwrap();
        let header = empty_recording();
        assert_eq!(header.len(), 44);
        let mut placeholder = header.clone();
        placeholder[4..8].fill(0);
        let cases = [
            ("1.wav", Vec::new()),
            ("2.wav", header[..20].to_vec()),
            ("3.wav", placeholder[..30].to_vec()),
            // The writer's first header, sizes never filled in.
            ("4.wav", placeholder.clone()),
        ];
        for (name, bytes) in &cases {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        // The same states under a name the history never gives are not its recordings (issue 16
        // item 5): left alone.
        std::fs::write(dir.path().join("zero.wav"), b"").unwrap();
        std::fs::write(dir.path().join("1a.wav"), &placeholder).unwrap();
        let repaired = repair_folder(dir.path());
        assert_eq!(repaired.len(), cases.len(), "{repaired:?}");
        assert_eq!(std::fs::read(dir.path().join("zero.wav")).unwrap(), b"");
        assert_eq!(
            std::fs::read(dir.path().join("1a.wav")).unwrap(),
            placeholder
        );
        for fixed in &repaired {
            assert_eq!((fixed.data_bytes_after, fixed.seconds), (0, 0.0));
            assert!(fixed.holds().contains("empty WAV"), "{}", fixed.holds());
            let reader = hound::WavReader::open(&fixed.path).unwrap();
            assert_eq!((reader.spec(), reader.duration()), (spec(), 0));
            assert_eq!(std::fs::read(&fixed.path).unwrap(), header);
        }
        // Repaired once; and a valid empty WAV is left alone.
        assert!(repair_folder(dir.path()).is_empty());
    }

    #[test]
    fn audio_after_a_header_never_sized_is_kept() {
        // Killed between the write buffer's first spill (8 KiB, a quarter second) and the first
        // flush: the header still says zero, the audio is on disk.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quarter.wav");
        let mut bytes = empty_recording();
        bytes[4..8].fill(0);
        let samples: Vec<i16> = (0..4096).map(|i| (i % 500) as i16).collect();
        bytes.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        std::fs::write(&path, &bytes).unwrap();
        let fixed = repair_wav(&path).unwrap().expect("needs repair");
        assert_eq!((fixed.data_bytes_before, fixed.data_bytes_after), (0, 8192));
        assert_eq!(fixed.holds(), "0.3 s");
        let mut reader = hound::WavReader::open(&path).unwrap();
        let back: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(back, samples);
    }

    #[test]
    fn short_files_that_are_not_a_cut_recording_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = empty_recording();
        other[24] = 0x44; // another sample rate: not the recorder's header
        std::fs::write(dir.path().join("1.wav"), &other[..30]).unwrap();
        std::fs::write(dir.path().join("2.wav"), b"RIFX").unwrap();
        assert!(repair_folder(dir.path()).is_empty());
        assert_eq!(
            std::fs::read(dir.path().join("1.wav")).unwrap(),
            other[..30]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Any start of a recording, with bytes flipped: the repair never panics, never touches a
        /// file that is not RIFF, and what it repairs reads back as a WAV.
        #[test]
        fn damaged_recordings_never_panic_and_repairs_read_back(
            cut in 0usize..200,
            flips in proptest::collection::vec((0usize..200, proptest::prelude::any::<u8>()), 0..4),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.wav");
            let mut writer = hound::WavWriter::create(&path, spec()).unwrap();
            for i in 0..64i16 {
                writer.write_sample(i * 300).unwrap();
            }
            writer.finalize().unwrap();
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.truncate(cut.min(bytes.len()));
            for (at, value) in flips {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = value;
                }
            }
            std::fs::write(&path, &bytes).unwrap();
            let result = repair_wav(&path);
            let after = std::fs::read(&path).unwrap();
            if bytes.len() >= 4 && !bytes.starts_with(b"RIFF") {
                proptest::prop_assert_eq!(&after, &bytes);
            }
            if let Ok(Some(_)) = result {
                let read = crate::audio::decode::read_mono(&mut std::io::Cursor::new(&after));
                proptest::prop_assert!(read.is_ok(), "{:?}", read.err());
            }
        }
    }
}
