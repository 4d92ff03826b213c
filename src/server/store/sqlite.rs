//! The SQLite backend: its pool (WAL, one writer), its write transactions (`BEGIN IMMEDIATE`),
//! its dialect, and the calls written once in [`super::shared`].

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

/// This backend's database, row and connection types, named by the shared calls.
type Db = Sqlite;
/// See [`Db`].
type DbRow = sqlx::sqlite::SqliteRow;
/// See [`Db`].
type DbConn = sqlx::SqliteConnection;

/// Connections in the pool: SQLite has one writer at a time; a few readers run beside it (WAL).
const MAX_CONNECTIONS: u32 = 4;
/// How long a statement waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Page cache of each connection, in KiB as SQLite counts it when negative (16 MiB).
pub(super) const CACHE_KIB: &str = "-16384";

/// A SQLite database.
#[derive(Debug, Clone)]
pub(super) struct SqliteStore {
    /// The pool; the demo seeding, not yet shared with PostgreSQL, uses it directly.
    pub(super) pool: SqlitePool,
}

impl SqliteStore {
    /// Joins a trainee to its session in the training organisation's visibility test: CROSS
    /// JOIN keeps the worker's own enrolments as the outer loop (by the worker index).
    const ENROLMENT_JOIN: &'static str = "CROSS JOIN";

    /// What a write transaction appends to the reads of the rows it changes: nothing, the
    /// transaction begun `IMMEDIATE` holds the database's write lock already.
    const FOR_UPDATE: &'static str = "";

    /// The lock of an idempotency key: none, the write transaction already holds the
    /// database's write lock, so two requests under one key take turns.
    const KEY_LOCK: Option<&'static str> = None;

    /// The predicate of the partial expiry indexes, written as in this backend's migration
    /// (0003) so the planner matches it.
    const LIVE_EXPIRY: &'static str =
        "e.superseded = 0 AND e.expires_on IS NOT NULL AND e.removed_at IS NULL";

    /// Opens (creating if missing) the file in WAL mode, limited to `max_pages` pages when
    /// set, and runs the migrations.
    pub(super) async fn open(
        path: &Path,
        max_pages: Option<u32>,
    ) -> Result<Self, crate::server::ServerError> {
        create_private(path);
        let mut options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", CACHE_KIB);
        if let Some(pages) = max_pages {
            options = options.pragma("max_page_count", pages.to_string());
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .after_release(|conn, _| Box::pin(async move { reusable(conn).await }))
            .connect_with(options)
            .await?;
        sqlx::migrate!("src/server/migrations/sqlite")
            .run(&pool)
            .await?;
        Ok(Self { pool })
    }

    /// A write transaction, holding the write lock from its start (no upgrade deadlock).
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// The date under `key` of the JSON text in `column`.
    fn json_date(column: &str, key: &str) -> String {
        format!("json_extract({column}, '$.{key}')")
    }
}

/// Creates a missing database file readable by this user only (0600): it holds NIRs and token
/// hashes, and SQLite gives its `-wal` and `-shm` files the same mode. A file that cannot be
/// created here is left to SQLite, whose error the start reports with the path and the cause.
fn create_private(path: &Path) {
    if path.exists() {
        return;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Err(error) = options.open(path) {
        tracing::debug!(%error, "fichier de base non créé d'avance");
    }
}

/// Whether a connection given back may serve again. A failed write transaction can leave it
/// counted as still inside the transaction (SQLite rolled back by itself on `SQLITE_FULL` and
/// the driver's `ROLLBACK` then failed), after which every `BEGIN IMMEDIATE` on it fails: such a
/// connection is closed, and the pool opens a fresh one. The ping first lets the driver finish
/// the rollback a dropped transaction queued.
async fn reusable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    conn.ping().await?;
    let reusable = !conn.is_in_transaction();
    if !reusable {
        tracing::warn!("connexion SQLite fermée après une transaction d'écriture en échec");
    }
    Ok(reusable)
}

super::shared::ported!(SqliteStore);
super::sites::ported!(SqliteStore);
super::requirements::ported!(SqliteStore);
super::dashboards::ported!(SqliteStore);
super::declared_entries::ported!(SqliteStore);
super::declarations::ported!(SqliteStore);
super::exports::ported!(SqliteStore);
super::staff::ported!(SqliteStore);
super::entries::ported!(SqliteStore);
super::sessions::ported!(SqliteStore);
super::unmapped::ported!(SqliteStore);
super::verifications::calls!(SqliteStore);
super::users::users_ported!(SqliteStore);
super::audit::audit_ported!(SqliteStore);
super::seed::ported!(SqliteStore);
