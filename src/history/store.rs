//! [`Store`]: the connection to the history database and the recordings folder beside it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

use super::files::{new_private_file, private_dir, private_file, tighten};
use super::summary::summarise;
use super::{
    AnswerId, Answered, HistoryError, NewAnswer, Session, SessionId, SessionSummary, StoredAnswer,
};

/// The database's file name inside the data folder.
pub const DATABASE_FILE: &str = "history.sqlite3";
/// The recordings folder's name inside the data folder.
pub const RECORDINGS_DIR: &str = "recordings";

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The session history in one data folder.
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
}

/// What [`Store::delete_session`] removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedSession {
    /// The session removed.
    pub id: SessionId,
    /// How many answers it held.
    pub answers: u32,
    /// How many recording files were removed.
    pub recordings: u32,
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    }
}

/// Switches the database to WAL mode (a no-op once it is; the mode is kept in the file). The switch
/// needs the database to itself and SQLite reports "busy" at once rather than waiting when another
/// process holds it, so this waits and retries up to the busy timeout.
fn use_wal(conn: &Connection) -> Result<(), HistoryError> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_) => return Ok(()),
            Err(err)
                if err.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(15));
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// Opens the database file: busy timeout, WAL, foreign keys, full sync (an answer that was reported
/// saved survives a crash of the machine too), schema migrated.
pub(super) fn open_database(db: &Path) -> Result<Connection, HistoryError> {
    let mut conn = Connection::open(db)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    use_wal(&conn)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    super::migrations::migrate(&mut conn)?;
    Ok(conn)
}

/// Opens the database on a read-only filesystem: `immutable` tells SQLite that nobody can change
/// it, so it needs no lock or shared-memory file (which it could not create there).
pub(super) fn open_read_only(db: &Path) -> Result<Connection, HistoryError> {
    let uri = format!("{}?immutable=1", file_uri(db));
    let conn = Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )?;
    super::migrations::version(&conn).map_err(|err| match err {
        HistoryError::Sqlite(ref inner)
            if matches!(
                inner.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ) =>
        {
            HistoryError::Damaged {
                path: db.to_path_buf(),
            }
        }
        other => other,
    })?;
    Ok(conn)
}

/// `path` as an SQLite `file:` URI: every byte but letters, digits, `-._~` and `/` percent-encoded,
/// so a folder named with `?`, `#` or `%` is not read as the URI's query, fragment or an escape.
pub(super) fn file_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

impl Store {
    /// Opens (creating if needed) the history in `data_dir`: the folder 0700, the database 0600 in
    /// WAL mode with a busy timeout, the schema migrated to the newest version.
    pub fn open(data_dir: &Path) -> Result<Store, HistoryError> {
        private_dir(data_dir, "create the data folder")?;
        let db = data_dir.join(DATABASE_FILE);
        // Create the file ourselves so it starts 0600; SQLite gives its -wal and -shm files the
        // database file's mode.
        match private_file(&db, "create the history database") {
            // A read-only folder still shows its history; any change says it cannot be made.
            Err(HistoryError::ReadOnly) if db.is_file() => {
                return Ok(Store {
                    conn: open_read_only(&db)?,
                    data_dir: data_dir.to_path_buf(),
                });
            }
            other => other?,
        }
        let conn = open_database(&db).map_err(|err| match err {
            HistoryError::Sqlite(ref inner)
                if matches!(
                    inner.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
                ) =>
            {
                HistoryError::Damaged { path: db.clone() }
            }
            other => other,
        })?;
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
            if side.exists() {
                tighten(&side, "protect the history database")?;
            }
        }
        Ok(Store {
            conn,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// Opens the history in the default data folder ([`crate::paths::data_dir`]).
    pub fn open_default() -> Result<Store, HistoryError> {
        Store::open(&crate::paths::data_dir())
    }

    /// The connection, for tests that inspect the database directly.
    #[cfg(test)]
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// The connection, for the history's other modules.
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The data folder this store lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Starts a session; `settings` is kept as JSON (questions asked, follow-ups on, model, ...).
    pub fn start_session(
        &mut self,
        started_at: SystemTime,
        settings: &serde_json::Value,
    ) -> Result<SessionId, HistoryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO sessions (started_at, settings) VALUES (?1, ?2)",
            params![unix_seconds(started_at), settings.to_string()],
        )?;
        let id = SessionId(tx.last_insert_rowid());
        tx.commit()?;
        Ok(id)
    }

    /// Marks `session` as being practised by this process until the result is dropped: `delete`
    /// refuses it meanwhile (see [`super::open_session`]).
    pub fn hold_open(&self, session: SessionId) -> Result<super::OpenSession, HistoryError> {
        super::open_session::hold(&self.data_dir, session)
    }

    /// The folder that holds a session's recordings: `<data>/recordings/<session>`.
    pub fn recordings_dir(&self, session: SessionId) -> PathBuf {
        self.data_dir.join(RECORDINGS_DIR).join(session.to_string())
    }

    /// Reserves the next recording file of a session, `<data>/recordings/<session>/<n>.wav`, and
    /// returns its path. The file is created empty with mode 0600 (so a recorder that truncates and
    /// writes it keeps it private); numbers are never handed out twice, even across processes.
    pub fn new_recording(&self, session: SessionId) -> Result<PathBuf, HistoryError> {
        private_dir(
            &self.data_dir.join(RECORDINGS_DIR),
            "create the recordings folder",
        )?;
        let dir = self.recordings_dir(session);
        private_dir(&dir, "create the recordings folder")?;
        for n in 1..=u32::MAX {
            let path = dir.join(format!("{n}.wav"));
            if new_private_file(&path, "create a recording file")? {
                return Ok(path);
            }
        }
        Err(HistoryError::Io {
            action: "create a recording file in",
            path: dir,
            source: std::io::ErrorKind::AlreadyExists.into(),
        })
    }

    /// Saves one answer in its own transaction and returns its id. The recording, if any, is set to
    /// mode 0600; a recording inside the data folder is stored by its relative path.
    pub fn save_answer(
        &mut self,
        session: SessionId,
        answer: &NewAnswer,
    ) -> Result<AnswerId, HistoryError> {
        let recording = match &answer.recording {
            Some(path) => {
                if path.exists() {
                    tighten(path, "protect the recording")?;
                }
                let relative = path.strip_prefix(&self.data_dir).unwrap_or(path);
                Some(relative.to_string_lossy().into_owned())
            }
            None => None,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_session(&tx, session)?;
        let position: i64 = tx.query_row(
            "SELECT coalesce(max(position), 0) + 1 FROM answers WHERE session_id = ?1",
            [session.0],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO answers (session_id, position, question_id, question_text, attempt,
                 follow_up_of, follow_up_check, recording, report, score, speaking_seconds,
                 words_per_minute, fillers_per_minute, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                session.0,
                position,
                answer.question_id,
                answer.question_text,
                answer.attempt.max(1),
                answer.follow_up_of.map(|a| a.0),
                answer.follow_up_check,
                recording,
                answer.report_json,
                answer.score,
                answer.speaking_seconds,
                answer.words_per_minute,
                answer.fillers_per_minute,
                unix_seconds(SystemTime::now()),
            ],
        )?;
        let id = AnswerId(tx.last_insert_rowid());
        tx.commit()?;
        Ok(id)
    }

    /// Marks a session finished.
    pub fn finish_session(
        &mut self,
        session: SessionId,
        finished_at: SystemTime,
    ) -> Result<(), HistoryError> {
        let changed = self.conn.execute(
            "UPDATE sessions SET finished_at = ?2 WHERE id = ?1",
            params![session.0, unix_seconds(finished_at)],
        )?;
        if changed == 0 {
            return Err(HistoryError::UnknownSession(session));
        }
        Ok(())
    }

    /// Every session, oldest first, with its figures.
    pub fn list_sessions(&self) -> Result<Vec<SessionSummary>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, started_at, strftime('%Y-%m-%d %H:%M', started_at, 'unixepoch', 'localtime'),
                    finished_at
             FROM sessions ORDER BY started_at, id",
        )?;
        let heads = stmt
            .query_map([], |row| {
                Ok((
                    SessionId(row.get(0)?),
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                ))
            })?
            .collect::<Result<Vec<(SessionId, i64, String, Option<i64>)>, _>>()?;
        let mut stmt = self.conn.prepare(&format!(
            // Not the whole report, only whether it was skipped (written compactly by
            // `NewAnswer::from_report`).
            "SELECT {ANSWER_COLUMNS}, CASE WHEN report LIKE '%\"skipped\":true%' \
             THEN '{{\"skipped\":true}}' ELSE '' END FROM answers ORDER BY session_id, position"
        ))?;
        let answers = stmt
            .query_map([], |row| answer_from_row(row, &self.data_dir))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(heads
            .into_iter()
            .map(|(id, started_at, date, finished_at)| {
                let mine: Vec<&StoredAnswer> = answers.iter().filter(|a| a.session == id).collect();
                summarise(id, started_at, date, finished_at, &mine)
            })
            .collect())
    }

    /// Every main answer (follow-ups left out), oldest session first and in the order given: what
    /// the rotation of `rehearse practice` reads.
    pub fn answered(&self) -> Result<Vec<Answered>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.session_id, a.question_id, a.score FROM answers a
             JOIN sessions s ON s.id = a.session_id
             WHERE a.follow_up_of IS NULL
             ORDER BY s.started_at, s.id, a.position",
        )?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Answered {
                    session: SessionId(row.get(0)?),
                    question_id: row.get(1)?,
                    score: row.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The newest session's id, or [`HistoryError::NoSessions`].
    pub fn latest_session(&self) -> Result<SessionId, HistoryError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?;
        id.map(SessionId).ok_or(HistoryError::NoSessions)
    }

    /// One session with its answers (reports included), or [`HistoryError::UnknownSession`].
    pub fn load_session(&self, session: SessionId) -> Result<Session, HistoryError> {
        let head = self
            .conn
            .query_row(
                "SELECT started_at, strftime('%Y-%m-%d %H:%M', started_at, 'unixepoch', 'localtime'),
                        finished_at, settings
                 FROM sessions WHERE id = ?1",
                [session.0],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((started_at, date, finished_at, settings)) = head else {
            return Err(HistoryError::UnknownSession(session));
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ANSWER_COLUMNS}, report FROM answers WHERE session_id = ?1 ORDER BY position"
        ))?;
        let answers = stmt
            .query_map([session.0], |row| answer_from_row(row, &self.data_dir))?
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&StoredAnswer> = answers.iter().collect();
        let summary = summarise(session, started_at, date, finished_at, &refs);
        let settings = serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null);
        Ok(Session {
            summary,
            settings,
            answers,
        })
    }

    /// Removes a session, its answers and its recordings; nothing else is touched. The rows go in
    /// one transaction first, then the session's recordings folder.
    pub fn delete_session(&mut self, session: SessionId) -> Result<DeletedSession, HistoryError> {
        if super::open_session::is_held(&self.data_dir, session) {
            return Err(HistoryError::SessionOpen(session));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_session(&tx, session)?;
        let recordings: Vec<String> = tx
            .prepare(
                "SELECT recording FROM answers WHERE session_id = ?1 AND recording IS NOT NULL",
            )?
            .query_map([session.0], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let answers = tx.execute("DELETE FROM answers WHERE session_id = ?1", [session.0])?;
        tx.execute("DELETE FROM sessions WHERE id = ?1", [session.0])?;
        tx.commit()?;

        let mut removed = 0u32;
        let recordings_root = self.data_dir.join(RECORDINGS_DIR);
        // Recordings kept elsewhere in the recordings folder (not the usual place) go one by one;
        // files outside the data folder's recordings are never removed.
        for stored in &recordings {
            let path = self.data_dir.join(stored);
            let elsewhere = path.starts_with(&recordings_root)
                && !path.starts_with(self.recordings_dir(session));
            if elsewhere && fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        let dir = self.recordings_dir(session);
        if dir.is_dir() {
            let remove_err = |source| HistoryError::Io {
                action: "remove the recordings folder",
                path: dir.clone(),
                source,
            };
            for entry in fs::read_dir(&dir).map_err(remove_err)? {
                let entry = entry.map_err(remove_err)?;
                // Recordings only: not the open mark nor the question notes beside them.
                let recording = super::unstored::recording_number(&entry.path()).is_some();
                if entry.file_type().map_err(remove_err)?.is_file() && recording {
                    removed += 1;
                }
            }
            fs::remove_dir_all(&dir).map_err(remove_err)?;
        }
        Ok(DeletedSession {
            id: session,
            answers: answers as u32,
            recordings: removed,
        })
    }
}

const ANSWER_COLUMNS: &str = "id, session_id, position, question_id, question_text, attempt, follow_up_of,
    follow_up_check, recording, score, speaking_seconds, words_per_minute, fillers_per_minute, created_at";

fn answer_from_row(row: &Row<'_>, data_dir: &Path) -> rusqlite::Result<StoredAnswer> {
    let recording: Option<String> = row.get(8)?;
    Ok(StoredAnswer {
        id: AnswerId(row.get(0)?),
        session: SessionId(row.get(1)?),
        position: row.get(2)?,
        question_id: row.get(3)?,
        question_text: row.get(4)?,
        attempt: row.get(5)?,
        follow_up_of: row.get::<_, Option<i64>>(6)?.map(AnswerId),
        follow_up_check: row.get(7)?,
        recording: recording.map(|r| data_dir.join(r)),
        score: row.get(9)?,
        speaking_seconds: row.get(10)?,
        words_per_minute: row.get(11)?,
        fillers_per_minute: row.get(12)?,
        created_at: row.get(13)?,
        report_json: row.get(14)?,
    })
}

/// Fails with [`HistoryError::UnknownSession`] unless the session exists (inside `tx`, so the answer
/// is the same one the rest of the transaction sees).
fn require_session(tx: &rusqlite::Transaction<'_>, session: SessionId) -> Result<(), HistoryError> {
    let exists: Option<i64> = tx
        .query_row(
            "SELECT id FROM sessions WHERE id = ?1",
            [session.0],
            |row| row.get(0),
        )
        .optional()?;
    match exists {
        Some(_) => Ok(()),
        None => Err(HistoryError::UnknownSession(session)),
    }
}
