//! The export memory of the store (issue 12 item 5): export batches, their titulaire lines and
//! the portal's answer (schema in `migrations/0004_export_batches.sql`). A live titulaire line
//! is "sent" while some batch of its account holds it unrefused; a new batch takes only the
//! lines not sent (all live lines with `all`), in ONE transaction, so two exports at once never
//! hand out the same line twice. The SQL is written once for both backends in [`ported`],
//! expanded in `store/sqlite.rs` and `store/postgres.rs` (see the top of store.rs).

use chrono::{DateTime, Utc};

use super::{AccountRow, Store, dispatch, fold};
use crate::api::contract::{
    DeclarationSummary, ExportBatch, ExportBatchId, ExportBatchSummary, ExportFormat, ExportLine,
    ExportState, PortalAnswer,
};
use crate::bulk::BulkError;
use crate::domain::DeclarationKind;
use crate::domain::declaration::Declaration;
use crate::server::ServerError;

/// A batch to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch {
    /// `Idempotency-Key` of the request.
    pub idempotency_key: String,
    /// The layout.
    pub kind: ExportFormat,
    /// Every live line, sent or not.
    pub all: bool,
    /// When it is made.
    pub created_at: DateTime<Utc>,
}

/// What became of an export request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// A new batch, with its file.
    Created(Box<ExportBatch>, String),
    /// The same key and request made this batch already: it and its file.
    Replayed(Box<ExportBatch>, String),
    /// No line to send: nothing recorded.
    Nothing,
    /// The key was used for another request (other layout or `all`).
    KeyConflict,
}

/// Why an answer was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// No such batch for this account.
    NotFound,
    /// The batch already has an answer (recorded then).
    AlreadyAnswered(PortalAnswer, Option<DateTime<Utc>>),
    /// Titulaires named that no line of the batch has (their position in the request).
    Unknown(Vec<usize>),
    /// Names shared by several lines of the batch (their position in the request).
    Ambiguous(Vec<usize>),
}

/// The declaration kind of a layout.
pub(super) fn layout_of(kind: ExportFormat) -> DeclarationKind {
    match kind {
        ExportFormat::Adf => DeclarationKind::Attestation,
        ExportFormat::Jdr => DeclarationKind::Justificatif,
    }
}

/// The file name of a batch: `passeport-ADF-lot12-20261201.csv` (at most 200 characters, none
/// of `@ < > : " / \ | ? * %`, domain.md §8).
pub(super) fn file_name(
    kind: ExportFormat,
    id: ExportBatchId,
    created_at: DateTime<Utc>,
) -> String {
    let layout = match kind {
        ExportFormat::Adf => "ADF",
        ExportFormat::Jdr => "JDR",
    };
    format!(
        "passeport-{layout}-lot{id}-{}.csv",
        created_at.format("%Y%m%d")
    )
}

/// The `SELECT` of a batch summary (without its `WHERE`).
pub(super) const BATCH_SQL: &str = "SELECT b.id, b.kind, b.all_lines, b.created_at, b.file_name, b.answer, \
     b.answered_at, \
     (SELECT COUNT(*) FROM export_lines l WHERE l.batch_id = b.id) AS line_count, \
     (SELECT COUNT(*) FROM export_lines l WHERE l.batch_id = b.id AND l.refused = TRUE) \
        AS refused_count \
     FROM export_batches b WHERE b.account_id = ";

/// The lines of the batch named by `names` (ID_UNIQUE_PARTENAIRE, else folded NOM_TITULAIRE),
/// or the positions of the names that match no line or several.
pub(super) fn resolve_names(
    lines: &[ExportLine],
    names: &[String],
) -> Result<Vec<String>, AnswerRefusal> {
    let mut keys = Vec::new();
    let (mut unknown, mut ambiguous) = (Vec::new(), Vec::new());
    for (at, name) in names.iter().enumerate() {
        let name = name.trim();
        if let Some(line) = lines.iter().find(|l| l.id_unique_partenaire == name) {
            keys.push(line.id_unique_partenaire.clone());
            continue;
        }
        let folded = fold(name);
        let same: Vec<&ExportLine> = lines
            .iter()
            .filter(|l| fold(l.nom_titulaire.trim()) == folded)
            .collect();
        match same.as_slice() {
            [line] => keys.push(line.id_unique_partenaire.clone()),
            [] => unknown.push(at),
            _ => ambiguous.push(at),
        }
    }
    if !unknown.is_empty() {
        return Err(AnswerRefusal::Unknown(unknown));
    }
    if !ambiguous.is_empty() {
        return Err(AnswerRefusal::Ambiguous(ambiguous));
    }
    Ok(keys)
}

impl Store {
    /// Makes a batch in ONE transaction, idempotently: a key already used returns its batch
    /// (same layout and `all`) or a conflict. `write` turns the declarations cut to the lines
    /// to send into the file; its error is returned as is and nothing is recorded.
    pub async fn create_export(
        &self,
        account: &AccountRow,
        new: &NewBatch,
        write: impl FnOnce(&[Declaration]) -> Result<String, BulkError>,
    ) -> Result<Result<BatchOutcome, BulkError>, ServerError> {
        dispatch!(self, create_export(account, new, write))
    }

    /// A page of the account's batches, newest first, before the `before` id; up to
    /// `limit` + 1 rows.
    pub async fn export_batches(
        &self,
        account: &AccountRow,
        before: Option<ExportBatchId>,
        limit: u32,
    ) -> Result<Vec<ExportBatchSummary>, ServerError> {
        dispatch!(self, export_batches(account, before, limit))
    }

    /// One batch of the account with its lines.
    pub async fn export_batch(
        &self,
        account: &AccountRow,
        id: ExportBatchId,
    ) -> Result<Option<ExportBatch>, ServerError> {
        dispatch!(self, export_batch(account, id))
    }

    /// The file name and bytes of one batch of the account.
    pub async fn export_file(
        &self,
        account: &AccountRow,
        id: ExportBatchId,
    ) -> Result<Option<(String, String)>, ServerError> {
        dispatch!(self, export_file(account, id))
    }

    /// Records the portal's answer to a batch, once: `refused` refuses every line,
    /// `refused_titulaires` the lines named; refused lines go in the next export.
    pub async fn answer_export(
        &self,
        account: &AccountRow,
        id: ExportBatchId,
        answer: PortalAnswer,
        names: &[String],
        at: DateTime<Utc>,
    ) -> Result<Result<ExportBatch, AnswerRefusal>, ServerError> {
        dispatch!(self, answer_export(account, id, answer, names, at))
    }

    /// Fills the `export` of each summary from the latest batch holding each of its live lines.
    pub async fn attach_exports(
        &self,
        account: &AccountRow,
        summaries: &mut [DeclarationSummary],
    ) -> Result<(), ServerError> {
        dispatch!(self, attach_exports(account, summaries))
    }
}

/// The state of a declaration from two of its lines: refused, else waiting, else accepted.
pub(super) fn worst(a: ExportState, b: ExportState) -> ExportState {
    let rank = |s: ExportState| match s {
        ExportState::Acceptee => 0,
        ExportState::EnAttente => 1,
        ExportState::Refusee => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// The shared calls of the export memory, as a child module `exports` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// The export memory on this backend (store/exports.rs).
        pub(in crate::server::store) mod exports {
            use std::collections::{BTreeMap, HashMap};

            use chrono::{DateTime, Utc};
            use sqlx::{QueryBuilder, Row as _};

            use super::{$backend as Backend, Db, DbConn, DbRow, append_audit, lock_key};
            use crate::api::contract::{
                DeclarationExport, DeclarationId, DeclarationSummary, ExportBatch, ExportBatchId,
                ExportBatchSummary, ExportFormat, ExportLine, ExportState, PortalAnswer,
            };
            use crate::bulk::BulkError;
            use crate::domain::DeclarationKind;
            use crate::domain::declaration::Declaration;
            use crate::server::ServerError;
            use crate::server::store::exports::{
                AnswerRefusal, BATCH_SQL, BatchOutcome, NewBatch, file_name, layout_of,
                resolve_names, worst,
            };
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::{AccountRow, code_of, parse_body, parse_code};

            /// Decodes a batch summary selected with [`BATCH_SQL`].
            fn summary_from_row(row: &DbRow) -> Result<ExportBatchSummary, ServerError> {
                let kind: String = row.try_get("kind")?;
                let answer: Option<String> = row.try_get("answer")?;
                let count = |name: &str| -> Result<u32, ServerError> {
                    let n: i64 = row.try_get(name)?;
                    Ok(u32::try_from(n).unwrap_or(u32::MAX))
                };
                Ok(ExportBatchSummary {
                    id: row.try_get("id")?,
                    kind: parse_code("format d'export", &kind)?,
                    all: row.try_get("all_lines")?,
                    created_at: row.try_get("created_at")?,
                    file_name: row.try_get("file_name")?,
                    line_count: count("line_count")?,
                    refused_count: count("refused_count")?,
                    answer: answer
                        .map(|a| parse_code("réponse du portail", &a))
                        .transpose()?,
                    answered_at: row.try_get("answered_at")?,
                })
            }

            /// The batch just written in this transaction: missing is a corrupt store, not a 404.
            pub(in crate::server::store) async fn written_batch(
                conn: &mut DbConn,
                account_id: i64,
                id: ExportBatchId,
            ) -> Result<ExportBatch, ServerError> {
                batch_on(conn, account_id, id)
                    .await?
                    .ok_or_else(|| ServerError::Corrupt {
                        what: "lot d'export".to_owned(),
                        detail: format!("le lot {id} est illisible après son écriture"),
                    })
            }

            /// A batch of the account with its lines, on an open connection.
            pub(in crate::server::store) async fn batch_on(
                conn: &mut DbConn,
                account_id: i64,
                id: ExportBatchId,
            ) -> Result<Option<ExportBatch>, ServerError> {
                let sql = format!("{BATCH_SQL}$1 AND b.id = $2");
                let Some(row) = sqlx::query(&sql)
                    .bind(account_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
                else {
                    return Ok(None);
                };
                let summary = summary_from_row(&row)?;
                let lines = sqlx::query(
                    "SELECT declaration_id, id_unique_partenaire, nom_titulaire, refused \
                     FROM export_lines WHERE batch_id = $1 ORDER BY position",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| {
                    Ok(ExportLine {
                        declaration_id: row.try_get("declaration_id")?,
                        id_unique_partenaire: row.try_get("id_unique_partenaire")?,
                        nom_titulaire: row.try_get("nom_titulaire")?,
                        refused: row.try_get("refused")?,
                    })
                })
                .collect::<Result<Vec<_>, ServerError>>()?;
                Ok(Some(ExportBatch { summary, lines }))
            }

            /// The batch made with `key` by the account, if any: its id, layout, `all` and file.
            /// Batches under the same key are made in turn from here to the end of the transaction.
            pub(in crate::server::store) async fn batch_by_key(
                conn: &mut DbConn,
                account_id: i64,
                key: &str,
            ) -> Result<Option<(ExportBatchId, ExportFormat, bool, String)>, ServerError> {
                lock_key(conn, account_id, key).await?;
                let row = sqlx::query(
                    "SELECT id, kind, all_lines, file FROM export_batches \
                     WHERE account_id = $1 AND idempotency_key = $2",
                )
                .bind(account_id)
                .bind(key)
                .fetch_optional(&mut *conn)
                .await?;
                row.map(|row| {
                    let kind: String = row.try_get("kind")?;
                    Ok((
                        row.try_get("id")?,
                        parse_code("format d'export", &kind)?,
                        row.try_get("all_lines")?,
                        row.try_get("file")?,
                    ))
                })
                .transpose()
            }

            /// The account's declarations of one kind cut to the lines to send, by id then line position:
            /// every live line with `all`, else those no batch holds unrefused.
            pub(in crate::server::store) async fn lines_to_send(
                conn: &mut DbConn,
                account_id: i64,
                kind: DeclarationKind,
                all: bool,
            ) -> Result<Vec<(DeclarationId, Declaration)>, ServerError> {
                let rows = sqlx::query(
                    "SELECT d.id, dt.id_unique_partenaire FROM declarations d \
                     JOIN declaration_titulaires dt ON dt.declaration_id = d.id \
                     WHERE d.account_id = $1 AND d.kind = $2 AND d.status <> 'supprimee' AND dt.removed = FALSE \
                     AND ($3 OR NOT EXISTS (SELECT 1 FROM export_lines l \
                          WHERE l.account_id = dt.account_id \
                          AND l.id_unique_partenaire = dt.id_unique_partenaire AND l.refused = FALSE)) \
                     ORDER BY d.id, dt.position",
                )
                .bind(account_id)
                .bind(code_of(kind))
                .bind(all)
                .fetch_all(&mut *conn)
                .await?;
                let mut wanted: BTreeMap<DeclarationId, Vec<String>> = BTreeMap::new();
                for row in &rows {
                    wanted
                        .entry(row.try_get("id")?)
                        .or_default()
                        .push(row.try_get("id_unique_partenaire")?);
                }
                let mut out = Vec::with_capacity(wanted.len());
                for (id, keys) in wanted {
                    let body: String = sqlx::query_scalar("SELECT body FROM declarations WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *conn)
                        .await?;
                    let mut declaration = parse_body(&body)?;
                    declaration
                        .titulaires
                        .retain(|t| keys.contains(&t.id_unique_partenaire));
                    if !declaration.titulaires.is_empty() {
                        out.push((id, declaration));
                    }
                }
                Ok(out)
            }

            impl Backend {
                /// Makes a batch in ONE transaction, idempotently: a key already used returns its batch
                /// (same layout and `all`) or a conflict. `write` turns the declarations cut to the lines
                /// to send into the file; its error is returned as is and nothing is recorded.
                pub(in crate::server::store) async fn create_export(
                    &self,
                    account: &AccountRow,
                    new: &NewBatch,
                    write: impl FnOnce(&[Declaration]) -> Result<String, BulkError>,
                ) -> Result<Result<BatchOutcome, BulkError>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    if let Some((id, kind, all, file)) =
                        batch_by_key(&mut tx, account.id, &new.idempotency_key).await?
                    {
                        if (kind, all) != (new.kind, new.all) {
                            return Ok(Ok(BatchOutcome::KeyConflict));
                        }
                        let batch =
                            batch_on(&mut tx, account.id, id)
                                .await?
                                .ok_or_else(|| ServerError::Corrupt {
                                    what: "lot d'export".to_owned(),
                                    detail: format!("le lot {id} a disparu"),
                                })?;
                        return Ok(Ok(BatchOutcome::Replayed(Box::new(batch), file)));
                    }
                    let lines = lines_to_send(&mut tx, account.id, layout_of(new.kind), new.all).await?;
                    if lines.is_empty() {
                        return Ok(Ok(BatchOutcome::Nothing));
                    }
                    let declarations: Vec<Declaration> = lines.iter().map(|(_, d)| d.clone()).collect();
                    let file = match write(&declarations) {
                        Ok(written) => written,
                        Err(error) => return Ok(Err(error)),
                    };
                    let id: ExportBatchId = sqlx::query_scalar(
                        "INSERT INTO export_batches (account_id, idempotency_key, kind, all_lines, \
                         created_at, file_name, file) VALUES ($1, $2, $3, $4, $5, '', $6) RETURNING id",
                    )
                    .bind(account.id)
                    .bind(&new.idempotency_key)
                    .bind(code_of(new.kind))
                    .bind(new.all)
                    .bind(new.created_at)
                    .bind(&file)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE export_batches SET file_name = $1 WHERE id = $2")
                        .bind(file_name(new.kind, id, new.created_at))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let mut position = 0_i64;
                    for (declaration_id, declaration) in &lines {
                        for titulaire in &declaration.titulaires {
                            sqlx::query(
                                "INSERT INTO export_lines (batch_id, account_id, declaration_id, position, \
                                 id_unique_partenaire, nom_titulaire) VALUES ($1, $2, $3, $4, $5, $6)",
                            )
                            .bind(id)
                            .bind(account.id)
                            .bind(declaration_id)
                            .bind(position)
                            .bind(&titulaire.id_unique_partenaire)
                            .bind(&titulaire.nom_titulaire)
                            .execute(&mut *tx)
                            .await?;
                            position += 1;
                        }
                    }
                    let batch = written_batch(&mut tx, account.id, id).await?;
                    // The batch marks its lines sent: the trail records it, not the file.
                    let event = AuditEvent {
                        action: "création",
                        entity: "export",
                        entity_id: id.to_string(),
                        before: None,
                        after: serde_json::to_value(&batch.summary).ok(),
                    };
                    append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    tx.commit().await?;
                    Ok(Ok(BatchOutcome::Created(Box::new(batch), file)))
                }

                /// A page of the account's batches, newest first, before the `before` id; up to
                /// `limit` + 1 rows.
                pub(in crate::server::store) async fn export_batches(
                    &self,
                    account: &AccountRow,
                    before: Option<ExportBatchId>,
                    limit: u32,
                ) -> Result<Vec<ExportBatchSummary>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(BATCH_SQL);
                    builder.push_bind(account.id);
                    if let Some(before) = before {
                        builder.push(" AND b.id < ").push_bind(before);
                    }
                    builder
                        .push(" ORDER BY b.id DESC LIMIT ")
                        .push_bind(i64::from(limit) + 1);
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    rows.iter().map(summary_from_row).collect()
                }

                /// One batch of the account with its lines.
                pub(in crate::server::store) async fn export_batch(
                    &self,
                    account: &AccountRow,
                    id: ExportBatchId,
                ) -> Result<Option<ExportBatch>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    batch_on(&mut conn, account.id, id).await
                }

                /// The file name and bytes of one batch of the account.
                pub(in crate::server::store) async fn export_file(
                    &self,
                    account: &AccountRow,
                    id: ExportBatchId,
                ) -> Result<Option<(String, String)>, ServerError> {
                    let row = sqlx::query(
                        "SELECT file_name, file FROM export_batches WHERE account_id = $1 AND id = $2",
                    )
                    .bind(account.id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|row| Ok((row.try_get("file_name")?, row.try_get("file")?)))
                        .transpose()
                }

                /// Records the portal's answer to a batch, once: `refused` refuses every line,
                /// `refused_titulaires` the lines named; refused lines go in the next export.
                pub(in crate::server::store) async fn answer_export(
                    &self,
                    account: &AccountRow,
                    id: ExportBatchId,
                    answer: PortalAnswer,
                    names: &[String],
                    at: DateTime<Utc>,
                ) -> Result<Result<ExportBatch, AnswerRefusal>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(batch) = batch_on(&mut tx, account.id, id).await? else {
                        return Ok(Err(AnswerRefusal::NotFound));
                    };
                    if let Some(known) = batch.summary.answer {
                        return Ok(Err(AnswerRefusal::AlreadyAnswered(
                            known,
                            batch.summary.answered_at,
                        )));
                    }
                    let refused: Vec<String> = match answer {
                        PortalAnswer::Accepted => Vec::new(),
                        PortalAnswer::Refused => batch
                            .lines
                            .iter()
                            .map(|l| l.id_unique_partenaire.clone())
                            .collect(),
                        PortalAnswer::RefusedTitulaires => match resolve_names(&batch.lines, names) {
                            Ok(keys) => keys,
                            Err(refusal) => return Ok(Err(refusal)),
                        },
                    };
                    sqlx::query("UPDATE export_batches SET answer = $1, answered_at = $2 WHERE id = $3")
                        .bind(code_of(answer))
                        .bind(at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    for key in &refused {
                        sqlx::query(
                            "UPDATE export_lines SET refused = TRUE WHERE batch_id = $1 AND id_unique_partenaire = $2",
                        )
                        .bind(id)
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let answered = written_batch(&mut tx, account.id, id).await?;
                    let event = AuditEvent {
                        action: "réponse du portail",
                        entity: "export",
                        entity_id: id.to_string(),
                        before: serde_json::to_value(&batch.summary).ok(),
                        after: serde_json::to_value(&answered.summary).ok(),
                    };
                    append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    tx.commit().await?;
                    Ok(Ok(answered))
                }

                /// Fills the `export` of each summary from the latest batch holding each of its live lines.
                pub(in crate::server::store) async fn attach_exports(
                    &self,
                    account: &AccountRow,
                    summaries: &mut [DeclarationSummary],
                ) -> Result<(), ServerError> {
                    if summaries.is_empty() {
                        return Ok(());
                    }
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT dt.declaration_id, l.batch_id, l.refused, b.created_at, b.answer \
                         FROM declaration_titulaires dt \
                         LEFT JOIN export_lines l ON l.id = (SELECT l2.id FROM export_lines l2 \
                            WHERE l2.account_id = dt.account_id \
                            AND l2.id_unique_partenaire = dt.id_unique_partenaire \
                            ORDER BY l2.batch_id DESC LIMIT 1) \
                         LEFT JOIN export_batches b ON b.id = l.batch_id \
                         WHERE dt.removed = FALSE AND dt.account_id = ",
                    );
                    builder.push_bind(account.id);
                    builder.push(" AND dt.declaration_id IN (");
                    let mut ids = builder.separated(", ");
                    for summary in summaries.iter() {
                        ids.push_bind(summary.id);
                    }
                    builder.push(")");
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    let mut exports: HashMap<DeclarationId, DeclarationExport> = HashMap::new();
                    let mut unsent: HashMap<DeclarationId, u32> = HashMap::new();
                    for row in &rows {
                        let declaration: DeclarationId = row.try_get("declaration_id")?;
                        let Some(batch) = row.try_get::<Option<ExportBatchId>, _>("batch_id")? else {
                            *unsent.entry(declaration).or_default() += 1;
                            continue;
                        };
                        let refused: bool = row.try_get("refused")?;
                        let answer: Option<String> = row.try_get("answer")?;
                        let exported_at: DateTime<Utc> = row.try_get("created_at")?;
                        let state = if refused {
                            *unsent.entry(declaration).or_default() += 1;
                            ExportState::Refusee
                        } else if answer.is_some() {
                            ExportState::Acceptee
                        } else {
                            ExportState::EnAttente
                        };
                        let export = exports.entry(declaration).or_insert(DeclarationExport {
                            batch_id: batch,
                            exported_at,
                            state,
                            unsent: 0,
                        });
                        if batch > export.batch_id {
                            export.batch_id = batch;
                            export.exported_at = exported_at;
                        }
                        export.state = worst(export.state, state);
                    }
                    for summary in summaries.iter_mut() {
                        summary.export = exports.get(&summary.id).map(|export| DeclarationExport {
                            unsent: unsent.get(&summary.id).copied().unwrap_or(0),
                            ..*export
                        });
                    }
                    Ok(())
                }
            }
        }
    };
}

pub(super) use ported;
