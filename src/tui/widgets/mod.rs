//! Widgets shared by the screens.

pub mod fit;
pub mod help;
pub mod line_input;
pub mod list;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::theme::Theme;

pub use crate::text::sanitize;

/// The dates of a training as every screen writes them: `le 27/11/2026` for one day, else
/// `du 16/11/2026 au 17/11/2026`.
pub fn date_range(start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    if start == end {
        format!("le {}", start.format("%d/%m/%Y"))
    } else {
        format!(
            "du {} au {}",
            start.format("%d/%m/%Y"),
            end.format("%d/%m/%Y")
        )
    }
}

/// A SIRET as every screen writes it, `732 829 320 00074`: the SIREN in threes, then the NIC;
/// anything that is not 14 digits as it came (sanitised).
pub fn siret_grouped(siret: &str) -> String {
    let s = siret.trim();
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return sanitize(s);
    }
    format!("{} {} {} {}", &s[..3], &s[3..6], &s[6..9], &s[9..])
}

/// A centred message in the body (loading, empty, error states), wrapped at word boundaries so
/// that a long error keeps its end (what to do) on screen.
pub fn message(frame: &mut Frame<'_>, area: Rect, text: &str, style: ratatui::style::Style) {
    let lines = wrap(&sanitize(text), usize::from(area.width).max(1));
    let count = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let top = area.y + (area.height / 2).saturating_sub(count.saturating_sub(1) / 2);
    let height = count.min(area.bottom().saturating_sub(top));
    let lines: Vec<Line> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center),
        Rect {
            x: area.x,
            y: top,
            width: area.width,
            height,
        },
    );
}

/// Greedy word wrap to `width` characters; a word longer than a line stays whole (and is cut
/// when drawn).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The loading / error / empty state of a screen, drawn when there is nothing else to show.
/// Returns true when it drew something (the caller then stops).
pub fn state_message(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    loading: bool,
    error: Option<&str>,
    empty: Option<&str>,
) -> bool {
    if let Some(error) = error {
        message(
            frame,
            area,
            &format!("Erreur : {error} — r pour réessayer"),
            theme.error,
        );
        true
    } else if loading {
        message(frame, area, "Chargement…", theme.muted);
        true
    } else if let Some(empty) = empty {
        message(frame, area, empty, theme.muted);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_wrap_at_words_and_keep_their_end() {
        assert_eq!(
            wrap("Erreur : serveur injoignable — r pour réessayer", 20),
            ["Erreur : serveur", "injoignable — r pour", "réessayer"]
        );
        assert_eq!(wrap("Chargement…", 80), ["Chargement…"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn sirets_are_grouped_the_same_everywhere() {
        assert_eq!(siret_grouped("73282932000074"), "732 829 320 00074");
        assert_eq!(siret_grouped(" 73282932000074 "), "732 829 320 00074");
        assert_eq!(siret_grouped("7328293200007"), "7328293200007");
        assert_eq!(siret_grouped("ABC"), "ABC");
    }

    #[test]
    fn one_day_reads_le_and_a_range_du_au() {
        let d = |day| chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default();
        assert_eq!(date_range(d(27), d(27)), "le 27/11/2026");
        assert_eq!(date_range(d(16), d(17)), "du 16/11/2026 au 17/11/2026");
    }

    #[test]
    fn control_sequences_never_reach_the_terminal() {
        let hostile = "Du\u{1b}[2Jpont\u{7}\u{8}\r\u{202E}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(|c| c.is_control()));
        assert!(!clean.contains('\u{202E}'));
        assert!(clean.starts_with("Du\u{FFFD}[2Jpont"));
    }
}
