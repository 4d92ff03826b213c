//! The user's configuration, `~/.config/passeport/config.toml` (or `$PASSEPORT_CONFIG`), read and
//! written with confy at that explicit path. The token may also come from `PASSEPORT_TOKEN`, the
//! extra certificate authority from `PASSEPORT_CA_CERT`.
//! A file holding a token must be private (mode 0600): a looser one is refused.

mod messages;
mod reminders;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::expiry::DEFAULT_THRESHOLD_DAYS;
use crate::tui::keymap::{Keymap, KeymapError};
use crate::tui::theme::ThemeName;

pub use reminders::RemindersConfig;

/// Environment variable holding the API token (wins over the file).
pub const TOKEN_VAR: &str = "PASSEPORT_TOKEN";

/// Environment variable naming an extra certificate authority (wins over the file's `ca_cert`).
pub const CA_CERT_VAR: &str = "PASSEPORT_CA_CERT";

/// The configuration file's content. Every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// URL of a Passeport API server; none starts the embedded sandbox.
    pub api_url: Option<String>,
    /// Bearer token for `api_url`.
    pub token: Option<String>,
    /// An extra certificate authority (PEM) trusted for `api_url`, e.g. a self-signed team
    /// server's certificate.
    pub ca_cert: Option<PathBuf>,
    /// A training is « expire bientôt » within this many days.
    pub threshold_days: u32,
    /// `dark` or `light`.
    pub theme: ThemeName,
    /// Rebound commands: `refresh = ["r", "f5"]`.
    pub keymap: BTreeMap<String, Vec<String>>,
    /// `[reminders]`: recipients, SMTP server and thresholds of `passeport remind`.
    pub reminders: RemindersConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_url: None,
            token: None,
            ca_cert: None,
            threshold_days: DEFAULT_THRESHOLD_DAYS,
            theme: ThemeName::default(),
            keymap: BTreeMap::new(),
            reminders: RemindersConfig::default(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid TOML or a key of the wrong type.
    #[error("{path} : {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// The file holds a token or the SMTP password but others can read it.
    #[error(
        "{path} contient un jeton ou un mot de passe mais ses droits sont {mode:o} : faites « chmod 600 {path} »"
    )]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// Others could change the file or its folder.
    #[error("{0}")]
    Untrusted(#[from] crate::paths::Untrusted),
    /// A keymap override is wrong.
    #[error("{path} : {source}")]
    Keymap {
        /// The file.
        path: PathBuf,
        /// The keymap problem.
        source: KeymapError,
    },
    /// The file cannot be read or written.
    #[error("{path} : {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
}

impl Config {
    /// Reads the configuration at `path`; a missing file gives the defaults (nothing is
    /// written). `PASSEPORT_TOKEN` overrides the file's token.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let mut config = if path.exists() {
            crate::paths::check_trusted(path)?;
            let config: Config = confy::load_path(path).map_err(|e| describe(path, e))?;
            if config.token.is_some() || config.reminders.holds_secret() {
                check_private(path)?;
            }
            config
        } else {
            Config::default()
        };
        if let Ok(token) = std::env::var(TOKEN_VAR)
            && !token.trim().is_empty()
        {
            config.token = Some(token.trim().to_owned());
        }
        if let Some(ca) = std::env::var_os(CA_CERT_VAR).filter(|ca| !ca.is_empty()) {
            config.ca_cert = Some(PathBuf::from(ca));
        }
        if config.threshold_days == 0 || config.threshold_days > 3650 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: format!(
                    "threshold_days : {} jours hors limites (1 à 3650)",
                    config.threshold_days
                ),
            });
        }
        if let Some(message) = config.reminders.problem() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message,
            });
        }
        Keymap::with_overrides(&config.keymap).map_err(|source| ConfigError::Keymap {
            path: path.to_owned(),
            source,
        })?;
        Ok(config)
    }

    /// Writes the configuration; the file is made private (0600) when it holds a token or the
    /// SMTP password.
    pub fn store(&self, path: &Path) -> Result<(), ConfigError> {
        confy::store_path(path, self).map_err(|e| describe(path, e))?;
        if self.token.is_some() || self.reminders.holds_secret() {
            set_private(path)?;
        }
        Ok(())
    }

    /// The keymap with this configuration's overrides.
    pub fn keymap(&self) -> Keymap {
        Keymap::with_overrides(&self.keymap).unwrap_or_default()
    }
}

fn describe(path: &Path, error: confy::ConfyError) -> ConfigError {
    let message = match error {
        confy::ConfyError::BadTomlData(e) => toml_message(path, &e),
        other => other.to_string(),
    };
    ConfigError::Invalid {
        path: path.to_owned(),
        message,
    }
}

/// A TOML error of the file at `path`, without the source line the parser quotes (that line may
/// hold the token, e.g. under a misspelt key): the line, the column, the key written on that
/// line, and the parser's message, anything shaped like a token masked.
fn toml_message(path: &Path, error: &toml::de::Error) -> String {
    let message = messages::in_french(&mask_tokens(error.message().trim()));
    let Some(span) = error.span() else {
        return message;
    };
    let text = std::fs::read(path).unwrap_or_default();
    let before = &text[..span.start.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    // Characters, not bytes: UTF-8 continuation bytes do not start a character.
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    let written = String::from_utf8_lossy(&text);
    let key = written
        .lines()
        .nth(line - 1)
        .and_then(|l| l.split_once('='))
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && key.chars().count() <= MAX_KEY_SHOWN)
        .map_or_else(String::new, |key| format!(", clé « {} »", mask_tokens(key)));
    format!("ligne {line}, colonne {column}{key} : {message}")
}

/// Longest key quoted back in a message.
const MAX_KEY_SHOWN: usize = 40;

/// Prefix of the tokens `passeport token create` makes (`pp_` and 64 hex digits).
const TOKEN_PREFIX: &str = "pp_";

/// `text` with whatever follows each `pp_` (letters and digits: a token's secret part) replaced
/// by `…`.
fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(TOKEN_PREFIX) {
        let after = &rest[at + TOKEN_PREFIX.len()..];
        let secret = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        out.push_str(&rest[..at + TOKEN_PREFIX.len()]);
        if secret > 0 {
            out.push('…');
        }
        rest = &after[secret..];
    }
    out.push_str(rest);
    out
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| ConfigError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn set_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
        ConfigError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(&dir.path().join("config.toml")).unwrap();
        assert_eq!(config.threshold_days, 90);
        assert_eq!(config.api_url, None);
    }

    #[test]
    fn wrong_type_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "threshold_days = \"beaucoup\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("threshold_days"), "{err}");
    }

    #[test]
    fn unknown_key_and_bad_keymap_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "api_ulr = \"http://x\"\n").unwrap();
        assert!(
            Config::load(&path)
                .unwrap_err()
                .to_string()
                .contains("api_ulr")
        );
        std::fs::write(&path, "[keymap]\nquit = [\"hyper-q\"]\n").unwrap();
        assert!(
            Config::load(&path)
                .unwrap_err()
                .to_string()
                .contains("keymap.quit")
        );
    }

    /// Regression (tests/fuzz_props.rs): the parser quotes the faulty line, which may be the
    /// token's; the message gives its place and key, never the token.
    #[test]
    fn a_broken_line_holding_the_token_is_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let token = "pp_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for (text, place) in [
            (
                format!("tokn = \"{token}\"\n"),
                "ligne 1, colonne 1, clé « tokn »",
            ),
            (
                format!("theme = \"dark\"\ntoken = \"{token}\n"),
                "ligne 2, colonne 77, clé « token »",
            ),
            (
                format!("token = {token}\n"),
                "ligne 1, colonne 9, clé « token »",
            ),
            (
                format!("theme = \"{token}\"\n"),
                "ligne 1, colonne 9, clé « theme »",
            ),
        ] {
            std::fs::write(&path, &text).unwrap();
            let err = Config::load(&path).unwrap_err().to_string();
            assert!(!err.contains(&token[3..]), "{err}");
            assert!(err.contains(place), "{err}");
        }
        assert_eq!(mask_tokens("a pp_abc1 b pp_ pp_x-y"), "a pp_… b pp_ pp_…-y");
    }

    #[test]
    fn a_token_is_stored_private_and_a_loose_file_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let config = Config {
            token: Some("secret".into()),
            ..Config::default()
        };
        config.store(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            Config::load(&path).unwrap().token.as_deref(),
            Some("secret")
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(
            matches!(err, ConfigError::TooOpen { mode: 0o644, .. }),
            "{err}"
        );
    }
}
