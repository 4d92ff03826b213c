//! Escalating reminders (issue 19 §3), pure: which expiries and declaration deadlines have
//! crossed a threshold (90/60/30/7 days before an expiry, 30/7 days before a declaration
//! deadline, or overdue; domain.md §9) since the reminders already sent, and one digest per
//! recipient. `passeport remind` (cli::remind) fetches the items, sends the digests and keeps the
//! [`SentLog`] in the data directory.

pub mod digest;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use digest::{Digest, digests};

/// Days before an expiry at which a reminder goes out (domain.md §9: rhythms seen in tools).
pub const DEFAULT_EXPIRY_DAYS: [u32; 4] = [90, 60, 30, 7];
/// Days before a declaration deadline at which a reminder goes out.
pub const DEFAULT_DEADLINE_DAYS: [u32; 2] = [30, 7];

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A training's last valid day.
    Expiry,
    /// The last day to declare a training.
    Deadline,
}

/// One date a reminder may be about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Expiry or declaration deadline.
    pub kind: ItemKind,
    /// Stable identity across runs (kind, record and date), the key of the [`SentLog`].
    pub key: String,
    /// The worker the item is about, when there is one (the manager is looked up from it).
    pub worker_id: Option<i64>,
    /// Who: the worker's name, or the session for a session to declare.
    pub who: String,
    /// Site, or place of the session.
    pub site: String,
    /// Title of the training.
    pub training: String,
    /// The last valid day, or the last day to declare.
    pub due: NaiveDate,
}

/// How close an item is: overdue, or within a threshold of days. Ordered from the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The date is past.
    Overdue,
    /// Due within this many days.
    Within(u32),
}

impl Stage {
    /// French label, as the digest's « Rappel » column shows it.
    pub fn label(self) -> String {
        match self {
            Self::Overdue => "dépassée".to_owned(),
            Self::Within(days) => format!("J-{days}"),
        }
    }
}

/// The stage of a date `days_left` days away (negative once past), given the `thresholds` in
/// days: overdue when past, else the smallest threshold it falls within, else none.
pub fn stage_of(days_left: i64, thresholds: &[u32]) -> Option<Stage> {
    if days_left < 0 {
        return Some(Stage::Overdue);
    }
    thresholds
        .iter()
        .copied()
        .filter(|&days| days_left <= i64::from(days))
        .min()
        .map(Stage::Within)
}

/// The thresholds of a run, in days (from the config's `[reminders]` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// Before an expiry.
    pub expiry: Vec<u32>,
    /// Before a declaration deadline.
    pub deadline: Vec<u32>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            expiry: DEFAULT_EXPIRY_DAYS.to_vec(),
            deadline: DEFAULT_DEADLINE_DAYS.to_vec(),
        }
    }
}

impl Thresholds {
    /// The thresholds for items of `kind`.
    pub fn of(&self, kind: ItemKind) -> &[u32] {
        match kind {
            ItemKind::Expiry => &self.expiry,
            ItemKind::Deadline => &self.deadline,
        }
    }

    /// The widest threshold of either kind: how far ahead the items are fetched.
    pub fn horizon(&self) -> u32 {
        self.expiry
            .iter()
            .chain(&self.deadline)
            .copied()
            .max()
            .unwrap_or(0)
    }
}

/// An item whose stage is to be reminded today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// Days from today to its date (negative once past).
    pub days_left: i64,
    /// The stage reached.
    pub stage: Stage,
}

/// What a reminder was last sent for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The most urgent stage sent.
    pub stage: Stage,
    /// The day it was sent.
    pub on: NaiveDate,
}

/// The reminders already sent, by item key: the state `passeport remind` keeps between runs, so
/// a stage is reminded once; a reminder not delivered is not recorded, so it stays due.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLog {
    /// Item key → the last reminder sent for it.
    pub sent: BTreeMap<String, Sent>,
}

impl SentLog {
    /// The items of `items` that have reached a stage more urgent than any already sent for
    /// them, on `today`, most urgent date first.
    pub fn due(&self, items: &[Item], today: NaiveDate, thresholds: &Thresholds) -> Vec<Reminder> {
        let mut due: Vec<Reminder> = items
            .iter()
            .filter_map(|item| {
                let days_left = (item.due - today).num_days();
                let stage = stage_of(days_left, thresholds.of(item.kind))?;
                let already = self.sent.get(&item.key).map(|sent| sent.stage);
                already.is_none_or(|sent| stage < sent).then(|| Reminder {
                    item: item.clone(),
                    days_left,
                    stage,
                })
            })
            .collect();
        due.sort_by(|a, b| {
            (a.item.due, a.item.kind, &a.item.who).cmp(&(b.item.due, b.item.kind, &b.item.who))
        });
        due
    }

    /// Records `reminders` as delivered on `today`.
    pub fn record(&mut self, reminders: &[Reminder], today: NaiveDate) {
        for reminder in reminders {
            self.sent.insert(
                reminder.item.key.clone(),
                Sent {
                    stage: reminder.stage,
                    on: today,
                },
            );
        }
    }

    /// Forgets the items no longer listed (renewed, declared, or left): the log stays as small
    /// as what is pending. Call it only with a complete list of items.
    pub fn forget_absent(&mut self, items: &[Item]) {
        let present: BTreeSet<&str> = items.iter().map(|item| item.key.as_str()).collect();
        self.sent.retain(|key, _| present.contains(key.as_str()));
    }
}

/// `manager` as an e-mail address when it is one (the staff record's « Responsable » is free
/// text: a name is no address).
pub fn manager_address(manager: &str) -> Option<String> {
    let manager = manager.trim();
    manager
        .parse::<lettre::Address>()
        .ok()
        .map(|_| manager.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn expiry(key: &str, due: NaiveDate) -> Item {
        Item {
            kind: ItemKind::Expiry,
            key: key.to_owned(),
            worker_id: Some(1),
            who: "DUPONT Jean".to_owned(),
            site: "Lyon".to_owned(),
            training: "Sauveteur secouriste du travail".to_owned(),
            due,
        }
    }

    #[test]
    fn the_stage_is_the_smallest_threshold_reached_or_overdue() {
        let days = &DEFAULT_EXPIRY_DAYS;
        assert_eq!(stage_of(91, days), None);
        assert_eq!(stage_of(90, days), Some(Stage::Within(90)));
        assert_eq!(stage_of(61, days), Some(Stage::Within(90)));
        assert_eq!(stage_of(60, days), Some(Stage::Within(60)));
        assert_eq!(stage_of(7, days), Some(Stage::Within(7)));
        assert_eq!(stage_of(0, days), Some(Stage::Within(7)));
        assert_eq!(stage_of(-1, days), Some(Stage::Overdue));
        assert_eq!(stage_of(5, &[]), None);
        assert!(Stage::Overdue < Stage::Within(7) && Stage::Within(7) < Stage::Within(30));
    }

    /// A daily run over 100 days (frozen clock): one reminder per threshold crossed, then one
    /// once overdue, and never two the same day.
    #[test]
    fn a_daily_run_reminds_each_threshold_once() {
        let due_on = day(2027, 3, 1);
        let items = [expiry("expiry:1:SST:2027-03-01", due_on)];
        let thresholds = Thresholds::default();
        let mut log = SentLog::default();
        let mut reminded = Vec::new();
        let mut today = day(2026, 11, 20);
        while today <= day(2027, 3, 10) {
            for _ in 0..2 {
                let due = log.due(&items, today, &thresholds);
                for reminder in &due {
                    reminded.push((today, reminder.stage));
                }
                log.record(&due, today);
            }
            today = today.succ_opt().unwrap();
        }
        assert_eq!(
            reminded,
            [
                (day(2026, 12, 1), Stage::Within(90)),
                (day(2026, 12, 31), Stage::Within(60)),
                (day(2027, 1, 30), Stage::Within(30)),
                (day(2027, 2, 22), Stage::Within(7)),
                (day(2027, 3, 2), Stage::Overdue),
            ]
        );
    }

    #[test]
    fn a_first_run_sends_only_the_stage_reached_and_an_unsent_one_stays_due() {
        let today = day(2026, 11, 26);
        let items = [
            expiry("a", day(2026, 11, 30)),
            expiry("b", day(2026, 11, 1)),
            expiry("c", day(2027, 6, 1)),
        ];
        let log = SentLog::default();
        let due = log.due(&items, today, &Thresholds::default());
        let stages: Vec<(&str, Stage, i64)> = due
            .iter()
            .map(|r| (r.item.key.as_str(), r.stage, r.days_left))
            .collect();
        assert_eq!(
            stages,
            [("b", Stage::Overdue, -25), ("a", Stage::Within(7), 4)]
        );
        // Not recorded (the send failed): the next day, both are still due.
        let next = log.due(&items, today.succ_opt().unwrap(), &Thresholds::default());
        assert_eq!(next.len(), 2);
    }

    #[test]
    fn deadlines_follow_their_own_thresholds() {
        let today = day(2026, 11, 26);
        let mut item = expiry("deadline:session:3:2026-12-31", day(2026, 12, 31));
        item.kind = ItemKind::Deadline;
        let thresholds = Thresholds::default();
        assert!(
            SentLog::default()
                .due(std::slice::from_ref(&item), today, &thresholds)
                .is_empty(),
            "35 days before a deadline: no reminder at 30/7"
        );
        item.due = day(2026, 12, 20);
        let due = SentLog::default().due(&[item], today, &thresholds);
        assert_eq!(due[0].stage, Stage::Within(30));
    }

    #[test]
    fn items_gone_are_forgotten() {
        let today = day(2026, 11, 26);
        let items = [expiry("a", today), expiry("b", today)];
        let mut log = SentLog::default();
        log.record(&log.due(&items, today, &Thresholds::default()), today);
        log.forget_absent(&items[1..]);
        assert_eq!(log.sent.keys().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn only_an_address_is_a_manager_address() {
        assert_eq!(
            manager_address(" chef.equipe@acme.fr "),
            Some("chef.equipe@acme.fr".to_owned())
        );
        assert_eq!(manager_address("Paul Chef"), None);
        assert_eq!(manager_address(""), None);
    }
}
