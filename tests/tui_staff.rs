//! State and render tests of an employer's writes in the terminal application (issue 13 §4):
//! Recherche Ctrl-N (a new worker), Passeport `e`, `a`, `x`, `A`. Actions in through
//! `App::update`, requests and state out; the forms snapshotted at 80×24.

// Shared with the other TUI tests: not every helper is used here.
#[allow(dead_code)]
mod tui_support;

use crossterm::event::KeyCode;
use passeport::api::ApiError;
use passeport::api::contract::{
    EntryOrigin, EntrySource, NewWorker, Passport, PassportEntryView, StaffRecord, StaffView,
    TrainingRecordAnswer, WorkerPatch, duplicate_detail,
};
use passeport::domain::expiry::ExpiryStatus;
use passeport::domain::{DeclarantKind, FieldError};
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect, Request, Response};
use passeport::tui::app::App;
use passeport::tui::screens::ScreenId;
use passeport::tui::screens::worker::actions::WorkerAction;
use passeport::tui::staff::FormState;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{account, ctrl, key, new_app, ok, press, request_id, requests, today, workers};

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

/// An app whose account (of `kind`) is loaded.
fn app_as(kind: DeclarantKind) -> App {
    let (mut app, effects) = new_app();
    let mut me = account();
    me.kind = kind;
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(me),
    );
    app
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(app.update(key(c)));
    }
    effects
}

/// On Recherche with the « Nouveau salarié » form open.
fn new_worker_app() -> App {
    let mut app = app_as(DeclarantKind::Employeur);
    app.update(key('3'));
    assert_eq!(app.screen, ScreenId::Search);
    app.update(ctrl('n'));
    assert!(app.search.create.is_some(), "Ctrl-N opens the form");
    app
}

/// Fills the worker form: NIR, names, birth date, then the site.
fn fill_worker(app: &mut App) {
    type_text(app, "1 85 03 75 112 345 94");
    app.update(press(KeyCode::Tab));
    type_text(app, "MARTIN");
    app.update(press(KeyCode::Tab));
    app.update(press(KeyCode::Tab));
    type_text(app, "Lucie");
    app.update(press(KeyCode::Tab));
    type_text(app, "03/07/1985");
    app.update(press(KeyCode::Tab));
    type_text(app, "Lyon Gerland");
}

fn record(id: i64) -> StaffView {
    let worker = workers().into_iter().find(|w| w.id == id).unwrap();
    StaffRecord {
        worker,
        service: Some("Logistique".to_owned()),
        job: Some("Cariste".to_owned()),
        employee_number: Some("M-042".to_owned()),
        manager: None,
        entry_date: None,
        leaving_date: None,
        archived: false,
    }
}

fn recorded_entry(entry_id: i64) -> PassportEntryView {
    let end = chrono::NaiveDate::from_ymd_opt(2022, 1, 10).unwrap();
    let expires = chrono::NaiveDate::from_ymd_opt(2027, 1, 9).unwrap();
    PassportEntryView {
        training_code: "CACES_R489".to_owned(),
        training_title: "CACES R489 chariots de manutention".to_owned(),
        category: 2,
        category_confidence: Default::default(),
        end_date: end,
        validity_start: None,
        validity_end: None,
        expires_on: Some(expires),
        days_left: Some((expires - today()).num_days()),
        status: ExpiryStatus::Expiring,
        superseded: false,
        session_id: None,
        origin: EntryOrigin {
            entry_id: Some(entry_id),
            source: EntrySource::Recorded,
            account_name: Some("Société Générale de Levage".to_owned()),
            ..EntryOrigin::default()
        },
    }
}

fn passport(entries: Vec<PassportEntryView>) -> Passport {
    Passport {
        worker: record(7).worker,
        today: today(),
        entries,
    }
}

/// On Passeport with worker 7 loaded (one recorded CACES R489), as an account of `kind`.
fn worker_app(kind: DeclarantKind) -> App {
    let mut app = app_as(kind);
    app.worker.open(7);
    let mut effects = Vec::new();
    app.go_to(ScreenId::Worker, &mut effects);
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Passport(7)),
        Response::Passport(Box::new(passport(vec![recorded_entry(31)]))),
    );
    app
}

#[test]
fn ctrl_n_opens_the_form_only_for_an_employer() {
    let mut app = app_as(DeclarantKind::OrganismeFormation);
    app.update(key('3'));
    assert!(app.search.focused, "the search field has the focus");
    app.update(ctrl('n'));
    assert!(app.search.create.is_none());
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("Seul un compte employeur"), "{notice}");
    assert!(app.search.query.text().is_empty(), "Ctrl-N is never typed");

    let app = new_worker_app();
    let screen = render(&app);
    assert!(screen.contains("Nouveau salarié"), "{screen}");
    assert!(screen.contains("Ctrl-S enregistrer"), "{screen}");
}

#[test]
fn the_worker_form_checks_its_fields_before_sending() {
    let mut app = new_worker_app();
    // A NIR with a wrong key, then left.
    type_text(&mut app, "185037511234595");
    app.update(press(KeyCode::Tab));
    let form = app.search.create.as_ref().unwrap();
    let error = form.inputs[0].error.clone().unwrap_or_default();
    assert!(error.contains("clé"), "{error}");
    // Ctrl-S with the names empty: nothing is sent, every error is said.
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).is_empty());
    let form = app.search.create.as_ref().unwrap();
    let wrong: Vec<&str> = form
        .inputs
        .iter()
        .filter(|i| i.error.is_some())
        .map(|i| i.key)
        .collect();
    assert_eq!(wrong, ["nir", "last_name", "first_names"]);
    assert_eq!(form.focus, 0, "the first wrong field has the focus");
    assert!(matches!(&form.state, FormState::Failed(m) if m.starts_with("3 champs à corriger")));
    insta::assert_snapshot!("new_worker_errors_80x24", render(&app));
}

#[test]
fn a_saved_worker_opens_their_passport() {
    let mut app = new_worker_app();
    fill_worker(&mut app);
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| matches!(r, Request::CreateWorker { .. }));
    let Some((_, Request::CreateWorker { worker, key: idem })) =
        requests(&effects).into_iter().find(|(i, _)| *i == id)
    else {
        panic!("a creation")
    };
    assert_eq!(
        *worker,
        NewWorker {
            nir: "1 85 03 75 112 345 94".to_owned(),
            last_name: "MARTIN".to_owned(),
            first_names: "Lucie".to_owned(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1985, 7, 3),
            site: Some("Lyon Gerland".to_owned()),
            ..NewWorker::default()
        }
    );
    assert!(idem.starts_with("tui-"));
    assert!(app.search.create.as_ref().unwrap().is_sending());
    // Keys wait while it is sent.
    app.update(key('x'));
    assert_eq!(
        app.search.create.as_ref().unwrap().text("site"),
        "Lyon Gerland"
    );
    let effects = ok(&mut app, id, Response::Staff(Box::new(record(7))));
    assert!(app.search.create.is_none());
    assert_eq!(app.screen, ScreenId::Worker);
    assert_eq!(app.worker.worker_id, Some(7));
    let asked: Vec<Request> = requests(&effects).into_iter().map(|(_, r)| r).collect();
    assert!(asked.contains(&Request::Passport(7)), "{asked:?}");
    assert!(asked.contains(&Request::Roster), "the roster reloads");
}

#[test]
fn a_409_names_the_existing_worker_and_keeps_what_was_typed() {
    let mut app = new_worker_app();
    fill_worker(&mut app);
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| matches!(r, Request::CreateWorker { .. }));
    let first_key = app.search.create.as_ref().unwrap().idempotency_key.clone();
    let detail = duplicate_detail(true, 8, "LEFÈVRE Éloïse");
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Conflict {
            detail: detail.clone(),
        }),
    });
    let form = app.search.create.as_ref().unwrap();
    assert_eq!(
        form.state,
        FormState::Duplicate {
            message: detail,
            worker: Some(8)
        }
    );
    assert_eq!(form.text("last_name"), "MARTIN", "nothing typed is lost");
    let screen = render(&app);
    assert!(screen.contains("Ctrl-O ouvre ce salarié"), "{screen}");
    // A retry after a fix keeps the same idempotency key.
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).iter().any(|(_, r)| matches!(
        r,
        Request::CreateWorker { key, .. } if *key == first_key
    )));
    // Ctrl-O opens the worker named; the form waits on Recherche.
    let mut app = new_worker_app();
    fill_worker(&mut app);
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| matches!(r, Request::CreateWorker { .. }));
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Conflict {
            detail: duplicate_detail(false, 8, "LEFÈVRE Éloïse"),
        }),
    });
    app.update(ctrl('o'));
    assert_eq!(app.screen, ScreenId::Worker);
    assert_eq!(app.worker.worker_id, Some(8));
    assert!(app.search.create.is_some());
}

#[test]
fn server_field_errors_land_under_their_field() {
    let mut app = new_worker_app();
    fill_worker(&mut app);
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| matches!(r, Request::CreateWorker { .. }));
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Invalid {
            errors: vec![FieldError::new(
                "birth_date",
                "future",
                "la date de naissance est dans le futur",
            )],
        }),
    });
    let form = app.search.create.as_ref().unwrap();
    assert_eq!(form.inputs[form.focus].key, "birth_date");
    assert_eq!(
        form.inputs[form.focus].error.as_deref(),
        Some("La date de naissance est dans le futur.")
    );
}

#[test]
fn escape_asks_before_dropping_what_was_typed() {
    let mut app = new_worker_app();
    app.update(press(KeyCode::Esc));
    assert!(app.search.create.is_none(), "an empty form closes at once");
    app.update(ctrl('n'));
    type_text(&mut app, "1850");
    app.update(press(KeyCode::Esc));
    assert!(app.search.create.as_ref().unwrap().confirm_cancel);
    assert!(render(&app).contains("Abandonner la saisie ? (o/n)"));
    app.update(key('n'));
    let form = app.search.create.as_ref().unwrap();
    assert!(!form.confirm_cancel);
    assert_eq!(form.text("nir"), "1850");
    app.update(press(KeyCode::Esc));
    app.update(key('o'));
    assert!(app.search.create.is_none());
    assert_eq!(app.screen, ScreenId::Search);
}

#[test]
fn archive_is_confirmed_then_the_passport_reloads() {
    let mut app = worker_app(DeclarantKind::Employeur);
    let screen = render(&app);
    // The footer gives the screen's writes first (`A` is in the help, `?`).
    assert!(
        screen.contains("e modifier  a ajouter une formation"),
        "{screen}"
    );
    let effects = app.update(key('A'));
    assert!(requests(&effects).is_empty(), "nothing before the answer");
    insta::assert_snapshot!("archive_question_80x24", render(&app));
    assert!(render(&app).contains("Archiver DUPONT Marie-Ève ? (o/n)"));
    app.update(key('n'));
    assert!(app.worker.action.is_none());
    app.update(key('A'));
    let effects = app.update(key('o'));
    let id = request_id(&effects, |r| {
        matches!(r, Request::ArchiveWorker { id: 7, .. })
    });
    let mut archived = record(7);
    archived.archived = true;
    let effects = ok(&mut app, id, Response::Staff(Box::new(archived)));
    assert!(app.worker.action.is_none());
    request_id(&effects, |r| *r == Request::Passport(7));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("archivé")
    );
}

#[test]
fn a_training_record_is_picked_from_the_catalogue() {
    let mut app = worker_app(DeclarantKind::Employeur);
    let effects = app.update(key('a'));
    let id = request_id(&effects, |r| *r == Request::Catalogue);
    let catalogue = Rules::embedded().unwrap().catalogue.types.clone();
    ok(&mut app, id, Response::Catalogue(catalogue));
    type_text(&mut app, "r489");
    let Some(WorkerAction::AddTraining(form)) = &app.worker.action else {
        panic!("the training form")
    };
    assert_eq!(form.chosen().map(|c| c.code.as_str()), Some("CACES_R489"));
    insta::assert_snapshot!("add_training_picker_80x24", render(&app));
    app.update(press(KeyCode::Tab));
    type_text(&mut app, "31/13/2021");
    let effects = app.update(ctrl('s'));
    assert!(requests(&effects).is_empty(), "a wrong date is not sent");
    let Some(WorkerAction::AddTraining(form)) = &app.worker.action else {
        panic!()
    };
    assert!(
        form.inputs[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("31/13/2021"))
    );
    for _ in 0..10 {
        app.update(press(KeyCode::Backspace));
    }
    type_text(&mut app, "15/06/2022");
    let effects = app.update(ctrl('s'));
    let id = request_id(&effects, |r| {
        matches!(r, Request::CreateTraining { worker: 7, record, .. }
            if record.training_code == "CACES_R489"
                && record.end_date == chrono::NaiveDate::from_ymd_opt(2022, 6, 15))
    });
    let answer = TrainingRecordAnswer {
        entry_id: 32,
        passport: passport(vec![recorded_entry(32), recorded_entry(31)]),
    };
    ok(&mut app, id, Response::TrainingSaved(Box::new(answer)));
    assert!(app.worker.action.is_none());
    assert_eq!(
        app.worker.entries().len(),
        2,
        "the passport as it now stands"
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("échéance le 09/01/2027"), "{notice}");
}

#[test]
fn removing_a_recorded_training_needs_a_reason() {
    let mut app = worker_app(DeclarantKind::Employeur);
    app.update(key('x'));
    assert!(matches!(
        app.worker.action,
        Some(WorkerAction::Remove { entry_id: 31, .. })
    ));
    let effects = app.update(press(KeyCode::Enter));
    assert!(requests(&effects).is_empty());
    assert!(render(&app).contains("Le motif est obligatoire"));
    type_text(&mut app, "saisie en double");
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| {
        matches!(r, Request::RemoveTraining { worker: 7, entry_id: 31, reason }
            if reason == "saisie en double")
    });
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Timeout),
    });
    let Some(WorkerAction::Remove { question, .. }) = &app.worker.action else {
        panic!("the question stays on an error")
    };
    assert_eq!(question.answer.text(), "saisie en double");
    assert!(question.error.is_some());
}

#[test]
fn edit_prefills_the_form_and_sends_only_what_changed() {
    let mut app = worker_app(DeclarantKind::Employeur);
    let effects = app.update(key('e'));
    let id = request_id(&effects, |r| *r == Request::Staff(7));
    ok(&mut app, id, Response::Staff(Box::new(record(7))));
    let Some(WorkerAction::Edit(form)) = &app.worker.action else {
        panic!("the edit form")
    };
    assert_eq!(form.text("job"), "Cariste");
    assert!(form.inputs.iter().all(|i| i.key != "nir"), "the NIR stays");
    // To the site: last name, usage name, first names, birth date, site.
    for _ in 0..4 {
        app.update(press(KeyCode::Tab));
    }
    app.update(ctrl('u'));
    type_text(&mut app, "Vénissieux");
    let effects = app.update(ctrl('s'));
    let asked = requests(&effects);
    assert_eq!(
        asked.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
        [Request::UpdateWorker {
            id: 7,
            patch: Box::new(WorkerPatch {
                site: Some("Vénissieux".to_owned()),
                ..WorkerPatch::default()
            }),
        }]
    );
    ok(&mut app, asked[0].0, Response::Staff(Box::new(record(7))));
    assert!(app.worker.action.is_none());
}

#[test]
fn a_training_organisation_is_told_why_not() {
    let mut app = worker_app(DeclarantKind::OrganismeFormation);
    for c in ['e', 'a', 'x', 'A'] {
        let effects = app.update(key(c));
        assert!(requests(&effects).is_empty());
        assert!(app.worker.action.is_none());
        assert!(app.notice.is_some(), "{c}");
    }
}

/// A training saved on the Passeport: Échéances, loaded before, is asked again on its next
/// visit (it used to say « Aucune échéance » until `r`).
#[test]
fn a_saved_training_reloads_echeances_on_the_next_visit() {
    let mut app = worker_app(DeclarantKind::Employeur);
    let is_expirations = |r: &Request| matches!(r, Request::Expirations(_));
    // Without a write, coming back to Échéances asks nothing (it was loading from the start).
    app.update(key('1'));
    let effects = app.update(key('4'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    let effects = app.update(key('x'));
    assert!(
        matches!(app.worker.action, Some(WorkerAction::Remove { .. })),
        "{effects:?}"
    );
    type_text(&mut app, "Saisie en double");
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| matches!(r, Request::RemoveTraining { .. }));
    let answer = TrainingRecordAnswer {
        entry_id: 31,
        passport: passport(Vec::new()),
    };
    ok(&mut app, id, Response::TrainingSaved(Box::new(answer)));
    let effects = app.update(key('1'));
    request_id(&effects, is_expirations);
    // Once reloaded, the next visit asks nothing again.
    app.update(key('4'));
    let effects = app.update(key('1'));
    assert!(
        !requests(&effects).iter().any(|(_, r)| is_expirations(r)),
        "{effects:?}"
    );
}

/// Opening again, from a list, the worker already shown reloads their passport: a training
/// an organisation declared since then shows without `r`.
#[test]
fn opening_the_same_worker_again_reloads_the_passport() {
    let mut app = worker_app(DeclarantKind::Employeur);
    let mut effects = Vec::new();
    app.go_to(ScreenId::Expirations, &mut effects);
    app.worker.open(7);
    let mut effects = Vec::new();
    app.go_to(ScreenId::Worker, &mut effects);
    let id = request_id(&effects, |r| *r == Request::Passport(7));
    assert_eq!(app.worker.entries().len(), 1, "the old one shown meanwhile");
    let mut declared = recorded_entry(40);
    declared.training_title = "SST".to_owned();
    declared.origin = EntryOrigin {
        entry_id: Some(40),
        source: EntrySource::Declared,
        account_name: Some("Formapro".to_owned()),
        reference: Some("FP-2026-41".to_owned()),
        recorded_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
        ..EntryOrigin::default()
    };
    ok(
        &mut app,
        id,
        Response::Passport(Box::new(passport(vec![declared, recorded_entry(31)]))),
    );
    assert_eq!(app.worker.entries().len(), 2);
    // Switching screens with a digit keeps the passport as it is.
    app.update(key('1'));
    let effects = app.update(key('4'));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    // The selected training's detail line says who declared it.
    let screen = render(&app);
    assert!(
        screen.contains("déclarée par Formapro (réf. FP-2026-41, le 20/11/2026)"),
        "{screen}"
    );
}
