//! Whether a declaration may be recorded: the rules of the domain for its declarant on a day,
//! its training type known and not excluded (décret 2022-1712 art. 4-II, the rule cited), and
//! every value writable in the official bulk file. Pure: the server applies it before recording
//! (`POST /v1/declarations`, `…/validate`), `passeport import --dry-run` applies it on the
//! user's machine without sending anything.

use chrono::NaiveDate;

use super::read::TITULAIRE_COLUMNS;
use super::{BulkError, Layout};
use crate::domain::declaration::Declaration;
use crate::domain::training::Catalogue;
use crate::domain::{DeclarantKind, FieldError};

/// Placeholder prefix of identifiers the server assigns, used only to check a declaration
/// before its real identifiers exist.
pub const PLACEHOLDER: &str = "PP-attribution-automatique";

/// Every reason `declaration` cannot be recorded by `declarant` on `today`, field by field
/// (empty: it can). NIRs are taken as given: normalise them first.
pub fn declaration_errors(
    declaration: &Declaration,
    declarant: DeclarantKind,
    today: NaiveDate,
    catalogue: &Catalogue,
) -> Vec<FieldError> {
    let filled = with_placeholders(declaration);
    let mut errors = filled.validate(declarant, today).err().unwrap_or_default();
    errors.extend(training_code_errors(catalogue, declaration));
    if errors.is_empty()
        && let Err(error) =
            super::write(Layout::for_kind(filled.kind), std::slice::from_ref(&filled))
    {
        errors.push(unwritable(&error));
    }
    errors
}

/// The declaration with placeholders for the identifiers the server assigns when they are
/// empty, so validation does not report them missing.
fn with_placeholders(declaration: &Declaration) -> Declaration {
    let mut filled = declaration.clone();
    if filled.id_declaration.trim().is_empty() {
        filled.id_declaration = PLACEHOLDER.to_owned();
    }
    if filled.reference_declaration.trim().is_empty() {
        filled.reference_declaration = PLACEHOLDER.to_owned();
    }
    for (index, titulaire) in filled.titulaires.iter_mut().enumerate() {
        if titulaire.id_unique_partenaire.trim().is_empty() {
            titulaire.id_unique_partenaire = format!("{PLACEHOLDER}-{}", index + 1);
        }
    }
    filled
}

/// The field error of a value the bulk file cannot hold, tied to its column (and titulaire).
fn unwritable(error: &BulkError) -> FieldError {
    let place = match error {
        BulkError::ColumnSeparator { at }
        | BulkError::LineBreak { at }
        | BulkError::ValueSeparator { at, .. }
        | BulkError::InvalidIdentifier { at, .. } => Some(at),
        _ => None,
    };
    let field = match place {
        Some(at) if TITULAIRE_COLUMNS.contains(&at.column) => {
            format!(
                "titulaires[{}].{}",
                at.titulaire.saturating_sub(1),
                at.column
            )
        }
        Some(at) => at.column.to_owned(),
        None => "declaration".to_owned(),
    };
    FieldError::new(field, "unwritable", error.to_string())
}

/// The field errors of `training_code`: unknown in the catalogue, or excluded from the Passeport
/// (décret 2022-1712 art. 4-II), the rule cited.
fn training_code_errors(catalogue: &Catalogue, declaration: &Declaration) -> Vec<FieldError> {
    let Some(code) = declaration.training_code.as_deref() else {
        return Vec::new();
    };
    match catalogue.get(code) {
        None => vec![FieldError::new(
            "training_code",
            "unknown",
            format!(
                "type de formation « {code} » absent du catalogue (voir « passeport catalogue »)"
            ),
        )],
        Some(training) => training
            .exclusion
            .as_ref()
            .map(|exclusion| {
                FieldError::new(
                    "training_code",
                    "excluded",
                    format!(
                        "{} n'est pas à déclarer : {} ({}) {}",
                        training.title,
                        exclusion.reason,
                        exclusion.rule,
                        exclusion.confidence.tag()
                    ),
                )
            })
            .into_iter()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeclarationKind;

    #[test]
    fn placeholders_fill_only_empty_identifiers() {
        let mut declaration = Declaration::new(DeclarationKind::Attestation);
        declaration.reference_declaration = "MA-REF".to_owned();
        declaration.titulaires = vec![Default::default(), Default::default()];
        declaration.titulaires[1].id_unique_partenaire = "L2".to_owned();
        let filled = with_placeholders(&declaration);
        assert_eq!(filled.id_declaration, PLACEHOLDER);
        assert_eq!(filled.reference_declaration, "MA-REF");
        assert_eq!(
            filled.titulaires[0].id_unique_partenaire,
            format!("{PLACEHOLDER}-1")
        );
        assert_eq!(filled.titulaires[1].id_unique_partenaire, "L2");
    }

    #[test]
    fn unwritable_values_are_field_errors_of_their_column() {
        let mut declaration = Declaration::new(DeclarationKind::Attestation);
        declaration.id_declaration = "D|1".to_owned();
        declaration.titulaires = vec![Default::default(), Default::default()];
        declaration.titulaires[1].nom_titulaire = "A|B".to_owned();
        let error =
            super::super::write(Layout::Adf, std::slice::from_ref(&declaration)).unwrap_err();
        assert_eq!(unwritable(&error).field, "ID_DECLARATION");
        declaration.id_declaration = "D1".to_owned();
        let error =
            super::super::write(Layout::Adf, std::slice::from_ref(&declaration)).unwrap_err();
        let field = unwritable(&error);
        assert_eq!(
            (field.field.as_str(), field.code.as_str()),
            ("titulaires[1].NOM_TITULAIRE", "unwritable")
        );
    }
}
