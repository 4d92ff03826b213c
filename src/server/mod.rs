//! The sandbox Passeport API server (design.md §3): axum over a SQLite store, with bearer
//! tokens, strict tenancy, RFC 9457 errors and an OpenAPI document generated from the routes.
//!
//! [`Server::open`] opens (or creates) the database and seeds demonstration data on first run;
//! [`Server::router`] gives the routes with their middleware; [`Server::serve`] serves them on a
//! listener until a shutdown signal.

mod auth;
mod cursor;
pub mod database;
pub mod demo;
mod problem;
mod routes;
mod store;
pub use store::maintenance;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Days, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::api::contract::DeclarationStatus;
use crate::clock::{self, TodayError};
use crate::domain::DeclarantKind;
use crate::domain::deadline::DeadlineRules;
use crate::domain::declaration::Declaration;
use crate::domain::ids::{Nda, Siret};
use crate::domain::training::Catalogue;
use database::DatabaseSettings;
use store::Store;

/// The tokens of the three demo accounts (employer 1, employer 2, training organisation),
/// accepted only by a database created with demonstration data.
pub const DEMO_TOKENS: [&str; 3] = ["demo-employeur", "demo-employeur-2", "demo-of"];

/// Days between the reference date of a demo declaration and its recording.
const DEMO_RECORDING_DELAY: u64 = 7;

/// How to open the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// The SQLite file (created when missing).
    pub db_path: PathBuf,
    /// Seed demonstration data into a new database.
    pub demo: Option<demo::DemoOptions>,
    /// A fixed today; else the clock (or `PASSEPORT_TODAY`) on each request.
    pub today: Option<NaiveDate>,
}

/// What can go wrong while opening or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A database operation failed.
    #[error("base de données : {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("mise à jour du schéma de la base impossible : {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Stored data could not be read back.
    #[error("donnée enregistrée illisible ({what}) : {detail}")]
    Corrupt {
        /// What was being read.
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// Serving HTTP failed.
    #[error("serveur HTTP : {0}")]
    Io(#[from] std::io::Error),
    /// No account has this SIRET.
    #[error("aucun compte pour le SIRET {siret} : créez d'abord le compte")]
    UnknownAccount {
        /// The SIRET asked for.
        siret: String,
    },
    /// An account already has this SIRET.
    #[error("un compte existe déjà pour le SIRET {siret}")]
    AccountExists {
        /// The SIRET asked for.
        siret: String,
    },
    /// The account's name is empty.
    #[error("le nom du compte est vide")]
    EmptyName,
    /// A store call that is not yet ported to PostgreSQL (a 501 problem on the API).
    #[error("cette opération n'est pas encore disponible sur PostgreSQL")]
    NotOnPostgres,
    /// `--demo` on PostgreSQL: the demo seeding is not ported yet.
    #[error(
        "les données de démonstration (--demo) ne sont pas encore disponibles sur PostgreSQL : \
         lancez --demo sur une base SQLite (--db FICHIER)"
    )]
    DemoOnPostgres,
}

/// What the handlers share.
struct Shared {
    store: Store,
    catalogue: Catalogue,
    deadlines: DeadlineRules,
    today: Option<NaiveDate>,
    demo: bool,
}

/// The state of the routes: cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl AppState {
    /// The store.
    fn store(&self) -> &Store {
        &self.0.store
    }

    /// The catalogue of training types.
    fn catalogue(&self) -> &Catalogue {
        &self.0.catalogue
    }

    /// The deadline rules.
    fn deadlines(&self) -> &DeadlineRules {
        &self.0.deadlines
    }

    /// Whether the database holds demonstration data.
    fn is_demo(&self) -> bool {
        self.0.demo
    }

    /// Today: the fixed date, else the clock.
    fn today(&self) -> Result<NaiveDate, TodayError> {
        self.0.today.map_or_else(clock::today, Ok)
    }
}

/// The sandbox server: the store, the catalogue and the deadline rules.
pub struct Server {
    state: AppState,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("demo", &self.state.is_demo())
            .field("today", &self.state.0.today)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens (creating if missing) the database, runs migrations, seeds demo data when `demo`
    /// is set and the database is new.
    pub async fn open(
        opts: ServerOptions,
        catalogue: Catalogue,
        deadlines: DeadlineRules,
    ) -> Result<Server, ServerError> {
        Self::open_on(
            &DatabaseSettings::sqlite(&opts.db_path),
            opts,
            catalogue,
            deadlines,
        )
        .await
    }

    /// Opens the database of `database` (its `db_path` is ignored) as [`Server::open`] does;
    /// `--demo` is refused on PostgreSQL until its seeding is ported.
    pub async fn open_on(
        database: &DatabaseSettings,
        opts: ServerOptions,
        catalogue: Catalogue,
        deadlines: DeadlineRules,
    ) -> Result<Server, ServerError> {
        if opts.demo.is_some() && database.url.is_postgres() {
            return Err(ServerError::DemoOnPostgres);
        }
        let store = Store::open(database).await?;
        if let Some(demo_options) = &opts.demo
            && store.is_empty().await?
        {
            let started = std::time::Instant::now();
            let demo = demo::Demo::new(demo_options, &catalogue);
            let kinds: Vec<DeclarantKind> = demo.accounts().iter().map(|a| a.kind).collect();
            let recorded = |owner: usize, declaration: &Declaration| {
                let kind = kinds
                    .get(owner)
                    .copied()
                    .unwrap_or(DeclarantKind::OrganismeFormation);
                demo_recording(
                    &deadlines,
                    &catalogue,
                    kind,
                    declaration,
                    demo_options.today,
                )
            };
            store
                .seed_demo(&demo, &catalogue, recorded, auth::hash_token)
                .await?;
            tracing::info!(
                workers = demo_options.workers,
                elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "données de démonstration créées"
            );
        }
        if store.follow_rules(&catalogue).await? {
            tracing::info!("règles du catalogue modifiées : échéances recalculées");
        }
        let demo = store.is_demo().await?;
        let shared = Shared {
            store,
            catalogue,
            deadlines,
            today: opts.today,
            demo,
        };
        Ok(Server {
            state: AppState(Arc::new(shared)),
        })
    }

    /// Every route of design.md §3 with its middleware.
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    /// Serves the routes on `listener` until `shutdown` completes, then closes the database.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let served = axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await;
        self.state.store().close().await;
        Ok(served?)
    }

    /// Whether the database holds demonstration data (the client shows `SANDBOX`).
    pub fn is_demo(&self) -> bool {
        self.state.is_demo()
    }

    /// A new random token for the account with this SIRET, stored hashed: the caller prints it
    /// once, it cannot be read back.
    pub async fn create_token(&self, siret: &Siret) -> Result<String, ServerError> {
        let token = auth::new_token();
        if self
            .state
            .store()
            .add_token(siret, &auth::hash_token(&token))
            .await?
        {
            Ok(token)
        } else {
            Err(ServerError::UnknownAccount {
                siret: siret.as_str().to_owned(),
            })
        }
    }

    /// Creates an account (employer, or training organisation with its NDA).
    pub async fn create_account(
        &self,
        kind: DeclarantKind,
        siret: &Siret,
        name: &str,
        nda: Option<&Nda>,
    ) -> Result<(), ServerError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServerError::EmptyName);
        }
        let created = self
            .state
            .store()
            .create_account(kind, siret, name, nda.map(Nda::as_str))
            .await?;
        if created {
            Ok(())
        } else {
            Err(ServerError::AccountExists {
                siret: siret.as_str().to_owned(),
            })
        }
    }
}

/// When and how a demo declaration was recorded: a week after its reference date (never after
/// today), with the deadline and status of the same rule as the API ([`routes::declaration_obligation`]:
/// scope on the training end, category from the training type): a declaration that was not
/// mandatory is never « en retard ».
fn demo_recording(
    deadlines: &DeadlineRules,
    catalogue: &Catalogue,
    kind: DeclarantKind,
    declaration: &Declaration,
    today: NaiveDate,
) -> (Option<NaiveDate>, DeclarationStatus, chrono::DateTime<Utc>) {
    let reference = declaration.reference_date();
    let obligation = routes::declaration_obligation(deadlines, catalogue, kind, declaration);
    let deadline = obligation.as_ref().and_then(|o| o.shown_deadline());
    let recorded = reference
        .and_then(|r| r.checked_add_days(Days::new(DEMO_RECORDING_DELAY)))
        .map_or(today, |day| day.min(today));
    let status = if obligation.is_some_and(|o| o.is_late_on(recorded)) {
        DeclarationStatus::EnRetard
    } else {
        DeclarationStatus::Enregistree
    };
    let at = Utc.from_utc_datetime(&recorded.and_time(NaiveTime::MIN));
    (deadline, status, at)
}
