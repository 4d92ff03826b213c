//! Tenancy, exhaustively (design.md §3: "an account sees only its own workers, sessions and
//! declarations; anything else is 404").
//!
//! The sandbox server runs on loopback with the three demo accounts over each backend (a
//! temporary SQLite file, a PostgreSQL database holding the same demo data:
//! tests/common/demo_backends.rs), each account recording declarations of its own first. The test then reads `/v1/openapi.json`
//! and exercises EVERY documented path and method for every account, following the table of
//! [`exercise`]:
//! - a route with an `{id}`-like parameter gets every id owned by each OTHER account and must
//!   answer 404 with the same problem+json body as an id that does not exist (so no data);
//! - a list must hold exactly what the database says the account owns (the ownership columns
//!   read directly from the database, with the same SQL on both backends), never an item of
//!   another account;
//! - a DELETE aimed at another account's declaration leaves it unchanged.
//!
//! A route added to the router without a row in the table fails the test.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/demo_backends.rs"]
mod demo_backends;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::WorkerView as Worker;
use passeport::api::contract::{
    DeclarationStatus, DeclarationView, DeclarationsQuery, IDEMPOTENCY_KEY, PROBLEM_JSON,
    SessionsQuery, WorkersQuery,
};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::compute_key;
use passeport::server::database::{DatabaseSettings, DatabaseUrl};
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{DEMO_TOKENS, ServerError};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use tokio::sync::oneshot;

use demo_backends::each_backend_with_demo;

/// Largest `within_days` the server accepts: every current expiry, past ones included.
const ALL_DAYS: u32 = 3660;
/// An id that no resource has.
const MISSING_ID: i64 = 9_000_000_000_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// How a documented route is exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Exercise {
    /// No authentication and no account data: the same bytes for everyone.
    Public,
    /// The caller's own account.
    Me,
    /// Reference data shared by every account: the same answer for everyone.
    Shared,
    /// `GET /v1/workers`.
    WorkerList,
    /// `GET /v1/sessions`.
    SessionList,
    /// `GET /v1/expirations`.
    ExpirationList,
    /// `GET /v1/declarations`.
    DeclarationList,
    /// `GET /v1/declarations/export`.
    Export,
    /// `POST /v1/declarations/validate`.
    Validate,
    /// `POST /v1/declarations`.
    Create,
    /// A worker by `{id}` (`/v1/workers/{id}` and its passport).
    WorkerById,
    /// A session by `{id}`.
    SessionById,
    /// A declaration by `{id}`.
    DeclarationById,
    /// `DELETE /v1/declarations/{id}/titulaires/{id_unique_partenaire}`.
    RemoveTitulaire,
    /// `POST /v1/workers`.
    CreateWorker,
    /// A write on a worker by `{id}` (`PATCH /v1/workers/{id}`, `POST …/archive`, its training
    /// records and their history).
    WorkerWrite,
    /// `GET /v1/exports`.
    ExportList,
    /// An export batch by `{id}` (`/v1/exports/{id}` and its file).
    ExportById,
    /// `POST /v1/exports`.
    ExportCreate,
    /// `POST /v1/exports/{id}/answer`.
    ExportAnswer,
    /// A training record by `{id}` and `{entry_id}` (`PATCH`, `DELETE`).
    TrainingWrite,
    /// `POST /v1/sessions`.
    CreateSession,
    /// A write on a session by `{id}` (`PATCH`, its trainees and outcomes, its closing).
    SessionWrite,
    /// `GET /v1/catalogue/unmapped`.
    Unmapped,
    /// `GET /v1/verifications` and the employer's actions on a `{line}`.
    Verifications,
    /// `GET /v1/verifications/undeclared`.
    Undeclared,
    /// `GET /v1/audit`: the account's own trail.
    Audit,
    /// `GET/PUT /v1/requirements`: the account's own requirements.
    Requirements,
    /// `GET /v1/matrix`: the account's own workers and requirements.
    Matrix,
}

/// The table: how each documented (method, path) is exercised. A route missing here fails.
const TABLE: [(&str, &str, Exercise); 43] = [
    ("get", "/healthz", Exercise::Public),
    ("get", "/v1/openapi.json", Exercise::Public),
    ("get", "/v1/me", Exercise::Me),
    ("get", "/v1/catalogue", Exercise::Shared),
    ("get", "/v1/workers", Exercise::WorkerList),
    ("post", "/v1/workers", Exercise::CreateWorker),
    ("get", "/v1/workers/{id}", Exercise::WorkerById),
    ("patch", "/v1/workers/{id}", Exercise::WorkerWrite),
    ("post", "/v1/workers/{id}/archive", Exercise::WorkerWrite),
    ("post", "/v1/workers/{id}/trainings", Exercise::WorkerWrite),
    ("get", "/v1/workers/{id}/trainings", Exercise::WorkerWrite),
    (
        "patch",
        "/v1/workers/{id}/trainings/{entry_id}",
        Exercise::TrainingWrite,
    ),
    (
        "delete",
        "/v1/workers/{id}/trainings/{entry_id}",
        Exercise::TrainingWrite,
    ),
    ("get", "/v1/workers/{id}/passport", Exercise::WorkerById),
    ("get", "/v1/sessions", Exercise::SessionList),
    ("get", "/v1/sessions/{id}", Exercise::SessionById),
    ("get", "/v1/expirations", Exercise::ExpirationList),
    ("post", "/v1/declarations/validate", Exercise::Validate),
    ("post", "/v1/declarations", Exercise::Create),
    ("get", "/v1/declarations", Exercise::DeclarationList),
    ("get", "/v1/declarations/export", Exercise::Export),
    ("get", "/v1/declarations/{id}", Exercise::DeclarationById),
    (
        "delete",
        "/v1/declarations/{id}/titulaires/{id_unique_partenaire}",
        Exercise::RemoveTitulaire,
    ),
    ("post", "/v1/exports", Exercise::ExportCreate),
    ("get", "/v1/exports", Exercise::ExportList),
    ("get", "/v1/exports/{id}", Exercise::ExportById),
    ("get", "/v1/exports/{id}/file", Exercise::ExportById),
    ("post", "/v1/exports/{id}/answer", Exercise::ExportAnswer),
    ("post", "/v1/sessions", Exercise::CreateSession),
    ("patch", "/v1/sessions/{id}", Exercise::SessionWrite),
    ("post", "/v1/sessions/{id}/trainees", Exercise::SessionWrite),
    (
        "put",
        "/v1/sessions/{id}/trainees/{worker_id}",
        Exercise::SessionWrite,
    ),
    (
        "delete",
        "/v1/sessions/{id}/trainees/{worker_id}",
        Exercise::SessionWrite,
    ),
    ("post", "/v1/sessions/{id}/close", Exercise::SessionWrite),
    ("get", "/v1/catalogue/unmapped", Exercise::Unmapped),
    ("get", "/v1/verifications", Exercise::Verifications),
    ("get", "/v1/verifications/undeclared", Exercise::Undeclared),
    (
        "post",
        "/v1/verifications/{line}/verify",
        Exercise::Verifications,
    ),
    (
        "post",
        "/v1/verifications/{line}/request-correction",
        Exercise::Verifications,
    ),
    ("get", "/v1/audit", Exercise::Audit),
    ("get", "/v1/requirements", Exercise::Requirements),
    ("put", "/v1/requirements", Exercise::Requirements),
    ("get", "/v1/matrix", Exercise::Matrix),
];

/// The exercise of a documented route, if the table has one.
fn exercise(method: &str, path: &str) -> Option<Exercise> {
    TABLE
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, e)| *e)
}

/// An answer, body read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// What one demo account owns, according to the database's ownership columns.
#[derive(Debug, Default, Clone)]
struct Owned {
    account_id: i64,
    employer: bool,
    workers: BTreeSet<i64>,
    sessions: BTreeSet<i64>,
    declarations: BTreeSet<i64>,
    /// Export batches (`export_batches.account_id`).
    exports: BTreeSet<i64>,
    /// (worker, training code, expiry) of the current expiries the account sees.
    expirations: BTreeSet<(i64, String, NaiveDate)>,
    /// Live entries of no catalogue type the account sees, by declared title.
    unmapped: BTreeMap<String, u64>,
}

/// What one account gets from the API, listing as itself.
#[derive(Debug, Default, Clone)]
struct Seen {
    workers: Vec<Worker>,
    sessions: BTreeSet<i64>,
    declarations: BTreeSet<i64>,
    /// Each declaration as its owner reads it.
    details: BTreeMap<i64, DeclarationView>,
}

impl Seen {
    fn worker_ids(&self) -> BTreeSet<i64> {
        self.workers.iter().map(|w| w.id).collect()
    }
}

struct Harness {
    base: String,
    database: DatabaseSettings,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl Harness {
    async fn start(database: &DatabaseSettings) -> Self {
        let server = demo_backends::open(database, today()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Harness {
            base,
            database: database.clone(),
            http: reqwest::Client::new(),
            stop,
            serving,
        }
    }

    /// Stops the server and waits for it to close its database.
    async fn stop(self) {
        drop(self.http);
        let _ = self.stop.send(());
        self.serving.await.unwrap().unwrap();
    }

    fn client(&self, account: usize) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, Some(DEMO_TOKENS[account].to_owned()), options).unwrap()
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.text().await.unwrap();
        Reply {
            status,
            content_type,
            body,
        }
    }

    async fn get(&self, path: &str, account: usize) -> Reply {
        self.call("get", path, Some(DEMO_TOKENS[account]), None, None)
            .await
    }
}

/// A read connection to the server's database, on its backend (SQLite in WAL mode lets a
/// reader run beside the server).
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Evaluates `$body` with `$pool` bound to the pool of `$db`, typed for its backend: the same
/// SQL text (with `$N` placeholders and `TRUE`/`FALSE`) runs on both.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    async fn open(settings: &DatabaseSettings) -> Self {
        match &settings.url {
            DatabaseUrl::Sqlite(path) => {
                let options = SqliteConnectOptions::new().filename(path).read_only(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .unwrap();
                Db::Sqlite(pool)
            }
            DatabaseUrl::Postgres(url) => {
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect(url.expose())
                    .await
                    .unwrap();
                Db::Postgres(pool)
            }
        }
    }

    async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

async fn ids(pool: &Db, sql: &str, account: i64) -> BTreeSet<i64> {
    on_db!(pool, pool => sqlx::query_scalar::<_, i64>(sql)
        .bind(account)
        .fetch_all(pool)
        .await
        .unwrap())
    .into_iter()
    .collect()
}

/// What each demo account owns, from the ownership columns of the schema: an employer its staff
/// (`workers.employer_account_id`), a training organisation the trainees of its sessions;
/// sessions and declarations by `account_id`; expiries by the entry's owner column.
async fn ownership(pool: &Db) -> Vec<Owned> {
    let mut out = Vec::new();
    for token in DEMO_TOKENS {
        let hash: String = Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (account_id, kind): (i64, String) = on_db!(pool, pool => sqlx::query_as(
            "SELECT a.id, a.kind FROM tokens t JOIN accounts a ON a.id = t.account_id \
             WHERE t.hash = $1",
        )
        .bind(&hash)
        .fetch_one(pool)
        .await
        .unwrap());
        let employer = kind == "employeur";
        let workers = if employer {
            "SELECT id FROM workers WHERE employer_account_id = $1"
        } else {
            "SELECT DISTINCT t.worker_id FROM session_trainees t \
             JOIN sessions s ON s.id = t.session_id WHERE s.account_id = $1"
        };
        // Entries belong to the person; an employer sees them through its own current worker
        // for that person, an organisation through its first trainee for that person.
        let (owner_column, worker) = if employer {
            (
                "employer_account_id",
                "(SELECT w.id FROM workers w WHERE w.person_id = e.person_id \
                 AND w.employer_account_id = e.employer_account_id AND w.archived = FALSE)",
            )
        } else {
            (
                "session_account_id",
                "(SELECT MIN(t.worker_id) FROM session_trainees t \
                 JOIN sessions s ON s.id = t.session_id JOIN workers x ON x.id = t.worker_id \
                 WHERE x.person_id = e.person_id AND s.account_id = e.session_account_id)",
            )
        };
        let horizon = today()
            .checked_add_days(Days::new(u64::from(ALL_DAYS)))
            .unwrap();
        let sql = format!(
            "SELECT * FROM (SELECT {worker} AS worker_id, e.training_code, e.expires_on \
             FROM passport_entries e WHERE e.{owner_column} = $1 AND e.superseded = FALSE \
             AND e.removed_at IS NULL AND e.expires_on IS NOT NULL AND e.expires_on <= $2) \
             AS seen WHERE worker_id IS NOT NULL"
        );
        let expirations: Vec<(i64, String, NaiveDate)> = on_db!(pool, pool => sqlx::query_as(&sql)
            .bind(account_id)
            .bind(horizon)
            .fetch_all(pool)
            .await
            .unwrap());
        let sql = format!(
            "SELECT e.training_title, COUNT(*) FROM passport_entries e \
             WHERE e.{owner_column} = $1 AND e.training_code IS NULL AND e.removed_at IS NULL \
             GROUP BY e.training_title"
        );
        let unmapped: Vec<(String, i64)> = on_db!(pool, pool => sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_all(pool)
            .await
            .unwrap());
        out.push(Owned {
            account_id,
            employer,
            workers: ids(pool, workers, account_id).await,
            sessions: ids(
                pool,
                "SELECT id FROM sessions WHERE account_id = $1",
                account_id,
            )
            .await,
            declarations: ids(
                pool,
                "SELECT id FROM declarations WHERE account_id = $1",
                account_id,
            )
            .await,
            exports: ids(
                pool,
                "SELECT id FROM export_batches WHERE account_id = $1",
                account_id,
            )
            .await,
            expirations: expirations.into_iter().collect(),
            unmapped: unmapped
                .into_iter()
                .map(|(title, n)| (title, u64::try_from(n).unwrap()))
                .collect(),
        });
    }
    out
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// A valid attestation de formation of `account` naming two of its visible workers, with
/// partner ids `TEN-{account}-{tag}-{n}`.
fn declaration(account: usize, tag: &str, workers: &[Worker]) -> Declaration {
    let titulaires = workers
        .iter()
        .take(2)
        .enumerate()
        .map(|(n, worker)| Titulaire {
            id_unique_partenaire: format!("TEN-{account}-{tag}-{n}"),
            nir: worker.nir.as_str().to_owned(),
            nom_titulaire: worker.last_name.chars().take(30).collect(),
            presence_employeur: Some(true),
            siret_employeur: worker.employer_siret.as_str().to_owned(),
            reference_employeur: String::new(),
        })
        .collect();
    Declaration {
        id_declaration: format!("TEN-{account}-{tag}"),
        reference_declaration: format!("REF-TEN-{account}-{tag}"),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 6, 1)),
        date_fin_formation: Some(date(2026, 6, 2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(date(2026, 6, 2)),
        date_fin_validite: Some(date(2028, 6, 2)),
        titulaires,
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// Lists everything as `account` through the typed client.
async fn seen(h: &Harness, account: usize) -> Seen {
    let client = h.client(account);
    let workers = client.all_workers(&WorkersQuery::default()).await.unwrap();
    let sessions = client
        .all_sessions(&SessionsQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let declarations: BTreeSet<i64> = client
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    let mut details = BTreeMap::new();
    for id in &declarations {
        details.insert(*id, client.declaration(*id).await.unwrap());
    }
    Seen {
        workers,
        sessions,
        declarations,
        details,
    }
}

/// Asserts a 404 problem with exactly the body of a missing resource.
fn assert_hidden(reply: &Reply, missing: &Reply, what: &str) {
    assert_eq!(reply.status, 404, "{what}: {}", reply.body);
    assert_eq!(reply.content_type, PROBLEM_JSON, "{what}");
    assert_eq!(
        reply.body, missing.body,
        "{what}: the body must carry no data"
    );
}

/// Percent-encodes a query value (every byte but ASCII letters and digits).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The path of a route template with its parameters filled; an unknown parameter fails.
fn fill(template: &str, values: &HashMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        let name = &rest[open + 1..close];
        let value = values
            .get(name)
            .unwrap_or_else(|| panic!("{template}: no value for the parameter {{{name}}}"));
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The (ID_DECLARATION, ID_UNIQUE_PARTENAIRE) of every line of an exported bulk file.
fn exported_lines(text: &str) -> Vec<(String, String)> {
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<&str> = header.split('|').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (declaration, partner) = (at("ID_DECLARATION"), at("ID_UNIQUE_PARTENAIRE"));
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split('|').collect();
            (cells[declaration].to_owned(), cells[partner].to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_account_reads_changes_or_deletes_another_accounts_resources() {
    let demo = DemoOptions {
        workers: 200,
        seed: DEFAULT_SEED,
        today: today(),
    };
    for database in each_backend_with_demo(demo).await {
        eprintln!("== base {}", database.name);
        let h = Harness::start(&database.settings).await;
        exercise_every_route(&h).await;
        h.stop().await;
        database.drop_now().await;
    }
}

/// The exercise of every documented route on one backend.
async fn exercise_every_route(h: &Harness) {
    let accounts = 0..DEMO_TOKENS.len();

    // Each account records two declarations of its own (one is the DELETE target).
    for account in accounts.clone() {
        let workers = h
            .client(account)
            .all_workers(&WorkersQuery::default())
            .await
            .unwrap();
        assert!(workers.len() >= 2, "account {account} sees workers");
        for tag in ["A", "B"] {
            let body = serde_json::to_value(declaration(account, tag, &workers)).unwrap();
            let key = format!("tenancy-{account}-{tag}");
            let reply = h
                .call(
                    "post",
                    "/v1/declarations",
                    Some(DEMO_TOKENS[account]),
                    Some(&body),
                    Some(&key),
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
        // …and one export batch of its own.
        let reply = h
            .call(
                "post",
                "/v1/exports",
                Some(DEMO_TOKENS[account]),
                Some(&serde_json::json!({"kind": "adf"})),
                Some(&format!("tenancy-export-{account}")),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }

    let pool = Db::open(&h.database).await;
    let owned = ownership(&pool).await;
    let mut seen_by = Vec::new();
    for account in accounts.clone() {
        seen_by.push(seen(h, account).await);
    }
    for account in accounts.clone() {
        let (mine, seen) = (&owned[account], &seen_by[account]);
        assert!(!mine.workers.is_empty() && !mine.sessions.is_empty());
        assert!(mine.declarations.len() >= 2);
        assert_eq!(seen.worker_ids(), mine.workers, "workers of {account}");
        assert_eq!(seen.sessions, mine.sessions, "sessions of {account}");
        assert_eq!(
            seen.declarations, mine.declarations,
            "declarations of {account}"
        );
        assert_eq!(mine.exports.len(), 1, "one export batch of {account}");
    }
    let distinct: BTreeSet<i64> = owned.iter().map(|o| o.account_id).collect();
    assert_eq!(distinct.len(), DEMO_TOKENS.len(), "three distinct accounts");

    let openapi = h
        .call("get", "/v1/openapi.json", None, None, None)
        .await
        .json();
    let paths = openapi["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            documented.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    for (method, path, _) in TABLE {
        assert!(
            documented.iter().any(|(m, p, _)| m == method && p == path),
            "{method} {path} is in the table but no longer documented: update the table"
        );
    }

    let mut routes = Vec::new();
    for (method, path, operation) in &documented {
        let Some(kind) = exercise(method, path) else {
            panic!(
                "{method} {path} is documented but has no tenancy exercise: add it to TABLE in \
                 tests/tenancy.rs"
            );
        };
        routes.push((kind, method, path, operation));
    }
    // Read-only exercises first (they compare with the ownership read above), then the ones
    // that create and delete.
    routes.sort_by_key(|(kind, _, _, _)| {
        matches!(
            kind,
            Exercise::Create
                | Exercise::RemoveTitulaire
                | Exercise::CreateWorker
                | Exercise::WorkerWrite
                | Exercise::ExportCreate
                | Exercise::ExportAnswer
                | Exercise::TrainingWrite
                | Exercise::CreateSession
                | Exercise::SessionWrite
        )
        .then_some(*kind)
    });
    let mut exercised = BTreeSet::new();
    for (kind, method, path, operation) in routes {
        if operation.get("security").is_some() {
            check_authentication(h, method, path).await;
        }
        match kind {
            Exercise::Public => check_public(h, method, path).await,
            Exercise::Me => check_me(h, path, &owned, &pool).await,
            Exercise::Shared => check_shared(h, path).await,
            Exercise::WorkerList => check_worker_list(h, path, &owned, &seen_by).await,
            Exercise::SessionList => check_session_list(h, path, &owned).await,
            Exercise::ExpirationList => check_expiration_list(h, path, &owned).await,
            Exercise::DeclarationList => check_declaration_list(h, path, &owned).await,
            Exercise::Export => check_export(h, path, &seen_by).await,
            Exercise::Validate => check_validate(h, path, &seen_by).await,
            Exercise::Create => check_create(h, path, &seen_by).await,
            Exercise::WorkerById => check_by_id(h, method, path, &owned, |o| &o.workers).await,
            Exercise::SessionById => check_by_id(h, method, path, &owned, |o| &o.sessions).await,
            Exercise::CreateWorker => check_create_worker(h, path, &owned, &seen_by).await,
            Exercise::WorkerWrite => check_worker_write(h, method, path, &owned).await,
            Exercise::TrainingWrite => check_training_write(h, method, path, &owned, &pool).await,
            Exercise::DeclarationById => {
                check_by_id(h, method, path, &owned, |o| &o.declarations).await;
            }
            Exercise::RemoveTitulaire => check_remove(h, method, path, &seen_by).await,
            Exercise::ExportList => check_export_list(h, path, &owned).await,
            Exercise::ExportById => check_by_id(h, method, path, &owned, |o| &o.exports).await,
            Exercise::ExportCreate => check_export_create(h, path, &owned).await,
            Exercise::ExportAnswer => check_export_answer(h, method, path, &owned).await,
            Exercise::CreateSession => check_create_session(h, path, &owned).await,
            Exercise::SessionWrite => check_session_write(h, method, path, &owned).await,
            Exercise::Unmapped => check_unmapped(h, path, &owned).await,
            Exercise::Verifications => check_verifications(h, method, path, &owned, &pool).await,
            Exercise::Undeclared => check_undeclared(h, path, &owned, &pool).await,
            Exercise::Audit => check_audit(h, path, &owned, &pool).await,
            Exercise::Requirements => check_requirements(h, method, path, &owned, &pool).await,
            Exercise::Matrix => check_matrix(h, path, &owned).await,
        }
        exercised.insert((method.clone(), path.clone()));
    }
    assert_eq!(exercised.len(), TABLE.len(), "every route exercised");

    // Shared workers: a passport shows only the caller's sessions (a training organisation sees
    // only the entries of its own sessions).
    for account in accounts.clone() {
        let of = !owned[account].employer;
        for id in &owned[account].workers {
            let reply = h.get(&format!("/v1/workers/{id}/passport"), account).await;
            assert_eq!(reply.status, 200);
            for entry in reply.json()["entries"].as_array().unwrap() {
                match entry["session_id"].as_i64() {
                    Some(session) => assert!(
                        owned[account].sessions.contains(&session),
                        "account {account} sees session {session} through worker {id}"
                    ),
                    // Besides its sessions, an OF sees the entries it declared itself.
                    None => assert!(
                        !of || entry["origin"]["source"] == "declared",
                        "an OF sees only entries of its sessions and declarations"
                    ),
                }
            }
        }
    }
    pool.close().await;
}

/// Without a token, or with an unknown one, a secured route is a 401 problem.
async fn check_authentication(h: &Harness, method: &str, path: &str) {
    let values = HashMap::from([
        ("id", "1".to_owned()),
        ("id_unique_partenaire", "PP-1-1".to_owned()),
        ("entry_id", "1".to_owned()),
        ("worker_id", "1".to_owned()),
        ("line", "1".to_owned()),
    ]);
    let url = fill(path, &values);
    let body = (method == "post").then(|| serde_json::json!({}));
    for token in [None, Some("jeton-inconnu")] {
        let reply = h.call(method, &url, token, body.as_ref(), Some("k")).await;
        assert_eq!(reply.status, 401, "{method} {path} with {token:?}");
        assert_eq!(reply.content_type, PROBLEM_JSON, "{method} {path}");
    }
}

/// The same bytes with no token and with every account's token.
async fn check_public(h: &Harness, method: &str, path: &str) {
    let anonymous = h.call(method, path, None, None, None).await;
    assert_eq!(anonymous.status, 200, "{path}");
    for token in DEMO_TOKENS {
        let reply = h.call(method, path, Some(token), None, None).await;
        assert_eq!(reply, anonymous, "{path} must not depend on the account");
    }
}

/// Each token reads its own account: the SIRET the database holds for it.
async fn check_me(h: &Harness, path: &str, owned: &[Owned], pool: &Db) {
    for (account, mine) in owned.iter().enumerate() {
        let me = h.get(path, account).await.json();
        let siret: String = on_db!(pool, pool => sqlx::query_scalar(
            "SELECT siret FROM accounts WHERE id = $1"
        )
        .bind(mine.account_id)
        .fetch_one(pool)
        .await
        .unwrap());
        assert_eq!(me["siret"], siret.as_str(), "{path} as {account}");
    }
}

/// Each account's audit trail holds exactly the entries the database has for it.
async fn check_audit(h: &Harness, path: &str, owned: &[Owned], pool: &Db) {
    for (account, mine) in owned.iter().enumerate() {
        let listed = walk(h, path, "", account, "id").await;
        let stored = ids(
            pool,
            "SELECT id FROM audit_entries WHERE account_id = $1",
            mine.account_id,
        )
        .await;
        assert_eq!(
            listed.into_iter().collect::<BTreeSet<_>>(),
            stored,
            "{path} as {account}"
        );
    }
}

/// Each account reads exactly its own requirements; a PUT by one account changes no other's.
async fn check_requirements(h: &Harness, method: &str, path: &str, owned: &[Owned], pool: &Db) {
    if method == "put" {
        for (account, mine) in owned.iter().enumerate().filter(|(_, o)| o.employer) {
            let body = serde_json::json!({"items": [
                {"poste": format!("Poste {account}"), "training_code": "SST"}
            ]});
            let reply = h
                .call("put", path, Some(DEMO_TOKENS[account]), Some(&body), None)
                .await;
            assert_eq!(reply.status, 200, "{path} as {account}: {}", reply.body);
            let stored: Vec<String> = on_db!(pool, pool => sqlx::query_scalar(
                "SELECT poste FROM requirements WHERE account_id = $1"
            )
            .bind(mine.account_id)
            .fetch_all(pool)
            .await
            .unwrap());
            assert_eq!(stored, [format!("Poste {account}")], "{path} as {account}");
        }
    }
    for (account, mine) in owned.iter().enumerate() {
        let listed = h.get(path, account).await.json();
        let postes: Vec<String> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["poste"].as_str().unwrap().to_owned())
            .collect();
        let stored: Vec<String> = on_db!(pool, pool => sqlx::query_scalar(
            "SELECT poste FROM requirements WHERE account_id = $1 ORDER BY id"
        )
        .bind(mine.account_id)
        .fetch_all(pool)
        .await
        .unwrap());
        assert_eq!(postes, stored, "{method} {path} as {account}");
    }
}

/// Each account's matrix holds exactly its own workers.
async fn check_matrix(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let data = h.get(path, account).await.json();
        let rows: BTreeSet<i64> = data["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect();
        assert_eq!(rows, mine.workers, "{path} as {account}");
    }
}

/// Reference data: the same answer for every account.
async fn check_shared(h: &Harness, path: &str) {
    let first = h.get(path, 0).await;
    assert_eq!(first.status, 200);
    for account in 1..DEMO_TOKENS.len() {
        assert_eq!(h.get(path, account).await, first, "{path}");
    }
}

/// The ids of every item of a paginated list, following `next_cursor` (starting from `query`).
async fn walk(h: &Harness, path: &str, query: &str, account: usize, id: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{path}?limit=37{query}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={}", encode(cursor)));
        }
        let reply = h.get(&url, account).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.body);
        let page = reply.json();
        out.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item[id].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return out,
        }
    }
}

/// The workers list holds exactly the account's own; a search for another account's worker (by
/// NIR or name) finds none of theirs; another account's cursor gives only the caller's.
async fn check_worker_list(h: &Harness, path: &str, owned: &[Owned], seen: &[Seen]) {
    for (account, mine) in owned.iter().enumerate() {
        let listed: BTreeSet<i64> = walk(h, path, "", account, "id").await.into_iter().collect();
        assert_eq!(listed, mine.workers, "{path} as {account}");
        for (other, theirs) in seen.iter().enumerate().filter(|(o, _)| *o != account) {
            for worker in theirs
                .workers
                .iter()
                .filter(|w| !mine.workers.contains(&w.id))
            {
                for q in [worker.nir.as_str(), worker.last_name.as_str()] {
                    let found = walk(h, path, &format!("&q={}", encode(q)), account, "id").await;
                    assert!(
                        found.iter().all(|id| mine.workers.contains(id)),
                        "{path}?q= as {account} found a worker of {other}"
                    );
                }
            }
            // The cursor of another account's first page.
            let first = h.get(&format!("{path}?limit=5"), other).await.json();
            if let Some(cursor) = first["next_cursor"].as_str() {
                let found = h
                    .get(&format!("{path}?cursor={}", encode(cursor)), account)
                    .await
                    .json();
                for item in found["items"].as_array().unwrap() {
                    assert!(mine.workers.contains(&item["id"].as_i64().unwrap()));
                }
            }
        }
    }
    assert!(
        owned[0].workers.is_disjoint(&owned[1].workers),
        "the two employers share no worker"
    );
}

/// The sessions list holds exactly the account's own, for every status filter.
async fn check_session_list(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let listed: BTreeSet<i64> = walk(h, path, "", account, "id").await.into_iter().collect();
        assert_eq!(listed, mine.sessions, "{path} as {account}");
        for status in ["a_declarer", "declaree", "en_cours", "non_concernee"] {
            let filtered = walk(h, path, &format!("&status={status}"), account, "id").await;
            assert!(filtered.iter().all(|id| mine.sessions.contains(id)));
        }
    }
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        assert!(owned[a].sessions.is_disjoint(&owned[b].sessions));
    }
}

/// The expirations list holds exactly the account's current expiries, and its counts add up
/// to no more than them.
async fn check_expiration_list(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let mut listed = BTreeSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{path}?limit=50&within_days={ALL_DAYS}");
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={}", encode(cursor)));
            }
            let page = h.get(&url, account).await.json();
            for item in page["items"].as_array().unwrap() {
                let worker = item["worker_id"].as_i64().unwrap();
                assert!(mine.workers.contains(&worker), "{path}: worker {worker}");
                listed.insert((
                    worker,
                    item["training_code"].as_str().unwrap().to_owned(),
                    item["expires_on"].as_str().unwrap().parse().unwrap(),
                ));
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(listed, mine.expirations, "{path} as {account}");
    }
}

/// The unmapped titles of an account are exactly those of the entries of no type it sees, with
/// their counts.
async fn check_unmapped(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let reply = h.get(path, account).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        let listed: BTreeMap<String, u64> = reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["title"].as_str().unwrap().to_owned(),
                    item["entries"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(listed, mine.unmapped, "{path} as {account}");
    }
}

/// An employer lists exactly the live lines organisations declared for it (its entries' employer
/// column); an organisation only decisions on its own lines; a `{line}` action by any account
/// but the line's employer answers the 404 of a line that does not exist.
async fn check_verifications(h: &Harness, method: &str, path: &str, owned: &[Owned], pool: &Db) {
    let mut visible: Vec<BTreeSet<i64>> = Vec::new();
    for (account, mine) in owned.iter().enumerate() {
        let reply = h.get("/v1/verifications", account).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let listed: BTreeSet<i64> = reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["line_id"].as_i64().unwrap())
            .collect();
        let expected = if mine.employer {
            ids(
                pool,
                "SELECT DISTINCT dt.id FROM declaration_titulaires dt \
                 JOIN declarations d ON d.id = dt.declaration_id \
                 JOIN accounts a ON a.id = d.account_id \
                 JOIN passport_entries e ON e.declaration_line_id = dt.id \
                 WHERE a.kind = 'organisme_formation' AND dt.removed = FALSE \
                 AND d.status <> 'supprimee' AND e.employer_account_id = $1",
                mine.account_id,
            )
            .await
        } else {
            ids(
                pool,
                "SELECT line_id FROM verifications WHERE organisation_account_id = $1",
                mine.account_id,
            )
            .await
        };
        assert_eq!(listed, expected, "{path} as {account}");
        visible.push(listed);
    }
    if method == "get" {
        assert!(
            visible.iter().any(|lines| !lines.is_empty()),
            "the demo gives an employer lines to check"
        );
        return;
    }
    let missing = path.replace("{line}", &MISSING_ID.to_string());
    let body = serde_json::json!({ "message": "à corriger" });
    for account in 0..owned.len() {
        let absent = h
            .call(
                "post",
                &missing,
                Some(DEMO_TOKENS[account]),
                Some(&body),
                Some("tenancy-v-missing"),
            )
            .await;
        assert_eq!(
            absent.status, 404,
            "{missing} as {account}: {}",
            absent.body
        );
        for (other, lines) in visible.iter().enumerate().filter(|(o, _)| *o != account) {
            for line in lines
                .iter()
                .filter(|l| !visible[account].contains(l))
                .take(5)
            {
                let aimed = path.replace("{line}", &line.to_string());
                let reply = h
                    .call(
                        "post",
                        &aimed,
                        Some(DEMO_TOKENS[account]),
                        Some(&body),
                        Some(&format!("tenancy-v-{account}-{other}-{line}")),
                    )
                    .await;
                assert_eq!(reply.status, 404, "{aimed} as {account}: {}", reply.body);
                assert_eq!(reply.body, absent.body, "a 404 tells nothing of the line");
            }
        }
    }
}

/// Art. 7-II lists only entries the employer itself recorded, of its own workers; an
/// organisation is refused (403).
async fn check_undeclared(h: &Harness, path: &str, owned: &[Owned], pool: &Db) {
    for (account, mine) in owned.iter().enumerate() {
        let reply = h.get(path, account).await;
        if !mine.employer {
            assert_eq!(reply.status, 403, "{path} as {account}: {}", reply.body);
            continue;
        }
        assert_eq!(reply.status, 200, "{path} as {account}: {}", reply.body);
        let own = ids(
            pool,
            "SELECT id FROM passport_entries WHERE source_account_id = $1",
            mine.account_id,
        )
        .await;
        for item in reply.json()["items"].as_array().unwrap() {
            assert!(
                own.contains(&item["entry_id"].as_i64().unwrap()),
                "{path} as {account}"
            );
            assert!(mine.workers.contains(&item["worker_id"].as_i64().unwrap()));
        }
    }
}

/// The declarations list holds exactly the account's own, for every status filter.
async fn check_declaration_list(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let listed: BTreeSet<i64> = walk(h, path, "", account, "id").await.into_iter().collect();
        assert_eq!(listed, mine.declarations, "{path} as {account}");
        for status in ["enregistree", "en_retard", "supprimee"] {
            let filtered = walk(h, path, &format!("&status={status}"), account, "id").await;
            assert!(filtered.iter().all(|id| mine.declarations.contains(id)));
        }
    }
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        assert!(owned[a].declarations.is_disjoint(&owned[b].declarations));
    }
}

/// The bulk export of an account holds only lines of its own declarations.
async fn check_export(h: &Harness, path: &str, seen: &[Seen]) {
    for (account, mine) in seen.iter().enumerate() {
        let mut lines = Vec::new();
        for format in ["adf", "jdr"] {
            let reply = h.get(&format!("{path}?format={format}"), account).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            lines.extend(exported_lines(&reply.body));
        }
        let own: BTreeSet<(String, String)> = mine
            .details
            .values()
            .filter(|view| view.summary.status != DeclarationStatus::Supprimee)
            .flat_map(|view| {
                view.declaration.titulaires.iter().map(|t| {
                    (
                        view.declaration.id_declaration.clone(),
                        t.id_unique_partenaire.clone(),
                    )
                })
            })
            .collect();
        let exported: BTreeSet<(String, String)> = lines.into_iter().collect();
        assert_eq!(exported, own, "{path} as {account}");
    }
}

/// Validating a declaration that reuses another account's partner identifiers reveals nothing:
/// the answer is the same as with identifiers nobody uses.
async fn check_validate(h: &Harness, path: &str, seen: &[Seen]) {
    for (account, mine) in seen.iter().enumerate() {
        let fresh = declaration(account, "V", &mine.workers);
        let fresh_reply = h
            .call(
                "post",
                path,
                Some(DEMO_TOKENS[account]),
                Some(&serde_json::to_value(&fresh).unwrap()),
                None,
            )
            .await;
        assert_eq!(fresh_reply.status, 200, "{}", fresh_reply.body);
        for theirs in seen
            .iter()
            .enumerate()
            .filter(|(o, _)| *o != account)
            .map(|(_, s)| s)
        {
            for view in theirs.details.values() {
                let mut probe = fresh.clone();
                for (titulaire, their) in probe
                    .titulaires
                    .iter_mut()
                    .zip(&view.declaration.titulaires)
                {
                    titulaire
                        .id_unique_partenaire
                        .clone_from(&their.id_unique_partenaire);
                }
                let reply = h
                    .call(
                        "post",
                        path,
                        Some(DEMO_TOKENS[account]),
                        Some(&serde_json::to_value(&probe).unwrap()),
                        None,
                    )
                    .await;
                assert_eq!(reply, fresh_reply, "{path} as {account}");
            }
        }
    }
}

/// Idempotency keys belong to their account: another account's key never returns, nor
/// conflicts with, that account's declaration, and the owner's declaration stays as it was.
async fn check_create(h: &Harness, path: &str, seen: &[Seen]) {
    for (account, mine) in seen.iter().enumerate() {
        for (other, _) in seen.iter().enumerate().filter(|(o, _)| *o != account) {
            let their_key = format!("tenancy-{other}-A");
            let tag = format!("K{other}");
            let body = serde_json::to_value(declaration(account, &tag, &mine.workers)).unwrap();
            let reply = h
                .call(
                    "post",
                    path,
                    Some(DEMO_TOKENS[account]),
                    Some(&body),
                    Some(&their_key),
                )
                .await;
            assert_eq!(reply.status, 201, "{path} as {account}: {}", reply.body);
            let created = reply.json();
            let id = created["id"].as_i64().unwrap();
            assert_eq!(created["reference"], format!("REF-TEN-{account}-{tag}"));
            for (owner, theirs) in seen.iter().enumerate().filter(|(o, _)| *o != account) {
                assert!(!theirs.details.contains_key(&id));
                let listed = walk(h, "/v1/declarations", "", owner, "id").await;
                assert!(
                    !listed.contains(&id),
                    "{owner} sees {account}'s new declaration"
                );
            }
            let replay = h
                .call(
                    "post",
                    path,
                    Some(DEMO_TOKENS[account]),
                    Some(&body),
                    Some(&their_key),
                )
                .await;
            assert_eq!(replay.status, 200, "a replay of the caller's own key");
            assert_eq!(replay.json()["id"], id);
            // Partner line keys (ID_UNIQUE_PARTENAIRE) belong to their account too: reusing
            // another account's is no conflict and tells nothing.
            if let Some(view) = seen[other].details.values().next() {
                let mut reuse = declaration(account, &format!("R{other}"), &mine.workers);
                for (titulaire, theirs) in reuse
                    .titulaires
                    .iter_mut()
                    .zip(&view.declaration.titulaires)
                {
                    titulaire
                        .id_unique_partenaire
                        .clone_from(&theirs.id_unique_partenaire);
                }
                let reply = h
                    .call(
                        "post",
                        path,
                        Some(DEMO_TOKENS[account]),
                        Some(&serde_json::to_value(&reuse).unwrap()),
                        Some(&format!("reuse-{account}-{other}")),
                    )
                    .await;
                assert_eq!(reply.status, 201, "{path} as {account}: {}", reply.body);
            }
        }
    }
    for (owner, theirs) in seen.iter().enumerate() {
        for (id, before) in &theirs.details {
            let after = h.client(owner).declaration(*id).await.unwrap();
            assert_eq!(&after, before, "declaration {id} of {owner} unchanged");
        }
    }
}

/// Every id another account owns (and the caller does not) answers like a missing id.
async fn check_by_id(
    h: &Harness,
    method: &str,
    path: &str,
    owned: &[Owned],
    ids_of: impl Fn(&Owned) -> &BTreeSet<i64>,
) {
    let missing_values = HashMap::from([("id", MISSING_ID.to_string())]);
    let mut checked = 0;
    for (account, mine) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing = h
            .call(method, &fill(path, &missing_values), token, None, None)
            .await;
        assert_eq!(missing.status, 404);
        for (other, theirs) in owned.iter().enumerate().filter(|(o, _)| *o != account) {
            let foreign: Vec<&i64> = ids_of(theirs).difference(ids_of(mine)).collect();
            checked += foreign.len();
            for id in foreign {
                let url = fill(path, &HashMap::from([("id", id.to_string())]));
                let reply = h.call(method, &url, token, None, None).await;
                assert_hidden(
                    &reply,
                    &missing,
                    &format!("{method} {url} as {account} ({other}'s)"),
                );
            }
        }
        if let Some(id) = ids_of(mine).first() {
            let url = fill(path, &HashMap::from([("id", id.to_string())]));
            let reply = h.call(method, &url, token, None, None).await;
            assert_eq!(reply.status, 200, "{method} {url} as its owner {account}");
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' ids were tried"
    );
}

/// Removing a titulaire of another account's declaration, with its real partner ids, is a 404
/// and changes nothing.
async fn check_remove(h: &Harness, method: &str, path: &str, seen: &[Seen]) {
    let mut checked = 0;
    for (account, _) in seen.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing_values = HashMap::from([
            ("id", MISSING_ID.to_string()),
            ("id_unique_partenaire", "absent".to_owned()),
        ]);
        let missing = h
            .call(method, &fill(path, &missing_values), token, None, None)
            .await;
        for (other, theirs) in seen.iter().enumerate().filter(|(o, _)| *o != account) {
            for (id, before) in &theirs.details {
                for titulaire in &before.declaration.titulaires {
                    let values = HashMap::from([
                        ("id", id.to_string()),
                        (
                            "id_unique_partenaire",
                            titulaire.id_unique_partenaire.clone(),
                        ),
                    ]);
                    let url = fill(path, &values);
                    let reply = h.call(method, &url, token, None, None).await;
                    assert_hidden(&reply, &missing, &format!("{method} {url} as {account}"));
                    checked += 1;
                }
                let after = h.client(other).declaration(*id).await.unwrap();
                assert_eq!(&after, before, "declaration {id} of {other} unchanged");
            }
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' titulaires were tried"
    );
    // The owner can remove its own titulaire through the same route (the route works).
    let (id, view) = seen[0]
        .details
        .iter()
        .find(|(_, v)| v.declaration.id_declaration == "TEN-0-B")
        .unwrap();
    let values = HashMap::from([
        ("id", id.to_string()),
        (
            "id_unique_partenaire",
            view.declaration.titulaires[0].id_unique_partenaire.clone(),
        ),
    ]);
    let reply = h
        .call(
            method,
            &fill(path, &values),
            Some(DEMO_TOKENS[0]),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// A valid NIR (15 characters with its key) of a man born in March 1985 in Paris, order `n`.
fn nir(n: u32) -> String {
    let body = format!("18503751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

/// An employer creates a worker whose NIR another employer already employs: no conflict and
/// nothing of the other employer's passport shows (the person is shared, the entries are not);
/// a training organisation cannot create staff at all.
async fn check_create_worker(h: &Harness, path: &str, owned: &[Owned], seen: &[Seen]) {
    for (account, mine) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let fresh = serde_json::json!({
            "nir": nir(40_000 + u32::try_from(account).unwrap()),
            "last_name": "NOUVEAU",
            "first_names": "Compte",
        });
        let reply = h
            .call("post", path, token, Some(&fresh), Some("tenancy-new"))
            .await;
        if !mine.employer {
            assert_eq!(reply.status, 403, "{path} as the organisation {account}");
            continue;
        }
        assert_eq!(reply.status, 201, "{path} as {account}: {}", reply.body);
        for (other, theirs) in seen.iter().enumerate().filter(|(o, _)| *o != account) {
            if !owned[other].employer {
                continue;
            }
            let Some(their) = theirs.workers.first() else {
                continue;
            };
            let body = serde_json::json!({
                "nir": their.nir.as_str(),
                "last_name": "AUTRE",
                "first_names": "Emploi",
            });
            let key = format!("tenancy-shared-{account}-{other}");
            let reply = h.call("post", path, token, Some(&body), Some(&key)).await;
            assert_eq!(
                reply.status, 201,
                "{path}: another account's NIR is no conflict"
            );
            let id = reply.json()["id"].as_i64().unwrap();
            let passport = h
                .get(&format!("/v1/workers/{id}/passport"), account)
                .await
                .json();
            assert_eq!(
                passport["entries"].as_array().unwrap().len(),
                0,
                "{account} sees none of {other}'s entries of the shared person"
            );
            let replay = h.call("post", path, token, Some(&body), Some(&key)).await;
            assert_eq!(replay.status, 200, "a retry replays the first answer");
            assert_eq!(replay.json()["id"], id);
        }
    }
}

/// The export batches listed are exactly the account's own.
async fn check_export_list(h: &Harness, path: &str, owned: &[Owned]) {
    for (account, mine) in owned.iter().enumerate() {
        let listed: BTreeSet<i64> = walk(h, path, "", account, "id").await.into_iter().collect();
        assert_eq!(listed, mine.exports, "{path} as {account}");
    }
}

/// Export idempotency keys belong to their account: another account's key makes the caller's
/// own batch, holding only lines of the caller's declarations.
async fn check_export_create(h: &Harness, path: &str, owned: &[Owned]) {
    let body = serde_json::json!({"kind": "adf", "all": true});
    for (account, mine) in owned.iter().enumerate() {
        for (other, theirs) in owned.iter().enumerate().filter(|(o, _)| *o != account) {
            let key = format!("tenancy-export-{other}");
            let token = Some(DEMO_TOKENS[account]);
            let reply = h.call("post", path, token, Some(&body), Some(&key)).await;
            assert_eq!(reply.status, 201, "{path} as {account}: {}", reply.body);
            let batch = reply.json();
            let id = batch["id"].as_i64().unwrap();
            assert!(
                !theirs.exports.contains(&id),
                "{account} got {other}'s batch"
            );
            for line in batch["lines"].as_array().unwrap() {
                // The caller's own, recorded before or by the Create exercise.
                let declaration = line["declaration_id"].as_i64().unwrap();
                for theirs in owned.iter().filter(|o| o.account_id != mine.account_id) {
                    assert!(
                        !theirs.declarations.contains(&declaration),
                        "{account}'s batch holds another account's declaration {declaration}"
                    );
                }
                let reply = h
                    .get(&format!("/v1/declarations/{declaration}"), account)
                    .await;
                assert_eq!(
                    reply.status, 200,
                    "{account} owns declaration {declaration}"
                );
            }
            let replay = h.call("post", path, token, Some(&body), Some(&key)).await;
            assert_eq!(replay.status, 200, "a replay of the caller's own key");
            assert_eq!(replay.json()["id"], id);
        }
    }
}

/// A write aimed at another account's worker answers like a missing id and changes nothing;
/// the owner's own write works.
async fn check_worker_write(h: &Harness, method: &str, path: &str, owned: &[Owned]) {
    let body = match (method, path.ends_with("/trainings")) {
        ("patch", _) => Some(serde_json::json!({ "site": "Site piraté" })),
        ("post", true) => Some(serde_json::json!({
            "training_code": "SST",
            "end_date": "2026-01-05",
        })),
        _ => None,
    };
    let body = body.as_ref();
    let missing_url = fill(path, &HashMap::from([("id", MISSING_ID.to_string())]));
    let mut checked = 0;
    for (account, mine) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing = h
            .call(method, &missing_url, token, body, Some("tenancy-missing"))
            .await;
        // An organisation keeps no staff: refused alike for every id (403), else 404.
        assert!(
            missing.status == 404 || (!mine.employer && missing.status == 403),
            "{method} {path} as {account}: {}",
            missing.body
        );
        for (other, theirs) in owned.iter().enumerate().filter(|(o, _)| *o != account) {
            for id in theirs.workers.difference(&mine.workers).take(20) {
                let url = fill(path, &HashMap::from([("id", id.to_string())]));
                let before = h.get(&format!("/v1/workers/{id}"), other).await;
                let key = format!("tenancy-write-{account}-{id}-{method}-{path}");
                let reply = h.call(method, &url, token, body, Some(&key)).await;
                assert_eq!(
                    reply, missing,
                    "{method} {url} as {account}: like a missing id"
                );
                let after = h.get(&format!("/v1/workers/{id}"), other).await;
                assert_eq!(after, before, "worker {id} of {other} unchanged");
                checked += 1;
            }
        }
        if mine.employer
            && let Some(id) = mine.workers.last()
        {
            let url = fill(path, &HashMap::from([("id", id.to_string())]));
            let key = format!("tenancy-own-{account}-{method}-{path}");
            let reply = h.call(method, &url, token, body, Some(&key)).await;
            assert!(
                matches!(reply.status, 200 | 201),
                "{method} {url} as its owner: {}",
                reply.body
            );
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' ids were tried"
    );
}

/// Answering another account's batch is a 404 like a missing one and records nothing; the
/// owner's answer is recorded.
async fn check_export_answer(h: &Harness, method: &str, path: &str, owned: &[Owned]) {
    let body = serde_json::json!({"answer": "refused"});
    let mut checked = 0;
    for (account, _) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing_values = HashMap::from([("id", MISSING_ID.to_string())]);
        let missing = h
            .call(
                method,
                &fill(path, &missing_values),
                token,
                Some(&body),
                None,
            )
            .await;
        assert_eq!(missing.status, 404);
        for (other, theirs) in owned.iter().enumerate().filter(|(o, _)| *o != account) {
            for id in &theirs.exports {
                let url = fill(path, &HashMap::from([("id", id.to_string())]));
                let reply = h.call(method, &url, token, Some(&body), None).await;
                assert_hidden(&reply, &missing, &format!("{method} {url} as {account}"));
                let batch = h.get(&format!("/v1/exports/{id}"), other).await.json();
                assert_eq!(
                    batch["answer"],
                    Value::Null,
                    "batch {id} of {other} unchanged"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' batches were tried"
    );
    let id = owned[0].exports.first().unwrap();
    let url = fill(path, &HashMap::from([("id", id.to_string())]));
    let reply = h
        .call(method, &url, Some(DEMO_TOKENS[0]), Some(&body), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// A correction or removal aimed at another account's training record, through its worker or
/// the caller's own, answers like a missing record and changes nothing; the owner's works.
async fn check_training_write(h: &Harness, method: &str, path: &str, owned: &[Owned], pool: &Db) {
    let body = if method == "patch" {
        serde_json::json!({ "reference": "piratée" })
    } else {
        serde_json::json!({ "reason": "piratage" })
    };
    let all = records(pool).await;
    let values = |id: i64, entry: i64| {
        HashMap::from([("id", id.to_string()), ("entry_id", entry.to_string())])
    };
    let mut checked = 0;
    for (account, mine) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing_url = fill(path, &values(MISSING_ID, MISSING_ID));
        let missing = h.call(method, &missing_url, token, Some(&body), None).await;
        assert_eq!(missing.status, 404, "{}", missing.body);
        for (owner, worker, entry) in all.iter().filter(|(o, _, _)| *o != mine.account_id) {
            let own_worker = mine.workers.first().copied().unwrap_or(MISSING_ID);
            for through in [*worker, own_worker] {
                let url = fill(path, &values(through, *entry));
                let reply = h.call(method, &url, token, Some(&body), None).await;
                assert_hidden(&reply, &missing, &format!("{method} {url} as {account}"));
                checked += 1;
            }
            let still: i64 = on_db!(pool, pool => sqlx::query_scalar(
                "SELECT COUNT(*) FROM passport_entries WHERE id = $1 AND removed_at IS NULL \
                 AND reference IS NULL AND source_account_id = $2",
            )
            .bind(entry)
            .bind(owner)
            .fetch_one(pool)
            .await
            .unwrap());
            assert_eq!(still, 1, "record {entry} unchanged");
        }
        if mine.employer
            && let Some(worker) = mine.workers.first()
        {
            let record = serde_json::json!({ "training_code": "SST", "end_date": "2025-02-03" });
            let created = h
                .call(
                    "post",
                    &format!("/v1/workers/{worker}/trainings"),
                    token,
                    Some(&record),
                    Some(&format!("tenancy-own-record-{account}-{method}")),
                )
                .await;
            assert_eq!(created.status, 201, "{}", created.body);
            let entry = created.json()["entry_id"].as_i64().unwrap();
            let url = fill(path, &values(*worker, entry));
            let reply = h.call(method, &url, token, Some(&body), None).await;
            assert_eq!(
                reply.status, 200,
                "{method} {url} as its owner: {}",
                reply.body
            );
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' records were tried"
    );
}

/// The live training records in the database: (owner account id, worker, entry).
async fn records(pool: &Db) -> Vec<(i64, i64, i64)> {
    on_db!(pool, pool => sqlx::query_as(
        "SELECT e.source_account_id, w.id, e.id FROM passport_entries e \
         JOIN workers w ON w.person_id = e.person_id \
         AND w.employer_account_id = e.source_account_id \
         WHERE e.source = 'recorded' AND e.removed_at IS NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap())
}

/// `POST /v1/sessions`: each account's new session is listed by it alone.
async fn check_create_session(h: &Harness, path: &str, owned: &[Owned]) {
    let body = serde_json::json!({
        "training_code": "SST",
        "title": "SST tenancy",
        "start_date": "2026-11-02",
        "end_date": "2026-11-03",
        "place": "Lyon",
    });
    let mut created = Vec::new();
    for (account, token) in DEMO_TOKENS.iter().enumerate().take(owned.len()) {
        let key = format!("tenancy-session-{account}");
        let reply = h
            .call("post", path, Some(token), Some(&body), Some(&key))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        created.push(reply.json()["id"].as_i64().unwrap());
    }
    for account in 0..owned.len() {
        let listed = walk(h, "/v1/sessions", "", account, "id").await;
        for (creator, id) in created.iter().enumerate() {
            assert_eq!(
                listed.contains(id),
                creator == account,
                "session {id} of {creator} listed by {account}"
            );
        }
    }
}

/// A write on a session by `{id}`: another account's session answers like a missing one and
/// stays unchanged, as its owner reads it.
async fn check_session_write(h: &Harness, method: &str, path: &str, owned: &[Owned]) {
    let body = match method {
        "patch" => Some(serde_json::json!({ "title": "Session piratée" })),
        "put" => Some(serde_json::json!({ "outcome": "absent" })),
        "post" if path.ends_with("/trainees") => Some(serde_json::json!({ "worker_id": 1 })),
        _ => None,
    };
    let body = body.as_ref();
    let values = |id: i64, worker: i64| {
        HashMap::from([("id", id.to_string()), ("worker_id", worker.to_string())])
    };
    let mut checked = 0;
    for (account, mine) in owned.iter().enumerate() {
        let token = Some(DEMO_TOKENS[account]);
        let missing_url = fill(path, &values(MISSING_ID, MISSING_ID));
        let missing = h
            .call(method, &missing_url, token, body, Some("tenancy-missing"))
            .await;
        assert_eq!(missing.status, 404, "{method} {path}: {}", missing.body);
        for (other, theirs) in owned.iter().enumerate().filter(|(o, _)| *o != account) {
            for id in theirs.sessions.difference(&mine.sessions).take(10) {
                let before = h.get(&format!("/v1/sessions/{id}"), other).await;
                let worker = before.json()["trainees"][0]["worker_id"]
                    .as_i64()
                    .unwrap_or(MISSING_ID);
                let url = fill(path, &values(*id, worker));
                let key = format!("tenancy-session-{account}-{id}-{method}-{path}");
                let reply = h.call(method, &url, token, body, Some(&key)).await;
                assert_hidden(&reply, &missing, &format!("{method} {url} as {account}"));
                let after = h.get(&format!("/v1/sessions/{id}"), other).await;
                assert_eq!(after, before, "session {id} of {other} unchanged");
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "{method} {path}: other accounts' sessions were tried"
    );
}
