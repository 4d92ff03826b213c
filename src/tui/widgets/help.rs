//! The `?` help overlay: every binding of the keymap table (the same one that resolves keys),
//! then the keys of the Simulateur, of the declaration form and of every text field. One column,
//! or two when the width allows; when it does not fit, it scrolls (↑↓, PgUp PgDn, Début Fin) and
//! says so. A column that starts inside a section repeats the section's title.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::keymap::{Binding, Context, Keymap};
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::EDITING_KEYS;

/// The Simulateur's own keys (its answers are not keymap commands: they never change screens).
const SIMULATOR_KEYS: &[(&str, &str)] = &[
    ("↑ ↓", "choisir une réponse"),
    ("Entrée", "valider la réponse choisie ; au résultat, saisir"),
    ("Échap, Retour", "question précédente, sa réponse gardée"),
    ("b", "brouillons en cours (première question)"),
    ("x, Suppr", "supprimer le brouillon choisi"),
];

/// The declaration form's keys.
const FORM_KEYS: &[(&str, &str)] = &[
    ("Tab, ↓, Entrée", "champ suivant"),
    ("Maj-Tab, ↑", "champ précédent"),
    ("← → Espace", "changer un choix"),
    ("PgDn, PgUp", "étape suivante, précédente"),
    ("a / x", "titulaire : ajouter, chercher, retirer"),
    ("Ctrl-S", "vérifier, puis envoyer"),
    ("r", "renvoyer après une coupure (même clé)"),
    ("Échap", "quitter le champ ; deux fois : fermer"),
    ("F1 … F6", "changer d'écran, formulaire gardé"),
];

/// One row of the help.
#[derive(Debug, Clone)]
enum Row {
    /// A section title.
    Heading(&'static str),
    /// Keys and what they do, in the section of the given title.
    Entry {
        section: &'static str,
        keys: String,
        description: &'static str,
    },
}

impl Row {
    fn section(&self) -> &'static str {
        match self {
            Self::Heading(title) => title,
            Self::Entry { section, .. } => section,
        }
    }
}

/// Every row of the help, in order.
fn rows(keymap: &Keymap) -> Vec<Row> {
    let mut rows = Vec::new();
    for context in [
        Context::Global,
        Context::List,
        Context::Browse,
        Context::Detail,
        Context::Worker,
        Context::Search,
        Context::Sessions,
        Context::Session,
        Context::Verify,
        Context::Journal,
    ] {
        let section = context.label();
        let bindings: Vec<&Binding> = keymap
            .bindings()
            .iter()
            .filter(|b| b.context == context)
            .collect();
        // A section the role leaves empty is not shown.
        if bindings.is_empty() {
            continue;
        }
        rows.push(Row::Heading(section));
        for binding in bindings {
            rows.push(Row::Entry {
                section,
                keys: keys(binding),
                description: binding.description,
            });
        }
    }
    for (section, entries) in [
        ("Simulateur", SIMULATOR_KEYS),
        ("Formulaire de déclaration", FORM_KEYS),
        (
            "Fiche salarié, formation, session",
            crate::tui::staff::FORM_KEYS,
        ),
        (
            "Inscription à une session",
            crate::tui::screens::sessions::picker::HELP_KEYS,
        ),
        ("Dans un champ de texte", EDITING_KEYS),
    ] {
        rows.push(Row::Heading(section));
        for &(keys, description) in entries {
            rows.push(Row::Entry {
                section,
                keys: keys.to_owned(),
                description,
            });
        }
    }
    rows
}

/// Where the overlay goes in `area`, and its inner area.
fn popup(area: Rect) -> (Rect, Rect) {
    let width = area.width.saturating_sub(4).min(96);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height: area.height.saturating_sub(2),
    };
    (popup, Block::bordered().inner(popup))
}

/// Width of the keys column.
fn keys_width(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| match r {
            Row::Entry { keys, .. } => keys.chars().count(),
            Row::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        + 1
}

/// Two columns when each can show its keys and 26 characters of description.
fn columns(inner: Rect, keys_width: usize) -> usize {
    if usize::from(inner.width) >= 2 * (keys_width + 2 + 26) {
        2
    } else {
        1
    }
}

/// The rows of a column of `height` starting at row `start`: the section's title first when
/// the column starts inside a section, and never a title alone at the bottom. Returns the rows
/// and where the next column starts.
fn column(rows: &[Row], start: usize, height: usize) -> (Vec<Row>, usize) {
    let mut out = Vec::new();
    let mut at = start;
    if let Some(row @ Row::Entry { .. }) = rows.get(start)
        && height > 1
    {
        out.push(Row::Heading(row.section()));
    }
    while out.len() < height && at < rows.len() {
        out.push(rows[at].clone());
        at += 1;
    }
    if matches!(out.last(), Some(Row::Heading(_))) && at < rows.len() && out.len() > 1 {
        out.pop();
        at -= 1;
    }
    (out, at)
}

/// Lays the rows out from `offset`: the columns shown, and whether rows remain below.
fn layout(rows: &[Row], offset: usize, columns: usize, height: usize) -> (Vec<Vec<Row>>, bool) {
    let mut shown = Vec::new();
    let mut at = offset.min(rows.len());
    for _ in 0..columns {
        let (column, next) = column(rows, at, height);
        shown.push(column);
        at = next;
    }
    (shown, at < rows.len())
}

/// The largest useful scroll offset for the help drawn over `area`: past it, nothing new shows.
pub fn max_scroll(area: Rect, keymap: &Keymap) -> u16 {
    let rows = rows(keymap);
    let (_, inner) = popup(area);
    let columns = columns(inner, keys_width(&rows));
    let height = usize::from(inner.height);
    let mut offset = 0;
    while offset < rows.len() && layout(&rows, offset, columns, height).1 {
        offset += 1;
    }
    u16::try_from(offset).unwrap_or(u16::MAX)
}

/// Draws the help over `area`, scrolled by `scroll` rows; the way out and the way to scroll are
/// in the border.
pub fn render(frame: &mut Frame<'_>, area: Rect, keymap: &Keymap, theme: &Theme, scroll: u16) {
    let rows = rows(keymap);
    let (popup, inner) = popup(area);
    let keys_width = keys_width(&rows);
    let columns = columns(inner, keys_width);
    let height = usize::from(inner.height);
    let (shown, more) = layout(&rows, usize::from(scroll), columns, height);
    let scrolls = more || scroll > 0;
    let bottom = if scrolls {
        let arrow = match (scroll > 0, more) {
            (true, true) => "↑↓",
            (false, _) => "↓",
            (true, false) => "↑",
        };
        format!(" {arrow} défiler · Échap ou ? pour fermer ")
    } else {
        " Échap ou ? pour fermer ".to_owned()
    };
    let block = Block::bordered()
        .title(" Aide — raccourcis ")
        .title_bottom(Line::styled(bottom, theme.muted));
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let areas = Layout::horizontal(vec![Constraint::Fill(1); columns]).split(inner);
    for (column, area) in shown.into_iter().zip(areas.iter()) {
        let lines: Vec<Line> = column
            .into_iter()
            .map(|row| match row {
                Row::Heading(title) => Line::styled(title, theme.title),
                Row::Entry {
                    keys, description, ..
                } => Line::from(vec![
                    Span::styled(format!("  {keys:<keys_width$}"), theme.matched),
                    Span::styled(description, theme.text),
                ]),
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), *area);
    }
}

/// The keys of a binding, as shown: `q, Ctrl-c`.
fn keys(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_never_starts_without_its_title_nor_ends_on_one() {
        let rows = rows(&Keymap::default());
        for height in 3..30 {
            let mut at = 0;
            while at < rows.len() {
                let (column, next) = column(&rows, at, height);
                assert!(matches!(column.first(), Some(Row::Heading(_))), "{height}");
                assert!(
                    next == rows.len() || !matches!(column.last(), Some(Row::Heading(_))),
                    "{height}"
                );
                assert!(next > at, "progress at height {height}");
                at = next;
            }
        }
    }

    #[test]
    fn scrolling_reaches_the_last_row() {
        let keymap = Keymap::default();
        let rows = rows(&keymap);
        for (width, height) in [(60, 20), (80, 24), (200, 60)] {
            let area = Rect::new(0, 0, width, height);
            let max = max_scroll(area, &keymap);
            let (_, inner) = popup(area);
            let columns = columns(inner, keys_width(&rows));
            let (_, more) = layout(&rows, usize::from(max), columns, usize::from(inner.height));
            assert!(!more, "{width}×{height}: all shown at the end");
        }
        assert_eq!(max_scroll(Rect::new(0, 0, 200, 60), &keymap), 0, "fits");
    }
}
