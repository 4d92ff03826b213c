//! The pure reader of `passeport import`: the bytes of a file in, declarations out, each
//! titulaire tied to its line in the file, and every problem located by (line, column).
//!
//! Accepted files:
//! - the official layouts ADF (20 columns) and JDR (29 columns), `|`-separated, with or without
//!   the header line (domain.md §8, "Guide import en masse OF ADF / JDR", February 2026,
//!   <https://passeport-prevention.travail-emploi.gouv.fr/espace-public/sites/pp/files/2026-02/>),
//!   unquoted: a `"` there is an ordinary character, as `bulk::write` writes it;
//! - a spreadsheet export (Excel, LibreOffice) whose header row names those columns, in any
//!   order, separated by `;`, `,` or a tab, with quoted fields and an optional `sep=` first line;
//! - UTF-8 with or without BOM, else Windows-1252 (what French Excel writes); LF, CRLF or CR
//!   alone (old Mac spreadsheets), each counted as one line break in the line numbers.
//!
//! Values: dates `jj/mm/aaaa` (official) or `aaaa-mm-jj`; OUI/NON and the official tokens in any
//! case; lists separated by `/`; a NIR of 13 characters, or 15 with its key (checked by
//! [`Declaration::validate`]), spaces allowed. Rows sharing an `ID_DECLARATION` form one
//! declaration and must carry identical training data (domain.md §8, common rules).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::declaration::columns::{self, *};
use crate::domain::declaration::{
    Declaration, Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use crate::domain::ids::{Nir, Siret};
use crate::domain::{DeclarantKind, DeclarationKind, FieldError};

/// Column separators tried, in order of preference: the official `|`, then the spreadsheet ones.
const SEPARATORS: [char; 4] = ['|', ';', ',', '\t'];

/// Longest value quoted back in a message.
const SHOWN_CHARS: usize = 40;

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without byte order mark (the official encoding).
    Utf8,
    /// UTF-8 starting with a byte order mark (Excel's « CSV UTF-8 »).
    Utf8Bom,
    /// Windows-1252 (Excel's « CSV (séparateur : point-virgule) » on a French Windows).
    Windows1252,
}

impl Encoding {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 avec BOM",
            Self::Windows1252 => "Windows-1252",
        }
    }
}

/// How a file was laid out, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Attestations (ADF) or justificatifs (JDR).
    pub kind: DeclarationKind,
    /// The column separator.
    pub separator: char,
    /// Whether the first line names the columns.
    pub header: bool,
    /// The text encoding.
    pub encoding: Encoding,
}

impl fmt::Display for Shape {
    /// `fichier ADF (attestations de formation), séparateur « | », UTF-8, avec ligne d'en-tête`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = match self.kind {
            DeclarationKind::Attestation => "ADF (attestations de formation)",
            DeclarationKind::Justificatif => "JDR (justificatifs de réussite)",
        };
        let separator = separator_shown(self.separator);
        let header = if self.header {
            "avec ligne d'en-tête"
        } else {
            "sans ligne d'en-tête"
        };
        write!(
            f,
            "fichier {layout}, séparateur {separator}, {}, {header}",
            self.encoding.label()
        )
    }
}

/// One problem, at a line of the file (1-based) and, when it concerns one value, a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// Line of the file, counted from 1 (header included).
    pub line: usize,
    /// Official column name (`NIR`, `DATE_FIN_FORMATION`…); `None` for the whole line.
    pub column: Option<String>,
    /// French message.
    pub message: String,
}

impl LineError {
    /// Builds a located error.
    pub fn new(line: usize, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for LineError {
    /// `ligne 4, colonne NIR : message` or `ligne 4 : message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(
                f,
                "ligne {}, colonne {column} : {}",
                self.line, self.message
            ),
            None => write!(f, "ligne {} : {}", self.line, self.message),
        }
    }
}

/// A declaration read from the file: its titulaires in file order, with their lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedDeclaration {
    /// The declaration, titulaires in file order.
    pub declaration: Declaration,
    /// The file line of each titulaire (same order as `declaration.titulaires`).
    pub lines: Vec<usize>,
    /// Hex SHA-256 of the `ID_DECLARATION` and the declaration's canonical rows: the same rows
    /// give the same key, whatever the separator, encoding or date format of the file.
    pub idempotency_key: String,
}

impl ImportedDeclaration {
    /// The line of the first titulaire, where declaration-level problems are reported.
    pub fn first_line(&self) -> usize {
        self.lines.first().copied().unwrap_or(0)
    }

    /// Places a field error of [`Declaration::validate`] (or of the server) in the file:
    /// `titulaires[i].COLUMN` at titulaire i's line, a declaration column at the first line.
    pub fn locate(&self, error: &FieldError) -> LineError {
        let titulaire = error
            .field
            .strip_prefix(TITULAIRES)
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(index, column)| Some((index.parse::<usize>().ok()?, column)));
        let layout = columns::for_kind(self.declaration.kind);
        match titulaire {
            Some((index, column)) => LineError::new(
                self.lines.get(index).copied().unwrap_or(self.first_line()),
                Some(column),
                error.message.clone(),
            ),
            None if error.field == TITULAIRES => LineError::new(
                self.first_line(),
                Some(ID_DECLARATION),
                error.message.clone(),
            ),
            None if layout.contains(&error.field.as_str()) => LineError::new(
                self.first_line(),
                Some(error.field.as_str()),
                error.message.clone(),
            ),
            None => LineError::new(self.first_line(), None, error.message.clone()),
        }
    }
}

/// A file read: its shape, its declarations and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFile {
    /// How the file is laid out.
    pub shape: Shape,
    /// The declarations, in order of first appearance.
    pub declarations: Vec<ImportedDeclaration>,
    /// Every problem, by line then by column order; empty when the file is valid.
    pub errors: Vec<LineError>,
}

impl ImportFile {
    /// Number of titulaire lines read into declarations.
    pub fn titulaire_count(&self) -> usize {
        self.declarations.iter().map(|d| d.lines.len()).sum()
    }

    /// Whether no problem was found.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A file that cannot be read as declarations at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Nothing but blanks.
    #[error("le fichier est vide")]
    Empty,
    /// A NUL byte: not a text file.
    #[error(
        "ce n'est pas un fichier texte (octet nul ligne {line}) : enregistrez-le au format CSV"
    )]
    Binary {
        /// Line of the first NUL byte.
        line: usize,
    },
    /// UTF-16 text (Excel's « Texte Unicode »).
    #[error(
        "le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 » ou « CSV \
         (séparateur : point-virgule) »"
    )]
    Utf16,
    /// A workbook rather than a text export.
    #[error(
        "le fichier est un classeur {format}, pas un fichier texte : enregistrez-le au format CSV"
    )]
    Workbook {
        /// `Excel (.xlsx)`, `OpenDocument (.ods)` or `Excel 97-2003 (.xls)`.
        format: &'static str,
    },
    /// Neither a header naming the official columns nor 20 or 29 columns.
    #[error(
        "disposition inconnue : la première ligne compte {columns} colonne(s) séparées par \
         {separator}, alors qu'un fichier ADF en compte 20 et un fichier JDR 29 ; sinon, la \
         première ligne doit nommer les colonnes officielles (ID_DECLARATION, NIR…)"
    )]
    UnknownLayout {
        /// Columns found on the first line.
        columns: usize,
        /// The separator that split it best, as shown.
        separator: String,
    },
    /// The header lacks official columns.
    #[error("ligne d'en-tête du fichier {layout} : colonne(s) absente(s) : {missing}")]
    MissingColumns {
        /// `ADF` or `JDR`.
        layout: &'static str,
        /// The missing column names, comma-separated.
        missing: String,
    },
    /// The header names columns of neither layout.
    #[error(
        "ligne d'en-tête : colonne(s) inconnue(s) : {unknown} (noms attendus : ceux du fichier \
         officiel, par exemple NOM_TITULAIRE)"
    )]
    UnknownColumns {
        /// The unknown names, comma-separated.
        unknown: String,
    },
    /// The header names a column twice.
    #[error("ligne d'en-tête : la colonne {column} figure deux fois")]
    DuplicateColumn {
        /// The repeated name.
        column: String,
    },
    /// A header and no titulaire line.
    #[error("le fichier ne contient aucune ligne de titulaire")]
    NoRows,
    /// The CSV syntax itself is broken.
    #[error("ligne {line} : fichier CSV illisible ({detail})")]
    Malformed {
        /// Line of the problem.
        line: usize,
        /// The parser's description.
        detail: String,
    },
}

/// Reads a bulk file: detects its encoding, separator, header and layout, groups its rows into
/// declarations, and checks every row (values, agreement of the rows of one declaration,
/// uniqueness of `ID_UNIQUE_PARTENAIRE` in the file, then [`Declaration::validate`] for
/// `declarant` on `today`).
pub fn read(
    bytes: &[u8],
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<ImportFile, ReadError> {
    let (text, encoding) = decode(bytes)?;
    let (body, first_line, forced) = strip_sep_line(&text);
    let mut layout = detect(body, forced)?;
    let records = records(body, layout.separator, first_line)?;
    if !layout.header {
        layout.width = usual_width(&records, layout.needed);
    }
    let shape = Shape {
        kind: layout.kind,
        separator: layout.separator,
        header: layout.header,
        encoding,
    };
    check(shape, &layout, records, declarant, today)
}

/// Reads the official ADF/JDR columns of a spreadsheet (`bulk::sheet`): `header` names them (in
/// the sheet's order), each line holds their cells as text with its line in the sheet. The same
/// checks as [`read`]; the shape is the official layout's (`|`, UTF-8), the sheet being
/// described by its reader.
pub fn read_table(
    header: &[String],
    lines: Vec<(usize, Vec<String>)>,
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<ImportFile, ReadError> {
    let layout = header_layout(SEPARATORS[0], header)?;
    let shape = Shape {
        kind: layout.kind,
        separator: layout.separator,
        header: true,
        encoding: Encoding::Utf8,
    };
    let records = std::iter::once(Record {
        line: lines.first().map_or(1, |(line, _)| line.saturating_sub(1)),
        fields: header.to_vec(),
    })
    .chain(
        lines
            .into_iter()
            .map(|(line, fields)| Record { line, fields }),
    )
    .collect();
    check(shape, &layout, records, declarant, today)
}

/// Groups and checks the records of a detected layout.
fn check(
    shape: Shape,
    layout: &Layout,
    records: Vec<Record>,
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<ImportFile, ReadError> {
    let mut errors = Errors::default();
    let rows = rows(layout, records, &mut errors);
    if rows.is_empty() && errors.list.is_empty() {
        return Err(ReadError::NoRows);
    }
    let declarations = group(layout.kind, rows, &mut errors);
    check_partner_ids(&declarations, &mut errors);
    for imported in &declarations {
        if let Err(found) = imported.declaration.validate(declarant, today) {
            for error in &found {
                errors.push(imported.locate(error));
            }
        }
    }
    let order = columns::for_kind(layout.kind);
    let mut list = errors.list;
    list.sort_by_key(|error| {
        let column = error.column.as_deref().map_or(0, |c| {
            order
                .iter()
                .position(|o| *o == c)
                .map_or(usize::MAX, |p| p + 1)
        });
        (error.line, column)
    });
    Ok(ImportFile {
        shape,
        declarations,
        errors: list,
    })
}

/// Decodes the bytes: UTF-8 (BOM removed) when valid, else Windows-1252.
fn decode(bytes: &[u8]) -> Result<(String, Encoding), ReadError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::Utf16);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let format = if bytes
            .windows(b"opendocument".len())
            .any(|w| w == b"opendocument")
        {
            "OpenDocument (.ods)"
        } else {
            "Excel (.xlsx)"
        };
        return Err(ReadError::Workbook { format });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::Workbook {
            format: "Excel 97-2003 (.xls)",
        });
    }
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = line_breaks(&bytes[..at]) + 1;
        return Err(ReadError::Binary { line });
    }
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(text) if bom => (text.to_owned(), Encoding::Utf8Bom),
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Encoding::Windows1252)
        }
    };
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok((text, encoding))
}

/// Line breaks in `bytes`: LF, CRLF, or CR alone (the line ends the CSV parser accepts).
fn line_breaks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(at, &b)| b == b'\n' || (b == b'\r' && bytes.get(at + 1) != Some(&b'\n')))
        .count()
}

/// Excel's optional first line `sep=;`: returns the rest, the line number it starts at, and the
/// separator it names.
fn strip_sep_line(text: &str) -> (&str, usize, Option<char>) {
    let (first, rest) = match text.find(['\r', '\n']) {
        Some(end) => {
            let rest = &text[end..];
            let rest = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix(['\r', '\n']))
                .unwrap_or(rest);
            (&text[..end], rest)
        }
        None => (text, ""),
    };
    if let Some(value) = first.strip_prefix("sep=") {
        let mut chars = value.chars();
        if let (Some(separator), None) = (chars.next(), chars.next())
            && SEPARATORS.contains(&separator)
        {
            return (rest, 2, Some(separator));
        }
    }
    (text, 1, None)
}

/// The detected layout: separator, header, kind, and where each official column is.
struct Layout {
    separator: char,
    header: bool,
    kind: DeclarationKind,
    /// For each column of the official order, its index among the line's fields.
    positions: Vec<usize>,
    /// Fields a line must have to reach every column.
    needed: usize,
    /// Fields of a whole line: the header's, or the usual count of a headerless file's lines
    /// ([`usual_width`]). A line with more has a value holding the separator, even when the
    /// extra fields are empty.
    width: usize,
}

/// A column name as written in a header cell: trimmed and uppercased.
fn header_name(cell: &str) -> String {
    cell.trim().trim_start_matches('\u{feff}').to_uppercase()
}

/// Whether `name` is one of the official columns.
fn is_known_column(name: &str) -> bool {
    JDR.contains(&name)
}

/// Whether the fields of a line fill exactly `count` columns (extra fields must be empty).
fn fits(fields: &[String], count: usize) -> bool {
    fields.len() >= count && fields[count..].iter().all(|f| f.trim().is_empty())
}

/// Detects the separator (forced by a `sep=` line, else the one that splits the first line into
/// official column names, else into 20 or 29 columns) and the layout.
fn detect(text: &str, forced: Option<char>) -> Result<Layout, ReadError> {
    let candidates: Vec<char> = forced.map_or_else(|| SEPARATORS.to_vec(), |s| vec![s]);
    let firsts: Vec<(char, Vec<String>)> = candidates
        .iter()
        .map(|&separator| (separator, first_record(text, separator)))
        .collect();
    // A header: the split with the most official names (at least two); ties go to the
    // separator tried first.
    let mut header: Option<(usize, char, &[String])> = None;
    for (separator, fields) in &firsts {
        let known = fields
            .iter()
            .filter(|f| is_known_column(&header_name(f)))
            .count();
        if known >= 2 && header.is_none_or(|(best, _, _)| known > best) {
            header = Some((known, *separator, fields));
        }
    }
    if let Some((_, separator, fields)) = header {
        return header_layout(separator, fields);
    }
    for (separator, fields) in &firsts {
        for (kind, count) in [
            (DeclarationKind::Justificatif, JDR.len()),
            (DeclarationKind::Attestation, ADF.len()),
        ] {
            if fits(fields, count) {
                return Ok(Layout {
                    separator: *separator,
                    header: false,
                    kind,
                    positions: (0..count).collect(),
                    needed: count,
                    width: count,
                });
            }
        }
    }
    let (separator, columns) = firsts
        .iter()
        .map(|(separator, fields)| (*separator, fields.len()))
        .max_by_key(|(_, count)| *count)
        .unwrap_or(('|', 1));
    Err(ReadError::UnknownLayout {
        columns,
        separator: separator_shown(separator),
    })
}

/// The layout named by a header line: JDR when it names a JDR-only column, else ADF; every
/// official column must appear once, and no other name.
fn header_layout(separator: char, fields: &[String]) -> Result<Layout, ReadError> {
    let names: Vec<String> = fields.iter().map(|f| header_name(f)).collect();
    let jdr_only = JDR
        .iter()
        .any(|c| !ADF.contains(c) && names.iter().any(|n| n == c));
    let (kind, order, label): (_, &[&str], _) = if jdr_only {
        (DeclarationKind::Justificatif, &JDR, "JDR")
    } else {
        (DeclarationKind::Attestation, &ADF, "ADF")
    };
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut unknown = Vec::new();
    for (index, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        match order.iter().find(|c| **c == name.as_str()) {
            Some(column) => {
                if at.insert(column, index).is_some() {
                    return Err(ReadError::DuplicateColumn {
                        column: name.clone(),
                    });
                }
            }
            None => unknown.push(shown(name)),
        }
    }
    if !unknown.is_empty() {
        return Err(ReadError::UnknownColumns {
            unknown: unknown.join(", "),
        });
    }
    let missing: Vec<&str> = order
        .iter()
        .filter(|c| !at.contains_key(**c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns {
            layout: label,
            missing: missing.join(", "),
        });
    }
    let positions: Vec<usize> = order
        .iter()
        .map(|c| at.get(c).copied().unwrap_or(0))
        .collect();
    let needed = positions.iter().max().map_or(0, |p| p + 1);
    Ok(Layout {
        separator,
        header: true,
        kind,
        positions,
        needed,
        width: fields.len(),
    })
}

/// A CSV reader over `text` with `separator`, every line a record of any length. Quotes are
/// read only in spreadsheet exports: the official `|` layout has none (domain.md §8), so a value
/// starting with `"` is kept as written, as the writer wrote it.
fn csv_reader(text: &str, separator: char) -> csv::Reader<&[u8]> {
    // SEPARATORS are all ASCII, so the cast keeps the character.
    let delimiter = u8::try_from(separator).unwrap_or(b'|');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(separator != '|')
        .from_reader(text.as_bytes())
}

/// The fields of the first non-empty line split with `separator` (nothing when unreadable).
fn first_record(text: &str, separator: char) -> Vec<String> {
    let mut reader = csv_reader(text, separator);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// One line of the file, fields trimmed.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Every record of `text`, with its line in the file (`first_line` is the line `text` starts at).
fn records(text: &str, separator: char, first_line: usize) -> Result<Vec<Record>, ReadError> {
    // The line of a record is counted from its byte offset: the line breaks before its first
    // character, quoted ones included. The parser's offset may stop before the `\n` of a CRLF
    // or before blank lines, so line breaks right at the offset are skipped first. Offsets grow
    // record after record, so the breaks are counted from the previous record on (counting from
    // the start each time made a 200 MB file take hours); an offset never lands just after a CR.
    let bytes = text.as_bytes();
    let counted = std::cell::Cell::new((0usize, 0usize));
    let line_of = |position: Option<&csv::Position>| {
        let mut offset = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while bytes
            .get(offset)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            offset += 1;
        }
        let offset = offset.min(bytes.len());
        let (from, breaks) = match counted.get() {
            (from, breaks) if from <= offset => (from, breaks),
            _ => (0, 0),
        };
        let breaks = breaks + line_breaks(&bytes[from..offset]);
        counted.set((offset, breaks));
        first_line + breaks
    };
    let mut reader = csv_reader(text, separator);
    let mut out = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|error| ReadError::Malformed {
            line: line_of(error.position()),
            detail: error.to_string(),
        })?;
        out.push(Record {
            line: line_of(record.position()),
            fields: record.iter().map(|f| f.trim().to_owned()).collect(),
        });
    }
    Ok(out)
}

/// The most frequent number of fields among the non-blank lines of a headerless file (the
/// smaller on a tie), at least `needed`: trailing empty fields every line has (a spreadsheet's
/// padding) are the file's shape, one line's extra field is a value holding the separator.
fn usual_width(records: &[Record], needed: usize) -> usize {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for record in records
        .iter()
        .filter(|r| r.fields.iter().any(|f| !f.is_empty()))
    {
        *counts.entry(record.fields.len()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(width, count)| (count, std::cmp::Reverse(width)))
        .map_or(needed, |(width, _)| width.max(needed))
}

/// The problems found, at most one per (line, column): the first one found wins.
#[derive(Default)]
struct Errors {
    list: Vec<LineError>,
    seen: HashSet<(usize, Option<String>)>,
}

impl Errors {
    fn push(&mut self, error: LineError) {
        if self.seen.insert((error.line, error.column.clone())) {
            self.list.push(error);
        }
    }

    fn at(&mut self, line: usize, column: Option<&str>, message: impl Into<String>) {
        self.push(LineError::new(line, column, message));
    }
}

/// One data line, parsed (also by the streamed check of [`super::conformity`]).
pub(super) struct Row {
    /// Line of the file, from 1.
    pub(super) line: usize,
    /// Each column's value in canonical form (official order), for comparisons and the key.
    pub(super) canonical: Vec<String>,
    /// The declaration-level columns of the line (no titulaire).
    pub(super) declaration: Declaration,
    /// The titulaire columns of the line.
    pub(super) titulaire: Titulaire,
    /// Values that could not be read: (column, message).
    pub(super) problems: Vec<(&'static str, String)>,
}

/// The data lines of the file (header and blank lines left out), each parsed; a line with the
/// wrong number of fields is reported and left out.
fn rows(layout: &Layout, records: Vec<Record>, errors: &mut Errors) -> Vec<Row> {
    let skip = usize::from(layout.header);
    let mut out = Vec::new();
    for record in records.into_iter().skip(skip) {
        if record.fields.iter().all(String::is_empty) {
            continue;
        }
        let extra = record
            .fields
            .iter()
            .enumerate()
            .any(|(index, field)| !field.is_empty() && !layout.positions.contains(&index));
        let short = record.fields.len() < layout.needed;
        if short || extra || record.fields.len() > layout.width {
            let expected = if layout.header {
                "l'en-tête en annonce"
            } else {
                "le fichier officiel en compte"
            };
            let count = if short { layout.needed } else { layout.width };
            errors.at(
                record.line,
                None,
                width_message(record.fields.len(), expected, count, layout.separator),
            );
            continue;
        }
        let cells = layout
            .positions
            .iter()
            .map(|&p| record.fields.get(p).cloned().unwrap_or_default());
        out.push(parse_row(layout.kind, record.line, cells));
    }
    out
}

/// The message of a line with `found` fields where `expected` (« l'en-tête en annonce »…) says
/// `count`.
pub(super) fn width_message(found: usize, expected: &str, count: usize, separator: char) -> String {
    format!(
        "La ligne compte {found} colonnes alors que {expected} {count} : une valeur contient-elle \
         le séparateur {} ?",
        separator_shown(separator)
    )
}

/// Columns that belong to one titulaire; every other column is training data shared by all the
/// lines of a declaration (domain.md §8).
pub(super) const TITULAIRE_COLUMNS: [&str; 6] = [
    ID_UNIQUE_PARTENAIRE,
    NIR,
    NOM_TITULAIRE,
    PRESENCE_EMPLOYEUR,
    SIRET_EMPLOYEUR,
    REFERENCE_EMPLOYEUR,
];

/// Parses the cells of one line (official column order of `kind`).
pub(super) fn parse_row(
    kind: DeclarationKind,
    line: usize,
    cells: impl Iterator<Item = String>,
) -> Row {
    let mut row = Row {
        line,
        canonical: Vec::new(),
        declaration: Declaration::new(kind),
        titulaire: Titulaire::default(),
        problems: Vec::new(),
    };
    for (&column, raw) in columns::for_kind(kind).iter().zip(cells) {
        let canonical = set_cell(&mut row, column, raw);
        row.canonical.push(canonical);
    }
    row
}

/// Stores one cell into the row; returns its canonical form.
fn set_cell(row: &mut Row, column: &'static str, raw: String) -> String {
    let d = &mut row.declaration;
    let t = &mut row.titulaire;
    let problems = &mut row.problems;
    match column {
        ID_DECLARATION => text(&mut d.id_declaration, raw),
        REFERENCE_DECLARATION => text(&mut d.reference_declaration, raw),
        ID_UNIQUE_PARTENAIRE => text(&mut t.id_unique_partenaire, raw),
        TYPE_JDR => choice(
            &mut d.type_jdr,
            column,
            &raw,
            problems,
            TypeJdr::label,
            TypeJdr::ALL,
            TypeJdr::as_code,
        ),
        NOM_JDR => text(&mut d.nom_jdr, raw),
        NOM_OPTION_SPECIALITE => text(&mut d.nom_option_specialite, raw),
        MODE_OBTENTION => choice(
            &mut d.mode_obtention,
            column,
            &raw,
            problems,
            ModeObtention::label,
            ModeObtention::ALL,
            ModeObtention::as_code,
        ),
        COMPETENCE_TRANSFERABLE => list(&mut d.competence_transferable, &raw),
        PRESENCE_FORMATION => yes_no(&mut d.presence_formation, column, &raw, problems),
        NOM_FORMATION => text(&mut d.nom_formation, raw),
        DATE_DEBUT_FORMATION => date(&mut d.date_debut_formation, column, &raw, problems),
        DATE_FIN_FORMATION => date(&mut d.date_fin_formation, column, &raw, problems),
        MODALITE_DISPENSE => choice(
            &mut d.modalite_dispense,
            column,
            &raw,
            problems,
            Modalite::label,
            Modalite::ALL,
            Modalite::as_code,
        ),
        QUALIFICATION_FORMATEUR => choice(
            &mut d.qualification_formateur,
            column,
            &raw,
            problems,
            QualificationFormateur::label,
            QualificationFormateur::ALL,
            QualificationFormateur::as_code,
        ),
        FORMATION_CERTIFIANTE => yes_no(&mut d.formation_certifiante, column, &raw, problems),
        CERTIFICATION_VISEE => text(&mut d.certification_visee, raw),
        DOMAINE_FORMATION => list(&mut d.domaine_formation, &raw),
        SPECIALITE_FORMATION => list(&mut d.specialite_formation, &raw),
        NIR => {
            // 13 characters, or 15 with the key, spaces allowed: kept in the 13-character form
            // when it reads, else as typed so that validate() explains what is wrong.
            let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            t.nir = compact
                .parse::<Nir>()
                .map_or(compact, |nir| nir.as_str().to_owned());
            t.nir.clone()
        }
        NOM_TITULAIRE => text(&mut t.nom_titulaire, raw),
        PRESENCE_EMPLOYEUR => yes_no(&mut t.presence_employeur, column, &raw, problems),
        SIRET_EMPLOYEUR => {
            let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            t.siret_employeur = compact
                .parse::<Siret>()
                .map_or(compact, |siret| siret.as_str().to_owned());
            t.siret_employeur.clone()
        }
        REFERENCE_EMPLOYEUR => text(&mut t.reference_employeur, raw),
        DATE_DEBUT_VALIDITE => date(&mut d.date_debut_validite, column, &raw, problems),
        DATE_FIN_VALIDITE => date(&mut d.date_fin_validite, column, &raw, problems),
        RESULTAT_OBTENU => text(&mut d.resultat_obtenu, raw),
        MENTION_OBTENUE => text(&mut d.mention_obtenue, raw),
        LIEN_PREUVE => text(&mut d.lien_preuve, raw),
        IDENTIFIANT_PREUVE => text(&mut d.identifiant_preuve, raw),
        _ => raw,
    }
}

/// A text cell, kept as written (trimmed).
fn text(slot: &mut String, raw: String) -> String {
    slot.clone_from(&raw);
    raw
}

/// A `/`-separated list; blanks around and between the values are dropped.
fn list(slot: &mut Vec<String>, raw: &str) -> String {
    *slot = raw
        .split('/')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    slot.join("/")
}

/// An OUI/NON cell, in any case.
fn yes_no(
    slot: &mut Option<bool>,
    column: &'static str,
    raw: &str,
    problems: &mut Vec<(&'static str, String)>,
) -> String {
    let upper = raw.to_uppercase();
    *slot = match upper.as_str() {
        "" => None,
        "OUI" => Some(true),
        "NON" => Some(false),
        _ => {
            problems.push((
                column,
                format!(
                    "Le champ « {} » vaut « {} » : OUI ou NON attendu.",
                    columns::label(column),
                    shown(raw)
                ),
            ));
            None
        }
    };
    upper
}

/// A value compared without case, accents, spaces, dashes or apostrophes: `présentiel`,
/// `Présentiel` and `PRESENTIEL` are one value, `à distance` is `A_DISTANCE` (UX review 2026-12,
/// finding 25: the form shows the labels, a spreadsheet may hold them).
fn token(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        match c {
            'à' | 'â' | 'ä' | 'á' => out.push('A'),
            'é' | 'è' | 'ê' | 'ë' => out.push('E'),
            'î' | 'ï' | 'í' => out.push('I'),
            'ô' | 'ö' | 'ó' => out.push('O'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('U'),
            'ç' => out.push('C'),
            'œ' => out.push_str("OE"),
            'æ' => out.push_str("AE"),
            ' ' | '-' | '\'' | '’' | '_' => {
                if !out.ends_with('_') {
                    out.push('_');
                }
            }
            '(' | ')' | ',' | '.' => {}
            other => out.extend(other.to_uppercase()),
        }
    }
    out.trim_matches('_').to_owned()
}

/// A cell holding one of the official tokens or its French label, in any case, with or without
/// accents.
fn choice<T: Copy>(
    slot: &mut Option<T>,
    column: &'static str,
    raw: &str,
    problems: &mut Vec<(&'static str, String)>,
    label: fn(T) -> &'static str,
    all: &[T],
    as_code: fn(T) -> &'static str,
) -> String {
    let upper = raw.to_uppercase();
    *slot = if upper.is_empty() {
        None
    } else {
        let wanted = token(raw);
        let value = all
            .iter()
            .copied()
            .find(|v| token(as_code(*v)) == wanted || token(label(*v)) == wanted);
        if value.is_none() {
            let allowed: Vec<&str> = all.iter().map(|v| as_code(*v)).collect();
            problems.push((
                column,
                format!(
                    "Le champ « {} » vaut « {} » : valeurs possibles {}.",
                    columns::label(column),
                    shown(raw),
                    allowed.join(", ")
                ),
            ));
        }
        value
    };
    slot.map_or(upper, |value| as_code(value).to_owned())
}

/// A date cell: `jj/mm/aaaa` (official) or `aaaa-mm-jj`, four-digit year.
fn date(
    slot: &mut Option<NaiveDate>,
    column: &'static str,
    raw: &str,
    problems: &mut Vec<(&'static str, String)>,
) -> String {
    if raw.is_empty() {
        *slot = None;
        return String::new();
    }
    let read = parse_date(raw);
    *slot = read.ok();
    match read {
        Ok(day) => day.format("%Y-%m-%d").to_string(),
        Err(problem) => {
            let message = match problem {
                // The same words as the form (UX review 2026-12, finding 25).
                DateProblem::NoSuchDay => format!(
                    "La {} « {} » n'existe pas dans le calendrier.",
                    columns::label(column),
                    shown(raw)
                ),
                DateProblem::Format => format!(
                    "La {} « {} » n'est pas une date valide : écrivez-la jj/mm/aaaa (ou \
                     aaaa-mm-jj).",
                    columns::label(column),
                    shown(raw)
                ),
            };
            problems.push((column, message));
            raw.to_owned()
        }
    }
}

/// Why a date cell does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateProblem {
    /// Not `jj/mm/aaaa` nor `aaaa-mm-jj`.
    Format,
    /// Well written, but no such day (31/02).
    NoSuchDay,
}

/// `jj/mm/aaaa` or `aaaa-mm-jj`, day and month on one or two digits, year on four.
fn parse_date(raw: &str) -> Result<NaiveDate, DateProblem> {
    let parts: Vec<&str> = if raw.contains('/') {
        raw.split('/').collect()
    } else {
        raw.split('-').rev().collect()
    };
    let [day, month, year] = parts.as_slice() else {
        return Err(DateProblem::Format);
    };
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(day, 1..=2) && digits(month, 1..=2) && digits(year, 4..=4)) {
        return Err(DateProblem::Format);
    }
    let number = |part: &str| part.parse().map_err(|_| DateProblem::Format);
    NaiveDate::from_ymd_opt(number(year)? as i32, number(month)?, number(day)?)
        .ok_or(DateProblem::NoSuchDay)
}

/// A separator as named in messages: `« ; »`, or `tabulation`.
fn separator_shown(separator: char) -> String {
    match separator {
        '\t' => "tabulation".to_owned(),
        other => format!("« {other} »"),
    }
}

/// A value quoted in a message: at most [`SHOWN_CHARS`] characters, control characters and
/// bidirectional overrides replaced by `�` so that a message cannot act on a terminal.
pub(super) fn shown(value: &str) -> String {
    let safe = |c: char| {
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            '\u{FFFD}'
        } else {
            c
        }
    };
    if value.chars().count() > SHOWN_CHARS {
        let cut: String = value.chars().take(SHOWN_CHARS - 1).map(safe).collect();
        format!("{cut}…")
    } else {
        value.chars().map(safe).collect()
    }
}

/// Groups the rows by `ID_DECLARATION` (order of first appearance; a row without one stands
/// alone), reports unreadable values and rows that disagree with the first row of their
/// declaration, and computes each declaration's idempotency key.
fn group(kind: DeclarationKind, rows: Vec<Row>, errors: &mut Errors) -> Vec<ImportedDeclaration> {
    let mut groups: Vec<Vec<Row>> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let id = row.declaration.id_declaration.clone();
        if id.is_empty() {
            groups.push(vec![row]);
            continue;
        }
        match by_id.entry(id) {
            Entry::Occupied(index) => groups[*index.get()].push(row),
            Entry::Vacant(slot) => {
                slot.insert(groups.len());
                groups.push(vec![row]);
            }
        }
    }
    let order = columns::for_kind(kind);
    groups
        .into_iter()
        .filter_map(|rows| {
            let (first, others) = rows.split_first()?;
            for (column, message) in &first.problems {
                errors.at(first.line, Some(column), message.clone());
            }
            for row in others {
                for (column, message) in &row.problems {
                    if TITULAIRE_COLUMNS.contains(column) {
                        errors.at(row.line, Some(column), message.clone());
                    }
                }
                for (index, column) in order.iter().enumerate() {
                    if TITULAIRE_COLUMNS.contains(column)
                        || row.canonical[index] == first.canonical[index]
                    {
                        continue;
                    }
                    let message = row
                        .problems
                        .iter()
                        .find(|(c, _)| c == column)
                        .map(|(_, message)| message.clone())
                        .unwrap_or_else(|| disagreement(first, row, index));
                    errors.at(row.line, Some(column), message);
                }
            }
            let mut declaration = first.declaration.clone();
            declaration.titulaires = rows.iter().map(|r| r.titulaire.clone()).collect();
            Some(ImportedDeclaration {
                idempotency_key: key(kind, &rows),
                lines: rows.iter().map(|r| r.line).collect(),
                declaration,
            })
        })
        .collect()
}

/// The message of a row whose training data differ from the first row of its declaration.
pub(super) fn disagreement(first: &Row, row: &Row, index: usize) -> String {
    let value = |v: &str| {
        if v.is_empty() {
            "vide".to_owned()
        } else {
            format!("« {} »", shown(v))
        }
    };
    format!(
        "Valeur {} différente de celle de la ligne {} ({}) : toutes les lignes de la déclaration \
         « {} » doivent porter les mêmes données de formation.",
        value(&row.canonical[index]),
        first.line,
        value(&first.canonical[index]),
        shown(&first.declaration.id_declaration)
    )
}

/// Hex SHA-256 of the declaration's kind, `ID_DECLARATION` and canonical rows.
fn key(kind: DeclarationKind, rows: &[Row]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(match kind {
        DeclarationKind::Attestation => "ADF\n",
        DeclarationKind::Justificatif => "JDR\n",
    });
    if let Some(first) = rows.first() {
        hasher.update(first.declaration.id_declaration.as_bytes());
        hasher.update(b"\n");
    }
    for row in rows {
        for cell in &row.canonical {
            // Unit separator: cannot be confused with a character of a value's canonical form.
            hasher.update(cell.as_bytes());
            hasher.update(b"\x1f");
        }
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `ID_UNIQUE_PARTENAIRE` is unique within the file (and across every file ever imported,
/// which the server checks): a repeat is reported at its later line (domain.md §8).
fn check_partner_ids(declarations: &[ImportedDeclaration], errors: &mut Errors) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut all: Vec<(usize, &str)> = declarations
        .iter()
        .flat_map(|d| {
            d.lines
                .iter()
                .zip(&d.declaration.titulaires)
                .map(|(line, t)| (*line, t.id_unique_partenaire.as_str()))
        })
        .filter(|(_, id)| !id.is_empty())
        .collect();
    all.sort_by_key(|(line, _)| *line);
    for (line, id) in all {
        match first.entry(id) {
            Entry::Occupied(seen) => errors.at(
                line,
                Some(ID_UNIQUE_PARTENAIRE),
                format!(
                    "L'identifiant unique partenaire « {} » figure déjà ligne {} : il doit être \
                     unique dans le fichier (doublon refusé par la plateforme).",
                    shown(id),
                    seen.get()
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SIRET_OK: &str = "73282932000074";

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 7, 15)
    }

    /// A valid 13-character NIR whose order number is `n`.
    fn nir(n: usize) -> String {
        format!("1850375112{:03}", n)
    }

    /// The same NIR with its key (domain.md §6: 97 − number mod 97).
    fn with_key(nir13: &str) -> String {
        let number: u64 = nir13.parse().unwrap();
        format!("{nir13}{:02}", 97 - number % 97)
    }

    /// The cells of a valid line of `kind`, with `changes` applied by column name.
    fn line(kind: DeclarationKind, changes: &[(&str, &str)]) -> Vec<String> {
        let jdr = kind == DeclarationKind::Justificatif;
        columns::for_kind(kind)
            .iter()
            .map(|column| {
                if let Some((_, value)) = changes.iter().find(|(c, _)| c == column) {
                    return (*value).to_owned();
                }
                let value = match *column {
                    ID_DECLARATION => "DECL-1",
                    REFERENCE_DECLARATION => "SST-JUIN-2026",
                    ID_UNIQUE_PARTENAIRE => "L1",
                    TYPE_JDR => "CERTIFICAT",
                    NOM_JDR => "Certificat de sauveteur secouriste du travail",
                    MODE_OBTENTION => "PAR_ADMISSION",
                    PRESENCE_FORMATION => "OUI",
                    NOM_FORMATION => "Sauveteur secouriste du travail",
                    DATE_DEBUT_FORMATION => "01/06/2026",
                    DATE_FIN_FORMATION => "02/06/2026",
                    MODALITE_DISPENSE => "PRESENTIEL",
                    COMPETENCE_TRANSFERABLE => "115650/121885/400635",
                    QUALIFICATION_FORMATEUR => "PREVENTEUR",
                    FORMATION_CERTIFIANTE if jdr => "OUI",
                    FORMATION_CERTIFIANTE => "NON",
                    CERTIFICATION_VISEE if jdr => "RS5801",
                    DOMAINE_FORMATION if !jdr => "42829",
                    SPECIALITE_FORMATION if !jdr => "344r",
                    NIR => "1850375112001",
                    NOM_TITULAIRE => "DUPONT",
                    PRESENCE_EMPLOYEUR => "OUI",
                    SIRET_EMPLOYEUR => SIRET_OK,
                    REFERENCE_EMPLOYEUR => "MAT-0001",
                    DATE_DEBUT_VALIDITE => "02/06/2026",
                    DATE_FIN_VALIDITE => "02/06/2028",
                    RESULTAT_OBTENU => "Admis",
                    _ => "",
                };
                value.to_owned()
            })
            .collect()
    }

    fn adf(changes: &[(&str, &str)]) -> Vec<String> {
        line(DeclarationKind::Attestation, changes)
    }

    fn jdr(changes: &[(&str, &str)]) -> Vec<String> {
        line(DeclarationKind::Justificatif, changes)
    }

    /// One field as a spreadsheet writes it: quoted when it holds the separator, a quote or a
    /// line break; as is in the official `|` layout, which has no quoting.
    fn quoted(value: &str, separator: char) -> String {
        if separator != '|' && value.contains([separator, '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_owned()
        }
    }

    /// A file: the optional header (official names), then the lines.
    fn file(separator: char, header: Option<&[&str]>, lines: &[Vec<String>], end: &str) -> String {
        let mut out = String::new();
        if let Some(names) = header {
            out.push_str(&names.join(&separator.to_string()));
            out.push_str(end);
        }
        for cells in lines {
            let fields: Vec<String> = cells.iter().map(|c| quoted(c, separator)).collect();
            out.push_str(&fields.join(&separator.to_string()));
            out.push_str(end);
        }
        out
    }

    fn read_of(bytes: &[u8]) -> ImportFile {
        read(bytes, DeclarantKind::OrganismeFormation, today()).unwrap()
    }

    fn read_err(bytes: &[u8]) -> ReadError {
        read(bytes, DeclarantKind::OrganismeFormation, today()).unwrap_err()
    }

    /// (line, column) of every error.
    fn places(file: &ImportFile) -> Vec<(usize, Option<&str>)> {
        file.errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect()
    }

    #[test]
    fn official_adf_with_header() {
        let text = file('|', Some(&ADF), &[adf(&[])], "\r\n");
        let read = read_of(text.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(
            read.shape,
            Shape {
                kind: DeclarationKind::Attestation,
                separator: '|',
                header: true,
                encoding: Encoding::Utf8
            }
        );
        assert_eq!(read.declarations.len(), 1);
        let imported = &read.declarations[0];
        assert_eq!(imported.lines, vec![2]);
        let d = &imported.declaration;
        assert_eq!(d.kind, DeclarationKind::Attestation);
        assert_eq!(d.id_declaration, "DECL-1");
        assert_eq!(d.date_fin_formation, Some(day(2026, 6, 2)));
        assert_eq!(d.modalite_dispense, Some(Modalite::Presentiel));
        assert_eq!(d.competence_transferable, ["115650", "121885", "400635"]);
        assert_eq!(d.formation_certifiante, Some(false));
        assert_eq!(d.specialite_formation, ["344r"]);
        assert_eq!(d.titulaires.len(), 1);
        assert_eq!(d.titulaires[0].nir, "1850375112001");
        assert_eq!(d.titulaires[0].presence_employeur, Some(true));
        assert_eq!(d.titulaires[0].siret_employeur, SIRET_OK);
        assert_eq!(imported.idempotency_key.len(), 64);
        assert_eq!(read.titulaire_count(), 1);
        assert!(read.is_valid());
    }

    #[test]
    fn official_adf_without_header_reads_the_same() {
        let with = read_of(file('|', Some(&ADF), &[adf(&[])], "\r\n").as_bytes());
        let without = read_of(file('|', None, &[adf(&[])], "\n").as_bytes());
        assert!(!without.shape.header);
        assert_eq!(without.errors, vec![]);
        assert_eq!(without.declarations[0].lines, vec![1]);
        assert_eq!(
            without.declarations[0].declaration,
            with.declarations[0].declaration
        );
        assert_eq!(
            without.declarations[0].idempotency_key,
            with.declarations[0].idempotency_key
        );
    }

    #[test]
    fn official_jdr_with_and_without_header() {
        for header in [Some(&JDR[..]), None] {
            let text = file('|', header, &[jdr(&[])], "\r\n");
            let read = read_of(text.as_bytes());
            assert_eq!(read.errors, vec![], "{header:?}");
            assert_eq!(read.shape.kind, DeclarationKind::Justificatif);
            let d = &read.declarations[0].declaration;
            assert_eq!(d.type_jdr, Some(TypeJdr::Certificat));
            assert_eq!(d.mode_obtention, Some(ModeObtention::ParAdmission));
            assert_eq!(d.presence_formation, Some(true));
            assert_eq!(d.certification_visee, "RS5801");
            assert_eq!(d.resultat_obtenu, "Admis");
        }
    }

    #[test]
    fn a_trailing_separator_is_accepted() {
        let mut text = file('|', None, &[adf(&[])], "");
        text.push_str("|\n");
        let read = read_of(text.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.shape.kind, DeclarationKind::Attestation);
    }

    #[test]
    fn semicolon_spreadsheet_in_windows_1252() {
        let row = adf(&[
            (NOM_TITULAIRE, "LEFÈVRE"),
            (NOM_FORMATION, "Habilitation électrique; B0"),
        ]);
        let text = file(';', Some(&ADF), &[row], "\r\n");
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "really 1252");
        let read = read_of(&bytes);
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.shape.encoding, Encoding::Windows1252);
        assert_eq!(read.shape.separator, ';');
        let d = &read.declarations[0].declaration;
        assert_eq!(d.titulaires[0].nom_titulaire, "LEFÈVRE");
        assert_eq!(d.nom_formation, "Habilitation électrique; B0");
    }

    #[test]
    fn comma_spreadsheet_with_bom_quotes_and_columns_in_any_order() {
        let mut order: Vec<&str> = ADF.to_vec();
        order.reverse();
        let row = adf(&[
            (NOM_FORMATION, "Gestes, postures et \"PRAP\""),
            (NOM_TITULAIRE, "N'GUYEN"),
        ]);
        let reordered: Vec<String> = order
            .iter()
            .map(|c| row[ADF.iter().position(|o| o == c).unwrap()].clone())
            .collect();
        let text = format!("\u{feff}{}", file(',', Some(&order), &[reordered], "\r\n"));
        let read = read_of(text.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.shape.encoding, Encoding::Utf8Bom);
        assert_eq!(read.shape.separator, ',');
        let d = &read.declarations[0].declaration;
        assert_eq!(d.nom_formation, "Gestes, postures et \"PRAP\"");
        assert_eq!(d.titulaires[0].nom_titulaire, "N'GUYEN");
        assert_eq!(d.id_declaration, "DECL-1");
    }

    #[test]
    fn header_names_are_read_in_any_case_and_tabs_work() {
        let names: Vec<String> = ADF
            .iter()
            .map(|c| format!(" {} ", c.to_lowercase()))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let read = read_of(file('\t', Some(&names), &[adf(&[])], "\n").as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.shape.separator, '\t');
    }

    #[test]
    fn excel_sep_line_forces_the_separator_and_counts_as_a_line() {
        let text = format!(
            "sep=;\r\n{}",
            file(';', Some(&ADF), &[adf(&[("NIR", "bad")])], "\r\n")
        );
        let read = read_of(text.as_bytes());
        assert_eq!(read.shape.separator, ';');
        assert_eq!(places(&read), vec![(3, Some(NIR))]);
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_line_breaks() {
        let rows = [
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L1"),
                (REFERENCE_EMPLOYEUR, "deux\nlignes"),
            ]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, &nir(2)),
                (NOM_TITULAIRE, ""),
            ]),
        ];
        let mut text = file(';', Some(&ADF), &rows[..1], "\r\n");
        text.push_str("\r\n;;;;\r\n");
        text.push_str(&file(';', None, &rows[1..], "\r\n"));
        let read = read_of(text.as_bytes());
        // Header 1, first row 2–3, blank 4, separators only 5, second row 6.
        assert_eq!(read.declarations[0].lines, vec![2, 6]);
        assert_eq!(
            places(&read),
            vec![(2, Some(REFERENCE_EMPLOYEUR)), (6, Some(NOM_TITULAIRE))]
        );
        assert_eq!(
            read.errors[1].message,
            "Le champ « nom de naissance du titulaire » est obligatoire."
        );
    }

    #[test]
    fn dates_in_both_formats_agree_and_bad_dates_are_located() {
        let iso = read_of(
            file(
                '|',
                None,
                &[adf(&[
                    (DATE_DEBUT_FORMATION, "2026-06-01"),
                    (DATE_FIN_FORMATION, "2026-6-2"),
                ])],
                "\n",
            )
            .as_bytes(),
        );
        let french = read_of(file('|', None, &[adf(&[])], "\n").as_bytes());
        assert_eq!(iso.errors, vec![]);
        assert_eq!(
            iso.declarations[0].declaration,
            french.declarations[0].declaration
        );
        assert_eq!(
            iso.declarations[0].idempotency_key,
            french.declarations[0].idempotency_key
        );

        for bad in [
            "31/02/2026",
            "1/6/26",
            "2026/06/01",
            "01-06-2026",
            "01/06/2026 08:00",
            "1er juin",
            "01/13/2026",
        ] {
            let read =
                read_of(file('|', None, &[adf(&[(DATE_DEBUT_FORMATION, bad)])], "\n").as_bytes());
            assert_eq!(
                places(&read),
                vec![(1, Some(DATE_DEBUT_FORMATION))],
                "{bad}"
            );
            let expected = if ["31/02/2026", "01/13/2026"].contains(&bad) {
                // Well written, no such day: the form's words (UX review 2026-12, finding 25).
                format!("La date de début de formation « {bad} » n'existe pas dans le calendrier.")
            } else {
                format!(
                    "La date de début de formation « {bad} » n'est pas une date valide : écrivez-la \
                     jj/mm/aaaa (ou aaaa-mm-jj)."
                )
            };
            assert_eq!(read.errors[0].message, expected);
        }
    }

    #[test]
    fn nir_with_key_and_spaces_is_checked_and_kept_in_13_characters() {
        let spaced = with_key(&nir(7))
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                if [1, 3, 5, 7, 10, 13].contains(&i) {
                    vec![' ', c]
                } else {
                    vec![c]
                }
            })
            .collect::<String>();
        let read = read_of(file(';', Some(&ADF), &[adf(&[(NIR, &spaced)])], "\r\n").as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.declarations[0].declaration.titulaires[0].nir, nir(7));
        let plain = read_of(file(';', Some(&ADF), &[adf(&[(NIR, &nir(7))])], "\r\n").as_bytes());
        assert_eq!(
            read.declarations[0].idempotency_key,
            plain.declarations[0].idempotency_key
        );

        let mut wrong_key = with_key(&nir(7));
        let last = if wrong_key.ends_with('0') { "1" } else { "0" };
        wrong_key.replace_range(14..15, last);
        let read = read_of(file(';', Some(&ADF), &[adf(&[(NIR, &wrong_key)])], "\r\n").as_bytes());
        assert_eq!(places(&read), vec![(2, Some(NIR))]);
        assert!(
            read.errors[0].message.contains("clé"),
            "{}",
            read.errors[0].message
        );
        assert!(
            !read.errors[0].message.contains(&nir(7)),
            "never repeats the NIR"
        );
    }

    #[test]
    fn rows_sharing_an_id_form_one_declaration() {
        let rows = [
            adf(&[(ID_UNIQUE_PARTENAIRE, "A1")]),
            adf(&[
                (ID_DECLARATION, "DECL-2"),
                (ID_UNIQUE_PARTENAIRE, "B1"),
                (NIR, &nir(5)),
            ]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "A2"),
                (NIR, &nir(2)),
                (NOM_TITULAIRE, "MARTIN"),
                (PRESENCE_EMPLOYEUR, "non"),
                (SIRET_EMPLOYEUR, ""),
                (REFERENCE_EMPLOYEUR, ""),
            ]),
        ];
        let read = read_of(file('|', Some(&ADF), &rows, "\r\n").as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.declarations.len(), 2);
        assert_eq!(read.titulaire_count(), 3);
        let first = &read.declarations[0];
        assert_eq!(first.lines, vec![2, 4]);
        assert_eq!(first.declaration.titulaires[1].nom_titulaire, "MARTIN");
        assert_eq!(
            first.declaration.titulaires[1].presence_employeur,
            Some(false)
        );
        assert_eq!(read.declarations[1].lines, vec![3]);
        assert_ne!(first.idempotency_key, read.declarations[1].idempotency_key);
    }

    #[test]
    fn rows_of_one_declaration_must_agree_on_the_training() {
        let rows = [
            adf(&[]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, &nir(2)),
                (NOM_FORMATION, "Autre titre"),
                (DATE_FIN_VALIDITE, "2028-06-02"),
            ]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L3"),
                (NIR, &nir(3)),
                (DATE_DEBUT_FORMATION, "32/05/2026"),
                (MODALITE_DISPENSE, ""),
            ]),
        ];
        let read = read_of(file('|', Some(&ADF), &rows, "\r\n").as_bytes());
        assert_eq!(
            places(&read),
            vec![
                (3, Some(NOM_FORMATION)),
                (4, Some(DATE_DEBUT_FORMATION)),
                (4, Some(MODALITE_DISPENSE)),
            ]
        );
        assert_eq!(
            read.errors[0].message,
            "Valeur « Autre titre » différente de celle de la ligne 2 (« Sauveteur secouriste du \
             travail ») : toutes les lignes de la déclaration « DECL-1 » doivent porter les mêmes \
             données de formation."
        );
        assert!(
            read.errors[1]
                .message
                .contains("« 32/05/2026 » n'existe pas dans le calendrier")
        );
        assert!(
            read.errors[2]
                .message
                .starts_with("Valeur vide différente de celle de la ligne 2 (« PRESENTIEL »)")
        );
    }

    #[test]
    fn validation_errors_land_on_the_titulaire_line() {
        let rows = [
            adf(&[]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, &nir(2)),
                (SIRET_EMPLOYEUR, "12345678912345"),
            ]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L3"),
                (NIR, &nir(3)),
                (NOM_TITULAIRE, &"X".repeat(31)),
            ]),
        ];
        let read = read_of(file('|', Some(&ADF), &rows, "\r\n").as_bytes());
        assert_eq!(
            places(&read),
            vec![(3, Some(SIRET_EMPLOYEUR)), (4, Some(NOM_TITULAIRE))]
        );
        assert_eq!(
            read.errors[1].message,
            "Le champ « nom de naissance du titulaire » dépasse 30 caractères (31 saisis)."
        );
    }

    #[test]
    fn declaration_level_problems_land_on_the_first_line() {
        let rows = [
            adf(&[
                (DATE_DEBUT_VALIDITE, "01/05/2026"),
                (COMPETENCE_TRANSFERABLE, "115650"),
            ]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, &nir(2)),
                (DATE_DEBUT_VALIDITE, "01/05/2026"),
                (COMPETENCE_TRANSFERABLE, "115650"),
            ]),
        ];
        let read = read_of(file('|', None, &rows, "\n").as_bytes());
        assert_eq!(
            places(&read),
            vec![
                (1, Some(COMPETENCE_TRANSFERABLE)),
                (1, Some(DATE_DEBUT_VALIDITE))
            ]
        );
    }

    #[test]
    fn an_unreadable_value_is_reported_once() {
        let read = read_of(
            file(
                '|',
                None,
                &[adf(&[
                    (FORMATION_CERTIFIANTE, "peut-être"),
                    (MODALITE_DISPENSE, "sur site"),
                ])],
                "\n",
            )
            .as_bytes(),
        );
        assert_eq!(
            read.errors,
            vec![
                LineError::new(
                    1,
                    Some(MODALITE_DISPENSE),
                    "Le champ « modalité de dispense » vaut « sur site » : valeurs possibles \
                     PRESENTIEL, A_DISTANCE, MIXTE."
                ),
                LineError::new(
                    1,
                    Some(FORMATION_CERTIFIANTE),
                    "Le champ « formation certifiante » vaut « peut-être » : OUI ou NON attendu."
                ),
            ]
        );
    }

    #[test]
    fn tokens_are_read_in_any_case() {
        let read = read_of(
            file(
                '|',
                None,
                &[adf(&[
                    (MODALITE_DISPENSE, "a_distance"),
                    (FORMATION_CERTIFIANTE, "Non"),
                    (QUALIFICATION_FORMATEUR, "ingenieur"),
                ])],
                "\n",
            )
            .as_bytes(),
        );
        assert_eq!(read.errors, vec![]);
        let d = &read.declarations[0].declaration;
        assert_eq!(d.modalite_dispense, Some(Modalite::ADistance));
        assert_eq!(
            d.qualification_formateur,
            Some(QualificationFormateur::Ingenieur)
        );
    }

    #[test]
    fn a_partner_id_is_unique_in_the_whole_file() {
        let rows = [
            adf(&[]),
            adf(&[(ID_DECLARATION, "DECL-2"), (NIR, &nir(2))]),
            adf(&[(ID_UNIQUE_PARTENAIRE, "L1"), (NIR, &nir(3))]),
        ];
        let read = read_of(file('|', None, &rows, "\n").as_bytes());
        assert_eq!(
            places(&read),
            vec![
                (2, Some(ID_UNIQUE_PARTENAIRE)),
                (3, Some(ID_UNIQUE_PARTENAIRE))
            ]
        );
        assert!(read.errors[0].message.contains("figure déjà ligne 1"));
        assert!(read.errors[1].message.contains("figure déjà ligne 1"));
    }

    #[test]
    fn a_line_with_the_wrong_number_of_columns_is_reported_and_left_out() {
        let mut short = adf(&[(ID_UNIQUE_PARTENAIRE, "L2"), (NIR, &nir(2))]);
        short.truncate(19);
        let mut long = adf(&[(ID_UNIQUE_PARTENAIRE, "L3"), (NIR, &nir(3))]);
        long.push("en trop".into());
        let read = read_of(file('|', Some(&ADF), &[adf(&[]), short, long], "\n").as_bytes());
        assert_eq!(places(&read), vec![(3, None), (4, None)]);
        assert_eq!(
            read.errors[0].message,
            "La ligne compte 19 colonnes alors que l'en-tête en annonce 20 : une valeur \
             contient-elle le séparateur « | » ?"
        );
        assert_eq!(read.titulaire_count(), 1);
    }

    #[test]
    fn errors_are_sorted_by_line_then_column_order() {
        let rows = [
            adf(&[(NOM_TITULAIRE, ""), (REFERENCE_DECLARATION, "")]),
            adf(&[
                (ID_DECLARATION, "D2"),
                (ID_UNIQUE_PARTENAIRE, "X"),
                (SIRET_EMPLOYEUR, "1"),
                (NIR, ""),
            ]),
        ];
        let read = read_of(file('|', None, &rows, "\n").as_bytes());
        assert_eq!(
            places(&read),
            vec![
                (1, Some(REFERENCE_DECLARATION)),
                (1, Some(NOM_TITULAIRE)),
                (2, Some(NIR)),
                (2, Some(SIRET_EMPLOYEUR)),
            ]
        );
    }

    #[test]
    fn an_employer_may_leave_the_codes_empty() {
        let row = adf(&[
            (COMPETENCE_TRANSFERABLE, ""),
            (DOMAINE_FORMATION, ""),
            (SPECIALITE_FORMATION, ""),
        ]);
        let text = file('|', None, &[row], "\n");
        let by_employer = read(text.as_bytes(), DeclarantKind::Employeur, today()).unwrap();
        assert_eq!(by_employer.errors, vec![]);
        let by_of = read_of(text.as_bytes());
        assert_eq!(by_of.errors.len(), 3);
    }

    #[test]
    fn future_training_dates_follow_today() {
        let text = file('|', None, &[adf(&[])], "\n");
        let early = read(
            text.as_bytes(),
            DeclarantKind::OrganismeFormation,
            day(2026, 6, 1),
        )
        .unwrap();
        assert_eq!(places(&early), vec![(1, Some(DATE_FIN_FORMATION))]);
    }

    #[test]
    fn keys_follow_the_data_and_the_declaration_id() {
        let key = |rows: &[Vec<String>]| {
            let read = read_of(file('|', None, rows, "\n").as_bytes());
            read.declarations[0].idempotency_key.clone()
        };
        let base = key(&[adf(&[])]);
        assert_eq!(base, key(&[adf(&[])]));
        assert_ne!(base, key(&[adf(&[(ID_DECLARATION, "DECL-9")])]));
        assert_ne!(base, key(&[adf(&[(REFERENCE_EMPLOYEUR, "MAT-0002")])]));
        assert_ne!(
            base,
            key(&[
                adf(&[]),
                adf(&[(ID_UNIQUE_PARTENAIRE, "L2"), (NIR, &nir(2))])
            ])
        );
        assert!(base.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn unreadable_files_say_why() {
        assert_eq!(read_err(b""), ReadError::Empty);
        assert_eq!(read_err(b"\xEF\xBB\xBF \r\n\r\n"), ReadError::Empty);
        assert_eq!(read_err(b"\xFF\xFEI\0D\0"), ReadError::Utf16);
        assert_eq!(
            read_err(b"PK\x03\x04\x14\0\0\0xl/workbook.xml"),
            ReadError::Workbook {
                format: "Excel (.xlsx)"
            }
        );
        assert_eq!(
            read_err(b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet"),
            ReadError::Workbook {
                format: "OpenDocument (.ods)"
            }
        );
        assert_eq!(
            read_err(b"\xD0\xCF\x11\xE0\xA1\xB1"),
            ReadError::Workbook {
                format: "Excel 97-2003 (.xls)"
            }
        );
        assert_eq!(read_err(b"a|b\nc\0d"), ReadError::Binary { line: 2 });
        assert_eq!(
            read_err(b"nom;prenom;date\nDUPONT;Jean;01/06/2026\n"),
            ReadError::UnknownLayout {
                columns: 3,
                separator: "« ; »".into()
            }
        );
        assert_eq!(read_err(ADF.join("|").as_bytes()), ReadError::NoRows);
        let missing: Vec<&str> = ADF
            .iter()
            .filter(|c| **c != NIR && **c != NOM_TITULAIRE)
            .copied()
            .collect();
        assert_eq!(
            read_err(file(';', Some(&missing), &[], "\n").as_bytes()),
            ReadError::MissingColumns {
                layout: "ADF",
                missing: "NIR, NOM_TITULAIRE".into()
            }
        );
        let mut unknown = ADF.to_vec();
        unknown.push("COMMENTAIRE");
        assert_eq!(
            read_err(file(';', Some(&unknown), &[], "\n").as_bytes()),
            ReadError::UnknownColumns {
                unknown: "COMMENTAIRE".into()
            }
        );
        let mut twice = ADF.to_vec();
        twice.push(NIR);
        assert_eq!(
            read_err(file(';', Some(&twice), &[], "\n").as_bytes()),
            ReadError::DuplicateColumn { column: NIR.into() }
        );
        let jdr_header: Vec<&str> = JDR.iter().filter(|c| **c != LIEN_PREUVE).copied().collect();
        assert_eq!(
            read_err(file('|', Some(&jdr_header), &[], "\n").as_bytes()),
            ReadError::MissingColumns {
                layout: "JDR",
                missing: LIEN_PREUVE.into()
            }
        );
        assert_eq!(
            read_err(b"ID_DECLARATION;NIR\n\"abc\"def\"\n"),
            ReadError::MissingColumns {
                layout: "ADF",
                missing: ADF
                    .iter()
                    .filter(|c| **c != ID_DECLARATION && **c != NIR)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }

    #[test]
    fn messages_are_french_and_shape_is_described() {
        assert_eq!(
            ReadError::UnknownLayout {
                columns: 3,
                separator: "« ; »".into()
            }
            .to_string(),
            "disposition inconnue : la première ligne compte 3 colonne(s) séparées par « ; », \
             alors qu'un fichier ADF en compte 20 et un fichier JDR 29 ; sinon, la première ligne \
             doit nommer les colonnes officielles (ID_DECLARATION, NIR…)"
        );
        let shape = Shape {
            kind: DeclarationKind::Justificatif,
            separator: '\t',
            header: false,
            encoding: Encoding::Windows1252,
        };
        assert_eq!(
            shape.to_string(),
            "fichier JDR (justificatifs de réussite), séparateur tabulation, Windows-1252, sans \
             ligne d'en-tête"
        );
        assert_eq!(
            LineError::new(4, Some(NIR), "Clé fausse.").to_string(),
            "ligne 4, colonne NIR : Clé fausse."
        );
        assert_eq!(
            LineError::new(4, None, "Trop court.").to_string(),
            "ligne 4 : Trop court."
        );
        let long = "x".repeat(100);
        assert_eq!(shown(&long).chars().count(), SHOWN_CHARS);
        assert_eq!(shown("a\u{1b}[2J\u{202E}b"), "a\u{FFFD}[2J\u{FFFD}b");
    }

    #[test]
    fn server_field_errors_are_located_like_local_ones() {
        let rows = [
            adf(&[]),
            adf(&[(ID_UNIQUE_PARTENAIRE, "L2"), (NIR, &nir(2))]),
        ];
        let read = read_of(file('|', Some(&ADF), &rows, "\n").as_bytes());
        let imported = &read.declarations[0];
        let at = |field: &str| {
            let located = imported.locate(&FieldError::new(field, "x", "Message."));
            (located.line, located.column)
        };
        assert_eq!(at("titulaires[1].NIR"), (3, Some(NIR.to_owned())));
        assert_eq!(
            at("titulaires[0].NOM_TITULAIRE"),
            (2, Some(NOM_TITULAIRE.to_owned()))
        );
        assert_eq!(at("NOM_FORMATION"), (2, Some(NOM_FORMATION.to_owned())));
        assert_eq!(at("titulaires"), (2, Some(ID_DECLARATION.to_owned())));
        assert_eq!(at("declaration"), (2, None));
        assert_eq!(at("titulaires[9].NIR"), (2, Some(NIR.to_owned())));
    }

    proptest! {
        #[test]
        fn every_way_of_writing_a_file_reads_the_same(
            separator in prop::sample::select(vec!['|', ';', ',', '\t']),
            header in any::<bool>(),
            crlf in any::<bool>(),
            bom in any::<bool>(),
            latin1 in any::<bool>(),
            iso_dates in any::<bool>(),
            spaced_nir in any::<bool>(),
            names in prop::collection::vec("[A-ZÉÈ][A-Zéè' ,;-]{0,20}[A-Z]", 1..6),
            title in "[A-Za-zéèàç0-9][A-Za-zéèàç0-9 ,;'\"-]{0,39}",
        ) {
            let rows: Vec<Vec<String>> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let partner = format!("L{i}");
                    let nir13 = nir(i + 1);
                    let nir_cell = if spaced_nir { format!("{} {}", &with_key(&nir13)[..5], &with_key(&nir13)[5..]) } else { nir13 };
                    let (start, end) = if iso_dates { ("2026-06-01", "2026-06-02") } else { ("01/06/2026", "02/06/2026") };
                    adf(&[
                        (ID_UNIQUE_PARTENAIRE, &partner),
                        (NIR, &nir_cell),
                        (NOM_TITULAIRE, name),
                        (NOM_FORMATION, &title),
                        (DATE_DEBUT_FORMATION, start),
                        (DATE_FIN_FORMATION, end),
                    ])
                })
                .collect();
            // A headerless file is the official pipe layout, without quoting.
            let separator = if header { separator } else { '|' };
            let text = file(separator, header.then_some(&ADF[..]), &rows, if crlf { "\r\n" } else { "\n" });
            let mut bytes = if latin1 {
                encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
            } else {
                text.into_bytes()
            };
            if bom && !latin1 {
                bytes.splice(0..0, *b"\xEF\xBB\xBF");
            }
            let read = read_of(&bytes);
            let canonical = file('|', None, &rows.iter().map(|r| {
                let mut r = r.clone();
                let at = |c: &str| ADF.iter().position(|o| *o == c).unwrap();
                r[at(NIR)] = r[at(NIR)].replace(' ', "")[..13].to_owned();
                r[at(DATE_DEBUT_FORMATION)] = "01/06/2026".into();
                r[at(DATE_FIN_FORMATION)] = "02/06/2026".into();
                r
            }).collect::<Vec<_>>(), "\n");
            let expected = read_of(canonical.as_bytes());
            prop_assert_eq!(&read.errors, &vec![]);
            prop_assert_eq!(read.shape.separator, separator);
            prop_assert_eq!(read.shape.header, header);
            prop_assert_eq!(read.declarations.len(), 1);
            let first_line = 1 + usize::from(header);
            prop_assert_eq!(read.declarations[0].lines.clone(), (first_line..first_line + names.len()).collect::<Vec<_>>());
            prop_assert_eq!(&read.declarations[0].declaration, &expected.declarations[0].declaration);
            prop_assert_eq!(&read.declarations[0].idempotency_key, &expected.declarations[0].idempotency_key);
        }
    }

    /// Regression (tests/fuzz_props.rs): a value the writer writes as is, starting with `"`, is
    /// read back as is from an official `|` file instead of opening a quoted field that swallows
    /// the following lines.
    #[test]
    fn a_quote_in_an_official_file_is_an_ordinary_character() {
        let rows = [
            adf(&[(NOM_FORMATION, "\"PRAP\" niveau 1")]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, "1850375112002"),
                (NOM_FORMATION, "\"PRAP\" niveau 1"),
            ]),
        ];
        let text = file('|', Some(&ADF), &rows, "\r\n");
        assert!(text.contains("|\"PRAP\" niveau 1|"), "written as is");
        let read = read_of(text.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.declarations.len(), 1);
        assert_eq!(read.declarations[0].lines, vec![2, 3]);
        assert_eq!(
            read.declarations[0].declaration.nom_formation,
            "\"PRAP\" niveau 1"
        );
        // A spreadsheet export still has quoted fields.
        let quoted = file(';', Some(&ADF), &rows, "\r\n");
        let read = read_of(quoted.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(
            read.declarations[0].declaration.nom_formation,
            "\"PRAP\" niveau 1"
        );
    }

    /// Regression (fuzz/corpus/bulk_read): a value holding the separator shifts the columns of
    /// its line; when the last column is empty the extra field is empty too, and the line must
    /// still be reported as one column too many, not as every value in the wrong column.
    #[test]
    fn a_separator_in_a_value_is_one_column_too_many_even_before_an_empty_last_column() {
        let official = [
            adf(&[(DATE_FIN_VALIDITE, "")]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L2"),
                (NIR, "1850375112002"),
                (DATE_FIN_VALIDITE, ""),
            ]),
        ];
        for header in [true, false] {
            let text = file('|', header.then_some(&ADF[..]), &official, "\r\n").replacen(
                "Sauveteur secouriste",
                "Sauveteur | secouriste",
                1,
            );
            let read = read_of(text.as_bytes());
            let first = 1 + usize::from(header);
            assert_eq!(places(&read), vec![(first, None)], "header {header}");
            assert!(read.errors[0].message.contains("compte 21 colonnes"));
            assert!(read.errors[0].message.contains(" 20 "));
        }
        // A spreadsheet padding every line, header included, with empty columns is still read.
        let mut padded = file(';', Some(&ADF), &official, "\n").replace('\n', ";;\n");
        padded.push('\n');
        let read = read_of(padded.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.declarations[0].lines, vec![2, 3]);
        // So is a headerless file whose every line ends with a separator.
        let trailing = file('|', None, &official, "|\n");
        let read = read_of(trailing.as_bytes());
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.declarations[0].lines, vec![1, 2]);
    }

    /// Regression (tests/fuzz_props.rs): with old Mac line ends (CR alone), each line keeps its
    /// own number, the `sep=` line included, instead of every problem being « ligne 1 ».
    #[test]
    fn lines_ending_with_cr_alone_are_numbered() {
        let rows = [
            adf(&[]),
            adf(&[(ID_UNIQUE_PARTENAIRE, "L2"), (NIR, "1850375112002")]),
            adf(&[
                (ID_UNIQUE_PARTENAIRE, "L3"),
                (NIR, "1850375112003"),
                (DATE_FIN_VALIDITE, "31/02/2028"),
            ]),
        ];
        let text = file('|', Some(&ADF), &rows, "\r");
        let read = read_of(text.as_bytes());
        assert_eq!(read.declarations[0].lines, vec![2, 3, 4]);
        assert_eq!(places(&read), vec![(4, Some(DATE_FIN_VALIDITE))]);
        let text = format!("sep=;\r{}", file(';', Some(&ADF), &rows, "\r"));
        let read = read_of(text.as_bytes());
        assert_eq!(read.shape.separator, ';');
        assert_eq!(read.declarations[0].lines, vec![3, 4, 5]);
        assert_eq!(places(&read), vec![(5, Some(DATE_FIN_VALIDITE))]);
        let mut binary = file('|', Some(&ADF), &rows, "\r").into_bytes();
        binary.extend_from_slice(b"\0");
        assert_eq!(read_err(&binary), ReadError::Binary { line: 5 });
    }

    #[test]
    fn every_bounded_column_is_refused_past_its_official_length() {
        use crate::domain::declaration::limits::{LIMITS, Measure};
        let dates = [
            DATE_DEBUT_FORMATION,
            DATE_FIN_FORMATION,
            DATE_DEBUT_VALIDITE,
            DATE_FIN_VALIDITE,
        ];
        let mut checked = 0;
        for limit in LIMITS
            .iter()
            .filter(|l| l.measure == Measure::Text && !dates.contains(&l.column))
        {
            let value = if limit.column == LIEN_PREUVE {
                format!("https://{}", "a".repeat(limit.max - 7))
            } else {
                "x".repeat(limit.max + 1)
            };
            let row = jdr(&[(limit.column, value.as_str())]);
            let read = read_of(file('|', Some(&JDR), &[row], "\n").as_bytes());
            let error = read
                .errors
                .iter()
                .find(|e| e.column.as_deref() == Some(limit.column))
                .unwrap_or_else(|| panic!("{}: {:?}", limit.column, read.errors));
            assert_eq!(error.line, 2, "{}", limit.column);
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("ligne 2, colonne {} : Le champ « ", limit.column))
                    && error.message.contains(&format!(
                        "dépasse {} caractères ({} saisis)",
                        limit.max,
                        limit.max + 1
                    )),
                "{error}"
            );
            checked += 1;
        }
        assert_eq!(checked, 12, "every free-text column of the JDR layout");
    }

    #[test]
    fn choices_are_read_whatever_their_case_and_accents() {
        for (written, expected) in [
            ("présentiel", Modalite::Presentiel),
            ("Présentiel", Modalite::Presentiel),
            ("PRESENTIEL", Modalite::Presentiel),
            ("à distance", Modalite::ADistance),
            ("A_DISTANCE", Modalite::ADistance),
            ("Mixte", Modalite::Mixte),
        ] {
            let read = read_of(
                file(
                    '|',
                    Some(&ADF),
                    &[adf(&[(MODALITE_DISPENSE, written)])],
                    "\n",
                )
                .as_bytes(),
            );
            assert!(read.errors.is_empty(), "{written}: {:?}", read.errors);
            assert_eq!(
                read.declarations[0].declaration.modalite_dispense,
                Some(expected),
                "{written}"
            );
        }
        let read = read_of(
            file(
                '|',
                Some(&ADF),
                &[adf(&[(MODALITE_DISPENSE, "visio")])],
                "\n",
            )
            .as_bytes(),
        );
        assert_eq!(places(&read), vec![(2, Some(MODALITE_DISPENSE))]);
    }
}
