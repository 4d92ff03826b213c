//! Passport entries: what each account sees of a person's entries, the employer's own training
//! records, and the entries of declaration lines (docs/model.md).

use chrono::NaiveDate;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::audit::AuditEvent;
use super::rows::{EntryInsert, insert_entries};
use super::sqlite::declared_entries::refresh_person;
use super::sqlite::{append_audit, lookup, remember};
use super::{AccountRow, Idempotent, IdempotentRequest, ServerError, Store, inserted};
use crate::api::contract::{
    EntryOrigin, EntrySource, NewTrainingRecord, TrainingRecordPatch, TrainingRecordView,
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

/// The person behind one of the employer's workers.
async fn own_person(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    worker: WorkerId,
) -> Result<Option<i64>, ServerError> {
    Ok(
        sqlx::query_scalar(
            "SELECT person_id FROM workers WHERE id = ? AND employer_account_id = ?",
        )
        .bind(worker)
        .bind(account.id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten(),
    )
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
        let new = checked.record;
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        let Some(person) = own_person(&mut tx, account, worker).await? else {
            return Ok(Idempotent::New(RecordOutcome::NotFound));
        };
        let row = EntryInsert {
            person_id: person,
            training_code: Some(new.training_code.trim().to_owned()),
            training_title: None,
            end_date: checked.end_date,
            validity_start: new.validity_start,
            validity_end: new.validity_end,
            expires_on: None,
            superseded: false,
            source: EntrySource::Recorded,
            source_account_id: Some(account.id),
            session_id: None,
            declaration_line_id: None,
            employer_siret: Some(account.siret.clone()),
            organisme: text(new.organisme.as_deref()),
            reference: text(new.reference.as_deref()),
            recorded_on: Some(checked.today),
            employer_account_id: Some(account.id),
            session_account_id: None,
        };
        let id = inserted(
            insert_entries(&mut tx, &[row]).await?,
            "entrée du passeport",
        )?;
        refresh_person(&mut tx, person, catalogue).await?;
        remember(
            &mut tx,
            account.id,
            request,
            201,
            &SavedEntry { entry_id: id },
        )
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

    /// Changes a live training record the employer wrote for this worker.
    pub async fn update_training_record(
        &self,
        account: &AccountRow,
        worker: WorkerId,
        entry: i64,
        patch: &TrainingRecordPatch,
        catalogue: &Catalogue,
    ) -> Result<RecordOutcome, ServerError> {
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        let Some(person) = own_person(&mut tx, account, worker).await? else {
            return Ok(RecordOutcome::NotFound);
        };
        let mut builder = QueryBuilder::<Sqlite>::new("UPDATE passport_entries SET id = id");
        if let Some(code) = &patch.training_code {
            builder
                .push(", training_code = ")
                .push_bind(code.trim().to_owned());
        }
        for (column, value) in [
            ("end_date", patch.end_date),
            ("validity_start", patch.validity_start),
            ("validity_end", patch.validity_end),
        ] {
            if let Some(value) = value {
                builder.push(format!(", {column} = ")).push_bind(value);
            }
        }
        for (column, value) in [
            ("organisme", &patch.organisme),
            ("reference", &patch.reference),
        ] {
            if let Some(value) = value {
                builder
                    .push(format!(", {column} = "))
                    .push_bind(text(Some(value)));
            }
        }
        builder.push(" WHERE id = ").push_bind(entry);
        push_own_record(&mut builder, account, person);
        let updated = builder.build().execute(&mut *tx).await?;
        if updated.rows_affected() == 0 {
            return Ok(RecordOutcome::NotFound);
        }
        refresh_person(&mut tx, person, catalogue).await?;
        tx.commit().await?;
        Ok(RecordOutcome::Saved(entry))
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
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        let Some(person) = own_person(&mut tx, account, worker).await? else {
            return Ok(RecordOutcome::NotFound);
        };
        let mut builder = QueryBuilder::<Sqlite>::new("UPDATE passport_entries SET removed_at = ");
        builder
            .push_bind(today)
            .push(", removed_reason = ")
            .push_bind(reason.trim().to_owned());
        builder.push(" WHERE id = ").push_bind(entry);
        push_own_record(&mut builder, account, person);
        let removed = builder.build().execute(&mut *tx).await?;
        if removed.rows_affected() == 0 {
            return Ok(RecordOutcome::NotFound);
        }
        refresh_person(&mut tx, person, catalogue).await?;
        let event = AuditEvent {
            action: "retrait",
            entity: "formation",
            entity_id: format!("{worker}/{entry}"),
            before: Some(serde_json::json!({"removed_reason": null})),
            after: Some(serde_json::json!({"removed_reason": reason.trim()})),
        };
        append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
        tx.commit().await?;
        Ok(RecordOutcome::Saved(entry))
    }

    /// The employer's training records for one of its workers, removed ones included, newest
    /// first; `None` when the worker is not the account's.
    pub async fn training_records(
        &self,
        account: &AccountRow,
        worker: WorkerId,
    ) -> Result<Option<Vec<TrainingRecordView>>, ServerError> {
        let mut conn = self.sqlite()?.acquire().await?;
        let Some(person) = own_person(&mut conn, account, worker).await? else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT id, training_code, end_date, validity_start, validity_end, organisme, \
             reference, recorded_on, removed_at, removed_reason FROM passport_entries \
             WHERE person_id = ? AND source = 'recorded' AND source_account_id = ? \
             ORDER BY end_date DESC, id DESC",
        )
        .bind(person)
        .bind(account.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
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
            })
            .collect::<Result<Vec<_>, ServerError>>()
            .map(Some)
    }
}

/// Appends "a live record the account wrote for this person".
fn push_own_record(builder: &mut QueryBuilder<'_, Sqlite>, account: &AccountRow, person: i64) {
    builder
        .push(" AND source = 'recorded' AND removed_at IS NULL AND source_account_id = ")
        .push_bind(account.id)
        .push(" AND person_id = ")
        .push_bind(person);
}

/// The text of an optional field: trimmed, `None` when empty.
fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

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
