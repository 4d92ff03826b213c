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

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::FieldError;

/// SIREN of La Poste, whose establishments' SIRETs follow a digit-sum rule instead of Luhn.
/// Source: InseeFrLab/validinsee https://github.com/inseefrlab/validinsee and python-stdnum
/// issue #291 https://github.com/arthurdejong/python-stdnum/issues/291
const LA_POSTE_SIREN: &str = "356000000";

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
    #[error("{kind} : clé de contrôle {found:02} incorrecte (attendue {expected:02})")]
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

// ---------------------------------------------------------------------------------------------
// NIR
// ---------------------------------------------------------------------------------------------

/// A NIR (numéro de sécurité sociale), stored as its 13 characters without the key, the form
/// the official bulk files carry (domain.md §8).
///
/// Layout and key rule (domain.md §6): first digit, year (2), month (2), department (2 digits,
/// `2A`/`2B` for Corsica), commune (3), order (3), key (2) = 97 − (13-digit number mod 97), with
/// 2A → 19 and 2B → 18. Sources: <https://www.comptavoo.com/Verifier-et-decomposer-un-numero-de-securite-sociale,1070.html> ,
/// <https://wp.publimath.fr/nu010> , provisional numbers:
/// <http://www.lbcd78.fr/2007/02/26/nouveau-module-pour-netvibes-calcul-de-la-cle-du-n%C2%B0-de-securite-sociale/>
///
/// First digit and month as INSEE writes them (domain.md §9: INSEE's published pattern and the
/// French Wikipedia article « Numéro de sécurité sociale en France » [S]; the Assurance Maladie's
/// validator github.com/assurance-maladie-digital/nir-validation is stricter [T]):
/// - first digit 1 or 2 (sex); 3 or 4 for a person born abroad being registered; 7 or 8 for a
///   provisional number (NNP). Any other digit is refused.
/// - month 01–12; 20–42 or 50–99 when the month of birth is unknown or fictitious (incomplete
///   civil records). 00, 13–19 and 43–49 are refused.
///
/// A correct key with an unusual first digit or month is accepted with a warning
/// ([`Nir::warnings`]): refusing a real person's number would block a legal declaration, and the
/// platform checks the pair NIR + birth name against the national register (§8 [T]).
///
/// Input: 13 characters, or 15 with the key, which is then checked. `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nir(String);

/// Group lengths of the displayed NIR: sex, year, month, department, commune, order, key.
const NIR_GROUPS: [usize; 7] = [1, 2, 2, 2, 3, 3, 2];

/// Number of leading groups `masked()` leaves visible (sex, year, month).
const NIR_VISIBLE_GROUPS: usize = 3;

/// Whether `chars[index]` may stand in a NIR body: a digit, or `A`/`B` right after the `2` of
/// a Corsican department.
fn nir_char_allowed(chars: &[char], index: usize) -> bool {
    let character = chars[index];
    character.is_ascii_digit() || (index == 6 && matches!(character, 'A' | 'B') && chars[5] == '2')
}

/// Numeric value of a validated 13-character body, Corsica replaced (2A → 19, 2B → 18).
fn nir_body_value(body: &[char]) -> u64 {
    body.iter().enumerate().fold(0, |acc, (index, &character)| {
        let digit = match (index, character) {
            (5, '2') if matches!(body.get(6), Some('A' | 'B')) => 1,
            (6, 'A') => 9,
            (6, 'B') => 8,
            _ => character.to_digit(10).map_or(0, u64::from),
        };
        acc * 10 + digit
    })
}

/// Key of a validated 13-character body.
fn nir_key(body: &[char]) -> u8 {
    let remainder = nir_body_value(body) % 97;
    // `remainder` is below 97, so the key (1..=97) fits in a u8.
    97 - remainder as u8
}

/// Computes the NIR key (1–97) of the first 13 characters: 97 − (number mod 97), with Corsica's
/// `2A` read as 19 and `2B` as 18 (case-insensitive). `None` unless `first13` is 13 digits (or
/// 2A/2B in the department). Only the key is computed: sex and month are not checked.
pub fn compute_key(first13: &str) -> Option<u8> {
    let chars: Vec<char> = first13.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != 13 || !(0..chars.len()).all(|index| nir_char_allowed(&chars, index)) {
        return None;
    }
    Some(nir_key(&chars))
}

impl Nir {
    /// The 13 characters without the key (department `2A`/`2B` uppercase).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-digit key computed from the 13 characters.
    pub fn key(&self) -> u8 {
        let chars: Vec<char> = self.0.chars().collect();
        nir_key(&chars)
    }

    /// The 15 characters with the key.
    pub fn with_key(&self) -> String {
        format!("{}{:02}", self.0, self.key())
    }

    /// Whether this is a provisional number (first digit 7 or 8).
    pub fn is_provisional(&self) -> bool {
        matches!(self.0.as_bytes().first(), Some(b'7' | b'8'))
    }

    /// What is unusual about this valid NIR, to show beside it without refusing it: a provisional
    /// number, a person born abroad being registered, an unknown or fictitious month (see
    /// [`Nir`] for the rule and its sources).
    pub fn warnings(&self) -> Vec<NirWarning> {
        let mut warnings = Vec::new();
        match self.0.as_bytes().first() {
            Some(b'7' | b'8') => warnings.push(NirWarning::Provisional),
            Some(b'3' | b'4') => warnings.push(NirWarning::BornAbroadBeingRegistered),
            _ => {}
        }
        if let Some(month) = self.0.get(3..5).and_then(|m| m.parse::<u8>().ok())
            && !(1..=12).contains(&month)
        {
            warnings.push(NirWarning::UnknownMonth(month));
        }
        warnings
    }

    /// The grouped number with sex, year and month visible and the rest as bullets:
    /// `1 85 03 •• ••• ••• ••` (for lists; design.md §5).
    pub fn masked(&self) -> String {
        let full = self.with_key();
        group(&full)
            .iter()
            .enumerate()
            .map(|(index, part)| {
                if index < NIR_VISIBLE_GROUPS {
                    (*part).to_owned()
                } else {
                    "•".repeat(part.chars().count())
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Splits a 15-character NIR into its display groups.
fn group(full: &str) -> Vec<&str> {
    let mut parts = Vec::with_capacity(NIR_GROUPS.len());
    let mut start = 0;
    for length in NIR_GROUPS {
        let end = (start + length).min(full.len());
        parts.push(&full[start..end]);
        start = end;
    }
    parts
}

impl fmt::Display for Nir {
    /// The grouped number with its key: `1 85 03 75 112 345 94`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&group(&self.with_key()).join(" "))
    }
}

impl fmt::Debug for Nir {
    /// Masked, so that a NIR never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nir").field(&self.masked()).finish()
    }
}

impl FromStr for Nir {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::Nir;
        let chars: Vec<char> = compact(input, true)
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if chars.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        if let Some(index) = (0..chars.len()).find(|&index| !nir_char_allowed(&chars, index)) {
            return Err(IdError::InvalidCharacter {
                kind: KIND,
                character: chars[index],
                expected: "chiffres attendus, ou 2A/2B pour un département de Corse",
            });
        }
        if chars.len() != 13 && chars.len() != 15 {
            let all_digits = chars.iter().all(char::is_ascii_digit);
            return Err(IdError::InvalidLength {
                kind: KIND,
                found: chars.len(),
                unit: if all_digits {
                    "chiffres"
                } else {
                    "caractères"
                },
                expected: "13 ou 15",
                received: None,
            });
        }
        if !matches!(chars[0], '1' | '2' | '3' | '4' | '7' | '8') {
            return Err(IdError::InvalidFormat {
                kind: KIND,
                reason: format!(
                    "premier chiffre « {} » impossible (1 ou 2 pour le sexe, 3 ou 4 pour une \
                     personne née à l'étranger en cours d'immatriculation, 7 ou 8 pour un \
                     numéro provisoire)",
                    chars[0]
                ),
            });
        }
        let month: String = chars[3..5].iter().collect();
        let month_valid = match month.parse::<u8>() {
            Ok(value) => matches!(value, 1..=12 | 20..=42 | 50..=99),
            Err(_) => false,
        };
        if !month_valid {
            return Err(IdError::InvalidFormat {
                kind: KIND,
                reason: format!(
                    "mois « {month} » impossible (01 à 12, ou 20 à 42 et 50 à 99 pour un mois \
                     inconnu ou fictif)"
                ),
            });
        }
        let (body, key) = chars.split_at(13);
        if let [tens, units] = key {
            let found = tens.to_digit(10).unwrap_or(0) * 10 + units.to_digit(10).unwrap_or(0);
            let expected = nir_key(body);
            if found != u32::from(expected) {
                return Err(IdError::InvalidKey {
                    kind: KIND,
                    // Two digits: at most 99.
                    found: found as u8,
                    expected,
                });
            }
        }
        Ok(Self(body.iter().collect()))
    }
}

/// Something unusual about a valid NIR: shown to the user, never a refusal (domain.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NirWarning {
    /// First digit 7 or 8: a provisional number (NNP), to replace by the definitive NIR.
    Provisional,
    /// First digit 3 or 4: a person born abroad whose registration is under way.
    BornAbroadBeingRegistered,
    /// Month 20–42 or 50–99: the month of birth is unknown or fictitious.
    UnknownMonth(u8),
}

impl NirWarning {
    /// A stable machine code (`provisional`, `born_abroad`, `unknown_month`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Provisional => "provisional",
            Self::BornAbroadBeingRegistered => "born_abroad",
            Self::UnknownMonth(_) => "unknown_month",
        }
    }
}

impl fmt::Display for NirWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Provisional => f.write_str(
                "numéro provisoire (premier chiffre 7 ou 8) : déclarez le NIR définitif dès \
                 qu'il est connu, la plateforme vérifie le couple NIR et nom de naissance",
            ),
            Self::BornAbroadBeingRegistered => f.write_str(
                "premier chiffre 3 ou 4 : personne née à l'étranger en cours d'immatriculation, \
                 vérifiez le numéro sur sa carte Vitale ou son attestation",
            ),
            Self::UnknownMonth(month) => write!(
                f,
                "mois « {month:02} » : mois de naissance inconnu ou fictif (état civil \
                 incomplet), vérifiez le numéro"
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SIREN, SIRET, NDA
// ---------------------------------------------------------------------------------------------

/// A SIREN: 9 digits with a Luhn check (domain.md §6, INSEE).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Siren {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        let digits = parse_digits(IdKind::Siren, input, true, 9, "9")?;
        if !luhn_valid(&digits) {
            return Err(IdError::InvalidLuhn {
                kind: IdKind::Siren,
                part: "",
            });
        }
        Ok(Self(digits))
    }
}

/// A SIRET: SIREN + 5-digit NIC, 14 digits, Luhn over all 14 (domain.md §6, INSEE), its SIREN
/// part valid too.
///
/// La Poste (SIREN 356000000): when Luhn fails, the SIRET is valid if its digit sum is a
/// multiple of 5. Sources: InseeFrLab/validinsee <https://github.com/inseefrlab/validinsee> and
/// python-stdnum issue #291 <https://github.com/arthurdejong/python-stdnum/issues/291>
///
/// The two sources differ: validinsee (followed here) accepts a La Poste SIRET that passes Luhn
/// OR the digit-sum rule; python-stdnum requires the digit-sum rule for every establishment but
/// the head office, whatever Luhn says, so 35600000000014 (Luhn ok, digit sum 19) is valid here
/// and invalid there (rules audit 2026-12, §4). Low impact: the portal checks that the SIRET
/// exists.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN of the company (first 9 digits).
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

impl FromStr for Siret {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        let digits = parse_digits(IdKind::Siret, input, true, 14, "14")?;
        let siren = &digits[..9];
        if !luhn_valid(siren) {
            return Err(IdError::InvalidLuhn {
                kind: IdKind::Siret,
                part: " du SIREN (9 premiers chiffres)",
            });
        }
        let digit_sum: u32 = digits.bytes().map(|b| u32::from(b - b'0')).sum();
        let la_poste = siren == LA_POSTE_SIREN && digit_sum.is_multiple_of(5);
        if !luhn_valid(&digits) && !la_poste {
            return Err(IdError::InvalidLuhn {
                kind: IdKind::Siret,
                part: "",
            });
        }
        Ok(Self(digits))
    }
}

/// A numéro de déclaration d'activité of a training organisation: 11 digits, issued by the
/// DREETS; no checksum is known (domain.md §6,
/// <https://www.verp-formation.fr/formations/formations-formateurs/numero-activite.html>).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nda(String);

impl Nda {
    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Nda {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        parse_digits(IdKind::Nda, input, false, 11, "11").map(Self)
    }
}

// ---------------------------------------------------------------------------------------------
// Certification, Formacode, NSF, ROME
// ---------------------------------------------------------------------------------------------

/// The register a [`CertificationCode`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificationKind {
    /// Répertoire national des certifications professionnelles (`RNCP38510`).
    Rncp,
    /// Répertoire spécifique (`RS5801`).
    Rs,
    /// Certif Info number (digits only).
    CertifInfo,
}

/// A certification code: `RNCP` or `RS` followed by 3 to 5 digits (accepted range is an
/// inference, domain.md §6; <https://francecompetences.fr/recherche/rncp/38510>), or a Certif Info
/// number of 1 to 6 digits (<https://c0mm0.com/entry/api-certif-info>). Prefixes are accepted in
/// any case and stored uppercase.
///
/// The bulk files' `CERTIFICATION_VISEE` must be an RS code (domain.md §8): check
/// [`CertificationCode::is_rs`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificationCode {
    kind: CertificationKind,
    text: String,
}

impl CertificationCode {
    /// The canonical code (`RNCP38510`, `RS5801`, `12345`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The register the code belongs to.
    pub fn kind(&self) -> CertificationKind {
        self.kind
    }

    /// Whether this is an RS code (répertoire spécifique).
    pub fn is_rs(&self) -> bool {
        self.kind == CertificationKind::Rs
    }

    /// Whether this is an RNCP code.
    pub fn is_rncp(&self) -> bool {
        self.kind == CertificationKind::Rncp
    }
}

impl FromStr for CertificationCode {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::CertificationCode;
        let text = compact(input, false).to_ascii_uppercase();
        if text.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        let (kind, number, expected, max) = if let Some(number) = text.strip_prefix("RNCP") {
            (CertificationKind::Rncp, number, "3 à 5", 5)
        } else if let Some(number) = text.strip_prefix("RS") {
            (CertificationKind::Rs, number, "3 à 5", 5)
        } else if text.starts_with(|c: char| c.is_ascii_digit()) {
            (CertificationKind::CertifInfo, text.as_str(), "1 à 6", 6)
        } else {
            return Err(IdError::InvalidFormat {
                kind: KIND,
                reason: format!(
                    "« {text} » : RNCP ou RS suivi de 3 à 5 chiffres, ou numéro Certif Info \
                     (1 à 6 chiffres) attendu"
                ),
            });
        };
        require_digits(KIND, number, "chiffres attendus après RNCP ou RS")?;
        let min = if kind == CertificationKind::CertifInfo {
            1
        } else {
            3
        };
        if !(min..=max).contains(&number.len()) {
            return Err(IdError::InvalidLength {
                kind: KIND,
                found: number.len(),
                unit: "chiffres",
                expected,
                received: Some(text),
            });
        }
        Ok(Self { kind, text })
    }
}

/// A Formacode (training domain): exactly 5 digits (domain.md §6; e.g. 42829 sauvetage
/// secourisme travail, <https://www.francecompetences.fr/recherche/rs/5801/>).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Formacode(String);

impl Formacode {
    /// The 5 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Formacode {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        parse_digits(IdKind::Formacode, input, false, 5, "5").map(Self)
    }
}

/// An NSF code (nomenclature des spécialités de formation): 3 digits and an optional lowercase
/// letter, e.g. `344r`, `333` (domain.md §6, France compétences fiches).
///
/// An uppercase letter is accepted and normalised to lowercase (`344R` → `344r`): the letter's
/// case carries no meaning, and the canonical form written out is always the official one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nsf(String);

impl Nsf {
    /// The code, letter lowercase.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Nsf {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::Nsf;
        let text = compact(input, false).to_ascii_lowercase();
        if text.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        let count = text.chars().count();
        if !(3..=4).contains(&count) {
            return Err(IdError::InvalidLength {
                kind: KIND,
                found: count,
                unit: "caractères",
                expected: "3 ou 4",
                received: Some(text),
            });
        }
        for (index, character) in text.chars().enumerate() {
            if index < 3 && !character.is_ascii_digit() {
                return Err(IdError::InvalidCharacter {
                    kind: KIND,
                    character,
                    expected: "3 chiffres attendus, puis une lettre facultative",
                });
            }
            if index == 3 && !character.is_ascii_lowercase() {
                return Err(IdError::InvalidCharacter {
                    kind: KIND,
                    character,
                    expected: "une lettre attendue après les 3 chiffres",
                });
            }
        }
        Ok(Self(text))
    }
}

/// A transferable skill (`COMPETENCE_TRANSFERABLE`): either a ROME métier code, one uppercase
/// letter and 4 digits (`K2302`), or a numeric ROME 4.0 competence code of 1 to 7 digits
/// (`115650`). Both are supported (domain.md §6). A lowercase letter is stored uppercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Competence(String);

impl Competence {
    /// The canonical code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a ROME métier code (`K2302`) rather than a numeric competence code.
    pub fn is_rome_metier(&self) -> bool {
        self.0.starts_with(|c: char| c.is_ascii_uppercase())
    }

    /// A warning for a ROME métier code: the portal appears to expect numeric ROME 4.0 competence
    /// codes and checks that they exist (domain.md §6 and §8 [T]), so a métier code is accepted
    /// but may be refused there.
    pub fn warning(&self) -> Option<String> {
        self.is_rome_metier().then(|| {
            format!(
                "« {} » est un code métier ROME (lettre et 4 chiffres) : la plateforme attend \
                 des codes de compétences ROME 4.0 numériques (ex. 115650) et vérifie qu'ils \
                 existent [T] ; à vérifier",
                self.0
            )
        })
    }
}

impl FromStr for Competence {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::Competence;
        let text = compact(input, false).to_ascii_uppercase();
        let Some(first) = text.chars().next() else {
            return Err(IdError::Empty { kind: KIND });
        };
        let (digits, expected, lengths) = if first.is_ascii_uppercase() {
            (&text[1..], "5", 4..=4)
        } else {
            (text.as_str(), "1 à 7", 1..=7)
        };
        require_digits(
            KIND,
            digits,
            "une lettre et 4 chiffres (code métier) ou 1 à 7 chiffres attendus",
        )?;
        if !lengths.contains(&digits.len()) {
            return Err(IdError::InvalidLength {
                kind: KIND,
                found: text.chars().count(),
                unit: "caractères",
                expected,
                received: Some(text),
            });
        }
        Ok(Self(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err<T: FromStr<Err = IdError> + fmt::Debug>(input: &str) -> IdError {
        input.parse::<T>().unwrap_err()
    }

    // ----- NIR -----

    #[test]
    fn nir_with_valid_key_parses_to_13_characters() {
        let nir: Nir = "185037511234594".parse().unwrap();
        assert_eq!(nir.as_str(), "1850375112345");
        assert_eq!(nir.key(), 94);
        assert_eq!(nir.with_key(), "185037511234594");
        assert!(!nir.is_provisional());
    }

    #[test]
    fn nir_without_key_is_accepted_as_in_bulk_files() {
        let nir: Nir = "2850320012345".parse().unwrap();
        assert_eq!(nir.as_str(), "2850320012345");
        assert_eq!(nir.key(), 67);
        assert_eq!(nir.with_key(), "285032001234567");
    }

    #[test]
    fn nir_wrong_key_names_found_and_expected_without_leaking_the_number() {
        let error = err::<Nir>("185037511234512");
        assert_eq!(
            error,
            IdError::InvalidKey {
                kind: IdKind::Nir,
                found: 12,
                expected: 94
            }
        );
        let message = error.to_string();
        assert_eq!(message, "NIR : clé de contrôle 12 incorrecte (attendue 94)");
        assert!(!message.contains("18503"));
        assert_eq!(error.code(), "invalid_key");
    }

    #[test]
    fn nir_key_below_ten_is_written_on_two_digits() {
        // 1 00 01 00 000 058: 1000100000058 mod 97 = 92, key 05.
        assert_eq!(compute_key("1000100000058"), Some(5));
        let nir: Nir = "100010000005805".parse().unwrap();
        assert_eq!(nir.with_key(), "100010000005805");
        assert_eq!(
            err::<Nir>("100010000005806").to_string(),
            "NIR : clé de contrôle 06 incorrecte (attendue 05)"
        );
    }

    #[test]
    fn nir_corsica_2a_and_2b_use_19_and_18() {
        // 185032A012345 → 1850319012345 mod 97 = 50 → key 47.
        assert_eq!(compute_key("185032A012345"), Some(47));
        // 185032B012345 → 1850318012345 mod 97 = 23 → key 74.
        assert_eq!(compute_key("185032B012345"), Some(74));
        let a: Nir = "1 85 03 2A 012 345 47".parse().unwrap();
        assert_eq!(a.as_str(), "185032A012345");
        let b: Nir = "185032b01234574".parse().unwrap();
        assert_eq!(b.as_str(), "185032B012345");
        assert_eq!(b.to_string(), "1 85 03 2B 012 345 74");
        assert_eq!(err::<Nir>("185032A012345 74").code(), "invalid_key");
        assert_eq!(
            err::<Nir>("185032B01234547"),
            IdError::InvalidKey {
                kind: IdKind::Nir,
                found: 47,
                expected: 74
            }
        );
    }

    #[test]
    fn nir_corsica_letters_only_in_the_department() {
        assert_eq!(err::<Nir>("18503A2012345").code(), "invalid_character");
        assert_eq!(err::<Nir>("185031A012345").code(), "invalid_character");
        assert_eq!(err::<Nir>("185032C012345").code(), "invalid_character");
        assert_eq!(compute_key("18503A2012345"), None);
    }

    #[test]
    fn nir_provisional_numbers_7_and_8_are_accepted() {
        let seven: Nir = "785037511234585".parse().unwrap();
        assert!(seven.is_provisional());
        let eight: Nir = "899129912345653".parse().unwrap();
        assert!(eight.is_provisional());
        assert_eq!(eight.key(), 53);
    }

    /// A 15-character NIR with the body `body` and its computed key.
    fn with_key(body: &str) -> String {
        format!("{body}{:02}", compute_key(body).unwrap())
    }

    #[test]
    fn nir_first_digit_follows_insee() {
        // 1/2 sex, 3/4 born abroad being registered, 7/8 provisional: accepted (key checked).
        for first in ['1', '2', '3', '4', '7', '8'] {
            let text = with_key(&format!("{first}850375112345"));
            assert!(text.parse::<Nir>().is_ok(), "first digit {first}");
        }
        // The audit's dry-run line 24: 3850375112345 was refused, it is a legal number.
        let abroad: Nir = "3850375112345".parse().unwrap();
        assert_eq!(abroad.warnings(), [NirWarning::BornAbroadBeingRegistered]);
        for first in ['0', '5', '6', '9'] {
            let error = err::<Nir>(&format!("{first}850375112345"));
            assert_eq!(error.code(), "invalid_format", "first digit {first}");
            assert!(error.to_string().contains("premier chiffre"));
        }
    }

    #[test]
    fn nir_month_follows_insee() {
        for month in ["01", "12", "20", "42", "50", "60", "98", "99"] {
            let nir: Nir = with_key(&format!("185{month}75112345")).parse().unwrap();
            let unusual = !matches!(month, "01" | "12");
            assert_eq!(
                nir.warnings()
                    .contains(&NirWarning::UnknownMonth(month.parse().unwrap())),
                unusual,
                "month {month}"
            );
        }
        for month in ["00", "13", "19", "43", "49"] {
            let error = err::<Nir>(&format!("185{month}75112345"));
            assert_eq!(
                error.to_string(),
                format!(
                    "NIR : mois « {month} » impossible (01 à 12, ou 20 à 42 et 50 à 99 pour un \
                     mois inconnu ou fictif)"
                )
            );
            assert_eq!(error.code(), "invalid_format");
        }
    }

    #[test]
    fn nir_warnings_are_french_and_absent_for_an_ordinary_number() {
        let ordinary: Nir = "185037511234594".parse().unwrap();
        assert!(ordinary.warnings().is_empty());
        let provisional: Nir = "785037511234585".parse().unwrap();
        assert_eq!(provisional.warnings(), [NirWarning::Provisional]);
        assert!(provisional.warnings()[0].to_string().contains("provisoire"));
        let both: Nir = with_key("8856075112345").parse().unwrap();
        assert_eq!(
            both.warnings(),
            [NirWarning::Provisional, NirWarning::UnknownMonth(60)]
        );
        assert_eq!(
            NirWarning::UnknownMonth(60).to_string(),
            "mois « 60 » : mois de naissance inconnu ou fictif (état civil incomplet), vérifiez \
             le numéro"
        );
        assert_eq!(NirWarning::BornAbroadBeingRegistered.code(), "born_abroad");
    }

    #[test]
    fn rome_metier_codes_warn_and_competence_codes_do_not() {
        let metier: Competence = "k2302".parse().unwrap();
        let warning = metier.warning().expect("a métier code warns");
        assert!(
            warning.contains("« K2302 » est un code métier ROME"),
            "{warning}"
        );
        let competence: Competence = "115650".parse().unwrap();
        assert_eq!(competence.warning(), None);
    }

    #[test]
    fn la_poste_siret_follows_validinsee_where_stdnum_differs() {
        // Luhn ok, digit sum 19: valid per validinsee (followed), invalid per python-stdnum.
        assert!("35600000000014".parse::<Siret>().is_ok());
    }

    #[test]
    fn nir_length_must_be_13_or_15() {
        let error = err::<Nir>("18503751123459");
        assert_eq!(error.to_string(), "NIR : 14 chiffres, 13 ou 15 attendus");
        assert_eq!(error.code(), "invalid_length");
        assert_eq!(err::<Nir>("185037511234").code(), "invalid_length");
        assert_eq!(err::<Nir>("1850375112345940").code(), "invalid_length");
        assert_eq!(
            err::<Nir>("185032A0123").to_string(),
            "NIR : 11 caractères, 13 ou 15 attendus"
        );
    }

    #[test]
    fn nir_separators_are_stripped() {
        for input in [
            "  1 85 03 75 112 345 94 ",
            "1\u{a0}85\u{a0}03\u{a0}75\u{a0}112\u{a0}345\u{a0}94",
            "1\u{202f}85\u{202f}03 75 112 345 94",
            "1.85.03.75.112.345.94",
            "1-85-03-75-112-345-94",
        ] {
            let nir: Nir = input.parse().unwrap();
            assert_eq!(nir.as_str(), "1850375112345", "input {input:?}");
        }
    }

    #[test]
    fn nir_rejects_letters_and_empty_input() {
        let error = err::<Nir>("1850375112X45");
        assert_eq!(error.code(), "invalid_character");
        assert!(error.to_string().contains("« X »"));
        assert_eq!(err::<Nir>("   "), IdError::Empty { kind: IdKind::Nir });
        assert_eq!(err::<Nir>("").to_string(), "NIR : valeur vide");
    }

    #[test]
    fn nir_display_is_grouped_with_key_and_masked_hides_the_rest() {
        let nir: Nir = "1850375112345".parse().unwrap();
        assert_eq!(nir.to_string(), "1 85 03 75 112 345 94");
        assert_eq!(nir.masked(), "1 85 03 •• ••• ••• ••");
        let debug = format!("{nir:?}");
        assert_eq!(debug, "Nir(\"1 85 03 •• ••• ••• ••\")");
    }

    #[test]
    fn compute_key_rejects_wrong_lengths_and_accepts_lowercase_corsica() {
        assert_eq!(compute_key("1850375112345"), Some(94));
        assert_eq!(compute_key("185032a012345"), Some(47));
        assert_eq!(compute_key("185037511234"), None);
        assert_eq!(compute_key("18503751123456"), None);
        assert_eq!(compute_key("185037511234x"), None);
        assert_eq!(compute_key(""), None);
    }

    // ----- SIREN, SIRET, Luhn, NDA -----

    #[test]
    fn luhn_reference_values() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(luhn_valid("0"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7992739871a"));
    }

    #[test]
    fn siren_valid_and_invalid_examples() {
        let siren: Siren = "732829320".parse().unwrap();
        assert_eq!(siren.as_str(), "732829320");
        assert_eq!(siren.to_string(), "732829320");
        assert!("356 000 000".parse::<Siren>().is_ok());
        let error = err::<Siren>("123456789");
        assert_eq!(
            error.to_string(),
            "SIREN : la clé de contrôle (Luhn) est fausse"
        );
        assert_eq!(error.code(), "invalid_key");
        assert_eq!(
            err::<Siren>("73282932").to_string(),
            "SIREN : 8 chiffres, 9 attendus (« 73282932 » reçu)"
        );
        assert_eq!(err::<Siren>("73282932O").code(), "invalid_character");
        assert_eq!(err::<Siren>(" ").code(), "empty");
    }

    #[test]
    fn siret_valid_examples_and_siren_part() {
        let siret: Siret = "732 829 320 00074".parse().unwrap();
        assert_eq!(siret.as_str(), "73282932000074");
        assert_eq!(siret.siren(), "732829320".parse::<Siren>().unwrap());
        assert!("732.829.320-00074".parse::<Siret>().is_ok());
        assert!("732\u{a0}829\u{a0}320\u{a0}00074".parse::<Siret>().is_ok());
        // La Poste head office: plain Luhn.
        let head_office: Siret = "35600000000048".parse().unwrap();
        assert!(luhn_valid(head_office.as_str()));
        assert_eq!(head_office.siren().as_str(), LA_POSTE_SIREN);
    }

    #[test]
    fn siret_invalid_examples() {
        let error = err::<Siret>("12345678912345");
        assert_eq!(error.code(), "invalid_key");
        assert!(
            error
                .to_string()
                .starts_with("SIRET : la clé de contrôle (Luhn)")
        );
        assert_eq!(
            err::<Siret>("73282932000075").to_string(),
            "SIRET : la clé de contrôle (Luhn) est fausse"
        );
        assert_eq!(err::<Siret>("7328293200007").code(), "invalid_length");
        assert_eq!(err::<Siret>("7328293200007A").code(), "invalid_character");
    }

    /// The first NIC (as 5 digits) after `siren` for which `keep` holds.
    fn first_nic(siren: &str, keep: impl Fn(&str) -> bool) -> String {
        (0..100_000)
            .map(|nic| format!("{siren}{nic:05}"))
            .find(|siret| keep(siret))
            .unwrap()
    }

    fn digit_sum(digits: &str) -> u32 {
        digits.chars().map(|c| c.to_digit(10).unwrap()).sum()
    }

    #[test]
    fn siret_la_poste_passes_on_digit_sum_multiple_of_5() {
        let only_by_five = first_nic(LA_POSTE_SIREN, |s| {
            !luhn_valid(s) && digit_sum(s).is_multiple_of(5)
        });
        assert!(only_by_five.parse::<Siret>().is_ok(), "{only_by_five}");
        let neither = first_nic(LA_POSTE_SIREN, |s| {
            !luhn_valid(s) && !digit_sum(s).is_multiple_of(5)
        });
        assert_eq!(err::<Siret>(&neither).code(), "invalid_key");
    }

    #[test]
    fn siret_digit_sum_rule_is_only_for_la_poste() {
        let other = first_nic("732829320", |s| {
            !luhn_valid(s) && digit_sum(s).is_multiple_of(5)
        });
        assert_eq!(err::<Siret>(&other).code(), "invalid_key");
    }

    #[test]
    fn siret_requires_a_valid_siren_part() {
        let whole_luhn_ok = first_nic("123456789", luhn_valid);
        assert_eq!(
            err::<Siret>(&whole_luhn_ok).to_string(),
            "SIRET : la clé de contrôle (Luhn) du SIREN (9 premiers chiffres) est fausse"
        );
    }

    #[test]
    fn nda_is_11_digits() {
        let nda: Nda = "11 75 12345 75".parse().unwrap();
        assert_eq!(nda.as_str(), "11751234575");
        assert_eq!(err::<Nda>("1175123457").code(), "invalid_length");
        assert_eq!(err::<Nda>("117512345750").code(), "invalid_length");
        assert_eq!(err::<Nda>("1175123457A").code(), "invalid_character");
        assert_eq!(err::<Nda>("").code(), "empty");
    }

    // ----- Certification, Formacode, NSF, ROME -----

    #[test]
    fn certification_codes_of_the_three_registers() {
        let rncp: CertificationCode = "RNCP38510".parse().unwrap();
        assert!(rncp.is_rncp() && !rncp.is_rs());
        assert_eq!(rncp.kind(), CertificationKind::Rncp);
        let rs: CertificationCode = "rs5801".parse().unwrap();
        assert_eq!(rs.as_str(), "RS5801");
        assert!(rs.is_rs() && !rs.is_rncp());
        assert_eq!(
            "RS 715".parse::<CertificationCode>().unwrap().as_str(),
            "RS715"
        );
        assert_eq!(
            "Rs5885".parse::<CertificationCode>().unwrap().to_string(),
            "RS5885"
        );
        let certif_info: CertificationCode = "123456".parse().unwrap();
        assert_eq!(certif_info.kind(), CertificationKind::CertifInfo);
        assert!(!certif_info.is_rs() && !certif_info.is_rncp());
        assert!("7".parse::<CertificationCode>().is_ok());
    }

    #[test]
    fn certification_code_errors() {
        assert_eq!(
            err::<CertificationCode>("RS123456").to_string(),
            "Code de certification : 6 chiffres, 3 à 5 attendus (« RS123456 » reçu)"
        );
        assert_eq!(err::<CertificationCode>("RNCP12").code(), "invalid_length");
        assert_eq!(err::<CertificationCode>("RNCP").code(), "invalid_length");
        assert_eq!(
            err::<CertificationCode>("RNCPABC").code(),
            "invalid_character"
        );
        assert_eq!(err::<CertificationCode>("1234567").code(), "invalid_length");
        let unknown = err::<CertificationCode>("XYZ123");
        assert_eq!(unknown.code(), "invalid_format");
        assert!(unknown.to_string().contains("RNCP ou RS"));
        assert_eq!(err::<CertificationCode>(" ").code(), "empty");
    }

    #[test]
    fn rs_codes_fit_the_bulk_file_limit_of_9_characters() {
        let longest: CertificationCode = "RS12345".parse().unwrap();
        assert!(longest.is_rs() && longest.as_str().len() <= 9);
    }

    #[test]
    fn formacode_is_5_digits() {
        for code in [
            "42829", "42817", "42819", "42866", "42875", "42856", "31407",
        ] {
            assert_eq!(code.parse::<Formacode>().unwrap().as_str(), code);
        }
        let error = err::<Formacode>("4282");
        assert_eq!(
            error.to_string(),
            "Formacode : 4 chiffres, 5 attendus (« 4282 » reçu)"
        );
        assert_eq!(error.code(), "invalid_length");
        assert_eq!(err::<Formacode>("428290").code(), "invalid_length");
        assert_eq!(err::<Formacode>("4282a").code(), "invalid_character");
        assert_eq!(" 42 829 ".parse::<Formacode>().unwrap().as_str(), "42829");
    }

    #[test]
    fn nsf_is_3_digits_and_an_optional_lowercase_letter() {
        for code in ["344r", "333", "331r", "343"] {
            assert_eq!(code.parse::<Nsf>().unwrap().as_str(), code);
        }
        assert_eq!("331R".parse::<Nsf>().unwrap().as_str(), "331r");
        assert_eq!(err::<Nsf>("34").code(), "invalid_length");
        assert_eq!(err::<Nsf>("344rr").code(), "invalid_length");
        assert_eq!(err::<Nsf>("3444").code(), "invalid_character");
        assert_eq!(err::<Nsf>("34r").code(), "invalid_character");
        assert_eq!(err::<Nsf>("344é").code(), "invalid_character");
        assert_eq!(err::<Nsf>("").code(), "empty");
    }

    #[test]
    fn competence_accepts_rome_metier_and_numeric_codes() {
        let metier: Competence = "K2302".parse().unwrap();
        assert!(metier.is_rome_metier());
        assert_eq!("n1101".parse::<Competence>().unwrap().as_str(), "N1101");
        for code in ["115650", "121885", "400635", "1", "1234567"] {
            let competence: Competence = code.parse().unwrap();
            assert!(!competence.is_rome_metier());
            assert_eq!(competence.as_str(), code);
        }
        assert_eq!(err::<Competence>("12345678").code(), "invalid_length");
        assert_eq!(
            err::<Competence>("K230").to_string(),
            "Compétence transférable (code ROME) : 4 caractères, 5 attendus (« K230 » reçu)"
        );
        assert_eq!(err::<Competence>("K23022").code(), "invalid_length");
        assert_eq!(err::<Competence>("KK302").code(), "invalid_character");
        assert_eq!(err::<Competence>("12a4").code(), "invalid_character");
        assert_eq!(err::<Competence>("é1234").code(), "invalid_character");
        assert_eq!(err::<Competence>("").code(), "empty");
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
                .contains("NIR : clé de contrôle 12 incorrecte (attendue 94)")
        );
    }

    // ----- properties -----

    /// A NIR body: sex/provisional, year, valid month, department (maybe Corsican), 6 digits.
    fn nir_body() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!['1', '2', '3', '4', '7', '8']),
            0u8..100,
            prop::sample::select((1u8..=12).chain(20..=42).chain(50..=99).collect::<Vec<_>>()),
            prop_oneof![
                (0u8..100).prop_map(|d| format!("{d:02}")),
                prop::sample::select(vec!["2A".to_owned(), "2B".to_owned()]),
            ],
            0u32..1_000_000,
        )
            .prop_map(|(sex, year, month, department, rest)| {
                format!("{sex}{year:02}{month:02}{department}{rest:06}")
            })
    }

    /// The number the key is computed on, with Corsica substituted, computed independently.
    fn reference_value(body: &str) -> u64 {
        body.replace("2A", "19")
            .replace("2B", "18")
            .parse()
            .unwrap()
    }

    /// Luhn check digit of `prefix`, computed independently of `luhn_valid`.
    fn luhn_check_digit(prefix: &str) -> u32 {
        let sum: u32 = prefix
            .chars()
            .rev()
            .enumerate()
            .map(|(index, c)| {
                let digit = c.to_digit(10).unwrap();
                if index % 2 == 0 {
                    (digit * 2) / 10 + (digit * 2) % 10
                } else {
                    digit
                }
            })
            .sum();
        (10 - sum % 10) % 10
    }

    proptest! {
        #[test]
        fn nir_with_computed_key_parses_and_round_trips(body in nir_body()) {
            let key = compute_key(&body).unwrap();
            prop_assert!((reference_value(&body) + u64::from(key)).is_multiple_of(97));
            let full = format!("{body}{key:02}");
            let nir: Nir = full.parse().unwrap();
            prop_assert_eq!(nir.as_str(), body.as_str());
            prop_assert_eq!(nir.key(), key);
            prop_assert_eq!(nir.with_key(), full);
            prop_assert_eq!(nir.to_string().parse::<Nir>().unwrap(), nir.clone());
            prop_assert_eq!(body.parse::<Nir>().unwrap(), nir.clone());
            prop_assert_eq!(body.to_lowercase().parse::<Nir>().unwrap(), nir);
        }

        #[test]
        fn nir_with_one_digit_changed_fails(
            body in nir_body(),
            position in 0usize..15,
            delta in 1u32..10,
        ) {
            let key = compute_key(&body).unwrap();
            let mut chars: Vec<char> = format!("{body}{key:02}").chars().collect();
            prop_assume!(chars[position].is_ascii_digit());
            let digit = chars[position].to_digit(10).unwrap();
            chars[position] = char::from_digit((digit + delta) % 10, 10).unwrap();
            let changed: String = chars.into_iter().collect();
            let error = changed.parse::<Nir>().unwrap_err();
            let corsican = matches!(body.as_bytes()[6], b'A' | b'B');
            if position == 5 && corsican {
                // 2A/2B no longer follows a 2.
                prop_assert_eq!(error.code(), "invalid_character");
            } else if ![0, 3, 4].contains(&position) {
                // Sex and month may become impossible before the key is looked at; any other
                // change must be caught by the key.
                prop_assert_eq!(error.code(), "invalid_key");
            }
        }

        #[test]
        fn siren_prefix_with_luhn_digit_is_valid_and_one_change_breaks_it(
            prefix in 0u32..100_000_000,
            position in 0usize..9,
            delta in 1u32..10,
        ) {
            let prefix = format!("{prefix:08}");
            let text = format!("{prefix}{}", luhn_check_digit(&prefix));
            let siren: Siren = text.parse().unwrap();
            prop_assert_eq!(siren.as_str(), text.as_str());
            let mut chars: Vec<char> = text.chars().collect();
            let digit = chars[position].to_digit(10).unwrap();
            chars[position] = char::from_digit((digit + delta) % 10, 10).unwrap();
            let changed: String = chars.into_iter().collect();
            prop_assert_eq!(changed.parse::<Siren>().unwrap_err().code(), "invalid_key");
        }

        #[test]
        fn siret_from_valid_siren_and_nic_is_valid(prefix in 0u32..100_000_000, nic in 0u32..10_000) {
            let prefix = format!("{prefix:08}");
            let siren = format!("{prefix}{}", luhn_check_digit(&prefix));
            let body = format!("{siren}{nic:04}");
            let text = format!("{body}{}", luhn_check_digit(&body));
            let siret: Siret = text.parse().unwrap();
            prop_assert_eq!(siret.siren(), Siren(siren));
        }

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

        #[test]
        fn nir_like_inputs_never_panic(input in "[0-9ABab .-]{0,18}") {
            if let Ok(nir) = input.parse::<Nir>() {
                prop_assert_eq!(nir.with_key().parse::<Nir>().unwrap(), nir);
            }
        }
    }
}
