//! A team server for the pty tests, as the README's « Démarrer une équipe de zéro » makes one:
//! the real binary with a clean environment and a frozen today, an employer and a training
//! organisation with their tokens on a fresh SQLite file, `passeport serve` on loopback, and the
//! clients' configuration files. Uses the sibling module `pty` for the binary's path.

// Shared by several test crates: not every helper is used by each.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::pty::Session;

/// The frozen today of the server, the commands and the TUI (as in [`Session::start`]).
pub const TODAY: &str = "2026-11-26";
/// The employer's SIRET (« Menuiserie Martin »).
pub const EMPLOYER: &str = "73282932000074";
/// The training organisation's SIRET (« Formapro »).
pub const ORGANISATION: &str = "44200001400005";

/// A `passeport serve` child, stopped when dropped (even when an assertion fails).
pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with a clean environment under `home` and the frozen today.
pub fn passeport(home: &Path) -> Command {
    let mut command = Command::new(Session::binary());
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", TODAY);
    command
}

/// Runs a command to its end, asserting it succeeded; its standard output.
pub fn run(command: &mut Command) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run passeport");
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "{command:?} failed ({status}):\n{stdout}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// `passeport serve` on a free loopback port over `db`; the child and its base URL, read from
/// its first line on stderr.
pub fn serve(home: &Path, db: &Path) -> (Served, String) {
    let mut child = passeport(home)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
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
        .find(|word| word.starts_with("http://"))
        .expect("the URL")
        .to_owned();
    // Keep reading its logs so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stderr.lines() {});
    (served, base)
}

/// A private client configuration (mode 0600) at `path` naming the server and a token.
pub fn config(path: &Path, base: &str, token: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, format!("api_url = \"{base}\"\ntoken = \"{token}\"\n")).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// The team's server: both accounts and their tokens on a fresh database, served; the server,
/// its URL and the tokens (employer, organisation).
pub fn team(dir: &Path) -> (Served, String, String, String) {
    let db: PathBuf = dir.join("equipe.db");
    let admin = |args: &[&str]| {
        let mut command = passeport(dir);
        command.args(args).arg("--db").arg(&db);
        run(&mut command)
    };
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
    let (served, base) = serve(dir, &db);
    (
        served,
        base,
        employer.trim().to_owned(),
        organisation.trim().to_owned(),
    )
}
