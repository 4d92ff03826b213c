//! An employer's staff: the worker as the account knows them, with their employment
//! (`POST /v1/workers`, `PATCH /v1/workers/{id}`, `POST /v1/workers/{id}/archive`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::worker::Worker;

/// `POST /v1/workers`: a new worker of the employer account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorker {
    /// NIR: 15 characters with its key (checked), or the first 13.
    pub nir: String,
    /// Nom de naissance.
    pub last_name: String,
    /// Nom d'usage.
    #[serde(default)]
    pub usage_name: Option<String>,
    /// Prénoms.
    pub first_names: String,
    /// Date de naissance.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Site (établissement).
    #[serde(default)]
    pub site: Option<String>,
    /// Service.
    #[serde(default)]
    pub service: Option<String>,
    /// Poste.
    #[serde(default)]
    pub job: Option<String>,
    /// Matricule, unique in the account.
    #[serde(default)]
    pub employee_number: Option<String>,
    /// Responsable (manager).
    #[serde(default)]
    pub manager: Option<String>,
    /// Date d'entrée.
    #[serde(default)]
    pub entry_date: Option<NaiveDate>,
    /// Date de sortie.
    #[serde(default)]
    pub leaving_date: Option<NaiveDate>,
}

/// `PATCH /v1/workers/{id}`: the fields to change. An absent field is kept; an empty text clears
/// an optional one. The NIR is not changed here: a wrong NIR is another person (archive the
/// worker and create the right one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerPatch {
    /// Nom de naissance.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Nom d'usage.
    #[serde(default)]
    pub usage_name: Option<String>,
    /// Prénoms.
    #[serde(default)]
    pub first_names: Option<String>,
    /// Date de naissance.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Site.
    #[serde(default)]
    pub site: Option<String>,
    /// Service.
    #[serde(default)]
    pub service: Option<String>,
    /// Poste.
    #[serde(default)]
    pub job: Option<String>,
    /// Matricule.
    #[serde(default)]
    pub employee_number: Option<String>,
    /// Responsable.
    #[serde(default)]
    pub manager: Option<String>,
    /// Date d'entrée.
    #[serde(default)]
    pub entry_date: Option<NaiveDate>,
    /// Date de sortie.
    #[serde(default)]
    pub leaving_date: Option<NaiveDate>,
}

/// A worker with their employment in the account, as answered by the staff routes (its JSON is
/// the worker's, with the employment fields beside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffRecord {
    /// The worker (identity, employer, site).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub worker: Worker,
    /// Service.
    pub service: Option<String>,
    /// Poste.
    pub job: Option<String>,
    /// Matricule.
    pub employee_number: Option<String>,
    /// Responsable.
    pub manager: Option<String>,
    /// Date d'entrée.
    pub entry_date: Option<NaiveDate>,
    /// Date de sortie.
    pub leaving_date: Option<NaiveDate>,
    /// A leaver: kept with its history, hidden from lists unless `?archived=true`.
    pub archived: bool,
}
