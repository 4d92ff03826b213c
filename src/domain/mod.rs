//! Pure domain types and rules: identifiers, workers, trainings, sessions, declarations, expiry and
//! deadline maths. No I/O here; every rule cites its source (see `shared/domain.md`).

pub mod deadline;
pub mod declaration;
pub mod expiry;
pub mod ids;
pub mod matrix;
pub mod requirements;
pub mod rights;
pub mod session;
pub mod training;
pub mod verification;
pub mod worker;

use serde::{Deserialize, Serialize};

/// Who makes a declaration: a training organisation (OF) or an employer for its internal trainings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclarantKind {
    /// Organisme de formation, identified by its SIRET and its NDA.
    OrganismeFormation,
    /// Employeur, declaring the trainings it delivers internally.
    Employeur,
}

impl DeclarantKind {
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::OrganismeFormation => "organisme de formation",
            Self::Employeur => "employeur",
        }
    }
}

/// The two declaration kinds of the platform (domain.md §2 and §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationKind {
    /// Attestation de formation: proof of attendance (bulk layout ADF).
    Attestation,
    /// Justificatif de réussite: attendance and success, with a validity (bulk layout JDR).
    Justificatif,
}

impl DeclarationKind {
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Attestation => "attestation de formation",
            Self::Justificatif => "justificatif de réussite",
        }
    }
}

/// One validation problem, tied to the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field, by its official column name (`NIR`, `SIRET_EMPLOYEUR`…), prefixed with
    /// `titulaires[i].` for a trainee's field.
    pub field: String,
    /// A stable machine code (`required`, `too_long`, `invalid_key`…).
    pub code: String,
    /// The French message shown to users.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} : {}", self.field, self.message)
    }
}
