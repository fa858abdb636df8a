//! `Encoder`: the BERT encoder on the CPU with candle, and the pooling that turns its output into
//! sentence embeddings (the mean over each sentence's real tokens, scaled to unit length). All candle
//! calls are in this file, as all whisper-rs calls are in `transcribe/whisper.rs`: candle's API moves
//! between minor versions, and this file should absorb that.

use std::collections::HashMap;

use candle_core::{D, DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

use super::model_dir::ModelDir;
use super::{DIM, EmbedError};

/// The loaded encoder.
pub(crate) struct Encoder {
    model: BertModel,
    device: Device,
}

impl Encoder {
    /// Builds the encoder from a checked model folder, reading each tensor straight from the file
    /// into its own buffer (the weights are in memory once; no memory map, no second copy).
    pub fn load(model: &ModelDir) -> Result<Self, EmbedError> {
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
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model = BertModel::load(vb, &config).map_err(|err| weights(model, err))?;
        Ok(Encoder { model, device })
    }

    /// Embeds a batch of id sequences (each non-empty, within the model's length and vocabulary):
    /// pads them to the longest, runs the encoder, and mean-pools each over its own tokens.
    pub fn embed(&self, batch: &[Vec<u32>]) -> Result<Vec<[f32; DIM]>, EmbedError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.run(batch).map_err(|err| EmbedError::Inference {
            reason: err.to_string(),
        })
    }

    fn run(&self, batch: &[Vec<u32>]) -> candle_core::Result<Vec<[f32; DIM]>> {
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
        let hidden = self.model.forward(&ids, &types, Some(&mask))?; // (rows, width, DIM)
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(D::Minus1)?; // (rows, width, 1)
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (rows, DIM)
        let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?; // (rows, 1)
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12f32, f32::MAX)?;
        let unit = mean.broadcast_div(&norms)?;
        let mut out = Vec::with_capacity(rows);
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
