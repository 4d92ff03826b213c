//! « À vérifier », the second view of Déclarations (`V`): for an employer, the lines training
//! organisations declared for its staff, with the day each is deemed verified (décret 2022-1712
//! art. 7-I); `v` verifies the selection, `c` asks for a correction with a typed message, Enter
//! shows the line. In the same list, its trainings « non déclarée par l'organisme » (art. 7-II,
//! [`super::undeclared`]) with its own deadline, their own value of the status filter; `D`
//! declares one in the organisation's place, the form pre-filled. For an organisation, the
//! requests employers made on its declarations, with their message; Enter opens the
//! declaration, where `x` removes the titulaire.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::super::{Cx, Navigate};
use super::undeclared;
use crate::api::ApiError;
use crate::api::contract::NirView;
use crate::api::contract::{UndeclaredTraining, VerificationView, VerificationsQuery};
use crate::domain::verification::{MAX_MESSAGE, VerificationStatus, check_message};
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::Command;
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{FitCell, FitColumn, FitRow, FittedTable, detail, render_fitted};
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::list::{ListCursor, cycle};
use crate::tui::widgets::{sanitize, state_message};

/// Columns of the list.
const COLUMNS: [FitColumn; 5] = [
    FitColumn::whole("Statut"),
    FitColumn::whole("Jusqu'au"),
    FitColumn::identifier("Titulaire", 10),
    FitColumn::identifier("Organisme", 10),
    FitColumn::title("Formation", 14, 3),
];

/// A value of the status filter: a line's status, or the trainings « non déclarée ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Lines of this status.
    Status(VerificationStatus),
    /// The trainings no organisation declared in time (art. 7-II).
    Undeclared,
}

impl Filter {
    /// The filter's values, in the order `s` cycles them.
    const ALL: [Self; 6] = [
        Self::Status(VerificationStatus::AVerifier),
        Self::Status(VerificationStatus::CorrectionDemandee),
        Self::Status(VerificationStatus::Verifiee),
        Self::Status(VerificationStatus::Corrigee),
        Self::Status(VerificationStatus::ReputeeVerifiee),
        Self::Undeclared,
    ];

    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Status(status) => status.label(),
            Self::Undeclared => undeclared::LABEL,
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Row<'a> {
    /// A line of an organisation's declaration.
    Line(&'a VerificationView),
    /// A training no organisation declared in time.
    Undeclared(&'a UndeclaredTraining),
}

/// State of the « À vérifier » view.
#[derive(Debug, Default)]
pub struct Verifications {
    /// The lines.
    pub list: Remote<Vec<VerificationView>>,
    /// The trainings « non déclarée par l'organisme » (an employer's only).
    pub undeclared: Remote<Vec<UndeclaredTraining>>,
    /// The account is an employer: its trainings « non déclarée » are listed too.
    pub employer: bool,
    /// Status filter.
    pub status: Option<Filter>,
    /// Selection.
    pub cursor: ListCursor,
    /// The selected line is shown in full.
    pub open: bool,
    /// The correction message being typed, for the selected line.
    pub message: Option<LineInput>,
    /// The action in flight.
    pub acting: Option<RequestId>,
    /// What the last action did, or why a message is refused.
    pub notice: Option<String>,
}

/// A date as French users read it.
fn french(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "—".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The NIR masked (as received when the server masked it), or a placeholder when it does not
/// read.
fn masked(nir: &str) -> String {
    NirView::masked_text(nir).unwrap_or_else(|| "NIR illisible".to_owned())
}

/// A fresh idempotency key for one action.
fn new_key() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("tui-verify-{hex}")
}

impl Verifications {
    /// The rows shown, filtered: the lines in the server's order (nearest window first), then
    /// the trainings « non déclarée » (oldest first).
    pub fn visible(&self) -> Vec<Row<'_>> {
        let lines = self.list.data().map_or(&[][..], Vec::as_slice);
        let undeclared = self.undeclared.data().map_or(&[][..], Vec::as_slice);
        let mut rows: Vec<Row<'_>> = lines
            .iter()
            .filter(|l| self.status.is_none_or(|f| f == Filter::Status(l.status)))
            .map(Row::Line)
            .collect();
        if self.status.is_none_or(|f| f == Filter::Undeclared) {
            rows.extend(undeclared.iter().map(Row::Undeclared));
        }
        rows
    }

    /// The selected row.
    fn selected_row(&self) -> Option<Row<'_>> {
        self.visible().get(self.cursor.selected()).copied()
    }

    /// The selected line of a declaration.
    pub fn selected(&self) -> Option<&VerificationView> {
        match self.selected_row()? {
            Row::Line(line) => Some(line),
            Row::Undeclared(_) => None,
        }
    }

    /// The selected training « non déclarée par l'organisme ».
    pub fn selected_undeclared(&self) -> Option<&UndeclaredTraining> {
        match self.selected_row()? {
            Row::Undeclared(item) => Some(item),
            Row::Line(_) => None,
        }
    }

    /// Asks for the lines, and for an employer its trainings « non déclarée ».
    pub fn load(&mut self, cx: &mut Cx<'_>) {
        let id = cx.request(Request::Verifications(VerificationsQuery::default()));
        self.list.start(id);
        if self.employer {
            let id = cx.request(Request::Undeclared);
            self.undeclared.start(id);
        }
    }

    /// Lines still to check, and the nearest day one is deemed verified.
    pub fn pending(&self) -> (usize, Option<NaiveDate>) {
        let lines = self.list.data().map_or(&[][..], Vec::as_slice);
        let pending: Vec<&VerificationView> = lines
            .iter()
            .filter(|l| l.status == VerificationStatus::AVerifier)
            .collect();
        (
            pending.len(),
            pending.iter().filter_map(|l| l.window_ends).min(),
        )
    }

    /// Whether `command` acts here and now.
    pub fn offers(&self, command: Command) -> bool {
        let selected = self.selected();
        match command {
            Command::VerifyLine => {
                selected.is_some_and(|l| l.status == VerificationStatus::AVerifier)
            }
            Command::RequestCorrection => selected.is_some_and(|l| {
                matches!(
                    l.status,
                    VerificationStatus::AVerifier | VerificationStatus::Verifiee
                )
            }),
            Command::DeclareInstead => self.selected_undeclared().is_some(),
            Command::Open | Command::FilterStatus => {
                self.selected_row().is_some() || self.status.is_some()
            }
            Command::Sort | Command::Export | Command::Answer | Command::Delete => false,
            _ => true,
        }
    }

    /// A key while the message is typed: Enter sends, Esc cancels. True when consumed.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(input) = &mut self.message else {
            return false;
        };
        match key.code {
            KeyCode::Esc => self.message = None,
            KeyCode::Enter => match check_message(input.text()) {
                Ok(message) => {
                    self.message = None;
                    if let Some(line) = self.selected().map(|l| l.line_id) {
                        self.acting = Some(cx.request(Request::RequestCorrection {
                            line,
                            message,
                            key: new_key(),
                        }));
                    }
                }
                Err(reason) => self.notice = Some(format!("✖ {reason}")),
            },
            _ => {
                input.on_key(key);
            }
        }
        true
    }

    /// Pasted text goes to the message being typed.
    pub fn on_paste(&mut self, text: &str) {
        if let Some(input) = &mut self.message {
            input.insert_str(text);
        }
    }

    /// A command of the view; `Some(declaration)` asks the screen to open that declaration (an
    /// organisation's Enter on a request).
    pub fn on_command(
        &mut self,
        command: Command,
        organisation: bool,
        cx: &mut Cx<'_>,
    ) -> Option<i64> {
        self.notice = None;
        let len = self.visible().len();
        if self.cursor.apply(command, len) {
            self.open = false;
            return None;
        }
        match command {
            Command::Back => self.open = false,
            Command::Open if organisation => return self.selected().map(|l| l.declaration_id),
            Command::Open => self.open = !self.open && self.selected_row().is_some(),
            Command::DeclareInstead if self.offers(command) => {
                cx.navigate = Some(Navigate::DeclareUndeclared);
            }
            Command::FilterStatus => {
                self.status = cycle(self.status, &Filter::ALL);
                self.cursor.select(0, self.visible().len());
                self.open = false;
            }
            Command::VerifyLine if self.offers(command) => {
                if let Some(line) = self.selected().map(|l| l.line_id) {
                    self.acting = Some(cx.request(Request::VerifyLine {
                        line,
                        key: new_key(),
                    }));
                }
            }
            Command::RequestCorrection if self.offers(command) => {
                self.message = Some(LineInput::default());
                self.notice = Some(format!(
                    "Message à l'organisme : Entrée envoie, Échap annule (au plus {MAX_MESSAGE} \
                     caractères)"
                ));
            }
            _ => {}
        }
        None
    }

    /// Whether `id` is a request of this view.
    pub fn expects(&self, id: RequestId) -> bool {
        self.list.expects(id) || self.undeclared.expects(id) || self.acting == Some(id)
    }

    /// The answer of a request of this view; false when it is not one.
    pub fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>) -> bool {
        if self.list.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Verifications(lines) => Ok(lines),
                _ => Err(unexpected()),
            });
            self.list.finish(id, result);
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
            return true;
        }
        if self.undeclared.expects(id) {
            let result = result.and_then(|r| match r {
                Response::Undeclared(items) => Ok(items),
                _ => Err(unexpected()),
            });
            self.undeclared.finish(id, result);
            let len = self.visible().len();
            self.cursor.select(self.cursor.selected(), len);
            return true;
        }
        if self.acting != Some(id) {
            return false;
        }
        self.acting = None;
        match result {
            Ok(Response::Verified(view)) => {
                self.notice = Some(format!(
                    "✔ {} ({}) : {}",
                    sanitize(&view.titulaire),
                    sanitize(&view.training_title),
                    view.status.label()
                ));
                if let Some(lines) = self.list.data_mut()
                    && let Some(line) = lines.iter_mut().find(|l| l.line_id == view.line_id)
                {
                    *line = *view;
                }
            }
            Ok(_) => self.notice = Some(format!("✖ {}", unexpected())),
            Err(error) => self.notice = Some(format!("✖ {error}")),
        }
        true
    }

    /// The header line: what is left to check and by when, the filter, the keys.
    fn header(&self) -> String {
        let (count, nearest) = self.pending();
        let pending = match nearest {
            Some(day) if count > 0 => {
                format!("{count} (prochaine fin de délai {})", french(Some(day)))
            }
            _ => count.to_string(),
        };
        format!(
            " À vérifier : {pending} · Statut : {} (s)",
            self.status.map_or("Tous", Filter::label)
        )
    }

    /// The second header line, for an employer: its trainings « non déclarée », or why they
    /// could not be read.
    fn undeclared_header(&self) -> Option<String> {
        if let Some(error) = self.undeclared.error() {
            return Some(format!(
                " Non déclarées par l'organisme : illisibles ({error}) — r pour réessayer"
            ));
        }
        self.undeclared
            .data()
            .and_then(|items| undeclared::header(items))
    }

    /// The selected line in full.
    fn render_line(
        &self,
        view: &VerificationView,
        frame: &mut Frame<'_>,
        area: Rect,
        theme: &Theme,
    ) {
        let window = match view.window_ends {
            Some(_) => format!(
                "{}{}",
                french(view.window_ends),
                if view.window_assumed {
                    " (à confirmer)"
                } else {
                    ""
                }
            ),
            None => "aucun délai connu".to_owned(),
        };
        let mut lines = vec![
            Line::styled(
                format!(
                    " {} — {}",
                    sanitize(&view.training_title),
                    view.status.label()
                ),
                theme.title,
            ),
            Line::raw(format!(
                " Titulaire : {} {}",
                sanitize(&view.titulaire),
                masked(&view.nir)
            )),
            Line::raw(format!(
                " {} déclarée par {} · réf. {} · {}",
                capitalised(view.kind.label()),
                sanitize(&view.organisme),
                sanitize(&view.reference),
                sanitize(&view.id_declaration)
            )),
            Line::raw(format!(
                " Fin de formation : {} · début de validité : {}",
                french(view.training_end),
                french(view.validity_start)
            )),
            Line::raw(format!(" Délai de vérification : {window}")),
        ];
        if let Some(day) = view.deemed_verified_on {
            lines.push(Line::raw(format!(
                " Sans vérification : réputée vérifiée le {}",
                french(Some(day))
            )));
        }
        if let Some(note) = &view.window_note {
            lines.push(Line::styled(
                format!(" Règle : {}", sanitize(note)),
                theme.muted,
            ));
        }
        if let Some(message) = &view.message {
            lines.push(Line::raw(format!(
                " Correction demandée le {} : « {} »",
                french(view.acted_on),
                sanitize(message)
            )));
        }
        if let Some(resolution) = view.resolution {
            lines.push(Line::styled(
                format!(" {}", resolution.label()),
                theme.valid,
            ));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    /// Draws the view.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let second = self.undeclared_header();
        let [header_area, second_area, input_area, notice_area, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(second.is_some())),
            Constraint::Length(u16::from(self.message.is_some())),
            Constraint::Length(u16::from(self.notice.is_some())),
            Constraint::Min(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                crate::tui::form::render::truncate(&self.header(), usize::from(area.width)),
                theme.muted,
            )),
            header_area,
        );
        if let Some(second) = &second {
            let style = if self.undeclared.error().is_some() {
                theme.error
            } else {
                theme.muted
            };
            frame.render_widget(
                Paragraph::new(Line::styled(
                    crate::tui::form::render::truncate(second, usize::from(area.width)),
                    style,
                )),
                second_area,
            );
        }
        if let Some(input) = &self.message {
            let (before, after) = input.split();
            // The end of what is typed stays in view.
            let room = usize::from(area.width).saturating_sub(14);
            let skip = before.chars().count().saturating_sub(room);
            let before: String = before.chars().skip(skip).collect();
            frame.render_widget(
                Paragraph::new(Line::styled(
                    crate::tui::form::render::truncate(
                        &format!(" Correction : {before}▏{after}"),
                        usize::from(area.width),
                    ),
                    theme.title,
                )),
                input_area,
            );
        }
        if let Some(notice) = &self.notice {
            let style = if notice.starts_with('✖') {
                theme.error
            } else {
                theme.valid
            };
            frame.render_widget(
                Paragraph::new(Line::styled(
                    crate::tui::form::render::truncate(
                        &format!(" {notice}"),
                        usize::from(area.width),
                    ),
                    style,
                )),
                notice_area,
            );
        }
        if self.open {
            match self.selected_row() {
                Some(Row::Line(view)) => return self.render_line(view, frame, body, theme),
                Some(Row::Undeclared(item)) => return undeclared::render(item, frame, body, theme),
                None => {}
            }
        }
        let rows = self.visible();
        if self.list.data().is_none() || rows.is_empty() {
            let empty = match self.status {
                Some(Filter::Undeclared) => "Aucune formation « non déclarée » par un organisme \
                     — s pour changer de filtre."
                    .to_owned(),
                Some(status) => format!(
                    "Aucune ligne « {} » — s pour changer de filtre.",
                    status.label()
                ),
                None => "Aucune déclaration d'organisme de formation à vérifier.".to_owned(),
            };
            state_message(
                frame,
                body,
                theme,
                self.list.is_loading(),
                self.list.error(),
                Some(&empty),
            );
            return;
        }
        let fitted: Vec<FitRow> = rows
            .iter()
            .map(|row| {
                let l = match row {
                    Row::Line(line) => line,
                    Row::Undeclared(item) => return undeclared::row(item, theme),
                };
                let style = match l.status {
                    VerificationStatus::AVerifier => theme.text,
                    VerificationStatus::CorrectionDemandee => theme.error,
                    VerificationStatus::Verifiee | VerificationStatus::Corrigee => theme.valid,
                    VerificationStatus::ReputeeVerifiee => theme.muted,
                };
                FitRow::new(vec![
                    FitCell::new(l.status.label(), style),
                    FitCell::plain(&french(l.window_ends)),
                    FitCell::plain(&l.titulaire),
                    FitCell::plain(&l.organisme),
                    FitCell::plain(&l.training_title),
                ])
            })
            .collect();
        let selected = rows.get(self.cursor.selected()).map(|row| match row {
            Row::Line(l) => {
                let message = l
                    .message
                    .as_deref()
                    .map(|m| format!("« {m} »"))
                    .unwrap_or_default();
                detail(&[&l.titulaire, &l.training_title, &message])
            }
            Row::Undeclared(item) => undeclared::selected(item),
        });
        render_fitted(
            frame,
            body,
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
    use crossterm::event::KeyModifiers;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::super::DeclarationsScreen;
    use super::*;
    use crate::domain::DeclarationKind;
    use crate::tui::action::Effect;
    use crate::tui::screens::Screen;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn line(id: i64, status: VerificationStatus, ends: Option<NaiveDate>) -> VerificationView {
        VerificationView {
            line_id: id,
            declaration_id: 10 + id,
            id_declaration: format!("PP-{id}"),
            reference: format!("OF-{id}"),
            kind: DeclarationKind::Attestation,
            training_title: "Sauveteur secouriste du travail".to_owned(),
            training_end: day(2026, 6, 2),
            validity_start: day(2026, 6, 2),
            reference_date: day(2026, 6, 2),
            id_unique_partenaire: format!("OF-{id}-1"),
            titulaire: format!("ROUX{id}"),
            nir: "2850775100001".to_owned(),
            employer_siret: "35600000000048".to_owned(),
            organisme: "Formapro".to_owned(),
            status,
            window_ends: ends,
            deemed_verified_on: ends.and_then(|e| e.succ_opt()),
            window_source: None,
            window_note: Some("À confirmer : transition".to_owned()),
            window_assumed: true,
            message: None,
            acted_on: None,
            resolution: None,
        }
    }

    struct Harness {
        screen: DeclarationsScreen,
        next: RequestId,
        effects: Vec<Effect>,
    }

    impl Harness {
        fn with<R>(&mut self, f: impl FnOnce(&mut DeclarationsScreen, &mut Cx<'_>) -> R) -> R {
            let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
            let mut cx = Cx::new(&mut self.next, &mut self.effects, today, 90);
            f(&mut self.screen, &mut cx)
        }

        fn take(&mut self) -> Vec<(RequestId, Request)> {
            self.effects
                .drain(..)
                .filter_map(|e| match e {
                    Effect::Request { id, request } => Some((id, request)),
                    _ => None,
                })
                .collect()
        }

        fn press(&mut self, code: KeyCode) -> bool {
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            self.with(|s, cx| s.on_key(&key, cx))
        }

        fn screen_text(&self, width: u16, height: u16) -> String {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let theme = Theme::monochrome();
            terminal
                .draw(|frame| {
                    self.screen.render(
                        frame,
                        frame.area(),
                        &theme,
                        day(2026, 11, 26).unwrap_or_default(),
                    );
                })
                .unwrap();
            let buffer = terminal.backend().buffer();
            (0..height)
                .map(|y| {
                    (0..width)
                        .map(|x| buffer[(x, y)].symbol())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }

    /// The screen in « À vérifier », loaded with two lines to check and one deemed verified.
    fn loaded() -> Harness {
        let mut h = Harness {
            screen: DeclarationsScreen::default(),
            next: 0,
            effects: Vec::new(),
        };
        h.with(|s, cx| s.on_command(Command::ToggleVerifications, cx));
        let requests = h.take();
        assert_eq!(
            requests[0].1,
            Request::Verifications(VerificationsQuery::default())
        );
        let lines = vec![
            line(1, VerificationStatus::AVerifier, day(2027, 3, 31)),
            line(2, VerificationStatus::AVerifier, day(2027, 6, 30)),
            line(3, VerificationStatus::ReputeeVerifiee, day(2026, 9, 30)),
        ];
        h.with(|s, cx| s.on_response(requests[0].0, Ok(Response::Verifications(lines)), cx));
        h
    }

    #[test]
    fn the_header_counts_the_lines_to_check_and_gives_the_nearest_end() {
        let mut h = loaded();
        let text = h.screen_text(80, 24);
        assert!(
            text.contains("À vérifier : 2 (prochaine fin de délai 31/03/2027) · Statut : Tous"),
            "{text}"
        );
        assert!(
            text.contains("ROUX1") && text.contains("réputée vérifiée"),
            "{text}"
        );
        // The status filter keeps one status; Enter shows the line with its window.
        h.with(|s, cx| s.on_command(Command::FilterStatus, cx));
        assert_eq!(h.screen.verifications.visible().len(), 2);
        h.with(|s, cx| s.on_command(Command::Open, cx));
        let text = h.screen_text(80, 24);
        assert!(
            text.contains("Délai de vérification : 31/03/2027 (à confirmer)"),
            "{text}"
        );
        assert!(text.contains("réputée vérifiée le 01/04/2027"), "{text}");
        assert!(
            text.contains("Attestation de formation déclarée par Formapro · réf. OF-1 · PP-1"),
            "{text}"
        );
        assert!(text.contains("2 85 07 ••"), "NIR masked: {text}");
    }

    #[test]
    fn v_verifies_and_c_asks_for_a_correction_with_a_message() {
        let mut h = loaded();
        assert!(h.screen.offers(Command::VerifyLine));
        h.with(|s, cx| s.on_command(Command::VerifyLine, cx));
        let requests = h.take();
        assert!(matches!(requests[0].1, Request::VerifyLine { line: 1, .. }));
        let mut verified = line(1, VerificationStatus::Verifiee, day(2027, 3, 31));
        verified.acted_on = day(2026, 11, 26);
        h.with(|s, cx| {
            s.on_response(
                requests[0].0,
                Ok(Response::Verified(Box::new(verified))),
                cx,
            );
        });
        assert_eq!(
            h.screen.verifications.selected().map(|l| l.status),
            Some(VerificationStatus::Verifiee)
        );
        assert!(!h.screen.offers(Command::VerifyLine), "already verified");

        h.with(|s, cx| s.on_command(Command::RequestCorrection, cx));
        assert!(h.screen.input_focused());
        assert!(h.screen_text(80, 24).contains("Message à l'organisme"));
        // An empty message is refused on the spot, nothing is sent.
        assert!(h.press(KeyCode::Enter));
        assert!(h.take().is_empty());
        assert!(h.screen_text(80, 24).contains("obligatoire"));
        for c in "NIR erroné".chars() {
            h.press(KeyCode::Char(c));
        }
        assert!(h.screen_text(80, 24).contains(" Correction : NIR erroné▏"));
        h.press(KeyCode::Enter);
        let requests = h.take();
        match &requests[0].1 {
            Request::RequestCorrection { line, message, .. } => {
                assert_eq!((*line, message.as_str()), (1, "NIR erroné"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!h.screen.input_focused());
        h.with(|s, cx| {
            s.on_response(
                requests[0].0,
                Err(ApiError::Conflict {
                    detail: "délai dépassé".to_owned(),
                }),
                cx,
            );
        });
        assert!(h.screen_text(80, 24).contains("délai dépassé"));
    }

    #[test]
    fn the_app_keeps_its_own_commands_in_the_view() {
        let mut h = loaded();
        for command in [
            Command::Quit,
            Command::Help,
            Command::ScreenSessions,
            Command::Refresh,
        ] {
            assert!(!h.with(|s, cx| s.on_command(command, cx)), "{command:?}");
        }
        // Esc leaves the screen, unless a line is shown in full.
        assert!(!h.with(|s, cx| s.on_command(Command::Back, cx)));
        h.with(|s, cx| s.on_command(Command::Open, cx));
        assert!(h.with(|s, cx| s.on_command(Command::Back, cx)));
        assert!(!h.screen.verifications.open);
    }

    fn undeclared_item() -> UndeclaredTraining {
        UndeclaredTraining {
            entry_id: 40,
            worker_id: 7,
            worker_name: "BLANC Léa".to_owned(),
            nir: "2850775100002".to_owned(),
            last_name: "BLANC".to_owned(),
            employer_siret: "35600000000048".to_owned(),
            training_code: Some("CACES_R489".to_owned()),
            training_title: "CACES R489 : chariots".to_owned(),
            start_date: day(2026, 3, 9),
            end_date: day(2026, 3, 10).unwrap_or_default(),
            validity_start: None,
            validity_end: None,
            session_id: None,
            organisme: "Prévention Plus".to_owned(),
            organisation_due: day(2026, 9, 30).unwrap_or_default(),
            employer_due: day(2027, 6, 30),
            rule_note: Some("À confirmer : 9 mois après le délai de l'OF".to_owned()),
            rule_assumed: true,
        }
    }

    /// [`loaded`] for an employer, with one training « non déclarée » too.
    fn loaded_employer() -> Harness {
        let mut h = Harness {
            screen: DeclarationsScreen::default(),
            next: 0,
            effects: Vec::new(),
        };
        h.screen.verifications.employer = true;
        h.with(|s, cx| s.on_command(Command::ToggleVerifications, cx));
        let requests = h.take();
        assert_eq!(requests[1].1, Request::Undeclared);
        let lines = vec![line(1, VerificationStatus::AVerifier, day(2027, 3, 31))];
        h.with(|s, cx| s.on_response(requests[0].0, Ok(Response::Verifications(lines)), cx));
        let items = vec![undeclared_item()];
        h.with(|s, cx| s.on_response(requests[1].0, Ok(Response::Undeclared(items)), cx));
        h
    }

    #[test]
    fn an_employers_training_no_organisation_declared_is_listed_with_its_own_deadline() {
        let mut h = loaded_employer();
        let text = h.screen_text(80, 24);
        assert!(
            text.contains(
                " Non déclarées par l'organisme : 1 (à déclarer d'ici le 30/06/2027, à confirmer)"
            ),
            "{text}"
        );
        assert!(
            text.contains("non déclarée") && text.contains("30/06/2027"),
            "{text}"
        );
        // Its row offers `D`, not the verification keys.
        h.with(|s, cx| s.on_command(Command::Down, cx));
        assert!(h.screen.offers(Command::DeclareInstead));
        assert!(!h.screen.offers(Command::VerifyLine));
        assert!(!h.screen.offers(Command::RequestCorrection));
        // Enter shows it in full; `D` asks for the pre-filled form.
        h.with(|s, cx| s.on_command(Command::Open, cx));
        let text = h.screen_text(80, 24);
        assert!(
            text.contains("Organisme : Prévention Plus · son délai : 30/09/2026 (dépassé)"),
            "{text}"
        );
        assert!(
            text.contains("À déclarer à sa place (art. 7-II) d'ici le 30/06/2027 (à confirmer)"),
            "{text}"
        );
        let navigate = h.with(|s, cx| {
            s.on_command(Command::DeclareInstead, cx);
            cx.navigate
        });
        assert_eq!(navigate, Some(Navigate::DeclareUndeclared));
        // The status filter reaches « non déclarée » last; a line never offers `D`.
        h.with(|s, cx| s.on_command(Command::Back, cx));
        for _ in 0..6 {
            h.with(|s, cx| s.on_command(Command::FilterStatus, cx));
        }
        assert_eq!(h.screen.verifications.status, Some(Filter::Undeclared));
        assert_eq!(h.screen.verifications.visible().len(), 1);
        h.with(|s, cx| s.on_command(Command::FilterStatus, cx));
        assert_eq!(h.screen.verifications.status, None);
        h.with(|s, cx| s.on_command(Command::Home, cx));
        assert!(!h.screen.offers(Command::DeclareInstead));
        let navigate = h.with(|s, cx| {
            s.on_command(Command::DeclareInstead, cx);
            cx.navigate
        });
        assert_eq!(navigate, None);
    }

    #[test]
    fn an_organisation_never_asks_for_the_undeclared_trainings() {
        let h = loaded();
        assert!(h.screen.verifications.undeclared.is_idle());
        let text = h.screen_text(80, 24);
        assert!(!text.contains("Non déclarées"), "{text}");
        // An employer whose list cannot be read is told so, the lines still shown.
        let mut h = loaded_employer();
        h.with(|s, cx| s.refresh(cx));
        let requests = h.take();
        h.with(|s, cx| s.on_response(requests[1].0, Err(ApiError::Timeout), cx));
        let text = h.screen_text(80, 24);
        assert!(
            text.contains("Non déclarées par l'organisme : illisibles"),
            "{text}"
        );
        assert!(text.contains("ROUX1"), "{text}");
    }

    #[test]
    fn an_organisation_opens_the_declaration_of_a_request() {
        let mut h = loaded();
        h.screen.organisation = true;
        h.with(|s, cx| s.on_command(Command::Open, cx));
        let requests = h.take();
        assert_eq!(requests[0].1, Request::Declaration(11));
        assert!(h.screen.detail.is_some());
    }
}
