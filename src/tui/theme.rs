//! Themes: semantic styles for statuses, selection and errors. Dark and light palettes, and a
//! monochrome theme for `NO_COLOR` that still tells statuses apart (bold, reverse, underline, and a
//! text marker per status).

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Serialize};

use crate::domain::expiry::ExpiryStatus;

/// The palette a user picks in the configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// Light text on a dark terminal.
    #[default]
    Dark,
    /// Dark text on a light terminal.
    Light,
}

/// Semantic styles used by every screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Plain text.
    pub text: Style,
    /// Secondary text (hints, help, dates of little weight).
    pub muted: Style,
    /// Titles and headers.
    pub title: Style,
    /// The selected row.
    pub selection: Style,
    /// Error messages and overdue deadlines.
    pub error: Style,
    /// Characters matched by the search.
    pub matched: Style,
    /// The `SANDBOX` badge.
    pub badge: Style,
    /// Expired trainings.
    pub expired: Style,
    /// Trainings expiring within the threshold.
    pub expiring: Style,
    /// Valid trainings.
    pub valid: Style,
    /// Trainings without expiry.
    pub no_expiry: Style,
    /// True for the monochrome theme: screens add a text marker per status.
    pub monochrome: bool,
}

impl Theme {
    /// The theme for a palette, or the monochrome one when `no_color` is set.
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            return Self::monochrome();
        }
        let (fg, muted, accent) = match name {
            ThemeName::Dark => (Color::Reset, Color::DarkGray, Color::Cyan),
            ThemeName::Light => (Color::Reset, Color::Gray, Color::Blue),
        };
        Self {
            text: Style::new().fg(fg),
            muted: Style::new().fg(muted),
            title: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            matched: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            badge: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            expired: Style::new().fg(Color::Red),
            expiring: Style::new().fg(match name {
                ThemeName::Dark => Color::Yellow,
                ThemeName::Light => Color::Magenta,
            }),
            valid: Style::new().fg(Color::Green),
            no_expiry: Style::new().fg(muted),
            monochrome: false,
        }
    }

    /// No colours at all: modifiers only.
    pub fn monochrome() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new().add_modifier(Modifier::DIM),
            title: Style::new().add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            matched: Style::new().add_modifier(Modifier::UNDERLINED),
            badge: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            expired: Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            expiring: Style::new().add_modifier(Modifier::BOLD),
            valid: Style::new(),
            no_expiry: Style::new().add_modifier(Modifier::DIM),
            monochrome: true,
        }
    }

    /// The style of an expiry status.
    pub fn status(&self, status: ExpiryStatus) -> Style {
        match status {
            ExpiryStatus::Expired => self.expired,
            ExpiryStatus::Expiring => self.expiring,
            ExpiryStatus::Valid => self.valid,
            ExpiryStatus::NoExpiry => self.no_expiry,
        }
    }

    /// A short text marker per status, so statuses read without colour too.
    pub fn marker(status: ExpiryStatus) -> &'static str {
        match status {
            ExpiryStatus::Expired => "✖",
            ExpiryStatus::Expiring => "!",
            ExpiryStatus::Valid => "✔",
            ExpiryStatus::NoExpiry => "–",
        }
    }
}
