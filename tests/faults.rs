//! The fault matrix (client side): the terminal application and `passeport expiring` against a
//! server that is absent at start, disappears mid-use, stalls past the timeout, answers 500,
//! answers malformed JSON, answers 401 (token revoked) or 429 with `Retry-After`.
//!
//! For each row: the TUI's status line (the last line of `ui::render`) and the command's stderr
//! say in French what happened and what to do; nothing panics; a draft file in the data directory
//! stays byte-identical (and the Simulateur still lists it); and once the real server is back on
//! the same port, the SAME `App` and `Client` load the data after `r`, and the command succeeds.
//!
//! The TUI is driven exactly as the runtime does: each `Effect::Request` of `App::new` /
//! `App::update` is run with `passeport::tui::run::fetch` and its result fed back as
//! `Action::Loaded`.

#[path = "common/faulty.rs"]
mod faulty;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::LazyLock;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use faulty::{Fault, FaultServer, RealServer, TODAY, TOKEN, free_port, url};
use futures_util::future::join_all;
use passeport::api::client::ClientOptions;
use passeport::api::{ApiError, Client};
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::drafts::{Draft, DraftStore, ListedDraft};
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::run::fetch;
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The data directory of the in-process TUI (drafts): one per test process, set before any test
/// starts a thread of its own.
static DATA_HOME: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = tempfile::Builder::new()
        .prefix("faults-data-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
        .keep();
    // SAFETY: every test forces this LazyLock first, before it starts a runtime, a client or a
    // process; tests racing here wait for the initialisation, so no thread of this process reads
    // the environment while it is written.
    unsafe { std::env::set_var("XDG_DATA_HOME", &dir) };
    dir
});

/// Runs one test body on a fresh runtime, after the process-wide setup.
fn run(body: impl Future<Output = ()>) {
    LazyLock::force(&DATA_HOME);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(body);
}

/// Short delays, so that a stalled server costs a fraction of a second.
fn options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        retries: 1,
        backoff_base: Duration::from_millis(10),
    }
}

/// A draft saved in `data_home`'s drafts folder; returns its id, path and bytes.
fn plant_draft(data_home: &Path) -> (String, PathBuf, Vec<u8>) {
    let store = DraftStore::new(data_home.join("passeport").join("drafts"));
    let mut draft = Draft::new(DeclarantKind::Employeur, DeclarationKind::Attestation);
    draft.declaration.nom_formation = "Sauveteur secouriste du travail".to_owned();
    draft
        .inputs
        .insert("titulaires[0].NIR".to_owned(), "1850375112345".to_owned());
    assert!(store.save(&draft).unwrap());
    let path = store.path_of(&draft.id).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (draft.id, path, bytes)
}

/// The terminal application, driven as the event loop drives it.
struct Tui {
    app: App,
    client: Client,
}

impl Tui {
    /// A new app talking to `port`, its first requests answered.
    async fn start(port: u16) -> Self {
        let client = Client::new(&url(port), Some(TOKEN.to_owned()), options()).unwrap();
        let today = faulty::today();
        let (app, effects) = App::new(AppOptions::new(today), &Rules::embedded().unwrap());
        let mut tui = Self { app, client };
        tui.settle(effects).await;
        tui
    }

    /// Runs `effects` (requests concurrently, as spawned tasks would) and every effect their
    /// answers cause, until none is left.
    async fn settle(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let mut requests = Vec::new();
            let mut next = Vec::new();
            for effect in effects {
                match effect {
                    Effect::Request { id, request } => requests.push((id, request)),
                    Effect::Search {
                        index,
                        query,
                        generation,
                        within,
                    } => {
                        let within = within.as_deref().map(Vec::as_slice);
                        let matches = index.search(&query, 500, within, generation);
                        next.extend(self.app.update(Action::Searched(matches)));
                    }
                    Effect::Suspend => {}
                }
            }
            let client = &self.client;
            let answers = join_all(
                requests
                    .into_iter()
                    .map(|(id, request)| async move { (id, fetch(client, request).await) }),
            )
            .await;
            for (id, result) in answers {
                next.extend(self.app.update(Action::Loaded { id, result }));
            }
            effects = next;
        }
    }

    /// Presses a character key and settles what it started.
    async fn press(&mut self, c: char) {
        self.press_key(KeyCode::Char(c)).await;
    }

    /// Presses a key and settles what it started.
    async fn press_key(&mut self, code: KeyCode) {
        let effects = self
            .app
            .update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.settle(effects).await;
    }

    /// The frame's lines at `width`×`height`.
    fn lines(&self, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| ui::render(&self.app, frame)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect()
    }

    /// The status line (the frame's last line) at `width`×`height`.
    fn status(&self, width: u16, height: u16) -> String {
        self.lines(width, height).pop().unwrap()
    }

    /// Checks that the status line reports `error` (in full when wide, cut but with the way out
    /// when narrow), as does the Échéances body.
    fn assert_reports(&self, error: &str) {
        assert_eq!(self.app.last_error.as_deref(), Some(error));
        assert_eq!(
            self.status(200, 60),
            format!("✖ {error} — r pour réessayer")
        );
        let narrow = self.status(80, 24);
        let start: String = error.chars().take(20).collect();
        assert!(narrow.starts_with(&format!("✖ {start}")), "{narrow}");
        assert!(narrow.ends_with("— r pour réessayer"), "{narrow}");
        assert!(narrow.chars().count() <= 80, "{narrow}");
    }

    /// Checks that the data is back: account and expirations loaded, status line ready.
    fn assert_recovered(&self) {
        assert_eq!(self.app.last_error, None);
        assert!(self.app.account.data().is_some(), "account loaded");
        assert!(
            self.app.expirations.data.data().is_some(),
            "expirations loaded"
        );
        assert!(self.app.expirations.data.error().is_none());
        assert!(
            !self.app.expirations.visible().is_empty(),
            "the demo has expiries"
        );
        // « Prêt », then the drafts in progress planted by the test, announced.
        let status = self.status(80, 24);
        assert!(status.starts_with("Prêt"), "{status}");
        assert!(!status.contains('✖'), "{status}");
        let screen = self.lines(80, 24).join("\n");
        assert!(screen.contains("ACME Logistiq"), "{screen}");
    }

    /// Visits the Simulateur (drafts are local: still listed whatever the server does) and
    /// comes back to Échéances; the server's error stays on the status line.
    async fn visit_drafts(&mut self, draft_id: &str, error: &str) {
        self.press('5').await;
        assert_eq!(self.app.screen, ScreenId::Simulator);
        let drafts = self.app.simulator.drafts.data().expect("drafts listed");
        assert!(
            drafts
                .iter()
                .any(|d| matches!(d, ListedDraft::Readable(draft) if draft.id == draft_id)),
            "the draft is listed and readable: {drafts:?}"
        );
        let screen = self.lines(120, 40).join("\n");
        assert!(
            screen.contains("Sauveteur secouriste du travail"),
            "{screen}"
        );
        // On the first question, Esc reopens the declarant known from the account (when the
        // account loaded), then goes back to the previous screen.
        if !self.app.simulator.walk.path().is_empty() {
            self.press_key(KeyCode::Esc).await;
        }
        self.press_key(KeyCode::Esc).await;
        assert_eq!(self.app.screen, ScreenId::Expirations);
        self.assert_reports(error);
    }
}

/// `passeport expiring` against `port`, with its own home (config 0600, a draft in its data
/// directory), run off the runtime so that in-process servers keep answering.
struct Cli {
    home: tempfile::TempDir,
    config: PathBuf,
    draft: (PathBuf, Vec<u8>),
}

impl Cli {
    fn new(port: u16) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        std::fs::write(
            &config,
            format!("api_url = \"{}\"\ntoken = \"{TOKEN}\"\n", url(port)),
        )
        .unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (_, path, bytes) = plant_draft(&home.path().join("data"));
        Self {
            home,
            config,
            draft: (path, bytes),
        }
    }

    async fn expiring(&self) -> Output {
        let (home, config) = (self.home.path().to_owned(), self.config.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_passeport"))
                .arg("expiring")
                .arg("--config")
                .arg(&config)
                .env_clear()
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("XDG_DATA_HOME", home.join("data"))
                .env("PASSEPORT_TODAY", TODAY)
                .env("COLUMNS", "120")
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs the command and checks it fails with one French line holding `error`.
    async fn assert_fails_with(&self, error: &str) {
        let output = self.expiring().await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            output.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(stderr.starts_with("passeport : "), "{stderr}");
        assert!(
            stderr.contains(error),
            "« {error} » attendu dans : {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        self.assert_draft_intact();
    }

    /// Runs the command and checks it prints the table.
    async fn assert_succeeds(&self) {
        let output = self.expiring().await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.starts_with("Échéance"), "{stdout}");
        assert!(stdout.contains("prochains jours"), "{stdout}");
        self.assert_draft_intact();
    }

    fn assert_draft_intact(&self) {
        let (path, bytes) = &self.draft;
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "draft changed");
    }
}

/// One row of the matrix: the TUI against `tui_fault`, the command against `cli_fault` (both on
/// the same port, none = nothing listening), each reporting `error`; then the real server on
/// that port, and both work again.
async fn row(tui_fault: Option<Fault>, cli_fault: Option<Fault>, error: impl Fn(u16) -> String) {
    let (draft_id, draft_path, draft_bytes) = plant_draft(&DATA_HOME);
    let port = free_port();
    let error = error(port);

    let fault = match tui_fault {
        Some(fault) => Some(FaultServer::start(port, fault).await),
        None => None,
    };
    let mut tui = Tui::start(port).await;
    assert!(tui.app.account.error().is_some());
    tui.assert_reports(&error);
    let body = tui.lines(120, 40).join("\n");
    assert!(
        body.contains("Erreur :"),
        "the Échéances body shows the error too:\n{body}"
    );
    tui.visit_drafts(&draft_id, &error).await;
    if let Some(fault) = fault {
        assert!(fault.requests() > 0, "the fault server was reached");
        fault.stop().await;
    }

    let cli = Cli::new(port);
    let fault = match cli_fault {
        Some(fault) => Some(FaultServer::start(port, fault).await),
        None => None,
    };
    cli.assert_fails_with(&error).await;
    if let Some(fault) = fault {
        fault.stop().await;
    }

    let db = tempfile::tempdir().unwrap();
    let server = RealServer::start(port, &db.path().join("passeport.db")).await;
    tui.press('r').await;
    tui.assert_recovered();
    cli.assert_succeeds().await;
    server.stop().await;
    assert_eq!(
        std::fs::read(&draft_path).unwrap(),
        draft_bytes,
        "draft changed"
    );
}

fn unreachable(port: u16) -> String {
    ApiError::Unreachable { url: url(port) }.to_string()
}

#[test]
fn server_absent_at_start() {
    run(row(None, None, unreachable));
}

#[test]
fn server_stalls_past_the_timeout() {
    // The TUI's server reads the request and never answers (request timeout); the command's
    // never completes the handshake (connect timeout: its delays are not configurable, and the
    // request timeout is 15 s).
    run(row(Some(Fault::Stall), Some(Fault::NotAccepting), |_| {
        ApiError::Timeout.to_string()
    }));
}

#[test]
fn server_answers_500() {
    let error = ApiError::Server {
        status: 500,
        detail: "base de données indisponible".to_owned(),
    };
    run(row(
        Some(Fault::ServerError),
        Some(Fault::ServerError),
        |_| error.to_string(),
    ));
}

#[test]
fn server_answers_malformed_json() {
    // The last answer fed is the expirations' (after the account's).
    let error = "Réponse inattendue du serveur : liste des échéances illisible (JSON tronqué, ligne 1, \
                 colonne 44) ; vérifiez que api_url désigne bien un serveur Passeport de même version";
    run(row(Some(Fault::Malformed), Some(Fault::Malformed), |_| {
        error.to_owned()
    }));
}

#[test]
fn token_revoked_401() {
    let error = ApiError::Unauthorized.to_string();
    run(row(
        Some(Fault::Unauthorized),
        Some(Fault::Unauthorized),
        |_| error.clone(),
    ));
}

#[test]
fn rate_limited_429_with_retry_after() {
    let error = ApiError::RateLimited {
        retry_after: Some(Duration::from_secs(1)),
    }
    .to_string();
    assert!(error.contains("patientez 1 s"), "{error}");
    run(row(
        Some(Fault::RateLimited),
        Some(Fault::RateLimited),
        |_| error.clone(),
    ));
}

#[test]
fn server_disappears_mid_use() {
    run(async {
        let (draft_id, draft_path, draft_bytes) = plant_draft(&DATA_HOME);
        let port = free_port();
        let error = unreachable(port);
        let db = tempfile::tempdir().unwrap();
        let db = db.path().join("passeport.db");

        // The TUI loads, then the server goes away while it is used.
        let server = RealServer::start(port, &db).await;
        let mut tui = Tui::start(port).await;
        tui.assert_recovered();
        server.stop().await;
        tui.press('2').await;
        assert_eq!(tui.app.screen, ScreenId::Sessions);
        tui.assert_reports(&error);
        let body = tui.lines(120, 40).join("\n");
        assert!(body.contains("Erreur : Serveur injoignable"), "{body}");
        // What was loaded stays on screen.
        tui.press('1').await;
        assert!(!tui.app.expirations.visible().is_empty());
        assert!(tui.lines(120, 40).join("\n").contains("ACME Logistique"));
        tui.visit_drafts(&draft_id, &error).await;

        // The command reads the first page, then the server is gone.
        let cli = Cli::new(port);
        let fault = FaultServer::start(port, Fault::DiesAfterFirstPage).await;
        cli.assert_fails_with(&error).await;
        assert_eq!(fault.requests(), 1, "the first page was served");
        fault.stop().await;

        // Back on the same port, same database.
        let server = RealServer::start(port, &db).await;
        tui.press('2').await;
        tui.press('r').await;
        assert_eq!(tui.app.last_error, None);
        assert!(
            tui.app.sessions.list.data().is_some_and(|l| !l.is_empty()),
            "sessions loaded"
        );
        assert!(tui.status(80, 24).starts_with("Prêt"));
        tui.press('1').await;
        tui.assert_recovered();
        cli.assert_succeeds().await;
        server.stop().await;
        assert_eq!(
            std::fs::read(&draft_path).unwrap(),
            draft_bytes,
            "draft changed"
        );
    });
}
