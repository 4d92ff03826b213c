//! Cell values as spreadsheets hold them (domain.md §9): NIRs and SIRETs typed as numbers or with
//! separators, dates as real dates, serial numbers or French text, code lists, results. Each
//! reader takes a [`Cell`] and says in French what it could not read.

use chrono::{Duration, NaiveDate};
use thiserror::Error;

use super::Cell;
use crate::domain::ids::{IdError, Nir, Siret};

/// Longest value quoted back in a message.
const SHOWN_CHARS: usize = 40;

/// Day 0 of the 1900 date system of Excel and LibreOffice: serial 1 is 31/12/1899 here, which
/// is right from serial 61 (1 March 1900) on, Excel counting a 29 February 1900 that never was.
const SERIAL_EPOCH: (i32, u32, u32) = (1899, 12, 30);

/// Largest serial number a spreadsheet shows as a date (31/12/9999).
const SERIAL_MAX: f64 = 2_958_465.0;

/// Why a cell does not read. Messages are in French and never repeat a NIR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    /// The cell is empty where a value is needed.
    #[error("valeur absente")]
    Missing,
    /// A NIR that does not read (its detail never repeats the number).
    #[error("NIR illisible : {0}")]
    Nir(IdError),
    /// A SIRET that does not read.
    #[error("SIRET illisible : {0}")]
    Siret(IdError),
    /// A number shown in scientific notation whose digits were lost (`1,85038E+14`).
    #[error(
        "nombre enregistré en notation scientifique (« {0} ») : des chiffres sont perdus ; \
         mettez la colonne au format Texte et saisissez le numéro complet"
    )]
    Scientific(String),
    /// Not a date in any form a sheet holds.
    #[error(
        "« {0} » n'est pas une date : écrivez-la jj/mm/aaaa (ou une date du tableur, \
         « 12 mars 2026 », aaaa-mm-jj)"
    )]
    DateFormat(String),
    /// Well written, but no such day (31/02/2026).
    #[error("la date « {0} » n'existe pas dans le calendrier")]
    NoSuchDay(String),
    /// A result none of the known words.
    #[error(
        "résultat « {0} » inconnu : Admis, Réussi, Validé (réussite), Non admis, Échec, Ajourné \
         (échec), Absent, ou vide"
    )]
    Outcome(String),
    /// A status none of the known words.
    #[error(
        "statut « {0} » inconnu : Actif, En poste (présent), Sorti, Parti, Inactif (sortant), ou \
         vide"
    )]
    Status(String),
}

/// A NIR as sheets hold it: 13 characters or 15 with the key, with spaces, dots or dashes, or
/// stored as a number (`185037512345678`, `1.85037512345678e14`).
pub fn nir(cell: &Cell) -> Result<Nir, ValueError> {
    let text = digits_of(cell)?;
    text.parse::<Nir>().map_err(ValueError::Nir)
}

/// A SIRET as sheets hold it: 14 digits with spaces, or a number. A number of fewer than 14
/// digits lost its leading zeros, which are put back **\[I\]** (a SIREN may start with 0).
pub fn siret(cell: &Cell) -> Result<Siret, ValueError> {
    let mut text = digits_of(cell)?;
    if matches!(cell, Cell::Number(_)) || is_scientific(&cell.text()) {
        text = format!("{text:0>14}");
    }
    text.parse::<Siret>().map_err(ValueError::Siret)
}

/// The identifier's characters: a number's digits, a text in scientific notation read back, any
/// other text as typed.
fn digits_of(cell: &Cell) -> Result<String, ValueError> {
    match cell {
        cell if cell.is_empty() => Err(ValueError::Missing),
        Cell::Number(number) => Ok(number_text(*number)),
        other => {
            let text = other.text();
            if !is_scientific(&text) {
                return Ok(text);
            }
            let number: f64 = text
                .replace(',', ".")
                .parse()
                .map_err(|_| ValueError::Scientific(shown(&text)))?;
            let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
            let shown_digits = mantissa.chars().filter(char::is_ascii_digit).count();
            let digits = number_text(number);
            // Fewer digits shown than the number has: the tail was rounded away.
            if shown_digits < digits.trim_end_matches('0').len() || digits.contains('.') {
                return Err(ValueError::Scientific(shown(&text)));
            }
            if shown_digits < 13 {
                return Err(ValueError::Scientific(shown(&text)));
            }
            Ok(digits)
        }
    }
}

/// Whether a text is a number in scientific notation (`1,85E+14`, `1.85037512345678e14`).
fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// A number as text: an integral value without decimals (`185037512345678`), else as Rust
/// writes it.
pub fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e17 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}

/// A date as sheets hold it: a real date cell, a serial number (`46093`), `jj/mm/aaaa`,
/// `j/m/aa`, `jj.mm.aaaa`, `jj-mm-aaaa`, ISO `aaaa-mm-jj` (a time after it is dropped), or in
/// French words (« 12 mars 2026 », « 1er août 2026 », « lundi 12 mars 2026 », « 12-mars-26 »).
///
/// Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999 **\[I\]** (the POSIX `%y` pivot).
pub fn date(cell: &Cell) -> Result<NaiveDate, ValueError> {
    match cell {
        cell if cell.is_empty() => Err(ValueError::Missing),
        Cell::Date(day) => Ok(*day),
        Cell::Number(serial) => {
            from_serial(*serial).ok_or_else(|| ValueError::DateFormat(shown(&number_text(*serial))))
        }
        other => {
            let text = other.text();
            parse_date_text(&text)
        }
    }
}

/// A date serial number of the 1900 system; the time of day is dropped.
fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=SERIAL_MAX).contains(&serial) {
        return None;
    }
    let (year, month, day) = SERIAL_EPOCH;
    let epoch = NaiveDate::from_ymd_opt(year, month, day)?;
    // In range, so the cast is exact.
    epoch.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// French month names and their usual abbreviations, folded (no accents, lowercase).
const MONTHS: [(&str, u32); 21] = [
    ("janvier", 1),
    ("janv", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("aout", 8),
    ("septembre", 9),
    ("sept", 9),
    ("octobre", 10),
    ("oct", 10),
    ("novembre", 11),
    ("nov", 11),
    ("decembre", 12),
    ("dec", 12),
];

/// Week days, dropped before a date in words.
const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// A date written as text.
fn parse_date_text(raw: &str) -> Result<NaiveDate, ValueError> {
    let format = || ValueError::DateFormat(shown(raw));
    let folded = fold(raw);
    let in_words = folded
        .split(' ')
        .any(|word| MONTHS.iter().any(|(name, _)| *name == word));
    let (day, month, year) = if in_words {
        let words: Vec<&str> = folded
            .split(' ')
            .filter(|w| !WEEKDAYS.contains(w) && *w != "le")
            .collect();
        let [day, month, year] = words.as_slice() else {
            return Err(format());
        };
        let day = day.strip_suffix("er").unwrap_or(day);
        let month = MONTHS
            .iter()
            .find(|(name, _)| name == month)
            .map(|(_, number)| number.to_string())
            .ok_or_else(format)?;
        (day.to_owned(), month, (*year).to_owned())
    } else {
        let trimmed = raw.trim();
        if trimmed.len() == 5 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            let serial: f64 = trimmed.parse().map_err(|_| format())?;
            return from_serial(serial).ok_or_else(format);
        }
        // A time after the date (`2026-03-12T10:00:00`, `12/03/2026 00:00`) is dropped.
        let date_part = trimmed.split([' ', 'T']).next().unwrap_or_default();
        let parts: Vec<&str> = date_part.split(['/', '.', '-']).collect();
        let [first, second, third] = parts.as_slice() else {
            return Err(format());
        };
        if first.len() == 4 {
            (
                (*third).to_owned(),
                (*second).to_owned(),
                (*first).to_owned(),
            )
        } else {
            (
                (*first).to_owned(),
                (*second).to_owned(),
                (*third).to_owned(),
            )
        }
    };
    let digits = |part: &str, lengths: &[usize]| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(&day, &[1, 2]) && digits(&month, &[1, 2]) && digits(&year, &[2, 4])) {
        return Err(format());
    }
    let number = |part: &str| part.parse::<u32>().map_err(|_| format());
    let mut full_year = i32::try_from(number(&year)?).map_err(|_| format())?;
    if year.len() == 2 {
        full_year += if full_year < 70 { 2000 } else { 1900 };
    }
    NaiveDate::from_ymd_opt(full_year, number(&month)?, number(&day)?)
        .ok_or_else(|| ValueError::NoSuchDay(shown(raw)))
}

/// The codes of a list cell, split at `/`, `,`, `;` or blanks and written canonically: letters
/// uppercase (« rs 6550 » → `RS6550`, « k2302 » → `K2302`) except the letter ending an NSF code,
/// lowercase (« 344R » → `344r`, as `Nsf` stores it, src/domain/ids/codes.rs). A prefix of
/// letters alone (`RS`, `RNCP`) is joined to the number after it, a dash inside a code dropped
/// (« RS-6550 » → `RS6550`), and a letter alone after an NSF number joined to it (« 344 r »).
pub fn codes(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prefix = String::new();
    for token in raw
        .split(|c: char| matches!(c, '/' | ',' | ';') || c.is_whitespace())
        .map(|t| t.trim().replace('-', ""))
        .filter(|t| !t.is_empty())
    {
        let token = token.as_str();
        let nsf_letter = token.len() == 1
            && prefix.is_empty()
            && out
                .last()
                .is_some_and(|last| last.len() == 3 && last.bytes().all(|b| b.is_ascii_digit()));
        if nsf_letter && token.chars().all(|c| c.is_ascii_alphabetic()) {
            if let Some(last) = out.last_mut() {
                last.push_str(&token.to_ascii_lowercase());
            }
            continue;
        }
        if token.chars().all(|c| c.is_ascii_alphabetic()) {
            prefix.push_str(token);
            continue;
        }
        let code = format!("{prefix}{token}");
        prefix.clear();
        out.push(canonical_code(&code));
    }
    if !prefix.is_empty() {
        out.push(canonical_code(&prefix));
    }
    out
}

/// One code written canonically.
fn canonical_code(code: &str) -> String {
    let bytes = code.as_bytes();
    let nsf = bytes.len() == 4
        && bytes[..3].iter().all(u8::is_ascii_digit)
        && bytes[3].is_ascii_alphabetic();
    if nsf {
        code.to_ascii_lowercase()
    } else {
        code.to_ascii_uppercase()
    }
}

/// What a trainee obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Admis, Réussi, Validé…
    Passed,
    /// Non admis, Échec, Ajourné…
    Failed,
    /// Absent from the training or the assessment.
    Absent,
}

/// Result words of OF trainee sheets and HR histories (domain.md §9: Admis / Non admis / Échec /
/// Ajourné / Validé / empty); the feminine forms, « Acquis », « Apte », « Réussite », « Échoué »
/// and their negations are **\[I\]**. Folded: no accents, lowercase.
const OUTCOMES: [(&str, Outcome); 30] = [
    ("reussite", Outcome::Passed),
    ("non reussite", Outcome::Failed),
    ("echoue", Outcome::Failed),
    ("echouee", Outcome::Failed),
    ("non present", Outcome::Absent),
    ("non presente", Outcome::Absent),
    ("admis", Outcome::Passed),
    ("admise", Outcome::Passed),
    ("reussi", Outcome::Passed),
    ("reussie", Outcome::Passed),
    ("valide", Outcome::Passed),
    ("validee", Outcome::Passed),
    ("acquis", Outcome::Passed),
    ("apte", Outcome::Passed),
    ("non admis", Outcome::Failed),
    ("non admise", Outcome::Failed),
    ("non reussi", Outcome::Failed),
    ("non reussie", Outcome::Failed),
    ("non valide", Outcome::Failed),
    ("non validee", Outcome::Failed),
    ("non acquis", Outcome::Failed),
    ("inapte", Outcome::Failed),
    ("echec", Outcome::Failed),
    ("ajourne", Outcome::Failed),
    ("ajournee", Outcome::Failed),
    ("refuse", Outcome::Failed),
    ("absent", Outcome::Absent),
    ("absente", Outcome::Absent),
    ("abs", Outcome::Absent),
    ("absence", Outcome::Absent),
];

/// A result cell: `None` when empty (no result recorded).
pub fn outcome(cell: &Cell) -> Result<Option<Outcome>, ValueError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let text = cell.text();
    let folded = fold(&text);
    OUTCOMES
        .iter()
        .find(|(word, _)| *word == folded)
        .map(|(_, outcome)| Some(*outcome))
        .ok_or_else(|| ValueError::Outcome(shown(&text)))
}

/// Words of a roster's status column **\[I\]**: `true` for a leaver, `false` for a worker in post.
const STATUSES: [(&str, bool); 16] = [
    ("sorti", true),
    ("sortie", true),
    ("parti", true),
    ("partie", true),
    ("depart", true),
    ("inactif", true),
    ("inactive", true),
    ("archive", true),
    ("archivee", true),
    ("ancien salarie", true),
    ("actif", false),
    ("active", false),
    ("present", false),
    ("presente", false),
    ("en poste", false),
    ("en activite", false),
];

/// A status cell: `Some(true)` for a leaver (« Sorti », « Parti », « Inactif »), `Some(false)`
/// for a worker in post (« Actif », « En poste »), `None` when empty.
pub fn left(cell: &Cell) -> Result<Option<bool>, ValueError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let text = cell.text();
    let folded = fold(&text);
    STATUSES
        .iter()
        .find(|(word, _)| *word == folded)
        .map(|(_, left)| Some(*left))
        .ok_or_else(|| ValueError::Status(shown(&text)))
}

/// Text compared without accents, case or punctuation: lowercase ASCII letters and digits, one
/// space between words (« N° de Sécurité-Sociale » → `n de securite sociale`).
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'ÿ' => "y",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                continue;
            }
            _ => {
                space = true;
                continue;
            }
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push_str(base);
    }
    out
}

/// A value quoted in a message: at most [`SHOWN_CHARS`] characters, control characters and
/// bidirectional overrides replaced by `�` so that a message cannot act on a terminal.
pub fn shown(value: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Cell {
        Cell::Text(value.to_owned())
    }

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    /// A valid NIR (key 97 − 1850375123456 mod 97) and its key.
    const BODY: &str = "1850375123456";

    fn with_key() -> String {
        let key = crate::domain::ids::compute_key(BODY).unwrap();
        format!("{BODY}{key:02}")
    }

    #[test]
    fn nirs_read_with_separators_keys_or_as_numbers() {
        let full = with_key();
        let spaced = format!(
            "{} {} {} {} {} {} {}",
            &full[0..1],
            &full[1..3],
            &full[3..5],
            &full[5..7],
            &full[7..10],
            &full[10..13],
            &full[13..15]
        );
        let dotted = spaced.replace(' ', ".");
        let dashed = spaced.replace(' ', "-");
        let number: f64 = full.parse().unwrap();
        let scientific = format!("{:e}", number);
        for cell in [
            text(BODY),
            text(&full),
            text(&spaced),
            text(&dotted),
            text(&dashed),
            Cell::Number(number),
            Cell::Number(BODY.parse().unwrap()),
            text(&scientific),
            text(&spaced.replace(' ', "\u{a0}")),
            text(&format!(
                "{} {} {} {} {} {}",
                &BODY[0..1],
                &BODY[1..3],
                &BODY[3..5],
                &BODY[5..7],
                &BODY[7..10],
                &BODY[10..13]
            )),
            text(&scientific.replace('.', ",").replace('e', "E+")),
        ] {
            assert_eq!(
                nir(&cell).map(|n| n.as_str().to_owned()),
                Ok(BODY.to_owned()),
                "{cell:?}"
            );
        }
        assert_eq!(nir(&Cell::Empty), Err(ValueError::Missing));
        assert!(matches!(
            nir(&text("1,85038E+14")),
            Err(ValueError::Scientific(_))
        ));
        let wrong_key = format!("{BODY}00");
        let error = nir(&text(&wrong_key)).unwrap_err();
        assert!(matches!(error, ValueError::Nir(IdError::InvalidKey { .. })));
        assert!(!error.to_string().contains(BODY), "never repeats the NIR");
    }

    #[test]
    fn sirets_read_with_spaces_or_as_numbers() {
        for cell in [
            text("73282932000074"),
            text("732 829 320 00074"),
            text("732.829.320.00074"),
            text("732\u{a0}829\u{a0}320\u{a0}00074"),
            Cell::Number(7.3282932000074e13),
            Cell::Number(73282932000074.0),
            text("7,3282932000074E+13"),
        ] {
            assert_eq!(siret(&cell).unwrap().as_str(), "73282932000074", "{cell:?}");
        }
        assert!(matches!(
            siret(&text("12345678912345")),
            Err(ValueError::Siret(_))
        ));
        assert_eq!(siret(&text("")), Err(ValueError::Missing));
    }

    #[test]
    fn dates_read_in_every_form_sheets_hold() {
        let march = day(2026, 3, 12);
        for cell in [
            Cell::Date(march),
            Cell::Number(46093.0),
            Cell::Number(46093.75),
            text("46093"),
            text("12/03/2026"),
            text("12/3/26"),
            text("12.03.2026"),
            text("12-03-2026"),
            text("2026-03-12"),
            text("2026-03-12T00:00:00"),
            text("12/03/2026 00:00:00"),
            text("12 mars 2026"),
            text("12 Mars 2026"),
            text("jeudi 12 mars 2026"),
            text("12-mars-26"),
            text("12 mars 26"),
        ] {
            assert_eq!(date(&cell), Ok(march), "{cell:?}");
        }
        assert_eq!(date(&text("1er août 2026")), Ok(day(2026, 8, 1)));
        assert_eq!(date(&text("1er Août 2026")), Ok(day(2026, 8, 1)));
        assert_eq!(date(&text("2/3/26")), Ok(day(2026, 3, 2)));
        assert_eq!(date(&text("02.03.2026")), Ok(day(2026, 3, 2)));
        assert_eq!(date(&text(" 12\u{a0}mars\u{a0}2026 ")), Ok(march));
        assert_eq!(date(&text("1er aout 2026")), Ok(day(2026, 8, 1)));
        assert_eq!(date(&text("3 févr. 2027")), Ok(day(2027, 2, 3)));
        assert_eq!(date(&text("25 déc 2026")), Ok(day(2026, 12, 25)));
        assert_eq!(date(&text("5/1/85")), Ok(day(1985, 1, 5)));
        assert_eq!(date(&text("5/1/69")), Ok(day(2069, 1, 5)));
        assert_eq!(date(&Cell::Number(61.0)), Ok(day(1900, 3, 1)));
        assert_eq!(
            date(&text("31/02/2026")),
            Err(ValueError::NoSuchDay("31/02/2026".into()))
        );
        for bad in [
            "demain",
            "12 brumaire 2026",
            "2026",
            "12/03",
            "1/2/3/4",
            "12/03/202",
        ] {
            assert!(
                matches!(date(&text(bad)), Err(ValueError::DateFormat(_))),
                "{bad}"
            );
        }
        assert!(date(&Cell::Number(-3.0)).is_err());
        assert!(date(&Cell::Number(1e9)).is_err());
        assert_eq!(date(&Cell::Empty), Err(ValueError::Missing));
    }

    #[test]
    fn code_lists_split_and_normalise() {
        assert_eq!(codes("rs 6550"), ["RS6550"]);
        assert_eq!(codes("344R"), ["344r"]);
        assert_eq!(codes("344R / 333 ; 331r"), ["344r", "333", "331r"]);
        assert_eq!(
            codes("115650/121885, 400635"),
            ["115650", "121885", "400635"]
        );
        assert_eq!(
            codes("115650 121885 400635"),
            ["115650", "121885", "400635"]
        );
        assert_eq!(codes("k2302;n1101"), ["K2302", "N1101"]);
        assert_eq!(codes("RNCP 38510, rs5801"), ["RNCP38510", "RS5801"]);
        assert_eq!(codes(" / ; "), Vec::<String>::new());
        assert_eq!(codes("RS"), ["RS"], "a lone prefix is kept to be refused");
        assert_eq!(codes("RS-6550 ; rs5801"), ["RS6550", "RS5801"]);
        assert_eq!(codes("344 r / 333"), ["344r", "333"]);
        assert_eq!(codes("K2302 N1101 F1703"), ["K2302", "N1101", "F1703"]);
    }

    #[test]
    fn results_read_in_their_usual_words() {
        for word in ["Admis", "admise", "Réussi", "VALIDÉ", "Validée", "acquis"] {
            assert_eq!(outcome(&text(word)), Ok(Some(Outcome::Passed)), "{word}");
        }
        for word in [
            "Non admis",
            "NON-ADMIS",
            "Échec",
            "echec",
            "Ajourné",
            "non validé",
        ] {
            assert_eq!(outcome(&text(word)), Ok(Some(Outcome::Failed)), "{word}");
        }
        for word in ["Réussite", "RÉUSSI"] {
            assert_eq!(outcome(&text(word)), Ok(Some(Outcome::Passed)), "{word}");
        }
        for word in ["Non réussite", "Échoué", "ajournée", "NON ADMISE"] {
            assert_eq!(outcome(&text(word)), Ok(Some(Outcome::Failed)), "{word}");
        }
        for word in ["Absent", "ABS", "absente", "Non présenté"] {
            assert_eq!(outcome(&text(word)), Ok(Some(Outcome::Absent)), "{word}");
        }
        assert_eq!(outcome(&Cell::Empty), Ok(None));
        assert_eq!(outcome(&text("  ")), Ok(None));
        assert_eq!(
            outcome(&text("peut-être")),
            Err(ValueError::Outcome("peut-être".into()))
        );
    }

    #[test]
    fn statuses_tell_leavers_from_workers_in_post() {
        for word in ["Sorti", "SORTIE", "Parti", "inactif", "Départ"] {
            assert_eq!(left(&text(word)), Ok(Some(true)), "{word}");
        }
        for word in ["Actif", "en poste", "Présente"] {
            assert_eq!(left(&text(word)), Ok(Some(false)), "{word}");
        }
        assert_eq!(left(&Cell::Empty), Ok(None));
        assert_eq!(left(&text("CDD")), Err(ValueError::Status("CDD".into())));
    }

    #[test]
    fn folding_ignores_accents_case_and_punctuation() {
        assert_eq!(fold("N° de Sécurité-Sociale"), "n de securite sociale");
        assert_eq!(fold("  Date  d'entrée "), "date d entree");
        assert_eq!(fold("ÉQUIPE"), "equipe");
        assert_eq!(fold("NOM_TITULAIRE"), "nom titulaire");
        assert_eq!(fold("Œuvre"), "oeuvre");
    }

    #[test]
    fn shown_values_are_short_and_inert() {
        assert_eq!(shown("a\u{1b}[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(shown(&"x".repeat(50)).chars().count(), SHOWN_CHARS);
    }
}
