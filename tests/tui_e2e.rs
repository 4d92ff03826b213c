//! End to end: the real binary in a pseudo-terminal against the embedded sandbox, driven with
//! keys alone.

#[path = "common/pty.rs"]
mod pty;

use pty::Session;

#[test]
fn browse_search_open_passport_and_quit_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start(home.path(), &[], 100, 30);
    // The start screen shows data from the embedded sandbox.
    s.wait_for("BAC À SABLE", 30);
    s.wait_for("Expirées", 60);
    assert!(s.alternate_screen());
    // `/` plus part of a name finds the worker.
    s.send("/");
    s.wait_for("Rechercher", 10);
    s.send("dupont");
    s.wait_for("DUPONT", 30);
    // Enter opens the Passeport screen with its timeline.
    s.send("\r");
    s.wait_for("auj.", 30);
    assert!(s.screen().contains("DUPONT"));
    // Esc goes back to the search (a lone Esc: wait before the next key, or the terminal
    // reads Esc+q as Alt-q), then q quits.
    s.send("\x1b");
    s.wait_for("Rechercher", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
    assert!(!s.alternate_screen(), "back on the main screen");
    assert!(s.cooked_mode(), "terminal back in cooked mode");
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start(home.path(), &[], 80, 24);
    s.wait_for("Échéances", 30);
    s.wait_for("Expirées", 60);
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(s.pid() as libc::pid_t, libc::SIGTERM);
    }
    s.wait_exit(10);
    assert!(!s.alternate_screen(), "back on the main screen");
    assert!(s.cooked_mode(), "terminal back in cooked mode");
}

#[test]
fn a_tiny_terminal_gets_a_notice_not_garbage() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start(home.path(), &[], 50, 15);
    s.wait_for("Terminal trop petit", 30);
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
}
