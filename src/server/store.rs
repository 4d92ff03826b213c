//! The store of the server: every SQL statement of the server lives here, over SQLite or
//! PostgreSQL through sqlx (runtime-checked queries; the schemas are in `migrations/sqlite/` and
//! `migrations/postgres/`, same versions).
//!
//! Tenancy is enforced in the SQL itself: every read takes the [`AccountRow`] of the caller and
//! only returns rows that account may see (design.md §3), so a route cannot forget it.
//!
//! One public [`Store`] hands each call to a backend module, `sqlite` or `postgres`, each owning
//! its pool, its write transactions and its dialect (the shape of atuin's server). The calls
//! shared by both are written ONCE, in `shared.rs`, as the body of the `ported!` macro expanded
//! in each backend module against that backend's `Db`, `DbRow` and `DbConn` types.
//! Why a macro: a body generic over `sqlx::Database` needs `Encode + Decode + Type` bounds for
//! every bound and read type plus executor bounds on the connection, repeated on every function
//! (Rust does not carry them from a helper trait), which buries the SQL; two hand-written modules
//! would let the two copies of the SQL drift. The macro keeps one text of each query, checked by
//! the compiler against both drivers. A concept with its own file (`dashboards.rs`,
//! `declarations.rs`, `exports.rs`…) defines its own `ported!`, expanded as a child module of
//! each backend module, so its helpers and imports stay apart from the others'. Statements use `$N` placeholders, `TRUE`/`FALSE`,
//! `INSERT … RETURNING id` and `ON CONFLICT`, which both engines accept; what differs is a
//! constant or function of the backend struct (`ENROLMENT_JOIN`, `FOR_UPDATE`, `json_date`,
//! `begin_write`).
//!
//! To port a call: move its body (and the connection helpers it calls) into `ported!`, with `?`
//! placeholders turned into `$N`, `0`/`1` flags into `FALSE`/`TRUE`, `last_insert_rowid()` into
//! `RETURNING id`, `BEGIN IMMEDIATE` into `self.begin_write()`, `QueryBuilder::<Sqlite>` into
//! `QueryBuilder::<Db>`; then make the `Store` method a [`dispatch!`]. Reads that a write
//! transaction changes after end with `FOR_UPDATE` (the row lock on PostgreSQL). Every call,
//! the demo seeding included, now runs on both backends.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
#[cfg(test)]
use sqlx::sqlite::SqlitePool;

use super::ServerError;
use super::database::{DatabaseSettings, DatabaseUrl};

pub mod audit;
mod dashboards;
mod declarations;
mod declared_entries;
mod entries;
mod idempotency;
mod postgres;
mod requirements;
mod rows;
mod rules;
mod seed;
mod shared;
mod sites;
mod sqlite;
mod staff;
mod unmapped;
mod verifications;
pub use verifications::DecideOutcome;
pub mod users;

use crate::api::contract::{
    DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView, ExpirationCounts,
    SessionDeclarationStatus, SessionSummary,
};
use crate::domain::deadline::DeadlineRules;
use crate::domain::declaration::Declaration;
use crate::domain::expiry::PassportEntry;
use crate::domain::ids::{Nir, Siret};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::worker::{Worker, WorkerId};
use crate::domain::{DeclarantKind, DeclarationKind};
pub use entries::{CheckedRecord, EntryRow, RecordOutcome, SavedEntry};
pub use idempotency::{Idempotent, IdempotentRequest};
use postgres::PgStore;
use sqlite::SqliteStore;
pub use staff::StaffOutcome;

mod exports;
pub use exports::{AnswerRefusal, BatchOutcome, NewBatch};
mod sessions;
pub use sessions::{CheckedSession, SavedSession, SessionOutcome, SessionRow, TraineeRef};
pub mod maintenance;

/// Key of the `meta` row marking a database seeded with demonstration data.
const META_DEMO: &str = "demo";

/// An account (employer or training organisation), as the routes see the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// Database identifier.
    pub id: i64,
    /// Employer or training organisation.
    pub kind: DeclarantKind,
    /// SIRET.
    pub siret: String,
    /// Company name.
    pub name: String,
    /// NDA of a training organisation.
    pub nda: Option<String>,
    /// The user behind the request's token; `None` for the command line.
    pub user: Option<users::UserAccess>,
}

/// One row of the expirations dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpirationRow {
    /// Entry identifier (the keyset tie-breaker).
    pub entry_id: i64,
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// Site.
    pub site: String,
    /// Name of the worker's employer.
    pub employer: String,
    /// Catalogue code.
    pub training_code: String,
    /// Last valid day.
    pub expires_on: NaiveDate,
}

/// Filters of the expirations dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpirationFilter {
    /// The server's today.
    pub today: NaiveDate,
    /// Last expiry date listed (today + within_days).
    pub until: NaiveDate,
    /// Only this training type.
    pub training: Option<String>,
    /// Only this site.
    pub site: Option<String>,
}

/// Filters of the sessions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFilter {
    /// The server's today (drives `en_cours`).
    pub today: NaiveDate,
    /// Sessions ending on or after this date.
    pub from: Option<NaiveDate>,
    /// Sessions starting on or before this date.
    pub to: Option<NaiveDate>,
    /// Only this declaration status.
    pub status: Option<SessionDeclarationStatus>,
    /// Which sessions are to be declared at all, by training type.
    pub scope: SessionScope,
}

/// From which session end date each training type is to be declared by one account: the scope
/// of the deadline rules by category, `None` for a type that never is (excluded by art. 4-II, or
/// a category never in scope) ([`DeadlineRules::first_end_in_scope`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionScope {
    /// `(catalogue code, first end date in scope)`.
    by_code: Vec<(String, Option<NaiveDate>)>,
    /// For a code missing from the catalogue.
    unknown: Option<NaiveDate>,
}

impl SessionScope {
    /// The scope of every catalogue type for `declarant`.
    pub fn new(catalogue: &Catalogue, deadlines: &DeadlineRules, declarant: DeclarantKind) -> Self {
        Self {
            by_code: catalogue
                .iter()
                .map(|t| {
                    (
                        t.code.clone(),
                        deadlines.first_end_in_scope(declarant, Some(t)),
                    )
                })
                .collect(),
            unknown: deadlines.first_end_in_scope(declarant, None),
        }
    }
}

/// A trainee of a session, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraineeRow {
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// NIR, 13 characters.
    pub nir: String,
    /// SIRET of the worker's employer.
    pub employer_siret: String,
    /// Name of the worker's employer.
    pub employer_name: String,
    /// Outcome.
    pub outcome: TraineeOutcome,
    /// Named in a live declaration of the session's owner linked to the session.
    pub declared: bool,
}

/// A declaration ready to be recorded: validated, with its deadline and status decided.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeclaration {
    /// The declaration as received (empty identifiers are assigned on insert).
    pub declaration: Declaration,
    /// `Idempotency-Key` of the request (none for seeded data).
    pub idempotency_key: Option<String>,
    /// SHA-256 hex of the canonical body as received.
    pub body_hash: Option<String>,
    /// Status at creation (`enregistree` or `en_retard`).
    pub status: DeclarationStatus,
    /// Deadline from the deadline rules.
    pub deadline: Option<NaiveDate>,
    /// When it is recorded.
    pub created_at: DateTime<Utc>,
    /// The session it declares, when known; else it is matched by dates and NIRs.
    pub session_id: Option<SessionId>,
}

/// What became of a create request.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    /// A new declaration was recorded.
    Created(Box<DeclarationView>),
    /// The same key and body were already recorded: the existing declaration.
    Replayed(Box<DeclarationView>),
    /// The key was already used with another body.
    KeyConflict,
    /// A client-given `ID_UNIQUE_PARTENAIRE` is already used by another line.
    PartnerIdTaken(String),
}

/// An idempotency key already seen for the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKey {
    /// The declaration created with it.
    pub id: DeclarationId,
    /// The hash of the body it was created with.
    pub body_hash: Option<String>,
}

/// The store: the database of the server, on either backend.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
}

/// The backend of a store.
#[derive(Debug, Clone)]
enum Backend {
    /// A SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

/// Hands a call to the backend of `$store`: `dispatch!(self, call(arguments))`.
macro_rules! dispatch {
    ($store:expr, $call:ident($($arg:expr),* $(,)?)) => {
        match &$store.backend {
            $crate::server::store::Backend::Sqlite(db) => db.$call($($arg),*).await,
            $crate::server::store::Backend::Postgres(db) => db.$call($($arg),*).await,
        }
    };
}
pub(super) use dispatch;

/// The database text of a unit enum variant (its serde name).
fn code_of<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Parses the database text of a unit enum variant.
fn parse_code<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, ServerError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| {
        ServerError::Corrupt {
            what: what.to_owned(),
            detail: e.to_string(),
        }
    })
}

/// Folds text for search: lowercase, French accents and ligatures removed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'À' | 'Â' | 'Ä' | 'Á' | 'Ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' | 'Î' | 'Ï' | 'Í' | 'Ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => out.push('u'),
            'ÿ' | 'Ÿ' | 'ý' | 'Ý' => out.push('y'),
            'ç' | 'Ç' => out.push('c'),
            'ñ' | 'Ñ' => out.push('n'),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            other => out.extend(other.to_lowercase()),
        }
    }
    out
}

/// The folded search text of a worker: names, NIR, employer and site.
fn search_text(worker: &Worker) -> String {
    let mut text = String::with_capacity(96);
    for part in [
        worker.last_name.as_str(),
        worker.usage_name.as_deref().unwrap_or(""),
        worker.first_names.as_str(),
        worker.nir.as_str(),
        worker.employer_name.as_str(),
        worker.site.as_str(),
    ] {
        text.push_str(&fold(part));
        text.push(' ');
    }
    text
}

/// A `LIKE` pattern matching `needle` anywhere, with `%`, `_` and `\` escaped (`ESCAPE '\'`).
fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The canonical 13-character NIR of a titulaire, or the text as given when it does not parse.
fn canonical_nir(text: &str) -> String {
    Nir::from_str(text).map_or_else(|_| text.trim().to_owned(), |nir| nir.as_str().to_owned())
}

/// The `SELECT` list of a worker.
const WORKER_COLUMNS: &str = "w.id, w.nir, w.last_name, w.usage_name, w.first_names, \
     w.birth_date, w.employer_siret, w.employer_name, w.site";

/// Parses the stored JSON body of a declaration.
fn parse_body(body: &str) -> Result<Declaration, ServerError> {
    serde_json::from_str(body).map_err(|e| ServerError::Corrupt {
        what: "déclaration enregistrée".to_owned(),
        // Position only: serde's message could quote a value (a NIR).
        detail: format!("JSON illisible ligne {}, colonne {}", e.line(), e.column()),
    })
}

/// Serialises a declaration for storage.
fn body_json(declaration: &Declaration) -> Result<String, ServerError> {
    serde_json::to_string(declaration).map_err(|e| ServerError::Corrupt {
        what: "déclaration à enregistrer".to_owned(),
        detail: e.to_string(),
    })
}

/// Whether an error is a violation of a UNIQUE constraint.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Marks as superseded every entry older than a later entry of the same family of training types
/// (by end date, then validity start, then order): a MAC SST renews the SST certificate, an SS3
/// recyclage the SS3 formation préalable (`supersedes` in the catalogue, [`Catalogue::family`]).
fn supersession(entries: &[PassportEntry], catalogue: &Catalogue) -> Vec<bool> {
    let mut latest: HashMap<&str, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let key = (entry.end_date, entry.validity_start);
        latest
            .entry(catalogue.family(&entry.training_code))
            .and_modify(|best| {
                let current = &entries[*best];
                if key >= (current.end_date, current.validity_start) {
                    *best = index;
                }
            })
            .or_insert(index);
    }
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| latest.get(catalogue.family(&entry.training_code)) != Some(&index))
        .collect()
}

impl Store {
    /// Opens the database of `settings` (a SQLite file is created when missing) and runs the
    /// migrations of its backend.
    pub async fn open(settings: &DatabaseSettings) -> Result<Self, ServerError> {
        let backend = match &settings.url {
            DatabaseUrl::Sqlite(path) => {
                Backend::Sqlite(SqliteStore::open(path, settings.sqlite_max_pages).await?)
            }
            DatabaseUrl::Postgres(url) => Backend::Postgres(PgStore::open(url, settings).await?),
        };
        Ok(Self { backend })
    }

    /// The SQLite pool, for the unit tests that read rows directly.
    #[cfg(test)]
    fn sqlite(&self) -> Option<&SqlitePool> {
        match &self.backend {
            Backend::Sqlite(db) => Some(&db.pool),
            Backend::Postgres(_) => None,
        }
    }

    /// Checks the database takes writes (a read-only file fails here, not on a request).
    pub async fn probe_writes(&self) -> Result<(), ServerError> {
        dispatch!(self, probe_writes())
    }

    /// Whether the database holds no account yet (a new database).
    pub async fn is_empty(&self) -> Result<bool, ServerError> {
        dispatch!(self, is_empty())
    }

    /// Whether the database was seeded with demonstration data.
    pub async fn is_demo(&self) -> Result<bool, ServerError> {
        dispatch!(self, is_demo())
    }

    /// Creates an account; `false` when the SIRET already has one.
    pub async fn create_account(
        &self,
        kind: DeclarantKind,
        siret: &Siret,
        name: &str,
        nda: Option<&str>,
    ) -> Result<bool, ServerError> {
        dispatch!(self, create_account(kind, siret, name, nda))
    }

    /// Gives the tokens that have no user yet (made before users, or by the demo seeding) to
    /// an « administration » user of their account, created when missing; how many were.
    pub async fn adopt_tokens(&self) -> Result<u64, ServerError> {
        dispatch!(self, adopt_tokens())
    }

    /// Creates a user of the account with this SIRET; its identifier, or why not.
    pub async fn create_user(
        &self,
        siret: &Siret,
        new: &users::NewUser,
    ) -> Result<Result<i64, users::UserRefusal>, ServerError> {
        dispatch!(self, create_user(siret.as_str(), new))
    }

    /// The users of the account with this SIRET, by creation; `None` without such account.
    pub async fn users(&self, siret: &Siret) -> Result<Option<Vec<users::UserRow>>, ServerError> {
        dispatch!(self, users(siret.as_str()))
    }

    /// Disables a user: its tokens are refused from now on.
    pub async fn disable_user(
        &self,
        siret: &Siret,
        email: &str,
    ) -> Result<Result<(), users::UserRefusal>, ServerError> {
        dispatch!(self, disable_user(siret.as_str(), email))
    }

    /// Stores a token of the user `email` of the account (its « administration » user, created
    /// when missing, for `None`).
    pub async fn add_user_token(
        &self,
        siret: &Siret,
        email: Option<&str>,
        token: &users::NewToken,
    ) -> Result<Result<(), users::UserRefusal>, ServerError> {
        dispatch!(self, add_user_token(siret.as_str(), email, token))
    }

    /// The tokens of the account with this SIRET (prefixes and dates only).
    pub async fn tokens(&self, siret: &Siret) -> Result<Option<Vec<users::TokenRow>>, ServerError> {
        dispatch!(self, tokens(siret.as_str()))
    }

    /// Revokes the tokens whose hashes are `hashes` (the public demo tokens), each with its
    /// audit entry, and with `end_demo` unmarks the database as a demo one, in one transaction;
    /// how many were still live.
    pub async fn retire_demo_tokens(
        &self,
        hashes: &[String],
        end_demo: bool,
    ) -> Result<u64, ServerError> {
        dispatch!(self, retire_demo_tokens(hashes, end_demo))
    }

    /// Revokes the one live token whose prefix starts with `prefix`.
    pub async fn revoke_token(
        &self,
        prefix: &str,
    ) -> Result<Result<(), users::UserRefusal>, ServerError> {
        dispatch!(self, revoke_token(prefix))
    }

    /// The account and user of the live token with this SHA-256 hex hash at `now`: neither
    /// revoked nor expired, of a user not disabled.
    pub async fn caller_by_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRow>, ServerError> {
        dispatch!(self, caller_by_token(hash, now))
    }

    /// Up to `limit` + 1 entries of the account's audit trail matching `filter`, oldest first
    /// (newest first when the filter says so).
    pub async fn audit(
        &self,
        account: &AccountRow,
        filter: &audit::AuditFilter,
        limit: u32,
    ) -> Result<Vec<audit::AuditRow>, ServerError> {
        dispatch!(self, audit(account, filter, limit))
    }

    /// A page of the workers visible to `account`, by id, after `after`, matching every folded
    /// word of `words` (names, NIR, employer, site); an employer's leavers only when
    /// `include_archived`. Returns up to `limit` + 1 rows so the caller knows whether a next page
    /// exists.
    pub async fn workers(
        &self,
        account: &AccountRow,
        words: &[String],
        include_archived: bool,
        after: Option<WorkerId>,
        limit: u32,
    ) -> Result<Vec<Worker>, ServerError> {
        dispatch!(
            self,
            workers(account, words, include_archived, after, limit)
        )
    }

    /// One worker, if visible to `account`.
    pub async fn worker(
        &self,
        account: &AccountRow,
        id: WorkerId,
    ) -> Result<Option<Worker>, ServerError> {
        dispatch!(self, worker(account, id))
    }

    /// The passport entries of a worker visible to `account` (the caller checked the worker):
    /// the live entries of the worker's person that the account sees (docs/model.md: an
    /// employer those it recorded or declared or that were declared for its SIRET, a training
    /// organisation those of its sessions and declarations); most recent first. A session's
    /// entry takes the validity dates of the latest declaration of that session naming the
    /// person, so the Passeport and the declaration agree (UX review 2026-12, finding 23); the
    /// session's own dates stay when it is not declared.
    pub async fn passport(
        &self,
        account: &AccountRow,
        worker: WorkerId,
    ) -> Result<Vec<EntryRow>, ServerError> {
        dispatch!(self, passport(account, worker))
    }

    /// A page of the account's sessions, latest end date first, after the `(end_date, id)`
    /// cursor; up to `limit` + 1 rows.
    pub async fn sessions(
        &self,
        account: &AccountRow,
        filter: &SessionFilter,
        after: Option<(NaiveDate, SessionId)>,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, ServerError> {
        dispatch!(self, sessions(account, filter, after, limit))
    }

    /// One session of the account, with its trainees (by name).
    pub async fn session(
        &self,
        account: &AccountRow,
        id: SessionId,
        today: NaiveDate,
        scope: &SessionScope,
    ) -> Result<Option<(SessionSummary, Vec<TraineeRow>)>, ServerError> {
        dispatch!(self, session(account, id, today, scope))
    }

    /// A page of current (non-superseded) expiries visible to `account` up to `filter.until`,
    /// past ones included, by `(expires_on, entry id)` after the cursor; up to `limit` + 1 rows.
    pub async fn expirations(
        &self,
        account: &AccountRow,
        filter: &ExpirationFilter,
        after: Option<(NaiveDate, i64)>,
        limit: u32,
    ) -> Result<Vec<ExpirationRow>, ServerError> {
        dispatch!(self, expirations(account, filter, after, limit))
    }

    /// Counts of current expiries by band (expired, 0–30, 31–60, 61–90 days) over everything
    /// visible to `account`, with the training and site filters.
    pub async fn expiration_counts(
        &self,
        account: &AccountRow,
        filter: &ExpirationFilter,
    ) -> Result<ExpirationCounts, ServerError> {
        dispatch!(self, expiration_counts(account, filter))
    }

    /// The declaration created with this idempotency key by the account, if any.
    pub async fn known_key(
        &self,
        account: &AccountRow,
        key: &str,
    ) -> Result<Option<KnownKey>, ServerError> {
        dispatch!(self, known_key(account, key))
    }

    /// Records a declaration in ONE transaction, idempotently: a key already used returns the
    /// existing declaration (same body hash) or a conflict (other body). Each titulaire becomes
    /// an entry of the person with that NIR, its type mapped with `catalogue`.
    pub async fn create_declaration(
        &self,
        account: &AccountRow,
        new: &NewDeclaration,
        catalogue: &Catalogue,
    ) -> Result<CreateOutcome, ServerError> {
        dispatch!(self, create_declaration(account, new, catalogue))
    }

    /// A page of the account's declarations, newest first, before the `before` id; up to
    /// `limit` + 1 rows. A user limited to sites gets those naming a worker of the sites, each
    /// counting only those titulaires.
    pub async fn declarations(
        &self,
        account: &AccountRow,
        status: Option<DeclarationStatus>,
        before: Option<DeclarationId>,
        limit: u32,
    ) -> Result<Vec<DeclarationSummary>, ServerError> {
        let mut summaries = dispatch!(self, declarations(account, status, before, limit))?;
        let ids: Vec<DeclarationId> = summaries.iter().map(|s| s.id).collect();
        if let Some(counts) = self.visible_titulaire_counts(account, &ids).await? {
            for summary in &mut summaries {
                summary.titulaire_count = counts.get(&summary.id).copied().unwrap_or(0);
            }
        }
        Ok(summaries)
    }

    /// One declaration of the account (for a user limited to sites, with the titulaires of
    /// those sites only, and none when it names none).
    pub async fn declaration(
        &self,
        account: &AccountRow,
        id: DeclarationId,
    ) -> Result<Option<DeclarationView>, ServerError> {
        let view = dispatch!(self, declaration(account, id))?;
        self.within_sites(account, view).await
    }

    /// Removes one titulaire from a declaration of the account (the platform's only
    /// correction); removing the last one sets the status `supprimee`, and the titulaire's
    /// passport entry goes. `None` when the declaration or the live titulaire does not exist
    /// for this account (or, for a user limited to sites, is not of those sites).
    pub async fn remove_titulaire(
        &self,
        account: &AccountRow,
        id: DeclarationId,
        id_unique_partenaire: &str,
        catalogue: &Catalogue,
    ) -> Result<Option<DeclarationView>, ServerError> {
        if account.sites().is_some() {
            let seen = self.declaration(account, id).await?;
            let named = seen.is_some_and(|view| {
                view.declaration
                    .titulaires
                    .iter()
                    .any(|t| t.id_unique_partenaire == id_unique_partenaire)
            });
            if !named {
                return Ok(None);
            }
        }
        let view = dispatch!(
            self,
            remove_titulaire(account, id, id_unique_partenaire, catalogue)
        )?;
        // The declaration stays readable once its last titulaire of the sites is removed.
        match self.within_sites(account, view.clone()).await? {
            Some(kept) => Ok(Some(kept)),
            None => Ok(view.map(|mut view| {
                view.declaration.titulaires.clear();
                view.summary.titulaire_count = 0;
                view
            })),
        }
    }

    /// The account's live (not `supprimee`) declarations of one kind, by id, for the bulk export.
    pub async fn export(
        &self,
        account: &AccountRow,
        kind: DeclarationKind,
    ) -> Result<Vec<Declaration>, ServerError> {
        dispatch!(self, export(account, kind))
    }

    /// Closes the pool (checkpointing the WAL on SQLite).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(db) => db.pool.close().await,
            Backend::Postgres(db) => db.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let versions = |migrator: sqlx::migrate::Migrator| -> Vec<(i64, String)> {
            migrator
                .iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        let sqlite = versions(sqlx::migrate!("src/server/migrations/sqlite"));
        let postgres = versions(sqlx::migrate!("src/server/migrations/postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }

    fn entry(code: &str, end: (i32, u32, u32)) -> PassportEntry {
        PassportEntry {
            training_code: code.to_owned(),
            end_date: NaiveDate::from_ymd_opt(end.0, end.1, end.2).unwrap(),
            validity_start: None,
            validity_end: None,
        }
    }

    #[test]
    fn fold_removes_case_accents_and_ligatures() {
        assert_eq!(
            fold("Éloïse LEFÈVRE-Bénard Œuvre Ç"),
            "eloise lefevre-benard oeuvre c"
        );
        assert_eq!(fold("N'DIAYE Zoé"), "n'diaye zoe");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn only_the_latest_entry_of_a_training_is_current() {
        let entries = vec![
            entry("SST", (2022, 1, 10)),
            entry("CACES_R489", (2021, 5, 1)),
            entry("SST", (2024, 1, 10)),
            entry("SST", (2023, 1, 10)),
        ];
        let catalogue = Catalogue::embedded().unwrap();
        assert_eq!(
            supersession(&entries, &catalogue),
            vec![true, false, false, true]
        );
    }

    #[test]
    fn a_renewal_supersedes_the_older_entry_of_its_family() {
        let catalogue = Catalogue::embedded().unwrap();
        // SST in 2023, then its MAC SST in 2025: the SST is no longer the current entry.
        let entries = vec![
            entry("SST", (2023, 3, 10)),
            entry("MAC_SST", (2025, 3, 1)),
            entry("AMIANTE_SS3", (2024, 1, 15)),
            entry("AMIANTE_SS3_RECYCLAGE", (2024, 7, 1)),
            entry("CACES_R489", (2022, 5, 1)),
        ];
        assert_eq!(
            supersession(&entries, &catalogue),
            vec![true, false, true, false, false]
        );
        // A full SST taken after a MAC SST renews it in turn.
        let entries = vec![entry("MAC_SST", (2024, 3, 1)), entry("SST", (2025, 6, 2))];
        assert_eq!(supersession(&entries, &catalogue), vec![true, false]);
    }

    #[test]
    fn enum_codes_round_trip() {
        assert_eq!(code_of(DeclarationStatus::EnRetard), "en_retard");
        assert_eq!(code_of(TraineeOutcome::Passed), "passed");
        let kind: DeclarantKind = parse_code("x", "organisme_formation").unwrap();
        assert_eq!(kind, DeclarantKind::OrganismeFormation);
        assert!(parse_code::<DeclarantKind>("x", "inconnu").is_err());
    }
}
