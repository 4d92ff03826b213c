//! Passeport: one worker's identity (the NIR masked unless revealed with `v`), the expiry
//! timeline of their trainings, and the table of every training with its dates and status.
//!
//! Layout: three identity lines, then the timeline above the table, both always on screen (the
//! timeline gets at most half the room when the table needs it; rows that do not fit are counted).
//! An employer's writes (`e`, `a`, `x`, `A`) are in [`actions`].

pub mod actions;

use std::cell::Cell as StdCell;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{Passport, PassportEntryView};
use crate::domain::training::TrainingType;
use crate::domain::worker::WorkerId;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::screens::expirations::days_label;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{FitCell, FitColumn, FitRow, FittedTable, detail, render_fitted};
use crate::tui::widgets::list::ListCursor;
use crate::tui::widgets::timeline::{
    Segment, Timeline, TimelineRow, TimelineView, date_bounds, month_year,
};
use crate::tui::widgets::{message, sanitize, siret_grouped};

/// Shown before any worker was opened.
const NO_WORKER: &str = "Aucun salarié ouvert : choisissez-en un dans Échéances ou Recherche (/)";

/// Shown when the worker has no training.
const NO_TRAINING: &str = "Aucune formation enregistrée";

/// Lines of the identity block.
const IDENTITY_HEIGHT: u16 = 3;

/// Below this table width the validity-start column is left out so titles stay readable (the
/// detail line then gives it for the selected training).
const WIDE_TABLE: u16 = 76;

/// The trainings table on a wide terminal: every date.
const WIDE_COLUMNS: [FitColumn; 6] = [
    FitColumn::title("Formation", 16, 1),
    FitColumn::whole("Fin"),
    FitColumn::whole("Valide dès"),
    FitColumn::whole("Échéance"),
    FitColumn::whole("Jours"),
    FitColumn::whole("Statut"),
];

/// The trainings table on a narrow terminal: no validity start, the status by its marker
/// alone (the detail line gives both in words for the selected training).
const NARROW_COLUMNS: [FitColumn; 5] = [
    FitColumn::title("Formation", 16, 1),
    FitColumn::whole("Fin"),
    FitColumn::whole("Échéance"),
    FitColumn::whole("Jours"),
    FitColumn::whole(""),
];

/// State of the Passeport screen.
#[derive(Debug, Default)]
pub struct WorkerScreen {
    /// The worker opened, if any.
    pub worker_id: Option<WorkerId>,
    /// Their passport.
    pub data: Remote<Passport>,
    /// True while the full NIR is shown (reset whenever the screen is entered).
    pub revealed: bool,
    /// Selection in the trainings table.
    pub cursor: ListCursor,
    /// Zoom and scroll of the timeline.
    pub view: TimelineView,
    /// True for a training organisation's account, which sees only the trainings it delivered
    /// (design §3): the table says so, so that a short passport is not read as a whole one.
    pub delivered_only: bool,
    /// Body row of the table's first data row, set when drawing (for clicks).
    table_top: StdCell<Option<u16>>,
    /// The write open over the passport (a form, a question), if any.
    pub action: Option<actions::WorkerAction>,
    /// Set when the worker shown is opened again from a list: the next visit reloads the
    /// passport (another account may have declared since), the old one staying on screen.
    reopened: bool,
    /// The catalogue, loaded for the training-record form.
    pub catalogue: Remote<Vec<TrainingType>>,
}

impl WorkerScreen {
    /// Opens a worker: remembers the id and, when it is another worker, forgets the previous
    /// passport so that [`Screen::on_enter`] loads this one; the same worker is reloaded, the
    /// passport shown meanwhile. The NIR is masked again.
    pub fn open(&mut self, worker_id: WorkerId) {
        if self.worker_id != Some(worker_id) {
            self.worker_id = Some(worker_id);
            self.data = Remote::default();
            self.cursor = ListCursor::default();
            self.action = None;
            self.view.recentre();
        } else {
            self.reopened = true;
        }
        self.revealed = false;
    }

    /// The NIR as displayed: grouped with its key when revealed, else masked (always, when
    /// the server masked it for this user). `None` until the passport is loaded.
    pub fn nir_shown(&self) -> Option<String> {
        self.data.data().map(|p| match p.worker.nir.clear() {
            Some(nir) if self.revealed => nir.to_string(),
            _ => p.worker.nir.masked(),
        })
    }

    /// Whether the NIR can be revealed: a passport is shown and the server sent its NIR in full.
    fn nir_readable(&self) -> bool {
        self.data.data().is_some_and(|p| !p.worker.nir.is_masked())
    }

    /// The trainings, most recent first (as the server sends them).
    pub fn entries(&self) -> &[PassportEntryView] {
        self.data.data().map_or(&[], |p| p.entries.as_slice())
    }

    fn load(&mut self, cx: &mut Cx<'_>) {
        if let Some(worker_id) = self.worker_id {
            let id = cx.request(Request::Passport(worker_id));
            self.data.start(id);
        }
    }

    fn identity(&self, passport: &Passport, theme: &Theme) -> Vec<Line<'static>> {
        let worker = &passport.worker;
        let mut name = vec![
            Span::styled(sanitize(&worker.last_name), theme.title),
            Span::raw(" "),
            Span::styled(sanitize(&worker.first_names), theme.title),
        ];
        if let Some(usage) = worker.usage_name.as_deref().filter(|u| !u.is_empty()) {
            name.push(Span::styled(" · nom d'usage ", theme.muted));
            name.push(Span::styled(sanitize(usage), theme.text));
        }
        if let Some(birth) = worker.birth_date {
            name.push(Span::styled(" · né(e) le ", theme.muted));
            name.push(Span::styled(
                birth.format("%d/%m/%Y").to_string(),
                theme.text,
            ));
        }
        let nir = self.nir_shown().unwrap_or_default();
        let nir_line = vec![
            Span::styled("NIR ", theme.muted),
            Span::styled(nir, theme.text),
            Span::styled(" · Site : ", theme.muted),
            Span::styled(sanitize(&worker.site), theme.text),
        ];
        let employer = vec![
            Span::styled("Employeur : ", theme.muted),
            Span::styled(sanitize(&worker.employer_name), theme.text),
            Span::styled(" · SIRET ", theme.muted),
            Span::styled(siret_grouped(worker.employer_siret.as_str()), theme.text),
        ];
        vec![Line::from(name), Line::from(nir_line), Line::from(employer)]
    }

    fn render_error(frame: &mut Frame<'_>, area: Rect, theme: &Theme, error: &str) {
        let height = area.height.min(6);
        let box_area = Rect {
            x: area.x,
            y: area.y + (area.height - height) / 2,
            width: area.width,
            height,
        };
        let text = vec![
            Line::styled("Impossible de charger le passeport", theme.error),
            Line::styled(sanitize(error), theme.text),
            Line::styled("r pour réessayer", theme.muted),
        ];
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            box_area,
        );
    }

    fn render_timeline(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        rows: &[TimelineRow],
        theme: &Theme,
        today: NaiveDate,
    ) {
        let (start, end) = self.view.window(today);
        let last = end.pred_opt().unwrap_or(end);
        let title = format!(
            " Frise des échéances · {} · {} → {} ",
            self.view.span_label(),
            month_year(start),
            month_year(last)
        );
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(theme.muted)
            .title(Line::styled(title, theme.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Timeline {
                rows,
                today,
                start,
                end,
                theme,
            },
            inner,
        );
    }

    fn render_table(&self, frame: &mut Frame<'_>, area: Rect, body: Rect, theme: &Theme) {
        let entries = self.entries();
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(theme.muted)
            .title(Line::styled(
                if self.delivered_only {
                    format!(
                        " Formations délivrées par votre organisme ({}) ",
                        entries.len()
                    )
                } else {
                    format!(" Formations ({}) ", entries.len())
                },
                theme.title,
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 2 {
            self.table_top.set(None);
            return;
        }
        self.table_top.set(Some(inner.y - body.y + 1));
        let wide = inner.width >= WIDE_TABLE;
        let columns: &[FitColumn] = if wide { &WIDE_COLUMNS } else { &NARROW_COLUMNS };
        let date =
            |d: Option<NaiveDate>| d.map_or("—".to_owned(), |d| d.format("%d/%m/%Y").to_string());
        let rows: Vec<FitRow> = entries
            .iter()
            .map(|entry| {
                let days = match (entry.superseded, entry.days_left) {
                    (true, _) => "remplacée".to_owned(),
                    (false, None) => "—".to_owned(),
                    (false, Some(d)) => days_label(d),
                };
                let mut cells = vec![
                    FitCell::plain(&entry.training_title),
                    FitCell::plain(&date(Some(entry.end_date))),
                ];
                if wide {
                    cells.push(FitCell::plain(&date(entry.validity_start)));
                }
                cells.extend([
                    FitCell::plain(&date(entry.expires_on)),
                    FitCell::plain(&days),
                    FitCell::new(
                        &if wide {
                            format!("{} {}", Theme::marker(entry.status), entry.status.label())
                        } else {
                            Theme::marker(entry.status).to_owned()
                        },
                        theme.status(entry.status),
                    ),
                ]);
                FitRow {
                    cells,
                    style: if entry.superseded {
                        theme.muted
                    } else {
                        Style::new()
                    },
                }
            })
            .collect();
        // What a narrow table leaves out: the status in words and the validity start.
        let selected = entries.get(self.cursor.selected()).map(|entry| {
            let (status, validity) = match (wide, entry.validity_start) {
                (true, _) => ("", String::new()),
                (false, None) => (entry.status.label(), String::new()),
                (false, Some(start)) => (
                    entry.status.label(),
                    format!("valide dès le {}", start.format("%d/%m/%Y")),
                ),
            };
            // Who recorded or declared it: « déclarée par <OF> (réf. …, le …) ».
            let origin = entry.origin.label().unwrap_or_default();
            detail(&[&entry.training_title, status, &validity, &origin])
        });
        render_fitted(
            frame,
            inner,
            &self.cursor,
            FittedTable {
                columns,
                rows,
                detail: selected,
            },
            theme,
        );
    }
}

/// The timeline rows of a passport: one per training type, in the order the types first appear
/// (most recent first). The type's latest non-superseded training is the current bar; its
/// older trainings are lighter bars beneath it.
pub fn timeline_rows(entries: &[PassportEntryView]) -> Vec<TimelineRow> {
    let mut codes: Vec<&str> = Vec::new();
    for entry in entries {
        if !codes.contains(&entry.training_code.as_str()) {
            codes.push(&entry.training_code);
        }
    }
    codes
        .into_iter()
        .filter_map(|code| {
            let of_type: Vec<&PassportEntryView> =
                entries.iter().filter(|e| e.training_code == code).collect();
            let current = of_type.iter().position(|e| !e.superseded).unwrap_or(0);
            let label = of_type.get(current)?.training_title.clone();
            let mut segments: Vec<Segment> = of_type
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != current)
                .map(|(_, e)| segment(e, false))
                .collect();
            segments.push(segment(of_type.get(current)?, true));
            Some(TimelineRow { label, segments })
        })
        .collect()
}

fn segment(entry: &PassportEntryView, current: bool) -> Segment {
    Segment {
        from: entry.validity_start.unwrap_or(entry.end_date),
        to: entry.expires_on,
        status: entry.status,
        current,
    }
}

/// Height given to the timeline (its title line included) out of `available` lines under the
/// identity, for `types` training types and `entries` table rows: all it needs, but at most
/// what leaves the table its rows or half the room; 0 (table only) when the timeline would be
/// too short to read.
pub fn timeline_height(available: u16, types: usize, entries: usize) -> u16 {
    let wanted = u16::try_from(types).unwrap_or(u16::MAX).saturating_add(3);
    let table_needed = u16::try_from(entries).unwrap_or(u16::MAX).saturating_add(2);
    let height = wanted.min(available.saturating_sub(table_needed.min(available / 2)));
    if height < 4 || available - height < 3 {
        0
    } else {
        height
    }
}

impl Screen for WorkerScreen {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Worker, Context::List]
    }

    fn offers(&self, command: Command) -> bool {
        match command {
            // The NIR key needs the NIR in full: a user who reads it masked is never offered it.
            Command::RevealNir => self.nir_readable() && self.action.is_none(),
            // The timeline keys act on a worker's passport: none without one.
            Command::ScrollLeft | Command::ScrollRight | Command::ZoomIn | Command::ZoomOut => {
                self.data.data().is_some() && self.action.is_none()
            }
            Command::Delete => self.action.is_none() && self.selected_record().is_some(),
            command if Self::is_write(command) => {
                self.action.is_none() && self.data.data().is_some() && !self.delivered_only
            }
            command => self.action.is_none() || command == Command::Quit,
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

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        self.revealed = false;
        let reopened = std::mem::take(&mut self.reopened);
        if (self.data.data().is_none() || reopened) && !self.data.is_loading() {
            self.load(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        if self.action.is_some() {
            return false;
        }
        if Self::is_write(command) {
            self.start_write(command, cx);
            return true;
        }
        let len = self.entries().len();
        if self.cursor.apply(command, len) {
            return true;
        }
        match command {
            Command::RevealNir => {
                if self.nir_readable() {
                    self.revealed = !self.revealed;
                }
                true
            }
            Command::ScrollLeft | Command::ScrollRight => {
                let bounds = date_bounds(&timeline_rows(self.entries()), cx.today);
                self.view
                    .scroll(command == Command::ScrollRight, cx.today, bounds);
                true
            }
            Command::ZoomIn => {
                self.view.zoom_in();
                true
            }
            Command::ZoomOut => {
                self.view.zoom_out();
                true
            }
            _ => false,
        }
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>) {
        let Some(result) = self.write_response(id, result, cx) else {
            return;
        };
        let result = result.and_then(|r| match r {
            Response::Passport(passport) => Ok(*passport),
            _ => Err(unexpected()),
        });
        if self.data.finish(id, result) {
            let len = self.entries().len();
            self.cursor.select(self.cursor.selected(), len);
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        if let Some(top) = self.table_top.get().filter(|top| row >= *top) {
            let len = self.entries().len();
            self.cursor.click(usize::from(row - top), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        self.render_passport(frame, area, theme, today);
        self.render_write(frame, area, theme);
    }
}

impl WorkerScreen {
    /// Draws the identity, the timeline and the table.
    fn render_passport(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate) {
        self.table_top.set(None);
        if self.worker_id.is_none() {
            message(frame, area, NO_WORKER, theme.muted);
            return;
        }
        let Some(passport) = self.data.data() else {
            match self.data.error() {
                Some(error) => Self::render_error(frame, area, theme, error),
                None => message(frame, area, "Chargement du passeport…", theme.muted),
            }
            return;
        };
        let [identity_area, rest] =
            Layout::vertical([Constraint::Length(IDENTITY_HEIGHT), Constraint::Fill(1)])
                .areas(area);
        frame.render_widget(
            Paragraph::new(self.identity(passport, theme)),
            identity_area,
        );
        if passport.entries.is_empty() {
            message(frame, rest, NO_TRAINING, theme.muted);
            return;
        }
        let rows = timeline_rows(&passport.entries);
        let height = timeline_height(rest.height, rows.len(), passport.entries.len());
        let [timeline_area, table_area] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(rest);
        if height > 0 {
            self.render_timeline(frame, timeline_area, &rows, theme, today);
        }
        self.render_table(frame, table_area, area, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expiry::{self, ExpiryStatus};
    use crate::domain::worker::Worker;
    use crate::tui::action::{Action, Effect};
    use crate::tui::app::{App, AppOptions};
    use crate::tui::screens::ScreenId;
    use crate::tui::ui;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 11, 26)
    }

    fn worker(id: WorkerId) -> crate::api::contract::WorkerView {
        Worker {
            id,
            nir: "1850375112345".parse().unwrap(),
            last_name: "DUPONT".into(),
            usage_name: Some("MARTIN".into()),
            first_names: "Jean-Pierre Marie".into(),
            birth_date: Some(date(1985, 3, 12)),
            employer_siret: "73282932000074".parse().unwrap(),
            employer_name: "Ateliers du Rhône".into(),
            site: "Lyon Gerland".into(),
        }
    }

    fn entry(
        code: &str,
        title: &str,
        end: NaiveDate,
        validity_start: Option<NaiveDate>,
        expires_on: Option<NaiveDate>,
        superseded: bool,
    ) -> PassportEntryView {
        PassportEntryView {
            training_code: code.into(),
            training_title: title.into(),
            category: 1,
            category_confidence: crate::domain::training::Confidence::Official,
            end_date: end,
            validity_start,
            validity_end: None,
            expires_on,
            days_left: expires_on.map(|e| expiry::days_left(e, today())),
            status: expiry::status(expires_on, today(), 90),
            superseded,
            session_id: None,
            origin: Default::default(),
        }
    }

    /// One entry of every status, and a superseded one; most recent first.
    fn entries() -> Vec<PassportEntryView> {
        let sst = "Sauveteur secouriste du travail (SST)";
        vec![
            entry(
                "SST",
                sst,
                date(2025, 2, 10),
                Some(date(2025, 2, 10)),
                Some(date(2027, 2, 9)),
                false,
            ),
            entry(
                "GESTES",
                "Gestes et postures",
                date(2024, 9, 30),
                None,
                None,
                false,
            ),
            entry(
                "HAB_ELEC",
                "Habilitation électrique B1V-BR",
                date(2023, 5, 12),
                Some(date(2023, 5, 12)),
                Some(date(2026, 5, 11)),
                false,
            ),
            entry(
                "SST",
                sst,
                date(2023, 1, 20),
                Some(date(2023, 1, 20)),
                Some(date(2025, 1, 19)),
                true,
            ),
            entry(
                "CACES_R489",
                "CACES R489 chariots de manutention",
                date(2022, 6, 15),
                Some(date(2022, 6, 15)),
                Some(date(2027, 6, 14)),
                false,
            ),
        ]
    }

    fn passport(id: WorkerId, entries: Vec<PassportEntryView>) -> Response {
        Response::Passport(Box::new(Passport {
            worker: worker(id),
            today: today(),
            entries,
        }))
    }

    /// Drives one screen with a context, like the app does.
    #[derive(Default)]
    struct Harness {
        next_id: RequestId,
        effects: Vec<Effect>,
    }

    impl Harness {
        fn run<R>(&mut self, f: impl FnOnce(&mut Cx<'_>) -> R) -> R {
            let mut cx = Cx::new(&mut self.next_id, &mut self.effects, today(), 90);
            f(&mut cx)
        }

        /// The passport requests started since the last call: (request id, worker id).
        fn passport_requests(&mut self) -> Vec<(RequestId, WorkerId)> {
            self.effects
                .drain(..)
                .filter_map(|e| match e {
                    Effect::Request {
                        id,
                        request: Request::Passport(worker),
                    } => Some((id, worker)),
                    _ => None,
                })
                .collect()
        }
    }

    fn loaded(entries: Vec<PassportEntryView>) -> WorkerScreen {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        let [(id, 7)] = h.passport_requests()[..] else {
            panic!("one passport request")
        };
        h.run(|cx| screen.on_response(id, Ok(passport(7, entries)), cx));
        screen
    }

    #[test]
    fn nothing_is_requested_before_a_worker_is_opened() {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        h.run(|cx| screen.on_enter(cx));
        h.run(|cx| screen.refresh(cx));
        assert!(h.effects.is_empty());
        assert_eq!(screen.contexts(), &[Context::Worker, Context::List]);
    }

    #[test]
    fn entering_loads_the_opened_worker_once() {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        let requests = h.passport_requests();
        assert_eq!(requests.iter().map(|r| r.1).collect::<Vec<_>>(), [7]);
        h.run(|cx| screen.on_enter(cx));
        assert!(h.passport_requests().is_empty(), "already loading");
        h.run(|cx| screen.on_response(requests[0].0, Ok(passport(7, entries())), cx));
        assert_eq!(screen.entries().len(), 5);
        h.run(|cx| screen.on_enter(cx));
        assert!(
            h.passport_requests().is_empty(),
            "back on the screen: the same passport"
        );
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        assert_eq!(
            h.passport_requests().len(),
            1,
            "opened again from a list: reloaded"
        );
        assert_eq!(screen.entries().len(), 5, "shown meanwhile");
        screen.open(8);
        assert!(
            screen.data.data().is_none(),
            "another worker's passport is never shown"
        );
        h.run(|cx| screen.on_enter(cx));
        assert_eq!(
            h.passport_requests()
                .iter()
                .map(|r| r.1)
                .collect::<Vec<_>>(),
            [8]
        );
    }

    #[test]
    fn stale_passport_answers_are_dropped() {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        h.run(|cx| screen.refresh(cx));
        let requests = h.passport_requests();
        assert_eq!(requests.len(), 2);
        let (old, new) = (requests[0].0, requests[1].0);
        assert!(old < new);
        h.run(|cx| screen.on_response(old, Ok(passport(7, Vec::new())), cx));
        assert!(
            screen.data.data().is_none(),
            "the older request's answer is dropped"
        );
        assert!(screen.data.is_loading());
        h.run(|cx| screen.on_response(new, Ok(passport(7, entries())), cx));
        assert_eq!(screen.entries().len(), 5);

        // A worker opened while the previous one loads: the previous answer never lands.
        screen.open(8);
        h.run(|cx| screen.on_enter(cx));
        screen.open(9);
        h.run(|cx| screen.on_enter(cx));
        let requests = h.passport_requests();
        h.run(|cx| screen.on_response(requests[0].0, Ok(passport(8, entries())), cx));
        assert!(screen.data.data().is_none());
        h.run(|cx| screen.on_response(requests[1].0, Ok(passport(9, Vec::new())), cx));
        assert_eq!(screen.data.data().map(|p| p.worker.id), Some(9));
    }

    #[test]
    fn errors_keep_the_worker_and_retry_on_refresh() {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        let [(id, 7)] = h.passport_requests()[..] else {
            panic!()
        };
        h.run(|cx| screen.on_response(id, Err(ApiError::NotFound), cx));
        assert!(screen.data.error().is_some_and(|e| e.contains("404")));
        h.run(|cx| screen.refresh(cx));
        let [(id, 7)] = h.passport_requests()[..] else {
            panic!()
        };
        h.run(|cx| screen.on_response(id, Ok(passport(7, entries())), cx));
        assert_eq!(screen.data.error(), None);
        assert_eq!(screen.entries().len(), 5);
    }

    #[test]
    fn v_reveals_the_nir_and_entering_masks_it_again() {
        let mut h = Harness::default();
        let mut screen = loaded(entries());
        let masked = screen.nir_shown().unwrap();
        assert!(
            masked.starts_with("1 85 03 ") && masked.contains('•'),
            "{masked}"
        );
        assert!(!masked.contains("112"), "{masked}");
        assert!(h.run(|cx| screen.on_command(Command::RevealNir, cx)));
        let full = screen.nir_shown().unwrap();
        assert!(full.starts_with("1 85 03 75 112 345 "), "{full}");
        h.run(|cx| screen.on_enter(cx));
        assert_eq!(screen.nir_shown().unwrap(), masked);
        h.run(|cx| screen.on_command(Command::RevealNir, cx));
        screen.open(7);
        assert_eq!(screen.nir_shown().unwrap(), masked, "reopening masks too");
    }

    fn key(c: char) -> Action {
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn in_the_app_leaving_the_screen_masks_the_nir() {
        let rules = crate::rules::Rules::embedded().unwrap();
        let (mut app, _) = App::new(AppOptions::new(today()), &rules);
        app.worker.open(7);
        let mut effects = Vec::new();
        app.go_to(ScreenId::Worker, &mut effects);
        let id = effects
            .iter()
            .find_map(|e| match e {
                Effect::Request {
                    id,
                    request: Request::Passport(7),
                } => Some(*id),
                _ => None,
            })
            .unwrap();
        app.update(Action::Loaded {
            id,
            result: Ok(passport(7, entries())),
        });
        assert_eq!(app.worker.entries().len(), 5);
        app.update(key('v'));
        assert!(app.worker.revealed);
        assert!(app.worker.nir_shown().unwrap().contains("112 345"));
        app.update(key('1'));
        assert_eq!(app.screen, ScreenId::Expirations);
        app.update(key('4'));
        assert_eq!(app.screen, ScreenId::Worker);
        assert!(!app.worker.revealed);
        assert!(app.worker.nir_shown().unwrap().contains('•'));
    }

    #[test]
    fn arrows_select_rows_and_scroll_or_zoom_the_timeline() {
        let mut h = Harness::default();
        let mut screen = loaded(entries());
        for _ in 0..10 {
            h.run(|cx| screen.on_command(Command::Down, cx));
        }
        assert_eq!(screen.cursor.selected(), 4, "clamped to the last training");
        h.run(|cx| screen.on_command(Command::Up, cx));
        assert_eq!(screen.cursor.selected(), 3);

        let default = screen.view.window(today());
        assert!(h.run(|cx| screen.on_command(Command::ScrollLeft, cx)));
        assert!(screen.view.window(today()).0 < default.0);
        // The earliest training (2022-06-15) stops the scroll once visible.
        for _ in 0..20 {
            h.run(|cx| screen.on_command(Command::ScrollLeft, cx));
        }
        let start = screen.view.window(today()).0;
        assert!(
            start <= date(2022, 6, 15) && start > date(2021, 12, 15),
            "{start}"
        );
        assert!(h.run(|cx| screen.on_command(Command::ZoomIn, cx)));
        assert_eq!(screen.view.span_months(), 24);
        h.run(|cx| screen.on_command(Command::ZoomOut, cx));
        h.run(|cx| screen.on_command(Command::ZoomOut, cx));
        assert_eq!(screen.view.span_months(), 60);
        assert!(!h.run(|cx| screen.on_command(Command::Open, cx)));
    }

    #[test]
    fn a_click_selects_the_table_row_under_it() {
        let mut h = Harness::default();
        let mut screen = loaded(entries());
        draw(&screen, 80, 24);
        let top = screen.table_top.get().unwrap();
        h.run(|cx| screen.on_click(top + 2, cx));
        assert_eq!(screen.cursor.selected(), 2);
        h.run(|cx| screen.on_click(0, cx));
        assert_eq!(
            screen.cursor.selected(),
            2,
            "a click on the identity selects nothing"
        );
    }

    #[test]
    fn timeline_rows_group_types_with_the_current_bar_on_top() {
        let rows = timeline_rows(&entries());
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Sauveteur secouriste du travail (SST)",
                "Gestes et postures",
                "Habilitation électrique B1V-BR",
                "CACES R489 chariots de manutention",
            ]
        );
        let sst = &rows[0].segments;
        assert_eq!(sst.len(), 2);
        assert_eq!((sst[0].current, sst[0].from), (false, date(2023, 1, 20)));
        assert_eq!((sst[1].current, sst[1].to), (true, Some(date(2027, 2, 9))));
        assert_eq!(sst[1].status, ExpiryStatus::Expiring);
        // Without a validity start the bar starts at the training's end date.
        assert_eq!(rows[1].segments[0].from, date(2024, 9, 30));
        assert_eq!(rows[1].segments[0].to, None);
    }

    #[test]
    fn timeline_and_table_share_the_room() {
        // 80×24: 21 body lines, 18 under the identity.
        assert_eq!(timeline_height(18, 4, 5), 7, "everything fits");
        assert_eq!(
            timeline_height(18, 10, 15),
            9,
            "half each when both are long"
        );
        assert_eq!(timeline_height(34, 12, 12), 15);
        assert_eq!(
            timeline_height(6, 4, 5),
            0,
            "too little room: the table alone"
        );
    }

    fn draw(screen: &WorkerScreen, width: u16, height: u16) -> TestBackend {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| {
                let body = ui::layout(frame.area()).body;
                screen.render(frame, body, &Theme::monochrome(), today());
            })
            .unwrap();
        terminal.backend().clone()
    }

    #[test]
    fn smallest_and_widest_terminals_keep_every_part() {
        for (width, height) in [(60, 20), (200, 60)] {
            let text = draw(&loaded(entries()), width, height).to_string();
            for part in [
                "NIR 1 85 03",
                "Frise des échéances",
                "auj.",
                "Formations (5)",
            ] {
                assert!(
                    text.contains(part),
                    "{part} missing at {width}×{height}:\n{text}"
                );
            }
            for marker in ['✖', '!', '✔', '→', '│'] {
                assert!(
                    text.contains(marker),
                    "{marker} missing at {width}×{height}:\n{text}"
                );
            }
        }
    }

    fn loading() -> WorkerScreen {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        screen
    }

    fn failed() -> WorkerScreen {
        let mut h = Harness::default();
        let mut screen = WorkerScreen::default();
        screen.open(7);
        h.run(|cx| screen.on_enter(cx));
        let [(id, 7)] = h.passport_requests()[..] else {
            panic!()
        };
        h.run(|cx| screen.on_response(id, Err(ApiError::Timeout), cx));
        screen
    }

    #[test]
    fn snapshots() {
        for (width, height) in [(80, 24), (120, 40)] {
            let size = format!("{width}x{height}");
            insta::assert_snapshot!(
                format!("loaded_{size}"),
                draw(&loaded(entries()), width, height)
            );
            insta::assert_snapshot!(
                format!("empty_{size}"),
                draw(&loaded(Vec::new()), width, height)
            );
            insta::assert_snapshot!(format!("loading_{size}"), draw(&loading(), width, height));
            insta::assert_snapshot!(format!("error_{size}"), draw(&failed(), width, height));
            insta::assert_snapshot!(
                format!("no_worker_{size}"),
                draw(&WorkerScreen::default(), width, height)
            );
        }
        // The review's other sizes: titles told apart, the selected one in full.
        for (width, height) in [(60, 20), (200, 60)] {
            insta::assert_snapshot!(
                format!("loaded_{width}x{height}"),
                draw(&loaded(entries()), width, height)
            );
        }
        // A training organisation sees only what it delivered: the title says so.
        let mut delivered = loaded(entries());
        delivered.delivered_only = true;
        let text = draw(&delivered, 80, 24).to_string();
        assert!(
            text.contains("Formations délivrées par votre organisme (5)"),
            "{text}"
        );
        let mut revealed = loaded(entries());
        revealed.revealed = true;
        revealed.cursor.select(3, 5);
        revealed.view.zoom_out();
        insta::assert_snapshot!("revealed_selected_5_years_80x24", draw(&revealed, 80, 24));
    }
}
