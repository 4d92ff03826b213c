//! Whether an official ADF or JDR file is ready for the platform (domain.md §8), checked as it
//! streams: one line at a time, so that a file at the platform's 200 MB limit is checked in
//! bounded memory (issue 15 §8), where [`super::read`] holds a whole file to import it.
//!
//! The rules are the reader's, line for line (same messages, same places): each value, each
//! declaration checked by `Declaration::validate`, the lines of one `ID_DECLARATION` carrying the
//! same training data, at most 500 titulaires per declaration, a NIR once per declaration and an
//! `ID_UNIQUE_PARTENAIRE` once per file. Stricter than the reader where the guides are: the file
//! must be UTF-8, start with the official header line, columns in the guide's order, separated by
//! `|`. What the guides do not state (CRLF line ends, no byte order mark, domain.md §8) is a
//! warning marked as an assumption.
//!
//! Memory: the file is never held; per declaration a few numbers (its first line and where it
//! starts in the file, its count, a fingerprint of its training data), and per titulaire two
//! hashes (`ID_UNIQUE_PARTENAIRE`, NIR). A line whose training data differ from its
//! declaration's first line is compared column by column with that line, read again from the
//! file (hence `Seek`).

use std::collections::HashMap;
use std::collections::hash_map::{DefaultHasher, Entry};
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, Seek, SeekFrom};

use chrono::NaiveDate;
use serde::Serialize;
use thiserror::Error;

use super::read::{
    ImportedDeclaration, LineError, ReadError, Row, TITULAIRE_COLUMNS, disagreement, parse_row,
    shown, width_message,
};
use super::{Layout, SEPARATOR, parts::MAX_FILE_BYTES};
use crate::domain::declaration::columns::{self, ID_DECLARATION, ID_UNIQUE_PARTENAIRE, NIR};
use crate::domain::declaration::{repeated_nir_message, titulaire_count_message};
use crate::domain::ids::Nir;
use crate::domain::{DeclarantKind, DeclarationKind};

/// Errors kept in a report; past them, only counted.
pub const MAX_KEPT_ERRORS: usize = 1_000;
/// Longest line read: an official line holds a few KiB at most, so a longer one is not a line of
/// such a file (a file with no line break at all, say).
const MAX_LINE_BYTES: usize = 1 << 20;
/// Most titulaires of one declaration (domain.md §8).
const MAX_TITULAIRES: u32 = 500;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conformity {
    /// Attestations (ADF) or justificatifs (JDR), once the header line is read.
    pub kind: Option<DeclarationKind>,
    /// Size of the file.
    pub bytes: u64,
    /// Declarations (distinct `ID_DECLARATION`, a line without one counting alone).
    pub declarations: usize,
    /// Titulaire lines.
    pub titulaires: usize,
    /// Problems of the file as a whole (its size), in French.
    pub file_errors: Vec<String>,
    /// Problems by line and column, sorted; the first [`MAX_KEPT_ERRORS`].
    pub errors: Vec<LineError>,
    /// Problems found beyond those kept.
    pub more_errors: usize,
    /// What is unusual but not known to be refused (assumptions, to confirm).
    pub warnings: Vec<LineError>,
}

impl Conformity {
    /// Whether no problem was found.
    pub fn is_conform(&self) -> bool {
        self.file_errors.is_empty() && self.errors.is_empty() && self.more_errors == 0
    }

    /// Problems in all.
    pub fn error_count(&self) -> usize {
        self.file_errors.len() + self.errors.len() + self.more_errors
    }
}

/// A file that cannot be checked at all.
#[derive(Debug, Error)]
pub enum CheckError {
    /// Not a text file, or not one of declarations (the reader's own refusals).
    #[error("{0}")]
    Read(#[from] ReadError),
    /// A line longer than any line of an official file.
    #[error(
        "ligne {line} : plus de {} Mio sans fin de ligne : ce n'est pas un fichier officiel",
        MAX_LINE_BYTES >> 20
    )]
    LineTooLong {
        /// The line.
        line: usize,
    },
    /// The file could not be read.
    #[error("lecture impossible : {0}")]
    Io(#[from] io::Error),
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Crlf,
    Lf,
    Cr,
    /// The last line, with no line break after it.
    None,
}

/// The lines of a stream: LF, CRLF or CR alone each end one (as the reader counts them).
struct Lines<R> {
    reader: R,
    /// Offset of the next byte to read.
    offset: u64,
    /// The line just read, without its line break.
    buffer: Vec<u8>,
    /// Lines read.
    number: usize,
}

impl<R: BufRead + Seek> Lines<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            offset: 0,
            buffer: Vec::new(),
            number: 0,
        }
    }

    /// Reads the next line into `buffer`: its start offset and ending, `None` at the end.
    fn next(&mut self) -> Result<Option<(u64, Ending)>, CheckError> {
        self.buffer.clear();
        let start = self.offset;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                if self.offset == start {
                    return Ok(None);
                }
                self.number += 1;
                return Ok(Some((start, Ending::None)));
            }
            match available.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(at) => {
                    let cr = available[at] == b'\r';
                    self.buffer.extend_from_slice(&available[..at]);
                    self.consume(at + 1);
                    let ending = if !cr {
                        Ending::Lf
                    } else if self.reader.fill_buf()?.first() == Some(&b'\n') {
                        self.consume(1);
                        Ending::Crlf
                    } else {
                        Ending::Cr
                    };
                    self.number += 1;
                    return Ok(Some((start, ending)));
                }
                None => {
                    let length = available.len();
                    self.buffer.extend_from_slice(available);
                    self.consume(length);
                    if self.buffer.len() > MAX_LINE_BYTES {
                        return Err(CheckError::LineTooLong {
                            line: self.number + 1,
                        });
                    }
                }
            }
        }
    }

    fn consume(&mut self, count: usize) {
        self.reader.consume(count);
        self.offset += count as u64;
    }

    /// The line starting at `offset`, read again, the stream left where it was.
    fn reread(&mut self, offset: u64) -> Result<Vec<u8>, CheckError> {
        let back = self.offset;
        self.reader.seek(SeekFrom::Start(offset))?;
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line)?;
        self.reader.seek(SeekFrom::Start(back))?;
        let end = line
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(line.len());
        line.truncate(end);
        Ok(line)
    }
}

/// 128 bits of SipHash: two hashers told apart by a first byte (no collision is plausible
/// among the lines of one file).
fn hash128(parts: &[&str]) -> u128 {
    let half = |seed: u8| {
        let mut hasher = DefaultHasher::new();
        seed.hash(&mut hasher);
        for part in parts {
            part.hash(&mut hasher);
        }
        hasher.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// What is remembered of one declaration (48 bytes).
struct Group {
    /// Its rank among the declarations, for the NIRs remembered per declaration.
    index: u32,
    /// Line and offset of its first line.
    first_line: u32,
    first_offset: u64,
    /// Its titulaires so far.
    count: u32,
    /// Hash of its first titulaire's NIR (0: none that reads), put in the NIR map only once a
    /// second titulaire comes, so that a declaration of one costs no entry there.
    first_nir: u64,
    /// Hash of its first line's training data.
    fingerprint: u128,
}

/// The state of a check in progress.
struct Check {
    kind: DeclarationKind,
    declarant: DeclarantKind,
    today: NaiveDate,
    groups: HashMap<u128, Group>,
    /// `ID_UNIQUE_PARTENAIRE` hash → first line.
    partners: HashMap<u128, usize>,
    /// (declaration, NIR hash) → rank of the titulaire holding it first, for declarations of
    /// two titulaires or more.
    nirs: HashMap<(u32, u64), u32>,
    declarations: usize,
    titulaires: usize,
    errors: Vec<LineError>,
    more_errors: usize,
}

/// Checks an official file read from `reader` for `declarant` on `today` (training dates may not
/// be after it).
pub fn check<R: BufRead + Seek>(
    reader: R,
    declarant: DeclarantKind,
    today: NaiveDate,
) -> Result<Conformity, CheckError> {
    let mut lines = Lines::new(reader);
    let mut warnings = Vec::new();
    let Some((_, ending)) = lines.next()? else {
        return Err(ReadError::Empty.into());
    };
    refuse_other_formats(&lines.buffer)?;
    let mut header = lines.buffer.as_slice();
    if let Some(rest) = header.strip_prefix(b"\xEF\xBB\xBF") {
        header = rest;
        warnings.push(LineError::new(
            1,
            None,
            "Le fichier commence par une marque d'ordre des octets (BOM) : les guides n'en \
             parlent pas ; un fichier sans BOM est le choix sûr (hypothèse, à confirmer).",
        ));
    }
    let header = String::from_utf8_lossy(header).trim_end().to_owned();
    let kind = [Layout::Adf, Layout::Jdr]
        .into_iter()
        .find(|layout| layout.header() == header)
        .map(Layout::kind);
    let mut conformity = Conformity {
        kind,
        bytes: 0,
        declarations: 0,
        titulaires: 0,
        file_errors: Vec::new(),
        errors: Vec::new(),
        more_errors: 0,
        warnings,
    };
    let Some(kind) = kind else {
        conformity
            .errors
            .push(LineError::new(1, None, header_message(&header)));
        conformity.bytes = lines.offset + rest_len(&mut lines)?;
        add_size_error(&mut conformity);
        return Ok(conformity);
    };
    let mut endings = vec![ending];
    let mut state = Check {
        kind,
        declarant,
        today,
        groups: HashMap::new(),
        partners: HashMap::new(),
        nirs: HashMap::new(),
        declarations: 0,
        titulaires: 0,
        errors: Vec::new(),
        more_errors: 0,
    };
    let width = columns::for_kind(kind).len();
    while let Some((offset, ending)) = lines.next()? {
        let line = lines.number;
        if !endings.contains(&ending) {
            endings.push(ending);
            note_ending(&mut conformity.warnings, line, ending);
        }
        let Some(fields) = fields(&lines.buffer, line, &mut state)? else {
            continue;
        };
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if fields.len() != width {
            let message = width_message(fields.len(), "l'en-tête en annonce", width, SEPARATOR);
            state.push(LineError::new(line, None, message));
            continue;
        }
        let row = parse_row(kind, line, fields.into_iter());
        state.row(row, offset, &mut lines)?;
    }
    if endings.first() != Some(&Ending::Crlf) {
        note_ending(&mut conformity.warnings, 1, endings[0]);
    }
    state.finish();
    if state.titulaires == 0 && state.errors.is_empty() && state.more_errors == 0 {
        return Err(ReadError::NoRows.into());
    }
    conformity.bytes = lines.offset;
    conformity.declarations = state.declarations;
    conformity.titulaires = state.titulaires;
    conformity.errors = state.errors;
    conformity.more_errors = state.more_errors;
    add_size_error(&mut conformity);
    Ok(conformity)
}

/// The reader's refusals of what is not a text file of lines (a workbook, UTF-16).
fn refuse_other_formats(first: &[u8]) -> Result<(), ReadError> {
    if first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::Utf16);
    }
    if first.starts_with(b"PK\x03\x04") {
        return Err(ReadError::Workbook {
            format: "Excel (.xlsx) ou OpenDocument (.ods)",
        });
    }
    if first.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::Workbook {
            format: "Excel 97-2003 (.xls)",
        });
    }
    Ok(())
}

/// Bytes left in the stream (to measure a file whose lines are not checked).
fn rest_len<R: BufRead + Seek>(lines: &mut Lines<R>) -> io::Result<u64> {
    let here = lines.offset;
    let end = lines.reader.seek(SeekFrom::End(0))?;
    Ok(end.saturating_sub(here))
}

/// The file-level error of a file over the platform's limit.
fn add_size_error(conformity: &mut Conformity) {
    if conformity.bytes > MAX_FILE_BYTES as u64 {
        conformity.file_errors.push(format!(
            "Le fichier pèse {} octets, plus que les {MAX_FILE_BYTES} (200 Mo) que le portail \
             accepte : « passeport export adf|jdr --max-size » l'écrit en plusieurs fichiers.",
            conformity.bytes
        ));
    }
}

/// Why the first line is not the official header.
fn header_message(found: &str) -> String {
    let fields: Vec<&str> = found.split(SEPARATOR).collect();
    let names_columns = fields
        .iter()
        .any(|field| columns::JDR.contains(&field.trim().to_uppercase().as_str()));
    let start = "La première ligne doit être la ligne d'en-tête du guide officiel, les noms des \
                 colonnes dans son ordre, séparés par « | » (20 colonnes pour un fichier ADF, \
                 ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|…, \
                 29 pour un JDR, ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|\
                 TYPE_JDR|…)";
    if names_columns {
        format!("{start} : celle-ci nomme des colonnes, mais pas exactement celles-là.")
    } else {
        format!("{start} : ce fichier n'en a pas (« {} »).", shown(found))
    }
}

/// A warning, once per kind of line end other than CRLF.
fn note_ending(warnings: &mut Vec<LineError>, line: usize, ending: Ending) {
    let what = match ending {
        Ending::Crlf | Ending::None => return,
        Ending::Lf => "LF seul (fin de ligne Unix)",
        Ending::Cr => "CR seul (ancien Mac)",
    };
    warnings.push(LineError::new(
        line,
        None,
        format!(
            "Ligne terminée par {what} : les guides n'en parlent pas ; CRLF est le choix sûr \
             (hypothèse, à confirmer)."
        ),
    ));
}

/// The fields of a data line, trimmed; `None` (and an error) for a line that is not UTF-8.
fn fields(bytes: &[u8], line: usize, state: &mut Check) -> Result<Option<Vec<String>>, CheckError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary { line }.into());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        state.push(LineError::new(
            line,
            None,
            "La ligne n'est pas en UTF-8, l'encodage du fichier officiel : enregistrez le \
             fichier en « CSV UTF-8 ».",
        ));
        return Ok(None);
    };
    Ok(Some(
        text.split(SEPARATOR)
            .map(|field| field.trim().to_owned())
            .collect(),
    ))
}

/// The hash of a row's NIR (never 0), `None` when it does not read.
fn nir_hash(row: &Row) -> Option<u64> {
    let nir = row.titulaire.nir.parse::<Nir>().ok()?;
    let mut hasher = DefaultHasher::new();
    nir.hash(&mut hasher);
    Some(hasher.finish().max(1))
}

/// The training data of a row (every column but the titulaire's), hashed.
fn fingerprint(kind: DeclarationKind, row: &Row) -> u128 {
    let values: Vec<&str> = columns::for_kind(kind)
        .iter()
        .zip(&row.canonical)
        .filter(|(column, _)| !TITULAIRE_COLUMNS.contains(column))
        .map(|(_, value)| value.as_str())
        .collect();
    hash128(&values)
}

impl Check {
    /// Records a problem, up to [`MAX_KEPT_ERRORS`], at most one per (line, column) as the
    /// reader does (the first found wins; problems of one place come from one line's check).
    fn push(&mut self, error: LineError) {
        let seen = self
            .errors
            .iter()
            .rev()
            .take_while(|e| e.line >= error.line)
            .any(|e| e.line == error.line && e.column == error.column);
        if seen {
            return;
        }
        if self.errors.len() < MAX_KEPT_ERRORS {
            self.errors.push(error);
        } else {
            self.more_errors += 1;
        }
    }

    /// Checks one titulaire line.
    fn row<R: BufRead + Seek>(
        &mut self,
        row: Row,
        offset: u64,
        lines: &mut Lines<R>,
    ) -> Result<(), CheckError> {
        self.titulaires += 1;
        let line = row.line;
        let id = row.declaration.id_declaration.clone();
        let print = fingerprint(self.kind, &row);
        let nir = nir_hash(&row);
        let group = if id.is_empty() {
            self.declarations += 1;
            None
        } else {
            match self.groups.entry(hash128(&[&id])) {
                Entry::Vacant(slot) => {
                    let index = u32::try_from(self.declarations).unwrap_or(u32::MAX);
                    self.declarations += 1;
                    slot.insert(Group {
                        index,
                        first_line: u32::try_from(line).unwrap_or(u32::MAX),
                        first_offset: offset,
                        count: 1,
                        first_nir: nir.unwrap_or(0),
                        fingerprint: print,
                    });
                    None
                }
                Entry::Occupied(mut slot) => {
                    let group = slot.get_mut();
                    group.count += 1;
                    if group.count == 2 && group.first_nir != 0 {
                        self.nirs.insert((group.index, group.first_nir), 0);
                    }
                    let first = (group.fingerprint != print)
                        .then_some((group.first_line as usize, group.first_offset));
                    Some((group.index, group.count - 1, first))
                }
            }
        };
        // `later`, for a line after its declaration's first: that first line, read again when
        // the training data differ.
        let later = match group {
            Some((_, _, Some((first_line, first_offset)))) => {
                let bytes = lines.reread(first_offset)?;
                let text = String::from_utf8_lossy(&bytes);
                let cells = text.split(SEPARATOR).map(|f| f.trim().to_owned());
                Some(Some(parse_row(self.kind, first_line, cells)))
            }
            Some((_, _, None)) => Some(None),
            None => None,
        };
        match &later {
            None => {
                for (column, message) in &row.problems {
                    self.push(LineError::new(line, Some(column), message.clone()));
                }
            }
            Some(first) => {
                for (column, message) in &row.problems {
                    if TITULAIRE_COLUMNS.contains(column) {
                        self.push(LineError::new(line, Some(column), message.clone()));
                    }
                }
                if let Some(first) = first {
                    self.disagreements(first, &row);
                }
            }
        }
        self.partner(&row);
        if let (Some((index, rank, _)), Some(nir)) = (group, nir) {
            self.nir(line, nir, index, rank);
        }
        let mut declaration = row.declaration;
        declaration.titulaires = vec![row.titulaire];
        let imported = ImportedDeclaration {
            declaration,
            lines: vec![line],
            idempotency_key: String::new(),
        };
        if let Err(found) = imported.declaration.validate(self.declarant, self.today) {
            for error in &found {
                if later.is_none() || error.field.starts_with(columns::TITULAIRES) {
                    self.push(imported.locate(error));
                }
            }
        }
        Ok(())
    }

    /// The columns of `row` whose training data differ from its declaration's first line.
    fn disagreements(&mut self, first: &Row, row: &Row) {
        for (index, column) in columns::for_kind(self.kind).iter().enumerate() {
            if TITULAIRE_COLUMNS.contains(column) || row.canonical[index] == first.canonical[index]
            {
                continue;
            }
            let message = row
                .problems
                .iter()
                .find(|(c, _)| c == column)
                .map(|(_, message)| message.clone())
                .unwrap_or_else(|| disagreement(first, row, index));
            self.push(LineError::new(row.line, Some(column), message));
        }
    }

    /// `ID_UNIQUE_PARTENAIRE` once per file (the reader's message).
    fn partner(&mut self, row: &Row) {
        let id = row.titulaire.id_unique_partenaire.as_str();
        if id.is_empty() {
            return;
        }
        match self.partners.entry(hash128(&[id])) {
            Entry::Occupied(seen) => {
                let message = format!(
                    "L'identifiant unique partenaire « {} » figure déjà ligne {} : il doit être \
                     unique dans le fichier (doublon refusé par la plateforme).",
                    shown(id),
                    seen.get()
                );
                self.push(LineError::new(
                    row.line,
                    Some(ID_UNIQUE_PARTENAIRE),
                    message,
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(row.line);
            }
        }
    }

    /// A NIR once per declaration (`Declaration::validate`'s message), for a titulaire after the
    /// first.
    fn nir(&mut self, line: usize, nir: u64, index: u32, rank: u32) {
        match self.nirs.entry((index, nir)) {
            Entry::Occupied(first) => {
                let message = repeated_nir_message(*first.get() as usize);
                self.push(LineError::new(line, Some(NIR), message));
            }
            Entry::Vacant(slot) => {
                slot.insert(rank);
            }
        }
    }

    /// The declarations past [`MAX_TITULAIRES`], at their first line; then every problem sorted
    /// by line and column order, as the reader sorts them.
    fn finish(&mut self) {
        let mut over: Vec<(usize, u32)> = self
            .groups
            .values()
            .filter(|group| group.count > MAX_TITULAIRES)
            .map(|group| (group.first_line as usize, group.count))
            .collect();
        over.sort_unstable();
        for (line, count) in over {
            let message = titulaire_count_message(count as usize);
            let error = LineError::new(line, Some(ID_DECLARATION), message);
            if !self
                .errors
                .iter()
                .any(|e| e.line == line && e.column == error.column)
            {
                if self.errors.len() < MAX_KEPT_ERRORS {
                    self.errors.push(error);
                } else {
                    self.more_errors += 1;
                }
            }
        }
        let order = columns::for_kind(self.kind);
        self.errors.sort_by_key(|error| {
            let column = error.column.as_deref().map_or(0, |c| {
                order
                    .iter()
                    .position(|o| *o == c)
                    .map_or(usize::MAX, |p| p + 1)
            });
            (error.line, column)
        });
    }
}

#[cfg(test)]
mod tests;
