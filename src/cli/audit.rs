//! `passeport audit`: the account's audit trail from the configured server (who did what,
//! when, with the changed fields before and after, NIRs masked), for administrators.

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};

use super::export::write_stdout;
use super::launch::client_for;
use super::spreadsheet;
use crate::api::contract::{AuditEntry, AuditQuery};
use crate::config::Config;
use crate::rules::Rules;

/// `passeport audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Entrées à partir de ce jour (AAAA-MM-JJ, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Entrées de cet utilisateur (courriel).
    #[arg(long, value_name = "COURRIEL")]
    pub user: Option<String>,
    /// Entrées sur ce type d'objet (salarié, utilisateur, jeton…).
    #[arg(long, value_name = "OBJET")]
    pub entity: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// Output format of `passeport audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Tableau lisible.
    Table,
    /// JSON (un tableau d'entrées).
    Json,
    /// CSV (séparateur virgule, UTF-8).
    Csv,
}

/// Help of `passeport audit`.
pub const AUDIT_HELP: &str = "Réservé au rôle « administration ». Les NIR sont masqués.

Exemples :
  passeport audit --since 2026-12-01
  passeport audit --user marie@acme.fr --format csv > journal.csv";

/// Columns of the table and the CSV.
const COLUMNS: [&str; 7] = [
    "date",
    "utilisateur",
    "action",
    "objet",
    "identifiant",
    "avant",
    "après",
];

/// Runs `passeport audit`.
pub async fn run(args: AuditArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    let query = AuditQuery {
        since: args.since,
        user: args.user,
        entity: args.entity,
        ..AuditQuery::default()
    };
    let entries = client
        .all_audit(&query)
        .await
        .wrap_err("lecture du journal impossible")?;
    let text = match args.format {
        AuditFormat::Table => to_table(&entries),
        AuditFormat::Json => crate::json::document(&entries)?,
        AuditFormat::Csv => to_csv(&entries)?,
    };
    write_stdout(text)?;
    Ok(ExitCode::SUCCESS)
}

/// The cells of an entry, in [`COLUMNS`] order.
fn cells(entry: &AuditEntry) -> [String; 7] {
    let json = |value: &Option<serde_json::Value>| {
        value.as_ref().map_or_else(String::new, ToString::to_string)
    };
    [
        entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        entry.user.clone(),
        entry.action.clone(),
        entry.entity.clone(),
        entry.entity_id.clone(),
        json(&entry.before),
        json(&entry.after),
    ]
}

/// Tab-separated lines under a header.
fn to_table(entries: &[AuditEntry]) -> String {
    let mut out = COLUMNS.map(str::to_uppercase).join("\t");
    out.push('\n');
    for entry in entries {
        out.push_str(&cells(entry).join("\t"));
        out.push('\n');
    }
    out
}

/// CSV with a header line.
fn to_csv(entries: &[AuditEntry]) -> Result<String> {
    let rows: Vec<[String; 7]> = entries.iter().map(cells).collect();
    spreadsheet::script_csv(&COLUMNS, &rows)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn csv_has_its_header_and_cells_that_cannot_be_formulas() {
        let entry = AuditEntry {
            id: 1,
            at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap(),
            user: "@marie".to_owned(),
            action: "update".to_owned(),
            entity: "worker".to_owned(),
            entity_id: "=1+1".to_owned(),
            before: None,
            after: Some(serde_json::json!({"site": "Lyon"})),
        };
        assert_eq!(
            to_csv(&[entry]).unwrap(),
            "date,utilisateur,action,objet,identifiant,avant,après\n\
             2026-12-01 09:30:00,'@marie,update,worker,'=1+1,,\"{\"\"site\"\":\"\"Lyon\"\"}\"\n"
        );
        assert_eq!(
            to_csv(&[]).unwrap(),
            "date,utilisateur,action,objet,identifiant,avant,après\n"
        );
    }
}
