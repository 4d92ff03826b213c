//! The one write path of each table the routes and the demo both fill (issue 13 §5): persons,
//! workers, sessions, trainees and passport entries are inserted here, in batches, on a SQLite
//! transaction the caller holds. A route writes a batch of one after its checks; the demo
//! seeding writes batches of hundreds in one transaction. Rows are taken as already checked:
//! these functions only write. The calls already shared with PostgreSQL (the staff routes'
//! persons and workers, declaration lines and their entries) keep their ported single-row
//! INSERTs in `shared.rs`, `declarations.rs` and `declared_entries.rs`.
//!
//! Each batch becomes multi-row INSERTs of at most [`MAX_ROWS`] rows and under SQLite's
//! bound-parameter limit, so that sqlx reuses one prepared statement per table and size.

use chrono::NaiveDate;
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{ServerError, code_of, search_text};
use crate::api::contract::EntrySource;
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::worker::{Worker, WorkerId};

/// SQLite's bound-parameter limit (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
const MAX_BINDS: usize = 32_766;
/// Rows per INSERT statement: larger statements gain nothing measurable.
pub(super) const MAX_ROWS: usize = 500;

/// A person to write: a NIR, and an id when the caller chooses it (the demo, whose workers are
/// each their own person of the same id). A NIR already known is left as it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct PersonRow<'a> {
    /// The id, else the next one.
    pub id: Option<i64>,
    /// NIR, 13 characters.
    pub nir: &'a str,
}

/// The employment fields of a worker row, known only to its employer.
#[derive(Debug, Clone, Default)]
pub(super) struct Employment {
    /// Service.
    pub service: Option<String>,
    /// Poste.
    pub job: Option<String>,
    /// Matricule.
    pub employee_number: Option<String>,
    /// Manager.
    pub manager: Option<String>,
    /// Date d'entrée.
    pub entry_date: Option<NaiveDate>,
    /// Date de sortie.
    pub leaving_date: Option<NaiveDate>,
}

/// A worker to write: the person as one account knows them.
#[derive(Debug, Clone)]
pub(super) struct WorkerRow {
    /// The id, else the next one (`worker.id` is not written).
    pub id: Option<WorkerId>,
    /// The person.
    pub person_id: i64,
    /// The identity and employer as known by the account.
    pub worker: Worker,
    /// The employer account that sees the worker, if any.
    pub employer_account_id: Option<i64>,
    /// Its employment.
    pub employment: Employment,
}

/// A session to write.
#[derive(Debug, Clone)]
pub(super) struct SessionInsert {
    /// The id, else the next one.
    pub id: Option<SessionId>,
    /// The owning account.
    pub account_id: i64,
    /// Catalogue code.
    pub training_code: String,
    /// Title.
    pub title: String,
    /// Organisme de formation.
    pub organisme: String,
    /// Place.
    pub place: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
}

/// A trainee of a session to write; one already enrolled is left as it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct TraineeInsert {
    /// The account owning the session.
    pub account_id: i64,
    /// The session.
    pub session_id: SessionId,
    /// The worker.
    pub worker_id: WorkerId,
    /// The outcome.
    pub outcome: TraineeOutcome,
}

/// A passport entry to write, with its expiry and supersession as the caller computed them (or
/// left for [`super::entries::refresh_person`] to compute).
#[derive(Debug, Clone)]
pub(super) struct EntryInsert {
    /// The person.
    pub person_id: i64,
    /// Catalogue code; `None` for a declared training of no catalogue type.
    pub training_code: Option<String>,
    /// The declared title, when declared.
    pub training_title: Option<String>,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Validity start.
    pub validity_start: Option<NaiveDate>,
    /// Explicit validity end.
    pub validity_end: Option<NaiveDate>,
    /// Last valid day.
    pub expires_on: Option<NaiveDate>,
    /// A later entry of the same family exists.
    pub superseded: bool,
    /// Where it comes from.
    pub source: EntrySource,
    /// The account that wrote it.
    pub source_account_id: Option<i64>,
    /// Its session.
    pub session_id: Option<SessionId>,
    /// Its declaration line.
    pub declaration_line_id: Option<i64>,
    /// SIRET of the employer it is kept for.
    pub employer_siret: Option<String>,
    /// Organisme de formation.
    pub organisme: Option<String>,
    /// Reference of the certificate or declaration.
    pub reference: Option<String>,
    /// The day it was written.
    pub recorded_on: Option<NaiveDate>,
    /// The employer account that sees it.
    pub employer_account_id: Option<i64>,
    /// The training organisation that sees it.
    pub session_account_id: Option<i64>,
}

/// Rows per statement for a table of `columns` bound columns.
fn rows_per_statement(columns: usize) -> usize {
    (MAX_BINDS / columns.max(1)).clamp(1, MAX_ROWS)
}

/// Inserts `rows` into `table` as multi-row INSERTs of `columns`, each row bound by `bind`,
/// followed by `tail` (a conflict clause, or nothing). Returns the rowid of the last row
/// inserted (the new row's id for a batch of one), `None` for an empty batch.
async fn insert_rows<'r, T>(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: &'r [T],
    mut bind: impl FnMut(Separated<'_, 'r, Sqlite, &'static str>, &'r T),
) -> Result<Option<i64>, ServerError> {
    let head = format!("INSERT INTO {table} ({}) ", columns.join(", "));
    let mut last = None;
    for chunk in rows.chunks(rows_per_statement(columns.len())) {
        let mut builder = QueryBuilder::<Sqlite>::new(&head);
        builder.push_values(chunk, &mut bind);
        builder.push(tail);
        last = Some(
            builder
                .build()
                .execute(&mut *conn)
                .await?
                .last_insert_rowid(),
        );
    }
    Ok(last)
}

/// Writes persons; a NIR already known keeps its person.
pub(super) async fn insert_persons(
    conn: &mut SqliteConnection,
    rows: &[PersonRow<'_>],
) -> Result<(), ServerError> {
    insert_rows(
        conn,
        "persons",
        &["id", "nir"],
        " ON CONFLICT DO NOTHING",
        rows,
        |mut row, person| {
            row.push_bind(person.id).push_bind(person.nir);
        },
    )
    .await?;
    Ok(())
}

/// Writes workers with their folded search text. Returns the id of the last one.
pub(super) async fn insert_workers(
    conn: &mut SqliteConnection,
    rows: &[WorkerRow],
) -> Result<Option<WorkerId>, ServerError> {
    insert_rows(
        conn,
        "workers",
        &[
            "id",
            "person_id",
            "nir",
            "last_name",
            "usage_name",
            "first_names",
            "birth_date",
            "employer_siret",
            "employer_name",
            "site",
            "employer_account_id",
            "search",
            "service",
            "job",
            "employee_number",
            "manager",
            "entry_date",
            "leaving_date",
        ],
        "",
        rows,
        |mut row, new| {
            let worker = &new.worker;
            let employment = &new.employment;
            row.push_bind(new.id)
                .push_bind(new.person_id)
                .push_bind(worker.nir.as_str())
                .push_bind(&worker.last_name)
                .push_bind(&worker.usage_name)
                .push_bind(&worker.first_names)
                .push_bind(worker.birth_date)
                .push_bind(worker.employer_siret.as_str())
                .push_bind(&worker.employer_name)
                .push_bind(&worker.site)
                .push_bind(new.employer_account_id)
                .push_bind(search_text(worker))
                .push_bind(&employment.service)
                .push_bind(&employment.job)
                .push_bind(&employment.employee_number)
                .push_bind(&employment.manager)
                .push_bind(employment.entry_date)
                .push_bind(employment.leaving_date);
        },
    )
    .await
}

/// Writes sessions. Returns the id of the last one.
pub(super) async fn insert_sessions(
    conn: &mut SqliteConnection,
    rows: &[SessionInsert],
) -> Result<Option<SessionId>, ServerError> {
    insert_rows(
        conn,
        "sessions",
        &[
            "id",
            "account_id",
            "training_code",
            "title",
            "organisme",
            "place",
            "start_date",
            "end_date",
        ],
        "",
        rows,
        |mut row, session| {
            row.push_bind(session.id)
                .push_bind(session.account_id)
                .push_bind(&session.training_code)
                .push_bind(&session.title)
                .push_bind(&session.organisme)
                .push_bind(&session.place)
                .push_bind(session.start_date)
                .push_bind(session.end_date);
        },
    )
    .await
}

/// Writes trainees of sessions; a trainee already enrolled keeps its outcome.
pub(super) async fn insert_trainees(
    conn: &mut SqliteConnection,
    rows: &[TraineeInsert],
) -> Result<(), ServerError> {
    insert_rows(
        conn,
        "session_trainees",
        &["account_id", "session_id", "worker_id", "outcome"],
        " ON CONFLICT DO NOTHING",
        rows,
        |mut row, trainee| {
            row.push_bind(trainee.account_id)
                .push_bind(trainee.session_id)
                .push_bind(trainee.worker_id)
                .push_bind(code_of(trainee.outcome));
        },
    )
    .await?;
    Ok(())
}

/// Writes passport entries. Returns the id of the last one.
pub(super) async fn insert_entries(
    conn: &mut SqliteConnection,
    rows: &[EntryInsert],
) -> Result<Option<i64>, ServerError> {
    insert_rows(
        conn,
        "passport_entries",
        &[
            "person_id",
            "training_code",
            "training_title",
            "end_date",
            "validity_start",
            "validity_end",
            "expires_on",
            "superseded",
            "source",
            "source_account_id",
            "session_id",
            "declaration_line_id",
            "employer_siret",
            "organisme",
            "reference",
            "recorded_on",
            "employer_account_id",
            "session_account_id",
        ],
        "",
        rows,
        |mut row, entry| {
            row.push_bind(entry.person_id)
                .push_bind(&entry.training_code)
                .push_bind(&entry.training_title)
                .push_bind(entry.end_date)
                .push_bind(entry.validity_start)
                .push_bind(entry.validity_end)
                .push_bind(entry.expires_on)
                .push_bind(entry.superseded)
                .push_bind(code_of(entry.source))
                .push_bind(entry.source_account_id)
                .push_bind(entry.session_id)
                .push_bind(entry.declaration_line_id)
                .push_bind(&entry.employer_siret)
                .push_bind(&entry.organisme)
                .push_bind(&entry.reference)
                .push_bind(entry.recorded_on)
                .push_bind(entry.employer_account_id)
                .push_bind(entry.session_account_id);
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_the_parameter_limit() {
        for columns in [1, 2, 3, 8, 18, 100, 40_000] {
            let rows = rows_per_statement(columns);
            assert!((1..=MAX_ROWS).contains(&rows));
            assert!(
                rows * columns <= MAX_BINDS || rows == 1,
                "{columns} columns"
            );
        }
        assert_eq!(rows_per_statement(18), MAX_ROWS);
        assert_eq!(rows_per_statement(100), 327);
    }
}
