//! Render snapshots of the form at 80×24 (the size of the UX review 2026-12), monochrome, with
//! fixed ids: the Vérification step's summary and its confirmation, the masked NIR of a
//! titulaire, the length counter, the certification help.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::tests::{complete, nir_with_key, today};
use super::*;
use crate::tui::theme::Theme;
use crate::tui::ui;

/// The same form with fixed ids, so that snapshots do not change from run to run.
pub(crate) fn fixed(form: &Form) -> Form {
    let mut d = form.to_draft();
    d.id = "0123456789abcdef0123456789abcdef".into();
    d.idempotency_key = "fedcba9876543210fedcba9876543210".into();
    d.declaration.id_declaration = "PP-0123456789ABCDEF".into();
    d.inputs
        .insert("REFERENCE_DECLARATION".into(), "PP-0123456789ABCDEF".into());
    for (i, t) in d.declaration.titulaires.iter_mut().enumerate() {
        t.id_unique_partenaire = format!("PP-0123456789ABCDEF-{}", i + 1);
    }
    let mut fixed = Form::from_draft(&d, today());
    fixed.notice = form.notice.clone();
    fixed
}

/// The form drawn in the body of an 80×24 terminal, as the Simulateur screen draws it.
pub(crate) fn draw(form: &Form) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| {
            let body = ui::layout(frame.area()).body;
            render::render(form, &Remote::default(), frame, body, &Theme::monochrome());
        })
        .unwrap();
    terminal.backend().clone()
}

pub(crate) fn ctrl_s(form: &mut Form) -> FormEvent {
    form.on_key(
        &KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
        &Remote::default(),
    )
}

/// A complete attestation with two titulaires, one with an employer.
fn two_titulaires() -> Form {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    let t = f.add_titulaire(
        &nir_with_key("2920699123456"),
        "MARÉCHAL",
        Some("73282932000074"),
    );
    f.set_text(Field::ReferenceEmployeur, Some(t), "M-0042");
    fixed(&f)
}

#[test]
fn the_review_shows_what_will_be_sent_titulaire_by_titulaire() {
    let mut f = two_titulaires();
    assert_eq!(ctrl_s(&mut f), FormEvent::Changed);
    assert_eq!(f.step, DraftStep::Review);
    let screen = format!("{}", draw(&f));
    assert!(
        screen.contains("Sauveteur secouriste du travail"),
        "{screen}"
    );
    assert!(
        screen.contains("n° 2 MARÉCHAL · 2 92 06 •• ••• ••• ••"),
        "{screen}"
    );
    assert!(!screen.contains("2920699123456"), "the NIR stays masked");
    insta::assert_snapshot!("review_summary_80x24", screen);
}

#[test]
fn sending_asks_once_in_a_prompt_readable_at_80_columns() {
    let mut f = two_titulaires();
    ctrl_s(&mut f);
    assert_eq!(ctrl_s(&mut f), FormEvent::Handled);
    let screen = format!("{}", draw(&f));
    assert!(
        screen.contains("Envoyer la déclaration (2 titulaires) ? (o/n)"),
        "{screen}"
    );
    assert!(
        screen.contains("o envoyer · n ou Échap annuler"),
        "{screen}"
    );
    insta::assert_snapshot!("review_confirm_80x24", screen);
}

#[test]
fn the_nir_is_masked_in_the_titulaire_detail_until_v() {
    let mut f = two_titulaires();
    f.focus_key("titulaires");
    // The list, then the detail of titulaire 2: masked like the list.
    f.on_key(&KeyEvent::from(KeyCode::Down), &Remote::default());
    let screen = format!("{}", draw(&f));
    assert!(!screen.contains("2920699123456"), "{screen}");
    assert!(
        screen.contains("NIR                        2 92 06 •• ••• ••• ••"),
        "{screen}"
    );
    assert!(screen.contains("afficher le NIR"), "{screen}");
    insta::assert_snapshot!("titulaire_nir_masked_80x24", screen);
    // v shows it grouped, with its key, whatever its source.
    f.on_key(&KeyEvent::from(KeyCode::Char('v')), &Remote::default());
    let key = crate::domain::ids::compute_key("2920699123456").unwrap_or(0);
    let screen = format!("{}", draw(&f));
    assert!(
        screen.contains(&format!("2 92 06 99 123 456 {key:02}")),
        "{screen}"
    );
    // In the NIR field itself the editor masks every character until v.
    f.on_key(&KeyEvent::from(KeyCode::Char('v')), &Remote::default());
    f.focus_key("titulaires[1].NIR");
    let screen = format!("{}", draw(&f));
    assert!(screen.contains("•••••••••••••••"), "{screen}");
    assert!(!screen.contains("292069912345"), "{screen}");
}

#[test]
fn certification_visee_says_rs_only_and_what_to_do_for_rncp() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.focus_key("FORMATION_CERTIFIANTE");
    // Non → Oui.
    f.on_key(&KeyEvent::from(KeyCode::Left), &Remote::default());
    assert_eq!(
        f.choice_label(Field::FormationCertifiante, None),
        Some("Oui")
    );
    let mut f = fixed(&f);
    f.focus_key("CERTIFICATION_VISEE");
    // Empty and focused: the help says what to enter, RNCP included.
    let screen = format!("{}", draw(&f));
    assert!(
        screen.contains("Seul un code RS (répertoire spécifique"),
        "{screen}"
    );
    assert!(screen.contains("code RS, par exemple RS5801"), "{screen}");
    insta::assert_snapshot!("certification_rs_only_80x24", screen);
    // An RNCP code, once left: the error says the same thing (and the help gives way to it).
    for c in "RNCP35185".chars() {
        f.on_key(&KeyEvent::from(KeyCode::Char(c)), &Remote::default());
    }
    f.on_key(&KeyEvent::from(KeyCode::Tab), &Remote::default());
    f.focus_key("CERTIFICATION_VISEE");
    let screen = format!("{}", draw(&f));
    assert!(
        screen.contains("est un code RNCP : seul un code RS"),
        "{screen}"
    );
    assert_eq!(
        screen.matches("Formacodes et codes NSF").count(),
        1,
        "{screen}"
    );
}

/// Under NO_COLOR a placeholder is dim and italic, the value typed neither (UX review 2026-12,
/// finding 29): a console drawing dim at normal intensity still tells them apart.
#[test]
fn placeholders_are_italic_without_colour() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.focus_key("FORMATION_CERTIFIANTE");
    f.on_key(&KeyEvent::from(KeyCode::Left), &Remote::default());
    let mut f = fixed(&f);
    f.focus_key("CERTIFICATION_VISEE");
    let backend = draw(&f);
    let buffer = backend.buffer();
    let area = buffer.area;
    let find = |text: &str| {
        (0..area.height).find_map(|y| {
            let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
            line.find(text)
                .map(|at| (u16::try_from(line[..at].chars().count()).unwrap(), y))
        })
    };
    let (x, y) = find("code RS, par exemple RS5801").expect("the placeholder is shown");
    assert!(buffer[(x, y)].modifier.contains(Modifier::ITALIC));
    let (x, y) = find("PP-0123456789ABCDEF").expect("a value is shown");
    assert!(!buffer[(x, y)].modifier.contains(Modifier::ITALIC));
}
