//! Choosing what to practise, through the real SQLite history: sessions saved with the library's
//! `Store` in a temporary data folder, then `rehearse practice --role NAME --dry-run --json` reading
//! them back (no audio: `--dry-run` prints the choice and stops).

use std::path::Path;

use rehearse::history::Store;
use serde_json::Value;

use crate::harness::Rehearse;
use crate::history::{failure_words, report, seed_session};

/// The rotation's choice for this home, as `(id, reason)` pairs.
fn choice(home: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["practice", "--dry-run", "--json"];
    all.extend_from_slice(args);
    let out = Rehearse::new()
        .env("REHEARSE_HOME", home)
        .args(all)
        .run()
        .success();
    let value: Value = serde_json::from_str(&out).unwrap();
    value["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["id"].as_str().unwrap().to_string(),
                q["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The ids of the shipped questions of one role set, in bank order.
fn role_ids(role: &str) -> Vec<String> {
    let out = Rehearse::new()
        .args(["questions", "--json"])
        .run()
        .success();
    let list: Value = serde_json::from_str(&out).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|q| q["roles"].as_array().unwrap().iter().any(|r| r == role))
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect()
}

fn answers(ids: &[(&str, u32)]) -> Vec<String> {
    ids.iter()
        .map(|(id, score)| report(id, "a question", &failure_words(), *score))
        .collect()
}

#[test]
fn the_rotation_reads_several_sessions_of_history() {
    let home = tempfile::tempdir().unwrap();
    let general = role_ids("general");
    assert!(general.len() >= 6, "{general:?}");
    let others: Vec<&str> = general
        .iter()
        .map(String::as_str)
        .filter(|id| *id != "failure")
        .collect();

    // No history: the flagship first, then the role set's questions in bank order.
    let fresh = choice(home.path(), &["--role", "general", "--count", "3"]);
    assert_eq!(fresh[0].0, "failure");
    assert!(fresh[0].1.contains("0 good answers"), "{:?}", fresh[0]);
    assert_eq!(fresh[1].0, others[0]);

    // Session 1 answers every general question; the first other one badly.
    let mut store = Store::open(home.path()).unwrap();
    let mut first: Vec<(&str, u32)> = vec![("failure", 80)];
    for (i, id) in others.iter().enumerate() {
        first.push((id, if i == 0 { 12 } else { 88 }));
    }
    seed_session(&mut store, 1_700_000_000, &answers(&first), None);
    let after_one = choice(home.path(), &["--role", "general", "--count", "2"]);
    assert_eq!(after_one[0].0, "failure", "one good answer keeps it in");
    assert!(
        after_one[0].1.contains("1 good answer so far"),
        "{after_one:?}"
    );
    assert_eq!(after_one[1].0, others[0], "the low score comes back first");
    assert!(after_one[1].1.contains("scoring 12"), "{after_one:?}");

    // Sessions 2 and 3: failure well again (released), the low one mended, two others answered.
    seed_session(
        &mut store,
        1_700_100_000,
        &answers(&[("failure", 95), (others[0], 90)]),
        None,
    );
    seed_session(
        &mut store,
        1_700_200_000,
        &answers(&[(others[1], 30), (others[2], 95)]),
        None,
    );
    let after_three = choice(home.path(), &["--role", "general", "--count", "3"]);
    let ids: Vec<&str> = after_three.iter().map(|c| c.0.as_str()).collect();
    assert!(!ids.contains(&"failure"), "answered well twice: {ids:?}");
    assert!(
        !ids.contains(&others[2]),
        "answered well in the latest session: {ids:?}"
    );
    assert!(
        ids.iter().all(|id| general.iter().any(|g| g == id)),
        "{ids:?}"
    );
    // The same history gives the same choice.
    assert_eq!(
        after_three,
        choice(home.path(), &["--role", "general", "--count", "3"])
    );
}

#[test]
fn a_role_set_is_practised_with_the_flagship_and_an_unknown_role_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let nursing = role_ids("nursing-care");
    assert!(nursing.len() >= 2, "{nursing:?}");
    let picked = choice(home.path(), &["--role", "nursing-care", "--count", "3"]);
    assert_eq!(picked.len(), 3);
    assert_eq!(picked[0].0, "failure");
    for (id, _) in &picked[1..] {
        assert!(nursing.contains(id), "{id} is not a nursing-care question");
    }
    let run = Rehearse::new()
        .args(["practice", "--role", "nurse", "--dry-run"])
        .run();
    assert_eq!(run.code(), Some(2));
    assert!(run.stderr().contains("nursing-care"), "{}", run.stderr());
}
