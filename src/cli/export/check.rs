//! `passeport export check FICHIER`: whether an official ADF or JDR file is ready for the portal
//! (domain.md §8), before it is handed in: its name, its size, its header and every line, read
//! as a stream ([`crate::bulk::conformity`]), so a file at the portal's 200 MB limit is checked
//! in bounded memory. Local: nothing is asked of a server.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, eyre};

use super::write_stdout;
use crate::bulk::conformity::{self, Conformity};
use crate::bulk::parts;
use crate::clock;
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::io_error::io_message;
use crate::text::count;
use crate::tui::widgets::sanitize;

/// Buffer of the file reader.
const READ_BUFFER: usize = 1 << 16;

/// `passeport export check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Le fichier ADF ou JDR à vérifier.
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Qui déclare : les règles diffèrent un peu (un employeur peut omettre les compétences).
    #[arg(long, value_enum, default_value_t = Declarant::OrganismeFormation)]
    pub declarant: Declarant,
    /// Format du compte rendu : lisible (text) ou pour les scripts (json).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// `--declarant` (variant docs are the French help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Declarant {
    /// Organisme de formation (les guides d'import en masse sont les siens).
    OrganismeFormation,
    /// Employeur.
    Employeur,
}

/// `--format` (variant docs are the French help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Compte rendu lisible, une erreur par ligne.
    Text,
    /// Un objet JSON : kind, bytes, declarations, titulaires, file_errors, errors, more_errors,
    /// warnings.
    Json,
}

/// `passeport export check`: exit code 0 when the file conforms, 1 when it has problems, 2 when
/// it cannot be read as an official file.
pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let shown = sanitize(&args.file.display().to_string());
    let file = File::open(&args.file).map_err(|error| eyre!("{shown} : {}", io_message(&error)))?;
    let declarant = match args.declarant {
        Declarant::OrganismeFormation => DeclarantKind::OrganismeFormation,
        Declarant::Employeur => DeclarantKind::Employeur,
    };
    let mut found = conformity::check(
        BufReader::with_capacity(READ_BUFFER, file),
        declarant,
        clock::today()?,
    )
    .wrap_err_with(|| format!("{shown} : vérification impossible"))?;
    if let Err(error) = name_of(&args.file).and_then(|name| parts::check_name(&name)) {
        found
            .file_errors
            .insert(0, format!("Nom refusé par le portail : {error}."));
    }
    let text = match args.format {
        CheckFormat::Text => report(&shown, &found),
        CheckFormat::Json => crate::json::document(&found)?,
    };
    write_stdout(text)?;
    Ok(if found.is_conform() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The last component of a path.
fn name_of(path: &Path) -> Result<String, parts::NameError> {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or(parts::NameError::Empty)
}

/// The readable report: what the file is, each problem, the warnings, the verdict.
pub fn report(file: &str, found: &Conformity) -> String {
    let layout = match found.kind {
        Some(DeclarationKind::Attestation) => "fichier ADF (attestations de formation)",
        Some(DeclarationKind::Justificatif) => "fichier JDR (justificatifs de réussite)",
        None => "fichier sans en-tête officiel",
    };
    let mut out = format!(
        "{file} : {layout}, {}, {}, {}.\n",
        count(found.declarations as u64, "déclaration", "déclarations"),
        count(found.titulaires as u64, "titulaire", "titulaires"),
        count(found.bytes, "octet", "octets")
    );
    for error in &found.file_errors {
        out.push_str(&format!("{error}\n"));
    }
    for error in &found.errors {
        out.push_str(&format!("{error}\n"));
    }
    if found.more_errors > 0 {
        out.push_str(&format!(
            "… et {} de plus (seules les {} premières sont listées).\n",
            count(found.more_errors as u64, "erreur", "erreurs"),
            conformity::MAX_KEPT_ERRORS
        ));
    }
    for warning in &found.warnings {
        out.push_str(&format!("Attention, {warning}\n"));
    }
    if found.is_conform() {
        out.push_str(
            "Conforme aux règles connues du portail (guides d'import en masse de février 2026) : \
             prêt à déposer.\n",
        );
    } else {
        out.push_str(&format!(
            "{} : corrigez avant de déposer ; une seule suffit au portail pour refuser tout le \
             fichier.\n",
            count(found.error_count() as u64, "erreur", "erreurs")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::read::LineError;

    fn conformity(errors: Vec<LineError>) -> Conformity {
        Conformity {
            kind: Some(DeclarationKind::Attestation),
            bytes: 1_234,
            declarations: 2,
            titulaires: 3,
            file_errors: Vec::new(),
            errors,
            more_errors: 0,
            warnings: vec![LineError::new(
                1,
                None,
                "fin de ligne (hypothèse, à confirmer)",
            )],
        }
    }

    #[test]
    fn the_report_names_the_file_its_problems_and_the_verdict() {
        let ok = report("lot.csv", &conformity(Vec::new()));
        assert_eq!(
            ok,
            "lot.csv : fichier ADF (attestations de formation), 2 déclarations, 3 titulaires, \
             1234 octets.\nAttention, ligne 1 : fin de ligne (hypothèse, à confirmer)\n\
             Conforme aux règles connues du portail (guides d'import en masse de février 2026) : \
             prêt à déposer.\n"
        );
        let mut bad = conformity(vec![LineError::new(3, Some("NIR"), "clé fausse")]);
        bad.more_errors = 4;
        let text = report("lot.csv", &bad);
        assert!(
            text.contains("ligne 3, colonne NIR : clé fausse\n"),
            "{text}"
        );
        assert!(text.contains("… et 4 erreurs de plus"), "{text}");
        assert!(
            text.ends_with(
                "5 erreurs : corrigez avant de déposer ; une seule suffit au \
                                portail pour refuser tout le fichier.\n"
            ),
            "{text}"
        );
    }
}
