//! The write side of training sessions (issue 13 §1, docs/model.md "Sessions"):
//! `POST /v1/sessions`, `PATCH /v1/sessions/{id}`, the trainees of a session with their outcome,
//! and its closing. The answers are the session as it stands ([`super::SessionDetail`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::session::TraineeOutcome;
use crate::domain::worker::WorkerId;

/// `POST /v1/sessions`: a session delivered by the account (an employer's internal training,
/// or a training organisation's own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// Catalogue code of the training type (`GET /v1/catalogue`).
    #[serde(default)]
    pub training_code: String,
    /// Title as delivered.
    #[serde(default)]
    pub title: String,
    /// First day.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Last day.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Place (town or site).
    #[serde(default)]
    pub place: String,
    /// Training organisation delivering it; the account's name when absent.
    #[serde(default)]
    pub organisme: Option<String>,
}

/// `PATCH /v1/sessions/{id}`: the fields to change; an absent field is kept. Once the session
/// is closed only `title`, `place` and `organisme` may change (the entries do not depend on
/// them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    /// Catalogue code of the training type.
    #[serde(default)]
    pub training_code: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// First day.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Last day.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Place.
    #[serde(default)]
    pub place: Option<String>,
    /// Training organisation.
    #[serde(default)]
    pub organisme: Option<String>,
}

/// `POST /v1/sessions/{id}/trainees`: a trainee, by `worker_id` (a worker the account sees), or
/// — for a training organisation, which keeps no staff — by identity: `nir`, names, birth date
/// and the employer's SIRET. The identity finds the organisation's trainee of that person, or
/// makes one (docs/model.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrainee {
    /// A worker the account sees (its staff; an organisation's trainees).
    #[serde(default)]
    pub worker_id: Option<WorkerId>,
    /// NIR: 15 characters with its key (checked), or the first 13.
    #[serde(default)]
    pub nir: Option<String>,
    /// Nom de naissance.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Prénoms.
    #[serde(default)]
    pub first_names: Option<String>,
    /// Date de naissance.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// SIRET of the trainee's employer (SIRET_EMPLOYEUR): that employer sees the entry.
    #[serde(default)]
    pub employer_siret: Option<String>,
}

impl NewTrainee {
    /// A trainee by worker id.
    pub fn worker(worker_id: WorkerId) -> Self {
        Self {
            worker_id: Some(worker_id),
            ..Self::default()
        }
    }
}

/// `PUT /v1/sessions/{id}/trainees/{worker_id}`: the trainee's outcome (`passed`, `failed`,
/// `attended` or `absent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TraineeOutcomeUpdate {
    /// The outcome.
    #[schema(value_type = String, example = "passed")]
    pub outcome: TraineeOutcome,
}
