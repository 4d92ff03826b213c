//! Fuzzy search over the roster, accent- and case-insensitive (`Eloise` finds `Éloïse`), on name,
//! first names, NIR digits, employer and site.
//!
//! Every field is folded once, at load time, into lowercase ASCII with exactly one byte per
//! character of the original, so matched positions map back onto the text shown. Each word of
//! the query must match one field: the name of each row, the employer and the site once per
//! distinct value (a roster has few), and, for a word of digits, the NIR. Scoring short fields
//! rather than one long line per row is what keeps a keystroke within a frame on 100,000 workers
//! (`benches/search.rs`, `BENCHMARKS.md`). A query that extends the previous one is matched only
//! against the previous matches, and only the top rows are sorted.

use std::collections::HashMap;
use std::sync::Arc;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::api::contract::WorkerView;
use crate::domain::worker::WorkerId;

/// Separator between the fields of the text shown.
const SEPARATOR: &str = " · ";

/// From this many candidates a search is split over the cores (below, threads cost more than
/// they save).
const PARALLEL_FROM: usize = 20_000;

/// At most this many threads per search.
const MAX_THREADS: usize = 4;

/// One searchable worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The worker.
    pub worker_id: WorkerId,
    /// The text shown: `NOM Prénoms · employeur · site`.
    pub text: String,
    /// The name part of `text`, folded.
    name: Box<[u8]>,
    /// The NIR's 13 characters, folded.
    nir: Box<[u8]>,
    /// Index of the employer in [`SearchIndex::employers`].
    employer: u32,
    /// Index of the site in [`SearchIndex::sites`].
    site: u32,
}

/// The searchable roster, built once per roster load, in roster order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Distinct employer names, folded.
    employers: Vec<Box<[u8]>>,
    /// Distinct sites, folded.
    sites: Vec<Box<[u8]>>,
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
    /// Index of the entry in the index (the worker's position in the roster).
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

/// Interns a folded value, returning its index.
fn intern(values: &mut Vec<Box<[u8]>>, seen: &mut HashMap<String, u32>, value: &str) -> u32 {
    *seen.entry(value.to_owned()).or_insert_with(|| {
        values.push(fold_text(value).into_boxed_slice());
        (values.len() - 1) as u32
    })
}

/// A word of the query, with what it may match.
struct Word {
    atom: Atom,
    /// Digits only: may match the NIR.
    digits: bool,
    /// Its score against each employer and each site, computed once per query.
    employers: Vec<Option<u16>>,
    sites: Vec<Option<u16>>,
}

/// Which field a word matched best.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Employer,
    Site,
    Nir,
}

impl SearchIndex {
    /// Builds the index of a roster; entry `i` is `workers[i]`.
    pub fn new(workers: &[WorkerView]) -> Self {
        let (mut employers, mut sites) = (Vec::new(), Vec::new());
        let (mut seen_employers, mut seen_sites) = (HashMap::new(), HashMap::new());
        let entries = workers
            .iter()
            .map(|w| {
                let name = w.display_name();
                let text = format!("{name}{SEPARATOR}{}{SEPARATOR}{}", w.employer_name, w.site);
                Entry {
                    worker_id: w.id,
                    name: fold_text(&name).into_boxed_slice(),
                    nir: w
                        .nir
                        .search_digits()
                        .to_ascii_lowercase()
                        .into_bytes()
                        .into_boxed_slice(),
                    employer: intern(&mut employers, &mut seen_employers, &w.employer_name),
                    site: intern(&mut sites, &mut seen_sites, &w.site),
                    text,
                }
            })
            .collect();
        Self {
            entries,
            employers,
            sites,
        }
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

    fn words(&self, query: &str, matcher: &mut Matcher) -> Vec<Word> {
        let folded = String::from_utf8(fold_text(query)).unwrap_or_default();
        folded
            .split_whitespace()
            .map(|word| {
                let atom = Atom::new(
                    word,
                    CaseMatching::Ignore,
                    Normalization::Never,
                    AtomKind::Fuzzy,
                    false,
                );
                let score_all = |values: &[Box<[u8]>], m: &mut Matcher| {
                    values
                        .iter()
                        .map(|v| atom.score(Utf32Str::Ascii(v), m))
                        .collect()
                };
                let employers = score_all(&self.employers, matcher);
                let sites = score_all(&self.sites, matcher);
                Word {
                    digits: word.bytes().all(|b| b.is_ascii_digit()),
                    atom,
                    employers,
                    sites,
                }
            })
            .collect()
    }

    /// The best field and score of one word for one entry.
    fn best(&self, word: &Word, entry: &Entry, matcher: &mut Matcher) -> Option<(u16, Field)> {
        let mut best = word
            .atom
            .score(Utf32Str::Ascii(&entry.name), matcher)
            .map(|s| (s, Field::Name));
        let mut consider = |score: Option<u16>, field| {
            if let Some(score) = score
                && best.is_none_or(|(b, _)| score > b)
            {
                best = Some((score, field));
            }
        };
        consider(
            word.employers
                .get(entry.employer as usize)
                .copied()
                .flatten(),
            Field::Employer,
        );
        consider(
            word.sites.get(entry.site as usize).copied().flatten(),
            Field::Site,
        );
        if word.digits {
            consider(
                word.atom.score(Utf32Str::Ascii(&entry.nir), matcher),
                Field::Nir,
            );
        }
        best
    }

    fn score(&self, words: &[Word], entry: &Entry, matcher: &mut Matcher) -> Option<u32> {
        words.iter().try_fold(0u32, |total, word| {
            Some(total + u32::from(self.best(word, entry, matcher)?.0))
        })
    }

    /// Character positions of `entry.text` matched by the words (the NIR is not shown).
    fn positions(&self, words: &[Word], entry: &Entry, matcher: &mut Matcher) -> Vec<u32> {
        let name_len = entry.name.len() as u32;
        let employer = self.employers.get(entry.employer as usize);
        let employer_len = employer.map_or(0, |e| e.len() as u32);
        let separator = SEPARATOR.chars().count() as u32;
        let mut positions = Vec::new();
        for word in words {
            let (haystack, offset): (&[u8], u32) = match self.best(word, entry, matcher) {
                Some((_, Field::Name)) => (&entry.name, 0),
                Some((_, Field::Employer)) => {
                    (employer.map_or(&[][..], |e| &e[..]), name_len + separator)
                }
                Some((_, Field::Site)) => (
                    self.sites
                        .get(entry.site as usize)
                        .map_or(&[][..], |s| &s[..]),
                    name_len + separator + employer_len + separator,
                ),
                Some((_, Field::Nir)) | None => continue,
            };
            let mut found = Vec::new();
            word.atom
                .indices(Utf32Str::Ascii(haystack), matcher, &mut found);
            positions.extend(found.into_iter().map(|p| p + offset));
        }
        positions.sort_unstable();
        positions.dedup();
        positions
    }

    /// Scores the candidates at `positions`, with a matcher of its own (one per thread).
    fn score_span(
        &self,
        words: &[Word],
        positions: std::ops::Range<usize>,
        candidate: &(impl Fn(usize) -> u32 + Sync),
    ) -> Vec<(u32, u32)> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        positions
            .filter_map(|position| {
                let index = candidate(position);
                let entry = self.entries.get(index as usize)?;
                Some((index, self.score(words, entry, &mut matcher)?))
            })
            .collect()
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
        let total = within.map_or(self.entries.len(), <[u32]>::len);
        let threads = if total >= PARALLEL_FROM {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_THREADS)
        } else {
            1
        };
        self.search_on(query, limit, within, generation, threads)
    }

    /// [`search`](Self::search) with the candidates split over `threads` threads.
    fn search_on(
        &self,
        query: &str,
        limit: usize,
        within: Option<&[u32]>,
        generation: u64,
        threads: usize,
    ) -> Matches {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let words = self.words(query, &mut matcher);
        if words.is_empty() {
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
        // Candidates by position: every entry, or the previous matches when narrowing.
        let total = within.map_or(self.entries.len(), <[u32]>::len);
        let candidate = |position: usize| within.map_or(position as u32, |c| c[position]);
        let chunk = total.div_ceil(threads.max(1));
        let mut scored = if threads <= 1 {
            self.score_span(&words, 0..total, &candidate)
        } else {
            // Large rosters: each core scores a contiguous part, results stay in roster order.
            std::thread::scope(|scope| {
                let words = &words;
                let candidate = &candidate;
                let others: Vec<_> = (1..threads)
                    .map(|t| {
                        let span = (t * chunk).min(total)..((t + 1) * chunk).min(total);
                        scope.spawn(move || self.score_span(words, span, candidate))
                    })
                    .collect();
                let mut scored = self.score_span(words, 0..chunk.min(total), candidate);
                for other in others {
                    match other.join() {
                        Ok(part) => scored.extend(part),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                scored
            })
        };
        let all: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
        // Best first; ties by roster order so results are stable while typing.
        let better = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if limit == 0 {
            scored.clear();
        } else if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, better);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(better);
        let top = scored
            .into_iter()
            .map(|(index, score)| {
                let positions = self.positions(&words, &self.entries[index as usize], &mut matcher);
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
    !previous.trim().is_empty() && next.starts_with(previous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Siret;
    use crate::domain::worker::Worker;

    fn worker(id: i64, last: &str, first: &str, nir: &str, site: &str) -> WorkerView {
        Worker {
            id,
            nir: nir.parse().unwrap(),
            last_name: last.to_owned(),
            usage_name: None,
            first_names: first.to_owned(),
            birth_date: None,
            employer_siret: "73282932000074".parse::<Siret>().unwrap(),
            employer_name: "ACME Logistique".to_owned(),
            site: site.to_owned(),
        }
    }

    fn roster() -> Vec<WorkerView> {
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
    fn splitting_over_threads_gives_the_same_rows() {
        let catalogue = crate::domain::training::Catalogue::embedded().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let options = crate::server::demo::DemoOptions {
            workers: 3000,
            seed: 7,
            today,
        };
        let demo = crate::server::demo::Demo::new(&options, &catalogue);
        let workers: Vec<WorkerView> = demo.workers().map(|w| w.worker.with_nir()).collect();
        let index = SearchIndex::new(&workers);
        for query in ["d", "dupont m", "mar lyon", "1 85", "acme", "zzqx"] {
            let one = index.search_on(query, 50, None, 1, 1);
            let three = index.search_on(query, 50, None, 1, 3);
            assert_eq!(one, three, "{query}");
            let narrowed = index.search_on(query, 50, Some(&one.all), 1, 3);
            assert_eq!(narrowed, one, "{query} narrowed");
        }
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
