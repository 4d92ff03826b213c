//! Importing an HR department's sheets (issue 15 §4), shared by `passeport import` and the TUI's
//! import screen, through the staff routes of the typed client: a roster upserts workers by NIR
//! or matricule and archives its leavers (never deletes); a training history or matrix records
//! training entries. [`TeamImport::check`] reads the account's workers and records and plans
//! every row (the report then says what the import would do); [`TeamImport::apply`] writes,
//! with a progress callback, only when no row is wrong. Importing the same sheet again finds
//! everything unchanged.

mod plan;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::contract::{Account, NirView, StaffRecord, WorkersQuery};
use crate::api::{ApiError, Client};
use crate::bulk::read::LineError;
use crate::bulk::sheet::header::{Field, Kind, Table};
use crate::bulk::sheet::staff;
use crate::bulk::sheet::trainees::sort;
use crate::domain::DeclarantKind;
use crate::domain::FieldError;
use crate::domain::worker::WorkerId;
use crate::import::sheet::Columns;
use crate::rules::Rules;
use crate::text::sanitize;
use crate::text::{agree, count};
use plan::{Action, Plan, Step};

/// Why a team sheet cannot be imported, or stopped being imported (in French).
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// A roster, history or matrix for an organisation's account.
    #[error(
        "{path} : {kind} : son import est réservé aux comptes employeur (ce compte est un \
         organisme de formation, qui ne tient pas de registre du personnel)"
    )]
    NotEmployer {
        /// The file, as typed.
        path: String,
        /// What it is.
        kind: Kind,
    },
    /// The account's workers or records could not be read.
    #[error("{what} impossible")]
    Read {
        /// What was being read, in French.
        what: &'static str,
        /// The server's answer.
        #[source]
        source: ApiError,
    },
    /// The server stopped answering while writing.
    #[error(
        "import interrompu ligne {line} ; relancez la même commande : rien ne sera \
         enregistré deux fois"
    )]
    Interrupted {
        /// The sheet line being written.
        line: usize,
        /// The server's answer.
        #[source]
        source: ApiError,
    },
}

impl TeamError {
    /// The server's error behind a failure to read or write, or the French reason a sheet
    /// cannot be imported at all.
    pub fn into_server(self) -> Result<ApiError, String> {
        match self {
            Self::NotEmployer { .. } => Err(self.to_string()),
            Self::Read { source, .. } | Self::Interrupted { source, .. } => Ok(source),
        }
    }
}

/// A team sheet to import: its path, its table, its report, and the writes it needs once
/// checked.
pub struct TeamImport {
    /// The file, as typed.
    pub path: String,
    /// The sheet understood.
    pub table: Table,
    /// What the import did, or with [`TeamReport::dry_run`] would do.
    pub report: TeamReport,
    steps: Vec<Step>,
}

/// What the import did (or, with `--dry-run`, would do) with one row or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new worker or training record.
    Created,
    /// Fields changed.
    Updated,
    /// A leaver archived (its changed fields written first).
    Archived,
    /// Already as the sheet says.
    Unchanged,
    /// Left aside (a leaver the account never had).
    Ignored,
}

impl Outcome {
    /// French label, for a worker (masculine) or a training (feminine).
    fn label(self, training: bool) -> &'static str {
        match (self, training) {
            (Self::Created, false) => "créé",
            (Self::Created, true) => "enregistrée",
            (Self::Updated, false) => "mis à jour",
            (Self::Updated, true) => "corrigée",
            (Self::Archived, _) => "archivé",
            (Self::Unchanged, false) => "inchangé",
            (Self::Unchanged, true) => "inchangée",
            (Self::Ignored, false) => "ignoré",
            (Self::Ignored, true) => "ignorée",
        }
    }
}

/// One row (or matrix cell) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Line of the sheet.
    pub line: usize,
    /// The cell of a training entry (matrix column or history training column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What was done.
    pub outcome: Outcome,
    /// The worker, once known.
    pub worker: Option<WorkerId>,
    /// Who (and which training), as a person reads it.
    pub label: String,
    /// The fields written, in French.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// The report of a team sheet import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamReport {
    /// The sheet: kind, columns taken and ignored, rows.
    #[serde(flatten)]
    pub sheet: Columns,
    /// Every problem, by line then column.
    pub errors: Vec<LineError>,
    /// Rows accepted or left aside with a remark.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<LineError>,
    /// True when nothing was to be written.
    pub dry_run: bool,
    /// Workers or records created.
    pub created: usize,
    /// Workers or records changed.
    pub updated: usize,
    /// Leavers archived.
    pub archived: usize,
    /// Rows already as the sheet says.
    pub unchanged: usize,
    /// Every row or cell with its outcome, in sheet order.
    pub lines: Vec<Change>,
    #[serde(skip)]
    trainings: bool,
}

impl TeamReport {
    fn new(sheet: Columns, trainings: bool, dry_run: bool) -> Self {
        Self {
            sheet,
            errors: Vec::new(),
            warnings: Vec::new(),
            dry_run,
            created: 0,
            updated: 0,
            archived: 0,
            unchanged: 0,
            lines: Vec::new(),
            trainings,
        }
    }

    /// Records a change and counts it.
    fn push(&mut self, change: Change) {
        match change.outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Archived => self.archived += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Ignored => {}
        }
        self.lines.push(change);
    }

    /// The counts as a person reads them.
    pub fn counts(&self) -> String {
        let (created, updated, archived, unchanged) = (
            self.created as u64,
            self.updated as u64,
            self.archived as u64,
            self.unchanged as u64,
        );
        if self.trainings {
            format!(
                "{} {}, {updated} {}, {unchanged} {}",
                count(created, "formation", "formations"),
                agree(created, "enregistrée", "enregistrées"),
                agree(updated, "corrigée", "corrigées"),
                agree(unchanged, "inchangée", "inchangées"),
            )
        } else {
            format!(
                "{} {}, {updated} mis à jour, {archived} {}, {unchanged} {}",
                count(created, "salarié", "salariés"),
                agree(created, "créé", "créés"),
                agree(archived, "archivé", "archivés"),
                agree(unchanged, "inchangé", "inchangés"),
            )
        }
    }

    /// The report for a person, in French.
    pub fn to_text(&self, path: &str) -> String {
        let mut out = format!("{} : {}\n", sanitize(path), self.sheet.to_text());
        for (list, one, many) in [
            (&self.errors, "erreur", "erreurs"),
            (&self.warnings, "avertissement", "avertissements"),
        ] {
            if !list.is_empty() {
                out.push_str(&format!("{} :\n", count(list.len() as u64, one, many)));
                for error in list {
                    out.push_str(&format!("  {}\n", sanitize(&error.to_string())));
                }
            }
        }
        for change in self
            .lines
            .iter()
            .filter(|c| c.outcome != Outcome::Unchanged)
        {
            let mut line = format!("  ligne {}", change.line);
            if let Some(column) = &change.column {
                line.push_str(&format!(", colonne {column}"));
            }
            line.push_str(&format!(
                " : {} — {}",
                change.label,
                change.outcome.label(self.trainings)
            ));
            if let Some(worker) = change.worker {
                line.push_str(&format!(" (salarié n° {worker})"));
            }
            if !change.fields.is_empty() {
                line.push_str(&format!(" : {}", change.fields.join(", ")));
            }
            out.push_str(&sanitize(&line));
            out.push('\n');
        }
        let written = self.created + self.updated + self.archived;
        let conclusion = if !self.errors.is_empty() && (self.dry_run || written == 0) {
            "Rien n'a été enregistré : corrigez le fichier puis relancez l'import.".to_owned()
        } else if !self.errors.is_empty() {
            format!(
                "Import incomplet ({}) : corrigez les erreurs puis relancez l'import, rien ne \
                 sera enregistré deux fois.",
                self.counts()
            )
        } else if self.dry_run {
            format!(
                "Fichier valide. Simulation (--dry-run) : rien n'a été enregistré ; l'import \
                 donnerait {}.",
                self.counts()
            )
        } else {
            format!("Fichier importé : {}.", self.counts())
        };
        out.push_str(&conclusion);
        out.push('\n');
        out
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        crate::json::document(self)
    }
}

impl TeamReport {
    /// The writes the import makes (or, in a dry run, would make).
    pub fn writes(&self) -> usize {
        self.created + self.updated + self.archived
    }
}

impl TeamImport {
    /// A roster, history or matrix read from the file at `path` (as typed), not yet checked.
    pub fn new(path: &str, table: Table, columns: Columns) -> Self {
        let trainings = table.kind != Kind::Roster;
        Self {
            path: path.to_owned(),
            table,
            report: TeamReport::new(columns, trainings, true),
            steps: Vec::new(),
        }
    }

    /// Matches every row with the account's workers and records and plans its write: the
    /// report then holds every problem and, when there is none, what the import would do.
    pub async fn check(
        &mut self,
        client: &Client,
        account: &Account,
        rules: &Rules,
        today: NaiveDate,
    ) -> Result<(), TeamError> {
        let table = &self.table;
        if account.kind != DeclarantKind::Employeur {
            return Err(TeamError::NotEmployer {
                path: self.path.clone(),
                kind: table.kind,
            });
        }
        let staff = all_staff(client).await?;
        let plan = match table.kind {
            Kind::Roster => Plan::roster(table, staff::roster(table, today), &staff),
            Kind::History => {
                let read = staff::history(table, &rules.catalogue, &rules.simulator, today);
                Plan::trainings(client, table, read, &staff, &rules.catalogue).await?
            }
            _ => {
                let read = staff::matrix(table, &rules.catalogue, &rules.simulator, today);
                Plan::trainings(client, table, read, &staff, &rules.catalogue).await?
            }
        };
        let report = &mut self.report;
        report.errors = plan.errors;
        report.warnings = plan.warnings;
        report.lines.clear();
        (
            report.created,
            report.updated,
            report.archived,
            report.unchanged,
        ) = (0, 0, 0, 0);
        report.dry_run = true;
        // With errors nothing is written and nothing counted; the check counts what it would do.
        self.steps = if report.errors.is_empty() {
            plan.steps
        } else {
            Vec::new()
        };
        for step in &self.steps {
            report.push(step.change.clone());
        }
        Ok(())
    }

    /// Writes what [`TeamImport::check`] planned, when the sheet has no error, calling
    /// `progress(written, total)` after each write; a refusal is placed at its cell, a failure
    /// to reach the server stops the import (writing again creates nothing twice).
    pub async fn apply(
        &mut self,
        client: &Client,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<(), TeamError> {
        if !self.report.errors.is_empty() {
            self.report.dry_run = false;
            return Ok(());
        }
        let table = &self.table;
        let total = self.report.writes();
        let mut report = TeamReport::new(self.report.sheet.clone(), self.report.trainings, false);
        report.warnings = std::mem::take(&mut self.report.warnings);
        let mut written = 0;
        for step in std::mem::take(&mut self.steps) {
            let writes = step.action != Action::None;
            match execute(client, &step.action).await {
                Ok(worker) => {
                    let mut change = step.change;
                    change.worker = change.worker.or(worker);
                    report.push(change);
                }
                Err(ApiError::Invalid { errors }) => {
                    let at = step.change.line;
                    report.errors.extend(
                        errors
                            .iter()
                            .map(|e| refused(table, at, step.change.column.as_deref(), e)),
                    );
                }
                Err(ApiError::Conflict { detail }) => {
                    let place = staff::place(table, Field::EmployeeNumber)
                        .or_else(|| staff::place(table, Field::Nir));
                    report
                        .errors
                        .push(LineError::new(step.change.line, place.as_deref(), detail));
                }
                Err(source) => {
                    self.report = report;
                    return Err(TeamError::Interrupted {
                        line: step.change.line,
                        source,
                    });
                }
            }
            if writes {
                written += 1;
                progress(written, total);
            }
        }
        sort(&mut report.errors);
        self.report = report;
        Ok(())
    }
}

/// Every worker of the account, leavers included, with their employment.
async fn all_staff(client: &Client) -> Result<Vec<StaffRecord<NirView>>, TeamError> {
    let query = WorkersQuery {
        archived: Some(true),
        ..WorkersQuery::default()
    };
    let workers = client.all_workers(&query).await.map_err(read_error)?;
    let mut records = Vec::with_capacity(workers.len());
    for worker in workers {
        records.push(client.staff(worker.id).await.map_err(read_error)?);
    }
    Ok(records)
}

/// A failure to read the account's staff.
fn read_error(source: ApiError) -> TeamError {
    TeamError::Read {
        what: "lecture du personnel",
        source,
    }
}

/// Writes one planned action; the worker it created, if any.
async fn execute(client: &Client, action: &Action) -> Result<Option<WorkerId>, ApiError> {
    match action {
        Action::None => Ok(None),
        Action::CreateWorker(new) => {
            let key = key("worker", &serde_json::to_string(new).unwrap_or_default());
            let (record, _) = client.create_worker(new, &key).await?;
            Ok(Some(record.worker.id))
        }
        Action::UpdateWorker {
            worker,
            patch,
            archive,
        } => {
            if let Some(patch) = patch {
                client.update_worker(*worker, patch).await?;
            }
            if *archive {
                client
                    .archive_worker(*worker, &key("archive", &worker.to_string()))
                    .await?;
            }
            Ok(None)
        }
        Action::CreateTraining { worker, new } => {
            let body = serde_json::to_string(new).unwrap_or_default();
            let key = key("training", &format!("{worker}\u{1f}{body}"));
            client.create_training(*worker, new, &key).await?;
            Ok(None)
        }
        Action::UpdateTraining {
            worker,
            entry,
            patch,
        } => {
            client.update_training(*worker, *entry, patch).await?;
            Ok(None)
        }
    }
}

/// An idempotency key derived from what is written: the same row gives the same key.
fn key(what: &str, content: &str) -> String {
    let hash: String = Sha256::digest(content.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("import-{what}-{}", &hash[..32])
}

/// A field refused by the server, at the cell of the sheet it came from.
fn refused(table: &Table, line: usize, cell: Option<&str>, error: &FieldError) -> LineError {
    let field = match error.field.as_str() {
        "nir" => Some(Field::Nir),
        "last_name" => Some(Field::BirthName),
        "usage_name" => Some(Field::LastName),
        "first_names" => Some(Field::FirstName),
        "birth_date" => Some(Field::BirthDate),
        "site" => Some(Field::Site),
        "service" => Some(Field::Service),
        "job" => Some(Field::Job),
        "employee_number" => Some(Field::EmployeeNumber),
        "manager" => Some(Field::Manager),
        "entry_date" => Some(Field::EntryDate),
        "leaving_date" => Some(Field::LeavingDate),
        "validity_end" => Some(Field::ExpiryDate),
        "organisme" => Some(Field::Organisme),
        "reference" => Some(Field::CertificateNumber),
        _ => None,
    };
    let place = field
        .and_then(|f| staff::place(table, f))
        .or_else(|| (error.field == "last_name").then(|| staff::place(table, Field::LastName))?)
        .or_else(|| cell.map(str::to_owned));
    LineError::new(line, place.as_deref(), error.message.clone())
}
