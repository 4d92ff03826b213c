//! Passeport, an employer's writes: `e` changes the worker (the form prefilled from
//! `GET /v1/workers/{id}`, sent as a PATCH), `a` adds a training record, `x` removes the selected
//! recorded training (a reason is required), `A` archives the worker after « Archiver DUPONT
//! Marie ? (o/n) ». Each write runs as a request with its state shown; errors stay in place with
//! what was typed; after it the passport shows as it now stands, the expiry said.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::WorkerScreen;
use crate::api::ApiError;
use crate::api::contract::{EntrySource, PassportEntryView, TrainingRecordAnswer};
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::Command;
use crate::tui::screens::expirations::days_label;
use crate::tui::screens::{Cx, Navigate};
use crate::tui::staff::render::{question, render as render_form};
use crate::tui::staff::training::{self, new_record};
use crate::tui::staff::worker::{edit_form, patch};
use crate::tui::staff::{FormOutcome, FormState, StaffForm, new_idempotency_key};
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::{Edit, LineInput};
use crate::tui::widgets::sanitize;

/// Why a training organisation changes no worker here.
const NOT_AN_EMPLOYER: &str = "Seul l'employeur du salarié modifie sa fiche et ses formations \
    enregistrées : un organisme de formation déclare ce qu'il a délivré (Simulateur).";

/// Why only some trainings can be removed here.
const NOT_RECORDED: &str = "Seules les formations enregistrées par l'employeur se retirent ici : \
    une formation déclarée se corrige dans Déclarations, une session dans Sessions.";

/// A question with a typed answer or a yes/no, and its request once sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The answer being typed (the reason of a removal).
    pub answer: LineInput,
    /// The last error, in French.
    pub error: Option<String>,
    /// The request in flight, once answered.
    pub sending: Option<RequestId>,
}

impl Question {
    fn new() -> Self {
        Self {
            answer: LineInput::default(),
            error: None,
            sending: None,
        }
    }
}

/// What the Passeport screen is doing over the passport.
#[derive(Debug, Clone)]
pub enum WorkerAction {
    /// `e`: the worker's record is being read to prefill the form.
    LoadingStaff(RequestId),
    /// `e`: the worker form, prefilled; saved as a PATCH.
    Edit(Box<StaffForm>),
    /// `a`: the training-record form.
    AddTraining(Box<StaffForm>),
    /// `x`: the reason of removing a recorded training.
    Remove {
        /// The record.
        entry_id: i64,
        /// Its title, for the question.
        title: String,
        /// The reason and the request.
        question: Question,
    },
    /// `A`: « Archiver NOM Prénoms ? (o/n) ».
    Archive {
        /// The worker's name, for the question.
        name: String,
        /// The idempotency key of the archive, the same for every retry.
        key: String,
        /// The request.
        question: Question,
    },
}

impl WorkerScreen {
    /// The training selected in the table.
    fn selected_entry(&self) -> Option<&PassportEntryView> {
        self.entries().get(self.cursor.selected())
    }

    /// The record id of the selected training, when it is a record of the employer.
    pub(super) fn selected_record(&self) -> Option<i64> {
        self.selected_entry()
            .filter(|e| e.origin.source == EntrySource::Recorded)
            .and_then(|e| e.origin.entry_id)
    }

    /// True for the commands of an employer's writes.
    pub(super) fn is_write(command: Command) -> bool {
        matches!(
            command,
            Command::EditWorker | Command::AddTraining | Command::Delete | Command::ArchiveWorker
        )
    }

    /// Starts a write (`e`, `a`, `x`, `A`), or says why not.
    pub(super) fn start_write(&mut self, command: Command, cx: &mut Cx<'_>) {
        let (Some(worker_id), Some(passport)) = (self.worker_id, self.data.data()) else {
            return;
        };
        if self.delivered_only {
            cx.notice = Some(NOT_AN_EMPLOYER.to_owned());
            return;
        }
        let name = sanitize(&format!(
            "{} {}",
            passport.worker.last_name, passport.worker.first_names
        ));
        self.action = match command {
            Command::EditWorker => Some(WorkerAction::LoadingStaff(
                cx.request(Request::Staff(worker_id)),
            )),
            Command::AddTraining => {
                let mut form = training::new_form();
                match self.catalogue.data() {
                    Some(catalogue) => form.set_choices(training::choices(catalogue)),
                    None if !self.catalogue.is_loading() => {
                        let id = cx.request(Request::Catalogue);
                        self.catalogue.start(id);
                    }
                    None => {}
                }
                Some(WorkerAction::AddTraining(Box::new(form)))
            }
            Command::Delete => match (self.selected_record(), self.selected_entry()) {
                (Some(entry_id), Some(entry)) => Some(WorkerAction::Remove {
                    entry_id,
                    title: entry.training_title.clone(),
                    question: Question::new(),
                }),
                _ => {
                    cx.notice = Some(NOT_RECORDED.to_owned());
                    None
                }
            },
            Command::ArchiveWorker => Some(WorkerAction::Archive {
                name,
                key: new_idempotency_key(),
                question: Question::new(),
            }),
            _ => None,
        };
    }

    /// A key while a write is open: everything goes to it but Ctrl-C (quit) and the chords the
    /// form leaves.
    pub(super) fn write_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(worker_id) = self.worker_id else {
            return false;
        };
        let adding = matches!(self.action, Some(WorkerAction::AddTraining(_)));
        let Some(action) = &mut self.action else {
            return false;
        };
        match action {
            WorkerAction::LoadingStaff(_) => {
                if key.code == KeyCode::Esc {
                    self.action = None;
                }
                true
            }
            WorkerAction::Edit(form) | WorkerAction::AddTraining(form) => {
                match form.on_key(key) {
                    FormOutcome::Ignored => return false,
                    FormOutcome::Handled => {}
                    FormOutcome::Cancel => self.action = None,
                    FormOutcome::OpenWorker(worker) => cx.navigate = Some(Navigate::Worker(worker)),
                    FormOutcome::Submit => {
                        let request = if adding {
                            Request::CreateTraining {
                                worker: worker_id,
                                record: Box::new(new_record(form)),
                                key: form.idempotency_key.clone(),
                            }
                        } else {
                            Request::UpdateWorker {
                                id: worker_id,
                                patch: Box::new(patch(form)),
                            }
                        };
                        form.state = FormState::Sending(cx.request(request));
                    }
                }
                true
            }
            WorkerAction::Remove {
                entry_id, question, ..
            } => {
                if question.sending.is_some() {
                    return true;
                }
                match key.code {
                    KeyCode::Esc => self.action = None,
                    KeyCode::Enter if question.answer.text().trim().is_empty() => {
                        question.error =
                            Some("Le motif est obligatoire : il reste dans l'historique.".into());
                    }
                    KeyCode::Enter => {
                        question.error = None;
                        question.sending = Some(cx.request(Request::RemoveTraining {
                            worker: worker_id,
                            entry_id: *entry_id,
                            reason: question.answer.text().trim().to_owned(),
                        }));
                    }
                    _ => match question.answer.on_key(key) {
                        Edit::Ignored => return false,
                        _ => question.error = None,
                    },
                }
                true
            }
            WorkerAction::Archive {
                key: idem,
                question,
                ..
            } => {
                if question.sending.is_some() {
                    return true;
                }
                match key.code {
                    KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                        question.error = None;
                        question.sending = Some(cx.request(Request::ArchiveWorker {
                            id: worker_id,
                            key: idem.clone(),
                        }));
                    }
                    KeyCode::Char('n' | 'N') | KeyCode::Esc => self.action = None,
                    _ => {}
                }
                true
            }
        }
    }

    /// Pasted text goes to the open form or reason.
    pub(super) fn write_paste(&mut self, text: &str) {
        match &mut self.action {
            Some(WorkerAction::Edit(form) | WorkerAction::AddTraining(form)) => form.on_paste(text),
            Some(WorkerAction::Remove { question, .. }) if question.sending.is_none() => {
                question.answer.insert_str(text);
            }
            _ => {}
        }
    }

    /// The answer of a write's request (or of the catalogue); hands back any other answer.
    pub(super) fn write_response(
        &mut self,
        id: RequestId,
        result: Result<Response, ApiError>,
        cx: &mut Cx<'_>,
    ) -> Option<Result<Response, ApiError>> {
        if self.catalogue.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Catalogue(types) => Ok(types),
                _ => Err(unexpected()),
            });
            self.catalogue.finish(id, result);
            if let (Some(WorkerAction::AddTraining(form)), Some(catalogue)) =
                (&mut self.action, self.catalogue.data())
            {
                form.set_choices(training::choices(catalogue));
            }
            if let (Some(WorkerAction::AddTraining(form)), Some(error)) =
                (&mut self.action, self.catalogue.error())
            {
                form.state = FormState::Failed(format!(
                    "Catalogue indisponible : {error} (Échap, puis a pour réessayer)"
                ));
            }
            return None;
        }
        let ours = match &self.action {
            Some(WorkerAction::LoadingStaff(pending)) => *pending == id,
            Some(WorkerAction::Edit(form) | WorkerAction::AddTraining(form)) => {
                form.state == FormState::Sending(id)
            }
            Some(
                WorkerAction::Remove { question, .. } | WorkerAction::Archive { question, .. },
            ) => question.sending == Some(id),
            None => false,
        };
        if !ours {
            return Some(result);
        }
        // `ours` holds only with an action open.
        let action = self.action.take()?;
        self.action = match (action, result) {
            (WorkerAction::LoadingStaff(_), Ok(Response::Staff(record))) => {
                Some(WorkerAction::Edit(Box::new(edit_form(&record))))
            }
            (WorkerAction::LoadingStaff(_), Err(error)) => {
                cx.notice = Some(format!("Fiche du salarié illisible : {error}"));
                None
            }
            (WorkerAction::Edit(_), Ok(Response::Staff(record))) => {
                cx.notice = Some(format!(
                    "Fiche de {} enregistrée.",
                    record.worker.display_name()
                ));
                self.load(cx);
                None
            }
            (WorkerAction::Archive { name, .. }, Ok(Response::Staff(_))) => {
                cx.notice = Some(format!(
                    "{name} archivé(e) : hors des listes, son historique est gardé."
                ));
                self.load(cx);
                None
            }
            (WorkerAction::AddTraining(_), Ok(Response::TrainingSaved(answer))) => {
                cx.notice = Some(self.show_written(&answer, "Formation enregistrée"));
                None
            }
            (WorkerAction::Remove { title, .. }, Ok(Response::TrainingSaved(answer))) => {
                self.show_written(&answer, "");
                cx.notice = Some(format!("{} retirée du passeport.", sanitize(&title)));
                None
            }
            (WorkerAction::Edit(mut form), Err(error)) => {
                form.failed(&error);
                Some(WorkerAction::Edit(form))
            }
            (WorkerAction::AddTraining(mut form), Err(error)) => {
                form.failed(&error);
                Some(WorkerAction::AddTraining(form))
            }
            (
                WorkerAction::Remove {
                    entry_id,
                    title,
                    mut question,
                },
                Err(error),
            ) => {
                question.sending = None;
                question.error = Some(error.to_string());
                Some(WorkerAction::Remove {
                    entry_id,
                    title,
                    question,
                })
            }
            (
                WorkerAction::Archive {
                    name,
                    key,
                    mut question,
                },
                Err(error),
            ) => {
                question.sending = None;
                question.error = Some(error.to_string());
                Some(WorkerAction::Archive {
                    name,
                    key,
                    question,
                })
            }
            (_, Ok(_)) => {
                cx.notice = Some(unexpected().to_string());
                None
            }
        };
        None
    }

    /// Shows the passport a training write answered, the written entry selected; returns
    /// « <what> : <title>, échéance le … » for the status line.
    fn show_written(&mut self, answer: &TrainingRecordAnswer, what: &str) -> String {
        if let Some(data) = self.data.data_mut() {
            *data = answer.passport.clone();
        }
        let entries = &answer.passport.entries;
        let position = entries
            .iter()
            .position(|e| e.origin.entry_id == Some(answer.entry_id));
        self.cursor
            .select(position.unwrap_or(self.cursor.selected()), entries.len());
        let Some(entry) = position.and_then(|p| entries.get(p)) else {
            return format!("{what}.");
        };
        let expiry = match (entry.expires_on, entry.days_left) {
            (Some(on), Some(days)) => format!(
                "échéance le {} ({})",
                on.format("%d/%m/%Y"),
                days_label(days)
            ),
            _ => "sans échéance".to_owned(),
        };
        // The expiry before the title: a long title is what the status line may cut.
        format!("{what}, {expiry} : {}.", sanitize(&entry.training_title))
    }

    /// Draws the open write over the passport.
    pub(super) fn render_write(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let Some(action) = &self.action else { return };
        match action {
            WorkerAction::LoadingStaff(_) => question(
                frame,
                area,
                theme,
                &[("Lecture de la fiche du salarié…".to_owned(), false)],
                "Échap annuler",
            ),
            WorkerAction::Edit(form) | WorkerAction::AddTraining(form) => {
                render_form(form, frame, area, theme);
            }
            WorkerAction::Remove {
                title, question: q, ..
            } => {
                let mut lines = vec![
                    (
                        format!("Retirer « {} » du passeport ?", sanitize(title)),
                        false,
                    ),
                    (format!("Motif : {}▏", sanitize(q.answer.text())), false),
                ];
                if q.sending.is_some() {
                    lines.push(("Retrait en cours…".to_owned(), false));
                }
                if let Some(error) = &q.error {
                    lines.push((sanitize(error), true));
                }
                question(
                    frame,
                    area,
                    theme,
                    &lines,
                    "Entrée retirer (le motif reste dans l'historique) · Échap annuler",
                );
            }
            WorkerAction::Archive {
                name, question: q, ..
            } => {
                let mut lines = vec![(format!("Archiver {name} ? (o/n)"), false)];
                if q.sending.is_some() {
                    lines.push(("Archivage en cours…".to_owned(), false));
                }
                if let Some(error) = &q.error {
                    lines.push((sanitize(error), true));
                }
                question(
                    frame,
                    area,
                    theme,
                    &lines,
                    "o archiver (hors des listes, historique gardé) · n ou Échap annuler",
                );
            }
        }
    }
}
