//! The bank of questions: the shipped files (embedded with `include_str!`, so they work wherever the
//! binary runs) and the user's own files from `<data_dir>/questions/*.toml`.
//!
//! A user file whose id matches a shipped question replaces it, so a user can tune the flagship's
//! thresholds without rebuilding.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{Question, parse_question};

/// The shipped question files: (name under `prompts/`, contents), `failure.toml` first and the
/// others by name. `build.rs` lists every `prompts/*.toml` but `checks.toml`.
pub const SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/shipped_questions.rs"));

/// Why the bank could not be loaded.
#[derive(Debug, Error)]
pub enum BankError {
    /// The file is not valid TOML or does not fit the question shape.
    #[error("{file}: line {line}, column {column}: {message}")]
    Parse {
        /// The file (a path, or `prompts/NAME` for shipped files).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde or toml said.
        message: String,
    },
    /// The file parsed but breaks a rule (unknown check id, unordered thresholds).
    #[error("{file}: line {line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line of the offending key, or 1.
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The file or folder could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Two files in the same place define the same id.
    #[error("question id `{id}` is defined twice: in {first} and in {second}; rename one")]
    Duplicate {
        /// The id.
        id: String,
        /// The first file.
        first: String,
        /// The second file.
        second: String,
    },
}

/// The loaded questions, in listing order (shipped first, then user files by name).
#[derive(Debug, Clone)]
pub struct Bank {
    questions: Vec<Question>,
}

/// The folder for the user's own question files: `<data_dir>/questions`.
pub fn user_questions_dir() -> PathBuf {
    crate::paths::data_dir().join("questions")
}

impl Bank {
    /// The shipped questions plus the user's files in [`user_questions_dir`].
    pub fn load() -> Result<Bank, BankError> {
        let mut bank = Bank::shipped()?;
        bank.add_dir(&user_questions_dir())?;
        Ok(bank)
    }

    /// Only the shipped questions.
    pub fn shipped() -> Result<Bank, BankError> {
        let mut bank = Bank {
            questions: Vec::new(),
        };
        for (name, text) in SHIPPED {
            let question = parse_question(text, &format!("prompts/{name}"))?;
            bank.insert(question, false)?;
        }
        Ok(bank)
    }

    /// Adds every `*.toml` file of a folder (a missing folder adds nothing). A file whose id matches a
    /// shipped question replaces it.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), BankError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(BankError::Read {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let question = read_question_file(&path)?;
            self.insert(question, true)?;
        }
        Ok(())
    }

    fn insert(&mut self, question: Question, user: bool) -> Result<(), BankError> {
        if let Some(existing) = self.questions.iter_mut().find(|q| q.id == question.id) {
            let shipped = existing.source.starts_with("prompts/");
            if user && shipped {
                *existing = question;
                return Ok(());
            }
            return Err(BankError::Duplicate {
                id: question.id,
                first: existing.source.clone(),
                second: question.source,
            });
        }
        self.questions.push(question);
        Ok(())
    }

    /// All questions in listing order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The question with this id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The ids, for error messages.
    pub fn ids(&self) -> Vec<&str> {
        self.questions.iter().map(|q| q.id.as_str()).collect()
    }
}

/// Reads and validates one question file from disk.
pub fn read_question_file(path: &Path) -> Result<Question, BankError> {
    let text = std::fs::read_to_string(path).map_err(|source| BankError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_question(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_loads_and_validates() {
        let bank = Bank::shipped().unwrap();
        assert_eq!(bank.questions().len(), SHIPPED.len());
        assert!(bank.questions().len() >= 13);
        assert_eq!(bank.questions()[0].id, "failure");
        for q in bank.questions() {
            assert!(!q.roles.is_empty(), "{}", q.source);
            assert!(!q.sources.is_empty(), "{}: no `sources`", q.source);
        }
        let failure = bank.get("failure").unwrap();
        assert_eq!(failure.text, "Have you ever failed at anything?");
        assert_eq!(
            failure.follow_up("turnaround-or-lesson"),
            Some("What did you learn from that?")
        );
        assert_eq!(
            failure.follow_up("lesson-applied"),
            Some("Have you had a chance to apply that since?")
        );
        assert_eq!(
            failure.follow_up("workplace-story"),
            Some("Do you have an example from work?")
        );
        assert_eq!(
            failure.follow_up("admits-failure"),
            Some("Think of a project that didn't go as planned. What happened?")
        );
        assert_eq!(failure.checks.len(), 9);
    }

    #[test]
    fn user_file_replaces_shipped_and_broken_one_names_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = SHIPPED[0].1.replace("min = 60", "min = 45");
        std::fs::write(dir.path().join("mine.toml"), text).unwrap();
        let mut bank = Bank::shipped().unwrap();
        bank.add_dir(dir.path()).unwrap();
        assert_eq!(bank.get("failure").unwrap().time.min, 45.0);

        let broken = tempfile::tempdir().unwrap();
        std::fs::write(
            broken.path().join("zz-broken.toml"),
            "id = \"x\"\ntext = \n",
        )
        .unwrap();
        let err = bank.add_dir(broken.path()).unwrap_err().to_string();
        assert!(err.contains("zz-broken.toml: line 2"), "{err}");
    }

    #[test]
    fn missing_user_folder_adds_nothing() {
        let mut bank = Bank::shipped().unwrap();
        bank.add_dir(Path::new("/no/such/folder")).unwrap();
        assert_eq!(bank.questions().len(), SHIPPED.len());
    }
}
