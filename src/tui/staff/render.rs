//! Drawing a staff form: one line per field (label, value, the cursor in the focused one), its
//! error under it, the catalogue's matching types under a focused pick field, then the form's
//! state and its keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{FormState, Input, InputKind, StaffForm};
use crate::domain::ids::Nir;
use crate::tui::form::render::{truncate, wrap};
use crate::tui::theme::Theme;
use crate::tui::widgets::sanitize;

/// Columns of the label.
const LABEL_WIDTH: usize = 24;

/// Matching types listed under a focused pick field.
const HITS_SHOWN: usize = 5;

/// The keys of a form, said at its foot.
const KEYS: &str = "Tab ↓ ↑ champ · Entrée suivant (au dernier : enregistrer) · Ctrl-S enregistrer · \
                    Échap annuler";

/// A value as shown: the NIR masked once left (design.md §5), the text as typed otherwise.
fn shown(input: &Input, focused: bool) -> String {
    let text = input.value.text();
    match input.kind {
        InputKind::Nir if !focused => text.parse::<Nir>().map_or_else(
            |_| "•".repeat(text.chars().filter(|c| !c.is_whitespace()).count()),
            |nir| nir.masked(),
        ),
        _ => sanitize(text),
    }
}

fn field_line(input: &Input, focused: bool, width: usize, theme: &Theme) -> Line<'static> {
    let marker = match (focused, input.error.is_some()) {
        (true, _) => Span::styled("› ", theme.title),
        (false, true) => Span::styled("✖ ", theme.error),
        (false, false) => Span::raw("  "),
    };
    let label = format!(
        "{:<w$}",
        truncate(input.label, LABEL_WIDTH - 1),
        w = LABEL_WIDTH
    );
    let room = width.saturating_sub(LABEL_WIDTH + 3);
    let mut spans = vec![
        marker,
        Span::styled(label, if focused { theme.title } else { theme.text }),
    ];
    let text = input.value.text();
    if text.is_empty() && !focused {
        spans.push(Span::styled(truncate(input.placeholder, room), theme.muted));
    } else if focused {
        let (before, after) = input.value.split();
        let before = sanitize(before);
        // Keep the cursor in view: the end of a long text.
        let skip = before
            .chars()
            .count()
            .saturating_sub(room.saturating_sub(1));
        spans.push(Span::styled(
            before.chars().skip(skip).collect::<String>(),
            theme.text,
        ));
        spans.push(Span::styled("▏", theme.title));
        spans.push(Span::styled(truncate(&sanitize(after), room), theme.text));
        if text.is_empty() {
            spans.push(Span::styled(truncate(input.placeholder, room), theme.muted));
        }
    } else {
        spans.push(Span::styled(
            truncate(&shown(input, focused), room),
            theme.text,
        ));
    }
    Line::from(spans)
}

/// Draws the form over `area`.
pub fn render(form: &StaffForm, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(format!(" {} ", form.title), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 30 {
        return;
    }
    let width = usize::from(inner.width);
    let (status, status_style) = match &form.state {
        _ if form.confirm_cancel => ("Abandonner la saisie ? (o/n)".to_owned(), theme.expiring),
        FormState::Editing => (String::new(), theme.muted),
        FormState::Sending(_) => ("Enregistrement…".to_owned(), theme.muted),
        FormState::Failed(message) => (sanitize(message), theme.error),
        FormState::Duplicate { message, worker } => (
            match worker {
                Some(_) => format!("{} — Ctrl-O ouvre ce salarié", sanitize(message)),
                None => sanitize(message),
            },
            theme.error,
        ),
    };
    let status_lines: Vec<String> = wrap(&status, width).into_iter().take(3).collect();
    let keys: Vec<String> = wrap(KEYS, width).into_iter().take(2).collect();
    let [body, status_area, keys_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(status_lines.len() as u16),
        Constraint::Length(keys.len() as u16),
    ])
    .areas(inner);
    // Every row with the field it belongs to, to keep the focused one in view.
    let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    if let Some(note) = form.note {
        for part in wrap(note, width) {
            rows.push((Line::styled(part, theme.muted), None));
        }
    }
    for (index, input) in form.inputs.iter().enumerate() {
        let focused = index == form.focus;
        rows.push((field_line(input, focused, width, theme), Some(index)));
        if let Some(error) = &input.error {
            for part in wrap(&sanitize(error), width.saturating_sub(6)) {
                rows.push((
                    Line::styled(format!("    ✖ {part}"), theme.error),
                    Some(index),
                ));
            }
        }
        if focused && input.kind == InputKind::Pick {
            let first = form.hit.saturating_sub(HITS_SHOWN - 1);
            for (n, &choice) in form.hits.iter().enumerate().skip(first).take(HITS_SHOWN) {
                let Some(choice) = form.choices.get(choice) else {
                    continue;
                };
                let text = truncate(
                    &format!("{} · {}", sanitize(&choice.label), sanitize(&choice.code)),
                    width.saturating_sub(LABEL_WIDTH + 3),
                );
                let style = if n == form.hit {
                    theme.selection
                } else {
                    theme.muted
                };
                rows.push((
                    Line::from(vec![
                        Span::raw(" ".repeat(LABEL_WIDTH + 2)),
                        Span::styled(text, style),
                    ]),
                    Some(index),
                ));
            }
            if form.hits.is_empty() {
                let none = if form.choices.is_empty() {
                    "chargement du catalogue…"
                } else {
                    "aucun type ne correspond"
                };
                rows.push((
                    Line::from(vec![
                        Span::raw(" ".repeat(LABEL_WIDTH + 2)),
                        Span::styled(none, theme.muted),
                    ]),
                    Some(index),
                ));
            }
        }
    }
    let height = usize::from(body.height);
    let last = rows
        .iter()
        .rposition(|(_, f)| *f == Some(form.focus))
        .unwrap_or(0);
    let offset = (last + 1).saturating_sub(height);
    let visible: Vec<Line> = rows
        .into_iter()
        .skip(offset)
        .take(height)
        .map(|(line, _)| line)
        .collect();
    frame.render_widget(Paragraph::new(visible), body);
    frame.render_widget(
        Paragraph::new(
            status_lines
                .into_iter()
                .map(|l| Line::styled(l, status_style))
                .collect::<Vec<_>>(),
        ),
        status_area,
    );
    frame.render_widget(
        Paragraph::new(
            keys.into_iter()
                .map(|l| Line::styled(l, theme.muted))
                .collect::<Vec<_>>(),
        ),
        keys_area,
    );
}

/// Draws a one-question box at the bottom of `area`: the question, an optional answer being
/// typed (with its cursor), an error, and the keys.
pub fn question(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    lines: &[(String, bool)],
    keys: &str,
) {
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut text: Vec<Line> = Vec::new();
    for (line, error) in lines {
        for part in wrap(line, width) {
            text.push(Line::styled(
                part,
                if *error { theme.error } else { theme.text },
            ));
        }
    }
    for part in wrap(keys, width) {
        text.push(Line::styled(part, theme.muted));
    }
    let height = (text.len() as u16 + 2).min(area.height);
    let rect = Rect {
        y: area.y + area.height - height,
        height,
        ..area
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(text).block(Block::bordered()), rect);
}
