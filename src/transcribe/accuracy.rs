//! Measuring a transcript against a reference: word error rate with fillers left out, and how many
//! of the reference's fillers were found or invented. Used by the tests, the benchmarks and the
//! incremental-versus-whole-file agreement check.
//!
//! Both texts are normalised first: lower case, punctuation dropped, hyphens split, `yknow` read as
//! "you know", and numbers up to 99 written as words (Whisper writes "10" where people say "ten").

use super::fillers;

/// Words of a text, normalised for comparison.
pub fn normalize_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == '-' || c == '—') {
        let word: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .flat_map(char::to_lowercase)
            .collect();
        let word = word.trim_matches('\'').to_string();
        if word.is_empty() {
            continue;
        }
        match word.as_str() {
            "yknow" => out.extend(["you".to_string(), "know".to_string()]),
            _ => match word.parse::<u32>().ok().and_then(number_words) {
                Some(words) => out.extend(words.split(' ').map(str::to_string)),
                None => out.push(word),
            },
        }
    }
    out
}

fn number_words(n: u32) -> Option<String> {
    const ONES: [&str; 20] = [
        "zero",
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
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match n {
        0..=19 => Some(ONES[n as usize].to_string()),
        20..=99 if n.is_multiple_of(10) => Some(TENS[(n / 10) as usize].to_string()),
        20..=99 => Some(format!(
            "{} {}",
            TENS[(n / 10) as usize],
            ONES[(n % 10) as usize]
        )),
        _ => None,
    }
}

/// Counts from comparing a hypothesis with a reference.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Comparison {
    /// Reference words, fillers excluded.
    pub reference_words: usize,
    /// Substitutions + deletions + insertions, fillers excluded.
    pub errors: usize,
    /// Fillers in the reference.
    pub reference_fillers: usize,
    /// Reference fillers the hypothesis also has, at the same place.
    pub found_fillers: usize,
    /// Fillers in the hypothesis with no filler at that place in the reference.
    pub invented_fillers: usize,
}

impl Comparison {
    /// Word error rate, 0 to 1 (fillers excluded).
    pub fn wer(&self) -> f64 {
        self.errors as f64 / self.reference_words.max(1) as f64
    }

    /// Share of the reference's fillers that were found.
    pub fn filler_recall(&self) -> f64 {
        if self.reference_fillers == 0 {
            1.0
        } else {
            self.found_fillers as f64 / self.reference_fillers as f64
        }
    }

    /// Adds another comparison's counts (for totals over many files).
    pub fn add(&mut self, other: Comparison) {
        self.reference_words += other.reference_words;
        self.errors += other.errors;
        self.reference_fillers += other.reference_fillers;
        self.found_fillers += other.found_fillers;
        self.invented_fillers += other.invented_fillers;
    }
}

/// Compares a hypothesis text with a reference text.
pub fn compare(reference: &str, hypothesis: &str) -> Comparison {
    let reference = normalize_words(reference);
    let hypothesis = normalize_words(hypothesis);
    let is_filler = |w: &String| fillers::is_filler(w);
    let ref_plain: Vec<&String> = reference.iter().filter(|w| !is_filler(w)).collect();
    let hyp_plain: Vec<&String> = hypothesis.iter().filter(|w| !is_filler(w)).collect();
    let errors = edit_distance(&ref_plain, &hyp_plain);

    // Fillers are matched along an alignment of the full sequences, where any filler matches any
    // other ("uh" for "um" still counts as a hesitation found).
    let pairs = align(&reference, &hypothesis, |a, b| {
        a == b || (is_filler(a) && is_filler(b))
    });
    let found = pairs.iter().filter(|(r, h)| matches!((r, h), (Some(r), Some(h)) if is_filler(&reference[*r]) && is_filler(&hypothesis[*h]))).count();
    let hyp_fillers = hypothesis.iter().filter(|w| is_filler(w)).count();
    Comparison {
        reference_words: ref_plain.len(),
        errors,
        reference_fillers: reference.iter().filter(|w| is_filler(w)).count(),
        found_fillers: found,
        invented_fillers: hyp_fillers - found,
    }
}

fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A minimum-edit alignment: pairs of (reference index, hypothesis index), `None` for a gap.
pub fn align<T>(
    a: &[T],
    b: &[T],
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (a.len(), b.len());
    let mut cost = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in cost.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in cost[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = cost[i - 1][j - 1] + usize::from(!same(&a[i - 1], &b[j - 1]));
            cost[i][j] = sub.min(cost[i - 1][j] + 1).min(cost[i][j - 1] + 1);
        }
    }
    let (mut i, mut j) = (n, m);
    let mut out = Vec::new();
    while i > 0 || j > 0 {
        if i > 0
            && j > 0
            && cost[i][j] == cost[i - 1][j - 1] + usize::from(!same(&a[i - 1], &b[j - 1]))
        {
            out.push((Some(i - 1), Some(j - 1)));
            i -= 1;
            j -= 1;
        } else if i > 0 && cost[i][j] == cost[i - 1][j] + 1 {
            out.push((Some(i - 1), None));
            i -= 1;
        } else {
            out.push((None, Some(j - 1)));
            j -= 1;
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_punctuation_numbers_and_yknow() {
        assert_eq!(
            normalize_words("Go forward 10 meters. Y'know, old-sposed!"),
            ["go", "forward", "ten", "meters", "y'know", "old", "sposed"]
        );
        assert_eq!(
            normalize_words("we're just yknow"),
            ["we're", "just", "you", "know"]
        );
        assert_eq!(normalize_words("42"), ["forty", "two"]);
    }

    #[test]
    fn counts_errors_without_fillers_and_scores_fillers_apart() {
        let c = compare(
            "montreal uh forced aligner",
            "Montreal, uh, uh, forced a liner.",
        );
        assert_eq!(c.reference_words, 3);
        assert_eq!(
            c.errors, 2,
            "aligner -> a liner is one substitution and one insertion"
        );
        assert_eq!(
            (c.reference_fillers, c.found_fillers, c.invented_fillers),
            (1, 1, 1)
        );
        let perfect = compare("so um yes", "So, um, yes.");
        assert_eq!(
            (
                perfect.errors,
                perfect.found_fillers,
                perfect.invented_fillers
            ),
            (0, 1, 0)
        );
        assert!((perfect.filler_recall() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_missed_filler_lowers_recall_but_not_wer() {
        let c = compare("montreal forced um aligner", "Montreal forced aligner");
        assert_eq!(c.errors, 0);
        assert_eq!(c.filler_recall(), 0.0);
    }
}
