//! `passeport remind` (issue 19 §3) as the real binary, against a team server on each backend
//! and a real SMTP server on loopback (Python's aiosmtpd, started by the test; `.ci/run`
//! installs it): `--dry-run` sends nothing; a run while the SMTP server is down exits 1 and
//! keeps everything due; the next run delivers one digest per recipient (the manager's address,
//! else `to`) naming the workers and dates; a second run the same day and a run the next day
//! send nothing again; a run when a new threshold is crossed sends only that reminder.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use chrono::NaiveDate;
use passeport::api::contract::{NewTrainingRecord, NewWorker};
use serde_json::Value;
use team::{Team, nir, on_each_backend};

/// An SMTP server on loopback that writes each message it receives, decoded, as one JSON file
/// (envelope recipients, To, Subject, plain-text body) in a folder.
const SMTP_SERVER: &str = r#"
import asyncio, email, email.policy, json, os, sys
from aiosmtpd.controller import Controller

out, port = sys.argv[1], int(sys.argv[2])
count = 0

class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "rcpt": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "body": message.get_body(("plain",)).get_content(),
        }
        count += 1
        path = os.path.join(out, f"{count:04}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
asyncio.new_event_loop().run_forever()
"#;

/// The aiosmtpd child, stopped when dropped.
struct Smtp(Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the SMTP server on `port`, writing into `inbox`, once it listens.
fn start_smtp(inbox: &Path, port: u16) -> Smtp {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SMTP_SERVER)
        .arg(inbox)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "ready",
        "aiosmtpd did not start (pip install aiosmtpd)"
    );
    Smtp(child)
}

/// A free loopback port (nothing listens on it once returned).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The messages received so far, in order.
fn inbox(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        .collect()
}

/// `passeport remind ARGS` on `day` with the configuration of `home`, in a blocking thread (the
/// server runs on this test's runtime): exit code, stdout, stderr.
async fn remind(home: &Path, day: &str, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passeport"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", day)
        .arg("--config")
        .arg(home.join("config.toml"))
        .arg("remind")
        .args(args);
    let Output {
        status,
        stdout,
        stderr,
    } = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Three workers of the first employer, each with one training: DUPONT's SST ends in 5 days
/// (manager with an address), MARTIN's expired on 10 November (manager known by name only),
/// BERNARD's ends in exactly 60 days (no manager); ROUX's is far off.
async fn staff(team: &Team) {
    let client = team.client(0);
    let workers = [
        (
            "DUPONT",
            "Jean",
            Some("chef.atelier@acme.test"),
            day(2026, 12, 1),
        ),
        ("MARTIN", "Éloïse", Some("Paul Girard"), day(2026, 11, 10)),
        ("BERNARD", "Luc", None, day(2027, 1, 25)),
        (
            "ROUX",
            "Anne",
            Some("chef.atelier@acme.test"),
            day(2027, 9, 1),
        ),
    ];
    for (n, (last, first, manager, validity_end)) in workers.into_iter().enumerate() {
        let (record, _) = client
            .create_worker(
                &NewWorker {
                    nir: nir(n as u32 + 1),
                    last_name: last.to_owned(),
                    first_names: first.to_owned(),
                    site: Some("Lyon".to_owned()),
                    manager: manager.map(str::to_owned),
                    ..NewWorker::default()
                },
                &format!("remind-worker-{n}"),
            )
            .await
            .unwrap();
        client
            .create_training(
                record.worker.id,
                &NewTrainingRecord {
                    training_code: "SST".to_owned(),
                    end_date: day(2024, 12, 1),
                    validity_end,
                    organisme: Some("Formapro".to_owned()),
                    ..NewTrainingRecord::default()
                },
                &format!("remind-training-{n}"),
            )
            .await
            .unwrap();
    }
}

/// The configuration: the team server, the first employer's token, the SMTP server on `port`.
fn configure(home: &Path, team: &Team, port: u16) {
    let (base, token) = team.endpoint(0);
    let path = home.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "api_url = \"{base}\"\ntoken = \"{token}\"\n\n[reminders]\nto = \"rh@acme.test\"\n\
             from = \"passeport@acme.test\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_reach_each_recipient_once_and_a_failed_send_is_retried() {
    on_each_backend(async |team: &mut Team| {
        staff(team).await;
        let home = tempfile::tempdir().unwrap();
        let home = home.path();
        let mail = home.join("inbox");
        std::fs::create_dir(&mail).unwrap();
        let port = free_port();
        configure(home, team, port);
        let sent_file = home.join("data/passeport/reminders.json");

        // --dry-run: the digests on stdout, nothing sent, nothing remembered.
        let (code, stdout, stderr) = remind(home, "2026-11-26", &["--dry-run"]).await;
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("À : chef.atelier@acme.test"), "{stdout}");
        assert!(stdout.contains("À : rh@acme.test"), "{stdout}");
        assert!(!stdout.contains("ROUX"), "far-off expiry: {stdout}");
        assert!(!sent_file.exists());

        // The SMTP server is down: nothing lost, exit 1, each digest named on stderr.
        let (code, _, stderr) = remind(home, "2026-11-26", &[]).await;
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains("1 rappel pour chef.atelier@acme.test non envoyé, à renvoyer au prochain passage"),
            "{stderr}"
        );
        assert!(stderr.contains("2 rappels pour rh@acme.test non envoyés"), "{stderr}");

        // The server is up: the same reminders are delivered, one digest per recipient.
        let _smtp = start_smtp(&mail, port);
        let (code, stdout, stderr) = remind(home, "2026-11-26", &[]).await;
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, "2 récapitulatifs envoyés.\n");
        let received = inbox(&mail);
        assert_eq!(received.len(), 2, "{received:#?}");
        let manager = &received[0];
        assert_eq!(manager["rcpt"], serde_json::json!(["chef.atelier@acme.test"]));
        assert_eq!(manager["from"], "passeport@acme.test");
        assert_eq!(
            manager["subject"],
            "Passeport de prévention : 1 formation à renouveler — 26/11/2026"
        );
        let body = manager["body"].as_str().unwrap();
        assert!(
            body.contains("01/12/2026      5  J-7     DUPONT Jean  Lyon  Sauveteur secouriste du travail (SST)"),
            "{body}"
        );
        assert!(!body.contains("MARTIN") && !body.contains("ROUX"), "{body}");
        let hr = &received[1];
        assert_eq!(hr["rcpt"], serde_json::json!(["rh@acme.test"]));
        assert_eq!(
            hr["subject"],
            "Passeport de prévention : 2 formations à renouveler (dont 1 expirée) — 26/11/2026"
        );
        let body = hr["body"].as_str().unwrap();
        assert!(body.contains("10/11/2026    -16  dépassée  MARTIN Éloïse"), "{body}");
        assert!(body.contains("25/01/2027     60  J-60      BERNARD Luc"), "{body}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sent_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        // Again the same day, then the next day: nothing new to say.
        for today in ["2026-11-26", "2026-11-27"] {
            let (code, stdout, stderr) = remind(home, today, &[]).await;
            assert_eq!(code, 0, "{stderr}");
            assert_eq!(stdout, "", "{today}");
            assert_eq!(inbox(&mail).len(), 2, "{today}: no repeat");
        }
        let (_, stdout, _) = remind(home, "2026-11-27", &["--dry-run"]).await;
        assert_eq!(stdout, "Aucun rappel à envoyer aujourd'hui.\n");

        // 26 December: DUPONT's training is past and BERNARD's 30 days off, new thresholds;
        // only those are sent.
        let (code, _, stderr) = remind(home, "2026-12-26", &[]).await;
        assert_eq!(code, 0, "{stderr}");
        let received = inbox(&mail);
        assert_eq!(received.len(), 4, "{received:#?}");
        assert_eq!(received[2]["rcpt"], serde_json::json!(["chef.atelier@acme.test"]));
        let body = received[2]["body"].as_str().unwrap();
        assert!(body.contains("01/12/2026    -25  dépassée  DUPONT Jean"), "{body}");
        assert_eq!(received[3]["rcpt"], serde_json::json!(["rh@acme.test"]));
        let body = received[3]["body"].as_str().unwrap();
        assert!(body.contains("25/01/2027     30  J-30    BERNARD Luc"), "{body}");
        assert!(!body.contains("MARTIN"), "{body}");
    })
    .await;
}
