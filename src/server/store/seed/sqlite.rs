//! The SQLite side of the demo seeding: the batched multi-row INSERTs the routes use too
//! ([`crate::server::store::rows`]), the secondary indexes dropped before the load and rebuilt
//! after it (a sort per index is far cheaper than random insertions), and a large page cache
//! for the transaction.

use sqlx::{Sqlite, Transaction};

use super::SeedBuffers;
use crate::server::ServerError;
use crate::server::store::rows::{
    MAX_ROWS, PersonRow, SessionInsert, insert_entries, insert_persons, insert_sessions,
    insert_trainees, insert_workers,
};
use crate::server::store::sqlite::{CACHE_KIB, SqliteStore};

/// Page cache of the seeding connection (256 MiB): the NIR index and the trainees' primary key
/// are filled in random order, and a small cache would spill pages again and again.
const SEED_CACHE_PRAGMA: &str = "PRAGMA cache_size = -262144";

impl SqliteStore {
    /// Rows per buffer: one multi-row INSERT per table.
    pub(in crate::server::store) const SEED_BATCH: usize = MAX_ROWS;

    /// Enlarges the page cache and drops the secondary indexes of the loaded tables; returns
    /// their definitions, read from the schema itself, to rebuild them. The unique indexes of
    /// `sessions` stay: the trainees' foreign key joins `sessions (account_id, id)`, which SQLite
    /// resolves through one of them.
    pub(in crate::server::store) async fn seed_start(
        tx: &mut Transaction<'static, Sqlite>,
    ) -> Result<Vec<String>, ServerError> {
        sqlx::query(SEED_CACHE_PRAGMA).execute(&mut **tx).await?;
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('persons', 'workers', 'sessions', 'session_trainees', \
             'passport_entries') AND NOT (tbl_name = 'sessions' AND sql LIKE 'CREATE UNIQUE%')",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut **tx)
                .await?;
        }
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Writes the sessions.
    pub(in crate::server::store) async fn seed_sessions(
        tx: &mut Transaction<'static, Sqlite>,
        sessions: &[SessionInsert],
    ) -> Result<(), ServerError> {
        insert_sessions(tx, sessions).await?;
        Ok(())
    }

    /// Writes the buffered persons and workers (first, for the foreign keys), then entries and
    /// trainees.
    pub(in crate::server::store) async fn seed_people(
        tx: &mut Transaction<'static, Sqlite>,
        buffers: &SeedBuffers,
    ) -> Result<(), ServerError> {
        let persons: Vec<PersonRow<'_>> = buffers
            .workers
            .iter()
            .map(|row| PersonRow {
                id: Some(row.person_id),
                nir: row.worker.nir.as_str(),
            })
            .collect();
        insert_persons(tx, &persons).await?;
        insert_workers(tx, &buffers.workers).await?;
        insert_entries(tx, &buffers.entries).await?;
        insert_trainees(tx, &buffers.trainees).await?;
        Ok(())
    }

    /// Gives the connection its usual page cache back (before the commit, which only writes the
    /// dirty pages out).
    pub(in crate::server::store) async fn seed_end(
        tx: &mut Transaction<'static, Sqlite>,
    ) -> Result<(), ServerError> {
        sqlx::query(&format!("PRAGMA cache_size = {CACHE_KIB}"))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Nothing is left to do once committed.
    pub(in crate::server::store) async fn seed_committed(&self) -> Result<(), ServerError> {
        Ok(())
    }
}
