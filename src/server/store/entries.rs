//! Passport entries: what each account sees of a person's entries, the employer's own training
//! records, and the entries of declaration lines (docs/model.md).

use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{AccountRow, ServerError, parse_code};
use crate::api::contract::{EntryOrigin, EntrySource};
use crate::domain::DeclarantKind;
use crate::domain::session::SessionId;

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

/// Appends the condition "entry `e` is seen by `account`": an employer sees the entries whose
/// employer column is its own (it recorded or declared them, or they were declared for its
/// SIRET); a training organisation those of its sessions and declarations.
pub(super) fn push_entry_viewer(builder: &mut QueryBuilder<'_, Sqlite>, account: &AccountRow) {
    let column = match account.kind {
        DeclarantKind::Employeur => "e.employer_account_id = ",
        DeclarantKind::OrganismeFormation => "e.session_account_id = ",
    };
    builder.push(column).push_bind(account.id);
}

/// Decodes an entry selected by [`super::Store::passport`].
pub(super) fn entry_from_row(row: &SqliteRow) -> Result<EntryRow, ServerError> {
    let source: String = row.try_get("source")?;
    let kind: Option<String> = row.try_get("source_kind")?;
    let training_code: Option<String> = row.try_get("training_code")?;
    Ok(EntryRow {
        training_title: row.try_get("training_title")?,
        end_date: row.try_get("end_date")?,
        validity_start: row.try_get("validity_start")?,
        validity_end: row.try_get("validity_end")?,
        expires_on: row.try_get("expires_on")?,
        superseded: row.try_get("superseded")?,
        session_id: row.try_get("session_id")?,
        origin: EntryOrigin {
            entry_id: Some(row.try_get("id")?),
            source: parse_code::<EntrySource>("source d'une entrée", &source)?,
            account_name: row.try_get("source_name")?,
            account_kind: kind
                .map(|kind| parse_code("type de compte", &kind))
                .transpose()?,
            organisme: row.try_get("organisme")?,
            reference: row.try_get("reference")?,
            recorded_on: row.try_get("recorded_on")?,
            unrecognised: training_code.is_none(),
        },
        training_code,
    })
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
        let mut before = sqlx::migrate!("src/server/migrations");
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

        let store = Store::open(&path).await.unwrap();
        let person: (i64, String) = sqlx::query_as(
            "SELECT p.id, p.nir FROM persons p JOIN workers w ON w.person_id = p.id",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(person, (42, "1850375123456".to_owned()));
        let entry: (i64, String, Option<i64>, String) = sqlx::query_as(
            "SELECT person_id, source, employer_account_id, expires_on FROM passport_entries \
             WHERE id = 5",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(
            entry,
            (42, "session".to_owned(), Some(7), "2027-01-09".to_owned())
        );
        let archived: bool = sqlx::query_scalar("SELECT archived FROM workers WHERE id = 42")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(!archived);
    }
}
