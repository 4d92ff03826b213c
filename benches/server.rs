//! Server throughput and latency (BENCHMARKS.md §4), on loopback, over demo databases of 100k
//! workers (1M with `PASSEPORT_BENCH_1M=1`):
//! - requests per second of `GET /v1/workers/{id}/passport` under a fixed number of concurrent
//!   keep-alive clients for a fixed duration, against `GET /healthz` under the same load (the
//!   HTTP stack's floor, the baseline);
//! - latency of `GET /v1/expirations?within_days=90` (one page, with the counts over the whole
//!   visible workforce), against `GET /v1/me` (authentication and one lookup, the baseline); and
//!   the time to fetch every page of it, as the Échéances screen does.
//!
//! The server runs in this process on its own two-thread runtime; the load comes from another
//! runtime on another thread. `cargo bench --bench server` measures; `cargo test --benches`
//! runs a smoke test.

mod common;
#[path = "common/demo_server.rs"]
mod demo_server;

use std::time::{Duration, Instant};

use common::{Mode, Stats};
use demo_server::{DemoServer, TOKEN};
use passeport::api::contract::{ExpirationsQuery, WorkersQuery};

/// Concurrent clients of the load.
const CONCURRENCY: usize = 16;
/// Target passport reads per second on 100k workers (issue 7).
const PASSPORT_TARGET: f64 = 5_000.0;

fn main() {
    let mode = Mode::detect();
    let load_for = match mode {
        Mode::Bench => Duration::from_secs(5),
        Mode::Smoke => Duration::from_millis(300),
    };
    for workers in mode.sizes(300, &[100_000], true) {
        let server = DemoServer::start(workers);
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
        let passport = runtime.block_on(load(load_for, move |n| {
            format!("{base}/v1/workers/{}/passport", ids[n % ids.len()])
        }));
        let base = server.url.clone();
        let health = runtime.block_on(load(load_for, move |_| format!("{base}/healthz")));

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

        if mode == Mode::Smoke {
            for (name, load) in [("passport", &passport), ("healthz", &health)] {
                assert!(load.requests > 0, "{name}: requests were served");
                assert_eq!(load.errors, 0, "{name}: every answer is 200");
            }
            assert!(expirations.count > 0 && me.count > 0 && items > 0);
            println!("server smoke test: ok ({workers} workers)");
            continue;
        }
        common::section(&format!(
            "server, demo database of {workers} workers (loopback)"
        ));
        println!(
            "roster for the demo employer: {} workers over GET /v1/workers in {:.2} s",
            visible,
            roster_time.as_secs_f64()
        );
        for (name, load) in [
            ("GET /v1/workers/{id}/passport", &passport),
            ("baseline GET /healthz", &health),
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
            if passport.per_second() >= PASSPORT_TARGET {
                " — target ≥ 5000 req/s: met"
            } else {
                " — target ≥ 5000 req/s: MISSED"
            }
        } else {
            ""
        };
        println!(
            "passport / healthz throughput: {:.2}{verdict}",
            passport.per_second() / health.per_second().max(1.0)
        );
        let target = if workers >= 1_000_000 {
            Duration::from_secs(1)
        } else {
            Duration::from_millis(100)
        };
        let met = if expirations.median <= target {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "GET /v1/expirations?within_days=90 (first page): median {} p95 {} ({} samples) — target ≤ {}: {met}",
            common::ms(expirations.median),
            common::ms(expirations.p95),
            expirations.count,
            common::ms(target)
        );
        println!(
            "baseline GET /v1/me: median {} p95 {}; expirations ÷ me {}",
            common::ms(me.median),
            common::ms(me.p95),
            common::ratio(expirations.median, me.median)
        );
        println!(
            "every page of it ({items} items, as the Échéances screen loads): median {} max {}",
            common::ms(all_pages.median),
            common::ms(all_pages.max)
        );
    }
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

/// `CONCURRENCY` clients, each with its own keep-alive connection, request `url(n)` for
/// `duration` (n counts the requests of all clients).
async fn load(duration: Duration, url: impl Fn(usize) -> String + Send + Sync + 'static) -> Load {
    let url = std::sync::Arc::new(url);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let url = std::sync::Arc::clone(&url);
        let counter = std::sync::Arc::clone(&counter);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = Instant::now();
                let ok = match http.get(url(n)).bearer_auth(TOKEN).send().await {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.is_ok() && status == reqwest::StatusCode::OK
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
