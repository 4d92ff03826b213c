//! Seeding the sandbox with demonstration data, on either backend, in ONE transaction: the
//! accounts and their tokens, the sessions, the workers streamed from the generator into buffers
//! of persons, workers, passport entries and trainees, then the demo declarations through the
//! routes' own `insert_declaration`. The rows carry the generator's ids (a demo worker is its own
//! person, of the same id), so both backends hold the same data, ids included.
//!
//! What is the same on both is written once, in [`ported`]; each backend owns its bulk writes
//! and what surrounds them ([`sqlite`]: the batched multi-row INSERTs of [`super::rows`], the
//! secondary indexes dropped and rebuilt, a large page cache; [`postgres`]: foreign keys and
//! secondary indexes set aside and put back, one `INSERT … SELECT FROM UNNEST` per table and
//! batch, the identity sequences set past the explicit ids, statistics gathered after the
//! commit).

mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::rows::{EntryInsert, TraineeInsert, WorkerRow};
use super::{ServerError, Store, dispatch, supersession};
use crate::api::contract::{DeclarationStatus, EntrySource};
use crate::domain::declaration::Declaration;
use crate::domain::expiry::{PassportEntry, expiry_date};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::server::demo::{Demo, DemoWorker};

/// Workers handed to the demo generator to build its recorded declarations.
pub(super) const DECLARATION_SAMPLE: usize = 5000;

/// Row buffers of the demo seeding, written by the backend as one batch when one is full.
#[derive(Default)]
pub(super) struct SeedBuffers {
    /// Workers; each is its own person, of the same id.
    workers: Vec<WorkerRow>,
    /// Their passport entries.
    entries: Vec<EntryInsert>,
    /// Their enrolments.
    trainees: Vec<TraineeInsert>,
}

impl SeedBuffers {
    /// Whether a buffer holds `rows` rows or more.
    pub(super) fn full(&self, rows: usize) -> bool {
        self.workers.len() >= rows || self.entries.len() >= rows || self.trainees.len() >= rows
    }

    /// Empties the buffers once written.
    pub(super) fn clear(&mut self) {
        self.workers.clear();
        self.entries.clear();
        self.trainees.clear();
    }

    /// Buffers a demo worker: its person and worker row, the entries of its passed or attended
    /// sessions (expiry and supersession computed here, as `refresh_person` would), and its
    /// enrolments.
    pub(super) fn push(
        &mut self,
        demo_worker: DemoWorker,
        employer_account: Option<i64>,
        session_owner: &HashMap<SessionId, i64>,
        catalogue: &Catalogue,
    ) {
        let worker_id = demo_worker.worker.id;
        let recorded: Vec<_> = demo_worker
            .entries
            .iter()
            .filter(|e| matches!(e.outcome, TraineeOutcome::Passed | TraineeOutcome::Attended))
            .collect();
        let entries: Vec<PassportEntry> = recorded.iter().map(|e| e.entry.clone()).collect();
        let superseded = supersession(&entries, catalogue);
        for ((demo_entry, entry), superseded) in recorded.into_iter().zip(entries).zip(superseded) {
            let months = catalogue
                .get(&entry.training_code)
                .and_then(|t| t.validity_months);
            let session_account = demo_entry
                .session_id
                .and_then(|s| session_owner.get(&s).copied());
            self.entries.push(EntryInsert {
                person_id: worker_id,
                expires_on: expiry_date(&entry, months),
                training_code: Some(entry.training_code),
                training_title: None,
                end_date: entry.end_date,
                validity_start: entry.validity_start,
                validity_end: entry.validity_end,
                superseded,
                source: EntrySource::Session,
                source_account_id: session_account,
                session_id: demo_entry.session_id,
                declaration_line_id: None,
                employer_siret: None,
                organisme: None,
                reference: None,
                recorded_on: None,
                employer_account_id: employer_account,
                session_account_id: session_account,
            });
        }
        // A demo enrolment is in one of the demo sessions, each owned by an account.
        for (session_id, outcome) in demo_worker.sessions() {
            if let Some(&account_id) = session_owner.get(&session_id) {
                self.trainees.push(TraineeInsert {
                    account_id,
                    session_id,
                    worker_id,
                    outcome,
                });
            }
        }
        self.workers.push(WorkerRow {
            id: Some(worker_id),
            person_id: worker_id,
            worker: demo_worker.worker,
            employer_account_id: employer_account,
            employment: Default::default(),
        });
    }
}

/// The error of demo data that does not hold together.
pub(super) fn corrupt(detail: String) -> ServerError {
    ServerError::Corrupt {
        what: "données de démonstration".to_owned(),
        detail,
    }
}

impl Store {
    /// Seeds demonstration data in ONE transaction: accounts and their tokens (hashed by
    /// `hash_token`), sessions, workers streamed from the generator with their passport entries
    /// (expiry and supersession computed here) and session trainees, then the demo declarations
    /// (deadline, status and recording time from `recorded`, given the owner's index).
    pub async fn seed_demo(
        &self,
        demo: &Demo,
        catalogue: &Catalogue,
        recorded: impl Fn(usize, &Declaration) -> (Option<NaiveDate>, DeclarationStatus, DateTime<Utc>),
        hash_token: impl Fn(&str) -> String,
    ) -> Result<(), ServerError> {
        dispatch!(self, seed_demo(demo, catalogue, &recorded, &hash_token))
    }
}

/// The seeding written once, as a child module `seed` of the backend module. The backend gives
/// `SEED_BATCH` (rows per buffer), `seed_start` (on the open transaction, before any row: the
/// statements that rebuild what it set aside), `seed_sessions` and `seed_people` (its bulk
/// writes), `seed_end` (before the commit) and `seed_committed`.
macro_rules! ported {
    ($backend:ident) => {
        /// Demo seeding on this backend (store/seed.rs).
        pub(in crate::server::store) mod seed {
            use std::collections::HashMap;

            use chrono::{DateTime, NaiveDate, Utc};

            use super::$backend as Backend;
            use super::declarations::insert_declaration;
            use crate::api::contract::DeclarationStatus;
            use crate::domain::declaration::Declaration;
            use crate::domain::session::SessionId;
            use crate::domain::training::Catalogue;
            use crate::server::ServerError;
            use crate::server::demo::Demo;
            use crate::server::store::rows::SessionInsert;
            use crate::server::store::seed::{DECLARATION_SAMPLE, SeedBuffers, corrupt};
            use crate::server::store::{META_DEMO, NewDeclaration, code_of};

            impl Backend {
                /// See [`crate::server::store::Store::seed_demo`].
                pub(in crate::server::store) async fn seed_demo(
                    &self,
                    demo: &Demo,
                    catalogue: &Catalogue,
                    recorded: &impl Fn(
                        usize,
                        &Declaration,
                    ) -> (Option<NaiveDate>, DeclarationStatus, DateTime<Utc>),
                    hash_token: &impl Fn(&str) -> String,
                ) -> Result<(), ServerError> {
                    let mut tx = self.begin_write().await?;
                    let rebuild = Self::seed_start(&mut tx).await?;
                    let now = Utc::now();
                    let mut account_ids = Vec::with_capacity(demo.accounts().len());
                    for account in demo.accounts() {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO accounts (kind, siret, name, nda) VALUES ($1, $2, $3, $4) \
                             RETURNING id",
                        )
                        .bind(code_of(account.kind))
                        .bind(account.siret.as_str())
                        .bind(&account.name)
                        .bind(account.nda.as_ref().map(|nda| nda.as_str().to_owned()))
                        .fetch_one(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO tokens (hash, account_id, created_at) VALUES ($1, $2, $3)",
                        )
                        .bind(hash_token(account.token))
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        account_ids.push(id);
                    }
                    let mut session_owner: HashMap<SessionId, i64> = HashMap::new();
                    let mut sessions = Vec::with_capacity(demo.sessions().len());
                    for demo_session in demo.sessions() {
                        let session = &demo_session.session;
                        let owner = account_ids.get(demo_session.owner).copied().ok_or_else(|| {
                            corrupt(format!(
                                "la session {} n'a pas de compte propriétaire",
                                session.id
                            ))
                        })?;
                        session_owner.insert(session.id, owner);
                        sessions.push(SessionInsert {
                            id: Some(session.id),
                            account_id: owner,
                            training_code: session.training_code.clone(),
                            title: session.title.clone(),
                            organisme: session.organisme.clone(),
                            place: session.place.clone(),
                            start_date: session.start_date,
                            end_date: session.end_date,
                        });
                    }
                    Self::seed_sessions(&mut tx, &sessions).await?;
                    let mut buffers = SeedBuffers::default();
                    let mut sample = Vec::new();
                    for demo_worker in demo.workers() {
                        if sample.len() < DECLARATION_SAMPLE {
                            sample.push(demo_worker.clone());
                        }
                        let employer_account = account_ids.get(demo_worker.employer).copied();
                        buffers.push(demo_worker, employer_account, &session_owner, catalogue);
                        if buffers.full(Self::SEED_BATCH) {
                            Self::seed_people(&mut tx, &buffers).await?;
                            buffers.clear();
                        }
                    }
                    Self::seed_people(&mut tx, &buffers).await?;
                    for sql in &rebuild {
                        sqlx::query(sql).execute(&mut *tx).await?;
                    }
                    // A demo session whose every trainee has an outcome is over, its entries
                    // written above: closed on its end date (docs/model.md "Sessions").
                    sqlx::query(
                        "UPDATE sessions SET closed_at = end_date \
                         WHERE EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = sessions.id) \
                         AND NOT EXISTS (SELECT 1 FROM session_trainees t \
                           WHERE t.session_id = sessions.id AND t.outcome = 'pending')",
                    )
                    .execute(&mut *tx)
                    .await?;
                    for demo_declaration in demo.declarations(&sample) {
                        let owner = account_ids
                            .get(demo_declaration.owner)
                            .copied()
                            .ok_or_else(|| corrupt("déclaration sans compte propriétaire".to_owned()))?;
                        let (deadline, status, created_at) =
                            recorded(demo_declaration.owner, &demo_declaration.declaration);
                        let new = NewDeclaration {
                            declaration: demo_declaration.declaration,
                            idempotency_key: None,
                            body_hash: None,
                            status,
                            deadline,
                            created_at,
                            session_id: Some(demo_declaration.session_id),
                        };
                        if let Err(taken) = insert_declaration(&mut tx, owner, &new, catalogue).await? {
                            return Err(corrupt(format!(
                                "ID_UNIQUE_PARTENAIRE « {taken} » en double"
                            )));
                        }
                    }
                    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, '1')")
                        .bind(META_DEMO)
                        .execute(&mut *tx)
                        .await?;
                    Self::seed_end(&mut tx).await?;
                    tx.commit().await?;
                    self.seed_committed().await
                }
            }
        }
    };
}

pub(super) use ported;
