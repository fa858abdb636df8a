//! Presentation helpers shared by commands: progress on stderr.

pub mod progress;
pub mod tui;
