//! The values of a team's sheet checked cell by cell (NIRs, SIRETs, dates, results), each
//! problem at its (line, column), before any import of that kind exists.

use std::fmt;

use serde::Serialize;

use super::Cell;
use super::header::{Field, Kind, Role, Table};
use super::values::{self, ValueError};

/// A cell that does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// Line of the sheet.
    pub line: usize,
    /// The column, `C (N° de sécurité sociale)`.
    pub column: String,
    /// French message.
    pub message: String,
}

impl fmt::Display for CellError {
    /// `ligne 5, colonne C (N° de sécurité sociale) : NIR illisible : …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ligne {}, colonne {} : {}",
            self.line, self.column, self.message
        )
    }
}

/// Every cell of the taken columns that does not read, by line then column. An empty cell is a
/// problem only for the NIR of a trainee sheet (the declaration needs it).
pub fn check(table: &Table) -> Vec<CellError> {
    let mut errors = Vec::new();
    for row in &table.rows {
        for column in &table.columns {
            let cell = row.cells.get(column.index).unwrap_or(&Cell::Empty);
            let problem = match column.role {
                Role::Field(Field::Nir) if table.kind == Kind::Trainees || !cell.is_empty() => {
                    values::nir(cell).err()
                }
                Role::Field(Field::Siret) if !cell.is_empty() => values::siret(cell).err(),
                Role::Field(Field::Result) => values::outcome(cell).err(),
                Role::Field(Field::Status) => values::left(cell).err(),
                Role::Field(field) if field.is_date() && !cell.is_empty() => {
                    values::date(cell).err()
                }
                Role::Training if !cell.is_empty() => values::date(cell).err(),
                _ => None,
            };
            if let Some(problem) = problem {
                let message = match (&problem, column.role) {
                    (ValueError::Missing, Role::Field(field)) => {
                        format!("Cellule vide : {} obligatoire.", field.label())
                    }
                    _ => message(&problem),
                };
                errors.push(CellError {
                    line: row.line,
                    column: column.place(),
                    message,
                });
            }
        }
    }
    errors
}

/// The message of a problem, capitalised as a sentence.
pub fn message(problem: &ValueError) -> String {
    let text = problem.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::sheet::Row;
    use crate::bulk::sheet::header::Column;

    #[test]
    fn unreadable_cells_are_reported_at_their_line_and_column() {
        let column = |index, header: &str, field| Column {
            index,
            header: header.into(),
            role: Role::Field(field),
        };
        let table = Table {
            kind: Kind::Trainees,
            recognised: true,
            header_line: 2,
            columns: vec![
                column(0, "N° SS", Field::Nir),
                column(1, "Date de fin", Field::EndDate),
                column(2, "Résultat", Field::Result),
            ],
            rows: vec![
                Row {
                    line: 3,
                    cells: vec![
                        Cell::Number(1850375123456.0),
                        Cell::Number(46093.0),
                        Cell::Text("Admis".into()),
                    ],
                },
                Row {
                    line: 4,
                    cells: vec![
                        Cell::Empty,
                        Cell::Text("31/02/2026".into()),
                        Cell::Text("Bof".into()),
                    ],
                },
            ],
            missing: vec![],
        };
        let found: Vec<String> = check(&table).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "ligne 4, colonne A (N° SS) : Cellule vide : NIR obligatoire.",
                "ligne 4, colonne B (Date de fin) : La date « 31/02/2026 » n'existe pas dans le \
                 calendrier.",
                "ligne 4, colonne C (Résultat) : Résultat « Bof » inconnu : Admis, Réussi, \
                 Validé (réussite), Non admis, Échec, Ajourné (échec), Absent, ou vide.",
            ]
        );
    }
}
