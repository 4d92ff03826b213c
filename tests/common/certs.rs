//! Test certificates made with the `openssl` command: a private certificate authority, as a
//! team would run one, and a server certificate it signs for `localhost` and `127.0.0.1`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of one authority and the server certificate it signed.
pub struct Certificate {
    /// The authority's certificate (what a client trusts: `ca_cert`).
    pub ca: PathBuf,
    /// The server's certificate (`--tls-cert`).
    pub cert: PathBuf,
    /// The server's private key (`--tls-key`).
    pub key: PathBuf,
}

/// Runs `openssl` with `args` in `dir`, asserting it succeeded.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl command");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new authority and server certificate in `dir`, their files named after `name`.
pub fn make(dir: &Path, name: &str) -> Certificate {
    let ca_key = format!("{name}-ca.key");
    let ca = format!("{name}-ca.pem");
    let key = format!("{name}-key.pem");
    let csr = format!("{name}.csr");
    let cert = format!("{name}-cert.pem");
    let ext = format!("{name}.ext");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut args = vec!["req", "-x509", "-new"];
    args.extend(ec);
    args.extend(["-keyout", &ca_key, "-out", &ca, "-days", "2"]);
    let subject = format!("/CN=Autorite {name}");
    args.extend(["-subj", &subject]);
    openssl(dir, &args);
    let mut args = vec!["req", "-new"];
    args.extend(ec);
    args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
    openssl(dir, &args);
    std::fs::write(
        dir.join(&ext),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &cert,
        ],
    );
    Certificate {
        ca: dir.join(ca),
        cert: dir.join(cert),
        key: dir.join(key),
    }
}
