//! How the program ends badly: an expected failure is one French line on stderr (its causes
//! joined, system errors translated, nothing said twice), an unexpected one (a panic) is a short
//! French paragraph, a closed pipe ends the program quietly, and colours appear only on a
//! terminal that accepts them.

use std::io::{self, IsTerminal, Write};

use color_eyre::eyre::Report;

use crate::io_error::io_message;

/// Exit code of a program stopped by a closed pipe, as a shell reports SIGPIPE (128 + 13).
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Whether colours may be written to a stream: it is a terminal and `NO_COLOR` is unset or
/// empty (<https://no-color.org>).
pub fn colour_allowed(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// The one line printed for an expected failure, without the `passeport : ` prefix: every cause
/// of the chain, joined by ` : `, system errors in French, a cause left out when the message
/// before it already says it (a `thiserror` message that quotes its source), newlines flattened,
/// and sanitised: a file name or a server's message in it cannot act on the terminal.
pub fn error_line(report: &Report) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in report.chain() {
        let text = match cause.downcast_ref::<io::Error>() {
            Some(error) => io_message(error),
            None => cause.to_string(),
        };
        let text = text.replace('\n', " ");
        if parts.last().is_some_and(|last| last.contains(&text)) || text.is_empty() {
            continue;
        }
        parts.push(text);
    }
    crate::text::sanitize(&parts.join(" : "))
}

/// Writes the line of an expected failure on stderr; a closed stderr is ignored.
pub fn print_error(report: &Report) {
    let _ = writeln!(io::stderr(), "passeport : {}", error_line(report));
}

/// Whether a panic message is the standard library's report of a write to a closed pipe
/// (`println!` into `| head`).
fn is_broken_pipe(message: &str) -> bool {
    message.contains("Broken pipe") || message.contains("os error 32")
}

/// Installs the reports of unexpected failures. A panic prints a French paragraph on stderr
/// (the detailed color-eyre report too with `RUST_BACKTRACE` set, coloured only on a terminal);
/// a panic caused by a closed pipe ends the program quietly with [`BROKEN_PIPE_EXIT`].
pub fn install_hooks() {
    let stderr_colour = colour_allowed(io::stderr().is_terminal());
    let builder = color_eyre::config::HookBuilder::default().display_env_section(false);
    let builder = if stderr_colour {
        builder
    } else {
        builder.theme(color_eyre::config::Theme::new())
    };
    let (panic_hook, eyre_hook) = builder.into_hooks();
    let _ = eyre_hook.install();
    let detailed = std::env::var_os("RUST_BACKTRACE").is_some_and(|value| value != "0");
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if is_broken_pipe(&message) {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
        let location = info
            .location()
            .map_or_else(String::new, |at| format!(" ({}:{})", at.file(), at.line()));
        let mut stderr = io::stderr().lock();
        let _ = writeln!(
            stderr,
            "passeport : erreur interne, le programme s'arrête : {message}{location}.\n\
             Aucune donnée n'a été envoyée par cette erreur. Signalez-la avec la commande \
             lancée ; RUST_BACKTRACE=1 donne le détail."
        );
        if detailed {
            let _ = writeln!(stderr, "{}", panic_hook.panic_report(info));
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use color_eyre::eyre::{WrapErr, eyre};

    #[derive(Debug, thiserror::Error)]
    #[error("config.toml : {source}")]
    struct Quoting {
        source: Inner,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("keymap : commande inconnue « foo »")]
    struct Inner;

    #[test]
    fn a_cause_already_quoted_is_not_said_twice() {
        let report = Report::new(Quoting { source: Inner });
        assert_eq!(
            error_line(&report),
            "config.toml : keymap : commande inconnue « foo »"
        );
    }

    #[test]
    fn system_errors_read_in_french_and_causes_are_joined() {
        let denied: Result<(), io::Error> = Err(io::Error::from(io::ErrorKind::PermissionDenied));
        let report = denied
            .wrap_err("export.csv : écriture impossible")
            .unwrap_err();
        assert_eq!(
            error_line(&report),
            "export.csv : écriture impossible : permission refusée"
        );
        let missing = Report::new(io::Error::from_raw_os_error(2));
        assert_eq!(error_line(&missing), "fichier ou dossier introuvable");
        let no_tty = Report::new(io::Error::from_raw_os_error(6));
        assert_eq!(
            error_line(&no_tty),
            "aucun terminal ni périphérique à cette adresse"
        );
        let own = Report::new(io::Error::new(
            io::ErrorKind::InvalidInput,
            "ce chemin ne désigne pas un fichier",
        ));
        assert_eq!(error_line(&own), "ce chemin ne désigne pas un fichier");
        let cursor: Result<(), io::Error> = Err(io::Error::other(
            "The cursor position could not be read within a normal duration",
        ));
        assert_eq!(
            error_line(&cursor.wrap_err("erreur du terminal").unwrap_err()),
            "erreur du terminal : le terminal n'a pas donné la position du curseur à temps"
        );
        let flattened = eyre!("première ligne\nseconde");
        assert_eq!(error_line(&flattened), "première ligne seconde");
    }

    #[test]
    fn only_a_closed_pipe_panic_is_quiet() {
        assert!(is_broken_pipe(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_broken_pipe("index out of bounds"));
    }
}
