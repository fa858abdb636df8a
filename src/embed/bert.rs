//! `Encoder`: the BERT encoder on the CPU with candle, and the pooling that turns its output into
//! sentence embeddings (the mean over each sentence's real tokens, scaled to unit length). With the
//! reading layer's adapter (`adapter.rs`), the layers below the adapted ones run once and the top
//! layers run twice, as they are and as tuned, giving two embeddings per sentence. All candle calls
//! are in this file, as all whisper-rs calls are in `transcribe/whisper.rs`: candle's API moves
//! between minor versions, and this file should absorb that.

use std::collections::HashMap;

use candle_core::{D, DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertEncoder, BertModel, Config};

use super::adapter::Adapter;
use super::model_dir::ModelDir;
use super::{DIM, EmbedError};

/// The loaded encoder.
pub(crate) struct Encoder {
    /// The embeddings and the layers below the adapted ones (all of them without an adapter).
    trunk: BertModel,
    /// The top layers as they are, and as tuned by the adapter.
    top: Option<(BertEncoder, BertEncoder)>,
    device: Device,
}

/// One sentence's embeddings: the base model's, and the tuned model's when there is an adapter.
pub(crate) type Pair = ([f32; DIM], Option<[f32; DIM]>);

impl Encoder {
    /// Builds the encoder from a checked model folder, reading each tensor straight from the file
    /// into its own buffer (the weights are in memory once; no memory map, no second copy).
    /// With an adapter, the layers from its first one up are loaded twice: as they are and with its
    /// updates added.
    pub fn load(model: &ModelDir, adapter: Option<&Adapter>) -> Result<Self, EmbedError> {
        let device = Device::Cpu;
        let config_path = model.dir.join("config.json");
        let config: Config =
            serde_json::from_str(&model.config_text).map_err(|err| EmbedError::Config {
                path: config_path,
                reason: err.to_string(),
            })?;
        let mut tensors = HashMap::with_capacity(model.tensor_names.len());
        for (name, stored) in &model.tensor_names {
            let values = model.weights.read_f32(stored)?;
            let shape = model.weights.tensors[stored].shape.clone();
            let tensor =
                Tensor::from_vec(values, shape, &device).map_err(|err| weights(model, err))?;
            tensors.insert(name.clone(), tensor);
        }
        let layers = config.num_hidden_layers;
        let top = match adapter {
            Some(adapter) if adapter.first_layer() > 0 && adapter.first_layer() < layers => {
                Some(top_layers(model, &config, &tensors, adapter, &device)?)
            }
            Some(adapter) => {
                return Err(EmbedError::Weights {
                    path: model.weights.path.clone(),
                    reason: format!(
                        "the reading adapter changes layers {:?} of a model with {layers}",
                        adapter.layers
                    ),
                });
            }
            None => None,
        };
        let mut trunk_config = config.clone();
        if let Some(adapter) = adapter {
            trunk_config.num_hidden_layers = adapter.first_layer();
        }
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let trunk = BertModel::load(vb, &trunk_config).map_err(|err| weights(model, err))?;
        Ok(Encoder { trunk, top, device })
    }

    /// Embeds a batch of id sequences (each non-empty, within the model's length and vocabulary):
    /// pads them to the longest, runs the encoder, and mean-pools each over its own tokens.
    pub fn embed(&self, batch: &[Vec<u32>]) -> Result<Vec<Pair>, EmbedError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.run(batch).map_err(|err| EmbedError::Inference {
            reason: err.to_string(),
        })
    }

    fn run(&self, batch: &[Vec<u32>]) -> candle_core::Result<Vec<Pair>> {
        let rows = batch.len();
        let width = batch.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = vec![0u32; rows * width];
        let mut mask = vec![0u32; rows * width];
        for (row, sequence) in batch.iter().enumerate() {
            ids[row * width..row * width + sequence.len()].copy_from_slice(sequence);
            mask[row * width..row * width + sequence.len()].fill(1);
        }
        let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;
        let types = ids.zeros_like()?;
        let hidden = self.trunk.forward(&ids, &types, Some(&mask))?; // (rows, width, DIM)
        let mask = mask.to_dtype(DType::F32)?;
        let (base, tuned) = match &self.top {
            None => (hidden, None),
            Some((base, tuned)) => {
                // What `BertModel::forward` gives its layers: 0 for real tokens, a large negative for
                // padding, broadcast over heads and query positions.
                let blocked = ((mask.ones_like()? - &mask)? * f64::from(f32::MIN))?
                    .unsqueeze(1)?
                    .unsqueeze(1)?;
                (
                    base.forward(&hidden, &blocked)?,
                    Some(tuned.forward(&hidden, &blocked)?),
                )
            }
        };
        let mask = mask.unsqueeze(D::Minus1)?; // (rows, width, 1)
        let base = pool(&base, &mask)?;
        let tuned = tuned.map(|t| pool(&t, &mask)).transpose()?;
        Ok(match tuned {
            Some(tuned) => base
                .into_iter()
                .zip(tuned)
                .map(|(b, t)| (b, Some(t)))
                .collect(),
            None => base.into_iter().map(|b| (b, None)).collect(),
        })
    }
}

/// The mean of each row's real tokens, scaled to unit length.
fn pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Vec<[f32; DIM]>> {
    let summed = hidden.broadcast_mul(mask)?.sum(1)?; // (rows, DIM)
    let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?; // (rows, 1)
    let mean = summed.broadcast_div(&counts)?;
    let norms = mean
        .sqr()?
        .sum_keepdim(1)?
        .sqrt()?
        .clamp(1e-12f32, f32::MAX)?;
    let unit = mean.broadcast_div(&norms)?;
    let mut out = Vec::with_capacity(unit.dim(0)?);
    for row in unit.to_vec2::<f32>()? {
        let array: [f32; DIM] = row.try_into().map_err(|row: Vec<f32>| {
            candle_core::Error::Msg(format!(
                "an embedding of {} numbers, expected {DIM}",
                row.len()
            ))
        })?;
        out.push(array);
    }
    Ok(out)
}

/// The top layers from the adapter's first, loaded as they are and with its updates added.
fn top_layers(
    model: &ModelDir,
    config: &Config,
    tensors: &HashMap<String, Tensor>,
    adapter: &Adapter,
    device: &Device,
) -> Result<(BertEncoder, BertEncoder), EmbedError> {
    let first = adapter.first_layer();
    let mut top_config = config.clone();
    top_config.num_hidden_layers = config.num_hidden_layers - first;
    let mut base = HashMap::new();
    for (name, tensor) in tensors {
        let Some(rest) = name.strip_prefix("encoder.layer.") else {
            continue;
        };
        let Some((n, tail)) = rest.split_once('.') else {
            continue;
        };
        if let Ok(n) = n.parse::<usize>()
            && n >= first
        {
            base.insert(format!("layer.{}.{tail}", n - first), tensor.clone());
        }
    }
    let mut tuned = base.clone();
    for update in &adapter.updates {
        let renamed = update
            .weight
            .strip_prefix("encoder.layer.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(n, tail)| {
                Some(format!("layer.{}.{tail}", n.parse::<usize>().ok()? - first))
            });
        let Some(weight) = renamed.and_then(|name| tuned.get_mut(&name)) else {
            return Err(EmbedError::Weights {
                path: model.weights.path.clone(),
                reason: format!(
                    "the reading adapter updates `{}`, which the model lacks",
                    update.weight
                ),
            });
        };
        let delta = Tensor::from_vec(
            update.delta.clone(),
            (update.shape[0], update.shape[1]),
            device,
        )
        .and_then(|d| weight.add(&d))
        .map_err(|err| weights(model, err))?;
        *weight = delta;
    }
    let load = |tensors: HashMap<String, Tensor>| {
        BertEncoder::load(
            VarBuilder::from_tensors(tensors, DType::F32, device),
            &top_config,
        )
        .map_err(|err| weights(model, err))
    };
    Ok((load(base)?, load(tuned)?))
}

/// The threads candle's CPU kernels use (`RAYON_NUM_THREADS`, else the physical cores).
pub(crate) fn threads() -> usize {
    candle_core::utils::get_num_threads()
}

fn weights(model: &ModelDir, err: candle_core::Error) -> EmbedError {
    EmbedError::Weights {
        path: model.weights.path.clone(),
        reason: err.to_string(),
    }
}
