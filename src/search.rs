//! Fuzzy search over the roster, accent- and case-insensitive (`Eloise` finds `Éloïse`), on name,
//! first names, NIR digits, employer and site.
//!
//! Each worker's text is folded once, at load time, into lowercase ASCII with exactly one byte per
//! character of the original, so matched positions map back onto the original text for
//! highlighting. A query that extends the previous one is matched only against the previous
//! matches, and only the top rows are sorted. The matcher is `nucleo-matcher`, chosen by
//! `benches/search.rs` (see `BENCHMARKS.md`).

use std::sync::Arc;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::domain::worker::{Worker, WorkerId};

/// Separator between the fields of a searchable text.
const SEPARATOR: &str = " · ";

/// One searchable worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The worker.
    pub worker_id: WorkerId,
    /// The text shown: `NOM Prénoms · employeur · site`.
    pub text: String,
    /// `text` and the NIR digits, folded to lowercase ASCII, one byte per character of `text`.
    folded: Vec<u8>,
}

/// The searchable roster, built once per roster load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

/// The result of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matches {
    /// The query's generation (latest wins).
    pub generation: u64,
    /// The query.
    pub query: String,
    /// The best rows, best first, with the matched character positions in [`Entry::text`].
    pub top: Vec<Hit>,
    /// Every matching entry index, to narrow the next, longer query.
    pub all: Arc<Vec<u32>>,
}

/// One row of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the entry in the index.
    pub index: u32,
    /// Matcher score (higher is better).
    pub score: u32,
    /// Character positions of `text` that matched (sorted, deduplicated).
    pub positions: Vec<u32>,
}

/// Folds one character to lowercase ASCII; characters without an ASCII form become `?`.
fn fold(c: char) -> u8 {
    let c = nucleo_matcher::chars::normalize(c.to_lowercase().next().unwrap_or(c));
    if c.is_ascii() { c as u8 } else { b'?' }
}

/// Folds a text: lowercase ASCII, one byte per character.
pub fn fold_text(text: &str) -> Vec<u8> {
    text.chars().map(fold).collect()
}

impl SearchIndex {
    /// Builds the index of a roster.
    pub fn new(workers: &[Worker]) -> Self {
        let entries = workers
            .iter()
            .map(|w| {
                let text = format!(
                    "{}{SEPARATOR}{}{SEPARATOR}{}",
                    w.display_name(),
                    w.employer_name,
                    w.site
                );
                let mut folded = fold_text(&text);
                folded.push(b' ');
                folded.extend_from_slice(w.nir.as_str().to_ascii_lowercase().as_bytes());
                Entry {
                    worker_id: w.id,
                    text,
                    folded,
                }
            })
            .collect();
        Self { entries }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the roster is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index`.
    pub fn entry(&self, index: u32) -> Option<&Entry> {
        self.entries.get(index as usize)
    }

    /// Matches `query`, keeping the `limit` best rows. `within` restricts the candidates to the
    /// matches of a previous query that this one extends.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        within: Option<&[u32]>,
        generation: u64,
    ) -> Matches {
        let folded_query = String::from_utf8(fold_text(query)).unwrap_or_default();
        if folded_query.trim().is_empty() {
            return Matches {
                generation,
                query: query.to_owned(),
                top: (0..self.entries.len().min(limit) as u32)
                    .map(|index| Hit {
                        index,
                        score: 0,
                        positions: Vec::new(),
                    })
                    .collect(),
                all: Arc::new((0..self.entries.len() as u32).collect()),
            };
        }
        let pattern = Pattern::parse(&folded_query, CaseMatching::Ignore, Normalization::Never);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut scored: Vec<(u32, u32)> = Vec::new();
        let mut score_one = |index: u32, matcher: &mut Matcher| {
            if let Some(entry) = self.entries.get(index as usize)
                && let Some(score) = pattern.score(Utf32Str::Ascii(&entry.folded), matcher)
            {
                scored.push((index, score));
            }
        };
        match within {
            Some(candidates) => candidates.iter().for_each(|&i| score_one(i, &mut matcher)),
            None => (0..self.entries.len() as u32).for_each(|i| score_one(i, &mut matcher)),
        }
        let all: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
        // Best first; ties by roster order so results are stable while typing.
        let better = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, better);
            scored.truncate(limit);
        } else if limit == 0 {
            scored.clear();
        }
        scored.sort_unstable_by(better);
        let text_len = |i: u32| self.entries[i as usize].text.chars().count() as u32;
        let top = scored
            .into_iter()
            .map(|(index, score)| {
                let mut positions = Vec::new();
                let entry = &self.entries[index as usize];
                pattern.indices(Utf32Str::Ascii(&entry.folded), &mut matcher, &mut positions);
                positions.sort_unstable();
                positions.dedup();
                let visible = text_len(index);
                positions.retain(|&p| p < visible);
                Hit {
                    index,
                    score,
                    positions,
                }
            })
            .collect();
        Matches {
            generation,
            query: query.to_owned(),
            top,
            all: Arc::new(all),
        }
    }
}

/// True when `next` only narrows `previous` (typing more characters), so the previous matches
/// can be the only candidates.
pub fn narrows(previous: &str, next: &str) -> bool {
    !previous.trim().is_empty() && next.starts_with(previous) && !previous.ends_with('\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{Nir, Siret};

    fn worker(id: i64, last: &str, first: &str, nir: &str, site: &str) -> Worker {
        Worker {
            id,
            nir: nir.parse::<Nir>().unwrap(),
            last_name: last.to_owned(),
            usage_name: None,
            first_names: first.to_owned(),
            birth_date: None,
            employer_siret: "73282932000074".parse::<Siret>().unwrap(),
            employer_name: "ACME Logistique".to_owned(),
            site: site.to_owned(),
        }
    }

    fn roster() -> Vec<Worker> {
        vec![
            worker(1, "DUPONT", "Marie-Ève", "1850375112345", "Lyon Gerland"),
            worker(2, "LEFÈVRE", "Éloïse", "2900169123456", "Marseille Port"),
            worker(3, "DUPUIS", "Jean", "1770533100222", "Lille Lesquin"),
        ]
    }

    fn ids(index: &SearchIndex, m: &Matches) -> Vec<i64> {
        m.top
            .iter()
            .map(|h| index.entry(h.index).unwrap().worker_id)
            .collect()
    }

    #[test]
    fn accents_and_case_are_ignored() {
        let index = SearchIndex::new(&roster());
        // Fuzzy matching is lenient (« eloise » is a subsequence of other rows too): the
        // accented name must come first.
        for (query, expected) in [
            ("Eloise", 2),
            ("ELOÏSE", 2),
            ("lefevre", 2),
            ("marie-eve", 1),
        ] {
            let found = ids(&index, &index.search(query, 10, None, 1));
            assert_eq!(found.first(), Some(&expected), "{query} → {found:?}");
        }
        assert_eq!(ids(&index, &index.search("lefevre", 10, None, 1)), vec![2]);
    }

    #[test]
    fn nir_digits_match_with_or_without_spaces() {
        let index = SearchIndex::new(&roster());
        assert_eq!(ids(&index, &index.search("1850375", 10, None, 1)), vec![1]);
        assert!(ids(&index, &index.search("1 85 03", 10, None, 1)).contains(&1));
    }

    #[test]
    fn several_words_must_all_match() {
        let index = SearchIndex::new(&roster());
        assert_eq!(ids(&index, &index.search("dup lyon", 10, None, 1)), vec![1]);
        assert!(index.search("zzqx", 10, None, 1).top.is_empty());
    }

    #[test]
    fn positions_point_into_the_shown_text() {
        let index = SearchIndex::new(&roster());
        let m = index.search("eloise", 10, None, 1);
        let hit = &m.top[0];
        let text: Vec<char> = index.entry(hit.index).unwrap().text.chars().collect();
        let matched: String = hit.positions.iter().map(|&p| text[p as usize]).collect();
        assert_eq!(matched, "Éloïse");
    }

    #[test]
    fn narrowing_gives_the_same_result_as_a_full_scan() {
        let index = SearchIndex::new(&roster());
        let first = index.search("du", 10, None, 1);
        assert!(narrows("du", "dupo"));
        let narrowed = index.search("dupo", 10, Some(&first.all), 2);
        let full = index.search("dupo", 10, None, 2);
        assert_eq!(narrowed, full);
        assert!(!narrows("dupo", "du"));
    }

    #[test]
    fn limit_keeps_the_best_rows() {
        let index = SearchIndex::new(&roster());
        let m = index.search("du", 1, None, 1);
        assert_eq!(m.top.len(), 1);
        assert_eq!(m.all.len(), 2);
        let empty = index.search("", 2, None, 1);
        assert_eq!(empty.top.len(), 2);
    }
}
