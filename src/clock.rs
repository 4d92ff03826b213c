//! *Today*, for the server, the client and the commands: `PASSEPORT_TODAY=YYYY-MM-DD` when set
//! (tests and demos), else the system clock's local date.

use chrono::NaiveDate;

/// The environment variable that freezes today.
pub const TODAY_VAR: &str = "PASSEPORT_TODAY";

/// `PASSEPORT_TODAY` holds something that is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PASSEPORT_TODAY : « {0} » n'est pas une date AAAA-MM-JJ")]
pub struct TodayError(pub String);

/// Today: the frozen date of `PASSEPORT_TODAY`, else the local date.
pub fn today() -> Result<NaiveDate, TodayError> {
    match std::env::var(TODAY_VAR) {
        Ok(value) if !value.trim().is_empty() => parse_today(&value),
        _ => Ok(chrono::Local::now().date_naive()),
    }
}

/// Parses a frozen today.
pub fn parse_today(value: &str) -> Result<NaiveDate, TodayError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| TodayError(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            parse_today("2026-11-26"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
        );
        assert!(parse_today("26/11/2026").is_err());
        assert!(parse_today("2026-02-30").is_err());
    }
}
