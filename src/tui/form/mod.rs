//! The declaration form: a multi-step entry (training block → titulaires → review) after the
//! simulator's *à déclarer*, following ratatui's `input-form` example for focus (one focused
//! field, Tab/Shift-Tab to move, keys sent to the focused field only) with `ratatui-textarea`
//! single-line editors for text.
//!
//! Pure state: keys in, [`FormEvent`]s out; the screen turns them into requests (draft saves,
//! roster, submission). Every field keeps exactly what was typed (a half-typed date too), so a
//! draft ([`Draft`]) reopens exactly as left. Errors come from each field's parser and from
//! [`Declaration::validate`], filtered by field key, shown once the field has been left.

pub mod fields;
pub mod render;
mod steps;
pub mod summary;
mod warnings;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea};

use crate::api::contract::{SessionDetail, WorkerView};
use crate::domain::declaration::{
    Declaration, Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use crate::domain::session::{SessionId, TraineeOutcome};
use crate::domain::{DeclarantKind, DeclarationKind, FieldError};
use crate::drafts::{DRAFT_VERSION, Draft, DraftPosition, DraftStep};
use crate::search::SearchIndex;
use crate::simulator::Prefill;
use crate::tui::action::RequestId;
use crate::tui::remote::Remote;

pub use fields::{Field, FieldKind};
pub use steps::Problem;

/// The roster searched to pick titulaires, with its index.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The workers.
    pub workers: Arc<Vec<WorkerView>>,
    /// Their search index (entry `i` is worker `i`).
    pub index: Arc<SearchIndex>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    /// Not for the form: the app's keymap may use it (screen numbers, `q`, `?` outside text).
    Ignored,
    /// Consumed; nothing to save.
    Handled,
    /// A value or the position changed: save the draft.
    Changed,
    /// Close the form; the draft stays.
    Close,
    /// Send the declaration (« o » to the question Ctrl-S asks on the review step with nothing
    /// left to fix, or `r` to retry with the same key).
    Submit,
    /// The roster search opened: load the roster if it is not there.
    NeedRoster,
}

/// Where a submission stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Submission {
    /// Nothing sent in this session of the form.
    #[default]
    Idle,
    /// `POST /v1/declarations/validate` in flight.
    Validating(RequestId),
    /// `POST /v1/declarations` in flight.
    Creating(RequestId),
    /// The last attempt failed; `r` tries again (the creation with the same key).
    Failed {
        /// True when the creation itself failed (its outcome may be unknown).
        creating: bool,
        /// The French message.
        message: String,
    },
}

/// The values of a set of fields: text as typed, choices as an index into [`Field::options`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Values {
    texts: BTreeMap<Field, String>,
    choices: BTreeMap<Field, usize>,
}

impl Values {
    fn text(&self, field: Field) -> &str {
        self.texts.get(&field).map_or("", String::as_str)
    }

    fn choice(&self, field: Field) -> Option<usize> {
        self.choices.get(&field).copied()
    }

    fn yes_no(&self, field: Field) -> Option<bool> {
        self.choice(field).map(|index| index == 0)
    }

    fn set_yes_no(&mut self, field: Field, value: Option<bool>) {
        match value {
            Some(value) => self.choices.insert(field, if value { 0 } else { 1 }),
            None => self.choices.remove(&field),
        };
    }

    fn set_choice<T: PartialEq>(&mut self, field: Field, all: &[T], value: Option<T>) {
        match value.and_then(|v| all.iter().position(|x| *x == v)) {
            Some(index) => self.choices.insert(field, index),
            None => self.choices.remove(&field),
        };
    }

    fn set_text(&mut self, field: Field, text: impl Into<String>) {
        let text = text.into();
        if text.is_empty() {
            self.texts.remove(&field);
        } else {
            self.texts.insert(field, text);
        }
    }
}

/// One titulaire being entered.
#[derive(Clone, PartialEq)]
pub struct TitulaireInput {
    /// `ID_UNIQUE_PARTENAIRE`, generated once: `<ID_DECLARATION>-<n>`.
    pub line_id: String,
    values: Values,
}

/// Masks the NIR (personal data, design.md §5).
impl fmt::Debug for TitulaireInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TitulaireInput")
            .field("line_id", &self.line_id)
            .field("nom", &self.values.text(Field::NomTitulaire))
            .field("nir", &"<masqué>")
            .finish_non_exhaustive()
    }
}

impl TitulaireInput {
    /// The text of one of its fields.
    pub fn text(&self, field: Field) -> &str {
        self.values.text(field)
    }

    /// `PRESENCE_EMPLOYEUR`.
    pub fn presence_employeur(&self) -> Option<bool> {
        self.values.yes_no(Field::PresenceEmployeur)
    }
}

/// The open roster search of the titulaires step.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The query editor.
    pub query: TextArea<'static>,
    /// Matching roster rows (indices into the roster), best first.
    pub hits: Vec<u32>,
    /// The highlighted hit.
    pub selected: usize,
}

/// The form state. `Debug` leaves out what is being typed (the editor may hold a NIR).
#[derive(Clone)]
pub struct Form {
    id: String,
    idempotency_key: String,
    revision: u64,
    next_line: u32,
    /// The session the declaration comes from, if any.
    pub session_id: Option<SessionId>,
    /// The deadline computed by the simulator.
    pub due_date: Option<NaiveDate>,
    /// A creation was sent and its outcome is unknown: the form is frozen (see [`Draft`]).
    pub submit_attempted: bool,
    /// Who declares.
    pub declarant: DeclarantKind,
    /// Attestation or justificatif.
    pub kind: DeclarationKind,
    id_declaration: String,
    values: Values,
    titulaires: Vec<TitulaireInput>,
    /// The step shown.
    pub step: DraftStep,
    focus: usize,
    titulaire: usize,
    problem: usize,
    left: BTreeSet<String>,
    server_errors: Vec<FieldError>,
    editor: Option<TextArea<'static>>,
    today: NaiveDate,
    /// The titulaire whose removal awaits « o/n ».
    pub confirm_remove: Option<usize>,
    /// Ctrl-S on a review with nothing to fix asked « Envoyer la déclaration ? (o/n) ».
    pub confirm_submit: bool,
    /// First line shown of the review's summary of what will be sent (↑↓ scroll it).
    review_scroll: usize,
    /// `v` on the titulaires step shows the NIR in full; it is masked otherwise, as in every
    /// list (design.md §5, UX review 2026-12 finding 12).
    pub reveal_nir: bool,
    /// The open roster search.
    pub picker: Option<Picker>,
    /// The submission.
    pub submission: Submission,
    /// A short message for the user (saved, added from the session…).
    pub notice: Option<String>,
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("id", &self.id)
            .field("revision", &self.revision)
            .field("declarant", &self.declarant)
            .field("kind", &self.kind)
            .field("step", &self.step)
            .field("focused", &self.focused())
            .field("values", &self.values)
            .field("titulaires", &self.titulaires)
            .field("submission", &self.submission)
            .field("submit_attempted", &self.submit_attempted)
            .field("notice", &self.notice)
            .finish_non_exhaustive()
    }
}

/// A single-line editor holding `text`, cursor at the end.
fn editor(text: &str) -> TextArea<'static> {
    let mut area = TextArea::new(vec![text.to_owned()]);
    area.set_cursor_line_style(Style::default());
    area.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
    // Italic besides dim: many consoles draw dim at normal intensity (NO_COLOR, SSH).
    area.set_placeholder_style(Style::default().add_modifier(Modifier::DIM | Modifier::ITALIC));
    area.move_cursor(CursorMove::End);
    area
}

impl Form {
    /// A new form (and draft) from the simulator's outcome.
    pub fn from_prefill(
        prefill: &Prefill,
        due_date: Option<NaiveDate>,
        session_id: Option<SessionId>,
        today: NaiveDate,
    ) -> Self {
        let mut draft = Draft::new(prefill.declarant, prefill.kind);
        draft.due_date = due_date;
        draft.session_id = session_id;
        let d = &mut draft.declaration;
        d.date_fin_formation = prefill.date_fin_formation;
        d.formation_certifiante = prefill.formation_certifiante;
        d.date_debut_validite = match prefill.kind {
            DeclarationKind::Justificatif => prefill.date_debut_validite,
            // [I] An attestation's validity starts when the training ends.
            DeclarationKind::Attestation => {
                prefill.date_debut_validite.or(prefill.date_fin_formation)
            }
        };
        if prefill.kind == DeclarationKind::Justificatif && prefill.date_fin_formation.is_some() {
            d.presence_formation = Some(true);
        }
        let mut form = Self::from_draft(&draft, today);
        form.set_text(
            Field::ReferenceDeclaration,
            None,
            form.id_declaration.clone(),
        );
        form
    }

    /// Reopens a draft exactly as it was left.
    pub fn from_draft(draft: &Draft, today: NaiveDate) -> Self {
        let d = &draft.declaration;
        let id_declaration = if d.id_declaration.trim().is_empty() {
            format!(
                "PP-{}",
                draft.id.chars().take(16).collect::<String>().to_uppercase()
            )
        } else {
            d.id_declaration.clone()
        };
        let mut values = Values::default();
        for field in Field::DECLARATION {
            let typed = draft.inputs.get(&fields::key(field, None)).cloned();
            match field.kind() {
                FieldKind::Choice => set_choice_from(&mut values, field, d),
                _ => values.set_text(field, typed.unwrap_or_else(|| text_from(field, d))),
            }
        }
        let titulaires = d
            .titulaires
            .iter()
            .enumerate()
            .map(|(index, t)| {
                let mut values = Values::default();
                values.set_yes_no(Field::PresenceEmployeur, t.presence_employeur);
                for (field, stored) in [
                    (Field::Nir, &t.nir),
                    (Field::NomTitulaire, &t.nom_titulaire),
                    (Field::SiretEmployeur, &t.siret_employeur),
                    (Field::ReferenceEmployeur, &t.reference_employeur),
                ] {
                    let typed = draft.inputs.get(&fields::key(field, Some(index)));
                    values.set_text(field, typed.unwrap_or(stored).clone());
                }
                TitulaireInput {
                    line_id: t.id_unique_partenaire.clone(),
                    values,
                }
            })
            .collect();
        let mut form = Self {
            id: draft.id.clone(),
            idempotency_key: draft.idempotency_key.clone(),
            revision: draft.revision,
            next_line: draft.next_line.max(1),
            session_id: draft.session_id,
            due_date: draft.due_date,
            submit_attempted: draft.submit_attempted,
            declarant: draft.declarant,
            kind: d.kind,
            id_declaration,
            values,
            titulaires,
            step: draft.position.step,
            focus: 0,
            titulaire: 0,
            problem: draft.position.problem,
            left: BTreeSet::new(),
            server_errors: Vec::new(),
            editor: None,
            today,
            confirm_remove: None,
            confirm_submit: false,
            review_scroll: 0,
            reveal_nir: false,
            picker: None,
            submission: Submission::Idle,
            notice: None,
        };
        form.titulaire = draft
            .position
            .titulaire
            .min(form.titulaires.len().saturating_sub(1));
        if form.step == DraftStep::Review || form.submit_attempted {
            form.mark_all_left();
        }
        if form.submit_attempted {
            // Sent without an answer: only the review can act (send it again, unchanged).
            form.step = DraftStep::Review;
        } else if let Some(key) = &draft.position.field {
            form.focus_key(key);
        }
        form.sync_editor();
        form
    }

    /// The draft to save: the declaration, every text as typed, the position, the key.
    pub fn to_draft(&self) -> Draft {
        let mut inputs = BTreeMap::new();
        for (field, text) in &self.values.texts {
            inputs.insert(fields::key(*field, None), text.clone());
        }
        for (index, t) in self.titulaires.iter().enumerate() {
            for (field, text) in &t.values.texts {
                inputs.insert(fields::key(*field, Some(index)), text.clone());
            }
        }
        Draft {
            version: DRAFT_VERSION,
            id: self.id.clone(),
            idempotency_key: self.idempotency_key.clone(),
            revision: self.revision,
            declarant: self.declarant,
            declaration: self.declaration(),
            inputs,
            position: DraftPosition {
                step: self.step,
                field: self.focused().map(|(field, t)| fields::key(field, t)),
                titulaire: self.titulaire,
                problem: self.problem,
            },
            next_line: self.next_line,
            session_id: self.session_id,
            due_date: self.due_date,
            submit_attempted: self.submit_attempted,
        }
    }

    /// The draft's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The idempotency key of the submission.
    pub fn idempotency_key(&self) -> &str {
        &self.idempotency_key
    }

    /// Bumps the revision and returns the draft to save.
    pub fn next_revision(&mut self) -> Draft {
        self.revision += 1;
        self.to_draft()
    }

    /// Today, as the form validates against it.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The titulaires.
    pub fn titulaires(&self) -> &[TitulaireInput] {
        &self.titulaires
    }

    /// The selected titulaire.
    pub fn selected_titulaire(&self) -> usize {
        self.titulaire
    }

    /// The selected problem of the review step.
    pub fn selected_problem(&self) -> usize {
        self.problem
    }

    /// The fields of the training step, as they apply now.
    pub fn training_fields(&self) -> Vec<Field> {
        fields::training_fields(
            self.kind,
            self.values.yes_no(Field::PresenceFormation),
            self.values.yes_no(Field::FormationCertifiante),
        )
    }

    /// The fields of titulaire `index`.
    pub fn titulaire_fields(&self, index: usize) -> Vec<Field> {
        fields::titulaire_fields(
            self.titulaires
                .get(index)
                .and_then(|t| t.presence_employeur()),
        )
    }

    /// The focused field and its titulaire; none on a list.
    pub fn focused(&self) -> Option<(Field, Option<usize>)> {
        match self.step {
            DraftStep::Training => self.training_fields().get(self.focus).map(|f| (*f, None)),
            DraftStep::Titulaires if self.focus > 0 => self
                .titulaire_fields(self.titulaire)
                .get(self.focus - 1)
                .map(|f| (*f, Some(self.titulaire))),
            _ => None,
        }
    }

    /// True while the focused field takes typed text.
    pub fn text_focused(&self) -> bool {
        self.picker.is_some() || self.editor.is_some()
    }

    /// The editor of the focused text field.
    pub fn editor(&self) -> Option<&TextArea<'static>> {
        self.editor.as_ref()
    }

    /// The text of a field as typed.
    pub fn text(&self, field: Field, titulaire: Option<usize>) -> &str {
        match titulaire {
            Some(index) => self
                .titulaires
                .get(index)
                .map_or("", |t| t.values.text(field)),
            None => self.values.text(field),
        }
    }

    /// The label of a choice field's value, if one is chosen.
    pub fn choice_label(&self, field: Field, titulaire: Option<usize>) -> Option<&'static str> {
        let values = match titulaire {
            Some(index) => &self.titulaires.get(index)?.values,
            None => &self.values,
        };
        values
            .choice(field)
            .and_then(|i| field.options().get(i).copied())
    }

    fn values_mut(&mut self, titulaire: Option<usize>) -> Option<&mut Values> {
        match titulaire {
            Some(index) => self.titulaires.get_mut(index).map(|t| &mut t.values),
            None => Some(&mut self.values),
        }
    }

    /// Sets a text field (also the editor, when it is the focused one).
    pub fn set_text(&mut self, field: Field, titulaire: Option<usize>, text: impl Into<String>) {
        let text = text.into();
        if self.focused() == Some((field, titulaire)) {
            self.editor = Some(self.editor_for(field, &text));
        }
        if let Some(values) = self.values_mut(titulaire) {
            values.set_text(field, text);
        }
        self.touched(field, titulaire);
    }

    /// A value changed: its server error is no longer true.
    fn touched(&mut self, field: Field, titulaire: Option<usize>) {
        let key = fields::key(field, titulaire);
        self.server_errors.retain(|e| e.field != key);
    }

    /// The declaration the fields make: only the fields that apply, dates parsed, codes split.
    pub fn declaration(&self) -> Declaration {
        let mut d = Declaration::new(self.kind);
        d.id_declaration = self.id_declaration.clone();
        let v = &self.values;
        for field in self.training_fields() {
            let text = v.text(field).trim().to_owned();
            let date = fields::parse_date(&text).ok();
            let codes = fields::split_codes(&text);
            match field {
                Field::TypeJdr => d.type_jdr = pick(TypeJdr::ALL, v.choice(field)),
                Field::NomJdr => d.nom_jdr = text,
                Field::NomOptionSpecialite => d.nom_option_specialite = text,
                Field::ModeObtention => {
                    d.mode_obtention = pick(ModeObtention::ALL, v.choice(field))
                }
                Field::PresenceFormation => d.presence_formation = v.yes_no(field),
                Field::NomFormation => d.nom_formation = text,
                Field::DateDebutFormation => d.date_debut_formation = date,
                Field::DateFinFormation => d.date_fin_formation = date,
                Field::ModaliteDispense => {
                    d.modalite_dispense = pick(Modalite::ALL, v.choice(field))
                }
                Field::QualificationFormateur => {
                    d.qualification_formateur = pick(QualificationFormateur::ALL, v.choice(field))
                }
                Field::FormationCertifiante => d.formation_certifiante = v.yes_no(field),
                Field::CertificationVisee => d.certification_visee = text,
                Field::DomaineFormation => d.domaine_formation = codes,
                Field::SpecialiteFormation => d.specialite_formation = codes,
                Field::CompetenceTransferable => d.competence_transferable = codes,
                Field::DateDebutValidite => d.date_debut_validite = date,
                Field::DateFinValidite => d.date_fin_validite = date,
                Field::ResultatObtenu => d.resultat_obtenu = text,
                Field::MentionObtenue => d.mention_obtenue = text,
                Field::LienPreuve => d.lien_preuve = text,
                Field::IdentifiantPreuve => d.identifiant_preuve = text,
                Field::ReferenceDeclaration => d.reference_declaration = text,
                Field::Nir
                | Field::NomTitulaire
                | Field::PresenceEmployeur
                | Field::SiretEmployeur
                | Field::ReferenceEmployeur => {}
            }
        }
        d.titulaires = self
            .titulaires
            .iter()
            .map(|t| {
                let presence = t.presence_employeur();
                let employer = |field| {
                    if presence == Some(true) {
                        t.text(field).trim().to_owned()
                    } else {
                        String::new()
                    }
                };
                Titulaire {
                    id_unique_partenaire: t.line_id.clone(),
                    nir: t.text(Field::Nir).trim().to_owned(),
                    nom_titulaire: t.text(Field::NomTitulaire).trim().to_owned(),
                    presence_employeur: presence,
                    siret_employeur: employer(Field::SiretEmployeur),
                    reference_employeur: employer(Field::ReferenceEmployeur),
                }
            })
            .collect();
        d.normalise_nirs();
        d
    }

    /// Adds a titulaire and returns its index. A NIR that reads is entered in one form whatever
    /// its source (a session gives 13 characters, the roster 15): its 15 digits, key included,
    /// as the field asks them.
    pub fn add_titulaire(&mut self, nir: &str, nom: &str, siret: Option<&str>) -> usize {
        let mut values = Values::default();
        let nir = nir
            .parse::<crate::domain::ids::Nir>()
            .map_or_else(|_| nir.to_owned(), |nir| nir.with_key());
        values.set_text(Field::Nir, nir);
        values.set_text(Field::NomTitulaire, nom);
        if let Some(siret) = siret {
            values.set_yes_no(Field::PresenceEmployeur, Some(true));
            values.set_text(Field::SiretEmployeur, siret);
        }
        let line_id = format!("{}-{}", self.id_declaration, self.next_line);
        self.next_line += 1;
        self.titulaires.push(TitulaireInput { line_id, values });
        self.titulaires.len() - 1
    }

    /// Fills what is still empty from a session: title and dates, and adds its trainees not
    /// declared yet whose outcome is declared with this form's kind, for a type whose success
    /// gives `issued` ([`TraineeOutcome::declared_as`]). Returns the number of titulaires added.
    pub fn apply_session(&mut self, session: &SessionDetail, issued: DeclarationKind) -> usize {
        let s = &session.summary;
        let fill = |form: &mut Self, field: Field, text: String| {
            if form.text(field, None).trim().is_empty() {
                form.set_text(field, None, text);
            }
        };
        fill(self, Field::NomFormation, s.title.clone());
        if self.kind == DeclarationKind::Justificatif {
            fill(self, Field::NomJdr, s.title.clone());
        }
        fill(
            self,
            Field::DateDebutFormation,
            fields::format_date(s.start_date),
        );
        fill(
            self,
            Field::DateFinFormation,
            fields::format_date(s.end_date),
        );
        let wanted = |outcome: TraineeOutcome| outcome.declared_as(issued) == Some(self.kind);
        let trainees: Vec<_> = session
            .trainees
            .iter()
            .filter(|t| wanted(t.outcome) && !t.declared)
            .cloned()
            .collect();
        let mut added = 0;
        for trainee in trainees {
            if self.has_nir(&trainee.nir) {
                continue;
            }
            let siret =
                (!trainee.employer_siret.is_empty()).then_some(trainee.employer_siret.as_str());
            self.add_titulaire(&trainee.nir, &trainee.last_name, siret);
            added += 1;
        }
        self.sync_editor();
        added
    }

    /// True when a titulaire already has this NIR (compared without spaces, key ignored).
    pub fn has_nir(&self, nir: &str) -> bool {
        let norm = |s: &str| {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .take(13)
                .collect::<String>()
        };
        let wanted = norm(nir);
        self.titulaires
            .iter()
            .any(|t| norm(t.text(Field::Nir)) == wanted)
    }

    /// Server field errors from a 422: shown on their fields and in the review.
    pub fn set_server_errors(&mut self, errors: Vec<FieldError>) {
        self.server_errors = errors;
    }

    /// The server's field errors still standing.
    pub fn server_errors(&self) -> &[FieldError] {
        &self.server_errors
    }

    /// True once the field was left, or was there when the review was visited: its errors are
    /// then shown. A field that appears later (a new titulaire, the Formacodes once « non
    /// certifiante » is chosen) stays quiet until it is left or reviewed (UX review 2026-12,
    /// finding 25).
    pub fn shows_errors_of(&self, key: &str) -> bool {
        self.left.contains(key)
    }

    /// Marks every field shown now as left: the review shows all their problems.
    fn mark_all_left(&mut self) {
        let mut keys: Vec<String> = self
            .training_fields()
            .into_iter()
            .map(|field| fields::key(field, None))
            .collect();
        for index in 0..self.titulaires.len() {
            keys.extend(
                self.titulaire_fields(index)
                    .into_iter()
                    .map(|field| fields::key(field, Some(index))),
            );
        }
        self.left.extend(keys);
    }

    /// Puts the focus on the field named by `key` (a field key, or `titulaires` for the list),
    /// switching step as needed; unknown or hidden fields go to the step's start.
    pub fn focus_key(&mut self, key: &str) {
        self.leave();
        match fields::parse_key(key) {
            (Some(index), column) => {
                self.step = DraftStep::Titulaires;
                self.titulaire = index.min(self.titulaires.len().saturating_sub(1));
                let field = Field::from_column(column);
                self.focus = self
                    .titulaire_fields(self.titulaire)
                    .iter()
                    .position(|f| Some(*f) == field)
                    .map_or(0, |p| p + 1);
            }
            (None, crate::domain::declaration::columns::TITULAIRES) => {
                self.step = DraftStep::Titulaires;
                self.focus = 0;
            }
            (None, column) => {
                let field = Field::from_column(column);
                self.step = DraftStep::Training;
                self.focus = self
                    .training_fields()
                    .iter()
                    .position(|f| Some(*f) == field)
                    .unwrap_or(0);
            }
        }
        self.sync_editor();
    }

    /// Shows the review step (after a refusal of the server, for instance).
    pub fn show_review(&mut self) {
        self.go_step(DraftStep::Review, false);
    }

    /// Records that the focused field is being left (its errors show from now on).
    fn leave(&mut self) {
        if let Some((field, titulaire)) = self.focused() {
            self.left.insert(fields::key(field, titulaire));
        }
        self.editor = None;
    }

    /// Opens the editor of the focused field when it takes text (a NIR masked unless `v`).
    fn sync_editor(&mut self) {
        self.editor = match self.focused() {
            Some((field, titulaire)) if field.kind() != FieldKind::Choice => {
                Some(self.editor_for(field, self.text(field, titulaire)))
            }
            _ => None,
        };
    }

    /// An editor holding `text` for `field`: every character of a NIR drawn `•` unless shown.
    fn editor_for(&self, field: Field, text: &str) -> TextArea<'static> {
        let mut area = editor(text);
        if !field.placeholder().is_empty() {
            area.set_placeholder_text(field.placeholder());
        }
        if field == Field::Nir && !self.reveal_nir {
            area.set_mask_char('•');
        }
        area
    }

    /// `v`: shows or masks the NIR of the titulaires step (a NIR never holds a `v`).
    pub(crate) fn toggle_nir(&mut self) -> FormEvent {
        self.reveal_nir = !self.reveal_nir;
        let on_nir = self.focused().is_some_and(|(field, _)| field == Field::Nir);
        if let Some(area) = &mut self.editor
            && on_nir
        {
            if self.reveal_nir {
                area.clear_mask_char();
            } else {
                area.set_mask_char('•');
            }
        }
        FormEvent::Handled
    }

    /// Handles a key. `roster` serves the titulaire search.
    pub fn on_key(&mut self, key: &KeyEvent, roster: &Remote<Roster>) -> FormEvent {
        // A notice tells what the last action did: the next key makes it stale.
        self.notice = None;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(index) = self.confirm_remove {
            return match key.code {
                KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                    self.confirm_remove = None;
                    self.remove_titulaire(index);
                    FormEvent::Changed
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                    self.confirm_remove = None;
                    FormEvent::Handled
                }
                _ => FormEvent::Handled,
            };
        }
        if self.confirm_submit {
            return self.confirm_submit_key(key);
        }
        if self.picker.is_some() {
            return self.picker_key(key, roster);
        }
        if ctrl && key.code == KeyCode::Char('s') {
            return self.save_or_submit();
        }
        match key.code {
            KeyCode::Esc => return FormEvent::Close,
            KeyCode::PageDown => return self.go_step(self.step_after(), false),
            KeyCode::PageUp => return self.go_step(self.step_before(), false),
            _ => {}
        }
        if self.is_frozen() {
            return self.frozen_key(key);
        }
        match self.step {
            DraftStep::Training => self.fields_key(key, None),
            DraftStep::Titulaires if self.focus == 0 => self.list_key(key),
            DraftStep::Titulaires => self.fields_key(key, Some(self.titulaire)),
            DraftStep::Review => self.review_key(key),
        }
    }

    /// Pasted text goes to the focused text field, on one line.
    pub fn on_paste(&mut self, text: &str) -> FormEvent {
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if let Some(picker) = &mut self.picker {
            picker.query.insert_str(&text);
            return FormEvent::Handled;
        }
        if self.is_frozen() {
            return FormEvent::Handled;
        }
        let Some((field, titulaire)) = self.focused() else {
            return FormEvent::Handled;
        };
        let Some(area) = &mut self.editor else {
            return FormEvent::Handled;
        };
        let cut = match field.max_input() {
            None => {
                area.insert_str(&text);
                false
            }
            // Character by character, so that the official maximum is never passed whatever
            // the field measures (UX review 2026-12, finding 7).
            Some(max) => {
                let mut cut = false;
                for c in text.chars() {
                    area.insert_char(c);
                    if field.input_length(&area.lines().join(" ")) > max {
                        area.delete_char();
                        cut = true;
                        break;
                    }
                }
                cut
            }
        };
        let value = area.lines().join(" ");
        if let Some(values) = self.values_mut(titulaire) {
            values.set_text(field, value);
        }
        self.touched(field, titulaire);
        if cut {
            self.notice = Some(format!(
                "Collage coupé : « {} » prend au plus {} caractères",
                field.label(),
                field.max_input().unwrap_or_default()
            ));
        }
        FormEvent::Changed
    }

    /// True while a submission is in flight or its outcome is unknown: nothing may change.
    pub fn is_frozen(&self) -> bool {
        self.submit_attempted
            || matches!(
                self.submission,
                Submission::Validating(_) | Submission::Creating(_)
            )
    }

    fn frozen_key(&mut self, key: &KeyEvent) -> FormEvent {
        match key.code {
            KeyCode::Up | KeyCode::Down if self.step == DraftStep::Review => self.review_key(key),
            KeyCode::Char('r') if self.can_retry() => FormEvent::Submit,
            KeyCode::Char(c) if c.is_ascii_digit() || c == 'q' || c == '?' => FormEvent::Ignored,
            _ => {
                self.notice = Some(if self.submit_attempted {
                    "Envoi déjà tenté : la déclaration ne peut plus changer ; r pour la renvoyer à \
                     l'identique (même clé)"
                        .to_owned()
                } else {
                    "Envoi en cours…".to_owned()
                });
                FormEvent::Handled
            }
        }
    }

    /// True when `r` may send again: after a failure, or a frozen draft reopened.
    pub fn can_retry(&self) -> bool {
        matches!(self.submission, Submission::Failed { .. })
            || (self.submit_attempted && self.submission == Submission::Idle)
    }

    fn save_or_submit(&mut self) -> FormEvent {
        if self.step != DraftStep::Review {
            self.notice = Some("Brouillon enregistré".to_owned());
            return self.go_step(DraftStep::Review, false);
        }
        if matches!(
            self.submission,
            Submission::Validating(_) | Submission::Creating(_)
        ) {
            return FormEvent::Handled;
        }
        if self.submit_attempted {
            return FormEvent::Submit;
        }
        let count = self.local_problems().len();
        if count > 0 {
            self.notice = Some(format!(
                "{count} problème{} à corriger avant l'envoi (Entrée : aller au champ)",
                if count > 1 { "s" } else { "" }
            ));
            return FormEvent::Handled;
        }
        // A legal declaration: sent only after one explicit « o » (UX review 2026-12, finding 6).
        self.confirm_submit = true;
        FormEvent::Handled
    }

    /// The answer to « Envoyer la déclaration ? (o/n) »: `o` sends, `n` or Échap cancels, any
    /// other key is swallowed so that nothing is sent or changed by mistake.
    fn confirm_submit_key(&mut self, key: &KeyEvent) -> FormEvent {
        match key.code {
            KeyCode::Char('o' | 'O' | 'y' | 'Y') => {
                self.confirm_submit = false;
                FormEvent::Submit
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                self.confirm_submit = false;
                self.notice = Some("Envoi annulé : rien n'a été envoyé".to_owned());
                FormEvent::Handled
            }
            _ => FormEvent::Handled,
        }
    }

    /// First line shown of the review's summary.
    pub fn review_scroll(&self) -> usize {
        self.review_scroll
    }

    fn step_after(&self) -> DraftStep {
        match self.step {
            DraftStep::Training => DraftStep::Titulaires,
            _ => DraftStep::Review,
        }
    }

    fn step_before(&self) -> DraftStep {
        match self.step {
            DraftStep::Review => DraftStep::Titulaires,
            _ => DraftStep::Training,
        }
    }

    /// Shows `step`, focus on its first (or, going back, last) field.
    fn go_step(&mut self, step: DraftStep, at_end: bool) -> FormEvent {
        self.leave();
        if step != self.step {
            self.reveal_nir = false;
        }
        self.step = step;
        self.focus = match step {
            DraftStep::Training if at_end => self.training_fields().len().saturating_sub(1),
            DraftStep::Titulaires if at_end && !self.titulaires.is_empty() => {
                self.titulaire_fields(self.titulaire).len()
            }
            _ => 0,
        };
        if step == DraftStep::Review {
            self.mark_all_left();
            self.problem = 0;
            self.review_scroll = 0;
        }
        self.sync_editor();
        FormEvent::Changed
    }

    /// The fields of the current step's focus group.
    fn group(&self, titulaire: Option<usize>) -> Vec<Field> {
        match titulaire {
            Some(index) => self.titulaire_fields(index),
            None => self.training_fields(),
        }
    }

    /// Index of the focused field in its group.
    fn group_index(&self, titulaire: Option<usize>) -> usize {
        if titulaire.is_some() {
            self.focus - 1
        } else {
            self.focus
        }
    }

    fn move_focus(&mut self, titulaire: Option<usize>, forward: bool) -> FormEvent {
        let len = self.group(titulaire).len();
        let index = self.group_index(titulaire);
        if forward && index + 1 >= len {
            return self.go_step(self.step_after(), false);
        }
        if !forward && index == 0 {
            return match titulaire {
                Some(_) => {
                    self.leave();
                    self.focus = 0;
                    FormEvent::Changed
                }
                None => FormEvent::Handled,
            };
        }
        self.leave();
        self.focus = if forward {
            self.focus + 1
        } else {
            self.focus - 1
        };
        self.sync_editor();
        FormEvent::Changed
    }

    fn fields_key(&mut self, key: &KeyEvent, titulaire: Option<usize>) -> FormEvent {
        let Some((field, _)) = self.focused() else {
            return FormEvent::Handled;
        };
        match key.code {
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => {
                return self.move_focus(titulaire, true);
            }
            KeyCode::BackTab | KeyCode::Up => return self.move_focus(titulaire, false),
            _ => {}
        }
        if field.kind() == FieldKind::Choice {
            let count = field.options().len();
            let Some(values) = self.values_mut(titulaire) else {
                return FormEvent::Handled;
            };
            let current = values.choice(field);
            // The cycle: nothing chosen, then each option in order.
            let next = match key.code {
                KeyCode::Right | KeyCode::Char(' ') => match current {
                    None => Some(0),
                    Some(i) if i + 1 < count => Some(i + 1),
                    Some(_) => None,
                },
                KeyCode::Left => match current {
                    None => count.checked_sub(1),
                    Some(0) => None,
                    Some(i) => Some(i - 1),
                },
                KeyCode::Char(c) if c.is_ascii_digit() || c == 'q' || c == '?' => {
                    return FormEvent::Ignored;
                }
                _ => return FormEvent::Handled,
            };
            match next {
                Some(i) => values.choices.insert(field, i),
                None => values.choices.remove(&field),
            };
            self.touched(field, titulaire);
            return FormEvent::Changed;
        }
        if field == Field::Nir && matches!(key.code, KeyCode::Char('v' | 'V')) && !ctrl_pressed(key)
        {
            return self.toggle_nir();
        }
        self.edit(key, field, titulaire)
    }

    /// Sends a key to the focused text field's editor.
    fn edit(&mut self, key: &KeyEvent, field: Field, titulaire: Option<usize>) -> FormEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let allowed = match key.code {
            // Ctrl-C quits (app keymap); Ctrl-M / Ctrl-J would insert a line.
            KeyCode::Char('c' | 'm' | 'j') if ctrl => false,
            KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End => true,
            _ => false,
        };
        if !allowed {
            return if ctrl {
                FormEvent::Ignored
            } else {
                FormEvent::Handled
            };
        }
        let Some(area) = &mut self.editor else {
            return FormEvent::Handled;
        };
        let before = area.clone();
        // Ctrl-U erases up to the start, as in every text field (`widgets::line_input`); the
        // editor's own Ctrl-U would undo one change instead.
        let changed = if ctrl && key.code == KeyCode::Char('u') {
            area.delete_line_by_head()
        } else {
            area.input(*key)
        };
        if !changed {
            return FormEvent::Handled;
        }
        let value = area.lines().join(" ");
        // Typing stops at the official maximum; shortening is always allowed.
        if let Some(max) = field.max_input() {
            let length = field.input_length(&value);
            if length > max && length > field.input_length(&before.lines().join(" ")) {
                *area = before;
                self.notice = Some(format!(
                    "« {} » prend au plus {max} caractères",
                    field.label()
                ));
                return FormEvent::Handled;
            }
        }
        if let Some(values) = self.values_mut(titulaire) {
            values.set_text(field, value);
        }
        self.touched(field, titulaire);
        FormEvent::Changed
    }
}

/// True when Ctrl is held.
fn ctrl_pressed(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

/// The enum value at a choice index.
fn pick<T: Copy>(all: &[T], index: Option<usize>) -> Option<T> {
    index.and_then(|i| all.get(i).copied())
}

/// The choice of a declaration-level choice field, from a declaration.
fn set_choice_from(values: &mut Values, field: Field, d: &Declaration) {
    match field {
        Field::TypeJdr => values.set_choice(field, TypeJdr::ALL, d.type_jdr),
        Field::ModeObtention => values.set_choice(field, ModeObtention::ALL, d.mode_obtention),
        Field::ModaliteDispense => values.set_choice(field, Modalite::ALL, d.modalite_dispense),
        Field::QualificationFormateur => values.set_choice(
            field,
            QualificationFormateur::ALL,
            d.qualification_formateur,
        ),
        Field::PresenceFormation => values.set_yes_no(field, d.presence_formation),
        Field::FormationCertifiante => values.set_yes_no(field, d.formation_certifiante),
        _ => {}
    }
}

/// The text of a declaration-level text field, from a declaration.
fn text_from(field: Field, d: &Declaration) -> String {
    let date = |date: Option<NaiveDate>| date.map(fields::format_date).unwrap_or_default();
    match field {
        Field::NomJdr => d.nom_jdr.clone(),
        Field::NomOptionSpecialite => d.nom_option_specialite.clone(),
        Field::NomFormation => d.nom_formation.clone(),
        Field::DateDebutFormation => date(d.date_debut_formation),
        Field::DateFinFormation => date(d.date_fin_formation),
        Field::CertificationVisee => d.certification_visee.clone(),
        Field::DomaineFormation => d.domaine_formation.join("/"),
        Field::SpecialiteFormation => d.specialite_formation.join("/"),
        Field::CompetenceTransferable => d.competence_transferable.join("/"),
        Field::DateDebutValidite => date(d.date_debut_validite),
        Field::DateFinValidite => date(d.date_fin_validite),
        Field::ResultatObtenu => d.resultat_obtenu.clone(),
        Field::MentionObtenue => d.mention_obtenue.clone(),
        Field::LienPreuve => d.lien_preuve.clone(),
        Field::IdentifiantPreuve => d.identifiant_preuve.clone(),
        Field::ReferenceDeclaration => d.reference_declaration.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod render_tests;
#[cfg(test)]
pub(crate) mod tests;
