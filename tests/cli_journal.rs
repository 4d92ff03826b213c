//! The log file of the commands (issue 18 §7, review L10): a command run without a terminal,
//! as cron runs it, writes its outcome to `passeport.log` of the data directory, success or
//! failure, never a token or a NIR; the level comes from `PASSEPORT_LOG`, else `RUST_LOG`.
//! The commands run on the embedded sandbox of a private home.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary with a clean environment under `home`, without a terminal.
fn passeport(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", "2026-11-26")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The data directory of `home`.
fn data(home: &Path) -> PathBuf {
    home.join("data").join("passeport")
}

/// The log file's text, emptied for the next run.
fn take_log(home: &Path) -> String {
    let path = data(home).join("passeport.log");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    text
}

/// The NIRs (13 characters) of an ADF file, from its `NIR` column.
fn nirs_of(adf: &str) -> Vec<String> {
    let mut lines = adf.lines();
    let header = lines.next().unwrap_or_default();
    let column = header.split('|').position(|name| name == "NIR").unwrap();
    lines
        .filter_map(|line| line.split('|').nth(column))
        .map(|nir| nir.chars().take(13).collect::<String>())
        .filter(|nir| nir.len() == 13 && nir.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect()
}

#[test]
fn a_command_without_a_terminal_logs_its_outcome_never_a_token_or_a_nir() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let out = passeport(home, &["expiring", "--format", "json"], &[]);
    assert!(out.status.success(), "{out:?}");
    let log = take_log(home);
    let outcome = log
        .lines()
        .find(|line| line.contains("commande=\"expiring\""))
        .unwrap_or_else(|| panic!("no outcome line: {log}"));
    assert!(
        outcome.contains("INFO") && outcome.contains("terminée"),
        "{outcome}"
    );

    let out = passeport(
        home,
        &["export", "adf", "--all"],
        &[("PASSEPORT_TOKEN", "demo-of")],
    );
    assert!(out.status.success(), "{out:?}");
    let adf = String::from_utf8(out.stdout).unwrap();
    let nirs = nirs_of(&adf);
    assert!(!nirs.is_empty(), "the export holds NIRs: {adf}");
    let mut log = take_log(home);
    assert!(log.contains("commande=\"export\""), "{log}");

    let refused = "pp_0123456789abcdef_faux";
    let out = passeport(home, &["expiring"], &[("PASSEPORT_TOKEN", refused)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let failure = take_log(home);
    let line = failure
        .lines()
        .find(|line| line.contains("commande=\"expiring\""))
        .unwrap_or_else(|| panic!("no outcome line: {failure}"));
    assert!(line.contains("ERROR") && line.contains("échec"), "{line}");
    assert!(line.contains("401"), "the reason is logged: {line}");
    log.push_str(&failure);

    let tokens = std::fs::read_to_string(data(home).join("sandbox-tokens.toml")).unwrap();
    let tokens: std::collections::BTreeMap<String, String> = toml::from_str(&tokens).unwrap();
    for token in tokens
        .values()
        .map(String::as_str)
        .chain([refused, "demo-of"])
    {
        assert!(!log.contains(token), "token {token} in the log: {log}");
    }
    for nir in &nirs {
        assert!(!log.contains(nir.as_str()), "NIR {nir} in the log");
    }
}

#[test]
fn the_level_comes_from_passeport_log_else_rust_log() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let started = |env: &[(&str, &str)]| {
        let out = passeport(home, &["expiring", "--format", "json"], env);
        assert!(out.status.success(), "{env:?}: {out:?}");
        let log = take_log(home);
        assert!(log.contains("commande=\"expiring\""), "{env:?}: {log}");
        log.lines()
            .any(|line| line.contains("DEBUG") && line.contains("début"))
    };
    assert!(!started(&[]), "info by default");
    assert!(started(&[("RUST_LOG", "passeport=debug")]), "RUST_LOG");
    assert!(
        started(&[("PASSEPORT_LOG", "passeport=debug")]),
        "PASSEPORT_LOG"
    );
    assert!(
        !started(&[("PASSEPORT_LOG", "info"), ("RUST_LOG", "passeport=debug")]),
        "PASSEPORT_LOG wins over RUST_LOG"
    );
}
