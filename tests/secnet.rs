//! The network side of issue 18 on a real server over real sockets, on each backend: TLS with
//! a private authority the client trusts, slow and idle clients beyond the connection cap, a
//! bounded request head (431 problem), the security headers of every answer; and the client's
//! own guards: no token over `http://` to another machine, no redirect to another origin.

#[path = "common/certs.rs"]
mod certs;
#[path = "common/databases.rs"]
mod databases;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use passeport::api::client::ClientOptions;
use passeport::api::{ApiError, Client};
use passeport::domain::DeclarantKind;
use passeport::domain::DeclarationKind;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::Declaration;
use passeport::domain::ids::Siret;
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseSettings;
use passeport::server::listen::{Limits, ListenOptions};
use passeport::server::tls::{Tls, TlsFiles};
use passeport::server::{Server, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use databases::each_backend;

/// SIRET of the one account.
const EMPLOYER: &str = "35600000000048";

/// Safety net of the waits below: far above what any of them needs, never asserted on.
const PATIENCE: Duration = Duration::from_secs(120);

/// A server with one employer account, served on a loopback port until dropped.
struct Running {
    addr: std::net::SocketAddr,
    token: String,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Opens a server over `database`, creates the account and its token, serves with `options`.
    async fn start(database: &DatabaseSettings, options: ListenOptions) -> Self {
        let server = Server::open_on(
            database,
            ServerOptions {
                db_path: std::path::PathBuf::new(),
                demo: None,
                today: None,
            },
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        let siret = Siret::from_str(EMPLOYER).unwrap();
        server
            .create_account(DeclarantKind::Employeur, &siret, "Menuiserie Martin", None)
            .await
            .unwrap();
        let token = server.create_token(&siret).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            server
                .serve_with(listener, options, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            addr,
            token,
            stop: Some(stop),
            done: Some(done),
        }
    }

    /// `http://127.0.0.1:PORT`.
    fn http(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits until its database is closed.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = tokio::time::timeout(PATIENCE, done).await;
        }
    }
}

/// A client without retries.
fn quick() -> ClientOptions {
    ClientOptions {
        retries: 0,
        ..ClientOptions::default()
    }
}

/// Reads `socket` until the server closes it (end of file or reset).
async fn until_closed(mut socket: TcpStream) {
    let mut buffer = [0_u8; 1024];
    loop {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Sends a request head one byte at a time, never ending it, until the server closes.
async fn slowloris(addr: std::net::SocketAddr) {
    let Ok(mut socket) = TcpStream::connect(addr).await else {
        return;
    };
    let head = b"GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Lent: "
        .iter()
        .copied();
    for byte in head.chain(std::iter::repeat(b'a')) {
        if socket.write_all(&[byte]).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut probe = [0_u8; 64];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), socket.read(&mut probe)).await
        {
            return;
        }
    }
}

/// More idle and slowloris sockets than the connection cap: a normal request is still
/// answered, and every attacking socket is closed by the server in the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_beyond_the_cap_leave_the_server_answering() {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let limits = Limits {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
            max_connections: 4,
            ..Limits::default()
        };
        let running = Running::start(&database.settings, ListenOptions { limits, tls: None }).await;
        let mut idle = Vec::new();
        for _ in 0..12 {
            idle.push(TcpStream::connect(running.addr).await.unwrap());
        }
        let slow: Vec<_> = (0..6)
            .map(|_| tokio::spawn(slowloris(running.addr)))
            .collect();

        let patient = ClientOptions {
            request_timeout: PATIENCE,
            ..quick()
        };
        let client = Client::new(&running.http(), Some(running.token.clone()), patient).unwrap();
        let me = client.me().await.expect("a normal request is answered");
        assert_eq!(me.name, "Menuiserie Martin");

        let closed = async {
            for socket in idle {
                until_closed(socket).await;
            }
            for task in slow {
                task.await.unwrap();
            }
        };
        tokio::time::timeout(PATIENCE, closed)
            .await
            .expect("the server closes idle and slowloris sockets");
        let again = client.me().await.expect("still answering afterwards");
        assert_eq!(again.name, "Menuiserie Martin");
        running.stop().await;
        database.drop_now().await;
    }
}

/// A request head over the bound gets a 431 with a French problem body; the security headers
/// are on every answer, `WWW-Authenticate: Bearer` on a 401, `no-store` on personal data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_are_bounded_and_answers_carry_the_security_headers() {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let running = Running::start(&database.settings, ListenOptions::default()).await;
        let http = reqwest::Client::new();
        let url = |path: &str| format!("{}{path}", running.http());

        let huge = "a".repeat(Limits::default().max_header_bytes + 1);
        let response = http
            .get(url("/v1/me"))
            .header("X-Grand", &huge)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 431);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["title"], "En-têtes trop volumineux");
        assert_eq!(problem["status"], 431);

        let personal = http
            .get(url("/v1/workers"))
            .bearer_auth(&running.token)
            .send()
            .await
            .unwrap();
        assert_eq!(personal.status(), 200);
        let headers = personal.headers();
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(!headers.contains_key("www-authenticate"));

        for token in [None, Some("pp_inconnu")] {
            let mut request = http.get(url("/v1/me"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let refused = request.send().await.unwrap();
            assert_eq!(refused.status(), 401);
            assert_eq!(
                refused.headers()["www-authenticate"],
                "Bearer realm=\"passeport\""
            );
            assert_eq!(refused.headers()["cache-control"], "no-store");
        }

        let unknown = http.get(url("/v1/nulle-part")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert_eq!(unknown.headers()["x-content-type-options"], "nosniff");
        let problem: serde_json::Value = unknown.json().await.unwrap();
        assert_eq!(problem["title"], "Ressource introuvable");
        running.stop().await;
        database.drop_now().await;
    }
}

/// TLS with the team's own authority: a client given it (`ca_cert`) talks to the server, one
/// without it is refused at the handshake, and plain HTTP on the TLS port gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_private_authority_the_client_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = certs::make(dir.path(), "equipe");
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let tls = Tls::load(TlsFiles {
            cert: certificate.cert.clone(),
            key: certificate.key.clone(),
        })
        .unwrap();
        let options = ListenOptions {
            limits: Limits::default(),
            tls: Some(tls),
        };
        let running = Running::start(&database.settings, options).await;
        let https = format!("https://localhost:{}", running.addr.port());
        let ca = std::fs::read(&certificate.ca).unwrap();

        let trusting =
            Client::with_ca(&https, Some(running.token.clone()), quick(), Some(&ca)).unwrap();
        assert_eq!(trusting.me().await.unwrap().name, "Menuiserie Martin");

        let stranger = Client::new(&https, Some(running.token.clone()), quick()).unwrap();
        assert!(
            matches!(stranger.me().await, Err(ApiError::Unreachable { .. })),
            "an unknown authority is refused"
        );

        let plain = reqwest::Client::new()
            .get(format!("{}/healthz", running.http()))
            .send()
            .await;
        assert!(plain.is_err(), "plain HTTP on the TLS port: {plain:?}");
        running.stop().await;
        database.drop_now().await;
    }
}

/// A bundle that is not PEM is refused with a French message.
#[test]
fn an_unreadable_authority_is_refused() {
    let error = Client::with_ca(
        "https://passeport.example",
        None,
        quick(),
        Some(b"pas un certificat"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("ca_cert"), "{error}");
}

/// The client refuses to send a token over `http://` to another machine, in French; loopback
/// and `https://` are fine, and so is `http://` without a token.
#[test]
fn the_client_sends_no_token_over_http_to_another_machine() {
    let token = || Some("pp_secret".to_owned());
    for url in [
        "http://192.0.2.10:8080",
        "http://passeport.example",
        "http://0.0.0.0:8080",
    ] {
        let error = Client::new(url, token(), quick()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("en clair"), "{url}: {message}");
        assert!(message.contains("https://"), "{url}: {message}");
        assert!(!message.contains("pp_secret"), "{message}");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
        "https://passeport.example",
    ] {
        assert!(Client::new(url, token(), quick()).is_ok(), "{url}");
    }
    assert!(Client::new("http://192.0.2.10:8080", None, quick()).is_ok());
}

/// A 307 to another origin is not followed: the declaration (NIRs) is not posted there and
/// the client says why; a redirect within the same origin is followed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_is_not_followed() {
    use axum::http::{StatusCode, header::LOCATION};
    use axum::response::IntoResponse;

    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let collector = axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::OK }
    });
    let collector_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector_url = format!("http://{}", collector_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(collector_listener, collector).await });

    let elsewhere = format!("{collector_url}/collect");
    let redirector = axum::Router::new()
        .route(
            "/v1/me",
            axum::routing::get(|| async {
                (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, "/v1/moi")]).into_response()
            }),
        )
        .route(
            "/v1/moi",
            axum::routing::get(|| async {
                axum::Json(serde_json::json!({
                    "kind": "employeur", "siret": EMPLOYER, "name": "Même origine",
                    "nda": null, "sandbox": false
                }))
            }),
        )
        .fallback(move || {
            let elsewhere = elsewhere.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, elsewhere)]).into_response() }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirector).await });

    let client = Client::new(&base, Some("pp_secret".to_owned()), quick()).unwrap();
    let declaration = Declaration::new(DeclarationKind::Attestation);
    let error = client
        .validate_declaration(&declaration)
        .await
        .expect_err("a 307 elsewhere is an error");
    let message = error.to_string();
    assert!(message.contains("307"), "{message}");
    assert!(message.contains("non suivie"), "{message}");
    assert!(message.contains(&collector_url), "{message}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other origin"
    );

    let followed = client
        .me()
        .await
        .expect("a same-origin redirect is followed");
    assert_eq!(followed.name, "Même origine");
}
