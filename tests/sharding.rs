//! Ready to shard (issue 14 §5): on a fresh database of the PostgreSQL of the tests, migrated by
//! the server, read `pg_catalog` and check the rules a distributed PostgreSQL (Citus) puts on a
//! distributed table, for every table docs/scaling.md lists as tenant or person with its
//! distribution column (the doc's table is the data this test reads):
//! - every primary key and unique index includes the distribution column;
//! - a foreign key between two distributed tables joins their distribution columns.
//!
//! Today's schema breaks them in known places, listed by constraint name in the doc's section
//! « Constraints to change before distribution »: the test fails on a break not listed there (a
//! new table or index that would block distribution) and on a listed one that no longer occurs
//! (so the list stays exact as the migrations fix them). Migration 0009 fixed six; the 14 left
//! wait because: the `*_pkey` of tables others reference need every referencing key changed at
//! once (and, on SQLite, those referenced tables rebuilt); `declarations_session_id_fkey` and
//! `declaration_titulaires_declaration_id_fkey` need `declarations` and `declaration_titulaires`
//! rebuilt on SQLite, which other tables reference; the foreign keys across accounts or families
//! (`session_trainees_worker_id_fkey`, `workers_person_id_fkey`, `passport_entries_v2_*`) are to
//! drop for checks by the store; `persons_nir_key` waits for the NIR lookup's design.

#[path = "common/databases.rs"]
mod databases;

use std::collections::{BTreeMap, BTreeSet};

use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::server::database::DatabaseUrl;
use passeport::server::{Server, ServerOptions};
use sqlx::{Connection, PgConnection, Row};

/// The scaling page, read at test time.
fn scaling_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scaling.md")).unwrap()
}

/// The first `backticked` word of `cell`.
fn first_code(cell: &str) -> Option<String> {
    let start = cell.find('`')? + 1;
    let len = cell[start..].find('`')?;
    Some(cell[start..start + len].to_owned())
}

/// Distributed tables of the doc's table: name → distribution column.
fn distributed(doc: &str) -> BTreeMap<String, String> {
    let mut tables = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(names), Some(kind), Some(column)) = (cells.get(1), cells.get(2), cells.get(3))
        else {
            continue;
        };
        if !matches!(*kind, "tenant" | "person") {
            continue;
        }
        let column = first_code(column).expect("a distribution column in backticks");
        // A row may name several tables: `export_batches`, `export_lines`.
        for name in names.split(',').filter_map(first_code) {
            tables.insert(name, column.clone());
        }
    }
    tables
}

/// The constraint names listed under « Constraints to change before distribution ».
fn accepted(doc: &str) -> BTreeSet<String> {
    doc.split("## Constraints to change before distribution")
        .nth(1)
        .expect("the section « Constraints to change before distribution »")
        .split("\n## ")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("- `"))
        .filter_map(first_code)
        .collect()
}

#[tokio::test]
async fn distributed_tables_keep_their_distribution_column_in_keys() {
    let mut databases = databases::each_backend().await;
    if databases.len() < 2 {
        eprintln!("PASSEPORT_TEST_DATABASE_URL absent : test PostgreSQL ignoré");
        return;
    }
    let pg = databases.pop().unwrap();
    let server = Server::open_on(
        &pg.settings,
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
    let DatabaseUrl::Postgres(url) = &pg.settings.url else {
        panic!("not PostgreSQL");
    };
    let mut conn = PgConnection::connect(url.expose()).await.unwrap();

    let doc = scaling_doc();
    let tables = distributed(&doc);
    assert!(
        tables.contains_key("workers") && tables.contains_key("passport_entries"),
        "{tables:?}"
    );
    let mut broken: BTreeMap<String, String> = BTreeMap::new();

    let columns: Vec<(String, String)> = sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    for (table, column) in &tables {
        assert!(
            columns.iter().any(|(t, _)| t == table),
            "docs/scaling.md names a table the schema lacks: {table}"
        );
        if !columns.iter().any(|(t, c)| t == table && c == column) {
            broken.insert(
                format!("{table}.{column}"),
                format!("the distribution column {column} is not a column of {table}"),
            );
        }
    }

    let unique = sqlx::query(
        "SELECT t.relname::text, ix.relname::text, \
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) k(n) \
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_class ix ON ix.oid = i.indexrelid \
         WHERE i.indisunique AND t.relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for row in unique {
        let (table, index, keys): (String, String, Vec<String>) =
            (row.get(0), row.get(1), row.get(2));
        if let Some(column) = tables.get(&table)
            && !keys.contains(column)
        {
            broken.insert(
                index,
                format!("unique ({}) of {table} lacks {column}", keys.join(", ")),
            );
        }
    }

    let foreign = sqlx::query(
        "SELECT c.conname::text, ch.relname::text, pa.relname::text, \
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), \
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) \
         FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid \
         JOIN pg_class pa ON pa.oid = c.confrelid \
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for row in foreign {
        let (name, child, parent): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let (from, to): (Vec<String>, Vec<String>) = (row.get(3), row.get(4));
        let (Some(child_column), Some(parent_column)) = (tables.get(&child), tables.get(&parent))
        else {
            continue;
        };
        let joined = from
            .iter()
            .zip(&to)
            .any(|(c, p)| c == child_column && p == parent_column);
        if !joined {
            broken.insert(
                name,
                format!(
                    "{child} ({}) → {parent} ({}) does not join {child_column} = {parent_column}",
                    from.join(", "),
                    to.join(", ")
                ),
            );
        }
    }
    conn.close().await.unwrap();
    pg.drop_now().await;

    let listed = accepted(&doc);
    let found: BTreeSet<String> = broken.keys().cloned().collect();
    let new: Vec<String> = broken
        .iter()
        .filter(|(name, _)| !listed.contains(*name))
        .map(|(name, why)| format!("- `{name}` — {why}"))
        .collect();
    let fixed: Vec<&String> = listed.difference(&found).collect();
    assert!(
        new.is_empty(),
        "constraints that block distribution, not listed in docs/scaling.md:\n{}",
        new.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed in docs/scaling.md but no longer breaking the rules (remove them): {fixed:?}"
    );
}
