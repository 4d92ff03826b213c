//! The PostgreSQL backend: its pool (size, statement timeout and TLS from the settings), its
//! transactions, its dialect, and the calls written once in [`super::shared`].

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::{Postgres, Transaction};

use crate::server::database::{DatabaseSettings, PostgresUrl, TlsMode};

/// This backend's database, row and connection types, named by the shared calls.
type Db = Postgres;
/// See [`Db`].
type DbRow = sqlx::postgres::PgRow;
/// See [`Db`].
type DbConn = sqlx::PgConnection;

/// A PostgreSQL database.
#[derive(Debug, Clone)]
pub(super) struct PgStore {
    pub(super) pool: PgPool,
}

impl PgStore {
    /// Joins a trainee to its session in the training organisation's visibility test.
    const ENROLMENT_JOIN: &'static str = "JOIN";

    /// What a write transaction appends to the reads of the rows it changes: their row locks,
    /// so two writes of one row (two closes of a session) run one after the other.
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    /// Locks the account's (`$1`) idempotency key (`$2`) until the end of the transaction:
    /// writers run side by side here, and two requests under one key would otherwise both find
    /// it unused and both write. An advisory lock, since the key's row does not exist yet.
    const KEY_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtextextended($2, $1))");

    /// The predicate of the partial expiry indexes, written as in this backend's migration
    /// (0003) so the planner matches it.
    const LIVE_EXPIRY: &'static str =
        "NOT e.superseded AND e.expires_on IS NOT NULL AND e.removed_at IS NULL";

    /// Connects with `settings` and runs the migrations.
    pub(super) async fn open(
        url: &PostgresUrl,
        settings: &DatabaseSettings,
    ) -> Result<Self, ServerError> {
        let mut options = PgConnectOptions::from_str(url.expose())?;
        if let Some(tls) = settings.tls {
            options = options.ssl_mode(match tls {
                TlsMode::Disable => PgSslMode::Disable,
                TlsMode::Prefer => PgSslMode::Prefer,
                TlsMode::Require => PgSslMode::Require,
                TlsMode::VerifyCa => PgSslMode::VerifyCa,
                TlsMode::VerifyFull => PgSslMode::VerifyFull,
            });
        }
        let timeout_ms = settings.statement_timeout.as_millis().to_string();
        let options = options.options([("statement_timeout", timeout_ms.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .connect_with(options)
            .await?;
        sqlx::migrate!("src/server/migrations/postgres")
            .run(&pool)
            .await?;
        Ok(Self { pool })
    }

    /// A write transaction (row locks and unique indexes serialise the writers).
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// The date under `key` of the JSON text in `column`.
    fn json_date(column: &str, key: &str) -> String {
        format!("(({column})::jsonb ->> '{key}')::date")
    }

    /// Closes the pool.
    pub(super) async fn close(&self) {
        self.pool.close().await;
    }
}

super::shared::ported!(PgStore);
super::sites::ported!(PgStore);
super::requirements::ported!(PgStore);
super::dashboards::ported!(PgStore);
super::declared_entries::ported!(PgStore);
super::declarations::ported!(PgStore);
super::exports::ported!(PgStore);
super::staff::ported!(PgStore);
super::entries::ported!(PgStore);
super::sessions::ported!(PgStore);
super::unmapped::ported!(PgStore);
super::verifications::calls!(PgStore);
super::users::users_ported!(PgStore);
super::audit::audit_ported!(PgStore);
super::seed::ported!(PgStore);
