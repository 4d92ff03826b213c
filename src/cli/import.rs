//! `passeport import FILE`: declarations from an official ADF/JDR file or a spreadsheet export.
//!
//! The file is read by the pure reader ([`crate::bulk::read`]), every row checked locally, then
//! every declaration checked by the server (`POST /v1/declarations/validate`). Nothing is sent
//! unless the whole file is valid. Each declaration then goes with an idempotency key derived
//! from its rows, and keeps each line's `ID_UNIQUE_PARTENAIRE`: importing the same file again,
//! or resuming an interrupted import, creates nothing twice (domain.md §8: a repeated
//! `ID_UNIQUE_PARTENAIRE` is a double declaration).
//!
//! A trainee sheet is converted into official tables ([`crate::bulk::sheet::trainees`]) that
//! take this same path, their errors placed at the sheet's cells; a roster, history or matrix
//! goes to the staff routes ([`team`]).

mod sheet;
mod team;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, eyre};
use serde::Serialize;

use super::errors::io_message;
use super::export::write_stdout;
use super::launch::client_for;
use crate::api::contract::DeclarationId;
use crate::api::{ApiError, Client};
use crate::bulk::read::{self, ImportFile, ImportedDeclaration, LineError};
use crate::bulk::sheet::trainees::{Trainees, sort as trainee_sort};
use crate::clock;
use crate::config::Config;
use crate::domain::declaration::columns::{COMPETENCE_TRANSFERABLE, ID_UNIQUE_PARTENAIRE, NIR};
use crate::domain::ids::{Competence, Nir};
use crate::domain::training::Catalogue;
use crate::rules::Rules;
use crate::text::sanitize;
use crate::text::{agree, count};

/// Largest file accepted: the platform's limit for one bulk file (domain.md §8, 200 MB).
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// `passeport import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Le fichier : ADF ou JDR officiel (séparateur |, avec ou sans ligne d'en-tête), export de
    /// tableur (CSV, .xlsx, .xls, .ods) nommant les colonnes officielles, ou tableur d'équipe
    /// (stagiaires, personnel, historique, matrice).
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Vérifie le fichier sans rien envoyer.
    #[arg(long)]
    pub dry_run: bool,
    /// Type du fichier, quand ses colonnes ne suffisent pas à le reconnaître.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub kind: Option<sheet::KindArg>,
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

/// What the server did with one declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Recorded now (201).
    Created,
    /// Recorded by an earlier import of the same rows (200, same idempotency key).
    AlreadyImported,
}

impl Outcome {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "créée",
            Self::AlreadyImported => "déjà importée",
        }
    }
}

/// One declaration sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    /// Its `ID_DECLARATION` in the file.
    pub id_declaration: String,
    /// The server's identifier.
    pub id: DeclarationId,
    /// Its number of titulaires.
    pub titulaires: usize,
    /// Created now or already there.
    pub outcome: Outcome,
}

/// The report of an import: `{"declarations", "titulaires", "errors", "dry_run", "results"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Declarations read from the file.
    pub declarations: usize,
    /// Titulaire lines read from the file.
    pub titulaires: usize,
    /// Every problem, by line and column.
    pub errors: Vec<LineError>,
    /// True when nothing was to be sent.
    pub dry_run: bool,
    /// The declarations sent, in file order.
    pub results: Vec<Submitted>,
    /// What is unusual but accepted (a provisional NIR, an unknown month…), by line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<LineError>,
    /// Declarations whose title matches no catalogue type: their exclusion (art. 4-II) and
    /// category could not be checked.
    #[serde(skip_serializing_if = "is_zero")]
    pub unrecognised_trainings: usize,
    /// A trainee sheet's kind and columns (taken, ignored, missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<sheet::Columns>,
}

/// Whether a count is zero (to leave it out of the JSON report).
fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Report {
    /// An empty report for a file.
    fn new(file: &ImportFile, dry_run: bool) -> Self {
        Self {
            declarations: file.declarations.len(),
            titulaires: file.titulaire_count(),
            errors: file.errors.clone(),
            dry_run,
            results: Vec::new(),
            warnings: nir_warnings(file),
            unrecognised_trainings: 0,
            sheet: None,
        }
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// The report for a person: counts, every error, what was sent; values sanitised.
    pub fn to_text(&self, description: &str) -> String {
        let mut out: String = description
            .lines()
            .map(|line| format!("{}\n", sanitize(line)))
            .collect();
        out.push_str(&format!(
            "{}, {}.\n",
            count(self.declarations as u64, "déclaration", "déclarations"),
            count(self.titulaires as u64, "titulaire", "titulaires")
        ));
        if !self.errors.is_empty() {
            let errors = count(self.errors.len() as u64, "erreur", "erreurs");
            out.push_str(&format!("{errors} :\n"));
            for error in &self.errors {
                out.push_str(&format!("  {}\n", sanitize(&error.to_string())));
            }
        }
        if !self.warnings.is_empty() {
            let warnings = count(
                self.warnings.len() as u64,
                "avertissement",
                "avertissements",
            );
            out.push_str(&format!("{warnings} :\n"));
            for warning in &self.warnings {
                out.push_str(&format!("  {}\n", sanitize(&warning.to_string())));
            }
        }
        if self.unrecognised_trainings > 0 {
            out.push_str(&format!(
                "{} dont l'intitulé ne correspond à aucun type du catalogue : \
                 exclusion (art. 4-II) et catégorie non vérifiées.\n",
                count(
                    self.unrecognised_trainings as u64,
                    "déclaration",
                    "déclarations"
                )
            ));
        }
        for sent in &self.results {
            out.push_str(&format!(
                "  {} ({}) : {} (n° {})\n",
                sanitize(&sent.id_declaration),
                count(sent.titulaires as u64, "titulaire", "titulaires"),
                sent.outcome.label(),
                sent.id
            ));
        }
        let created = self
            .results
            .iter()
            .filter(|s| s.outcome == Outcome::Created)
            .count() as u64;
        let known = self.results.len() as u64 - created;
        let conclusion = if !self.errors.is_empty() && self.results.is_empty() {
            "Aucune déclaration n'a été envoyée : corrigez le fichier puis relancez l'import."
                .to_owned()
        } else if !self.errors.is_empty() {
            format!(
                "Import incomplet : {created} {}, {known} déjà {} ; corrigez les erreurs \
                 puis relancez l'import, rien ne sera créé deux fois.",
                agree(created, "créée", "créées"),
                agree(known, "importée", "importées")
            )
        } else if self.dry_run {
            "Fichier valide. Simulation (--dry-run) : rien n'a été envoyé.".to_owned()
        } else {
            format!(
                "Fichier valide : {} {}, {known} déjà {}.",
                count(created, "déclaration", "déclarations"),
                agree(created, "créée", "créées"),
                agree(known, "importée", "importées")
            )
        };
        out.push_str(&conclusion);
        out.push('\n');
        out
    }
}

/// The NIR warnings of every titulaire (domain.md §9: accepted, but shown), at its line, and the
/// ROME métier codes among the transferable skills, at the declaration's first line.
fn nir_warnings(file: &ImportFile) -> Vec<LineError> {
    let mut warnings = Vec::new();
    for imported in &file.declarations {
        warnings.extend(
            imported
                .declaration
                .competence_transferable
                .iter()
                .filter_map(|code| code.parse::<Competence>().ok()?.warning())
                .map(|warning| {
                    LineError::new(
                        imported.first_line(),
                        Some(COMPETENCE_TRANSFERABLE),
                        warning,
                    )
                }),
        );
        for (titulaire, line) in imported.declaration.titulaires.iter().zip(&imported.lines) {
            if let Ok(nir) = titulaire.nir.parse::<Nir>() {
                warnings.extend(
                    nir.warnings()
                        .iter()
                        .map(|warning| LineError::new(*line, Some(NIR), warning.to_string())),
                );
            }
        }
    }
    warnings
}

/// Gives each declaration without a type the catalogue type its title names, so that the
/// server applies the type's exclusion and category; returns how many titles name no type.
fn recognise_trainings(file: &mut ImportFile, catalogue: &Catalogue) -> usize {
    let mut unrecognised = 0;
    for imported in &mut file.declarations {
        let declaration = &mut imported.declaration;
        if declaration.training_code.is_some() {
            continue;
        }
        match catalogue.recognise(declaration.training_title()) {
            Some(training) => declaration.training_code = Some(training.code.clone()),
            None => unrecognised += 1,
        }
    }
    unrecognised
}

/// Reads the file: a missing, unreadable or oversized file is an error (exit 2).
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => eyre!("{shown} : fichier introuvable"),
        _ => eyre!("{shown} : fichier illisible ({})", io_message(&error)),
    })?;
    if metadata.is_dir() {
        return Err(eyre!("{shown} : c'est un dossier, pas un fichier"));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(eyre!(
            "{shown} : fichier trop gros ({} Mo ; la plateforme accepte au plus 200 Mo par fichier)",
            metadata.len() / (1024 * 1024)
        ));
    }
    std::fs::read(path)
        .map_err(|error| eyre!("{shown} : fichier illisible ({})", io_message(&error)))
}

/// Asks the server to check every declaration; its refusals are placed in the file.
async fn validate_on_server(client: &Client, file: &ImportFile) -> Result<Vec<LineError>> {
    let mut errors = Vec::new();
    for imported in &file.declarations {
        match client.validate_declaration(&imported.declaration).await {
            Ok(_) => {}
            Err(ApiError::Invalid { errors: found }) => {
                errors.extend(found.iter().map(|error| imported.locate(error)));
            }
            Err(error) => return Err(error).wrap_err("vérification par le serveur impossible"),
        }
    }
    Ok(errors)
}

/// Where a 409 of the server belongs: the line whose `ID_UNIQUE_PARTENAIRE` it names, else the
/// declaration's first line.
fn locate_conflict(imported: &ImportedDeclaration, detail: &str) -> LineError {
    let line = imported
        .declaration
        .titulaires
        .iter()
        .zip(&imported.lines)
        .find(|(titulaire, _)| {
            !titulaire.id_unique_partenaire.is_empty()
                && detail.contains(&format!("« {} »", titulaire.id_unique_partenaire))
        })
        .map(|(_, line)| *line);
    match line {
        Some(line) => LineError::new(line, Some(ID_UNIQUE_PARTENAIRE), detail),
        None => LineError::new(imported.first_line(), None, detail),
    }
}

/// `passeport import`: exit 0 when the file is valid (and sent), 1 when it has errors, 2 when
/// it cannot be read or the server cannot be reached.
pub async fn run(args: ImportArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let bytes = read_bytes(&args.file)?;
    let config = Config::load(config_path)?;
    let (client, _) = client_for(&config, &rules).await?;
    let account = client.me().await.wrap_err("lecture du compte impossible")?;
    let today = clock::today()?;
    let path = args.file.display().to_string();
    let forced = args.kind.map(sheet::Kind::from);
    let official_told = matches!(forced, None | Some(sheet::Kind::Adf | sheet::Kind::Jdr));
    let mut trainee_sheet = None;
    let mut sheet_columns = None;
    let text = official_told.then(|| read::read(&bytes, account.kind, today));
    let (mut file, description) = match text {
        Some(Ok(file)) if forced.is_none_or(|kind| kind == official_kind(file.shape.kind)) => {
            let description = format!("{path} : {}", file.shape);
            (file, description)
        }
        other => match sheet::read_sheet(&bytes, forced, account.kind, today, &rules) {
            Ok(sheet::SheetRead::Official(file, description)) => {
                (file, format!("{path} : {description}"))
            }
            Ok(sheet::SheetRead::Trainees(file, trainees, columns)) => {
                trainee_sheet = Some(trainees);
                let description = format!("{path} : {}", columns.to_text());
                sheet_columns = Some(columns);
                (file, description)
            }
            Ok(sheet::SheetRead::Team(table, columns)) => {
                let sheet = team::Sheet {
                    path: &path,
                    table: &table,
                    columns,
                };
                return team::run(&client, &account, sheet, &args, &rules, today).await;
            }
            Err(error) => return Err(sheet::unreadable(&path, other.and_then(Result::err), error)),
        },
    };
    let sheet = trainee_sheet.as_deref();
    let unrecognised = recognise_trainings(&mut file, &rules.catalogue);
    let mut report = Report::new(&file, args.dry_run);
    report.unrecognised_trainings = unrecognised;
    report.sheet = sheet_columns;
    if let Some(trainees) = sheet {
        report.errors = trainees.merge(std::mem::take(&mut report.errors));
        let mut warnings = trainees.warnings.clone();
        warnings.extend(locate(sheet, std::mem::take(&mut report.warnings)));
        trainee_sort(&mut warnings);
        report.warnings = warnings;
    }
    if report.errors.is_empty() {
        report.errors = locate(sheet, validate_on_server(&client, &file).await?);
    }
    if report.errors.is_empty() && !args.dry_run {
        for imported in &file.declarations {
            let key = &imported.idempotency_key;
            match client.create_declaration(&imported.declaration, key).await {
                Ok((view, created)) => report.results.push(Submitted {
                    id_declaration: imported.declaration.id_declaration.clone(),
                    id: view.summary.id,
                    titulaires: imported.declaration.titulaires.len(),
                    outcome: if created {
                        Outcome::Created
                    } else {
                        Outcome::AlreadyImported
                    },
                }),
                Err(ApiError::Invalid { errors }) => {
                    let found = errors.iter().map(|error| imported.locate(error)).collect();
                    report.errors.extend(locate(sheet, found));
                }
                Err(ApiError::Conflict { detail }) => {
                    let found = vec![locate_conflict(imported, &detail)];
                    report.errors.extend(locate(sheet, found));
                }
                Err(error) => {
                    print_report(&report, &description, args.format)?;
                    return Err(error).wrap_err(format!(
                        "import interrompu après {} {} ; relancez la même \
                         commande : rien ne sera créé deux fois",
                        count(report.results.len() as u64, "déclaration", "déclarations"),
                        agree(report.results.len() as u64, "envoyée", "envoyées")
                    ));
                }
            }
        }
    }
    if sheet.is_some() {
        trainee_sort(&mut report.errors);
    } else {
        report.errors.sort_by_key(|error| error.line);
    }
    print_report(&report, &description, args.format)?;
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Errors of the official checks placed at the cells of a trainee sheet, when the file is one.
fn locate(sheet: Option<&Trainees>, errors: Vec<LineError>) -> Vec<LineError> {
    match sheet {
        Some(trainees) => errors.into_iter().map(|e| trainees.relocate(e)).collect(),
        None => errors,
    }
}

/// The sheet kind of an official layout.
fn official_kind(kind: crate::domain::DeclarationKind) -> sheet::Kind {
    match kind {
        crate::domain::DeclarationKind::Attestation => sheet::Kind::Adf,
        crate::domain::DeclarationKind::Justificatif => sheet::Kind::Jdr,
    }
}

/// Prints the report on stdout.
fn print_report(report: &Report, description: &str, format: ReportFormat) -> Result<()> {
    let text = match format {
        ReportFormat::Text => report.to_text(description),
        ReportFormat::Json => report.to_json()?,
    };
    write_stdout(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeclarationKind;
    use crate::domain::declaration::{Declaration, Titulaire};

    fn report(errors: Vec<LineError>, dry_run: bool, results: Vec<Submitted>) -> Report {
        Report {
            declarations: 2,
            titulaires: 3,
            errors,
            dry_run,
            results,
            warnings: Vec::new(),
            unrecognised_trainings: 0,
            sheet: None,
        }
    }

    fn sent(id: &str, number: DeclarationId, outcome: Outcome) -> Submitted {
        Submitted {
            id_declaration: id.into(),
            id: number,
            titulaires: 1,
            outcome,
        }
    }

    #[test]
    fn json_report_has_the_documented_shape() {
        let errors = vec![
            LineError::new(4, Some("NIR"), "Clé fausse."),
            LineError::new(7, None, "Ligne trop courte."),
        ];
        let json: serde_json::Value =
            serde_json::from_str(&report(errors, true, vec![]).to_json().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "declarations": 2,
                "titulaires": 3,
                "errors": [
                    {"line": 4, "column": "NIR", "message": "Clé fausse."},
                    {"line": 7, "column": null, "message": "Ligne trop courte."}
                ],
                "dry_run": true,
                "results": []
            })
        );
        let done = report(
            vec![],
            false,
            vec![sent("D1", 12, Outcome::AlreadyImported)],
        );
        let json: serde_json::Value = serde_json::from_str(&done.to_json().unwrap()).unwrap();
        assert_eq!(
            json["results"][0],
            serde_json::json!({"id_declaration": "D1", "id": 12, "titulaires": 1, "outcome": "already_imported"})
        );
    }

    #[test]
    fn text_report_lists_errors_and_says_nothing_was_sent() {
        let text = report(
            vec![LineError::new(4, Some("NIR"), "Clé\u{1b}[2J fausse.")],
            false,
            vec![],
        )
        .to_text("f.csv : fichier ADF");
        assert_eq!(
            text,
            "f.csv : fichier ADF\n2 déclarations, 3 titulaires.\n1 erreur :\n  ligne 4, \
             colonne NIR : Clé\u{FFFD}[2J fausse.\nAucune déclaration n'a été envoyée : corrigez \
             le fichier puis relancez l'import.\n"
        );
    }

    #[test]
    fn text_report_tells_created_from_already_imported() {
        let text = report(
            vec![],
            false,
            vec![
                sent("D1", 12, Outcome::Created),
                sent("D2", 13, Outcome::AlreadyImported),
            ],
        )
        .to_text("f.csv");
        assert!(text.contains("  D1 (1 titulaire) : créée (n° 12)\n"));
        assert!(text.contains("  D2 (1 titulaire) : déjà importée (n° 13)\n"));
        assert!(text.ends_with("Fichier valide : 1 déclaration créée, 1 déjà importée.\n"));
        let dry = report(vec![], true, vec![]).to_text("f.csv");
        assert!(dry.ends_with("Simulation (--dry-run) : rien n'a été envoyé.\n"));
        let partial = report(
            vec![LineError::new(3, None, "Conflit.")],
            false,
            vec![sent("D1", 12, Outcome::Created)],
        )
        .to_text("f.csv");
        assert!(partial.contains("Import incomplet : 1 créée, 0 déjà importée"));
    }

    #[test]
    fn a_conflict_lands_on_the_line_it_names() {
        let mut declaration = Declaration::new(DeclarationKind::Attestation);
        declaration.titulaires = ["A-1", "A-2"]
            .iter()
            .map(|id| Titulaire {
                id_unique_partenaire: (*id).into(),
                ..Titulaire::default()
            })
            .collect();
        let imported = ImportedDeclaration {
            declaration,
            lines: vec![5, 9],
            idempotency_key: "k".into(),
        };
        let named = locate_conflict(&imported, "ID_UNIQUE_PARTENAIRE « A-2 » figure déjà");
        assert_eq!(
            (named.line, named.column.as_deref()),
            (9, Some(ID_UNIQUE_PARTENAIRE))
        );
        let other = locate_conflict(&imported, "clé déjà utilisée");
        assert_eq!((other.line, other.column), (5, None));
    }

    #[test]
    fn missing_and_directory_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read_bytes(&dir.path().join("absent.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            missing.ends_with("absent.csv : fichier introuvable"),
            "{missing}"
        );
        let folder = read_bytes(dir.path()).unwrap_err().to_string();
        assert!(
            folder.ends_with("c'est un dossier, pas un fichier"),
            "{folder}"
        );
        let path = dir.path().join("ok.csv");
        std::fs::write(&path, "x").unwrap();
        assert_eq!(read_bytes(&path).unwrap(), b"x");
    }
}
