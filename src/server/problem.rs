//! Error answers of the API as RFC 9457 `application/problem+json` bodies
//! (<https://www.rfc-editor.org/rfc/rfc9457>), with French messages, and the extractors that turn
//! axum's JSON, query and path rejections into such bodies.

use std::any::Any;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::faults::StorageFault;
use crate::api::contract::{PROBLEM_JSON, Problem};
use crate::domain::FieldError;

/// An error answer: a status, a French title and detail, and field errors for a 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiProblem {
    /// HTTP status.
    pub status: StatusCode,
    /// Short French summary.
    pub title: String,
    /// Longer French explanation.
    pub detail: Option<String>,
    /// Field-level problems.
    pub errors: Vec<FieldError>,
    /// The storage fault behind a 503, seen by the write tracking of `/healthz`.
    fault: Option<StorageFault>,
}

impl ApiProblem {
    /// A problem with a status, a title and an optional detail.
    pub fn new(status: StatusCode, title: impl Into<String>, detail: Option<String>) -> Self {
        Self {
            status,
            title: title.into(),
            detail,
            errors: Vec::new(),
            fault: None,
        }
    }

    /// 503: the database cannot be written for now (full disk, read-only file…).
    pub fn storage(fault: StorageFault) -> Self {
        Self {
            fault: Some(fault),
            ..Self::new(
                super::faults::STATUS,
                "Enregistrement impossible pour l'instant",
                Some(super::faults::detail(fault)),
            )
        }
    }

    /// 400: the request is malformed (bad query parameter, bad cursor, missing header).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Requête invalide",
            Some(detail.into()),
        )
    }

    /// 401: no token, or a token the server does not know.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Authentification requise",
            Some(
                "jeton absent, inconnu ou révoqué : envoyez l'en-tête « Authorization: Bearer \
                 <jeton> » avec un jeton valide"
                    .to_owned(),
            ),
        )
    }

    /// 403: the user's role does not allow the route; names the role needed.
    pub fn forbidden(
        needed: crate::domain::rights::Role,
        has: crate::domain::rights::Role,
    ) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Action non autorisée",
            Some(format!(
                "cette action demande le rôle « {needed} » ; votre rôle est « {has} » : \
                 demandez-le à un utilisateur « administration » du compte"
            )),
        )
    }

    /// 403: a file holding NIRs, to a `lecture` user without the NIR access.
    pub fn nir_forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Action non autorisée",
            Some(
                "ce fichier contient des NIR : il demande le rôle « saisie », ou l'accès aux NIR \
                 pour le rôle « lecture »"
                    .to_owned(),
            ),
        )
    }

    /// 404: the resource does not exist, or is not visible to this account (same answer).
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Ressource introuvable",
            Some("aucune ressource à cette adresse pour ce compte".to_owned()),
        )
    }

    /// 409: the request conflicts with what the server holds.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflit", Some(detail.into()))
    }

    /// 422: the declaration (or body) breaks the rules; every field error is listed.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let count = errors.len();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: "Données invalides".to_owned(),
            detail: Some(format!(
                "{} à corriger, voir « errors »",
                crate::text::count(count as u64, "erreur", "erreurs")
            )),
            errors,
            fault: None,
        }
    }

    /// 500: something failed on the server; the cause is logged, not shown.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne du serveur",
            Some("une erreur inattendue est survenue ; réessayez plus tard".to_owned()),
        )
    }

    /// A problem for a bare error status produced outside the handlers (router fallback, body
    /// limit, timeout layer), with a French title for the status.
    pub fn from_status(status: StatusCode) -> Self {
        let (title, detail) = match status {
            StatusCode::NOT_FOUND => ("Ressource introuvable", "aucune route à cette adresse"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "Méthode non autorisée",
                "cette route n'accepte pas cette méthode HTTP",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "Requête trop volumineuse",
                "le corps de la requête dépasse 1 Mio",
            ),
            StatusCode::REQUEST_TIMEOUT => (
                "Délai dépassé",
                "la requête a pris plus de 30 secondes ; réessayez",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "Service indisponible",
                "le serveur ne peut pas répondre pour l'instant ; réessayez",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "Type de contenu non pris en charge",
                "envoyez un corps JSON avec « Content-Type: application/json »",
            ),
            s if s.is_server_error() => (
                "Erreur interne du serveur",
                "une erreur inattendue est survenue",
            ),
            _ => ("Requête refusée", "le serveur a refusé la requête"),
        };
        Self::new(status, title, Some(detail.to_owned()))
    }

    /// The body sent to the client.
    pub fn to_body(&self) -> Problem {
        Problem {
            kind: "about:blank".to_owned(),
            title: self.title.clone(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.to_body()) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "sérialisation d'un problème impossible");
                Vec::new()
            }
        };
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(fault) = self.fault {
            response.extensions_mut().insert(fault);
        }
        response
    }
}

/// The answer to a handler that panicked: a 500 problem; the panic message is logged.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = if let Some(text) = panic.downcast_ref::<String>() {
        text.as_str()
    } else if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else {
        "panique sans message"
    };
    tracing::error!(message, "panique dans un gestionnaire de requête");
    ApiProblem::internal().into_response()
}

/// French detail for a rejected body, query or path, with the parser's own words appended.
fn rejection_problem(status: StatusCode, what: &str, technical: String) -> ApiProblem {
    let title = match status {
        StatusCode::UNPROCESSABLE_ENTITY => "Données invalides",
        StatusCode::PAYLOAD_TOO_LARGE => "Requête trop volumineuse",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Type de contenu non pris en charge",
        s if s.is_server_error() => "Erreur interne du serveur",
        _ => "Requête invalide",
    };
    ApiProblem::new(
        status,
        title,
        Some(format!("{what} (détail technique : {technical})")),
    )
}

/// `axum::Json` whose rejections are problem+json bodies in French.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiProblem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// Maps a JSON rejection to a problem.
fn json_rejection(rejection: JsonRejection) -> ApiProblem {
    let what = match &rejection {
        JsonRejection::JsonDataError(_) => {
            "le corps JSON ne correspond pas au type attendu (champ manquant ou de mauvais type)"
        }
        JsonRejection::JsonSyntaxError(_) => "le corps de la requête n'est pas du JSON valide",
        JsonRejection::MissingJsonContentType(_) => {
            "l'en-tête « Content-Type: application/json » est attendu"
        }
        _ => "le corps de la requête n'a pas pu être lu",
    };
    rejection_problem(rejection.status(), what, rejection.body_text())
}

/// `axum::extract::Query` whose rejections are problem+json bodies in French.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

/// Maps a query-string rejection to a 400 problem.
fn query_rejection(rejection: QueryRejection) -> ApiProblem {
    rejection_problem(
        StatusCode::BAD_REQUEST,
        "paramètre de requête invalide",
        rejection.body_text(),
    )
}

/// `axum::extract::Path` whose rejections are problem+json bodies in French.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

/// Maps a path rejection: a malformed identifier is a 400.
fn path_rejection(rejection: PathRejection) -> ApiProblem {
    let status = match &rejection {
        PathRejection::FailedToDeserializePathParams(_) => StatusCode::BAD_REQUEST,
        _ => rejection.status(),
    };
    rejection_problem(
        status,
        "identifiant invalide dans l'adresse",
        rejection.body_text(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> (StatusCode, String, Problem) {
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[tokio::test]
    async fn problem_is_problem_json_with_field_errors() {
        let errors = vec![
            FieldError::new("titulaires[0].NIR", "invalid_key", "NIR : clé incorrecte"),
            FieldError::new("DATE_FIN_FORMATION", "date_order", "fin avant début"),
        ];
        let (status, content_type, body) =
            body_of(ApiProblem::invalid(errors.clone()).into_response()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(content_type, PROBLEM_JSON);
        assert_eq!(body.status, 422);
        assert_eq!(body.kind, "about:blank");
        assert_eq!(body.errors, errors);
    }

    #[tokio::test]
    async fn panic_becomes_a_500_problem() {
        let (status, content_type, body) =
            body_of(panic_response(Box::new("boum".to_owned()))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(content_type, PROBLEM_JSON);
        assert_eq!(body.title, "Erreur interne du serveur");
        let (status, _, _) = body_of(panic_response(Box::new(42_u8))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn bare_statuses_get_french_titles() {
        assert_eq!(
            ApiProblem::from_status(StatusCode::NOT_FOUND).title,
            "Ressource introuvable"
        );
        assert_eq!(
            ApiProblem::from_status(StatusCode::REQUEST_TIMEOUT).title,
            "Délai dépassé"
        );
        assert_eq!(
            ApiProblem::from_status(StatusCode::PAYLOAD_TOO_LARGE).title,
            "Requête trop volumineuse"
        );
        assert_eq!(
            ApiProblem::from_status(StatusCode::BAD_GATEWAY).title,
            "Erreur interne du serveur"
        );
    }
}
