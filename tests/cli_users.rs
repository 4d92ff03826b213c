//! `passeport user …` and `passeport token create|list|revoke` with the real binary on a SQLite
//! file, checked against `passeport serve` on the same file: the user's token works with its
//! role, `token list` never shows a token, and a revoked token is refused at once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn passeport(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passeport"))
        .args(args)
        .env("PASSEPORT_TODAY", "2026-11-26")
        .output()
        .expect("run passeport")
}

fn ok(args: &[&str]) -> (String, String) {
    let out = passeport(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET /v1/me` with `token`: status and body.
async fn me(url: &str, token: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{url}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[test]
fn users_and_tokens_are_managed_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db = db.to_str().unwrap();
    let siret = "73282932000074";
    ok(&[
        "account",
        "create",
        "--kind",
        "employeur",
        "--siret",
        siret,
        "--name",
        "ACME",
        "--db",
        db,
    ]);

    let bad = passeport(&[
        "user",
        "create",
        "--account",
        siret,
        "--name",
        "Marie",
        "--email",
        "marie@acme.fr",
        "--role",
        "chef",
        "--db",
        db,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lecture, saisie ou administration"));
    let (_, said) = ok(&[
        "user",
        "create",
        "--account",
        siret,
        "--name",
        "Marie Curie",
        "--email",
        "marie@acme.fr",
        "--role",
        "lecture",
        "--sites",
        "Lyon,Vénissieux",
        "--db",
        db,
    ]);
    assert!(
        said.contains("token create --account 73282932000074 --user marie@acme.fr"),
        "{said}"
    );
    let again = passeport(&[
        "user",
        "create",
        "--account",
        siret,
        "--name",
        "Marie",
        "--email",
        "marie@acme.fr",
        "--role",
        "saisie",
        "--db",
        db,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe déjà"));

    let (token, said) = ok(&[
        "token",
        "create",
        "--account",
        siret,
        "--user",
        "marie@acme.fr",
        "--expires-in",
        "90d",
        "--db",
        db,
    ]);
    let token = token.trim().to_owned();
    assert!(token.starts_with("pp_") && token.len() == 67, "{token}");
    assert!(said.contains("expire le"), "{said}");
    let (admin, _) = ok(&["token", "create", "--account", siret, "--db", db]);
    let admin = admin.trim().to_owned();
    let bad = passeport(&[
        "token",
        "create",
        "--account",
        siret,
        "--expires-in",
        "3 mois",
        "--db",
        db,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("90d"));

    let (users, _) = ok(&["user", "list", "--account", siret, "--db", db]);
    assert!(
        users.contains("marie@acme.fr\tMarie Curie\tlecture\tmasqués\tLyon,Vénissieux"),
        "{users}"
    );
    assert!(
        users.contains("administration\tAdministration\tadministration"),
        "{users}"
    );
    let (tokens, _) = ok(&["token", "list", "--account", siret, "--db", db]);
    assert!(
        !tokens.contains(&token) && !tokens.contains(&admin),
        "never a token: {tokens}"
    );
    assert!(
        tokens.contains(&format!("{}\tmarie@acme.fr", &token[..11])),
        "{tokens}"
    );
    assert_eq!(
        tokens.lines().filter(|l| l.ends_with("\tactif")).count(),
        2,
        "{tokens}"
    );

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
    let url = format!("http://{addr}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(20);
        let body = loop {
            match reqwest::get(format!("{url}/healthz")).await {
                Ok(_) => break me(&url, &token).await,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("server not answering: {e}"),
            }
        };
        assert_eq!(body.0, 200, "{body:?}");
        assert_eq!(body.1["user"]["role"], "lecture");
        assert_eq!(
            body.1["user"]["sites"],
            serde_json::json!(["Lyon", "Vénissieux"])
        );
    });

    let short = passeport(&["token", "revoke", "pp_", "--db", db]);
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("trop court"));
    let (_, said) = ok(&["token", "revoke", &token[..11], "--db", db]);
    assert!(said.contains("révoqué"), "{said}");
    runtime.block_on(async {
        assert_eq!(me(&url, &token).await.0, 401, "revoked: refused at once");
        assert_eq!(me(&url, &admin).await.0, 200);
    });
    let (tokens, _) = ok(&["token", "list", "--account", siret, "--db", db]);
    assert!(
        tokens.contains(&format!("{}\tmarie@acme.fr", &token[..11]))
            && tokens.contains("révoqué le"),
        "{tokens}"
    );

    // The trail of these commands, read through the API by the administrator; refused to
    // `lecture`.
    let (second, _) = ok(&[
        "token",
        "create",
        "--account",
        siret,
        "--user",
        "marie@acme.fr",
        "--db",
        db,
    ]);
    let audit = |token: &str, extra: &[&str]| {
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!("api_url = \"{url}\"\ntoken = \"{token}\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_passeport"))
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", dir.path().join("xdg-data"))
            .env_remove("PASSEPORT_TOKEN")
            .arg("--config")
            .arg(&config)
            .arg("audit")
            .args(extra)
            .output()
            .unwrap()
    };
    let out = audit(&admin, &["--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0], "date,utilisateur,action,objet,identifiant,avant,après",
        "{csv}"
    );
    assert!(
        lines[1].contains(",ligne de commande,création,utilisateur,marie@acme.fr,,"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("révocation,jeton,{}", &token[..11])),
        "{csv}"
    );
    assert!(
        !csv.contains(&token) && !csv.contains(&admin),
        "no token in the trail: {csv}"
    );
    let out = audit(&admin, &["--entity", "utilisateur", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert_eq!(
        entries[0]["after"]["sites"],
        serde_json::json!(["Lyon", "Vénissieux"])
    );
    let refused = audit(second.trim(), &[]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("« administration »"), "{said}");

    ok(&[
        "user",
        "disable",
        "--account",
        siret,
        "--email",
        "administration",
        "--db",
        db,
    ]);
    runtime.block_on(async {
        assert_eq!(
            me(&url, &admin).await.0,
            401,
            "disabled user: refused at once"
        );
    });
    let unknown = passeport(&[
        "user",
        "disable",
        "--account",
        siret,
        "--email",
        "x@y.fr",
        "--db",
        db,
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("aucun utilisateur « x@y.fr »"));
}
