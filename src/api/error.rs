//! Errors of the API client: what went wrong with a request, in French, with what to do about it.
//!
//! Error bodies are RFC 9457 `application/problem+json` ([`Problem`]); the mapping from an HTTP
//! status and body to an [`ApiError`] is [`ApiError::from_status`], pure and tested here.
//! Messages never carry the bearer token, request headers or the request's query string.

use std::time::Duration;

use thiserror::Error;

use crate::api::contract::Problem;
use crate::domain::FieldError;

/// A failed API call, one variant per thing the user can act upon.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No connection could be made to the server (refused, reset, DNS failure…).
    #[error(
        "Serveur injoignable ({url}) : vérifiez l'adresse api_url ou relancez le serveur, puis réessayez"
    )]
    Unreachable {
        /// The server's base address (without password), for the user to check.
        url: String,
    },
    /// The server did not answer within the configured delay.
    #[error(
        "Le serveur n'a pas répondu à temps : réessayez dans un instant ; si cela persiste, \
         vérifiez la connexion réseau ou la charge du serveur"
    )]
    Timeout,
    /// 401: the token is missing, wrong or revoked.
    #[error(
        "Jeton refusé ou révoqué (401) : vérifiez le jeton configuré (token) ou demandez-en un \
         nouveau à l'administrateur du serveur"
    )]
    Unauthorized,
    /// 404: the resource does not exist or this account may not see it.
    #[error(
        "Élément introuvable (404) : il n'existe pas ou n'est pas visible par ce compte ; \
         rechargez la liste"
    )]
    NotFound,
    /// 409: the request conflicts with the server's state.
    #[error("Conflit (409) : {detail} ; rechargez les données puis réessayez")]
    Conflict {
        /// The server's explanation.
        detail: String,
    },
    /// 422: the server refused the data, field by field.
    #[error("{}", invalid_message(errors))]
    Invalid {
        /// The field errors of the problem body.
        errors: Vec<FieldError>,
    },
    /// 429: too many requests.
    #[error("{}", rate_limited_message(*retry_after))]
    RateLimited {
        /// How long the server asked to wait (`Retry-After`, in seconds), if it said.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed.
    #[error(
        "Erreur du serveur ({status}) : {detail} ; réessayez plus tard et, si l'erreur persiste, \
         consultez le journal du serveur"
    )]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's explanation, or a generic one.
        detail: String,
    },
    /// The answer could not be read: a body that is not the expected JSON, or an error body that
    /// is not a problem document.
    #[error(
        "Réponse inattendue du serveur : {detail} ; vérifiez que api_url désigne bien un serveur \
         Passeport de même version"
    )]
    Malformed {
        /// What could not be read (never the body itself, which may hold NIRs).
        detail: String,
    },
    /// Any other refusal (4xx), with the problem's title and detail.
    #[error("Requête refusée par le serveur ({status}) : {detail}")]
    Other {
        /// HTTP status.
        status: u16,
        /// The problem's title and detail.
        detail: String,
    },
    /// The configured server address is not an http(s) URL.
    #[error(
        "Adresse du serveur invalide ({url}) : indiquez une URL http ou https, par exemple \
         http://127.0.0.1:8080"
    )]
    InvalidUrl {
        /// The address as given.
        url: String,
    },
    /// The HTTP client itself could not be set up or could not build a request.
    #[error("Client HTTP inutilisable : {detail} ; vérifiez la configuration (token, api_url)")]
    Client {
        /// What failed (never the token).
        detail: String,
    },
}

/// Generic French explanation when a server error carries no problem body.
const NO_DETAIL: &str = "aucun détail fourni";

impl ApiError {
    /// True when the same request may succeed if sent again: network failures, timeouts, 5xx
    /// and 429. The client retries only safe requests, and only on these errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::Timeout
                | Self::Server { .. }
                | Self::RateLimited { .. }
        )
    }

    /// The field errors of a 422, empty for every other error.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid { errors } => errors,
            _ => &[],
        }
    }

    /// Maps a non-success HTTP answer to an error. `body` is read as a [`Problem`]
    /// (RFC 9457); `retry_after` is the parsed `Retry-After` header (see [`parse_retry_after`]).
    pub fn from_status(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Self {
        let problem = serde_json::from_slice::<Problem>(body).ok();
        match status {
            401 => Self::Unauthorized,
            404 => Self::NotFound,
            429 => Self::RateLimited { retry_after },
            500..=599 => Self::Server {
                status,
                detail: problem.map_or_else(|| NO_DETAIL.to_owned(), problem_detail),
            },
            _ => match problem {
                None => Self::Malformed {
                    detail: format!("réponse d'erreur {status} sans document problem+json"),
                },
                Some(problem) => match status {
                    409 => Self::Conflict {
                        detail: problem_detail(problem),
                    },
                    422 if !problem.errors.is_empty() => Self::Invalid {
                        errors: problem.errors,
                    },
                    _ => Self::Other {
                        status,
                        detail: problem_summary(problem),
                    },
                },
            },
        }
    }

    /// A [`ApiError::Malformed`] for a body that is not the expected JSON. Only the position and
    /// the kind of the error are kept: serde messages may quote values, and values may be NIRs.
    pub fn malformed_json(what: &str, error: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let kind = match error.classify() {
            Category::Io | Category::Syntax => "JSON invalide",
            Category::Data => "champs ou types inattendus",
            Category::Eof => "JSON tronqué",
        };
        Self::Malformed {
            detail: format!(
                "{what} illisible ({kind}, ligne {}, colonne {})",
                error.line(),
                error.column()
            ),
        }
    }
}

/// Reads a `Retry-After` header given in seconds (RFC 9110 §10.2.3). The HTTP-date form is not
/// used by the Passeport server and yields `None`, as does anything unreadable.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The problem's detail, or its title when it has none, sanitised: it is shown as it came.
fn problem_detail(problem: Problem) -> String {
    crate::text::sanitize(&problem.detail.unwrap_or(problem.title))
}

/// The problem's title followed by its detail, when there is one, sanitised.
fn problem_summary(problem: Problem) -> String {
    match problem.detail {
        Some(detail) => crate::text::sanitize(&format!("{} — {detail}", problem.title)),
        None => crate::text::sanitize(&problem.title),
    }
}

fn invalid_message(errors: &[FieldError]) -> String {
    let list = errors
        .iter()
        .map(|error| crate::text::sanitize(&error.to_string()))
        .collect::<Vec<_>>()
        .join(" ; ");
    format!(
        "Données refusées par le serveur (422), {} : {list} ; corrigez les champs \
         signalés puis renvoyez",
        crate::text::count(errors.len() as u64, "erreur", "erreurs")
    )
}

fn rate_limited_message(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(
            "Trop de requêtes (429) : patientez {} s puis réessayez",
            wait.as_secs()
        ),
        None => "Trop de requêtes (429) : patientez quelques secondes puis réessayez".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn problem(status: u16, detail: Option<&str>, errors: Vec<FieldError>) -> Vec<u8> {
        let problem = Problem {
            kind: "about:blank".to_owned(),
            title: "Titre".to_owned(),
            status,
            detail: detail.map(str::to_owned),
            errors,
        };
        serde_json::to_vec(&problem).unwrap()
    }

    #[test]
    fn known_statuses_map_to_their_variant() {
        assert_eq!(
            ApiError::from_status(401, None, b""),
            ApiError::Unauthorized
        );
        assert_eq!(
            ApiError::from_status(404, None, &problem(404, None, vec![])),
            ApiError::NotFound
        );
        assert_eq!(
            ApiError::from_status(409, None, &problem(409, Some("déjà déclaré"), vec![])),
            ApiError::Conflict {
                detail: "déjà déclaré".to_owned()
            }
        );
        assert_eq!(
            ApiError::from_status(429, Some(Duration::from_secs(2)), b""),
            ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(2))
            }
        );
        assert_eq!(
            ApiError::from_status(503, None, b"<html>bad gateway</html>"),
            ApiError::Server {
                status: 503,
                detail: NO_DETAIL.to_owned()
            }
        );
        assert_eq!(
            ApiError::from_status(500, None, &problem(500, Some("base indisponible"), vec![])),
            ApiError::Server {
                status: 500,
                detail: "base indisponible".to_owned()
            }
        );
    }

    #[test]
    fn unprocessable_keeps_every_field_error() {
        let errors = vec![
            FieldError::new("titulaires[0].NIR", "invalid_key", "clé du NIR incorrecte"),
            FieldError::new("SIRET_EMPLOYEUR", "required", "SIRET obligatoire"),
        ];
        let error = ApiError::from_status(422, None, &problem(422, None, errors.clone()));
        assert_eq!(error.field_errors(), errors.as_slice());
        let message = error.to_string();
        assert!(
            message.contains("titulaires[0].NIR : clé du NIR incorrecte"),
            "{message}"
        );
        assert!(
            message.contains("SIRET_EMPLOYEUR : SIRET obligatoire"),
            "{message}"
        );
    }

    #[test]
    fn unprocessable_without_field_errors_is_other() {
        let error =
            ApiError::from_status(422, None, &problem(422, Some("limite trop grande"), vec![]));
        assert_eq!(
            error,
            ApiError::Other {
                status: 422,
                detail: "Titre — limite trop grande".to_owned()
            }
        );
        assert!(error.field_errors().is_empty());
    }

    #[test]
    fn client_error_without_problem_body_is_malformed() {
        for status in [400, 409, 422] {
            let error = ApiError::from_status(status, None, b"not json");
            assert!(
                matches!(error, ApiError::Malformed { .. }),
                "{status}: {error:?}"
            );
        }
    }

    #[test]
    fn malformed_json_does_not_quote_the_body() {
        let nir = "1850375123456";
        let error = serde_json::from_str::<u32>(&format!("\"{nir}\"")).unwrap_err();
        let error = ApiError::malformed_json("liste des salariés", &error);
        assert!(matches!(error, ApiError::Malformed { .. }));
        assert!(!error.to_string().contains(nir), "{error}");
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn messages_are_french_and_say_what_to_do() {
        let unreachable = ApiError::Unreachable {
            url: "http://127.0.0.1:9".to_owned(),
        };
        assert_eq!(
            unreachable.to_string(),
            "Serveur injoignable (http://127.0.0.1:9) : vérifiez l'adresse api_url ou relancez le \
             serveur, puis réessayez"
        );
        assert!(ApiError::Unauthorized.to_string().contains("jeton"));
        assert!(
            ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
            .to_string()
            .contains("patientez 3 s")
        );
    }

    proptest! {
        #[test]
        fn retryable_exactly_for_429_and_5xx(status in 400u16..600, with_problem in any::<bool>()) {
            let body = if with_problem { problem(status, Some("d"), vec![]) } else { b"x".to_vec() };
            let error = ApiError::from_status(status, None, &body);
            prop_assert_eq!(error.is_retryable(), status == 429 || status >= 500);
        }

        #[test]
        fn other_client_errors_keep_status_and_title(status in 400u16..500) {
            prop_assume!(![401, 404, 409, 422, 429].contains(&status));
            let error = ApiError::from_status(status, None, &problem(status, None, vec![]));
            prop_assert_eq!(error, ApiError::Other { status, detail: "Titre".to_owned() });
        }
    }
}
