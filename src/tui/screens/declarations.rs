//! Déclarations: the recorded declarations with reference, kind, training, number of titulaires,
//! status and deadline (overdue in the error style), sortable and filterable by status.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{DeclarationStatus, DeclarationSummary, DeclarationsQuery};
use crate::tui::action::{Request, RequestId, Response};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::ListCursor;
use crate::tui::widgets::{sanitize, state_message};

const STATUSES: [DeclarationStatus; 3] =
    [DeclarationStatus::Enregistree, DeclarationStatus::EnRetard, DeclarationStatus::Supprimee];

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
}

impl DeclarationsScreen {
    /// The rows shown, filtered and sorted.
    pub fn visible(&self) -> Vec<&DeclarationSummary> {
        let mut rows: Vec<&DeclarationSummary> = self
            .list
            .data()
            .map(|l| l.iter().filter(|d| self.status.is_none_or(|s| d.status == s)).collect())
            .unwrap_or_default();
        rows.sort_by(|a, b| {
            let order = a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id));
            if self.oldest_first { order } else { order.reverse() }
        });
        rows
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::Declarations(DeclarationsQuery::default()));
        self.list.start(id);
    }
}

impl Screen for DeclarationsScreen {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Browse, Context::List]
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        // Always reload: a declaration may just have been submitted.
        self.load(cx);
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
    }

    fn on_command(&mut self, command: Command, _cx: &mut Cx<'_>) -> bool {
        let len = self.visible().len();
        if self.cursor.apply(command, len) {
            return true;
        }
        match command {
            Command::FilterStatus => {
                self.status = match self.status {
                    None => Some(STATUSES[0]),
                    Some(s) => STATUSES.iter().position(|x| *x == s).and_then(|p| STATUSES.get(p + 1)).copied(),
                };
                self.cursor.select(0, len);
            }
            Command::Sort => self.oldest_first = !self.oldest_first,
            _ => return false,
        }
        true
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, _cx: &mut Cx<'_>) {
        let result = result.and_then(|r| match r {
            Response::Declarations(list) => Ok(list),
            _ => Err(ApiError::Malformed { detail: "réponse inattendue".into() }),
        });
        if self.list.finish(id, result) {
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        if row >= 2 {
            let len = self.visible().len();
            self.cursor.click(usize::from(row - 2), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        let [filter_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " Statut : {} (s) · Tri : {} (o)",
                    self.status.map_or("tous", DeclarationStatus::label),
                    if self.oldest_first { "plus anciennes" } else { "plus récentes" }
                ),
                theme.muted,
            )),
            filter_area,
        );
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
        let height = usize::from(table_area.height.saturating_sub(1));
        let offset = self.cursor.viewport(height, rows.len());
        let body: Vec<Row> = rows
            .iter()
            .skip(offset)
            .take(height)
            .map(|d| {
                let status_style = match d.status {
                    DeclarationStatus::Enregistree => theme.valid,
                    DeclarationStatus::EnRetard => theme.error,
                    DeclarationStatus::Supprimee => theme.muted,
                };
                let deadline = d.deadline.map_or("—".to_owned(), |due| due.format("%d/%m/%Y").to_string());
                let deadline_style = if d.status == DeclarationStatus::EnRetard
                    || d.deadline.is_some_and(|due| due < today && d.status != DeclarationStatus::Enregistree)
                {
                    theme.error
                } else {
                    theme.text
                };
                let kind = match d.kind {
                    crate::domain::DeclarationKind::Attestation => "ADF",
                    crate::domain::DeclarationKind::Justificatif => "JDR",
                };
                Row::new(vec![
                    Cell::from(sanitize(&d.reference)),
                    Cell::from(kind),
                    Cell::from(sanitize(&d.training_title)),
                    Cell::from(d.titulaire_count.to_string()),
                    Cell::from(Span::styled(d.status.label(), status_style)),
                    Cell::from(Span::styled(deadline, deadline_style)),
                ])
            })
            .collect();
        // The whole label: « Enregistrée en retard » must not read « Enregistrée ».
        let status_width = STATUSES.iter().map(|s| s.label().chars().count()).max().unwrap_or(0) as u16;
        let table = Table::new(
            body,
            [
                Constraint::Fill(2),
                Constraint::Length(4),
                Constraint::Fill(3),
                Constraint::Length(4),
                Constraint::Length(status_width),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["Référence", "Type", "Formation", "Tit.", "Statut", "Délai"]).style(theme.title))
        .row_highlight_style(theme.selection);
        let mut state = TableState::default().with_selected(Some(self.cursor.selected().saturating_sub(offset)));
        frame.render_stateful_widget(table, table_area, &mut state);
    }
}
