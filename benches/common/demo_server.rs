//! The sandbox server over a demo database, run in this process on its own two-thread runtime
//! (as `passeport serve` runs on a two-core machine), for the benchmarks that need HTTP data.
//!
//! Seeding 100k workers takes a while, so each SQLite database is built once and kept under
//! cargo's `target/tmp/passeport-bench/`, named after its size, its today and a hash of the code
//! and assets that shape it (so a change to the schema or the generator builds a new one). A
//! benchmark that writes serves a scratch copy of it ([`scratch_copy`]); a PostgreSQL database is
//! seeded fresh by [`seed`].
//!
//! Included by several benchmarks, each using part of it.

#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use passeport::rules::Rules;
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{Server, ServerOptions};

use crate::common::today;

/// The token the benchmarks read with: the first demo employer, as the embedded sandbox does.
pub const TOKEN: &str = "demo-employeur";

/// A running sandbox server; stopped (and its database closed) when dropped.
pub struct DemoServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoServer {
    /// Serves the cached SQLite demo database of `workers` workers (built first when missing).
    pub fn start(workers: u32) -> Self {
        Self::start_on(DatabaseSettings::sqlite(demo_db(workers)))
    }

    /// Serves the demo database of `database`, seeded already.
    pub fn start_on(database: DatabaseSettings) -> Self {
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = runtime(2);
            runtime.block_on(async move {
                let server = open(&database, None).await;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                let addr = listener.local_addr().expect("local address");
                url_tx.send(format!("http://{addr}")).expect("send the URL");
                server
                    .serve(listener, async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let url = url_rx.recv().expect("the server thread failed to start");
        Self {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A client of this server with `token`.
    pub fn client(&self, token: &str) -> passeport::api::Client {
        passeport::api::Client::new(
            &self.url,
            Some(token.to_owned()),
            passeport::api::client::ClientOptions::default(),
        )
        .expect("client")
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A multi-thread tokio runtime with `threads` workers.
pub fn runtime(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Opens the server over `database`, seeding `demo` when given and the database is new.
async fn open(database: &DatabaseSettings, demo: Option<DemoOptions>) -> Server {
    let rules = Rules::embedded().expect("embedded rules");
    let options = ServerOptions {
        db_path: PathBuf::new(),
        demo,
        today: Some(today()),
    };
    Server::open_on(
        database,
        options,
        (*rules.catalogue).clone(),
        (*rules.deadlines).clone(),
    )
    .await
    .expect("open the demo database")
}

/// The cached demo database of `workers` workers, built when missing.
pub fn demo_db(workers: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("passeport-bench");
    std::fs::create_dir_all(&dir).expect("create the benchmark data directory");
    let path = dir.join(format!(
        "demo-{workers}-{}-{:016x}.db",
        today(),
        source_hash()
    ));
    if path.exists() {
        return path;
    }
    let building = dir.join(format!("building-{workers}-{}.db", std::process::id()));
    for stale in sqlite_files(&building) {
        let _ = std::fs::remove_file(stale);
    }
    let started = Instant::now();
    seed(&DatabaseSettings::sqlite(&building), workers);
    // The WAL, if one was left, moves with the database (before it, so that the database never
    // appears without it): SQLite folds it in on the next open.
    for (from, to) in sqlite_files(&building)
        .iter()
        .zip(sqlite_files(&path))
        .rev()
    {
        if from.exists() {
            std::fs::rename(from, to).expect("move the new database in place");
        }
    }
    // Databases of this size built by older code are stale now.
    let prefix = format!("demo-{workers}-");
    let current = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && !name.starts_with(&current) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    eprintln!(
        "(demo database of {workers} workers built in {:.1} s: {})",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    path
}

/// Seeds the new database of `database` with a demo of `workers` workers, then closes it.
pub fn seed(database: &DatabaseSettings, workers: u32) {
    runtime(2).block_on(async {
        let demo = DemoOptions {
            workers,
            seed: DEFAULT_SEED,
            today: today(),
        };
        let server = open(database, Some(demo)).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        // Serving until an already finished shutdown closes the database (folding the WAL in).
        server
            .serve(listener, async {})
            .await
            .expect("close the database");
    });
}

/// A copy of the cached SQLite demo database of `workers` workers in `dir`, for a benchmark
/// that writes (the cache stays as built).
pub fn scratch_copy(workers: u32, dir: &Path) -> DatabaseSettings {
    let copy = dir.join("scratch.db");
    std::fs::copy(demo_db(workers), &copy).expect("copy the demo database");
    DatabaseSettings::sqlite(copy)
}

/// The database file and its WAL companions.
fn sqlite_files(db: &Path) -> [PathBuf; 3] {
    let name = db.display().to_string();
    [
        db.to_owned(),
        PathBuf::from(format!("{name}-wal")),
        PathBuf::from(format!("{name}-shm")),
    ]
}

/// A hash of the sources and assets that shape a demo database.
fn source_hash() -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src/server", "src/domain", "assets"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

/// Every file under `dir`, recursively.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
