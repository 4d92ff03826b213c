//! `passeport`: command-line entry point. Parses arguments, then dispatches to the full-screen
//! application, the server, or a command. Every user-facing failure is one French line on stderr
//! and exit code 2; a closed pipe ends a command quietly; colours only go to a terminal.

use std::ffi::OsString;
use std::process::ExitCode;

use color_eyre::eyre::Result;

use passeport::cli::catalogue::CatalogueCommand;
use passeport::cli::journal::Journal;
use passeport::cli::{self, AccountCommand, Cli, Command, TokenCommand};
use passeport::config::Config;
use passeport::paths;
use passeport::rules::Rules;

fn main() -> ExitCode {
    // Unexpected failures get a French report; expected ones are one line (below).
    cli::errors::install_hooks();
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match cli::help::parse(&args) {
        Ok(cli) => cli,
        Err(error) => return cli::help::report(&error, &args),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            cli::errors::print_error(
                &color_eyre::eyre::Report::new(e).wrap_err("impossible de démarrer"),
            );
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(report) => {
            cli::errors::print_error(&report);
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let journal = cli
        .command
        .as_ref()
        .and_then(Command::journal_name)
        .map(Journal::start);
    let result = dispatch(cli).await;
    if let Some(journal) = journal {
        journal.finish(&result);
    }
    result
}

/// Runs the command of `cli` (the full-screen application without one).
async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let config_path = match &cli.config {
        Some(path) => path.clone(),
        None => paths::config_file()?,
    };
    let rules = Rules::load(paths::rules_dir().as_deref())?;
    match cli.command {
        None => {
            let config = Config::load(&config_path)?;
            cli::launch::run_tui(config, rules, !cli.no_mouse).await
        }
        Some(Command::Serve(args)) => cli::launch::serve(args, rules).await,
        Some(Command::Account(AccountCommand::Create {
            kind,
            siret,
            name,
            nda,
            db,
            database,
        })) => {
            let database = database.settings(&db)?;
            cli::launch::create_account(kind, &siret, &name, nda.as_deref(), &database, rules).await
        }
        Some(Command::Token(TokenCommand::Create {
            account,
            user,
            expires_in,
            database,
        })) => {
            cli::users::create_token(&account, user.as_deref(), expires_in, &database, rules).await
        }
        Some(Command::Token(TokenCommand::List { account, database })) => {
            cli::users::list_tokens(&account, &database, rules).await
        }
        Some(Command::Token(TokenCommand::Revoke { prefix, database })) => {
            cli::users::revoke_token(&prefix, &database, rules).await
        }
        Some(Command::User(command)) => cli::users::run(command, rules).await,
        Some(Command::Audit(args)) => cli::audit::run(args, &config_path, rules).await,
        Some(Command::Catalogue(args)) => match &args.command {
            Some(CatalogueCommand::Unmapped(unmapped)) => {
                cli::catalogue::unmapped::run(unmapped, &config_path, rules).await
            }
            None => cli::catalogue::run(&args, &rules),
        },
        Some(Command::Expiring(args)) => cli::expiring::run(args, &config_path, rules).await,
        Some(Command::Export(command)) => cli::export::run(command, &config_path, rules).await,
        Some(Command::Import(args)) => cli::import::run(args, &config_path, rules).await,
        Some(Command::Verify(args)) => cli::verify::run(args, &config_path, rules).await,
        Some(Command::Remind(args)) => cli::remind::run(args, &config_path, rules).await,
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli::help::command(), "passeport", &mut script);
            cli::export::write_stdout_verbatim(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cli::help::command()).render(&mut page)?;
            cli::export::write_stdout_verbatim(&page)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Db(command)) => cli::db::run(command).await,
    }
}
