//! Submission without duplicates: the real sandbox server behind a tiny TCP proxy that forwards
//! the first `POST /v1/declarations`, lets the server commit it, then closes the client's
//! connection without relaying the answer. The TUI's request path (`tui::run::fetch` with the
//! draft's idempotency key) retries with the same key, gets the same declaration back, and the
//! server holds exactly one.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{DeclarationView, DeclarationsQuery};
use passeport::domain::declaration::{Declaration, Titulaire};
use passeport::domain::ids::compute_key;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::drafts::Draft;
use passeport::rules::Rules;
use passeport::server::demo::DemoOptions;
use passeport::server::{DEMO_TOKENS, Server, ServerOptions};
use passeport::tui::action::{Request, Response};
use passeport::tui::run::fetch;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// The training organisation's demo token.
const OF_TOKEN: &str = DEMO_TOKENS[2];

async fn start_server(dir: &std::path::Path) -> SocketAddr {
    let rules = Rules::embedded().unwrap();
    let options = ServerOptions {
        db_path: dir.join("sandbox.db"),
        demo: Some(DemoOptions {
            workers: 60,
            seed: 11,
            today: today(),
        }),
        today: Some(today()),
    };
    let server = Server::open(
        options,
        (*rules.catalogue).clone(),
        (*rules.deadlines).clone(),
    )
    .await
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server.serve(listener, std::future::pending()));
    addr
}

/// Reads one HTTP/1.1 message (head and a `Content-Length` body) from `stream`.
async fn read_message(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + length {
                return buf;
            }
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed mid-message");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The answers the proxy swallowed.
type Swallowed = Arc<Mutex<Vec<String>>>;

/// A proxy to `upstream` that swallows the answer of the first `POST /v1/declarations`.
async fn start_proxy(upstream: SocketAddr) -> (SocketAddr, Swallowed, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let swallowed: Swallowed = Arc::default();
    let creations = Arc::new(AtomicUsize::new(0));
    let (kept, counted) = (Arc::clone(&swallowed), Arc::clone(&creations));
    tokio::spawn(async move {
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            let (swallowed, creations) = (Arc::clone(&kept), Arc::clone(&counted));
            tokio::spawn(async move {
                let mut server = TcpStream::connect(upstream).await.unwrap();
                let request = read_message(&mut client).await;
                let creation = request.starts_with(b"POST /v1/declarations ");
                server.write_all(&request).await.unwrap();
                if creation && creations.fetch_add(1, Ordering::SeqCst) == 0 {
                    // The server commits and answers; the client never hears of it.
                    let answer = read_message(&mut server).await;
                    swallowed
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&answer).into_owned());
                    drop(client);
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (addr, swallowed, creations)
}

fn declaration() -> Declaration {
    let mut d = Declaration::new(DeclarationKind::Attestation);
    d.id_declaration = "PP-RETRY-TEST".into();
    d.reference_declaration = "RETRY-TEST-001".into();
    d.nom_formation = "Sauveteur secouriste du travail (test de reprise)".into();
    d.date_debut_formation = NaiveDate::from_ymd_opt(2026, 10, 13);
    d.date_fin_formation = NaiveDate::from_ymd_opt(2026, 10, 15);
    d.date_debut_validite = NaiveDate::from_ymd_opt(2026, 10, 15);
    d.formation_certifiante = Some(false);
    d.domaine_formation = vec!["42829".into()];
    d.specialite_formation = vec!["344r".into()];
    d.competence_transferable = vec!["115650".into(), "121885".into(), "400635".into()];
    let body = "1850375112345";
    d.titulaires.push(Titulaire {
        id_unique_partenaire: "PP-RETRY-TEST-1".into(),
        nir: format!("{body}{:02}", compute_key(body).unwrap()),
        nom_titulaire: "DUPONT".into(),
        presence_employeur: Some(false),
        ..Titulaire::default()
    });
    d
}

fn client(addr: SocketAddr) -> Client {
    let options = ClientOptions {
        retries: 3,
        ..ClientOptions::default()
    };
    Client::new(
        &format!("http://{addr}"),
        Some(OF_TOKEN.to_owned()),
        options,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_retried_with_the_same_key_and_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let (proxy, swallowed, creations) = start_proxy(server).await;
    let direct = client(server);
    let before = direct
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();

    let d = declaration();
    assert_eq!(
        d.validate(DeclarantKind::OrganismeFormation, today()),
        Ok(())
    );
    // The key comes from the draft, as in the form.
    let draft = Draft::new(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    let request = Request::CreateDeclaration {
        declaration: Box::new(d.clone()),
        key: draft.idempotency_key.clone(),
    };
    let response = fetch(&client(proxy), request).await.unwrap();
    let Response::Created(view, created) = response else {
        panic!("{response:?}")
    };

    // The first attempt reached the server, which committed it; its answer was lost.
    assert_eq!(
        creations.load(Ordering::SeqCst),
        2,
        "one lost attempt, one retry"
    );
    let lost = swallowed.lock().unwrap().clone();
    assert_eq!(lost.len(), 1);
    assert!(lost[0].starts_with("HTTP/1.1 201"), "{}", lost[0]);
    let body = &lost[0][lost[0].find("\r\n\r\n").unwrap() + 4..];
    let first: DeclarationView = serde_json::from_str(body).unwrap();
    // The retry under the same key returns that same declaration, as a replay.
    assert!(!created, "a replay, not a second creation");
    assert_eq!(view.summary.id, first.summary.id);
    assert_eq!(view.summary.reference, "RETRY-TEST-001");

    // The server holds exactly one.
    let after = direct
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let ours: Vec<_> = after
        .iter()
        .filter(|s| s.reference == "RETRY-TEST-001")
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].id, first.summary.id);

    // Sending again later (e.g. `r` after a restart) still returns the same one.
    let again = Request::CreateDeclaration {
        declaration: Box::new(d),
        key: draft.idempotency_key,
    };
    let Response::Created(view, created) = fetch(&direct, again).await.unwrap() else {
        panic!()
    };
    assert!(!created);
    assert_eq!(view.summary.id, first.summary.id);
    let last = direct
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();
    assert_eq!(last.len(), after.len());
}
