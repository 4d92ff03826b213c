//! `passeport serve` as an administrator runs it (issue 18): plain HTTP refused on a network
//! address, TLS whose certificate is read again on SIGHUP by the same listener, and a log that
//! names the route and the client, never the free-text key of a path.

#[path = "common/certs.rs"]
mod certs;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A `passeport serve` child and its stderr lines, stopped when dropped.
struct Served {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// The log so far.
    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

/// The binary with a clean environment under `home`.
fn passeport(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passeport"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PASSEPORT_LOG", "info");
    command
}

/// Starts `passeport serve` with `args`; the child and the base URL of its banner.
fn serve(home: &Path, args: &[&str]) -> (Served, String) {
    let mut child = passeport(home)
        .arg("serve")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let lines = Arc::new(Mutex::new(Vec::new()));
    let served = Served {
        child,
        lines: lines.clone(),
    };
    let mut line = String::new();
    while !line.contains("API sur ") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve stopped");
        lines.lock().unwrap().push(line.trim_end().to_owned());
    }
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http"))
        .unwrap()
        .to_owned();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    (served, base)
}

#[test]
fn plain_http_on_a_network_address_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("p.db");
    let output = passeport(home.path())
        .args(["serve", "--addr", "0.0.0.0:0", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refus d'écouter sur 0.0.0.0:0 en HTTP clair"),
        "{stderr}"
    );
    assert!(stderr.contains("--tls-cert"), "{stderr}");
    assert!(!db.exists(), "refused before the database is opened");
}

#[test]
fn plain_http_forced_on_a_network_address_is_served_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("p.db");
    let db = db.display().to_string();
    let (served, base) = serve(
        home.path(),
        &["--addr", "0.0.0.0:0", "--insecure-http", "--db", &db],
    );
    let log = served.log();
    assert!(
        log.contains(
            "passeport : attention, HTTP sans chiffrement sur 0.0.0.0:0 (--insecure-http) : les \
             jetons et les NIR sont lisibles par quiconque voit passer le trafic"
        ),
        "{log}"
    );
    let port = base.rsplit(':').next().unwrap();
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The certificate files replaced then SIGHUP: a new connection sees the new certificate on
/// the same port, without a restart.
#[tokio::test]
async fn the_certificate_is_read_again_on_sighup() {
    let home = tempfile::tempdir().unwrap();
    let first = certs::make(home.path(), "avant");
    let second = certs::make(home.path(), "apres");
    let cert = home.path().join("cert.pem");
    let key = home.path().join("key.pem");
    std::fs::copy(&first.cert, &cert).unwrap();
    std::fs::copy(&first.key, &key).unwrap();
    let db = home.path().join("p.db");
    let (served, base) = serve(
        home.path(),
        &[
            "--addr",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let url = format!("{}/healthz", base.replace("127.0.0.1", "localhost"));
    let trusting = |ca: &Path| {
        let pem = std::fs::read(ca).unwrap();
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap()
    };
    let status = trusting(&first.ca).get(&url).send().await.unwrap().status();
    assert_eq!(status, 200);
    assert!(trusting(&second.ca).get(&url).send().await.is_err());

    std::fs::copy(&second.cert, &cert).unwrap();
    std::fs::copy(&second.key, &key).unwrap();
    let pid = i32::try_from(served.child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let mut reloaded = false;
    for _ in 0..300 {
        if trusting(&second.ca).get(&url).send().await.is_ok() {
            reloaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reloaded, "the new certificate is served: {}", served.log());
    assert!(trusting(&first.ca).get(&url).send().await.is_err());
    assert!(
        served.log().contains("certificat TLS relu"),
        "{}",
        served.log()
    );
}

/// The request log names the route template and the client address; the free-text
/// `ID_UNIQUE_PARTENAIRE` of the path never appears.
#[tokio::test]
async fn the_log_names_the_route_not_the_path() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("p.db");
    let (served, base) = serve(
        home.path(),
        &[
            "--addr",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--demo",
            "--workers",
            "5",
        ],
    );
    let response = reqwest::Client::new()
        .delete(format!(
            "{base}/v1/declarations/1/titulaires/CLE-LIBRE-1851277"
        ))
        .bearer_auth("demo-employeur")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error() || response.status().is_success());
    let mut log = String::new();
    for _ in 0..100 {
        log = served.log();
        if log.contains("titulaires/{") && log.contains("réponse") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        log.contains("route=\"/v1/declarations/{id}/titulaires/{id_unique_partenaire}\""),
        "{log}"
    );
    assert!(log.contains("client=127.0.0.1"), "{log}");
    assert!(!log.contains("CLE-LIBRE-1851277"), "{log}");
}
