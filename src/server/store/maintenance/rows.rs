//! Rows as values of a known [`Kind`]: the SELECT that reads a table in key order, the decoding
//! of each backend's row, the binding into each backend's INSERT, and the checksum.
//!
//! The checksum is a SHA-256 over the rows in key order, each value normalised so the same data
//! hashes the same on both backends: whole numbers in decimal, booleans as 0/1, dates as ISO
//! text (the text SQLite holds), instants as UTC RFC 3339 text with microseconds (PostgreSQL keeps microseconds; SQLite
//! text may hold nanoseconds, which a copy to PostgreSQL cannot keep), NULL distinct from any
//! text; each value is tagged and length-prefixed so no two rows hash alike by shifting bytes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::query_builder::Separated;
use sqlx::{Postgres, Row, Sqlite, ValueRef};

use super::schema::{Kind, Table};
use super::{MaintenanceError, ident};

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// SQL NULL.
    Null,
    /// Whole number.
    Int(i64),
    /// Floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// Date.
    Date(NaiveDate),
    /// Instant, at microsecond precision.
    Timestamp(DateTime<Utc>),
}

/// The SELECT reading every column of `table` (with `kinds` in the same order) in key order.
/// On PostgreSQL text keys are ordered byte-wise (`COLLATE "C"`), as SQLite orders them.
pub(super) fn select(table: &Table, postgres: bool) -> Result<String, MaintenanceError> {
    let columns = table
        .columns
        .iter()
        .map(|c| ident(&c.name))
        .collect::<Result<Vec<_>, _>>()?;
    let order = table
        .order
        .iter()
        .map(|name| {
            let quoted = ident(name)?;
            let text = table.column(name).is_some_and(|c| c.kind == Kind::Text);
            Ok(if postgres && text {
                format!("{quoted} COLLATE \"C\"")
            } else {
                quoted
            })
        })
        .collect::<Result<Vec<_>, MaintenanceError>>()?;
    Ok(format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        ident(&table.name)?,
        order.join(", ")
    ))
}

/// The start of the INSERT of `table`'s columns, to which the values are pushed.
pub(super) fn insert_head(table: &Table) -> Result<String, MaintenanceError> {
    let columns = table
        .columns
        .iter()
        .map(|c| ident(&c.name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!(
        "INSERT INTO {} ({}) ",
        ident(&table.name)?,
        columns.join(", ")
    ))
}

/// An instant at the precision both backends keep.
fn microseconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// An instant as SQLite text holds it: RFC 3339 (as sqlx writes it), or `YYYY-MM-DD HH:MM:SS`
/// taken as UTC.
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|at| at.and_utc())
        })
}

/// Decodes the values of a SQLite row, column by column as `table` types them.
pub(super) fn from_sqlite(
    table: &Table,
    row: &sqlx::sqlite::SqliteRow,
) -> Result<Vec<Value>, MaintenanceError> {
    let mut values = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let bad = |detail: String| MaintenanceError::BadValue {
            table: table.name.clone(),
            column: column.name.clone(),
            detail,
        };
        if row.try_get_raw(i)?.is_null() {
            values.push(Value::Null);
            continue;
        }
        let value = match column.kind {
            Kind::Int => Value::Int(row.try_get(i)?),
            Kind::Real => Value::Real(row.try_get(i)?),
            Kind::Text => Value::Text(row.try_get(i)?),
            Kind::Bool => match row.try_get::<i64, _>(i)? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                other => return Err(bad(format!("booléen attendu (0 ou 1), lu {other}"))),
            },
            Kind::Date => {
                let text: String = row.try_get(i)?;
                Value::Date(
                    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                        .map_err(|_| bad(format!("date attendue (AAAA-MM-JJ), lu « {text} »")))?,
                )
            }
            Kind::Timestamp => {
                let text: String = row.try_get(i)?;
                let at = parse_instant(&text)
                    .ok_or_else(|| bad(format!("horodatage attendu (RFC 3339), lu « {text} »")))?;
                Value::Timestamp(microseconds(at))
            }
        };
        values.push(value);
    }
    Ok(values)
}

/// Decodes the values of a PostgreSQL row, column by column as `table` types them.
pub(super) fn from_postgres(
    table: &Table,
    row: &sqlx::postgres::PgRow,
) -> Result<Vec<Value>, MaintenanceError> {
    let mut values = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        if row.try_get_raw(i)?.is_null() {
            values.push(Value::Null);
            continue;
        }
        let value = match column.kind {
            Kind::Int => Value::Int(match row.try_get::<i64, _>(i) {
                Ok(n) => n,
                Err(_) => i64::from(row.try_get::<i32, _>(i)?),
            }),
            Kind::Real => Value::Real(row.try_get(i)?),
            Kind::Text => Value::Text(row.try_get(i)?),
            Kind::Bool => Value::Bool(row.try_get(i)?),
            Kind::Date => Value::Date(row.try_get(i)?),
            Kind::Timestamp => Value::Timestamp(microseconds(row.try_get(i)?)),
        };
        values.push(value);
    }
    Ok(values)
}

/// Binds `value` (of a column of `kind`) into a SQLite INSERT: booleans as 0/1, dates and
/// instants as the text sqlx writes for them, as the store does.
pub(super) fn bind_sqlite(values: &mut Separated<'_, '_, Sqlite, &str>, kind: Kind, value: &Value) {
    match value {
        Value::Null => match kind {
            Kind::Int | Kind::Bool => values.push_bind(None::<i64>),
            Kind::Real => values.push_bind(None::<f64>),
            Kind::Text | Kind::Date | Kind::Timestamp => values.push_bind(None::<String>),
        },
        Value::Int(n) => values.push_bind(*n),
        Value::Real(x) => values.push_bind(*x),
        Value::Text(text) => values.push_bind(text.clone()),
        Value::Bool(flag) => values.push_bind(i64::from(*flag)),
        Value::Date(date) => values.push_bind(*date),
        Value::Timestamp(at) => values.push_bind(*at),
    };
}

/// Binds `value` (of a column of `kind`) into a PostgreSQL INSERT, typed NULLs included.
pub(super) fn bind_postgres(
    values: &mut Separated<'_, '_, Postgres, &str>,
    kind: Kind,
    value: &Value,
) {
    match value {
        Value::Null => match kind {
            Kind::Int => values.push_bind(None::<i64>),
            Kind::Real => values.push_bind(None::<f64>),
            Kind::Text => values.push_bind(None::<String>),
            Kind::Bool => values.push_bind(None::<bool>),
            Kind::Date => values.push_bind(None::<NaiveDate>),
            Kind::Timestamp => values.push_bind(None::<DateTime<Utc>>),
        },
        Value::Int(n) => values.push_bind(*n),
        Value::Real(x) => values.push_bind(*x),
        Value::Text(text) => values.push_bind(text.clone()),
        Value::Bool(flag) => values.push_bind(*flag),
        Value::Date(date) => values.push_bind(*date),
        Value::Timestamp(at) => values.push_bind(*at),
    };
}

/// The running checksum and count of a table's rows.
#[derive(Debug, Clone, Default)]
pub(super) struct Checksum {
    hasher: Sha256,
    rows: u64,
}

impl Checksum {
    /// Adds one row.
    pub(super) fn add(&mut self, row: &[Value]) {
        for value in row {
            let (tag, text) = match value {
                Value::Null => (b'N', String::new()),
                Value::Int(n) => (b'I', n.to_string()),
                Value::Real(x) => (b'R', format!("{x:?}")),
                Value::Text(text) => (b'T', text.clone()),
                Value::Bool(flag) => (b'I', u8::from(*flag).to_string()),
                Value::Date(date) => (b'T', date.format("%Y-%m-%d").to_string()),
                Value::Timestamp(at) => (b'T', at.to_rfc3339_opts(SecondsFormat::Micros, true)),
            };
            self.hasher.update([tag]);
            self.hasher.update((text.len() as u64).to_le_bytes());
            self.hasher.update(text.as_bytes());
        }
        self.hasher.update(b"\n");
        self.rows += 1;
    }

    /// The rows added and the SHA-256 in lowercase hex.
    pub(super) fn finish(self) -> (u64, String) {
        let digest = self.hasher.finalize();
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.rows, hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(rows: &[Vec<Value>]) -> String {
        let mut checksum = Checksum::default();
        for row in rows {
            checksum.add(row);
        }
        checksum.finish().1
    }

    #[test]
    fn the_checksum_tells_apart_what_a_copy_could_confuse() {
        let base = sum(&[vec![Value::Text("ab".into()), Value::Text("c".into())]]);
        assert_ne!(
            base,
            sum(&[vec![Value::Text("a".into()), Value::Text("bc".into())]])
        );
        assert_ne!(
            base,
            sum(&[
                vec![Value::Text("ab".into())],
                vec![Value::Text("c".into())]
            ])
        );
        assert_ne!(
            sum(&[vec![Value::Null]]),
            sum(&[vec![Value::Text(String::new())]])
        );
        assert_ne!(
            sum(&[vec![Value::Int(1)]]),
            sum(&[vec![Value::Text("1".into())]])
        );
        // A boolean hashes as the 0/1 SQLite stores, a date as its ISO text.
        assert_eq!(sum(&[vec![Value::Bool(true)]]), sum(&[vec![Value::Int(1)]]));
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            sum(&[vec![Value::Date(date)]]),
            sum(&[vec![Value::Text("2026-03-01".into())]])
        );
    }

    #[test]
    fn sqlite_instants_are_read_at_microseconds_in_utc() {
        let at = parse_instant("2026-03-01T10:15:30.123456789+01:00").unwrap();
        assert_eq!(
            microseconds(at).to_rfc3339_opts(SecondsFormat::Micros, true),
            "2026-03-01T09:15:30.123456Z"
        );
        let plain = parse_instant("2026-03-01 10:15:30").unwrap();
        assert_eq!(plain.to_rfc3339(), "2026-03-01T10:15:30+00:00");
        assert!(parse_instant("hier").is_none());
    }
}
