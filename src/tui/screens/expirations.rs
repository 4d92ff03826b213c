//! Échéances, the start screen: counts of expired and soon-expiring trainings over the visible
//! workforce, and the list sorted by date, filterable by status and training type.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{ExpirationCounts, ExpirationItem, ExpirationsPage, ExpirationsQuery};
use crate::domain::expiry::ExpiryStatus;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{
    ColumnMeasure, FitCell, FitColumn, FitRow, FittedWindow, MeasureCache, detail, render_window,
    shorten_title,
};
use crate::tui::widgets::list::ListCursor;
use crate::tui::widgets::{sanitize, state_message};

/// Columns of the list: the distinguishing title gets the most room; a site shared by every
/// row, or on a narrow terminal, gives its room away (the detail line still names it).
const COLUMNS: [FitColumn; 6] = [
    FitColumn::whole(""),
    FitColumn::text("Salarié", 14, 2),
    FitColumn::title("Formation", 16, 3),
    FitColumn::whole("Échéance"),
    FitColumn::whole("Jours"),
    FitColumn::text("Site", 10, 2).drop_if_same().optional(),
];

/// Columns of a training organisation's list: its trainees come from many employers, which
/// tell them apart better than the site (the detail line still names both).
const OF_COLUMNS: [FitColumn; 6] = [
    COLUMNS[0],
    COLUMNS[1],
    COLUMNS[2],
    COLUMNS[3],
    COLUMNS[4],
    FitColumn::text("Employeur", 10, 2)
        .drop_if_same()
        .optional(),
];

/// Widest training title in the filter line.
const FILTER_TITLE: usize = 40;
/// Narrowest training title in the filter line (the line is cut past it on a tiny terminal).
const FILTER_TITLE_MIN: usize = 12;

/// Days left as every screen writes them: `-699 j` once past, `75 j` before.
pub fn days_label(days: i64) -> String {
    format!("{days} j")
}

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

    /// The words of the status labels (`ExpiryStatus::label`), capitalised like every filter.
    fn label(self) -> &'static str {
        match self {
            Self::All => "Tous",
            Self::Expired => "Expirées",
            Self::Expiring => "Expire bientôt",
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
    /// The expiry threshold of the last load, in days: rows within it are « Expire bientôt ».
    threshold_days: u32,
    /// Set when a write elsewhere (a worker, a training, a declaration) changed what the list
    /// shows: the next visit reloads it, the old rows staying on screen meanwhile.
    stale: bool,
    /// True for a training organisation's account: the last column is the employer.
    pub employer_column: bool,
    /// The column widths' measure of the rows shown, kept while the data, the filters, the
    /// columns and the colour mode stay the same (measuring walks every row).
    measure: MeasureCache<(u64, StatusFilter, Option<String>, bool, bool)>,
}

/// The row of one expiration; its last cell is the employer or the site.
fn fit_row(item: &ExpirationItem, employer: bool, theme: &Theme) -> FitRow {
    let marker = if theme.monochrome {
        Theme::marker(item.status)
    } else {
        "●"
    };
    let style = theme.status(item.status);
    FitRow::new(vec![
        FitCell::new(marker, style),
        FitCell::plain(&format!("{} {}", item.last_name, item.first_names)),
        FitCell::plain(&item.training_title),
        FitCell::plain(&item.expires_on.format("%d/%m/%Y").to_string()),
        FitCell::new(&days_label(item.days_left), style),
        FitCell::plain(if employer { &item.employer } else { &item.site }),
    ])
}

/// Counts of the summary line: expired, then expiring within 30, 31–60 and 61–90 days, like
/// the server's [`ExpirationCounts`].
fn count_rows(rows: &[&ExpirationItem]) -> ExpirationCounts {
    let mut counts = ExpirationCounts::default();
    for row in rows {
        match row.days_left {
            ..0 => counts.expired += 1,
            0..=30 => counts.within_30 += 1,
            31..=60 => counts.within_60 += 1,
            61..=90 => counts.within_90 += 1,
            _ => {}
        }
    }
    counts
}

impl ExpirationsScreen {
    /// Marks the list out of date: [`Screen::on_enter`] reloads it.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

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

    /// True while a filter hides some rows.
    pub fn filtered(&self) -> bool {
        self.status != StatusFilter::All || self.training.is_some()
    }

    /// The title of the training filtered on, as the rows show it.
    fn training_title(&self) -> Option<&str> {
        let code = self.training.as_deref()?;
        self.data
            .data()?
            .items
            .iter()
            .find(|i| i.training_code == code)
            .map(|i| i.training_title.as_str())
    }

    /// The counts of the summary: the server's over the whole workforce, or those of the rows
    /// shown while a filter is on.
    pub fn counts(&self) -> ExpirationCounts {
        match self.data.data() {
            Some(_) if self.filtered() => count_rows(&self.visible()),
            Some(page) => page.counts,
            None => ExpirationCounts::default(),
        }
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        self.threshold_days = cx.threshold_days;
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
        if self.data.is_idle() || std::mem::take(&mut self.stale) {
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
        let c = self.counts();
        let band_style = |from: u32| {
            if from <= self.threshold_days {
                theme.expiring
            } else {
                theme.valid
            }
        };
        let count = |label: &str, n: u64, style| {
            vec![
                Span::styled(format!(" {label} "), theme.muted),
                Span::styled(n.to_string(), style),
            ]
        };
        let mut spans = count("Expirées", c.expired, theme.expired);
        spans.extend(count("· ≤ 30 j", c.within_30, band_style(0)));
        spans.extend(count("· 31–60 j", c.within_60, band_style(31)));
        spans.extend(count("· 61–90 j", c.within_90, band_style(61)));
        if self.filtered() {
            spans.push(Span::styled(" · selon les filtres", theme.muted));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), counts_area);
        let filters = |training: &str| {
            format!(
                " Statut : {} (s) · Formation : {training} (t) · au {}",
                self.status.label(),
                page.today.format("%d/%m/%Y")
            )
        };
        // The training's title in the room the rest of the line leaves, abbreviated first.
        let room = usize::from(filter_area.width).saturating_sub(filters("").chars().count());
        let training = self.training_title().map_or_else(
            || "Toutes".to_owned(),
            |t| shorten_title(&sanitize(t), room.clamp(FILTER_TITLE_MIN, FILTER_TITLE)),
        );
        frame.render_widget(
            Paragraph::new(Line::styled(filters(&training), theme.muted)),
            filter_area,
        );
        let rows = self.visible();
        let empty = if page.items.is_empty() {
            "Aucune échéance dans la période : tout est à jour.".to_owned()
        } else {
            format!(
                "Aucune échéance « {} » pour la formation « {training} » : s ou t pour changer de filtre.",
                self.status.label(),
            )
        };
        if state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            rows.is_empty().then_some(empty.as_str()),
        ) {
            return;
        }
        let employer = self.employer_column;
        let columns = if employer { &OF_COLUMNS } else { &COLUMNS };
        let key = (
            self.data.version(),
            self.status,
            self.training.clone(),
            employer,
            theme.monochrome,
        );
        let measure = self.measure.get(key, || {
            ColumnMeasure::of(columns, rows.iter().map(|i| fit_row(i, employer, theme)))
        });
        let selected = rows.get(self.cursor.selected()).map(|item| {
            detail(&[
                &format!("{} {}", item.last_name, item.first_names),
                &item.training_title,
                if employer { &item.employer } else { "" },
                &item.site,
            ])
        });
        render_window(
            frame,
            table_area,
            &self.cursor,
            FittedWindow {
                columns,
                measure: &measure,
                len: rows.len(),
                row: &|i| rows.get(i).map(|item| fit_row(item, employer, theme)),
                detail: selected,
            },
            theme,
        );
    }
}
