//! Parsed identifiers of the Passeport de prévention (domain.md §6): NIR, SIREN, SIRET, NDA,
//! certification codes (RNCP, RS, Certif Info), Formacode, NSF and transferable skills (ROME).
//!
//! Parsing is lenient on presentation and strict on content: the input is trimmed, spaces (also
//! non-breaking ones) are removed anywhere, and for NIR, SIREN and SIRET dots and dashes too;
//! letters are case-normalised (`2a` → `2A`, `rs5801` → `RS5801`, `k2302` → `K2302`,
//! `344R` → `344r`). Each type then holds one canonical compact form, returned by `as_str()` and
//! used as its serde representation, so a value read back is always valid.
//!
//! The NIR is personal data: no error message and no `Debug` output ever shows it in full.
//!
//! This module holds what every identifier shares (kinds, errors, digit and Luhn checks, string
//! conversions); each identifier lives in a child module (`nir`; `establishment` for SIREN,
//! SIRET and NDA; `codes` for certification, Formacode, NSF and ROME) and is re-exported here.

use std::fmt;

use thiserror::Error;

use super::FieldError;

mod codes;
mod establishment;
mod nir;

pub use codes::{CertificationCode, CertificationKind, Competence, Formacode, Nsf};
pub use establishment::{Nda, Siren, Siret};
pub use nir::{MaskedNir, Nir, NirWarning, compute_key};

/// Which identifier an [`IdError`] is about; its `Display` is the French name used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// Numéro d'inscription au répertoire (numéro de sécurité sociale).
    Nir,
    /// SIREN of a company.
    Siren,
    /// SIRET of an establishment.
    Siret,
    /// Numéro de déclaration d'activité of a training organisation.
    Nda,
    /// RNCP, RS or Certif Info code of a certification.
    CertificationCode,
    /// Formacode (training domain).
    Formacode,
    /// NSF code (training specialty).
    Nsf,
    /// Transferable skill (ROME code).
    Competence,
}

impl IdKind {
    /// French name of the identifier, as shown at the start of every error message.
    pub fn label(self) -> &'static str {
        match self {
            Self::Nir => "NIR",
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
            Self::Nda => "NDA",
            Self::CertificationCode => "Code de certification",
            Self::Formacode => "Formacode",
            Self::Nsf => "NSF",
            Self::Competence => "Compétence transférable (code ROME)",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an identifier was rejected; messages are in French and name the identifier.
///
/// Messages about a NIR never repeat the number itself (personal data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Nothing left once spaces are removed.
    #[error("{kind} : valeur vide")]
    Empty {
        /// The identifier concerned.
        kind: IdKind,
    },
    /// Wrong number of characters.
    #[error("{kind} : {found} {unit}, {expected} attendus{}", received_suffix(.received.as_deref()))]
    InvalidLength {
        /// The identifier concerned.
        kind: IdKind,
        /// Number of characters received, separators removed.
        found: usize,
        /// What was counted: `chiffres` or `caractères`.
        unit: &'static str,
        /// The accepted lengths, in French (`13 ou 15`, `3 à 5`…).
        expected: &'static str,
        /// The compact value received, echoed in the message; `None` for a NIR.
        received: Option<String>,
    },
    /// A character that has no place in this identifier.
    #[error("{kind} : caractère « {character} » non autorisé ({expected})")]
    InvalidCharacter {
        /// The identifier concerned.
        kind: IdKind,
        /// The first offending character.
        character: char,
        /// What is expected instead, in French.
        expected: &'static str,
    },
    /// The NIR key (2 digits) does not match the 13 digits before it.
    /// The message gives neither key: the expected one would invite "fixing" the key instead
    /// of the mistyped digit (UX review 2026-12, finding 25).
    #[error("{kind} : clé incorrecte : vérifiez les 13 premiers chiffres et la clé")]
    InvalidKey {
        /// The identifier concerned.
        kind: IdKind,
        /// The key received.
        found: u8,
        /// The key computed from the first 13 characters.
        expected: u8,
    },
    /// A SIREN or SIRET failing its Luhn check.
    #[error("{kind} : la clé de contrôle (Luhn){part} est fausse")]
    InvalidLuhn {
        /// The identifier concerned.
        kind: IdKind,
        /// Which part fails, in French, with a leading space; empty for the whole number.
        part: &'static str,
    },
    /// Right characters and length, but a component is impossible (NIR month, prefix…).
    #[error("{kind} : {reason}")]
    InvalidFormat {
        /// The identifier concerned.
        kind: IdKind,
        /// What is wrong, in French.
        reason: String,
    },
}

fn received_suffix(received: Option<&str>) -> String {
    received.map_or_else(String::new, |value| format!(" (« {value} » reçu)"))
}

impl IdError {
    /// Stable machine code: `empty`, `invalid_length`, `invalid_character`, `invalid_key` or
    /// `invalid_format`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty",
            Self::InvalidLength { .. } => "invalid_length",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::InvalidKey { .. } | Self::InvalidLuhn { .. } => "invalid_key",
            Self::InvalidFormat { .. } => "invalid_format",
        }
    }

    /// The identifier this error is about.
    pub fn kind(&self) -> IdKind {
        match self {
            Self::Empty { kind }
            | Self::InvalidLength { kind, .. }
            | Self::InvalidCharacter { kind, .. }
            | Self::InvalidKey { kind, .. }
            | Self::InvalidLuhn { kind, .. }
            | Self::InvalidFormat { kind, .. } => *kind,
        }
    }

    /// This error as a [`FieldError`] on `field` (e.g. `titulaires[0].NIR`).
    pub fn to_field_error(&self, field: impl Into<String>) -> FieldError {
        FieldError::new(field, self.code(), self.to_string())
    }
}

/// Removes whitespace (any Unicode space, non-breaking ones included) and, when asked, the dots
/// and dashes people put between groups of digits.
fn compact(input: &str, strip_punctuation: bool) -> String {
    input
        .chars()
        .filter(|c| !(c.is_whitespace() || (strip_punctuation && matches!(c, '.' | '-'))))
        .collect()
}

/// Parses an all-digits identifier of exactly `length` digits.
fn parse_digits(
    kind: IdKind,
    input: &str,
    strip_punctuation: bool,
    length: usize,
    expected: &'static str,
) -> Result<String, IdError> {
    let text = compact(input, strip_punctuation);
    if text.is_empty() {
        return Err(IdError::Empty { kind });
    }
    require_digits(kind, &text, "chiffres attendus")?;
    if text.len() != length {
        return Err(IdError::InvalidLength {
            kind,
            found: text.len(),
            unit: "chiffres",
            expected,
            received: Some(text),
        });
    }
    Ok(text)
}

/// Fails on the first character of `text` that is not an ASCII digit.
fn require_digits(kind: IdKind, text: &str, expected: &'static str) -> Result<(), IdError> {
    match text.chars().find(|c| !c.is_ascii_digit()) {
        Some(character) => Err(IdError::InvalidCharacter {
            kind,
            character,
            expected,
        }),
        None => Ok(()),
    }
}

/// Luhn check (ISO/IEC 7812-1) over a string of ASCII digits; `false` if empty or not all
/// digits. Used for SIREN and SIRET (domain.md §6, INSEE).
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Implements the string conversions serde uses (`try_from = "String"`, `into = "String"`).
macro_rules! string_conversions {
    ($($id:ident),* $(,)?) => {$(
        impl TryFrom<String> for $id {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, IdError> {
                value.parse()
            }
        }

        impl From<$id> for String {
            fn from(id: $id) -> String {
                id.as_str().to_owned()
            }
        }
    )*};
}

/// Displays the canonical compact form.
macro_rules! display_as_str {
    ($($id:ident),* $(,)?) => {$(
        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

string_conversions!(
    Nir,
    Siren,
    Siret,
    Nda,
    CertificationCode,
    Formacode,
    Nsf,
    Competence
);
display_as_str!(
    Siren,
    Siret,
    Nda,
    CertificationCode,
    Formacode,
    Nsf,
    Competence
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::str::FromStr;

    fn err<T: FromStr<Err = IdError> + fmt::Debug>(input: &str) -> IdError {
        input.parse::<T>().unwrap_err()
    }

    #[test]
    fn luhn_reference_values() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(luhn_valid("0"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7992739871a"));
    }

    #[test]
    fn error_becomes_a_field_error() {
        let field = err::<Formacode>("4282").to_field_error("DOMAINE_FORMATION");
        assert_eq!(
            field,
            FieldError::new(
                "DOMAINE_FORMATION",
                "invalid_length",
                "Formacode : 4 chiffres, 5 attendus (« 4282 » reçu)"
            )
        );
        assert_eq!(err::<Siret>("1").kind(), IdKind::Siret);
    }

    // ----- serde -----

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Record {
        nir: Nir,
        siren: Siren,
        siret: Siret,
        nda: Nda,
        certification: CertificationCode,
        formacode: Formacode,
        nsf: Nsf,
        competence: Competence,
    }

    #[test]
    fn serde_uses_the_canonical_string_and_round_trips() {
        let text = r#"
            nir = "1 85 03 75 112 345 94"
            siren = "732 829 320"
            siret = "732.829.320-00074"
            nda = "11 75 12345 75"
            certification = "rs5801"
            formacode = "42829"
            nsf = "344R"
            competence = "k2302"
        "#;
        let record: Record = toml::from_str(text).unwrap();
        let value = toml::Value::try_from(&record).unwrap();
        let table = value.as_table().unwrap();
        let field = |name: &str| table[name].as_str().unwrap().to_owned();
        assert_eq!(field("nir"), "1850375112345");
        assert_eq!(field("siren"), "732829320");
        assert_eq!(field("siret"), "73282932000074");
        assert_eq!(field("nda"), "11751234575");
        assert_eq!(field("certification"), "RS5801");
        assert_eq!(field("formacode"), "42829");
        assert_eq!(field("nsf"), "344r");
        assert_eq!(field("competence"), "K2302");
        let back: Record = value.try_into().unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn serde_rejects_invalid_values_with_the_french_message() {
        let value = toml::Value::String("185037511234512".to_owned());
        let error = value.try_into::<Nir>().unwrap_err();
        assert!(
            error
                .to_string()
                .contains("NIR : clé incorrecte : vérifiez les 13 premiers chiffres et la clé")
        );
    }

    // ----- properties -----

    proptest! {
        #[test]
        fn parsers_never_panic_and_accept_only_canonical_round_trips(input in "\\PC{0,20}") {
            if let Ok(nir) = input.parse::<Nir>() {
                prop_assert_eq!(nir.as_str().parse::<Nir>().unwrap(), nir);
            }
            if let Ok(siret) = input.parse::<Siret>() {
                prop_assert_eq!(siret.as_str().parse::<Siret>().unwrap(), siret);
            }
            if let Ok(code) = input.parse::<CertificationCode>() {
                prop_assert_eq!(code.as_str().parse::<CertificationCode>().unwrap(), code);
            }
            if let Ok(nsf) = input.parse::<Nsf>() {
                prop_assert_eq!(nsf.as_str().parse::<Nsf>().unwrap(), nsf);
            }
            if let Ok(competence) = input.parse::<Competence>() {
                prop_assert_eq!(competence.as_str().parse::<Competence>().unwrap(), competence);
            }
            let _ = (input.parse::<Siren>(), input.parse::<Nda>(), input.parse::<Formacode>());
        }
    }
}
