//! `passeport db copy` and `passeport db check` through the real binary, on a real SQLite file
//! and a fresh database of the PostgreSQL of the tests (tests/common/databases.rs; skipped
//! without one, a failure under `CI=true`): a demo team with its own token and an idempotent
//! POST is copied to PostgreSQL, verified table by table, refused a second time, copied back,
//! then served from PostgreSQL; `db check` passes on both and finds a broken sequence and a
//! broken foreign key.

#[path = "common/databases.rs"]
mod databases;

use std::collections::BTreeMap;
use std::process::{Command, Output};

use chrono::NaiveDate;
use passeport::domain::DeclarantKind;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::ids::{Siret, compute_key};
use passeport::domain::training::Catalogue;
use passeport::server::database::{DatabaseSettings, DatabaseUrl};
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{Server, ServerOptions};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use tokio::sync::oneshot;

/// SIRET of the team's own account, created on SQLite.
const TEAM: &str = "35600000000048";
/// A password in the PostgreSQL URL (trust authentication ignores it): never printed.
const PASSWORD: &str = "s3cr3t-motdepasse";

fn passeport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .env("PASSEPORT_TODAY", "2026-11-26")
        .env_remove("PASSEPORT_DATABASE_URL")
        .output()
        .expect("run passeport")
}

/// A valid NIR, numbered `n`.
fn nir(n: u32) -> String {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn options(demo: bool) -> ServerOptions {
    ServerOptions {
        db_path: std::path::PathBuf::new(),
        demo: demo.then(|| DemoOptions {
            workers: 40,
            seed: DEFAULT_SEED,
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        }),
        today: NaiveDate::from_ymd_opt(2026, 11, 26),
    }
}

async fn open(settings: &DatabaseSettings, demo: bool) -> Server {
    Server::open_on(
        settings,
        options(demo),
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap()
}

/// Serves `server` on loopback; the base URL and the stop switch.
async fn serve(server: Server) -> (String, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (base, stop, serving)
}

/// The tables the migrations make, read from a migrated SQLite file.
async fn schema_tables(path: &str) -> Vec<String> {
    let mut conn = SqliteConnection::connect(&format!("sqlite:{path}"))
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// The summary lines of a copy, by table: (source rows, target rows, checksum, verdict).
fn summary(stdout: &str) -> BTreeMap<String, Vec<String>> {
    stdout
        .lines()
        .skip(2)
        .map(|line| {
            line.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.len() == 5)
        .map(|cells| (cells[0].clone(), cells[1..].to_vec()))
        .collect()
}

/// `sql` returning text rows, on SQLite and on PostgreSQL.
async fn rows_both(
    sqlite: &mut SqliteConnection,
    pg: &mut PgConnection,
    sql: &str,
) -> [Vec<String>; 2] {
    let a: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut *sqlite)
        .await
        .unwrap();
    let b: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *pg).await.unwrap();
    [a, b]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_team_is_copied_to_postgresql_verified_and_served_there() {
    let mut databases = databases::each_backend().await;
    if databases.len() < 2 {
        eprintln!("PASSEPORT_TEST_DATABASE_URL absent : test PostgreSQL ignoré");
        return;
    }
    let pg_db = databases.pop().unwrap();
    let sqlite_db = databases.pop().unwrap();
    let DatabaseUrl::Sqlite(sqlite_path) = &sqlite_db.settings.url else {
        panic!("not SQLite");
    };
    let sqlite_path = sqlite_path.to_str().unwrap().to_owned();
    let DatabaseUrl::Postgres(pg_url) = &pg_db.settings.url else {
        panic!("not PostgreSQL");
    };
    let pg_plain = pg_url.expose().to_owned();
    let pg_with_password =
        pg_plain.replacen("://postgres@", &format!("://postgres:{PASSWORD}@"), 1);
    assert_ne!(
        pg_plain, pg_with_password,
        "the URL names the user postgres"
    );

    // A demo team on SQLite, plus its own account and token, and one idempotent POST.
    let server = open(&sqlite_db.settings, true).await;
    let team: Siret = TEAM.parse().unwrap();
    server
        .create_account(DeclarantKind::Employeur, &team, "Équipe Tôlerie", None)
        .await
        .unwrap();
    let token = server.create_token(&team).await.unwrap();
    let (base, stop, serving) = serve(server).await;
    let http = reqwest::Client::new();
    let worker = json!({
        "nir": nir(1), "last_name": "Durand", "first_names": "Ève",
        "site": "Atelier A", "employee_number": "M-1",
    });
    let created: Value = http
        .post(format!("{base}/v1/workers"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "embauche-1")
        .json(&worker)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first_id = created["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{created}"));
    let _ = stop.send(());
    serving.await.unwrap();

    // The copy: every table of the schema, counts and checksums identical.
    let copied = passeport(&[
        "db",
        "copy",
        "--from",
        &format!("sqlite:{sqlite_path}"),
        "--to",
        &pg_with_password,
    ]);
    let (stdout, stderr) = (text(&copied.stdout), text(&copied.stderr));
    assert_eq!(copied.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("postgres:****@"), "{stdout}");
    assert!(stdout.contains("Copie vérifiée"), "{stdout}");
    assert!(stderr.contains("copie de workers :"), "{stderr}");
    let lines = summary(&stdout);
    let tables = schema_tables(&sqlite_path).await;
    assert_eq!(
        lines.keys().cloned().collect::<Vec<_>>(),
        tables,
        "every table of the migrations is copied:\n{stdout}"
    );
    for (table, cells) in &lines {
        assert_eq!(cells[0], cells[1], "{table}: {stdout}");
        assert_eq!(cells[3], "identique", "{table}: {stdout}");
    }

    // Checked independently of the copy's own verification.
    let mut sqlite = SqliteConnection::connect(&format!("sqlite:{sqlite_path}"))
        .await
        .unwrap();
    let mut pg = PgConnection::connect(&pg_plain).await.unwrap();
    for table in &tables {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let a: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&mut sqlite)
            .await
            .unwrap();
        let b: i64 = sqlx::query_scalar(&sql).fetch_one(&mut pg).await.unwrap();
        assert_eq!(a, b, "{table}");
    }
    let [a, b] = rows_both(
        &mut sqlite,
        &mut pg,
        "SELECT account_id || ' ' || id_unique_partenaire || ' ' || declaration_id \
         FROM declaration_titulaires ORDER BY id",
    )
    .await;
    assert!(!a.is_empty(), "the demo has declaration lines");
    assert_eq!(a, b, "every ID_UNIQUE_PARTENAIRE reservation is kept");
    let [a, b] = rows_both(
        &mut sqlite,
        &mut pg,
        "SELECT account_id || ' ' || key || ' ' || body_hash || ' ' || response \
         FROM idempotency_keys ORDER BY account_id, key",
    )
    .await;
    assert_eq!(a.len(), 1);
    assert_eq!(a, b, "idempotency keys are kept");
    let [a, b] = rows_both(
        &mut sqlite,
        &mut pg,
        "SELECT hash FROM tokens ORDER BY hash",
    )
    .await;
    assert_eq!(a, b, "token hashes are kept");
    let max_worker: i64 = sqlx::query_scalar("SELECT MAX(id) FROM workers")
        .fetch_one(&mut sqlite)
        .await
        .unwrap();
    sqlite.close().await.unwrap();
    pg.close().await.unwrap();

    // A second copy is refused, naming a non-empty table.
    let again = passeport(&[
        "db",
        "copy",
        "--from",
        &format!("sqlite:{sqlite_path}"),
        "--to",
        &pg_plain,
    ]);
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("n'est pas vide") && stderr.contains("« accounts »"),
        "{stderr}"
    );

    // Copied back to a new SQLite file: the same checksums as the source.
    let dir = tempfile::tempdir().unwrap();
    let back = dir.path().join("retour.db");
    let returned = passeport(&[
        "db",
        "copy",
        "--from",
        &pg_plain,
        "--to",
        &format!("sqlite:{}", back.display()),
    ]);
    let back_stdout = text(&returned.stdout);
    assert_eq!(
        returned.status.code(),
        Some(0),
        "{back_stdout}{}",
        text(&returned.stderr)
    );
    assert_eq!(
        summary(&back_stdout),
        lines,
        "the round trip keeps every row:\n{back_stdout}"
    );

    // db check passes on both.
    for args in [
        vec!["db", "check", "--db", sqlite_path.as_str()],
        vec!["db", "check", "--database-url", pg_with_password.as_str()],
    ] {
        let checked = passeport(&args);
        let stdout = text(&checked.stdout);
        assert_eq!(
            checked.status.code(),
            Some(0),
            "{stdout}{}",
            text(&checked.stderr)
        );
        assert!(stdout.contains("Aucun problème trouvé."), "{stdout}");
        assert!(!stdout.contains(PASSWORD), "{stdout}");
    }

    // Served from PostgreSQL: the token made on SQLite works, the idempotent POST replays, and
    // a new worker gets an id past the copied ones.
    let server = open(&pg_db.settings, false).await;
    let (base, stop, serving) = serve(server).await;
    let me: Value = http
        .get(format!("{base}/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["siret"], TEAM, "{me}");
    let replayed: Value = http
        .post(format!("{base}/v1/workers"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "embauche-1")
        .json(&worker)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(replayed["id"].as_i64(), Some(first_id), "{replayed}");
    let response = http
        .post(format!("{base}/v1/workers"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "embauche-2")
        .json(
            &json!({"nir": nir(2), "last_name": "Martin", "first_names": "Paul",
            "site": "Atelier B", "employee_number": "M-2"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let new: Value = response.json().await.unwrap();
    assert!(new["id"].as_i64().unwrap() > max_worker, "{new}");
    let _ = stop.send(());
    serving.await.unwrap();

    // A sequence set back below the ids is found by db check, exit 1.
    let mut pg = PgConnection::connect(&pg_plain).await.unwrap();
    sqlx::query("SELECT setval(pg_get_serial_sequence('workers', 'id'), 1)")
        .execute(&mut pg)
        .await
        .unwrap();
    pg.close().await.unwrap();
    let checked = passeport(&["db", "check", "--database-url", &pg_plain]);
    let stdout = text(&checked.stdout);
    assert_eq!(checked.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("ÉCHEC  Séquences") && stdout.contains("workers.id : prochaine valeur 2"),
        "{stdout}"
    );
    pg_db.drop_now().await;
}

#[tokio::test]
async fn db_check_finds_a_broken_foreign_key_in_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("equipe.db");
    let server = open(&DatabaseSettings::sqlite(&path), false).await;
    server
        .create_account(
            DeclarantKind::Employeur,
            &TEAM.parse().unwrap(),
            "Équipe",
            None,
        )
        .await
        .unwrap();
    drop(server);
    let db = path.to_str().unwrap();
    assert_eq!(
        passeport(&["db", "check", "--db", db]).status.code(),
        Some(0)
    );

    let mut conn = SqliteConnection::connect(&format!("sqlite:{db}"))
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO tokens (hash, account_id, created_at) VALUES ($1, 999, '2026-01-01T00:00:00Z')")
        .bind("ab".repeat(32))
        .execute(&mut conn)
        .await
        .unwrap();
    let rows = sqlx::query("SELECT COUNT(*) AS n FROM tokens")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.get::<i64, _>("n"), 1);
    conn.close().await.unwrap();

    let checked = passeport(&["db", "check", "--db", db]);
    let stdout = text(&checked.stdout);
    assert_eq!(checked.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("ÉCHEC  Clés étrangères")
            && stdout.contains("tokens, ligne")
            && stdout.contains("accounts"),
        "{stdout}"
    );
    assert!(stdout.contains("1 problème trouvé."), "{stdout}");

    let missing = passeport(&[
        "db",
        "check",
        "--db",
        dir.path().join("absente.db").to_str().unwrap(),
    ]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "an absent file is not created"
    );
    assert!(!dir.path().join("absente.db").exists());
}
