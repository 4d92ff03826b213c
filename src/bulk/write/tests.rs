//! Tests of the bulk-file writer: layouts line by line, refusals, and a property on lines.

use proptest::prelude::*;

use chrono::NaiveDate;

use super::cell::cell;
use super::*;
use crate::bulk::Place;
use crate::domain::declaration::columns::*;
use crate::domain::declaration::{
    Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use crate::domain::ids::{IdError, compute_key};
use crate::domain::{DeclarantKind, DeclarationKind};

/// Valid NIRs (13 characters) and keys computed by hand: 97 − (number mod 97).
const NIR_A: &str = "1850375112345";
const KEY_A: &str = "94";
const NIR_B: &str = "2920699123456";
/// Textbook SIRET (domain.md §6).
const SIRET: &str = "73282932000074";

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn titulaire(id: &str, nir: &str, name: &str, siret: Option<&str>) -> Titulaire {
    Titulaire {
        id_unique_partenaire: id.to_owned(),
        nir: nir.to_owned(),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(siret.is_some()),
        siret_employeur: siret.unwrap_or_default().to_owned(),
        reference_employeur: if siret.is_some() { "MAT-042" } else { "" }.to_owned(),
    }
}

fn codes(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

/// A non-certifying SST attestation with two titulaires, one with an employer.
fn attestation() -> Declaration {
    Declaration {
        id_declaration: "DECL-2026-001".to_owned(),
        reference_declaration: "SST Lyon mars 2026".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 3, 2)),
        date_fin_formation: Some(date(2026, 3, 3)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: codes(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: codes(&["42829", "42866"]),
        specialite_formation: codes(&["344r"]),
        date_debut_validite: Some(date(2026, 3, 3)),
        date_fin_validite: Some(date(2028, 3, 3)),
        titulaires: vec![
            titulaire("P-0001", NIR_A, "MARTIN", Some(SIRET)),
            titulaire("P-0002", NIR_B, "DUPONT", None),
        ],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// A CACES justificatif with no training block.
fn justificatif_without_training() -> Declaration {
    Declaration {
        id_declaration: "JDR-1".to_owned(),
        reference_declaration: "CACES R489 cat. 3".to_owned(),
        type_jdr: Some(TypeJdr::Certificat),
        nom_jdr: "CACES R489 catégorie 3".to_owned(),
        mode_obtention: Some(ModeObtention::ParScoring),
        competence_transferable: codes(&["K2302", "N1101", "115650"]),
        presence_formation: Some(false),
        date_debut_validite: Some(date(2026, 4, 10)),
        resultat_obtenu: "Reçu".to_owned(),
        titulaires: vec![titulaire("P-0100", NIR_A, "MARTIN", None)],
        ..Declaration::new(DeclarationKind::Justificatif)
    }
}

/// An SST justificatif with its certifying training block.
fn justificatif_with_training() -> Declaration {
    Declaration {
        id_declaration: "JDR-2".to_owned(),
        reference_declaration: "SST certificat".to_owned(),
        type_jdr: Some(TypeJdr::Certificat),
        nom_jdr: "Certificat SST".to_owned(),
        nom_option_specialite: "Initial".to_owned(),
        mode_obtention: Some(ModeObtention::ParAdmission),
        competence_transferable: codes(&["115650", "121885", "400635"]),
        presence_formation: Some(true),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 3, 2)),
        date_fin_formation: Some(date(2026, 3, 3)),
        modalite_dispense: Some(Modalite::Mixte),
        qualification_formateur: Some(
            QualificationFormateur::FormateurDAdultesFormationSpecialisee,
        ),
        formation_certifiante: Some(true),
        certification_visee: "rs5801".to_owned(),
        date_debut_validite: Some(date(2026, 3, 3)),
        date_fin_validite: Some(date(2028, 3, 3)),
        resultat_obtenu: "Admis".to_owned(),
        mention_obtenue: "Très bien".to_owned(),
        lien_preuve: "https://example.org/preuves/42".to_owned(),
        identifiant_preuve: "PR-42".to_owned(),
        titulaires: vec![titulaire("P-0200", NIR_B, "DUPONT", Some(SIRET))],
        ..Declaration::new(DeclarationKind::Justificatif)
    }
}

/// Splits a file into its lines, checking every line ends with CRLF and nothing follows.
fn lines(file: &str) -> Vec<&str> {
    assert!(file.ends_with("\r\n"), "the last line must end with CRLF");
    let lines: Vec<&str> = file[..file.len() - 2].split("\r\n").collect();
    for line in &lines {
        assert!(!line.contains(['\r', '\n']), "stray line break in {line:?}");
    }
    lines
}

fn place(line: usize, titulaire: usize, column: &'static str) -> Place {
    Place {
        line,
        titulaire,
        column,
    }
}

#[test]
fn fixtures_are_valid_declarations() {
    let today = date(2026, 6, 1);
    for declaration in [
        attestation(),
        justificatif_without_training(),
        justificatif_with_training(),
    ] {
        assert_eq!(
            declaration.validate(DeclarantKind::OrganismeFormation, today),
            Ok(()),
            "{}",
            declaration.id_declaration
        );
    }
}

#[test]
fn adf_file_matches_the_official_layout_line_by_line() {
    let file = write(Layout::Adf, &[attestation()]).unwrap();
    assert!(!file.starts_with('\u{feff}'), "no BOM");
    let expected = [
        "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|\
         DATE_DEBUT_FORMATION|DATE_FIN_FORMATION|MODALITE_DISPENSE|COMPETENCE_TRANSFERABLE|\
         QUALIFICATION_FORMATEUR|FORMATION_CERTIFIANTE|CERTIFICATION_VISEE|DOMAINE_FORMATION|\
         SPECIALITE_FORMATION|NIR|NOM_TITULAIRE|PRESENCE_EMPLOYEUR|SIRET_EMPLOYEUR|\
         REFERENCE_EMPLOYEUR|DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE",
        "DECL-2026-001|SST Lyon mars 2026|P-0001|Sauveteur secouriste du travail|02/03/2026|\
         03/03/2026|PRESENTIEL|115650/121885/400635|PREVENTEUR|NON||42829/42866|344r|\
         1850375112345|MARTIN|OUI|73282932000074|MAT-042|03/03/2026|03/03/2028",
        "DECL-2026-001|SST Lyon mars 2026|P-0002|Sauveteur secouriste du travail|02/03/2026|\
         03/03/2026|PRESENTIEL|115650/121885/400635|PREVENTEUR|NON||42829/42866|344r|\
         2920699123456|DUPONT|NON|||03/03/2026|03/03/2028",
    ];
    let lines = lines(&file);
    assert_eq!(lines.len(), expected.len());
    for (number, (line, expected)) in lines.iter().zip(expected).enumerate() {
        assert_eq!(*line, expected, "line {}", number + 1);
        assert_eq!(line.split('|').count(), 20, "line {}", number + 1);
    }
}

#[test]
fn jdr_file_without_training_leaves_the_training_block_empty() {
    let file = write(Layout::Jdr, &[justificatif_without_training()]).unwrap();
    let lines = lines(&file);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], Layout::Jdr.header());
    assert_eq!(
        lines[1],
        "JDR-1|CACES R489 cat. 3|P-0100|CERTIFICAT|CACES R489 catégorie 3||PAR_SCORING|\
         K2302/N1101/115650|NON||||||||||1850375112345|MARTIN|NON|||10/04/2026||Reçu|||"
    );
    assert_eq!(lines[1].split('|').count(), 29);
}

#[test]
fn jdr_file_with_training_fills_every_column_in_order() {
    let file = write(Layout::Jdr, &[justificatif_with_training()]).unwrap();
    let lines = lines(&file);
    assert_eq!(lines.len(), 2);
    let fields: Vec<&str> = lines[1].split('|').collect();
    assert_eq!(
        fields,
        [
            "JDR-2",
            "SST certificat",
            "P-0200",
            "CERTIFICAT",
            "Certificat SST",
            "Initial",
            "PAR_ADMISSION",
            "115650/121885/400635",
            "OUI",
            "Sauveteur secouriste du travail",
            "02/03/2026",
            "03/03/2026",
            "MIXTE",
            "FORMATEUR_D_ADULTES_FORMATION_SPECIALISEE",
            "OUI",
            "RS5801",
            "",
            "",
            "2920699123456",
            "DUPONT",
            "OUI",
            "73282932000074",
            "MAT-042",
            "03/03/2026",
            "03/03/2028",
            "Admis",
            "Très bien",
            "https://example.org/preuves/42",
            "PR-42",
        ]
    );
}

#[test]
fn each_layout_takes_only_its_own_kind() {
    let all = [
        justificatif_without_training(),
        attestation(),
        justificatif_with_training(),
    ];
    let adf = write(Layout::Adf, &all).unwrap();
    assert_eq!(lines(&adf).len(), 3);
    assert!(!adf.contains("JDR-"));
    let jdr = write(Layout::Jdr, &all).unwrap();
    let jdr_lines = lines(&jdr);
    assert_eq!(jdr_lines.len(), 3);
    assert!(jdr_lines[1].starts_with("JDR-1|"));
    assert!(jdr_lines[2].starts_with("JDR-2|"));
    assert_eq!(
        write(Layout::Jdr, &[attestation()]).unwrap(),
        format!("{}\r\n", Layout::Jdr.header())
    );
}

#[test]
fn multi_values_are_joined_with_slashes_in_canonical_form() {
    let mut declaration = attestation();
    declaration.competence_transferable = codes(&["k2302", " 115650 ", "N1101"]);
    declaration.domaine_formation = codes(&["42829", "42817", "42819", "42866", "42875"]);
    declaration.specialite_formation = codes(&["344R", "333", "331r"]);
    let file = write(Layout::Adf, &[declaration]).unwrap();
    let fields: Vec<&str> = lines(&file)[1].split('|').collect();
    assert_eq!(fields[7], "K2302/115650/N1101");
    assert_eq!(fields[11], "42829/42817/42819/42866/42875");
    assert_eq!(fields[12], "344r/333/331r");
}

#[test]
fn a_nir_with_its_key_is_written_in_13_characters() {
    assert_eq!(
        compute_key(NIR_A).map(|key| format!("{key:02}")).as_deref(),
        Some(KEY_A)
    );
    let mut declaration = attestation();
    declaration.titulaires[0].nir = format!("{NIR_A}{KEY_A}");
    declaration.titulaires[1].nir = "2 92 06 99 123 456 18".to_owned();
    let file = write(Layout::Adf, &[declaration]).unwrap();
    let lines = lines(&file);
    assert_eq!(lines[1].split('|').nth(13), Some(NIR_A));
    assert_eq!(lines[2].split('|').nth(13), Some(NIR_B));
}

#[test]
fn a_nir_with_a_wrong_key_is_refused_without_being_repeated() {
    let mut declaration = attestation();
    declaration.titulaires[1].nir = format!("{NIR_B}19");
    let error = write(Layout::Adf, &[declaration]).unwrap_err();
    assert!(matches!(
        error,
        BulkError::InvalidIdentifier { at, source: IdError::InvalidKey { .. } }
            if at == place(3, 2, NIR)
    ));
    assert!(!error.to_string().contains(NIR_B));
}

#[test]
fn a_pipe_in_a_value_is_refused_with_its_line_and_column() {
    let mut declaration = attestation();
    declaration.titulaires[1].nom_titulaire = "DUPONT|MARTIN".to_owned();
    let error = write(Layout::Adf, &[declaration]).unwrap_err();
    assert_eq!(
        error,
        BulkError::ColumnSeparator {
            at: place(3, 2, NOM_TITULAIRE)
        }
    );
    assert!(error.to_string().starts_with("Ligne 3 (titulaire n° 2"));

    let mut declaration = attestation();
    declaration.reference_declaration = "SST | Lyon".to_owned();
    assert_eq!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::ColumnSeparator {
            at: place(2, 1, REFERENCE_DECLARATION)
        })
    );

    let mut declaration = justificatif_with_training();
    declaration.resultat_obtenu = "12|20".to_owned();
    assert_eq!(
        write(Layout::Jdr, &[declaration]),
        Err(BulkError::ColumnSeparator {
            at: place(2, 1, RESULTAT_OBTENU)
        })
    );
}

#[test]
fn line_breaks_in_a_value_are_refused() {
    for broken in [
        "Sauveteur\nsecouriste",
        "Sauveteur\r\n",
        "a\u{2028}b",
        "\rSST",
    ] {
        let mut declaration = attestation();
        declaration.nom_formation = broken.to_owned();
        assert_eq!(
            write(Layout::Adf, &[declaration]),
            Err(BulkError::LineBreak {
                at: place(2, 1, NOM_FORMATION)
            }),
            "{broken:?}"
        );
    }
    let mut declaration = attestation();
    declaration.titulaires[0].reference_employeur = "MAT\n042".to_owned();
    assert_eq!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::LineBreak {
            at: place(2, 1, REFERENCE_EMPLOYEUR)
        })
    );
}

#[test]
fn a_value_a_spreadsheet_would_compute_is_refused_not_written() {
    let mut declaration = attestation();
    declaration.titulaires[1].nom_titulaire = "=HYPERLINK(\"http://evil.example\")".to_owned();
    let error = write(Layout::Adf, &[declaration]).unwrap_err();
    assert_eq!(
        error,
        BulkError::FormulaStart {
            at: place(3, 2, NOM_TITULAIRE),
            first: '='
        }
    );
    assert!(
        error.to_string().ends_with(
            "la valeur commence par « = » : un tableur ouvrant le fichier la lirait \
                        comme une formule ; retirez ce caractère."
        ),
        "{error}"
    );
    for (value, first) in [(" @SUM(A1)", '@'), ("+1", '+'), ("-2+3", '-')] {
        let mut declaration = justificatif_with_training();
        declaration.resultat_obtenu = value.to_owned();
        assert_eq!(
            write(Layout::Jdr, &[declaration]),
            Err(BulkError::FormulaStart {
                at: place(2, 1, RESULTAT_OBTENU),
                first
            }),
            "{value:?}"
        );
    }
    let mut declaration = justificatif_with_training();
    declaration.resultat_obtenu = "-12".to_owned();
    assert!(
        write(Layout::Jdr, &[declaration]).is_ok(),
        "a negative number is a number"
    );
}

#[test]
fn separators_inside_codes_are_refused() {
    let mut declaration = attestation();
    declaration.domaine_formation = codes(&["42829", "42866/42875"]);
    assert_eq!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::ValueSeparator {
            at: place(2, 1, DOMAINE_FORMATION),
            position: 2
        })
    );
    let mut declaration = attestation();
    declaration.specialite_formation = codes(&["344r|333"]);
    assert_eq!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::ColumnSeparator {
            at: place(2, 1, SPECIALITE_FORMATION)
        })
    );
}

#[test]
fn unreadable_identifiers_are_refused() {
    let mut declaration = attestation();
    declaration.titulaires[0].siret_employeur = "12345678912345".to_owned();
    assert!(matches!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::InvalidIdentifier { at, .. }) if at == place(2, 1, SIRET_EMPLOYEUR)
    ));
    let mut declaration = attestation();
    declaration.competence_transferable = codes(&["115650", "", "400635"]);
    assert!(matches!(
        write(Layout::Adf, &[declaration]),
        Err(BulkError::InvalidIdentifier { at, source: IdError::Empty { .. } })
            if at == place(2, 1, COMPETENCE_TRANSFERABLE)
    ));
}

#[test]
fn text_is_trimmed_and_siret_compacted() {
    let mut declaration = attestation();
    declaration.nom_formation = "  Sauveteur secouriste du travail\t".to_owned();
    declaration.titulaires[0].siret_employeur = "732 829 320 00074".to_owned();
    let file = write(Layout::Adf, &[declaration]).unwrap();
    let fields: Vec<&str> = lines(&file)[1].split('|').collect();
    assert_eq!(fields[3], "Sauveteur secouriste du travail");
    assert_eq!(fields[16], SIRET);
}

#[test]
fn identifiers_repeated_across_declarations_are_refused() {
    let mut second = attestation();
    second.id_declaration = "DECL-2026-002".to_owned();
    second.titulaires[0].id_unique_partenaire = "P-0009".to_owned();
    second.titulaires[1].id_unique_partenaire = "P-0001".to_owned();
    assert_eq!(
        write(Layout::Adf, &[attestation(), second]),
        Err(BulkError::DuplicateIdUniquePartenaire {
            line: 5,
            first_line: 2
        })
    );
    let mut second = attestation();
    for (index, titulaire) in second.titulaires.iter_mut().enumerate() {
        titulaire.id_unique_partenaire = format!("Q-{index}");
    }
    assert_eq!(
        write(Layout::Adf, &[attestation(), second]),
        Err(BulkError::DuplicateIdDeclaration {
            line: 4,
            first_line: 2
        })
    );
}

#[test]
fn a_declaration_without_titulaire_is_refused() {
    let mut empty = justificatif_with_training();
    empty.titulaires.clear();
    assert_eq!(
        write(
            Layout::Jdr,
            &[attestation(), justificatif_without_training(), empty]
        ),
        Err(BulkError::NoTitulaire { declaration: 2 })
    );
}

#[test]
fn an_unknown_column_is_reported() {
    let declaration = attestation();
    assert_eq!(
        cell(&declaration, &declaration.titulaires[0], "NOUVELLE_COLONNE"),
        Err(BulkError::UnknownColumn {
            column: "NOUVELLE_COLONNE".to_owned()
        })
    );
}

#[test]
fn every_official_column_has_a_value() {
    let declaration = justificatif_with_training();
    for column in Layout::Adf.columns().iter().chain(Layout::Jdr.columns()) {
        assert!(cell(&declaration, &declaration.titulaires[0], column).is_ok());
    }
}

/// Text without `|` nor line breaks, not starting (once trimmed) as a formula: any other
/// character, accents and `/` included.
fn safe_text() -> impl Strategy<Value = String> {
    "([^|\r\n\u{0B}\u{0C}\u{85}\u{2028}\u{2029}=+@\\s-][^|\r\n\u{0B}\u{0C}\u{85}\u{2028}\u{2029}]{0,39})?"
}

/// A valid NIR, with or without its key.
fn nir() -> impl Strategy<Value = String> {
    ("[12][0-9]{2}(0[1-9]|1[0-2])[0-9]{8}", any::<bool>()).prop_map(|(body, with_key)| {
        match compute_key(&body) {
            Some(key) if with_key => format!("{body}{key:02}"),
            _ => body,
        }
    })
}

fn some_date() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of((1900i32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| date(y, m, d)))
}

fn titulaires() -> impl Strategy<Value = Vec<Titulaire>> {
    proptest::collection::vec(
        (
            safe_text(),
            nir(),
            safe_text(),
            proptest::option::of(any::<bool>()),
            prop_oneof![Just(String::new()), Just(SIRET.to_owned())],
            safe_text(),
        )
            .prop_map(|(id, nir, name, presence, siret, reference)| Titulaire {
                id_unique_partenaire: id,
                nir,
                nom_titulaire: name,
                presence_employeur: presence,
                siret_employeur: siret,
                reference_employeur: reference,
            }),
        1..4,
    )
}

fn declaration() -> impl Strategy<Value = Declaration> {
    let texts = proptest::collection::vec(safe_text(), 9);
    let lists = (
        proptest::collection::vec("[0-9]{1,7}|[A-Z][0-9]{4}", 0..10),
        proptest::collection::vec("[0-9]{5}", 0..5),
        proptest::collection::vec("[0-9]{3}[a-z]?", 0..3),
    );
    let choices = (
        any::<bool>(),
        proptest::option::of(proptest::sample::select(TypeJdr::ALL)),
        proptest::option::of(proptest::sample::select(ModeObtention::ALL)),
        proptest::option::of(proptest::sample::select(Modalite::ALL)),
        proptest::option::of(proptest::sample::select(QualificationFormateur::ALL)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        prop_oneof![Just(String::new()), Just("RS5801".to_owned())],
    );
    let dates = (some_date(), some_date(), some_date(), some_date());
    (texts, lists, choices, dates, titulaires()).prop_map(
        |(texts, lists, choices, dates, titulaires)| {
            let (jdr, type_jdr, mode, modalite, qualification, presence, certifying, rs) = choices;
            let kind = if jdr {
                DeclarationKind::Justificatif
            } else {
                DeclarationKind::Attestation
            };
            Declaration {
                id_declaration: texts[0].clone(),
                reference_declaration: texts[1].clone(),
                type_jdr,
                nom_jdr: texts[2].clone(),
                nom_option_specialite: texts[3].clone(),
                mode_obtention: mode,
                competence_transferable: lists.0,
                presence_formation: presence,
                nom_formation: texts[4].clone(),
                date_debut_formation: dates.0,
                date_fin_formation: dates.1,
                modalite_dispense: modalite,
                qualification_formateur: qualification,
                formation_certifiante: certifying,
                certification_visee: rs,
                domaine_formation: lists.1,
                specialite_formation: lists.2,
                date_debut_validite: dates.2,
                date_fin_validite: dates.3,
                resultat_obtenu: texts[5].clone(),
                mention_obtenue: texts[6].clone(),
                lien_preuve: texts[7].clone(),
                identifiant_preuve: texts[8].clone(),
                titulaires,
                ..Declaration::new(kind)
            }
        },
    )
}

proptest! {
    #[test]
    fn every_line_has_one_pipe_less_than_columns(declaration in declaration()) {
        let layout = Layout::for_kind(declaration.kind);
        let count = declaration.titulaires.len();
        // Identifiers are made unique here: repeats are a separate, tested refusal.
        let mut declaration = declaration;
        declaration.id_declaration = format!("D{}", declaration.id_declaration);
        for (index, titulaire) in declaration.titulaires.iter_mut().enumerate() {
            titulaire.id_unique_partenaire = format!("{index}-{}", titulaire.id_unique_partenaire);
        }
        let file = write(layout, std::slice::from_ref(&declaration)).unwrap();
        prop_assert!(file.ends_with("\r\n"));
        let lines: Vec<&str> = file[..file.len() - 2].split("\r\n").collect();
        prop_assert_eq!(lines.len(), count + 1);
        let pipes = layout.columns().len() - 1;
        for line in &lines {
            prop_assert!(!line.contains(['\r', '\n']));
            prop_assert_eq!(line.matches('|').count(), pipes);
        }
        for (line, titulaire) in lines[1..].iter().zip(&declaration.titulaires) {
            let nir_column = layout.columns().iter().position(|c| *c == NIR).unwrap();
            prop_assert_eq!(line.split('|').nth(nir_column), Some(&titulaire.nir[..13]));
        }
    }
}
