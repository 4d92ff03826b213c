//! Files on disk (issue 18 §4, review M3, M5, L3): a configuration or rules file that another
//! user could change is refused with the reason in French, the data files (data folder,
//! drafts folder, server database with its -wal and -shm) are private to the user, and the
//! embedded sandbox accepts only its private random tokens, kept at 0600, never the public
//! `demo-employeur` another local user could send to its loopback port.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use passeport::config::Config;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::training::Catalogue;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::drafts::{Draft, DraftStore};
use passeport::rules::Rules;
use passeport::server::database::DatabaseSettings;
use passeport::server::{Server, ServerOptions};

/// The permission bits of `path`.
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Sets the permission bits of `path`.
fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The server over the SQLite file `path`, as found (no demo data added).
async fn open_sqlite(path: &Path) -> Server {
    Server::open_on(
        &DatabaseSettings::sqlite(path),
        ServerOptions {
            db_path: std::path::PathBuf::new(),
            demo: None,
            today: None,
        },
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap()
}

/// After refused writes: `link` is still a link, its target `victim` still holds its text, and
/// `/dev/null` is still a device.
fn assert_untouched(link: &Path, victim: &Path) {
    assert!(
        std::fs::symlink_metadata(link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(victim).unwrap(), "à garder");
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_config_file_others_can_change_is_refused_even_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "api_url = \"http://127.0.0.1:18439\"\n").unwrap();
    chmod(&path, 0o644);
    assert!(Config::load(&path).is_ok());

    chmod(&path, 0o666);
    let message = Config::load(&path).unwrap_err().to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("les autres utilisateurs peuvent le modifier"),
        "{message}"
    );
    assert!(message.contains("droits 666"), "{message}");
    assert!(message.contains("chmod go-w"), "{message}");

    chmod(&path, 0o644);
    chmod(dir.path(), 0o777);
    let message = Config::load(&path).unwrap_err().to_string();
    chmod(dir.path(), 0o700);
    assert!(message.contains("droits 777"), "{message}");
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
}

#[test]
fn a_rules_file_others_can_change_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalogue.toml");
    std::fs::write(&path, passeport::domain::training::CATALOGUE_TOML).unwrap();
    chmod(&path, 0o644);
    assert!(Rules::load(Some(dir.path())).is_ok());
    chmod(&path, 0o666);
    let message = Rules::load(Some(dir.path())).unwrap_err().to_string();
    assert!(message.contains("catalogue.toml est refusé"), "{message}");
    assert!(message.contains("droits 666"), "{message}");
}

#[test]
fn the_data_and_drafts_folders_are_private_even_when_they_existed_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("share").join("passeport");
    passeport::paths::create_private_dir(&data).unwrap();
    assert_eq!(mode(&data), 0o700);
    chmod(&data, 0o755);
    passeport::paths::create_private_dir(&data).unwrap();
    assert_eq!(
        mode(&data),
        0o700,
        "an existing open data folder is narrowed"
    );

    let drafts = data.join("drafts");
    std::fs::create_dir(&drafts).unwrap();
    chmod(&drafts, 0o777);
    let store = DraftStore::new(&drafts);
    store
        .save(&Draft::new(
            DeclarantKind::Employeur,
            DeclarationKind::Attestation,
        ))
        .unwrap();
    assert_eq!(
        mode(&drafts),
        0o700,
        "a drafts folder open to all is narrowed"
    );
}

#[tokio::test]
async fn a_new_server_database_and_its_journal_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("equipe.db");
    let server = open_sqlite(&path).await;
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.path().join(format!("equipe.db{suffix}"));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    drop(server);
}

#[test]
fn an_export_never_replaces_a_link_a_device_or_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "à garder").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let folder = dir.path().join("adir");
    std::fs::create_dir(&folder).unwrap();
    for path in [link.as_path(), Path::new("/dev/null"), folder.as_path()] {
        let error = passeport::cli::export::write_atomically(path, b"NIR").unwrap_err();
        assert!(
            error.to_string().contains("pas un fichier ordinaire"),
            "{error}"
        );
    }
    assert_untouched(&link, &victim);
    let file = dir.path().join("export.csv");
    passeport::cli::export::write_atomically(&file, b"a").unwrap();
    passeport::cli::export::write_atomically(&file, b"b").unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"b");
}

/// `passeport ARGS` on the embedded sandbox of `home`, as `token`.
fn on_the_sandbox(home: &Path, args: &[&str], token: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_passeport"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_TODAY", "2026-11-26");
    if let Some(token) = token {
        command.env("PASSEPORT_TOKEN", token);
    }
    command.output().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_sandbox_accepts_only_its_private_tokens() {
    let home = tempfile::tempdir().unwrap();
    for token in [None, Some("demo-of")] {
        let output = on_the_sandbox(home.path(), &["expiring", "--format", "json"], token);
        assert!(output.status.success(), "{token:?}: {output:?}");
        let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(!rows.as_array().unwrap().is_empty(), "{token:?}");
    }
    let data = home.path().join("data").join("passeport");
    let file = data.join("sandbox-tokens.toml");
    assert_eq!(mode(&file), 0o600);
    let tokens: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let private = &tokens["demo-employeur"];
    assert!(
        private.starts_with("pp_") && private.len() == 67,
        "{private}"
    );
    assert_ne!(tokens["demo-of"], *private);

    // The same database served again: the public token is refused, the private one accepted.
    let server = open_sqlite(&data.join("sandbox.db")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = tokio::spawn(server.serve(listener, std::future::pending()));
    let me = |token: String| {
        let url = format!("{base}/v1/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    for public in [
        "demo-employeur",
        "demo-employeur-2",
        "demo-of",
        "demo-lecture",
    ] {
        assert_eq!(me(public.to_owned()).await.status(), 401, "{public}");
    }
    let answer = me(private.clone()).await;
    assert_eq!(answer.status(), 200);
    let account: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(account["name"], "ACME Logistique");
    assert_eq!(account["sandbox"], true, "still a demo database");
    serving.abort();
}

#[test]
fn export_out_refuses_a_link_and_a_device_with_a_french_line() {
    let home = tempfile::tempdir().unwrap();
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "à garder").unwrap();
    let link = home.path().join("passeports.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    for target in [link.as_path(), Path::new("/dev/null")] {
        let out = target.display().to_string();
        let output = on_the_sandbox(
            home.path(),
            &["export", "passports", "--format", "csv", "--out", &out],
            None,
        );
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{out} : écriture impossible"))
                && stderr.contains("pas un fichier ordinaire : rien n'a été écrit"),
            "{stderr}"
        );
    }
    assert_untouched(&link, &victim);
}
