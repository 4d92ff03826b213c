//! Sessions: the training sessions in a table (dates, title, organisme, place, trainees,
//! declaration status), sortable and filterable by period and status; Enter shows one session
//! with its trainees and their outcome. `d` on the list opens the simulator pre-filled from the
//! session; `d` on an opened session opens the declaration form at once
//! ([`declare`](crate::tui::screens::simulator::declare)). The writes (`n`, `e`, `i`, `x`,
//! outcomes, `c`) are in [`actions`].

pub mod actions;
pub mod form;
pub mod picker;

use chrono::{Months, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Cx, Navigate, Screen};
use crate::api::ApiError;
use crate::api::contract::NirView;
use crate::api::contract::{
    SessionDeclarationStatus, SessionDetail, SessionSummary, SessionsQuery,
};
use crate::domain::training::TrainingType;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::form::Roster;
use crate::tui::form::fields::format_date;
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{
    ColumnMeasure, FitCell, FitColumn, FitRow, FittedTable, FittedWindow, MeasureCache, detail,
    render_fitted, render_window,
};
use crate::tui::widgets::list::{ListCursor, cycle};
use crate::tui::widgets::{date_range, sanitize, siret_grouped, state_message};

/// The period listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Period {
    /// The last 3 months and what is planned.
    Quarter,
    /// The last 12 months and what is planned.
    #[default]
    Year,
    /// Everything.
    All,
}

impl Period {
    fn next(self) -> Self {
        match self {
            Self::Quarter => Self::Year,
            Self::Year => Self::All,
            Self::All => Self::Quarter,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Quarter => "3 mois",
            Self::Year => "12 mois",
            Self::All => "tout",
        }
    }

    fn from(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Quarter => today.checked_sub_months(Months::new(3)),
            Self::Year => today.checked_sub_months(Months::new(12)),
            Self::All => None,
        }
    }
}

/// Sort orders, cycled with `o`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Most recent first.
    #[default]
    DateDesc,
    /// Oldest first.
    DateAsc,
    /// By title.
    Title,
    /// By declaration status.
    Status,
}

impl SortBy {
    fn next(self) -> Self {
        match self {
            Self::DateDesc => Self::DateAsc,
            Self::DateAsc => Self::Title,
            Self::Title => Self::Status,
            Self::Status => Self::DateDesc,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::DateDesc => "Date ↓",
            Self::DateAsc => "Date ↑",
            Self::Title => "Intitulé",
            Self::Status => "Statut",
        }
    }
}

/// The status filter as the filter line and the empty state name it: « En cours » also lists
/// the sessions not started yet, whose rows read « À venir ».
fn status_label(status: Option<SessionDeclarationStatus>) -> &'static str {
    match status {
        None => "Tous",
        Some(SessionDeclarationStatus::EnCours) => "En cours ou à venir",
        Some(other) => other.label(),
    }
}

/// Columns of the list: the title gets the most room; an organisme or a place shared by every
/// row (the account's own sessions) gives its room away.
const COLUMNS: [FitColumn; 6] = [
    FitColumn::whole("Début"),
    FitColumn::title("Intitulé", 16, 3),
    FitColumn::text("Organisme", 10, 2)
        .drop_if_same()
        .optional(),
    FitColumn::text("Lieu", 10, 2).drop_if_same().optional(),
    FitColumn::whole("Stag."),
    FitColumn::whole("Déclaration"),
];

/// Columns of a session's trainees: the employer's SIRET matters when trainees come from
/// several employers (an OF's session); one employer for all gives its room away.
const TRAINEE_COLUMNS: [FitColumn; 5] = [
    FitColumn::text("Stagiaire", 14, 1),
    FitColumn::whole("NIR"),
    FitColumn::text("Employeur", 12, 1)
        .drop_if_same()
        .optional(),
    FitColumn::whole("Résultat"),
    FitColumn::whole("Déclaré"),
];

const STATUSES: [SessionDeclarationStatus; 4] = [
    SessionDeclarationStatus::ADeclarer,
    SessionDeclarationStatus::EnCours,
    SessionDeclarationStatus::Declaree,
    SessionDeclarationStatus::NonConcernee,
];

/// State of the Sessions screen.
#[derive(Debug, Default)]
pub struct SessionsScreen {
    /// The sessions of the period.
    pub list: Remote<Vec<SessionSummary>>,
    /// Period filter.
    pub period: Period,
    /// Status filter.
    pub status: Option<SessionDeclarationStatus>,
    /// Sort order.
    pub sort: SortBy,
    /// Selection in the list.
    pub cursor: ListCursor,
    /// The session opened with Enter, when shown.
    pub detail: Option<Remote<SessionDetail>>,
    /// Selection among the trainees of the opened session.
    pub trainee_cursor: ListCursor,
    /// The write open over the list or the session (form, picker, question), if any.
    pub action: Option<actions::SessionAction>,
    /// The catalogue, for the session form's type.
    pub catalogue: Remote<Vec<TrainingType>>,
    /// The roster, for the enrol picker.
    pub roster: Remote<Roster>,
    /// The outcome being written.
    pub writing: Option<RequestId>,
    /// The trainee whose outcome is being written.
    pub written: Option<crate::domain::worker::WorkerId>,
    /// Why the last outcome was not written, shown over the trainees.
    pub write_error: Option<String>,
    /// True on a training organisation's account: it enrols people by identity too.
    pub organisation: bool,
    /// True when the user's role cannot declare: the lines then offer no `d`.
    pub read_only: bool,
    /// The column widths' measure of the sessions shown, kept while the list, the status
    /// filter and the day stay the same (the order changes no width).
    measure: MeasureCache<(u64, Option<SessionDeclarationStatus>, NaiveDate)>,
}

/// The row of one session.
fn fit_row(s: &SessionSummary, today: NaiveDate, theme: &Theme) -> FitRow {
    let style = match s.declaration_status {
        SessionDeclarationStatus::ADeclarer => theme.expiring,
        SessionDeclarationStatus::Declaree => theme.valid,
        _ => theme.muted,
    };
    // Not over yet: planned when it has not started.
    let status =
        if s.declaration_status == SessionDeclarationStatus::EnCours && s.start_date > today {
            "À venir"
        } else {
            s.declaration_status.label()
        };
    FitRow::new(vec![
        FitCell::plain(&s.start_date.format("%d/%m/%Y").to_string()),
        FitCell::plain(&s.title),
        FitCell::plain(&s.organisme),
        FitCell::plain(&s.place),
        FitCell::plain(&s.trainee_count.to_string()),
        FitCell::new(status, style),
    ])
}

impl SessionsScreen {
    /// The rows shown, filtered and sorted.
    pub fn visible(&self) -> Vec<&SessionSummary> {
        let mut rows: Vec<&SessionSummary> = self
            .list
            .data()
            .map(|l| {
                l.iter()
                    .filter(|s| self.status.is_none_or(|st| s.declaration_status == st))
                    .collect()
            })
            .unwrap_or_default();
        match self.sort {
            SortBy::DateDesc => {
                rows.sort_by(|a, b| b.start_date.cmp(&a.start_date).then(b.id.cmp(&a.id)))
            }
            SortBy::DateAsc => {
                rows.sort_by(|a, b| a.start_date.cmp(&b.start_date).then(a.id.cmp(&b.id)))
            }
            SortBy::Title => rows.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id))),
            SortBy::Status => rows.sort_by_key(|s| {
                (
                    STATUSES.iter().position(|x| *x == s.declaration_status),
                    std::cmp::Reverse(s.start_date),
                )
            }),
        }
        rows
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        let query = SessionsQuery {
            from: self.period.from(cx.today),
            ..SessionsQuery::default()
        };
        let id = cx.request(Request::Sessions(query));
        self.list.start(id);
    }

    fn selected_id(&self) -> Option<i64> {
        self.visible().get(self.cursor.selected()).map(|s| s.id)
    }

    fn open(&mut self, cx: &mut Cx<'_>) {
        if let Some(id) = self.selected_id() {
            let mut detail = Remote::default();
            detail.start(cx.request(Request::Session(id)));
            self.detail = Some(detail);
            self.trainee_cursor = ListCursor::default();
        }
    }
}

impl Screen for SessionsScreen {
    fn contexts(&self) -> &'static [Context] {
        if self.detail.is_some() {
            &[Context::Session, Context::Detail, Context::List]
        } else {
            &[Context::Sessions, Context::Browse, Context::List]
        }
    }

    fn input_focused(&self) -> bool {
        self.action.is_some()
    }

    fn escape_hint(&self) -> Option<&'static str> {
        self.action.is_some().then_some("annuler")
    }

    fn on_key(&mut self, key: &crossterm::event::KeyEvent, cx: &mut Cx<'_>) -> bool {
        self.write_key(key, cx)
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx<'_>) {
        self.write_paste(text);
    }

    fn offers(&self, command: Command) -> bool {
        if Self::is_write(command) {
            return self.offers_write(command);
        }
        if self.action.is_some() {
            return command == Command::Quit;
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
        if self.list.is_idle() {
            self.load(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
        if let Some(detail) = &mut self.detail
            && let Some(id) = detail.data().map(|d| d.summary.id)
        {
            detail.start(cx.request(Request::Session(id)));
        }
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        if self.action.is_some() {
            return false;
        }
        if Self::is_write(command) {
            self.start_write(command, cx);
            return true;
        }
        if let Some(detail) = &self.detail {
            let len = detail.data().map_or(0, |d| d.trainees.len());
            if self.trainee_cursor.apply(command, len) {
                return true;
            }
            return match command {
                Command::Back => {
                    self.detail = None;
                    self.write_error = None;
                    true
                }
                Command::Declare => {
                    self.declare(cx);
                    true
                }
                _ => false,
            };
        }
        let len = self.visible().len();
        if self.cursor.apply(command, len) {
            return true;
        }
        match command {
            Command::Open => self.open(cx),
            Command::Declare => {
                if let Some(id) = self.selected_id() {
                    cx.navigate = Some(Navigate::SimulateSession(id));
                }
            }
            Command::FilterStatus => {
                self.status = cycle(self.status, &STATUSES);
                self.cursor.select(0, len);
            }
            Command::FilterTraining => {
                self.period = self.period.next();
                self.cursor.select(0, len);
                self.load(cx);
            }
            Command::Sort => self.sort = self.sort.next(),
            _ => return false,
        }
        true
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        let Some(result) = self.write_response(id, result, cx) else {
            return;
        };
        if self.list.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Sessions(list) => Ok(list),
                _ => Err(unexpected()),
            });
            self.list.finish(id, result);
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
        } else if let Some(detail) = &mut self.detail {
            let result = result.and_then(|r| match r {
                Response::Session(d) => Ok(*d),
                _ => Err(unexpected()),
            });
            detail.finish(id, result);
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        if self.detail.is_none() && row >= 2 {
            let len = self.visible().len();
            self.cursor.click(usize::from(row - 2), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        if self.action.is_some() {
            if let Some(detail) = &self.detail {
                render_detail(self, detail, frame, area, theme);
            }
            self.render_write(frame, area, theme);
            return;
        }
        if let Some(detail) = &self.detail {
            render_detail(self, detail, frame, area, theme);
            return;
        }
        let [filter_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let mut filters = format!(
            " Période : {} (t) · Statut : {} (s) · Tri : {} (o)",
            self.period.label(),
            status_label(self.status),
            self.sort.label()
        );
        const DECLARE: &str = " · d déclarer";
        if !self.read_only
            && filters.chars().count() + DECLARE.chars().count() <= usize::from(filter_area.width)
        {
            filters.push_str(DECLARE);
        }
        frame.render_widget(
            Paragraph::new(Line::styled(filters, theme.muted)),
            filter_area,
        );
        let rows = self.visible();
        if self.list.data().is_none() || rows.is_empty() {
            let empty = if self.list.data().is_some_and(|l| !l.is_empty()) {
                format!(
                    "Aucune session « {} » sur la période « {} » : s pour changer de statut, t de période.",
                    status_label(self.status),
                    self.period.label()
                )
            } else {
                format!(
                    "Aucune session sur la période « {} » : t pour l'élargir.",
                    self.period.label()
                )
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
        let measure = self
            .measure
            .get((self.list.version(), self.status, today), || {
                ColumnMeasure::of(&COLUMNS, rows.iter().map(|s| fit_row(s, today, theme)))
            });
        let selected = rows.get(self.cursor.selected()).map(|s| {
            detail(&[
                &s.title,
                &date_range(s.start_date, s.end_date),
                &s.organisme,
                &s.place,
            ])
        });
        render_window(
            frame,
            table_area,
            &self.cursor,
            FittedWindow {
                columns: &COLUMNS,
                measure: &measure,
                len: rows.len(),
                row: &|i| rows.get(i).map(|s| fit_row(s, today, theme)),
                detail: selected,
            },
            theme,
        );
    }
}

fn render_detail(
    screen: &SessionsScreen,
    detail: &Remote<SessionDetail>,
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
    let cursor = &screen.trainee_cursor;
    let Some(d) = detail.data() else {
        state_message(
            frame,
            area,
            theme,
            detail.is_loading(),
            detail.error(),
            None,
        );
        return;
    };
    let status = match (&screen.writing, &screen.write_error) {
        (Some(_), _) => Some(Line::styled(" Enregistrement du résultat…", theme.muted)),
        (None, Some(error)) => Some(Line::styled(format!(" {}", sanitize(error)), theme.error)),
        (None, None) => None,
    };
    let [head, table_area] = Layout::vertical([
        Constraint::Length(3 + u16::from(status.is_some())),
        Constraint::Min(1),
    ])
    .areas(area);
    let s = &d.summary;
    let state = match s.closed_on {
        Some(on) => format!("Clôturée le {}", format_date(on)),
        None => "Ouverte".to_owned(),
    };
    frame.render_widget(
        Paragraph::new(
            vec![
                Line::styled(format!(" {}", sanitize(&s.title)), theme.title),
                Line::styled(
                    format!(
                        " {} · {} · {}",
                        date_range(s.start_date, s.end_date),
                        sanitize(&s.organisme),
                        sanitize(&s.place)
                    ),
                    theme.text,
                ),
                Line::styled(
                    format!(
                        " {state} · Déclaration : {}{} · Échap retour",
                        s.declaration_status.label(),
                        if screen.read_only {
                            ""
                        } else {
                            " · d déclarer"
                        }
                    ),
                    theme.muted,
                ),
            ]
            .into_iter()
            .chain(status)
            .collect::<Vec<_>>(),
        ),
        head,
    );
    if d.trainees.is_empty() {
        state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            Some(if s.closed_on.is_some() {
                "Aucun stagiaire inscrit."
            } else {
                "Aucun stagiaire inscrit : i pour en inscrire."
            }),
        );
        return;
    }
    let rows: Vec<FitRow> = d
        .trainees
        .iter()
        .map(|t| {
            let nir = NirView::masked_text(&t.nir).unwrap_or_else(|| "NIR invalide".into());
            FitRow::new(vec![
                FitCell::plain(&format!("{} {}", t.last_name, t.first_names)),
                FitCell::plain(&nir),
                // The employer's name, else its SIRET (UX review 2026-12, finding 31).
                FitCell::plain(&if t.employer_name.trim().is_empty() {
                    siret_grouped(&t.employer_siret)
                } else {
                    t.employer_name.clone()
                }),
                FitCell::plain(t.outcome.label()),
                FitCell::plain(if t.declared { "déclaré" } else { "—" }),
            ])
        })
        .collect();
    render_fitted(
        frame,
        table_area,
        cursor,
        FittedTable {
            columns: &TRAINEE_COLUMNS,
            rows,
            detail: None,
        },
        theme,
    );
}
