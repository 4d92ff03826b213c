//! The training-record form (`POST /v1/workers/{id}/trainings`): the type picked from the
//! catalogue with fuzzy narrowing, the dates and where the certificate comes from.

use super::{Choice, Input, InputKind, StaffForm};
use crate::api::contract::NewTrainingRecord;
use crate::domain::training::TrainingType;

/// The empty form; the choices come with the catalogue ([`choices`]).
pub fn new_form() -> StaffForm {
    StaffForm::new(
        "Ajouter une formation",
        vec![
            Input::new("training_code", "Type de formation", InputKind::Pick, true),
            Input::new("end_date", "Fin de la formation", InputKind::Date, true),
            Input::new(
                "validity_start",
                "Début de validité",
                InputKind::Date,
                false,
            ),
            Input::new("validity_end", "Fin de validité", InputKind::Date, false),
            Input::new(
                "organisme",
                "Organisme de formation",
                InputKind::Text,
                false,
            ),
            Input::new("reference", "Référence", InputKind::Text, false),
        ],
    )
}

/// The catalogue as choices: its code, its title.
pub fn choices(catalogue: &[TrainingType]) -> Vec<Choice> {
    catalogue
        .iter()
        .map(|t| Choice {
            code: t.code.clone(),
            label: t.title.clone(),
        })
        .collect()
}

/// The body of the POST (the form checked): the chosen type's code.
pub fn new_record(form: &StaffForm) -> NewTrainingRecord {
    NewTrainingRecord {
        training_code: form.chosen().map(|c| c.code.clone()).unwrap_or_default(),
        end_date: form.date("end_date"),
        validity_start: form.date("validity_start"),
        validity_end: form.date("validity_end"),
        organisme: form.optional("organisme"),
        reference: form.optional("reference"),
    }
}
