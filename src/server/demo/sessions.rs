//! Demo sessions: every offer of every account over three years back and three months ahead,
//! on working days.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// Days of past sessions: three years back.
pub(super) const PAST_DAYS: u64 = 3 * 365;
/// Days of upcoming sessions: three months ahead.
const UPCOMING_DAYS: u64 = 90;

/// A random day in `from..=to` (`from` when the range is empty).
pub(super) fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        return from;
    }
    from + Days::new(rng.random_range(0..=span as u64))
}

/// The Monday after `day` when it falls on a weekend, else `day`.
fn next_working_day(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Days::new(2),
        Weekday::Sun => day + Days::new(1),
        _ => day,
    }
}

/// First and last day of a session of `days` working days (1 to 5) held in the week of `day`,
/// starting on `day` when it fits before Saturday, else as late in the week as it fits. Never
/// ends after `day + days - 1`.
fn working_week(day: NaiveDate, days: u32) -> (NaiveDate, NaiveDate) {
    let days = days.clamp(1, 5);
    let weekday = day.weekday().num_days_from_monday();
    let monday = day - Days::new(u64::from(weekday));
    let start = monday + Days::new(u64::from(weekday.min(5 - days)));
    (start, start + Days::new(u64::from(days - 1)))
}

/// The sessions of every offer: past ones spread over three years, and a few not over yet
/// (in progress or within three months), on working days, ids in order of start date.
pub(super) fn build_sessions(
    options: &DemoOptions,
    accounts: &[DemoAccount],
    codes: &[CodeInfo],
    offers: &[(usize, usize, u32)],
) -> Vec<DemoSession> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(options.seed ^ 0x5E55_10A5));
    let today = options.today;
    let workers = u64::from(options.workers);
    let mut sessions = Vec::new();
    for &(owner, code, days) in offers {
        let Some(account) = accounts.get(owner) else {
            continue;
        };
        let info = &codes[code];
        let (per_worker, cap) = if owner == OF_ACCOUNT {
            (40, 400)
        } else {
            (80, 200)
        };
        let past = (workers / per_worker).clamp(3, cap);
        let upcoming = (past / 12).max(2);
        for index in 0..past + upcoming {
            let day = if index < past {
                let latest = today - Days::new(u64::from(days) + 3);
                day_between(&mut rng, today - Days::new(PAST_DAYS), latest)
            } else {
                // In progress (started in the last days) or within the next three months.
                let from = today - Days::new(u64::from(days.saturating_sub(1)));
                next_working_day(day_between(
                    &mut rng,
                    from,
                    today + Days::new(UPCOMING_DAYS),
                ))
            };
            let (start, end_date) = working_week(day, days);
            let place = account.sites.choose(&mut rng).cloned().unwrap_or_default();
            sessions.push(DemoSession {
                session: Session {
                    id: 0,
                    training_code: info.code.to_owned(),
                    title: info.title.clone(),
                    organisme: account.name.clone(),
                    place,
                    start_date: start,
                    end_date,
                    trainees: Vec::new(),
                },
                owner,
            });
        }
    }
    sessions.sort_by(|a, b| {
        (a.session.start_date, a.owner, &a.session.training_code).cmp(&(
            b.session.start_date,
            b.owner,
            &b.session.training_code,
        ))
    });
    for (index, demo) in sessions.iter_mut().enumerate() {
        demo.session.id = index as SessionId + 1;
    }
    sessions
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;

    use super::super::tests::{date, demo};
    use super::*;

    #[test]
    fn sessions_are_numbered_in_date_order_on_working_days() {
        let demo = demo(DEFAULT_WORKERS, DEFAULT_SEED);
        let mut previous = None;
        for (index, demo_session) in demo.sessions().iter().enumerate() {
            let session = &demo_session.session;
            assert_eq!(session.id, index as SessionId + 1);
            assert!(previous.is_none_or(|day| day <= session.start_date));
            previous = Some(session.start_date);
            assert!(session.start_date <= session.end_date);
            assert_eq!(session.start_date.iso_week(), session.end_date.iso_week());
            assert!(session.end_date.weekday().num_days_from_monday() < 5);
            let owner = &demo.accounts()[demo_session.owner];
            assert_eq!(session.organisme, owner.name);
            assert!(owner.sites.contains(&session.place));
        }
    }

    proptest! {
        #[test]
        fn sessions_fit_in_one_working_week(offset in 0u64..4000, days in 1u32..=5) {
            let day = date(2024, 1, 1) + Days::new(offset);
            let (start, end) = working_week(day, days);
            prop_assert_eq!((end - start).num_days(), i64::from(days) - 1);
            prop_assert!(end.weekday().num_days_from_monday() < 5);
            prop_assert_eq!(start.iso_week(), day.iso_week());
            prop_assert!(end <= day + Days::new(u64::from(days) - 1));
            prop_assert!(next_working_day(day).weekday().num_days_from_monday() < 5);
        }
    }
}
