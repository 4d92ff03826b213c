//! The typed async client of the Passeport API (v1): one method per route of the contract
//! (`design.md` §3), cursor-following helpers, and retries with exponential backoff where a
//! request is safe to repeat.
//!
//! Retried: GET requests, `POST /v1/declarations/validate` (no side effect) and
//! `POST /v1/declarations` (it carries an `Idempotency-Key`, so a repeat returns the same
//! declaration). Never retried: DELETE. Logs (`tracing::debug!`) name the method, the path and the
//! status only: never headers (the token), bodies or query strings (they may hold NIRs).

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::api::contract::{
    Account, AuditEntry, AuditQuery, CatalogueResponse, DeclarationId, DeclarationSummary,
    DeclarationView, DeclarationsQuery, ExpirationItem, ExpirationsPage, ExpirationsQuery,
    ExportFormat, ExportQuery, Health, IDEMPOTENCY_KEY, MAX_PAGE_LIMIT, Page, Passport,
    SessionDetail, SessionSummary, SessionsQuery, ValidationReport, WorkerView, WorkersQuery,
};
use crate::api::error::{ApiError, parse_retry_after};
use crate::domain::declaration::Declaration;
use crate::domain::session::SessionId;
use crate::domain::worker::WorkerId;

mod exports;
mod matrix;
mod sessions;
mod staff;
mod unmapped;
mod verifications;

/// Longest wait between two attempts, whatever the backoff or the server's `Retry-After` say.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(10);

/// Whether `POST /v1/declarations` recorded a new declaration (`true`, 201) or returned the one
/// already recorded under the same idempotency key (`false`, 200 replay).
pub type Created = bool;

/// Timeouts and retry policy of a [`Client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// Longest wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, body included.
    pub request_timeout: Duration,
    /// Extra attempts after a retryable failure of a safe request (0: no retry).
    pub retries: u32,
    /// Delay before the first retry; doubled at each further one, capped at [`MAX_RETRY_DELAY`].
    pub backoff_base: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(15),
            retries: 3,
            backoff_base: Duration::from_millis(200),
        }
    }
}

/// The Passeport API client. Cheap to clone (shared state behind an `Arc`), so tasks can each
/// own one. Its `Debug` output never shows the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Base address (query and fragment removed): requests append path segments to it.
    base: Url,
    /// Base address without password, for messages and `Debug`.
    shown_url: String,
    has_token: bool,
    options: ClientOptions,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.inner.has_token {
            "«masqué»"
        } else {
            "aucun"
        };
        f.debug_struct("Client")
            .field("base_url", &self.inner.shown_url)
            .field("token", &token)
            .field("options", &self.inner.options)
            .finish()
    }
}

/// Whether a request may be sent again after a retryable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// GET, validation, or creation under an idempotency key.
    Safe,
    /// DELETE: a repeat could act twice.
    Never,
}

/// The address of one call, and how it appears in logs.
struct Route {
    url: Url,
    log_path: String,
}

/// A successful answer, body fully read.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

impl Reply {
    fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|error| ApiError::malformed_json(what, &error))
    }
}

impl Client {
    /// Builds a client for the server at `base_url` (http or https, a path prefix is kept),
    /// trusting the system's usual certificate authorities, as [`Client::with_ca`] does.
    pub fn new(
        base_url: &str,
        token: Option<String>,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        Self::with_ca(base_url, token, options, None)
    }

    /// Builds a client for the server at `base_url`, also trusting the certificate authorities
    /// of `ca_pem` (PEM, e.g. a team's self-signed certificate). The token, if any, is sent as
    /// `Authorization: Bearer …` on every request (surrounding whitespace ignored); it is
    /// refused over `http://` to anything but loopback. A redirect is followed only within the
    /// same origin (scheme, host, port): a request is never sent again elsewhere.
    pub fn with_ca(
        base_url: &str,
        token: Option<String>,
        options: ClientOptions,
        ca_pem: Option<&[u8]>,
    ) -> Result<Self, ApiError> {
        let invalid = || ApiError::InvalidUrl {
            url: base_url.to_owned(),
        };
        let mut base = Url::parse(base_url.trim()).map_err(|_| invalid())?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid());
        }
        base.set_query(None);
        base.set_fragment(None);
        let mut shown = base.clone();
        // Cannot fail: `base` has a host, checked by `cannot_be_a_base` above.
        let _ = shown.set_password(None);
        let shown_url = shown.as_str().trim_end_matches('/').to_owned();

        let mut headers = HeaderMap::new();
        let token = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let has_token = token.is_some();
        if has_token && base.scheme() == "http" && !is_loopback(&base) {
            return Err(ApiError::Client {
                detail: format!(
                    "{shown_url} est en http:// sur le réseau : le jeton et les NIR y \
                     circuleraient en clair ; donnez une adresse https:// (api_url)"
                ),
            });
        }
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                ApiError::Client {
                    detail: "le jeton contient des caractères non autorisés".to_owned(),
                }
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("passeport/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::custom(same_origin_only));
        if let Some(pem) = ca_pem {
            let authorities =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|_| ApiError::Client {
                    detail: "certificat d'autorité (ca_cert) illisible : un fichier PEM est \
                             attendu"
                        .to_owned(),
                })?;
            if authorities.is_empty() {
                return Err(ApiError::Client {
                    detail: "certificat d'autorité (ca_cert) sans bloc CERTIFICATE".to_owned(),
                });
            }
            for authority in authorities {
                builder = builder.add_root_certificate(authority);
            }
        }
        let http = builder.build().map_err(|_| ApiError::Client {
            detail: "initialisation du client HTTP (TLS) impossible".to_owned(),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                shown_url,
                has_token,
                options,
            }),
        })
    }

    /// The server's base address (without password).
    pub fn base_url(&self) -> &str {
        &self.inner.shown_url
    }

    /// `GET /healthz`: liveness, no authentication needed.
    pub async fn health(&self) -> Result<Health, ApiError> {
        self.get_json(self.route(&["healthz"]), "état du serveur", |b| b)
            .await
    }

    /// `GET /v1/me`: the account behind the token.
    pub async fn me(&self) -> Result<Account, ApiError> {
        self.get_json(self.route(&["v1", "me"]), "compte", |b| b)
            .await
    }

    /// `GET /v1/catalogue`: every training type the server knows.
    pub async fn catalogue(&self) -> Result<CatalogueResponse, ApiError> {
        self.get_json(self.route(&["v1", "catalogue"]), "catalogue", |b| b)
            .await
    }

    /// `GET /v1/workers`: one page of the workers visible to the account.
    pub async fn workers(&self, query: &WorkersQuery) -> Result<Page<WorkerView>, ApiError> {
        self.get_json(self.route(&["v1", "workers"]), "liste des salariés", |b| {
            b.query(query)
        })
        .await
    }

    /// `GET /v1/workers/{id}`: one worker's identity.
    pub async fn worker(&self, id: WorkerId) -> Result<WorkerView, ApiError> {
        let id = id.to_string();
        self.get_json(self.route(&["v1", "workers", &id]), "salarié", |b| b)
            .await
    }

    /// `GET /v1/workers/{id}/passport`: one worker's trainings with their computed expiry.
    pub async fn passport(&self, id: WorkerId) -> Result<Passport, ApiError> {
        let id = id.to_string();
        self.get_json(
            self.route(&["v1", "workers", &id, "passport"]),
            "passeport",
            |b| b,
        )
        .await
    }

    /// `GET /v1/sessions`: one page of training sessions.
    pub async fn sessions(&self, query: &SessionsQuery) -> Result<Page<SessionSummary>, ApiError> {
        self.get_json(self.route(&["v1", "sessions"]), "liste des sessions", |b| {
            b.query(query)
        })
        .await
    }

    /// `GET /v1/sessions/{id}`: one session with its trainees and their outcome.
    pub async fn session(&self, id: SessionId) -> Result<SessionDetail, ApiError> {
        let id = id.to_string();
        self.get_json(
            self.route(&["v1", "sessions", &id]),
            "session de formation",
            |b| b,
        )
        .await
    }

    /// `GET /v1/expirations`: one page of upcoming and past expiries, with dashboard counts.
    pub async fn expirations(&self, query: &ExpirationsQuery) -> Result<ExpirationsPage, ApiError> {
        self.get_json(
            self.route(&["v1", "expirations"]),
            "liste des échéances",
            |b| b.query(query),
        )
        .await
    }

    /// `POST /v1/declarations/validate`: dry run; a refusal is [`ApiError::Invalid`] with the
    /// field errors.
    pub async fn validate_declaration(
        &self,
        declaration: &Declaration,
    ) -> Result<ValidationReport, ApiError> {
        let route = self.route(&["v1", "declarations", "validate"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, |b| {
                Ok(b.json(declaration))
            })
            .await?;
        reply.json("rapport de validation")
    }

    /// `POST /v1/declarations`: records a declaration. The same `idempotency_key` always yields
    /// the same declaration, so the call is retried safely; [`Created`] tells a new record (201)
    /// from a replay (200).
    pub async fn create_declaration(
        &self,
        declaration: &Declaration,
        idempotency_key: &str,
    ) -> Result<(DeclarationView, Created), ApiError> {
        let key = HeaderValue::from_str(idempotency_key).map_err(|_| ApiError::Client {
            detail: "clé d'idempotence invalide (caractères non autorisés)".to_owned(),
        })?;
        let route = self.route(&["v1", "declarations"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(declaration))
            })
            .await?;
        let view = reply.json("déclaration enregistrée")?;
        Ok((view, reply.status == StatusCode::CREATED))
    }

    /// `GET /v1/declarations`: one page of the account's declarations.
    pub async fn declarations(
        &self,
        query: &DeclarationsQuery,
    ) -> Result<Page<DeclarationSummary>, ApiError> {
        let route = self.route(&["v1", "declarations"]);
        self.get_json(route, "liste des déclarations", |b| b.query(query))
            .await
    }

    /// `GET /v1/declarations/{id}`: one declaration with its status and deadline.
    pub async fn declaration(&self, id: DeclarationId) -> Result<DeclarationView, ApiError> {
        let id = id.to_string();
        self.get_json(
            self.route(&["v1", "declarations", &id]),
            "déclaration",
            |b| b,
        )
        .await
    }

    /// `DELETE /v1/declarations/{id}/titulaires/{id_unique_partenaire}`: removes one titulaire,
    /// the platform's only correction. Never retried: check with [`Client::declaration`] after
    /// a network failure.
    pub async fn remove_titulaire(
        &self,
        declaration_id: DeclarationId,
        id_unique_partenaire: &str,
    ) -> Result<DeclarationView, ApiError> {
        let id = declaration_id.to_string();
        let mut route = self.route(&[
            "v1",
            "declarations",
            &id,
            "titulaires",
            id_unique_partenaire,
        ]);
        // The partner's identifier is free text: keep it out of the logs.
        route.log_path = format!("/v1/declarations/{id}/titulaires/{{id_unique_partenaire}}");
        let reply = self.send(Method::DELETE, &route, Retry::Never, Ok).await?;
        reply.json("déclaration corrigée")
    }

    /// `GET /v1/declarations/export?format=adf|jdr`: the declarations in the official bulk-file
    /// layout (`domain.md` §8), as text.
    pub async fn export(&self, format: ExportFormat) -> Result<String, ApiError> {
        let route = self.route(&["v1", "declarations", "export"]);
        let query = ExportQuery { format };
        let reply = self
            .send(Method::GET, &route, Retry::Safe, |b| Ok(b.query(&query)))
            .await?;
        String::from_utf8(reply.body).map_err(|_| ApiError::Malformed {
            detail: "fichier d'export qui n'est pas en UTF-8".to_owned(),
        })
    }

    /// `GET /v1/openapi.json`: the contract itself.
    pub async fn openapi(&self) -> Result<serde_json::Value, ApiError> {
        self.get_json(
            self.route(&["v1", "openapi.json"]),
            "document OpenAPI",
            |b| b,
        )
        .await
    }

    /// `GET /v1/audit`: one page of the account's audit trail (administration).
    pub async fn audit(&self, query: &AuditQuery) -> Result<Page<AuditEntry>, ApiError> {
        self.get_json(self.route(&["v1", "audit"]), "journal", |b| b.query(query))
            .await
    }

    /// Every audit entry matching `query` (oldest first unless `newest_first`), following
    /// `next_cursor`.
    pub async fn all_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, ApiError> {
        let page = follow_cursor(|cursor| {
            let q = AuditQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
                ..query.clone()
            };
            async move { self.audit(&q).await }
        })
        .await?;
        Ok(page.items)
    }

    /// Every worker matching `query`, following `next_cursor` with the largest page size
    /// (`query.limit` and `query.cursor` are ignored).
    pub async fn all_workers(&self, query: &WorkersQuery) -> Result<Vec<WorkerView>, ApiError> {
        let page = follow_cursor(|cursor| {
            let q = WorkersQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
                ..query.clone()
            };
            async move { self.workers(&q).await }
        })
        .await?;
        Ok(page.items)
    }

    /// Every session matching `query`, following `next_cursor` with the largest page size.
    pub async fn all_sessions(
        &self,
        query: &SessionsQuery,
    ) -> Result<Vec<SessionSummary>, ApiError> {
        let page = follow_cursor(|cursor| {
            let q = SessionsQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
                ..query.clone()
            };
            async move { self.sessions(&q).await }
        })
        .await?;
        Ok(page.items)
    }

    /// Every declaration matching `query`, following `next_cursor` with the largest page size.
    pub async fn all_declarations(
        &self,
        query: &DeclarationsQuery,
    ) -> Result<Vec<DeclarationSummary>, ApiError> {
        let page = follow_cursor(|cursor| {
            let q = DeclarationsQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
                ..query.clone()
            };
            async move { self.declarations(&q).await }
        })
        .await?;
        Ok(page.items)
    }

    /// Every expiry matching `query` in one page: items of all pages concatenated, `today` and
    /// `counts` from the first page, no `next_cursor`.
    pub async fn all_expirations(
        &self,
        query: &ExpirationsQuery,
    ) -> Result<ExpirationsPage, ApiError> {
        follow_cursor(|cursor| {
            let q = ExpirationsQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
                ..query.clone()
            };
            async move { self.expirations(&q).await }
        })
        .await
    }

    /// The address of `segments` under the base URL, each segment percent-encoded.
    fn route(&self, segments: &[&str]) -> Route {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        let log_path = url.path().to_owned();
        Route { url, log_path }
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        route: Route,
        what: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let reply = self
            .send(Method::GET, &route, Retry::Safe, |b| Ok(build(b)))
            .await?;
        reply.json(what)
    }

    /// Sends one request, retrying it when `retry` allows and the failure is retryable, and
    /// returns the successful answer with its body read.
    async fn send(
        &self,
        method: Method,
        route: &Route,
        retry: Retry,
        build: impl FnOnce(reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, ApiError>,
    ) -> Result<Reply, ApiError> {
        let builder = build(self.inner.http.request(method.clone(), route.url.clone()))?;
        let request = builder.build().map_err(|_| ApiError::Client {
            detail: format!(
                "requête {method} {} impossible à construire",
                route.log_path
            ),
        })?;
        let retries = match retry {
            Retry::Safe => self.inner.options.retries,
            Retry::Never => 0,
        };
        let mut attempt = 0;
        loop {
            let again = if attempt < retries {
                request.try_clone()
            } else {
                None
            };
            let Some(this) = again else {
                return self.attempt(request, &route.log_path, attempt).await;
            };
            match self.attempt(this, &route.log_path, attempt).await {
                Err(error) if error.is_retryable() => {
                    let delay = retry_delay(self.inner.options.backoff_base, attempt, &error);
                    tracing::debug!(%method, path = %route.log_path, attempt, ?delay, "nouvel essai");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// One attempt: send, read the whole body, map a failure to an [`ApiError`].
    async fn attempt(
        &self,
        request: reqwest::Request,
        log_path: &str,
        attempt: u32,
    ) -> Result<Reply, ApiError> {
        let method = request.method().clone();
        let response = match self.inner.http.execute(request).await {
            Ok(response) => response,
            Err(error) => {
                let error = self.transport_error(&error);
                tracing::debug!(%method, path = %log_path, attempt, %error, "échec réseau");
                return Err(error);
            }
        };
        let status = response.status();
        tracing::debug!(%method, path = %log_path, attempt, status = status.as_u16(), "réponse");
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| response.url().join(value).ok())
            .map(|url| url.origin().ascii_serialization());
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport_error(&error))?;
        if status.is_success() {
            Ok(Reply {
                status,
                body: body.to_vec(),
            })
        } else if status.is_redirection() {
            Err(ApiError::Other {
                status: status.as_u16(),
                detail: format!(
                    "redirection vers une autre adresse{} non suivie, rien n'y a été envoyé ; \
                     donnez dans api_url l'adresse exacte du serveur",
                    location.map_or_else(String::new, |origin| format!(" ({origin})"))
                ),
            })
        } else {
            Err(ApiError::from_status(status.as_u16(), retry_after, &body))
        }
    }

    /// Maps a reqwest failure without keeping its message (it quotes the URL and its query).
    fn transport_error(&self, error: &reqwest::Error) -> ApiError {
        if error.is_timeout() {
            ApiError::Timeout
        } else if error.is_decode() {
            ApiError::Malformed {
                detail: "corps de réponse illisible".to_owned(),
            }
        } else {
            ApiError::Unreachable {
                url: self.inner.shown_url.clone(),
            }
        }
    }
}

/// Whether `url` names this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The redirect policy: follow (at most 5 times) only within the origin of the first request;
/// elsewhere the 3xx answer comes back as it is, and nothing is re-sent.
fn same_origin_only(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let first = attempt.previous().first().map(Url::origin);
    if attempt.previous().len() > 5 || first.as_ref() != Some(&attempt.url().origin()) {
        attempt.stop()
    } else {
        attempt.follow()
    }
}

/// Delay before retry number `attempt + 1`: the server's `Retry-After` when it gave one, else
/// `base × 2^attempt`; never more than [`MAX_RETRY_DELAY`].
fn retry_delay(base: Duration, attempt: u32, error: &ApiError) -> Duration {
    let delay = match error {
        ApiError::RateLimited {
            retry_after: Some(wait),
        } => *wait,
        _ => base.saturating_mul(2u32.saturating_pow(attempt)),
    };
    delay.min(MAX_RETRY_DELAY)
}

/// A page of a cursor-paginated list, for [`follow_cursor`].
trait Paged {
    type Item;
    fn items_mut(&mut self) -> &mut Vec<Self::Item>;
    fn cursor_mut(&mut self) -> &mut Option<String>;
}

impl<T> Paged for Page<T> {
    type Item = T;
    fn items_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
    fn cursor_mut(&mut self) -> &mut Option<String> {
        &mut self.next_cursor
    }
}

impl Paged for ExpirationsPage {
    type Item = ExpirationItem;
    fn items_mut(&mut self) -> &mut Vec<Self::Item> {
        &mut self.items
    }
    fn cursor_mut(&mut self) -> &mut Option<String> {
        &mut self.next_cursor
    }
}

/// Fetches the first page, then every next one while the server gives a `next_cursor`, and
/// returns the first page holding every item (and no cursor). A cursor seen twice is a server
/// fault ([`ApiError::Malformed`]) rather than an endless loop.
// A plain `FnMut` returning a future rather than an `AsyncFnMut`: the callers' futures must stay
// `Send` for `tokio::spawn`, which higher-ranked async-closure bounds do not prove.
async fn follow_cursor<P, F, Fut>(mut fetch: F) -> Result<P, ApiError>
where
    P: Paged,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<P, ApiError>>,
{
    let mut first = fetch(None).await?;
    let mut cursor = first.cursor_mut().take();
    let mut seen = HashSet::new();
    while let Some(current) = cursor {
        if !seen.insert(current.clone()) {
            return Err(ApiError::Malformed {
                detail: "pagination en boucle (curseur déjà reçu)".to_owned(),
            });
        }
        let mut page = fetch(Some(current)).await?;
        first.items_mut().append(page.items_mut());
        cursor = page.cursor_mut().take();
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = "sk-tres-secret-0123456789".to_owned();
        let client = Client::new(
            "http://user:motdepasse@127.0.0.1:8080/",
            Some(token.clone()),
            ClientOptions::default(),
        )
        .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains(&token), "{shown}");
        assert!(!shown.contains("motdepasse"), "{shown}");
        assert!(shown.contains("«masqué»"), "{shown}");
        assert!(format!("{client:#?}").contains("«masqué»"));
    }

    #[test]
    fn rejects_addresses_that_are_not_http() {
        for url in [
            "",
            "127.0.0.1:8080",
            "ftp://example.org",
            "mailto:a@b.fr",
            "http://",
        ] {
            let error = Client::new(url, None, ClientOptions::default()).unwrap_err();
            assert!(
                matches!(error, ApiError::InvalidUrl { .. }),
                "{url}: {error:?}"
            );
        }
    }

    #[test]
    fn rejects_a_token_that_cannot_be_a_header() {
        let error = Client::new(
            "http://127.0.0.1:1",
            Some("a\nb".to_owned()),
            ClientOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, ApiError::Client { .. }));
        assert!(!error.to_string().contains("a\nb"));
    }

    #[test]
    fn routes_keep_a_path_prefix_and_encode_segments() {
        let client = Client::new(
            "https://passeport.example/api/",
            None,
            ClientOptions::default(),
        )
        .unwrap();
        let route = client.route(&["v1", "declarations", "7", "titulaires", "a/b c?"]);
        assert_eq!(
            route.url.as_str(),
            "https://passeport.example/api/v1/declarations/7/titulaires/a%2Fb%20c%3F"
        );
        let bare = Client::new("http://127.0.0.1:8080", None, ClientOptions::default()).unwrap();
        assert_eq!(
            bare.route(&["healthz"]).url.as_str(),
            "http://127.0.0.1:8080/healthz"
        );
        assert_eq!(bare.base_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn rate_limit_delay_follows_retry_after_up_to_the_cap() {
        let base = Duration::from_millis(200);
        let limited = |secs| ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(retry_delay(base, 0, &limited(1)), Duration::from_secs(1));
        assert_eq!(retry_delay(base, 0, &limited(3600)), MAX_RETRY_DELAY);
        assert_eq!(
            retry_delay(base, 2, &ApiError::RateLimited { retry_after: None }),
            Duration::from_millis(800)
        );
    }

    #[tokio::test]
    async fn cursor_loop_is_an_error_not_a_hang() {
        let result = follow_cursor(|_cursor| async {
            Ok(Page {
                items: vec![1],
                next_cursor: Some("toujours".to_owned()),
            })
        })
        .await;
        assert!(
            matches!(result, Err(ApiError::Malformed { .. })),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn cursor_pages_are_concatenated_in_order() {
        let result = follow_cursor(|cursor: Option<String>| async move {
            Ok(match cursor.as_deref() {
                None => Page {
                    items: vec![1, 2],
                    next_cursor: Some("p2".to_owned()),
                },
                Some("p2") => Page {
                    items: vec![3],
                    next_cursor: Some("p3".to_owned()),
                },
                Some(_) => Page {
                    items: vec![4],
                    next_cursor: None,
                },
            })
        })
        .await;
        assert_eq!(
            result,
            Ok(Page {
                items: vec![1, 2, 3, 4],
                next_cursor: None
            })
        );
    }

    proptest! {
        #[test]
        fn backoff_doubles_and_is_capped(base_ms in 1u64..5_000, attempt in 0u32..64) {
            let base = Duration::from_millis(base_ms);
            let delay = retry_delay(base, attempt, &ApiError::Timeout);
            prop_assert!(delay <= MAX_RETRY_DELAY);
            let next = retry_delay(base, attempt + 1, &ApiError::Timeout);
            prop_assert!(next >= delay);
            if delay < MAX_RETRY_DELAY / 2 {
                prop_assert_eq!(next, delay * 2);
            }
            if attempt == 0 {
                prop_assert_eq!(delay, base.min(MAX_RETRY_DELAY));
            }
        }
    }
}
