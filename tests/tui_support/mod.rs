//! Shared by `tui_state.rs` and `tui_render.rs`: an [`App`] with today frozen at 2026-11-26 and
//! the monochrome theme, API answers built by hand, and key helpers.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use passeport::api::contract::WorkerView;
use passeport::api::contract::{
    Account, DeclarationStatus, DeclarationSummary, ExpirationCounts, ExpirationItem,
    ExpirationsPage, SessionDeclarationStatus, SessionDetail, SessionSummary, TraineeView,
};
use passeport::domain::expiry::ExpiryStatus;
use passeport::domain::ids::Siret;
use passeport::domain::session::TraineeOutcome;
use passeport::domain::worker::Worker;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::rules::Rules;
use passeport::search::SearchIndex;
use passeport::tui::action::{Action, Effect, Request, RequestId, Response};
use passeport::tui::app::{App, AppOptions};

/// The frozen today of every TUI test.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A new app (monochrome, today frozen) and the effects of its first load.
pub fn new_app() -> (App, Vec<Effect>) {
    App::new(AppOptions::new(today()), &Rules::embedded().unwrap())
}

/// A key press without modifiers.
pub fn press(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A character key press.
pub fn key(c: char) -> Action {
    press(KeyCode::Char(c))
}

/// Ctrl + a character.
pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The requests among `effects`.
pub fn requests(effects: &[Effect]) -> Vec<(RequestId, Request)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request { id, request } => Some((*id, request.clone())),
            _ => None,
        })
        .collect()
}

/// The id of the one request among `effects` that `wanted` accepts (panics otherwise).
pub fn request_id(effects: &[Effect], wanted: impl Fn(&Request) -> bool) -> RequestId {
    let found: Vec<RequestId> = requests(effects)
        .into_iter()
        .filter(|(_, r)| wanted(r))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(found.len(), 1, "exactly one such request in {effects:?}");
    found[0]
}

/// Answers request `id` successfully.
pub fn ok(app: &mut App, id: RequestId, response: Response) -> Vec<Effect> {
    app.update(Action::Loaded {
        id,
        result: Ok(response),
    })
}

/// Runs the searches among `effects` the way the event loop does, and feeds their answers back.
pub fn run_searches(app: &mut App, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::Search {
            index,
            query,
            generation,
            within,
        } = effect
        {
            let matches = index.search(
                &query,
                500,
                within.as_deref().map(Vec::as_slice),
                generation,
            );
            app.update(Action::Searched(matches));
        }
    }
}

/// The account behind the token.
pub fn account() -> Account {
    Account {
        kind: DeclarantKind::Employeur,
        siret: "73282932000074".to_owned(),
        name: "Société Générale de Levage".to_owned(),
        nda: None,
        sandbox: true,
        user: None,
    }
}

fn worker(id: i64, last: &str, first: &str, nir: &str, site: &str) -> WorkerView {
    Worker {
        id,
        nir: nir.parse().unwrap(),
        last_name: last.to_owned(),
        usage_name: None,
        first_names: first.to_owned(),
        birth_date: None,
        employer_siret: "73282932000074".parse::<Siret>().unwrap(),
        employer_name: "Société Générale de Levage".to_owned(),
        site: site.to_owned(),
    }
}

/// Three workers with accented names.
pub fn workers() -> Vec<WorkerView> {
    vec![
        worker(7, "DUPONT", "Marie-Ève", "1850375112345", "Lyon Gerland"),
        worker(8, "LEFÈVRE", "Éloïse", "2900169123456", "Marseille Port"),
        worker(9, "DUPUIS", "Jean", "1770533100222", "Lille Lesquin"),
    ]
}

/// The roster answer, with its index built as the event loop does.
pub fn roster(workers: Vec<WorkerView>) -> Response {
    let index = SearchIndex::new(&workers);
    Response::Roster(Arc::new(workers), Arc::new(index))
}

fn expiration(
    worker_id: i64,
    (last_name, first_names, site): (&str, &str, &str),
    (training_code, training_title): (&str, &str),
    expires_on: NaiveDate,
) -> ExpirationItem {
    let days_left = (expires_on - today()).num_days();
    ExpirationItem {
        worker_id,
        last_name: last_name.to_owned(),
        first_names: first_names.to_owned(),
        site: site.to_owned(),
        // Trainees of a training organisation come from several employers.
        employer: if worker_id == 9 {
            "Transports Durand"
        } else {
            "ACME Logistique"
        }
        .to_owned(),
        training_code: training_code.to_owned(),
        training_title: training_title.to_owned(),
        expires_on,
        days_left,
        status: if days_left < 0 {
            ExpiryStatus::Expired
        } else {
            ExpiryStatus::Expiring
        },
    }
}

/// Two expired and three expiring trainings, oldest first as the server sorts them.
pub fn expirations(items: bool) -> ExpirationsPage {
    const DUPONT: (&str, &str, &str) = ("DUPONT", "Marie-Ève", "Lyon Gerland");
    const LEFEVRE: (&str, &str, &str) = ("LEFÈVRE", "Éloïse", "Marseille Port");
    const DUPUIS: (&str, &str, &str) = ("DUPUIS", "Jean", "Lille Lesquin");
    const MAC_SST: (&str, &str) = (
        "MAC_SST",
        "Maintien et actualisation des compétences SST (MAC SST)",
    );
    const R489: (&str, &str) = ("CACES_R489", "CACES R489 : chariots de manutention");
    const HAB: (&str, &str) = ("HAB_ELEC_B0_H0", "Habilitation électrique B0 / H0 / H0V");
    let items = if items {
        vec![
            expiration(9, DUPUIS, MAC_SST, date(2026, 9, 30)),
            expiration(8, LEFEVRE, R489, date(2026, 11, 20)),
            expiration(7, DUPONT, HAB, date(2026, 12, 10)),
            expiration(8, LEFEVRE, MAC_SST, date(2027, 1, 15)),
            expiration(7, DUPONT, R489, date(2027, 2, 20)),
        ]
    } else {
        Vec::new()
    };
    let counts = if items.is_empty() {
        ExpirationCounts::default()
    } else {
        ExpirationCounts {
            expired: 2,
            within_30: 1,
            within_60: 1,
            within_90: 1,
        }
    };
    ExpirationsPage {
        today: today(),
        counts,
        items,
        next_cursor: None,
    }
}

fn session(
    id: i64,
    (training_code, title): (&str, &str),
    (organisme, place): (&str, &str),
    (start_date, end_date): (NaiveDate, NaiveDate),
    trainee_count: u32,
    declaration_status: SessionDeclarationStatus,
) -> SessionSummary {
    SessionSummary {
        id,
        training_code: training_code.to_owned(),
        title: title.to_owned(),
        organisme: organisme.to_owned(),
        place: place.to_owned(),
        start_date,
        end_date,
        trainee_count,
        declaration_status,
        closed_on: None,
    }
}

/// Four sessions, one of each declaration status, in no particular order.
pub fn sessions() -> Vec<SessionSummary> {
    vec![
        session(
            11,
            ("SST", "Sauveteur secouriste du travail (SST)"),
            ("Croix-Blanche Formation", "Lyon Gerland"),
            (date(2026, 11, 16), date(2026, 11, 17)),
            3,
            SessionDeclarationStatus::ADeclarer,
        ),
        session(
            12,
            ("CACES_R489", "CACES R489 : chariots de manutention"),
            ("Aftral Île-de-France", "Gennevilliers"),
            (date(2026, 10, 5), date(2026, 10, 9)),
            3,
            SessionDeclarationStatus::Declaree,
        ),
        session(
            13,
            ("HAB_ELEC_B0_H0", "Habilitation électrique B0 / H0 / H0V"),
            ("Apave Sud-Est", "Marseille Port"),
            (date(2026, 12, 7), date(2026, 12, 8)),
            6,
            SessionDeclarationStatus::EnCours,
        ),
        session(
            14,
            ("MAC_SST", "Maintien et actualisation des compétences SST"),
            ("Croix-Blanche Formation", "Lille Lesquin"),
            (date(2026, 6, 11), date(2026, 6, 11)),
            0,
            SessionDeclarationStatus::NonConcernee,
        ),
    ]
}

fn trainee(worker: &WorkerView, outcome: TraineeOutcome, declared: bool) -> TraineeView {
    TraineeView {
        worker_id: worker.id,
        last_name: worker.last_name.clone(),
        first_names: worker.first_names.clone(),
        nir: worker.nir.as_str().to_owned(),
        employer_siret: "73282932000074".to_owned(),
        employer_name: worker.employer_name.clone(),
        outcome,
        declared,
    }
}

/// Session 11 with its three trainees (or none).
pub fn session_detail(with_trainees: bool) -> SessionDetail {
    let w = workers();
    let trainees = if with_trainees {
        vec![
            trainee(&w[0], TraineeOutcome::Passed, true),
            trainee(&w[1], TraineeOutcome::Attended, false),
            trainee(&w[2], TraineeOutcome::Absent, false),
        ]
    } else {
        Vec::new()
    };
    SessionDetail {
        summary: sessions().swap_remove(0),
        trainees,
    }
}

fn declaration(
    id: i64,
    kind: DeclarationKind,
    training_title: &str,
    titulaire_count: u32,
    status: DeclarationStatus,
    deadline: Option<NaiveDate>,
    created: NaiveDate,
) -> DeclarationSummary {
    DeclarationSummary {
        id,
        reference: format!("PDP-2026-{id:04}"),
        kind,
        training_title: training_title.to_owned(),
        titulaire_count,
        status,
        deadline,
        created_at: Utc.from_utc_datetime(&created.and_hms_opt(9, 30, 0).unwrap()),
        export: None,
    }
}

/// Three declarations, one of each status, in no particular order.
pub fn declarations() -> Vec<DeclarationSummary> {
    vec![
        declaration(
            2,
            DeclarationKind::Justificatif,
            "CACES R489 : chariots de manutention",
            3,
            DeclarationStatus::EnRetard,
            Some(date(2026, 10, 31)),
            date(2026, 11, 10),
        ),
        declaration(
            1,
            DeclarationKind::Attestation,
            "Sauveteur secouriste du travail (SST)",
            8,
            DeclarationStatus::Enregistree,
            Some(date(2026, 12, 15)),
            date(2026, 11, 20),
        ),
        declaration(
            3,
            DeclarationKind::Attestation,
            "Habilitation électrique B0 / H0 / H0V",
            0,
            DeclarationStatus::Supprimee,
            None,
            date(2026, 9, 2),
        ),
    ]
}
