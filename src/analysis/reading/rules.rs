//! The lexicon as a tag source: the hand-written phrase lists and the clause grammar (`features`,
//! `pattern`, `lexicon`) read as tags on clauses. They tag the STAR checks' clauses on their own
//! (there is no labelled data for those yet), and they are extra features of the tagger for the rest.

use std::sync::LazyLock;

use crate::analysis::features::Features;
use crate::analysis::pattern::{Hit, Pattern, Subject, compile, find_all, negated, subject};
use crate::analysis::text::Doc;

macro_rules! patterns {
    ($($name:ident = $list:expr;)*) => {
        $(static $name: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile($list));)*
    };
}

patterns! {
    RESULTS = &["as a result", "in the end", "the outcome", "which meant", "resulted in", "led to", "on time", "early",
        "increased|reduced|saved|improved|grew|doubled|tripled|cut|raised|won|delivered|launched|shipped|finished|resolved|agreed|signed|renewed|promoted",
        "@num percent", "percent", "succeeded|success|successful", "went ?really well", "thanked|praised", "still work together", "best"];
    REAL_WEAKNESS = &["i ?can ?tend to", "i struggle*", "i have ?had trouble", "i find it hard|difficult", "i am not ?very ?always great|good|the best|comfortable|confident",
        "my ?biggest ?greatest weakness is|was|has", "i get nervous|anxious|impatient|defensive", "i procrastinat*", "i can be", "i used to", "i have a habit"];
    IMPROVE = &["i have been working|practicing|practising|learning|trying", "i started|began|joined|took|signed|set|asked|use|now|practice|practise|schedule|block|write|read",
        "i am working on", "i am learning", "course|coach|mentor|training|toastmasters", "now i", "these days", "since then", "it has helped|made"];
    ROLE = &["this role|position|job|team|company|opportunity", "your company|team|mission|product|products|customers|work|values|culture",
        "here", "the role", "you are building", "your"];
    EXPERIENCE = &["my experience", "i have ?been ?spent", "i bring", "skills", "background", "i worked|led|built|managed|studied", "years of", "i am good at", "i enjoy|love"];
    POSITIVE_MOTIVE = &["excited|exciting|passionate|interested|interesting|love|enjoy|curious|inspired|motivated", "grow|growth|learn|develop|challenge",
        "impact|mission|difference|contribute|build|help", "responsibility|responsibilities|lead|leading"];
    MONEY_MOTIVE = &["money|salary|pay|paid|benefits|perks|bonus|commute|vacation|holidays", "need a job", "get out of|away from", "hate my|hate the", "bored"];
    INSULTS = &["idiot|idiots|stupid|lazy|incompetent|useless|toxic|crazy|clueless|terrible|awful|rude|impossible|annoying|arrogant|jerk|nightmare|moron"];
    LEADING = &["i ?personally led|organized|organised|coordinated|delegated|mentored|coached|motivated|assigned|rallied|guided|directed|ran|chaired|set|decided|brought|split|divided|hired|trained",
        "i took charge|the lead|ownership|responsibility", "i was ?the leader|lead|manager|captain|in charge"];
    NOW = &["currently", "right now", "at the moment", "i am a|an", "i work as|at|for|in", "these days", "today i", "my current"];
    PAST = &["before that", "previously", "i started|studied|graduated|began|worked|spent|moved", "years ago", "in the past", "my background", "i have spent|worked|been"];
    NEXT = &["looking for", "next step", "excited about|to", "i want|would like|hope|am hoping", "this role|position|job|opportunity", "that is why", "which is why", "going forward"];
}

/// The tags the rules find, clause by clause.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleTags {
    /// For each clause of the document, the tag names the rules put on it.
    pub clauses: Vec<Vec<&'static str>>,
}

impl RuleTags {
    /// Reads a document with the lexicon.
    pub fn read(doc: &Doc) -> RuleTags {
        let f = Features::extract(doc);
        let mut out = RuleTags {
            clauses: vec![Vec::new(); doc.clauses.len()],
        };
        for h in &f.own_events {
            out.put(h, "setback");
            out.put(h, "own-cause");
        }
        for h in &f.ownership {
            out.put(h, "own-cause");
        }
        for (h, s) in &f.outcomes {
            out.put(h, "setback");
            if *s == Subject::Speaker {
                out.put(h, "own-cause");
            }
        }
        for h in &f.other_events {
            out.put(h, "others-failure");
        }
        let lists: [(&[Hit], &'static str); 13] = [
            (&f.deflection, "blame"),
            (&f.turnarounds, "recovery"),
            (&f.lessons, "lesson"),
            (&f.future_lessons, "future-only"),
            (&f.applied, "applied"),
            (&f.severe, "severe"),
            (&f.personal, "disclosure"),
            (&f.self_deprecating, "defeat"),
            (&f.defeated, "defeat"),
            (&f.denial, "denial"),
            (&f.generic, "generic"),
            (&f.disguised, "disguised"),
            (&f.anchors, "context"),
        ];
        for (hits, tag) in lists {
            for h in hits {
                out.put(h, tag);
            }
        }
        for h in live(doc, &INSULTS) {
            out.put(&h, "contempt");
            out.put(&h, "insult");
        }
        for c in 0..doc.clauses.len() {
            let words = doc.clause_norms(c);
            for (cues, tag) in [
                (WORK_CUES, "work"),
                (SCHOOL_CUES, "school"),
                (VOLUNTEER_CUES, "volunteer"),
                (PERSONAL_CUES, "personal-life"),
            ] {
                if cue_score(&words, cues, tag == "work") > 0 {
                    out.clauses[c].push(tag);
                }
            }
        }
        for c in 0..doc.clauses.len() {
            if Features::narrative_clause_of_story(doc, c) {
                out.clauses[c].push("event");
            }
        }
        out.star(doc);
        for tags in &mut out.clauses {
            tags.sort_unstable();
            tags.dedup();
        }
        out
    }

    fn put(&mut self, hit: &Hit, tag: &'static str) {
        self.clauses[hit.clause].push(tag);
    }

    /// The tags of the STAR checks.
    fn star(&mut self, doc: &Doc) {
        for (c, clause) in doc.clauses.iter().enumerate() {
            if !clause.past || clause.hypothetical {
                continue;
            }
            let words = doc.clause_norms(c);
            // The clause's first subject word decides; copula clauses ("I was nervous") are not actions.
            let Some(i) = words.iter().position(|w| *w == "i" || *w == "we") else {
                continue;
            };
            if words
                .get(i + 1)
                .is_some_and(|n| ["was", "were", "am", "had"].contains(n))
            {
                continue;
            }
            let hit = Hit {
                clause: c,
                start: i,
                end: i + 1,
            };
            let tag = if subject(doc, hit) == Subject::Speaker {
                "own-action"
            } else {
                "team-action"
            };
            self.clauses[c].push(tag);
        }
        for h in live(doc, &RESULTS) {
            if !doc.clauses[h.clause].future {
                self.put(&h, "result");
            }
        }
        for h in find_all(doc, &REAL_WEAKNESS) {
            self.put(&h, "weakness");
        }
        for h in live(doc, &IMPROVE) {
            let tag = if doc.clauses[h.clause].future {
                "improve-plan"
            } else {
                "improving"
            };
            self.put(&h, tag);
        }
        let simple: [(&[Pattern], &'static str); 7] = [
            (&ROLE, "role-link"),
            (&EXPERIENCE, "experience"),
            (&POSITIVE_MOTIVE, "work-motive"),
            (&MONEY_MOTIVE, "money-motive"),
            (&LEADING, "leading"),
            (&NOW, "career-now"),
            (&PAST, "career-past"),
        ];
        for (patterns, tag) in simple {
            for h in live(doc, patterns) {
                self.put(&h, tag);
            }
        }
        for h in live(doc, &NEXT) {
            self.put(&h, "career-next");
        }
    }
}

fn live(doc: &Doc, patterns: &[Pattern]) -> Vec<Hit> {
    find_all(doc, patterns)
        .into_iter()
        .filter(|h| !negated(doc, *h) && !doc.clauses[h.clause].hypothetical)
        .collect()
}

fn cue_score(words: &[&str], cues: &[(&str, u32)], work: bool) -> u32 {
    let mut score = 0;
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        if *w == "office" && next == "hours" || *w == "work" && next == "party" {
            continue;
        }
        score += cues.iter().find(|(c, _)| c == w).map_or(0, |(_, s)| *s);
    }
    // "at work", "my work", "worked as", "work as", "working at".
    if work {
        for pair in words.windows(2) {
            if matches!(
                pair,
                ["at" | "my" | "from", "work"]
                    | ["worked" | "work" | "working", "as" | "at" | "for" | "in"]
            ) {
                score += 2;
            }
        }
    }
    score
}

/// Words that place a story at work, with their weight.
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

/// Words that place a story at school or university.
const SCHOOL_CUES: &[(&str, u32)] = &[
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
    ("phd", 3),
    ("degree", 2),
    ("dissertation", 3),
    ("masters", 2),
    ("classmates", 3),
];
/// Words that place a story in volunteering or the community.
const VOLUNTEER_CUES: &[(&str, u32)] = &[
    ("volunteer", 3),
    ("volunteered", 3),
    ("volunteering", 3),
    ("charity", 3),
    ("fundraiser", 3),
    ("neighbourhood", 2),
    ("neighborhood", 2),
    ("church", 2),
];
/// Words that place a story in sport, hobbies, family or personal life.
const PERSONAL_CUES: &[(&str, u32)] = &[
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
    ("marathon", 3),
    ("race", 2),
    ("gambling", 3),
    ("parents", 2),
    ("club", 2),
    ("tournament", 3),
    ("band", 2),
    ("recital", 3),
];
