//! Choosing what to practise: the rotation over the bank ([`rotation`]), an interview plan read from
//! TOML ([`plan`]) and a job advert's pull on both ([`job`]). Each turns plain inputs (the bank, the
//! history's past answers, a file's text) into the ordered questions of one session, so the choice
//! can be tested without a microphone.

pub mod job;
pub mod plan;
pub mod rotation;
