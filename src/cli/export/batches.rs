//! `passeport export adf|jdr` with the export memory (issue 12 item 5): only the lines not sent
//! yet (or refused) unless `--all`, each file recorded by the server as a batch (« lot »);
//! `export batches` lists them, `export answer` records the portal's answer, `export file`
//! writes a batch's file again.

use std::path::PathBuf;

use chrono::Local;
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};

use super::deliver;
use crate::api::Client;
use crate::api::contract::{
    ExportAnswer, ExportBatchId, ExportBatchSummary, ExportFormat, NewExport, PortalAnswer,
};
use crate::text::{agree, count};

/// `passeport export adf|jdr`.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Réexporte toutes les lignes, même celles déjà envoyées (sinon : seulement les lignes
    /// jamais envoyées ou refusées par le portail).
    #[arg(long)]
    pub all: bool,
    /// Fichier à écrire (remplacé d'un coup, droits 0600) ; sans cette option, la sortie standard.
    #[arg(long, short, value_name = "FICHIER")]
    pub out: Option<PathBuf>,
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
    /// Fichier à écrire (remplacé d'un coup, droits 0600) ; sans cette option, la sortie standard.
    #[arg(long, short, value_name = "FICHIER")]
    pub out: Option<PathBuf>,
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
    deliver(&created.file, args.out.as_deref(), "Fichier")?;
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
    let text = client
        .export_file(args.batch)
        .await
        .wrap_err_with(|| format!("fichier du lot {} illisible", args.batch))?;
    deliver(&text, args.out.as_deref(), "Fichier du lot")
}
