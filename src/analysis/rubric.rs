//! The rubric as data: a check's meaning is an ordered list of rules written in its question file
//! (or in the shared `prompts/checks.toml`), each `OUTCOME [if CONDITION] [(quote TAG, ...)]`. The
//! first rule whose condition holds gives the outcome; the last rule must hold always.
//!
//! A condition is a small boolean language over the reading's tags: a tag name holds when some clause
//! of the answer carries it; `not`, `and`, `or` and parentheses combine; `count(a | b) >= 2` counts the
//! clauses carrying any of the tags, and counts compare with numbers or with each other. For example
//! `warn if blame or others-failure`, `pass if count(own-action) >= 2`,
//! `fail if count(money-motive) >= count(work-motive) and money-motive`.
//!
//! The evidence of a verdict is the clauses carrying the tags named after `quote`, or when the rule
//! has none present, the tags its condition names without `not` (the blaming remark for
//! `warn if blame`).

use std::fmt;

use super::Outcome;

/// One rule of a check: the outcome it gives, when, and what to quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Pass, warn or fail.
    pub outcome: Outcome,
    /// `None` for the closing rule that always holds.
    pub condition: Option<Expr>,
    /// Tags whose clauses are quoted as evidence, before those the condition names.
    pub quote: Vec<String>,
}

/// A condition over the tags of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Some clause carries the tag.
    Tag(String),
    /// Negation.
    Not(Box<Expr>),
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Compares two counts.
    Compare(Count, Cmp, Count),
}

/// A number in a comparison: the clauses carrying any of some tags, or a constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Count {
    /// `count(a | b)`.
    Clauses(Vec<String>),
    /// A whole number.
    Number(usize),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `==`
    Eq,
}

/// What the rubric needs to know about an answer: which clauses carry a tag.
pub trait Tagged {
    /// The indices of the clauses carrying `tag`, in order.
    fn clauses_with(&self, tag: &str) -> Vec<usize>;
}

/// Why a rule does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Expr {
    /// Whether the condition holds for an answer.
    pub fn holds(&self, answer: &dyn Tagged) -> bool {
        match self {
            Expr::Tag(tag) => !answer.clauses_with(tag).is_empty(),
            Expr::Not(inner) => !inner.holds(answer),
            Expr::And(a, b) => a.holds(answer) && b.holds(answer),
            Expr::Or(a, b) => a.holds(answer) || b.holds(answer),
            Expr::Compare(a, cmp, b) => {
                let (a, b) = (a.value(answer), b.value(answer));
                match cmp {
                    Cmp::Ge => a >= b,
                    Cmp::Gt => a > b,
                    Cmp::Le => a <= b,
                    Cmp::Lt => a < b,
                    Cmp::Eq => a == b,
                }
            }
        }
    }

    /// The tags named without `not` that hold for this answer: what the evidence should show.
    pub fn positive_tags(&self, answer: &dyn Tagged, out: &mut Vec<String>) {
        match self {
            Expr::Tag(tag) => {
                if !answer.clauses_with(tag).is_empty() && !out.contains(tag) {
                    out.push(tag.clone());
                }
            }
            Expr::Not(_) => {}
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.positive_tags(answer, out);
                b.positive_tags(answer, out);
            }
            Expr::Compare(a, _, b) => {
                for count in [a, b] {
                    if let Count::Clauses(tags) = count {
                        for tag in tags {
                            if !answer.clauses_with(tag).is_empty() && !out.contains(tag) {
                                out.push(tag.clone());
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every tag the condition names.
    pub fn tags(&self, out: &mut Vec<String>) {
        match self {
            Expr::Tag(tag) => out.push(tag.clone()),
            Expr::Not(inner) => inner.tags(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.tags(out);
                b.tags(out);
            }
            Expr::Compare(a, _, b) => {
                for count in [a, b] {
                    if let Count::Clauses(tags) = count {
                        out.extend(tags.iter().cloned());
                    }
                }
            }
        }
    }
}

impl Count {
    fn value(&self, answer: &dyn Tagged) -> usize {
        match self {
            Count::Number(n) => *n,
            Count::Clauses(tags) => {
                let mut clauses: Vec<usize> =
                    tags.iter().flat_map(|t| answer.clauses_with(t)).collect();
                clauses.sort_unstable();
                clauses.dedup();
                clauses.len()
            }
        }
    }
}

impl Rule {
    /// Every tag the rule names, in its condition and its quote list.
    pub fn tags(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(condition) = &self.condition {
            condition.tags(&mut out);
        }
        out.extend(self.quote.iter().cloned());
        out
    }
}

/// The verdict of a list of rules: the outcome and the clauses to quote, in order.
pub fn judge(rules: &[Rule], answer: &dyn Tagged) -> (Outcome, Vec<usize>) {
    for rule in rules {
        let holds = rule.condition.as_ref().is_none_or(|c| c.holds(answer));
        if !holds {
            continue;
        }
        // The quote list says which clauses show the verdict best; without one (or when none of
        // its tags is present) the tags the condition found are quoted.
        let mut tags: Vec<String> = rule
            .quote
            .iter()
            .filter(|t| !answer.clauses_with(t).is_empty())
            .cloned()
            .collect();
        if tags.is_empty()
            && let Some(condition) = &rule.condition
        {
            condition.positive_tags(answer, &mut tags);
        }
        let mut clauses: Vec<usize> = tags.iter().flat_map(|t| answer.clauses_with(t)).collect();
        clauses.sort_unstable();
        clauses.dedup();
        return (rule.outcome, clauses);
    }
    // Validation requires a closing rule that always holds; an empty list judges nothing.
    (Outcome::Skipped, Vec::new())
}

/// Parses one rule, checking every tag name with `known`.
pub fn parse_rule(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Rule, RuleError> {
    let mut tokens = lex(text)?;
    let (outcome, rest) = match tokens.first() {
        Some(Token::Word(w)) => match w.as_str() {
            "pass" => (Outcome::Pass, 1),
            "warn" => (Outcome::Warn, 1),
            "fail" => (Outcome::Fail, 1),
            other => {
                return Err(RuleError(format!(
                    "rule `{text}` must start with pass, warn or fail, not `{other}`"
                )));
            }
        },
        _ => {
            return Err(RuleError(format!(
                "rule `{text}` must start with pass, warn or fail"
            )));
        }
    };
    tokens.drain(..rest);
    let quote = take_quote(&mut tokens, text)?;
    let condition = match tokens.first() {
        None => None,
        Some(Token::Word(w)) if w == "if" => {
            let mut parser = Parser {
                tokens: &tokens[1..],
                at: 0,
                text,
            };
            let expr = parser.or()?;
            if parser.at != parser.tokens.len() {
                return Err(RuleError(format!(
                    "rule `{text}`: unexpected `{}`",
                    parser.tokens[parser.at]
                )));
            }
            Some(expr)
        }
        Some(other) => {
            return Err(RuleError(format!(
                "rule `{text}`: expected `if` after the outcome, found `{other}`"
            )));
        }
    };
    let rule = Rule {
        outcome,
        condition,
        quote,
    };
    for tag in rule.tags() {
        if !known(&tag) {
            return Err(RuleError(format!(
                "rule `{text}` names the unknown tag `{tag}` (see the tag list in prompts/README.md)"
            )));
        }
    }
    Ok(rule)
}

/// Parses a check's rule list: each rule, and a last one that always holds.
pub fn parse_rules(texts: &[String], known: &dyn Fn(&str) -> bool) -> Result<Vec<Rule>, RuleError> {
    let rules = texts
        .iter()
        .map(|t| parse_rule(t, known))
        .collect::<Result<Vec<_>, _>>()?;
    match rules.last() {
        None => Err(RuleError("the check has no rules".into())),
        Some(last) if last.condition.is_some() => Err(RuleError(format!(
            "the last rule (`{}`) must have no `if`, so that every answer gets an outcome",
            texts.last().map_or("", String::as_str)
        ))),
        Some(_) => {
            if let Some(i) = rules[..rules.len() - 1]
                .iter()
                .position(|r| r.condition.is_none())
            {
                return Err(RuleError(format!(
                    "rule `{}` always holds, so the rules after it are never used",
                    texts[i]
                )));
            }
            Ok(rules)
        }
    }
}

/// Takes a trailing `(quote a, b)` off the token list.
fn take_quote(tokens: &mut Vec<Token>, text: &str) -> Result<Vec<String>, RuleError> {
    let Some(open) = tokens
        .windows(2)
        .position(|w| w[0] == Token::Open && w[1] == Token::Word("quote".into()))
    else {
        return Ok(Vec::new());
    };
    if tokens.last() != Some(&Token::Close) {
        return Err(RuleError(format!(
            "rule `{text}`: `(quote ...)` must close the rule"
        )));
    }
    let inner: Vec<Token> = tokens[open + 2..tokens.len() - 1].to_vec();
    tokens.truncate(open);
    let mut tags = Vec::new();
    for token in inner {
        match token {
            Token::Word(w) => tags.push(w),
            Token::Comma => {}
            other => {
                return Err(RuleError(format!(
                    "rule `{text}`: `(quote ...)` lists tags, found `{other}`"
                )));
            }
        }
    }
    if tags.is_empty() {
        return Err(RuleError(format!(
            "rule `{text}`: `(quote)` needs at least one tag"
        )));
    }
    Ok(tags)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(usize),
    Open,
    Close,
    Comma,
    Bar,
    Cmp(Cmp),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => f.write_str(w),
            Token::Number(n) => write!(f, "{n}"),
            Token::Open => f.write_str("("),
            Token::Close => f.write_str(")"),
            Token::Comma => f.write_str(","),
            Token::Bar => f.write_str("|"),
            Token::Cmp(c) => f.write_str(match c {
                Cmp::Ge => ">=",
                Cmp::Gt => ">",
                Cmp::Le => "<=",
                Cmp::Lt => "<",
                Cmp::Eq => "==",
            }),
        }
    }
}

fn lex(text: &str) -> Result<Vec<Token>, RuleError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '|' => {
                tokens.push(Token::Bar);
                i += 1;
            }
            '>' | '<' | '=' => {
                let two = chars.get(i + 1) == Some(&'=');
                let cmp = match (c, two) {
                    ('>', true) => Cmp::Ge,
                    ('>', false) => Cmp::Gt,
                    ('<', true) => Cmp::Le,
                    ('<', false) => Cmp::Lt,
                    ('=', true) => Cmp::Eq,
                    _ => return Err(RuleError(format!("rule `{text}`: write `==`, not `=`"))),
                };
                tokens.push(Token::Cmp(cmp));
                i += if two { 2 } else { 1 };
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                let n = digits
                    .parse()
                    .map_err(|_| RuleError(format!("rule `{text}`: `{digits}` is too large")))?;
                tokens.push(Token::Number(n));
            }
            c if c.is_ascii_lowercase() => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_lowercase() || chars[i] == '-') {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => {
                return Err(RuleError(format!(
                    "rule `{text}`: unexpected character `{other}` (tags are lower case with dashes)"
                )));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn word_is(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == word)
    }

    fn error(&self, what: &str) -> RuleError {
        let found = self
            .peek()
            .map_or("the end of the rule".to_string(), |t| format!("`{t}`"));
        RuleError(format!(
            "rule `{}`: expected {what}, found {found}",
            self.text
        ))
    }

    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.and()?;
        while self.word_is("or") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.unary()?;
        while self.word_is("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, RuleError> {
        if self.word_is("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, RuleError> {
        match self.peek().cloned() {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(self.error("`)`"));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Number(_)) => self.comparison(),
            Some(Token::Word(w)) if w == "count" => self.comparison(),
            Some(Token::Word(w)) if !["and", "or", "not", "if"].contains(&w.as_str()) => {
                self.at += 1;
                Ok(Expr::Tag(w))
            }
            _ => Err(self.error("a tag, `not`, `count(...)` or `(`")),
        }
    }

    fn comparison(&mut self) -> Result<Expr, RuleError> {
        let left = self.count()?;
        let Some(Token::Cmp(cmp)) = self.peek().cloned() else {
            return Err(self.error("a comparison (>=, >, <=, <, ==)"));
        };
        self.at += 1;
        let right = self.count()?;
        Ok(Expr::Compare(left, cmp, right))
    }

    fn count(&mut self) -> Result<Count, RuleError> {
        match self.peek().cloned() {
            Some(Token::Number(n)) => {
                self.at += 1;
                Ok(Count::Number(n))
            }
            Some(Token::Word(w)) if w == "count" => {
                self.at += 1;
                if self.peek() != Some(&Token::Open) {
                    return Err(self.error("`(` after count"));
                }
                self.at += 1;
                let mut tags = Vec::new();
                loop {
                    match self.peek().cloned() {
                        Some(Token::Word(tag)) => {
                            tags.push(tag);
                            self.at += 1;
                        }
                        _ => return Err(self.error("a tag inside count(...)")),
                    }
                    match self.peek() {
                        Some(Token::Bar) => self.at += 1,
                        Some(Token::Close) => {
                            self.at += 1;
                            break;
                        }
                        _ => return Err(self.error("`|` or `)`")),
                    }
                }
                Ok(Count::Clauses(tags))
            }
            _ => Err(self.error("a number or count(...)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer given as the tags of each clause.
    struct Clauses(Vec<Vec<&'static str>>);

    impl Tagged for Clauses {
        fn clauses_with(&self, tag: &str) -> Vec<usize> {
            (0..self.0.len())
                .filter(|&i| self.0[i].contains(&tag))
                .collect()
        }
    }

    fn any_tag(_: &str) -> bool {
        true
    }

    fn rules(texts: &[&str]) -> Vec<Rule> {
        let owned: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
        parse_rules(&owned, &any_tag).unwrap()
    }

    #[test]
    fn first_rule_that_holds_decides_and_quotes_its_clauses() {
        let wrong = rules(&[
            "fail if not setback (quote denial)",
            "warn if blame or others-failure",
            "pass",
        ]);
        let blamed = Clauses(vec![vec!["setback"], vec![], vec!["blame"]]);
        assert_eq!(judge(&wrong, &blamed), (Outcome::Warn, vec![2]));
        let owned = Clauses(vec![vec!["setback", "own-cause"]]);
        assert_eq!(judge(&wrong, &owned), (Outcome::Pass, vec![]));
        let denied = Clauses(vec![vec!["denial"], vec![]]);
        assert_eq!(judge(&wrong, &denied), (Outcome::Fail, vec![0]));
    }

    #[test]
    fn counts_compare_with_numbers_and_each_other() {
        let own = rules(&[
            "pass if count(own-action) >= 2",
            "warn if count(own-action | team-action) >= 2",
            "fail",
        ]);
        let mixed = Clauses(vec![vec!["own-action"], vec!["team-action"], vec![]]);
        assert_eq!(judge(&own, &mixed).0, Outcome::Warn);
        let motive = rules(&[
            "fail if money-motive and count(money-motive) >= count(work-motive)",
            "pass",
        ]);
        let money = Clauses(vec![
            vec!["money-motive"],
            vec!["work-motive", "money-motive"],
        ]);
        assert_eq!(judge(&motive, &money).0, Outcome::Fail);
        let keen = Clauses(vec![
            vec!["work-motive"],
            vec!["work-motive"],
            vec!["money-motive"],
        ]);
        assert_eq!(judge(&motive, &keen).0, Outcome::Pass);
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let r = rules(&["pass if a or b and not c", "fail"]);
        assert_eq!(judge(&r, &Clauses(vec![vec!["a", "c"]])).0, Outcome::Pass);
        assert_eq!(judge(&r, &Clauses(vec![vec!["b", "c"]])).0, Outcome::Fail);
        let grouped = rules(&["pass if (a or b) and not c", "fail"]);
        assert_eq!(
            judge(&grouped, &Clauses(vec![vec!["a", "c"]])).0,
            Outcome::Fail
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let known = |t: &str| ["setback", "blame"].contains(&t);
        let err = |texts: &[&str]| {
            let owned: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
            parse_rules(&owned, &known).unwrap_err().0
        };
        assert!(err(&["pass if setbak", "fail"]).contains("unknown tag `setbak`"));
        assert!(err(&["pass if setback"]).contains("must have no `if`"));
        assert!(err(&["good if setback", "fail"]).contains("pass, warn or fail"));
        assert!(err(&["pass", "fail"]).contains("never used"));
        assert!(err(&["pass if setback and", "fail"]).contains("expected a tag"));
        assert!(err(&["pass if count(setback) = 2", "fail"]).contains("=="));
        assert!(err(&[]).contains("no rules"));
        assert!(err(&["pass if setback (quote)", "fail"]).contains("at least one tag"));
    }
}
