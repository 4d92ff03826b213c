//! Starting things: the full-screen application (on the configured server or the embedded
//! sandbox), the server in the foreground (TLS, connection limits), and token creation.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};
use tokio::net::TcpListener;

use super::ServeArgs;
use super::sandbox::SandboxTokens;
use crate::api::Client;
use crate::api::client::ClientOptions;
use crate::config::Config;
use crate::domain::DeclarantKind;
use crate::domain::ids::{Nda, Siret};
use crate::rules::Rules;
use crate::server::database::{DatabaseSettings, DatabaseUrl};
use crate::server::demo::{DEFAULT_SEED, DEFAULT_WORKERS, DemoOptions};
use crate::server::listen::{Limits, ListenOptions};
use crate::server::tls::{Tls, TlsFiles};
use crate::server::{Server, ServerError, ServerOptions};
use crate::tui::app::AppOptions;
use crate::tui::run::Exit;
use crate::tui::theme::Theme;
use crate::{clock, paths};

/// The embedded sandbox server, running in this process.
#[derive(Debug)]
pub struct Embedded {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The private tokens of its demo sign-ins.
    pub tokens: SandboxTokens,
}

/// Starts the sandbox server in-process on `127.0.0.1:0` over `$XDG_DATA_HOME/passeport/sandbox.db`
/// (created and seeded with demo data on first use), whose demo sign-ins accept only the
/// private tokens of [`SandboxTokens`]. The port is bound before returning, so requests can be
/// sent at once; they are answered as soon as the database is open and private.
pub async fn start_embedded(rules: &Rules) -> Result<Embedded> {
    let dir = paths::data_dir()?;
    paths::create_private_dir(&dir)
        .wrap_err_with(|| format!("impossible de créer le dossier {}", dir.display()))?;
    let tokens = SandboxTokens::load_or_create(&dir)?;
    let today = clock::today()?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .wrap_err("impossible d'ouvrir un port local pour le serveur bac à sable")?;
    let url = format!("http://{}", listener.local_addr()?);
    let db = dir.join("sandbox.db");
    let demo = DemoOptions {
        workers: DEFAULT_WORKERS,
        seed: DEFAULT_SEED,
        today,
    };
    let rules = rules.clone();
    let private = tokens.by_public_name().clone();
    tokio::spawn(async move {
        let opened = match open_server(&DatabaseSettings::sqlite(db), Some(demo), &rules).await {
            Ok(server) => server.privatise_demo(&private).await.map(|_| server),
            Err(e) => Err(e),
        };
        match opened {
            Ok(server) => {
                if let Err(e) = server.serve(listener, std::future::pending()).await {
                    tracing::error!("serveur bac à sable arrêté : {e}");
                }
            }
            // The listener is dropped: requests then fail with « serveur injoignable ».
            Err(e) => tracing::error!("serveur bac à sable : {e}"),
        }
    });
    Ok(Embedded { url, tokens })
}

/// Opens the server over the database `database` with the loaded rules.
pub(crate) async fn open_server(
    database: &DatabaseSettings,
    demo: Option<DemoOptions>,
    rules: &Rules,
) -> Result<Server, ServerError> {
    let options = ServerOptions {
        db_path: PathBuf::new(),
        demo,
        today: None,
    };
    Server::open_on(
        database,
        options,
        (*rules.catalogue).clone(),
        (*rules.deadlines).clone(),
    )
    .await
}

/// Client settings for people waiting at a terminal: a stalled server is reported within about
/// 20 s (10 s per attempt, one retry) rather than the library's patient defaults.
fn interactive() -> ClientOptions {
    ClientOptions {
        request_timeout: std::time::Duration::from_secs(10),
        retries: 1,
        ..ClientOptions::default()
    }
}

/// A client for the configured server, or for the embedded sandbox when no `api_url` is set
/// (as `demo-employeur`, or as the configured token: `PASSEPORT_TOKEN=demo-of` shows the
/// training organisation's view; a public demo name is sent as its private token).
/// Returns the client and whether it talks to the sandbox.
pub async fn client_for(config: &Config, rules: &Rules) -> Result<(Client, bool)> {
    match &config.api_url {
        Some(url) => {
            let ca = config
                .ca_cert
                .as_ref()
                .map(|path| {
                    std::fs::read(path).wrap_err_with(|| {
                        format!(
                            "certificat d'autorité (ca_cert) {} illisible",
                            path.display()
                        )
                    })
                })
                .transpose()?;
            let client = Client::with_ca(url, config.token.clone(), interactive(), ca.as_deref())?;
            Ok((client, false))
        }
        None => {
            let embedded = start_embedded(rules).await?;
            Ok((
                Client::new(
                    &embedded.url,
                    Some(embedded.tokens.token_for(config.token.as_deref())),
                    interactive(),
                )?,
                true,
            ))
        }
    }
}

/// Opens the full-screen application; without a terminal on stdin and stdout, says which
/// commands work instead.
pub async fn run_tui(config: Config, rules: Rules, mouse: bool) -> Result<ExitCode> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(eyre!(
            "l'application plein écran demande un terminal : lancez passeport dans un terminal, \
             ou utilisez les commandes expiring, export, import ou catalogue (passeport --help)"
        ));
    }
    super::journal::log_to_file()?;
    let today = clock::today()?;
    let (client, sandbox) = client_for(&config, &rules).await?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let options = AppOptions {
        today,
        threshold_days: config.threshold_days,
        sandbox,
        keymap: config.keymap(),
        theme: Theme::new(config.theme, no_color),
    };
    let exit = crate::tui::run::run(client, options, rules, mouse)
        .await
        .map_err(|e| {
            eyre!(
                "erreur du terminal : {}",
                crate::tui::terminal::describe(&e)
            )
        })?;
    Ok(match exit {
        Exit::Quit => ExitCode::SUCCESS,
        Exit::Signal => ExitCode::from(143),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}

/// The TLS and connection options of `passeport serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    /// Certificat TLS (PEM, chaîne complète) : le serveur parle HTTPS ; relu sur SIGHUP.
    #[arg(
        long,
        value_name = "FICHIER",
        env = "PASSEPORT_TLS_CERT",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// Clé privée du certificat TLS (PEM).
    #[arg(
        long,
        value_name = "FICHIER",
        env = "PASSEPORT_TLS_KEY",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Accepte d'écouter en HTTP clair sur une adresse autre que 127.0.0.1 (déconseillé).
    #[arg(long, conflicts_with = "tls_cert")]
    pub insecure_http: bool,
    /// Délai maximal de réception des en-têtes d'une requête, en secondes.
    #[arg(long, value_name = "SECONDES", default_value_t = Limits::default().header_read_timeout.as_secs(),
        value_parser = parse_seconds)]
    pub header_timeout: u64,
    /// Fermeture d'une connexion sans échange depuis ce délai, en secondes.
    #[arg(long, value_name = "SECONDES", default_value_t = Limits::default().idle_timeout.as_secs(),
        value_parser = parse_seconds)]
    pub idle_timeout: u64,
    /// Connexions servies à la fois ; les suivantes attendent.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections,
        value_parser = parse_connections)]
    pub max_connections: usize,
}

/// `--header-timeout`, `--idle-timeout`: 1 s to 1 h.
fn parse_seconds(text: &str) -> Result<u64, String> {
    super::help::whole_number(text, 1, 3600).map(u64::from)
}

/// `--max-connections`: 1 to 100 000.
fn parse_connections(text: &str) -> Result<usize, String> {
    super::help::whole_number(text, 1, 100_000).map(|n| n as usize)
}

impl NetworkArgs {
    /// The listening options: limits, and the certificate read now.
    fn listen_options(&self) -> Result<ListenOptions> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(Tls::load(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            })?),
            _ => None,
        };
        let limits = Limits {
            header_read_timeout: Duration::from_secs(self.header_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: self.max_connections,
            ..Limits::default()
        };
        Ok(ListenOptions { limits, tls })
    }
}

/// Refuses plain HTTP on an address other than loopback unless `--insecure-http`, which warns.
fn check_exposure(addr: SocketAddr, tls: bool, insecure: bool) -> Result<()> {
    if tls || addr.ip().is_loopback() {
        return Ok(());
    }
    if !insecure {
        return Err(eyre!(
            "refus d'écouter sur {addr} en HTTP clair : les jetons et les NIR circuleraient en \
             clair sur le réseau. Donnez --tls-cert FICHIER --tls-key FICHIER, ou écoutez sur \
             127.0.0.1 derrière un proxy inverse qui chiffre (voir README, « Le serveur »), ou \
             forcez avec --insecure-http"
        ));
    }
    tracing::warn!(%addr, "HTTP clair sur une adresse du réseau (--insecure-http)");
    eprintln!(
        "passeport : attention, HTTP sans chiffrement sur {addr} (--insecure-http) : les jetons \
         et les NIR sont lisibles par quiconque voit passer le trafic"
    );
    Ok(())
}

/// Reads the certificate again on each SIGHUP; a failed reload keeps the current one.
async fn reload_on_hangup(tls: Arc<Tls>) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        tracing::warn!("SIGHUP indisponible : le certificat TLS ne sera pas relu");
        return;
    };
    while hangups.recv().await.is_some() {
        match tls.reload() {
            Ok(()) => tracing::info!(
                cert = %tls.files().cert.display(),
                "certificat TLS relu (SIGHUP)"
            ),
            Err(error) => tracing::error!(
                %error,
                "certificat TLS illisible : l'ancien reste en service"
            ),
        }
    }
}

/// `passeport serve`: the server in the foreground until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs, rules: Rules) -> Result<ExitCode> {
    super::journal::log_to_stderr();
    let listen = args.network.listen_options()?;
    check_exposure(args.addr, listen.tls.is_some(), args.network.insecure_http)?;
    let today = clock::today()?;
    let demo = args.demo.then(|| DemoOptions {
        workers: args.workers.unwrap_or(DEFAULT_WORKERS),
        seed: DEFAULT_SEED,
        today,
    });
    let database = args.database.settings(&args.db)?;
    let server = open_server(&database, demo, &rules).await?;
    if !args.demo {
        retired_demo_tokens(&server, "la base n'est pas servie avec --demo").await?;
    }
    let listener = TcpListener::bind(args.addr)
        .await
        .wrap_err_with(|| format!("impossible d'écouter sur {}", args.addr))?;
    let addr = listener.local_addr()?;
    let scheme = if listen.tls.is_some() {
        "https"
    } else {
        "http"
    };
    eprintln!(
        "passeport : API sur {scheme}://{addr} (base {})",
        database.url
    );
    if server.is_demo() {
        eprintln!("jetons de démonstration : demo-employeur, demo-employeur-2, demo-of");
        eprintln!(
            "essai : curl -H 'Authorization: Bearer demo-employeur' '{scheme}://{addr}/v1/expirations?within_days=90'"
        );
    }
    if let Some(tls) = &listen.tls {
        tokio::spawn(reload_on_hangup(tls.clone()));
    }
    server
        .serve_with(listener, listen, shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// Ends the demonstration mode of the database ([`Server::retire_demo`]), saying `why` when
/// public demo tokens were live.
async fn retired_demo_tokens(server: &Server, why: &str) -> Result<()> {
    let retired = server.retire_demo().await?;
    if retired > 0 {
        eprintln!(
            "jetons de démonstration révoqués ({retired}) : {why} ; créez les jetons de \
             l'équipe avec « passeport token create »"
        );
    }
    Ok(())
}

/// `passeport account create`: a new account (the database is created when missing).
pub async fn create_account(
    kind: super::AccountKind,
    siret: &str,
    name: &str,
    nda: Option<&str>,
    database: &DatabaseSettings,
    rules: Rules,
) -> Result<ExitCode> {
    let siret: Siret = siret.parse().map_err(|e| eyre!("--siret : {e}"))?;
    let nda: Option<Nda> = nda
        .map(str::parse)
        .transpose()
        .map_err(|e| eyre!("--nda : {e}"))?;
    let kind = match kind {
        super::AccountKind::Employeur => DeclarantKind::Employeur,
        super::AccountKind::OrganismeFormation => DeclarantKind::OrganismeFormation,
    };
    let server = open_server(database, None, &rules).await?;
    server
        .create_account(kind, &siret, name, nda.as_ref())
        .await?;
    retired_demo_tokens(&server, "la base a maintenant un compte réel").await?;
    let target = match &database.url {
        DatabaseUrl::Sqlite(path) => format!("--db {}", path.display()),
        DatabaseUrl::Postgres(url) => format!("--database-url '{url}'"),
    };
    eprintln!(
        "Compte créé ({}, SIRET {siret}) : passeport token create --account {siret} {target}",
        kind.label(),
    );
    Ok(ExitCode::SUCCESS)
}
