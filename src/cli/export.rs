//! `passeport export`: the declarations in the official bulk-file layouts (ADF, JDR), remembered
//! by the server as batches so that a line is sent once ([`batches`]); every visible worker's
//! passport (trainings with expiry and status) as CSV or JSON; or the staff, the trainings and
//! the expiries as workbooks ([`sheets`]). Written atomically to a file (`--out`), else to
//! stdout.

mod batches;
mod check;
mod sheets;

use std::fs::{self, File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;

use super::launch::client_for;
use super::spreadsheet::{self, table::Table, table::Value};
use crate::api::contract::{ExportFormat, Passport, WorkersQuery};
use crate::api::{ApiError, Client};
use crate::config::Config;
use crate::domain::expiry::ExpiryStatus;
use crate::domain::worker::WorkerId;
use crate::rules::Rules;
pub use batches::{AnswerArgs, AnswerKind, BatchArgs, FileArgs, OfficialOut};
pub use check::{CheckArgs, CheckFormat, Declarant};
pub use sheets::{ExpiringSheetArgs, RosterArgs, SheetArgs, SheetFormat, roster_table};

/// Passports (or staff records) fetched at the same time.
const CONCURRENT_PASSPORTS: usize = 8;

/// `passeport export …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ExportCommand {
    /// Attestations de formation au format officiel ADF (20 colonnes, séparateur |, UTF-8) :
    /// seulement les lignes jamais envoyées ou refusées, enregistrées comme un lot.
    #[command(
        after_help = "Exemples :\n  passeport export adf --out attestations.csv\n  \
        passeport export adf --all --out tout.csv"
    )]
    Adf(BatchArgs),
    /// Justificatifs de réussite au format officiel JDR (29 colonnes, séparateur |, UTF-8) :
    /// seulement les lignes jamais envoyées ou refusées, enregistrées comme un lot.
    #[command(after_help = "Exemple :\n  passeport export jdr --out justificatifs.csv")]
    Jdr(BatchArgs),
    /// Liste les lots exportés (du plus récent au plus ancien) avec la réponse du portail.
    #[command(after_help = "Exemple :\n  passeport export batches")]
    Batches,
    /// Enregistre la réponse du portail à un lot ; les lignes refusées repartent au prochain export.
    #[command(after_help = "Exemples :\n  passeport export answer 3 accepted\n  \
        passeport export answer 3 refused\n  \
        passeport export answer 3 refused-titulaires DUPONT PP-12-2")]
    Answer(AnswerArgs),
    /// Réécrit le fichier d'un lot, à l'identique.
    #[command(after_help = "Exemple :\n  passeport export file 3 --out lot-3.csv")]
    File(FileArgs),
    /// Vérifie qu'un fichier ADF ou JDR est prêt pour le portail (nom, taille, ligne d'en-tête,
    /// chaque ligne), sans rien envoyer ; lu au fil de l'eau, même à 200 Mo.
    #[command(
        after_help = "Code de sortie : 0 fichier conforme, 1 erreurs, 2 fichier illisible.\n\n\
        Exemples :\n  passeport export check attestations.csv\n  \
        passeport export check justificatifs.csv --format json"
    )]
    Check(CheckArgs),
    /// Les formations de chaque salarié visible, avec échéance et statut (CSV, Excel ou JSON).
    #[command(after_help = passports_help())]
    Passports(PassportsArgs),
    /// Le personnel de l'employeur (matricule, site, service, poste, responsable, dates d'entrée
    /// et de sortie) en classeur Excel ou en CSV pour tableur ; sans NIR ni date de naissance.
    #[command(after_help = sheet_help(&sheets::ROSTER_COLUMNS, "roster --out personnel.xlsx"))]
    Roster(RosterArgs),
    /// Les formations de chaque salarié visible (dates, échéance, statut en couleur) en classeur
    /// Excel ou en CSV pour tableur.
    #[command(after_help = sheet_help(&PASSPORT_EXCEL_COLUMNS, "trainings --out formations.xlsx"))]
    Trainings(SheetArgs),
    /// Les échéances que liste « passeport expiring » (mêmes filtres) en classeur Excel ou en CSV
    /// pour tableur.
    #[command(after_help = sheet_help(
        &super::expiring::EXCEL_COLUMNS,
        "expiring --within 60 --out echeances.xlsx"
    ))]
    Expiring(ExpiringSheetArgs),
}

/// Help of a table export: its columns, then examples.
fn sheet_help(columns: &[&str], example: &str) -> String {
    format!(
        "Colonnes : {}.\nLe classeur (xlsx, par défaut) a des dates réelles, une ligne d'en-tête \
         figée et filtrable et des statuts en couleur ; le CSV (--format csv) a les mêmes colonnes \
         pour Excel ou LibreOffice en français (séparateur « ; »).\n\n\
         Exemples :\n  passeport export {example}\n  \
         passeport export {} --format csv --out tableau.csv",
        columns.join(", "),
        example.split(' ').next().unwrap_or_default()
    )
}

/// Where to write.
#[derive(Debug, Clone, Args)]
pub struct OutArgs {
    /// Fichier à écrire (remplacé d'un coup, droits 0600) ; sans cette option, la sortie standard.
    #[arg(long, short, value_name = "FICHIER")]
    pub out: Option<PathBuf>,
}

/// `passeport export passports`.
#[derive(Debug, Clone, Args)]
pub struct PassportsArgs {
    /// Format : csv ou json pour les scripts, excel pour un tableur ; une ligne par formation.
    #[arg(long, value_enum, default_value_t = PassportFormat::Csv)]
    pub format: PassportFormat,
    /// Où écrire.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Format of the passports export (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PassportFormat {
    /// CSV pour les scripts, une ligne par formation : séparateur « , », UTF-8 sans BOM, dates
    /// AAAA-MM-JJ, colonnes et valeurs stables (voir plus bas).
    Csv,
    /// CSV pour Excel ou LibreOffice en français : séparateur « ; », UTF-8 avec BOM, dates
    /// JJ/MM/AAAA, colonnes et statuts en français (voir plus bas).
    Excel,
    /// Tableau JSON d'objets, un par formation, aux champs de csv.
    Json,
}

/// One training of one worker's passport, as exported (no NIR: it stays on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassportRow {
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// Site.
    pub site: String,
    /// SIRET of the employing establishment.
    pub employer_siret: String,
    /// Catalogue code of the training type.
    pub training_code: String,
    /// Title of the training type.
    pub training_title: String,
    /// Category 1–4.
    pub category: u8,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Start of validity (justificatif de réussite), if any.
    pub validity_start: Option<NaiveDate>,
    /// Explicit end of validity, if any.
    pub validity_end: Option<NaiveDate>,
    /// Last valid day, none when the training does not expire.
    pub expires_on: Option<NaiveDate>,
    /// Days from today to the expiry (negative when expired).
    pub days_left: Option<i64>,
    /// `expired`, `expiring`, `valid` or `no_expiry`.
    pub status: ExpiryStatus,
    /// True when a later training of the same type replaces this one.
    pub superseded: bool,
    /// How firmly the category rests on its sources: `C`, `S`, `T` or `I` (the last two to
    /// confirm). Last column, so that the earlier ones keep their place.
    pub category_confidence: crate::domain::training::Confidence,
}

/// The header of the passports CSV (also written when there is no row).
const PASSPORT_COLUMNS: [&str; 16] = [
    "worker_id",
    "last_name",
    "first_names",
    "site",
    "employer_siret",
    "training_code",
    "training_title",
    "category",
    "end_date",
    "validity_start",
    "validity_end",
    "expires_on",
    "days_left",
    "status",
    "superseded",
    "category_confidence",
];

/// The header of the passports file for spreadsheets (`--format excel`), column for column the
/// same as [`PASSPORT_COLUMNS`].
const PASSPORT_EXCEL_COLUMNS: [&str; 16] = [
    "Identifiant salarié",
    "Nom de naissance",
    "Prénoms",
    "Site",
    "SIRET de l'employeur",
    "Code formation",
    "Formation",
    "Catégorie",
    "Fin de formation",
    "Début de validité",
    "Fin de validité",
    "Échéance",
    "Jours restants",
    "Statut",
    "Remplacée",
    "Fermeté de la catégorie",
];

/// Help of `passeport export passports`: the columns of each format, then examples.
fn passports_help() -> String {
    format!(
        "Colonnes de csv et json : {}.\n  status : expired, expiring, valid ou no_expiry ; \
         superseded : true ou false ; category_confidence : C (texte officiel), S (plusieurs \
         sources), T (une source tierce) ou I (déduction), T et I à confirmer.\n\
         Colonnes de excel : {}.\n\
         Ces noms de colonnes ne changent pas d'une version à l'autre.\n\n\
         Exemples :\n  passeport export passports --format excel --out passeports.csv\n  \
         passeport export passports --format csv | grep expired\n  \
         passeport export passports --format json | jq '.[] | select(.status == \"expired\")'",
        PASSPORT_COLUMNS.join(", "),
        PASSPORT_EXCEL_COLUMNS.join(", ")
    )
}

/// The passport rows as a spreadsheet table ([`PASSPORT_EXCEL_COLUMNS`]): the workbook of
/// `export trainings`, and the CSV of `export trainings --format csv` and of `export passports
/// --format excel`.
pub fn trainings_table(rows: &[PassportRow]) -> Table {
    Table {
        sheet: "Formations",
        columns: PASSPORT_EXCEL_COLUMNS.to_vec(),
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Value::Number(Some(row.worker_id)),
                    Value::text(&row.last_name),
                    Value::text(&row.first_names),
                    Value::text(&row.site),
                    Value::text(&row.employer_siret),
                    Value::text(&row.training_code),
                    Value::text(&row.training_title),
                    Value::Number(Some(i64::from(row.category))),
                    Value::Date(Some(row.end_date)),
                    Value::Date(row.validity_start),
                    Value::Date(row.validity_end),
                    Value::Date(row.expires_on),
                    Value::Number(row.days_left),
                    Value::Status(row.status),
                    Value::Text(spreadsheet::yes_no(row.superseded)),
                    Value::Text(format!(
                        "{} {}",
                        row.category_confidence.tag(),
                        row.category_confidence.label()
                    )),
                ]
            })
            .collect(),
    }
}

/// The export rows of some passports: one per training, workers in the given order, each
/// worker's trainings in the passport's order (most recent first).
pub fn passport_rows(passports: &[Passport]) -> Vec<PassportRow> {
    passports
        .iter()
        .flat_map(|passport| {
            let worker = &passport.worker;
            passport.entries.iter().map(move |entry| PassportRow {
                worker_id: worker.id,
                last_name: worker.last_name.clone(),
                first_names: worker.first_names.clone(),
                site: worker.site.clone(),
                employer_siret: worker.employer_siret.as_str().to_owned(),
                training_code: entry.training_code.clone(),
                training_title: entry.training_title.clone(),
                category: entry.category,
                end_date: entry.end_date,
                validity_start: entry.validity_start,
                validity_end: entry.validity_end,
                expires_on: entry.expires_on,
                days_left: entry.days_left,
                status: entry.status,
                superseded: entry.superseded,
                category_confidence: entry.category_confidence,
            })
        })
        .collect()
}

/// The passports rows as CSV (header row first), as CSV for a French spreadsheet, or as a JSON
/// array.
pub fn render_passports(rows: &[PassportRow], format: PassportFormat) -> Result<String> {
    match format {
        PassportFormat::Excel => trainings_table(rows).to_csv(),
        PassportFormat::Json => Ok(crate::json::document(rows)?),
        PassportFormat::Csv => spreadsheet::script_csv(&PASSPORT_COLUMNS, rows),
    }
}

/// Every visible worker's passport, [`CONCURRENT_PASSPORTS`] requests at a time, in the order of
/// the workers list; a worker gone since the list was read is left out.
pub(super) async fn all_passports(client: &Client) -> Result<Vec<Passport>, ApiError> {
    let workers = client.all_workers(&WorkersQuery::default()).await?;
    let passports: Vec<Option<Passport>> = futures_util::stream::iter(workers)
        .map(|worker| {
            let client = client.clone();
            async move {
                match client.passport(worker.id).await {
                    Ok(passport) => Ok(Some(passport)),
                    Err(ApiError::NotFound) => Ok(None),
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(CONCURRENT_PASSPORTS)
        .try_collect()
        .await?;
    Ok(passports.into_iter().flatten().collect())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory (mode 0600, as
/// exports hold personal data), flushed to disk, then renamed over `path`, and the directory
/// synced. A reader never sees a half-written file; on failure the temporary file is removed.
/// Only a regular file is replaced: a symbolic link, a device or a folder at `path` is refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "ce chemin désigne un lien symbolique, un périphérique ou un dossier, pas un \
             fichier ordinaire : rien n'a été écrit, choisissez un autre chemin",
        ));
    }
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "ce chemin ne désigne pas un fichier",
        )
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)?;
        // Makes the rename itself durable; a directory that cannot be opened is not an error.
        if let Ok(directory) = File::open(dir) {
            directory.sync_all()?;
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error. On a terminal, each line
/// is sanitised first (see [`crate::text::sanitize_lines`]): a table, a CSV or a file holding
/// text from the server or a file cannot act on it (security review M4). Piped or redirected,
/// the bytes are written exactly.
pub fn write_stdout(text: impl AsRef<[u8]>) -> Result<()> {
    let bytes = text.as_ref();
    if io::stdout().is_terminal() {
        write_stdout_verbatim(crate::text::sanitize_lines(&String::from_utf8_lossy(bytes)))
    } else {
        write_stdout_verbatim(bytes)
    }
}

/// Writes `text` to stdout as it is, even on a terminal: only for text the program composed
/// itself (help, completion scripts) or whose values are already sanitised around its own
/// colours (`expiring`'s table). A closed pipe is not an error.
pub fn write_stdout_verbatim(text: impl AsRef<[u8]>) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_ref()).and_then(|()| out.flush()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.wrap_err("écriture sur la sortie standard impossible"),
    }
}

/// Writes the export to `out` (atomically) or to stdout.
fn deliver_bytes(bytes: &[u8], out: Option<&Path>, what: &str) -> Result<()> {
    match out {
        None => write_stdout(bytes),
        Some(path) => {
            write_atomically(path, bytes)
                .wrap_err_with(|| format!("{} : écriture impossible", path.display()))?;
            if io::stderr().is_terminal() {
                eprintln!(
                    "{what} écrit dans {}",
                    crate::text::sanitize(&path.display().to_string())
                );
            }
            Ok(())
        }
    }
}

/// `passeport export …`.
pub async fn run(command: ExportCommand, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    // A local check needs no server: none is started for it.
    if let ExportCommand::Check(args) = &command {
        return check::run(args);
    }
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    match command {
        ExportCommand::Adf(args) => batches::export(&client, ExportFormat::Adf, &args).await?,
        ExportCommand::Jdr(args) => batches::export(&client, ExportFormat::Jdr, &args).await?,
        ExportCommand::Batches => write_stdout(batches::list(&client).await?)?,
        ExportCommand::Answer(args) => write_stdout(batches::answer(&client, &args).await?)?,
        ExportCommand::File(args) => batches::file(&client, &args).await?,
        ExportCommand::Passports(args) => {
            let passports = all_passports(&client)
                .await
                .wrap_err("lecture des passeports impossible")?;
            let text = render_passports(&passport_rows(&passports), args.format)?;
            deliver_bytes(
                text.as_bytes(),
                args.out.out.as_deref(),
                "Export des passeports",
            )?;
        }
        ExportCommand::Roster(args) => sheets::roster(&client, &args).await?,
        ExportCommand::Trainings(args) => sheets::trainings(&client, &args).await?,
        ExportCommand::Expiring(args) => sheets::expiring(&client, &args).await?,
        ExportCommand::Check(args) => return check::run(&args),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contract::PassportEntryView;
    use crate::domain::worker::Worker;
    use std::os::unix::fs::PermissionsExt;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn passport(id: WorkerId, trainings: &[(&str, Option<NaiveDate>, ExpiryStatus)]) -> Passport {
        Passport {
            worker: Worker {
                id,
                nir: "1850375112001".parse().unwrap(),
                last_name: "DUPONT".into(),
                usage_name: None,
                first_names: "Marie, Anne".into(),
                birth_date: None,
                employer_siret: "73282932000074".parse().unwrap(),
                employer_name: "ACME".into(),
                site: "Lyon".into(),
            },
            today: day(2026, 11, 26),
            entries: trainings
                .iter()
                .map(|(code, expires, status)| PassportEntryView {
                    training_code: (*code).into(),
                    training_title: format!("Formation {code}"),
                    category: 2,
                    category_confidence: crate::domain::training::Confidence::Official,
                    end_date: day(2025, 1, 10),
                    validity_start: None,
                    validity_end: None,
                    expires_on: *expires,
                    days_left: expires.map(|e| (e - day(2026, 11, 26)).num_days()),
                    status: *status,
                    superseded: false,
                    session_id: None,
                    origin: Default::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn one_row_per_training_in_order_without_the_nir() {
        let passports = [
            passport(
                7,
                &[
                    ("SST", Some(day(2027, 1, 10)), ExpiryStatus::Expiring),
                    ("AIPR", None, ExpiryStatus::NoExpiry),
                ],
            ),
            passport(3, &[]),
            passport(
                9,
                &[("CACES", Some(day(2026, 1, 1)), ExpiryStatus::Expired)],
            ),
        ];
        let rows = passport_rows(&passports);
        let keys: Vec<(WorkerId, &str)> = rows
            .iter()
            .map(|r| (r.worker_id, r.training_code.as_str()))
            .collect();
        assert_eq!(keys, [(7, "SST"), (7, "AIPR"), (9, "CACES")]);

        let csv = render_passports(&rows, PassportFormat::Csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], PASSPORT_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "7,DUPONT,\"Marie, Anne\",Lyon,73282932000074,SST,Formation SST,2,2025-01-10,,,\
             2027-01-10,45,expiring,false,C"
        );
        assert_eq!(
            lines[2],
            "7,DUPONT,\"Marie, Anne\",Lyon,73282932000074,AIPR,Formation AIPR,2,2025-01-10,,,,,\
             no_expiry,false,C"
        );
        assert!(!csv.contains("1850375112001"));

        let json: serde_json::Value =
            serde_json::from_str(&render_passports(&rows, PassportFormat::Json).unwrap()).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 3);
        assert_eq!(json[2]["status"], "expired");
        assert_eq!(json[2]["days_left"], -329);
        assert_eq!(json[1]["expires_on"], serde_json::Value::Null);
        assert_eq!(
            render_passports(&[], PassportFormat::Csv)
                .unwrap()
                .trim_end(),
            PASSPORT_COLUMNS.join(",")
        );
    }

    #[test]
    fn excel_passports_read_in_french() {
        let passports = [passport(
            7,
            &[
                ("SST", Some(day(2027, 1, 10)), ExpiryStatus::Expiring),
                ("AIPR", None, ExpiryStatus::NoExpiry),
            ],
        )];
        let file = render_passports(&passport_rows(&passports), PassportFormat::Excel).unwrap();
        let lines: Vec<&str> = file.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "\u{feff}Identifiant salarié;Nom de naissance;Prénoms;Site;SIRET de l'employeur;\
                 Code formation;Formation;Catégorie;Fin de formation;Début de validité;\
                 Fin de validité;Échéance;Jours restants;Statut;Remplacée;Fermeté de la catégorie",
                "7;DUPONT;Marie, Anne;Lyon;73282932000074;SST;Formation SST;2;10/01/2025;;;\
                 10/01/2027;45;Expire bientôt;non;[C] texte officiel",
                "7;DUPONT;Marie, Anne;Lyon;73282932000074;AIPR;Formation AIPR;2;10/01/2025;;;;;\
                 Sans échéance;non;[C] texte officiel",
                "",
            ]
        );
        assert!(!file.contains("1850375112001"), "no NIR");
    }

    #[test]
    fn passports_cells_cannot_be_formulas() {
        let mut hostile = passport(7, &[("SST", None, ExpiryStatus::NoExpiry)]);
        hostile.worker.last_name = "=1+1".to_owned();
        hostile.worker.site = "@Lyon".to_owned();
        hostile.entries[0].training_title = "=HYPERLINK(\"http://evil.example\")".to_owned();
        let rows = passport_rows(&[hostile]);
        let csv = render_passports(&rows, PassportFormat::Csv).unwrap();
        assert_eq!(
            csv.lines().nth(1),
            Some(
                "7,'=1+1,\"Marie, Anne\",'@Lyon,73282932000074,SST,\
                 \"'=HYPERLINK(\"\"http://evil.example\"\")\",2,2025-01-10,,,,,no_expiry,false,C"
            )
        );
        let excel = render_passports(&rows, PassportFormat::Excel).unwrap();
        assert_eq!(
            excel.split("\r\n").nth(1),
            Some(
                "7;'=1+1;Marie, Anne;'@Lyon;73282932000074;SST;\
                 \"'=HYPERLINK(\"\"http://evil.example\"\")\";2;10/01/2025;;;;;Sans échéance;non;\
                 [C] texte officiel"
            )
        );
    }

    #[test]
    fn atomic_write_replaces_the_file_privately_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "ancien contenu").unwrap();
        write_atomically(&path, b"nouveau").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "nouveau");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["export.csv"]);
    }

    #[test]
    fn atomic_write_failure_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("dossier");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("garde"), "x").unwrap();
        assert!(
            write_atomically(&target, b"contenu").is_err(),
            "a non-empty directory is not replaced"
        );
        assert!(target.join("garde").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["dossier"], "temporary file removed");
        assert!(write_atomically(Path::new("/"), b"x").is_err());
        assert!(write_atomically(&dir.path().join("absent/f.csv"), b"x").is_err());
    }
}
