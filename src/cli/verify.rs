//! `passeport verify`: the employer's check of the lines training organisations declared for its
//! staff (décret 2022-1712 art. 7-I), for the terminal and for cron: `verify list`, `verify LINE`
//! (or `--correction MESSAGE`), `verify --check --within N`. An employer's list and check also
//! name its trainings « non déclarée par l'organisme » (art. 7-II), with its own deadline.

use std::path::Path;
use std::process::ExitCode;

use chrono::{Days, NaiveDate};
use clap::{Args, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;

use super::export::write_stdout;
use super::launch::client_for;
use super::spreadsheet;
use crate::api::Client;
use crate::api::contract::NirView;
use crate::api::contract::{UndeclaredTraining, VerificationView, VerificationsQuery};
use crate::config::Config;
use crate::domain::DeclarantKind;
use crate::domain::verification::VerificationStatus;
use crate::rules::Rules;
use crate::text::{agree, count, sanitize};

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
    /// jours, et les formations non déclarées par l'organisme à déclarer d'ici là ; code de
    /// sortie 1 s'il y en a, 0 sinon.
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
    /// de délai la plus proche d'abord, puis vos formations qu'aucun organisme n'a déclarées à
    /// temps (pour un organisme : les demandes sur ses déclarations).
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
    /// Non déclarée par l'organisme : à déclarer à sa place (art. 7-II).
    NonDeclaree,
}

impl StatusFilter {
    /// The status of the lines kept; `None` for « non déclarée », which keeps no line.
    fn line_status(self) -> Option<VerificationStatus> {
        match self {
            Self::AVerifier => Some(VerificationStatus::AVerifier),
            Self::Verifiee => Some(VerificationStatus::Verifiee),
            Self::CorrectionDemandee => Some(VerificationStatus::CorrectionDemandee),
            Self::Corrigee => Some(VerificationStatus::Corrigee),
            Self::ReputeeVerifiee => Some(VerificationStatus::ReputeeVerifiee),
            Self::NonDeclaree => None,
        }
    }
}

/// The status code of a training « non déclarée par l'organisme » in csv and json.
pub const UNDECLARED: &str = "non_declaree";

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
         Art. 7-II : une formation suivie chez un organisme qui ne l'a pas déclarée dans son \
         délai est « non déclarée par l'organisme » : l'employeur la déclare à sa place dans \
         les 9 mois qui suivent (règle [[fallback]], à confirmer).\n\
         Statuts : a-verifier, verifiee, correction-demandee, corrigee, reputee-verifiee, \
         non-declaree ({UNDECLARED} en csv et json, sans ligne).\n\
         Colonnes de csv et json : {}.\n\n\
         Code de sortie avec --check : 1 si une ligne est à vérifier, ou une formation non \
         déclarée à déclarer, d'ici --within jours, 0 sinon ; 2 en cas d'erreur.\n\n\
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
    line: Option<i64>,
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
            line: Some(view.line_id),
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

impl From<&UndeclaredTraining> for Row {
    fn from(item: &UndeclaredTraining) -> Self {
        Self {
            line: None,
            status: UNDECLARED,
            window_ends: item.employer_due,
            window_assumed: item.rule_assumed,
            titulaire: item.worker_name.clone(),
            nir: masked(&item.nir),
            training: item.training_title.clone(),
            training_end: Some(item.end_date),
            organisme: item.organisme.clone(),
            reference: String::new(),
            acted_on: None,
            message: None,
        }
    }
}

/// What the employer has to act on: the lines to check, then its trainings « non déclarée ».
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The lines of organisations' declarations (an organisation's: the requests it got).
    pub lines: Vec<VerificationView>,
    /// The trainings no organisation declared in time (an employer's only).
    pub undeclared: Vec<UndeclaredTraining>,
}

impl Listing {
    /// The csv and json rows, lines first.
    fn rows(&self) -> Vec<Row> {
        let lines = self.lines.iter().map(Row::from);
        lines.chain(self.undeclared.iter().map(Row::from)).collect()
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

/// The table cells of a training « non déclarée ».
fn undeclared_cells(item: &UndeclaredTraining) -> [String; 6] {
    let due = match item.employer_due {
        Some(day) => format!(
            " (à déclarer à sa place d'ici le {}{})",
            french(Some(day)),
            if item.rule_assumed {
                ", à confirmer"
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    [
        "–".to_owned(),
        format!("non déclarée par l'organisme{due}"),
        format!("{} {}", sanitize(&item.worker_name), masked(&item.nir)),
        sanitize(&item.organisme),
        "–".to_owned(),
        format!(
            "{} (fin {})",
            sanitize(&item.training_title),
            french(Some(item.end_date))
        ),
    ]
}

/// The aligned table (text from the server sanitised), with each request's message below it.
pub fn to_table(listing: &Listing) -> String {
    if listing.lines.is_empty() && listing.undeclared.is_empty() {
        return "Aucune déclaration d'organisme de formation à afficher.\n".to_owned();
    }
    let mut rows: Vec<([String; 6], Option<&str>)> = listing
        .lines
        .iter()
        .map(|v| {
            let cells = [
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
            ];
            (cells, v.message.as_deref())
        })
        .collect();
    rows.extend(
        listing
            .undeclared
            .iter()
            .map(|item| (undeclared_cells(item), None)),
    );
    let mut widths = HEADERS.map(|h| h.chars().count());
    for (cells, _) in &rows {
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
    for (cells, message) in &rows {
        out.push_str(&line(cells));
        if let Some(message) = message {
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
pub fn to_csv(listing: &Listing) -> Result<String> {
    let rows = listing.rows();
    spreadsheet::script_csv(&CSV_COLUMNS, &rows)
}

/// The lines still to check whose window ends by `until`, and the trainings « non déclarée »
/// the employer must declare by then.
pub fn due_by(listing: Listing, until: NaiveDate) -> Listing {
    Listing {
        lines: listing
            .lines
            .into_iter()
            .filter(|v| {
                v.status == VerificationStatus::AVerifier
                    && v.window_ends.is_some_and(|e| e <= until)
            })
            .collect(),
        undeclared: listing
            .undeclared
            .into_iter()
            .filter(|i| i.employer_due.is_some_and(|d| d <= until))
            .collect(),
    }
}

/// What `client`'s account has to act on: the lines of `status` (every line when `None`;
/// none when `lines` is false) and, for an employer when `undeclared`, its trainings « non
/// déclarée ».
async fn listing(
    client: &Client,
    lines: bool,
    status: Option<VerificationStatus>,
    undeclared: bool,
) -> Result<Listing> {
    let lines = if lines {
        client
            .verifications(&VerificationsQuery { status })
            .await
            .wrap_err("lecture des vérifications impossible")?
            .items
    } else {
        Vec::new()
    };
    let employer = undeclared
        && client
            .me()
            .await
            .wrap_err("lecture du compte impossible")?
            .kind
            == DeclarantKind::Employeur;
    let undeclared = if employer {
        client
            .undeclared()
            .await
            .wrap_err("lecture des formations non déclarées impossible")?
            .items
    } else {
        Vec::new()
    };
    Ok(Listing { lines, undeclared })
}

/// What `--check` found by `until`, counted: « 2 lignes à vérifier d'ici le 10/12/2026 (ensuite
/// réputées vérifiées) ; 1 formation non déclarée par l'organisme à déclarer à sa place d'ici le
/// 10/12/2026 ».
fn check_summary(due: &Listing, until: NaiveDate) -> String {
    let until = until.format("%d/%m/%Y");
    let mut parts = Vec::new();
    if !due.lines.is_empty() {
        let n = due.lines.len() as u64;
        parts.push(format!(
            "{} à vérifier d'ici le {until} (ensuite {})",
            count(n, "ligne", "lignes"),
            agree(n, "réputée vérifiée", "réputées vérifiées")
        ));
    }
    if !due.undeclared.is_empty() {
        let n = due.undeclared.len() as u64;
        parts.push(format!(
            "{} par l'organisme à déclarer à sa place d'ici le {until}",
            count(n, "formation non déclarée", "formations non déclarées")
        ));
    }
    parts.join(" ; ")
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
        let only_undeclared = list.status == Some(StatusFilter::NonDeclaree);
        let listing = listing(
            &client,
            !only_undeclared,
            list.status.and_then(StatusFilter::line_status),
            list.status.is_none() || only_undeclared,
        )
        .await?;
        let text = match list.format {
            ListFormat::Table => to_table(&listing),
            ListFormat::Csv => to_csv(&listing)?,
            ListFormat::Json => crate::json::document(&listing.rows())?,
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
    let all = listing(&client, true, Some(VerificationStatus::AVerifier), true).await?;
    let due = due_by(all, until);
    if due.lines.is_empty() && due.undeclared.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    write_stdout(format!(
        "{} :\n{}",
        check_summary(&due, until),
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

    fn undeclared(due: Option<NaiveDate>) -> UndeclaredTraining {
        UndeclaredTraining {
            entry_id: 9,
            worker_id: 2,
            worker_name: "BLANC Léa".to_owned(),
            nir: "2850775100002".to_owned(),
            last_name: "BLANC".to_owned(),
            employer_siret: "35600000000048".to_owned(),
            training_code: Some("CACES_R489".to_owned()),
            training_title: "CACES R489".to_owned(),
            start_date: None,
            end_date: day(2026, 3, 10).unwrap_or_default(),
            validity_start: None,
            validity_end: None,
            session_id: None,
            organisme: "Prévention Plus".to_owned(),
            organisation_due: day(2026, 9, 30).unwrap_or_default(),
            employer_due: due,
            rule_note: None,
            rule_assumed: true,
        }
    }

    #[test]
    fn check_keeps_the_lines_to_verify_whose_window_ends_in_time() {
        let views = vec![
            view(1, VerificationStatus::AVerifier, day(2026, 12, 10)),
            view(2, VerificationStatus::AVerifier, day(2026, 12, 11)),
            view(3, VerificationStatus::CorrectionDemandee, day(2026, 12, 1)),
        ];
        let mut late = undeclared(day(2026, 12, 10));
        late.entry_id = 8;
        let listing = Listing {
            lines: views,
            undeclared: vec![late, undeclared(day(2026, 12, 11))],
        };
        let due = due_by(listing, day(2026, 12, 10).unwrap());
        assert_eq!(due.lines.iter().map(|v| v.line_id).collect::<Vec<_>>(), [1]);
        assert_eq!(
            due.undeclared
                .iter()
                .map(|i| i.entry_id)
                .collect::<Vec<_>>(),
            [8]
        );
        assert_eq!(
            check_summary(&due, day(2026, 12, 10).unwrap()),
            "1 ligne à vérifier d'ici le 10/12/2026 (ensuite réputée vérifiée) ; 1 formation non \
             déclarée par l'organisme à déclarer à sa place d'ici le 10/12/2026"
        );
    }

    #[test]
    fn the_table_says_when_a_line_is_deemed_verified_and_masks_the_nir() {
        let mut asked = view(4, VerificationStatus::CorrectionDemandee, day(2027, 3, 31));
        asked.message = Some("Date de fin erronée".to_owned());
        asked.acted_on = day(2026, 11, 26);
        let mut closed = view(5, VerificationStatus::Corrigee, day(2027, 3, 31));
        closed.resolution = Some(Resolution::TitulaireRetire);
        let listing = Listing {
            lines: vec![
                view(3, VerificationStatus::AVerifier, day(2027, 3, 31)),
                asked,
                closed,
            ],
            undeclared: vec![undeclared(day(2027, 6, 30))],
        };
        let table = to_table(&listing);
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
        assert!(
            table.contains(
                "non déclarée par l'organisme (à déclarer à sa place d'ici le 30/06/2027, à \
                 confirmer)  BLANC Léa 2 85 07"
            ),
            "{table}"
        );
        let csv = to_csv(&Listing::default()).unwrap();
        assert_eq!(csv.trim_end(), CSV_COLUMNS.join(","));
        let csv = to_csv(&listing).unwrap();
        let last = csv.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(",non_declaree,2027-06-30,true,BLANC Léa,"),
            "{csv}"
        );
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        let mut hostile = view(3, VerificationStatus::AVerifier, None);
        hostile.titulaire = "=HYPERLINK(\"http://evil.example\")".to_owned();
        hostile.reference = "@cmd".to_owned();
        hostile.organisme = "-2+3".to_owned();
        let csv = to_csv(&Listing {
            lines: vec![hostile],
            undeclared: Vec::new(),
        })
        .unwrap();
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
