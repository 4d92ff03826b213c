//! The typed methods of the export memory routes (`/v1/exports`, issue 12 item 5).

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};

use super::{Client, Retry, follow_cursor};
use crate::api::ApiError;
use crate::api::contract::{
    CreatedExport, ExportAnswer, ExportBatch, ExportBatchId, ExportBatchSummary, ExportsQuery,
    IDEMPOTENCY_KEY, MAX_PAGE_LIMIT, NewExport, Page,
};

impl Client {
    /// `POST /v1/exports`: a batch of the lines not sent yet (every live line with
    /// `request.all`); `None` when there is nothing to send (204). The same `idempotency_key`
    /// returns the same batch, so the call is retried safely.
    pub async fn create_export(
        &self,
        request: &NewExport,
        idempotency_key: &str,
    ) -> Result<Option<CreatedExport>, ApiError> {
        let key = HeaderValue::from_str(idempotency_key).map_err(|_| ApiError::Client {
            detail: "clé d'idempotence invalide (caractères non autorisés)".to_owned(),
        })?;
        let route = self.route(&["v1", "exports"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(request))
            })
            .await?;
        if reply.status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        reply.json("lot d'export").map(Some)
    }

    /// `GET /v1/exports`: one page of the account's batches, newest first.
    pub async fn exports(
        &self,
        query: &ExportsQuery,
    ) -> Result<Page<ExportBatchSummary>, ApiError> {
        let route = self.route(&["v1", "exports"]);
        self.get_json(route, "liste des lots d'export", |b| b.query(query))
            .await
    }

    /// Every batch of the account, newest first, following `next_cursor`.
    pub async fn all_exports(&self) -> Result<Vec<ExportBatchSummary>, ApiError> {
        let page = follow_cursor(|cursor| {
            let query = ExportsQuery {
                limit: Some(MAX_PAGE_LIMIT),
                cursor,
            };
            async move { self.exports(&query).await }
        })
        .await?;
        Ok(page.items)
    }

    /// `GET /v1/exports/{id}`: one batch with its lines.
    pub async fn export_batch(&self, id: ExportBatchId) -> Result<ExportBatch, ApiError> {
        let id = id.to_string();
        self.get_json(self.route(&["v1", "exports", &id]), "lot d'export", |b| b)
            .await
    }

    /// `GET /v1/exports/{id}/file`: the batch's file, as first handed out.
    pub async fn export_file(&self, id: ExportBatchId) -> Result<String, ApiError> {
        let id = id.to_string();
        let route = self.route(&["v1", "exports", &id, "file"]);
        let reply = self.send(Method::GET, &route, Retry::Safe, Ok).await?;
        String::from_utf8(reply.body).map_err(|_| ApiError::Malformed {
            detail: "fichier d'export qui n'est pas en UTF-8".to_owned(),
        })
    }

    /// `POST /v1/exports/{id}/answer`: records the portal's answer, once (a second answer is
    /// [`ApiError::Conflict`]). Never retried: after a network failure, read the batch with
    /// [`Client::export_batch`] to see whether the answer was recorded.
    pub async fn answer_export(
        &self,
        id: ExportBatchId,
        answer: &ExportAnswer,
    ) -> Result<ExportBatch, ApiError> {
        let id = id.to_string();
        let route = self.route(&["v1", "exports", &id, "answer"]);
        let reply = self
            .send(Method::POST, &route, Retry::Never, |b| Ok(b.json(answer)))
            .await?;
        reply.json("réponse enregistrée")
    }
}
