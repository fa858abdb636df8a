//! A job advert (`rehearse practice --job FILE`, `rehearse analyze --job FILE`): its key terms, the
//! role set it belongs to, and how well each question matches it by meaning.
//!
//! Key terms are a general method, no hand list: the advert's words are weighed against their
//! frequency in general English ([`WordRanks`], the sentence model's vocabulary order). A word among
//! the [`COMMON_RANK`] most common carries nothing; above that its weight is the log of how much
//! rarer it is, times a sublinear count in the advert (`1 + ln n`). Two such words side by side that
//! recur in the advert form a phrase ("patient safety"). The answer used a term when every word of it
//! appears in the answer (plural or singular).
//!
//! Matching is by meaning with the sentence model: a question's match is the mean, over its text and
//! its talking points' example sentences, of the closest advert sentence's cosine. A role set's match
//! is the mean of its [`ROLE_TOP`] best questions'; the advert's role is the best one other than
//! `general`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::analyzer::Analyzer;
use crate::analysis::reading::meaning;
use crate::embed::{WordRanks, cosine};
use crate::questions::Question;
use crate::questions::roles::ROLES;

/// Words at least this common in general English (by rank) are never key terms.
pub const COMMON_RANK: usize = 500;
/// How many key terms an advert yields at most.
pub const MAX_TERMS: usize = 12;
/// A role set's match is the mean of its this many best-matching questions (a role's other
/// questions, about motivation or conflict, say little about the field).
pub const ROLE_TOP: usize = 3;
/// Advert sentences embedded at most (the first ones).
pub const MAX_SENTENCES: usize = 80;

/// One key term of an advert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyTerm {
    /// As written in the advert (its most frequent form), lower case.
    pub term: String,
    /// Its weight (higher is more telling).
    pub weight: f64,
    /// Times it occurs in the advert.
    pub count: usize,
    #[serde(skip)]
    stems: Vec<String>,
}

/// The key terms an answer used and those it missed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TermUse {
    /// Terms the answer says.
    pub used: Vec<String>,
    /// Terms it does not.
    pub missed: Vec<String>,
}

/// A job advert, read.
#[derive(Debug, Clone)]
pub struct Advert {
    /// Its key terms, most telling first.
    pub terms: Vec<KeyTerm>,
    /// Its sentences (lines and full stops split), for matching by meaning.
    pub sentences: Vec<String>,
}

/// A word of running text: lower case letters (and inner apostrophes), with its segment (phrases
/// never cross punctuation).
fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut segment = 0;
    let mut current = String::new();
    let flush = |current: &mut String, segment: usize, out: &mut Vec<(usize, String)>| {
        let word = current.trim_matches('\'').to_string();
        if !word.is_empty() {
            out.push((segment, word));
        }
        current.clear();
    };
    for token in text.split_whitespace() {
        if token.contains('@') || token.contains("://") || token.starts_with("www.") {
            flush(&mut current, segment, &mut out);
            segment += 1;
            continue;
        }
        for c in token.chars() {
            if c.is_alphabetic() || (c == '\'' && !current.is_empty()) {
                current.extend(c.to_lowercase());
            } else if c.is_ascii_digit() {
                current.clear();
            } else {
                flush(&mut current, segment, &mut out);
                if c != '-' && c != '/' && c != '&' {
                    segment += 1;
                }
            }
        }
        flush(&mut current, segment, &mut out);
    }
    out
}

/// The word without a plural `s` (`patients` and `patient` are one term).
fn stem(word: &str) -> String {
    let word = word.strip_suffix("'s").unwrap_or(word);
    if let Some(base) = word.strip_suffix("ies")
        && base.len() >= 3
    {
        return format!("{base}y");
    }
    match word.strip_suffix('s') {
        Some(base) if base.len() >= 3 && !base.ends_with('s') && !base.ends_with('u') => {
            base.to_string()
        }
        _ => word.to_string(),
    }
}

/// A word's weight against general English: 0 for the common ones, else `ln(rank / COMMON_RANK)`,
/// the vocabulary's length for a word it lacks.
fn rarity(ranks: &WordRanks, word: &str) -> f64 {
    if word.chars().count() < 3 {
        return 0.0;
    }
    let rank = ranks
        .rank(word)
        .or_else(|| ranks.rank(&stem(word)))
        .unwrap_or(ranks.len().max(COMMON_RANK + 1));
    if rank <= COMMON_RANK {
        0.0
    } else {
        (rank as f64 / COMMON_RANK as f64).ln()
    }
}

/// The advert's key terms, most telling first, at most `limit`.
pub fn key_terms(text: &str, ranks: &WordRanks, limit: usize) -> Vec<KeyTerm> {
    let words = words(text);
    // By stem: count, weight, first place, and the forms written.
    #[derive(Default)]
    struct Seen {
        count: usize,
        weight: f64,
        first: usize,
        forms: BTreeMap<String, usize>,
    }
    let mut seen: BTreeMap<Vec<String>, Seen> = BTreeMap::new();
    let mut add = |key: Vec<String>, form: String, weight: f64, at: usize| {
        let entry = seen.entry(key).or_insert_with(|| Seen {
            first: at,
            ..Seen::default()
        });
        entry.count += 1;
        entry.weight = weight;
        *entry.forms.entry(form).or_default() += 1;
    };
    let weights: Vec<f64> = words.iter().map(|(_, w)| rarity(ranks, w)).collect();
    for (i, (segment, word)) in words.iter().enumerate() {
        if weights[i] <= 0.0 {
            continue;
        }
        add(vec![stem(word)], word.clone(), weights[i], i);
        if let Some((next_segment, next)) = words.get(i + 1)
            && next_segment == segment
            && weights[i + 1] > 0.0
        {
            add(
                vec![stem(word), stem(next)],
                format!("{word} {next}"),
                weights[i] + weights[i + 1],
                i,
            );
        }
    }
    let phrases: Vec<(Vec<String>, usize)> = seen
        .iter()
        .filter(|(k, s)| k.len() == 2 && s.count >= 2)
        .map(|(k, s)| (k.clone(), s.count))
        .collect();
    let mut terms: Vec<(usize, KeyTerm)> = seen
        .into_iter()
        .filter(|(k, s)| k.len() == 1 || s.count >= 2)
        // A word that only ever occurs inside one of the kept phrases is shown as the phrase.
        .filter(|(k, s)| {
            k.len() == 2
                || !phrases
                    .iter()
                    .any(|(p, n)| p.contains(&k[0]) && *n >= s.count)
        })
        .map(|(k, s)| {
            let form = s
                .forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(f, _)| f.clone())
                .unwrap_or_default();
            let weight = (1.0 + (s.count as f64).ln()) * s.weight;
            (
                s.first,
                KeyTerm {
                    term: form,
                    weight: (weight * 100.0).round() / 100.0,
                    count: s.count,
                    stems: k,
                },
            )
        })
        .collect();
    terms.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight).then(a.0.cmp(&b.0)));
    terms.into_iter().take(limit).map(|(_, t)| t).collect()
}

/// Which of the terms an answer used (every word of the term appears in it, plural or singular).
pub fn term_use(terms: &[KeyTerm], answer: &str) -> TermUse {
    let said: Vec<String> = words(answer).into_iter().map(|(_, w)| stem(&w)).collect();
    let mut out = TermUse::default();
    for t in terms {
        if t.stems.iter().all(|s| said.contains(s)) {
            out.used.push(t.term.clone());
        } else {
            out.missed.push(t.term.clone());
        }
    }
    out
}

/// The advert's sentences: split at line ends and full stops, at least three words each.
pub fn sentences(text: &str) -> Vec<String> {
    text.split(['\n', '.', '!', '?', ';', '•'])
        .map(|s| {
            s.trim()
                .trim_start_matches(['-', '*', ' '])
                .trim()
                .to_string()
        })
        .filter(|s| s.split_whitespace().count() >= 3)
        .take(MAX_SENTENCES)
        .collect()
}

impl Advert {
    /// Reads an advert's text with the installed vocabulary's ranks.
    pub fn read(text: &str, ranks: &WordRanks) -> Advert {
        Advert {
            terms: key_terms(text, ranks, MAX_TERMS),
            sentences: sentences(text),
        }
    }
}

/// What matching an advert against the bank found.
#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    /// The advert's role set (the best match other than `general`).
    pub role: String,
    /// Every role set's match (mean cosine of its best questions), best first.
    pub roles: Vec<(String, f64)>,
    /// Each question's match, rescaled over the bank to 0 (least) to 1 (best).
    #[serde(skip)]
    pub questions: BTreeMap<String, f64>,
}

/// Matches an advert's sentences with each question's text and talking points by meaning.
pub fn match_bank(
    advert: &Advert,
    bank: &[Question],
    analyzer: &Analyzer,
) -> anyhow::Result<Matched> {
    if advert.sentences.is_empty() {
        anyhow::bail!(
            "the advert has no sentence of three words or more; paste the job advert's text into the file"
        );
    }
    let profile = |q: &Question| -> Vec<String> {
        let mut texts = vec![q.text.clone()];
        for check in &q.checks {
            if let Some(examples) = &check.examples {
                texts.extend(examples.iter().cloned());
            }
        }
        texts
    };
    let mut all: Vec<String> = advert.sentences.clone();
    let profiles: Vec<Vec<String>> = bank.iter().map(profile).collect();
    for p in &profiles {
        all.extend(p.iter().cloned());
    }
    let embedded = analyzer.embed(&all)?;
    let (ads, rest) = embedded.split_at(advert.sentences.len());
    let mut raw: Vec<(String, f64)> = Vec::with_capacity(bank.len());
    let mut offset = 0;
    for (q, p) in bank.iter().zip(&profiles) {
        let mine = &rest[offset..offset + p.len()];
        offset += p.len();
        let mean = mine
            .iter()
            .map(|e| {
                ads.iter()
                    .map(|a| f64::from(cosine(meaning(a), meaning(e))))
                    .fold(f64::MIN, f64::max)
            })
            .sum::<f64>()
            / mine.len().max(1) as f64;
        raw.push((q.id.clone(), mean));
    }
    let mut roles: Vec<(String, f64)> = ROLES
        .iter()
        .filter_map(|role| {
            let mut of_role: Vec<f64> = bank
                .iter()
                .zip(&raw)
                .filter(|(q, _)| q.roles.iter().any(|r| r == role.name))
                .map(|(_, (_, m))| *m)
                .collect();
            of_role.sort_by(|a, b| b.total_cmp(a));
            of_role.truncate(ROLE_TOP);
            (!of_role.is_empty()).then(|| {
                let mean = of_role.iter().sum::<f64>() / of_role.len() as f64;
                (role.name.to_string(), (mean * 1000.0).round() / 1000.0)
            })
        })
        .collect();
    roles.sort_by(|a, b| b.1.total_cmp(&a.1));
    let role = roles
        .iter()
        .find(|(name, _)| name != "general")
        .or(roles.first())
        .map_or_else(|| "general".to_string(), |(n, _)| n.clone());
    let (lo, hi) = raw.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, m)| {
        (lo.min(*m), hi.max(*m))
    });
    let span = (hi - lo).max(1e-9);
    let questions = raw
        .into_iter()
        .map(|(id, m)| (id, (m - lo) / span))
        .collect();
    Ok(Matched {
        role,
        roles,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks() -> WordRanks {
        WordRanks::load_default().expect(
            "the sentence model is installed (run `make test`, which runs scripts/setup.sh)",
        )
    }

    /// Written for this test in the style of a hospital's ward advert.
    const ADVERT: &str = "Registered Nurse - Surgical Ward\n\
        We are looking for a registered nurse to join our surgical ward team. You will assess \
        patients, plan and deliver care, and administer medication safely. You will work closely \
        with doctors and therapists on discharge planning. Experience of wound care and patient \
        safety checks is essential. Patient safety comes first on our ward. Apply by email to \
        jobs@example.org.";

    #[test]
    fn key_terms_favour_rare_words_and_recurring_phrases() {
        let terms = key_terms(ADVERT, &ranks(), MAX_TERMS);
        let names: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        assert!(names.contains(&"patient safety"), "{names:?}");
        assert!(names.contains(&"medication"), "{names:?}");
        assert!(names.iter().any(|n| n.contains("surgical")), "{names:?}");
        for common in ["the", "and", "you", "will", "our", "team", "work"] {
            assert!(!names.contains(&common), "{common} in {names:?}");
        }
        assert!(!names.iter().any(|n| n.contains("example")), "{names:?}");
    }

    #[test]
    fn an_answer_uses_a_term_in_singular_or_plural() {
        let terms = key_terms(ADVERT, &ranks(), MAX_TERMS);
        let used = term_use(
            &terms,
            "On my last placement I checked each patient's medications before the round, a patient \
             safety habit.",
        );
        assert!(used.used.contains(&"medication".to_string()), "{used:?}");
        assert!(
            used.used.contains(&"patient safety".to_string()),
            "{used:?}"
        );
        assert!(
            used.missed.iter().any(|t| t.contains("discharge")),
            "{used:?}"
        );
        assert_eq!(used.used.len() + used.missed.len(), terms.len());
    }

    #[test]
    fn stems_join_plurals_only() {
        assert_eq!(stem("patients"), "patient");
        assert_eq!(stem("therapies"), "therapy");
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("status"), "status");
    }
}
