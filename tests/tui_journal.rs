//! The « Journal » screen (issue 17 §3): an administrator reaches it with 7 (its key in the
//! footer and in `?`, its tab in the header), reads the audit trail newest first with before →
//! after, pages on at the last row and filters by kind of thing and user, each a new request;
//! a `saisie` user is offered none of it. Render snapshots at 80×24 and 200×60 (monochrome,
//! today frozen), like tests/tui_render.rs.

#[allow(dead_code)]
mod tui_support;

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use passeport::api::contract::{AuditEntry, Me, Page};
use passeport::domain::rights::Role;
use passeport::tui::action::{Request, Response};
use passeport::tui::app::App;
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use tui_support::{account, expirations, key, new_app, ok, press, request_id, requests};

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

fn snapshot(name: &str, app: &App) {
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("{name}_{width}x{height}"),
            render(app, width, height)
        );
    }
}

/// The app signed in as Léa Martin with `role`.
fn signed_in(role: Role) -> App {
    let (mut app, effects) = new_app();
    let mut me = account();
    me.user = Some(Me {
        name: "Léa Martin".to_owned(),
        email: "lea@acme.fr".to_owned(),
        role,
        nir_access: false,
        sites: None,
    });
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(me),
    );
    let first = request_id(&effects, |r| matches!(r, Request::Expirations(_)));
    ok(&mut app, first, Response::Expirations(expirations(true)));
    app
}

fn entry(id: i64, minute: u32, user: &str, action: &str, entity: &str) -> AuditEntry {
    AuditEntry {
        id,
        at: Utc.with_ymd_and_hms(2026, 11, 26, 9, minute, 0).unwrap(),
        user: user.to_owned(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        entity_id: (id * 10).to_string(),
        before: None,
        after: None,
    }
}

/// The newest entries of the trail, newest first, with a next page.
fn newest() -> Page<AuditEntry> {
    let mut declared = entry(12, 41, "sam@acme.fr", "création", "salarié");
    declared.after = Some(json!({"last_name": "DUPONT", "nir": "2 85 07 •• ••• ••• ••"}));
    let mut verified = entry(11, 35, "sam@acme.fr", "vérification", "vérification");
    verified.before = Some(json!({"status": "a_verifier"}));
    verified.after = Some(json!({"status": "verifiee"}));
    let mut moved = entry(10, 20, "marie@acme.fr", "modification", "salarié");
    moved.before = Some(json!({"job": "cariste", "site": "Lyon"}));
    moved.after = Some(json!({"job": "magasinier", "site": "Paris"}));
    let mut removed = entry(9, 5, "marie@acme.fr", "retrait du titulaire", "déclaration");
    removed.before = Some(json!({"removed": false, "status": "enregistree"}));
    removed.after = Some(json!({"removed": true, "status": "supprimee"}));
    Page {
        items: vec![declared, verified, moved, removed],
        next_cursor: Some("9".to_owned()),
    }
}

/// An administrator on the Journal with its first page answered.
fn journal_loaded() -> App {
    let mut app = signed_in(Role::Administration);
    let effects = app.update(key('7'));
    assert_eq!(app.screen, ScreenId::Journal);
    let id = request_id(
        &effects,
        |r| matches!(r, Request::Audit(q) if q.newest_first == Some(true) && q.cursor.is_none()),
    );
    ok(&mut app, id, Response::Audit(newest()));
    app
}

#[test]
fn an_administrator_reads_the_trail_newest_first_with_before_and_after() {
    let app = journal_loaded();
    let screen = render(&app, 200, 60);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("7 Journal"), "its tab: {header}");
    let lines: Vec<&str> = screen.lines().collect();
    let row = |text: &str| lines.iter().position(|l| l.contains(text)).unwrap();
    assert!(row("DUPONT") < row("a_verifier → verifiee"), "newest first");
    assert!(screen.contains("nir : 2 85 07 •• ••• ••• ••"), "{screen}");
    assert!(row("a_verifier → verifiee") < row("job : cariste → magasinier"));
    assert!(screen.contains("site : Lyon → Paris"), "{screen}");
    assert!(
        screen.contains("4 entrées (suite en bas de liste)"),
        "{screen}"
    );
    let footer = lines[lines.len() - 2];
    assert!(
        footer.contains("filtre objet") && footer.contains("filtre utilisateur"),
        "{footer}"
    );
    snapshot("journal_loaded", &app);
}

#[test]
fn the_next_page_loads_at_the_last_row_and_filters_ask_again() {
    let mut app = journal_loaded();
    let effects = app.update(press(KeyCode::End));
    let id = request_id(
        &effects,
        |r| matches!(r, Request::Audit(q) if q.cursor.as_deref() == Some("9")),
    );
    assert!(render(&app, 80, 24).contains("chargement de la suite"));
    let older = Page {
        items: vec![entry(8, 1, "administration", "création", "utilisateur")],
        next_cursor: None,
    };
    ok(&mut app, id, Response::Audit(older));
    assert_eq!(app.journal.entries().len(), 5);
    assert!(!app.journal.has_more());
    assert!(
        requests(&app.update(press(KeyCode::End))).is_empty(),
        "nothing more to ask"
    );
    snapshot("journal_all_loaded", &app);

    // t: the kinds of thing seen, in order; each one a new first page from the server.
    let effects = app.update(key('t'));
    let id = request_id(&effects, |r| {
        matches!(r, Request::Audit(q) if q.entity.as_deref() == Some("déclaration")
            && q.cursor.is_none())
    });
    let only = Page {
        items: vec![newest().items.swap_remove(3)],
        next_cursor: None,
    };
    ok(&mut app, id, Response::Audit(only));
    assert_eq!(app.journal.entries().len(), 1);
    // u: the users seen; both filters go to the server.
    let effects = app.update(key('u'));
    let id = request_id(&effects, |r| {
        matches!(r, Request::Audit(q) if q.entity.as_deref() == Some("déclaration")
            && q.user.as_deref() == Some("administration"))
    });
    ok(
        &mut app,
        id,
        Response::Audit(Page {
            items: Vec::new(),
            next_cursor: None,
        }),
    );
    snapshot("journal_filtered_empty", &app);
}

#[test]
fn a_saisie_user_is_offered_no_journal() {
    let mut app = signed_in(Role::Saisie);
    assert!(requests(&app.update(key('7'))).is_empty(), "7 does nothing");
    assert_ne!(app.screen, ScreenId::Journal);
    for _ in 0..7 {
        app.update(press(KeyCode::Tab));
        assert_ne!(app.screen, ScreenId::Journal, "Tab never reaches it");
    }
    app.update(key('?'));
    let help = render(&app, 200, 60);
    assert!(!help.contains("Journal"), "{help}");
    assert!(!help.contains("filtre utilisateur"), "{help}");
    let mut admin = signed_in(Role::Administration);
    admin.update(key('?'));
    let help = render(&admin, 200, 60);
    assert!(
        help.contains("Journal") && help.contains("filtre utilisateur"),
        "{help}"
    );
}
