//! Simulateur: walks the decision tree of `assets/simulator.toml` one question at a time
//! (question, short help, source of the rule; answers by arrows/Enter or their number), shows the
//! path so far as breadcrumbs, goes back one step with Backspace/Esc, and ends on the outcome.
//! From *à déclarer*, Enter opens the declaration form ([`crate::tui::form`]) pre-filled from the
//! answers (and from the session, when opened with `d` on Sessions). Every change of the form is
//! saved as a draft; the drafts in progress are listed under the first question (« Brouillons en
//! cours ») and reopen exactly as left. Submission: the server's validation, then the creation
//! under the draft's idempotency key; on success the draft is deleted and the Déclarations
//! screen shows the new declaration.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Cx, Navigate, Screen};
use crate::api::ApiError;
use crate::api::contract::SessionDetail;
use crate::domain::session::SessionId;
use crate::drafts::{Draft, ListedDraft};
use crate::rules::Rules;
use crate::simulator::{Outcome, Step, Walk};
use crate::tui::action::{Request, RequestId, Response};
use crate::tui::form::render::truncate;
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
    /// The highlighted row: an answer of the current question, then (on the first question) the
    /// drafts in progress.
    pub selected: usize,
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
}

impl SimulatorScreen {
    /// A fresh walk over the loaded rules.
    pub fn new(rules: &Rules) -> Self {
        Self {
            walk: Walk::new(Arc::clone(&rules.simulator), Arc::clone(&rules.deadlines)),
            selected: 0,
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
    }

    /// Back to the first question; the form is closed (its draft stays on disk).
    pub fn restart(&mut self) {
        while self.walk.back() {}
        self.selected = 0;
        self.date_input.clear();
        self.error = None;
        self.from_session = None;
        self.form = None;
        self.form_open = false;
        self.session_pending = false;
        self.confirm_delete = None;
    }

    /// True on the first question, where the drafts are listed.
    fn at_start(&self) -> bool {
        self.walk.path().is_empty() && matches!(self.walk.current(), Step::Question { .. })
    }

    fn answer_count(&self) -> usize {
        match self.walk.current() {
            Step::Question { answers, .. } => answers.len(),
            _ => 0,
        }
    }

    /// Drafts listed under the first question.
    fn listed(&self) -> &[ListedDraft] {
        if self.at_start() { self.drafts.data().map_or(&[], Vec::as_slice) } else { &[] }
    }

    /// The walk moved: a form kept for the previous outcome no longer matches it.
    fn walked(&mut self) {
        self.selected = 0;
        self.error = None;
        self.date_input.clear();
        if !self.form_open {
            self.form = None;
        }
        self.prefill_date();
    }

    fn answer(&mut self, index: usize) {
        match self.walk.answer(index) {
            Ok(()) => self.walked(),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn submit_date(&mut self) {
        match fields::parse_date(&self.date_input) {
            Ok(date) => match self.walk.answer_date(date) {
                Ok(()) => self.walked(),
                Err(e) => self.error = Some(e.to_string()),
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
            let Step::Outcome(Outcome::ADeclarer { prefill, due_date, .. }) = self.walk.current()
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
        let (Some(form), Some(session)) = (&mut self.form, self.session.data()) else { return };
        if form.session_id != Some(session.summary.id) {
            return;
        }
        let added = form.apply_session(session);
        form.notice = Some(format!(
            "Pré-rempli depuis la session « {} » : {added} titulaire{} ajouté{}",
            session.summary.title,
            if added > 1 { "s" } else { "" },
            if added > 1 { "s" } else { "" }
        ));
        self.session_pending = false;
    }

    fn close_form(&mut self, cx: &mut Cx<'_>) {
        self.save(cx);
        self.form_open = false;
        self.load_drafts(cx);
    }

    /// Starts (or retries) the submission of the open form.
    fn submit(&mut self, cx: &mut Cx<'_>) {
        let Some(form) = &mut self.form else { return };
        let create_now =
            form.submit_attempted || matches!(form.submission, Submission::Failed { creating: true, .. });
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

    fn on_created(&mut self, reference: &str, created: bool, cx: &mut Cx<'_>) {
        if let Some(form) = self.form.take() {
            self.deleting = Some(cx.request(Request::DeleteDraft(form.id().to_owned())));
        }
        self.form_open = false;
        self.restart();
        self.notice = Some(if created {
            format!("Déclaration {reference} enregistrée ; son brouillon est supprimé.")
        } else {
            format!("Déclaration {reference} déjà enregistrée (même clé) ; son brouillon est supprimé.")
        });
        cx.navigate = Some(Navigate::Declarations);
    }

    fn on_submission(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        let Some(form) = &mut self.form else { return };
        let creating = match form.submission {
            Submission::Validating(expected) if expected == id => false,
            Submission::Creating(expected) if expected == id => true,
            _ => return,
        };
        match result {
            Ok(Response::Validated(_)) if !creating => self.create(cx),
            Ok(Response::Created(view, created)) => {
                let reference = view.summary.reference.clone();
                self.on_created(&reference, created, cx);
            }
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
                form.submission = Submission::Failed { creating, message: error.to_string() };
            }
        }
    }

    fn walk_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return false;
        }
        let step_is_date = matches!(self.walk.current(), Step::Date { .. });
        let is_declare = matches!(self.walk.current(), Step::Outcome(Outcome::ADeclarer { .. }));
        let count = self.answer_count();
        let rows = count + self.listed().len();
        match key.code {
            KeyCode::Backspace if step_is_date && !self.date_input.is_empty() => {
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
            KeyCode::Char(c) if count > 0 && c.is_ascii_digit() => {
                let n = c.to_digit(10).unwrap_or(0) as usize;
                if n == 0 || n > count {
                    return false;
                }
                self.answer(n - 1);
            }
            KeyCode::Up | KeyCode::Char('k') if rows > 0 => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') if rows > 0 => self.selected = (self.selected + 1).min(rows - 1),
            KeyCode::Enter if self.selected < count => self.answer(self.selected),
            KeyCode::Enter if self.selected < rows => self.open_listed(self.selected - count, cx),
            KeyCode::Char('x') | KeyCode::Delete if self.selected >= count && self.selected < rows => {
                let id = self.listed()[self.selected - count].id().to_owned();
                self.confirm_delete = Some(id);
            }
            _ => return false,
        }
        true
    }
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
            return self.form.as_ref().is_some_and(Form::text_focused);
        }
        matches!(self.walk.current(), Step::Date { .. })
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
            let rows = self.answer_count() + self.listed().len();
            self.selected = self.selected.min(rows.saturating_sub(1));
            return;
        }
        if self.session.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Session(detail) => Ok(*detail),
                _ => Err(ApiError::Malformed { detail: "réponse inattendue".into() }),
            });
            if let Err(e) = &result
                && self.session_pending
                && let Some(form) = &mut self.form
            {
                form.notice = Some(format!("Session non chargée : {e} — r pour réessayer"));
            }
            if self.session.finish(id, result) && self.session.data().is_some() {
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
                _ => Err(ApiError::Malformed { detail: "réponse inattendue".into() }),
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
                    " Session : {} ({}, du {} au {})",
                    sanitize(&s.summary.title),
                    sanitize(&s.summary.organisme),
                    s.summary.start_date.format("%d/%m/%Y"),
                    s.summary.end_date.format("%d/%m/%Y")
                ),
                None if self.session.error().is_some() => format!(
                    " Session n° {session} : {} — r pour réessayer",
                    sanitize(self.session.error().unwrap_or_default())
                ),
                None => format!(" Session n° {session} : chargement…"),
            };
            top.push(Line::styled(truncate(&text, usize::from(area.width)), theme.muted));
        }
        if !path.is_empty() {
            let crumbs: Vec<String> = path.iter().map(|(_, answer)| answer.clone()).collect();
            top.push(Line::styled(format!(" {}", crumbs.join(" › ")), theme.muted));
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
            frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: true }), top_area);
        }
        let mut lines = Vec::new();
        let title = match self.walk.current() {
            Step::Question { text, help, source, answers, .. } => {
                lines.push(Line::styled(text.to_owned(), theme.title));
                lines.push(Line::styled(help.to_owned(), theme.muted));
                lines.push(Line::raw(""));
                for (i, answer) in answers.iter().enumerate() {
                    let style = if i == self.selected { theme.selection } else { theme.text };
                    lines.push(Line::styled(format!(" {}. {answer} ", i + 1), style));
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled(format!("Source : {source}"), theme.muted));
                lines.push(Line::styled(
                    "↑↓ ou chiffre pour choisir · Entrée valider · Retour arrière étape précédente",
                    theme.muted,
                ));
                " Simulateur — dois-je déclarer cette formation ? "
            }
            Step::Date { text, help, source, .. } => {
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
                    "Chiffres et / pour la date · Entrée valider · Retour arrière effacer puis revenir",
                    theme.muted,
                ));
                " Simulateur — date "
            }
            Step::Outcome(outcome) => {
                outcome_lines(&outcome, theme, &mut lines);
                lines.push(Line::raw(""));
                if matches!(outcome, Outcome::ADeclarer { .. }) {
                    let verb = if self.form.is_some() { "reprendre" } else { "saisir" };
                    lines.push(Line::styled(
                        format!("Entrée : {verb} la déclaration (brouillon enregistré à chaque modification)"),
                        theme.title,
                    ));
                }
                lines.push(Line::styled("Retour arrière : modifier la dernière réponse", theme.muted));
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
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::bordered().title(title)),
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
        let rows = match (self.drafts.data(), self.drafts.error(), self.drafts.is_loading()) {
            (_, Some(_), _) => 1,
            (Some(list), _, _) if !list.is_empty() => list.len() as u16 + 1,
            (None, _, true) => 1,
            _ => return 0,
        };
        (rows + 2).min(available / 2)
    }

    fn render_drafts(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let count = self.listed().len();
        let block = Block::bordered().title(format!(" Brouillons en cours ({count}) "));
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
                    ListedDraft::Readable(draft) => format!(" « {} »", sanitize(draft.title())),
                    ListedDraft::Corrupt(c) => format!(" {}.json", sanitize(&c.id)),
                });
            lines.push(Line::styled(
                truncate(&format!("Supprimer ce brouillon{name} ? (o/n)"), width),
                theme.error,
            ));
        } else if let Some(error) = self.drafts.error() {
            lines.push(Line::styled(
                truncate(&format!("Erreur : {} — r pour réessayer", sanitize(error)), width),
                theme.error,
            ));
        } else if self.drafts.data().is_none() {
            lines.push(Line::styled("Chargement des brouillons…", theme.muted));
        } else {
            lines.push(Line::styled(
                truncate("↓ pour choisir · Entrée reprendre · x supprimer", width),
                theme.muted,
            ));
        }
        let answers = self.answer_count();
        let height = usize::from(inner.height).saturating_sub(1);
        let chosen = self.selected.checked_sub(answers);
        let offset = match chosen {
            Some(c) if c >= height => c + 1 - height,
            _ => 0,
        };
        for (index, listed) in self.listed().iter().enumerate().skip(offset).take(height) {
            let (text, style) = match listed {
                ListedDraft::Readable(draft) => {
                    let title = sanitize(draft.title());
                    let title = if title.trim().is_empty() { "(sans intitulé)".to_owned() } else { title };
                    let date = draft
                        .date()
                        .map_or_else(|| "date à saisir".to_owned(), |d| format!("fin {}", d.format("%d/%m/%Y")));
                    let n = draft.declaration.titulaire_count();
                    let sent = if draft.submit_attempted { " · envoi à confirmer" } else { "" };
                    (
                        format!(
                            "  {title} · {date} · {n} titulaire{}{sent} · {}",
                            if n > 1 { "s" } else { "" },
                            draft.declaration.kind.label()
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
            let style = if chosen == Some(index) { theme.selection } else { style };
            lines.push(Line::styled(truncate(&text, width), style));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

fn outcome_lines(outcome: &Outcome, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::styled(outcome.title().to_owned(), theme.title));
    match outcome {
        Outcome::ADeclarer { kind, declarant, reference_date, due_date, .. } => {
            lines.push(Line::raw(format!("Type : {} ({})", kind.label(), declarant.label())));
            lines.push(Line::raw(format!("Date de référence : {}", reference_date.format("%d/%m/%Y"))));
            lines.push(match due_date {
                Some(due) => Line::styled(format!("À déclarer au plus tard le {}", due.format("%d/%m/%Y")), theme.expiring),
                None => Line::raw("Aucun délai applicable à cette date."),
            });
        }
        Outcome::NonConcerne { reason, source } => {
            lines.push(Line::raw(reason.clone()));
            lines.push(Line::styled(format!("Source : {source}"), theme.muted));
        }
        Outcome::PasEncoreObligatoire { from, reason } => {
            lines.push(Line::raw(reason.clone()));
            lines.push(Line::styled(format!("Obligatoire à partir du {}", from.format("%d/%m/%Y")), theme.expiring));
        }
        Outcome::AlimenteAutomatiquement { warning } => {
            lines.push(Line::styled(warning.clone(), theme.expiring));
        }
    }
}
