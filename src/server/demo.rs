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

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
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

/// Noms de naissance, one per line.
const LAST_NAMES: &str = include_str!("../../assets/demo/last_names.txt");
/// Prénoms with the NIR sex digit, one per line.
const FIRST_NAMES: &str = include_str!("../../assets/demo/first_names.txt");
/// Places of birth (the NIR's 5 place characters), one per line.
const TOWNS: &str = include_str!("../../assets/demo/towns.txt");

/// Most titulaires in one declaration (domain.md §8: 1 to 500 per ID_DECLARATION).
const MAX_TITULAIRES: usize = 500;

/// Index of the training organisation among the accounts.
const OF_ACCOUNT: usize = 2;

/// Youngest age of a demo worker, in years.
const MIN_AGE: i32 = 18;
/// Number of birth years spanned by the workers (ages 18 to 63).
const BIRTH_YEARS: u64 = 46;
/// Order numbers of a NIR: 001 to 999.
const ORDER_NUMBERS: u64 = 999;
/// Corsica was split into 2A and 2B on 1 January 1976; a NIR of someone born there before
/// carries « 20 »
/// (<https://www.comptavoo.com/Verifier-et-decomposer-un-numero-de-securite-sociale,1070.html>).
const CORSICA_SPLIT_YEAR: i32 = 1976;

/// Days of past sessions: three years back.
const PAST_DAYS: u64 = 3 * 365;
/// Days of upcoming sessions: three months ahead.
const UPCOMING_DAYS: u64 = 90;

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

// ---------------------------------------------------------------------------------------------
// Static description of the demo world
// ---------------------------------------------------------------------------------------------

/// An account as written in the source.
struct AccountSpec {
    token: &'static str,
    kind: DeclarantKind,
    siret: &'static str,
    name: &'static str,
    nda: Option<&'static str>,
    sites: &'static [&'static str],
}

/// Fictitious SIRETs, Luhn-valid (checked by the tests); the NDA starts with the region code
/// of Auvergne-Rhône-Alpes (84) and the département of Lyon (69).
const ACCOUNTS: [AccountSpec; 3] = [
    AccountSpec {
        token: "demo-employeur",
        kind: DeclarantKind::Employeur,
        siret: "41287396000022",
        name: "ACME Logistique",
        nda: None,
        sites: &["Lyon Gerland", "Marseille Port", "Lille Lesquin"],
    },
    AccountSpec {
        token: "demo-employeur-2",
        kind: DeclarantKind::Employeur,
        siret: "52841937700015",
        name: "Bâtiments Durand SA",
        nda: None,
        sites: &["Nantes", "Rennes", "Bordeaux"],
    },
    AccountSpec {
        token: "demo-of",
        kind: DeclarantKind::OrganismeFormation,
        siret: "81243675600017",
        name: "Formaprev Sécurité",
        nda: Some("84691234569"),
        sites: &["Lyon Vaise", "Marseille", "Nantes", "Lille", "Bordeaux"],
    },
];

/// A training delivered by an account: catalogue code and duration in working days.
type Offer = (&'static str, u32);

/// What the training organisation delivers. Durations are usual market lengths.
const OF_OFFER: &[Offer] = &[
    ("SST", 2),
    ("MAC_SST", 1),
    ("CACES_R482", 3),
    ("CACES_R485", 1),
    ("CACES_R486", 2),
    ("CACES_R487", 5),
    ("CACES_R489", 3),
    ("CACES_R490", 4),
    ("HAB_ELEC_B0_H0", 1),
    ("HAB_ELEC_BS_BE_MANOEUVRE", 2),
    ("HAB_ELEC_B1_B2_BR_BC", 3),
    ("AIPR_OPERATEUR", 1),
    ("AIPR_ENCADRANT", 1),
    ("AMIANTE_SS4_OPERATEUR", 2),
    ("AMIANTE_SS4_ENCADRANT_CHANTIER", 5),
    ("TRAVAIL_EN_HAUTEUR", 1),
    ("ATEX", 1),
    ("PRAP", 2),
    ("RISQUE_CHIMIQUE", 1),
];

/// Internal trainings of each employer (slot 0: logistics, slot 1: building).
const EMPLOYER_OFFERS: [&[Offer]; 2] = [
    &[
        ("GESTES_POSTURES", 1),
        ("TMS", 1),
        ("RPS", 1),
        ("RISQUE_ROUTIER", 1),
        ("HAB_ELEC_B0_H0", 1),
    ],
    &[
        ("TRAVAIL_EN_HAUTEUR", 1),
        ("GESTES_POSTURES", 1),
        ("RISQUE_ROUTIER", 1),
        ("RPS", 1),
    ],
];

/// A kind of job: its share of the staff and the trainings its holders tend to have. Each
/// training is a family of interchangeable codes (the latest of `SST` or `MAC_SST`) with the
/// chance that a worker holds it.
struct ProfileSpec {
    weight: u32,
    holds: &'static [(&'static [&'static str], f64)],
}

/// Job profiles of each employer slot.
const PROFILES: [&[ProfileSpec]; 2] = [
    &[
        // Cariste.
        ProfileSpec {
            weight: 35,
            holds: &[
                (&["CACES_R489"], 0.95),
                (&["SST", "MAC_SST"], 0.3),
                (&["GESTES_POSTURES"], 0.6),
                (&["HAB_ELEC_B0_H0"], 0.1),
            ],
        },
        // Préparateur de commandes.
        ProfileSpec {
            weight: 35,
            holds: &[
                (&["GESTES_POSTURES"], 0.8),
                (&["CACES_R485"], 0.5),
                (&["SST", "MAC_SST"], 0.2),
                (&["TMS"], 0.3),
                (&["PRAP"], 0.15),
            ],
        },
        // Chauffeur.
        ProfileSpec {
            weight: 12,
            holds: &[
                (&["RISQUE_ROUTIER"], 0.8),
                (&["CACES_R489"], 0.3),
                (&["SST", "MAC_SST"], 0.25),
                (&["GESTES_POSTURES"], 0.4),
            ],
        },
        // Technicien de maintenance.
        ProfileSpec {
            weight: 10,
            holds: &[
                (&["HAB_ELEC_B1_B2_BR_BC"], 0.9),
                (&["HAB_ELEC_BS_BE_MANOEUVRE"], 0.2),
                (&["CACES_R486"], 0.6),
                (&["TRAVAIL_EN_HAUTEUR"], 0.6),
                (&["SST", "MAC_SST"], 0.4),
                (&["ATEX"], 0.3),
            ],
        },
        // Encadrement.
        ProfileSpec {
            weight: 8,
            holds: &[
                (&["SST", "MAC_SST"], 0.5),
                (&["RPS"], 0.7),
                (&["RISQUE_CHIMIQUE"], 0.2),
                (&["HAB_ELEC_B0_H0"], 0.3),
            ],
        },
    ],
    &[
        // Maçon, compagnon.
        ProfileSpec {
            weight: 40,
            holds: &[
                (&["TRAVAIL_EN_HAUTEUR"], 0.8),
                (&["SST", "MAC_SST"], 0.3),
                (&["AMIANTE_SS4_OPERATEUR"], 0.35),
                (&["GESTES_POSTURES"], 0.5),
                (&["CACES_R482"], 0.15),
            ],
        },
        // Conducteur d'engins.
        ProfileSpec {
            weight: 15,
            holds: &[
                (&["CACES_R482"], 0.95),
                (&["AIPR_OPERATEUR"], 0.9),
                (&["CACES_R490"], 0.2),
                (&["SST", "MAC_SST"], 0.2),
            ],
        },
        // Électricien.
        ProfileSpec {
            weight: 20,
            holds: &[
                (&["HAB_ELEC_B1_B2_BR_BC"], 0.9),
                (&["AIPR_OPERATEUR"], 0.3),
                (&["TRAVAIL_EN_HAUTEUR"], 0.5),
                (&["CACES_R486"], 0.5),
                (&["SST", "MAC_SST"], 0.3),
            ],
        },
        // Grutier.
        ProfileSpec {
            weight: 7,
            holds: &[
                (&["CACES_R487"], 0.9),
                (&["TRAVAIL_EN_HAUTEUR"], 0.6),
                (&["SST", "MAC_SST"], 0.2),
            ],
        },
        // Chef de chantier.
        ProfileSpec {
            weight: 18,
            holds: &[
                (&["AIPR_ENCADRANT"], 0.8),
                (&["AMIANTE_SS4_ENCADRANT_CHANTIER"], 0.4),
                (&["SST", "MAC_SST"], 0.6),
                (&["RPS"], 0.4),
                (&["TRAVAIL_EN_HAUTEUR"], 0.5),
                (&["RISQUE_ROUTIER"], 0.3),
            ],
        },
    ],
];

/// Workers written by hand so that the search demo finds them: birth name, first name for sex 1
/// and for sex 2, nom d'usage (women only), employer account and site index.
type Showcase = (
    &'static str,
    [&'static str; 2],
    Option<&'static str>,
    usize,
    usize,
);

/// The hand-written workers, ids 1, 2, 3…
const SHOWCASE: &[Showcase] = &[
    ("DUPONT", ["Mathieu", "Marie-Ève"], None, 0, 0),
    ("DUPONT", ["Maxime", "Mélanie"], Some("MOREAU"), 0, 0),
    ("LEFÈVRE", ["François", "Éloïse"], None, 0, 0),
    ("N'DIAYE", ["Moussa", "Aminata"], None, 0, 1),
    ("MÜLLER", ["Jean-Baptiste", "Hélène"], Some("BÉNARD"), 0, 2),
    ("LE GOFF", ["Loïc", "Gwenaëlle"], None, 1, 1),
    ("DA SILVA", ["Raphaël", "Anaïs"], None, 1, 0),
    ("MOREAU", ["Timothée", "Zoé"], Some("DUPONT"), 1, 2),
];

// ---------------------------------------------------------------------------------------------
// Prepared tables
// ---------------------------------------------------------------------------------------------

/// The name lists, split once.
#[derive(Debug, Clone)]
struct Names {
    /// Birth names in capitals.
    last: Vec<String>,
    /// First names by sex (index 0: sex 1, index 1: sex 2).
    first: [Vec<&'static str>; 2],
    /// The 5 place characters of the NIR (`69383`, `2A004`, `97411`, `99350`).
    towns: Vec<&'static str>,
}

/// The data lines of a list: trimmed, without blanks and `#` comments.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether `code` is a usable NIR place: 5 characters, digits or 2A/2B, and a NIR built on it
/// parses (so every NIR built on it will: the other parts are always in range).
fn valid_town(code: &str) -> bool {
    code.len() == 5
        && nir_text(1, 1990, 1, code, 1)
            .as_deref()
            .and_then(|text| Nir::from_str(text).ok())
            .is_some()
        && nir_text(2, 1960, 12, code, 999)
            .as_deref()
            .and_then(|text| Nir::from_str(text).ok())
            .is_some()
}

impl Names {
    fn embedded() -> Self {
        let last = data_lines(LAST_NAMES).map(str::to_uppercase).collect();
        let mut first: [Vec<&'static str>; 2] = [Vec::new(), Vec::new()];
        for line in data_lines(FIRST_NAMES) {
            match line.split_once(' ') {
                Some(("1", name)) => first[0].push(name.trim()),
                Some(("2", name)) => first[1].push(name.trim()),
                _ => {}
            }
        }
        let towns = data_lines(TOWNS)
            .filter_map(|line| line.split_once(' ').map(|(code, _)| code))
            .filter(|code| valid_town(code))
            .collect();
        Self { last, first, towns }
    }
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

/// The space of NIR bodies (sex, birth year, birth month, place, order number) and a keyed
/// permutation over it: worker `id` gets the body at position `permute(id - 1)`, so two workers
/// never share a NIR.
#[derive(Debug, Clone)]
struct NirSpace {
    towns: u64,
    size: u64,
    half_bits: u32,
    keys: [u64; 4],
}

/// The SplitMix64 finaliser: a cheap, well-mixed 64-bit hash.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A NIR body's parts, before rendering.
struct NirParts {
    /// 1 or 2.
    sex: u8,
    /// Birth year offset from the youngest year: 0 is the youngest.
    year_offset: u64,
    /// 1 to 12.
    month: u32,
    /// Index in the town list.
    town: usize,
    /// 1 to 999.
    order: u32,
}

impl NirSpace {
    fn new(towns: usize, seed: u64) -> Self {
        let towns = towns as u64;
        let size = 2 * BIRTH_YEARS * 12 * towns * ORDER_NUMBERS;
        let bits = 64 - size.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let keys = [1, 2, 3, 4].map(|round| mix(seed ^ mix(round)));
        Self {
            towns,
            size,
            half_bits,
            keys,
        }
    }

    /// One pass of a 4-round balanced Feistel network over `2 * half_bits` bits: a bijection.
    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in self.keys {
            let next = left ^ (mix(right ^ key) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// The position of the `n`-th worker (from 0) in the space; a bijection of `0..size`
    /// (cycle-walking keeps the Feistel permutation inside the space).
    fn permute(&self, n: u64) -> u64 {
        let mut x = self.feistel(n);
        while x >= self.size {
            x = self.feistel(x);
        }
        x
    }

    fn parts(&self, n: u64) -> NirParts {
        let mut x = self.permute(n);
        let order = (x % ORDER_NUMBERS) as u32 + 1;
        x /= ORDER_NUMBERS;
        let town = (x % self.towns) as usize;
        x /= self.towns;
        let month = (x % 12) as u32 + 1;
        x /= 12;
        let year_offset = x % BIRTH_YEARS;
        x /= BIRTH_YEARS;
        NirParts {
            sex: if x == 0 { 1 } else { 2 },
            year_offset,
            month,
            town,
            order,
        }
    }
}

/// The 13 characters of a NIR: sex, year, month, place (Corsica as « 20 » before 1976), order.
fn nir_text(sex: u8, year: i32, month: u32, town: &str, order: u32) -> Option<String> {
    let place = match town.strip_prefix("2A").or_else(|| town.strip_prefix("2B")) {
        Some(commune) if year < CORSICA_SPLIT_YEAR => format!("20{commune}"),
        _ => town.to_owned(),
    };
    let text = format!(
        "{sex}{:02}{month:02}{place}{order:03}",
        year.rem_euclid(100)
    );
    (text.len() == 13).then_some(text)
}

/// A random day in `from..=to` (`from` when the range is empty).
fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
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
        let accounts: Vec<DemoAccount> = ACCOUNTS.iter().filter_map(build_account).collect();
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

    /// A few recorded declarations of the training organisation for its past sessions, built from
    /// `workers` (any subset, e.g. the first few thousand): the latest sessions of the training
    /// organisation with trainees among them, up to four justificatifs de réussite and two
    /// attestations de formation, each listing those of `workers` who followed the session with
    /// a passport entry (at most 500, the platform's limit). Each is valid per
    /// `Declaration::validate(DeclarantKind::OrganismeFormation, today)`.
    pub fn declarations(&self, workers: &[DemoWorker]) -> Vec<DemoDeclaration> {
        let mut trainees: HashMap<SessionId, Vec<&DemoWorker>> = HashMap::new();
        for demo in workers {
            for entry in &demo.entries {
                if let Some(session_id) = entry.session_id {
                    trainees.entry(session_id).or_default().push(demo);
                }
            }
        }
        let today = self.options.today;
        let mut candidates: Vec<&DemoSession> = self
            .sessions
            .iter()
            .filter(|demo| {
                demo.owner == OF_ACCOUNT
                    && demo.session.end_date < today
                    && trainees.contains_key(&demo.session.id)
            })
            .collect();
        candidates.sort_by(|a, b| {
            (b.session.end_date, b.session.id).cmp(&(a.session.end_date, a.session.id))
        });
        let mut wanted = [
            (DeclarationKind::Justificatif, 4),
            (DeclarationKind::Attestation, 2),
        ];
        let mut declarations = Vec::new();
        for demo in candidates {
            let Some(info) = self
                .codes
                .iter()
                .find(|c| c.code == demo.session.training_code && !c.excluded)
            else {
                continue;
            };
            let Some((_, left)) = wanted
                .iter_mut()
                .find(|(kind, left)| *kind == info.kind && *left > 0)
            else {
                continue;
            };
            *left -= 1;
            let mut list = trainees.remove(&demo.session.id).unwrap_or_default();
            list.sort_by_key(|worker| worker.worker.id);
            list.truncate(MAX_TITULAIRES);
            declarations.push(DemoDeclaration {
                owner: OF_ACCOUNT,
                declaration: of_declaration(info, &demo.session, &list),
                session_id: demo.session.id,
            });
        }
        declarations
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

/// The declaration of the training organisation for `session`, whose trainees are `workers`.
///
/// The codes are illustrative: ROME métier codes of the trades concerned, Formacodes 42829
/// (sauvetage secourisme travail) and 42866 (santé sécurité travail), NSF 344r (domain.md §6,
/// <https://www.francecompetences.fr/recherche/rs/5801/>). The trainings are declared as not
/// certifying, so no RS code is needed.
fn of_declaration(info: &CodeInfo, session: &Session, workers: &[&DemoWorker]) -> Declaration {
    let mut declaration = Declaration::new(info.kind);
    declaration.training_code = Some(info.code.to_owned());
    declaration.id_declaration = format!("DEMO-OF-{:06}", session.id);
    declaration.reference_declaration =
        format!("FORMAPREV-{}-{:06}", session.end_date.year(), session.id);
    if info.kind == DeclarationKind::Justificatif {
        declaration.type_jdr = Some(if info.code.starts_with("HAB_ELEC") {
            TypeJdr::Habilitation
        } else {
            TypeJdr::Certificat
        });
        declaration.nom_jdr.clone_from(&session.title);
        declaration.mode_obtention = Some(ModeObtention::ParAdmission);
        declaration.presence_formation = Some(true);
    }
    declaration.competence_transferable = rome_codes(info.code)
        .iter()
        .map(|&code| code.to_owned())
        .collect();
    declaration.nom_formation.clone_from(&session.title);
    declaration.date_debut_formation = Some(session.start_date);
    declaration.date_fin_formation = Some(session.end_date);
    declaration.modalite_dispense = Some(Modalite::Presentiel);
    declaration.qualification_formateur =
        Some(QualificationFormateur::FormateurDAdultesFormationSpecialisee);
    declaration.formation_certifiante = Some(false);
    let formacode = if matches!(info.code, "SST" | "MAC_SST") {
        "42829"
    } else {
        "42866"
    };
    declaration.domaine_formation = vec![formacode.to_owned()];
    declaration.specialite_formation = vec!["344r".to_owned()];
    declaration.date_debut_validite = Some(session.end_date);
    declaration.titulaires = workers
        .iter()
        .map(|demo| Titulaire {
            id_unique_partenaire: format!("DEMO-OF-{:06}-{:08}", session.id, demo.worker.id),
            nir: demo.worker.nir.as_str().to_owned(),
            nom_titulaire: demo.worker.last_name.clone(),
            presence_employeur: Some(true),
            siret_employeur: demo.worker.employer_siret.as_str().to_owned(),
            reference_employeur: format!("MAT-{:06}", demo.worker.id),
        })
        .collect();
    declaration
}

/// Illustrative transferable skills (ROME métier codes) of the trades that follow a training.
fn rome_codes(code: &str) -> &'static [&'static str] {
    if code.starts_with("HAB_ELEC") {
        &["F1602", "I1309", "H2602"]
    } else if matches!(code, "CACES_R485" | "CACES_R489") {
        &["N1101", "N1103", "N1105"]
    } else if code.starts_with("CACES") || code.starts_with("AIPR") {
        &["F1301", "F1302", "F1701"]
    } else if code.starts_with("AMIANTE") || code == "TRAVAIL_EN_HAUTEUR" {
        &["F1703", "F1704", "F1613"]
    } else {
        &["N1103", "F1703", "I1309"]
    }
}

/// An account from its description; `None` if one of its identifiers does not parse (the tests
/// check that none is lost).
fn build_account(spec: &AccountSpec) -> Option<DemoAccount> {
    let nda = match spec.nda {
        Some(text) => Some(Nda::from_str(text).ok()?),
        None => None,
    };
    Some(DemoAccount {
        token: spec.token,
        kind: spec.kind,
        siret: Siret::from_str(spec.siret).ok()?,
        name: spec.name.to_owned(),
        nda,
        sites: spec.sites.iter().map(|&site| site.to_owned()).collect(),
    })
}

/// The sessions of every offer: past ones spread over three years, and a few not over yet
/// (in progress or within three months), on working days, ids in order of start date.
fn build_sessions(
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
    use std::collections::{HashMap, HashSet};

    use proptest::prelude::*;

    use super::*;
    use crate::domain::expiry::{ExpiryStatus, days_left, expiry_date, status};
    use crate::domain::ids::luhn_valid;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 11, 26)
    }

    fn options(workers: u32, seed: u64) -> DemoOptions {
        DemoOptions {
            workers,
            seed,
            today: today(),
        }
    }

    fn demo(workers: u32, seed: u64) -> Demo {
        Demo::new(&options(workers, seed), &Catalogue::embedded().unwrap())
    }

    fn session_map(demo: &Demo) -> HashMap<SessionId, &DemoSession> {
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
    fn nirs_are_valid_consistent_and_unique_for_20k_workers() {
        let demo = demo(20_000, DEFAULT_SEED);
        let male: HashSet<&str> = demo.names.first[0].iter().copied().collect();
        let female: HashSet<&str> = demo.names.first[1].iter().copied().collect();
        let mut seen = HashSet::new();
        let (mut corsica, mut corsica_before_split, mut overseas, mut abroad) = (0, 0, 0, 0);
        for demo_worker in demo.workers() {
            let worker = &demo_worker.worker;
            let text = worker.nir.as_str();
            assert_eq!(text.len(), 13);
            assert_eq!(Nir::from_str(text).as_ref(), Ok(&worker.nir));
            assert_eq!(
                Nir::from_str(&worker.nir.with_key()).as_ref(),
                Ok(&worker.nir)
            );
            assert!(
                seen.insert(text.to_owned()),
                "NIR en double pour le salarié {}",
                worker.id
            );
            let born = worker.birth_date.unwrap();
            assert_eq!(&text[1..3], format!("{:02}", born.year() % 100));
            assert_eq!(&text[3..5], format!("{:02}", born.month()));
            let age = today().year() - born.year();
            assert!((18..=64).contains(&age), "{age}");
            let first = worker.first_names.split(", ").next().unwrap();
            match &text[..1] {
                "1" => assert!(male.contains(first), "{first}"),
                "2" => assert!(female.contains(first), "{first}"),
                other => panic!("sexe {other}"),
            }
            match &text[5..7] {
                "2A" | "2B" => {
                    corsica += 1;
                    assert!(born.year() >= CORSICA_SPLIT_YEAR);
                }
                "20" => corsica_before_split += 1,
                "97" => overseas += 1,
                "99" => abroad += 1,
                _ => {}
            }
        }
        assert_eq!(seen.len(), 20_000);
        for (what, count) in [
            ("Corse 2A/2B", corsica),
            ("Corse 20", corsica_before_split),
            ("DOM", overseas),
            ("étranger", abroad),
        ] {
            assert!(count > 0 && count < 2_000, "{what}: {count}");
        }
    }

    #[test]
    fn accounts_have_valid_identifiers_in_order() {
        let demo = demo(50, DEFAULT_SEED);
        let accounts = demo.accounts();
        let tokens: Vec<&str> = accounts.iter().map(|a| a.token).collect();
        assert_eq!(tokens, ["demo-employeur", "demo-employeur-2", "demo-of"]);
        let kinds: Vec<DeclarantKind> = accounts.iter().map(|a| a.kind).collect();
        use DeclarantKind::{Employeur, OrganismeFormation};
        assert_eq!(kinds, [Employeur, Employeur, OrganismeFormation]);
        for account in accounts {
            assert!(luhn_valid(account.siret.as_str()), "{}", account.name);
            assert!(
                luhn_valid(account.siret.siren().as_str()),
                "{}",
                account.name
            );
            assert!(account.sites.len() >= 3);
        }
        assert_eq!(accounts[0].name, "ACME Logistique");
        assert_eq!(
            accounts[0].sites,
            ["Lyon Gerland", "Marseille Port", "Lille Lesquin"]
        );
        assert_eq!(accounts[1].name, "Bâtiments Durand SA");
        assert_eq!(accounts[1].sites, ["Nantes", "Rennes", "Bordeaux"]);
        assert_eq!(accounts[2].name, "Formaprev Sécurité");
        assert_eq!(accounts[2].nda.as_ref().map(|n| n.as_str().len()), Some(11));
        assert!(accounts[..2].iter().all(|a| a.nda.is_none()));
        for worker in demo.workers() {
            let account = &accounts[worker.employer];
            assert_eq!(account.kind, Employeur);
            assert_eq!(worker.worker.employer_siret, account.siret);
            assert_eq!(worker.worker.employer_name, account.name);
            assert!(account.sites.contains(&worker.worker.site));
        }
    }

    #[test]
    fn embedded_lists_parse_entirely() {
        let names = Names::embedded();
        assert_eq!(names.last.len(), data_lines(LAST_NAMES).count());
        assert_eq!(
            names.first[0].len() + names.first[1].len(),
            data_lines(FIRST_NAMES).count()
        );
        assert_eq!(names.towns.len(), data_lines(TOWNS).count());
        for (list, what) in [
            (&names.first[0], "masculins"),
            (&names.first[1], "féminins"),
        ] {
            assert_eq!(
                list.iter().collect::<HashSet<_>>().len(),
                list.len(),
                "doublon {what}"
            );
        }
        assert_eq!(
            names.last.iter().collect::<HashSet<_>>().len(),
            names.last.len()
        );
        // Two Corsican places must not meet as « 20 » + commune before 1976.
        let corsica: Vec<&str> = names
            .towns
            .iter()
            .filter(|t| t.starts_with("2A") || t.starts_with("2B"))
            .map(|t| &t[2..])
            .collect();
        assert_eq!(corsica.iter().collect::<HashSet<_>>().len(), corsica.len());
        assert!(names.towns.iter().all(|t| !t.starts_with("20")));
    }

    #[test]
    fn names_are_realistic_and_the_search_demo_finds_dupont() {
        let demo = demo(DEFAULT_WORKERS, DEFAULT_SEED);
        let workers: Vec<Worker> = demo.workers().map(|w| w.worker).collect();
        let accented = |s: &str| !s.is_ascii();
        assert!(workers.iter().filter(|w| accented(&w.last_name)).count() > 30);
        assert!(workers.iter().filter(|w| accented(&w.first_names)).count() > 300);
        assert!(
            workers
                .iter()
                .filter(|w| w.first_names.split(", ").next().unwrap().contains('-'))
                .count()
                > 50
        );
        assert!(
            workers
                .iter()
                .filter(|w| w.first_names.contains(", "))
                .count()
                > 100
        );
        assert!(workers.iter().any(|w| w.last_name.contains('\'')));
        assert!(workers.iter().any(|w| w.last_name.contains(' ')));
        let usage = workers.iter().filter(|w| w.usage_name.is_some()).count();
        assert!((50..400).contains(&usage), "{usage}");
        assert!(
            workers
                .iter()
                .all(|w| w.last_name == w.last_name.to_uppercase())
        );
        assert!(
            workers
                .iter()
                .all(|w| w.usage_name.as_ref() != Some(&w.last_name))
        );
        let dupont_in_lyon = workers.iter().filter(|w| {
            w.last_name == "DUPONT" && w.first_names.starts_with('M') && w.site.contains("Lyon")
        });
        assert!(dupont_in_lyon.count() >= 2);
        assert!(
            workers
                .iter()
                .any(|w| w.usage_name.as_deref() == Some("DUPONT"))
        );
        for site in [
            "Lyon Gerland",
            "Marseille Port",
            "Lille Lesquin",
            "Nantes",
            "Rennes",
            "Bordeaux",
        ] {
            assert!(
                workers.iter().filter(|w| w.site == site).count() > 100,
                "{site}"
            );
        }
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

    #[test]
    fn demo_declarations_validate() {
        let demo = demo(DEFAULT_WORKERS, DEFAULT_SEED);
        let workers: Vec<DemoWorker> = demo.workers().collect();
        let declarations = demo.declarations(&workers);
        let kinds: Vec<DeclarationKind> = declarations.iter().map(|d| d.declaration.kind).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == DeclarationKind::Justificatif)
                .count(),
            4
        );
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == DeclarationKind::Attestation)
                .count(),
            2
        );
        let sessions = session_map(&demo);
        for demo_declaration in &declarations {
            let declaration = &demo_declaration.declaration;
            assert_eq!(
                declaration.validate(DeclarantKind::OrganismeFormation, today()),
                Ok(())
            );
            assert_eq!(demo_declaration.owner, OF_ACCOUNT);
            let session = &sessions[&demo_declaration.session_id].session;
            assert_eq!(declaration.date_fin_formation, Some(session.end_date));
            let expected: Vec<String> = workers
                .iter()
                .filter(|w| {
                    w.sessions()
                        .any(|(id, outcome)| id == session.id && outcome != TraineeOutcome::Absent)
                })
                .map(|w| w.worker.nir.as_str().to_owned())
                .collect();
            let listed: Vec<String> = declaration
                .titulaires
                .iter()
                .map(|t| t.nir.clone())
                .collect();
            assert_eq!(listed, expected);
        }
        assert_eq!(demo.declarations(&[]), Vec::new());
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

    proptest! {
        #[test]
        fn nir_permutation_is_injective(seed in any::<u64>(), a in 0u64..5_000_000, b in 0u64..5_000_000) {
            let space = NirSpace::new(119, seed);
            let (x, y) = (space.permute(a), space.permute(b));
            prop_assert!(x < space.size && y < space.size);
            prop_assert_eq!(x == y, a == b);
        }

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
