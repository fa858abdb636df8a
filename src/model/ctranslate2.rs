//! Reading a CTranslate2 (faster-whisper) model directory: `model.bin`, the vocabulary, `config.json`.
//!
//! `model.bin` is little-endian: `u32` version, the spec name, `u32` revision, `u32` variable count,
//! then per variable its name, `u8` rank, `u32` dims, `u8` dtype (0 f32, 1 i8, 2 i16, 3 i32, 4 f16,
//! 5 bf16), `u32` byte count and the raw data; then `u32` alias count and (alias, target) pairs.
//! Strings are a `u16` length (counting a trailing NUL) and the bytes.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// One variable (tensor or scalar) of the model.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Shape, outermost first.
    pub dims: Vec<usize>,
    /// Element type.
    pub dtype: DType,
    /// Raw little-endian data.
    pub data: Vec<u8>,
}

/// CTranslate2 element types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            DType::F32 | DType::I32 => 4,
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
        }
    }
}

impl Variable {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// True for a tensor with no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f32 (integers converted as numbers).
    pub fn to_f32(&self) -> Vec<f32> {
        let d = &self.data;
        match self.dtype {
            DType::F32 => d
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            DType::F16 => d
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            DType::BF16 => d
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            DType::I8 => d.iter().map(|&b| f32::from(b as i8)).collect(),
            DType::I16 => d
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])))
                .collect(),
            DType::I32 => d
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32)
                .collect(),
        }
    }

    /// A scalar integer value (for `num_heads` and flags).
    pub fn as_int(&self) -> Option<i64> {
        (self.len() == 1).then(|| self.to_f32()[0] as i64)
    }
}

/// A parsed `model.bin`.
#[derive(Debug)]
pub struct Ct2Model {
    /// The spec name (`WhisperSpec`).
    pub spec: String,
    /// Variables by name.
    pub variables: BTreeMap<String, Variable>,
    /// Alias name to target name.
    pub aliases: BTreeMap<String, String>,
    /// Tokens in id order, as GPT-2 byte-level strings.
    pub vocabulary: Vec<String>,
}

/// Why a directory is not a usable CTranslate2 Whisper model.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("`{0}` is not a folder; pass the faster-whisper model folder that holds model.bin")]
    NotADir(PathBuf),
    #[error(
        "`{0}` is missing; a faster-whisper model folder holds model.bin, config.json and vocabulary.txt or vocabulary.json"
    )]
    MissingFile(PathBuf),
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is not a CTranslate2 model file ({detail})")]
    Format { path: PathBuf, detail: String },
    #[error("`{path}` is a CTranslate2 `{spec}` model, not Whisper; pass a faster-whisper model")]
    NotWhisper { path: PathBuf, spec: String },
    #[error("the vocabulary `{path}` cannot be read ({detail})")]
    Vocabulary { path: PathBuf, detail: String },
}

/// Reads a faster-whisper model folder.
pub fn read_dir(dir: &Path) -> Result<Ct2Model, Ct2Error> {
    if !dir.is_dir() {
        return Err(Ct2Error::NotADir(dir.to_path_buf()));
    }
    let model_path = dir.join("model.bin");
    if !model_path.is_file() {
        return Err(Ct2Error::MissingFile(model_path));
    }
    let config = dir.join("config.json");
    if !config.is_file() {
        return Err(Ct2Error::MissingFile(config));
    }
    let vocabulary = read_vocabulary(dir)?;
    let (spec, variables, aliases) = read_model_bin(&model_path)?;
    if spec != "WhisperSpec" {
        return Err(Ct2Error::NotWhisper {
            path: model_path,
            spec,
        });
    }
    Ok(Ct2Model {
        spec,
        variables,
        aliases,
        vocabulary,
    })
}

fn read_vocabulary(dir: &Path) -> Result<Vec<String>, Ct2Error> {
    let txt = dir.join("vocabulary.txt");
    let json = dir.join("vocabulary.json");
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Ct2Error + '_ {
        move |source| Ct2Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    if txt.is_file() {
        let text = std::fs::read_to_string(&txt).map_err(io(&txt))?;
        Ok(text.lines().map(str::to_string).collect())
    } else if json.is_file() {
        let text = std::fs::read_to_string(&json).map_err(io(&json))?;
        serde_json::from_str::<Vec<String>>(&text).map_err(|err| Ct2Error::Vocabulary {
            path: json.clone(),
            detail: err.to_string(),
        })
    } else {
        Err(Ct2Error::MissingFile(txt))
    }
}

type Parsed = (String, BTreeMap<String, Variable>, BTreeMap<String, String>);

fn read_model_bin(path: &Path) -> Result<Parsed, Ct2Error> {
    let file = std::fs::File::open(path).map_err(|source| Ct2Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let size = file
        .metadata()
        .map_err(|source| Ct2Error::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    parse_model_bin(BufReader::new(file), size, path)
}

/// Parses a `model.bin` of `size` bytes from `inner`; `path` names it in errors. No size field is
/// allocated before it is checked against the bytes left.
fn parse_model_bin<R: Read>(inner: R, size: u64, path: &Path) -> Result<Parsed, Ct2Error> {
    let mut r = Reader {
        inner,
        path,
        left: size,
    };
    let version = r.u32()?;
    if !(5..=6).contains(&version) {
        return Err(r.format(format!("binary version {version}, expected 5 or 6")));
    }
    let spec = r.string()?;
    let _revision = r.u32()?;
    let count = r.u32()?;
    let mut variables = BTreeMap::new();
    for _ in 0..count {
        let name = r.string()?;
        let rank = r.u8()?;
        let mut dims = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            dims.push(r.u32()? as usize);
        }
        let dtype_id = r.u8()?;
        let dtype = DType::from_id(dtype_id)
            .ok_or_else(|| r.format(format!("unknown dtype {dtype_id} for `{name}`")))?;
        let bytes = r.u32()? as usize;
        let expected = dims
            .iter()
            .try_fold(dtype.size(), |acc, &dim| acc.checked_mul(dim));
        if expected != Some(bytes) {
            return Err(r.format(format!("`{name}` holds {bytes} bytes for shape {dims:?}")));
        }
        let data = r.bytes(bytes)?;
        variables.insert(name, Variable { dims, dtype, data });
    }
    let mut aliases = BTreeMap::new();
    if r.left > 0 {
        let n = r.u32()?;
        for _ in 0..n {
            let alias = r.string()?;
            let target = r.string()?;
            aliases.insert(alias, target);
        }
    }
    Ok((spec, variables, aliases))
}

struct Reader<'a, R> {
    inner: R,
    path: &'a Path,
    left: u64,
}

impl<R: Read> Reader<'_, R> {
    fn format(&self, detail: String) -> Ct2Error {
        Ct2Error::Format {
            path: self.path.to_path_buf(),
            detail,
        }
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, Ct2Error> {
        if n as u64 > self.left {
            return Err(self.format("it ends early; the file is truncated".into()));
        }
        let mut buf = vec![0u8; n];
        self.inner
            .read_exact(&mut buf)
            .map_err(|source| Ct2Error::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.left -= n as u64;
        Ok(buf)
    }

    fn u8(&mut self) -> Result<u8, Ct2Error> {
        Ok(self.bytes(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Ct2Error> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self) -> Result<String, Ct2Error> {
        let b = self.bytes(2)?;
        let len = u16::from_le_bytes([b[0], b[1]]) as usize;
        let mut raw = self.bytes(len)?;
        if raw.last() == Some(&0) {
            raw.pop();
        }
        String::from_utf8(raw).map_err(|_| self.format("a name that is not text".into()))
    }
}

/// GPT-2's byte-level encoding maps each byte to a printable character; this is its inverse.
pub fn byte_decoder() -> std::collections::HashMap<char, u8> {
    let mut printable: Vec<u32> = (u32::from('!')..=u32::from('~')).collect();
    printable.extend(u32::from('¡')..=u32::from('¬'));
    printable.extend(u32::from('®')..=u32::from('ÿ'));
    let mut map = std::collections::HashMap::with_capacity(256);
    let mut extra = 0u32;
    for byte in 0u32..256 {
        let ch = if printable.contains(&byte) {
            byte
        } else {
            extra += 1;
            255 + extra
        };
        if let Some(c) = char::from_u32(ch) {
            map.insert(c, byte as u8);
        }
    }
    map
}

/// A vocabulary string turned back into the bytes it stands for.
pub fn token_bytes(token: &str, decoder: &std::collections::HashMap<char, u8>) -> Vec<u8> {
    token
        .chars()
        .flat_map(|c| match decoder.get(&c) {
            Some(&b) => vec![b],
            None => c.to_string().into_bytes(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_strings_decode_to_bytes() {
        let decoder = byte_decoder();
        assert_eq!(decoder.len(), 256);
        assert_eq!(token_bytes("Ġfailed", &decoder), b" failed");
        assert_eq!(token_bytes("Ċ", &decoder), b"\n");
        assert_eq!(token_bytes("<|endoftext|>", &decoder), b"<|endoftext|>");
        // "é" is two bytes, written as two byte-level characters.
        assert_eq!(token_bytes("Ã©", &decoder), "é".as_bytes());
    }

    #[test]
    fn a_missing_folder_and_a_foreign_file_are_refused() {
        assert!(matches!(
            read_dir(Path::new("/no/such/model")),
            Err(Ct2Error::NotADir(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.bin"), b"not a model at all").unwrap();
        std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("vocabulary.txt"), b"a\nb\n").unwrap();
        let err = read_dir(dir.path()).unwrap_err();
        assert!(matches!(err, Ct2Error::Format { .. }), "{err}");
    }

    fn string(out: &mut Vec<u8>, text: &str) {
        out.extend_from_slice(&((text.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out.push(0);
    }

    /// A small but well-formed `model.bin`: two variables and an alias.
    fn model_bin() -> Vec<u8> {
        let mut out = 6u32.to_le_bytes().to_vec();
        string(&mut out, "WhisperSpec");
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        string(&mut out, "encoder/conv1/weight");
        out.push(2);
        for dim in [2u32, 3] {
            out.extend_from_slice(&dim.to_le_bytes());
        }
        out.push(4);
        out.extend_from_slice(&12u32.to_le_bytes());
        out.extend(std::iter::repeat_n(0x3Cu8, 12));
        string(&mut out, "decoder/start_id");
        out.push(0);
        out.push(3);
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&50_257u32.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        string(&mut out, "decoder/embeddings/weight");
        string(&mut out, "encoder/conv1/weight");
        out
    }

    fn parse(bytes: &[u8], size: u64) -> Result<Parsed, Ct2Error> {
        parse_model_bin(std::io::Cursor::new(bytes), size, Path::new("model.bin"))
    }

    #[test]
    fn a_well_formed_model_bin_parses() {
        let bytes = model_bin();
        let (spec, variables, aliases) = parse(&bytes, bytes.len() as u64).unwrap();
        assert_eq!(spec, "WhisperSpec");
        assert_eq!(variables["encoder/conv1/weight"].dims, vec![2, 3]);
        assert_eq!(variables["decoder/start_id"].as_int(), Some(50_257));
        assert_eq!(aliases["decoder/embeddings/weight"], "encoder/conv1/weight");
    }

    #[test]
    fn a_variable_claiming_4_gb_is_refused_before_any_allocation() {
        let mut bytes = model_bin();
        // The first variable's byte count, and dimensions that agree with it.
        let name_end = 4 + 14 + 4 + 4 + 23;
        bytes[name_end + 1..name_end + 5].copy_from_slice(&0x3FFF_FFFFu32.to_le_bytes());
        bytes[name_end + 5..name_end + 9].copy_from_slice(&1u32.to_le_bytes());
        bytes[name_end + 9] = 0;
        bytes[name_end + 10..name_end + 14].copy_from_slice(&0xFFFF_FFFCu32.to_le_bytes());
        let err = parse(&bytes, bytes.len() as u64).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        #[test]
        fn damaged_model_bins_never_panic(
            edits in proptest::collection::vec((0usize..200, proptest::prelude::any::<u8>()), 0..6),
            cut in 0usize..200,
        ) {
            let mut bytes = model_bin();
            for (at, value) in edits {
                let at = at % bytes.len();
                bytes[at] = value;
            }
            bytes.truncate(cut.max(1).min(bytes.len()));
            let _ = parse(&bytes, bytes.len() as u64);
        }
    }
}
