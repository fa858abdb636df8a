//! A small phrase-pattern language over clause tokens, so lexicons can list paraphrases compactly.
//!
//! A pattern is space-separated elements, each matching one token unless noted:
//! - `word` exact, `word*` prefix, `*ing` suffix, `a|b|c*` any of them;
//! - `?a|b` optional element;
//! - `@self` (i, me, my, myself), `@we` (we, us, our), `@subj` (i or we), `@person` (manager, client,
//!   he, they, ...), `@neg` (not, never, no, nobody, nothing, without), `@num` (a number or number word);
//! - `~` up to 3 tokens, `~~` up to 6 tokens; gaps never skip a negation, so "i ~ fired" does not match
//!   "I was never fired".

use super::text::{Doc, is_negator};

/// Person nouns and pronouns that are not the speaker.
pub const PERSONS: &[&str] = &[
    "he",
    "she",
    "they",
    "manager",
    "boss",
    "supervisor",
    "client",
    "clients",
    "customer",
    "customers",
    "colleague",
    "colleagues",
    "coworker",
    "coworkers",
    "teammate",
    "teammates",
    "developers",
    "engineers",
    "designers",
    "suppliers",
    "supplier",
    "vendor",
    "vendors",
    "contractor",
    "contractors",
    "builders",
    "vendor",
    "supplier",
    "director",
    "ceo",
    "partner",
    "professor",
    "teacher",
    "someone",
    "somebody",
    "everyone",
    "everybody",
    "people",
    "marketing",
    "engineering",
    "management",
    "sales",
    "him",
    "her",
    "them",
    "developer",
    "developers",
    "engineers",
    "designer",
    "team",
    "nobody",
    "others",
    "staff",
    "employees",
    "contractor",
    "contractors",
    "stakeholders",
    "stakeholder",
    "leadership",
    "company",
    "hr",
];

const NUMBERS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "a", "few",
    "several", "couple",
];

#[derive(Debug, Clone)]
enum Alt {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Class(Class),
}

#[derive(Debug, Clone, Copy)]
enum Class {
    SelfRef,
    We,
    Subj,
    Person,
    Neg,
    Num,
}

#[derive(Debug, Clone)]
enum Elem {
    One { alts: Vec<Alt>, optional: bool },
    Gap(usize),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    elems: Vec<Elem>,
    source: &'static str,
}

impl Pattern {
    /// Compiles a pattern (see the module notes).
    pub fn new(source: &'static str) -> Pattern {
        let elems = source
            .split_whitespace()
            .map(|part| match part {
                "~" => Elem::Gap(3),
                "~~" => Elem::Gap(6),
                _ => {
                    let (optional, body) = match part.strip_prefix('?') {
                        Some(rest) => (true, rest),
                        None => (false, part),
                    };
                    let alts = body
                        .split('|')
                        .map(|a| match a {
                            "@self" => Alt::Class(Class::SelfRef),
                            "@we" => Alt::Class(Class::We),
                            "@subj" => Alt::Class(Class::Subj),
                            "@person" => Alt::Class(Class::Person),
                            "@neg" => Alt::Class(Class::Neg),
                            "@num" => Alt::Class(Class::Num),
                            _ => match (a.strip_suffix('*'), a.strip_prefix('*')) {
                                (Some(prefix), _) => Alt::Prefix(prefix.to_string()),
                                (None, Some(suffix)) => Alt::Suffix(suffix.to_string()),
                                (None, None) => Alt::Exact(a.to_string()),
                            },
                        })
                        .collect();
                    Elem::One { alts, optional }
                }
            })
            .collect();
        Pattern { elems, source }
    }

    /// The pattern as written.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The first match at or after `from`, as a token range `[start, end)` of `words`.
    pub fn find(&self, words: &[&str], from: usize) -> Option<(usize, usize)> {
        (from..words.len()).find_map(|start| self.match_at(words, start, 0).map(|end| (start, end)))
    }

    fn match_at(&self, words: &[&str], pos: usize, elem: usize) -> Option<usize> {
        let Some(e) = self.elems.get(elem) else {
            return Some(pos);
        };
        match e {
            Elem::Gap(max) => {
                for skip in 0..=*max {
                    if skip > 0 && (pos + skip > words.len() || is_negator(words[pos + skip - 1])) {
                        break;
                    }
                    if let Some(end) = self.match_at(words, pos + skip, elem + 1) {
                        return Some(end);
                    }
                }
                None
            }
            Elem::One { alts, optional } => {
                if let Some(w) = words.get(pos)
                    && alts.iter().any(|a| alt_matches(a, w))
                    && let Some(end) = self.match_at(words, pos + 1, elem + 1)
                {
                    return Some(end);
                }
                if *optional {
                    self.match_at(words, pos, elem + 1)
                } else {
                    None
                }
            }
        }
    }
}

fn alt_matches(alt: &Alt, w: &str) -> bool {
    match alt {
        Alt::Exact(e) => e == w,
        Alt::Prefix(p) => w.starts_with(p.as_str()),
        Alt::Suffix(x) => w.len() > x.len() + 2 && w.ends_with(x.as_str()),
        Alt::Class(Class::SelfRef) => ["i", "me", "my", "myself"].contains(&w),
        Alt::Class(Class::We) => ["we", "us", "our"].contains(&w),
        Alt::Class(Class::Subj) => ["i", "we"].contains(&w),
        Alt::Class(Class::Person) => PERSONS.contains(&w),
        Alt::Class(Class::Neg) => is_negator(w),
        Alt::Class(Class::Num) => NUMBERS.contains(&w) || w.chars().all(|c| c.is_ascii_digit()),
    }
}

/// Compiles a list of patterns.
pub fn compile(sources: &[&'static str]) -> Vec<Pattern> {
    sources.iter().map(|s| Pattern::new(s)).collect()
}

/// One match in a document: clause index and token range within the clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Clause index.
    pub clause: usize,
    /// First token (index within the clause).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
}

/// Who a clause's action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The speaker (I).
    Speaker,
    /// The speaker's group (we, our team).
    We,
    /// Someone else (he, my manager, the client).
    Other,
    /// A thing or an unclear subject (it, the project, passive).
    Thing,
}

/// Every non-overlapping match of any of the patterns, in document order.
pub fn find_all(doc: &Doc, patterns: &[Pattern]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for clause in 0..doc.clauses.len() {
        let words = doc.clause_norms(clause);
        let mut found: Vec<(usize, usize)> = Vec::new();
        for p in patterns {
            let mut from = 0;
            while let Some((s, e)) = p.find(&words, from) {
                if !found.iter().any(|&(fs, fe)| s < fe && fs < e) {
                    found.push((s, e));
                }
                from = s + 1;
            }
        }
        found.sort_unstable();
        hits.extend(
            found
                .into_iter()
                .map(|(start, end)| Hit { clause, start, end }),
        );
    }
    hits
}

/// Like [`find_all`], but each pattern may run across the clauses of one sentence ("told my manager it
/// was finished when it wasn't"). A hit is reported in the clause where it starts, ending at its end.
pub fn find_in_sentences(doc: &Doc, patterns: &[Pattern]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut c = 0;
    while c < doc.clauses.len() {
        let sentence = doc.clauses[c].sentence;
        let mut words: Vec<&str> = Vec::new();
        let mut place: Vec<(usize, usize)> = Vec::new();
        let mut k = c;
        while k < doc.clauses.len() && doc.clauses[k].sentence == sentence {
            for (i, w) in doc.clause_norms(k).into_iter().enumerate() {
                words.push(w);
                place.push((k, i));
            }
            k += 1;
        }
        for p in patterns {
            let mut from = 0;
            while let Some((s, _)) = p.find(&words, from) {
                let (clause, start) = place[s];
                let hit = Hit {
                    clause,
                    start,
                    end: doc.clauses[clause].tokens.len(),
                };
                if !hits.contains(&hit) {
                    hits.push(hit);
                }
                from = s + 1;
            }
        }
        c = k;
    }
    hits.sort_by_key(|h| (h.clause, h.start));
    hits
}

/// True when a negation governs the match: a negating word up to five tokens before it in its clause
/// ("I didn't blame anyone", "nobody on the team dropped the ball").
pub fn negated(doc: &Doc, hit: Hit) -> bool {
    let words = doc.clause_norms(hit.clause);
    let from = hit.start.saturating_sub(5);
    words[from..hit.start]
        .iter()
        .enumerate()
        .any(|(k, w)| is_negator(w) && !(*w == "not" && words.get(from + k + 1) == Some(&"only")))
}

/// The subject of the match: the nearest subject word before it in its clause, else the first one of the
/// nearest earlier clause in the same sentence that has one.
pub fn subject(doc: &Doc, hit: Hit) -> Subject {
    let words = doc.clause_norms(hit.clause);
    // A match that opens with the speaker's own words ("my proposal was too ambitious") is theirs.
    match words.get(hit.start) {
        Some(&("i" | "my" | "myself"))
            if !words
                .get(hit.start + 1)
                .is_some_and(|n| PERSONS.contains(n)) =>
        {
            return Subject::Speaker;
        }
        Some(&("we" | "our"))
            if !words
                .get(hit.start + 1)
                .is_some_and(|n| PERSONS.contains(n) && *n != "team") =>
        {
            return Subject::We;
        }
        _ => {}
    }
    if let Some(s) = (0..hit.start)
        .rev()
        .find_map(|i| subject_at(doc, hit.clause, &words, i))
    {
        return s;
    }
    // A match that starts with its own subject ("I missed") names it.
    if let Some(s) = subject_at(doc, hit.clause, &words, hit.start) {
        return s;
    }
    // A subordinate clause ("before any medication was given") has its own subject; only coordinated
    // ones ("and fixed it") and "without ..." share the previous clause's.
    const SUBORDINATORS: &[&str] = &[
        "before", "after", "when", "because", "cause", "until", "while", "although", "though",
        "if", "unless", "whereas", "since",
    ];
    if words.first().is_some_and(|w| SUBORDINATORS.contains(w))
        && !matches!(words.get(hit.start), Some(&("without" | "before")))
    {
        return Subject::Thing;
    }
    let sentence = doc.clauses[hit.clause].sentence;
    for c in (0..hit.clause).rev().take(3) {
        if doc.clauses[c].sentence != sentence {
            break;
        }
        if let Some(s) = leading_subject(doc, c) {
            return s;
        }
    }
    Subject::Thing
}

/// The subject a clause opens with ("I owned up...", "and my manager said..."), if any: a subject word
/// before its first verb. Objects after the verb ("negotiated with the supplier") do not count.
fn leading_subject(doc: &Doc, clause: usize) -> Option<Subject> {
    let words = doc.clause_norms(clause);
    for i in 0..words.len() {
        if let Some(s) = subject_at(doc, clause, &words, i) {
            return Some(s);
        }
        if super::text::is_past_form(words[i]) {
            return None;
        }
    }
    None
}

/// The first subject word at or after `from` in a clause.
pub fn first_subject(doc: &Doc, clause: usize, from: usize) -> Option<Subject> {
    let words = doc.clause_norms(clause);
    (from..words.len()).find_map(|i| subject_at(doc, clause, &words, i))
}

fn subject_at(doc: &Doc, clause: usize, words: &[&str], i: usize) -> Option<Subject> {
    let w = words[i];
    let prev = if i > 0 { words[i - 1] } else { "" };
    match w {
        "i" => return Some(Subject::Speaker),
        "we" => return Some(Subject::We),
        "team" | "company" | "department" | "group" if ["my", "our"].contains(&prev) => {
            return Some(Subject::We);
        }
        "it" | "this" | "that" | "which" | "there" | "project" | "launch" | "report"
        | "product" | "app" | "feature" | "campaign" | "plan" | "estimate" | "system"
        | "server" | "site" | "website" | "release" | "deal" | "job" | "numbers" | "business"
        | "event" | "rollout" | "version" | "deadline" | "results" => {
            return Some(Subject::Thing);
        }
        _ => {}
    }
    if PERSONS.contains(&w) && !["him", "her", "them"].contains(&w) {
        return Some(Subject::Other);
    }
    let token = &doc.tokens[doc.clauses[clause].tokens[i]];
    if token.capital && i > 0 && w.len() > 1 {
        return Some(Subject::Other);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &'static str, text: &str) -> bool {
        let words: Vec<&str> = text.split_whitespace().collect();
        Pattern::new(pattern).find(&words, 0).is_some()
    }

    #[test]
    fn elements_match() {
        assert!(m("@self ~ missed", "i totally missed"));
        assert!(m("mis*", "we mislabeled"));
        assert!(m(
            "it ?has not happened again|since",
            "it not happened since"
        ));
        assert!(!m("i ~ fired", "i was never fired"));
        assert!(m("@num years|months", "for 3 years"));
    }

    #[test]
    fn negation_and_subject() {
        let doc = Doc::from_text(
            "I didn't blame anyone. My manager kept changing it, and then fixed it. We shipped.",
        );
        let blame = find_all(&doc, &compile(&["blame*"]));
        assert!(negated(&doc, blame[0]));
        let changing = find_all(&doc, &compile(&["kept", "fixed", "shipped"]));
        assert_eq!(subject(&doc, changing[0]), Subject::Other);
        assert_eq!(subject(&doc, changing[1]), Subject::Other);
        assert_eq!(subject(&doc, changing[2]), Subject::We);
    }
}
