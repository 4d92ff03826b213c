//! `passeport`: command-line entry point. Parses arguments, then dispatches to the full-screen
//! application, the server, or a command. Every user-facing failure is one French line on stderr
//! and exit code 2.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use color_eyre::eyre::Result;

use passeport::cli::{self, AccountCommand, Cli, Command, TokenCommand};
use passeport::config::Config;
use passeport::paths;
use passeport::rules::Rules;

fn main() -> ExitCode {
    // Unexpected failures get color-eyre's report; expected ones are one line (below).
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("passeport : impossible de démarrer ({e})");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(report) => {
            let chain: Vec<String> = report.chain().map(ToString::to_string).collect();
            eprintln!("passeport : {}", chain.join(" : ").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let config_path = match &cli.config {
        Some(path) => path.clone(),
        None => paths::config_file()?,
    };
    let rules = Rules::load(config_path.parent())?;
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
        })) => cli::launch::create_account(kind, &siret, &name, nda.as_deref(), &db, rules).await,
        Some(Command::Token(TokenCommand::Create { account, db })) => {
            cli::launch::create_token(&account, &db, rules).await
        }
        Some(Command::Catalogue(args)) => cli::catalogue::run(&args, &rules),
        Some(Command::Expiring(args)) => cli::expiring::run(args, &config_path, rules).await,
        Some(Command::Export(command)) => cli::export::run(command, &config_path, rules).await,
        Some(Command::Import(args)) => cli::import::run(args, &config_path, rules).await,
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "passeport", &mut script);
            cli::export::write_stdout(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            cli::export::write_stdout(&page)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
