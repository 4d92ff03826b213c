//! `passeport verify`: the employer's check of the lines training organisations declared for its
//! staff (décret 2022-1712 art. 7-I), for the terminal and for cron: `verify list`, `verify LINE`
//! (or `--correction MESSAGE`), `verify --check --within N`.

use std::path::Path;
use std::process::ExitCode;

use chrono::{Days, NaiveDate};
use clap::{Args, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;

use super::export::write_stdout;
use super::launch::client_for;
use super::spreadsheet;
use crate::api::contract::NirView;
use crate::api::contract::{VerificationView, VerificationsQuery};
use crate::config::Config;
use crate::domain::verification::VerificationStatus;
use crate::rules::Rules;
use crate::text::sanitize;

/// `passeport verify` arguments.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct VerifyArgs {
    /// `list`.
    #[command(subcommand)]
    pub command: Option<VerifyCommand>,
    /// Ligne à marquer vérifiée (colonne « Ligne » de `passeport verify list`).
    #[arg(value_name = "LIGNE", conflicts_with = "check")]
    pub line: Option<i64>,
    /// Demande à l'organisme de corriger la ligne, avec ce message (au plus 1 000 caractères),
    /// au lieu de la marquer vérifiée.
    #[arg(long, value_name = "MESSAGE", requires = "line")]
    pub correction: Option<String>,
    /// Pour cron : liste les lignes dont le délai de vérification se termine d'ici --within
    /// jours ; code de sortie 1 s'il y en a, 0 sinon.
    #[arg(long)]
    pub check: bool,
    /// Fenêtre de --check, en jours.
    #[arg(long, value_name = "JOURS", default_value_t = 30, requires = "check",
        value_parser = parse_days)]
    pub within: u32,
}

/// Subcommands of `passeport verify`.
#[derive(Debug, Clone, Subcommand)]
pub enum VerifyCommand {
    /// Liste les lignes des déclarations des organismes de formation pour vos salariés, la fin
    /// de délai la plus proche d'abord (pour un organisme : les demandes sur ses déclarations).
    List(ListArgs),
}

/// `passeport verify list` arguments.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Seulement ce statut.
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Status filter (variant docs are the French help of `--status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// À vérifier, dans le délai.
    AVerifier,
    /// Vérifiée.
    Verifiee,
    /// Correction demandée, en attente de l'organisme.
    CorrectionDemandee,
    /// Corrigée par l'organisme (titulaire retiré ou déclaré à nouveau).
    Corrigee,
    /// Réputée vérifiée : délai écoulé sans vérification.
    ReputeeVerifiee,
}

impl From<StatusFilter> for VerificationStatus {
    fn from(filter: StatusFilter) -> Self {
        match filter {
            StatusFilter::AVerifier => Self::AVerifier,
            StatusFilter::Verifiee => Self::Verifiee,
            StatusFilter::CorrectionDemandee => Self::CorrectionDemandee,
            StatusFilter::Corrigee => Self::Corrigee,
            StatusFilter::ReputeeVerifiee => Self::ReputeeVerifiee,
        }
    }
}

/// Output format (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Tableau aligné, une ligne de déclaration par ligne.
    Table,
    /// CSV pour les scripts : séparateur « , », UTF-8 sans BOM, dates AAAA-MM-JJ.
    Csv,
    /// Tableau JSON d'objets, aux champs de csv.
    Json,
}

/// Longest --within accepted (ten years).
const MAX_DAYS: u32 = 3660;

fn parse_days(text: &str) -> Result<u32, String> {
    super::help::whole_number(text, 0, MAX_DAYS)
}

/// The columns of csv and json, stable across versions.
pub const CSV_COLUMNS: [&str; 12] = [
    "line",
    "status",
    "window_ends",
    "window_assumed",
    "titulaire",
    "nir",
    "training",
    "training_end",
    "organisme",
    "reference",
    "acted_on",
    "message",
];

/// Help of `passeport verify`: statuses, exit codes, examples.
pub fn help() -> String {
    format!(
        "Décret 2022-1712 art. 7-I : jusqu'à 6 mois après le trimestre de la formation (9 pendant \
         la transition, jusqu'au 31/12/2026), l'employeur peut demander à l'organisme de \
         corriger sa déclaration ; sinon elle est réputée vérifiée. Les délais viennent de \
         deadlines.toml ; « à confirmer » marque ce qu'aucun texte officiel ne donne.\n\
         Statuts : a-verifier, verifiee, correction-demandee, corrigee, reputee-verifiee.\n\
         Colonnes de csv et json : {}.\n\n\
         Code de sortie avec --check : 1 si une ligne est à vérifier d'ici --within jours, 0 \
         sinon ; 2 en cas d'erreur.\n\n\
         Exemples :\n  passeport verify list\n  \
         passeport verify list --status a-verifier --format csv > a-verifier.csv\n  \
         passeport verify 42\n  \
         passeport verify 42 --correction 'Date de fin erronée : 12/06/2026'\n  \
         passeport verify --check --within 15 || mail -s 'Déclarations à vérifier' rh@example.org",
        CSV_COLUMNS.join(", ")
    )
}

/// One row of csv and json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    line: i64,
    status: &'static str,
    window_ends: Option<NaiveDate>,
    window_assumed: bool,
    titulaire: String,
    nir: String,
    training: String,
    training_end: Option<NaiveDate>,
    organisme: String,
    reference: String,
    acted_on: Option<NaiveDate>,
    message: Option<String>,
}

/// The NIR as lists show it (masked, as received when the server masked it), or a placeholder
/// when it does not read.
fn masked(nir: &str) -> String {
    NirView::masked_text(nir).unwrap_or_else(|| "NIR illisible".to_owned())
}

impl From<&VerificationView> for Row {
    fn from(view: &VerificationView) -> Self {
        Self {
            line: view.line_id,
            status: view.status.code(),
            window_ends: view.window_ends,
            window_assumed: view.window_assumed,
            titulaire: view.titulaire.clone(),
            nir: masked(&view.nir),
            training: view.training_title.clone(),
            training_end: view.training_end,
            organisme: view.organisme.clone(),
            reference: view.reference.clone(),
            acted_on: view.acted_on,
            message: view.message.clone(),
        }
    }
}

/// A date as French users read it.
fn french(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "–".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

/// The status cell: the label, with its date.
fn status_cell(view: &VerificationView) -> String {
    match view.status {
        VerificationStatus::AVerifier => format!(
            "à vérifier (réputée vérifiée le {}{})",
            french(view.deemed_verified_on),
            if view.window_assumed {
                ", à confirmer"
            } else {
                ""
            }
        ),
        VerificationStatus::CorrectionDemandee | VerificationStatus::Verifiee => {
            format!("{} le {}", view.status.label(), french(view.acted_on))
        }
        VerificationStatus::Corrigee => match view.resolution {
            Some(resolution) => format!("corrigée : {}", resolution.label()),
            None => "corrigée".to_owned(),
        },
        VerificationStatus::ReputeeVerifiee => view.status.label().to_owned(),
    }
}

/// Column headers of the table; the last, the training, is not padded.
const HEADERS: [&str; 6] = [
    "Ligne",
    "Statut",
    "Titulaire",
    "Organisme",
    "Réf.",
    "Formation",
];

/// The aligned table (text from the server sanitised), with each request's message below it.
pub fn to_table(views: &[VerificationView]) -> String {
    if views.is_empty() {
        return "Aucune déclaration d'organisme de formation à afficher.\n".to_owned();
    }
    let rows: Vec<[String; 6]> = views
        .iter()
        .map(|v| {
            [
                v.line_id.to_string(),
                status_cell(v),
                format!("{} {}", sanitize(&v.titulaire), masked(&v.nir)),
                sanitize(&v.organisme),
                sanitize(&v.reference),
                format!(
                    "{} (fin {})",
                    sanitize(&v.training_title),
                    french(v.training_end)
                ),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 6]| {
        let mut out = String::new();
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            match index {
                0 => out.push_str(&format!("{pad}{cell}  ")),
                5 => out.push_str(cell),
                _ => out.push_str(&format!("{cell}{pad}  ")),
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(&HEADERS.map(str::to_owned));
    for (cells, view) in rows.iter().zip(views) {
        out.push_str(&line(cells));
        if let Some(message) = &view.message {
            out.push_str(&format!(
                "{}  « {} »\n",
                " ".repeat(widths[0]),
                sanitize(message)
            ));
        }
    }
    out
}

/// CSV with a header row, for scripts.
pub fn to_csv(views: &[VerificationView]) -> Result<String> {
    let rows: Vec<Row> = views.iter().map(Row::from).collect();
    spreadsheet::script_csv(&CSV_COLUMNS, &rows)
}

/// The lines still to check whose window ends by `until`.
pub fn due_by(views: Vec<VerificationView>, until: NaiveDate) -> Vec<VerificationView> {
    views
        .into_iter()
        .filter(|v| {
            v.status == VerificationStatus::AVerifier && v.window_ends.is_some_and(|e| e <= until)
        })
        .collect()
}

/// A fresh idempotency key for one command (its retries reuse it).
fn new_key() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("verify-{hex}")
}

/// `passeport verify`: lists, acts on one line, or checks for cron.
pub async fn run(args: VerifyArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    if let Some(VerifyCommand::List(list)) = &args.command {
        let query = VerificationsQuery {
            status: list.status.map(VerificationStatus::from),
        };
        let views = client
            .verifications(&query)
            .await
            .wrap_err("lecture des vérifications impossible")?
            .items;
        let text = match list.format {
            ListFormat::Table => to_table(&views),
            ListFormat::Csv => to_csv(&views)?,
            ListFormat::Json => {
                let rows: Vec<Row> = views.iter().map(Row::from).collect();
                serde_json::to_string_pretty(&rows)? + "\n"
            }
        };
        write_stdout(text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(line) = args.line {
        let view = match &args.correction {
            Some(message) => client
                .request_correction(line, message, &new_key())
                .await
                .wrap_err(format!(
                    "demande de correction de la ligne {line} impossible"
                ))?,
            None => client
                .verify_line(line, &new_key())
                .await
                .wrap_err(format!("vérification de la ligne {line} impossible"))?,
        };
        write_stdout(format!(
            "Ligne {} ({} {}, {}) : {}.\n",
            view.line_id,
            sanitize(&view.titulaire),
            masked(&view.nir),
            sanitize(&view.training_title),
            status_cell(&view)
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.check {
        write_stdout(help())?;
        return Ok(ExitCode::from(2));
    }
    let today = crate::clock::today()?;
    let until = today
        .checked_add_days(Days::new(u64::from(args.within)))
        .unwrap_or(NaiveDate::MAX);
    let query = VerificationsQuery {
        status: Some(VerificationStatus::AVerifier),
    };
    let views = client
        .verifications(&query)
        .await
        .wrap_err("lecture des vérifications impossible")?
        .items;
    let due = due_by(views, until);
    if due.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    write_stdout(format!(
        "{} ligne(s) à vérifier d'ici le {} (ensuite réputées vérifiées) :\n{}",
        due.len(),
        until.format("%d/%m/%Y"),
        to_table(&due)
    ))?;
    Ok(ExitCode::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeclarationKind;
    use crate::domain::verification::Resolution;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn view(line: i64, status: VerificationStatus, ends: Option<NaiveDate>) -> VerificationView {
        VerificationView {
            line_id: line,
            declaration_id: 1,
            id_declaration: "PP-1".to_owned(),
            reference: "OF-7".to_owned(),
            kind: DeclarationKind::Attestation,
            training_title: "Sauveteur secouriste du travail".to_owned(),
            training_end: day(2026, 6, 2),
            validity_start: day(2026, 6, 2),
            reference_date: day(2026, 6, 2),
            id_unique_partenaire: "OF-7-1".to_owned(),
            titulaire: "ROUX".to_owned(),
            nir: "2850775100001".to_owned(),
            employer_siret: "35600000000048".to_owned(),
            organisme: "Formapro".to_owned(),
            status,
            window_ends: ends,
            deemed_verified_on: ends.and_then(|e| e.succ_opt()),
            window_source: None,
            window_note: None,
            window_assumed: true,
            message: None,
            acted_on: None,
            resolution: None,
        }
    }

    #[test]
    fn check_keeps_the_lines_to_verify_whose_window_ends_in_time() {
        let views = vec![
            view(1, VerificationStatus::AVerifier, day(2026, 12, 10)),
            view(2, VerificationStatus::AVerifier, day(2026, 12, 11)),
            view(3, VerificationStatus::CorrectionDemandee, day(2026, 12, 1)),
        ];
        let due = due_by(views, day(2026, 12, 10).unwrap());
        assert_eq!(due.iter().map(|v| v.line_id).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn the_table_says_when_a_line_is_deemed_verified_and_masks_the_nir() {
        let mut asked = view(4, VerificationStatus::CorrectionDemandee, day(2027, 3, 31));
        asked.message = Some("Date de fin erronée".to_owned());
        asked.acted_on = day(2026, 11, 26);
        let mut closed = view(5, VerificationStatus::Corrigee, day(2027, 3, 31));
        closed.resolution = Some(Resolution::TitulaireRetire);
        let table = to_table(&[
            view(3, VerificationStatus::AVerifier, day(2027, 3, 31)),
            asked,
            closed,
        ]);
        assert!(
            table.contains("à vérifier (réputée vérifiée le 01/04/2027, à confirmer)"),
            "{table}"
        );
        assert!(
            table.contains("correction demandée le 26/11/2026"),
            "{table}"
        );
        assert!(table.contains("« Date de fin erronée »"), "{table}");
        assert!(
            table.contains("titulaire retiré par l'organisme"),
            "{table}"
        );
        assert!(!table.contains("2850775100001"), "NIR masked: {table}");
        let csv = to_csv(&[]).unwrap();
        assert_eq!(csv.trim_end(), CSV_COLUMNS.join(","));
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        let mut hostile = view(3, VerificationStatus::AVerifier, None);
        hostile.titulaire = "=HYPERLINK(\"http://evil.example\")".to_owned();
        hostile.reference = "@cmd".to_owned();
        hostile.organisme = "-2+3".to_owned();
        let csv = to_csv(&[hostile]).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), CSV_COLUMNS);
        let record = reader.records().next().unwrap().unwrap();
        let cell = |name: &str| {
            let at = headers.iter().position(|h| h == name).unwrap();
            record[at].to_owned()
        };
        assert_eq!(cell("titulaire"), "'=HYPERLINK(\"http://evil.example\")");
        assert_eq!(cell("reference"), "'@cmd");
        assert_eq!(cell("organisme"), "'-2+3");
        assert!(
            record.iter().all(|c| !crate::formula::is_formula_like(c)),
            "{csv}"
        );
    }
}
