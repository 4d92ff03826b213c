//! The official ADF/JDR columns of a sheet as the text [`crate::bulk::read::read_table`] reads:
//! real dates, serial numbers and French dates written `jj/mm/aaaa`, NIRs and SIRETs stored as
//! numbers written as their digits, code lists joined with `/`.

use super::header::{Role, Table};
use super::values;
use crate::bulk::{DATE_FORMAT, VALUE_SEPARATOR};
use crate::domain::declaration::columns::{
    COMPETENCE_TRANSFERABLE, DOMAINE_FORMATION, NIR, SIRET_EMPLOYEUR, SPECIALITE_FORMATION,
};

/// The official columns' names (sheet order) and, per row, its line and those columns' cells.
pub fn lines(table: &Table) -> (Vec<String>, Vec<(usize, Vec<String>)>) {
    let columns: Vec<(usize, &'static str)> = table
        .columns
        .iter()
        .filter_map(|c| match c.role {
            Role::Official(name) => Some((c.index, name)),
            _ => None,
        })
        .collect();
    let header = columns.iter().map(|(_, name)| (*name).to_owned()).collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells = columns
                .iter()
                .map(|&(index, name)| {
                    let cell = row.cells.get(index).cloned().unwrap_or(super::Cell::Empty);
                    official_text(name, &cell)
                })
                .collect();
            (row.line, cells)
        })
        .collect();
    (header, rows)
}

/// One cell of official column `name` as text; a value that does not read is kept as typed so
/// that the official checks say what is wrong with it.
fn official_text(name: &str, cell: &super::Cell) -> String {
    if cell.is_empty() {
        return String::new();
    }
    if name.starts_with("DATE_") {
        return values::date(cell)
            .map_or_else(|_| cell.text(), |day| day.format(DATE_FORMAT).to_string());
    }
    match name {
        NIR => values::nir(cell).map_or_else(|_| cell.text(), |nir| nir.as_str().to_owned()),
        SIRET_EMPLOYEUR => {
            values::siret(cell).map_or_else(|_| cell.text(), |siret| siret.as_str().to_owned())
        }
        COMPETENCE_TRANSFERABLE | DOMAINE_FORMATION | SPECIALITE_FORMATION => {
            values::codes(&cell.text()).join(&VALUE_SEPARATOR.to_string())
        }
        _ => cell.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::sheet::header::{Column, Kind};
    use crate::bulk::sheet::{Cell, Row};
    use chrono::NaiveDate;

    #[test]
    fn official_cells_are_written_as_the_official_file_has_them() {
        let column = |index, name| Column {
            index,
            header: String::from(name),
            role: Role::Official(name),
        };
        let table = Table {
            kind: Kind::Adf,
            recognised: true,
            header_line: 3,
            columns: vec![
                column(0, NIR),
                column(1, "DATE_FIN_FORMATION"),
                column(2, COMPETENCE_TRANSFERABLE),
                column(3, SIRET_EMPLOYEUR),
                Column {
                    index: 4,
                    header: "Remarque".into(),
                    role: Role::Ignored(super::super::header::Ignored::Unknown),
                },
            ],
            rows: vec![Row {
                line: 4,
                cells: vec![
                    Cell::Number(1850375123456.0),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 12).unwrap()),
                    Cell::Text("115650, 121885 ; 400635".into()),
                    Cell::Number(73282932000074.0),
                    Cell::Text("ignorée".into()),
                ],
            }],
            missing: vec![],
        };
        let (header, rows) = lines(&table);
        assert_eq!(
            header,
            [
                NIR,
                "DATE_FIN_FORMATION",
                COMPETENCE_TRANSFERABLE,
                SIRET_EMPLOYEUR
            ]
        );
        assert_eq!(
            rows,
            [(
                4,
                vec![
                    "1850375123456".to_owned(),
                    "12/03/2026".to_owned(),
                    "115650/121885/400635".to_owned(),
                    "73282932000074".to_owned(),
                ]
            )]
        );
    }
}
