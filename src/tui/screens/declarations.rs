//! Déclarations: the recorded declarations with reference, kind, training, number of titulaires,
//! status and deadline (late ones in the error style), sortable and filterable by status. Enter
//! shows one declaration and its titulaires; `x` removes a titulaire after confirmation (the
//! platform's only correction); `e` exports what was not sent yet as bulk files, one batch
//! (« lot ») per layout, and `a` records the portal's answer to the selection's batch
//! ([`export`]). After a submission the new declaration is selected and named in a notice line.
//! `V` switches to « À vérifier » ([`verifications`]), the employer's check of training
//! organisations' declarations and its trainings they did not declare ([`undeclared`]; an
//! organisation's view: the correction requests it got).

mod detail;
mod export;
mod undeclared;
mod verifications;

use std::path::PathBuf;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::ExportState;
use crate::api::contract::{
    DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView, DeclarationsQuery,
};
use crate::domain::DeclarationKind;
use crate::text::{agree, count};
use crate::tui::action::{AnswerScope, Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{FitCell, FitColumn, FitRow, FittedTable, detail, render_fitted};
use crate::tui::widgets::list::{ListCursor, cycle};
use crate::tui::widgets::{sanitize, state_message};

/// Columns of the list: references stay whole while the title can give room (then keep their
/// distinguishing tail); statuses whole, « Enregistrée en retard » never reads « Enregistrée ».
const COLUMNS: [FitColumn; 7] = [
    FitColumn::identifier("Référence", 12),
    FitColumn::whole("Type"),
    FitColumn::title("Formation", 14, 3),
    FitColumn::whole("Tit."),
    FitColumn::whole("Statut"),
    FitColumn::whole("Délai"),
    FitColumn::whole("Lot"),
];

const STATUSES: [DeclarationStatus; 3] = [
    DeclarationStatus::Enregistree,
    DeclarationStatus::EnRetard,
    DeclarationStatus::Supprimee,
];

/// One declaration opened with Enter.
#[derive(Debug, Default)]
pub struct Detail {
    /// The declaration.
    pub view: Remote<DeclarationView>,
    /// Selection among its titulaires.
    pub cursor: ListCursor,
    /// The titulaire (ID_UNIQUE_PARTENAIRE) whose removal awaits confirmation.
    pub confirm: Option<String>,
    /// The name of the titulaire whose removal was sent, for the message once it is done.
    pub removing: Option<String>,
}

/// State of the Déclarations screen.
#[derive(Debug, Default)]
pub struct DeclarationsScreen {
    /// The declarations.
    pub list: Remote<Vec<DeclarationSummary>>,
    /// Status filter.
    pub status: Option<DeclarationStatus>,
    /// Oldest first when true (default: most recent first).
    pub oldest_first: bool,
    /// Selection.
    pub cursor: ListCursor,
    /// The declaration opened, if any.
    pub detail: Option<Detail>,
    /// A declaration just submitted, to select once the list arrives (`true` when new).
    pub created: Option<(DeclarationId, bool)>,
    /// A short message above the list (the declaration just recorded, a removal); cleared by
    /// the next command.
    pub notice: Option<String>,
    /// The export in flight.
    pub exporting: Option<RequestId>,
    /// The portal's answer being asked.
    pub question: Option<export::Question>,
    /// The answer in flight.
    pub answering: Option<RequestId>,
    /// The « À vérifier » view is shown instead of the declarations.
    pub verifying: bool,
    /// The « À vérifier » view.
    pub verifications: verifications::Verifications,
    /// The account is a training organisation (its « À vérifier » lists requests it got).
    pub organisation: bool,
    /// True when the user's role writes nothing: no line names the export, answer or removal
    /// keys.
    pub read_only: bool,
}

fn layout_code(kind: DeclarationKind) -> &'static str {
    match kind {
        DeclarationKind::Attestation => "ADF",
        DeclarationKind::Justificatif => "JDR",
    }
}

impl DeclarationsScreen {
    /// The rows shown, filtered and sorted.
    pub fn visible(&self) -> Vec<&DeclarationSummary> {
        let mut rows: Vec<&DeclarationSummary> = self
            .list
            .data()
            .map(|l| {
                l.iter()
                    .filter(|d| self.status.is_none_or(|s| d.status == s))
                    .collect()
            })
            .unwrap_or_default();
        rows.sort_by(|a, b| {
            let order = a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id));
            if self.oldest_first {
                order
            } else {
                order.reverse()
            }
        });
        rows
    }

    /// After a submission: the list (reloaded on enter) will select `id` and name it, out of
    /// « À vérifier » (where a declaration in an organisation's place was started).
    pub fn show_created(&mut self, id: DeclarationId, new: bool) {
        self.detail = None;
        self.verifying = false;
        self.verifications.open = false;
        self.created = Some((id, new));
    }

    /// Selects the declaration just submitted, every filter off, and says where it is.
    fn select_created(&mut self) {
        let Some((id, new)) = self.created else {
            return;
        };
        let Some(found) = self.list.data().and_then(|l| l.iter().find(|d| d.id == id)) else {
            return;
        };
        let count = found.titulaire_count;
        let what = if new {
            "enregistrée"
        } else {
            "déjà enregistrée (même envoi)"
        };
        self.notice = Some(format!(
            "✔ Déclaration {} {what}, {count} titulaire{} : sélectionnée ci-dessous (Entrée : détail)",
            sanitize(&found.reference),
            if count > 1 { "s" } else { "" }
        ));
        self.created = None;
        self.status = None;
        let rows = self.visible();
        let position = rows.iter().position(|d| d.id == id).unwrap_or(0);
        let len = rows.len();
        self.cursor.select(position, len);
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::Declarations(DeclarationsQuery::default()));
        self.list.start(id);
    }

    fn open(&mut self, id: DeclarationId, cx: &mut Cx<'_>) {
        let mut detail = Detail::default();
        detail.view.start(cx.request(Request::Declaration(id)));
        self.detail = Some(detail);
    }

    /// Exports the lines of every declaration not sent yet (the server remembers what was).
    fn export_new(&mut self, cx: &mut Cx<'_>) {
        if self.exporting.is_none() {
            self.exporting = Some(cx.request(Request::ExportBatches));
        }
    }

    /// Asks the portal's answer to the selection's latest batch, if it awaits one.
    fn ask_answer(&mut self, cx: &mut Cx<'_>) {
        let Some(selected) = self.visible().get(self.cursor.selected()).copied() else {
            return;
        };
        match selected.export {
            None => {
                cx.notice = Some(
                    "Cette déclaration n'a pas encore été exportée : e pour l'exporter.".into(),
                );
            }
            Some(export) if export.state != ExportState::EnAttente => {
                cx.notice = Some(format!(
                    "Le lot {} a déjà une réponse ({}).",
                    export.batch_id,
                    export.state.label()
                ));
            }
            Some(export) => {
                self.question = Some(export::Question {
                    batch: export.batch_id,
                    declaration: selected.id,
                });
            }
        }
    }

    /// The key answering the question, if one is asked: `a`, `r`, `t`, or Échap.
    fn answer_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(question) = self.question else {
            return false;
        };
        let scope = match key.code {
            KeyCode::Char('a' | 'A') => Some(AnswerScope::Accepted),
            KeyCode::Char('r' | 'R') => Some(AnswerScope::Refused),
            KeyCode::Char('t' | 'T') => Some(AnswerScope::Declaration(question.declaration)),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => {
                self.question = None;
                None
            }
            _ => None,
        };
        if let Some(answer) = scope {
            self.question = None;
            self.answering = Some(cx.request(Request::AnswerExport {
                batch: question.batch,
                answer,
            }));
        }
        // While the question is asked, no other key acts.
        true
    }

    fn detail_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        let Some(detail) = &mut self.detail else {
            return false;
        };
        let titulaires = detail
            .view
            .data()
            .map_or(0, |v| v.declaration.titulaires.len());
        if detail.cursor.apply(command, titulaires) {
            return true;
        }
        match command {
            Command::Back => self.detail = None,
            Command::Delete => {
                let key = detail.view.data().and_then(|v| {
                    (v.summary.status != DeclarationStatus::Supprimee)
                        .then(|| v.declaration.titulaires.get(detail.cursor.selected()))
                        .flatten()
                        .map(|t| t.id_unique_partenaire.clone())
                });
                detail.confirm = key;
            }
            Command::Refresh => {
                if let Some(id) = detail.view.data().map(|v| v.summary.id) {
                    detail.view.start(cx.request(Request::Declaration(id)));
                }
                self.load(cx);
            }
            _ => return false,
        }
        true
    }
}

impl Screen for DeclarationsScreen {
    fn contexts(&self) -> &'static [Context] {
        if self.detail.is_some() {
            &[Context::Detail, Context::List]
        } else if self.verifying {
            &[Context::Verify, Context::Browse, Context::List]
        } else {
            &[Context::Browse, Context::Verify, Context::List]
        }
    }

    fn input_focused(&self) -> bool {
        self.verifying && self.detail.is_none() && self.verifications.message.is_some()
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx<'_>) {
        if self.verifying && self.detail.is_none() {
            self.verifications.on_paste(text);
        }
    }

    fn offers(&self, command: Command) -> bool {
        if self.detail.is_none() {
            match command {
                Command::ToggleVerifications => return true,
                _ if self.verifying => return self.verifications.offers(command),
                Command::VerifyLine | Command::RequestCorrection | Command::DeclareInstead => {
                    return false;
                }
                _ => {}
            }
        }
        // Before the list arrives (loading, error), its keys have nothing to act on.
        let listed = self.detail.is_some() || self.list.data().is_some();
        match command {
            Command::Open => self.detail.is_some() || !self.visible().is_empty(),
            Command::FilterStatus | Command::FilterTraining | Command::Sort => listed,
            _ => true,
        }
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        // Always reload: a declaration may just have been submitted.
        self.load(cx);
        if self.verifying {
            self.verifications.load(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        if self.verifying && self.detail.is_none() {
            self.verifications.load(cx);
        } else {
            self.load(cx);
        }
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        if self.verifying && self.detail.is_none() && self.verifications.on_key(key, cx) {
            return true;
        }
        if self.answer_key(key, cx) {
            return true;
        }
        let Some(detail) = &mut self.detail else {
            return false;
        };
        let Some(titulaire) = detail.confirm.clone() else {
            return false;
        };
        match key.code {
            KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                detail.confirm = None;
                detail.removing = detail.view.data().and_then(|v| {
                    v.declaration
                        .titulaires
                        .iter()
                        .find(|t| t.id_unique_partenaire == titulaire)
                        .map(|t| sanitize(&t.nom_titulaire).to_uppercase())
                });
                if let Some(declaration) = detail.view.data().map(|v| v.summary.id) {
                    let id = cx.request(Request::RemoveTitulaire {
                        declaration,
                        id_unique_partenaire: titulaire,
                    });
                    detail.view.start(id);
                }
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => detail.confirm = None,
            _ => {}
        }
        // While the question is asked, no other key acts.
        true
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        self.notice = None;
        if self.detail.is_some() {
            return self.detail_command(command, cx);
        }
        if command == Command::ToggleVerifications {
            self.verifying = !self.verifying;
            if self.verifying {
                self.verifications.load(cx);
            }
            return true;
        }
        if self.verifying {
            // Only the view's own commands: quitting, help, screens and search stay the app's.
            let own = matches!(
                command,
                Command::Up
                    | Command::Down
                    | Command::PageUp
                    | Command::PageDown
                    | Command::Home
                    | Command::End
                    | Command::Open
                    | Command::FilterStatus
                    | Command::VerifyLine
                    | Command::RequestCorrection
                    | Command::DeclareInstead
            ) || (command == Command::Back && self.verifications.open);
            if !own {
                return false;
            }
            if let Some(declaration) = self
                .verifications
                .on_command(command, self.organisation, cx)
            {
                self.open(declaration, cx);
            }
            return true;
        }
        let len = self.visible().len();
        if self.cursor.apply(command, len) {
            return true;
        }
        match command {
            Command::Open => {
                if let Some(id) = self.visible().get(self.cursor.selected()).map(|d| d.id) {
                    self.open(id, cx);
                }
            }
            Command::FilterStatus => {
                self.status = cycle(self.status, &STATUSES);
                self.cursor.select(0, len);
            }
            Command::Sort => self.oldest_first = !self.oldest_first,
            Command::Export => self.export_new(cx),
            Command::Answer => self.ask_answer(cx),
            _ => return false,
        }
        true
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        if self.verifications.expects(id) {
            self.verifications.on_response(id, result);
        } else if self.list.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Declarations(list) => Ok(list),
                _ => Err(unexpected()),
            });
            self.list.finish(id, result);
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
            self.select_created();
        } else if self.exporting == Some(id) {
            // A failure is on the status line already (the app shows request errors).
            self.exporting = None;
            if let Ok(Response::Exported(files)) = result {
                let home = std::env::var_os("HOME").map(PathBuf::from);
                cx.notice = Some(export::exported_notice(&files, home.as_deref()));
                self.load(cx);
            }
        } else if self.answering == Some(id) {
            self.answering = None;
            if let Ok(Response::ExportAnswered(batch)) = result {
                cx.notice = Some(export::answered_notice(&batch));
                self.load(cx);
            }
        } else if let Some(detail) = &mut self.detail
            && detail.view.expects(id)
        {
            let removal = detail.view.data().is_some();
            let result = result.and_then(|r| match r {
                Response::Declaration(view) => Ok(*view),
                _ => Err(unexpected()),
            });
            let done = result.is_ok();
            detail.view.finish(id, result);
            let len = detail
                .view
                .data()
                .map_or(0, |v| v.declaration.titulaires.len());
            detail.cursor.select(detail.cursor.selected(), len);
            if let Some(name) = detail.removing.take() {
                self.notice = Some(match detail.view.data().filter(|_| done) {
                    // The reference heads the detail: the message fits 80 columns without it.
                    Some(_) => format!(
                        "✔ Titulaire {name} retiré : {} {}",
                        count(len as u64, "titulaire", "titulaires"),
                        agree(len as u64, "restant", "restants")
                    ),
                    None => format!("✖ Le retrait de {name} n'a pas abouti : r pour recharger"),
                });
            }
            if removal {
                // The count and status changed: the list must say so too.
                self.load(cx);
                if self.verifying {
                    // A removal answers a correction request: its line now says so.
                    self.verifications.load(cx);
                }
            }
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        let top = if self.notice.is_some() { 3 } else { 2 };
        if self.detail.is_none() && row >= top {
            let len = self.visible().len();
            self.cursor.click(usize::from(row - top), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        if let Some(detail) = &self.detail {
            detail::render(
                detail,
                (self.notice.as_deref(), !self.read_only),
                frame,
                area,
                theme,
            );
            return;
        }
        if self.verifying {
            self.verifications.render(frame, area, theme);
            return;
        }
        let notice_height = u16::from(self.notice.is_some());
        let [notice_area, filter_area, table_area] = Layout::vertical([
            Constraint::Length(notice_height),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);
        if let Some(notice) = &self.notice {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    crate::tui::form::render::truncate(
                        &format!(" {notice}"),
                        usize::from(area.width),
                    ),
                    theme.valid,
                )),
                notice_area,
            );
        }
        let line = match &self.question {
            Some(question) => Line::styled(question.line(), theme.title),
            None => Line::styled(
                format!(
                    " Statut : {} (s) · Tri : {} (o){}",
                    self.status.map_or("Tous", DeclarationStatus::label),
                    if self.oldest_first {
                        "Anciennes"
                    } else {
                        "Récentes"
                    },
                    if !self.read_only {
                        " · e export · a réponse"
                    } else {
                        ""
                    }
                ),
                theme.muted,
            ),
        };
        frame.render_widget(Paragraph::new(line), filter_area);
        let rows = self.visible();
        if self.list.data().is_none() || rows.is_empty() {
            let empty = match self.status {
                Some(status) => format!(
                    "Aucune déclaration « {} » — s pour changer de filtre.",
                    status.label()
                ),
                None => "Aucune déclaration : le Simulateur (5) guide la première.".to_owned(),
            };
            state_message(
                frame,
                table_area,
                theme,
                self.list.is_loading(),
                self.list.error(),
                Some(&empty),
            );
            return;
        }
        let fitted: Vec<FitRow> = rows
            .iter()
            .map(|d| {
                let status_style = match d.status {
                    DeclarationStatus::Enregistree => theme.valid,
                    DeclarationStatus::EnRetard => theme.error,
                    DeclarationStatus::Supprimee => theme.muted,
                };
                let deadline = d
                    .deadline
                    .map_or("—".to_owned(), |due| due.format("%d/%m/%Y").to_string());
                let late = d.status == DeclarationStatus::EnRetard
                    || d.deadline.is_some_and(|due| {
                        due < today && d.status != DeclarationStatus::Enregistree
                    });
                FitRow::new(vec![
                    FitCell::plain(&d.reference),
                    FitCell::plain(layout_code(d.kind)),
                    FitCell::plain(&d.training_title),
                    FitCell::plain(&d.titulaire_count.to_string()),
                    FitCell::new(d.status.label(), status_style),
                    FitCell::new(&deadline, if late { theme.error } else { theme.text }),
                    {
                        let (text, style) = export::cell(d.export.as_ref(), theme);
                        FitCell::new(&text, style)
                    },
                ])
            })
            .collect();
        let selected = rows
            .get(self.cursor.selected())
            .map(|d| detail(&[&d.reference, &d.training_title]));
        render_fitted(
            frame,
            table_area,
            &self.cursor,
            FittedTable {
                columns: &COLUMNS,
                rows: fitted,
                detail: selected,
            },
            theme,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contract::{
        DeclarationExport, ExportBatch, ExportBatchSummary, ExportFormat, PortalAnswer,
    };
    use crate::domain::declaration::{Declaration, Titulaire};
    use crate::tui::action::{Effect, ExportedFile};
    use crossterm::event::KeyModifiers;

    fn summary(id: DeclarationId, status: DeclarationStatus) -> DeclarationSummary {
        DeclarationSummary {
            id,
            reference: format!("REF-{id}"),
            kind: DeclarationKind::Attestation,
            training_title: "SST".into(),
            titulaire_count: 2,
            status,
            deadline: NaiveDate::from_ymd_opt(2027, 3, 31),
            created_at: chrono::DateTime::from_timestamp(1_780_000_000 + id, 0).unwrap_or_default(),
            export: None,
        }
    }

    fn view(id: DeclarationId) -> DeclarationView {
        let titulaire = |n: u8| Titulaire {
            id_unique_partenaire: format!("PP-{id}-{n}"),
            nir: "1850375112345".into(),
            nom_titulaire: format!("DUPONT{n}"),
            ..Titulaire::default()
        };
        let declaration = Declaration {
            titulaires: vec![titulaire(1), titulaire(2)],
            ..Declaration::default()
        };
        DeclarationView {
            summary: summary(id, DeclarationStatus::Enregistree),
            declaration,
        }
    }

    fn requests(effects: &[Effect]) -> Vec<(RequestId, Request)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Request { id, request } => Some((*id, request.clone())),
                _ => None,
            })
            .collect()
    }

    struct Harness {
        screen: DeclarationsScreen,
        next: RequestId,
        effects: Vec<Effect>,
    }

    impl Harness {
        fn loaded() -> Self {
            let mut h = Self {
                screen: DeclarationsScreen::default(),
                next: 0,
                effects: Vec::new(),
            };
            h.with(|s, cx| s.on_enter(cx));
            let (id, _) = requests(&h.effects)[0].clone();
            let list = vec![
                summary(1, DeclarationStatus::Enregistree),
                summary(2, DeclarationStatus::Supprimee),
                summary(3, DeclarationStatus::EnRetard),
            ];
            h.with(|s, cx| s.on_response(id, Ok(Response::Declarations(list)), cx));
            h.effects.clear();
            h
        }

        fn with<R>(&mut self, f: impl FnOnce(&mut DeclarationsScreen, &mut Cx<'_>) -> R) -> R {
            let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
            let mut cx = Cx::new(&mut self.next, &mut self.effects, today, 90);
            f(&mut self.screen, &mut cx)
        }

        fn key(&mut self, c: char) -> bool {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            self.with(|s, cx| s.on_key(&key, cx))
        }
    }

    #[test]
    fn enter_opens_the_detail_and_x_asks_before_removing() {
        let mut h = Harness::loaded();
        // Most recent first: declaration 3 is on top.
        h.with(|s, cx| s.on_command(Command::Open, cx));
        let (id, request) = requests(&h.effects)[0].clone();
        assert_eq!(request, Request::Declaration(3));
        h.with(|s, cx| s.on_response(id, Ok(Response::Declaration(Box::new(view(3)))), cx));
        h.effects.clear();

        h.with(|s, cx| s.on_command(Command::Down, cx));
        h.with(|s, cx| s.on_command(Command::Delete, cx));
        assert!(h.key('n'), "the question takes the key");
        assert!(requests(&h.effects).is_empty(), "n cancels");
        assert_eq!(
            h.screen.detail.as_ref().and_then(|d| d.confirm.clone()),
            None
        );

        h.with(|s, cx| s.on_command(Command::Delete, cx));
        assert!(h.key('o'));
        let removals = requests(&h.effects);
        assert_eq!(
            removals[0].1,
            Request::RemoveTitulaire {
                declaration: 3,
                id_unique_partenaire: "PP-3-2".into()
            }
        );
        // The answer updates the detail and reloads the list.
        let mut after = view(3);
        after.declaration.titulaires.pop();
        h.effects.clear();
        h.with(|s, cx| {
            s.on_response(
                removals[0].0,
                Ok(Response::Declaration(Box::new(after))),
                cx,
            )
        });
        let detail = h
            .screen
            .detail
            .as_ref()
            .and_then(|d| d.view.data())
            .map(|v| v.declaration.titulaires.len());
        assert_eq!(detail, Some(1));
        assert!(matches!(
            requests(&h.effects)[0].1,
            Request::Declarations(_)
        ));
        // Esc closes the detail.
        h.with(|s, cx| s.on_command(Command::Back, cx));
        assert!(h.screen.detail.is_none());
    }

    #[test]
    fn export_sends_what_is_new_says_where_and_the_answer_is_recorded_from_the_list() {
        let mut h = Harness::loaded();
        h.with(|s, cx| s.on_command(Command::Export, cx));
        let (id, request) = requests(&h.effects)[0].clone();
        assert_eq!(request, Request::ExportBatches);
        h.with(|s, cx| s.on_command(Command::Export, cx));
        assert_eq!(requests(&h.effects).len(), 1, "one export at a time");
        h.effects.clear();

        let files = vec![ExportedFile {
            path: PathBuf::from("/srv/exports/passeport-ADF-lot4-20261126.csv"),
            batch: 4,
            kind: ExportFormat::Adf,
            lines: 2,
        }];
        let notice = h.with(|s, cx| {
            s.on_response(id, Ok(Response::Exported(files)), cx);
            cx.notice.clone()
        });
        assert_eq!(
            notice.as_deref(),
            Some("Lot 4 ADF : 2 lignes → /srv/exports/")
        );
        assert!(h.screen.exporting.is_none());
        let (reload, request) = requests(&h.effects)[0].clone();
        assert!(
            matches!(request, Request::Declarations(_)),
            "the list reloads"
        );
        h.effects.clear();

        // Declaration 3 (on top) is in batch 4, awaiting the answer; 1 was accepted in batch 2.
        let mut list = vec![
            summary(1, DeclarationStatus::Enregistree),
            summary(2, DeclarationStatus::Supprimee),
            summary(3, DeclarationStatus::EnRetard),
        ];
        let exported = |batch, state| {
            Some(DeclarationExport {
                batch_id: batch,
                exported_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
                state,
                unsent: 0,
            })
        };
        list[0].export = exported(2, ExportState::Acceptee);
        list[2].export = exported(4, ExportState::EnAttente);
        h.with(|s, cx| s.on_response(reload, Ok(Response::Declarations(list)), cx));

        h.with(|s, cx| s.on_command(Command::Answer, cx));
        assert_eq!(
            h.screen.question,
            Some(export::Question {
                batch: 4,
                declaration: 3
            })
        );
        assert!(h.key('x'), "the question takes every key");
        assert!(requests(&h.effects).is_empty());
        assert!(h.key('t'));
        let (answer, request) = requests(&h.effects)[0].clone();
        assert_eq!(
            request,
            Request::AnswerExport {
                batch: 4,
                answer: AnswerScope::Declaration(3)
            }
        );
        assert!(h.screen.question.is_none());
        h.effects.clear();

        let batch = ExportBatch {
            summary: ExportBatchSummary {
                id: 4,
                kind: ExportFormat::Adf,
                all: false,
                created_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
                file_name: "passeport-ADF-lot4-20261126.csv".into(),
                line_count: 2,
                refused_count: 2,
                answer: Some(PortalAnswer::RefusedTitulaires),
                answered_at: None,
            },
            lines: Vec::new(),
        };
        let notice = h.with(|s, cx| {
            s.on_response(answer, Ok(Response::ExportAnswered(Box::new(batch))), cx);
            cx.notice.clone()
        });
        assert_eq!(
            notice.as_deref(),
            Some(
                "Lot 4 : « titulaires refusés » enregistré ; 2 lignes repartiront au prochain \
                 export (e)."
            )
        );
        assert!(matches!(
            requests(&h.effects)[0].1,
            Request::Declarations(_)
        ));

        // Already answered, or never exported: said, nothing asked.
        h.effects.clear();
        h.with(|s, cx| s.on_command(Command::End, cx));
        let notice = h.with(|s, cx| {
            s.on_command(Command::Answer, cx);
            cx.notice.clone()
        });
        assert_eq!(
            notice.as_deref(),
            Some("Le lot 2 a déjà une réponse (acceptée).")
        );
        h.with(|s, cx| s.on_command(Command::Up, cx));
        let notice = h.with(|s, cx| {
            s.on_command(Command::Answer, cx);
            cx.notice.clone()
        });
        assert!(
            notice
                .unwrap_or_default()
                .contains("pas encore été exportée")
        );
        assert!(h.screen.question.is_none() && requests(&h.effects).is_empty());
    }
}
