//! The routes ported to both store backends, run with the same body on a fresh SQLite file and on
//! a fresh PostgreSQL database (tests/common/databases.rs): accounts and tokens, `/v1/me`, the
//! workers list and a passport, POST /v1/workers with its idempotency, the sessions, expirations
//! and declarations lists, an employer's training records; the answers are the same on both. The demo seeding writes the same rows on both (ids
//! included, per-table checksums as `db copy` computes them) and the same answers come back;
//! later writes do not collide with its explicit ids. A database made by the previous migration
//! set (every migration but the latest, and 0001–0004), with rows, opens with the full set on
//! both, its rows kept.

#[path = "common/databases.rs"]
mod databases;

use chrono::NaiveDate;
use passeport::domain::DeclarantKind;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::ids::{Siret, compute_key};
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{DEMO_TOKENS, Server, ServerOptions, maintenance};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use databases::each_backend;

/// SIRET of the employer.
const EMPLOYER: &str = "35600000000048";
/// SIRET of the training organisation.
const ORGANISATION: &str = "44200001400005";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn nir(n: u32) -> String {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

fn options(demo: bool) -> ServerOptions {
    ServerOptions {
        db_path: std::path::PathBuf::new(),
        demo: demo.then(|| DemoOptions {
            workers: 10,
            seed: DEFAULT_SEED,
            today: today(),
        }),
        today: Some(today()),
    }
}

async fn open(settings: &DatabaseSettings) -> Server {
    Server::open_on(
        settings,
        options(false),
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap()
}

/// What a client sees of the slice on one backend, with the ids it was given.
async fn run_slice(settings: &DatabaseSettings) -> Vec<(String, u16, Value)> {
    let server = open(settings).await;
    let employer: Siret = EMPLOYER.parse().unwrap();
    let organisation: Siret = ORGANISATION.parse().unwrap();
    server
        .create_account(DeclarantKind::Employeur, &employer, "Équipe Tôlerie", None)
        .await
        .unwrap();
    server
        .create_account(
            DeclarantKind::OrganismeFormation,
            &organisation,
            "Formaprev",
            Some(&"11755555555".parse().unwrap()),
        )
        .await
        .unwrap();
    assert!(
        server
            .create_account(DeclarantKind::Employeur, &employer, "Doublon", None)
            .await
            .is_err(),
        "a SIRET has one account"
    );
    let token = server.create_token(&employer).await.unwrap();
    let of_token = server.create_token(&organisation).await.unwrap();
    assert!(
        server
            .create_token(&"44200000600001".parse().unwrap())
            .await
            .is_err(),
        "no token for an unknown account"
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let mut seen = Vec::new();
    let mut call = async |label: &str, request: reqwest::RequestBuilder| -> Value {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        seen.push((label.to_owned(), status, body.clone()));
        body
    };

    call("me", http.get(format!("{base}/v1/me")).bearer_auth(&token)).await;
    call("me sans jeton", http.get(format!("{base}/v1/me"))).await;
    // Created out of name order, so the list order (by id) is checked, and names that sort
    // differently by locale (accents, case) are kept byte for byte.
    let people = [
        (3, "Zoé", "ÉLOI", "Atelier B", "M-3"),
        (1, "anne", "dupont", "Atelier A", "M-1"),
        (2, "Ève", "Durand", "Atelier A", "M-2"),
    ];
    let mut ids = Vec::new();
    for (n, first, last, site, number) in people {
        let body = json!({
            "nir": nir(n), "last_name": last, "first_names": first, "site": site,
            "employee_number": number, "birth_date": "1985-07-01", "entry_date": "2020-01-06",
        });
        let created = call(
            "création",
            http.post(format!("{base}/v1/workers"))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("k-{n}"))
                .json(&body),
        )
        .await;
        ids.push(created["id"].as_i64().expect("the created worker"));
        if n == 3 {
            call(
                "rejeu",
                http.post(format!("{base}/v1/workers"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", "k-3")
                    .json(&body),
            )
            .await;
            call(
                "clé réutilisée",
                http.post(format!("{base}/v1/workers"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", "k-3")
                    .json(&json!({"nir": nir(9), "last_name": "X", "first_names": "Y"})),
            )
            .await;
        }
    }
    call(
        "NIR en double",
        http.post(format!("{base}/v1/workers"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "k-dup")
            .json(&json!({"nir": nir(1), "last_name": "Autre", "first_names": "Anne"})),
    )
    .await;
    call(
        "liste",
        http.get(format!("{base}/v1/workers")).bearer_auth(&token),
    )
    .await;
    call(
        "page 1",
        http.get(format!("{base}/v1/workers?limit=2"))
            .bearer_auth(&token),
    )
    .await;
    call(
        "recherche",
        http.get(format!("{base}/v1/workers?q=eve"))
            .bearer_auth(&token),
    )
    .await;
    call(
        "salarié",
        http.get(format!("{base}/v1/workers/{}", ids[0]))
            .bearer_auth(&token),
    )
    .await;
    call(
        "passeport",
        http.get(format!("{base}/v1/workers/{}/passport", ids[1]))
            .bearer_auth(&token),
    )
    .await;
    call(
        "organisme : liste",
        http.get(format!("{base}/v1/workers"))
            .bearer_auth(&of_token),
    )
    .await;
    call(
        "organisme : passeport",
        http.get(format!("{base}/v1/workers/{}/passport", ids[1]))
            .bearer_auth(&of_token),
    )
    .await;
    for (label, path) in [
        ("sessions", "/v1/sessions".to_owned()),
        ("échéances", "/v1/expirations".to_owned()),
        ("déclarations", "/v1/declarations".to_owned()),
    ] {
        call(label, http.get(format!("{base}{path}")).bearer_auth(&token)).await;
    }
    call(
        "formations",
        http.get(format!("{base}/v1/workers/{}/trainings", ids[0]))
            .bearer_auth(&token),
    )
    .await;
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    seen
}

#[tokio::test]
async fn the_ported_routes_answer_the_same_on_both_backends() {
    let mut answers = Vec::new();
    for database in each_backend().await {
        let seen = run_slice(&database.settings).await;
        let status = |label: &str| {
            seen.iter()
                .find(|(l, _, _)| l == label)
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap()
        };
        let name = database.name;
        assert_eq!(status("me").0, 200, "{name}");
        assert_eq!(status("me").1["siret"], EMPLOYER, "{name}");
        assert_eq!(status("me sans jeton").0, 401, "{name}");
        assert_eq!(status("rejeu").0, 200, "{name}: a replay");
        assert_eq!(status("clé réutilisée").0, 409, "{name}");
        assert_eq!(status("NIR en double").0, 409, "{name}");
        let list = status("liste").1;
        let names: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["last_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["ÉLOI", "dupont", "Durand"], "{name}: by id");
        assert!(status("page 1").1["next_cursor"].is_string(), "{name}");
        let found = status("recherche").1;
        assert_eq!(found["items"][0]["first_names"], "Ève", "{name}");
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{name}");
        assert_eq!(status("salarié").1["employee_number"], "M-3", "{name}");
        assert_eq!(status("passeport").0, 200, "{name}");
        assert_eq!(status("passeport").1["entries"], json!([]), "{name}");
        assert_eq!(
            status("organisme : liste").1["items"],
            json!([]),
            "{name}: an organisation sees none of the employer's staff"
        );
        assert_eq!(status("organisme : passeport").0, 404, "{name}");
        for label in ["sessions", "échéances", "déclarations"] {
            assert_eq!(status(label).0, 200, "{name}: {label}");
        }
        assert_eq!(
            status("formations"),
            (200, json!([])),
            "{name}: no record yet"
        );
        answers.push((name, seen));
        database.drop_now().await;
    }
    // Every answer, ids and sorted lists included, is the same on both backends.
    if let [(_, sqlite), (_, postgres)] = answers.as_slice() {
        assert_eq!(sqlite.len(), postgres.len());
        for (a, b) in sqlite.iter().zip(postgres) {
            assert_eq!(a, b, "{} differs between SQLite and PostgreSQL", a.0);
        }
    }
}

/// Tables stamped with the clock of the write (tokens and users of the seeding, the answer and
/// the trail of the POST after it), compared by row count only.
const CLOCKED: [&str; 4] = ["tokens", "users", "audit_entries", "idempotency_keys"];

/// What the demo accounts read of a demo database: `(label, status, body)`.
async fn demo_answers(base: &str) -> Vec<(String, u16, Value)> {
    let http = reqwest::Client::new();
    let get = async |label: &str, token: &str, path: &str| {
        let response = http
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            label.to_owned(),
            status,
            response.json().await.unwrap_or(Value::Null),
        )
    };
    let [employer, _, organisation] = DEMO_TOKENS;
    let mut seen = vec![
        get("salariés", employer, "/v1/workers?limit=50").await,
        get("recherche", employer, "/v1/workers?q=martin").await,
        get("échéances", employer, "/v1/expirations?within_days=90").await,
        get(
            "échéances, 2e employeur",
            DEMO_TOKENS[1],
            "/v1/expirations?within_days=90",
        )
        .await,
        get("sessions", organisation, "/v1/sessions?limit=100").await,
        get("déclarations", organisation, "/v1/declarations?limit=100").await,
        get("stagiaires", organisation, "/v1/workers?limit=50").await,
    ];
    let worker = seen[0].2["items"][7]["id"].as_i64().expect("a demo worker");
    seen.push(
        get(
            "passeport",
            employer,
            &format!("/v1/workers/{worker}/passport"),
        )
        .await,
    );
    let declaration = seen[5].2["items"][0]["id"]
        .as_i64()
        .expect("a demo declaration");
    seen.push(
        get(
            "déclaration",
            organisation,
            &format!("/v1/declarations/{declaration}"),
        )
        .await,
    );
    seen
}

/// The indexes and constraints of the database, as its catalog states them.
async fn schema(settings: &DatabaseSettings) -> Vec<String> {
    match &settings.url {
        passeport::server::database::DatabaseUrl::Sqlite(path) => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            let sql = sqlx::query_scalar(
                "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master \
                 ORDER BY type, name",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            sql
        }
        passeport::server::database::DatabaseUrl::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url.expose()).await.unwrap();
            let sql = sqlx::query_scalar(
                "SELECT c.relname || '.' || k.conname || ': ' || pg_get_constraintdef(k.oid) \
                 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
                 WHERE c.relnamespace = 'public'::regnamespace \
                 UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
                 ORDER BY 1",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            sql
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_is_the_same_on_both_backends_and_later_writes_follow_it() {
    let mut seeded = Vec::new();
    for database in each_backend().await {
        let name = database.name;
        let demo = ServerOptions {
            demo: Some(DemoOptions {
                workers: 2000,
                seed: DEFAULT_SEED,
                today: today(),
            }),
            ..options(true)
        };
        let server = Server::open_on(
            &database.settings,
            demo,
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        assert!(server.is_demo(), "{name}");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async {
            let _ = stopped.await;
        }));
        let answers = demo_answers(&base).await;
        for (label, status, body) in &answers {
            assert_eq!(*status, 200, "{name}: {label}: {body}");
        }
        assert!(
            !answers[5].2["items"].as_array().unwrap().is_empty(),
            "{name}"
        );

        // A worker hired after the seeding gets ids past the demo's (persons and workers were
        // written with explicit ids): the insert does not collide.
        let largest = |body: &Value| {
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|w| w["id"].as_i64())
                .max()
                .unwrap()
        };
        let created = reqwest::Client::new()
            .post(format!("{base}/v1/workers"))
            .bearer_auth(DEMO_TOKENS[0])
            .header("Idempotency-Key", "embauche-apres-demo")
            .json(&json!({"nir": nir(41), "last_name": "Nouvel", "first_names": "Arrivé"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{name}");
        let created: Value = created.json().await.unwrap();
        assert!(
            created["id"].as_i64().unwrap() > 2000 && largest(&answers[0].2) <= 2000,
            "{name}: {created}"
        );
        stop.send(()).unwrap();
        serving.await.unwrap().unwrap();

        // Every check of `db check` passes (on PostgreSQL: each sequence past its largest id).
        let report = maintenance::check(&database.settings).await.unwrap();
        assert_eq!(report.problems(), 0, "{name}: {:?}", report.findings);
        // The indexes and constraints set aside for the load are all back, as migrated.
        let fresh_dir = tempfile::tempdir().unwrap();
        let fresh_postgres = if database.settings.url.is_postgres() {
            databases::fresh_postgres().await
        } else {
            None
        };
        let fresh = fresh_postgres.as_ref().map_or_else(
            || DatabaseSettings::sqlite(fresh_dir.path().join("neuve.db")),
            |fresh| fresh.settings.clone(),
        );
        drop(open(&fresh).await);
        assert_eq!(
            schema(&database.settings).await,
            schema(&fresh).await,
            "{name}: the schema after seeding"
        );
        if let Some(fresh) = fresh_postgres {
            fresh.drop_now().await;
        }

        // Each table's rows, read as `db copy` reads them (PostgreSQL's column types, key
        // order) and summed: a copy to the other backend reports them.
        let dir = tempfile::tempdir().unwrap();
        let target = if database.settings.url.is_postgres() {
            (None, DatabaseSettings::sqlite(dir.path().join("copie.db")))
        } else {
            match databases::fresh_postgres().await {
                Some(copy) => {
                    let settings = copy.settings.clone();
                    (Some(copy), settings)
                }
                None => {
                    database.drop_now().await;
                    continue;
                }
            }
        };
        let copied = maintenance::copy(&database.settings, &target.1, |_| {})
            .await
            .unwrap();
        assert!(copied.verified(), "{name}");
        if let Some(copy) = target.0 {
            copy.drop_now().await;
        }
        let tables: Vec<(String, u64, String)> = copied
            .tables
            .into_iter()
            .map(|t| (t.table, t.source_rows, t.source_checksum))
            .collect();
        seeded.push((name, answers, tables));
        database.drop_now().await;
    }
    let [(_, sqlite, sqlite_tables), (_, postgres, postgres_tables)] = seeded.as_slice() else {
        eprintln!("PASSEPORT_TEST_DATABASE_URL absent : comparaison avec PostgreSQL ignorée");
        return;
    };
    assert_eq!(sqlite, postgres, "the demo accounts read the same on both");
    assert_eq!(sqlite_tables.len(), postgres_tables.len());
    for (a, b) in sqlite_tables.iter().zip(postgres_tables) {
        assert_eq!((&a.0, a.1), (&b.0, b.1), "rows of {}", a.0);
        if !CLOCKED.contains(&a.0.as_str()) {
            assert_eq!(a.2, b.2, "{}: the same rows, ids included", a.0);
        }
    }
    let rows = |table: &str| sqlite_tables.iter().find(|t| t.0 == table).unwrap().1;
    assert!(rows("persons") > 2000 && rows("passport_entries") > 2000);
    assert!(rows("sessions") > 0 && rows("declaration_titulaires") > 0);
}

#[tokio::test]
async fn reopening_a_database_keeps_its_accounts() {
    for database in each_backend().await {
        let siret: Siret = EMPLOYER.parse().unwrap();
        let server = open(&database.settings).await;
        server
            .create_account(DeclarantKind::Employeur, &siret, "ACME", None)
            .await
            .unwrap();
        drop(server);
        let server = open(&database.settings).await;
        assert!(
            server.create_token(&siret).await.is_ok(),
            "{}: migrations rerun on an up-to-date schema, the account is there",
            database.name
        );
        drop(server);
        database.drop_now().await;
    }
}

/// The number of migrations of this release.
fn migration_count() -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/migrations/sqlite");
    std::fs::read_dir(dir).unwrap().count()
}

/// The database of `settings` with the first `count` migrations applied, as a server of an
/// earlier release left it, with an account and a session; the descriptions applied.
async fn migrate_to(
    settings: &DatabaseSettings,
    dir: &std::path::Path,
    count: usize,
) -> Vec<String> {
    let folder = if settings.url.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/server/migrations")
        .join(folder);
    let previous = dir.join(folder);
    std::fs::create_dir_all(&previous).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let version: usize = name[..4].parse().unwrap();
        if version <= count {
            std::fs::copy(&path, previous.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(previous.as_path())
        .await
        .unwrap();
    let account =
        "INSERT INTO accounts (kind, siret, name) VALUES ('organisme_formation', $1, 'Formaprev')";
    let session = "INSERT INTO sessions (account_id, training_code, title, organisme, place, \
                   start_date, end_date) VALUES (1, 'SST', 'SST Lyon', 'Formaprev', 'Lyon', $1, $2)";
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
    match &settings.url {
        passeport::server::database::DatabaseUrl::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::query(account)
                .bind(ORGANISATION)
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query(session)
                .bind(start)
                .bind(end)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        passeport::server::database::DatabaseUrl::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url.expose()).await.unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::query(account)
                .bind(ORGANISATION)
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query(session)
                .bind(start)
                .bind(end)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
    migrator.iter().map(|m| m.description.to_string()).collect()
}

#[tokio::test]
async fn a_database_of_the_previous_migrations_is_upgraded_with_its_rows() {
    // The previous migration set (every migration but this release's last), and 0001–0004 (the
    // schema before the team's own data).
    let latest = migration_count();
    assert!(latest >= 5, "{latest} migrations");
    for count in [latest - 1, 4] {
        for database in each_backend().await {
            upgrade_from(&database.settings, count, database.name).await;
            database.drop_now().await;
        }
    }
}

/// Opens a database made by the first `count` migrations with the full set, and reads its rows.
async fn upgrade_from(settings: &DatabaseSettings, count: usize, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let applied = migrate_to(settings, dir.path(), count).await;
    assert_eq!(applied.len(), count, "{name}: 0001–{count:04}");
    let server = open(settings).await;
    let organisation: Siret = ORGANISATION.parse().unwrap();
    let token = server.create_token(&organisation).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    let sessions: Value = reqwest::Client::new()
        .get(format!("{base}/v1/sessions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = sessions["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        1,
        "{name} from {count:04}: the session made before the upgrade"
    );
    assert_eq!(items[0]["title"], "SST Lyon", "{name}");
    assert_eq!(items[0]["end_date"], "2026-03-03", "{name}");
    assert_eq!(
        items[0]["declaration_status"], "non_concernee",
        "{name}: no trainee"
    );
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
