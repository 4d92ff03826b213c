//! The `?` help overlay, built from the keymap table (the same one that resolves keys).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::keymap::{Binding, Context, Keymap};
use crate::tui::theme::Theme;

/// Draws the help over `area`: one column when it fits, else two balanced ones; the way out
/// is in the border.
pub fn render(frame: &mut Frame<'_>, area: Rect, keymap: &Keymap, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(72);
    let height = area.height.saturating_sub(2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height,
    };
    let keys_width = keymap
        .bindings()
        .iter()
        .map(|b| keys(b).chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    let sections: Vec<Vec<Line>> = [
        Context::Global,
        Context::List,
        Context::Browse,
        Context::Detail,
        Context::Worker,
    ]
    .into_iter()
    .map(|context| {
        let mut lines = vec![Line::styled(context.label(), theme.title)];
        for binding in keymap.bindings().iter().filter(|b| b.context == context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<keys_width$}", keys(binding)), theme.matched),
                Span::styled(binding.description, theme.text),
            ]));
        }
        lines
    })
    .collect();
    let block = Block::bordered()
        .title(" Aide — raccourcis ")
        .title_bottom(Line::styled(" Échap ou ? pour fermer ", theme.muted));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);

    let total: usize = sections.iter().map(Vec::len).sum();
    if total <= usize::from(inner.height) {
        frame.render_widget(
            Paragraph::new(sections.concat()).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    // Two balanced columns; a section title never ends a column.
    let headers: Vec<usize> = sections
        .iter()
        .scan(0, |start, section| {
            let at = *start;
            *start += section.len();
            Some(at)
        })
        .collect();
    let mut lines: Vec<Line> = sections.into_iter().flatten().collect();
    let mut cut = total.div_ceil(2);
    if cut > 0 && headers.contains(&(cut - 1)) {
        cut -= 1;
    }
    let right = lines.split_off(cut.min(lines.len()));
    let left = lines;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(Paragraph::new(right), right_area);
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
