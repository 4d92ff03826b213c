//! What the walk knows before asking (audit 2026-12 S-6): the declarant from the account
//! (`GET /v1/me`), the training type and the declaration kind from a session, and the facts
//! already answered (choosing the SST records its category). A question about a fact the walk
//! knows is answered automatically; the path shows the answer with where it came from, and going
//! back to that question shows it again and forgets the fact, so the answer can be changed.

use super::Facts;
use super::tree::{Answer, Body, SetFacts, Tree};
use crate::domain::{DeclarantKind, DeclarationKind};

/// Facts known from outside the walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Who declares, from the account.
    pub declarant: Option<DeclarantKind>,
    /// The catalogue code of the training, from the session.
    pub training_code: Option<String>,
    /// Attestation or justificatif, from the session's trainee outcomes.
    pub kind: Option<DeclarationKind>,
}

/// Where an automatic answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The account's kind.
    Account,
    /// The session's training type, through the catalogue.
    Training,
    /// The session's trainee outcomes.
    Outcomes,
    /// An earlier answer of the walk.
    Answered,
}

impl Origin {
    /// French words shown beside the answer in the path.
    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "d'après votre compte",
            Self::Training => "d'après la session et le catalogue",
            Self::Outcomes => "d'après les résultats de la session",
            Self::Answered => "déjà répondu",
        }
    }

    /// Forgets the known fact this origin stands for (the user wants to answer it).
    pub(super) fn forget(self, known: &mut Known) {
        match self {
            Self::Account => known.declarant = None,
            Self::Training => known.training_code = None,
            Self::Outcomes => known.kind = None,
            Self::Answered => {}
        }
    }
}

/// True when every answer of the question that records a fact records `fact`.
fn asks(answers: &[Answer], fact: fn(&SetFacts) -> bool) -> bool {
    let mut setting = answers.iter().filter(|a| !a.set.is_empty()).peekable();
    setting.peek().is_some() && setting.all(|a| fact(&a.set))
}

fn names(answer: &Answer, code: &str) -> bool {
    answer.codes.iter().any(|c| c == code)
}

/// The answer the walk gives itself to the question of `answers`, if it knows what is asked.
pub(super) fn automatic(
    tree: &Tree,
    answers: &[Answer],
    known: &Known,
    facts: &Facts,
) -> Option<(usize, Origin)> {
    let first = |origin: Origin, pick: &dyn Fn(&Answer) -> bool| {
        answers.iter().position(pick).map(|i| (i, origin))
    };
    let asks_category = asks(answers, |s| s.category().is_some());
    if let Some(code) = known.training_code.as_deref() {
        // The answer naming the code, or (at the category question) the one leading to the
        // question that names it.
        let ahead = |a: &Answer| match &tree.nodes[a.next].body {
            Body::Question { answers, .. } => answers.iter().any(|n| names(n, code)),
            _ => false,
        };
        let found = first(Origin::Training, &|a| names(a, code)).or_else(|| {
            asks_category
                .then(|| first(Origin::Training, &ahead))
                .flatten()
        });
        if found.is_some() {
            return found;
        }
    }
    if let Some(category) = facts.category
        && asks_category
    {
        return first(Origin::Answered, &|a| a.set.category() == Some(category));
    }
    if let Some(declarant) = known.declarant
        && asks(answers, |s| s.declarant().is_some())
    {
        return first(Origin::Account, &|a| a.set.declarant() == Some(declarant));
    }
    if let Some(kind) = known.kind
        && asks(answers, |s| s.kind().is_some())
    {
        return first(Origin::Outcomes, &|a| a.set.kind() == Some(kind));
    }
    None
}
