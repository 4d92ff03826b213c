//! The command line: arguments (clap) and the non-interactive commands.

pub mod audit;
pub mod catalogue;
pub mod db;
pub mod errors;
pub mod expiring;
pub mod export;
pub mod help;
pub mod import;
pub mod journal;
pub mod launch;
pub mod remind;
pub mod sandbox;
pub mod spreadsheet;
pub mod users;
pub mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::server::database::{
    DEFAULT_MAX_CONNECTIONS, DEFAULT_STATEMENT_TIMEOUT, DatabaseSettings, DatabaseUrl,
    DatabaseUrlError, TlsMode,
};

/// Passeport de prévention : formations santé-sécurité, échéances et déclarations, au terminal.
#[derive(Debug, Parser)]
#[command(name = "passeport", version, about, long_about = None)]
#[command(after_help = "Sans sous-commande, ouvre l'application plein écran.\n\
Sans api_url configurée, un serveur bac à sable local est démarré avec des données de démonstration.\n\n\
Exemples :\n  passeport\n  passeport serve --demo\n  passeport --config ~/equipe.toml")]
pub struct Cli {
    /// Fichier de configuration (défaut : ~/.config/passeport/config.toml, ou $PASSEPORT_CONFIG).
    #[arg(long, global = true, value_name = "FICHIER")]
    pub config: Option<PathBuf>,
    /// Désactive la souris dans l'application plein écran.
    #[arg(long)]
    pub no_mouse: bool,
    /// La commande ; aucune ouvre l'application plein écran.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lance le serveur API Passeport (bac à sable) au premier plan.
    #[command(
        after_help = "Exemples :\n  passeport serve --demo\n  passeport serve --addr 0.0.0.0:8443 --db /srv/passeport.db \
--tls-cert /etc/passeport/cert.pem --tls-key /etc/passeport/key.pem\n\
  curl -H 'Authorization: Bearer demo-employeur' 127.0.0.1:8080/v1/expirations?within_days=90"
    )]
    Serve(ServeArgs),
    /// Gère les jetons d'accès d'un serveur.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Gère les comptes (employeurs, organismes de formation) d'un serveur.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Gère les utilisateurs d'un compte (nom, courriel, rôle, sites) sur un serveur.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Affiche le journal des modifications du compte : qui, quand, quoi, avant et après.
    #[command(after_help = audit::AUDIT_HELP)]
    Audit(audit::AuditArgs),
    /// Affiche le catalogue des formations chargé (règles de assets/ ou du dossier de configuration).
    #[command(
        after_help = "Exemples :\n  passeport catalogue | grep CACES\n  passeport catalogue --format json\n  passeport catalogue unmapped"
    )]
    Catalogue(catalogue::CatalogueArgs),
    /// Liste les échéances dépassées et à venir des salariés visibles, triées par date.
    #[command(after_help = expiring::help())]
    Expiring(expiring::ExpiringArgs),
    /// Exporte les déclarations au format officiel (ADF, JDR) ou les passeports (CSV, Excel, JSON).
    #[command(subcommand, after_help = EXPORT_HELP)]
    Export(export::ExportCommand),
    /// Importe un fichier ADF ou JDR, une feuille de stagiaires, un registre du personnel ou un
    /// historique des formations (CSV, .xlsx, .xls, .ods).
    #[command(after_help = IMPORT_HELP)]
    Import(import::ImportArgs),
    /// Affiche le script de complétion du shell (bash, zsh, fish…).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// Le shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Affiche la page de manuel (format roff) sur la sortie standard.
    #[command(after_help = "Exemple :\n  passeport manpage > passeport.1 && man ./passeport.1")]
    Manpage,
    /// Copie une base vers une autre (SQLite ↔ PostgreSQL) ou vérifie son intégrité.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Vérification par l'employeur des déclarations des organismes de formation (art. 7) :
    /// lister, vérifier ou demander une correction, contrôler depuis cron.
    #[command(after_help = verify::help())]
    Verify(verify::VerifyArgs),
    /// Envoie, pour cron, les rappels d'échéances et de déclarations : un récapitulatif par
    /// destinataire, chaque seuil une seule fois.
    #[command(after_help = remind::REMIND_HELP)]
    Remind(remind::RemindArgs),
}

/// Help of `passeport export`: examples.
const EXPORT_HELP: &str =
    "Chaque export ADF ou JDR est un lot : une ligne déjà envoyée ne l'est plus \
(sauf --all) ; une ligne refusée par le portail repart au prochain export.

Exemples :
  passeport export adf --out attestations.csv
  passeport export batches
  passeport export answer 3 refused-titulaires DUPONT
  passeport export passports --format json --out passeports.json";

/// Help of `passeport import`: guarantees, exit codes and examples.
const IMPORT_HELP: &str = "Rien n'est envoyé si une ligne est en erreur ; un même fichier importé \
deux fois ne crée rien de nouveau.
Une feuille de stagiaires devient des déclarations (ADF, ou JDR pour une réussite) ; un registre \
du personnel crée, met à jour et archive les salariés ; un historique ou une matrice enregistre \
leurs formations (comptes employeur).
Code de sortie : 0 fichier valide (et envoyé), 1 erreurs dans le fichier, 2 fichier illisible ou \
serveur injoignable.

Exemples :
  passeport import stagiaires.csv --dry-run
  passeport import attestations-juin.csv --format json
  passeport import stagiaires-mars.xlsx --kind stagiaires --dry-run
  passeport import registre.xlsx --format json";

/// Help of `passeport completions`: where to install the scripts.
const COMPLETIONS_HELP: &str = "Exemples :
  passeport completions bash > ~/.local/share/bash-completion/completions/passeport
  passeport completions zsh > ~/.zfunc/_passeport
  passeport completions fish > ~/.config/fish/completions/passeport.fish";

/// `passeport serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Adresse d'écoute.
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = help::socket_address)]
    pub addr: SocketAddr,
    /// Base SQLite (créée si absente).
    #[arg(long, value_name = "FICHIER", default_value = "passeport.db")]
    pub db: PathBuf,
    /// PostgreSQL et réglages de connexion.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Remplit une base neuve avec des données de démonstration (jetons demo-*).
    #[arg(long)]
    pub demo: bool,
    /// Nombre de salariés de démonstration (avec --demo).
    #[arg(long, requires = "demo", value_parser = parse_workers)]
    pub workers: Option<u32>,
    /// TLS et limites des connexions.
    #[command(flatten)]
    pub network: launch::NetworkArgs,
}

/// Most demo workers `serve --demo --workers` makes.
const MAX_DEMO_WORKERS: u32 = 1_000_000;

/// `--workers`: a whole number of demo workers, French message otherwise.
fn parse_workers(text: &str) -> Result<u32, String> {
    help::whole_number(text, 1, MAX_DEMO_WORKERS)
}

/// Kind of account, as `--kind` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountKind {
    /// Employeur : déclare ses formations internes, consulte celles de ses salariés.
    Employeur,
    /// Organisme de formation : déclare les formations qu'il dispense.
    OrganismeFormation,
}

/// `passeport account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Crée un compte ; créez-lui ensuite un jeton avec « passeport token create ».
    #[command(
        after_help = "Exemples :\n  passeport account create --kind employeur --siret 73282932000074 --name 'ACME' --db /srv/passeport.db\n  passeport account create --kind organisme-formation --siret 35600000000048 --name 'Formaprev' --nda 11755555575 --db /srv/passeport.db"
    )]
    Create {
        /// Employeur ou organisme de formation.
        #[arg(long, value_enum)]
        kind: AccountKind,
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        siret: String,
        /// Raison sociale.
        #[arg(long)]
        name: String,
        /// Numéro de déclaration d'activité (organisme de formation).
        #[arg(long, value_name = "NDA")]
        nda: Option<String>,
        /// Base SQLite du serveur (créée si absente).
        #[arg(long, value_name = "FICHIER", default_value = "passeport.db")]
        db: PathBuf,
        /// PostgreSQL et réglages de connexion.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `passeport token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Crée un jeton pour un utilisateur d'un compte et l'affiche une seule fois.
    #[command(
        after_help = "Sans --user, le jeton est celui de l'utilisateur « administration » du compte.\n\n\
Exemples :\n  passeport token create --account 73282932000074 --user marie@acme.fr --expires-in 90d --db /srv/passeport.db\n  passeport token create --account 73282932000074 --db /srv/passeport.db"
    )]
    Create {
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        account: String,
        /// Courriel de l'utilisateur (défaut : l'utilisateur « administration »).
        #[arg(long, value_name = "COURRIEL")]
        user: Option<String>,
        /// Durée de validité : 90d (jours) ou 12h (heures) ; défaut : sans expiration.
        #[arg(long, value_name = "DURÉE", value_parser = users::parse_expiry)]
        expires_in: Option<chrono::TimeDelta>,
        /// La base.
        #[command(flatten)]
        database: users::Database,
    },
    /// Liste les jetons d'un compte : leurs premiers caractères et leurs dates, jamais le jeton.
    #[command(
        after_help = "Exemple :\n  passeport token list --account 73282932000074 --db /srv/passeport.db"
    )]
    List {
        /// SIRET du compte.
        #[arg(long, value_name = "SIRET")]
        account: String,
        /// La base.
        #[command(flatten)]
        database: users::Database,
    },
    /// Révoque un jeton, désigné par ses premiers caractères (« passeport token list ») : il est refusé aussitôt.
    #[command(
        after_help = "Exemple :\n  passeport token revoke pp_1a2b3c4d --db /srv/passeport.db"
    )]
    Revoke {
        /// Les premiers caractères du jeton (au moins 6).
        #[arg(value_name = "PRÉFIXE")]
        prefix: String,
        /// La base.
        #[command(flatten)]
        database: users::Database,
    },
}

/// The database options shared by `serve`, `account create`, `user …` and `token …`.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Base de données : postgres://UTILISATEUR@HÔTE:PORT/BASE (ou postgresql://), ou
    /// sqlite:CHEMIN ; remplace --db.
    #[arg(
        long,
        value_name = "URL",
        env = "PASSEPORT_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Connexions PostgreSQL ouvertes au plus.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS,
        value_parser = parse_connections)]
    pub db_max_connections: u32,
    /// Durée maximale d'une requête SQL sur PostgreSQL, en secondes.
    #[arg(long, value_name = "SECONDES", default_value_t = DEFAULT_STATEMENT_TIMEOUT.as_secs(),
        value_parser = parse_timeout)]
    pub db_statement_timeout: u64,
    /// Chiffrement TLS vers PostgreSQL (défaut : le sslmode de l'URL, sinon prefer).
    #[arg(long, value_enum, value_name = "MODE")]
    pub db_tls: Option<TlsMode>,
}

impl DatabaseArgs {
    /// The database: `--database-url` when given, else the SQLite file `db`.
    pub fn settings(&self, db: &std::path::Path) -> Result<DatabaseSettings, DatabaseUrlError> {
        let url = match &self.database_url {
            Some(text) => DatabaseUrl::parse(text)?,
            None => DatabaseUrl::Sqlite(db.to_owned()),
        };
        Ok(DatabaseSettings {
            url,
            max_connections: self.db_max_connections,
            statement_timeout: std::time::Duration::from_secs(self.db_statement_timeout),
            tls: self.db_tls,
            sqlite_max_pages: None,
        })
    }
}

/// `--db-max-connections`: 1 to 1000.
fn parse_connections(text: &str) -> Result<u32, String> {
    help::whole_number(text, 1, 1000)
}

/// `--db-statement-timeout`: 1 second to 1 day.
fn parse_timeout(text: &str) -> Result<u64, String> {
    help::whole_number(text, 1, 86_400).map(u64::from)
}
