//! A model file whose tensor values are damaged (issue 16 item 6): one tensor's bytes set to 0xFF
//! (NaN) made whisper.cpp segfault (exit 139). The model check now reads every value first, so
//! it is one sentence saying the file is damaged and how to get a good one, exit status 1.

use std::path::Path;

use crate::harness::Rehearse;

/// The installed tiny.en with every byte of one tensor's data set to 0xFF.
fn with_nan_tensor(dir: &Path, tensor: &str) -> std::path::PathBuf {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-tiny.en.bin");
    let mut bytes = std::fs::read(&installed).expect("make test installs tiny.en");
    let name = tensor.as_bytes();
    let at = bytes
        .windows(name.len())
        .position(|w| w == name)
        .expect("the tensor is in the file");
    // Its header is n_dims, name length, type, then the dimensions, the name and the data.
    let header = at - 4 * 4 - 4; // two dimensions for a matrix
    let int = |o: usize| i32::from_le_bytes(bytes[o..o + 4].try_into().unwrap()) as usize;
    assert_eq!(int(header), 2, "a two-dimensional tensor");
    let (ttype, rows, cols) = (int(header + 8), int(header + 12), int(header + 16));
    let element = if ttype == 0 { 4 } else { 2 };
    let start = at + name.len();
    bytes[start..start + rows * cols * element].fill(0xFF);
    let out = dir.join("nan.bin");
    std::fs::write(&out, &bytes).unwrap();
    out
}

#[test]
fn a_model_with_nan_weights_is_one_sentence_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let model = with_nan_tensor(dir.path(), "decoder.blocks.1.attn.query.weight");
    let wav = dir.path().join("hello.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..16_000 {
        writer
            .write_sample(((i as f32 * 0.06).sin() * 8000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
    let run = Rehearse::new()
        .arg("--model")
        .arg(&model)
        .arg("transcribe")
        .arg(&wav)
        .run();
    let line = run.failure();
    for part in [
        "nan.bin",
        "damaged",
        "not numbers",
        "decoder.blocks.1.attn.query.weight",
    ] {
        assert!(line.contains(part), "{part:?} not in {line}");
    }
}
