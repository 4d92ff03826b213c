//! `i` on an opened session: a picker over the roster (the workers the account sees), narrowed
//! as Recherche narrows ([`crate::search`]), to enrol several at once: Espace marks the
//! highlighted worker, Entrée enrols the marked ones (or the highlighted one when none is
//! marked). Those already enrolled are greyed and cannot be marked. What was marked stays on an
//! error, so that Entrée retries (under the same idempotency keys).

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::domain::worker::WorkerId;
use crate::tui::action::RequestId;
use crate::tui::form::Roster;
use crate::tui::form::render::{truncate, wrap};
use crate::tui::remote::Remote;
use crate::tui::staff::new_idempotency_key;
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::{Edit, LineInput};
use crate::tui::widgets::sanitize;

/// At most this many matches are listed.
const LIMIT: usize = 200;

/// The keys of the picker, shown at its bottom.
const KEYS: &str = "↑ ↓ choisir · Espace marquer · Entrée inscrire · Échap annuler";

/// The keys of the picker, for the help overlay: (keys, French description).
pub const HELP_KEYS: &[(&str, &str)] = &[
    ("Espace", "marquer, démarquer le salarié"),
    ("Entrée", "inscrire les marqués (ou le choisi)"),
    ("Ctrl-N", "organisme : une personne hors liste"),
];

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Not for the picker (Ctrl-C): the keymap may use it.
    Ignored,
    /// Consumed.
    Handled,
    /// Enrol these workers.
    Enrol(Vec<WorkerId>),
    /// Close the picker.
    Cancel,
    /// Enrol someone not in the list, by identity (a training organisation).
    NewPerson,
}

/// The picker's state.
#[derive(Debug, Clone)]
pub struct EnrolPicker {
    /// The filter typed.
    pub query: LineInput,
    /// Matching roster rows (indices into the roster), best first.
    pub hits: Vec<u32>,
    /// The highlighted hit.
    pub cursor: usize,
    /// The workers marked for enrolment.
    pub marked: BTreeSet<WorkerId>,
    /// The session's trainees already (greyed).
    pub enrolled: BTreeSet<WorkerId>,
    /// The enrolment in flight.
    pub sending: Option<RequestId>,
    /// The last error, in French.
    pub error: Option<String>,
    /// The prefix of the enrolments' idempotency keys, the same for every retry.
    pub key: String,
    /// True when someone not in the list may be enrolled by identity (Ctrl-N).
    pub by_identity: bool,
}

impl EnrolPicker {
    /// A picker for a session whose trainees are `enrolled`; `by_identity` for a training
    /// organisation, which may enrol a person it does not know yet.
    pub fn new(enrolled: BTreeSet<WorkerId>, by_identity: bool) -> Self {
        Self {
            query: LineInput::default(),
            hits: Vec::new(),
            cursor: 0,
            marked: BTreeSet::new(),
            enrolled,
            sending: None,
            error: None,
            key: new_idempotency_key(),
            by_identity,
        }
    }

    /// Matches the query against the roster (every worker, in roster order, when empty).
    pub fn narrow(&mut self, roster: &Remote<Roster>) {
        let Some(roster) = roster.data() else {
            self.hits.clear();
            return;
        };
        let query = self.query.text().trim();
        self.hits = if query.is_empty() {
            (0..roster.workers.len())
                .filter_map(|i| u32::try_from(i).ok())
                .take(LIMIT)
                .collect()
        } else {
            roster
                .index
                .search(query, LIMIT, None, 0)
                .top
                .into_iter()
                .map(|h| h.index)
                .collect()
        };
        self.cursor = self.cursor.min(self.hits.len().saturating_sub(1));
    }

    fn highlighted(&self, roster: &Remote<Roster>) -> Option<WorkerId> {
        let index = *self.hits.get(self.cursor)?;
        let workers = &roster.data()?.workers;
        workers.get(usize::try_from(index).ok()?).map(|w| w.id)
    }

    /// A key.
    pub fn on_key(&mut self, key: &KeyEvent, roster: &Remote<Roster>) -> PickerOutcome {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return PickerOutcome::Ignored;
        }
        if self.sending.is_some() {
            return PickerOutcome::Handled;
        }
        if self.by_identity
            && key.modifiers.contains(KeyModifiers::CONTROL)
            && key.code == KeyCode::Char('n')
        {
            return PickerOutcome::NewPerson;
        }
        match key.code {
            KeyCode::Esc => return PickerOutcome::Cancel,
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down => {
                self.cursor = (self.cursor + 1).min(self.hits.len().saturating_sub(1));
            }
            KeyCode::Char(' ') => {
                if let Some(worker) = self.highlighted(roster) {
                    if self.enrolled.contains(&worker) {
                        self.error = Some("Déjà inscrit à cette session.".to_owned());
                    } else if !self.marked.remove(&worker) {
                        self.marked.insert(worker);
                        self.error = None;
                    }
                }
            }
            KeyCode::Enter => {
                if self.marked.is_empty()
                    && let Some(worker) = self.highlighted(roster)
                    && !self.enrolled.contains(&worker)
                {
                    self.marked.insert(worker);
                }
                if self.marked.is_empty() {
                    self.error =
                        Some("Marquez au moins un salarié non inscrit (Espace).".to_owned());
                    return PickerOutcome::Handled;
                }
                self.error = None;
                return PickerOutcome::Enrol(self.marked.iter().copied().collect());
            }
            _ => match self.query.on_key(key) {
                Edit::Changed => {
                    self.cursor = 0;
                    self.narrow(roster);
                }
                Edit::Moved => {}
                Edit::Ignored => return PickerOutcome::Ignored,
            },
        }
        PickerOutcome::Handled
    }

    /// Pasted text goes to the filter.
    pub fn on_paste(&mut self, text: &str, roster: &Remote<Roster>) {
        if self.sending.is_none() {
            self.query.insert_str(text);
            self.cursor = 0;
            self.narrow(roster);
        }
    }

    /// Draws the picker over `area`.
    pub fn render(
        &self,
        roster: &Remote<Roster>,
        frame: &mut Frame<'_>,
        area: Rect,
        theme: &Theme,
    ) {
        frame.render_widget(Clear, area);
        let block = Block::bordered().title(Span::styled(" Inscrire des stagiaires ", theme.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = usize::from(inner.width).max(1);
        let mut lines = vec![Line::from(vec![
            Span::styled("Filtrer : ", theme.muted),
            Span::styled(sanitize(self.query.text()), theme.text),
            Span::styled("█", theme.muted),
        ])];
        let mut bottom: Vec<Line> = Vec::new();
        let status = match (&self.sending, &self.error) {
            (Some(_), _) => Some((
                format!(
                    "Inscription de {}…",
                    crate::text::count(self.marked.len() as u64, "stagiaire", "stagiaires")
                ),
                theme.muted,
            )),
            (None, Some(error)) => Some((sanitize(error), theme.error)),
            (None, None) => None,
        };
        if let Some((text, style)) = status {
            for part in wrap(&text, width).into_iter().take(2) {
                bottom.push(Line::styled(part, style));
            }
        }
        let marked = self.marked.len();
        let mut keys = if marked > 0 {
            format!(
                "{} · {KEYS}",
                crate::text::count(marked as u64, "marqué", "marqués")
            )
        } else {
            KEYS.to_owned()
        };
        if self.by_identity {
            keys.push_str(" · Ctrl-N personne hors liste");
        }
        for part in wrap(&keys, width).into_iter().take(2) {
            bottom.push(Line::styled(part, theme.muted));
        }
        let room = usize::from(inner.height)
            .saturating_sub(lines.len() + bottom.len())
            .max(1);
        match roster.data() {
            None => {
                let text = match roster.error() {
                    Some(error) => format!("Effectif illisible : {error} (r pour réessayer)"),
                    None => "Chargement de l'effectif…".to_owned(),
                };
                lines.push(Line::styled(
                    sanitize(&text),
                    if roster.error().is_some() {
                        theme.error
                    } else {
                        theme.muted
                    },
                ));
            }
            Some(_) if self.hits.is_empty() => {
                let text = if self.by_identity {
                    "Personne ne correspond : Ctrl-N inscrit une personne hors liste (NIR, nom, \
                     SIRET de son employeur)."
                } else {
                    "Aucun salarié ne correspond."
                };
                for part in wrap(text, width) {
                    lines.push(Line::styled(part, theme.muted));
                }
            }
            Some(data) => {
                let first = self.cursor.saturating_sub(room.saturating_sub(1));
                for (row, &index) in self.hits.iter().enumerate().skip(first).take(room) {
                    let Some(entry) = data.index.entry(index) else {
                        continue;
                    };
                    let worker = data.workers.get(index as usize).map(|w| w.id);
                    let enrolled = worker.is_some_and(|w| self.enrolled.contains(&w));
                    let mark = match worker {
                        _ if enrolled => "[inscrit] ",
                        Some(w) if self.marked.contains(&w) => "[x] ",
                        _ => "[ ] ",
                    };
                    let pointer = if row == self.cursor { "› " } else { "  " };
                    let text =
                        truncate(&format!("{pointer}{mark}{}", sanitize(&entry.text)), width);
                    let style = if enrolled {
                        theme.muted
                    } else if row == self.cursor {
                        theme.selection
                    } else {
                        theme.text
                    };
                    lines.push(Line::styled(text, style));
                }
            }
        }
        let pad = usize::from(inner.height).saturating_sub(lines.len() + bottom.len());
        lines.extend(std::iter::repeat_n(Line::from(""), pad));
        lines.extend(bottom);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
