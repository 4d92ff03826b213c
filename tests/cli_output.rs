//! What the commands write where, as a shell user sees it: the real binary against the real
//! server on loopback (a temporary database seeded with a small demo, a frozen today). A closed
//! pipe ends a command quietly; colours and messages follow the terminal; outputs suit HR tools;
//! help and errors read in French.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{Server, ServerOptions};

/// The frozen today of the server and of the commands.
const TODAY: &str = "2026-11-26";
/// Demo employer: sees its workforce, has no declaration.
const EMPLOYER: &str = "demo-employeur";
/// Demo training organisation: has declarations of both kinds.
const OF: &str = "demo-of";
/// Workers of the demo: enough for exports larger than a pipe's buffer (64 KiB).
const WORKERS: u32 = 300;

/// The server's base URL and the directory of the configuration files.
struct Sandbox {
    base: String,
    dir: PathBuf,
}

/// The server, started once for the whole file on a background thread.
fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("cli-output-")
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

/// A private configuration file naming the sandbox and `token`.
fn config(token: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let path = sandbox().dir.join(format!("config-{n}.toml"));
    fs::write(
        &path,
        format!("api_url = \"{}\"\ntoken = \"{token}\"\n", sandbox().base),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The binary with a clean environment, a frozen today and `--config`.
fn passeport_with(config: &Path) -> Command {
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

/// The binary configured for the sandbox with `token`.
fn passeport(token: &str) -> Command {
    passeport_with(&config(token))
}

/// Runs `command` with its stdout on a pipe whose reading end is already closed, so that its
/// first write fails with EPIPE, as in `passeport … | head` once head has left.
fn into_closed_pipe(command: &mut Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// Asserts that a command stopped by a closed pipe ended quietly: exit 0, nothing on stderr.
fn assert_quiet(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "", "{what}: nothing on stderr");
    assert_eq!(output.status.code(), Some(0), "{what}: {:?}", output.status);
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let cases: [(&str, &[&str]); 7] = [
        ("catalogue", &["catalogue"]),
        ("catalogue json", &["catalogue", "--format", "json"]),
        ("expiring", &["expiring", "--within", "365"]),
        ("expiring csv", &["expiring", "--format", "csv"]),
        ("export passports", &["export", "passports"]),
        ("manpage", &["manpage"]),
        ("help", &["--help"]),
    ];
    for (what, args) in cases {
        let output = into_closed_pipe(passeport(EMPLOYER).args(args));
        assert_quiet(&output, what);
    }
    for what in ["adf", "jdr"] {
        let output = into_closed_pipe(passeport(OF).args(["export", what]));
        assert_quiet(&output, what);
    }
}

#[test]
fn head_reading_three_lines_of_a_long_export_stops_it_quietly() {
    for args in [
        &["export", "passports"][..],
        &["expiring", "--within", "3660"],
    ] {
        let mut child = passeport(EMPLOYER)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .take(3)
            .map(Result::unwrap)
            .collect();
        assert_eq!(lines.len(), 3, "{args:?}");
        // The reading end is dropped here, long before the end of the output.
        let output = child.wait_with_output().unwrap();
        assert_quiet(&output, &format!("{args:?}"));
    }
}

#[test]
fn failures_are_one_french_line_without_colour_outside_a_terminal() {
    let output = passeport("jeton-inconnu")
        .arg("expiring")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("passeport : "), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");

    let unwritable = sandbox().dir.join("absent").join("export.csv");
    let output = passeport(EMPLOYER)
        .args(["export", "passports", "--out"])
        .arg(&unwritable)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("export.csv : écriture impossible : fichier ou dossier introuvable\n"),
        "{stderr}"
    );
}

#[test]
fn the_full_screen_application_without_a_terminal_says_what_to_use() {
    let output = passeport(EMPLOYER).stdin(Stdio::null()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "passeport : l'application plein écran demande un terminal : lancez passeport dans un \
         terminal, ou utilisez les commandes expiring, export, import ou catalogue (passeport \
         --help)\n"
    );
}
