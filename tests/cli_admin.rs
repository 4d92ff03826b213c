//! Setting up a team server without demo data: create an account, create its token, and use it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use passeport::api::client::ClientOptions;
use passeport::api::{ApiError, Client};
use passeport::domain::DeclarantKind;

fn passeport(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .env("PASSEPORT_TODAY", "2026-11-26")
        .output()
        .expect("run passeport")
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_account_created_on_the_command_line_gets_a_working_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db = db.to_str().unwrap();

    let bad = passeport(&[
        "account",
        "create",
        "--kind",
        "employeur",
        "--siret",
        "12345678912345",
        "--name",
        "X",
        "--db",
        db,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--siret") && stderr.contains("SIRET"),
        "{stderr}"
    );

    let created = passeport(&[
        "account",
        "create",
        "--kind",
        "organisme-formation",
        "--siret",
        "73282932000074",
        "--name",
        "Formaprev Sécurité",
        "--nda",
        "11755555575",
        "--db",
        db,
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let token = passeport(&["token", "create", "--account", "73282932000074", "--db", db]);
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("pp_") && token.len() > 40, "{token}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Served(
        Command::new(env!("CARGO_BIN_EXE_passeport"))
            .args(["serve", "--db", db, "--addr", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = format!("http://{addr}");
        let quick = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        let client = Client::new(&url, Some(token), quick).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let account = loop {
            match client.me().await {
                Ok(account) => break account,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("server not answering: {e}"),
            }
        };
        assert_eq!(account.kind, DeclarantKind::OrganismeFormation);
        assert_eq!(account.name, "Formaprev Sécurité");
        assert!(!account.sandbox);
        // Demo tokens mean nothing in a database created without --demo.
        let demo = Client::new(&url, Some("demo-of".into()), quick).unwrap();
        assert!(matches!(demo.me().await, Err(ApiError::Unauthorized)));
    });
}
