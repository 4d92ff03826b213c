//! The small forms of a team's own data (issue 13 §4): a worker (Recherche Ctrl-N, Passeport `e`)
//! and a training record (Passeport `a`). One line per field, typed with the editing keys every
//! text field shares ([`LineInput`]); each field is checked when left and all of them before
//! sending — dates `jj/mm/aaaa` and the NIR with the declaration form's own checks — and the
//! server's field errors land under their field. Pure state: keys in, [`FormOutcome`]s out; the
//! screen sends the request. What was typed stays on every error.

pub mod render;
pub mod training;
pub mod worker;

use std::fmt;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::api::ApiError;
use crate::api::contract::duplicate_of;
use crate::domain::ids::Nir;
use crate::domain::worker::WorkerId;
use crate::tui::action::RequestId;
use crate::tui::form::fields::{parse_date, sentence};
use crate::tui::widgets::line_input::{Edit, LineInput};

/// The keys of a staff form, for the help overlay: (keys, French description).
pub const FORM_KEYS: &[(&str, &str)] = &[
    ("Tab, ↓", "champ suivant (↓ ↑ : choix du type)"),
    ("Maj-Tab, ↑", "champ précédent"),
    ("Entrée", "suivant ; au dernier, enregistrer"),
    ("Ctrl-S", "enregistrer"),
    ("Ctrl-O", "ouvrir le salarié déjà enregistré"),
];

/// How a field is typed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Free text.
    Text,
    /// A date typed `jj/mm/aaaa`.
    Date,
    /// A NIR: 15 characters with its key (checked), or 13.
    Nir,
    /// One of the form's [`Choice`]s, narrowed by what is typed (fuzzy).
    Pick,
}

/// One choice of a pick field: the code sent and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Sent to the API (a catalogue code).
    pub code: String,
    /// Shown and matched.
    pub label: String,
}

/// One field of a staff form.
#[derive(Clone, PartialEq)]
pub struct Input {
    /// The API's name of the field (`last_name`, `end_date`): the `field` of its errors.
    pub key: &'static str,
    /// French label.
    pub label: &'static str,
    /// What to type, shown while empty.
    pub placeholder: &'static str,
    /// How it is typed.
    pub kind: InputKind,
    /// True when it may not be left empty.
    pub required: bool,
    /// The text as typed.
    pub value: LineInput,
    /// The error shown under it: its own check once left, or the server's.
    pub error: Option<String>,
}

/// Leaves out what is typed (it may be a NIR).
impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("key", &self.key)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Input {
    /// A field.
    pub fn new(key: &'static str, label: &'static str, kind: InputKind, required: bool) -> Self {
        let placeholder = match kind {
            InputKind::Date => "jj/mm/aaaa",
            InputKind::Nir => "15 caractères avec la clé, ou 13",
            InputKind::Pick => "tapez pour filtrer, ↑ ↓ pour choisir",
            InputKind::Text if required => "obligatoire",
            InputKind::Text => "",
        };
        Self {
            key,
            label,
            placeholder,
            kind,
            required,
            value: LineInput::default(),
            error: None,
        }
    }

    /// The text, trimmed.
    pub fn text(&self) -> &str {
        self.value.text().trim()
    }
}

/// Where the form stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FormState {
    /// Being typed.
    #[default]
    Editing,
    /// Its request is in flight; keys wait.
    Sending(RequestId),
    /// The last check or request failed (French); typing goes on.
    Failed(String),
    /// A 409: the NIR or matricule is already another worker's, named, whom Ctrl-O opens.
    Duplicate {
        /// The server's message.
        message: String,
        /// The worker named, when the message names one.
        worker: Option<WorkerId>,
    },
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    /// Not for the form (Ctrl-C, chords): the keymap may use it.
    Ignored,
    /// Consumed.
    Handled,
    /// Every field checks: send it.
    Submit,
    /// Close the form, dropping what was typed (asked first when something was).
    Cancel,
    /// Open the worker a 409 named.
    OpenWorker(WorkerId),
}

/// A staff form. `Debug` leaves out what is typed.
#[derive(Debug, Clone)]
pub struct StaffForm {
    /// Title of the frame.
    pub title: &'static str,
    /// A line under the title (what the form cannot change), if any.
    pub note: Option<&'static str>,
    /// The fields, in order.
    pub inputs: Vec<Input>,
    /// The focused field.
    pub focus: usize,
    /// Where it stands.
    pub state: FormState,
    /// True while « Abandonner la saisie ? (o/n) » is asked.
    pub confirm_cancel: bool,
    /// The choices of the pick field.
    pub choices: Vec<Choice>,
    /// Choices matching the pick field's text, best first (indices into `choices`).
    pub hits: Vec<usize>,
    /// The highlighted hit.
    pub hit: usize,
    /// The `Idempotency-Key` of its POST: the same for every retry of this form, so that a retry
    /// never writes twice.
    pub idempotency_key: String,
    initial: Vec<String>,
}

/// A fresh `Idempotency-Key`.
pub fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("tui-{hex}")
}

impl StaffForm {
    /// A form over these fields, empty.
    pub fn new(title: &'static str, inputs: Vec<Input>) -> Self {
        let initial = vec![String::new(); inputs.len()];
        Self {
            title,
            note: None,
            inputs,
            focus: 0,
            state: FormState::Editing,
            confirm_cancel: false,
            choices: Vec::new(),
            hits: Vec::new(),
            hit: 0,
            idempotency_key: new_idempotency_key(),
            initial,
        }
    }

    /// Fills a field before the form is shown (prefill); [`Self::changed`] compares with it.
    pub fn prefill(&mut self, key: &str, text: &str) {
        if let Some(index) = self.index(key) {
            self.inputs[index].value.clear();
            self.inputs[index].value.insert_str(text);
            self.initial[index] = text.trim().to_owned();
        }
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.inputs.iter().position(|i| i.key == key)
    }

    /// The trimmed text of a field ("" for a field the form does not have).
    pub fn text(&self, key: &str) -> &str {
        self.index(key).map_or("", |i| self.inputs[i].text())
    }

    /// A field's text, `None` when empty.
    pub fn optional(&self, key: &str) -> Option<String> {
        Some(self.text(key).to_owned()).filter(|t| !t.is_empty())
    }

    /// A date field, `None` when empty or not a date (the checks say which).
    pub fn date(&self, key: &str) -> Option<NaiveDate> {
        parse_date(self.text(key)).ok()
    }

    /// True when a field differs from its prefilled (or empty) value.
    pub fn changed(&self, key: &str) -> bool {
        self.index(key)
            .is_some_and(|i| self.inputs[i].text() != self.initial[i])
    }

    /// True when something was typed.
    pub fn dirty(&self) -> bool {
        self.inputs.iter().any(|i| self.changed(i.key))
    }

    /// True while its request is in flight.
    pub fn is_sending(&self) -> bool {
        matches!(self.state, FormState::Sending(_))
    }

    /// The chosen choice of the pick field: the highlighted hit.
    pub fn chosen(&self) -> Option<&Choice> {
        self.hits.get(self.hit).and_then(|&i| self.choices.get(i))
    }

    /// Sets the choices of the pick field (the catalogue arrived) and narrows them.
    pub fn set_choices(&mut self, choices: Vec<Choice>) {
        self.choices = choices;
        self.narrow();
    }

    /// The choices matching the pick field's text, best first (all, in order, when empty).
    fn narrow(&mut self) {
        let query = self
            .inputs
            .iter()
            .find(|i| i.kind == InputKind::Pick)
            .map_or("", Input::text);
        self.hit = 0;
        if query.is_empty() {
            self.hits = (0..self.choices.len()).collect();
            return;
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut scored: Vec<(usize, u32)> = self
            .choices
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let text = format!("{} {}", c.label, c.code);
                pattern
                    .score(Utf32Str::new(&text, &mut buffer), &mut matcher)
                    .map(|score| (i, score))
            })
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.hits = scored.into_iter().map(|(i, _)| i).collect();
    }

    /// The French error of a field's value, if any.
    fn check(&self, index: usize) -> Option<String> {
        let input = &self.inputs[index];
        let text = input.text();
        if text.is_empty() {
            return input
                .required
                .then(|| format!("{} : à remplir.", input.label));
        }
        match input.kind {
            InputKind::Text => None,
            InputKind::Date => parse_date(text).err().map(|e| e.to_string()),
            InputKind::Nir => text.parse::<Nir>().err().map(|e| sentence(&e.to_string())),
            InputKind::Pick => {
                let exact = self.chosen().is_some_and(|c| c.label == text);
                (!exact).then(|| {
                    if self.choices.is_empty() {
                        "Le catalogue n'est pas encore chargé : patientez puis rechoisissez."
                            .to_owned()
                    } else {
                        "Choisissez un type du catalogue dans la liste (↑ ↓ puis Entrée)."
                            .to_owned()
                    }
                })
            }
        }
    }

    /// Leaves the focused field: a pick takes the highlighted choice's label, then the field is
    /// checked.
    fn leave(&mut self) {
        let index = self.focus;
        if self.inputs[index].kind == InputKind::Pick
            && !self.inputs[index].text().is_empty()
            && let Some(label) = self.chosen().map(|c| c.label.clone())
        {
            self.inputs[index].value.clear();
            self.inputs[index].value.insert_str(&label);
            self.narrow();
        }
        self.inputs[index].error = self.check(index);
    }

    fn move_focus(&mut self, forward: bool) {
        self.leave();
        let len = self.inputs.len();
        self.focus = if forward {
            (self.focus + 1) % len
        } else {
            (self.focus + len - 1) % len
        };
    }

    /// Checks every field; on errors, the first one gets the focus and the state says how many.
    fn submit(&mut self) -> FormOutcome {
        self.leave();
        for index in 0..self.inputs.len() {
            self.inputs[index].error = self.check(index);
        }
        let wrong: Vec<usize> = (0..self.inputs.len())
            .filter(|&i| self.inputs[i].error.is_some())
            .collect();
        match wrong.first() {
            None => FormOutcome::Submit,
            Some(&first) => {
                self.focus = first;
                self.state = FormState::Failed(format!(
                    "{} à corriger avant d'enregistrer.",
                    crate::text::count(wrong.len() as u64, "champ", "champs")
                ));
                FormOutcome::Handled
            }
        }
    }

    /// A key.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return FormOutcome::Ignored;
        }
        if self.confirm_cancel {
            match key.code {
                KeyCode::Char('o' | 'O' | 'y' | 'Y') => return FormOutcome::Cancel,
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.confirm_cancel = false,
                _ => {}
            }
            return FormOutcome::Handled;
        }
        if self.is_sending() {
            return FormOutcome::Handled;
        }
        let pick = self.inputs[self.focus].kind == InputKind::Pick;
        match key.code {
            KeyCode::Char('s') if ctrl => return self.submit(),
            KeyCode::Char('o') if ctrl => {
                if let FormState::Duplicate {
                    worker: Some(worker),
                    ..
                } = self.state
                {
                    return FormOutcome::OpenWorker(worker);
                }
            }
            KeyCode::Esc if self.dirty() => self.confirm_cancel = true,
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Down if pick && !self.hits.is_empty() => {
                self.hit = (self.hit + 1).min(self.hits.len() - 1);
            }
            KeyCode::Up if pick && !self.hits.is_empty() => self.hit = self.hit.saturating_sub(1),
            KeyCode::Tab | KeyCode::Down => self.move_focus(true),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(false),
            KeyCode::Enter if self.focus + 1 == self.inputs.len() => return self.submit(),
            KeyCode::Enter => self.move_focus(true),
            _ => match self.inputs[self.focus].value.on_key(key) {
                Edit::Changed => {
                    self.inputs[self.focus].error = None;
                    if pick {
                        self.narrow();
                    }
                }
                Edit::Moved => {}
                Edit::Ignored => return FormOutcome::Ignored,
            },
        }
        FormOutcome::Handled
    }

    /// Pasted text goes to the focused field.
    pub fn on_paste(&mut self, text: &str) {
        if !self.is_sending() && !self.confirm_cancel {
            self.inputs[self.focus].value.insert_str(text);
            self.inputs[self.focus].error = None;
            if self.inputs[self.focus].kind == InputKind::Pick {
                self.narrow();
            }
        }
    }

    /// The request failed: field errors under their fields (the first one focused), a 409 named
    /// with its worker, anything else in the status line. Nothing typed is touched.
    pub fn failed(&mut self, error: &ApiError) {
        self.state = match error {
            ApiError::Conflict { detail } => FormState::Duplicate {
                message: detail.clone(),
                worker: duplicate_of(detail),
            },
            ApiError::Invalid { errors } => {
                let mut others = Vec::new();
                let mut first = None;
                for e in errors {
                    match self.index(&e.field) {
                        Some(index) => {
                            self.inputs[index].error = Some(sentence(&e.message));
                            first = first.or(Some(index));
                        }
                        None => others.push(sentence(&e.message)),
                    }
                }
                if let Some(first) = first {
                    self.focus = first;
                }
                FormState::Failed(if others.is_empty() {
                    "Le serveur refuse ces valeurs : corrigez les champs signalés.".to_owned()
                } else {
                    others.join(" ")
                })
            }
            other => FormState::Failed(other.to_string()),
        };
    }
}
