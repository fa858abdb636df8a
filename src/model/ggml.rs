//! The whisper.cpp ggml model file: its layout, and a validator that reads every header before
//! whisper.cpp opens the file.
//!
//! whisper.cpp trusts its input and can abort the whole process on a truncated or foreign file, so
//! [`inspect`] checks the magic, the hyper-parameters, the mel filters, the vocabulary, and every tensor:
//! its name, shape and type against what the hyper-parameters imply, that its data is really in the
//! file, and that every value is a finite number (a NaN weight crashed whisper.cpp). Only a file
//! that passes is handed to whisper.cpp.
//!
//! Layout: `i32` magic `0x67676d6c`; eleven `i32` hyper-parameters; mel filters (`i32` n_mel, `i32`
//! n_fft, f32 values); vocabulary (`i32` count, then `i32` length and bytes per token); then tensors to
//! the end (`i32` n_dims, `i32` name length, `i32` type, dims innermost first, name, data).

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The ggml magic number, "ggml" read as a little-endian `i32`.
pub const MAGIC: u32 = 0x6767_6d6c;
/// whisper.cpp stores the quantisation version in ftype as `version * 1000 + ftype`.
const QNT_VERSION_FACTOR: i32 = 1000;

/// The model's hyper-parameters, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    /// The fields in file order.
    pub fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(v: [i32; 11]) -> Self {
        Hparams {
            n_vocab: v[0],
            n_audio_ctx: v[1],
            n_audio_state: v[2],
            n_audio_head: v[3],
            n_audio_layer: v[4],
            n_text_ctx: v[5],
            n_text_state: v[6],
            n_text_head: v[7],
            n_text_layer: v[8],
            n_mels: v[9],
            ftype: v[10],
        }
    }

    /// True for English-only models (their vocabulary has one token fewer).
    pub fn is_english_only(&self) -> bool {
        self.n_vocab == 51864
    }

    /// A short size name from the architecture: `tiny`, `base`, `small`, ...
    pub fn size_name(&self) -> &'static str {
        match (self.n_audio_layer, self.n_audio_state) {
            (4, 384) => "tiny",
            (6, 512) => "base",
            (12, 768) => "small",
            (24, 1024) => "medium",
            (32, 1280) => "large",
            _ => "unknown",
        }
    }

    /// Every tensor whisper.cpp expects, with its shape outermost first (as numpy writes it).
    pub fn expected_tensors(&self) -> BTreeMap<String, Vec<usize>> {
        let a = self.n_audio_state as usize;
        let t = self.n_text_state as usize;
        let mut map = BTreeMap::new();
        let mut put = |name: String, shape: Vec<usize>| {
            map.insert(name, shape);
        };
        put(
            "encoder.positional_embedding".into(),
            vec![self.n_audio_ctx as usize, a],
        );
        put(
            "encoder.conv1.weight".into(),
            vec![a, self.n_mels as usize, 3],
        );
        put("encoder.conv1.bias".into(), vec![a, 1]);
        put("encoder.conv2.weight".into(), vec![a, a, 3]);
        put("encoder.conv2.bias".into(), vec![a, 1]);
        put("encoder.ln_post.weight".into(), vec![a]);
        put("encoder.ln_post.bias".into(), vec![a]);
        for layer in 0..self.n_audio_layer {
            for (name, shape) in block_tensors(a, false) {
                put(format!("encoder.blocks.{layer}.{name}"), shape);
            }
        }
        put(
            "decoder.positional_embedding".into(),
            vec![self.n_text_ctx as usize, t],
        );
        put(
            "decoder.token_embedding.weight".into(),
            vec![self.n_vocab as usize, t],
        );
        put("decoder.ln.weight".into(), vec![t]);
        put("decoder.ln.bias".into(), vec![t]);
        for layer in 0..self.n_text_layer {
            for (name, shape) in block_tensors(t, true) {
                put(format!("decoder.blocks.{layer}.{name}"), shape);
            }
        }
        map
    }
}

/// The tensors of one transformer block of width `s`; decoder blocks add cross-attention.
fn block_tensors(s: usize, cross: bool) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    let mut attention = |prefix: &str| {
        out.push((format!("{prefix}_ln.weight"), vec![s]));
        out.push((format!("{prefix}_ln.bias"), vec![s]));
        out.push((format!("{prefix}.query.weight"), vec![s, s]));
        out.push((format!("{prefix}.query.bias"), vec![s]));
        out.push((format!("{prefix}.key.weight"), vec![s, s]));
        out.push((format!("{prefix}.value.weight"), vec![s, s]));
        out.push((format!("{prefix}.value.bias"), vec![s]));
        out.push((format!("{prefix}.out.weight"), vec![s, s]));
        out.push((format!("{prefix}.out.bias"), vec![s]));
    };
    attention("attn");
    if cross {
        attention("cross_attn");
    }
    out.push(("mlp_ln.weight".into(), vec![s]));
    out.push(("mlp_ln.bias".into(), vec![s]));
    out.push(("mlp.0.weight".into(), vec![4 * s, s]));
    out.push(("mlp.0.bias".into(), vec![4 * s]));
    out.push(("mlp.2.weight".into(), vec![s, 4 * s]));
    out.push(("mlp.2.bias".into(), vec![s]));
    out
}

/// Tensor element types whisper.cpp can load, with their ggml ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
}

impl TensorType {
    /// The ggml type id.
    pub fn id(self) -> i32 {
        match self {
            TensorType::F32 => 0,
            TensorType::F16 => 1,
            TensorType::Q4_0 => 2,
            TensorType::Q4_1 => 3,
            TensorType::Q5_0 => 6,
            TensorType::Q5_1 => 7,
            TensorType::Q8_0 => 8,
        }
    }

    fn from_id(id: i32) -> Option<Self> {
        Some(match id {
            0 => TensorType::F32,
            1 => TensorType::F16,
            2 => TensorType::Q4_0,
            3 => TensorType::Q4_1,
            6 => TensorType::Q5_0,
            7 => TensorType::Q5_1,
            8 => TensorType::Q8_0,
            _ => return None,
        })
    }

    /// (elements per block, bytes per block).
    fn block(self) -> (usize, usize) {
        match self {
            TensorType::F32 => (1, 4),
            TensorType::F16 => (1, 2),
            TensorType::Q4_0 => (32, 18),
            TensorType::Q4_1 => (32, 20),
            TensorType::Q5_0 => (32, 22),
            TensorType::Q5_1 => (32, 24),
            TensorType::Q8_0 => (32, 34),
        }
    }

    /// Bytes of a tensor with `row` elements per row and `elements` in all, or `None` when rows do not
    /// divide into blocks.
    pub fn data_size(self, row: usize, elements: usize) -> Option<usize> {
        let (per_block, bytes) = self.block();
        row.is_multiple_of(per_block)
            .then(|| elements / per_block * bytes)
    }
}

/// What a valid file holds.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    /// The hyper-parameters.
    pub hparams: Hparams,
    /// Number of vocabulary entries stored in the file.
    pub vocab_entries: usize,
    /// Number of tensors.
    pub tensors: usize,
    /// The type of the large weight matrices (f16, q8_0, ...).
    pub weight_type: TensorType,
    /// File size in bytes.
    pub file_size: u64,
}

/// Why a file is not a usable Whisper model.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error(
        "`{0}` does not exist; download it with `rehearse model download` or pass another --model"
    )]
    Missing(PathBuf),
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "`{0}` is not a whisper.cpp ggml model (wrong magic number); pass a ggml `.bin` file, or convert a faster-whisper model with `rehearse model import`"
    )]
    NotGgml(PathBuf),
    #[error("`{path}` is truncated ({detail}); download it again with `rehearse model download`")]
    Truncated { path: PathBuf, detail: String },
    #[error("`{path}` is damaged ({detail}); download it again with `rehearse model download`")]
    Corrupt { path: PathBuf, detail: String },
}

/// Reads and checks a whole model file without loading its weights.
pub fn inspect(path: &Path) -> Result<ModelInfo, ModelFileError> {
    let file = std::fs::File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ModelFileError::Missing(path.to_path_buf()),
        _ => ModelFileError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let file_size = file
        .metadata()
        .map_err(|source| ModelFileError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    inspect_reader(BufReader::new(file), file_size, path)
}

/// [`inspect`] over any reader of `file_size` bytes; `path` names it in errors. Sizes in the file are
/// checked against `file_size` before anything is read or allocated.
pub fn inspect_reader<R: Read + Seek>(
    inner: R,
    file_size: u64,
    path: &Path,
) -> Result<ModelInfo, ModelFileError> {
    let mut reader = Checked {
        inner,
        path,
        file_size,
        pos: 0,
    };
    let corrupt = |detail: String| ModelFileError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };

    if file_size < 4 || reader.u32()? != MAGIC {
        return Err(ModelFileError::NotGgml(path.to_path_buf()));
    }
    let mut values = [0i32; 11];
    for value in &mut values {
        *value = reader.i32()?;
    }
    let hparams = Hparams::from_array(values);
    check_hparams(&hparams).map_err(corrupt)?;

    let n_mel = reader.i32()?;
    let n_fft = reader.i32()?;
    if n_mel != hparams.n_mels || n_fft != 201 {
        return Err(corrupt(format!(
            "mel filter table is {n_mel}x{n_fft}, expected {}x201",
            hparams.n_mels
        )));
    }
    reader.skip(n_mel as u64 * n_fft as u64 * 4, "the mel filters")?;

    let vocab_entries = reader.i32()?;
    if vocab_entries < 0 || vocab_entries > hparams.n_vocab {
        return Err(corrupt(format!(
            "vocabulary of {vocab_entries} entries for n_vocab {}",
            hparams.n_vocab
        )));
    }
    for _ in 0..vocab_entries {
        let len = reader.i32()?;
        if !(0..=1024).contains(&len) {
            return Err(corrupt(format!("a vocabulary entry of {len} bytes")));
        }
        reader.skip(len as u64, "the vocabulary")?;
    }

    let expected = hparams.expected_tensors();
    let mut seen = BTreeMap::new();
    let mut weight_type = TensorType::F16;
    while reader.pos < file_size {
        let n_dims = reader.i32()?;
        let name_len = reader.i32()?;
        let type_id = reader.i32()?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) {
            return Err(corrupt(format!(
                "a tensor header with {n_dims} dimensions and a {name_len}-byte name"
            )));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let dim = reader.i32()?;
            if dim <= 0 {
                return Err(corrupt(format!("a tensor dimension of {dim}")));
            }
            dims.push(dim as usize);
        }
        let name = String::from_utf8(reader.bytes(name_len as usize)?)
            .map_err(|_| corrupt("a tensor name that is not text".into()))?;
        let ttype = TensorType::from_id(type_id)
            .ok_or_else(|| corrupt(format!("tensor `{name}` has unknown type {type_id}")))?;
        // The file lists dimensions innermost first; compare outermost first like the expected table.
        let shape: Vec<usize> = dims.iter().rev().copied().collect();
        let Some(want) = expected.get(&name) else {
            return Err(corrupt(format!("unexpected tensor `{name}`")));
        };
        // Trailing dimensions of 1 are the same tensor.
        if trim_ones(&shape) != trim_ones(want) {
            return Err(corrupt(format!(
                "tensor `{name}` has shape {shape:?}, expected {want:?}"
            )));
        }
        if name.ends_with(".weight") && want.len() == 2 && name != "decoder.positional_embedding" {
            weight_type = ttype;
        }
        let elements: usize = dims.iter().product();
        let size = ttype
            .data_size(dims[0], elements)
            .ok_or_else(|| corrupt(format!("tensor `{name}` rows do not fit its block type")))?;
        if !reader.all_finite(size as u64, &format!("tensor `{name}`"), ttype)? {
            // whisper.cpp would crash on it (a NaN weight segfaulted in its DTW code).
            return Err(corrupt(format!(
                "tensor `{name}` holds values that are not numbers (NaN or infinity)"
            )));
        }
        if seen.insert(name.clone(), ()).is_some() {
            return Err(corrupt(format!("tensor `{name}` appears twice")));
        }
    }
    if let Some(missing) = expected.keys().find(|name| !seen.contains_key(*name)) {
        return Err(ModelFileError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "tensor `{missing}` is missing; {} of {} present",
                seen.len(),
                expected.len()
            ),
        });
    }
    Ok(ModelInfo {
        hparams,
        vocab_entries: vocab_entries as usize,
        tensors: seen.len(),
        weight_type,
        file_size,
    })
}

/// Every value in `bytes` (whole elements or blocks of `ttype`) is finite. Branch-free folds, so
/// the compiler can vectorise them.
fn chunk_finite(bytes: &[u8], ttype: TensorType) -> bool {
    // An f16 is NaN or infinite when its five exponent bits are all ones; an f32 when its eight are.
    let f16_bad = |b: &[u8]| u16::from_le_bytes([b[0], b[1]]) & 0x7c00 == 0x7c00;
    match ttype {
        TensorType::F32 => !bytes.chunks_exact(4).fold(false, |bad, b| {
            bad | (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) & 0x7f80_0000 == 0x7f80_0000)
        }),
        TensorType::F16 => !bytes.chunks_exact(2).fold(false, |bad, b| bad | f16_bad(b)),
        // Blocks start with the f16 scale `d`; the `_1` types follow it with the f16 minimum `m`.
        TensorType::Q4_1 | TensorType::Q5_1 => {
            let (_, size) = ttype.block();
            !bytes
                .chunks_exact(size)
                .fold(false, |bad, b| bad | f16_bad(&b[0..2]) | f16_bad(&b[2..4]))
        }
        TensorType::Q4_0 | TensorType::Q5_0 | TensorType::Q8_0 => {
            let (_, size) = ttype.block();
            !bytes
                .chunks_exact(size)
                .fold(false, |bad, b| bad | f16_bad(&b[0..2]))
        }
    }
}

fn trim_ones(shape: &[usize]) -> &[usize] {
    let mut end = shape.len();
    while end > 1 && shape[end - 1] == 1 {
        end -= 1;
    }
    &shape[..end]
}

fn check_hparams(h: &Hparams) -> Result<(), String> {
    let in_range = |v: i32, lo: i32, hi: i32| (lo..=hi).contains(&v);
    let ok = in_range(h.n_vocab, 50_000, 52_000)
        && in_range(h.n_audio_ctx, 1, 1500)
        && in_range(h.n_text_ctx, 1, 448)
        && in_range(h.n_audio_state, 64, 4096)
        && in_range(h.n_text_state, 64, 4096)
        && in_range(h.n_audio_layer, 1, 64)
        && in_range(h.n_text_layer, 1, 64)
        && in_range(h.n_audio_head, 1, 64)
        && in_range(h.n_text_head, 1, 64)
        && (h.n_mels == 80 || h.n_mels == 128)
        && h.n_audio_state % h.n_audio_head == 0
        && h.n_text_state % h.n_text_head == 0
        && in_range(h.ftype % QNT_VERSION_FACTOR, 0, 20)
        && h.ftype >= 0;
    if ok {
        Ok(())
    } else {
        Err(format!("implausible hyper-parameters {:?}", h.to_array()))
    }
}

/// A reader that knows the file size, so a short file is reported, not misread.
struct Checked<'a, R> {
    inner: R,
    path: &'a Path,
    file_size: u64,
    pos: u64,
}

impl<R: Read + Seek> Checked<'_, R> {
    fn need(&self, n: u64, what: &str) -> Result<(), ModelFileError> {
        if self.pos + n > self.file_size {
            return Err(ModelFileError::Truncated {
                path: self.path.to_path_buf(),
                detail: format!(
                    "it ends inside {what}, at byte {} of {}",
                    self.file_size,
                    self.pos + n
                ),
            });
        }
        Ok(())
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, ModelFileError> {
        self.need(n as u64, "a header")?;
        let mut buf = vec![0u8; n];
        self.inner
            .read_exact(&mut buf)
            .map_err(|source| ModelFileError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.pos += n as u64;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, ModelFileError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i32(&mut self) -> Result<i32, ModelFileError> {
        Ok(self.u32()? as i32)
    }

    /// Reads `n` bytes of a tensor of type `ttype` and says whether every value is finite: each
    /// f32 or f16, and each block's f16 scales for the quantised types (their integer quants are
    /// always numbers). Read in large chunks, whole blocks each, so it costs little more than the
    /// read itself.
    fn all_finite(
        &mut self,
        n: u64,
        what: &str,
        ttype: TensorType,
    ) -> Result<bool, ModelFileError> {
        self.need(n, what)?;
        let (_, block) = ttype.block();
        let chunk = block * ((1 << 20) / block);
        let mut buf = vec![0u8; chunk];
        let mut left = n;
        let mut finite = true;
        while left > 0 {
            let take = usize::try_from(left.min(chunk as u64)).unwrap_or(chunk);
            let part = &mut buf[..take];
            self.inner
                .read_exact(part)
                .map_err(|source| ModelFileError::Io {
                    path: self.path.to_path_buf(),
                    source,
                })?;
            finite &= chunk_finite(part, ttype);
            self.pos += take as u64;
            left -= take as u64;
        }
        Ok(finite)
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), ModelFileError> {
        self.need(n, what)?;
        let offset = i64::try_from(n).map_err(|_| ModelFileError::Corrupt {
            path: self.path.to_path_buf(),
            detail: "a section too large to skip".into(),
        })?;
        self.inner
            .seek(SeekFrom::Current(offset))
            .map_err(|source| ModelFileError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.pos += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::*;

    /// The start of a tiny.en file: header, mel filters, a short vocabulary and one tensor header.
    fn tiny_start() -> Vec<u8> {
        let mut out = MAGIC.to_le_bytes().to_vec();
        for v in [51_864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1, 80, 201] {
            out.extend_from_slice(&i32::to_le_bytes(v));
        }
        out.extend(std::iter::repeat_n(0u8, 80 * 201 * 4));
        out.extend_from_slice(&3i32.to_le_bytes());
        for word in ["a", "bc", "def"] {
            out.extend_from_slice(&(word.len() as i32).to_le_bytes());
            out.extend_from_slice(word.as_bytes());
        }
        let name = b"encoder.positional_embedding";
        for v in [2, name.len() as i32, 0, 384, 1500] {
            out.extend_from_slice(&i32::to_le_bytes(v));
        }
        out.extend_from_slice(name);
        out.extend(std::iter::repeat_n(0u8, 64));
        out
    }

    fn inspect_bytes(bytes: &[u8], claimed_size: u64) -> Result<ModelInfo, ModelFileError> {
        inspect_reader(Cursor::new(bytes), claimed_size, Path::new("fuzz.bin"))
    }

    #[test]
    fn a_cut_file_is_truncated_and_a_foreign_one_is_not_ggml() {
        let bytes = tiny_start();
        let err = inspect_bytes(&bytes, bytes.len() as u64).unwrap_err();
        assert!(matches!(err, ModelFileError::Truncated { .. }), "{err}");
        let err = inspect_bytes(b"RIFF....", 8).unwrap_err();
        assert!(matches!(err, ModelFileError::NotGgml(_)), "{err}");
    }

    #[test]
    fn a_vocabulary_claiming_two_billion_entries_is_refused_without_reading_them() {
        let mut bytes = tiny_start();
        let at = 4 + 13 * 4 + 80 * 201 * 4;
        bytes[at..at + 4].copy_from_slice(&i32::MAX.to_le_bytes());
        let err = inspect_bytes(&bytes, bytes.len() as u64).unwrap_err();
        assert!(err.to_string().contains("vocabulary of"), "{err}");
    }

    #[test]
    fn non_finite_values_are_found_in_every_tensor_type() {
        let types = [
            TensorType::F32,
            TensorType::F16,
            TensorType::Q4_0,
            TensorType::Q4_1,
            TensorType::Q5_0,
            TensorType::Q5_1,
            TensorType::Q8_0,
        ];
        for ttype in types {
            let (_, block) = ttype.block();
            // Zeros and ordinary values are finite; 0xFF bytes in the first value or scale are NaN.
            let mut bytes: Vec<u8> = (0..block * 8).map(|i| (i % 7) as u8).collect();
            assert!(chunk_finite(&bytes, ttype), "{ttype:?}");
            bytes[block * 5..block * 5 + 4].fill(0xFF);
            assert!(!chunk_finite(&bytes, ttype), "{ttype:?}");
        }
        // Infinity too, not only NaN.
        assert!(!chunk_finite(&f32::INFINITY.to_le_bytes(), TensorType::F32));
        assert!(!chunk_finite(&[0x00, 0x7c], TensorType::F16));
        assert!(chunk_finite(&f32::MAX.to_le_bytes(), TensorType::F32));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        #[test]
        fn overwritten_words_never_panic(
            edits in proptest::collection::vec((0usize..64_400, any::<i32>()), 1..4),
            claimed in prop_oneof![Just(None), any::<u32>().prop_map(Some)],
        ) {
            let mut bytes = tiny_start();
            for (at, value) in edits {
                let at = (at % (bytes.len() - 4)) & !3;
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
            // A claimed size beyond the bytes stands for a file whose length field lies.
            let size = claimed.map_or(bytes.len() as u64, u64::from);
            prop_assert!(inspect_bytes(&bytes, size).is_err());
        }

        #[test]
        fn random_bytes_after_the_magic_never_panic(
            tail in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut bytes = MAGIC.to_le_bytes().to_vec();
            bytes.extend_from_slice(&tail);
            prop_assert!(inspect_bytes(&bytes, bytes.len() as u64).is_err());
        }
    }
}
