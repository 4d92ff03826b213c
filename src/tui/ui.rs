//! Drawing the frame: header with the screen tabs, the account and the `SANDBOX` badge; the
//! current screen; footer hints from the keymap; the status line; the help overlay.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use super::keymap::{Command, Context};
use super::screens::ScreenId;
use super::widgets::{self, help, sanitize};

/// Frames of the spinner shown while requests are in flight (one per tick of the event loop).
const SPINNER: [char; 4] = ['⟳', '◴', '◷', '◶'];

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal.
pub const MIN_HEIGHT: u16 = 20;

/// The regions of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regions {
    /// Tabs and account (one line).
    pub header: Rect,
    /// The screen.
    pub body: Rect,
    /// Key hints (one line).
    pub footer: Rect,
    /// Requests in flight and the last error (one line).
    pub status: Rect,
}

/// Splits the terminal area.
pub fn layout(area: Rect) -> Regions {
    let [header, body, footer, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Regions {
        header,
        body,
        footer,
        status,
    }
}

/// The tab labels for a header of `width` columns: full titles when they fit beside the
/// account, else the current one in full and the others by number only.
fn tab_labels(current: ScreenId, width: u16, right_width: usize) -> Vec<(ScreenId, String)> {
    let full: Vec<(ScreenId, String)> = ScreenId::ALL
        .iter()
        .map(|&s| (s, format!(" {} {} ", s.index() + 1, s.title())))
        .collect();
    let full_width: usize = full.iter().map(|(_, l)| l.chars().count()).sum();
    if full_width + right_width <= usize::from(width) {
        return full;
    }
    ScreenId::ALL
        .iter()
        .map(|&s| {
            let label = if s == current {
                format!(" {} {} ", s.index() + 1, s.title())
            } else {
                format!(" {} ", s.index() + 1)
            };
            (s, label)
        })
        .collect()
}

/// The width of the account part of the header.
fn right_width(app: &App) -> usize {
    let name = app
        .account
        .data()
        .map_or(0, |a| sanitize(&a.name).chars().count() + 1);
    name + if app.options.sandbox {
        SANDBOX.chars().count()
    } else {
        0
    }
}

const SANDBOX: &str = " SANDBOX ";

/// The screen whose tab is at column `x` of the header.
pub fn tab_at(app: &App, x: u16) -> Option<ScreenId> {
    let mut start = 0u16;
    for (screen, label) in tab_labels(app.screen, app.area.width, right_width(app)) {
        let width = label.chars().count() as u16;
        if x >= start && x < start + width {
            return Some(screen);
        }
        start += width;
    }
    None
}

/// Draws the whole frame.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    let theme = &app.options.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        widgets::message(
            frame,
            area,
            &format!(
                "Terminal trop petit ({}×{}) : {MIN_WIDTH}×{MIN_HEIGHT} minimum",
                area.width, area.height
            ),
            theme.error,
        );
        return;
    }
    let regions = layout(area);

    // Header: tabs on the left, account and SANDBOX on the right.
    let mut spans: Vec<Span> = tab_labels(app.screen, regions.header.width, right_width(app))
        .into_iter()
        .map(|(s, label)| {
            let style = if s == app.screen {
                theme.selection
            } else {
                theme.muted
            };
            Span::styled(label, style)
        })
        .collect();
    let tabs_width: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let mut right = Vec::new();
    if let Some(account) = app.account.data() {
        right.push(Span::styled(
            format!("{} ", sanitize(&account.name)),
            theme.title,
        ));
    }
    if app.options.sandbox {
        right.push(Span::styled(SANDBOX, theme.badge));
    }
    let right_width: usize = right.iter().map(|s| s.content.chars().count()).sum();
    let gap = (regions.header.width as usize).saturating_sub(tabs_width + right_width);
    if gap > 0 {
        spans.push(Span::raw(" ".repeat(gap)));
        spans.extend(right);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), regions.header);

    app.current()
        .render(frame, regions.body, theme, app.options.today);

    // Footer hints from the keymap table.
    let mut contexts: Vec<Context> = app.current().contexts().to_vec();
    contexts.push(Context::Global);
    // While a text input has the focus, one-character keys are typed, not commands.
    let typing = app.current().input_focused();
    let mut hints = Vec::new();
    // What Échap really does here, first: it changes with the context.
    if let Some(escape) = app
        .current()
        .escape_hint()
        .or(typing.then_some("fin de saisie"))
    {
        hints.push(Span::styled("Échap", theme.matched));
        hints.push(Span::styled(format!(" {escape}  "), theme.muted));
    }
    if typing {
        hints.push(Span::styled("F1-F6", theme.matched));
        hints.push(Span::styled(" écrans  ", theme.muted));
    }
    let mut used: usize = hints.iter().map(Span::width).sum();
    for (command, key, description) in app.options.keymap.command_hints(&contexts) {
        if (typing && key.chars().count() == 1) || !app.current().offers(command) {
            continue;
        }
        let (key, description) = (
            Span::styled(key, theme.matched),
            Span::styled(format!(" {description}  "), theme.muted),
        );
        // Only whole hints: the two trailing spaces of the last one may fall off the edge.
        let width = key.width() + description.width();
        if used + width > usize::from(regions.footer.width) + 2 {
            break;
        }
        used += width;
        hints.extend([key, description]);
    }
    frame.render_widget(Paragraph::new(Line::from(hints)), regions.footer);

    // Status line: last error with how to retry, else a screen's notice, else requests in flight.
    let status = match (&app.last_error, app.in_flight()) {
        (Some(error), _) => {
            // Cut the message, never the way out.
            let retry = app
                .options
                .keymap
                .key_for(Command::Refresh)
                .map_or_else(String::new, |key| format!(" — {key} pour réessayer"));
            let room = usize::from(regions.status.width).saturating_sub(2 + retry.chars().count());
            let error = sanitize(error);
            let error = if error.chars().count() > room {
                let cut: String = error.chars().take(room.saturating_sub(1)).collect();
                format!("{}…", cut.trim_end())
            } else {
                error
            };
            Line::styled(format!("✖ {error}{retry}"), theme.error)
        }
        (None, _) if app.notice.is_some() => Line::styled(
            sanitize(app.notice.as_deref().unwrap_or_default()),
            theme.valid,
        ),
        (None, 0) => match app.simulator.draft_count() {
            // Drafts are easy to find: said from the start, with the way there.
            n if n > 0 && app.screen != ScreenId::Simulator => {
                let (count, pronoun) = if n == 1 {
                    ("1 brouillon de déclaration en cours".to_owned(), "le")
                } else {
                    (format!("{n} brouillons de déclaration en cours"), "les")
                };
                Line::styled(
                    format!("Prêt · {count} : 5 puis b pour {pronoun} reprendre"),
                    theme.muted,
                )
            }
            _ => Line::styled("Prêt", theme.muted),
        },
        (None, n) => {
            let spinner = SPINNER[(app.ticks as usize) % SPINNER.len()];
            let what = if n == 1 {
                "1 requête en cours".to_owned()
            } else {
                format!("{n} requêtes en cours")
            };
            Line::styled(format!("{spinner} {what}…"), theme.muted)
        }
    };
    frame.render_widget(
        Paragraph::new(status).alignment(Alignment::Left),
        regions.status,
    );

    if app.help {
        help::render(frame, area, &app.options.keymap, theme, app.help_scroll);
    }
}
