//! Each backend of the tests (tests/common/databases.rs, which the including test file declares
//! as `mod databases`) holding the same demonstration data, seeded by the server on each as
//! `serve --demo` seeds it (deterministic: the same rows, ids and demo tokens on both).

#![allow(dead_code)]

use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::DemoOptions;
use passeport::server::{Server, ServerOptions};

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

/// Each backend of the tests, SQLite first, each seeded with the demo data of `demo` by the
/// server as `serve --demo` seeds it.
pub async fn each_backend_with_demo(demo: DemoOptions) -> Vec<TestDatabase> {
    let databases = each_backend().await;
    for database in &databases {
        let seeding = ServerOptions {
            demo: Some(demo),
            ..options(demo.today)
        };
        let server = Server::open_on(
            &database.settings,
            seeding,
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        assert!(server.is_demo(), "{}", database.name);
    }
    databases
}
