//! Demo identities: each worker's NIR is the image of its id through a keyed permutation of
//! every (sex, year, month, place, order) combination, so NIRs are unique without remembering
//! them (domain.md §6).

/// Number of birth years spanned by the workers (ages 18 to 63).
const BIRTH_YEARS: u64 = 46;
/// Order numbers of a NIR: 001 to 999.
const ORDER_NUMBERS: u64 = 999;
/// Corsica was split into 2A and 2B on 1 January 1976; a NIR of someone born there before
/// carries « 20 »
/// (<https://www.comptavoo.com/Verifier-et-decomposer-un-numero-de-securite-sociale,1070.html>).
const CORSICA_SPLIT_YEAR: i32 = 1976;

/// The space of NIR bodies (sex, birth year, birth month, place, order number) and a keyed
/// permutation over it: worker `id` gets the body at position `permute(id - 1)`, so two workers
/// never share a NIR.
#[derive(Debug, Clone)]
pub(super) struct NirSpace {
    towns: u64,
    pub(super) size: u64,
    half_bits: u32,
    keys: [u64; 4],
}

/// The SplitMix64 finaliser: a cheap, well-mixed 64-bit hash.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A NIR body's parts, before rendering.
pub(super) struct NirParts {
    /// 1 or 2.
    pub(super) sex: u8,
    /// Birth year offset from the youngest year: 0 is the youngest.
    pub(super) year_offset: u64,
    /// 1 to 12.
    pub(super) month: u32,
    /// Index in the town list.
    pub(super) town: usize,
    /// 1 to 999.
    pub(super) order: u32,
}

impl NirSpace {
    pub(super) fn new(towns: usize, seed: u64) -> Self {
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

    pub(super) fn parts(&self, n: u64) -> NirParts {
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
pub(super) fn nir_text(sex: u8, year: i32, month: u32, town: &str, order: u32) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use std::str::FromStr;

    use chrono::Datelike;

    use super::super::tests::{demo, today};
    use super::*;
    use crate::domain::ids::Nir;
    use crate::server::demo::DEFAULT_SEED;

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

    proptest! {
        #[test]
        fn nir_permutation_is_injective(seed in any::<u64>(), a in 0u64..5_000_000, b in 0u64..5_000_000) {
            let space = NirSpace::new(119, seed);
            let (x, y) = (space.permute(a), space.permute(b));
            prop_assert!(x < space.size && y < space.size);
            prop_assert_eq!(x == y, a == b);
        }
    }
}
