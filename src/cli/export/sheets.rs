//! `passeport export roster|trainings|expiring` (issue 15 §5): the employer's staff, every visible
//! worker's trainings, or the expiries `passeport expiring` lists, as a workbook that opens in
//! Excel and LibreOffice (`--format xlsx`) or as CSV for a French spreadsheet (`--format csv`),
//! all read through the API client. The tables are laid out by [`spreadsheet::table`].

use std::io::{self, IsTerminal};

use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, bail};
use futures_util::{StreamExt, TryStreamExt};

use super::{CONCURRENT_PASSPORTS, OutArgs, all_passports, deliver_bytes, passport_rows};
use crate::api::contract::{NirView, StaffRecord, WorkersQuery};
use crate::api::{ApiError, Client};
use crate::cli::expiring::{ExpiryFilter, expiry_table};
use crate::cli::spreadsheet::{self, table::Table, table::Value};

/// Format of a table export (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// Classeur Excel (.xlsx) : dates réelles, ligne d'en-tête figée et filtrable, colonnes à la
    /// largeur du contenu, statuts en couleur (expirée rouge, expire bientôt orange, valide vert).
    Xlsx,
    /// CSV pour Excel ou LibreOffice en français : séparateur « ; », UTF-8 avec BOM, dates
    /// JJ/MM/AAAA, les mêmes colonnes que le classeur.
    Csv,
}

/// Format and destination of a table export.
#[derive(Debug, Clone, Args)]
pub struct SheetArgs {
    /// Format du fichier.
    #[arg(long, value_enum, default_value_t = SheetFormat::Xlsx)]
    pub format: SheetFormat,
    /// Où écrire.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `passeport export roster`.
#[derive(Debug, Clone, Args)]
pub struct RosterArgs {
    /// Inclut les salariés sortis (archivés), colonne « Sorti » à oui.
    #[arg(long)]
    pub archived: bool,
    /// Format et fichier.
    #[command(flatten)]
    pub sheet: SheetArgs,
}

/// `passeport export expiring`.
#[derive(Debug, Clone, Args)]
pub struct ExpiringSheetArgs {
    /// Les échéances à exporter (les filtres de « passeport expiring »).
    #[command(flatten)]
    pub filter: ExpiryFilter,
    /// Format et fichier.
    #[command(flatten)]
    pub sheet: SheetArgs,
}

/// The columns of the roster, in order (no NIR nor birth date: they stay on the server).
pub const ROSTER_COLUMNS: [&str; 12] = [
    "Identifiant salarié",
    "Matricule",
    "Nom de naissance",
    "Nom d'usage",
    "Prénoms",
    "Site",
    "Service",
    "Poste",
    "Responsable",
    "Date d'entrée",
    "Date de sortie",
    "Sorti",
];

/// The roster as a table, one row per worker in the given order.
pub fn roster_table(records: &[StaffRecord<NirView>]) -> Table {
    let text = |value: &Option<String>| Value::text(value.as_deref().unwrap_or_default());
    Table {
        sheet: "Personnel",
        columns: ROSTER_COLUMNS.to_vec(),
        rows: records
            .iter()
            .map(|record| {
                let worker = &record.worker;
                vec![
                    Value::Number(Some(worker.id)),
                    text(&record.employee_number),
                    Value::text(&worker.last_name),
                    text(&worker.usage_name),
                    Value::text(&worker.first_names),
                    Value::text(&worker.site),
                    text(&record.service),
                    text(&record.job),
                    text(&record.manager),
                    Value::Date(record.entry_date),
                    Value::Date(record.leaving_date),
                    Value::Text(spreadsheet::yes_no(record.archived)),
                ]
            })
            .collect(),
    }
}

/// Every worker of the account with their employment, [`CONCURRENT_PASSPORTS`] requests at a
/// time, in the order of the workers list; leavers too with `archived`. A worker gone since the
/// list was read is left out.
async fn all_staff(client: &Client, archived: bool) -> Result<Vec<StaffRecord<NirView>>, ApiError> {
    let query = WorkersQuery {
        archived: Some(archived),
        ..WorkersQuery::default()
    };
    let workers = client.all_workers(&query).await?;
    let records: Vec<Option<StaffRecord<NirView>>> = futures_util::stream::iter(workers)
        .map(|worker| {
            let client = client.clone();
            async move {
                match client.staff(worker.id).await {
                    Ok(record) => Ok(Some(record)),
                    Err(ApiError::NotFound) => Ok(None),
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(CONCURRENT_PASSPORTS)
        .try_collect()
        .await?;
    Ok(records.into_iter().flatten().collect())
}

/// `passeport export roster`.
pub async fn roster(client: &Client, args: &RosterArgs) -> Result<()> {
    refuse_workbook_on_terminal(&args.sheet)?;
    let records = all_staff(client, args.archived)
        .await
        .wrap_err("lecture du personnel impossible")?;
    deliver(&roster_table(&records), &args.sheet, "Personnel")
}

/// `passeport export trainings`.
pub async fn trainings(client: &Client, args: &SheetArgs) -> Result<()> {
    refuse_workbook_on_terminal(args)?;
    let passports = all_passports(client)
        .await
        .wrap_err("lecture des passeports impossible")?;
    let table = super::trainings_table(&passport_rows(&passports));
    deliver(&table, args, "Formations")
}

/// `passeport export expiring`.
pub async fn expiring(client: &Client, args: &ExpiringSheetArgs) -> Result<()> {
    refuse_workbook_on_terminal(&args.sheet)?;
    let rows = args.filter.fetch(client).await?;
    deliver(&expiry_table(&rows), &args.sheet, "Échéances")
}

/// A workbook is binary: without `--out`, it goes to stdout only when stdout is not a terminal
/// (a pipe or a redirection). Checked before anything is read from the server.
fn refuse_workbook_on_terminal(args: &SheetArgs) -> Result<()> {
    if args.format == SheetFormat::Xlsx && args.out.out.is_none() && io::stdout().is_terminal() {
        bail!(
            "un classeur xlsx ne s'affiche pas dans un terminal : donnez --out FICHIER.xlsx, ou \
             --format csv"
        );
    }
    Ok(())
}

/// Writes the table in the format asked, to `--out` or stdout.
fn deliver(table: &Table, args: &SheetArgs, what: &str) -> Result<()> {
    let bytes = match args.format {
        SheetFormat::Xlsx => table.to_xlsx()?,
        SheetFormat::Csv => table.to_csv()?.into_bytes(),
    };
    deliver_bytes(&bytes, args.out.out.as_deref(), what)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::worker::Worker;

    #[test]
    fn the_roster_has_one_row_per_worker_without_nir() {
        let record = StaffRecord {
            worker: Worker {
                id: 12,
                nir: "1850375112001".parse().unwrap(),
                last_name: "DUPONT".into(),
                usage_name: Some("MARTIN".into()),
                first_names: "Marie".into(),
                birth_date: NaiveDate::from_ymd_opt(1985, 3, 1),
                employer_siret: "73282932000074".parse().unwrap(),
                employer_name: "ACME".into(),
                site: "Lyon".into(),
            },
            service: Some("Logistique".into()),
            job: Some("=cariste".into()),
            employee_number: Some("000123".into()),
            manager: None,
            entry_date: NaiveDate::from_ymd_opt(2020, 1, 6),
            leaving_date: None,
            archived: false,
        };
        let table = roster_table(&[record]);
        assert_eq!(table.columns.len(), table.rows[0].len());
        let csv = table.to_csv().unwrap();
        assert_eq!(
            csv.split("\r\n").nth(1),
            Some("12;000123;DUPONT;MARTIN;Marie;Lyon;Logistique;'=cariste;;06/01/2020;;non")
        );
        assert!(
            !csv.contains("1850375112001") && !csv.contains("1985"),
            "{csv}"
        );
    }
}
