//! The command line in French. clap writes its own texts in English (« Print help », « Usage: »,
//! « [default: 90] », « Possible values: », « error: invalid value … », « tip: … »): they are
//! replaced here, in the help of every command and in the one-line messages of its parse errors.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::builder::PossibleValue;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;
use super::errors::colour_allowed;
use super::export::write_stdout_verbatim;

/// Help layout of every command: clap's default with its heading in French.
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The `passeport` command with every text in French: help and version flags, headings, and the
/// default and possible values written into each option's help.
pub fn command() -> Command {
    let root = Cli::command()
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Affiche la version"),
        )
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help("Affiche l'aide (-h : résumé, --help : détail)"),
        );
    in_french(root)
}

/// French headings and value lists for `command` and, recursively, its sub-commands. The
/// built-in help flag (English) and `help` sub-command are replaced by the global `-h/--help`.
fn in_french(command: Command) -> Command {
    command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .help_template(TEMPLATE)
        .subcommand_help_heading("Commandes")
        .subcommand_value_name("COMMANDE")
        .mut_args(describe_values)
        .mut_subcommands(in_french)
}

/// Writes an option's possible and default values into its help, in French, and hides clap's
/// English lists: `[valeurs : table, csv] [défaut : table]` in the summary (`-h`), one line per
/// value with its description in the detail (`--help`).
fn describe_values(arg: Arg) -> Arg {
    if arg.is_hide_set() || !arg.get_action().takes_values() {
        return arg;
    }
    let values: Vec<PossibleValue> = if arg.is_hide_possible_values_set() {
        Vec::new()
    } else {
        arg.get_possible_values()
            .into_iter()
            .filter(|value| !value.is_hide_set())
            .collect()
    };
    let defaults: Vec<String> = if arg.is_hide_default_value_set() {
        Vec::new()
    } else {
        arg.get_default_values()
            .iter()
            .map(|value| value.to_string_lossy().into_owned())
            .collect()
    };
    if values.is_empty() && defaults.is_empty() {
        return arg;
    }
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let mut summary = help.clone();
    let mut detail = arg
        .get_long_help()
        .map_or_else(|| help.clone(), ToString::to_string);
    if !values.is_empty() {
        let names: Vec<&str> = values.iter().map(PossibleValue::get_name).collect();
        summary.push_str(&format!(" [valeurs : {}]", names.join(", ")));
        detail.push_str("\n\nValeurs possibles :");
        for value in &values {
            detail.push_str(&format!("\n- {}", value.get_name()));
            if let Some(text) = value.get_help() {
                detail.push_str(&format!(" : {text}"));
            }
        }
    }
    if !defaults.is_empty() {
        let defaults = format!("[défaut : {}]", defaults.join(", "));
        summary.push_str(&format!(" {defaults}"));
        detail.push_str(&format!("\n\n{defaults}"));
    }
    arg.help(summary)
        .long_help(detail)
        .hide_possible_values(true)
        .hide_default_value(true)
}

/// Parses the arguments with the French [`command`].
pub fn parse(args: &[OsString]) -> Result<Cli, clap::Error> {
    let mut command = command();
    let matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|error| error.with_cmd(&command))
}

/// Ends the program for a parse outcome that is not a command to run: the help or the version on
/// stdout (exit 0), the help of an incomplete command on stderr (exit 2), or one French line on
/// stderr naming the problem and where to find help (exit 2).
pub fn report(error: &clap::Error, args: &[OsString]) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = rendered(error, io::stdout().is_terminal());
            match write_stdout_verbatim(text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let text = rendered(error, io::stderr().is_terminal());
            let _ = io::stderr().write_all(text.as_bytes());
            ExitCode::from(2)
        }
        _ => {
            // The line may quote what was typed: sanitised, it cannot act on the terminal.
            let line = format!("{} (aide : {} --help)", message(error), command_path(args));
            let _ = writeln!(io::stderr(), "passeport : {}", crate::text::sanitize(&line));
            ExitCode::from(2)
        }
    }
}

/// The help or version text clap prepared, coloured only for a terminal that accepts colours.
fn rendered(error: &clap::Error, terminal: bool) -> String {
    let styled = error.render();
    if colour_allowed(terminal) {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    }
}

/// `passeport` and the sub-commands named in `args`, for the help hint of an error.
fn command_path(args: &[OsString]) -> String {
    let root = command();
    let mut current = &root;
    let mut path = vec![root.get_name().to_owned()];
    for arg in args.iter().skip(1) {
        if let Some(sub) = current.find_subcommand(arg) {
            path.push(sub.get_name().to_owned());
            current = sub;
        }
    }
    path.join(" ")
}

/// One piece of the context of a parse error, as text.
fn context(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(text) => Some(text.clone()),
        ContextValue::Strings(texts) => Some(texts.join(", ")),
        ContextValue::StyledStr(text) => Some(text.to_string()),
        ContextValue::StyledStrs(texts) => Some(
            texts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The French message of a parse error (without the help hint).
pub fn message(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(error, ContextKind::InvalidValue).unwrap_or_default();
    let suggestion = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(|kind| match error.get(kind)? {
        ContextValue::String(hint) => Some(hint.clone()),
        ContextValue::Strings(hints) => Some(hints.join(" » ou « ")),
        _ => None,
    })
    .map_or_else(String::new, |hint| {
        format!(" ; vouliez-vous dire « {hint} » ?")
    });
    match error.kind() {
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("{arg} : une valeur est attendue")
        }
        ErrorKind::InvalidValue => {
            let valid = context(error, ContextKind::ValidValue)
                .map_or_else(String::new, |list| format!(" ; valeurs possibles : {list}"));
            format!("valeur « {value} » invalide pour {arg}{valid}{suggestion}")
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(error)
                .map_or_else(String::new, |source| format!(" : {source}"));
            format!("valeur « {value} » invalide pour {arg}{reason}")
        }
        ErrorKind::UnknownArgument => {
            let trailing = match error.get(ContextKind::TrailingArg) {
                Some(ContextValue::Bool(true)) => {
                    " ; pour une valeur qui commence par « - », écrivez « -- » devant"
                }
                _ => "",
            };
            format!("argument inconnu « {arg} »{suggestion}{trailing}")
        }
        ErrorKind::InvalidSubcommand => {
            let name = context(error, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("commande inconnue « {name} »{suggestion}")
        }
        ErrorKind::NoEquals => format!("{arg} demande sa valeur après « = »"),
        ErrorKind::TooManyValues if arg.is_empty() => format!("argument en trop « {value} »"),
        ErrorKind::TooManyValues => format!("valeur en trop « {value} » pour {arg}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} : nombre de valeurs incorrect")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(error, ContextKind::PriorArg).unwrap_or_default();
            format!("{arg} ne s'utilise pas avec {prior}")
        }
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {arg}"),
        ErrorKind::MissingSubcommand => {
            let commands = context(error, ContextKind::ValidSubcommand).unwrap_or_default();
            format!("une commande est attendue : {commands}")
        }
        ErrorKind::InvalidUtf8 => "un argument n'est pas du texte UTF-8".to_owned(),
        _ => "arguments invalides".to_owned(),
    }
}

/// Value parser of a whole number from `min` to `max`, with a French message.
pub fn whole_number(text: &str, min: u32, max: u32) -> Result<u32, String> {
    match text.trim().parse::<u64>() {
        Ok(number) if (u64::from(min)..=u64::from(max)).contains(&number) => {
            u32::try_from(number).map_err(|_| format!("de {min} à {max} attendu"))
        }
        Ok(_) => Err(format!("hors limites, de {min} à {max} attendu")),
        Err(_) => Err(format!("un nombre entier de {min} à {max} est attendu")),
    }
}

/// Value parser of a listening address, with a French message.
pub fn socket_address(text: &str) -> Result<SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        "une adresse IP et un port sont attendus, par exemple 127.0.0.1:8080".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn error_of(line: &str) -> String {
        match parse(&args(line)) {
            Ok(cli) => panic!("{line} parsed: {cli:?}"),
            Err(error) => format!(
                "{} (aide : {} --help)",
                message(&error),
                command_path(&args(line))
            ),
        }
    }

    /// Every help text of every command, summary and detail.
    fn all_help(command: &mut Command, out: &mut Vec<String>) {
        out.push(command.render_help().to_string());
        out.push(command.render_long_help().to_string());
        for sub in command.get_subcommands_mut() {
            all_help(sub, out);
        }
    }

    #[test]
    fn no_help_text_is_in_english() {
        let mut root = command();
        root.build();
        let mut texts = Vec::new();
        all_help(&mut root, &mut texts);
        assert!(texts.len() > 20, "every command is visited");
        for text in &texts {
            for english in [
                "Print help",
                "Print version",
                "Usage:",
                "[default:",
                "Possible values",
                "possible values",
                "Commands:",
                "subcommand",
                "[COMMAND]",
                "<COMMAND>",
            ] {
                assert!(!text.contains(english), "« {english} » in:\n{text}");
            }
            assert!(text.contains("Utilisation : passeport"), "{text}");
            assert!(text.contains("-h, --help"), "{text}");
        }
    }

    #[test]
    fn values_and_defaults_are_listed_in_french() {
        let mut root = command();
        let expiring = root.find_subcommand_mut("expiring").unwrap();
        let summary = expiring.render_help().to_string();
        assert!(
            summary.contains("[valeurs : expired, expiring, all] [défaut : all]"),
            "{summary}"
        );
        assert!(summary.contains("[défaut : 90]"), "{summary}");
        let detail = expiring.render_long_help().to_string();
        assert!(
            detail.contains("- expired : Échéances dépassées"),
            "{detail}"
        );
        let top = root.render_help().to_string();
        assert!(
            top.contains("Commandes :") || top.contains("Commandes:"),
            "{top}"
        );
    }

    #[test]
    fn parse_errors_are_one_french_line() {
        assert_eq!(
            error_of("passeport expiring --within abc"),
            "valeur « abc » invalide pour --within <JOURS> : un nombre entier de 0 à 3660 est \
             attendu (aide : passeport expiring --help)"
        );
        assert_eq!(
            error_of("passeport expiring --within 99999"),
            "valeur « 99999 » invalide pour --within <JOURS> : hors limites, de 0 à 3660 attendu \
             (aide : passeport expiring --help)"
        );
        assert_eq!(
            error_of("passeport expiring --statu all"),
            "argument inconnu « --statu » ; vouliez-vous dire « --status » ? (aide : passeport \
             expiring --help)"
        );
        let status = error_of("passeport expiring --status périmé");
        assert!(
            status.starts_with(
                "valeur « périmé » invalide pour --status <STATUS> ; valeurs possibles : \
                 expired, expiring, all"
            ),
            "{status}"
        );
        assert_eq!(
            error_of("passeport exporte adf"),
            "commande inconnue « exporte » ; vouliez-vous dire « import » ou « export » ? (aide : \
             passeport --help)"
        );
        assert_eq!(
            error_of("passeport serve --addr ici"),
            "valeur « ici » invalide pour --addr <ADDR> : une adresse IP et un port sont \
             attendus, par exemple 127.0.0.1:8080 (aide : passeport serve --help)"
        );
        let missing = error_of("passeport token create");
        assert!(
            missing.starts_with("argument obligatoire manquant : --account <SIRET>"),
            "{missing}"
        );
        for line in [
            "passeport expiring --within abc",
            "passeport import",
            "passeport catalogue --format xml",
        ] {
            let text = error_of(line);
            assert!(!text.contains("error:") && !text.contains("tip:"), "{text}");
            assert_eq!(text.lines().count(), 1, "{text}");
        }
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for line in ["passeport --help", "passeport expiring -h", "passeport -V"] {
            let error = parse(&args(line)).unwrap_err();
            assert!(
                matches!(
                    error.kind(),
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                ),
                "{line}"
            );
        }
        let version = parse(&args("passeport --version")).unwrap_err();
        assert_eq!(
            version.render().to_string(),
            format!("passeport {}\n", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn whole_numbers_are_checked_in_french() {
        assert_eq!(whole_number(" 30 ", 0, 3660), Ok(30));
        assert_eq!(whole_number("0", 0, 3660), Ok(0));
        assert_eq!(whole_number("3660", 0, 3660), Ok(3660));
        assert_eq!(
            whole_number("3661", 0, 3660),
            Err("hors limites, de 0 à 3660 attendu".to_owned())
        );
        assert_eq!(
            whole_number("-1", 1, 10),
            Err("un nombre entier de 1 à 10 est attendu".to_owned())
        );
    }
}
