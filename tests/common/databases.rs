//! The backends a server test runs on: always a fresh SQLite file; a fresh PostgreSQL database
//! when `PASSEPORT_TEST_DATABASE_URL` names a server (`.ci/pg` starts one), created with a unique
//! name for this test alone (so tests run in parallel) and dropped when the test ends. Under
//! `CI=true` a missing URL fails the test instead of skipping PostgreSQL.

#![allow(dead_code)]

use passeport::server::database::{DatabaseSettings, DatabaseUrl};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The variable naming the PostgreSQL server of the tests.
const TEST_URL: &str = "PASSEPORT_TEST_DATABASE_URL";

/// A database made for one test; the PostgreSQL one is dropped by [`TestDatabase::drop_now`].
pub struct TestDatabase {
    /// How to open it.
    pub settings: DatabaseSettings,
    /// `"sqlite"` or `"postgres"`, for assertion messages.
    pub name: &'static str,
    /// The admin URL and the name of a PostgreSQL database to drop.
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Drops the PostgreSQL database (after the server holding it is closed).
    pub async fn drop_now(self) {
        if let Some((admin, name)) = &self.postgres {
            let mut conn = PgConnection::connect(admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// The admin URL of the PostgreSQL of the tests, if any (a failure under `CI=true` if not).
fn postgres_admin_url() -> Option<String> {
    match std::env::var(TEST_URL) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{TEST_URL} absent alors que CI=true : lancez les tests par .ci/run ou .ci/pg"
            );
            None
        }
    }
}

/// `admin` with its database replaced by `name`.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    let mut url = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// A fresh SQLite database, then a fresh PostgreSQL one when the tests have a server.
pub async fn each_backend() -> Vec<TestDatabase> {
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![TestDatabase {
        settings: DatabaseSettings::sqlite(dir.path().join("passeport.db")),
        name: "sqlite",
        postgres: None,
        _dir: Some(dir),
    }];
    databases.extend(fresh_postgres().await);
    databases
}

/// A fresh PostgreSQL database when the tests have a server.
pub async fn fresh_postgres() -> Option<TestDatabase> {
    let admin = postgres_admin_url()?;
    let name = format!("passeport_test_{:016x}", rand::random::<u64>());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = DatabaseUrl::parse(&with_database(&admin, &name)).unwrap();
    Some(TestDatabase {
        settings: DatabaseSettings::new(url),
        name: "postgres",
        postgres: Some((admin, name)),
        _dir: None,
    })
}
