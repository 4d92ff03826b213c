//! `GET /v1/catalogue/unmapped`: the declared titles of no catalogue type among the entries the
//! account sees (`passeport catalogue unmapped`), so a user can add an alias.

use axum::Json;
use axum::extract::State;

use super::super::AppState;
use super::super::auth::Auth;
use super::super::problem::ApiProblem;
use super::internal;
use crate::api::contract::{Problem, UnmappedTitles};

/// `GET /v1/catalogue/unmapped`: each title of the account's « type non reconnu » entries, with
/// its number of entries and its last declaration.
#[utoipa::path(get, path = "/v1/catalogue/unmapped", tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Les intitulés déclarés sans type du catalogue, les plus \
            fréquents d'abord", body = UnmappedTitles),
        (status = 401, description = "Jeton absent ou inconnu", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn unmapped_titles(
    Auth(account): Auth,
    State(state): State<AppState>,
) -> Result<Json<UnmappedTitles>, ApiProblem> {
    let items = state
        .store()
        .unmapped_titles(&account)
        .await
        .map_err(internal)?;
    Ok(Json(UnmappedTitles { items }))
}
