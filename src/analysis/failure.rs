//! The content checks for "Have you ever failed at anything?", one function per check id, each a
//! reading of the guide (`../shared/guide/have-you-ever-failed.txt`) and issue 3's table.

use std::sync::LazyLock;

use super::Outcome::{Fail, Pass, Warn};
use super::checks::Judgement;
use super::features::{Features, evidence_list};
use super::pattern::{Hit, Pattern, Subject, compile};
use super::text::Doc;

/// The speaker owns up to a real failure of their own.
pub fn admits_failure(doc: &Doc, f: &Features) -> Judgement {
    let mut admitted: Vec<Hit> = f.own_events.clone();
    admitted.extend(f.ownership.iter().copied());
    admitted.extend(
        f.outcomes
            .iter()
            .filter(|(h, s)| {
                *s != Subject::Other
                    || mentions_self(doc, h.clause)
                    || follows_own_clause(doc, h.clause)
            })
            .map(|(h, _)| *h),
    );
    admitted.sort_by_key(|h| (h.clause, h.start));
    if !admitted.is_empty() {
        return Judgement::new(Pass, evidence_list(doc, &admitted, 2));
    }
    let mut against: Vec<Hit> = f.denial.clone();
    against.extend(f.disguised.iter().copied());
    against.extend(f.generic.iter().copied());
    against.extend(f.other_events.iter().copied());
    against.sort_by_key(|h| (h.clause, h.start));
    Judgement::new(Fail, evidence_list(doc, &against, 2))
}

/// The clause mentions the speaker as owner or object ("they rejected every design I sent"), not as
/// "my" before another person ("my coworker deleted...").
fn mentions_self(doc: &Doc, clause: usize) -> bool {
    let words = doc.clause_norms(clause);
    words.iter().enumerate().any(|(i, w)| {
        ["i", "me", "myself"].contains(w)
            || (*w == "my"
                && !words
                    .get(i + 1)
                    .is_some_and(|n| super::pattern::PERSONS.contains(n)))
    })
}

/// An earlier clause of the same sentence has the speaker as its subject: "I rushed calls, and my
/// scores dropped" ties the outcome to what the speaker did.
fn follows_own_clause(doc: &Doc, clause: usize) -> bool {
    let sentence = doc.clauses[clause].sentence;
    (0..clause)
        .rev()
        .take_while(|&c| doc.clauses[c].sentence == sentence)
        .any(|c| {
            let words = doc.clause_norms(c);
            let lead = words
                .iter()
                .position(|w| !["and", "but", "so", "then", "honestly"].contains(w));
            lead.is_some_and(|i| ["i", "we"].contains(&words[i]))
        })
}

/// One concrete episode: past events, with a when or where.
pub fn specific_story(doc: &Doc, f: &Features) -> Judgement {
    let events = !f.own_events.is_empty() || !f.outcomes.is_empty() || !f.other_events.is_empty();
    let anchored = !f.anchors.is_empty();
    let concrete = f.narrative >= 3
        || (f.narrative >= 2 && (events || anchored))
        || (f.narrative >= 1 && events && anchored);
    if concrete {
        let mut hits: Vec<Hit> = f.anchors.clone();
        if let Some(s) = f.first_setback() {
            hits.push(s);
        }
        hits.sort_by_key(|h| (h.clause, h.start));
        return Judgement::new(Pass, evidence_list(doc, &hits, 2));
    }
    let mut against = f.generic.clone();
    against.extend(f.denial.iter().copied());
    Judgement::new(Fail, evidence_list(doc, &against, 2))
}

const WORK_CUES: &[(&str, u32)] = &[
    ("job", 2),
    ("jobs", 2),
    ("career", 2),
    ("company", 2),
    ("employer", 2),
    ("manager", 2),
    ("boss", 2),
    ("supervisor", 2),
    ("supervising", 2),
    ("client", 2),
    ("clients", 2),
    ("customer", 2),
    ("customers", 2),
    ("colleague", 2),
    ("colleagues", 2),
    ("coworker", 2),
    ("coworkers", 2),
    ("internship", 2),
    ("intern", 2),
    ("office", 2),
    ("startup", 2),
    ("firm", 2),
    ("agency", 2),
    ("business", 2),
    ("freelancing", 2),
    ("freelance", 2),
    ("contract", 2),
    ("role", 1),
    ("shift", 1),
    ("sales", 2),
    ("quarterly", 2),
    ("revenue", 2),
    ("deadline", 1),
    ("project", 1),
    ("team", 1),
    ("report", 1),
    ("launch", 1),
    ("product", 1),
    ("release", 1),
    ("demo", 1),
    ("bid", 1),
    ("campaign", 1),
    ("account", 1),
    ("warehouse", 2),
    ("restaurant", 1),
    ("retail", 2),
    ("bank", 1),
    ("lab", 1),
    ("nurse", 2),
    ("engineer", 2),
    ("accountant", 2),
    ("designer", 2),
    ("coordinator", 2),
    ("leadership", 1),
    ("stakeholders", 2),
    ("forecast", 2),
    ("invoice", 2),
    ("crm", 2),
    ("proposal", 2),
    ("newsletter", 1),
    ("migration", 1),
    ("database", 1),
    ("server", 1),
    ("budget", 1),
    ("board", 1),
    ("patients", 2),
    ("teaching", 3),
    ("payroll", 2),
    ("hr", 2),
    ("staff", 2),
    ("pitch", 1),
    ("presentation", 1),
    ("probation", 2),
    ("sprint", 2),
    ("code", 1),
    ("spreadsheet", 1),
    ("finance", 1),
    ("cafe", 1),
    ("venture", 2),
    ("lease", 1),
    ("expense", 2),
    ("translation", 1),
    ("shop", 1),
    ("store", 1),
    ("factory", 2),
    ("site", 1),
    ("meeting", 1),
    ("conference", 1),
    ("events", 1),
    ("audit", 2),
    ("regulator", 2),
    ("quota", 2),
    ("roadmap", 2),
    ("postdoc", 2),
    ("grant", 1),
    ("chef", 2),
    ("reporter", 2),
    ("journalist", 2),
    ("newspaper", 2),
    ("driver", 2),
    ("bistro", 2),
    ("diner", 2),
    ("dealership", 2),
    ("technician", 2),
    ("patient", 2),
    ("clinic", 2),
    ("physiotherapist", 2),
    ("nurses", 2),
    ("pharmacy", 2),
    ("unit", 1),
    ("sous", 2),
    ("catering", 2),
    ("ward", 1),
    ("teacher", 2),
    ("manufacturing", 2),
    ("menu", 1),
    ("kitchen", 1),
    ("service", 1),
    ("paralegal", 2),
    ("attorney", 2),
    ("analyst", 2),
];

const OTHER_CUES: &[(&str, u32)] = &[
    ("school", 3),
    ("college", 3),
    ("university", 3),
    ("class", 2),
    ("course", 1),
    ("exam", 3),
    ("exams", 3),
    ("grade", 2),
    ("semester", 3),
    ("professor", 3),
    ("homework", 3),
    ("thesis", 3),
    ("studied", 2),
    ("student", 3),
    ("volunteer", 3),
    ("volunteered", 3),
    ("volunteering", 3),
    ("charity", 3),
    ("fundraiser", 3),
    ("neighbourhood", 2),
    ("neighborhood", 2),
    ("captain", 2),
    ("championship", 3),
    ("game", 2),
    ("games", 2),
    ("season", 1),
    ("football", 3),
    ("soccer", 3),
    ("basketball", 3),
    ("coached", 2),
    ("sports", 3),
    ("driving", 3),
    ("family", 2),
    ("daughter", 2),
    ("son", 2),
    ("wife", 2),
    ("husband", 2),
    ("friend", 2),
    ("friends", 2),
    ("personal", 1),
    ("hobby", 3),
    ("wedding", 3),
    ("arrested", 2),
    ("drunk", 3),
    ("party", 1),
    ("church", 2),
    ("phd", 3),
    ("degree", 2),
    ("dissertation", 3),
    ("masters", 2),
    ("marathon", 3),
    ("race", 2),
    ("gambling", 3),
    ("parents", 2),
    ("club", 2),
    ("tournament", 3),
    ("band", 2),
    ("recital", 3),
    ("classmates", 3),
];

fn cue_score(words: &[&str], cues: &[(&str, u32)]) -> u32 {
    let mut score = 0;
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        if *w == "office" && next == "hours" || *w == "work" && next == "party" {
            continue;
        }
        score += cues.iter().find(|(c, _)| c == w).map_or(0, |(_, s)| *s);
    }
    // "at work", "my work", "worked as", "work as", "working at".
    for pair in words.windows(2) {
        if cues.len() == WORK_CUES.len()
            && matches!(
                pair,
                ["at" | "my" | "from", "work"]
                    | ["worked" | "work" | "working", "as" | "at" | "for" | "in"]
            )
        {
            score += 2;
        }
    }
    score
}

/// The story happens at work; school, volunteering, sport or personal life warn.
pub fn workplace_story(doc: &Doc, f: &Features) -> Judgement {
    if specific_story(doc, f).outcome != Pass {
        return Judgement::new(Fail, Vec::new());
    }
    // The setting is where the failure happened: the sentences of the first setbacks and the story's opening.
    let mut sentences: Vec<usize> = vec![0];
    let mut setbacks: Vec<Hit> = f.own_events.clone();
    setbacks.extend(f.outcomes.iter().map(|(h, _)| *h));
    setbacks.sort_by_key(|h| (h.clause, h.start));
    sentences.extend(
        setbacks
            .iter()
            .take(2)
            .map(|h| doc.clauses[h.clause].sentence),
    );
    let mut setting_words = Vec::new();
    let mut first_clause = None;
    for (c, clause) in doc.clauses.iter().enumerate() {
        if sentences.contains(&clause.sentence) {
            first_clause.get_or_insert(c);
            setting_words.extend(doc.clause_norms(c));
        }
    }
    let work = cue_score(&setting_words, WORK_CUES);
    let other = cue_score(&setting_words, OTHER_CUES);
    let quote = first_clause
        .map(|c| {
            evidence_list(
                doc,
                &[Hit {
                    clause: c,
                    start: 0,
                    end: 0,
                }],
                1,
            )
        })
        .unwrap_or_default();
    if work > other {
        return Judgement::new(Pass, quote);
    }
    if work == 0 && other == 0 {
        let all: Vec<&str> = (0..doc.clauses.len())
            .flat_map(|c| doc.clause_norms(c))
            .collect();
        if cue_score(&all, WORK_CUES) > cue_score(&all, OTHER_CUES) {
            return Judgement::new(Pass, quote);
        }
    }
    Judgement::new(Warn, quote)
}

/// Names what went wrong and owns the speaker's part; blaming others or circumstances warns.
pub fn what_went_wrong(doc: &Doc, f: &Features) -> Judgement {
    if !f.has_setback() {
        return Judgement::new(Fail, Vec::new());
    }
    if !f.deflection.is_empty() {
        return Judgement::new(Warn, evidence_list(doc, &f.deflection, 2));
    }
    let mut owned: Vec<Hit> = f.own_events.clone();
    owned.extend(f.ownership.iter().copied());
    owned.extend(own_work_outcomes(doc, f));
    owned.sort_by_key(|h| (h.clause, h.start));
    if !owned.is_empty() {
        return Judgement::new(Pass, evidence_list(doc, &owned, 2));
    }
    let mut named: Vec<Hit> = f.other_events.clone();
    named.extend(f.outcomes.iter().map(|(h, _)| *h));
    named.sort_by_key(|h| (h.clause, h.start));
    // A bare "it didn't go well" names no cause at all.
    let specific = f.narrative >= 2;
    Judgement::new(
        if specific { Warn } else { Fail },
        evidence_list(doc, &named, 2),
    )
}

/// Outcomes of the speaker's own work: "a report I prepared had errors", "the project I managed ran late".
fn own_work_outcomes(doc: &Doc, f: &Features) -> Vec<Hit> {
    static MADE_BY_ME: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
        compile(&[
            "i ?had ?have prepared|wrote|written|built|made|managed|led|ran|organised|organized|designed|launched|created|planned|opened|owned|set|sent|sold|delivered|pitched|proposed|recommended|chose|picked|approved|signed",
        ])
    });
    f.outcomes
        .iter()
        .filter(|(h, _)| {
            let words = doc.clause_norms(h.clause);
            MADE_BY_ME
                .iter()
                .any(|p| p.find(&words[..h.start], 0).is_some())
                || words[..h.start].iter().enumerate().any(|(i, w)| {
                    *w == "my"
                        && !words
                            .get(i + 1)
                            .is_some_and(|n| super::pattern::PERSONS.contains(n))
                })
        })
        .map(|(h, _)| *h)
        .collect()
}

/// Says how they turned it around or what they learned.
pub fn turnaround_or_lesson(doc: &Doc, f: &Features) -> Judgement {
    let mut hits: Vec<Hit> = f.lessons.clone();
    hits.extend(f.future_lessons.iter().copied());
    hits.extend(f.turnarounds.iter().copied());
    hits.sort_by_key(|h| (h.clause, h.start));
    if f.has_setback() && !hits.is_empty() {
        Judgement::new(Pass, evidence_list(doc, &hits, 2))
    } else {
        Judgement::new(Fail, Vec::new())
    }
}

/// Shows the lesson applied later with a good result; a lesson alone or a future intention warns.
pub fn lesson_applied(doc: &Doc, f: &Features) -> Judgement {
    let turned_and_applied = !f.turnarounds.is_empty() && !f.applied.is_empty();
    if !f.has_setback()
        || (f.lessons.is_empty() && f.future_lessons.is_empty() && !turned_and_applied)
    {
        return Judgement::new(Fail, Vec::new());
    }
    if (!f.lessons.is_empty() || !f.turnarounds.is_empty()) && !f.applied.is_empty() {
        return Judgement::new(Pass, evidence_list(doc, &f.applied, 2));
    }
    let mut hits = f.lessons.clone();
    hits.extend(f.future_lessons.iter().copied());
    hits.sort_by_key(|h| (h.clause, h.start));
    Judgement::new(Warn, evidence_list(doc, &hits, 2))
}

/// An ordinary setback, not dishonesty, crime, harm or being fired.
pub fn not_too_severe(doc: &Doc, f: &Features) -> Judgement {
    if f.severe.is_empty() {
        Judgement::new(Pass, Vec::new())
    } else {
        Judgement::new(Fail, evidence_list(doc, &f.severe, 2))
    }
}

/// No health, relationship, religion or money details about the speaker.
pub fn personal_boundaries(doc: &Doc, f: &Features) -> Judgement {
    if f.personal.is_empty() {
        Judgement::new(Pass, Vec::new())
    } else {
        Judgement::new(Fail, evidence_list(doc, &f.personal, 2))
    }
}

/// Moves forward with perspective: no self-deprecation, blame or defeat, and a setback to move on from.
pub fn resilient_tone(doc: &Doc, f: &Features) -> Judgement {
    let mut against: Vec<Hit> = f.self_deprecating.clone();
    against.extend(f.defeated.iter().copied());
    against.extend(f.deflection.iter().copied());
    against.sort_by_key(|h| (h.clause, h.start));
    if !against.is_empty() {
        return Judgement::new(Fail, evidence_list(doc, &against, 2));
    }
    if !f.has_setback() {
        let mut hits = f.denial.clone();
        hits.extend(f.generic.iter().copied());
        return Judgement::new(Fail, evidence_list(doc, &hits, 1));
    }
    let mut forward = f.turnarounds.clone();
    forward.extend(f.lessons.iter().copied());
    forward.sort_by_key(|h| (h.clause, h.start));
    Judgement::new(Pass, evidence_list(doc, &forward, 1))
}
