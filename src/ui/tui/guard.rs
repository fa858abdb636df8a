//! Puts the terminal into full-screen raw mode and gets it back on every way out: the guard's
//! `Drop` (normal return, `?` errors, unwinding), a panic hook (before the panic message prints),
//! and [`restore_terminal`] for paths that exit the process directly (a second Ctrl-C).
//!
//! While the screen is up, stderr is held ([`held_stderr`](super::held_stderr)) so native libraries
//! cannot write over it; what they wrote is printed after the screen is restored.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::{cursor, execute, terminal};

/// Whether the terminal is currently in full-screen raw mode.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Full-screen raw mode for as long as it lives.
pub struct TerminalGuard(());

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (and installs the panic hook once).
    pub fn enter() -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard(());
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )?;
        super::held_stderr::hold();
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leaves raw mode and the alternate screen if they are on; safe to call from any thread, any
/// number of times.
pub fn restore_terminal() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut stdout = std::io::stdout();
        let _ = execute!(stdout, terminal::LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
        let _ = stdout.flush();
    }
    // After the screen is gone, so what was held prints on the normal one (and before a panic
    // message, which the hook prints next).
    super::held_stderr::release();
}

/// Restores the terminal before any panic message is printed (once per process).
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restoring_when_not_active_does_nothing_and_is_repeatable() {
        restore_terminal();
        restore_terminal();
        assert!(!ACTIVE.load(Ordering::SeqCst));
    }
}
