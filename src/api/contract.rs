//! The Passeport HTTP API contract (v1): the JSON bodies of every route, shared by the sandbox
//! server and the client. Field names are English snake_case; dates are `YYYY-MM-DD`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::deadline::Obligation;
use crate::domain::declaration::Declaration;
use crate::domain::expiry::ExpiryStatus;
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::training::{Confidence, TrainingType};
use crate::domain::worker::WorkerId;
use crate::domain::{DeclarantKind, DeclarationKind, FieldError};

mod entries;
mod nir;
mod staff;

pub use entries::{
    EntryOrigin, EntrySource, NewTrainingRecord, TrainingRecordAnswer, TrainingRecordPatch,
    TrainingRecordView, TrainingRemoval,
};
pub use nir::{NirView, StaffView, WorkerView};
pub use staff::{NewWorker, StaffRecord, WorkerPatch, duplicate_detail, duplicate_of};
mod exports;
pub use exports::*;
mod sessions;
pub use sessions::{NewSession, NewTrainee, SessionPatch, TraineeOutcomeUpdate};
mod matrix;
pub use matrix::{MatrixData, RequirementList};
mod unmapped;
pub use unmapped::{UnmappedTitle, UnmappedTitles};
mod verifications;
pub use verifications::{
    CorrectionRequest, UndeclaredList, UndeclaredTraining, VerificationList, VerificationView,
    VerificationsQuery,
};

/// The `Idempotency-Key` header required by `POST /v1/declarations`.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Media type of error bodies (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";
/// Largest page a client may ask for.
pub const MAX_PAGE_LIMIT: u32 = 5000;
/// Page size when the client gives none.
pub const DEFAULT_PAGE_LIMIT: u32 = 200;

/// Identifier of a declaration.
pub type DeclarationId = i64;

/// A page of a cursor-paginated list: pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Opaque cursor of the next page, absent on the last page.
    pub next_cursor: Option<String>,
}

/// Common pagination query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to [`MAX_PAGE_LIMIT`].
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// An error body (RFC 9457 `application/problem+json`), messages in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type (`about:blank` when none).
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    /// Short French summary.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Longer French explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level problems (422).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// `GET /v1/me`: the account behind the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// `organisme_formation` or `employeur`.
    #[schema(value_type = String, example = "employeur")]
    pub kind: DeclarantKind,
    /// SIRET of the account.
    pub siret: String,
    /// Name of the company or training organisation.
    pub name: String,
    /// Numéro de déclaration d'activité (training organisations only).
    pub nda: Option<String>,
    /// True when the server holds demonstration data (sandbox).
    pub sandbox: bool,
    /// The user behind the token (absent from servers older than users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Me>,
}

/// The user behind a token, in `GET /v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// `lecture`, `saisie` or `administration`.
    #[schema(value_type = String, example = "saisie")]
    pub role: crate::domain::rights::Role,
    /// Whether NIRs are shown unmasked to this `lecture` user.
    pub nir_access: bool,
    /// The sites the user is limited to; absent for every site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<Vec<String>>,
}

/// `GET /v1/catalogue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CatalogueResponse {
    /// Every training type the server knows.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<TrainingType>,
}

/// `GET /v1/workers` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkersQuery {
    /// Case- and accent-insensitive filter on names, NIR digits, employer and site.
    pub q: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
    /// `true` lists the employer's leavers too (archived workers).
    #[serde(default)]
    pub archived: Option<bool>,
}

/// One training in a worker's passport, with its computed expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PassportEntryView {
    /// Catalogue code of the training type.
    pub training_code: String,
    /// Title of the training type.
    pub training_title: String,
    /// Category 1–4 of the training type.
    pub category: u8,
    /// How firmly that category rests on its sources (`C`, `S`, `T` or `I`): a `T` or `I`
    /// category is shown as one to confirm (audit 2026-12 §1). Older servers omit it: `I`.
    #[serde(default)]
    #[schema(value_type = String, example = "I")]
    pub category_confidence: Confidence,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Start of validity (justificatif de réussite), if any.
    pub validity_start: Option<NaiveDate>,
    /// Explicit end of validity, if any.
    pub validity_end: Option<NaiveDate>,
    /// Computed expiry (last valid day), none when the training does not expire.
    pub expires_on: Option<NaiveDate>,
    /// Days from today to the expiry (negative when expired).
    pub days_left: Option<i64>,
    /// Status relative to the server's today.
    #[schema(value_type = String, example = "expiring")]
    pub status: ExpiryStatus,
    /// True when a later training of the same type replaces this one.
    pub superseded: bool,
    /// The session that delivered it, when known to this account.
    pub session_id: Option<SessionId>,
    /// Where it comes from: session, employer's record or declaration, and by whom.
    #[serde(default)]
    pub origin: EntryOrigin,
}

/// `GET /v1/workers/{id}/passport`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Passport {
    /// The worker.
    #[schema(value_type = Object)]
    pub worker: WorkerView,
    /// The server's today, used for statuses.
    pub today: NaiveDate,
    /// Trainings, most recent first.
    pub entries: Vec<PassportEntryView>,
}

/// Declaration status of a session, as shown on the Sessions screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionDeclarationStatus {
    /// The session is not over yet.
    EnCours,
    /// Over, with trainees still to declare.
    ADeclarer,
    /// Every trainee to declare is declared.
    Declaree,
    /// Nothing to declare (no trainee present).
    NonConcernee,
}

impl SessionDeclarationStatus {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::EnCours => "En cours",
            Self::ADeclarer => "À déclarer",
            Self::Declaree => "Déclarée",
            Self::NonConcernee => "Non concernée",
        }
    }
}

/// `GET /v1/sessions` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// Sessions ending on or after this date.
    pub from: Option<NaiveDate>,
    /// Sessions starting on or before this date.
    pub to: Option<NaiveDate>,
    /// Only sessions with this declaration status.
    pub status: Option<SessionDeclarationStatus>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// A session in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionSummary {
    /// Identifier.
    pub id: SessionId,
    /// Catalogue code of the training type.
    pub training_code: String,
    /// Title as delivered.
    pub title: String,
    /// Training organisation (or employer, for an internal training).
    pub organisme: String,
    /// Place.
    pub place: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// Number of trainees.
    pub trainee_count: u32,
    /// Where the declaration of this session stands.
    pub declaration_status: SessionDeclarationStatus,
    /// The day it was closed (its passport entries written); none while open.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
}

/// A trainee of a session, with identity for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TraineeView {
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// NIR, 13 characters (masked on screen).
    pub nir: String,
    /// SIRET of the worker's employer.
    pub employer_siret: String,
    /// Name of the worker's employer, as the session's account knows it.
    #[serde(default)]
    pub employer_name: String,
    /// Outcome of the session for this trainee.
    #[schema(value_type = String, example = "passed")]
    pub outcome: TraineeOutcome,
    /// True when a declaration already names this trainee for this session.
    pub declared: bool,
}

/// `GET /v1/sessions/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionDetail {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: SessionSummary,
    /// Trainees and their outcome.
    pub trainees: Vec<TraineeView>,
}

/// `GET /v1/expirations` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpirationsQuery {
    /// Window in days after today (default 90); past expiries are always included.
    pub within_days: Option<u32>,
    /// Only this training type.
    pub training: Option<String>,
    /// Only this site.
    pub site: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// Counts for the dashboard, over the whole visible workforce (not only the page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExpirationCounts {
    /// Already expired.
    pub expired: u64,
    /// Expiring within 30 days.
    pub within_30: u64,
    /// Expiring within 31 to 60 days.
    pub within_60: u64,
    /// Expiring within 61 to 90 days.
    pub within_90: u64,
}

/// One expiry on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExpirationItem {
    /// The worker.
    pub worker_id: WorkerId,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// Site.
    pub site: String,
    /// Name of the worker's employer: what a training organisation tells its trainees apart
    /// by (absent from older servers).
    #[serde(default)]
    pub employer: String,
    /// Catalogue code.
    pub training_code: String,
    /// Title of the training type.
    pub training_title: String,
    /// Last valid day.
    pub expires_on: NaiveDate,
    /// Days from today (negative when expired).
    pub days_left: i64,
    /// `expired` or `expiring`.
    #[schema(value_type = String, example = "expiring")]
    pub status: ExpiryStatus,
}

/// `GET /v1/expirations`: sorted by date, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExpirationsPage {
    /// The server's today.
    pub today: NaiveDate,
    /// Counts by band over every visible worker.
    pub counts: ExpirationCounts,
    /// This page of items.
    pub items: Vec<ExpirationItem>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// Status of a recorded declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationStatus {
    /// Recorded, within its deadline.
    Enregistree,
    /// Recorded after its deadline.
    EnRetard,
    /// Every titulaire was removed: the declaration no longer exists on the platform.
    Supprimee,
}

impl DeclarationStatus {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Enregistree => "Enregistrée",
            Self::EnRetard => "Enregistrée en retard",
            Self::Supprimee => "Supprimée",
        }
    }
}

/// `GET /v1/declarations` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeclarationsQuery {
    /// Only this status.
    pub status: Option<DeclarationStatus>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// A declaration in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeclarationSummary {
    /// Identifier.
    pub id: DeclarationId,
    /// REFERENCE_DECLARATION.
    pub reference: String,
    /// Attestation (ADF) or justificatif (JDR).
    #[schema(value_type = String, example = "attestation")]
    pub kind: DeclarationKind,
    /// NOM_FORMATION or NOM_JDR.
    pub training_title: String,
    /// Remaining titulaires.
    pub titulaire_count: u32,
    /// Status.
    pub status: DeclarationStatus,
    /// Date by which it was due, from the deadline rules.
    pub deadline: Option<NaiveDate>,
    /// When the server recorded it.
    pub created_at: DateTime<Utc>,
    /// Its latest export batch, none while never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<DeclarationExport>,
}

/// `GET /v1/declarations/{id}` and the answer of `POST /v1/declarations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeclarationView {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: DeclarationSummary,
    /// The declaration as recorded (titulaires removed since then are gone).
    #[schema(value_type = Object)]
    pub declaration: Declaration,
}

/// `POST /v1/declarations/validate` success answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValidationReport {
    /// Always true in a 200 answer (problems come as a 422).
    pub valid: bool,
    /// The deadline the declaration would have.
    pub deadline: Option<NaiveDate>,
    /// Why it is due (or not), with the rule's source and confidence label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<DeadlineExplanation>,
}

/// Whether a declaration is mandatory, as the deadline and scope rules answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// Mandatory, with a deadline.
    Obligatoire,
    /// Not mandatory: the training ended before its category was in scope.
    NonObligatoire,
    /// Excluded from the Passeport (décret 2022-1712 art. 4-II).
    Exclue,
    /// The training type is unknown and only some categories were mandatory then.
    CategorieInconnue,
}

/// The explanation of a declaration's deadline, for a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeadlineExplanation {
    /// The answer.
    pub obligation: ObligationKind,
    /// French explanation, with the confidence label (`[C]`, `[S]`, `[T]`, `[I]`).
    pub message: String,
    /// Confidence label of the rule: `C`, `S`, `T` or `I`.
    #[schema(value_type = String, example = "T")]
    pub confidence: Confidence,
    /// URL of the rule's source.
    pub source: Option<String>,
}

impl DeadlineExplanation {
    /// The explanation of an obligation computed by the deadline rules.
    pub fn of(obligation: &Obligation<'_>) -> Self {
        Self {
            obligation: match obligation {
                Obligation::Due { .. } => ObligationKind::Obligatoire,
                Obligation::NotMandatory { .. } => ObligationKind::NonObligatoire,
                Obligation::Excluded(_) => ObligationKind::Exclue,
                Obligation::CategoryUnknown { .. } => ObligationKind::CategorieInconnue,
            },
            message: obligation.explain(),
            confidence: obligation.confidence(),
            source: obligation.source().map(str::to_owned),
        }
    }
}

/// Bulk-file layout of `GET /v1/declarations/export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Attestations de formation, 20 columns (domain.md §8).
    Adf,
    /// Justificatifs de réussite, 29 columns (domain.md §8).
    Jdr,
}

/// `GET /v1/declarations/export` query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The layout.
    pub format: ExportFormat,
}

/// `GET /v1/audit` query (administration).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries on or after this day (UTC).
    pub since: Option<NaiveDate>,
    /// Entries of this user (e-mail; `ligne de commande` for the server's command line).
    pub user: Option<String>,
    /// Entries on this kind of thing (`salarié`, `utilisateur`, `jeton`…).
    pub entity: Option<String>,
    /// `true`: newest first, each next page going back in time (default: oldest first).
    #[serde(default)]
    pub newest_first: Option<bool>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// One entry of the audit trail: who, when, what, and the changed fields before and after
/// (NIRs masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Identifier, increasing.
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who: the user's e-mail.
    pub user: String,
    /// What was done (`création`, `modification`, `suppression`, `révocation`…).
    pub action: String,
    /// On what kind of thing.
    pub entity: String,
    /// Its identifier.
    pub entity_id: String,
    /// The changed fields before (absent for a creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The changed fields after (absent for a removal).
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}
