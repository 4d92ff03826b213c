//! Server throughput and latency (BENCHMARKS.md §4), on loopback, over demo databases of 100k
//! workers (1M with `PASSEPORT_BENCH_1M=1`), on SQLite and, in the same run, on PostgreSQL when
//! `PASSEPORT_TEST_DATABASE_URL` names a server (`.ci/pg` starts one):
//! - requests per second of `GET /v1/workers/{id}/passport` under a fixed number of concurrent
//!   keep-alive clients for a fixed duration, against `GET /healthz` under the same load (the
//!   HTTP stack's floor, the baseline);
//! - latency of `GET /v1/expirations?within_days=90` (one page, with the counts over the whole
//!   visible workforce), against `GET /v1/me` (authentication and one lookup, the baseline); and
//!   the time to fetch every page of it, as the Échéances screen does;
//! - declarations created per second by the same number of concurrent clients, each
//!   `POST /v1/declarations` a new attestation of 1 to 3 titulaires under its own key.
//!
//! The SQLite side serves a scratch copy of the cached demo database (the creations write); the
//! PostgreSQL side is a fresh database seeded by the run, its seeding timed, dropped at the end.
//! The server runs in this process on its own two-thread runtime; the load comes from another
//! runtime on another thread. `cargo bench --bench server` measures and prints both backends
//! side by side with their ratio; `cargo test --benches` runs a smoke test of each.

mod common;
#[path = "../tests/common/databases.rs"]
mod databases;
#[path = "common/demo_server.rs"]
mod demo_server;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{Mode, Stats};
use demo_server::{DemoServer, TOKEN};
use passeport::api::contract::WorkerView;
use passeport::api::contract::{ExpirationsQuery, IDEMPOTENCY_KEY, WorkersQuery};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::server::DEMO_TOKENS;
use passeport::server::database::DatabaseSettings;

/// Concurrent clients of the load.
const CONCURRENCY: usize = 16;
/// Target passport reads per second on 100k workers (issue 7).
const PASSPORT_TARGET: f64 = 5_000.0;
/// The training organisation's demo token: it declares.
const OF_TOKEN: &str = DEMO_TOKENS[2];
/// Workers of the organisation named in the created declarations.
const DECLARED_WORKERS: u32 = 500;

/// What one backend measured.
struct Measured {
    backend: &'static str,
    seeding: Option<Duration>,
    visible: usize,
    roster_time: Duration,
    passport: Load,
    health: Load,
    expirations: Stats,
    me: Stats,
    all_pages: Stats,
    items: usize,
    creations: Load,
}

fn main() {
    let mode = Mode::detect();
    let load_for = match mode {
        Mode::Bench => Duration::from_secs(5),
        Mode::Smoke => Duration::from_millis(300),
    };
    for workers in mode.sizes(300, &[100_000], true) {
        let mut measured = Vec::new();
        let scratch = tempfile::tempdir().expect("scratch directory");
        let sqlite = demo_server::scratch_copy(workers, scratch.path());
        measured.push(measure("SQLite", sqlite, None, mode, load_for));
        drop(scratch);
        let runtime = demo_server::runtime(1);
        if let Some(database) = runtime.block_on(databases::fresh_postgres()) {
            let started = Instant::now();
            demo_server::seed(&database.settings, workers);
            let seeding = started.elapsed();
            let settings = database.settings.clone();
            measured.push(measure(
                "PostgreSQL",
                settings,
                Some(seeding),
                mode,
                load_for,
            ));
            runtime.block_on(database.drop_now());
        } else {
            eprintln!("(PASSEPORT_TEST_DATABASE_URL absent: PostgreSQL not measured)");
        }
        if mode == Mode::Smoke {
            for m in &measured {
                for (name, load) in [
                    ("passport", &m.passport),
                    ("healthz", &m.health),
                    ("declarations", &m.creations),
                ] {
                    assert!(
                        load.requests > 0,
                        "{}: {name}: requests were served",
                        m.backend
                    );
                    assert_eq!(
                        load.errors, 0,
                        "{}: {name}: every answer is a success",
                        m.backend
                    );
                }
                assert!(m.expirations.count > 0 && m.me.count > 0 && m.items > 0);
                println!("server smoke test: ok ({workers} workers, {})", m.backend);
            }
            continue;
        }
        for m in &measured {
            report(m, workers);
        }
        if let [sqlite, postgres] = measured.as_slice() {
            side_by_side(sqlite, postgres, workers);
        }
    }
}

/// Every measure on the demo database of `database`.
fn measure(
    backend: &'static str,
    database: DatabaseSettings,
    seeding: Option<Duration>,
    mode: Mode,
    load_for: Duration,
) -> Measured {
    let server = DemoServer::start_on(database);
    let client = server.client(TOKEN);
    let runtime = demo_server::runtime(1);
    let started = Instant::now();
    let roster = runtime
        .block_on(client.all_workers(&WorkersQuery::default()))
        .expect("GET /v1/workers, every page");
    let roster_time = started.elapsed();
    let ids: Vec<i64> = roster.iter().map(|w| w.id).collect();
    drop(roster);
    assert!(!ids.is_empty(), "the demo employer sees workers");
    let visible = ids.len();

    let base = server.url.clone();
    let passport = runtime.block_on(load(load_for, TOKEN, move |n| {
        Request::Get(format!("{base}/v1/workers/{}/passport", ids[n % ids.len()]))
    }));
    let base = server.url.clone();
    let health = runtime.block_on(load(load_for, TOKEN, move |_| {
        Request::Get(format!("{base}/healthz"))
    }));

    let samples = mode.iterations(30);
    let bound = Duration::from_secs(15);
    let expirations_url = format!("{}/v1/expirations?within_days=90", server.url);
    let expirations = runtime.block_on(sequential(&expirations_url, samples, bound));
    let me = runtime.block_on(sequential(&format!("{}/v1/me", server.url), samples, bound));
    let query = ExpirationsQuery {
        within_days: Some(90),
        ..ExpirationsQuery::default()
    };
    let mut items = 0;
    let all_pages = common::time(mode.iterations(5), || {
        let page = runtime
            .block_on(client.all_expirations(&query))
            .expect("every page");
        items = page.items.len();
    });

    let trainees = runtime
        .block_on(server.client(OF_TOKEN).workers(&WorkersQuery {
            limit: Some(DECLARED_WORKERS),
            ..WorkersQuery::default()
        }))
        .expect("the organisation's trainees")
        .items;
    assert!(!trainees.is_empty(), "the demo organisation sees trainees");
    let url = format!("{}/v1/declarations", server.url);
    let creations = runtime.block_on(load(load_for, OF_TOKEN, move |n| {
        Request::Post(url.clone(), format!("bench-{n}"), declaration(n, &trainees))
    }));
    Measured {
        backend,
        seeding,
        visible,
        roster_time,
        passport,
        health,
        expirations,
        me,
        all_pages,
        items,
        creations,
    }
}

/// Prints what one backend measured, with the targets.
fn report(m: &Measured, workers: u32) {
    common::section(&format!(
        "server on {}, demo database of {workers} workers (loopback)",
        m.backend
    ));
    if let Some(seeding) = m.seeding {
        println!(
            "demo seeding: {:.1} s ({workers} workers)",
            seeding.as_secs_f64()
        );
    }
    println!(
        "roster for the demo employer: {} workers over GET /v1/workers in {:.2} s",
        m.visible,
        m.roster_time.as_secs_f64()
    );
    for (name, load) in [
        ("GET /v1/workers/{id}/passport", &m.passport),
        ("baseline GET /healthz", &m.health),
        ("POST /v1/declarations", &m.creations),
    ] {
        println!(
            "{name:<32} {:>8.0} req/s ({} requests, {} errors, {CONCURRENCY} clients, {:.1} s); latency median {} p95 {}",
            load.per_second(),
            load.requests,
            load.errors,
            load.elapsed.as_secs_f64(),
            common::ms(load.latency.median),
            common::ms(load.latency.p95)
        );
    }
    let verdict = if workers == 100_000 {
        if m.passport.per_second() >= PASSPORT_TARGET {
            " — target ≥ 5000 req/s: met"
        } else {
            " — target ≥ 5000 req/s: MISSED"
        }
    } else {
        ""
    };
    println!(
        "passport / healthz throughput: {:.2}{verdict}",
        m.passport.per_second() / m.health.per_second().max(1.0)
    );
    let target = if workers >= 1_000_000 {
        Duration::from_secs(1)
    } else {
        Duration::from_millis(100)
    };
    let met = if m.expirations.median <= target {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "GET /v1/expirations?within_days=90 (first page): median {} p95 {} ({} samples) — target ≤ {}: {met}",
        common::ms(m.expirations.median),
        common::ms(m.expirations.p95),
        m.expirations.count,
        common::ms(target)
    );
    println!(
        "baseline GET /v1/me: median {} p95 {}; expirations ÷ me {}",
        common::ms(m.me.median),
        common::ms(m.me.p95),
        common::ratio(m.expirations.median, m.me.median)
    );
    println!(
        "every page of it ({} items, as the Échéances screen loads): median {} max {}",
        m.items,
        common::ms(m.all_pages.median),
        common::ms(m.all_pages.max)
    );
}

/// Prints the two backends side by side, PostgreSQL's figure over SQLite's.
fn side_by_side(sqlite: &Measured, postgres: &Measured, workers: u32) {
    common::section(&format!(
        "SQLite and PostgreSQL side by side, {workers} workers (ratio: PostgreSQL ÷ SQLite)"
    ));
    println!(
        "{:<46} {:>12} {:>12} {:>8}",
        "measure", "SQLite", "PostgreSQL", "ratio"
    );
    let rate = |name: &str, a: &Load, b: &Load| {
        println!(
            "{name:<46} {:>8.0} /s {:>10.0} /s {:>8}",
            a.per_second(),
            b.per_second(),
            format!("×{:.2}", b.per_second() / a.per_second().max(1e-9))
        );
    };
    let latency = |name: &str, a: Duration, b: Duration| {
        println!(
            "{name:<46} {:>12} {:>12} {:>8}",
            common::ms(a),
            common::ms(b),
            common::ratio(b, a)
        );
    };
    rate("passport reads", &sqlite.passport, &postgres.passport);
    latency(
        "passport read p95",
        sqlite.passport.latency.p95,
        postgres.passport.latency.p95,
    );
    latency(
        "expirations, first page, median",
        sqlite.expirations.median,
        postgres.expirations.median,
    );
    latency(
        "expirations, every page, median",
        sqlite.all_pages.median,
        postgres.all_pages.median,
    );
    rate(
        "declarations created (16 clients)",
        &sqlite.creations,
        &postgres.creations,
    );
    latency(
        "declaration creation p95",
        sqlite.creations.latency.p95,
        postgres.creations.latency.p95,
    );
    latency(
        "baseline GET /v1/me, median",
        sqlite.me.median,
        postgres.me.median,
    );
    if let Some(seeding) = postgres.seeding {
        println!(
            "PostgreSQL demo seeding: {:.1} s (the SQLite one is cached; see benches/startup.rs)",
            seeding.as_secs_f64()
        );
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The `n`th created declaration: a valid attestation de formation of 1 to 3 of `workers`, its
/// ID_UNIQUE_PARTENAIRE unique to it.
fn declaration(n: usize, workers: &[WorkerView]) -> String {
    let name = format!("BENCH-{n}");
    let first = (n * 31) % workers.len();
    let titulaires = (0..1 + n % 3)
        .map(|t| {
            let worker = &workers[(first + t) % workers.len()];
            Titulaire {
                id_unique_partenaire: format!("{name}-{t}"),
                nir: worker.nir.as_str().to_owned(),
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
    serde_json::to_string(&body).expect("a declaration as JSON")
}

/// One request of a load.
enum Request {
    /// A GET of this URL.
    Get(String),
    /// A POST of this URL with this idempotency key and JSON body.
    Post(String, String, String),
}

/// The outcome of a load.
struct Load {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latency: Stats,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `CONCURRENCY` clients with `token`, each with its own keep-alive connection, send
/// `request(n)` for `duration` (n counts the requests of all clients); a 200 or 201 is a success.
async fn load(
    duration: Duration,
    token: &'static str,
    request: impl Fn(usize) -> Request + Send + Sync + 'static,
) -> Load {
    let request = std::sync::Arc::new(request);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let request = std::sync::Arc::clone(&request);
        let counter = std::sync::Arc::clone(&counter);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = Instant::now();
                let builder = match request(n) {
                    Request::Get(url) => http.get(url),
                    Request::Post(url, key, body) => http
                        .post(url)
                        .header(IDEMPOTENCY_KEY, key)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body),
                };
                let ok = match builder.bearer_auth(token).send().await {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.expect("load task");
        latencies.append(&mut l);
        errors += e;
    }
    let elapsed = started.elapsed();
    Load {
        requests: latencies.len(),
        errors,
        elapsed,
        latency: Stats::of(&latencies),
    }
}

/// Up to `count` requests of `url` one after the other (after one unmeasured warm-up), stopping
/// early after `bound`.
async fn sequential(url: &str, count: usize, bound: Duration) -> Stats {
    let http = reqwest::Client::new();
    let get = || async {
        let response = http
            .get(url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{url}");
        response.bytes().await.expect("body");
    };
    get().await;
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < count && started.elapsed() < bound {
        let sent = Instant::now();
        get().await;
        samples.push(sent.elapsed());
    }
    Stats::of(&samples)
}
