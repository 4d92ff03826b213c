//! `passeport remind`, for cron: the expiries and declaration deadlines that crossed a threshold
//! since the last run ([`crate::reminders`]), one digest per recipient, sent by SMTP (or
//! printed with `--dry-run`, or handed over as JSON). What was delivered is kept in
//! `reminders.json` in the data directory, so a daily run never repeats a reminder; what could
//! not be sent stays due and is retried on the next run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, eyre};
use futures_util::{StreamExt, TryStreamExt, stream};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::export::{write_atomically, write_stdout};
use super::launch::client_for;
use crate::api::Client;
use crate::api::contract::{ExpirationsQuery, SessionDeclarationStatus, SessionsQuery};
use crate::api::error::ApiError;
use crate::config::Config;
use crate::domain::DeclarantKind;
use crate::reminders::{Digest, Item, ItemKind, Reminder, SentLog, digests, manager_address};
use crate::rules::Rules;

/// Environment variable holding the SMTP server's URL (wins over `smtp_url`).
pub const SMTP_URL_VAR: &str = "PASSEPORT_SMTP_URL";
/// The file of reminders already sent, in the data directory.
const SENT_FILE: &str = "reminders.json";
/// Staff records read at once to find the managers.
const CONCURRENT_LOOKUPS: usize = 8;
/// Largest window the server accepts (ten years).
const MAX_WITHIN_DAYS: u32 = 3660;

/// `passeport remind`.
#[derive(Debug, Clone, Args)]
pub struct RemindArgs {
    /// Affiche les rappels du jour sans rien envoyer ni retenir.
    #[arg(long)]
    pub dry_run: bool,
    /// Canal : courriel par SMTP (mail), ou JSON sur la sortie standard pour un autre canal
    /// (les rappels sont alors retenus comme transmis, sauf avec --dry-run).
    #[arg(long, value_enum, default_value_t = Channel::Mail)]
    pub format: Channel,
}

/// How the digests leave (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Channel {
    /// Un courriel par destinataire, par le serveur SMTP configuré.
    Mail,
    /// Un tableau JSON des récapitulatifs (destinataire, objet, texte, rappels).
    Json,
}

/// Help of `passeport remind`: recipients, thresholds, configuration, exit codes, examples.
pub const REMIND_HELP: &str = "Seuils (table [reminders] de la configuration) : 90, 60, 30 et 7 \
jours avant l'échéance d'une formation (expiry_days), 30 et 7 jours avant la limite de \
déclaration d'une session à déclarer ou d'une formation non déclarée par l'organisme \
(deadline_days), puis une fois la date dépassée. Chaque seuil n'est rappelé qu'une fois.

Destinataire : le courriel du responsable du salarié (champ « Responsable » du registre du \
personnel, quand il contient une adresse) ; sinon « to » de [reminders]. Les déclarations vont \
à « to ». Les données ne connaissent pas encore de contact RH par site.

Envoi : smtp_url (ou PASSEPORT_SMTP_URL) smtp://[UTILISATEUR:MOT_DE_PASSE@]HÔTE[:PORT] avec \
STARTTLS obligatoire (port 587 par défaut ; sans chiffrement seulement sur la boucle locale : \
localhost, 127.0.0.1, ::1), ou smtps://… en TLS (port 465) ; « from » est l'expéditeur. Un \
fichier de configuration contenant un mot de passe doit être en 600. Ce qui est envoyé est retenu \
dans reminders.json (dossier de données) ; un envoi échoué reste à envoyer au prochain passage.

Code de sortie : 0 tout est parti (ou rien à envoyer), 1 des rappels restent à envoyer (détail \
sur la sortie d'erreur), 2 erreur (configuration, serveur injoignable).

Exemples :
  passeport remind --dry-run
  passeport remind --format json | mon-canal
  crontab : 0 7 * * * passeport remind";

/// `passeport remind`.
pub async fn run(args: RemindArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let config = Config::load(config_path)?;
    let settings = &config.reminders;
    let today = crate::clock::today()?;
    let thresholds = settings.thresholds();
    let sent_path = crate::paths::data_dir()?.join(SENT_FILE);
    let mut log = read_log(&sent_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    let items = fetch_items(&client, &rules, thresholds.horizon()).await?;
    log.forget_absent(&items);
    let due = log.due(&items, today, &thresholds);
    let managers = managers(&client, &due).await?;
    let to = settings.to.clone();
    let digests = digests(
        due,
        |reminder| {
            let manager = match reminder.item.kind {
                ItemKind::Expiry => reminder.item.worker_id.and_then(|id| managers.get(&id)),
                ItemKind::Deadline => None,
            };
            manager.cloned().or_else(|| to.clone())
        },
        today,
        &thresholds,
    );

    match (args.format, args.dry_run) {
        (Channel::Mail, true) => {
            write_stdout(preview(&digests))?;
            Ok(ExitCode::SUCCESS)
        }
        (Channel::Json, dry_run) => {
            let mut text = serde_json::to_string_pretty(&digests)?;
            text.push('\n');
            write_stdout(text)?;
            if !dry_run {
                for digest in &digests {
                    log.record(&digest.reminders, today);
                }
                write_log(&sent_path, &log)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        (Channel::Mail, false) => send_all(&digests, &config, &mut log, &sent_path, today).await,
    }
}

/// The expiries up to `horizon` days ahead (and past), the sessions to declare and, for an
/// employer, the trainings no organisation declared in time, as reminder items.
async fn fetch_items(client: &Client, rules: &Rules, horizon: u32) -> Result<Vec<Item>> {
    let account = client.me().await.wrap_err("lecture du compte impossible")?;
    let query = ExpirationsQuery {
        within_days: Some(horizon.saturating_add(1).min(MAX_WITHIN_DAYS)),
        ..ExpirationsQuery::default()
    };
    let page = client
        .all_expirations(&query)
        .await
        .wrap_err("lecture des échéances impossible")?;
    let mut items: Vec<Item> = page
        .items
        .into_iter()
        .map(|e| Item {
            kind: ItemKind::Expiry,
            key: format!(
                "expiry:{}:{}:{}",
                e.worker_id, e.training_code, e.expires_on
            ),
            worker_id: Some(e.worker_id),
            who: format!("{} {}", e.last_name, e.first_names),
            site: e.site,
            training: e.training_title,
            due: e.expires_on,
        })
        .collect();
    let sessions = client
        .all_sessions(&SessionsQuery {
            status: Some(SessionDeclarationStatus::ADeclarer),
            ..SessionsQuery::default()
        })
        .await
        .wrap_err("lecture des sessions impossible")?;
    items.extend(sessions.into_iter().filter_map(|s| {
        let training = rules.catalogue.get(&s.training_code);
        let due = rules
            .deadlines
            .obligation(account.kind, training, s.end_date, s.end_date)
            .shown_deadline()?;
        Some(Item {
            kind: ItemKind::Deadline,
            key: format!("session:{}:{due}", s.id),
            worker_id: None,
            who: format!("Session n° {} du {}", s.id, s.start_date.format("%d/%m/%Y")),
            site: s.place,
            training: s.title,
            due,
        })
    }));
    if account.kind == DeclarantKind::Employeur {
        let undeclared = client
            .undeclared()
            .await
            .wrap_err("lecture des formations non déclarées impossible")?;
        items.extend(undeclared.items.into_iter().filter_map(|t| {
            let due = t.employer_due?;
            Some(Item {
                kind: ItemKind::Deadline,
                key: format!("undeclared:{}:{due}", t.entry_id),
                worker_id: Some(t.worker_id),
                who: t.worker_name,
                site: String::new(),
                training: format!(
                    "{} (non déclarée par {}, à déclarer à sa place)",
                    t.training_title, t.organisme
                ),
                due,
            })
        }));
    }
    Ok(items)
}

/// The manager's address of each worker an expiry reminder is about, when their staff record
/// holds one (a worker the account does not employ has none).
async fn managers(client: &Client, due: &[Reminder]) -> Result<BTreeMap<i64, String>> {
    let workers: BTreeSet<i64> = due
        .iter()
        .filter(|r| r.item.kind == ItemKind::Expiry)
        .filter_map(|r| r.item.worker_id)
        .collect();
    let found: Vec<Option<(i64, String)>> = stream::iter(workers)
        .map(|id| async move {
            match client.staff(id).await {
                Ok(record) => Ok(record
                    .manager
                    .as_deref()
                    .and_then(manager_address)
                    .map(|address| (id, address))),
                Err(ApiError::NotFound | ApiError::Other { status: 403, .. }) => Ok(None),
                Err(error) => Err(error),
            }
        })
        .buffered(CONCURRENT_LOOKUPS)
        .try_collect()
        .await
        .wrap_err("lecture des responsables impossible")?;
    Ok(found.into_iter().flatten().collect())
}

/// The digests as `--dry-run` prints them.
fn preview(digests: &[Digest]) -> String {
    if digests.is_empty() {
        return "Aucun rappel à envoyer aujourd'hui.\n".to_owned();
    }
    let mut out = String::new();
    for digest in digests {
        let to = digest
            .to
            .as_deref()
            .unwrap_or("(aucun : définissez « to » dans [reminders])");
        out.push_str(&format!(
            "À : {to}\nObjet : {}\n\n{}\n",
            digest.subject, digest.body
        ));
    }
    out.push_str(&format!(
        "(--dry-run : {} non envoyé, rien n'est retenu.)\n",
        crate::text::count(digests.len() as u64, "récapitulatif", "récapitulatifs")
    ));
    out
}

/// Sends each digest, recording what was delivered as soon as it is; the digests not sent are
/// reported on stderr and make the exit code 1.
async fn send_all(
    digests: &[Digest],
    config: &Config,
    log: &mut SentLog,
    sent_path: &Path,
    today: NaiveDate,
) -> Result<ExitCode> {
    if digests.is_empty() {
        write_log(sent_path, log)?;
        return Ok(ExitCode::SUCCESS);
    }
    let settings = &config.reminders;
    let url = std::env::var(SMTP_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
        .or_else(|| settings.smtp_url.clone())
        .ok_or_else(|| {
            eyre!("aucun serveur SMTP : définissez smtp_url dans [reminders] ou {SMTP_URL_VAR}")
        })?;
    let from: Mailbox = settings
        .from
        .as_deref()
        .ok_or_else(|| eyre!("aucun expéditeur : définissez « from » dans [reminders]"))?
        .parse()
        .map_err(|_| eyre!("[reminders] from : ce n'est pas une adresse de courriel"))?;
    let transport = transport(&url)?;
    let mut delivered = 0_u64;
    let mut pending = 0_u64;
    for digest in digests {
        match send(&transport, &from, digest).await {
            Ok(()) => {
                log.record(&digest.reminders, today);
                write_log(sent_path, log)?;
                delivered += 1;
            }
            Err(reason) => {
                pending += 1;
                let reminders = digest.reminders.len() as u64;
                eprintln!(
                    "passeport remind : {} pour {} non {}, à renvoyer au prochain passage : \
                     {reason}",
                    crate::text::count(reminders, "rappel", "rappels"),
                    digest.to.as_deref().unwrap_or("(aucun destinataire)"),
                    crate::text::agree(reminders, "envoyé", "envoyés")
                );
            }
        }
    }
    write_log(sent_path, log)?;
    if delivered > 0 {
        write_stdout(format!(
            "{} envoyé{}.\n",
            crate::text::count(delivered, "récapitulatif", "récapitulatifs"),
            if delivered > 1 { "s" } else { "" }
        ))?;
    }
    Ok(if pending > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One digest by SMTP; the French reason it was not sent.
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    digest: &Digest,
) -> Result<(), String> {
    let to: Mailbox = digest
        .to
        .as_deref()
        .ok_or_else(|| "aucune adresse : définissez « to » dans [reminders]".to_owned())?
        .parse()
        .map_err(|_| "adresse de destinataire invalide".to_owned())?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&digest.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(digest.body.clone())
        .map_err(|e| format!("message impossible à composer ({e})"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("le serveur SMTP a échoué ({e})"))
}

/// The SMTP transport of `url`: `smtps://` in TLS; `smtp://` with STARTTLS required, except on
/// loopback (the message does not leave the machine) unless the URL asks with `?tls=`. The URL
/// itself (it may hold a password) is never part of an error.
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let invalid =
        || eyre!("smtp_url : URL SMTP invalide (smtp://HÔTE[:PORT] ou smtps://HÔTE[:PORT])");
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid())?;
    let host = parsed.host_str().ok_or_else(invalid)?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let asks_tls = parsed.query_pairs().any(|(key, _)| key == "tls");
    let url = if parsed.scheme() == "smtp" && !loopback && !asks_tls {
        let mut required = parsed.clone();
        required.query_pairs_mut().append_pair("tls", "required");
        required.to_string()
    } else {
        url.to_owned()
    };
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
        .map_err(|_| invalid())?
        .build())
}

/// The reminders already sent: none when the file is absent; an unreadable file is an error
/// (starting afresh would repeat every reminder).
fn read_log(path: &PathBuf) -> Result<SentLog> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
            eyre!(
                "{} illisible : réparez-le ou supprimez-le (tous les rappels en cours repartiront)",
                path.display()
            )
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(SentLog::default()),
        Err(error) => Err(error).wrap_err_with(|| format!("lecture de {}", path.display())),
    }
}

/// Writes the reminders sent, atomically and private (0600), in a private data directory.
fn write_log(path: &Path, log: &SentLog) -> Result<()> {
    if let Some(dir) = path.parent() {
        crate::paths::create_private_dir(dir)
            .wrap_err_with(|| format!("création de {}", dir.display()))?;
    }
    let mut text = serde_json::to_string_pretty(log)?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
        .wrap_err_with(|| format!("écriture de {}", path.display()))
}
