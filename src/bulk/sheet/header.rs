//! The header row of a sheet, found below title rows, its columns matched by their usual French
//! names (the synonym table `assets/columns.toml`), and the file's kind recognised from them.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;

use super::values::{self, fold};
use super::{Cell, Grid, Row, SheetError, column_letter};
use crate::domain::declaration::columns::{ADF, JDR};

/// The synonym table, embedded; see its header for the matching rules and sources.
pub const COLUMNS_TOML: &str = include_str!("../../../assets/columns.toml");

/// Rows looked at, from the top, for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// Small words left out when comparing column names (« Date de début » = « Date début »).
const STOP_WORDS: [&str; 8] = ["de", "du", "des", "la", "le", "les", "l", "d"];

/// A value a column of a team's sheet holds (domain.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Numéro de sécurité sociale.
    Nir,
    /// Nom de naissance.
    BirthName,
    /// Nom (d'usage).
    LastName,
    /// Prénom.
    FirstName,
    /// Date de naissance.
    BirthDate,
    /// Matricule.
    EmployeeNumber,
    /// Service.
    Service,
    /// Site.
    Site,
    /// Équipe.
    Team,
    /// Poste, fonction.
    Job,
    /// Responsable.
    Manager,
    /// Date d'entrée.
    EntryDate,
    /// Date de sortie.
    LeavingDate,
    /// Entreprise du stagiaire.
    Company,
    /// SIRET de l'entreprise.
    Siret,
    /// Intitulé de la formation.
    Training,
    /// Catégorie de la formation.
    Category,
    /// Organisme de formation.
    Organisme,
    /// Date de début de la formation.
    StartDate,
    /// Date de fin (ou d'obtention).
    EndDate,
    /// Date d'expiration (ou de recyclage).
    ExpiryDate,
    /// Résultat.
    Result,
    /// Numéro de certificat.
    CertificateNumber,
    /// Numéro de session.
    Session,
    /// Adresse e-mail.
    Email,
    /// Compétences transférables (codes ROME) of the training.
    Competences,
    /// Formacodes of the training.
    Formacodes,
    /// NSF codes of the training.
    Nsf,
    /// Statut d'emploi (« Actif », « Sorti »).
    Status,
}

impl Field {
    /// French name, as the report shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Nir => "NIR",
            Self::BirthName => "nom de naissance",
            Self::LastName => "nom",
            Self::FirstName => "prénom",
            Self::BirthDate => "date de naissance",
            Self::EmployeeNumber => "matricule",
            Self::Service => "service",
            Self::Site => "site",
            Self::Team => "équipe",
            Self::Job => "poste",
            Self::Manager => "responsable",
            Self::EntryDate => "date d'entrée",
            Self::LeavingDate => "date de sortie",
            Self::Company => "entreprise",
            Self::Siret => "SIRET",
            Self::Training => "formation",
            Self::Category => "catégorie",
            Self::Organisme => "organisme de formation",
            Self::StartDate => "date de début",
            Self::EndDate => "date de fin",
            Self::ExpiryDate => "date d'expiration",
            Self::Result => "résultat",
            Self::CertificateNumber => "n° de certificat",
            Self::Session => "n° de session",
            Self::Email => "e-mail",
            Self::Competences => "compétences transférables",
            Self::Formacodes => "formacodes",
            Self::Nsf => "codes NSF",
            Self::Status => "statut",
        }
    }

    /// Whether the column holds dates.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Self::BirthDate
                | Self::EntryDate
                | Self::LeavingDate
                | Self::StartDate
                | Self::EndDate
                | Self::ExpiryDate
        )
    }
}

/// What a sheet is (issue 15 §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Official attestations de formation file (ADF).
    Adf,
    /// Official justificatifs de réussite file (JDR).
    Jdr,
    /// A training organisation's trainee sheet (one row per trainee).
    Trainees,
    /// An HR staff roster (one row per worker).
    Roster,
    /// An HR training history (one row per worker × training).
    History,
    /// A people × trainings matrix (one row per worker, one column per training holding a date).
    Matrix,
}

impl Kind {
    /// French name, as the report shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Adf => "fichier officiel ADF (attestations de formation)",
            Self::Jdr => "fichier officiel JDR (justificatifs de réussite)",
            Self::Trainees => "feuille de stagiaires d'un organisme de formation",
            Self::Roster => "registre du personnel",
            Self::History => "historique des formations",
            Self::Matrix => "matrice personnes × formations",
        }
    }

    /// The fields this kind reads (its import uses each, names aside, which show whom a row is
    /// about); any other recognised column is ignored.
    fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            Self::Adf | Self::Jdr => &[],
            Self::Trainees => &[
                Nir,
                BirthName,
                LastName,
                FirstName,
                Company,
                Siret,
                Training,
                StartDate,
                EndDate,
                ExpiryDate,
                Result,
                Session,
                Competences,
                Formacodes,
                Nsf,
            ],
            Self::Roster => &[
                Nir,
                BirthName,
                LastName,
                FirstName,
                BirthDate,
                EmployeeNumber,
                Service,
                Site,
                Job,
                Manager,
                EntryDate,
                LeavingDate,
                Status,
            ],
            Self::History => &[
                Nir,
                EmployeeNumber,
                BirthName,
                LastName,
                FirstName,
                Training,
                Organisme,
                StartDate,
                EndDate,
                ExpiryDate,
                Result,
                CertificateNumber,
            ],
            Self::Matrix => &[Nir, EmployeeNumber, BirthName, LastName, FirstName],
        }
    }

    /// The fields this kind needs: one of each group.
    fn required(self) -> &'static [&'static [Field]] {
        use Field::*;
        match self {
            Self::Adf | Self::Jdr => &[],
            Self::Trainees => &[&[Nir], &[BirthName, LastName], &[Training], &[EndDate]],
            Self::Roster => &[&[EmployeeNumber, Nir], &[BirthName, LastName]],
            Self::History => &[&[EmployeeNumber, Nir], &[Training], &[EndDate, ExpiryDate]],
            Self::Matrix => &[&[EmployeeNumber, Nir]],
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a column is left aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// Its name is none the table knows.
    Unknown,
    /// Another column, earlier, holds the same field (its index).
    Duplicate(usize),
    /// A known field this kind of file does not use.
    NotUsed,
}

/// What a column is taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An official column of the ADF/JDR layout.
    Official(&'static str),
    /// A field of a team's sheet.
    Field(Field),
    /// A training of a matrix: its cells hold the date each person followed it.
    Training,
    /// Left aside.
    Ignored(Ignored),
}

/// A named column of the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Index from column A (0).
    pub index: usize,
    /// The header as written (both rows of a two-row header, joined).
    pub header: String,
    /// What it is taken for.
    pub role: Role,
}

impl Column {
    /// `C (N° de sécurité sociale)`.
    pub fn place(&self) -> String {
        format!(
            "{} ({})",
            column_letter(self.index),
            values::shown(&self.header)
        )
    }
}

/// A sheet understood: its kind, its columns and the rows under the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the sheet is.
    pub kind: Kind,
    /// Whether the kind was recognised (not told with `--kind`).
    pub recognised: bool,
    /// Line of the header's last row.
    pub header_line: usize,
    /// Every named column, in sheet order.
    pub columns: Vec<Column>,
    /// The rows under the header.
    pub rows: Vec<Row>,
    /// Fields the kind needs that no column holds (each group as its French names).
    pub missing: Vec<String>,
}

impl Table {
    /// The column taken for `field`.
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == Role::Field(field))
    }
}

/// The synonym table, read from `assets/columns.toml`.
#[derive(Debug, Clone)]
pub struct Synonyms {
    /// Each field with its names, normalised by [`name_key`].
    names: Vec<(Field, Vec<String>)>,
}

/// One entry of the TOML file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    field: Field,
    names: Vec<String>,
}

/// The TOML file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    fields: Vec<Entry>,
}

impl Synonyms {
    /// The embedded table.
    pub fn embedded() -> Result<Self, toml::de::Error> {
        let file: SynonymsFile = toml::from_str(COLUMNS_TOML)?;
        Ok(Self {
            names: file
                .fields
                .into_iter()
                .map(|entry| {
                    (
                        entry.field,
                        entry.names.iter().map(|n| name_key(n)).collect(),
                    )
                })
                .collect(),
        })
    }

    /// The field a column name designates.
    pub fn field(&self, name: &str) -> Option<Field> {
        let key = name_key(name);
        if key.is_empty() {
            return None;
        }
        self.names
            .iter()
            .find(|(_, names)| names.contains(&key))
            .map(|(field, _)| *field)
    }
}

/// A column name compared: folded ([`fold`]), text in parentheses and small words left out
/// (kept when nothing else remains: « Du » stays `du`).
pub fn name_key(name: &str) -> String {
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let folded = if fold(&outside).is_empty() {
        fold(name)
    } else {
        fold(&outside)
    };
    let kept: Vec<&str> = folded
        .split(' ')
        .filter(|w| !STOP_WORDS.contains(w))
        .collect();
    if kept.is_empty() {
        folded
    } else {
        kept.join(" ")
    }
}

/// The official column a header names (any case, `_` or spaces).
fn official(name: &str) -> Option<&'static str> {
    let key = fold(name);
    JDR.iter().copied().find(|c| fold(c) == key)
}

/// How a header cell reads: as an official column, a field of the synonym table, or both
/// (`NIR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Match {
    official: Option<&'static str>,
    field: Option<Field>,
}

fn matches(synonyms: &Synonyms, cell: &Cell) -> Option<Match> {
    let Cell::Text(text) = cell else {
        return None;
    };
    let found = Match {
        official: official(text),
        field: synonyms.field(text),
    };
    (found.official.is_some() || found.field.is_some()).then_some(found)
}

/// Distinct names a row matches.
fn score(synonyms: &Synonyms, row: &Row) -> usize {
    let found: HashSet<_> = row
        .cells
        .iter()
        .filter_map(|c| matches(synonyms, c))
        .collect();
    found.len()
}

/// Finds the header row (the one of the first rows naming the most known columns, at least two;
/// a second header row under it when merged header cells spread names over two rows), then the
/// kind: `forced` when told, else recognised from the columns.
pub fn recognise(
    grid: &Grid,
    synonyms: &Synonyms,
    forced: Option<Kind>,
) -> Result<Table, SheetError> {
    let mut best: Option<(usize, usize)> = None;
    for (index, row) in grid.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let found = score(synonyms, row);
        if found >= 2 && best.is_none_or(|(top, _)| found > top) {
            best = Some((found, index));
        }
    }
    let Some((_, at)) = best else {
        return Err(SheetError::NoHeader {
            rows: HEADER_SEARCH_ROWS.min(grid.rows.len()),
        });
    };
    let top = &grid.rows[at];
    let mut names: Vec<String> = top.cells.iter().map(Cell::text).collect();
    let mut header_line = top.line;
    let mut data_from = at + 1;
    if let Some(below) = grid.rows.get(at + 1).filter(|r| r.line == top.line + 1) {
        // Names of the row below under cells of the header that name nothing (a merged group
        // title, or an empty cell left by a merge): a two-row header.
        let completes = below
            .cells
            .iter()
            .enumerate()
            .filter(|(i, cell)| {
                matches(synonyms, cell).is_some()
                    && top
                        .cells
                        .get(*i)
                        .is_none_or(|c| matches(synonyms, c).is_none())
            })
            .count();
        let all_text = below
            .cells
            .iter()
            .all(|c| matches!(c, Cell::Text(_) | Cell::Empty));
        if completes >= 2 && all_text {
            names.resize(names.len().max(below.cells.len()), String::new());
            for (index, cell) in below.cells.iter().enumerate() {
                let upper = &names[index];
                let upper_matches = matches(synonyms, &Cell::Text(upper.clone())).is_some();
                if !cell.is_empty() && (upper.is_empty() || !upper_matches) {
                    names[index] = cell.text();
                }
            }
            header_line = below.line;
            data_from = at + 2;
        }
    }
    let rows: Vec<Row> = grid.rows[data_from..].to_vec();
    if rows.is_empty() {
        return Err(SheetError::NoRows {
            header: header_line,
        });
    }
    let found: Vec<Option<Match>> = names
        .iter()
        .map(|n| matches(synonyms, &Cell::Text(n.clone())))
        .collect();
    let kind = match forced {
        Some(kind) => kind,
        None => guess(&names, &found, &rows).ok_or_else(|| SheetError::UnknownKind {
            found: found
                .iter()
                .flatten()
                .filter_map(|m| m.field.map(Field::label).or(m.official))
                .collect::<Vec<_>>()
                .join(", "),
        })?,
    };
    let columns = assign(kind, &names, &found, &rows);
    let missing = kind
        .required()
        .iter()
        .filter(|group| {
            !group
                .iter()
                .any(|f| columns.iter().any(|c| c.role == Role::Field(*f)))
        })
        .map(|group| {
            group
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join(" ou ")
        })
        .collect();
    Ok(Table {
        kind,
        recognised: forced.is_none(),
        header_line,
        columns,
        rows,
        missing,
    })
}

/// Whether most of the filled cells of column `index` hold dates.
fn holds_dates(rows: &[Row], index: usize) -> bool {
    let filled: Vec<&Cell> = rows
        .iter()
        .filter_map(|r| r.cells.get(index))
        .filter(|c| !c.is_empty())
        .collect();
    let dates = filled.iter().filter(|c| values::date(c).is_ok()).count();
    !filled.is_empty() && dates * 2 >= filled.len()
}

/// The kind the columns say, if any.
fn guess(names: &[String], found: &[Option<Match>], rows: &[Row]) -> Option<Kind> {
    // Official names that no team sheet uses (ID_DECLARATION, NOM_TITULAIRE…).
    let officials: Vec<&str> = found
        .iter()
        .flatten()
        .filter(|m| m.field.is_none())
        .filter_map(|m| m.official)
        .collect();
    if officials.len() >= 2 {
        let jdr_only = officials.iter().any(|c| !ADF.contains(c));
        return Some(if jdr_only { Kind::Jdr } else { Kind::Adf });
    }
    let fields: HashSet<Field> = found.iter().flatten().filter_map(|m| m.field).collect();
    let has = |field: Field| fields.contains(&field);
    let person = has(Field::Nir)
        || has(Field::EmployeeNumber)
        || has(Field::BirthName)
        || has(Field::LastName);
    if !person {
        return None;
    }
    if has(Field::Training) {
        let trainee = [Field::Company, Field::Siret, Field::Session, Field::Email]
            .iter()
            .filter(|f| has(**f))
            .count();
        let history = [
            Field::EmployeeNumber,
            Field::Category,
            Field::Organisme,
            Field::ExpiryDate,
            Field::CertificateNumber,
        ]
        .iter()
        .filter(|f| has(**f))
        .count();
        return Some(if trainee > history {
            Kind::Trainees
        } else {
            Kind::History
        });
    }
    let date_columns = names
        .iter()
        .zip(found)
        .enumerate()
        .filter(|(i, (name, m))| !name.is_empty() && m.is_none() && holds_dates(rows, *i))
        .count();
    if date_columns >= 2 {
        return Some(Kind::Matrix);
    }
    Some(Kind::Roster)
}

/// The role of every named column for `kind`.
fn assign(kind: Kind, names: &[String], found: &[Option<Match>], rows: &[Row]) -> Vec<Column> {
    let official_kind = matches!(kind, Kind::Adf | Kind::Jdr);
    let layout: &[&str] = if kind == Kind::Jdr { &JDR } else { &ADF };
    let mut columns: Vec<Column> = Vec::new();
    for (index, (name, m)) in names.iter().zip(found).enumerate() {
        if name.is_empty() {
            continue;
        }
        let official = m.and_then(|m| m.official);
        let field = m.and_then(|m| m.field);
        let wanted = match (official_kind, official, field) {
            (true, Some(column), _) if layout.contains(&column) => Role::Official(column),
            (true, ..) => Role::Ignored(Ignored::Unknown),
            (false, _, Some(field)) => Role::Field(field),
            (false, ..) if kind == Kind::Matrix && holds_dates(rows, index) => Role::Training,
            (false, ..) => Role::Ignored(Ignored::Unknown),
        };
        let role = match wanted {
            Role::Field(field) if !kind.fields().contains(&field) => {
                Role::Ignored(Ignored::NotUsed)
            }
            Role::Field(_) | Role::Official(_) => match columns.iter().find(|c| c.role == wanted) {
                Some(first) => Role::Ignored(Ignored::Duplicate(first.index)),
                None => wanted,
            },
            other => other,
        };
        columns.push(Column {
            index,
            header: name.clone(),
            role,
        });
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Synonyms {
        Synonyms::embedded().unwrap()
    }

    fn grid(rows: &[&[&str]]) -> Grid {
        crate::bulk::sheet::grid_of(rows)
    }

    #[test]
    fn every_name_of_the_table_designates_one_field() {
        let table = synonyms();
        let mut seen = std::collections::HashMap::new();
        for (field, names) in &table.names {
            assert!(!names.is_empty(), "{field:?}");
            for name in names {
                assert!(!name.is_empty(), "{field:?}");
                if let Some(other) = seen.insert(name.clone(), *field) {
                    assert_eq!(other, *field, "« {name} » names two fields");
                }
            }
        }
    }

    #[test]
    fn names_match_regardless_of_accents_case_punctuation_and_spacing() {
        let table = synonyms();
        for name in [
            "N° de sécurité sociale",
            "NIR",
            "Numéro SS",
            "n° securite sociale",
            "  N°  DE SÉCURITÉ-SOCIALE ",
            "NIR (15 chiffres)",
        ] {
            assert_eq!(table.field(name), Some(Field::Nir), "{name}");
        }
        assert_eq!(table.field("Date de début"), Some(Field::StartDate));
        assert_eq!(table.field("date debut"), Some(Field::StartDate));
        assert_eq!(table.field("Date d'entrée"), Some(Field::EntryDate));
        assert_eq!(table.field("Du"), Some(Field::StartDate));
        assert_eq!(table.field("Couleur préférée"), None);
        assert_eq!(table.field(""), None);
    }

    #[test]
    fn a_trainee_sheet_is_found_below_its_title_rows() {
        let sheet = grid(&[
            &["Centre de formation Exemple — stagiaires"],
            &["Session de mars", "", ""],
            &[],
            &[
                "Nom de naissance",
                "Prénom",
                "N° de sécurité sociale",
                "Entreprise",
                "SIRET",
                "Formation",
                "Date de fin",
                "Résultat",
                "Remarque",
            ],
            &[
                "DUPONT",
                "Jean",
                "1850375123456",
                "ACME",
                "73282932000074",
                "SST",
                "12/03/2026",
                "Admis",
                "",
            ],
        ]);
        let table = recognise(&sheet, &synonyms(), None).unwrap();
        assert_eq!(table.kind, Kind::Trainees);
        assert!(table.recognised);
        assert_eq!(table.header_line, 4);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(
            table.column(Field::Nir).unwrap().place(),
            "C (N° de sécurité sociale)"
        );
        assert_eq!(
            table.columns.last().unwrap().role,
            Role::Ignored(Ignored::Unknown)
        );
        assert!(table.missing.is_empty());
    }

    #[test]
    fn each_kind_is_told_by_its_columns() {
        let kind = |header: &[&str], row: &[&str]| {
            recognise(&grid(&[header, row]), &synonyms(), None).map(|t| t.kind)
        };
        assert_eq!(
            kind(
                &["Matricule", "Nom", "Prénom", "Service", "Date d'entrée"],
                &["M1", "DURAND", "Léa", "Atelier", "01/02/2020"]
            ),
            Ok(Kind::Roster)
        );
        assert_eq!(
            kind(
                &[
                    "Matricule",
                    "Intitulé",
                    "Organisme",
                    "Date fin",
                    "Date d'expiration"
                ],
                &["M1", "SST", "INRS", "01/02/2025", "01/02/2027"]
            ),
            Ok(Kind::History)
        );
        assert_eq!(
            kind(
                &["Matricule", "Nom", "SST", "CACES R489", "Habilitation B0"],
                &["M1", "DURAND", "01/02/2025", "", "3 mars 2024"]
            ),
            Ok(Kind::Matrix)
        );
        assert_eq!(
            kind(
                &[
                    "ID_DECLARATION",
                    "REFERENCE_DECLARATION",
                    "NIR",
                    "NOM_TITULAIRE"
                ],
                &["D1", "R1", "1850375123456", "DUPONT"]
            ),
            Ok(Kind::Adf)
        );
        assert_eq!(
            kind(
                &["ID_DECLARATION", "TYPE_JDR", "NOM_JDR", "NIR"],
                &["D1", "CERTIFICAT", "SST", "1850375123456"]
            ),
            Ok(Kind::Jdr)
        );
        assert!(matches!(
            kind(&["Formation", "Date de fin"], &["SST", "01/02/2025"]),
            Err(SheetError::UnknownKind { .. })
        ));
        assert!(matches!(
            kind(&["Couleur", "Goût"], &["bleu", "sucré"]),
            Err(SheetError::NoHeader { .. })
        ));
    }

    #[test]
    fn a_told_kind_wins_and_its_missing_columns_are_listed() {
        let sheet = grid(&[&["Nom", "Prénom", "Email"], &["DURAND", "Léa", "l@x.fr"]]);
        let table = recognise(&sheet, &synonyms(), Some(Kind::Trainees)).unwrap();
        assert!(!table.recognised);
        assert_eq!(table.missing, ["NIR", "formation", "date de fin"]);
    }

    #[test]
    fn a_two_row_header_under_merged_cells_is_read_whole() {
        let sheet = grid(&[
            &["Nom", "Prénom", "Dates de formation", "", "Formation"],
            &["", "", "Début", "Fin", ""],
            &["DUPONT", "Jean", "01/03/2026", "02/03/2026", "SST"],
        ]);
        let table = recognise(&sheet, &synonyms(), Some(Kind::History)).unwrap();
        assert_eq!(table.header_line, 2);
        assert_eq!(table.column(Field::StartDate).unwrap().index, 2);
        assert_eq!(table.column(Field::EndDate).unwrap().index, 3);
        assert_eq!(table.column(Field::LastName).unwrap().index, 0);
        assert_eq!(table.rows.len(), 1);
    }

    #[test]
    fn a_second_column_for_one_field_is_ignored_as_a_duplicate() {
        let sheet = grid(&[
            &["NIR", "Nom", "N° de sécurité sociale", "Poste"],
            &["1850375123456", "DURAND", "1850375123456", "Cariste"],
        ]);
        let table = recognise(&sheet, &synonyms(), None).unwrap();
        assert_eq!(table.kind, Kind::Roster);
        assert_eq!(table.columns[2].role, Role::Ignored(Ignored::Duplicate(0)));
    }
}
