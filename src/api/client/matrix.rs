//! Typed calls of `GET/PUT /v1/requirements` and `GET /v1/matrix` (issue 19).

use reqwest::Method;

use super::{Client, Retry};
use crate::api::contract::{MatrixData, RequirementList};
use crate::api::error::ApiError;

impl Client {
    /// `GET /v1/requirements`: the account's requirements per poste.
    pub async fn requirements(&self) -> Result<RequirementList, ApiError> {
        self.get_json(self.route(&["v1", "requirements"]), "exigences", |b| b)
            .await
    }

    /// `PUT /v1/requirements`: replaces the account's requirements (retried safely: the same
    /// list twice gives the same list).
    pub async fn put_requirements(
        &self,
        list: &RequirementList,
    ) -> Result<RequirementList, ApiError> {
        let route = self.route(&["v1", "requirements"]);
        let reply = self
            .send(Method::PUT, &route, Retry::Safe, |b| Ok(b.json(list)))
            .await?;
        reply.json("exigences enregistrées")
    }

    /// `GET /v1/matrix`: what the compliance matrix is built from.
    pub async fn matrix(&self) -> Result<MatrixData, ApiError> {
        self.get_json(
            self.route(&["v1", "matrix"]),
            "matrice de conformité",
            |b| b,
        )
        .await
    }
}
