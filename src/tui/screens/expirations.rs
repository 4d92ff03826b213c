//! Échéances, the start screen: counts of expired and soon-expiring trainings over the visible
//! workforce, and the list sorted by date, filterable by status and training type.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{ExpirationItem, ExpirationsPage, ExpirationsQuery};
use crate::domain::expiry::ExpiryStatus;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::{Columns, ListCursor, render_table};
use crate::tui::widgets::{sanitize, state_message};

/// Which statuses are listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Expired and expiring.
    #[default]
    All,
    /// Only expired.
    Expired,
    /// Only expiring.
    Expiring,
}

impl StatusFilter {
    fn next(self) -> Self {
        match self {
            Self::All => Self::Expired,
            Self::Expired => Self::Expiring,
            Self::Expiring => Self::All,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::All => "tous",
            Self::Expired => "expirées",
            Self::Expiring => "à échéance",
        }
    }

    fn keeps(self, status: ExpiryStatus) -> bool {
        match self {
            Self::All => true,
            Self::Expired => status == ExpiryStatus::Expired,
            Self::Expiring => status == ExpiryStatus::Expiring,
        }
    }
}

/// State of the Échéances screen.
#[derive(Debug, Default)]
pub struct ExpirationsScreen {
    /// The expirations, every page.
    pub data: Remote<ExpirationsPage>,
    /// Status filter.
    pub status: StatusFilter,
    /// Training-type filter (catalogue code), cycled among the codes present.
    pub training: Option<String>,
    /// Selection.
    pub cursor: ListCursor,
}

impl ExpirationsScreen {
    /// The rows shown, after filters.
    pub fn visible(&self) -> Vec<&ExpirationItem> {
        self.data
            .data()
            .map(|page| {
                page.items
                    .iter()
                    .filter(|i| self.status.keeps(i.status))
                    .filter(|i| self.training.as_ref().is_none_or(|t| &i.training_code == t))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        let query = ExpirationsQuery {
            within_days: Some(cx.threshold_days),
            ..ExpirationsQuery::default()
        };
        let id = cx.request(Request::Expirations(query));
        self.data.start(id);
    }

    fn cycle_training(&mut self) {
        let Some(page) = self.data.data() else { return };
        let mut codes: Vec<&str> = page
            .items
            .iter()
            .map(|i| i.training_code.as_str())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        self.training = match &self.training {
            None => codes.first().map(|c| (*c).to_owned()),
            Some(current) => codes
                .iter()
                .position(|c| c == current)
                .and_then(|p| codes.get(p + 1))
                .map(|c| (*c).to_owned()),
        };
    }
}

impl Screen for ExpirationsScreen {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Browse, Context::List]
    }

    fn offers(&self, command: Command) -> bool {
        match command {
            // The list keeps the deadlines' order: there is nothing to sort by here.
            Command::Sort | Command::Declare | Command::Export | Command::Delete => false,
            Command::Open => !self.visible().is_empty(),
            Command::FilterStatus | Command::FilterTraining => self.data.data().is_some(),
            _ => true,
        }
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        if self.data.is_idle() {
            self.load(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        let len = self.visible().len();
        if self.cursor.apply(command, len) {
            return true;
        }
        match command {
            Command::Open => {
                if let Some(item) = self.visible().get(self.cursor.selected()) {
                    cx.navigate = Some(super::Navigate::Worker(item.worker_id));
                }
                true
            }
            Command::FilterStatus => {
                self.status = self.status.next();
                self.cursor.select(0, len);
                true
            }
            Command::FilterTraining => {
                self.cycle_training();
                self.cursor.select(0, len);
                true
            }
            _ => false,
        }
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, _cx: &mut Cx<'_>) {
        let result = result.and_then(|r| match r {
            Response::Expirations(page) => Ok(page),
            _ => Err(unexpected()),
        });
        if self.data.finish(id, result) {
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        // Two lines of counts and filters, then the table header.
        if row >= 3 {
            let len = self.visible().len();
            self.cursor.click(usize::from(row - 3), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, _today: NaiveDate) {
        let [counts_area, filter_area, table_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);
        let Some(page) = self.data.data() else {
            state_message(
                frame,
                area,
                theme,
                self.data.is_loading(),
                self.data.error(),
                None,
            );
            return;
        };
        let c = page.counts;
        let count = |label: &str, n: u64, style| {
            vec![
                Span::styled(format!(" {label} "), theme.muted),
                Span::styled(n.to_string(), style),
            ]
        };
        let mut spans = count("Expirées", c.expired, theme.expired);
        spans.extend(count("· ≤ 30 j", c.within_30, theme.expiring));
        spans.extend(count("· ≤ 60 j", c.within_60, theme.expiring));
        spans.extend(count("· ≤ 90 j", c.within_90, theme.valid));
        frame.render_widget(Paragraph::new(Line::from(spans)), counts_area);
        let training = self.training.as_deref().unwrap_or("toutes");
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " Statut : {} (s) · Formation : {} (t) · au {}",
                    self.status.label(),
                    training,
                    page.today.format("%d/%m/%Y")
                ),
                theme.muted,
            )),
            filter_area,
        );
        let rows = self.visible();
        if state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            rows.is_empty()
                .then_some("Aucune échéance dans la période : tout est à jour."),
        ) {
            return;
        }
        let widths = [
            Constraint::Length(1),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Fill(2),
        ];
        let header = Row::new(["", "Salarié", "Formation", "Échéance", "Jours", "Site"]);
        let columns = Columns {
            header,
            widths: &widths,
        };
        render_table(
            frame,
            table_area,
            &self.cursor,
            &rows,
            columns,
            theme,
            |item| {
                let marker = if theme.monochrome {
                    Theme::marker(item.status)
                } else {
                    "●"
                };
                let style = theme.status(item.status);
                Row::new(vec![
                    Cell::from(Span::styled(marker, style)),
                    Cell::from(sanitize(&format!(
                        "{} {}",
                        item.last_name, item.first_names
                    ))),
                    Cell::from(sanitize(&item.training_title)),
                    Cell::from(item.expires_on.format("%d/%m/%Y").to_string()),
                    Cell::from(Span::styled(format!("{} j", item.days_left), style)),
                    Cell::from(sanitize(&item.site)),
                ])
            },
        );
    }
}
