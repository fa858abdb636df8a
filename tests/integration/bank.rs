//! The whole question bank: every shipped file passes `rehearse questions --check`, every question
//! has labelled answers in `tests/answers/<id>.toml` covering each outcome of each of its checks,
//! and the content checks' agreement with those labels is measured and printed per question (in
//! process, with the real sentence model and the shipped tagger).

use std::collections::BTreeMap;
use std::path::Path;

use rehearse::analysis::dataset::{self, Agreement, LabelledAnswer};
use rehearse::analysis::{Analyzer, Outcome, analyze_text_with};
use rehearse::questions::{Bank, CheckSpec, Question};

use crate::harness::Rehearse;

fn answers_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers")
}

/// The outcomes a check can give: pass always; warn and fail where it has that message and (for a
/// check with rules) some rule gives it. A talking point can give all three.
fn possible(check: &CheckSpec) -> Vec<Outcome> {
    let mut out = vec![Outcome::Pass];
    for (outcome, message) in [(Outcome::Warn, &check.warn), (Outcome::Fail, &check.fail)] {
        let reachable =
            check.is_talking_point() || check.parsed.iter().any(|r| r.outcome == outcome);
        if message.is_some() && reachable {
            out.push(outcome);
        }
    }
    out
}

fn labelled(question: &Question, ids: &[&str]) -> Vec<LabelledAnswer> {
    dataset::load_for_question(&answers_dir(), &question.id, ids).unwrap()
}

#[test]
fn every_shipped_question_file_passes_the_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = Rehearse::new()
                .args(["questions", "--check"])
                .arg(&path)
                .run()
                .success();
            assert!(out.contains(": ok"), "{out}");
            checked += 1;
        }
    }
    let out = Rehearse::new()
        .args(["questions", "--check"])
        .run()
        .success();
    let bank = Bank::shipped().unwrap();
    assert!(
        out.starts_with(&format!("{} questions ok", bank.questions().len())),
        "{out}"
    );
    assert_eq!(
        checked,
        bank.questions().len() + 1,
        "every file plus checks.toml"
    );
    let roles = Rehearse::new()
        .args(["questions", "--roles", "--json"])
        .run()
        .success();
    let roles: serde_json::Value = serde_json::from_str(&roles).unwrap();
    for role in roles.as_array().unwrap() {
        eprintln!(
            "{:24} {}",
            role["name"].as_str().unwrap(),
            role["questions"]
        );
    }
    eprintln!("{} questions", bank.questions().len());
}

#[test]
fn every_question_has_a_labelled_answer_for_each_outcome_of_its_checks() {
    let bank = Bank::shipped().unwrap();
    let ids = bank.ids();
    let mut missing: Vec<String> = Vec::new();
    for question in bank.questions() {
        let answers = labelled(question, &ids);
        if answers.is_empty() {
            missing.push(format!(
                "{}: no labelled answers (tests/answers/{}.toml)",
                question.id, question.id
            ));
            continue;
        }
        for a in &answers {
            for check in &question.checks {
                if !a.expect.contains_key(&check.id) {
                    missing.push(format!(
                        "{}: answer `{}` has no label for `{}`",
                        question.id, a.id, check.id
                    ));
                }
            }
        }
        for check in &question.checks {
            for outcome in possible(check) {
                if !answers
                    .iter()
                    .any(|a| a.expect.get(&check.id) == Some(&outcome))
                {
                    missing.push(format!(
                        "{}: no answer labelled `{}` for `{}`",
                        question.id,
                        outcome.as_str(),
                        check.id
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Agreement of the shipped analyzer with one question's labels.
fn agreement(analyzer: &Analyzer, question: &Question, answers: &[LabelledAnswer]) -> Agreement {
    let mut all = Agreement::default();
    for a in answers {
        let report = analyze_text_with(analyzer, question, &a.text);
        for check in &report.checks {
            if let Some(&expected) = a.expect.get(&check.id) {
                all.add(expected, check.outcome);
            }
        }
    }
    all
}

#[test]
fn agreement_per_question_is_measured_and_stays_above_its_floor() {
    let analyzer = Analyzer::load_default().expect("the sentence model is installed by setup");
    let bank = Bank::shipped().unwrap();
    let ids = bank.ids();
    let mut overall = Agreement::default();
    let mut per: BTreeMap<String, Agreement> = BTreeMap::new();
    for question in bank.questions() {
        let answers = labelled(question, &ids);
        if answers.is_empty() {
            continue;
        }
        let a = agreement(&analyzer, question, &answers);
        eprintln!(
            "{:32} {:3} answers  pass/not-pass {:5.1}%  three-way {:5.1}%",
            question.id,
            answers.len(),
            a.pass_not_pass_pct(),
            a.three_way_pct()
        );
        merge(&mut overall, &a);
        per.insert(question.id.clone(), a);
    }
    eprintln!("all questions: {}", overall.line());
    let below: Vec<String> = per
        .iter()
        .filter(|(_, a)| a.pass_not_pass_pct() < FLOOR_PER_QUESTION)
        .map(|(id, a)| format!("{id} {:.1}%", a.pass_not_pass_pct()))
        .collect();
    assert!(
        below.is_empty(),
        "under {FLOOR_PER_QUESTION}% pass/not-pass: {}",
        below.join(", ")
    );
    assert!(
        overall.pass_not_pass_pct() >= FLOOR_OVERALL,
        "{}",
        overall.line()
    );
}

fn merge(into: &mut Agreement, a: &Agreement) {
    into.total += a.total;
    into.three_way += a.three_way;
    into.pass_not_pass += a.pass_not_pass;
    into.problems += a.problems;
    into.caught += a.caught;
    into.passes += a.passes;
    into.false_alarms += a.false_alarms;
}

/// The lowest pass/not-pass agreement any question may have. Measured when the bank reached 85
/// questions (issue 14): lowest `research-changed-design` 50.0%, then `why-nursing` 58.3% and
/// `juggling-customers` 62.5% (4 answers each, so one label is 5 to 6 points); the floor is ten points
/// under the lowest.
const FLOOR_PER_QUESTION: f64 = 40.0;
/// The pass/not-pass agreement over every question's labelled answers, the flagship's 182 included:
/// measured 90.8% (three-way 88.6%, 3675 labels) at 85 questions; the floor is about three points under.
const FLOOR_OVERALL: f64 = 88.0;
