//! Every path of the simulator tree (`assets/simulator.toml`), checked against the table of expected
//! outcomes `tests/fixtures/simulator_paths.toml`, which states each rule with its source
//! independently of the tree (issue 12, « done when »).
//!
//! The walker takes every answer of every question and, at each date step, every date of the
//! table's `dates` the step accepts. Each leaf path must match an entry of the table (the first
//! that matches decides): a path no entry matches fails the test, and so does an entry no path
//! uses (a stale rule). For an *à déclarer* outcome the due date is looked up in the table's
//! `[[due]]` examples by declarant and reference date, with the source of the deadline rule.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::simulator::{Outcome, SimulatorError, Step, Tree, Walk};
use serde::Deserialize;

const TABLE: &str = include_str!("fixtures/simulator_paths.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    dates: Vec<NaiveDate>,
    sources: BTreeMap<String, String>,
    due: Vec<DueExample>,
    verify: Vec<VerifyExample>,
    path: Vec<Expected>,
    note: Vec<NoteRule>,
}

/// A note some paths carry to their outcome: which paths, and a text the note contains.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteRule {
    #[serde(default)]
    via: Vec<String>,
    /// Only on this outcome node.
    outcome: Option<String>,
    text: String,
    #[serde(rename = "why")]
    _why: String,
}

/// A dated example of the employer's verification window (art. 7-I).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyExample {
    reference: NaiveDate,
    until: NaiveDate,
    source: String,
}

/// A dated deadline example: what a declarant owes for a reference date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DueExample {
    declarant: DeclarantKind,
    /// The employer stands in for an OF that has not declared (art. 7-II).
    #[serde(default)]
    of_missed: bool,
    reference: NaiveDate,
    due: NaiveDate,
    source: String,
}

/// One rule of the table: which paths it covers, and the outcome they must reach.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// `node=answer`: the path answered `node` with an answer starting with `answer`.
    #[serde(default)]
    via: Vec<String>,
    /// `node`: the path did not pass through `node` (or not with that answer, for `node=answer`).
    #[serde(default)]
    not_via: Vec<String>,
    declarant: Option<DeclarantKind>,
    category: Option<Vec<u8>>,
    kind: Option<DeclarationKind>,
    /// The training ended before this date.
    end_before: Option<NaiveDate>,
    /// The training ended on or after this date.
    end_from: Option<NaiveDate>,
    /// The outcome node reached.
    outcome: String,
    /// For « pas encore obligatoire »: the date the obligation starts.
    from: Option<NaiveDate>,
    /// For « pas encore obligatoire »: key of `[sources]` the scope rule cites.
    scope_source: Option<String>,
    /// Key of `[sources]`: the source the outcome must cite.
    source: String,
    /// Why, for the reviewer.
    #[serde(rename = "why")]
    _why: String,
}

/// A leaf path: its steps and where it ended.
struct Leaf {
    steps: Vec<(String, String)>,
    node: String,
    source: Option<String>,
    facts: passeport::simulator::Facts,
    outcome: Outcome,
}

impl Leaf {
    fn describe(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|(node, answer)| format!("{node}={answer}"))
            .collect();
        format!("{} → {}", steps.join(" › "), self.node)
    }

    fn answered(&self, pattern: &str) -> bool {
        match pattern.split_once('=') {
            Some((node, answer)) => self
                .steps
                .iter()
                .any(|(n, a)| n == node && a.starts_with(answer)),
            None => self.steps.iter().any(|(n, _)| n == pattern),
        }
    }
}

impl Expected {
    fn matches(&self, leaf: &Leaf) -> bool {
        let facts = &leaf.facts;
        let end = facts.end_date;
        self.via.iter().all(|p| leaf.answered(p))
            && !self.not_via.iter().any(|p| leaf.answered(p))
            && self.declarant.is_none_or(|d| facts.declarant == Some(d))
            && self
                .category
                .as_ref()
                .is_none_or(|c| facts.category.is_some_and(|f| c.contains(&f)))
            && self.kind.is_none_or(|k| facts.kind == Some(k))
            && self.end_before.is_none_or(|d| end.is_some_and(|e| e < d))
            && self.end_from.is_none_or(|d| end.is_some_and(|e| e >= d))
    }
}

fn walk_all(walk: Walk, dates: &[NaiveDate], leaves: &mut Vec<Leaf>) {
    match walk.current() {
        Step::Outcome(outcome) => leaves.push(Leaf {
            steps: walk
                .trail()
                .into_iter()
                .map(|(node, answer)| (node.to_owned(), answer))
                .collect(),
            node: walk.current_id().to_owned(),
            source: walk.source().map(str::to_owned),
            facts: *walk.facts(),
            outcome,
        }),
        Step::Question { answers, .. } => {
            for index in 0..answers.len() {
                let mut next = walk.clone();
                next.answer(index).expect("an offered answer is accepted");
                walk_all(next, dates, leaves);
            }
        }
        Step::Date { id, .. } => {
            let mut accepted = 0;
            for &date in dates {
                let mut next = walk.clone();
                match next.answer_date(date) {
                    Ok(()) => {
                        accepted += 1;
                        walk_all(next, dates, leaves);
                    }
                    Err(SimulatorError::DateTooEarly { .. }) => {}
                    Err(other) => panic!("{id}: {other}"),
                }
            }
            assert!(accepted > 0, "no date of the table is accepted at {id}");
        }
    }
}

fn source_of<'a>(table: &'a Table, key: &str) -> &'a str {
    table
        .sources
        .get(key)
        .unwrap_or_else(|| panic!("unknown source key « {key} »"))
}

impl NoteRule {
    fn matches(&self, leaf: &Leaf) -> bool {
        self.via.iter().all(|p| leaf.answered(p))
            && self.outcome.as_ref().is_none_or(|o| *o == leaf.node)
    }
}

/// The notes must be those of the `[[note]]` rules matching the path, in the table's order.
fn check_notes(leaf: &Leaf, notes: &[String], table: &Table) -> Option<String> {
    let expected: Vec<&str> = table
        .note
        .iter()
        .filter(|n| n.matches(leaf))
        .map(|n| n.text.as_str())
        .collect();
    let same =
        notes.len() == expected.len() && notes.iter().zip(&expected).all(|(n, e)| n.contains(e));
    (!same).then(|| format!("notes {notes:?}, expected {expected:?}"))
}

/// What is wrong with `leaf` under `rule`, if anything.
fn check(leaf: &Leaf, rule: &Expected, table: &Table) -> Option<String> {
    let source = source_of(table, &rule.source);
    if leaf.node != rule.outcome {
        return Some(format!("reached {}, expected {}", leaf.node, rule.outcome));
    }
    if leaf.source.as_deref() != Some(source) {
        return Some(format!("cites {:?}, expected {source}", leaf.source));
    }
    match &leaf.outcome {
        Outcome::PasEncoreObligatoire {
            from, scope_source, ..
        } => {
            if rule.from != Some(*from) {
                return Some(format!("from {from}, expected {:?}", rule.from));
            }
            let expected = rule.scope_source.as_ref().map(|key| source_of(table, key));
            let cited = scope_source.as_ref().map(|c| c.source.as_str());
            (cited != expected).then(|| format!("scope cites {cited:?}, expected {expected:?}"))
        }
        Outcome::ADeclarer {
            declarant,
            reference_date,
            due_date,
            due_source,
            notes,
            ..
        } => {
            let missed = leaf.facts.of_missed == Some(true);
            let example = table.due.iter().find(|d| {
                d.declarant == *declarant && d.reference == *reference_date && d.of_missed == missed
            });
            let Some(example) = example else {
                return Some(format!(
                    "no [[due]] example for {declarant:?} on {reference_date}"
                ));
            };
            let due_cited = Some(source_of(table, &example.source));
            if *due_date != Some(example.due) {
                return Some(format!("due {due_date:?}, expected {}", example.due));
            }
            if due_source.as_ref().map(|c| c.source.as_str()) != due_cited {
                return Some(format!(
                    "deadline cites {due_source:?}, expected {due_cited:?}"
                ));
            }
            check_notes(leaf, notes, table)
        }
        Outcome::AVerifier {
            reference_date,
            until,
            until_source,
            notes,
        } => {
            let Some(example) = table.verify.iter().find(|v| v.reference == *reference_date) else {
                return Some(format!("no [[verify]] example for {reference_date}"));
            };
            if *until != Some(example.until) {
                return Some(format!("until {until:?}, expected {}", example.until));
            }
            let cited = until_source.as_ref().map(|c| c.source.as_str());
            if cited != Some(source_of(table, &example.source)) {
                return Some(format!("verification cites {cited:?}"));
            }
            check_notes(leaf, notes, table)
        }
        Outcome::NonConcerne { .. }
        | Outcome::AlimenteAutomatiquement { .. }
        | Outcome::AutreDeclarant { .. } => None,
    }
}

#[test]
fn every_path_of_the_simulator_reaches_the_outcome_the_table_expects() {
    let table: Table = toml::from_str(TABLE).expect("the table parses");
    let tree = Arc::new(Tree::embedded().expect("the embedded tree is valid"));
    let deadlines = Arc::new(DeadlineRules::embedded().expect("the embedded deadlines are valid"));
    let mut leaves = Vec::new();
    walk_all(Walk::new(tree, deadlines), &table.dates, &mut leaves);

    let mut used = vec![0_usize; table.path.len()];
    let mut problems = Vec::new();
    for leaf in &leaves {
        match table.path.iter().position(|rule| rule.matches(leaf)) {
            None => problems.push(format!("not in the table: {}", leaf.describe())),
            Some(index) => {
                used[index] += 1;
                if let Some(problem) = check(leaf, &table.path[index], &table) {
                    problems.push(format!(
                        "{problem} (table entry {}): {}",
                        index + 1,
                        leaf.describe()
                    ));
                }
            }
        }
    }
    for (index, rule) in table.note.iter().enumerate() {
        let noted = leaves.iter().any(|leaf| {
            matches!(
                leaf.outcome,
                Outcome::ADeclarer { .. } | Outcome::AVerifier { .. }
            ) && rule.matches(leaf)
        });
        if !noted {
            problems.push(format!(
                "note {} (« {} ») matches no path: stale",
                index + 1,
                rule.text
            ));
        }
    }
    for (index, count) in used.iter().enumerate() {
        if *count == 0 {
            problems.push(format!(
                "table entry {} ({}) matches no path: stale",
                index + 1,
                table.path[index].outcome
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} paths:\n{}",
        problems.len(),
        leaves.len(),
        problems.join("\n")
    );
    assert!(leaves.len() > 100, "only {} paths", leaves.len());
}
