//! Seeding the sandbox with demonstration data, through the same writes as the routes (the
//! batches of [`super::rows`], and the declarations' `insert_declaration` shared with
//! PostgreSQL): one transaction, rows streamed from the generator into buffers flushed as
//! multi-row INSERTs, secondary indexes rebuilt at the end. SQLite only, like the sandbox.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Connection, SqliteConnection};

use super::rows::{
    EntryInsert, MAX_ROWS, PersonRow, SessionInsert, TraineeInsert, WorkerRow, insert_entries,
    insert_persons, insert_sessions, insert_trainees, insert_workers,
};
use super::sqlite::declarations::insert_declaration;
use super::{META_DEMO, NewDeclaration, ServerError, Store, code_of, supersession};
use crate::api::contract::{DeclarationStatus, EntrySource};
use crate::domain::declaration::Declaration;
use crate::domain::expiry::{PassportEntry, expiry_date};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::server::demo::{Demo, DemoWorker};

/// Page cache of the seeding connection (256 MiB): the NIR index and the trainees' primary key
/// are filled in random order, and a small cache would spill pages again and again.
const SEED_CACHE_PRAGMA: &str = "PRAGMA cache_size = -262144";
/// The connections' page cache, restored after seeding.
const DEFAULT_CACHE_PRAGMA: &str = "PRAGMA cache_size = -16384";
/// Workers handed to the demo generator to build its recorded declarations.
const DECLARATION_SAMPLE: usize = 5000;

/// Row buffers of the demo seeding, each flushed as one batch when one is full.
#[derive(Default)]
struct SeedBuffers {
    workers: Vec<WorkerRow>,
    entries: Vec<EntryInsert>,
    trainees: Vec<TraineeInsert>,
}

impl SeedBuffers {
    /// Writes the buffered persons and workers (first, for the foreign keys), then entries and
    /// trainees.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<(), ServerError> {
        // Each demo worker is its own person, of the same id.
        let persons: Vec<PersonRow<'_>> = self
            .workers
            .iter()
            .map(|row| PersonRow {
                id: Some(row.person_id),
                nir: row.worker.nir.as_str(),
            })
            .collect();
        insert_persons(conn, &persons).await?;
        insert_workers(conn, &self.workers).await?;
        insert_entries(conn, &self.entries).await?;
        insert_trainees(conn, &self.trainees).await?;
        self.workers.clear();
        self.entries.clear();
        self.trainees.clear();
        Ok(())
    }

    /// Whether a buffer is full.
    fn full(&self) -> bool {
        self.workers.len() >= MAX_ROWS
            || self.entries.len() >= MAX_ROWS
            || self.trainees.len() >= MAX_ROWS
    }

    /// Buffers a demo worker: its person and worker row, the entries of its passed or attended
    /// sessions (expiry and supersession computed here, as `refresh_person` would), and its
    /// enrolments.
    fn push(
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
        for (session_id, outcome) in demo_worker.sessions() {
            self.trainees.push(TraineeInsert {
                session_id,
                worker_id,
                outcome,
            });
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
fn corrupt(detail: String) -> ServerError {
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
        let mut conn = self.sqlite()?.acquire().await?;
        sqlx::query(SEED_CACHE_PRAGMA).execute(&mut *conn).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        // Secondary indexes are dropped and rebuilt around the bulk load (a sort per index is
        // far cheaper than random insertions); their definitions come from the schema itself.
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('persons', 'workers', 'sessions', 'session_trainees', \
             'passport_entries')",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *tx)
                .await?;
        }
        let now = Utc::now();
        let mut account_ids = Vec::with_capacity(demo.accounts().len());
        for account in demo.accounts() {
            let id =
                sqlx::query("INSERT INTO accounts (kind, siret, name, nda) VALUES (?, ?, ?, ?)")
                    .bind(code_of(account.kind))
                    .bind(account.siret.as_str())
                    .bind(&account.name)
                    .bind(account.nda.as_ref().map(|nda| nda.as_str().to_owned()))
                    .execute(&mut *tx)
                    .await?
                    .last_insert_rowid();
            sqlx::query("INSERT INTO tokens (hash, account_id, created_at) VALUES (?, ?, ?)")
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
            let owner = account_ids
                .get(demo_session.owner)
                .copied()
                .ok_or_else(|| {
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
        insert_sessions(&mut tx, &sessions).await?;
        let mut buffers = SeedBuffers::default();
        let mut sample = Vec::new();
        for demo_worker in demo.workers() {
            if sample.len() < DECLARATION_SAMPLE {
                sample.push(demo_worker.clone());
            }
            let employer_account = account_ids.get(demo_worker.employer).copied();
            buffers.push(demo_worker, employer_account, &session_owner, catalogue);
            if buffers.full() {
                buffers.flush(&mut tx).await?;
            }
        }
        buffers.flush(&mut tx).await?;
        for (_, sql) in &indexes {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        // A demo session whose every trainee has an outcome is over, its entries written above:
        // closed on its end date (docs/model.md "Sessions").
        sqlx::query(
            "UPDATE sessions SET closed_at = end_date \
             WHERE EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = sessions.id) \
             AND NOT EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = sessions.id \
               AND t.outcome = 'pending')",
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
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, '1')")
            .bind(META_DEMO)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sqlx::query(DEFAULT_CACHE_PRAGMA)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
