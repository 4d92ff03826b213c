//! Terminal hygiene: an RAII guard and a chained panic hook restore raw mode, the alternate
//! screen, mouse capture and bracketed paste on every exit path (quit, error, panic, signal);
//! Ctrl-Z suspends and resumes. Nothing here asks the terminal where its cursor is: after a
//! `fg` the terminal may answer late or never, so a redraw only clears and repaints.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::{Position, Rect};

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
    /// The caller must redraw the whole screen afterwards ([`repaint`]). With no job control
    /// (the program is a tmux pane's own command) the stop is ignored by the system and the
    /// program simply goes on.
    pub fn suspend(&self) -> io::Result<()> {
        restore();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process has no memory-safety requirement.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        self.resume()
    }

    /// After a stop (Ctrl-Z then `fg`, or SIGSTOP then SIGCONT from elsewhere): puts the
    /// terminal back in application mode, whatever the shell did to it meanwhile.
    pub fn resume(&self) -> io::Result<()> {
        enable(MOUSE.load(Ordering::SeqCst))
    }
}

/// Clears the screen and forgets what was drawn, so that the next draw repaints every cell, at
/// the terminal's current size. Unlike `Terminal::clear`, it never queries the cursor position
/// (a query that times out after a `fg`). Returns the size, for the application's layout.
pub fn repaint(terminal: &mut Tui) -> io::Result<(u16, u16)> {
    let size = terminal.size()?;
    terminal.resize(Rect::from((Position::ORIGIN, size)))?;
    Ok((size.width, size.height))
}

/// A terminal error in French, saying what to do where there is something to do.
pub fn describe(error: &io::Error) -> String {
    let detail = match error.raw_os_error() {
        // ENXIO, ENOTTY, ENODEV: no terminal behind the standard streams.
        Some(6 | 19 | 25) => {
            return "aucun terminal : lancez passeport dans un terminal, ou utilisez les \
                    commandes expiring, export et import dans un script"
                .to_owned();
        }
        Some(5) => "erreur d'entrée-sortie (le terminal a peut-être été fermé)".to_owned(),
        Some(32) => "le terminal a été fermé".to_owned(),
        Some(4) => "lecture interrompue par un signal".to_owned(),
        Some(n) => format!("erreur système n° {n}"),
        None => match error.kind() {
            // crossterm's own errors carry English text only: say what they mean.
            io::ErrorKind::Interrupted => "lecture interrompue par un signal".to_owned(),
            io::ErrorKind::BrokenPipe => "le terminal a été fermé".to_owned(),
            io::ErrorKind::UnexpectedEof => "le terminal a été fermé".to_owned(),
            _ if error
                .to_string()
                .contains("could not be read within a normal duration") =>
            {
                "le terminal n'a pas répondu à temps à une demande d'état".to_owned()
            }
            _ => "le terminal a refusé une opération".to_owned(),
        },
    };
    format!("{detail} ; relancez passeport")
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
