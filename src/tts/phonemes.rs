//! Text to phonemes for the neural voice: espeak-ng's library (`libespeak-ng.so.1`, loaded at run time)
//! turns each clause into IPA, the way Piper's voices were trained.
//!
//! The text is cut here into sentences (at `.`, `?`, `!`) and each sentence into clauses (at `,`, `;`,
//! `:`); each clause is phonemized on its own and its punctuation appended as Piper's phonemizer does
//! (the mark itself, and a space after a comma, colon or semicolon), so a sentence is one list of
//! phoneme characters ready for [`super::piper::PhonemeIds`]. Loading the library at run time keeps the
//! build free of espeak-ng's headers; the library ships with the `espeak-ng` package setup installs.
//! espeak-ng keeps global state, so every call goes through one lock.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::{Mutex, OnceLock};

/// The library's name (the `libespeak-ng1` Debian package).
const LIBRARY: &str = "libespeak-ng.so.1";
/// `AUDIO_OUTPUT_SYNCHRONOUS`: no sound device is opened.
const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_DONT_EXIT`: report errors instead of exiting the process.
const INITIALIZE_DONT_EXIT: c_int = 0x8000;
/// `espeakCHARS_UTF8`.
const CHARS_UTF8: c_int = 1;
/// Phoneme mode bit 1: IPA output.
const PHONEMES_IPA: c_int = 0x02;

type TextToPhonemes = unsafe extern "C" fn(*mut *const c_void, c_int, c_int) -> *const c_char;

/// The loaded library and the voice it is set to.
struct Espeak {
    // Kept alive for the functions below.
    _library: libloading::Library,
    text_to_phonemes: TextToPhonemes,
}

// The library is only called under `ESPEAK`'s lock.
unsafe impl Send for Espeak {}

static ESPEAK: OnceLock<Mutex<Result<Espeak, String>>> = OnceLock::new();

/// Why phonemes could not be made.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PhonemeError(String);

fn load(voice: &str) -> Result<Espeak, String> {
    // SAFETY: loading a system library whose initialisers are plain C.
    let library = unsafe { libloading::Library::new(LIBRARY) }.map_err(|err| {
        format!("cannot load espeak-ng's library `{LIBRARY}` ({err}); install espeak-ng (`sudo apt install espeak-ng`)")
    })?;
    // SAFETY: the signatures match espeak-ng's `speak_lib.h`.
    unsafe {
        let initialize: libloading::Symbol<
            unsafe extern "C" fn(c_int, c_int, *const c_char, c_int) -> c_int,
        > = library
            .get(b"espeak_Initialize\0")
            .map_err(|e| e.to_string())?;
        let set_voice: libloading::Symbol<unsafe extern "C" fn(*const c_char) -> c_int> = library
            .get(b"espeak_SetVoiceByName\0")
            .map_err(|e| e.to_string())?;
        let text_to_phonemes: TextToPhonemes = *library
            .get::<TextToPhonemes>(b"espeak_TextToPhonemes\0")
            .map_err(|e| e.to_string())?;
        if initialize(
            AUDIO_OUTPUT_SYNCHRONOUS,
            0,
            std::ptr::null(),
            INITIALIZE_DONT_EXIT,
        ) < 0
        {
            return Err("espeak-ng's library could not start (its data folder may be missing); reinstall espeak-ng".into());
        }
        let name = CString::new(voice).map_err(|e| e.to_string())?;
        if set_voice(name.as_ptr()) != 0 {
            return Err(format!(
                "espeak-ng has no voice `{voice}` for the phonemes; reinstall espeak-ng"
            ));
        }
        Ok(Espeak {
            _library: library,
            text_to_phonemes,
        })
    }
}

/// Loads espeak-ng's library now (it is loaded once per process, with the voice's espeak-ng voice).
pub fn ensure_loaded(espeak_voice: &str) -> Result<(), PhonemeError> {
    let lock = ESPEAK.get_or_init(|| Mutex::new(load(espeak_voice)));
    match &*lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Ok(_) => Ok(()),
        Err(err) => Err(PhonemeError(err.clone())),
    }
}

/// One clause's IPA from the library (espeak-ng may cut it further; those parts are joined by a
/// space).
fn clause_ipa(espeak: &Espeak, clause: &str) -> Result<String, PhonemeError> {
    let text = CString::new(clause).map_err(|e| PhonemeError(e.to_string()))?;
    let mut pointer: *const c_void = text.as_ptr().cast();
    let mut parts = Vec::new();
    while !pointer.is_null() {
        // SAFETY: `pointer` points into `text` (NUL-terminated) or is advanced by the library within
        // it, and set to null at the end; the result is a NUL-terminated string owned by the library,
        // copied before the next call.
        let out = unsafe { (espeak.text_to_phonemes)(&mut pointer, CHARS_UTF8, PHONEMES_IPA) };
        if out.is_null() {
            break;
        }
        let part = unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .trim()
            .to_string();
        if !part.is_empty() {
            parts.push(part);
        }
    }
    Ok(parts.join(" "))
}

/// Drops espeak-ng's language-switch marks, e.g. `(fr)` around a foreign word, as Piper does.
fn without_language_flags(ipa: &str) -> String {
    let mut out = String::with_capacity(ipa.len());
    let mut inside = false;
    for c in ipa.chars() {
        match (inside, c) {
            (false, '(') => inside = true,
            (true, ')') => inside = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

/// A piece of text with the mark that ends it (`None` at the very end without one).
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The words.
    pub text: String,
    /// `.`, `?`, `!`, `,`, `;` or `:`.
    pub mark: Option<char>,
}

/// Cuts text into sentences, each a list of clauses. A mark counts only before a space or the end,
/// so "3.5" and "e.g." inside a word stay whole.
pub fn sentences(text: &str) -> Vec<Vec<Clause>> {
    let mut out: Vec<Vec<Clause>> = Vec::new();
    let mut sentence: Vec<Clause> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let at_break = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let mark = matches!(c, '.' | '?' | '!' | ',' | ';' | ':') && at_break;
        if !mark {
            current.push(c);
            continue;
        }
        let words = current.trim().to_string();
        current.clear();
        if words.is_empty() {
            // "?!" or "...": the mark joins the clause before it.
            continue;
        }
        sentence.push(Clause {
            text: words,
            mark: Some(c),
        });
        if matches!(c, '.' | '?' | '!') {
            out.push(std::mem::take(&mut sentence));
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        sentence.push(Clause {
            text: rest.to_string(),
            mark: None,
        });
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
    out
}

/// One sentence's phonemes: each clause's IPA, its mark, and a space after `,`, `;` and `:`.
pub fn phonemize(sentence: &[Clause]) -> Result<Vec<char>, PhonemeError> {
    let lock = ESPEAK
        .get()
        .ok_or_else(|| PhonemeError("espeak-ng's library is not loaded".into()))?;
    let guard = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let espeak = guard.as_ref().map_err(|e| PhonemeError(e.clone()))?;
    let mut phonemes = Vec::new();
    for clause in sentence {
        let ipa = without_language_flags(&clause_ipa(espeak, &clause.text)?);
        phonemes.extend(ipa.chars());
        if let Some(mark) = clause.mark {
            phonemes.push(mark);
            if matches!(mark, ',' | ';' | ':') {
                phonemes.push(' ');
            }
        }
    }
    Ok(phonemes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(text: &str, mark: Option<char>) -> Clause {
        Clause {
            text: text.into(),
            mark,
        }
    }

    #[test]
    fn text_is_cut_into_sentences_and_clauses() {
        let got =
            sentences("Have you ever failed? Tell me, briefly: what happened... It cost 3.5 days");
        assert_eq!(
            got,
            vec![
                vec![clause("Have you ever failed", Some('?'))],
                vec![
                    clause("Tell me", Some(',')),
                    clause("briefly", Some(':')),
                    clause("what happened..", Some('.')),
                ],
                vec![clause("It cost 3.5 days", None)],
            ]
        );
        assert!(sentences("   ").is_empty());
    }

    #[test]
    fn language_flags_are_dropped() {
        assert_eq!(without_language_flags("ə (fr)kafe(en) ɪz"), "ə kafe ɪz");
    }

    #[test]
    fn the_library_gives_ipa_with_marks() {
        ensure_loaded("en-us").expect("espeak-ng's library must be installed (setup installs it)");
        let got: String = phonemize(&[clause("Tell me", Some(',')), clause("why", Some('?'))])
            .unwrap()
            .into_iter()
            .collect();
        // espeak-ng 1.51 writes "tˈɛl mˌiː" and "wˈaɪ"; the marks come from the text.
        assert!(got.starts_with("tˈɛl m"), "{got}");
        assert!(got.contains(", "), "{got}");
        assert!(got.ends_with('?'), "{got}");
    }
}
