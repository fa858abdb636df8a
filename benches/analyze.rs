//! The content analysis of a two-minute answer: how long it adds after the transcript, with and
//! without the clauses embedded while the answer was spoken, and what the sentence model adds to
//! peak memory.
//!
//! `cargo bench --bench analyze` prints, median of 7 runs each:
//! - cold: every clause and sentence embedded after the transcript (`analyze --text`);
//! - live: the answer's first stretches prefetched as practice does while the candidate speaks
//!   (everything but the last 25 seconds, about 65 words), then the whole answer analysed;
//! - the lexicon design alone, for comparison.
//!
//! Then the process's peak resident memory (VmHWM) before and after loading the analyzer.

use std::time::Instant;

use rehearse::analysis::dataset;
use rehearse::analysis::{Analyzer, analyze_text_with};
use rehearse::questions::Bank;

const RUNS: usize = 7;
/// Words a candidate says in two minutes at 150 words a minute.
const WORDS: usize = 300;
/// Words in the last 25 seconds, left for after the transcript.
const TAIL_WORDS: usize = 65;

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    // A long answer in real people's voices: labelled answers joined until two minutes of words.
    let answers = dataset::load_dir(std::path::Path::new("tests/answers/real"))?;
    let mut words: Vec<String> = Vec::new();
    for a in &answers {
        if words.len() >= WORDS {
            break;
        }
        words.extend(a.text.split_whitespace().map(String::from));
    }
    words.truncate(WORDS);
    let answer = words.join(" ");
    let head = words[..WORDS - TAIL_WORDS].join(" ");
    let bank = Bank::shipped()?;
    let question = bank.get("failure").expect("failure question");

    let before = peak_mb();
    let load = Instant::now();
    let analyzer = Analyzer::load_default()?;
    let load_s = load.elapsed().as_secs_f64();
    let loaded = peak_mb();
    // One warm-up so lazily built tables are not counted.
    analyze_text_with(&analyzer, question, &answer);

    let mut cold = Vec::new();
    let mut live = Vec::new();
    let mut lexicon = Vec::new();
    let lex = Analyzer::lexicon();
    for _ in 0..RUNS {
        analyzer.clear_cache();
        let t = Instant::now();
        analyze_text_with(&analyzer, question, &answer);
        cold.push(t.elapsed().as_secs_f64() * 1000.0);

        analyzer.clear_cache();
        analyzer.prefetch(&head);
        let t = Instant::now();
        analyze_text_with(&analyzer, question, &answer);
        live.push(t.elapsed().as_secs_f64() * 1000.0);

        let t = Instant::now();
        analyze_text_with(&lex, question, &answer);
        lexicon.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let after = peak_mb();
    println!(
        "analysis of a {WORDS}-word answer ({:?} design), median of {RUNS}:",
        analyzer.design()
    );
    println!(
        "  cold (all clauses embedded after the transcript): {:.0} ms",
        median(cold)
    );
    println!(
        "  live (first {} words prefetched while speaking):  {:.0} ms",
        WORDS - TAIL_WORDS,
        median(live)
    );
    println!(
        "  lexicon design alone:                            {:.1} ms",
        median(lexicon)
    );
    println!("  analyzer load: {load_s:.2} s");
    println!(
        "  peak memory: {before:.0} MB before loading, {loaded:.0} MB loaded, {after:.0} MB after the runs (+{:.0} MB)",
        after - before
    );
    Ok(())
}
