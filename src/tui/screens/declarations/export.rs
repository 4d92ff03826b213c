//! The export memory on the Déclarations screen (issue 12 item 5, review UX #9): the « Export »
//! column, the status-line notices of an export and of an answer (where the files went, in
//! full), the line of the detail, and the question asking the portal's answer.

use std::path::{Path, PathBuf};

use ratatui::style::Style;

use crate::api::contract::{
    DeclarationExport, DeclarationId, ExportBatch, ExportBatchId, ExportFormat, ExportState,
};
use crate::tui::action::ExportedFile;
use crate::tui::theme::Theme;

/// The portal's answer being asked for one declaration's batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The batch answered.
    pub batch: ExportBatchId,
    /// The declaration selected (`t` refuses its lines).
    pub declaration: DeclarationId,
}

impl Question {
    /// The question, in place of the filter line while it is asked.
    pub fn line(&self) -> String {
        format!(
            " Lot {} — a accepté · r refusé en entier · t cette déclaration refusée · Échap",
            self.batch
        )
    }
}

/// The « Lot » cell of a declaration and its style: the batch, then the export day while
/// waiting for the portal's answer, else the answer; a dash when never exported.
pub fn cell(export: Option<&DeclarationExport>, theme: &Theme) -> (String, Style) {
    let Some(export) = export else {
        return ("—".to_owned(), theme.muted);
    };
    let batch = export.batch_id;
    match export.state {
        ExportState::EnAttente => (
            format!("{batch} · {}", export.exported_at.format("%d/%m")),
            theme.text,
        ),
        ExportState::Acceptee => (format!("{batch} · acceptée"), theme.valid),
        ExportState::Refusee => (format!("{batch} · refusée"), theme.error),
    }
}

/// The export line of the detail; `writes` false: the export key is not named.
pub fn detail_line(export: Option<&DeclarationExport>, writes: bool) -> String {
    let Some(export) = export else {
        return if writes {
            " Pas encore exportée : e dans la liste l'exporte".to_owned()
        } else {
            " Pas encore exportée".to_owned()
        };
    };
    let state = match export.state {
        ExportState::EnAttente => "en attente de la réponse du portail",
        ExportState::Acceptee => "acceptée par le portail",
        ExportState::Refusee => "refusée",
    };
    let key = if writes { " (e)" } else { "" };
    let unsent = match export.unsent {
        0 => String::new(),
        1 => format!(" · 1 ligne à renvoyer{key}"),
        n => format!(" · {n} lignes à renvoyer{key}"),
    };
    format!(
        " Exportée le {}, lot {} : {state}{unsent}",
        export.exported_at.format("%d/%m/%Y"),
        export.batch_id
    )
}

/// `path` with the home directory written `~`.
pub fn shown_path(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// "1 ligne", "3 lignes".
fn lines(n: u32) -> String {
    if n == 1 {
        "1 ligne".to_owned()
    } else {
        format!("{n} lignes")
    }
}

/// The notice of an export: each batch with its layout and line count, then the folder of the
/// files (their names carry the batch: `passeport-ADF-lot4-….csv`).
pub fn exported_notice(files: &[ExportedFile], home: Option<&Path>) -> String {
    if files.is_empty() {
        return "Rien de nouveau à exporter : tout a déjà été envoyé au portail.".to_owned();
    }
    let batches: Vec<String> = files
        .iter()
        .map(|file| {
            let layout = match file.kind {
                ExportFormat::Adf => "ADF",
                ExportFormat::Jdr => "JDR",
            };
            format!("lot {} {layout} : {}", file.batch, lines(file.lines))
        })
        .collect();
    let folder = files
        .first()
        .and_then(|file| file.path.parent())
        .map_or_else(PathBuf::new, Path::to_path_buf);
    let mut text = batches.join(", ");
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{text} → {}/", shown_path(&folder, home))
}

/// The notice of a recorded answer: what the next export sends again.
pub fn answered_notice(batch: &ExportBatch) -> String {
    let summary = &batch.summary;
    let answer = summary.answer.map_or("—", |a| a.label());
    let next = match summary.refused_count {
        0 => "rien à renvoyer".to_owned(),
        1 => "1 ligne repartira au prochain export (e)".to_owned(),
        n => format!("{n} lignes repartiront au prochain export (e)"),
    };
    format!("Lot {} : « {answer} » enregistré ; {next}.", summary.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(batch: ExportBatchId, kind: ExportFormat, lines: u32) -> ExportedFile {
        ExportedFile {
            path: PathBuf::from(format!(
                "/home/marie/.local/share/passeport/exports/passeport-lot{batch}.csv"
            )),
            batch,
            kind,
            lines,
        }
    }

    #[test]
    fn the_export_notice_names_each_batch_and_the_folder_from_home() {
        let home = Path::new("/home/marie");
        let notice = exported_notice(
            &[
                file(12, ExportFormat::Adf, 2),
                file(13, ExportFormat::Jdr, 1),
            ],
            Some(home),
        );
        assert_eq!(
            notice,
            "Lot 12 ADF : 2 lignes, lot 13 JDR : 1 ligne → ~/.local/share/passeport/exports/"
        );
        assert!(notice.chars().count() <= 80, "fits 80 columns");
        let elsewhere = exported_notice(&[file(3, ExportFormat::Adf, 5)], None);
        assert_eq!(
            elsewhere,
            "Lot 3 ADF : 5 lignes → /home/marie/.local/share/passeport/exports/"
        );
        assert!(exported_notice(&[], Some(home)).starts_with("Rien de nouveau"));
    }

    #[test]
    fn the_question_and_the_detail_line_fit_80_columns() {
        let question = Question {
            batch: 1234,
            declaration: 1,
        };
        assert!(question.line().chars().count() <= 80, "{}", question.line());
        let refused = DeclarationExport {
            batch_id: 1234,
            exported_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
            state: ExportState::Refusee,
            unsent: 12,
        };
        assert_eq!(
            detail_line(Some(&refused), true),
            " Exportée le 21/09/2026, lot 1234 : refusée · 12 lignes à renvoyer (e)"
        );
        for state in [ExportState::EnAttente, ExportState::Acceptee] {
            let line = detail_line(
                Some(&DeclarationExport {
                    state,
                    unsent: 0,
                    ..refused
                }),
                true,
            );
            assert!(line.chars().count() <= 80, "{line}");
        }
        assert!(detail_line(None, true).starts_with(" Pas encore exportée : e"));
        assert_eq!(detail_line(None, false), " Pas encore exportée");
    }
}
