//! TLS of `passeport serve --tls-cert FILE --tls-key FILE` (issue 18, H1): rustls (ring) through
//! tokio-rustls, the certificate chain and key read from PEM files and read again on
//! [`Tls::reload`] (SIGHUP) without closing the listener; connections already open keep the
//! certificate they started with.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The certificate chain and private key files (PEM) of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, the server's certificate first.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why the TLS files cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file holds no PEM certificate.
    #[error("{path} : aucun certificat PEM lisible ({detail})")]
    Certificate {
        /// The certificate file.
        path: PathBuf,
        /// The reader's reason.
        detail: String,
    },
    /// The file holds no PEM private key.
    #[error("{path} : aucune clé privée PEM lisible ({detail})")]
    Key {
        /// The key file.
        path: PathBuf,
        /// The reader's reason.
        detail: String,
    },
    /// rustls refused the pair (key not matching the certificate, unsupported algorithm…).
    #[error("certificat {cert} et clé {key} inutilisables : {detail}")]
    Refused {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        detail: String,
    },
}

/// The TLS side of the server: its files and the acceptor built from them, swapped by a reload.
pub struct Tls {
    files: TlsFiles,
    acceptor: RwLock<TlsAcceptor>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Reads the files and builds the acceptor (HTTP/1.1 only, announced by ALPN).
    pub fn load(files: TlsFiles) -> Result<Arc<Self>, TlsError> {
        let acceptor = RwLock::new(acceptor(&files)?);
        Ok(Arc::new(Self { files, acceptor }))
    }

    /// Reads the files again; new connections use them from now on. On an error the current
    /// certificate stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = acceptor(&self.files)?;
        match self.acceptor.write() {
            Ok(mut current) => *current = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// The acceptor of a new connection.
    pub(super) fn acceptor(&self) -> TlsAcceptor {
        match self.acceptor.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The files, for messages.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }
}

/// The acceptor of `files`.
fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, TlsError> {
    let chain = certificates(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|error| TlsError::Key {
        path: files.key.clone(),
        detail: pem_reason(&error),
    })?;
    let refused = |error: tokio_rustls::rustls::Error| TlsError::Refused {
        cert: files.cert.clone(),
        key: files.key.clone(),
        detail: error.to_string(),
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(refused)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(refused)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The certificates of a PEM file, at least one.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let invalid = |detail: String| TlsError::Certificate {
        path: path.to_owned(),
        detail,
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|error| invalid(pem_reason(&error)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid(pem_reason(&error)))?;
    if chain.is_empty() {
        return Err(invalid(
            "le fichier ne contient aucun bloc CERTIFICATE".to_owned(),
        ));
    }
    Ok(chain)
}

/// A PEM reading error in French.
fn pem_reason(error: &pem::Error) -> String {
    match error {
        pem::Error::Io(io) => io.to_string(),
        pem::Error::NoItemsFound => "aucun bloc PEM du type attendu".to_owned(),
        other => format!("PEM invalide : {other:?}"),
    }
}
