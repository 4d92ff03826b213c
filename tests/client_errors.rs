//! The API client against tiny raw-HTTP servers on loopback: every failure maps to the right
//! `ApiError`, retries happen only where safe, and requests carry what the contract says.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    DeclarationStatus, DeclarationSummary, DeclarationView, DeclarationsQuery, ExpirationsQuery,
    SessionDeclarationStatus, SessionsQuery, WorkersQuery,
};
use passeport::api::{ApiError, Client};
use passeport::domain::declaration::Declaration;
use passeport::domain::{DeclarationKind, FieldError};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "jeton-de-test-42";

/// What a test server does with one request: answer with raw HTTP, or stall forever.
enum Answer {
    Raw(String),
    Stall,
}

/// A loopback server answering each connection with `handler(connection index, request head)`.
struct TestServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    async fn start(handler: impl Fn(usize, &str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let (count, log) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let index = count.fetch_add(1, Ordering::SeqCst);
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    let head = read_request(&stream).await;
                    log.lock().unwrap().push(head.clone());
                    match handler(index, &head) {
                        Answer::Raw(response) => write_all(&stream, response.as_bytes()).await,
                        Answer::Stall => std::future::pending::<()>().await,
                    }
                });
            }
        });
        Self {
            addr,
            connections,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn request_lines(&self) -> Vec<String> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .map(|head| head.lines().next().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Reads the head and the body (by `Content-Length`) of one request, returns the head.
async fn read_request(stream: &TcpStream) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return head;
            }
        }
        if stream.readable().await.is_err() {
            return String::new();
        }
        match stream.try_read(&mut buf) {
            Ok(0) => return String::from_utf8_lossy(&data).into_owned(),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return String::new(),
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        if stream.writable().await.is_err() {
            return;
        }
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

fn response(status: &str, content_type: &str, extra: &[(&str, &str)], body: &str) -> Answer {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    Answer::Raw(text)
}

fn json(status: &str, body: &str) -> Answer {
    response(status, "application/json", &[], body)
}

fn problem(status: u16, reason: &str, detail: &str, errors: &str) -> Answer {
    let body = format!(
        r#"{{"type":"about:blank","title":"{reason}","status":{status},"detail":"{detail}","errors":{errors}}}"#
    );
    response(
        &format!("{status} {reason}"),
        "application/problem+json",
        &[],
        &body,
    )
}

fn options(retries: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        retries,
        backoff_base: Duration::from_millis(10),
    }
}

fn client(server: &TestServer, retries: u32) -> Client {
    Client::new(&server.url(), Some(TOKEN.to_owned()), options(retries)).unwrap()
}

const HEALTH: &str = r#"{"status":"ok","version":"0.1.0"}"#;

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}");
    let client = Client::new(&url, Some(TOKEN.to_owned()), options(1)).unwrap();
    let error = client.health().await.unwrap_err();
    assert_eq!(error, ApiError::Unreachable { url: url.clone() });
    assert!(error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains(&url) && message.contains("api_url"),
        "{message}"
    );
    assert!(!message.contains(TOKEN));
}

#[tokio::test]
async fn a_stalled_server_times_out() {
    let server = TestServer::start(|_, _| Answer::Stall).await;
    let started = Instant::now();
    let error = client(&server, 0).me().await.unwrap_err();
    assert_eq!(error, ApiError::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_for_get_only() {
    let failing = || problem(500, "Erreur interne", "base de données indisponible", "[]");
    let server = TestServer::start(move |_, _| failing()).await;
    let error = client(&server, 2).worker(12).await.unwrap_err();
    assert_eq!(
        error,
        ApiError::Server {
            status: 500,
            detail: "base de données indisponible".to_owned()
        }
    );
    assert_eq!(server.connections(), 3, "one attempt and two retries");

    let server = TestServer::start(move |_, _| failing()).await;
    let error = client(&server, 2)
        .remove_titulaire(7, "P-001")
        .await
        .unwrap_err();
    assert!(
        matches!(error, ApiError::Server { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(server.connections(), 1, "a DELETE is never retried");
}

#[tokio::test]
async fn malformed_json_is_reported_without_the_body() {
    let server = TestServer::start(|_, _| json("200 OK", r#"{"status":"ok","vers"#)).await;
    let error = client(&server, 2).health().await.unwrap_err();
    assert!(matches!(error, ApiError::Malformed { .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert_eq!(server.connections(), 1, "a malformed answer is not retried");

    let nir = "1850375123456";
    let body = format!(r#"{{"status":{nir},"version":"0.1.0"}}"#);
    let server = TestServer::start(move |_, _| json("200 OK", &body)).await;
    let error = client(&server, 0).health().await.unwrap_err();
    assert!(matches!(error, ApiError::Malformed { .. }), "{error:?}");
    assert!(!error.to_string().contains(nir));
}

#[tokio::test]
async fn unauthorized_not_found_and_conflict() {
    let server = TestServer::start(|_, head| {
        if head.starts_with("GET /v1/me ") {
            problem(401, "Non authentifié", "jeton inconnu", "[]")
        } else if head.starts_with("GET /v1/workers/99 ") {
            problem(404, "Introuvable", "aucun salarié 99", "[]")
        } else {
            problem(409, "Conflit", "titulaire déjà retiré", "[]")
        }
    })
    .await;
    let client = client(&server, 2);
    assert_eq!(client.me().await.unwrap_err(), ApiError::Unauthorized);
    assert_eq!(client.worker(99).await.unwrap_err(), ApiError::NotFound);
    assert_eq!(
        client.remove_titulaire(3, "P-9").await.unwrap_err(),
        ApiError::Conflict {
            detail: "titulaire déjà retiré".to_owned()
        }
    );
    assert_eq!(server.connections(), 3, "none of these is retried");
    assert!(ApiError::Unauthorized.to_string().contains("révoqué"));
}

#[tokio::test]
async fn unprocessable_keeps_both_field_errors() {
    let errors = r#"[{"field":"titulaires[0].NIR","code":"invalid_key","message":"clé du NIR incorrecte"},
        {"field":"SIRET_EMPLOYEUR","code":"required","message":"SIRET de l'employeur obligatoire"}]"#;
    let server =
        TestServer::start(move |_, _| problem(422, "Données invalides", "2 erreurs", errors)).await;
    let error = client(&server, 2)
        .workers(&WorkersQuery::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.field_errors(),
        &[
            FieldError::new("titulaires[0].NIR", "invalid_key", "clé du NIR incorrecte"),
            FieldError::new(
                "SIRET_EMPLOYEUR",
                "required",
                "SIRET de l'employeur obligatoire"
            ),
        ]
    );
    assert!(matches!(error, ApiError::Invalid { .. }));
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn rate_limit_honours_retry_after_then_gives_up() {
    let server = TestServer::start(|_, _| {
        response(
            "429 Too Many Requests",
            "application/problem+json",
            &[("Retry-After", "1")],
            "{}",
        )
    })
    .await;
    let started = Instant::now();
    let error = client(&server, 1).catalogue().await.unwrap_err();
    assert_eq!(
        error,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!(server.connections(), 2, "retried once");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_a_503_succeeds() {
    let server = TestServer::start(|index, _| {
        if index == 0 {
            response(
                "503 Service Unavailable",
                "text/html",
                &[],
                "<h1>indisponible</h1>",
            )
        } else {
            json("200 OK", HEALTH)
        }
    })
    .await;
    let health = client(&server, 3).health().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn requests_carry_token_query_and_encoded_segments() {
    let server = TestServer::start(|_, head| {
        if head.starts_with("DELETE") {
            problem(404, "Introuvable", "aucun titulaire", "[]")
        } else {
            json("200 OK", r#"{"items":[],"next_cursor":null}"#)
        }
    })
    .await;
    let client = client(&server, 0);
    let query = WorkersQuery {
        q: Some("Dupont".to_owned()),
        limit: Some(10),
        cursor: None,
        archived: None,
    };
    client.workers(&query).await.unwrap();
    let sessions = SessionsQuery {
        status: Some(SessionDeclarationStatus::ADeclarer),
        ..SessionsQuery::default()
    };
    client.sessions(&sessions).await.unwrap();
    let declarations = DeclarationsQuery {
        status: Some(DeclarationStatus::EnRetard),
        ..DeclarationsQuery::default()
    };
    client.declarations(&declarations).await.unwrap();
    let _ = client.remove_titulaire(7, "a/b c").await;
    assert_eq!(
        server.request_lines(),
        [
            "GET /v1/workers?q=Dupont&limit=10 HTTP/1.1",
            "GET /v1/sessions?status=a_declarer HTTP/1.1",
            "GET /v1/declarations?status=en_retard HTTP/1.1",
            "DELETE /v1/declarations/7/titulaires/a%2Fb%20c HTTP/1.1",
        ]
    );
    let requests = server.requests.lock().unwrap();
    for head in requests.iter() {
        let bearer = format!("authorization: Bearer {TOKEN}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&bearer.to_ascii_lowercase()),
            "{head}"
        );
    }
}

#[tokio::test]
async fn export_returns_the_text_body() {
    let server = TestServer::start(|_, _| {
        response(
            "200 OK",
            "text/plain; charset=utf-8",
            &[],
            "ID_DECLARATION|REFERENCE_DECLARATION\n",
        )
    })
    .await;
    let text = client(&server, 0)
        .export(passeport::api::contract::ExportFormat::Jdr)
        .await
        .unwrap();
    assert_eq!(text, "ID_DECLARATION|REFERENCE_DECLARATION\n");
    assert_eq!(
        server.request_lines(),
        ["GET /v1/declarations/export?format=jdr HTTP/1.1"]
    );
}

fn session(id: i64) -> String {
    format!(
        r#"{{"id":{id},"training_code":"SST","title":"SST initial","organisme":"OF Sud",
        "place":"Lyon","start_date":"2025-01-06","end_date":"2025-01-07","trainee_count":8,
        "declaration_status":"declaree"}}"#
    )
}

fn expiration(worker_id: i64) -> String {
    format!(
        r#"{{"worker_id":{worker_id},"last_name":"DUPONT","first_names":"Anne","site":"Lyon",
        "training_code":"SST","training_title":"SST","expires_on":"2025-03-01","days_left":-3,
        "status":"expired"}}"#
    )
}

#[tokio::test]
async fn pagination_helpers_follow_next_cursor_with_the_largest_page() {
    let server = TestServer::start(|_, head| {
        let line = head.lines().next().unwrap_or_default();
        if line.starts_with("GET /v1/sessions") {
            if line.contains("cursor=c2") {
                json("200 OK", &format!(r#"{{"items":[{}],"next_cursor":null}}"#, session(3)))
            } else {
                let items = format!("{},{}", session(1), session(2));
                json("200 OK", &format!(r#"{{"items":[{items}],"next_cursor":"c2"}}"#))
            }
        } else if line.contains("cursor=e2") {
            let body = format!(
                r#"{{"today":"2025-03-04","counts":{{"expired":9,"within_30":9,"within_60":9,"within_90":9}},
                "items":[{}],"next_cursor":null}}"#,
                expiration(2)
            );
            json("200 OK", &body)
        } else {
            let body = format!(
                r#"{{"today":"2025-03-04","counts":{{"expired":2,"within_30":0,"within_60":0,"within_90":0}},
                "items":[{}],"next_cursor":"e2"}}"#,
                expiration(1)
            );
            json("200 OK", &body)
        }
    })
    .await;
    let client = client(&server, 0);
    let sessions = client
        .all_sessions(&SessionsQuery::default())
        .await
        .unwrap();
    assert_eq!(sessions.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2, 3]);

    let query = ExpirationsQuery {
        within_days: Some(30),
        ..ExpirationsQuery::default()
    };
    let page = client.all_expirations(&query).await.unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.worker_id).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(page.counts.expired, 2, "counts come from the first page");
    assert_eq!(page.next_cursor, None);

    assert_eq!(
        server.request_lines(),
        [
            "GET /v1/sessions?limit=5000 HTTP/1.1",
            "GET /v1/sessions?limit=5000&cursor=c2 HTTP/1.1",
            "GET /v1/expirations?within_days=30&limit=5000 HTTP/1.1",
            "GET /v1/expirations?within_days=30&limit=5000&cursor=e2 HTTP/1.1",
        ]
    );
}

/// Every pagination helper, through a borrowed client, as the terminal application's tasks do.
async fn fetch_everything(client: &Client) -> Result<usize, ApiError> {
    let workers = client.all_workers(&WorkersQuery::default()).await?;
    let sessions = client.all_sessions(&SessionsQuery::default()).await?;
    let declarations = client
        .all_declarations(&DeclarationsQuery::default())
        .await?;
    Ok(workers.len() + sessions.len() + declarations.len())
}

#[tokio::test]
async fn a_cloned_client_runs_in_spawned_tasks() {
    let server =
        TestServer::start(|_, _| json("200 OK", r#"{"items":[],"next_cursor":null}"#)).await;
    let client = client(&server, 0);
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let client = client.clone();
            // Fails to compile if the helpers' futures are not `Send` for every borrow.
            tokio::spawn(async move { fetch_everything(&client).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Ok(0));
    }
    assert_eq!(server.connections(), 9);
}

fn recorded(id: i64) -> String {
    let summary = DeclarationSummary {
        id,
        reference: "REF-1".to_owned(),
        kind: DeclarationKind::Attestation,
        training_title: "SST initial".to_owned(),
        titulaire_count: 1,
        status: DeclarationStatus::Enregistree,
        deadline: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        export: None,
    };
    let view = DeclarationView {
        summary,
        declaration: Declaration::default(),
    };
    serde_json::to_string(&view).unwrap()
}

#[tokio::test]
async fn create_declaration_is_retried_with_its_idempotency_key() {
    let server = TestServer::start(|index, _| match index {
        0 => problem(502, "Passerelle", "amont indisponible", "[]"),
        1 => json("201 Created", &recorded(41)),
        _ => json("200 OK", &recorded(41)),
    })
    .await;
    let client = client(&server, 2);
    let (view, created) = client
        .create_declaration(&Declaration::default(), "cle-1")
        .await
        .unwrap();
    assert_eq!((view.summary.id, created), (41, true));
    let (view, created) = client
        .create_declaration(&Declaration::default(), "cle-1")
        .await
        .unwrap();
    assert_eq!((view.summary.id, created), (41, false), "a 200 is a replay");
    assert_eq!(server.connections(), 3);
    let requests = server.requests.lock().unwrap();
    for head in requests.iter() {
        assert!(head.starts_with("POST /v1/declarations HTTP/1.1"), "{head}");
        assert!(
            head.to_ascii_lowercase().contains("idempotency-key: cle-1"),
            "{head}"
        );
    }
}

#[tokio::test]
async fn validation_refusal_and_success() {
    let server = TestServer::start(|index, head| {
        assert!(
            head.starts_with("POST /v1/declarations/validate "),
            "{head}"
        );
        if index == 0 {
            let errors = r#"[{"field":"NOM_FORMATION","code":"required","message":"obligatoire"}]"#;
            problem(422, "Déclaration invalide", "1 erreur", errors)
        } else {
            json("200 OK", r#"{"valid":true,"deadline":"2025-04-30"}"#)
        }
    })
    .await;
    let client = client(&server, 2);
    let error = client
        .validate_declaration(&Declaration::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.field_errors(),
        &[FieldError::new("NOM_FORMATION", "required", "obligatoire")]
    );
    let report = client
        .validate_declaration(&Declaration::default())
        .await
        .unwrap();
    assert!(report.valid);
    assert_eq!(
        report.deadline,
        chrono::NaiveDate::from_ymd_opt(2025, 4, 30)
    );
}
