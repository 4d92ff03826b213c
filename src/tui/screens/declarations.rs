//! Déclarations: the recorded declarations with reference, kind, training, number of titulaires,
//! status and deadline (late ones in the error style), sortable and filterable by status. Enter
//! shows one declaration and its titulaires; `x` removes a titulaire after confirmation (the
//! platform's only correction); `e` writes the visible declarations as bulk files.

use std::path::PathBuf;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{
    DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView, DeclarationsQuery,
};
use crate::domain::DeclarationKind;
use crate::domain::ids::Nir;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::{Columns, ListCursor, cycle, render_table};
use crate::tui::widgets::{sanitize, state_message};

const STATUSES: [DeclarationStatus; 3] = [
    DeclarationStatus::Enregistree,
    DeclarationStatus::EnRetard,
    DeclarationStatus::Supprimee,
];

/// The outcome of the last export, shown above the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportState {
    /// Files are being written.
    Running(RequestId),
    /// Files written, with their declaration counts.
    Done(Vec<(PathBuf, usize)>),
    /// The export failed.
    Failed(String),
}

/// One declaration opened with Enter.
#[derive(Debug, Default)]
pub struct Detail {
    /// The declaration.
    pub view: Remote<DeclarationView>,
    /// Selection among its titulaires.
    pub cursor: ListCursor,
    /// The titulaire (ID_UNIQUE_PARTENAIRE) whose removal awaits confirmation.
    pub confirm: Option<String>,
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
    /// The last export.
    pub export: Option<ExportState>,
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

    fn load(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::Declarations(DeclarationsQuery::default()));
        self.list.start(id);
    }

    fn open(&mut self, id: DeclarationId, cx: &mut Cx<'_>) {
        let mut detail = Detail::default();
        detail.view.start(cx.request(Request::Declaration(id)));
        self.detail = Some(detail);
    }

    fn export_visible(&mut self, cx: &mut Cx<'_>) {
        let ids: Vec<DeclarationId> = self
            .visible()
            .iter()
            .filter(|d| d.status != DeclarationStatus::Supprimee)
            .map(|d| d.id)
            .collect();
        self.export = Some(if ids.is_empty() {
            ExportState::Failed("aucune déclaration à exporter dans la liste affichée".into())
        } else {
            ExportState::Running(cx.request(Request::ExportDeclarations(ids)))
        });
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
        } else {
            &[Context::Browse, Context::List]
        }
    }

    fn offers(&self, command: Command) -> bool {
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
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(detail) = &mut self.detail else {
            return false;
        };
        let Some(titulaire) = detail.confirm.clone() else {
            return false;
        };
        match key.code {
            KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                detail.confirm = None;
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
        if self.detail.is_some() {
            return self.detail_command(command, cx);
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
            Command::Export => self.export_visible(cx),
            _ => return false,
        }
        true
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        if self.list.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Declarations(list) => Ok(list),
                _ => Err(unexpected()),
            });
            self.list.finish(id, result);
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
        } else if self.export == Some(ExportState::Running(id)) {
            self.export = Some(match result {
                Ok(Response::Exported(files)) => ExportState::Done(files),
                Ok(_) => ExportState::Failed("réponse inattendue".into()),
                Err(e) => ExportState::Failed(e.to_string()),
            });
        } else if let Some(detail) = &mut self.detail
            && detail.view.expects(id)
        {
            let removal = detail.view.data().is_some();
            let result = result.and_then(|r| match r {
                Response::Declaration(view) => Ok(*view),
                _ => Err(unexpected()),
            });
            detail.view.finish(id, result);
            let len = detail
                .view
                .data()
                .map_or(0, |v| v.declaration.titulaires.len());
            detail.cursor.select(detail.cursor.selected(), len);
            if removal {
                // The count and status changed: the list must say so too.
                self.load(cx);
            }
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        if self.detail.is_none() && row >= 2 {
            let len = self.visible().len();
            self.cursor.click(usize::from(row - 2), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        if let Some(detail) = &self.detail {
            render_detail(detail, frame, area, theme);
            return;
        }
        let [filter_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let line = match &self.export {
            Some(ExportState::Running(_)) => Line::styled(" ⟳ Export en cours…", theme.muted),
            Some(ExportState::Done(files)) => {
                // File names first (they fit at 80 columns), then their folder.
                let names: Vec<String> = files
                    .iter()
                    .map(|(path, n)| {
                        let name = path.file_name().map_or_else(
                            || path.display().to_string(),
                            |f| f.to_string_lossy().into_owned(),
                        );
                        format!("{name} ({n})")
                    })
                    .collect();
                let folder = files
                    .first()
                    .and_then(|(path, _)| path.parent())
                    .map_or_else(String::new, |dir| format!(" dans {}", dir.display()));
                Line::styled(
                    format!(" Exporté : {}{folder}", names.join(", ")),
                    theme.valid,
                )
            }
            Some(ExportState::Failed(e)) => Line::styled(
                format!(" ✖ Export impossible : {}", sanitize(e)),
                theme.error,
            ),
            None => Line::styled(
                format!(
                    " Statut : {} (s) · Tri : {} (o) · e exporter",
                    self.status.map_or("tous", DeclarationStatus::label),
                    if self.oldest_first {
                        "plus anciennes"
                    } else {
                        "plus récentes"
                    }
                ),
                theme.muted,
            ),
        };
        frame.render_widget(Paragraph::new(line), filter_area);
        let rows = self.visible();
        if self.list.data().is_none() || rows.is_empty() {
            state_message(
                frame,
                table_area,
                theme,
                self.list.is_loading(),
                self.list.error(),
                Some("Aucune déclaration : le Simulateur (5) guide la première."),
            );
            return;
        }
        // The whole label: « Enregistrée en retard » must not read « Enregistrée ».
        let status_width = STATUSES
            .iter()
            .map(|s| s.label().chars().count())
            .max()
            .unwrap_or(0) as u16;
        let widths = [
            Constraint::Fill(2),
            Constraint::Length(4),
            Constraint::Fill(3),
            Constraint::Length(4),
            Constraint::Length(status_width),
            Constraint::Length(10),
        ];
        let header = Row::new(["Référence", "Type", "Formation", "Tit.", "Statut", "Délai"]);
        render_table(
            frame,
            table_area,
            &self.cursor,
            &rows,
            Columns {
                header,
                widths: &widths,
            },
            theme,
            |d| {
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
                Row::new(vec![
                    Cell::from(sanitize(&d.reference)),
                    Cell::from(layout_code(d.kind)),
                    Cell::from(sanitize(&d.training_title)),
                    Cell::from(d.titulaire_count.to_string()),
                    Cell::from(Span::styled(d.status.label(), status_style)),
                    Cell::from(Span::styled(
                        deadline,
                        if late { theme.error } else { theme.text },
                    )),
                ])
            },
        );
    }
}

fn render_detail(detail: &Detail, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let Some(view) = detail.view.data() else {
        state_message(
            frame,
            area,
            theme,
            detail.view.is_loading(),
            detail.view.error(),
            None,
        );
        return;
    };
    let [head, table_area, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let s = &view.summary;
    let d = &view.declaration;
    let dates = match (d.date_debut_formation, d.date_fin_formation) {
        (Some(start), Some(end)) => {
            format!(
                "du {} au {}",
                start.format("%d/%m/%Y"),
                end.format("%d/%m/%Y")
            )
        }
        _ => "sans formation".to_owned(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                format!(
                    " {} · {}",
                    sanitize(&s.reference),
                    sanitize(&s.training_title)
                ),
                theme.title,
            ),
            Line::raw(format!(
                " {} ({}) · {dates}",
                s.kind.label(),
                layout_code(s.kind)
            )),
            Line::styled(
                format!(
                    " {} · délai {}",
                    s.status.label(),
                    s.deadline
                        .map_or("—".to_owned(), |due| due.format("%d/%m/%Y").to_string())
                ),
                if s.status == DeclarationStatus::EnRetard {
                    theme.error
                } else {
                    theme.muted
                },
            ),
        ]),
        head,
    );
    if d.titulaires.is_empty() {
        state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            Some("Plus aucun titulaire : déclaration supprimée."),
        );
    } else {
        let widths = [
            Constraint::Fill(2),
            Constraint::Length(22),
            Constraint::Length(15),
            Constraint::Fill(1),
        ];
        let header = Row::new(["Titulaire", "NIR", "SIRET employeur", "Identifiant"]);
        render_table(
            frame,
            table_area,
            &detail.cursor,
            &d.titulaires,
            Columns {
                header,
                widths: &widths,
            },
            theme,
            |t| {
                let nir = t
                    .nir
                    .parse::<Nir>()
                    .map(|n| n.masked())
                    .unwrap_or_else(|_| "NIR invalide".into());
                Row::new(vec![
                    Cell::from(sanitize(&t.nom_titulaire)),
                    Cell::from(nir),
                    Cell::from(sanitize(&t.siret_employeur)),
                    Cell::from(sanitize(&t.id_unique_partenaire)),
                ])
            },
        );
    }
    let footer = match (&detail.confirm, detail.view.is_loading()) {
        (Some(_), _) => Line::styled(
            " Retirer ce titulaire de la déclaration ? Cette correction est définitive. (o/n)",
            theme.error,
        ),
        (None, true) => Line::styled(" ⟳ Envoi…", theme.muted),
        (None, false) => match detail.view.error() {
            Some(e) => Line::styled(
                format!(" ✖ {} — r pour réessayer", sanitize(e)),
                theme.error,
            ),
            None => Line::styled(
                " x retirer le titulaire sélectionné · Échap retour",
                theme.muted,
            ),
        },
    };
    frame.render_widget(Paragraph::new(footer), foot);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::declaration::{Declaration, Titulaire};
    use crate::tui::action::Effect;
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
    fn export_writes_the_visible_declarations_but_not_withdrawn_ones() {
        let mut h = Harness::loaded();
        h.with(|s, cx| s.on_command(Command::Export, cx));
        let (id, request) = requests(&h.effects)[0].clone();
        assert_eq!(request, Request::ExportDeclarations(vec![3, 1]));
        let files = vec![(PathBuf::from("/tmp/passeport-ADF.csv"), 2)];
        h.with(|s, cx| s.on_response(id, Ok(Response::Exported(files.clone())), cx));
        assert_eq!(h.screen.export, Some(ExportState::Done(files)));

        // Filtered on « Supprimée » only: nothing to export, said so.
        h.screen.status = Some(DeclarationStatus::Supprimee);
        h.effects.clear();
        h.with(|s, cx| s.on_command(Command::Export, cx));
        assert!(requests(&h.effects).is_empty());
        assert!(matches!(h.screen.export, Some(ExportState::Failed(_))));
    }
}
