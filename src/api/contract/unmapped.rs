//! `GET /v1/catalogue/unmapped`: the declared trainings of the account whose title maps to no
//! catalogue type (« type non reconnu »), so a user can add an alias (docs/model.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One declared title of no catalogue type, among the entries the account sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnmappedTitle {
    /// The title as declared (NOM_FORMATION, or the certification's title).
    pub title: String,
    /// How many live passport entries carry it.
    pub entries: u64,
    /// Reference (REFERENCE_DECLARATION) of the last declaration that carried it.
    pub last_reference: Option<String>,
    /// Day that last declaration was recorded.
    pub last_declared_on: Option<NaiveDate>,
}

/// `GET /v1/catalogue/unmapped`: the titles, most entries first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnmappedTitles {
    /// Each title once.
    pub items: Vec<UnmappedTitle>,
}
