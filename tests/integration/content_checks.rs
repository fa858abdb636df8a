//! The content checks against labelled answers, in process with the real sentence model and the
//! shipped tagger: the held-out split of `tests/answers/real/` (answers modelled on real people's,
//! never trained or tuned on), its training split, and the team's own batches in `tests/answers/`.
//! The figures are printed per check and for the lexicon design beside the shipped one; the floors
//! asserted are the figures measured when the tagger was trained, less two points, so a change that
//! makes the checks worse fails here. Also: every quote is the speaker's own words, and quotes land
//! on the clauses labelled as carrying the verdict.

use std::collections::BTreeMap;
use std::path::Path;

use rehearse::analysis::dataset::{self, Agreement, LabelledAnswer};
use rehearse::analysis::{Analyzer, Outcome, Report, analyze_text_with};
use rehearse::questions::{Bank, Question};

fn answers(dir: &str) -> Vec<LabelledAnswer> {
    dataset::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap()
}

fn failure() -> Question {
    Bank::shipped().unwrap().get("failure").unwrap().clone()
}

/// Overall and per-check agreement of an analyzer on some answers, with their reports.
fn measure(
    analyzer: &Analyzer,
    question: &Question,
    answers: &[&LabelledAnswer],
) -> (Agreement, BTreeMap<String, Agreement>, Vec<Report>) {
    let mut all = Agreement::default();
    let mut per: BTreeMap<String, Agreement> = BTreeMap::new();
    let mut reports = Vec::new();
    for a in answers {
        let report = analyze_text_with(analyzer, question, &a.text);
        for check in &report.checks {
            if let Some(&expected) = a.expect.get(&check.id) {
                all.add(expected, check.outcome);
                per.entry(check.id.clone())
                    .or_default()
                    .add(expected, check.outcome);
            }
        }
        reports.push(report);
    }
    (all, per, reports)
}

fn print(label: &str, all: &Agreement, per: &BTreeMap<String, Agreement>) {
    eprintln!("{label}: {}", all.line());
    for (id, a) in per {
        eprintln!(
            "    {id:22} three-way {:5.1}%  caught {:5.1}%  false alarms {:5.1}%",
            a.three_way_pct(),
            a.caught_pct(),
            a.false_alarm_pct()
        );
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn content_checks_on_answers_modelled_on_real_people() {
    let analyzer = Analyzer::load_default().expect("the sentence model is installed by setup");
    let question = failure();
    let real = answers("tests/answers/real");
    let held: Vec<&LabelledAnswer> = real.iter().filter(|a| a.is_held_out()).collect();
    let train: Vec<&LabelledAnswer> = real.iter().filter(|a| !a.is_held_out()).collect();
    assert!(
        held.len() * 4 >= real.len(),
        "the held-out split is under 25%"
    );

    let (all, per, reports) = measure(&analyzer, &question, &held);
    print(
        &format!("held out, {} answers, {:?}", held.len(), analyzer.design()),
        &all,
        &per,
    );
    let (lex_all, lex_per, _) = measure(&Analyzer::lexicon(), &question, &held);
    print("held out, lexicon tags", &lex_all, &lex_per);
    let (train_all, _, _) = measure(&analyzer, &question, &train);
    eprintln!(
        "training split, {} answers (the tagger saw these): {}",
        train.len(),
        train_all.line()
    );

    // Every quote is the speaker's own words, and a non-pass verdict's first quote should land on a
    // clause the labels say carries something (not an unrelated word).
    let mut quotes = 0;
    let (mut grounded, mut non_pass_quoted) = (0, 0);
    for (a, report) in held.iter().zip(&reports) {
        let text = squash(&a.text);
        for check in &report.checks {
            for e in &check.evidence {
                quotes += 1;
                assert!(
                    text.contains(&squash(&e.quote)),
                    "{} {}: quote {:?} is not in the answer",
                    a.id,
                    check.id,
                    e.quote
                );
            }
            if check.outcome != Outcome::Pass
                && let Some(first) = check.evidence.first()
            {
                non_pass_quoted += 1;
                let q = squash(&first.quote);
                if a.spans.iter().any(|s| {
                    let s = squash(&s.text);
                    s.contains(&q) || q.contains(&s)
                }) {
                    grounded += 1;
                }
            }
        }
    }
    let grounded_pct = 100.0 * grounded as f64 / non_pass_quoted.max(1) as f64;
    eprintln!(
        "held out: {quotes} quotes, all the speaker's words; {grounded}/{non_pass_quoted} ({grounded_pct:.1}%) non-pass quotes on a labelled clause"
    );

    // Floors: the figures measured when the shipped tagger was trained (BENCHMARKS.md), less two points.
    assert!(all.three_way_pct() >= FLOOR_THREE_WAY, "{}", all.line());
    assert!(
        all.pass_not_pass_pct() >= FLOOR_PASS_NOT_PASS,
        "{}",
        all.line()
    );
    assert!(all.caught_pct() >= FLOOR_CAUGHT, "{}", all.line());
    assert!(
        all.false_alarm_pct() <= FLOOR_FALSE_ALARMS,
        "{}",
        all.line()
    );
    assert!(grounded_pct >= FLOOR_GROUNDED, "{grounded_pct:.1}%");
}

/// Measured on the held-out split (200 answers) with the shipped tagger, read from the tuned top
/// layers (three-way 83.0%, pass/not-pass 84.3%, caught 65.7%, false alarms 7.0%, grounded quotes
/// 78.8%), less two points. The targets of issue 10 (88%, 92%, 90%, 5%) are not met yet.
const FLOOR_THREE_WAY: f64 = 81.0;
const FLOOR_PASS_NOT_PASS: f64 = 82.3;
const FLOOR_CAUGHT: f64 = 63.7;
const FLOOR_FALSE_ALARMS: f64 = 9.0;
const FLOOR_GROUNDED: f64 = 76.8;

#[test]
fn the_teams_own_labelled_answers_still_agree() {
    let analyzer = Analyzer::load_default().expect("the sentence model is installed by setup");
    let question = failure();
    // The flagship's batches only: the other files of `tests/answers/` label other questions'
    // checks (`bank.rs` measures those).
    let bank = Bank::shipped().unwrap();
    let team = dataset::load_for_question(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers"),
        "failure",
        &bank.ids(),
    )
    .unwrap();
    assert!(team.len() >= 150);
    let refs: Vec<&LabelledAnswer> = team.iter().collect();
    let (all, per, reports) = measure(&analyzer, &question, &refs);
    print(
        &format!("the team's batches, {} answers", team.len()),
        &all,
        &per,
    );
    // Written answers have no delivery: every delivery check is skipped.
    for report in &reports {
        for id in [
            "answer-length",
            "pace",
            "fillers",
            "long-pauses",
            "start-latency",
            "vocal-variety",
        ] {
            assert_eq!(report.check(id).unwrap().outcome, Outcome::Skipped);
        }
    }
    assert!(
        all.pass_not_pass_pct() >= FLOOR_TEAM_PASS_NOT_PASS,
        "{}",
        all.line()
    );
}

/// Issue 10: the team's labelled answers stay at or above 95% pass/not-pass (measured 95.5%).
const FLOOR_TEAM_PASS_NOT_PASS: f64 = 95.0;
