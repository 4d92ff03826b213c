//! The sandbox Passeport API server (design.md §3): axum over a SQLite or PostgreSQL store, with bearer
//! tokens, strict tenancy, RFC 9457 errors and an OpenAPI document generated from the routes.
//!
//! [`Server::open`] opens (or creates) the database and seeds demonstration data on first run;
//! [`Server::router`] gives the routes with their middleware; [`Server::serve`] serves them on a
//! listener until a shutdown signal.

mod auth;
mod cursor;
pub mod database;
pub mod demo;
pub mod faults;
mod hardening;
pub mod listen;
mod loopback;
mod private_demo;
mod problem;
mod routes;
mod store;
pub mod tls;
pub use auth::new_token;
pub use private_demo::{DemoLogin, demo_logins};
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
use crate::domain::rights::Role;
use crate::domain::training::Catalogue;
use database::DatabaseSettings;
use store::Store;
pub use store::audit::AuditRow;
use store::users::{NewToken, UserRefusal};
pub use store::users::{NewUser, TokenRow, UserAccess, UserRow};

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
    /// A user or token write refused (unknown or existing user, unknown token…).
    #[error("{0}")]
    Users(#[from] UsersError),
    /// The database cannot be written (checked at start).
    #[error(
        "la base de données {database} n'accepte pas d'écriture : {fault} ; vérifiez que \
         l'utilisateur du serveur peut écrire le fichier et son dossier, et l'espace disque"
    )]
    NotWritable {
        /// The database (a path, or a URL with its password masked).
        database: String,
        /// Why.
        fault: faults::StorageFault,
    },
}

/// Why a user or token command was refused, in French for the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsersError {
    /// No account has this SIRET.
    #[error("aucun compte pour le SIRET {siret} : créez d'abord le compte")]
    UnknownAccount {
        /// The SIRET asked for.
        siret: String,
    },
    /// The account has no user with this e-mail.
    #[error("aucun utilisateur « {email} » dans ce compte : voyez « passeport user list »")]
    UnknownUser {
        /// The e-mail asked for.
        email: String,
    },
    /// The account already has a user with this e-mail.
    #[error("un utilisateur « {email} » existe déjà dans ce compte")]
    UserExists {
        /// The e-mail asked for.
        email: String,
    },
    /// The user is disabled.
    #[error("l'utilisateur « {email} » est désactivé : il ne reçoit plus de jeton")]
    UserDisabled {
        /// Its e-mail.
        email: String,
    },
    /// A required text is empty.
    #[error("{field} est vide")]
    Empty {
        /// The option (`--name`, `--email`).
        field: &'static str,
    },
    /// The prefix is too short to name one token safely.
    #[error(
        "préfixe « {prefix} » trop court : donnez au moins {min} caractères (passeport token list)"
    )]
    ShortPrefix {
        /// The prefix given.
        prefix: String,
        /// Characters needed.
        min: usize,
    },
    /// No live token has this prefix.
    #[error("aucun jeton actif ne commence par « {prefix} » (passeport token list)")]
    UnknownToken {
        /// The prefix given.
        prefix: String,
    },
    /// Several live tokens have this prefix.
    #[error("{count} jetons actifs commencent par « {prefix} » : donnez un préfixe plus long")]
    AmbiguousToken {
        /// The prefix given.
        prefix: String,
        /// How many match.
        count: u64,
    },
}

/// Shortest prefix `token revoke` takes.
pub const MIN_REVOKE_PREFIX: usize = 6;

/// The demo users with a role other than administration, on the first demo employer: token,
/// name, e-mail, role.
pub const DEMO_ROLE_USERS: [(&str, &str, &str, Role); 2] = [
    (
        "demo-lecture",
        "Léa Lecture",
        "lecture@demo.example",
        Role::Lecture,
    ),
    (
        "demo-saisie",
        "Sam Saisie",
        "saisie@demo.example",
        Role::Saisie,
    ),
];

/// What the handlers share.
struct Shared {
    store: Store,
    catalogue: Catalogue,
    deadlines: DeadlineRules,
    today: Option<NaiveDate>,
    /// Whether the database holds demonstration data; cleared by [`Server::retire_demo`].
    demo: std::sync::atomic::AtomicBool,
    writes: faults::WriteHealth,
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

    /// Whether writes are failing on a storage fault.
    fn writes(&self) -> &faults::WriteHealth {
        &self.0.writes
    }

    /// Whether the database holds demonstration data.
    fn is_demo(&self) -> bool {
        self.0.demo.load(std::sync::atomic::Ordering::Relaxed)
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

    /// Opens the database of `database` (its `db_path` is ignored) as [`Server::open`] does, on
    /// either backend.
    pub async fn open_on(
        database: &DatabaseSettings,
        opts: ServerOptions,
        catalogue: Catalogue,
        deadlines: DeadlineRules,
    ) -> Result<Server, ServerError> {
        let not_writable = |error| faults::not_writable(&database.url, error);
        let store = Store::open(database).await.map_err(not_writable)?;
        store.probe_writes().await.map_err(not_writable)?;
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
            if let Some(employer) = demo.accounts().first() {
                seed_role_users(&store, &employer.siret).await?;
            }
            tracing::info!(
                workers = demo_options.workers,
                elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "données de démonstration créées"
            );
        }
        let adopted = store.adopt_tokens().await?;
        if adopted > 0 {
            tracing::info!(
                adopted,
                "jetons rattachés à un utilisateur « administration »"
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
            demo: demo.into(),
            writes: faults::WriteHealth::default(),
        };
        Ok(Server {
            state: AppState(Arc::new(shared)),
        })
    }

    /// Every route of design.md §3 with its middleware.
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    /// Serves the routes on `listener` with the default [`listen::Limits`] and no TLS until
    /// `shutdown` completes, as [`Server::serve_with`] does.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        self.serve_with(listener, listen::ListenOptions::default(), shutdown)
            .await
    }

    /// Serves the routes on `listener` with these limits and TLS until `shutdown` completes,
    /// then closes the database. On a loopback address, a request naming another host than a
    /// loopback name is refused (a web page cannot reach the server through DNS rebinding).
    pub async fn serve_with(
        self,
        listener: tokio::net::TcpListener,
        options: listen::ListenOptions,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let mut router = self.router();
        if listener.local_addr()?.ip().is_loopback() {
            router = router.layer(axum::middleware::from_fn(loopback::loopback_host));
        }
        listen::serve(listener, router, options, shutdown).await;
        self.state.store().close().await;
        Ok(())
    }

    /// Whether the database holds demonstration data (the client shows `SANDBOX`).
    pub fn is_demo(&self) -> bool {
        self.state.is_demo()
    }

    /// A new random token of the « administration » user of the account with this SIRET,
    /// stored hashed: the caller prints it once, it cannot be read back.
    pub async fn create_token(&self, siret: &Siret) -> Result<String, ServerError> {
        self.create_user_token(siret, None, None).await
    }

    /// A new random token of the user `email` of the account (its « administration » user for
    /// `None`), valid until `expires_at` when given; printed once by the caller.
    pub async fn create_user_token(
        &self,
        siret: &Siret,
        email: Option<&str>,
        expires_at: Option<chrono::DateTime<Utc>>,
    ) -> Result<String, ServerError> {
        let token = auth::new_token();
        let new = NewToken {
            hash: auth::hash_token(&token),
            prefix: token.chars().take(auth::PREFIX_LEN).collect(),
            expires_at,
        };
        let stored = self
            .state
            .store()
            .add_user_token(siret, email, &new)
            .await?;
        stored
            .map_err(|refusal| refused(refusal, siret.as_str(), email.unwrap_or_default(), ""))?;
        Ok(token)
    }

    /// Creates a user of the account with this SIRET.
    pub async fn create_user(&self, siret: &Siret, new: &NewUser) -> Result<(), ServerError> {
        if new.name.trim().is_empty() {
            return Err(UsersError::Empty { field: "--name" }.into());
        }
        if new.email.trim().is_empty() {
            return Err(UsersError::Empty { field: "--email" }.into());
        }
        let created = self.state.store().create_user(siret, new).await?;
        created
            .map(|_| ())
            .map_err(|refusal| refused(refusal, siret.as_str(), &new.email, ""))
    }

    /// The users of the account with this SIRET.
    pub async fn users(&self, siret: &Siret) -> Result<Vec<UserRow>, ServerError> {
        self.state
            .store()
            .users(siret)
            .await?
            .ok_or_else(|| refused(UserRefusal::NoAccount, siret.as_str(), "", ""))
    }

    /// Disables the user `email`: its tokens are refused from now on.
    pub async fn disable_user(&self, siret: &Siret, email: &str) -> Result<(), ServerError> {
        let disabled = self.state.store().disable_user(siret, email).await?;
        disabled.map_err(|refusal| refused(refusal, siret.as_str(), email, ""))
    }

    /// The tokens of the account with this SIRET (prefixes and dates, never a token).
    pub async fn tokens(&self, siret: &Siret) -> Result<Vec<TokenRow>, ServerError> {
        self.state
            .store()
            .tokens(siret)
            .await?
            .ok_or_else(|| refused(UserRefusal::NoAccount, siret.as_str(), "", ""))
    }

    /// Ends the demonstration mode of a database served without `--demo`, or given a real
    /// account (finding L2 of the December review): the public demo tokens ([`DEMO_TOKENS`],
    /// [`DEMO_ROLE_USERS`]) are revoked, each in the audit trail, and the database is no longer
    /// a demo one (no « sandbox » in `/v1/me`, no demo banner). How many tokens were live.
    pub async fn retire_demo(&self) -> Result<u64, ServerError> {
        let hashes: Vec<String> = private_demo::demo_logins()
            .iter()
            .map(|login| auth::hash_token(login.public))
            .collect();
        let retired = self.state.store().retire_demo_tokens(&hashes, true).await?;
        self.state
            .0
            .demo
            .store(false, std::sync::atomic::Ordering::Relaxed);
        Ok(retired)
    }

    /// Revokes the one live token starting with `prefix` (at least [`MIN_REVOKE_PREFIX`]
    /// characters): it is refused at once.
    pub async fn revoke_token(&self, prefix: &str) -> Result<(), ServerError> {
        let prefix = prefix.trim();
        if prefix.chars().count() < MIN_REVOKE_PREFIX {
            return Err(UsersError::ShortPrefix {
                prefix: prefix.to_owned(),
                min: MIN_REVOKE_PREFIX,
            }
            .into());
        }
        let revoked = self.state.store().revoke_token(prefix).await?;
        revoked.map_err(|refusal| refused(refusal, "", "", prefix))
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

/// The error of a refused user or token write.
fn refused(refusal: UserRefusal, siret: &str, email: &str, prefix: &str) -> ServerError {
    let email = email.to_owned();
    let prefix = prefix.to_owned();
    ServerError::Users(match refusal {
        UserRefusal::NoAccount => UsersError::UnknownAccount {
            siret: siret.to_owned(),
        },
        UserRefusal::NoUser => UsersError::UnknownUser { email },
        UserRefusal::UserExists => UsersError::UserExists { email },
        UserRefusal::Disabled => UsersError::UserDisabled { email },
        UserRefusal::NoToken => UsersError::UnknownToken { prefix },
        UserRefusal::AmbiguousPrefix(count) => UsersError::AmbiguousToken { prefix, count },
    })
}

/// Creates the [`DEMO_ROLE_USERS`] of the demo employer with their fixed tokens.
async fn seed_role_users(store: &Store, siret: &Siret) -> Result<(), ServerError> {
    for (token, name, email, role) in DEMO_ROLE_USERS {
        let new = NewUser {
            name: name.to_owned(),
            email: email.to_owned(),
            role,
            nir_access: false,
            sites: None,
        };
        store
            .create_user(siret, &new)
            .await?
            .map_err(|refusal| refused(refusal, siret.as_str(), email, ""))?;
        let token = NewToken {
            hash: auth::hash_token(token),
            prefix: token.to_owned(),
            expires_at: None,
        };
        store
            .add_user_token(siret, Some(email), &token)
            .await?
            .map_err(|refusal| refused(refusal, siret.as_str(), email, ""))?;
    }
    Ok(())
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
