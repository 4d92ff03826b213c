//! Spreadsheet and official files through the real binary against the real server on loopback
//! (issue 15 §5 and §7): the official exports under names the platform accepts and, past a size
//! limit (injected small with `--max-size`), cut into numbered files each valid alone; the
//! roster, the trainings and the expiries as workbooks read back with calamine (real dates, a
//! frozen header, status colours) and opened by LibreOffice, which reads them as their CSV; and
//! a `.xls` saved by LibreOffice (`tests/fixtures/sheets/adf-libreoffice.xls`, made from the CSV
//! beside it with `soffice --headless --convert-to xls`) read by the import.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::NewWorker;
use passeport::bulk::read;
use passeport::domain::DeclarantKind;

#[path = "common/cli_sandbox.rs"]
mod cli_sandbox;
#[path = "common/libreoffice.rs"]
mod libreoffice;
#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;

use cli_sandbox::{EMPLOYER, OF, TODAY, config, sandbox};

/// Declarations the training organisation imports for this file (4 titulaires each), so that
/// its ADF export is large enough to cut.
const DECLARATIONS: usize = 8;

/// Data of this file's own, made once through the real paths: employees of the demo employer
/// with their employment (one whose service reads as a formula), through the API client; and
/// [`DECLARATIONS`] attestations imported by the demo training organisation with `import`.
fn seeded() {
    static SEEDED: OnceLock<()> = OnceLock::new();
    SEEDED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let client = Client::new(
                &sandbox().base,
                Some(EMPLOYER.to_owned()),
                ClientOptions::default(),
            )
            .unwrap();
            for n in 0..12u32 {
                let worker = NewWorker {
                    nir: format!("2990199123{n:03}"),
                    last_name: format!("TABLEUR{n}"),
                    first_names: "Inès".to_owned(),
                    site: Some("Lyon Gerland".to_owned()),
                    service: Some(if n == 0 { "=1+1" } else { "Logistique" }.to_owned()),
                    job: Some("Cariste".to_owned()),
                    employee_number: Some(format!("00{n:04}")),
                    entry_date: NaiveDate::from_ymd_opt(2020, 1, 6 + n),
                    ..NewWorker::default()
                };
                client
                    .create_worker(&worker, &format!("sheet-files-worker-{n}"))
                    .await
                    .unwrap();
            }
        });
        let mut file = ADF_HEADER.to_owned() + "\r\n";
        for d in 0..DECLARATIONS {
            for t in 0..4 {
                file.push_str(&format!(
                    "SHEETS-D{d}|REF-SHEETS-D{d}|SHEETS-D{d}-L{t}|Gestes et postures|05/10/2026|\
                     06/10/2026|PRESENTIEL|115650/121885/400635|PREVENTEUR|NON||42829|344r|\
                     1850375112{:03}|NOM{t}|NON|||06/10/2026|\r\n",
                    d * 4 + t
                ));
            }
        }
        let path = sandbox().dir.join("sheet-files-adf.csv");
        fs::write(&path, file).unwrap();
        succeed(OF, &["import", path_str(&path)]);
    });
}

/// The official ADF header line.
const ADF_HEADER: &str = "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|\
    DATE_DEBUT_FORMATION|DATE_FIN_FORMATION|MODALITE_DISPENSE|COMPETENCE_TRANSFERABLE|\
    QUALIFICATION_FORMATEUR|FORMATION_CERTIFIANTE|CERTIFICATION_VISEE|DOMAINE_FORMATION|\
    SPECIALITE_FORMATION|NIR|NOM_TITULAIRE|PRESENCE_EMPLOYEUR|SIRET_EMPLOYEUR|REFERENCE_EMPLOYEUR|\
    DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE";

/// Runs the binary as the account of `token`, stdin closed, once this file's data is made.
fn run(token: &str, args: &[&str]) -> Output {
    if args.first() != Some(&"import") {
        seeded();
    }
    cli_sandbox::binary(&config(&sandbox().base, Some(token)))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs the binary and asserts it succeeded; its stderr.
fn succeed(token: &str, args: &[&str]) -> String {
    let output = run(token, args);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    stderr
}

/// A fresh directory for one test's files.
fn workdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sheet-files-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

/// The files of `dir` whose name starts with `prefix`, sorted.
fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(prefix)
        })
        .collect();
    files.sort();
    files
}

/// The `ID_DECLARATION` of each line of an official file body, in order, consecutive repeats
/// merged, and the size of the largest declaration in bytes.
fn declarations(body: &str) -> (Vec<String>, usize) {
    let mut ids: Vec<String> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    for line in body.split_inclusive("\r\n") {
        let id = line.split('|').next().unwrap().to_owned();
        if ids.last() != Some(&id) {
            ids.push(id);
            sizes.push(0);
        }
        *sizes.last_mut().unwrap() += line.len();
    }
    (ids, sizes.into_iter().max().unwrap_or(0))
}

#[test]
fn an_official_export_past_the_size_limit_is_cut_into_numbered_files_each_valid_alone() {
    let dir = workdir();
    let whole_path = dir.path().join("tout.csv");
    succeed(
        OF,
        &["export", "adf", "--all", "--out", path_str(&whole_path)],
    );
    let whole = fs::read_to_string(&whole_path).unwrap();
    let (header, body) = whole.split_at(whole.find("\r\n").unwrap() + 2);
    let (ids, largest) = declarations(body);
    assert!(
        ids.len() > DECLARATIONS,
        "enough declarations to cut: {ids:?}"
    );
    let limit = (header.len() + largest).max(whole.len() / 3 + 1).max(1_000);
    assert!(limit < whole.len(), "the limit cuts the file");

    let out = dir.path().join("attestations.csv");
    let stderr = succeed(
        OF,
        &[
            "export",
            "adf",
            "--all",
            "--out",
            path_str(&out),
            "--max-size",
            &limit.to_string(),
        ],
    );
    let parts = files_starting(dir.path(), "attestations");
    assert!(parts.len() >= 3, "{parts:?}");
    assert!(!out.exists(), "numbered files only");
    assert!(
        stderr.contains(&format!("écrit en {} fichiers", parts.len())),
        "{stderr}"
    );
    let mut bodies = String::new();
    let mut seen = BTreeSet::new();
    for (n, part) in parts.iter().enumerate() {
        assert_eq!(
            part.file_name().unwrap().to_string_lossy(),
            format!("attestations-{}.csv", n + 1)
        );
        let bytes = fs::read(part).unwrap();
        assert!(bytes.len() <= limit, "{part:?}: {} > {limit}", bytes.len());
        let text = String::from_utf8(bytes.clone()).unwrap();
        let rest = text
            .strip_prefix(header)
            .expect("each file has the header line");
        for id in declarations(rest).0 {
            assert!(seen.insert(id.clone()), "{id} in two files");
        }
        bodies.push_str(rest);
        let file = read::read(&bytes, DeclarantKind::OrganismeFormation, today()).unwrap();
        assert_eq!(file.errors, [], "{part:?} is valid alone");
        assert!(file.shape.header);
        let stdout = run(OF, &["export", "check", path_str(part)]).stdout;
        let report = String::from_utf8(stdout).unwrap();
        assert!(report.ends_with("prêt à déposer.\n"), "{report}");
    }
    assert_eq!(bodies, body, "every line once, in order");

    // To stdout, a file past the limit is refused, naming the command that cuts it.
    let output = run(
        OF,
        &["export", "adf", "--all", "--max-size", &limit.to_string()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let batch = stderr
        .split("passeport export file ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(stderr.contains("plus que les"), "{stderr}");
    let again = dir.path().join("lot.csv");
    succeed(
        OF,
        &[
            "export",
            "file",
            batch,
            "--out",
            path_str(&again),
            "--max-size",
            &limit.to_string(),
        ],
    );
    let again: String = files_starting(dir.path(), "lot-")
        .iter()
        .map(|part| fs::read_to_string(part).unwrap().replacen(header, "", 1))
        .collect();
    assert_eq!(again, body, "export file cuts the batch the same way");
}

#[test]
fn official_files_are_named_as_the_platform_accepts() {
    let dir = workdir();
    // JDR batches only: the other tests of this file export ADF files at the same time.
    let batches = || {
        let output = run(OF, &["export", "batches"]);
        let list = String::from_utf8(output.stdout).unwrap();
        list.lines().filter(|line| line.contains("  JDR  ")).count()
    };
    let before = batches();
    for (name, refused) in [
        ("lot:1.csv", "« : »"),
        ("100%.csv", "« % »"),
        ("a@b.csv", "« @ »"),
    ] {
        let output = run(
            OF,
            &[
                "export",
                "jdr",
                "--all",
                "--out",
                path_str(&dir.path().join(name)),
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("nom refusé par le portail") && stderr.contains(refused),
            "{name}: {stderr}"
        );
    }
    let long = format!("{}.csv", "x".repeat(197));
    let output = run(
        OF,
        &[
            "export",
            "jdr",
            "--all",
            "--out",
            path_str(&dir.path().join(long)),
        ],
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("compte 201 caractères"), "{stderr}");
    assert_eq!(batches(), before, "no batch made for a refused name");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );

    // A directory: the file takes the name the server gave the batch.
    succeed(
        OF,
        &["export", "jdr", "--all", "--out", path_str(dir.path())],
    );
    let written = files_starting(dir.path(), "passeport-JDR-lot");
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.ends_with(".csv") && name.chars().count() <= 200,
        "{name}"
    );
    assert!(passeport::bulk::parts::check_name(&name).is_ok(), "{name}");
}

/// One entry of an xlsx file (a zip archive).
fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The records of a CSV file read with `separator`, a byte order mark dropped.
fn csv_records(path: &Path, separator: u8) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn roster_trainings_and_expiries_open_as_workbooks_with_dates_frozen_headers_and_colours() {
    let dir = workdir();
    let soffice = libreoffice::soffice();
    for (what, sheet, extra, date_column) in [
        ("roster", "Personnel", &[][..], "Date d'entrée"),
        ("trainings", "Formations", &[][..], "Fin de formation"),
        (
            "expiring",
            "Échéances",
            &["--within", "365"][..],
            "Échéance",
        ),
    ] {
        let xlsx = dir.path().join(format!("{what}.xlsx"));
        let csv = dir.path().join(format!("{what}.csv"));
        let mut args = vec!["export", what, "--out", path_str(&xlsx)];
        args.extend_from_slice(extra);
        succeed(EMPLOYER, &args);
        let mut args = vec!["export", what, "--format", "csv", "--out", path_str(&csv)];
        args.extend_from_slice(extra);
        succeed(EMPLOYER, &args);
        let ours = csv_records(&csv, b';');
        assert!(ours.len() > 10, "{what}: the demo employer has rows");

        if what == "roster" {
            let formula = ours.iter().find(|row| row[1] == "000000").unwrap();
            assert_eq!(formula[6], "'=1+1", "the CSV neutralises the service");
        }
        let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        assert_eq!(book.sheet_names(), [sheet], "{what}");
        let range = book.worksheet_range(sheet).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            header, ours[0],
            "{what}: the workbook has the CSV's columns"
        );
        assert_eq!(range.height(), ours.len(), "{what}");
        let at = header.iter().position(|h| h == date_column).unwrap();
        let dates = range
            .rows()
            .skip(1)
            .filter(|row| matches!(row[at], Data::DateTime(_)))
            .count();
        assert!(dates > 0, "{what}: « {date_column} » holds real dates");
        assert!(
            range
                .rows()
                .skip(1)
                .all(|row| matches!(row[at], Data::DateTime(_) | Data::Empty)),
            "{what}: never a date as text"
        );

        let styles = zip_entry(&xlsx, "xl/styles.xml");
        if what == "roster" {
            let row = range
                .rows()
                .find(|row| row[1] == Data::String("000000".into()))
                .unwrap();
            assert_eq!(row[6], Data::String("=1+1".into()), "the text, as text");
            assert!(
                book.worksheet_formula(sheet).unwrap().is_empty(),
                "no formula"
            );
            assert!(
                styles.contains(r#"quotePrefix="1""#),
                "kept as text when edited"
            );
        }
        let sheet_xml = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(
            sheet_xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{what}: header row frozen"
        );
        assert!(
            sheet_xml.contains("<autoFilter "),
            "{what}: header filterable"
        );
        assert!(sheet_xml.contains("<col "), "{what}: column widths set");
        if what != "roster" {
            // Expirée red, expire bientôt amber, valide green (the expiries list has no valid).
            let colours: &[&str] = match what {
                "trainings" => &["FFFFC7CE", "FFFFEB9C", "FFC6EFCE"],
                _ => &["FFFFC7CE", "FFFFEB9C"],
            };
            for colour in colours {
                assert!(styles.contains(colour), "{what}: status fill {colour}");
            }
            let status = header.iter().position(|h| h == "Statut").unwrap();
            let labels: BTreeSet<String> = range
                .rows()
                .skip(1)
                .map(|row| row[status].to_string())
                .collect();
            assert!(labels.contains("Expirée"), "{what}: {labels:?}");
        }

        // LibreOffice opens the workbook and reads the same table as the CSV (dates shown
        // jj/mm/aaaa, numbers as written).
        if let Some(soffice) = &soffice {
            let converted_dir = dir.path().join(format!("lo-{what}"));
            fs::create_dir(&converted_dir).unwrap();
            // Separator `,` (44), quote `"` (34), UTF-8 (76).
            let filter = "csv:Text - txt - csv (StarCalc):44,34,76";
            let converted = libreoffice::convert(soffice, &xlsx, filter, "csv", &converted_dir);
            // The CSV's neutralising quote is the workbook's quote prefix.
            let ours: Vec<Vec<String>> = ours
                .iter()
                .map(|row| row.iter().map(|cell| cell.replacen("'=", "=", 1)).collect())
                .collect();
            assert_eq!(csv_records(&converted, b','), ours, "{what}");
        }
    }
}

#[test]
fn a_workbook_is_refused_on_a_terminal_and_goes_down_a_pipe() {
    let config = config(&sandbox().base, Some(EMPLOYER));
    let mut session = pty::Session::start(
        &sandbox().dir,
        &["--config", path_str(&config), "export", "roster"],
        120,
        24,
    );
    session.wait_for("un classeur xlsx ne s'affiche pas dans un terminal", 20);
    assert_eq!(session.wait_exit(20), 2);

    let output = run(EMPLOYER, &["export", "expiring"]);
    assert_eq!(output.status.code(), Some(0), "a pipe takes it");
    assert!(
        output.stdout.starts_with(b"PK\x03\x04"),
        "an xlsx (zip) archive"
    );
}

#[test]
fn an_xls_saved_by_libreoffice_is_read_by_the_import() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sheets/adf-libreoffice.xls");
    let output = run(OF, &["import", path_str(&path), "--dry-run"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 déclaration, 3 titulaires.\n"),
        "{stdout}"
    );
}

#[test]
fn an_official_file_is_checked_before_it_is_handed_in_without_a_server() {
    let dir = workdir();
    let good = dir.path().join("attestations.csv");
    succeed(OF, &["export", "adf", "--all", "--out", path_str(&good)]);
    // No configuration at all: the check asks nothing of a server.
    let offline = |args: &[&str]| {
        cli_sandbox::binary(&dir.path().join("absent.toml"))
            .args(args)
            .output()
            .unwrap()
    };
    let output = offline(&["export", "check", path_str(&good)]);
    let report = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.starts_with(&format!(
            "{} : fichier ADF (attestations de formation), ",
            good.display()
        )),
        "{report}"
    );

    // A NIR with a wrong key, a name written as a formula, and a name the portal refuses.
    let text = fs::read_to_string(&good).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[1].split('|').map(str::to_owned).collect();
    cells[13] = format!("{}00", &cells[13][..13]);
    cells[14] = "=HYPERLINK(\"x\")".to_owned();
    lines[1] = cells.join("|");
    let bad = dir.path().join("lot:2.csv");
    fs::write(&bad, lines.join("\r\n")).unwrap();
    let output = offline(&["export", "check", path_str(&bad)]);
    let report = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("Nom refusé par le portail : le nom du fichier contient « : »"),
        "{report}"
    );
    assert!(report.contains("ligne 2, colonne NIR : "), "{report}");
    assert!(report.contains("ligne 2, colonne NOM_TITULAIRE : Le champ « nom de naissance du titulaire » commence par « = »"), "{report}");
    assert!(report.ends_with("3 erreurs : corrigez avant de déposer ; une seule suffit au portail pour refuser tout le fichier.\n"), "{report}");

    let output = offline(&["export", "check", path_str(&bad), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["kind"], "attestation");
    assert_eq!(json["errors"].as_array().unwrap().len(), 2);
    assert_eq!(json["errors"][0]["line"], 2);

    let output = offline(&["export", "check", path_str(&dir.path().join("absent.csv"))]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("absent.csv : fichier ou dossier introuvable"),
        "{stderr}"
    );
}
