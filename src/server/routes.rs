//! The HTTP routes of the API v1 (design.md §3), their OpenAPI annotations, and the middleware
//! stack. Handlers take and return the types of [`crate::api::contract`]; the OpenAPI document
//! is generated from the same registrations (`utoipa-axum`), so it cannot drift.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{ALLOW, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use chrono::{Days, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::auth::{Auth, hex};
use super::cursor::{decode_date_id, decode_id, encode_date_id, encode_id, page_limit};
use super::problem::{ApiJson, ApiPath, ApiProblem, ApiQuery, panic_response};
use super::store::{
    AccountRow, CreateOutcome, EntryRow, ExpirationFilter, NewDeclaration, SessionFilter,
    SessionScope, fold,
};
use crate::api::contract::{
    Account, CatalogueResponse, DeadlineExplanation, DeclarationId, DeclarationStatus,
    DeclarationSummary, DeclarationView, DeclarationsQuery, ExpirationItem, ExpirationsPage,
    ExpirationsQuery, ExportFormat, ExportQuery, Health, IDEMPOTENCY_KEY, Me, Page, Passport,
    PassportEntryView, Problem, SessionDetail, SessionSummary, SessionsQuery, StaffRecord,
    TraineeView, ValidationReport, WorkersQuery,
};
use crate::bulk::{self, Layout, acceptance};
use crate::domain::deadline::{DeadlineRules, Obligation};
use crate::domain::declaration::Declaration;
use crate::domain::expiry::{
    DEFAULT_THRESHOLD_DAYS, PassportEntry, days_left, expiry_date, status,
};
use crate::domain::session::SessionId;
use crate::domain::training::Catalogue;
use crate::domain::worker::{Worker, WorkerId};
use crate::domain::{DeclarantKind, DeclarationKind};

mod audit;
mod exports;
mod integrity;
mod requirements;
mod sessions;
mod sites;
mod staff;
mod trainings;
mod unmapped;
mod verifications;

/// Largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take before a 408 problem.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest `Idempotency-Key` accepted.
const MAX_KEY_LEN: usize = 255;
/// Longest search text accepted by `GET /v1/workers?q=`.
const MAX_QUERY_LEN: usize = 200;
/// Largest `within_days` of `GET /v1/expirations` (ten years).
const MAX_WITHIN_DAYS: u32 = 3660;
/// Media type of the bulk-file export.
const CSV: &str = "text/csv; charset=utf-8";

/// The OpenAPI document's frame: title, description, bearer security scheme.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "API Passeport de prévention (bac à sable)",
        description = "Contrat v1 du bac à sable : salariés, sessions, échéances et déclarations \
                       (attestations de formation et justificatifs de réussite). Erreurs au \
                       format application/problem+json (RFC 9457), messages en français."
    ),
    components(schemas(Problem)),
    modifiers(&BearerSecurity)
)]
struct ApiDoc;

/// Adds the `bearer` security scheme.
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The worker's schema in the OpenAPI document: an object described in prose (the domain type
/// carries no schema derive; its JSON fields are listed here).
impl PartialSchema for Worker {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .description(Some(
                    "Salarié (titulaire) : id, nir (13 caractères), last_name, usage_name, \
                     first_names, birth_date, employer_siret, employer_name, site",
                ))
                .build(),
        ))
    }
}

impl ToSchema for Worker {}

/// The serialised OpenAPI document, shared with its route.
#[derive(Debug, Clone)]
struct OpenApiJson(Arc<String>);

/// Every route with its middleware.
pub fn router(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(openapi_json))
        .routes(routes!(me))
        .routes(routes!(catalogue))
        .routes(routes!(list_workers, staff::create_worker))
        .routes(routes!(get_worker, staff::update_worker))
        .routes(routes!(staff::archive_worker))
        .routes(routes!(
            trainings::create_training,
            trainings::list_trainings
        ))
        .routes(routes!(
            trainings::update_training,
            trainings::remove_training
        ))
        .routes(routes!(get_passport))
        .routes(routes!(list_sessions, sessions::create_session))
        .routes(routes!(get_session, sessions::update_session))
        .routes(routes!(list_expirations))
        .routes(routes!(validate_declaration))
        .routes(routes!(create_declaration, list_declarations))
        .routes(routes!(export_declarations))
        .routes(routes!(get_declaration))
        .routes(routes!(remove_titulaire))
        .merge(exports::routes())
        .merge(sessions::routes())
        .routes(routes!(unmapped::unmapped_titles))
        .merge(verifications::routes())
        .routes(routes!(audit::list_audit))
        .merge(requirements::routes())
        .split_for_parts();
    let json = match api.to_json() {
        Ok(json) => json,
        Err(error) => {
            tracing::error!(%error, "document OpenAPI impossible à sérialiser");
            String::from("{}")
        }
    };
    let router = router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::auth::guard,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.writes().clone(),
            super::faults::track_writes,
        ))
        .with_state(state)
        .layer(Extension(OpenApiJson(Arc::new(json))));
    with_middleware(router, REQUEST_TIMEOUT)
}

/// The middleware stack, outermost first: security headers, request logs (method, route,
/// client address, status, latency; never headers, query strings or bodies), panic capture
/// (500 problem), problem bodies for bare error statuses, request timeout (408), body limit
/// (413); unknown routes are 404 problems.
pub fn with_middleware(router: Router, timeout: Duration) -> Router {
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(problem_bodies))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_request(())
                .on_response(ResponseLog),
        )
        .layer(axum::middleware::from_fn(
            super::hardening::security_headers,
        ))
}

/// The span of a request: method, route template (never the raw path: its segments may be
/// free text such as `ID_UNIQUE_PARTENAIRE`, the query may hold a NIR) and client address.
#[derive(Debug, Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> tracing::Span {
        let route = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or("(route inconnue)", axum::extract::MatchedPath::as_str);
        let client = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        match client {
            Some(client) => {
                tracing::info_span!("requête", method = %request.method(), route, %client)
            }
            None => tracing::info_span!("requête", method = %request.method(), route),
        }
    }
}

/// Logs the status and latency of each response.
#[derive(Debug, Clone, Copy)]
struct ResponseLog;

impl<B> OnResponse<B> for ResponseLog {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &tracing::Span) {
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        tracing::info!(status = response.status().as_u16(), latency_ms, "réponse");
    }
}

/// Gives a problem+json body to error responses produced without one (405 of the router, 408
/// of the timeout, 413 of the body limit…), keeping the `Allow` header.
async fn problem_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let allow = response.headers().get(ALLOW).cloned();
    let mut problem = ApiProblem::from_status(status).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(ALLOW, allow);
    }
    problem
}

/// Unknown route.
async fn not_found() -> ApiProblem {
    ApiProblem::from_status(StatusCode::NOT_FOUND)
}

/// Today for this request: the fixed date of the server, else the clock.
fn today(state: &AppState) -> Result<NaiveDate, ApiProblem> {
    state.today().map_err(|error| {
        tracing::error!(%error, "date du jour illisible");
        ApiProblem::internal()
    })
}

/// Logs a store error and answers a 500 problem, a 503 for a storage fault (full disk,
/// read-only database).
fn internal(error: super::ServerError) -> ApiProblem {
    if let Some(fault) = super::faults::StorageFault::of(&error) {
        tracing::error!(%error, %fault, "écriture impossible dans la base de données");
        return ApiProblem::storage(fault);
    }
    tracing::error!(%error, "erreur du stockage");
    ApiProblem::internal()
}

/// Cuts the `limit` + 1 rows of a store query to a page, with the cursor of its last item when
/// more rows follow.
fn page<T>(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor_of)
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}

/// `GET /healthz`: liveness, no authentication; a 503 while the last write failed on a storage
/// fault (full disk, read-only database) and none succeeded since.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Le serveur répond", body = Health),
        (status = 503, description = "Les écritures échouent", body = Problem)))]
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiProblem> {
    if let Some((fault, since)) = state.writes().failing() {
        return Err(ApiProblem::new(
            super::faults::STATUS,
            "Écritures impossibles",
            Some(format!(
                "{fault} depuis le {} (UTC) : la dernière écriture a échoué ; ce sera rétabli \
                 dès qu'une écriture réussira",
                since.format("%d/%m/%Y à %H:%M:%S")
            )),
        ));
    }
    Ok(Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

/// `GET /v1/openapi.json`: this contract, generated from the route registrations.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "service",
    responses((status = 200, description = "Le document OpenAPI 3.1", body = Object)))]
async fn openapi_json(Extension(OpenApiJson(json)): Extension<OpenApiJson>) -> Response {
    let mut response = json.as_str().to_owned().into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `GET /v1/me`: the account and user behind the token.
#[utoipa::path(get, path = "/v1/me", tag = "compte", security(("bearer" = [])),
    responses(
        (status = 200, description = "Le compte", body = Account),
        (status = 401, description = "Jeton absent ou inconnu", body = Problem,
            content_type = "application/problem+json")))]
async fn me(Auth(account): Auth, State(state): State<AppState>) -> Json<Account> {
    Json(Account {
        kind: account.kind,
        siret: account.siret,
        name: account.name,
        nda: account.nda,
        sandbox: state.is_demo(),
        user: account.user.map(|user| Me {
            name: user.name,
            email: user.email,
            role: user.role,
            nir_access: user.nir_access,
            sites: user.sites,
        }),
    })
}

/// `GET /v1/catalogue`: the training types.
#[utoipa::path(get, path = "/v1/catalogue", tag = "catalogue", security(("bearer" = [])),
    responses(
        (status = 200, description = "Les types de formation", body = CatalogueResponse),
        (status = 401, description = "Jeton absent ou inconnu", body = Problem,
            content_type = "application/problem+json")))]
async fn catalogue(Auth(_): Auth, State(state): State<AppState>) -> Json<CatalogueResponse> {
    Json(CatalogueResponse {
        items: state.catalogue().types.clone(),
    })
}

/// The folded words of a worker search.
fn search_words(q: Option<&str>) -> Result<Vec<String>, ApiProblem> {
    let Some(q) = q else {
        return Ok(Vec::new());
    };
    if q.chars().count() > MAX_QUERY_LEN {
        return Err(ApiProblem::bad_request(format!(
            "q : la recherche est limitée à {MAX_QUERY_LEN} caractères"
        )));
    }
    Ok(fold(q).split_whitespace().map(str::to_owned).collect())
}

/// `GET /v1/workers`: the workers visible to the account, by id.
#[utoipa::path(get, path = "/v1/workers", tag = "salariés", security(("bearer" = [])),
    params(WorkersQuery),
    responses(
        (status = 200, description = "Une page de salariés", body = Page<Worker>),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "Jeton absent ou inconnu", body = Problem,
            content_type = "application/problem+json")))]
async fn list_workers(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WorkersQuery>,
) -> Result<Json<Page<Worker>>, ApiProblem> {
    let limit = page_limit(query.limit)?;
    let after = decode_id(query.cursor.as_deref())?;
    let words = search_words(query.q.as_deref())?;
    let rows = state
        .store()
        .workers(
            &account,
            &words,
            query.archived.unwrap_or(false),
            after,
            limit,
        )
        .await
        .map_err(internal)?;
    Ok(Json(page(rows, limit, |worker| encode_id(worker.id))))
}

/// The worker `id` if the account may see it, else a 404 problem.
async fn visible_worker(
    state: &AppState,
    account: &AccountRow,
    id: WorkerId,
) -> Result<Worker, ApiProblem> {
    state
        .store()
        .worker(account, id)
        .await
        .map_err(internal)?
        .ok_or_else(ApiProblem::not_found)
}

/// `GET /v1/workers/{id}`: one worker.
#[utoipa::path(get, path = "/v1/workers/{id}", tag = "salariés", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié")),
    responses(
        (status = 200, description = "Le salarié, avec son emploi quand il est du personnel \
            de ce compte", body = StaffRecord),
        (status = 404, description = "Inconnu ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_worker(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WorkerId>,
) -> Result<Json<StaffRecord>, ApiProblem> {
    let record = state
        .store()
        .staff_record(&account, id)
        .await
        .map_err(internal)?;
    record.map(Json).ok_or_else(ApiProblem::not_found)
}

/// The view of a stored passport entry on `today`. The expiry is computed here, at read, from
/// the catalogue in force (an explicit validity end wins), so a catalogue override changes every
/// passport on the next read; a training of no catalogue type has none (« type non reconnu »).
fn entry_view(state: &AppState, row: EntryRow, today: NaiveDate) -> PassportEntryView {
    let training = row
        .training_code
        .as_deref()
        .and_then(|code| state.catalogue().get(code));
    let expires_on = match (&row.training_code, training) {
        (None, _) => None,
        (Some(_), Some(training)) => expiry_date(
            &PassportEntry {
                training_code: training.code.clone(),
                end_date: row.end_date,
                validity_start: row.validity_start,
                validity_end: row.validity_end,
            },
            training.validity_months,
        ),
        (Some(_), None) => row.expires_on,
    };
    let training_title = training
        .map(|t| t.title.clone())
        .or_else(|| row.training_title.clone())
        .or_else(|| row.training_code.clone())
        .unwrap_or_default();
    PassportEntryView {
        training_title,
        category: training.map_or(0, |t| t.category.get()),
        category_confidence: training.map_or(crate::domain::training::Confidence::Inferred, |t| {
            t.category_confidence
        }),
        training_code: row.training_code.unwrap_or_default(),
        end_date: row.end_date,
        validity_start: row.validity_start,
        validity_end: row.validity_end,
        expires_on,
        days_left: expires_on.map(|expiry| days_left(expiry, today)),
        status: status(expires_on, today, DEFAULT_THRESHOLD_DAYS),
        superseded: row.superseded,
        session_id: row.session_id,
        origin: row.origin,
    }
}

/// `GET /v1/workers/{id}/passport`: the worker and the trainings the account may see.
#[utoipa::path(get, path = "/v1/workers/{id}/passport", tag = "salariés",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant du salarié")),
    responses(
        (status = 200, description = "Le passeport", body = Passport),
        (status = 404, description = "Inconnu ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_passport(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WorkerId>,
) -> Result<Json<Passport>, ApiProblem> {
    Ok(Json(passport_of(&state, &account, id).await?))
}

/// The passport of worker `id` as `account` sees it, or a 404 problem.
async fn passport_of(
    state: &AppState,
    account: &AccountRow,
    id: WorkerId,
) -> Result<Passport, ApiProblem> {
    let today = today(state)?;
    let worker = visible_worker(state, account, id).await?;
    let rows = state
        .store()
        .passport(account, id)
        .await
        .map_err(internal)?;
    let entries = rows
        .into_iter()
        .map(|row| entry_view(state, row, today))
        .collect();
    Ok(Passport {
        worker: worker.with_nir(),
        today,
        entries,
    })
}

/// `GET /v1/sessions`: the account's sessions, latest end date first.
#[utoipa::path(get, path = "/v1/sessions", tag = "sessions", security(("bearer" = [])),
    params(SessionsQuery),
    responses(
        (status = 200, description = "Une page de sessions", body = Page<SessionSummary>),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json")))]
async fn list_sessions(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SessionsQuery>,
) -> Result<Json<Page<SessionSummary>>, ApiProblem> {
    let limit = page_limit(query.limit)?;
    let after = decode_date_id(query.cursor.as_deref())?;
    let filter = SessionFilter {
        today: today(&state)?,
        from: query.from,
        to: query.to,
        status: query.status,
        scope: SessionScope::new(state.catalogue(), state.deadlines(), account.kind),
    };
    let rows = state
        .store()
        .sessions(&account, &filter, after, limit)
        .await
        .map_err(internal)?;
    Ok(Json(page(rows, limit, |s| {
        encode_date_id(s.end_date, s.id)
    })))
}

/// `GET /v1/sessions/{id}`: one session with its trainees.
#[utoipa::path(get, path = "/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la session")),
    responses(
        (status = 200, description = "La session", body = SessionDetail),
        (status = 404, description = "Inconnue ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_session(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<SessionId>,
) -> Result<Json<SessionDetail>, ApiProblem> {
    Ok(Json(session_detail(&state, &account, id).await?))
}

/// Session `id` of the account with its trainees, or a 404 problem.
async fn session_detail(
    state: &AppState,
    account: &AccountRow,
    id: SessionId,
) -> Result<SessionDetail, ApiProblem> {
    let today = today(state)?;
    let (summary, rows) = state
        .store()
        .session(
            account,
            id,
            today,
            &SessionScope::new(state.catalogue(), state.deadlines(), account.kind),
        )
        .await
        .map_err(internal)?
        .ok_or_else(ApiProblem::not_found)?;
    let trainees = rows
        .into_iter()
        .map(|row| TraineeView {
            worker_id: row.worker_id,
            last_name: row.last_name,
            first_names: row.first_names,
            nir: row.nir,
            employer_siret: row.employer_siret,
            employer_name: row.employer_name,
            outcome: row.outcome,
            declared: row.declared,
        })
        .collect();
    Ok(SessionDetail { summary, trainees })
}

/// `GET /v1/expirations`: current expiries up to today + `within_days`, past ones included,
/// oldest first, with counts by band over everything visible.
#[utoipa::path(get, path = "/v1/expirations", tag = "échéances", security(("bearer" = [])),
    params(ExpirationsQuery),
    responses(
        (status = 200, description = "Une page d'échéances et les compteurs", body = ExpirationsPage),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json")))]
async fn list_expirations(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExpirationsQuery>,
) -> Result<Json<ExpirationsPage>, ApiProblem> {
    let today = today(&state)?;
    let limit = page_limit(query.limit)?;
    let after = decode_date_id(query.cursor.as_deref())?;
    let within = query.within_days.unwrap_or(DEFAULT_THRESHOLD_DAYS);
    if within > MAX_WITHIN_DAYS {
        return Err(ApiProblem::bad_request(format!(
            "within_days = {within} : au plus {MAX_WITHIN_DAYS} jours"
        )));
    }
    let until = today
        .checked_add_days(Days::new(u64::from(within)))
        .unwrap_or(today);
    let filter = ExpirationFilter {
        today,
        until,
        training: query.training,
        site: query.site,
    };
    let store = state.store();
    let counts = store
        .expiration_counts(&account, &filter)
        .await
        .map_err(internal)?;
    let rows = store
        .expirations(&account, &filter, after, limit)
        .await
        .map_err(internal)?;
    let rows = page(rows, limit, |row| {
        encode_date_id(row.expires_on, row.entry_id)
    });
    let items = rows
        .items
        .into_iter()
        .map(|row| ExpirationItem {
            worker_id: row.worker_id,
            last_name: row.last_name,
            first_names: row.first_names,
            site: row.site,
            employer: row.employer,
            training_title: state
                .catalogue()
                .get(&row.training_code)
                .map_or_else(|| row.training_code.clone(), |t| t.title.clone()),
            training_code: row.training_code,
            expires_on: row.expires_on,
            days_left: days_left(row.expires_on, today),
            status: status(Some(row.expires_on), today, within),
        })
        .collect();
    Ok(Json(ExpirationsPage {
        today,
        counts,
        items,
        next_cursor: rows.next_cursor,
    }))
}

/// Validates a declaration for the account on `today` ([`acceptance::declaration_errors`]:
/// the rules of the domain, the catalogue, the bulk file writer).
fn check_declaration(
    state: &AppState,
    declaration: &Declaration,
    account: &AccountRow,
    today: NaiveDate,
) -> Result<(), ApiProblem> {
    let errors =
        acceptance::declaration_errors(declaration, account.kind, today, state.catalogue());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// The deadline of a declaration of the account, whether recording it `today` is late, and why:
/// one rule for every status ([`declaration_obligation`]). A declaration that was not mandatory,
/// or whose category is unknown, is never « en retard ».
fn deadline_status(
    state: &AppState,
    account: &AccountRow,
    declaration: &Declaration,
    today: NaiveDate,
) -> (
    Option<NaiveDate>,
    DeclarationStatus,
    Option<DeadlineExplanation>,
) {
    let obligation = declaration_obligation(
        state.deadlines(),
        state.catalogue(),
        account.kind,
        declaration,
    );
    let deadline = obligation.as_ref().and_then(Obligation::shown_deadline);
    let status = if obligation.as_ref().is_some_and(|o| o.is_late_on(today)) {
        DeclarationStatus::EnRetard
    } else {
        DeclarationStatus::Enregistree
    };
    (
        deadline,
        status,
        obligation.as_ref().map(DeadlineExplanation::of),
    )
}

/// Whether `declaration` must be declared by `declarant` and by when: its training type (from
/// `training_code`, unknown when absent), scope on the training END (the validity start for a
/// justificatif without a training), the deadline from the reference date (domain.md §8).
/// `None` while the declaration has no date at all.
pub(crate) fn declaration_obligation<'a>(
    deadlines: &'a DeadlineRules,
    catalogue: &'a Catalogue,
    declarant: DeclarantKind,
    declaration: &Declaration,
) -> Option<Obligation<'a>> {
    let reference = declaration.reference_date()?;
    let end = declaration.date_fin_formation.unwrap_or(reference);
    let training = declaration
        .training_code
        .as_deref()
        .and_then(|code| catalogue.get(code));
    Some(deadlines.obligation(declarant, training, end, reference))
}

/// `POST /v1/declarations/validate`: dry run.
#[utoipa::path(post, path = "/v1/declarations/validate", tag = "déclarations",
    security(("bearer" = [])),
    request_body(content = Object, description = "La déclaration (champs des fichiers ADF/JDR)"),
    responses(
        (status = 200, description = "La déclaration est valide", body = ValidationReport),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
async fn validate_declaration(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiJson(mut declaration): ApiJson<Declaration>,
) -> Result<Json<ValidationReport>, ApiProblem> {
    declaration.normalise_nirs();
    let today = today(&state)?;
    check_declaration(&state, &declaration, &account, today)?;
    integrity::declarant_checks(&state, &account, &declaration).await?;
    let (deadline, _, explanation) = deadline_status(&state, &account, &declaration, today);
    Ok(Json(ValidationReport {
        valid: true,
        deadline,
        explanation,
    }))
}

/// The `Idempotency-Key` of a request: required, 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiProblem> {
    let value = headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
        ApiProblem::bad_request(format!(
            "l'en-tête « {IDEMPOTENCY_KEY} » est obligatoire : une valeur unique par \
             déclaration (par exemple un UUID), réutilisée telle quelle en cas de nouvel essai"
        ))
    })?;
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiProblem::bad_request(format!(
            "l'en-tête « {IDEMPOTENCY_KEY} » doit compter de 1 à {MAX_KEY_LEN} caractères \
             ASCII visibles"
        )));
    }
    Ok(key.to_owned())
}

/// The SHA-256 hex of the canonical JSON of a declaration (its fields in declaration order).
fn body_hash(declaration: &Declaration) -> Result<String, ApiProblem> {
    let bytes = serde_json::to_vec(declaration).map_err(|error| {
        tracing::error!(%error, "déclaration impossible à sérialiser");
        ApiProblem::internal()
    })?;
    Ok(hex(&Sha256::digest(&bytes)))
}

/// A declaration answer with its status and, for a creation, its `Location`.
fn declaration_response(status: StatusCode, view: DeclarationView) -> Response {
    let location = format!("/v1/declarations/{}", view.summary.id);
    let mut response = (status, Json(view)).into_response();
    if status == StatusCode::CREATED
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The 409 problem of a key reused with another body.
fn key_conflict() -> ApiProblem {
    ApiProblem::conflict(format!(
        "cette clé « {IDEMPOTENCY_KEY} » a déjà servi pour une autre déclaration : utilisez une \
         nouvelle clé pour une nouvelle déclaration"
    ))
}

/// `POST /v1/declarations`: records a declaration, idempotently.
#[utoipa::path(post, path = "/v1/declarations", tag = "déclarations", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header,
        description = "Clé unique de la déclaration ; la même clé et le même corps renvoient \
                       la même déclaration")),
    request_body(content = Object, description = "La déclaration (champs des fichiers ADF/JDR)"),
    responses(
        (status = 201, description = "Déclaration enregistrée", body = DeclarationView),
        (status = 200, description = "Même clé, même corps : la déclaration déjà enregistrée",
            body = DeclarationView),
        (status = 400, description = "En-tête Idempotency-Key absent", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Clé déjà utilisée avec un autre corps, ou \
            ID_UNIQUE_PARTENAIRE déjà déclaré", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Toutes les erreurs, champ par champ", body = Problem,
            content_type = "application/problem+json")))]
async fn create_declaration(
    Auth(account): Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(mut declaration): ApiJson<Declaration>,
) -> Result<Response, ApiProblem> {
    // One stored form of the NIR (13 characters, see `Titulaire::nir`), before the body hash:
    // the same declaration sent with or without the keys is the same body.
    declaration.normalise_nirs();
    let key = idempotency_key(&headers)?;
    let hash = body_hash(&declaration)?;
    let store = state.store();
    if let Some(known) = store.known_key(&account, &key).await.map_err(internal)? {
        if known.body_hash.as_deref() != Some(hash.as_str()) {
            return Err(key_conflict());
        }
        let view = store
            .declaration(&account, known.id)
            .await
            .map_err(internal)?
            .ok_or_else(ApiProblem::not_found)?;
        return Ok(declaration_response(StatusCode::OK, view));
    }
    let today = today(&state)?;
    check_declaration(&state, &declaration, &account, today)?;
    integrity::declarant_checks(&state, &account, &declaration).await?;
    sites::titulaires_of_sites(&state, &account, &declaration).await?;
    let (deadline, status, _) = deadline_status(&state, &account, &declaration, today);
    let new = NewDeclaration {
        declaration,
        idempotency_key: Some(key),
        body_hash: Some(hash),
        status,
        deadline,
        created_at: Utc::now(),
        session_id: None,
    };
    match store
        .create_declaration(&account, &new, state.catalogue())
        .await
        .map_err(internal)?
    {
        CreateOutcome::Created(view) => Ok(declaration_response(StatusCode::CREATED, *view)),
        CreateOutcome::Replayed(view) => Ok(declaration_response(StatusCode::OK, *view)),
        CreateOutcome::KeyConflict => Err(key_conflict()),
        CreateOutcome::PartnerIdTaken(id) => Err(ApiProblem::conflict(format!(
            "ID_UNIQUE_PARTENAIRE « {id} » figure déjà dans une autre déclaration : chaque \
             ligne doit avoir un identifiant unique (doublon refusé par la plateforme)"
        ))),
    }
}

/// `GET /v1/declarations`: the account's declarations, newest first.
#[utoipa::path(get, path = "/v1/declarations", tag = "déclarations", security(("bearer" = [])),
    params(DeclarationsQuery),
    responses(
        (status = 200, description = "Une page de déclarations", body = Page<DeclarationSummary>),
        (status = 400, description = "Paramètre ou curseur invalide", body = Problem,
            content_type = "application/problem+json")))]
async fn list_declarations(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DeclarationsQuery>,
) -> Result<Json<Page<DeclarationSummary>>, ApiProblem> {
    let limit = page_limit(query.limit)?;
    let before = decode_id(query.cursor.as_deref())?;
    let store = state.store();
    let mut rows = store
        .declarations(&account, query.status, before, limit)
        .await
        .map_err(internal)?;
    store
        .attach_exports(&account, &mut rows)
        .await
        .map_err(internal)?;
    Ok(Json(page(rows, limit, |d| encode_id(d.id))))
}

/// `GET /v1/declarations/{id}`: one declaration.
#[utoipa::path(get, path = "/v1/declarations/{id}", tag = "déclarations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Identifiant de la déclaration")),
    responses(
        (status = 200, description = "La déclaration", body = DeclarationView),
        (status = 404, description = "Inconnue ou non visible pour ce compte", body = Problem,
            content_type = "application/problem+json")))]
async fn get_declaration(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<DeclarationView>, ApiProblem> {
    let store = state.store();
    let mut view = store
        .declaration(&account, id)
        .await
        .map_err(internal)?
        .ok_or_else(ApiProblem::not_found)?;
    store
        .attach_exports(&account, std::slice::from_mut(&mut view.summary))
        .await
        .map_err(internal)?;
    Ok(Json(view))
}

/// `DELETE /v1/declarations/{id}/titulaires/{id_unique_partenaire}`: removes one titulaire
/// (the platform's only correction); removing the last one sets the status `supprimee`.
#[utoipa::path(delete, path = "/v1/declarations/{id}/titulaires/{id_unique_partenaire}",
    tag = "déclarations", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Identifiant de la déclaration"),
        ("id_unique_partenaire" = String, Path, description = "ID_UNIQUE_PARTENAIRE de la ligne")),
    responses(
        (status = 200, description = "La déclaration après suppression", body = DeclarationView),
        (status = 404, description = "Déclaration ou titulaire introuvable", body = Problem,
            content_type = "application/problem+json")))]
async fn remove_titulaire(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiPath((id, partner)): ApiPath<(DeclarationId, String)>,
) -> Result<Json<DeclarationView>, ApiProblem> {
    let view = state
        .store()
        .remove_titulaire(&account, id, &partner, state.catalogue())
        .await
        .map_err(internal)?;
    view.map(Json).ok_or_else(ApiProblem::not_found)
}

/// `GET /v1/declarations/export?format=adf|jdr`: the account's live declarations of that kind
/// as the official bulk file (domain.md §8), every line each time and nothing remembered; the
/// file to send to the portal comes from `POST /v1/exports`, which sends each line once.
#[utoipa::path(get, path = "/v1/declarations/export", tag = "déclarations",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "Le fichier officiel (séparateur |, UTF-8, CRLF)",
            body = String, content_type = "text/csv; charset=utf-8"),
        (status = 400, description = "Format inconnu", body = Problem,
            content_type = "application/problem+json")))]
async fn export_declarations(
    Auth(account): Auth,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiProblem> {
    sites::every_site(&account, "Un export")?;
    let (kind, name) = match query.format {
        ExportFormat::Adf => (DeclarationKind::Attestation, "adf"),
        ExportFormat::Jdr => (DeclarationKind::Justificatif, "jdr"),
    };
    let declarations = state
        .store()
        .export(&account, kind)
        .await
        .map_err(internal)?;
    let text = bulk::write(Layout::for_kind(kind), &declarations).map_err(|error| {
        tracing::error!(%error, "export impossible");
        ApiProblem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Export impossible",
            Some(format!(
                "une déclaration enregistrée ne peut pas être écrite : {error}"
            )),
        )
    })?;
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CSV));
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"declarations-{name}.csv\""))
    {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{address}")
    }

    async fn problem(response: reqwest::Response) -> (u16, String, Problem) {
        let status = response.status().as_u16();
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        (status, content_type, response.json().await.unwrap())
    }

    async fn boom() -> &'static str {
        panic!("boum")
    }

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "trop tard"
    }

    async fn echo(ApiJson(value): ApiJson<serde_json::Value>) -> Json<serde_json::Value> {
        Json(value)
    }

    #[tokio::test]
    async fn middleware_turns_every_failure_into_a_problem() {
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/slow", get(slow))
            .route("/echo", axum::routing::post(echo));
        let base = serve(with_middleware(router, Duration::from_millis(100))).await;
        let client = reqwest::Client::new();

        let (status, content_type, body) =
            problem(client.get(format!("{base}/boom")).send().await.unwrap()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (500, "application/problem+json")
        );
        assert_eq!(body.status, 500);

        let (status, _, body) =
            problem(client.get(format!("{base}/slow")).send().await.unwrap()).await;
        assert_eq!(status, 408);
        assert_eq!(body.title, "Délai dépassé");

        let (status, _, _) = problem(
            client
                .get(format!("{base}/nulle-part"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 404);

        let response = client.delete(format!("{base}/boom")).send().await.unwrap();
        assert!(response.headers().contains_key(ALLOW));
        let (status, _, _) = problem(response).await;
        assert_eq!(status, 405);

        let big = vec![b'x'; BODY_LIMIT + 1];
        let response = client
            .post(format!("{base}/echo"))
            .header(CONTENT_TYPE, "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        let (status, _, _) = problem(response).await;
        assert_eq!(status, 413);

        let response = client
            .post(format!("{base}/echo"))
            .header(CONTENT_TYPE, "application/json")
            .body("{pas du json")
            .send()
            .await
            .unwrap();
        let (status, _, body) = problem(response).await;
        assert_eq!(status, 400);
        assert!(body.detail.unwrap().contains("JSON"));
    }

    #[test]
    fn idempotency_key_is_required_and_bounded() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            idempotency_key(&headers).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_static("abc-123"));
        assert_eq!(idempotency_key(&headers).unwrap(), "abc-123");
        headers.insert(
            IDEMPOTENCY_KEY,
            HeaderValue::from_str(&"k".repeat(256)).unwrap(),
        );
        assert!(idempotency_key(&headers).is_err());
    }

    #[test]
    fn pages_cut_at_the_limit_with_a_cursor() {
        let full = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(full.items, vec![1, 2]);
        assert_eq!(full.next_cursor.as_deref(), Some("2"));
        let last = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }
}
