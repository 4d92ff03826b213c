//! Files (BENCHMARKS.md, issue 15 §8): checking an official ADF file at the portal's limit
//! (200 MB) with `passeport export check`'s streamed check (`bulk::conformity`), target ≤ 10 s
//! and ≤ 200 MiB; and reading a 100,000-row staff workbook with the import's sheet reader
//! (`bulk::sheet`: grid, header and kind, every cell checked).
//!
//! The files are generated in a temporary directory: the ADF through the real writer
//! (`bulk::write`), in two shapes — sessions of 12 titulaires, and the worst case for the check's
//! memory, one titulaire per declaration; the workbook through the export's own table writer
//! (`cli::spreadsheet::table`). Each figure comes from a fresh child process (this benchmark run
//! again with `PASSEPORT_BENCH_FILES=<task> <path>`), which times the task and reads its own
//! `VmHWM`, so that nothing the parent allocated counts.
//!
//! Baselines, in the same run: the process doing nothing (its floor); reading the file's lines
//! and nothing else (the floor of any streamed check); the whole-file reader of `passeport
//! import` (`bulk::read`) on the same ADF file; calamine alone opening the workbook.
//!
//! `cargo bench --bench files` measures; `cargo test --benches` runs a smoke test on small files.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::Mode;
use passeport::bulk::{self, Layout, conformity, read, sheet};
use passeport::cli::spreadsheet::table::{Table, Value};
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::compute_key;
use passeport::domain::{DeclarantKind, DeclarationKind};

/// The environment variable that makes this binary a measured child.
const CHILD: &str = "PASSEPORT_BENCH_FILES";
/// Targets (issue 15 §8).
const CHECK_TARGET: Duration = Duration::from_secs(10);
const CHECK_TARGET_MIB: f64 = 200.0;

fn main() {
    if let Ok(task) = std::env::var(CHILD) {
        child(&task);
        return;
    }
    let mode = Mode::detect();
    let runs = mode.iterations(3);
    let adf_bytes = match mode {
        Mode::Bench => bulk::parts::MAX_FILE_BYTES - 100_000,
        Mode::Smoke => 300_000,
    };
    let workbook_rows = mode.sizes(300, &[100_000], false)[0] as usize;
    let dir = tempfile::Builder::new()
        .prefix("bench-files-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary directory");
    let sessions = dir.path().join("sessions.csv");
    let singles = dir.path().join("singles.csv");
    let workbook = dir.path().join("personnel.xlsx");
    let (mut lines_sessions, mut size_sessions) = (0, 0);
    let (mut lines_singles, mut size_singles) = (0, 0);
    let generation = common::time(1, || {
        (lines_sessions, size_sessions) = write_adf(&sessions, adf_bytes, 12);
        (lines_singles, size_singles) = write_adf(&singles, adf_bytes, 1);
        write_workbook(&workbook, workbook_rows);
    })
    .median;

    let floor = measure("floor", &sessions, runs);
    let lines = measure("lines", &sessions, runs);
    let check_sessions = measure("check", &sessions, runs);
    let check_singles = measure("check", &singles, runs);
    let whole = measure("read", &sessions, 1);
    let calamine = measure("calamine", &workbook, runs);
    let sheet = measure("sheet", &workbook, runs);
    assert_eq!(check_sessions.result, format!("conform {lines_sessions}"));
    assert_eq!(check_singles.result, format!("conform {lines_singles}"));
    assert_eq!(whole.result, format!("valid {lines_sessions}"));
    assert_eq!(
        sheet.result,
        format!("registre du personnel {workbook_rows} 0")
    );
    if mode == Mode::Smoke {
        println!("files smoke test: ok");
        return;
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let verdict = |figure: &Figure| {
        let time = if figure.time <= CHECK_TARGET {
            "met"
        } else {
            "MISSED"
        };
        let memory = if mib(figure.peak_kib) <= CHECK_TARGET_MIB {
            "met"
        } else {
            "MISSED"
        };
        format!("time {time}, memory {memory}")
    };
    common::section(&format!(
        "official ADF file: {size_sessions} bytes, {lines_sessions} titulaires in sessions of 12; \
         {size_singles} bytes, {lines_singles} titulaires one per declaration (generated in {})",
        common::ms(generation)
    ));
    let row = |name: &str, figure: &Figure| {
        println!(
            "{name:<52} median {:>12}  peak {:>8.1} MiB",
            common::ms(figure.time),
            mib(figure.peak_kib)
        );
    };
    row("baseline: process floor", &floor);
    row("baseline: read the lines only (sessions)", &lines);
    row(
        "baseline: import's whole-file reader (sessions, 1 run)",
        &whole,
    );
    row("export check, sessions of 12", &check_sessions);
    println!(
        "  target ≤ 10 s and ≤ 200 MiB: {}; {} the lines-only pass, {} the whole-file reader",
        verdict(&check_sessions),
        common::ratio(check_sessions.time, lines.time),
        common::ratio(check_sessions.time, whole.time)
    );
    row(
        "export check, one titulaire per declaration",
        &check_singles,
    );
    println!("  target ≤ 10 s and ≤ 200 MiB: {}", verdict(&check_singles));
    common::section(&format!("staff workbook, {workbook_rows} rows"));
    row("baseline: calamine opens the sheet", &calamine);
    row("import's sheet reader (grid, header, every cell)", &sheet);
}

/// A child's figures.
struct Figure {
    time: Duration,
    peak_kib: u64,
    result: String,
}

/// Runs `task` on `path` in `runs` fresh children: the median time, the highest peak, the
/// (identical) result.
fn measure(task: &str, path: &Path, runs: usize) -> Figure {
    let mut times = Vec::new();
    let mut peak_kib = 0;
    let mut result = String::new();
    for _ in 0..runs {
        let exe = std::env::current_exe().expect("current executable");
        let output = std::process::Command::new(exe)
            .env(CHILD, format!("{task} {}", path.display()))
            .output()
            .expect("run the measuring child");
        assert!(
            output.status.success(),
            "child {task} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let value = |key: &str| {
            stdout
                .lines()
                .find_map(|line| line.strip_prefix(key))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned()
        };
        times.push(Duration::from_nanos(
            value("ELAPSED_NS").parse().unwrap_or(0),
        ));
        peak_kib = peak_kib.max(value("VmHWM_KIB").parse().unwrap_or(0));
        result = value("RESULT");
    }
    Figure {
        time: common::Stats::of(&times).median,
        peak_kib,
        result,
    }
}

/// The child: runs `task` (`<name> <path>`), then prints its time, peak and result.
fn child(task: &str) {
    let (name, path) = task.split_once(' ').expect("<task> <path>");
    let path = PathBuf::from(path);
    let started = Instant::now();
    let result = match name {
        "floor" => String::new(),
        "lines" => {
            let mut reader = BufReader::with_capacity(1 << 16, File::open(&path).expect("open"));
            let mut line = Vec::new();
            let mut count = 0usize;
            while reader.read_until(b'\n', &mut line).expect("read") > 0 {
                count += 1;
                line.clear();
            }
            format!("{count}")
        }
        "check" => {
            let reader = BufReader::with_capacity(1 << 16, File::open(&path).expect("open"));
            let found =
                conformity::check(reader, DeclarantKind::OrganismeFormation, common::today())
                    .expect("check");
            let verdict = if found.is_conform() {
                "conform"
            } else {
                "errors"
            };
            format!("{verdict} {}", found.titulaires)
        }
        "read" => {
            let bytes = std::fs::read(&path).expect("read");
            let file = read::read(&bytes, DeclarantKind::OrganismeFormation, common::today())
                .expect("read");
            let verdict = if file.is_valid() { "valid" } else { "errors" };
            format!("{verdict} {}", file.titulaire_count())
        }
        "calamine" => {
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("open");
            let range = book.worksheet_range("Personnel").expect("sheet");
            format!("{}", range.height())
        }
        "sheet" => {
            let bytes = std::fs::read(&path).expect("read");
            let grid = sheet::read(&bytes).expect("grid");
            let synonyms = sheet::Synonyms::embedded().expect("synonyms");
            let table = sheet::recognise(&grid, &synonyms, None).expect("header");
            let errors = sheet::check::check(&table);
            format!(
                "{} {} {}",
                table.kind.label(),
                table.rows.len(),
                errors.len()
            )
        }
        other => panic!("unknown task {other}"),
    };
    let elapsed = started.elapsed();
    println!("ELAPSED_NS {}", elapsed.as_nanos());
    println!("VmHWM_KIB {}", peak_kib());
    println!("RESULT {result}");
}

/// This process's peak resident memory in KiB (`VmHWM`).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A valid NIR of 13 characters with its key (15), for titulaire `n`.
fn nir(n: usize) -> String {
    let body = format!("{}850375{:06}", 1 + n % 2, n % 1_000_000);
    let key = compute_key(&body).unwrap_or(0);
    format!("{body}{key:02}")
}

/// Declaration `d` with `size` titulaires, numbered from `first`.
fn declaration(d: usize, size: usize, first: usize) -> Declaration {
    Declaration {
        id_declaration: format!("BENCH-{d:07}"),
        reference_declaration: format!("Session SST Lyon n° {d}"),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: date(2026, 3, 2),
        date_fin_formation: date(2026, 3, 3),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: ["115650", "121885", "400635"].map(str::to_owned).to_vec(),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: ["42829", "42866"].map(str::to_owned).to_vec(),
        specialite_formation: vec!["344r".to_owned()],
        date_debut_validite: date(2026, 3, 3),
        date_fin_validite: date(2028, 3, 3),
        titulaires: (first..first + size)
            .map(|n| Titulaire {
                id_unique_partenaire: format!("BENCH-{d:07}-{n:08}"),
                nir: nir(n),
                nom_titulaire: format!("TITULAIRE{n}"),
                presence_employeur: Some(n % 3 != 0),
                siret_employeur: if n % 3 != 0 { "73282932000074" } else { "" }.to_owned(),
                reference_employeur: if n % 3 != 0 {
                    format!("MAT-{n:06}")
                } else {
                    String::new()
                },
            })
            .collect(),
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// Writes an ADF file of about `bytes` (never more) of declarations of `size` titulaires;
/// returns its titulaire lines and size.
fn write_adf(path: &Path, bytes: usize, size: usize) -> (usize, usize) {
    let mut out = BufWriter::new(File::create(path).expect("create"));
    let header = Layout::Adf.header() + "\r\n";
    out.write_all(header.as_bytes()).expect("write");
    let (mut written, mut lines, mut d) = (header.len(), 0, 0);
    let chunk = (2_000 / size).max(1);
    loop {
        let batch: Vec<Declaration> = (d..d + chunk)
            .map(|n| declaration(n, size, n * size))
            .collect();
        let text = bulk::write(Layout::Adf, &batch).expect("a valid file");
        let body = &text[header.len()..];
        if written + body.len() > bytes {
            // The last chunk, cut at a declaration boundary.
            for line in body.split_inclusive("\r\n") {
                if written + line.len() > bytes {
                    break;
                }
                out.write_all(line.as_bytes()).expect("write");
                written += line.len();
                lines += 1;
            }
            break;
        }
        out.write_all(body.as_bytes()).expect("write");
        written += body.len();
        lines += chunk * size;
        d += chunk;
    }
    out.flush().expect("flush");
    (lines, written)
}

/// Writes a staff workbook of `rows` rows, as HR software exports it.
fn write_workbook(path: &Path, rows: usize) {
    let table = Table {
        sheet: "Personnel",
        columns: vec![
            "Matricule",
            "Nom de naissance",
            "Prénom",
            "N° de sécurité sociale",
            "Date de naissance",
            "Site",
            "Service",
            "Poste",
            "Date d'entrée",
        ],
        rows: (0..rows)
            .map(|n| {
                vec![
                    Value::Text(format!("{n:06}")),
                    Value::Text(format!("NOM{n}")),
                    Value::text("Camille"),
                    Value::Text(nir(n)),
                    Value::Date(date(
                        1980 + (n % 30) as i32,
                        1 + (n % 12) as u32,
                        1 + (n % 28) as u32,
                    )),
                    Value::text(["Lyon Gerland", "Marseille Port", "Lille Lesquin"][n % 3]),
                    Value::text("Logistique"),
                    Value::text("Cariste"),
                    Value::Date(date(2015 + (n % 10) as i32, 1 + (n % 12) as u32, 1)),
                ]
            })
            .collect(),
    };
    std::fs::write(path, table.to_xlsx().expect("workbook")).expect("write");
}
