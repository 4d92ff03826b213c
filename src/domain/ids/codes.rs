//! Codes of a declaration's training: certification (RNCP, RS, Certif Info), Formacode, NSF
//! and transferable skills (ROME).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{IdError, IdKind, compact, parse_digits, require_digits};

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
    use std::fmt;

    fn err<T: FromStr<Err = IdError> + fmt::Debug>(input: &str) -> IdError {
        input.parse::<T>().unwrap_err()
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
}
