//! `--job FILE`: a job advert picks its role set's questions and the report lists its key terms.
//! The adverts are our own words, written in the style of real ones: the ward nurse after the
//! staff-nurse descriptions at https://cvlocum.co.uk/what-is-a-band-5-nurse-job-description-salary-roles-cvlocum/
//! and https://standout-cv.com/job-descriptions/nurse-job-description, the developer after the
//! backend adverts at https://remoote.app/jobs/4083113-software-engineer-ii-backend and
//! https://www.torchora.com/job-specification/backend-software-engineer.

use std::path::Path;

use serde_json::Value;

use crate::harness::Rehearse;

const NURSE_ADVERT: &str = "Staff Nurse - Band 5 - Elm Ward (Acute Medicine)

Elm Ward is a busy 28-bed acute medical ward caring for adults with a wide range of conditions. We are
looking for a caring, motivated registered nurse to join our friendly team on a full-time rota of days,
nights and weekends.

Main duties
- Assess, plan, deliver and evaluate patient care to a high standard.
- Administer medication safely and keep accurate records in line with trust policy.
- Recognise deteriorating patients and escalate concerns promptly to the medical team.
- Communicate with patients, families and carers with compassion, including at the end of life.
- Support discharge planning with therapists, social workers and community teams.
- Mentor student nurses and healthcare assistants on placement.

About you
You hold current NMC registration. You put patient safety first, work well under pressure and can
prioritise a heavy workload. Experience of acute medical nursing is desirable but newly qualified nurses
are welcome to apply; a preceptorship programme supports every new starter.";

const DEVELOPER_ADVERT: &str = "Backend Software Engineer (Rust / Python)

We build the scheduling platform used by 400 clinics. You will design and maintain our backend services,
review code, write automated tests and take part in an on-call rotation for production incidents.

What you will do
- Design, build and operate APIs and data pipelines in Rust and Python.
- Debug production issues, write postmortems and improve monitoring.
- Review pull requests and mentor junior engineers through code review.
- Work with product managers and designers to ship features in small, tested increments.

What we look for
- Three or more years of professional software development.
- Experience with relational databases, cloud deployment and continuous integration.
- Clear written communication and a habit of learning new technologies quickly.";

fn dry_run(advert: &Path) -> Value {
    let out = Rehearse::new()
        .args(["practice", "--dry-run", "--json", "--count", "4", "--job"])
        .arg(advert)
        .run()
        .success();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn terms(value: &Value) -> Vec<String> {
    value["job"]["key_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_nursing_advert_picks_nursing_questions_and_reports_its_terms() {
    let dir = tempfile::tempdir().unwrap();
    let advert = dir.path().join("advert.txt");
    std::fs::write(&advert, NURSE_ADVERT).unwrap();
    let value = dry_run(&advert);
    eprintln!("{value:#}");
    assert_eq!(value["job"]["role"], "nursing-care", "{value:#}");
    let questions = value["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 4);
    assert_eq!(questions[0]["id"], "failure");
    for q in &questions[1..] {
        assert!(
            q["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "nursing-care"),
            "{q}"
        );
        assert!(
            q["reason"].as_str().unwrap().contains("matches the advert"),
            "{q}"
        );
    }
    let terms = terms(&value);
    // Rare in general English and telling for this advert; recurring pairs become phrases.
    for expected in ["patient", "acute", "nmc", "escalate"] {
        assert!(
            terms.iter().any(|t| t.contains(expected)),
            "{expected} not in {terms:?}"
        );
    }
    assert!(terms.iter().any(|t| t.contains(' ')), "a phrase: {terms:?}");
    for common in ["the", "and", "team", "you", "with", "our", "will"] {
        assert!(!terms.iter().any(|t| t == common), "{common} in {terms:?}");
    }

    // One answer's report lists the terms it used and missed.
    let answer = dir.path().join("answer.txt");
    std::fs::write(
        &answer,
        "Yes. On my placement on an acute ward I gave a patient the wrong dose because I did not \
         check the chart twice while my workload was heavy. I told the nurse in charge at once, \
         and I learned to double-check every chart; I have done so since.",
    )
    .unwrap();
    let out = Rehearse::new()
        .args(["analyze", "--question", "failure", "--json", "--text"])
        .arg(&answer)
        .arg("--job")
        .arg(&advert)
        .run()
        .success();
    let report: Value = serde_json::from_str(&out).unwrap();
    let list = |key: &str| -> Vec<String> {
        report["job_terms"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let (used, missed) = (list("used"), list("missed"));
    for said in ["patient", "acute", "workload"] {
        assert!(used.iter().any(|t| t == said), "{said}: {used:?}");
    }
    assert!(missed.iter().any(|t| t == "nmc"), "{missed:?}");
    assert_eq!(used.len() + missed.len(), terms.len());
}

#[test]
fn a_developer_advert_picks_software_questions() {
    let dir = tempfile::tempdir().unwrap();
    let advert = dir.path().join("advert.txt");
    std::fs::write(&advert, DEVELOPER_ADVERT).unwrap();
    let value = dry_run(&advert);
    eprintln!("{value:#}");
    assert_eq!(value["job"]["role"], "software-engineering", "{value:#}");
    for q in &value["questions"].as_array().unwrap()[1..] {
        assert!(
            q["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "software-engineering"),
            "{q}"
        );
    }
    let terms = terms(&value);
    assert!(terms.iter().any(|t| t.contains("rust")), "{terms:?}");
}

#[test]
fn an_unreadable_or_empty_advert_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let line = Rehearse::new()
        .args(["practice", "--dry-run", "--job", "/no/such/advert.txt"])
        .run()
        .failure();
    assert!(line.contains("cannot read the job advert"), "{line}");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    let line = Rehearse::new()
        .args(["practice", "--dry-run", "--job"])
        .arg(&empty)
        .run()
        .failure();
    assert!(line.contains("no sentence"), "{line}");
}
