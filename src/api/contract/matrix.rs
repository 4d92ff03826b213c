//! The requirements per poste and the compliance matrix (issue 19 §1-2):
//! `GET/PUT /v1/requirements` and `GET /v1/matrix`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::matrix::MatrixWorker;
use crate::domain::requirements::Requirement;

/// `GET /v1/requirements` and the body of `PUT /v1/requirements` (the whole list, replaced).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequirementList {
    /// Each requirement: `poste`, optional `site` and `service`, `training_code` (catalogue),
    /// optional `validity_months` (the employer's shorter validity).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Requirement>,
}

/// `GET /v1/matrix`: what the compliance matrix is built from (`domain::matrix::Matrix::build`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatrixData {
    /// The server's today, the day the statuses are computed for.
    pub today: NaiveDate,
    /// The account's requirements.
    #[schema(value_type = Vec<Object>)]
    pub requirements: Vec<Requirement>,
    /// The workers the account sees (leavers left out), by name: `id`, `name`, `site`,
    /// `service`, `poste`, `manager`, and `held` (current trainings: `training_code`,
    /// `end_date`, `expires_on`).
    #[schema(value_type = Vec<Object>)]
    pub workers: Vec<MatrixWorker>,
}
