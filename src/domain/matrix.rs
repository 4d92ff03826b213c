//! The compliance matrix (issue 19 §2): workers × required trainings, one status per cell.
//!
//! A cell is « non requise » when no requirement of the worker's employment names the
//! training; « manquante » when one does and the worker holds no training of its family
//! (MAC SST renews SST: `Catalogue::family`); otherwise the held training's expiry, cut to the
//! employer's shorter validity when one is set, gives « valide », « expire ≤ N j » or
//! « expirée » (`expiry::status`). A worker is compliant on a training when the cell is valide
//! or expire bientôt: the training is still valid today.
//!
//! The grid is built once ([`Matrix::build`]); filters and scrolling read it by row index, so
//! moving never rebuilds it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::expiry::{ExpiryStatus, PassportEntry, expiry_date, status};
use super::requirements::{Employment, Requirement, required_of};
use super::training::Catalogue;
use super::worker::WorkerId;

/// Where one worker stands on one training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// Required and valid beyond the alert threshold (or without expiry).
    Valid,
    /// Required, still valid, expiring within the threshold.
    Expiring,
    /// Required and past its last valid day.
    Expired,
    /// Required and never held.
    Missing,
    /// Not required of this worker.
    NotRequired,
}

impl CellStatus {
    /// Every status, in the order of the legend.
    pub const ALL: [CellStatus; 5] = [
        Self::Valid,
        Self::Expiring,
        Self::Expired,
        Self::Missing,
        Self::NotRequired,
    ];

    /// French label (the expiring one without its threshold: see [`CellStatus::label_within`]).
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "valide",
            Self::Expiring => "expire bientôt",
            Self::Expired => "expirée",
            Self::Missing => "manquante",
            Self::NotRequired => "non requise",
        }
    }

    /// French label with the alert threshold: « expire ≤ 90 j » for the expiring status.
    pub fn label_within(self, threshold_days: u32) -> String {
        match self {
            Self::Expiring => format!("expire ≤ {threshold_days} j"),
            other => other.label().to_owned(),
        }
    }

    /// The glyph that keeps the status readable without colour (NO_COLOR).
    pub fn glyph(self) -> char {
        match self {
            Self::Valid => '✔',
            Self::Expiring => '!',
            Self::Expired => '✖',
            Self::Missing => '?',
            Self::NotRequired => '·',
        }
    }

    /// Whether the training is required of the worker.
    pub fn required(self) -> bool {
        self != Self::NotRequired
    }

    /// Whether the worker complies: required and still valid today.
    pub fn compliant(self) -> bool {
        matches!(self, Self::Valid | Self::Expiring)
    }
}

/// One cell: its status and the date it shows (the last valid day, else the training's end
/// date for one that does not expire; none when missing or never held).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Status.
    pub status: CellStatus,
    /// Date shown.
    pub date: Option<NaiveDate>,
}

/// A training a worker holds, as the matrix reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Catalogue code.
    pub training_code: String,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Its expiry as the catalogue computes it (none: no expiry).
    pub expires_on: Option<NaiveDate>,
}

/// The status of a cell on `today`: `required` is `None` when the training is not required,
/// else `Some(employer's validity in months)`; `held` the worker's latest training of its
/// family, if any.
pub fn cell(
    required: Option<Option<u32>>,
    held: Option<&Held>,
    today: NaiveDate,
    threshold_days: u32,
) -> Cell {
    let expiry = held.map(|held| {
        let employer = required.flatten().and_then(|months| {
            let entry = PassportEntry {
                training_code: held.training_code.clone(),
                end_date: held.end_date,
                validity_start: None,
                validity_end: None,
            };
            expiry_date(&entry, Some(months))
        });
        match (held.expires_on, employer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    });
    let date = held.map(|h| expiry.flatten().unwrap_or(h.end_date));
    let Some(_) = required else {
        return Cell {
            status: CellStatus::NotRequired,
            date,
        };
    };
    let Some(expiry) = expiry else {
        return Cell {
            status: CellStatus::Missing,
            date: None,
        };
    };
    let status = match status(expiry, today, threshold_days) {
        ExpiryStatus::Expired => CellStatus::Expired,
        ExpiryStatus::Expiring => CellStatus::Expiring,
        ExpiryStatus::Valid | ExpiryStatus::NoExpiry => CellStatus::Valid,
    };
    Cell { status, date }
}

/// A worker as a row of the matrix: who, and the employment its requirements and filters
/// read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixWorker {
    /// The worker.
    pub id: WorkerId,
    /// « NOM Prénoms ».
    pub name: String,
    /// Site.
    pub site: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Poste.
    pub poste: Option<String>,
    /// Responsable.
    pub manager: Option<String>,
    /// Current trainings held (superseded ones left out).
    pub held: Vec<Held>,
}

/// Compliant over required, for a training or a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compliance {
    /// Cells required and still valid.
    pub compliant: u32,
    /// Cells required.
    pub required: u32,
}

impl Compliance {
    /// The rounded-down percentage, none when nothing is required.
    pub fn percent(self) -> Option<u32> {
        (self.required > 0).then(|| self.compliant * 100 / self.required)
    }

    /// `« 83 % »`, or `« – »` when nothing is required.
    pub fn label(self) -> String {
        self.percent()
            .map_or_else(|| "–".to_owned(), |p| format!("{p} %"))
    }

    fn add(&mut self, status: CellStatus) {
        if status.required() {
            self.required += 1;
            if status.compliant() {
                self.compliant += 1;
            }
        }
    }
}

/// The grid: rows of workers, columns of the trainings some requirement names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    /// Column codes, sorted.
    pub trainings: Vec<String>,
    /// Rows, in the order given.
    pub workers: Vec<MatrixWorker>,
    /// Cells, row by row.
    cells: Vec<Cell>,
}

impl Matrix {
    /// Builds the grid on `today`: one column per training a requirement names, one row per
    /// worker, each cell by [`cell`] with the worker's latest training of the column's family.
    pub fn build(
        workers: Vec<MatrixWorker>,
        requirements: &[Requirement],
        catalogue: &Catalogue,
        today: NaiveDate,
        threshold_days: u32,
    ) -> Self {
        let mut trainings: Vec<String> = requirements
            .iter()
            .map(|r| r.training_code.trim().to_owned())
            .collect();
        trainings.sort();
        trainings.dedup();
        let families: Vec<&str> = trainings.iter().map(|c| catalogue.family(c)).collect();
        let mut cells = Vec::with_capacity(workers.len() * trainings.len());
        for worker in &workers {
            let employment = Employment {
                poste: worker.poste.as_deref(),
                site: worker.site.as_deref(),
                service: worker.service.as_deref(),
            };
            let required: HashMap<String, Option<u32>> =
                required_of(requirements, employment).into_iter().collect();
            for (code, family) in trainings.iter().zip(&families) {
                let held = worker
                    .held
                    .iter()
                    .filter(|h| catalogue.family(&h.training_code) == *family)
                    .max_by_key(|h| h.end_date);
                cells.push(cell(
                    required.get(code).copied(),
                    held,
                    today,
                    threshold_days,
                ));
            }
        }
        Self {
            trainings,
            workers,
            cells,
        }
    }

    /// The cell of row `row`, column `column`.
    pub fn cell(&self, row: usize, column: usize) -> Option<Cell> {
        if column >= self.trainings.len() {
            return None;
        }
        self.cells.get(row * self.trainings.len() + column).copied()
    }

    /// The cells of row `row`.
    pub fn row(&self, row: usize) -> &[Cell] {
        let width = self.trainings.len();
        self.cells
            .get(row * width..(row + 1) * width)
            .unwrap_or_default()
    }

    /// The compliance of row `row` over its required trainings.
    pub fn row_compliance(&self, row: usize) -> Compliance {
        let mut total = Compliance::default();
        for cell in self.row(row) {
            total.add(cell.status);
        }
        total
    }

    /// The compliance of each column over the rows `rows` (a filtered view).
    pub fn column_compliance(&self, rows: &[usize]) -> Vec<Compliance> {
        let mut totals = vec![Compliance::default(); self.trainings.len()];
        for &row in rows {
            for (total, cell) in totals.iter_mut().zip(self.row(row)) {
                total.add(cell.status);
            }
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The frozen clock of these tests.
    fn today() -> NaiveDate {
        date(2026, 12, 4)
    }

    fn held(code: &str, end: NaiveDate, expires: Option<NaiveDate>) -> Held {
        Held {
            training_code: code.to_owned(),
            end_date: end,
            expires_on: expires,
        }
    }

    #[test]
    fn each_status_on_a_frozen_clock() {
        let valid = held("SST", date(2025, 6, 1), Some(date(2027, 5, 31)));
        let soon = held("SST", date(2025, 1, 10), Some(date(2027, 1, 9)));
        let last_day = held("SST", date(2024, 12, 5), Some(today()));
        let past = held("SST", date(2024, 12, 1), Some(date(2026, 11, 30)));
        let forever = held("GESTES_POSTURES", date(2020, 3, 2), None);
        let status = |h: Option<&Held>| cell(Some(None), h, today(), 90);
        assert_eq!(status(Some(&valid)).status, CellStatus::Valid);
        assert_eq!(status(Some(&valid)).date, Some(date(2027, 5, 31)));
        assert_eq!(status(Some(&soon)).status, CellStatus::Expiring);
        assert_eq!(status(Some(&last_day)).status, CellStatus::Expiring);
        assert_eq!(status(Some(&past)).status, CellStatus::Expired);
        assert_eq!(
            status(Some(&forever)),
            Cell {
                status: CellStatus::Valid,
                date: Some(date(2020, 3, 2))
            }
        );
        assert_eq!(
            status(None),
            Cell {
                status: CellStatus::Missing,
                date: None
            }
        );
        let not_required = cell(None, Some(&past), today(), 90);
        assert_eq!(not_required.status, CellStatus::NotRequired);
        assert_eq!(not_required.date, Some(date(2026, 11, 30)));
    }

    #[test]
    fn the_employers_shorter_validity_cuts_the_expiry() {
        // Catalogue: 24 months, valid to 2027-05-31; the employer wants 12: to 2026-05-31.
        let sst = held("SST", date(2025, 6, 1), Some(date(2027, 5, 31)));
        let c = cell(Some(Some(12)), Some(&sst), today(), 90);
        assert_eq!(c.status, CellStatus::Expired);
        assert_eq!(c.date, Some(date(2026, 5, 31)));
        // A training without catalogue expiry gets the employer's.
        let gp = held("GESTES_POSTURES", date(2026, 9, 1), None);
        let c = cell(Some(Some(6)), Some(&gp), today(), 90);
        assert_eq!(c.status, CellStatus::Expiring);
        assert_eq!(c.date, Some(date(2027, 2, 28)));
    }

    #[test]
    fn the_grid_counts_compliance_and_a_renewal_counts_for_its_family() {
        let catalogue = Catalogue::embedded().unwrap();
        let requirements = vec![
            Requirement {
                poste: "Cariste".to_owned(),
                site: None,
                service: None,
                training_code: "SST".to_owned(),
                validity_months: None,
            },
            Requirement {
                poste: "Cariste".to_owned(),
                site: None,
                service: None,
                training_code: "CACES_R489".to_owned(),
                validity_months: None,
            },
        ];
        let worker = |id: i64, poste: &str, held: Vec<Held>| MatrixWorker {
            id,
            name: format!("W{id}"),
            site: Some("Lyon".to_owned()),
            service: None,
            poste: Some(poste.to_owned()),
            manager: None,
            held,
        };
        let workers = vec![
            worker(
                1,
                "cariste",
                vec![held("MAC_SST", date(2026, 1, 5), Some(date(2028, 1, 4)))],
            ),
            worker(2, "Comptable", vec![]),
        ];
        let matrix = Matrix::build(workers, &requirements, &catalogue, today(), 90);
        assert_eq!(matrix.trainings, ["CACES_R489", "SST"]);
        assert_eq!(matrix.cell(0, 0).unwrap().status, CellStatus::Missing);
        assert_eq!(matrix.cell(0, 1).unwrap().status, CellStatus::Valid);
        assert_eq!(matrix.cell(1, 1).unwrap().status, CellStatus::NotRequired);
        assert_eq!(matrix.cell(0, 2), None);
        assert_eq!(matrix.row_compliance(0).label(), "50 %");
        assert_eq!(matrix.row_compliance(1).label(), "–");
        let columns = matrix.column_compliance(&[0, 1]);
        assert_eq!(columns[0].label(), "0 %");
        assert_eq!(columns[1].label(), "100 %");
    }
}
