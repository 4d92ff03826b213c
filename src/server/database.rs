//! Where the server keeps its data: a SQLite file or a PostgreSQL server, chosen by the URL
//! (`sqlite:PATH` or `--db PATH`, `postgres://…` or `postgresql://…`), with the connection
//! settings. A PostgreSQL URL is shown everywhere (Display, Debug, errors) with its password
//! masked.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Connections in a PostgreSQL pool unless set otherwise.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;
/// Longest a PostgreSQL statement may run unless set otherwise.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// What replaces a password when a URL is shown.
const MASK: &str = "****";

/// Why a database URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    /// The scheme is neither SQLite nor PostgreSQL.
    #[error(
        "adresse de base de données refusée (schéma « {scheme} ») : utilisez sqlite:CHEMIN, \
         postgres://… ou postgresql://…"
    )]
    UnknownScheme {
        /// The scheme as given (never the rest of the URL, which may hold a password).
        scheme: String,
    },
    /// `sqlite:` without a path.
    #[error("adresse SQLite sans chemin de fichier : utilisez sqlite:CHEMIN")]
    EmptySqlitePath,
    /// A PostgreSQL URL with no host part.
    #[error("adresse PostgreSQL sans serveur : utilisez postgres://UTILISATEUR@HÔTE:PORT/BASE")]
    EmptyPostgres,
}

/// A PostgreSQL connection URL; its password never leaves it except to connect.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The full URL, password included: only for opening connections.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", redact(&self.0))
    }
}

/// The database of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PostgresUrl),
}

impl DatabaseUrl {
    /// Parses `sqlite:PATH` (or `sqlite://PATH`), `postgres://…` or `postgresql://…`.
    pub fn parse(text: &str) -> Result<Self, DatabaseUrlError> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(DatabaseUrlError::EmptySqlitePath);
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        for scheme in ["postgres://", "postgresql://"] {
            if let Some(rest) = text.strip_prefix(scheme) {
                if rest.is_empty() || rest.starts_with('/') {
                    return Err(DatabaseUrlError::EmptyPostgres);
                }
                return Ok(Self::Postgres(PostgresUrl(text.to_owned())));
            }
        }
        let scheme = text.split_once(':').map_or(text, |(scheme, _)| scheme);
        Err(DatabaseUrlError::UnknownScheme {
            scheme: scheme.chars().take(20).collect(),
        })
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => url.fmt(f),
        }
    }
}

/// TLS to the PostgreSQL server (rustls), as libpq's `sslmode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TlsMode {
    /// Never.
    Disable,
    /// When the server offers it.
    Prefer,
    /// Always, without checking the certificate.
    Require,
    /// Always, with a certificate signed by a known authority.
    VerifyCa,
    /// Always, with a certificate for this host name.
    VerifyFull,
}

/// The database and how to connect to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// Which database.
    pub url: DatabaseUrl,
    /// Connections in the PostgreSQL pool (SQLite keeps its own small pool).
    pub max_connections: u32,
    /// Longest a PostgreSQL statement may run.
    pub statement_timeout: Duration,
    /// TLS to PostgreSQL; `None` keeps the URL's `sslmode` (default `prefer`).
    pub tls: Option<TlsMode>,
    /// Most pages a SQLite file may hold (`PRAGMA max_page_count`, 4 KiB each): a size quota,
    /// past which writes answer 503 as on a full disk; `None` for no limit.
    pub sqlite_max_pages: Option<u32>,
}

impl DatabaseSettings {
    /// A database with the default settings.
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            tls: None,
            sqlite_max_pages: None,
        }
    }

    /// A SQLite file with the default settings.
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        Self::new(DatabaseUrl::Sqlite(path.into()))
    }
}

/// `url` with the password of its user part and any `password=` parameter masked.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = rest
        .find(['/', '?'])
        .map_or((rest, ""), |at| rest.split_at(at));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:{MASK}@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}={MASK}")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:/srv/passeport.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("/srv/passeport.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://equipe.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("equipe.db")))
        );
        for url in ["postgres://u@h/db", "postgresql://h:5433/db"] {
            assert!(DatabaseUrl::parse(url).unwrap().is_postgres(), "{url}");
        }
        assert_eq!(
            DatabaseUrl::parse("sqlite:"),
            Err(DatabaseUrlError::EmptySqlitePath)
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://"),
            Err(DatabaseUrlError::EmptyPostgres)
        );
    }

    #[test]
    fn another_scheme_is_refused_in_french_without_the_rest_of_the_url() {
        let error = DatabaseUrl::parse("mysql://root:secret@h/db").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("schéma « mysql »"), "{message}");
        assert!(message.contains("postgres://"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn display_and_debug_never_show_the_password() {
        let url = DatabaseUrl::parse(
            "postgres://equipe:s3cr3t@db.example:5432/passeport?sslmode=require&password=autre",
        )
        .unwrap();
        let shown = format!("{url} {url:?} {:?}", DatabaseSettings::new(url.clone()));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("autre"), "{shown}");
        assert_eq!(
            url.to_string(),
            "postgres://equipe:****@db.example:5432/passeport?sslmode=require&password=****"
        );
        let DatabaseUrl::Postgres(pg) = &url else {
            panic!("not PostgreSQL");
        };
        assert!(pg.expose().contains("s3cr3t"));
        let plain = DatabaseUrl::parse("postgres://equipe@db/passeport").unwrap();
        assert_eq!(plain.to_string(), "postgres://equipe@db/passeport");
    }
}
