//! Each backend of the tests (tests/common/databases.rs, which the including test file declares
//! as `mod databases`) holding the same demonstration data: the SQLite file seeded by the server
//! as `serve --demo` seeds it, and the PostgreSQL database a `db copy` of that file (the server
//! seeds demo data on SQLite only), so both hold the same rows, ids and demo tokens.

#![allow(dead_code)]

use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::DemoOptions;
use passeport::server::{Server, ServerOptions, maintenance};

use crate::databases::{TestDatabase, each_backend};

/// The options of a server over a database already seeded, for `today`.
pub fn options(today: chrono::NaiveDate) -> ServerOptions {
    ServerOptions {
        db_path: std::path::PathBuf::new(),
        demo: None,
        today: Some(today),
    }
}

/// Opens a server over `database` with the embedded catalogue and rules.
pub async fn open(database: &DatabaseSettings, today: chrono::NaiveDate) -> Server {
    Server::open_on(
        database,
        options(today),
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap()
}

/// Each backend of the tests, SQLite first, holding the demo data of `demo`.
pub async fn each_backend_with_demo(demo: DemoOptions) -> Vec<TestDatabase> {
    let databases = each_backend().await;
    let sqlite = &databases[0].settings;
    let seeding = ServerOptions {
        demo: Some(demo),
        ..options(demo.today)
    };
    let server = Server::open_on(
        sqlite,
        seeding,
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap();
    assert!(server.is_demo());
    drop(server);
    for database in &databases[1..] {
        let report = maintenance::copy(sqlite, &database.settings, |_| {})
            .await
            .unwrap();
        assert!(report.verified(), "{}: {report:?}", database.name);
    }
    databases
}
