//! Terminal hygiene: an RAII guard and a chained panic hook restore raw mode, the alternate
//! screen, mouse capture and bracketed paste on every exit path (quit, error, panic, signal);
//! Ctrl-Z suspends and resumes.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal type the application draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Whether mouse capture was enabled, so restoration knows to disable it.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal in application mode on creation and restores it when dropped.
#[derive(Debug)]
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, enables paste (and the mouse unless `mouse` is
    /// false), and installs the panic hook. Returns the guard and the ratatui terminal.
    pub fn enter(mouse: bool) -> io::Result<(Self, Tui)> {
        install_panic_hook();
        MOUSE.store(mouse, Ordering::SeqCst);
        enable(mouse)?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok((Self { _private: () }, terminal))
    }

    /// Ctrl-Z: restores the terminal, stops the process until `fg`, then re-enters.
    /// The caller must clear and redraw the whole screen afterwards.
    pub fn suspend(&self) -> io::Result<()> {
        restore();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process has no memory-safety requirement.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        enable(MOUSE.load(Ordering::SeqCst))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn enable(mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Restores the terminal to cooked mode on the main screen. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
