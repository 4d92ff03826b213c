//! The export memory routes (issue 12 item 5): `POST /v1/exports` makes a batch of the lines not
//! sent yet (every live line with `all`), `GET /v1/exports[/{id}[/file]]` reads them back, and
//! `POST /v1/exports/{id}/answer` records the portal's answer once, which reopens refused lines.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sites::every_site;
use super::{CSV, idempotency_key, internal, page};
use crate::api::contract::{
    CreatedExport, ExportAnswer, ExportBatch, ExportBatchId, ExportBatchSummary, ExportFormat,
    ExportsQuery, IDEMPOTENCY_KEY, NewExport, Page, PortalAnswer, Problem,
};
use crate::bulk::{self, Layout};
use crate::domain::{DeclarationKind, FieldError};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::cursor::{decode_id, encode_id, page_limit};
use crate::server::problem::{ApiJson, ApiPath, ApiProblem, ApiQuery};
use crate::server::store::{AnswerRefusal, BatchOutcome, NewBatch};

/// The export routes, merged into the API router.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_export, list_exports))
        .routes(routes!(get_export))
        .routes(routes!(get_export_file))
        .routes(routes!(answer_export))
}

/// The bulk layout of an export kind.
fn layout(kind: ExportFormat) -> Layout {
    Layout::for_kind(match kind {
        ExportFormat::Adf => DeclarationKind::Attestation,
        ExportFormat::Jdr => DeclarationKind::Justificatif,
    })
}

/// A new (201, with `Location`) or replayed (200) batch.
fn created(status: StatusCode, batch: ExportBatch, file: String) -> Response {
    let location = format!("/v1/exports/{}", batch.summary.id);
    let mut response = (status, Json(CreatedExport { batch, file })).into_response();
    if status == StatusCode::CREATED
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// `POST /v1/exports`: a batch of the lines not sent yet (or every live line with `all`).
#[utoipa::path(post, path = "/v1/exports", tag = "exports", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header,
        description = "Clé unique de l'export ; la même clé et le même corps renvoient le même lot")),
    request_body = NewExport,
    responses(
        (status = 201, description = "Lot créé, avec son fichier", body = CreatedExport),
        (status = 200, description = "Même clé, même corps : le lot déjà créé", body = CreatedExport),
        (status = 204, description = "Aucune ligne à envoyer : rien n'est créé"),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Clé déjà utilisée pour un autre export", body = Problem,
            content_type = "application/problem+json")))]
async fn create_export(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<NewExport>,
) -> Result<Response, ApiProblem> {
    every_site(&account, "Un export")?;
    let new = NewBatch {
        idempotency_key: idempotency_key(&headers)?,
        kind: request.kind,
        all: request.all,
        created_at: Utc::now(),
    };
    let outcome = state
        .store()
        .create_export(&account, &new, |declarations| {
            bulk::write(layout(request.kind), declarations)
        })
        .await
        .map_err(internal)?
        .map_err(|error| {
            tracing::error!(%error, "export impossible");
            ApiProblem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Export impossible",
                Some(format!(
                    "une déclaration enregistrée ne peut pas être écrite : {error}"
                )),
            )
        })?;
    match outcome {
        BatchOutcome::Created(batch, file) => Ok(created(StatusCode::CREATED, *batch, file)),
        BatchOutcome::Replayed(batch, file) => Ok(created(StatusCode::OK, *batch, file)),
        BatchOutcome::Nothing => Ok(StatusCode::NO_CONTENT.into_response()),
        BatchOutcome::KeyConflict => Err(ApiProblem::conflict(format!(
            "cette clé « {IDEMPOTENCY_KEY} » a déjà servi pour un autre export : utilisez une \
             nouvelle clé pour un nouvel export"
        ))),
    }
}

/// `GET /v1/exports`: the account's batches, newest first.
#[utoipa::path(get, path = "/v1/exports", tag = "exports", security(("bearer" = [])),
    params(ExportsQuery),
    responses(
        (status = 200, description = "Une page de lots", body = Page<ExportBatchSummary>),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json")))]
async fn list_exports(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportsQuery>,
) -> Result<Json<Page<ExportBatchSummary>>, ApiProblem> {
    let limit = page_limit(query.limit)?;
    let before = decode_id(query.cursor.as_deref())?;
    let rows = state
        .store()
        .export_batches(&account, before, limit)
        .await
        .map_err(internal)?;
    Ok(Json(page(rows, limit, |b| encode_id(b.id))))
}

/// `GET /v1/exports/{id}`: one batch with its lines.
#[utoipa::path(get, path = "/v1/exports/{id}", tag = "exports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Numéro du lot")),
    responses(
        (status = 200, description = "Le lot et ses lignes", body = ExportBatch),
        (status = 404, description = "Inconnu ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_export(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ExportBatchId>,
) -> Result<Json<ExportBatch>, ApiProblem> {
    every_site(&account, "Un lot d'export")?;
    let batch = state
        .store()
        .export_batch(&account, id)
        .await
        .map_err(internal)?;
    batch.map(Json).ok_or_else(ApiProblem::not_found)
}

/// `GET /v1/exports/{id}/file`: the batch's file, byte for byte as first handed out.
#[utoipa::path(get, path = "/v1/exports/{id}/file", tag = "exports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Numéro du lot")),
    responses(
        (status = 200, description = "Le fichier officiel (séparateur |, UTF-8, CRLF)",
            body = String, content_type = "text/csv; charset=utf-8"),
        (status = 404, description = "Inconnu ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_export_file(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ExportBatchId>,
) -> Result<Response, ApiProblem> {
    every_site(&account, "Un fichier d'export")?;
    let (name, file) = state
        .store()
        .export_file(&account, id)
        .await
        .map_err(internal)?
        .ok_or_else(ApiProblem::not_found)?;
    let mut response = file.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CSV));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The field errors of an answer's `titulaires` before it reaches the store.
fn answer_errors(answer: &ExportAnswer) -> Vec<FieldError> {
    match (answer.answer, answer.titulaires.is_empty()) {
        (PortalAnswer::RefusedTitulaires, true) => vec![FieldError::new(
            "titulaires",
            "required",
            "nommez au moins un titulaire refusé (ID_UNIQUE_PARTENAIRE ou NOM_TITULAIRE)",
        )],
        (PortalAnswer::Accepted | PortalAnswer::Refused, false) => vec![FieldError::new(
            "titulaires",
            "unexpected",
            "des titulaires ne se nomment qu'avec la réponse « refused_titulaires »",
        )],
        _ => Vec::new(),
    }
}

/// `POST /v1/exports/{id}/answer`: records the portal's answer, once.
#[utoipa::path(post, path = "/v1/exports/{id}/answer", tag = "exports",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Numéro du lot")),
    request_body = ExportAnswer,
    responses(
        (status = 200, description = "La réponse enregistrée : le lot et ses lignes",
            body = ExportBatch),
        (status = 404, description = "Inconnu ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Ce lot a déjà une réponse", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Titulaires absents, inconnus ou ambigus", body = Problem,
            content_type = "application/problem+json")))]
async fn answer_export(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ExportBatchId>,
    ApiJson(answer): ApiJson<ExportAnswer>,
) -> Result<Json<ExportBatch>, ApiProblem> {
    every_site(&account, "La réponse du portail à un lot")?;
    let errors = answer_errors(&answer);
    if !errors.is_empty() {
        return Err(ApiProblem::invalid(errors));
    }
    let outcome = state
        .store()
        .answer_export(&account, id, answer.answer, &answer.titulaires, Utc::now())
        .await
        .map_err(internal)?;
    let named = |positions: Vec<usize>, code: &str, message: &str| {
        let errors = positions
            .into_iter()
            .map(|at| {
                FieldError::new(
                    format!("titulaires[{at}]"),
                    code,
                    format!("« {} » : {message}", answer.titulaires[at].trim()),
                )
            })
            .collect();
        ApiProblem::invalid(errors)
    };
    match outcome {
        Ok(batch) => Ok(Json(batch)),
        Err(AnswerRefusal::NotFound) => Err(ApiProblem::not_found()),
        Err(AnswerRefusal::AlreadyAnswered(known, at)) => {
            let when = at.map_or_else(String::new, |at| {
                format!(" le {}", at.format("%d/%m/%Y à %H:%M UTC"))
            });
            Err(ApiProblem::conflict(format!(
                "le lot {id} a déjà une réponse (« {} »{when}) : une seule réponse par lot",
                known.label()
            )))
        }
        Err(AnswerRefusal::Unknown(positions)) => Err(named(
            positions,
            "unknown",
            "aucune ligne de ce lot n'a ce titulaire (ID_UNIQUE_PARTENAIRE ou NOM_TITULAIRE)",
        )),
        Err(AnswerRefusal::Ambiguous(positions)) => Err(named(
            positions,
            "ambiguous",
            "plusieurs lignes de ce lot portent ce nom : donnez leur ID_UNIQUE_PARTENAIRE",
        )),
    }
}
