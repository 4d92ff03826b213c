//! Art. 7-I end to end (issue 16 item 6): `passeport serve` on loopback with an employer and a
//! training organisation; the organisation declares a training for the employer's SIRET; in the
//! employer's TUI (the real binary in a pseudo-terminal) « À vérifier » lists it and `c` asks for
//! a correction; in the organisation's TUI the request shows with its message, Enter opens the
//! declaration, `x` removes the titulaire, and the request reads « corrigée ».

#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;
#[path = "common/team_server.rs"]
mod team_server;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use pty::Session;
use team_server::{EMPLOYER, team};

/// The titulaire's NIR, with its key.
const NIR: &str = "290066912300123";

fn words(s: &Session) -> String {
    s.screen().split_whitespace().collect::<Vec<_>>().join(" ")
}

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

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// The organisation declares an SST ended on 2 November 2026 for the employer's SIRET.
fn declare(base: &str, token: &str) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 2);
    let declaration = Declaration {
        id_declaration: "OF-2026-11".to_owned(),
        reference_declaration: "OF-2026-11".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: day,
        date_fin_formation: day,
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: day,
        titulaires: vec![Titulaire {
            id_unique_partenaire: "OF-2026-11-1".to_owned(),
            nir: NIR.to_owned(),
            nom_titulaire: "DUPONT".to_owned(),
            presence_employeur: Some(true),
            siret_employeur: EMPLOYER.to_owned(),
            reference_employeur: String::new(),
        }],
        ..Declaration::new(DeclarationKind::Attestation)
    };
    let client = Client::new(base, Some(token.to_owned()), ClientOptions::default()).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(client.create_declaration(&declaration, "e2e-1"))
        .unwrap();
}

#[test]
fn an_employer_asks_for_a_correction_and_the_organisation_answers_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, employer_token, of_token) = team(dir.path());
    declare(&base, &of_token);

    let employer = dir.path().join("employeur");
    team_server::config(
        &employer.join("config/passeport/config.toml"),
        &base,
        &employer_token,
    );
    let mut s = Session::start(&employer, &[], 100, 30);
    s.wait_for("Menuiserie Martin", 20);
    s.send("6");
    s.wait_for("Aucune déclaration", 10);
    s.send("V");
    wait_for_words(&s, "À vérifier : 1 (prochaine fin de délai 30/09/2027)", 10);
    wait_for_words(&s, "à vérifier", 10);
    s.send("c");
    s.wait_for("Message à l'organisme", 10);
    s.send("Date de fin erronée");
    s.send("\r");
    wait_for_words(
        &s,
        "DUPONT (Sauveteur secouriste du travail) : correction demandée",
        10,
    );
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);

    let organisation = dir.path().join("organisme");
    team_server::config(
        &organisation.join("config/passeport/config.toml"),
        &base,
        &of_token,
    );
    let mut s = Session::start(&organisation, &[], 100, 30);
    s.wait_for("Formapro", 20);
    s.send("6");
    s.wait_for("OF-2026-11", 10);
    s.send("V");
    wait_for_words(&s, "correction demandée", 10);
    wait_for_words(&s, "« Date de fin erronée »", 10);
    // Enter opens the declaration; x removes the titulaire after confirmation.
    s.send("\r");
    s.wait_for("OF-2026-11-1", 10);
    s.send("x");
    s.wait_for("(o/n)", 10);
    s.send("o");
    wait_for_words(&s, "Titulaire DUPONT retiré", 10);
    s.send("\x1b");
    wait_for_words(&s, "corrigée", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
}
