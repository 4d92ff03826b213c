//! Frame time and terminal output (BENCHMARKS.md §2): every screen drawn at 200×60 and 80×24
//! with realistic data, and the bytes written to the terminal per cursor move and per new search
//! result.
//!
//! The data is real: the application is driven through `App::update` with the answers of the
//! sandbox server over a demo database of 100k workers (the effects run as the event loop runs
//! them, with `tui::run::fetch`). Frames are drawn with `ratatui::Terminal` on a `TestBackend`
//! (time) and on a `CrosstermBackend` writing into a `Vec<u8>` (bytes, each frame wrapped in a
//! synchronized update as the event loop does). Baselines in the same run: a frame of one
//! full-screen paragraph (ratatui's floor) for the time, and a full repaint for the bytes.
//!
//! `cargo bench --bench render` measures; `cargo test --benches` runs a smoke test.

mod common;
#[path = "common/demo_server.rs"]
mod demo_server;

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;

use common::{Mode, Stats};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use demo_server::DemoServer;
use passeport::api::Client;
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::keymap::Command;
use passeport::tui::screens::ScreenId;
use passeport::tui::theme::{Theme, ThemeName};
use passeport::tui::ui::render;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::{Terminal, TerminalOptions, Viewport};

/// Terminal sizes measured: a large window and the classic minimum.
const SIZES: [(u16, u16); 2] = [(200, 60), (80, 24)];

/// Target median frame time at 200×60 (issue 7).
const FRAME_TARGET: Duration = Duration::from_millis(1);
/// Target bytes per cursor move (issue 7).
const BYTES_TARGET: usize = 600;

/// The token of the demo training organisation, the account holding the declarations.
const OF_TOKEN: &str = "demo-of";

/// Cursor moves measured per list.
const MOVES: usize = 80;

fn main() {
    let mode = Mode::detect();
    let home = tempfile::tempdir().expect("temporary home");
    // SAFETY: no other thread runs yet; the drafts of the Simulateur are then read from (and
    // never written to) an empty temporary directory instead of the user's.
    unsafe {
        std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
        std::env::set_var("XDG_CONFIG_HOME", home.path().join("config"));
    }
    for workers in mode.sizes(300, &[100_000], false) {
        let server = DemoServer::start(workers);
        let mut driver = Driver::new(server.client(demo_server::TOKEN));
        let iterations = mode.iterations(300);
        let mut frames: Vec<(String, [Stats; 2])> = Vec::new();
        let mut moves: Vec<(String, [Moves; 2])> = Vec::new();
        let mut measure = |driver: &mut Driver, name: &str, list: bool| {
            let times = SIZES.map(|size| driver.frame_time(size, iterations));
            frames.push((name.to_owned(), times));
            if list {
                let bytes = SIZES.map(|size| driver.bytes_per_move(size, mode.iterations(MOVES)));
                moves.push((name.to_owned(), bytes));
            }
        };

        measure(&mut driver, "Échéances", true);
        driver.command(Command::ScreenSessions);
        measure(&mut driver, "Sessions", true);
        driver.command(Command::Open);
        measure(&mut driver, "Sessions (détail)", false);
        driver.command(Command::Back);
        driver.command(Command::Search);
        let search_bytes = SIZES.map(|size| driver.bytes_per_result(size, "dupont"));
        measure(&mut driver, "Recherche (« dupont »)", true);
        driver.key(KeyCode::Enter);
        assert_eq!(
            driver.app.screen,
            ScreenId::Worker,
            "Enter opens the passport"
        );
        measure(&mut driver, "Passeport", false);
        driver.command(Command::ScreenSimulator);
        measure(&mut driver, "Simulateur", false);
        driver.command(Command::Help);
        measure(&mut driver, "Aide (sur Simulateur)", false);
        // The declarations belong to the training organisation.
        let mut of = Driver::new(server.client(OF_TOKEN));
        of.command(Command::ScreenDeclarations);
        measure(&mut of, "Déclarations (OF)", true);
        let floor = SIZES.map(|size| floor_frame_time(size, iterations));

        if mode == Mode::Smoke {
            smoke_checks(&driver, &frames, &moves, &search_bytes);
            continue;
        }
        report(workers, &frames, &floor, &moves, &search_bytes);
    }
}

/// The application with a client, running effects as the event loop does, synchronously.
struct Driver {
    app: App,
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl Driver {
    /// A new app loaded with the answers of its first requests.
    fn new(client: Client) -> Self {
        let rules = Rules::embedded().expect("embedded rules");
        let mut options = AppOptions::new(common::today());
        options.theme = Theme::new(ThemeName::default(), false);
        options.sandbox = true;
        let (app, effects) = App::new(options, &rules);
        let mut driver = Self {
            app,
            client,
            runtime: demo_server::runtime(1),
        };
        driver.run(effects);
        driver
    }

    /// Runs effects, and the effects of their answers, until none is left.
    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let more = match effect {
                Effect::Request { id, request } => {
                    let result = self
                        .runtime
                        .block_on(passeport::tui::run::fetch(&self.client, request));
                    self.app.update(Action::Loaded { id, result })
                }
                Effect::Search {
                    index,
                    query,
                    generation,
                    within,
                } => {
                    let matches = index.search(
                        &query,
                        500,
                        within.as_deref().map(Vec::as_slice),
                        generation,
                    );
                    self.app.update(Action::Searched(matches))
                }
                // Suspending has no answer.
                _ => Vec::new(),
            };
            queue.extend(more);
        }
    }

    /// A key press, and its effects run.
    fn key(&mut self, code: KeyCode) {
        let effects = self
            .app
            .update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run(effects);
    }

    /// A keymap command, and its effects run.
    fn command(&mut self, command: Command) {
        let mut effects = Vec::new();
        self.app.on_command(command, &mut effects);
        self.run(effects);
    }

    /// Steady-state frame time (render and diff) of the current state at `size`.
    fn frame_time(&mut self, (width, height): (u16, u16), iterations: usize) -> Stats {
        self.app.update(Action::Resize(width, height));
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| render(&self.app, frame))
            .expect("draw");
        let app = &self.app;
        common::time(iterations, || {
            terminal.draw(|frame| render(app, frame)).expect("draw");
        })
    }

    /// Bytes written for the current screen: a full repaint, then each of `moves` Down keys.
    fn bytes_per_move(&mut self, size: (u16, u16), moves: usize) -> Moves {
        let mut output = self.output(size);
        let full = self.paint(&mut output);
        let per_move: Vec<usize> = (0..moves)
            .map(|_| {
                self.key(KeyCode::Down);
                self.paint(&mut output)
            })
            .collect();
        // The command, not the key: in Recherche the field has the focus, and its Home key moves
        // the text cursor, which left the list 80 rows down for the next size (every move then
        // scrolled: the 1,621 bytes of 2026-12-02 at 80×24).
        self.command(Command::Home);
        Moves::new(full, per_move)
    }

    /// Bytes written while typing `query` in the search input from empty: for each character, the
    /// frame echoing it (`echo`), then the frame of its new result (`results`).
    fn bytes_per_result(&mut self, size: (u16, u16), query: &str) -> SearchBytes {
        let mut output = self.output(size);
        let clear = self.app.update(Action::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        self.run(clear);
        let full = self.paint(&mut output);
        let mut echo = Vec::new();
        let mut results = Vec::new();
        for c in query.chars() {
            let effects = self.app.update(Action::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
            echo.push(self.paint(&mut output));
            self.run(effects);
            results.push(self.paint(&mut output));
        }
        SearchBytes {
            echo: Bytes::new(full, echo),
            results: Bytes::new(full, results),
        }
    }

    /// A terminal writing into a byte counter, at `size`, the app resized to it.
    fn output(&mut self, (width, height): (u16, u16)) -> Output {
        self.app.update(Action::Resize(width, height));
        let viewport = Viewport::Fixed(Rect::new(0, 0, width, height));
        let written = Rc::new(Cell::new(0));
        let backend = CrosstermBackend::new(Counter(Rc::clone(&written)));
        let terminal =
            Terminal::with_options(backend, TerminalOptions { viewport }).expect("terminal");
        Output { terminal, written }
    }

    /// Draws one frame as the event loop does (in a synchronized update); returns its bytes.
    fn paint(&self, output: &mut Output) -> usize {
        output.written.set(0);
        let backend = output.terminal.backend_mut();
        crossterm::queue!(backend, BeginSynchronizedUpdate).expect("write");
        output
            .terminal
            .draw(|frame| render(&self.app, frame))
            .expect("draw");
        let backend = output.terminal.backend_mut();
        crossterm::queue!(backend, EndSynchronizedUpdate).expect("write");
        backend.flush().expect("flush");
        output.written.get()
    }
}

/// A terminal whose output is only counted.
struct Output {
    terminal: Terminal<CrosstermBackend<Counter>>,
    written: Rc<Cell<usize>>,
}

/// A writer that counts the bytes written to it.
struct Counter(Rc<Cell<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes of a full repaint, and the median and largest frame after an input.
struct Bytes {
    full: usize,
    median: usize,
    max: usize,
}

impl Bytes {
    fn new(full: usize, mut frames: Vec<usize>) -> Self {
        frames.sort_unstable();
        // The lower middle frame, as `Stats` takes it.
        let median = frames
            .get(frames.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or_default();
        Self {
            full,
            median,
            max: frames.last().copied().unwrap_or_default(),
        }
    }
}

/// Bytes per cursor move down a list from its top: the first moves stay within the visible page
/// (only the old and the new selected rows change); from the [`SCROLLING_FROM`]th on, every move
/// scrolls the list by one row, at both sizes.
struct Moves {
    all: Bytes,
    in_page: usize,
    scrolling: usize,
}

/// Moves measured as « within the page »: fewer than the rows of the smallest list (80×24).
const IN_PAGE: usize = 10;
/// From this move on, the selection is below the largest page (200×60): each move scrolls.
const SCROLLING_FROM: usize = 60;

impl Moves {
    fn new(full: usize, per_move: Vec<usize>) -> Self {
        let median = |frames: &[usize]| Bytes::new(full, frames.to_vec()).median;
        Self {
            in_page: median(&per_move[..IN_PAGE.min(per_move.len())]),
            scrolling: median(per_move.get(SCROLLING_FROM..).unwrap_or_default()),
            all: Bytes::new(full, per_move),
        }
    }
}

/// Bytes while typing a query.
struct SearchBytes {
    echo: Bytes,
    results: Bytes,
}

/// Ratatui's floor: a frame of one paragraph filling the screen with text.
fn floor_frame_time((width, height): (u16, u16), iterations: usize) -> Stats {
    let text: Vec<Line> = (0..height)
        .map(|row| Line::from(format!("{row:>3} {}", "Passeport de prévention ".repeat(9))))
        .collect();
    let paragraph = Paragraph::new(text);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    common::time(iterations, || {
        terminal
            .draw(|frame| frame.render_widget(&paragraph, frame.area()))
            .expect("draw");
    })
}

fn report(
    workers: u32,
    frames: &[(String, [Stats; 2])],
    floor: &[Stats; 2],
    moves: &[(String, [Moves; 2])],
    search: &[SearchBytes; 2],
) {
    common::section(&format!("frame time, demo database of {workers} workers"));
    println!(
        "{:<24} {:>11} {:>11} {:>9} {:>11} {:>11}",
        "screen", "200×60 med", "200×60 p95", "÷ floor", "80×24 med", "80×24 p95"
    );
    for (name, [large, small]) in frames {
        let met = if large.median <= FRAME_TARGET {
            ""
        } else {
            "  MISSED ≤ 1 ms"
        };
        println!(
            "{name:<24} {:>11} {:>11} {:>9} {:>11} {:>11}{met}",
            common::ms(large.median),
            common::ms(large.p95),
            common::ratio(large.median, floor[0].median),
            common::ms(small.median),
            common::ms(small.p95),
        );
    }
    println!(
        "{:<24} {:>11} {:>11} {:>9} {:>11} {:>11}",
        "baseline: one paragraph",
        common::ms(floor[0].median),
        common::ms(floor[0].p95),
        "×1.00",
        common::ms(floor[1].median),
        common::ms(floor[1].p95),
    );
    println!(
        "(« ÷ floor »: the screen's median over the baseline's; below 1 the screen costs less \
         than a page of plain text)"
    );

    common::section("bytes written per cursor move (Down), synchronized update included");
    println!(
        "{:<24} {:>7} {:>9} {:>7} {:>7} {:>7} | {:>7} {:>9} {:>7} {:>7} {:>7}",
        "list",
        "in page",
        "scrolling",
        "median",
        "max",
        "repaint",
        "in page",
        "scrolling",
        "median",
        "max",
        "repaint"
    );
    for (name, [large, small]) in moves {
        let over = [
            large.in_page,
            small.in_page,
            large.scrolling,
            small.scrolling,
        ]
        .iter()
        .any(|&b| b > BYTES_TARGET);
        let met = if over { "  MISSED ≤ 600" } else { "" };
        println!(
            "{name:<24} {:>7} {:>9} {:>7} {:>7} {:>7} | {:>7} {:>9} {:>7} {:>7} {:>7}{met}",
            large.in_page,
            large.scrolling,
            large.all.median,
            large.all.max,
            large.all.full,
            small.in_page,
            small.scrolling,
            small.all.median,
            small.all.max,
            small.all.full
        );
    }
    println!(
        "(left: 200×60, right: 80×24; « in page »: median of the first {IN_PAGE} moves, \
         « scrolling »: median of moves {SCROLLING_FROM}+, « median »/« max »: all {MOVES} moves)"
    );

    common::section("bytes written while typing « dupont » in Recherche");
    for ((width, height), bytes) in SIZES.iter().zip(search) {
        println!(
            "{width}×{height}: echo of a key median {} max {}; new result median {} max {}; full repaint {}",
            bytes.echo.median,
            bytes.echo.max,
            bytes.results.median,
            bytes.results.max,
            bytes.results.full
        );
    }
}

/// Smoke mode: every screen drew, lists moved, search results changed the screen.
fn smoke_checks(
    driver: &Driver,
    frames: &[(String, [Stats; 2])],
    moves: &[(String, [Moves; 2])],
    search: &[SearchBytes; 2],
) {
    assert_eq!(frames.len(), 8);
    assert!(driver.app.help);
    for (name, bytes) in moves {
        for b in bytes {
            // Even a short list fills the header, footer and status lines.
            assert!(
                b.all.full > 400,
                "{name}: a full repaint writes the whole screen ({} bytes)",
                b.all.full
            );
            assert!(
                b.all.max < b.all.full,
                "{name}: a cursor move writes less than a repaint"
            );
            assert!(
                b.in_page <= b.all.max,
                "{name}: the median is at most the maximum"
            );
        }
    }
    for bytes in search {
        assert!(bytes.results.max > 0, "new results are drawn");
    }
    let sample = frames[0].1[0];
    assert!(sample.median <= sample.p95 && sample.p95 <= sample.max);
    println!("render smoke test: ok ({} screens)", frames.len());
}
