//! What the commands write where, as a shell user sees it: the real binary against the real
//! server on loopback (a temporary database seeded with a small demo, a frozen today). A closed
//! pipe ends a command quietly; colours and messages follow the terminal; outputs suit HR tools;
//! help and errors read in French.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::NaiveDate;

#[path = "common/cli_sandbox.rs"]
mod cli_sandbox;
use cli_sandbox::{EMPLOYER, OF, sandbox};

/// A private configuration file naming the sandbox and `token`.
fn config(token: &str) -> PathBuf {
    cli_sandbox::config(&sandbox().base, Some(token))
}

/// The binary with a clean environment, a frozen today and `--config`.
fn passeport_with(config: &Path) -> Command {
    cli_sandbox::binary(config)
}

/// The binary configured for the sandbox with `token`.
fn passeport(token: &str) -> Command {
    passeport_with(&config(token))
}

/// Runs `command` with its stdout on a pipe whose reading end is already closed, so that its
/// first write fails with EPIPE, as in `passeport … | head` once head has left.
fn into_closed_pipe(command: &mut Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// Asserts that a command stopped by a closed pipe ended quietly: exit 0, nothing on stderr.
fn assert_quiet(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "", "{what}: nothing on stderr");
    assert_eq!(output.status.code(), Some(0), "{what}: {:?}", output.status);
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let cases: [(&str, &[&str]); 7] = [
        ("catalogue", &["catalogue"]),
        ("catalogue json", &["catalogue", "--format", "json"]),
        ("expiring", &["expiring", "--within", "365"]),
        ("expiring csv", &["expiring", "--format", "csv"]),
        ("export passports", &["export", "passports"]),
        ("manpage", &["manpage"]),
        ("help", &["--help"]),
    ];
    for (what, args) in cases {
        let output = into_closed_pipe(passeport(EMPLOYER).args(args));
        assert_quiet(&output, what);
    }
    // An official export is recorded as a batch before its file is written: the one line saying
    // which batch stays on stderr, so a user whose pipe closed can fetch the file again.
    for what in ["adf", "jdr"] {
        let output = into_closed_pipe(passeport(OF).args(["export", what, "--all"]));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("Lot ") && stderr.lines().count() == 1,
            "{what}: only the batch line on stderr: {stderr}"
        );
        assert_eq!(output.status.code(), Some(0), "{what}: {:?}", output.status);
    }
}

#[test]
fn head_reading_three_lines_of_a_long_export_stops_it_quietly() {
    for args in [
        &["export", "passports"][..],
        &["expiring", "--within", "3660"],
    ] {
        let mut child = passeport(EMPLOYER)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .take(3)
            .map(Result::unwrap)
            .collect();
        assert_eq!(lines.len(), 3, "{args:?}");
        // The reading end is dropped here, long before the end of the output.
        let output = child.wait_with_output().unwrap();
        assert_quiet(&output, &format!("{args:?}"));
    }
}

#[test]
fn failures_are_one_french_line_without_colour_outside_a_terminal() {
    let output = passeport("jeton-inconnu")
        .arg("expiring")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("passeport : "), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");

    let unwritable = sandbox().dir.join("absent").join("export.csv");
    let output = passeport(EMPLOYER)
        .args(["export", "passports", "--out"])
        .arg(&unwritable)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("export.csv : écriture impossible : fichier ou dossier introuvable\n"),
        "{stderr}"
    );
}

#[test]
fn the_full_screen_application_without_a_terminal_says_what_to_use() {
    let output = passeport(EMPLOYER).stdin(Stdio::null()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "passeport : l'application plein écran demande un terminal : lancez passeport dans un \
         terminal, ou utilisez les commandes expiring, export, import ou catalogue (passeport \
         --help)\n"
    );
}

/// The stdout of a command that must succeed with nothing on stderr.
fn stdout_of(command: &mut Command) -> String {
    let output = command.stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "", "nothing on stderr");
    String::from_utf8(output.stdout).unwrap()
}

/// Whether `text` is a date as French spreadsheets read it, `jj/mm/aaaa`.
fn is_french_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%d/%m/%Y").is_ok() && text.len() == 10
}

#[test]
fn excel_exports_open_in_columns_in_a_french_spreadsheet() {
    let csv = stdout_of(passeport(EMPLOYER).args(["export", "passports", "--format", "csv"]));
    let excel = stdout_of(passeport(EMPLOYER).args(["export", "passports", "--format", "excel"]));
    let body = excel.strip_prefix('\u{feff}').expect("a BOM first");
    assert!(body.ends_with("\r\n"));
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "Identifiant salarié;Nom de naissance;Prénoms;Site;SIRET de l'employeur;Code formation;\
         Formation;Catégorie;Fin de formation;Début de validité;Fin de validité;Échéance;\
         Jours restants;Statut;Remplacée;Fermeté de la catégorie"
    );
    assert_eq!(
        lines.len(),
        csv.lines().count(),
        "one line per training, as csv"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let mut statuses = std::collections::BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 16);
        assert!(is_french_date(&record[8]), "{record:?}");
        if !record[11].is_empty() {
            assert!(is_french_date(&record[11]), "{record:?}");
        }
        assert!(matches!(&record[14], "oui" | "non"), "{record:?}");
        statuses.insert(record[13].to_owned());
    }
    assert!(
        statuses
            .iter()
            .all(|s| ["Expirée", "Expire bientôt", "Valide", "Sans échéance"].contains(&s.as_str())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains("Expirée"),
        "the demo has expired trainings"
    );

    let expiring = stdout_of(passeport(EMPLOYER).args(["expiring", "--format", "excel"]));
    let body = expiring.strip_prefix('\u{feff}').expect("a BOM first");
    let mut lines = body.split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "Identifiant salarié;Nom de naissance;Prénoms;Site;Code formation;Formation;\
             Échéance;Jours restants;Statut"
        )
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let cells: Vec<&str> = row.rsplitn(4, ';').collect();
        assert!(matches!(cells[0], "Expirée" | "Expire bientôt"), "{row}");
        assert!(cells[1].parse::<i64>().is_ok(), "{row}");
        assert!(is_french_date(cells[2]), "{row}");
    }
}

#[test]
fn a_table_sent_to_a_file_or_a_mail_is_not_cut() {
    let table = stdout_of(passeport(EMPLOYER).args(["expiring", "--within", "365"]));
    assert!(!table.contains('…'), "{table}");
    assert!(
        table.lines().any(|line| line.chars().count() > 80),
        "some lines are longer than a terminal"
    );
    let narrow = stdout_of(
        passeport(EMPLOYER)
            .args(["expiring", "--within", "365"])
            .env("COLUMNS", "80"),
    );
    assert!(narrow.contains('…'), "an explicit COLUMNS still fits");
}

#[test]
fn an_official_export_with_nothing_new_says_so_and_writes_nothing() {
    let output = passeport(EMPLOYER)
        .args(["export", "adf"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty(), "no file when nothing is new");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("Rien de nouveau à exporter") && stderr.contains("--all"),
        "{stderr}"
    );
    // `--all`: the other tests of this file share the server and export the OF's lines too.
    let full = passeport(OF)
        .args(["export", "adf", "--all"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(0));
    assert!(
        String::from_utf8(full.stderr).unwrap().starts_with("Lot "),
        "the batch is named when there are lines"
    );
}

#[test]
fn parse_errors_and_help_read_in_french() {
    let output = passeport(EMPLOYER)
        .args(["expiring", "--within", "abc"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "passeport : valeur « abc » invalide pour --within <JOURS> : un nombre entier de 0 à \
         3660 est attendu (aide : passeport expiring --help)\n"
    );
    let output = passeport(EMPLOYER)
        .args(["expiring", "--statu", "all"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("argument inconnu « --statu » ; vouliez-vous dire « --status » ?"),
        "{stderr}"
    );
    let commands: [&[&str]; 6] = [
        &[],
        &["expiring"],
        &["export", "passports"],
        &["import"],
        &["serve"],
        &["completions"],
    ];
    for command in commands {
        for flag in ["-h", "--help"] {
            let help = stdout_of(passeport(EMPLOYER).args(command).arg(flag));
            for english in [
                "Print",
                "Usage:",
                "[default:",
                "Possible values",
                "\n  help ",
            ] {
                assert!(
                    !help.contains(english),
                    "{command:?} {flag}: {english}\n{help}"
                );
            }
            assert!(help.contains("Utilisation : passeport"), "{help}");
        }
    }
    let version = stdout_of(passeport(EMPLOYER).arg("--version"));
    assert_eq!(
        version,
        format!("passeport {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unusual_nirs_are_imported_with_a_warning_at_their_line() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/nir-inhabituels.csv");
    let output = passeport(OF)
        .arg("import")
        .arg(&fixture)
        .args(["--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    assert_eq!(report["titulaires"], 4);
    assert_eq!(
        report["warnings"],
        serde_json::json!([
            {"line": 2, "column": "NIR", "message": "numéro provisoire (premier chiffre 7 ou 8) : \
              déclarez le NIR définitif dès qu'il est connu, la plateforme vérifie le couple NIR \
              et nom de naissance"},
            {"line": 3, "column": "NIR", "message": "mois « 60 » : mois de naissance inconnu ou \
              fictif (état civil incomplet), vérifiez le numéro"},
            {"line": 4, "column": "NIR", "message": "premier chiffre 3 ou 4 : personne née à \
              l'étranger en cours d'immatriculation, vérifiez le numéro sur sa carte Vitale ou \
              son attestation"},
        ])
    );
    let text = stdout_of(passeport(OF).arg("import").arg(&fixture).arg("--dry-run"));
    assert!(text.contains("3 avertissements :"), "{text}");
    assert!(text.contains("Simulation (--dry-run) : rien n'a été envoyé."));
}

#[test]
fn configuration_errors_read_in_french_and_once() {
    let cases = [
        (
            "theme = \"sombre\"\n",
            "clé « theme » : valeur « sombre » inconnue ; valeurs possibles : « dark » ou \
             « light »\n",
        ),
        (
            "threshold_days = \"90\"\n",
            "clé « threshold_days » : le texte \"90\" au lieu d'un nombre entier positif\n",
        ),
        (
            "[keymap]\nfoo = [\"x\"]\n",
            ".toml : keymap : commande inconnue « foo »\n",
        ),
    ];
    for (text, ending) in cases {
        let path = config(EMPLOYER);
        let mut content = fs::read_to_string(&path).unwrap();
        content.push_str(text);
        fs::write(&path, content).unwrap();
        let output = passeport_with(&path).arg("expiring").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.ends_with(ending), "{stderr}");
        assert_eq!(
            stderr.matches("commande inconnue").count(),
            stderr.contains("foo") as usize
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
