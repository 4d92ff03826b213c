//! Opaque pagination cursors (keyset on an id, or on a date and an id) and page sizes.
//!
//! A cursor is the hexadecimal of `i:<id>` or `d:<YYYY-MM-DD>:<id>`: clients must treat it as
//! opaque; anything that does not decode is a 400 problem.

use chrono::NaiveDate;

use super::auth::hex;
use super::problem::ApiProblem;
use crate::api::contract::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};

/// The page size of a request: the default when absent, 1 to [`MAX_PAGE_LIMIT`] otherwise.
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiProblem> {
    match limit {
        None => Ok(DEFAULT_PAGE_LIMIT),
        Some(limit) if (1..=MAX_PAGE_LIMIT).contains(&limit) => Ok(limit),
        Some(limit) => Err(ApiProblem::bad_request(format!(
            "limit = {limit} : la taille de page va de 1 à {MAX_PAGE_LIMIT}"
        ))),
    }
}

/// Encodes an id cursor.
pub fn encode_id(id: i64) -> String {
    hex(format!("i:{id}").as_bytes())
}

/// Encodes a (date, id) cursor.
pub fn encode_date_id(date: NaiveDate, id: i64) -> String {
    hex(format!("d:{date}:{id}").as_bytes())
}

/// The error of a cursor that does not decode.
fn bad_cursor() -> ApiProblem {
    ApiProblem::bad_request(
        "curseur de pagination invalide : reprenez la liste depuis le début (sans « cursor »)",
    )
}

/// The text inside a hex cursor.
fn unhex(cursor: &str) -> Option<String> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 128 {
        return None;
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| {
            cursor
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// Decodes an optional id cursor.
pub fn decode_id(cursor: Option<&str>) -> Result<Option<i64>, ApiProblem> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    unhex(cursor)
        .and_then(|text| text.strip_prefix("i:").and_then(|id| id.parse().ok()))
        .map(Some)
        .ok_or_else(bad_cursor)
}

/// Decodes an optional (date, id) cursor.
pub fn decode_date_id(cursor: Option<&str>) -> Result<Option<(NaiveDate, i64)>, ApiProblem> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let text = unhex(cursor).ok_or_else(bad_cursor)?;
    let rest = text.strip_prefix("d:").ok_or_else(bad_cursor)?;
    let (date, id) = rest.split_once(':').ok_or_else(bad_cursor)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad_cursor())?;
    let id = id.parse().map_err(|_| bad_cursor())?;
    Ok(Some((date, id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limits() {
        assert_eq!(page_limit(None).unwrap(), DEFAULT_PAGE_LIMIT);
        assert_eq!(page_limit(Some(1)).unwrap(), 1);
        assert_eq!(page_limit(Some(MAX_PAGE_LIMIT)).unwrap(), MAX_PAGE_LIMIT);
        assert_eq!(page_limit(Some(0)).unwrap_err().status.as_u16(), 400);
        assert_eq!(
            page_limit(Some(MAX_PAGE_LIMIT + 1))
                .unwrap_err()
                .status
                .as_u16(),
            400
        );
    }

    #[test]
    fn bad_cursors_are_400() {
        for bad in ["zz", "abc", "", "693a78", &encode_id(5)] {
            assert_eq!(
                decode_date_id(Some(bad)).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
        let date = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        for bad in ["zz", "abc", "", &encode_date_id(date, 3)] {
            assert_eq!(
                decode_id(Some(bad)).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
        assert_eq!(decode_id(None).unwrap(), None);
    }

    proptest! {
        #[test]
        fn cursors_round_trip(id in any::<i64>(), days in 0_i32..100_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(700_000 + days).unwrap();
            prop_assert_eq!(decode_id(Some(&encode_id(id))).unwrap(), Some(id));
            prop_assert_eq!(
                decode_date_id(Some(&encode_date_id(date, id))).unwrap(),
                Some((date, id))
            );
        }
    }
}
