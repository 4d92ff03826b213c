//! Unit tests of the engine over the embedded tree; every path against the reviewed table of
//! outcomes is in `tests/simulator_paths.rs`.

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

/// The declarant's own training: « Un organisme de formation » or « Un employeur ».
fn own(w: &mut Walk, declarant: &str) {
    pick(w, declarant);
    if declarant.starts_with("Un organisme") {
        pick(w, "Je la dispense");
        pick(w, "Oui");
    } else {
        pick(w, "Une formation que j'organise");
    }
}

/// From the start through the exclusions and the criteria, to the document question.
fn eligible(declarant: &str, safety: &str) -> Walk {
    let mut w = walk();
    own(&mut w, declarant);
    for _ in 0..3 {
        pick(&mut w, "Non");
    }
    pick(&mut w, safety);
    if w.current_id() == "q5_preventeurs" {
        pick(&mut w, "Non");
    }
    if w.current_id() == "q6_objectif" {
        pick(&mut w, "Oui");
        pick(&mut w, "Oui");
    }
    assert_eq!(w.current_id(), "q6_document");
    w
}

fn kind(w: &mut Walk, kind: DeclarationKind) {
    match kind {
        DeclarationKind::Justificatif => pick(w, "Un justificatif"),
        DeclarationKind::Attestation => pick(w, "Une attestation"),
    }
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
            let missed = facts.of_missed == Some(true);
            let scope_of = if missed {
                DeclarantKind::OrganismeFormation
            } else {
                *declarant
            };
            let from = deadlines
                .mandatory_from(scope_of, facts.category.unwrap())
                .unwrap();
            assert!(end >= from);
            assert_eq!(*reference, reference_date(*kind, end, facts.validity_start));
            let expected = if missed {
                deadlines
                    .due_date(DeclarantKind::OrganismeFormation, *reference)
                    .and_then(|of| deadlines.fallback_rule(*reference)?.due_date(of))
            } else {
                deadlines.due_date(*declarant, *reference)
            };
            assert_eq!(*due_date, expected);
            assert_eq!(due_source.is_some(), due_date.is_some());
            assert_eq!((prefill.kind, prefill.declarant), (*kind, *declarant));
            assert_eq!(prefill.date_fin_formation, Some(end));
            assert_eq!(
                prefill.date_debut_validite.is_some(),
                *kind == DeclarationKind::Justificatif
            );
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
            assert_eq!(missed, noted("art. 7-II"), "{notes:?}");
        }
        Outcome::NonConcerne { reason, source } | Outcome::AutreDeclarant { reason, source } => {
            assert!(!reason.is_empty());
            assert!(source.starts_with("https://"));
            assert_eq!(walk.source(), Some(source.as_str()));
        }
        Outcome::PasEncoreObligatoire { from, reason, .. } => {
            let scope_of = match facts.of_missed {
                Some(true) => DeclarantKind::OrganismeFormation,
                _ => facts.declarant.unwrap(),
            };
            let expected = deadlines.mandatory_from(scope_of, facts.category.unwrap());
            assert_eq!(Some(*from), expected);
            assert!(facts.end_date.unwrap() < *from);
            assert!(reason.contains(&french_date(*from)), "{reason}");
            assert!(!reason.contains('{'), "{reason}");
        }
        Outcome::AlimenteAutomatiquement { warning } => {
            assert!(warning.contains("doublon"), "{warning}");
        }
        Outcome::AVerifier {
            reference_date: reference,
            until,
            ..
        } => {
            assert_eq!(facts.declarant, Some(DeclarantKind::Employeur));
            assert_eq!(
                *until,
                deadlines
                    .verification_rule(*reference)
                    .and_then(|r| r.due_date(*reference))
            );
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

/// Audit 2026-12 S-3: OF → SST → end 20/03/2026 → JDR valid from 02/04/2026. The catalogue's
/// category 3 [I] makes it not yet mandatory (OF categories 3–4 from 01/07/2026); the walk says so
/// without asking the category, and names it in the path as already answered.
#[test]
fn sst_takes_the_catalogue_category_without_asking_it() {
    let mut w = eligible(
        "Un organisme de formation",
        "Oui, c'est le sauvetage secourisme",
    );
    assert_eq!(w.facts().category, Some(3));
    kind(&mut w, DeclarationKind::Justificatif);
    assert_eq!(
        w.current_id(),
        "date_fin",
        "the category question is skipped"
    );
    let (_, shown) = w.path().pop().unwrap();
    assert!(shown.contains("(déjà répondu)"), "{shown}");
    w.answer_date(day(2026, 3, 20)).unwrap();
    match outcome(&w) {
        Outcome::PasEncoreObligatoire { from, .. } => assert_eq!(from, day(2026, 7, 1)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn of_sst_with_a_certificate_is_a_justificatif_due_per_the_deadline_rules() {
    let mut w = eligible(
        "Un organisme de formation",
        "Oui, c'est le sauvetage secourisme",
    );
    kind(&mut w, DeclarationKind::Justificatif);
    w.answer_date(day(2026, 9, 15)).unwrap();
    assert_eq!(w.current_id(), "date_validite");
    w.answer_date(day(2026, 9, 15)).unwrap();
    pick(&mut w, "Non");
    pick(&mut w, "Non");
    match outcome(&w) {
        Outcome::ADeclarer {
            kind,
            declarant,
            reference_date,
            due_date,
            due_source,
            notes,
            prefill,
        } => {
            assert_eq!(kind, DeclarationKind::Justificatif);
            assert_eq!(declarant, DeclarantKind::OrganismeFormation);
            assert_eq!(reference_date, day(2026, 9, 15));
            // Q3 2026 + 6 months (domain.md §8).
            assert_eq!(due_date, Some(day(2027, 3, 31)));
            assert_eq!(
                due_source,
                Some(Cited {
                    source: OF_OBLIGATIONS.to_owned(),
                    confidence: Confidence::ThirdParty,
                })
            );
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert!(
                notes[0].contains("déduite par le catalogue [I]"),
                "{notes:?}"
            );
            assert_eq!(prefill.date_debut_validite, Some(day(2026, 9, 15)));
            assert_eq!(prefill.formation_certifiante, Some(false));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_a_certificate_it_is_an_attestation_dated_by_the_end_of_training() {
    let mut w = eligible("Un employeur", "Non");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 1);
    w.answer_date(day(2026, 6, 30)).unwrap();
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
            assert_eq!(due_date, Some(day(2027, 3, 31)));
            assert_eq!(prefill.date_debut_validite, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn train_the_trainer_is_not_concerned() {
    let mut w = walk();
    own(&mut w, "Un organisme de formation");
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
        own(&mut w, "Un employeur");
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
    for (passed, refusal, word) in [
        (0, "Non", "premier"),
        (1, "Non", "troisième"),
        (2, "Ni l'un", "deuxième"),
    ] {
        let mut w = walk();
        own(&mut w, "Un employeur");
        for _ in 0..5 {
            pick(&mut w, "Non");
        }
        for _ in 0..passed {
            pick(&mut w, "Oui");
        }
        pick(&mut w, refusal);
        match outcome(&w) {
            Outcome::NonConcerne { reason, .. } => assert!(reason.contains(word), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn employer_category_3_ended_in_may_2026_is_not_yet_mandatory() {
    let mut w = eligible("Un employeur", "Non");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 3);
    w.answer_date(day(2026, 5, 10)).unwrap();
    match outcome(&w) {
        Outcome::PasEncoreObligatoire {
            from,
            reason,
            scope_source,
        } => {
            assert_eq!(from, day(2026, 10, 1));
            assert!(reason.contains("catégorie 3"), "{reason}");
            assert!(reason.contains("pour un employeur"), "{reason}");
            assert!(reason.contains("01/10/2026"), "{reason}");
            assert_eq!(
                scope_source.map(|c| c.confidence),
                Some(Confidence::Several)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.facts().mandatory_from, Some(day(2026, 10, 1)));
}

#[test]
fn employer_category_3_ended_after_october_2026_is_to_declare() {
    let mut w = eligible("Un employeur", "Non");
    kind(&mut w, DeclarationKind::Justificatif);
    category(&mut w, 3);
    w.answer_date(day(2026, 10, 1)).unwrap();
    assert_eq!(w.current_id(), "date_validite");
    assert_eq!(w.facts().mandatory_from, None);
}

/// Audit 2026-12 S-1: OF, amiante (cat. 1), ended 20/11/2026, attestation, not certifying,
/// funded by an OPCO: it is owed, due 30/06/2027 (Q4 2026 + 6 months, deadlines.toml).
#[test]
fn funded_training_is_to_declare_with_a_note_on_the_future_feed() {
    let mut w = eligible("Un organisme de formation", "Non");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 1);
    w.answer_date(day(2026, 11, 20)).unwrap();
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
    kind(&mut w, DeclarationKind::Justificatif);
    category(&mut w, 2);
    w.answer_date(day(2026, 10, 5)).unwrap();
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
fn a_subcontracting_of_and_a_titulaire_without_nir_are_declared_by_someone_else() {
    let mut w = walk();
    pick(&mut w, "Un organisme de formation");
    pick(&mut w, "Je la dispense en sous-traitance");
    match outcome(&w) {
        Outcome::AutreDeclarant { reason, .. } => {
            assert!(reason.contains("donneur d'ordre"), "{reason}");
            assert!(reason.contains("à confirmer"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let mut w = walk();
    pick(&mut w, "Un organisme de formation");
    pick(&mut w, "Je la dispense, moi-même");
    pick(&mut w, "Non : un titulaire");
    match outcome(&w) {
        Outcome::AutreDeclarant { reason, .. } => {
            assert!(reason.contains("revient à son employeur"), "{reason}");
            assert!(reason.contains("trace écrite"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_temporary_work_agency_declares_with_the_employer_deadline_to_confirm() {
    let mut w = walk();
    pick(&mut w, "Un employeur");
    pick(&mut w, "Une formation suivie par un intérimaire");
    pick(&mut w, "L'entreprise utilisatrice");
    assert!(
        matches!(outcome(&w), Outcome::AutreDeclarant { reason, .. } if reason.contains("travail temporaire"))
    );
    let mut w = walk();
    pick(&mut w, "Un employeur");
    pick(&mut w, "Une formation suivie par un intérimaire");
    pick(&mut w, "L'entreprise de travail temporaire");
    for _ in 0..5 {
        pick(&mut w, "Non");
    }
    pick(&mut w, "Oui");
    pick(&mut w, "Oui");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 2);
    w.answer_date(day(2026, 5, 20)).unwrap();
    pick(&mut w, "Non");
    pick(&mut w, "Non");
    match outcome(&w) {
        Outcome::ADeclarer {
            declarant,
            due_date,
            notes,
            ..
        } => {
            assert_eq!(declarant, DeclarantKind::Employeur);
            assert_eq!(due_date, Some(day(2027, 3, 31)));
            assert!(notes[0].contains("L.4141-5 III 2°"), "{notes:?}");
            assert!(notes[0].contains("à confirmer"), "{notes:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// Art. 7: the employer verifies what the OF declared (7-I) and records what it did not (7-II).
#[test]
fn an_employer_verifies_an_of_declaration_or_stands_in_for_the_of() {
    let mut w = walk();
    pick(&mut w, "Un employeur");
    pick(&mut w, "Une formation dispensée à mes salariés");
    pick(&mut w, "Oui, elle figure");
    w.answer_date(day(2026, 5, 20)).unwrap();
    match outcome(&w) {
        Outcome::AVerifier {
            until,
            until_source,
            notes,
            ..
        } => {
            // Q2 2026: 6 months + 3 of transition → 31/03/2027 [I].
            assert_eq!(until, Some(day(2027, 3, 31)));
            assert_eq!(
                until_source.map(|c| c.confidence),
                Some(Confidence::Inferred)
            );
            assert!(notes[0].contains("réputée vérifiée"), "{notes:?}");
        }
        other => panic!("{other:?}"),
    }

    let mut w = walk();
    pick(&mut w, "Un employeur");
    pick(&mut w, "Une formation dispensée à mes salariés");
    pick(&mut w, "Non, et son délai");
    for _ in 0..5 {
        pick(&mut w, "Non");
    }
    pick(&mut w, "Oui");
    pick(&mut w, "Oui");
    kind(&mut w, DeclarationKind::Attestation);
    // The OF's scope: category 3 ended 20/08/2026 was owed by the OF (from 01/07/2026).
    category(&mut w, 3);
    w.answer_date(day(2026, 8, 20)).unwrap();
    pick(&mut w, "Non");
    pick(&mut w, "Non");
    match outcome(&w) {
        Outcome::ADeclarer {
            declarant,
            due_date,
            notes,
            ..
        } => {
            assert_eq!(declarant, DeclarantKind::Employeur);
            // The OF's deadline 31/03/2027, then 9 months → 31/12/2027.
            assert_eq!(due_date, Some(day(2027, 12, 31)));
            assert!(notes[0].contains("art. 7-II"), "{notes:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_account_answers_who_declares_and_going_back_changes_it() {
    let mut w = walk();
    w.know(Known {
        declarant: Some(DeclarantKind::Employeur),
        ..Known::default()
    });
    assert_eq!(w.current_id(), "q0_employeur");
    assert_eq!(w.user_steps(), 0);
    assert_eq!(
        w.path(),
        [(
            "Qui déclare la formation ?",
            "Un employeur (d'après votre compte)".to_owned()
        )]
    );
    assert!(w.back());
    assert_eq!(w.current_id(), START, "the answer is shown again");
    assert_eq!(w.known().declarant, None, "and forgotten");
    pick(&mut w, "Un organisme de formation");
    assert_eq!(w.current_id(), "q0_organisme");
    w.restart();
    assert_eq!(w.current_id(), START);
}

#[test]
fn a_session_answers_the_training_type_and_the_kind() {
    let mut w = walk();
    w.know(Known {
        declarant: Some(DeclarantKind::OrganismeFormation),
        training_code: Some("CACES_R489".into()),
        kind: Some(DeclarationKind::Justificatif),
    });
    pick(&mut w, "Je la dispense");
    pick(&mut w, "Oui");
    for _ in 0..5 {
        pick(&mut w, "Non");
    }
    pick(&mut w, "Oui");
    pick(&mut w, "Oui");
    // The document (kind), the category and the catalogue group are answered.
    assert_eq!(w.current_id(), "date_fin");
    assert_eq!(w.facts().kind, Some(DeclarationKind::Justificatif));
    assert_eq!(w.facts().category, Some(2));
    let shown: Vec<String> = w.path().into_iter().map(|(_, a)| a).collect();
    assert!(
        shown.iter().any(|a| a.starts_with("CACES")
            && a.contains("[C]")
            && a.ends_with("(d'après la session et le catalogue)")),
        "{shown:?}"
    );
    // An excluded training type from a session ends at its exclusion.
    let mut w = walk();
    w.know(Known {
        training_code: Some("FORMATEUR_SST".into()),
        ..Known::default()
    });
    own(&mut w, "Un organisme de formation");
    assert_eq!(w.current_id(), "nc_formateurs");
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
    own(&mut w, "Un employeur");
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
    assert!(w.back());
    assert_eq!(w.current_id(), START);
    assert_eq!(*w.facts(), Facts::default());
    assert!(!w.back());
}

#[test]
fn back_over_the_scope_check_returns_to_the_date_and_restores_facts() {
    let mut w = eligible("Un employeur", "Non");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 3);
    let before = *w.facts();
    w.answer_date(day(2026, 5, 10)).unwrap();
    assert!(matches!(outcome(&w), Outcome::PasEncoreObligatoire { .. }));
    assert!(w.back());
    assert_eq!(w.current_id(), "date_fin");
    assert!(matches!(w.current(), Step::Date { .. }));
    assert_eq!(*w.facts(), before);
    w.answer_date(day(2026, 11, 20)).unwrap();
    assert_eq!(w.current_id(), "q9_certification");
    assert!(w.back());
    assert!(w.back());
    assert_eq!(w.current_id(), "q7_categorie");
    assert_eq!(w.facts().category, None);
}

#[test]
fn path_lists_questions_and_answers_for_breadcrumbs() {
    let mut w = eligible("Un employeur", "Non");
    kind(&mut w, DeclarationKind::Attestation);
    category(&mut w, 1);
    w.answer_date(day(2026, 5, 10)).unwrap();
    let path = w.path();
    assert_eq!(path.len(), 12);
    assert_eq!(
        path[0],
        ("Qui déclare la formation ?", "Un employeur".to_owned())
    );
    assert_eq!(
        path[11],
        ("Date de fin de la formation ?", "10/05/2026".to_owned())
    );
    assert!(w.back());
    assert_eq!(w.path().len(), 11);
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
            assert_eq!(answers, ["Un organisme de formation", "Un employeur"]);
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
    kind(&mut w, DeclarationKind::Justificatif);
    category(&mut w, 1);
    assert!(matches!(w.answer(0), Err(SimulatorError::WrongStep { .. })));
    w.answer_date(day(2026, 1, 15)).unwrap();
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
    own(&mut w, "Un employeur");
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
        kind(&mut w, DeclarationKind::Justificatif);
        category(&mut w, cat);
        w.answer_date(end).unwrap();
        if end < from {
            prop_assert_eq!(w.current_id(), "pas_encore_obligatoire");
            let is_not_yet = matches!(outcome(&w), Outcome::PasEncoreObligatoire { from: f, .. } if f == from);
            prop_assert!(is_not_yet);
        } else {
            let validity = end + chrono::Duration::days(validity_delay);
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

#[test]
fn an_excluded_catalogue_type_reads_its_reason_from_the_tree() {
    let tree = Tree::embedded().unwrap();
    let (id, reason, source) = tree.exclusion_of("FORMATEUR_SST").unwrap();
    assert_eq!(id, "nc_formateurs");
    assert!(
        reason.contains("article 4-II-1° du décret 2022-1712"),
        "{reason}"
    );
    assert!(source.starts_with("https://"));
    let (id, ..) = tree.exclusion_of("SSIAP_2").unwrap();
    assert_eq!(id, "nc_securite_biens");
    assert_eq!(
        tree.exclusion_of("SST"),
        None,
        "an exception leads on, not out"
    );
    assert_eq!(tree.exclusion_of("CACES_R489"), None);
}
