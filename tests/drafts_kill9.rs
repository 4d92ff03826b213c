//! Drafts are never lost: the real binary in a pseudo-terminal, through the simulator to the
//! declaration form, some fields typed, then `kill -9`; restarted, the Simulateur screen lists the
//! draft and reopens it with every field as typed — on screen and in the draft's JSON file; then
//! the declaration is completed and submitted with keys alone, shows on the Déclarations screen,
//! and its draft is gone.

#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pty::Session;

const TITLE: &str = "Formation SST kill9";
const COMPETENCES: &str = "115650/121885/400635";

fn drafts_dir(home: &Path) -> PathBuf {
    home.join("data").join("passeport").join("drafts")
}

/// The only draft file and its JSON, once `done` holds for it; panics after `secs`.
fn wait_draft(
    home: &Path,
    secs: u64,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = None;
    while Instant::now() < deadline {
        let files: Vec<PathBuf> = std::fs::read_dir(drafts_dir(home))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        if let [file] = files.as_slice()
            && let Ok(text) = std::fs::read_to_string(file)
            && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
        {
            if done(&json) {
                return json;
            }
            last = Some(json);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no finished draft after {secs} s; last seen: {last:#?}");
}

/// Validates the answer `downs` rows below the first: ↓ that many times, then Entrée.
fn answer(s: &mut Session, downs: usize) {
    s.send(&format!("{}\r", "\x1b[B".repeat(downs)));
    std::thread::sleep(Duration::from_millis(20));
}

/// Types text one key at a time, as a person would.
fn type_slowly(s: &mut Session, text: &str) {
    for c in text.chars() {
        s.send(&c.to_string());
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_draft_survives_kill_9_with_every_field_as_typed() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start(home.path(), &[], 100, 30);
    s.wait_for("Échéances", 30);
    s.send("5");
    s.wait_for("Qui déclare la formation", 10);
    // OF; delivered by itself; every titulaire gave a NIR; not a train-the-trainer, induction
    // or CSE course; not safety of goods; not for prevention specialists; a prevention
    // objective, transferable skills; an attestation; category 1. Answers are chosen with ↓
    // and validated with Entrée; « Non » is always the last one (4th of safety of goods, 3rd
    // of prevention specialists).
    for downs in [0, 0, 0, 1, 1, 1, 3, 2, 0, 0, 1, 0] {
        answer(&mut s, downs);
    }
    s.wait_for("Date de fin de la formation", 10);
    type_slowly(&mut s, "15/10/2026\r");
    // Not certifying; not publicly funded.
    s.wait_for("RNCP", 10);
    for _ in 0..2 {
        answer(&mut s, 1);
    }
    s.wait_for("À déclarer", 10);
    s.send("\r");
    s.wait_for("Déclaration — attestation de formation", 10);

    type_slowly(&mut s, TITLE);
    s.send("\t");
    type_slowly(&mut s, "13/10/2026");
    s.send("\t\t"); // the end date is pre-filled
    s.send("\x1b[C"); // → : Présentiel
    s.send("\t\t\t"); // qualification, certifying (NON, pre-filled)
    type_slowly(&mut s, "42829\t344r\t");
    type_slowly(&mut s, COMPETENCES);
    let before = wait_draft(home.path(), 15, |json| {
        json["inputs"]["COMPETENCE_TRANSFERABLE"] == COMPETENCES
    });
    assert_eq!(before["declaration"]["nom_formation"], TITLE);

    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(s.pid() as libc::pid_t, libc::SIGKILL);
    }
    s.wait_exit(10);
    drop(s);

    // The file as the killed process left it: every field as typed.
    let json = wait_draft(home.path(), 1, |_| true);
    assert_eq!(json, before, "nothing changed after the kill");
    let d = &json["declaration"];
    assert_eq!(d["nom_formation"], TITLE);
    assert_eq!(d["date_debut_formation"], "2026-10-13");
    assert_eq!(d["date_fin_formation"], "2026-10-15");
    assert_eq!(d["modalite_dispense"], "PRESENTIEL");
    assert_eq!(d["formation_certifiante"], false);
    assert_eq!(d["domaine_formation"], serde_json::json!(["42829"]));
    assert_eq!(d["specialite_formation"], serde_json::json!(["344r"]));
    assert_eq!(
        d["competence_transferable"],
        serde_json::json!(["115650", "121885", "400635"])
    );
    assert_eq!(json["inputs"]["DATE_DEBUT_FORMATION"], "13/10/2026");
    assert_eq!(json["position"]["field"], "COMPETENCE_TRANSFERABLE");
    let key = json["idempotency_key"].as_str().unwrap();
    assert_eq!(key.len(), 32, "128-bit hex idempotency key");

    // Restarted: the draft is listed and reopens exactly as left.
    let mut s = Session::start(home.path(), &[], 100, 30);
    s.wait_for("Échéances", 30);
    s.send("5");
    s.wait_for("Brouillons en cours (1)", 10);
    s.wait_for(TITLE, 10);
    s.send("b\r"); // the drafts list, its first draft
    s.wait_for("Déclaration — attestation de formation", 10);
    // Each one waited for: a frame may still be arriving when the title shows.
    for typed in [
        TITLE,
        "13/10/2026",
        "15/10/2026",
        "Présentiel",
        "42829",
        "344r",
        COMPETENCES,
    ] {
        s.wait_for(typed, 10);
    }
    // Same draft, same key: reopening does not create another.
    let reopened = wait_draft(home.path(), 5, |_| true);
    assert_eq!(reopened["idempotency_key"], key);

    // Then on to submission, keys alone: a titulaire, the review, Ctrl-S twice, then « o »
    // to the one question.
    s.send("\x1b[6~"); // PgDn: the titulaires
    s.wait_for("Aucun titulaire", 10);
    s.send("a");
    type_slowly(&mut s, "185037511234594");
    s.send("\t");
    type_slowly(&mut s, "DUPONT");
    s.send("\t\x1b[C\x1b[C"); // employer present: → Oui, → Non
    s.wait_for("Non", 10);
    s.send("\x13"); // Ctrl-S: save and review
    s.wait_for("Aucun problème détecté", 10);
    s.send("\x13"); // Ctrl-S: asks before sending
    s.wait_for("Envoyer la déclaration (1 titulaire) ? (o/n)", 10);
    s.send("o");
    // The Déclarations screen, the new one listed by its reference (the form is gone).
    let reference = json["declaration"]["reference_declaration"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let screen = s.screen();
        if screen.contains("Statut :")
            && screen.contains(&format!("✔ Déclaration {reference} enregistrée"))
            && screen.contains(TITLE)
            && !screen.contains("Déclaration — attestation")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no {reference} on Déclarations:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while drafts_dir(home.path())
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some())
    {
        assert!(
            Instant::now() < deadline,
            "the draft of a submitted declaration is deleted"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
