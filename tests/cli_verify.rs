//! `passeport verify` (issue 16 item 5) as the real binary against the real server on loopback
//! (a small demo, today frozen on 2026-11-26): the list matches the API, `--check --within N`
//! exits 1 exactly when a window ends within N days, a correction request made from the command
//! reaches the organisation, a refused action exits 2 with one French line, and a training no
//! organisation declared in time is listed and checked « non déclarée » (art. 7-II).

use std::future::Future;

use assert_cmd::Command;
use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    NewTrainingRecord, VerificationView, VerificationsQuery, WorkersQuery,
};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::compute_key;
use passeport::domain::verification::VerificationStatus;
use serde_json::Value;

#[path = "common/cli_sandbox.rs"]
mod cli_sandbox;
use cli_sandbox::{EMPLOYER, OF, TODAY, config, sandbox};

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

/// The lines the API gives `token`.
fn server_lines(token: &str) -> Vec<VerificationView> {
    block_on(client(token).verifications(&VerificationsQuery::default()))
        .unwrap()
        .items
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// The organisation declares a training ended on 2 November 2026 for the demo employer.
fn declare_for_the_employer() {
    let siret = block_on(client(EMPLOYER).me()).unwrap().siret;
    let body = "2850775199901";
    let declaration = Declaration {
        id_declaration: "OF-VERIFY-1".to_owned(),
        reference_declaration: "OF-VERIFY-1".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: NaiveDate::from_ymd_opt(2026, 11, 2),
        date_fin_formation: NaiveDate::from_ymd_opt(2026, 11, 2),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: NaiveDate::from_ymd_opt(2026, 11, 2),
        titulaires: vec![Titulaire {
            id_unique_partenaire: "OF-VERIFY-1-1".to_owned(),
            nir: format!("{body}{:02}", compute_key(body).unwrap()),
            nom_titulaire: "ROUX".to_owned(),
            presence_employeur: Some(true),
            siret_employeur: siret,
            reference_employeur: String::new(),
        }],
        ..Declaration::new(DeclarationKind::Attestation)
    };
    block_on(client(OF).create_declaration(&declaration, "cli-verify-1")).unwrap();
}

fn passeport(token: &str) -> Command {
    let mut command = Command::from_std(cli_sandbox::binary(&config(&sandbox().base, Some(token))));
    command.env("COLUMNS", "400");
    command
}

fn output_of(command: &mut Command, code: i32) -> (String, String) {
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

#[test]
fn verify_lists_checks_for_cron_and_asks_for_a_correction() {
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    declare_for_the_employer();
    let lines = server_lines(EMPLOYER);
    let listed: Value = serde_json::from_str(
        &output_of(
            passeport(EMPLOYER).args(["verify", "list", "--format", "json"]),
            0,
        )
        .0,
    )
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| r["line"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        lines.iter().map(|l| l.line_id).collect::<Vec<_>>(),
        "the command lists what the server gives, in its order"
    );
    for (row, line) in listed.iter().zip(&lines) {
        assert_eq!(row["status"], line.status.code());
        assert_ne!(row["nir"], line.nir, "NIR masked");
    }

    // --check: exit 1 exactly from the day the nearest window to check ends.
    let nearest = lines
        .iter()
        .filter(|l| l.status == VerificationStatus::AVerifier)
        .find_map(|l| l.window_ends.map(|end| (l.line_id, end)));
    let (line, ends) = nearest.expect("the demo gives the employer a line to check");
    let days = u32::try_from((ends - today).num_days()).unwrap();
    let quiet = output_of(
        passeport(EMPLOYER).args(["verify", "--check", "--within", &(days - 1).to_string()]),
        0,
    );
    assert_eq!(quiet.0, "", "nothing to say to cron");
    let (alert, _) = output_of(
        passeport(EMPLOYER).args(["verify", "--check", "--within", &days.to_string()]),
        1,
    );
    assert!(alert.contains("à vérifier d'ici le"), "{alert}");
    assert!(
        alert
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{line} "))),
        "{alert}"
    );

    // A correction request from the command, seen by the organisation with its message.
    let (done, _) = output_of(
        passeport(EMPLOYER).args([
            "verify",
            &line.to_string(),
            "--correction",
            "Date de fin erronée",
        ]),
        0,
    );
    assert!(done.contains("correction demandée le 26/11/2026"), "{done}");
    let (csv, _) = output_of(
        passeport(EMPLOYER).args([
            "verify",
            "list",
            "--status",
            "correction-demandee",
            "--format",
            "csv",
        ]),
        0,
    );
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(
        rows[0].starts_with(&format!("{line},correction_demandee,")),
        "{csv}"
    );
    assert!(rows[0].ends_with("Date de fin erronée"), "{csv}");
    let (requests, _) = output_of(passeport(OF).args(["verify", "list"]), 0);
    assert!(requests.contains("« Date de fin erronée »"), "{requests}");

    // Verifying a line whose correction is pending is refused: exit 2, one French line.
    let (out, err) = output_of(passeport(EMPLOYER).args(["verify", &line.to_string()]), 2);
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("l'organisme doit y répondre"), "{err}");

    // Art. 7-II: a CACES the employer's worker followed at Formapro in March 2026, due from it
    // by 30/09/2026, is listed « non déclarée » with the employer's own deadline.
    let employer = client(EMPLOYER);
    let worker = block_on(employer.workers(&WorkersQuery::default()))
        .unwrap()
        .items
        .remove(0);
    let record = NewTrainingRecord {
        training_code: "CACES_R489".to_owned(),
        end_date: NaiveDate::from_ymd_opt(2026, 3, 10),
        organisme: Some("Formapro".to_owned()),
        ..NewTrainingRecord::default()
    };
    block_on(employer.create_training(worker.id, &record, "cli-verify-7-II")).unwrap();
    let (json, _) = output_of(
        passeport(EMPLOYER).args([
            "verify",
            "list",
            "--status",
            "non-declaree",
            "--format",
            "json",
        ]),
        0,
    );
    let rows: Value = serde_json::from_str(&json).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["status"], "non_declaree");
    assert_eq!(rows[0]["line"], Value::Null);
    assert_eq!(rows[0]["window_ends"], "2027-06-30");
    assert_eq!(rows[0]["organisme"], "Formapro");
    assert_ne!(rows[0]["nir"], worker.nir.as_str(), "NIR masked");
    let (table, _) = output_of(passeport(EMPLOYER).args(["verify", "list"]), 0);
    assert!(
        table.contains(
            "non déclarée par l'organisme (à déclarer à sa place d'ici le 30/06/2027, à confirmer)"
        ),
        "{table}"
    );
    // --check names it once its deadline is within reach.
    let days = (NaiveDate::from_ymd_opt(2027, 6, 30).unwrap() - today).num_days();
    let (alert, _) = output_of(
        passeport(EMPLOYER).args(["verify", "--check", "--within", &days.to_string()]),
        1,
    );
    assert!(
        alert.contains(
            "1 formation non déclarée par l'organisme à déclarer à sa place d'ici le 30/06/2027"
        ),
        "{alert}"
    );
    // An organisation has no such list: its own requests only.
    let (json, _) = output_of(
        passeport(OF).args(["verify", "list", "--format", "json"]),
        0,
    );
    assert!(!json.contains("non_declaree"), "{json}");
}
