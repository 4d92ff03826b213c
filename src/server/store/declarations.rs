//! Reading recorded declarations, on both backends: a page of the account's declarations, one
//! declaration, the live ones of a kind for the bulk export, and the declaration an
//! idempotency key made. [`ported`] expands in `store/sqlite.rs` and `store/postgres.rs` (see
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

            use super::{Db, DbConn, DbRow, $backend as Backend};
            use crate::api::contract::{
                DeclarationId, DeclarationStatus, DeclarationSummary, DeclarationView,
            };
            use crate::domain::DeclarationKind;
            use crate::domain::declaration::Declaration;
            use crate::server::ServerError;
            use crate::server::store::declarations::DECLARATION_SQL;
            use crate::server::store::{AccountRow, KnownKey, code_of, parse_body, parse_code};

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

            impl Backend {
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
