//! The TUI and the user's role (issue 17 §4): the header names the user and role, and a
//! `lecture` user's help lists no write action and its keys do nothing, while `saisie` keeps
//! them.

#[allow(dead_code)]
mod tui_support;

use passeport::api::contract::Me;
use passeport::domain::rights::Role;
use passeport::tui::action::{Request, Response};
use passeport::tui::app::App;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{account, key, new_app, ok, request_id, requests, sessions};

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 60)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

/// The app signed in as a user of `role`, on the Sessions screen with its list loaded.
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
    let effects = app.update(key('2'));
    let id = request_id(&effects, |r| matches!(r, Request::Sessions(_)));
    ok(&mut app, id, Response::Sessions(sessions()));
    app
}

#[test]
fn the_header_names_the_user_and_role() {
    for role in Role::ALL {
        let screen = render(&signed_in(role));
        let header = screen.lines().next().unwrap();
        assert!(header.contains(&format!("Léa Martin ({role})")), "{header}");
    }
}

#[test]
fn a_lecture_user_is_offered_no_write_action() {
    let mut lecture = signed_in(Role::Lecture);
    let mut saisie = signed_in(Role::Saisie);
    assert!(
        lecture.update(key('d')).is_empty(),
        "d does nothing for lecture"
    );
    assert!(
        !requests(&saisie.update(key('d'))).is_empty() || render(&saisie).contains("Simulateur")
    );
    lecture.update(key('?'));
    let mut saisie = signed_in(Role::Saisie);
    saisie.update(key('?'));
    let (lecture_help, saisie_help) = (render(&lecture), render(&saisie));
    for write in [
        "déclarer",
        "exporter",
        "réponse du portail",
        "retirer titulaire",
        "archiver",
        "demander une correction",
    ] {
        assert!(
            !lecture_help.contains(write),
            "{write} hidden from lecture:\n{lecture_help}"
        );
        assert!(
            saisie_help.contains(write),
            "{write} offered to saisie:\n{saisie_help}"
        );
    }
    assert!(lecture_help.contains("ouvrir"), "reads stay offered");
}
