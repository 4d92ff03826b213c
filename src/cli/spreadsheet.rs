//! CSV for a spreadsheet in French (`--format excel`): what Excel set to French opens in columns
//! without an import wizard. A UTF-8 byte order mark (without it Excel reads Windows-1252 and
//! shows `MARÃ‰CHAL`), `;` between cells (the French list separator, since `,` is the decimal
//! one), CRLF line ends, dates `jj/mm/aaaa`, French column names and values, and text cells that
//! cannot be read as formulas. Also the CSV for scripts ([`script_csv`]), whose cells are
//! neutralised the same way, since such files end up in spreadsheets too.

use chrono::NaiveDate;
use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;

use crate::formula;

pub mod table;

/// The UTF-8 byte order mark that tells Excel the file's encoding.
pub const BOM: &str = "\u{feff}";

/// The file: [`BOM`], then `headers`, then one line per row, each cell already formatted with
/// [`text`], [`date`], [`optional_date`] or a number's `to_string`.
pub fn to_excel<R: AsRef<[String]>>(headers: &[&str], rows: &[R]) -> Result<String> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row.as_ref())?;
    }
    let bytes = writer
        .into_inner()
        .wrap_err("écriture du fichier pour tableur impossible")?;
    let body = String::from_utf8(bytes).wrap_err("écriture du fichier pour tableur impossible")?;
    Ok(format!("{BOM}{body}"))
}

/// A text cell: text a spreadsheet would read as a formula is prefixed with `'`
/// ([`formula::neutralise`]), which Excel and LibreOffice show as plain text.
pub fn text(value: &str) -> String {
    formula::neutralise(value).into_owned()
}

/// CSV for scripts: `columns` as the header row (also when there is no row), then one record
/// per row (a struct serialised field by field, in `columns` order), `,` between cells, every
/// cell that a spreadsheet would compute neutralised ([`formula::neutralise`]; a negative number
/// stays a number).
pub fn script_csv<T: Serialize>(columns: &[&str], rows: &[T]) -> Result<String> {
    let mut raw = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    raw.write_record(columns)?;
    for row in rows {
        raw.serialize(row)?;
    }
    let raw = raw.into_inner().wrap_err("écriture du CSV impossible")?;
    // The records are read back to reach each cell as serde wrote it (numbers, dates, enums).
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(raw.as_slice());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record?;
        writer.write_record(
            record
                .iter()
                .map(|cell| formula::neutralise(cell).into_owned()),
        )?;
    }
    let bytes = writer.into_inner().wrap_err("écriture du CSV impossible")?;
    String::from_utf8(bytes).wrap_err("écriture du CSV impossible")
}

/// A date as French spreadsheets read it: `jj/mm/aaaa`.
pub fn date(value: NaiveDate) -> String {
    value.format("%d/%m/%Y").to_string()
}

/// An optional date; empty when absent.
pub fn optional_date(value: Option<NaiveDate>) -> String {
    value.map(date).unwrap_or_default()
}

/// `oui` or `non`.
pub fn yes_no(value: bool) -> String {
    if value { "oui" } else { "non" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_files_start_with_a_bom_and_use_semicolons_and_crlf() {
        let rows = [[text("MARÉCHAL"), text("Lyon; Gerland"), "-25".to_owned()]];
        let file = to_excel(&["Nom", "Site", "Jours"], &rows).unwrap();
        assert_eq!(
            file,
            "\u{feff}Nom;Site;Jours\r\nMARÉCHAL;\"Lyon; Gerland\";-25\r\n"
        );
        assert_eq!(
            to_excel::<[String; 2]>(&["Nom", "Site"], &[]).unwrap(),
            "\u{feff}Nom;Site\r\n",
            "the header even with no row"
        );
    }

    #[test]
    fn text_that_a_spreadsheet_would_compute_is_kept_as_text() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+33"), "'+33");
        assert_eq!(text("-x"), "'-x");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("Jean-Pierre"), "Jean-Pierre");
        assert_eq!(text(""), "");
    }

    #[test]
    fn script_csv_neutralises_every_cell_but_keeps_numbers() {
        #[derive(Serialize)]
        struct Row {
            name: &'static str,
            days: i64,
            note: Option<&'static str>,
        }
        let rows = [
            Row {
                name: "=HYPERLINK(\"http://evil.example\")",
                days: -25,
                note: Some("@SUM(A1)"),
            },
            Row {
                name: "Jean-Pierre",
                days: 3,
                note: None,
            },
        ];
        assert_eq!(
            script_csv(&["name", "days", "note"], &rows).unwrap(),
            "name,days,note\n\"'=HYPERLINK(\"\"http://evil.example\"\")\",-25,'@SUM(A1)\n\
             Jean-Pierre,3,\n"
        );
        assert_eq!(
            script_csv::<Row>(&["name", "days", "note"], &[]).unwrap(),
            "name,days,note\n"
        );
    }

    #[test]
    fn dates_and_booleans_read_in_french() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(date(day), "05/01/2026");
        assert_eq!(optional_date(Some(day)), "05/01/2026");
        assert_eq!(optional_date(None), "");
        assert_eq!(yes_no(true), "oui");
        assert_eq!(yes_no(false), "non");
    }
}
