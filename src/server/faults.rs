//! Storage faults: a full disk, a read-only database or a failing disk. They answer 503 with a
//! French problem while they last (never a generic 500), `/healthz` reports the write path as
//! failing until a write succeeds again, and the server recovers by itself once the cause is
//! gone (the SQLite pool closes every connection a failed write transaction leaves behind, see
//! `store/sqlite.rs`).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::ServerError;
use super::database::DatabaseUrl;

/// SQLite's primary result codes of a storage fault (<https://sqlite.org/rescode.html>).
const SQLITE_READONLY: i64 = 8;
/// See [`SQLITE_READONLY`].
const SQLITE_IOERR: i64 = 10;
/// See [`SQLITE_READONLY`].
const SQLITE_FULL: i64 = 13;
/// See [`SQLITE_READONLY`].
const SQLITE_CANTOPEN: i64 = 14;
/// PostgreSQL's SQLSTATE codes of a storage fault (appendix A of its manual).
const PG_DISK_FULL: &str = "53100";
/// See [`PG_DISK_FULL`].
const PG_READ_ONLY: &str = "25006";
/// See [`PG_DISK_FULL`].
const PG_IO_ERROR: &str = "58030";

/// Why the database cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// The disk (or the database's size limit) is full.
    Full,
    /// The database file, its folder or its server is read-only.
    ReadOnly,
    /// The disk answered an input/output error.
    Disk,
    /// The file or its folder cannot be opened (rights, read-only file system).
    CantOpen,
}

impl StorageFault {
    /// The fault behind `error`, if it is one.
    pub fn of(error: &ServerError) -> Option<Self> {
        match error {
            ServerError::Database(error) => Self::of_sqlx(error),
            ServerError::Migration(sqlx::migrate::MigrateError::Execute(error)) => {
                Self::of_sqlx(error)
            }
            _ => None,
        }
    }

    /// The fault behind a driver error, if it is one.
    pub fn of_sqlx(error: &sqlx::Error) -> Option<Self> {
        let sqlx::Error::Database(error) = error else {
            return None;
        };
        let code = error.code()?;
        if let Ok(number) = code.parse::<i64>() {
            // SQLite gives its extended code: the primary code is its low byte.
            return match number & 0xff {
                SQLITE_FULL => Some(Self::Full),
                SQLITE_READONLY => Some(Self::ReadOnly),
                SQLITE_IOERR => Some(Self::Disk),
                SQLITE_CANTOPEN => Some(Self::CantOpen),
                _ => None,
            };
        }
        match code.as_ref() {
            PG_DISK_FULL => Some(Self::Full),
            PG_READ_ONLY => Some(Self::ReadOnly),
            PG_IO_ERROR => Some(Self::Disk),
            _ => None,
        }
    }
}

impl fmt::Display for StorageFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full => "le disque de la base de données est plein",
            Self::ReadOnly => "la base de données est en lecture seule",
            Self::Disk => "le disque de la base de données renvoie une erreur d'écriture",
            Self::CantOpen => {
                "le fichier de la base ou son dossier ne s'ouvre pas en écriture (droits, \
                 système de fichiers en lecture seule)"
            }
        })
    }
}

/// `error` at the opening of `database`, as [`ServerError::NotWritable`] when a storage fault.
pub fn not_writable(database: &DatabaseUrl, error: ServerError) -> ServerError {
    match StorageFault::of(&error) {
        Some(fault) => ServerError::NotWritable {
            database: database.to_string(),
            fault,
        },
        None => error,
    }
}

/// The state of the write path: the fault of the last failed write, until a write succeeds.
#[derive(Debug, Clone, Default)]
pub struct WriteHealth(Arc<Mutex<Option<Failing>>>);

/// A storage fault and the time writes started failing on it.
pub type Failing = (StorageFault, DateTime<Utc>);

impl WriteHealth {
    /// The current fault and since when, if writes are failing.
    pub fn failing(&self) -> Option<Failing> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a failed write (keeps the first time of an ongoing fault).
    fn fail(&self, fault: StorageFault) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let since = state.map_or_else(Utc::now, |(_, since)| since);
        *state = Some((fault, since));
    }

    /// Records a successful write.
    fn recover(&self) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if state.take().is_some() {
            tracing::info!("écritures de nouveau possibles dans la base de données");
        }
    }
}

/// Middleware: a response carrying a [`StorageFault`] marks the write path failing; a
/// successful write (a 2xx answer to anything but GET or HEAD) marks it healthy.
pub async fn track_writes(
    State(health): State<WriteHealth>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let response = next.run(request).await;
    if let Some(fault) = response.extensions().get::<StorageFault>() {
        health.fail(*fault);
    } else if writes && response.status().is_success() {
        health.recover();
    }
    response
}

/// The status of a storage fault.
pub const STATUS: StatusCode = StatusCode::SERVICE_UNAVAILABLE;

/// The French explanation of a storage fault for the client.
pub fn detail(fault: StorageFault) -> String {
    let what = match fault {
        StorageFault::Full => "libérez de l'espace disque",
        StorageFault::ReadOnly => "rendez le fichier et son dossier accessibles en écriture",
        StorageFault::Disk => "vérifiez le disque",
        StorageFault::CantOpen => "vérifiez les droits et le montage du dossier de la base",
    };
    format!(
        "{fault} : rien n'a été enregistré ; l'administrateur du serveur doit intervenir \
         ({what}), puis réessayez"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_storage_faults_are_classified() {
        let other = ServerError::EmptyName;
        assert_eq!(StorageFault::of(&other), None);
        assert_eq!(StorageFault::of_sqlx(&sqlx::Error::RowNotFound), None);
        let message = detail(StorageFault::Full);
        assert!(message.contains("plein"), "{message}");
        assert!(message.contains("rien n'a été enregistré"), "{message}");
    }
}
