//! Integration tests: one binary that runs the real `rehearse` with a temporary `REHEARSE_HOME`, the
//! real Whisper model and sentence model, and (for audio) real cpal streams through virtual devices.
//!
//! Each area has its own module; `harness` holds the shared builder.

mod harness;
mod speech;
mod virtual_audio;

mod analyze;
mod audio;
mod bad_audio;
mod bank;
mod browser;
mod cli_basics;
mod content_checks;
mod damaged_model;
mod embed;
mod faults;
mod history;
mod how_it_sounded;
mod incremental;
mod job;
mod lead_in;
mod limits;
mod models;
mod pitch;
mod practice;
mod practice_sets;
mod recovery;
mod rotation;
mod signals;
mod tmux;
mod transcription;
mod voice;
