//! The declaration simulator: « Dois-je déclarer cette formation, et comment ? »
//!
//! A pure engine over a decision tree kept as data in `assets/simulator.toml` ([`Tree`]). A
//! [`Walk`] asks the tree's questions one [`Step`] at a time, records the answers as [`Facts`],
//! runs the automatic checks (is the category already mandatory on the training's end date?),
//! answers itself the questions it already knows ([`Known`]: the account's declarant, a session's
//! training type and kind) and ends on an [`Outcome`]: à déclarer (with the kind, deadline, notes
//! and a [`Prefill`]), à vérifier (the employer's art. 7-I window), déclarée par un autre
//! déclarant, non concerné, pas encore obligatoire (or alimenté automatiquement, which the shipped
//! tree no longer uses: a training owed is declared even when a feed may later show it too). The
//! tree follows domain.md §3 and §9; every question and outcome cites its source in the assets
//! file, and `tests/simulator_paths.rs` checks every path against a reviewed table.

mod known;
mod outcome;
mod tree;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::domain::deadline::{DeadlineRules, reference_date};
use crate::domain::{DeclarantKind, DeclarationKind};

pub use known::{Known, Origin};
pub use outcome::{Cited, Outcome, Prefill};
pub use tree::{START, Tree};

use tree::{Body, CheckKind, Fact, OutcomeSpec, PLACEHOLDERS};

/// The embedded decision tree (TOML), overridable by a `simulator.toml` in the config directory.
pub const SIMULATOR_TOML: &str = include_str!("../../assets/simulator.toml");

/// What the answers so far have established.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Who declares: organisme de formation or employeur.
    pub declarant: Option<DeclarantKind>,
    /// DGT category of the training, 1 to 4.
    pub category: Option<u8>,
    /// Attestation de formation or justificatif de réussite.
    pub kind: Option<DeclarationKind>,
    /// Whether the training prepares an RNCP or RS certification.
    pub certifying: Option<bool>,
    /// Whether the training is funded by the CPF, an OPCO or France Travail.
    pub funded: Option<bool>,
    /// The employer declares because the OF has not declared by its deadline (art. 7-II).
    pub of_missed: Option<bool>,
    /// End date of the training.
    pub end_date: Option<NaiveDate>,
    /// Validity start of the justificatif de réussite.
    pub validity_start: Option<NaiveDate>,
    /// Set by the scope check when the category was not yet mandatory: the date it becomes so.
    pub mandatory_from: Option<NaiveDate>,
}

/// What the walk shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    /// A question with answers to choose from (see [`Walk::answer`]).
    Question {
        /// Node id.
        id: &'a str,
        /// The question, in French.
        text: &'a str,
        /// A short explanation.
        help: &'a str,
        /// The rule's source (URL).
        source: &'a str,
        /// Answer labels, in order; pick one by its index.
        answers: Vec<&'a str>,
    },
    /// A date to enter (see [`Walk::answer_date`]).
    Date {
        /// Node id.
        id: &'a str,
        /// The question, in French.
        text: &'a str,
        /// A short explanation.
        help: &'a str,
        /// The rule's source (URL).
        source: &'a str,
    },
    /// The end of the walk.
    Outcome(Outcome),
}

/// A step of the walk the user cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulatorError {
    /// An answer of the wrong sort for the current step (a choice for a date, or after the end).
    #[error("l'étape « {node} » n'attend pas {expected}")]
    WrongStep {
        /// Current node id.
        node: String,
        /// What was given, in French.
        expected: &'static str,
    },
    /// An answer index the question does not have.
    #[error("la question « {node} » n'a pas de réponse n° {} (elle en propose {count})", .index + 1)]
    NoSuchAnswer {
        /// Question id.
        node: String,
        /// The 0-based index given.
        index: usize,
        /// How many answers the question has.
        count: usize,
    },
    /// A date before the date it may not precede (e.g. a validity start before the end of the
    /// training, domain.md §8).
    #[error(
        "{field} ({}) ne peut pas précéder {bound_field} ({})",
        .date.format("%d/%m/%Y"),
        .bound.format("%d/%m/%Y")
    )]
    DateTooEarly {
        /// Date question id.
        node: String,
        /// What was asked, in French.
        field: &'static str,
        /// The date given.
        date: NaiveDate,
        /// The earlier fact, in French.
        bound_field: &'static str,
        /// Its date.
        bound: NaiveDate,
    },
    /// The tree reached a node needing a fact no answer recorded (the checker prevents it).
    #[error("étape « {node} » : il manque {fact}")]
    MissingFact {
        /// Node id.
        node: String,
        /// The missing fact, in French.
        fact: &'static str,
    },
    /// The deadline rules never make this category mandatory for this declarant, so the scope
    /// check has no date to compare the training's end date with.
    #[error(
        "aucune règle de délais ne rend obligatoire la déclaration des formations de catégorie {category} pour un {}",
        .declarant.label()
    )]
    UnknownScope {
        /// Who declares.
        declarant: DeclarantKind,
        /// The category.
        category: u8,
    },
}

/// One user step, kept to go back.
#[derive(Debug, Clone)]
struct Entry {
    node: usize,
    facts: Facts,
    answer: String,
    /// The index of the answer picked, for a question.
    choice: Option<usize>,
    /// Where the answer came from when the walk gave it itself.
    auto: Option<Origin>,
}

impl Entry {
    /// The answer, with where it came from when automatic.
    fn shown(&self) -> String {
        match self.auto {
            Some(origin) => format!("{} ({})", self.answer, origin.label()),
            None => self.answer.clone(),
        }
    }
}

/// Where a walk stands after the automatic nodes.
struct Settled {
    node: usize,
    facts: Facts,
    outcome: Option<Outcome>,
    /// The questions answered automatically on the way.
    auto: Vec<Entry>,
}

/// A walk through the tree: the current step, the facts gathered, and the history for [`Walk::back`].
#[derive(Clone)]
pub struct Walk {
    tree: Arc<Tree>,
    deadlines: Arc<DeadlineRules>,
    node: usize,
    facts: Facts,
    outcome: Option<Outcome>,
    history: Vec<Entry>,
    known: Known,
}

impl fmt::Debug for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walk")
            .field("node", &self.current_id())
            .field("facts", &self.facts)
            .field("outcome", &self.outcome)
            .field("steps", &self.history.len())
            .finish_non_exhaustive()
    }
}

fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

impl Walk {
    /// Starts a walk at the tree's `start` question.
    pub fn new(tree: Arc<Tree>, deadlines: Arc<DeadlineRules>) -> Self {
        let node = tree.start;
        Self {
            tree,
            deadlines,
            node,
            facts: Facts::default(),
            outcome: None,
            history: Vec::new(),
            known: Known::default(),
        }
    }

    /// The deadline rules the walk computes due dates with.
    pub fn deadlines(&self) -> &DeadlineRules {
        &self.deadlines
    }

    /// What the walk knows from outside (account, session).
    pub fn known(&self) -> &Known {
        &self.known
    }

    /// Records what is known from outside; a walk the user has not started yet restarts so that
    /// the questions it answers are skipped at once.
    pub fn know(&mut self, known: Known) {
        self.known = known;
        if self.user_steps() == 0 {
            self.restart();
        }
    }

    /// Back to the start, keeping what is known; the questions it answers are answered again.
    pub fn restart(&mut self) {
        self.node = self.tree.start;
        self.facts = Facts::default();
        self.outcome = None;
        self.history.clear();
        if let Ok(settled) = self.settle(self.tree.start, Facts::default(), Vec::new()) {
            self.node = settled.node;
            self.facts = settled.facts;
            self.outcome = settled.outcome;
            self.history = settled.auto;
        }
    }

    /// How many answers the user gave (the automatic ones not counted).
    pub fn user_steps(&self) -> usize {
        self.history.iter().filter(|e| e.auto.is_none()).count()
    }

    /// The current step: a question, a date to enter, or the outcome.
    pub fn current(&self) -> Step<'_> {
        let node = &self.tree.nodes[self.node];
        match (&node.body, &self.outcome) {
            (_, Some(outcome)) => Step::Outcome(outcome.clone()),
            (
                Body::Question {
                    text,
                    help,
                    source,
                    answers,
                },
                None,
            ) => Step::Question {
                id: &node.id,
                text,
                help,
                source,
                answers: answers.iter().map(|a| a.label.as_str()).collect(),
            },
            (
                Body::Date {
                    text, help, source, ..
                },
                None,
            ) => Step::Date {
                id: &node.id,
                text,
                help,
                source,
            },
            // The walk never rests on a check, and an outcome node always carries its outcome; a
            // date step is the harmless fallback should that ever change.
            (Body::Check { .. } | Body::Outcome { .. }, None) => Step::Date {
                id: &node.id,
                text: "",
                help: "",
                source: "",
            },
        }
    }

    /// Id of the current node.
    pub fn current_id(&self) -> &str {
        &self.tree.nodes[self.node].id
    }

    /// The source (URL) of the current question, date or outcome.
    pub fn source(&self) -> Option<&str> {
        match &self.tree.nodes[self.node].body {
            Body::Question { source, .. }
            | Body::Date { source, .. }
            | Body::Outcome { source, .. } => Some(source),
            Body::Check { .. } => None,
        }
    }

    /// The facts gathered so far.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The questions answered so far with their answers, for breadcrumbs (dates as jj/mm/aaaa).
    pub fn path(&self) -> Vec<(&str, String)> {
        self.history
            .iter()
            .map(|entry| {
                let text = match &self.tree.nodes[entry.node].body {
                    Body::Question { text, .. } | Body::Date { text, .. } => text.as_str(),
                    Body::Check { .. } | Body::Outcome { .. } => "",
                };
                (text, entry.shown())
            })
            .collect()
    }

    /// The steps taken so far as (node id, answer), for tests and logs that name the nodes.
    pub fn trail(&self) -> Vec<(&str, String)> {
        self.history
            .iter()
            .map(|entry| (self.tree.nodes[entry.node].id.as_str(), entry.shown()))
            .collect()
    }

    /// Picks the answer at `index` (0-based) of the current question.
    pub fn answer(&mut self, index: usize) -> Result<(), SimulatorError> {
        let tree = Arc::clone(&self.tree);
        let node = &tree.nodes[self.node];
        let answers = match (&node.body, &self.outcome) {
            (Body::Question { answers, .. }, None) => answers,
            _ => return Err(self.wrong_step("un choix de réponse")),
        };
        let answer = answers
            .get(index)
            .ok_or_else(|| SimulatorError::NoSuchAnswer {
                node: node.id.clone(),
                index,
                count: answers.len(),
            })?;
        let mut facts = self.facts;
        answer.set.apply(&mut facts);
        let mut notes = self.notes();
        notes.extend(answer.note.clone());
        let settled = self.settle(answer.next, facts, notes)?;
        self.commit(answer.label.clone(), Some(index), settled);
        Ok(())
    }

    /// Enters the date asked by the current step.
    pub fn answer_date(&mut self, date: NaiveDate) -> Result<(), SimulatorError> {
        let tree = Arc::clone(&self.tree);
        let node = &tree.nodes[self.node];
        let (fact, not_before, next) = match (&node.body, &self.outcome) {
            (
                Body::Date {
                    fact,
                    not_before,
                    next,
                    ..
                },
                None,
            ) => (*fact, *not_before, *next),
            _ => return Err(self.wrong_step("une date")),
        };
        if let Some(bound_fact) = not_before
            && let Some(bound) = bound_fact.get(&self.facts)
            && date < bound
        {
            return Err(SimulatorError::DateTooEarly {
                node: node.id.clone(),
                field: fact.fact().label(),
                date,
                bound_field: bound_fact.fact().label(),
                bound,
            });
        }
        let mut facts = self.facts;
        fact.record(&mut facts, date);
        let settled = self.settle(next, facts, self.notes())?;
        self.commit(french_date(date), None, settled);
        Ok(())
    }

    /// Undoes the last answer (automatic checks are replayed, not undone one by one) and restores
    /// the facts as they were; `false` at the start.
    pub fn back(&mut self) -> bool {
        match self.history.pop() {
            Some(entry) => {
                if let Some(origin) = entry.auto {
                    origin.forget(&mut self.known);
                }
                self.node = entry.node;
                self.facts = entry.facts;
                self.outcome = None;
                true
            }
            None => false,
        }
    }

    fn wrong_step(&self, expected: &'static str) -> SimulatorError {
        SimulatorError::WrongStep {
            node: self.current_id().to_owned(),
            expected,
        }
    }

    /// The notes of the answers picked so far, in order.
    fn notes(&self) -> Vec<String> {
        self.history
            .iter()
            .filter_map(
                |entry| match (&self.tree.nodes[entry.node].body, entry.choice) {
                    (Body::Question { answers, .. }, Some(choice)) => {
                        answers.get(choice)?.note.clone()
                    }
                    _ => None,
                },
            )
            .collect()
    }

    fn commit(&mut self, answer: String, choice: Option<usize>, settled: Settled) {
        self.history.push(Entry {
            node: self.node,
            facts: self.facts,
            answer,
            choice,
            auto: None,
        });
        self.history.extend(settled.auto);
        self.node = settled.node;
        self.facts = settled.facts;
        self.outcome = settled.outcome;
    }

    /// Runs the automatic nodes from `node` (checks, and questions the walk knows the answer to)
    /// until a question, a date or an outcome.
    fn settle(
        &self,
        mut node: usize,
        mut facts: Facts,
        mut notes: Vec<String>,
    ) -> Result<Settled, SimulatorError> {
        let mut auto = Vec::new();
        loop {
            let current = &self.tree.nodes[node];
            match &current.body {
                Body::Check {
                    check: CheckKind::Scope,
                    pass,
                    fail,
                } => {
                    let declarant = facts
                        .declarant
                        .ok_or_else(|| missing(&current.id, Fact::Declarant))?;
                    let category = facts
                        .category
                        .ok_or_else(|| missing(&current.id, Fact::Category))?;
                    let end = facts
                        .end_date
                        .ok_or_else(|| missing(&current.id, Fact::EndDate))?;
                    let declarant = scope_declarant(declarant, &facts);
                    let from = self.deadlines.mandatory_from(declarant, category).ok_or(
                        SimulatorError::UnknownScope {
                            declarant,
                            category,
                        },
                    )?;
                    if end >= from {
                        node = *pass;
                    } else {
                        facts.mandatory_from = Some(from);
                        node = *fail;
                    }
                }
                Body::Check {
                    check: CheckKind::Justificatif,
                    pass,
                    fail,
                } => {
                    let kind = facts.kind.ok_or_else(|| missing(&current.id, Fact::Kind))?;
                    node = match kind {
                        DeclarationKind::Justificatif => *pass,
                        DeclarationKind::Attestation => *fail,
                    };
                }
                Body::Outcome { outcome, source } => {
                    let outcome = self.outcome_of(&current.id, outcome, source, &facts, notes)?;
                    return Ok(Settled {
                        node,
                        facts,
                        outcome: Some(outcome),
                        auto,
                    });
                }
                Body::Question { answers, .. } => {
                    match known::automatic(&self.tree, answers, &self.known, &facts) {
                        Some((index, origin)) => {
                            let answer = &answers[index];
                            auto.push(Entry {
                                node,
                                facts,
                                answer: answer.label.clone(),
                                choice: Some(index),
                                auto: Some(origin),
                            });
                            answer.set.apply(&mut facts);
                            notes.extend(answer.note.clone());
                            node = answer.next;
                        }
                        None => {
                            return Ok(Settled {
                                node,
                                facts,
                                outcome: None,
                                auto,
                            });
                        }
                    }
                }
                Body::Date { .. } => {
                    return Ok(Settled {
                        node,
                        facts,
                        outcome: None,
                        auto,
                    });
                }
            }
        }
    }

    fn outcome_of(
        &self,
        id: &str,
        spec: &OutcomeSpec,
        source: &str,
        facts: &Facts,
        mut notes: Vec<String>,
    ) -> Result<Outcome, SimulatorError> {
        Ok(match spec {
            OutcomeSpec::ADeclarer { note } => {
                let declarant = facts
                    .declarant
                    .ok_or_else(|| missing(id, Fact::Declarant))?;
                let kind = facts.kind.ok_or_else(|| missing(id, Fact::Kind))?;
                let end = facts.end_date.ok_or_else(|| missing(id, Fact::EndDate))?;
                let validity = match kind {
                    DeclarationKind::Justificatif => Some(
                        facts
                            .validity_start
                            .ok_or_else(|| missing(id, Fact::ValidityStart))?,
                    ),
                    DeclarationKind::Attestation => None,
                };
                let reference = reference_date(kind, end, validity);
                notes.extend(note.clone());
                let (due_date, due_source) = match facts.of_missed {
                    // Art. 7-II: some months after the OF's own deadline.
                    Some(true) => {
                        let of_due = self
                            .deadlines
                            .due_date(DeclarantKind::OrganismeFormation, reference);
                        let rule = self.deadlines.fallback_rule(reference);
                        (
                            rule.zip(of_due).and_then(|(r, due)| r.due_date(due)),
                            rule.map(|r| Cited {
                                source: r.source.clone(),
                                confidence: r.confidence,
                            }),
                        )
                    }
                    _ => {
                        let rule = self.deadlines.rule_for(declarant, reference);
                        (
                            rule.and_then(|r| r.due_date(reference)),
                            rule.map(|r| Cited {
                                source: r.source.clone(),
                                confidence: r.confidence,
                            }),
                        )
                    }
                };
                Outcome::ADeclarer {
                    kind,
                    declarant,
                    reference_date: reference,
                    due_date,
                    due_source,
                    notes,
                    prefill: Prefill {
                        declarant,
                        kind,
                        date_fin_formation: Some(end),
                        date_debut_validite: validity,
                        formation_certifiante: facts.certifying,
                    },
                }
            }
            OutcomeSpec::NonConcerne { reason } => Outcome::NonConcerne {
                reason: reason.clone(),
                source: source.to_owned(),
            },
            OutcomeSpec::PasEncoreObligatoire { reason } => {
                let from = facts
                    .mandatory_from
                    .ok_or_else(|| missing(id, Fact::MandatoryFrom))?;
                let declarant = scope_declarant(
                    facts
                        .declarant
                        .ok_or_else(|| missing(id, Fact::Declarant))?,
                    facts,
                );
                let category = facts.category.ok_or_else(|| missing(id, Fact::Category))?;
                let values = [
                    declarant.label().to_owned(),
                    category.to_string(),
                    french_date(from),
                ];
                let reason = PLACEHOLDERS
                    .iter()
                    .zip(values)
                    .fold(reason.clone(), |text, (placeholder, value)| {
                        text.replace(placeholder, &value)
                    });
                let scope_source =
                    self.deadlines
                        .scope_rule(declarant, category)
                        .map(|rule| Cited {
                            source: rule.source.clone(),
                            confidence: rule.confidence,
                        });
                Outcome::PasEncoreObligatoire {
                    from,
                    reason,
                    scope_source,
                }
            }
            OutcomeSpec::AlimenteAutomatiquement { warning } => Outcome::AlimenteAutomatiquement {
                warning: warning.clone(),
            },
            OutcomeSpec::AutreDeclarant { reason } => Outcome::AutreDeclarant {
                reason: reason.clone(),
                source: source.to_owned(),
            },
            OutcomeSpec::AVerifier { note } => {
                let end = facts.end_date.ok_or_else(|| missing(id, Fact::EndDate))?;
                let kind = facts.kind.unwrap_or(DeclarationKind::Attestation);
                let reference = reference_date(kind, end, facts.validity_start);
                let rule = self.deadlines.verification_rule(reference);
                notes.extend(note.clone());
                Outcome::AVerifier {
                    reference_date: reference,
                    until: rule.and_then(|r| r.due_date(reference)),
                    until_source: rule.map(|r| Cited {
                        source: r.source.clone(),
                        confidence: r.confidence,
                    }),
                    notes,
                }
            }
        })
    }
}

/// Whose scope applies: the declarant's, or the OF's when the employer stands in for an OF that
/// has not declared (art. 7-II: the obligation was the OF's).
fn scope_declarant(declarant: DeclarantKind, facts: &Facts) -> DeclarantKind {
    match facts.of_missed {
        Some(true) => DeclarantKind::OrganismeFormation,
        _ => declarant,
    }
}

fn missing(node: &str, fact: Fact) -> SimulatorError {
    SimulatorError::MissingFact {
        node: node.to_owned(),
        fact: fact.label(),
    }
}

#[cfg(test)]
mod tests;
