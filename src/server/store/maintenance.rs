//! Moving and checking a whole database, for `passeport db copy` and `passeport db check`.
//!
//! Both work on the schema as the migrations left it, read from the database itself (SQLite's
//! `sqlite_master` and `pragma_table_info`, PostgreSQL's `information_schema` and `pg_catalog`),
//! so a table or a column added by a new migration is copied and checked with no change here.
//! [`copy`] copies every table of one database into an empty one, in foreign-key order, keeping
//! ids, then verifies per table the row count and a checksum computed the same way on both
//! sides; [`check`] runs the integrity checks of the backend and the store's own invariants.

mod check;
mod copy;
mod rows;
mod schema;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use super::{Backend, Store};
use crate::server::ServerError;
pub use check::{CheckFinding, CheckReport, check};
pub use copy::{CopyProgress, CopyReport, TableCopy, copy};

/// What can go wrong while copying or checking a database.
#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    /// Opening or migrating a database failed.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// A statement failed.
    #[error("base de données : {0}")]
    Database(#[from] sqlx::Error),
    /// `--from` and `--to` name the same database.
    #[error("la source et la cible sont la même base de données : copiez vers une base neuve")]
    SameDatabase,
    /// The target already holds rows.
    #[error(
        "la base cible n'est pas vide : la table « {table} » contient déjà des lignes ; \
         copiez vers une base neuve (rien n'a été écrit)"
    )]
    TargetNotEmpty {
        /// The first non-empty table found, in copy order.
        table: String,
    },
    /// The two schemas differ after migration (a table or a column missing on one side).
    #[error("schémas différents entre la source et la cible, table « {table} » : {detail}")]
    SchemaMismatch {
        /// The table.
        table: String,
        /// What differs.
        detail: String,
    },
    /// A column of a type the copy does not know.
    #[error("type de colonne non pris en charge : {table}.{column} ({data_type})")]
    UnsupportedType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Its type as the database names it.
        data_type: String,
    },
    /// A stored value does not fit its column's type.
    #[error("valeur illisible dans {table}.{column} : {detail}")]
    BadValue {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Why.
        detail: String,
    },
    /// The foreign keys between tables form a cycle, so no copy order exists.
    #[error("clés étrangères en cycle entre les tables {tables} : ordre de copie impossible")]
    DependencyCycle {
        /// The tables left, comma-separated.
        tables: String,
    },
    /// A table or column name that is not a plain lowercase identifier.
    #[error("nom de table ou de colonne inattendu : « {name} »")]
    BadName {
        /// The name.
        name: String,
    },
}

/// The pool of an open store, whichever its backend.
#[derive(Debug, Clone)]
enum Pool {
    /// A SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

impl Pool {
    /// The pool of `store`.
    fn of(store: &Store) -> Self {
        match &store.backend {
            Backend::Sqlite(db) => Self::Sqlite(db.pool.clone()),
            Backend::Postgres(db) => Self::Postgres(db.pool.clone()),
        }
    }

    /// Whether this is PostgreSQL.
    fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Closes the pool.
    async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// `name` double-quoted as an SQL identifier, once checked to be a plain lowercase identifier
/// (the schema's names all are; anything else is refused rather than escaped).
fn ident(name: &str) -> Result<String, MaintenanceError> {
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        Ok(format!("\"{name}\""))
    } else {
        Err(MaintenanceError::BadName {
            name: name.to_owned(),
        })
    }
}
