//! The embedded name lists of the demo: birth names, first names by sex, places of birth.

use std::str::FromStr;

use super::*;

/// Noms de naissance, one per line.
const LAST_NAMES: &str = include_str!("../../../assets/demo/last_names.txt");
/// Prénoms with the NIR sex digit, one per line.
const FIRST_NAMES: &str = include_str!("../../../assets/demo/first_names.txt");
/// Places of birth (the NIR's 5 place characters), one per line.
const TOWNS: &str = include_str!("../../../assets/demo/towns.txt");

/// The name lists, split once.
#[derive(Debug, Clone)]
pub(super) struct Names {
    /// Birth names in capitals.
    pub(super) last: Vec<String>,
    /// First names by sex (index 0: sex 1, index 1: sex 2).
    pub(super) first: [Vec<&'static str>; 2],
    /// The 5 place characters of the NIR (`69383`, `2A004`, `97411`, `99350`).
    pub(super) towns: Vec<&'static str>,
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
    pub(super) fn embedded() -> Self {
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::tests::demo;
    use super::*;

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
}
