//! `passeport import` on a spreadsheet (issue 15 §1): the sheet reader finds the header and the
//! kind; an official ADF/JDR sheet goes on to the usual checks and import, any other kind gets
//! a report of its columns and cells, and nothing is written until its import exists.

use clap::ValueEnum;
use color_eyre::eyre::{Result, eyre};
use serde::Serialize;

use crate::bulk::read::{self, ImportFile};
pub use crate::bulk::sheet::Kind;
use crate::bulk::sheet::check::{CellError, check};
use crate::bulk::sheet::header::{Ignored, Role};
use crate::bulk::sheet::{self, Synonyms, Table, column_letter, official};
use crate::domain::DeclarantKind;
use crate::text::sanitize;
use chrono::NaiveDate;

/// `--kind` (variant docs are the French help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Fichier officiel des attestations de formation.
    Adf,
    /// Fichier officiel des justificatifs de réussite.
    Jdr,
    /// Feuille de stagiaires d'un organisme de formation.
    Stagiaires,
    /// Registre du personnel.
    Personnel,
    /// Historique des formations (une ligne par salarié et formation).
    Historique,
    /// Matrice personnes × formations (une colonne de dates par formation).
    Matrice,
}

impl From<KindArg> for Kind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Adf => Self::Adf,
            KindArg::Jdr => Self::Jdr,
            KindArg::Stagiaires => Self::Trainees,
            KindArg::Personnel => Self::Roster,
            KindArg::Historique => Self::History,
            KindArg::Matrice => Self::Matrix,
        }
    }
}

/// The `--kind` value of a kind, for the JSON report.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Adf => "adf",
        Kind::Jdr => "jdr",
        Kind::Trainees => "stagiaires",
        Kind::Roster => "personnel",
        Kind::History => "historique",
        Kind::Matrix => "matrice",
    }
}

/// A sheet read.
pub enum SheetRead {
    /// Official columns, read into declarations; with the sheet's description.
    Official(ImportFile, String),
    /// Another kind: what was recognised, not importable yet.
    Other(SheetReport),
}

/// Reads `bytes` as a sheet, of kind `forced` when told.
pub fn read_sheet(
    bytes: &[u8],
    forced: Option<Kind>,
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<SheetRead, sheet::SheetError> {
    let grid = sheet::read(bytes)?;
    let synonyms =
        Synonyms::embedded().map_err(|error| sheet::SheetError::Synonyms(error.to_string()))?;
    let table = sheet::recognise(&grid, &synonyms, forced)?;
    let description = format!("{}, en-tête ligne {}", grid.describe(), table.header_line);
    if matches!(table.kind, Kind::Adf | Kind::Jdr) {
        let (header, lines) = official::lines(&table);
        let mut description = format!("{} ({description})", table.kind.label());
        let ignored: Vec<String> = table
            .columns
            .iter()
            .filter(|c| matches!(c.role, Role::Ignored(_)))
            .map(|c| c.place())
            .collect();
        if !ignored.is_empty() {
            description.push_str(&format!(", colonne(s) ignorée(s) : {}", ignored.join(", ")));
        }
        return match read::read_table(&header, lines, declarant, today) {
            Ok(file) => Ok(SheetRead::Official(file, description)),
            Err(error) => Err(sheet::SheetError::Official(error.to_string())),
        };
    }
    Ok(SheetRead::Other(SheetReport::new(&table, description)))
}

/// One column taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    /// The field (French) or, in a matrix, `formation`.
    pub field: String,
    /// Column letter.
    pub column: String,
    /// Header as written.
    pub header: String,
}

/// One column left aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Left {
    /// Column letter.
    pub column: String,
    /// Header as written.
    pub header: String,
    /// Why, in French.
    pub reason: String,
}

/// The report on a sheet whose kind cannot be imported yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetReport {
    /// The kind, as `--kind` names it.
    pub kind: &'static str,
    /// Recognised from the columns (false: told with `--kind`).
    pub recognised: bool,
    /// The columns taken, in sheet order.
    pub columns: Vec<Taken>,
    /// The columns left aside.
    pub ignored: Vec<Left>,
    /// Fields the kind needs that no column holds.
    pub missing: Vec<String>,
    /// Rows under the header.
    pub rows: usize,
    /// Cells that do not read.
    pub errors: Vec<CellError>,
    /// Always false: nothing was written.
    pub imported: bool,
    #[serde(skip)]
    label: &'static str,
    #[serde(skip)]
    description: String,
}

impl SheetReport {
    fn new(table: &Table, description: String) -> Self {
        let mut columns = Vec::new();
        let mut ignored = Vec::new();
        for column in &table.columns {
            let letter = column_letter(column.index);
            let header = sanitize(&column.header);
            match column.role {
                Role::Field(field) => columns.push(Taken {
                    field: field.label().to_owned(),
                    column: letter,
                    header,
                }),
                Role::Training => columns.push(Taken {
                    field: "formation".to_owned(),
                    column: letter,
                    header,
                }),
                Role::Official(name) => columns.push(Taken {
                    field: name.to_owned(),
                    column: letter,
                    header,
                }),
                Role::Ignored(why) => ignored.push(Left {
                    column: letter,
                    header,
                    reason: match why {
                        Ignored::Unknown => "nom de colonne inconnu".to_owned(),
                        Ignored::NotUsed => format!("non utilisée pour un(e) {}", table.kind),
                        Ignored::Duplicate(first) => {
                            format!("doublon de la colonne {}", column_letter(first))
                        }
                    },
                }),
            }
        }
        Self {
            kind: kind_name(table.kind),
            recognised: table.recognised,
            columns,
            ignored,
            missing: table.missing.clone(),
            rows: table.rows.len(),
            errors: check(table),
            imported: false,
            label: table.kind.label(),
            description,
        }
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// The report for a person, in French.
    pub fn to_text(&self, path: &str) -> String {
        let mut out = format!("{} : {}\n", sanitize(path), sanitize(&self.description));
        let how = if self.recognised {
            "reconnu d'après les colonnes"
        } else {
            "indiqué par --kind"
        };
        out.push_str(&format!("Type de fichier : {} ({how}).\n", self.label));
        out.push_str(&format!(
            "{} sous l'en-tête.\n",
            crate::text::count(self.rows as u64, "ligne", "lignes")
        ));
        out.push_str("Colonnes prises :\n");
        for taken in &self.columns {
            out.push_str(&format!(
                "  {} : colonne {} (« {} »)\n",
                taken.field, taken.column, taken.header
            ));
        }
        if !self.ignored.is_empty() {
            out.push_str("Colonnes ignorées :\n");
            for left in &self.ignored {
                out.push_str(&format!(
                    "  colonne {} (« {} ») : {}\n",
                    left.column, left.header, left.reason
                ));
            }
        }
        if !self.missing.is_empty() {
            out.push_str(&format!(
                "Colonne(s) absente(s) : {}.\n",
                self.missing.join(", ")
            ));
        }
        if !self.errors.is_empty() {
            out.push_str(&format!("{} erreur(s) :\n", self.errors.len()));
            for error in &self.errors {
                out.push_str(&format!("  {}\n", sanitize(&error.to_string())));
            }
        }
        out.push_str(
            "L'import de ce type de fichier n'est pas encore disponible : rien n'a été \
             enregistré. Les fichiers officiels ADF et JDR s'importent déjà.\n",
        );
        out
    }
}

/// The error to show when a file reads neither as an official file nor as a sheet: the official
/// reader's for a text file without any header the sheet reader knows, else the sheet reader's.
pub fn unreadable(
    path: &str,
    text_error: Option<read::ReadError>,
    sheet_error: sheet::SheetError,
) -> color_eyre::Report {
    match (text_error, &sheet_error) {
        (Some(text_error), sheet::SheetError::NoHeader { .. })
            if !matches!(text_error, read::ReadError::Workbook { .. }) =>
        {
            eyre!("{path} : {text_error}")
        }
        _ => eyre!("{path} : {sheet_error}"),
    }
}
