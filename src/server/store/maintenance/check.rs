//! `passeport db check`: the integrity checks of either backend, without changing the database
//! (it is opened without running the migrations).
//!
//! Both: the migrations applied are the binary's (same versions and checksums, none failed) and
//! the store's own invariants hold. SQLite: `PRAGMA integrity_check` and `PRAGMA
//! foreign_key_check`. PostgreSQL: every constraint and index is valid, every foreign key is met
//! by the rows (re-checked by query, as a copy made with triggers off could break them), and
//! every identity sequence is past the largest id (else the next insert fails).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, migrate::Migrator};

use super::{MaintenanceError, Pool, ident, schema};
use crate::server::database::{DatabaseSettings, DatabaseUrl, PostgresUrl, TlsMode};

/// The migrations of each backend, as the binary embeds them.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("src/server/migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("src/server/migrations/postgres");
/// Problems listed per check at most; the rest are counted.
const MAX_LISTED: usize = 20;

/// The store's invariants, the same SQL on both backends: a label and a query counting the rows
/// that break it.
const INVARIANTS: [(&str, &str); 4] = [
    (
        "Lignes de déclaration rattachées au compte de leur déclaration",
        "SELECT COUNT(*) FROM declaration_titulaires t JOIN declarations d \
         ON d.id = t.declaration_id WHERE t.account_id <> d.account_id",
    ),
    (
        "Lignes d'export rattachées au compte de leur lot",
        "SELECT COUNT(*) FROM export_lines l JOIN export_batches b ON b.id = l.batch_id \
         WHERE l.account_id <> b.account_id",
    ),
    (
        "Salariés rattachés à la personne de même NIR",
        "SELECT COUNT(*) FROM workers w LEFT JOIN persons p ON p.id = w.person_id \
         WHERE p.id IS NULL OR p.nir <> w.nir",
    ),
    (
        "Jetons stockés hachés (SHA-256)",
        "SELECT COUNT(*) FROM tokens WHERE length(hash) <> 64",
    ),
];

/// One check and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    /// What was checked, in French.
    pub check: String,
    /// A note on a check that passed (the schema version), in French.
    pub note: Option<String>,
    /// Each problem found, in French; empty when the check passed.
    pub problems: Vec<String>,
}

/// Every check run on one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// `SQLite` or `PostgreSQL`.
    pub backend: &'static str,
    /// The checks, in the order run.
    pub findings: Vec<CheckFinding>,
}

impl CheckReport {
    /// The number of problems found.
    pub fn problems(&self) -> usize {
        self.findings.iter().map(|f| f.problems.len()).sum()
    }
}

/// Runs the integrity checks of the database of `settings`.
pub async fn check(settings: &DatabaseSettings) -> Result<CheckReport, MaintenanceError> {
    let pool = connect(settings).await?;
    let result = run(&pool).await;
    pool.close().await;
    result
}

/// Connects to the database as it is: an absent SQLite file is an error, not a new database.
async fn connect(settings: &DatabaseSettings) -> Result<Pool, MaintenanceError> {
    Ok(match &settings.url {
        DatabaseUrl::Sqlite(path) => {
            let options = SqliteConnectOptions::new().filename(path);
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?,
            )
        }
        DatabaseUrl::Postgres(url) => Pool::Postgres(connect_postgres(url, settings).await?),
    })
}

/// A PostgreSQL pool with the TLS mode and statement timeout of `settings`.
async fn connect_postgres(
    url: &PostgresUrl,
    settings: &DatabaseSettings,
) -> Result<PgPool, MaintenanceError> {
    let mut options = PgConnectOptions::from_str(url.expose())?;
    if let Some(tls) = settings.tls {
        options = options.ssl_mode(match tls {
            TlsMode::Disable => PgSslMode::Disable,
            TlsMode::Prefer => PgSslMode::Prefer,
            TlsMode::Require => PgSslMode::Require,
            TlsMode::VerifyCa => PgSslMode::VerifyCa,
            TlsMode::VerifyFull => PgSslMode::VerifyFull,
        });
    }
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let options = options.options([("statement_timeout", timeout_ms.as_str())]);
    Ok(PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

async fn run(pool: &Pool) -> Result<CheckReport, MaintenanceError> {
    let mut findings = Vec::new();
    let (schema, current) = migrations(pool).await?;
    findings.push(schema);
    match pool {
        Pool::Sqlite(pool) => findings.extend(sqlite_checks(pool).await?),
        Pool::Postgres(pool) => findings.extend(postgres_checks(pool).await?),
    }
    if current {
        for (check, sql) in INVARIANTS {
            let broken: i64 = match pool {
                Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
                Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            };
            let problems = if broken > 0 {
                vec![format!("{broken} ligne(s) en défaut")]
            } else {
                Vec::new()
            };
            findings.push(finding(check, None, problems));
        }
    }
    Ok(CheckReport {
        backend: if pool.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        findings,
    })
}

fn finding(check: &str, note: Option<String>, problems: Vec<String>) -> CheckFinding {
    CheckFinding {
        check: check.to_owned(),
        note,
        problems,
    }
}

/// Keeps the first [`MAX_LISTED`] problems and counts the rest.
fn listed(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_LISTED {
        let more = problems.len() - MAX_LISTED;
        problems.truncate(MAX_LISTED);
        problems.push(format!("… et {more} autre(s)"));
    }
    problems
}

/// The migrations applied against the binary's, and whether the schema is the binary's (the
/// store's invariants are only checked then).
async fn migrations(pool: &Pool) -> Result<(CheckFinding, bool), MaintenanceError> {
    const CHECK: &str = "Schéma (migrations)";
    const SQL: &str = "SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version";
    let (migrator, table): (&Migrator, bool) = match pool {
        Pool::Sqlite(pool) => (
            &SQLITE_MIGRATIONS,
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'",
            )
            .fetch_one(pool)
            .await?
                > 0,
        ),
        Pool::Postgres(pool) => (
            &POSTGRES_MIGRATIONS,
            sqlx::query_scalar::<_, bool>("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(pool)
                .await?,
        ),
    };
    if !table {
        let problem = "aucune migration appliquée : ce n'est pas une base du serveur passeport";
        return Ok((finding(CHECK, None, vec![problem.to_owned()]), false));
    }
    let applied: Vec<(i64, bool, Vec<u8>)> = match pool {
        Pool::Sqlite(pool) => sqlx::query(SQL)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?,
        Pool::Postgres(pool) => sqlx::query(SQL)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?,
    };
    let mut problems = Vec::new();
    for (version, success, checksum) in &applied {
        match migrator.iter().find(|m| m.version == *version) {
            None => problems.push(format!(
                "migration {version} inconnue de ce programme (base créée par une version plus récente)"
            )),
            Some(_) if !success => problems.push(format!("migration {version} en échec")),
            Some(m) if m.checksum.as_ref() != checksum.as_slice() => problems.push(format!(
                "migration {version} modifiée depuis son application (somme de contrôle différente)"
            )),
            Some(_) => {}
        }
    }
    let latest = applied.iter().map(|(v, _, _)| *v).max().unwrap_or(0);
    let pending = migrator
        .iter()
        .filter(|m| !applied.iter().any(|(v, _, _)| *v == m.version))
        .count();
    let note = if pending == 0 {
        format!("version {latest}, à jour")
    } else {
        format!(
            "version {latest} ; {pending} migration(s) à appliquer au prochain démarrage du \
             serveur (invariants du serveur non vérifiés)"
        )
    };
    let current = pending == 0 && problems.is_empty();
    Ok((finding(CHECK, Some(note), problems), current))
}

async fn sqlite_checks(pool: &SqlitePool) -> Result<Vec<CheckFinding>, MaintenanceError> {
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    let integrity = integrity.into_iter().filter(|line| line != "ok").collect();
    let mut foreign = Vec::new();
    for row in sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(pool)
        .await?
    {
        let table: String = row.try_get(0)?;
        let rowid: Option<i64> = row.try_get(1)?;
        let parent: String = row.try_get(2)?;
        foreign.push(format!(
            "{table}, ligne {} : référence absente dans {parent}",
            rowid.map_or_else(|| "?".to_owned(), |id| id.to_string())
        ));
    }
    Ok(vec![
        finding(
            "Intégrité du fichier (PRAGMA integrity_check)",
            None,
            listed(integrity),
        ),
        finding(
            "Clés étrangères (PRAGMA foreign_key_check)",
            None,
            listed(foreign),
        ),
    ])
}

async fn postgres_checks(pool: &PgPool) -> Result<Vec<CheckFinding>, MaintenanceError> {
    let invalid: Vec<String> = sqlx::query_scalar(
        "SELECT format('%s : contrainte « %s » non validée', c.conrelid::regclass, c.conname) \
         FROM pg_constraint c WHERE NOT c.convalidated \
         AND c.connamespace = current_schema()::regnamespace ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT format('%s : index « %s » inutilisable (création interrompue ?)', \
         i.indrelid::regclass, i.indexrelid::regclass) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE c.relnamespace = current_schema()::regnamespace \
         AND NOT (i.indisvalid AND i.indisready) ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let keys = sqlx::query(
        "SELECT c.conname::text, ch.relname::text, pa.relname::text, \
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), \
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) \
         FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid \
         JOIN pg_class pa ON pa.oid = c.confrelid \
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace \
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut orphans = Vec::new();
    for row in keys {
        let name: String = row.try_get(0)?;
        let child: String = row.try_get(1)?;
        let parent: String = row.try_get(2)?;
        let child_columns: Vec<String> = row.try_get(3)?;
        let parent_columns: Vec<String> = row.try_get(4)?;
        let mut present = Vec::new();
        let mut joined = Vec::new();
        for (c, p) in child_columns.iter().zip(&parent_columns) {
            present.push(format!("c.{} IS NOT NULL", ident(c)?));
            joined.push(format!("p.{} = c.{}", ident(p)?, ident(c)?));
        }
        let sql = format!(
            "SELECT COUNT(*) FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
            ident(&child)?,
            present.join(" AND "),
            ident(&parent)?,
            joined.join(" AND ")
        );
        let count: i64 = sqlx::query_scalar(&sql).fetch_one(pool).await?;
        if count > 0 {
            orphans.push(format!(
                "{child} : {count} ligne(s) sans ligne de {parent} (clé « {name} »)"
            ));
        }
    }
    let mut sequences = Vec::new();
    for table in schema::tables(&Pool::Postgres(pool.clone())).await? {
        for column in table.columns.iter().filter(|c| c.identity) {
            let name = ident(&table.name)?;
            let col = ident(&column.name)?;
            let sequence: Option<String> =
                sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
                    .bind(&name)
                    .bind(&column.name)
                    .fetch_one(pool)
                    .await?;
            let Some(sequence) = sequence else {
                continue;
            };
            let row = sqlx::query(&format!(
                "SELECT s.last_value + CASE WHEN s.is_called THEN 1 ELSE 0 END, \
                 (SELECT MAX({col}) FROM {name}) FROM {sequence} s"
            ))
            .fetch_one(pool)
            .await?;
            let next: i64 = row.try_get(0)?;
            let max: Option<i64> = row.try_get(1)?;
            if let Some(max) = max.filter(|max| next <= *max) {
                sequences.push(format!(
                    "{}.{} : prochaine valeur {next}, identifiant le plus grand {max} \
                     (la prochaine création échouera)",
                    table.name, column.name
                ));
            }
        }
    }
    Ok(vec![
        finding("Contraintes validées", None, listed(invalid)),
        finding("Index utilisables", None, listed(indexes)),
        finding("Clés étrangères respectées", None, listed(orphans)),
        finding(
            "Séquences au-delà des identifiants",
            None,
            listed(sequences),
        ),
    ])
}
