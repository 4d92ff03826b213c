//! Training sessions: one delivery of a training, with its dates and trainees.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DeclarationKind;
use super::worker::WorkerId;

/// Identifier of a session in the API and the store.
pub type SessionId = i64;

/// What became of one trainee at the end of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraineeOutcome {
    /// Attended and passed the assessment: a justificatif de réussite can be issued.
    Passed,
    /// Attended, and failed the assessment: no justificatif de réussite, no passport entry
    /// (domain.md §8: a failed SST is declared with an attestation de formation).
    Failed,
    /// Attended without passing (or without assessment): an attestation de formation.
    Attended,
    /// Did not attend: nothing to declare.
    Absent,
    /// The session is not over or the result is not known yet.
    Pending,
}

impl TraineeOutcome {
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Passed => "Réussite",
            Self::Failed => "Échec",
            Self::Attended => "Présent",
            Self::Absent => "Absent",
            Self::Pending => "En attente",
        }
    }

    /// The declaration that names this trainee, for a training type whose success gives
    /// `issued`: a pass gets the type's document; an attendance, and a failure, an attestation
    /// de formation (domain.md §8, « ADF or JDR »: the official FAQ declares only the
    /// justificatif when a training yields both, and « a failed one \[is\] an ADF » — read there
    /// for SST, assumed \[I\] for every type). Absent and pending trainees are named in none.
    pub fn declared_as(self, issued: DeclarationKind) -> Option<DeclarationKind> {
        match self {
            Self::Passed => Some(issued),
            Self::Failed | Self::Attended => Some(DeclarationKind::Attestation),
            Self::Absent | Self::Pending => None,
        }
    }
}

/// A trainee of a session and their outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    /// The worker who followed the session.
    pub worker_id: WorkerId,
    /// Their outcome.
    pub outcome: TraineeOutcome,
}

/// One delivery of a training type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Stable identifier.
    pub id: SessionId,
    /// Code of the training type in the catalogue (`SST`, `CACES_R489`…).
    pub training_code: String,
    /// Title of the session as delivered.
    pub title: String,
    /// Name of the organisme de formation (or of the employer for an internal training).
    pub organisme: String,
    /// Place of the training (town or site).
    pub place: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// Trainees and their outcome.
    pub trainees: Vec<Trainee>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_gets_the_types_document_and_only_attendance_gets_an_attestation() {
        use DeclarationKind::{Attestation, Justificatif};
        for (outcome, jdr_type, adf_type) in [
            (
                TraineeOutcome::Passed,
                Some(Justificatif),
                Some(Attestation),
            ),
            (TraineeOutcome::Failed, Some(Attestation), Some(Attestation)),
            (
                TraineeOutcome::Attended,
                Some(Attestation),
                Some(Attestation),
            ),
            (TraineeOutcome::Absent, None, None),
            (TraineeOutcome::Pending, None, None),
        ] {
            assert_eq!(outcome.declared_as(Justificatif), jdr_type, "{outcome:?}");
            assert_eq!(outcome.declared_as(Attestation), adf_type, "{outcome:?}");
        }
    }
}
