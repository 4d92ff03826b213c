//! Passport entries: what each account sees of a person's entries, and the employer's own
//! training records (docs/model.md). The record calls are written once for both backends in
//! [`ported`], each write appending its audit entry in its transaction.

use chrono::NaiveDate;

use super::staff::text;
use super::{AccountRow, Idempotent, IdempotentRequest, ServerError, Store, dispatch};
use crate::api::contract::{
    EntryOrigin, NewTrainingRecord, TrainingRecordPatch, TrainingRecordView,
};
use crate::domain::expiry::{PassportEntry, expiry_date};
use crate::domain::session::SessionId;
use crate::domain::training::Catalogue;
use crate::domain::worker::WorkerId;

/// A passport entry as stored, with its stored expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    /// Catalogue code; `None` for a declared training of no catalogue type.
    pub training_code: Option<String>,
    /// The title as declared or recorded, when it has one.
    pub training_title: Option<String>,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Validity start, if any.
    pub validity_start: Option<NaiveDate>,
    /// Explicit validity end, if any.
    pub validity_end: Option<NaiveDate>,
    /// Last valid day, if the training expires.
    pub expires_on: Option<NaiveDate>,
    /// A later entry of the same family of training types exists for the person.
    pub superseded: bool,
    /// The session, when it belongs to the caller.
    pub session_id: Option<SessionId>,
    /// Its source and author.
    pub origin: EntryOrigin,
}

/// What became of a training-record write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Written: the entry's id.
    Saved(i64),
    /// No such worker among the account's staff, or no such live record of the account.
    NotFound,
}

/// The answer stored for an idempotent replay of a training-record creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedEntry {
    /// The entry created.
    pub entry_id: i64,
}

/// The expiry of an entry by the catalogue in force: its explicit validity end, else the period
/// of its type; none for a type the catalogue does not know.
pub(super) fn expiry(catalogue: &Catalogue, entry: &PassportEntry) -> Option<NaiveDate> {
    let months = catalogue
        .get(&entry.training_code)
        .and_then(|t| t.validity_months);
    match (entry.validity_end, catalogue.get(&entry.training_code)) {
        (Some(end), _) => Some(end),
        (None, Some(_)) => expiry_date(entry, months),
        (None, None) => None,
    }
}

/// Who sees an entry, for supersession: its employer column, else its organisation column.
pub(super) type Viewer = (Option<i64>, Option<i64>);

/// A training record checked by the route: the record, its end date, and the day it is written.
#[derive(Debug, Clone, Copy)]
pub struct CheckedRecord<'a> {
    /// The record as received.
    pub record: &'a NewTrainingRecord,
    /// Its end date (required).
    pub end_date: NaiveDate,
    /// The day it is recorded.
    pub today: NaiveDate,
}

/// Applies a patch checked by the route to a record: a present code or date replaces, a
/// present text replaces (an empty one clears it).
pub(super) fn apply_record_patch(record: &mut TrainingRecordView, patch: &TrainingRecordPatch) {
    if let Some(code) = &patch.training_code {
        code.trim().clone_into(&mut record.training_code);
    }
    if let Some(end) = patch.end_date {
        record.end_date = end;
    }
    for (field, value) in [
        (&mut record.validity_start, patch.validity_start),
        (&mut record.validity_end, patch.validity_end),
    ] {
        if value.is_some() {
            *field = value;
        }
    }
    for (field, value) in [
        (&mut record.organisme, &patch.organisme),
        (&mut record.reference, &patch.reference),
    ] {
        if let Some(value) = value {
            *field = text(Some(value));
        }
    }
}

impl Store {
    /// Records a training of one of the employer's workers, idempotently, in ONE transaction;
    /// the expiry and supersession of the person's entries follow.
    pub async fn create_training_record(
        &self,
        account: &AccountRow,
        worker: WorkerId,
        checked: CheckedRecord<'_>,
        catalogue: &Catalogue,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<RecordOutcome>, ServerError> {
        dispatch!(
            self,
            create_training_record(account, worker, checked, catalogue, request)
        )
    }

    /// Changes a live training record the employer wrote for this worker.
    pub async fn update_training_record(
        &self,
        account: &AccountRow,
        worker: WorkerId,
        entry: i64,
        patch: &TrainingRecordPatch,
        catalogue: &Catalogue,
    ) -> Result<RecordOutcome, ServerError> {
        dispatch!(
            self,
            update_training_record(account, worker, entry, patch, catalogue)
        )
    }

    /// Removes a live training record the employer wrote for this worker, with its reason; the
    /// row stays, in the history.
    pub async fn remove_training_record(
        &self,
        account: &AccountRow,
        worker: WorkerId,
        entry: i64,
        reason: &str,
        today: NaiveDate,
        catalogue: &Catalogue,
    ) -> Result<RecordOutcome, ServerError> {
        dispatch!(
            self,
            remove_training_record(account, worker, entry, reason, today, catalogue)
        )
    }

    /// The employer's training records for one of its workers, removed ones included, newest
    /// first; `None` when the worker is not the account's.
    pub async fn training_records(
        &self,
        account: &AccountRow,
        worker: WorkerId,
    ) -> Result<Option<Vec<TrainingRecordView>>, ServerError> {
        dispatch!(self, training_records(account, worker))
    }
}

/// The shared training-record calls, as a child module `entries` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// Training records on this backend (store/entries.rs).
        pub(in crate::server::store) mod entries {
            use chrono::NaiveDate;
            use sqlx::Row as _;

            use super::declared_entries::refresh_person;
            use super::{$backend as Backend, DbConn, DbRow, append_audit, lookup, remember};
            use crate::api::contract::{TrainingRecordPatch, TrainingRecordView};
            use crate::domain::training::Catalogue;
            use crate::domain::worker::WorkerId;
            use crate::server::ServerError;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::entries::{
                CheckedRecord, RecordOutcome, SavedEntry, apply_record_patch,
            };
            use crate::server::store::staff::text;
            use crate::server::store::{AccountRow, Idempotent, IdempotentRequest};

            /// The columns of a training record, as [`record_from_row`] reads them.
            const RECORD_COLUMNS: &str = "id, training_code, end_date, validity_start, \
                 validity_end, organisme, reference, recorded_on, removed_at, removed_reason";

            /// The person behind one of the employer's workers.
            async fn own_person(
                conn: &mut DbConn,
                account: &AccountRow,
                worker: WorkerId,
            ) -> Result<Option<i64>, ServerError> {
                Ok(sqlx::query_scalar::<_, Option<i64>>(
                    "SELECT person_id FROM workers WHERE id = $1 AND employer_account_id = $2",
                )
                .bind(worker)
                .bind(account.id)
                .fetch_optional(&mut *conn)
                .await?
                .flatten())
            }

            /// Decodes a record selected with [`RECORD_COLUMNS`].
            fn record_from_row(row: &DbRow) -> Result<TrainingRecordView, ServerError> {
                let code: Option<String> = row.try_get("training_code")?;
                Ok(TrainingRecordView {
                    entry_id: row.try_get("id")?,
                    training_code: code.unwrap_or_default(),
                    end_date: row.try_get("end_date")?,
                    validity_start: row.try_get("validity_start")?,
                    validity_end: row.try_get("validity_end")?,
                    organisme: row.try_get("organisme")?,
                    reference: row.try_get("reference")?,
                    recorded_on: row.try_get("recorded_on")?,
                    removed_on: row.try_get("removed_at")?,
                    removed_reason: row.try_get("removed_reason")?,
                })
            }

            /// A live record the account wrote for this person, locked for the write.
            async fn own_record(
                conn: &mut DbConn,
                account: &AccountRow,
                person: i64,
                entry: i64,
            ) -> Result<Option<TrainingRecordView>, ServerError> {
                let sql = format!(
                    "SELECT {RECORD_COLUMNS} FROM passport_entries WHERE id = $1 \
                     AND person_id = $2 AND source = 'recorded' AND removed_at IS NULL \
                     AND source_account_id = $3{}",
                    Backend::FOR_UPDATE
                );
                let row = sqlx::query(&sql)
                    .bind(entry)
                    .bind(person)
                    .bind(account.id)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.as_ref().map(record_from_row).transpose()
            }

            /// The record `entry` of `worker`, as it was before a write and as it is after,
            /// for the audit trail.
            async fn audit_record(
                conn: &mut DbConn,
                account: &AccountRow,
                action: &str,
                worker: WorkerId,
                before: &TrainingRecordView,
                after: &TrainingRecordView,
            ) -> Result<(), ServerError> {
                let event = AuditEvent {
                    action,
                    entity: "formation",
                    entity_id: format!("{worker}/{}", before.entry_id),
                    before: serde_json::to_value(before).ok(),
                    after: serde_json::to_value(after).ok(),
                };
                append_audit(conn, account.id, account.user.as_ref(), event).await
            }

            impl Backend {
                /// See [`crate::server::store::Store::create_training_record`].
                pub(in crate::server::store) async fn create_training_record(
                    &self,
                    account: &AccountRow,
                    worker: WorkerId,
                    checked: CheckedRecord<'_>,
                    catalogue: &Catalogue,
                    request: &IdempotentRequest,
                ) -> Result<Idempotent<RecordOutcome>, ServerError> {
                    let new = checked.record;
                    let mut tx = self.begin_write().await?;
                    if let Some(known) = lookup(&mut tx, account.id, request).await? {
                        return Ok(known);
                    }
                    let Some(person) = own_person(&mut tx, account, worker).await? else {
                        return Ok(Idempotent::New(RecordOutcome::NotFound));
                    };
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO passport_entries (person_id, training_code, end_date, \
                         validity_start, validity_end, source, source_account_id, \
                         employer_siret, organisme, reference, recorded_on, employer_account_id) \
                         VALUES ($1, $2, $3, $4, $5, 'recorded', $6, $7, $8, $9, $10, $11) \
                         RETURNING id",
                    )
                    .bind(person)
                    .bind(new.training_code.trim())
                    .bind(checked.end_date)
                    .bind(new.validity_start)
                    .bind(new.validity_end)
                    .bind(account.id)
                    .bind(&account.siret)
                    .bind(text(new.organisme.as_deref()))
                    .bind(text(new.reference.as_deref()))
                    .bind(checked.today)
                    .bind(account.id)
                    .fetch_one(&mut *tx)
                    .await?;
                    refresh_person(&mut tx, person, catalogue).await?;
                    remember(&mut tx, account.id, request, 201, &SavedEntry { entry_id: id })
                        .await?;
                    let event = AuditEvent {
                        action: "création",
                        entity: "formation",
                        entity_id: format!("{worker}/{id}"),
                        before: None,
                        after: serde_json::to_value(new).ok(),
                    };
                    append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    tx.commit().await?;
                    Ok(Idempotent::New(RecordOutcome::Saved(id)))
                }

                /// See [`crate::server::store::Store::update_training_record`].
                pub(in crate::server::store) async fn update_training_record(
                    &self,
                    account: &AccountRow,
                    worker: WorkerId,
                    entry: i64,
                    patch: &TrainingRecordPatch,
                    catalogue: &Catalogue,
                ) -> Result<RecordOutcome, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(person) = own_person(&mut tx, account, worker).await? else {
                        return Ok(RecordOutcome::NotFound);
                    };
                    let Some(before) = own_record(&mut tx, account, person, entry).await? else {
                        return Ok(RecordOutcome::NotFound);
                    };
                    let mut after = before.clone();
                    apply_record_patch(&mut after, patch);
                    sqlx::query(
                        "UPDATE passport_entries SET training_code = $1, end_date = $2, \
                         validity_start = $3, validity_end = $4, organisme = $5, reference = $6 \
                         WHERE id = $7",
                    )
                    .bind(&after.training_code)
                    .bind(after.end_date)
                    .bind(after.validity_start)
                    .bind(after.validity_end)
                    .bind(&after.organisme)
                    .bind(&after.reference)
                    .bind(entry)
                    .execute(&mut *tx)
                    .await?;
                    refresh_person(&mut tx, person, catalogue).await?;
                    audit_record(&mut tx, account, "modification", worker, &before, &after)
                        .await?;
                    tx.commit().await?;
                    Ok(RecordOutcome::Saved(entry))
                }

                /// See [`crate::server::store::Store::remove_training_record`].
                pub(in crate::server::store) async fn remove_training_record(
                    &self,
                    account: &AccountRow,
                    worker: WorkerId,
                    entry: i64,
                    reason: &str,
                    today: NaiveDate,
                    catalogue: &Catalogue,
                ) -> Result<RecordOutcome, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(person) = own_person(&mut tx, account, worker).await? else {
                        return Ok(RecordOutcome::NotFound);
                    };
                    let Some(before) = own_record(&mut tx, account, person, entry).await? else {
                        return Ok(RecordOutcome::NotFound);
                    };
                    let after = TrainingRecordView {
                        removed_on: Some(today),
                        removed_reason: Some(reason.trim().to_owned()),
                        ..before.clone()
                    };
                    sqlx::query(
                        "UPDATE passport_entries SET removed_at = $1, removed_reason = $2 \
                         WHERE id = $3",
                    )
                    .bind(after.removed_on)
                    .bind(&after.removed_reason)
                    .bind(entry)
                    .execute(&mut *tx)
                    .await?;
                    refresh_person(&mut tx, person, catalogue).await?;
                    audit_record(&mut tx, account, "retrait", worker, &before, &after).await?;
                    tx.commit().await?;
                    Ok(RecordOutcome::Saved(entry))
                }

                /// See [`crate::server::store::Store::training_records`].
                pub(in crate::server::store) async fn training_records(
                    &self,
                    account: &AccountRow,
                    worker: WorkerId,
                ) -> Result<Option<Vec<TrainingRecordView>>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    let Some(person) = own_person(&mut conn, account, worker).await? else {
                        return Ok(None);
                    };
                    let sql = format!(
                        "SELECT {RECORD_COLUMNS} FROM passport_entries WHERE person_id = $1 \
                         AND source = 'recorded' AND source_account_id = $2 \
                         ORDER BY end_date DESC, id DESC"
                    );
                    let rows = sqlx::query(&sql)
                        .bind(person)
                        .bind(account.id)
                        .fetch_all(&mut *conn)
                        .await?;
                    rows.iter()
                        .map(record_from_row)
                        .collect::<Result<Vec<_>, ServerError>>()
                        .map(Some)
                }
            }
        }
    };
}

pub(super) use ported;

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    use super::super::Store;

    /// A database of the schema before people and employments, with one worker and one entry,
    /// migrates to one person owning that entry, the worker its employment.
    #[tokio::test]
    async fn existing_workers_and_entries_migrate_to_people() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let mut before = sqlx::migrate!("src/server/migrations/sqlite");
        let first_two = before.migrations[..2].to_vec();
        before.migrations = Cow::Owned(first_two);
        before.run(&pool).await.unwrap();
        for sql in [
            "INSERT INTO accounts (id, kind, siret, name) \
             VALUES (7, 'employeur', '35600000000048', 'ACME')",
            "INSERT INTO workers (id, nir, last_name, first_names, employer_siret, \
             employer_name, site, employer_account_id, search) \
             VALUES (42, '1850375123456', 'DUPONT', 'Marie', '35600000000048', 'ACME', 'Lyon', \
             7, 'dupont marie')",
            "INSERT INTO passport_entries (id, worker_id, training_code, end_date, expires_on, \
             employer_account_id) VALUES (5, 42, 'SST', '2025-01-10', '2027-01-09', 7)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;

        let store = Store::open(&crate::server::database::DatabaseSettings::sqlite(&path))
            .await
            .unwrap();
        let person: (i64, String) = sqlx::query_as(
            "SELECT p.id, p.nir FROM persons p JOIN workers w ON w.person_id = p.id",
        )
        .fetch_one(store.sqlite().unwrap())
        .await
        .unwrap();
        assert_eq!(person, (42, "1850375123456".to_owned()));
        let entry: (i64, String, Option<i64>, String) = sqlx::query_as(
            "SELECT person_id, source, employer_account_id, expires_on FROM passport_entries \
             WHERE id = 5",
        )
        .fetch_one(store.sqlite().unwrap())
        .await
        .unwrap();
        assert_eq!(
            entry,
            (42, "session".to_owned(), Some(7), "2027-01-09".to_owned())
        );
        let archived: bool = sqlx::query_scalar("SELECT archived FROM workers WHERE id = 42")
            .fetch_one(store.sqlite().unwrap())
            .await
            .unwrap();
        assert!(!archived);
    }
}
