//! The integrity of a declaration against its declarant (issue 18 §6, review finding M7): what
//! the bulk-file rules cannot see because it depends on who declares.
//!
//! - An employer declares the trainings of its own initiative (L.4141-5 as rewritten by loi
//!   2026-534, domain.md §9), so its `SIRET_EMPLOYEUR`, when present, is its own SIRET. A
//!   training organisation declares for its trainees' employers, whatever their SIRET (domain.md
//!   §2, « SIRET de l'employeur, lorsqu'il a financé la formation »): no SIRET rule for it.
//! - The platform checks the pair NIR + birth name and rejects a line whose pair it does not
//!   know (domain.md §8, « Common rules »). A NIR the account already knows (an employer's
//!   worker, an organisation's trainee) under another birth name would be rejected there:
//!   refused here, naming the field, before it is recorded. A NIR the account does not know
//!   passes (only the platform holds the national register).

use super::internal;
use crate::domain::declaration::Declaration;
use crate::domain::declaration::columns::{NOM_TITULAIRE, SIRET_EMPLOYEUR};
use crate::domain::{DeclarantKind, FieldError};
use crate::server::AppState;
use crate::server::problem::ApiProblem;
use crate::server::store::{AccountRow, fold};

/// The 422 of every titulaire of `declaration` that `account` may not declare: another SIRET
/// for an employer, a birth name that is not the one the account knows for that NIR.
pub(super) async fn declarant_checks(
    state: &AppState,
    account: &AccountRow,
    declaration: &Declaration,
) -> Result<(), ApiProblem> {
    let mut errors = siret_errors(account, declaration);
    let nirs: Vec<&str> = declaration
        .titulaires
        .iter()
        .map(|t| t.nir.as_str())
        .collect();
    let known = state
        .store()
        .birth_names(account, &nirs)
        .await
        .map_err(internal)?;
    for (index, titulaire) in declaration.titulaires.iter().enumerate() {
        let Some(known) = known.get(titulaire.nir.trim()) else {
            continue;
        };
        if comparable(known) != comparable(&titulaire.nom_titulaire) {
            let whom = match account.kind {
                DeclarantKind::Employeur => "un de vos salariés",
                DeclarantKind::OrganismeFormation => "un de vos stagiaires",
            };
            errors.push(FieldError::new(
                format!("titulaires[{index}].{NOM_TITULAIRE}"),
                "name_mismatch",
                format!(
                    "ce NIR est celui d'{whom}, de nom de naissance « {} » : « {} » ne \
                     correspond pas (la plateforme rejette une paire NIR et nom de naissance \
                     qu'elle ne connaît pas) ; corrigez le nom ou le NIR",
                    known.trim(),
                    titulaire.nom_titulaire.trim()
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// The field errors of an employer's titulaires whose `SIRET_EMPLOYEUR` is not its own.
fn siret_errors(account: &AccountRow, declaration: &Declaration) -> Vec<FieldError> {
    if account.kind != DeclarantKind::Employeur {
        return Vec::new();
    }
    declaration
        .titulaires
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            let siret = digits(&t.siret_employeur);
            !siret.is_empty() && siret != digits(&account.siret)
        })
        .map(|(index, t)| {
            FieldError::new(
                format!("titulaires[{index}].{SIRET_EMPLOYEUR}"),
                "not_own_siret",
                format!(
                    "SIRET_EMPLOYEUR {} n'est pas le SIRET de votre compte ({}) : un employeur \
                     ne déclare que pour lui-même ; la formation d'un organisme de formation \
                     est déclarée par cet organisme",
                    digits(&t.siret_employeur),
                    account.siret
                ),
            )
        })
        .collect()
}

/// The digits of a SIRET as typed (spaces allowed).
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A birth name as compared: case, accents, spaces, hyphens and apostrophes aside.
fn comparable(name: &str) -> String {
    fold(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_accents_or_separators() {
        assert_eq!(comparable("Le Goff"), comparable("LE-GOFF"));
        assert_eq!(comparable("Hélène d'Arc"), comparable("HELENE DARC"));
        assert_ne!(comparable("LE GOFF"), comparable("FAUX"));
    }

    #[test]
    fn a_siret_reads_with_or_without_spaces() {
        assert_eq!(digits("412 873 960 00022"), "41287396000022");
    }
}
