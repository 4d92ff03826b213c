//! The streamed check against the reader: the same problems at the same places on the
//! fixtures and on files mutated at random, and the stricter rules of an official file.

use std::io::Cursor;

use proptest::prelude::*;

use super::*;
use crate::bulk::read;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn checked(text: &str) -> Conformity {
    check(
        Cursor::new(text.as_bytes().to_vec()),
        DeclarantKind::OrganismeFormation,
        today(),
    )
    .unwrap()
}

/// Asserts the streamed check finds what the reader finds, and returns it.
fn same_as_the_reader(text: &str) -> Conformity {
    let streamed = checked(text);
    let whole = read::read(text.as_bytes(), DeclarantKind::OrganismeFormation, today()).unwrap();
    assert_eq!(streamed.errors, whole.errors, "{text}");
    assert_eq!(streamed.declarations, whole.declarations.len(), "{text}");
    assert_eq!(streamed.titulaires, whole.titulaire_count(), "{text}");
    assert_eq!(streamed.more_errors, 0);
    streamed
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// One ADF line: declaration `d`, titulaire `t`.
fn adf_line(d: usize, t: usize) -> Vec<String> {
    [
        format!("D{d}"),
        format!("REF-D{d}"),
        format!("D{d}-L{t}"),
        "Gestes et postures".to_owned(),
        "05/10/2026".to_owned(),
        "06/10/2026".to_owned(),
        "PRESENTIEL".to_owned(),
        "115650/121885/400635".to_owned(),
        "PREVENTEUR".to_owned(),
        "NON".to_owned(),
        String::new(),
        "42829".to_owned(),
        "344r".to_owned(),
        format!("2900669{:06}", d * 100 + t),
        format!("NOM{t}"),
        "NON".to_owned(),
        String::new(),
        String::new(),
        "06/10/2026".to_owned(),
        String::new(),
    ]
    .to_vec()
}

fn file_of(lines: &[Vec<String>]) -> String {
    let mut text = Layout::Adf.header() + "\r\n";
    for line in lines {
        text.push_str(&line.join("|"));
        text.push_str("\r\n");
    }
    text
}

fn base(declarations: usize, titulaires: usize) -> Vec<Vec<String>> {
    (0..declarations)
        .flat_map(|d| (0..titulaires).map(move |t| adf_line(d, t)))
        .collect()
}

#[test]
fn the_fixtures_read_the_same_and_the_official_ones_conform() {
    for name in ["adf-avec-entete.csv", "jdr.csv", "nir-inhabituels.csv"] {
        let found = same_as_the_reader(&fixture(name));
        assert!(found.is_conform(), "{name}: {found:?}");
    }
    let errors = fixture("erreurs.csv").replace(';', "|");
    let found = same_as_the_reader(&errors);
    assert!(found.errors.len() >= 8, "{found:?}");
    assert!(!found.is_conform());
}

#[test]
fn a_generated_file_conforms_with_its_counts() {
    let found = same_as_the_reader(&file_of(&base(3, 4)));
    assert!(found.is_conform(), "{found:?}");
    assert_eq!((found.declarations, found.titulaires), (3, 12));
    assert_eq!(found.kind, Some(DeclarationKind::Attestation));
    assert!(found.warnings.is_empty());
}

#[test]
fn declaration_rules_read_the_same_as_the_reader() {
    // Training data differing from the declaration's first line, a repeated NIR and a repeated
    // ID_UNIQUE_PARTENAIRE, a declaration whose lines are not together, a line without
    // ID_DECLARATION, a wrong width, a blank line.
    let mut lines = base(3, 3);
    lines[1][3] = "Autre formation".to_owned();
    lines[2][13] = lines[0][13].clone();
    lines[4][2] = lines[0][2].clone();
    lines.swap(2, 6);
    lines[7][0] = String::new();
    lines[8].push("de trop".to_owned());
    let mut text = file_of(&lines);
    text.push_str("\r\n");
    let found = same_as_the_reader(&text);
    assert!(found.errors.len() >= 5, "{found:?}");
}

#[test]
fn more_than_500_titulaires_are_reported_at_the_first_line() {
    let found = same_as_the_reader(&file_of(&base(1, 501)));
    assert_eq!(found.errors.len(), 1, "{found:?}");
    assert_eq!(found.errors[0].line, 2);
    assert_eq!(found.errors[0].column.as_deref(), Some(ID_DECLARATION));
    assert!(found.errors[0].message.contains("501"), "{found:?}");
}

#[test]
fn an_official_file_needs_the_official_header_and_utf8() {
    let lines = base(1, 2);
    let headerless: String = lines.iter().map(|l| l.join("|") + "\r\n").collect();
    let found = checked(&headerless);
    assert_eq!(found.kind, None);
    assert_eq!(found.errors.len(), 1);
    assert!(
        found.errors[0].message.contains("ce fichier n'en a pas"),
        "{found:?}"
    );
    assert!(found.bytes > 0);

    let mut reordered = Layout::Adf.columns().to_vec();
    reordered.swap(0, 1);
    let found = checked(&format!("{}\r\n{headerless}", reordered.join("|")));
    assert!(
        found.errors[0].message.contains("pas exactement celles-là"),
        "{found:?}"
    );

    let mut latin1 = file_of(&lines).into_bytes();
    let at = latin1.len() - 10;
    latin1[at] = 0xE9;
    let found = check(
        Cursor::new(latin1),
        DeclarantKind::OrganismeFormation,
        today(),
    )
    .unwrap();
    assert_eq!(found.errors.len(), 1, "{found:?}");
    assert!(found.errors[0].message.contains("UTF-8"));
    assert_eq!(found.errors[0].line, 3);
}

#[test]
fn a_bom_and_other_line_ends_are_warnings_marked_as_assumptions() {
    let text = format!("\u{feff}{}", file_of(&base(1, 2)).replace("\r\n", "\n"));
    let found = same_as_the_reader(&text);
    assert!(found.is_conform(), "{found:?}");
    assert_eq!(found.warnings.len(), 2, "{:?}", found.warnings);
    assert!(
        found
            .warnings
            .iter()
            .all(|w| w.message.contains("hypothèse, à confirmer"))
    );
}

#[test]
fn what_is_no_text_file_is_refused_as_the_reader_refuses_it() {
    let refused = |bytes: &[u8]| {
        check(
            Cursor::new(bytes.to_vec()),
            DeclarantKind::OrganismeFormation,
            today(),
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(refused(b""), "le fichier est vide");
    assert!(refused(b"PK\x03\x04rest").contains("classeur"));
    assert!(refused(&[0xFF, 0xFE, b'I', 0]).contains("UTF-16"));
    let header = Layout::Adf.header();
    assert_eq!(
        refused(format!("{header}\r\n").as_bytes()),
        "le fichier ne contient aucune ligne de titulaire"
    );
    assert!(refused(format!("{header}\r\nD1|\0\r\n").as_bytes()).contains("octet nul ligne 2"));
    let long = format!("{header}\r\n{}", "x".repeat(MAX_LINE_BYTES + 10));
    assert!(refused(long.as_bytes()).contains("ligne 2"));
}

#[test]
fn errors_past_the_kept_ones_are_counted() {
    let mut lines = base(1, 3);
    for _ in 0..(MAX_KEPT_ERRORS + 200) {
        lines.push(vec!["trop court".to_owned()]);
    }
    let found = checked(&file_of(&lines));
    assert_eq!(found.errors.len(), MAX_KEPT_ERRORS);
    assert_eq!(found.more_errors, 200);
    assert_eq!(found.error_count(), MAX_KEPT_ERRORS + 200);
}

#[test]
fn a_file_over_the_platform_limit_is_a_file_error() {
    let mut found = checked(&file_of(&base(1, 1)));
    assert!(found.is_conform());
    found.bytes = MAX_FILE_BYTES as u64 + 1;
    add_size_error(&mut found);
    assert!(!found.is_conform());
    assert!(
        found.file_errors[0].contains("200000001 octets"),
        "{:?}",
        found.file_errors
    );
}

/// Values a mutated cell takes: valid ones, refused ones, another line's.
fn value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(Some(String::new())),
        Just(Some("=1+1".to_owned())),
        Just(Some("abc".to_owned())),
        Just(Some("31/02/2026".to_owned())),
        Just(Some("01/01/2030".to_owned())),
        Just(Some("OUI".to_owned())),
        Just(Some("2900669000001".to_owned())),
        Just(Some("115650/121885".to_owned())),
        Just(Some("-25".to_owned())),
        Just(Some("D0".to_owned())),
        Just(Some("D1-L0".to_owned())),
        Just(None),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn mutated_files_read_the_same_as_the_reader(
        edits in proptest::collection::vec((0usize..12, 0usize..20, value()), 0..8),
        swaps in proptest::collection::vec((0usize..12, 0usize..12), 0..3),
    ) {
        let mut lines = base(4, 3);
        for (line, column, value) in edits {
            match value {
                Some(value) => lines[line][column] = value,
                // Another line's value in the same column.
                None => lines[line][column] = lines[(line + 5) % 12][column].clone(),
            }
        }
        for (a, b) in swaps {
            lines.swap(a, b);
        }
        let text = file_of(&lines);
        let streamed = checked(&text);
        let whole = read::read(text.as_bytes(), DeclarantKind::OrganismeFormation, today()).unwrap();
        prop_assert_eq!(&streamed.errors, &whole.errors);
        prop_assert_eq!(streamed.declarations, whole.declarations.len());
        prop_assert_eq!(streamed.titulaires, whole.titulaire_count());
    }
}

/// The fuzz corpus of the reader (fuzz/corpus/bulk_read): never a panic, and where a file is
/// an official one (the exact header, UTF-8), the same problems as the reader.
#[test]
fn the_reader_fuzz_corpus_checks_the_same() {
    let dir = format!("{}/fuzz/corpus/bulk_read", env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let streamed = check(
            Cursor::new(bytes.clone()),
            DeclarantKind::OrganismeFormation,
            today(),
        );
        let whole = read::read(&bytes, DeclarantKind::OrganismeFormation, today());
        if let (Ok(streamed), Ok(whole)) = (streamed, whole)
            && streamed.kind.is_some()
            && std::str::from_utf8(&bytes).is_ok()
        {
            assert_eq!(streamed.errors, whole.errors);
            compared += 1;
        }
    }
    assert!(compared >= 1, "the corpus holds official files");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2_000),
        header in any::<bool>(),
    ) {
        let mut input = if header {
            (Layout::Jdr.header() + "\r\n").into_bytes()
        } else {
            Vec::new()
        };
        input.extend(bytes);
        for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
            if let Ok(found) = check(Cursor::new(input.clone()), declarant, today()) {
                prop_assert!(found.errors.iter().all(|e| !e.message.trim().is_empty()));
            }
        }
    }
}
