//! Fuzz-style property tests: the fallback of issue 8 (part 3) for a machine with one stable
//! toolchain, where cargo-fuzz (nightly) cannot run. Every entry point that reads outside input
//! gets arbitrary bytes, arbitrary text and structured mutations of valid inputs, and must never
//! panic; what it accepts must round-trip, and what it refuses must say where.
//!
//! Targets, each with a seed corpus under `fuzz/corpus/<target>/` that these tests replay
//! (`fuzz/README.md` runs the same targets with cargo-fuzz on a nightly machine):
//! - `ids`: every identifier parser of `passeport::domain::ids` (`FromStr`);
//! - `bulk_read`: the import reader `passeport::bulk::read::read` (ADF, JDR, spreadsheet CSV);
//! - `catalogue`, `deadlines`, `simulator`: the rules loaders (`Catalogue::from_toml`,
//!   `DeadlineRules::from_toml`, `Tree::from_toml`, then a random walk through the tree);
//! - `config`: `passeport::config::Config::load` on a file.
//!
//! Corpus file names carry the expected verdict: `valid-*` must be accepted, `broken-*` refused
//! (`broken-line-N-*`: at line N), `errors-*` read with located errors (bulk files;
//! `errors-line-N-*`: all on line N), and for `ids` `<type>-valid-*` / `<type>-invalid-*`.

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use passeport::bulk::read::{ImportFile, ReadError, read};
use passeport::bulk::{self, Layout};
use passeport::config::{Config, ConfigError};
use passeport::domain::deadline::{DEADLINES_TOML, DeadlineRules};
use passeport::domain::declaration::columns::{self, *};
use passeport::domain::declaration::{
    Declaration, Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use passeport::domain::ids::{
    CertificationCode, Competence, Formacode, IdError, IdKind, Nda, Nir, Nsf, Siren, Siret,
    compute_key,
};
use passeport::domain::training::{CATALOGUE_TOML, Catalogue};
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::rules::RulesError;
use passeport::simulator::{SIMULATOR_TOML, Step, Tree, Walk};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

/// The variable that sets the cases per property, for a longer campaign than `cargo test`'s.
const CASES_VAR: &str = "PASSEPORT_FUZZ_CASES";

/// The runner's configuration: `default` cases (or `PASSEPORT_FUZZ_CASES`), failures saved in
/// `tests/fuzz_props.proptest-regressions` and replayed first.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// The frozen today of the bulk-file checks (the corpus dates are before it).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

/// The directory of a target's seed corpus.
fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target)
}

/// Every `(file name, bytes)` of a target's corpus, by name; a corpus is never empty.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{}: a few seeds", dir.display());
    files
}

/// The line a `broken-line-N-…` or `errors-line-N-…` name announces.
fn announced_line(name: &str) -> Option<usize> {
    name.strip_prefix("broken-line-")
        .or_else(|| name.strip_prefix("errors-line-"))?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Lines of a text: line breaks (LF, CRLF, or a lone CR as old Mac spreadsheets write) plus one.
fn line_count(bytes: &[u8]) -> usize {
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

// ---------------------------------------------------------------------------------------------
// Target `ids`
// ---------------------------------------------------------------------------------------------

/// What every identifier type offers.
trait Id: FromStr<Err = IdError> + Debug + PartialEq + Clone + serde::Serialize {
    const KIND: IdKind;
    fn text(&self) -> &str;
}

macro_rules! id_types {
    ($($ty:ident => $kind:ident),* $(,)?) => {$(
        impl Id for $ty {
            const KIND: IdKind = IdKind::$kind;
            fn text(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}

id_types!(
    Nir => Nir,
    Siren => Siren,
    Siret => Siret,
    Nda => Nda,
    CertificationCode => CertificationCode,
    Formacode => Formacode,
    Nsf => Nsf,
    Competence => Competence,
);

/// One parser on one input: whatever parses round-trips through its canonical text, its
/// `Display` and serde; whatever fails names the identifier, and a NIR is never echoed.
fn check_id<T: Id + serde::de::DeserializeOwned>(input: &str) -> Result<T, IdError> {
    let parsed = input.parse::<T>();
    match &parsed {
        Ok(value) => {
            let again: T = value.text().parse().unwrap_or_else(|e| {
                panic!(
                    "{:?}: canonical {:?} no longer parses: {e}",
                    T::KIND,
                    value.text()
                )
            });
            assert_eq!(
                &again,
                value,
                "{:?} canonical round trip of {input:?}",
                T::KIND
            );
            let json = serde_json::to_string(value).unwrap();
            let back: T = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, value, "{:?} serde round trip", T::KIND);
        }
        Err(error) => {
            assert_eq!(error.kind(), T::KIND);
            let message = error.to_string();
            assert!(message.starts_with(T::KIND.label()), "{message}");
            assert!(!error.code().is_empty());
            if T::KIND == IdKind::Nir {
                let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
                assert!(
                    compact.chars().count() < 5 || !message.contains(&compact),
                    "a NIR error echoes the number: {message}"
                );
            }
        }
    }
    parsed
}

/// Every parser on one input, with the extra guarantees of the NIR and the SIRET.
fn check_all_ids(input: &str) {
    if let Ok(nir) = check_id::<Nir>(input) {
        assert_eq!(nir.text().chars().count(), 13);
        let with_key: Nir = nir.with_key().parse().unwrap();
        assert_eq!(with_key, nir);
        let shown: Nir = nir.to_string().parse().unwrap();
        assert_eq!(shown, nir, "Display parses back");
        assert!(
            !format!("{nir:?}").contains(nir.as_str()),
            "Debug is masked"
        );
        assert!(!nir.masked().contains(nir.as_str()));
        assert_eq!(compute_key(nir.as_str()), Some(nir.key()));
    }
    if let Ok(siret) = check_id::<Siret>(input) {
        assert_eq!(siret.as_str().len(), 14);
        let siren: Siren = siret.siren().as_str().parse().unwrap();
        assert_eq!(siren, siret.siren());
    }
    if let Ok(siren) = check_id::<Siren>(input) {
        assert_eq!(siren.as_str().len(), 9);
    }
    let _ = check_id::<Nda>(input);
    if let Ok(code) = check_id::<CertificationCode>(input) {
        assert!(
            code.is_rs() || code.is_rncp() || code.as_str().bytes().all(|b| b.is_ascii_digit())
        );
    }
    let _ = check_id::<Formacode>(input);
    let _ = check_id::<Nsf>(input);
    let _ = check_id::<Competence>(input);
}

/// Whether `input` parses as the type a corpus name starts with.
fn parses_as(kind: &str, input: &str) -> bool {
    match kind {
        "nir" => input.parse::<Nir>().is_ok(),
        "siren" => input.parse::<Siren>().is_ok(),
        "siret" => input.parse::<Siret>().is_ok(),
        "nda" => input.parse::<Nda>().is_ok(),
        "certification" => input.parse::<CertificationCode>().is_ok(),
        "formacode" => input.parse::<Formacode>().is_ok(),
        "nsf" => input.parse::<Nsf>().is_ok(),
        "competence" => input.parse::<Competence>().is_ok(),
        other => panic!("corpus ids: unknown type prefix {other}"),
    }
}

#[test]
fn ids_corpus_replays() {
    for (name, bytes) in corpus("ids") {
        let input = String::from_utf8_lossy(&bytes);
        check_all_ids(&input);
        let (kind, rest) = name.split_once('-').unwrap();
        let expected = rest.starts_with("valid");
        assert!(
            expected || rest.starts_with("invalid"),
            "{name}: valid or invalid"
        );
        assert_eq!(parses_as(kind, &input), expected, "{name}");
    }
}

/// A NIR body (13 characters, Corsica sometimes) with its key, as people type it.
fn nir_like() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!['1', '2', '7', '8', '3']),
        0..100u32,
        prop::sample::select(vec![1u32, 6, 12, 13, 20, 50, 99, 0]),
        prop::sample::select(vec!["75", "2A", "2B", "2a", "97", "19"]),
        0..1000u32,
        0..1000u32,
        0..4usize,
    )
        .prop_map(|(sex, year, month, dept, commune, order, style)| {
            let body = format!("{sex}{year:02}{month:02}{dept}{commune:03}{order:03}");
            let key = compute_key(&body).unwrap_or(0);
            match style {
                0 => body,
                1 => format!("{body}{key:02}"),
                2 => format!("{body}{:02}", (key + 1) % 100),
                _ => format!(" {} {} ", &body[..5], &body[5..]),
            }
        })
}

/// A digit string around the SIREN/SIRET lengths, sometimes La Poste's, sometimes punctuated.
fn digits_like() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "356000000", "732829320"]),
        "[0-9]{0,15}",
        prop::sample::select(vec!["", " ", ".", "-", "\u{a0}"]),
    )
        .prop_map(|(prefix, digits, sep)| {
            let all = format!("{prefix}{digits}");
            all.chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 3 == 2 {
                        format!("{c}{sep}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn ids_never_panic_on_arbitrary_text(input in any::<String>()) {
        check_all_ids(&input);
    }

    #[test]
    fn ids_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check_all_ids(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn ids_round_trip_near_valid_text(
        input in prop_oneof![
            nir_like(),
            digits_like(),
            "(?i)(rncp|rs)?[0-9]{0,8}",
            "[0-9]{3}[a-zA-Z]?[ -]?",
            "[A-Za-z]?[0-9]{0,8}",
            "[0-9A-Za-z .\\-\u{a0}\u{2007}]{0,20}",
        ]
    ) {
        check_all_ids(&input);
    }
}

// ---------------------------------------------------------------------------------------------
// Target `bulk_read`
// ---------------------------------------------------------------------------------------------

/// The reader's guarantees on any input, for both declarants: no panic; every error is located
/// on a line of the file, at an official column of the detected layout or on the whole line,
/// with a message; errors are sorted; each declaration's titulaires match their lines.
fn check_read(bytes: &[u8]) -> Vec<Result<ImportFile, ReadError>> {
    let lines = line_count(bytes);
    let mut out = Vec::new();
    for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
        let result = read(bytes, declarant, today());
        match &result {
            Ok(file) => {
                let order = columns::for_kind(file.shape.kind);
                let rank = |column: &Option<String>| {
                    column
                        .as_deref()
                        .map_or(0, |c| order.iter().position(|o| *o == c).unwrap() + 1)
                };
                for error in &file.errors {
                    assert!(
                        (1..=lines).contains(&error.line),
                        "line {} of a {lines}-line file: {error}",
                        error.line
                    );
                    if let Some(column) = &error.column {
                        assert!(order.contains(&column.as_str()), "column {column}");
                    }
                    assert!(!error.message.trim().is_empty());
                    assert!(
                        error
                            .to_string()
                            .starts_with(&format!("ligne {}", error.line))
                    );
                }
                assert!(
                    file.errors
                        .windows(2)
                        .all(|w| (w[0].line, rank(&w[0].column)) <= (w[1].line, rank(&w[1].column))),
                    "errors sorted by line and column"
                );
                assert_eq!(file.is_valid(), file.errors.is_empty());
                let mut seen_lines: Vec<usize> = Vec::new();
                for imported in &file.declarations {
                    assert_eq!(imported.declaration.kind, file.shape.kind);
                    assert_eq!(imported.lines.len(), imported.declaration.titulaires.len());
                    assert!(!imported.lines.is_empty());
                    assert!(imported.lines.windows(2).all(|w| w[0] < w[1]));
                    assert!(imported.lines.iter().all(|l| (1..=lines).contains(l)));
                    assert_eq!(imported.idempotency_key.len(), 64);
                    seen_lines.extend(&imported.lines);
                }
                let count = seen_lines.len();
                seen_lines.sort_unstable();
                seen_lines.dedup();
                assert_eq!(seen_lines.len(), count, "a line read into two titulaires");
                assert_eq!(file.titulaire_count(), count);
            }
            Err(error) => {
                assert!(!error.to_string().trim().is_empty());
                if let ReadError::Binary { line } | ReadError::Malformed { line, .. } = error {
                    assert!((1..=lines).contains(line), "line {line} of {lines}");
                }
            }
        }
        out.push(result);
    }
    out
}

#[test]
fn bulk_read_corpus_replays() {
    for (name, bytes) in corpus("bulk_read") {
        let results = check_read(&bytes);
        for result in results {
            if name.starts_with("valid-") {
                let file = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(file.errors, vec![], "{name}");
                assert!(!file.declarations.is_empty(), "{name}");
            } else if name.starts_with("errors-") {
                let file = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!file.errors.is_empty(), "{name}");
                if let Some(line) = announced_line(&name) {
                    assert!(
                        file.errors.iter().all(|e| e.line == line),
                        "{name}: {:?}",
                        file.errors
                    );
                }
            } else {
                assert!(
                    name.starts_with("broken-"),
                    "{name}: valid, errors or broken"
                );
                let Err(error) = result else {
                    panic!("{name}: read")
                };
                if let (
                    Some(line),
                    ReadError::Binary { line: at } | ReadError::Malformed { line: at, .. },
                ) = (announced_line(&name), &error)
                {
                    assert_eq!(*at, line, "{name}: {error}");
                }
            }
        }
    }
}

/// A NIR body (13 digits, valid month) whose order number is `n`.
fn nir_body(n: usize) -> String {
    format!("1850375{:03}{:03}", n / 1000 % 1000, n % 1000)
}

/// The cells of a valid line of `kind` for declaration `d`, titulaire `t`.
fn valid_cells(kind: DeclarationKind, d: usize, t: usize) -> Vec<String> {
    let jdr = kind == DeclarationKind::Justificatif;
    columns::for_kind(kind)
        .iter()
        .map(|column| match *column {
            ID_DECLARATION => format!("DECL-{d}"),
            REFERENCE_DECLARATION => format!("REF-{d}"),
            ID_UNIQUE_PARTENAIRE => format!("DECL-{d}-L{t}"),
            TYPE_JDR => "CERTIFICAT".to_owned(),
            NOM_JDR => "Certificat de sauveteur secouriste du travail".to_owned(),
            MODE_OBTENTION => "PAR_ADMISSION".to_owned(),
            PRESENCE_FORMATION => "OUI".to_owned(),
            NOM_FORMATION => "Sauveteur secouriste du travail".to_owned(),
            DATE_DEBUT_FORMATION => "01/06/2026".to_owned(),
            DATE_FIN_FORMATION => "02/06/2026".to_owned(),
            MODALITE_DISPENSE => "PRESENTIEL".to_owned(),
            COMPETENCE_TRANSFERABLE => "115650/121885/400635".to_owned(),
            QUALIFICATION_FORMATEUR => "PREVENTEUR".to_owned(),
            FORMATION_CERTIFIANTE if jdr => "OUI".to_owned(),
            FORMATION_CERTIFIANTE => "NON".to_owned(),
            CERTIFICATION_VISEE if jdr => "RS5801".to_owned(),
            DOMAINE_FORMATION if !jdr => "42829".to_owned(),
            SPECIALITE_FORMATION if !jdr => "344r".to_owned(),
            NIR => nir_body(d * 10 + t),
            NOM_TITULAIRE => "DUPONT".to_owned(),
            PRESENCE_EMPLOYEUR => "OUI".to_owned(),
            SIRET_EMPLOYEUR => "73282932000074".to_owned(),
            REFERENCE_EMPLOYEUR => format!("MAT-{d}-{t}"),
            DATE_DEBUT_VALIDITE => "02/06/2026".to_owned(),
            DATE_FIN_VALIDITE => "02/06/2028".to_owned(),
            RESULTAT_OBTENU => "Admis".to_owned(),
            _ => String::new(),
        })
        .collect()
}

/// An official file: header, then the rows joined with `|` and CRLF.
fn official(kind: DeclarationKind, rows: &[Vec<String>]) -> String {
    let mut out = columns::for_kind(kind).join("|");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.join("|"));
        out.push_str("\r\n");
    }
    out
}

/// A structural change to the bytes of a file.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteRange(Index, usize),
    Insert(Index, Vec<u8>),
    Replace(Index, u8),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
    Truncate(Index),
    Separator(u8, u8),
    Quote(Index),
    LineEnds(&'static [u8]),
    Bom,
    Windows1252,
    SepLine(u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let separator = prop::sample::select(vec![b'|', b';', b',', b'\t', b'/', b'"']);
    prop_oneof![
        (any::<Index>(), 1..40usize).prop_map(|(i, n)| Mutation::DeleteRange(i, n)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..12))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (
            any::<Index>(),
            prop::sample::select(vec![b'|', b'"', b'\n', b'\r', 0xE9, 0xFF, b'/', b' ', 0])
        )
            .prop_map(|(i, b)| Mutation::Replace(i, b)),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::DeleteLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (separator.clone(), separator.clone()).prop_map(|(a, b)| Mutation::Separator(a, b)),
        any::<Index>().prop_map(Mutation::Quote),
        prop::sample::select(vec![&b"\n"[..], b"\r\n", b"\r"]).prop_map(Mutation::LineEnds),
        Just(Mutation::Bom),
        Just(Mutation::Windows1252),
        separator.prop_map(Mutation::SepLine),
    ]
}

/// Splits bytes into lines, each with its `\n`.
fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::DeleteRange(at, n) if len > 0 => {
            let start = at.index(len);
            bytes.drain(start..(start + n).min(len));
        }
        Mutation::Insert(at, new) => {
            let at = at.index(len + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Replace(at, b) if len > 0 => bytes[at.index(len)] = *b,
        Mutation::Quote(at) => {
            let at = at.index(len + 1);
            bytes.insert(at, b'"');
        }
        Mutation::Truncate(at) => bytes.truncate(at.index(len + 1)),
        Mutation::DuplicateLine(at) | Mutation::DeleteLine(at) => {
            let mut lines = split_lines(bytes);
            if lines.is_empty() {
                return;
            }
            let i = at.index(lines.len());
            if matches!(mutation, Mutation::DuplicateLine(_)) {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            } else {
                lines.remove(i);
            }
            *bytes = lines.concat();
        }
        Mutation::SwapLines(a, b) => {
            let mut lines = split_lines(bytes);
            if lines.is_empty() {
                return;
            }
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            *bytes = lines.concat();
        }
        Mutation::Separator(from, to) => {
            for b in bytes.iter_mut().filter(|b| **b == *from) {
                *b = *to;
            }
        }
        Mutation::LineEnds(end) => {
            let text: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'\r').collect();
            *bytes = text.split(|&b| b == b'\n').collect::<Vec<_>>().join(*end);
        }
        Mutation::Bom => bytes.splice(0..0, [0xEF, 0xBB, 0xBF]).for_each(drop),
        Mutation::Windows1252 => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let (encoded, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
            *bytes = encoded.into_owned();
        }
        Mutation::SepLine(separator) => {
            let mut line = b"sep=".to_vec();
            line.push(*separator);
            line.extend_from_slice(b"\r\n");
            bytes.splice(0..0, line).for_each(drop);
        }
        Mutation::DeleteRange(..) | Mutation::Replace(..) => {}
    }
}

/// The seeds mutated by the structured tests: the valid corpus files and generated files.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = corpus("bulk_read")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("broken-"))
        .map(|(_, bytes)| bytes)
        .collect();
    for kind in [DeclarationKind::Attestation, DeclarationKind::Justificatif] {
        let rows: Vec<Vec<String>> = (0..3)
            .flat_map(|d| (0..2).map(move |t| valid_cells(kind, d, t)))
            .collect();
        let text = official(kind, &rows);
        let without_header = text.split_once("\r\n").unwrap().1.to_owned();
        seeds.push(text.into_bytes());
        seeds.push(without_header.into_bytes());
    }
    seeds
}

/// Text of one cell for the locality test: no separator, quote or line break, so the line keeps
/// its columns.
fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ \t]{1,3}",
        "[^|\"\r\n\x00]{0,40}",
        "(?i)(oui|non|presentiel|a_distance|certificat|rs5801|42829|344r|[0-9/ -]{0,12})",
        "[0-9]{1,2}/[0-9]{1,2}/[0-9]{1,5}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9A-Z]{0,16}",
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn bulk_read_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..4096)
    ) {
        check_read(&bytes);
    }

    #[test]
    fn bulk_read_never_panics_on_mutated_files(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let mut bytes = seeds[seed.index(seeds.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_read(&bytes);
    }

    /// One cell of one line changed (without touching the line's columns): every error is on
    /// that line and names a column.
    #[test]
    fn bulk_read_locates_a_bad_cell_on_its_line_and_column(
        jdr in any::<bool>(),
        count in 1..5usize,
        row in any::<Index>(),
        column in any::<Index>(),
        value in cell_text(),
    ) {
        let kind = if jdr { DeclarationKind::Justificatif } else { DeclarationKind::Attestation };
        let mut rows: Vec<Vec<String>> = (0..count).map(|d| valid_cells(kind, d, 0)).collect();
        let (row, column) = (row.index(count), column.index(columns::for_kind(kind).len()));
        let name = columns::for_kind(kind)[column];
        if [ID_DECLARATION, ID_UNIQUE_PARTENAIRE].contains(&name) {
            // Another line's identifier would join or repeat it: not one line's problem.
            let others: Vec<&str> = rows.iter().map(|r| r[column].trim()).collect();
            prop_assume!(!others.contains(&value.trim()) || value.trim().is_empty());
        }
        rows[row][column] = value;
        let text = official(kind, &rows);
        for result in check_read(text.as_bytes()) {
            let file = result.unwrap();
            for error in &file.errors {
                prop_assert_eq!(error.line, row + 2, "{}", error);
                prop_assert!(error.column.is_some(), "{}", error);
            }
        }
    }
}

/// A declaration of random but writable content (text without `|`, line breaks or surrounding
/// blanks; identifiers that parse), for the writer → reader round trip.
fn declaration() -> impl Strategy<Value = Declaration> {
    let text = "[^|\r\n\x00-\x1f\x7f]{0,30}".prop_map(|s| s.trim().to_owned());
    let list = |codes: Vec<&'static str>| {
        prop::collection::vec(prop::sample::select(codes), 0..4)
            .prop_map(|v| v.into_iter().map(str::to_owned).collect::<Vec<String>>())
    };
    let day =
        (2020..2030i32, 1..13u32, 1..29u32).prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
    let titulaire = (
        text.clone(),
        0..1000usize,
        text.clone(),
        any::<Option<bool>>(),
        text.clone(),
    )
        .prop_map(|(id, n, name, presence, reference)| Titulaire {
            id_unique_partenaire: id,
            nir: nir_body(n),
            nom_titulaire: name,
            presence_employeur: presence,
            siret_employeur: if presence == Some(true) {
                "73282932000074".to_owned()
            } else {
                String::new()
            },
            reference_employeur: reference,
        });
    (
        (
            any::<bool>(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
        ),
        (
            prop::option::of(day.clone()),
            prop::option::of(day.clone()),
            prop::option::of(day),
        ),
        (
            list(vec!["115650", "121885", "K2302", "N1101"]),
            list(vec!["42829", "42866", "31407"]),
            list(vec!["344r", "333", "331r"]),
        ),
        (
            any::<Option<bool>>(),
            any::<Option<bool>>(),
            any::<Index>(),
            any::<Index>(),
        ),
        prop::collection::vec(titulaire, 1..4),
    )
        .prop_map(|(head, dates, codes, choices, titulaires)| {
            let (jdr, id, reference, name, free) = head;
            let kind = if jdr {
                DeclarationKind::Justificatif
            } else {
                DeclarationKind::Attestation
            };
            let mut d = Declaration::new(kind);
            d.id_declaration = id;
            d.reference_declaration = reference;
            d.nom_formation = name;
            d.date_debut_formation = dates.0.flatten();
            d.date_fin_formation = dates.1.flatten();
            d.date_debut_validite = dates.2.flatten();
            d.competence_transferable = codes.0;
            d.domaine_formation = codes.1;
            d.specialite_formation = codes.2;
            d.formation_certifiante = choices.0;
            d.modalite_dispense = Some(Modalite::ALL[choices.2.index(Modalite::ALL.len())]);
            d.qualification_formateur = Some(
                QualificationFormateur::ALL[choices.3.index(QualificationFormateur::ALL.len())],
            );
            if jdr {
                d.type_jdr = Some(TypeJdr::ALL[choices.2.index(TypeJdr::ALL.len())]);
                d.mode_obtention =
                    Some(ModeObtention::ALL[choices.3.index(ModeObtention::ALL.len())]);
                d.presence_formation = choices.1;
                d.nom_jdr = free.clone();
                d.resultat_obtenu = free;
            }
            d.titulaires = titulaires;
            d
        })
}

proptest! {
    #![proptest_config(config(256))]

    /// What the writer writes, the reader reads back: the same declarations, whatever their text.
    #[test]
    fn bulk_write_then_read_gives_the_declarations_back(mut declaration in declaration()) {
        // Unique identifiers, as the writer requires across a file.
        for (n, titulaire) in declaration.titulaires.iter_mut().enumerate() {
            if !titulaire.id_unique_partenaire.is_empty() {
                titulaire.id_unique_partenaire.push_str(&format!("#{n}"));
            }
        }
        let layout = Layout::for_kind(declaration.kind);
        let written = bulk::write(layout, std::slice::from_ref(&declaration));
        let text = match written {
            Ok(text) => text,
            Err(error) => {
                // Only values the format cannot hold are refused.
                let message = error.to_string();
                prop_assert!(!message.is_empty());
                return Ok(());
            }
        };
        for result in check_read(text.as_bytes()) {
            let file = result.unwrap();
            let read_back: Vec<&Declaration> =
                file.declarations.iter().map(|d| &d.declaration).collect();
            if declaration.id_declaration.is_empty() {
                // A line without ID_DECLARATION stands alone: one declaration per titulaire.
                prop_assert_eq!(read_back.len(), declaration.titulaires.len());
                for (one, titulaire) in read_back.iter().zip(&declaration.titulaires) {
                    prop_assert_eq!(&one.titulaires, &vec![titulaire.clone()]);
                }
            } else {
                prop_assert_eq!(read_back, vec![&declaration]);
            }
        }
    }
}

/// The same rows as an official file (`|`, UTF-8, CRLF) and as a French spreadsheet export (`;`,
/// quoted fields, Windows-1252, LF, `sep=;` line): same declarations, same idempotency keys,
/// same problems at the same places.
#[test]
fn bulk_read_is_indifferent_to_separator_encoding_and_date_format() {
    for kind in [DeclarationKind::Attestation, DeclarationKind::Justificatif] {
        let mut rows: Vec<Vec<String>> = (0..3)
            .flat_map(|d| (0..2).map(move |t| valid_cells(kind, d, t)))
            .collect();
        let title = columns::for_kind(kind)
            .iter()
            .position(|c| *c == NOM_FORMATION)
            .unwrap();
        let name = columns::for_kind(kind)
            .iter()
            .position(|c| *c == NOM_TITULAIRE)
            .unwrap();
        for row in &mut rows {
            row[title] = "Risque chimique; niveau « N1 », élève".to_owned();
            row[name] = "LEFÈVRE".to_owned();
        }
        rows[3][name] = String::new();
        let official_text = official(kind, &rows).replace("Risque chimique; ", "Risque chimique ");
        let mut spreadsheet = String::from("sep=;\n");
        spreadsheet.push_str(&columns::for_kind(kind).join(";"));
        spreadsheet.push('\n');
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| {
                    let cell = cell.replace("Risque chimique; ", "Risque chimique ");
                    let cell = reformat_date(&cell);
                    if cell.contains([';', '"']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell
                    }
                })
                .collect();
            spreadsheet.push_str(&cells.join(";"));
            spreadsheet.push('\n');
        }
        let (encoded, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&spreadsheet);
        assert!(!unmappable);
        let a = read(
            official_text.as_bytes(),
            DeclarantKind::OrganismeFormation,
            today(),
        )
        .unwrap();
        let b = read(&encoded, DeclarantKind::OrganismeFormation, today()).unwrap();
        assert_eq!(a.declarations.len(), 3);
        let keys = |f: &ImportFile| -> Vec<String> {
            f.declarations
                .iter()
                .map(|d| d.idempotency_key.clone())
                .collect()
        };
        assert_eq!(keys(&a), keys(&b));
        let bodies = |f: &ImportFile| -> Vec<Declaration> {
            f.declarations
                .iter()
                .map(|d| d.declaration.clone())
                .collect()
        };
        assert_eq!(bodies(&a), bodies(&b));
        assert!(!a.errors.is_empty(), "the empty NOM_TITULAIRE is reported");
        // The spreadsheet has one more line (`sep=;`) before the same rows.
        let places = |f: &ImportFile, shift: usize| -> Vec<(usize, Option<String>)> {
            f.errors
                .iter()
                .map(|e| (e.line - shift, e.column.clone()))
                .collect()
        };
        assert_eq!(places(&a, 0), places(&b, 1));
        check_read(official_text.as_bytes());
        check_read(&encoded);
    }
}

/// `jj/mm/aaaa` → `aaaa-mm-jj`, other text unchanged.
fn reformat_date(cell: &str) -> String {
    match cell.split('/').collect::<Vec<_>>()[..] {
        [d, m, y] if d.len() == 2 && m.len() == 2 && y.len() == 4 && cell.len() == 10 => {
            format!("{y}-{m}-{d}")
        }
        _ => cell.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Targets `catalogue`, `deadlines`, `simulator`
// ---------------------------------------------------------------------------------------------

/// Which rules loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loader {
    Catalogue,
    Deadlines,
    Simulator,
}

impl Loader {
    const ALL: [Loader; 3] = [Loader::Catalogue, Loader::Deadlines, Loader::Simulator];

    fn target(self) -> &'static str {
        match self {
            Loader::Catalogue => "catalogue",
            Loader::Deadlines => "deadlines",
            Loader::Simulator => "simulator",
        }
    }

    fn embedded(self) -> &'static str {
        match self {
            Loader::Catalogue => CATALOGUE_TOML,
            Loader::Deadlines => DEADLINES_TOML,
            Loader::Simulator => SIMULATOR_TOML,
        }
    }
}

/// The loader's guarantees on any text: no panic; an error names the file, and a syntax error a
/// line of the text; an accepted simulator tree survives a random walk.
fn check_rules(loader: Loader, text: &str, walk: &[usize]) -> Result<(), RulesError> {
    const PATH: &str = "essai/regles.toml";
    let result = match loader {
        Loader::Catalogue => Catalogue::from_toml(PATH, text).map(drop),
        Loader::Deadlines => DeadlineRules::from_toml(PATH, text).map(drop),
        Loader::Simulator => Tree::from_toml(PATH, text).map(|tree| random_walk(tree, walk)),
    };
    if let Err(error) = &result {
        let message = error.to_string();
        assert!(message.starts_with(PATH), "{message}");
        match error {
            RulesError::Syntax { line, message, .. } => {
                assert!(
                    (1..=line_count(text.as_bytes())).contains(line),
                    "line {line} of a {}-line text",
                    line_count(text.as_bytes())
                );
                assert!(!message.trim().is_empty());
            }
            RulesError::Invalid { message, .. } => assert!(!message.trim().is_empty()),
            RulesError::Unreadable { .. } | RulesError::Untrusted(_) => {
                panic!("no file is read here")
            }
        }
    }
    result
}

/// Walks an accepted tree with the given choices (answer indexes, some out of range, dates,
/// going back): every step either moves or is refused with an error, never a panic; an answer
/// the question does not have is always refused.
fn random_walk(tree: Tree, choices: &[usize]) {
    let deadlines = Arc::new(DeadlineRules::embedded().unwrap());
    let mut walk = Walk::new(Arc::new(tree), deadlines);
    for &choice in choices {
        let count = match walk.current() {
            Step::Question { answers, .. } => Some(answers.len()),
            Step::Date { .. } => None,
            Step::Outcome(_) => {
                if choice % 3 == 0 {
                    walk.back();
                }
                continue;
            }
        };
        let _ = walk.path();
        match count {
            Some(count) if choice % 7 == 6 => {
                assert!(walk.answer(count + choice % 3).is_err());
            }
            Some(count) => {
                let _ = walk.answer(choice % count);
            }
            None => {
                let _ = walk.answer_date(walk_date(choice));
            }
        }
        if choice % 11 == 10 {
            walk.back();
        }
    }
}

/// A date for a date question: around the transition dates, or at the ends of the calendar.
fn walk_date(choice: usize) -> NaiveDate {
    match choice % 9 {
        0 => NaiveDate::MIN,
        1 => NaiveDate::MAX,
        2 => NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(),
        _ => {
            let days = u64::try_from(choice % 2000).unwrap();
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(days)
        }
    }
}

#[test]
fn rules_corpus_replays() {
    for loader in Loader::ALL {
        for (name, bytes) in corpus(loader.target()) {
            let text = String::from_utf8_lossy(&bytes);
            let result = check_rules(loader, &text, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            if name.starts_with("valid-") {
                assert_eq!(result, Ok(()), "{}/{name}", loader.target());
            } else {
                assert!(name.starts_with("broken-"), "{name}: valid or broken");
                let error = result.expect_err(&name);
                if let (Some(line), RulesError::Syntax { line: at, .. }) =
                    (announced_line(&name), &error)
                {
                    assert_eq!(*at, line, "{}/{name}: {error}", loader.target());
                } else {
                    assert!(announced_line(&name).is_none(), "{name}: {error}");
                }
            }
        }
        assert_eq!(check_rules(loader, loader.embedded(), &[0; 40]), Ok(()));
    }
}

/// An edit to the lines of a rules file.
#[derive(Debug, Clone)]
enum LineEdit {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Insert(Index, String),
    /// Keeps the key of a `key = value` line and replaces its value.
    Value(Index, String),
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    let fragment = prop_oneof![
        Just("[[node]]".to_owned()),
        Just("[[node.answers]]".to_owned()),
        Just("[[types]]".to_owned()),
        Just("[[rules]]".to_owned()),
        Just("[[scope]]".to_owned()),
        Just("id = \"start\"".to_owned()),
        Just("next = \"start\"".to_owned()),
        Just("type = \"check\"".to_owned()),
        "[a-z_]{1,12} = [0-9]{1,4}",
        "[a-z_]{1,12} = \"[^\"\\\\\n]{0,12}\"",
        "[^\n]{0,30}",
    ];
    let value = prop_oneof![
        "\"[^\"\\\\\n]{0,20}\"",
        "-?[0-9]{1,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        Just("[]".to_owned()),
        Just("[1, 2, 5, 0]".to_owned()),
        Just("{ category = 9 }".to_owned()),
        Just("true".to_owned()),
        "[^\n]{0,10}",
    ];
    prop_oneof![
        any::<Index>().prop_map(LineEdit::Delete),
        any::<Index>().prop_map(LineEdit::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| LineEdit::Swap(a, b)),
        (any::<Index>(), fragment).prop_map(|(i, f)| LineEdit::Insert(i, f)),
        (any::<Index>(), value).prop_map(|(i, v)| LineEdit::Value(i, v)),
    ]
}

fn edit_lines(text: &str, edits: &[LineEdit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for edit in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let len = lines.len();
        match edit {
            LineEdit::Delete(i) => {
                lines.remove(i.index(len));
            }
            LineEdit::Duplicate(i) => {
                let i = i.index(len);
                lines.insert(i, lines[i].clone());
            }
            LineEdit::Swap(a, b) => lines.swap(a.index(len), b.index(len)),
            LineEdit::Insert(i, fragment) => lines.insert(i.index(len + 1), fragment.clone()),
            LineEdit::Value(i, value) => {
                // The i-th `key = value` line, counted among those lines only.
                let assignments: Vec<usize> =
                    (0..len).filter(|&n| lines[n].contains(" = ")).collect();
                if let Some(&n) = assignments.get(i.index(assignments.len().max(1))) {
                    let key = lines[n].split(" = ").next().unwrap_or_default().to_owned();
                    lines[n] = format!("{key} = {value}");
                }
            }
        }
    }
    lines.join("\n")
}

fn loader() -> impl Strategy<Value = Loader> {
    prop::sample::select(Loader::ALL.to_vec())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn rules_never_panic_on_arbitrary_text(
        loader in loader(),
        text in prop_oneof![any::<String>(), "[a-z_=\\[\\]\"{}., 0-9\n#-]{0,400}"],
        walk in prop::collection::vec(any::<usize>(), 0..30),
    ) {
        let _ = check_rules(loader, &text, &walk);
    }

    #[test]
    fn rules_never_panic_on_edited_embedded_files(
        loader in loader(),
        edits in prop::collection::vec(line_edit(), 1..8),
        walk in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let text = edit_lines(loader.embedded(), &edits);
        let _ = check_rules(loader, &text, &walk);
    }

    /// The embedded tree walked every which way, dates at the ends of the calendar included.
    #[test]
    fn simulator_walks_never_panic(walk in prop::collection::vec(any::<usize>(), 0..80)) {
        random_walk(Tree::embedded().unwrap(), &walk);
    }

    #[test]
    fn rules_never_panic_on_arbitrary_bytes(
        loader in loader(),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let _ = check_rules(loader, &String::from_utf8_lossy(&bytes), &[1, 0, 2]);
    }
}

// ---------------------------------------------------------------------------------------------
// Target `config`
// ---------------------------------------------------------------------------------------------

/// A token as `passeport token create` prints it.
const TOKEN: &str = "pp_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Loads `bytes` as the configuration file (mode 0600, so a token is accepted): no panic; an
/// error names the file and never shows the token.
fn check_config(bytes: &[u8]) -> Result<Config, String> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    match Config::load(&path) {
        Ok(config) => {
            let _ = config.keymap();
            Ok(config)
        }
        Err(error) => {
            let message = error.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(!message.contains(TOKEN), "the token is shown: {message}");
            assert!(!matches!(error, ConfigError::TooOpen { .. }));
            Err(message)
        }
    }
}

#[test]
fn config_corpus_replays() {
    for (name, bytes) in corpus("config") {
        let result = check_config(&bytes);
        if name.starts_with("valid-") {
            assert!(result.is_ok(), "{name}: {result:?}");
        } else {
            assert!(name.starts_with("broken-"), "{name}: valid or broken");
            assert!(result.is_err(), "{name}");
        }
    }
}

/// A TOML basic string holding `text` (JSON escapes are TOML escapes).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A configuration file built from keys and values, some wrong.
fn config_text() -> impl Strategy<Value = String> {
    let command = prop_oneof![
        prop::sample::select(vec![
            "quit",
            "help",
            "refresh",
            "search",
            "up",
            "down",
            "open",
            "back",
            "declare",
            "export",
            "delete",
            "reveal_nir",
            "next_screen",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}",
    ];
    let key = prop_oneof![
        prop::sample::select(vec![
            "q",
            "Q",
            "ctrl-c",
            "alt-x",
            "f1",
            "f12",
            "f0",
            "f999",
            "f",
            "space",
            "enter",
            "shift-tab",
            "-",
            "ctrl-",
            "alt-",
            "é",
            "ß",
            "İ",
            "K",
            "ctrl-İ",
            " ",
            "",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "(ctrl-|alt-)?[^\n]{0,3}",
    ];
    let binding = (command, prop::collection::vec(key, 0..4)).prop_map(|(command, keys)| {
        let keys: Vec<String> = keys.iter().map(|k| toml_string(k)).collect();
        format!("{command} = [{}]", keys.join(", "))
    });
    let line = prop_oneof![
        any::<u32>().prop_map(|n| format!("threshold_days = {n}")),
        "-?[0-9]{1,20}".prop_map(|n| format!("threshold_days = {n}")),
        any::<String>().prop_map(|s| format!("theme = {}", toml_string(&s))),
        prop::sample::select(vec!["dark", "light", "sombre"])
            .prop_map(|s| format!("theme = \"{s}\"")),
        any::<String>().prop_map(|s| format!("api_url = {}", toml_string(&s))),
        Just(format!("token = \"{TOKEN}\"")),
        Just(format!("tokn = \"{TOKEN}\"")),
        Just(format!("token = \"{TOKEN}")),
        Just(format!("token = {TOKEN}")),
        Just(format!("api_url = \"{TOKEN}\" extra")),
        "[^\n]{0,20}",
    ];
    (
        prop::collection::vec(line, 0..5),
        prop::collection::vec(binding, 0..4),
        any::<bool>(),
    )
        .prop_map(|(lines, bindings, table)| {
            let mut text = lines.join("\n");
            if table || !bindings.is_empty() {
                text.push_str("\n[keymap]\n");
                text.push_str(&bindings.join("\n"));
            }
            text
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn config_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let _ = check_config(&bytes);
    }

    #[test]
    fn config_never_panics_nor_shows_the_token(text in config_text()) {
        let _ = check_config(text.as_bytes());
    }
}

/// The sheet reader (`passeport::bulk::sheet`) from bytes to checked cells and on to what each
/// kind imports (declarations of a trainee sheet, workers, training entries): whatever it
/// refuses, it says why in French, and it never panics.
fn check_sheet(bytes: &[u8]) {
    use passeport::bulk::sheet::{self, Kind, Synonyms, check::check, official, staff, trainees};
    let synonyms = Synonyms::embedded().unwrap();
    let rules = passeport::rules::Rules::embedded().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    match sheet::read(bytes) {
        Ok(grid) => {
            assert!(!grid.rows.is_empty());
            let kinds = [
                None,
                Some(Kind::Trainees),
                Some(Kind::Adf),
                Some(Kind::Roster),
                Some(Kind::History),
                Some(Kind::Matrix),
            ];
            for forced in kinds {
                let Ok(table) = sheet::recognise(&grid, &synonyms, forced) else {
                    continue;
                };
                let _ = check(&table);
                let (header, lines) = official::lines(&table);
                assert!(lines.iter().all(|(_, cells)| cells.len() == header.len()));
                match table.kind {
                    Kind::Trainees => {
                        let context = trainees::Rules {
                            catalogue: &rules.catalogue,
                            tree: &rules.simulator,
                            today,
                        };
                        let converted = trainees::convert(&table, &context);
                        for official in &converted.tables {
                            let read = passeport::bulk::read::read_table(
                                &official.header,
                                official.lines.clone(),
                                passeport::domain::DeclarantKind::OrganismeFormation,
                                today,
                            )
                            .unwrap();
                            let _ = converted.merge(read.errors);
                        }
                    }
                    Kind::Roster => {
                        let _ = staff::roster(&table, today);
                    }
                    Kind::History => {
                        let _ = staff::history(&table, &rules.catalogue, &rules.simulator, today);
                    }
                    Kind::Matrix => {
                        let _ = staff::matrix(&table, &rules.catalogue, &rules.simulator, today);
                    }
                    Kind::Adf | Kind::Jdr => {}
                }
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// A small valid workbook with title rows, a merged cell and typed values.
fn workbook_seed() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 3, "Stagiaires", &rust_xlsxwriter::Format::new())
        .unwrap();
    for (column, name) in ["Nom", "N° SS", "Formation", "Date de fin"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, column as u16, *name).unwrap();
    }
    sheet.write_string(3, 0, "DUPONT").unwrap();
    sheet.write_number(3, 1, 185_037_512_345_641.0).unwrap();
    sheet.write_string(3, 2, "SST").unwrap();
    sheet.write_number(3, 3, 46093.0).unwrap();
    book.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn sheet_read_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        zip in any::<bool>(),
    ) {
        let mut input = if zip { b"PK\x03\x04".to_vec() } else { Vec::new() };
        input.extend(bytes);
        check_sheet(&input);
    }

    #[test]
    fn sheet_read_never_panics_on_mutated_workbooks(
        flips in prop::collection::vec((any::<Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = workbook_seed();
        for (at, value) in &flips {
            let at = at.index(bytes.len());
            bytes[at] = *value;
        }
        check_sheet(&bytes);
    }
}

#[test]
fn the_sheet_seed_reads_with_its_header_below_the_title() {
    use passeport::bulk::sheet::{self, Synonyms};
    let grid = sheet::read(&workbook_seed()).unwrap();
    let table = sheet::recognise(&grid, &Synonyms::embedded().unwrap(), None).unwrap();
    assert_eq!(table.header_line, 3);
    assert_eq!(table.rows.len(), 1);
}
