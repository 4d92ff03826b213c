//! Terminal safety: text that comes from the server or from an imported file never reaches the
//! terminal as control sequences. Names, titles and messages holding ESC, CSI (`ESC [2J`, and
//! the one-byte C1 CSI), OSC (`ESC ]0;pwned BEL`), BEL, backspace, CR, LF, tab and bidirectional
//! overrides or isolates (U+202A–U+202E, U+2066–U+2069) are shown inert:
//! - on every screen of the TUI (rendered into a `TestBackend`, every cell checked), in the
//!   header, the body, the error states and the status line;
//! - in `passeport expiring --format table`, against a server sending such names;
//! - in the report of `passeport import`, for a file holding them;
//! - on a real terminal (the binary in a pty): `expiring --format csv`, a server's error
//!   message, `catalogue` from a hostile rules file and a hostile file name; piped, the same
//!   outputs keep their bytes exactly, and JSON escapes C1 and invisible characters.
//!
//! ratatui itself drops graphemes holding a C0/C1 control character, but not the bidirectional
//! formatting characters: those only `tui::widgets::sanitize` removes. The server refuses all of
//! them in identity and title fields (`control_character`, 422).

#[path = "common/faulty.rs"]
mod faulty;
#[path = "common/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use faulty::{FaultServer, RealServer, TODAY, free_port, today, url};
use passeport::api::client::ClientOptions;
use passeport::api::contract::WorkerView as Worker;
use passeport::api::contract::{
    Account, DeclarationStatus, DeclarationSummary, ExpirationCounts, ExpirationItem,
    ExpirationsPage, Passport, PassportEntryView, SessionDeclarationStatus, SessionDetail,
    SessionSummary, TraineeView,
};
use passeport::api::{ApiError, Client};
use passeport::bulk::{self, Layout};
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::expiry::ExpiryStatus;
use passeport::domain::session::TraineeOutcome;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::drafts::{CorruptDraft, Draft, ListedDraft};
use passeport::rules::Rules;
use passeport::search::SearchIndex;
use passeport::tui::action::{Action, Effect, Request, RequestId, Response};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Every kind of hostile sequence around a visible word.
fn hostile(word: &str) -> String {
    format!(
        "{word}\u{1b}[2J\u{1b}]0;pwned\u{7}\u{8}\r\n\t\u{202E}{word}\u{202A}\u{2066}\u{9b}31m\u{2069}"
    )
}

/// Characters that must never reach the terminal: C0 and C1 controls (ESC, CSI, BEL, BS, CR,
/// LF, tab…) and the bidirectional embeddings, overrides and isolates.
fn forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Renders the whole frame at each size, asserts that no cell holds a forbidden character, and
/// returns the text of the 120×40 frame.
fn assert_inert(app: &App) -> String {
    let mut text = String::new();
    for (width, height) in [(80, 24), (120, 40), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| ui::render(app, frame)).unwrap();
        let buffer = terminal.backend().buffer();
        let mut lines = Vec::new();
        for y in 0..height {
            let mut line = String::new();
            for x in 0..width {
                let symbol = buffer[(x, y)].symbol();
                assert!(
                    !symbol.chars().any(forbidden),
                    "{width}×{height}: cell ({x}, {y}) holds {symbol:?} on {:?}",
                    app.screen
                );
                line.push_str(symbol);
            }
            lines.push(line);
        }
        if width == 120 {
            text = lines.join("\n");
        }
    }
    text
}

fn new_app() -> (App, Vec<Effect>) {
    App::new(AppOptions::new(today()), &Rules::embedded().unwrap())
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter() -> Action {
    Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

/// The id of the one request among `effects` that `wanted` accepts.
fn request(effects: &[Effect], wanted: impl Fn(&Request) -> bool) -> RequestId {
    let found: Vec<RequestId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request { id, request } if wanted(request) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "exactly one such request in {effects:?}");
    found[0]
}

/// Feeds an answer, runs the searches it starts, and returns the other effects.
fn answer(app: &mut App, id: RequestId, result: Result<Response, ApiError>) -> Vec<Effect> {
    let effects = app.update(Action::Loaded { id, result });
    let mut rest = Vec::new();
    for effect in effects {
        match effect {
            Effect::Search {
                index,
                query,
                generation,
                within,
            } => {
                let within = within.as_deref().map(Vec::as_slice);
                app.update(Action::Searched(
                    index.search(&query, 500, within, generation),
                ));
            }
            other => rest.push(other),
        }
    }
    rest
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn account() -> Account {
    Account {
        kind: DeclarantKind::Employeur,
        siret: "41287396000022".to_owned(),
        name: hostile("ACME"),
        nda: None,
        sandbox: true,
        user: None,
    }
}

fn worker(id: i64, nir: &str) -> Worker {
    Worker {
        id,
        nir: nir.parse().unwrap(),
        last_name: hostile("DUPONT"),
        usage_name: Some(hostile("USAGE")),
        first_names: hostile("Marie"),
        birth_date: Some(date(1985, 3, 14)),
        employer_siret: "41287396000022".parse().unwrap(),
        employer_name: hostile("EMPLOYEUR"),
        site: hostile("Gerland"),
    }
}

fn expirations() -> ExpirationsPage {
    let item = |worker_id, expires_on: NaiveDate, status| ExpirationItem {
        worker_id,
        last_name: hostile("DUPONT"),
        first_names: hostile("Marie"),
        site: hostile("Gerland"),
        employer: hostile("EMPLOYEUR"),
        training_code: hostile("SST"),
        training_title: hostile("Sauveteur"),
        expires_on,
        days_left: (expires_on - today()).num_days(),
        status,
    };
    ExpirationsPage {
        today: today(),
        counts: ExpirationCounts {
            expired: 1,
            within_30: 1,
            within_60: 0,
            within_90: 0,
        },
        items: vec![
            item(7, date(2026, 10, 1), ExpiryStatus::Expired),
            item(8, date(2026, 12, 10), ExpiryStatus::Expiring),
        ],
        next_cursor: None,
    }
}

fn session() -> SessionSummary {
    SessionSummary {
        id: 11,
        training_code: hostile("SST"),
        title: hostile("Sauveteur"),
        organisme: hostile("Organisme"),
        place: hostile("Lyon"),
        start_date: date(2026, 11, 16),
        end_date: date(2026, 11, 17),
        trainee_count: 2,
        declaration_status: SessionDeclarationStatus::ADeclarer,
        closed_on: None,
    }
}

fn session_detail() -> SessionDetail {
    let trainee = |worker_id, nir: &str, outcome| TraineeView {
        worker_id,
        last_name: hostile("DUPONT"),
        first_names: hostile("Marie"),
        nir: nir.to_owned(),
        employer_siret: hostile("41287396000022"),
        employer_name: hostile("Menuiserie Martin"),
        outcome,
        declared: false,
    };
    SessionDetail {
        summary: session(),
        trainees: vec![
            trainee(7, "1850375112345", TraineeOutcome::Passed),
            // A NIR that is not one: shown as invalid, never as sent.
            trainee(8, &hostile("2900169"), TraineeOutcome::Attended),
        ],
    }
}

fn passport() -> Passport {
    let entry = |code: &str, end_date: NaiveDate, expires_on: Option<NaiveDate>, status| {
        PassportEntryView {
            training_code: hostile(code),
            training_title: hostile("Habilitation"),
            category: 2,
            category_confidence: passeport::domain::training::Confidence::Official,
            end_date,
            validity_start: Some(end_date),
            validity_end: None,
            expires_on,
            days_left: expires_on.map(|e| (e - today()).num_days()),
            status,
            superseded: false,
            session_id: Some(11),
            origin: Default::default(),
        }
    };
    Passport {
        worker: worker(7, "1850375112345"),
        today: today(),
        entries: vec![
            entry(
                "HAB",
                date(2024, 12, 10),
                Some(date(2026, 12, 10)),
                ExpiryStatus::Expiring,
            ),
            entry(
                "SST",
                date(2023, 9, 30),
                Some(date(2025, 9, 30)),
                ExpiryStatus::Expired,
            ),
            entry("ACC", date(2022, 1, 5), None, ExpiryStatus::NoExpiry),
        ],
    }
}

fn declarations() -> Vec<DeclarationSummary> {
    let created = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
    vec![DeclarationSummary {
        id: 1,
        reference: hostile("REF"),
        kind: DeclarationKind::Attestation,
        training_title: hostile("Sauveteur"),
        titulaire_count: 2,
        status: DeclarationStatus::EnRetard,
        deadline: Some(date(2026, 10, 31)),
        created_at: created,
        export: None,
    }]
}

/// The app on Échéances with a hostile account and list.
fn loaded_app() -> App {
    let (mut app, effects) = new_app();
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Me),
        Ok(Response::Me(account())),
    );
    let id = request(&effects, |r| matches!(r, Request::Expirations(_)));
    answer(&mut app, id, Ok(Response::Expirations(expirations())));
    app
}

#[test]
fn expirations_list_and_header() {
    let app = loaded_app();
    let screen = assert_inert(&app);
    assert!(screen.contains("ACME"), "the account is shown:\n{screen}");
    assert!(screen.contains("DUPONT"), "the rows are shown:\n{screen}");
}

#[test]
fn sessions_list_and_detail() {
    let mut app = loaded_app();
    let effects = app.update(key('2'));
    let id = request(&effects, |r| matches!(r, Request::Sessions(_)));
    answer(&mut app, id, Ok(Response::Sessions(vec![session()])));
    let screen = assert_inert(&app);
    assert!(screen.contains("Organisme"), "{screen}");

    let effects = app.update(enter());
    let id = request(&effects, |r| *r == Request::Session(11));
    answer(
        &mut app,
        id,
        Ok(Response::Session(Box::new(session_detail()))),
    );
    let screen = assert_inert(&app);
    assert!(
        screen.contains("DUPONT"),
        "the trainees are shown:\n{screen}"
    );
    assert!(screen.contains("NIR invalide"), "{screen}");
}

#[test]
fn search_results() {
    let mut app = loaded_app();
    let effects = app.update(key('/'));
    let id = request(&effects, |r| *r == Request::Roster);
    let workers = vec![worker(7, "1850375112345"), worker(8, "2900169123456")];
    let index = SearchIndex::new(&workers);
    answer(
        &mut app,
        id,
        Ok(Response::Roster(Arc::new(workers), Arc::new(index))),
    );
    assert_eq!(app.screen, ScreenId::Search);
    let screen = assert_inert(&app);
    assert!(screen.contains("DUPONT"), "{screen}");
    for c in "dupont".chars() {
        let effects = app.update(key(c));
        for effect in effects {
            if let Effect::Search {
                index,
                query,
                generation,
                within,
            } = effect
            {
                let within = within.as_deref().map(Vec::as_slice);
                app.update(Action::Searched(
                    index.search(&query, 500, within, generation),
                ));
            }
        }
    }
    let screen = assert_inert(&app);
    assert!(
        screen.contains("dupont") && screen.contains("DUPONT"),
        "{screen}"
    );
}

#[test]
fn worker_passport_with_timeline() {
    let mut app = loaded_app();
    app.worker.open(7);
    let mut effects = Vec::new();
    app.go_to(ScreenId::Worker, &mut effects);
    let id = request(&effects, |r| *r == Request::Passport(7));
    answer(&mut app, id, Ok(Response::Passport(Box::new(passport()))));
    let screen = assert_inert(&app);
    assert!(screen.contains("EMPLOYEUR"), "{screen}");
    assert!(screen.contains("Habilitation"), "{screen}");
    app.update(key('v'));
    assert!(app.worker.revealed);
    assert_inert(&app);
}

#[test]
fn declarations_list() {
    let mut app = loaded_app();
    let effects = app.update(key('6'));
    let id = request(&effects, |r| matches!(r, Request::Declarations(_)));
    answer(&mut app, id, Ok(Response::Declarations(declarations())));
    let screen = assert_inert(&app);
    assert!(screen.contains("REF"), "{screen}");
}

#[test]
fn simulator_drafts_from_files() {
    let (mut app, effects) = new_app();
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Me),
        Ok(Response::Me(account())),
    );
    // The drafts are listed at start-up (and announced on the status line).
    let id = request(&effects, |r| *r == Request::ListDrafts);
    app.update(key('5'));
    let mut draft = Draft::new(DeclarantKind::Employeur, DeclarationKind::Attestation);
    draft.declaration.nom_formation = hostile("Brouillon");
    let corrupt = CorruptDraft {
        id: "abc".to_owned(),
        path: "/tmp/abc.json".into(),
        message: hostile("illisible"),
    };
    let drafts = vec![
        ListedDraft::Readable(Box::new(draft)),
        ListedDraft::Corrupt(corrupt),
    ];
    answer(&mut app, id, Ok(Response::Drafts(Ok(drafts))));
    let screen = assert_inert(&app);
    assert!(screen.contains("Brouillon"), "{screen}");
}

/// Errors whose text comes from the server: problem details in the body and the status line.
#[test]
fn server_messages_in_errors() {
    let errors = [
        ApiError::Server {
            status: 500,
            detail: hostile("panne"),
        },
        ApiError::Conflict {
            detail: hostile("conflit"),
        },
        ApiError::Other {
            status: 400,
            detail: hostile("refus"),
        },
        ApiError::Malformed {
            detail: hostile("illisible"),
        },
    ];
    for error in errors {
        // On a screen's first load (body error state) and on the worker's page (error box).
        let (mut app, effects) = new_app();
        answer(
            &mut app,
            request(&effects, |r| *r == Request::Me),
            Ok(Response::Me(account())),
        );
        let id = request(&effects, |r| matches!(r, Request::Expirations(_)));
        answer(&mut app, id, Err(error.clone()));
        let screen = assert_inert(&app);
        assert!(screen.contains("Erreur"), "{screen}");

        app.worker.open(7);
        let mut effects = Vec::new();
        app.go_to(ScreenId::Worker, &mut effects);
        let id = request(&effects, |r| *r == Request::Passport(7));
        answer(&mut app, id, Err(error.clone()));
        assert_inert(&app);

        // Session detail failing over a loaded list.
        let effects = app.update(key('2'));
        let id = request(&effects, |r| matches!(r, Request::Sessions(_)));
        answer(&mut app, id, Ok(Response::Sessions(vec![session()])));
        let effects = app.update(enter());
        let id = request(&effects, |r| *r == Request::Session(11));
        answer(&mut app, id, Err(error));
        assert_inert(&app);
    }
}

/// A 422 whose field messages come from the server.
#[test]
fn field_errors_from_the_server() {
    let (mut app, effects) = new_app();
    let error = ApiError::Invalid {
        errors: vec![passeport::domain::FieldError::new(
            hostile("NOM_TITULAIRE"),
            "control_character",
            hostile("message"),
        )],
    };
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Me),
        Err(error.clone()),
    );
    let id = request(&effects, |r| matches!(r, Request::Expirations(_)));
    answer(&mut app, id, Err(error));
    let screen = assert_inert(&app);
    assert!(screen.contains("Données refusées"), "{screen}");
}

// ---------------------------------------------------------------------------------------------
// Commands and server
// ---------------------------------------------------------------------------------------------

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the binary with `args` and a private config pointing at `port` with `token`.
async fn passeport(home: &Path, port: u16, token: &str, args: &[&str]) -> Output {
    use std::os::unix::fs::PermissionsExt;
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!("api_url = \"{}\"\ntoken = \"{token}\"\n", url(port)),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (home, args) = (
        home.to_owned(),
        args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_passeport"))
            .args(&args)
            .arg("--config")
            .arg(home.join("config.toml"))
            .env_clear()
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("PASSEPORT_TODAY", TODAY)
            .env("COLUMNS", "200")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Asserts that `bytes` hold no forbidden character but line ends.
fn assert_output_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (number, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(forbidden),
            "{what}, line {}: {line:?}",
            number + 1
        );
    }
}

#[test]
fn expiring_table_from_a_hostile_server() {
    rt().block_on(async {
        let port = free_port();
        let page = expirations();
        let server = FaultServer::json(port, serde_json::to_string(&page).unwrap()).await;
        let home = tempfile::tempdir().unwrap();
        let output = passeport(
            home.path(),
            port,
            "demo-employeur",
            &["expiring", "--format", "table"],
        )
        .await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("DUPONT") && stdout.contains("Sauveteur"),
            "{stdout}"
        );
        assert_eq!(
            stdout.lines().count(),
            4,
            "header, two rows, summary: {stdout}"
        );
        assert_output_inert("expiring --format table", &output.stdout);
        assert_output_inert("stderr", &output.stderr);

        // JSON, for scripts, keeps the values exactly (its escapes are not control sequences).
        let output = passeport(
            home.path(),
            port,
            "demo-employeur",
            &["expiring", "--format", "json"],
        )
        .await;
        assert_eq!(output.status.code(), Some(0));
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rows[0]["last_name"], page.items[0].last_name);
        server.stop().await;
    });
}

fn titulaire(id: &str, nir: &str, name: &str) -> Titulaire {
    Titulaire {
        id_unique_partenaire: id.to_owned(),
        nir: nir.to_owned(),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(true),
        siret_employeur: "41287396000022".to_owned(),
        reference_employeur: "MAT-0001".to_owned(),
    }
}

/// A valid attestation de formation of the demo training organisation.
fn attestation() -> Declaration {
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    Declaration {
        id_declaration: "DECL-T".to_owned(),
        reference_declaration: "REF-T".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 6, 1)),
        date_fin_formation: Some(date(2026, 6, 2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829", "42866"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(date(2026, 6, 2)),
        date_fin_validite: Some(date(2028, 6, 2)),
        titulaires: vec![titulaire("T-1", "1850375112345", "DUPONT")],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

#[test]
fn server_refuses_control_characters_in_names_and_titles() {
    rt().block_on(async {
        let port = free_port();
        let db = tempfile::tempdir().unwrap();
        let server = RealServer::start(port, &db.path().join("passeport.db")).await;
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        let client = Client::new(&url(port), Some("demo-of".to_owned()), options).unwrap();
        client.validate_declaration(&attestation()).await.unwrap();

        for sequence in [
            "\u{1b}[2J",
            "\u{1b}]0;pwned\u{7}",
            "\u{8}",
            "\r",
            "\u{202E}",
            "\u{9b}",
        ] {
            let mut declaration = attestation();
            declaration.nom_formation = format!("Sauveteur{sequence}secouriste");
            declaration.titulaires[0].nom_titulaire = format!("DU{sequence}PONT");
            let result = client
                .create_declaration(&declaration, &format!("cle-{}", sequence.len()))
                .await;
            let Err(ApiError::Invalid { errors }) = result else {
                panic!("{sequence:?}: 422 attendu, obtenu {result:?}");
            };
            let found: Vec<(&str, &str)> = errors
                .iter()
                .map(|e| (e.field.as_str(), e.code.as_str()))
                .collect();
            for field in ["NOM_FORMATION", "titulaires[0].NOM_TITULAIRE"] {
                assert!(
                    found.contains(&(field, "control_character")),
                    "{sequence:?}: {found:?}"
                );
            }
            // The refusal does not echo the value back.
            let message = ApiError::Invalid { errors }.to_string();
            assert!(!message.chars().any(forbidden), "{message:?}");
        }

        // The status on the wire.
        let mut declaration = attestation();
        declaration.titulaires[0].nom_titulaire = "DU\u{1b}[2JPONT".to_owned();
        let response = reqwest::Client::new()
            .post(format!("{}/v1/declarations", url(port)))
            .bearer_auth("demo-of")
            .header("Idempotency-Key", "cle-brute")
            .json(&declaration)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "control_character", "{body}");
        server.stop().await;
    });
}

#[test]
fn import_report_of_a_hostile_file() {
    rt().block_on(async {
        let port = free_port();
        let db = tempfile::tempdir().unwrap();
        let server = RealServer::start(port, &db.path().join("passeport.db")).await;
        let home = tempfile::tempdir().unwrap();
        // A valid file, then hostile values in its text columns (no `|` or line break, which
        // would only shift the columns).
        let file = bulk::write(Layout::Adf, &[attestation()]).unwrap();
        let hostile_value = |word: &str| hostile(word).replace(['\r', '\n'], "");
        let file = file
            .replace("DUPONT", &hostile_value("DUPONT"))
            .replace(
                "Sauveteur secouriste du travail",
                &hostile_value("Sauveteur"),
            )
            .replace("MAT-0001", &hostile_value("MAT"));
        let path = home.path().join("attestations.csv");
        std::fs::write(&path, file).unwrap();
        for format in ["text", "json"] {
            let args = [
                "import",
                path.to_str().unwrap(),
                "--dry-run",
                "--format",
                format,
            ];
            let output = passeport(home.path(), port, "demo-of", &args).await;
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(1),
                "errors in the file: {stdout}"
            );
            assert!(stdout.contains("NOM_TITULAIRE"), "{stdout}");
            assert_output_inert(&format!("import --format {format}"), &output.stdout);
            assert_output_inert("stderr", &output.stderr);
        }
        server.stop().await;
    });
}

// ---------------------------------------------------------------------------------------------
// The real binary on a terminal, and piped
// ---------------------------------------------------------------------------------------------

/// A private config pointing at `port`, in `home`; its path.
fn config_for(home: &Path, port: u16) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!("api_url = \"{}\"\ntoken = \"demo-employeur\"\n", url(port)),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    config
}

/// Runs the binary in a 200×300 pseudo-terminal (room for the whole catalogue) until it exits;
/// its exit code and screen.
fn on_terminal(home: &Path, args: &[&str]) -> (u32, String) {
    let mut session = pty::Session::start(home, args, 200, 300);
    let code = session.wait_exit(30);
    (code, session.screen())
}

/// What a hostile sequence looks like on screen once neutralised: its ESC and BEL replaced, the
/// rest shown as text (raw, the terminal would have taken the OSC as a window title and the
/// CSI as « clear the screen », showing neither).
const NEUTRALISED_TITLE: &str = "]0;pwned";

#[test]
fn csv_on_a_terminal_is_neutralised_and_piped_output_is_exact() {
    // The fault server runs on the runtime's own threads while the binary runs.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = free_port();
    let page = expirations();
    let server = runtime.block_on(FaultServer::json(
        port,
        serde_json::to_string(&page).unwrap(),
    ));
    let home = tempfile::tempdir().unwrap();
    let config = config_for(home.path(), port);
    let config = config.to_str().unwrap();

    let (code, screen) = on_terminal(
        home.path(),
        &["--config", config, "expiring", "--format", "csv"],
    );
    assert_eq!(code, 0, "{screen}");
    let first = screen.lines().next().unwrap_or_default();
    assert!(first.starts_with("worker_id,"), "header kept: {screen}");
    assert!(
        screen.contains(&format!("DUPONT[2J{NEUTRALISED_TITLE}")),
        "{screen}"
    );
    assert!(screen.contains("DUPONT"), "{screen}");

    // Piped, for a script or a file: the server's bytes exactly.
    let output = runtime.block_on(passeport(
        home.path(),
        port,
        "demo-employeur",
        &["expiring", "--format", "csv"],
    ));
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("DUPONT\u{1b}[2J\u{1b}]0;pwned\u{7}"),
        "{stdout:?}"
    );
    assert!(stdout.contains("\u{9b}31m"), "{stdout:?}");

    // JSON: the same values, C1 and bidi characters escaped.
    let output = runtime.block_on(passeport(
        home.path(),
        port,
        "demo-employeur",
        &["expiring", "--format", "json"],
    ));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(r"\u009b31m") && stdout.contains(r"\u202e"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(['\u{9b}', '\u{202E}', '\u{2066}']),
        "{stdout:?}"
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows[0]["last_name"], page.items[0].last_name);
    runtime.block_on(server.stop());
}

/// A server answering every request with a 500 whose problem detail is hostile; its port.
fn hostile_error_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Erreur",
        "status": 500,
        "detail": "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]8;;http://evil.example\u{7}cliquez\u{9b}31m\u{202E}ici",
    })
    .to_string();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = write!(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/problem+json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn error_lines_and_file_names_are_neutralised() {
    let port = hostile_error_server();
    let home = tempfile::tempdir().unwrap();
    let config = config_for(home.path(), port);
    let config = config.to_str().unwrap();
    let (code, screen) = on_terminal(home.path(), &["--config", config, "expiring"]);
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("Erreur du serveur (500)"), "{screen}");
    assert!(
        screen.contains(&format!("{NEUTRALISED_TITLE}[2J")),
        "{screen}"
    );
    assert!(screen.contains("]8;;http://evil.example"), "{screen}");
    // stderr is for people: neutralised even when redirected.
    let output = rt().block_on(passeport(
        home.path(),
        port,
        "demo-employeur",
        &["expiring"],
    ));
    assert_eq!(output.status.code(), Some(2));
    assert_output_inert("stderr", &output.stderr);
    assert!(String::from_utf8_lossy(&output.stderr).contains("pwned"));

    let absent = home
        .path()
        .join("absent\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202E}.csv");
    let absent = absent.to_str().unwrap();
    let (code, screen) = on_terminal(home.path(), &["--config", config, "import", absent]);
    assert_eq!(code, 2, "{screen}");
    assert!(
        screen.contains(&format!("absent{NEUTRALISED_TITLE}[2J")),
        "{screen}"
    );
    let output = rt().block_on(passeport(
        home.path(),
        port,
        "demo-employeur",
        &["import", absent],
    ));
    assert_eq!(output.status.code(), Some(2));
    assert_output_inert("stderr", &output.stderr);
}

#[test]
fn catalogue_from_a_hostile_rules_file() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let rules_dir = home.path().join("config").join("passeport");
    std::fs::create_dir_all(&rules_dir).unwrap();
    std::fs::set_permissions(
        home.path().join("config"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    std::fs::set_permissions(&rules_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let hostile_title = "Sauveteur\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202E}ROUGE";
    let catalogue = passeport::domain::training::CATALOGUE_TOML.replacen(
        "title = \"Sauveteur secouriste du travail (SST)\"",
        &format!("title = {}", toml_string(hostile_title)),
        1,
    );
    assert_ne!(catalogue, passeport::domain::training::CATALOGUE_TOML);
    let file = rules_dir.join("catalogue.toml");
    std::fs::write(&file, catalogue).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

    let (code, screen) = on_terminal(home.path(), &["catalogue"]);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!("Sauveteur{NEUTRALISED_TITLE}[2J")),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or_default()
            .starts_with("Code"),
        "{screen}"
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_passeport"))
        .arg("catalogue")
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains(hostile_title)
    );
}

/// `text` as a TOML basic string, every non-printable character escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_control() || !c.is_ascii() {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}
