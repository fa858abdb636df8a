//! Converting a faster-whisper (CTranslate2) model into a whisper.cpp ggml file, in Rust.
//!
//! Names are mapped as whisper.cpp expects (`encoder/layer_0/self_attention/linear_0` holds query, key
//! and value stacked by rows, and so on); hyper-parameters come from the tensor shapes and
//! `*/num_heads`; the mel filters, which CTranslate2 does not carry, are computed ([`super::mel`]).
//! Large matrices are written as f16 (as the official files) or q8_0 (smaller and faster on CPU);
//! biases, layer norms and positional embeddings as f32. The output is written to a temporary file,
//! validated with [`super::ggml::inspect`] and only then renamed into place.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ctranslate2::{self, Ct2Model, Variable};
use super::ggml::{self, Hparams, MAGIC, TensorType};
use super::mel;

/// How the large weight matrices are stored (`weights = "q8_0"` in the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
pub enum WeightFormat {
    /// 16-bit floats, as the official ggml files.
    #[default]
    #[serde(rename = "f16")]
    F16,
    /// 8-bit blocks with one f16 scale per 32 values: about half the size, faster on CPU.
    #[serde(rename = "q8_0")]
    Q8_0,
}

impl WeightFormat {
    fn tensor_type(self) -> TensorType {
        match self {
            WeightFormat::F16 => TensorType::F16,
            WeightFormat::Q8_0 => TensorType::Q8_0,
        }
    }

    /// ggml's file type: 1 = mostly f16, 7 = mostly q8_0 (with the quantisation version, 2, times 1000).
    fn ftype(self) -> i32 {
        match self {
            WeightFormat::F16 => 1,
            WeightFormat::Q8_0 => 2 * 1000 + 7,
        }
    }
}

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Read(#[from] ctranslate2::Ct2Error),
    #[error("the model lacks `{0}`; is it a complete faster-whisper Whisper model?")]
    MissingVariable(String),
    #[error("`{name}` has shape {got:?}, expected {want}")]
    Shape {
        name: String,
        got: Vec<usize>,
        want: String,
    },
    #[error("the vocabulary has no `<|endoftext|>` token; is it a Whisper vocabulary?")]
    NoEndOfText,
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the converted file failed validation: {0}")]
    Invalid(#[from] ggml::ModelFileError),
}

/// What a conversion produced.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The ggml file.
    pub path: PathBuf,
    /// Its hyper-parameters.
    pub hparams: Hparams,
    /// Its size in bytes.
    pub size: u64,
}

/// Converts the faster-whisper model in `dir` to the ggml file `out`.
pub fn convert_dir(
    dir: &Path,
    out: &Path,
    format: WeightFormat,
) -> Result<Converted, ConvertError> {
    let model = ctranslate2::read_dir(dir)?;
    convert(&model, out, format)
}

/// Converts a parsed model to the ggml file `out`.
pub fn convert(
    model: &Ct2Model,
    out: &Path,
    format: WeightFormat,
) -> Result<Converted, ConvertError> {
    let hparams = hparams_of(model, format)?;
    let eot = model
        .vocabulary
        .iter()
        .position(|t| t == "<|endoftext|>")
        .ok_or(ConvertError::NoEndOfText)?;

    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_err = |source| ConvertError::Write {
        path: out.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let temp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, temp.as_file());
        let put_i32 = |w: &mut BufWriter<&std::fs::File>, v: i32| w.write_all(&v.to_le_bytes());
        put_i32(&mut w, MAGIC as i32).map_err(write_err)?;
        for value in hparams.to_array() {
            put_i32(&mut w, value).map_err(write_err)?;
        }
        let filters = mel::filters(hparams.n_mels as usize);
        put_i32(&mut w, hparams.n_mels).map_err(write_err)?;
        put_i32(&mut w, mel::N_BINS as i32).map_err(write_err)?;
        for value in filters {
            w.write_all(&value.to_le_bytes()).map_err(write_err)?;
        }
        // The byte-level vocabulary as the official files store it: English-only models include
        // <|endoftext|> (it is GPT-2's last token), multilingual ones stop before it. whisper.cpp names
        // the special tokens that follow by itself.
        let decoder = ctranslate2::byte_decoder();
        let stored = if hparams.is_english_only() {
            eot + 1
        } else {
            eot
        };
        put_i32(&mut w, stored as i32).map_err(write_err)?;
        for token in &model.vocabulary[..stored] {
            let bytes = ctranslate2::token_bytes(token, &decoder);
            put_i32(&mut w, bytes.len() as i32).map_err(write_err)?;
            w.write_all(&bytes).map_err(write_err)?;
        }
        for tensor in tensors_of(model, &hparams)? {
            tensor.write(&mut w, format).map_err(write_err)?;
        }
        w.flush().map_err(write_err)?;
    }
    temp.as_file().sync_all().map_err(write_err)?;
    let info = ggml::inspect(temp.path())?;
    temp.persist(out).map_err(|err| write_err(err.error))?;
    Ok(Converted {
        path: out.to_path_buf(),
        hparams: info.hparams,
        size: info.file_size,
    })
}

fn var<'m>(model: &'m Ct2Model, name: &str) -> Result<&'m Variable, ConvertError> {
    let name = model.aliases.get(name).map_or(name, String::as_str);
    model
        .variables
        .get(name)
        .ok_or_else(|| ConvertError::MissingVariable(name.to_string()))
}

fn count_layers(model: &Ct2Model, prefix: &str) -> i32 {
    (0..)
        .take_while(|n| {
            model
                .variables
                .keys()
                .any(|k| k.starts_with(&format!("{prefix}/layer_{n}/")))
        })
        .count() as i32
}

fn hparams_of(model: &Ct2Model, format: WeightFormat) -> Result<Hparams, ConvertError> {
    let dims2 = |name: &str| -> Result<(usize, usize), ConvertError> {
        let v = var(model, name)?;
        match v.dims[..] {
            [a, b] => Ok((a, b)),
            _ => Err(ConvertError::Shape {
                name: name.into(),
                got: v.dims.clone(),
                want: "2 dimensions".into(),
            }),
        }
    };
    let heads = |name: &str| -> Result<i32, ConvertError> {
        var(model, name)?
            .as_int()
            .map(|v| v as i32)
            .ok_or_else(|| ConvertError::Shape {
                name: name.into(),
                got: vec![],
                want: "a scalar".into(),
            })
    };
    let (n_audio_ctx, n_audio_state) = dims2("encoder/position_encodings/encodings")?;
    let (n_text_ctx, n_text_state) = dims2("decoder/position_encodings/encodings")?;
    let (n_vocab, _) = dims2("decoder/embeddings/weight")?;
    let conv1 = var(model, "encoder/conv1/weight")?;
    let n_mels = *conv1.dims.get(1).ok_or_else(|| ConvertError::Shape {
        name: "encoder/conv1/weight".into(),
        got: conv1.dims.clone(),
        want: "[state, mels, 3]".into(),
    })?;
    Ok(Hparams {
        n_vocab: n_vocab as i32,
        n_audio_ctx: n_audio_ctx as i32,
        n_audio_state: n_audio_state as i32,
        n_audio_head: heads("encoder/num_heads")?,
        n_audio_layer: count_layers(model, "encoder"),
        n_text_ctx: n_text_ctx as i32,
        n_text_state: n_text_state as i32,
        n_text_head: heads("decoder/num_heads")?,
        n_text_layer: count_layers(model, "decoder"),
        n_mels: n_mels as i32,
        ftype: format.ftype(),
    })
}

/// A tensor ready to write: its ggml name, shape (outermost first) and values.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    values: Vec<f32>,
    /// Large matrices take the chosen weight format; the rest stay f32 (or f16 for conv weights).
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Matrix,
    Conv,
    Float,
}

impl Tensor {
    fn write(&self, w: &mut impl Write, format: WeightFormat) -> std::io::Result<()> {
        let ttype = match self.kind {
            Kind::Matrix => format.tensor_type(),
            Kind::Conv => TensorType::F16,
            Kind::Float => TensorType::F32,
        };
        let name = self.name.as_bytes();
        w.write_all(&(self.shape.len() as i32).to_le_bytes())?;
        w.write_all(&(name.len() as i32).to_le_bytes())?;
        w.write_all(&ttype.id().to_le_bytes())?;
        for dim in self.shape.iter().rev() {
            w.write_all(&(*dim as i32).to_le_bytes())?;
        }
        w.write_all(name)?;
        match ttype {
            TensorType::F32 => {
                for v in &self.values {
                    w.write_all(&v.to_le_bytes())?;
                }
            }
            TensorType::F16 => {
                for v in &self.values {
                    w.write_all(&half::f16::from_f32(*v).to_le_bytes())?;
                }
            }
            TensorType::Q8_0 => {
                for block in self.values.chunks(32) {
                    w.write_all(&quantize_q8_0_block(block))?;
                }
            }
            other => {
                return Err(std::io::Error::other(format!(
                    "the converter cannot write {other:?}"
                )));
            }
        }
        Ok(())
    }
}

/// One q8_0 block: an f16 scale `max|x| / 127`, then 32 signed bytes `round(x / scale)`.
pub fn quantize_q8_0_block(block: &[f32]) -> [u8; 34] {
    let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d == 0.0 { 0.0 } else { 1.0 / d };
    let mut out = [0u8; 34];
    out[..2].copy_from_slice(&half::f16::from_f32(d).to_le_bytes());
    for (i, v) in block.iter().enumerate() {
        out[2 + i] = ((v * id).round() as i8) as u8;
    }
    out
}

/// Every tensor of the ggml file, renamed and split from the CTranslate2 variables.
fn tensors_of(model: &Ct2Model, h: &Hparams) -> Result<Vec<Tensor>, ConvertError> {
    let mut out = Vec::new();
    let values = |name: &str| -> Result<Vec<f32>, ConvertError> { dequantized(model, name) };
    let mut push = |name: String, shape: Vec<usize>, values: Vec<f32>, kind: Kind| {
        out.push(Tensor {
            name,
            shape,
            values,
            kind,
        });
    };
    let a = h.n_audio_state as usize;
    let t = h.n_text_state as usize;

    for conv in ["conv1", "conv2"] {
        let weight = var(model, &format!("encoder/{conv}/weight"))?;
        push(
            format!("encoder.{conv}.weight"),
            weight.dims.clone(),
            values(&format!("encoder/{conv}/weight"))?,
            Kind::Conv,
        );
        push(
            format!("encoder.{conv}.bias"),
            vec![a, 1],
            values(&format!("encoder/{conv}/bias"))?,
            Kind::Float,
        );
    }
    push(
        "encoder.positional_embedding".into(),
        vec![h.n_audio_ctx as usize, a],
        values("encoder/position_encodings/encodings")?,
        Kind::Float,
    );
    push(
        "encoder.ln_post.weight".into(),
        vec![a],
        values("encoder/layer_norm/gamma")?,
        Kind::Float,
    );
    push(
        "encoder.ln_post.bias".into(),
        vec![a],
        values("encoder/layer_norm/beta")?,
        Kind::Float,
    );
    push(
        "decoder.token_embedding.weight".into(),
        vec![h.n_vocab as usize, t],
        values("decoder/embeddings/weight")?,
        Kind::Matrix,
    );
    push(
        "decoder.positional_embedding".into(),
        vec![h.n_text_ctx as usize, t],
        values("decoder/position_encodings/encodings")?,
        Kind::Float,
    );
    push(
        "decoder.ln.weight".into(),
        vec![t],
        values("decoder/layer_norm/gamma")?,
        Kind::Float,
    );
    push(
        "decoder.ln.bias".into(),
        vec![t],
        values("decoder/layer_norm/beta")?,
        Kind::Float,
    );

    for (side, layers, s) in [
        ("encoder", h.n_audio_layer, a),
        ("decoder", h.n_text_layer, t),
    ] {
        for n in 0..layers {
            let src = |rest: &str| format!("{side}/layer_{n}/{rest}");
            let dst = |rest: &str| format!("{side}.blocks.{n}.{rest}");
            push(
                dst("attn_ln.weight"),
                vec![s],
                values(&src("self_attention/layer_norm/gamma"))?,
                Kind::Float,
            );
            push(
                dst("attn_ln.bias"),
                vec![s],
                values(&src("self_attention/layer_norm/beta"))?,
                Kind::Float,
            );
            // Query, key and value stacked by rows; the key has no bias.
            let qkv = rows(
                values(&src("self_attention/linear_0/weight"))?,
                3,
                s * s,
                &src("self_attention/linear_0/weight"),
            )?;
            let qkv_bias = rows(
                values(&src("self_attention/linear_0/bias"))?,
                3,
                s,
                &src("self_attention/linear_0/bias"),
            )?;
            let [q, k, v] = take3(qkv);
            let [qb, _kb, vb] = take3(qkv_bias);
            push(dst("attn.query.weight"), vec![s, s], q, Kind::Matrix);
            push(dst("attn.query.bias"), vec![s], qb, Kind::Float);
            push(dst("attn.key.weight"), vec![s, s], k, Kind::Matrix);
            push(dst("attn.value.weight"), vec![s, s], v, Kind::Matrix);
            push(dst("attn.value.bias"), vec![s], vb, Kind::Float);
            push(
                dst("attn.out.weight"),
                vec![s, s],
                values(&src("self_attention/linear_1/weight"))?,
                Kind::Matrix,
            );
            push(
                dst("attn.out.bias"),
                vec![s],
                values(&src("self_attention/linear_1/bias"))?,
                Kind::Float,
            );
            if side == "decoder" {
                push(
                    dst("cross_attn_ln.weight"),
                    vec![s],
                    values(&src("attention/layer_norm/gamma"))?,
                    Kind::Float,
                );
                push(
                    dst("cross_attn_ln.bias"),
                    vec![s],
                    values(&src("attention/layer_norm/beta"))?,
                    Kind::Float,
                );
                push(
                    dst("cross_attn.query.weight"),
                    vec![s, s],
                    values(&src("attention/linear_0/weight"))?,
                    Kind::Matrix,
                );
                push(
                    dst("cross_attn.query.bias"),
                    vec![s],
                    values(&src("attention/linear_0/bias"))?,
                    Kind::Float,
                );
                let kv = rows(
                    values(&src("attention/linear_1/weight"))?,
                    2,
                    s * s,
                    &src("attention/linear_1/weight"),
                )?;
                let kv_bias = rows(
                    values(&src("attention/linear_1/bias"))?,
                    2,
                    s,
                    &src("attention/linear_1/bias"),
                )?;
                let mut kv = kv.into_iter();
                let mut kv_bias = kv_bias.into_iter();
                let (k, v) = (kv.next().unwrap_or_default(), kv.next().unwrap_or_default());
                let vb = kv_bias.nth(1).unwrap_or_default();
                push(dst("cross_attn.key.weight"), vec![s, s], k, Kind::Matrix);
                push(dst("cross_attn.value.weight"), vec![s, s], v, Kind::Matrix);
                push(dst("cross_attn.value.bias"), vec![s], vb, Kind::Float);
                push(
                    dst("cross_attn.out.weight"),
                    vec![s, s],
                    values(&src("attention/linear_2/weight"))?,
                    Kind::Matrix,
                );
                push(
                    dst("cross_attn.out.bias"),
                    vec![s],
                    values(&src("attention/linear_2/bias"))?,
                    Kind::Float,
                );
            }
            push(
                dst("mlp_ln.weight"),
                vec![s],
                values(&src("ffn/layer_norm/gamma"))?,
                Kind::Float,
            );
            push(
                dst("mlp_ln.bias"),
                vec![s],
                values(&src("ffn/layer_norm/beta"))?,
                Kind::Float,
            );
            push(
                dst("mlp.0.weight"),
                vec![4 * s, s],
                values(&src("ffn/linear_0/weight"))?,
                Kind::Matrix,
            );
            push(
                dst("mlp.0.bias"),
                vec![4 * s],
                values(&src("ffn/linear_0/bias"))?,
                Kind::Float,
            );
            push(
                dst("mlp.2.weight"),
                vec![s, 4 * s],
                values(&src("ffn/linear_1/weight"))?,
                Kind::Matrix,
            );
            push(
                dst("mlp.2.bias"),
                vec![s],
                values(&src("ffn/linear_1/bias"))?,
                Kind::Float,
            );
        }
    }
    // Every tensor's size must match its shape before anything is written.
    for tensor in &out {
        let want: usize = tensor.shape.iter().product();
        if tensor.values.len() != want {
            return Err(ConvertError::Shape {
                name: tensor.name.clone(),
                got: vec![tensor.values.len()],
                want: format!("{want} values for {:?}", tensor.shape),
            });
        }
    }
    Ok(out)
}

/// A variable's values as f32; int8 weights are scaled back by their per-row `weight_scale`.
fn dequantized(model: &Ct2Model, name: &str) -> Result<Vec<f32>, ConvertError> {
    let v = var(model, name)?;
    let mut values = v.to_f32();
    if v.dtype == ctranslate2::DType::I8 {
        let scale_name = name.replace("/weight", "/weight_scale");
        let scales = var(model, &scale_name)?.to_f32();
        let row = values.len() / scales.len().max(1);
        for (chunk, scale) in values.chunks_mut(row.max(1)).zip(scales) {
            for value in chunk {
                *value /= scale;
            }
        }
    }
    Ok(values)
}

/// Splits `values` into `n` equal parts of `each` values.
fn rows(
    values: Vec<f32>,
    n: usize,
    each: usize,
    name: &str,
) -> Result<Vec<Vec<f32>>, ConvertError> {
    if values.len() != n * each {
        return Err(ConvertError::Shape {
            name: name.into(),
            got: vec![values.len()],
            want: format!("{} values", n * each),
        });
    }
    Ok(values.chunks(each).map(<[f32]>::to_vec).collect())
}

fn take3(mut parts: Vec<Vec<f32>>) -> [Vec<f32>; 3] {
    let c = parts.pop().unwrap_or_default();
    let b = parts.pop().unwrap_or_default();
    let a = parts.pop().unwrap_or_default();
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_blocks_round_trip_within_half_a_step() {
        let block: Vec<f32> = (0..32).map(|i| (i as f32 - 15.5) * 0.013).collect();
        let bytes = quantize_q8_0_block(&block);
        let d = half::f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
        for (i, v) in block.iter().enumerate() {
            let back = f32::from(bytes[2 + i] as i8) * d;
            assert!((back - v).abs() <= d * 0.51, "{i}: {back} vs {v}");
        }
        assert_eq!(
            quantize_q8_0_block(&[0.0; 32])[..2],
            half::f16::from_f32(0.0).to_le_bytes()
        );
    }
}
