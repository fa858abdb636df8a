//! From words to analysable text: normalised tokens (contractions expanded, punctuation noted),
//! fillers, hedges and repetitions marked, and the remaining content split into sentences and
//! clauses, each clause with its tense flags.
//!
//! Every token remembers the word it came from, so a quote can be given in the speaker's own words,
//! with its time when the answer came from audio.

use crate::transcribe::fillers::is_filler as is_filler_sound;

/// A word of the answer as it arrived: from a transcript (with times) or from plain text (without).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceWord {
    /// The word as written, punctuation included.
    pub text: String,
    /// Start time in seconds, for audio.
    pub start: Option<f64>,
    /// End time in seconds, for audio.
    pub end: Option<f64>,
    /// The transcriber marked it as a hesitation sound.
    pub filler: bool,
}

/// What a token is apart from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A filler; the label is what it is counted as (`um`, `like`, `you know`, `i mean`, `so`).
    Filler(&'static str),
    /// A hedge (`kind of`, `sort of`, `i guess`, `maybe`).
    Hedge(&'static str),
    /// The first, abandoned copy of a repeated word or pair ("I I", "we were we were").
    Repeat,
}

/// One normalised token.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower case, letters, digits and inner apostrophes; contractions expanded into several tokens.
    pub norm: String,
    /// Index of the source word.
    pub word: usize,
    /// Punctuation after it ends a sentence (. ? ! ; :).
    pub stop_after: bool,
    /// A comma or dash follows it.
    pub comma_after: bool,
    /// Capitalised in the source (and not "I"): a name when not first in its sentence.
    pub capital: bool,
    /// Filler, hedge or repeat; `None` for content.
    pub mark: Option<Mark>,
}

/// A clause: a run of content tokens between connectors and punctuation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clause {
    /// Indices into [`Doc::tokens`].
    pub tokens: Vec<usize>,
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// Holds a simple past verb (not present perfect).
    pub past: bool,
    /// Holds a present perfect ("have done", "hasn't happened").
    pub perfect: bool,
    /// Future or conditional intention (will, would, going to, plan to).
    pub future: bool,
    /// Part of a hypothetical or habitual sentence ("if I ever...", "generally when I fail...").
    pub hypothetical: bool,
}

/// A whole answer, tokenised and split.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// The source words.
    pub words: Vec<SourceWord>,
    /// Every token, content and not.
    pub tokens: Vec<Token>,
    /// Clauses of content tokens, in order.
    pub clauses: Vec<Clause>,
}

const NEGATORS: &[&str] = &[
    "not", "never", "no", "nobody", "nothing", "none", "neither", "nor", "without", "noone",
];

/// True for negating words.
pub fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word)
}

const CONNECTORS: &[&str] = &[
    "but", "and", "because", "cause", "although", "though", "while", "which", "until", "before",
    "unless", "whereas", "whenever", "if", "so", "when", "after",
];

const IRREGULAR_PAST: &[&str] = &[
    "was",
    "were",
    "had",
    "did",
    "went",
    "made",
    "took",
    "got",
    "lost",
    "sent",
    "told",
    "said",
    "came",
    "gave",
    "left",
    "ran",
    "forgot",
    "broke",
    "wrote",
    "thought",
    "felt",
    "knew",
    "found",
    "kept",
    "built",
    "caught",
    "brought",
    "bought",
    "spent",
    "led",
    "met",
    "began",
    "became",
    "won",
    "fell",
    "froze",
    "drove",
    "chose",
    "stole",
    "sold",
    "taught",
    "understood",
    "stood",
    "saw",
    "heard",
    "paid",
    "held",
    "meant",
    "sat",
    "slept",
    "spoke",
    "woke",
    "rose",
    "blew",
    "threw",
    "drew",
    "grew",
    "shook",
    "hid",
    "flew",
    "dealt",
    "fought",
    "hung",
    "rode",
    "rang",
    "sang",
    "sank",
    "swore",
    "tore",
    "wore",
    "wept",
    "mistook",
    "overtook",
    "undertook",
    "sought",
    "struck",
    "learnt",
    "burnt",
    "overslept",
    "withdrew",
    "forgave",
    "bit",
    "hit",
    "set",
    "put",
    "cut",
    "let",
    "cost",
    "quit",
    "shut",
    "overwrote",
    "spread",
    "upset",
    "overran",
    "beat",
    "overshot",
    "overspent",
    "underspent",
    "misspent",
    "misled",
    "mislaid",
    "misspoke",
    "oversaw",
    "underwent",
    "slid",
    "lent",
    "bent",
    "stuck",
    "shrank",
    "sped",
    "fled",
    "dug",
];

const NOT_PAST: &[&str] = &[
    "need", "feed", "speed", "seed", "bed", "red", "shed", "indeed", "proceed", "succeed",
    "exceed", "breed", "weed", "bleed", "hundred", "sacred", "naked", "wicked", "embed", "tweed",
    "greed", "heed", "deed", "freed",
];

const ADJ_BEFORE: &[&str] = &[
    "am", "is", "are", "be", "very", "really", "so", "more", "most", "too", "get", "feel",
];

pub(crate) fn is_past_form(word: &str) -> bool {
    IRREGULAR_PAST.contains(&word)
        || (word.len() > 3 && word.ends_with("ed") && !NOT_PAST.contains(&word))
}

const FUTURE: &[&str] = &["will", "would", "shall", "gonna"];

const HABITUAL: &[&str] = &[
    "usually",
    "generally",
    "typically",
    "normally",
    "often",
    "sometimes",
    "whenever",
    "always",
];

impl Doc {
    /// Builds a document from source words.
    pub fn new(words: Vec<SourceWord>) -> Doc {
        let mut tokens = tokenize(&words);
        mark_fillers(&mut tokens);
        mark_hedges(&mut tokens);
        mark_repeats(&mut tokens);
        let clauses = split_clauses(&tokens);
        Doc {
            words,
            tokens,
            clauses,
        }
    }

    /// Builds a document from plain text (no times).
    pub fn from_text(text: &str) -> Doc {
        let words = text
            .split_whitespace()
            .map(|w| SourceWord {
                text: w.to_string(),
                start: None,
                end: None,
                filler: false,
            })
            .collect();
        Doc::new(words)
    }

    /// The normalised text of a clause's tokens.
    pub fn clause_norms(&self, clause: usize) -> Vec<&str> {
        self.clauses[clause]
            .tokens
            .iter()
            .map(|&t| self.tokens[t].norm.as_str())
            .collect()
    }

    /// The speaker's own words for a token range of a clause (inclusive of fillers between them),
    /// trimmed of trailing punctuation, and the start time of its first word.
    pub fn quote_range(&self, clause: usize, from: usize, to: usize) -> (String, Option<f64>) {
        let toks = &self.clauses[clause].tokens;
        if toks.is_empty() {
            return (String::new(), None);
        }
        let first = self.tokens[toks[from.min(toks.len() - 1)]].word;
        let last = self.tokens[toks[to.min(toks.len() - 1)]].word;
        let text = self.words[first..=last]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let text = text
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '"')
            .to_string();
        (text, self.words[first].start)
    }

    /// The whole clause as a quote.
    pub fn quote_clause(&self, clause: usize) -> (String, Option<f64>) {
        let len = self.clauses[clause].tokens.len();
        self.quote_range(clause, 0, len.saturating_sub(1))
    }

    /// Number of content tokens.
    pub fn content_len(&self) -> usize {
        self.clauses.iter().map(|c| c.tokens.len()).sum()
    }
}

/// Splits words into normalised tokens.
fn tokenize(words: &[SourceWord]) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let raw = word.text.replace(['\u{2019}', '\u{2018}'], "'");
        // The end of the last letter or digit, which may be more than one byte ("café").
        let core_end = raw
            .char_indices()
            .rfind(|(_, c)| c.is_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let core_start = raw.find(|c: char| c.is_alphanumeric()).unwrap_or(core_end);
        let trailing = &raw[core_end..];
        let stop = trailing.contains(['.', '?', '!', ';', ':']);
        let comma = trailing.contains([',', '-', '\u{2014}', '\u{2013}']);
        let core = if core_start < core_end {
            &raw[core_start..core_end]
        } else {
            ""
        };
        let capital = core.chars().next().is_some_and(char::is_uppercase)
            && core != "I"
            && !core.starts_with("I'");
        let lower = core.to_lowercase();
        let mut pieces: Vec<String> = Vec::new();
        for part in lower
            .split(['-', '/', '\u{2014}', '\u{2013}'])
            .filter(|p| !p.is_empty())
        {
            expand(part, &mut pieces);
        }
        if pieces.is_empty() {
            // Pure punctuation ("-", "...") still ends a sentence or clause.
            if let Some(prev) = tokens.last_mut() {
                let prev: &mut Token = prev;
                prev.stop_after |= stop || raw.contains("...");
                prev.comma_after |= comma || raw.trim() == "-";
            }
            continue;
        }
        let n = pieces.len();
        for (i, norm) in pieces.into_iter().enumerate() {
            let last = i + 1 == n;
            tokens.push(Token {
                norm,
                word: index,
                stop_after: last && stop,
                comma_after: last && comma,
                capital: capital && i == 0,
                mark: if word.filler {
                    Some(Mark::Filler("um"))
                } else {
                    None
                },
            });
        }
    }
    resolve_would_had(&mut tokens);
    tokens
}

/// Expands contractions of one lower-case word piece.
fn expand(part: &str, out: &mut Vec<String>) {
    let part = part.trim_matches('\'');
    let clean: String = part
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .collect();
    if clean.is_empty() {
        return;
    }
    let special: &[&str] = match clean.as_str() {
        "can't" | "cannot" => &["can", "not"],
        "won't" => &["will", "not"],
        "shan't" => &["shall", "not"],
        "ain't" => &["is", "not"],
        "y'know" | "yknow" | "ya'know" => &["you", "know"],
        "gotta" => &["got", "to"],
        "wanna" => &["want", "to"],
        "kinda" => &["kind", "of"],
        "sorta" => &["sort", "of"],
        "no-one" | "noone" => &["nobody"],
        _ => &[],
    };
    if !special.is_empty() {
        out.extend(special.iter().map(|s| s.to_string()));
        return;
    }
    if let Some(base) = clean.strip_suffix("n't") {
        out.push(base.to_string());
        out.push("not".into());
        return;
    }
    for (suffix, full) in [
        ("'m", "am"),
        ("'re", "are"),
        ("'ve", "have"),
        ("'ll", "will"),
        ("'d", "'d"),
    ] {
        if let Some(base) = clean.strip_suffix(suffix) {
            out.push(base.to_string());
            out.push(full.to_string());
            return;
        }
    }
    if let Some(base) = clean.strip_suffix("'s") {
        out.push(base.to_string());
        if [
            "it", "that", "what", "there", "he", "she", "here", "who", "where", "how", "this",
        ]
        .contains(&base)
        {
            out.push("is".into());
        }
        return;
    }
    out.push(clean.replace('\'', ""));
}

/// "'d" is "had" before a past participle ("I'd stopped") and "would" otherwise ("I'd say").
fn resolve_would_had(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        if tokens[i].norm == "'d" {
            let next = tokens.get(i + 1).map_or("", |t| t.norm.as_str());
            let had = next.ends_with("ed")
                || [
                    "been",
                    "done",
                    "gone",
                    "had",
                    "made",
                    "taken",
                    "got",
                    "forgotten",
                ]
                .contains(&next);
            tokens[i].norm = if had { "had".into() } else { "would".into() };
        }
    }
}

fn sentence_start(tokens: &[Token], i: usize) -> bool {
    // First token, or the previous non-filler token ended a sentence.
    let mut j = i;
    while j > 0 {
        j -= 1;
        if tokens[j].stop_after {
            return true;
        }
        if !matches!(tokens[j].mark, Some(Mark::Filler(_))) {
            return false;
        }
    }
    true
}

fn norm_at(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map_or("", |t| t.norm.as_str())
}

/// Marks context-aware fillers: um and friends, filler "like", "you know", "I mean", sentence-opening "so".
fn mark_fillers(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        if tokens[i].mark.is_some() {
            continue;
        }
        let w = tokens[i].norm.clone();
        if is_filler_sound(&w) {
            tokens[i].mark = Some(Mark::Filler("um"));
            continue;
        }
        let prev = if i > 0 {
            norm_at(tokens, i - 1).to_string()
        } else {
            String::new()
        };
        let next = norm_at(tokens, i + 1).to_string();
        let comma_before = i > 0 && (tokens[i - 1].comma_after || tokens[i - 1].stop_after);
        match w.as_str() {
            "like" if like_is_filler(tokens, i, &prev, &next, comma_before) => {
                tokens[i].mark = Some(Mark::Filler("like"));
            }
            "you" if next == "know" && tokens[i + 1].mark.is_none() => {
                let after = norm_at(tokens, i + 2);
                let pause = tokens[i + 1].comma_after || comma_before || tokens[i + 1].stop_after;
                let object = [
                    "what",
                    "how",
                    "that",
                    "the",
                    "a",
                    "an",
                    "why",
                    "where",
                    "when",
                    "who",
                    "it",
                    "him",
                    "her",
                    "them",
                    "about",
                    "more",
                    "to",
                    "this",
                    "me",
                    "your",
                    "my",
                    "whether",
                    "if",
                    "each",
                    "someone",
                    "everyone",
                    "exactly",
                    "nothing",
                    "something",
                    "anything",
                    "his",
                    "their",
                    "our",
                    "these",
                    "those",
                ]
                .contains(&after);
                let asked = [
                    "do", "did", "if", "as", "what", "than", "don", "would", "that", "will",
                    "might", "could", "let",
                ]
                .contains(&prev.as_str());
                if pause || (!object && !asked) {
                    tokens[i].mark = Some(Mark::Filler("you know"));
                    tokens[i + 1].mark = Some(Mark::Filler("you know"));
                }
            }
            "i" if next == "mean" => {
                let after = norm_at(tokens, i + 2);
                let pause = tokens[i + 1].comma_after || comma_before || sentence_start(tokens, i);
                let verb = [
                    "it", "that", "to", "what", "this", "no", "him", "her", "them", "you",
                ]
                .contains(&after)
                    || ["what", "do", "did", "you"].contains(&prev.as_str());
                if pause && !verb {
                    tokens[i].mark = Some(Mark::Filler("i mean"));
                    tokens[i + 1].mark = Some(Mark::Filler("i mean"));
                }
            }
            "so" if sentence_start(tokens, i)
                && !["that", "far", "much", "many", "long", "to", "is", "was"]
                    .contains(&next.as_str()) =>
            {
                tokens[i].mark = Some(Mark::Filler("so"));
            }
            _ => {}
        }
    }
}

fn like_is_filler(tokens: &[Token], i: usize, prev: &str, next: &str, comma_before: bool) -> bool {
    let verb_before = [
        "i",
        "you",
        "we",
        "they",
        "would",
        "to",
        "not",
        "really",
        "do",
        "did",
        "does",
        "'d",
        "who",
        "people",
        "he",
        "she",
        "also",
        "actually",
        "always",
        "still",
        "genuinely",
        "might",
        "will",
        "should",
        "could",
    ];
    let compare_before = [
        "look",
        "looks",
        "looked",
        "looking",
        "feel",
        "feels",
        "felt",
        "feeling",
        "seem",
        "seems",
        "seemed",
        "sound",
        "sounds",
        "sounded",
        "something",
        "anything",
        "nothing",
        "things",
        "stuff",
        "just",
        "more",
        "much",
        "exactly",
        "a",
        "the",
        "what",
        "lot",
        "alike",
        "didn't",
        "is",
        "taste",
        "tastes",
        "act",
        "acted",
        "behave",
        "treat",
        "treated",
        "those",
        "these",
        "most",
        "least",
        "much",
        "little",
    ];
    let comma_after = tokens[i].comma_after;
    if comma_before && comma_after {
        return true;
    }
    if verb_before.contains(&prev) || compare_before.contains(&prev) {
        // "I like my job", "looks like", "something like that"; unless fenced by commas (above).
        return prev == "is" && comma_after;
    }
    if comma_after || sentence_start(tokens, i) {
        return true;
    }
    if i > 0 && matches!(tokens[i - 1].mark, Some(Mark::Filler(_))) {
        return true;
    }
    // "it took like three weeks", "we were like totally lost": an approximator or intensifier.
    let number = next.chars().all(|c| c.is_ascii_digit())
        || [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "twenty",
            "a",
            "half",
            "totally",
            "really",
            "so",
            "super",
            "literally",
            "completely",
            "the",
            "um",
            "uh",
        ]
        .contains(&next);
    [
        "was", "were", "and", "but", "it's", "am", "are", "been", "so", "took", "had", "just",
        "got", "of", "for",
    ]
    .contains(&prev)
        && number
        || comma_before
}

/// Marks hedges ("kind of", "sort of", "I guess", "I suppose", "maybe").
fn mark_hedges(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        if tokens[i].mark.is_some() {
            continue;
        }
        let w = tokens[i].norm.as_str();
        let next = norm_at(tokens, i + 1);
        let prev = if i > 0 { norm_at(tokens, i - 1) } else { "" };
        let pair = match (w, next) {
            ("kind", "of") | ("sort", "of") => {
                let noun_use = [
                    "the",
                    "a",
                    "this",
                    "that",
                    "what",
                    "any",
                    "every",
                    "some",
                    "one",
                    "which",
                    "no",
                    "same",
                    "these",
                    "those",
                    "all",
                    "other",
                    "different",
                    "right",
                    "wrong",
                    "my",
                    "our",
                    "your",
                    "that's",
                ]
                .contains(&prev);
                if noun_use {
                    None
                } else if w == "kind" {
                    Some("kind of")
                } else {
                    Some("sort of")
                }
            }
            ("i", "guess") => Some("i guess"),
            ("i", "suppose") => Some("i suppose"),
            _ => None,
        };
        if let Some(label) = pair {
            tokens[i].mark = Some(Mark::Hedge(label));
            tokens[i + 1].mark = Some(Mark::Hedge(label));
        } else if w == "maybe" {
            tokens[i].mark = Some(Mark::Hedge("maybe"));
        }
    }
}

const REPEAT_OK: &[&str] = &[
    "had", "that", "very", "really", "no", "bye", "ha", "go", "knock", "yeah", "well", "many",
    "so", "far", "more", "again", "over", "and",
];

/// Marks the abandoned first copy of a repeated word or pair, skipping fillers between them.
fn mark_repeats(tokens: &mut [Token]) {
    let content: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].mark.is_none())
        .collect();
    let mut k = 0;
    while k < content.len() {
        let a = content[k];
        // Pair restart: "we were, we were".
        if k + 3 < content.len() {
            let (b, c, d) = (content[k + 1], content[k + 2], content[k + 3]);
            if tokens[a].norm == tokens[c].norm
                && tokens[b].norm == tokens[d].norm
                && tokens[a].norm != tokens[b].norm
                && !tokens[b].stop_after
            {
                tokens[a].mark = Some(Mark::Repeat);
                tokens[b].mark = Some(Mark::Repeat);
                k += 2;
                continue;
            }
        }
        if k + 1 < content.len() {
            let b = content[k + 1];
            if tokens[a].norm == tokens[b].norm
                && !REPEAT_OK.contains(&tokens[a].norm.as_str())
                && !tokens[a].stop_after
            {
                tokens[a].mark = Some(Mark::Repeat);
            }
        }
        k += 1;
    }
}

/// Splits content tokens into clauses and sets their flags.
fn split_clauses(tokens: &[Token]) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut current = Clause::default();
    let mut sentence = 0;
    let mut break_pending = false;
    let mut sentence_pending = false;
    for (i, token) in tokens.iter().enumerate() {
        if token.mark.is_none() {
            let connector = CONNECTORS.contains(&token.norm.as_str())
                && current.tokens.len() >= 2
                && !(token.norm == "so"
                    && ["that", "much", "many", "far"].contains(&norm_at(tokens, i + 1)));
            if (break_pending || connector || sentence_pending) && !current.tokens.is_empty() {
                clauses.push(std::mem::take(&mut current));
            }
            if sentence_pending {
                sentence += 1;
            }
            break_pending = false;
            sentence_pending = false;
            current.sentence = sentence;
            current.tokens.push(i);
        }
        if token.stop_after {
            sentence_pending = true;
        } else if token.comma_after && token.mark.is_none() {
            break_pending = true;
        }
    }
    if !current.tokens.is_empty() {
        clauses.push(current);
    }
    for clause in &mut clauses {
        let norms: Vec<&str> = clause
            .tokens
            .iter()
            .map(|&t| tokens[t].norm.as_str())
            .collect();
        set_flags(clause, &norms);
    }
    // A sentence that opens hypothetically ("if I ever", "generally when I fail") is hypothetical throughout.
    let mut k = 0;
    while k < clauses.len() {
        let s = clauses[k].sentence;
        let end = (k..clauses.len())
            .find(|&j| clauses[j].sentence != s)
            .unwrap_or(clauses.len());
        let first = clauses[k]
            .tokens
            .iter()
            .map(|&t| tokens[t].norm.as_str())
            .collect::<Vec<_>>();
        let opens = first
            .first()
            .is_some_and(|w| ["if", "whenever", "unless"].contains(w))
            || first
                .iter()
                .take(3)
                .any(|w| ["generally", "usually", "typically", "normally", "whenever"].contains(w))
            || (first.first() == Some(&"when") && !clauses[k].past && !clauses[k].perfect);
        if opens {
            for clause in &mut clauses[k..end] {
                clause.hypothetical = true;
            }
        }
        k = end;
    }
    clauses
}

fn set_flags(clause: &mut Clause, norms: &[&str]) {
    for (i, w) in norms.iter().enumerate() {
        let before = |n: usize| if i >= n { norms[i - n] } else { "" };
        // "would" after a past verb is the past's future ("I misjudged how long it would take").
        let past_future = *w == "would" && norms[..i].iter().any(|n| is_past_form(n));
        if (FUTURE.contains(w) && !past_future)
            || (*w == "going"
                && norms.get(i + 1) == Some(&"to")
                && norms.get(i + 2).is_some_and(|n| !n.ends_with("ed")))
            || (["plan", "intend", "hope", "want"].contains(w) && norms.get(i + 1) == Some(&"to"))
        {
            // "would have" is a counterfactual about the past; still not something that happened.
            clause.future = true;
        }
        // "I've learned that sometimes you need to..." reports a lesson; the adverb is inside it.
        let reported = norms[..i].contains(&"that");
        if HABITUAL.contains(w) && !norms.contains(&"since") && *w != "always" && !reported {
            clause.hypothetical = true;
        }
        let has_have = (1..=3).any(|n| ["have", "has"].contains(&before(n)));
        if *w == "been" && has_have {
            clause.perfect = true;
        } else if is_past_form(w) && !ADJ_BEFORE.contains(&before(1)) {
            if has_have {
                clause.perfect = true;
            } else if !(["have", "has"].contains(w)
                && norms.get(i + 1).is_some_and(|n| is_past_form(n)))
            {
                clause.past = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(doc: &Doc) -> Vec<String> {
        doc.clauses
            .iter()
            .map(|c| {
                c.tokens
                    .iter()
                    .map(|&t| doc.tokens[t].norm.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn fillers(doc: &Doc) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut last_word = usize::MAX;
        for t in &doc.tokens {
            if let Some(Mark::Filler(f)) = t.mark {
                let second_word = f.contains(' ')
                    && t.word == last_word.wrapping_add(1)
                    && out.last() == Some(&f);
                if !second_word {
                    out.push(f);
                }
                last_word = t.word;
            }
        }
        out
    }

    #[test]
    fn expands_contractions() {
        let doc = Doc::from_text(
            "I didn't blame anyone; it's fine. I'd stopped, I'd say won't can't client's",
        );
        assert_eq!(
            norms(&doc),
            [
                "i did not blame anyone",
                "it is fine",
                "i had stopped",
                "i would say will not can not client"
            ]
        );
    }

    #[test]
    fn words_ending_in_non_ascii_letters_keep_their_last_letter() {
        let doc =
            Doc::from_text("I ran a café, naïve about costs; résumé sent. Zoë’s plan—failed.");
        assert_eq!(
            norms(&doc),
            [
                "i ran a café",
                "naïve about costs",
                "résumé sent",
                "zoë plan failed"
            ]
        );
    }

    #[test]
    fn like_is_a_filler_only_in_filler_contexts() {
        let doc = Doc::from_text(
            "I really like my job. It looks like a small thing. It was, like, the wrong list.",
        );
        assert_eq!(fillers(&doc), ["like"]);
        let doc = Doc::from_text("it took like three weeks and I like it");
        assert_eq!(fillers(&doc), ["like"]);
    }

    #[test]
    fn you_know_i_mean_and_opening_so() {
        let doc = Doc::from_text(
            "So, um, you know, I mean, we did it. Do you know what I mean? I was so tired.",
        );
        assert_eq!(fillers(&doc), ["so", "um", "you know", "i mean"]);
    }

    #[test]
    fn hedges_and_repeats_are_removed_from_content() {
        let doc = Doc::from_text("I, I sort of assumed we were, we were fine. What kind of job?");
        assert_eq!(norms(&doc), ["i assumed we were fine", "what kind of job"]);
    }

    #[test]
    fn clause_flags() {
        let doc = Doc::from_text(
            "I missed it. It hasn't happened since. Next time I will check. If I ever missed one, I would call.",
        );
        let c = &doc.clauses;
        assert!(c[0].past && !c[0].perfect);
        assert!(c[1].perfect && !c[1].past);
        assert!(c[2].future);
        assert!(c[3].hypothetical && c[4].hypothetical);
    }
}
