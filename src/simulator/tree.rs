//! The decision tree: parsed from `assets/simulator.toml`, then checked before any walk.
//!
//! The checker refuses a tree whose `start` node is missing or not a question, with a `next` to an
//! unknown node, a cycle, a node unreachable from `start`, a question with fewer than two answers,
//! or a node that needs a fact (declarant, category, dates…) some path to it never records.

use std::collections::{HashMap, VecDeque};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::{Facts, SIMULATOR_TOML};
use crate::domain::training::Catalogue;
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::rules::{RulesError, line_of, parse_toml};

/// Id of the node every walk starts from.
pub const START: &str = "start";

/// Name under which the embedded tree reports its errors.
const EMBEDDED_PATH: &str = "assets/simulator.toml";

/// Placeholders filled in the reason of a `pas_encore_obligatoire` outcome.
pub(super) const PLACEHOLDERS: [&str; 3] = ["{declarant}", "{categorie}", "{date}"];

/// Categories of the DGT classification (domain.md §1).
const CATEGORIES: std::ops::RangeInclusive<u8> = 1..=4;

/// A checked decision tree: build it with [`Tree::from_toml`] or [`Tree::embedded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub(super) nodes: Vec<Node>,
    pub(super) start: usize,
}

/// One node: its id, the line of its id in the file, and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Node {
    pub(super) id: String,
    pub(super) line: usize,
    pub(super) body: Body,
}

/// What a node does; every `next` is an index into [`Tree::nodes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Body {
    Question {
        text: String,
        help: String,
        source: String,
        answers: Vec<Answer>,
    },
    Date {
        text: String,
        help: String,
        source: String,
        fact: DateFact,
        not_before: Option<DateFact>,
        next: usize,
    },
    Check {
        check: CheckKind,
        pass: usize,
        fail: usize,
    },
    Outcome {
        source: String,
        outcome: OutcomeSpec,
    },
}

/// One answer of a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    pub(super) label: String,
    pub(super) next: usize,
    pub(super) set: SetFacts,
    /// A remark this answer adds to an *à déclarer* outcome reached through it.
    pub(super) note: Option<String>,
    /// Catalogue codes whose category this answer states (checked by [`Tree::check_catalogue`]).
    pub(super) codes: Vec<String>,
}

/// The outcome a node announces; dates and deadlines are filled in by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OutcomeSpec {
    ADeclarer { note: Option<String> },
    NonConcerne { reason: String },
    PasEncoreObligatoire { reason: String },
    AlimenteAutomatiquement { warning: String },
    AutreDeclarant { reason: String },
    AVerifier { note: Option<String> },
}

/// The automatic checks a `check` node can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum CheckKind {
    /// Is the category mandatory for this declarant on the training's end date? (For the
    /// employer standing in for an OF that has not declared, art. 7-II: the OF's scope.)
    Scope,
    /// Is the declaration a justificatif de réussite (`pass`) or an attestation (`fail`)?
    Justificatif,
}

/// The dates a `date` node can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DateFact {
    /// End date of the training.
    EndDate,
    /// Validity start of a justificatif de réussite.
    ValidityStart,
}

impl DateFact {
    pub(super) fn get(self, facts: &Facts) -> Option<NaiveDate> {
        match self {
            Self::EndDate => facts.end_date,
            Self::ValidityStart => facts.validity_start,
        }
    }

    pub(super) fn record(self, facts: &mut Facts, date: NaiveDate) {
        match self {
            Self::EndDate => facts.end_date = Some(date),
            Self::ValidityStart => facts.validity_start = Some(date),
        }
    }

    pub(super) fn fact(self) -> Fact {
        match self {
            Self::EndDate => Fact::EndDate,
            Self::ValidityStart => Fact::ValidityStart,
        }
    }
}

/// The facts a walk gathers, as bits for the checker's data-flow analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fact {
    Declarant,
    Category,
    Kind,
    Certifying,
    Funded,
    OfMissed,
    EndDate,
    ValidityStart,
    MandatoryFrom,
}

impl Fact {
    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// French name, used in error messages.
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Declarant => "le déclarant",
            Self::Category => "la catégorie",
            Self::Kind => "le type de déclaration",
            Self::Certifying => "le caractère certifiant",
            Self::Funded => "le financement",
            Self::OfMissed => "l'absence de déclaration de l'organisme de formation",
            Self::EndDate => "la date de fin de la formation",
            Self::ValidityStart => "la date de début de validité",
            Self::MandatoryFrom => "la date d'entrée en vigueur de l'obligation",
        }
    }
}

/// Facts an answer records when picked (`set = { … }`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetFacts {
    declarant: Option<DeclarantKind>,
    category: Option<u8>,
    kind: Option<DeclarationKind>,
    certifying: Option<bool>,
    funded: Option<bool>,
    of_missed: Option<bool>,
}

impl SetFacts {
    /// The declarant this answer records, if any.
    pub(super) fn declarant(&self) -> Option<DeclarantKind> {
        self.declarant
    }

    /// The category this answer records, if any.
    pub(super) fn category(&self) -> Option<u8> {
        self.category
    }

    /// The declaration kind this answer records, if any.
    pub(super) fn kind(&self) -> Option<DeclarationKind> {
        self.kind
    }

    /// True when the answer records no fact.
    pub(super) fn is_empty(&self) -> bool {
        self.mask() == 0
    }

    pub(super) fn apply(&self, facts: &mut Facts) {
        facts.declarant = self.declarant.or(facts.declarant);
        facts.category = self.category.or(facts.category);
        facts.kind = self.kind.or(facts.kind);
        facts.certifying = self.certifying.or(facts.certifying);
        facts.funded = self.funded.or(facts.funded);
        facts.of_missed = self.of_missed.or(facts.of_missed);
    }

    fn mask(&self) -> u16 {
        [
            (self.declarant.is_some(), Fact::Declarant),
            (self.category.is_some(), Fact::Category),
            (self.kind.is_some(), Fact::Kind),
            (self.certifying.is_some(), Fact::Certifying),
            (self.funded.is_some(), Fact::Funded),
            (self.of_missed.is_some(), Fact::OfMissed),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .fold(0, |mask, (_, fact)| mask | fact.bit())
    }
}

// ------------------------------------------------------------------------------- the file's shape

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTree {
    #[serde(default)]
    node: Vec<RawNode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NodeType {
    Question,
    Date,
    Check,
    Outcome,
}

impl NodeType {
    fn name(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Date => "date",
            Self::Check => "check",
            Self::Outcome => "outcome",
        }
    }

    /// Fields a node of this type may carry, besides `id` and `type`.
    fn allowed(self) -> &'static [&'static str] {
        match self {
            Self::Question => &["text", "help", "source", "answers"],
            Self::Date => &["text", "help", "source", "fact", "not_before", "next"],
            Self::Check => &["check", "pass", "fail"],
            Self::Outcome => &["outcome", "source", "reason", "warning", "note"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeKind {
    ADeclarer,
    NonConcerne,
    PasEncoreObligatoire,
    AlimenteAutomatiquement,
    AutreDeclarant,
    AVerifier,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    #[serde(rename = "type")]
    node_type: NodeType,
    text: Option<String>,
    help: Option<String>,
    source: Option<String>,
    answers: Option<Vec<RawAnswer>>,
    fact: Option<DateFact>,
    not_before: Option<DateFact>,
    next: Option<String>,
    check: Option<CheckKind>,
    pass: Option<String>,
    fail: Option<String>,
    outcome: Option<OutcomeKind>,
    reason: Option<String>,
    warning: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    label: String,
    next: String,
    #[serde(default)]
    set: SetFacts,
    note: Option<String>,
    #[serde(default)]
    codes: Vec<String>,
}

impl RawNode {
    fn present(&self) -> Vec<&'static str> {
        [
            ("text", self.text.is_some()),
            ("help", self.help.is_some()),
            ("source", self.source.is_some()),
            ("answers", self.answers.is_some()),
            ("fact", self.fact.is_some()),
            ("not_before", self.not_before.is_some()),
            ("next", self.next.is_some()),
            ("check", self.check.is_some()),
            ("pass", self.pass.is_some()),
            ("fail", self.fail.is_some()),
            ("outcome", self.outcome.is_some()),
            ("reason", self.reason.is_some()),
            ("warning", self.warning.is_some()),
            ("note", self.note.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

// ------------------------------------------------------------------------------------ the checker

/// A problem found in one node, before it is turned into a [`RulesError`].
type Problem = String;

/// Builds the errors of one file.
struct Report<'a> {
    path: &'a str,
}

impl Report<'_> {
    fn node(&self, id: &str, line: usize, problem: impl std::fmt::Display) -> RulesError {
        RulesError::Invalid {
            path: self.path.to_owned(),
            message: format!("nœud « {id} » (ligne {line}) : {problem}"),
        }
    }

    fn tree(&self, problem: impl Into<String>) -> RulesError {
        RulesError::Invalid {
            path: self.path.to_owned(),
            message: problem.into(),
        }
    }
}

/// A node whose `next` links are still ids.
struct Pending {
    id: String,
    line: usize,
    body: PendingBody,
}

enum PendingBody {
    Question {
        text: String,
        help: String,
        source: String,
        answers: Vec<RawAnswer>,
    },
    Date {
        text: String,
        help: String,
        source: String,
        fact: DateFact,
        not_before: Option<DateFact>,
        next: String,
    },
    Check {
        check: CheckKind,
        pass: String,
        fail: String,
    },
    Outcome {
        source: String,
        outcome: OutcomeSpec,
    },
}

fn required(value: Option<String>, field: &str) -> Result<String, Problem> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(format!("le champ « {field} » est vide")),
        None => Err(format!("le champ « {field} » est obligatoire")),
    }
}

fn required_source(value: Option<String>) -> Result<String, Problem> {
    let source = required(value, "source")?;
    if source.starts_with("https://") || source.starts_with("http://") {
        Ok(source)
    } else {
        Err(format!(
            "la source « {source} » doit être une adresse web (https://…)"
        ))
    }
}

/// Every `{…}` of a `pas_encore_obligatoire` reason must be a known placeholder.
fn check_placeholders(reason: &str) -> Result<(), Problem> {
    let mut rest = reason;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            return Err("accolade « { » non refermée dans « reason »".to_owned());
        };
        let token = &after[..=close];
        if !PLACEHOLDERS.contains(&token) {
            return Err(format!(
                "« {token} » est inconnu dans « reason » : seuls {} sont remplacés",
                PLACEHOLDERS.join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

fn shape(raw: RawNode) -> Result<PendingBody, Problem> {
    let allowed = raw.node_type.allowed();
    if let Some(extra) = raw.present().into_iter().find(|f| !allowed.contains(f)) {
        return Err(format!(
            "le champ « {extra} » n'a pas de sens pour un nœud de type « {} »",
            raw.node_type.name()
        ));
    }
    match raw.node_type {
        NodeType::Question => {
            let text = required(raw.text, "text")?;
            let help = required(raw.help, "help")?;
            let source = required_source(raw.source)?;
            let answers = raw.answers.unwrap_or_default();
            if answers.len() < 2 {
                return Err(format!(
                    "une question doit proposer au moins deux réponses ; celle-ci en a {}",
                    answers.len()
                ));
            }
            for (i, answer) in answers.iter().enumerate() {
                if answer.label.trim().is_empty() {
                    return Err(format!("la réponse n° {} n'a pas de libellé", i + 1));
                }
                if answer.note.as_ref().is_some_and(|n| n.trim().is_empty()) {
                    return Err(format!("la réponse « {} » a une note vide", answer.label));
                }
                if let Some(category) = answer.set.category
                    && !CATEGORIES.contains(&category)
                {
                    return Err(format!(
                        "la réponse « {} » fixe la catégorie {category} : seules les catégories 1 à 4 existent",
                        answer.label
                    ));
                }
            }
            Ok(PendingBody::Question {
                text,
                help,
                source,
                answers,
            })
        }
        NodeType::Date => Ok(PendingBody::Date {
            text: required(raw.text, "text")?,
            help: required(raw.help, "help")?,
            source: required_source(raw.source)?,
            fact: raw.fact.ok_or("le champ « fact » est obligatoire")?,
            not_before: raw.not_before,
            next: required(raw.next, "next")?,
        }),
        NodeType::Check => Ok(PendingBody::Check {
            check: raw.check.ok_or("le champ « check » est obligatoire")?,
            pass: required(raw.pass, "pass")?,
            fail: required(raw.fail, "fail")?,
        }),
        NodeType::Outcome => {
            let source = required_source(raw.source)?;
            let kind = raw.outcome.ok_or("le champ « outcome » est obligatoire")?;
            let (reason, warning, note) = (raw.reason, raw.warning, raw.note);
            if !matches!(kind, OutcomeKind::ADeclarer | OutcomeKind::AVerifier) {
                forbid(&note, "note", kind)?;
            }
            let outcome = match kind {
                OutcomeKind::ADeclarer => {
                    forbid(&reason, "reason", kind)?;
                    forbid(&warning, "warning", kind)?;
                    OutcomeSpec::ADeclarer {
                        note: non_empty(note, "note")?,
                    }
                }
                OutcomeKind::NonConcerne => {
                    forbid(&warning, "warning", kind)?;
                    OutcomeSpec::NonConcerne {
                        reason: required(reason, "reason")?,
                    }
                }
                OutcomeKind::PasEncoreObligatoire => {
                    forbid(&warning, "warning", kind)?;
                    let reason = required(reason, "reason")?;
                    check_placeholders(&reason)?;
                    OutcomeSpec::PasEncoreObligatoire { reason }
                }
                OutcomeKind::AlimenteAutomatiquement => {
                    forbid(&reason, "reason", kind)?;
                    OutcomeSpec::AlimenteAutomatiquement {
                        warning: required(warning, "warning")?,
                    }
                }
                OutcomeKind::AutreDeclarant => {
                    forbid(&warning, "warning", kind)?;
                    OutcomeSpec::AutreDeclarant {
                        reason: required(reason, "reason")?,
                    }
                }
                OutcomeKind::AVerifier => {
                    forbid(&reason, "reason", kind)?;
                    forbid(&warning, "warning", kind)?;
                    OutcomeSpec::AVerifier {
                        note: non_empty(note, "note")?,
                    }
                }
            };
            Ok(PendingBody::Outcome { source, outcome })
        }
    }
}

/// An optional text field: absent is fine, present but blank is not.
fn non_empty(value: Option<String>, field: &str) -> Result<Option<String>, Problem> {
    value.map(|v| required(Some(v), field)).transpose()
}

fn forbid(value: &Option<String>, field: &str, kind: OutcomeKind) -> Result<(), Problem> {
    let name = match kind {
        OutcomeKind::ADeclarer => "a_declarer",
        OutcomeKind::NonConcerne => "non_concerne",
        OutcomeKind::PasEncoreObligatoire => "pas_encore_obligatoire",
        OutcomeKind::AlimenteAutomatiquement => "alimente_automatiquement",
        OutcomeKind::AutreDeclarant => "autre_declarant",
        OutcomeKind::AVerifier => "a_verifier",
    };
    match value {
        Some(_) => Err(format!(
            "le champ « {field} » n'a pas de sens pour un résultat « {name} »"
        )),
        None => Ok(()),
    }
}

impl Node {
    /// Each successor with the facts the edge to it records.
    fn edges(&self) -> Vec<(usize, u16)> {
        match &self.body {
            Body::Question { answers, .. } => {
                answers.iter().map(|a| (a.next, a.set.mask())).collect()
            }
            Body::Date { fact, next, .. } => vec![(*next, fact.fact().bit())],
            Body::Check {
                check: CheckKind::Scope,
                pass,
                fail,
            } => vec![(*pass, 0), (*fail, Fact::MandatoryFrom.bit())],
            Body::Check {
                check: CheckKind::Justificatif,
                pass,
                fail,
            } => vec![(*pass, 0), (*fail, 0)],
            Body::Outcome { .. } => Vec::new(),
        }
    }

    /// Facts this node needs on every path that reaches it.
    fn needs(&self) -> &'static [Fact] {
        match &self.body {
            Body::Question { .. } => &[],
            Body::Date {
                not_before: None, ..
            } => &[],
            Body::Date {
                not_before: Some(DateFact::EndDate),
                ..
            } => &[Fact::EndDate],
            Body::Date {
                not_before: Some(DateFact::ValidityStart),
                ..
            } => &[Fact::ValidityStart],
            Body::Check {
                check: CheckKind::Scope,
                ..
            } => &[Fact::Declarant, Fact::Category, Fact::EndDate],
            Body::Check {
                check: CheckKind::Justificatif,
                ..
            } => &[Fact::Kind],
            Body::Outcome { outcome, .. } => match outcome {
                OutcomeSpec::ADeclarer { .. } => &[Fact::Declarant, Fact::Kind, Fact::EndDate],
                OutcomeSpec::PasEncoreObligatoire { .. } => {
                    &[Fact::Declarant, Fact::Category, Fact::MandatoryFrom]
                }
                OutcomeSpec::AVerifier { .. } => &[Fact::EndDate],
                OutcomeSpec::NonConcerne { .. }
                | OutcomeSpec::AlimenteAutomatiquement { .. }
                | OutcomeSpec::AutreDeclarant { .. } => &[],
            },
        }
    }
}

/// Either the nodes in topological order, or a cycle (first node repeated at the end).
fn topological_order(nodes: &[Node]) -> Result<Vec<usize>, Vec<usize>> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let successors: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| n.edges().into_iter().map(|(next, _)| next).collect())
        .collect();
    let mut colour = vec![WHITE; nodes.len()];
    let mut post_order = Vec::with_capacity(nodes.len());
    for root in 0..nodes.len() {
        if colour[root] != WHITE {
            continue;
        }
        colour[root] = GREY;
        let mut stack = vec![(root, 0_usize)];
        while let Some(&(node, i)) = stack.last() {
            match successors[node].get(i) {
                Some(&next) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match colour[next] {
                        WHITE => {
                            colour[next] = GREY;
                            stack.push((next, 0));
                        }
                        GREY => {
                            let from = stack.iter().position(|&(n, _)| n == next).unwrap_or(0);
                            let mut cycle: Vec<usize> =
                                stack[from..].iter().map(|&(n, _)| n).collect();
                            cycle.push(next);
                            return Err(cycle);
                        }
                        _ => {}
                    }
                }
                None => {
                    colour[node] = BLACK;
                    post_order.push(node);
                    stack.pop();
                }
            }
        }
    }
    post_order.reverse();
    Ok(post_order)
}

impl Tree {
    /// Parses and checks a tree; errors name the file and the node id (with its line).
    pub fn from_toml(path: &str, text: &str) -> Result<Self, RulesError> {
        let raw: RawTree = parse_toml(path, text)?;
        let report = Report { path };

        let mut pending: Vec<Pending> = Vec::with_capacity(raw.node.len());
        let mut index: HashMap<String, usize> = HashMap::new();
        for node in raw.node {
            let line = line_of(text, node.id.span().start);
            let id = node.id.get_ref().clone();
            if id.trim().is_empty() {
                return Err(report.node(&id, line, "l'identifiant est vide"));
            }
            if let Some(&first) = index.get(&id) {
                let earlier = pending[first].line;
                return Err(report.node(
                    &id,
                    line,
                    format!("identifiant déjà utilisé ligne {earlier}"),
                ));
            }
            let body = shape(node).map_err(|problem| report.node(&id, line, problem))?;
            index.insert(id.clone(), pending.len());
            pending.push(Pending { id, line, body });
        }

        let start = *index.get(START).ok_or_else(|| {
            report.tree(format!(
                "aucun nœud « {START} » : l'arbre n'a pas de point de départ"
            ))
        })?;
        if !matches!(pending[start].body, PendingBody::Question { .. }) {
            return Err(report.node(
                START,
                pending[start].line,
                "le nœud de départ doit être une question",
            ));
        }

        let nodes = pending
            .into_iter()
            .map(|p| resolve(p, &index, &report))
            .collect::<Result<Vec<_>, _>>()?;
        let tree = Self { nodes, start };
        tree.check_graph(&report)?;
        Ok(tree)
    }

    /// The tree embedded in the binary (`assets/simulator.toml`).
    pub fn embedded() -> Result<Self, RulesError> {
        Self::from_toml(EMBEDDED_PATH, SIMULATOR_TOML)
    }

    /// Every answer that names catalogue codes (`codes`) must state their category as the
    /// catalogue does, and show its confidence label ([C], [S], [T] or [I]) in its text, so that an
    /// inferred category is never shown as a fact (audit 2026-12 §1, S-3); an answer naming codes
    /// without setting a category excludes them, and the catalogue must exclude them too. A code
    /// is named by one answer at most, so that a session's training type picks one answer.
    pub fn check_catalogue(&self, path: &str, catalogue: &Catalogue) -> Result<(), RulesError> {
        let report = Report { path };
        let mut named: HashMap<&str, &str> = HashMap::new();
        for node in &self.nodes {
            let Body::Question { answers, .. } = &node.body else {
                continue;
            };
            for answer in answers {
                for code in &answer.codes {
                    if let Some(other) = named.insert(code, &answer.label) {
                        return Err(report.node(
                            &node.id,
                            node.line,
                            format!("« {code} » est déjà cité par la réponse « {other} »"),
                        ));
                    }
                    let problem = match catalogue.get(code) {
                        None => Some(format!(
                            "la réponse « {} » cite « {code} », absent du catalogue",
                            answer.label
                        )),
                        // An answer without a category excludes the training: so must the catalogue.
                        Some(t) if answer.set.category.is_none() => t.exclusion.is_none().then(|| {
                            format!(
                                "la réponse « {} » exclut « {code} », que le catalogue n'exclut pas",
                                answer.label
                            )
                        }),
                        Some(t) if answer.set.category != Some(t.category.get()) => Some(format!(
                            "la réponse « {} » range « {code} » en catégorie {:?}, le catalogue en {}",
                            answer.label,
                            answer.set.category.unwrap_or_default(),
                            t.category.get()
                        )),
                        Some(t) if !answer.label.contains(t.category_confidence.tag()) => {
                            Some(format!(
                                "la réponse « {} » doit montrer l'étiquette {} de la catégorie de « {code} »",
                                answer.label,
                                t.category_confidence.tag()
                            ))
                        }
                        Some(_) => None,
                    };
                    if let Some(problem) = problem {
                        return Err(report.node(&node.id, node.line, problem));
                    }
                }
            }
        }
        Ok(())
    }

    /// Why the tree rules out the catalogue type `code`: the `non_concerne` outcome reached by
    /// the answer that names it (`codes`), as (node id, reason, source).
    pub fn exclusion_of(&self, code: &str) -> Option<(&str, &str, &str)> {
        self.nodes.iter().find_map(|node| {
            let Body::Question { answers, .. } = &node.body else {
                return None;
            };
            let answer = answers.iter().find(|a| a.codes.iter().any(|c| c == code))?;
            let target = self.nodes.get(answer.next)?;
            match &target.body {
                Body::Outcome {
                    source,
                    outcome: OutcomeSpec::NonConcerne { reason },
                } => Some((target.id.as_str(), reason.as_str(), source.as_str())),
                _ => None,
            }
        })
    }

    /// No cycle, every node reachable, every needed fact recorded on every path.
    fn check_graph(&self, report: &Report<'_>) -> Result<(), RulesError> {
        let order = topological_order(&self.nodes).map_err(|cycle| {
            let ids: Vec<&str> = cycle.iter().map(|&n| self.nodes[n].id.as_str()).collect();
            let first = &self.nodes[cycle[0]];
            report.node(
                &first.id,
                first.line,
                format!("cycle : {}", ids.join(" → ")),
            )
        })?;

        let mut reached = vec![false; self.nodes.len()];
        let mut queue = VecDeque::from([self.start]);
        reached[self.start] = true;
        while let Some(node) = queue.pop_front() {
            for (next, _) in self.nodes[node].edges() {
                if !reached[next] {
                    reached[next] = true;
                    queue.push_back(next);
                }
            }
        }
        if let Some(lost) = self
            .nodes
            .iter()
            .zip(&reached)
            .find_map(|(n, &r)| (!r).then_some(n))
        {
            return Err(report.node(
                &lost.id,
                lost.line,
                format!("inaccessible depuis « {START} »"),
            ));
        }

        // Facts recorded on every path from start: intersect over the incoming edges.
        let mut known: Vec<Option<u16>> = vec![None; self.nodes.len()];
        known[self.start] = Some(0);
        for node in order {
            let here = known[node].unwrap_or(0);
            let n = &self.nodes[node];
            if let Some(missing) = n.needs().iter().find(|f| here & f.bit() == 0) {
                return Err(report.node(
                    &n.id,
                    n.line,
                    format!(
                        "{} manque sur au moins un chemin qui y mène",
                        missing.label()
                    ),
                ));
            }
            for (next, recorded) in n.edges() {
                let along = here | recorded;
                known[next] = Some(known[next].map_or(along, |k| k & along));
            }
        }
        Ok(())
    }
}

fn resolve(
    p: Pending,
    index: &HashMap<String, usize>,
    report: &Report<'_>,
) -> Result<Node, RulesError> {
    let link = |next: &str, what: String| {
        index.get(next).copied().ok_or_else(|| {
            report.node(
                &p.id,
                p.line,
                format!("{what} mène à « {next} », qui n'existe pas"),
            )
        })
    };
    let body = match p.body {
        PendingBody::Question {
            text,
            help,
            source,
            answers,
        } => {
            let answers = answers
                .into_iter()
                .map(|a| {
                    Ok(Answer {
                        next: link(&a.next, format!("la réponse « {} »", a.label))?,
                        label: a.label,
                        set: a.set,
                        note: a.note,
                        codes: a.codes,
                    })
                })
                .collect::<Result<Vec<_>, RulesError>>()?;
            Body::Question {
                text,
                help,
                source,
                answers,
            }
        }
        PendingBody::Date {
            text,
            help,
            source,
            fact,
            not_before,
            next,
        } => {
            let next = link(&next, "le champ « next »".to_owned())?;
            Body::Date {
                text,
                help,
                source,
                fact,
                not_before,
                next,
            }
        }
        PendingBody::Check { check, pass, fail } => Body::Check {
            check,
            pass: link(&pass, "le champ « pass »".to_owned())?,
            fail: link(&fail, "le champ « fail »".to_owned())?,
        },
        PendingBody::Outcome { source, outcome } => Body::Outcome { source, outcome },
    };
    Ok(Node {
        id: p.id,
        line: p.line,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid tree, edited by each test to break one rule.
    const SMALL: &str = r#"
[[node]]
id = "start"
type = "question"
text = "Qui déclare ?"
help = "aide"
source = "https://example.org/a"

[[node.answers]]
label = "OF"
next = "fin"
set = { declarant = "organisme_formation" }

[[node.answers]]
label = "Employeur"
next = "autre"
set = { declarant = "employeur" }

[[node]]
id = "autre"
type = "outcome"
outcome = "non_concerne"
reason = "raison"
source = "https://example.org/b"

[[node]]
id = "fin"
type = "outcome"
outcome = "alimente_automatiquement"
warning = "attention"
source = "https://example.org/c"
"#;

    fn invalid(text: &str) -> String {
        match Tree::from_toml("t.toml", text) {
            Err(RulesError::Invalid { path, message }) => {
                assert_eq!(path, "t.toml");
                message
            }
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn small_tree_is_valid() {
        let tree = Tree::from_toml("t.toml", SMALL).unwrap();
        assert_eq!(tree.nodes.len(), 3);
        assert_eq!(tree.nodes[tree.start].id, "start");
    }

    #[test]
    fn embedded_tree_is_valid() {
        let tree = Tree::embedded().unwrap();
        assert_eq!(tree.nodes[tree.start].id, START);
    }

    #[test]
    fn embedded_tree_states_the_catalogue_categories_with_their_labels() {
        let tree = Tree::embedded().unwrap();
        let catalogue = Catalogue::embedded().unwrap();
        tree.check_catalogue(EMBEDDED_PATH, &catalogue).unwrap();
        let named: usize = tree
            .nodes
            .iter()
            .filter_map(|n| match &n.body {
                Body::Question { answers, .. } => {
                    Some(answers.iter().map(|a| a.codes.len()).sum::<usize>())
                }
                _ => None,
            })
            .sum();
        assert!(named >= 20, "only {named} catalogue codes named");
    }

    #[test]
    fn a_category_unlike_the_catalogue_or_without_its_label_is_refused() {
        let catalogue = Catalogue::embedded().unwrap();
        let with = |label: &str, category: u8| {
            SMALL.replace(
                "label = \"Employeur\"\nnext = \"autre\"\nset = { declarant = \"employeur\" }",
                &format!(
                    "label = \"{label}\"\nnext = \"autre\"\nset = {{ category = {category} }}\ncodes = [\"SST\"]"
                ),
            )
        };
        let check = |text: &str| {
            Tree::from_toml("t.toml", text)
                .unwrap()
                .check_catalogue("t.toml", &catalogue)
        };
        assert!(check(&with("SST : catégorie 3 [I]", 3)).is_ok());
        let wrong = check(&with("SST : catégorie 2 [I]", 2))
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("le catalogue en 3"), "{wrong}");
        let unlabelled = check(&with("SST : catégorie 3", 3))
            .unwrap_err()
            .to_string();
        assert!(unlabelled.contains("l'étiquette [I]"), "{unlabelled}");
        let unknown = check(&with("XYZ [I]", 3).replace("\"SST\"", "\"XYZ\""))
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("absent du catalogue"), "{unknown}");
    }

    #[test]
    fn dangling_next_is_refused_naming_node_and_target() {
        let message = invalid(&SMALL.replace("next = \"autre\"", "next = \"nulle_part\""));
        assert!(message.contains("« start »"), "{message}");
        assert!(
            message.contains("« nulle_part », qui n'existe pas"),
            "{message}"
        );
        assert!(message.contains("ligne 3"), "{message}");
    }

    #[test]
    fn cycle_is_refused() {
        let text = SMALL.replace(
            "[[node]]\nid = \"autre\"\ntype = \"outcome\"\noutcome = \"non_concerne\"\nreason = \"raison\"\nsource = \"https://example.org/b\"\n",
            "[[node]]\nid = \"autre\"\ntype = \"question\"\ntext = \"Encore ?\"\nhelp = \"aide\"\nsource = \"https://example.org/b\"\n\n[[node.answers]]\nlabel = \"Retour\"\nnext = \"start\"\n\n[[node.answers]]\nlabel = \"Fin\"\nnext = \"fin\"\n",
        );
        let message = invalid(&text);
        assert!(
            message.contains("cycle : start → autre → start"),
            "{message}"
        );
    }

    #[test]
    fn unreachable_node_is_refused() {
        let text = format!(
            "{SMALL}\n[[node]]\nid = \"orphelin\"\ntype = \"outcome\"\noutcome = \"a_declarer\"\nsource = \"https://example.org/d\"\n"
        );
        let message = invalid(&text);
        assert!(message.contains("« orphelin »"), "{message}");
        assert!(
            message.contains("inaccessible depuis « start »"),
            "{message}"
        );
    }

    #[test]
    fn missing_start_is_refused() {
        let message = invalid(&SMALL.replace("id = \"start\"", "id = \"debut\""));
        assert!(message.contains("aucun nœud « start »"), "{message}");
    }

    #[test]
    fn start_must_be_a_question() {
        let text = SMALL
            .replace("id = \"start\"", "id = \"q\"")
            .replace("id = \"fin\"", "id = \"start\"")
            .replace("next = \"fin\"", "next = \"start\"");
        let message = invalid(&text);
        assert!(message.contains("doit être une question"), "{message}");
    }

    #[test]
    fn question_with_one_answer_is_refused() {
        let text = SMALL.replace(
            "[[node.answers]]\nlabel = \"Employeur\"\nnext = \"autre\"\nset = { declarant = \"employeur\" }\n",
            "",
        );
        let message = invalid(&text);
        assert!(message.contains("au moins deux réponses"), "{message}");
    }

    #[test]
    fn duplicate_id_is_refused_with_both_lines() {
        let message = invalid(&SMALL.replace("id = \"fin\"", "id = \"autre\""));
        assert!(message.contains("« autre »"), "{message}");
        assert!(message.contains("déjà utilisé ligne"), "{message}");
    }

    #[test]
    fn field_of_another_type_is_refused() {
        let message =
            invalid(&SMALL.replace("reason = \"raison\"", "reason = \"raison\"\nnext = \"fin\""));
        assert!(
            message.contains("« next » n'a pas de sens pour un nœud de type « outcome »"),
            "{message}"
        );
    }

    #[test]
    fn missing_reason_is_refused() {
        let message = invalid(&SMALL.replace("reason = \"raison\"\n", ""));
        assert!(message.contains("« autre »"), "{message}");
        assert!(message.contains("« reason » est obligatoire"), "{message}");
    }

    #[test]
    fn source_must_be_an_address() {
        let message = invalid(&SMALL.replace("https://example.org/b", "décret"));
        assert!(message.contains("adresse web"), "{message}");
    }

    #[test]
    fn unknown_category_is_refused() {
        let message = invalid(&SMALL.replace("declarant = \"employeur\"", "category = 5"));
        assert!(message.contains("catégorie 5"), "{message}");
    }

    #[test]
    fn outcome_needing_a_fact_no_path_records_is_refused() {
        let message = invalid(&SMALL.replace(
            "outcome = \"alimente_automatiquement\"\nwarning = \"attention\"",
            "outcome = \"a_declarer\"",
        ));
        assert!(message.contains("« fin »"), "{message}");
        assert!(
            message.contains("le type de déclaration manque"),
            "{message}"
        );
    }

    #[test]
    fn fact_recorded_on_only_one_path_is_not_enough() {
        let text = r#"
[[node]]
id = "start"
type = "question"
text = "Q"
help = "h"
source = "https://example.org/a"
[[node.answers]]
label = "Avec date"
next = "date"
[[node.answers]]
label = "Sans date"
next = "scope"
set = { declarant = "employeur", category = 1 }

[[node]]
id = "date"
type = "date"
text = "Date de fin de la formation ?"
help = "h"
source = "https://example.org/b"
fact = "end_date"
next = "scope"

[[node]]
id = "scope"
type = "check"
check = "scope"
pass = "fin"
fail = "fin"

[[node]]
id = "fin"
type = "outcome"
outcome = "non_concerne"
reason = "r"
source = "https://example.org/c"
"#;
        let message = invalid(text);
        assert!(message.contains("« scope »"), "{message}");
        assert!(message.contains("le déclarant manque"), "{message}");
    }

    #[test]
    fn unknown_placeholder_is_refused() {
        let text = SMALL
            .replace(
                "outcome = \"non_concerne\"",
                "outcome = \"pas_encore_obligatoire\"",
            )
            .replace("reason = \"raison\"", "reason = \"à partir du {jour}\"");
        let message = invalid(&text);
        assert!(message.contains("« {jour} » est inconnu"), "{message}");
    }

    #[test]
    fn syntax_error_reports_the_line() {
        let err = Tree::from_toml(
            "t.toml",
            &SMALL.replace("type = \"outcome\"", "type = \"fin\""),
        )
        .unwrap_err();
        match err {
            RulesError::Syntax { line, .. } => assert!(line > 1),
            other => panic!("expected Syntax, got {other:?}"),
        }
    }

    #[test]
    fn unknown_field_is_a_syntax_error() {
        let err = Tree::from_toml(
            "t.toml",
            &SMALL.replace("help = \"aide\"", "aide = \"aide\""),
        )
        .unwrap_err();
        match err {
            RulesError::Syntax { line, message, .. } => {
                assert_eq!(line, 6, "{message}");
                assert!(message.contains("aide"), "{message}");
            }
            other => panic!("expected Syntax, got {other:?}"),
        }
    }
}
