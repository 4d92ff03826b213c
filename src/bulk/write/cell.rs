//! How each official column of one titulaire's line is written, and what a value must not hold
//! (separators, line breaks, a start a spreadsheet would compute, an unreadable identifier).

use std::str::FromStr;

use chrono::NaiveDate;

use crate::bulk::{BulkError, DATE_FORMAT, Layout, NO, Place, SEPARATOR, VALUE_SEPARATOR, YES};
use crate::domain::declaration::{Declaration, Titulaire, columns::*};
use crate::domain::ids::{CertificationCode, Competence, Formacode, IdError, Nir, Nsf, Siret};

/// The cells of one titulaire's line, in the layout's column order.
pub(super) fn line(
    layout: Layout,
    declaration: &Declaration,
    titulaire: &Titulaire,
    line: usize,
    rank: usize,
) -> Result<Vec<String>, BulkError> {
    layout
        .columns()
        .iter()
        .map(|&column| {
            let at = Place {
                line,
                titulaire: rank,
                column,
            };
            cell(declaration, titulaire, column)?.render(at)
        })
        .collect()
}

/// A multi-valued code column and how to read each value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codes {
    /// ROME competence codes.
    Competence,
    /// Formacodes.
    Formacode,
    /// NSF codes.
    Nsf,
}

impl Codes {
    /// The canonical form of one code.
    fn canonical(self, value: &str) -> Result<String, IdError> {
        match self {
            Self::Competence => canonical(value, Competence::as_str),
            Self::Formacode => canonical(value, Formacode::as_str),
            Self::Nsf => canonical(value, Nsf::as_str),
        }
    }
}

/// Parses an identifier and returns its canonical text.
fn canonical<T: FromStr<Err = IdError>>(
    value: &str,
    as_str: fn(&T) -> &str,
) -> Result<String, IdError> {
    value.parse::<T>().map(|parsed| as_str(&parsed).to_owned())
}

/// One column's value for one titulaire, before formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cell<'a> {
    /// Free text, trimmed.
    Text(&'a str),
    /// A date, `jj/mm/aaaa`; empty when absent.
    Date(Option<NaiveDate>),
    /// OUI/NON; empty when absent.
    Flag(Option<bool>),
    /// An official token (`as_code()`); empty when absent.
    Token(Option<&'static str>),
    /// Codes joined with `/`.
    Codes(&'a [String], Codes),
    /// A NIR, written in 13 characters.
    Nir(&'a str),
    /// A SIRET, written in 14 digits.
    Siret(&'a str),
    /// A certification code, written in its canonical form.
    Certification(&'a str),
}

/// The value of `column` for `titulaire` of `declaration`.
pub(super) fn cell<'a>(
    declaration: &'a Declaration,
    titulaire: &'a Titulaire,
    column: &str,
) -> Result<Cell<'a>, BulkError> {
    let d = declaration;
    Ok(match column {
        ID_DECLARATION => Cell::Text(&d.id_declaration),
        REFERENCE_DECLARATION => Cell::Text(&d.reference_declaration),
        ID_UNIQUE_PARTENAIRE => Cell::Text(&titulaire.id_unique_partenaire),
        TYPE_JDR => Cell::Token(d.type_jdr.map(|value| value.as_code())),
        NOM_JDR => Cell::Text(&d.nom_jdr),
        NOM_OPTION_SPECIALITE => Cell::Text(&d.nom_option_specialite),
        MODE_OBTENTION => Cell::Token(d.mode_obtention.map(|value| value.as_code())),
        COMPETENCE_TRANSFERABLE => Cell::Codes(&d.competence_transferable, Codes::Competence),
        PRESENCE_FORMATION => Cell::Flag(d.presence_formation),
        NOM_FORMATION => Cell::Text(&d.nom_formation),
        DATE_DEBUT_FORMATION => Cell::Date(d.date_debut_formation),
        DATE_FIN_FORMATION => Cell::Date(d.date_fin_formation),
        MODALITE_DISPENSE => Cell::Token(d.modalite_dispense.map(|value| value.as_code())),
        QUALIFICATION_FORMATEUR => {
            Cell::Token(d.qualification_formateur.map(|value| value.as_code()))
        }
        FORMATION_CERTIFIANTE => Cell::Flag(d.formation_certifiante),
        CERTIFICATION_VISEE => Cell::Certification(&d.certification_visee),
        DOMAINE_FORMATION => Cell::Codes(&d.domaine_formation, Codes::Formacode),
        SPECIALITE_FORMATION => Cell::Codes(&d.specialite_formation, Codes::Nsf),
        NIR => Cell::Nir(&titulaire.nir),
        NOM_TITULAIRE => Cell::Text(&titulaire.nom_titulaire),
        PRESENCE_EMPLOYEUR => Cell::Flag(titulaire.presence_employeur),
        SIRET_EMPLOYEUR => Cell::Siret(&titulaire.siret_employeur),
        REFERENCE_EMPLOYEUR => Cell::Text(&titulaire.reference_employeur),
        DATE_DEBUT_VALIDITE => Cell::Date(d.date_debut_validite),
        DATE_FIN_VALIDITE => Cell::Date(d.date_fin_validite),
        RESULTAT_OBTENU => Cell::Text(&d.resultat_obtenu),
        MENTION_OBTENUE => Cell::Text(&d.mention_obtenue),
        LIEN_PREUVE => Cell::Text(&d.lien_preuve),
        IDENTIFIANT_PREUVE => Cell::Text(&d.identifiant_preuve),
        other => {
            return Err(BulkError::UnknownColumn {
                column: other.to_owned(),
            });
        }
    })
}

impl Cell<'_> {
    /// The text written in the file, or why `at` cannot be written.
    fn render(self, at: Place) -> Result<String, BulkError> {
        match self {
            Self::Text(value) => {
                check_characters(value, at)?;
                Ok(value.trim().to_owned())
            }
            Self::Date(date) => {
                Ok(date.map_or_else(String::new, |date| date.format(DATE_FORMAT).to_string()))
            }
            Self::Flag(flag) => Ok(match flag {
                Some(true) => YES,
                Some(false) => NO,
                None => "",
            }
            .to_owned()),
            Self::Token(token) => Ok(token.unwrap_or_default().to_owned()),
            Self::Codes(values, codes) => {
                let mut written = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    check_characters(value, at)?;
                    if value.contains(VALUE_SEPARATOR) {
                        return Err(BulkError::ValueSeparator {
                            at,
                            position: index + 1,
                        });
                    }
                    written.push(
                        codes
                            .canonical(value)
                            .map_err(|source| BulkError::InvalidIdentifier { at, source })?,
                    );
                }
                Ok(written.join(&VALUE_SEPARATOR.to_string()))
            }
            Self::Nir(value) => identifier(value, at, |text| {
                text.parse::<Nir>().map(|nir| nir.as_str().to_owned())
            }),
            Self::Siret(value) => identifier(value, at, |text| canonical(text, Siret::as_str)),
            Self::Certification(value) => {
                identifier(value, at, |text| canonical(text, CertificationCode::as_str))
            }
        }
    }
}

/// An optional identifier column: empty stays empty, anything else is written canonical.
fn identifier(
    value: &str,
    at: Place,
    parse: impl FnOnce(&str) -> Result<String, IdError>,
) -> Result<String, BulkError> {
    check_characters(value, at)?;
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    parse(value).map_err(|source| BulkError::InvalidIdentifier { at, source })
}

/// Whether a character ends a line for some reader: CR, LF, and the other Unicode line breaks
/// (vertical tab, form feed, NEL, line and paragraph separators) that line-splitting tools honour.
fn is_line_break(character: char) -> bool {
    matches!(
        character,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Refuses a value that would shift the columns (`|`), split the line, or, written trimmed,
/// be computed by a spreadsheet opening the file ([`crate::formula`]: the official bytes are
/// kept, so the value is refused rather than neutralised).
fn check_characters(value: &str, at: Place) -> Result<(), BulkError> {
    if value.contains(SEPARATOR) {
        return Err(BulkError::ColumnSeparator { at });
    }
    if value.chars().any(is_line_break) {
        return Err(BulkError::LineBreak { at });
    }
    let written = value.trim();
    if crate::formula::is_formula_like(written)
        && let Some(first) = written.chars().next()
    {
        return Err(BulkError::FormulaStart { at, first });
    }
    Ok(())
}
