//! Sentence-embedding benchmark: the clauses of a two-minute answer (about 300 words in 35 clauses of
//! 5 to 15 words) embedded with the installed all-MiniLM-L6-v2, all in one batch, one at a time, and
//! the last 8 alone (what is left to embed once live transcription has delivered the end of the
//! answer), with the model's load time and the process's peak memory before and after loading.
//!
//! Run: `cargo bench --bench embed`. It prints the median of 5 runs of each; nothing is asserted.
//! `RAYON_NUM_THREADS` changes the thread count.

use std::time::Instant;

use rehearse::embed::Embedder;

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use support::{machine, median};

const RUNS: usize = 5;

/// A two-minute answer to "Have you ever failed at anything?", cut where a speaker pauses.
const CLAUSES: [&str; 35] = [
    "Yes, definitely, and the one I think about most",
    "was a product launch at my last job",
    "where I was the lead on the mobile release.",
    "We had promised the customer a date in March",
    "and I was confident we could make it,",
    "so I didn't raise any flags in the planning meeting.",
    "About three weeks before the launch",
    "our testing showed that the payment screen crashed on older phones,",
    "and fixing it meant rewriting a big part of the checkout flow.",
    "Um, I tried to handle it on my own at first,",
    "working late and pulling in one other developer,",
    "because I didn't want to admit that we were behind.",
    "That was the real mistake, honestly.",
    "By the time I told my manager,",
    "we only had a week left",
    "and there was no way to finish the fix and test it properly.",
    "So we missed the date by two weeks,",
    "and the customer was really unhappy,",
    "and my manager had to apologise to them on a call.",
    "I owned it in that meeting",
    "and explained what had happened and why I had waited.",
    "Afterwards I sat down with the team",
    "and we wrote up what went wrong.",
    "What I learned is that bad news gets worse with time.",
    "Now I raise risks as soon as I see them,",
    "even when I think I can still fix them myself,",
    "and I put a short risk list into every weekly update.",
    "On the next release, uh, six months later,",
    "we found a similar problem with the login service,",
    "I flagged it the same day,",
    "we moved two people onto it",
    "and we still shipped on time.",
    "My manager actually mentioned that in my review,",
    "so it turned a pretty painful failure",
    "into something I'm quite proud of now.",
];

fn main() {
    let dir = Embedder::default_dir();
    let words: usize = CLAUSES.iter().map(|c| c.split_whitespace().count()).sum();
    let before = peak_memory_kb();
    let start = Instant::now();
    let embedder = match Embedder::load(&dir) {
        Ok(embedder) => embedder,
        Err(err) => {
            eprintln!("skipped: {err}");
            return;
        }
    };
    let load = start.elapsed().as_secs_f64();
    let after_load = peak_memory_kb();
    println!(
        "answer: {} clauses, {words} words; threads: {}; machine: {}",
        CLAUSES.len(),
        Embedder::threads(),
        machine()
    );
    println!("model load: {:.0} ms", load * 1e3);

    // One warm-up of each kind, so thread pools and allocations are not timed.
    let tail = &CLAUSES[CLAUSES.len() - 8..];
    embedder.embed(&CLAUSES).expect("embeds");
    embedder.embed(tail).expect("embeds");

    let mut all = time(|| {
        embedder.embed(&CLAUSES).expect("embeds");
    });
    let mut single = time(|| {
        for clause in CLAUSES {
            embedder.embed_one(clause).expect("embeds");
        }
    });
    let mut last8 = time(|| {
        embedder.embed(tail).expect("embeds");
    });
    let after_runs = peak_memory_kb();
    let (all, single, last8) = (median(&mut all), median(&mut single), median(&mut last8));
    println!(
        "all {} clauses in one batch: {:.1} ms",
        CLAUSES.len(),
        all * 1e3
    );
    println!(
        "one clause at a time: {:.1} ms in all, {:.2} ms per clause",
        single * 1e3,
        single * 1e3 / CLAUSES.len() as f64
    );
    println!("last 8 clauses in one batch: {:.1} ms", last8 * 1e3);
    let mb = |kb: Option<u64>| kb.map_or("?".into(), |kb| format!("{:.0} MB", kb as f64 / 1024.0));
    println!(
        "peak memory (VmHWM): {} before loading, {} after loading, {} after the runs; the model adds {}",
        mb(before),
        mb(after_load),
        mb(after_runs),
        mb(after_runs.zip(before).map(|(a, b)| a.saturating_sub(b)))
    );
}

/// The seconds of each of [`RUNS`] runs.
fn time(mut run: impl FnMut()) -> Vec<f64> {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect()
}

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
