//! The declaration simulator: « Dois-je déclarer cette formation, et comment ? »
//!
//! A pure engine over a decision tree kept as data in `assets/simulator.toml` ([`Tree`]). A
//! [`Walk`] asks the tree's questions one [`Step`] at a time, records the answers as [`Facts`],
//! runs the automatic checks (is the category already mandatory on the training's end date?) and
//! ends on an [`Outcome`]: à déclarer (with the kind, deadline and a [`Prefill`]), non concerné,
//! pas encore obligatoire, or alimenté automatiquement. The tree follows domain.md §3; every
//! question and outcome cites its source in the assets file.

mod outcome;
mod tree;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::domain::deadline::{DeadlineRules, reference_date};
use crate::domain::{DeclarantKind, DeclarationKind};

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
}

/// Where a walk stands after the automatic nodes.
struct Settled {
    node: usize,
    facts: Facts,
    outcome: Option<Outcome>,
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
        }
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
                (text, entry.answer.clone())
            })
            .collect()
    }

    /// The steps taken so far as (node id, answer), for tests and logs that name the nodes.
    pub fn trail(&self) -> Vec<(&str, String)> {
        self.history
            .iter()
            .map(|entry| {
                (
                    self.tree.nodes[entry.node].id.as_str(),
                    entry.answer.clone(),
                )
            })
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
        });
        self.node = settled.node;
        self.facts = settled.facts;
        self.outcome = settled.outcome;
    }

    /// Runs the automatic nodes from `node` until a question, a date or an outcome.
    fn settle(
        &self,
        mut node: usize,
        mut facts: Facts,
        notes: Vec<String>,
    ) -> Result<Settled, SimulatorError> {
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
                Body::Outcome { outcome, source } => {
                    let outcome = self.outcome_of(&current.id, outcome, source, &facts, notes)?;
                    return Ok(Settled {
                        node,
                        facts,
                        outcome: Some(outcome),
                    });
                }
                Body::Question { .. } | Body::Date { .. } => {
                    return Ok(Settled {
                        node,
                        facts,
                        outcome: None,
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
                let rule = self.deadlines.rule_for(declarant, reference);
                notes.extend(note.clone());
                Outcome::ADeclarer {
                    kind,
                    declarant,
                    reference_date: reference,
                    due_date: rule.and_then(|r| r.due_date(reference)),
                    due_source: rule.map(|r| Cited {
                        source: r.source.clone(),
                        confidence: r.confidence,
                    }),
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
                let declarant = facts
                    .declarant
                    .ok_or_else(|| missing(id, Fact::Declarant))?;
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
        })
    }
}

fn missing(node: &str, fact: Fact) -> SimulatorError {
    SimulatorError::MissingFact {
        node: node.to_owned(),
        fact: fact.label(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;
    use crate::domain::training::Confidence;

    const DECREE_ART_4: &str = "https://legal.tricoteuses.fr/articles/LEGIARTI000052037475";
    const OF_OBLIGATIONS: &str = "https://passeport-prevention.travail-emploi.gouv.fr/aide/quelles-sont-mes-obligations-en-tant-quorganisme-de-formation";

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn rules() -> Arc<DeadlineRules> {
        Arc::new(DeadlineRules::embedded().unwrap())
    }

    fn walk() -> Walk {
        Walk::new(Arc::new(Tree::embedded().unwrap()), rules())
    }

    /// Picks the answer whose label starts with `label`.
    fn pick(walk: &mut Walk, label: &str) {
        let index = match walk.current() {
            Step::Question { answers, id, .. } => answers
                .iter()
                .position(|a| a.starts_with(label))
                .unwrap_or_else(|| panic!("no answer « {label} » at {id}: {answers:?}")),
            other => panic!("expected a question, got {other:?}"),
        };
        walk.answer(index).unwrap();
    }

    fn outcome(walk: &Walk) -> Outcome {
        match walk.current() {
            Step::Outcome(outcome) => outcome,
            other => panic!("expected an outcome, got {other:?}"),
        }
    }

    /// From the start to the category question, through the exclusions and the three criteria.
    fn eligible(declarant: &str, safety: &str) -> Walk {
        let mut w = walk();
        pick(&mut w, declarant);
        for _ in 0..3 {
            pick(&mut w, "Non");
        }
        pick(&mut w, safety);
        if w.current_id() == "q5_preventeurs" {
            pick(&mut w, "Non");
        }
        for _ in 0..3 {
            pick(&mut w, "Oui");
        }
        assert_eq!(w.current_id(), "q7_categorie");
        w
    }

    fn category(walk: &mut Walk, category: u8) {
        pick(walk, &format!("Catégorie {category}"));
    }

    /// Walks every path of `walk` (every answer, and `dates` at each date step) and checks the
    /// invariants of each outcome; returns the outcome ids reached and the number of paths.
    fn explore(
        walk: Walk,
        dates: &[NaiveDate],
        deadlines: &DeadlineRules,
        reached: &mut BTreeSet<String>,
    ) -> usize {
        match walk.current() {
            Step::Outcome(outcome) => {
                check_outcome(&walk, &outcome, deadlines);
                reached.insert(walk.current_id().to_owned());
                1
            }
            Step::Question { answers, .. } => (0..answers.len())
                .map(|i| {
                    let mut next = walk.clone();
                    next.answer(i).unwrap();
                    explore(next, dates, deadlines, reached)
                })
                .sum(),
            Step::Date { id, .. } => {
                let mut paths = 0;
                for &date in dates {
                    let mut next = walk.clone();
                    match next.answer_date(date) {
                        Ok(()) => paths += explore(next, dates, deadlines, reached),
                        Err(SimulatorError::DateTooEarly { bound, .. }) => assert!(date < bound),
                        Err(other) => panic!("{id}: {other}"),
                    }
                }
                assert!(paths > 0, "no date accepted at {id}");
                paths
            }
        }
    }

    fn check_outcome(walk: &Walk, outcome: &Outcome, deadlines: &DeadlineRules) {
        let facts = walk.facts();
        match outcome {
            Outcome::ADeclarer {
                kind,
                declarant,
                reference_date: reference,
                due_date,
                due_source,
                notes,
                prefill,
            } => {
                let end = facts.end_date.unwrap();
                let from = deadlines
                    .mandatory_from(*declarant, facts.category.unwrap())
                    .unwrap();
                assert!(end >= from);
                assert_eq!(*reference, reference_date(*kind, end, facts.validity_start));
                assert_eq!(*due_date, deadlines.due_date(*declarant, *reference));
                assert_eq!((prefill.kind, prefill.declarant), (*kind, *declarant));
                assert_eq!(prefill.date_fin_formation, Some(end));
                assert_eq!(
                    prefill.date_debut_validite.is_some(),
                    *kind == DeclarationKind::Justificatif
                );
                assert_eq!(due_source.is_some(), due_date.is_some());
                // A funded or certifying training is still to declare, with a note (audit S-1, S-2).
                let noted = |word: &str| notes.iter().any(|n| n.contains(word));
                assert_eq!(
                    facts.funded == Some(true),
                    noted("« à terme »"),
                    "{notes:?}"
                );
                assert_eq!(
                    facts.certifying == Some(true),
                    noted("16/11/2026"),
                    "{notes:?}"
                );
            }
            Outcome::NonConcerne { reason, source } => {
                assert!(!reason.is_empty());
                assert!(source.starts_with("https://"));
                assert_eq!(walk.source(), Some(source.as_str()));
            }
            Outcome::PasEncoreObligatoire { from, reason, .. } => {
                let expected =
                    deadlines.mandatory_from(facts.declarant.unwrap(), facts.category.unwrap());
                assert_eq!(Some(*from), expected);
                assert!(facts.end_date.unwrap() < *from);
                assert!(reason.contains(&french_date(*from)), "{reason}");
                assert!(!reason.contains('{'), "{reason}");
            }
            Outcome::AlimenteAutomatiquement { warning } => {
                assert!(warning.contains("doublon"), "{warning}");
                assert!(facts.certifying == Some(true) || facts.funded == Some(true));
            }
        }
    }

    #[test]
    fn every_path_of_the_embedded_tree_ends_on_an_outcome_and_reaches_every_outcome() {
        let tree = Tree::embedded().unwrap();
        let outcomes: BTreeSet<String> = tree
            .nodes
            .iter()
            .filter(|n| matches!(n.body, Body::Outcome { .. }))
            .map(|n| n.id.clone())
            .collect();
        let deadlines = rules();
        let dates = [day(2025, 10, 15), day(2026, 5, 10), day(2026, 11, 20)];
        let mut reached = BTreeSet::new();
        let paths = explore(
            Walk::new(Arc::new(tree), Arc::clone(&deadlines)),
            &dates,
            &deadlines,
            &mut reached,
        );
        assert_eq!(reached, outcomes);
        assert!(paths > 100, "only {paths} paths");
    }

    #[test]
    fn of_sst_with_a_certificate_is_a_justificatif_due_per_the_deadline_rules() {
        let mut w = eligible(
            "Un organisme de formation",
            "Oui, c'est le sauvetage secourisme",
        );
        category(&mut w, 2);
        w.answer_date(day(2026, 3, 20)).unwrap();
        pick(&mut w, "Oui : justificatif");
        assert_eq!(w.current_id(), "date_validite");
        w.answer_date(day(2026, 4, 2)).unwrap();
        pick(&mut w, "Non");
        pick(&mut w, "Non");
        let due = rules().due_date(DeclarantKind::OrganismeFormation, day(2026, 4, 2));
        assert!(due.is_some());
        assert_eq!(
            outcome(&w),
            Outcome::ADeclarer {
                kind: DeclarationKind::Justificatif,
                declarant: DeclarantKind::OrganismeFormation,
                reference_date: day(2026, 4, 2),
                due_date: due,
                due_source: Some(Cited {
                    source: OF_OBLIGATIONS.to_owned(),
                    confidence: Confidence::ThirdParty,
                }),
                notes: Vec::new(),
                prefill: Prefill {
                    declarant: DeclarantKind::OrganismeFormation,
                    kind: DeclarationKind::Justificatif,
                    date_fin_formation: Some(day(2026, 3, 20)),
                    date_debut_validite: Some(day(2026, 4, 2)),
                    formation_certifiante: Some(false),
                },
            }
        );
    }

    #[test]
    fn without_a_certificate_it_is_an_attestation_dated_by_the_end_of_training() {
        let mut w = eligible("Un employeur", "Non");
        category(&mut w, 1);
        w.answer_date(day(2026, 6, 30)).unwrap();
        pick(&mut w, "Non : attestation");
        assert_eq!(w.current_id(), "q9_certification");
        pick(&mut w, "Non");
        pick(&mut w, "Non");
        match outcome(&w) {
            Outcome::ADeclarer {
                kind,
                reference_date,
                due_date,
                prefill,
                ..
            } => {
                assert_eq!(kind, DeclarationKind::Attestation);
                assert_eq!(reference_date, day(2026, 6, 30));
                assert_eq!(
                    due_date,
                    rules().due_date(DeclarantKind::Employeur, day(2026, 6, 30))
                );
                assert_eq!(prefill.date_debut_validite, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn train_the_trainer_is_not_concerned() {
        let mut w = walk();
        pick(&mut w, "Un organisme de formation");
        pick(&mut w, "Oui, c'est une formation de formateurs");
        match outcome(&w) {
            Outcome::NonConcerne { reason, source } => {
                assert!(reason.contains("formations de formateurs"), "{reason}");
                assert!(reason.contains("4-II-1°"), "{reason}");
                assert_eq!(source, DECREE_ART_4);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_exclusion_gives_its_own_reason() {
        let cases = [
            (&["Oui, formation à la sécurité au poste"][..], "R.4141-13"),
            (&["Non", "Oui, formation des élus"][..], "L.2315-18"),
            (
                &["Non", "Non", "Oui, une autre formation à la sécurité"][..],
                "4-II-3°",
            ),
            (
                &[
                    "Non",
                    "Non",
                    "Non",
                    "Oui, une autre formation de préventeur",
                ][..],
                "4-II-5°",
            ),
        ];
        for (answers, cited) in cases {
            let mut w = walk();
            pick(&mut w, "Un employeur");
            pick(&mut w, "Non");
            for answer in answers {
                pick(&mut w, answer);
            }
            match outcome(&w) {
                Outcome::NonConcerne { reason, .. } => assert!(reason.contains(cited), "{reason}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn each_failed_criterion_gives_its_own_reason() {
        for (failed, word) in [(0, "premier"), (1, "deuxième"), (2, "troisième")] {
            let mut w = walk();
            pick(&mut w, "Un employeur");
            for _ in 0..4 {
                pick(&mut w, "Non");
            }
            pick(&mut w, "Non");
            for _ in 0..failed {
                pick(&mut w, "Oui");
            }
            pick(&mut w, "Non");
            match outcome(&w) {
                Outcome::NonConcerne { reason, .. } => assert!(reason.contains(word), "{reason}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn employer_category_3_ended_in_may_2026_is_not_yet_mandatory() {
        let mut w = eligible("Un employeur", "Non");
        category(&mut w, 3);
        w.answer_date(day(2026, 5, 10)).unwrap();
        match outcome(&w) {
            Outcome::PasEncoreObligatoire { from, reason, .. } => {
                assert_eq!(from, day(2026, 10, 1));
                assert!(reason.contains("catégorie 3"), "{reason}");
                assert!(reason.contains("pour un employeur"), "{reason}");
                assert!(reason.contains("01/10/2026"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.facts().mandatory_from, Some(day(2026, 10, 1)));
    }

    #[test]
    fn employer_category_3_ended_after_october_2026_is_to_declare() {
        let mut w = eligible("Un employeur", "Non");
        category(&mut w, 3);
        w.answer_date(day(2026, 10, 1)).unwrap();
        assert_eq!(w.current_id(), "q8_evaluation");
        assert_eq!(w.facts().mandatory_from, None);
    }

    /// Audit 2026-12 S-1: OF, amiante (cat. 1), ended 20/11/2026, attestation, not certifying,
    /// funded by an OPCO: it is owed, due 30/06/2027 (Q4 2026 + 6 months, deadlines.toml).
    #[test]
    fn funded_training_is_to_declare_with_a_note_on_the_future_feed() {
        let mut w = eligible("Un organisme de formation", "Non");
        category(&mut w, 1);
        w.answer_date(day(2026, 11, 20)).unwrap();
        pick(&mut w, "Non : attestation");
        pick(&mut w, "Non");
        pick(&mut w, "Oui (CPF");
        match outcome(&w) {
            Outcome::ADeclarer {
                due_date, notes, ..
            } => {
                assert_eq!(due_date, Some(day(2027, 6, 30)));
                assert_eq!(notes.len(), 1, "{notes:?}");
                assert!(notes[0].contains("déclarez-la quand même"), "{notes:?}");
                assert!(notes[0].contains("« à terme »"), "{notes:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.facts().funded, Some(true));
    }

    /// Audit 2026-12 S-2: OF, cat. 2, ended 05/10/2026, justificatif valid from 05/10/2026,
    /// prepares an RS: the training is owed, due 30/06/2027, and the note dates the RS feed.
    #[test]
    fn certifying_training_is_to_declare_with_the_certification_note() {
        let mut w = eligible("Un organisme de formation", "Non");
        category(&mut w, 2);
        w.answer_date(day(2026, 10, 5)).unwrap();
        pick(&mut w, "Oui : justificatif");
        w.answer_date(day(2026, 10, 5)).unwrap();
        pick(&mut w, "Oui");
        pick(&mut w, "Non");
        match outcome(&w) {
            Outcome::ADeclarer {
                due_date,
                notes,
                prefill,
                ..
            } => {
                assert_eq!(due_date, Some(day(2027, 6, 30)));
                assert!(notes.iter().any(|n| n.contains("16/11/2026")), "{notes:?}");
                assert_eq!(prefill.formation_certifiante, Some(true));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.facts().certifying, Some(true));
    }

    #[test]
    fn back_at_start_returns_false() {
        let mut w = walk();
        assert!(!w.back());
        assert_eq!(w.current_id(), START);
    }

    #[test]
    fn back_then_another_answer_gives_another_outcome() {
        let mut w = walk();
        pick(&mut w, "Un employeur");
        pick(&mut w, "Oui, c'est une formation de formateurs");
        assert!(matches!(outcome(&w), Outcome::NonConcerne { .. }));
        assert!(w.back());
        assert_eq!(w.current_id(), "q1_formateurs");
        pick(&mut w, "Non");
        pick(&mut w, "Oui, formation à la sécurité au poste");
        match outcome(&w) {
            Outcome::NonConcerne { reason, .. } => {
                assert!(reason.contains("R.4141-13"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(w.back());
        assert!(w.back());
        assert!(w.back());
        assert_eq!(w.current_id(), START);
        assert_eq!(*w.facts(), Facts::default());
        assert!(!w.back());
    }

    #[test]
    fn back_over_the_scope_check_returns_to_the_date_and_restores_facts() {
        let mut w = eligible("Un employeur", "Non");
        category(&mut w, 3);
        let before = *w.facts();
        w.answer_date(day(2026, 5, 10)).unwrap();
        assert!(matches!(outcome(&w), Outcome::PasEncoreObligatoire { .. }));
        assert!(w.back());
        assert_eq!(w.current_id(), "date_fin");
        assert!(matches!(w.current(), Step::Date { .. }));
        assert_eq!(*w.facts(), before);
        w.answer_date(day(2026, 11, 20)).unwrap();
        assert_eq!(w.current_id(), "q8_evaluation");
        assert!(w.back());
        assert!(w.back());
        assert_eq!(w.current_id(), "q7_categorie");
        assert_eq!(w.facts().category, None);
    }

    #[test]
    fn path_lists_questions_and_answers_for_breadcrumbs() {
        let mut w = eligible("Un employeur", "Non");
        category(&mut w, 1);
        w.answer_date(day(2026, 5, 10)).unwrap();
        let path = w.path();
        assert_eq!(path.len(), 11);
        assert_eq!(
            path[0],
            (
                "Qui déclare la formation ?",
                "Un employeur (formation interne)".to_owned()
            )
        );
        assert_eq!(
            path[10],
            ("Date de fin de la formation ?", "10/05/2026".to_owned())
        );
        assert!(w.back());
        assert_eq!(w.path().len(), 10);
    }

    #[test]
    fn question_step_exposes_text_help_source_and_answers() {
        let w = walk();
        match w.current() {
            Step::Question {
                id,
                text,
                help,
                source,
                answers,
            } => {
                assert_eq!(id, START);
                assert_eq!(text, "Qui déclare la formation ?");
                assert!(!help.is_empty());
                assert!(source.starts_with("https://"));
                assert_eq!(
                    answers,
                    [
                        "Un organisme de formation",
                        "Un employeur (formation interne)"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_answers_are_refused_and_change_nothing() {
        let mut w = walk();
        assert_eq!(
            w.answer(2),
            Err(SimulatorError::NoSuchAnswer {
                node: START.to_owned(),
                index: 2,
                count: 2
            })
        );
        assert_eq!(
            w.answer(2).unwrap_err().to_string(),
            "la question « start » n'a pas de réponse n° 3 (elle en propose 2)"
        );
        assert!(matches!(
            w.answer_date(day(2026, 1, 1)),
            Err(SimulatorError::WrongStep { .. })
        ));
        assert_eq!(w.current_id(), START);
        assert!(w.path().is_empty());

        let mut w = eligible("Un organisme de formation", "Non");
        category(&mut w, 1);
        assert!(matches!(w.answer(0), Err(SimulatorError::WrongStep { .. })));
        w.answer_date(day(2026, 1, 15)).unwrap();
        pick(&mut w, "Oui : justificatif");
        let facts = *w.facts();
        let err = w.answer_date(day(2026, 1, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "la date de début de validité (01/01/2026) ne peut pas précéder \
             la date de fin de la formation (15/01/2026)"
        );
        assert_eq!(w.current_id(), "date_validite");
        assert_eq!(*w.facts(), facts);
        w.answer_date(day(2026, 1, 15)).unwrap();
        assert_eq!(w.current_id(), "q9_certification");
    }

    #[test]
    fn no_answer_after_the_outcome() {
        let mut w = walk();
        pick(&mut w, "Un employeur");
        pick(&mut w, "Oui");
        assert_eq!(
            w.answer(0),
            Err(SimulatorError::WrongStep {
                node: "nc_formateurs".to_owned(),
                expected: "un choix de réponse"
            })
        );
        assert!(matches!(
            w.answer_date(day(2026, 1, 1)),
            Err(SimulatorError::WrongStep { .. })
        ));
    }

    fn declarant_strategy() -> impl Strategy<Value = (DeclarantKind, &'static str)> {
        prop_oneof![
            Just((
                DeclarantKind::OrganismeFormation,
                "Un organisme de formation"
            )),
            Just((DeclarantKind::Employeur, "Un employeur")),
        ]
    }

    proptest! {
        #[test]
        fn scope_and_deadline_follow_the_rules(
            (declarant, label) in declarant_strategy(),
            cat in 1_u8..=4,
            end_offset in 0_i64..1100,
            validity_delay in 0_i64..400,
        ) {
            let end = day(2025, 1, 1) + chrono::Duration::days(end_offset);
            let deadlines = rules();
            let from = deadlines.mandatory_from(declarant, cat).unwrap();
            let mut w = eligible(label, "Non");
            category(&mut w, cat);
            w.answer_date(end).unwrap();
            if end < from {
                prop_assert_eq!(w.current_id(), "pas_encore_obligatoire");
                let is_not_yet = matches!(outcome(&w), Outcome::PasEncoreObligatoire { from: f, .. } if f == from);
                prop_assert!(is_not_yet);
            } else {
                let validity = end + chrono::Duration::days(validity_delay);
                pick(&mut w, "Oui : justificatif");
                w.answer_date(validity).unwrap();
                pick(&mut w, "Non");
                pick(&mut w, "Non");
                match outcome(&w) {
                    Outcome::ADeclarer { reference_date: reference, due_date, kind, .. } => {
                        prop_assert_eq!(kind, DeclarationKind::Justificatif);
                        prop_assert_eq!(reference, reference_date(kind, end, Some(validity)));
                        prop_assert_eq!(due_date, deadlines.due_date(declarant, reference));
                    }
                    other => prop_assert!(false, "{:?}", other),
                }
                if validity_delay > 0 {
                    prop_assert!(w.back());
                    prop_assert!(w.back());
                    prop_assert!(w.back());
                    let too_early = w.answer_date(end - chrono::Duration::days(validity_delay));
                    let refused = matches!(too_early, Err(SimulatorError::DateTooEarly { .. }));
                    prop_assert!(refused);
                }
            }
        }
    }
}
