//! Secrets (design.md §5): bearer tokens and NIRs never reach a log, the configuration file that
//! holds a token must be private, and the NIR is masked on every screen but the worker's page
//! (where it shows in full only on request).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use passeport::api::client::ClientOptions;
use passeport::api::contract::WorkerView as Worker;
use passeport::api::contract::{
    Account, ExpirationCounts, ExpirationItem, ExpirationsPage, ExpirationsQuery, ExportFormat,
    Passport, SessionDeclarationStatus, SessionDetail, SessionSummary, SessionsQuery, TraineeView,
    WorkersQuery,
};
use passeport::api::{ApiError, Client};
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::expiry::ExpiryStatus;
use passeport::domain::ids::Nir;
use passeport::domain::session::TraineeOutcome;
use passeport::domain::training::Catalogue;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::rules::Rules;
use passeport::search::SearchIndex;
use passeport::server::demo::{DEFAULT_SEED, DEFAULT_WORKERS, Demo, DemoOptions};
use passeport::tui::action::{Action, Effect, Request, RequestId, Response};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The frozen today of the server, the app and the fixtures.
const TODAY: &str = "2026-11-26";

/// SIRET of the demo training organisation (`demo-of`).
const OF_SIRET: &str = "81243675600017";

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The forms a NIR may take in a log: 13 characters, 15 with the key, grouped with and without
/// the key (`1 85 03 75 112 345 94`).
fn nir_forms(nir: &Nir) -> Vec<String> {
    let grouped = nir.to_string();
    let without_key = grouped
        .rsplit_once(' ')
        .map(|(head, _)| head.to_owned())
        .unwrap();
    vec![
        nir.as_str().to_owned(),
        nir.with_key(),
        grouped,
        without_key,
    ]
}

/// The command line of the binary, with its own home and today frozen.
fn passeport(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passeport"));
    command
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", TODAY)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command
}

/// `passeport serve` in the background, its stderr (the log) going to a file.
struct Served {
    child: Child,
    log: PathBuf,
}

impl Served {
    fn start(home: &Path, db: &Path, port: u16) -> Self {
        let log = home.join("serve.log");
        let child = passeport(home)
            .args(["serve", "--demo", "--workers", "50", "--db"])
            .arg(db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("PASSEPORT_LOG", "trace")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { child, log }
    }

    /// SIGTERM, then the whole log once the server has exited.
    fn stop(mut self) -> String {
        // SAFETY: sending a signal to our own child process.
        let sent = unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(sent, 0);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "serve exited with {status}");
                break;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn titulaire(id: &str, nir: &str, name: &str, siret: &str) -> Titulaire {
    Titulaire {
        id_unique_partenaire: id.to_owned(),
        nir: nir.to_owned(),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(true),
        siret_employeur: siret.to_owned(),
        reference_employeur: String::new(),
    }
}

/// A valid attestation de formation for `titulaires`.
fn attestation(titulaires: Vec<Titulaire>) -> Declaration {
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    Declaration {
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
        titulaires,
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// Everything a user of the API does, with a token made by `passeport token create`; returns
/// every NIR that went over the wire.
async fn scripted_use(base: &str, token: &str) -> Vec<Nir> {
    let options = ClientOptions {
        retries: 0,
        ..ClientOptions::default()
    };
    let client = Client::new(base, Some(token.to_owned()), options).unwrap();
    let account = client.me().await.unwrap();
    assert_eq!(account.kind, DeclarantKind::OrganismeFormation);

    let workers = client.all_workers(&WorkersQuery::default()).await.unwrap();
    assert!(
        workers.len() >= 3,
        "the training organisation sees its trainees"
    );
    let mut nirs: Vec<Nir> = workers
        .iter()
        .filter_map(|w| w.nir.clear().cloned())
        .collect();
    // A NIR in a query string.
    let query = WorkersQuery {
        q: Some(workers[0].nir.as_str().to_owned()),
        ..Default::default()
    };
    let found = client.all_workers(&query).await.unwrap();
    assert_eq!(
        found.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![workers[0].id]
    );
    client.passport(workers[0].id).await.unwrap();
    client
        .all_expirations(&ExpirationsQuery::default())
        .await
        .unwrap();
    let sessions = client
        .all_sessions(&SessionsQuery::default())
        .await
        .unwrap();
    for session in sessions.iter().take(3) {
        client.session(session.id).await.unwrap();
    }

    // A declaration naming trainees, and one NIR the server never saw before.
    let other: Nir = "2900169123456".parse().unwrap();
    nirs.push(other.clone());
    let mut titulaires: Vec<Titulaire> = workers
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, w)| {
            let nir = w.nir.as_str();
            titulaire(
                &format!("S-{i}"),
                nir,
                &w.last_name,
                w.employer_siret.as_str(),
            )
        })
        .collect();
    titulaires.push(titulaire(
        "S-9",
        other.as_str(),
        "LEFÈVRE",
        "41287396000022",
    ));
    let declaration = attestation(titulaires);
    client.validate_declaration(&declaration).await.unwrap();
    let (created, is_new) = client
        .create_declaration(&declaration, "secrets-1")
        .await
        .unwrap();
    assert!(is_new);
    client.declaration(created.summary.id).await.unwrap();
    client
        .remove_titulaire(created.summary.id, "S-9")
        .await
        .unwrap();

    // Refusals: a NIR with a wrong key (422), a NIR where a code is expected (400).
    let mut wrong = declaration.clone();
    wrong.titulaires[0].nir = format!("{}00", workers[1].nir.as_str());
    let refused = client.validate_declaration(&wrong).await;
    assert!(
        matches!(refused, Err(ApiError::Invalid { .. })),
        "{refused:?}"
    );
    let mut body = serde_json::to_value(&declaration).unwrap();
    body["MODALITE_DISPENSE"] = serde_json::Value::String(workers[2].nir.as_str().to_owned());
    body["modalite_dispense"] = serde_json::Value::String(workers[2].nir.as_str().to_owned());
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/declarations/validate"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());

    for format in [ExportFormat::Adf, ExportFormat::Jdr] {
        let file = client.export(format).await.unwrap();
        assert!(!file.is_empty());
    }
    nirs
}

#[test]
fn server_log_holds_no_token_and_no_nir() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("passeport.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let served = Served::start(home.path(), &db, port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Up once /healthz answers (the demo is seeded before the port is bound).
    let anonymous = Client::new(&base, None, ClientOptions::default()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while runtime.block_on(anonymous.health()).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let created = passeport(home.path())
        .args(["token", "create", "--account", OF_SIRET, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(token.len() >= 20, "a long random token: {token}");

    let nirs = runtime.block_on(scripted_use(&base, &token));
    // A refused token is a secret too.
    let refused = "jeton-revoque-0123456789abcdef";
    let result = runtime.block_on(
        Client::new(&base, Some(refused.to_owned()), ClientOptions::default())
            .unwrap()
            .me(),
    );
    assert_eq!(result.unwrap_err(), ApiError::Unauthorized);

    let log = served.stop();
    // The log is on, at trace level, and records the requests.
    assert!(
        log.contains("TRACE") && log.contains("/v1/workers"),
        "{}",
        &log[..log.len().min(2000)]
    );
    for secret in [token.as_str(), refused] {
        assert!(!log.contains(secret), "token in the log");
    }
    for nir in &nirs {
        for form in nir_forms(nir) {
            if let Some(at) = log.find(&form) {
                let context: String = log[at.saturating_sub(300)..].chars().take(600).collect();
                panic!("NIR {} in the log ({form}):\n{context}", nir.masked());
            }
        }
    }
}

#[test]
fn a_config_with_a_token_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    let token = "jeton-du-fichier-0123456789";
    let port = free_port();
    std::fs::write(
        &config,
        format!("api_url = \"http://127.0.0.1:{port}\"\ntoken = \"{token}\"\n"),
    )
    .unwrap();
    for mode in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(mode)).unwrap();
        // Both a command and the full-screen application refuse it before anything else.
        for args in [&["expiring"][..], &[][..]] {
            let output = passeport(home.path())
                .args(args)
                .arg("--config")
                .arg(&config)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?} {mode:o}: {stderr}");
            assert!(
                stderr.contains(&format!("chmod 600 {}", config.display())),
                "{stderr}"
            );
            assert!(stderr.contains("contient un jeton"), "{stderr}");
            assert!(!stderr.contains(token), "{stderr}");
        }
    }
    // Private: accepted (the command then fails on the absent server, not on the file).
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = passeport(home.path())
        .arg("expiring")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("chmod"), "{stderr}");
    assert!(stderr.contains("Serveur injoignable"), "{stderr}");
    assert!(!stderr.contains(token), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// The NIR on screen
// ---------------------------------------------------------------------------------------------

/// NIRs of the fixtures.
const NIRS: [&str; 3] = ["1850375112345", "2900169123456", "1770533100222"];

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The masked digits of a NIR (department, commune, order, key) in any form on screen.
fn shows_hidden_digits(text: &str, nir: &Nir) -> bool {
    let grouped = nir.to_string();
    // `1 85 03 75 112 345 94` → `75 112 345 94`, and every compact form.
    let hidden = grouped.splitn(4, ' ').nth(3).unwrap().to_owned();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.contains(&hidden)
        || compact.contains(&hidden.replace(' ', ""))
        || nir_forms(nir).iter().any(|form| text.contains(form))
}

/// Asserts that no fixture NIR shows its hidden digits, at 80×24, 120×40 and 200×60; returns the
/// 120×40 screen.
fn assert_masked(app: &App) -> String {
    for (width, height) in [(80, 24), (200, 60)] {
        let text = screen(app, width, height);
        for nir in NIRS {
            let nir: Nir = nir.parse().unwrap();
            assert!(
                !shows_hidden_digits(&text, &nir),
                "{} on {:?}:\n{text}",
                nir.masked(),
                app.screen
            );
        }
    }
    let text = screen(app, 120, 40);
    for nir in NIRS {
        let nir: Nir = nir.parse().unwrap();
        assert!(
            !shows_hidden_digits(&text, &nir),
            "{} on {:?}:\n{text}",
            nir.masked(),
            app.screen
        );
    }
    text
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

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

/// Feeds an answer and runs the searches it starts.
fn answer(app: &mut App, id: RequestId, response: Response) {
    for effect in app.update(Action::Loaded {
        id,
        result: Ok(response),
    }) {
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

fn worker(id: i64, nir: &str, last_name: &str) -> Worker {
    Worker {
        id,
        nir: nir.parse().unwrap(),
        last_name: last_name.to_owned(),
        usage_name: None,
        first_names: "Claude".to_owned(),
        birth_date: None,
        employer_siret: "41287396000022".parse().unwrap(),
        employer_name: "ACME Logistique".to_owned(),
        site: "Lyon Gerland".to_owned(),
    }
}

fn workers() -> Vec<Worker> {
    vec![
        worker(7, NIRS[0], "DUPONT"),
        worker(8, NIRS[1], "LEFÈVRE"),
        worker(9, NIRS[2], "DUPUIS"),
    ]
}

/// The app on Échéances, loaded.
fn loaded_app() -> App {
    let (mut app, effects) = App::new(AppOptions::new(today()), &Rules::embedded().unwrap());
    let account = Account {
        kind: DeclarantKind::Employeur,
        siret: "41287396000022".to_owned(),
        name: "ACME Logistique".to_owned(),
        nda: None,
        sandbox: true,
        user: None,
    };
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Me),
        Response::Me(account),
    );
    let items = workers()
        .iter()
        .map(|w| ExpirationItem {
            worker_id: w.id,
            last_name: w.last_name.clone(),
            first_names: w.first_names.clone(),
            site: w.site.clone(),
            employer: w.employer_name.clone(),
            training_code: "SST".to_owned(),
            training_title: "Sauveteur secouriste du travail".to_owned(),
            expires_on: date(2026, 12, 10),
            days_left: 14,
            status: ExpiryStatus::Expiring,
        })
        .collect();
    let page = ExpirationsPage {
        today: today(),
        counts: ExpirationCounts {
            expired: 0,
            within_30: 3,
            within_60: 0,
            within_90: 0,
        },
        items,
        next_cursor: None,
    };
    let id = request(&effects, |r| matches!(r, Request::Expirations(_)));
    answer(&mut app, id, Response::Expirations(page));
    app
}

#[test]
fn nir_masked_on_expirations_search_and_sessions() {
    let mut app = loaded_app();
    let text = assert_masked(&app);
    assert!(text.contains("DUPONT"), "{text}");

    // Recherche: every worker listed with a masked NIR; searching by NIR digits too.
    let effects = app.update(key('/'));
    let roster = workers();
    let index = SearchIndex::new(&roster);
    let id = request(&effects, |r| *r == Request::Roster);
    answer(
        &mut app,
        id,
        Response::Roster(Arc::new(roster), Arc::new(index)),
    );
    let text = assert_masked(&app);
    assert!(text.contains("1 85 03 •• ••• ••• ••"), "{text}");
    for c in NIRS[0].chars().take(9) {
        for effect in app.update(key(c)) {
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
    assert_eq!(app.search.query.text(), &NIRS[0][..9]);
    // The query is what the user typed; the results stay masked.
    let text = screen(&app, 120, 40);
    assert!(text.contains("DUPONT"), "found by NIR digits:\n{text}");
    let results: String = text.lines().skip(2).collect::<Vec<_>>().join("\n");
    let nir: Nir = NIRS[0].parse().unwrap();
    assert!(!shows_hidden_digits(&results, &nir), "{results}");

    // Sessions, then a session's trainees.
    app.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    let effects = app.update(key('2'));
    assert_eq!(app.screen, ScreenId::Sessions);
    let summary = SessionSummary {
        id: 11,
        training_code: "SST".to_owned(),
        title: "Sauveteur secouriste du travail".to_owned(),
        organisme: "Formaprev Sécurité".to_owned(),
        place: "Lyon Vaise".to_owned(),
        start_date: date(2026, 11, 16),
        end_date: date(2026, 11, 17),
        trainee_count: 3,
        declaration_status: SessionDeclarationStatus::ADeclarer,
        closed_on: None,
    };
    let id = request(&effects, |r| matches!(r, Request::Sessions(_)));
    answer(&mut app, id, Response::Sessions(vec![summary.clone()]));
    assert_masked(&app);
    let effects = app.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let trainees = workers()
        .iter()
        .map(|w| TraineeView {
            worker_id: w.id,
            last_name: w.last_name.clone(),
            first_names: w.first_names.clone(),
            nir: w.nir.as_str().to_owned(),
            employer_siret: "41287396000022".to_owned(),
            employer_name: "Menuiserie Martin".to_owned(),
            outcome: TraineeOutcome::Passed,
            declared: false,
        })
        .collect();
    let detail = SessionDetail { summary, trainees };
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Session(11)),
        Response::Session(Box::new(detail)),
    );
    let text = assert_masked(&app);
    assert!(
        text.contains("LEFÈVRE") && text.contains("2 90 01 •• ••• ••• ••"),
        "{text}"
    );
}

#[test]
fn nir_in_full_only_on_the_worker_page_on_request() {
    let mut app = loaded_app();
    app.worker.open(7);
    let mut effects = Vec::new();
    app.go_to(ScreenId::Worker, &mut effects);
    let passport = Passport {
        worker: workers().swap_remove(0),
        today: today(),
        entries: Vec::new(),
    };
    answer(
        &mut app,
        request(&effects, |r| *r == Request::Passport(7)),
        Response::Passport(Box::new(passport)),
    );
    let text = assert_masked(&app);
    assert!(text.contains("NIR 1 85 03 •• ••• ••• ••"), "{text}");
    app.update(key('v'));
    let nir: Nir = NIRS[0].parse().unwrap();
    assert!(
        screen(&app, 120, 40).contains(&nir.to_string()),
        "revealed on request"
    );
    // Leaving and coming back masks it again.
    app.update(key('1'));
    app.update(key('4'));
    assert_eq!(app.screen, ScreenId::Worker);
    assert!(!app.worker.revealed);
    assert_masked(&app);
}

// ---------------------------------------------------------------------------------------------
// The TUI's own log, after a real run in a pseudo-terminal
// ---------------------------------------------------------------------------------------------

#[test]
fn tui_log_holds_no_token_and_no_nir() {
    let home = tempfile::tempdir().unwrap();
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_passeport"));
    command.env_clear();
    command.env("HOME", home.path());
    command.env("XDG_CONFIG_HOME", home.path().join("config"));
    command.env("XDG_DATA_HOME", home.path().join("data"));
    command.env("PASSEPORT_TODAY", TODAY);
    command.env("PASSEPORT_LOG", "trace");
    command.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let sink = Arc::clone(&parser);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let mut writer = pair.master.take_writer().unwrap();
    let contents = || parser.lock().unwrap().screen().contents();
    let wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !contents().contains(text) {
            assert!(
                Instant::now() < deadline,
                "« {text} » not on screen:\n{}",
                contents()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut send = |keys: &str| {
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
    };

    // Échéances loaded, then Recherche, open the first worker, reveal the NIR, quit.
    wait_for("Expirées");
    send("/");
    wait_for("résultat");
    send("\r");
    wait_for("Employeur : ");
    send("v");
    let deadline = Instant::now() + Duration::from_secs(10);
    let revealed = loop {
        let screen = contents();
        let line = screen
            .lines()
            .find(|l| l.trim_start().starts_with("NIR "))
            .unwrap_or_default()
            .to_owned();
        if !line.contains('•') && line.len() > 10 {
            break line;
        }
        assert!(Instant::now() < deadline, "NIR not revealed:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    send("1");
    wait_for("Expirées");
    send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "passeport did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }

    let log = std::fs::read_to_string(home.path().join("data/passeport/passeport.log")).unwrap();
    assert!(
        log.contains("TRACE") && log.contains("/v1/expirations"),
        "{}",
        &log[..log.len().min(2000)]
    );
    assert!(
        !log.contains("demo-employeur"),
        "the sandbox token is in the log"
    );
    // Every NIR of the sandbox's workers, the revealed one first.
    let shown: String = revealed
        .split("NIR ")
        .nth(1)
        .unwrap()
        .split(" · ")
        .next()
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        !log.contains(&shown),
        "the revealed NIR {shown} is in the log"
    );
    let catalogue = Catalogue::embedded().unwrap();
    let demo = Demo::new(
        &DemoOptions {
            workers: DEFAULT_WORKERS,
            seed: DEFAULT_SEED,
            today: today(),
        },
        &catalogue,
    );
    let mut checked = 0;
    let mut revealed_is_demo = false;
    for demo_worker in demo.workers() {
        let forms = nir_forms(&demo_worker.worker.nir);
        revealed_is_demo |= forms.contains(&shown);
        for form in forms {
            assert!(
                !log.contains(&form),
                "NIR {} in the log",
                demo_worker.worker.nir.masked()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, DEFAULT_WORKERS as usize);
    assert!(
        revealed_is_demo,
        "the NIRs checked are the sandbox's: {shown}"
    );
}
