//! Test-only strategies for fuzzing the text parsers (question TOML, `config.toml`, stored JSON
//! reports): a valid document with random characters deleted, inserted or replaced, so the cases
//! stay near the grammar instead of failing on the first byte.

use proptest::prelude::*;

/// Characters that matter to TOML and JSON, and some that matter to neither.
const NOISE: &[char] = &[
    '"', '\'', '[', ']', '{', '}', '=', ',', ':', '.', '-', '#', '\n', '\\', '0', '9', 'e', 'x',
    ' ', 'é', '\u{0}', '\u{FEFF}', '🙂',
];

/// `text` with up to `max_edits` random edits.
pub fn mutated(text: &'static str, max_edits: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (any::<usize>(), 0u8..3, proptest::sample::select(NOISE)),
        0..=max_edits,
    )
    .prop_map(move |edits| {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, kind, c) in edits {
            let at = at % (chars.len() + 1);
            match kind {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => chars.insert(at, c),
                _ if at < chars.len() => chars[at] = c,
                _ => chars.push(c),
            }
        }
        chars.into_iter().collect()
    })
}
