//! The shared real speech (`../shared/speech/`): its clips, reference transcripts and TextGrid word
//! timings, read in place (never copied into the repository).

use std::path::{Path, PathBuf};

/// One word of a TextGrid tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// One clip with its reference.
#[derive(Debug, Clone)]
pub struct Clip {
    pub name: String,
    pub wav: PathBuf,
    pub reference: String,
    /// Word intervals from the `words` tier, when the clip has a TextGrid.
    pub words: Option<Vec<Interval>>,
}

/// Every clip of the shared folder, sorted by name; `None` (with a notice) when the folder is absent.
pub fn clips() -> Option<Vec<Clip>> {
    let dir = crate::harness::shared_speech()?;
    let mut clips: Vec<Clip> = std::fs::read_dir(&dir)
        .expect("read shared speech")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .map(|wav| {
            let name = wav.file_stem().unwrap().to_string_lossy().into_owned();
            let reference =
                std::fs::read_to_string(wav.with_extension("txt")).expect("reference transcript");
            let grid = wav.with_extension("TextGrid");
            let words = grid.is_file().then(|| words_tier(&grid));
            Clip {
                name,
                wav,
                reference: reference.trim().to_string(),
                words,
            }
        })
        .collect();
    clips.sort_by(|a, b| a.name.cmp(&b.name));
    Some(clips)
}

/// The non-empty intervals of the first interval tier (the `words` tier) of a TextGrid, in Praat's
/// short format or its long `key = value` format (the values come in the same order in both).
pub fn words_tier(path: &Path) -> Vec<Interval> {
    let text = std::fs::read_to_string(path).expect("read TextGrid");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter_map(|line| match line.split_once(" = ") {
            Some((_, value)) => Some(value.trim()),
            None if line.ends_with(':') || line.contains("<exists>") => None,
            None => Some(line),
        })
        .collect();
    let tier = lines
        .iter()
        .position(|l| *l == "\"IntervalTier\"")
        .expect("an interval tier");
    // "IntervalTier", name, xmin, xmax, count, then (xmin, xmax, "text") triples.
    let count: usize = lines[tier + 4].parse().expect("interval count");
    let mut out = Vec::new();
    for i in 0..count {
        let at = tier + 5 + i * 3;
        let start: f64 = lines[at].parse().expect("xmin");
        let end: f64 = lines[at + 1].parse().expect("xmax");
        let label = lines[at + 2].trim_matches('"').to_string();
        if !label.is_empty() {
            out.push(Interval {
                start,
                end,
                text: label,
            });
        }
    }
    out
}
