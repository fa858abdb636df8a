//! The mark of a session still being practised: `practice` holds an exclusive lock on
//! `<data>/recordings/<session>/.open` for as long as it may still store answers in the session,
//! and `delete` refuses a session whose lock another process holds (deleting it then lost the
//! answer being given). The recovery of unstored answers ([`crate::interview::recovery`]) takes the
//! same lock without waiting ([`try_hold`]) and leaves a held session alone. The lock is the
//! operating system's (`flock`), so a practice that crashes or is killed releases it with its last
//! breath: no stale mark can block a later delete.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::files::private_dir;
use super::{HistoryError, RECORDINGS_DIR, SessionId};

/// The lock file's name inside a session's recordings folder.
pub const OPEN_MARK: &str = ".open";

/// A session held open by this process; dropping it lets the session be deleted.
#[derive(Debug)]
pub struct OpenSession {
    _file: File,
}

fn mark(data_dir: &Path, session: SessionId) -> PathBuf {
    data_dir
        .join(RECORDINGS_DIR)
        .join(session.to_string())
        .join(OPEN_MARK)
}

/// Marks `session` as being practised by this process, until the result is dropped.
pub fn hold(data_dir: &Path, session: SessionId) -> Result<OpenSession, HistoryError> {
    let path = mark(data_dir, session);
    if let Some(dir) = path.parent() {
        private_dir(
            &data_dir.join(RECORDINGS_DIR),
            "create the recordings folder",
        )?;
        private_dir(dir, "create the recordings folder")?;
    }
    let (file, io) = open_mark(&path)?;
    // Blocks only if another process holds this session, which a new session id rules out.
    // SAFETY: `flock` on a file descriptor this function owns; no memory is passed.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io(std::io::Error::last_os_error()));
    }
    Ok(OpenSession { _file: file })
}

/// Marks `session` as held by this process like [`hold`], unless another process holds it now:
/// then `Ok(None)` at once instead of waiting.
pub fn try_hold(data_dir: &Path, session: SessionId) -> Result<Option<OpenSession>, HistoryError> {
    let path = mark(data_dir, session);
    let (file, io) = open_mark(&path)?;
    // SAFETY: as in `hold`; non-blocking, so a held session answers at once.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(Some(OpenSession { _file: file }));
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(None)
    } else {
        Err(io(err))
    }
}

/// Opens (creating) the session's mark file, and the error for what goes wrong with it after.
fn open_mark(
    path: &Path,
) -> Result<(File, impl Fn(std::io::Error) -> HistoryError + '_), HistoryError> {
    let io = move |source| HistoryError::Io {
        action: "mark the session open in",
        path: path.to_path_buf(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    Ok((file, io))
}

/// Another process is practising `session` now (holds its lock).
pub fn is_held(data_dir: &Path, session: SessionId) -> bool {
    let Ok(file) = File::open(mark(data_dir, session)) else {
        return false;
    };
    // SAFETY: as above; a shared, non-blocking try, released when `file` closes.
    let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0;
    !taken && std::io::Error::last_os_error().raw_os_error() == Some(libc::EWOULDBLOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_session_is_seen_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let session = SessionId(3);
        assert!(!is_held(dir.path(), session));
        let open = hold(dir.path(), session).unwrap();
        assert!(is_held(dir.path(), session));
        drop(open);
        assert!(!is_held(dir.path(), session));
    }
}
