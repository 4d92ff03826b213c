//! `GET /v1/verifications`, `POST /v1/verifications/{line}/verify` and
//! `POST /v1/verifications/{line}/request-correction`: the employer's check of the lines a
//! training organisation declared for its staff (décret 2022-1712 art. 7-I, issue 16). An
//! organisation reads the same list: the requests made on its own declarations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::DeclarationKind;
use crate::domain::verification::{Resolution, VerificationStatus};

/// One titulaire line of a training organisation's declaration, as the employer checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerificationView {
    /// The line: the `{line}` of the routes.
    pub line_id: i64,
    /// The organisation's declaration.
    pub declaration_id: i64,
    /// `ID_DECLARATION`.
    pub id_declaration: String,
    /// `REFERENCE_DECLARATION`.
    pub reference: String,
    /// Attestation de formation or justificatif de réussite.
    #[schema(value_type = String)]
    pub kind: DeclarationKind,
    /// `NOM_FORMATION` (or `NOM_JDR`).
    pub training_title: String,
    /// `DATE_FIN_FORMATION`.
    pub training_end: Option<NaiveDate>,
    /// `DATE_DEBUT_VALIDITE`.
    pub validity_start: Option<NaiveDate>,
    /// The date that starts the window (training end, or validity start of a justificatif).
    pub reference_date: Option<NaiveDate>,
    /// `ID_UNIQUE_PARTENAIRE` of the line.
    pub id_unique_partenaire: String,
    /// `NOM_TITULAIRE`.
    pub titulaire: String,
    /// NIR of the titulaire (13 characters); clients mask it in lists.
    pub nir: String,
    /// `SIRET_EMPLOYEUR` of the line.
    pub employer_siret: String,
    /// The declaring organisation's name.
    pub organisme: String,
    /// Where the line stands: `a_verifier`, `verifiee`, `correction_demandee`, `corrigee`,
    /// `reputee_verifiee`.
    #[schema(value_type = String)]
    pub status: VerificationStatus,
    /// Last day the employer may ask for a correction; `None` when no rule applies.
    pub window_ends: Option<NaiveDate>,
    /// Day the line is deemed verified without a check.
    pub deemed_verified_on: Option<NaiveDate>,
    /// Source of the window's rule.
    pub window_source: Option<String>,
    /// The rule's remark (what is to confirm).
    pub window_note: Option<String>,
    /// Whether the window is an assumption to confirm (shown « à confirmer »).
    pub window_assumed: bool,
    /// The employer's message to the organisation.
    pub message: Option<String>,
    /// Day the employer verified or asked for a correction.
    pub acted_on: Option<NaiveDate>,
    /// How the organisation answered the request (`titulaire_retire`, `declaree_a_nouveau`).
    #[schema(value_type = Option<String>)]
    pub resolution: Option<Resolution>,
}

/// `GET /v1/verifications`: the lines, nearest window first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerificationList {
    /// The lines.
    pub items: Vec<VerificationView>,
}

/// Query of `GET /v1/verifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerificationsQuery {
    /// Only this status (`a_verifier`, `verifiee`, `correction_demandee`, `corrigee`,
    /// `reputee_verifiee`).
    #[param(value_type = Option<String>)]
    pub status: Option<VerificationStatus>,
}

/// Body of `POST /v1/verifications/{line}/request-correction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CorrectionRequest {
    /// What the organisation must correct: required, at most 1,000 characters, no control
    /// character.
    pub message: String,
}

/// Art. 7-II: a training the employer recorded for one of its workers at a training
/// organisation (a training record or a session naming another organisme), that the
/// organisation had to declare (in scope, not excluded), and that no declaration matched by the
/// end of the organisation's deadline: « non déclarée par l'organisme », for the employer to
/// declare in its place (which takes it off the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UndeclaredTraining {
    /// The employer's passport entry.
    pub entry_id: i64,
    /// The worker.
    pub worker_id: i64,
    /// Birth name and first names.
    pub worker_name: String,
    /// NIR of the worker; clients mask it in lists.
    pub nir: String,
    /// Birth name (`NOM_TITULAIRE` of a declaration in the organisation's place).
    pub last_name: String,
    /// SIRET of the worker's establishment (`SIRET_EMPLOYEUR`).
    pub employer_siret: String,
    /// Catalogue code, if known.
    pub training_code: Option<String>,
    /// Title (the record's or session's, else the catalogue's).
    pub training_title: String,
    /// First day of the training, when a session gives it.
    pub start_date: Option<NaiveDate>,
    /// Training end (the reference date).
    pub end_date: NaiveDate,
    /// Start of validity written on the record.
    pub validity_start: Option<NaiveDate>,
    /// End of validity written on the record.
    pub validity_end: Option<NaiveDate>,
    /// The employer's session the entry comes from, if any.
    pub session_id: Option<i64>,
    /// The organisation that gave it.
    pub organisme: String,
    /// The organisation's deadline, passed.
    pub organisation_due: NaiveDate,
    /// The employer's own deadline (`None` when no `[[fallback]]` rule covers the training).
    pub employer_due: Option<NaiveDate>,
    /// The remark of the `[[fallback]]` rule.
    pub rule_note: Option<String>,
    /// Whether that rule is an assumption to confirm.
    pub rule_assumed: bool,
}

/// `GET /v1/verifications/undeclared`: the trainings, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UndeclaredList {
    /// The trainings.
    pub items: Vec<UndeclaredTraining>,
}
