//! Themes: semantic styles for statuses, selection and errors. Dark and light palettes, and a
//! monochrome theme for `NO_COLOR` that still tells statuses apart (bold, reverse, underline, and a
//! text marker per status; reverse video only for the selection).

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
    /// The « BAC À SABLE » badge.
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
        match name {
            ThemeName::Dark => Self::dark(),
            ThemeName::Light => Self::light(),
        }
    }

    /// Light text on a dark terminal: palette colours, each at least 4.5:1 on black with the
    /// xterm default palette (WCAG 2.1 AA, tested below).
    fn dark() -> Self {
        Self {
            text: Style::new().fg(Color::Reset),
            muted: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            matched: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            badge: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            expired: Style::new().fg(Color::LightRed),
            expiring: Style::new().fg(Color::Yellow),
            valid: Style::new().fg(Color::Green),
            no_expiry: Style::new().fg(Color::DarkGray),
            monochrome: false,
        }
    }

    /// Dark text on a light terminal. Colours 16–255 of the 256-colour palette are the same in
    /// nearly every terminal (unlike 0–15, which themes redefine), so the light theme uses
    /// them: each at least 4.5:1 on white (WCAG 2.1 AA, tested below). Palette colour 7, the
    /// former secondary text, was 1.3:1.
    fn light() -> Self {
        /// #585858, 7.0:1 on white.
        const GREY: Color = Color::Indexed(240);
        /// #005faf, 6.4:1.
        const BLUE: Color = Color::Indexed(25);
        /// #870087, 8.9:1.
        const PURPLE: Color = Color::Indexed(90);
        /// #af0000, 7.4:1.
        const RED: Color = Color::Indexed(124);
        /// #af5f00, 4.7:1.
        const AMBER: Color = Color::Indexed(130);
        /// #008700, 4.7:1.
        const GREEN: Color = Color::Indexed(28);
        Self {
            text: Style::new().fg(Color::Reset),
            muted: Style::new().fg(GREY),
            title: Style::new().fg(BLUE).add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new().fg(RED).add_modifier(Modifier::BOLD),
            matched: Style::new().fg(PURPLE).add_modifier(Modifier::BOLD),
            badge: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            expired: Style::new().fg(RED),
            expiring: Style::new().fg(AMBER),
            valid: Style::new().fg(GREEN),
            no_expiry: Style::new().fg(GREY),
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
            // Reverse video is the selection's alone: an expired row reads by its « ✖ » and bold
            // underlined status, so the selection stays easy to find among expired rows.
            expired: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The RGB value of a colour in the xterm default palette (`None` for the terminal's
    /// default colour).
    fn rgb(color: Color) -> Option<(u8, u8, u8)> {
        const BASIC: [(u8, u8, u8); 16] = [
            (0, 0, 0),
            (205, 0, 0),
            (0, 205, 0),
            (205, 205, 0),
            (0, 0, 238),
            (205, 0, 205),
            (0, 205, 205),
            (229, 229, 229),
            (127, 127, 127),
            (255, 0, 0),
            (0, 255, 0),
            (255, 255, 0),
            (92, 92, 255),
            (255, 0, 255),
            (0, 255, 255),
            (255, 255, 255),
        ];
        let index = match color {
            Color::Reset => return None,
            Color::Rgb(r, g, b) => return Some((r, g, b)),
            Color::Black => 0,
            Color::Red => 1,
            Color::Green => 2,
            Color::Yellow => 3,
            Color::Blue => 4,
            Color::Magenta => 5,
            Color::Cyan => 6,
            Color::Gray => 7,
            Color::DarkGray => 8,
            Color::LightRed => 9,
            Color::LightGreen => 10,
            Color::LightYellow => 11,
            Color::LightBlue => 12,
            Color::LightMagenta => 13,
            Color::LightCyan => 14,
            Color::White => 15,
            Color::Indexed(n) => n,
        };
        Some(match index {
            0..=15 => BASIC[usize::from(index)],
            16..=231 => {
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                let n = index - 16;
                (level(n / 36), level(n / 6 % 6), level(n % 6))
            }
            _ => {
                let v = 8 + 10 * (index - 232);
                (v, v, v)
            }
        })
    }

    /// WCAG 2.1 relative luminance.
    fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// WCAG 2.1 contrast ratio.
    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// Every text style of `theme` against `background` (the terminal's default colours are
    /// `default_fg` on `background`): (name, ratio).
    fn ratios(
        theme: &Theme,
        background: (u8, u8, u8),
        default_fg: (u8, u8, u8),
    ) -> Vec<(&'static str, f64)> {
        let styles = [
            ("text", theme.text),
            ("muted", theme.muted),
            ("title", theme.title),
            ("error", theme.error),
            ("matched", theme.matched),
            ("badge", theme.badge),
            ("expired", theme.expired),
            ("expiring", theme.expiring),
            ("valid", theme.valid),
            ("no_expiry", theme.no_expiry),
        ];
        styles
            .into_iter()
            .map(|(name, style)| {
                let fg = style.fg.and_then(rgb).unwrap_or(default_fg);
                let bg = style.bg.and_then(rgb).unwrap_or(background);
                (name, contrast(fg, bg))
            })
            .collect()
    }

    #[test]
    fn the_contrast_formula_matches_known_values() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        // The review's measure: palette colour 7 on white is about 1.3:1.
        let grey = rgb(Color::Gray).unwrap_or_default();
        assert!((contrast(grey, (255, 255, 255)) - 1.26).abs() < 0.05);
        assert_eq!(rgb(Color::Indexed(240)), Some((88, 88, 88)));
        assert_eq!(rgb(Color::Indexed(25)), Some((0, 95, 175)));
    }

    #[test]
    fn light_theme_text_is_readable_on_white() {
        let white = (255, 255, 255);
        for (name, ratio) in ratios(&Theme::new(ThemeName::Light, false), white, (0, 0, 0)) {
            assert!(
                ratio >= 4.5,
                "light theme « {name} » : {ratio:.2}:1 sur blanc"
            );
        }
    }

    #[test]
    fn dark_theme_text_is_readable_on_black() {
        let black = (0, 0, 0);
        for (name, ratio) in ratios(&Theme::new(ThemeName::Dark, false), black, (229, 229, 229)) {
            assert!(
                ratio >= 4.5,
                "dark theme « {name} » : {ratio:.2}:1 sur noir"
            );
        }
    }

    #[test]
    fn without_colour_only_the_selection_is_in_reverse_video() {
        let theme = Theme::monochrome();
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
        for status in [
            ExpiryStatus::Expired,
            ExpiryStatus::Expiring,
            ExpiryStatus::Valid,
            ExpiryStatus::NoExpiry,
        ] {
            assert!(
                !theme
                    .status(status)
                    .add_modifier
                    .contains(Modifier::REVERSED),
                "{status:?}"
            );
        }
    }
}
