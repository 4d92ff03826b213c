//! Every row of a team sheet matched with the account's workers and records, and turned into
//! the write it needs (or none): the whole plan is known, and checked, before anything is
//! written.

use std::collections::HashMap;

use super::{Change, Outcome, TeamError};
use crate::api::Client;
use crate::api::contract::{
    NewTrainingRecord, NewWorker, NirView, StaffRecord, TrainingRecordPatch, TrainingRecordView,
    WorkerPatch,
};
use crate::bulk::read::LineError;
use crate::bulk::sheet::header::{Field, Table};
use crate::bulk::sheet::staff::{self, Person, Read, Training, Worker};
use crate::bulk::sheet::trainees::sort;
use crate::domain::training::Catalogue;
use crate::domain::worker::WorkerId;

/// A write to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing (unchanged or left aside).
    None,
    /// `POST /v1/workers`.
    CreateWorker(NewWorker),
    /// `PATCH /v1/workers/{id}` then, for a leaver, `POST …/archive`.
    UpdateWorker {
        /// The worker.
        worker: WorkerId,
        /// The changed fields, if any.
        patch: Option<WorkerPatch>,
        /// Archive after the patch.
        archive: bool,
    },
    /// `POST /v1/workers/{id}/trainings`.
    CreateTraining {
        /// The worker.
        worker: WorkerId,
        /// The record.
        new: NewTrainingRecord,
    },
    /// `PATCH /v1/workers/{id}/trainings/{entry}`.
    UpdateTraining {
        /// The worker.
        worker: WorkerId,
        /// The record.
        entry: i64,
        /// The changed fields.
        patch: TrainingRecordPatch,
    },
}

/// One planned write and the change it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The write.
    pub action: Action,
    /// What the report says of it.
    pub change: Change,
}

/// The plan of a sheet: its steps, and every problem found reading or matching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The writes, in sheet order.
    pub steps: Vec<Step>,
    /// Every problem, by line then column.
    pub errors: Vec<LineError>,
    /// Remarks.
    pub warnings: Vec<LineError>,
}

/// The worker a row names, or why it names none clearly (a French message and its field).
fn find<'a>(
    staff: &'a [StaffRecord<NirView>],
    person: &Person,
) -> Result<Option<&'a StaffRecord<NirView>>, (Field, String)> {
    let by_nir = person
        .nir
        .as_ref()
        .and_then(|nir| staff.iter().find(|r| r.worker.nir.clear() == Some(nir)));
    let by_number = person.employee_number.as_deref().and_then(|m| {
        staff
            .iter()
            .find(|r| r.employee_number.as_deref() == Some(m))
    });
    let number = person.employee_number.as_deref().unwrap_or_default();
    match (by_nir, by_number) {
        (Some(a), Some(b)) if a.worker.id != b.worker.id => Err((
            Field::EmployeeNumber,
            format!(
                "Le matricule « {number} » est celui de {} (salarié n° {}), le NIR celui de {} \
                 (salarié n° {}) : corrigez l'un des deux.",
                b.worker.display_name(),
                b.worker.id,
                a.worker.display_name(),
                a.worker.id
            ),
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, Some(b)) if person.nir.is_some() => Err((
            Field::Nir,
            format!(
                "Le matricule « {number} » est celui de {} (salarié n° {}), dont le NIR diffère : \
                 un NIR ne se corrige pas ; archivez ce salarié et créez le bon.",
                b.worker.display_name(),
                b.worker.id
            ),
        )),
        (None, found) => Ok(found),
    }
}

/// The place of the first of `fields` the sheet has.
fn place(table: &Table, fields: &[Field]) -> Option<String> {
    fields.iter().find_map(|f| staff::place(table, *f))
}

/// Who a roster row is, as a person reads it.
fn name_of(row: &Worker) -> String {
    let name = [row.last_name.as_deref(), row.first_names.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    match (&row.person.employee_number, name.is_empty()) {
        (Some(number), true) => format!("matricule {number}"),
        (Some(number), false) => format!("{name} (matricule {number})"),
        (None, _) => name,
    }
}

/// The fields of `row` that differ from `record`, as a patch and their French names.
fn worker_patch(row: &Worker, record: &StaffRecord<NirView>) -> (WorkerPatch, Vec<String>) {
    let mut patch = WorkerPatch::default();
    let mut fields = Vec::new();
    let worker = &record.worker;
    let mut text = |slot: &mut Option<String>, new: &Option<String>, old: Option<&str>, name| {
        if let Some(new) = new
            && Some(new.as_str()) != old
        {
            *slot = Some(new.clone());
            fields.push(String::from(name));
        }
    };
    text(
        &mut patch.last_name,
        &row.last_name,
        Some(&worker.last_name),
        "nom de naissance",
    );
    text(
        &mut patch.usage_name,
        &row.usage_name,
        worker.usage_name.as_deref(),
        "nom d'usage",
    );
    text(
        &mut patch.first_names,
        &row.first_names,
        Some(&worker.first_names),
        "prénom",
    );
    text(&mut patch.site, &row.site, Some(&worker.site), "site");
    text(
        &mut patch.service,
        &row.service,
        record.service.as_deref(),
        "service",
    );
    text(&mut patch.job, &row.job, record.job.as_deref(), "poste");
    text(
        &mut patch.employee_number,
        &row.person.employee_number,
        record.employee_number.as_deref(),
        "matricule",
    );
    text(
        &mut patch.manager,
        &row.manager,
        record.manager.as_deref(),
        "responsable",
    );
    for (slot, new, old, name) in [
        (
            &mut patch.birth_date,
            row.birth_date,
            worker.birth_date,
            "date de naissance",
        ),
        (
            &mut patch.entry_date,
            row.entry_date,
            record.entry_date,
            "date d'entrée",
        ),
        (
            &mut patch.leaving_date,
            row.leaving_date,
            record.leaving_date,
            "date de sortie",
        ),
    ] {
        if new.is_some() && new != old {
            *slot = new;
            fields.push(name.to_owned());
        }
    }
    (patch, fields)
}

impl Plan {
    fn new(errors: Vec<LineError>, warnings: Vec<LineError>) -> Self {
        Self {
            steps: Vec::new(),
            errors,
            warnings,
        }
    }

    fn step(&mut self, action: Action, change: Change) {
        self.steps.push(Step { action, change });
    }

    fn finish(mut self) -> Self {
        sort(&mut self.errors);
        sort(&mut self.warnings);
        self
    }

    /// The plan of a roster: a known worker is updated (and archived when left), an unknown
    /// one created; a leaver the account never had is left aside.
    pub fn roster(table: &Table, read: Read<Worker>, staff: &[StaffRecord<NirView>]) -> Self {
        let mut plan = Self::new(read.errors, read.warnings);
        for row in read.items {
            let change = |outcome, worker, fields| Change {
                line: row.line,
                column: None,
                outcome,
                worker,
                label: name_of(&row),
                fields,
            };
            let found = match find(staff, &row.person) {
                Ok(found) => found,
                Err((field, message)) => {
                    let at = staff::place(table, field);
                    plan.errors
                        .push(LineError::new(row.line, at.as_deref(), message));
                    continue;
                }
            };
            match found {
                Some(record) => {
                    let (patch, fields) = worker_patch(&row, record);
                    let archive = row.left && !record.archived;
                    if record.archived && !row.left && !fields.is_empty() {
                        plan.warnings.push(LineError::new(
                            row.line,
                            None,
                            "Salarié archivé (sorti) : ses champs sont mis à jour, il reste \
                             archivé.",
                        ));
                    }
                    let outcome = match (archive, fields.is_empty()) {
                        (true, _) => Outcome::Archived,
                        (false, false) => Outcome::Updated,
                        (false, true) => Outcome::Unchanged,
                    };
                    let action = if outcome == Outcome::Unchanged {
                        Action::None
                    } else {
                        Action::UpdateWorker {
                            worker: record.worker.id,
                            patch: (!fields.is_empty()).then_some(patch),
                            archive,
                        }
                    };
                    plan.step(action, change(outcome, Some(record.worker.id), fields));
                }
                None if row.left => {
                    plan.warnings.push(LineError::new(
                        row.line,
                        None,
                        "Salarié sorti que le compte n'a jamais eu : rien n'est créé.",
                    ));
                    plan.step(Action::None, change(Outcome::Ignored, None, Vec::new()));
                }
                None => {
                    let Some(new) = plan.new_worker(table, &row) else {
                        continue;
                    };
                    plan.step(
                        Action::CreateWorker(new),
                        change(Outcome::Created, None, Vec::new()),
                    );
                }
            }
        }
        plan.finish()
    }

    /// A new worker of a roster row, or the errors of what it lacks.
    fn new_worker(&mut self, table: &Table, row: &Worker) -> Option<NewWorker> {
        let mut missing = |fields: &[Field], message: String| {
            self.errors.push(LineError::new(
                row.line,
                place(table, fields).as_deref(),
                message,
            ));
        };
        let unknown = row
            .person
            .employee_number
            .as_deref()
            .map_or_else(String::new, |m| {
                format!(" (le matricule « {m} » n'est celui d'aucun salarié)")
            });
        if row.person.nir.is_none() {
            missing(
                &[Field::Nir, Field::EmployeeNumber],
                format!(
                    "NIR absent ou illisible{unknown} : un nouveau salarié se crée avec son NIR."
                ),
            );
        }
        if row.last_name.is_none() {
            missing(
                &[Field::BirthName, Field::LastName],
                format!(
                    "Cellule vide : nom de naissance obligatoire pour un nouveau salarié{unknown}."
                ),
            );
        }
        if row.first_names.is_none() {
            missing(
                &[Field::FirstName],
                format!("Cellule vide : prénom obligatoire pour un nouveau salarié{unknown}."),
            );
        }
        Some(NewWorker {
            nir: row.person.nir.as_ref()?.as_str().to_owned(),
            last_name: row.last_name.clone()?,
            usage_name: row.usage_name.clone(),
            first_names: row.first_names.clone()?,
            birth_date: row.birth_date,
            site: row.site.clone(),
            service: row.service.clone(),
            job: row.job.clone(),
            employee_number: row.person.employee_number.clone(),
            manager: row.manager.clone(),
            entry_date: row.entry_date,
            leaving_date: row.leaving_date,
        })
    }

    /// The plan of a history or matrix: each training of a known worker is created, corrected
    /// or found unchanged among the account's records (same type, same end date).
    pub async fn trainings(
        client: &Client,
        table: &Table,
        read: Read<Training>,
        staff: &[StaffRecord<NirView>],
        catalogue: &Catalogue,
    ) -> Result<Self, TeamError> {
        let mut plan = Self::new(read.errors, read.warnings);
        let mut histories: HashMap<WorkerId, Vec<TrainingRecordView>> = HashMap::new();
        for training in read.items {
            let record = match find(staff, &training.person) {
                Ok(Some(record)) => record,
                Ok(None) => {
                    plan.errors.push(LineError::new(
                        training.line,
                        place(table, &[Field::EmployeeNumber, Field::Nir]).as_deref(),
                        "Aucun salarié du compte n'a ce NIR ni ce matricule : importez d'abord \
                         le registre du personnel.",
                    ));
                    continue;
                }
                Err((field, message)) => {
                    let at = staff::place(table, field);
                    plan.errors
                        .push(LineError::new(training.line, at.as_deref(), message));
                    continue;
                }
            };
            let worker = record.worker.id;
            let history = match histories.entry(worker) {
                std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(client.training_history(worker).await.map_err(|source| {
                        TeamError::Read {
                            what: "lecture des formations enregistrées",
                            source,
                        }
                    })?)
                }
            };
            let title = catalogue
                .get(&training.training_code)
                .map_or(training.training_code.as_str(), |t| t.title.as_str());
            let label = format!(
                "{title} du {}, {}",
                training.end_date.format("%d/%m/%Y"),
                record.worker.display_name()
            );
            let change = |outcome, fields| Change {
                line: training.line,
                column: training.place.clone(),
                outcome,
                worker: Some(worker),
                label: label.clone(),
                fields,
            };
            let existing = history.iter().find(|v| {
                v.removed_on.is_none()
                    && v.training_code == training.training_code
                    && v.end_date == training.end_date
            });
            match existing {
                Some(view) => {
                    let (patch, fields) = training_patch(&training, view);
                    if fields.is_empty() {
                        plan.step(Action::None, change(Outcome::Unchanged, fields));
                    } else {
                        let action = Action::UpdateTraining {
                            worker,
                            entry: view.entry_id,
                            patch,
                        };
                        plan.step(action, change(Outcome::Updated, fields));
                    }
                }
                None => {
                    let new = NewTrainingRecord {
                        training_code: training.training_code.clone(),
                        end_date: Some(training.end_date),
                        validity_start: None,
                        validity_end: training.validity_end,
                        organisme: training.organisme.clone(),
                        reference: training.reference.clone(),
                    };
                    let action = Action::CreateTraining { worker, new };
                    plan.step(action, change(Outcome::Created, Vec::new()));
                }
            }
        }
        Ok(plan.finish())
    }
}

/// The fields of a sheet's training that differ from the record, as a patch and their names.
fn training_patch(
    training: &Training,
    view: &TrainingRecordView,
) -> (TrainingRecordPatch, Vec<String>) {
    let mut patch = TrainingRecordPatch::default();
    let mut fields = Vec::new();
    if training.validity_end.is_some() && training.validity_end != view.validity_end {
        patch.validity_end = training.validity_end;
        fields.push("fin de validité".to_owned());
    }
    for (slot, new, old, name) in [
        (
            &mut patch.organisme,
            &training.organisme,
            &view.organisme,
            "organisme",
        ),
        (
            &mut patch.reference,
            &training.reference,
            &view.reference,
            "n° de certificat",
        ),
    ] {
        if new.is_some() && new != old {
            slot.clone_from(new);
            fields.push(name.to_owned());
        }
    }
    (patch, fields)
}
