//! Drawing the frame: header with the screen tabs, the account and the « BAC À SABLE » badge; the
//! current screen; footer hints from the keymap; the status line; the help overlay.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use super::keymap::{Command, Context, Keymap};
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

/// The words of the tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Titles {
    /// Every tab with its full title.
    Full,
    /// Every tab with its short title (« Simul. », « Décl. »).
    Short,
    /// The current tab with its short title, the others by number only.
    CurrentOnly,
}

/// How the header is laid out at one width.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    /// Each tab: its screen, first column and label.
    tabs: Vec<(ScreenId, u16, String)>,
    /// The account name as shown (cut with « … » when short of room), if shown.
    account: Option<String>,
}

/// The tabs with their first column: padded labels side by side (` 1 Échéances  2 Sessions `),
/// or compact labels one space apart (` 1 Échéances 2 Sessions`).
fn tabs(
    screens: &[ScreenId],
    current: ScreenId,
    titles: Titles,
    padded: bool,
) -> Vec<(ScreenId, u16, String)> {
    let mut x = u16::from(!padded);
    screens
        .iter()
        .map(|&s| {
            let n = s.index() + 1;
            let label = match (titles, s == current) {
                (Titles::Full, _) => format!("{n} {}", s.title()),
                (Titles::Short, _) | (Titles::CurrentOnly, true) => {
                    format!("{n} {}", s.short_title())
                }
                (Titles::CurrentOnly, false) => n.to_string(),
            };
            let label = if padded { format!(" {label} ") } else { label };
            let start = x;
            x += u16::try_from(label.chars().count()).unwrap_or(u16::MAX) + u16::from(!padded);
            (s, start, label)
        })
        .collect()
}

/// Where the tabs end.
fn tabs_end(tabs: &[(ScreenId, u16, String)]) -> usize {
    tabs.last()
        .map_or(0, |(_, x, label)| usize::from(*x) + label.chars().count())
}

/// The header at `width` columns: every tab named when possible, the account giving way
/// first (cut, then left out), the « BAC À SABLE » badge always shown.
fn header(
    (screens, current): (&[ScreenId], ScreenId),
    width: u16,
    account: Option<&str>,
    sandbox: bool,
) -> Header {
    let width = usize::from(width);
    let badge = if sandbox { SANDBOX.chars().count() } else { 0 };
    let account_width = account.map_or(0, |a| a.chars().count() + 1);
    let levels = [
        (Titles::Full, true),
        (Titles::Full, false),
        (Titles::Short, false),
    ];
    for (titles, padded) in levels {
        let tabs = tabs(screens, current, titles, padded);
        if tabs_end(&tabs) + 1 + account_width + badge <= width {
            return Header {
                tabs,
                account: account.map(str::to_owned),
            };
        }
    }
    // Short of room: the account is cut, or left out when too little of it would show.
    for titles in [Titles::Short, Titles::CurrentOnly] {
        let tabs = tabs(screens, current, titles, false);
        let room = width.saturating_sub(tabs_end(&tabs) + 1 + badge + 1);
        if tabs_end(&tabs) + badge <= width || titles == Titles::CurrentOnly {
            let account = account
                .filter(|_| room >= MIN_ACCOUNT)
                .map(|a| widgets::fit::cut(a, room));
            return Header { tabs, account };
        }
    }
    Header {
        tabs: tabs(screens, current, Titles::CurrentOnly, false),
        account: None,
    }
}

/// Fewest characters of the account name worth showing.
const MIN_ACCOUNT: usize = 8;

/// The header of the app at its current size.
fn app_header(app: &App, width: u16) -> Header {
    let account = app.account.data().map(|a| match &a.user {
        Some(user) => sanitize(&format!(
            "{} · {}",
            a.name,
            super::rights::user_label(&user.name, user.role)
        )),
        None => sanitize(&a.name),
    });
    header(
        (app.tabs(), app.screen),
        width,
        account.as_deref(),
        app.options.sandbox,
    )
}

/// The badge of the embedded sandbox server.
const SANDBOX: &str = " BAC À SABLE ";

/// The screen whose tab is at column `x` of the header.
pub fn tab_at(app: &App, x: u16) -> Option<ScreenId> {
    app_header(app, app.area.width)
        .tabs
        .into_iter()
        .find(|(_, start, label)| {
            x >= *start && x < start + u16::try_from(label.chars().count()).unwrap_or(0)
        })
        .map(|(screen, _, _)| screen)
}

/// The footer hints that fit in `room` columns, chosen by priority and shown in the keymap's
/// order: the help key (it lists every other) and the way out first, then the screen's own
/// keys, most specific context first, then the other global keys. A hint that does not fit leaves room for the
/// smaller ones after it. While typing, one-character keys are typed, so they are left out.
fn footer_hints(
    keymap: &Keymap,
    contexts: &[Context],
    typing: bool,
    room: usize,
    offers: impl Fn(Command) -> bool,
) -> Vec<(String, &'static str)> {
    let help = keymap.key_for(Command::Help).map(|k| k.to_string());
    let all: Vec<(String, &'static str)> = keymap
        .command_hints(contexts)
        .into_iter()
        .filter(|(command, key, _)| !(typing && key.chars().count() == 1) && offers(*command))
        .map(|(_, key, description)| (key, description))
        .collect();
    let global = keymap.hints(&[Context::Global]);
    let quit = keymap.key_for(Command::Quit).map(|k| k.to_string());
    let first = |key: &String| help.as_ref() == Some(key) || quit.as_ref() == Some(key);
    let mut order: Vec<usize> = (0..all.len()).filter(|&i| first(&all[i].0)).collect();
    for context in contexts.iter().filter(|c| **c != Context::Global) {
        for hint in keymap.hints(&[*context]) {
            if let Some(i) = all.iter().position(|h| *h == hint)
                && !order.contains(&i)
            {
                order.push(i);
            }
        }
    }
    order.extend((0..all.len()).filter(|&i| global.contains(&all[i]) && !first(&all[i].0)));
    // Whole hints only: the two trailing spaces of the last one may fall off the edge.
    let width =
        |(key, description): &(String, &str)| key.chars().count() + description.chars().count() + 3;
    let mut used = 0;
    let mut chosen = vec![false; all.len()];
    for i in order {
        if !chosen[i] && used + width(&all[i]) <= room + 2 {
            used += width(&all[i]);
            chosen[i] = true;
        }
    }
    all.into_iter()
        .zip(chosen)
        .filter_map(|(hint, keep)| keep.then_some(hint))
        .collect()
}

/// Draws the whole frame.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    let theme = &app.options.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        // Two short lines that each fit in 30 columns, whatever the width; keys do nothing
        // here but quit (App::on_key).
        let lines = vec![
            Line::styled(
                format!("Terminal trop petit ({}×{})", area.width, area.height),
                theme.error,
            ),
            Line::styled(
                format!("{MIN_WIDTH}×{MIN_HEIGHT} minimum · q quitter"),
                theme.error,
            ),
        ];
        let top = area.y + (area.height / 2).saturating_sub(1);
        let height = 2.min(area.bottom().saturating_sub(top));
        frame.render_widget(
            Paragraph::new(lines).alignment(Alignment::Center),
            Rect {
                y: top,
                height,
                ..area
            },
        );
        return;
    }
    let regions = layout(area);

    // Header: tabs on the left, account and badge on the right.
    let head = app_header(app, regions.header.width);
    let mut spans: Vec<Span> = Vec::new();
    let mut x = 0usize;
    for (s, start, label) in head.tabs {
        if usize::from(start) > x {
            spans.push(Span::raw(" ".repeat(usize::from(start) - x)));
        }
        x = usize::from(start) + label.chars().count();
        let style = if s == app.screen {
            theme.selection
        } else {
            theme.muted
        };
        spans.push(Span::styled(label, style));
    }
    let mut right = Vec::new();
    let head_account = head.account.clone();
    if let Some(account) = head.account {
        right.push(Span::styled(format!("{account} "), theme.title));
    }
    if app.options.sandbox {
        right.push(Span::styled(SANDBOX, theme.badge));
    }
    let right_width: usize = right.iter().map(|s| s.content.chars().count()).sum();
    let gap = (regions.header.width as usize).saturating_sub(x + right_width);
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
        hints.push(Span::styled(
            format!("F1-F{}", app.screens().len()),
            theme.matched,
        ));
        hints.push(Span::styled(" écrans  ", theme.muted));
    }
    let used: usize = hints.iter().map(Span::width).sum();
    let room = usize::from(regions.footer.width).saturating_sub(used);
    for (key, description) in
        footer_hints(&app.options.keymap, &contexts, typing, room, |command| {
            app.current().offers(command)
        })
    {
        hints.push(Span::styled(key, theme.matched));
        hints.push(Span::styled(format!(" {description}  "), theme.muted));
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
                .filter(|_| !(app.options.sandbox && *error == super::app::sandbox_unauthorized()))
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
    let status_width = status.width();
    frame.render_widget(
        Paragraph::new(status).alignment(Alignment::Left),
        regions.status,
    );
    // The account the header had no room for goes to the right of the status line, cut
    // with « … » to the room the status leaves, unless too little of it would show.
    let room = usize::from(regions.status.width).saturating_sub(status_width + 2);
    let account = app
        .account
        .data()
        .map(|a| sanitize(&a.name))
        .filter(|_| head_account.is_none())
        .filter(|a| room >= MIN_ACCOUNT.min(a.chars().count()))
        .map(|a| widgets::fit::cut(&a, room));
    if let Some(account) = account {
        frame.render_widget(
            Paragraph::new(Line::styled(account, theme.title)).alignment(Alignment::Right),
            regions.status,
        );
    }

    if app.help {
        help::render(frame, area, &app.options.keymap, theme, app.help_scroll);
    }
}
