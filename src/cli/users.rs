//! `passeport user …` and `passeport token list|revoke`: the users of an account and their
//! tokens, on the server's database (`--db` or `--database-url`, like `account create`).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, TimeDelta, Utc};
use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, eyre};

use super::DatabaseArgs;
use crate::domain::ids::Siret;
use crate::domain::rights::Role;
use crate::rules::Rules;
use crate::server::database::{DatabaseSettings, DatabaseUrl};
use crate::server::{NewUser, Server, TokenRow, UserRow};

/// Longest `--expires-in`: ten years.
const MAX_EXPIRY_DAYS: i64 = 3660;

/// The database of a user or token command.
#[derive(Debug, Clone, Args)]
pub struct Database {
    /// Base SQLite du serveur.
    #[arg(long, value_name = "FICHIER", default_value = "passeport.db")]
    pub db: PathBuf,
    /// PostgreSQL et réglages de connexion.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `passeport user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Crée un utilisateur d'un compte ; créez-lui ensuite un jeton avec « passeport token create --user ».
    #[command(
        after_help = "Rôles : lecture (consultation seule, NIR masqués sauf --nir), saisie \
(formations, sessions, déclarations, imports), administration (utilisateurs, jetons, journal).\n\n\
Exemples :\n  passeport user create --account 73282932000074 --name 'Marie Curie' --email marie@acme.fr --role saisie --db /srv/passeport.db\n  passeport user create --account 73282932000074 --name 'Paul Lyon' --email paul@acme.fr --role lecture --sites Lyon,Vénissieux"
    )]
    Create {
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        account: String,
        /// Nom de l'utilisateur.
        #[arg(long)]
        name: String,
        /// Adresse électronique (unique dans le compte).
        #[arg(long, value_name = "COURRIEL")]
        email: String,
        /// Rôle : lecture, saisie ou administration.
        #[arg(long, value_name = "RÔLE", value_parser = parse_role)]
        role: Role,
        /// Sites auxquels l'utilisateur est limité, séparés par des virgules (défaut : tous).
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        sites: Option<Vec<String>>,
        /// Montre les NIR en clair à un utilisateur « lecture ».
        #[arg(long)]
        nir: bool,
        /// La base.
        #[command(flatten)]
        database: Database,
    },
    /// Liste les utilisateurs d'un compte.
    #[command(
        after_help = "Exemple :\n  passeport user list --account 73282932000074 --db /srv/passeport.db"
    )]
    List {
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        account: String,
        /// La base.
        #[command(flatten)]
        database: Database,
    },
    /// Désactive un utilisateur : ses jetons sont refusés aussitôt.
    #[command(
        after_help = "Exemple :\n  passeport user disable --account 73282932000074 --email marie@acme.fr --db /srv/passeport.db"
    )]
    Disable {
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        account: String,
        /// Adresse électronique de l'utilisateur.
        #[arg(long, value_name = "COURRIEL")]
        email: String,
        /// La base.
        #[command(flatten)]
        database: Database,
    },
}

/// `--role`: one of the three role codes, French message otherwise.
fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|e| e.to_string())
}

/// `--expires-in`: a duration such as `90d` (or `90j`) or `12h`, at most ten years.
pub fn parse_expiry(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    let invalid = || format!("durée « {text} » invalide : par exemple 90d (jours) ou 12h (heures)");
    let unit = text.chars().last().ok_or_else(invalid)?;
    let count: i64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| invalid())?;
    let delta = match unit {
        'd' | 'j' => TimeDelta::try_days(count),
        'h' => TimeDelta::try_hours(count),
        _ => None,
    }
    .ok_or_else(invalid)?;
    if delta <= TimeDelta::zero() || delta > TimeDelta::days(MAX_EXPIRY_DAYS) {
        return Err(format!(
            "durée « {text} » hors limites : de 1h à {MAX_EXPIRY_DAYS}d"
        ));
    }
    Ok(delta)
}

/// Opens the server's database, which must exist when it is a SQLite file.
async fn open(database: &Database, rules: &Rules) -> Result<Server> {
    let settings: DatabaseSettings = database.database.settings(&database.db)?;
    if let DatabaseUrl::Sqlite(db) = &settings.url
        && !db.exists()
    {
        return Err(eyre!(
            "{} : base introuvable (lancez d'abord passeport serve --db)",
            db.display()
        ));
    }
    Ok(super::launch::open_server(&settings, None, rules).await?)
}

/// The SIRET of `--account`.
fn siret(account: &str) -> Result<Siret> {
    account.parse().map_err(|e| eyre!("--account : {e}"))
}

/// A time as the tables show it, in UTC.
fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |at| at.format("%d/%m/%Y %H:%M").to_string(),
    )
}

/// Runs `passeport user …`.
pub async fn run(command: UserCommand, rules: Rules) -> Result<ExitCode> {
    match command {
        UserCommand::Create {
            account,
            name,
            email,
            role,
            sites,
            nir,
            database,
        } => {
            let siret = siret(&account)?;
            let sites = sites.map(|sites| {
                sites
                    .into_iter()
                    .map(|site| site.trim().to_owned())
                    .filter(|site| !site.is_empty())
                    .collect::<Vec<_>>()
            });
            let new = NewUser {
                name: name.trim().to_owned(),
                email: email.trim().to_owned(),
                role,
                nir_access: nir,
                sites,
            };
            let server = open(&database, &rules).await?;
            server.create_user(&siret, &new).await?;
            eprintln!(
                "Utilisateur créé ({}, rôle {role}) : passeport token create --account {siret} --user {}",
                new.email, new.email
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { account, database } => {
            let siret = siret(&account)?;
            let users = open(&database, &rules).await?.users(&siret).await?;
            super::export::write_stdout(users_table(&users))?;
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable {
            account,
            email,
            database,
        } => {
            let siret = siret(&account)?;
            open(&database, &rules)
                .await?
                .disable_user(&siret, email.trim())
                .await?;
            eprintln!(
                "Utilisateur {} désactivé : ses jetons sont refusés.",
                email.trim()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The `user list` table.
fn users_table(users: &[UserRow]) -> String {
    let mut out = String::from("COURRIEL\tNOM\tRÔLE\tNIR\tSITES\tCRÉÉ LE\tÉTAT\n");
    for user in users {
        let access = &user.access;
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            access.email,
            access.name,
            access.role,
            if access.nir_access || access.role != Role::Lecture {
                "en clair"
            } else {
                "masqués"
            },
            access
                .sites
                .as_ref()
                .map_or_else(|| "tous".to_owned(), |s| s.join(",")),
            when(Some(user.created_at)),
            user.disabled_at.map_or_else(
                || "actif".to_owned(),
                |at| format!("désactivé le {}", when(Some(at)))
            ),
        ));
    }
    out
}

/// `passeport token create`: prints a new token of the user once.
pub async fn create_token(
    account: &str,
    user: Option<&str>,
    expires_in: Option<TimeDelta>,
    database: &Database,
    rules: Rules,
) -> Result<ExitCode> {
    let siret = siret(account)?;
    let server = open(database, &rules).await?;
    let expires_at = expires_in.map(|delta| Utc::now() + delta);
    let token = server
        .create_user_token(&siret, user.map(str::trim), expires_at)
        .await?;
    super::export::write_stdout(format!("{token}\n"))?;
    match expires_at {
        Some(at) => eprintln!(
            "Conservez ce jeton : il ne sera plus affiché. Il expire le {} (UTC).",
            when(Some(at))
        ),
        None => eprintln!("Conservez ce jeton : il ne sera plus affiché."),
    }
    Ok(ExitCode::SUCCESS)
}

/// `passeport token list`: the account's tokens, their first characters and dates only.
pub async fn list_tokens(account: &str, database: &Database, rules: Rules) -> Result<ExitCode> {
    let siret = siret(account)?;
    let tokens = open(database, &rules).await?.tokens(&siret).await?;
    super::export::write_stdout(tokens_table(&tokens, Utc::now()))?;
    Ok(ExitCode::SUCCESS)
}

/// The `token list` table at `now`.
fn tokens_table(tokens: &[TokenRow], now: DateTime<Utc>) -> String {
    let mut out =
        String::from("PRÉFIXE\tUTILISATEUR\tCRÉÉ LE\tEXPIRE LE\tDERNIÈRE UTILISATION\tÉTAT\n");
    for token in tokens {
        let state = match (token.revoked_at, token.expires_at) {
            (Some(at), _) => format!("révoqué le {}", when(Some(at))),
            (None, Some(at)) if at <= now => "expiré".to_owned(),
            _ => "actif".to_owned(),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{state}\n",
            token.prefix,
            token.user_email,
            when(Some(token.created_at)),
            when(token.expires_at),
            when(token.last_used_at),
        ));
    }
    out
}

/// `passeport token revoke`: the token is refused from now on.
pub async fn revoke_token(prefix: &str, database: &Database, rules: Rules) -> Result<ExitCode> {
    open(database, &rules).await?.revoke_token(prefix).await?;
    eprintln!(
        "Jeton {} révoqué : il est refusé dès maintenant.",
        prefix.trim()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_takes_days_or_hours_within_ten_years() {
        assert_eq!(parse_expiry("90d"), Ok(TimeDelta::days(90)));
        assert_eq!(parse_expiry("90j"), Ok(TimeDelta::days(90)));
        assert_eq!(parse_expiry("12h"), Ok(TimeDelta::hours(12)));
        assert!(parse_expiry("0d").is_err());
        assert!(parse_expiry("9999d").is_err());
        assert!(parse_expiry("90").unwrap_err().contains("90d"));
        assert!(parse_expiry("é").is_err());
    }
}
