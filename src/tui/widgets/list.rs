//! Cursor movement over a list whose visible height is known only when drawing.

use std::cell::Cell;

use crate::tui::keymap::Command;

/// Selection and scroll offset of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor {
    selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl ListCursor {
    /// The selected row.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Selects a row, clamped to `len`.
    pub fn select(&mut self, row: usize, len: usize) {
        self.selected = row.min(len.saturating_sub(1));
    }

    /// Applies a movement command; returns true when it was one.
    pub fn apply(&mut self, command: Command, len: usize) -> bool {
        let page = self.page.get().max(1);
        let last = len.saturating_sub(1);
        self.selected = match command {
            Command::Up => self.selected.saturating_sub(1),
            Command::Down => (self.selected + 1).min(last),
            Command::PageUp => self.selected.saturating_sub(page),
            Command::PageDown => (self.selected + page).min(last),
            Command::Home => 0,
            Command::End => last,
            _ => return false,
        };
        true
    }

    /// Clicks on visible row `row` (0-based from the first data row).
    pub fn click(&mut self, row: usize, len: usize) {
        self.select(self.offset.get() + row, len);
    }

    /// The first visible row for a viewport of `height` rows, keeping the selection visible;
    /// remembers the height for PgUp/PgDn.
    pub fn viewport(&self, height: usize, len: usize) -> usize {
        self.page.set(height.max(1));
        let selected = self.selected.min(len.saturating_sub(1));
        let mut offset = self.offset.get().min(len.saturating_sub(height.max(1)));
        if selected < offset {
            offset = selected;
        } else if height > 0 && selected >= offset + height {
            offset = selected + 1 - height;
        }
        self.offset.set(offset);
        offset
    }
}

/// The next value of an optional filter cycling through `all`, then back to no filter.
pub fn cycle<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(value) => all
            .iter()
            .position(|x| *x == value)
            .and_then(|p| all.get(p + 1))
            .copied(),
    }
}

/// The header and column widths of a table.
#[derive(Debug, Clone)]
pub struct Columns<'a, 'w> {
    /// Column titles.
    pub header: ratatui::widgets::Row<'a>,
    /// Column widths.
    pub widths: &'w [ratatui::layout::Constraint],
}

/// Draws the rows of `items` that fit in `area` below the header, keeping the cursor's
/// selection visible, highlighted and marked `›` (readable without colour too).
pub fn render_table<'a, T>(
    frame: &mut ratatui::Frame<'_>,
    area: ratatui::layout::Rect,
    cursor: &ListCursor,
    items: &[T],
    columns: Columns<'a, '_>,
    theme: &crate::tui::theme::Theme,
    row: impl Fn(&T) -> ratatui::widgets::Row<'a>,
) {
    let height = usize::from(area.height.saturating_sub(1));
    let offset = cursor.viewport(height, items.len());
    let rows: Vec<_> = items.iter().skip(offset).take(height).map(row).collect();
    let table = ratatui::widgets::Table::new(rows, columns.widths.iter().copied())
        .header(columns.header.style(theme.title))
        .row_highlight_style(theme.selection)
        .highlight_symbol(super::fit::SELECTED)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = ratatui::widgets::TableState::default()
        .with_selected(Some(cursor.selected().saturating_sub(offset)));
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_cycle_through_every_value_then_none() {
        let all = [1, 2, 3];
        assert_eq!(cycle(None, &all), Some(1));
        assert_eq!(cycle(Some(1), &all), Some(2));
        assert_eq!(cycle(Some(3), &all), None);
        assert_eq!(cycle::<u8>(None, &[]), None);
    }

    #[test]
    fn moves_stay_in_bounds_and_selection_stays_visible() {
        let mut c = ListCursor::default();
        assert_eq!(c.viewport(5, 100), 0);
        c.apply(Command::PageDown, 100);
        assert_eq!(c.selected(), 5);
        assert_eq!(c.viewport(5, 100), 1);
        c.apply(Command::End, 100);
        assert_eq!(c.selected(), 99);
        assert_eq!(c.viewport(5, 100), 95);
        c.apply(Command::Down, 100);
        assert_eq!(c.selected(), 99);
        c.apply(Command::Home, 100);
        assert_eq!(c.viewport(5, 100), 0);
        c.apply(Command::Up, 0);
        assert_eq!(c.selected(), 0);
    }
}
