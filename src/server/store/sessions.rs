//! The write side of an account's training sessions: creating and changing them, their trainees
//! and outcomes, and closing them, which writes one passport entry per passed or attended
//! trainee, once (docs/model.md "Sessions"). The calls are written once for both backends in
//! [`writes::ported`]; every write takes the session's row lock first (PostgreSQL; SQLite's write
//! transaction holds the database's lock), so two writes of one session run one after the
//! other, and appends its audit entry in its transaction.

mod writes;
pub(super) use writes::ported;

use chrono::NaiveDate;

use super::{AccountRow, Idempotent, IdempotentRequest, ServerError, Store, dispatch};
use crate::api::contract::SessionPatch;
use crate::domain::ids::{Nir, Siret};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::worker::WorkerId;

/// What the passport entries of a session depend on, and whether it is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Catalogue code of the training type.
    pub training_code: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// The day it was closed.
    pub closed_on: Option<NaiveDate>,
}

/// A new session checked by the route; also the fields of a stored session, as the audit
/// trail records them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckedSession {
    /// Catalogue code (in the catalogue).
    pub training_code: String,
    /// Title.
    pub title: String,
    /// Organisme de formation.
    pub organisme: String,
    /// Place.
    pub place: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (not before the first).
    pub end_date: NaiveDate,
}

/// Who is enrolled: a worker the account sees, or (a training organisation) a person by
/// identity, found among its trainees or made one.
#[derive(Debug, Clone, Copy)]
pub enum TraineeRef<'a> {
    /// A worker by id.
    Worker(WorkerId),
    /// A person by identity, with their employer's SIRET.
    Identity {
        /// The NIR (13 characters).
        nir: &'a Nir,
        /// Nom de naissance.
        last_name: &'a str,
        /// Prénoms.
        first_names: &'a str,
        /// Date de naissance.
        birth_date: Option<NaiveDate>,
        /// SIRET of the employer.
        employer_siret: &'a Siret,
    },
}

/// What became of a session write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOutcome {
    /// Written (or, for a closed session closed again, nothing to write): the session.
    Saved(SessionId),
    /// No such session of the account, or no such trainee in it.
    NotFound,
    /// The session was closed on that day: what the entries depend on no longer changes.
    Closed(NaiveDate),
    /// The worker to enrol is unknown to the account.
    UnknownWorker,
    /// The session ends on that day, after today: it cannot be closed yet.
    NotEnded(NaiveDate),
    /// That many trainees have no outcome yet: the session cannot be closed.
    Pending(u32),
}

/// The answer stored for an idempotent replay of a session write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedSession {
    /// The session written.
    pub session_id: SessionId,
}

/// A session as stored: its fields and its closing day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StoredSession {
    /// Its fields.
    pub fields: CheckedSession,
    /// The day it was closed.
    pub closed_on: Option<NaiveDate>,
}

impl StoredSession {
    /// What its entries depend on.
    pub(super) fn row(&self) -> SessionRow {
        SessionRow {
            training_code: self.fields.training_code.clone(),
            start_date: self.fields.start_date,
            end_date: self.fields.end_date,
            closed_on: self.closed_on,
        }
    }
}

/// A trainee of a session as the audit trail records it (the NIR is masked when stored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(super) struct TraineeAudit {
    /// The worker.
    pub worker_id: WorkerId,
    /// Their name, as shown in lists.
    pub name: String,
    /// Their NIR.
    pub nir: String,
    /// The outcome's code.
    pub outcome: String,
}

/// A change of one trainee of an open session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TraineeChange {
    /// Remove them from the session.
    Remove,
    /// Set their outcome.
    Outcome(TraineeOutcome),
}

/// Applies a patch checked by the route: a present text replaces (trimmed), a present date
/// replaces.
pub(super) fn apply_session_patch(fields: &mut CheckedSession, patch: &SessionPatch) {
    for (field, value) in [
        (&mut fields.training_code, &patch.training_code),
        (&mut fields.title, &patch.title),
        (&mut fields.place, &patch.place),
        (&mut fields.organisme, &patch.organisme),
    ] {
        if let Some(value) = value {
            value.trim().clone_into(field);
        }
    }
    if let Some(start) = patch.start_date {
        fields.start_date = start;
    }
    if let Some(end) = patch.end_date {
        fields.end_date = end;
    }
}

/// Whether going from `before` to `after` changes what the session's entries depend on (its
/// type and dates), which a closed session keeps.
pub(super) fn changes_entries(before: &CheckedSession, after: &CheckedSession) -> bool {
    before.training_code != after.training_code
        || before.start_date != after.start_date
        || before.end_date != after.end_date
}

impl Store {
    /// One of the account's own sessions: what its entries depend on, and its closing day.
    pub async fn session_row(
        &self,
        account: &AccountRow,
        id: SessionId,
    ) -> Result<Option<SessionRow>, ServerError> {
        dispatch!(self, session_row(account, id))
    }

    /// Creates a session of `account`, idempotently, in ONE transaction.
    pub async fn create_session(
        &self,
        account: &AccountRow,
        new: &CheckedSession,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<SessionId>, ServerError> {
        dispatch!(self, create_session(account, new, request))
    }

    /// Changes the fields of `patch` (checked by the route) on one of the account's sessions;
    /// a closed session keeps its type and dates ([`SessionOutcome::Closed`] when the patch
    /// changes one of them).
    pub async fn update_session(
        &self,
        account: &AccountRow,
        id: SessionId,
        patch: &SessionPatch,
    ) -> Result<SessionOutcome, ServerError> {
        dispatch!(self, update_session(account, id, patch))
    }

    /// Enrols a trainee in one of the account's open sessions, idempotently, in ONE
    /// transaction, with the outcome `pending`; enrolling a trainee already there changes
    /// nothing.
    pub async fn enrol_trainee(
        &self,
        account: &AccountRow,
        id: SessionId,
        trainee: TraineeRef<'_>,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<SessionOutcome>, ServerError> {
        dispatch!(self, enrol_trainee(account, id, trainee, request))
    }

    /// Removes a trainee from one of the account's open sessions.
    pub async fn remove_trainee(
        &self,
        account: &AccountRow,
        id: SessionId,
        worker: WorkerId,
    ) -> Result<SessionOutcome, ServerError> {
        dispatch!(
            self,
            write_trainee(account, id, worker, TraineeChange::Remove)
        )
    }

    /// Sets the outcome of a trainee of one of the account's open sessions.
    pub async fn set_outcome(
        &self,
        account: &AccountRow,
        id: SessionId,
        worker: WorkerId,
        outcome: TraineeOutcome,
    ) -> Result<SessionOutcome, ServerError> {
        dispatch!(
            self,
            write_trainee(account, id, worker, TraineeChange::Outcome(outcome))
        )
    }

    /// Closes one of the account's sessions, idempotently, in ONE transaction holding the
    /// session's lock (so two closes run one after the other, and the second finds it closed):
    /// each passed or attended trainee gets its passport entry, the expiry and supersession of
    /// their person's entries follow. Closing a closed session changes nothing. A session not
    /// ended on `today`, or with trainees of no outcome, is not closed.
    pub async fn close_session(
        &self,
        account: &AccountRow,
        id: SessionId,
        today: NaiveDate,
        catalogue: &Catalogue,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<SessionOutcome>, ServerError> {
        dispatch!(self, close_session(account, id, today, catalogue, request))
    }
}
