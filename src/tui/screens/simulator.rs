//! Simulateur: walks the decision tree of `assets/simulator.toml` one question at a time
//! (question, short help, source of the rule), shows the path so far as breadcrumbs, and ends on
//! the outcome. One rule for the keys: ↑↓ choose an answer, only Entrée validates it; digits are
//! screen keys here as everywhere (they never answer); « Non » is always the last answer, so the
//! same answer keeps the same place from one question to the next. Échap (or Retour arrière, out
//! of a date) goes back one question, with the answer given there selected again — every answer
//! and date typed is remembered, so stepping back and forth loses nothing; in a date, Retour
//! arrière only erases.
//! From *à déclarer*, Enter opens the declaration form ([`crate::tui::form`]) pre-filled from the
//! answers (and from the session, when opened with `d` on Sessions). Every change of the form is
//! saved as a draft; in the form, a first Échap leaves the field (digits and letters are then
//! commands again), a second one closes the form — nothing is lost, the draft is on disk. The
//! drafts in progress are listed under the first question (« Brouillons en cours », reached with
//! `b`, never through the answers) and reopen exactly as left. Submission: the server's
//! validation, then the creation under the draft's idempotency key; on success the draft is
//! deleted and the Déclarations screen shows the new declaration.

pub mod declare;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Cx, Navigate, Screen};
use crate::api::ApiError;
use crate::api::contract::{DeclarationView, SessionDetail};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::drafts::{Draft, ListedDraft};
use crate::rules::Rules;
use crate::simulator::{Cited, Known, Origin, Outcome, Step, Walk};
use crate::text::{agree, count};
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::form::render::{truncate, wrap};
use crate::tui::form::{Form, FormEvent, Roster, Submission, fields};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::sanitize;

/// State of the Simulateur screen.
#[derive(Debug)]
pub struct SimulatorScreen {
    /// The walk through the tree.
    pub walk: Walk,
    /// The highlighted answer of the current question, in the order shown ([`display_order`]).
    pub selected: usize,
    /// True while the drafts list has the focus (`b` on the first question).
    pub drafts_focused: bool,
    /// The highlighted draft of the list.
    pub draft_selected: usize,
    /// The answer last given at each question or date (node id → answer label or jj/mm/aaaa),
    /// selected or typed again when the walk comes back there.
    remembered: HashMap<String, String>,
    /// True after a first Échap in the form: the field is left; a second Échap closes the form.
    pub form_escaped: bool,
    /// The date being typed at a date step (`jj/mm/aaaa`).
    pub date_input: String,
    /// The last input error, shown under the question.
    pub error: Option<String>,
    /// A message after an action (draft deleted, declaration recorded).
    pub notice: Option<String>,
    /// The session the simulation was opened from (`d` on Sessions).
    pub from_session: Option<SessionId>,
    /// That session, for the pre-fill.
    pub session: Remote<SessionDetail>,
    /// The drafts in progress.
    pub drafts: Remote<Vec<ListedDraft>>,
    /// The draft whose deletion awaits « o/n ».
    pub confirm_delete: Option<String>,
    /// The declaration form (kept when closed, to reopen it from the outcome).
    pub form: Option<Form>,
    /// True while the form is shown (it then takes every key, Tab included).
    pub form_open: bool,
    /// The roster, for picking titulaires.
    pub roster: Remote<Roster>,
    /// The last draft save error, if the last save failed.
    pub save_error: Option<String>,
    saves: BTreeSet<RequestId>,
    deleting: Option<RequestId>,
    /// The open form waits for the session to fill itself.
    session_pending: bool,
    /// The catalogue, for the declaration kind of a session's training type.
    catalogue: Arc<Catalogue>,
}

impl SimulatorScreen {
    /// A fresh walk over the loaded rules.
    pub fn new(rules: &Rules) -> Self {
        Self {
            walk: Walk::new(Arc::clone(&rules.simulator), Arc::clone(&rules.deadlines)),
            catalogue: Arc::clone(&rules.catalogue),
            selected: 0,
            drafts_focused: false,
            draft_selected: 0,
            remembered: HashMap::new(),
            form_escaped: false,
            date_input: String::new(),
            error: None,
            notice: None,
            from_session: None,
            session: Remote::default(),
            drafts: Remote::default(),
            confirm_delete: None,
            form: None,
            form_open: false,
            roster: Remote::default(),
            save_error: None,
            saves: BTreeSet::new(),
            deleting: None,
            session_pending: false,
        }
    }

    /// Restarts the walk for a declaration of the given session (its data loads on enter).
    pub fn prefill_from_session(&mut self, session: SessionId) {
        self.restart();
        self.from_session = Some(session);
        self.know_session();
    }

    /// The account is known: the simulator does not ask who declares (it shows the answer, which
    /// going back changes).
    pub fn know_account(&mut self, declarant: DeclarantKind) {
        let known = Known {
            declarant: Some(declarant),
            ..self.walk.known().clone()
        };
        self.know(known);
    }

    /// The session's training type and trainee outcomes, once it is loaded, answer the category
    /// and kind questions.
    fn know_session(&mut self) {
        let session = self
            .session
            .data()
            .filter(|s| Some(s.summary.id) == self.from_session);
        let known = Known {
            training_code: session.map(|s| s.summary.training_code.clone()),
            kind: session.and_then(|s| session_kind(s, &self.catalogue)),
            ..self.walk.known().clone()
        };
        self.know(known);
    }

    fn know(&mut self, known: Known) {
        if *self.walk.known() != known {
            let fresh = self.walk.user_steps() == 0;
            self.walk.know(known);
            if fresh {
                self.walked();
            }
        }
    }

    /// Back to the first question; the form is closed (its draft stays on disk).
    pub fn restart(&mut self) {
        let known = Known {
            declarant: self.walk.known().declarant,
            ..Known::default()
        };
        self.walk.know(known);
        self.walk.restart();
        self.selected = 0;
        self.drafts_focused = false;
        self.remembered.clear();
        self.date_input.clear();
        self.error = None;
        self.from_session = None;
        self.form = None;
        self.form_open = false;
        self.session_pending = false;
        self.confirm_delete = None;
    }

    /// The readable drafts in progress (announced on the status line).
    pub fn draft_count(&self) -> usize {
        self.drafts.data().map_or(0, |list| {
            list.iter()
                .filter(|d| matches!(d, ListedDraft::Readable(_)))
                .count()
        })
    }

    /// True on the first question the user answers, where the drafts are listed.
    fn at_start(&self) -> bool {
        self.walk.user_steps() == 0 && matches!(self.walk.current(), Step::Question { .. })
    }

    fn answer_count(&self) -> usize {
        match self.walk.current() {
            Step::Question { answers, .. } => answers.len(),
            _ => 0,
        }
    }

    /// The answers' indexes in the tree, in the order shown.
    pub fn order(&self) -> Vec<usize> {
        match self.walk.current() {
            Step::Question { answers, .. } => display_order(&answers),
            _ => Vec::new(),
        }
    }

    /// Drafts listed under the first question.
    fn listed(&self) -> &[ListedDraft] {
        if self.at_start() {
            self.drafts.data().map_or(&[], Vec::as_slice)
        } else {
            &[]
        }
    }

    /// The walk moved: a form kept for the previous outcome no longer matches it. The answer
    /// given here before, if any, is selected (or typed) again.
    fn walked(&mut self) {
        self.selected = 0;
        self.error = None;
        self.date_input.clear();
        if !self.form_open {
            self.form = None;
        }
        let remembered = self.remembered.get(self.walk.current_id()).cloned();
        match (self.walk.current(), remembered) {
            (Step::Question { answers, .. }, Some(label)) => {
                let order = display_order(&answers);
                if let Some(at) = order.iter().position(|&i| answers[i] == label) {
                    self.selected = at;
                }
            }
            (Step::Date { .. }, Some(date)) => self.date_input = date,
            _ => {}
        }
        self.prefill_date();
    }

    /// Validates the answer shown at `position`.
    fn answer(&mut self, position: usize) {
        let node = self.walk.current_id().to_owned();
        let (index, label) = match self.walk.current() {
            Step::Question { answers, .. } => {
                let index = display_order(&answers)
                    .get(position)
                    .copied()
                    .unwrap_or(position);
                (index, answers.get(index).map(|a| (*a).to_owned()))
            }
            _ => (position, None),
        };
        match self.walk.answer(index) {
            Ok(()) => {
                if let Some(label) = label {
                    self.remembered.insert(node, label);
                }
                self.walked();
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn submit_date(&mut self) {
        let node = self.walk.current_id().to_owned();
        match fields::parse_date(&self.date_input) {
            Ok(date) => match self.walk.answer_date(date) {
                Ok(()) => {
                    self.remembered.insert(node, fields::format_date(date));
                    self.walked();
                }
                Err(e) => self.error = Some(fields::sentence(&e.to_string())),
            },
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn back(&mut self) -> bool {
        let moved = self.walk.back();
        if moved {
            self.walked();
        }
        moved
    }

    /// At the question of the training's end date, proposes the session's end date.
    fn prefill_date(&mut self) {
        let end = self
            .session
            .data()
            .filter(|s| Some(s.summary.id) == self.from_session)
            .map(|s| s.summary.end_date);
        if let (Step::Date { .. }, Some(end)) = (self.walk.current(), end)
            && self.walk.facts().end_date.is_none()
            && self.date_input.is_empty()
        {
            self.date_input = fields::format_date(end);
        }
    }

    fn load_drafts(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::ListDrafts);
        self.drafts.start(id);
    }

    fn load_session(&mut self, cx: &mut Cx<'_>) {
        if let Some(session) = self.from_session {
            let loaded = self.session.data().is_some_and(|s| s.summary.id == session);
            if !loaded && !self.session.is_loading() {
                let id = cx.request(Request::Session(session));
                self.session.start(id);
            }
        }
    }

    /// Saves the open form as a draft (a new revision).
    fn save(&mut self, cx: &mut Cx<'_>) {
        if let Some(form) = &mut self.form {
            let draft = form.next_revision();
            let id = cx.request(Request::SaveDraft(Box::new(draft)));
            self.saves.insert(id);
        }
    }

    /// Opens the form of the current outcome *à déclarer* (the same one if it was only closed).
    fn open_from_outcome(&mut self, cx: &mut Cx<'_>) {
        if self.form.is_none() {
            let Step::Outcome(Outcome::ADeclarer {
                prefill, due_date, ..
            }) = self.walk.current()
            else {
                return;
            };
            let mut form = Form::from_prefill(&prefill, due_date, self.from_session, cx.today);
            self.session_pending = self.from_session.is_some();
            if self.from_session.is_some() {
                form.notice = Some("Chargement de la session…".to_owned());
            }
            self.form = Some(form);
            self.apply_session();
        }
        self.form_open = true;
        self.save(cx);
    }

    /// Opens a draft of the list.
    fn open_draft(&mut self, draft: &Draft, cx: &mut Cx<'_>) {
        let same = self.form.as_ref().is_some_and(|f| f.id() == draft.id);
        if !same {
            let mut form = Form::from_draft(draft, cx.today);
            form.notice = Some("Brouillon repris tel que laissé".to_owned());
            self.form = Some(form);
            self.session_pending = false;
        }
        self.form_open = true;
    }

    /// Fills the waiting form from the loaded session.
    fn apply_session(&mut self) {
        if !self.session_pending {
            return;
        }
        let (Some(form), Some(session)) = (&mut self.form, self.session.data()) else {
            return;
        };
        if form.session_id != Some(session.summary.id) {
            return;
        }
        let issued = issued_kind(session, &self.catalogue);
        let added = form.apply_session(session, issued) as u64;
        let absent = session
            .trainees
            .iter()
            .filter(|t| t.outcome == TraineeOutcome::Absent)
            .count() as u64;
        // The absent trainees are not declared: say so, rather than drop them silently.
        let absent = match absent {
            0 => String::new(),
            n => format!(" · {} non repris", count(n, "absent", "absents")),
        };
        form.notice = Some(format!(
            "Pré-rempli depuis la session « {} » : {} {}{absent}",
            session.summary.title,
            count(added, "titulaire", "titulaires"),
            agree(added, "ajouté", "ajoutés"),
        ));
        self.session_pending = false;
    }

    fn close_form(&mut self, cx: &mut Cx<'_>) {
        self.save(cx);
        self.form_open = false;
        self.form_escaped = false;
        self.load_drafts(cx);
    }

    /// Starts (or retries) the submission of the open form.
    fn submit(&mut self, cx: &mut Cx<'_>) {
        let Some(form) = &mut self.form else { return };
        let create_now = form.submit_attempted
            || matches!(form.submission, Submission::Failed { creating: true, .. });
        form.notice = None;
        if create_now {
            self.create(cx);
        } else {
            form.set_server_errors(Vec::new());
            let id = cx.request(Request::ValidateDeclaration(Box::new(form.declaration())));
            form.submission = Submission::Validating(id);
        }
    }

    /// Sends the creation under the draft's key, after recording in the draft that it was sent.
    fn create(&mut self, cx: &mut Cx<'_>) {
        let Some(form) = &mut self.form else { return };
        form.submit_attempted = true;
        let declaration = Box::new(form.declaration());
        let key = form.idempotency_key().to_owned();
        self.save(cx);
        let id = cx.request(Request::CreateDeclaration { declaration, key });
        if let Some(form) = &mut self.form {
            form.submission = Submission::Creating(id);
        }
    }

    fn form_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(form) = &mut self.form else {
            self.form_open = false;
            return false;
        };
        // A prompt or the titulaire search take Échap themselves (to cancel, to close).
        let modal = form.confirm_remove.is_some() || form.picker.is_some();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if !modal && plain && key.code == KeyCode::Esc {
            if self.form_escaped {
                self.form_escaped = false;
                self.close_form(cx);
            } else {
                self.form_escaped = true;
            }
            return true;
        }
        if self.form_escaped {
            match key.code {
                // Out of the field, characters and Tab are the app's keys (screens, quit, help).
                KeyCode::Char(_) | KeyCode::Tab | KeyCode::BackTab if plain => return false,
                KeyCode::Enter => {
                    self.form_escaped = false;
                    return true;
                }
                // Any other key goes back to the field.
                _ => self.form_escaped = false,
            }
        }
        match form.on_key(key, &self.roster) {
            FormEvent::Ignored => false,
            FormEvent::Handled => true,
            FormEvent::Changed => {
                self.save(cx);
                true
            }
            FormEvent::Close => {
                self.close_form(cx);
                true
            }
            FormEvent::Submit => {
                self.submit(cx);
                true
            }
            FormEvent::NeedRoster => {
                if self.roster.data().is_none() && !self.roster.is_loading() {
                    let id = cx.request(Request::Roster);
                    self.roster.start(id);
                }
                true
            }
        }
    }

    fn confirm_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) {
        match key.code {
            KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                if let Some(draft) = self.confirm_delete.take() {
                    if self.form.as_ref().is_some_and(|f| f.id() == draft) {
                        self.form = None;
                    }
                    self.deleting = Some(cx.request(Request::DeleteDraft(draft)));
                }
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => self.confirm_delete = None,
            _ => {}
        }
    }

    /// Enter on a row of the drafts list.
    fn open_listed(&mut self, index: usize, cx: &mut Cx<'_>) {
        match self.listed().get(index).cloned() {
            Some(ListedDraft::Readable(draft)) => self.open_draft(&draft, cx),
            Some(ListedDraft::Corrupt(corrupt)) => {
                self.error = Some(format!(
                    "Ce brouillon est illisible ({}) : il est conservé tel quel ; x pour le supprimer",
                    corrupt.message
                ));
            }
            None => {}
        }
    }

    fn on_created(&mut self, view: &DeclarationView, created: bool, cx: &mut Cx<'_>) {
        let reference = &view.summary.reference;
        if let Some(form) = self.form.take() {
            self.deleting = Some(cx.request(Request::DeleteDraft(form.id().to_owned())));
        }
        self.form_open = false;
        self.restart();
        self.notice = Some(if created {
            format!("Déclaration {reference} enregistrée ; son brouillon est supprimé.")
        } else {
            format!(
                "Déclaration {reference} déjà enregistrée (même clé) ; son brouillon est supprimé."
            )
        });
        cx.navigate = Some(Navigate::Created {
            id: view.summary.id,
            new: created,
        });
    }

    fn on_submission(
        &mut self,
        id: RequestId,
        result: Result<Response, ApiError>,
        cx: &mut Cx<'_>,
    ) {
        let Some(form) = &mut self.form else { return };
        let creating = match form.submission {
            Submission::Validating(expected) if expected == id => false,
            Submission::Creating(expected) if expected == id => true,
            _ => return,
        };
        match result {
            Ok(Response::Validated(_)) if !creating => self.create(cx),
            Ok(Response::Created(view, created)) => self.on_created(&view, created, cx),
            Ok(_) => {
                form.submission = Submission::Failed {
                    creating,
                    message: "réponse inattendue du serveur".to_owned(),
                };
            }
            Err(ApiError::Invalid { errors }) => {
                // A 422 records nothing: the draft may change again.
                let count = errors.len();
                form.set_server_errors(errors);
                form.submit_attempted = false;
                form.submission = Submission::Failed {
                    creating: false,
                    message: format!(
                        "Le serveur a refusé la déclaration : {count} problème{} (voir Vérification)",
                        if count > 1 { "s" } else { "" }
                    ),
                };
                form.show_review();
                self.save(cx);
            }
            Err(error) => {
                form.submission = Submission::Failed {
                    creating,
                    message: error.to_string(),
                };
            }
        }
    }

    fn walk_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let step_is_date = matches!(self.walk.current(), Step::Date { .. });
        if step_is_date
            && key.modifiers.contains(KeyModifiers::CONTROL)
            && key.code == KeyCode::Char('u')
        {
            self.date_input.clear();
            return true;
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        if self.drafts_focused {
            return self.drafts_key(key, cx);
        }
        let is_declare = matches!(
            self.walk.current(),
            Step::Outcome(Outcome::ADeclarer { .. })
        );
        let count = self.answer_count();
        match key.code {
            // In a date, Retour arrière only erases: holding it never leaves the date.
            KeyCode::Backspace if step_is_date => {
                self.date_input.pop();
            }
            KeyCode::Backspace | KeyCode::Esc => return self.back(),
            KeyCode::Char(c) if step_is_date && (c.is_ascii_digit() || c == '/') => {
                if self.date_input.chars().count() < 10 {
                    self.date_input.push(c);
                }
            }
            KeyCode::Enter if step_is_date => self.submit_date(),
            KeyCode::Enter if is_declare => self.open_from_outcome(cx),
            KeyCode::Char('b') if !self.listed().is_empty() => {
                self.drafts_focused = true;
                self.draft_selected = self.draft_selected.min(self.listed().len() - 1);
            }
            KeyCode::Up | KeyCode::Char('k') if count > 0 => {
                self.selected = self.selected.saturating_sub(1);
            }
            KeyCode::Down | KeyCode::Char('j') if count > 0 => {
                self.selected = (self.selected + 1).min(count - 1);
            }
            KeyCode::Home if count > 0 => self.selected = 0,
            KeyCode::End if count > 0 => self.selected = count - 1,
            KeyCode::Enter if count > 0 => self.answer(self.selected),
            _ => return false,
        }
        true
    }

    /// Keys while the drafts list has the focus; Échap (or `b`) gives it back to the answers.
    fn drafts_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let len = self.listed().len();
        if len == 0 {
            self.drafts_focused = false;
            return false;
        }
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.draft_selected = self.draft_selected.saturating_sub(1);
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.draft_selected = (self.draft_selected + 1).min(len - 1);
            }
            KeyCode::Enter => self.open_listed(self.draft_selected, cx),
            KeyCode::Char('x') | KeyCode::Delete => {
                let id = self.listed()[self.draft_selected.min(len - 1)]
                    .id()
                    .to_owned();
                self.confirm_delete = Some(id);
            }
            KeyCode::Esc | KeyCode::Char('b') => self.drafts_focused = false,
            _ => return false,
        }
        true
    }
}

/// The order answers are shown in: the tree's order, except that « Non » always comes last, so
/// that a reflexive key press never lands on a « Oui » where « Non » was the question before
/// (review 2026-12 finding 3). Returns the answers' indexes in the tree.
pub fn display_order(answers: &[&str]) -> Vec<usize> {
    let is_no = |a: &str| a == "Non" || a.starts_with("Non,") || a.starts_with("Non ");
    let (no, yes): (Vec<usize>, Vec<usize>) = (0..answers.len()).partition(|&i| is_no(answers[i]));
    yes.into_iter().chain(no).collect()
}

impl Screen for SimulatorScreen {
    fn contexts(&self) -> &'static [Context] {
        &[]
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        if self.drafts.is_idle() {
            self.load_drafts(cx);
        }
        self.load_session(cx);
    }

    /// The drafts are listed from the start, so that the status line can announce them.
    fn preload(&mut self, cx: &mut Cx<'_>) {
        if self.drafts.is_idle() {
            self.load_drafts(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load_drafts(cx);
        if self.session.error().is_some() {
            self.session = Remote::default();
            self.load_session(cx);
        }
        if self.roster.error().is_some() {
            let id = cx.request(Request::Roster);
            self.roster.start(id);
        }
    }

    fn input_focused(&self) -> bool {
        if self.form_open {
            return !self.form_escaped && self.form.as_ref().is_some_and(Form::text_focused);
        }
        matches!(self.walk.current(), Step::Date { .. }) && self.confirm_delete.is_none()
    }

    fn escape_hint(&self) -> Option<&'static str> {
        if self.form_open {
            let modal = self
                .form
                .as_ref()
                .is_some_and(|f| f.confirm_remove.is_some() || f.picker.is_some());
            return Some(match (modal, self.form_escaped) {
                (true, _) => "annuler",
                (false, true) => "fermer le formulaire (brouillon gardé) · Entrée reprendre",
                (false, false) => "quitter le champ",
            });
        }
        if self.confirm_delete.is_some() {
            return Some("annuler");
        }
        if self.drafts_focused {
            return Some("revenir aux réponses");
        }
        if self.walk.user_steps() > 0 {
            Some("question précédente")
        } else {
            // Only the answers known from the account are behind: Échap reopens them.
            (!self.walk.path().is_empty()).then_some("changer le déclarant")
        }
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        if self.form_open {
            return self.form_key(key, cx);
        }
        if self.confirm_delete.is_some() {
            self.confirm_key(key, cx);
            return true;
        }
        self.notice = None;
        self.walk_key(key, cx)
    }

    fn on_command(&mut self, command: Command, _cx: &mut Cx<'_>) -> bool {
        match command {
            Command::Back if !self.form_open => self.back(),
            _ => false,
        }
    }

    fn on_paste(&mut self, text: &str, cx: &mut Cx<'_>) {
        if self.form_open {
            if let Some(form) = &mut self.form
                && form.on_paste(text) == FormEvent::Changed
            {
                self.save(cx);
            }
        } else if matches!(self.walk.current(), Step::Date { .. }) {
            for c in text.chars().filter(|c| c.is_ascii_digit() || *c == '/') {
                if self.date_input.chars().count() < 10 {
                    self.date_input.push(c);
                }
            }
        }
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        if self.saves.remove(&id) {
            let message = match result {
                Ok(Response::DraftSaved(Ok(_))) => None,
                Ok(Response::DraftSaved(Err(e))) => Some(e),
                Ok(_) => Some("réponse inattendue".to_owned()),
                Err(e) => Some(e.to_string()),
            };
            if let (Some(message), Some(form)) = (&message, &mut self.form) {
                form.notice = Some(format!("✖ Brouillon non enregistré : {message}"));
            }
            self.save_error = message;
            return;
        }
        if self.deleting == Some(id) {
            self.deleting = None;
            if let Ok(Response::DraftDeleted(Err(e))) = &result {
                self.error = Some(format!("Suppression du brouillon impossible : {e}"));
            }
            self.load_drafts(cx);
            return;
        }
        if self.drafts.expects(id) {
            let result = match result {
                Ok(Response::Drafts(listed)) => listed,
                Ok(_) => Err("réponse inattendue".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            self.drafts.finish(id, result);
            let len = self.listed().len();
            self.draft_selected = self.draft_selected.min(len.saturating_sub(1));
            self.drafts_focused &= len > 0;
            return;
        }
        if self.session.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Session(detail) => Ok(*detail),
                _ => Err(unexpected()),
            });
            if let Err(e) = &result
                && self.session_pending
                && let Some(form) = &mut self.form
            {
                form.notice = Some(format!("Session non chargée : {e} — r pour réessayer"));
            }
            if self.session.finish(id, result) && self.session.data().is_some() {
                self.know_session();
                self.prefill_date();
                if self.session_pending {
                    self.apply_session();
                    self.save(cx);
                }
            }
            return;
        }
        if self.roster.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Roster(workers, index) => Ok(Roster { workers, index }),
                _ => Err(unexpected()),
            });
            self.roster.finish(id, result);
            if let Some(form) = &mut self.form {
                form.refresh_picker(&self.roster);
            }
            return;
        }
        self.on_submission(id, result, cx);
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, _today: NaiveDate) {
        if self.form_open
            && let Some(form) = &self.form
        {
            crate::tui::form::render::render(form, &self.roster, frame, area, theme);
            return;
        }
        let path = self.walk.path();
        let mut top: Vec<Line> = Vec::new();
        if let Some(session) = self.from_session {
            let text = match self.session.data().filter(|s| s.summary.id == session) {
                Some(s) => format!(
                    " Session : {} ({}, {})",
                    sanitize(&s.summary.title),
                    sanitize(&s.summary.organisme),
                    crate::tui::widgets::date_range(s.summary.start_date, s.summary.end_date)
                ),
                None if self.session.error().is_some() => format!(
                    " Session n° {session} : {} — r pour réessayer",
                    sanitize(self.session.error().unwrap_or_default())
                ),
                None => format!(" Session n° {session} : chargement…"),
            };
            top.push(Line::styled(
                truncate(&text, usize::from(area.width)),
                theme.muted,
            ));
        }
        if !path.is_empty() {
            let crumbs: Vec<String> = path.iter().map(|(_, answer)| crumb(answer)).collect();
            let lines = wrap(
                &crumbs.join(" › "),
                usize::from(area.width).saturating_sub(1),
            );
            // The latest answers matter most: keep the last lines.
            let skip = lines.len().saturating_sub(3);
            top.extend(
                lines
                    .into_iter()
                    .skip(skip)
                    .map(|l| Line::styled(format!(" {l}"), theme.muted)),
            );
        }
        let top_height = match top.len() {
            0 => 0,
            n => (n as u16 + 1).min(area.height / 3),
        };
        let drafts_height = self.drafts_height(area.height);
        let [top_area, main_area, drafts_area] = Layout::vertical([
            Constraint::Length(top_height),
            Constraint::Min(3),
            Constraint::Length(drafts_height),
        ])
        .areas(area);
        if top_height > 0 {
            frame.render_widget(Paragraph::new(top), top_area);
        }
        let mut lines = Vec::new();
        let title = match self.walk.current() {
            Step::Question {
                text,
                help,
                source,
                answers,
                ..
            } => {
                lines.push(Line::styled(text.to_owned(), theme.title));
                lines.push(Line::styled(help.to_owned(), theme.muted));
                lines.push(Line::raw(""));
                // Inside the border; wrapped lines hang under the answer's first word.
                let width = usize::from(area.width.saturating_sub(2)).saturating_sub(3);
                for (position, &index) in display_order(&answers).iter().enumerate() {
                    let chosen = position == self.selected && !self.drafts_focused;
                    let style = if chosen { theme.selection } else { theme.text };
                    let marker = if chosen { "›" } else { " " };
                    for (n, part) in wrap(answers[index], width).into_iter().enumerate() {
                        let lead = if n == 0 { marker } else { " " };
                        lines.push(Line::styled(format!("{lead} {part} "), style));
                    }
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled(format!("Source : {source}"), theme.muted));
                // As the footer: only the declarant known from the account may be behind.
                let back = if self.walk.user_steps() > 0 {
                    " · Échap question précédente"
                } else if path.is_empty() {
                    ""
                } else {
                    " · Échap changer le déclarant"
                };
                let drafts = if self.listed().is_empty() {
                    ""
                } else {
                    " · b brouillons"
                };
                lines.push(Line::styled(
                    format!("↑↓ choisir · Entrée valider{back}{drafts}"),
                    theme.muted,
                ));
                " Simulateur — dois-je déclarer cette formation ? "
            }
            Step::Date {
                text, help, source, ..
            } => {
                lines.push(Line::styled(text.to_owned(), theme.title));
                lines.push(Line::styled(help.to_owned(), theme.muted));
                lines.push(Line::raw(""));
                lines.push(Line::from(vec![
                    Span::styled(" Date (jj/mm/aaaa) : ", theme.text),
                    Span::styled(format!("{}▏", self.date_input), theme.title),
                ]));
                lines.push(Line::raw(""));
                lines.push(Line::styled(format!("Source : {source}"), theme.muted));
                lines.push(Line::styled(
                    "Chiffres et / pour la date · Entrée valider · Retour arrière effacer · Échap question précédente",
                    theme.muted,
                ));
                " Simulateur — date "
            }
            Step::Outcome(outcome) => {
                let mut details = Vec::new();
                outcome_lines(&outcome, theme, &mut lines, &mut details);
                lines.push(Line::raw(""));
                if matches!(outcome, Outcome::ADeclarer { .. }) {
                    let verb = if self.form.is_some() {
                        "reprendre"
                    } else {
                        "saisir"
                    };
                    lines.push(Line::styled(
                        format!("Entrée : {verb} la déclaration (brouillon enregistré à chaque modification)"),
                        theme.title,
                    ));
                }
                lines.push(Line::styled(
                    "Échap : modifier la dernière réponse (elle reste choisie)",
                    theme.muted,
                ));
                if !details.is_empty() {
                    lines.push(Line::raw(""));
                    lines.extend(details);
                }
                " Simulateur — résultat "
            }
        };
        if let Some(error) = &self.error {
            lines.push(Line::styled(format!("✖ {}", sanitize(error)), theme.error));
        }
        if let Some(notice) = &self.notice {
            lines.push(Line::styled(format!("✔ {}", sanitize(notice)), theme.valid));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(title)),
            main_area,
        );
        if drafts_height > 0 {
            self.render_drafts(frame, drafts_area, theme);
        }
    }
}

impl SimulatorScreen {
    /// Height of the drafts panel: none unless on the first question with drafts (or their
    /// loading state).
    fn drafts_height(&self, available: u16) -> u16 {
        if !self.at_start() {
            return 0;
        }
        let rows = match (
            self.drafts.data(),
            self.drafts.error(),
            self.drafts.is_loading(),
        ) {
            (_, Some(_), _) => 1,
            (Some(list), _, _) if !list.is_empty() => list.len() as u16 + 1,
            (None, _, true) => 1,
            _ => return 0,
        };
        (rows + 2).min(available / 2)
    }

    fn render_drafts(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let count = self.listed().len();
        let title = match self.drafts.data() {
            Some(_) => format!(" Brouillons en cours ({count}) "),
            None => " Brouillons en cours ".to_owned(),
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = usize::from(inner.width);
        let mut lines = Vec::new();
        if let Some(id) = &self.confirm_delete {
            let name = self
                .listed()
                .iter()
                .find(|d| d.id() == id)
                .map_or_else(String::new, |d| match d {
                    ListedDraft::Readable(draft) => {
                        // The question whole: the title gives way, abbreviated first.
                        let room = width
                            .saturating_sub("(o/n) Supprimer ce brouillon «  » ?".chars().count());
                        let title =
                            crate::tui::widgets::fit::shorten_title(&sanitize(draft.title()), room);
                        format!(" « {title} »")
                    }
                    ListedDraft::Corrupt(c) => format!(" {}.json", sanitize(&c.id)),
                });
            lines.push(Line::styled(
                // The keys first: a narrow box cuts the name, never the way out.
                truncate(&format!("(o/n) Supprimer ce brouillon{name} ?"), width),
                theme.error,
            ));
        } else if let Some(error) = self.drafts.error() {
            lines.push(Line::styled(
                truncate(
                    &format!("Erreur (r pour réessayer) : {}", sanitize(error)),
                    width,
                ),
                theme.error,
            ));
        } else if self.drafts.data().is_none() {
            lines.push(Line::styled("Chargement des brouillons…", theme.muted));
        } else if self.drafts_focused {
            lines.push(Line::styled(
                truncate(
                    "↑↓ choisir · Entrée reprendre · x supprimer · Échap revenir aux réponses",
                    width,
                ),
                theme.muted,
            ));
        } else {
            lines.push(Line::styled(
                truncate("b pour choisir un brouillon à reprendre", width),
                theme.muted,
            ));
        }
        let height = usize::from(inner.height).saturating_sub(1);
        let chosen = self.drafts_focused.then_some(self.draft_selected);
        let offset = match chosen {
            Some(c) if c >= height => c + 1 - height,
            _ => 0,
        };
        for (index, listed) in self.listed().iter().enumerate().skip(offset).take(height) {
            let (text, style) = match listed {
                ListedDraft::Readable(draft) => {
                    let title = sanitize(draft.title());
                    let title = if title.trim().is_empty() {
                        "(sans intitulé)".to_owned()
                    } else {
                        title
                    };
                    let date = draft.date().map_or_else(
                        || "date à saisir".to_owned(),
                        |d| format!("fin {}", d.format("%d/%m/%Y")),
                    );
                    let n = draft.declaration.titulaire_count();
                    let sent = if draft.submit_attempted {
                        " · envoi à confirmer"
                    } else {
                        ""
                    };
                    // The official names, not the bulk files' codes (ADF, JDR).
                    let kind = match draft.declaration.kind {
                        crate::domain::DeclarationKind::Attestation => "Attestation",
                        crate::domain::DeclarationKind::Justificatif => "Justificatif",
                    };
                    let marker = if chosen == Some(index) { "›" } else { " " };
                    (
                        format!(
                            "{marker} {kind} · {title} · {date} · {n} titulaire{}{sent}",
                            if n > 1 { "s" } else { "" },
                        ),
                        theme.text,
                    )
                }
                ListedDraft::Corrupt(corrupt) => (
                    format!(
                        "⚠ Brouillon illisible {}.json : {}",
                        sanitize(&corrupt.id),
                        sanitize(&corrupt.message)
                    ),
                    theme.error,
                ),
            };
            let style = if chosen == Some(index) {
                theme.selection
            } else {
                style
            };
            lines.push(Line::styled(truncate(&text, width), style));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// The declaration kind a session's outcomes give, when every trainee who attended gives the same
/// ([`TraineeOutcome::declared_as`]): passed a training the catalogue ends with a justificatif →
/// justificatif; attended, failed, or passed one that ends with an attestation → attestation.
/// `None` when mixed or not known yet.
fn session_kind(session: &SessionDetail, catalogue: &Catalogue) -> Option<DeclarationKind> {
    let issued = issued_kind(session, catalogue);
    let mut kinds = session
        .trainees
        .iter()
        .filter_map(|t| t.outcome.declared_as(issued));
    let first = kinds.next()?;
    kinds.all(|k| k == first).then_some(first)
}

/// What a success in the session's training type gives: its catalogue kind; a justificatif de
/// réussite for a type the catalogue does not know [I].
fn issued_kind(session: &SessionDetail, catalogue: &Catalogue) -> DeclarationKind {
    catalogue
        .get(&session.summary.training_code)
        .map_or(DeclarationKind::Justificatif, |t| t.declaration_kind)
}

/// A short breadcrumb for an answer: its text before any explanation, at most 28 characters,
/// then « (compte) » or « (session) » when the walk gave it from the account or the session.
fn crumb(answer: &str) -> String {
    let short = answer.split([':', '(']).next().unwrap_or(answer).trim();
    let origin = [
        (Origin::Account, " (compte)"),
        (Origin::Training, " (session)"),
        (Origin::Outcomes, " (session)"),
    ]
    .into_iter()
    .find(|(origin, _)| answer.ends_with(&format!("({})", origin.label())))
    .map_or("", |(_, tag)| tag);
    format!("{}{origin}", truncate(short, 28))
}

/// The outcome's title and answer in `lines`; its sources and notes in `details`, shown under the
/// keys so that the way on stays on screen in 80×24.
fn outcome_lines(
    outcome: &Outcome,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
    details: &mut Vec<Line<'static>>,
) {
    lines.push(Line::styled(outcome.title().to_owned(), theme.title));
    match outcome {
        Outcome::ADeclarer {
            kind,
            declarant,
            reference_date,
            due_date,
            due_source,
            notes,
            ..
        } => {
            lines.push(Line::raw(format!(
                "Type : {} ({})",
                kind.label(),
                declarant.label()
            )));
            lines.push(Line::raw(format!(
                "Date de référence : {}",
                reference_date.format("%d/%m/%Y")
            )));
            lines.push(match due_date {
                Some(due) => Line::styled(
                    format!("À déclarer au plus tard le {}", due.format("%d/%m/%Y")),
                    theme.expiring,
                ),
                None => Line::raw("Aucun délai applicable à cette date."),
            });
            for note in notes {
                details.push(Line::raw(format!("ⓘ {note}")));
            }
            if let Some(cited) = due_source {
                details.push(cited_line("Source du délai", cited, theme));
            }
        }
        Outcome::NonConcerne { reason, source } => {
            lines.push(Line::raw(reason.clone()));
            lines.push(Line::styled(format!("Source : {source}"), theme.muted));
        }
        Outcome::PasEncoreObligatoire {
            from,
            reason,
            scope_source,
        } => {
            lines.push(Line::raw(reason.clone()));
            lines.push(Line::styled(
                format!("Obligatoire à partir du {}", from.format("%d/%m/%Y")),
                theme.expiring,
            ));
            if let Some(cited) = scope_source {
                details.push(cited_line("Source", cited, theme));
            }
        }
        Outcome::AlimenteAutomatiquement { warning } => {
            lines.push(Line::styled(warning.clone(), theme.expiring));
        }
        Outcome::AutreDeclarant { reason, source } => {
            lines.push(Line::raw(reason.clone()));
            details.push(Line::styled(format!("Source : {source}"), theme.muted));
        }
        Outcome::AVerifier {
            reference_date,
            until,
            until_source,
            notes,
        } => {
            lines.push(Line::raw(format!(
                "Déclarée par l'organisme de formation ; date de référence : {}",
                reference_date.format("%d/%m/%Y")
            )));
            lines.push(match until {
                Some(until) => Line::styled(
                    format!(
                        "Vérifiez-la ou demandez une correction au plus tard le {} ; ensuite elle est réputée vérifiée.",
                        until.format("%d/%m/%Y")
                    ),
                    theme.expiring,
                ),
                None => Line::raw("Aucun délai de vérification connu à cette date."),
            });
            for note in notes {
                details.push(Line::raw(format!("ⓘ {note}")));
            }
            if let Some(cited) = until_source {
                details.push(cited_line("Source du délai", cited, theme));
            }
        }
    }
}

/// « Source : URL [T] (une seule source tierce, à confirmer) ».
fn cited_line(what: &str, cited: &Cited, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!(
            "{what} {} ({}) : {}",
            cited.confidence.tag(),
            cited.confidence.label(),
            cited.source
        ),
        theme.muted,
    )
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::api::contract::{
        DeclarationStatus, DeclarationSummary, DeclarationView, SessionDeclarationStatus,
        SessionSummary, TraineeView, ValidationReport,
    };
    use crate::domain::session::TraineeOutcome;
    use crate::domain::{DeclarantKind, DeclarationKind, FieldError};
    use crate::drafts::{CorruptDraft, DraftStep};
    use crate::tui::action::Effect;
    use crate::tui::form::Field;
    use crate::tui::form::tests::{complete, nir_with_key, roster};
    use crate::tui::ui;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[derive(Default)]
    struct Harness {
        next_id: RequestId,
        effects: Vec<Effect>,
        navigate: Option<Navigate>,
    }

    impl Harness {
        fn run<R>(&mut self, f: impl FnOnce(&mut Cx<'_>) -> R) -> R {
            let mut cx = Cx::new(&mut self.next_id, &mut self.effects, today(), 90);
            let result = f(&mut cx);
            if let Some(navigate) = cx.navigate.take() {
                self.navigate = Some(navigate);
            }
            result
        }

        /// The requests started since the last call.
        fn requests(&mut self) -> Vec<(RequestId, Request)> {
            self.effects
                .drain(..)
                .filter_map(|e| match e {
                    Effect::Request { id, request } => Some((id, request)),
                    _ => None,
                })
                .collect()
        }
    }

    fn screen() -> SimulatorScreen {
        SimulatorScreen::new(&Rules::embedded().unwrap())
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn key(s: &mut SimulatorScreen, h: &mut Harness, code: KeyCode) -> bool {
        h.run(|cx| s.on_key(&press(code), cx))
    }

    /// Validates the answer at `index` of the tree as a person does: ↑↓ to it, then Entrée.
    fn choose(s: &mut SimulatorScreen, h: &mut Harness, index: usize) {
        let target = s
            .order()
            .iter()
            .position(|&i| i == index)
            .unwrap_or_else(|| panic!("no answer {index} at {}", s.walk.current_id()));
        while s.selected > target {
            assert!(key(s, h, KeyCode::Up));
        }
        while s.selected < target {
            assert!(key(s, h, KeyCode::Down));
        }
        assert!(key(s, h, KeyCode::Enter));
    }

    /// Types a script: at a question, a digit n validates the tree's n-th answer (with ↑↓ and
    /// Entrée, see [`choose`]); elsewhere each character is a key (date digits, `\n` Entrée,
    /// `\u{8}` Retour arrière, `\u{1b}` Échap).
    fn keys(s: &mut SimulatorScreen, h: &mut Harness, text: &str) {
        for c in text.chars() {
            if let (Some(n), Step::Question { .. }) = (c.to_digit(10), s.walk.current()) {
                choose(s, h, n as usize - 1);
                continue;
            }
            let code = match c {
                '\n' => KeyCode::Enter,
                '\u{8}' => KeyCode::Backspace,
                '\u{1b}' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            assert!(key(s, h, code), "key {c:?} at {}", s.walk.current_id());
        }
    }

    fn at(s: &SimulatorScreen) -> &str {
        s.walk.current_id()
    }

    fn outcome(s: &SimulatorScreen) -> Outcome {
        match s.walk.current() {
            Step::Outcome(outcome) => outcome,
            other => panic!("no outcome yet: {other:?}"),
        }
    }

    /// An OF giving the training itself, every titulaire with a NIR.
    const OF: &str = "111";
    /// An employer's internal training.
    const EMPLOYER: &str = "21";
    /// Through the exclusions and two criteria, to the document (kind) question.
    const ELIGIBLE: &str = "2221111";

    #[test]
    fn every_exclusion_ends_non_concerne() {
        for (answers, node) in [
            ("1", "nc_formateurs"),
            ("21", "nc_accueil"),
            ("221", "nc_cse"),
            ("2224", "nc_securite_biens"),
            ("22213", "nc_preventeurs"),
            ("222112", "nc_objectif"),
            ("2221112", "nc_transferable"),
            ("22211113", "nc_document"),
        ] {
            let answers = format!("{OF}{answers}");
            let (mut s, mut h) = (screen(), Harness::default());
            keys(&mut s, &mut h, &answers);
            assert_eq!(at(&s), node, "{answers}");
            assert!(
                matches!(outcome(&s), Outcome::NonConcerne { .. }),
                "{answers}"
            );
            // Enter does nothing on this outcome; Backspace goes back one question.
            assert!(!key(&mut s, &mut h, KeyCode::Enter));
            assert!(s.form.is_none());
            keys(&mut s, &mut h, "\u{8}");
            assert!(matches!(s.walk.current(), Step::Question { .. }));
            assert_eq!(s.walk.path().len(), answers.len() - 1);
        }
    }

    #[test]
    fn sst_and_specific_trainings_skip_the_preventeur_question() {
        for (answers, node) in [("2222", "q6_document"), ("2223", "q6_objectif")] {
            let (mut s, mut h) = (screen(), Harness::default());
            keys(&mut s, &mut h, &format!("{OF}{answers}"));
            assert_eq!(at(&s), node, "{answers}");
        }
    }

    #[test]
    fn other_declarants_end_on_who_declares() {
        for (answers, node) in [
            ("12", "ad_sous_traitant"),
            ("112", "ad_sans_nir"),
            ("222", "ad_entreprise_utilisatrice"),
            ("233", "ad_organisme_dans_son_delai"),
        ] {
            let (mut s, mut h) = (screen(), Harness::default());
            keys(&mut s, &mut h, answers);
            assert_eq!(at(&s), node, "{answers}");
            assert!(matches!(outcome(&s), Outcome::AutreDeclarant { .. }));
            assert!(!key(&mut s, &mut h, KeyCode::Enter), "no form to open");
        }
    }

    #[test]
    fn the_account_answers_the_first_question_and_backspace_shows_it() {
        let (mut s, mut h) = (screen(), Harness::default());
        s.know_account(DeclarantKind::Employeur);
        assert_eq!(at(&s), "q0_employeur");
        assert!(
            s.at_start(),
            "the drafts stay listed on the first question asked"
        );
        keys(&mut s, &mut h, "\u{8}");
        assert_eq!(at(&s), "start");
        keys(&mut s, &mut h, "1");
        assert_eq!(at(&s), "q0_organisme");
    }

    #[test]
    fn not_yet_mandatory_for_an_employer_before_october() {
        let (mut s, mut h) = (screen(), Harness::default());
        keys(&mut s, &mut h, EMPLOYER);
        keys(&mut s, &mut h, ELIGIBLE);
        keys(&mut s, &mut h, "23");
        assert_eq!(at(&s), "date_fin");
        keys(&mut s, &mut h, "15/09/2026\n");
        match outcome(&s) {
            Outcome::PasEncoreObligatoire { from, reason, .. } => {
                assert_eq!(from, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
                assert!(
                    reason.contains("catégorie 3") && reason.contains("01/10/2026"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // Back to the date: the date given is kept (stepping back loses no answer), and holding
        // Retour arrière erases it without ever leaving the date.
        keys(&mut s, &mut h, "\u{8}");
        assert_eq!(at(&s), "date_fin");
        assert_eq!(s.date_input, "15/09/2026");
        keys(&mut s, &mut h, &"\u{8}".repeat(14));
        assert_eq!((at(&s), s.date_input.as_str()), ("date_fin", ""));
        keys(&mut s, &mut h, "15/10/2026\n");
        assert_eq!(at(&s), "q9_certification", "after 1 October: in scope");
    }

    #[test]
    fn dates_are_checked_at_their_step() {
        let (mut s, mut h) = (screen(), Harness::default());
        keys(&mut s, &mut h, OF);
        keys(&mut s, &mut h, ELIGIBLE);
        keys(&mut s, &mut h, "11");
        keys(&mut s, &mut h, "31/02/2026\n");
        assert_eq!(at(&s), "date_fin");
        assert!(
            s.error
                .as_deref()
                .unwrap_or_default()
                .contains("n'existe pas")
        );
        keys(
            &mut s,
            &mut h,
            "\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}",
        );
        assert_eq!(s.date_input, "", "Backspace erases the date first");
        keys(&mut s, &mut h, "15/10/2026\n");
        assert_eq!(at(&s), "date_validite");
        keys(&mut s, &mut h, "01/10/2026\n");
        assert_eq!(
            at(&s),
            "date_validite",
            "the validity cannot start before the end"
        );
        assert!(
            s.error
                .as_deref()
                .unwrap_or_default()
                .contains("ne peut pas précéder")
        );
    }

    #[test]
    fn certified_or_funded_trainings_are_still_to_declare_with_a_note() {
        for (tail, notes) in [("11", 2), ("12", 1), ("21", 1), ("22", 0)] {
            let (mut s, mut h) = (screen(), Harness::default());
            keys(&mut s, &mut h, OF);
            keys(&mut s, &mut h, ELIGIBLE);
            keys(&mut s, &mut h, "22");
            keys(&mut s, &mut h, "15/10/2026\n");
            keys(&mut s, &mut h, tail);
            assert_eq!(at(&s), "a_declarer", "{tail}");
            match outcome(&s) {
                Outcome::ADeclarer { notes: n, .. } => assert_eq!(n.len(), notes, "{tail}: {n:?}"),
                other => panic!("{tail}: {other:?}"),
            }
        }
    }

    /// To *à déclarer*: an OF's attestation (or justificatif) ended 15/10/2026.
    fn to_declare(kind: DeclarationKind) -> (SimulatorScreen, Harness) {
        let (mut s, mut h) = (screen(), Harness::default());
        keys(&mut s, &mut h, OF);
        keys(&mut s, &mut h, ELIGIBLE);
        match kind {
            DeclarationKind::Attestation => keys(&mut s, &mut h, "21"),
            DeclarationKind::Justificatif => keys(&mut s, &mut h, "11"),
        }
        keys(&mut s, &mut h, "15/10/2026\n");
        match kind {
            DeclarationKind::Attestation => keys(&mut s, &mut h, "22"),
            DeclarationKind::Justificatif => keys(&mut s, &mut h, "15/10/2026\n22"),
        }
        (s, h)
    }

    #[test]
    fn a_declarer_gives_kind_deadline_and_opens_the_form() {
        for kind in [DeclarationKind::Attestation, DeclarationKind::Justificatif] {
            let (mut s, mut h) = to_declare(kind);
            match outcome(&s) {
                Outcome::ADeclarer {
                    kind: k,
                    declarant,
                    due_date,
                    ..
                } => {
                    assert_eq!(k, kind);
                    assert_eq!(declarant, DeclarantKind::OrganismeFormation);
                    // Q4 2026, 6 months after the quarter (domain.md §8, latest reading).
                    assert_eq!(due_date, NaiveDate::from_ymd_opt(2027, 6, 30));
                }
                other => panic!("{other:?}"),
            }
            h.requests();
            assert!(key(&mut s, &mut h, KeyCode::Enter));
            assert!(s.form_open);
            let form = s.form.as_ref().unwrap();
            assert_eq!(form.kind, kind);
            assert_eq!(form.due_date, NaiveDate::from_ymd_opt(2027, 6, 30));
            assert_eq!(
                form.declaration().date_fin_formation,
                NaiveDate::from_ymd_opt(2026, 10, 15)
            );
            let saved: Vec<Request> = h.requests().into_iter().map(|(_, r)| r).collect();
            assert!(
                matches!(saved.as_slice(), [Request::SaveDraft(d)] if d.id == form.id()),
                "{saved:?}"
            );
        }
    }

    #[test]
    fn every_change_saves_a_new_revision() {
        let (mut s, mut h) = to_declare(DeclarationKind::Attestation);
        key(&mut s, &mut h, KeyCode::Enter);
        h.requests();
        for c in "SST".chars() {
            assert!(key(&mut s, &mut h, KeyCode::Char(c)));
        }
        let revisions: Vec<(u64, String)> = h
            .requests()
            .into_iter()
            .map(|(_, r)| match r {
                Request::SaveDraft(d) => (d.revision, d.declaration.nom_formation.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            revisions,
            [(2, "S".into()), (3, "SS".into()), (4, "SST".into())]
        );
        assert!(s.input_focused());
    }

    #[test]
    fn the_form_keeps_tab_and_esc_closes_it_then_reopens_it() {
        let (mut s, mut h) = to_declare(DeclarationKind::Attestation);
        key(&mut s, &mut h, KeyCode::Enter);
        let id = s.form.as_ref().unwrap().id().to_owned();
        assert!(
            key(&mut s, &mut h, KeyCode::Tab),
            "Tab moves between fields"
        );
        assert_eq!(
            s.form.as_ref().unwrap().focused(),
            Some((Field::DateDebutFormation, None))
        );
        // A first Échap leaves the field (the form stays, single keys are commands again), the
        // second closes the form.
        assert!(key(&mut s, &mut h, KeyCode::Esc));
        assert!(s.form_open && s.form_escaped && !s.input_focused());
        assert_eq!(
            s.escape_hint(),
            Some("fermer le formulaire (brouillon gardé) · Entrée reprendre")
        );
        assert!(
            !key(&mut s, &mut h, KeyCode::Char('3')),
            "a digit is the app's"
        );
        assert!(
            key(&mut s, &mut h, KeyCode::Enter),
            "Entrée: back to the field"
        );
        assert!(!s.form_escaped && s.input_focused());
        assert_eq!(s.escape_hint(), Some("quitter le champ"));
        assert!(key(&mut s, &mut h, KeyCode::Esc));
        assert!(key(&mut s, &mut h, KeyCode::Esc));
        assert!(!s.form_open);
        let requests: Vec<Request> = h.requests().into_iter().map(|(_, r)| r).collect();
        assert!(requests.contains(&Request::ListDrafts), "{requests:?}");
        assert!(
            !key(&mut s, &mut h, KeyCode::Tab),
            "closed: Tab is the app's again"
        );
        key(&mut s, &mut h, KeyCode::Enter);
        assert!(s.form_open);
        assert_eq!(
            s.form.as_ref().unwrap().id(),
            id,
            "the same draft, not a new one"
        );
        // Going back in the walk forgets it (it stays on disk, listed).
        key(&mut s, &mut h, KeyCode::Esc);
        key(&mut s, &mut h, KeyCode::Esc);
        key(&mut s, &mut h, KeyCode::Backspace);
        assert!(s.form.is_none());
    }

    #[test]
    fn the_form_edits_with_the_same_keys_as_the_search() {
        let (mut s, mut h) = to_declare(DeclarationKind::Attestation);
        key(&mut s, &mut h, KeyCode::Enter);
        let ctrl = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        for c in "aQc hello".chars() {
            key(&mut s, &mut h, KeyCode::Char(c));
        }
        let text = |s: &SimulatorScreen| {
            s.form
                .as_ref()
                .unwrap()
                .text(Field::NomFormation, None)
                .to_owned()
        };
        h.run(|cx| s.on_key(&ctrl('w'), cx));
        assert_eq!(text(&s), "aQc ", "Ctrl-W: the word before the cursor");
        key(&mut s, &mut h, KeyCode::Left);
        h.run(|cx| s.on_key(&ctrl('u'), cx));
        assert_eq!(text(&s), " ", "Ctrl-U: up to the start, never an undo");
        h.run(|cx| s.on_key(&ctrl('k'), cx));
        assert_eq!(text(&s), "", "Ctrl-K: up to the end");
    }

    fn draft_named(title: &str) -> Draft {
        let mut d = Draft::new(
            DeclarantKind::OrganismeFormation,
            DeclarationKind::Attestation,
        );
        d.id = format!("{:0>32}", title.len());
        d.declaration.nom_formation = title.into();
        d.declaration.date_fin_formation = NaiveDate::from_ymd_opt(2026, 10, 15);
        d.inputs
            .insert("DATE_DEBUT_FORMATION".into(), "13/10/20".into());
        d.position.field = Some("DATE_DEBUT_FORMATION".into());
        d
    }

    fn corrupt() -> ListedDraft {
        ListedDraft::Corrupt(CorruptDraft {
            id: "abc".into(),
            path: "/tmp/abc.json".into(),
            message: "JSON invalide (EOF while parsing at line 1)".into(),
        })
    }

    /// The screen entered, with the drafts listed.
    fn with_drafts(list: Vec<ListedDraft>) -> (SimulatorScreen, Harness) {
        let (mut s, mut h) = (screen(), Harness::default());
        h.run(|cx| s.on_enter(cx));
        let requests = h.requests();
        let [(id, Request::ListDrafts)] = requests.as_slice() else {
            panic!("{requests:?}")
        };
        h.run(|cx| s.on_response(*id, Ok(Response::Drafts(Ok(list))), cx));
        (s, h)
    }

    #[test]
    fn the_deletion_question_keeps_its_keys_and_its_end_at_80_columns() {
        let long = draft_named(
            "Prévention des troubles musculosquelettiques (TMS) — session du matin, site de Marseille Port",
        );
        let id = long.id.clone();
        let (mut s, _) = with_drafts(vec![ListedDraft::Readable(Box::new(long))]);
        s.confirm_delete = Some(id);
        let text = draw(&s, 80, 24).to_string();
        let line = text
            .lines()
            .find(|l| l.contains("Supprimer ce brouillon"))
            .unwrap_or_default();
        assert!(
            line.contains("(o/n) Supprimer ce brouillon « ") && line.contains("» ?"),
            "{text}"
        );
    }

    #[test]
    fn drafts_are_listed_reopened_and_deleted_after_confirmation() {
        let first = draft_named("Sauveteur secouriste du travail");
        let (mut s, mut h) = with_drafts(vec![
            ListedDraft::Readable(Box::new(first.clone())),
            corrupt(),
        ]);
        assert_eq!(s.listed().len(), 2);
        // ↓ stays among the answers: the drafts are never reached, nor an answer validated, by
        // following their hint.
        keys(&mut s, &mut h, "jjj");
        assert_eq!((s.selected, s.drafts_focused), (1, false));
        assert_eq!(s.walk.user_steps(), 0, "moving chose nothing");
        keys(&mut s, &mut h, "k");
        // `b` gives the focus to the drafts.
        keys(&mut s, &mut h, "b");
        assert!(s.drafts_focused);
        assert_eq!(s.draft_selected, 0);
        key(&mut s, &mut h, KeyCode::Enter);
        assert!(s.form_open);
        let form = s.form.as_ref().unwrap();
        assert_eq!(form.id(), first.id);
        assert_eq!(
            form.focused(),
            Some((Field::DateDebutFormation, None)),
            "exactly as left"
        );
        assert_eq!(form.text(Field::DateDebutFormation, None), "13/10/20");
        keys(&mut s, &mut h, "\u{1b}\u{1b}");
        assert!(!s.form_open);
        h.requests();

        // The corrupt one: shown, not opened, not deleted without asking.
        assert!(s.drafts_focused, "back from the form, still on the drafts");
        keys(&mut s, &mut h, "j");
        assert_eq!(s.draft_selected, 1);
        key(&mut s, &mut h, KeyCode::Enter);
        assert!(!s.form_open);
        assert!(s.error.as_deref().unwrap_or_default().contains("illisible"));
        assert!(h.requests().is_empty());
        key(&mut s, &mut h, KeyCode::Char('x'));
        assert_eq!(s.confirm_delete.as_deref(), Some("abc"));
        key(&mut s, &mut h, KeyCode::Char('n'));
        assert!(s.confirm_delete.is_none());
        assert!(h.requests().is_empty(), "« n » deletes nothing");
        key(&mut s, &mut h, KeyCode::Char('x'));
        key(&mut s, &mut h, KeyCode::Char('o'));
        let requests = h.requests();
        let [(id, Request::DeleteDraft(deleted))] = requests.as_slice() else {
            panic!("{requests:?}")
        };
        assert_eq!(deleted, "abc");
        h.run(|cx| s.on_response(*id, Ok(Response::DraftDeleted(Ok(()))), cx));
        assert!(
            matches!(h.requests().as_slice(), [(_, Request::ListDrafts)]),
            "the list reloads"
        );
    }

    #[test]
    fn a_failed_save_is_shown_on_the_form() {
        let (mut s, mut h) = to_declare(DeclarationKind::Attestation);
        key(&mut s, &mut h, KeyCode::Enter);
        let requests = h.requests();
        let (id, _) = requests
            .iter()
            .find(|(_, r)| matches!(r, Request::SaveDraft(_)))
            .unwrap();
        h.run(|cx| {
            s.on_response(
                *id,
                Ok(Response::DraftSaved(Err("disque plein".into()))),
                cx,
            )
        });
        assert_eq!(s.save_error.as_deref(), Some("disque plein"));
        assert!(
            s.form
                .as_ref()
                .unwrap()
                .notice
                .as_deref()
                .unwrap_or_default()
                .contains("non enregistré")
        );
    }

    fn session() -> SessionDetail {
        let trainee =
            |id: i64, nir13: &str, name: &str, outcome: TraineeOutcome, declared: bool| {
                TraineeView {
                    worker_id: id,
                    last_name: name.into(),
                    first_names: "Camille".into(),
                    nir: nir13.into(),
                    employer_siret: "73282932000074".into(),
                    employer_name: "Menuiserie Martin".into(),
                    outcome,
                    declared,
                }
            };
        SessionDetail {
            summary: SessionSummary {
                id: 42,
                training_code: "SST".into(),
                title: "Sauveteur secouriste du travail".into(),
                organisme: "Formations Sud".into(),
                place: "Lyon".into(),
                start_date: NaiveDate::from_ymd_opt(2026, 10, 13).unwrap(),
                end_date: NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(),
                trainee_count: 4,
                declaration_status: SessionDeclarationStatus::ADeclarer,
                closed_on: None,
            },
            trainees: vec![
                trainee(1, "1850375112345", "DUPONT", TraineeOutcome::Passed, false),
                trainee(
                    2,
                    "2900175112345",
                    "MARTIN",
                    TraineeOutcome::Attended,
                    false,
                ),
                trainee(3, "1700175112345", "ABSENT", TraineeOutcome::Absent, false),
                trainee(4, "2800175112345", "DÉJÀ", TraineeOutcome::Passed, true),
            ],
        }
    }

    #[test]
    fn a_session_prefills_the_date_and_the_form() {
        let (mut s, mut h) = (screen(), Harness::default());
        s.prefill_from_session(42);
        h.run(|cx| s.on_enter(cx));
        let requests = h.requests();
        let (id, _) = requests
            .iter()
            .find(|(_, r)| *r == Request::Session(42))
            .unwrap();
        h.run(|cx| s.on_response(*id, Ok(Response::Session(Box::new(session()))), cx));
        // The SST of the session answers the safety question and the category (catalogue).
        keys(&mut s, &mut h, OF);
        keys(&mut s, &mut h, "222");
        assert_eq!(at(&s), "q6_document", "mixed outcomes: the kind is asked");
        keys(&mut s, &mut h, "2");
        assert_eq!(at(&s), "date_fin");
        assert!(
            s.walk
                .path()
                .iter()
                .any(|(_, a)| a.contains("(d'après la session et le catalogue)")),
            "{:?}",
            s.walk.path()
        );
        assert_eq!(s.date_input, "15/10/2026", "the session's end");
        keys(&mut s, &mut h, "\n22\n");
        let form = s.form.as_ref().unwrap();
        assert_eq!(form.session_id, Some(42));
        let d = form.declaration();
        assert_eq!(d.nom_formation, "Sauveteur secouriste du travail");
        assert_eq!(
            d.date_debut_formation,
            NaiveDate::from_ymd_opt(2026, 10, 13)
        );
        let names: Vec<&str> = d
            .titulaires
            .iter()
            .map(|t| t.nom_titulaire.as_str())
            .collect();
        assert_eq!(
            names,
            ["MARTIN"],
            "present, not absent, not already declared; DUPONT passed an SST, whose justificatif \
             de réussite is declared instead (domain.md §8)"
        );
        assert_eq!(d.titulaires[0].siret_employeur, "73282932000074");
    }

    #[test]
    fn a_session_arriving_after_the_form_opens_fills_it() {
        let (mut s, mut h) = (screen(), Harness::default());
        s.prefill_from_session(42);
        h.run(|cx| s.on_enter(cx));
        let requests = h.requests();
        let (id, _) = requests
            .iter()
            .find(|(_, r)| *r == Request::Session(42))
            .unwrap();
        keys(&mut s, &mut h, OF);
        keys(&mut s, &mut h, ELIGIBLE);
        keys(&mut s, &mut h, "21");
        keys(&mut s, &mut h, "15/10/2026\n22\n");
        assert!(s.form.as_ref().unwrap().titulaires().is_empty());
        h.requests();
        h.run(|cx| s.on_response(*id, Ok(Response::Session(Box::new(session()))), cx));
        assert_eq!(
            s.form.as_ref().unwrap().titulaires().len(),
            1,
            "the attendee; the one who passed gets the SST's justificatif"
        );
        // The absent trainee is not dropped silently.
        assert_eq!(
            s.form.as_ref().unwrap().notice.as_deref(),
            Some(
                "Pré-rempli depuis la session « Sauveteur secouriste du travail » : \
                 1 titulaire ajouté · 1 absent non repris"
            )
        );
        assert!(
            h.requests()
                .iter()
                .any(|(_, r)| matches!(r, Request::SaveDraft(_))),
            "saved"
        );
    }

    fn open_complete(s: &mut SimulatorScreen) {
        let form = complete(DeclarantKind::OrganismeFormation);
        s.form = Some(form);
        s.form_open = true;
    }

    fn ctrl_s(s: &mut SimulatorScreen, h: &mut Harness) {
        let key = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(h.run(|cx| s.on_key(&key, cx)));
    }

    fn view(form: &Form) -> DeclarationView {
        DeclarationView {
            summary: DeclarationSummary {
                id: 7,
                reference: "PP-REF-7".into(),
                kind: DeclarationKind::Attestation,
                training_title: "Sauveteur secouriste du travail".into(),
                titulaire_count: 1,
                status: DeclarationStatus::Enregistree,
                deadline: NaiveDate::from_ymd_opt(2027, 3, 31),
                created_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
                export: None,
            },
            declaration: form.declaration(),
        }
    }

    #[test]
    fn submission_validates_then_creates_with_the_draft_key_and_retries_with_it() {
        let (mut s, mut h) = (screen(), Harness::default());
        open_complete(&mut s);
        let key_of_draft = s.form.as_ref().unwrap().idempotency_key().to_owned();
        ctrl_s(&mut s, &mut h);
        assert_eq!(s.form.as_ref().unwrap().step, DraftStep::Review);
        h.requests();
        ctrl_s(&mut s, &mut h);
        assert!(h.requests().is_empty(), "Ctrl-S asks before sending");
        assert!(s.form.as_ref().unwrap().confirm_submit);
        key(&mut s, &mut h, KeyCode::Char('o'));
        let requests = h.requests();
        let [(validate, Request::ValidateDeclaration(_))] = requests.as_slice() else {
            panic!("{requests:?}")
        };
        assert!(
            s.form.as_ref().unwrap().is_frozen(),
            "no change while in flight"
        );
        // A stale answer changes nothing.
        h.run(|cx| {
            s.on_response(
                validate + 100,
                Ok(Response::Validated(ValidationReport {
                    valid: true,
                    deadline: None,
                    explanation: None,
                })),
                cx,
            )
        });
        assert_eq!(
            s.form.as_ref().unwrap().submission,
            Submission::Validating(*validate)
        );
        h.run(|cx| {
            s.on_response(
                *validate,
                Ok(Response::Validated(ValidationReport {
                    valid: true,
                    deadline: None,
                    explanation: None,
                })),
                cx,
            )
        });
        let requests = h.requests();
        // The draft records the attempt BEFORE the creation is sent.
        let [
            (_, Request::SaveDraft(saved)),
            (create, Request::CreateDeclaration { key: sent, .. }),
        ] = requests.as_slice()
        else {
            panic!("{requests:?}")
        };
        assert!(saved.submit_attempted);
        assert_eq!(sent, &key_of_draft);
        // Lost connection: shown, and r sends the creation again with the same key.
        h.run(|cx| s.on_response(*create, Err(ApiError::Timeout), cx));
        let form = s.form.as_ref().unwrap();
        assert!(matches!(
            &form.submission,
            Submission::Failed { creating: true, .. }
        ));
        assert!(form.submit_attempted);
        key(&mut s, &mut h, KeyCode::Char('r'));
        let requests = h.requests();
        let Some((retry, Request::CreateDeclaration { key: resent, .. })) = requests.last() else {
            panic!("{requests:?}")
        };
        assert_eq!(
            resent, &key_of_draft,
            "the same key: the server never holds two"
        );
        assert!(
            !requests
                .iter()
                .any(|(_, r)| matches!(r, Request::ValidateDeclaration(_)))
        );
        // Success: the draft is deleted and the Déclarations screen shown.
        let done = view(s.form.as_ref().unwrap());
        let draft_id = s.form.as_ref().unwrap().id().to_owned();
        h.run(|cx| s.on_response(*retry, Ok(Response::Created(Box::new(done), false)), cx));
        assert!(s.form.is_none() && !s.form_open);
        assert_eq!(h.navigate, Some(Navigate::Created { id: 7, new: false }));
        let requests = h.requests();
        assert!(
            requests
                .iter()
                .any(|(_, r)| *r == Request::DeleteDraft(draft_id.clone())),
            "{requests:?}"
        );
        assert!(s.notice.as_deref().unwrap_or_default().contains("PP-REF-7"));
    }

    #[test]
    fn server_refusals_go_to_their_fields_and_unfreeze() {
        let (mut s, mut h) = (screen(), Harness::default());
        open_complete(&mut s);
        ctrl_s(&mut s, &mut h);
        ctrl_s(&mut s, &mut h);
        key(&mut s, &mut h, KeyCode::Char('o'));
        let requests = h.requests();
        let (validate, _) = requests
            .iter()
            .find(|(_, r)| matches!(r, Request::ValidateDeclaration(_)))
            .unwrap();
        let refusal = ApiError::Invalid {
            errors: vec![FieldError::new(
                "titulaires[0].NOM_TITULAIRE",
                "unknown_pair",
                "Couple NIR et nom inconnu.",
            )],
        };
        h.run(|cx| s.on_response(*validate, Err(refusal), cx));
        let form = s.form.as_ref().unwrap();
        assert!(!form.is_frozen());
        assert_eq!(form.step, DraftStep::Review);
        assert_eq!(form.problems().len(), 1);
        assert_eq!(
            form.problems()[0].label,
            "Titulaire n° 1 — Nom de naissance"
        );
        // Enter jumps to the field; an edit clears the server's error.
        key(&mut s, &mut h, KeyCode::Enter);
        assert_eq!(
            s.form.as_ref().unwrap().focused(),
            Some((Field::NomTitulaire, Some(0)))
        );
        key(&mut s, &mut h, KeyCode::Char('E'));
        assert!(s.form.as_ref().unwrap().problems().is_empty());
    }

    #[test]
    fn a_reopened_draft_that_was_sent_is_sent_again_unchanged() {
        let mut form = complete(DeclarantKind::OrganismeFormation);
        form.submit_attempted = true;
        let draft = form.to_draft();
        let (mut s, mut h) = with_drafts(vec![ListedDraft::Readable(Box::new(draft.clone()))]);
        keys(&mut s, &mut h, "b\n");
        let form = s.form.as_ref().unwrap();
        assert!(form.is_frozen());
        assert_eq!(form.step, DraftStep::Review);
        h.requests();
        key(&mut s, &mut h, KeyCode::Char('r'));
        let requests = h.requests();
        let Some((
            _,
            Request::CreateDeclaration {
                key: sent,
                declaration,
            },
        )) = requests.last()
        else {
            panic!("{requests:?}")
        };
        assert_eq!(sent, &draft.idempotency_key);
        assert_eq!(**declaration, draft.declaration);
    }

    #[test]
    fn the_roster_loads_when_the_search_opens() {
        let (mut s, mut h) = (screen(), Harness::default());
        open_complete(&mut s);
        s.form.as_mut().unwrap().focus_key("titulaires");
        h.requests();
        key(&mut s, &mut h, KeyCode::Char('/'));
        let requests = h.requests();
        let [(id, Request::Roster)] = requests.as_slice() else {
            panic!("{requests:?}")
        };
        let Some(data) = roster().data().cloned() else {
            panic!()
        };
        keys(&mut s, &mut h, "mar");
        h.run(|cx| s.on_response(*id, Ok(Response::Roster(data.workers, data.index)), cx));
        assert_eq!(
            s.form.as_ref().unwrap().picker.as_ref().unwrap().hits,
            [1],
            "searched on arrival"
        );
        key(&mut s, &mut h, KeyCode::Enter);
        assert_eq!(s.form.as_ref().unwrap().titulaires().len(), 2);
    }

    #[test]
    fn the_app_routes_keys_to_the_form_and_shows_declarations_after_success() {
        use crate::tui::action::Action;
        use crate::tui::app::{App, AppOptions};
        use crate::tui::screens::ScreenId;
        fn send(app: &mut App, code: KeyCode) {
            app.update(Action::Key(press(code)));
        }
        /// The tree's answer `index`, with ↓ and Entrée.
        fn answer(app: &mut App, index: usize) {
            let order = app.simulator.order();
            let target = order.iter().position(|&i| i == index).unwrap();
            for _ in 0..order.len() {
                if app.simulator.selected >= target {
                    break;
                }
                send(app, KeyCode::Down);
            }
            assert_eq!(
                app.simulator.selected,
                target,
                "answer {index} at {:?}",
                app.simulator.walk.current()
            );
            send(app, KeyCode::Enter);
        }
        let (mut app, _) = App::new(AppOptions::new(today()), &Rules::embedded().unwrap());
        send(&mut app, KeyCode::Char('5'));
        assert_eq!(app.screen, ScreenId::Simulator);
        // Digits are screen keys here too: they never answer.
        send(&mut app, KeyCode::Char('1'));
        assert_eq!(app.screen, ScreenId::Expirations);
        send(&mut app, KeyCode::Char('5'));
        assert!(app.simulator.walk.user_steps() == 0, "nothing answered");
        // Choosing does not validate: ↓ moves, only Entrée answers.
        send(&mut app, KeyCode::Down);
        assert!(app.simulator.walk.user_steps() == 0);
        send(&mut app, KeyCode::Up);
        for c in "111222111121".chars() {
            answer(&mut app, c.to_digit(10).unwrap() as usize - 1);
        }
        for c in "15/10/2026".chars() {
            send(&mut app, KeyCode::Char(c));
        }
        send(&mut app, KeyCode::Enter);
        for _ in 0..2 {
            answer(&mut app, 1);
        }
        send(&mut app, KeyCode::Enter);
        assert!(app.simulator.form_open);
        send(&mut app, KeyCode::Tab);
        assert_eq!(app.screen, ScreenId::Simulator, "Tab stays in the form");
        send(&mut app, KeyCode::Char('q'));
        assert!(!app.quit, "q is typed in a text field");
        // F-keys change screens from the field itself; the form waits, open.
        send(&mut app, KeyCode::F(6));
        assert_eq!(app.screen, ScreenId::Declarations);
        send(&mut app, KeyCode::F(5));
        assert!(app.simulator.form_open);
        send(&mut app, KeyCode::Esc);
        assert!(
            app.simulator.form_open,
            "the first Échap only leaves the field"
        );
        send(&mut app, KeyCode::Tab);
        assert_eq!(
            app.screen,
            ScreenId::Declarations,
            "out of the field, Tab switches screens"
        );
    }

    // ---------------------------------------------------------------------------------- render

    /// A form with fixed ids, so that snapshots do not change from run to run.
    fn fixed(form: Form) -> Form {
        let mut d = form.to_draft();
        d.id = "0123456789abcdef0123456789abcdef".into();
        d.idempotency_key = "fedcba9876543210fedcba9876543210".into();
        d.declaration.id_declaration = "PP-0123456789ABCDEF".into();
        d.inputs
            .insert("REFERENCE_DECLARATION".into(), "PP-0123456789ABCDEF".into());
        for (i, t) in d.declaration.titulaires.iter_mut().enumerate() {
            t.id_unique_partenaire = format!("PP-0123456789ABCDEF-{}", i + 1);
        }
        let mut fixed = Form::from_draft(&d, today());
        fixed.notice = form.notice.clone();
        fixed.submission = form.submission.clone();
        fixed
    }

    fn draw(s: &SimulatorScreen, width: u16, height: u16) -> TestBackend {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| {
                let body = ui::layout(frame.area()).body;
                s.render(frame, body, &Theme::monochrome(), today());
            })
            .unwrap();
        terminal.backend().clone()
    }

    fn walked(answers: &str) -> SimulatorScreen {
        let (mut s, mut h) = (screen(), Harness::default());
        keys(&mut s, &mut h, answers);
        s
    }

    fn form_screen(
        edit: impl FnOnce(&mut Form, &mut Harness, &mut SimulatorScreen),
    ) -> SimulatorScreen {
        let (mut s, mut h) = to_declare(DeclarationKind::Attestation);
        key(&mut s, &mut h, KeyCode::Enter);
        let form = s.form.take().unwrap();
        s.form = Some(fixed(form));
        let mut form = s.form.take().unwrap();
        edit(&mut form, &mut h, &mut s);
        s.form = Some(form);
        s
    }

    fn press_form(form: &mut Form, code: KeyCode) {
        form.on_key(&press(code), &Remote::default());
    }

    #[test]
    fn snapshots() {
        let drafts = {
            let mut sent = draft_named("Habilitation électrique B0H0");
            sent.id = "1".repeat(32);
            sent.submit_attempted = true;
            let mut untitled = draft_named("");
            untitled.id = "2".repeat(32);
            untitled.declaration.date_fin_formation = None;
            vec![
                ListedDraft::Readable(Box::new(draft_named("Sauveteur secouriste du travail"))),
                ListedDraft::Readable(Box::new(sent)),
                ListedDraft::Readable(Box::new(untitled)),
                corrupt(),
            ]
        };
        let (mut with_list, mut h) = with_drafts(drafts);
        keys(&mut with_list, &mut h, "bj");
        let mut confirm = with_drafts(vec![corrupt()]).0;
        confirm.confirm_delete = Some("abc".into());
        let mut date = walked(&format!("{OF}{ELIGIBLE}11"));
        date.date_input = "15/10/20".into();
        let mut bad_date = walked(&format!("{OF}{ELIGIBLE}11"));
        bad_date.date_input = "31/02/2026".into();
        bad_date.submit_date();

        let training_error = form_screen(|f, _, _| {
            press_form(f, KeyCode::Tab);
            for c in "31/02/2026".chars() {
                press_form(f, KeyCode::Char(c));
            }
            press_form(f, KeyCode::Tab);
            press_form(f, KeyCode::Tab);
        });
        let titulaires = form_screen(|f, _, _| {
            f.add_titulaire(
                &nir_with_key("1850375112345"),
                "DUPONT",
                Some("73282932000074"),
            );
            f.add_titulaire("185037511234", "MARTIN", None);
            f.focus_key("titulaires[1].NIR");
            press_form(f, KeyCode::Tab);
        });
        let review = form_screen(|f, _, _| {
            f.set_text(Field::NomFormation, None, "Sauveteur secouriste du travail");
            f.add_titulaire("185037511234", "MARTIN", None);
            f.focus_key("titulaires");
            press_form(f, KeyCode::PageDown);
        });
        let failed = {
            let mut s = screen();
            let mut form = fixed(complete(DeclarantKind::OrganismeFormation));
            form.focus_key("titulaires");
            press_form(&mut form, KeyCode::PageDown);
            form.submit_attempted = true;
            form.submission = Submission::Failed {
                creating: true,
                message: ApiError::Timeout.to_string(),
            };
            s.form = Some(form);
            s.form_open = true;
            s
        };
        let picker = {
            let mut s = screen();
            s.roster = roster();
            let mut form = fixed(complete(DeclarantKind::OrganismeFormation));
            form.focus_key("titulaires");
            form.on_key(&press(KeyCode::Char('/')), &s.roster);
            for c in "dup".chars() {
                form.on_key(&press(KeyCode::Char(c)), &s.roster);
            }
            s.form = Some(form);
            s.form_open = true;
            s
        };
        let justificatif = form_screen(|f, _, _| {
            *f = fixed(Form::from_prefill(
                &crate::tui::form::tests::prefill(
                    DeclarantKind::Employeur,
                    DeclarationKind::Justificatif,
                ),
                NaiveDate::from_ymd_opt(2027, 6, 30),
                None,
                today(),
            ));
        });

        let drafts_loading = {
            let (mut s, mut h) = (screen(), Harness::default());
            h.run(|cx| s.on_enter(cx));
            s
        };
        let drafts_error = {
            let (mut s, mut h) = (screen(), Harness::default());
            h.run(|cx| s.on_enter(cx));
            let requests = h.requests();
            let (id, _) = requests[0];
            let refused =
                Err("brouillons : lecture du dossier impossible (Permission denied)".into());
            h.run(|cx| s.on_response(id, Ok(Response::Drafts(refused)), cx));
            s
        };
        let cases: Vec<(&str, SimulatorScreen)> = vec![
            ("question", walked("1112")),
            ("question_from_account", {
                let mut s = screen();
                s.know_account(DeclarantKind::Employeur);
                s
            }),
            // « Non » last (it is first in the tree), long answers hanging under their text.
            ("question_non_last", walked("111222")),
            ("drafts_loading", drafts_loading),
            ("drafts_error", drafts_error),
            ("drafts", with_list),
            ("drafts_confirm", confirm),
            ("date", date),
            ("date_error", bad_date),
            (
                "outcome_a_declarer",
                to_declare(DeclarationKind::Attestation).0,
            ),
            ("outcome_non_concerne", walked("1111")),
            ("outcome_autre_declarant", walked("12")),
            ("outcome_a_verifier", walked("23115/10/2026\n")),
            (
                "outcome_pas_encore",
                walked(&format!("{EMPLOYER}{ELIGIBLE}2315/09/2026\n")),
            ),
            (
                "outcome_a_declarer_noted",
                walked(&format!("{OF}{ELIGIBLE}2215/10/2026\n11")),
            ),
            ("form_training_error", training_error),
            ("form_justificatif", justificatif),
            ("form_titulaires", titulaires),
            ("form_picker", picker),
            ("form_review", review),
            ("form_submit_failed", failed),
        ];
        for (name, s) in &cases {
            for (width, height) in [(80, 24), (120, 40)] {
                insta::assert_snapshot!(format!("{name}_{width}x{height}"), draw(s, width, height));
            }
        }
    }
}
