//! The labelled answers the content checks are trained and measured on: `tests/answers/real/*.toml`
//! (modelled on real people's answers, with clause spans; see its README) and the team's older
//! `tests/answers/*.toml` (check labels only). Also the split by source page, and the alignment of
//! labelled spans with the clauses the splitter makes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::Outcome;
use super::text::Doc;

/// One labelled answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledAnswer {
    /// Unique id.
    pub id: String,
    /// The public page the answer was modelled on (absent in the team's own batches).
    #[serde(default)]
    pub source: Option<String>,
    /// What makes it hard.
    #[serde(default)]
    pub style: String,
    /// The answer.
    pub text: String,
    /// The outcome of each check, as labelled.
    pub expect: BTreeMap<String, Outcome>,
    /// Words that carry tags.
    #[serde(default)]
    pub spans: Vec<LabelledSpan>,
}

/// Words of an answer and the tags they carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledSpan {
    /// An exact substring of the answer.
    pub text: String,
    /// Tag names.
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    answer: Vec<LabelledAnswer>,
}

/// Reads every `*.toml` file of a folder, in name order, tagging each answer with nothing more.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<LabelledAnswer>> {
    load_files(dir, |_| true)
}

/// The answers of the `*.toml` files of `dir` whose name `keep` accepts, in name order.
fn load_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> anyhow::Result<Vec<LabelledAnswer>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && keep(p))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let file: File = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        out.extend(file.answer);
    }
    Ok(out)
}

/// The question a labelled-answers file belongs to, from its name without `.toml`: the question of
/// that id, else the longest id it starts with before a dash (the flagship's later batches,
/// `failure-third` and so on, belong to `failure`). `None` when it names no question of `ids`.
pub fn question_of_file<'a>(stem: &str, ids: &[&'a str]) -> Option<&'a str> {
    if let Some(id) = ids.iter().find(|id| **id == stem) {
        return Some(id);
    }
    ids.iter()
        .filter(|id| {
            stem.strip_prefix(**id)
                .is_some_and(|rest| rest.starts_with('-'))
        })
        .max_by_key(|id| id.len())
        .copied()
}

/// The labelled answers of one question in a folder: every `*.toml` file that
/// [`question_of_file`] gives to `question` among `ids`, in name order.
pub fn load_for_question(
    dir: &Path,
    question: &str,
    ids: &[&str],
) -> anyhow::Result<Vec<LabelledAnswer>> {
    load_files(dir, |p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| question_of_file(s, ids))
            == Some(question)
    })
}

/// The source page normalised for the split: lower case, without scheme, `www.` and trailing `/`.
/// A Reddit thread is one page whichever mirror or comment link it was read through
/// (`reddit.com/comments/ID`), so a thread never lands on both sides of the split.
pub fn normalise_source(source: &str) -> String {
    let s = source.trim().to_lowercase();
    if let Some(at) = s.find("/comments/") {
        let id: String = s[at + "/comments/".len()..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if s[..at].contains("/r/") && !id.is_empty() {
            return format!("reddit.com/comments/{id}");
        }
    }
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_string()
}

/// FNV-1a, 64 bits.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Whether answers modelled on this page belong to the held-out split (about 30% of pages).
pub fn held_out(source: &str) -> bool {
    fnv1a(&normalise_source(source)) % 100 < 30
}

impl LabelledAnswer {
    /// Held out from every rule, threshold and training run.
    pub fn is_held_out(&self) -> bool {
        self.source.as_deref().is_some_and(held_out)
    }
}

/// Byte ranges of the whitespace-separated words of a text, in the order `Doc::from_text` reads them.
pub fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The tags of each clause of `doc` (made with `Doc::from_text(text)`), from the labelled spans: a
/// clause carries a span's tags when at least half of the clause, or half of the span, overlaps.
pub fn clause_tags(doc: &Doc, text: &str, spans: &[LabelledSpan]) -> Vec<Vec<String>> {
    let words = word_ranges(text);
    let ranges: Vec<(usize, usize)> = spans
        .iter()
        .filter_map(|s| text.find(&s.text).map(|at| (at, at + s.text.len())))
        .collect();
    doc.clauses
        .iter()
        .map(|clause| {
            let (Some(&first), Some(&last)) = (clause.tokens.first(), clause.tokens.last()) else {
                return Vec::new();
            };
            let from = words[doc.tokens[first].word].0;
            let to = words[doc.tokens[last].word].1;
            let mut tags: Vec<String> = Vec::new();
            for (span, &(a, b)) in spans.iter().zip(&ranges) {
                let overlap = to.min(b).saturating_sub(from.max(a));
                let enough = overlap * 2 >= (to - from) || overlap * 2 >= (b - a);
                if overlap > 0 && enough {
                    for tag in &span.tags {
                        if !tags.contains(tag) {
                            tags.push(tag.clone());
                        }
                    }
                }
            }
            tags
        })
        .collect()
}

/// Agreement figures of predicted outcomes against labels, as issue 10 defines them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agreement {
    /// Labels compared.
    pub total: usize,
    /// Same outcome.
    pub three_way: usize,
    /// Both pass, or both not pass.
    pub pass_not_pass: usize,
    /// Labels that are warn or fail.
    pub problems: usize,
    /// ...that the program did not pass.
    pub caught: usize,
    /// Labels that are pass.
    pub passes: usize,
    /// ...that the program did not pass.
    pub false_alarms: usize,
}

impl Agreement {
    /// Adds one label and its prediction.
    pub fn add(&mut self, expected: Outcome, got: Outcome) {
        self.total += 1;
        if expected == got {
            self.three_way += 1;
        }
        if (expected == Outcome::Pass) == (got == Outcome::Pass) {
            self.pass_not_pass += 1;
        }
        if expected == Outcome::Pass {
            self.passes += 1;
            if got != Outcome::Pass {
                self.false_alarms += 1;
            }
        } else {
            self.problems += 1;
            if got != Outcome::Pass {
                self.caught += 1;
            }
        }
    }

    fn pct(n: usize, d: usize) -> f64 {
        if d == 0 {
            100.0
        } else {
            100.0 * n as f64 / d as f64
        }
    }

    /// Share of labels with the same outcome, in percent.
    pub fn three_way_pct(&self) -> f64 {
        Self::pct(self.three_way, self.total)
    }

    /// Share agreeing on pass versus not pass, in percent.
    pub fn pass_not_pass_pct(&self) -> f64 {
        Self::pct(self.pass_not_pass, self.total)
    }

    /// Share of problems caught, in percent.
    pub fn caught_pct(&self) -> f64 {
        Self::pct(self.caught, self.problems)
    }

    /// Share of passes flagged, in percent.
    pub fn false_alarm_pct(&self) -> f64 {
        Self::pct(self.false_alarms, self.passes)
    }

    /// One line: caught, false alarms, pass/not-pass and three-way.
    pub fn line(&self) -> String {
        format!(
            "caught {:.1}% ({}/{}), false alarms {:.1}% ({}/{}), pass/not-pass {:.1}%, three-way {:.1}% ({}/{})",
            self.caught_pct(),
            self.caught,
            self.problems,
            self.false_alarm_pct(),
            self.false_alarms,
            self.passes,
            self.pass_not_pass_pct(),
            self.three_way_pct(),
            self.three_way,
            self.total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_belongs_to_its_question_or_the_flagships_batches() {
        let ids = ["failure", "failure-at-school", "conflict"];
        assert_eq!(question_of_file("failure", &ids), Some("failure"));
        assert_eq!(question_of_file("failure-third", &ids), Some("failure"));
        assert_eq!(
            question_of_file("failure-at-school", &ids),
            Some("failure-at-school")
        );
        assert_eq!(question_of_file("conflict", &ids), Some("conflict"));
        assert_eq!(question_of_file("teamwork", &ids), None);
    }

    #[test]
    fn the_split_is_by_normalised_page() {
        assert_eq!(
            normalise_source("HTTPS://www.Example.org/a/"),
            "example.org/a"
        );
        assert_eq!(
            held_out("https://example.org/a/"),
            held_out("http://example.org/a")
        );
        assert_eq!(
            normalise_source(
                "http://10.0.0.1:8080/r/Teachers/comments/1jkfdb8/field_trip/kx2/?context=3"
            ),
            "reddit.com/comments/1jkfdb8"
        );
        let pages: Vec<String> = (0..1000).map(|i| format!("site{i}.org/page")).collect();
        let share = pages.iter().filter(|p| held_out(p)).count();
        assert!((250..350).contains(&share), "{share}");
    }

    #[test]
    fn spans_land_on_the_clauses_they_cover() {
        let text = "I missed the deadline, because my boss never replied. I learned to ask twice.";
        let doc = Doc::from_text(text);
        let spans = vec![
            LabelledSpan {
                text: "because my boss never replied".into(),
                tags: vec!["blame".into()],
            },
            LabelledSpan {
                text: "I missed the deadline".into(),
                tags: vec!["setback".into(), "own-cause".into()],
            },
        ];
        let tags = clause_tags(&doc, text, &spans);
        assert_eq!(tags.len(), doc.clauses.len());
        assert_eq!(tags[0], vec!["setback", "own-cause"]);
        assert!(tags.iter().any(|t| t == &vec!["blame".to_string()]));
        assert!(tags.last().unwrap().is_empty());
    }

    #[test]
    fn agreement_counts_problems_and_false_alarms() {
        let mut a = Agreement::default();
        a.add(Outcome::Warn, Outcome::Fail);
        a.add(Outcome::Pass, Outcome::Warn);
        a.add(Outcome::Pass, Outcome::Pass);
        assert_eq!(
            (a.caught, a.problems, a.false_alarms, a.passes),
            (1, 1, 1, 2)
        );
        assert_eq!((a.three_way, a.pass_not_pass), (1, 2));
    }
}
