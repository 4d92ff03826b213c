//! What a walk of the simulator concludes, and the partial declaration it implies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::training::Confidence;
use crate::domain::{DeclarantKind, DeclarationKind};

/// A source (URL) with the confidence label of what it supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cited {
    /// URL of the source.
    pub source: String,
    /// How firmly the rule rests on it.
    pub confidence: Confidence,
}

/// The conclusion of the simulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The training must be declared: which declaration, by whom, and by when.
    ADeclarer {
        /// Attestation de formation or justificatif de réussite.
        kind: DeclarationKind,
        /// Who declares.
        declarant: DeclarantKind,
        /// The date whose quarter starts the deadline: the training's end date (attestation) or
        /// the validity start (justificatif).
        reference_date: NaiveDate,
        /// The date the declaration is due by; `None` when the deadline rules set none.
        due_date: Option<NaiveDate>,
        /// The deadline rule's source and how firmly it rests on it.
        due_source: Option<Cited>,
        /// Remarks in French from the answers and the outcome (an automatic feed that may later
        /// show the training too, an assumption to confirm…), in the order of the walk.
        notes: Vec<String>,
        /// The declaration fields the answers already give.
        prefill: Prefill,
    },
    /// The training is outside the scope of the Passeport de prévention.
    NonConcerne {
        /// Why, in French.
        reason: String,
        /// The rule's source (URL).
        source: String,
    },
    /// The training's category was not yet mandatory for this declarant when it ended.
    PasEncoreObligatoire {
        /// First training end date for which the declaration is mandatory.
        from: NaiveDate,
        /// Why, in French, with the category, the declarant and that date filled in.
        reason: String,
        /// The scope rule's source and how firmly it rests on it.
        scope_source: Option<Cited>,
    },
    /// The training feeds the passport automatically (décret 2022-1712 art. 8): declaring it again
    /// would create a duplicate.
    AlimenteAutomatiquement {
        /// The French warning against a duplicate declaration.
        warning: String,
    },
    /// Someone else declares this training (the commissioning OF, the employer for a titulaire
    /// without a NIR, the temporary-work agency, the OF within its deadline).
    AutreDeclarant {
        /// Who declares and what the user does, in French.
        reason: String,
        /// The rule's source (URL).
        source: String,
    },
    /// The OF declared it: the employer may check it and ask for a correction (art. 7-I).
    AVerifier {
        /// The date whose quarter starts the window.
        reference_date: NaiveDate,
        /// Last day to ask the OF for a correction; `None` when no rule covers the date.
        until: Option<NaiveDate>,
        /// The verification rule's source and label.
        until_source: Option<Cited>,
        /// Remarks in French.
        notes: Vec<String>,
    },
}

impl Outcome {
    /// Short French title of the outcome, for a heading.
    pub fn title(&self) -> &'static str {
        match self {
            Self::ADeclarer { .. } => "À déclarer",
            Self::NonConcerne { .. } => "Non concerné",
            Self::PasEncoreObligatoire { .. } => "Pas encore obligatoire",
            Self::AlimenteAutomatiquement { .. } => "Alimenté automatiquement",
            Self::AutreDeclarant { .. } => "Déclarée par un autre déclarant",
            Self::AVerifier { .. } => "À vérifier",
        }
    }
}

/// The partial declaration implied by the answers, for the declaration form to start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    /// Who declares.
    pub declarant: DeclarantKind,
    /// Attestation de formation or justificatif de réussite.
    pub kind: DeclarationKind,
    /// `DATE_FIN_FORMATION`.
    pub date_fin_formation: Option<NaiveDate>,
    /// `DATE_DEBUT_VALIDITE` (justificatif de réussite only).
    pub date_debut_validite: Option<NaiveDate>,
    /// `FORMATION_CERTIFIANTE`: whether the training prepares an RNCP or RS certification.
    pub formation_certifiante: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_french_and_distinct() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let outcomes = [
            Outcome::ADeclarer {
                kind: DeclarationKind::Attestation,
                declarant: DeclarantKind::Employeur,
                reference_date: day,
                due_date: None,
                due_source: None,
                notes: Vec::new(),
                prefill: Prefill {
                    declarant: DeclarantKind::Employeur,
                    kind: DeclarationKind::Attestation,
                    date_fin_formation: Some(day),
                    date_debut_validite: None,
                    formation_certifiante: None,
                },
            },
            Outcome::NonConcerne {
                reason: "r".into(),
                source: "https://example.org".into(),
            },
            Outcome::PasEncoreObligatoire {
                from: day,
                reason: "r".into(),
                scope_source: None,
            },
            Outcome::AlimenteAutomatiquement {
                warning: "w".into(),
            },
        ];
        let titles: Vec<&str> = outcomes.iter().map(Outcome::title).collect();
        assert_eq!(
            titles,
            [
                "À déclarer",
                "Non concerné",
                "Pas encore obligatoire",
                "Alimenté automatiquement"
            ]
        );
    }

    #[test]
    fn reads_back_with_a_snake_case_tag() {
        let outcome: Outcome =
            toml::from_str("outcome = \"alimente_automatiquement\"\nwarning = \"w\"\n").unwrap();
        assert_eq!(
            outcome,
            Outcome::AlimenteAutomatiquement {
                warning: "w".into()
            }
        );
    }
}
