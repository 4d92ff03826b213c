//! Recorded declarations, on both backends: recording one (idempotently, with its
//! ID_UNIQUE_PARTENAIRE reservations and passport entries), removing a titulaire, a page of the
//! account's declarations, one declaration, the live ones of a kind for the bulk export, and the
//! declaration an idempotency key made. [`ported`] expands in `store/sqlite.rs` and `store/postgres.rs` (see
//! the top of store.rs).

/// The `SELECT` of a declaration summary (without its `WHERE`), ending on the bound account.
pub(super) const DECLARATION_SQL: &str = "SELECT d.id, d.reference, d.kind, d.training_title, \
     d.status, d.deadline, d.created_at, d.body, \
     (SELECT COUNT(*) FROM declaration_titulaires dt WHERE dt.declaration_id = d.id \
        AND dt.removed = FALSE) AS titulaire_count \
     FROM declarations d WHERE d.account_id = ";

/// The shared calls of declarations, as a child module `declarations` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// Declarations on this backend (store/declarations.rs).
        pub(in crate::server::store) mod declarations {
            use sqlx::{QueryBuilder, Row as _};

            use super::declared_entries::{declare_entries, withdraw_entries};
            use super::{Db, DbConn, DbRow, $backend as Backend, append_audit, push_worker_visibility};
            use crate::api::contract::{
                DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView,
            };
            use crate::domain::DeclarationKind;
            use crate::domain::declaration::Declaration;
            use crate::domain::session::SessionId;
            use crate::domain::training::Catalogue;
            use crate::server::ServerError;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::declarations::DECLARATION_SQL;
            use crate::server::store::{
                AccountRow, CreateOutcome, KnownKey, NewDeclaration, body_json, canonical_nir,
                code_of, is_unique_violation, parse_body, parse_code,
            };

            /// Decodes a declaration summary selected with [`DECLARATION_SQL`].
            fn declaration_summary_from_row(
                row: &DbRow,
            ) -> Result<DeclarationSummary, ServerError> {
                let kind: String = row.try_get("kind")?;
                let status: String = row.try_get("status")?;
                let count: i64 = row.try_get("titulaire_count")?;
                Ok(DeclarationSummary {
                    id: row.try_get("id")?,
                    reference: row.try_get("reference")?,
                    kind: parse_code("type de déclaration", &kind)?,
                    training_title: row.try_get("training_title")?,
                    titulaire_count: u32::try_from(count).unwrap_or(u32::MAX),
                    status: parse_code("statut de déclaration", &status)?,
                    deadline: row.try_get("deadline")?,
                    created_at: row.try_get("created_at")?,
                    export: None,
                })
            }

            /// Reads a declaration of `account` on an open connection.
            pub(in crate::server::store) async fn declaration_on(
                conn: &mut DbConn,
                account_id: i64,
                id: DeclarationId,
            ) -> Result<Option<DeclarationView>, ServerError> {
                let sql = format!("{DECLARATION_SQL}$1 AND d.id = $2");
                let row = sqlx::query(&sql)
                    .bind(account_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.map(|row| {
                    let body: String = row.try_get("body")?;
                    Ok(DeclarationView {
                        summary: declaration_summary_from_row(&row)?,
                        declaration: parse_body(&body)?,
                    })
                })
                .transpose()
            }

            /// Records a declaration on an open transaction: assigns empty identifiers (`PP-{id}` for
            /// ID_DECLARATION, `REF-{id}` for REFERENCE_DECLARATION, `PP-{id}-{n}` for each empty
            /// ID_UNIQUE_PARTENAIRE), reserves each ID_UNIQUE_PARTENAIRE, links the session, and writes
            /// the passport entry of each titulaire ([`declare_entries`]).
            /// `Err(Ok(id))` reports an ID_UNIQUE_PARTENAIRE already taken; the caller rolls back.
            pub(in crate::server::store) async fn insert_declaration(
                conn: &mut DbConn,
                account_id: i64,
                new: &NewDeclaration,
                catalogue: &Catalogue,
            ) -> Result<Result<DeclarationId, String>, ServerError> {
                let mut declaration = new.declaration.clone();
                let id: DeclarationId = sqlx::query_scalar(
                    "INSERT INTO declarations (account_id, idempotency_key, body_hash, kind, reference, \
                     training_title, status, deadline, created_at, session_id, body) \
                     VALUES ($1, $2, $3, $4, '', '', $5, $6, $7, $8, '{}') RETURNING id",
                )
                .bind(account_id)
                .bind(new.idempotency_key.as_deref())
                .bind(new.body_hash.as_deref())
                .bind(code_of(declaration.kind))
                .bind(code_of(new.status))
                .bind(new.deadline)
                .bind(new.created_at)
                .bind(new.session_id)
                .fetch_one(&mut *conn)
                .await?;
                if declaration.id_declaration.trim().is_empty() {
                    declaration.id_declaration = format!("PP-{id}");
                }
                if declaration.reference_declaration.trim().is_empty() {
                    declaration.reference_declaration = format!("REF-{id}");
                }
                let mut lines = Vec::with_capacity(declaration.titulaires.len());
                for (index, titulaire) in declaration.titulaires.iter_mut().enumerate() {
                    if titulaire.id_unique_partenaire.trim().is_empty() {
                        titulaire.id_unique_partenaire = format!("PP-{id}-{}", index + 1);
                    }
                    let position = i64::try_from(index).unwrap_or(i64::MAX);
                    let line = sqlx::query_scalar::<_, i64>(
                        "INSERT INTO declaration_titulaires (declaration_id, account_id, position, \
                         id_unique_partenaire, nir) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(id)
                    .bind(account_id)
                    .bind(position)
                    .bind(&titulaire.id_unique_partenaire)
                    .bind(canonical_nir(&titulaire.nir))
                    .fetch_one(&mut *conn)
                    .await;
                    match line {
                        Ok(line) => lines.push(line),
                        Err(e) if is_unique_violation(&e) => {
                            return Ok(Err(titulaire.id_unique_partenaire.clone()));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                let session_id = match new.session_id {
                    Some(session) => Some(session),
                    None => matching_session(conn, account_id, id, &declaration).await?,
                };
                sqlx::query(
                    "UPDATE declarations SET reference = $1, training_title = $2, session_id = $3, body = $4 \
                     WHERE id = $5",
                )
                .bind(&declaration.reference_declaration)
                .bind(declaration.training_title())
                .bind(session_id)
                .bind(body_json(&declaration)?)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                let recorded_on = new.created_at.date_naive();
                declare_entries(
                    conn,
                    account_id,
                    &declaration,
                    &lines,
                    recorded_on,
                    catalogue,
                )
                .await?;
                Ok(Ok(id))
            }

            /// The account's session with the declaration's training dates that has the most trainees whose
            /// NIR is a titulaire of declaration `id`, if any.
            pub(in crate::server::store) async fn matching_session(
                conn: &mut DbConn,
                account_id: i64,
                id: DeclarationId,
                declaration: &Declaration,
            ) -> Result<Option<SessionId>, ServerError> {
                let (Some(start), Some(end)) = (
                    declaration.date_debut_formation,
                    declaration.date_fin_formation,
                ) else {
                    return Ok(None);
                };
                let row = sqlx::query(
                    "SELECT s.id, COUNT(*) AS matches FROM sessions s \
                     JOIN session_trainees t ON t.session_id = s.id JOIN workers w ON w.id = t.worker_id \
                     WHERE s.account_id = $1 AND s.start_date = $2 AND s.end_date = $3 \
                     AND w.nir IN (SELECT nir FROM declaration_titulaires WHERE declaration_id = $4) \
                     GROUP BY s.id ORDER BY matches DESC, s.id LIMIT 1",
                )
                .bind(account_id)
                .bind(start)
                .bind(end)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                Ok(row.map(|row| row.try_get("id")).transpose()?)
            }

            impl Backend {
                /// See [`crate::server::store::Store::create_declaration`].
                pub(in crate::server::store) async fn create_declaration(
                    &self,
                    account: &AccountRow,
                    new: &NewDeclaration,
                    catalogue: &Catalogue,
                ) -> Result<CreateOutcome, ServerError> {
                    let mut tx = self.begin_write().await?;
                    if let Some(key) = &new.idempotency_key {
                        let known = sqlx::query(
                            "SELECT id, body_hash FROM declarations \
                             WHERE account_id = $1 AND idempotency_key = $2",
                        )
                        .bind(account.id)
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if let Some(row) = known {
                            let hash: Option<String> = row.try_get("body_hash")?;
                            if hash != new.body_hash {
                                return Ok(CreateOutcome::KeyConflict);
                            }
                            let id: DeclarationId = row.try_get("id")?;
                            let view = declaration_on(&mut tx, account.id, id).await?;
                            return match view {
                                Some(view) => Ok(CreateOutcome::Replayed(Box::new(view))),
                                None => Err(ServerError::Corrupt {
                                    what: "déclaration".to_owned(),
                                    detail: format!("la déclaration {id} a disparu"),
                                }),
                            };
                        }
                    }
                    let id = match insert_declaration(&mut tx, account.id, new, catalogue).await? {
                        Ok(id) => id,
                        Err(taken) => {
                            tx.rollback().await?;
                            return Ok(CreateOutcome::PartnerIdTaken(taken));
                        }
                    };
                    let view = declaration_on(&mut tx, account.id, id).await?;
                    let event = AuditEvent {
                        action: "création",
                        entity: "déclaration",
                        entity_id: id.to_string(),
                        before: None,
                        after: view
                            .as_ref()
                            .and_then(|view| serde_json::to_value(view).ok()),
                    };
                    append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    tx.commit().await?;
                    view.map(|view| CreateOutcome::Created(Box::new(view)))
                        .ok_or_else(|| ServerError::Corrupt {
                            what: "déclaration".to_owned(),
                            detail: format!("la déclaration {id} est illisible après son insertion"),
                        })
                }
                /// See [`crate::server::store::Store::remove_titulaire`].
                pub(in crate::server::store) async fn remove_titulaire(
                    &self,
                    account: &AccountRow,
                    id: DeclarationId,
                    id_unique_partenaire: &str,
                    catalogue: &Catalogue,
                ) -> Result<Option<DeclarationView>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let row =
                        sqlx::query("SELECT body, status FROM declarations WHERE id = $1 AND account_id = $2")
                            .bind(id)
                            .bind(account.id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some(row) = row else {
                        return Ok(None);
                    };
                    let removed: Option<i64> = sqlx::query_scalar(
                        "UPDATE declaration_titulaires SET removed = TRUE \
                         WHERE declaration_id = $1 AND id_unique_partenaire = $2 AND removed = FALSE RETURNING id",
                    )
                    .bind(id)
                    .bind(id_unique_partenaire)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(line) = removed else {
                        return Ok(None);
                    };
                    withdraw_entries(&mut tx, line, catalogue).await?;
                    let body: String = row.try_get("body")?;
                    let previous: String = row.try_get("status")?;
                    let mut declaration = parse_body(&body)?;
                    declaration
                        .titulaires
                        .retain(|t| t.id_unique_partenaire != id_unique_partenaire);
                    let status = if declaration.titulaires.is_empty() {
                        DeclarationStatus::Supprimee
                    } else {
                        parse_code("statut de déclaration", &previous)?
                    };
                    let status = code_of(status);
                    sqlx::query("UPDATE declarations SET body = $1, status = $2 WHERE id = $3")
                        .bind(body_json(&declaration)?)
                        .bind(&status)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let event = AuditEvent {
                        action: "retrait du titulaire",
                        entity: "déclaration",
                        entity_id: format!("{id}/{id_unique_partenaire}"),
                        before: Some(serde_json::json!({"removed": false, "status": previous})),
                        after: Some(serde_json::json!({"removed": true, "status": status})),
                    };
                    append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    let view = declaration_on(&mut tx, account.id, id).await?;
                    tx.commit().await?;
                    Ok(view)
                }

                /// See [`crate::server::store::Store::declarations`].
                pub(in crate::server::store) async fn declarations(
                    &self,
                    account: &AccountRow,
                    status: Option<DeclarationStatus>,
                    before: Option<DeclarationId>,
                    limit: u32,
                ) -> Result<Vec<DeclarationSummary>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(DECLARATION_SQL);
                    builder.push_bind(account.id);
                    if let Some(status) = status {
                        builder.push(" AND d.status = ").push_bind(code_of(status));
                    }
                    if let Some(before) = before {
                        builder.push(" AND d.id < ").push_bind(before);
                    }
                    if account.sites().is_some() {
                        // Only the declarations naming a worker of the user's sites.
                        builder.push(
                            " AND EXISTS (SELECT 1 FROM declaration_titulaires dt \
                             JOIN workers w ON w.nir = dt.nir \
                             WHERE dt.declaration_id = d.id AND dt.removed = FALSE AND ",
                        );
                        push_worker_visibility(&mut builder, account);
                        builder.push(")");
                    }
                    builder
                        .push(" ORDER BY d.id DESC LIMIT ")
                        .push_bind(i64::from(limit) + 1);
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    rows.iter().map(declaration_summary_from_row).collect()
                }

                /// See [`crate::server::store::Store::declaration`].
                pub(in crate::server::store) async fn declaration(
                    &self,
                    account: &AccountRow,
                    id: DeclarationId,
                ) -> Result<Option<DeclarationView>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    declaration_on(&mut conn, account.id, id).await
                }

                /// See [`crate::server::store::Store::export`].
                pub(in crate::server::store) async fn export(
                    &self,
                    account: &AccountRow,
                    kind: DeclarationKind,
                ) -> Result<Vec<Declaration>, ServerError> {
                    let bodies: Vec<String> = sqlx::query_scalar(
                        "SELECT body FROM declarations WHERE account_id = $1 AND kind = $2 \
                         AND status <> 'supprimee' ORDER BY id",
                    )
                    .bind(account.id)
                    .bind(code_of(kind))
                    .fetch_all(&self.pool)
                    .await?;
                    bodies.iter().map(|body| parse_body(body)).collect()
                }

                /// See [`crate::server::store::Store::known_key`].
                pub(in crate::server::store) async fn known_key(
                    &self,
                    account: &AccountRow,
                    key: &str,
                ) -> Result<Option<KnownKey>, ServerError> {
                    let row = sqlx::query(
                        "SELECT id, body_hash FROM declarations \
                         WHERE account_id = $1 AND idempotency_key = $2",
                    )
                    .bind(account.id)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|row| {
                        Ok(KnownKey {
                            id: row.try_get("id")?,
                            body_hash: row.try_get("body_hash")?,
                        })
                    })
                    .transpose()
                }
            }
        }
    };
}

pub(super) use ported;
