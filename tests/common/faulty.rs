//! Servers that fail on purpose, and the real sandbox server, on a loopback port chosen by the
//! test: the fault matrix starts a fault server on a port, stops it, then starts the real server
//! on the SAME port to check that the client recovers without being rebuilt.
//!
//! Fault servers are tiny raw-HTTP servers on a tokio `TcpListener` (the pattern of
//! `tests/client_errors.rs`); the real one is `passeport::server::Server` over a temporary SQLite
//! file seeded with a small deterministic demo and a frozen today.

// Each test file including this module uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use passeport::api::contract::{ExpirationCounts, ExpirationsPage};
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{Server, ServerOptions};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// The frozen today of the servers and of the commands (`PASSEPORT_TODAY`).
pub const TODAY: &str = "2026-11-26";

/// Workers of the demo seeded into the real server: enough for expiries, fast to seed.
pub const DEMO_WORKERS: u32 = 60;

/// The token of the first demo employer, accepted by the real server.
pub const TOKEN: &str = "demo-employeur";

/// The frozen today as a date.
pub fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

/// A loopback port nothing listens on: bound on port 0, then released.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `http://127.0.0.1:{port}`.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Binds `port` again right after another listener released it (retrying briefly while the
/// system frees it).
pub async fn bind(port: u16) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match TcpListener::bind(addr(port)).await {
            Ok(listener) => return listener,
            Err(e) if Instant::now() < deadline => {
                eprintln!("port {port} pas encore libre ({e}), nouvel essai");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("port {port} still taken: {e}"),
        }
    }
}

/// How a fault server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Accepts and reads each request, never answers.
    Stall,
    /// Accepts nothing: its accept queue is full, so connections hang in the handshake (a hung
    /// server process).
    NotAccepting,
    /// 500 with a problem document.
    ServerError,
    /// 200 with truncated JSON.
    Malformed,
    /// 401: the token was revoked.
    Unauthorized,
    /// 429 with `Retry-After: 1`.
    RateLimited,
    /// Answers the first request with a page of expirations pointing to a next page, then stops
    /// listening: the server disappears in the middle of a paginated read.
    DiesAfterFirstPage,
}

/// A running fault server.
pub struct FaultServer {
    task: JoinHandle<()>,
    requests: Arc<AtomicUsize>,
    _filler: Option<std::net::TcpStream>,
}

impl FaultServer {
    /// Starts a server misbehaving as `fault` on `port`.
    pub async fn start(port: u16, fault: Fault) -> Self {
        if fault == Fault::NotAccepting {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket.bind(addr(port)).unwrap();
            // A backlog of 0 queues one connection; ours fills it, so every other handshake
            // hangs until the client's connect timeout.
            let listener = socket.listen(0).unwrap();
            let filler =
                std::net::TcpStream::connect_timeout(&addr(port), Duration::from_secs(1)).unwrap();
            let task = tokio::spawn(async move {
                let _listener = listener;
                std::future::pending::<()>().await;
            });
            let requests = Arc::new(AtomicUsize::new(0));
            return Self {
                task,
                requests,
                _filler: Some(filler),
            };
        }
        Self::serve(port, fault == Fault::DiesAfterFirstPage, move || {
            answer(fault)
        })
        .await
    }

    /// Starts a server answering every request with 200 and the JSON `body` (a server sending
    /// hostile data).
    pub async fn json(port: u16, body: String) -> Self {
        let response = raw("200 OK", "application/json", "", &body);
        Self::serve(port, false, move || Some(response.clone())).await
    }

    /// Serves `answer()` (none: stall) to every request; with `once`, serves a first page of
    /// expirations to the first request and then stops listening.
    async fn serve(
        port: u16,
        once: bool,
        answer: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let listener = bind(port).await;
        let count = Arc::clone(&requests);
        let answer = Arc::new(answer);
        let task = tokio::spawn(async move {
            // Dropped with the task: stopping the server closes every connection.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let index = count.fetch_add(1, Ordering::SeqCst);
                if once {
                    if index == 0 {
                        read_request(&stream).await;
                        write_all(&stream, first_page().as_bytes()).await;
                    }
                    // Gone: later connections are refused.
                    break;
                }
                let answer = Arc::clone(&answer);
                connections.spawn(async move {
                    read_request(&stream).await;
                    match answer() {
                        Some(response) => write_all(&stream, response.as_bytes()).await,
                        None => std::future::pending::<()>().await,
                    }
                });
            }
            drop(listener);
            std::future::pending::<()>().await;
        });
        Self {
            task,
            requests,
            _filler: None,
        }
    }

    /// Connections accepted so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Stops the server: the listener and every connection are closed when this returns.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// The raw answer of a fault, none for a stall.
fn answer(fault: Fault) -> Option<String> {
    let problem = |status: u16, reason: &str, title: &str, detail: &str, extra: &str| {
        let body = format!(
            r#"{{"type":"about:blank","title":"{title}","status":{status},"detail":"{detail}"}}"#
        );
        raw(
            &format!("{status} {reason}"),
            "application/problem+json",
            extra,
            &body,
        )
    };
    match fault {
        Fault::Stall | Fault::NotAccepting | Fault::DiesAfterFirstPage => None,
        Fault::ServerError => Some(problem(
            500,
            "Internal Server Error",
            "Erreur interne",
            "base de données indisponible",
            "",
        )),
        Fault::Malformed => Some(raw(
            "200 OK",
            "application/json",
            "",
            r#"{"today":"2026-11-26","items":[{"worker_id":"#,
        )),
        Fault::Unauthorized => Some(problem(
            401,
            "Unauthorized",
            "Authentification requise",
            "jeton inconnu ou révoqué",
            "WWW-Authenticate: Bearer\r\n",
        )),
        Fault::RateLimited => Some(problem(
            429,
            "Too Many Requests",
            "Trop de requêtes",
            "réessayez plus tard",
            "Retry-After: 1\r\n",
        )),
    }
}

/// A first page of expirations (empty) announcing a second one.
fn first_page() -> String {
    let page = ExpirationsPage {
        today: today(),
        counts: ExpirationCounts::default(),
        items: Vec::new(),
        next_cursor: Some("page-2".to_owned()),
    };
    raw(
        "200 OK",
        "application/json",
        "",
        &serde_json::to_string(&page).unwrap(),
    )
}

fn raw(status: &str, content_type: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

/// Reads the head and the body (by `Content-Length`) of one request.
async fn read_request(stream: &TcpStream) {
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
                return;
            }
        }
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut buf) {
            Ok(0) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
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

/// The real sandbox server, running in this process.
pub struct RealServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RealServer {
    /// Opens (seeding it when new) the database `db` and serves it on `port`.
    pub async fn start(port: u16, db: &Path) -> Self {
        let options = ServerOptions {
            db_path: db.to_owned(),
            demo: Some(DemoOptions {
                workers: DEMO_WORKERS,
                seed: DEFAULT_SEED,
                today: today(),
            }),
            today: Some(today()),
        };
        let server = Server::open(
            options,
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        let listener = bind(port).await;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            server.serve(listener, shutdown).await.unwrap();
        });
        Self { stop, task }
    }

    /// Stops the server and waits until its port and database are released.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}
