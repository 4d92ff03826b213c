//! An employer's staff: creating, changing and archiving its workers (the employment of a
//! person in the account, docs/model.md). The writes are written once for both backends in
//! [`ported`].

use chrono::NaiveDate;

use super::{AccountRow, Idempotent, IdempotentRequest, ServerError, Store, dispatch};
use crate::api::contract::{NewWorker, StaffRecord, WorkerPatch};
use crate::domain::ids::Nir;
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
pub(super) const EMPLOYMENT_COLUMNS: &str = ", w.service, w.job, w.employee_number, w.manager, \
     w.entry_date, w.leaving_date, w.archived";

/// The text of an optional field: trimmed, `None` when empty.
pub(super) fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl Store {
    /// One worker visible to `account` with their employment (left empty unless the worker is
    /// the caller's own staff: an organisation does not see the employer's matricule).
    pub async fn staff_record(
        &self,
        account: &AccountRow,
        id: WorkerId,
    ) -> Result<Option<StaffRecord>, ServerError> {
        dispatch!(self, staff_record(account, id))
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
        dispatch!(self, create_worker(account, nir, new, request))
    }

    /// Changes the fields of `patch` on one of the employer's workers.
    pub async fn update_worker(
        &self,
        account: &AccountRow,
        id: WorkerId,
        patch: &WorkerPatch,
    ) -> Result<StaffOutcome, ServerError> {
        dispatch!(self, update_worker(account, id, patch))
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
        dispatch!(self, archive_worker(account, id, today, request))
    }
}

/// A worker of another account's staff: no employment fields.
pub(super) fn staff_from_row_none(worker: Worker) -> StaffRecord {
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
pub(super) fn apply_patch(record: &mut StaffRecord, patch: &WorkerPatch) {
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

/// The shared staff writes, as a child module `staff` of the backend module (the helpers they
/// call are in `shared.rs`).
macro_rules! ported {
    ($backend:ident) => {
        /// Staff writes on this backend (store/staff.rs).
        pub(in crate::server::store) mod staff {
            use chrono::NaiveDate;

            use super::{$backend as Backend, append_audit, holder, lookup, own_worker, remember};
            use crate::api::contract::WorkerPatch;
            use crate::domain::worker::WorkerId;
            use crate::server::ServerError;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::staff::{StaffOutcome, apply_patch, text};
            use crate::server::store::{AccountRow, Idempotent, IdempotentRequest, search_text};

            impl Backend {
            /// See [`crate::server::store::Store::update_worker`].
            pub(in crate::server::store) async fn update_worker(
                &self,
                account: &AccountRow,
                id: WorkerId,
                patch: &WorkerPatch,
            ) -> Result<StaffOutcome, ServerError> {
                let mut tx = self.begin_write().await?;
                let Some(mut record) = own_worker(&mut tx, account, id).await? else {
                    return Ok(StaffOutcome::NotFound);
                };
                if let Some(number) = text(patch.employee_number.as_deref())
                    && let Some(duplicate) =
                        holder(&mut tx, account, "employee_number", &number, Some(id)).await?
                {
                    return Ok(duplicate);
                }
                let before = serde_json::to_value(&record).ok();
                apply_patch(&mut record, patch);
                let worker = &record.worker;
                sqlx::query(
                    "UPDATE workers SET last_name = $1, usage_name = $2, first_names = $3, birth_date = $4, \
                     site = $5, search = $6, service = $7, job = $8, employee_number = $9, manager = $10, \
                     entry_date = $11, leaving_date = $12 WHERE id = $13 AND employer_account_id = $14",
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
                let event = AuditEvent {
                    action: "modification",
                    entity: "salarié",
                    entity_id: id.to_string(),
                    before,
                    after: serde_json::to_value(&record).ok(),
                };
                append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                tx.commit().await?;
                Ok(StaffOutcome::Saved(Box::new(record)))
            }

            /// See [`crate::server::store::Store::archive_worker`].
            pub(in crate::server::store) async fn archive_worker(
                &self,
                account: &AccountRow,
                id: WorkerId,
                today: NaiveDate,
                request: &IdempotentRequest,
            ) -> Result<Idempotent<StaffOutcome>, ServerError> {
                let mut tx = self.begin_write().await?;
                if let Some(known) = lookup(&mut tx, account.id, request).await? {
                    return Ok(known);
                }
                let Some(before) = own_worker(&mut tx, account, id).await? else {
                    return Ok(Idempotent::New(StaffOutcome::NotFound));
                };
                let archived = sqlx::query(
                    "UPDATE workers SET archived = TRUE, leaving_date = COALESCE(leaving_date, $1) \
                     WHERE id = $2 AND employer_account_id = $3",
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
                let event = AuditEvent {
                    action: "archivage",
                    entity: "salarié",
                    entity_id: id.to_string(),
                    before: serde_json::to_value(&before).ok(),
                    after: serde_json::to_value(&record).ok(),
                };
                append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                tx.commit().await?;
                Ok(Idempotent::New(StaffOutcome::Saved(Box::new(record))))
            }
            }
        }
    };
}

pub(super) use ported;
