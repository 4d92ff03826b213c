//! Deterministic demo data for the sandbox: three accounts (two employers, one training
//! organisation), training sessions over the last three years and the next three months, and
//! workers with their passport entries, generated lazily so that a million workers stream
//! without being held in memory.
//!
//! Everything derives from [`DemoOptions`]: the same seed, worker count and `today` give the
//! same data, on every platform (ChaCha8 streams are portable). Workers are random-access: worker
//! `id` is built from its own stream, so [`Demo::worker`] needs no other worker.
//!
//! Identifiers are valid by construction:
//! - NIRs follow the layout of domain.md §6 (sex, year and month of birth, place of birth, order
//!   number;
//!   <https://www.comptavoo.com/Verifier-et-decomposer-un-numero-de-securite-sociale,1070.html>).
//!   Each worker's NIR is the image of its id through a keyed permutation of every (sex, year,
//!   month, place, order) combination, so NIRs are unique without remembering them.
//! - SIRETs pass the Luhn check (domain.md §6, INSEE); the NDA has 11 digits.
//!
//! The name lists live in `assets/demo/` and are embedded in the binary.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::declaration::{
    Declaration, Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use crate::domain::expiry::PassportEntry;
use crate::domain::ids::{Nda, Nir, Siret};
use crate::domain::session::{Session, SessionId, TraineeOutcome};
use crate::domain::training::Catalogue;
use crate::domain::worker::{Worker, WorkerId};
use crate::domain::{DeclarantKind, DeclarationKind};

/// Number of workers the sandbox is seeded with by default.
pub const DEFAULT_WORKERS: u32 = 1500;

/// Seed of the default demo data.
pub const DEFAULT_SEED: u64 = 20_260_101;

mod declarations;
mod identity;
mod names;
mod sessions;
mod world;

use identity::{NirSpace, mix, nir_text};
use names::Names;
use sessions::{build_sessions, day_between};
use world::{ACCOUNTS, EMPLOYER_OFFERS, OF_OFFER, PROFILES, SHOWCASE, build_account};

/// Index of the training organisation among the accounts.
const OF_ACCOUNT: usize = 2;

/// Youngest age of a demo worker, in years.
const MIN_AGE: i32 = 18;

/// Share of trainings done elsewhere (previous employer, older than the sessions on record).
const EXTERNAL_SHARE: f64 = 0.12;
/// Share of trainings with an expiry that are already expired.
const EXPIRED_SHARE: f64 = 0.07;
/// Share of trainings with an expiry that expire within each band of 30 days (0–30, 31–60, 61–90).
const EXPIRING_BAND_SHARE: f64 = 0.022;
/// Chance that a worker with an expired or expiring training is enrolled in an upcoming session.
const RENEWAL_SHARE: f64 = 0.5;
/// Chance that a worker is enrolled in an upcoming session of a training they do not hold yet.
const NEW_TRAINING_SHARE: f64 = 0.03;
/// Chance that a worker was absent from one past session.
const ABSENT_SHARE: f64 = 0.02;
/// Chance of a second first name.
const SECOND_FIRST_NAME_SHARE: f64 = 0.3;
/// Chance that a woman of 25 or more uses a nom d'usage.
const USAGE_NAME_SHARE: f64 = 0.3;
/// Chance that a nom d'usage joins the birth name and another name (`MARTIN-DUPONT`).
const COMPOUND_USAGE_NAME_SHARE: f64 = 0.15;
/// Chance that the first employer employs a worker (the other one employs the rest).
const FIRST_EMPLOYER_SHARE: f64 = 0.55;

/// What the generator is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Number of workers (ids `1..=workers`), capped at the number of distinct NIRs available.
    pub workers: u32,
    /// Seed of every random choice.
    pub seed: u64,
    /// The day the data is built around: sessions end before or after it, trainings expire
    /// before, around and after it.
    pub today: NaiveDate,
}

impl DemoOptions {
    /// The default demo ([`DEFAULT_WORKERS`], [`DEFAULT_SEED`]) built around `today`.
    pub fn with_defaults(today: NaiveDate) -> Self {
        Self {
            workers: DEFAULT_WORKERS,
            seed: DEFAULT_SEED,
            today,
        }
    }
}

/// The three demo accounts, without the rest of the demo world (see [`Demo::accounts`]).
pub fn accounts() -> Vec<DemoAccount> {
    ACCOUNTS.iter().filter_map(build_account).collect()
}

/// A demo account of the sandbox.
///
/// The three demo accounts, in this order: employer 1, employer 2, training organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// The bearer token: `demo-employeur`, `demo-employeur-2` or `demo-of`.
    pub token: &'static str,
    /// Employer or training organisation.
    pub kind: DeclarantKind,
    /// SIRET of the head office.
    pub siret: Siret,
    /// Company name.
    pub name: String,
    /// Numéro de déclaration d'activité, for the training organisation only.
    pub nda: Option<Nda>,
    /// Sites (employers) or training centres (training organisation).
    pub sites: Vec<String>,
}

/// A training session with the account that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSession {
    /// The session; its trainees are left empty: they are derived from the workers
    /// ([`DemoWorker::sessions`]).
    pub session: Session,
    /// Index of the owning account: the training organisation, or an employer for an internal
    /// training.
    pub owner: usize,
}

/// One training in a worker's passport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEntry {
    /// The training and its dates.
    pub entry: PassportEntry,
    /// The session it was followed in; `None` for a training done elsewhere (previous employer,
    /// or before the sessions on record).
    pub session_id: Option<SessionId>,
    /// The outcome: `Passed` for a justificatif de réussite, `Attended` for an attestation de
    /// formation.
    pub outcome: TraineeOutcome,
}

/// A worker's place in a session that gave no passport entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoEnrolment {
    /// The session.
    pub session_id: SessionId,
    /// `Pending` for a session not over yet, `Absent` for a past session missed.
    pub outcome: TraineeOutcome,
}

/// A generated worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWorker {
    /// Identity and employment; ids run from 1 to the number of workers.
    pub worker: Worker,
    /// Index of the employing account.
    pub employer: usize,
    /// The passport: at most one entry per training type, the latest.
    pub entries: Vec<DemoEntry>,
    /// Sessions followed without a passport entry (upcoming, or missed).
    pub enrolments: Vec<DemoEnrolment>,
}

impl DemoWorker {
    /// Every session this worker is a trainee of, with their outcome: the sessions of the
    /// entries, then the enrolments. A session's trainees are the workers listing it here.
    pub fn sessions(&self) -> impl Iterator<Item = (SessionId, TraineeOutcome)> + '_ {
        let entries = self
            .entries
            .iter()
            .filter_map(|e| e.session_id.map(|id| (id, e.outcome)));
        entries.chain(self.enrolments.iter().map(|e| (e.session_id, e.outcome)))
    }
}

/// A declaration recorded by a demo account.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDeclaration {
    /// Index of the declaring account (the training organisation).
    pub owner: usize,
    /// The declaration, valid on `today`.
    pub declaration: Declaration,
    /// The session it declares.
    pub session_id: SessionId,
}

/// The demo data set: accounts and sessions held, workers generated on demand.
#[derive(Debug, Clone)]
pub struct Demo {
    options: DemoOptions,
    accounts: Vec<DemoAccount>,
    sessions: Vec<DemoSession>,
    names: Names,
    codes: Vec<CodeInfo>,
    /// Profiles of each employer account, by employer slot (0 or 1).
    profiles: Vec<Vec<Profile>>,
    /// Account index of each employer slot.
    employers: Vec<usize>,
    /// Past sessions open to each employer slot, by code index then slot, sorted by end date.
    past: Vec<Vec<Vec<(NaiveDate, SessionId)>>>,
    /// Sessions not over on `today`, by code index then employer slot.
    upcoming: Vec<Vec<Vec<SessionId>>>,
    nir_space: NirSpace,
}

/// A catalogue code used by the generator.
#[derive(Debug, Clone)]
struct CodeInfo {
    code: &'static str,
    title: String,
    kind: DeclarationKind,
    validity_months: Option<u32>,
    /// Excluded from the Passeport (art. 4-II): never declared.
    excluded: bool,
}

/// A job profile with its codes resolved to indices.
#[derive(Debug, Clone)]
struct Profile {
    weight: u32,
    /// Families of code indices, with the chance of holding one.
    holds: Vec<(Vec<usize>, f64)>,
}

/// Index into `weights` drawn with probability proportional to each weight.
fn weighted(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    if total == 0 {
        return 0;
    }
    let mut pick = rng.random_range(0..total);
    for (index, weight) in weights.enumerate() {
        if pick < weight {
            return index;
        }
        pick -= weight;
    }
    0
}

impl Demo {
    /// Builds the accounts and the sessions (cheap: workers are generated on demand).
    ///
    /// Codes of the generator missing from `catalogue` are left out, so a trimmed catalogue
    /// still works.
    pub fn new(opts: &DemoOptions, catalogue: &Catalogue) -> Demo {
        let names = Names::embedded();
        let nir_space = NirSpace::new(names.towns.len(), opts.seed);
        let options = DemoOptions {
            workers: u32::try_from(nir_space.size)
                .map_or(opts.workers, |size| opts.workers.min(size)),
            ..*opts
        };
        let accounts = accounts();
        let employers: Vec<usize> = accounts
            .iter()
            .enumerate()
            .filter(|(_, account)| account.kind == DeclarantKind::Employeur)
            .map(|(index, _)| index)
            .collect();

        let mut codes: Vec<CodeInfo> = Vec::new();
        let mut index_of: HashMap<&'static str, usize> = HashMap::new();
        let mut resolve = |code: &'static str| -> Option<usize> {
            if let Some(&index) = index_of.get(code) {
                return Some(index);
            }
            let training = catalogue.get(code)?;
            codes.push(CodeInfo {
                code,
                title: training.title.clone(),
                kind: training.declaration_kind,
                validity_months: training.validity_months,
                excluded: training.exclusion.is_some(),
            });
            index_of.insert(code, codes.len() - 1);
            Some(codes.len() - 1)
        };
        let profiles: Vec<Vec<Profile>> = PROFILES
            .iter()
            .map(|specs| {
                specs
                    .iter()
                    .map(|spec| Profile {
                        weight: spec.weight,
                        holds: spec
                            .holds
                            .iter()
                            .filter_map(|(family, chance)| {
                                let family: Vec<usize> =
                                    family.iter().filter_map(|code| resolve(code)).collect();
                                (!family.is_empty()).then_some((family, *chance))
                            })
                            .collect(),
                    })
                    .collect()
            })
            .collect();
        let mut offers: Vec<(usize, usize, u32)> = Vec::new();
        for (owner, offer) in [
            (OF_ACCOUNT, OF_OFFER),
            (0, EMPLOYER_OFFERS[0]),
            (1, EMPLOYER_OFFERS[1]),
        ] {
            for &(code, days) in offer {
                if let Some(index) = resolve(code) {
                    offers.push((owner, index, days));
                }
            }
        }

        let sessions = build_sessions(&options, &accounts, &codes, &offers);
        let slots = employers.len();
        let mut past = vec![vec![Vec::new(); slots]; codes.len()];
        let mut upcoming = vec![vec![Vec::new(); slots]; codes.len()];
        for demo in &sessions {
            let session = &demo.session;
            let Some(&code) = index_of.get(session.training_code.as_str()) else {
                continue;
            };
            for (slot, &employer) in employers.iter().enumerate() {
                if demo.owner != employer && demo.owner != OF_ACCOUNT {
                    continue;
                }
                if session.end_date < options.today {
                    past[code][slot].push((session.end_date, session.id));
                } else {
                    upcoming[code][slot].push(session.id);
                }
            }
        }
        for lists in &mut past {
            for list in lists {
                list.sort_unstable();
            }
        }

        Demo {
            options,
            accounts,
            sessions,
            names,
            codes,
            profiles,
            employers,
            past,
            upcoming,
            nir_space,
        }
    }

    /// The options in force (the worker count capped at the number of distinct NIRs).
    pub fn options(&self) -> &DemoOptions {
        &self.options
    }

    /// The three demo accounts, in this order: employer 1, employer 2, training organisation.
    pub fn accounts(&self) -> &[DemoAccount] {
        &self.accounts
    }

    /// The sessions, ids `1..=n` in order of start date.
    pub fn sessions(&self) -> &[DemoSession] {
        &self.sessions
    }

    /// Workers generated lazily in id order (1M workers must stream without holding them all).
    pub fn workers(&self) -> impl Iterator<Item = DemoWorker> + '_ {
        (1..=WorkerId::from(self.options.workers)).filter_map(|id| self.worker(id))
    }

    /// Worker `id` (from 1 to the number of workers), built on its own: the same as the one
    /// [`Demo::workers`] yields.
    pub fn worker(&self, id: WorkerId) -> Option<DemoWorker> {
        if id < 1 || id > WorkerId::from(self.options.workers) {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(mix(self.options.seed ^ mix(id as u64)));
        let index = (id - 1) as u64;
        let parts = self.nir_space.parts(index);
        let youngest = self.options.today.year() - MIN_AGE;
        let year = youngest - parts.year_offset as i32;
        let town = self.names.towns.get(parts.town)?;
        let nir =
            Nir::from_str(&nir_text(parts.sex, year, parts.month, town, parts.order)?).ok()?;
        let birth_date = (1..=31)
            .rev()
            .find_map(|day| NaiveDate::from_ymd_opt(year, parts.month, day))
            .map(|last| day_between(&mut rng, last.with_day(1).unwrap_or(last), last));
        let sex = usize::from(parts.sex - 1);
        let age = birth_date.map_or(MIN_AGE, |born| self.options.today.year() - born.year());

        let (last_name, first_names, usage_name, slot, site) = match SHOWCASE.get(index as usize) {
            Some(&(last, first, usage, employer, site)) => (
                last.to_owned(),
                first[sex].to_owned(),
                usage.filter(|_| sex == 1).map(str::to_owned),
                employer,
                site,
            ),
            None => self.random_identity(&mut rng, sex, age)?,
        };
        let employer = *self.employers.get(slot)?;
        let account = self.accounts.get(employer)?;
        let site = account.sites.get(site)?.clone();

        let mut demo = DemoWorker {
            worker: Worker {
                id,
                nir,
                last_name,
                usage_name,
                first_names,
                birth_date,
                employer_siret: account.siret.clone(),
                employer_name: account.name.clone(),
                site,
            },
            employer,
            entries: Vec::new(),
            enrolments: Vec::new(),
        };
        self.fill_passport(&mut rng, slot, &mut demo);
        Some(demo)
    }

    /// Names, employer slot and site index of an ordinary worker.
    fn random_identity(
        &self,
        rng: &mut ChaCha8Rng,
        sex: usize,
        age: i32,
    ) -> Option<(String, String, Option<String>, usize, usize)> {
        let last = self.names.last.choose(rng)?.clone();
        let firsts = &self.names.first[sex];
        let first = *firsts.choose(rng)?;
        let first_names = if rng.random_bool(SECOND_FIRST_NAME_SHARE) {
            let second = *firsts.choose(rng)?;
            if second == first {
                first.to_owned()
            } else {
                format!("{first}, {second}")
            }
        } else {
            first.to_owned()
        };
        let usage = if sex == 1 && age >= 25 && rng.random_bool(USAGE_NAME_SHARE) {
            let other = self.names.last.choose(rng)?;
            if *other == last {
                None
            } else if rng.random_bool(COMPOUND_USAGE_NAME_SHARE) {
                Some(format!("{last}-{other}"))
            } else {
                Some(other.clone())
            }
        } else {
            None
        };
        let slot = if self.employers.len() > 1 && !rng.random_bool(FIRST_EMPLOYER_SHARE) {
            1
        } else {
            0
        };
        let sites = self.accounts.get(*self.employers.get(slot)?)?.sites.len();
        let site = rng.random_range(0..sites.max(1));
        Some((last, first_names, usage, slot, site))
    }

    /// Draws the worker's trainings from a job profile, with sessions where one fits.
    fn fill_passport(&self, rng: &mut ChaCha8Rng, slot: usize, demo: &mut DemoWorker) {
        let Some(profiles) = self.profiles.get(slot) else {
            return;
        };
        let profile = &profiles[weighted(rng, profiles.iter().map(|p| p.weight))];
        let mut not_held: Vec<usize> = Vec::new();
        for (family, chance) in &profile.holds {
            if !rng.random_bool(chance.clamp(0.0, 1.0)) {
                not_held.extend(family.first());
                continue;
            }
            let Some(&code) = family.choose(rng) else {
                continue;
            };
            let alert = self.add_entry(rng, slot, code, demo);
            let renewal = family.last().copied().unwrap_or(code);
            if alert && rng.random_bool(RENEWAL_SHARE) {
                self.enrol_upcoming(rng, slot, renewal, demo);
            }
        }
        if rng.random_bool(NEW_TRAINING_SHARE)
            && let Some(&code) = not_held.choose(rng)
        {
            self.enrol_upcoming(rng, slot, code, demo);
        }
        if rng.random_bool(ABSENT_SHARE)
            && let Some((family, _)) = profile.holds.choose(rng)
            && let Some(&code) = family.first()
            && let Some(&(_, session_id)) = self.past[code][slot].choose(rng)
            && demo.sessions().all(|(id, _)| id != session_id)
        {
            demo.enrolments.push(DemoEnrolment {
                session_id,
                outcome: TraineeOutcome::Absent,
            });
        }
    }

    /// Enrols the worker, `Pending`, in a session of `code` not over yet, if there is one.
    fn enrol_upcoming(
        &self,
        rng: &mut ChaCha8Rng,
        slot: usize,
        code: usize,
        demo: &mut DemoWorker,
    ) {
        if let Some(&session_id) = self.upcoming[code][slot].choose(rng)
            && demo.enrolments.iter().all(|e| e.session_id != session_id)
        {
            demo.enrolments.push(DemoEnrolment {
                session_id,
                outcome: TraineeOutcome::Pending,
            });
        }
    }

    /// Adds the latest training of `code`: its end date is drawn so that its expiry lands in a
    /// band (expired, expiring within 30/60/90 days, valid), then moved to a past session of that
    /// window when there is one. Returns whether the training is expired or expiring.
    fn add_entry(
        &self,
        rng: &mut ChaCha8Rng,
        slot: usize,
        code: usize,
        demo: &mut DemoWorker,
    ) -> bool {
        let today = self.options.today;
        let yesterday = today - Days::new(1);
        let info = &self.codes[code];
        let (alert, from, to) = match info.validity_months {
            None => (false, today - Days::new(6 * 365), yesterday),
            Some(months) => {
                let draw: f64 = rng.random();
                let band = EXPIRING_BAND_SHARE;
                let (alert, first, last) = if draw < EXPIRED_SHARE {
                    (true, today - Days::new(730), yesterday)
                } else if draw < EXPIRED_SHARE + band {
                    (true, today, today + Days::new(30))
                } else if draw < EXPIRED_SHARE + 2.0 * band {
                    (true, today + Days::new(31), today + Days::new(60))
                } else if draw < EXPIRED_SHARE + 3.0 * band {
                    (true, today + Days::new(61), today + Days::new(90))
                } else {
                    let far = yesterday
                        .checked_add_months(Months::new(months))
                        .unwrap_or(yesterday);
                    (false, today + Days::new(91), far)
                };
                let back =
                    |day: NaiveDate| day.checked_sub_months(Months::new(months)).unwrap_or(day);
                (alert, back(first), back(last).min(yesterday))
            }
        };
        let sessions = &self.past[code][slot];
        let start = sessions.partition_point(|&(end, _)| end < from);
        let stop = sessions.partition_point(|&(end, _)| end <= to);
        let (end_date, session_id) = match sessions.get(start..stop) {
            Some(window) if !window.is_empty() && !rng.random_bool(EXTERNAL_SHARE) => {
                let &(end, id) = &window[rng.random_range(0..window.len())];
                (end, Some(id))
            }
            _ => (day_between(rng, from, to.max(from)), None),
        };
        let (validity_start, outcome) = match info.kind {
            DeclarationKind::Justificatif => (Some(end_date), TraineeOutcome::Passed),
            DeclarationKind::Attestation => (None, TraineeOutcome::Attended),
        };
        demo.entries.push(DemoEntry {
            entry: PassportEntry {
                training_code: info.code.to_owned(),
                end_date,
                validity_start,
                validity_end: None,
            },
            session_id,
            outcome,
        });
        alert
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::sessions::PAST_DAYS;
    use super::*;
    use crate::domain::expiry::{ExpiryStatus, days_left, expiry_date, status};

    pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(super) fn today() -> NaiveDate {
        date(2026, 11, 26)
    }

    pub(super) fn options(workers: u32, seed: u64) -> DemoOptions {
        DemoOptions {
            workers,
            seed,
            today: today(),
        }
    }

    pub(super) fn demo(workers: u32, seed: u64) -> Demo {
        Demo::new(&options(workers, seed), &Catalogue::embedded().unwrap())
    }

    pub(super) fn session_map(demo: &Demo) -> HashMap<SessionId, &DemoSession> {
        demo.sessions().iter().map(|s| (s.session.id, s)).collect()
    }

    #[test]
    fn same_seed_gives_identical_data() {
        let (a, b) = (demo(400, 7), demo(400, 7));
        assert_eq!(a.accounts(), b.accounts());
        assert_eq!(a.sessions(), b.sessions());
        assert!(a.workers().eq(b.workers()));
    }

    #[test]
    fn different_seed_gives_different_data() {
        let (a, b) = (demo(400, 7), demo(400, 8));
        assert_ne!(a.sessions(), b.sessions());
        let nirs = |d: &Demo| d.workers().map(|w| w.worker.nir).collect::<Vec<_>>();
        let (first, second) = (nirs(&a), nirs(&b));
        let same = first.iter().zip(&second).filter(|(x, y)| x == y).count();
        assert!(same < 5, "{same} identical NIRs");
        let names = |d: &Demo| {
            d.workers()
                .skip(SHOWCASE.len())
                .map(|w| w.worker.last_name)
                .collect::<Vec<_>>()
        };
        assert_ne!(names(&a), names(&b));
    }

    #[test]
    fn worker_is_random_access_and_ids_are_contiguous() {
        let demo = demo(300, DEFAULT_SEED);
        let all: Vec<DemoWorker> = demo.workers().collect();
        assert_eq!(all.len(), 300);
        for (index, worker) in all.iter().enumerate() {
            assert_eq!(worker.worker.id, index as WorkerId + 1);
        }
        assert_eq!(demo.worker(123).as_ref(), all.get(122));
        assert_eq!(demo.worker(0), None);
        assert_eq!(demo.worker(301), None);
    }

    #[test]
    fn every_expiry_status_appears_in_realistic_shares() {
        let catalogue = Catalogue::embedded().unwrap();
        let demo = Demo::new(&options(DEFAULT_WORKERS, DEFAULT_SEED), &catalogue);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut alerting_workers = 0;
        for worker in demo.workers() {
            let mut alert = false;
            for entry in &worker.entries {
                let months = catalogue
                    .get(&entry.entry.training_code)
                    .unwrap()
                    .validity_months;
                let expiry = expiry_date(&entry.entry, months);
                let band = match (status(expiry, today(), 90), expiry) {
                    (ExpiryStatus::Expired, _) => "expired",
                    (ExpiryStatus::Expiring, Some(day)) => match days_left(day, today()) {
                        0..=30 => "30",
                        31..=60 => "60",
                        _ => "90",
                    },
                    (ExpiryStatus::Valid, _) => "valid",
                    (ExpiryStatus::NoExpiry, _) => "none",
                    (ExpiryStatus::Expiring, None) => unreachable!(),
                };
                alert |= matches!(band, "expired" | "30" | "60" | "90");
                *seen.entry(band).or_default() += 1;
            }
            alerting_workers += usize::from(alert);
        }
        for band in ["expired", "30", "60", "90", "valid", "none"] {
            assert!(
                seen.get(band).copied().unwrap_or(0) >= 5,
                "{band}: {seen:?}"
            );
        }
        let share = alerting_workers as f64 / f64::from(DEFAULT_WORKERS);
        assert!((0.10..=0.20).contains(&share), "{share}");
    }

    #[test]
    fn entries_and_enrolments_agree_with_sessions() {
        let catalogue = Catalogue::embedded().unwrap();
        let demo = Demo::new(&options(DEFAULT_WORKERS, DEFAULT_SEED), &catalogue);
        let sessions = session_map(&demo);
        let mut employers_of: HashMap<SessionId, HashSet<usize>> = HashMap::new();
        let (mut linked, mut external, mut pending, mut absent) = (0, 0, 0, 0);
        for worker in demo.workers() {
            let mut codes = HashSet::new();
            for entry in &worker.entries {
                let e = &entry.entry;
                assert!(
                    codes.insert(e.training_code.clone()),
                    "two {} entries",
                    e.training_code
                );
                assert!(e.end_date < today());
                assert_eq!(e.validity_end, None);
                match catalogue.get(&e.training_code).unwrap().declaration_kind {
                    DeclarationKind::Justificatif => {
                        assert_eq!(e.validity_start, Some(e.end_date));
                        assert_eq!(entry.outcome, TraineeOutcome::Passed);
                    }
                    DeclarationKind::Attestation => {
                        assert_eq!(e.validity_start, None);
                        assert_eq!(entry.outcome, TraineeOutcome::Attended);
                    }
                }
                let Some(id) = entry.session_id else {
                    external += 1;
                    continue;
                };
                linked += 1;
                let session = sessions[&id];
                assert_eq!(session.session.training_code, e.training_code);
                assert_eq!(session.session.end_date, e.end_date);
            }
            for enrolment in &worker.enrolments {
                let session = &sessions[&enrolment.session_id].session;
                match enrolment.outcome {
                    TraineeOutcome::Pending => {
                        pending += 1;
                        assert!(session.end_date >= today());
                    }
                    TraineeOutcome::Absent => {
                        absent += 1;
                        assert!(session.end_date < today());
                    }
                    other => panic!("{other:?}"),
                }
            }
            let mut ids = HashSet::new();
            for (id, _) in worker.sessions() {
                assert!(
                    ids.insert(id),
                    "worker {} twice in session {id}",
                    worker.worker.id
                );
                let owner = sessions[&id].owner;
                assert!(owner == worker.employer || owner == OF_ACCOUNT);
                employers_of.entry(id).or_default().insert(worker.employer);
            }
        }
        assert!(linked > 3 * external, "{linked} {external}");
        assert!(pending > 20 && absent > 5, "{pending} {absent}");
        assert!(
            employers_of
                .iter()
                .any(|(id, e)| sessions[id].owner == OF_ACCOUNT && e.len() == 2)
        );
        assert!(
            demo.sessions()
                .iter()
                .filter(|s| s.session.trainees.is_empty())
                .count()
                == demo.sessions().len()
        );
        // Sessions of every owner, past, in progress and upcoming.
        for owner in 0..3 {
            assert!(
                demo.sessions()
                    .iter()
                    .any(|s| s.owner == owner && s.session.end_date < today())
            );
            assert!(
                demo.sessions()
                    .iter()
                    .any(|s| s.owner == owner && s.session.start_date > today())
            );
        }
        assert!(
            demo.sessions()
                .iter()
                .any(|s| s.session.start_date <= today()
                    && s.session.end_date >= today()
                    && s.session.start_date < s.session.end_date)
        );
        let oldest = demo
            .sessions()
            .iter()
            .map(|s| s.session.start_date)
            .min()
            .unwrap();
        assert!(oldest >= today() - Days::new(PAST_DAYS));
    }

    #[test]
    fn a_trimmed_catalogue_still_generates() {
        let full = Catalogue::embedded().unwrap();
        let only_sst = Catalogue {
            types: full.iter().filter(|t| t.code == "SST").cloned().collect(),
        };
        let demo = Demo::new(&options(200, 1), &only_sst);
        assert!(
            demo.sessions()
                .iter()
                .all(|s| s.session.training_code == "SST")
        );
        assert_eq!(demo.workers().count(), 200);
        assert!(
            demo.workers()
                .flat_map(|w| w.entries)
                .all(|e| e.entry.training_code == "SST")
        );
    }
}
