//! `Safetensors`: a `.safetensors` file read without trusting it. The header is parsed and every
//! tensor's type, shape and byte range are checked against the file's real length before any weight
//! is read, so a truncated download or a foreign file is an error with a reason, never a panic or a
//! read past the end.
//!
//! The format: 8 bytes (little-endian u64) giving the header's length, the header (JSON: tensor name
//! to `dtype`, `shape` and `data_offsets` relative to the end of the header, plus an optional
//! `__metadata__` map), then the tensors' bytes, which must exactly fill the rest of the file.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::EmbedError;

/// A tensor read whole: its shape and its values.
pub(crate) type Floats = (Vec<usize>, Vec<f32>);

/// safetensors' own limit on the header, so a garbage length cannot make us allocate gigabytes.
const MAX_HEADER: u64 = 100_000_000;

/// The element types of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dtype {
    Bool,
    U8,
    I8,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

impl Dtype {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "BOOL" => Dtype::Bool,
            "U8" => Dtype::U8,
            "I8" => Dtype::I8,
            "I16" => Dtype::I16,
            "U16" => Dtype::U16,
            "F16" => Dtype::F16,
            "BF16" => Dtype::BF16,
            "I32" => Dtype::I32,
            "U32" => Dtype::U32,
            "F32" => Dtype::F32,
            "F64" => Dtype::F64,
            "I64" => Dtype::I64,
            "U64" => Dtype::U64,
            _ => return None,
        })
    }

    /// Bytes per element.
    fn size(self) -> u64 {
        match self {
            Dtype::Bool | Dtype::U8 | Dtype::I8 => 1,
            Dtype::I16 | Dtype::U16 | Dtype::F16 | Dtype::BF16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::F64 | Dtype::I64 | Dtype::U64 => 8,
        }
    }
}

/// One tensor's entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TensorInfo {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Byte range in the file (absolute).
    pub start: u64,
    pub end: u64,
}

/// A checked safetensors file: its tensors' places, not their contents.
#[derive(Debug, Clone)]
pub(crate) struct Safetensors {
    pub path: PathBuf,
    pub file_size: u64,
    pub tensors: BTreeMap<String, TensorInfo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

impl Safetensors {
    /// Reads and checks the header of `path`.
    pub fn inspect(path: &Path) -> Result<Self, EmbedError> {
        let read_error = |error| EmbedError::Read {
            path: path.to_path_buf(),
            error,
        };
        let mut file = std::fs::File::open(path).map_err(read_error)?;
        let file_size = file.metadata().map_err(read_error)?.len();
        let mut len = [0u8; 8];
        if file_size < 8 {
            return Err(weights(
                path,
                format!("the file has only {file_size} bytes"),
            ));
        }
        file.read_exact(&mut len).map_err(read_error)?;
        let header_len = u64::from_le_bytes(len);
        if header_len > MAX_HEADER || header_len > file_size - 8 {
            return Err(weights(
                path,
                format!(
                    "its header claims {header_len} bytes but the file has {file_size}; it is not a safetensors file or it was cut short"
                ),
            ));
        }
        let mut header = vec![0u8; header_len as usize];
        file.read_exact(&mut header).map_err(read_error)?;
        Self::from_header(path, file_size, &header)
    }

    /// Checks a header (the bytes after the length) for a file of `file_size` bytes.
    fn from_header(path: &Path, file_size: u64, header: &[u8]) -> Result<Self, EmbedError> {
        let data_start = 8 + header.len() as u64;
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_slice(header)
            .map_err(|err| weights(path, format!("its header is not valid JSON: {err}")))?;
        let mut tensors = BTreeMap::new();
        for (name, value) in raw {
            if name == "__metadata__" {
                continue;
            }
            let entry: RawEntry = serde_json::from_value(value)
                .map_err(|err| weights(path, format!("tensor `{name}` is malformed: {err}")))?;
            let dtype = Dtype::parse(&entry.dtype).ok_or_else(|| {
                weights(
                    path,
                    format!("tensor `{name}` has an unknown type `{}`", entry.dtype),
                )
            })?;
            let [begin, end] = entry.data_offsets;
            let elements = entry
                .shape
                .iter()
                .try_fold(1u64, |n, &d| n.checked_mul(d))
                .and_then(|n| n.checked_mul(dtype.size()));
            let absolute_end = data_start.checked_add(end);
            match (elements, absolute_end) {
                (Some(bytes), Some(absolute_end)) if begin <= end && end - begin == bytes => {
                    if absolute_end > file_size {
                        return Err(weights(
                            path,
                            format!(
                                "tensor `{name}` needs bytes up to {absolute_end} but the file ends at {file_size}; the download was cut short"
                            ),
                        ));
                    }
                }
                _ => {
                    return Err(weights(
                        path,
                        format!(
                            "tensor `{name}` has a byte range {begin}..{end} that does not match its shape {:?}",
                            entry.shape
                        ),
                    ));
                }
            }
            let shape = entry
                .shape
                .iter()
                .map(|&d| usize::try_from(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| weights(path, format!("tensor `{name}` is too large")))?;
            tensors.insert(
                name,
                TensorInfo {
                    dtype,
                    shape,
                    start: data_start + begin,
                    end: data_start + end,
                },
            );
        }
        check_layout(path, file_size, data_start, &tensors)?;
        Ok(Safetensors {
            path: path.to_path_buf(),
            file_size,
            tensors,
        })
    }

    /// Every tensor of a safetensors file held in memory (`label` names it in errors), checked like a
    /// file, as 32-bit floats with their shapes. Only F32 tensors are accepted.
    pub fn read_all_f32(
        label: &Path,
        bytes: &[u8],
    ) -> Result<BTreeMap<String, Floats>, EmbedError> {
        let size = bytes.len() as u64;
        let header_len = bytes
            .get(..8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            .filter(|&n| n <= MAX_HEADER && n <= size.saturating_sub(8))
            .ok_or_else(|| {
                weights(
                    label,
                    "it is not a safetensors file or it was cut short".into(),
                )
            })?;
        let file = Self::from_header(label, size, &bytes[8..8 + header_len as usize])?;
        let mut out = BTreeMap::new();
        for (name, info) in file.tensors {
            if info.dtype != Dtype::F32 {
                return Err(weights(
                    label,
                    format!("tensor `{name}` is {:?}, expected F32", info.dtype),
                ));
            }
            let values = bytes[info.start as usize..info.end as usize]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            out.insert(name, (info.shape, values));
        }
        Ok(out)
    }

    /// The tensor `name` as 32-bit floats, read from the file in pieces (no second copy of the weights).
    pub fn read_f32(&self, name: &str) -> Result<Vec<f32>, EmbedError> {
        let info = self
            .tensors
            .get(name)
            .ok_or_else(|| weights(&self.path, format!("it has no tensor `{name}`")))?;
        if info.dtype != Dtype::F32 {
            return Err(weights(
                &self.path,
                format!("tensor `{name}` is {:?}, expected F32", info.dtype),
            ));
        }
        let read_error = |error| EmbedError::Read {
            path: self.path.clone(),
            error,
        };
        let mut file = std::fs::File::open(&self.path).map_err(read_error)?;
        file.seek(SeekFrom::Start(info.start)).map_err(read_error)?;
        let count = ((info.end - info.start) / 4) as usize;
        let mut values = Vec::with_capacity(count);
        let mut buf = vec![0u8; (1 << 16).min(count * 4)];
        let mut left = count * 4;
        while left > 0 {
            let n = left.min(buf.len());
            file.read_exact(&mut buf[..n]).map_err(|err| {
                if err.kind() == std::io::ErrorKind::UnexpectedEof {
                    weights(
                        &self.path,
                        format!(
                            "the file ended inside tensor `{name}`; it changed after it was checked"
                        ),
                    )
                } else {
                    read_error(err)
                }
            })?;
            values.extend(
                buf[..n]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            left -= n;
        }
        Ok(values)
    }
}

/// Tensors must not overlap and must fill the data area exactly, as safetensors itself requires: a
/// gap or trailing bytes mean the file is not what its header says.
fn check_layout(
    path: &Path,
    file_size: u64,
    data_start: u64,
    tensors: &BTreeMap<String, TensorInfo>,
) -> Result<(), EmbedError> {
    let mut ranges: Vec<(u64, u64, &str)> = tensors
        .iter()
        .map(|(name, t)| (t.start, t.end, name.as_str()))
        .collect();
    ranges.sort_unstable();
    let mut at = data_start;
    for (start, end, name) in ranges {
        if start != at {
            let what = if start < at {
                "overlaps the one before it"
            } else {
                "leaves a gap before it"
            };
            return Err(weights(path, format!("tensor `{name}` {what}")));
        }
        at = end;
    }
    if at != file_size {
        return Err(weights(
            path,
            format!(
                "the tensors end at byte {at} but the file has {file_size}; it is not the file its header describes"
            ),
        ));
    }
    Ok(())
}

fn weights(path: &Path, reason: String) -> EmbedError {
    EmbedError::Weights {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A safetensors file's bytes with these F32 tensors, in order.
    pub(crate) fn build(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        header.insert("__metadata__".into(), serde_json::json!({ "format": "pt" }));
        let mut data = Vec::new();
        for (name, shape, values) in tensors {
            let begin = data.len();
            for v in values {
                data.extend_from_slice(&v.to_le_bytes());
            }
            header.insert(
                (*name).into(),
                serde_json::json!({ "dtype": "F32", "shape": shape, "data_offsets": [begin, data.len()] }),
            );
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(&header);
        out.extend_from_slice(&data);
        out
    }

    fn write(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn reason(result: Result<Safetensors, EmbedError>) -> String {
        match result {
            Err(EmbedError::Weights { reason, .. }) => reason,
            other => panic!("expected a weights error, got {other:?}"),
        }
    }

    fn two_tensors() -> Vec<u8> {
        build(&[
            ("a", vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            ("b", vec![2], vec![-1.5, 0.25]),
        ])
    }

    #[test]
    fn a_valid_file_is_read_back_exactly() {
        let (_dir, path) = write(&two_tensors());
        let file = Safetensors::inspect(&path).unwrap();
        assert_eq!(file.tensors.len(), 2);
        assert_eq!(file.tensors["a"].shape, vec![2, 3]);
        assert_eq!(
            file.read_f32("a").unwrap(),
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        assert_eq!(file.read_f32("b").unwrap(), vec![-1.5, 0.25]);
        assert!(file.read_f32("c").is_err());
    }

    #[test]
    fn a_file_cut_short_names_the_tensor_that_does_not_fit() {
        let bytes = two_tensors();
        let (_dir, path) = write(&bytes[..bytes.len() - 1]);
        let why = reason(Safetensors::inspect(&path));
        assert!(
            why.contains("tensor `b`") && why.contains("cut short"),
            "{why}"
        );
        let (_dir, path) = write(&bytes[..bytes.len() - 9]);
        assert!(reason(Safetensors::inspect(&path)).contains("cut short"));
        let (_dir, path) = write(&bytes[..20]);
        assert!(reason(Safetensors::inspect(&path)).contains("header claims"));
        let (_dir, path) = write(&bytes[..3]);
        assert!(reason(Safetensors::inspect(&path)).contains("only 3 bytes"));
    }

    #[test]
    fn garbage_trailing_bytes_and_bad_ranges_are_refused() {
        let (_dir, path) = write(b"\xff\xff\xff\xff\xff\xff\xff\xffhello");
        assert!(reason(Safetensors::inspect(&path)).contains("header claims"));

        let mut bytes = two_tensors();
        bytes.extend_from_slice(b"extra");
        let (_dir, path) = write(&bytes);
        assert!(reason(Safetensors::inspect(&path)).contains("the file has"));

        let header = br#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 8]);
        let (_dir, path) = write(&bytes);
        assert!(reason(Safetensors::inspect(&path)).contains("does not match its shape"));

        let header = br#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 6]);
        let (_dir, path) = write(&bytes);
        assert!(reason(Safetensors::inspect(&path)).contains("overlaps"));

        let header = br#"{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.push(0);
        let (_dir, path) = write(&bytes);
        assert!(reason(Safetensors::inspect(&path)).contains("unknown type"));

        let header =
            br#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        let (_dir, path) = write(&bytes);
        assert!(reason(Safetensors::inspect(&path)).contains("does not match its shape"));

        let (_dir, path) = write(b"\x04\x00\x00\x00\x00\x00\x00\x00nope");
        assert!(reason(Safetensors::inspect(&path)).contains("not valid JSON"));
    }
}
