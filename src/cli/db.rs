//! `passeport db copy` and `passeport db check`: moving a team's database from one backend to
//! the other, and checking one. Progress goes to stderr, the French summary to stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};

use super::DatabaseArgs;
use crate::server::database::{DatabaseSettings, DatabaseUrl, TlsMode};
use crate::server::maintenance::{self, CheckReport, CopyProgress, CopyReport};

/// Rows between two progress lines when stderr is not a terminal.
const PROGRESS_EVERY: u64 = 100_000;
/// Hex digits of a checksum shown in the summary.
const CHECKSUM_SHOWN: usize = 16;

/// `passeport db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copie toute une base vers une base neuve (SQLite ↔ PostgreSQL), puis vérifie chaque table.
    #[command(after_help = COPY_HELP)]
    Copy(CopyArgs),
    /// Vérifie l'intégrité d'une base (SQLite ou PostgreSQL) ; code de sortie 1 si un problème est trouvé.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
}

/// Help of `passeport db copy`.
const COPY_HELP: &str = "La cible est mise au schéma de ce programme puis refusée si une table \
contient déjà des lignes. Les identifiants, clés d'idempotence, jetons (hachés) et \
ID_UNIQUE_PARTENAIRE sont gardés ; chaque table est vérifiée (nombre de lignes et somme de \
contrôle SHA-256). Arrêtez le serveur pendant la copie.
Code de sortie : 0 copie vérifiée, 1 écart à la vérification, 2 copie impossible (rien écrit).

Exemples :
  passeport db copy --from sqlite:/srv/passeport.db --to postgres://passeport@db.interne/passeport
  passeport db copy --from postgres://passeport@db.interne/passeport --to sqlite:sauvegarde.db";

/// Help of `passeport db check`.
const CHECK_HELP: &str = "SQLite : PRAGMA integrity_check et foreign_key_check. PostgreSQL : \
contraintes et index valides, clés étrangères respectées, séquences au-delà des identifiants. \
Les deux : migrations appliquées et invariants du serveur. La base n'est pas modifiée.
Code de sortie : 0 aucun problème, 1 problème trouvé, 2 base injoignable.

Exemples :
  passeport db check --db /srv/passeport.db
  passeport db check --database-url postgres://passeport@db.interne/passeport";

/// `passeport db copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Base source : sqlite:CHEMIN, postgres://… ou postgresql://….
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// Base cible, neuve ou vide : sqlite:CHEMIN, postgres://… ou postgresql://….
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Chiffrement TLS vers PostgreSQL (défaut : le sslmode de l'URL, sinon prefer).
    #[arg(long, value_enum, value_name = "MODE")]
    pub db_tls: Option<TlsMode>,
}

/// `passeport db check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Base SQLite du serveur.
    #[arg(long, value_name = "FICHIER", default_value = "passeport.db")]
    pub db: PathBuf,
    /// PostgreSQL et réglages de connexion.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Runs `passeport db …`.
pub async fn run(command: DbCommand) -> Result<ExitCode> {
    match command {
        DbCommand::Copy(args) => copy(&args).await,
        DbCommand::Check(args) => check(&args).await,
    }
}

/// The settings of `--from` or `--to`.
fn settings(text: &str, tls: Option<TlsMode>, which: &str) -> Result<DatabaseSettings> {
    let url = DatabaseUrl::parse(text).wrap_err_with(|| format!("{which} refusée"))?;
    let mut settings = DatabaseSettings::new(url);
    settings.tls = tls;
    Ok(settings)
}

async fn copy(args: &CopyArgs) -> Result<ExitCode> {
    let from = settings(&args.from, args.db_tls, "base source (--from)")?;
    let to = settings(&args.to, args.db_tls, "base cible (--to)")?;
    let terminal = std::io::stderr().is_terminal();
    let mut shown = 0;
    let report = maintenance::copy(&from, &to, |step| {
        show_progress(step, terminal, &mut shown);
    })
    .await
    .wrap_err_with(|| format!("copie de {} vers {} impossible", from.url, to.url))?;
    let mut out = String::new();
    summary(&mut out, &from.url, &to.url, &report);
    super::export::write_stdout(out.as_bytes())?;
    if report.verified() {
        Ok(ExitCode::SUCCESS)
    } else {
        let tables: Vec<&str> = report
            .tables
            .iter()
            .filter(|t| !t.matches())
            .map(|t| t.table.as_str())
            .collect();
        super::errors::print_error(&eyre!(
            "la copie diffère de la source pour {} : la cible a été écrite, ne la servez pas",
            tables.join(", ")
        ));
        Ok(ExitCode::from(1))
    }
}

/// One progress line on stderr: rewritten in place on a terminal, else every
/// [`PROGRESS_EVERY`] rows and at the end of each table.
fn show_progress(step: CopyProgress<'_>, terminal: bool, shown: &mut u64) {
    let done = step.copied >= step.total;
    let line = format!(
        "copie de {} : {} / {} lignes",
        step.table,
        thousands(step.copied),
        thousands(step.total)
    );
    let mut err = std::io::stderr().lock();
    if terminal {
        let _ = write!(err, "\r\x1b[2K{line}");
        if done {
            let _ = writeln!(err);
        }
    } else if done || step.copied >= *shown + PROGRESS_EVERY {
        let _ = writeln!(err, "{line}");
    }
    *shown = if done { 0 } else { step.copied };
}

/// `n` with a narrow space between thousands, as French writes numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The French summary of a copy: one line per table, then the sequences and the verdict.
fn summary(out: &mut String, from: &DatabaseUrl, to: &DatabaseUrl, report: &CopyReport) {
    use std::fmt::Write as _;
    let width = report
        .tables
        .iter()
        .map(|t| t.table.len())
        .chain([5])
        .max()
        .unwrap_or(5);
    let _ = writeln!(out, "Copie de {from} vers {to}");
    let _ = writeln!(
        out,
        "{:<width$}  {:>14}  {:>14}  {:<18}  vérification",
        "Table", "lignes source", "lignes cible", "SHA-256 (début)"
    );
    let (mut source, mut target) = (0, 0);
    for table in &report.tables {
        source += table.source_rows;
        target += table.target_rows;
        let checksum: String = table.target_checksum.chars().take(CHECKSUM_SHOWN).collect();
        let verdict = if table.matches() {
            "identique"
        } else {
            "ÉCART"
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>14}  {:>14}  {checksum:<18}  {verdict}",
            table.table,
            thousands(table.source_rows),
            thousands(table.target_rows),
        );
    }
    let _ = writeln!(
        out,
        "{:<width$}  {:>14}  {:>14}",
        "Total",
        thousands(source),
        thousands(target)
    );
    if !report.sequences.is_empty() {
        let sequences: Vec<String> = report
            .sequences
            .iter()
            .map(|(table, column, next)| format!("{table}.{column} → {next}"))
            .collect();
        let _ = writeln!(
            out,
            "Séquences PostgreSQL avancées (prochaine valeur) : {}",
            sequences.join(", ")
        );
    }
    if report.verified() {
        let _ = writeln!(
            out,
            "Copie vérifiée : {} tables, {} lignes, nombres de lignes et sommes de contrôle identiques.",
            report.tables.len(),
            thousands(target)
        );
    }
}

async fn check(args: &CheckArgs) -> Result<ExitCode> {
    let settings = args.database.settings(&args.db)?;
    let report = maintenance::check(&settings)
        .await
        .wrap_err_with(|| format!("vérification de {} impossible", settings.url))?;
    let mut out = String::new();
    check_summary(&mut out, &settings.url, &report);
    super::export::write_stdout(out.as_bytes())?;
    Ok(if report.problems() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The French report of a check: each check with its verdict and its problems.
fn check_summary(out: &mut String, url: &DatabaseUrl, report: &CheckReport) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "Vérification de {url} ({})", report.backend);
    for finding in &report.findings {
        let verdict = if finding.problems.is_empty() {
            "ok     "
        } else {
            "ÉCHEC  "
        };
        match &finding.note {
            Some(note) => {
                let _ = writeln!(out, "  {verdict}{} : {note}", finding.check);
            }
            None => {
                let _ = writeln!(out, "  {verdict}{}", finding.check);
            }
        }
        for problem in &finding.problems {
            let _ = writeln!(out, "           - {problem}");
        }
    }
    let _ = match report.problems() {
        0 => writeln!(out, "Aucun problème trouvé."),
        1 => writeln!(out, "1 problème trouvé."),
        n => writeln!(out, "{n} problèmes trouvés."),
    };
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
    }
}
