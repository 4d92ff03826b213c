//! The store calls ported to both backends, written once: [`ported`] expands inside
//! `store/sqlite.rs` and `store/postgres.rs`, where `Db`, `DbRow` and `DbConn` name that
//! backend's sqlx types and the backend struct gives its pool, its write transaction
//! (`begin_write`) and its dialect (`ENROLMENT_JOIN`, `json_date`). See the top of store.rs for
//! why a macro and how to port another call.

/// The shared helpers and `impl $backend { … }` of the ported calls.
macro_rules! ported {
    ($backend:ident) => {
        use sqlx::{QueryBuilder, Row as _};

        use crate::api::contract::{EntryOrigin, EntrySource, NewWorker, StaffRecord};
        use crate::domain::DeclarantKind;
        use crate::domain::ids::{Nir, Siret};
        use crate::domain::worker::{Worker, WorkerId};
        use crate::server::ServerError;
        use crate::server::store::staff::{EMPLOYMENT_COLUMNS, StaffOutcome, staff_from_row_none, text};
        use crate::server::store::{
            AccountRow, EntryRow, Idempotent, IdempotentRequest, META_DEMO, WORKER_COLUMNS,
            is_unique_violation, like_pattern, parse_code, search_text,
        };

        /// Decodes a worker selected with [`WORKER_COLUMNS`].
        pub(in crate::server::store) fn worker_from_row(row: &DbRow) -> Result<Worker, ServerError> {
            let nir: String = row.try_get("nir")?;
            let siret: String = row.try_get("employer_siret")?;
            Ok(Worker {
                id: row.try_get("id")?,
                nir: nir.parse::<Nir>().map_err(|e| ServerError::Corrupt {
                    what: "NIR".to_owned(),
                    // The code only: the message could quote the personal number.
                    detail: e.code().to_owned(),
                })?,
                last_name: row.try_get("last_name")?,
                usage_name: row.try_get("usage_name")?,
                first_names: row.try_get("first_names")?,
                birth_date: row.try_get("birth_date")?,
                employer_siret: siret.parse::<Siret>().map_err(|e| ServerError::Corrupt {
                    what: "SIRET".to_owned(),
                    detail: e.to_string(),
                })?,
                employer_name: row.try_get("employer_name")?,
                site: row.try_get("site")?,
            })
        }

        /// Appends the condition "worker `w` is visible to `account`" (and, for a user limited
        /// to sites, "of one of those sites").
        pub(in crate::server::store) fn push_worker_visibility(
            builder: &mut QueryBuilder<'_, Db>,
            account: &AccountRow,
        ) {
            match account.kind {
                DeclarantKind::Employeur => {
                    builder
                        .push("w.employer_account_id = ")
                        .push_bind(account.id);
                }
                DeclarantKind::OrganismeFormation => {
                    builder
                        .push("EXISTS (SELECT 1 FROM session_trainees t ")
                        .push($backend::ENROLMENT_JOIN)
                        .push(
                            " sessions s ON s.id = t.session_id \
                             WHERE t.worker_id = w.id AND s.account_id = ",
                        )
                        .push_bind(account.id)
                        .push(")");
                }
            }
            push_site_limit(builder, account);
        }

        /// Appends ` AND w.site IN (…)` for a user limited to sites (store/sites.rs); nothing
        /// for anyone else.
        pub(in crate::server::store) fn push_site_limit(
            builder: &mut QueryBuilder<'_, Db>,
            account: &AccountRow,
        ) {
            if let Some(sites) = account.sites() {
                builder.push(" AND w.site IN (");
                let mut list = builder.separated(", ");
                for site in sites {
                    list.push_bind(site.clone());
                }
                // An empty list still parses (and matches nothing).
                list.push_unseparated(if sites.is_empty() { "NULL)" } else { ")" });
            }
        }

        /// Appends the list condition on leavers: an employer's archived workers are hidden
        /// unless asked for.
        pub(in crate::server::store) fn push_archived_filter(
            builder: &mut QueryBuilder<'_, Db>,
            account: &AccountRow,
            include_archived: bool,
        ) {
            if account.kind == DeclarantKind::Employeur && !include_archived {
                builder.push(" AND w.archived = FALSE");
            }
        }

        /// Appends the condition "entry `e` is seen by `account`": an employer sees the entries
        /// whose employer column is its own, a training organisation those of its sessions and
        /// declarations.
        pub(in crate::server::store) fn push_entry_viewer(
            builder: &mut QueryBuilder<'_, Db>,
            account: &AccountRow,
        ) {
            let column = match account.kind {
                DeclarantKind::Employeur => "e.employer_account_id = ",
                DeclarantKind::OrganismeFormation => "e.session_account_id = ",
            };
            builder.push(column).push_bind(account.id);
        }

        /// Decodes an entry selected by `passport`.
        pub(in crate::server::store) fn entry_from_row(row: &DbRow) -> Result<EntryRow, ServerError> {
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

        /// Decodes one of the caller's own workers with their employment.
        pub(in crate::server::store) fn staff_from_row(row: &DbRow) -> Result<StaffRecord, ServerError> {
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

        /// One of the employer's own workers (archived ones included) within the user's sites,
        /// on an open connection.
        pub(in crate::server::store) async fn own_worker(
            conn: &mut DbConn,
            account: &AccountRow,
            id: WorkerId,
        ) -> Result<Option<StaffRecord>, ServerError> {
            let sql = format!(
                "SELECT {WORKER_COLUMNS}{EMPLOYMENT_COLUMNS} FROM workers w \
                 WHERE w.id = $1 AND w.employer_account_id = $2"
            );
            let row = sqlx::query(&sql)
                .bind(id)
                .bind(account.id)
                .fetch_optional(&mut *conn)
                .await?;
            let record = row.map(|row| staff_from_row(&row)).transpose()?;
            // A user limited to sites reaches only the workers of those sites.
            let sites = account.sites();
            Ok(record.filter(|r| sites.is_none_or(|sites| sites.contains(&r.worker.site))))
        }

        /// Another worker of the account holding `value` in `column` (`nir` or
        /// `employee_number`).
        pub(in crate::server::store) async fn holder(
            conn: &mut DbConn,
            account: &AccountRow,
            column: &'static str,
            value: &str,
            except: Option<WorkerId>,
        ) -> Result<Option<StaffOutcome>, ServerError> {
            let sql = format!(
                "SELECT {WORKER_COLUMNS} FROM workers w WHERE w.employer_account_id = $1 \
                 AND w.{column} = $2 AND w.id <> $3"
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
        pub(in crate::server::store) async fn person_of(
            conn: &mut DbConn,
            nir: &str,
        ) -> Result<i64, ServerError> {
            sqlx::query("INSERT INTO persons (nir) VALUES ($1) ON CONFLICT (nir) DO NOTHING")
                .bind(nir)
                .execute(&mut *conn)
                .await?;
            Ok(sqlx::query_scalar("SELECT id FROM persons WHERE nir = $1")
                .bind(nir)
                .fetch_one(&mut *conn)
                .await?)
        }

        /// Makes the writes under the account's `key` take turns until the end of the
        /// transaction (see [`$backend::KEY_LOCK`]), so the second of two at once finds the
        /// first one's answer instead of writing again.
        pub(in crate::server::store) async fn lock_key(
            conn: &mut DbConn,
            account_id: i64,
            key: &str,
        ) -> Result<(), ServerError> {
            if let Some(lock) = $backend::KEY_LOCK {
                sqlx::query(lock)
                    .bind(account_id)
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }

        /// The stored answer to `request` for the account, if its key was seen: `Some(Replay)`
        /// for the same route and body, `Some(KeyConflict)` otherwise. Writes under the same key
        /// take turns from here to the end of the transaction ([`lock_key`]).
        pub(in crate::server::store) async fn lookup<T>(
            conn: &mut DbConn,
            account_id: i64,
            request: &IdempotentRequest,
        ) -> Result<Option<Idempotent<T>>, ServerError> {
            lock_key(conn, account_id, &request.key).await?;
            let row = sqlx::query(
                "SELECT route, body_hash, status, response FROM idempotency_keys \
                 WHERE account_id = $1 AND key = $2",
            )
            .bind(account_id)
            .bind(&request.key)
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let route: String = row.try_get("route")?;
            let hash: String = row.try_get("body_hash")?;
            if route != request.route || hash != request.body_hash {
                return Ok(Some(Idempotent::KeyConflict));
            }
            let status: i64 = row.try_get("status")?;
            Ok(Some(Idempotent::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body: row.try_get("response")?,
            }))
        }

        /// Stores the answer to `request`, in the transaction of the write it answers.
        pub(in crate::server::store) async fn remember(
            conn: &mut DbConn,
            account_id: i64,
            request: &IdempotentRequest,
            status: u16,
            answer: &impl serde::Serialize,
        ) -> Result<(), ServerError> {
            let body = serde_json::to_string(answer).map_err(|e| ServerError::Corrupt {
                what: "réponse à mémoriser".to_owned(),
                detail: e.to_string(),
            })?;
            sqlx::query(
                "INSERT INTO idempotency_keys (account_id, key, route, body_hash, status, \
                 response, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(account_id)
            .bind(&request.key)
            .bind(&request.route)
            .bind(&request.body_hash)
            .bind(i64::from(status))
            .bind(body)
            .bind(chrono::Utc::now())
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        impl $backend {
            /// Checks the database takes writes: one row written in a transaction rolled back.
            pub(in crate::server::store) async fn probe_writes(&self) -> Result<(), ServerError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ('write_probe', '') \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .execute(&mut *tx)
                .await?;
                tx.rollback().await?;
                Ok(())
            }

            /// Whether the database holds no account yet (a new database).
            pub(in crate::server::store) async fn is_empty(&self) -> Result<bool, ServerError> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count == 0)
            }

            /// Whether the database was seeded with demonstration data.
            pub(in crate::server::store) async fn is_demo(&self) -> Result<bool, ServerError> {
                Ok(self.meta(META_DEMO).await?.is_some())
            }

            /// The `meta` value under `key`.
            pub(in crate::server::store) async fn meta(
                &self,
                key: &str,
            ) -> Result<Option<String>, ServerError> {
                Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            /// Sets the `meta` value under `key`.
            pub(in crate::server::store) async fn set_meta(
                &self,
                key: &str,
                value: &str,
            ) -> Result<(), ServerError> {
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            /// Up to `limit` people with passport entries, by id, after `after`.
            pub(in crate::server::store) async fn people_with_entries(
                &self,
                after: i64,
                limit: i64,
            ) -> Result<Vec<i64>, ServerError> {
                Ok(sqlx::query_scalar(
                    "SELECT DISTINCT person_id FROM passport_entries WHERE person_id > $1 \
                     ORDER BY person_id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            /// Creates an account; `false` when the SIRET already has one.
            pub(in crate::server::store) async fn create_account(
                &self,
                kind: DeclarantKind,
                siret: &Siret,
                name: &str,
                nda: Option<&str>,
            ) -> Result<bool, ServerError> {
                let result = sqlx::query(
                    "INSERT INTO accounts (kind, siret, name, nda) VALUES ($1, $2, $3, $4)",
                )
                .bind(crate::server::store::code_of(kind))
                .bind(siret.as_str())
                .bind(name)
                .bind(nda)
                .execute(&self.pool)
                .await;
                match result {
                    Ok(_) => Ok(true),
                    Err(e) if is_unique_violation(&e) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }

            /// See [`crate::server::store::Store::workers`].
            pub(in crate::server::store) async fn workers(
                &self,
                account: &AccountRow,
                words: &[String],
                include_archived: bool,
                after: Option<WorkerId>,
                limit: u32,
            ) -> Result<Vec<Worker>, ServerError> {
                let mut builder = QueryBuilder::<Db>::new("SELECT ");
                builder.push(WORKER_COLUMNS).push(" FROM workers w WHERE ");
                push_worker_visibility(&mut builder, account);
                push_archived_filter(&mut builder, account, include_archived);
                if let Some(after) = after {
                    builder.push(" AND w.id > ").push_bind(after);
                }
                for word in words {
                    builder
                        .push(" AND w.search LIKE ")
                        .push_bind(like_pattern(word))
                        .push(" ESCAPE '\\'");
                }
                builder
                    .push(" ORDER BY w.id LIMIT ")
                    .push_bind(i64::from(limit) + 1);
                let rows = builder.build().fetch_all(&self.pool).await?;
                rows.iter().map(worker_from_row).collect()
            }

            /// One worker, if visible to `account`.
            pub(in crate::server::store) async fn worker(
                &self,
                account: &AccountRow,
                id: WorkerId,
            ) -> Result<Option<Worker>, ServerError> {
                let mut builder = QueryBuilder::<Db>::new("SELECT ");
                builder
                    .push(WORKER_COLUMNS)
                    .push(" FROM workers w WHERE w.id = ")
                    .push_bind(id);
                builder.push(" AND ");
                push_worker_visibility(&mut builder, account);
                let row = builder.build().fetch_optional(&self.pool).await?;
                row.as_ref().map(worker_from_row).transpose()
            }

            /// See [`crate::server::store::Store::passport`].
            pub(in crate::server::store) async fn passport(
                &self,
                account: &AccountRow,
                worker: WorkerId,
            ) -> Result<Vec<EntryRow>, ServerError> {
                let mut builder = QueryBuilder::<Db>::new(format!(
                    "SELECT e.training_code, e.training_title, e.end_date, \
                     COALESCE({}, e.validity_start) AS validity_start, \
                     COALESCE({}, e.validity_end) AS validity_end, \
                     e.expires_on, e.superseded, e.source, e.organisme, e.reference, \
                     e.id, e.recorded_on, a.kind AS source_kind, a.name AS source_name, \
                     CASE WHEN e.session_account_id = ",
                    $backend::json_date("v.body", "date_debut_validite"),
                    $backend::json_date("v.body", "date_fin_validite"),
                ));
                builder
                    .push_bind(account.id)
                    .push(
                        " THEN e.session_id END AS session_id FROM passport_entries e \
                         LEFT JOIN accounts a ON a.id = e.source_account_id \
                         LEFT JOIN declarations v ON v.id = (SELECT d.id FROM declarations d \
                           JOIN declaration_titulaires dt ON dt.declaration_id = d.id \
                           JOIN persons p ON p.nir = dt.nir \
                           WHERE e.source = 'session' AND d.session_id = e.session_id \
                           AND p.id = e.person_id AND dt.removed = FALSE \
                           ORDER BY d.id DESC LIMIT 1) \
                         WHERE e.removed_at IS NULL \
                         AND e.person_id = (SELECT person_id FROM workers WHERE id = ",
                    )
                    .push_bind(worker)
                    .push(") AND ");
                push_entry_viewer(&mut builder, account);
                builder.push(" ORDER BY e.end_date DESC, e.id DESC");
                let rows = builder.build().fetch_all(&self.pool).await?;
                rows.iter().map(entry_from_row).collect()
            }

            /// See [`crate::server::store::Store::staff_record`].
            pub(in crate::server::store) async fn staff_record(
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

            /// See [`crate::server::store::Store::create_worker`].
            pub(in crate::server::store) async fn create_worker(
                &self,
                account: &AccountRow,
                nir: &Nir,
                new: &NewWorker,
                request: &IdempotentRequest,
            ) -> Result<Idempotent<StaffOutcome>, ServerError> {
                let mut tx = self.begin_write().await?;
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
                let siret = account.siret.parse::<Siret>().map_err(|e| ServerError::Corrupt {
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
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO workers (person_id, nir, last_name, usage_name, first_names, \
                     birth_date, employer_siret, employer_name, site, employer_account_id, search, \
                     service, job, employee_number, manager, entry_date, leaving_date) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     $16, $17) RETURNING id",
                )
                .bind(person)
                .bind(worker.nir.as_str())
                .bind(&worker.last_name)
                .bind(&worker.usage_name)
                .bind(&worker.first_names)
                .bind(worker.birth_date)
                .bind(worker.employer_siret.as_str())
                .bind(&worker.employer_name)
                .bind(&worker.site)
                .bind(account.id)
                .bind(search_text(&worker))
                .bind(text(new.service.as_deref()))
                .bind(text(new.job.as_deref()))
                .bind(&number)
                .bind(text(new.manager.as_deref()))
                .bind(new.entry_date)
                .bind(new.leaving_date)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE passport_entries SET employer_account_id = $1 \
                     WHERE employer_account_id IS NULL AND employer_siret = $2 AND person_id = $3",
                )
                .bind(account.id)
                .bind(&account.siret)
                .bind(person)
                .execute(&mut *tx)
                .await?;
                let record = own_worker(&mut tx, account, id).await?.ok_or_else(|| {
                    ServerError::Corrupt {
                        what: "salarié".to_owned(),
                        detail: format!("le salarié {id} est illisible après son insertion"),
                    }
                })?;
                remember(&mut tx, account.id, request, 201, &record).await?;
                let event = crate::server::store::audit::AuditEvent {
                    action: "création",
                    entity: "salarié",
                    entity_id: id.to_string(),
                    before: None,
                    after: serde_json::to_value(&record).ok(),
                };
                append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                tx.commit().await?;
                Ok(Idempotent::New(StaffOutcome::Saved(Box::new(record))))
            }
        }
    };
}

pub(super) use ported;
