//! State and render tests of the Sessions screen's writes (issue 13 §4): `n` a new session and
//! `e` its changes, `i` the enrol picker, `x` a trainee removed, the outcome keys, `c` close and
//! `d` the declaration form pre-filled. Actions in through `App::update`, requests and state out;
//! the forms, the picker and the questions snapshotted at 80×24.

// Shared with the other TUI tests: not every helper is used here.
#[allow(dead_code)]
mod tui_support;

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::NaiveDate;
use crossterm::event::KeyCode;
use passeport::api::ApiError;
use passeport::api::contract::{NewSession, SessionDetail, SessionPatch, TraineeView};
use passeport::domain::session::TraineeOutcome;
use passeport::domain::{DeclarationKind, FieldError};
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect, Request, Response};
use passeport::tui::app::App;
use passeport::tui::remote::Remote;
use passeport::tui::screens::ScreenId;
use passeport::tui::screens::sessions::actions::SessionAction;
use passeport::tui::staff::FormState;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{
    ctrl, key, new_app, ok, press, request_id, requests, roster, session_detail, sessions, workers,
};

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(app.update(key(c)));
    }
    effects
}

fn fail(app: &mut App, id: u64, error: ApiError) -> Vec<Effect> {
    app.update(Action::Loaded {
        id,
        result: Err(error),
    })
}

/// On Sessions with the list loaded.
fn sessions_app() -> App {
    let (mut app, _) = new_app();
    let effects = app.update(key('2'));
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Sessions(_))),
        Response::Sessions(sessions()),
    );
    app
}

/// On Sessions with session 11 opened as `detail`.
fn opened(detail: SessionDetail) -> App {
    let mut app = sessions_app();
    // Most recent first: session 13 (December), then 11.
    app.update(key('j'));
    let effects = app.update(press(KeyCode::Enter));
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Session(11)),
        Response::Session(Box::new(detail)),
    );
    assert!(app.sessions.opened().is_some());
    app
}

fn trainee(id: i64, name: &str, nir: &str, outcome: TraineeOutcome) -> TraineeView {
    TraineeView {
        worker_id: id,
        last_name: name.to_owned(),
        first_names: "Camille".to_owned(),
        nir: nir.to_owned(),
        employer_siret: "73282932000074".to_owned(),
        employer_name: String::new(),
        outcome,
        declared: false,
    }
}

/// Session 11 (an SST, ended 17/11/2026) with four trainees, none declared: one passed, one
/// attended, one failed, one absent.
fn four_outcomes() -> SessionDetail {
    let mut detail = session_detail(false);
    detail.trainees = vec![
        trainee(7, "DUPONT", "1850375112345", TraineeOutcome::Passed),
        trainee(8, "LEFÈVRE", "2900169123456", TraineeOutcome::Attended),
        trainee(10, "MOREAU", "1880275112399", TraineeOutcome::Failed),
        trainee(9, "DUPUIS", "1770533100222", TraineeOutcome::Absent),
    ];
    detail.summary.trainee_count = 4;
    detail
}

fn catalogue() -> Response {
    Response::Catalogue(Rules::embedded().unwrap().catalogue.types.clone())
}

fn field_error(app: &App, field: &str) -> Option<String> {
    let form = match app.sessions.action.as_ref() {
        Some(SessionAction::New(form) | SessionAction::Edit { form, .. }) => form,
        other => panic!("no session form open: {other:?}"),
    };
    form.inputs
        .iter()
        .find(|i| i.key == field)
        .and_then(|i| i.error.clone())
}

fn form_state(app: &App) -> FormState {
    match app.sessions.action.as_ref() {
        Some(SessionAction::New(form) | SessionAction::Edit { form, .. }) => form.state.clone(),
        other => panic!("no session form open: {other:?}"),
    }
}

#[test]
fn a_new_session_is_checked_then_sent_and_opened() {
    let mut app = sessions_app();
    let effects = app.update(key('n'));
    assert!(matches!(app.sessions.action, Some(SessionAction::New(_))));
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Catalogue),
        catalogue(),
    );
    // Nothing typed: Ctrl-S sends nothing and says what is missing.
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    assert_eq!(
        form_state(&app),
        FormState::Failed("5 champs à corriger avant d'enregistrer.".to_owned())
    );
    assert_eq!(
        field_error(&app, "title").as_deref(),
        Some("Intitulé : à remplir.")
    );
    // The type narrows as typed; the highlighted one is taken when the field is left.
    let mut effects = Vec::new();
    effects.extend(app.update(press(KeyCode::BackTab)));
    while !matches!(app.sessions.action.as_ref(), Some(SessionAction::New(f)) if f.focus == 0) {
        effects.extend(app.update(press(KeyCode::BackTab)));
    }
    type_text(&mut app, "chariots r489");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "CACES R489 cat. 1 et 3");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "10/12/2026");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "08/12/2026");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "Gennevilliers");
    // The end before the start: under « Fin », nothing sent.
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    assert_eq!(
        field_error(&app, "end_date").as_deref(),
        Some("La fin (08/12/2026) précède le début (10/12/2026).")
    );
    insta::assert_snapshot!("sessions_new_form_80x24", render(&app));
    // Corrected: the POST goes out with the form's idempotency key.
    for _ in 0..10 {
        app.update(press(KeyCode::Backspace));
    }
    type_text(&mut app, "12/12/2026");
    let effects = app.update(ctrl('s'));
    let sent: Vec<Request> = requests(&effects).into_iter().map(|(_, r)| r).collect();
    let [
        Request::CreateSession {
            session: body,
            key: first_key,
        },
    ] = sent.as_slice()
    else {
        panic!("one creation expected: {sent:?}");
    };
    assert_eq!(
        **body,
        NewSession {
            training_code: "CACES_R489".to_owned(),
            title: "CACES R489 cat. 1 et 3".to_owned(),
            start_date: Some(date(2026, 12, 10)),
            end_date: Some(date(2026, 12, 12)),
            place: "Gennevilliers".to_owned(),
            organisme: None,
        }
    );
    // The server refuses the place: under its field, everything typed kept.
    let id = request_id(&effects, |r| matches!(r, Request::CreateSession { .. }));
    fail(
        &mut app,
        id,
        ApiError::Invalid {
            errors: vec![FieldError::new(
                "place",
                "required",
                "le lieu est obligatoire",
            )],
        },
    );
    assert_eq!(
        field_error(&app, "place").as_deref(),
        Some("Le lieu est obligatoire.")
    );
    // Retried: the same key, so a creation that did reach the server is not made twice.
    let effects = app.update(ctrl('s'));
    let id = request_id(
        &effects,
        |r| matches!(r, Request::CreateSession { key, session } if key == first_key && **session == **body),
    );
    let mut created = session_detail(false);
    created.summary.id = 20;
    created.summary.title = "CACES R489 cat. 1 et 3".to_owned();
    let effects = ok(&mut app, id, Response::Session(Box::new(created)));
    assert!(app.sessions.action.is_none());
    assert_eq!(app.sessions.opened().map(|d| d.summary.id), Some(20));
    assert!(
        requests(&effects)
            .iter()
            .any(|(_, r)| matches!(r, Request::Sessions(_))),
        "the list reloads"
    );
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("créée : i pour inscrire")),
        "{:?}",
        app.notice
    );
}

#[test]
fn an_open_session_is_edited_with_only_its_changes_and_a_closed_one_is_not() {
    let mut app = opened(four_outcomes());
    let effects = app.update(key('e'));
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Catalogue),
        catalogue(),
    );
    let Some(SessionAction::Edit { form, .. }) = &app.sessions.action else {
        panic!("edit form expected");
    };
    assert_eq!(
        form.text("training_code"),
        "Sauveteur secouriste du travail (SST)"
    );
    assert_eq!(form.text("start_date"), "16/11/2026");
    // The place changed, nothing else.
    for _ in 0..4 {
        app.update(press(KeyCode::Tab));
    }
    for _ in 0.."Lyon Gerland".chars().count() {
        app.update(press(KeyCode::Backspace));
    }
    type_text(&mut app, "Villeurbanne");
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| {
        *r == Request::UpdateSession {
            id: 11,
            patch: Box::new(SessionPatch {
                place: Some("Villeurbanne".to_owned()),
                ..SessionPatch::default()
            }),
        }
    });
    let mut changed = four_outcomes();
    changed.summary.place = "Villeurbanne".to_owned();
    ok(&mut app, id, Response::Session(Box::new(changed)));
    assert!(app.sessions.action.is_none());
    assert!(render(&app).contains("Villeurbanne"));

    let mut closed = four_outcomes();
    closed.summary.closed_on = Some(date(2026, 11, 20));
    let mut app = opened(closed);
    let effects = app.update(key('e'));
    assert!(app.sessions.action.is_none());
    assert!(requests(&effects).is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Session clôturée le 20/11/2026")),
        "{:?}",
        app.notice
    );
}

#[test]
fn the_picker_enrols_every_marked_worker_and_greys_those_enrolled() {
    let mut detail = four_outcomes();
    detail.trainees.truncate(1);
    let mut app = opened(detail);
    let effects = app.update(key('i'));
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Roster),
        roster(workers()),
    );
    // DUPONT is enrolled: greyed, not marked.
    let effects = app.update(key(' '));
    assert!(requests(&effects).is_empty());
    let Some(SessionAction::Enrol(picker)) = &app.sessions.action else {
        panic!("picker expected");
    };
    assert!(picker.marked.is_empty());
    assert_eq!(
        picker.error.as_deref(),
        Some("Déjà inscrit à cette session.")
    );
    // Filtered as Recherche filters: accents folded.
    type_text(&mut app, "lefevre");
    app.update(key(' '));
    for _ in 0..7 {
        app.update(press(KeyCode::Backspace));
    }
    type_text(&mut app, "dupuis");
    app.update(key(' '));
    for _ in 0..6 {
        app.update(press(KeyCode::Backspace));
    }
    insta::assert_snapshot!("sessions_enrol_picker_80x24", render(&app));
    let effects = app.update(press(KeyCode::Enter));
    let sent: Vec<Request> = requests(&effects).into_iter().map(|(_, r)| r).collect();
    let [
        Request::EnrolTrainees {
            session: 11,
            workers: marked,
            key: first_key,
        },
    ] = sent.as_slice()
    else {
        panic!("one enrolment expected: {sent:?}");
    };
    assert_eq!(marked, &vec![8, 9]);
    // Cut off: the marks stay, Entrée retries under the same keys.
    let id = request_id(&effects, |r| matches!(r, Request::EnrolTrainees { .. }));
    fail(
        &mut app,
        id,
        ApiError::Unreachable {
            url: "http://127.0.0.1:8080".to_owned(),
        },
    );
    let Some(SessionAction::Enrol(picker)) = &app.sessions.action else {
        panic!("the picker stays open on an error");
    };
    assert_eq!(picker.marked.len(), 2);
    assert!(
        picker
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("Inscription interrompue")),
        "{:?}",
        picker.error
    );
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(
        &effects,
        |r| matches!(r, Request::EnrolTrainees { key, workers, .. } if key == first_key && *workers == vec![8, 9]),
    );
    let mut after = four_outcomes();
    after.trainees = vec![
        trainee(7, "DUPONT", "1850375112345", TraineeOutcome::Passed),
        trainee(8, "LEFÈVRE", "2900169123456", TraineeOutcome::Pending),
        trainee(9, "DUPUIS", "1770533100222", TraineeOutcome::Pending),
    ];
    ok(&mut app, id, Response::Session(Box::new(after)));
    assert!(app.sessions.action.is_none());
    assert_eq!(app.sessions.opened().unwrap().trainees.len(), 3);
    assert_eq!(app.notice.as_deref(), Some("2 stagiaires inscrits."));
}

#[test]
fn a_trainee_is_removed_only_once_confirmed() {
    let mut app = opened(four_outcomes());
    app.update(key('j'));
    app.update(key('x'));
    assert!(render(&app).contains("Retirer LEFÈVRE Camille de la session ? (o/n)"));
    let effects = app.update(key('n'));
    assert!(requests(&effects).is_empty());
    assert!(app.sessions.action.is_none());
    app.update(key('x'));
    let effects = app.update(key('o'));
    let id = request_id(&effects, |r| {
        *r == Request::RemoveTrainee {
            session: 11,
            worker: 8,
        }
    });
    let mut after = four_outcomes();
    after.trainees.remove(1);
    ok(&mut app, id, Response::Session(Box::new(after)));
    assert_eq!(app.sessions.opened().unwrap().trainees.len(), 3);
    assert!(!render(&app).contains("LEFÈVRE"));
}

#[test]
fn outcome_keys_write_the_selected_trainee_one_at_a_time() {
    let mut detail = four_outcomes();
    detail.trainees[1].outcome = TraineeOutcome::Pending;
    let mut app = opened(detail);
    app.update(key('j'));
    let effects = app.update(key('R'));
    let id = request_id(&effects, |r| {
        *r == Request::SetOutcome {
            session: 11,
            worker: 8,
            outcome: TraineeOutcome::Passed,
        }
    });
    // While it is written, another outcome waits.
    let effects = app.update(key('b'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    assert!(render(&app).contains("Enregistrement du résultat…"));
    let mut after = four_outcomes();
    after.trainees[1].outcome = TraineeOutcome::Passed;
    ok(&mut app, id, Response::Session(Box::new(after)));
    assert_eq!(
        app.sessions.opened().unwrap().trainees[1].outcome,
        TraineeOutcome::Passed
    );
    assert_eq!(
        app.sessions.trainee_cursor.selected(),
        2,
        "on to the next trainee"
    );
    app.update(key('k'));
    // `é` and `f` both say échec; an error is shown over the trainees, the selection stays.
    for c in ['é', 'f'] {
        let effects = app.update(key(c));
        let id = request_id(&effects, |r| {
            *r == Request::SetOutcome {
                session: 11,
                worker: 8,
                outcome: TraineeOutcome::Failed,
            }
        });
        fail(
            &mut app,
            id,
            ApiError::Conflict {
                detail: "la session est clôturée".to_owned(),
            },
        );
    }
    assert!(
        render(&app).contains("Résultat non enregistré"),
        "{}",
        render(&app)
    );
    assert_eq!(app.sessions.trainee_cursor.selected(), 1);
    let effects = app.update(key('p'));
    request_id(&effects, |r| {
        matches!(
            r,
            Request::SetOutcome {
                outcome: TraineeOutcome::Attended,
                ..
            }
        )
    });
}

#[test]
fn closing_asks_with_the_counts_then_shows_the_session_closed() {
    // A trainee without a result: no question, the reason said.
    let mut pending = four_outcomes();
    pending.trainees[0].outcome = TraineeOutcome::Pending;
    let mut app = opened(pending);
    let effects = app.update(key('c'));
    assert!(app.sessions.action.is_none() && requests(&effects).is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("1 stagiaire sans résultat")),
        "{:?}",
        app.notice
    );
    // Not ended yet: no question either.
    let mut future = four_outcomes();
    future.summary.end_date = date(2026, 12, 1);
    let mut app = opened(future);
    app.update(key('c'));
    assert!(app.sessions.action.is_none());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("se termine le 01/12/2026")),
        "{:?}",
        app.notice
    );

    let mut app = opened(four_outcomes());
    app.update(key('c'));
    let screen = render(&app);
    assert!(
        screen.contains("Clôturer la session ? 1 réussite, 1 présent, 1 échec, 1 absent :"),
        "{screen}"
    );
    insta::assert_snapshot!("sessions_close_question_80x24", screen);
    let effects = app.update(key('n'));
    assert!(requests(&effects).is_empty() && app.sessions.action.is_none());
    app.update(key('c'));
    let effects = app.update(key('o'));
    let sent: Vec<Request> = requests(&effects).into_iter().map(|(_, r)| r).collect();
    let [
        Request::CloseSession {
            session: 11,
            key: close_key,
        },
    ] = sent.as_slice()
    else {
        panic!("one close expected: {sent:?}");
    };
    // A lost answer: the question stays, « o » retries under the same key.
    let id = request_id(&effects, |r| matches!(r, Request::CloseSession { .. }));
    fail(&mut app, id, ApiError::Timeout);
    assert!(render(&app).contains("o réessayer"));
    let effects = app.update(key('o'));
    let id = request_id(
        &effects,
        |r| matches!(r, Request::CloseSession { key, .. } if key == close_key),
    );
    let mut closed = four_outcomes();
    closed.summary.closed_on = Some(date(2026, 11, 26));
    ok(&mut app, id, Response::Session(Box::new(closed)));
    assert_eq!(
        app.notice.as_deref(),
        Some("Session clôturée : 2 passeports mis à jour.")
    );
    let screen = render(&app);
    assert!(screen.contains("Clôturée le 26/11/2026"), "{screen}");
    insta::assert_snapshot!("sessions_closed_detail_80x24", screen);
    // Closed: the outcome keys change nothing.
    let effects = app.update(key('R'));
    assert!(requests(&effects).is_empty());
    // The passports changed: Échéances reloads on the next visit, once.
    let is_expirations = |r: &Request| matches!(r, Request::Expirations(_));
    let effects = app.update(key('1'));
    assert!(
        requests(&effects).iter().any(|(_, r)| is_expirations(r)),
        "{effects:?}"
    );
}

#[test]
fn declaring_an_opened_session_prefills_the_form_by_outcome() {
    let mut app = opened(four_outcomes());
    app.update(key('d'));
    assert_eq!(app.screen, ScreenId::Simulator);
    assert!(app.simulator.form_open);
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Justificatif, "an SST passed");
    assert_eq!(form.session_id, Some(11));
    let d = form.declaration();
    let names: Vec<&str> = d
        .titulaires
        .iter()
        .map(|t| t.nom_titulaire.as_str())
        .collect();
    assert_eq!(names, ["DUPONT"]);
    assert_eq!(d.date_debut_formation, Some(date(2026, 11, 16)));
    assert_eq!(d.date_fin_formation, Some(date(2026, 11, 17)));
    assert_eq!(
        form.notice.as_deref(),
        Some(
            "Justificatif de réussite : 1 titulaire repris de la session « Sauveteur secouriste \
             du travail (SST) » · 2 en attestation de formation : d sur la session une fois \
             celle-ci déclarée · 1 absent non repris"
        )
    );

    // The justificatif declared: `d` again takes the attended and the failed trainees.
    let mut declared = four_outcomes();
    declared.trainees[0].declared = true;
    app.sessions.detail = Some(Remote::ready(declared));
    let mut effects = Vec::new();
    app.go_to(ScreenId::Sessions, &mut effects);
    app.update(key('d'));
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Attestation);
    let names: Vec<String> = form
        .declaration()
        .titulaires
        .iter()
        .map(|t| t.nom_titulaire.clone())
        .collect();
    assert_eq!(names, ["LEFÈVRE", "MOREAU"], "attended and failed");
    assert_eq!(
        form.notice.as_deref(),
        Some(
            "Attestation de formation : 2 titulaires repris de la session « Sauveteur \
             secouriste du travail (SST) » · 1 absent non repris"
        )
    );
}

#[test]
fn nothing_left_to_declare_says_why_and_stays() {
    let mut done = four_outcomes();
    for t in &mut done.trainees {
        t.declared = t.outcome != TraineeOutcome::Absent;
    }
    let mut app = opened(done);
    app.update(key('d'));
    assert_eq!(app.screen, ScreenId::Sessions);
    assert_eq!(
        app.notice.as_deref(),
        Some(
            "Rien à déclarer : chaque stagiaire présent est déjà déclaré, un absent ne l'est jamais."
        )
    );
    let mut waiting = four_outcomes();
    for t in &mut waiting.trainees {
        t.outcome = TraineeOutcome::Pending;
    }
    let mut app = opened(waiting);
    app.update(key('d'));
    assert_eq!(app.screen, ScreenId::Sessions);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Rien à déclarer encore")),
        "{:?}",
        app.notice
    );
    // No trainee yet: said so, not « already declared ».
    let mut empty = four_outcomes();
    empty.trainees.clear();
    let mut app = opened(empty);
    app.update(key('d'));
    assert_eq!(app.screen, ScreenId::Sessions);
    assert_eq!(
        app.notice.as_deref(),
        Some("Rien à déclarer : aucun stagiaire inscrit (i pour en inscrire).")
    );
}

#[test]
fn a_type_that_ends_with_an_attestation_declares_its_passes_in_one() {
    let mut detail = four_outcomes();
    detail.summary.training_code = "ATEX".to_owned();
    let mut app = opened(detail);
    app.update(key('d'));
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Attestation);
    assert_eq!(form.declaration().titulaires.len(), 3);
}

#[test]
fn the_footer_and_the_help_list_the_session_keys() {
    let mut app = opened(four_outcomes());
    let screen = render(&app);
    let footer = screen.lines().rev().nth(1).unwrap_or_default().to_owned();
    assert!(
        footer.contains("i inscrire") && footer.contains("R réussite"),
        "{screen}"
    );
    app.update(key('?'));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    terminal.draw(|frame| ui::render(&app, frame)).unwrap();
    let help = format!("{}", terminal.backend());
    for entry in [
        "Session ouverte",
        "nouvelle session",
        "f, é",
        "clôturer",
        "absent",
    ] {
        assert!(help.contains(entry), "{entry} missing from\n{help}");
    }
}

/// Runs the requests among `effects` against the server the way the event loop does (local
/// drafts aside), feeding each answer back, until the app asks for nothing more.
async fn drive(app: &mut App, client: &passeport::api::Client, effects: Vec<Effect>) {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        if let Effect::Request { id, request } = effect
            && !request.is_local()
        {
            let result = passeport::tui::run::fetch(client, request).await;
            queue.extend(app.update(Action::Loaded { id, result }));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_created_filled_and_closed_on_a_real_team_server() {
    let team = team::Team::start().await;
    let client = team.client(0);
    let mut ids = Vec::new();
    for (n, name) in [(1, "ROUX"), (2, "BLANC")] {
        let new = passeport::api::contract::NewWorker {
            nir: team::nir(n),
            last_name: name.to_owned(),
            first_names: "Léa".to_owned(),
            ..Default::default()
        };
        let (record, _) = client.create_worker(&new, &format!("w-{n}")).await.unwrap();
        ids.push(record.worker.id);
    }
    let (mut app, effects) = App::new(
        passeport::tui::app::AppOptions::new(team::today()),
        &Rules::embedded().unwrap(),
    );
    drive(&mut app, &client, effects).await;
    let effects = app.update(key('2'));
    drive(&mut app, &client, effects).await;
    // `n`: the form, typed and sent.
    let effects = app.update(key('n'));
    drive(&mut app, &client, effects).await;
    type_text(&mut app, "sauveteur secouriste");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "SST atelier");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "16/11/2026");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "17/11/2026");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "Lyon");
    let effects = app.update(ctrl('s'));
    drive(&mut app, &client, effects).await;
    assert!(app.sessions.action.is_none(), "{:?}", app.sessions.action);
    let session = app.sessions.opened().unwrap().summary.clone();
    assert_eq!(
        (session.training_code.as_str(), session.title.as_str()),
        ("SST", "SST atelier")
    );
    // `i`: both workers marked and enrolled.
    let effects = app.update(key('i'));
    drive(&mut app, &client, effects).await;
    app.update(key(' '));
    app.update(press(KeyCode::Down));
    app.update(key(' '));
    let effects = app.update(press(KeyCode::Enter));
    drive(&mut app, &client, effects).await;
    assert_eq!(app.sessions.opened().unwrap().trainees.len(), 2);
    // Outcomes, then the close asked and confirmed.
    let effects = app.update(key('R'));
    drive(&mut app, &client, effects).await;
    assert_eq!(app.sessions.trainee_cursor.selected(), 1, "on to the next");
    let effects = app.update(key('b'));
    drive(&mut app, &client, effects).await;
    app.update(key('c'));
    let effects = app.update(key('o'));
    drive(&mut app, &client, effects).await;
    let detail = app.sessions.opened().unwrap();
    assert_eq!(detail.summary.closed_on, Some(team::today()));
    let mut outcomes: Vec<(i64, TraineeOutcome)> = detail
        .trainees
        .iter()
        .map(|t| (t.worker_id, t.outcome))
        .collect();
    outcomes.sort_by_key(|(_, o)| *o != TraineeOutcome::Passed);
    let kinds: Vec<TraineeOutcome> = outcomes.iter().map(|(_, o)| *o).collect();
    assert_eq!(kinds, [TraineeOutcome::Passed, TraineeOutcome::Absent]);
    let mut enrolled: Vec<i64> = outcomes.iter().map(|(w, _)| *w).collect();
    enrolled.sort_unstable();
    assert_eq!(enrolled, ids, "both workers enrolled");
    // The one who passed has the session on their passport; the absent one has nothing.
    for (worker, expected) in [(outcomes[0].0, 1), (outcomes[1].0, 0)] {
        let passport = client.passport(worker).await.unwrap();
        let from_session = passport
            .entries
            .iter()
            .filter(|e| e.session_id == Some(session.id))
            .count();
        assert_eq!(from_session, expected, "worker {worker}");
    }
    // `d`: the justificatif de réussite of the one who passed, the absent one left out.
    let effects = app.update(key('d'));
    drive(&mut app, &client, effects).await;
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Justificatif);
    assert_eq!(form.declaration().titulaires.len(), 1);
    assert!(
        form.notice
            .as_deref()
            .is_some_and(|n| n.ends_with("1 absent non repris")),
        "{:?}",
        form.notice
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_organisation_enrols_a_person_it_does_not_know_yet() {
    let team = team::Team::start().await;
    let client = team.client(2);
    let (mut app, effects) = App::new(
        passeport::tui::app::AppOptions::new(team::today()),
        &Rules::embedded().unwrap(),
    );
    drive(&mut app, &client, effects).await;
    assert!(app.sessions.organisation);
    let (detail, _) = client
        .create_session(
            &NewSession {
                training_code: "SST".to_owned(),
                title: "SST inter-entreprises".to_owned(),
                start_date: Some(date(2026, 11, 16)),
                end_date: Some(date(2026, 11, 17)),
                place: "Lyon".to_owned(),
                organisme: None,
            },
            "s-1",
        )
        .await
        .unwrap();
    let effects = app.update(key('2'));
    drive(&mut app, &client, effects).await;
    let effects = app.update(press(KeyCode::Enter));
    drive(&mut app, &client, effects).await;
    assert_eq!(app.sessions.opened().unwrap().summary.id, detail.summary.id);
    // An empty roster: Ctrl-N in the picker asks for the identity.
    let effects = app.update(key('i'));
    drive(&mut app, &client, effects).await;
    assert!(
        render(&app).contains("Ctrl-N inscrit une personne hors liste"),
        "{}",
        render(&app)
    );
    app.update(ctrl('n'));
    assert!(matches!(
        app.sessions.action,
        Some(SessionAction::Person(_))
    ));
    type_text(&mut app, &team::nir(5));
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "GARNIER");
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "Inès");
    app.update(press(KeyCode::Tab));
    app.update(press(KeyCode::Tab));
    // A SIRET whose key is wrong is refused before anything is sent.
    type_text(&mut app, "35600000000049");
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    assert!(field_error_of(&app, "employer_siret").is_some());
    app.update(press(KeyCode::Backspace));
    type_text(&mut app, "8");
    insta::assert_snapshot!("sessions_new_person_80x24", render(&app));
    let effects = app.update(ctrl('s'));
    drive(&mut app, &client, effects).await;
    assert!(app.sessions.action.is_none(), "{:?}", app.sessions.action);
    let trainees = &app.sessions.opened().unwrap().trainees;
    assert_eq!(trainees.len(), 1);
    assert_eq!(
        (
            trainees[0].last_name.as_str(),
            trainees[0].employer_siret.as_str()
        ),
        ("GARNIER", team::EMPLOYER)
    );
    assert_eq!(
        app.notice.as_deref(),
        Some("GARNIER Inès inscrit(e) à la session.")
    );
}

fn field_error_of(app: &App, field: &str) -> Option<String> {
    let Some(SessionAction::Person(form)) = app.sessions.action.as_ref() else {
        panic!("no person form open");
    };
    form.inputs
        .iter()
        .find(|i| i.key == field)
        .and_then(|i| i.error.clone())
}

#[test]
fn an_employers_picker_has_no_identity_form() {
    let mut app = opened(four_outcomes());
    let effects = app.update(key('i'));
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Roster),
        roster(workers()),
    );
    app.update(ctrl('n'));
    assert!(matches!(app.sessions.action, Some(SessionAction::Enrol(_))));
    assert!(!render(&app).contains("Ctrl-N"));
}
