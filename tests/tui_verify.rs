//! « À vérifier » and art. 7-II in the TUI (issue 16 §3–§4): an employer's trainings « non
//! déclarée par l'organisme » listed beside the lines to check, with its own deadline, their own
//! value of the status filter, and `D` « déclarer à sa place » opening the declaration form
//! pre-filled (hidden for a `lecture` user). Render snapshots at 80×24 and 200×60 (monochrome,
//! today frozen), state tests through `App::update`, and the whole way on a real team server:
//! the employer declares the training in the organisation's place and it leaves the list.

// Shared with the other TUI tests: not every helper is used here.
#[allow(dead_code)]
mod tui_support;

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::NaiveDate;
use crossterm::event::KeyCode;
use passeport::api::contract::{
    Me, NewTrainingRecord, NewWorker, UndeclaredTraining, VerificationView,
};
use passeport::domain::DeclarationKind;
use passeport::domain::rights::Role;
use passeport::domain::verification::VerificationStatus;
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect, Request, Response};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::form::{Field, fields};
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{account, ctrl, expirations, key, new_app, ok, press, request_id};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

/// A line an organisation declared for the employer, to check until `ends`.
fn line(id: i64, titulaire: &str, ends: NaiveDate) -> VerificationView {
    VerificationView {
        line_id: id,
        declaration_id: 10 + id,
        id_declaration: format!("OF-{id}"),
        reference: format!("OF-{id}"),
        kind: DeclarationKind::Attestation,
        training_title: "Sauveteur secouriste du travail".to_owned(),
        training_end: Some(date(2026, 10, 2)),
        validity_start: Some(date(2026, 10, 2)),
        reference_date: Some(date(2026, 10, 2)),
        id_unique_partenaire: format!("OF-{id}-1"),
        titulaire: titulaire.to_owned(),
        nir: "2850775100001".to_owned(),
        employer_siret: "73282932000074".to_owned(),
        organisme: "Formapro".to_owned(),
        status: VerificationStatus::AVerifier,
        window_ends: Some(ends),
        deemed_verified_on: ends.succ_opt(),
        window_source: None,
        window_note: Some("À confirmer : transition".to_owned()),
        window_assumed: true,
        message: None,
        acted_on: None,
        resolution: None,
    }
}

/// A CACES BLANC followed at « Prévention Plus » in March 2026, which the organisation had to
/// declare by 30/09/2026.
fn undeclared() -> UndeclaredTraining {
    UndeclaredTraining {
        entry_id: 40,
        worker_id: 7,
        worker_name: "BLANC Léa".to_owned(),
        nir: "2850775100002".to_owned(),
        last_name: "BLANC".to_owned(),
        employer_siret: "73282932000074".to_owned(),
        training_code: Some("CACES_R489".to_owned()),
        training_title: "CACES R489 : chariots de manutention automoteurs à conducteur porté"
            .to_owned(),
        start_date: Some(date(2026, 3, 9)),
        end_date: date(2026, 3, 10),
        validity_start: None,
        validity_end: Some(date(2031, 3, 9)),
        session_id: None,
        organisme: "Prévention Plus".to_owned(),
        organisation_due: date(2026, 9, 30),
        employer_due: Some(date(2027, 6, 30)),
        rule_note: Some(
            "À confirmer : l'art. 7-II donne à l'employeur les 9 mois qui suivent le délai de l'OF"
                .to_owned(),
        ),
        rule_assumed: true,
    }
}

/// The employer's app (of `role`, none: a token of the account) on « À vérifier », loaded with
/// two lines to check and one training « non déclarée ».
fn verifying(role: Option<Role>) -> App {
    let (mut app, effects) = new_app();
    let mut me = account();
    me.user = role.map(|role| Me {
        name: "Léa Martin".to_owned(),
        email: "lea@sgl.fr".to_owned(),
        role,
        nir_access: false,
        sites: None,
    });
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(me),
    );
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Expirations(_))),
        Response::Expirations(expirations(false)),
    );
    let effects = app.update(key('6'));
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Declarations(_))),
        Response::Declarations(Vec::new()),
    );
    let effects = app.update(key('V'));
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Verifications(_))),
        Response::Verifications(vec![
            line(1, "ROUX", date(2027, 3, 31)),
            line(2, "MOREAU", date(2027, 6, 30)),
        ]),
    );
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Undeclared),
        Response::Undeclared(vec![undeclared()]),
    );
    app
}

#[test]
fn the_trainings_no_organisation_declared_are_listed_with_the_employers_deadline() {
    let mut app = verifying(None);
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Non déclarées par l'organisme : 1 (à déclarer d'ici le 30/06/2027"),
        "{screen}"
    );
    insta::assert_snapshot!("verify_undeclared_80x24", screen);
    insta::assert_snapshot!("verify_undeclared_200x60", render(&app, 200, 60));
    // The training selected: `D` in the footer, Enter shows it in full.
    app.update(key('G'));
    let screen = render(&app, 80, 24);
    let footer = screen.lines().rev().nth(1).unwrap_or_default().to_owned();
    assert!(footer.contains("D déclarer à sa place"), "{screen}");
    app.update(press(KeyCode::Enter));
    insta::assert_snapshot!("verify_undeclared_open_80x24", render(&app, 80, 24));
    // Its own value of the status filter, after the lines' statuses.
    app.update(press(KeyCode::Esc));
    for _ in 0..6 {
        app.update(key('s'));
    }
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Statut : non déclarée (s)"), "{screen}");
    assert!(
        screen.contains("BLANC Léa") && !screen.contains("ROUX"),
        "{screen}"
    );
}

#[test]
fn declarer_a_sa_place_opens_the_form_pre_filled() {
    let mut app = verifying(None);
    app.update(key('G'));
    app.update(key('D'));
    assert_eq!(app.screen, ScreenId::Simulator);
    assert!(app.simulator.form_open);
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Justificatif, "a CACES");
    assert_eq!(form.due_date, Some(date(2027, 6, 30)), "the employer's own");
    let d = form.declaration();
    let title = "CACES R489 : chariots de manutention automoteurs à conducteur porté";
    assert_eq!(
        (d.nom_formation.as_str(), d.nom_jdr.as_str()),
        (title, title)
    );
    assert_eq!(d.date_debut_formation, Some(date(2026, 3, 9)));
    assert_eq!(d.date_fin_formation, Some(date(2026, 3, 10)));
    assert_eq!(d.date_debut_validite, Some(date(2026, 3, 10)));
    assert_eq!(d.date_fin_validite, Some(date(2031, 3, 9)));
    assert_eq!(d.titulaires.len(), 1);
    let t = &d.titulaires[0];
    assert_eq!(t.nom_titulaire, "BLANC");
    assert_eq!(t.nir.get(..13), Some("2850775100002"));
    assert_eq!(t.presence_employeur, Some(true));
    assert_eq!(t.siret_employeur, "73282932000074");
    assert_eq!(
        form.notice.as_deref(),
        Some(
            "À la place de Prévention Plus (art. 7-II, d'ici le 30/06/2027, à confirmer) : \
             BLANC Léa repris ; codes à compléter"
        )
    );
    // On a line, `D` does nothing.
    let mut app = verifying(None);
    app.update(key('D'));
    assert_eq!(app.screen, ScreenId::Declarations);
}

#[test]
fn a_lecture_user_has_no_declarer_a_sa_place() {
    let mut app = verifying(Some(Role::Lecture));
    app.update(key('G'));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("BLANC Léa"), "the list is read: {screen}");
    assert!(!screen.contains("déclarer à sa place"), "{screen}");
    app.update(key('D'));
    assert_eq!(app.screen, ScreenId::Declarations);
    app.update(key('?'));
    let help = render(&app, 200, 60);
    assert!(
        help.contains("À vérifier") && !help.contains("déclarer à sa place"),
        "{help}"
    );
    // A saisie user has both.
    let mut app = verifying(Some(Role::Saisie));
    app.update(key('?'));
    assert!(render(&app, 200, 60).contains("déclarer à sa place"));
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

/// Focuses `field` of the open form and types `text` in it (emptied first).
fn type_in(app: &mut App, field: Field, text: &str) {
    let form = app.simulator.form.as_mut().unwrap();
    form.focus_key(&fields::key(field, None));
    form.set_text(field, None, "");
    for c in text.chars() {
        app.update(key(c));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declaring_in_the_organisations_place_takes_the_training_off_the_list() {
    let team = team::Team::start().await;
    let client = team.client(0);
    let new = NewWorker {
        nir: team::nir(1),
        last_name: "ROUX".to_owned(),
        first_names: "Léa".to_owned(),
        ..NewWorker::default()
    };
    let (record, _) = client.create_worker(&new, "w-1").await.unwrap();
    // A category-2 training ended in March 2026 at Formapro, due from it by 30/09/2026.
    let training = NewTrainingRecord {
        training_code: "RISQUE_PYROTECHNIQUE".to_owned(),
        end_date: Some(date(2026, 3, 10)),
        organisme: Some("Formapro".to_owned()),
        ..NewTrainingRecord::default()
    };
    client
        .create_training(record.worker.id, &training, "t-1")
        .await
        .unwrap();

    let (mut app, effects) = App::new(AppOptions::new(team::today()), &Rules::embedded().unwrap());
    drive(&mut app, &client, effects).await;
    let effects = app.update(key('6'));
    drive(&mut app, &client, effects).await;
    let effects = app.update(key('V'));
    drive(&mut app, &client, effects).await;
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Non déclarées par l'organisme : 1 (à déclarer d'ici le 30/06/2027"),
        "{screen}"
    );
    assert!(
        screen.contains("ROUX Léa") && screen.contains("Formapro"),
        "{screen}"
    );

    // `D`: the form pre-filled from the record; the employer types what no record holds.
    let effects = app.update(key('D'));
    drive(&mut app, &client, effects).await;
    let form = app.simulator.form.as_ref().unwrap();
    assert_eq!(form.kind, DeclarationKind::Attestation);
    let d = form.declaration();
    assert_eq!(d.nom_formation, "Prévention du risque pyrotechnique");
    assert_eq!(d.date_fin_formation, Some(date(2026, 3, 10)));
    assert_eq!(d.titulaires[0].nom_titulaire, "ROUX");
    assert_eq!(d.titulaires[0].siret_employeur, team::EMPLOYER);
    assert!(
        form.notice
            .as_deref()
            .is_some_and(|n| n.ends_with("codes et date de début à compléter")),
        "{:?}",
        form.notice
    );
    type_in(&mut app, Field::DateDebutFormation, "09/03/2026");
    type_in(
        &mut app,
        Field::CompetenceTransferable,
        "115650/121885/400635",
    );
    let form = app.simulator.form.as_mut().unwrap();
    form.focus_key(&fields::key(Field::FormationCertifiante, None));
    while app
        .simulator
        .form
        .as_ref()
        .unwrap()
        .choice_label(Field::FormationCertifiante, None)
        != Some("Non")
    {
        app.update(press(KeyCode::Right));
    }
    type_in(&mut app, Field::DomaineFormation, "42829");
    type_in(&mut app, Field::SpecialiteFormation, "344r");
    app.simulator.form.as_mut().unwrap().show_review();
    app.update(ctrl('s'));
    assert!(
        app.simulator.form.as_ref().unwrap().confirm_submit,
        "{}",
        render(&app, 120, 40)
    );
    let effects = app.update(key('o'));
    drive(&mut app, &client, effects).await;

    // Recorded: Déclarations shows it; back in « À vérifier » the training is gone.
    assert_eq!(app.screen, ScreenId::Declarations);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("enregistrée"), "{screen}");
    let effects = app.update(key('V'));
    drive(&mut app, &client, effects).await;
    let screen = render(&app, 80, 24);
    assert!(!screen.contains("Non déclarées"), "{screen}");
    assert!(!screen.contains("ROUX Léa"), "{screen}");
    assert!(client.undeclared().await.unwrap().items.is_empty());
}
