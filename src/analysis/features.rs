//! Facts about an answer that several checks share: which failures happened and whose they were,
//! ownership and blame, lessons and their later use, the story's shape. Each fact is a list of hits
//! already filtered for negation, hypotheticals and tense, so the checks only weigh them.

use std::sync::LazyLock;

use super::Evidence;
use super::lexicon as lx;
use super::pattern::{
    Hit, Pattern, Subject, compile, find_all, find_in_sentences, negated, subject,
};
use super::text::Doc;

macro_rules! patterns {
    ($($name:ident = $list:expr;)*) => {
        $(static $name: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile($list));)*
    };
}

patterns! {
    WRONG_ACTIONS = lx::WRONG_ACTIONS;
    OMISSIONS = lx::OMISSIONS;
    OUTCOMES = lx::OUTCOMES;
    OWNERSHIP = lx::OWNERSHIP;
    DEFLECTION = lx::DEFLECTION;
    DENIAL = lx::DENIAL;
    GENERIC = lx::GENERIC;
    DISGUISED = lx::DISGUISED;
    LESSONS = lx::LESSONS;
    HABIT_ACTIONS = lx::HABIT_ACTIONS;
    TURNAROUND = lx::TURNAROUND;
    NO_RECURRENCE = lx::NO_RECURRENCE;
    LATER = lx::LATER;
    POSITIVE = lx::POSITIVE;
    ANCHORS = lx::ANCHORS;
    DISHONEST = lx::DISHONEST;
    HARM = lx::HARM;
    FIRED = lx::FIRED;
    PERSONAL = lx::PERSONAL;
    SELF_DEPRECATING = lx::SELF_DEPRECATING;
    DEFEATED = lx::DEFEATED;
}

/// The shared facts.
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// Things the speaker (or their group) did wrong or left undone, in the story.
    pub own_events: Vec<Hit>,
    /// Explicit ownership ("my fault", "I should have").
    pub ownership: Vec<Hit>,
    /// Bad outcomes in the story, with their subjects.
    pub outcomes: Vec<(Hit, Subject)>,
    /// Things others did wrong.
    pub other_events: Vec<Hit>,
    /// Denials of any failure.
    pub denial: Vec<Hit>,
    /// Generalities about failure.
    pub generic: Vec<Hit>,
    /// Strengths dressed as failures.
    pub disguised: Vec<Hit>,
    /// Blame on others or circumstances.
    pub deflection: Vec<Hit>,
    /// Lessons or habits stated as done or ongoing.
    pub lessons: Vec<Hit>,
    /// Lessons stated only as intentions ("next time I will").
    pub future_lessons: Vec<Hit>,
    /// Turnaround actions after the failure.
    pub turnarounds: Vec<Hit>,
    /// Evidence the lesson worked later.
    pub applied: Vec<Hit>,
    /// Clauses that narrate past events (not lessons, not hypothetical).
    pub narrative: usize,
    /// Time and place anchors.
    pub anchors: Vec<Hit>,
    /// Disqualifying failures.
    pub severe: Vec<Hit>,
    /// Personal matters shared.
    pub personal: Vec<Hit>,
    /// Running oneself down.
    pub self_deprecating: Vec<Hit>,
    /// Sounding defeated.
    pub defeated: Vec<Hit>,
}

/// An action the speaker (or their group) took in a clause: "I ordered pizzas", "and rebuilt my pipeline".
/// Not a copula or a feeling ("I was", "I felt"), not negated, not hypothetical.
pub fn own_action(doc: &Doc, clause: usize) -> Option<Hit> {
    const ADVERBS: &[&str] = &[
        "just",
        "also",
        "then",
        "immediately",
        "quickly",
        "actually",
        "finally",
        "eventually",
        "personally",
        "straight",
        "first",
        "later",
        "still",
        "basically",
        "really",
        "even",
        "instead",
        "always",
    ];
    const NOT_ACTIONS: &[&str] = &[
        "was", "were", "had", "did", "got", "felt", "thought", "knew", "said", "became", "wanted",
        "tried", "seemed", "needed", "hoped", "assumed", "realized", "realised", "learned",
        "learnt", "found", "meant", "kept", "liked", "loved", "hated", "missed", "lost", "forgot",
        "failed",
    ];
    let c = &doc.clauses[clause];
    if !c.past || c.future || c.hypothetical {
        return None;
    }
    let words = doc.clause_norms(clause);
    if words.iter().any(|w| super::text::is_negator(w)) {
        return None;
    }
    let skip =
        |i: usize| ["and", "but", "so", "then", "after", "that", "honestly"].contains(&words[i]);
    let mut i = 0;
    while i < words.len() && skip(i) {
        i += 1;
    }
    let verb_at = if words.get(i).is_some_and(|w| ["i", "we"].contains(w)) {
        i + 1
    } else {
        // A coordinated clause without a subject of its own shares the previous one's ("and rebuilt it").
        let probe = Hit {
            clause,
            start: i,
            end: i,
        };
        let previous_in_sentence = clause > 0 && doc.clauses[clause - 1].sentence == c.sentence;
        if i == 0 || !previous_in_sentence || !own(subject(doc, probe)) {
            return None;
        }
        i
    };
    let mut v = verb_at;
    while v < words.len() && ADVERBS.contains(&words[v]) {
        v += 1;
    }
    let verb = *words.get(v)?;
    (super::text::is_past_form(verb) && !NOT_ACTIONS.contains(&verb)).then_some(Hit {
        clause,
        start: v,
        end: v + 1,
    })
}

/// A health or money word that belongs to the job, not the speaker: someone else's ("a patient's
/// rehab plan", "their medication") or naming a work thing ("the medication round").
fn work_term(words: &[&str], h: Hit) -> bool {
    const OWNERS: &[&str] = &[
        "patient",
        "patients",
        "resident",
        "residents",
        "his",
        "her",
        "their",
        "client",
        "clients",
        "customer",
        "customers",
    ];
    const WORK_NOUNS: &[&str] = &[
        "round",
        "rounds",
        "plan",
        "plans",
        "chart",
        "charts",
        "dose",
        "doses",
        "cart",
        "trolley",
        "error",
        "errors",
        "order",
        "orders",
        "list",
        "records",
        "notes",
        "schedule",
        "team",
        "unit",
        "ward",
        "programme",
        "program",
        "review",
        "reviews",
        "clinic",
        "centre",
        "center",
    ];
    let previous = h.start.checked_sub(1).map(|i| words[i]);
    previous.is_some_and(|w| OWNERS.contains(&w) || super::pattern::PERSONS.contains(&w))
        || words.get(h.end).is_some_and(|w| WORK_NOUNS.contains(w))
}

fn narrative_clause(doc: &Doc, clause: usize) -> bool {
    let c = &doc.clauses[clause];
    (c.past || c.perfect) && !c.future && !c.hypothetical && !echo(doc, clause)
}

/// A clause of one or two words with no one in it echoes the question ("Failed?"), telling nothing.
fn echo(doc: &Doc, clause: usize) -> bool {
    let words = doc.clause_norms(clause);
    words.len() <= 2
        && !words
            .iter()
            .any(|w| ["i", "we", "it", "my", "our", "me"].contains(w))
}

fn live(doc: &Doc, patterns: &[Pattern]) -> Vec<Hit> {
    find_all(doc, patterns)
        .into_iter()
        .filter(|h| !negated(doc, *h) && !doc.clauses[h.clause].hypothetical)
        .collect()
}

fn own(s: Subject) -> bool {
    matches!(s, Subject::Speaker | Subject::We)
}

fn before(a: Hit, b: Hit) -> bool {
    (a.clause, a.start) < (b.clause, b.start)
}

impl Features {
    /// Extracts the facts from a document.
    pub fn extract(doc: &Doc) -> Features {
        let mut f = Features::default();
        let denials = find_all(doc, &DENIAL);
        // "I can't think of a time I've failed" denies the failure it names.
        let denied = |h: &Hit| {
            denials
                .iter()
                .any(|d| d.clause == h.clause && d.start <= h.start)
        };
        for hit in live(doc, &WRONG_ACTIONS) {
            if !narrative_clause(doc, hit.clause) || denied(&hit) {
                continue;
            }
            match subject(doc, hit) {
                s if own(s) => f.own_events.push(hit),
                Subject::Other => f.other_events.push(hit),
                _ => {}
            }
        }
        for hit in find_all(doc, &OMISSIONS) {
            let c = &doc.clauses[hit.clause];
            let in_past_sentence = doc
                .clauses
                .iter()
                .any(|o| o.sentence == c.sentence && (o.past || o.perfect || o.future));
            let denial = denials
                .iter()
                .any(|d| d.clause == hit.clause && d.start < hit.end && hit.start < d.end);
            if c.hypothetical || !in_past_sentence || denial {
                continue;
            }
            match subject(doc, hit) {
                s if own(s) => f.own_events.push(hit),
                Subject::Other => f.other_events.push(hit),
                _ => {}
            }
        }
        f.own_events.sort_by_key(|h| (h.clause, h.start));
        for hit in live(doc, &OUTCOMES) {
            if narrative_clause(doc, hit.clause) && !denied(&hit) {
                let s = subject(doc, hit);
                if s == Subject::Speaker && !f.own_events.contains(&hit) {
                    f.own_events.push(hit);
                }
                f.outcomes.push((hit, s));
            }
        }
        f.own_events.sort_by_key(|h| (h.clause, h.start));
        // "learn from my mistakes" is a platitude, not an admission.
        f.ownership = live(doc, &OWNERSHIP)
            .into_iter()
            .filter(|h| {
                h.start == 0
                    || !["from", "about", "of"].contains(&doc.clause_norms(h.clause)[h.start - 1])
            })
            .collect();
        f.denial = find_all(doc, &DENIAL)
            .into_iter()
            .filter(|h| !doc.clauses[h.clause].hypothetical)
            .collect();
        // A bare "no" near the start, restarts and all ("Not, not really, no").
        for (c, clause) in doc.clauses.iter().enumerate().take(4) {
            let words = doc.clause_norms(c);
            let bare = words
                .iter()
                .all(|w| ["no", "nope", "not", "really", "never", "honestly"].contains(w));
            if clause.sentence <= 1
                && !words.is_empty()
                && bare
                && words.iter().any(|w| ["no", "nope", "not"].contains(w))
            {
                f.denial.push(Hit {
                    clause: c,
                    start: 0,
                    end: words.len(),
                });
            }
        }
        f.generic = live(doc, &GENERIC);
        // "I've failed plenty of times, like everyone" is a generality, not an episode.
        let generic_clauses: Vec<usize> = f.generic.iter().map(|h| h.clause).collect();
        f.own_events
            .retain(|h| !generic_clauses.contains(&h.clause));
        f.outcomes
            .retain(|(h, _)| !generic_clauses.contains(&h.clause));
        f.disguised = live(doc, &DISGUISED)
            .into_iter()
            .filter(|h| {
                !doc.clauses[h.clause].past || doc.clause_norms(h.clause).contains(&"perfectionist")
            })
            .collect();
        f.deflection = live(doc, &DEFLECTION);
        // A cause put on someone else counts as blame unless the speaker also owns their part.
        if f.ownership.is_empty() {
            f.deflection
                .extend(Self::blaming_causes(doc, &f.other_events));
            f.deflection.sort_by_key(|h| (h.clause, h.start));
        }
        f.severe = Self::severe(doc);
        for hit in &f.severe {
            if own(subject(doc, *hit)) && !f.own_events.contains(hit) {
                f.own_events.push(*hit);
            }
        }
        f.own_events.sort_by_key(|h| (h.clause, h.start));
        f.personal = live(doc, &PERSONAL)
            .into_iter()
            .filter(|h| {
                let words = doc.clause_norms(h.clause);
                (words
                    .iter()
                    .any(|w| ["i", "my", "me", "myself"].contains(w))
                    || subject(doc, *h) == Subject::Speaker)
                    && !work_term(&words, *h)
            })
            .collect();
        f.self_deprecating = live(doc, &SELF_DEPRECATING);
        f.defeated = find_all(doc, &DEFEATED)
            .into_iter()
            .filter(|h| {
                let words = doc.clause_norms(h.clause);
                // "not ~ got over" carries its own negation; the others must not be negated.
                (words[h.start] == "not" || words[h.start] == "never" || !negated(doc, *h))
                    && !doc.clauses[h.clause].hypothetical
            })
            .collect();
        f.anchors = find_all(doc, &ANCHORS);
        f.narrative = Self::narrative(doc);
        if !f.has_setback()
            && f.denial.is_empty()
            && f.disguised.is_empty()
            && f.generic.is_empty()
            && let Some(hit) = super::implied::implied_setback(doc)
        {
            f.own_events.push(hit);
        }
        f.lessons_and_turnarounds(doc);
        f
    }

    /// The first sign that something went wrong (own, outcome, or others).
    pub fn first_setback(&self) -> Option<Hit> {
        let mut all: Vec<Hit> = self.own_events.clone();
        all.extend(self.outcomes.iter().map(|(h, _)| *h));
        all.extend(self.other_events.iter().copied());
        all.extend(self.ownership.iter().copied());
        all.into_iter().min_by_key(|h| (h.clause, h.start))
    }

    /// Any setback at all in the answer.
    pub fn has_setback(&self) -> bool {
        self.first_setback().is_some()
    }

    fn severe(doc: &Doc) -> Vec<Hit> {
        let mut out = Vec::new();
        let dishonest = find_in_sentences(doc, &DISHONEST)
            .into_iter()
            .filter(|h| !negated(doc, *h) && !doc.clauses[h.clause].hypothetical);
        for hit in dishonest {
            if !matches!(subject(doc, hit), Subject::Other) && !doc.clauses[hit.clause].future {
                out.push(hit);
            }
        }
        for hit in live(doc, &HARM) {
            if narrative_clause(doc, hit.clause) {
                out.push(hit);
            }
        }
        for hit in live(doc, &FIRED) {
            let words = doc.clause_norms(hit.clause);
            let me = words[hit.start..hit.end].contains(&"me")
                || matches!(subject(doc, hit), Subject::Speaker);
            if me && narrative_clause(doc, hit.clause) {
                out.push(hit);
            }
        }
        out.sort_by_key(|h| (h.clause, h.start));
        out
    }

    /// A cause put on someone else: a "because"/"due to" clause whose subject is another person who did
    /// something wrong or failed to do something ("because my teammate didn't finish his slides").
    fn blaming_causes(doc: &Doc, other_events: &[Hit]) -> Vec<Hit> {
        let mut out = Vec::new();
        for (c, clause) in doc.clauses.iter().enumerate() {
            let words = doc.clause_norms(c);
            let Some(at) = words
                .iter()
                .position(|w| ["because", "cause", "due"].contains(w))
            else {
                continue;
            };
            if at > 3 || clause.hypothetical {
                continue;
            }
            let others = super::pattern::first_subject(doc, c, at + 1) == Some(Subject::Other);
            let wrong = other_events.iter().any(|h| h.clause == c)
                || words[at..].iter().any(|w| {
                    super::text::is_negator(w) || ["kept", "changed", "changing"].contains(w)
                });
            if others && wrong {
                out.push(Hit {
                    clause: c,
                    start: at,
                    end: words.len(),
                });
            }
        }
        out
    }

    fn narrative(doc: &Doc) -> usize {
        (0..doc.clauses.len())
            .filter(|&c| Self::narrative_clause_of_story(doc, c))
            .count()
    }

    /// A clause that narrates a past event of the story: simple past, not a plan, a habit or a lesson.
    pub fn narrative_clause_of_story(doc: &Doc, c: usize) -> bool {
        static LESSON_CLAUSE: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
            compile(&[
                "learned|learnt|lesson|lessons|realized|realised|taught",
                "took away",
            ])
        });
        let clause = &doc.clauses[c];
        let words = doc.clause_norms(c);
        clause.past
            && !clause.future
            && !clause.hypothetical
            && !LESSON_CLAUSE.iter().any(|p| p.find(&words, 0).is_some())
    }

    fn lessons_and_turnarounds(&mut self, doc: &Doc) {
        let setback = self.first_setback();
        let after_setback = |h: Hit| setback.is_none_or(|s| !before(h, s));
        for hit in live(doc, &LESSONS) {
            let words = doc.clause_norms(hit.clause);
            let head = words[hit.start];
            // "learned"/"realized" need the speaker as subject; "what I took away" carries its own.
            if ["learned", "learnt", "realized", "realised", "discovered"].contains(&head)
                && !own(subject(doc, hit))
            {
                continue;
            }
            if doc.clauses[hit.clause].future
                || ["next", "in", "going", "from"].contains(&head) && !doc.clauses[hit.clause].past
            {
                self.future_lessons.push(hit);
            } else {
                self.lessons.push(hit);
            }
        }
        for hit in live(doc, &HABIT_ACTIONS) {
            let c = &doc.clauses[hit.clause];
            let s = subject(doc, hit);
            let words = doc.clause_norms(hit.clause);
            let present_habit = words[hit.start] == "i";
            if setback.is_some()
                && after_setback(hit)
                && (own(s) || present_habit)
                && !c.future
                && (c.past || c.perfect || present_habit)
            {
                self.lessons.push(hit);
            }
        }
        let mut own_event_clauses: Vec<usize> = self.own_events.iter().map(|h| h.clause).collect();
        own_event_clauses.extend(self.outcomes.iter().map(|(h, _)| h.clause));
        for hit in live(doc, &TURNAROUND) {
            let c = &doc.clauses[hit.clause];
            if setback.is_some()
                && after_setback(hit)
                && !c.future
                && (c.past || c.perfect)
                && !matches!(subject(doc, hit), Subject::Other)
                && !own_event_clauses.contains(&hit.clause)
            {
                self.turnarounds.push(hit);
            }
        }
        // Any other action the speaker took after the setback ("I ordered pizzas", "I switched to ...").
        if let Some(first) = setback {
            for c in (first.clause + 1)..doc.clauses.len() {
                if let Some(hit) = own_action(doc, c)
                    && !own_event_clauses.contains(&c)
                    && !self.deflection.iter().any(|d| d.clause == c)
                    && !self.turnarounds.contains(&hit)
                {
                    self.turnarounds.push(hit);
                }
            }
            self.turnarounds.sort_by_key(|h| (h.clause, h.start));
        }
        // Later success: no recurrence, or a later occasion with a good result nearby.
        let lesson_start = self
            .lessons
            .iter()
            .copied()
            .min_by_key(|h| (h.clause, h.start));
        for hit in live(doc, &NO_RECURRENCE)
            .into_iter()
            .chain(find_all(doc, &NO_RECURRENCE))
        {
            let c = &doc.clauses[hit.clause];
            if !c.future
                && !c.hypothetical
                && setback.is_some_and(|s| before(s, hit))
                && !self.applied.contains(&hit)
            {
                self.applied.push(hit);
            }
        }
        let positives: Vec<Hit> = find_all(doc, &POSITIVE)
            .into_iter()
            .filter(|h| {
                let c = &doc.clauses[h.clause];
                !c.future
                    && !c.hypothetical
                    && (c.past || c.perfect || doc.clause_norms(h.clause).contains(&"since"))
            })
            .collect();
        for later in live(doc, &LATER) {
            let c = &doc.clauses[later.clause];
            if c.future || setback.is_none_or(|s| before(later, s)) {
                continue;
            }
            // Doing something differently on a later occasion is the lesson in action.
            if let Some(action) = own_action(doc, later.clause)
                && !self.lessons.contains(&action)
            {
                self.lessons.push(action);
            }
            let sentence = c.sentence;
            let near = positives.iter().find(|p| {
                let ps = doc.clauses[p.clause].sentence;
                (ps == sentence || ps == sentence + 1) && !negated(doc, **p)
                    || (ps == sentence && p.clause == later.clause)
            });
            if let Some(p) = near {
                self.applied.push(later);
                self.applied.push(*p);
            }
        }
        // A good result after the lesson itself ("we realized our mistake ... the new version became our
        // most used feature").
        if let Some(l) = lesson_start {
            if let Some(p) = positives.iter().find(|p| {
                before(l, **p)
                    && !["never", "zero", "not", "have"]
                        .contains(&doc.clause_norms(p.clause)[p.start])
            }) {
                let s = doc.clauses[p.clause].sentence;
                // A later sentence, or a later clause of the lesson's own sentence with its own past
                // event ("I learned to check the calendar, and the autumn event hit its target").
                let ls = doc.clauses[l.clause].sentence;
                let later_clause = s == ls && p.clause > l.clause && doc.clauses[p.clause].past;
                if (s > ls || later_clause) && !self.applied.contains(p) {
                    self.applied.push(*p);
                }
            }
        }
        self.applied.sort_by_key(|h| (h.clause, h.start));
    }
}

/// A quote for a hit: its clause, widened to the previous clause when very short.
pub fn evidence(doc: &Doc, hit: Hit) -> Evidence {
    let clause = hit.clause;
    let short = doc.clauses[clause].tokens.len() < 4;
    let same_sentence =
        clause > 0 && doc.clauses[clause - 1].sentence == doc.clauses[clause].sentence;
    let from = if short && same_sentence {
        clause - 1
    } else {
        clause
    };
    let first = doc.clauses[from].tokens[0];
    let last = *doc.clauses[clause].tokens.last().unwrap_or(&first);
    let (first_word, last_word) = (doc.tokens[first].word, doc.tokens[last].word);
    let quote = doc.words[first_word..=last_word]
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let quote = quote
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '"')
        .to_string();
    Evidence {
        quote,
        start: doc.words[first_word].start,
    }
}
