//! The scriptable commands (`expiring`, `export`, `import`, `completions`, `manpage`) run as the
//! real binary against the real server on loopback, over a temporary database seeded with a small
//! demo and a frozen today. Expected outputs are computed from the API, then compared exactly.

use std::fs;
use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use assert_cmd::Command;
use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    DeclarationSummary, DeclarationsQuery, ExpirationItem, ExpirationsQuery, ExportFormat,
    WorkersQuery,
};
use passeport::bulk::Layout;
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::text::{agree, count};
use serde_json::{Value, json};

#[path = "common/cli_sandbox.rs"]
mod cli_sandbox;
use cli_sandbox::{EMPLOYER, OF, config, sandbox};

/// Tests that read or change the training organisation's declarations take turns.
fn of_declarations() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs a future on a fresh runtime (a client is built inside, per call).
fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn client(token: &str) -> Client {
    Client::new(
        &sandbox().base,
        Some(token.to_owned()),
        ClientOptions::default(),
    )
    .unwrap()
}

/// The binary with a clean environment, a frozen today, `--config` and wide tables.
fn passeport_with(config: &Path) -> Command {
    let mut command = Command::from_std(cli_sandbox::binary(config));
    command.env("COLUMNS", "400");
    command
}

/// The binary configured for the sandbox with `token`.
fn passeport(token: &str) -> Command {
    passeport_with(&config(&sandbox().base, Some(token)))
}

fn stdout_of(command: &mut Command, code: i32) -> String {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

fn json_of(command: &mut Command, code: i32) -> Value {
    serde_json::from_str(&stdout_of(command, code)).unwrap()
}

/// Exit code 2, nothing on stdout, one French line on stderr; returns that line.
fn failure_of(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{:?}", output.stdout);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("passeport : "), "{stderr}");
    stderr
}

/// The expiries the API gives, sorted by date (stable), with the status the command prints.
fn expected_expiries(query: ExpirationsQuery) -> Vec<ExpirationItem> {
    let mut items =
        block_on(async { client(EMPLOYER).all_expirations(&query).await.unwrap() }).items;
    items.sort_by_key(|item| item.expires_on);
    items
}

fn status_of(item: &ExpirationItem) -> &'static str {
    if item.days_left < 0 {
        "expired"
    } else {
        "expiring"
    }
}

fn expiry_json(item: &ExpirationItem) -> Value {
    json!({
        "worker_id": item.worker_id,
        "last_name": item.last_name,
        "first_names": item.first_names,
        "site": item.site,
        "training_code": item.training_code,
        "training_title": item.training_title,
        "expires_on": item.expires_on.format("%Y-%m-%d").to_string(),
        "days_left": item.days_left,
        "status": status_of(item),
    })
}

/// One CSV line, fields quoted when they hold a comma, a quote or a line break.
fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|field| {
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn window(days: u32) -> ExpirationsQuery {
    ExpirationsQuery {
        within_days: Some(days),
        ..ExpirationsQuery::default()
    }
}

#[test]
fn expiring_json_is_every_expiry_of_the_window_sorted_by_date() {
    let expected = expected_expiries(window(90));
    assert!(expected.iter().any(|i| i.days_left < 0), "some expired");
    assert!(expected.iter().any(|i| i.days_left >= 0), "some expiring");
    let printed = json_of(
        passeport(EMPLOYER).args(["expiring", "--format", "json"]),
        0,
    );
    let expected_json: Vec<Value> = expected.iter().map(expiry_json).collect();
    assert_eq!(printed, Value::Array(expected_json));
    let dates: Vec<&str> = printed
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["expires_on"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|pair| pair[0] <= pair[1]), "sorted");
}

#[test]
fn expiring_filters_by_status_training_and_site() {
    let wide = expected_expiries(window(365));
    let pick = wide.iter().find(|i| i.days_left >= 0).unwrap();
    let (training, site) = (pick.training_code.clone(), pick.site.clone());
    let expected: Vec<Value> = expected_expiries(ExpirationsQuery {
        within_days: Some(365),
        training: Some(training.clone()),
        site: Some(site.clone()),
        ..ExpirationsQuery::default()
    })
    .iter()
    .filter(|item| item.days_left >= 0)
    .map(expiry_json)
    .collect();
    assert!(!expected.is_empty());
    let printed = json_of(
        passeport(EMPLOYER).args([
            "expiring",
            "--within",
            "365",
            "--status",
            "expiring",
            "--training",
            &training,
            "--site",
            &site,
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!(printed, Value::Array(expected));

    let expired: Vec<Value> = expected_expiries(window(90))
        .iter()
        .filter(|item| item.days_left < 0)
        .map(expiry_json)
        .collect();
    let printed = json_of(
        passeport(EMPLOYER).args(["expiring", "--status", "expired", "--format", "json"]),
        0,
    );
    assert_eq!(printed, Value::Array(expired));
}

#[test]
fn expiring_csv_has_a_header_and_one_row_per_expiry() {
    let expected = expected_expiries(window(30));
    let mut lines = vec![
        "worker_id,last_name,first_names,site,training_code,training_title,expires_on,days_left,\
         status"
            .to_owned(),
    ];
    lines.extend(expected.iter().map(|item| {
        csv_line(&[
            item.worker_id.to_string(),
            item.last_name.clone(),
            item.first_names.clone(),
            item.site.clone(),
            item.training_code.clone(),
            item.training_title.clone(),
            item.expires_on.format("%Y-%m-%d").to_string(),
            item.days_left.to_string(),
            status_of(item).to_owned(),
        ])
    }));
    let printed = stdout_of(
        passeport(EMPLOYER).args(["expiring", "--within", "30", "--format", "csv"]),
        0,
    );
    assert_eq!(printed, lines.join("\n") + "\n");
}

#[test]
fn expiring_table_shows_every_row_and_fits_the_terminal() {
    let expected = expected_expiries(window(90));
    let printed = stdout_of(passeport(EMPLOYER).arg("expiring"), 0);
    assert!(!printed.contains('\x1b'), "no colour outside a terminal");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), expected.len() + 2, "{printed}");
    let split = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        split(lines[0]),
        [
            "Échéance",
            "Jours",
            "Statut",
            "Salarié",
            "Site",
            "Formation"
        ]
    );
    for (line, item) in lines[1..].iter().zip(&expected) {
        let label = if item.days_left < 0 {
            "Expirée"
        } else {
            "Expire bientôt"
        };
        assert_eq!(
            split(line),
            [
                item.expires_on.format("%d/%m/%Y").to_string(),
                item.days_left.to_string(),
                label.to_owned(),
                format!("{} {}", item.last_name, item.first_names),
                item.site.clone(),
                item.training_title.clone(),
            ],
            "{line}"
        );
    }
    let expired = expected.iter().filter(|i| i.days_left < 0).count();
    assert_eq!(
        lines[lines.len() - 1],
        format!(
            "{} : {expired} {}, {} dans les 90 prochains jours.",
            count(expected.len() as u64, "échéance", "échéances"),
            agree(expired as u64, "dépassée", "dépassées"),
            expected.len() - expired
        )
    );

    let narrow = stdout_of(passeport(EMPLOYER).arg("expiring").env("COLUMNS", "72"), 0);
    let narrow_lines: Vec<&str> = narrow.lines().collect();
    assert_eq!(narrow_lines.len(), lines.len());
    for line in &narrow_lines[..narrow_lines.len() - 1] {
        assert!(line.chars().count() <= 72, "{line}");
    }
    assert!(narrow.contains('…'));
}

#[test]
fn check_exits_1_when_anything_needs_attention_else_0() {
    assert!(!expected_expiries(window(90)).is_empty());
    let output = passeport(EMPLOYER)
        .args(["expiring", "--check", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8(output.stdout).unwrap().lines().count() > 1);

    let quiet = stdout_of(
        passeport(EMPLOYER).args(["expiring", "--check", "--training", "ABSENT_DU_CATALOGUE"]),
        0,
    );
    assert_eq!(
        quiet,
        "Aucune échéance dépassée ni dans les 90 prochains jours.\n"
    );
}

#[test]
fn failures_exit_2_with_one_french_line() {
    let refused = failure_of(passeport("jeton-inconnu").arg("expiring"));
    assert!(refused.contains("Jeton refusé"), "{refused}");

    let down = config("http://127.0.0.1:1", None);
    let unreachable = failure_of(passeport_with(&down).args(["expiring", "--check"]));
    assert!(unreachable.contains("Serveur injoignable"), "{unreachable}");

    let out_of_range = passeport(EMPLOYER)
        .args(["expiring", "--within", "99999"])
        .output()
        .unwrap();
    assert_eq!(out_of_range.status.code(), Some(2));
}

/// The server's file for the training organisation.
fn server_export(format: ExportFormat) -> String {
    block_on(async { client(OF).export(format).await.unwrap() })
}

#[test]
fn export_adf_and_jdr_give_the_server_files_on_stdout_or_atomically_in_a_file() {
    let _turn = of_declarations();
    let out_dir = tempfile::tempdir_in(&sandbox().dir).unwrap();
    for (name, format) in [("adf", ExportFormat::Adf), ("jdr", ExportFormat::Jdr)] {
        let expected = server_export(format);
        assert!(!expected.is_empty());
        let printed = stdout_of(passeport(OF).args(["export", name, "--all"]), 0);
        assert_eq!(printed, expected, "{name}");

        let path = out_dir.path().join(format!("{name}.csv"));
        fs::write(&path, "ancien contenu").unwrap();
        let quiet = stdout_of(
            passeport(OF)
                .args(["export", name, "--all", "--out"])
                .arg(&path),
            0,
        );
        assert_eq!(quiet, "", "nothing on stdout with --out");
        assert_eq!(fs::read_to_string(&path).unwrap(), expected);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "exports hold personal data");
    }
    let mut names: Vec<String> = fs::read_dir(out_dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["adf.csv", "jdr.csv"], "no temporary file left");
}

#[test]
fn exports_start_with_the_official_header() {
    let _turn = of_declarations();
    for (name, layout) in [("adf", Layout::Adf), ("jdr", Layout::Jdr)] {
        let printed = stdout_of(passeport(OF).args(["export", name, "--all"]), 0);
        let first = printed.split("\r\n").next().unwrap();
        assert_eq!(first, layout.header(), "{name}");
        assert!(
            printed.lines().count() > 1,
            "{name}: the demo has declarations"
        );
    }
}

/// Runs a command that must succeed; returns its stdout and stderr.
fn output_of(command: &mut Command) -> (String, String) {
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

/// The ID_UNIQUE_PARTENAIRE of every line of an ADF file.
fn partner_ids(file: &str) -> Vec<String> {
    file.split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split('|').nth(2).unwrap().to_owned())
        .collect()
}

/// The batch number in « Lot N : … ».
fn batch_of(stderr: &str) -> String {
    let rest = stderr
        .split("Lot ")
        .nth(1)
        .unwrap_or_else(|| panic!("{stderr}"));
    rest.split(' ').next().unwrap().to_owned()
}

/// A valid attestation with two titulaires, DUPONT (MEM-1) and LEFÈVRE (MEM-2).
fn remembered() -> Declaration {
    let titulaire = |key: &str, nir: &str, name: &str| Titulaire {
        id_unique_partenaire: key.to_owned(),
        nir: nir.to_owned(),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(false),
        ..Titulaire::default()
    };
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
    Declaration {
        id_declaration: "CLI-MEM".to_owned(),
        reference_declaration: "REF-CLI-MEM".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: NaiveDate::from_ymd_opt(2026, 6, 1),
        date_fin_formation: NaiveDate::from_ymd_opt(2026, 6, 2),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: NaiveDate::from_ymd_opt(2026, 6, 2),
        titulaires: vec![
            titulaire("CLI-MEM-1", "1850375112345", "DUPONT"),
            titulaire("CLI-MEM-2", "2900612345678", "LEFÈVRE"),
        ],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

#[test]
fn export_sends_each_line_once_and_again_when_the_portal_refuses_it() {
    let _turn = of_declarations();
    // Whatever other tests left unsent goes first.
    output_of(passeport(OF).args(["export", "adf"]));
    block_on(async {
        client(OF)
            .create_declaration(&remembered(), "cli-export-memory")
            .await
            .unwrap()
    });
    let dir = tempfile::tempdir_in(&sandbox().dir).unwrap();
    let path = dir.path().join("lot.csv");
    let (out, err) = output_of(passeport(OF).args(["export", "adf", "--out"]).arg(&path));
    assert_eq!(out, "");
    let file = fs::read_to_string(&path).unwrap();
    assert_eq!(
        partner_ids(&file),
        ["CLI-MEM-1", "CLI-MEM-2"],
        "only the new lines"
    );
    let batch = batch_of(&err);
    assert!(
        err.contains(&format!("Lot {batch} : 2 lignes ADF exportées")),
        "{err}"
    );

    let (out, err) = output_of(passeport(OF).args(["export", "adf"]));
    assert_eq!(out, "", "nothing sent twice");
    assert!(err.contains("Rien de nouveau à exporter"), "{err}");

    let listed = stdout_of(passeport(OF).args(["export", "batches"]), 0);
    let row = listed
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{batch} ")))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(row.contains("ADF") && row.contains("en attente"), "{row}");
    assert_eq!(
        stdout_of(passeport(OF).args(["export", "file", &batch]), 0),
        file,
        "the batch's file, byte for byte"
    );

    let answered = stdout_of(
        passeport(OF).args(["export", "answer", &batch, "refused-titulaires", "Lefevre"]),
        0,
    );
    assert!(
        answered.contains(&format!("Lot {batch} : réponse « titulaires refusés »")),
        "{answered}"
    );
    assert!(answered.contains("1 ligne refusée"), "{answered}");
    let (again, err) = output_of(passeport(OF).args(["export", "adf"]));
    assert_eq!(
        partner_ids(&again),
        ["CLI-MEM-2"],
        "the refused line, alone"
    );
    let second = batch_of(&err);
    assert_ne!(second, batch);

    stdout_of(
        passeport(OF).args(["export", "answer", &second, "accepted"]),
        0,
    );
    let twice = failure_of(passeport(OF).args(["export", "answer", &second, "refused"]));
    assert!(twice.contains("déjà une réponse"), "{twice}");
    let (out, _) = output_of(passeport(OF).args(["export", "adf"]));
    assert_eq!(out, "", "accepted: nothing left to send");
    let (all, _) = output_of(passeport(OF).args(["export", "adf", "--all"]));
    assert!(
        partner_ids(&all).contains(&"CLI-MEM-1".to_owned()),
        "--all sends again"
    );
}

#[test]
fn export_passports_lists_every_training_of_every_visible_worker() {
    let (workers, passports) = block_on(async {
        let client = client(EMPLOYER);
        let workers = client.all_workers(&WorkersQuery::default()).await.unwrap();
        let mut passports = Vec::new();
        for worker in &workers {
            passports.push(client.passport(worker.id).await.unwrap());
        }
        (workers, passports)
    });
    assert!(workers.len() > 10);
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let mut expected_json = Vec::new();
    let mut expected_csv = vec![
        "worker_id,last_name,first_names,site,employer_siret,training_code,training_title,\
         category,end_date,validity_start,validity_end,expires_on,days_left,status,superseded,\
         category_confidence"
            .to_owned(),
    ];
    for passport in &passports {
        let w = &passport.worker;
        for e in &passport.entries {
            let status = serde_json::to_value(e.status).unwrap();
            expected_json.push(json!({
                "worker_id": w.id,
                "last_name": w.last_name,
                "first_names": w.first_names,
                "site": w.site,
                "employer_siret": w.employer_siret.as_str(),
                "training_code": e.training_code,
                "training_title": e.training_title,
                "category": e.category,
                "end_date": e.end_date.format("%Y-%m-%d").to_string(),
                "validity_start": date(e.validity_start),
                "validity_end": date(e.validity_end),
                "expires_on": date(e.expires_on),
                "days_left": e.days_left,
                "status": status,
                "superseded": e.superseded,
                "category_confidence": e.category_confidence,
            }));
            expected_csv.push(csv_line(&[
                w.id.to_string(),
                w.last_name.clone(),
                w.first_names.clone(),
                w.site.clone(),
                w.employer_siret.as_str().to_owned(),
                e.training_code.clone(),
                e.training_title.clone(),
                e.category.to_string(),
                e.end_date.format("%Y-%m-%d").to_string(),
                date(e.validity_start).unwrap_or_default(),
                date(e.validity_end).unwrap_or_default(),
                date(e.expires_on).unwrap_or_default(),
                e.days_left.map(|d| d.to_string()).unwrap_or_default(),
                status.as_str().unwrap().to_owned(),
                e.superseded.to_string(),
                serde_json::to_value(e.category_confidence)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ]));
        }
    }
    assert!(
        expected_json.len() > workers.len(),
        "several trainings each"
    );

    let printed = json_of(
        passeport(EMPLOYER).args(["export", "passports", "--format", "json"]),
        0,
    );
    assert_eq!(printed, Value::Array(expected_json));

    let out_dir = tempfile::tempdir_in(&sandbox().dir).unwrap();
    let path = out_dir.path().join("passeports.csv");
    stdout_of(
        passeport(EMPLOYER)
            .args(["export", "passports", "--format", "csv", "--out"])
            .arg(&path),
        0,
    );
    let written = fs::read_to_string(&path).unwrap();
    assert_eq!(written, expected_csv.join("\n") + "\n");
    assert!(
        passports
            .iter()
            .all(|p| !written.contains(p.worker.nir.as_str())),
        "no NIR"
    );
}

/// A fixture of tests/fixtures/import.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// The training organisation's declarations whose reference is one of `references`.
fn declarations_with(references: &[&str]) -> Vec<DeclarationSummary> {
    let all = block_on(async {
        client(OF)
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap()
    });
    all.into_iter()
        .filter(|d| references.contains(&d.reference.as_str()))
        .collect()
}

/// A valid fixture: its name and, per declaration, (ID_DECLARATION, REFERENCE, titulaires).
struct Valid {
    file: &'static str,
    declarations: &'static [(&'static str, &'static str, usize)],
}

const VALID: [Valid; 5] = [
    Valid {
        file: "adf-avec-entete.csv",
        declarations: &[
            ("CLI-ADF-1", "REF-CLI-ADF-1", 2),
            ("CLI-ADF-2", "REF-CLI-ADF-2", 1),
        ],
    },
    Valid {
        file: "adf-sans-entete.csv",
        declarations: &[("CLI-ADFN-1", "REF-CLI-ADFN-1", 2)],
    },
    Valid {
        file: "jdr.csv",
        declarations: &[("CLI-JDR-1", "REF-CLI-JDR-1", 2)],
    },
    Valid {
        file: "tableur-point-virgule-1252.csv",
        declarations: &[("CLI-XLS-1", "REF-CLI-XLS-1", 2)],
    },
    Valid {
        file: "tableur-virgule-bom.csv",
        declarations: &[("CLI-BOM-1", "REF-CLI-BOM-1", 2)],
    },
];

/// What the spreadsheet fixtures recorded: accents read from Windows-1252, quoted values,
/// ISO dates, 15-character NIRs with spaces kept as 13 characters.
fn check_spreadsheet_values() {
    let view = |reference: &str| {
        let id = declarations_with(&[reference])[0].id;
        block_on(async { client(OF).declaration(id).await.unwrap() }).declaration
    };
    let latin = view("REF-CLI-XLS-1");
    assert_eq!(latin.nom_formation, "Habilitation électrique; B0 H0");
    let names: Vec<&str> = latin
        .titulaires
        .iter()
        .map(|t| t.nom_titulaire.as_str())
        .collect();
    assert_eq!(names, ["LEFÈVRE", "CHÂTEL"]);
    assert_eq!(
        latin.date_debut_formation,
        NaiveDate::from_ymd_opt(2026, 10, 5)
    );

    let quoted = view("REF-CLI-BOM-1");
    assert_eq!(quoted.nom_formation, "Risque chimique, niveau 1 \"N1\"");
    let nirs: Vec<&str> = quoted.titulaires.iter().map(|t| t.nir.as_str()).collect();
    assert_eq!(nirs, ["2900669123010", "2900669123011"]);
    assert_eq!(quoted.titulaires[1].nom_titulaire, "DA SILVA");
}

#[test]
fn valid_files_in_every_layout_and_encoding_are_imported_once() {
    let _turn = of_declarations();
    for valid in &VALID {
        let path = fixture(valid.file);
        let references: Vec<&str> = valid.declarations.iter().map(|d| d.1).collect();
        let titulaires: usize = valid.declarations.iter().map(|d| d.2).sum();
        let summary = |dry_run: bool, results: Value| {
            json!({
                "declarations": valid.declarations.len(),
                "titulaires": titulaires,
                "errors": [],
                "dry_run": dry_run,
                "results": results,
                // No fixture title names a catalogue type: exclusions could not be checked.
                "unrecognised_trainings": valid.declarations.len(),
            })
        };

        let dry = json_of(
            passeport(OF)
                .arg("import")
                .arg(&path)
                .args(["--dry-run", "--format", "json"]),
            0,
        );
        assert_eq!(dry, summary(true, json!([])), "{}", valid.file);
        assert!(
            declarations_with(&references).is_empty(),
            "dry run sends nothing"
        );

        let first = json_of(
            passeport(OF)
                .arg("import")
                .arg(&path)
                .args(["--format", "json"]),
            0,
        );
        let created = declarations_with(&references);
        assert_eq!(created.len(), valid.declarations.len(), "{}", valid.file);
        let results: Vec<Value> = valid
            .declarations
            .iter()
            .map(|(id, reference, count)| {
                let recorded = created.iter().find(|d| d.reference == *reference).unwrap();
                assert_eq!(recorded.titulaire_count as usize, *count);
                json!({"id_declaration": id, "id": recorded.id, "titulaires": count, "outcome": "created"})
            })
            .collect();
        assert_eq!(first, summary(false, Value::Array(results.clone())));

        let again = stdout_of(passeport(OF).arg("import").arg(&path), 0);
        for (result, (id, _, titulaires)) in results.iter().zip(valid.declarations) {
            let line = format!(
                "  {id} ({}) : déjà importée (n° {})\n",
                count(*titulaires as u64, "titulaire", "titulaires"),
                result["id"]
            );
            assert!(again.contains(&line), "{again}");
        }
        assert!(again.ends_with(&format!(
            "Fichier valide : 0 déclaration créée, {} déjà {}.\n",
            valid.declarations.len(),
            agree(valid.declarations.len() as u64, "importée", "importées")
        )));
        assert_eq!(
            declarations_with(&references),
            created,
            "nothing created twice"
        );
    }
    check_spreadsheet_values();
}

#[test]
fn a_file_with_errors_reports_every_one_and_creates_nothing() {
    let _turn = of_declarations();
    let path = fixture("erreurs.csv");
    let report = json_of(
        passeport(OF)
            .arg("import")
            .arg(&path)
            .args(["--format", "json"]),
        1,
    );
    let error = |line: u32, column: Option<&str>, message: &str| json!({"line": line, "column": column, "message": message});
    assert_eq!(
        report,
        json!({
            "declarations": 3,
            "titulaires": 6,
            "dry_run": false,
            "results": [],
            "unrecognised_trainings": 3,
            "errors": [
                error(3, Some("NIR"),
                    "NIR : clé incorrecte : vérifiez les 13 premiers chiffres et la clé."),
                error(4, Some("NOM_FORMATION"),
                    "Valeur « Gestes et postures (autre) » différente de celle de la ligne 2 \
                     (« Gestes et postures ») : toutes les lignes de la déclaration « CLI-ERR-1 » \
                     doivent porter les mêmes données de formation."),
                error(5, Some("DATE_FIN_FORMATION"),
                    "La date de fin de formation « 31/09/2026 » n'existe pas dans le \
                     calendrier."),
                error(5, Some("PRESENCE_EMPLOYEUR"),
                    "Le champ « présence de l'employeur » vaut « PEUT-ETRE » : OUI ou NON attendu."),
                error(6, Some("SIRET_EMPLOYEUR"),
                    "SIRET : la clé de contrôle (Luhn) du SIREN (9 premiers chiffres) est fausse."),
                error(7, None,
                    "La ligne compte 3 colonnes alors que l'en-tête en annonce 20 : une valeur \
                     contient-elle le séparateur « ; » ?"),
                error(8, Some("ID_UNIQUE_PARTENAIRE"),
                    "L'identifiant unique partenaire « CLI-ERR-1-L1 » figure déjà ligne 2 : il \
                     doit être unique dans le fichier (doublon refusé par la plateforme)."),
                error(8, Some("NOM_TITULAIRE"),
                    "Le champ « nom de naissance du titulaire » dépasse 30 caractères (35 saisis)."),
            ],
        })
    );
    let text = stdout_of(passeport(OF).arg("import").arg(&path), 1);
    assert!(text.contains("8 erreurs :\n  ligne 3, colonne NIR : NIR : clé incorrecte : vérifiez"));
    assert!(text.ends_with(
        "Aucune déclaration n'a été envoyée : corrigez le fichier puis relancez l'import.\n"
    ));
    let dry = stdout_of(passeport(OF).arg("import").arg(&path).arg("--dry-run"), 1);
    assert!(dry.contains("8 erreurs :"));
    assert!(
        declarations_with(&["REF-CLI-ERR-1", "REF-CLI-ERR-2", "REF-CLI-ERR-4"]).is_empty(),
        "nothing created"
    );
}

#[test]
fn unreadable_files_exit_2_saying_why() {
    let dir = tempfile::tempdir_in(&sandbox().dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path
    };
    let cases: [(PathBuf, &str); 5] = [
        (
            dir.path().join("absent.csv"),
            "absent.csv : fichier introuvable",
        ),
        (
            write("binaire.csv", b"ID_DECLARATION|NIR\n\0\x01\x02"),
            "ce n'est ni un classeur (.xlsx, .xls, .ods) ni un fichier texte (octet nul ligne 2)",
        ),
        (
            write("classeur.xlsx", b"PK\x03\x04\x14\0\x06\0xl/workbook.xml"),
            "classeur illisible (endommagé, protégé par un mot de passe ou d'un autre format)",
        ),
        (
            write("inconnu.csv", b"alpha;beta;gamma\n1;2;3\n"),
            "disposition inconnue : la première ligne compte 3 colonne(s)",
        ),
        (write("vide.csv", b"\r\n\r\n"), "le fichier est vide"),
    ];
    for (path, reason) in cases {
        let message = failure_of(passeport(OF).arg("import").arg(&path).arg("--dry-run"));
        assert!(message.contains(reason), "{message}");
    }
}

#[test]
fn completions_and_manpage_are_printed() {
    let bash = stdout_of(passeport(EMPLOYER).args(["completions", "bash"]), 0);
    assert!(bash.contains("_passeport()") && bash.contains("expiring"));
    let zsh = stdout_of(passeport(EMPLOYER).args(["completions", "zsh"]), 0);
    assert!(zsh.starts_with("#compdef passeport"));
    let fish = stdout_of(passeport(EMPLOYER).args(["completions", "fish"]), 0);
    assert!(fish.contains("complete -c passeport") && fish.contains("import"));
    let man = stdout_of(passeport(EMPLOYER).arg("manpage"), 0);
    assert!(man.contains(".TH passeport 1"));
    for command in ["expiring", "export", "import", "completions", "manpage"] {
        assert!(man.contains(command), "{command}");
    }
}

#[test]
fn every_command_has_french_help_with_an_example() {
    let commands: [&[&str]; 13] = [
        &["catalogue"],
        &["catalogue", "unmapped"],
        &["expiring"],
        &["export"],
        &["export", "adf"],
        &["export", "jdr"],
        &["export", "batches"],
        &["export", "answer"],
        &["export", "file"],
        &["export", "passports"],
        &["import"],
        &["completions"],
        &["manpage"],
    ];
    for command in commands {
        let help = stdout_of(passeport(EMPLOYER).args(command).arg("--help"), 0);
        assert!(help.contains("Exemple"), "{command:?}: {help}");
        assert!(help.contains("passeport "), "{command:?}");
    }
    let expiring = stdout_of(passeport(EMPLOYER).args(["expiring", "--help"]), 0);
    assert!(
        expiring.contains("- expired : Échéances dépassées"),
        "{expiring}"
    );
    let import = stdout_of(passeport(EMPLOYER).args(["import", "--help"]), 0);
    assert!(
        import.contains("- json : Un objet JSON pour les scripts"),
        "{import}"
    );
}

/// A `passeport serve` child, stopped when dropped (even when an assertion fails).
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `passeport serve` on a free port over `db`, its rules overridable in the directory of
/// `server_config`; the child and its base URL (read from its first line on stderr).
fn serve_team(db: &Path, server_config: &Path, config_home: &Path) -> (Served, String) {
    use std::io::{BufRead, BufReader};
    let mut child = cli_sandbox::binary(server_config)
        .env("XDG_CONFIG_HOME", config_home)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("API sur http://") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve stopped");
    }
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap()
        .to_owned();
    // Keep reading its logs so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stderr.lines() {});
    (Served(child), base)
}

#[test]
fn catalogue_unmapped_lists_declared_titles_until_an_alias_is_added() {
    let dir = tempfile::tempdir_in(&sandbox().dir).unwrap();
    let db = dir.path().join("team.db");
    let server_dir = dir.path().join("serveur");
    fs::create_dir(&server_dir).unwrap();
    let server_config = server_dir.join("config.toml");
    // The server's own configuration directory, where its rules are overridden.
    let config_home = dir.path().join("config-serveur");
    let rules_dir = config_home.join("passeport");
    fs::create_dir_all(&rules_dir).unwrap();
    let siret = "44200001400005";
    let admin = |args: &[&str]| {
        let mut command = passeport_with(&server_config);
        command.args(args).arg("--db").arg(&db);
        command
    };
    stdout_of(
        &mut admin(&[
            "account",
            "create",
            "--kind",
            "organisme-formation",
            "--siret",
            siret,
            "--name",
            "Formapro",
            "--nda",
            "11755555575",
        ]),
        0,
    );
    let token = stdout_of(&mut admin(&["token", "create", "--account", siret]), 0);
    let token = token.trim();

    let (server, base) = serve_team(&db, &server_config, &config_home);
    let file = dir.path().join("maison.csv");
    fs::write(
        &file,
        "CLI-MAISON-1|REF-CLI-MAISON-1|CLI-MAISON-1-L1|Secourisme maison|05/10/2026|06/10/2026|\
         PRESENTIEL|115650/121885/400635|PREVENTEUR|NON||42829|344r|2900669123001|DUPONT|OUI|\
         73282932000074|MAT-1|06/10/2026|\n",
    )
    .unwrap();
    stdout_of(
        passeport_with(&config(&base, Some(token)))
            .arg("import")
            .arg(&file),
        0,
    );
    let listed = json_of(
        passeport_with(&config(&base, Some(token))).args([
            "catalogue",
            "unmapped",
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["title"], "Secourisme maison");
    assert_eq!(listed[0]["entries"], 1);
    assert_eq!(listed[0]["last_reference"], "REF-CLI-MAISON-1");
    let table = stdout_of(
        passeport_with(&config(&base, Some(token))).args(["catalogue", "unmapped"]),
        0,
    );
    assert!(table.contains("« Secourisme maison »"), "{table}");
    assert!(table.contains("aliases"), "{table}");
    drop(server);

    // The alias in the server's catalogue override (its configuration directory, not the
    // folder of its --config), then a restart: the title is a type.
    let catalogue = passeport::domain::training::CATALOGUE_TOML.replacen(
        "\"Sauveteur secouriste du travail\", \"Formation SST\",",
        "\"Sauveteur secouriste du travail\", \"Secourisme maison\", \"Formation SST\",",
        1,
    );
    assert_ne!(catalogue, passeport::domain::training::CATALOGUE_TOML);
    fs::write(rules_dir.join("catalogue.toml"), catalogue).unwrap();
    let (server, base) = serve_team(&db, &server_config, &config_home);
    let listed = json_of(
        passeport_with(&config(&base, Some(token))).args([
            "catalogue",
            "unmapped",
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!(listed, json!([]));
    let csv = stdout_of(
        passeport_with(&config(&base, Some(token))).args([
            "catalogue",
            "unmapped",
            "--format",
            "csv",
        ]),
        0,
    );
    assert_eq!(csv, "title,entries,last_reference,last_declared_on\n");
    drop(server);
}
