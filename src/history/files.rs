//! Private files and folders: the data folder and recording folders are 0700, files 0600.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::HistoryError;

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> HistoryError {
    let path = path.to_path_buf();
    move |source| match source.kind() {
        io::ErrorKind::ReadOnlyFilesystem => HistoryError::ReadOnly,
        io::ErrorKind::StorageFull => HistoryError::DiskFull,
        _ => HistoryError::Io {
            action,
            path,
            source,
        },
    }
}

/// Creates `dir` (and missing parents) with mode 0700. A folder rehearse creates is made private
/// even when the umask is looser; an existing folder is tightened to 0700 too.
pub(crate) fn private_dir(dir: &Path, action: &'static str) -> Result<(), HistoryError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_error(action, dir))?;
    let mode = fs::metadata(dir)
        .map_err(io_error(action, dir))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(io_error(action, dir))?;
    }
    Ok(())
}

/// Creates `path` if it is missing, mode 0600, and tightens it to 0600 if it exists.
pub(crate) fn private_file(path: &Path, action: &'static str) -> Result<(), HistoryError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(action, path))?;
    tighten(path, action)
}

/// Creates `path` only if it does not exist yet (mode 0600). `Ok(false)` when it exists.
pub(crate) fn new_private_file(path: &Path, action: &'static str) -> Result<bool, HistoryError> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => tighten(path, action).map(|()| true),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(io_error(action, path)(err)),
    }
}

/// Sets an existing file to 0600 (a no-op when it already is).
pub(crate) fn tighten(path: &Path, action: &'static str) -> Result<(), HistoryError> {
    let mode = fs::metadata(path)
        .map_err(io_error(action, path))?
        .permissions()
        .mode();
    if mode & 0o177 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(io_error(action, path))?;
    }
    Ok(())
}
