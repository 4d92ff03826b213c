//! The worker form: a new worker (`POST /v1/workers`) or the changes to one (`PATCH`), with the
//! API's field names so that the server's errors land under their field.

use super::{Input, InputKind, StaffForm};
use crate::api::contract::{NewWorker, StaffView, WorkerPatch};
use crate::tui::form::fields::format_date;

/// The employment fields, after the identity, in form order: (key, label).
const EMPLOYMENT: [(&str, &str); 5] = [
    ("site", "Site"),
    ("service", "Service"),
    ("job", "Poste"),
    ("employee_number", "Matricule"),
    ("manager", "Responsable"),
];

fn inputs(with_nir: bool) -> Vec<Input> {
    let mut inputs = Vec::new();
    if with_nir {
        inputs.push(Input::new("nir", "NIR", InputKind::Nir, true));
    }
    inputs.extend([
        Input::new("last_name", "Nom de naissance", InputKind::Text, true),
        Input::new("usage_name", "Nom d'usage", InputKind::Text, false),
        Input::new("first_names", "Prénoms", InputKind::Text, true),
        Input::new("birth_date", "Date de naissance", InputKind::Date, false),
    ]);
    inputs.extend(
        EMPLOYMENT
            .iter()
            .map(|&(key, label)| Input::new(key, label, InputKind::Text, false)),
    );
    inputs
}

/// The empty form of a new worker (Recherche, Ctrl-N).
pub fn new_form() -> StaffForm {
    StaffForm::new("Nouveau salarié", inputs(true))
}

/// The form of an existing worker, prefilled (Passeport, `e`). The NIR is not in it: a wrong NIR
/// is another person.
pub fn edit_form(record: &StaffView) -> StaffForm {
    let mut form = StaffForm::new("Modifier le salarié", inputs(false));
    form.note = Some("Le NIR ne se modifie pas : un NIR erroné est une autre personne.");
    let worker = &record.worker;
    let birth = worker.birth_date.map(format_date).unwrap_or_default();
    let texts = [
        ("last_name", worker.last_name.as_str()),
        ("usage_name", worker.usage_name.as_deref().unwrap_or("")),
        ("first_names", worker.first_names.as_str()),
        ("birth_date", birth.as_str()),
        ("site", worker.site.as_str()),
        ("service", record.service.as_deref().unwrap_or("")),
        ("job", record.job.as_deref().unwrap_or("")),
        (
            "employee_number",
            record.employee_number.as_deref().unwrap_or(""),
        ),
        ("manager", record.manager.as_deref().unwrap_or("")),
    ];
    for (key, text) in texts {
        form.prefill(key, text);
    }
    form
}

/// The body of `POST /v1/workers` (the form checked).
pub fn new_worker(form: &StaffForm) -> NewWorker {
    NewWorker {
        nir: form.text("nir").to_owned(),
        last_name: form.text("last_name").to_owned(),
        usage_name: form.optional("usage_name"),
        first_names: form.text("first_names").to_owned(),
        birth_date: form.date("birth_date"),
        site: form.optional("site"),
        service: form.optional("service"),
        job: form.optional("job"),
        employee_number: form.optional("employee_number"),
        manager: form.optional("manager"),
        ..NewWorker::default()
    }
}

/// The body of `PATCH /v1/workers/{id}`: only the fields changed (an emptied text clears it).
pub fn patch(form: &StaffForm) -> WorkerPatch {
    let text = |key: &str| form.changed(key).then(|| form.text(key).to_owned());
    WorkerPatch {
        last_name: text("last_name"),
        usage_name: text("usage_name"),
        first_names: text("first_names"),
        birth_date: form
            .changed("birth_date")
            .then(|| form.date("birth_date"))
            .flatten(),
        site: text("site"),
        service: text("service"),
        job: text("job"),
        employee_number: text("employee_number"),
        manager: text("manager"),
        ..WorkerPatch::default()
    }
}
