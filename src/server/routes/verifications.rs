//! The employer's check of training organisations' declarations (décret 2022-1712 art. 7-I,
//! issue 16): `GET /v1/verifications?status=`, `POST /v1/verifications/{line}/verify` and
//! `POST /v1/verifications/{line}/request-correction`. An organisation reads the same list (the
//! requests on its declarations) and answers through `DELETE …/titulaires/…` or a new
//! declaration. Another account's line is a 404, like a line that does not exist.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::staff::{employer_only, idempotent_request, key_reused, replay};
use super::{internal, today};
use crate::api::contract::{
    CorrectionRequest, Problem, UndeclaredList, VerificationList, VerificationView,
    VerificationsQuery,
};
use crate::domain::FieldError;
use crate::domain::verification::{Action, check_message};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::problem::{ApiJson, ApiPath, ApiProblem, ApiQuery};
use crate::server::store::{DecideOutcome, Idempotent};

/// The verification routes, merged into the API router.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_verifications))
        .routes(routes!(list_undeclared))
        .routes(routes!(verify_line))
        .routes(routes!(request_correction))
}

/// `GET /v1/verifications`: for an employer, the lines organisations declared for its SIRET with
/// their status and window; for an organisation, the employers' decisions on its declarations.
#[utoipa::path(get, path = "/v1/verifications", tag = "vérifications",
    security(("bearer" = [])),
    params(VerificationsQuery),
    responses(
        (status = 200, description = "Les lignes, la fin de délai la plus proche d'abord",
            body = VerificationList),
        (status = 400, description = "Statut inconnu", body = Problem,
            content_type = "application/problem+json")))]
async fn list_verifications(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<VerificationsQuery>,
) -> Result<Json<VerificationList>, ApiProblem> {
    let items = state
        .store()
        .verifications(&account, query.status, state.deadlines(), today(&state)?)
        .await
        .map_err(internal)?;
    Ok(Json(VerificationList { items }))
}

/// `GET /v1/verifications/undeclared` (art. 7-II): the employer's trainings at an organisation
/// that no declaration matched once the organisation's deadline passed, « non déclarée par
/// l'organisme », with the employer's own deadline.
#[utoipa::path(get, path = "/v1/verifications/undeclared", tag = "vérifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Les formations non déclarées par l'organisme, les plus \
            anciennes d'abord", body = UndeclaredList),
        (status = 403, description = "Réservé aux employeurs", body = Problem,
            content_type = "application/problem+json")))]
async fn list_undeclared(
    Auth(account): Auth,
    State(state): State<AppState>,
) -> Result<Json<UndeclaredList>, ApiProblem> {
    employer_only(&account)?;
    let items = state
        .store()
        .undeclared(
            &account,
            (state.deadlines(), state.catalogue()),
            today(&state)?,
        )
        .await
        .map_err(internal)?;
    Ok(Json(UndeclaredList { items }))
}

/// The answer of an action on a line.
fn answer(outcome: Idempotent<DecideOutcome>) -> Result<Response, ApiProblem> {
    match outcome {
        Idempotent::New(DecideOutcome::Done(view)) => {
            Ok(Json::<VerificationView>(*view).into_response())
        }
        Idempotent::New(DecideOutcome::Refused(refusal)) => {
            Err(ApiProblem::conflict(refusal.to_string()))
        }
        Idempotent::New(DecideOutcome::NotFound) => Err(ApiProblem::not_found()),
        Idempotent::Replay { body, .. } => Ok(replay(body)),
        Idempotent::KeyConflict => Err(key_reused()),
    }
}

/// `POST /v1/verifications/{line}/verify`: the employer checked the line.
#[utoipa::path(post, path = "/v1/verifications/{line}/verify", tag = "vérifications",
    security(("bearer" = [])),
    params(("line" = i64, Path, description = "Ligne de déclaration (line_id)"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    responses(
        (status = 200, description = "La ligne vérifiée", body = VerificationView),
        (status = 404, description = "Ligne inconnue ou d'un autre compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Délai dépassé, ou correction demandée", body = Problem,
            content_type = "application/problem+json")))]
async fn verify_line(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(line): ApiPath<i64>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(
        &headers,
        format!("POST /v1/verifications/{line}/verify"),
        &(),
    )?;
    let outcome = state
        .store()
        .decide(
            &account,
            line,
            Action::Verify,
            None,
            state.deadlines(),
            today(&state)?,
            &request,
        )
        .await
        .map_err(internal)?;
    answer(outcome)
}

/// `POST /v1/verifications/{line}/request-correction`: the employer asks the organisation to
/// correct or complete the line, with a message.
#[utoipa::path(post, path = "/v1/verifications/{line}/request-correction", tag = "vérifications",
    security(("bearer" = [])),
    params(("line" = i64, Path, description = "Ligne de déclaration (line_id)"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    request_body = CorrectionRequest,
    responses(
        (status = 200, description = "La demande enregistrée", body = VerificationView),
        (status = 404, description = "Ligne inconnue ou d'un autre compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Délai dépassé, ou demande déjà faite", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Message absent, trop long ou avec un caractère de contrôle",
            body = Problem, content_type = "application/problem+json")))]
async fn request_correction(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(line): ApiPath<i64>,
    ApiJson(body): ApiJson<CorrectionRequest>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(
        &headers,
        format!("POST /v1/verifications/{line}/request-correction"),
        &body,
    )?;
    let message = check_message(&body.message).map_err(|reason| {
        ApiProblem::invalid(vec![FieldError::new("message", "invalid", reason)])
    })?;
    let outcome = state
        .store()
        .decide(
            &account,
            line,
            Action::RequestCorrection,
            Some(&message),
            state.deadlines(),
            today(&state)?,
            &request,
        )
        .await
        .map_err(internal)?;
    answer(outcome)
}
