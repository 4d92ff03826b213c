//! Importing a spreadsheet (issue 15 §1–§4): the sheet reader finds the header and the kind; an
//! official ADF/JDR sheet goes on to the usual checks and import, a trainee sheet is converted
//! into declarations that take the same path, and a roster, history or matrix is left to the
//! staff routes.

use serde::Serialize;

use super::ImportError;
use crate::bulk::read::{self, Encoding, ImportFile, Shape};
pub use crate::bulk::sheet::Kind;
use crate::bulk::sheet::header::{Ignored, Role};
use crate::bulk::sheet::staff;
use crate::bulk::sheet::trainees::{self, Trainees};
use crate::bulk::sheet::{self, Synonyms, Table, column_letter, official};
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::rules::Rules;
use crate::text::{agree, count, sanitize};
use chrono::NaiveDate;

/// The `--kind` value of a kind, for the JSON report.
pub fn kind_name(kind: Kind) -> &'static str {
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
    /// A trainee sheet, converted into declarations; the conversion places the official
    /// checks' errors at the sheet's cells. With the columns taken.
    Trainees(ImportFile, Box<Trainees>, Columns),
    /// A roster, history or matrix, to write through the staff routes.
    Team(Table, Columns),
}

/// Reads `bytes` as a sheet, of kind `forced` when told.
pub fn read_sheet(
    bytes: &[u8],
    forced: Option<Kind>,
    declarant: DeclarantKind,
    today: NaiveDate,
    rules: &Rules,
) -> Result<SheetRead, sheet::SheetError> {
    let grid = sheet::read(bytes)?;
    let synonyms =
        Synonyms::embedded().map_err(|error| sheet::SheetError::Synonyms(error.to_string()))?;
    let mut table = sheet::recognise(&grid, &synonyms, forced)?;
    // A training organisation keeps no training history of staff: a sheet of trainings and
    // dates it imports is its trainee sheet.
    if forced.is_none()
        && table.kind == Kind::History
        && declarant == DeclarantKind::OrganismeFormation
    {
        table = sheet::recognise(&grid, &synonyms, Some(Kind::Trainees))?;
        table.recognised = true;
    }
    let description = format!("{}, en-tête ligne {}", grid.describe(), table.header_line);
    match table.kind {
        Kind::Adf | Kind::Jdr => {
            let (header, lines) = official::lines(&table);
            let mut description = format!("{} ({description})", table.kind.label());
            let ignored: Vec<String> = table
                .columns
                .iter()
                .filter(|c| matches!(c.role, Role::Ignored(_)))
                .map(|c| c.place())
                .collect();
            if !ignored.is_empty() {
                let label = agree(ignored.len() as u64, "colonne ignorée", "colonnes ignorées");
                description.push_str(&format!(", {label} : {}", ignored.join(", ")));
            }
            match read::read_table(&header, lines, declarant, today) {
                Ok(file) => Ok(SheetRead::Official(file, description)),
                Err(error) => Err(sheet::SheetError::Official(error.to_string())),
            }
        }
        Kind::Trainees => {
            let trainees = trainees::convert(
                &table,
                &trainees::Rules {
                    catalogue: &rules.catalogue,
                    tree: &rules.simulator,
                    today,
                },
            );
            let file = declarations(&trainees, declarant, today)?;
            let columns = Columns::new(&table, description);
            Ok(SheetRead::Trainees(file, Box::new(trainees), columns))
        }
        Kind::Roster | Kind::History | Kind::Matrix => {
            let mut table = table;
            staff::adopt_training_columns(&mut table, &rules.catalogue);
            let columns = Columns::new(&table, description);
            Ok(SheetRead::Team(table, columns))
        }
    }
}

/// The declarations of a converted trainee sheet, through the official checks, each with the
/// catalogue type it was mapped to.
fn declarations(
    trainees: &Trainees,
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<ImportFile, sheet::SheetError> {
    let mut file = ImportFile {
        shape: Shape {
            kind: DeclarationKind::Attestation,
            separator: crate::bulk::SEPARATOR,
            header: true,
            encoding: Encoding::Utf8,
        },
        declarations: Vec::new(),
        errors: Vec::new(),
    };
    for table in &trainees.tables {
        let read = read::read_table(&table.header, table.lines.clone(), declarant, today)
            .map_err(|error| sheet::SheetError::Official(error.to_string()))?;
        file.declarations.extend(read.declarations);
        file.errors.extend(read.errors);
    }
    for imported in &mut file.declarations {
        let declaration = &mut imported.declaration;
        declaration.training_code = trainees
            .training_codes
            .get(&declaration.id_declaration)
            .cloned();
    }
    Ok(file)
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

/// What was recognised in a sheet: its kind, the columns taken and left aside, the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Columns {
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
    #[serde(skip)]
    label: &'static str,
    #[serde(skip)]
    description: String,
}

impl Columns {
    /// The columns of `table`, read from the file `description` names.
    pub fn new(table: &Table, description: String) -> Self {
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
                        Ignored::NotUsed => {
                            format!("non utilisée pour ce type de fichier ({})", table.kind)
                        }
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
            label: table.kind.label(),
            description,
        }
    }

    /// The file, its kind and its columns, for a person, in French (no final line break).
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", sanitize(&self.description));
        let how = if self.recognised {
            "reconnu d'après les colonnes"
        } else {
            "indiqué par --kind"
        };
        out.push_str(&format!("Type de fichier : {} ({how}).\n", self.label));
        out.push_str(&format!(
            "{} sous l'en-tête.\n",
            count(self.rows as u64, "ligne", "lignes")
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
            let label = agree(
                self.missing.len() as u64,
                "Colonne absente",
                "Colonnes absentes",
            );
            out.push_str(&format!("{label} : {}.\n", self.missing.join(", ")));
        }
        out.pop();
        out
    }
}

/// The error to show when a file reads neither as an official file nor as a sheet: the official
/// reader's for a text file without any header the sheet reader knows, else the sheet reader's.
pub fn unreadable(
    path: &str,
    text_error: Option<read::ReadError>,
    sheet_error: sheet::SheetError,
) -> ImportError {
    let message = match (text_error, &sheet_error) {
        (Some(text_error), sheet::SheetError::NoHeader { .. })
            if !matches!(text_error, read::ReadError::Workbook { .. }) =>
        {
            text_error.to_string()
        }
        _ => sheet_error.to_string(),
    };
    ImportError::Unreadable {
        path: path.to_owned(),
        message,
    }
}
