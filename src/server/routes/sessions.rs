//! The write side of an account's training sessions (issue 13 §1, docs/model.md "Sessions"):
//! `POST /v1/sessions`, `PATCH /v1/sessions/{id}`, the trainees `POST …/trainees`,
//! `PUT`/`DELETE …/trainees/{worker_id}` (outcome, removal) and `POST …/close`, which writes the
//! passport entries once. Every answer is the session as it stands.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sites::{every_site, worker_of_sites};
use super::staff::{check_required, check_text, idempotent_request, key_reused};
use super::trainings::check_code;
use super::{internal, session_detail, today};
use crate::api::contract::{
    NewSession, NewTrainee, Problem, SessionDetail, SessionPatch, TraineeOutcomeUpdate,
};
use crate::domain::ids::{Nir, Siret};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::worker::WorkerId;
use crate::domain::{DeclarantKind, FieldError};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::problem::{ApiJson, ApiPath, ApiProblem};
use crate::server::store::{
    AccountRow, CheckedSession, Idempotent, SavedSession, SessionOutcome, SessionRow, TraineeRef,
};

/// The session routes beside `GET`/`POST /v1/sessions` and `GET`/`PATCH /v1/sessions/{id}`,
/// merged into the API router.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enrol_trainee))
        .routes(routes!(set_outcome, remove_trainee))
        .routes(routes!(close_session))
}

/// A date as French users read it.
fn french(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Field errors of the dates of a session: both present, the end not before the start.
fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>, errors: &mut Vec<FieldError>) {
    if start.is_none() {
        errors.push(FieldError::new(
            "start_date",
            "required",
            "la date de début de la session est obligatoire",
        ));
    }
    if end.is_none() {
        errors.push(FieldError::new(
            "end_date",
            "required",
            "la date de fin de la session est obligatoire",
        ));
    }
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.push(FieldError::new(
            "end_date",
            "before_start",
            format!(
                "la date de fin ({}) précède la date de début ({})",
                french(end),
                french(start)
            ),
        ));
    }
}

/// Checks a new session, every error at once; the organisme is the account's name when absent.
fn check_new(
    catalogue: &Catalogue,
    account: &AccountRow,
    new: &NewSession,
) -> Result<CheckedSession, ApiProblem> {
    let mut errors = Vec::new();
    check_code(catalogue, &new.training_code, &mut errors);
    check_required("title", "le titre", &new.title, &mut errors);
    check_dates(new.start_date, new.end_date, &mut errors);
    check_required("place", "le lieu", &new.place, &mut errors);
    check_text(
        "organisme",
        "l'organisme",
        new.organisme.as_deref(),
        &mut errors,
    );
    let organisme = new
        .organisme
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or(&account.name);
    match (new.start_date, new.end_date) {
        (Some(start_date), Some(end_date)) if errors.is_empty() => Ok(CheckedSession {
            training_code: new.training_code.trim().to_owned(),
            title: new.title.trim().to_owned(),
            organisme: organisme.to_owned(),
            place: new.place.trim().to_owned(),
            start_date,
            end_date,
        }),
        _ => Err(ApiProblem::invalid(errors)),
    }
}

/// Checks a patch: the texts it changes stay present, the dates in order with those it keeps.
fn check_patch(
    catalogue: &Catalogue,
    patch: &SessionPatch,
    current: &SessionRow,
) -> Result<(), ApiProblem> {
    let mut errors = Vec::new();
    if let Some(code) = &patch.training_code {
        check_code(catalogue, code, &mut errors);
    }
    for (field, label, value) in [
        ("title", "le titre", &patch.title),
        ("place", "le lieu", &patch.place),
        ("organisme", "l'organisme", &patch.organisme),
    ] {
        if let Some(value) = value {
            check_required(field, label, value, &mut errors);
        }
    }
    check_dates(
        Some(patch.start_date.unwrap_or(current.start_date)),
        Some(patch.end_date.unwrap_or(current.end_date)),
        &mut errors,
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// A trainee reference checked by the route.
enum CheckedTrainee {
    /// By worker id.
    Worker(WorkerId),
    /// By identity (a training organisation).
    Identity {
        nir: Nir,
        last_name: String,
        first_names: String,
        birth_date: Option<NaiveDate>,
        employer_siret: Siret,
    },
}

impl CheckedTrainee {
    /// The store's view of it.
    fn as_ref(&self) -> TraineeRef<'_> {
        match self {
            Self::Worker(id) => TraineeRef::Worker(*id),
            Self::Identity {
                nir,
                last_name,
                first_names,
                birth_date,
                employer_siret,
            } => TraineeRef::Identity {
                nir,
                last_name,
                first_names,
                birth_date: *birth_date,
                employer_siret,
            },
        }
    }
}

/// Checks a trainee: a `worker_id`, or (a training organisation only) an identity with its
/// NIR, names and the employer's SIRET; every error at once.
fn check_trainee(
    account: &AccountRow,
    new: &NewTrainee,
    today: NaiveDate,
) -> Result<CheckedTrainee, ApiProblem> {
    let identity_given = new.nir.is_some()
        || new.last_name.is_some()
        || new.first_names.is_some()
        || new.birth_date.is_some()
        || new.employer_siret.is_some();
    let refuse = |code: &str, message: &str| {
        Err(ApiProblem::invalid(vec![FieldError::new(
            "worker_id",
            code,
            message,
        )]))
    };
    match new.worker_id {
        Some(_) if identity_given => {
            return refuse(
                "invalid",
                "donnez soit worker_id, soit l'identité du stagiaire (nir, last_name, \
                 first_names, employer_siret), pas les deux",
            );
        }
        Some(id) => return Ok(CheckedTrainee::Worker(id)),
        None if account.kind == DeclarantKind::Employeur => {
            return refuse(
                "required",
                "worker_id est obligatoire : un employeur inscrit ses salariés (créez d'abord \
                 le salarié)",
            );
        }
        None => {}
    }
    let mut errors = Vec::new();
    let nir = match Nir::from_str(new.nir.as_deref().unwrap_or_default()) {
        Ok(nir) => Some(nir),
        Err(error) => {
            errors.push(error.to_field_error("nir"));
            None
        }
    };
    let last_name = new.last_name.clone().unwrap_or_default();
    let first_names = new.first_names.clone().unwrap_or_default();
    check_required("last_name", "le nom de naissance", &last_name, &mut errors);
    check_required("first_names", "le prénom", &first_names, &mut errors);
    if new.birth_date.is_some_and(|birth| birth > today) {
        errors.push(FieldError::new(
            "birth_date",
            "in_future",
            "la date de naissance est dans le futur",
        ));
    }
    let siret = match new.employer_siret.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::new(
                "employer_siret",
                "required",
                "le SIRET de l'employeur du stagiaire est obligatoire (SIRET_EMPLOYEUR)",
            ));
            None
        }
        Some(text) => match Siret::from_str(text) {
            Ok(siret) => Some(siret),
            Err(error) => {
                errors.push(error.to_field_error("employer_siret"));
                None
            }
        },
    };
    match (nir, siret) {
        (Some(nir), Some(employer_siret)) if errors.is_empty() => Ok(CheckedTrainee::Identity {
            nir,
            last_name,
            first_names,
            birth_date: new.birth_date,
            employer_siret,
        }),
        _ => Err(ApiProblem::invalid(errors)),
    }
}

/// The session as it stands, with `status`.
async fn answer(
    state: &AppState,
    account: &AccountRow,
    id: SessionId,
    status: StatusCode,
) -> Result<Response, ApiProblem> {
    let detail = session_detail(state, account, id).await?;
    let mut response = (status, Json(detail)).into_response();
    if status == StatusCode::CREATED
        && let Ok(value) = HeaderValue::from_str(&format!("/v1/sessions/{id}"))
    {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// The answer of a session write: the session, or the problem of its outcome.
async fn outcome_answer(
    state: &AppState,
    account: &AccountRow,
    outcome: SessionOutcome,
    status: StatusCode,
) -> Result<Response, ApiProblem> {
    match outcome {
        SessionOutcome::Saved(id) => answer(state, account, id, status).await,
        SessionOutcome::NotFound => Err(ApiProblem::not_found()),
        SessionOutcome::Closed(day) => Err(ApiProblem::conflict(format!(
            "la session est clôturée depuis le {} : ses stagiaires, leurs résultats, son type \
             et ses dates ne changent plus (le titre, le lieu et l'organisme restent \
             modifiables)",
            french(day)
        ))),
        SessionOutcome::UnknownWorker => Err(ApiProblem::invalid(vec![FieldError::new(
            "worker_id",
            "unknown",
            "stagiaire inconnu de ce compte : un salarié de son personnel, ou un stagiaire de \
             ses sessions",
        )])),
        SessionOutcome::NotEnded(end) => Err(ApiProblem::conflict(format!(
            "la session n'est pas terminée (fin le {}) : clôturez-la à partir de son dernier jour",
            french(end)
        ))),
        SessionOutcome::Pending(count) => Err(ApiProblem::conflict(format!(
            "{} sans résultat : indiquez pour chacun réussite (passed), échec (failed), \
             présence (attended) ou absence (absent) avant de clôturer",
            crate::text::count(u64::from(count), "stagiaire", "stagiaires")
        ))),
    }
}

/// The answer of an idempotent session write: a replay re-reads the session.
async fn idempotent_answer(
    state: &AppState,
    account: &AccountRow,
    outcome: Idempotent<SessionOutcome>,
    status: StatusCode,
) -> Result<Response, ApiProblem> {
    match outcome {
        Idempotent::New(outcome) => outcome_answer(state, account, outcome, status).await,
        Idempotent::Replay { body, .. } => {
            let saved: SavedSession = serde_json::from_str(&body).map_err(|error| {
                tracing::error!(%error, "réponse mémorisée illisible");
                ApiProblem::internal()
            })?;
            answer(state, account, saved.session_id, StatusCode::OK).await
        }
        Idempotent::KeyConflict => Err(key_reused()),
    }
}

/// `POST /v1/sessions`: a new session of the account (an employer's internal training, a
/// training organisation's own), idempotently.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header,
        description = "Clé unique de la requête ; la même clé et le même corps renvoient la \
                       première réponse")),
    request_body = NewSession,
    responses(
        (status = 201, description = "Session créée", body = SessionDetail),
        (status = 200, description = "Même clé, même corps : la même session",
            body = SessionDetail),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Clé déjà utilisée avec un autre corps", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn create_session(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewSession>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(&headers, "POST /v1/sessions".to_owned(), &new)?;
    let checked = check_new(state.catalogue(), &account, &new)?;
    let outcome = state
        .store()
        .create_session(&account, &checked, &request)
        .await
        .map_err(internal)?;
    let outcome = match outcome {
        Idempotent::New(id) => Idempotent::New(SessionOutcome::Saved(id)),
        Idempotent::Replay { status, body } => Idempotent::Replay { status, body },
        Idempotent::KeyConflict => Idempotent::KeyConflict,
    };
    idempotent_answer(&state, &account, outcome, StatusCode::CREATED).await
}

/// `PATCH /v1/sessions/{id}`: changes one of the account's sessions; once closed, only its
/// title, place and organisme.
#[utoipa::path(patch, path = "/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session")),
    request_body = SessionPatch,
    responses(
        (status = 200, description = "La session modifiée", body = SessionDetail),
        (status = 404, description = "Inconnue ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Session clôturée : type et dates ne changent plus",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
pub(super) async fn update_session(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<SessionId>,
    ApiJson(patch): ApiJson<SessionPatch>,
) -> Result<Response, ApiProblem> {
    let store = state.store();
    let current = store
        .session_row(&account, id)
        .await
        .map_err(internal)?
        .ok_or_else(ApiProblem::not_found)?;
    check_patch(state.catalogue(), &patch, &current)?;
    let outcome = store
        .update_session(&account, id, &patch)
        .await
        .map_err(internal)?;
    outcome_answer(&state, &account, outcome, StatusCode::OK).await
}

/// `POST /v1/sessions/{id}/trainees`: enrols a trainee (outcome `pending`), idempotently.
#[utoipa::path(post, path = "/v1/sessions/{id}/trainees", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    request_body = NewTrainee,
    responses(
        (status = 201, description = "Stagiaire inscrit ; la session à jour", body = SessionDetail),
        (status = 200, description = "Même clé, même corps : la session", body = SessionDetail),
        (status = 404, description = "Session inconnue ou non visible pour ce compte",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Session clôturée, ou clé déjà utilisée", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Stagiaire inconnu ou identité invalide, champ par champ",
            body = Problem, content_type = "application/problem+json")))]
async fn enrol_trainee(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<SessionId>,
    ApiJson(new): ApiJson<NewTrainee>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(&headers, format!("POST /v1/sessions/{id}/trainees"), &new)?;
    let checked = check_trainee(&account, &new, today(&state)?)?;
    let outcome = state
        .store()
        .enrol_trainee(&account, id, checked.as_ref(), &request)
        .await
        .map_err(internal)?;
    idempotent_answer(&state, &account, outcome, StatusCode::CREATED).await
}

/// `PUT /v1/sessions/{id}/trainees/{worker_id}`: the outcome of a trainee.
#[utoipa::path(put, path = "/v1/sessions/{id}/trainees/{worker_id}", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session"),
        ("worker_id" = i64, Path, description = "Identifiant du stagiaire")),
    request_body = TraineeOutcomeUpdate,
    responses(
        (status = 200, description = "Résultat enregistré ; la session à jour",
            body = SessionDetail),
        (status = 404, description = "Session ou stagiaire inconnu pour ce compte",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Session clôturée", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Résultat invalide", body = Problem,
            content_type = "application/problem+json")))]
async fn set_outcome(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath((id, worker)): ApiPath<(SessionId, WorkerId)>,
    ApiJson(update): ApiJson<TraineeOutcomeUpdate>,
) -> Result<Response, ApiProblem> {
    if update.outcome == TraineeOutcome::Pending {
        return Err(ApiProblem::invalid(vec![FieldError::new(
            "outcome",
            "invalid",
            "résultat attendu : passed (réussite), failed (échec), attended (présent) ou absent",
        )]));
    }
    worker_of_sites(&state, &account, worker).await?;
    let outcome = state
        .store()
        .set_outcome(&account, id, worker, update.outcome)
        .await
        .map_err(internal)?;
    outcome_answer(&state, &account, outcome, StatusCode::OK).await
}

/// `DELETE /v1/sessions/{id}/trainees/{worker_id}`: removes a trainee from an open session.
#[utoipa::path(delete, path = "/v1/sessions/{id}/trainees/{worker_id}", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session"),
        ("worker_id" = i64, Path, description = "Identifiant du stagiaire")),
    responses(
        (status = 200, description = "Stagiaire retiré ; la session à jour", body = SessionDetail),
        (status = 404, description = "Session ou stagiaire inconnu pour ce compte",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Session clôturée", body = Problem,
            content_type = "application/problem+json")))]
async fn remove_trainee(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath((id, worker)): ApiPath<(SessionId, WorkerId)>,
) -> Result<Response, ApiProblem> {
    worker_of_sites(&state, &account, worker).await?;
    let outcome = state
        .store()
        .remove_trainee(&account, id, worker)
        .await
        .map_err(internal)?;
    outcome_answer(&state, &account, outcome, StatusCode::OK).await
}

/// `POST /v1/sessions/{id}/close`: closes the session; each passed or attended trainee gets
/// one passport entry. Closing again changes nothing and answers the same.
#[utoipa::path(post, path = "/v1/sessions/{id}/close", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session"),
        ("Idempotency-Key" = String, Header, description = "Clé unique de la requête")),
    responses(
        (status = 200, description = "Session clôturée (ou déjà clôturée)", body = SessionDetail),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Inconnue ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Session pas encore terminée, stagiaires sans résultat, \
            ou clé déjà utilisée", body = Problem,
            content_type = "application/problem+json")))]
async fn close_session(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<SessionId>,
) -> Result<Response, ApiProblem> {
    let request = idempotent_request(&headers, format!("POST /v1/sessions/{id}/close"), &())?;
    // Closing writes every trainee's passport: refused when some are of other sites.
    if state
        .store()
        .trainees_beyond_sites(&account, id)
        .await
        .map_err(internal)?
    {
        every_site(&account, "La clôture de cette session")?;
    }
    let outcome = state
        .store()
        .close_session(&account, id, today(&state)?, state.catalogue(), &request)
        .await
        .map_err(internal)?;
    idempotent_answer(&state, &account, outcome, StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn organisation() -> AccountRow {
        AccountRow {
            id: 3,
            kind: DeclarantKind::OrganismeFormation,
            siret: "44200001400005".to_owned(),
            name: "Formapro".to_owned(),
            nda: None,
            user: None,
        }
    }

    #[test]
    fn a_new_session_reports_every_field_error_in_french() {
        let new = NewSession {
            training_code: "SST_X".to_owned(),
            title: " ".to_owned(),
            start_date: Some(day(2026, 3, 4)),
            end_date: Some(day(2026, 3, 2)),
            place: "Lyon\u{7}".to_owned(),
            organisme: Some("o".repeat(101)),
        };
        let catalogue = Catalogue::embedded().unwrap();
        let problem = check_new(&catalogue, &organisation(), &new).unwrap_err();
        let fields: Vec<(&str, &str)> = problem
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("training_code", "unknown"),
                ("title", "required"),
                ("end_date", "before_start"),
                ("place", "invalid"),
                ("organisme", "too_long"),
            ]
        );
        assert_eq!(
            problem.errors[2].message,
            "la date de fin (02/03/2026) précède la date de début (04/03/2026)"
        );
    }

    #[test]
    fn an_organisation_enrols_by_identity_with_the_employer_siret() {
        let new = NewTrainee {
            nir: Some("1850375123".to_owned()),
            first_names: Some("Zoé".to_owned()),
            ..NewTrainee::default()
        };
        let problem = check_trainee(&organisation(), &new, day(2026, 11, 26))
            .err()
            .unwrap();
        let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["nir", "last_name", "employer_siret"]);
    }
}
