//! `passeport catalogue`: the training types loaded, each with its category and the confidence
//! label of that category, its validity and what the validity rests on, its exclusion if any, and
//! a legend of the labels (domain.md §1 and §5; the labels of `shared/domain.md`).

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::eyre::Result;

use super::export::write_stdout;
use crate::domain::training::{Catalogue, Confidence, TrainingType};
use crate::rules::Rules;

pub mod unmapped;

/// `passeport catalogue` arguments.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CatalogueArgs {
    /// Format de sortie : tableau aligné, ou json (le catalogue complet, sources et notes
    /// comprises).
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Table)]
    pub format: CatalogueFormat,
    /// Sans commande, affiche le catalogue.
    #[command(subcommand)]
    pub command: Option<CatalogueCommand>,
}

/// `passeport catalogue …`.
#[derive(Debug, Clone, Subcommand)]
pub enum CatalogueCommand {
    /// Liste les formations déclarées dont l'intitulé ne correspond à aucun type du catalogue
    /// (« type non reconnu »), pour leur ajouter un alias.
    #[command(after_help = unmapped::help())]
    Unmapped(unmapped::UnmappedArgs),
}

/// Output format (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogueFormat {
    /// Tableau aligné, une formation par ligne, puis la légende.
    Table,
    /// Le catalogue en JSON, comme GET /v1/catalogue.
    Json,
}

/// `passeport catalogue`: prints the catalogue on stdout, quietly stopping on a closed pipe.
pub fn run(args: &CatalogueArgs, rules: &Rules) -> Result<ExitCode> {
    let text = match args.format {
        CatalogueFormat::Table => to_table(&rules.catalogue),
        CatalogueFormat::Json => crate::json::document(&rules.catalogue.types)?,
    };
    write_stdout(text)?;
    Ok(ExitCode::SUCCESS)
}

/// Column headers of the table.
const HEADERS: [&str; 5] = ["Code", "Catégorie", "Validité", "Fondement", "Intitulé"];

/// The aligned table: one line per type (code, `cat. N [X]`, validity, basis, title), then under
/// it the exclusion, and the note when the category is only a third party's or an inference (the
/// note says where the sources disagree); then the legend of the labels.
pub fn to_table(catalogue: &Catalogue) -> String {
    let rows: Vec<[String; 5]> = catalogue.iter().map(row).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let indent = " ".repeat(widths[0] + 2);
    let mut out = line(&HEADERS.map(str::to_owned), &widths);
    for (training, cells) in catalogue.iter().zip(&rows) {
        out.push_str(&line(cells, &widths));
        if let Some(exclusion) = &training.exclusion {
            out.push_str(&format!(
                "{indent}exclue du Passeport : {} ({}) {}\n",
                exclusion.reason,
                exclusion.rule,
                exclusion.confidence.tag()
            ));
        }
        let doubtful = matches!(
            training.category_confidence,
            Confidence::ThirdParty | Confidence::Inferred
        );
        if let (true, Some(note)) = (doubtful, &training.note) {
            out.push_str(&format!("{indent}note : {note}\n"));
        }
    }
    out.push_str("\nLégende des étiquettes :");
    for confidence in [
        Confidence::Official,
        Confidence::Several,
        Confidence::ThirdParty,
        Confidence::Inferred,
    ] {
        out.push_str(&format!("\n  {} {}", confidence.tag(), confidence.label()));
    }
    out.push_str(
        "\nDétail, sources et notes de chaque formation : passeport catalogue --format json\n",
    );
    out
}

/// The cells of one training type.
fn row(training: &TrainingType) -> [String; 5] {
    let validity = training
        .validity_months
        .map_or_else(|| "sans échéance".to_owned(), |m| format!("{m} mois"));
    [
        training.code.clone(),
        training.category_tag(),
        validity,
        training.basis.label().to_owned(),
        training.title.clone(),
    ]
}

/// One aligned line; the last cell is not padded.
fn line(cells: &[String; 5], widths: &[usize; 5]) -> String {
    let mut out = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if index + 1 == cells.len() {
            out.push_str(cell);
        } else {
            let pad = width - cell.chars().count();
            out.push_str(cell);
            out.push_str(&" ".repeat(pad + 2));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> String {
        to_table(&Catalogue::embedded().unwrap())
    }

    fn line_of<'a>(table: &'a str, code: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code))
            .unwrap()
    }

    #[test]
    fn every_type_shows_its_category_label_validity_and_basis() {
        let table = table();
        let sst = line_of(&table, "SST");
        assert!(sst.contains("cat. 3 [I]"), "{sst}");
        assert!(sst.contains("24 mois"), "{sst}");
        assert!(sst.contains("recommandation"), "{sst}");
        let pcr = line_of(&table, "PCR");
        assert!(pcr.contains("cat. 1 [C]"), "{pcr}");
        assert!(pcr.contains("texte réglementaire"), "{pcr}");
        let rps = line_of(&table, "RPS");
        assert!(rps.contains("cat. 4 [S]"), "{rps}");
        assert!(rps.contains("sans échéance"), "{rps}");
    }

    #[test]
    fn columns_stay_aligned_with_the_longest_code() {
        let table = table();
        let column = |code: &str| line_of(&table, code).find("cat. ").unwrap();
        let longest = "AMIANTE_SS4_ENCADRANT_TECHNIQUE";
        assert_eq!(column("SST"), column(longest));
        assert_eq!(column("RPS"), column(longest));
        let basis = |code: &str| line_of(&table, code).find("recommandation").unwrap();
        assert_eq!(basis("SST"), basis("CACES_R489"));
        let header = table.lines().next().unwrap();
        assert_eq!(header.find("Catégorie"), Some(column("SST")));
    }

    #[test]
    fn exclusions_notes_of_doubtful_categories_and_the_legend_are_shown() {
        let table = table();
        assert!(
            table.contains("exclue du Passeport : formation de formateurs (art. 4-II-1° du décret 2022-1712) [C]"),
            "{table}"
        );
        assert_eq!(
            table.matches("exclue du Passeport :").count(),
            4,
            "FORMATEUR_SST, SSIAP 1–3"
        );
        assert!(
            table.contains("se contredisent"),
            "TRAVAIL_EN_HAUTEUR says so"
        );
        for legend in [
            "[C] texte officiel",
            "[S] plusieurs sources concordantes",
            "[T] une seule source tierce, à confirmer",
            "[I] déduction, à confirmer",
        ] {
            assert!(table.contains(legend), "{legend}");
        }
    }
}
