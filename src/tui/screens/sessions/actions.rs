//! Sessions, the writes (issue 13 §4): `n` a new session, and on an opened session `e` change
//! it, `i` enrol trainees ([`picker`](super::picker); a training organisation also by identity,
//! Ctrl-N there), `x` remove the selected trainee after
//! « Retirer … de la session ? (o/n) », `R` `f` `p` `b` its outcome, `c` close after
//! « Clôturer la session ? 4 réussites, 1 absent : les passeports seront mis à jour (o/n) ».
//! Every write is a request with its state shown (one at a time); errors stay in place with what
//! was typed or marked; the answer is the session as it now stands, shown at once.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::SessionsScreen;
use super::form::{
    check_dates, check_siret, edit_form, new_form, new_person, new_session, patch, person_form,
    set_catalogue,
};
use super::picker::{EnrolPicker, PickerOutcome};
use crate::api::ApiError;
use crate::api::contract::SessionDetail;
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::worker::WorkerId;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::form::Roster;
use crate::tui::form::fields::format_date;
use crate::tui::keymap::Command;
use crate::tui::remote::Remote;
use crate::tui::screens::{Cx, Navigate};
use crate::tui::staff::render::{question, render as render_form};
use crate::tui::staff::{FormOutcome, FormState, StaffForm, new_idempotency_key};
use crate::tui::theme::Theme;
use crate::tui::widgets::sanitize;

/// A yes/no question and its request once answered « o ».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// The question, in French.
    pub text: String,
    /// The request in flight.
    pub sending: Option<RequestId>,
    /// The last error, in French.
    pub error: Option<String>,
}

impl Confirm {
    fn new(text: String) -> Self {
        Self {
            text,
            sending: None,
            error: None,
        }
    }
}

/// What the Sessions screen is doing over its list or the opened session.
#[derive(Debug, Clone)]
pub enum SessionAction {
    /// `n`: the form of a new session.
    New(Box<StaffForm>),
    /// `e`: the form of the opened session, prefilled; saved as a PATCH.
    Edit {
        /// The session.
        id: SessionId,
        /// Its training type's code, written in the form once the catalogue is there.
        code: String,
        /// The form.
        form: Box<StaffForm>,
    },
    /// `i`: the roster picker.
    Enrol(Box<EnrolPicker>),
    /// Ctrl-N in the picker (a training organisation): a person by identity.
    Person(Box<StaffForm>),
    /// `x`: « Retirer NOM Prénoms de la session ? (o/n) ».
    Remove {
        /// The trainee.
        worker: WorkerId,
        /// The question and its request.
        confirm: Confirm,
    },
    /// `c`: « Clôturer la session ? … (o/n) ».
    Close {
        /// The idempotency key of the close, the same for every retry.
        key: String,
        /// The question and its request.
        confirm: Confirm,
    },
}

/// « 4 réussites, 1 absent »: the outcomes of a session's trainees, most telling first.
pub fn outcome_counts(detail: &SessionDetail) -> String {
    let names = [
        (TraineeOutcome::Passed, "réussite", "réussites"),
        (TraineeOutcome::Attended, "présent", "présents"),
        (TraineeOutcome::Failed, "échec", "échecs"),
        (TraineeOutcome::Absent, "absent", "absents"),
        (TraineeOutcome::Pending, "en attente", "en attente"),
    ];
    let parts: Vec<String> = names
        .iter()
        .filter_map(|&(outcome, one, many)| {
            let n = detail
                .trainees
                .iter()
                .filter(|t| t.outcome == outcome)
                .count();
            (n > 0).then(|| format!("{n} {}", if n > 1 { many } else { one }))
        })
        .collect();
    if parts.is_empty() {
        "aucun stagiaire".to_owned()
    } else {
        parts.join(", ")
    }
}

impl SessionsScreen {
    /// True for the commands that write.
    pub(super) fn is_write(command: Command) -> bool {
        matches!(
            command,
            Command::NewSession
                | Command::EditSession
                | Command::Enrol
                | Command::Delete
                | Command::OutcomePassed
                | Command::OutcomeFailed
                | Command::OutcomeAttended
                | Command::OutcomeAbsent
                | Command::CloseSession
        )
    }

    /// The opened session, once loaded.
    pub fn opened(&self) -> Option<&SessionDetail> {
        self.detail.as_ref().and_then(Remote::data)
    }

    /// True when the command would act here and now (for the footer).
    pub(super) fn offers_write(&self, command: Command) -> bool {
        if self.action.is_some() {
            return false;
        }
        let Some(detail) = self.opened() else {
            return command == Command::NewSession && self.detail.is_none();
        };
        let open = detail.summary.closed_on.is_none();
        let trainee = !detail.trainees.is_empty();
        match command {
            Command::NewSession => false,
            Command::EditSession | Command::Enrol | Command::CloseSession => open,
            _ => open && trainee,
        }
    }

    fn load_catalogue(&mut self, cx: &mut Cx<'_>) {
        if self.catalogue.data().is_none() && !self.catalogue.is_loading() {
            let id = cx.request(Request::Catalogue);
            self.catalogue.start(id);
        }
    }

    /// Starts a write, or says why not in the status line.
    pub(super) fn start_write(&mut self, command: Command, cx: &mut Cx<'_>) {
        if command == Command::NewSession {
            if self.detail.is_none() {
                let mut form = new_form();
                if let Some(catalogue) = self.catalogue.data() {
                    set_catalogue(&mut form, catalogue, None);
                }
                self.load_catalogue(cx);
                self.action = Some(SessionAction::New(Box::new(form)));
            }
            return;
        }
        let Some(detail) = self.opened() else { return };
        if let Some(closed) = detail.summary.closed_on {
            cx.notice = Some(format!(
                "Session clôturée le {} : ses dates, stagiaires et résultats ne changent plus.",
                format_date(closed)
            ));
            return;
        }
        if self.writing.is_some() {
            cx.notice = Some("Un résultat est en cours d'enregistrement : patientez.".to_owned());
            return;
        }
        let id = detail.summary.id;
        let trainee = detail.trainees.get(self.trainee_cursor.selected());
        let outcome = match command {
            Command::OutcomePassed => Some(TraineeOutcome::Passed),
            Command::OutcomeFailed => Some(TraineeOutcome::Failed),
            Command::OutcomeAttended => Some(TraineeOutcome::Attended),
            Command::OutcomeAbsent => Some(TraineeOutcome::Absent),
            _ => None,
        };
        if let Some(outcome) = outcome {
            if let Some(t) = trainee {
                let worker = t.worker_id;
                self.write_error = None;
                self.written = Some(worker);
                self.writing = Some(cx.request(Request::SetOutcome {
                    session: id,
                    worker,
                    outcome,
                }));
            }
            return;
        }
        self.action = match command {
            Command::EditSession => {
                let mut form = edit_form(detail);
                let code = detail.summary.training_code.clone();
                if let Some(catalogue) = self.catalogue.data() {
                    set_catalogue(&mut form, catalogue, Some(&code));
                }
                self.load_catalogue(cx);
                Some(SessionAction::Edit {
                    id,
                    code,
                    form: Box::new(form),
                })
            }
            Command::Enrol => {
                let enrolled: BTreeSet<WorkerId> =
                    detail.trainees.iter().map(|t| t.worker_id).collect();
                let mut picker = EnrolPicker::new(enrolled, self.organisation);
                if self.roster.data().is_none() && !self.roster.is_loading() {
                    let request = cx.request(Request::Roster);
                    self.roster.start(request);
                }
                picker.narrow(&self.roster);
                Some(SessionAction::Enrol(Box::new(picker)))
            }
            Command::Delete => trainee.map(|t| SessionAction::Remove {
                worker: t.worker_id,
                confirm: Confirm::new(format!(
                    "Retirer {} {} de la session ? (o/n)",
                    sanitize(&t.last_name),
                    sanitize(&t.first_names)
                )),
            }),
            Command::CloseSession => self.close_question(detail, cx),
            _ => None,
        };
    }

    /// The close question, or `None` with the reason in the status line: the server closes a
    /// session only from its end date, every trainee with a result (docs/model.md).
    fn close_question(&self, detail: &SessionDetail, cx: &mut Cx<'_>) -> Option<SessionAction> {
        let end = detail.summary.end_date;
        if end > cx.today {
            cx.notice = Some(format!(
                "La session se termine le {} : elle se clôture à partir de ce jour.",
                format_date(end)
            ));
            return None;
        }
        let pending = detail
            .trainees
            .iter()
            .filter(|t| t.outcome == TraineeOutcome::Pending)
            .count();
        if pending > 0 {
            cx.notice = Some(format!(
                "{} sans résultat : R réussite, f échec, p présent, b absent, puis c.",
                crate::text::count(pending as u64, "stagiaire", "stagiaires")
            ));
            return None;
        }
        Some(SessionAction::Close {
            key: new_idempotency_key(),
            confirm: Confirm::new(format!(
                "Clôturer la session ? {} : les passeports seront mis à jour (o/n)",
                outcome_counts(detail)
            )),
        })
    }

    /// A key while a write is open: it takes every key but Ctrl-C.
    pub(super) fn write_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let session = self.opened().map(|d| d.summary.id);
        let editing = match &self.action {
            Some(SessionAction::Edit { id, .. }) => Some(*id),
            _ => None,
        };
        let request = match &mut self.action {
            None => return false,
            Some(SessionAction::New(form) | SessionAction::Edit { form, .. }) => {
                match form.on_key(key) {
                    FormOutcome::Ignored => return false,
                    FormOutcome::Handled | FormOutcome::OpenWorker(_) => {}
                    FormOutcome::Cancel => self.action = None,
                    FormOutcome::Submit if !check_dates(form) => {}
                    FormOutcome::Submit => {
                        let request = match editing {
                            Some(id) => Request::UpdateSession {
                                id,
                                patch: Box::new(patch(form)),
                            },
                            None => Request::CreateSession {
                                session: Box::new(new_session(form)),
                                key: form.idempotency_key.clone(),
                            },
                        };
                        form.state = FormState::Sending(cx.request(request));
                    }
                }
                return true;
            }
            Some(SessionAction::Enrol(picker)) => {
                match picker.on_key(key, &self.roster) {
                    PickerOutcome::Ignored => return false,
                    PickerOutcome::Handled => {}
                    PickerOutcome::Cancel => self.action = None,
                    PickerOutcome::NewPerson => {
                        self.action = Some(SessionAction::Person(Box::new(person_form())));
                    }
                    PickerOutcome::Enrol(workers) => {
                        if let Some(session) = session {
                            picker.sending = Some(cx.request(Request::EnrolTrainees {
                                session,
                                workers,
                                key: picker.key.clone(),
                            }));
                        }
                    }
                }
                return true;
            }
            Some(SessionAction::Person(form)) => {
                match form.on_key(key) {
                    FormOutcome::Ignored => return false,
                    FormOutcome::Handled | FormOutcome::OpenWorker(_) => {}
                    FormOutcome::Cancel => self.action = None,
                    FormOutcome::Submit if !check_siret(form) => {}
                    FormOutcome::Submit => {
                        if let Some(session) = session {
                            let request = Request::EnrolPerson {
                                session,
                                trainee: Box::new(new_person(form)),
                                key: form.idempotency_key.clone(),
                            };
                            form.state = FormState::Sending(cx.request(request));
                        }
                    }
                }
                return true;
            }
            Some(SessionAction::Remove { worker, .. }) => {
                session.map(|session| Request::RemoveTrainee {
                    session,
                    worker: *worker,
                })
            }
            Some(SessionAction::Close { key: idem, .. }) => {
                session.map(|session| Request::CloseSession {
                    session,
                    key: idem.clone(),
                })
            }
        };
        self.confirm_key(key, request, cx)
    }

    /// « o » sends `request`, « n » or Échap closes the question.
    fn confirm_key(&mut self, key: &KeyEvent, request: Option<Request>, cx: &mut Cx<'_>) -> bool {
        let Some(SessionAction::Remove { confirm, .. } | SessionAction::Close { confirm, .. }) =
            &mut self.action
        else {
            return false;
        };
        if confirm.sending.is_some() {
            return true;
        }
        match key.code {
            KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                if let Some(request) = request {
                    confirm.error = None;
                    confirm.sending = Some(cx.request(request));
                }
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => self.action = None,
            _ => {}
        }
        true
    }

    /// Pasted text goes to the open form or the picker's filter.
    pub(super) fn write_paste(&mut self, text: &str) {
        match &mut self.action {
            Some(
                SessionAction::New(form)
                | SessionAction::Edit { form, .. }
                | SessionAction::Person(form),
            ) => {
                form.on_paste(text);
            }
            Some(SessionAction::Enrol(picker)) => picker.on_paste(text, &self.roster),
            _ => {}
        }
    }

    /// The answer of a write, the catalogue or the roster; hands back any other answer.
    pub(super) fn write_response(
        &mut self,
        id: RequestId,
        result: Result<Response, ApiError>,
        cx: &mut Cx<'_>,
    ) -> Option<Result<Response, ApiError>> {
        if self.catalogue.expects(id) {
            self.catalogue_arrived(id, result);
            return None;
        }
        if self.roster.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Roster(workers, index) => Ok(Roster { workers, index }),
                _ => Err(unexpected()),
            });
            self.roster.finish(id, result);
            if let Some(SessionAction::Enrol(picker)) = &mut self.action {
                picker.narrow(&self.roster);
            }
            return None;
        }
        if self.writing == Some(id) {
            self.writing = None;
            match result {
                Ok(Response::Session(detail)) => {
                    // Still on the trainee just written: on to the next one, as on a paper list.
                    let at = self.trainee_cursor.selected();
                    let on_written = self
                        .opened()
                        .and_then(|d| d.trainees.get(at))
                        .is_some_and(|t| Some(t.worker_id) == self.written);
                    self.show(*detail);
                    if on_written {
                        let len = self.opened().map_or(0, |d| d.trainees.len());
                        self.trainee_cursor
                            .select((at + 1).min(len.saturating_sub(1)), len);
                    }
                }
                Ok(_) => self.write_error = Some(unexpected().to_string()),
                Err(error) => self.write_error = Some(format!("Résultat non enregistré : {error}")),
            }
            return None;
        }
        let ours = match &self.action {
            Some(
                SessionAction::New(form)
                | SessionAction::Edit { form, .. }
                | SessionAction::Person(form),
            ) => form.state == FormState::Sending(id),
            Some(SessionAction::Enrol(picker)) => picker.sending == Some(id),
            Some(SessionAction::Remove { confirm, .. } | SessionAction::Close { confirm, .. }) => {
                confirm.sending == Some(id)
            }
            None => false,
        };
        if !ours {
            return Some(result);
        }
        let action = self.action.take()?;
        match result {
            Ok(Response::Session(detail)) => {
                cx.notice = Some(match &action {
                    SessionAction::New(_) => format!(
                        "Session « {} » créée : i pour inscrire des stagiaires.",
                        sanitize(&detail.summary.title)
                    ),
                    SessionAction::Edit { .. } => "Session modifiée.".to_owned(),
                    SessionAction::Enrol(picker) => {
                        let n = picker.marked.len() as u64;
                        format!(
                            "{} {}.",
                            crate::text::count(n, "stagiaire", "stagiaires"),
                            crate::text::agree(n, "inscrit", "inscrits")
                        )
                    }
                    SessionAction::Person(form) => format!(
                        "{} {} inscrit(e) à la session.",
                        sanitize(form.text("last_name")),
                        sanitize(form.text("first_names"))
                    ),
                    SessionAction::Remove { .. } => "Stagiaire retiré de la session.".to_owned(),
                    SessionAction::Close { .. } => {
                        let written = detail
                            .trainees
                            .iter()
                            .filter(|t| {
                                matches!(
                                    t.outcome,
                                    TraineeOutcome::Passed | TraineeOutcome::Attended
                                )
                            })
                            .count();
                        format!(
                            "Session clôturée : {} à jour.",
                            crate::text::count(written as u64, "passeport mis", "passeports mis")
                        )
                    }
                });
                if matches!(action, SessionAction::New(_)) {
                    self.trainee_cursor = Default::default();
                }
                if matches!(action, SessionAction::Person(_)) {
                    // The organisation now sees that person: the roster reloads with them.
                    self.roster = Remote::default();
                }
                self.show(*detail);
                self.load(cx);
            }
            Ok(_) => cx.notice = Some(unexpected().to_string()),
            Err(error) => self.action = Some(failed(action, &error)),
        }
        None
    }

    fn catalogue_arrived(&mut self, id: RequestId, result: Result<Response, ApiError>) {
        let result = result.and_then(|r| match r {
            Response::Catalogue(types) => Ok(types),
            _ => Err(unexpected()),
        });
        self.catalogue.finish(id, result);
        let (form, code) = match &mut self.action {
            Some(SessionAction::New(form)) => (form, None),
            Some(SessionAction::Edit { form, code, .. }) => (form, Some(code.as_str())),
            _ => return,
        };
        if let Some(catalogue) = self.catalogue.data() {
            set_catalogue(form, catalogue, code);
        } else if let Some(error) = self.catalogue.error() {
            form.state = FormState::Failed(format!(
                "Catalogue indisponible : {error} (Échap, puis rouvrez le formulaire)"
            ));
        }
    }

    /// Shows the session as a write answered it, the trainee selection kept in range.
    fn show(&mut self, detail: SessionDetail) {
        let len = detail.trainees.len();
        self.detail = Some(Remote::ready(detail));
        self.trainee_cursor
            .select(self.trainee_cursor.selected(), len);
    }

    /// `d` on the opened session: the declaration form, pre-filled ([`Navigate::DeclareSession`]),
    /// when a trainee is left to declare; else why not, in the status line.
    pub(super) fn declare(&self, cx: &mut Cx<'_>) {
        let Some(detail) = self.opened() else { return };
        let left = detail.trainees.iter().any(|t| {
            !t.declared
                && t.outcome
                    .declared_as(crate::domain::DeclarationKind::Attestation)
                    .is_some()
        });
        if left {
            cx.navigate = Some(Navigate::DeclareSession);
        } else if detail.trainees.is_empty() {
            cx.notice =
                Some("Rien à déclarer : aucun stagiaire inscrit (i pour en inscrire).".to_owned());
        } else if detail
            .trainees
            .iter()
            .any(|t| t.outcome == TraineeOutcome::Pending)
        {
            cx.notice = Some(
                "Rien à déclarer encore : donnez les résultats (R réussite, f échec, p présent, \
                 b absent)."
                    .to_owned(),
            );
        } else {
            cx.notice = Some(
                "Rien à déclarer : chaque stagiaire présent est déjà déclaré, un absent ne l'est \
                 jamais."
                    .to_owned(),
            );
        }
    }

    /// Draws the open write over the screen, and nothing else.
    pub(super) fn render_write(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let Some(action) = &self.action else { return };
        match action {
            SessionAction::New(form)
            | SessionAction::Edit { form, .. }
            | SessionAction::Person(form) => {
                render_form(form, frame, area, theme);
            }
            SessionAction::Enrol(picker) => picker.render(&self.roster, frame, area, theme),
            SessionAction::Remove { confirm, .. } | SessionAction::Close { confirm, .. } => {
                let mut lines = vec![(confirm.text.clone(), false)];
                let keys = match (&confirm.sending, &confirm.error) {
                    (Some(_), _) => "Envoi…",
                    (None, Some(error)) => {
                        lines.push((sanitize(error), true));
                        "o réessayer · n annuler"
                    }
                    (None, None) => "o oui · n non",
                };
                question(frame, area, theme, &lines, keys);
            }
        }
    }
}

/// The write as it stands after its request failed: field errors under their fields, the rest
/// in place; nothing typed or marked is lost.
fn failed(action: SessionAction, error: &ApiError) -> SessionAction {
    match action {
        SessionAction::New(mut form) => {
            form.failed(error);
            SessionAction::New(form)
        }
        SessionAction::Edit { id, code, mut form } => {
            form.failed(error);
            SessionAction::Edit { id, code, form }
        }
        SessionAction::Person(mut form) => {
            form.failed(error);
            SessionAction::Person(form)
        }
        SessionAction::Enrol(mut picker) => {
            picker.sending = None;
            picker.error = Some(format!("Inscription interrompue : {error}"));
            SessionAction::Enrol(picker)
        }
        SessionAction::Remove {
            worker,
            mut confirm,
        } => {
            confirm.sending = None;
            confirm.error = Some(error.to_string());
            SessionAction::Remove { worker, confirm }
        }
        SessionAction::Close { key, mut confirm } => {
            confirm.sending = None;
            confirm.error = Some(error.to_string());
            SessionAction::Close { key, confirm }
        }
    }
}
