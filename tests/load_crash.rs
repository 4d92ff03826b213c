//! Load and crash safety of `passeport serve`: the real binary on a temporary SQLite file, under
//! concurrent submissions by the demo training organisation, then killed with SIGKILL in the
//! middle of a second load and restarted on the same file.
//!
//! Checked: every acknowledged declaration (201 or 200 received) is stored exactly once (counted
//! by declaration id and by reference in the list, by ID_DECLARATION and ID_UNIQUE_PARTENAIRE in
//! the bulk export, and by idempotency key in the database file); half of the declarations are retried with the same
//! idempotency key (concurrently or after the answer) and get the same declaration back; no
//! answer is a 5xx (a busy database is waited for, never surfaced as 500); after the crash the
//! unacknowledged ones, retried under their keys, are recorded once; `PRAGMA integrity_check`
//! says `ok`.
//!
//! Full size (8 clients × 500 declarations) with `PASSEPORT_LOAD_TEST=1` (`.ci/run` sets it);
//! otherwise a reduced run (2 clients × 20) so that `cargo test` still exercises every step.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::WorkerView as Worker;
use passeport::api::contract::{
    DeclarationSummary, DeclarationsQuery, ExportFormat, IDEMPOTENCY_KEY, WorkersQuery,
};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::server::DEMO_TOKENS;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// The variable that asks for the full-size run.
const FULL_VAR: &str = "PASSEPORT_LOAD_TEST";
/// The training organisation's demo token.
const OF_TOKEN: &str = DEMO_TOKENS[2];
/// The frozen today of the server.
const TODAY: &str = "2026-11-26";
/// Longest wait for the server to answer `/healthz` after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How much load to apply.
#[derive(Debug, Clone, Copy)]
struct Scale {
    clients: usize,
    per_client: usize,
}

fn scale() -> Scale {
    if std::env::var(FULL_VAR).is_ok_and(|v| v == "1") {
        Scale {
            clients: 8,
            per_client: 500,
        }
    } else {
        eprintln!(
            "skipped: set {FULL_VAR}=1 for the full load test (8 clients × 500 declarations); \
             running the reduced version (2 clients × 20)"
        );
        Scale {
            clients: 2,
            per_client: 20,
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A `passeport serve` process.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the binary on `db` (demo data on a new file) and waits until it answers.
    async fn start(dir: &Path, db: &Path, round: usize) -> Self {
        for attempt in 0..5 {
            // A free port: bound, read, released, then given to the server.
            let addr = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let log = dir.join(format!("serve-{round}-{attempt}.log"));
            let child = Command::new(env!("CARGO_BIN_EXE_passeport"))
                .arg("--config")
                .arg(dir.join("config").join("config.toml"))
                .args(["serve", "--demo", "--workers", "200", "--addr"])
                .arg(addr.to_string())
                .arg("--db")
                .arg(db)
                .env("PASSEPORT_TODAY", TODAY)
                .env("PASSEPORT_LOG", "warn")
                .env_remove("PASSEPORT_TOKEN")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(File::create(&log).unwrap())
                .spawn()
                .unwrap();
            let mut server = ServerProcess { child, addr, log };
            if server.ready().await {
                return server;
            }
            server.child.kill().ok();
            server.child.wait().ok();
        }
        panic!("passeport serve did not start");
    }

    /// Polls `/healthz` until it answers 200; `false` if the process exits or time runs out.
    async fn ready(&mut self) -> bool {
        let http = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if let Ok(response) = http.get(format!("{}/healthz", self.base())).send().await
                && response.status() == 200
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn client(&self) -> Client {
        let options = ClientOptions {
            retries: 0,
            request_timeout: REQUEST_TIMEOUT,
            ..ClientOptions::default()
        };
        Client::new(&self.base(), Some(OF_TOKEN.to_owned()), options).unwrap()
    }

    /// SIGKILL: no shutdown, no checkpoint.
    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(&mut self) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: sends a signal to our own child process, which has not been waited for yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "passeport serve exit: {status}");
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// One declaration of the load: its key, reference and ID_DECLARATION, and the body.
#[derive(Debug, Clone)]
struct Planned {
    key: String,
    reference: String,
    body: Declaration,
    /// How it is retried with the same key: 0 none, 1 concurrently, 2 after the answer.
    retry: usize,
}

/// A valid attestation de formation of the training organisation with 1 to 3 of its visible
/// workers, a unique ID_UNIQUE_PARTENAIRE per line.
fn planned(round: usize, client: usize, n: usize, workers: &[Worker]) -> Planned {
    let name = format!("LOAD-{round}-{client}-{n}");
    let count = 1 + (client + n) % 3;
    let first = (client * 7919 + n * 31) % workers.len();
    let titulaires = (0..count)
        .map(|t| {
            let worker = &workers[(first + t) % workers.len()];
            Titulaire {
                id_unique_partenaire: format!("{name}-{t}"),
                nir: worker.nir.clear().unwrap().as_str().to_owned(),
                nom_titulaire: worker.last_name.chars().take(30).collect(),
                presence_employeur: Some(true),
                siret_employeur: worker.employer_siret.as_str().to_owned(),
                reference_employeur: String::new(),
            }
        })
        .collect();
    let body = Declaration {
        id_declaration: name.clone(),
        reference_declaration: format!("REF-{name}"),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 6, 1)),
        date_fin_formation: Some(date(2026, 6, 2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: vec!["115650".into(), "121885".into(), "400635".into()],
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: vec!["42829".into()],
        specialite_formation: vec!["344r".into()],
        date_debut_validite: Some(date(2026, 6, 2)),
        titulaires,
        ..Declaration::new(DeclarationKind::Attestation)
    };
    Planned {
        key: format!("load-key-{round}-{client}-{n}"),
        reference: format!("REF-{name}"),
        body,
        retry: match n % 4 {
            0 => 1,
            2 => 2,
            _ => 0,
        },
    }
}

/// What the clients saw.
#[derive(Debug, Default)]
struct Outcome {
    /// Reference → declaration id, for every acknowledged declaration.
    acked: BTreeMap<String, i64>,
    /// Planned declarations whose every attempt failed (connection lost by the crash).
    unacked: Vec<Planned>,
    /// Every answer with a 5xx status, with its body.
    server_errors: Vec<(u16, String)>,
    /// Every other unexpected answer.
    refused: Vec<(u16, String)>,
    /// Replays that returned another declaration than the first answer.
    mismatched: Vec<String>,
}

/// The answer to one POST: `Ok((status, id))`, `Err` when no answer came (connection lost).
async fn post(
    http: &reqwest::Client,
    base: &str,
    planned: &Planned,
) -> Result<(u16, String), reqwest::Error> {
    let response = http
        .post(format!("{base}/v1/declarations"))
        .bearer_auth(OF_TOKEN)
        .header(IDEMPOTENCY_KEY, &planned.key)
        .json(&planned.body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.text().await?;
    Ok((status, body))
}

/// Sends `plan` from `clients` concurrent tasks; `acked` counts acknowledgements as they come.
async fn load(base: &str, plan: Vec<Vec<Planned>>, acked: Arc<AtomicUsize>) -> Outcome {
    let crashed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for batch in plan {
        let base = base.to_owned();
        let acked = Arc::clone(&acked);
        let crashed = Arc::clone(&crashed);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap();
            let mut outcome = Outcome::default();
            for planned in batch {
                if crashed.load(Ordering::SeqCst) {
                    outcome.unacked.push(planned);
                    continue;
                }
                let answers = if planned.retry == 1 {
                    let (a, b) =
                        tokio::join!(post(&http, &base, &planned), post(&http, &base, &planned));
                    vec![a, b]
                } else {
                    let first = post(&http, &base, &planned).await;
                    if planned.retry == 2 && first.is_ok() {
                        vec![first, post(&http, &base, &planned).await]
                    } else {
                        vec![first]
                    }
                };
                let mut ids = BTreeSet::new();
                for answer in answers {
                    match answer {
                        Ok((200 | 201, body)) => {
                            let value: serde_json::Value = serde_json::from_str(&body).unwrap();
                            ids.insert(value["id"].as_i64().unwrap());
                            assert_eq!(value["reference"], planned.reference.as_str());
                        }
                        Ok((status, body)) if status >= 500 => {
                            outcome.server_errors.push((status, body));
                        }
                        Ok((status, body)) => outcome.refused.push((status, body)),
                        Err(_) => crashed.store(true, Ordering::SeqCst),
                    }
                }
                if ids.len() > 1 {
                    outcome.mismatched.push(planned.reference.clone());
                }
                match ids.first() {
                    Some(id) => {
                        acked.fetch_add(1, Ordering::SeqCst);
                        outcome.acked.insert(planned.reference.clone(), *id);
                    }
                    None => outcome.unacked.push(planned),
                }
            }
            outcome
        }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        let outcome = task.await.unwrap();
        total.acked.extend(outcome.acked);
        total.unacked.extend(outcome.unacked);
        total.server_errors.extend(outcome.server_errors);
        total.refused.extend(outcome.refused);
        total.mismatched.extend(outcome.mismatched);
    }
    total
}

/// The plan of one round: `clients` batches of `per_client` declarations.
fn plan(round: usize, scale: Scale, workers: &[Worker]) -> Vec<Vec<Planned>> {
    (0..scale.clients)
        .map(|client| {
            (0..scale.per_client)
                .map(|n| planned(round, client, n, workers))
                .collect()
        })
        .collect()
}

/// The OF's declarations counted by reference, with their ids.
fn by_reference(list: &[DeclarationSummary]) -> HashMap<String, Vec<i64>> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for summary in list {
        out.entry(summary.reference.clone())
            .or_default()
            .push(summary.id);
    }
    out
}

/// Checks that every acknowledged declaration is stored once, under its id, and that the ADF
/// export holds each of its lines once.
async fn check_stored(client: &Client, acked: &BTreeMap<String, i64>, planned: &[Planned]) {
    let list = client
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();
    let ids: BTreeSet<i64> = list.iter().map(|d| d.id).collect();
    assert_eq!(ids.len(), list.len(), "a declaration id is listed twice");
    let counted = by_reference(&list);
    for (reference, id) in acked {
        assert_eq!(
            counted.get(reference),
            Some(&vec![*id]),
            "{reference}: acknowledged as {id}, stored {:?}",
            counted.get(reference)
        );
    }
    for planned in planned {
        let stored = counted.get(&planned.reference).map_or(0, Vec::len);
        assert!(stored <= 1, "{} stored {stored} times", planned.reference);
    }
    let export = client.export(ExportFormat::Adf).await.unwrap();
    let mut lines = export.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().unwrap().split('|').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id_column, partner_column) = (column("ID_DECLARATION"), column("ID_UNIQUE_PARTENAIRE"));
    let mut per_declaration: HashMap<String, usize> = HashMap::new();
    let mut partners = BTreeSet::new();
    for line in lines {
        let cells: Vec<&str> = line.split('|').collect();
        *per_declaration
            .entry(cells[id_column].to_owned())
            .or_default() += 1;
        assert!(
            partners.insert(cells[partner_column].to_owned()),
            "ID_UNIQUE_PARTENAIRE {} exported twice",
            cells[partner_column]
        );
    }
    let by_ref: HashMap<&str, &Planned> =
        planned.iter().map(|p| (p.reference.as_str(), p)).collect();
    for reference in acked.keys() {
        let planned = by_ref[reference.as_str()];
        assert_eq!(
            per_declaration.get(&planned.body.id_declaration),
            Some(&planned.body.titulaires.len()),
            "{}: one export line per titulaire",
            planned.body.id_declaration
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_survive_kill_9_exactly_once() {
    let scale = scale();
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("load.db");
    let mut server = ServerProcess::start(dir.path(), &db, 0).await;
    let client = server.client();
    let workers = client.all_workers(&WorkersQuery::default()).await.unwrap();
    assert!(workers.len() >= 3, "the training organisation sees workers");

    // Round 1: the whole load, half of it retried under the same key.
    let round1 = plan(1, scale, &workers);
    let all1: Vec<Planned> = round1.iter().flatten().cloned().collect();
    let outcome = load(&server.base(), round1, Arc::new(AtomicUsize::new(0))).await;
    assert!(
        outcome.server_errors.is_empty(),
        "5xx under load: {:?}\n{}",
        &outcome.server_errors[..outcome.server_errors.len().min(3)],
        server.log_tail()
    );
    assert!(
        outcome.refused.is_empty(),
        "refused: {:?}",
        &outcome.refused[..1]
    );
    assert!(
        outcome.mismatched.is_empty(),
        "replays differ: {:?}",
        outcome.mismatched
    );
    assert!(
        outcome.unacked.is_empty(),
        "{} unanswered",
        outcome.unacked.len()
    );
    assert_eq!(outcome.acked.len(), scale.clients * scale.per_client);
    check_stored(&client, &outcome.acked, &all1).await;
    let round1_time = started.elapsed();

    // Round 2: the same load, and SIGKILL once a third of it is acknowledged.
    let round2 = plan(2, scale, &workers);
    let all2: Vec<Planned> = round2.iter().flatten().cloned().collect();
    let acked = Arc::new(AtomicUsize::new(0));
    let running = tokio::spawn({
        let base = server.base();
        let acked = Arc::clone(&acked);
        async move { load(&base, round2, acked).await }
    });
    let target = (all2.len() / 3).max(1);
    while acked.load(Ordering::SeqCst) < target && !running.is_finished() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9();
    let outcome = running.await.unwrap();
    assert!(
        outcome.server_errors.is_empty(),
        "5xx before the kill: {:?}",
        &outcome.server_errors[..outcome.server_errors.len().min(3)]
    );
    assert!(
        outcome.refused.is_empty(),
        "refused: {:?}",
        &outcome.refused[..1]
    );
    assert!(
        outcome.mismatched.is_empty(),
        "replays differ: {:?}",
        outcome.mismatched
    );
    assert!(outcome.acked.len() >= target);
    assert!(
        !outcome.unacked.is_empty(),
        "the kill came after the whole load: nothing was interrupted"
    );

    // Restart on the same file: everything acknowledged is there, once.
    let mut server = ServerProcess::start(dir.path(), &db, 1).await;
    let client = server.client();
    check_stored(&client, &outcome.acked, &all2).await;
    // Round 1 is intact too.
    let list = client
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();
    let counted = by_reference(&list);
    for planned in &all1 {
        assert_eq!(
            counted.get(&planned.reference).map(Vec::len),
            Some(1),
            "{}",
            planned.reference
        );
    }

    // The interrupted ones, retried under their keys, end up recorded once each.
    let mut recovered = outcome.acked.clone();
    let http = reqwest::Client::new();
    for planned in &outcome.unacked {
        let (status, body) = post(&http, &server.base(), planned).await.unwrap();
        let stored_before = counted.get(&planned.reference).map_or(0, Vec::len);
        let expected = if stored_before == 1 { 200 } else { 201 };
        assert_eq!(status, expected, "{}: {body}", planned.reference);
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        recovered.insert(planned.reference.clone(), value["id"].as_i64().unwrap());
    }
    assert_eq!(recovered.len(), all2.len());
    check_stored(&client, &recovered, &all2).await;

    // The file is sound.
    let options = SqliteConnectOptions::new().filename(&db).read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(check, vec!["ok".to_owned()]);
    // Every key of both rounds is stored once, as the server holds it.
    let keys: Vec<(String, i64)> = sqlx::query_as(
        "SELECT idempotency_key, COUNT(*) FROM declarations \
         WHERE idempotency_key LIKE 'load-key-%' GROUP BY idempotency_key",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let keys: HashMap<String, i64> = keys.into_iter().collect();
    assert_eq!(keys.len(), all1.len() + all2.len());
    for planned in all1.iter().chain(&all2) {
        assert_eq!(keys.get(&planned.key), Some(&1), "{}", planned.key);
    }
    pool.close().await;
    server.stop();
    eprintln!(
        "load_crash: {} clients × {} declarations; round 1 in {:.1} s; {} acknowledged before \
         SIGKILL, {} interrupted; total {:.1} s",
        scale.clients,
        scale.per_client,
        round1_time.as_secs_f64(),
        outcome.acked.len(),
        outcome.unacked.len(),
        started.elapsed().as_secs_f64()
    );
}
