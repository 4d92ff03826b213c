//! The embedded sandbox's tokens (security review M5): random per database, not the public
//! `demo-employeur`, so another user of the machine cannot sign in to the sandbox on its
//! loopback port. They live in `sandbox-tokens.toml` beside `sandbox.db`, readable by this user
//! only (0600 in the 0700 data directory); the public names stay the names users type
//! (`PASSEPORT_TOKEN=demo-of`), translated here to the private tokens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::server::{DEMO_TOKENS, demo_logins};

/// Name of the tokens file in the data directory.
pub const TOKENS_FILE: &str = "sandbox-tokens.toml";

/// Why the tokens file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Others may read or change the file: its tokens may have leaked.
    #[error(
        "{path} est refusé : d'autres utilisateurs peuvent le lire ou le modifier (droits \
         {mode:o}) ; supprimez-le, de nouveaux jetons du bac à sable seront créés"
    )]
    NotPrivate {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// The file cannot be read, or is not the TOML we write.
    #[error("{path} illisible ({reason}) ; supprimez-le, de nouveaux jetons seront créés")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The file cannot be written.
    #[error("{path} : écriture impossible ({reason})")]
    Unwritable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// The private token of each demo sign-in of one sandbox database, by public name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxTokens(BTreeMap<String, String>);

impl SandboxTokens {
    /// Reads `dir`'s tokens file; the sign-ins it lacks (all of them the first time) get new
    /// random tokens, and the file is then written again, atomically, at 0600.
    pub fn load_or_create(dir: &Path) -> Result<Self, SandboxError> {
        let path = dir.join(TOKENS_FILE);
        let shown = || crate::text::sanitize(&path.display().to_string());
        let mut tokens: BTreeMap<String, String> = match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private(&path)?;
                toml::from_str(&text).map_err(|e| SandboxError::Unreadable {
                    path: shown(),
                    reason: e.message().trim().to_owned(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                return Err(SandboxError::Unreadable {
                    path: shown(),
                    reason: crate::io_error::io_message(&e),
                });
            }
        };
        let mut added = false;
        for login in demo_logins() {
            if !tokens.contains_key(login.public) {
                tokens.insert(login.public.to_owned(), crate::server::new_token());
                added = true;
            }
        }
        if added {
            let text = toml::to_string(&tokens).map_err(|e| SandboxError::Unwritable {
                path: shown(),
                reason: e.to_string(),
            })?;
            crate::cli::export::write_atomically(&path, text.as_bytes()).map_err(|e| {
                SandboxError::Unwritable {
                    path: shown(),
                    reason: crate::io_error::io_message(&e),
                }
            })?;
        }
        Ok(Self(tokens))
    }

    /// The private tokens by public name, as [`crate::server::Server::privatise_demo`] takes
    /// them.
    pub fn by_public_name(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The token to send for the configured one: a public demo name becomes its private token,
    /// any other token is sent as it is, and none means the first demo employer.
    pub fn token_for(&self, configured: Option<&str>) -> String {
        let name = configured.unwrap_or(DEMO_TOKENS[0]);
        self.0.get(name).cloned().unwrap_or_else(|| name.to_owned())
    }

    /// The tokens file of the data directory `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(TOKENS_FILE)
    }
}

/// Refuses a tokens file that group or others may read or change.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), SandboxError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o777)
        .unwrap_or(0);
    if mode & 0o077 != 0 {
        return Err(SandboxError::NotPrivate {
            path: crate::text::sanitize(&path.display().to_string()),
            mode,
        });
    }
    Ok(())
}

/// [`check_private`] off Unix: file modes do not apply.
#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), SandboxError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_per_file_and_kept() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        let first = SandboxTokens::load_or_create(one.path()).unwrap();
        let other = SandboxTokens::load_or_create(two.path()).unwrap();
        let employer = first.token_for(None);
        assert!(employer.starts_with("pp_"), "{employer}");
        assert_ne!(employer, other.token_for(None));
        assert_eq!(SandboxTokens::load_or_create(one.path()).unwrap(), first);
        assert_eq!(first.token_for(Some("demo-employeur")), employer);
        assert_ne!(first.token_for(Some("demo-of")), employer);
        assert_eq!(first.token_for(Some("pp_autre")), "pp_autre");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        SandboxTokens::load_or_create(dir.path()).unwrap();
        let path = SandboxTokens::path(dir.path());
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let message = SandboxTokens::load_or_create(dir.path())
            .unwrap_err()
            .to_string();
        assert!(message.contains("droits 644"), "{message}");
        assert!(message.contains("supprimez-le"), "{message}");
    }
}
