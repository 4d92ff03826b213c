//! `passeport import` on real spreadsheets (issue 15 §7): workbooks written by rust_xlsxwriter
//! (title rows, merged cells, NIRs and SIRETs as numbers, serial and real dates, a hidden column,
//! an empty trailing sheet) and by LibreOffice (`soffice --headless --convert-to xlsx|ods` from
//! CSV text), run through the real binary against the real server on loopback.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

#[path = "common/cli_sandbox.rs"]
mod cli_sandbox;
#[path = "common/libreoffice.rs"]
mod libreoffice;
use cli_sandbox::{EMPLOYER, OF, config, sandbox};
use libreoffice::{libreoffice, soffice};

/// Runs `import` with `args` as the demo training organisation.
fn import(path: &Path, args: &[&str]) -> (i32, String, String) {
    import_as(OF, path, args)
}

/// Runs `import` with `args` as the account of `token`; returns (exit code, stdout, stderr).
fn import_as(token: &str, path: &Path, args: &[&str]) -> (i32, String, String) {
    let output = cli_sandbox::binary(&config(&sandbox().base, Some(token)))
        .arg("import")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// A fresh directory for one test's files.
fn workdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("import-sheets-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// The official ADF header, in file order.
const ADF: [&str; 20] = [
    "ID_DECLARATION",
    "REFERENCE_DECLARATION",
    "ID_UNIQUE_PARTENAIRE",
    "NOM_FORMATION",
    "DATE_DEBUT_FORMATION",
    "DATE_FIN_FORMATION",
    "MODALITE_DISPENSE",
    "COMPETENCE_TRANSFERABLE",
    "QUALIFICATION_FORMATEUR",
    "FORMATION_CERTIFIANTE",
    "CERTIFICATION_VISEE",
    "DOMAINE_FORMATION",
    "SPECIALITE_FORMATION",
    "NIR",
    "NOM_TITULAIRE",
    "PRESENCE_EMPLOYEUR",
    "SIRET_EMPLOYEUR",
    "REFERENCE_EMPLOYEUR",
    "DATE_DEBUT_VALIDITE",
    "DATE_FIN_VALIDITE",
];

/// Excel serial of 05/10/2026 and 06/10/2026 (1900 date system).
const SERIAL_5_OCT_2026: f64 = 46300.0;

/// An official ADF workbook as a person keeps it: two title rows (one merged across the sheet),
/// the header on line 4, NIRs and the SIRET typed as numbers, start dates as real dates, end
/// dates as bare serial numbers, validity dates in words, a hidden note column, and an empty
/// second sheet.
fn adf_workbook(id: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Déclarations").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            8,
            "Organisme Exemple — attestations d'octobre",
            &Format::new(),
        )
        .unwrap();
    sheet.write_string(1, 0, "Export du 07/10/2026").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (column, name) in ADF.iter().enumerate() {
        sheet.write_string(3, column as u16, *name).unwrap();
    }
    sheet.write_string(3, 20, "Note interne").unwrap();
    sheet.set_column_hidden(20).unwrap();
    for (n, (nir, name, employer)) in [
        (2_900_669_123_021.0, "DUPONT", true),
        (2_900_669_123_022.0, "MARTIN", false),
    ]
    .into_iter()
    .enumerate()
    {
        let row = 4 + n as u32;
        let text = [
            (0, id.to_owned()),
            (1, format!("REF-{id}")),
            (2, format!("{id}-L{}", n + 1)),
            (3, "Gestes et postures".to_owned()),
            (6, "présentiel".to_owned()),
            (7, "115650, 121885 ; 400635".to_owned()),
            (8, "PREVENTEUR".to_owned()),
            (9, "non".to_owned()),
            (12, "344R".to_owned()),
            (14, name.to_owned()),
            (15, if employer { "OUI" } else { "NON" }.to_owned()),
            (18, "6 octobre 2026".to_owned()),
            (20, "à rappeler".to_owned()),
        ];
        for (column, value) in text {
            sheet.write_string(row, column, value).unwrap();
        }
        sheet
            .write_number_with_format(row, 4, SERIAL_5_OCT_2026, &date)
            .unwrap();
        sheet.write_number(row, 5, SERIAL_5_OCT_2026 + 1.0).unwrap();
        sheet.write_number(row, 11, 42829.0).unwrap();
        sheet.write_number(row, 13, nir).unwrap();
        if employer {
            sheet.write_number(row, 16, 73_282_932_000_074.0).unwrap();
            sheet.write_string(row, 17, format!("MAT-{n}")).unwrap();
        }
    }
    book.add_worksheet().set_name("Vide").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn an_official_workbook_imports_through_the_usual_checks_once() {
    let dir = workdir();
    let path = dir.path().join("attestations.xlsx");
    std::fs::write(&path, adf_workbook("SHEET-ADF-1")).unwrap();

    let (code, out, err) = import(&path, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "{} : fichier officiel ADF (attestations de formation) (classeur Excel (.xlsx), \
             feuille « Déclarations », en-tête ligne 4), colonne ignorée : U (Note \
             interne)\n1 déclaration, 2 titulaires.\n",
            path.display()
        )),
        "{out}"
    );
    assert!(
        out.ends_with("Simulation (--dry-run) : rien n'a été envoyé.\n"),
        "{out}"
    );

    let (code, first, err) = import(&path, &["--format", "json"]);
    assert_eq!(code, 0, "{first}{err}");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["errors"], serde_json::json!([]));
    assert_eq!(first["results"][0]["outcome"], "created");
    assert_eq!(first["results"][0]["titulaires"], 2);

    let (code, again, _) = import(&path, &["--format", "json"]);
    assert_eq!(code, 0);
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["results"][0]["outcome"], "already_imported");
    assert_eq!(again["results"][0]["id"], first["results"][0]["id"]);
}

#[test]
fn an_official_workbook_with_a_bad_cell_names_its_line_and_column() {
    let dir = workdir();
    // A NIR typed as a number, 15 digits whose key is wrong.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (column, name) in ADF.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "X").unwrap();
    sheet.write_number(1, 13, 290_066_912_302_100.0).unwrap();
    let path = dir.path().join("erreurs.xlsx");
    std::fs::write(&path, book.save_to_buffer().unwrap()).unwrap();
    let (code, out, err) = import(&path, &["--dry-run"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("ligne 2, colonne NIR : "), "{out}");
    assert!(
        !out.contains("290066912302100"),
        "no NIR in the report: {out}"
    );
}

/// A training organisation's trainee sheet: a title, a merged group header over two rows.
fn trainee_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Stagiaires").unwrap();
    sheet
        .write_string(0, 0, "Session SST du 2 au 3 mars 2026")
        .unwrap();
    let plain = Format::new();
    sheet
        .merge_range(2, 0, 3, 0, "Nom de naissance", &plain)
        .unwrap();
    sheet.merge_range(2, 1, 3, 1, "Prénom", &plain).unwrap();
    sheet
        .merge_range(2, 2, 3, 2, "N° de sécurité sociale", &plain)
        .unwrap();
    sheet.merge_range(2, 3, 3, 3, "Entreprise", &plain).unwrap();
    sheet.merge_range(2, 4, 3, 4, "Formation", &plain).unwrap();
    sheet.merge_range(2, 5, 2, 6, "Dates", &plain).unwrap();
    sheet.write_string(3, 5, "Début").unwrap();
    sheet.write_string(3, 6, "Fin").unwrap();
    sheet.merge_range(2, 7, 3, 7, "Résultat", &plain).unwrap();
    sheet
        .merge_range(2, 8, 3, 8, "Commentaire", &plain)
        .unwrap();
    let rows = [
        ("DUPONT", 185_037_512_345_641.0, "Admis", "2/3/26"),
        ("MARTIN", 185_037_512_345_600.0, "Peut-être", "31/02/2026"),
    ];
    for (n, (name, nir, result, end)) in rows.into_iter().enumerate() {
        let row = 4 + n as u32;
        sheet.write_string(row, 0, name).unwrap();
        sheet.write_string(row, 1, "Jean").unwrap();
        sheet.write_number(row, 2, nir).unwrap();
        sheet.write_string(row, 3, "ACME").unwrap();
        sheet
            .write_string(row, 4, "Sauveteur secouriste du travail")
            .unwrap();
        sheet.write_string(row, 5, "2 mars 2026").unwrap();
        sheet.write_string(row, 6, end).unwrap();
        sheet.write_string(row, 7, result).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_trainee_workbook_with_errors_names_each_cell_and_imports_nothing() {
    let dir = workdir();
    let path = dir.path().join("stagiaires.xlsx");
    std::fs::write(&path, trainee_workbook()).unwrap();
    let (code, out, err) = import(&path, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.is_empty(), "{err}");
    let expected_start = format!(
        "{} : classeur Excel (.xlsx), feuille « Stagiaires », en-tête ligne 4\n\
         Type de fichier : feuille de stagiaires d'un organisme de formation (reconnu d'après les \
         colonnes).\n2 lignes sous l'en-tête.\nColonnes prises :\n  nom de naissance : colonne \
         A (« Nom de naissance »)\n  prénom : colonne B (« Prénom »)\n  NIR : colonne C (« N° de \
         sécurité sociale »)\n  entreprise : colonne D (« Entreprise »)\n  formation : colonne E \
         (« Formation »)\n  date de début : colonne F (« Début »)\n  date de fin : colonne G \
         (« Fin »)\n  résultat : colonne H (« Résultat »)\nColonnes ignorées :\n  colonne I \
         (« Commentaire ») : nom de colonne inconnu\n2 déclarations, 2 titulaires.\n",
        path.display()
    );
    assert!(out.starts_with(&expected_start), "{out}");
    for expected in [
        "  ligne 5, colonne D (Entreprise) : Entreprise « ACME » sans SIRET (ajoutez une colonne \
         SIRET) : ",
        "  ligne 5, colonne E (Formation) : Le champ « compétences transférables » est \
         obligatoire pour un organisme de formation. Ni la feuille ni le catalogue ne donnent ce \
         code (COMPETENCE_TRANSFERABLE) pour cette formation : ajoutez une colonne « Compétences \
         transférables » à la feuille",
        "  ligne 6, colonne C (N° de sécurité sociale) : NIR illisible : ",
        "  ligne 6, colonne G (Fin) : La date « 31/02/2026 » n'existe pas dans le calendrier.\n",
        "  ligne 6, colonne H (Résultat) : Résultat « Peut-être » inconnu",
    ] {
        assert!(out.contains(expected), "« {expected} » missing:\n{out}");
    }
    assert!(out.ends_with(
        "Aucune déclaration n'a été envoyée : corrigez le fichier puis relancez l'import.\n"
    ));

    // Told it is a history, the employer gets the history's report: its rows name workers the
    // account does not have, and nothing is recorded.
    let (code, json, err) = import_as(
        EMPLOYER,
        &path,
        &["--format", "json", "--kind", "historique"],
    );
    assert_eq!(code, 1, "{json}{err}");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["kind"], "historique");
    assert_eq!(json["recognised"], false);
    assert_eq!(json["created"], 0);
    assert_eq!(json["missing"], serde_json::json!([]));
    assert!(json["errors"].as_array().unwrap().len() >= 2, "{json}");
}

#[test]
fn workbooks_saved_by_libreoffice_are_read() {
    let Some(soffice) = soffice() else {
        return;
    };
    let dir = workdir();
    // LibreOffice reads this CSV with its defaults (`,` separator) and keeps numbers and dates
    // typed: the NIRs become numbers, the dates real dates.
    let mut adf = format!("Attestations d'octobre\n\n{}\n", ADF.join(","));
    for (n, nir) in ["2900669123031", "2900669123032"].iter().enumerate() {
        adf.push_str(&format!(
            "SHEET-LO-1,REF-SHEET-LO-1,SHEET-LO-1-L{},Gestes et postures,2026-10-05,2026-10-06,\
             PRESENTIEL,115650/121885/400635,PREVENTEUR,NON,,42829,344r,{nir},NOM{n},NON,,,\
             2026-10-06,\n",
            n + 1
        ));
    }
    let trainees = "Nom de naissance,Prénom,N° de sécurité sociale,Entreprise,SIRET,Formation,\
                    Date de fin,Résultat,Compétences transférables\nDUPONT,Jean,185037512345641,\
                    ACME,73282932000074,SST,2026-03-02,Admis,115650/121885/400635\n";
    for extension in ["xlsx", "ods"] {
        let path = libreoffice(&soffice, dir.path(), "adf", &adf, extension);
        let (code, out, err) = import(&path, &["--dry-run"]);
        assert_eq!(code, 0, "{extension}: {out}{err}");
        assert!(out.contains("1 déclaration, 2 titulaires.\n"), "{out}");

        let path = libreoffice(&soffice, dir.path(), "stagiaires", trainees, extension);
        let (code, out, err) = import(&path, &["--format", "json", "--dry-run"]);
        assert_eq!(code, 0, "{extension}: {out}{err}");
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["declarations"], 1, "{extension}: {out}");
        assert_eq!(json["errors"], serde_json::json!([]), "{extension}: {out}");
    }
}
