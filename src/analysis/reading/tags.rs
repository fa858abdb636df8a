//! The reading layer's vocabulary: what a clause can do in a story. The rubric (`prompts/checks.toml`
//! and the question files) combines these names; `prompts/README.md` lists them for authors, and
//! `tests/answers/real/README.md` defines them for the people who label answers.

/// Where a tag comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Predicted by the tagger from the clause's meaning (sentence embeddings), with the lexicon's
    /// hits as extra features.
    Model,
    /// Found by the lexicon and the clause grammar alone (the STAR checks' tags, for which there is no
    /// labelled data yet).
    Rules,
}

/// One tag: its name, where it comes from, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Tag {
    /// The name the rubric uses.
    pub name: &'static str,
    /// Model or rules.
    pub source: Source,
    /// One line for authors of question files.
    pub meaning: &'static str,
}

const fn model(name: &'static str, meaning: &'static str) -> Tag {
    Tag {
        name,
        source: Source::Model,
        meaning,
    }
}

const fn rules(name: &'static str, meaning: &'static str) -> Tag {
    Tag {
        name,
        source: Source::Rules,
        meaning,
    }
}

/// Every tag, model tags first (their order is the tagger's output order).
pub const TAGS: &[Tag] = &[
    model("setback", "what went wrong in the speaker's own story"),
    model("others-failure", "a failure that is only someone else's"),
    model(
        "own-cause",
        "the speaker's own action or omission behind the setback, or owning it",
    ),
    model(
        "blame",
        "the cause put on others or on circumstances, even in passing",
    ),
    model("contempt", "insults or contempt for others"),
    model(
        "recovery",
        "what the speaker did at the time to fix it or turn it around",
    ),
    model(
        "lesson",
        "a lesson learned or a habit changed, as learned or done now",
    ),
    model(
        "future-only",
        "a lesson stated only as an intention (\"next time I will\")",
    ),
    model(
        "applied",
        "the lesson used on a later occasion, with its result",
    ),
    model(
        "severe",
        "dishonesty, crime, harm or danger to someone, fired for cause",
    ),
    model(
        "disclosure",
        "the speaker's own health, relationships, religion, money, drinking",
    ),
    model("defeat", "running oneself down, or sounding defeated"),
    model("denial", "denies failing or having an example"),
    model(
        "generic",
        "failure in general or many occasions instead of one episode",
    ),
    model(
        "disguised",
        "a strength dressed as a failure (\"I'm a perfectionist\")",
    ),
    model(
        "context",
        "when, where or in what role one concrete episode happened",
    ),
    model(
        "work",
        "the story's setting is the speaker's job (one setting per answer)",
    ),
    model("school", "the story's setting is studying"),
    model("volunteer", "the story's setting is volunteering"),
    model(
        "personal-life",
        "the story's setting is sport, hobbies, family or personal life",
    ),
    rules(
        "insult",
        "an insult word aimed at someone (\"idiot\", \"useless\")",
    ),
    rules(
        "event",
        "a past event of the story (not a lesson, a plan or a habit)",
    ),
    rules(
        "own-action",
        "a past action with \"I\" as its subject (not \"I was\")",
    ),
    rules("team-action", "a past action with \"we\" as its subject"),
    rules("result", "how it ended: a result, an outcome, a number"),
    rules(
        "weakness",
        "a genuine weakness stated (\"I tend to\", \"I struggle with\")",
    ),
    rules("improving", "steps already taken to improve"),
    rules("improve-plan", "steps to improve stated only as plans"),
    rules("role-link", "the role, team or company asked about"),
    rules(
        "experience",
        "the speaker's experience, skills or background",
    ),
    rules(
        "work-motive",
        "reasons about the work: interest, growth, impact",
    ),
    rules("money-motive", "reasons of pay, perks, commute or escape"),
    rules(
        "leading",
        "the speaker organised, delegated, decided or took charge",
    ),
    rules("career-now", "the speaker's present role"),
    rules("career-past", "how the speaker got here"),
    rules("career-next", "what the speaker wants next"),
];

/// The settings: an answer has at most one, the one the tagger is surest of.
pub const SETTINGS: &[&str] = &["work", "school", "volunteer", "personal-life"];

/// The tag with this name.
pub fn find(name: &str) -> Option<&'static Tag> {
    TAGS.iter().find(|t| t.name == name)
}

/// Whether a rubric may name this tag.
pub fn known(name: &str) -> bool {
    find(name).is_some()
}

/// The tags the tagger predicts, in its output order.
pub fn model_tags() -> impl Iterator<Item = &'static Tag> {
    TAGS.iter().filter(|t| t.source == Source::Model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_model_tags_come_first() {
        for (i, t) in TAGS.iter().enumerate() {
            assert!(TAGS[i + 1..].iter().all(|u| u.name != t.name), "{}", t.name);
        }
        let first_rule = TAGS.iter().position(|t| t.source == Source::Rules).unwrap();
        assert!(TAGS[first_rule..].iter().all(|t| t.source == Source::Rules));
        assert!(SETTINGS.iter().all(|s| find(s).is_some()));
    }

    #[test]
    fn every_tag_is_documented_for_question_authors() {
        let readme = include_str!("../../../prompts/README.md");
        for t in TAGS {
            assert!(readme.contains(&format!("`{}`", t.name)), "{}", t.name);
        }
    }
}
