//! Expiry maths: when a training stops being valid, and how close that is.
//!
//! The expiry date is the explicit validity end of a justificatif de réussite when there is one;
//! otherwise the validity start (else the training end date) plus the validity period of the
//! training type (domain.md §5: "compute expiry from the JDR validity start date, else the
//! training end date"). The expiry date is the **last valid day**.
//!
//! A validity of N months started on day D ends on the day before D, N months later: the official
//! import guide's SST example starts on 25/07/2025 and, with 24 months, ends on 24/07/2027
//! (shared/reviews/2026-12-rules.md, E-1 [S]). When that day does not exist in the target month,
//! the period ends on the month's last day [I]: started 31/08/2025 + 6 months → 28/02/2026;
//! started 01/03/2025 + 1 month → 31/03/2025.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Default alert threshold: a training expiring within 90 days is « Expire bientôt ».
pub const DEFAULT_THRESHOLD_DAYS: u32 = 90;

/// One training in a worker's passport, with the dates that drive its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportEntry {
    /// Code of the training type in the catalogue (`SST`, `CACES_R489`…).
    pub training_code: String,
    /// Last day of the training.
    pub end_date: NaiveDate,
    /// Validity start of the justificatif de réussite (`DATE_DEBUT_VALIDITE`), if any.
    #[serde(default)]
    pub validity_start: Option<NaiveDate>,
    /// Validity end of the justificatif de réussite (`DATE_FIN_VALIDITE`), if any.
    #[serde(default)]
    pub validity_end: Option<NaiveDate>,
}

/// The last valid day of `entry`: its explicit validity end, else the day before its validity
/// start (or else its end date) plus `validity_months`, else `None` (no expiry). `None` also when
/// the date would overflow chrono's calendar.
pub fn expiry_date(entry: &PassportEntry, validity_months: Option<u32>) -> Option<NaiveDate> {
    if let Some(end) = entry.validity_end {
        return Some(end);
    }
    let months = validity_months?;
    let base = entry.validity_start.unwrap_or(entry.end_date);
    let target = base.with_day(1)?.checked_add_months(Months::new(months))?;
    match target.with_day(base.day()) {
        Some(same_day) => same_day.pred_opt(),
        // The day does not exist in the target month: the period ends on its last day.
        None => target.with_day(u32::from(target.num_days_in_month())),
    }
}

/// Where a training stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryStatus {
    /// The last valid day is past.
    Expired,
    /// Still valid, and the last valid day is within the alert threshold.
    Expiring,
    /// Valid beyond the alert threshold.
    Valid,
    /// The training has no expiry.
    NoExpiry,
}

impl ExpiryStatus {
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Expired => "Expirée",
            Self::Expiring => "Expire bientôt",
            Self::Valid => "Valide",
            Self::NoExpiry => "Sans échéance",
        }
    }
}

/// Days from `today` to the last valid day `expiry`: 0 on the last valid day, negative once past.
pub fn days_left(expiry: NaiveDate, today: NaiveDate) -> i64 {
    (expiry - today).num_days()
}

/// The status on `today` of a training whose last valid day is `expiry`: expired when `expiry` is
/// before `today`, expiring when 0 ≤ days left ≤ `threshold_days`, valid beyond.
pub fn status(expiry: Option<NaiveDate>, today: NaiveDate, threshold_days: u32) -> ExpiryStatus {
    let Some(expiry) = expiry else {
        return ExpiryStatus::NoExpiry;
    };
    let left = days_left(expiry, today);
    if left < 0 {
        ExpiryStatus::Expired
    } else if left <= i64::from(threshold_days) {
        ExpiryStatus::Expiring
    } else {
        ExpiryStatus::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ended(end: NaiveDate) -> PassportEntry {
        PassportEntry {
            training_code: "SST".to_owned(),
            end_date: end,
            validity_start: None,
            validity_end: None,
        }
    }

    #[test]
    fn official_guide_example_ends_the_day_before() {
        // Import guide's SST example: started 25/07/2025, 24 months → last valid day 24/07/2027.
        let entry = PassportEntry {
            validity_start: Some(date(2025, 7, 25)),
            ..ended(date(2025, 7, 25))
        };
        assert_eq!(expiry_date(&entry, Some(24)), Some(date(2027, 7, 24)));
        // The audit's sandbox case: CACES R485 started 01/01/2020 + 60 months → 31/12/2024.
        assert_eq!(
            expiry_date(&ended(date(2020, 1, 1)), Some(60)),
            Some(date(2024, 12, 31))
        );
    }

    #[test]
    fn adds_months_to_the_end_date() {
        assert_eq!(
            expiry_date(&ended(date(2024, 3, 15)), Some(24)),
            Some(date(2026, 3, 14))
        );
        assert_eq!(
            expiry_date(&ended(date(2025, 11, 30)), Some(3)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            expiry_date(&ended(date(2025, 12, 1)), Some(3)),
            Some(date(2026, 2, 28))
        );
    }

    #[test]
    fn month_end_is_clamped() {
        assert_eq!(
            expiry_date(&ended(date(2025, 8, 31)), Some(6)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            expiry_date(&ended(date(2023, 8, 31)), Some(6)),
            Some(date(2024, 2, 29))
        );
        assert_eq!(
            expiry_date(&ended(date(2025, 1, 31)), Some(1)),
            Some(date(2025, 2, 28))
        );
        assert_eq!(
            expiry_date(&ended(date(2024, 1, 31)), Some(1)),
            Some(date(2024, 2, 29))
        );
        assert_eq!(
            expiry_date(&ended(date(2025, 5, 31)), Some(1)),
            Some(date(2025, 6, 30))
        );
        assert_eq!(
            expiry_date(&ended(date(2025, 3, 1)), Some(1)),
            Some(date(2025, 3, 31))
        );
    }

    #[test]
    fn leap_day_plus_whole_years() {
        assert_eq!(
            expiry_date(&ended(date(2024, 2, 29)), Some(24)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            expiry_date(&ended(date(2024, 2, 29)), Some(48)),
            Some(date(2028, 2, 28))
        );
        assert_eq!(
            expiry_date(&ended(date(2024, 3, 1)), Some(48)),
            Some(date(2028, 2, 29))
        );
    }

    #[test]
    fn validity_start_wins_over_end_date() {
        let entry = PassportEntry {
            validity_start: Some(date(2025, 10, 1)),
            ..ended(date(2025, 9, 20))
        };
        assert_eq!(expiry_date(&entry, Some(24)), Some(date(2027, 9, 30)));
    }

    #[test]
    fn explicit_validity_end_wins_over_everything() {
        let entry = PassportEntry {
            validity_start: Some(date(2025, 10, 1)),
            validity_end: Some(date(2026, 6, 30)),
            ..ended(date(2025, 9, 20))
        };
        assert_eq!(expiry_date(&entry, Some(24)), Some(date(2026, 6, 30)));
        assert_eq!(expiry_date(&entry, None), Some(date(2026, 6, 30)));
    }

    #[test]
    fn no_period_and_no_end_means_no_expiry() {
        let entry = PassportEntry {
            validity_start: Some(date(2025, 10, 1)),
            ..ended(date(2025, 9, 20))
        };
        assert_eq!(expiry_date(&entry, None), None);
        assert_eq!(
            status(expiry_date(&entry, None), date(2030, 1, 1), 90),
            ExpiryStatus::NoExpiry
        );
    }

    #[test]
    fn overflow_gives_none_instead_of_panicking() {
        assert_eq!(expiry_date(&ended(NaiveDate::MAX), Some(1)), None);
    }

    #[test]
    fn expired_boundary_is_the_day_after_the_last_valid_day() {
        let expiry = date(2026, 3, 31);
        // With a zero threshold, only the last valid day itself is « Expire bientôt ».
        assert_eq!(
            status(Some(expiry), date(2026, 3, 30), 0),
            ExpiryStatus::Valid
        );
        assert_eq!(
            status(Some(expiry), date(2026, 3, 31), 0),
            ExpiryStatus::Expiring
        );
        assert_eq!(
            status(Some(expiry), date(2026, 4, 1), 0),
            ExpiryStatus::Expired
        );
        assert_eq!(
            status(Some(expiry), date(2026, 3, 31), 90),
            ExpiryStatus::Expiring
        );
        assert_eq!(
            status(Some(expiry), date(2026, 4, 1), 90),
            ExpiryStatus::Expired
        );
    }

    #[test]
    fn threshold_boundary() {
        let expiry = date(2026, 12, 31);
        // 91, 90 and 89 days before the last valid day.
        assert_eq!(days_left(expiry, date(2026, 10, 1)), 91);
        assert_eq!(
            status(Some(expiry), date(2026, 10, 1), 90),
            ExpiryStatus::Valid
        );
        assert_eq!(days_left(expiry, date(2026, 10, 2)), 90);
        assert_eq!(
            status(Some(expiry), date(2026, 10, 2), 90),
            ExpiryStatus::Expiring
        );
        assert_eq!(
            status(Some(expiry), date(2026, 10, 3), 90),
            ExpiryStatus::Expiring
        );
        assert_eq!(
            status(Some(expiry), date(2026, 10, 2), DEFAULT_THRESHOLD_DAYS),
            ExpiryStatus::Expiring
        );
    }

    #[test]
    fn days_left_is_signed() {
        let expiry = date(2026, 1, 10);
        assert_eq!(days_left(expiry, date(2026, 1, 10)), 0);
        assert_eq!(days_left(expiry, date(2026, 1, 11)), -1);
        assert_eq!(days_left(expiry, date(2025, 1, 10)), 365);
    }

    #[test]
    fn labels_are_french() {
        assert_eq!(ExpiryStatus::Expired.label(), "Expirée");
        assert_eq!(ExpiryStatus::Expiring.label(), "Expire bientôt");
        assert_eq!(ExpiryStatus::Valid.label(), "Valide");
        assert_eq!(ExpiryStatus::NoExpiry.label(), "Sans échéance");
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1990i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
            (0..4)
                .find_map(|back| NaiveDate::from_ymd_opt(y, m, d - back))
                .unwrap()
        })
    }

    fn rank(status: ExpiryStatus) -> u8 {
        match status {
            ExpiryStatus::Valid => 0,
            ExpiryStatus::Expiring => 1,
            ExpiryStatus::Expired => 2,
            ExpiryStatus::NoExpiry => 3,
        }
    }

    proptest! {
        #[test]
        fn expiry_is_the_day_before_the_same_date_n_months_later(
            base in any_date(),
            months in 1u32..=240,
        ) {
            let expiry = expiry_date(&ended(base), Some(months)).unwrap();
            prop_assert!(expiry >= base);
            // The day after the last valid day is the start's day N months later, or the 1st of
            // the month after when that day does not exist (clamped months).
            let next = expiry.succ_opt().unwrap();
            let target_first = base.with_day0(0).unwrap().checked_add_months(Months::new(months)).unwrap();
            if next.day() == 1 && base.day() != 1 {
                prop_assert!(next.month() != target_first.month() || next.year() != target_first.year());
                prop_assert!(u32::from(target_first.num_days_in_month()) < base.day());
            } else {
                prop_assert_eq!(next.day(), base.day());
                prop_assert_eq!((next.year(), next.month()), (target_first.year(), target_first.month()));
            }
        }

        #[test]
        fn status_is_monotonic_in_today(
            expiry in any_date(),
            today in any_date(),
            later_by in 0i64..2000,
            threshold in 0u32..400,
        ) {
            let later = today + chrono::Duration::days(later_by);
            let before = status(Some(expiry), today, threshold);
            let after = status(Some(expiry), later, threshold);
            prop_assert!(rank(before) <= rank(after), "{:?} then {:?}", before, after);
            prop_assert_ne!(before, ExpiryStatus::NoExpiry);
        }

        #[test]
        fn status_agrees_with_days_left(expiry in any_date(), today in any_date(), threshold in 0u32..400) {
            let left = days_left(expiry, today);
            let got = status(Some(expiry), today, threshold);
            prop_assert_eq!(got == ExpiryStatus::Expired, left < 0);
            prop_assert_eq!(got == ExpiryStatus::Valid, left > i64::from(threshold));
        }
    }
}
