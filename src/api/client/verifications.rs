//! Typed calls of the verification routes (décret 2022-1712 art. 7-I): the list, and the
//! employer's two actions, each POST with an `Idempotency-Key` so a retry never acts twice.

use reqwest::Method;

use super::staff::key_header;
use super::{Client, Retry};
use crate::api::contract::{
    CorrectionRequest, IDEMPOTENCY_KEY, UndeclaredList, VerificationList, VerificationView,
    VerificationsQuery,
};
use crate::api::error::ApiError;

impl Client {
    /// `GET /v1/verifications`: an employer's lines to check (or an organisation's requests),
    /// nearest window first.
    pub async fn verifications(
        &self,
        query: &VerificationsQuery,
    ) -> Result<VerificationList, ApiError> {
        self.get_json(
            self.route(&["v1", "verifications"]),
            "vérifications",
            |b| b.query(query),
        )
        .await
    }

    /// `GET /v1/verifications/undeclared` (art. 7-II): the employer's trainings that no
    /// organisation declared in time, with the employer's own deadline.
    pub async fn undeclared(&self) -> Result<UndeclaredList, ApiError> {
        self.get_json(
            self.route(&["v1", "verifications", "undeclared"]),
            "formations non déclarées",
            |b| b,
        )
        .await
    }

    /// `POST /v1/verifications/{line}/verify`: the employer checked the line.
    pub async fn verify_line(
        &self,
        line: i64,
        idempotency_key: &str,
    ) -> Result<VerificationView, ApiError> {
        let key = key_header(idempotency_key)?;
        let line = line.to_string();
        let route = self.route(&["v1", "verifications", &line, "verify"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key))
            })
            .await?;
        reply.json("ligne vérifiée")
    }

    /// `POST /v1/verifications/{line}/request-correction`: asks the organisation to correct
    /// the line, with `message`.
    pub async fn request_correction(
        &self,
        line: i64,
        message: &str,
        idempotency_key: &str,
    ) -> Result<VerificationView, ApiError> {
        let key = key_header(idempotency_key)?;
        let line = line.to_string();
        let route = self.route(&["v1", "verifications", &line, "request-correction"]);
        let body = CorrectionRequest {
            message: message.to_owned(),
        };
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(&body))
            })
            .await?;
        reply.json("correction demandée")
    }
}
