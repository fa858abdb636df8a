//! What the model check costs on every load (issue 16 item 6): [`rehearse::model::ggml::inspect`]
//! now reads every tensor value of the model to refuse NaN or infinite weights before whisper.cpp
//! sees them.
//!
//! `cargo bench --bench model_check` prints, median of 9 runs each on the installed tiny.en
//! (77.7 MB, in the page cache after the first run):
//! - the check alone (`inspect`);
//! - reading the file into memory, for comparison (the least any value check can cost);
//! - the whole model load (`Transcriber::load`, which runs the check, then whisper.cpp's load),
//!   median of 3, so the check's share of a load is seen.

use std::time::Instant;

const RUNS: usize = 9;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn timed(runs: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-tiny.en.bin");
    let size = std::fs::metadata(&path)
        .expect("make test installs tiny.en")
        .len();
    // Warm the page cache.
    let _ = std::fs::read(&path);
    let check = timed(RUNS, || {
        rehearse::model::ggml::inspect(&path).expect("tiny.en passes");
    });
    let read = timed(RUNS, || {
        std::hint::black_box(std::fs::read(&path).unwrap());
    });
    let load = timed(3, || {
        std::hint::black_box(
            rehearse::transcribe::Transcriber::load(Some(path.to_str().unwrap())).unwrap(),
        );
    });
    println!("tiny.en: {:.1} MB", size as f64 / 1e6);
    println!("model check (inspect, every value):  {check:.1} ms median of {RUNS}");
    println!("reading the file into memory:        {read:.1} ms median of {RUNS}");
    println!("whole load (check + whisper.cpp):    {load:.1} ms median of 3");
    println!(
        "the check's share of a load:         {:.0} %",
        check / load * 100.0
    );
}
