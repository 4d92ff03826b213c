//! Roles end to end (issue 17, done when): `passeport serve` on loopback with an employer whose
//! administrator makes a `lecture` and a `saisie` user with `user create` and `token create`;
//! in the real binary in a pseudo-terminal, the `lecture` user reads the roster, a Passeport and a
//! session with every NIR masked and is offered no « déclarer » key; the `saisie` user declares
//! the session; the administrator finds that declaration in the Journal, newest first.

#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;
#[path = "common/team_server.rs"]
mod team_server;

use std::path::Path;
use std::time::{Duration, Instant};

use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{NewSession, NewTrainee, NewWorker};
use passeport::domain::session::TraineeOutcome;
use pty::Session;
use team_server::{EMPLOYER, passeport, run, team};

/// The worker's NIR with its key, and how it reads in full once grouped.
const NIR: &str = "290066912300123";
const NIR_SHOWN: &str = "2 90 06 69 123 001 23";
/// The NIR as a `lecture` user reads it.
const MASKED: &str = "2 90 06 •• ••• ••• ••";

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

/// Types text one key at a time, as a person would.
fn type_slowly(s: &mut Session, text: &str) {
    for c in text.chars() {
        s.send(&c.to_string());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every page of the help overlay (opened with `?`, scrolled with Espace to its end), joined;
/// closed again.
fn whole_help(s: &mut Session) -> String {
    s.send("?");
    s.wait_for("Aide — raccourcis", 10);
    let mut pages = vec![s.screen()];
    // A page down until the screen stops changing: the end of the help.
    loop {
        s.send(" ");
        let deadline = Instant::now() + Duration::from_secs(2);
        let last = pages.last().cloned().unwrap_or_default();
        while s.screen() == last && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let now = s.screen();
        if now == last {
            break;
        }
        pages.push(now);
    }
    // ? closes it (Échap then a key could read as Alt and that key).
    s.send("?");
    pages.join("\n")
}

/// A user of the employer with `role`, and a token of theirs, made on the server's database.
fn user(dir: &Path, name: &str, email: &str, role: &str) -> String {
    let db = dir.join("equipe.db");
    run(passeport(dir)
        .args(["user", "create", "--account", EMPLOYER, "--name", name])
        .args(["--email", email, "--role", role, "--db"])
        .arg(&db));
    let token = run(passeport(dir)
        .args([
            "token",
            "create",
            "--account",
            EMPLOYER,
            "--user",
            email,
            "--db",
        ])
        .arg(&db));
    token.trim().to_owned()
}

/// The administrator hires Marie DUPONT at Lyon and records the SST session she attended.
fn staff_and_session(base: &str, admin: &str) {
    let client = Client::new(base, Some(admin.to_owned()), ClientOptions::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let new = NewWorker {
            nir: NIR.to_owned(),
            last_name: "DUPONT".to_owned(),
            first_names: "Marie".to_owned(),
            site: Some("Lyon".to_owned()),
            ..NewWorker::default()
        };
        let worker = client.create_worker(&new, "w-1").await.unwrap().0.worker.id;
        let session = NewSession {
            training_code: "SST".to_owned(),
            title: "SST Lyon novembre".to_owned(),
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
            end_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 3),
            place: "Lyon".to_owned(),
            organisme: None,
        };
        let id = client
            .create_session(&session, "s-1")
            .await
            .unwrap()
            .0
            .summary
            .id;
        let trainee = NewTrainee {
            worker_id: Some(worker),
            ..NewTrainee::default()
        };
        client.enrol_trainee(id, &trainee, "t-1").await.unwrap();
        client
            .set_outcome(id, worker, TraineeOutcome::Attended)
            .await
            .unwrap();
    });
}

/// The TUI of a user whose configuration names the server and `token`, under `dir/name`.
fn tui(dir: &Path, name: &str, base: &str, token: &str) -> Session {
    let home = dir.join(name);
    team_server::config(&home.join("config/passeport/config.toml"), base, token);
    Session::start(&home, &[], 120, 30)
}

#[test]
fn lecture_reads_masked_saisie_declares_and_the_administrator_sees_it_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, admin, _) = team(dir.path());
    let lea = user(dir.path(), "Léa Lecture", "lea@martin.fr", "lecture");
    let sam = user(dir.path(), "Sam Saisie", "sam@martin.fr", "saisie");
    staff_and_session(&base, &admin);

    // Lecture: the roster, the Passeport and the session, every NIR masked; no « déclarer ».
    let mut s = tui(dir.path(), "lea", &base, &lea);
    s.wait_for("Léa Lecture (lecture)", 20);
    s.send("3");
    s.wait_for("DUPONT Marie", 10);
    s.wait_for(MASKED, 10);
    s.send("\r");
    wait_for_words(&s, &format!("NIR {MASKED}"), 10);
    let screen = s.screen();
    assert!(!screen.contains("afficher/masquer"), "no v:\n{screen}");
    // v does nothing: the server never sent the number.
    s.send("v");
    s.send("2");
    s.wait_for("SST Lyon novembre", 10);
    s.send("\r");
    wait_for_words(&s, "Ouverte · Déclaration : À déclarer · Échap retour", 10);
    s.wait_for(MASKED, 10);
    // d opens nothing: the help that follows comes up over the session, not in a form field.
    s.send("d");
    let help = whole_help(&mut s);
    assert!(!help.contains("déclarer"), "no « déclarer » key:\n{help}");
    assert!(!help.contains("Journal"), "no Journal:\n{help}");
    let screen = s.screen();
    assert!(!screen.contains(NIR_SHOWN) && !screen.contains("69 123"));
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);

    // Saisie: d on the session, the fields the session leaves, Ctrl-S twice, o.
    let mut s = tui(dir.path(), "sam", &base, &sam);
    s.wait_for("Sam Saisie (saisie)", 20);
    let help = whole_help(&mut s);
    assert!(
        help.contains("déclarer"),
        "the key is listed for saisie:\n{help}"
    );
    s.send("2");
    s.wait_for("SST Lyon novembre", 10);
    s.send("\r");
    wait_for_words(&s, "À déclarer · d déclarer", 10);
    s.send("d");
    s.wait_for("Déclaration — attestation de formation", 10);
    s.send("\t\t\t\x1b[C"); // title, start and end from the session; modality: Présentiel
    s.send("\t\x1b[C"); // trainer's qualification: the first one
    s.send("\t\x1b[C\x1b[C"); // certifying: Non
    s.wait_for("Formacodes", 10);
    s.send("\t");
    type_slowly(&mut s, "42829\t344r\t115650/121885/400635");
    s.send("\x13");
    s.wait_for("Aucun problème détecté", 10);
    s.send("\x13");
    s.wait_for("Envoyer la déclaration (1 titulaire) ? (o/n)", 10);
    s.send("o");
    wait_for_words(&s, "enregistrée, 1 titulaire", 20);
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);

    // The administrator: 7, the Journal, the declaration on top with who made it.
    let mut s = tui(dir.path(), "admin", &base, &admin);
    s.wait_for("Menuiserie Martin", 20);
    s.wait_for("7 Journal", 10);
    s.send("7");
    wait_for_words(&s, "création déclaration 1 · sam@martin.fr", 10);
    let screen = s.screen();
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("création")).collect();
    assert!(rows[0].contains("déclaration"), "newest first:\n{screen}");
    assert!(
        screen.contains("salarié") && screen.contains("utilisateur"),
        "the earlier writes below it:\n{screen}"
    );
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
}
