//! A team from nothing, end to end (issue 13 « Done when »), as the README's « Démarrer une
//! équipe de zéro » tells it: `account create` ×2, `token create`, `passeport serve` on loopback
//! over a fresh SQLite file; in the employer's TUI (the real binary in a pseudo-terminal) a new
//! worker from Recherche (Ctrl-N), a CACES R489 ended 4 years 11 months ago, Échéances showing it
//! expiring within a month; then the OF's `passeport import` of an ADF file naming the employer's
//! SIRET and that NIR, and the employer's Passeport showing « déclarée par » the OF.

// Shared with the other pty tests: not every helper is used here.
#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;
#[path = "common/team_server.rs"]
mod team_server;

use std::fs;
use std::time::{Duration, Instant};

use pty::Session;
use team_server::{EMPLOYER, TODAY, config, passeport, run, team};

/// Marie DUPONT's NIR, with its key (README).
const NIR: &str = "290066912300123";

/// The screen's words on one line: a detail wrapped under the table reads as one sentence.
fn words(s: &Session) -> String {
    s.screen().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until the screen's [`words`] contain `text`; panics with the screen after `secs`.
fn wait_for_words(s: &Session, text: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if words(s).contains(text) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("« {text} » not on screen after {secs} s:\n{}", s.screen());
}

/// Types `text` then moves to the next field.
fn field(s: &mut Session, text: &str) {
    s.send(text);
    s.send("\t");
}

#[test]
fn a_team_starts_from_nothing_and_a_declaration_reaches_the_employer() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, employer_token, of_token) = team(dir.path());
    let home = dir.path().join("employeur");
    config(
        &home.join("config/passeport/config.toml"),
        &base,
        &employer_token,
    );

    let mut s = Session::start(&home, &[], 100, 30);
    s.wait_for("Menuiserie Martin", 20);
    s.wait_for("Aucune échéance", 20);

    // Recherche, Ctrl-N: the « Nouveau salarié » form.
    s.send("3");
    s.wait_for("Rechercher", 10);
    s.send("\x0e");
    s.wait_for("Nouveau salarié", 10);
    field(&mut s, NIR);
    field(&mut s, "DUPONT");
    field(&mut s, "");
    field(&mut s, "Marie");
    field(&mut s, "12/06/1990");
    s.send("Lyon");
    s.wait_for("Lyon", 10);
    s.send("\x13");
    // Saved: the new worker's Passeport opens, empty.
    s.wait_for("Salarié DUPONT Marie enregistré", 10);
    s.wait_for("Aucune formation enregistrée", 10);
    assert!(s.screen().contains("DUPONT Marie · né(e) le 12/06/1990"));

    // `a`: a CACES R489 picked from the catalogue, ended 4 years 11 months ago.
    s.send("a");
    s.wait_for("Ajouter une formation", 10);
    s.send("R489");
    s.wait_for("CACES R489 : chariots de manutention", 10);
    s.send("\t");
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let ended = (today - chrono::Months::new(4 * 12 + 11))
        .format("%d/%m/%Y")
        .to_string();
    assert_eq!(ended, "26/12/2021");
    s.send(&ended);
    s.wait_for(&ended, 10);
    s.send("\x13");
    // Valid 60 months (assets/catalogue.toml, CACES_R489, a recommendation): until the day before
    // 26/12/2026, 29 days from today.
    s.wait_for("Formation enregistrée", 10);
    s.wait_for("Expire bientôt", 10);
    let screen = s.screen();
    assert!(
        screen.contains("échéance le 25/12/2026 (29 j)"),
        "the status line says when it expires:\n{screen}"
    );
    // The detail line under the table says who recorded it, and when (the frozen today).
    wait_for_words(&s, "enregistrée par Menuiserie Martin (le 26/11/2026)", 10);

    // Échéances: the worker's CACES R489 expires within a month, without a refresh.
    s.send("1");
    s.wait_for("≤ 30 j 1", 10);
    s.wait_for("25/12/2026", 10);
    let screen = s.screen();
    let row = screen
        .lines()
        .find(|line| line.contains("DUPONT Marie") && line.contains("25/12/2026"))
        .unwrap_or_else(|| panic!("no row for DUPONT Marie:\n{screen}"));
    assert!(row.contains("CACES R489"), "{row}");
    assert!(row.contains("29 j"), "{row}");
    assert!(row.contains("Lyon"), "{row}");

    // The OF imports its ADF file naming the employer's SIRET and that NIR.
    let of_config = dir.path().join("of/config.toml");
    config(&of_config, &base, &of_token);
    let file = dir.path().join("attestations.csv");
    fs::write(
        &file,
        format!(
            "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|\
         DATE_DEBUT_FORMATION|DATE_FIN_FORMATION|MODALITE_DISPENSE|COMPETENCE_TRANSFERABLE|\
         QUALIFICATION_FORMATEUR|FORMATION_CERTIFIANTE|CERTIFICATION_VISEE|DOMAINE_FORMATION|\
         SPECIALITE_FORMATION|NIR|NOM_TITULAIRE|PRESENCE_EMPLOYEUR|SIRET_EMPLOYEUR|\
         REFERENCE_EMPLOYEUR|DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE\n\
         FP-2026-41|FP-2026-41|FP-2026-41-L1|Sauveteur secouriste du travail|05/10/2026|\
         06/10/2026|PRESENTIEL|115650/121885/400635|PREVENTEUR|NON||42829|344r|{}|\
         DUPONT|OUI|{EMPLOYER}|M-001|06/10/2026|\n",
            &NIR[..13]
        ),
    )
    .unwrap();
    let imported = run(passeport(&dir.path().join("of"))
        .arg("--config")
        .arg(&of_config)
        .arg("import")
        .arg(&file));
    assert!(imported.contains("1 déclaration créée"), "{imported}");

    // The employer opens Marie DUPONT's Passeport again (Entrée on Échéances): the SST declared
    // by Formapro is there, the newest first and selected, « déclarée par » on its detail line.
    s.send("\r");
    s.wait_for("Sauveteur secouriste du travail (SST)", 10);
    wait_for_words(
        &s,
        // The day is the one the server recorded the declaration (its clock, not the frozen today).
        "Sauveteur secouriste du travail (SST) · déclarée par Formapro (réf. FP-2026-41, le ",
        10,
    );
    let screen = s.screen();
    assert!(screen.contains("Formations (2)"), "{screen}");
    assert!(screen.contains("05/10/2028"), "SST: 24 months\n{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
}
