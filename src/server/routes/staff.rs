//! The staff routes of an employer: `POST /v1/workers`, `PATCH /v1/workers/{id}`,
//! `POST /v1/workers/{id}/archive` (docs/model.md), and what every write route shares:
//! idempotent replays, the employer-only refusal, field checks in French.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::super::AppState;
use super::super::auth::{Auth, hex};
use super::super::problem::{ApiJson, ApiPath, ApiProblem};
use super::super::store::{AccountRow, Idempotent, IdempotentRequest, StaffOutcome};
use super::{IDEMPOTENCY_KEY, idempotency_key, internal, today};
use crate::api::contract::{NewWorker, Problem, StaffRecord, WorkerPatch, duplicate_detail};
use crate::domain::ids::Nir;
use crate::domain::worker::WorkerId;
use crate::domain::{DeclarantKind, FieldError};

/// Longest name or free text of a worker.
const MAX_TEXT: usize = 100;

/// The idempotent request of a write: its key (required), route and body hash.
pub(super) fn idempotent_request(
    headers: &HeaderMap,
    route: String,
    body: &impl Serialize,
) -> Result<IdempotentRequest, ApiProblem> {
    let key = idempotency_key(headers)?;
    let bytes = serde_json::to_vec(body).map_err(|error| {
        tracing::error!(%error, "corps impossible à sérialiser");
        ApiProblem::internal()
    })?;
    Ok(IdempotentRequest {
        key,
        route,
        body_hash: hex(&Sha256::digest(&bytes)),
    })
}

/// The answer of a replayed request: the first answer's body, status 200.
pub(super) fn replay(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The 409 problem of a key reused with another body or on another route.
pub(super) fn key_reused() -> ApiProblem {
    ApiProblem::conflict(format!(
        "cette clé « {IDEMPOTENCY_KEY} » a déjà servi pour une autre requête : utilisez une \
         nouvelle clé pour une nouvelle opération"
    ))
}

/// 403 for an action of an employer's own records asked by a training organisation.
pub(super) fn employer_only(account: &AccountRow) -> Result<(), ApiProblem> {
    if account.kind == DeclarantKind::Employeur {
        return Ok(());
    }
    Err(ApiProblem::new(
        StatusCode::FORBIDDEN,
        "Action réservée aux employeurs",
        Some(
            "un organisme de formation ne tient pas de registre du personnel : ses stagiaires \
             viennent de ses sessions et de ses déclarations"
                .to_owned(),
        ),
    ))
}

/// Field errors of a required name: present, at most [`MAX_TEXT`] characters.
pub(super) fn check_required(field: &str, label: &str, value: &str, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            format!("{label} est obligatoire"),
        ));
    } else {
        check_text(field, label, Some(value), errors);
    }
}

/// Field errors of an optional free text: at most [`MAX_TEXT`] characters, no control or
/// invisible format character.
pub(super) fn check_text(
    field: &str,
    label: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    let Some(value) = value else {
        return;
    };
    if value.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("{label} : au plus {MAX_TEXT} caractères"),
        ));
    } else if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "invalid",
            format!("{label} : caractère de contrôle (tabulation, retour à la ligne) refusé"),
        ));
    } else if let Some((position, c)) = crate::text::first_invisible(value) {
        errors.push(FieldError::new(
            field,
            "invisible_character",
            crate::text::invisible_refusal(label, position, c),
        ));
    }
}

/// Field errors of the dates of a worker on `today`.
fn check_dates(
    birth: Option<NaiveDate>,
    entry: Option<NaiveDate>,
    leaving: Option<NaiveDate>,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    if birth.is_some_and(|birth| birth > today) {
        errors.push(FieldError::new(
            "birth_date",
            "in_future",
            "la date de naissance est dans le futur",
        ));
    }
    if let (Some(entry), Some(leaving)) = (entry, leaving)
        && leaving < entry
    {
        errors.push(FieldError::new(
            "leaving_date",
            "before_entry",
            format!(
                "la date de sortie ({}) précède la date d'entrée ({})",
                leaving.format("%d/%m/%Y"),
                entry.format("%d/%m/%Y")
            ),
        ));
    }
}

/// Every field error of the employment texts.
fn check_employment(fields: [(&str, &str, Option<&str>); 5], errors: &mut Vec<FieldError>) {
    for (field, label, value) in fields {
        check_text(field, label, value, errors);
    }
}

/// Checks a new worker: the NIR (15 characters with its key, or 13), the names, the texts and
/// the dates; every error at once.
fn check_new_worker(new: &NewWorker, today: NaiveDate) -> Result<Nir, ApiProblem> {
    let mut errors = Vec::new();
    let nir = match Nir::from_str(&new.nir) {
        Ok(nir) => Some(nir),
        Err(error) => {
            errors.push(error.to_field_error("nir"));
            None
        }
    };
    check_required(
        "last_name",
        "le nom de naissance",
        &new.last_name,
        &mut errors,
    );
    check_required("first_names", "le prénom", &new.first_names, &mut errors);
    check_employment(
        [
            ("usage_name", "le nom d'usage", new.usage_name.as_deref()),
            ("site", "le site", new.site.as_deref()),
            ("service", "le service", new.service.as_deref()),
            ("job", "le poste", new.job.as_deref()),
            ("manager", "le responsable", new.manager.as_deref()),
        ],
        &mut errors,
    );
    check_text(
        "employee_number",
        "le matricule",
        new.employee_number.as_deref(),
        &mut errors,
    );
    check_dates(
        new.birth_date,
        new.entry_date,
        new.leaving_date,
        today,
        &mut errors,
    );
    match nir {
        Some(nir) if errors.is_empty() => Ok(nir),
        _ => Err(ApiProblem::invalid(errors)),
    }
}

/// Checks a patch: names it changes stay present, texts and dates as for a new worker (the
/// dates compared with those it keeps).
fn check_patch(
    patch: &WorkerPatch,
    current: &StaffRecord,
    today: NaiveDate,
) -> Result<(), ApiProblem> {
    let mut errors = Vec::new();
    if let Some(name) = &patch.last_name {
        check_required("last_name", "le nom de naissance", name, &mut errors);
    }
    if let Some(names) = &patch.first_names {
        check_required("first_names", "le prénom", names, &mut errors);
    }
    check_employment(
        [
            ("usage_name", "le nom d'usage", patch.usage_name.as_deref()),
            ("site", "le site", patch.site.as_deref()),
            ("service", "le service", patch.service.as_deref()),
            ("job", "le poste", patch.job.as_deref()),
            ("manager", "le responsable", patch.manager.as_deref()),
        ],
        &mut errors,
    );
    check_text(
        "employee_number",
        "le matricule",
        patch.employee_number.as_deref(),
        &mut errors,
    );
    check_dates(
        patch.birth_date,
        patch.entry_date.or(current.entry_date),
        patch.leaving_date.or(current.leaving_date),
        today,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// The 409 problem naming the worker who already holds the NIR or the matricule.
fn duplicate(field: &str, worker: WorkerId, name: &str) -> ApiProblem {
    let message = duplicate_detail(field == "nir", worker, name);
    let mut problem = ApiProblem::conflict(message.clone());
    problem.errors = vec![FieldError::new(field, "duplicate", message)];
    problem
}

/// The answer of a staff write.
fn staff_answer(outcome: StaffOutcome, status: StatusCode) -> Result<Response, ApiProblem> {
    match outcome {
        StaffOutcome::Saved(record) => {
            let location = format!("/v1/workers/{}", record.worker.id);
            let mut response = (status, Json(*record)).into_response();
            if status == StatusCode::CREATED
                && let Ok(value) = HeaderValue::from_str(&location)
            {
                response.headers_mut().insert(LOCATION, value);
            }
            Ok(response)
        }
        StaffOutcome::Duplicate {
            field,
            worker,
            name,
        } => Err(duplicate(field, worker, &name)),
        StaffOutcome::NotFound => Err(ApiProblem::not_found()),
    }
}

/// The answer of an idempotent staff write.
fn idempotent_answer(
    outcome: Idempotent<StaffOutcome>,
    status: StatusCode,
) -> Result<Response, ApiProblem> {
    match outcome {
        Idempotent::New(outcome) => staff_answer(outcome, status),
        Idempotent::Replay { body, .. } => Ok(replay(body)),
        Idempotent::KeyConflict => Err(key_reused()),
    }
}

/// `POST /v1/workers`: a new worker of the employer, idempotently.
#[utoipa::path(post, path = "/v1/workers", tag = "salariés", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header,
        description = "Clé unique de la requête ; la même clé et le même corps renvoient la \
                       première réponse")),
    request_body = NewWorker,
    responses(
        (status = 201, description = "Salarié créé", body = StaffRecord),
        (status = 200, description = "Même clé, même corps : la première réponse",
            body = StaffRecord),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 403, description = "Réservé aux employeurs", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "NIR ou matricule déjà dans le compte (le salarié est \
            nommé), ou clé déjà utilisée avec un autre corps", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn create_worker(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewWorker>,
) -> Result<Response, ApiProblem> {
    employer_only(&account)?;
    let request = idempotent_request(&headers, "POST /v1/workers".to_owned(), &new)?;
    let nir = check_new_worker(&new, today(&state)?)?;
    within_sites(&account, new.site.as_deref())?;
    let outcome = state
        .store()
        .create_worker(&account, &nir, &new, &request)
        .await
        .map_err(internal)?;
    idempotent_answer(outcome, StatusCode::CREATED)
}

/// A 422 on `site` when a user limited to sites names another one (issue 17 §2).
fn within_sites(account: &AccountRow, site: Option<&str>) -> Result<(), ApiProblem> {
    let sites = account.user.as_ref().and_then(|user| user.sites.as_ref());
    match (sites, site.map(str::trim)) {
        (Some(sites), site) if !sites.iter().any(|s| Some(s.as_str()) == site) => {
            Err(ApiProblem::invalid(vec![FieldError::new(
                "site",
                "outside_sites",
                format!(
                    "vous êtes limité aux sites {} : choisissez l'un d'eux",
                    sites.join(", ")
                ),
            )]))
        }
        _ => Ok(()),
    }
}

/// `PATCH /v1/workers/{id}`: changes one of the employer's workers.
#[utoipa::path(patch, path = "/v1/workers/{id}", tag = "salariés", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié")),
    request_body = WorkerPatch,
    responses(
        (status = 200, description = "Le salarié modifié", body = StaffRecord),
        (status = 404, description = "Inconnu ou hors du personnel de ce compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Matricule déjà celui d'un autre salarié (nommé)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn update_worker(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WorkerId>,
    ApiJson(patch): ApiJson<WorkerPatch>,
) -> Result<Response, ApiProblem> {
    let store = state.store();
    let current = store
        .staff_record(&account, id)
        .await
        .map_err(internal)?
        .filter(|_| account.kind == DeclarantKind::Employeur)
        .ok_or_else(ApiProblem::not_found)?;
    check_patch(&patch, &current, today(&state)?)?;
    if patch.site.is_some() {
        within_sites(&account, patch.site.as_deref())?;
    }
    let outcome = store
        .update_worker(&account, id, &patch)
        .await
        .map_err(internal)?;
    staff_answer(outcome, StatusCode::OK)
}

/// `POST /v1/workers/{id}/archive`: a leaver, kept with its history and hidden from lists
/// (`GET /v1/workers?archived=true` shows it); its leaving date is today unless it had one.
#[utoipa::path(post, path = "/v1/workers/{id}/archive", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    responses(
        (status = 200, description = "Le salarié archivé", body = StaffRecord),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Inconnu ou hors du personnel de ce compte", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn archive_worker(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<WorkerId>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(&headers, format!("POST /v1/workers/{id}/archive"), &())?;
    let outcome = state
        .store()
        .archive_worker(&account, id, today(&state)?, &request)
        .await
        .map_err(internal)?;
    idempotent_answer(outcome, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_new_worker_reports_every_field_error_in_french() {
        let new = NewWorker {
            nir: "1850375123".to_owned(),
            last_name: "  ".to_owned(),
            first_names: "Zoé".to_owned(),
            birth_date: Some(day(2030, 1, 1)),
            entry_date: Some(day(2024, 5, 1)),
            leaving_date: Some(day(2024, 4, 1)),
            job: Some("x".repeat(101)),
            ..NewWorker::default()
        };
        let problem = check_new_worker(&new, day(2026, 11, 26)).unwrap_err();
        let fields: Vec<(&str, &str)> = problem
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("nir", "invalid_length"),
                ("last_name", "required"),
                ("job", "too_long"),
                ("birth_date", "in_future"),
                ("leaving_date", "before_entry"),
            ]
        );
        assert!(problem.errors[1].message.contains("nom de naissance"));
    }

    #[test]
    fn a_fifteen_character_nir_is_kept_as_its_thirteen() {
        let new = NewWorker {
            nir: "1 85 03 75 123 456 41".to_owned(),
            last_name: "DUPONT".to_owned(),
            first_names: "Marie".to_owned(),
            ..NewWorker::default()
        };
        match check_new_worker(&new, day(2026, 11, 26)) {
            Ok(nir) => assert_eq!(nir.as_str(), "1850375123456"),
            Err(problem) => panic!("{:?}", problem.errors),
        }
    }
}
