//! Memory (BENCHMARKS.md §5): the peak resident memory of the data the terminal application
//! holds for the Recherche screen with 100k workers (1M with `PASSEPORT_BENCH_1M=1`): the roster
//! `Vec<Worker>`, its `SearchIndex` and the matches of a search.
//!
//! Each figure comes from a fresh child process (this benchmark run again with
//! `PASSEPORT_BENCH_MEMORY=<stage> <workers>`), read from its own `VmHWM` in `/proc/self/status`,
//! so that nothing else the parent allocated counts. Stages: `floor` (the process with the rules
//! loaded, the baseline), `roster` (the workers generated), `search` (the workers, the index and
//! the matches of a search). The workers come from the demo generator, not from JSON, so the
//! transient peak of decoding pages is not counted (the start-up benchmark reads the real
//! application's peak).
//!
//! `cargo bench --bench memory` measures; `cargo test --benches` runs a smoke test.

mod common;

use std::time::Duration;

use common::Mode;
use passeport::api::contract::WorkerView as Worker;
use passeport::rules::Rules;
use passeport::search::SearchIndex;
use passeport::server::demo::{DEFAULT_SEED, Demo, DemoOptions};

/// The environment variable that makes this binary a measured child.
const CHILD: &str = "PASSEPORT_BENCH_MEMORY";

/// Target peak with 100k workers (issue 7).
const TARGET_MIB: f64 = 150.0;

fn main() {
    if let Ok(task) = std::env::var(CHILD) {
        child(&task);
        return;
    }
    let mode = Mode::detect();
    let runs = mode.iterations(3);
    for workers in mode.sizes(300, &[100_000], true) {
        let mut peaks = Vec::new();
        let mut times = Vec::new();
        for stage in ["floor", "roster", "search"] {
            let mut peak = 0;
            let stats = common::time(runs, || peak = peak.max(measure(stage, workers)));
            peaks.push(peak);
            times.push(stats.median);
        }
        let [floor, roster, search] = [peaks[0], peaks[1], peaks[2]];
        if mode == Mode::Smoke {
            assert!(
                floor > 0 && roster >= floor && search >= roster,
                "{peaks:?}"
            );
            println!("memory smoke test: ok ({workers} workers)");
            continue;
        }
        common::section(&format!(
            "peak RSS, {workers} workers (fresh process per figure)"
        ));
        let mib = |kib: u64| kib as f64 / 1024.0;
        println!(
            "baseline: process with the rules loaded {:>8.1} MiB",
            mib(floor)
        );
        println!(
            "roster Vec<Worker>                     {:>8.1} MiB",
            mib(roster)
        );
        let verdict = if workers != 100_000 {
            String::new()
        } else if mib(search) <= TARGET_MIB {
            format!(" — target ≤ {TARGET_MIB} MiB: met")
        } else {
            format!(" — target ≤ {TARGET_MIB} MiB: MISSED")
        };
        println!(
            "roster + SearchIndex + search          {:>8.1} MiB{verdict}",
            mib(search)
        );
        println!(
            "per worker above the floor: roster {:.0} B, with the index {:.0} B",
            (roster - floor) as f64 * 1024.0 / f64::from(workers),
            (search - floor) as f64 * 1024.0 / f64::from(workers)
        );
        println!(
            "child wall time (generation, index, search): roster {}, search {} ({} the roster's)",
            common::ms(times[1]),
            common::ms(times[2]),
            common::ratio(times[2], times[1].max(Duration::from_nanos(1)))
        );
    }
}

/// Runs this binary as a child measuring `stage` with `workers`; returns its peak in KiB.
fn measure(stage: &str, workers: u32) -> u64 {
    let exe = std::env::current_exe().expect("current executable");
    let output = std::process::Command::new(exe)
        .env(CHILD, format!("{stage} {workers}"))
        .output()
        .expect("run the measuring child");
    assert!(
        output.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM_KIB "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the child prints its peak")
}

/// The child: builds what `task` (`<stage> <workers>`) names, then prints its peak.
fn child(task: &str) {
    let (stage, workers) = task.split_once(' ').expect("<stage> <workers>");
    let workers: u32 = workers.parse().expect("a worker count");
    let rules = Rules::embedded().expect("embedded rules");
    let mut held: Vec<Box<dyn std::any::Any>> = Vec::new();
    if stage != "floor" {
        let opts = DemoOptions {
            workers,
            seed: DEFAULT_SEED,
            today: common::today(),
        };
        let roster: Vec<Worker> = Demo::new(&opts, &rules.catalogue)
            .workers()
            .map(|d| d.worker.with_nir())
            .collect();
        if stage == "search" {
            let index = SearchIndex::new(&roster);
            let first = index.search("dup", 500, None, 1);
            let matches = index.search("dupont", 500, Some(&first.all), 2);
            held.push(Box::new(index));
            held.push(Box::new((first, matches)));
        }
        held.push(Box::new(roster));
    }
    println!("VmHWM_KIB {}", peak_kib());
    std::hint::black_box(&held);
}

/// This process's peak resident memory in KiB (`VmHWM`).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
