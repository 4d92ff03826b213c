//! What every benchmark shares: the run mode (measure under `cargo bench`, smoke test
//! otherwise), timing statistics computed by hand (median, p95), the frozen today of the
//! datasets and the dataset sizes.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

/// How a benchmark binary runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Under `cargo bench` (cargo passes `--bench`): full sizes, many iterations, figures printed.
    Bench,
    /// Under `cargo test --benches` or a bare run: tiny sizes, one iteration, assertions only.
    Smoke,
}

impl Mode {
    /// `Bench` when cargo passed `--bench`, else `Smoke`.
    pub fn detect() -> Self {
        if std::env::args().any(|a| a == "--bench") {
            Self::Bench
        } else {
            Self::Smoke
        }
    }

    /// The worker counts to measure: `smoke` in smoke mode; else `sizes`, plus one million when
    /// `million` is set and the environment has `PASSEPORT_BENCH_1M=1`.
    pub fn sizes(self, smoke: u32, sizes: &[u32], million: bool) -> Vec<u32> {
        match self {
            Self::Smoke => vec![smoke],
            Self::Bench => {
                let mut all = sizes.to_vec();
                if million && std::env::var("PASSEPORT_BENCH_1M").is_ok_and(|v| v == "1") {
                    all.push(1_000_000);
                }
                all
            }
        }
    }

    /// `bench` iterations under `cargo bench`, one in smoke mode.
    pub fn iterations(self, bench: usize) -> usize {
        match self {
            Self::Bench => bench,
            Self::Smoke => 1,
        }
    }
}

/// The day every demo dataset is built around (fixed, so that figures are comparable).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

/// Summary of timing samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Number of samples.
    pub count: usize,
    /// Median (the lower middle sample for an even count).
    pub median: Duration,
    /// 95th percentile (nearest rank).
    pub p95: Duration,
    /// Largest sample.
    pub max: Duration,
}

impl Stats {
    /// Median, p95 and maximum of `samples` (all zero when empty).
    pub fn of(samples: &[Duration]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Self {
            count: sorted.len(),
            median: percentile(&sorted, 50),
            p95: percentile(&sorted, 95),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

/// The nearest-rank percentile `p` (0–100) of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Times `iterations` calls of `f` one by one.
pub fn time(iterations: usize, mut f: impl FnMut()) -> Stats {
    let samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    Stats::of(&samples)
}

/// A duration in milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// `a` ÷ `b`, as `×1.23` (`n/a` when `b` is zero).
pub fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        return "n/a".to_owned();
    }
    format!("×{:.2}", a.as_secs_f64() / b.as_secs_f64())
}

/// Prints a section title.
pub fn section(title: &str) {
    println!("\n== {title}");
}
