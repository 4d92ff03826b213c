//! Rules files overridden in the configuration directory: a broken one stops the program with
//! one French line naming the file and the line, and exit code 2; a valid one is used; one that
//! other users could change, or in a folder they could change, is refused with the reason; and
//! a rules file beside a `--config` or `$PASSEPORT_CONFIG` elsewhere is never read (security
//! review M3).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn passeport(config_home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .env_remove("PASSEPORT_CONFIG")
        .env("XDG_CONFIG_HOME", config_home)
        .env("HOME", config_home)
        .output()
        .expect("run passeport")
}

#[test]
fn a_malformed_catalogue_is_one_line_naming_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("passeport");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("catalogue.toml");
    std::fs::write(&file, "[[types]]\ncode = \"SST\"\ncategory = \"un\"\n").unwrap();
    for args in [&["catalogue"][..], &["expiring"][..]] {
        let out = passeport(home.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(&file.display().to_string()), "{stderr}");
        assert!(stderr.contains("ligne 3"), "{stderr}");
    }
}

#[test]
fn a_valid_override_replaces_the_embedded_catalogue() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("passeport");
    std::fs::create_dir_all(&dir).unwrap();
    let embedded = std::fs::read_to_string("assets/catalogue.toml").unwrap();
    let changed = embedded.replacen("Sauveteur secouriste du travail", "SST (titre local)", 1);
    assert_ne!(changed, embedded, "the catalogue names the SST");
    std::fs::write(dir.join("catalogue.toml"), changed).unwrap();
    let out = passeport(home.path(), &["catalogue"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("SST (titre local)")
    );
}

/// Sets the permission bits of `path`.
fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The one line of a run that failed with exit code 2.
fn refusal(out: std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn a_rules_file_or_folder_others_can_change_is_refused_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("passeport");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deadlines.toml");
    std::fs::write(&file, passeport::domain::deadline::DEADLINES_TOML).unwrap();
    chmod(&file, 0o644);
    assert!(passeport(home.path(), &["catalogue"]).status.success());

    chmod(&file, 0o666);
    let line = refusal(passeport(home.path(), &["catalogue"]));
    assert!(
        line.contains(&format!("{} est refusé", file.display())),
        "{line}"
    );
    assert!(
        line.contains("les autres utilisateurs peuvent le modifier (droits 666)"),
        "{line}"
    );
    assert!(line.contains("chmod go-w"), "{line}");

    chmod(&file, 0o644);
    chmod(&dir, 0o777);
    let line = refusal(passeport(home.path(), &["catalogue"]));
    chmod(&dir, 0o755);
    assert!(
        line.contains(&format!("{} est refusé", dir.display())),
        "{line}"
    );
    assert!(line.contains("droits 777"), "{line}");
}

#[test]
fn rules_beside_a_config_file_elsewhere_are_never_read() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("equipe.toml");
    std::fs::write(&config, "threshold_days = 30\n").unwrap();
    let embedded = passeport::domain::training::CATALOGUE_TOML;
    let planted = embedded.replacen("Sauveteur secouriste du travail", "Titre planté", 1);
    assert_ne!(planted, embedded, "the catalogue names the SST");
    std::fs::write(elsewhere.path().join("catalogue.toml"), planted).unwrap();

    let by_flag = passeport(
        home.path(),
        &["--config", &config.display().to_string(), "catalogue"],
    );
    let by_variable = Command::new(env!("CARGO_BIN_EXE_passeport"))
        .arg("catalogue")
        .env("PASSEPORT_CONFIG", &config)
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .output()
        .unwrap();
    for out in [by_flag, by_variable] {
        assert!(out.status.success(), "{out:?}");
        let listed = String::from_utf8(out.stdout).unwrap();
        assert!(
            listed.contains("Sauveteur secouriste du travail"),
            "{listed}"
        );
        assert!(!listed.contains("Titre planté"), "{listed}");
    }
}
