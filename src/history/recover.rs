//! `rehearse history --repair`: a damaged history database is copied aside first (the copy is never
//! removed), every row that can still be read is carried into a fresh database with the current
//! schema, and the fresh file then takes the original's place in one rename. A file that is no
//! database at all gives an empty history, with the copy kept for whoever wants to dig further.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, types::Value};

use super::HistoryError;
use super::files::tighten;
use super::store::{DATABASE_FILE, open_database};

/// What a repair did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The untouched copy of the damaged database.
    pub copy: PathBuf,
    /// Sessions carried over.
    pub sessions: usize,
    /// Answers carried over.
    pub answers: usize,
    /// True when a table could only be read in part (or not at all).
    pub incomplete: bool,
}

fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> HistoryError + 'a {
    move |source| HistoryError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Repairs the history database in `data_dir` as described in the module documentation.
pub fn repair(data_dir: &Path) -> Result<Recovered, HistoryError> {
    let db = data_dir.join(DATABASE_FILE);
    if !db.is_file() {
        return Err(HistoryError::Io {
            action: "repair the history database",
            path: db,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "there is no such file"),
        });
    }
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let copy = data_dir.join(format!("{DATABASE_FILE}.damaged-{stamp}"));
    std::fs::copy(&db, &copy).map_err(io("keep a copy of the history database", &copy))?;
    tighten(&copy, "keep a copy of the history database")?;
    for suffix in ["-wal", "-shm"] {
        let side = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
        if side.is_file() {
            let side_copy = PathBuf::from(format!("{}{suffix}", copy.display()));
            std::fs::copy(&side, &side_copy)
                .map_err(io("keep a copy of the history database", &side_copy))?;
        }
    }

    let fresh = data_dir.join(format!("{DATABASE_FILE}.repairing"));
    let _ = std::fs::remove_file(&fresh);
    super::files::private_file(&fresh, "write the repaired history database")?;
    let mut target = open_database(&fresh)?;
    target.pragma_update(None, "foreign_keys", false)?;
    let (sessions, answers, incomplete) = match Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(source) => {
            let tx = target.transaction()?;
            let (sessions, s_whole) = copy_table(&source, &tx, "sessions");
            let (answers, a_whole) = copy_table(&source, &tx, "answers");
            // Answers whose session was lost cannot be shown; they stay in the copy.
            let orphans = tx.execute(
                "DELETE FROM answers WHERE session_id NOT IN (SELECT id FROM sessions)",
                [],
            )?;
            tx.commit()?;
            (
                sessions,
                answers - orphans,
                !(s_whole && a_whole) || orphans > 0,
            )
        }
        Err(_) => (0, 0, true),
    };
    target.pragma_update(None, "foreign_keys", true)?;
    // Leave a single file behind, so the rename moves the whole database.
    target.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    drop(target);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
    std::fs::rename(&fresh, &db).map_err(io("replace the history database", &db))?;
    Ok(Recovered {
        copy,
        sessions,
        answers,
        incomplete,
    })
}

/// Copies the readable rows of `table` (same columns by name); returns how many, and whether the
/// whole table could be read.
fn copy_table(source: &Connection, target: &Connection, table: &str) -> (usize, bool) {
    let Ok(mut select) = source.prepare(&format!("SELECT * FROM {table}")) else {
        return (0, false);
    };
    let columns: Vec<String> = select
        .column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let insert = format!(
        "INSERT OR IGNORE INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    let Ok(mut insert) = target.prepare(&insert) else {
        return (0, false);
    };
    let Ok(mut rows) = select.query([]) else {
        return (0, false);
    };
    let mut copied = 0;
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let values: Result<Vec<Value>, _> =
                    (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect();
                let Ok(values) = values else {
                    return (copied, false);
                };
                if insert
                    .execute(rusqlite::params_from_iter(values))
                    .is_ok_and(|n| n > 0)
                {
                    copied += 1;
                }
            }
            Ok(None) => return (copied, true),
            Err(_) => return (copied, false),
        }
    }
}
