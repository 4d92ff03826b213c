//! The real server for command tests: started once per test binary on loopback over a temporary
//! database seeded with a small demo and a frozen today, with the binary's clean environment.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{Server, ServerOptions};

/// The frozen today of the server and of the commands.
pub const TODAY: &str = "2026-11-26";
/// Demo employer: sees its workforce, has no declaration.
pub const EMPLOYER: &str = "demo-employeur";
/// Demo training organisation: has declarations of both kinds.
pub const OF: &str = "demo-of";
/// Workers of the demo: enough for exports larger than a pipe's buffer (64 KiB).
const WORKERS: u32 = 300;

/// The server's base URL and the directory of the configuration files.
pub struct Sandbox {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Home, configuration and data directories of the commands.
    pub dir: PathBuf,
}

/// The server, started once for the whole test binary on a background thread.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("cli-sandbox-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
        let options = ServerOptions {
            db_path: dir.join("passeport.db"),
            demo: Some(DemoOptions {
                workers: WORKERS,
                seed: DEFAULT_SEED,
                today,
            }),
            today: Some(today),
        };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let server = Server::open(
                    options,
                    Catalogue::embedded().unwrap(),
                    DeadlineRules::embedded().unwrap(),
                )
                .await
                .unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let base = format!("http://{}", listener.local_addr().unwrap());
                sender.send(base).unwrap();
                server
                    .serve(listener, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        let base = receiver.recv().unwrap();
        Sandbox { base, dir }
    })
}

/// A private configuration file (mode 0600) naming the server and, if any, a token.
pub fn config(api_url: &str, token: Option<&str>) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let path = sandbox().dir.join(format!("config-{n}.toml"));
    let mut text = format!("api_url = \"{api_url}\"\n");
    if let Some(token) = token {
        text.push_str(&format!("token = \"{token}\"\n"));
    }
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The binary with a clean environment (no inherited width, colour, backtrace, token or
/// configuration), a frozen today and `--config`.
pub fn binary(config: &Path) -> Command {
    let dir = &sandbox().dir;
    let mut command = Command::new(env!("CARGO_BIN_EXE_passeport"));
    command
        .env("PASSEPORT_TODAY", TODAY)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("RUST_BACKTRACE")
        .env_remove("PASSEPORT_TOKEN")
        .env_remove("PASSEPORT_CONFIG")
        .env_remove("PASSEPORT_LOG")
        .arg("--config")
        .arg(config);
    command
}
