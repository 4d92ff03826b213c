//! An HR department's sheets (issue 15 §4) read into what the staff routes write: a roster into
//! one worker per row ([`roster`]), a training history (one row per worker × training,
//! [`history`]) or a matrix (one column per training holding a date, [`matrix`]) into training
//! entries. Each problem is placed at its cell; matching rows to the account's workers is the
//! command's (it needs the server). Pure.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use chrono::NaiveDate;

use super::check;
use super::header::{Field, Role, Table};
use super::trainees::{exclusion_reason, sort, training_type};
use super::values::{self, Outcome, shown};
use super::{Cell, Row};
use crate::bulk::read::LineError;
use crate::domain::ids::Nir;
use crate::domain::training::Catalogue;

/// Who a row is about: its NIR, its matricule, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The NIR, when the row gives one that reads.
    pub nir: Option<Nir>,
    /// The matricule, when the row gives one.
    pub employee_number: Option<String>,
}

/// One worker of a roster, each field `None` when its cell is empty or the sheet has no column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// Line of the sheet.
    pub line: usize,
    /// NIR and matricule.
    pub person: Person,
    /// Nom de naissance (the « Nom » column when the sheet has no birth name).
    pub last_name: Option<String>,
    /// Nom d'usage: the « Nom » column when it differs from the birth name.
    pub usage_name: Option<String>,
    /// Prénoms.
    pub first_names: Option<String>,
    /// Date de naissance.
    pub birth_date: Option<NaiveDate>,
    /// Site.
    pub site: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Poste.
    pub job: Option<String>,
    /// Responsable.
    pub manager: Option<String>,
    /// Date d'entrée.
    pub entry_date: Option<NaiveDate>,
    /// Date de sortie.
    pub leaving_date: Option<NaiveDate>,
    /// A leaver: marked as left in a status column, or gone by today.
    pub left: bool,
}

/// One training to record for a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    /// Line of the sheet.
    pub line: usize,
    /// The cell the entry comes from (a matrix's date cell, a history's training cell).
    pub place: Option<String>,
    /// NIR and matricule.
    pub person: Person,
    /// Catalogue code of the type.
    pub training_code: String,
    /// The training's last day.
    pub end_date: NaiveDate,
    /// End of validity written on the certificate.
    pub validity_end: Option<NaiveDate>,
    /// The training organisation.
    pub organisme: Option<String>,
    /// The certificate's number.
    pub reference: Option<String>,
}

/// A sheet read: its items, its problems at their cells, and the remarks on rows left aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read<T> {
    /// What to write, in sheet order.
    pub items: Vec<T>,
    /// Every problem, by line then column.
    pub errors: Vec<LineError>,
    /// Rows left aside with a reason (a failed training is not recorded).
    pub warnings: Vec<LineError>,
}

/// The cells of one row.
struct Cells<'r> {
    table: &'r Table,
    row: &'r Row,
}

impl Cells<'_> {
    fn cell(&self, field: Field) -> &Cell {
        self.table
            .column(field)
            .and_then(|c| self.row.cells.get(c.index))
            .unwrap_or(&Cell::Empty)
    }

    fn text(&self, field: Field) -> Option<String> {
        Some(self.cell(field).text()).filter(|t| !t.is_empty())
    }

    fn date(&self, field: Field) -> Option<NaiveDate> {
        values::date(self.cell(field)).ok()
    }

    fn person(&self) -> Person {
        Person {
            nir: values::nir(self.cell(Field::Nir)).ok(),
            employee_number: self.text(Field::EmployeeNumber),
        }
    }
}

/// The place of a field's column, `C (N° SS)`.
pub fn place(table: &Table, field: Field) -> Option<String> {
    table.column(field).map(|c| c.place())
}

/// The errors every team sheet starts with: unreadable cells, missing columns.
fn first_errors(table: &Table) -> Vec<LineError> {
    let mut errors: Vec<LineError> = check::check(table)
        .into_iter()
        .map(|e| LineError::new(e.line, Some(&e.column), e.message))
        .collect();
    for missing in &table.missing {
        errors.push(LineError::new(
            table.header_line,
            None,
            format!("Colonne absente : {missing} ({} sans elle).", table.kind),
        ));
    }
    errors
}

/// A row that names nobody: neither a NIR nor a matricule.
fn nobody(table: &Table, cells: &Cells<'_>) -> Option<LineError> {
    let person = cells.person();
    let typed = !cells.cell(Field::Nir).is_empty() || person.employee_number.is_some();
    (!typed).then(|| {
        let field = if table.column(Field::EmployeeNumber).is_some() {
            Field::EmployeeNumber
        } else {
            Field::Nir
        };
        LineError::new(
            cells.row.line,
            place(table, field).as_deref(),
            "Cellule vide : NIR ou matricule obligatoire pour reconnaître le salarié.",
        )
    })
}

/// A roster: one worker per row; a row repeating a NIR or matricule is an error.
pub fn roster(table: &Table, today: NaiveDate) -> Read<Worker> {
    let mut errors = first_errors(table);
    let mut items = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let has_birth_name = table.column(Field::BirthName).is_some();
    for row in &table.rows {
        let cells = Cells { table, row };
        if let Some(error) = nobody(table, &cells) {
            errors.push(error);
            continue;
        }
        let person = cells.person();
        let keys = [
            person
                .nir
                .as_ref()
                .map(|n| (Field::Nir, format!("nir:{}", n.as_str()))),
            person
                .employee_number
                .as_ref()
                .map(|m| (Field::EmployeeNumber, format!("matricule:{m}"))),
        ];
        let mut repeated = false;
        for (field, key) in keys.into_iter().flatten() {
            match seen.entry(key) {
                Slot::Occupied(first) => {
                    errors.push(LineError::new(
                        row.line,
                        place(table, field).as_deref(),
                        format!(
                            "Doublon de la ligne {} : même {} ; un salarié figure une fois au \
                             registre.",
                            first.get(),
                            field.label()
                        ),
                    ));
                    repeated = true;
                }
                Slot::Vacant(slot) => {
                    slot.insert(row.line);
                }
            }
        }
        if repeated {
            continue;
        }
        let (last_name, usage_name) = if has_birth_name {
            let birth = cells.text(Field::BirthName);
            let usage = cells
                .text(Field::LastName)
                .filter(|u| Some(u) != birth.as_ref());
            (birth, usage)
        } else {
            (cells.text(Field::LastName), None)
        };
        let leaving_date = cells.date(Field::LeavingDate);
        let marked = values::left(cells.cell(Field::Status)).ok().flatten();
        let left = marked.unwrap_or(false) || leaving_date.is_some_and(|day| day <= today);
        items.push(Worker {
            line: row.line,
            person,
            last_name,
            usage_name,
            first_names: cells.text(Field::FirstName),
            birth_date: cells.date(Field::BirthDate),
            site: cells.text(Field::Site),
            service: cells.text(Field::Service),
            job: cells.text(Field::Job),
            manager: cells.text(Field::Manager),
            entry_date: cells.date(Field::EntryDate),
            leaving_date,
            left,
        });
    }
    sort(&mut errors);
    Read {
        items,
        errors,
        warnings: Vec::new(),
    }
}

/// Reads the trainings of a history or matrix into `read`, refusing repeats.
struct Collector<'a> {
    catalogue: &'a Catalogue,
    tree: &'a crate::simulator::Tree,
    today: NaiveDate,
    read: Read<Training>,
    seen: HashMap<(String, String, NaiveDate), usize>,
}

impl<'a> Collector<'a> {
    /// A collector of `table`'s trainings, starting with the table's own errors.
    fn new(
        table: &Table,
        catalogue: &'a Catalogue,
        tree: &'a crate::simulator::Tree,
        today: NaiveDate,
    ) -> Self {
        Self {
            catalogue,
            tree,
            today,
            read: Read {
                items: Vec::new(),
                errors: first_errors(table),
                warnings: Vec::new(),
            },
            seen: HashMap::new(),
        }
    }

    /// The catalogue code of a title, or the error at `place`.
    fn code(&mut self, line: usize, place: Option<&str>, title: &str) -> Option<String> {
        match training_type(self.catalogue, title) {
            Some(training) => Some(training.code.clone()),
            None => {
                self.read.errors.push(LineError::new(
                    line,
                    place,
                    format!(
                        "Formation « {} » inconnue du catalogue : écrivez le titre, le code ou un \
                         alias d'un type (voir « passeport catalogue »), ou ajoutez cet intitulé \
                         aux alias du type dans une copie de catalogue.toml du dossier de \
                         configuration.",
                        shown(title)
                    ),
                ));
                None
            }
        }
    }

    /// Adds a training unless it repeats one of the sheet or ends after today.
    fn push(&mut self, training: Training) {
        let who = training
            .person
            .nir
            .as_ref()
            .map(|n| n.as_str().to_owned())
            .or(training.person.employee_number.clone())
            .unwrap_or_default();
        let place = training.place.as_deref();
        if training.end_date > self.today {
            self.read.errors.push(LineError::new(
                training.line,
                place,
                format!(
                    "Formation pas encore terminée (fin le {}) : enregistrez une formation suivie.",
                    training.end_date.format("%d/%m/%Y")
                ),
            ));
            return;
        }
        let key = (who, training.training_code.clone(), training.end_date);
        match self.seen.entry(key) {
            Slot::Occupied(first) => self.read.errors.push(LineError::new(
                training.line,
                place,
                format!(
                    "Doublon de la ligne {} : même salarié, même formation, même date.",
                    first.get()
                ),
            )),
            Slot::Vacant(slot) => {
                slot.insert(training.line);
                self.read.items.push(training);
            }
        }
    }

    /// A warning for an excluded type: recorded for its expiry, never declared.
    fn note_exclusion(&mut self, line: usize, place: Option<&str>, code: &str) {
        let Some(training) = self.catalogue.get(code) else {
            return;
        };
        let rules = super::trainees::Rules {
            catalogue: self.catalogue,
            tree: self.tree,
            today: self.today,
        };
        if let Some(reason) = exclusion_reason(&rules, training) {
            self.read.warnings.push(LineError::new(
                line,
                place,
                format!(
                    "« {} » est enregistrée pour le suivi de son échéance, mais ne se déclare \
                     pas : {reason}",
                    training.title
                ),
            ));
        }
    }

    fn finish(mut self) -> Read<Training> {
        sort(&mut self.read.errors);
        sort(&mut self.read.warnings);
        self.read
    }
}

/// A training history: one row per worker × training; a failed or absent result is left aside.
pub fn history(
    table: &Table,
    catalogue: &Catalogue,
    tree: &crate::simulator::Tree,
    today: NaiveDate,
) -> Read<Training> {
    let mut collector = Collector::new(table, catalogue, tree, today);
    let training_place = place(table, Field::Training);
    for row in &table.rows {
        let cells = Cells { table, row };
        if let Some(error) = nobody(table, &cells) {
            collector.read.errors.push(error);
            continue;
        }
        let outcome = values::outcome(cells.cell(Field::Result)).ok().flatten();
        if matches!(outcome, Some(Outcome::Failed | Outcome::Absent)) {
            collector.read.warnings.push(LineError::new(
                row.line,
                place(table, Field::Result).as_deref(),
                "Formation non réussie : ligne non enregistrée.",
            ));
            continue;
        }
        let Some(title) = cells.text(Field::Training) else {
            collector.read.errors.push(LineError::new(
                row.line,
                training_place.as_deref(),
                "Cellule vide : formation obligatoire.",
            ));
            continue;
        };
        let Some(code) = collector.code(row.line, training_place.as_deref(), &title) else {
            continue;
        };
        let Some(end_date) = cells.date(Field::EndDate) else {
            if cells.cell(Field::EndDate).is_empty() {
                let at = place(table, Field::EndDate).or(place(table, Field::ExpiryDate));
                collector.read.errors.push(LineError::new(
                    row.line,
                    at.as_deref(),
                    "Cellule vide : date de fin (ou d'obtention) obligatoire.",
                ));
            }
            continue;
        };
        collector.note_exclusion(row.line, training_place.as_deref(), &code);
        collector.push(Training {
            line: row.line,
            place: training_place.clone(),
            person: cells.person(),
            training_code: code,
            end_date,
            validity_end: cells.date(Field::ExpiryDate),
            organisme: cells.text(Field::Organisme),
            reference: cells.text(Field::CertificateNumber),
        });
    }
    collector.finish()
}

/// A matrix's columns named after a catalogue type are trainings, whatever their cells hold (a
/// cell « oui » where a date should be is then reported, not passed over).
pub fn adopt_training_columns(table: &mut Table, catalogue: &Catalogue) {
    if table.kind != super::Kind::Matrix {
        return;
    }
    for column in &mut table.columns {
        if column.role == Role::Ignored(super::header::Ignored::Unknown)
            && training_type(catalogue, &column.header).is_some()
        {
            column.role = Role::Training;
        }
    }
}

/// A matrix: one row per worker, one column per training, each date cell a training ended that
/// day; a training column whose header names no catalogue type is an error at the header.
pub fn matrix(
    table: &Table,
    catalogue: &Catalogue,
    tree: &crate::simulator::Tree,
    today: NaiveDate,
) -> Read<Training> {
    let mut collector = Collector::new(table, catalogue, tree, today);
    let mut trainings = Vec::new();
    for column in table.columns.iter().filter(|c| c.role == Role::Training) {
        let at = column.place();
        if let Some(code) = collector.code(table.header_line, Some(&at), &column.header) {
            collector.note_exclusion(table.header_line, Some(&at), &code);
            trainings.push((column.index, code, at));
        }
    }
    if trainings.is_empty() && collector.read.errors.is_empty() {
        collector.read.errors.push(LineError::new(
            table.header_line,
            None,
            "Aucune colonne de formation : une matrice porte une colonne par formation, chaque \
             cellule la date où le salarié l'a suivie.",
        ));
    }
    for row in &table.rows {
        let cells = Cells { table, row };
        if let Some(error) = nobody(table, &cells) {
            collector.read.errors.push(error);
            continue;
        }
        for (index, code, at) in &trainings {
            let cell = row.cells.get(*index).unwrap_or(&Cell::Empty);
            let Ok(end_date) = values::date(cell) else {
                continue;
            };
            collector.push(Training {
                line: row.line,
                place: Some(at.clone()),
                person: cells.person(),
                training_code: code.clone(),
                end_date,
                validity_end: None,
                organisme: None,
                reference: None,
            });
        }
    }
    collector.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::sheet::{Kind, table_of};
    use crate::domain::ids::compute_key;
    use crate::simulator::Tree;

    fn nir(n: u32) -> String {
        let body = format!("28507751{n:05}");
        format!("{body}{:02}", compute_key(&body).unwrap())
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 26);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_roster_reads_workers_and_tells_its_leavers() {
        let (a, b, c) = (nir(1), nir(2), nir(3));
        let table = table_of(
            &[
                &["Registre du personnel au 26/11/2026"],
                &[
                    "Matricule",
                    "Nom de naissance",
                    "Nom",
                    "Prénom",
                    "NIR",
                    "Service",
                    "Date d'entrée",
                    "Date de sortie",
                    "Statut",
                ],
                &[
                    "M1",
                    "DURAND",
                    "DURAND",
                    "Léa",
                    &a,
                    "Atelier",
                    "01/02/2020",
                    "",
                    "Actif",
                ],
                &[
                    "M2",
                    "MARTIN",
                    "PETIT",
                    "Paul",
                    &b,
                    "",
                    "3 mars 2021",
                    "30/09/2026",
                    "",
                ],
                &["M3", "LEROY", "", "Zoé", &c, "Bureau", "", "", "Sorti"],
                &["M1", "DURAND", "", "Léa", &nir(4), "", "", "", ""],
                &["", "", "", "Sans", "", "", "", "", ""],
            ],
            None,
        );
        assert_eq!(table.kind, Kind::Roster);
        let read = roster(&table, today());
        let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "ligne 6, colonne A (Matricule) : Doublon de la ligne 3 : même matricule ; un \
                 salarié figure une fois au registre.",
                "ligne 7, colonne A (Matricule) : Cellule vide : NIR ou matricule obligatoire \
                 pour reconnaître le salarié.",
            ]
        );
        let lines: Vec<(usize, bool)> = read.items.iter().map(|w| (w.line, w.left)).collect();
        assert_eq!(lines, [(3, false), (4, true), (5, true)]);
        let martin = &read.items[1];
        assert_eq!(martin.last_name.as_deref(), Some("MARTIN"));
        assert_eq!(martin.usage_name.as_deref(), Some("PETIT"));
        assert_eq!(martin.entry_date, Some(day(2021, 3, 3)));
        assert_eq!(martin.person.nir.as_ref().unwrap().as_str(), &b[..13]);
        assert_eq!(
            read.items[0].usage_name, None,
            "the same name is no usage name"
        );
        assert_eq!(read.items[0].service.as_deref(), Some("Atelier"));
    }

    #[test]
    fn a_history_records_successes_and_refuses_unknown_titles_and_repeats() {
        let table = table_of(
            &[
                &[
                    "Matricule",
                    "Intitulé",
                    "Organisme",
                    "Date d'obtention",
                    "Date d'expiration",
                    "Résultat",
                    "N° de certificat",
                ],
                &[
                    "M1",
                    "Recyclage SST 7h",
                    "INRS",
                    "01/02/2025",
                    "01/02/2027",
                    "Validé",
                    "C-1",
                ],
                &["M1", "MAC SST", "INRS", "1er février 2025", "", "", ""],
                &["M2", "CACES R489", "", "45000", "", "Échec", ""],
                &["M2", "Yoga du rire", "", "01/02/2025", "", "", ""],
                &["M2", "Formateur SST", "", "01/02/2025", "", "", ""],
                &["M3", "SST", "", "01/02/2027", "", "", ""],
            ],
            None,
        );
        assert_eq!(table.kind, Kind::History);
        let catalogue = Catalogue::embedded().unwrap();
        let tree = Tree::embedded().unwrap();
        let read = history(&table, &catalogue, &tree, today());
        let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(
            errors[0].starts_with(
                "ligne 3, colonne B (Intitulé) : Doublon de la ligne 2 : même salarié"
            )
        );
        assert!(errors[1].starts_with(
            "ligne 5, colonne B (Intitulé) : Formation « Yoga du rire » inconnue du catalogue"
        ));
        assert!(errors[2].starts_with(
            "ligne 7, colonne B (Intitulé) : Formation pas encore terminée (fin le 01/02/2027)"
        ));
        let items: Vec<(usize, &str)> = read
            .items
            .iter()
            .map(|t| (t.line, t.training_code.as_str()))
            .collect();
        assert_eq!(items, [(2, "MAC_SST"), (6, "FORMATEUR_SST")]);
        let first = &read.items[0];
        assert_eq!(first.validity_end, Some(day(2027, 2, 1)));
        assert_eq!(first.organisme.as_deref(), Some("INRS"));
        assert_eq!(first.reference.as_deref(), Some("C-1"));
        assert_eq!(first.person.employee_number.as_deref(), Some("M1"));
        let warnings: Vec<String> = read.warnings.iter().map(ToString::to_string).collect();
        assert!(warnings[0].starts_with("ligne 4, colonne F (Résultat) : Formation non réussie"));
        assert!(warnings[1].contains("ne se déclare pas : Les formations de formateurs"));
    }

    #[test]
    fn a_matrix_records_each_date_under_its_training() {
        let table = table_of(
            &[
                &[
                    "Matricule",
                    "Nom",
                    "SST",
                    "CACES R489",
                    "Danse",
                    "Travail en hauteur",
                ],
                &["M1", "DURAND", "01/02/2025", "", "03/04/2024", "oui"],
                &["M2", "MARTIN", "", "12 mars 2024", "", ""],
            ],
            None,
        );
        assert_eq!(table.kind, Kind::Matrix);
        let mut table = table;
        let catalogue = Catalogue::embedded().unwrap();
        adopt_training_columns(&mut table, &catalogue);
        assert_eq!(table.columns[5].role, Role::Training, "named after a type");
        let tree = Tree::embedded().unwrap();
        let read = matrix(&table, &catalogue, &tree, today());
        let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(
            errors[0].starts_with(
                "ligne 1, colonne E (Danse) : Formation « Danse » inconnue du catalogue"
            )
        );
        assert!(
            errors[1].starts_with(
                "ligne 2, colonne F (Travail en hauteur) : « oui » n'est pas une date"
            )
        );
        let items: Vec<(usize, &str, NaiveDate, Option<&str>)> = read
            .items
            .iter()
            .map(|t| {
                (
                    t.line,
                    t.training_code.as_str(),
                    t.end_date,
                    t.place.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                (2, "SST", day(2025, 2, 1), Some("C (SST)")),
                (3, "CACES_R489", day(2024, 3, 12), Some("D (CACES R489)")),
            ]
        );
    }
}
