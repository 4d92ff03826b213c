//! Typed calls of the session write routes (docs/model.md "Sessions"): every POST carries an
//! `Idempotency-Key`, so each call is retried safely; every answer is the session as it stands.

use reqwest::{Method, StatusCode};

use super::staff::key_header;
use super::{Client, Created, Retry};
use crate::api::contract::{
    IDEMPOTENCY_KEY, NewSession, NewTrainee, SessionDetail, SessionPatch, TraineeOutcomeUpdate,
};
use crate::api::error::ApiError;
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::worker::WorkerId;

impl Client {
    /// `POST /v1/sessions`: a new session of the account; [`Created`] tells a new session (201)
    /// from a replay of the same key (200). Field errors are [`ApiError::Invalid`].
    pub async fn create_session(
        &self,
        new: &NewSession,
        idempotency_key: &str,
    ) -> Result<(SessionDetail, Created), ApiError> {
        let key = key_header(idempotency_key)?;
        let route = self.route(&["v1", "sessions"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(new))
            })
            .await?;
        let detail = reply.json("session créée")?;
        Ok((detail, reply.status == StatusCode::CREATED))
    }

    /// `PATCH /v1/sessions/{id}`: changes the fields present in `patch`; a closed session's type
    /// and dates are [`ApiError::Conflict`].
    pub async fn update_session(
        &self,
        id: SessionId,
        patch: &SessionPatch,
    ) -> Result<SessionDetail, ApiError> {
        let id = id.to_string();
        let route = self.route(&["v1", "sessions", &id]);
        let reply = self
            .send(Method::PATCH, &route, Retry::Safe, |b| Ok(b.json(patch)))
            .await?;
        reply.json("session modifiée")
    }

    /// `POST /v1/sessions/{id}/trainees`: enrols a trainee ([`NewTrainee::worker`], or an
    /// identity for a training organisation) with the outcome `pending`; [`Created`] tells a new
    /// enrolment from a replay of the same key.
    pub async fn enrol_trainee(
        &self,
        id: SessionId,
        trainee: &NewTrainee,
        idempotency_key: &str,
    ) -> Result<(SessionDetail, Created), ApiError> {
        let key = key_header(idempotency_key)?;
        let id = id.to_string();
        let route = self.route(&["v1", "sessions", &id, "trainees"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key).json(trainee))
            })
            .await?;
        let detail = reply.json("stagiaire inscrit")?;
        Ok((detail, reply.status == StatusCode::CREATED))
    }

    /// `DELETE /v1/sessions/{id}/trainees/{worker_id}`: removes a trainee from an open session.
    /// Never retried: a repeat answers 404.
    pub async fn remove_trainee(
        &self,
        id: SessionId,
        worker: WorkerId,
    ) -> Result<SessionDetail, ApiError> {
        let (id, worker) = (id.to_string(), worker.to_string());
        let route = self.route(&["v1", "sessions", &id, "trainees", &worker]);
        let reply = self.send(Method::DELETE, &route, Retry::Never, Ok).await?;
        reply.json("stagiaire retiré")
    }

    /// `PUT /v1/sessions/{id}/trainees/{worker_id}`: the outcome of a trainee (retried safely:
    /// the same outcome twice gives the same session).
    pub async fn set_outcome(
        &self,
        id: SessionId,
        worker: WorkerId,
        outcome: TraineeOutcome,
    ) -> Result<SessionDetail, ApiError> {
        let (id, worker) = (id.to_string(), worker.to_string());
        let route = self.route(&["v1", "sessions", &id, "trainees", &worker]);
        let body = TraineeOutcomeUpdate { outcome };
        let reply = self
            .send(Method::PUT, &route, Retry::Safe, |b| Ok(b.json(&body)))
            .await?;
        reply.json("résultat enregistré")
    }

    /// `POST /v1/sessions/{id}/close`: closes the session, writing one passport entry per
    /// passed or attended trainee; closing a closed session answers the same.
    pub async fn close_session(
        &self,
        id: SessionId,
        idempotency_key: &str,
    ) -> Result<SessionDetail, ApiError> {
        let key = key_header(idempotency_key)?;
        let id = id.to_string();
        let route = self.route(&["v1", "sessions", &id, "close"]);
        let reply = self
            .send(Method::POST, &route, Retry::Safe, move |b| {
                Ok(b.header(IDEMPOTENCY_KEY, key))
            })
            .await?;
        reply.json("session clôturée")
    }
}
