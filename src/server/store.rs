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
//! the compiler against both drivers. Statements use `$N` placeholders, `TRUE`/`FALSE`,
//! `INSERT … RETURNING id` and `ON CONFLICT`, which both engines accept; what differs is a
//! constant or function of the backend struct (`ENROLMENT_JOIN`, `json_date`, `begin_write`).
//!
//! To port a call: move its body (and the connection helpers it calls) into `ported!`, with `?`
//! placeholders turned into `$N`, `0`/`1` flags into `FALSE`/`TRUE`, `last_insert_rowid()` into
//! `RETURNING id`, `BEGIN IMMEDIATE` into `self.begin_write()`, `QueryBuilder::<Sqlite>` into
//! `QueryBuilder::<Db>`; then make the `Store` method a [`dispatch!`]. The calls not yet ported
//! still run on the SQLite pool through [`Store::sqlite`], which answers
//! [`ServerError::NotOnPostgres`] (a 501 problem) on PostgreSQL.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Connection, QueryBuilder, Row, Sqlite, SqliteConnection};

use super::ServerError;
use super::database::{DatabaseSettings, DatabaseUrl};
use super::demo::Demo;

pub mod audit;
mod entries;
mod idempotency;
mod postgres;
mod rules;
mod shared;
mod sqlite;
mod staff;
mod unmapped;
pub mod users;

use crate::api::contract::{
    DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView, ExpirationCounts,
    SessionDeclarationStatus, SessionSummary,
};
use crate::domain::deadline::DeadlineRules;
use crate::domain::declaration::Declaration;
use crate::domain::expiry::{PassportEntry, expiry_date};
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

/// Rows per multi-row INSERT while seeding; keeps each statement under SQLite's bound-parameter
/// limit (32,766) and lets sqlx reuse one prepared statement per table.
const SEED_BATCH: usize = 500;
/// Page cache of the seeding connection (256 MiB): the NIR index and the trainees' primary key
/// are filled in random order, and a small cache would spill pages again and again.
const SEED_CACHE_PRAGMA: &str = "PRAGMA cache_size = -262144";
/// The connections' page cache, restored after seeding.
const DEFAULT_CACHE_PRAGMA: &str = "PRAGMA cache_size = -16384";
/// Workers handed to the demo generator to build its recorded declarations.
const DECLARATION_SAMPLE: usize = 5000;
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

    /// Appends `CASE s.training_code WHEN … THEN <first end in scope> … ELSE … END` (NULL for a
    /// type never in scope).
    fn push_case(&self, builder: &mut QueryBuilder<'_, Sqlite>) {
        if self.by_code.is_empty() {
            builder.push_bind(self.unknown);
            return;
        }
        builder.push("CASE s.training_code");
        for (code, from) in &self.by_code {
            builder
                .push(" WHEN ")
                .push_bind(code.clone())
                .push(" THEN ")
                .push_bind(*from);
        }
        builder.push(" ELSE ").push_bind(self.unknown).push(" END");
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

/// Sessions of one account with their trainee count and computed declaration status, in parts
/// around the bound values (today, the scope by training type, then the account). A session is
/// `en_cours` until its end date has passed; `non_concernee` with no present trainee; `declaree`
/// when every present trainee's NIR is a live titulaire of a live declaration of the session's
/// owner linked to the session; `non_concernee` when its training type is excluded or its end is
/// before the scope of its category ([`SessionScope`]); `a_declarer` otherwise. The outer query
/// is aliased `y` for further conditions; the status uses `EXISTS` so it stops at the first
/// trainee that decides it.
const SESSION_SQL_HEAD: &str = "SELECT * FROM (SELECT s.id, s.training_code, s.title, \
     s.organisme, s.place, s.start_date, s.end_date, s.closed_at, \
     (SELECT COUNT(*) FROM session_trainees t WHERE t.session_id = s.id) AS trainee_count, \
     CASE WHEN s.end_date >= ";
/// See [`SESSION_SQL_HEAD`].
const SESSION_SQL_MID: &str = " THEN 'en_cours' \
       WHEN NOT EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = s.id \
         AND t.outcome IN ('passed', 'attended')) THEN 'non_concernee' \
       WHEN NOT EXISTS (SELECT 1 FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
         WHERE t.session_id = s.id AND t.outcome IN ('passed', 'attended') \
         AND NOT EXISTS (SELECT 1 FROM declaration_titulaires dt \
           JOIN declarations d ON d.id = dt.declaration_id \
           WHERE dt.nir = w.nir AND dt.removed = 0 AND d.session_id = s.id \
           AND d.account_id = s.account_id AND d.status <> 'supprimee')) THEN 'declaree' \
       WHEN s.end_date < COALESCE(";
/// See [`SESSION_SQL_HEAD`]: a type never in scope compares with the latest date.
const SESSION_SQL_SCOPE: &str = ", '9999-12-31') THEN 'non_concernee' \
       ELSE 'a_declarer' END AS declaration_status \
     FROM sessions s WHERE s.account_id = ";
/// See [`SESSION_SQL_HEAD`].
const SESSION_SQL_TAIL: &str = ") AS y WHERE 1 = 1";

/// Decodes a session summary selected with [`push_session_select`].
fn session_from_row(row: &SqliteRow) -> Result<SessionSummary, ServerError> {
    let status: String = row.try_get("declaration_status")?;
    let count: i64 = row.try_get("trainee_count")?;
    Ok(SessionSummary {
        id: row.try_get("id")?,
        training_code: row.try_get("training_code")?,
        title: row.try_get("title")?,
        organisme: row.try_get("organisme")?,
        place: row.try_get("place")?,
        start_date: row.try_get("start_date")?,
        end_date: row.try_get("end_date")?,
        trainee_count: u32::try_from(count).unwrap_or(u32::MAX),
        declaration_status: parse_code("statut de session", &status)?,
        closed_on: row.try_get("closed_at")?,
    })
}

/// The `SELECT` of a declaration summary (without its `WHERE`).
const DECLARATION_SQL: &str = "SELECT d.id, d.reference, d.kind, d.training_title, d.status, \
     d.deadline, d.created_at, d.body, \
     (SELECT COUNT(*) FROM declaration_titulaires dt WHERE dt.declaration_id = d.id \
        AND dt.removed = 0) AS titulaire_count \
     FROM declarations d WHERE d.account_id = ";

/// Decodes a declaration summary selected with [`DECLARATION_SQL`].
fn declaration_summary_from_row(row: &SqliteRow) -> Result<DeclarationSummary, ServerError> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let count: i64 = row.try_get("titulaire_count")?;
    Ok(DeclarationSummary {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        kind: parse_code("type de déclaration", &kind)?,
        training_title: row.try_get("training_title")?,
        titulaire_count: u32::try_from(count).unwrap_or(u32::MAX),
        status: parse_code("statut de déclaration", &status)?,
        deadline: row.try_get("deadline")?,
        created_at: row.try_get("created_at")?,
        export: None,
    })
}

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

/// Reads a declaration of `account` on an open connection.
async fn declaration_on(
    conn: &mut SqliteConnection,
    account_id: i64,
    id: DeclarationId,
) -> Result<Option<DeclarationView>, ServerError> {
    let sql = format!("{DECLARATION_SQL}? AND d.id = ?");
    let row = sqlx::query(&sql)
        .bind(account_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        let body: String = row.try_get("body")?;
        Ok(DeclarationView {
            summary: declaration_summary_from_row(&row)?,
            declaration: parse_body(&body)?,
        })
    })
    .transpose()
}

/// Records a declaration on an open transaction: assigns empty identifiers (`PP-{id}` for
/// ID_DECLARATION, `REF-{id}` for REFERENCE_DECLARATION, `PP-{id}-{n}` for each empty
/// ID_UNIQUE_PARTENAIRE), reserves each ID_UNIQUE_PARTENAIRE, links the session, and writes
/// the passport entry of each titulaire ([`entries::declare_entries`]).
/// `Err(Ok(id))` reports an ID_UNIQUE_PARTENAIRE already taken; the caller rolls back.
async fn insert_declaration(
    conn: &mut SqliteConnection,
    account_id: i64,
    new: &NewDeclaration,
    catalogue: &Catalogue,
) -> Result<Result<DeclarationId, String>, ServerError> {
    let mut declaration = new.declaration.clone();
    let inserted = sqlx::query(
        "INSERT INTO declarations (account_id, idempotency_key, body_hash, kind, reference, \
         training_title, status, deadline, created_at, session_id, body) \
         VALUES (?, ?, ?, ?, '', '', ?, ?, ?, ?, '{}')",
    )
    .bind(account_id)
    .bind(new.idempotency_key.as_deref())
    .bind(new.body_hash.as_deref())
    .bind(code_of(declaration.kind))
    .bind(code_of(new.status))
    .bind(new.deadline)
    .bind(new.created_at)
    .bind(new.session_id)
    .execute(&mut *conn)
    .await?;
    let id = inserted.last_insert_rowid();
    if declaration.id_declaration.trim().is_empty() {
        declaration.id_declaration = format!("PP-{id}");
    }
    if declaration.reference_declaration.trim().is_empty() {
        declaration.reference_declaration = format!("REF-{id}");
    }
    let mut lines = Vec::with_capacity(declaration.titulaires.len());
    for (index, titulaire) in declaration.titulaires.iter_mut().enumerate() {
        if titulaire.id_unique_partenaire.trim().is_empty() {
            titulaire.id_unique_partenaire = format!("PP-{id}-{}", index + 1);
        }
        let position = i64::try_from(index).unwrap_or(i64::MAX);
        let line = sqlx::query(
            "INSERT INTO declaration_titulaires (declaration_id, account_id, position, \
             id_unique_partenaire, nir) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(account_id)
        .bind(position)
        .bind(&titulaire.id_unique_partenaire)
        .bind(canonical_nir(&titulaire.nir))
        .execute(&mut *conn)
        .await;
        match line {
            Ok(done) => lines.push(done.last_insert_rowid()),
            Err(e) if is_unique_violation(&e) => {
                return Ok(Err(titulaire.id_unique_partenaire.clone()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let session_id = match new.session_id {
        Some(session) => Some(session),
        None => matching_session(conn, account_id, id, &declaration).await?,
    };
    sqlx::query(
        "UPDATE declarations SET reference = ?, training_title = ?, session_id = ?, body = ? \
         WHERE id = ?",
    )
    .bind(&declaration.reference_declaration)
    .bind(declaration.training_title())
    .bind(session_id)
    .bind(body_json(&declaration)?)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let recorded_on = new.created_at.date_naive();
    entries::declare_entries(
        conn,
        account_id,
        &declaration,
        &lines,
        recorded_on,
        catalogue,
    )
    .await?;
    Ok(Ok(id))
}

/// The account's session with the declaration's training dates that has the most trainees whose
/// NIR is a titulaire of declaration `id`, if any.
async fn matching_session(
    conn: &mut SqliteConnection,
    account_id: i64,
    id: DeclarationId,
    declaration: &Declaration,
) -> Result<Option<SessionId>, ServerError> {
    let (Some(start), Some(end)) = (
        declaration.date_debut_formation,
        declaration.date_fin_formation,
    ) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT s.id, COUNT(*) AS matches FROM sessions s \
         JOIN session_trainees t ON t.session_id = s.id JOIN workers w ON w.id = t.worker_id \
         WHERE s.account_id = ? AND s.start_date = ? AND s.end_date = ? \
         AND w.nir IN (SELECT nir FROM declaration_titulaires WHERE declaration_id = ?) \
         GROUP BY s.id ORDER BY matches DESC, s.id LIMIT 1",
    )
    .bind(account_id)
    .bind(start)
    .bind(end)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

/// Row buffers of the demo seeding, flushed as multi-row INSERTs.
#[derive(Default)]
struct SeedBuffers {
    workers: Vec<(Worker, Option<i64>)>,
    entries: Vec<SeedEntry>,
    trainees: Vec<(SessionId, WorkerId, TraineeOutcome)>,
}

/// One passport entry to insert while seeding.
struct SeedEntry {
    /// The person: a demo worker is its own person, of the same id.
    person_id: i64,
    entry: PassportEntry,
    expires_on: Option<NaiveDate>,
    superseded: bool,
    session_id: Option<SessionId>,
    employer_account_id: Option<i64>,
    session_account_id: Option<i64>,
}

impl SeedBuffers {
    /// Inserts the buffered workers (first, for the foreign keys), then entries and trainees.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<(), ServerError> {
        if !self.workers.is_empty() {
            // Each demo worker is its own person, of the same id.
            let mut builder = QueryBuilder::<Sqlite>::new("INSERT INTO persons (id, nir) ");
            builder.push_values(self.workers.iter(), |mut row, (worker, _)| {
                row.push_bind(worker.id)
                    .push_bind(worker.nir.as_str().to_owned());
            });
            builder.build().execute(&mut *conn).await?;
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO workers (id, person_id, nir, last_name, usage_name, first_names, \
                 birth_date, employer_siret, employer_name, site, employer_account_id, search) ",
            );
            builder.push_values(self.workers.drain(..), |mut row, (worker, account)| {
                let search = search_text(&worker);
                row.push_bind(worker.id)
                    .push_bind(worker.id)
                    .push_bind(worker.nir.as_str().to_owned())
                    .push_bind(worker.last_name)
                    .push_bind(worker.usage_name)
                    .push_bind(worker.first_names)
                    .push_bind(worker.birth_date)
                    .push_bind(worker.employer_siret.as_str().to_owned())
                    .push_bind(worker.employer_name)
                    .push_bind(worker.site)
                    .push_bind(account)
                    .push_bind(search);
            });
            builder.build().execute(&mut *conn).await?;
        }
        if !self.entries.is_empty() {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO passport_entries (person_id, training_code, end_date, \
                 validity_start, validity_end, expires_on, superseded, session_id, \
                 employer_account_id, session_account_id, source, source_account_id) ",
            );
            builder.push_values(self.entries.drain(..), |mut row, seed| {
                row.push_bind(seed.person_id)
                    .push_bind(seed.entry.training_code)
                    .push_bind(seed.entry.end_date)
                    .push_bind(seed.entry.validity_start)
                    .push_bind(seed.entry.validity_end)
                    .push_bind(seed.expires_on)
                    .push_bind(seed.superseded)
                    .push_bind(seed.session_id)
                    .push_bind(seed.employer_account_id)
                    .push_bind(seed.session_account_id)
                    .push_bind("session")
                    .push_bind(seed.session_account_id);
            });
            builder.build().execute(&mut *conn).await?;
        }
        if !self.trainees.is_empty() {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO session_trainees (session_id, worker_id, outcome) ",
            );
            builder.push_values(
                self.trainees.drain(..),
                |mut row, (session, worker, outcome)| {
                    row.push_bind(session)
                        .push_bind(worker)
                        .push_bind(code_of(outcome));
                },
            );
            builder.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Whether a buffer is full.
    fn full(&self) -> bool {
        self.workers.len() >= SEED_BATCH
            || self.entries.len() >= SEED_BATCH
            || self.trainees.len() >= SEED_BATCH
    }
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
            DatabaseUrl::Sqlite(path) => Backend::Sqlite(SqliteStore::open(path).await?),
            DatabaseUrl::Postgres(url) => Backend::Postgres(PgStore::open(url, settings).await?),
        };
        Ok(Self { backend })
    }

    /// The SQLite pool, for the calls not yet ported to PostgreSQL (which answer
    /// [`ServerError::NotOnPostgres`] there).
    fn sqlite(&self) -> Result<&SqlitePool, ServerError> {
        match &self.backend {
            Backend::Sqlite(db) => Ok(&db.pool),
            Backend::Postgres(_) => Err(ServerError::NotOnPostgres),
        }
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

    /// Up to `limit` + 1 entries of the account's audit trail matching `filter`, oldest first.
    pub async fn audit(
        &self,
        account: &AccountRow,
        filter: &audit::AuditFilter,
        limit: u32,
    ) -> Result<Vec<audit::AuditRow>, ServerError> {
        dispatch!(self, audit(account, filter, limit))
    }

    /// Seeds demonstration data in ONE transaction: accounts and their tokens (hashed by
    /// `hash_token`), sessions, workers streamed from the generator with their passport entries
    /// (expiry and supersession computed here) and session trainees, then the demo declarations
    /// (deadline, status and recording time from `recorded`, given the owner's index).
    pub async fn seed_demo(
        &self,
        demo: &Demo,
        catalogue: &Catalogue,
        recorded: impl Fn(usize, &Declaration) -> (Option<NaiveDate>, DeclarationStatus, DateTime<Utc>),
        hash_token: impl Fn(&str) -> String,
    ) -> Result<(), ServerError> {
        let mut conn = self.sqlite()?.acquire().await?;
        sqlx::query(SEED_CACHE_PRAGMA).execute(&mut *conn).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        // Secondary indexes are dropped and rebuilt around the bulk load (a sort per index is
        // far cheaper than random insertions); their definitions come from the schema itself.
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('persons', 'workers', 'sessions', 'session_trainees', \
             'passport_entries')",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *tx)
                .await?;
        }
        let now = Utc::now();
        let mut account_ids = Vec::with_capacity(demo.accounts().len());
        for account in demo.accounts() {
            let id =
                sqlx::query("INSERT INTO accounts (kind, siret, name, nda) VALUES (?, ?, ?, ?)")
                    .bind(code_of(account.kind))
                    .bind(account.siret.as_str())
                    .bind(&account.name)
                    .bind(account.nda.as_ref().map(|nda| nda.as_str().to_owned()))
                    .execute(&mut *tx)
                    .await?
                    .last_insert_rowid();
            sqlx::query("INSERT INTO tokens (hash, account_id, created_at) VALUES (?, ?, ?)")
                .bind(hash_token(account.token))
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            account_ids.push(id);
        }
        let mut session_owner: HashMap<SessionId, i64> = HashMap::new();
        for chunk in demo.sessions().chunks(SEED_BATCH) {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO sessions (id, account_id, training_code, title, organisme, place, \
                 start_date, end_date) ",
            );
            let mut missing_owner = None;
            builder.push_values(chunk, |mut row, demo_session| {
                let session = &demo_session.session;
                let owner = account_ids.get(demo_session.owner).copied();
                if owner.is_none() {
                    missing_owner = Some(session.id);
                }
                session_owner.insert(session.id, owner.unwrap_or_default());
                row.push_bind(session.id)
                    .push_bind(owner)
                    .push_bind(&session.training_code)
                    .push_bind(&session.title)
                    .push_bind(&session.organisme)
                    .push_bind(&session.place)
                    .push_bind(session.start_date)
                    .push_bind(session.end_date);
            });
            if let Some(session) = missing_owner {
                return Err(ServerError::Corrupt {
                    what: "données de démonstration".to_owned(),
                    detail: format!("la session {session} n'a pas de compte propriétaire"),
                });
            }
            builder.build().execute(&mut *tx).await?;
        }
        let mut buffers = SeedBuffers::default();
        let mut sample = Vec::new();
        for demo_worker in demo.workers() {
            let worker_id = demo_worker.worker.id;
            let employer_account = account_ids.get(demo_worker.employer).copied();
            let recorded: Vec<_> = demo_worker
                .entries
                .iter()
                .filter(|e| matches!(e.outcome, TraineeOutcome::Passed | TraineeOutcome::Attended))
                .collect();
            let entries: Vec<PassportEntry> = recorded.iter().map(|e| e.entry.clone()).collect();
            let superseded = supersession(&entries, catalogue);
            for (demo_entry, superseded) in recorded.into_iter().zip(superseded) {
                let months = catalogue
                    .get(&demo_entry.entry.training_code)
                    .and_then(|t| t.validity_months);
                buffers.entries.push(SeedEntry {
                    person_id: worker_id,
                    expires_on: expiry_date(&demo_entry.entry, months),
                    entry: demo_entry.entry.clone(),
                    superseded,
                    session_id: demo_entry.session_id,
                    employer_account_id: employer_account,
                    session_account_id: demo_entry
                        .session_id
                        .and_then(|s| session_owner.get(&s).copied()),
                });
            }
            for (session, outcome) in demo_worker.sessions() {
                buffers.trainees.push((session, worker_id, outcome));
            }
            if sample.len() < DECLARATION_SAMPLE {
                sample.push(demo_worker.clone());
            }
            buffers.workers.push((demo_worker.worker, employer_account));
            if buffers.full() {
                buffers.flush(&mut tx).await?;
            }
        }
        buffers.flush(&mut tx).await?;
        for (_, sql) in &indexes {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        // A demo session whose every trainee has an outcome is over, its entries written above:
        // closed on its end date (docs/model.md "Sessions").
        sqlx::query(
            "UPDATE sessions SET closed_at = end_date \
             WHERE EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = sessions.id) \
             AND NOT EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = sessions.id \
               AND t.outcome = 'pending')",
        )
        .execute(&mut *tx)
        .await?;
        for demo_declaration in demo.declarations(&sample) {
            let owner = account_ids
                .get(demo_declaration.owner)
                .copied()
                .ok_or_else(|| ServerError::Corrupt {
                    what: "données de démonstration".to_owned(),
                    detail: "déclaration sans compte propriétaire".to_owned(),
                })?;
            let (deadline, status, created_at) =
                recorded(demo_declaration.owner, &demo_declaration.declaration);
            let new = NewDeclaration {
                declaration: demo_declaration.declaration.clone(),
                idempotency_key: None,
                body_hash: None,
                status,
                deadline,
                created_at,
                session_id: Some(demo_declaration.session_id),
            };
            if let Err(taken) = insert_declaration(&mut tx, owner, &new, catalogue).await? {
                return Err(ServerError::Corrupt {
                    what: "données de démonstration".to_owned(),
                    detail: format!("ID_UNIQUE_PARTENAIRE « {taken} » en double"),
                });
            }
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, '1')")
            .bind(META_DEMO)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sqlx::query(DEFAULT_CACHE_PRAGMA)
            .execute(&mut *conn)
            .await?;
        Ok(())
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
        let mut builder = QueryBuilder::<Sqlite>::new("");
        push_session_select(&mut builder, filter.today, &filter.scope, account.id);
        if let Some(from) = filter.from {
            builder.push(" AND y.end_date >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            builder.push(" AND y.start_date <= ").push_bind(to);
        }
        if let Some(status) = filter.status {
            builder
                .push(" AND y.declaration_status = ")
                .push_bind(code_of(status));
        }
        if let Some((end, id)) = after {
            builder
                .push(" AND (y.end_date, y.id) < (")
                .push_bind(end)
                .push(", ");
            builder.push_bind(id).push(")");
        }
        builder
            .push(" ORDER BY y.end_date DESC, y.id DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows = builder.build().fetch_all(self.sqlite()?).await?;
        rows.iter().map(session_from_row).collect()
    }

    /// One session of the account, with its trainees (by name).
    pub async fn session(
        &self,
        account: &AccountRow,
        id: SessionId,
        today: NaiveDate,
        scope: &SessionScope,
    ) -> Result<Option<(SessionSummary, Vec<TraineeRow>)>, ServerError> {
        let mut builder = QueryBuilder::<Sqlite>::new("");
        push_session_select(&mut builder, today, scope, account.id);
        builder.push(" AND y.id = ").push_bind(id);
        let Some(row) = builder.build().fetch_optional(self.sqlite()?).await? else {
            return Ok(None);
        };
        let summary = session_from_row(&row)?;
        let rows = sqlx::query(
            "SELECT w.id, w.last_name, w.first_names, w.nir, w.employer_siret, t.outcome, \
             EXISTS (SELECT 1 FROM declaration_titulaires dt \
               JOIN declarations d ON d.id = dt.declaration_id \
               WHERE d.session_id = t.session_id AND d.account_id = ? \
               AND d.status <> 'supprimee' AND dt.removed = 0 AND dt.nir = w.nir) AS declared \
             FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
             WHERE t.session_id = ? ORDER BY w.last_name, w.first_names, w.id",
        )
        .bind(account.id)
        .bind(id)
        .fetch_all(self.sqlite()?)
        .await?;
        let trainees = rows
            .iter()
            .map(|row| {
                let outcome: String = row.try_get("outcome")?;
                Ok(TraineeRow {
                    worker_id: row.try_get("id")?,
                    last_name: row.try_get("last_name")?,
                    first_names: row.try_get("first_names")?,
                    nir: row.try_get("nir")?,
                    employer_siret: row.try_get("employer_siret")?,
                    outcome: parse_code("résultat du stagiaire", &outcome)?,
                    declared: row.try_get("declared")?,
                })
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
        Ok(Some((summary, trainees)))
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
        let mut builder = QueryBuilder::<Sqlite>::new(
            "SELECT e.id, w.id AS worker_id, w.last_name, w.first_names, w.site, \
             e.training_code, e.expires_on FROM passport_entries e ",
        );
        push_expiry_worker_join(&mut builder, account);
        builder.push(" WHERE ");
        push_expiry_scope(&mut builder, account, filter, filter.until);
        if let Some((date, id)) = after {
            builder
                .push(" AND (e.expires_on, e.id) > (")
                .push_bind(date)
                .push(", ");
            builder.push_bind(id).push(")");
        }
        builder
            .push(" ORDER BY e.expires_on, e.id LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows = builder.build().fetch_all(self.sqlite()?).await?;
        rows.iter()
            .map(|row| {
                Ok(ExpirationRow {
                    entry_id: row.try_get("id")?,
                    worker_id: row.try_get("worker_id")?,
                    last_name: row.try_get("last_name")?,
                    first_names: row.try_get("first_names")?,
                    site: row.try_get("site")?,
                    training_code: row.try_get("training_code")?,
                    expires_on: row.try_get("expires_on")?,
                })
            })
            .collect()
    }

    /// Counts of current expiries by band (expired, 0–30, 31–60, 61–90 days) over everything
    /// visible to `account`, with the training and site filters.
    pub async fn expiration_counts(
        &self,
        account: &AccountRow,
        filter: &ExpirationFilter,
    ) -> Result<ExpirationCounts, ServerError> {
        let today = filter.today;
        let band = |days: u64| {
            today
                .checked_add_days(chrono::Days::new(days))
                .unwrap_or(today)
        };
        let mut builder = QueryBuilder::<Sqlite>::new("SELECT COALESCE(SUM(e.expires_on < ");
        builder
            .push_bind(today)
            .push("), 0) AS expired, COALESCE(SUM(e.expires_on >= ");
        builder
            .push_bind(today)
            .push(" AND e.expires_on <= ")
            .push_bind(band(30));
        builder
            .push("), 0) AS within_30, COALESCE(SUM(e.expires_on > ")
            .push_bind(band(30));
        builder.push(" AND e.expires_on <= ").push_bind(band(60));
        builder
            .push("), 0) AS within_60, COALESCE(SUM(e.expires_on > ")
            .push_bind(band(60));
        builder.push(" AND e.expires_on <= ").push_bind(band(90));
        builder.push("), 0) AS within_90 FROM passport_entries e ");
        // The worker decides visibility (a leaver's entries are not due): a lookup per entry.
        push_expiry_worker_join(&mut builder, account);
        builder.push(" WHERE ");
        push_expiry_scope(&mut builder, account, filter, band(90));
        let row = builder.build().fetch_one(self.sqlite()?).await?;
        let get = |name: &str| -> Result<u64, ServerError> {
            let value: i64 = row.try_get(name)?;
            Ok(u64::try_from(value).unwrap_or_default())
        };
        Ok(ExpirationCounts {
            expired: get("expired")?,
            within_30: get("within_30")?,
            within_60: get("within_60")?,
            within_90: get("within_90")?,
        })
    }

    /// The declaration created with this idempotency key by the account, if any.
    pub async fn known_key(
        &self,
        account: &AccountRow,
        key: &str,
    ) -> Result<Option<KnownKey>, ServerError> {
        let row = sqlx::query(
            "SELECT id, body_hash FROM declarations WHERE account_id = ? AND idempotency_key = ?",
        )
        .bind(account.id)
        .bind(key)
        .fetch_optional(self.sqlite()?)
        .await?;
        row.map(|row| {
            Ok(KnownKey {
                id: row.try_get("id")?,
                body_hash: row.try_get("body_hash")?,
            })
        })
        .transpose()
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
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(key) = &new.idempotency_key {
            let known = sqlx::query(
                "SELECT id, body_hash FROM declarations \
                 WHERE account_id = ? AND idempotency_key = ?",
            )
            .bind(account.id)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = known {
                let hash: Option<String> = row.try_get("body_hash")?;
                if hash != new.body_hash {
                    return Ok(CreateOutcome::KeyConflict);
                }
                let id: DeclarationId = row.try_get("id")?;
                let view = declaration_on(&mut tx, account.id, id).await?;
                return match view {
                    Some(view) => Ok(CreateOutcome::Replayed(Box::new(view))),
                    None => Err(ServerError::Corrupt {
                        what: "déclaration".to_owned(),
                        detail: format!("la déclaration {id} a disparu"),
                    }),
                };
            }
        }
        let id = match insert_declaration(&mut tx, account.id, new, catalogue).await? {
            Ok(id) => id,
            Err(taken) => {
                tx.rollback().await?;
                return Ok(CreateOutcome::PartnerIdTaken(taken));
            }
        };
        let view = declaration_on(&mut tx, account.id, id).await?;
        let event = audit::AuditEvent {
            action: "création",
            entity: "déclaration",
            entity_id: id.to_string(),
            before: None,
            after: view
                .as_ref()
                .and_then(|view| serde_json::to_value(view).ok()),
        };
        sqlite::append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
        tx.commit().await?;
        view.map(|view| CreateOutcome::Created(Box::new(view)))
            .ok_or_else(|| ServerError::Corrupt {
                what: "déclaration".to_owned(),
                detail: format!("la déclaration {id} est illisible après son insertion"),
            })
    }

    /// A page of the account's declarations, newest first, before the `before` id; up to
    /// `limit` + 1 rows.
    pub async fn declarations(
        &self,
        account: &AccountRow,
        status: Option<DeclarationStatus>,
        before: Option<DeclarationId>,
        limit: u32,
    ) -> Result<Vec<DeclarationSummary>, ServerError> {
        let mut builder = QueryBuilder::<Sqlite>::new(DECLARATION_SQL);
        builder.push_bind(account.id);
        if let Some(status) = status {
            builder.push(" AND d.status = ").push_bind(code_of(status));
        }
        if let Some(before) = before {
            builder.push(" AND d.id < ").push_bind(before);
        }
        builder
            .push(" ORDER BY d.id DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows = builder.build().fetch_all(self.sqlite()?).await?;
        rows.iter().map(declaration_summary_from_row).collect()
    }

    /// One declaration of the account.
    pub async fn declaration(
        &self,
        account: &AccountRow,
        id: DeclarationId,
    ) -> Result<Option<DeclarationView>, ServerError> {
        let mut conn = self.sqlite()?.acquire().await?;
        declaration_on(&mut conn, account.id, id).await
    }

    /// Removes one titulaire from a declaration of the account (the platform's only
    /// correction); removing the last one sets the status `supprimee`, and the titulaire's
    /// passport entry goes. `None` when the declaration or the live titulaire does not exist
    /// for this account.
    pub async fn remove_titulaire(
        &self,
        account: &AccountRow,
        id: DeclarationId,
        id_unique_partenaire: &str,
        catalogue: &Catalogue,
    ) -> Result<Option<DeclarationView>, ServerError> {
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        let row =
            sqlx::query("SELECT body, status FROM declarations WHERE id = ? AND account_id = ?")
                .bind(id)
                .bind(account.id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let removed: Option<i64> = sqlx::query_scalar(
            "UPDATE declaration_titulaires SET removed = 1 \
             WHERE declaration_id = ? AND id_unique_partenaire = ? AND removed = 0 RETURNING id",
        )
        .bind(id)
        .bind(id_unique_partenaire)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(line) = removed else {
            return Ok(None);
        };
        entries::withdraw_entries(&mut tx, line, catalogue).await?;
        let body: String = row.try_get("body")?;
        let status: String = row.try_get("status")?;
        let mut declaration = parse_body(&body)?;
        declaration
            .titulaires
            .retain(|t| t.id_unique_partenaire != id_unique_partenaire);
        let status = if declaration.titulaires.is_empty() {
            DeclarationStatus::Supprimee
        } else {
            parse_code("statut de déclaration", &status)?
        };
        let status = code_of(status);
        sqlx::query("UPDATE declarations SET body = ?, status = ? WHERE id = ?")
            .bind(body_json(&declaration)?)
            .bind(&status)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let event = audit::AuditEvent {
            action: "retrait du titulaire",
            entity: "déclaration",
            entity_id: format!("{id}/{id_unique_partenaire}"),
            before: Some(
                serde_json::json!({"removed": false, "status": row.try_get::<String, _>("status")?}),
            ),
            after: Some(serde_json::json!({"removed": true, "status": status})),
        };
        sqlite::append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
        let view = declaration_on(&mut tx, account.id, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The account's live (not `supprimee`) declarations of one kind, by id, for the bulk export.
    pub async fn export(
        &self,
        account: &AccountRow,
        kind: DeclarationKind,
    ) -> Result<Vec<Declaration>, ServerError> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM declarations WHERE account_id = ? AND kind = ? \
             AND status <> 'supprimee' ORDER BY id",
        )
        .bind(account.id)
        .bind(code_of(kind))
        .fetch_all(self.sqlite()?)
        .await?;
        bodies.iter().map(|body| parse_body(body)).collect()
    }

    /// Closes the pool (checkpointing the WAL on SQLite).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(db) => db.pool.close().await,
            Backend::Postgres(db) => db.close().await,
        }
    }
}

/// Starts the session summary query for `account` (today bound for the status).
fn push_session_select(
    builder: &mut QueryBuilder<'_, Sqlite>,
    today: NaiveDate,
    scope: &SessionScope,
    account: i64,
) {
    builder
        .push(SESSION_SQL_HEAD)
        .push_bind(today)
        .push(SESSION_SQL_MID);
    scope.push_case(builder);
    builder.push(SESSION_SQL_SCOPE).push_bind(account);
    builder.push(SESSION_SQL_TAIL);
}

/// Appends the join of an entry to the worker through which `account` sees it: the employer's
/// own current (not archived) worker for the person; for a training organisation, its first
/// trainee for the person (one row per entry, so the keyset pages stay exact).
fn push_expiry_worker_join(builder: &mut QueryBuilder<'_, Sqlite>, account: &AccountRow) {
    match account.kind {
        DeclarantKind::Employeur => builder.push(
            "JOIN workers w ON w.person_id = e.person_id \
             AND w.employer_account_id = e.employer_account_id AND w.archived = 0",
        ),
        DeclarantKind::OrganismeFormation => builder.push(
            "JOIN workers w ON w.id = (SELECT MIN(t.worker_id) FROM session_trainees t \
             JOIN sessions s ON s.id = t.session_id JOIN workers x ON x.id = t.worker_id \
             WHERE x.person_id = e.person_id AND s.account_id = e.session_account_id)",
        ),
    };
}

/// Appends the common conditions of the expirations queries: the account's partial index,
/// current entries up to `until`, and the training and site filters.
fn push_expiry_scope(
    builder: &mut QueryBuilder<'_, Sqlite>,
    account: &AccountRow,
    filter: &ExpirationFilter,
    until: NaiveDate,
) {
    let owner = match account.kind {
        DeclarantKind::Employeur => "e.employer_account_id = ",
        DeclarantKind::OrganismeFormation => "e.session_account_id = ",
    };
    builder.push(owner).push_bind(account.id);
    builder.push(
        " AND e.superseded = 0 AND e.removed_at IS NULL AND e.expires_on IS NOT NULL \
         AND e.expires_on <= ",
    );
    builder.push_bind(until);
    if let Some(training) = &filter.training {
        builder
            .push(" AND e.training_code = ")
            .push_bind(training.clone());
    }
    if let Some(site) = &filter.site {
        builder.push(" AND w.site = ").push_bind(site.clone());
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
