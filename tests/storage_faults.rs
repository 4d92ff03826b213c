//! Storage faults on the server (issue 18 §3, review M1 and L8): a full disk, simulated by a
//! size-limited SQLite file (`PRAGMA max_page_count`), answers 503 with a French problem while
//! it lasts, `/healthz` reports it, and writes work again once space is back, without a
//! restart; a read-only database file is refused at start with its path and the cause. Also
//! the guard of a server on loopback: another `Host` than a loopback name is refused (M5).

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use std::os::unix::fs::PermissionsExt;

use passeport::api::ApiError;
use passeport::api::contract::NewWorker;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseSettings;
use passeport::server::{Server, ServerOptions};
use sqlx::{Connection, SqliteConnection};
use team::{Team, nir};

/// Pages the team file may hold: room for the schema and the accounts, and a few hundred
/// workers.
const MAX_PAGES: u32 = 160;

/// Worker `n`, with a long job title so that the file fills quickly.
fn worker(n: u32) -> NewWorker {
    NewWorker {
        nir: nir(n),
        last_name: format!("OUVRIER{n}"),
        usage_name: None,
        first_names: "Jean".to_owned(),
        birth_date: None,
        site: Some("Lyon".to_owned()),
        service: None,
        job: Some("Menuisier ".repeat(9)),
        employee_number: None,
        manager: None,
        entry_date: None,
        leaving_date: None,
    }
}

/// The status and detail of a refused write, or `None` when it succeeded.
async fn write(team: &Team, n: u32) -> Option<(u16, String)> {
    match team
        .client(0)
        .create_worker(&worker(n), &format!("k{n}"))
        .await
    {
        Ok(_) => None,
        Err(ApiError::Server { status, detail }) => Some((status, detail)),
        Err(other) => panic!("worker {n}: unexpected error {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_work_again_after_the_disk_was_full() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.db");
    let mut settings = DatabaseSettings::sqlite(&path);
    settings.sqlite_max_pages = Some(MAX_PAGES);
    let team = Team::start_on(settings, None).await;
    let anonymous = passeport::api::Client::new(
        team.client(0).base_url(),
        None,
        passeport::api::client::ClientOptions::default(),
    )
    .unwrap();

    let mut n = 0;
    let refused = loop {
        n += 1;
        assert!(n < 5_000, "the size limit was never reached");
        if let Some(refused) = write(&team, n).await {
            break refused;
        }
    };
    let (status, detail) = &refused;
    assert_eq!(*status, 503, "{detail}");
    assert!(
        detail.contains("disque de la base de données est plein"),
        "{detail}"
    );
    assert!(detail.contains("rien n'a été enregistré"), "{detail}");
    let health = anonymous.health().await.unwrap_err().to_string();
    assert!(health.contains("503"), "{health}");
    assert!(health.contains("plein depuis le"), "{health}");

    // Every connection of the pool meets the full disk, and each answer stays a 503.
    for again in 0..8 {
        assert_eq!(write(&team, n + 1 + again).await.map(|r| r.0), Some(503));
    }

    // Space comes back: the workers written so far are deleted by another connection.
    let mut other = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    for table in ["audit_log", "idempotency_keys", "workers"] {
        if let Err(error) = sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut other)
            .await
        {
            assert!(error.to_string().contains("no such table"), "{error}");
        }
    }
    other.close().await.unwrap();

    // The same server, without restart: each of more writes than the pool has connections
    // succeeds, and the health check is green again.
    for again in 0..8 {
        let outcome = write(&team, 10_000 + again).await;
        assert_eq!(outcome, None, "write {again} after the disk was freed");
    }
    assert_eq!(anonymous.health().await.unwrap().status, "ok");
}

#[tokio::test]
async fn a_read_only_database_is_refused_at_start_with_its_path_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("base");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("lecture.db");
    let server = Server::open_on(
        &DatabaseSettings::sqlite(&path),
        ServerOptions {
            db_path: std::path::PathBuf::new(),
            demo: None,
            today: None,
        },
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for file in std::fs::read_dir(&folder).unwrap() {
        let file = file.unwrap().path();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();

    // The real binary, as an unprivileged user when the tests run as root (root writes anyway).
    let binary = env!("CARGO_BIN_EXE_passeport");
    let mut command = if nix_is_root() {
        std::os::unix::fs::chown(&home, Some(NOBODY), Some(NOBODY)).unwrap();
        let mut command = std::process::Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        command
    } else {
        std::process::Command::new(binary)
    };
    let output = command
        .env_clear()
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("n'accepte pas d'écriture"), "{message}");
    assert!(message.contains("lecture seule"), "{message}");
    assert_eq!(
        message.matches("lecture seule").count(),
        1,
        "said once: {message}"
    );
}

/// The user and group id of `nobody`.
const NOBODY: u32 = 65_534;

/// Whether the tests run as root (file modes do not stop root).
fn nix_is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| {
        use std::os::unix::fs::MetadataExt;
        meta.uid() == 0
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_server_refuses_another_host_name() {
    let team = Team::start().await;
    let base = team.client(0).base_url().to_owned();
    let http = reqwest::Client::new();
    let status = |host: &'static str| {
        let request = http.get(format!("{base}/healthz")).header("Host", host);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status("attacker.example:18431").await, 421);
    assert_eq!(status("localhost:18431").await, 200);
    assert_eq!(status("[::1]:18431").await, 200);
    assert_eq!(team.client(0).health().await.unwrap().status, "ok");
}
