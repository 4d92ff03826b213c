//! `passeport`: the terminal application for the French *Passeport de prévention*.
//!
//! Modules by domain concept: [`domain`] (pure types, validation, expiry and deadline maths),
//! [`simulator`] (the data-driven decision tree), [`rules`] (loading the rules files of `assets/`).

pub mod clock;
pub mod domain;
pub mod paths;
pub mod rules;
pub mod simulator;
