//! While the full screen is up, whatever anything writes to stderr (file descriptor 2) goes to a
//! temporary file instead of the terminal, and is printed once the screen is gone.
//!
//! rehearse itself draws on the screen, but native libraries write to descriptor 2 directly: the
//! ALSA plugins' sound-server clients (libpulse, libjack), a future whisper.cpp log line, anything
//! the silenced ALSA handler does not cover. On the alternate screen each such line scribbles over
//! the interface. Nothing is lost: the held text follows the session on the real stderr.
//!
//! Only when stderr is a terminal: a redirected stderr (a log file) is not drawn on, and keeps
//! receiving lines as they come.

use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Mutex;

/// At most this much held text is printed afterwards (the end of it): enough for any diagnosis.
const REPLAY_LIMIT: u64 = 64 * 1024;

/// The real stderr and the file standing in for it.
struct Held {
    saved: OwnedFd,
    file: File,
}

static HELD: Mutex<Option<Held>> = Mutex::new(None);

unsafe extern "C" {
    /// POSIX `dup2`, from the C library std already links (std has no safe way to replace a
    /// descriptor in place).
    fn dup2(old: std::ffi::c_int, new: std::ffi::c_int) -> std::ffi::c_int;
}

const STDERR: std::ffi::c_int = 2;

/// Points descriptor 2 at a temporary file when it is a terminal; does nothing if already held, or
/// when anything fails (the screen may then be scribbled on, but nothing is lost).
pub fn hold() {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_some() {
        return;
    }
    let Ok(file) = tempfile::tempfile() else {
        return;
    };
    let Ok(saved) = std::io::stderr().as_fd().try_clone_to_owned() else {
        return;
    };
    let _ = std::io::stderr().flush();
    // SAFETY: both descriptors are open and owned for the duration of the call; `dup2` only
    // replaces descriptor 2, which every writer uses by number, never by an owned handle.
    if unsafe { dup2(file.as_raw_fd(), STDERR) } < 0 {
        return;
    }
    *held = Some(Held { saved, file });
}

/// Gives descriptor 2 back to the real stderr and prints what was written meanwhile. Safe to call
/// from any thread, any number of times.
pub fn release() {
    let Some(Held { saved, mut file }) = HELD.lock().unwrap_or_else(|e| e.into_inner()).take()
    else {
        return;
    };
    let _ = std::io::stderr().flush();
    // SAFETY: as in `hold`; `saved` stays open until after the call.
    if unsafe { dup2(saved.as_raw_fd(), STDERR) } < 0 {
        return;
    }
    drop(saved);
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return;
    };
    let start = len.saturating_sub(REPLAY_LIMIT);
    let mut text = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_ok() && file.read_to_end(&mut text).is_ok() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&text);
        let _ = err.flush();
    }
}
