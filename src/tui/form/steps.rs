//! The titulaires step (list, roster search, removal with confirmation) and the review step
//! (every remaining problem, Enter to jump to its field).

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fields::{self, Field};
use super::{Form, FormEvent, Picker, Roster, editor};
use crate::domain::FieldError;
use crate::domain::declaration::columns;
use crate::drafts::DraftStep;
use crate::tui::remote::Remote;

/// Most roster rows shown by the titulaire search.
pub const PICKER_ROWS: usize = 50;

/// One problem of the review step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field key (`NOM_FORMATION`, `titulaires[0].NIR`, `titulaires`).
    pub key: String,
    /// Where, in French (`Titulaire n° 1 — NIR`).
    pub label: String,
    /// What is wrong, in French.
    pub message: String,
}

impl Form {
    /// The French name of a field key, for problem lists.
    pub fn key_label(&self, key: &str) -> String {
        match fields::parse_key(key) {
            (Some(index), column) => format!(
                "Titulaire n° {} — {}",
                index + 1,
                Field::from_column(column).map_or_else(
                    || columns::label(column).to_owned(),
                    |f| f.label().to_owned()
                )
            ),
            (None, columns::TITULAIRES) => "Titulaires".to_owned(),
            (None, column) => Field::from_column(column).map_or_else(
                || capitalise(columns::label(column)),
                |f| f.label().to_owned(),
            ),
        }
    }

    /// Problems found here, without asking the server: each date that does not read, then every
    /// error of [`crate::domain::declaration::Declaration::validate`] (the "required" error of a
    /// date that does not read is replaced by the reason it does not).
    pub fn local_problems(&self) -> Vec<FieldError> {
        let mut unreadable: BTreeMap<String, String> = BTreeMap::new();
        let mut check = |field: Field, titulaire: Option<usize>| {
            let text = self.text(field, titulaire);
            if field.kind() == fields::FieldKind::Date
                && !text.trim().is_empty()
                && let Err(e) = fields::parse_date(text)
            {
                unreadable.insert(fields::key(field, titulaire), e.to_string());
            }
        };
        for field in self.training_fields() {
            check(field, None);
        }
        let mut errors: Vec<FieldError> = unreadable
            .iter()
            .map(|(key, message)| FieldError::new(key.clone(), "invalid_date", message.clone()))
            .collect();
        if let Err(found) = self.declaration().validate(self.declarant, self.today) {
            errors.extend(
                found
                    .into_iter()
                    .filter(|e| !unreadable.contains_key(&e.field)),
            );
        }
        errors
    }

    /// Every problem, in form order: local ones, then the server's not already listed.
    pub fn problems(&self) -> Vec<Problem> {
        let mut errors = self.local_problems();
        for e in &self.server_errors {
            if !errors
                .iter()
                .any(|x| x.field == e.field && x.message == e.message)
            {
                errors.push(e.clone());
            }
        }
        let mut problems: Vec<(usize, Problem)> = errors
            .into_iter()
            .map(|e| {
                let rank = self.rank(&e.field);
                let label = self.key_label(&e.field);
                (
                    rank,
                    Problem {
                        key: e.field,
                        label,
                        message: e.message,
                    },
                )
            })
            .collect();
        problems.sort_by_key(|(rank, _)| *rank);
        problems.into_iter().map(|(_, p)| p).collect()
    }

    /// The messages to show under a field (its problems, once it was left).
    pub fn errors_of(
        &self,
        problems: &[Problem],
        field: Field,
        titulaire: Option<usize>,
    ) -> Vec<String> {
        let key = fields::key(field, titulaire);
        let server = self.server_errors.iter().any(|e| e.field == key);
        if !server && !self.shows_errors_of(&key) {
            return Vec::new();
        }
        problems
            .iter()
            .filter(|p| p.key == key)
            .map(|p| p.message.clone())
            .collect()
    }

    /// Order of a key in the form: training fields, then titulaires field by field.
    fn rank(&self, key: &str) -> usize {
        let training = self.training_fields();
        match fields::parse_key(key) {
            (Some(index), column) => {
                let within = Field::TITULAIRE
                    .iter()
                    .position(|f| f.column() == column)
                    .unwrap_or(0);
                1000 + index * 10 + within
            }
            (None, columns::TITULAIRES) => 999,
            (None, column) => training
                .iter()
                .position(|f| f.column() == column)
                .unwrap_or(0),
        }
    }

    pub(super) fn list_key(&mut self, key: &KeyEvent) -> FormEvent {
        let len = self.titulaires.len();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.titulaire = self.titulaire.saturating_sub(1);
                FormEvent::Changed
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.titulaire = (self.titulaire + 1).min(len.saturating_sub(1));
                FormEvent::Changed
            }
            KeyCode::Char('a') => {
                self.titulaire = self.add_titulaire("", "", None);
                self.focus = 1;
                self.sync_editor();
                FormEvent::Changed
            }
            KeyCode::Char('/') => {
                self.picker = Some(Picker {
                    query: editor(""),
                    hits: Vec::new(),
                    selected: 0,
                });
                FormEvent::NeedRoster
            }
            KeyCode::Char('x') | KeyCode::Delete if len > 0 => {
                self.confirm_remove = Some(self.titulaire);
                FormEvent::Handled
            }
            KeyCode::Enter | KeyCode::Tab if len > 0 => {
                self.focus = 1;
                self.sync_editor();
                FormEvent::Changed
            }
            KeyCode::Tab => self.go_step(DraftStep::Review, false),
            KeyCode::BackTab => self.go_step(DraftStep::Training, true),
            KeyCode::Char('v') => self.toggle_nir(),
            KeyCode::Char(c) if c.is_ascii_digit() || c == 'q' || c == '?' => FormEvent::Ignored,
            _ => FormEvent::Handled,
        }
    }

    /// Removes titulaire `index`; errors and « left » marks of titulaires are dropped, since their
    /// indices move.
    pub fn remove_titulaire(&mut self, index: usize) {
        if index >= self.titulaires.len() {
            return;
        }
        let removed = self.titulaires.remove(index);
        let name = removed.text(Field::NomTitulaire).trim().to_uppercase();
        let prefix = format!("{}[", columns::TITULAIRES);
        self.left.retain(|key| !key.starts_with(&prefix));
        self.server_errors.retain(|e| !e.field.starts_with(&prefix));
        self.titulaire = self.titulaire.min(self.titulaires.len().saturating_sub(1));
        self.focus = 0;
        self.sync_editor();
        // Named: the rows are renumbered, so « n° 2 » would now be someone else.
        self.notice = Some(if name.is_empty() {
            format!("Titulaire n° {} retiré", index + 1)
        } else {
            format!("Titulaire {name} retiré")
        });
    }

    pub(super) fn picker_key(&mut self, key: &KeyEvent, roster: &Remote<Roster>) -> FormEvent {
        let Some(picker) = &mut self.picker else {
            return FormEvent::Handled;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.picker = None;
                FormEvent::Handled
            }
            KeyCode::Up => {
                picker.selected = picker.selected.saturating_sub(1);
                FormEvent::Handled
            }
            KeyCode::Down => {
                picker.selected = (picker.selected + 1).min(picker.hits.len().saturating_sub(1));
                FormEvent::Handled
            }
            KeyCode::Enter => {
                let chosen = picker.hits.get(picker.selected).copied();
                let Some(worker) = chosen
                    .and_then(|i| roster.data().and_then(|r| r.workers.get(i as usize)))
                    .cloned()
                else {
                    return FormEvent::Handled;
                };
                self.picker = None;
                // A NIR the server masked cannot be declared (a `lecture` user declares nothing).
                let Some(nir) = worker.nir.clear() else {
                    self.notice = Some(format!(
                        "Le NIR de {} est masqué pour votre rôle : il ne peut pas être déclaré",
                        worker.last_name
                    ));
                    return FormEvent::Handled;
                };
                if self.has_nir(nir.as_str()) {
                    self.notice = Some(format!(
                        "{} figure déjà parmi les titulaires",
                        worker.last_name
                    ));
                    return FormEvent::Handled;
                }
                self.titulaire = self.add_titulaire(
                    &nir.with_key(),
                    &worker.last_name,
                    Some(worker.employer_siret.as_str()),
                );
                self.focus = 0;
                self.notice = Some(format!("{} ajouté", worker.display_name()));
                FormEvent::Changed
            }
            KeyCode::Char('c') if ctrl => FormEvent::Ignored,
            _ => {
                if picker.query.input(*key) {
                    self.refresh_picker(roster);
                }
                FormEvent::Handled
            }
        }
    }

    /// Runs the roster search again (after typing, or when the roster arrives).
    pub fn refresh_picker(&mut self, roster: &Remote<Roster>) {
        let Some(picker) = &mut self.picker else {
            return;
        };
        let query = picker.query.lines().join(" ");
        picker.hits = match roster.data() {
            Some(r) if !query.trim().is_empty() => r
                .index
                .search(query.trim(), PICKER_ROWS, None, 0)
                .top
                .iter()
                .map(|h| h.index)
                .collect(),
            _ => Vec::new(),
        };
        picker.selected = picker.selected.min(picker.hits.len().saturating_sub(1));
    }

    pub(super) fn review_key(&mut self, key: &KeyEvent) -> FormEvent {
        let count = self.problems().len();
        if count == 0 {
            // Nothing to fix: ↑↓ scroll the summary of what will be sent.
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    self.review_scroll = self.review_scroll.saturating_sub(1);
                    return FormEvent::Handled;
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    self.review_scroll = (self.review_scroll + 1).min(self.summary_len());
                    return FormEvent::Handled;
                }
                _ => {}
            }
        }
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.problem = self.problem.saturating_sub(1);
                FormEvent::Changed
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.problem = (self.problem + 1).min(count.saturating_sub(1));
                FormEvent::Changed
            }
            KeyCode::Enter => {
                let Some(problem) = self.problems().into_iter().nth(self.problem) else {
                    return FormEvent::Handled;
                };
                self.focus_key(&problem.key);
                FormEvent::Changed
            }
            KeyCode::Char('r') if self.can_retry() => FormEvent::Submit,
            KeyCode::BackTab => self.go_step(DraftStep::Titulaires, true),
            KeyCode::Char(c) if c.is_ascii_digit() || c == 'q' || c == '?' => FormEvent::Ignored,
            _ => FormEvent::Handled,
        }
    }
}

impl Form {
    /// Number of lines of the review's summary: the training rows, the titulaires heading, one
    /// line per titulaire.
    pub fn summary_len(&self) -> usize {
        let d = self.declaration();
        super::summary::training_rows(&d).len() + 1 + d.titulaires.len()
    }
}

/// First letter uppercase.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
