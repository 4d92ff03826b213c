//! `passeport db copy`: every table of one database into an empty one of either backend.
//!
//! The target is migrated to the binary's version (as is the source: both are opened as the
//! server opens them), then refused if any table holds a row. The source is read in one snapshot
//! (a read transaction), each table in key order, and written in ONE target transaction in
//! foreign-key order by multi-row INSERTs keeping every column — ids, idempotency keys and
//! ID_UNIQUE_PARTENAIRE reservations included — so a failure leaves the target empty. PostgreSQL
//! identity sequences are then set past the copied ids. After the commit, each target table is
//! read back the same way and its row count and checksum compared with the source's.

use std::collections::BTreeSet;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::{Postgres, QueryBuilder, Sqlite, Transaction};

use super::rows::{self, Checksum, Value};
use super::schema::{self, Kind, Table};
use super::{MaintenanceError, Pool, ident};
use crate::server::database::{DatabaseSettings, DatabaseUrl};
use crate::server::store::Store;

/// Most bound values in one INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;
/// Most rows in one INSERT.
const MAX_BATCH_ROWS: usize = 500;

/// Where a copy stands, after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyProgress<'a> {
    /// The table being copied.
    pub table: &'a str,
    /// Its rows copied so far.
    pub copied: u64,
    /// Its rows in the source.
    pub total: u64,
}

/// One table of a finished copy: what the source held and what the target holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows read from the source.
    pub source_rows: u64,
    /// Rows read back from the target.
    pub target_rows: u64,
    /// SHA-256 of the source rows, normalised (see `rows`).
    pub source_checksum: String,
    /// SHA-256 of the target rows, computed the same way.
    pub target_checksum: String,
}

impl TableCopy {
    /// Whether the target holds the same rows as the source.
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

/// A finished copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Every table, in copy order.
    pub tables: Vec<TableCopy>,
    /// PostgreSQL identity sequences set: `(table, column, next value)`.
    pub sequences: Vec<(String, String, i64)>,
}

impl CopyReport {
    /// Whether every table matches.
    pub fn verified(&self) -> bool {
        self.tables.iter().all(TableCopy::matches)
    }
}

/// Copies the database of `from` into the empty database of `to` (created or migrated to the
/// binary's version), calling `progress` after each batch, then verifies every table.
pub async fn copy(
    from: &DatabaseSettings,
    to: &DatabaseSettings,
    mut progress: impl FnMut(CopyProgress<'_>),
) -> Result<CopyReport, MaintenanceError> {
    if same_database(&from.url, &to.url) {
        return Err(MaintenanceError::SameDatabase);
    }
    let source = Pool::of(&Store::open(from).await?);
    let target = Pool::of(&Store::open(to).await?);
    let result = copy_between(&source, &target, &mut progress).await;
    source.close().await;
    target.close().await;
    result
}

/// Whether two URLs name the same database (the same SQLite file, or the same PostgreSQL URL).
fn same_database(from: &DatabaseUrl, to: &DatabaseUrl) -> bool {
    match (from, to) {
        (DatabaseUrl::Sqlite(a), DatabaseUrl::Sqlite(b)) => {
            a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
        }
        (DatabaseUrl::Postgres(a), DatabaseUrl::Postgres(b)) => a.expose() == b.expose(),
        _ => false,
    }
}

async fn copy_between(
    source: &Pool,
    target: &Pool,
    progress: &mut impl FnMut(CopyProgress<'_>),
) -> Result<CopyReport, MaintenanceError> {
    let tables = schema::dependency_order(common_schema(source, target).await?)?;
    let mut reader = Tx::read(source).await?;
    let mut writer = Tx::write(target).await?;
    for table in &tables {
        if writer.count(table, true).await? > 0 {
            return Err(MaintenanceError::TargetNotEmpty {
                table: table.name.clone(),
            });
        }
    }
    let mut sums = Vec::with_capacity(tables.len());
    for table in &tables {
        let total = reader.count(table, false).await?;
        let batch_rows = (MAX_BINDS / table.columns.len().max(1)).clamp(1, MAX_BATCH_ROWS);
        let sql = rows::select(table, source.is_postgres())?;
        let mut checksum = Checksum::default();
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(batch_rows);
        let mut copied = 0;
        let mut stream = reader.rows(table, &sql);
        while let Some(row) = stream.next().await {
            let row = row?;
            checksum.add(&row);
            batch.push(row);
            if batch.len() == batch_rows {
                writer.insert(table, &batch).await?;
                copied += batch.len() as u64;
                batch.clear();
                progress(CopyProgress {
                    table: &table.name,
                    copied,
                    total,
                });
            }
        }
        drop(stream);
        if !batch.is_empty() || copied == 0 {
            writer.insert(table, &batch).await?;
            copied += batch.len() as u64;
            progress(CopyProgress {
                table: &table.name,
                copied,
                total,
            });
        }
        sums.push(checksum.finish());
    }
    let sequences = writer.advance_sequences(&tables).await?;
    writer.commit().await?;
    reader.commit().await?;

    let mut check = Tx::read(target).await?;
    let mut report = Vec::with_capacity(tables.len());
    for (table, (source_rows, source_checksum)) in tables.iter().zip(sums) {
        let sql = rows::select(table, target.is_postgres())?;
        let mut checksum = Checksum::default();
        let mut stream = check.rows(table, &sql);
        while let Some(row) = stream.next().await {
            checksum.add(&row?);
        }
        drop(stream);
        let (target_rows, target_checksum) = checksum.finish();
        report.push(TableCopy {
            table: table.name.clone(),
            source_rows,
            target_rows,
            source_checksum,
            target_checksum,
        });
    }
    check.commit().await?;
    Ok(CopyReport {
        tables: report,
        sequences,
    })
}

/// The tables of both databases, which must have the same tables and columns; a column takes
/// its kind from the PostgreSQL side when there is one (SQLite declares only INTEGER and TEXT)
/// and its identity from the target; columns are taken in name order.
async fn common_schema(source: &Pool, target: &Pool) -> Result<Vec<Table>, MaintenanceError> {
    let from = schema::tables(source).await?;
    let to = schema::tables(target).await?;
    let names =
        |tables: &[Table]| -> BTreeSet<String> { tables.iter().map(|t| t.name.clone()).collect() };
    let (from_names, to_names) = (names(&from), names(&to));
    if let Some(missing) = from_names.symmetric_difference(&to_names).next() {
        let side = if to_names.contains(missing) {
            "source"
        } else {
            "cible"
        };
        return Err(MaintenanceError::SchemaMismatch {
            table: missing.clone(),
            detail: format!("absente de la {side}"),
        });
    }
    let mut tables = Vec::with_capacity(from.len());
    for mut table in from {
        let Some(other) = to.iter().find(|t| t.name == table.name) else {
            continue;
        };
        let columns =
            |t: &Table| -> BTreeSet<String> { t.columns.iter().map(|c| c.name.clone()).collect() };
        if columns(&table) != columns(other) {
            return Err(MaintenanceError::SchemaMismatch {
                table: table.name.clone(),
                detail: "colonnes différentes".to_owned(),
            });
        }
        // By name, so a table hashes alike on both backends whatever order ALTER TABLE left.
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        for column in &mut table.columns {
            let Some(theirs) = other.column(&column.name) else {
                continue;
            };
            column.identity = theirs.identity;
            if target.is_postgres() {
                column.kind = theirs.kind;
            }
        }
        tables.push(table);
    }
    Ok(tables)
}

/// A transaction on either backend.
enum Tx {
    /// On SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// A read transaction: one snapshot of the whole database, with no statement timeout (a
    /// large table is read by one statement).
    async fn read(pool: &Pool) -> Result<Self, MaintenanceError> {
        Ok(match pool {
            Pool::Sqlite(pool) => Self::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?;
                sqlx::query("SET LOCAL statement_timeout = 0")
                    .execute(&mut *tx)
                    .await?;
                Self::Postgres(tx)
            }
        })
    }

    /// A write transaction holding the write lock from its start (SQLite).
    async fn write(pool: &Pool) -> Result<Self, MaintenanceError> {
        Ok(match pool {
            Pool::Sqlite(pool) => Self::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL statement_timeout = 0")
                    .execute(&mut *tx)
                    .await?;
                Self::Postgres(tx)
            }
        })
    }

    /// The rows of `table` (at most one when `any` is set: whether it has rows at all).
    async fn count(&mut self, table: &Table, any: bool) -> Result<u64, MaintenanceError> {
        let name = ident(&table.name)?;
        let sql = if any {
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM {name} LIMIT 1) AS t")
        } else {
            format!("SELECT COUNT(*) FROM {name}")
        };
        let count: i64 = match self {
            Self::Sqlite(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
            Self::Postgres(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The rows of `table` read by `sql` (from [`rows::select`]), decoded.
    fn rows<'t>(
        &'t mut self,
        table: &'t Table,
        sql: &'t str,
    ) -> BoxStream<'t, Result<Vec<Value>, MaintenanceError>> {
        match self {
            Self::Sqlite(tx) => sqlx::query(sql)
                .fetch(&mut **tx)
                .map(move |row| rows::from_sqlite(table, &row?))
                .boxed(),
            Self::Postgres(tx) => sqlx::query(sql)
                .fetch(&mut **tx)
                .map(move |row| rows::from_postgres(table, &row?))
                .boxed(),
        }
    }

    /// Inserts `batch` into `table`, every column as given.
    async fn insert(
        &mut self,
        table: &Table,
        batch: &[Vec<Value>],
    ) -> Result<(), MaintenanceError> {
        if batch.is_empty() {
            return Ok(());
        }
        let head = rows::insert_head(table)?;
        let kinds: Vec<Kind> = table.columns.iter().map(|c| c.kind).collect();
        match self {
            Self::Sqlite(tx) => {
                let mut builder = QueryBuilder::<Sqlite>::new(head);
                builder.push_values(batch, |mut values, row| {
                    for (kind, value) in kinds.iter().zip(row) {
                        rows::bind_sqlite(&mut values, *kind, value);
                    }
                });
                builder.build().execute(&mut **tx).await?;
            }
            Self::Postgres(tx) => {
                let mut builder = QueryBuilder::<Postgres>::new(head);
                builder.push_values(batch, |mut values, row| {
                    for (kind, value) in kinds.iter().zip(row) {
                        rows::bind_postgres(&mut values, *kind, value);
                    }
                });
                builder.build().execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// On PostgreSQL, sets every identity sequence of `tables` past the largest copied value.
    async fn advance_sequences(
        &mut self,
        tables: &[Table],
    ) -> Result<Vec<(String, String, i64)>, MaintenanceError> {
        let Self::Postgres(tx) = self else {
            return Ok(Vec::new());
        };
        let mut set = Vec::new();
        for table in tables {
            for column in table.columns.iter().filter(|c| c.identity) {
                let name = ident(&table.name)?;
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), \
                     COALESCE((SELECT MAX({col}) FROM {name}), 0) + 1, false)",
                    col = ident(&column.name)?,
                );
                let next: i64 = sqlx::query_scalar(&sql)
                    .bind(&name)
                    .bind(&column.name)
                    .fetch_one(&mut **tx)
                    .await?;
                set.push((table.name.clone(), column.name.clone(), next));
            }
        }
        Ok(set)
    }

    /// Commits.
    async fn commit(self) -> Result<(), MaintenanceError> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
