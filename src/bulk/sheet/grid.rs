//! A file's bytes into a [`Grid`]: workbooks through calamine, text through the CSV parser with a
//! sniffed separator and encoding.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Dimensions, Range, Reader, Sheets};
use chrono::NaiveDate;

use super::{Cell, Format, Grid, Row, SheetError};
use crate::bulk::read::Encoding;

/// Separators tried on a text file, in order of preference on a tie.
const SEPARATORS: [char; 4] = [';', ',', '\t', '|'];

/// Lines looked at to sniff the separator.
const SNIFF_LINES: usize = 50;

/// Reads the first sheet holding a value: a workbook (.xlsx, .xls, .ods) when the bytes start
/// like one, else CSV text.
pub fn read(bytes: &[u8]) -> Result<Grid, SheetError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // calamine parses binary formats from outside: a panic in it must not end the command.
        return catch_unwind(AssertUnwindSafe(|| workbook(bytes)))
            .unwrap_or(Err(SheetError::Workbook));
    }
    text(bytes)
}

/// The first sheet of a workbook that holds a value.
fn workbook(bytes: &[u8]) -> Result<Grid, SheetError> {
    let mut sheets = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| SheetError::Workbook)?;
    let format = match &sheets {
        Sheets::Xls(_) => Format::Xls,
        Sheets::Ods(_) => Format::Ods,
        Sheets::Xlsx(_) | Sheets::Xlsb(_) => Format::Xlsx,
    };
    for name in sheets.sheet_names() {
        let range = sheets
            .worksheet_range(&name)
            .map_err(|_| SheetError::Workbook)?;
        // Merged regions are known for Excel files only; a missing list leaves cells as stored.
        let merges = match &mut sheets {
            Sheets::Xlsx(book) => book.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xls(book) => book.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let rows = sheet_rows(&range, &merges);
        if !rows.is_empty() {
            return Ok(Grid {
                format,
                sheet: Some(name),
                rows,
            });
        }
    }
    Err(SheetError::Empty)
}

/// The non-empty rows of a sheet, each cell of a merged region holding the region's value.
fn sheet_rows(range: &Range<Data>, merges: &[Dimensions]) -> Vec<Row> {
    let Some((top, left)) = range.start() else {
        return Vec::new();
    };
    let (top, left) = (top as usize, left as usize);
    let mut grid: Vec<Vec<Cell>> = range
        .rows()
        .map(|cells| {
            std::iter::repeat_n(Cell::Empty, left)
                .chain(cells.iter().map(cell))
                .collect()
        })
        .collect();
    for merge in merges {
        let (row, column) = (merge.start.0 as usize, merge.start.1 as usize);
        let Some(value) = row
            .checked_sub(top)
            .and_then(|r| grid.get(r))
            .and_then(|cells| cells.get(column))
            .cloned()
        else {
            continue;
        };
        for r in merge.start.0 as usize..=merge.end.0 as usize {
            let Some(cells) = r.checked_sub(top).and_then(|r| grid.get_mut(r)) else {
                continue;
            };
            for c in merge.start.1 as usize..=merge.end.1 as usize {
                if let Some(slot) = cells.get_mut(c)
                    && slot.is_empty()
                {
                    *slot = value.clone();
                }
            }
        }
    }
    grid.into_iter()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(index, cells)| Row {
            line: top + index + 1,
            cells,
        })
        .collect()
}

/// One workbook cell.
fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) if text.trim().is_empty() => Cell::Empty,
        Data::String(text) => Cell::Text(text.trim().to_owned()),
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) => Cell::Number(*number),
        Data::Bool(value) => Cell::Bool(*value),
        Data::DateTime(moment) if moment.is_datetime() => {
            let (year, month, day, ..) = moment.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                .map_or(Cell::Number(moment.as_f64()), Cell::Date)
        }
        Data::DateTime(moment) => Cell::Number(moment.as_f64()),
        Data::DateTimeIso(text) => text
            .get(..10)
            .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .map_or_else(|| Cell::Text(text.clone()), Cell::Date),
        Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Text(error.to_string()),
    }
}

/// A text file: decoded, separator sniffed, every non-empty line a row.
fn text(bytes: &[u8]) -> Result<Grid, SheetError> {
    let (text, encoding) = decode(bytes)?;
    let separator = sniff(&text);
    let bytes = text.as_bytes();
    // A record's line is counted from its byte offset, blank lines included; the offset may
    // stop before the line break that ends the previous record.
    let line_of = |position: Option<&csv::Position>| {
        let mut offset = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while bytes
            .get(offset)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            offset += 1;
        }
        let before = bytes.get(..offset).unwrap_or(bytes);
        before.iter().filter(|&&b| b == b'\n').count() + 1
    };
    let mut rows = Vec::new();
    for result in reader(&text, separator).records() {
        let record = result.map_err(|error| SheetError::Malformed {
            line: line_of(error.position()),
            detail: error.to_string(),
        })?;
        let cells: Vec<Cell> = record
            .iter()
            .map(|field| match field.trim() {
                "" => Cell::Empty,
                value => Cell::Text(value.to_owned()),
            })
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push(Row {
                line: line_of(record.position()),
                cells,
            });
        }
    }
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(Grid {
        format: Format::Csv {
            separator,
            encoding,
        },
        sheet: None,
        rows,
    })
}

/// UTF-8 (byte order mark removed) when valid, else Windows-1252.
fn decode(bytes: &[u8]) -> Result<(String, Encoding), SheetError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SheetError::Utf16);
    }
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(SheetError::Binary { line });
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) if bom => (text.to_owned(), Encoding::Utf8Bom),
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Encoding::Windows1252)
        }
    })
}

/// A CSV reader over `text`, records of any length. `|` files are unquoted (the official
/// layout, domain.md §8); spreadsheet exports quote.
fn reader(text: &str, separator: char) -> csv::Reader<&[u8]> {
    // SEPARATORS are all ASCII.
    let delimiter = u8::try_from(separator).unwrap_or(b';');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(separator != '|')
        .from_reader(text.as_bytes())
}

/// The separator that splits the most of the first lines into the same number (two or more) of
/// cells; title rows of one cell count for none. Ties go to the earlier of [`SEPARATORS`].
fn sniff(text: &str) -> char {
    let mut best = (0, SEPARATORS[0]);
    for separator in SEPARATORS {
        let mut counts = std::collections::HashMap::<usize, usize>::new();
        for record in reader(text, separator)
            .records()
            .take(SNIFF_LINES)
            .map_while(Result::ok)
        {
            let filled = record.iter().filter(|f| !f.trim().is_empty()).count();
            if record.len() >= 2 && filled >= 2 {
                *counts.entry(record.len()).or_default() += 1;
            }
        }
        let score = counts.values().copied().max().unwrap_or(0);
        if score > best.0 {
            best = (score, separator);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(grid: &Grid) -> Vec<(usize, Vec<String>)> {
        grid.rows
            .iter()
            .map(|row| (row.line, row.cells.iter().map(Cell::text).collect()))
            .collect()
    }

    #[test]
    fn the_separator_is_the_one_that_splits_the_lines_alike() {
        for separator in SEPARATORS {
            let file = format!(
                "Liste des stagiaires, session 12\n\nNom{s}Prénom{s}NIR\nDUPONT{s}Jean{s}1 85 03\n",
                s = separator
            );
            let grid = read(file.as_bytes()).unwrap();
            assert_eq!(
                grid.format,
                Format::Csv {
                    separator,
                    encoding: Encoding::Utf8
                },
                "{separator:?}"
            );
            let rows = texts(&grid);
            assert_eq!(
                rows[1],
                (3, vec!["Nom".into(), "Prénom".into(), "NIR".into()])
            );
            assert_eq!(rows[2].0, 4);
        }
    }

    #[test]
    fn windows_1252_and_bom_are_read() {
        let latin = b"Nom;Pr\xe9nom\nLEF\xc8VRE;Ren\xe9\n";
        let grid = read(latin).unwrap();
        assert_eq!(texts(&grid)[1].1, ["LEFÈVRE", "René"]);
        assert!(matches!(
            grid.format,
            Format::Csv {
                encoding: Encoding::Windows1252,
                ..
            }
        ));
        let bom = read("\u{feff}Nom,Prénom\nA,B\n".as_bytes()).unwrap();
        assert_eq!(texts(&bom)[0].1, ["Nom", "Prénom"]);
    }

    #[test]
    fn unreadable_bytes_are_refused_with_a_reason() {
        assert_eq!(read(b"").unwrap_err(), SheetError::Empty);
        assert_eq!(read(b" \n ;; \n").unwrap_err(), SheetError::Empty);
        assert_eq!(read(b"\xff\xfeN\0o\0m\0").unwrap_err(), SheetError::Utf16);
        assert_eq!(
            read(b"a;b\nc\0d").unwrap_err(),
            SheetError::Binary { line: 2 }
        );
        assert_eq!(
            read(b"PK\x03\x04garbage").unwrap_err(),
            SheetError::Workbook
        );
        assert_eq!(
            read(&[0xD0, 0xCF, 0x11, 0xE0, 1, 2]).unwrap_err(),
            SheetError::Workbook
        );
    }

    #[test]
    fn merged_regions_fill_their_cells() {
        let mut range = Range::new((2, 1), (3, 3));
        range.set_value((2, 1), Data::String("Stagiaire".into()));
        range.set_value((2, 3), Data::String("NIR".into()));
        range.set_value((3, 1), Data::String("Nom".into()));
        range.set_value((3, 2), Data::String("Prénom".into()));
        let merges = [
            Dimensions::new((2, 1), (2, 2)),
            Dimensions::new((2, 3), (3, 3)),
        ];
        let rows = sheet_rows(&range, &merges);
        let seen: Vec<(usize, Vec<String>)> = rows
            .iter()
            .map(|r| (r.line, r.cells.iter().map(Cell::text).collect()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    3,
                    vec![
                        "".into(),
                        "Stagiaire".into(),
                        "Stagiaire".into(),
                        "NIR".into()
                    ]
                ),
                (
                    4,
                    vec!["".into(), "Nom".into(), "Prénom".into(), "NIR".into()]
                ),
            ]
        );
    }
}
