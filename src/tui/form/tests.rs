//! State tests of the declaration form, without a terminal: keys in, state and errors out, for
//! every field kind (text length, date, choice, codes per certifying, NIR key, SIRET, OF versus
//! employer), the titulaires step, the review, and the draft round trip.

use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::ids::{Siret, compute_key};
use crate::domain::worker::Worker;

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub(crate) fn nir_with_key(first13: &str) -> String {
    format!("{first13}{:02}", compute_key(first13).unwrap())
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn no_roster() -> Remote<Roster> {
    Remote::default()
}

pub(crate) fn prefill(declarant: DeclarantKind, kind: DeclarationKind) -> Prefill {
    let end = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
    Prefill {
        declarant,
        kind,
        date_fin_formation: Some(end),
        date_debut_validite: (kind == DeclarationKind::Justificatif).then_some(end),
        formation_certifiante: Some(false),
    }
}

fn form(declarant: DeclarantKind, kind: DeclarationKind) -> Form {
    Form::from_prefill(&prefill(declarant, kind), None, None, today())
}

fn key(form: &mut Form, code: KeyCode) -> FormEvent {
    form.on_key(&press(code), &no_roster())
}

fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        assert_eq!(
            key(form, KeyCode::Char(c)),
            FormEvent::Changed,
            "typing {c:?}"
        );
    }
}

/// Focuses a field, clears it and types `text`, then leaves it (Tab).
fn fill(form: &mut Form, field: Field, titulaire: Option<usize>, text: &str) {
    form.focus_key(&fields::key(field, titulaire));
    assert_eq!(
        form.focused(),
        Some((field, titulaire)),
        "focus on {field:?}"
    );
    form.set_text(field, titulaire, "");
    type_text(form, text);
    assert_eq!(form.text(field, titulaire), text);
    key(form, KeyCode::Tab);
}

/// Cycles a choice field until it shows `label` (or nothing, for `None`).
fn choose(form: &mut Form, field: Field, titulaire: Option<usize>, label: Option<&str>) {
    form.focus_key(&fields::key(field, titulaire));
    for _ in 0..=field.options().len() + 1 {
        if form.choice_label(field, titulaire) == label {
            return;
        }
        assert_eq!(key(form, KeyCode::Right), FormEvent::Changed);
    }
    panic!("{label:?} not among the choices of {field:?}");
}

fn errors(form: &Form, field: Field, titulaire: Option<usize>) -> Vec<String> {
    form.errors_of(&form.problems(), field, titulaire)
}

/// An attestation an OF can send as is.
pub(crate) fn complete(declarant: DeclarantKind) -> Form {
    let mut f = form(declarant, DeclarationKind::Attestation);
    fill(
        &mut f,
        Field::NomFormation,
        None,
        "Sauveteur secouriste du travail",
    );
    fill(&mut f, Field::DateDebutFormation, None, "13/10/2026");
    choose(&mut f, Field::ModaliteDispense, None, Some("Présentiel"));
    fill(&mut f, Field::DomaineFormation, None, "42829");
    fill(&mut f, Field::SpecialiteFormation, None, "344r");
    fill(
        &mut f,
        Field::CompetenceTransferable,
        None,
        "115650/121885 400635",
    );
    let t = f.add_titulaire(&nir_with_key("1850375112345"), "DUPONT", None);
    choose(&mut f, Field::PresenceEmployeur, Some(t), Some("Non"));
    f
}

#[test]
fn the_prefill_gives_what_the_answers_imply() {
    let f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    let d = f.declaration();
    assert_eq!(d.kind, DeclarationKind::Attestation);
    assert_eq!(d.date_fin_formation, NaiveDate::from_ymd_opt(2026, 10, 15));
    assert_eq!(
        d.date_debut_validite, d.date_fin_formation,
        "an attestation's validity starts at the end"
    );
    assert_eq!(d.formation_certifiante, Some(false));
    assert!(
        d.id_declaration.starts_with("PP-") && d.id_declaration.len() == 19,
        "{}",
        d.id_declaration
    );
    assert_eq!(d.reference_declaration, d.id_declaration);
    assert_eq!(f.step, DraftStep::Training);
    assert_eq!(f.focused(), Some((Field::NomFormation, None)));
    assert!(f.text_focused());

    let j = form(DeclarantKind::Employeur, DeclarationKind::Justificatif);
    let d = j.declaration();
    assert_eq!(
        d.presence_formation,
        Some(true),
        "the walk asked for the training's end"
    );
    assert_eq!(d.date_debut_validite, NaiveDate::from_ymd_opt(2026, 10, 15));
    assert_eq!(j.focused(), Some((Field::TypeJdr, None)));
    assert!(!j.text_focused(), "a choice takes no text");
}

#[test]
fn errors_show_once_the_field_is_left() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    assert_eq!(f.focused(), Some((Field::NomFormation, None)));
    assert!(
        errors(&f, Field::NomFormation, None).is_empty(),
        "not yet left"
    );
    assert_eq!(key(&mut f, KeyCode::Tab), FormEvent::Changed);
    assert_eq!(f.focused(), Some((Field::DateDebutFormation, None)));
    let e = errors(&f, Field::NomFormation, None);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("intitulé de la formation") && e[0].contains("obligatoire"),
        "{e:?}"
    );
    // Still not shown on fields never visited.
    assert!(errors(&f, Field::CompetenceTransferable, None).is_empty());
    // Fixing it removes the error at once.
    key(&mut f, KeyCode::BackTab);
    type_text(&mut f, "SST");
    assert!(errors(&f, Field::NomFormation, None).is_empty());
}

#[test]
fn text_length_is_checked() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    // Typing stops at 250 (see typing_stops_at_the_official_maximum); a longer value can still
    // come from an old draft, and is then refused.
    f.set_text(Field::NomFormation, None, "x".repeat(251));
    key(&mut f, KeyCode::Tab);
    let e = errors(&f, Field::NomFormation, None);
    assert!(e.iter().any(|m| m.contains("250 caractères")), "{e:?}");
    fill(&mut f, Field::NomFormation, None, &"x".repeat(250));
    assert!(errors(&f, Field::NomFormation, None).is_empty());
    // A separator of the bulk file is refused.
    fill(&mut f, Field::NomFormation, None, "SST | recyclage");
    assert!(
        errors(&f, Field::NomFormation, None)
            .iter()
            .any(|m| m.contains("« | »"))
    );
}

#[test]
fn dates_are_read_and_checked() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    fill(&mut f, Field::DateDebutFormation, None, "31/02/2026");
    assert_eq!(
        errors(&f, Field::DateDebutFormation, None),
        ["Le 31/02/2026 n'existe pas dans le calendrier."]
    );
    assert_eq!(f.declaration().date_debut_formation, None);
    fill(&mut f, Field::DateDebutFormation, None, "13/10/26");
    let e = errors(&f, Field::DateDebutFormation, None);
    assert!(e[0].contains("jj/mm/aaaa"), "{e:?}");
    // In the future: refused by the rules of the guides.
    fill(&mut f, Field::DateDebutFormation, None, "01/12/2026");
    let e = errors(&f, Field::DateDebutFormation, None);
    assert!(
        e.iter().any(|m| m.contains("postérieure à aujourd'hui")),
        "{e:?}"
    );
    // Order: the end before the start.
    fill(&mut f, Field::DateDebutFormation, None, "20/10/2026");
    let e = errors(&f, Field::DateFinFormation, None);
    assert!(e.iter().any(|m| m.contains("antérieure")), "{e:?}");
    fill(&mut f, Field::DateDebutFormation, None, "13/10/2026");
    assert!(errors(&f, Field::DateFinFormation, None).is_empty());
    assert!(errors(&f, Field::DateDebutFormation, None).is_empty());
}

#[test]
fn choices_cycle_and_show_their_dependent_fields() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    f.focus_key("MODALITE_DISPENSE");
    assert_eq!(f.choice_label(Field::ModaliteDispense, None), None);
    assert_eq!(key(&mut f, KeyCode::Right), FormEvent::Changed);
    assert_eq!(
        f.choice_label(Field::ModaliteDispense, None),
        Some("Présentiel")
    );
    key(&mut f, KeyCode::Char(' '));
    assert_eq!(
        f.choice_label(Field::ModaliteDispense, None),
        Some("À distance")
    );
    key(&mut f, KeyCode::Left);
    key(&mut f, KeyCode::Left);
    assert_eq!(
        f.choice_label(Field::ModaliteDispense, None),
        None,
        "back to nothing chosen"
    );
    key(&mut f, KeyCode::Left);
    assert_eq!(
        f.choice_label(Field::ModaliteDispense, None),
        Some("Mixte"),
        "wraps to the last"
    );
    assert_eq!(f.declaration().modalite_dispense, Some(Modalite::Mixte));
    // Digits switch screens outside text fields.
    assert_eq!(key(&mut f, KeyCode::Char('2')), FormEvent::Ignored);

    // Certifying: the certification replaces Formacodes and NSF, typed values kept aside.
    fill(&mut f, Field::DomaineFormation, None, "42829");
    choose(&mut f, Field::FormationCertifiante, None, Some("Oui"));
    let fields = f.training_fields();
    assert!(
        fields.contains(&Field::CertificationVisee) && !fields.contains(&Field::DomaineFormation)
    );
    assert!(
        f.declaration().domaine_formation.is_empty(),
        "a hidden field is not sent"
    );
    choose(&mut f, Field::FormationCertifiante, None, Some("Non"));
    assert_eq!(
        f.declaration().domaine_formation,
        ["42829"],
        "and comes back as typed"
    );
    // The required choice, left empty.
    choose(&mut f, Field::FormationCertifiante, None, None);
    key(&mut f, KeyCode::Tab);
    let e = errors(&f, Field::FormationCertifiante, None);
    assert!(e.iter().any(|m| m.contains("obligatoire")), "{e:?}");
}

#[test]
fn codes_follow_certifying_and_the_declarant() {
    // OF, not certifying: Formacodes and NSF required, each code checked.
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    for field in [
        Field::DomaineFormation,
        Field::SpecialiteFormation,
        Field::CompetenceTransferable,
    ] {
        f.focus_key(fields::key(field, None).as_str());
        key(&mut f, KeyCode::Tab);
        let e = errors(&f, field, None);
        assert!(
            e.iter().any(|m| m.contains("obligatoire")),
            "{field:?}: {e:?}"
        );
    }
    fill(&mut f, Field::DomaineFormation, None, "4282 42829");
    let e = errors(&f, Field::DomaineFormation, None);
    assert!(e.iter().any(|m| m.contains("valeur n° 1")), "{e:?}");
    fill(&mut f, Field::DomaineFormation, None, "42829/42817");
    assert!(errors(&f, Field::DomaineFormation, None).is_empty());
    fill(&mut f, Field::SpecialiteFormation, None, "333 331 343 344");
    assert!(
        errors(&f, Field::SpecialiteFormation, None)
            .iter()
            .any(|m| m.contains("de 1 à 3"))
    );
    fill(&mut f, Field::CompetenceTransferable, None, "K2302 N1101");
    assert!(
        errors(&f, Field::CompetenceTransferable, None)
            .iter()
            .any(|m| m.contains("de 3 à 10"))
    );
    fill(
        &mut f,
        Field::CompetenceTransferable,
        None,
        "K2302 N1101 115650",
    );
    assert!(errors(&f, Field::CompetenceTransferable, None).is_empty());

    // Certifying: an RS code, not RNCP.
    choose(&mut f, Field::FormationCertifiante, None, Some("Oui"));
    f.focus_key("CERTIFICATION_VISEE");
    key(&mut f, KeyCode::Tab);
    assert!(
        errors(&f, Field::CertificationVisee, None)
            .iter()
            .any(|m| m.contains("obligatoire"))
    );
    fill(&mut f, Field::CertificationVisee, None, "RNCP38510");
    assert!(
        errors(&f, Field::CertificationVisee, None)
            .iter()
            .any(|m| m.contains("est un code RNCP : seul un code RS"))
    );
    fill(&mut f, Field::CertificationVisee, None, "RS5801");
    assert!(errors(&f, Field::CertificationVisee, None).is_empty());

    // An employer may leave the codes empty.
    let mut e = form(DeclarantKind::Employeur, DeclarationKind::Attestation);
    for field in [
        Field::DomaineFormation,
        Field::SpecialiteFormation,
        Field::CompetenceTransferable,
    ] {
        e.focus_key(fields::key(field, None).as_str());
        key(&mut e, KeyCode::Tab);
        assert!(errors(&e, field, None).is_empty(), "{field:?}");
    }
}

#[test]
fn titulaires_nir_key_and_siret_are_checked() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    f.focus_key("titulaires");
    assert_eq!(f.step, DraftStep::Titulaires);
    assert_eq!(key(&mut f, KeyCode::Char('a')), FormEvent::Changed);
    assert_eq!(f.focused(), Some((Field::Nir, Some(0))));
    let good = nir_with_key("1850375112345");
    let bad_key = format!(
        "1850375112345{:02}",
        (compute_key("1850375112345").unwrap() % 97) + 1
    );
    type_text(&mut f, &bad_key);
    key(&mut f, KeyCode::Tab);
    let e = errors(&f, Field::Nir, Some(0));
    assert!(e.iter().any(|m| m.to_lowercase().contains("clé")), "{e:?}");
    assert!(
        !e.iter().any(|m| m.contains(&bad_key)),
        "a NIR never shows in messages"
    );
    fill(&mut f, Field::Nir, Some(0), &good);
    assert!(errors(&f, Field::Nir, Some(0)).is_empty());
    fill(&mut f, Field::NomTitulaire, Some(0), "DUPONT");

    // An employer present: SIRET required and checked (Luhn).
    assert_eq!(f.titulaire_fields(0).len(), 3);
    choose(&mut f, Field::PresenceEmployeur, Some(0), Some("Oui"));
    assert_eq!(f.titulaire_fields(0).len(), 5);
    fill(&mut f, Field::SiretEmployeur, Some(0), "12345678912345");
    assert!(!errors(&f, Field::SiretEmployeur, Some(0)).is_empty());
    fill(&mut f, Field::SiretEmployeur, Some(0), "73282932000074");
    assert!(errors(&f, Field::SiretEmployeur, Some(0)).is_empty());
    // No employer: the SIRET is not sent.
    choose(&mut f, Field::PresenceEmployeur, Some(0), Some("Non"));
    let t = &f.declaration().titulaires[0];
    assert_eq!(t.siret_employeur, "");
    assert_eq!(t.presence_employeur, Some(false));
    assert_eq!(t.nir, good[..13], "stored in its 13 characters");
    assert!(t.id_unique_partenaire.ends_with("-1"));
    // A second line gets another unique id, never reused.
    f.add_titulaire("", "", None);
    let ids: Vec<String> = f
        .declaration()
        .titulaires
        .iter()
        .map(|t| t.id_unique_partenaire.clone())
        .collect();
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn removing_a_titulaire_asks_first() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.add_titulaire(&nir_with_key("2900175112345"), "Martin", None);
    f.focus_key("titulaires");
    assert_eq!(key(&mut f, KeyCode::Char('x')), FormEvent::Handled);
    assert_eq!(f.confirm_remove, Some(0));
    assert_eq!(key(&mut f, KeyCode::Char('n')), FormEvent::Handled);
    assert_eq!(f.titulaires().len(), 2, "« n » keeps it");
    key(&mut f, KeyCode::Down);
    key(&mut f, KeyCode::Char('x'));
    assert_eq!(f.confirm_remove, Some(1));
    assert_eq!(key(&mut f, KeyCode::Char('o')), FormEvent::Changed);
    assert_eq!(f.titulaires().len(), 1);
    assert_eq!(f.titulaires()[0].text(Field::NomTitulaire), "DUPONT");
    // Named, upper-cased: the rows were renumbered, « n° 2 » would name no one now.
    assert_eq!(f.notice.as_deref(), Some("Titulaire MARTIN retiré"));
    // The next key makes the notice stale.
    key(&mut f, KeyCode::Up);
    assert_eq!(f.notice, None);
}

fn worker(id: i64, nir13: &str, name: &str) -> WorkerView {
    Worker {
        id,
        nir: nir13.parse().unwrap(),
        last_name: name.into(),
        usage_name: None,
        first_names: "Jeanne".into(),
        birth_date: None,
        employer_siret: "73282932000074".parse::<Siret>().unwrap(),
        employer_name: "Bâtiments Durand SA".into(),
        site: "Lyon".into(),
    }
}

pub(crate) fn roster() -> Remote<Roster> {
    let workers = vec![
        worker(1, "1850375112345", "DUPONT"),
        worker(2, "2900175112345", "MARTIN"),
    ];
    let index = Arc::new(SearchIndex::new(&workers));
    let mut remote = Remote::default();
    remote.start(1);
    remote.finish::<String>(
        1,
        Ok(Roster {
            workers: Arc::new(workers),
            index,
        }),
    );
    remote
}

#[test]
fn a_titulaire_is_picked_from_the_roster() {
    let roster = roster();
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    f.focus_key("titulaires");
    assert_eq!(
        f.on_key(&press(KeyCode::Char('/')), &roster),
        FormEvent::NeedRoster
    );
    assert!(f.text_focused(), "the search takes text");
    for c in "mart".chars() {
        f.on_key(&press(KeyCode::Char(c)), &roster);
    }
    let picker = f.picker.as_ref().unwrap();
    assert_eq!(picker.hits, [1], "MARTIN only");
    assert_eq!(
        f.on_key(&press(KeyCode::Enter), &roster),
        FormEvent::Changed
    );
    assert!(f.picker.is_none());
    let t = &f.declaration().titulaires[0];
    assert_eq!(t.nom_titulaire, "MARTIN");
    assert_eq!(t.nir, "2900175112345", "stored in its 13 characters");
    assert_eq!(t.presence_employeur, Some(true));
    assert_eq!(t.siret_employeur, "73282932000074");
    // The same person twice is refused.
    f.on_key(&press(KeyCode::Char('/')), &roster);
    for c in "martin".chars() {
        f.on_key(&press(KeyCode::Char(c)), &roster);
    }
    assert_eq!(
        f.on_key(&press(KeyCode::Enter), &roster),
        FormEvent::Handled
    );
    assert_eq!(f.titulaires().len(), 1);
    assert!(f.notice.as_deref().unwrap_or_default().contains("déjà"));
    // Esc closes the search only.
    f.on_key(&press(KeyCode::Char('/')), &roster);
    assert_eq!(f.on_key(&press(KeyCode::Esc), &roster), FormEvent::Handled);
    assert!(f.picker.is_none());
}

#[test]
fn the_review_lists_every_problem_and_jumps_to_it() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    fill(&mut f, Field::DateDebutFormation, None, "31/02/2026");
    assert_eq!(
        f.on_key(&ctrl('s'), &no_roster()),
        FormEvent::Changed,
        "Ctrl-S: save and review"
    );
    assert_eq!(f.step, DraftStep::Review);
    let problems = f.problems();
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    for expected in [
        "NOM_FORMATION",
        "DATE_DEBUT_FORMATION",
        "DOMAINE_FORMATION",
        "SPECIALITE_FORMATION",
        "COMPETENCE_TRANSFERABLE",
        "titulaires",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    assert_eq!(keys[0], "NOM_FORMATION", "in form order");
    // The unreadable date is reported as such, not as missing.
    let date: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.key == "DATE_DEBUT_FORMATION")
        .collect();
    assert_eq!(date.len(), 1);
    assert!(date[0].message.contains("n'existe pas"));
    // Ctrl-S does not send with problems left.
    assert_eq!(f.on_key(&ctrl('s'), &no_roster()), FormEvent::Handled);
    assert!(
        f.notice
            .as_deref()
            .unwrap_or_default()
            .contains("à corriger")
    );
    // Enter on the second problem focuses its field.
    key(&mut f, KeyCode::Down);
    assert_eq!(key(&mut f, KeyCode::Enter), FormEvent::Changed);
    assert_eq!(f.step, DraftStep::Training);
    assert_eq!(
        f.focused().map(|(field, _)| fields::key(field, None)),
        Some(problems[1].key.clone())
    );
    // A titulaire's problem goes to the titulaire's field.
    f.add_titulaire("123", "", None);
    f.on_key(&ctrl('s'), &no_roster());
    let index = f
        .problems()
        .iter()
        .position(|p| p.key == "titulaires[0].NIR")
        .unwrap();
    assert_eq!(f.problems()[index].label, "Titulaire n° 1 — NIR");
    for _ in 0..index {
        key(&mut f, KeyCode::Down);
    }
    key(&mut f, KeyCode::Enter);
    assert_eq!(f.focused(), Some((Field::Nir, Some(0))));
}

#[test]
fn a_complete_declaration_is_sent_from_the_review() {
    for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
        let mut f = complete(declarant);
        assert_eq!(f.local_problems(), [], "{declarant:?}");
        assert_eq!(f.on_key(&ctrl('s'), &no_roster()), FormEvent::Changed);
        assert_eq!(f.step, DraftStep::Review);
        // Ctrl-S twice never sends: the second one asks.
        assert_eq!(f.on_key(&ctrl('s'), &no_roster()), FormEvent::Handled);
        assert!(f.confirm_submit, "{declarant:?}");
        // Any other key is swallowed, the question stays.
        assert_eq!(key(&mut f, KeyCode::Char('x')), FormEvent::Handled);
        assert_eq!(f.on_key(&ctrl('s'), &no_roster()), FormEvent::Handled);
        assert!(f.confirm_submit);
        // n cancels and says nothing was sent.
        assert_eq!(key(&mut f, KeyCode::Char('n')), FormEvent::Handled);
        assert!(!f.confirm_submit);
        assert!(
            f.notice
                .as_deref()
                .unwrap_or_default()
                .contains("rien n'a été envoyé")
        );
        // Asked again, o sends.
        assert_eq!(f.on_key(&ctrl('s'), &no_roster()), FormEvent::Handled);
        assert_eq!(key(&mut f, KeyCode::Char('o')), FormEvent::Submit);
        assert!(!f.confirm_submit);
    }
}

#[test]
fn the_review_scrolls_what_will_be_sent() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.on_key(&ctrl('s'), &no_roster());
    assert_eq!(f.review_scroll(), 0);
    let len = f.summary_len();
    // The training rows, the heading, one titulaire.
    assert!(len >= 8, "{len}");
    for _ in 0..len + 5 {
        assert_eq!(key(&mut f, KeyCode::Down), FormEvent::Handled);
    }
    assert_eq!(f.review_scroll(), len, "bounded");
    key(&mut f, KeyCode::Up);
    assert_eq!(f.review_scroll(), len - 1);
}

#[test]
fn server_errors_show_on_their_field_until_it_changes() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.set_server_errors(vec![FieldError::new(
        "titulaires[0].NOM_TITULAIRE",
        "unknown_pair",
        "Couple NIR et nom inconnu.",
    )]);
    assert_eq!(
        errors(&f, Field::NomTitulaire, Some(0)),
        ["Couple NIR et nom inconnu."]
    );
    assert_eq!(f.problems().len(), 1);
    fill(&mut f, Field::NomTitulaire, Some(0), "DUPONT-MARTIN");
    assert!(f.server_errors().is_empty());
    assert!(f.problems().is_empty());
}

#[test]
fn a_sent_declaration_is_frozen() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.submit_attempted = true;
    f.focus_key("NOM_FORMATION");
    let before = f.declaration();
    assert_eq!(key(&mut f, KeyCode::Char('x')), FormEvent::Handled);
    assert_eq!(f.on_paste("collé"), FormEvent::Handled);
    assert_eq!(f.declaration(), before);
    assert!(f.notice.as_deref().unwrap_or_default().contains("même clé"));
    assert_eq!(
        key(&mut f, KeyCode::Char('r')),
        FormEvent::Submit,
        "r sends it again"
    );
    assert_eq!(key(&mut f, KeyCode::Char('3')), FormEvent::Ignored);
}

#[test]
fn a_draft_reopens_exactly_as_left() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    fill(&mut f, Field::DateFinValidite, None, "31/02/20");
    f.focus_key("titulaires[0].NOM_TITULAIRE");
    type_text(&mut f, "-MARTIN");
    let draft = f.to_draft();
    assert_eq!(
        draft.inputs["DATE_FIN_VALIDITE"], "31/02/20",
        "kept as typed"
    );
    assert_eq!(draft.declaration.date_fin_validite, None);
    assert_eq!(
        draft.position.field.as_deref(),
        Some("titulaires[0].NOM_TITULAIRE")
    );
    let json = serde_json::to_string(&draft).unwrap();
    let back: Draft = serde_json::from_str(&json).unwrap();
    let g = Form::from_draft(&back, today());
    assert_eq!(g.step, DraftStep::Titulaires);
    assert_eq!(g.focused(), Some((Field::NomTitulaire, Some(0))));
    assert_eq!(g.editor().unwrap().lines(), ["DUPONT-MARTIN"]);
    assert_eq!(g.text(Field::DateFinValidite, None), "31/02/20");
    assert_eq!(g.declaration(), f.declaration());
    assert_eq!(g.to_draft(), draft);
    // The next line number is kept: ids are never reused.
    let mut g = g;
    g.add_titulaire("", "", None);
    assert!(
        g.declaration().titulaires[1]
            .id_unique_partenaire
            .ends_with("-2")
    );
}

#[test]
fn the_debug_output_hides_nirs() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.focus_key("titulaires[0].NIR");
    assert!(f.editor().unwrap().lines()[0].starts_with("1850375112345"));
    let text = format!("{f:?}");
    assert!(!text.contains("1850375112345"), "{text}");
}

proptest::proptest! {
    #[test]
    fn whatever_is_typed_reopens_as_typed(
        title in "[ -~àéèçÉ]{0,40}",
        date in "[0-9/ ]{0,12}",
        codes in "[0-9a-zA-Z/ ]{0,30}",
        nir in "[0-9 AB]{0,17}",
    ) {
        let mut f = form(DeclarantKind::OrganismeFormation, DeclarationKind::Attestation);
        f.set_text(Field::NomFormation, None, title.clone());
        f.set_text(Field::DateDebutFormation, None, date.clone());
        f.set_text(Field::CompetenceTransferable, None, codes.clone());
        let t = f.add_titulaire(&nir, "NOM", None);
        let json = serde_json::to_string(&f.to_draft()).unwrap();
        let back = Form::from_draft(&serde_json::from_str(&json).unwrap(), today());
        proptest::prop_assert_eq!(back.text(Field::NomFormation, None), title.as_str());
        proptest::prop_assert_eq!(back.text(Field::DateDebutFormation, None), date.as_str());
        proptest::prop_assert_eq!(back.text(Field::CompetenceTransferable, None), codes.as_str());
        proptest::prop_assert_eq!(back.text(Field::Nir, Some(t)), nir.as_str());
        proptest::prop_assert_eq!(back.declaration(), f.declaration());
    }
}

#[test]
fn tab_crosses_steps_and_paste_fills_one_line() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    assert_eq!(f.on_paste("Sauveteur\nsecouriste"), FormEvent::Changed);
    assert_eq!(f.text(Field::NomFormation, None), "Sauveteur secouriste");
    let count = f.training_fields().len();
    for _ in 0..count {
        key(&mut f, KeyCode::Tab);
    }
    assert_eq!(f.step, DraftStep::Titulaires);
    assert_eq!(f.focused(), None, "on the list");
    key(&mut f, KeyCode::BackTab);
    assert_eq!(f.step, DraftStep::Training);
    assert_eq!(
        f.focused(),
        Some((Field::ReferenceDeclaration, None)),
        "back on the last field"
    );
    assert_eq!(key(&mut f, KeyCode::PageDown), FormEvent::Changed);
    assert_eq!(key(&mut f, KeyCode::PageDown), FormEvent::Changed);
    assert_eq!(f.step, DraftStep::Review);
    assert_eq!(key(&mut f, KeyCode::Esc), FormEvent::Close);
    // Ctrl-C is the app's.
    f.focus_key("NOM_FORMATION");
    assert_eq!(f.on_key(&ctrl('c'), &no_roster()), FormEvent::Ignored);
}

#[test]
fn typing_stops_at_the_official_maximum() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    f.set_text(Field::NomFormation, None, "x".repeat(249));
    f.focus_key("NOM_FORMATION");
    assert_eq!(key(&mut f, KeyCode::Char('y')), FormEvent::Changed);
    assert_eq!(f.text(Field::NomFormation, None).chars().count(), 250);
    assert_eq!(
        key(&mut f, KeyCode::Char('z')),
        FormEvent::Handled,
        "the 251st character is not typed"
    );
    assert_eq!(f.text(Field::NomFormation, None).chars().count(), 250);
    assert_eq!(
        f.notice.as_deref(),
        Some("« Intitulé de la formation » prend au plus 250 caractères")
    );
    // Shortening is always possible.
    assert_eq!(key(&mut f, KeyCode::Backspace), FormEvent::Changed);
    assert_eq!(f.text(Field::NomFormation, None).chars().count(), 249);
}

#[test]
fn a_long_paste_is_cut_at_the_maximum_of_every_field() {
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Justificatif,
    );
    // The 5,054-character link of the UX review (finding 7).
    f.focus_key("LIEN_PREUVE");
    let pasted = format!("https://exemple.fr/{}", "a".repeat(5035));
    assert_eq!(f.on_paste(&pasted), FormEvent::Changed);
    assert_eq!(f.text(Field::LienPreuve, None).chars().count(), 255);
    assert!(
        f.notice
            .as_deref()
            .unwrap_or_default()
            .contains("Collage coupé")
    );
    // Codes count as the file writes them, joined by « / »: extra spaces are free.
    let mut f = form(
        DeclarantKind::OrganismeFormation,
        DeclarationKind::Attestation,
    );
    f.focus_key("DOMAINE_FORMATION");
    f.on_paste("42829   42817 / 42866 / 42875 / 42819 / 31407");
    let typed = f.text(Field::DomaineFormation, None).to_owned();
    assert_eq!(Field::DomaineFormation.input_length(&typed), 29, "{typed}");
    assert_eq!(fields::split_codes(&typed).len(), 5);
    // The NIR takes its 15 characters (key included), spaces not counted.
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.focus_key("titulaires[0].NIR");
    f.set_text(Field::Nir, Some(0), "");
    f.on_paste("1 85 03 75 112 345 94 99");
    assert_eq!(Field::Nir.input_length(f.text(Field::Nir, Some(0))), 15);
}

#[test]
fn every_typed_field_has_a_maximum() {
    for field in Field::DECLARATION.iter().chain(Field::TITULAIRE.iter()) {
        assert_eq!(
            field.max_input().is_some(),
            field.kind() != FieldKind::Choice,
            "{field:?}"
        );
    }
}

#[test]
fn a_nir_has_one_form_whatever_its_source() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    let body = "2920699123456";
    // A session gives 13 characters, the roster 15, a user may type spaces.
    let from_session = f.add_titulaire(body, "MARTIN", None);
    assert_eq!(f.text(Field::Nir, Some(from_session)), nir_with_key(body));
    assert!(f.has_nir(&nir_with_key(body)));
    f.remove_titulaire(from_session);
    let from_roster = f.add_titulaire(&nir_with_key(body), "MARTIN", None);
    assert_eq!(f.text(Field::Nir, Some(from_roster)), nir_with_key(body));
    fill(&mut f, Field::Nir, Some(from_roster), "2 92 06 99 123 456");
    // What is sent and saved: the 13 characters of the file, for every titulaire.
    let d = f.declaration();
    assert_eq!(d.titulaires[0].nir, "1850375112345");
    assert_eq!(d.titulaires[1].nir, body);
    assert_eq!(f.to_draft().declaration.titulaires[1].nir, body);
}

#[test]
fn v_shows_and_masks_the_nir_and_leaving_the_step_masks_it() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    f.focus_key("titulaires");
    assert!(!f.reveal_nir);
    assert_eq!(key(&mut f, KeyCode::Char('v')), FormEvent::Handled);
    assert!(f.reveal_nir);
    f.focus_key("titulaires[0].NIR");
    let before = f.text(Field::Nir, Some(0)).to_owned();
    assert_eq!(key(&mut f, KeyCode::Char('v')), FormEvent::Handled);
    assert!(!f.reveal_nir);
    assert_eq!(
        f.text(Field::Nir, Some(0)),
        before,
        "v is never typed in a NIR"
    );
    key(&mut f, KeyCode::Char('v'));
    key(&mut f, KeyCode::PageDown);
    assert!(!f.reveal_nir, "masked again once the step is left");
}

#[test]
fn fields_that_appear_after_the_review_stay_quiet_until_left() {
    let mut f = complete(DeclarantKind::OrganismeFormation);
    // Vérification visited: every field shown then has its problems shown.
    f.on_key(&ctrl('s'), &no_roster());
    assert_eq!(f.step, DraftStep::Review);
    // A new titulaire, added afterwards: nothing red before its fields are left.
    f.focus_key("titulaires");
    key(&mut f, KeyCode::Char('a'));
    assert_eq!(f.focused(), Some((Field::Nir, Some(1))));
    assert!(errors(&f, Field::Nir, Some(1)).is_empty());
    key(&mut f, KeyCode::Tab);
    assert_eq!(f.focused(), Some((Field::NomTitulaire, Some(1))));
    assert_eq!(
        errors(&f, Field::Nir, Some(1)),
        ["Le champ « NIR » est obligatoire."],
        "the NIR, left, says what is missing"
    );
    assert!(
        errors(&f, Field::NomTitulaire, Some(1)).is_empty(),
        "the birth name is not blamed while it is being typed"
    );
    // Choosing « certifiante : Oui » reveals the certification visée, quiet until left.
    choose(&mut f, Field::FormationCertifiante, None, Some("Oui"));
    assert!(errors(&f, Field::CertificationVisee, None).is_empty());
    f.focus_key("CERTIFICATION_VISEE");
    key(&mut f, KeyCode::Tab);
    let e = errors(&f, Field::CertificationVisee, None);
    assert_eq!(
        e,
        ["Le champ « certification visée » est obligatoire pour une formation certifiante."]
    );
}
