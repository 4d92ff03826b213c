//! `passeport`: the terminal application for the French *Passeport de prévention*.
//!
//! Modules by domain concept: [`domain`] (pure types, validation, expiry and deadline maths),
//! [`simulator`] (the data-driven decision tree), [`rules`] (loading the rules files of `assets/`).

#![warn(missing_docs)]

pub mod api;
pub mod bulk;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod drafts;
pub mod formula;
pub mod import;
pub mod io_error;
pub mod json;
pub mod paths;
pub mod reminders;
pub mod rules;
pub mod search;
pub mod server;
pub mod simulator;
pub mod text;
pub mod tui;
