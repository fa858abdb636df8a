//! Presentation helpers shared by commands: progress on stderr, user text made safe for a terminal.

pub mod progress;
pub mod text;
pub mod tui;
