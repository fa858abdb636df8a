//! The reading layer's adapter: low-rank updates (LoRA) to the linear maps of the sentence model's
//! top encoder layers, trained by `scripts/tune_encoder.py` on the labelled clauses of
//! `tests/answers/real/` (training split only) to tell the story's tags apart. A paraphrase model
//! groups clauses by topic; the tuned layers lean toward what a clause does (blames, owns, learns).
//!
//! The adapter is small (`models/encoder-adapter.safetensors`, built into the binary) and leaves the
//! base model untouched: the encoder runs its lower layers once, then both the base top layers (for
//! talking points and everything else that compares meanings) and the tuned ones (for the tagger).

use std::collections::BTreeMap;
use std::path::Path;

use super::EmbedError;
use super::safetensors::{Floats, Safetensors};

/// The adapter shipped with the binary.
const SHIPPED: &[u8] = include_bytes!("../../models/encoder-adapter.safetensors");

/// One weight's update: `W + B A`, with `A` of `rank x in` and `B` of `out x rank`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Update {
    /// The weight's name in the model (`encoder.layer.5.attention.self.query.weight`).
    pub weight: String,
    /// `B A`, row-major, `out x in`.
    pub delta: Vec<f32>,
    /// `[out, in]`.
    pub shape: [usize; 2],
}

/// The parsed adapter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Adapter {
    /// The encoder layers it changes, in order (the top ones).
    pub layers: Vec<usize>,
    /// The updates, by weight name.
    pub updates: Vec<Update>,
}

impl Adapter {
    /// The shipped adapter.
    pub fn shipped() -> Result<Adapter, EmbedError> {
        Adapter::parse(Path::new("models/encoder-adapter.safetensors"), SHIPPED)
    }

    /// Parses an adapter file's bytes: pairs of `NAME.lora_a` and `NAME.lora_b` tensors.
    pub fn parse(label: &Path, bytes: &[u8]) -> Result<Adapter, EmbedError> {
        let bad = |reason: String| EmbedError::Weights {
            path: label.to_path_buf(),
            reason,
        };
        let tensors = Safetensors::read_all_f32(label, bytes)?;
        let mut pairs: BTreeMap<&str, [Option<&Floats>; 2]> = BTreeMap::new();
        for (name, tensor) in &tensors {
            if let Some(weight) = name.strip_suffix(".lora_a") {
                pairs.entry(weight).or_default()[0] = Some(tensor);
            } else if let Some(weight) = name.strip_suffix(".lora_b") {
                pairs.entry(weight).or_default()[1] = Some(tensor);
            } else {
                return Err(bad(format!("tensor `{name}` is not a LoRA factor")));
            }
        }
        let mut updates = Vec::with_capacity(pairs.len());
        let mut layers = Vec::new();
        for (weight, pair) in pairs {
            let [Some((a_shape, a)), Some((b_shape, b))] = pair else {
                return Err(bad(format!("`{weight}` lacks one of its two factors")));
            };
            let (&[rank, inputs], &[outputs, rank_b]) = (a_shape.as_slice(), b_shape.as_slice())
            else {
                return Err(bad(format!("`{weight}`'s factors are not matrices")));
            };
            if rank != rank_b || rank == 0 {
                return Err(bad(format!(
                    "`{weight}`'s factors have ranks {rank} and {rank_b}"
                )));
            }
            let layer = weight
                .strip_prefix("encoder.layer.")
                .and_then(|rest| rest.split('.').next())
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| bad(format!("`{weight}` is not an encoder layer's weight")))?;
            if !layers.contains(&layer) {
                layers.push(layer);
            }
            let mut delta = vec![0.0f32; outputs * inputs];
            for o in 0..outputs {
                let row = &mut delta[o * inputs..(o + 1) * inputs];
                for r in 0..rank {
                    let scale = b[o * rank + r];
                    for (d, &x) in row.iter_mut().zip(&a[r * inputs..(r + 1) * inputs]) {
                        *d += scale * x;
                    }
                }
            }
            if delta.iter().any(|d| !d.is_finite()) {
                return Err(bad(format!("`{weight}`'s update is not finite")));
            }
            updates.push(Update {
                weight: weight.to_string(),
                delta,
                shape: [outputs, inputs],
            });
        }
        layers.sort_unstable();
        if updates.is_empty() {
            return Err(bad("it holds no updates".into()));
        }
        Ok(Adapter { layers, updates })
    }

    /// The shipped adapter's SHA-256, in hex: taggers record which adapter their features came from.
    pub fn shipped_sha256() -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(SHIPPED)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The first layer it changes: the encoder runs the layers below once.
    pub fn first_layer(&self) -> usize {
        self.layers.first().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_adapter_changes_only_the_top_layers() {
        let adapter = Adapter::shipped().unwrap();
        assert!(!adapter.updates.is_empty());
        assert!(adapter.first_layer() >= 1, "{:?}", adapter.layers);
        let contiguous: Vec<usize> =
            (adapter.first_layer()..=*adapter.layers.last().unwrap()).collect();
        assert_eq!(adapter.layers, contiguous);
        for u in &adapter.updates {
            assert_eq!(u.delta.len(), u.shape[0] * u.shape[1]);
            assert!(
                u.delta.iter().any(|&d| d != 0.0),
                "{} is all zeros",
                u.weight
            );
        }
    }

    #[test]
    fn a_damaged_adapter_is_refused_with_a_reason() {
        let label = Path::new("adapter.safetensors");
        let err = Adapter::parse(label, &SHIPPED[..SHIPPED.len() / 2]).unwrap_err();
        assert!(err.to_string().contains("adapter.safetensors"), "{err}");
        assert!(Adapter::parse(label, b"garbage").is_err());
    }
}
