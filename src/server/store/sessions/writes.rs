//! The session writes written once for both backends: [`ported`] expands as the child module
//! `sessions` of `store/sqlite.rs` and `store/postgres.rs` (see the top of store.rs), over the
//! types and pure helpers of [`super`].

/// The shared session writes, as a child module `sessions` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// Session writes on this backend (store/sessions.rs).
        pub(in crate::server::store) mod sessions {
            use chrono::NaiveDate;
            use sqlx::{QueryBuilder, Row as _};

            use super::declared_entries::refresh_person;
            use super::{
                $backend as Backend, Db, DbConn, append_audit, lookup, person_of,
                push_worker_visibility, remember, worker_from_row,
            };
            use crate::api::contract::SessionPatch;
            use crate::domain::DeclarantKind;
            use crate::domain::session::SessionId;
            use crate::domain::training::Catalogue;
            use crate::domain::worker::{Worker, WorkerId};
            use crate::server::ServerError;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::sessions::{
                CheckedSession, SavedSession, SessionOutcome, SessionRow, StoredSession,
                TraineeAudit, TraineeChange, TraineeRef, apply_session_patch, changes_entries,
            };
            use crate::server::store::{
                AccountRow, Idempotent, IdempotentRequest, WORKER_COLUMNS, code_of, search_text,
            };

            /// One of the account's own sessions; `lock` takes its row lock, as every write of
            /// the session or of its trainees does first.
            async fn own_session(
                conn: &mut DbConn,
                account: &AccountRow,
                id: SessionId,
                lock: bool,
            ) -> Result<Option<StoredSession>, ServerError> {
                let sql = format!(
                    "SELECT training_code, title, organisme, place, start_date, end_date, \
                     closed_at FROM sessions WHERE id = $1 AND account_id = $2{}",
                    if lock { Backend::FOR_UPDATE } else { "" }
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .bind(account.id)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.map(|row| {
                    Ok(StoredSession {
                        fields: CheckedSession {
                            training_code: row.try_get("training_code")?,
                            title: row.try_get("title")?,
                            organisme: row.try_get("organisme")?,
                            place: row.try_get("place")?,
                            start_date: row.try_get("start_date")?,
                            end_date: row.try_get("end_date")?,
                        },
                        closed_on: row.try_get("closed_at")?,
                    })
                })
                .transpose()
            }

            /// The open session of the account, locked, or the outcome that stops a change
            /// of it.
            async fn open_session(
                conn: &mut DbConn,
                account: &AccountRow,
                id: SessionId,
            ) -> Result<Result<StoredSession, SessionOutcome>, ServerError> {
                Ok(match own_session(conn, account, id, true).await? {
                    None => Err(SessionOutcome::NotFound),
                    Some(StoredSession {
                        closed_on: Some(day),
                        ..
                    }) => Err(SessionOutcome::Closed(day)),
                    Some(session) => Ok(session),
                })
            }

            /// The first worker visible to `account` that matches the condition appended by
            /// `condition`.
            async fn visible_worker(
                conn: &mut DbConn,
                account: &AccountRow,
                condition: impl FnOnce(&mut QueryBuilder<'_, Db>),
            ) -> Result<Option<WorkerId>, ServerError> {
                let mut builder = QueryBuilder::<Db>::new("SELECT w.id FROM workers w WHERE ");
                condition(&mut builder);
                builder.push(" AND ");
                push_worker_visibility(&mut builder, account);
                builder.push(" ORDER BY w.id LIMIT 1");
                Ok(builder
                    .build_query_scalar()
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            /// The worker a trainee reference names for `account`: a visible worker by id; by
            /// identity, the organisation's trainee of that person, else a new worker of no
            /// employer account (only the organisations that train them see them,
            /// docs/model.md) keeping the given identity.
            async fn trainee_worker(
                conn: &mut DbConn,
                account: &AccountRow,
                trainee: TraineeRef<'_>,
            ) -> Result<Option<WorkerId>, ServerError> {
                let (nir, last_name, first_names, birth_date, siret) = match trainee {
                    TraineeRef::Worker(id) => {
                        return visible_worker(conn, account, |b| {
                            b.push("w.id = ").push_bind(id);
                        })
                        .await;
                    }
                    TraineeRef::Identity {
                        nir,
                        last_name,
                        first_names,
                        birth_date,
                        employer_siret,
                    } => (nir, last_name, first_names, birth_date, employer_siret),
                };
                let person = person_of(conn, nir.as_str()).await?;
                let known = visible_worker(conn, account, |b| {
                    b.push("w.person_id = ").push_bind(person);
                })
                .await?;
                if known.is_some() {
                    return Ok(known);
                }
                let employer_name: Option<String> = sqlx::query_scalar(
                    "SELECT name FROM accounts WHERE siret = $1 AND kind = 'employeur'",
                )
                .bind(siret.as_str())
                .fetch_optional(&mut *conn)
                .await?;
                let worker = Worker {
                    id: 0,
                    nir: nir.clone(),
                    last_name: last_name.trim().to_owned(),
                    usage_name: None,
                    first_names: first_names.trim().to_owned(),
                    birth_date,
                    employer_siret: siret.clone(),
                    employer_name: employer_name.unwrap_or_default(),
                    site: String::new(),
                };
                let id: WorkerId = sqlx::query_scalar(
                    "INSERT INTO workers (person_id, nir, last_name, first_names, birth_date, \
                     employer_siret, employer_name, site, search) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(person)
                .bind(worker.nir.as_str())
                .bind(&worker.last_name)
                .bind(&worker.first_names)
                .bind(worker.birth_date)
                .bind(worker.employer_siret.as_str())
                .bind(&worker.employer_name)
                .bind(&worker.site)
                .bind(search_text(&worker))
                .fetch_one(&mut *conn)
                .await?;
                Ok(Some(id))
            }

            /// A trainee of session `id`, as the audit trail records them.
            async fn trainee(
                conn: &mut DbConn,
                id: SessionId,
                worker: WorkerId,
            ) -> Result<Option<TraineeAudit>, ServerError> {
                let sql = format!(
                    "SELECT {WORKER_COLUMNS}, t.outcome FROM session_trainees t \
                     JOIN workers w ON w.id = t.worker_id \
                     WHERE t.session_id = $1 AND t.worker_id = $2"
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .bind(worker)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.map(|row| {
                    let worker = worker_from_row(&row)?;
                    Ok(TraineeAudit {
                        worker_id: worker.id,
                        name: worker.display_name(),
                        nir: worker.nir.as_str().to_owned(),
                        outcome: row.try_get("outcome")?,
                    })
                })
                .transpose()
            }

            /// Appends the audit entry of a write on session `id` (`worker`: one of its
            /// trainees).
            async fn audit(
                conn: &mut DbConn,
                account: &AccountRow,
                action: &str,
                (id, worker): (SessionId, Option<WorkerId>),
                before: Option<serde_json::Value>,
                after: Option<serde_json::Value>,
            ) -> Result<(), ServerError> {
                let (entity, entity_id) = match worker {
                    Some(worker) => ("stagiaire", format!("{id}/{worker}")),
                    None => ("session", id.to_string()),
                };
                let event = AuditEvent {
                    action,
                    entity,
                    entity_id,
                    before,
                    after,
                };
                append_audit(conn, account.id, account.user.as_ref(), event).await
            }

            /// Writes the passport entry of each passed or attended trainee of a session being
            /// closed, on the trainee's person: seen by the session's owner and by the
            /// trainee's employer (the owner itself for an internal session; else the worker's
            /// employer account, or the employer account of its SIRET, else kept for that
            /// SIRET). A person who already has a live entry of the owner with the same type
            /// and end (a declaration of the same training) gets none.
            async fn write_entries(
                conn: &mut DbConn,
                account: &AccountRow,
                id: SessionId,
                session: &SessionRow,
                today: NaiveDate,
                catalogue: &Catalogue,
            ) -> Result<(), ServerError> {
                let rows = sqlx::query(
                    "SELECT w.person_id, w.employer_account_id, w.employer_siret, s.organisme, \
                     (SELECT a.id FROM accounts a WHERE a.siret = w.employer_siret \
                       AND a.kind = 'employeur') AS siret_account \
                     FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
                     JOIN sessions s ON s.id = t.session_id \
                     WHERE t.session_id = $1 AND t.outcome IN ('passed', 'attended') \
                     ORDER BY w.id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let mut people = Vec::with_capacity(rows.len());
                for row in rows {
                    let person: i64 = row.try_get("person_id")?;
                    let employer: Option<i64> = match account.kind {
                        DeclarantKind::Employeur => Some(account.id),
                        DeclarantKind::OrganismeFormation => row
                            .try_get::<Option<i64>, _>("employer_account_id")?
                            .or(row.try_get("siret_account")?),
                    };
                    // Also the entry just written for another worker of the same person.
                    let known: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM passport_entries WHERE person_id = $1 \
                         AND source_account_id = $2 AND training_code = $3 AND end_date = $4 \
                         AND removed_at IS NULL",
                    )
                    .bind(person)
                    .bind(account.id)
                    .bind(&session.training_code)
                    .bind(session.end_date)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if known.is_some() {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO passport_entries (person_id, training_code, end_date, \
                         source, source_account_id, session_id, employer_siret, organisme, \
                         recorded_on, employer_account_id, session_account_id) \
                         VALUES ($1, $2, $3, 'session', $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(person)
                    .bind(&session.training_code)
                    .bind(session.end_date)
                    .bind(account.id)
                    .bind(id)
                    .bind(row.try_get::<String, _>("employer_siret")?)
                    .bind(row.try_get::<String, _>("organisme")?)
                    .bind(today)
                    .bind(employer)
                    .bind(account.id)
                    .execute(&mut *conn)
                    .await?;
                    people.push(person);
                }
                for person in people {
                    refresh_person(conn, person, catalogue).await?;
                }
                Ok(())
            }

            impl Backend {
                /// See [`crate::server::store::Store::session_row`].
                pub(in crate::server::store) async fn session_row(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                ) -> Result<Option<SessionRow>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    let session = own_session(&mut conn, account, id, false).await?;
                    Ok(session.map(|session| session.row()))
                }

                /// See [`crate::server::store::Store::create_session`].
                pub(in crate::server::store) async fn create_session(
                    &self,
                    account: &AccountRow,
                    new: &CheckedSession,
                    request: &IdempotentRequest,
                ) -> Result<Idempotent<SessionId>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    if let Some(known) = lookup(&mut tx, account.id, request).await? {
                        return Ok(known);
                    }
                    let id: SessionId = sqlx::query_scalar(
                        "INSERT INTO sessions (account_id, training_code, title, organisme, \
                         place, start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         RETURNING id",
                    )
                    .bind(account.id)
                    .bind(&new.training_code)
                    .bind(&new.title)
                    .bind(&new.organisme)
                    .bind(&new.place)
                    .bind(new.start_date)
                    .bind(new.end_date)
                    .fetch_one(&mut *tx)
                    .await?;
                    let saved = SavedSession { session_id: id };
                    remember(&mut tx, account.id, request, 201, &saved).await?;
                    let after = serde_json::to_value(new).ok();
                    audit(&mut tx, account, "création", (id, None), None, after).await?;
                    tx.commit().await?;
                    Ok(Idempotent::New(id))
                }

                /// See [`crate::server::store::Store::update_session`].
                pub(in crate::server::store) async fn update_session(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                    patch: &SessionPatch,
                ) -> Result<SessionOutcome, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(current) = own_session(&mut tx, account, id, true).await? else {
                        return Ok(SessionOutcome::NotFound);
                    };
                    let mut after = current.fields.clone();
                    apply_session_patch(&mut after, patch);
                    if let Some(day) = current.closed_on
                        && changes_entries(&current.fields, &after)
                    {
                        return Ok(SessionOutcome::Closed(day));
                    }
                    sqlx::query(
                        "UPDATE sessions SET training_code = $1, title = $2, organisme = $3, \
                         place = $4, start_date = $5, end_date = $6 \
                         WHERE id = $7 AND account_id = $8",
                    )
                    .bind(&after.training_code)
                    .bind(&after.title)
                    .bind(&after.organisme)
                    .bind(&after.place)
                    .bind(after.start_date)
                    .bind(after.end_date)
                    .bind(id)
                    .bind(account.id)
                    .execute(&mut *tx)
                    .await?;
                    let before = serde_json::to_value(&current.fields).ok();
                    let after = serde_json::to_value(&after).ok();
                    audit(&mut tx, account, "modification", (id, None), before, after).await?;
                    tx.commit().await?;
                    Ok(SessionOutcome::Saved(id))
                }

                /// See [`crate::server::store::Store::enrol_trainee`].
                pub(in crate::server::store) async fn enrol_trainee(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                    trainee_ref: TraineeRef<'_>,
                    request: &IdempotentRequest,
                ) -> Result<Idempotent<SessionOutcome>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    // The lock first: a retry waiting for it then finds the first answer.
                    let open = open_session(&mut tx, account, id).await?;
                    if let Some(known) = lookup(&mut tx, account.id, request).await? {
                        return Ok(known);
                    }
                    if let Err(outcome) = open {
                        return Ok(Idempotent::New(outcome));
                    }
                    let Some(worker) = trainee_worker(&mut tx, account, trainee_ref).await? else {
                        return Ok(Idempotent::New(SessionOutcome::UnknownWorker));
                    };
                    let enrolled = sqlx::query(
                        "INSERT INTO session_trainees (account_id, session_id, worker_id, outcome) \
                         VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING",
                    )
                    .bind(account.id)
                    .bind(id)
                    .bind(worker)
                    .execute(&mut *tx)
                    .await?;
                    if enrolled.rows_affected() == 1 {
                        let after = trainee(&mut tx, id, worker)
                            .await?
                            .and_then(|t| serde_json::to_value(t).ok());
                        audit(&mut tx, account, "inscription", (id, Some(worker)), None, after)
                            .await?;
                    }
                    let saved = SavedSession { session_id: id };
                    remember(&mut tx, account.id, request, 201, &saved).await?;
                    tx.commit().await?;
                    Ok(Idempotent::New(SessionOutcome::Saved(id)))
                }

                /// Removes a trainee of session `id` or sets their outcome, in one transaction
                /// once the session is found open for `account`; a trainee not in it is
                /// [`SessionOutcome::NotFound`].
                pub(in crate::server::store) async fn write_trainee(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                    worker: WorkerId,
                    change: TraineeChange,
                ) -> Result<SessionOutcome, ServerError> {
                    let mut tx = self.begin_write().await?;
                    if let Err(outcome) = open_session(&mut tx, account, id).await? {
                        return Ok(outcome);
                    }
                    let Some(before) = trainee(&mut tx, id, worker).await? else {
                        return Ok(SessionOutcome::NotFound);
                    };
                    let (action, after) = match change {
                        TraineeChange::Remove => {
                            sqlx::query(
                                "DELETE FROM session_trainees \
                                 WHERE session_id = $1 AND worker_id = $2",
                            )
                            .bind(id)
                            .bind(worker)
                            .execute(&mut *tx)
                            .await?;
                            ("retrait", None)
                        }
                        TraineeChange::Outcome(outcome) => {
                            let outcome = code_of(outcome);
                            sqlx::query(
                                "UPDATE session_trainees SET outcome = $1 \
                                 WHERE session_id = $2 AND worker_id = $3",
                            )
                            .bind(&outcome)
                            .bind(id)
                            .bind(worker)
                            .execute(&mut *tx)
                            .await?;
                            let after = TraineeAudit {
                                outcome,
                                ..before.clone()
                            };
                            ("modification", serde_json::to_value(after).ok())
                        }
                    };
                    let before = serde_json::to_value(before).ok();
                    audit(&mut tx, account, action, (id, Some(worker)), before, after).await?;
                    tx.commit().await?;
                    Ok(SessionOutcome::Saved(id))
                }

                /// See [`crate::server::store::Store::close_session`].
                pub(in crate::server::store) async fn close_session(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                    today: NaiveDate,
                    catalogue: &Catalogue,
                    request: &IdempotentRequest,
                ) -> Result<Idempotent<SessionOutcome>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    // The lock first: a second close waits for the first, then finds it closed.
                    let session = own_session(&mut tx, account, id, true).await?;
                    if let Some(known) = lookup(&mut tx, account.id, request).await? {
                        return Ok(known);
                    }
                    let Some(session) = session else {
                        return Ok(Idempotent::New(SessionOutcome::NotFound));
                    };
                    if session.closed_on.is_none() {
                        let row = session.row();
                        if row.end_date > today {
                            return Ok(Idempotent::New(SessionOutcome::NotEnded(row.end_date)));
                        }
                        let pending: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM session_trainees WHERE session_id = $1 \
                             AND outcome = 'pending'",
                        )
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                        if pending > 0 {
                            let pending = u32::try_from(pending).unwrap_or(u32::MAX);
                            return Ok(Idempotent::New(SessionOutcome::Pending(pending)));
                        }
                        let closed = sqlx::query(
                            "UPDATE sessions SET closed_at = $1 WHERE id = $2 \
                             AND closed_at IS NULL",
                        )
                        .bind(today)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        if closed.rows_affected() == 1 {
                            write_entries(&mut tx, account, id, &row, today, catalogue).await?;
                            let before = Some(serde_json::json!({ "closed_on": null }));
                            let after = Some(serde_json::json!({ "closed_on": today }));
                            audit(&mut tx, account, "clôture", (id, None), before, after).await?;
                        }
                    }
                    let saved = SavedSession { session_id: id };
                    remember(&mut tx, account.id, request, 200, &saved).await?;
                    tx.commit().await?;
                    Ok(Idempotent::New(SessionOutcome::Saved(id)))
                }
            }
        }
    };
}

pub(in crate::server::store) use ported;
