//! Keeps ALSA's own error messages off the terminal.
//!
//! alsa-lib reports every problem it meets on stderr before returning an error code: with no sound
//! card, opening `default` prints sixteen lines such as
//! `ALSA lib confmisc.c:855:(parse_card) cannot find card '0'` ahead of rehearse's one-line "no
//! microphone found", and in the middle of the full-screen interface those lines scribble over it.
//! cpal turns the same failures into error codes, which [`classify`](super::classify) turns into a
//! sentence, so the printed lines add nothing a user can act on. [`silence`] installs a handler that
//! drops them; it runs once, at start-up, before the first cpal call.

/// Installs the silent handler (once per process; later calls do nothing).
pub fn silence() {
    #[cfg(any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd"
    ))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(ffi::install);
    }
}

/// The one ALSA call rehearse makes itself (cpal makes the others). cpal's ALSA backend, and so
/// libasound, is linked on exactly these systems.
#[cfg(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd"
))]
mod ffi {
    use std::ffi::{c_char, c_int};

    /// `snd_lib_error_handler_t` without its trailing `...`. The C type is variadic
    /// (`file, line, function, err, fmt, ...`), and stable Rust cannot define a variadic function;
    /// on the C ABIs of the systems above the fixed arguments of a variadic call are passed exactly
    /// as for a plain call, and this handler reads none of the variadic ones, so a handler with
    /// just the fixed five is what alsa-lib calls.
    type Handler = unsafe extern "C" fn(*const c_char, c_int, *const c_char, c_int, *const c_char);

    #[link(name = "asound")]
    unsafe extern "C" {
        /// Replaces alsa-lib's global error handler (`NULL` restores the default, which prints).
        fn snd_lib_error_set_handler(handler: Option<Handler>) -> c_int;
    }

    /// Drops the message.
    unsafe extern "C" fn ignore(
        _file: *const c_char,
        _line: c_int,
        _function: *const c_char,
        _err: c_int,
        _fmt: *const c_char,
    ) {
    }

    pub(super) fn install() {
        // SAFETY: `ignore` has the handler's fixed arguments (see `Handler`), never unwinds and
        // lives for the whole program; the call only stores the pointer in alsa-lib's global.
        unsafe {
            snd_lib_error_set_handler(Some(ignore));
        }
    }
}
