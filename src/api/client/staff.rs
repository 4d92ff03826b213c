//! Typed calls of the staff and training-record routes (docs/model.md): every POST carries an
//! `Idempotency-Key`, so each call is retried safely.

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};

use super::{Client, Created, Retry};
use crate::api::contract::{
    IDEMPOTENCY_KEY, NewTrainingRecord, NewWorker, StaffView, TrainingRecordAnswer,
    TrainingRecordPatch, TrainingRecordView, TrainingRemoval, WorkerPatch,
};
use crate::api::error::ApiError;
use crate::domain::worker::WorkerId;

/// The header value of an idempotency key.
pub(super) fn key_header(idempotency_key: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(idempotency_key).map_err(|_| ApiError::Client {
        detail: "clé d'idempotence invalide (caractères non autorisés)".to_owned(),
    })
}

impl Client {
    /// `GET /v1/workers/{id}`: one worker with their employment (empty unless the worker is
    /// the account's own staff).
    pub async fn staff(&self, id: WorkerId) -> Result<StaffView, ApiError> {
        let id = id.to_string();
        self.get_json(self.route(&["v1", "workers", &id]), "salarié", |b| b)
            .await
    }

    /// `POST /v1/workers`: a new worker of the employer; [`Created`] tells a new worker (201)
    /// from a replay of the same key (200). A NIR or matricule already in the account is
    /// [`ApiError::Conflict`] naming the existing worker; field errors are [`ApiError::Invalid`].
    pub async fn create_worker(
        &self,
        new: &NewWorker,
        idempotency_key: &str,
    ) -> Result<(StaffView, Created), ApiError> {
        let key = key_header(idempotency_key)?;
        let route = self.route(&["v1", "workers"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(new))
            })
            .await?;
        let record = reply.json("salarié créé")?;
        Ok((record, reply.status == StatusCode::CREATED))
    }

    /// `PATCH /v1/workers/{id}`: changes the fields present in `patch` (retried safely: the
    /// same patch twice gives the same worker).
    pub async fn update_worker(
        &self,
        id: WorkerId,
        patch: &WorkerPatch,
    ) -> Result<StaffView, ApiError> {
        let id = id.to_string();
        let route = self.route(&["v1", "workers", &id]);
        let reply = self
            .send(Method::PATCH, &route, Retry::Safe, |b| Ok(b.json(patch)))
            .await?;
        reply.json("salarié modifié")
    }

    /// `POST /v1/workers/{id}/archive`: the worker leaves (kept with its history).
    pub async fn archive_worker(
        &self,
        id: WorkerId,
        idempotency_key: &str,
    ) -> Result<StaffView, ApiError> {
        let key = key_header(idempotency_key)?;
        let id = id.to_string();
        let route = self.route(&["v1", "workers", &id, "archive"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key))
            })
            .await?;
        reply.json("salarié archivé")
    }

    /// `POST /v1/workers/{id}/trainings`: a training record of one of the employer's workers;
    /// the answer carries the passport as it stands. [`Created`] tells a new record from a
    /// replay of the same key.
    pub async fn create_training(
        &self,
        worker: WorkerId,
        new: &NewTrainingRecord,
        idempotency_key: &str,
    ) -> Result<(TrainingRecordAnswer, Created), ApiError> {
        let key = key_header(idempotency_key)?;
        let id = worker.to_string();
        let route = self.route(&["v1", "workers", &id, "trainings"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(new))
            })
            .await?;
        let answer = reply.json("formation enregistrée")?;
        Ok((answer, reply.status == StatusCode::CREATED))
    }

    /// `GET /v1/workers/{id}/trainings`: the employer's records, removed ones included.
    pub async fn training_history(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<TrainingRecordView>, ApiError> {
        let id = worker.to_string();
        self.get_json(
            self.route(&["v1", "workers", &id, "trainings"]),
            "historique des formations",
            |b| b,
        )
        .await
    }

    /// `PATCH /v1/workers/{id}/trainings/{entry_id}`: corrects one of the employer's records.
    pub async fn update_training(
        &self,
        worker: WorkerId,
        entry_id: i64,
        patch: &TrainingRecordPatch,
    ) -> Result<TrainingRecordAnswer, ApiError> {
        let (id, entry) = (worker.to_string(), entry_id.to_string());
        let route = self.route(&["v1", "workers", &id, "trainings", &entry]);
        let reply = self
            .send(Method::PATCH, &route, Retry::Safe, |b| Ok(b.json(patch)))
            .await?;
        reply.json("formation corrigée")
    }

    /// `DELETE /v1/workers/{id}/trainings/{entry_id}`: removes one of the employer's records
    /// with a reason (kept in the history). Never retried: a repeat answers 404.
    pub async fn remove_training(
        &self,
        worker: WorkerId,
        entry_id: i64,
        reason: &str,
    ) -> Result<TrainingRecordAnswer, ApiError> {
        let (id, entry) = (worker.to_string(), entry_id.to_string());
        let route = self.route(&["v1", "workers", &id, "trainings", &entry]);
        let body = TrainingRemoval {
            reason: reason.to_owned(),
        };
        let reply = self
            .send(Method::DELETE, &route, Retry::Never, |b| Ok(b.json(&body)))
            .await?;
        reply.json("formation supprimée")
    }
}
