//! The trainings each poste requires (issue 19 §1) and what the compliance matrix reads: the
//! account's workers with their employment and their current trainings. [`ported`] expands in
//! `store/sqlite.rs` and `store/postgres.rs` (see the top of store.rs).

use super::{AccountRow, ServerError, Store, dispatch};
use crate::domain::matrix::MatrixWorker;
use crate::domain::requirements::Requirement;

/// The requirement calls on `$backend`, as a child module `requirements` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// The requirements and the matrix on this backend (store/requirements.rs).
        pub(in crate::server::store) mod requirements {
            use std::collections::HashMap;

            use sqlx::{QueryBuilder, Row as _};

            use super::{
                $backend as Backend, Db, append_audit, push_archived_filter, push_entry_viewer,
                push_worker_visibility,
            };
            use crate::domain::matrix::{Held, MatrixWorker};
            use crate::domain::requirements::Requirement;
            use crate::domain::worker::WorkerId;
            use crate::server::ServerError;
            use crate::server::store::AccountRow;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::requirements::audit_json;

            impl Backend {
                /// See [`crate::server::store::Store::requirements`].
                pub(in crate::server::store) async fn requirements(
                    &self,
                    account: &AccountRow,
                ) -> Result<Vec<Requirement>, ServerError> {
                    let rows = sqlx::query(
                        "SELECT poste, site, service, training_code, validity_months \
                         FROM requirements WHERE account_id = $1 ORDER BY id",
                    )
                    .bind(account.id)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            let months: Option<i32> = row.try_get("validity_months")?;
                            Ok(Requirement {
                                poste: row.try_get("poste")?,
                                site: row.try_get("site")?,
                                service: row.try_get("service")?,
                                training_code: row.try_get("training_code")?,
                                validity_months: months.and_then(|m| u32::try_from(m).ok()),
                            })
                        })
                        .collect()
                }

                /// See [`crate::server::store::Store::replace_requirements`].
                pub(in crate::server::store) async fn replace_requirements(
                    &self,
                    account: &AccountRow,
                    list: &[Requirement],
                ) -> Result<(), ServerError> {
                    let before = self.requirements(account).await?;
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM requirements WHERE account_id = $1")
                        .bind(account.id)
                        .execute(&mut *tx)
                        .await?;
                    for requirement in list {
                        sqlx::query(
                            "INSERT INTO requirements (account_id, poste, site, service, \
                             training_code, validity_months) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(account.id)
                        .bind(&requirement.poste)
                        .bind(&requirement.site)
                        .bind(&requirement.service)
                        .bind(&requirement.training_code)
                        .bind(requirement.validity_months.and_then(|m| i32::try_from(m).ok()))
                        .execute(&mut *tx)
                        .await?;
                    }
                    if before != list {
                        append_audit(
                            &mut tx,
                            account.id,
                            account.user.as_ref(),
                            AuditEvent {
                                action: "modification",
                                entity: "exigences",
                                entity_id: account.siret.clone(),
                                before: Some(audit_json(&before)),
                                after: Some(audit_json(list)),
                            },
                        )
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                /// See [`crate::server::store::Store::matrix_workers`].
                pub(in crate::server::store) async fn matrix_workers(
                    &self,
                    account: &AccountRow,
                ) -> Result<Vec<MatrixWorker>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT w.id, w.last_name, w.usage_name, w.first_names, w.site, \
                         w.service, w.job, w.manager FROM workers w WHERE ",
                    );
                    push_worker_visibility(&mut builder, account);
                    push_archived_filter(&mut builder, account, false);
                    builder.push(" ORDER BY w.last_name, w.first_names, w.id");
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    let mut workers = Vec::with_capacity(rows.len());
                    let mut index = HashMap::with_capacity(rows.len());
                    for row in &rows {
                        let id: WorkerId = row.try_get("id")?;
                        let last: String = row.try_get("last_name")?;
                        let usage: Option<String> = row.try_get("usage_name")?;
                        let first: String = row.try_get("first_names")?;
                        let name = match usage.filter(|u| !u.is_empty()) {
                            Some(usage) => format!("{last} ({usage}) {first}"),
                            None => format!("{last} {first}"),
                        };
                        index.insert(id, workers.len());
                        workers.push(MatrixWorker {
                            id,
                            name,
                            site: row.try_get("site")?,
                            service: row.try_get("service")?,
                            poste: row.try_get("job")?,
                            manager: row.try_get("manager")?,
                            held: Vec::new(),
                        });
                    }
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT w.id, e.training_code, e.end_date, e.expires_on \
                         FROM workers w JOIN passport_entries e ON e.person_id = w.person_id \
                         WHERE e.removed_at IS NULL AND e.superseded = FALSE \
                         AND e.training_code IS NOT NULL AND ",
                    );
                    push_entry_viewer(&mut builder, account);
                    builder.push(" AND ");
                    push_worker_visibility(&mut builder, account);
                    push_archived_filter(&mut builder, account, false);
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    for row in &rows {
                        let id: WorkerId = row.try_get("id")?;
                        if let Some(&at) = index.get(&id) {
                            workers[at].held.push(Held {
                                training_code: row.try_get("training_code")?,
                                end_date: row.try_get("end_date")?,
                                expires_on: row.try_get("expires_on")?,
                            });
                        }
                    }
                    Ok(workers)
                }
            }
        }
    };
}

pub(super) use ported;

/// A list of requirements as its audit entry shows it: one line each.
pub(super) fn audit_json(list: &[Requirement]) -> serde_json::Value {
    let lines: Vec<String> = list
        .iter()
        .map(|r| {
            let mut line = format!("{} → {}", r.poste, r.training_code);
            for (what, value) in [("site", &r.site), ("service", &r.service)] {
                if let Some(value) = value {
                    line.push_str(&format!(", {what} {value}"));
                }
            }
            if let Some(months) = r.validity_months {
                line.push_str(&format!(", {months} mois"));
            }
            line
        })
        .collect();
    serde_json::json!({ "exigences": lines })
}

impl Store {
    /// The account's requirements, in the order they were set.
    pub async fn requirements(
        &self,
        account: &AccountRow,
    ) -> Result<Vec<Requirement>, ServerError> {
        dispatch!(self, requirements(account))
    }

    /// Replaces the account's requirements with `list` (checked by the caller), in one
    /// transaction with its audit entry (none when nothing changed).
    pub async fn replace_requirements(
        &self,
        account: &AccountRow,
        list: &[Requirement],
    ) -> Result<(), ServerError> {
        dispatch!(self, replace_requirements(account, list))
    }

    /// The workers `account` sees (leavers left out), by name, each with its employment and
    /// the current trainings the account sees of them: what the matrix is built from.
    pub async fn matrix_workers(
        &self,
        account: &AccountRow,
    ) -> Result<Vec<MatrixWorker>, ServerError> {
        dispatch!(self, matrix_workers(account))
    }
}
