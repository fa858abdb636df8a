//! `rehearse questions [--json]` lists the question bank; `rehearse questions --check [FILE]` validates
//! the bank, or one question file, and says what is wrong with file and line;
//! `rehearse questions --roles` lists the role sets with how many questions each holds.

use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use crate::questions::{Bank, Question, read_question_file, user_questions_dir};

/// Arguments of `rehearse questions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Validate instead of listing: the whole bank, or only FILE when given.
    #[arg(long)]
    pub check: bool,
    /// A question file to validate (with `--check`).
    #[arg(requires = "check", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// List the role sets (for `rehearse practice --role NAME`) with the number of questions in each.
    #[arg(long, conflicts_with = "check")]
    pub roles: bool,
    /// Print JSON: each question with id, text, category, time, roles, checks and follow-ups.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    text: &'a str,
    category: &'a str,
    source: &'a str,
    time: crate::questions::TargetTime,
    roles: &'a [String],
    sources: &'a [String],
    checks: Vec<&'a str>,
    follow_ups: &'a std::collections::BTreeMap<String, String>,
}

fn listed(q: &Question) -> Listed<'_> {
    Listed {
        id: &q.id,
        text: &q.text,
        category: &q.category,
        source: &q.source,
        time: q.time,
        roles: &q.roles,
        sources: &q.sources,
        checks: q.checks.iter().map(|c| c.id.as_str()).collect(),
        follow_ups: &q.follow_ups,
    }
}

/// Runs `rehearse questions`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if let Some(file) = &args.file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        if text.lines().any(|l| l.trim() == "[[check]]") {
            // A shared checks file, like `prompts/checks.toml`.
            let checks = crate::questions::shared::parse(&text)
                .map_err(|e| anyhow::anyhow!("invalid checks file: {}: {e}", file.display()))?;
            return super::print_stdout(&format!(
                "{}: ok ({} shared checks)\n",
                file.display(),
                checks.len()
            ));
        }
        let question = read_question_file(file).context("invalid question file")?;
        return if args.json {
            super::print_stdout(&(serde_json::to_string_pretty(&listed(&question))? + "\n"))
        } else {
            super::print_stdout(&format!(
                "{}: ok (question `{}`)\n",
                file.display(),
                question.id
            ))
        };
    }
    let bank = Bank::load().with_context(|| {
        format!(
            "the question bank does not load; fix the file named here (your own files are in `{}`)",
            user_questions_dir().display()
        )
    })?;
    if args.roles {
        return list_roles(&bank, args.json);
    }
    if args.check {
        let text = format!(
            "{} questions ok (shipped, plus `{}`)\n",
            bank.questions().len(),
            user_questions_dir().display()
        );
        return if args.json {
            let ids = bank.ids();
            super::print_stdout(
                &(serde_json::to_string_pretty(
                    &serde_json::json!({"ok": true, "questions": ids}),
                )? + "\n"),
            )
        } else {
            super::print_stdout(&text)
        };
    }
    if args.json {
        let all: Vec<Listed> = bank.questions().iter().map(listed).collect();
        return super::print_stdout(&(serde_json::to_string_pretty(&all)? + "\n"));
    }
    let width = bank
        .questions()
        .iter()
        .map(|q| q.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for q in bank.questions() {
        out.push_str(&format!(
            "{:<width$}  {:<11} {}\n",
            q.id, q.category, q.text
        ));
    }
    super::print_stdout(&out)
}

/// Prints each role set with its question count (text, or JSON with `name`, `about`, `questions`).
fn list_roles(bank: &Bank, json: bool) -> anyhow::Result<()> {
    let counted: Vec<(&crate::questions::roles::Role, usize)> = crate::questions::roles::ROLES
        .iter()
        .map(|role| {
            let n = bank
                .questions()
                .iter()
                .filter(|q| q.roles.iter().any(|r| r == role.name))
                .count();
            (role, n)
        })
        .collect();
    if json {
        let all: Vec<serde_json::Value> = counted
            .iter()
            .map(|(role, n)| serde_json::json!({"name": role.name, "about": role.about, "questions": n}))
            .collect();
        return super::print_stdout(&(serde_json::to_string_pretty(&all)? + "\n"));
    }
    let width = counted.iter().map(|(r, _)| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (role, n) in &counted {
        out.push_str(&format!("{:<width$}  {n:>3}  {}\n", role.name, role.about));
    }
    super::print_stdout(&out)
}
