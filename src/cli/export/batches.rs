//! `passeport export adf|jdr` with the export memory (issue 12 item 5): only the lines not sent
//! yet (or refused) unless `--all`, each file recorded by the server as a batch (« lot »);
//! `export batches` lists them, `export answer` records the portal's answer, `export file`
//! writes a batch's file again. A file is written under a name the platform accepts and, past
//! its size limit, as numbered files each valid alone ([`crate::bulk::parts`]).

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use chrono::Local;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, bail};

use super::{write_atomically, write_stdout};
use crate::api::Client;
use crate::api::contract::{
    ExportAnswer, ExportBatchId, ExportBatchSummary, ExportFormat, NewExport, PortalAnswer,
};
use crate::bulk::parts::{self, MAX_FILE_BYTES};
use crate::text::{agree, count};
use crate::tui::widgets::sanitize;

/// `passeport export adf|jdr`.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Réexporte toutes les lignes, même celles déjà envoyées (sinon : seulement les lignes
    /// jamais envoyées ou refusées par le portail).
    #[arg(long)]
    pub all: bool,
    /// Où écrire.
    #[command(flatten)]
    pub out: OfficialOut,
}

/// Where and how large the official files are written.
#[derive(Debug, Clone, Args)]
pub struct OfficialOut {
    /// Fichier à écrire (remplacé d'un coup, droits 0600), ou dossier où l'écrire sous le nom
    /// donné par le serveur ; sans cette option, la sortie standard. Le nom doit convenir au
    /// portail : 200 caractères au plus, sans @ < > : " / \ | ? * %.
    #[arg(long, short, value_name = "FICHIER")]
    pub out: Option<PathBuf>,
    /// Taille maximale d'un fichier, en octets (défaut et maximum : la limite du portail, 200 Mo) ;
    /// au-delà, l'export est écrit en fichiers numérotés (attestations-1.csv, -2…), chacun avec
    /// la ligne d'en-tête et des déclarations entières, déposables séparément.
    #[arg(long, value_name = "OCTETS", default_value_t = MAX_FILE_BYTES, value_parser = parse_max_size)]
    pub max_size: usize,
}

/// `--max-size`: 1 KB to the platform's limit.
fn parse_max_size(text: &str) -> Result<usize, String> {
    let max = u32::try_from(MAX_FILE_BYTES).unwrap_or(u32::MAX);
    super::super::help::whole_number(text, 1_000, max).map(|n| n as usize)
}

/// `passeport export answer`.
#[derive(Debug, Clone, Args)]
pub struct AnswerArgs {
    /// Numéro du lot (voir « passeport export batches »).
    #[arg(value_name = "LOT")]
    pub batch: ExportBatchId,
    /// La réponse du portail au fichier.
    #[arg(value_enum, value_name = "RÉPONSE")]
    pub answer: AnswerKind,
    /// Avec refused-titulaires : les titulaires refusés, par ID_UNIQUE_PARTENAIRE ou NOM_TITULAIRE.
    #[arg(value_name = "TITULAIRE")]
    pub titulaires: Vec<String>,
}

/// `passeport export file`.
#[derive(Debug, Clone, Args)]
pub struct FileArgs {
    /// Numéro du lot.
    #[arg(value_name = "LOT")]
    pub batch: ExportBatchId,
    /// Où écrire.
    #[command(flatten)]
    pub out: OfficialOut,
}

/// The portal's answer, as typed (variant docs are the French help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerKind {
    /// Fichier accepté en entier.
    Accepted,
    /// Fichier refusé en entier : toutes ses lignes repartent au prochain export.
    Refused,
    /// Certains titulaires refusés (nommés ensuite) : leurs lignes repartent au prochain export.
    RefusedTitulaires,
}

/// A fresh idempotency key for one export command (its retries reuse it).
fn new_key() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("export-{hex}")
}

/// The layout's name in messages.
fn layout_name(kind: ExportFormat) -> &'static str {
    match kind {
        ExportFormat::Adf => "ADF",
        ExportFormat::Jdr => "JDR",
    }
}

/// "1 ligne", "3 lignes".
fn lines(n: u32) -> String {
    count(u64::from(n), "ligne", "lignes")
}

/// `passeport export adf|jdr [--all]`: a new batch, its file to `--out` or stdout, and on stderr
/// how many lines and which batch.
pub async fn export(client: &Client, kind: ExportFormat, args: &BatchArgs) -> Result<()> {
    args.out.check_name()?;
    let request = NewExport {
        kind,
        all: args.all,
    };
    let created = client
        .create_export(&request, &new_key())
        .await
        .wrap_err_with(|| format!("export {} impossible", layout_name(kind)))?;
    let Some(created) = created else {
        eprintln!(
            "Rien de nouveau à exporter : toutes les lignes {} ont déjà été envoyées \
             (--all pour tout réexporter).",
            layout_name(kind)
        );
        return Ok(());
    };
    let summary = &created.batch.summary;
    args.out
        .deliver(&created.file, summary.id, &summary.file_name)?;
    eprintln!(
        "Lot {} : {} {} exportées{} — déposez le fichier sur le portail, puis notez sa réponse : \
         passeport export answer {} accepted|refused|refused-titulaires",
        summary.id,
        lines(summary.line_count),
        layout_name(kind),
        if args.all { " (toutes)" } else { "" },
        summary.id
    );
    Ok(())
}

/// One row of `passeport export batches`.
fn batch_row(batch: &ExportBatchSummary) -> String {
    let answer = match batch.answer {
        None => "en attente".to_owned(),
        Some(PortalAnswer::RefusedTitulaires) => {
            format!(
                "{} ({} {})",
                PortalAnswer::RefusedTitulaires.label(),
                batch.refused_count,
                agree(u64::from(batch.refused_count), "refusée", "refusées")
            )
        }
        Some(answer) => answer.label().to_owned(),
    };
    format!(
        "{:>4}  {}  {}  {:>6}  {}  {}",
        batch.id,
        layout_name(batch.kind),
        batch
            .created_at
            .with_timezone(&Local)
            .format("%d/%m/%Y %H:%M"),
        batch.line_count,
        answer,
        batch.file_name
    )
}

/// `passeport export batches`: every batch, newest first.
pub async fn list(client: &Client) -> Result<String> {
    let batches = client
        .all_exports()
        .await
        .wrap_err("lecture des lots d'export impossible")?;
    if batches.is_empty() {
        return Ok("Aucun lot : « passeport export adf » crée le premier.\n".to_owned());
    }
    let mut text = String::from(" Lot  Type  Créé le           Lignes  Réponse  Fichier\n");
    for batch in &batches {
        text.push_str(&batch_row(batch));
        text.push('\n');
    }
    Ok(text)
}

/// `passeport export answer`: records the portal's answer and says what the next export sends.
pub async fn answer(client: &Client, args: &AnswerArgs) -> Result<String> {
    let answer = ExportAnswer {
        answer: match args.answer {
            AnswerKind::Accepted => PortalAnswer::Accepted,
            AnswerKind::Refused => PortalAnswer::Refused,
            AnswerKind::RefusedTitulaires => PortalAnswer::RefusedTitulaires,
        },
        titulaires: args.titulaires.clone(),
    };
    let batch = client
        .answer_export(args.batch, &answer)
        .await
        .wrap_err_with(|| format!("réponse au lot {} non enregistrée", args.batch))?;
    let summary = &batch.summary;
    let next = if summary.refused_count == 0 {
        "aucune ligne à renvoyer".to_owned()
    } else {
        let n = u64::from(summary.refused_count);
        format!(
            "{} {}, {} au prochain « passeport export {} »",
            lines(summary.refused_count),
            agree(n, "refusée", "refusées"),
            agree(n, "renvoyée", "renvoyées"),
            layout_name(summary.kind).to_lowercase()
        )
    };
    Ok(format!(
        "Lot {} : réponse « {} » enregistrée ; {next}.\n",
        summary.id,
        answer.answer.label()
    ))
}

/// `passeport export file`: a batch's file again, byte for byte.
pub async fn file(client: &Client, args: &FileArgs) -> Result<()> {
    args.out.check_name()?;
    // The batch's own name is needed only to write into a directory.
    let name = match &args.out.out {
        Some(dir) if dir.is_dir() => {
            client
                .export_batch(args.batch)
                .await
                .wrap_err_with(|| format!("lot {} illisible", args.batch))?
                .summary
                .file_name
        }
        _ => String::new(),
    };
    let text = client
        .export_file(args.batch)
        .await
        .wrap_err_with(|| format!("fichier du lot {} illisible", args.batch))?;
    args.out.deliver(&text, args.batch, &name)
}

impl OfficialOut {
    /// Refuses, before anything is asked of the server, a `--out` file name the platform would
    /// refuse (a directory is checked once the server has named the file).
    fn check_name(&self) -> Result<()> {
        match &self.out {
            Some(path) if !path.is_dir() => check_path(path),
            _ => Ok(()),
        }
    }

    /// Writes the file of batch `id`: to stdout, to `--out`, or into the `--out` directory
    /// under `name`, the batch's file name; in numbered files when it exceeds `--max-size`.
    fn deliver(&self, file: &str, id: ExportBatchId, name: &str) -> Result<()> {
        let parts = parts::split(file, self.max_size)
            .wrap_err_with(|| format!("lot {id} : fichier impossible à découper"))?;
        let Some(out) = &self.out else {
            if parts.len() > 1 {
                bail!(
                    "le lot {id} pèse {} octets, plus que les {} d'un fichier déposé sur le \
                     portail : écrivez-le en plusieurs fichiers avec « passeport export file {id} \
                     --out FICHIER »",
                    file.len(),
                    self.max_size,
                );
            }
            return write_stdout(file);
        };
        let path = if out.is_dir() {
            out.join(name)
        } else {
            out.clone()
        };
        let names = parts::numbered(&path, parts.len());
        for name in &names {
            check_path(name)?;
        }
        for (part, name) in parts.iter().zip(&names) {
            write_atomically(name, part.text().as_bytes())
                .wrap_err_with(|| format!("{} : écriture impossible", shown(name)))?;
        }
        if io::stderr().is_terminal() || names.len() > 1 {
            eprintln!("{}", written(&parts, &names, self.max_size));
        }
        Ok(())
    }
}

/// What was written, for stderr.
fn written(parts: &[parts::Part<'_>], names: &[PathBuf], max: usize) -> String {
    match names {
        [name] => format!("Fichier écrit dans {}", shown(name)),
        _ => {
            let list: Vec<String> = parts
                .iter()
                .zip(names)
                .map(|(part, name)| {
                    format!("{} ({})", shown(name), lines(part.line_count() as u32))
                })
                .collect();
            format!(
                "Fichier de plus de {max} octets : écrit en {} fichiers, chacun avec la ligne \
                 d'en-tête et des déclarations entières, à déposer un par un : {}",
                names.len(),
                list.join(", ")
            )
        }
    }
}

/// A path as shown in a message: its text sanitised (it reaches the terminal).
fn shown(path: &Path) -> String {
    sanitize(&path.display().to_string())
}

/// Refuses a path whose file name the platform would refuse, naming it.
fn check_path(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    parts::check_name(&name)
        .wrap_err_with(|| format!("{} : nom refusé par le portail", shown(path)))
}
