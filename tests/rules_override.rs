//! Rules files overridden in the configuration directory: a broken one stops the program with
//! one French line naming the file and the line, and exit code 2; a valid one is used.

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
