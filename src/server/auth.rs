//! Bearer tokens: generation, SHA-256 hashing for storage, and the guard that resolves the
//! `Authorization: Bearer …` header to an account and its user, checks the user's role against
//! the route (issue 17) and masks NIRs for a `lecture` user. Tokens are never logged.

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;
use super::problem::ApiProblem;
use super::store::AccountRow;
use crate::domain::rights::{Role, mask_nirs, needed_role};

/// Characters of a token kept as its prefix (`pp_` and 8 hex digits, 32 of its 256 bits):
/// what `token list` shows and `token revoke` takes.
pub const PREFIX_LEN: usize = TOKEN_PREFIX.len() + 8;

/// Prefix of generated tokens, so they are recognisable in a configuration file.
const TOKEN_PREFIX: &str = "pp_";

/// Lowercase hexadecimal of bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 0x0f)]));
    }
    out
}

/// The SHA-256 hex digest under which a token is stored.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new random token: `pp_` and 64 hex digits (256 bits from the OS-seeded CSPRNG).
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", hex(&rand::random::<[u8; 32]>()))
}

/// The token of an `Authorization` header value: `Bearer <token>` (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The authenticated account of a request, with its user, as the [`guard`] resolved it; a
/// request without a token is a 401 problem.
#[derive(Debug, Clone)]
pub struct Auth(pub AccountRow);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AccountRow>()
            .cloned()
            .map(Self)
            .ok_or_else(ApiProblem::unauthorized)
    }
}

/// Whether the answers to `account` mask NIRs: a `lecture` user without the NIR access.
fn masks_nirs(account: &AccountRow) -> bool {
    account
        .user
        .as_ref()
        .is_some_and(|user| user.role == Role::Lecture && !user.nir_access)
}

/// The route layer of every route: a request with a token gets its account and user resolved
/// (401 when the token is unknown, revoked or expired, or its user disabled), then the role
/// the route's class needs ([`needed_role`]) checked (403 naming it). A request without a token
/// goes on: the public routes answer it, the others 401 through [`Auth`]. The answers to a
/// `lecture` user without the NIR access have their NIRs masked; a file (not JSON) is refused
/// to them.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return next.run(request).await;
    };
    let Some(token) = header.to_str().ok().and_then(bearer) else {
        return ApiProblem::unauthorized().into_response();
    };
    let account = match state
        .store()
        .caller_by_token(&hash_token(token), chrono::Utc::now())
        .await
    {
        Ok(Some(account)) => account,
        Ok(None) => return ApiProblem::unauthorized().into_response(),
        Err(error) => {
            tracing::error!(%error, "lecture du jeton impossible");
            return ApiProblem::internal().into_response();
        }
    };
    let path = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let needed = needed_role(request.method().as_str(), &path);
    let role = account
        .user
        .as_ref()
        .map_or(Role::Administration, |u| u.role);
    if !role.allows(needed) {
        return ApiProblem::forbidden(needed, role).into_response();
    }
    let mask = masks_nirs(&account);
    request.extensions_mut().insert(account);
    let response = next.run(request).await;
    if mask {
        masked(response).await
    } else {
        response
    }
}

/// `response` with its NIRs masked: JSON rewritten, a successful file refused.
async fn masked(response: Response) -> Response {
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("json"));
    if !json {
        return if response.status().is_success() {
            ApiProblem::nir_forbidden().into_response()
        } else {
            response
        };
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiProblem::internal().into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return ApiProblem::internal().into_response();
    };
    mask_nirs(&mut value);
    let bytes = value.to_string();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tokens_are_long_distinct_and_hex() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert!(
            a[TOKEN_PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
        );
    }

    #[test]
    fn bearer_scheme_is_required() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }
}
