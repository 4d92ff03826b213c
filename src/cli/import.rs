//! `passeport import FILE`: declarations from an official ADF/JDR file or a spreadsheet export,
//! or staff from a team sheet. Reading, checking and sending are [`crate::import`]'s (shared
//! with the TUI's import screen); this module adds the arguments and prints the report. A
//! roster, history or matrix goes to the staff routes ([`crate::import::team`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};

use super::export::write_stdout;
use super::launch::client_for;
use crate::api::Client;
use crate::api::contract::Account;
use crate::clock;
use crate::config::Config;
use crate::import::sheet::Kind;
use crate::import::team::TeamImport;
use crate::import::{self, Plan, Report};
use crate::rules::Rules;
use crate::text::{agree, count};

/// `passeport import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Le fichier : ADF ou JDR officiel (séparateur |, avec ou sans ligne d'en-tête), export de
    /// tableur (CSV, .xlsx, .xls, .ods) nommant les colonnes officielles, ou tableur d'équipe
    /// (stagiaires, personnel, historique, matrice).
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Vérifie le fichier sur ce poste, avec les règles du serveur, sans rien envoyer (seul le
    /// compte est lu).
    #[arg(long)]
    pub dry_run: bool,
    /// Type du fichier, quand ses colonnes ne suffisent pas à le reconnaître.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub kind: Option<KindArg>,
    /// Format du compte rendu : lisible (text) ou pour les scripts (json).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Format of the report (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Compte rendu lisible, une erreur par ligne.
    Text,
    /// Un objet JSON pour les scripts.
    Json,
}

/// `--kind` (variant docs are the French help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Fichier officiel des attestations de formation.
    Adf,
    /// Fichier officiel des justificatifs de réussite.
    Jdr,
    /// Feuille de stagiaires d'un organisme de formation.
    Stagiaires,
    /// Registre du personnel.
    Personnel,
    /// Historique des formations (une ligne par salarié et formation).
    Historique,
    /// Matrice personnes × formations (une colonne de dates par formation).
    Matrice,
}

impl From<KindArg> for Kind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Adf => Self::Adf,
            KindArg::Jdr => Self::Jdr,
            KindArg::Stagiaires => Self::Trainees,
            KindArg::Personnel => Self::Roster,
            KindArg::Historique => Self::History,
            KindArg::Matrice => Self::Matrix,
        }
    }
}

/// `passeport import`: exit 0 when the file is valid (and sent), 1 when it has errors, 2 when
/// it cannot be read or the server cannot be reached.
pub async fn run(args: ImportArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let bytes = import::read_bytes(&args.file)?;
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    let account = client.me().await.wrap_err("lecture du compte impossible")?;
    let today = clock::today()?;
    let path = args.file.display().to_string();
    let forced = args.kind.map(Kind::from);
    let mut plan = match import::plan(&bytes, &path, forced, account.kind, today, &rules)? {
        Plan::Declarations(plan) => plan,
        Plan::Team(team) => {
            let (table, columns) = *team;
            let team = TeamImport::new(&path, table, columns);
            return run_team(&client, &account, team, &args, &rules, today).await;
        }
    };
    plan.report.dry_run = args.dry_run;
    if args.dry_run {
        plan.check_locally(&rules.catalogue);
    } else {
        plan.check(&client)
            .await
            .wrap_err("vérification par le serveur impossible")?;
    }
    if !args.dry_run
        && let Err(error) = plan.apply(&client, |_, _| {}).await
    {
        print_report(&plan.report, &plan.description, args.format)?;
        let sent = plan.report.results.len() as u64;
        return Err(error).wrap_err(format!(
            "import interrompu après {} {} ; relancez la même \
             commande : rien ne sera créé deux fois",
            count(sent, "déclaration", "déclarations"),
            agree(sent, "envoyée", "envoyées")
        ));
    }
    print_report(&plan.report, &plan.description, args.format)?;
    Ok(if plan.report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Imports a roster, history or matrix: exit 0 when valid (and written), 1 with errors.
async fn run_team(
    client: &Client,
    account: &Account,
    mut team: TeamImport,
    args: &ImportArgs,
    rules: &Rules,
    today: NaiveDate,
) -> Result<ExitCode> {
    team.check(client, account, rules, today).await?;
    if !args.dry_run
        && let Err(error) = team.apply(client, |_, _| {}).await
    {
        print_team_report(&team, args.format)?;
        return Err(error.into());
    }
    print_team_report(&team, args.format)?;
    Ok(if team.report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints a team sheet's report on stdout.
fn print_team_report(team: &TeamImport, format: ReportFormat) -> Result<()> {
    let text = match format {
        ReportFormat::Text => team.report.to_text(&team.path),
        ReportFormat::Json => team.report.to_json()?,
    };
    write_stdout(text)
}

/// Prints the report on stdout.
fn print_report(report: &Report, description: &str, format: ReportFormat) -> Result<()> {
    let text = match format {
        ReportFormat::Text => report.to_text(description),
        ReportFormat::Json => report.to_json()?,
    };
    write_stdout(&text)
}
