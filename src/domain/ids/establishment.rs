//! Identifiers of companies and training organisations: SIREN, SIRET (Luhn, La Poste's rule)
//! and NDA.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{IdError, IdKind, luhn_valid, parse_digits};

/// SIREN of La Poste, whose establishments' SIRETs follow a digit-sum rule instead of Luhn.
/// Source: InseeFrLab/validinsee https://github.com/inseefrlab/validinsee and python-stdnum
/// issue #291 https://github.com/arthurdejong/python-stdnum/issues/291
const LA_POSTE_SIREN: &str = "356000000";

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fmt;

    fn err<T: FromStr<Err = IdError> + fmt::Debug>(input: &str) -> IdError {
        input.parse::<T>().unwrap_err()
    }

    #[test]
    fn la_poste_siret_follows_validinsee_where_stdnum_differs() {
        // Luhn ok, digit sum 19: valid per validinsee (followed), invalid per python-stdnum.
        assert!("35600000000014".parse::<Siret>().is_ok());
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

    }
}
