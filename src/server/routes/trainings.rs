//! An employer's own training records of a worker: `POST /v1/workers/{id}/trainings`,
//! `PATCH` and `DELETE …/trainings/{entry_id}` (with a reason, kept in the history), and the
//! history `GET /v1/workers/{id}/trainings`. The expiry comes from the catalogue (docs/model.md).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::super::AppState;
use super::super::auth::Auth;
use super::super::problem::{ApiJson, ApiPath, ApiProblem};
use super::super::store::{AccountRow, CheckedRecord, Idempotent, RecordOutcome, SavedEntry};
use super::sites::worker_of_sites;
use super::staff::{check_text, employer_only, idempotent_request, key_reused};
use super::{internal, passport_of, today};
use crate::api::contract::{
    NewTrainingRecord, Problem, TrainingRecordAnswer, TrainingRecordPatch, TrainingRecordView,
    TrainingRemoval,
};
use crate::domain::FieldError;
use crate::domain::training::Catalogue;
use crate::domain::worker::WorkerId;

/// Longest removal reason.
const MAX_REASON: usize = 200;

/// Field errors of a training code: required, in the catalogue.
pub(super) fn check_code(catalogue: &Catalogue, code: &str, errors: &mut Vec<FieldError>) {
    let code = code.trim();
    if code.is_empty() {
        errors.push(FieldError::new(
            "training_code",
            "required",
            "le type de formation est obligatoire (un code du catalogue)",
        ));
    } else if catalogue.get(code).is_none() {
        errors.push(FieldError::new(
            "training_code",
            "unknown",
            format!(
                "type de formation « {code} » absent du catalogue (voir « passeport catalogue »)"
            ),
        ));
    }
}

/// Field errors of the dates of a record on `today`.
fn check_dates(
    end: Option<NaiveDate>,
    start: Option<NaiveDate>,
    validity_end: Option<NaiveDate>,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    if end.is_some_and(|end| end > today) {
        errors.push(FieldError::new(
            "end_date",
            "in_future",
            "la date de fin de formation est dans le futur : enregistrez une formation suivie",
        ));
    }
    if let (Some(start), Some(validity_end)) = (start, validity_end)
        && validity_end < start
    {
        errors.push(FieldError::new(
            "validity_end",
            "before_start",
            "la fin de validité précède le début de validité",
        ));
    }
}

/// Checks a new record; its end date when valid.
fn check_new(
    catalogue: &Catalogue,
    new: &NewTrainingRecord,
    today: NaiveDate,
) -> Result<NaiveDate, ApiProblem> {
    let mut errors = Vec::new();
    check_code(catalogue, &new.training_code, &mut errors);
    if new.end_date.is_none() {
        errors.push(FieldError::new(
            "end_date",
            "required",
            "la date de fin de formation est obligatoire",
        ));
    }
    check_dates(
        new.end_date,
        new.validity_start,
        new.validity_end,
        today,
        &mut errors,
    );
    check_text(
        "organisme",
        "l'organisme",
        new.organisme.as_deref(),
        &mut errors,
    );
    check_text(
        "reference",
        "la référence",
        new.reference.as_deref(),
        &mut errors,
    );
    match new.end_date {
        Some(end) if errors.is_empty() => Ok(end),
        _ => Err(ApiProblem::invalid(errors)),
    }
}

/// Checks a patch of a record.
fn check_patch(
    catalogue: &Catalogue,
    patch: &TrainingRecordPatch,
    today: NaiveDate,
) -> Result<(), ApiProblem> {
    let mut errors = Vec::new();
    if let Some(code) = &patch.training_code {
        check_code(catalogue, code, &mut errors);
    }
    check_dates(
        patch.end_date,
        patch.validity_start,
        patch.validity_end,
        today,
        &mut errors,
    );
    check_text(
        "organisme",
        "l'organisme",
        patch.organisme.as_deref(),
        &mut errors,
    );
    check_text(
        "reference",
        "la référence",
        patch.reference.as_deref(),
        &mut errors,
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// The answer of a record write: the entry and the passport as it stands.
async fn answer(
    state: &AppState,
    account: &AccountRow,
    worker: WorkerId,
    entry_id: i64,
    status: StatusCode,
) -> Result<Response, ApiProblem> {
    let passport = passport_of(state, account, worker).await?;
    Ok((status, Json(TrainingRecordAnswer { entry_id, passport })).into_response())
}

/// `POST /v1/workers/{id}/trainings`: a training record of one of the employer's workers.
#[utoipa::path(post, path = "/v1/workers/{id}/trainings", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    request_body = NewTrainingRecord,
    responses(
        (status = 201, description = "Formation enregistrée ; le passeport à jour",
            body = TrainingRecordAnswer),
        (status = 200, description = "Même clé, même corps : la même formation",
            body = TrainingRecordAnswer),
        (status = 403, description = "Réservé aux employeurs", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Inconnu ou hors du personnel de ce compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn create_training(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(worker): ApiPath<WorkerId>,
    ApiJson(new): ApiJson<NewTrainingRecord>,
) -> Result<Response, ApiProblem> {
    employer_only(&account)?;
    worker_of_sites(&state, &account, worker).await?;
    let route = format!("POST /v1/workers/{worker}/trainings");
    let request = idempotent_request(&headers, route, &new)?;
    let today = today(&state)?;
    let end = check_new(state.catalogue(), &new, today)?;
    let outcome = state
        .store()
        .create_training_record(
            &account,
            worker,
            CheckedRecord {
                record: &new,
                end_date: end,
                today,
            },
            state.catalogue(),
            &request,
        )
        .await
        .map_err(internal)?;
    match outcome {
        Idempotent::New(RecordOutcome::Saved(id)) => {
            answer(&state, &account, worker, id, StatusCode::CREATED).await
        }
        Idempotent::New(RecordOutcome::NotFound) => Err(ApiProblem::not_found()),
        Idempotent::Replay { body, .. } => {
            let saved: SavedEntry = serde_json::from_str(&body).map_err(|error| {
                tracing::error!(%error, "réponse mémorisée illisible");
                ApiProblem::internal()
            })?;
            answer(&state, &account, worker, saved.entry_id, StatusCode::OK).await
        }
        Idempotent::KeyConflict => Err(key_reused()),
    }
}

/// `GET /v1/workers/{id}/trainings`: the employer's records of the worker, removed ones
/// included with their reason (the history).
#[utoipa::path(get, path = "/v1/workers/{id}/trainings", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié")),
    responses(
        (status = 200, description = "Les formations enregistrées, supprimées comprises",
            body = Vec<TrainingRecordView>),
        (status = 404, description = "Inconnu ou hors du personnel de ce compte", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn list_trainings(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(worker): ApiPath<WorkerId>,
) -> Result<Json<Vec<TrainingRecordView>>, ApiProblem> {
    worker_of_sites(&state, &account, worker).await?;
    state
        .store()
        .training_records(&account, worker)
        .await
        .map_err(internal)?
        .map(Json)
        .ok_or_else(ApiProblem::not_found)
}

/// `PATCH /v1/workers/{id}/trainings/{entry_id}`: corrects a record of the employer.
#[utoipa::path(patch, path = "/v1/workers/{id}/trainings/{entry_id}", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié"),
        ("entry_id" = i64, Path, description = "Identifiant de la formation enregistrée")),
    request_body = TrainingRecordPatch,
    responses(
        (status = 200, description = "Formation corrigée ; le passeport à jour",
            body = TrainingRecordAnswer),
        (status = 404, description = "Inconnue, supprimée ou enregistrée par un autre compte",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn update_training(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath((worker, entry)): ApiPath<(WorkerId, i64)>,
    ApiJson(patch): ApiJson<TrainingRecordPatch>,
) -> Result<Response, ApiProblem> {
    check_patch(state.catalogue(), &patch, today(&state)?)?;
    worker_of_sites(&state, &account, worker).await?;
    let outcome = state
        .store()
        .update_training_record(&account, worker, entry, &patch, state.catalogue())
        .await
        .map_err(internal)?;
    match outcome {
        RecordOutcome::Saved(id) => answer(&state, &account, worker, id, StatusCode::OK).await,
        RecordOutcome::NotFound => Err(ApiProblem::not_found()),
    }
}

/// `DELETE /v1/workers/{id}/trainings/{entry_id}`: removes a record of the employer, with a
/// reason; it leaves the passport and stays in the history.
#[utoipa::path(delete, path = "/v1/workers/{id}/trainings/{entry_id}", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié"),
        ("entry_id" = i64, Path, description = "Identifiant de la formation enregistrée")),
    request_body = TrainingRemoval,
    responses(
        (status = 200, description = "Formation supprimée ; le passeport à jour",
            body = TrainingRecordAnswer),
        (status = 404, description = "Inconnue, déjà supprimée ou enregistrée par un autre \
            compte", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Motif absent ou trop long", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn remove_training(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath((worker, entry)): ApiPath<(WorkerId, i64)>,
    ApiJson(removal): ApiJson<TrainingRemoval>,
) -> Result<Response, ApiProblem> {
    let reason = removal.reason.trim();
    let mut errors = Vec::new();
    if reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "required",
            "le motif de suppression est obligatoire (il reste dans l'historique)",
        ));
    } else if reason.chars().count() > MAX_REASON {
        errors.push(FieldError::new(
            "reason",
            "too_long",
            format!("le motif : au plus {MAX_REASON} caractères"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiProblem::invalid(errors));
    }
    worker_of_sites(&state, &account, worker).await?;
    let outcome = state
        .store()
        .remove_training_record(
            &account,
            worker,
            entry,
            reason,
            today(&state)?,
            state.catalogue(),
        )
        .await
        .map_err(internal)?;
    match outcome {
        RecordOutcome::Saved(id) => answer(&state, &account, worker, id, StatusCode::OK).await,
        RecordOutcome::NotFound => Err(ApiProblem::not_found()),
    }
}
