//! `passeport import` of the sheets teams keep (issue 15 §3–§4, §7), through the real binary
//! against a team server (`passeport serve` on a fresh SQLite file, tests/common/team_server.rs):
//! an OF's trainee workbook becomes declarations of the right kind and codes, once; a sheet with
//! errors imports nothing and names each cell; an HR roster creates, updates and archives
//! workers, then finds them unchanged; a training history and a matrix record entries that the
//! Passeport shows. Workbooks are written by rust_xlsxwriter (title rows, merged header cells, a
//! hidden column, NIRs and SIRETs as numbers, real and serial dates, an empty trailing sheet) and
//! by LibreOffice (`soffice --headless --convert-to`).

// Shared with the other pty tests: only the binary's path is used here.
#[path = "common/libreoffice.rs"]
mod libreoffice;
#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;
#[path = "common/team_server.rs"]
mod team_server;

use std::path::{Path, PathBuf};

use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{DeclarationsQuery, WorkersQuery};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::TypeJdr;
use passeport::domain::ids::compute_key;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use team_server::{EMPLOYER, Served, config, passeport, team};

/// A team server in its own directory: the server, its URL, the two accounts' configurations
/// and tokens.
struct Team {
    dir: tempfile::TempDir,
    _served: Served,
    base: String,
    employer: (PathBuf, String),
    organisation: (PathBuf, String),
}

impl Team {
    fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("import-team-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let (served, base, employer, organisation) = team(dir.path());
        let employer_config = dir.path().join("employeur.toml");
        config(&employer_config, &base, &employer);
        let organisation_config = dir.path().join("of.toml");
        config(&organisation_config, &base, &organisation);
        Team {
            dir,
            _served: served,
            base,
            employer: (employer_config, employer),
            organisation: (organisation_config, organisation),
        }
    }

    /// `passeport import FILE ARGS` as the account of `config`: (exit code, stdout, stderr).
    fn import(&self, config: &Path, file: &Path, args: &[&str]) -> (i32, String, String) {
        let output = passeport(self.dir.path())
            .arg("--config")
            .arg(config)
            .arg("import")
            .arg(file)
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    /// The JSON report of an import that must succeed.
    fn import_json(&self, config: &Path, file: &Path) -> Value {
        let (code, out, err) = self.import(config, file, &["--format", "json"]);
        assert_eq!(code, 0, "{out}{err}");
        serde_json::from_str(&out).unwrap()
    }

    fn client(&self, token: &str) -> Client {
        Client::new(&self.base, Some(token.to_owned()), ClientOptions::default()).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Runs a future of the typed client to its end.
fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// A valid NIR with its key, order `n`, as a number (how a sheet keeps it typed without `'`).
fn nir(n: u32) -> f64 {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
        .parse()
        .unwrap()
}

/// The 13 characters a declaration keeps of NIR `n`.
fn nir13(n: u32) -> String {
    format!("28507751{n:05}")
}

/// The employer's SIRET as the sheet types it: a number.
const EMPLOYER_SIRET: f64 = 73_282_932_000_074.0;

/// Excel serial of 03/03/2026 (1900 date system).
const SERIAL_3_MARCH_2026: f64 = 46084.0;

/// An OF's trainee workbook as its software writes it: a title merged over the sheet, a header
/// over two rows whose « Dates » cell is merged over « Début » and « Fin », NIRs and SIRETs as
/// numbers, start dates as real dates and end dates as serial numbers or words, a hidden
/// comment column, an empty trailing sheet. Session S-101 (SST): two passed, one failed; S-102
/// (« Recyclage SST 7h », the MAC SST): one passed, one absent.
fn trainee_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Stagiaires").unwrap();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 11, "Formapro — stagiaires de l'année", &plain)
        .unwrap();
    let headers = [
        "Nom de naissance",
        "Prénom",
        "N° de sécurité sociale",
        "Entreprise",
        "SIRET",
        "Formation",
    ];
    for (column, name) in headers.iter().enumerate() {
        sheet
            .merge_range(2, column as u16, 3, column as u16, name, &plain)
            .unwrap();
    }
    sheet.merge_range(2, 6, 2, 7, "Dates", &plain).unwrap();
    sheet.write_string(3, 6, "Début").unwrap();
    sheet.write_string(3, 7, "Fin").unwrap();
    for (column, name) in [
        (8, "Résultat"),
        (9, "N° de session"),
        (10, "Compétences transférables"),
        (11, "Commentaire"),
    ] {
        sheet
            .merge_range(2, column, 3, column, name, &plain)
            .unwrap();
    }
    sheet.set_column_hidden(11).unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let rows = [
        (
            "DUPONT",
            "Marie",
            1,
            true,
            "Sauveteur secouriste du travail",
            "Admis",
            "S-101",
        ),
        ("MARTIN", "Paul", 2, true, "SST", "Non admis", "S-101"),
        ("DURAND", "Léa", 3, false, "SST", "Réussi", "S-101"),
        (
            "LEROY",
            "Zoé",
            4,
            true,
            "Recyclage SST 7h",
            "Validé",
            "S-102",
        ),
        (
            "PETIT",
            "Jean",
            5,
            true,
            "Recyclage SST 7h",
            "Absent",
            "S-102",
        ),
    ];
    for (n, (name, first, person, employed, title, result, session)) in rows.iter().enumerate() {
        let row = 4 + n as u32;
        sheet.write_string(row, 0, *name).unwrap();
        sheet.write_string(row, 1, *first).unwrap();
        sheet.write_number(row, 2, nir(*person)).unwrap();
        if *employed {
            sheet.write_string(row, 3, "Menuiserie Martin").unwrap();
            sheet.write_number(row, 4, EMPLOYER_SIRET).unwrap();
        }
        sheet.write_string(row, 5, *title).unwrap();
        if *session == "S-101" {
            sheet
                .write_number_with_format(row, 6, SERIAL_3_MARCH_2026 - 1.0, &date)
                .unwrap();
            sheet.write_number(row, 7, SERIAL_3_MARCH_2026).unwrap();
        } else {
            sheet.write_string(row, 6, "5 octobre 2026").unwrap();
            sheet.write_string(row, 7, "5/10/26").unwrap();
        }
        sheet.write_string(row, 8, *result).unwrap();
        sheet.write_string(row, 9, *session).unwrap();
        sheet
            .write_string(row, 10, "115650, 121885 ; 400635")
            .unwrap();
        sheet.write_string(row, 11, "appelé la veille").unwrap();
    }
    book.add_worksheet().set_name("Vide").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_trainee_workbook_becomes_declarations_of_the_right_kind_once() {
    let team = Team::start();
    let (of, token) = &team.organisation;
    let path = team.path("stagiaires.xlsx");
    std::fs::write(&path, trainee_workbook()).unwrap();

    let (code, out, err) = team.import(of, &path, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    for expected in [
        "classeur Excel (.xlsx), feuille « Stagiaires », en-tête ligne 4\n",
        "Type de fichier : feuille de stagiaires d'un organisme de formation (reconnu d'après \
         les colonnes).\n",
        "  NIR : colonne C (« N° de sécurité sociale »)\n",
        "  date de fin : colonne H (« Fin »)\n",
        "  colonne L (« Commentaire ») : nom de colonne inconnu\n",
        "\n3 déclarations, 4 titulaires.\n",
        "  ligne 9, colonne I (Résultat) : Stagiaire absent : ligne non déclarée [I].\n",
        "Codes pris du catalogue pour « Sauveteur secouriste du travail (SST) » : type de \
         justificatif CERTIFICAT, DOMAINE_FORMATION 42829, SPECIALITE_FORMATION 344r [I]",
    ] {
        assert!(out.contains(expected), "« {expected} » missing:\n{out}");
    }
    assert!(
        out.ends_with(
            "Fichier valide (vérifié sur ce poste : seul le compte a été lu sur le serveur). \
             Simulation (--dry-run) : rien n'a été envoyé.\n"
        ),
        "{out}"
    );

    let first = team.import_json(of, &path);
    assert_eq!(first["errors"], serde_json::json!([]), "{first}");
    assert_eq!(first["sheet"]["kind"], "stagiaires");
    assert_eq!(
        first["sheet"]["columns"][2],
        serde_json::json!({"field": "NIR", "column": "C", "header": "N° de sécurité sociale"})
    );
    assert_eq!(first["sheet"]["ignored"][0]["column"], "L");
    let results = first["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{first}");
    assert!(results.iter().all(|r| r["outcome"] == "created"));

    let client = team.client(token);
    let summaries = block(client.all_declarations(&DeclarationsQuery::default())).unwrap();
    assert_eq!(summaries.len(), 3);
    let mut seen = Vec::new();
    for summary in &summaries {
        let view = block(client.declaration(summary.id)).unwrap();
        let declaration = view.declaration;
        assert_eq!(declaration.domaine_formation, ["42829"]);
        assert_eq!(declaration.specialite_formation, ["344r"]);
        assert_eq!(
            declaration.competence_transferable,
            ["115650", "121885", "400635"]
        );
        assert_eq!(declaration.formation_certifiante, Some(false));
        let nirs: Vec<&str> = declaration
            .titulaires
            .iter()
            .map(|t| t.nir.as_str())
            .collect();
        seen.push((
            declaration.kind,
            declaration.training_code.clone().unwrap_or_default(),
            declaration.type_jdr,
            nirs.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        ));
        for titulaire in &declaration.titulaires {
            let employed = titulaire.nir != nir13(3);
            assert_eq!(titulaire.presence_employeur, Some(employed));
            let siret = if employed { EMPLOYER } else { "" };
            assert_eq!(titulaire.siret_employeur, siret);
        }
        if declaration.id_declaration.starts_with("SST-20260303-JDR-") {
            assert_eq!(
                declaration.date_debut_formation.unwrap().to_string(),
                "2026-03-02"
            );
            assert_eq!(
                declaration.reference_declaration,
                "Session S-101 — Sauveteur secouriste du travail"
            );
        }
    }
    seen.sort_by_key(|(_, code, kind, _)| (code.clone(), kind.is_none()));
    assert_eq!(
        seen,
        [
            (
                DeclarationKind::Justificatif,
                "MAC_SST".to_owned(),
                Some(TypeJdr::Certificat),
                vec![nir13(4)]
            ),
            (
                DeclarationKind::Justificatif,
                "SST".to_owned(),
                Some(TypeJdr::Certificat),
                vec![nir13(1), nir13(3)]
            ),
            (
                DeclarationKind::Attestation,
                "SST".to_owned(),
                None,
                vec![nir13(2)]
            ),
        ]
    );

    let again = team.import_json(of, &path);
    let ids = |report: &Value| -> Vec<Value> {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(ids(&again), ids(&first));
    assert!(
        again["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "already_imported"),
        "{again}"
    );
    let summaries = block(client.all_declarations(&DeclarationsQuery::default())).unwrap();
    assert_eq!(summaries.len(), 3, "importing again creates nothing");

    // The official files the portal takes: every rule of the layouts checked on the way out.
    for (layout, lines, token) in [("jdr", 4, "|CERTIFICAT|"), ("adf", 2, "|NON|")] {
        let out = team.path(&format!("{layout}.csv"));
        let status = passeport(team.dir.path())
            .arg("--config")
            .arg(of)
            .args(["export", layout, "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "export {layout}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), lines, "{text}");
        assert!(text.lines().skip(1).all(|l| l.contains(token)), "{text}");
        assert!(text.contains("|42829|344r|"), "{text}");
    }

    // The same workbook opened and saved by LibreOffice as .ods (its merged cells, hidden
    // column and empty sheet as LibreOffice writes them): the same declarations, known.
    let Some(soffice) = libreoffice::soffice() else {
        return;
    };
    let resaved = team.dir.path().join("libreoffice");
    std::fs::create_dir_all(&resaved).unwrap();
    let ods = libreoffice::resave(&soffice, &resaved, &path, "ods");
    let from_ods = team.import_json(of, &ods);
    assert_eq!(ids(&from_ods), ids(&first), "{from_ods}");
    assert_eq!(from_ods["warnings"], first["warnings"]);
}

#[test]
fn a_trainee_sheet_with_errors_imports_nothing_and_names_each_cell() {
    let team = Team::start();
    let (of, token) = &team.organisation;
    let body = |n: u32| format!("28507751{n:05}");
    let key = |n: u32| format!("{:02}", compute_key(&body(n)).unwrap());
    let full = |n: u32| format!("{}{}", body(n), key(n));
    let wrong = format!(
        "{}{:02}",
        body(1),
        (key(1).parse::<u32>().unwrap() + 1) % 97
    );
    // CSV as French Excel saves it: « ; », a title line, names as typed.
    let csv = format!(
        "Liste des stagiaires;;;;;;\n\
         Nom;Prénom;NIR;Entreprise;SIRET;Intitulé de la formation;Date de fin;Résultat;Compétences\n\
         DUPONT;Marie;{wrong};ACME;73282932000074;SST;03/03/2026;Admis;115650/121885/400635\n\
         MARTIN;Paul;;ACME;73282932000074;SST;03/03/2026;Admis;115650/121885/400635\n\
         DURAND;Léa;{three};;;SST;03/03/2026;Admis;115650/121885/400635\n\
         DURAND;Léa;{three};;;SST;03/03/2026;Admis;115650/121885/400635\n\
         LEROY;Zoé;{four};;;SST;12/01/2027;Admis;115650/121885/400635\n\
         MOREAU;Jules;{five};;;Formateur SST;03/03/2026;Admis;115650/121885/400635\n\
         SIMON;Anne;{six};;;Cuisine moléculaire;03/03/2026;;115650/121885/400635\n\
         PETIT;Jean;{seven};Menuiserie Martin;;SST;03/03/2026;Non admis;115650/121885/400635\n",
        three = full(3),
        four = full(4),
        five = full(5),
        six = full(6),
        seven = full(7),
    );
    let path = team.path("erreurs.csv");
    std::fs::write(&path, csv).unwrap();
    let (code, out, err) = team.import(of, &path, &[]);
    assert_eq!(code, 1, "{out}{err}");
    let expected = [
        "  ligne 3, colonne C (NIR) : NIR illisible : ",
        "  ligne 4, colonne C (NIR) : Cellule vide : NIR obligatoire.\n",
        "  ligne 6, colonne C (NIR) : Doublon de la ligne 5 : même stagiaire (NIR), même \
         formation aux mêmes dates.\n",
        "  ligne 7, colonne G (Date de fin) : Formation pas encore terminée (fin le 12/01/2027) \
         : elle se déclare une fois terminée.\n",
        "  ligne 8, colonne F (Intitulé de la formation) : « Formateur SST » n'est pas à \
         déclarer : Les formations de formateurs ne sont pas à déclarer dans le Passeport de \
         prévention (article 4-II-1° du décret 2022-1712). (assets/simulator.toml, \
         nc_formateurs)\n",
        "  ligne 9, colonne F (Intitulé de la formation) : Intitulé « Cuisine moléculaire » \
         inconnu du catalogue : ",
        "  ligne 10, colonne D (Entreprise) : Entreprise « Menuiserie Martin » sans SIRET : ",
    ];
    let mut at = 0;
    for line in expected {
        let found = out[at..]
            .find(line)
            .unwrap_or_else(|| panic!("« {line} » missing (in order):\n{out}"));
        at += found + line.len();
    }
    assert!(out.contains("\n7 erreurs :\n"), "{out}");
    assert!(!out.contains(&body(1)), "no NIR in the report: {out}");
    assert!(
        out.ends_with(
            "Aucune déclaration n'a été envoyée : corrigez le fichier puis relancez l'import.\n"
        ),
        "{out}"
    );
    let (code, json, _) = team.import(of, &path, &["--format", "json"]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json["errors"][1],
        serde_json::json!({"line": 4, "column": "C (NIR)", "message": "Cellule vide : NIR obligatoire."})
    );
    let client = team.client(token);
    let summaries = block(client.all_declarations(&DeclarationsQuery::default())).unwrap();
    assert!(summaries.is_empty(), "a file with errors imports nothing");

    // Columns of a history (an organisme, an expiry) in an OF's file: its trainee sheet.
    let history_like = team.path("suivi.csv");
    std::fs::write(
        &history_like,
        format!(
            "Nom;NIR;Formation;Date de fin;Organisme;Date d'expiration
             DUPONT;{};SST;03/03/2026;Formapro;03/03/2028
",
            full(8)
        ),
    )
    .unwrap();
    let (_, out, _) = team.import(of, &history_like, &["--dry-run"]);
    assert!(
        out.contains(
            "Type de fichier : feuille de stagiaires d'un organisme de formation (reconnu \
             d'après les colonnes).\n"
        ),
        "{out}"
    );
}

#[test]
fn a_trainee_sheet_saved_by_libreoffice_gives_the_same_declarations_in_xlsx_and_ods() {
    let Some(soffice) = libreoffice::soffice() else {
        return;
    };
    let team = Team::start();
    let (of, token) = &team.organisation;
    // LibreOffice reads the NIRs and SIRET as numbers and the ISO dates as real dates.
    let csv = format!(
        "Feuille d'émargement,,,,,,\n\n\
         Nom de naissance,Prénom,N° SS,Société,N° SIRET,Stage,Du,Au,Décision,Code ROME\n\
         DUPONT,Marie,{},Menuiserie Martin,73282932000074,MAC SST,2026-10-05,2026-10-05,Admis,\
         \"115650, 121885, 400635\"\n\
         MARTIN,Paul,{},Menuiserie Martin,73282932000074,MAC SST,2026-10-05,2026-10-05,Ajourné,\
         \"115650, 121885, 400635\"\n",
        nir(11),
        nir(12)
    );
    let xlsx = libreoffice::libreoffice(&soffice, team.dir.path(), "emargement", &csv, "xlsx");
    let ods = libreoffice::libreoffice(&soffice, team.dir.path(), "emargement", &csv, "ods");
    let first = team.import_json(of, &xlsx);
    assert_eq!(first["declarations"], 2, "{first}");
    assert_eq!(first["titulaires"], 2);
    let again = team.import_json(of, &ods);
    let outcomes: Vec<&Value> = again["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["outcome"])
        .collect();
    assert_eq!(
        outcomes,
        ["already_imported", "already_imported"],
        "{again}"
    );
    let client = team.client(token);
    let summaries = block(client.all_declarations(&DeclarationsQuery::default())).unwrap();
    let mut kinds: Vec<DeclarationKind> = summaries.iter().map(|s| s.kind).collect();
    kinds.sort_by_key(|k| *k == DeclarationKind::Attestation);
    assert_eq!(
        kinds,
        [DeclarationKind::Justificatif, DeclarationKind::Attestation]
    );
}

/// A roster row: matricule, birth name, first name, NIR order, service, leaving date (serial),
/// status.
type RosterRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    u32,
    &'a str,
    Option<f64>,
    &'a str,
);

/// A roster workbook: a title row, a header naming the usual HR columns, a hidden column, and
/// the rows given.
fn roster_workbook(rows: &[RosterRow<'_>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Personnel").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            "Menuiserie Martin — export SIRH",
            &Format::new(),
        )
        .unwrap();
    for (column, name) in [
        "Matricule",
        "Nom de naissance",
        "Prénom",
        "N° de sécurité sociale",
        "Service",
        "Date de sortie",
        "Statut",
        "Salaire",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, column as u16, *name).unwrap();
    }
    sheet.set_column_hidden(7).unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (n, (number, name, first, person, service, leaving, status)) in rows.iter().enumerate() {
        let row = 3 + n as u32;
        sheet.write_string(row, 0, *number).unwrap();
        sheet.write_string(row, 1, *name).unwrap();
        sheet.write_string(row, 2, *first).unwrap();
        sheet.write_number(row, 3, nir(*person)).unwrap();
        sheet.write_string(row, 4, *service).unwrap();
        if let Some(serial) = leaving {
            sheet
                .write_number_with_format(row, 5, *serial, &date)
                .unwrap();
        }
        sheet.write_string(row, 6, *status).unwrap();
        sheet.write_number(row, 7, 2100.0).unwrap();
    }
    book.add_worksheet().set_name("Feuil2").unwrap();
    book.save_to_buffer().unwrap()
}

/// Outcome of each line of a team import's JSON report.
fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().unwrap(),
                l["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Excel serial of 30/09/2026.
const SERIAL_30_SEPT_2026: f64 = 46295.0;

#[test]
fn a_roster_creates_updates_and_archives_workers_then_finds_them_unchanged() {
    let team = Team::start();
    let (employer, token) = &team.employer;
    let path = team.path("personnel.xlsx");
    std::fs::write(
        &path,
        roster_workbook(&[
            ("M1", "DURAND", "Léa", 1, "Atelier", None, "Actif"),
            ("M2", "MARTIN", "Paul", 2, "Atelier", None, "Actif"),
            ("M3", "LEROY", "Zoé", 3, "Bureau", None, ""),
        ]),
    )
    .unwrap();
    let (code, out, err) = team.import(employer, &path, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Type de fichier : registre du personnel (reconnu d'après les colonnes).\n"),
        "{out}"
    );
    assert!(
        out.contains("  colonne H (« Salaire ») : nom de colonne inconnu\n"),
        "{out}"
    );
    assert!(
        out.contains("  ligne 4 : DURAND Léa (matricule M1) — créé\n"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "Simulation (--dry-run) : rien n'a été enregistré ; l'import donnerait 3 salariés \
             créés, 0 mis à jour, 0 archivé, 0 inchangé.\n"
        ),
        "{out}"
    );
    let client = team.client(token);
    let everyone = WorkersQuery {
        archived: Some(true),
        ..WorkersQuery::default()
    };
    assert!(
        block(client.all_workers(&everyone)).unwrap().is_empty(),
        "dry run"
    );

    let first = team.import_json(employer, &path);
    assert_eq!(
        (first["created"].as_u64(), first["unchanged"].as_u64()),
        (Some(3), Some(0))
    );
    let (code, _, err) = team.import(&team.organisation.0, &path, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("registre du personnel : son import est réservé aux comptes employeur"),
        "{err}"
    );

    // A month later: Léa moved to the paint shop, Paul left on 30/09, Zoé unchanged, Hugo hired.
    std::fs::write(
        &path,
        roster_workbook(&[
            ("M1", "DURAND", "Léa", 1, "Peinture", None, "Actif"),
            (
                "M2",
                "MARTIN",
                "Paul",
                2,
                "Atelier",
                Some(SERIAL_30_SEPT_2026),
                "Sorti",
            ),
            ("M3", "LEROY", "Zoé", 3, "Bureau", None, ""),
            ("M4", "BERNARD", "Hugo", 4, "Atelier", None, "Actif"),
        ]),
    )
    .unwrap();
    let (code, out, err) = team.import(employer, &path, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("  ligne 4 : DURAND Léa (matricule M1) — mis à jour (salarié n° "),
        "{out}"
    );
    assert!(out.contains(") : service\n"), "{out}");
    assert!(
        out.contains("  ligne 5 : MARTIN Paul (matricule M2) — archivé (salarié n° "),
        "{out}"
    );
    assert!(
        out.ends_with("Fichier importé : 1 salarié créé, 1 mis à jour, 1 archivé, 1 inchangé.\n"),
        "{out}"
    );
    let again = team.import_json(employer, &path);
    assert_eq!(
        outcomes(&again),
        [
            (4, "unchanged".to_owned()),
            (5, "unchanged".to_owned()),
            (6, "unchanged".to_owned()),
            (7, "unchanged".to_owned()),
        ]
    );
    let workers = block(client.all_workers(&everyone)).unwrap();
    assert_eq!(workers.len(), 4, "a leaver is archived, never deleted");
    for worker in workers {
        let record = block(client.staff(worker.id)).unwrap();
        match record.employee_number.as_deref() {
            Some("M1") => assert_eq!(record.service.as_deref(), Some("Peinture")),
            Some("M2") => {
                assert!(record.archived);
                assert_eq!(record.leaving_date.unwrap().to_string(), "2026-09-30");
            }
            Some("M3" | "M4") => assert!(!record.archived),
            other => panic!("{other:?}"),
        }
    }
    // The roster's NIR of M3 with M4's matricule: named, nothing written.
    std::fs::write(
        &path,
        roster_workbook(&[("M4", "LEROY", "Zoé", 3, "Bureau", None, "")]),
    )
    .unwrap();
    let (code, out, _) = team.import(employer, &path, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "  ligne 4, colonne A (Matricule) : Le matricule « M4 » est celui de BERNARD Hugo"
        ),
        "{out}"
    );
    assert!(
        out.ends_with("Rien n'a été enregistré : corrigez le fichier puis relancez l'import.\n")
    );
}

#[test]
fn a_history_and_a_matrix_record_entries_the_passport_shows() {
    let team = Team::start();
    let (employer, token) = &team.employer;
    let roster = team.path("personnel.xlsx");
    std::fs::write(
        &roster,
        roster_workbook(&[
            ("M1", "DURAND", "Léa", 1, "Atelier", None, ""),
            ("M2", "MARTIN", "Paul", 2, "Atelier", None, ""),
        ]),
    )
    .unwrap();
    team.import_json(employer, &roster);

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Suivi des formations").unwrap();
    for (column, name) in [
        "Matricule",
        "Intitulé",
        "Organisme",
        "Date d'obtention",
        "Date de recyclage",
        "Résultat",
        "N° de certificat",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, column as u16, *name).unwrap();
    }
    let rows = [
        (
            "M1",
            "SST",
            "INRS",
            SERIAL_3_MARCH_2026,
            "3 mars 2028",
            "Admis",
            "C-1",
        ),
        ("M2", "CACES R489", "Fenwick", 45000.0, "", "Admis", ""),
        (
            "M2",
            "Habilitation électrique B0",
            "",
            45100.0,
            "",
            "Échec",
            "",
        ),
        ("M9", "SST", "", 45100.0, "", "", ""),
    ];
    for (n, (number, title, organisme, end, expiry, result, certificate)) in rows.iter().enumerate()
    {
        let row = 2 + n as u32;
        for (column, value) in [
            (0, number),
            (1, title),
            (2, organisme),
            (4, expiry),
            (5, result),
            (6, certificate),
        ] {
            sheet.write_string(row, column, *value).unwrap();
        }
        sheet.write_number(row, 3, *end).unwrap();
    }
    let history = team.path("historique.xlsx");
    std::fs::write(&history, book.save_to_buffer().unwrap()).unwrap();
    let (code, out, err) = team.import(employer, &history, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Type de fichier : historique des formations"),
        "{out}"
    );
    assert!(
        out.contains(
            "  ligne 6, colonne A (Matricule) : Aucun salarié du compte n'a ce NIR ni ce \
             matricule : importez d'abord le registre du personnel.\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  ligne 5, colonne F (Résultat) : Formation non réussie : ligne non enregistrée.\n"
        ),
        "{out}"
    );
    let client = team.client(token);
    let everyone = WorkersQuery::default();
    let workers = block(client.all_workers(&everyone)).unwrap();
    let id_of = |number: &str| {
        workers
            .iter()
            .find(|w| {
                block(client.staff(w.id))
                    .unwrap()
                    .employee_number
                    .as_deref()
                    == Some(number)
            })
            .unwrap()
            .id
    };
    let (lea, paul) = (id_of("M1"), id_of("M2"));
    assert!(
        block(client.training_history(lea)).unwrap().is_empty(),
        "nothing written"
    );

    // Without the unknown worker, it imports; again, everything is unchanged.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (column, name) in [
        "Matricule",
        "Intitulé",
        "Organisme",
        "Date d'obtention",
        "Date de recyclage",
        "Résultat",
        "N° de certificat",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    for (n, (number, title, organisme, end, expiry, result, certificate)) in
        rows[..3].iter().enumerate()
    {
        let row = 1 + n as u32;
        for (column, value) in [
            (0, number),
            (1, title),
            (2, organisme),
            (4, expiry),
            (5, result),
            (6, certificate),
        ] {
            sheet.write_string(row, column, *value).unwrap();
        }
        sheet.write_number(row, 3, *end).unwrap();
    }
    std::fs::write(&history, book.save_to_buffer().unwrap()).unwrap();
    let first = team.import_json(employer, &history);
    assert_eq!(
        outcomes(&first),
        [(2, "created".to_owned()), (3, "created".to_owned())],
        "{first}"
    );
    let again = team.import_json(employer, &history);
    assert_eq!(
        outcomes(&again),
        [(2, "unchanged".to_owned()), (3, "unchanged".to_owned())]
    );
    let records = block(client.training_history(lea)).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reference.as_deref(), Some("C-1"));
    assert_eq!(records[0].validity_end.unwrap().to_string(), "2028-03-03");

    // A matrix saved by LibreOffice (or rust_xlsxwriter without it): one column per training.
    let matrix = match libreoffice::soffice() {
        Some(soffice) => libreoffice::libreoffice(
            &soffice,
            team.dir.path(),
            "matrice",
            "Matricule,Nom,Habilitation électrique B0,Travail en hauteur,SST\n\
             M1,DURAND,2025-06-12,,2026-03-03\n\
             M2,MARTIN,,2024-11-05,\n",
            "ods",
        ),
        None => {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            for (column, name) in [
                "Matricule",
                "Nom",
                "Habilitation électrique B0",
                "Travail en hauteur",
                "SST",
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string(0, column as u16, *name).unwrap();
            }
            sheet.write_string(1, 0, "M1").unwrap();
            sheet.write_number(1, 2, 45820.0).unwrap();
            sheet.write_number(1, 4, SERIAL_3_MARCH_2026).unwrap();
            sheet.write_string(2, 0, "M2").unwrap();
            sheet.write_number(2, 3, 45601.0).unwrap();
            let path = team.path("matrice.xlsx");
            std::fs::write(&path, book.save_to_buffer().unwrap()).unwrap();
            path
        }
    };
    let report = team.import_json(employer, &matrix);
    assert_eq!(report["kind"], "matrice", "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(2), Some(1)),
        "the SST of 03/03/2026 is the history's: {report}"
    );
    let again = team.import_json(employer, &matrix);
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(3))
    );

    let codes = |worker| -> Vec<String> {
        let mut codes: Vec<String> = block(client.passport(worker))
            .unwrap()
            .entries
            .iter()
            .map(|e| format!("{} {}", e.training_code, e.end_date))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(codes(lea), ["HAB_ELEC_B0_H0 2025-06-12", "SST 2026-03-03"]);
    assert_eq!(
        codes(paul),
        ["CACES_R489 2023-03-15", "TRAVAIL_EN_HAUTEUR 2024-11-05"]
    );
}

/// The screen's words on one line: a report wrapped over lines reads as one sentence.
fn words(s: &pty::Session) -> String {
    s.screen().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until the screen's [`words`] contain `text`; panics with the screen after `secs`.
fn wait_for_words(s: &pty::Session, text: &str, secs: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if words(s).contains(text) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("« {text} » not on screen after {secs} s:\n{}", s.screen());
}

/// The TUI (the real binary in a pseudo-terminal) of the account whose token is `token`, with
/// its home folder `home` (`~` of the import screen).
fn tui(team: &Team, home: &Path, token: &str, name: &str) -> pty::Session {
    config(
        &home.join("config/passeport/config.toml"),
        &team.base,
        token,
    );
    let s = pty::Session::start(home, &[], 120, 32);
    s.wait_for(name, 20);
    s
}

/// `I` (unless the import screen is open), the path typed over the last one, Entrée: the
/// preview.
fn preview(s: &mut pty::Session, path: &str) {
    if !s.screen().contains("Fichier à importer") {
        s.send("I");
        s.wait_for("Fichier à importer", 10);
    }
    s.send("\x15");
    s.send(path);
    s.wait_for(&format!("Fichier à importer : {path}"), 10);
    s.send("\r");
}

#[test]
fn the_import_screen_previews_then_writes_a_roster_and_a_sheet_with_errors_writes_nothing() {
    let team = Team::start();
    let (_, token) = &team.employer;
    let home = team.path("rh");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("personnel.xlsx"),
        roster_workbook(&[
            ("M1", "DURAND", "Léa", 1, "Atelier", None, "Actif"),
            ("M2", "MARTIN", "Paul", 2, "Bureau", None, "Actif"),
        ]),
    )
    .unwrap();
    let client = team.client(token);
    let everyone = WorkersQuery {
        archived: Some(true),
        ..WorkersQuery::default()
    };

    let mut s = tui(&team, &home, token, "Menuiserie Martin");
    preview(&mut s, "~/personnel.xlsx");
    wait_for_words(
        &s,
        "Type de fichier : registre du personnel (reconnu d'après les colonnes).",
        20,
    );
    wait_for_words(&s, "2 lignes ; 0 erreur, 0 avertissement.", 10);
    wait_for_words(
        &s,
        "Entrée : importer (2 salariés créés, 0 mis à jour, 0 archivé, 0 inchangé).",
        10,
    );
    assert!(
        block(client.all_workers(&everyone)).unwrap().is_empty(),
        "the preview wrote something"
    );

    s.send("\r");
    wait_for_words(
        &s,
        "Fichier importé : 2 salariés créés, 0 mis à jour, 0 archivé, 0 inchangé.",
        20,
    );
    let mut names: Vec<String> = block(client.all_workers(&everyone))
        .unwrap()
        .iter()
        .map(|w| w.display_name())
        .collect();
    names.sort();
    assert_eq!(names, ["DURAND Léa", "MARTIN Paul"]);

    // Read again: everything is as the sheet says, nothing to write.
    s.send("\r");
    wait_for_words(
        &s,
        "Rien à enregistrer (0 salarié créé, 0 mis à jour, 0 archivé, 2 inchangés).",
        20,
    );

    // Léa's NIR with Paul's matricule: the cell is named, Entrée only reads the file again.
    std::fs::write(
        home.join("erreur.xlsx"),
        roster_workbook(&[("M2", "DURAND", "Léa", 1, "Peinture", None, "Actif")]),
    )
    .unwrap();
    preview(&mut s, "~/erreur.xlsx");
    wait_for_words(&s, "1 ligne ; 1 erreur", 20);
    wait_for_words(
        &s,
        "ligne 4, colonne A (Matricule) : Le matricule « M2 » est celui de MARTIN Paul",
        10,
    );
    wait_for_words(
        &s,
        "Rien ne sera importé : corrigez le fichier, puis Entrée pour le relire.",
        10,
    );
    s.send("\r");
    wait_for_words(&s, "Rien ne sera importé", 20);
    let services: Vec<Option<String>> = block(client.all_workers(&everyone))
        .unwrap()
        .iter()
        .map(|w| block(client.staff(w.id)).unwrap().service)
        .collect();
    assert!(
        services.iter().all(|s| s.as_deref() != Some("Peinture")),
        "{services:?}"
    );
    // Échap leaves the path field (a lone Esc: wait, or Esc+q reads as Alt-q), then `q` quits.
    s.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.send("q");
    s.wait_exit(10);
}

#[test]
fn the_import_screen_turns_an_organisations_trainee_workbook_into_declarations() {
    let team = Team::start();
    let (_, token) = &team.organisation;
    let home = team.path("of");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("stagiaires.xlsx"), trainee_workbook()).unwrap();
    let client = team.client(token);

    let mut s = tui(&team, &home, token, "Formapro");
    preview(&mut s, "~/stagiaires.xlsx");
    wait_for_words(
        &s,
        "Type de fichier : feuille de stagiaires d'un organisme de formation",
        20,
    );
    wait_for_words(&s, "3 déclarations, 4 titulaires ; 0 erreur", 10);
    wait_for_words(&s, "Entrée : importer 3 déclarations.", 10);
    assert!(
        block(client.all_declarations(&DeclarationsQuery::default()))
            .unwrap()
            .is_empty(),
        "the preview sent something"
    );

    s.send("\r");
    wait_for_words(
        &s,
        "Fichier valide : 3 déclarations créées, 0 déjà importée. Entrée : voir les déclarations.",
        20,
    );
    let summaries = block(client.all_declarations(&DeclarationsQuery::default())).unwrap();
    let mut kinds: Vec<DeclarationKind> = summaries
        .iter()
        .map(|summary| {
            block(client.declaration(summary.id))
                .unwrap()
                .declaration
                .kind
        })
        .collect();
    kinds.sort_by_key(|kind| format!("{kind:?}"));
    assert_eq!(
        kinds,
        [
            DeclarationKind::Attestation,
            DeclarationKind::Justificatif,
            DeclarationKind::Justificatif
        ]
    );
    s.send("\r");
    s.wait_for("Session S-101 — Sauveteur secouriste du travail", 20);
    s.send("q");
    s.wait_exit(10);
}

/// A proxy in front of the team server that records the method and path of every request it
/// forwards (security review L4: what a dry run really sends).
struct Recorder {
    base: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Recorder {
    fn start(target: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (log, target, http) = (seen.clone(), target.to_owned(), reqwest::Client::new());
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (log, target, http) = (log.clone(), target.clone(), http.clone());
            async move {
                let (parts, body) = request.into_parts();
                log.lock()
                    .unwrap()
                    .push(format!("{} {}", parts.method, parts.uri.path()));
                let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let mut forwarded = http
                    .request(parts.method.clone(), format!("{target}{path}"))
                    .body(body);
                for (name, value) in parts.headers.iter().filter(|(name, _)| *name != "host") {
                    forwarded = forwarded.header(name, value);
                }
                let answer = forwarded.send().await.unwrap();
                let mut response = axum::http::Response::builder().status(answer.status());
                for (name, value) in answer.headers() {
                    if name != "transfer-encoding" && name != "connection" {
                        response = response.header(name, value);
                    }
                }
                let bytes = answer.bytes().await.unwrap();
                response.body(axum::body::Body::from(bytes)).unwrap()
            }
        });
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Recorder {
            base,
            seen,
            _runtime: runtime,
        }
    }

    /// The requests forwarded since the last call.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

#[test]
fn a_dry_run_sends_no_row_to_the_server_it_only_reads() {
    let team = Team::start();
    let recorder = Recorder::start(&team.base);
    let of = team.path("of-enregistre.toml");
    config(&of, &recorder.base, &team.organisation.1);
    let employer = team.path("employeur-enregistre.toml");
    config(&employer, &recorder.base, &team.employer.1);

    let trainees = team.path("stagiaires.xlsx");
    std::fs::write(&trainees, trainee_workbook()).unwrap();
    let (code, out, err) = team.import(&of, &trainees, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 déclarations, 4 titulaires."), "{out}");
    assert!(
        out.ends_with(
            "Fichier valide (vérifié sur ce poste : seul le compte a été lu sur le serveur). \
             Simulation (--dry-run) : rien n'a été envoyé.\n"
        ),
        "{out}"
    );
    assert_eq!(recorder.take(), ["GET /v1/me"]);

    // A row the server would refuse is found on this machine too, still sending nothing.
    let (code, out, _) = team.import(&of, &team_fixture_excluded(&team), &["--dry-run"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("n'est pas à déclarer"), "{out}");
    assert_eq!(recorder.take(), ["GET /v1/me"]);

    // An HR roster's dry run reads the staff to say what would change, and writes nothing.
    let roster = team.path("personnel.xlsx");
    std::fs::write(
        &roster,
        roster_workbook(&[("M1", "DURAND", "Léa", 1, "Atelier", None, "Actif")]),
    )
    .unwrap();
    let (code, out, err) = team.import(&employer, &roster, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    let seen = recorder.take();
    assert!(
        !seen.is_empty() && seen.iter().all(|request| request.starts_with("GET ")),
        "{seen:?}"
    );

    // Without --dry-run the recorder sees the declarations go.
    let (code, out, err) = team.import(&of, &trainees, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let seen = recorder.take();
    assert_eq!(
        seen.iter()
            .filter(|r| r.as_str() == "POST /v1/declarations")
            .count(),
        3,
        "{seen:?}"
    );
}

/// The official ADF fixture with its training renamed « Formateur SST », a type the Passeport
/// excludes (art. 4-II-1°): only the checks the server applies find it.
fn team_fixture_excluded(team: &Team) -> PathBuf {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/adf-avec-entete.csv");
    let text = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("Gestes et postures", "Formateur SST");
    let path = team.path("formateurs.csv");
    std::fs::write(&path, text).unwrap();
    path
}
