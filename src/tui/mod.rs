//! The terminal application: state, actions, screens, widgets and the event loop.

pub mod action;
pub mod app;
pub mod form;
pub mod keymap;
pub mod remote;
pub mod rights;
pub mod run;
pub mod screens;
pub mod staff;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod widgets;
