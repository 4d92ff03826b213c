//! `GET /v1/audit` (issue 17 §3): the account's audit trail, oldest first (or newest first),
//! for the `administration` role (the rights guard checks it from the path).

use axum::Json;
use axum::extract::State;

use super::{internal, page};
use crate::api::contract::{AuditEntry, AuditQuery, Page, Problem};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::cursor::{decode_id, encode_id, page_limit};
use crate::server::problem::{ApiProblem, ApiQuery};
use crate::server::store::audit::AuditFilter;

/// `GET /v1/audit`: who did what, when, with the before and after values.
#[utoipa::path(get, path = "/v1/audit", tag = "journal", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "Une page du journal", body = Page<AuditEntry>),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json"),
        (status = 403, description = "Réservé au rôle « administration »", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn list_audit(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, ApiProblem> {
    let limit = page_limit(query.limit)?;
    let filter = AuditFilter {
        since: query.since,
        user: query.user.filter(|u| !u.trim().is_empty()),
        entity: query.entity.filter(|e| !e.trim().is_empty()),
        cursor: decode_id(query.cursor.as_deref())?,
        newest_first: query.newest_first.unwrap_or(false),
    };
    let rows = state
        .store()
        .audit(&account, &filter, limit)
        .await
        .map_err(internal)?;
    let entries = rows
        .into_iter()
        .map(|row| AuditEntry {
            id: row.id,
            at: row.at,
            user: row.user_email,
            action: row.action,
            entity: row.entity,
            entity_id: row.entity_id,
            before: row.before,
            after: row.after,
        })
        .collect();
    Ok(Json(page(entries, limit, |e| encode_id(e.id))))
}
