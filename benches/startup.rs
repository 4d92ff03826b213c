//! Start-up (BENCHMARKS.md §3): the real `passeport` binary in a pseudo-terminal, its
//! `api_url` pointing to a sandbox server over a demo database of 10k or 100k workers. Measured
//! from just before exec: the first frame on screen (the tabs), and the Échéances screen showing
//! its data (the counts line). Then, once per size, `/` opens Recherche: the time until the
//! roster is loaded and indexed, and the peak resident memory of the process at that point
//! (`VmHWM`). The baseline is the same binary's `--version` (exec and exit, nothing else).
//!
//! The server runs in this process (the same code as `passeport serve`). The binary is the one
//! cargo built for this run: release under `cargo bench`, debug under `cargo test --benches`
//! (smoke test).

mod common;
#[path = "common/demo_server.rs"]
mod demo_server;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Mode, Stats};
use demo_server::{DemoServer, TOKEN};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// The binary under test.
const BINARY: &str = env!("CARGO_BIN_EXE_passeport");

/// Targets (issue 7).
const FIRST_FRAME_TARGET: Duration = Duration::from_millis(100);

/// Longest wait for any screen.
const PATIENCE: Duration = Duration::from_secs(120);

/// Screen size of the runs.
const COLS: u16 = 120;
/// Screen size of the runs.
const ROWS: u16 = 40;

fn main() {
    let mode = Mode::detect();
    let runs = mode.iterations(5);
    let version = common::time(runs, || {
        let status = std::process::Command::new(BINARY)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run passeport --version");
        assert!(status.success());
    });
    if mode == Mode::Bench {
        common::section("start-up of the release binary in a pseudo-terminal");
        println!(
            "baseline `passeport --version` (exec to exit): median {} p95 {}",
            common::ms(version.median),
            common::ms(version.p95)
        );
    }
    for workers in mode.sizes(300, &[10_000, 100_000], false) {
        let server = DemoServer::start(workers);
        let runtime = demo_server::runtime(1);
        runtime
            .block_on(server.client(TOKEN).health())
            .expect("the server answers");
        let home = tempfile::tempdir().expect("temporary home");
        let config = home.path().join("config.toml");
        std::fs::write(&config, format!("api_url = \"{}\"\n", server.url)).expect("config");
        // One unmeasured run warms the disk cache and the server.
        if mode == Mode::Bench {
            run(home.path(), &config, false);
        }
        let mut first = Vec::new();
        let mut data = Vec::new();
        let mut search = None;
        for i in 0..runs {
            let outcome = run(home.path(), &config, i + 1 == runs);
            first.push(outcome.first_frame);
            data.push(outcome.data);
            search = outcome.search.or(search);
        }
        let (first, data) = (Stats::of(&first), Stats::of(&data));
        let search = search.expect("the search screen loaded the roster");
        if mode == Mode::Smoke {
            assert!(
                first.median <= data.median,
                "the first frame comes before the data"
            );
            assert!(search.peak_kib > 0);
            println!("startup smoke test: ok ({workers} workers)");
            continue;
        }
        let data_target = if workers <= 10_000 {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(2)
        };
        let verdict = |stats: &Stats, target: Duration| {
            if stats.median <= target {
                format!("target ≤ {}: met", common::ms(target))
            } else {
                format!("target ≤ {}: MISSED", common::ms(target))
            }
        };
        println!("-- demo database of {workers} workers ({runs} runs, {COLS}×{ROWS})");
        println!(
            "exec → first frame: median {} p95 {} (max {}; {} the exec baseline) — {}",
            common::ms(first.median),
            common::ms(first.p95),
            common::ms(first.max),
            common::ratio(first.median, version.median),
            verdict(&first, FIRST_FRAME_TARGET)
        );
        println!(
            "exec → Échéances with data: median {} p95 {} (max {}) — {}",
            common::ms(data.median),
            common::ms(data.p95),
            common::ms(data.max),
            verdict(&data, data_target)
        );
        println!(
            "`/` → Recherche with the roster indexed: {} ; peak RSS of the TUI then {:.1} MiB",
            common::ms(search.roster),
            search.peak_kib as f64 / 1024.0
        );
    }
}

/// What one run saw.
struct Outcome {
    first_frame: Duration,
    data: Duration,
    search: Option<SearchOutcome>,
}

/// The Recherche screen after start-up.
#[derive(Clone, Copy)]
struct SearchOutcome {
    roster: Duration,
    peak_kib: u64,
}

/// Runs the binary once in a pseudo-terminal; with `search`, also opens Recherche.
fn run(home: &Path, config: &Path, search: bool) -> Outcome {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(BINARY);
    cmd.arg("--config");
    cmd.arg(config);
    cmd.env_clear();
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("xdg-config"));
    cmd.env("XDG_DATA_HOME", home.join("xdg-data"));
    cmd.env("PASSEPORT_TODAY", common::today().to_string());
    cmd.env("PASSEPORT_TOKEN", TOKEN);
    cmd.env("TERM", "xterm-256color");
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");
    let (seen_tx, seen) = mpsc::channel::<(&'static str, Instant)>();
    // The screen is read on its own thread, so a moment is taken when its bytes arrive.
    let watcher = std::thread::spawn(move || {
        let mut parser = vt100::Parser::new(ROWS, COLS, 0);
        let mut waiting: Vec<&'static str> = vec!["Échéances", "Expirées", "salariés ·"];
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let at = Instant::now();
            parser.process(&buf[..n]);
            let screen = parser.screen().contents();
            waiting.retain(|text| {
                let found = screen.contains(text);
                if found {
                    let _ = seen_tx.send((text, at));
                }
                !found
            });
        }
    });
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn passeport");
    drop(pair.slave);
    let pid = child.process_id().expect("pid");
    let wait = |text: &str| loop {
        match seen.recv_timeout(PATIENCE) {
            Ok((found, at)) if found == text => break at.duration_since(started),
            Ok(_) => continue,
            Err(_) => panic!("« {text} » not on screen after {PATIENCE:?}"),
        }
    };
    let first_frame = wait("Échéances");
    let data = wait("Expirées");
    let search = search.then(|| {
        let asked = Instant::now();
        writer
            .write_all(b"/")
            .and_then(|()| writer.flush())
            .expect("type /");
        let loaded = wait("salariés ·");
        SearchOutcome {
            roster: loaded.saturating_sub(asked.duration_since(started)),
            peak_kib: peak_kib(pid),
        }
    });
    // Esc leaves the search input; q quits.
    writer
        .write_all(b"\x1bq")
        .and_then(|()| writer.flush())
        .expect("type q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(writer);
    drop(pair.master);
    let _ = watcher.join();
    Outcome {
        first_frame,
        data,
        search,
    }
}

/// Peak resident memory of a process, in KiB (`VmHWM` of `/proc/PID/status`).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
