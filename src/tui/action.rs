//! What flows into [`App::update`](super::app::App::update) (actions) and out of it (effects).
//! Effects run in spawned tasks and answer with an action carrying their request id, so that a
//! stale answer can be recognised and dropped (latest wins).

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::ApiError;
use crate::api::contract::{
    Account, DeclarationSummary, DeclarationsQuery, ExpirationsPage, ExpirationsQuery, Passport,
    SessionDetail, SessionSummary, SessionsQuery,
};
use crate::api::contract::{AuditEntry, AuditQuery, Page};
use crate::api::contract::{DeclarationId, DeclarationView, ValidationReport};
use crate::api::contract::{ExportBatch, ExportBatchId, ExportFormat};
use crate::api::contract::{NewSession, NewTrainee, SessionPatch};
use crate::api::contract::{
    NewTrainingRecord, NewWorker, StaffView, TrainingRecordAnswer, WorkerPatch, WorkerView,
};
use crate::api::contract::{UndeclaredTraining, VerificationView, VerificationsQuery};
use crate::domain::declaration::Declaration;
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::TrainingType;
use crate::domain::worker::WorkerId;
use crate::drafts::{Draft, ListedDraft};
use crate::search::{Matches, SearchIndex};

use std::sync::Arc;

/// Identifies one request, to drop stale answers.
pub type RequestId = u64;

/// A request to the API, run off the UI task.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `GET /v1/me`.
    Me,
    /// Read and check a file to import, then send it when [`ImportJob::send`].
    Import(ImportJob),
    /// `GET /v1/catalogue`.
    Catalogue,
    /// Every page of `GET /v1/expirations`.
    Expirations(ExpirationsQuery),
    /// Every page of `GET /v1/sessions`.
    Sessions(SessionsQuery),
    /// `GET /v1/sessions/{id}`.
    Session(SessionId),
    /// Every page of `GET /v1/workers` (the roster searched locally).
    Roster,
    /// `GET /v1/workers/{id}/passport`.
    Passport(WorkerId),
    /// Every page of `GET /v1/declarations`.
    Declarations(DeclarationsQuery),
    /// `GET /v1/declarations/{id}`.
    Declaration(DeclarationId),
    /// `DELETE /v1/declarations/{id}/titulaires/{id_unique_partenaire}`.
    RemoveTitulaire {
        /// The declaration.
        declaration: DeclarationId,
        /// The titulaire's line key.
        id_unique_partenaire: String,
    },
    /// `POST /v1/exports` for ADF then JDR (the lines not sent yet), each file written in the
    /// exports folder.
    ExportBatches,
    /// `GET /v1/verifications`: the lines to check (an organisation: the requests it got).
    Verifications(VerificationsQuery),
    /// `GET /v1/verifications/undeclared`: the employer's trainings no organisation declared in
    /// time (art. 7-II).
    Undeclared,
    /// `POST /v1/verifications/{line}/verify`.
    VerifyLine {
        /// The line.
        line: i64,
        /// Idempotency key.
        key: String,
    },
    /// `POST /v1/verifications/{line}/request-correction`.
    RequestCorrection {
        /// The line.
        line: i64,
        /// What the organisation must correct.
        message: String,
        /// Idempotency key.
        key: String,
    },
    /// `POST /v1/exports/{id}/answer`.
    AnswerExport {
        /// The batch.
        batch: ExportBatchId,
        /// The portal's answer.
        answer: AnswerScope,
    },
    /// One page of `GET /v1/audit` (administrators).
    Audit(AuditQuery),
    /// The declaration drafts of the data directory (no network).
    ListDrafts,
    /// Writes a draft atomically (no network).
    SaveDraft(Box<Draft>),
    /// Deletes a draft file by id (no network).
    DeleteDraft(String),
    /// `POST /v1/declarations/validate`.
    ValidateDeclaration(Box<Declaration>),
    /// `POST /v1/declarations` under the draft's idempotency key.
    CreateDeclaration {
        /// The declaration.
        declaration: Box<Declaration>,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `GET /v1/workers/{id}`: the worker with their employment (to prefill the edit form).
    Staff(WorkerId),
    /// `POST /v1/workers` under the form's idempotency key.
    CreateWorker {
        /// The new worker.
        worker: Box<NewWorker>,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `PATCH /v1/workers/{id}`.
    UpdateWorker {
        /// The worker.
        id: WorkerId,
        /// The fields changed.
        patch: Box<WorkerPatch>,
    },
    /// `POST /v1/workers/{id}/archive`.
    ArchiveWorker {
        /// The worker.
        id: WorkerId,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `POST /v1/workers/{id}/trainings` under the form's idempotency key.
    CreateTraining {
        /// The worker.
        worker: WorkerId,
        /// The record.
        record: Box<NewTrainingRecord>,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `DELETE /v1/workers/{id}/trainings/{entry_id}` with its reason.
    RemoveTraining {
        /// The worker.
        worker: WorkerId,
        /// The record.
        entry_id: i64,
        /// Why it goes (required).
        reason: String,
    },
    /// `POST /v1/sessions` under the form's idempotency key.
    CreateSession {
        /// The new session.
        session: Box<NewSession>,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `PATCH /v1/sessions/{id}`.
    UpdateSession {
        /// The session.
        id: SessionId,
        /// The fields changed.
        patch: Box<SessionPatch>,
    },
    /// `POST /v1/sessions/{id}/trainees` for each worker in turn, each under `<key>-<worker>`:
    /// a retry enrols only those still missing.
    EnrolTrainees {
        /// The session.
        session: SessionId,
        /// The workers to enrol.
        workers: Vec<WorkerId>,
        /// The prefix of the `Idempotency-Key`s.
        key: String,
    },
    /// `POST /v1/sessions/{id}/trainees` with an identity (a training organisation's trainee not
    /// known yet).
    EnrolPerson {
        /// The session.
        session: SessionId,
        /// The identity.
        trainee: Box<NewTrainee>,
        /// The `Idempotency-Key`.
        key: String,
    },
    /// `DELETE /v1/sessions/{id}/trainees/{worker_id}`.
    RemoveTrainee {
        /// The session.
        session: SessionId,
        /// The trainee.
        worker: WorkerId,
    },
    /// `PUT /v1/sessions/{id}/trainees/{worker_id}`.
    SetOutcome {
        /// The session.
        session: SessionId,
        /// The trainee.
        worker: WorkerId,
        /// Their outcome.
        outcome: TraineeOutcome,
    },
    /// `POST /v1/sessions/{id}/close`.
    CloseSession {
        /// The session.
        session: SessionId,
        /// The `Idempotency-Key`.
        key: String,
    },
}

impl Request {
    /// True for requests served from the local disk (drafts), not by the API.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::ListDrafts | Self::SaveDraft(_) | Self::DeleteDraft(_)
        )
    }

    /// True for writes that can change what Échéances lists: a worker's name, site or archive,
    /// their training records, a declaration's titulaires, a session's closing (its entries).
    pub fn changes_expirations(&self) -> bool {
        matches!(
            self,
            Self::UpdateWorker { .. }
                | Self::ArchiveWorker { .. }
                | Self::CreateTraining { .. }
                | Self::RemoveTraining { .. }
                | Self::CreateDeclaration { .. }
                | Self::RemoveTitulaire { .. }
                | Self::CloseSession { .. }
                | Self::Import(ImportJob { send: true, .. })
        )
    }
}

/// A file to import ([`crate::import`]): read and checked off the UI task, sent when `send`.
#[derive(Debug, Clone)]
pub struct ImportJob {
    /// The file (`~` already expanded).
    pub path: std::path::PathBuf,
    /// False: read and check only (the preview).
    pub send: bool,
    /// The rules the rows are checked against (catalogue, exclusions).
    pub rules: Arc<crate::rules::Rules>,
    /// Today (frozen in tests): a training not yet ended is refused.
    pub today: chrono::NaiveDate,
}

impl PartialEq for ImportJob {
    fn eq(&self, other: &Self) -> bool {
        (&self.path, self.send, self.today) == (&other.path, other.send, other.today)
            && Arc::ptr_eq(&self.rules, &other.rules)
    }
}

/// A file read for import: what it is and its report (the preview, or the final report).
#[derive(Debug, Clone)]
pub struct ImportRead {
    /// The file, its kind and its columns, in French.
    pub description: String,
    /// Counts, errors at their cells, warnings, and what was sent or written.
    pub report: crate::import::FileReport,
}

/// The error for an answer of another kind than its request: a bug of ours, never the server's.
pub fn unexpected() -> ApiError {
    ApiError::Malformed {
        detail: "réponse inattendue pour cette requête".into(),
    }
}

/// A successful answer, matching its [`Request`].
#[derive(Debug, Clone)]
pub enum Response {
    /// The account.
    Me(Account),
    /// A file read for import, or why it cannot be imported at all (in French).
    Import(Result<Box<ImportRead>, String>),
    /// The catalogue.
    Catalogue(Vec<TrainingType>),
    /// Expirations, every page.
    Expirations(ExpirationsPage),
    /// Sessions, every page.
    Sessions(Vec<SessionSummary>),
    /// One session (read, or as it stands after a write).
    Session(Box<SessionDetail>),
    /// The roster, with its search index built off the UI task.
    Roster(Arc<Vec<WorkerView>>, Arc<SearchIndex>),
    /// One worker's passport.
    Passport(Box<Passport>),
    /// Declarations, every page.
    Declarations(Vec<DeclarationSummary>),
    /// One declaration (detail, or after a titulaire was removed).
    Declaration(Box<DeclarationView>),
    /// The bulk files written (none when nothing was left to send).
    Exported(Vec<ExportedFile>),
    /// The batch after its answer was recorded.
    ExportAnswered(Box<ExportBatch>),
    /// The drafts, or why the folder cannot be read (French).
    Drafts(Result<Vec<ListedDraft>, String>),
    /// A draft save: `Ok(false)` when a newer revision was already written.
    DraftSaved(Result<bool, String>),
    /// A draft deletion.
    DraftDeleted(Result<(), String>),
    /// The server found nothing to object to.
    Validated(ValidationReport),
    /// The recorded declaration, and whether this call created it (false: replay of the key).
    Created(Box<DeclarationView>, bool),
    /// A worker with their employment (read, created, changed or archived).
    Staff(Box<StaffView>),
    /// A training record written or removed, with the passport after it.
    TrainingSaved(Box<TrainingRecordAnswer>),
    /// The verification lines.
    Verifications(Vec<VerificationView>),
    /// One line after an action.
    Verified(Box<VerificationView>),
    /// The trainings « non déclarée par l'organisme ».
    Undeclared(Vec<UndeclaredTraining>),
    /// A page of the audit trail.
    Audit(Page<AuditEntry>),
}

/// The portal's answer to a batch, as recorded from the Déclarations screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerScope {
    /// The file was accepted.
    Accepted,
    /// The whole file was refused.
    Refused,
    /// The lines of this declaration were refused (the batch's lines of it are looked up).
    Declaration(DeclarationId),
}

/// One bulk file of an export batch, written in the exports folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// Where it was written.
    pub path: std::path::PathBuf,
    /// Its batch (« lot »).
    pub batch: ExportBatchId,
    /// Its layout.
    pub kind: ExportFormat,
    /// Titulaire lines in it.
    pub lines: u32,
}

/// Input to the application state.
#[derive(Debug)]
pub enum Action {
    /// A key press (releases and repeats are filtered out before).
    Key(KeyEvent),
    /// A mouse event.
    Mouse(MouseEvent),
    /// Pasted text.
    Paste(String),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// A request finished.
    Loaded {
        /// The request's id.
        id: RequestId,
        /// Its outcome.
        result: Result<Response, ApiError>,
    },
    /// A search finished.
    Searched(Matches),
    /// An import sent one more declaration.
    ImportProgress {
        /// The import's request id.
        id: RequestId,
        /// Declarations sent so far.
        sent: usize,
    },
    /// Time passed while requests are in flight: the spinner turns.
    Tick,
}

/// Work for the runtime, requested by `update`.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Run a request; answer with [`Action::Loaded`].
    Request {
        /// The id to answer with.
        id: RequestId,
        /// What to fetch.
        request: Request,
    },
    /// Match `query` against the index off the UI task; answer with [`Action::Searched`].
    Search {
        /// The index to search.
        index: Arc<SearchIndex>,
        /// The query.
        query: String,
        /// Increases with every query; answers of older generations are dropped.
        generation: u64,
        /// Matches of the previous query, when the new query extends it (only they can match).
        within: Option<Arc<Vec<u32>>>,
    },
    /// Suspend the process (Ctrl-Z).
    Suspend,
}
