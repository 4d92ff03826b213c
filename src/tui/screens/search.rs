//! Recherche: fuzzy search over the whole roster as you type. The roster is loaded once and
//! indexed off the UI task; each keystroke starts a match off the UI task too (latest wins), so
//! typing never waits for matching. The field has the focus whenever the screen is shown: every
//! letter and digit is typed (a name with a « q » never quits); Tab, Maj-Tab and F1…F6 change
//! screens, Échap leaves the field (then digits and letters are commands again). Ctrl-N opens the
//! « Nouveau salarié » form ([`create`]).

pub mod create;

use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{Cx, Navigate, Screen};
use crate::api::ApiError;
use crate::api::contract::WorkerView;
use crate::search::{Matches, SearchIndex, narrows};
use crate::text::count;
use crate::tui::action::{Effect, Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::staff::StaffForm;
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::{Edit, LineInput};
use crate::tui::widgets::list::{Columns, ListCursor, render_table};
use crate::tui::widgets::{sanitize, state_message};

/// The roster and its index.
#[derive(Debug, Clone)]
pub struct Roster {
    /// Every visible worker.
    pub workers: Arc<Vec<WorkerView>>,
    /// Their search index.
    pub index: Arc<SearchIndex>,
}

/// State of the Recherche screen.
#[derive(Debug, Default)]
pub struct SearchScreen {
    /// The roster.
    pub roster: Remote<Roster>,
    /// The query as typed, with its cursor.
    pub query: LineInput,
    /// True while the input has the focus.
    pub focused: bool,
    /// Generation of the latest query sent to the matcher.
    pub generation: u64,
    /// The latest matches received.
    pub matches: Option<Matches>,
    /// Selection among the matches.
    pub cursor: ListCursor,
    /// The « Nouveau salarié » form, while open.
    pub create: Option<StaffForm>,
    /// True for an employer account, the only one that records workers (`None`: not known yet).
    pub employer: Option<bool>,
}

impl SearchScreen {
    /// `/`: a new search, the field focused and empty.
    fn new_search(&mut self, cx: &mut Cx<'_>) {
        self.focused = true;
        if !self.query.text().is_empty() {
            self.query.clear();
            self.cursor.select(0, self.rows());
            self.start_search(cx);
        }
    }

    /// True while the shown matches are older than the query typed.
    pub fn is_searching(&self) -> bool {
        self.roster.data().is_some()
            && self
                .matches
                .as_ref()
                .is_none_or(|m| m.generation != self.generation)
    }

    fn start_search(&mut self, cx: &mut Cx<'_>) {
        let Some(roster) = self.roster.data() else {
            return;
        };
        self.generation += 1;
        let within = self
            .matches
            .as_ref()
            .filter(|m| narrows(&m.query, self.query.text()))
            .map(|m| Arc::clone(&m.all));
        cx.effect(Effect::Search {
            index: Arc::clone(&roster.index),
            query: self.query.text().to_owned(),
            generation: self.generation,
            within,
        });
    }

    /// Takes the result of a search; results of older queries are dropped.
    pub fn on_matches(&mut self, matches: Matches) {
        if matches.generation == self.generation {
            self.matches = Some(matches);
            let len = self.rows();
            self.cursor.select(self.cursor.selected(), len);
        }
    }

    fn rows(&self) -> usize {
        self.matches.as_ref().map_or(0, |m| m.top.len())
    }

    fn open_selected(&mut self, cx: &mut Cx<'_>) {
        let selected = self.cursor.selected();
        let worker_id = match (self.roster.data(), &self.matches) {
            (Some(roster), Some(matches)) => matches
                .top
                .get(selected)
                .and_then(|hit| roster.index.entry(hit.index))
                .map(|entry| entry.worker_id),
            _ => None,
        };
        if let Some(worker_id) = worker_id {
            cx.navigate = Some(Navigate::Worker(worker_id));
            // Back from the worker, single-letter keys are commands again.
            self.focused = false;
        }
    }
}

impl Screen for SearchScreen {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Search, Context::Browse, Context::List]
    }

    fn offers(&self, command: Command) -> bool {
        if self.create.is_some() {
            return command == Command::Quit;
        }
        match command {
            // Of the list keys, a search result only opens.
            Command::Open => self.rows() > 0,
            Command::FilterStatus
            | Command::FilterTraining
            | Command::Sort
            | Command::Declare
            | Command::Export
            | Command::Delete => false,
            _ => true,
        }
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        if self.roster.is_idle() {
            self.refresh(cx);
        }
        // The screen's job is its field: it has the focus, unless there is nothing to search
        // (then single letters stay commands, so that `r` retries).
        self.focused = self.roster.error().is_none();
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::Roster);
        self.roster.start(id);
    }

    fn input_focused(&self) -> bool {
        self.focused || self.create.is_some()
    }

    fn escape_hint(&self) -> Option<&'static str> {
        if self.create.is_some() {
            return Some("annuler la saisie");
        }
        self.focused.then_some("quitter le champ")
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        if self.create.is_some() {
            return self.create_key(key, cx);
        }
        if !self.focused {
            return false;
        }
        let len = self.rows();
        match key.code {
            KeyCode::Esc => self.focused = false,
            KeyCode::Enter => self.open_selected(cx),
            KeyCode::Up => {
                self.cursor.apply(Command::Up, len);
            }
            KeyCode::Down => {
                self.cursor.apply(Command::Down, len);
            }
            KeyCode::PageUp => {
                self.cursor.apply(Command::PageUp, len);
            }
            KeyCode::PageDown => {
                self.cursor.apply(Command::PageDown, len);
            }
            _ => match self.query.on_key(key) {
                Edit::Changed => {
                    self.cursor.select(0, len);
                    self.start_search(cx);
                }
                Edit::Moved => {}
                // Tab, F-keys, Ctrl-C and other chords fall through to the keymap.
                Edit::Ignored => return false,
            },
        }
        true
    }

    fn on_paste(&mut self, text: &str, cx: &mut Cx<'_>) {
        if let Some(form) = &mut self.create {
            form.on_paste(text);
            return;
        }
        self.focused = true;
        self.query.insert_str(text);
        self.start_search(cx);
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        if command == Command::NewWorker {
            self.open_new_worker(cx);
            return true;
        }
        if self.create.is_some() {
            return false;
        }
        if self.cursor.apply(command, self.rows()) {
            return true;
        }
        match command {
            Command::Open => {
                self.open_selected(cx);
                true
            }
            Command::Search => {
                self.new_search(cx);
                true
            }
            _ => false,
        }
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        let Some(result) = self.create_response(id, result, cx) else {
            return;
        };
        let result = result.and_then(|r| match r {
            Response::Roster(workers, index) => Ok(Roster { workers, index }),
            _ => Err(unexpected()),
        });
        if self.roster.finish(id, result) {
            if self.roster.data().is_some() {
                self.matches = None;
                self.start_search(cx);
            } else {
                // Nothing to search: single letters are commands again, so `r` retries.
                self.focused = false;
            }
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        if row == 0 {
            self.focused = true;
        } else if row >= 3 {
            let len = self.rows();
            self.cursor.click(usize::from(row - 3), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, _today: NaiveDate) {
        if let Some(form) = &self.create {
            crate::tui::staff::render::render(form, frame, area, theme);
            return;
        }
        let [input_area, info_area, table_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);
        let prompt_style = if self.focused {
            theme.title
        } else {
            theme.muted
        };
        let cursor = if self.focused { "▏" } else { "" };
        let (before, after) = self.query.split();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Rechercher : ", prompt_style),
                Span::styled(sanitize(before), theme.text),
                Span::styled(cursor, theme.title),
                Span::styled(sanitize(after), theme.text),
            ])),
            input_area,
        );
        let Some(roster) = self.roster.data() else {
            state_message(
                frame,
                table_area,
                theme,
                self.roster.is_loading(),
                self.roster.error(),
                None,
            );
            return;
        };
        let info = match &self.matches {
            Some(m) if self.is_searching() => format!(
                " {}… (recherche)",
                count(m.all.len() as u64, "résultat", "résultats")
            ),
            Some(m) => format!(
                " {} sur {} · nom, prénoms, NIR, employeur, site",
                count(m.all.len() as u64, "résultat", "résultats"),
                count(roster.index.len() as u64, "salarié", "salariés")
            ),
            None => " Recherche…".to_owned(),
        };
        frame.render_widget(Paragraph::new(Line::styled(info, theme.muted)), info_area);
        let Some(matches) = &self.matches else { return };
        if state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            matches
                .top
                .is_empty()
                .then_some(if roster.index.is_empty() {
                    "Aucun salarié visible par ce compte."
                } else {
                    "Aucun salarié ne correspond."
                }),
        ) {
            return;
        }
        let widths = [Constraint::Fill(1), Constraint::Length(22)];
        let header = Row::new(["Salarié · employeur · site", "NIR"]);
        let columns = Columns {
            header,
            widths: &widths,
        };
        render_table(
            frame,
            table_area,
            &self.cursor,
            &matches.top,
            columns,
            theme,
            |hit| {
                // The index is built in roster order: entry i is worker i.
                let text = roster
                    .index
                    .entry(hit.index)
                    .map_or("", |e| e.text.as_str());
                let nir = roster
                    .workers
                    .get(hit.index as usize)
                    .map(|w| w.nir.masked())
                    .unwrap_or_default();
                Row::new(vec![
                    Cell::from(highlight(text, &hit.positions, theme)),
                    Cell::from(nir),
                ])
            },
        );
    }
}

/// The text with the matched characters in the `matched` style.
fn highlight<'a>(text: &str, positions: &[u32], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_matched = false;
    let mut next = positions.iter().peekable();
    for (i, c) in sanitize(text).chars().enumerate() {
        let matched = next.peek().is_some_and(|&&p| p as usize == i);
        if matched {
            next.next();
        }
        if matched != run_matched && !run.is_empty() {
            let style = if run_matched {
                theme.matched
            } else {
                theme.text
            };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_matched = matched;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(
            run,
            if run_matched {
                theme.matched
            } else {
                theme.text
            },
        ));
    }
    Line::from(spans)
}
