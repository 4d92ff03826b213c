//! One table for a spreadsheet (`passeport export roster|trainings|expiring`), written as an
//! Excel workbook (rust_xlsxwriter) or as CSV for a French spreadsheet ([`super::to_excel`]).
//!
//! The workbook opens as a person would have laid it out: one sheet, real dates (`jj/mm/aaaa`),
//! numbers as numbers, the header row bold, frozen and filterable, columns as wide as their
//! content (within bounds), and each status cell coloured as the terminal application colours it
//! (expirée red, expire bientôt amber, valide green; in the soft fills Excel uses for « bad »,
//! « neutral », « good »). Text a spreadsheet would compute is kept as text: in the workbook with
//! Excel's own « quote prefix » (the cell shows the text exactly, and stays text when edited), in
//! the CSV with a leading `'` ([`crate::formula`]). Pure: bytes out.

use chrono::{Datelike, NaiveDate};
use color_eyre::eyre::{Result, WrapErr};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::domain::expiry::ExpiryStatus;
use crate::formula;

/// Narrowest and widest column, in characters.
const WIDTHS: (usize, usize) = (6, 60);
/// Display format of dates in the workbook.
const DATE_FORMAT: &str = "dd/mm/yyyy";

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text (names, codes, titles); a SIRET or a matricule stays text, leading zeros kept.
    Text(String),
    /// A date, empty when absent.
    Date(Option<NaiveDate>),
    /// A whole number, empty when absent.
    Number(Option<i64>),
    /// An expiry status: its French label, coloured in the workbook.
    Status(ExpiryStatus),
}

impl Value {
    /// Text from a borrowed string.
    pub fn text(value: &str) -> Self {
        Self::Text(value.to_owned())
    }

    /// The cell as the CSV writes it.
    fn csv_text(&self) -> String {
        match self {
            Self::Text(text) => super::text(text),
            Self::Date(date) => super::optional_date(*date),
            Self::Number(number) => number.map(|n| n.to_string()).unwrap_or_default(),
            Self::Status(status) => status.label().to_owned(),
        }
    }

    /// Characters the cell takes on screen, to size its column.
    fn shown_chars(&self) -> usize {
        match self {
            Self::Text(text) => text.chars().count(),
            Self::Date(_) => 10,
            Self::Number(number) => number.map_or(0, |n| n.to_string().len()),
            Self::Status(status) => status.label().chars().count(),
        }
    }
}

/// A sheet: its name, column headers and rows (each as long as `columns`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Name of the sheet (at most 31 characters, Excel's limit).
    pub sheet: &'static str,
    /// Column headers, in French.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<Value>>,
}

/// Fill and font colours of a status cell (RGB), none for a training that does not expire.
fn status_colours(status: ExpiryStatus) -> Option<(u32, u32)> {
    match status {
        ExpiryStatus::Expired => Some((0xFFC7CE, 0x9C0006)),
        ExpiryStatus::Expiring => Some((0xFFEB9C, 0x9C5700)),
        ExpiryStatus::Valid => Some((0xC6EFCE, 0x006100)),
        ExpiryStatus::NoExpiry => None,
    }
}

/// The formats of the workbook's cells.
struct Formats {
    header: Format,
    date: Format,
    text: Format,
    quoted: Format,
    statuses: [(ExpiryStatus, Format); 4],
}

impl Formats {
    fn new() -> Self {
        let status = |status| match status_colours(status) {
            Some((fill, font)) => (
                status,
                Format::new()
                    .set_background_color(Color::RGB(fill))
                    .set_font_color(Color::RGB(font)),
            ),
            None => (status, Format::new()),
        };
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format(DATE_FORMAT),
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
            statuses: [
                status(ExpiryStatus::Expired),
                status(ExpiryStatus::Expiring),
                status(ExpiryStatus::Valid),
                status(ExpiryStatus::NoExpiry),
            ],
        }
    }

    fn status(&self, status: ExpiryStatus) -> &Format {
        self.statuses
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(&self.text, |(_, format)| format)
    }
}

impl Table {
    /// The table as CSV for a French spreadsheet: BOM, `;`, CRLF, dates `jj/mm/aaaa`.
    pub fn to_csv(&self) -> Result<String> {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(Value::csv_text).collect())
            .collect();
        super::to_excel(&self.columns, &rows)
    }

    /// The table as an xlsx workbook.
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        self.workbook()
            .wrap_err("écriture du classeur Excel impossible")
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let formats = Formats::new();
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet)?;
        for (column, header) in (0u16..).zip(&self.columns) {
            sheet.write_string_with_format(0, column, *header, &formats.header)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (column, value) in (0u16..).zip(cells) {
                write(sheet, row, column, value, &formats)?;
            }
        }
        for (column, width) in (0u16..).zip(self.widths()) {
            sheet.set_column_width(column, width as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_row = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        let last_column = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(0);
        sheet.autofilter(0, 0, last_row, last_column)?;
        book.save_to_buffer()
    }

    /// Each column's width: its widest cell or header, plus a margin, within [`WIDTHS`].
    fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(index, header)| {
                let widest = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(index))
                    .map(Value::shown_chars)
                    .fold(header.chars().count(), usize::max);
                (widest + 2).clamp(WIDTHS.0, WIDTHS.1)
            })
            .collect()
    }
}

/// Writes one cell.
fn write(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match value {
        Value::Text(text) if text.is_empty() => {}
        Value::Text(text) => {
            let format = if formula::is_formula_like(text) {
                &formats.quoted
            } else {
                &formats.text
            };
            sheet.write_string_with_format(row, column, text, format)?;
        }
        Value::Date(None) | Value::Number(None) => {}
        Value::Date(Some(date)) => {
            let day = excel_date(*date)?;
            sheet.write_date_with_format(row, column, &day, &formats.date)?;
        }
        Value::Number(Some(number)) => {
            sheet.write_number(row, column, *number as f64)?;
        }
        Value::Status(status) => {
            sheet.write_string_with_format(row, column, status.label(), formats.status(*status))?;
        }
    }
    Ok(())
}

/// A date as rust_xlsxwriter takes it (Excel's range: years 1900 to 9999).
fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year =
        u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()))?;
    // Month and day always fit a u8.
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sample() -> Table {
        Table {
            sheet: "Échéances",
            columns: vec!["Nom", "Échéance", "Jours restants", "Statut"],
            rows: vec![
                vec![
                    Value::text("=HYPERLINK(\"http://evil.example\")"),
                    Value::Date(Some(day(2026, 11, 1))),
                    Value::Number(Some(-25)),
                    Value::Status(ExpiryStatus::Expired),
                ],
                vec![
                    Value::text("MARTIN"),
                    Value::Date(None),
                    Value::Number(None),
                    Value::Status(ExpiryStatus::NoExpiry),
                ],
            ],
        }
    }

    #[test]
    fn the_workbook_reads_back_with_dates_numbers_and_text_kept() {
        let bytes = sample().to_xlsx().unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Échéances").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("Échéance".into())));
        assert_eq!(
            range.get((1, 0)),
            Some(&Data::String("=HYPERLINK(\"http://evil.example\")".into())),
            "the text itself, not a formula"
        );
        let serial = (day(2026, 11, 1) - day(1899, 12, 30)).num_days() as f64;
        match range.get((1, 1)) {
            Some(Data::DateTime(date)) => assert_eq!(date.as_f64(), serial),
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(range.get((1, 2)), Some(&Data::Float(-25.0)));
        assert_eq!(range.get((1, 3)), Some(&Data::String("Expirée".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::Empty));
        assert!(book.worksheet_formula("Échéances").unwrap().is_empty());
    }

    #[test]
    fn the_csv_is_the_same_table_for_a_french_spreadsheet() {
        assert_eq!(
            sample().to_csv().unwrap(),
            "\u{feff}Nom;Échéance;Jours restants;Statut\r\n\
             \"'=HYPERLINK(\"\"http://evil.example\"\")\";01/11/2026;-25;Expirée\r\n\
             MARTIN;;;Sans échéance\r\n"
        );
    }

    #[test]
    fn columns_are_as_wide_as_their_content_within_bounds() {
        let mut table = sample();
        table.rows[1][0] = Value::text(&"x".repeat(200));
        assert_eq!(table.widths(), [60, 12, 16, 15]);
        table.rows.clear();
        assert_eq!(table.widths(), [6, 10, 16, 8]);
    }
}
