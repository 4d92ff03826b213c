//! An empty team server (`account create` ×3, no demo data) on loopback, with a typed client per
//! account: two employers, then a training organisation. [`on_each_backend`] runs a test body on
//! a fresh SQLite file and, when the tests have one, a fresh PostgreSQL database
//! (tests/common/databases.rs, which the including test file declares as `mod databases`);
//! [`Team::start`] is the SQLite file alone, for the tests of a client (the TUI) rather than of
//! the store.

#![allow(dead_code)]

use std::str::FromStr;

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::{Nda, Siret, compute_key};
use passeport::domain::training::Catalogue;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::server::database::DatabaseSettings;
use passeport::server::{Server, ServerOptions};
use tokio::sync::oneshot;

use crate::databases::each_backend;

/// SIRET of the first employer.
pub const EMPLOYER: &str = "35600000000048";
/// SIRET of the second employer.
pub const OTHER_EMPLOYER: &str = "44200000600001";
/// SIRET of the training organisation.
pub const ORGANISATION: &str = "44200001400005";

/// The frozen today of the server.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// A valid NIR with its key, order `n`.
pub fn nir(n: u32) -> String {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

/// An empty team server with two employers and one organisation; the clients in that order.
pub struct Team {
    base: String,
    tokens: Vec<String>,
    database: DatabaseSettings,
    stop: Option<oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

/// Runs `body` on a team server over each backend of the tests, one after the other; the
/// backend's name is printed first, so a failure says which.
pub async fn on_each_backend(body: impl AsyncFn(&mut Team)) {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let mut team = Team::start_on(database.settings.clone(), None).await;
        body(&mut team).await;
        team.stop().await;
        database.drop_now().await;
    }
}

/// Opens the server over `database` with `catalogue` and serves it on a new port.
async fn serve(
    database: &DatabaseSettings,
    catalogue: Catalogue,
) -> (Server, tokio::net::TcpListener, String) {
    let options = ServerOptions {
        db_path: std::path::PathBuf::new(),
        demo: None,
        today: Some(today()),
    };
    let server = Server::open_on(
        database,
        options,
        catalogue,
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    (server, listener, base)
}

impl Team {
    /// The server over a temporary SQLite file with its three accounts and their tokens.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = DatabaseSettings::sqlite(dir.path().join("team.db"));
        Self::start_on(database, Some(dir)).await
    }

    /// The server over `database` (kept in `dir` when a file) with its three accounts.
    pub async fn start_on(database: DatabaseSettings, dir: Option<tempfile::TempDir>) -> Self {
        let (server, listener, base) = serve(&database, Catalogue::embedded().unwrap()).await;
        let mut tokens = Vec::new();
        for (kind, siret, name, nda) in [
            (
                DeclarantKind::Employeur,
                EMPLOYER,
                "Menuiserie Martin",
                None,
            ),
            (
                DeclarantKind::Employeur,
                OTHER_EMPLOYER,
                "Transports Leroy",
                None,
            ),
            (
                DeclarantKind::OrganismeFormation,
                ORGANISATION,
                "Formapro",
                Some(Nda::from_str("11755555575").unwrap()),
            ),
        ] {
            let siret = Siret::from_str(siret).unwrap();
            server
                .create_account(kind, &siret, name, nda.as_ref())
                .await
                .unwrap();
            tokens.push(server.create_token(&siret).await.unwrap());
        }
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Team {
            base,
            tokens,
            database,
            stop: Some(stop),
            _dir: dir,
        }
    }

    /// Stops the server (before its PostgreSQL database is dropped).
    async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    /// Stops the server and opens the same database again with `catalogue` (the rules changed).
    pub async fn restart(&mut self, catalogue: Catalogue) {
        self.stop().await;
        let (server, listener, base) = serve(&self.database, catalogue).await;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        self.base = base;
        self.stop = Some(stop);
    }

    /// The server's base URL, for raw calls.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The bearer token of account `account`, for raw calls.
    pub fn token(&self, account: usize) -> &str {
        &self.tokens[account]
    }

    /// The server's base URL and the token of account `account`, for a configuration file.
    pub fn endpoint(&self, account: usize) -> (&str, &str) {
        (self.base(), self.token(account))
    }

    /// The typed client of account `account` (no retries).
    pub fn client(&self, account: usize) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, Some(self.tokens[account].clone()), options).unwrap()
    }
}

/// An attestation de formation titled `title`, 1–2 June 2026, of one titulaire (`nir`, birth
/// name `name`) employed by `siret`, with the codes a non-certifying training carries.
pub fn attestation(
    reference: &str,
    title: &str,
    nir: &str,
    name: &str,
    siret: &str,
) -> Declaration {
    let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
    Declaration {
        id_declaration: reference.to_owned(),
        reference_declaration: reference.to_owned(),
        nom_formation: title.to_owned(),
        date_debut_formation: Some(day(1)),
        date_fin_formation: Some(day(2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(day(2)),
        titulaires: vec![Titulaire {
            id_unique_partenaire: format!("{reference}-1"),
            nir: nir.to_owned(),
            nom_titulaire: name.to_owned(),
            presence_employeur: Some(true),
            siret_employeur: siret.to_owned(),
            reference_employeur: String::new(),
        }],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}
