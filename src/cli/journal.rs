//! The log file `passeport.log` of the data directory (security review L10): the level comes
//! from `PASSEPORT_LOG`, else `RUST_LOG`, else `info`; the full-screen application writes there,
//! and so does every command, with one line for its outcome, so that a command run from cron
//! leaves a trace. Neither a token nor a NIR is ever written: the client logs routes, never
//! headers or bodies, and a failure's line has its NIRs and tokens masked.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use color_eyre::eyre::{Report, Result};

use super::{AccountCommand, Command, TokenCommand};
use crate::domain::ids::Nir;
use crate::paths;

/// The log level: `PASSEPORT_LOG`, else `RUST_LOG`, else `info`.
fn log_filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_env("PASSEPORT_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}

/// Logs go to `passeport.log` in the data directory (0600 in a 0700 folder), never to the
/// terminal.
pub fn log_to_file() -> Result<()> {
    let dir = paths::data_dir()?;
    paths::create_private_dir(&dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(dir.join("passeport.log"))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

/// Logs go to stderr (the server in the foreground), coloured only on a terminal.
pub fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_ansi(super::errors::colour_allowed(
            std::io::stderr().is_terminal(),
        ))
        .with_writer(std::io::stderr)
        .try_init();
}

/// One command's entry in the log file, from its start to its outcome.
#[derive(Debug)]
pub struct Journal {
    command: &'static str,
    started: Instant,
}

impl Journal {
    /// Opens the log file for `command` (see [`Command::journal_name`]). A log that cannot be
    /// opened is said once on stderr and the command still runs.
    pub fn start(command: &'static str) -> Self {
        if let Err(error) = log_to_file() {
            eprintln!(
                "passeport : journal indisponible ({}) : la commande continue sans journal",
                super::errors::error_line(&error)
            );
        }
        tracing::debug!(commande = command, "début");
        Self {
            command,
            started: Instant::now(),
        }
    }

    /// Logs the outcome: the exit code and the duration, or the failure's line.
    pub fn finish(&self, result: &Result<ExitCode>) {
        let duration_ms = self.started.elapsed().as_millis();
        match result {
            Ok(code) if *code == ExitCode::SUCCESS => {
                tracing::info!(commande = self.command, duration_ms, "terminée");
            }
            Ok(code) => {
                tracing::warn!(
                    commande = self.command,
                    duration_ms,
                    ?code,
                    "terminée en échec partiel"
                );
            }
            Err(report) => tracing::error!(
                commande = self.command,
                duration_ms,
                erreur = %failure_line(report),
                "échec"
            ),
        }
    }
}

/// The failure's line as printed on stderr, its NIRs and tokens masked.
fn failure_line(report: &Report) -> String {
    super::errors::error_line(report)
        .split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            if bare.starts_with("pp_") || bare.parse::<Nir>().is_ok() {
                word.replace(bare, "[masqué]")
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Command {
    /// The name a command's outcome is logged under, `None` for the commands that log on their
    /// own (the server, on stderr) or print a local text only (catalogue, completions, manual).
    pub fn journal_name(&self) -> Option<&'static str> {
        Some(match self {
            Self::Serve(_) | Self::Completions { .. } | Self::Manpage => return None,
            Self::Catalogue(args) if args.command.is_none() => return None,
            Self::Catalogue(_) => "catalogue unmapped",
            Self::Token(TokenCommand::Create { .. }) => "token create",
            Self::Token(TokenCommand::List { .. }) => "token list",
            Self::Token(TokenCommand::Revoke { .. }) => "token revoke",
            Self::Account(AccountCommand::Create { .. }) => "account create",
            Self::User(_) => "user",
            Self::Audit(_) => "audit",
            Self::Expiring(_) => "expiring",
            Self::Export(_) => "export",
            Self::Import(_) => "import",
            Self::Verify(_) => "verify",
            Self::Remind(_) => "remind",
            Self::Db(_) => "db",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_line_masks_nirs_and_tokens() {
        let report = color_eyre::eyre::eyre!(
            "ligne 3 : le NIR «185037511234594» (1850375112345) est connu ; jeton pp_abc_def refusé"
        );
        let line = failure_line(&report);
        assert_eq!(
            line,
            "ligne 3 : le NIR «[masqué]» ([masqué]) est connu ; jeton [masqué] refusé"
        );
    }

    #[test]
    fn a_siret_or_a_count_stays_readable() {
        let report = color_eyre::eyre::eyre!("SIRET 41287396000022 : 12 lignes");
        assert_eq!(failure_line(&report), "SIRET 41287396000022 : 12 lignes");
    }
}
