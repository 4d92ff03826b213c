//! The spreadsheets teams already hold (issue 15 §1–§2, domain.md §9): a file's bytes in, a typed
//! grid out ([`grid`]), its header row found below title rows and its kind recognised from its
//! column names ([`header`]), and each cell read as sheets hold values ([`values`]). Pure: the
//! command line reads the file.
//!
//! Read: Excel (.xlsx, .xls) and OpenDocument (.ods) workbooks through calamine, the first sheet
//! holding a value (an empty trailing or leading sheet is passed over), merged cells filled with
//! their value (Excel workbooks), hidden columns read as the others; CSV with `;`, `,`, tab or `|`
//! between cells (sniffed), in UTF-8 with or without BOM, else Windows-1252.

pub mod check;
pub mod grid;
pub mod header;
pub mod official;
pub mod staff;
pub mod trainees;
pub mod values;

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;

pub use grid::read;
pub use header::{Field, Kind, Synonyms, Table, recognise};

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number (a NIR or SIRET typed without apostrophe, a date stored as its serial number).
    Number(f64),
    /// A real spreadsheet date (a cell formatted as a date).
    Date(NaiveDate),
    /// A boolean cell (`VRAI` / `FAUX`).
    Bool(bool),
}

impl Cell {
    /// Whether the cell holds nothing (or only blanks).
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: numbers without a needless `.0` (a NIR stored as a number gives its
    /// digits), dates `jj/mm/aaaa`, booleans `OUI` / `NON`.
    pub fn text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(text) => text.trim().to_owned(),
            Self::Number(number) => values::number_text(*number),
            Self::Date(day) => day.format(crate::bulk::DATE_FORMAT).to_string(),
            Self::Bool(true) => crate::bulk::YES.to_owned(),
            Self::Bool(false) => crate::bulk::NO.to_owned(),
        }
    }
}

/// The kind of file a grid was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A text file with `separator` between cells.
    Csv {
        /// The sniffed separator.
        separator: char,
        /// The text encoding.
        encoding: crate::bulk::read::Encoding,
    },
    /// An Excel workbook (.xlsx).
    Xlsx,
    /// An Excel 97-2003 workbook (.xls).
    Xls,
    /// An OpenDocument spreadsheet (.ods).
    Ods,
}

impl fmt::Display for Format {
    /// `classeur Excel (.xlsx)`, `fichier CSV (séparateur « ; », UTF-8)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Csv {
                separator,
                encoding,
            } => {
                let separator = match separator {
                    '\t' => "tabulation".to_owned(),
                    other => format!("« {other} »"),
                };
                write!(
                    f,
                    "fichier CSV (séparateur {separator}, {})",
                    encoding.label()
                )
            }
            Self::Xlsx => f.write_str("classeur Excel (.xlsx)"),
            Self::Xls => f.write_str("classeur Excel 97-2003 (.xls)"),
            Self::Ods => f.write_str("classeur OpenDocument (.ods)"),
        }
    }
}

/// One row of a sheet with its line number (1 for the sheet's first row, as the spreadsheet
/// shows it; for CSV, the file line).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line number shown by the spreadsheet.
    pub line: usize,
    /// The cells, from column A.
    pub cells: Vec<Cell>,
}

/// The first non-empty sheet of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// What the file is.
    pub format: Format,
    /// The sheet's name (workbooks only).
    pub sheet: Option<String>,
    /// The rows holding at least one value, in order.
    pub rows: Vec<Row>,
}

impl Grid {
    /// `classeur Excel (.xlsx), feuille « Stagiaires »`.
    pub fn describe(&self) -> String {
        match &self.sheet {
            Some(name) => format!("{}, feuille « {} »", self.format, values::shown(name)),
            None => self.format.to_string(),
        }
    }
}

/// The letter(s) of a column, from 0: `A`, `Z`, `AA`.
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A file that cannot be read as a spreadsheet. Messages are in French.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SheetError {
    /// Nothing in any sheet (or nothing but blanks).
    #[error("le fichier est vide : aucune feuille ne contient de valeur")]
    Empty,
    /// A workbook calamine cannot open (damaged, password-protected, not a workbook).
    #[error(
        "classeur illisible (endommagé, protégé par un mot de passe ou d'un autre format) : \
         enregistrez-le de nouveau depuis le tableur"
    )]
    Workbook,
    /// UTF-16 text (Excel's « Texte Unicode »).
    #[error(
        "le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 » ou au format \
         Excel (.xlsx)"
    )]
    Utf16,
    /// Binary bytes that are no known workbook.
    #[error(
        "ce n'est ni un classeur (.xlsx, .xls, .ods) ni un fichier texte (octet nul ligne {line})"
    )]
    Binary {
        /// Line of the first NUL byte.
        line: usize,
    },
    /// The CSV syntax itself is broken.
    #[error("ligne {line} : fichier CSV illisible ({detail})")]
    Malformed {
        /// Line of the problem.
        line: usize,
        /// The parser's description.
        detail: String,
    },
    /// No row names at least two known columns.
    #[error(
        "aucune ligne d'en-tête reconnue dans les {rows} premières lignes : nommez les colonnes \
         (par exemple « Nom de naissance », « N° de sécurité sociale », « Formation », « Date de \
         fin ») ou indiquez le type de fichier avec --kind"
    )]
    NoHeader {
        /// Rows looked at.
        rows: usize,
    },
    /// A header and no row under it.
    #[error("la feuille ne contient aucune ligne sous l'en-tête (ligne {header})")]
    NoRows {
        /// Line of the header.
        header: usize,
    },
    /// The embedded synonym table does not read (a broken build).
    #[error("table des noms de colonnes (assets/columns.toml) illisible : {0}")]
    Synonyms(String),
    /// Official columns that do not make an ADF or JDR file (missing, repeated columns…).
    #[error("{0}")]
    Official(String),
    /// Columns found, but no kind fits them.
    #[error(
        "type de fichier non reconnu d'après ses colonnes ({found}) : indiquez-le avec --kind \
         (adf, jdr, stagiaires, personnel, historique, matrice)"
    )]
    UnknownKind {
        /// The recognised columns, as shown.
        found: String,
    },
}

/// A grid of text cells (empty strings are empty cells, empty rows dropped) and its table, for
/// the tests of the modules that read tables.
#[cfg(test)]
pub(crate) fn table_of(rows: &[&[&str]], kind: Option<Kind>) -> Table {
    recognise(&grid_of(rows), &Synonyms::embedded().unwrap(), kind).unwrap()
}

/// A grid of text cells (`""` for an empty cell; all-empty rows left out, as the reader does),
/// for the tests of the modules that read grids.
#[cfg(test)]
pub(crate) fn grid_of(rows: &[&[&str]]) -> Grid {
    Grid {
        format: Format::Xlsx,
        sheet: Some("Feuil1".into()),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                line: i + 1,
                cells: cells
                    .iter()
                    .map(|c| {
                        if c.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text((*c).to_owned())
                        }
                    })
                    .collect(),
            })
            .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn cells_read_as_text_as_a_person_sees_them() {
        assert_eq!(Cell::Number(185037512345678.0).text(), "185037512345678");
        assert_eq!(Cell::Number(2.5).text(), "2.5");
        assert_eq!(
            Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()).text(),
            "01/03/2026"
        );
        assert_eq!(Cell::Text("  x ".into()).text(), "x");
        assert!(Cell::Text("  ".into()).is_empty());
        assert!(!Cell::Number(0.0).is_empty());
        assert_eq!(Cell::Bool(true).text(), "OUI");
    }
}
