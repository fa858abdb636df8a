//! `ModelDir`: the sentence model's folder, checked before anything is loaded. `config.json` must
//! describe a BERT encoder this build runs (hidden size [`DIM`]), `model.safetensors` must hold every
//! tensor that encoder needs with the shape the config implies (checked by [`Safetensors`], which also
//! checks the file's own layout), and `tokenizer.json` must be there. sentence-transformers' settings
//! are honoured when present: `sentence_bert_config.json` for the longest input and
//! `1_Pooling/config.json`, which must ask for mean pooling.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::safetensors::Safetensors;
use super::{DIM, EmbedError};

/// The files a model folder must have.
pub const REQUIRED_FILES: &[&str] = &["config.json", "model.safetensors", "tokenizer.json"];

/// sentence-transformers' settings for the input length.
const SENTENCE_CONFIG: &str = "sentence_bert_config.json";
/// sentence-transformers' pooling settings.
const POOLING_CONFIG: &str = "1_Pooling/config.json";

/// The part of a Hugging Face BERT `config.json` that decides the tensors' shapes.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BertShape {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub hidden_act: String,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

/// A model folder whose files were found and checked.
#[derive(Debug, Clone)]
pub(crate) struct ModelDir {
    pub dir: PathBuf,
    /// `config.json` as written (the encoder parses it again for its own settings).
    pub config_text: String,
    pub shape: BertShape,
    pub weights: Safetensors,
    /// The tensors the encoder reads, by the name it asks for and the name in the file.
    pub tensor_names: Vec<(String, String)>,
    pub tokenizer: PathBuf,
    /// Longer inputs are cut to this many word pieces (including `[CLS]` and `[SEP]`).
    pub max_tokens: usize,
}

/// What `rehearse model status` says about an installed sentence model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// Bytes of weights.
    pub weights_size: u64,
    /// Encoder layers.
    pub layers: usize,
    /// Longest input in word pieces.
    pub max_tokens: usize,
}

/// Checks the sentence model folder `dir` without loading the weights.
pub fn inspect(dir: &Path) -> Result<ModelInfo, EmbedError> {
    let model = ModelDir::inspect(dir)?;
    Ok(ModelInfo {
        weights_size: model.weights.file_size,
        layers: model.shape.num_hidden_layers,
        max_tokens: model.max_tokens,
    })
}

#[derive(Deserialize)]
struct SentenceConfig {
    max_seq_length: usize,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode_weightedmean_tokens: bool,
    #[serde(default)]
    pooling_mode_lasttoken: bool,
}

impl ModelDir {
    /// Finds and checks the files of `dir`.
    pub fn inspect(dir: &Path) -> Result<Self, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::NotInstalled {
                dir: dir.to_path_buf(),
            });
        }
        for file in REQUIRED_FILES {
            if !dir.join(file).is_file() {
                return Err(EmbedError::MissingFile {
                    dir: dir.to_path_buf(),
                    file: (*file).to_string(),
                });
            }
        }
        let config_path = dir.join("config.json");
        let config_text = read_text(&config_path)?;
        let shape: BertShape = serde_json::from_str(&config_text)
            .map_err(|err| config(&config_path, err.to_string()))?;
        check_shape(&config_path, &shape)?;
        let max_tokens = max_tokens(dir, &shape)?;
        check_pooling(dir)?;
        let weights = Safetensors::inspect(&dir.join("model.safetensors"))?;
        let tensor_names = check_tensors(&weights, &shape)?;
        Ok(ModelDir {
            dir: dir.to_path_buf(),
            config_text,
            shape,
            weights,
            tensor_names,
            tokenizer: dir.join("tokenizer.json"),
            max_tokens,
        })
    }
}

fn check_shape(path: &Path, shape: &BertShape) -> Result<(), EmbedError> {
    if shape.hidden_size != DIM {
        return Err(config(
            path,
            format!(
                "its hidden size is {}, and this build embeds with {DIM}",
                shape.hidden_size
            ),
        ));
    }
    if shape.num_attention_heads == 0
        || !shape.hidden_size.is_multiple_of(shape.num_attention_heads)
    {
        return Err(config(
            path,
            format!(
                "{} attention heads do not divide the hidden size {}",
                shape.num_attention_heads, shape.hidden_size
            ),
        ));
    }
    if !matches!(
        shape.hidden_act.as_str(),
        "gelu" | "gelu_approximate" | "relu"
    ) {
        return Err(config(
            path,
            format!("its activation `{}` is not supported", shape.hidden_act),
        ));
    }
    if let Some(kind) = &shape.position_embedding_type {
        if kind != "absolute" {
            return Err(config(
                path,
                format!("its position embeddings are `{kind}`, and only `absolute` is supported"),
            ));
        }
    }
    let sizes = [
        shape.vocab_size,
        shape.num_hidden_layers,
        shape.intermediate_size,
        shape.max_position_embeddings,
        shape.type_vocab_size,
    ];
    if sizes.contains(&0) {
        return Err(config(path, "one of its sizes is zero".into()));
    }
    Ok(())
}

/// The longest input: sentence-transformers' `max_seq_length` when given (256 for all-MiniLM-L6-v2,
/// the length it was trained with), never more than the position table allows.
fn max_tokens(dir: &Path, shape: &BertShape) -> Result<usize, EmbedError> {
    let path = dir.join(SENTENCE_CONFIG);
    let wanted = if path.is_file() {
        let settings: SentenceConfig = serde_json::from_str(&read_text(&path)?)
            .map_err(|err| config(&path, err.to_string()))?;
        settings.max_seq_length
    } else {
        shape.max_position_embeddings
    };
    if wanted < 2 {
        return Err(config(
            &path,
            format!("max_seq_length {wanted} leaves no room for text"),
        ));
    }
    Ok(wanted.min(shape.max_position_embeddings))
}

/// The model was trained with mean pooling; any other setting means a different model.
fn check_pooling(dir: &Path) -> Result<(), EmbedError> {
    let path = dir.join(POOLING_CONFIG);
    if !path.is_file() {
        return Ok(());
    }
    let pooling: PoolingConfig =
        serde_json::from_str(&read_text(&path)?).map_err(|err| config(&path, err.to_string()))?;
    let others = pooling.pooling_mode_cls_token
        || pooling.pooling_mode_max_tokens
        || pooling.pooling_mode_mean_sqrt_len_tokens
        || pooling.pooling_mode_weightedmean_tokens
        || pooling.pooling_mode_lasttoken;
    if !pooling.pooling_mode_mean_tokens || others {
        return Err(config(
            &path,
            "it asks for a pooling other than the mean of the tokens, which is the only one supported".into(),
        ));
    }
    Ok(())
}

/// Every tensor the encoder reads, with its shape; returns (name the encoder asks for, name in the
/// file). Files saved from `BertForMaskedLM` and the like prefix every name with `bert.`.
fn check_tensors(
    weights: &Safetensors,
    shape: &BertShape,
) -> Result<Vec<(String, String)>, EmbedError> {
    let prefix = if weights
        .tensors
        .contains_key("embeddings.word_embeddings.weight")
    {
        ""
    } else {
        "bert."
    };
    let h = shape.hidden_size;
    let i = shape.intermediate_size;
    let mut wanted: Vec<(String, Vec<usize>)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![shape.vocab_size, h],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![shape.max_position_embeddings, h],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![shape.type_vocab_size, h],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![h]),
        ("embeddings.LayerNorm.bias".into(), vec![h]),
    ];
    for layer in 0..shape.num_hidden_layers {
        let p = format!("encoder.layer.{layer}");
        for (name, dims) in [
            ("attention.self.query.weight", vec![h, h]),
            ("attention.self.query.bias", vec![h]),
            ("attention.self.key.weight", vec![h, h]),
            ("attention.self.key.bias", vec![h]),
            ("attention.self.value.weight", vec![h, h]),
            ("attention.self.value.bias", vec![h]),
            ("attention.output.dense.weight", vec![h, h]),
            ("attention.output.dense.bias", vec![h]),
            ("attention.output.LayerNorm.weight", vec![h]),
            ("attention.output.LayerNorm.bias", vec![h]),
            ("intermediate.dense.weight", vec![i, h]),
            ("intermediate.dense.bias", vec![i]),
            ("output.dense.weight", vec![h, i]),
            ("output.dense.bias", vec![h]),
            ("output.LayerNorm.weight", vec![h]),
            ("output.LayerNorm.bias", vec![h]),
        ] {
            wanted.push((format!("{p}.{name}"), dims));
        }
    }
    let mut names = Vec::with_capacity(wanted.len());
    for (name, dims) in wanted {
        let stored = format!("{prefix}{name}");
        let Some(info) = weights.tensors.get(&stored) else {
            return Err(EmbedError::Weights {
                path: weights.path.clone(),
                reason: format!(
                    "it has no tensor `{stored}`; it is not the model `config.json` describes"
                ),
            });
        };
        if info.shape != dims || info.dtype != super::safetensors::Dtype::F32 {
            return Err(EmbedError::Weights {
                path: weights.path.clone(),
                reason: format!(
                    "tensor `{stored}` is {:?} {:?}, expected F32 {dims:?}",
                    info.dtype, info.shape
                ),
            });
        }
        names.push((name, stored));
    }
    Ok(names)
}

fn read_text(path: &Path) -> Result<String, EmbedError> {
    std::fs::read_to_string(path).map_err(|error| EmbedError::Read {
        path: path.to_path_buf(),
        error,
    })
}

fn config(path: &Path, reason: String) -> EmbedError {
    EmbedError::Config {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_or_file_says_how_to_install() {
        let tmp = tempfile::tempdir().unwrap();
        let err = ModelDir::inspect(&tmp.path().join("all-minilm-l6-v2")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("is missing") && text.contains("rehearse model download minilm"),
            "{text}"
        );
        std::fs::write(tmp.path().join("config.json"), "{}").unwrap();
        let text = ModelDir::inspect(tmp.path()).unwrap_err().to_string();
        assert!(text.contains("no `model.safetensors`"), "{text}");
    }

    #[test]
    fn a_config_for_another_model_is_refused_before_the_weights_are_read() {
        let tmp = tempfile::tempdir().unwrap();
        for file in REQUIRED_FILES {
            std::fs::write(tmp.path().join(file), "").unwrap();
        }
        let config = r#"{"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12,
            "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 512,
            "type_vocab_size": 2, "hidden_act": "gelu"}"#;
        std::fs::write(tmp.path().join("config.json"), config).unwrap();
        let text = ModelDir::inspect(tmp.path()).unwrap_err().to_string();
        assert!(text.contains("hidden size is 768"), "{text}");
        std::fs::write(tmp.path().join("config.json"), "not json").unwrap();
        let text = ModelDir::inspect(tmp.path()).unwrap_err().to_string();
        assert!(
            text.contains("config.json") && text.contains("reinstall"),
            "{text}"
        );
    }

    #[test]
    fn weights_without_the_tensors_the_config_needs_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let config = r#"{"vocab_size": 4, "hidden_size": 384, "num_hidden_layers": 1,
            "num_attention_heads": 12, "intermediate_size": 8, "max_position_embeddings": 8,
            "type_vocab_size": 1, "hidden_act": "gelu"}"#;
        std::fs::write(tmp.path().join("config.json"), config).unwrap();
        std::fs::write(tmp.path().join("tokenizer.json"), "{}").unwrap();
        let bytes = super::super::safetensors::tests::build(&[(
            "embeddings.word_embeddings.weight",
            vec![4, 384],
            vec![0.0; 4 * 384],
        )]);
        std::fs::write(tmp.path().join("model.safetensors"), bytes).unwrap();
        let text = ModelDir::inspect(tmp.path()).unwrap_err().to_string();
        assert!(
            text.contains("no tensor `embeddings.position_embeddings.weight`"),
            "{text}"
        );
        std::fs::create_dir(tmp.path().join("1_Pooling")).unwrap();
        std::fs::write(
            tmp.path().join(POOLING_CONFIG),
            r#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
        )
        .unwrap();
        let text = ModelDir::inspect(tmp.path()).unwrap_err().to_string();
        assert!(text.contains("pooling"), "{text}");
    }
}
