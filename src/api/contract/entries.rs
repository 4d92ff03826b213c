//! Where a passport entry comes from, and the training records an employer writes itself
//! (`POST/PATCH/DELETE /v1/workers/{id}/trainings…`, docs/model.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Passport;
use crate::domain::DeclarantKind;

/// How a passport entry reached the passport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// A closed training session of the account that delivered it.
    #[default]
    Session,
    /// A training record written by the employer (a certificate from before passeport, a
    /// training whose organisation never declared it).
    Recorded,
    /// A line of a recorded declaration (attestation or justificatif).
    Declared,
}

/// The origin of a passport entry: its identifier (for corrections), its source and who wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntryOrigin {
    /// Identifier of the entry (`/v1/workers/{id}/trainings/{entry_id}` for a training record).
    #[serde(default)]
    pub entry_id: Option<i64>,
    /// How it reached the passport.
    #[serde(default)]
    pub source: EntrySource,
    /// Name of the account that recorded or declared it.
    #[serde(default)]
    pub account_name: Option<String>,
    /// Kind of that account.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub account_kind: Option<DeclarantKind>,
    /// Organisme de formation named by the record, if any.
    #[serde(default)]
    pub organisme: Option<String>,
    /// Reference: the declaration's REFERENCE_DECLARATION, or the record's own reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Day it was recorded or declared.
    #[serde(default)]
    pub recorded_on: Option<NaiveDate>,
    /// The declared training maps to no catalogue type (« type non reconnu », no expiry).
    #[serde(default)]
    pub unrecognised: bool,
}

impl EntryOrigin {
    /// The French line shown under the training: « déclarée par <OF> (réf. …, le …) »,
    /// « enregistrée par <employeur> »; none for a session entry.
    pub fn label(&self) -> Option<String> {
        let who = self.account_name.as_deref().unwrap_or("un compte inconnu");
        let mut text = match self.source {
            EntrySource::Session => return None,
            EntrySource::Recorded => format!("enregistrée par {who}"),
            EntrySource::Declared => format!("déclarée par {who}"),
        };
        let mut details = Vec::new();
        if let Some(reference) = self.reference.as_deref().filter(|r| !r.is_empty()) {
            details.push(format!("réf. {reference}"));
        }
        if let Some(day) = self.recorded_on {
            details.push(format!("le {}", day.format("%d/%m/%Y")));
        }
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        if self.unrecognised {
            text.push_str(" — type non reconnu");
        }
        Some(text)
    }
}

/// `POST /v1/workers/{id}/trainings`: a training record written by the employer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrainingRecord {
    /// Catalogue code of the training type (`GET /v1/catalogue`).
    pub training_code: String,
    /// Last day of the training.
    pub end_date: Option<NaiveDate>,
    /// Start of validity, when the certificate gives one.
    #[serde(default)]
    pub validity_start: Option<NaiveDate>,
    /// End of validity written on the certificate; else computed from the catalogue.
    #[serde(default)]
    pub validity_end: Option<NaiveDate>,
    /// The training organisation that delivered it.
    #[serde(default)]
    pub organisme: Option<String>,
    /// The certificate's number or any reference.
    #[serde(default)]
    pub reference: Option<String>,
}

/// `PATCH /v1/workers/{id}/trainings/{entry_id}`: the fields to change; an absent field is
/// kept, an empty text clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRecordPatch {
    /// Catalogue code of the training type.
    #[serde(default)]
    pub training_code: Option<String>,
    /// Last day of the training.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Start of validity.
    #[serde(default)]
    pub validity_start: Option<NaiveDate>,
    /// End of validity.
    #[serde(default)]
    pub validity_end: Option<NaiveDate>,
    /// The training organisation.
    #[serde(default)]
    pub organisme: Option<String>,
    /// The reference.
    #[serde(default)]
    pub reference: Option<String>,
}

/// `DELETE /v1/workers/{id}/trainings/{entry_id}`: why the record goes (kept in the history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRemoval {
    /// The reason, required (« saisie en double », « mauvais salarié »…).
    pub reason: String,
}

/// The answer of a training-record write: the entry it wrote and the passport as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrainingRecordAnswer {
    /// Identifier of the entry written.
    pub entry_id: i64,
    /// The worker's passport after the write.
    pub passport: Passport,
}

/// One of the employer's training records for a worker, removed ones included (the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrainingRecordView {
    /// Identifier of the entry.
    pub entry_id: i64,
    /// Catalogue code.
    pub training_code: String,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Start of validity.
    pub validity_start: Option<NaiveDate>,
    /// End of validity written on the certificate.
    pub validity_end: Option<NaiveDate>,
    /// The training organisation.
    pub organisme: Option<String>,
    /// The reference.
    pub reference: Option<String>,
    /// Day it was recorded.
    pub recorded_on: Option<NaiveDate>,
    /// Day it was removed, if it was.
    pub removed_on: Option<NaiveDate>,
    /// Why it was removed.
    pub removed_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_entry_names_its_declarant_reference_and_day() {
        let origin = EntryOrigin {
            source: EntrySource::Declared,
            account_name: Some("Formapro".to_owned()),
            reference: Some("REF-12".to_owned()),
            recorded_on: NaiveDate::from_ymd_opt(2026, 3, 4),
            ..EntryOrigin::default()
        };
        assert_eq!(
            origin.label().as_deref(),
            Some("déclarée par Formapro (réf. REF-12, le 04/03/2026)")
        );
        assert_eq!(EntryOrigin::default().label(), None);
    }
}
