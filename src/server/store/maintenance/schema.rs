//! The schema as the database holds it: tables, their columns with a value kind, the columns
//! that order their rows (the primary key, else every column), the tables they reference, and
//! the copy order those references impose.

use std::collections::BTreeSet;

use sqlx::Row;

use super::{MaintenanceError, Pool};

/// The kind of a column's values, which fixes how a value is read, written and hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Whole number (INTEGER, BIGINT).
    Int,
    /// Floating-point number.
    Real,
    /// Text.
    Text,
    /// Boolean: `BOOLEAN` on PostgreSQL, 0/1 on SQLite.
    Bool,
    /// Calendar date: `DATE` on PostgreSQL, ISO text on SQLite.
    Date,
    /// Instant: `TIMESTAMPTZ` on PostgreSQL, RFC 3339 text on SQLite.
    Timestamp,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    /// Its name.
    pub(super) name: String,
    /// The kind of its values.
    pub(super) kind: Kind,
    /// Whether PostgreSQL fills it from an identity sequence.
    pub(super) identity: bool,
}

/// A table of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    /// Its name.
    pub(super) name: String,
    /// Its columns, in the table's order.
    pub(super) columns: Vec<Column>,
    /// The columns its rows are read in order of: the primary key, else every column.
    pub(super) order: Vec<String>,
    /// The tables its foreign keys reference (itself excluded).
    pub(super) parents: BTreeSet<String>,
}

impl Table {
    /// The column named `name`.
    pub(super) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The migrations' own bookkeeping, never copied as data.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// The tables of the database behind `pool`, by name.
pub(super) async fn tables(pool: &Pool) -> Result<Vec<Table>, MaintenanceError> {
    match pool {
        Pool::Sqlite(pool) => sqlite_tables(pool).await,
        Pool::Postgres(pool) => postgres_tables(pool).await,
    }
}

async fn sqlite_tables(pool: &sqlx::SqlitePool) -> Result<Vec<Table>, MaintenanceError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
         ESCAPE '\\' AND name <> $1 ORDER BY name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let rows = sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(pool)
            .await?;
        let mut columns = Vec::with_capacity(rows.len());
        let mut key: Vec<(i64, String)> = Vec::new();
        for row in rows {
            let column: String = row.try_get("name")?;
            let declared: String = row.try_get("type")?;
            let pk: i64 = row.try_get("pk")?;
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            columns.push(Column {
                name: column,
                kind: sqlite_kind(&declared),
                identity: false,
            });
        }
        key.sort();
        let parents: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(pool)
                .await?;
        tables.push(table(
            name,
            columns,
            key.into_iter().map(|(_, c)| c).collect(),
            parents,
        ));
    }
    Ok(tables)
}

/// The kind of a SQLite column from its declared type, by SQLite's affinity rules
/// (<https://www.sqlite.org/datatype3.html#determination_of_column_affinity>).
fn sqlite_kind(declared: &str) -> Kind {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Kind::Int
    } else if ["REAL", "FLOA", "DOUB"]
        .iter()
        .any(|t| declared.contains(t))
    {
        Kind::Real
    } else {
        Kind::Text
    }
}

async fn postgres_tables(pool: &sqlx::PgPool) -> Result<Vec<Table>, MaintenanceError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> $1 ORDER BY table_name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let rows = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS data_type, \
             is_identity::text = 'YES' AS identity FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let mut columns = Vec::with_capacity(rows.len());
        for row in rows {
            let column: String = row.try_get("name")?;
            let data_type: String = row.try_get("data_type")?;
            let kind =
                postgres_kind(&data_type).ok_or_else(|| MaintenanceError::UnsupportedType {
                    table: name.clone(),
                    column: column.clone(),
                    data_type: data_type.clone(),
                })?;
            columns.push(Column {
                name: column,
                kind,
                identity: row.try_get("identity")?,
            });
        }
        let key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i \
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary ORDER BY k.n",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let parents: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT p.relname::text FROM pg_constraint c \
             JOIN pg_class p ON p.oid = c.confrelid \
             WHERE c.conrelid = to_regclass(quote_ident($1)) AND c.contype = 'f'",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        tables.push(table(name, columns, key, parents));
    }
    Ok(tables)
}

/// The kind of a PostgreSQL column from its `information_schema` data type.
fn postgres_kind(data_type: &str) -> Option<Kind> {
    Some(match data_type {
        "bigint" | "integer" | "smallint" => Kind::Int,
        "double precision" | "real" => Kind::Real,
        "text" | "character varying" | "character" => Kind::Text,
        "boolean" => Kind::Bool,
        "date" => Kind::Date,
        "timestamp with time zone" => Kind::Timestamp,
        _ => return None,
    })
}

/// A table, ordered by `key` or, without a primary key, by every column.
fn table(name: String, columns: Vec<Column>, key: Vec<String>, parents: Vec<String>) -> Table {
    let order = if key.is_empty() {
        columns.iter().map(|c| c.name.clone()).collect()
    } else {
        key
    };
    let parents = parents.into_iter().filter(|p| *p != name).collect();
    Table {
        name,
        columns,
        order,
        parents,
    }
}

/// `tables` in an order where every table comes after the tables it references (ties by name),
/// so rows can be inserted with the foreign keys checked.
pub(super) fn dependency_order(mut tables: Vec<Table>) -> Result<Vec<Table>, MaintenanceError> {
    let mut ordered: Vec<Table> = Vec::with_capacity(tables.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    while !tables.is_empty() {
        let ready = tables
            .iter()
            .position(|t| t.parents.iter().all(|p| placed.contains(p)))
            .ok_or_else(|| MaintenanceError::DependencyCycle {
                tables: tables
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let table = tables.remove(ready);
        placed.insert(table.name.clone());
        ordered.push(table);
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, parents: &[&str]) -> Table {
        table(
            name.to_owned(),
            Vec::new(),
            Vec::new(),
            parents.iter().map(|p| (*p).to_owned()).collect(),
        )
    }

    fn names(tables: &[Table]) -> Vec<&str> {
        tables.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn referenced_tables_come_first_and_a_cycle_is_refused() {
        let ordered = dependency_order(vec![
            t("lines", &["batches", "accounts"]),
            t("batches", &["accounts"]),
            t("accounts", &["accounts"]),
            t("meta", &[]),
        ])
        .unwrap();
        assert_eq!(names(&ordered), ["accounts", "batches", "lines", "meta"]);
        let error = dependency_order(vec![t("a", &["b"]), t("b", &["a"]), t("c", &[])])
            .unwrap_err()
            .to_string();
        assert!(error.contains("a, b"), "{error}");
    }
}
