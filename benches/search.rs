//! Search per keystroke (BENCHMARKS.md §1): the time from a new query to the sorted top rows
//! ready, for a typed sequence, on demo rosters of 10k and 100k workers (1M with
//! `PASSEPORT_BENCH_1M=1`), as the Recherche screen does it (`within` = the previous matches when
//! the new query narrows the previous one). Baselines measured in the same run: a plain
//! lowercase substring scan over a lowercase copy, and fuzzy-matcher's `SkimMatcherV2` over
//! every item, keeping the 500 best.
//!
//! `cargo bench --bench search` measures; `cargo test --benches` runs a smoke test.

mod common;

use std::time::{Duration, Instant};

use common::{Mode, Stats};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use passeport::api::contract::WorkerView as Worker;
use passeport::rules::Rules;
use passeport::search::{Matches, SearchIndex, narrows};
use passeport::server::demo::{DEFAULT_SEED, Demo, DemoOptions};

/// The queries, as successive states of the input while typing (issue 7).
const TYPED: [&str; 10] = [
    "d", "du", "dup", "dupo", "dupont", "dupont m", "mar lyon", "1 85 03", "acme", "zzqx",
];

/// Rows kept, as the application asks.
const LIMIT: usize = 500;

/// Target p95 per keystroke, by roster size (issue 7).
fn target(workers: u32) -> Option<Duration> {
    match workers {
        100_000 => Some(Duration::from_millis(16)),
        1_000_000 => Some(Duration::from_millis(100)),
        _ => None,
    }
}

fn main() {
    let mode = Mode::detect();
    let rules = Rules::embedded().expect("embedded rules");
    for workers in mode.sizes(400, &[10_000, 100_000], true) {
        let started = Instant::now();
        let opts = DemoOptions {
            workers,
            seed: DEFAULT_SEED,
            today: common::today(),
        };
        let roster: Vec<Worker> = Demo::new(&opts, &rules.catalogue)
            .workers()
            .map(|d| d.worker.with_nir())
            .collect();
        let generated = started.elapsed();
        let build = common::time(mode.iterations(3), || {
            std::hint::black_box(SearchIndex::new(&roster));
        });
        let index = SearchIndex::new(&roster);
        let baseline = Baseline::new(&index, &roster);
        // Fewer rounds on bigger rosters keep the whole run within minutes.
        let rounds = mode.iterations(match workers {
            0..=10_000 => 40,
            10_001..=100_000 => 15,
            _ => 3,
        });
        let typed: Vec<String> = TYPED.iter().map(|q| (*q).to_owned()).collect();
        let app = |q: &str, within: Option<&[u32]>, generation| {
            index.search(q, LIMIT, within, generation)
        };
        let ours = run_ours(&typed, rounds, &app);
        let by_key = run_ours(&keystrokes(), rounds, &app);
        let substring = run_baseline(rounds, |q| baseline.substring(q));
        let skim = run_baseline(rounds.div_ceil(3), |q| baseline.skim(q));
        if mode == Mode::Smoke {
            smoke_checks(&index, &baseline, &ours);
            continue;
        }
        common::section(&format!("search, {workers} workers"));
        println!(
            "roster generated in {:.2} s; SearchIndex::new median {} (p95 {})",
            generated.as_secs_f64(),
            common::ms(build.median),
            common::ms(build.p95)
        );
        println!(
            "{:<12} {:>11} {:>11} {:>11} {:>11} {:>8}",
            "query", "nucleo med", "nucleo p95", "substring", "skim", "matches"
        );
        for (i, query) in TYPED.iter().enumerate() {
            println!(
                "{:<12} {:>11} {:>11} {:>11} {:>11} {:>8}",
                format!("{query:?}"),
                common::ms(ours.per_query[i].median),
                common::ms(ours.per_query[i].p95),
                common::ms(substring.per_query[i].median),
                common::ms(skim.per_query[i].median),
                ours.matched[i]
            );
        }
        let verdict = target(workers).map_or_else(String::new, |t| {
            let met = if ours.all.p95 <= t { "met" } else { "MISSED" };
            format!(" — target p95 ≤ {}: {met}", common::ms(t))
        });
        println!(
            "the sequence ({} samples): nucleo median {} p95 {}{verdict}",
            ours.all.count,
            common::ms(ours.all.median),
            common::ms(ours.all.p95)
        );
        println!(
            "typed one character at a time ({} keystrokes, input cleared between unrelated \
             queries): median {} p95 {}",
            by_key.per_query.len(),
            common::ms(by_key.all.median),
            common::ms(by_key.all.p95)
        );
        println!(
            "baselines: substring median {} p95 {} (÷ nucleo {}); skim median {} p95 {} (÷ nucleo {})",
            common::ms(substring.all.median),
            common::ms(substring.all.p95),
            common::ratio(substring.all.median, ours.all.median),
            common::ms(skim.all.median),
            common::ms(skim.all.p95),
            common::ratio(skim.all.median, ours.all.median),
        );
    }
}

/// The keystrokes that type [`TYPED`] one character at a time, the input cleared before a query
/// that does not extend the previous one.
fn keystrokes() -> Vec<String> {
    let mut typed = Vec::new();
    let mut input = String::new();
    for query in TYPED {
        if !narrows(&input, query) {
            input.clear();
        }
        for c in query.chars().skip(input.chars().count()) {
            input.push(c);
            typed.push(input.clone());
        }
    }
    typed
}

/// Timings of a sequence of queries.
struct Run {
    /// Every query.
    all: Stats,
    /// Per query of the sequence.
    per_query: Vec<Stats>,
    /// Matches per query (ours only; zero for baselines).
    matched: Vec<usize>,
}

/// One search: the application's, or a variant giving the same result.
type Search<'a> = dyn Fn(&str, Option<&[u32]>, u64) -> Matches + 'a;

/// Types the sequence `rounds` times, narrowing to the previous matches as the application does.
fn run_ours(queries: &[String], rounds: usize, search: &Search<'_>) -> Run {
    let mut samples = vec![Vec::new(); queries.len()];
    let mut matched = vec![0; queries.len()];
    let mut generation = 0;
    for _ in 0..rounds {
        let mut previous: Option<Matches> = None;
        for (i, query) in queries.iter().enumerate() {
            generation += 1;
            let within = previous
                .as_ref()
                .filter(|m| narrows(&m.query, query))
                .map(|m| m.all.clone());
            let started = Instant::now();
            let matches = search(query, within.as_deref().map(Vec::as_slice), generation);
            samples[i].push(started.elapsed());
            matched[i] = matches.all.len();
            previous = Some(matches);
        }
    }
    finish(samples, matched)
}

/// Times `search` over the sequence, `rounds` times.
fn run_baseline(rounds: usize, mut search: impl FnMut(&str) -> Vec<u32>) -> Run {
    let mut samples = vec![Vec::new(); TYPED.len()];
    for _ in 0..rounds {
        for (i, query) in TYPED.iter().enumerate() {
            let started = Instant::now();
            std::hint::black_box(search(query));
            samples[i].push(started.elapsed());
        }
    }
    finish(samples, vec![0; TYPED.len()])
}

fn finish(samples: Vec<Vec<Duration>>, matched: Vec<usize>) -> Run {
    let all: Vec<Duration> = samples.iter().flatten().copied().collect();
    Run {
        all: Stats::of(&all),
        per_query: samples.iter().map(|s| Stats::of(s)).collect(),
        matched,
    }
}

/// The baselines' data: each item's text (as shown, plus the NIR), and a lowercase copy.
struct Baseline {
    texts: Vec<String>,
    lowercase: Vec<String>,
    skim: SkimMatcherV2,
}

impl Baseline {
    fn new(index: &SearchIndex, roster: &[Worker]) -> Self {
        let texts: Vec<String> = roster
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let shown = index.entry(i as u32).map_or("", |e| e.text.as_str());
                format!("{shown} {}", w.nir.as_str())
            })
            .collect();
        let lowercase = texts.iter().map(|t| t.to_lowercase()).collect();
        Self {
            texts,
            lowercase,
            skim: SkimMatcherV2::default().ignore_case(),
        }
    }

    /// Plain substring scan of every item; the first `LIMIT` of those containing the lowercase
    /// query (every match is collected, as the application collects them to narrow the next
    /// query).
    fn substring(&self, query: &str) -> Vec<u32> {
        let query = query.to_lowercase();
        let mut all: Vec<u32> = self
            .lowercase
            .iter()
            .enumerate()
            .filter(|(_, text)| text.contains(&query))
            .map(|(i, _)| i as u32)
            .collect();
        all.truncate(LIMIT);
        all
    }

    /// `SkimMatcherV2::fuzzy_match` over every item, the `LIMIT` best sorted.
    fn skim(&self, query: &str) -> Vec<u32> {
        let mut scored: Vec<(i64, u32)> = self
            .texts
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.skim.fuzzy_match(text, query).map(|s| (s, i as u32)))
            .collect();
        let better = |a: &(i64, u32), b: &(i64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > LIMIT {
            scored.select_nth_unstable_by(LIMIT - 1, better);
            scored.truncate(LIMIT);
        }
        scored.sort_unstable_by(better);
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// Smoke mode: the measured code finds what a person typing expects; narrowing gives the rows
/// of a plain full scan.
fn smoke_checks(index: &SearchIndex, baseline: &Baseline, ours: &Run) {
    let dupont = index.search("dupont", LIMIT, None, 1);
    let first = dupont
        .top
        .first()
        .and_then(|hit| index.entry(hit.index))
        .expect("a DUPONT");
    assert!(
        first.text.contains("DUPONT"),
        "best row for « dupont »: {}",
        first.text
    );
    let mut previous: Option<Matches> = None;
    for query in keystrokes() {
        let full = index.search(&query, LIMIT, None, 1);
        let within = previous
            .as_ref()
            .filter(|m| narrows(&m.query, &query))
            .map(|m| m.all.clone());
        let narrowed = index.search(&query, LIMIT, within.as_deref().map(Vec::as_slice), 1);
        assert_eq!(narrowed, full, "narrowing changed the result of {query:?}");
        previous = Some(full);
    }
    assert!(!baseline.substring("dupont").is_empty());
    assert!(!baseline.skim("dupont").is_empty());
    assert_eq!(ours.per_query.len(), TYPED.len());
    assert!(ours.all.median <= ours.all.p95 && ours.all.p95 <= ours.all.max);
    println!("search smoke test: ok ({} workers)", index.len());
}
