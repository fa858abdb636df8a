//! `rehearse analyze` and `rehearse questions`: the report's contract through `analyze --text`,
//! labelled answers spoken by espeak-ng through `analyze AUDIO` with the real model against their
//! written form (the agreement of the content checks themselves is `content_checks`), talking points
//! written only in a question file, the delivery figures on
//! the shared real speech against its reference transcripts and TextGrid timings, and the question
//! bank's validation errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::harness::{Rehearse, shared_speech};

const CHECKS: &[&str] = &[
    "admits-failure",
    "specific-story",
    "workplace-story",
    "what-went-wrong",
    "turnaround-or-lesson",
    "lesson-applied",
    "not-too-severe",
    "personal-boundaries",
    "resilient-tone",
];

#[derive(Deserialize)]
struct Labelled {
    answer: Vec<Answer>,
}

#[derive(Deserialize)]
struct Answer {
    id: String,
    #[allow(dead_code)]
    style: String,
    text: String,
    expect: BTreeMap<String, String>,
}

/// Every labelled answer of the flagship in `tests/answers/` (`failure.toml` and its later batches),
/// with the file it came from.
fn answers() -> Vec<(String, Answer)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let ids: Vec<String> = rehearse::questions::Bank::shipped()
        .unwrap()
        .ids()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut all = Vec::new();
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let ids = ids.iter().map(String::as_str).collect::<Vec<_>>();
        if rehearse::analysis::dataset::question_of_file(&name, &ids) != Some("failure") {
            continue;
        }
        let labelled: Labelled = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for a in labelled.answer {
            for check in CHECKS {
                assert!(
                    a.expect.contains_key(*check),
                    "answer {} has no label for {check}",
                    a.id
                );
            }
            all.push((name.clone(), a));
        }
    }
    all
}

/// Content outcomes by check id from `analyze --json` output.
fn outcomes(json: &str) -> BTreeMap<String, String> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn analyze_text(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.txt");
    std::fs::write(&file, text).unwrap();
    Rehearse::new()
        .args(["analyze", "--question", "failure", "--json", "--text"])
        .arg(&file)
        .run()
        .success()
}

#[test]
fn text_report_json_has_the_contract_shape() {
    let json = analyze_text(
        "Last year at work I missed a deadline because I did not flag a risk. I learned to raise risks early, and on the next project we delivered on time.",
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["question"]["id"], "failure");
    assert_eq!(
        report["question"]["text"],
        "Have you ever failed at anything?"
    );
    assert!(report["delivery"].is_null());
    assert!(
        report["transcript"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Last year")
    );
    let score = report["score"].as_u64().unwrap();
    assert!((80..=100).contains(&score), "{score}");
    let first = &report["checks"][0];
    assert_eq!(first["id"], "admits-failure");
    assert_eq!(first["outcome"], "pass");
    assert!(first["message"].as_str().unwrap().len() > 10);
    assert!(
        first["evidence"][0]["quote"]
            .as_str()
            .unwrap()
            .contains("missed a deadline")
    );
}

#[test]
fn human_report_is_plain_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "No, not really.").unwrap();
    let out = Rehearse::new()
        .args(["analyze", "--question", "failure", "--text"])
        .arg(&file)
        .run()
        .success();
    assert!(
        out.contains("Question: Have you ever failed at anything?"),
        "{out}"
    );
    assert!(out.contains("FAIL admits-failure"), "{out}");
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn unknown_question_and_missing_file_are_clear_errors() {
    let line = Rehearse::new()
        .args(["analyze", "--question", "nope", "--text", "/dev/null"])
        .run()
        .failure();
    assert!(
        line.contains("no question `nope`") && line.contains("failure"),
        "{line}"
    );
    let line = Rehearse::new()
        .args([
            "analyze",
            "--question",
            "failure",
            "--text",
            "/no/such/answer.txt",
        ])
        .run()
        .failure();
    assert!(line.contains("/no/such/answer.txt"), "{line}");
    // The answer's words given where the file goes: the error says how to pass words (on stdin).
    for words in [
        "I failed my driving test twice".to_string(),
        "word ".repeat(100),
    ] {
        let line = Rehearse::new()
            .args(["analyze", "--question", "failure", "--text", &words])
            .run()
            .failure();
        assert!(
            line.contains("--text takes a text file, or - to read the answer from standard input"),
            "{line}"
        );
        assert!(line.len() < 300, "the answer is not echoed whole: {line}");
    }
    let run = Rehearse::new()
        .args(["analyze", "--question", "failure"])
        .run();
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
}

#[test]
fn questions_lists_the_bank_and_checks_files() {
    let out = Rehearse::new()
        .args(["questions", "--json"])
        .run()
        .success();
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 11);
    let failure = list.iter().find(|q| q["id"] == "failure").unwrap();
    assert_eq!(
        failure["follow_ups"]["lesson-applied"],
        "Have you had a chance to apply that since?"
    );
    assert_eq!(failure["checks"].as_array().unwrap().len(), 9);

    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Rehearse::new()
                .args(["questions", "--check"])
                .arg(&path)
                .run()
                .success();
        }
    }
}

#[test]
fn a_broken_user_question_file_names_file_and_line() {
    let run = Rehearse::new();
    let dir = run.home().join("questions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.toml"),
        "id = \"mine\"\ntext = \"Why?\"\ncategory = \"x\"\ntime = { min = 10, ideal = 20, max = 30 }\nroles = [\"general\"]\n\n[[checks]]\nid = \"specific-story\"\nwieght = 2\n",
    )
    .unwrap();
    let line = run.args(["questions", "--check"]).run().failure();
    assert!(line.contains("mine.toml: line 9"), "{line}");
    assert!(line.contains("wieght"), "{line}");
}

#[test]
fn a_user_question_file_joins_the_bank() {
    let run = Rehearse::new();
    let dir = run.home().join("questions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.toml"),
        "id = \"mine\"\ntext = \"Why do you code?\"\ncategory = \"motivation\"\ntime = { min = 10, ideal = 20, max = 30 }\nroles = [\"general\"]\n\n[[checks]]\nid = \"motivation\"\n",
    )
    .unwrap();
    let out = run.args(["questions"]).run().success();
    assert!(
        out.contains("mine") && out.contains("Why do you code?"),
        "{out}"
    );
}

/// Synthesises speech with espeak-ng into `dir`, returning the WAV path.
fn speak(dir: &Path, name: &str, text: &str) -> PathBuf {
    let wav = dir.join(format!("{name}.wav"));
    let status = Command::new("espeak-ng")
        .args(["-s", "150", "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .expect("run espeak-ng");
    assert!(status.success());
    wav
}

#[test]
fn spoken_answers_give_the_same_content_outcomes_as_their_text() {
    let answers = answers();
    let chosen = [
        "strong-deadline",
        "flat-no",
        "blame-manager",
        "forklift-injury",
        "invoice-habit",
        "future-only",
        "coworker-failed",
        "economy-blame",
    ];
    let dir = tempfile::tempdir().unwrap();
    let (mut same, mut total) = (0, 0);
    let mut differ = Vec::new();
    for id in chosen {
        // Later batches reuse some ids for new wordings; these are the first file's.
        let (_, a) = answers
            .iter()
            .find(|(file, a)| file == "failure" && a.id == id)
            .unwrap();
        let wav = speak(dir.path(), id, &a.text);
        let spoken = Rehearse::new()
            .args(["analyze", "--question", "failure", "--json"])
            .arg(&wav)
            .run()
            .success();
        let report: serde_json::Value = serde_json::from_str(&spoken).unwrap();
        let heard = report["transcript"]["text"].as_str().unwrap().to_string();
        let from_audio = outcomes(&spoken);
        let from_text = outcomes(&analyze_text(&a.text));
        for check in CHECKS {
            total += 1;
            if from_audio[*check] == from_text[*check] {
                same += 1;
            } else {
                differ.push(format!(
                    "{id} {check}: spoken {} written {} (heard {heard:?})",
                    from_audio[*check], from_text[*check]
                ));
            }
        }
        // Delivery is measured for audio.
        let d = &report["delivery"];
        assert!(d["words"].as_u64().unwrap() > 3, "{d}");
        let wpm = d["words_per_minute"].as_f64().unwrap();
        assert!(
            (100.0..220.0).contains(&wpm),
            "espeak at 150 wpm measured as {wpm}"
        );
        assert_ne!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == "pace")
                .unwrap()["outcome"],
            "skipped"
        );
    }
    let pct = 100.0 * same as f64 / total as f64;
    eprintln!(
        "spoken against written: {same}/{total} verdicts agree ({pct:.1}%)\n{}",
        differ.join("\n")
    );
    assert!(pct >= 92.0, "{pct:.1}% of verdicts agree, under 92%");
}

/// A question whose one check is a talking point defined only by example sentences in its file.
const TALKING_POINT_QUESTION: &str = r#"
id = "numbers"
text = "Tell me about a result you are proud of."
category = "behavioural"
time = { min = 30, ideal = 60, max = 90 }
roles = ["general"]

[follow_ups]
mentored-someone = "Have you helped someone newer than you find their feet?"

[[checks]]
id = "mentored-someone"
examples = ["I mentored a new hire on the team", "I coached a junior colleague through their first project", "I helped a new colleague learn the ropes"]
pass = "You showed you help others grow."
fail = "Say how you have helped a newer colleague learn."

[[checks]]
id = "result"
"#;

#[test]
fn a_talking_point_written_only_in_toml_is_matched_by_meaning() {
    let run = Rehearse::new();
    let dir = run.home().join("questions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("numbers.toml"), TALKING_POINT_QUESTION).unwrap();
    let answer = run.home().join("answer.txt");
    let check = |text: &str| -> (String, String) {
        std::fs::write(&answer, text).unwrap();
        let json = Rehearse::new()
            .env("REHEARSE_HOME", run.home())
            .args(["analyze", "--question", "numbers", "--json", "--text"])
            .arg(&answer)
            .run()
            .success();
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let c = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "mentored-someone")
            .unwrap()
            .clone();
        let quote = c["evidence"][0]["quote"].as_str().unwrap_or("").to_string();
        (c["outcome"].as_str().unwrap().to_string(), quote)
    };
    // The same point in other words than any example, quoted.
    let (outcome, quote) = check(
        "I fixed the build pipeline. Also, I paired with our newest engineer every morning and walked her through code reviews.",
    );
    assert_eq!(outcome, "pass", "{quote}");
    assert!(quote.contains("newest engineer"), "{quote}");
    let (outcome, _) = check(
        "I fixed the build pipeline, and we shipped the release on time. My manager asked me to lead the migration.",
    );
    assert_eq!(outcome, "fail");
}

#[test]
fn a_broken_talking_point_is_refused_with_file_and_line() {
    let run = Rehearse::new();
    let dir = run.home().join("questions");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = TALKING_POINT_QUESTION.replace(
        r#"examples = ["I mentored a new hire on the team", "I coached a junior colleague through their first project", "I helped a new colleague learn the ropes"]"#,
        "examples = []",
    );
    std::fs::write(dir.join("numbers.toml"), &empty).unwrap();
    let line = Rehearse::new()
        .env("REHEARSE_HOME", run.home())
        .args(["questions", "--check"])
        .run()
        .failure();
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let at = format!("numbers.toml: line {}", line_of(&empty, "examples = []"));
    assert!(line.contains(&at), "{line}");
    assert!(line.contains("at least one example"), "{line}");
    let unknown = TALKING_POINT_QUESTION.replace(
        "[[checks]]\nid = \"result\"",
        "[[checks]]\nid = \"result\"\nrules = [\"pass if resutl\", \"fail\"]",
    );
    std::fs::write(dir.join("numbers.toml"), &unknown).unwrap();
    let line = Rehearse::new()
        .env("REHEARSE_HOME", run.home())
        .args(["questions", "--check"])
        .run()
        .failure();
    let at = format!("numbers.toml: line {}", line_of(&unknown, "resutl"));
    assert!(line.contains(&at), "{line}");
    assert!(line.contains("unknown tag `resutl`"), "{line}");
}

/// Word intervals `(start, end, text)` of the `words` tier of a Praat TextGrid (short or long format).
fn textgrid_words(path: &Path) -> Vec<(f64, f64, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let values: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let value = match line.split_once('=') {
                Some((_, right)) => right.trim(),
                None if line.ends_with(':')
                    || line.starts_with('<')
                    || line.contains("<exists>")
                    || line.is_empty() =>
                {
                    return None;
                }
                None => line,
            };
            Some(value.trim_matches('"').to_string())
        })
        .collect();
    let tier = values
        .windows(2)
        .position(|w| w[0] == "IntervalTier" && w[1] == "words")
        .expect("a words tier");
    let count: usize = values[tier + 4].parse().unwrap();
    (0..count)
        .map(|i| {
            let at = tier + 5 + 3 * i;
            (
                values[at].parse().unwrap(),
                values[at + 1].parse().unwrap(),
                values[at + 2].clone(),
            )
        })
        .filter(|(_, _, t)| !t.is_empty())
        .collect()
}

fn is_sound_filler(word: &str) -> bool {
    ["um", "uh", "er", "ah", "hmm", "mm"].contains(&word)
}

/// Reference fillers in a lower-case transcript: um/uh/er/ah/hmm, and "you know"/"yknow".
fn reference_fillers(text: &str) -> usize {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .iter()
        .filter(|w| is_sound_filler(w) || **w == "yknow")
        .count()
        + words
            .windows(2)
            .filter(|w| w[0] == "you" && w[1] == "know")
            .count()
}

#[test]
fn delivery_figures_agree_with_the_shared_speech_references() {
    let Some(dir) = shared_speech() else { return };
    let mut wavs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    wavs.sort();
    let (mut filler_ref, mut filler_got) = (0, 0);
    eprintln!(
        "{:<52} {:>9} {:>9} {:>6} {:>7} {:>8}",
        "clip", "fillers", "ref", "words", "wpm", "pauses"
    );
    for wav in &wavs {
        let name = wav.file_stem().unwrap().to_string_lossy().into_owned();
        let reference = std::fs::read_to_string(wav.with_extension("txt"))
            .unwrap()
            .to_lowercase();
        let reference: String = reference
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '\'')
            .collect();
        let out = Rehearse::new()
            .args(["analyze", "--question", "failure", "--json"])
            .arg(wav)
            .run()
            .success();
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let d = &report["delivery"];
        let got = d["fillers"]["count"].as_u64().unwrap() as usize;
        let want = reference_fillers(&reference);
        filler_ref += want;
        filler_got += got;
        let items: Vec<&str> = d["fillers"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap())
            .collect();
        eprintln!(
            "{name:<52} {got:>9} {want:>9} {:>6} {:>7.0} {:>8}   fillers heard: {items:?}",
            d["words"],
            d["words_per_minute"].as_f64().unwrap(),
            d["pauses"]["count"]
        );
        assert!(
            got.abs_diff(want) <= 1,
            "{name}: {got} fillers, reference {want}; heard {:?}",
            report["transcript"]["text"]
        );

        let grid = wav.with_extension("TextGrid");
        if grid.is_file() {
            let words = textgrid_words(&grid);
            let start = words.first().unwrap().0;
            let end = words.last().unwrap().1;
            let ref_words = words
                .iter()
                .filter(|w| !is_sound_filler(&w.2))
                .map(|w| if w.2 == "yknow" { 2 } else { 1 })
                .sum::<usize>();
            let ref_wpm = ref_words as f64 / ((end - start) / 60.0);
            let ref_pauses: Vec<f64> = words
                .windows(2)
                .map(|w| w[1].0 - w[0].1)
                .filter(|gap| *gap >= 0.5)
                .collect();
            let ref_long = ref_pauses.iter().filter(|g| **g >= 2.0).count();
            let ref_gaps: Vec<(f64, f64)> = words
                .windows(2)
                .filter(|w| w[1].0 - w[0].1 >= 0.5)
                .map(|w| (w[0].1, w[1].0))
                .collect();
            let speaking = d["speaking_seconds"].as_f64().unwrap();
            let wpm = d["words_per_minute"].as_f64().unwrap();
            let pauses = d["pauses"]["count"].as_u64().unwrap() as usize;
            let long = d["pauses"]["long_count"].as_u64().unwrap() as usize;
            eprintln!(
                "  TextGrid: speaking {:.2} s (measured {speaking:.2}), start {start:.2} s (measured {:.2}), {ref_wpm:.0} wpm (measured {wpm:.0}), pauses >= 0.5 s {} (measured {pauses}), >= 2 s {ref_long} (measured {long})",
                end - start,
                d["start_latency_seconds"].as_f64().unwrap(),
                ref_pauses.len()
            );
            assert!(
                (speaking - (end - start)).abs() <= 0.5,
                "{name}: speaking {speaking} vs {}",
                end - start
            );
            // The pace from our timing (reference word count over the measured speaking time) agrees within
            // 15%; on clips long enough for a word or two not to matter, so does the raw figure, which
            // also carries the transcriber's word errors ("aligner" heard as "a liner").
            let timed_wpm = ref_words as f64 / (speaking / 60.0);
            eprintln!(
                "  pace from reference words over measured time: {timed_wpm:.0} wpm (reference {ref_wpm:.0})"
            );
            assert!(
                (timed_wpm - ref_wpm).abs() <= 0.15 * ref_wpm,
                "{name}: {timed_wpm} wpm vs {ref_wpm}"
            );
            if end - start >= 10.0 {
                assert!(
                    (wpm - ref_wpm).abs() <= 0.15 * ref_wpm,
                    "{name}: {wpm} wpm vs {ref_wpm}"
                );
            }
            // Every reference pause is found (a measured pause overlaps it), with at most two extra.
            let items = d["pauses"]["items"].as_array().unwrap();
            let found = ref_gaps
                .iter()
                .filter(|(a, b)| {
                    items.iter().any(|p| {
                        p["start"].as_f64().unwrap() < *b && p["end"].as_f64().unwrap() > *a
                    })
                })
                .count();
            eprintln!("  reference pauses found: {found}/{}", ref_gaps.len());
            assert_eq!(found, ref_gaps.len(), "{name}: pauses {items:?}");
            assert!(
                pauses <= ref_pauses.len() + 2,
                "{name}: {pauses} pauses vs {}",
                ref_pauses.len()
            );
            assert_eq!(long, ref_long, "{name}: long pauses");
        }
    }
    eprintln!("fillers over all clips: measured {filler_got}, reference {filler_ref}");
}
