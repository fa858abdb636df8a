//! The history database schema as an add-only list of migrations.
//!
//! Each entry upgrades the schema by one version; `PRAGMA user_version` records how many have run.
//! Entries are never edited or removed once released: a change to the schema is a new entry at the
//! end, so every older database upgrades step by step to the same shape as a new one.

use rusqlite::{Connection, TransactionBehavior};

use super::HistoryError;

/// The migrations in order; migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: sessions and their answers. Times are Unix seconds (UTC); the report is the JSON of
    // `rehearse analyze --json`; the metrics beside it are copied out of it for quick listing.
    "CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        settings    TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE answers (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position           INTEGER NOT NULL,
        question_id        TEXT NOT NULL,
        question_text      TEXT NOT NULL,
        attempt            INTEGER NOT NULL DEFAULT 1,
        follow_up_of       INTEGER REFERENCES answers(id) ON DELETE CASCADE,
        follow_up_check    TEXT,
        recording          TEXT,
        report             TEXT NOT NULL,
        score              INTEGER,
        speaking_seconds   REAL,
        words_per_minute   REAL,
        fillers_per_minute REAL,
        created_at         INTEGER NOT NULL
    );",
    // 2: the lookups the review commands make.
    "CREATE INDEX answers_by_session ON answers(session_id, position);
     CREATE INDEX sessions_by_start ON sessions(started_at);",
];

/// The schema version this build writes.
pub fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// The schema version recorded in the database (0 for a new one).
pub fn version(conn: &Connection) -> Result<u32, HistoryError> {
    Ok(
        conn.query_row("SELECT user_version FROM pragma_user_version", [], |row| {
            row.get(0)
        })?,
    )
}

/// Brings the schema up to date. The check and the upgrade happen in one write transaction, so two
/// processes opening a new database at once apply each migration exactly once.
pub fn migrate(conn: &mut Connection) -> Result<u32, HistoryError> {
    migrate_to(conn, latest_version())
}

/// Applies the migrations up to `target` (for tests of the upgrade path).
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, HistoryError> {
    // An up-to-date database needs no write lock: reading the version first lets a reader open the
    // history while another process holds a long write transaction (or the folder is read-only).
    let current = version(conn)?;
    if current >= target.min(latest_version()) {
        if current > latest_version() {
            return Err(HistoryError::NewerSchema {
                found: current,
                known: latest_version(),
            });
        }
        return Ok(current);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > latest_version() {
        return Err(HistoryError::NewerSchema {
            found,
            known: latest_version(),
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    let now = version(&tx)?;
    tx.commit()?;
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn schema(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_every_migration() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn).unwrap(), latest_version());
        assert_eq!(version(&conn).unwrap(), MIGRATIONS.len() as u32);
        let names = tables(&conn);
        for expected in [
            "answers",
            "answers_by_session",
            "sessions",
            "sessions_by_start",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute("INSERT INTO sessions (started_at) VALUES (1)", [])
            .unwrap();
        let before = schema(&conn);
        assert_eq!(migrate(&mut conn).unwrap(), latest_version());
        assert_eq!(schema(&conn), before);
        let count: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 1, "migrating again must keep the data");
    }

    #[test]
    fn every_older_version_upgrades_to_the_same_schema_and_keeps_data() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        let expected = schema(&fresh);
        for start in 1..=latest_version() {
            let mut conn = Connection::open_in_memory().unwrap();
            assert_eq!(migrate_to(&mut conn, start).unwrap(), start);
            conn.execute("INSERT INTO sessions (started_at) VALUES (42)", [])
                .unwrap();
            assert_eq!(
                migrate(&mut conn).unwrap(),
                latest_version(),
                "from version {start}"
            );
            assert_eq!(schema(&conn), expected, "from version {start}");
            let started: i64 = conn
                .query_row("SELECT started_at FROM sessions", [], |r| r.get(0))
                .unwrap();
            assert_eq!(started, 42, "from version {start}");
        }
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", i64::from(latest_version() + 1))
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, HistoryError::NewerSchema { .. }), "{err}");
        assert!(err.to_string().contains("newer rehearse"), "{err}");
    }

    #[test]
    fn answers_cascade_with_their_session() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO sessions (id, started_at) VALUES (1, 0), (2, 0)",
            [],
        )
        .unwrap();
        for session in [1, 2] {
            conn.execute(
                "INSERT INTO answers (session_id, position, question_id, question_text, report, created_at)
                 VALUES (?1, 1, 'failure', 'Have you ever failed?', '{}', 0)",
                [session],
            )
            .unwrap();
        }
        conn.execute("DELETE FROM sessions WHERE id = 1", [])
            .unwrap();
        let left: Vec<i64> = conn
            .prepare("SELECT session_id FROM answers")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(left, vec![2]);
    }
}
