//! The PostgreSQL side of the demo seeding: the foreign keys and secondary indexes of the loaded
//! tables are set aside for the load and put back after it (at 100k workers the row-by-row
//! foreign key checks took two thirds of the seeding, BENCHMARKS.md); each buffer becomes one
//! `INSERT … SELECT FROM UNNEST($1::bigint[], …)` per table (one array bound per column, so a
//! batch of thousands of rows is one statement and one round trip; an entry's id follows the
//! array's order, as on SQLite); the identity sequences are set past the generator's explicit
//! ids so later inserts do not collide, and the planner's statistics are gathered once the rows
//! are committed.

use sqlx::{Postgres, Transaction};

use super::SeedBuffers;
use crate::server::ServerError;
use crate::server::store::postgres::PgStore;
use crate::server::store::rows::SessionInsert;
use crate::server::store::{code_of, search_text};

/// The tables the demo loads in bulk.
const LOADED: [&str; 5] = [
    "persons",
    "workers",
    "sessions",
    "session_trainees",
    "passport_entries",
];
/// The tables whose rows the demo writes with explicit ids.
const EXPLICIT_IDS: [&str; 3] = ["persons", "workers", "sessions"];

/// One column of `rows`, as the array bound to its `UNNEST` parameter.
fn column<'a, T, U>(rows: &'a [T], value: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(value).collect()
}

impl PgStore {
    /// Rows per buffer: one statement per table, whatever the number of rows.
    pub(in crate::server::store) const SEED_BATCH: usize = 5000;

    /// Sets aside what makes a bulk load slow on PostgreSQL (its manual, « Populating a
    /// Database »): the foreign keys of the loaded tables, each checked row by row by a trigger,
    /// and their secondary indexes (not those behind a constraint, which the inserts' conflict
    /// clauses need); returns the statements that put them back, read from the catalog, so the
    /// schema ends as the migrations made it (a foreign key put back checks every row at once).
    pub(in crate::server::store) async fn seed_start(
        tx: &mut Transaction<'static, Postgres>,
    ) -> Result<Vec<String>, ServerError> {
        // Rebuilding an index or checking a foreign key over every row is one long statement.
        sqlx::query("SET LOCAL statement_timeout = 0")
            .execute(&mut **tx)
            .await?;
        let keys: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT t.relname::text, c.conname::text, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace \
             AND t.relname IN (SELECT unnest($1::text[])) ORDER BY t.relname, c.conname",
        )
        .bind(LOADED)
        .fetch_all(&mut **tx)
        .await?;
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relnamespace = current_schema()::regnamespace \
             AND t.relname IN (SELECT unnest($1::text[])) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
             ORDER BY i.relname",
        )
        .bind(LOADED)
        .fetch_all(&mut **tx)
        .await?;
        let mut rebuild = Vec::with_capacity(keys.len() + indexes.len());
        for (name, definition) in indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut **tx)
                .await?;
            rebuild.push(definition);
        }
        for (table, name, definition) in keys {
            sqlx::query(&format!(
                "ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\""
            ))
            .execute(&mut **tx)
            .await?;
            rebuild.push(format!(
                "ALTER TABLE \"{table}\" ADD CONSTRAINT \"{name}\" {definition}"
            ));
        }
        Ok(rebuild)
    }

    /// Writes the sessions.
    pub(in crate::server::store) async fn seed_sessions(
        tx: &mut Transaction<'static, Postgres>,
        rows: &[SessionInsert],
    ) -> Result<(), ServerError> {
        sqlx::query(
            "INSERT INTO sessions (id, account_id, training_code, title, organisme, place, \
             start_date, end_date) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], \
             $4::text[], $5::text[], $6::text[], $7::date[], $8::date[])",
        )
        .bind(column(rows, |s| s.id))
        .bind(column(rows, |s| s.account_id))
        .bind(column(rows, |s| s.training_code.as_str()))
        .bind(column(rows, |s| s.title.as_str()))
        .bind(column(rows, |s| s.organisme.as_str()))
        .bind(column(rows, |s| s.place.as_str()))
        .bind(column(rows, |s| s.start_date))
        .bind(column(rows, |s| s.end_date))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Writes the buffered persons and workers (first, for the foreign keys), then entries and
    /// trainees; a NIR or an enrolment already written is left as it is, as on SQLite.
    pub(in crate::server::store) async fn seed_people(
        tx: &mut Transaction<'static, Postgres>,
        buffers: &SeedBuffers,
    ) -> Result<(), ServerError> {
        let workers = &buffers.workers;
        sqlx::query(
            "INSERT INTO persons (id, nir) SELECT * FROM UNNEST($1::bigint[], $2::text[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(column(workers, |w| w.person_id))
        .bind(column(workers, |w| w.worker.nir.as_str()))
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO workers (id, person_id, nir, last_name, usage_name, first_names, \
             birth_date, employer_siret, employer_name, site, employer_account_id, search, \
             service, job, employee_number, manager, entry_date, leaving_date) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], \
             $5::text[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[], \
             $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], \
             $17::date[], $18::date[])",
        )
        .bind(column(workers, |w| w.id))
        .bind(column(workers, |w| w.person_id))
        .bind(column(workers, |w| w.worker.nir.as_str()))
        .bind(column(workers, |w| w.worker.last_name.as_str()))
        .bind(column(workers, |w| w.worker.usage_name.as_deref()))
        .bind(column(workers, |w| w.worker.first_names.as_str()))
        .bind(column(workers, |w| w.worker.birth_date))
        .bind(column(workers, |w| w.worker.employer_siret.as_str()))
        .bind(column(workers, |w| w.worker.employer_name.as_str()))
        .bind(column(workers, |w| w.worker.site.as_str()))
        .bind(column(workers, |w| w.employer_account_id))
        .bind(column(workers, |w| search_text(&w.worker)))
        .bind(column(workers, |w| w.employment.service.as_deref()))
        .bind(column(workers, |w| w.employment.job.as_deref()))
        .bind(column(workers, |w| w.employment.employee_number.as_deref()))
        .bind(column(workers, |w| w.employment.manager.as_deref()))
        .bind(column(workers, |w| w.employment.entry_date))
        .bind(column(workers, |w| w.employment.leaving_date))
        .execute(&mut **tx)
        .await?;
        let entries = &buffers.entries;
        sqlx::query(
            "INSERT INTO passport_entries (person_id, training_code, training_title, end_date, \
             validity_start, validity_end, expires_on, superseded, source, source_account_id, \
             session_id, declaration_line_id, employer_siret, organisme, reference, \
             recorded_on, employer_account_id, session_account_id) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::date[], \
             $5::date[], $6::date[], $7::date[], $8::boolean[], $9::text[], $10::bigint[], \
             $11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[], \
             $16::date[], $17::bigint[], $18::bigint[])",
        )
        .bind(column(entries, |e| e.person_id))
        .bind(column(entries, |e| e.training_code.as_deref()))
        .bind(column(entries, |e| e.training_title.as_deref()))
        .bind(column(entries, |e| e.end_date))
        .bind(column(entries, |e| e.validity_start))
        .bind(column(entries, |e| e.validity_end))
        .bind(column(entries, |e| e.expires_on))
        .bind(column(entries, |e| e.superseded))
        .bind(column(entries, |e| code_of(e.source)))
        .bind(column(entries, |e| e.source_account_id))
        .bind(column(entries, |e| e.session_id))
        .bind(column(entries, |e| e.declaration_line_id))
        .bind(column(entries, |e| e.employer_siret.as_deref()))
        .bind(column(entries, |e| e.organisme.as_deref()))
        .bind(column(entries, |e| e.reference.as_deref()))
        .bind(column(entries, |e| e.recorded_on))
        .bind(column(entries, |e| e.employer_account_id))
        .bind(column(entries, |e| e.session_account_id))
        .execute(&mut **tx)
        .await?;
        let trainees = &buffers.trainees;
        sqlx::query(
            "INSERT INTO session_trainees (account_id, session_id, worker_id, outcome) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(column(trainees, |t| t.account_id))
        .bind(column(trainees, |t| t.session_id))
        .bind(column(trainees, |t| t.worker_id))
        .bind(column(trainees, |t| code_of(t.outcome)))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Sets the identity sequence of every table written with explicit ids past its largest id.
    pub(in crate::server::store) async fn seed_end(
        tx: &mut Transaction<'static, Postgres>,
    ) -> Result<(), ServerError> {
        for table in EXPLICIT_IDS {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Gathers the planner's statistics on the new rows (autovacuum would, but later).
    pub(in crate::server::store) async fn seed_committed(&self) -> Result<(), ServerError> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }
}
