//! An employer's staff: creating, changing and archiving its workers (the employment of a
//! person in the account, docs/model.md).

use std::str::FromStr;

use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::idempotency::{lookup, remember};
use super::rows::{Employment, PersonRow, WorkerRow, insert_persons, insert_workers};
use super::{
    AccountRow, Idempotent, IdempotentRequest, ServerError, Store, WORKER_COLUMNS, inserted,
    search_text, worker_from_row,
};
use crate::api::contract::{NewWorker, StaffRecord, WorkerPatch};
use crate::domain::DeclarantKind;
use crate::domain::ids::{Nir, Siret};
use crate::domain::worker::{Worker, WorkerId};

/// What became of a staff write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffOutcome {
    /// Written: the worker as it stands now.
    Saved(Box<StaffRecord>),
    /// The NIR or the matricule is already another worker's in the account.
    Duplicate {
        /// The field: `nir` or `employee_number`.
        field: &'static str,
        /// The existing worker.
        worker: WorkerId,
        /// Their name, as shown in lists.
        name: String,
    },
    /// No such worker among the account's staff.
    NotFound,
}

/// The employment columns selected after [`WORKER_COLUMNS`].
const EMPLOYMENT_COLUMNS: &str = ", w.service, w.job, w.employee_number, w.manager, \
     w.entry_date, w.leaving_date, w.archived";

/// Decodes one of the caller's own workers with their employment.
fn staff_from_row(row: &SqliteRow) -> Result<StaffRecord, ServerError> {
    let worker = worker_from_row(row)?;
    Ok(StaffRecord {
        worker,
        service: row.try_get("service")?,
        job: row.try_get("job")?,
        employee_number: row.try_get("employee_number")?,
        manager: row.try_get("manager")?,
        entry_date: row.try_get("entry_date")?,
        leaving_date: row.try_get("leaving_date")?,
        archived: row.try_get("archived")?,
    })
}

/// The text of an optional field: trimmed, `None` when empty.
fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// One of the employer's own workers (archived ones included), on an open connection.
async fn own_worker(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    id: WorkerId,
) -> Result<Option<StaffRecord>, ServerError> {
    let sql = format!(
        "SELECT {WORKER_COLUMNS}{EMPLOYMENT_COLUMNS} FROM workers w \
         WHERE w.id = ? AND w.employer_account_id = ?"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(account.id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| staff_from_row(&row)).transpose()
}

/// Another worker of the account holding `value` in `column` (`nir` or `employee_number`).
async fn holder(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    column: &'static str,
    value: &str,
    except: Option<WorkerId>,
) -> Result<Option<StaffOutcome>, ServerError> {
    let sql = format!(
        "SELECT {WORKER_COLUMNS} FROM workers w WHERE w.employer_account_id = ? \
         AND w.{column} = ? AND w.id <> ?"
    );
    let row = sqlx::query(&sql)
        .bind(account.id)
        .bind(value)
        .bind(except.unwrap_or(-1))
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        let worker = worker_from_row(&row)?;
        Ok(StaffOutcome::Duplicate {
            field: column,
            worker: worker.id,
            name: worker.display_name(),
        })
    })
    .transpose()
}

/// The person of `nir`, created when new.
pub(super) async fn person_of(conn: &mut SqliteConnection, nir: &str) -> Result<i64, ServerError> {
    insert_persons(conn, &[PersonRow { id: None, nir }]).await?;
    Ok(sqlx::query_scalar("SELECT id FROM persons WHERE nir = ?")
        .bind(nir)
        .fetch_one(&mut *conn)
        .await?)
}

impl Store {
    /// One worker visible to `account` with their employment (left empty unless the worker is
    /// the caller's own staff: an organisation does not see the employer's matricule).
    pub async fn staff_record(
        &self,
        account: &AccountRow,
        id: WorkerId,
    ) -> Result<Option<StaffRecord>, ServerError> {
        let Some(worker) = self.worker(account, id).await? else {
            return Ok(None);
        };
        if account.kind != DeclarantKind::Employeur {
            return Ok(Some(staff_from_row_none(worker)));
        }
        let mut conn = self.pool.acquire().await?;
        own_worker(&mut conn, account, id).await
    }

    /// Creates a worker of the employer `account`, idempotently, in ONE transaction: a NIR or
    /// matricule already in the account is a [`StaffOutcome::Duplicate`]; the person of the NIR
    /// is shared with other accounts, and entries declared earlier for the account's SIRET on
    /// that person are attached to it.
    pub async fn create_worker(
        &self,
        account: &AccountRow,
        nir: &Nir,
        new: &NewWorker,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<StaffOutcome>, ServerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        if let Some(duplicate) = holder(&mut tx, account, "nir", nir.as_str(), None).await? {
            return Ok(Idempotent::New(duplicate));
        }
        let number = text(new.employee_number.as_deref());
        if let Some(number) = &number
            && let Some(duplicate) =
                holder(&mut tx, account, "employee_number", number, None).await?
        {
            return Ok(Idempotent::New(duplicate));
        }
        let person = person_of(&mut tx, nir.as_str()).await?;
        let siret = Siret::from_str(&account.siret).map_err(|e| ServerError::Corrupt {
            what: "SIRET du compte".to_owned(),
            detail: e.to_string(),
        })?;
        let worker = Worker {
            id: 0,
            nir: nir.clone(),
            last_name: new.last_name.trim().to_owned(),
            usage_name: text(new.usage_name.as_deref()),
            first_names: new.first_names.trim().to_owned(),
            birth_date: new.birth_date,
            employer_siret: siret,
            employer_name: account.name.clone(),
            site: text(new.site.as_deref()).unwrap_or_default(),
        };
        let row = WorkerRow {
            id: None,
            person_id: person,
            worker,
            employer_account_id: Some(account.id),
            employment: Employment {
                service: text(new.service.as_deref()),
                job: text(new.job.as_deref()),
                employee_number: number,
                manager: text(new.manager.as_deref()),
                entry_date: new.entry_date,
                leaving_date: new.leaving_date,
            },
        };
        let id = inserted(insert_workers(&mut tx, &[row]).await?, "salarié")?;
        sqlx::query(
            "UPDATE passport_entries SET employer_account_id = ? \
             WHERE employer_account_id IS NULL AND employer_siret = ? AND person_id = ?",
        )
        .bind(account.id)
        .bind(&account.siret)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        let record =
            own_worker(&mut tx, account, id)
                .await?
                .ok_or_else(|| ServerError::Corrupt {
                    what: "salarié".to_owned(),
                    detail: format!("le salarié {id} est illisible après son insertion"),
                })?;
        remember(&mut tx, account.id, request, 201, &record).await?;
        tx.commit().await?;
        Ok(Idempotent::New(StaffOutcome::Saved(Box::new(record))))
    }

    /// Changes the fields of `patch` on one of the employer's workers.
    pub async fn update_worker(
        &self,
        account: &AccountRow,
        id: WorkerId,
        patch: &WorkerPatch,
    ) -> Result<StaffOutcome, ServerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(mut record) = own_worker(&mut tx, account, id).await? else {
            return Ok(StaffOutcome::NotFound);
        };
        if let Some(number) = text(patch.employee_number.as_deref())
            && let Some(duplicate) =
                holder(&mut tx, account, "employee_number", &number, Some(id)).await?
        {
            return Ok(duplicate);
        }
        apply_patch(&mut record, patch);
        let worker = &record.worker;
        sqlx::query(
            "UPDATE workers SET last_name = ?, usage_name = ?, first_names = ?, birth_date = ?, \
             site = ?, search = ?, service = ?, job = ?, employee_number = ?, manager = ?, \
             entry_date = ?, leaving_date = ? WHERE id = ? AND employer_account_id = ?",
        )
        .bind(&worker.last_name)
        .bind(&worker.usage_name)
        .bind(&worker.first_names)
        .bind(worker.birth_date)
        .bind(&worker.site)
        .bind(search_text(worker))
        .bind(&record.service)
        .bind(&record.job)
        .bind(&record.employee_number)
        .bind(&record.manager)
        .bind(record.entry_date)
        .bind(record.leaving_date)
        .bind(id)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(StaffOutcome::Saved(Box::new(record)))
    }

    /// Archives one of the employer's workers (a leaver: kept with its history, hidden from
    /// lists), with `leaving_date` when it had none; archiving twice changes nothing.
    pub async fn archive_worker(
        &self,
        account: &AccountRow,
        id: WorkerId,
        today: NaiveDate,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<StaffOutcome>, ServerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        let archived = sqlx::query(
            "UPDATE workers SET archived = 1, leaving_date = COALESCE(leaving_date, ?) \
             WHERE id = ? AND employer_account_id = ?",
        )
        .bind(today)
        .bind(id)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
        if archived.rows_affected() == 0 {
            return Ok(Idempotent::New(StaffOutcome::NotFound));
        }
        let record =
            own_worker(&mut tx, account, id)
                .await?
                .ok_or_else(|| ServerError::Corrupt {
                    what: "salarié".to_owned(),
                    detail: format!("le salarié {id} a disparu"),
                })?;
        remember(&mut tx, account.id, request, 200, &record).await?;
        tx.commit().await?;
        Ok(Idempotent::New(StaffOutcome::Saved(Box::new(record))))
    }
}

/// A worker of another account's staff: no employment fields.
fn staff_from_row_none(worker: Worker) -> StaffRecord {
    StaffRecord {
        worker,
        service: None,
        job: None,
        employee_number: None,
        manager: None,
        entry_date: None,
        leaving_date: None,
        archived: false,
    }
}

/// Applies a patch: a present text replaces (an empty one clears an optional field; required
/// names are checked non-empty by the route), a present date replaces.
fn apply_patch(record: &mut StaffRecord, patch: &WorkerPatch) {
    let worker = &mut record.worker;
    if let Some(name) = &patch.last_name {
        name.trim().clone_into(&mut worker.last_name);
    }
    if let Some(names) = &patch.first_names {
        names.trim().clone_into(&mut worker.first_names);
    }
    if let Some(usage) = &patch.usage_name {
        worker.usage_name = text(Some(usage));
    }
    if let Some(site) = &patch.site {
        site.trim().clone_into(&mut worker.site);
    }
    if patch.birth_date.is_some() {
        worker.birth_date = patch.birth_date;
    }
    for (field, value) in [
        (&mut record.service, &patch.service),
        (&mut record.job, &patch.job),
        (&mut record.employee_number, &patch.employee_number),
        (&mut record.manager, &patch.manager),
    ] {
        if let Some(value) = value {
            *field = text(Some(value));
        }
    }
    if patch.entry_date.is_some() {
        record.entry_date = patch.entry_date;
    }
    if patch.leaving_date.is_some() {
        record.leaving_date = patch.leaving_date;
    }
}

/// Appends the list condition on leavers: an employer's archived workers are hidden unless
/// asked for.
pub(super) fn push_archived_filter(
    builder: &mut QueryBuilder<'_, Sqlite>,
    account: &AccountRow,
    include_archived: bool,
) {
    if account.kind == DeclarantKind::Employeur && !include_archived {
        builder.push(" AND w.archived = 0");
    }
}
