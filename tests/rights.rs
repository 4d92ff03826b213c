//! The rights matrix (issue 17): EVERY route of `/v1/openapi.json` × every role × own and other
//! account, on the sandbox server over loopback with the demo users of the first employer
//! (`demo-lecture`, `demo-saisie`, `demo-employeur` for administration) and the second
//! employer's administrator as the other account.
//!
//! - a role below the route's class gets a 403 whose French detail names the role needed;
//! - a role that may gets past the guard: a read of its own data is a 200 (a file to a
//!   `lecture` user without NIR access is a 403: it holds NIRs), and an `{id}` of the other
//!   account is a 404 as for an id that does not exist;
//! - NIRs in the answers to `lecture` are masked.
//!
//! A route documented without a row in [`TABLE`] fails the test, so a new route is classified.

use chrono::NaiveDate;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::rights::Role;
use passeport::domain::training::Catalogue;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{DEMO_ROLE_USERS, DEMO_TOKENS, Server, ServerOptions};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// An id no resource has.
const MISSING: &str = "9000000000000";

/// The role each documented route needs; `None` for a public route.
const TABLE: [(&str, &str, Option<Role>); 43] = [
    ("get", "/healthz", None),
    ("get", "/v1/openapi.json", None),
    ("get", "/v1/me", Some(Role::Lecture)),
    ("get", "/v1/catalogue", Some(Role::Lecture)),
    ("get", "/v1/catalogue/unmapped", Some(Role::Lecture)),
    ("get", "/v1/workers", Some(Role::Lecture)),
    ("post", "/v1/workers", Some(Role::Saisie)),
    ("get", "/v1/workers/{id}", Some(Role::Lecture)),
    ("patch", "/v1/workers/{id}", Some(Role::Saisie)),
    ("post", "/v1/workers/{id}/archive", Some(Role::Saisie)),
    ("post", "/v1/workers/{id}/trainings", Some(Role::Saisie)),
    ("get", "/v1/workers/{id}/trainings", Some(Role::Lecture)),
    (
        "patch",
        "/v1/workers/{id}/trainings/{entry_id}",
        Some(Role::Saisie),
    ),
    (
        "delete",
        "/v1/workers/{id}/trainings/{entry_id}",
        Some(Role::Saisie),
    ),
    ("get", "/v1/workers/{id}/passport", Some(Role::Lecture)),
    ("get", "/v1/sessions", Some(Role::Lecture)),
    ("post", "/v1/sessions", Some(Role::Saisie)),
    ("get", "/v1/sessions/{id}", Some(Role::Lecture)),
    ("patch", "/v1/sessions/{id}", Some(Role::Saisie)),
    ("post", "/v1/sessions/{id}/trainees", Some(Role::Saisie)),
    (
        "put",
        "/v1/sessions/{id}/trainees/{worker_id}",
        Some(Role::Saisie),
    ),
    (
        "delete",
        "/v1/sessions/{id}/trainees/{worker_id}",
        Some(Role::Saisie),
    ),
    ("post", "/v1/sessions/{id}/close", Some(Role::Saisie)),
    ("get", "/v1/expirations", Some(Role::Lecture)),
    ("post", "/v1/declarations/validate", Some(Role::Lecture)),
    ("post", "/v1/declarations", Some(Role::Saisie)),
    ("get", "/v1/declarations", Some(Role::Lecture)),
    ("get", "/v1/declarations/export", Some(Role::Lecture)),
    ("get", "/v1/declarations/{id}", Some(Role::Lecture)),
    (
        "delete",
        "/v1/declarations/{id}/titulaires/{id_unique_partenaire}",
        Some(Role::Saisie),
    ),
    ("post", "/v1/exports", Some(Role::Saisie)),
    ("get", "/v1/exports", Some(Role::Lecture)),
    ("get", "/v1/exports/{id}", Some(Role::Lecture)),
    ("get", "/v1/exports/{id}/file", Some(Role::Lecture)),
    ("post", "/v1/exports/{id}/answer", Some(Role::Saisie)),
    ("get", "/v1/audit", Some(Role::Administration)),
    ("get", "/v1/requirements", Some(Role::Lecture)),
    ("put", "/v1/requirements", Some(Role::Administration)),
    ("get", "/v1/matrix", Some(Role::Lecture)),
    ("get", "/v1/verifications", Some(Role::Lecture)),
    ("get", "/v1/verifications/undeclared", Some(Role::Lecture)),
    (
        "post",
        "/v1/verifications/{line}/verify",
        Some(Role::Saisie),
    ),
    (
        "post",
        "/v1/verifications/{line}/request-correction",
        Some(Role::Saisie),
    ),
];

/// The query a read needs (its required parameters).
fn query(path: &str) -> &'static str {
    if path == "/v1/declarations/export" {
        "?format=adf"
    } else {
        ""
    }
}

/// Reads whose answer is a file (CSV), refused to a `lecture` user without NIR access.
const FILES: [&str; 2] = ["/v1/declarations/export", "/v1/exports/{id}/file"];

struct Harness {
    base: String,
    http: reqwest::Client,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(
                "Idempotency-Key",
                format!("rights-{}", rand::random::<u64>()),
            );
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The id of the first item of the list at `path` for `token`, if any.
    async fn first_id(&self, path: &str, token: &str) -> Option<String> {
        let (status, body) = self.call("get", path, Some(token), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        page["items"][0]["id"].as_i64().map(|id| id.to_string())
    }
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let options = ServerOptions {
        db_path: dir.path().join("rights.db"),
        demo: Some(DemoOptions {
            workers: 60,
            seed: DEFAULT_SEED,
            today,
        }),
        today: Some(today),
    };
    let server = Server::open(
        options,
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Harness {
        base,
        http: reqwest::Client::new(),
        _stop: stop,
        _dir: dir,
    }
}

/// `path` with `{id}` replaced by `id` and every other parameter by [`MISSING`].
fn fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(&rest[..open]);
        out.push_str(if &rest[open..=close] == "{id}" {
            id
        } else {
            MISSING
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether every string under a `nir` key is masked (bullets, no 13-digit number).
fn all_nirs_masked(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().all(|(key, inner)| match inner {
            Value::String(text) if key.eq_ignore_ascii_case("nir") => text.contains('•'),
            _ => all_nirs_masked(inner),
        }),
        Value::Array(items) => items.iter().all(all_nirs_masked),
        _ => true,
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_its_class_says() {
    let h = start().await;
    let [admin, other, _] = DEMO_TOKENS;
    let [(lecture, ..), (saisie, ..)] = DEMO_ROLE_USERS;
    let roles = [
        (Role::Lecture, lecture),
        (Role::Saisie, saisie),
        (Role::Administration, admin),
    ];
    // One export batch for each employer, so `/v1/exports/{id}` has something to read.
    for token in [admin, other] {
        let (status, body) = h
            .call(
                "post",
                "/v1/exports",
                Some(token),
                Some(&json!({"kind": "adf"})),
            )
            .await;
        assert!(matches!(status, 201 | 204), "{body}");
    }
    let ids = async |token: &str| {
        [
            ("/v1/workers/", h.first_id("/v1/workers", token).await),
            ("/v1/sessions/", h.first_id("/v1/sessions", token).await),
            (
                "/v1/declarations/",
                h.first_id("/v1/declarations", token).await,
            ),
            ("/v1/exports/", h.first_id("/v1/exports", token).await),
        ]
    };
    let own = ids(admin).await;
    let others = ids(other).await;
    let id_of = |ids: &[(&str, Option<String>)], path: &str| {
        ids.iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .and_then(|(_, id)| id.clone())
    };
    assert!(
        own[..2]
            .iter()
            .chain(&others[..2])
            .all(|(_, id)| id.is_some())
    );

    let (_, openapi) = h.call("get", "/v1/openapi.json", None, None).await;
    let openapi: Value = serde_json::from_str(&openapi).unwrap();
    let mut checked = 0;
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Some((_, _, needed)) = TABLE.iter().find(|(m, p, _)| m == method && p == path)
            else {
                panic!("{method} {path} is documented but has no row in TABLE of tests/rights.rs");
            };
            checked += 1;
            let Some(needed) = *needed else {
                let (status, _) = h.call(method, path, None, None).await;
                assert_eq!(status, 200, "{method} {path} is public");
                continue;
            };
            let templated = path.contains('{');
            let own_path = if templated {
                fill(
                    path,
                    &id_of(&own, path).unwrap_or_else(|| MISSING.to_owned()),
                )
            } else {
                format!("{path}{}", query(path))
            };
            let body = (method != "get").then(|| json!({}));
            for (role, token) in roles {
                let (status, answer) = h.call(method, &own_path, Some(token), body.as_ref()).await;
                if !role.allows(needed) {
                    assert_eq!(status, 403, "{method} {path} as {role}: {answer}");
                    let needed_named = format!("« {needed} »");
                    assert!(
                        answer.contains(&needed_named),
                        "{method} {path} as {role}: {answer}"
                    );
                    continue;
                }
                let own_exists = !templated || id_of(&own, path).is_some();
                let nir_file = FILES.contains(&path.as_str()) && role == Role::Lecture;
                assert_ne!(status, 401, "{method} {path} as {role}: {answer}");
                if !(nir_file && own_exists) {
                    assert_ne!(status, 403, "{method} {path} as {role}: {answer}");
                }
                if method == "get" {
                    let expected = match (own_exists, nir_file) {
                        (false, _) => 404,
                        (true, true) => 403,
                        (true, false) => 200,
                    };
                    assert_eq!(status, expected, "{method} {own_path} as {role}: {answer}");
                    if role == Role::Lecture && status == 200 {
                        let value: Value = serde_json::from_str(&answer).unwrap();
                        assert!(
                            all_nirs_masked(&value),
                            "{method} {path}: NIRs masked for lecture: {answer}"
                        );
                    }
                }
                if templated && let Some(id) = id_of(&others, path) {
                    let (status, answer) = h
                        .call(method, &fill(path, &id), Some(token), body.as_ref())
                        .await;
                    let (missing, _) = h
                        .call(method, &fill(path, MISSING), Some(token), body.as_ref())
                        .await;
                    assert_eq!(
                        status, missing,
                        "{method} {path} as {role}, other account: {answer}"
                    );
                    assert!(
                        matches!(status, 400 | 404 | 422),
                        "{method} {path} as {role}, other account: {status} {answer}"
                    );
                }
            }
        }
    }
    assert_eq!(checked, TABLE.len(), "every row of TABLE is documented");
}

#[tokio::test]
async fn removing_a_titulaire_is_in_the_trail_and_a_refused_removal_is_not() {
    let h = start().await;
    let of = DEMO_TOKENS[2];
    let id = h.first_id("/v1/declarations", of).await.unwrap();
    let (status, view) = h
        .call("get", &format!("/v1/declarations/{id}"), Some(of), None)
        .await;
    assert_eq!(status, 200, "{view}");
    let view: Value = serde_json::from_str(&view).unwrap();
    let partner = view["declaration"]["titulaires"][0]["id_unique_partenaire"]
        .as_str()
        .unwrap()
        .to_owned();
    let trail = async || {
        let (status, page) = h.call("get", "/v1/audit", Some(of), None).await;
        assert_eq!(status, 200, "{page}");
        let page: Value = serde_json::from_str(&page).unwrap();
        page["items"].as_array().unwrap().clone()
    };
    let before = trail().await.len();
    let (status, _) = h
        .call(
            "delete",
            &format!("/v1/declarations/{id}/titulaires/inconnu"),
            Some(of),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        trail().await.len(),
        before,
        "a refused removal leaves no entry"
    );
    let path = format!("/v1/declarations/{id}/titulaires/{partner}");
    let (status, answer) = h.call("delete", &path, Some(of), None).await;
    assert_eq!(status, 200, "{answer}");
    let entries = trail().await;
    assert_eq!(entries.len(), before + 1);
    let entry = &entries[before];
    assert_eq!(entry["action"], "retrait du titulaire");
    assert_eq!(entry["entity_id"], format!("{id}/{partner}"));
    assert_eq!(entry["user"], "administration");
    assert_eq!(entry["before"]["removed"], false);
    assert_eq!(entry["after"]["removed"], true);
}
