//! Readability of the list screens, as the December UX review saw them (findings 4, 5, 10,
//! 16–20, 28, 29, 31): the whole frame drawn at the review's sizes (80×24, 60×20, 200×60),
//! monochrome like `NO_COLOR` unless a test picks a theme, snapshotted with insta; plus the
//! checks a snapshot cannot make (styles, and what must be on screen at every size).

// Shared with tui_state.rs and tui_render.rs, which use the helpers this file does not.
#[allow(dead_code)]
mod tui_support;

use crossterm::event::KeyCode;
use passeport::api::contract::{
    DeclarationStatus, DeclarationSummary, ExpirationItem, ExpirationsPage,
    SessionDeclarationStatus, SessionSummary,
};
use passeport::domain::expiry::ExpiryStatus;
use passeport::tui::action::{Action, Request, Response};
use passeport::tui::app::App;
use passeport::tui::theme::{Theme, ThemeName};
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use tui_support::{
    account, declarations, expirations, key, new_app, ok, press, request_id, requests, sessions,
    today,
};

/// The sizes of the review.
const SIZES: [(u16, u16); 3] = [(80, 24), (60, 20), (200, 60)];

fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height).map(|y| row(buffer, y)).collect()
}

fn row(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// Snapshots `app` at the three sizes as `{name}_{w}x{h}`.
fn snapshot(name: &str, app: &App) {
    for (width, height) in SIZES {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| ui::render(app, frame)).unwrap();
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

/// The account of the review: ACME Logistique, in the sandbox.
fn acme() -> passeport::api::contract::Account {
    passeport::api::contract::Account {
        name: "ACME Logistique".to_owned(),
        ..account()
    }
}

fn item(
    base: &ExpirationItem,
    (last_name, first_names, site): (&str, &str, &str),
    (code, title): (&str, &str),
    days_left: i64,
) -> ExpirationItem {
    ExpirationItem {
        last_name: last_name.to_owned(),
        first_names: first_names.to_owned(),
        site: site.to_owned(),
        training_code: code.to_owned(),
        training_title: title.to_owned(),
        expires_on: today() + chrono::TimeDelta::days(days_left),
        days_left,
        status: if days_left < 0 {
            ExpiryStatus::Expired
        } else {
            ExpiryStatus::Expiring
        },
        ..base.clone()
    }
}

const B0: (&str, &str) = (
    "HAB_ELEC_B0_H0",
    "Habilitation électrique B0 / H0 / H0V (exécutant non électricien)",
);
const BS: (&str, &str) = (
    "HAB_ELEC_BS_BE_MANOEUVRE",
    "Habilitation électrique BS / BE manœuvre (interventions élémentaires, manœuvres)",
);
const B1: (&str, &str) = (
    "HAB_ELEC_B1_B2_BR_BC",
    "Habilitation électrique B1 / B2 / BR / BC (électricien basse tension)",
);
const R485: (&str, &str) = (
    "CACES_R485",
    "CACES R485 : chariots de manutention automoteurs gerbeurs à conducteur accompagnant",
);

/// The review's Échéances: three habilitations that looked the same, and a long name.
fn review_expirations() -> ExpirationsPage {
    let page = expirations(true);
    let base = &page.items[0];
    let items = vec![
        item(
            base,
            ("LEBLANC", "Stéphanie, Inès", "Lyon Gerland"),
            B0,
            -699,
        ),
        item(base, ("CARON", "Nathan", "Marseille Port"), BS, -674),
        item(base, ("BOUCHET", "Emma", "Lille Lesquin"), B1, -620),
        item(base, ("MÜLLER", "Adrien", "Lyon Gerland"), R485, 12),
        item(base, ("CORDIER", "Jean", "Marseille Port"), B0, 45),
        item(base, ("DIOP", "Awa", "Lille Lesquin"), R485, 75),
    ];
    ExpirationsPage {
        items,
        counts: passeport::api::contract::ExpirationCounts {
            expired: 3,
            within_30: 1,
            within_60: 1,
            within_90: 1,
        },
        ..page
    }
}

/// An app with the review's account loaded, on Échéances with the review's expirations.
fn expirations_app() -> App {
    let (mut app, effects) = new_app();
    app.options.sandbox = true;
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(acme()),
    );
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Expirations(_))),
        Response::Expirations(review_expirations()),
    );
    app
}

/// The app moved with `key_char` to another screen, its request answered with `response`.
fn on_screen(key_char: char, response: Response) -> App {
    let mut app = expirations_app();
    let effects = app.update(key(key_char));
    let [(id, _)] = requests(&effects)[..] else {
        panic!("one request: {effects:?}")
    };
    ok(&mut app, id, response);
    app
}

/// The review's Sessions: the employer's own, so the organisme is the account on every row.
fn review_sessions() -> Vec<SessionSummary> {
    let base = sessions().swap_remove(0);
    let session = |id, title: &str, place: &str, status, day| SessionSummary {
        id,
        title: title.to_owned(),
        organisme: "ACME Logistique".to_owned(),
        place: place.to_owned(),
        start_date: today() - chrono::Days::new(day),
        end_date: today() - chrono::Days::new(day),
        declaration_status: status,
        closed_on: None,
        ..base.clone()
    };
    vec![
        session(
            21,
            "Prévention du risque chimique",
            "Marseille Port",
            SessionDeclarationStatus::ADeclarer,
            14,
        ),
        session(
            22,
            "Prévention des troubles musculosquelettiques (TMS)",
            "Marseille Port",
            SessionDeclarationStatus::ADeclarer,
            15,
        ),
        session(
            23,
            "Prévention des risques psychosociaux (RPS)",
            "Lyon Gerland",
            SessionDeclarationStatus::Declaree,
            163,
        ),
    ]
}

/// The review's Déclarations (OF view): references that shared their first 14 characters.
fn review_declarations() -> Vec<DeclarationSummary> {
    let base = declarations().swap_remove(1);
    let declaration = |id, reference: &str, title: &str| DeclarationSummary {
        id,
        reference: reference.to_owned(),
        training_title: title.to_owned(),
        status: DeclarationStatus::Enregistree,
        ..base.clone()
    };
    vec![
        declaration(31, "FORMAPREV-2026-000123", R485.1),
        declaration(32, "FORMAPREV-2026-000124", B1.1),
        declaration(33, "FORMAPREV-2026-000125", B0.1),
    ]
}

#[test]
fn echeances_tell_the_three_habilitations_apart_at_every_size() {
    let app = expirations_app();
    snapshot("review_expirations", &app);
    for (width, height) in SIZES {
        let buffer = draw(&app, width, height);
        let screen = text(&buffer).join("\n");
        // Rows start on line 4 (header, counts, filters, table header).
        for (y, part) in [(4, "B0"), (5, "BS"), (6, "B1")] {
            assert!(
                row(&buffer, y).contains(&format!("élec. {part}"))
                    || row(&buffer, y).contains(&format!("électrique {part}")),
                "{part} at {width}×{height}:\n{screen}"
            );
        }
        // The selected row in full on the detail line.
        assert!(
            screen.contains("› LEBLANC Stéphanie, Inès · Habilitation électrique B0"),
            "{width}×{height}:\n{screen}"
        );
    }
}

#[test]
fn every_cut_ends_with_an_ellipsis() {
    let app = expirations_app();
    let buffer = draw(&app, 80, 24);
    // Rows start on line 4; « Habilitation électriqu » was cut with nothing to say so.
    for y in 4..10 {
        let line = row(&buffer, y);
        assert!(!line.contains("électriqu "), "{line}");
        assert!(!line.contains("CACES R485 : c "), "{line}");
    }
}

#[test]
fn sessions_drop_the_organisme_of_the_account_and_write_full_dates() {
    let app = on_screen('2', Response::Sessions(review_sessions()));
    snapshot("review_sessions", &app);
    let buffer = draw(&app, 80, 24);
    let header = row(&buffer, 2);
    assert!(!header.contains("Organisme"), "{header}");
    let screen = text(&buffer).join("\n");
    assert!(screen.contains("12/11/2026"), "{screen}");
    for part in ["risque chimique", "TMS", "RPS"] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    assert!(
        screen.contains("› Prévention du risque chimique · le 12/11/2026 · ACME Logistique"),
        "{screen}"
    );
}

#[test]
fn sessions_empty_state_names_the_filter_that_hides_rows() {
    let mut app = on_screen('2', Response::Sessions(review_sessions()));
    // À déclarer, En cours, Déclarée, Non concernée: none of the last.
    for _ in 0..4 {
        app.update(key('s'));
    }
    let screen = text(&draw(&app, 80, 24)).join("\n");
    assert!(screen.contains("Statut : Non concernée (s)"), "{screen}");
    assert!(
        screen.contains("Aucune session « Non concernée »") && screen.contains("s pour changer"),
        "{screen}"
    );
    // « En cours » also lists the sessions to come: the filter says so.
    for _ in 0..3 {
        app.update(key('s'));
    }
    let screen = text(&draw(&app, 80, 24)).join("\n");
    assert!(
        screen.contains("Statut : En cours ou à venir (s)"),
        "{screen}"
    );
}

#[test]
fn declarations_keep_the_part_of_the_reference_that_differs() {
    let app = on_screen('6', Response::Declarations(review_declarations()));
    snapshot("review_declarations", &app);
    for (width, height) in SIZES {
        let screen = text(&draw(&app, width, height)).join("\n");
        for tail in ["000123", "000124", "000125"] {
            assert!(
                screen.contains(tail),
                "{tail} at {width}×{height}:\n{screen}"
            );
        }
    }
}

#[test]
fn tabs_are_named_at_80_columns_and_the_sandbox_reads_in_french() {
    let app = expirations_app();
    let buffer = draw(&app, 80, 24);
    let header = row(&buffer, 0);
    assert!(
        header.contains("1 Échéances 2 Sessions 3 Recherche 4 Passeport 5 Simul. 6 Décl."),
        "{header}"
    );
    assert!(
        header.contains("BAC À SABLE") && !header.contains("SANDBOX"),
        "{header}"
    );
    // The account gave its room to the tabs: it moved to the status line.
    assert!(
        row(&buffer, 23).ends_with("ACME Logistique"),
        "{}",
        row(&buffer, 23)
    );
    let wide = row(&draw(&app, 200, 60), 0);
    assert!(
        wide.contains(" 5 Simulateur ") && wide.contains("ACME Logistique  BAC À SABLE"),
        "{wide}"
    );
    // A click on a tab name opens it.
    let mut app = app;
    app.update(Action::Resize(80, 24));
    assert_eq!(
        ui::tab_at(&app, 14).map(|s| s.title()),
        Some("Sessions"),
        "{header}"
    );
}

#[test]
fn the_footer_drops_global_hints_before_the_screens_own() {
    let app = expirations_app();
    for (width, height) in [(80, 24), (60, 20)] {
        let footer = row(&draw(&app, width, height), height - 2);
        for hint in ["? aide", "s filtre statut"] {
            assert!(footer.contains(hint), "{hint} at {width}: {footer}");
        }
    }
    let footer = row(&draw(&app, 80, 24), 22);
    assert!(
        footer.contains("q quitter") && footer.contains("t filtre type/période"),
        "{footer}"
    );
}

#[test]
fn the_removal_prompt_keeps_its_keys_at_every_size() {
    let mut app = on_screen('6', Response::Declarations(review_declarations()));
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| matches!(r, Request::Declaration(_)));
    let view = passeport::api::contract::DeclarationView {
        summary: review_declarations().swap_remove(0),
        declaration: passeport::domain::declaration::Declaration {
            titulaires: vec![passeport::domain::declaration::Titulaire {
                id_unique_partenaire: "PP-1".to_owned(),
                nir: "1850375112345".to_owned(),
                nom_titulaire: "DUPONT".to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    ok(&mut app, id, Response::Declaration(Box::new(view)));
    app.update(key('x'));
    for (width, height) in SIZES {
        let screen = text(&draw(&app, width, height)).join("\n");
        assert!(
            screen.contains("(o/n) Retirer DUPONT")
                && screen.contains("définitive.")
                && !screen.contains("définitiv…"),
            "the whole question, keys first, at {width}×{height}:\n{screen}"
        );
    }
}

#[test]
fn without_colour_the_selection_is_marked_and_expired_rows_are_not_reversed() {
    let mut app = expirations_app();
    app.update(key('j'));
    let buffer = draw(&app, 80, 24);
    // Header, counts, filters, table header: rows start on line 4.
    let selected = row(&buffer, 5);
    assert!(selected.starts_with("›✖ CARON"), "{selected}");
    for x in 1..30 {
        assert!(buffer[(x, 5)].modifier.contains(Modifier::REVERSED));
    }
    for y in [4, 6] {
        assert!(row(&buffer, y).starts_with(" ✖"), "{}", row(&buffer, y));
        for x in 0..80 {
            assert!(
                !buffer[(x, y)].modifier.contains(Modifier::REVERSED),
                "expired row {y} is not in reverse video: {}",
                row(&buffer, y)
            );
        }
    }
}

/// The foreground colours of the cells of row `y` holding `text`.
fn colours_of(buffer: &Buffer, y: u16, text: &str) -> Vec<Color> {
    let line = row(buffer, y);
    let start = line
        .find(text)
        .map(|byte| line[..byte].chars().count())
        .unwrap_or_else(|| panic!("{text:?} not on row {y}: {line}"));
    (start..start + text.chars().count())
        .map(|x| buffer[(x as u16, y)].fg)
        .collect()
}

#[test]
fn the_light_theme_draws_secondary_text_and_keys_in_readable_colours() {
    let mut app = expirations_app();
    app.options.theme = Theme::new(ThemeName::Light, false);
    let buffer = draw(&app, 80, 24);
    // Palette colour 7 (light grey) and 3 (yellow) were 1.3:1 and 1.7:1 on white.
    for (y, part) in [(2, "Statut :"), (22, "aide"), (0, "2 Sessions")] {
        for colour in colours_of(&buffer, y, part) {
            assert_eq!(colour, Color::Indexed(240), "{part}: {}", row(&buffer, y));
        }
    }
    assert_eq!(colours_of(&buffer, 22, "?"), [Color::Indexed(90)]);
}

#[test]
fn the_summary_follows_the_filters_and_its_colours_match_the_rows() {
    let mut app = expirations_app();
    app.options.theme = Theme::new(ThemeName::Dark, false);
    let buffer = draw(&app, 120, 40);
    let counts = row(&buffer, 1);
    assert!(
        counts.contains("Expirées 3 · ≤ 30 j 1 · 31–60 j 1 · 61–90 j 1"),
        "the server's counts without a filter: {counts}"
    );
    // Rows at 61–90 days are « Expire bientôt », drawn in the expiring colour, like their count.
    let band = colours_of(&buffer, 1, "61–90 j 1");
    assert_eq!(band.last(), Some(&Color::Yellow), "{counts}");
    // The first training of the filter: CACES R485 (codes sorted), two rows.
    app.update(key('t'));
    let buffer = draw(&app, 120, 40);
    let counts = row(&buffer, 1);
    assert!(
        counts.contains("Expirées 0 · ≤ 30 j 1 · 31–60 j 0 · 61–90 j 1 · selon les filtres"),
        "{counts}"
    );
    let filters = row(&buffer, 2);
    assert!(
        filters.contains("Formation : CACES R485 : chariots") && !filters.contains("CACES_R485"),
        "the label, not the code: {filters}"
    );
    // At 80 columns the whole line fits, date included.
    let filters = row(&draw(&app, 80, 24), 2);
    assert!(
        filters.contains("Formation : CACES R485") && filters.contains("au 26/11/2026"),
        "{filters}"
    );
    // Filtered to nothing: the empty state names the filters.
    app.update(key('s'));
    let screen = text(&draw(&app, 80, 24)).join("\n");
    assert!(
        screen.contains("Aucune échéance « Expirées »") && screen.contains("changer de filtre"),
        "{screen}"
    );
}

#[test]
fn a_session_names_each_trainees_employer_when_they_differ() {
    let mut app = on_screen('2', Response::Sessions(sessions()));
    // Most recent first: session 13, then 11.
    app.update(key('j'));
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| *r == Request::Session(11));
    let mut detail = tui_support::session_detail(true);
    ok(&mut app, id, Response::Session(Box::new(detail.clone())));
    let screen = text(&draw(&app, 80, 24)).join("\n");
    let employer = detail.trainees[0].employer_name.clone();
    assert!(
        !screen.contains(&employer),
        "one employer for all: no column\n{screen}"
    );
    // An OF's session: trainees of two employers, each named (UX review, finding 31); one the
    // account does not know by name shows its SIRET.
    detail.trainees[1].employer_siret = "41287396000022".to_owned();
    detail.trainees[1].employer_name = "Bâtiments du Sud".to_owned();
    detail.trainees[2].employer_siret = "35600000000048".to_owned();
    detail.trainees[2].employer_name = String::new();
    let effects = app.update(key('r'));
    let id = request_id(&effects, |r| *r == Request::Session(11));
    ok(&mut app, id, Response::Session(Box::new(detail)));
    let screen = text(&draw(&app, 80, 24)).join("\n");
    assert!(
        screen.contains(&employer.chars().take(16).collect::<String>())
            && screen.contains("Bâtiments du Sud")
            && screen.contains("356 000 000 00048"),
        "{screen}"
    );
    insta::assert_snapshot!("review_session_two_employers_80x24", screen);
}

#[test]
fn a_training_organisation_is_told_its_passport_view_is_partial() {
    let (mut app, effects) = new_app();
    let of = passeport::api::contract::Account {
        kind: passeport::domain::DeclarantKind::OrganismeFormation,
        name: "Formaprev Sécurité".to_owned(),
        ..account()
    };
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(of),
    );
    assert!(app.worker.delivered_only);
    let (mut app, effects) = new_app();
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(acme()),
    );
    assert!(
        !app.worker.delivered_only,
        "an employer sees its staff's whole passport"
    );
}
