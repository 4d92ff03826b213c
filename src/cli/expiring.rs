//! `passeport expiring`: past and upcoming expiries of the visible workforce, sorted by date, as
//! an aligned table that fits the terminal (coloured by status), or as CSV or JSON for scripts.
//! With `--check`, the exit code tells cron whether anything needs attention.

use std::cmp::Reverse;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;

use super::export::{write_stdout, write_stdout_verbatim};
use super::launch::client_for;
use super::spreadsheet::{self, table::Table, table::Value};
use crate::api::Client;
use crate::api::contract::{ExpirationItem, ExpirationsQuery};
use crate::config::Config;
use crate::domain::expiry::ExpiryStatus;
use crate::domain::worker::WorkerId;
use crate::rules::Rules;
use crate::text::sanitize;
use crate::text::{agree, count};

/// Largest window accepted by the server (ten years).
const MAX_WITHIN_DAYS: u32 = 3660;
/// Terminal width when neither the terminal nor `$COLUMNS` tell it.
const DEFAULT_WIDTH: usize = 80;
/// Narrowest a truncated column becomes.
const MIN_COLUMN: usize = 6;
/// Spaces between two columns.
const GAP: &str = "  ";

/// Which expiries: the filters of `passeport expiring`, shared with `passeport export expiring`.
#[derive(Debug, Clone, Args)]
pub struct ExpiryFilter {
    /// Fenêtre en jours après aujourd'hui ; les échéances dépassées sont toujours incluses.
    #[arg(long, value_name = "JOURS", default_value_t = 90, value_parser = parse_within)]
    pub within: u32,
    /// Échéances à montrer : dépassées (expired), à venir (expiring) ou toutes (all).
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,
    /// Seulement ce type de formation (code du catalogue, voir « passeport catalogue »).
    #[arg(long, value_name = "CODE")]
    pub training: Option<String>,
    /// Seulement ce site.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
}

impl ExpiryFilter {
    /// The expiries these filters select, from the server, as [`rows`] sorts them.
    pub async fn fetch(&self, client: &Client) -> Result<Vec<ExpiryRow>> {
        let query = ExpirationsQuery {
            within_days: Some(self.within),
            training: self.training.clone(),
            site: self.site.clone(),
            ..ExpirationsQuery::default()
        };
        let page = client
            .all_expirations(&query)
            .await
            .wrap_err("lecture des échéances impossible")?;
        Ok(rows(page.items, self.status))
    }
}

/// `passeport expiring`.
#[derive(Debug, Clone, Args)]
pub struct ExpiringArgs {
    /// Les échéances à montrer.
    #[command(flatten)]
    pub filter: ExpiryFilter,
    /// Format de sortie : tableau aligné, csv ou json pour les scripts, excel pour un tableur.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Code de sortie 1 si une échéance est dépassée ou dans la fenêtre, 0 sinon (pour cron).
    #[arg(long)]
    pub check: bool,
}

/// `--within`: a whole number of days up to [`MAX_WITHIN_DAYS`], French message otherwise.
fn parse_within(text: &str) -> Result<u32, String> {
    super::help::whole_number(text, 0, MAX_WITHIN_DAYS)
}

/// Which expiries to show (variant docs are the French help of `--status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// Échéances dépassées.
    Expired,
    /// Échéances à venir dans la fenêtre.
    Expiring,
    /// Les deux.
    All,
}

/// Output format (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tableau aligné, ajusté à la largeur du terminal ; hors terminal (fichier, tube, mail),
    /// rien n'est coupé, sauf si COLUMNS est défini.
    Table,
    /// CSV pour les scripts : séparateur « , », UTF-8 sans BOM, dates AAAA-MM-JJ, colonnes et
    /// valeurs stables (voir plus bas).
    Csv,
    /// CSV pour Excel ou LibreOffice en français : séparateur « ; », UTF-8 avec BOM, dates
    /// JJ/MM/AAAA, colonnes et statuts en français (voir plus bas).
    Excel,
    /// Tableau JSON d'objets, aux champs de csv.
    Json,
}

/// One expiry as printed: the fields of the CSV header and of the JSON objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryRow {
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// Site.
    pub site: String,
    /// Catalogue code of the training type.
    pub training_code: String,
    /// Title of the training type.
    pub training_title: String,
    /// Last valid day (`YYYY-MM-DD`).
    pub expires_on: NaiveDate,
    /// Days from today (negative when expired).
    pub days_left: i64,
    /// `expired` or `expiring`.
    pub status: ExpiryStatus,
}

/// The rows to print: status from the days left (past → expired, else expiring, since the
/// server returns only expiries up to the window's end), filtered, sorted by date (the server's
/// order is kept within a day).
pub fn rows(items: Vec<ExpirationItem>, filter: StatusFilter) -> Vec<ExpiryRow> {
    let mut rows: Vec<ExpiryRow> = items
        .into_iter()
        .map(|item| ExpiryRow {
            status: if item.days_left < 0 {
                ExpiryStatus::Expired
            } else {
                ExpiryStatus::Expiring
            },
            worker_id: item.worker_id,
            last_name: item.last_name,
            first_names: item.first_names,
            site: item.site,
            training_code: item.training_code,
            training_title: item.training_title,
            expires_on: item.expires_on,
            days_left: item.days_left,
        })
        .filter(|row| match filter {
            StatusFilter::All => true,
            StatusFilter::Expired => row.status == ExpiryStatus::Expired,
            StatusFilter::Expiring => row.status == ExpiryStatus::Expiring,
        })
        .collect();
    rows.sort_by_key(|row| row.expires_on);
    rows
}

/// The header of the CSV for scripts (also written when there is no row).
pub const CSV_COLUMNS: [&str; 9] = [
    "worker_id",
    "last_name",
    "first_names",
    "site",
    "training_code",
    "training_title",
    "expires_on",
    "days_left",
    "status",
];

/// The header of the file for spreadsheets (`--format excel`), column for column the same as
/// [`CSV_COLUMNS`].
pub const EXCEL_COLUMNS: [&str; 9] = [
    "Identifiant salarié",
    "Nom de naissance",
    "Prénoms",
    "Site",
    "Code formation",
    "Formation",
    "Échéance",
    "Jours restants",
    "Statut",
];

/// Help of `passeport expiring`: the columns of each format, exit codes and examples.
pub fn help() -> String {
    format!(
        "Colonnes de csv et json : {}.\n  status : expired ou expiring.\n\
         Colonnes de excel : {}.\n\
         Ces noms de colonnes ne changent pas d'une version à l'autre.\n\n\
         Code de sortie avec --check : 1 si une échéance est dépassée ou dans la fenêtre, 0 \
         sinon ; 2 en cas d'erreur.\n\n\
         Exemples :\n  passeport expiring --within 30\n  \
         passeport expiring --status expired --format excel > expirees.csv\n  \
         passeport expiring --training SST --check || mail -s 'SST à renouveler' rh@example.org",
        CSV_COLUMNS.join(", "),
        EXCEL_COLUMNS.join(", ")
    )
}

/// CSV with a header row, for scripts.
pub fn to_csv(rows: &[ExpiryRow]) -> Result<String> {
    spreadsheet::script_csv(&CSV_COLUMNS, rows)
}

/// The expiries as a spreadsheet table ([`EXCEL_COLUMNS`]): the workbook of `export expiring`,
/// and the CSV of `export expiring --format csv` and of `expiring --format excel`.
pub fn expiry_table(rows: &[ExpiryRow]) -> Table {
    Table {
        sheet: "Échéances",
        columns: EXCEL_COLUMNS.to_vec(),
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Value::Number(Some(row.worker_id)),
                    Value::text(&row.last_name),
                    Value::text(&row.first_names),
                    Value::text(&row.site),
                    Value::text(&row.training_code),
                    Value::text(&row.training_title),
                    Value::Date(Some(row.expires_on)),
                    Value::Number(Some(row.days_left)),
                    Value::Status(row.status),
                ]
            })
            .collect(),
    }
}

/// CSV for a French spreadsheet (see [`spreadsheet`]).
pub fn to_excel(rows: &[ExpiryRow]) -> Result<String> {
    expiry_table(rows).to_csv()
}

/// A JSON array of objects, one per line of the table.
pub fn to_json(rows: &[ExpiryRow]) -> Result<String> {
    Ok(crate::json::document(rows)?)
}

/// How to draw the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStyle {
    /// Columns available; `None` when nothing is to be cut (not a terminal).
    pub width: Option<usize>,
    /// ANSI colours (terminal without `NO_COLOR`).
    pub colour: bool,
    /// The window, for the summary line.
    pub within: u32,
}

/// The aligned table, text from the server sanitised, widest columns truncated with `…` to fit
/// `style.width` (if any), then a summary line.
pub fn to_table(rows: &[ExpiryRow], style: TableStyle) -> String {
    let within = style.within;
    if rows.is_empty() {
        return format!("Aucune échéance dépassée ni dans les {within} prochains jours.\n");
    }
    let headers = [
        "Échéance",
        "Jours",
        "Statut",
        "Salarié",
        "Site",
        "Formation",
    ];
    let shrinkable = [false, false, false, true, true, true];
    let right_aligned = [false, true, false, false, false, false];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            [
                row.expires_on.format("%d/%m/%Y").to_string(),
                row.days_left.to_string(),
                row.status.label().to_owned(),
                sanitize(&format!("{} {}", row.last_name, row.first_names)),
                sanitize(&row.site),
                sanitize(&row.training_title),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    if let Some(width) = style.width {
        fit(&mut widths, &shrinkable, width);
    }

    let mut out = String::new();
    let header: Vec<String> = headers
        .iter()
        .zip(&widths)
        .zip(right_aligned)
        .map(|((h, &w), right)| pad(h, w, right))
        .collect();
    let header = header.join(GAP);
    if style.colour {
        out.push_str(&format!("\x1b[1m{}\x1b[0m\n", header.trim_end()));
    } else {
        out.push_str(header.trim_end());
        out.push('\n');
    }
    for (row, line) in rows.iter().zip(&cells) {
        let parts: Vec<String> = line
            .iter()
            .zip(&widths)
            .zip(right_aligned)
            .enumerate()
            .map(|(index, ((cell, &w), right))| {
                let text = pad(cell, w, right);
                match (style.colour, index) {
                    (true, 1 | 2) => format!("{}{text}\x1b[0m", colour_of(row.status)),
                    _ => text,
                }
            })
            .collect();
        out.push_str(parts.join(GAP).trim_end());
        out.push('\n');
    }
    let expired = rows
        .iter()
        .filter(|r| r.status == ExpiryStatus::Expired)
        .count();
    let expired = expired as u64;
    out.push_str(&format!(
        "{} : {expired} {}, {} dans les {within} prochains jours.\n",
        count(rows.len() as u64, "échéance", "échéances"),
        agree(expired, "dépassée", "dépassées"),
        rows.len() as u64 - expired
    ));
    out
}

/// ANSI colour of a status: red when expired, yellow when expiring.
fn colour_of(status: ExpiryStatus) -> &'static str {
    match status {
        ExpiryStatus::Expired => "\x1b[31m",
        _ => "\x1b[33m",
    }
}

/// Shrinks the widest shrinkable column, one character at a time, until the line (columns and
/// gaps) fits `available`, or nothing can shrink further.
fn fit(widths: &mut [usize], shrinkable: &[bool], available: usize) {
    let gaps = GAP.len() * widths.len().saturating_sub(1);
    while widths.iter().sum::<usize>() + gaps > available {
        let widest = (0..widths.len())
            .filter(|&i| shrinkable.get(i).copied().unwrap_or(false) && widths[i] > MIN_COLUMN)
            .max_by_key(|&i| (widths[i], Reverse(i)));
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
}

/// `text` in exactly `width` characters: truncated with `…`, or padded.
fn pad(text: &str, width: usize, right: bool) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        return cut;
    }
    let fill = " ".repeat(width - count);
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Columns to fit: the terminal's size when stdout is one (else `$COLUMNS`, else 80); for a
/// file, a pipe or a mail, `$COLUMNS` when set, else `None`: lines are never cut.
fn terminal_width(stdout_is_terminal: bool) -> Option<usize> {
    if stdout_is_terminal && let Ok((columns, _)) = crossterm::terminal::size() {
        return Some(usize::from(columns));
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0);
    match columns {
        Some(columns) => Some(columns),
        None if stdout_is_terminal => Some(DEFAULT_WIDTH),
        None => None,
    }
}

/// `passeport expiring`: prints the expiries; exit code 1 with `--check` when there are any.
pub async fn run(args: ExpiringArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    let rows = args.filter.fetch(&client).await?;
    let terminal = std::io::stdout().is_terminal();
    let text = match args.format {
        Format::Table => to_table(
            &rows,
            TableStyle {
                width: terminal_width(terminal),
                colour: super::errors::colour_allowed(terminal),
                within: args.filter.within,
            },
        ),
        Format::Csv => to_csv(&rows)?,
        Format::Excel => to_excel(&rows)?,
        Format::Json => to_json(&rows)?,
    };
    // The table's cells are sanitised one by one, around its own colours.
    if args.format == Format::Table {
        write_stdout_verbatim(&text)?;
    } else {
        write_stdout(&text)?;
    }
    Ok(if args.check && !rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(id: WorkerId, name: &str, expires: NaiveDate, days_left: i64) -> ExpirationItem {
        ExpirationItem {
            worker_id: id,
            last_name: name.to_owned(),
            first_names: "Jean-Pierre".to_owned(),
            site: "Lyon Gerland".to_owned(),
            employer: "ACME Logistique".to_owned(),
            training_code: "SST".to_owned(),
            training_title: "Sauveteur secouriste du travail".to_owned(),
            expires_on: expires,
            days_left,
            status: ExpiryStatus::Valid,
        }
    }

    fn sample() -> Vec<ExpiryRow> {
        rows(
            vec![
                item(2, "MARTIN", day(2026, 12, 1), 5),
                item(1, "DUPONT", day(2026, 11, 1), -25),
                item(3, "BERNARD", day(2027, 1, 10), 45),
            ],
            StatusFilter::All,
        )
    }

    fn plain(width: usize) -> TableStyle {
        TableStyle {
            width: Some(width),
            colour: false,
            within: 90,
        }
    }

    #[test]
    fn status_comes_from_the_days_left_and_rows_are_sorted() {
        let sorted = sample();
        let names: Vec<&str> = sorted.iter().map(|r| r.last_name.as_str()).collect();
        assert_eq!(names, ["DUPONT", "MARTIN", "BERNARD"]);
        assert_eq!(sorted[0].status, ExpiryStatus::Expired);
        assert_eq!(sorted[1].status, ExpiryStatus::Expiring);
        let today = rows(vec![item(4, "X", day(2026, 11, 26), 0)], StatusFilter::All);
        assert_eq!(
            today[0].status,
            ExpiryStatus::Expiring,
            "the last valid day is not past"
        );
    }

    #[test]
    fn status_filter_keeps_one_side() {
        let items = || {
            vec![
                item(1, "A", day(2026, 11, 1), -25),
                item(2, "B", day(2026, 12, 1), 5),
            ]
        };
        let expired = rows(items(), StatusFilter::Expired);
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].last_name, "A");
        let expiring = rows(items(), StatusFilter::Expiring);
        assert_eq!(expiring.len(), 1);
        assert_eq!(expiring[0].last_name, "B");
    }

    #[test]
    fn csv_and_json_carry_the_documented_fields() {
        let rows = sample();
        let csv = to_csv(&rows).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "worker_id,last_name,first_names,site,training_code,training_title,expires_on,\
                 days_left,status"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "1,DUPONT,Jean-Pierre,Lyon Gerland,SST,Sauveteur secouriste du travail,\
                 2026-11-01,-25,expired"
            )
        );
        assert_eq!(csv.lines().count(), 4);
        assert_eq!(
            to_csv(&[]).unwrap().lines().count(),
            1,
            "header even when empty"
        );

        let json: serde_json::Value = serde_json::from_str(&to_json(&rows).unwrap()).unwrap();
        assert_eq!(
            json[1],
            serde_json::json!({
                "worker_id": 2, "last_name": "MARTIN", "first_names": "Jean-Pierre",
                "site": "Lyon Gerland", "training_code": "SST",
                "training_title": "Sauveteur secouriste du travail",
                "expires_on": "2026-12-01", "days_left": 5, "status": "expiring"
            })
        );
        assert_eq!(to_json(&[]).unwrap(), "[]\n");
    }

    #[test]
    fn csv_and_excel_cells_cannot_be_formulas() {
        let mut hostile = item(9, "=1+1", day(2026, 11, 1), -25);
        hostile.first_names = "@SUM(A1)".to_owned();
        hostile.site = "+33 Lyon".to_owned();
        hostile.training_title = "=HYPERLINK(\"http://evil.example/?x\";\"SST\")".to_owned();
        let rows = rows(vec![hostile], StatusFilter::All);
        let csv = to_csv(&rows).unwrap();
        assert_eq!(
            csv.lines().nth(1),
            Some(
                "9,'=1+1,'@SUM(A1),'+33 Lyon,SST,\"'=HYPERLINK(\"\"http://evil.example/?x\"\";\
                 \"\"SST\"\")\",2026-11-01,-25,expired"
            ),
            "text neutralised, the negative number kept"
        );
        let excel = to_excel(&rows).unwrap();
        assert_eq!(
            excel.split("\r\n").nth(1),
            Some(
                "9;'=1+1;'@SUM(A1);'+33 Lyon;SST;\"'=HYPERLINK(\"\"http://evil.example/?x\"\";\
                 \"\"SST\"\")\";01/11/2026;-25;Expirée"
            )
        );
    }

    #[test]
    fn excel_rows_read_in_french() {
        let file = to_excel(&sample()).unwrap();
        let lines: Vec<&str> = file.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "\u{feff}Identifiant salarié;Nom de naissance;Prénoms;Site;Code formation;\
                 Formation;Échéance;Jours restants;Statut",
                "1;DUPONT;Jean-Pierre;Lyon Gerland;SST;Sauveteur secouriste du travail;\
                 01/11/2026;-25;Expirée",
                "2;MARTIN;Jean-Pierre;Lyon Gerland;SST;Sauveteur secouriste du travail;\
                 01/12/2026;5;Expire bientôt",
                "3;BERNARD;Jean-Pierre;Lyon Gerland;SST;Sauveteur secouriste du travail;\
                 10/01/2027;45;Expire bientôt",
                "",
            ]
        );
    }

    #[test]
    fn without_a_width_nothing_is_cut() {
        let mut rows = sample();
        rows[0].training_title = "Habilitation électrique B0 / H0 / H0V (exécutant non \
                                  électricien) — session du matin"
            .to_owned();
        let table = to_table(
            &rows,
            TableStyle {
                width: None,
                ..plain(80)
            },
        );
        assert!(!table.contains('…'), "{table}");
        assert!(table.contains("(exécutant non électricien) — session du matin"));
    }

    #[test]
    fn a_wide_table_is_aligned_and_complete() {
        let table = to_table(&sample(), plain(200));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "Échéance    Jours  Statut          Salarié              Site          Formation",
                "01/11/2026    -25  Expirée         DUPONT Jean-Pierre   Lyon Gerland  Sauveteur secouriste du travail",
                "01/12/2026      5  Expire bientôt  MARTIN Jean-Pierre   Lyon Gerland  Sauveteur secouriste du travail",
                "10/01/2027     45  Expire bientôt  BERNARD Jean-Pierre  Lyon Gerland  Sauveteur secouriste du travail",
                "3 échéances : 1 dépassée, 2 dans les 90 prochains jours.",
            ]
        );
    }

    #[test]
    fn a_narrow_table_truncates_the_widest_columns() {
        for width in [80, 60] {
            let table = to_table(&sample(), plain(width));
            for line in table.lines().take(4) {
                assert!(line.chars().count() <= width, "{width}: {line}");
            }
            assert!(table.contains('…'), "{table}");
            assert!(
                table.contains("01/11/2026    -25  Expirée"),
                "fixed columns stay whole"
            );
        }
        let table = to_table(&sample(), plain(80));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[..2],
            [
                "Échéance    Jours  Statut          Salarié         Site          Formation",
                "01/11/2026    -25  Expirée         DUPONT Jean-P…  Lyon Gerland  Sauveteur seco…",
            ]
        );
    }

    #[test]
    fn table_text_from_the_server_is_sanitised() {
        let mut rows = sample();
        rows[0].last_name = "EVIL\x1b[2J\u{202E}".to_owned();
        let table = to_table(&rows, plain(200));
        assert!(!table.contains('\x1b'));
        assert!(!table.contains('\u{202E}'));
        assert!(table.contains("EVIL\u{FFFD}[2J\u{FFFD} Jean-Pierre"));
    }

    #[test]
    fn colours_follow_the_status_only_when_asked() {
        let style = TableStyle {
            colour: true,
            ..plain(200)
        };
        let table = to_table(&sample(), style);
        assert!(table.contains("\x1b[31m  -25\x1b[0m  \x1b[31mExpirée       \x1b[0m"));
        assert!(table.contains("\x1b[33m    5\x1b[0m"));
        assert!(!to_table(&sample(), plain(200)).contains('\x1b'));
    }

    #[test]
    fn an_empty_table_says_so() {
        assert_eq!(
            to_table(&[], plain(80)),
            "Aucune échéance dépassée ni dans les 90 prochains jours.\n"
        );
    }

    #[test]
    fn fit_shrinks_the_widest_first_and_stops_at_the_minimum() {
        let mut widths = vec![10, 30, 20];
        fit(&mut widths, &[false, true, true], 50);
        assert_eq!(widths, vec![10, 18, 18]);
        let mut tiny = vec![10, 30, 20];
        fit(&mut tiny, &[false, true, true], 5);
        assert_eq!(tiny, vec![10, MIN_COLUMN, MIN_COLUMN]);
    }

    #[test]
    fn pad_truncates_with_an_ellipsis() {
        assert_eq!(pad("Sauveteur", 6, false), "Sauve…");
        assert_eq!(pad("SST", 6, false), "SST   ");
        assert_eq!(pad("-5", 4, true), "  -5");
        assert_eq!(pad("Élodie", 6, false), "Élodie");
    }
}
