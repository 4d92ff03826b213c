//! Art. 7-I end to end (issue 16 item 6): `passeport serve` on loopback with an employer and a
//! training organisation; the organisation declares a training for the employer's SIRET; in the
//! employer's TUI (the real binary in a pseudo-terminal) « À vérifier » lists it and `c` asks for
//! a correction; in the organisation's TUI the request shows with its message, Enter opens the
//! declaration, `x` removes the titulaire, and the request reads « corrigée ».

#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use pty::Session;

/// The employer's SIRET.
const EMPLOYER: &str = "73282932000074";
/// The training organisation's SIRET.
const ORGANISATION: &str = "44200001400005";
/// The titulaire's NIR, with its key.
const NIR: &str = "290066912300123";

/// A `passeport serve` child, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn passeport(home: &Path) -> Command {
    let mut command = Command::new(Session::binary());
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", "2026-11-26");
    command
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("run passeport");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The server with both accounts; the child, its URL and the tokens (employer, organisation).
fn team(dir: &Path) -> (Served, String, String, String) {
    let db = dir.join("equipe.db");
    let admin = |args: &[&str]| run(passeport(dir).args(args).arg("--db").arg(&db));
    admin(&[
        "account",
        "create",
        "--kind",
        "employeur",
        "--siret",
        EMPLOYER,
        "--name",
        "Menuiserie Martin",
    ]);
    admin(&[
        "account",
        "create",
        "--kind",
        "organisme-formation",
        "--siret",
        ORGANISATION,
        "--name",
        "Formapro",
        "--nda",
        "11755555575",
    ]);
    let employer = admin(&["token", "create", "--account", EMPLOYER]);
    let organisation = admin(&["token", "create", "--account", ORGANISATION]);
    let mut child = passeport(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let served = Served(child);
    let mut line = String::new();
    while !line.contains("API sur http://") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve stopped");
    }
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the URL")
        .to_owned();
    std::thread::spawn(move || for _ in stderr.lines() {});
    (served, base, employer, organisation)
}

fn config(home: &Path, base: &str, token: &str) {
    let path = home.join("config/passeport/config.toml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        format!("api_url = \"{base}\"\ntoken = \"{token}\"\n"),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
}

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
    config(&employer, &base, &employer_token);
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
    config(&organisation, &base, &of_token);
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
