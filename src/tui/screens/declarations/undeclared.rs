//! The trainings « non déclarée par l'organisme » of « À vérifier » (décret 2022-1712 art. 7-II):
//! an employer's training at an organisation that the organisation had to declare and did not by
//! its deadline, for the employer to declare in its place by its own deadline (`D` opens the
//! declaration form pre-filled, [`crate::tui::screens::simulator::declare`]). Their rows, their
//! header line and their full view; the list itself is the view's ([`super::verifications`]).

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::contract::{NirView, UndeclaredTraining};
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{FitCell, FitRow, detail};
use crate::tui::widgets::sanitize;

/// The status shown for these trainings, in the list and the filter.
pub const LABEL: &str = "non déclarée";

/// A date as French users read it.
fn french(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "—".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

/// The employer's deadline, « à confirmer » when its rule is an assumption.
fn employer_due(item: &UndeclaredTraining) -> String {
    match item.employer_due {
        Some(day) if item.rule_assumed => format!("{} (à confirmer)", french(Some(day))),
        Some(day) => french(Some(day)),
        None => "aucun délai connu".to_owned(),
    }
}

/// The header line: how many there are and the nearest employer's deadline (`None` when there
/// are none).
pub fn header(items: &[UndeclaredTraining]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let nearest = items.iter().filter_map(|i| i.employer_due).min();
    let when = match nearest {
        Some(day) => {
            let assumed = items
                .iter()
                .any(|i| i.employer_due == Some(day) && i.rule_assumed);
            format!(
                " (à déclarer d'ici le {}{})",
                french(Some(day)),
                if assumed { ", à confirmer" } else { "" }
            )
        }
        None => String::new(),
    };
    Some(format!(
        " Non déclarées par l'organisme : {}{when}",
        items.len()
    ))
}

/// One row of the list: status, the employer's deadline, worker, organisation, training.
pub fn row(item: &UndeclaredTraining, theme: &Theme) -> FitRow {
    FitRow::new(vec![
        FitCell::new(LABEL, theme.error),
        FitCell::plain(&french(item.employer_due)),
        FitCell::plain(&item.worker_name),
        FitCell::plain(&item.organisme),
        FitCell::plain(&item.training_title),
    ])
}

/// The line under the table for the selected training.
pub fn selected(item: &UndeclaredTraining) -> String {
    let late = format!(
        "délai de l'organisme dépassé ({})",
        french(Some(item.organisation_due))
    );
    detail(&[&item.worker_name, &item.training_title, &late])
}

/// The training in full (Enter).
pub fn render(item: &UndeclaredTraining, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let nir = NirView::masked_text(&item.nir).unwrap_or_else(|| "NIR illisible".to_owned());
    let mut lines = vec![
        Line::styled(
            format!(
                " {} — non déclarée par l'organisme",
                sanitize(&item.training_title)
            ),
            theme.title,
        ),
        Line::raw(format!(
            " Titulaire : {} {nir}",
            sanitize(&item.worker_name)
        )),
        Line::raw(format!(
            " Organisme : {} · son délai : {} (dépassé)",
            sanitize(&item.organisme),
            french(Some(item.organisation_due))
        )),
        Line::raw(format!(
            " Formation : du {} au {}",
            french(item.start_date),
            french(Some(item.end_date))
        )),
        Line::raw(format!(
            " À déclarer à sa place (art. 7-II) d'ici le {}",
            employer_due(item)
        )),
    ];
    if let Some(note) = &item.rule_note {
        lines.push(Line::styled(
            format!(" Règle : {}", sanitize(note)),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
