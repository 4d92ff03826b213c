//! `GET/PUT /v1/requirements` (issue 19 §1): the trainings each poste requires, read by any
//! role and replaced whole by the `administration` role (the rights guard checks it from the
//! method), audited; and `GET /v1/matrix` (§2), what the compliance matrix is built from, in one
//! answer. Both read only the caller's account: another account's requirements and workers are
//! never in them.
//!
//! Why one `GET /v1/matrix` rather than the existing answers: the workers list carries neither
//! poste nor service, and the expirations list omits trainings without expiry, so building the
//! grid from them takes one staff and one passport request per worker — 20,000 requests for
//! 10,000 workers, where this route makes two queries.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{internal, today};
use crate::api::contract::{MatrixData, Problem, RequirementList};
use crate::domain::FieldError;
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::problem::{ApiJson, ApiProblem};

/// The requirement and matrix routes, merged into the API router.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_requirements, put_requirements))
        .routes(routes!(get_matrix))
}

/// `GET /v1/requirements`: the account's requirements, in the order they were set.
#[utoipa::path(get, path = "/v1/requirements", tag = "exigences", security(("bearer" = [])),
    responses((status = 200, description = "Les exigences du compte", body = RequirementList)))]
async fn get_requirements(
    Auth(account): Auth,
    State(state): State<AppState>,
) -> Result<Json<RequirementList>, ApiProblem> {
    let items = state
        .store()
        .requirements(&account)
        .await
        .map_err(internal)?;
    Ok(Json(RequirementList { items }))
}

/// `PUT /v1/requirements`: replaces the account's requirements with the list sent (trimmed,
/// repeated lines once); 422 naming each line that is wrong.
#[utoipa::path(put, path = "/v1/requirements", tag = "exigences", security(("bearer" = [])),
    request_body = RequirementList,
    responses(
        (status = 200, description = "Les exigences enregistrées", body = RequirementList),
        (status = 403, description = "Réservé au rôle « administration »", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Poste vide, formation inconnue ou validité trop longue",
            body = Problem, content_type = "application/problem+json")))]
async fn put_requirements(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiJson(list): ApiJson<RequirementList>,
) -> Result<Json<RequirementList>, ApiProblem> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for (index, requirement) in list.items.into_iter().enumerate() {
        let requirement = requirement.normalised();
        if let Some(problem) = requirement.problem(state.catalogue()) {
            errors.push(FieldError::new(
                format!("items[{index}]"),
                "invalid_requirement",
                format!("ligne {} : {problem}", index + 1),
            ));
        } else if seen.insert(requirement.clone()) {
            items.push(requirement);
        }
    }
    if !errors.is_empty() {
        return Err(ApiProblem::invalid(errors));
    }
    state
        .store()
        .replace_requirements(&account, &items)
        .await
        .map_err(internal)?;
    Ok(Json(RequirementList { items }))
}

/// `GET /v1/matrix`: the server's today, the account's requirements, and its workers (leavers
/// left out) by name with their employment and current trainings.
#[utoipa::path(get, path = "/v1/matrix", tag = "exigences", security(("bearer" = [])),
    responses((status = 200, description = "De quoi construire la matrice de conformité",
        body = MatrixData)))]
async fn get_matrix(
    Auth(account): Auth,
    State(state): State<AppState>,
) -> Result<Json<MatrixData>, ApiProblem> {
    let store = state.store();
    let requirements = store.requirements(&account).await.map_err(internal)?;
    let workers = store.matrix_workers(&account).await.map_err(internal)?;
    Ok(Json(MatrixData {
        today: today(&state)?,
        requirements,
        workers,
    }))
}
