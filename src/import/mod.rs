//! Importing a file of declarations or of staff, shared by `passeport import` and the TUI's
//! import screen: read and check ([`plan`], pure, to run off the UI task), check on the server
//! ([`Declarations::check`]), then send ([`Declarations::apply`]) with a progress callback.
//!
//! The file is read by the pure reader ([`crate::bulk::read`]), every row checked locally, then
//! every declaration checked by the server (`POST /v1/declarations/validate`), or for a dry run
//! on this machine with the same rules ([`crate::bulk::acceptance`], nothing sent). Nothing is
//! sent unless the whole file is valid. Each declaration then goes with an idempotency key derived
//! from its rows, and keeps each line's `ID_UNIQUE_PARTENAIRE`: importing the same file again,
//! or resuming an interrupted import, creates nothing twice (domain.md §8: a repeated
//! `ID_UNIQUE_PARTENAIRE` is a double declaration).
//!
//! A trainee sheet is converted into official tables ([`crate::bulk::sheet::trainees`]) that
//! take this same path, their errors placed at the sheet's cells; a roster, history or matrix
//! is a [`Plan::Team`], written through the staff routes.

pub mod sheet;
pub mod team;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::api::contract::DeclarationId;
use crate::api::{ApiError, Client};
use crate::bulk::acceptance;
use crate::bulk::read::{self, ImportFile, ImportedDeclaration, LineError};
use crate::bulk::sheet::Table;
use crate::bulk::sheet::trainees::{Trainees, sort as trainee_sort};
use crate::domain::DeclarantKind;
use crate::domain::declaration::columns::{COMPETENCE_TRANSFERABLE, ID_UNIQUE_PARTENAIRE, NIR};
use crate::domain::ids::{Competence, Nir};
use crate::domain::training::Catalogue;
use crate::io_error::io_message;
use crate::rules::Rules;
use crate::text::sanitize;
use crate::text::{agree, count};
use sheet::{Columns, Kind, SheetRead};

/// Largest file accepted: the platform's limit for one bulk file (domain.md §8, 200 MB).
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// Why a file cannot be imported at all (in French, naming the file).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// No such file.
    #[error("{path} : fichier introuvable")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// A folder.
    #[error("{path} : c'est un dossier, pas un fichier")]
    Directory {
        /// The path as given.
        path: String,
    },
    /// Beyond the platform's limit.
    #[error(
        "{path} : fichier trop gros ({megabytes} Mo ; la plateforme accepte au plus 200 Mo par fichier)"
    )]
    TooLarge {
        /// The path as given.
        path: String,
        /// Its size.
        megabytes: u64,
    },
    /// The system refused to read it.
    #[error("{path} : fichier illisible ({detail})")]
    Io {
        /// The path as given.
        path: String,
        /// Why, in French.
        detail: String,
    },
    /// Read, but neither an official file nor a sheet the reader knows.
    #[error("{path} : {message}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// Why, in French.
        message: String,
    },
}

/// `~` or `~/…` at the start of a typed path, expanded to the home folder.
pub fn expand_home(typed: &str, home: Option<&Path>) -> PathBuf {
    let typed = typed.trim();
    match (typed.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(typed),
    }
}

/// What a file will do, once read and checked locally.
pub enum Plan {
    /// Declarations (an official file or a trainee sheet).
    Declarations(Box<Declarations>),
    /// A roster, history or matrix, for the staff routes.
    Team(Box<(Table, Columns)>),
}

/// The declarations of a file, their report so far, and the sheet they came from.
pub struct Declarations {
    /// The declarations read.
    pub file: ImportFile,
    /// The report: local errors and warnings now, the server's and the results later.
    pub report: Report,
    /// The file, its kind and its columns, in French.
    pub description: String,
    trainees: Option<Box<Trainees>>,
    declarant: DeclarantKind,
    today: NaiveDate,
}

/// Reads `bytes` (the file at `path`) and checks every row locally: pure, no I/O.
pub fn plan(
    bytes: &[u8],
    path: &str,
    forced: Option<Kind>,
    declarant: DeclarantKind,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Plan, ImportError> {
    let official_told = matches!(forced, None | Some(Kind::Adf | Kind::Jdr));
    let mut trainees = None;
    let mut sheet_columns = None;
    let text = official_told.then(|| read::read(bytes, declarant, today));
    let (mut file, description) = match text {
        Some(Ok(file)) if forced.is_none_or(|kind| kind == official_kind(file.shape.kind)) => {
            let description = format!("{path} : {}", file.shape);
            (file, description)
        }
        other => match sheet::read_sheet(bytes, forced, declarant, today, rules) {
            Ok(SheetRead::Official(file, description)) => (file, format!("{path} : {description}")),
            Ok(SheetRead::Trainees(file, sheet, columns)) => {
                trainees = Some(sheet);
                let description = format!("{path} : {}", columns.to_text());
                sheet_columns = Some(columns);
                (file, description)
            }
            Ok(SheetRead::Team(table, columns)) => {
                return Ok(Plan::Team(Box::new((table, columns))));
            }
            Err(error) => return Err(sheet::unreadable(path, other.and_then(Result::err), error)),
        },
    };
    let unrecognised = recognise_trainings(&mut file, &rules.catalogue);
    let mut report = Report::new(&file, false);
    report.unrecognised_trainings = unrecognised;
    report.sheet = sheet_columns;
    if let Some(sheet) = trainees.as_deref() {
        report.errors = sheet.merge(std::mem::take(&mut report.errors));
        let mut warnings = sheet.warnings.clone();
        warnings.extend(locate(Some(sheet), std::mem::take(&mut report.warnings)));
        trainee_sort(&mut warnings);
        report.warnings = warnings;
    }
    let mut declarations = Declarations {
        file,
        report,
        description,
        trainees,
        declarant,
        today,
    };
    declarations.sort_errors();
    Ok(Plan::Declarations(Box::new(declarations)))
}

impl Declarations {
    /// Has the server check every declaration when the file has no error yet; its refusals are
    /// placed in the file.
    pub async fn check(&mut self, client: &Client) -> Result<(), ApiError> {
        if self.report.errors.is_empty() {
            let found = validate_on_server(client, &self.file).await?;
            self.report.errors = locate(self.trainees.as_deref(), found);
            self.sort_errors();
        }
        Ok(())
    }

    /// Checks every declaration on this machine with the rules the server applies
    /// ([`acceptance`]) when the file has no error yet, sending nothing (`--dry-run`).
    pub fn check_locally(&mut self, catalogue: &Catalogue) {
        if self.report.errors.is_empty() {
            let mut found = Vec::new();
            for imported in &self.file.declarations {
                let mut declaration = imported.declaration.clone();
                declaration.normalise_nirs();
                let errors = acceptance::declaration_errors(
                    &declaration,
                    self.declarant,
                    self.today,
                    catalogue,
                );
                found.extend(errors.iter().map(|error| imported.locate(error)));
            }
            self.report.errors = locate(self.trainees.as_deref(), found);
            self.sort_errors();
        }
    }

    /// Sends every declaration when the file has no error, calling `progress(sent, total)` after
    /// each; a refusal is placed in the file, a failure to reach the server stops the import
    /// (what was sent stays in the report: sending again creates nothing twice).
    pub async fn apply(
        &mut self,
        client: &Client,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<(), ApiError> {
        if !self.report.errors.is_empty() {
            return Ok(());
        }
        let total = self.file.declarations.len();
        let sheet = self.trainees.as_deref();
        for (done, imported) in self.file.declarations.iter().enumerate() {
            let key = &imported.idempotency_key;
            match client.create_declaration(&imported.declaration, key).await {
                Ok((view, created)) => self.report.results.push(Submitted {
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
                    self.report.errors.extend(locate(sheet, found));
                }
                Err(ApiError::Conflict { detail }) => {
                    let found = vec![locate_conflict(imported, &detail)];
                    self.report.errors.extend(locate(sheet, found));
                }
                Err(error) => return Err(error),
            }
            progress(done + 1, total);
        }
        self.sort_errors();
        Ok(())
    }

    /// Errors in sheet order (cells) for a trainee sheet, else by line.
    fn sort_errors(&mut self) {
        if self.trainees.is_some() {
            trainee_sort(&mut self.report.errors);
        } else {
            self.report.errors.sort_by_key(|error| error.line);
        }
    }
}

/// The report of either kind of file, as the import screen shows it.
#[derive(Debug, Clone)]
pub enum FileReport {
    /// Declarations (an official file or a trainee sheet).
    Declarations(Report),
    /// A roster, history or matrix.
    Team(team::TeamReport),
}

impl FileReport {
    /// Every problem, by line (or cell) and column.
    pub fn errors(&self) -> &[LineError] {
        match self {
            Self::Declarations(report) => &report.errors,
            Self::Team(report) => &report.errors,
        }
    }

    /// Every remark.
    pub fn warnings(&self) -> &[LineError] {
        match self {
            Self::Declarations(report) => &report.warnings,
            Self::Team(report) => &report.warnings,
        }
    }

    /// What sending does: declarations to send, or writes to the staff routes.
    pub fn to_send(&self) -> usize {
        match self {
            Self::Declarations(report) => report.declarations,
            Self::Team(report) => report.writes(),
        }
    }

    /// The last line of the command line's report: what was (or would be) done.
    pub fn conclusion(&self) -> String {
        let text = match self {
            Self::Declarations(report) => report.to_text(""),
            Self::Team(report) => report.to_text(""),
        };
        text.lines().last().unwrap_or_default().to_owned()
    }
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
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        crate::json::document(self)
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
            "Fichier valide (vérifié sur ce poste : seul le compte a été lu sur le serveur). \
             Simulation (--dry-run) : rien n'a été envoyé."
                .to_owned()
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

/// Reads the file: a missing, unreadable, oversized file or a folder is an error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let shown = path.display().to_string();
    let unreadable = |error: &std::io::Error| ImportError::Io {
        path: shown.clone(),
        detail: io_message(error),
    };
    let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound {
            path: shown.clone(),
        },
        _ => unreadable(&error),
    })?;
    if metadata.is_dir() {
        return Err(ImportError::Directory { path: shown });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            path: shown,
            megabytes: metadata.len() / (1024 * 1024),
        });
    }
    std::fs::read(path).map_err(|error| unreadable(&error))
}

/// Asks the server to check every declaration; its refusals are placed in the file.
async fn validate_on_server(
    client: &Client,
    file: &ImportFile,
) -> Result<Vec<LineError>, ApiError> {
    let mut errors = Vec::new();
    for imported in &file.declarations {
        match client.validate_declaration(&imported.declaration).await {
            Ok(_) => {}
            Err(ApiError::Invalid { errors: found }) => {
                errors.extend(found.iter().map(|error| imported.locate(error)));
            }
            Err(error) => return Err(error),
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

/// Errors of the official checks placed at the cells of a trainee sheet, when the file is one.
fn locate(sheet: Option<&Trainees>, errors: Vec<LineError>) -> Vec<LineError> {
    match sheet {
        Some(trainees) => errors.into_iter().map(|e| trainees.relocate(e)).collect(),
        None => errors,
    }
}

/// The sheet kind of an official layout.
fn official_kind(kind: crate::domain::DeclarationKind) -> Kind {
    match kind {
        crate::domain::DeclarationKind::Attestation => Kind::Adf,
        crate::domain::DeclarationKind::Justificatif => Kind::Jdr,
    }
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
