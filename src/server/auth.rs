//! Bearer tokens: generation, SHA-256 hashing for storage, and the extractor that resolves the
//! `Authorization: Bearer …` header to an account. Tokens are never logged.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::AppState;
use super::problem::ApiProblem;
use super::store::AccountRow;

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

/// The authenticated account of a request; a missing or unknown token is a 401 problem.
#[derive(Debug, Clone)]
pub struct Auth(pub AccountRow);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiProblem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .ok_or_else(ApiProblem::unauthorized)?;
        match state.store().account_by_token(&hash_token(token)).await {
            Ok(Some(account)) => Ok(Self(account)),
            Ok(None) => Err(ApiProblem::unauthorized()),
            Err(error) => {
                tracing::error!(%error, "lecture du jeton impossible");
                Err(ApiProblem::internal())
            }
        }
    }
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
