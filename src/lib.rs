//! rehearse: a voice-driven mock interview coach.
//!
//! The pipeline, one module per stage: audio in ([`audio`]), speech to text ([`transcribe`]), the
//! Whisper model files ([`model`]), sentence embeddings for the content checks ([`embed`]), the
//! interviewer's neural voice ([`tts`]), and the commands that tie them together ([`cli`]).

pub mod analysis;
pub mod audio;
pub mod cli;
pub mod config;
pub mod embed;
pub mod history;
pub mod interview;
pub mod limits;
pub mod model;
pub mod paths;
pub mod questions;
pub mod review;
pub mod selection;
pub mod transcribe;
pub mod transcript;
pub mod tts;
pub mod ui;

#[cfg(test)]
mod fuzz;
