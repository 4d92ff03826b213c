//! Importer: a file typed by its path — declarations (official ADF/JDR or an OF's trainee sheet)
//! or an HR sheet (roster, training history, matrix) — read and checked off the UI task,
//! previewed (kind, columns, rows, what the import will do, first errors at their cells), then
//! sent on confirmation with a progress bar. The reading, checks and writing are
//! [`crate::import`]'s, shared with `passeport import`; a file with errors sends nothing.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::{Cx, Navigate, Screen};
use crate::api::ApiError;
use crate::import::team::TeamReport;
use crate::import::{FileReport, Report};
use crate::rules::Rules;
use crate::text::{agree, count};
use crate::tui::action::{ImportJob, ImportRead, Request, RequestId, Response};
use crate::tui::keymap::{Command, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::{Edit, LineInput};
use crate::tui::widgets::sanitize;

/// Errors shown in the preview; the rest are counted.
const SHOWN_ERRORS: usize = 8;

/// Where the import stands.
#[derive(Debug, Default)]
enum Stage {
    /// The path is being typed.
    #[default]
    Typing,
    /// Reading and checking the file.
    Checking(RequestId),
    /// The file read: its report, waiting for confirmation when it has no error.
    Preview(Box<ImportRead>),
    /// Sending, `done` declarations of `total`.
    Sending {
        /// The request.
        id: RequestId,
        /// The preview being sent.
        read: Box<ImportRead>,
        /// Declarations sent so far.
        done: usize,
    },
    /// Sent: the final report.
    Done(Box<ImportRead>),
    /// The file cannot be imported at all (missing, unreadable, a team sheet…).
    Failed(String),
}

/// The import screen's state.
#[derive(Debug)]
pub struct ImportScreen {
    input: LineInput,
    stage: Stage,
    rules: Arc<Rules>,
    home: Option<PathBuf>,
}

impl ImportScreen {
    /// A screen with the rules the file is checked against and the home folder `~` names.
    pub fn new(rules: Arc<Rules>, home: Option<PathBuf>) -> Self {
        Self {
            input: LineInput::default(),
            stage: Stage::Typing,
            rules,
            home,
        }
    }

    /// The path typed so far.
    pub fn path(&self) -> &str {
        self.input.text()
    }

    /// Declarations sent (or staff writes made) so far and in all, while sending.
    pub fn progress(&self) -> Option<(usize, usize)> {
        match &self.stage {
            Stage::Sending { read, done, .. } => Some((*done, read.report.to_send())),
            _ => None,
        }
    }

    /// The report shown (preview or final), of either kind, if any.
    pub fn file_report(&self) -> Option<&FileReport> {
        match &self.stage {
            Stage::Preview(read) | Stage::Done(read) | Stage::Sending { read, .. } => {
                Some(&read.report)
            }
            _ => None,
        }
    }

    /// The report shown of a file of declarations, if any.
    pub fn report(&self) -> Option<&Report> {
        match self.file_report()? {
            FileReport::Declarations(report) => Some(report),
            FileReport::Team(_) => None,
        }
    }

    /// The report shown of a roster, history or matrix, if any.
    pub fn team_report(&self) -> Option<&TeamReport> {
        match self.file_report()? {
            FileReport::Team(report) => Some(report),
            FileReport::Declarations(_) => None,
        }
    }

    /// The message of a file that cannot be imported.
    pub fn failure(&self) -> Option<&str> {
        match &self.stage {
            Stage::Failed(message) => Some(message),
            _ => None,
        }
    }

    /// A declaration sent by the import of request `id` (progress from the runtime).
    pub fn on_progress(&mut self, id: RequestId, sent: usize) {
        if let Stage::Sending {
            id: current, done, ..
        } = &mut self.stage
            && *current == id
        {
            *done = sent;
        }
    }

    fn job(&self, send: bool, today: NaiveDate) -> ImportJob {
        ImportJob {
            path: crate::import::expand_home(self.input.text(), self.home.as_deref()),
            send,
            rules: Arc::clone(&self.rules),
            today,
        }
    }

    fn check(&mut self, cx: &mut Cx<'_>) {
        if self.input.text().trim().is_empty() {
            self.stage = Stage::Failed("Indiquez le chemin du fichier à importer.".to_owned());
            return;
        }
        let id = cx.request(Request::Import(self.job(false, cx.today)));
        self.stage = Stage::Checking(id);
    }

    fn send(&mut self, cx: &mut Cx<'_>) {
        if let Stage::Preview(read) = std::mem::take(&mut self.stage) {
            if read.report.errors().is_empty() && read.report.to_send() > 0 {
                let id = cx.request(Request::Import(self.job(true, cx.today)));
                self.stage = Stage::Sending { id, read, done: 0 };
            } else {
                self.stage = Stage::Preview(read);
            }
        }
    }
}

impl Screen for ImportScreen {
    fn contexts(&self) -> &'static [Context] {
        &[]
    }

    fn on_enter(&mut self, _cx: &mut Cx<'_>) {}

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        if !matches!(self.stage, Stage::Sending { .. } | Stage::Checking(_)) {
            self.check(cx);
        }
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx<'_>) -> bool {
        match (&self.stage, key.code) {
            (Stage::Sending { .. } | Stage::Checking(_), _) => false,
            (Stage::Preview(_), KeyCode::Enter) => {
                self.send(cx);
                true
            }
            (Stage::Done(read), KeyCode::Enter) if sent_declarations(&read.report) => {
                cx.navigate = Some(Navigate::Declarations);
                true
            }
            (_, KeyCode::Enter) => {
                self.check(cx);
                true
            }
            _ => match self.input.on_key(key) {
                Edit::Changed => {
                    if !matches!(self.stage, Stage::Typing) {
                        self.stage = Stage::Typing;
                    }
                    true
                }
                Edit::Moved => true,
                Edit::Ignored => false,
            },
        }
    }

    fn input_focused(&self) -> bool {
        !matches!(self.stage, Stage::Sending { .. } | Stage::Checking(_))
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx<'_>) {
        self.input.insert_str(text.trim_end_matches(['\n', '\r']));
        self.stage = Stage::Typing;
    }

    fn on_command(&mut self, _command: Command, _cx: &mut Cx<'_>) -> bool {
        false
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, _cx: &mut Cx<'_>) {
        let current = match &self.stage {
            Stage::Checking(current) | Stage::Sending { id: current, .. } => *current,
            _ => return,
        };
        if current != id {
            return;
        }
        let sending = matches!(self.stage, Stage::Sending { .. });
        self.stage = match result {
            Ok(Response::Import(Ok(read))) if sending => Stage::Done(read),
            Ok(Response::Import(Ok(read))) => Stage::Preview(read),
            Ok(Response::Import(Err(message))) => Stage::Failed(message),
            Ok(_) => Stage::Failed(crate::tui::action::unexpected().to_string()),
            Err(error) if sending => Stage::Failed(format!(
                "Import interrompu ({error}) ; relancez-le : rien ne sera créé deux fois."
            )),
            Err(error) => {
                Stage::Failed(format!("Vérification par le serveur impossible ({error})."))
            }
        };
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, _today: NaiveDate) {
        let [path_row, action_row, _, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let path = format!("Fichier à importer : {}", sanitize(self.input.text()));
        frame.render_widget(Paragraph::new(path), path_row);
        let mut lines = Vec::new();
        let action = match &self.stage {
            Stage::Typing => Line::from(
                "Tapez le chemin d'un fichier ADF, JDR, d'une feuille de stagiaires ou du \
                 personnel (registre, historique, matrice ; ~ pour votre dossier), puis Entrée \
                 pour le vérifier.",
            ),
            Stage::Checking(_) => Line::from("Lecture et vérification du fichier…"),
            Stage::Failed(message) => Line::styled(sanitize(message), theme.error),
            Stage::Preview(read) => {
                report_lines(read, &mut lines, theme);
                match &read.report {
                    report if !report.errors().is_empty() => Line::styled(
                        "Rien ne sera importé : corrigez le fichier, puis Entrée pour le relire.",
                        theme.error,
                    ),
                    FileReport::Declarations(report) => Line::from(format!(
                        "Entrée : importer {}.",
                        count(report.declarations as u64, "déclaration", "déclarations")
                    )),
                    FileReport::Team(report) if report.writes() == 0 => {
                        Line::from(format!("Rien à enregistrer ({}).", report.counts()))
                    }
                    FileReport::Team(report) => {
                        Line::from(format!("Entrée : importer ({}).", report.counts()))
                    }
                }
            }
            Stage::Sending { read, done, .. } => {
                report_lines(read, &mut lines, theme);
                let total = read.report.to_send();
                let ratio = if total == 0 {
                    1.0
                } else {
                    *done as f64 / total as f64
                };
                let label = match &read.report {
                    FileReport::Declarations(_) => format!(
                        "Envoi : {done}/{total} {}",
                        agree(total as u64, "déclaration", "déclarations")
                    ),
                    FileReport::Team(_) => format!(
                        "Enregistrement : {done}/{total} {}",
                        agree(total as u64, "ligne", "lignes")
                    ),
                };
                let gauge = Gauge::default().ratio(ratio.clamp(0.0, 1.0)).label(label);
                frame.render_widget(
                    gauge,
                    Rect {
                        height: 1,
                        ..action_row
                    },
                );
                Line::from("")
            }
            Stage::Done(read) => {
                let report = &read.report;
                for error in report.errors().iter().take(SHOWN_ERRORS) {
                    let text = format!("  {}", sanitize(&error.to_string()));
                    lines.push(Line::styled(text, theme.error));
                }
                let mut done = report.conclusion();
                if sent_declarations(report) {
                    done.push_str(" Entrée : voir les déclarations.");
                }
                Line::from(done)
            }
        };
        if !matches!(self.stage, Stage::Sending { .. }) {
            frame.render_widget(
                Paragraph::new(action).wrap(Wrap { trim: false }),
                action_row,
            );
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}

/// The preview: the file's description (kind, columns taken and ignored), the counts, the
/// first errors at their cells.
fn report_lines(read: &ImportRead, lines: &mut Vec<Line<'static>>, theme: &Theme) {
    for line in read.description.lines() {
        lines.push(Line::from(sanitize(line)));
    }
    let report = &read.report;
    let rows = match report {
        FileReport::Declarations(report) => format!(
            "{}, {}",
            count(report.declarations as u64, "déclaration", "déclarations"),
            count(report.titulaires as u64, "titulaire", "titulaires")
        ),
        FileReport::Team(report) => count(report.sheet.rows as u64, "ligne", "lignes"),
    };
    let (errors, warnings) = (report.errors(), report.warnings());
    lines.push(Line::from(format!(
        "{rows} ; {}, {}.",
        count(errors.len() as u64, "erreur", "erreurs"),
        count(warnings.len() as u64, "avertissement", "avertissements"),
    )));
    for error in errors.iter().take(SHOWN_ERRORS) {
        lines.push(Line::styled(
            format!("  {}", sanitize(&error.to_string())),
            theme.error,
        ));
    }
    let hidden = errors.len().saturating_sub(SHOWN_ERRORS);
    if hidden > 0 {
        lines.push(Line::from(format!(
            "  … et {} (passeport import {} les liste toutes)",
            count(hidden as u64, "autre erreur", "autres erreurs"),
            "FICHIER"
        )));
    }
}

/// Whether declarations were sent (Entrée then opens Déclarations).
fn sent_declarations(report: &FileReport) -> bool {
    matches!(report, FileReport::Declarations(report) if !report.results.is_empty())
}
