//! The write side of an account's training sessions: creating and changing them, their trainees
//! and outcomes, and closing them, which writes one passport entry per passed or attended
//! trainee, once (docs/model.md "Sessions").

use chrono::NaiveDate;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::rows::{
    Employment, EntryInsert, SessionInsert, TraineeInsert, WorkerRow, insert_entries,
    insert_sessions, insert_trainees, insert_workers,
};
use super::sqlite::declared_entries::refresh_person;
use super::sqlite::{lookup, person_of, push_worker_visibility, remember};
use super::{AccountRow, Idempotent, IdempotentRequest, ServerError, Store, code_of, inserted};
use crate::api::contract::{EntrySource, SessionPatch};
use crate::domain::DeclarantKind;
use crate::domain::ids::{Nir, Siret};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::worker::{Worker, WorkerId};

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

/// A new session checked by the route.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// One of the account's own sessions.
async fn own_session(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    id: SessionId,
) -> Result<Option<SessionRow>, ServerError> {
    let row = sqlx::query(
        "SELECT training_code, start_date, end_date, closed_at FROM sessions \
         WHERE id = ? AND account_id = ?",
    )
    .bind(id)
    .bind(account.id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(SessionRow {
            training_code: row.try_get("training_code")?,
            start_date: row.try_get("start_date")?,
            end_date: row.try_get("end_date")?,
            closed_on: row.try_get("closed_at")?,
        })
    })
    .transpose()
}

/// The open session of the account, or the outcome that stops a change of it.
async fn open_session(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    id: SessionId,
) -> Result<Result<SessionRow, SessionOutcome>, ServerError> {
    Ok(match own_session(conn, account, id).await? {
        None => Err(SessionOutcome::NotFound),
        Some(SessionRow {
            closed_on: Some(day),
            ..
        }) => Err(SessionOutcome::Closed(day)),
        Some(row) => Ok(row),
    })
}

/// The first worker visible to `account` that matches the condition appended by `condition`.
async fn visible_worker(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    condition: impl FnOnce(&mut QueryBuilder<'_, Sqlite>),
) -> Result<Option<WorkerId>, ServerError> {
    let mut builder = QueryBuilder::<Sqlite>::new("SELECT w.id FROM workers w WHERE ");
    condition(&mut builder);
    builder.push(" AND ");
    push_worker_visibility(&mut builder, account);
    builder.push(" ORDER BY w.id LIMIT 1");
    Ok(builder
        .build_query_scalar()
        .fetch_optional(&mut *conn)
        .await?)
}

/// The worker a trainee reference names for `account`: a visible worker by id; by identity,
/// the organisation's trainee of that person, else a new worker of no employer account (only
/// the organisations that train them see them, docs/model.md) keeping the given identity.
async fn trainee_worker(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    trainee: TraineeRef<'_>,
) -> Result<Option<WorkerId>, ServerError> {
    let (nir, last_name, first_names, birth_date, siret) = match trainee {
        TraineeRef::Worker(id) => {
            return visible_worker(conn, account, |b| {
                b.push("w.id = ").push_bind(id);
            })
            .await;
        }
        TraineeRef::Identity {
            nir,
            last_name,
            first_names,
            birth_date,
            employer_siret,
        } => (nir, last_name, first_names, birth_date, employer_siret),
    };
    let person = person_of(conn, nir.as_str()).await?;
    let known = visible_worker(conn, account, |b| {
        b.push("w.person_id = ").push_bind(person);
    })
    .await?;
    if known.is_some() {
        return Ok(known);
    }
    let employer_name: Option<String> =
        sqlx::query_scalar("SELECT name FROM accounts WHERE siret = ? AND kind = 'employeur'")
            .bind(siret.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let worker = Worker {
        id: 0,
        nir: nir.clone(),
        last_name: last_name.trim().to_owned(),
        usage_name: None,
        first_names: first_names.trim().to_owned(),
        birth_date,
        employer_siret: siret.clone(),
        employer_name: employer_name.unwrap_or_default(),
        site: String::new(),
    };
    let row = WorkerRow {
        id: None,
        person_id: person,
        worker,
        employer_account_id: None,
        employment: Employment::default(),
    };
    let id = inserted(insert_workers(conn, &[row]).await?, "stagiaire")?;
    Ok(Some(id))
}

/// Writes the passport entry of each passed or attended trainee of a session being closed, on
/// the trainee's person: seen by the session's owner (`session_account_id`) and by the
/// trainee's employer (the owner itself for an internal session; else the worker's employer
/// account, or the employer account of its SIRET, else kept for that SIRET). A person who
/// already has a live entry of the owner with the same type and end (a declaration of the same
/// training) gets none.
async fn write_entries(
    conn: &mut SqliteConnection,
    account: &AccountRow,
    id: SessionId,
    session: &SessionRow,
    today: NaiveDate,
    catalogue: &Catalogue,
) -> Result<(), ServerError> {
    let rows = sqlx::query(
        "SELECT w.person_id, w.employer_account_id, w.employer_siret, s.organisme, \
         (SELECT a.id FROM accounts a WHERE a.siret = w.employer_siret \
           AND a.kind = 'employeur') AS siret_account \
         FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
         JOIN sessions s ON s.id = t.session_id \
         WHERE t.session_id = ? AND t.outcome IN ('passed', 'attended') ORDER BY w.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut people = Vec::with_capacity(rows.len());
    for row in rows {
        let person: i64 = row.try_get("person_id")?;
        let employer: Option<i64> = match account.kind {
            DeclarantKind::Employeur => Some(account.id),
            DeclarantKind::OrganismeFormation => row
                .try_get::<Option<i64>, _>("employer_account_id")?
                .or(row.try_get("siret_account")?),
        };
        let known: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM passport_entries WHERE person_id = ? AND source_account_id = ? \
             AND training_code = ? AND end_date = ? AND removed_at IS NULL",
        )
        .bind(person)
        .bind(account.id)
        .bind(&session.training_code)
        .bind(session.end_date)
        .fetch_optional(&mut *conn)
        .await?;
        if known.is_some() {
            continue;
        }
        if people.contains(&person) {
            continue;
        }
        people.push(person);
        entries.push(EntryInsert {
            person_id: person,
            training_code: Some(session.training_code.clone()),
            training_title: None,
            end_date: session.end_date,
            validity_start: None,
            validity_end: None,
            expires_on: None,
            superseded: false,
            source: EntrySource::Session,
            source_account_id: Some(account.id),
            session_id: Some(id),
            declaration_line_id: None,
            employer_siret: Some(row.try_get("employer_siret")?),
            organisme: Some(row.try_get("organisme")?),
            recorded_on: Some(today),
            reference: None,
            employer_account_id: employer,
            session_account_id: Some(account.id),
        });
    }
    insert_entries(conn, &entries).await?;
    for person in people {
        refresh_person(conn, person, catalogue).await?;
    }
    Ok(())
}

impl Store {
    /// One of the account's own sessions: what its entries depend on, and its closing day.
    pub async fn session_row(
        &self,
        account: &AccountRow,
        id: SessionId,
    ) -> Result<Option<SessionRow>, ServerError> {
        let mut conn = self.sqlite()?.acquire().await?;
        own_session(&mut conn, account, id).await
    }

    /// Creates a session of `account`, idempotently, in ONE transaction.
    pub async fn create_session(
        &self,
        account: &AccountRow,
        new: &CheckedSession,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<SessionId>, ServerError> {
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        let row = SessionInsert {
            id: None,
            account_id: account.id,
            training_code: new.training_code.clone(),
            title: new.title.clone(),
            organisme: new.organisme.clone(),
            place: new.place.clone(),
            start_date: new.start_date,
            end_date: new.end_date,
        };
        let id = inserted(insert_sessions(&mut tx, &[row]).await?, "session")?;
        remember(
            &mut tx,
            account.id,
            request,
            201,
            &SavedSession { session_id: id },
        )
        .await?;
        tx.commit().await?;
        Ok(Idempotent::New(id))
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
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        let Some(current) = own_session(&mut tx, account, id).await? else {
            return Ok(SessionOutcome::NotFound);
        };
        let changes_entries = patch
            .training_code
            .as_deref()
            .is_some_and(|code| code.trim() != current.training_code)
            || patch.start_date.is_some_and(|d| d != current.start_date)
            || patch.end_date.is_some_and(|d| d != current.end_date);
        if let Some(day) = current.closed_on
            && changes_entries
        {
            return Ok(SessionOutcome::Closed(day));
        }
        let mut builder = QueryBuilder::<Sqlite>::new("UPDATE sessions SET id = id");
        for (column, value) in [
            ("training_code", &patch.training_code),
            ("title", &patch.title),
            ("place", &patch.place),
            ("organisme", &patch.organisme),
        ] {
            if let Some(value) = value {
                builder
                    .push(format!(", {column} = "))
                    .push_bind(value.trim().to_owned());
            }
        }
        for (column, value) in [
            ("start_date", patch.start_date),
            ("end_date", patch.end_date),
        ] {
            if let Some(value) = value {
                builder.push(format!(", {column} = ")).push_bind(value);
            }
        }
        builder
            .push(" WHERE id = ")
            .push_bind(id)
            .push(" AND account_id = ")
            .push_bind(account.id);
        builder.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(SessionOutcome::Saved(id))
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
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        if let Err(outcome) = open_session(&mut tx, account, id).await? {
            return Ok(Idempotent::New(outcome));
        }
        let Some(worker) = trainee_worker(&mut tx, account, trainee).await? else {
            return Ok(Idempotent::New(SessionOutcome::UnknownWorker));
        };
        let trainee = TraineeInsert {
            session_id: id,
            worker_id: worker,
            outcome: TraineeOutcome::Pending,
        };
        insert_trainees(&mut tx, &[trainee]).await?;
        remember(
            &mut tx,
            account.id,
            request,
            201,
            &SavedSession { session_id: id },
        )
        .await?;
        tx.commit().await?;
        Ok(Idempotent::New(SessionOutcome::Saved(id)))
    }

    /// Removes a trainee from one of the account's open sessions.
    pub async fn remove_trainee(
        &self,
        account: &AccountRow,
        id: SessionId,
        worker: WorkerId,
    ) -> Result<SessionOutcome, ServerError> {
        let query =
            sqlx::query("DELETE FROM session_trainees WHERE session_id = ? AND worker_id = ?")
                .bind(id)
                .bind(worker);
        self.write_trainee(account, id, query).await
    }

    /// Sets the outcome of a trainee of one of the account's open sessions.
    pub async fn set_outcome(
        &self,
        account: &AccountRow,
        id: SessionId,
        worker: WorkerId,
        outcome: TraineeOutcome,
    ) -> Result<SessionOutcome, ServerError> {
        let query = sqlx::query(
            "UPDATE session_trainees SET outcome = ? WHERE session_id = ? AND worker_id = ?",
        )
        .bind(code_of(outcome))
        .bind(id)
        .bind(worker);
        self.write_trainee(account, id, query).await
    }

    /// Runs `query`, a write on one trainee row of session `id`, in its own transaction once
    /// the session is found open for `account`; no row touched is a trainee not found.
    async fn write_trainee<'q>(
        &self,
        account: &AccountRow,
        id: SessionId,
        query: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> Result<SessionOutcome, ServerError> {
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Err(outcome) = open_session(&mut tx, account, id).await? {
            return Ok(outcome);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(SessionOutcome::NotFound);
        }
        tx.commit().await?;
        Ok(SessionOutcome::Saved(id))
    }

    /// Closes one of the account's sessions, idempotently, in ONE transaction begun
    /// `IMMEDIATE` (so two closes run one after the other, and the second finds it closed):
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
        let mut tx = self.sqlite()?.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(known) = lookup(&mut tx, account.id, request).await? {
            return Ok(known);
        }
        let Some(session) = own_session(&mut tx, account, id).await? else {
            return Ok(Idempotent::New(SessionOutcome::NotFound));
        };
        if session.closed_on.is_none() {
            if session.end_date > today {
                return Ok(Idempotent::New(SessionOutcome::NotEnded(session.end_date)));
            }
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM session_trainees WHERE session_id = ? \
                 AND outcome = 'pending'",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if pending > 0 {
                let pending = u32::try_from(pending).unwrap_or(u32::MAX);
                return Ok(Idempotent::New(SessionOutcome::Pending(pending)));
            }
            let closed =
                sqlx::query("UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL")
                    .bind(today)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            if closed.rows_affected() == 1 {
                write_entries(&mut tx, account, id, &session, today, catalogue).await?;
            }
        }
        remember(
            &mut tx,
            account.id,
            request,
            200,
            &SavedSession { session_id: id },
        )
        .await?;
        tx.commit().await?;
        Ok(Idempotent::New(SessionOutcome::Saved(id)))
    }
}
