//! A training organisation's trainee sheet (issue 15 §3) turned into the official ADF and JDR
//! tables that [`crate::bulk::read::read_table`] checks and groups: rows grouped per session (or
//! per training and dates), at most [`MAX_TITULAIRES`] per declaration, a justificatif de
//! réussite for a success when the catalogue type issues one and an attestation otherwise, the
//! official codes taken from the sheet or the catalogue, and stable `ID_DECLARATION` and
//! `ID_UNIQUE_PARTENAIRE` derived from the content. Every problem is placed at its cell. Pure.

use std::collections::{HashMap, HashSet};
use std::iter::once;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::check;
use super::header::{Field, Table};
use super::values::{self, Outcome, fold, shown};
use super::{Cell, Row};
use crate::bulk::read::LineError;
use crate::bulk::{DATE_FORMAT, NO, VALUE_SEPARATOR, YES};
use crate::domain::DeclarationKind;
use crate::domain::declaration::columns::*;
use crate::domain::training::{Catalogue, Confidence, TrainingType};
use crate::simulator::Tree;

/// Most titulaires of one declaration (domain.md §8: 1 to 500 per `ID_DECLARATION`).
pub const MAX_TITULAIRES: usize = 500;

/// Longest `REFERENCE_DECLARATION` (domain.md §8).
const MAX_REFERENCE: usize = 280;

/// Hex characters of a content hash kept in the generated identifiers.
const HASH_CHARS: usize = 16;

/// What the conversion reads beside the sheet.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The training types, their aliases and official codes.
    pub catalogue: &'a Catalogue,
    /// The simulator's tree, whose outcomes give the reason of an exclusion.
    pub tree: &'a Tree,
    /// Trainings ending after this day are not declared yet.
    pub today: NaiveDate,
}

/// The official columns of one layout and its lines: (sheet line, cells in header order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialTable {
    /// Attestations (ADF) or justificatifs (JDR).
    pub kind: DeclarationKind,
    /// The layout's columns, in official order.
    pub header: Vec<String>,
    /// One line per titulaire, in sheet order within each declaration.
    pub lines: Vec<(usize, Vec<String>)>,
}

/// A trainee sheet converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Trainees {
    /// The official tables, ADF then JDR, each present when it has a line.
    pub tables: Vec<OfficialTable>,
    /// The catalogue code of each `ID_DECLARATION`.
    pub training_codes: HashMap<String, String>,
    /// Every problem of the sheet, at its cell.
    pub errors: Vec<LineError>,
    /// What is accepted with a remark (codes of an inferred catalogue entry, absent trainees).
    pub warnings: Vec<LineError>,
    places: Places,
}

/// The sheet column (its place, `C (N° SS)`) of each field the conversion reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Places(HashMap<Field, String>);

impl Places {
    fn of(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    /// The sheet column an official column comes from, and whether it is a code list the
    /// sheet does not hold (taken from the catalogue).
    fn official(&self, column: &str) -> (Option<&str>, bool) {
        let first = |fields: &[Field]| fields.iter().find_map(|f| self.of(*f));
        let codes = |field: Field| match self.of(field) {
            Some(place) => (Some(place), false),
            None => (self.of(Field::Training), true),
        };
        match column {
            NIR => (self.of(Field::Nir), false),
            NOM_TITULAIRE => (first(&[Field::BirthName, Field::LastName]), false),
            SIRET_EMPLOYEUR | PRESENCE_EMPLOYEUR => (first(&[Field::Siret, Field::Company]), false),
            DATE_DEBUT_FORMATION => (first(&[Field::StartDate, Field::EndDate]), false),
            DATE_FIN_FORMATION | DATE_DEBUT_VALIDITE => (self.of(Field::EndDate), false),
            DATE_FIN_VALIDITE => (first(&[Field::ExpiryDate, Field::EndDate]), false),
            COMPETENCE_TRANSFERABLE => codes(Field::Competences),
            DOMAINE_FORMATION => codes(Field::Formacodes),
            SPECIALITE_FORMATION => codes(Field::Nsf),
            _ => (self.of(Field::Training), false),
        }
    }
}

impl Trainees {
    /// An error of the official checks (or of the server) placed at the sheet's cell: the
    /// official column becomes the sheet column it was made from; a code list the catalogue
    /// lacks says where to supply it.
    pub fn relocate(&self, error: LineError) -> LineError {
        let Some(column) = error.column.as_deref() else {
            return error;
        };
        let (place, from_catalogue) = self.places.official(column);
        let Some(place) = place else {
            return error;
        };
        let mut message = error.message.clone();
        if from_catalogue {
            message.push_str(&format!(
                " Ni la feuille ni le catalogue ne donnent ce code ({column}) pour cette \
                 formation : ajoutez une colonne « {} » à la feuille, ou les codes au type dans \
                 une copie de catalogue.toml du dossier de configuration.",
                match column {
                    COMPETENCE_TRANSFERABLE => "Compétences transférables",
                    DOMAINE_FORMATION => "Formacode",
                    _ => "NSF",
                }
            ));
        }
        LineError::new(error.line, Some(place), message)
    }

    /// The sheet's errors and `official` ones (relocated) together, by line then column; an
    /// official error at a cell the sheet's check already reported is left out.
    pub fn merge(&self, official: Vec<LineError>) -> Vec<LineError> {
        let seen: HashSet<(usize, Option<String>)> = self
            .errors
            .iter()
            .map(|e| (e.line, e.column.clone()))
            .collect();
        let mut all = self.errors.clone();
        for error in official.into_iter().map(|e| self.relocate(e)) {
            if !seen.contains(&(error.line, error.column.clone())) && !all.contains(&error) {
                all.push(error);
            }
        }
        sort(&mut all);
        all
    }
}

/// Sorts located problems by line, then column in sheet order.
pub fn sort(errors: &mut [LineError]) {
    errors.sort_by_key(|e| (e.line, e.column.as_deref().map_or(0, column_rank)));
}

/// The rank of a place `AB (…)`: its column index plus one, 0 without letters.
fn column_rank(place: &str) -> usize {
    place
        .chars()
        .take_while(char::is_ascii_uppercase)
        .fold(0, |rank, c| rank * 26 + usize::from(c as u8 - b'A' + 1))
}

/// The catalogue type a free title names: its code, title or alias, compared without case,
/// accents, punctuation or spaces (« Recyclage SST 7 h » = alias « Recyclage SST 7h »).
pub fn training_type<'a>(catalogue: &'a Catalogue, title: &str) -> Option<&'a TrainingType> {
    let compact = |text: &str| fold(text).replace(' ', "");
    let wanted = compact(title);
    if wanted.is_empty() {
        return None;
    }
    catalogue.recognise(title).or_else(|| {
        catalogue.iter().find(|t| {
            once(&t.code)
                .chain(once(&t.title))
                .chain(&t.aliases)
                .any(|name| compact(name) == wanted)
        })
    })
}

/// Why a type is not declared: the simulator's outcome for it, else the catalogue's exclusion.
pub fn exclusion_reason(rules: &Rules<'_>, training: &TrainingType) -> Option<String> {
    if let Some((id, reason, _)) = rules.tree.exclusion_of(&training.code) {
        return Some(format!("{reason} (assets/simulator.toml, {id})"));
    }
    training.exclusion.as_ref().map(|exclusion| {
        format!(
            "{} ({}) {}.",
            exclusion.reason,
            exclusion.rule,
            exclusion.confidence.tag()
        )
    })
}

/// One trainee row ready to be declared.
struct Trainee<'a> {
    line: usize,
    training: &'a TrainingType,
    kind: DeclarationKind,
    /// The session, or the training and its dates: what one declaration gathers.
    identity: String,
    /// The start date was not given (the end date stands for it).
    no_start: bool,
    /// Official column → value.
    cells: HashMap<&'static str, String>,
}

/// Converts a trainee sheet; `Trainees::errors` lists every problem of its cells.
pub fn convert(table: &Table, rules: &Rules<'_>) -> Trainees {
    let places = Places(
        table
            .columns
            .iter()
            .filter_map(|c| match c.role {
                super::header::Role::Field(field) => Some((field, c.place())),
                _ => None,
            })
            .collect(),
    );
    let mut errors: Vec<LineError> = check::check(table)
        .into_iter()
        .map(|e| LineError::new(e.line, Some(&e.column), e.message))
        .collect();
    for missing in &table.missing {
        errors.push(LineError::new(
            table.header_line,
            None,
            format!("Colonne absente : {missing} (une feuille de stagiaires doit la porter)."),
        ));
    }
    let mut warnings = Vec::new();
    let mut trainees = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for row in &table.rows {
        let mut reader = RowReader {
            table,
            row,
            places: &places,
            errors: &mut errors,
        };
        let Some(trainee) = reader.trainee(rules, &mut warnings) else {
            continue;
        };
        let nir = trainee.cells.get(NIR).cloned().unwrap_or_default();
        if !nir.is_empty() {
            match seen.entry((trainee.identity.clone(), nir)) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    reader.error(
                        Field::Nir,
                        format!(
                            "Doublon de la ligne {} : même stagiaire (NIR), même formation aux \
                             mêmes dates.",
                            first.get()
                        ),
                    );
                    continue;
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(row.line);
                }
            }
        }
        trainees.push(trainee);
    }
    let mut converted = Trainees {
        tables: Vec::new(),
        training_codes: HashMap::new(),
        errors,
        warnings,
        places,
    };
    converted.declare(trainees);
    sort(&mut converted.errors);
    sort(&mut converted.warnings);
    converted
}

impl Trainees {
    /// Groups the trainees into declarations of at most [`MAX_TITULAIRES`] and writes their
    /// lines with the identifiers.
    fn declare(&mut self, trainees: Vec<Trainee<'_>>) {
        let mut groups: Vec<Vec<Trainee<'_>>> = Vec::new();
        let mut index: HashMap<(String, DeclarationKind), usize> = HashMap::new();
        for trainee in trainees {
            let key = (trainee.identity.clone(), trainee.kind);
            match index.get(&key) {
                Some(&at) => groups[at].push(trainee),
                None => {
                    index.insert(key, groups.len());
                    groups.push(vec![trainee]);
                }
            }
        }
        let mut tables: Vec<OfficialTable> =
            [DeclarationKind::Attestation, DeclarationKind::Justificatif]
                .into_iter()
                .map(|kind| OfficialTable {
                    kind,
                    header: for_kind(kind).iter().map(|c| (*c).to_owned()).collect(),
                    lines: Vec::new(),
                })
                .collect();
        for group in groups {
            let chunks = group.len().div_ceil(MAX_TITULAIRES);
            for (n, chunk) in group.chunks(MAX_TITULAIRES).enumerate() {
                let Some(first) = chunk.first() else { continue };
                let id = declaration_id(first, n, chunks);
                self.training_codes
                    .insert(id.clone(), first.training.code.clone());
                self.note_catalogue_codes(first);
                if first.no_start {
                    self.warn(
                        first.line,
                        Field::StartDate,
                        Field::EndDate,
                        "Date de début absente : la formation est déclarée sur son seul jour de \
                         fin [I]."
                            .to_owned(),
                    );
                }
                let reference = reference(first, n, chunks);
                let table = &mut tables[usize::from(first.kind == DeclarationKind::Justificatif)];
                for trainee in chunk {
                    let mut cells = trainee.cells.clone();
                    // Two titles of one type in a session (« SST », « Sauveteur secouriste du
                    // travail ») are one training: the first row's title names it.
                    if trainee.training.code == first.training.code {
                        for column in [NOM_FORMATION, NOM_JDR] {
                            if let Some(title) = first.cells.get(column) {
                                cells.insert(column, title.clone());
                            }
                        }
                    }
                    let nir = cells.get(NIR).cloned().unwrap_or_default();
                    cells.insert(ID_DECLARATION, id.clone());
                    cells.insert(REFERENCE_DECLARATION, reference.clone());
                    cells.insert(
                        ID_UNIQUE_PARTENAIRE,
                        format!("PP-{}", digest(&[&trainee.identity, &nir])),
                    );
                    let line = table
                        .header
                        .iter()
                        .map(|c| cells.get(c.as_str()).cloned().unwrap_or_default())
                        .collect();
                    table.lines.push((trainee.line, line));
                }
            }
        }
        self.tables = tables.into_iter().filter(|t| !t.lines.is_empty()).collect();
    }

    /// A warning at the declaration's first line naming the codes taken from a catalogue entry
    /// that is not an official text, with its label and source.
    fn note_catalogue_codes(&mut self, first: &Trainee<'_>) {
        let Some(codes) = &first.training.codes else {
            return;
        };
        if codes.confidence == Confidence::Official {
            return;
        }
        let mut taken = Vec::new();
        if first.kind == DeclarationKind::Justificatif
            && let Some(kind) = codes.type_jdr
        {
            taken.push(format!("type de justificatif {}", kind.as_code()));
        }
        for (field, column, list) in [
            (
                Field::Competences,
                COMPETENCE_TRANSFERABLE,
                &codes.competences,
            ),
            (Field::Formacodes, DOMAINE_FORMATION, &codes.formacodes),
            (Field::Nsf, SPECIALITE_FORMATION, &codes.nsf),
        ] {
            if self.places.of(field).is_none() && !list.is_empty() {
                taken.push(format!(
                    "{column} {}",
                    list.join(&VALUE_SEPARATOR.to_string())
                ));
            }
        }
        if taken.is_empty() {
            return;
        }
        self.warn(
            first.line,
            Field::Training,
            Field::Training,
            format!(
                "Codes pris du catalogue pour « {} » : {} {} ({} ; {}).",
                first.training.title,
                taken.join(", "),
                codes.confidence.tag(),
                codes.confidence.label(),
                codes.source
            ),
        );
    }

    fn warn(&mut self, line: usize, field: Field, fallback: Field, message: String) {
        let place = self.places.of(field).or(self.places.of(fallback));
        self.warnings.push(LineError::new(line, place, message));
    }
}

/// `CODE-AAAAMMJJ-JDR-<hash>`: stable for the same session (or training and dates), kind and
/// chunk; `-2`… for the later chunks of a split declaration.
fn declaration_id(first: &Trainee<'_>, chunk: usize, chunks: usize) -> String {
    let kind = match first.kind {
        DeclarationKind::Attestation => "ADF",
        DeclarationKind::Justificatif => "JDR",
    };
    let end = first
        .cells
        .get(DATE_FIN_FORMATION)
        .and_then(|d| NaiveDate::parse_from_str(d, DATE_FORMAT).ok())
        .map_or_else(String::new, |d| d.format("%Y%m%d").to_string());
    let hash = digest(&[&first.identity, kind, &chunk.to_string()]);
    let mut id = format!("{}-{end}-{kind}-{hash}", first.training.code);
    if chunks > 1 {
        id.push_str(&format!("-{}", chunk + 1));
    }
    id
}

/// `Session S12 — SST` or `SST du 02/03/2026 au 03/03/2026`, `(2/3)` for a chunk of a split.
fn reference(first: &Trainee<'_>, chunk: usize, chunks: usize) -> String {
    let title = first.cells.get(NOM_FORMATION).cloned().unwrap_or_default();
    let get = |c: &str| first.cells.get(c).cloned().unwrap_or_default();
    let mut text = match first.identity.strip_prefix("session\u{1f}") {
        Some(session) => format!("Session {session} — {title}"),
        None => format!(
            "{title} du {} au {}",
            get(DATE_DEBUT_FORMATION),
            get(DATE_FIN_FORMATION)
        ),
    };
    let suffix = if chunks > 1 {
        format!(" ({}/{chunks})", chunk + 1)
    } else {
        String::new()
    };
    let room = MAX_REFERENCE - suffix.chars().count();
    if text.chars().count() > room {
        text = text.chars().take(room).collect();
    }
    text + &suffix
}

/// Hex SHA-256 of the parts (unit-separated), cut to [`HASH_CHARS`].
fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"\x1f");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..HASH_CHARS]
        .to_owned()
}

/// Reads one row, reporting its problems at their cells.
struct RowReader<'r> {
    table: &'r Table,
    row: &'r Row,
    places: &'r Places,
    errors: &'r mut Vec<LineError>,
}

impl RowReader<'_> {
    fn cell(&self, field: Field) -> &Cell {
        self.table
            .column(field)
            .and_then(|c| self.row.cells.get(c.index))
            .unwrap_or(&Cell::Empty)
    }

    fn error(&mut self, field: Field, message: String) {
        let place = self.places.of(field);
        self.errors
            .push(LineError::new(self.row.line, place, message));
    }

    /// A date cell as the official file writes it; an unreadable one as typed (its error is
    /// the sheet check's).
    fn date_text(&self, field: Field) -> (Option<NaiveDate>, String) {
        let cell = self.cell(field);
        match values::date(cell) {
            Ok(day) => (Some(day), day.format(DATE_FORMAT).to_string()),
            Err(_) => (None, cell.text()),
        }
    }

    /// A code list: the sheet's cell when it holds one, else the catalogue's.
    fn codes(&self, field: Field, catalogue: &[String]) -> String {
        let cell = self.cell(field);
        let list = if cell.is_empty() {
            catalogue.to_vec()
        } else {
            values::codes(&cell.text())
        };
        list.join(&VALUE_SEPARATOR.to_string())
    }

    /// The row as a trainee to declare; `None` (its problems reported) when it cannot be one.
    fn trainee<'c>(
        &mut self,
        rules: &Rules<'c>,
        warnings: &mut Vec<LineError>,
    ) -> Option<Trainee<'c>> {
        let title = self.cell(Field::Training).text();
        let outcome = values::outcome(self.cell(Field::Result)).ok().flatten();
        if outcome == Some(Outcome::Absent) {
            warnings.push(LineError::new(
                self.row.line,
                self.places.of(Field::Result),
                "Stagiaire absent : ligne non déclarée [I].",
            ));
            return None;
        }
        let name = [Field::BirthName, Field::LastName]
            .into_iter()
            .map(|f| self.cell(f).text())
            .find(|n| !n.is_empty())
            .unwrap_or_default();
        if name.is_empty()
            && self
                .table
                .column(Field::BirthName)
                .or(self.table.column(Field::LastName))
                .is_some()
        {
            let field = if self.places.of(Field::BirthName).is_some() {
                Field::BirthName
            } else {
                Field::LastName
            };
            self.error(
                field,
                format!("Cellule vide : {} obligatoire.", field.label()),
            );
        }
        let (end, end_text) = self.date_text(Field::EndDate);
        if self.cell(Field::EndDate).is_empty() && self.places.of(Field::EndDate).is_some() {
            self.error(
                Field::EndDate,
                "Cellule vide : date de fin obligatoire.".to_owned(),
            );
        }
        if let Some(end) = end.filter(|end| *end > rules.today) {
            self.error(
                Field::EndDate,
                format!(
                    "Formation pas encore terminée (fin le {}) : elle se déclare une fois \
                     terminée.",
                    end.format(DATE_FORMAT)
                ),
            );
        }
        let (_, start_text) = self.date_text(Field::StartDate);
        let no_start = start_text.is_empty();
        let start_text = if no_start {
            end_text.clone()
        } else {
            start_text
        };
        self.check_employer();
        if title.is_empty() {
            if self.places.of(Field::Training).is_some() {
                self.error(
                    Field::Training,
                    "Cellule vide : formation obligatoire.".to_owned(),
                );
            }
            return None;
        }
        let Some(training) = training_type(rules.catalogue, &title) else {
            self.error(
                Field::Training,
                format!(
                    "Intitulé « {} » inconnu du catalogue : écrivez le titre, le code ou un \
                     alias d'un type (voir « passeport catalogue »), ou ajoutez cet intitulé aux \
                     alias du type dans une copie de catalogue.toml du dossier de configuration.",
                    shown(&title)
                ),
            );
            return None;
        };
        if let Some(reason) = exclusion_reason(rules, training) {
            self.error(
                Field::Training,
                format!("« {} » n'est pas à déclarer : {reason}", shown(&title)),
            );
            return None;
        }
        let passed = outcome == Some(Outcome::Passed);
        let kind = if passed && training.declaration_kind == DeclarationKind::Justificatif {
            DeclarationKind::Justificatif
        } else {
            DeclarationKind::Attestation
        };
        let codes = training.codes.clone().unwrap_or_default();
        let mut cells: HashMap<&'static str, String> = HashMap::new();
        if kind == DeclarationKind::Justificatif {
            let Some(type_jdr) = codes.type_jdr else {
                self.error(
                    Field::Training,
                    format!(
                        "Le catalogue ne donne pas le type de justificatif (TYPE_JDR : diplôme, \
                         titre, habilitation ou certificat) de « {} » : ajoutez-le (codes.type_jdr) \
                         dans une copie de catalogue.toml du dossier de configuration.",
                        training.title
                    ),
                );
                return None;
            };
            cells.insert(TYPE_JDR, type_jdr.as_code().to_owned());
            cells.insert(NOM_JDR, title.clone());
            cells.insert(PRESENCE_FORMATION, YES.to_owned());
        }
        cells.insert(NOM_FORMATION, title.clone());
        cells.insert(DATE_DEBUT_FORMATION, start_text.clone());
        cells.insert(DATE_FIN_FORMATION, end_text.clone());
        cells.insert(FORMATION_CERTIFIANTE, NO.to_owned());
        cells.insert(
            COMPETENCE_TRANSFERABLE,
            self.codes(Field::Competences, &codes.competences),
        );
        cells.insert(
            DOMAINE_FORMATION,
            self.codes(Field::Formacodes, &codes.formacodes),
        );
        cells.insert(SPECIALITE_FORMATION, self.codes(Field::Nsf, &codes.nsf));
        cells.insert(DATE_DEBUT_VALIDITE, end_text.clone());
        cells.insert(DATE_FIN_VALIDITE, self.date_text(Field::ExpiryDate).1);
        let nir = self.cell(Field::Nir);
        let nir = values::nir(nir).map_or_else(|_| nir.text(), |n| n.as_str().to_owned());
        cells.insert(NIR, nir);
        cells.insert(NOM_TITULAIRE, name);
        let siret = self.cell(Field::Siret);
        let siret = values::siret(siret).map_or_else(|_| siret.text(), |s| s.as_str().to_owned());
        cells.insert(
            PRESENCE_EMPLOYEUR,
            if siret.is_empty() { NO } else { YES }.to_owned(),
        );
        cells.insert(SIRET_EMPLOYEUR, siret);
        let session = self.cell(Field::Session).text();
        let identity = if session.is_empty() {
            format!(
                "formation\u{1f}{}\u{1f}{start_text}\u{1f}{end_text}",
                fold(&title).replace(' ', "")
            )
        } else {
            format!("session\u{1f}{session}")
        };
        Some(Trainee {
            line: self.row.line,
            training,
            kind,
            identity,
            no_start,
            cells,
        })
    }

    /// A company named without its SIRET is an error: the employer would not see the training.
    fn check_employer(&mut self) {
        let company = self.cell(Field::Company).text();
        if company.is_empty() || !self.cell(Field::Siret).is_empty() {
            return;
        }
        let column = if self.places.of(Field::Siret).is_some() {
            ""
        } else {
            " (ajoutez une colonne SIRET)"
        };
        self.error(
            Field::Company,
            format!(
                "Entreprise « {} » sans SIRET{column} : indiquez le SIRET de l'établissement \
                 employeur (14 chiffres), ou videz la cellule si le stagiaire est venu de \
                 lui-même.",
                shown(&company)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::sheet::table_of;
    use crate::domain::ids::compute_key;

    const HEADER: [&str; 10] = [
        "Nom de naissance",
        "Prénom",
        "N° de sécurité sociale",
        "Entreprise",
        "SIRET",
        "Formation",
        "Date de début",
        "Date de fin",
        "Résultat",
        "N° de session",
    ];

    fn nir(n: u32) -> String {
        let body = format!("18503751234{n:02}");
        format!("{body}{:02}", compute_key(&body).unwrap())
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn convert_rows(rows: &[Vec<String>]) -> Trainees {
        let mut all: Vec<Vec<&str>> = vec![vec!["Stagiaires de mars"], HEADER.to_vec()];
        all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
        let slices: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
        let table = table_of(&slices, None);
        assert_eq!(table.kind, super::super::Kind::Trainees);
        let catalogue = Catalogue::embedded().unwrap();
        let tree = Tree::embedded().unwrap();
        convert(
            &table,
            &Rules {
                catalogue: &catalogue,
                tree: &tree,
                today: today(),
            },
        )
    }

    fn row(
        name: &str,
        nir: &str,
        title: &str,
        end: &str,
        result: &str,
        session: &str,
    ) -> Vec<String> {
        [
            name,
            "Jean",
            nir,
            "ACME",
            "732 829 320 00074",
            title,
            "2/3/26",
            end,
            result,
            session,
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
    }

    fn column<'a>(table: &'a OfficialTable, line: &'a [String], name: &str) -> &'a str {
        let index = table.header.iter().position(|c| c == name).unwrap();
        &line[index]
    }

    #[test]
    fn a_session_gives_a_jdr_for_its_successes_and_an_adf_for_the_others() {
        let converted = convert_rows(&[
            row("DUPONT", &nir(1), "SST", "3 mars 2026", "Admis", "S-1"),
            row("MARTIN", &nir(2), "SST", "3 mars 2026", "Non admis", "S-1"),
            row(
                "DURAND",
                &nir(3),
                "Recyclage SST 7h",
                "03/03/2026",
                "Validé",
                "",
            ),
            row("LEROY", &nir(4), "SST", "3 mars 2026", "Absent", "S-1"),
        ]);
        assert_eq!(converted.errors, []);
        let kinds: Vec<_> = converted.tables.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [DeclarationKind::Attestation, DeclarationKind::Justificatif]
        );
        let (adf, jdr) = (&converted.tables[0], &converted.tables[1]);
        assert_eq!(adf.lines.len(), 1);
        assert_eq!(jdr.lines.len(), 2);
        let (line, first) = &jdr.lines[0];
        assert_eq!(*line, 3);
        assert_eq!(column(jdr, first, TYPE_JDR), "CERTIFICAT");
        assert_eq!(column(jdr, first, NOM_JDR), "SST");
        assert_eq!(column(jdr, first, DATE_DEBUT_FORMATION), "02/03/2026");
        assert_eq!(column(jdr, first, DATE_FIN_FORMATION), "03/03/2026");
        assert_eq!(column(jdr, first, DATE_DEBUT_VALIDITE), "03/03/2026");
        assert_eq!(column(jdr, first, DOMAINE_FORMATION), "42829");
        assert_eq!(column(jdr, first, SPECIALITE_FORMATION), "344r");
        assert_eq!(column(jdr, first, NIR), &nir(1)[..13]);
        assert_eq!(column(jdr, first, SIRET_EMPLOYEUR), "73282932000074");
        assert_eq!(column(jdr, first, PRESENCE_EMPLOYEUR), "OUI");
        assert_eq!(
            column(jdr, first, REFERENCE_DECLARATION),
            "Session S-1 — SST"
        );
        let ids: HashSet<&str> = jdr
            .lines
            .iter()
            .map(|(_, l)| column(jdr, l, ID_DECLARATION))
            .collect();
        assert_eq!(
            ids.len(),
            2,
            "the session and the MAC SST are two declarations"
        );
        let mac = &jdr.lines[1].1;
        let mac_id = column(jdr, mac, ID_DECLARATION);
        assert!(mac_id.starts_with("MAC_SST-20260303-JDR-"), "{mac_id}");
        assert_eq!(converted.training_codes[mac_id], "MAC_SST");
        assert!(
            converted
                .warnings
                .iter()
                .any(|w| w.line == 6 && w.message.contains("absent")),
            "{:?}",
            converted.warnings
        );
        assert!(
            converted.warnings.iter().any(|w| w
                .message
                .starts_with("Codes pris du catalogue pour « Sauveteur")
                && w.message.contains("[I]")),
            "{:?}",
            converted.warnings
        );
    }

    #[test]
    fn the_same_sheet_gives_the_same_identifiers() {
        let rows = [
            row("DUPONT", &nir(1), "SST", "3 mars 2026", "Admis", "S-1"),
            row("MARTIN", &nir(2), "SST", "3 mars 2026", "Non admis", "S-1"),
        ];
        let first = convert_rows(&rows);
        let again = convert_rows(&rows);
        assert_eq!(first.tables, again.tables);
        let partner = |t: &Trainees, kind| {
            let table = t.tables.iter().find(|x| x.kind == kind).unwrap();
            column(table, &table.lines[0].1, ID_UNIQUE_PARTENAIRE).to_owned()
        };
        // The person keeps their identifier whatever they obtained: a second declaration of the
        // same trainee for the same session is refused as a double declaration.
        let mut passed = rows.clone();
        passed[1][8] = "Admis".into();
        let later = convert_rows(&passed);
        let martin_before = partner(&first, DeclarationKind::Attestation);
        let jdr = later
            .tables
            .iter()
            .find(|x| x.kind == DeclarationKind::Justificatif)
            .unwrap();
        assert_eq!(
            column(jdr, &jdr.lines[1].1, ID_UNIQUE_PARTENAIRE),
            martin_before
        );
    }

    #[test]
    fn more_than_500_trainees_make_several_declarations() {
        let rows: Vec<Vec<String>> = (0..501)
            .map(|n| {
                let body = format!("1850375{n:06}");
                let nir = format!("{body}{:02}", compute_key(&body).unwrap());
                row("DUPONT", &nir, "SST", "03/03/2026", "Admis", "S-9")
            })
            .collect();
        let converted = convert_rows(&rows);
        assert_eq!(converted.errors, []);
        let jdr = &converted.tables[0];
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for (_, line) in &jdr.lines {
            *sizes.entry(column(jdr, line, ID_DECLARATION)).or_default() += 1;
        }
        let mut counts: Vec<usize> = sizes.values().copied().collect();
        counts.sort_unstable();
        assert_eq!(counts, [1, 500]);
        assert!(sizes.keys().any(|id| id.ends_with("-2")));
        assert!(
            jdr.lines
                .iter()
                .any(|(_, l)| column(jdr, l, REFERENCE_DECLARATION) == "Session S-9 — SST (2/2)")
        );
    }

    #[test]
    fn every_problem_is_placed_at_its_cell() {
        let wrong_key = format!("{}00", &nir(1)[..13]);
        let mut no_siret = row("PETIT", &nir(7), "SST", "03/03/2026", "Admis", "S-1");
        no_siret[4].clear();
        let converted = convert_rows(&[
            row("DUPONT", &wrong_key, "SST", "03/03/2026", "Admis", "S-1"),
            row("MARTIN", "", "SST", "03/03/2026", "Admis", "S-1"),
            row("DURAND", &nir(3), "SST", "03/03/2026", "Admis", "S-1"),
            row("DURAND", &nir(3), "SST", "03/03/2026", "Admis", "S-1"),
            row("LEROY", &nir(4), "SST", "12/01/2027", "Admis", "S-2"),
            row(
                "MOREAU",
                &nir(5),
                "Formateur SST",
                "03/03/2026",
                "Admis",
                "S-3",
            ),
            row(
                "SIMON",
                &nir(6),
                "Cuisine moléculaire",
                "03/03/2026",
                "",
                "S-4",
            ),
            no_siret,
        ]);
        let found: Vec<String> = converted.errors.iter().map(ToString::to_string).collect();
        let expected = [
            "ligne 3, colonne C (N° de sécurité sociale) : NIR illisible : ",
            "ligne 4, colonne C (N° de sécurité sociale) : Cellule vide : NIR obligatoire.",
            "ligne 6, colonne C (N° de sécurité sociale) : Doublon de la ligne 5 : même \
             stagiaire (NIR), même formation aux mêmes dates.",
            "ligne 7, colonne H (Date de fin) : Formation pas encore terminée (fin le \
             12/01/2027) : elle se déclare une fois terminée.",
            "ligne 8, colonne F (Formation) : « Formateur SST » n'est pas à déclarer : Les \
             formations de formateurs ne sont pas à déclarer dans le Passeport de prévention \
             (article 4-II-1° du décret 2022-1712). (assets/simulator.toml, nc_formateurs)",
            "ligne 9, colonne F (Formation) : Intitulé « Cuisine moléculaire » inconnu du \
             catalogue : ",
            "ligne 10, colonne D (Entreprise) : Entreprise « ACME » sans SIRET : indiquez le \
             SIRET de l'établissement employeur (14 chiffres), ou videz la cellule si le \
             stagiaire est venu de lui-même.",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (found, expected) in found.iter().zip(expected) {
            assert!(found.starts_with(expected), "{found}\n≠ {expected}");
        }
        assert!(
            !found.iter().any(|f| f.contains(&nir(1)[..13])),
            "no NIR in messages"
        );
    }

    #[test]
    fn an_official_error_lands_on_the_sheet_column_it_came_from() {
        let converted = convert_rows(&[row("DUPONT", &nir(1), "SST", "03/03/2026", "Admis", "")]);
        let moved = converted.relocate(LineError::new(3, Some(NOM_TITULAIRE), "Trop long."));
        assert_eq!(moved.column.as_deref(), Some("A (Nom de naissance)"));
        let codes = converted.relocate(LineError::new(
            3,
            Some(COMPETENCE_TRANSFERABLE),
            "Obligatoire.",
        ));
        assert_eq!(codes.column.as_deref(), Some("F (Formation)"));
        assert!(
            codes
                .message
                .contains("ajoutez une colonne « Compétences transférables »")
        );
        let merged = converted.merge(vec![
            LineError::new(4, Some(NIR), "b"),
            LineError::new(4, Some(DATE_FIN_FORMATION), "a"),
        ]);
        let order: Vec<_> = merged.iter().map(|e| e.column.clone().unwrap()).collect();
        assert_eq!(order, ["C (N° de sécurité sociale)", "H (Date de fin)"]);
        assert_eq!(column_rank("AB (x)"), 28);
    }
}
