//! User text made safe for a terminal. A transcript, a `--text` file, a question file or a stored
//! report may hold control characters (an escape sequence that moves the cursor, retitles the
//! window or clears the screen, a carriage return that hides what came before, a bell). Every
//! terminal output of such text passes through [`printable`], which shows them as visible escapes
//! (`\u{1b}`) instead. Colour (SGR: `ESC [ digits ; ... m`), which rehearse's own styles write, is
//! kept: it cannot move the cursor or change the terminal.

use std::borrow::Cow;

/// `text` with every control character but newline and tab written as a visible `\u{..}` escape,
/// keeping colour sequences (SGR) whole.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// `text` with every control character but newline and tab written as a visible `\u{..}` escape,
/// colour sequences included: for the full screen, which draws its own colours, so no escape
/// sequence from user text may reach its cells.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A control character other than newline and tab (C0, DEL and C1).
fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The length of a colour sequence at the start of `text` (`ESC [` digits and `;`, then `m`).
fn sgr_len(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_and_colour_stays() {
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            printable("a\u{1b}]0;pwned\u{7}b\rc\u{8}"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}c\\u{8}"
        );
        assert_eq!(printable("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(
            printable("\u{1b}[1;31mred\u{1b}[0m"),
            "\u{1b}[1;31mred\u{1b}[0m"
        );
        assert_eq!(printable("c1 \u{9b}"), "c1 \\u{9b}");
    }

    #[test]
    fn the_full_screen_gets_no_escape_sequence_not_even_colour() {
        assert_eq!(visible("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(visible("\u{1b}[1;31mred"), "\\u{1b}[1;31mred");
        assert_eq!(visible("a\rb"), "a\\u{d}b");
    }
}
