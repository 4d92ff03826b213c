//! The detail of one recorded declaration: its reference, kind, status and deadline, every
//! column it sent (the same summary as the form's Vérification step, [`summary`]), and its
//! titulaires, NIR masked, with the removal (the platform's only correction) asked by name.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{Detail, layout_code};
use crate::api::contract::{DeclarationStatus, ExportState};
use crate::tui::form::render::{truncate, wrap};
use crate::tui::form::summary;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::{Columns, render_table};
use crate::tui::widgets::{date_range, sanitize, siret_grouped, state_message};

/// Width of the labels of the sent columns.
const LABEL_WIDTH: usize = 26;

/// `text` in `width` characters, keeping its end (identifiers differ by their tail).
fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_owned();
    }
    let kept: String = text.chars().skip(count + 1 - width.max(1)).collect();
    format!("…{kept}")
}

/// The sent columns, label then value wrapped under it.
fn sent_lines(rows: &[(String, String)], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(LABEL_WIDTH + 2).max(1);
    let mut lines = Vec::new();
    for (label, value) in rows {
        for (i, part) in wrap(value, value_width).into_iter().enumerate() {
            let head = if i == 0 {
                truncate(label, LABEL_WIDTH - 1)
            } else {
                String::new()
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {head:<LABEL_WIDTH$} "), theme.muted),
                Span::styled(part, theme.text),
            ]));
        }
    }
    lines
}

/// Draws the detail in `area`; `notice` is the last action's outcome (a removal), `writes`
/// false for a role that writes nothing (no key of a write is named).
pub(super) fn render(
    detail: &Detail,
    (notice, writes): (Option<&str>, bool),
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
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
    let s = &view.summary;
    let d = &view.declaration;
    let width = usize::from(area.width);
    let sent = sent_lines(&summary::training_rows(d), width, theme);
    // The titulaires keep at least their header and 4 rows; the sent columns take the rest.
    let room = area.height.saturating_sub(4 + 1 + 1 + 5);
    let sent_height = (sent.len() as u16).min(room);
    let [head, sent_area, table_area, foot] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(sent_height),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let dates = match (d.date_debut_formation, d.date_fin_formation) {
        (Some(start), Some(end)) => date_range(start, end),
        _ => "sans formation".to_owned(),
    };
    let status = match notice {
        Some(notice) => Line::styled(truncate(&format!(" {notice}"), width), theme.valid),
        None => Line::styled(
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
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                truncate(
                    &format!(
                        " {} · {}",
                        sanitize(&s.reference),
                        sanitize(&s.training_title)
                    ),
                    width,
                ),
                theme.title,
            ),
            Line::raw(truncate(
                &format!(" {} ({}) · {dates}", s.kind.label(), layout_code(s.kind)),
                width,
            )),
            status,
            Line::styled(
                truncate(
                    &super::export::detail_line(s.export.as_ref(), writes),
                    width,
                ),
                match s.export.map(|e| e.state) {
                    Some(ExportState::Refusee) => theme.error,
                    Some(ExportState::Acceptee) => theme.valid,
                    _ => theme.muted,
                },
            ),
        ]),
        head,
    );
    let hidden = sent.len().saturating_sub(usize::from(sent_height));
    let mut shown: Vec<Line> = sent.into_iter().take(usize::from(sent_height)).collect();
    if hidden > 0
        && let Some(last) = shown.last_mut()
    {
        *last = Line::styled(
            // The line replaced is hidden too: at least two lines.
            format!(
                " … {} lignes de plus (terminal plus haut pour tout voir)",
                hidden + 1
            ),
            theme.muted,
        );
    }
    frame.render_widget(Paragraph::new(shown), sent_area);
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
        let id_width: u16 = 12;
        let widths = [
            Constraint::Fill(2),
            Constraint::Length(22),
            Constraint::Length(17),
            Constraint::Length(id_width),
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
                Row::new(vec![
                    Cell::from(sanitize(&t.nom_titulaire).to_uppercase()),
                    Cell::from(summary::masked_nir(&t.nir)),
                    Cell::from(siret_grouped(&t.siret_employeur)),
                    Cell::from(tail(
                        &sanitize(&t.id_unique_partenaire),
                        usize::from(id_width),
                    )),
                ])
            },
        );
    }
    let footer = match (&detail.confirm, detail.view.is_loading()) {
        (Some(id), _) => {
            let name = d
                .titulaires
                .iter()
                .position(|t| &t.id_unique_partenaire == id)
                .map_or_else(String::new, |index| {
                    format!(
                        "{} (n° {})",
                        sanitize(&d.titulaires[index].nom_titulaire).to_uppercase(),
                        index + 1
                    )
                });
            // The keys first; a shorter question when the whole one does not fit.
            let full = format!(" (o/n) Retirer {name} de la déclaration ? Correction définitive.");
            let short = format!(" (o/n) Retirer {name} ? Correction définitive.");
            let question = if full.chars().count() <= width {
                full
            } else {
                short
            };
            Line::styled(truncate(&question, width), theme.error)
        }
        (None, true) => Line::styled(" ⟳ Envoi…", theme.muted),
        (None, false) => match detail.view.error() {
            Some(e) => Line::styled(
                truncate(&format!(" ✖ {} — r pour réessayer", sanitize(e)), width),
                theme.error,
            ),
            None if writes => Line::styled(
                " x retirer le titulaire sélectionné · Échap retour",
                theme.muted,
            ),
            None => Line::styled(" Échap retour", theme.muted),
        },
    };
    frame.render_widget(Paragraph::new(footer), foot);
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::super::DeclarationsScreen;
    use super::*;
    use crate::api::contract::{DeclarationSummary, DeclarationView};
    use crate::domain::DeclarationKind;
    use crate::domain::declaration::{Declaration, Modalite, Titulaire};
    use crate::domain::ids::compute_key;
    use crate::tui::action::{Effect, Request, RequestId, Response};
    use crate::tui::keymap::Command;
    use crate::tui::screens::{Cx, Screen};
    use crate::tui::ui;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    fn summary(id: i64, reference: &str, count: u32) -> DeclarationSummary {
        DeclarationSummary {
            id,
            reference: reference.into(),
            kind: DeclarationKind::Attestation,
            training_title: "Sauveteur secouriste du travail".into(),
            titulaire_count: count,
            status: DeclarationStatus::Enregistree,
            deadline: NaiveDate::from_ymd_opt(2027, 6, 30),
            created_at: chrono::DateTime::from_timestamp(1_780_000_000 + id, 0).unwrap_or_default(),
            export: None,
        }
    }

    fn sent() -> DeclarationView {
        let nir = |body: &str| format!("{body}{:02}", compute_key(body).unwrap_or(0));
        let mut d = Declaration::new(DeclarationKind::Attestation);
        d.id_declaration = "PP-DBB4034EFD0A1B2C".into();
        d.reference_declaration = "PP-DBB4034EFD0A1B2C".into();
        d.nom_formation = "Sauveteur secouriste du travail".into();
        d.date_debut_formation = NaiveDate::from_ymd_opt(2026, 10, 13);
        d.date_fin_formation = NaiveDate::from_ymd_opt(2026, 10, 15);
        d.modalite_dispense = Some(Modalite::Presentiel);
        d.formation_certifiante = Some(false);
        d.domaine_formation = vec!["42829".into()];
        d.specialite_formation = vec!["344r".into()];
        d.competence_transferable = vec!["115650".into(), "121885".into(), "400635".into()];
        d.date_debut_validite = NaiveDate::from_ymd_opt(2026, 10, 15);
        d.titulaires = vec![
            Titulaire {
                id_unique_partenaire: "PP-DBB4034EFD0A1B2C-1".into(),
                nir: nir("1850375112345"),
                nom_titulaire: "DUPONT".into(),
                presence_employeur: Some(false),
                ..Titulaire::default()
            },
            Titulaire {
                id_unique_partenaire: "PP-DBB4034EFD0A1B2C-2".into(),
                nir: "2920699123456".into(),
                nom_titulaire: "MARÉCHAL".into(),
                presence_employeur: Some(true),
                siret_employeur: "73282932000074".into(),
                ..Titulaire::default()
            },
        ];
        DeclarationView {
            summary: summary(9, "PP-DBB4034EFD0A1B2C", 2),
            declaration: d,
        }
    }

    fn with<R>(
        screen: &mut DeclarationsScreen,
        next: &mut RequestId,
        effects: &mut Vec<Effect>,
        f: impl FnOnce(&mut DeclarationsScreen, &mut Cx<'_>) -> R,
    ) -> R {
        let mut cx = Cx::new(next, effects, today(), 90);
        f(screen, &mut cx)
    }

    fn last_request(effects: &[Effect]) -> Option<(RequestId, Request)> {
        effects.iter().rev().find_map(|e| match e {
            Effect::Request { id, request } => Some((*id, request.clone())),
            _ => None,
        })
    }

    fn draw(screen: &DeclarationsScreen) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| {
                let body = ui::layout(frame.area()).body;
                screen.render(frame, body, &Theme::monochrome(), today());
            })
            .unwrap();
        format!("{}", terminal.backend())
    }

    /// The screen after a submission of declaration 9, its list loaded.
    fn after_submission() -> (DeclarationsScreen, RequestId, Vec<Effect>) {
        let (mut screen, mut next, mut effects) = (DeclarationsScreen::default(), 0, Vec::new());
        screen.status = Some(DeclarationStatus::EnRetard);
        screen.show_created(9, true);
        with(&mut screen, &mut next, &mut effects, |s, cx| s.on_enter(cx));
        let Some((id, Request::Declarations(_))) = last_request(&effects) else {
            panic!("the list reloads");
        };
        let list = vec![
            summary(8, "PP-OLDER", 3),
            summary(9, "PP-DBB4034EFD0A1B2C", 2),
            summary(10, "PP-NEWER", 1),
        ];
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_response(id, Ok(Response::Declarations(list)), cx)
        });
        (screen, next, effects)
    }

    #[test]
    fn a_submitted_declaration_is_named_and_selected_in_the_list() {
        let (mut screen, mut next, mut effects) = after_submission();
        assert_eq!(screen.status, None, "no filter hides it");
        let selected = screen.visible()[screen.cursor.selected()].id;
        assert_eq!(selected, 9);
        let notice = screen.notice.clone().unwrap_or_default();
        assert!(
            notice.contains("PP-DBB4034EFD0A1B2C enregistrée, 2 titulaires"),
            "{notice}"
        );
        let drawn = draw(&screen);
        assert!(
            drawn.contains("✔ Déclaration PP-DBB4034EFD0A1B2C"),
            "{drawn}"
        );
        insta::assert_snapshot!("created_selected_80x24", drawn);
        // The next command clears it; Enter opens the one just sent.
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_command(Command::Open, cx)
        });
        assert_eq!(screen.notice, None);
        assert_eq!(
            last_request(&effects).map(|(_, r)| r),
            Some(Request::Declaration(9))
        );
    }

    #[test]
    fn the_detail_shows_every_sent_column_and_names_the_titulaire_to_remove() {
        let (mut screen, mut next, mut effects) = after_submission();
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_command(Command::Open, cx)
        });
        let Some((id, _)) = last_request(&effects) else {
            panic!()
        };
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_response(id, Ok(Response::Declaration(Box::new(sent()))), cx)
        });
        let drawn = draw(&screen);
        for expected in [
            "Formacodes",
            "42829",
            "Compétences transférables",
            "115650 / 121885 / 400635",
            "Début de validité",
            "Présentiel",
            "2 92 06 •• ••• ••• ••",
            "…EFD0A1B2C-2",
        ] {
            assert!(drawn.contains(expected), "{expected}: {drawn}");
        }
        assert!(!drawn.contains("2920699123456"), "the NIR stays masked");
        insta::assert_snapshot!("detail_80x24", drawn);

        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_command(Command::Down, cx);
            s.on_command(Command::Delete, cx)
        });
        let drawn = draw(&screen);
        assert!(
            drawn.contains("(o/n) Retirer MARÉCHAL (n° 2) de la déclaration ?"),
            "{drawn}"
        );
        let o = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('o'),
            crossterm::event::KeyModifiers::NONE,
        );
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_key(&o, cx)
        });
        let Some((removal, Request::RemoveTitulaire { .. })) = last_request(&effects) else {
            panic!("o removes")
        };
        let mut after = sent();
        after.declaration.titulaires.pop();
        with(&mut screen, &mut next, &mut effects, |s, cx| {
            s.on_response(removal, Ok(Response::Declaration(Box::new(after))), cx)
        });
        let notice = screen.notice.clone().unwrap_or_default();
        assert_eq!(notice, "✔ Titulaire MARÉCHAL retiré : 1 titulaire restant");
        assert!(draw(&screen).contains("✔ Titulaire MARÉCHAL retiré : 1 titulaire restant"));
    }

    #[test]
    fn identifiers_keep_their_distinguishing_tail() {
        assert_eq!(tail("PP-1-2", 12), "PP-1-2");
        assert_eq!(tail("PP-DBB4034EFD12345678-12", 12), "…12345678-12");
        assert_eq!(tail("PP-DBB4034EFD12345678-12", 12).chars().count(), 12);
    }
}
