//! The session form: a new session (`n`, `POST /v1/sessions`) or the changes to one (`e`,
//! `PATCH`), the type picked from the catalogue with fuzzy narrowing, dates `jj/mm/aaaa`
//! checked as the declaration form checks them, plus the end not before the start. The API's
//! field names are the fields' keys, so the server's errors land under their field.

use crate::api::contract::{NewSession, NewTrainee, SessionDetail, SessionPatch};
use crate::domain::ids::Siret;
use crate::domain::training::TrainingType;
use crate::tui::form::fields::{format_date, sentence};
use crate::tui::staff::training::choices;
use crate::tui::staff::{FormState, Input, InputKind, StaffForm};

fn inputs() -> Vec<Input> {
    vec![
        Input::new("training_code", "Type de formation", InputKind::Pick, true),
        Input::new("title", "Intitulé", InputKind::Text, true),
        Input::new("start_date", "Début", InputKind::Date, true),
        Input::new("end_date", "Fin", InputKind::Date, true),
        Input::new("place", "Lieu", InputKind::Text, true),
        Input::new(
            "organisme",
            "Organisme de formation",
            InputKind::Text,
            false,
        ),
    ]
}

/// The empty form of a new session; the choices come with the catalogue ([`set_catalogue`]).
pub fn new_form() -> StaffForm {
    let mut form = StaffForm::new("Nouvelle session", inputs());
    form.note = Some("Organisme laissé vide : le nom du compte.");
    form
}

/// The form of an open session, prefilled with what it holds.
pub fn edit_form(detail: &SessionDetail) -> StaffForm {
    let mut form = StaffForm::new("Modifier la session", inputs());
    let s = &detail.summary;
    let (start, end) = (format_date(s.start_date), format_date(s.end_date));
    for (key, text) in [
        ("title", s.title.as_str()),
        ("start_date", start.as_str()),
        ("end_date", end.as_str()),
        ("place", s.place.as_str()),
        ("organisme", s.organisme.as_str()),
    ] {
        form.prefill(key, text);
    }
    form
}

/// Gives the form the catalogue's types to pick from; an edited session's type is then written
/// in the pick field, as if chosen, unless something was typed there already.
pub fn set_catalogue(form: &mut StaffForm, catalogue: &[TrainingType], code: Option<&str>) {
    form.set_choices(choices(catalogue));
    let untouched = form.text("training_code").is_empty();
    if let Some(title) = code
        .filter(|_| untouched)
        .and_then(|c| catalogue.iter().find(|t| t.code == c))
    {
        form.prefill("training_code", &title.title);
        form.set_choices(choices(catalogue));
    }
}

/// After the fields' own checks: the end not before the start, said under the end (the form
/// stays as typed). True when the form may be sent.
pub fn check_dates(form: &mut StaffForm) -> bool {
    let (Some(start), Some(end)) = (form.date("start_date"), form.date("end_date")) else {
        return true;
    };
    if end >= start {
        return true;
    }
    if let Some(input) = form.inputs.iter_mut().find(|i| i.key == "end_date") {
        input.error = Some(format!(
            "La fin ({}) précède le début ({}).",
            format_date(end),
            format_date(start)
        ));
    }
    if let Some(index) = form.inputs.iter().position(|i| i.key == "end_date") {
        form.focus = index;
    }
    form.state = FormState::Failed("1 champ à corriger avant d'enregistrer.".to_owned());
    false
}

/// The body of `POST /v1/sessions` (the form checked).
pub fn new_session(form: &StaffForm) -> NewSession {
    NewSession {
        training_code: form.chosen().map(|c| c.code.clone()).unwrap_or_default(),
        title: form.text("title").to_owned(),
        start_date: form.date("start_date"),
        end_date: form.date("end_date"),
        place: form.text("place").to_owned(),
        organisme: form.optional("organisme"),
    }
}

/// The body of `PATCH /v1/sessions/{id}`: only the fields changed.
pub fn patch(form: &StaffForm) -> SessionPatch {
    let text = |key: &str| form.changed(key).then(|| form.text(key).to_owned());
    let date = |key: &str| form.changed(key).then(|| form.date(key)).flatten();
    SessionPatch {
        training_code: form
            .changed("training_code")
            .then(|| form.chosen().map(|c| c.code.clone()))
            .flatten(),
        title: text("title"),
        start_date: date("start_date"),
        end_date: date("end_date"),
        place: text("place"),
        organisme: text("organisme"),
    }
}

/// The form of a person a training organisation enrols without knowing them yet (Ctrl-N in the
/// picker): the identity the server finds or records the person by (docs/model.md).
pub fn person_form() -> StaffForm {
    let mut form = StaffForm::new(
        "Nouveau stagiaire",
        vec![
            Input::new("nir", "NIR", InputKind::Nir, true),
            Input::new("last_name", "Nom de naissance", InputKind::Text, true),
            Input::new("first_names", "Prénoms", InputKind::Text, true),
            Input::new("birth_date", "Date de naissance", InputKind::Date, false),
            Input::new(
                "employer_siret",
                "SIRET de l'employeur",
                InputKind::Text,
                true,
            ),
        ],
    );
    form.note = Some("L'employeur de ce SIRET verra la formation au passeport.");
    form
}

/// After the fields' own checks: the SIRET, checked as everywhere (14 digits, its key). True
/// when the form may be sent.
pub fn check_siret(form: &mut StaffForm) -> bool {
    let text: String = form
        .text("employer_siret")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let Err(error) = text.parse::<Siret>() else {
        return true;
    };
    if let Some(index) = form.inputs.iter().position(|i| i.key == "employer_siret") {
        form.inputs[index].error = Some(sentence(&error.to_string()));
        form.focus = index;
    }
    form.state = FormState::Failed("1 champ à corriger avant d'enregistrer.".to_owned());
    false
}

/// The body of `POST /v1/sessions/{id}/trainees` by identity (the form checked).
pub fn new_person(form: &StaffForm) -> NewTrainee {
    NewTrainee {
        nir: Some(form.text("nir").to_owned()),
        last_name: Some(form.text("last_name").to_owned()),
        first_names: Some(form.text("first_names").to_owned()),
        birth_date: form.date("birth_date"),
        employer_siret: Some(
            form.text("employer_siret")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        ),
        ..NewTrainee::default()
    }
}
