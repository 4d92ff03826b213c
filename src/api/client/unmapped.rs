//! Typed call of `GET /v1/catalogue/unmapped`.

use super::Client;
use crate::api::contract::UnmappedTitles;
use crate::api::error::ApiError;

impl Client {
    /// `GET /v1/catalogue/unmapped`: the declared titles of no catalogue type among the
    /// account's entries, most entries first.
    pub async fn unmapped_titles(&self) -> Result<UnmappedTitles, ApiError> {
        self.get_json(
            self.route(&["v1", "catalogue", "unmapped"]),
            "intitulés non reconnus",
            |b| b,
        )
        .await
    }
}
