//! The export memory of the contract (issue 12 item 5): each bulk file handed out is an export
//! batch (`/v1/exports`), with its lines and the portal's answer, so that a line already sent is
//! not sent again (domain.md §8: a repeated ID_UNIQUE_PARTENAIRE is refused as a double
//! declaration) and a refused one is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DeclarationId, ExportFormat};

/// Identifier of an export batch (« lot »).
pub type ExportBatchId = i64;

/// `POST /v1/exports` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewExport {
    /// The layout: `adf` (attestations) or `jdr` (justificatifs).
    pub kind: ExportFormat,
    /// Every live line, even those already sent (default: only the lines not sent yet, or
    /// refused by the portal).
    #[serde(default)]
    pub all: bool,
}

/// The portal's answer to a file, as the user reads it on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortalAnswer {
    /// The whole file was imported.
    Accepted,
    /// The whole file was refused (domain.md §8: one violated global condition rejects it).
    Refused,
    /// The file was imported except the lines of the titulaires named.
    RefusedTitulaires,
}

impl PortalAnswer {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "accepté",
            Self::Refused => "refusé en entier",
            Self::RefusedTitulaires => "titulaires refusés",
        }
    }
}

/// `POST /v1/exports/{id}/answer` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportAnswer {
    /// The answer.
    pub answer: PortalAnswer,
    /// With `refused_titulaires`: the titulaires refused, each by ID_UNIQUE_PARTENAIRE or by
    /// NOM_TITULAIRE (case and accents ignored; a name shared by two lines of the batch must
    /// be given by its ID_UNIQUE_PARTENAIRE). Empty otherwise.
    #[serde(default)]
    pub titulaires: Vec<String>,
}

/// One titulaire line of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportLine {
    /// The declaration.
    pub declaration_id: DeclarationId,
    /// ID_UNIQUE_PARTENAIRE of the line.
    pub id_unique_partenaire: String,
    /// NOM_TITULAIRE.
    pub nom_titulaire: String,
    /// Refused by the portal: exported again by the next batch.
    pub refused: bool,
}

/// A batch in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportBatchSummary {
    /// Identifier (« lot n »).
    pub id: ExportBatchId,
    /// The layout.
    pub kind: ExportFormat,
    /// Made with `all` (every live line, sent or not).
    pub all: bool,
    /// When the server made it.
    pub created_at: DateTime<Utc>,
    /// Suggested file name.
    pub file_name: String,
    /// Titulaire lines in the file.
    pub line_count: u32,
    /// Lines refused by the portal.
    pub refused_count: u32,
    /// The portal's answer, once recorded.
    pub answer: Option<PortalAnswer>,
    /// When the answer was recorded.
    pub answered_at: Option<DateTime<Utc>>,
}

/// `GET /v1/exports/{id}`: a batch with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportBatch {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: ExportBatchSummary,
    /// The lines, in file order.
    pub lines: Vec<ExportLine>,
}

/// `POST /v1/exports` (201): the new batch and its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedExport {
    /// The batch.
    #[serde(flatten)]
    pub batch: ExportBatch,
    /// The file, exactly as `GET /v1/exports/{id}/file` returns it (`|`, UTF-8, CRLF).
    pub file: String,
}

/// `GET /v1/exports` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportsQuery {
    /// Page size (1 to 5000, default 200).
    pub limit: Option<u32>,
    /// Cursor of the next page.
    pub cursor: Option<String>,
}

/// Where a declaration stands with the portal: the latest batch holding its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportState {
    /// Sent, no answer recorded yet.
    EnAttente,
    /// Accepted by the portal.
    Acceptee,
    /// At least one line refused: it goes in the next export.
    Refusee,
}

impl ExportState {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::EnAttente => "envoyée",
            Self::Acceptee => "acceptée",
            Self::Refusee => "refusée",
        }
    }
}

/// The export of one declaration, on its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeclarationExport {
    /// The latest batch holding one of its lines.
    pub batch_id: ExportBatchId,
    /// When that batch was made.
    pub exported_at: DateTime<Utc>,
    /// The state of its lines: refused if one is, waiting if one has no answer, else accepted.
    pub state: ExportState,
    /// Lines the next export will send (never sent, or refused).
    pub unsent: u32,
}
