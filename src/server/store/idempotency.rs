//! `Idempotency-Key` of the write routes (declarations keep theirs on the declaration): the
//! first answer is stored in the transaction of the write, so a retry replays it and never
//! writes twice; the same key with another body or route is a conflict.

use serde::Serialize;
use sqlx::{Row, SqliteConnection};

use super::ServerError;

/// An idempotent request: its key, the route it was sent to and the hash of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// The `Idempotency-Key` header.
    pub key: String,
    /// Method and path, such as `POST /v1/workers`.
    pub route: String,
    /// SHA-256 hex of the body as received.
    pub body_hash: String,
}

/// What became of an idempotent write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent<T> {
    /// The request was new: its outcome.
    New(T),
    /// The same key, route and body were already answered: that answer.
    Replay {
        /// Its HTTP status.
        status: u16,
        /// Its JSON body.
        body: String,
    },
    /// The key was already used with another body or route.
    KeyConflict,
}

/// The stored answer to `request` for the account, if its key was seen: `Some(Replay)` for the
/// same route and body, `Some(KeyConflict)` otherwise.
pub(super) async fn lookup<T>(
    conn: &mut SqliteConnection,
    account_id: i64,
    request: &IdempotentRequest,
) -> Result<Option<Idempotent<T>>, ServerError> {
    let row = sqlx::query(
        "SELECT route, body_hash, status, response FROM idempotency_keys \
         WHERE account_id = ? AND key = ?",
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
pub(super) async fn remember(
    conn: &mut SqliteConnection,
    account_id: i64,
    request: &IdempotentRequest,
    status: u16,
    answer: &impl Serialize,
) -> Result<(), ServerError> {
    let body = serde_json::to_string(answer).map_err(|e| ServerError::Corrupt {
        what: "réponse à mémoriser".to_owned(),
        detail: e.to_string(),
    })?;
    sqlx::query(
        "INSERT INTO idempotency_keys (account_id, key, route, body_hash, status, response, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
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
