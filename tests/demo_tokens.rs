//! Demo tokens exist only while the database is a demo one (issue 18 §6, finding L2 of the
//! December review), with the real binary on each backend: a database first served with
//! `--demo` accepts `demo-employeur`; served again without `--demo`, or given a real account
//! with `account create`, it refuses every public demo token (401), says so once, records each
//! revocation in the audit trail, and no longer calls itself a sandbox.

#[path = "common/databases.rs"]
mod databases;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use databases::each_backend;
use passeport::server::database::{DatabaseSettings, DatabaseUrl};
use passeport::server::{DEMO_ROLE_USERS, DEMO_TOKENS};

/// The demo employer's SIRET (`demo-employeur`).
const DEMO_EMPLOYER: &str = "41287396000022";

/// A `passeport serve` child, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The database arguments of a command.
fn database_args(settings: &DatabaseSettings) -> Vec<String> {
    match &settings.url {
        DatabaseUrl::Sqlite(path) => vec!["--db".into(), path.display().to_string()],
        DatabaseUrl::Postgres(url) => vec!["--database-url".into(), url.expose().to_owned()],
    }
}

fn passeport(settings: &DatabaseSettings, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .args(database_args(settings))
        .env("PASSEPORT_TODAY", "2026-11-26")
        .output()
        .expect("run passeport");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `passeport serve` (with `extra` arguments) on a free loopback port; the child, its base URL
/// and what it printed before listening.
fn serve(settings: &DatabaseSettings, extra: &[&str]) -> (Served, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .args(database_args(settings))
        .env("PASSEPORT_TODAY", "2026-11-26")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let served = Served(child);
    let mut printed = String::new();
    let mut line = String::new();
    while !line.contains("API sur http://") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve stopped: {printed}"
        );
        printed.push_str(&line);
    }
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the URL")
        .to_owned();
    // Keep reading what it prints (the demo banner comes after the address).
    let (sender, banner) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut after = String::new();
    while let Ok(line) = banner.recv_timeout(std::time::Duration::from_millis(300)) {
        after.push_str(&line);
        after.push('\n');
    }
    printed.push_str(&after);
    (served, base, printed)
}

/// The status and body of `GET path` with `token`.
async fn get(base: &str, path: &str, token: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

fn every_demo_token() -> Vec<&'static str> {
    DEMO_TOKENS
        .iter()
        .copied()
        .chain(DEMO_ROLE_USERS.iter().map(|(token, ..)| *token))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_without_demo_the_public_tokens_are_revoked_and_audited() {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let settings = &database.settings;
        {
            let (_served, base, printed) = serve(settings, &["--demo", "--workers", "30"]);
            assert!(printed.contains("jetons de démonstration :"), "{printed}");
            let (status, me) = get(&base, "/v1/me", "demo-employeur").await;
            assert_eq!(status, 200, "{me}");
            assert!(me.contains("\"sandbox\":true"), "{me}");
        }
        let real = passeport(settings, &["token", "create", "--account", DEMO_EMPLOYER]);
        let real = String::from_utf8(real.stdout).unwrap().trim().to_owned();

        let (_served, base, printed) = serve(settings, &[]);
        assert!(
            printed.contains("jetons de démonstration révoqués (5)"),
            "{printed}"
        );
        assert!(!printed.contains("jetons de démonstration :"), "{printed}");
        for token in every_demo_token() {
            let (status, body) = get(&base, "/v1/me", token).await;
            assert_eq!(status, 401, "{token}: {body}");
        }
        let (status, me) = get(&base, "/v1/me", &real).await;
        assert_eq!(status, 200, "{me}");
        assert!(me.contains("\"sandbox\":false"), "{me}");
        let (status, trail) = get(&base, "/v1/audit?entity=jeton", &real).await;
        assert_eq!(status, 200, "{trail}");
        let revocations = trail
            .matches("révocation (fin du mode démonstration)")
            .count();
        assert_eq!(revocations, 3, "the demo employer's three tokens: {trail}");
        drop(_served);

        // Served again with --demo: the data stays, the tokens do not come back.
        let (_served, base, printed) = serve(settings, &["--demo"]);
        assert!(!printed.contains("jetons de démonstration"), "{printed}");
        let (status, _) = get(&base, "/v1/me", "demo-employeur").await;
        assert_eq!(status, 401);
        drop(_served);
        database.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_account_ends_the_demo_mode() {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let settings = &database.settings;
        drop(serve(settings, &["--demo", "--workers", "30"]));
        let created = passeport(
            settings,
            &[
                "account",
                "create",
                "--kind",
                "employeur",
                "--siret",
                "73282932000074",
                "--name",
                "ACME réel",
            ],
        );
        let said = String::from_utf8_lossy(&created.stderr);
        assert!(
            said.contains("jetons de démonstration révoqués (5)"),
            "{said}"
        );
        let (_served, base, printed) = serve(settings, &["--demo"]);
        assert!(!printed.contains("jetons de démonstration"), "{printed}");
        for token in every_demo_token() {
            let (status, _) = get(&base, "/v1/me", token).await;
            assert_eq!(status, 401, "{token}");
        }
        drop(_served);
        database.drop_now().await;
    }
}
