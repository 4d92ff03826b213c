//! An employer's staff: the worker as the account knows them, with their employment
//! (`POST /v1/workers`, `PATCH /v1/workers/{id}`, `POST /v1/workers/{id}/archive`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::NirView;
use crate::domain::ids::Nir;
use crate::domain::worker::{Worker, WorkerId};

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
/// the worker's, with the employment fields beside). `N` holds the NIR as [`Worker`] does: the
/// store's records carry a [`Nir`], the client reads a [`NirView`] (the server may mask it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(bound = "")]
pub struct StaffRecord<N = Nir> {
    /// The worker (identity, employer, site).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub worker: Worker<N>,
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

impl StaffRecord {
    /// The same record with its NIR held as the contract's view of it.
    pub fn into_view(self) -> StaffRecord<NirView> {
        StaffRecord {
            worker: self.worker.with_nir(),
            service: self.service,
            job: self.job,
            employee_number: self.employee_number,
            manager: self.manager,
            entry_date: self.entry_date,
            leaving_date: self.leaving_date,
            archived: self.archived,
        }
    }
}

/// The French detail of the 409 that names the worker already holding a NIR (`nir` true) or a
/// matricule; [`duplicate_of`] reads the worker back from it, so the two cannot drift apart.
pub fn duplicate_detail(nir: bool, worker: WorkerId, name: &str) -> String {
    let what = if nir { "Ce NIR" } else { "Ce matricule" };
    format!(
        "{what} est déjà celui de {name} (salarié n° {worker}) : modifiez ce salarié plutôt \
         que d'en créer un second"
    )
}

/// The worker named by a 409 detail of [`duplicate_detail`], if it names one.
pub fn duplicate_of(detail: &str) -> Option<WorkerId> {
    let (_, rest) = detail.rsplit_once("(salarié n° ")?;
    let (id, _) = rest.split_once(')')?;
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_detail_names_its_worker_back() {
        let detail = duplicate_detail(true, 42, "DUPONT Marie (salarié n° 7)");
        assert!(detail.starts_with("Ce NIR est déjà celui de DUPONT Marie"));
        assert_eq!(duplicate_of(&detail), Some(42));
        assert_eq!(duplicate_of(&duplicate_detail(false, 3, "X")), Some(3));
        assert_eq!(duplicate_of("la clé a déjà servi"), None);
    }
}
