//! Workers (titulaires): the people who hold trainings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{Nir, Siret};

/// Identifier of a worker in the API and the store.
pub type WorkerId = i64;

/// A worker, as an employer knows them or as a training organisation knows its trainees.
///
/// `N` is how the NIR is held: a [`Nir`] where it is always known in full (the store), or, in
/// the API contract, a NIR the server may have masked for the reader (`api::contract::NirView`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worker<N = Nir> {
    /// Stable identifier.
    pub id: WorkerId,
    /// Numéro d'inscription au répertoire (NIR), personal data: masked in lists.
    pub nir: N,
    /// Nom de naissance, as on an official document (the platform matches it with the NIR).
    pub last_name: String,
    /// Nom d'usage, when it differs from the birth name.
    pub usage_name: Option<String>,
    /// Prénoms, in civil-status order (compound first names keep their hyphen).
    pub first_names: String,
    /// Date de naissance (local only; not sent to the platform).
    pub birth_date: Option<NaiveDate>,
    /// SIRET of the employing establishment.
    pub employer_siret: Siret,
    /// Display name of the employer.
    pub employer_name: String,
    /// Site (establishment) where the worker is based.
    pub site: String,
}

impl<N> Worker<N> {
    /// The name as shown in lists: `NOM Prénoms`, with the usage name in brackets when set.
    pub fn display_name(&self) -> String {
        match &self.usage_name {
            Some(usage) if !usage.is_empty() => {
                format!("{} ({}) {}", self.last_name, usage, self.first_names)
            }
            _ => format!("{} {}", self.last_name, self.first_names),
        }
    }
}

impl Worker {
    /// The same worker with its NIR held as `N` (the contract's view of it).
    pub fn with_nir<N: From<Nir>>(self) -> Worker<N> {
        Worker {
            id: self.id,
            nir: N::from(self.nir),
            last_name: self.last_name,
            usage_name: self.usage_name,
            first_names: self.first_names,
            birth_date: self.birth_date,
            employer_siret: self.employer_siret,
            employer_name: self.employer_name,
            site: self.site,
        }
    }
}
