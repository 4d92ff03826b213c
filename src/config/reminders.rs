//! The `[reminders]` table of the configuration: where `passeport remind` sends its digests and
//! at which thresholds.

use serde::{Deserialize, Serialize};

use crate::reminders::{DEFAULT_DEADLINE_DAYS, DEFAULT_EXPIRY_DAYS, Thresholds};

/// Largest threshold accepted, in days (ten years).
const MAX_DAYS: u32 = 3650;

/// `[reminders]`: every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemindersConfig {
    /// Recipient of what no manager's e-mail covers (and of the declaration deadlines).
    pub to: Option<String>,
    /// Sender address of the digests.
    pub from: Option<String>,
    /// `smtp://[user:password@]host[:port]` (STARTTLS) or `smtps://…` (TLS); `PASSEPORT_SMTP_URL`
    /// wins over it.
    pub smtp_url: Option<String>,
    /// Days before an expiry at which a reminder goes out.
    pub expiry_days: Vec<u32>,
    /// Days before a declaration deadline at which a reminder goes out.
    pub deadline_days: Vec<u32>,
}

impl Default for RemindersConfig {
    fn default() -> Self {
        Self {
            to: None,
            from: None,
            smtp_url: None,
            expiry_days: DEFAULT_EXPIRY_DAYS.to_vec(),
            deadline_days: DEFAULT_DEADLINE_DAYS.to_vec(),
        }
    }
}

impl RemindersConfig {
    /// The thresholds of a run.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            expiry: self.expiry_days.clone(),
            deadline: self.deadline_days.clone(),
        }
    }

    /// What is wrong with the thresholds, naming the key, if anything.
    pub fn problem(&self) -> Option<String> {
        [
            ("reminders.expiry_days", &self.expiry_days),
            ("reminders.deadline_days", &self.deadline_days),
        ]
        .into_iter()
        .find_map(|(key, days)| {
            days.iter()
                .find(|&&d| d == 0 || d > MAX_DAYS)
                .map(|d| format!("{key} : {d} jours hors limites (1 à {MAX_DAYS})"))
        })
    }

    /// Whether the SMTP URL carries a password (then the file must be private, as for a token).
    pub fn holds_secret(&self) -> bool {
        self.smtp_url.as_deref().is_some_and(|url| {
            url.split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
                .is_some_and(|authority| {
                    authority
                        .rsplit_once('@')
                        .is_some_and(|(user, _)| user.contains(':'))
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_a_secret() {
        let with = |url: &str| RemindersConfig {
            smtp_url: Some(url.to_owned()),
            ..RemindersConfig::default()
        };
        assert!(with("smtps://rh:s3cret@smtp.acme.fr").holds_secret());
        assert!(!with("smtp://rh@smtp.acme.fr:587").holds_secret());
        assert!(!with("smtp://127.0.0.1:2525").holds_secret());
        assert!(!RemindersConfig::default().holds_secret());
    }

    #[test]
    fn thresholds_out_of_bounds_name_their_key() {
        let config = RemindersConfig {
            deadline_days: vec![30, 0],
            ..RemindersConfig::default()
        };
        assert_eq!(
            config.problem().as_deref(),
            Some("reminders.deadline_days : 0 jours hors limites (1 à 3650)")
        );
        assert_eq!(RemindersConfig::default().problem(), None);
    }
}
