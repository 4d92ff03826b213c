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
    // Esc goes back to the search, its field focused again (a lone Esc: wait before the next
    // key, or the terminal reads Esc+q as Alt-q); Esc leaves the field, then q quits.
    s.send("\x1b");
    s.wait_for("Rechercher", 10);
    s.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(300));
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

/// Ctrl-Z then `fg` from an interactive shell: the program stops, the shell takes the terminal,
/// and `fg` brings the program back, redrawn and still answering keys (it used to end on « The
/// cursor position could not be read… »).
#[test]
fn ctrl_z_then_fg_redraws_and_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start_shell(home.path(), 80, 24);
    s.wait_for("bash-", 10);
    s.send(&format!("{}\r", Session::binary()));
    s.wait_for("Expirées", 60);
    s.send("\x1a");
    s.wait_for("Stopped", 10);
    assert!(
        !s.alternate_screen(),
        "stopped: the shell has its screen back"
    );
    s.send("fg\r");
    s.wait_for("Expirées", 20);
    assert!(s.alternate_screen(), "back in the application's screen");
    // Alive and answering: screen 2, then quit.
    s.send("2");
    s.wait_for("Intitulé", 30);
    assert!(!s.screen().contains("erreur"), "{}", s.screen());
    s.send("q");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while s.alternate_screen() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!s.alternate_screen(), "quit: the shell's screen");
    s.send("exit\r");
    s.wait_exit(10);
}

/// With no shell to stop into (the program is the terminal's own command, as in a tmux pane),
/// Ctrl-Z is ignored by the system: the program goes on, redrawn.
#[test]
fn ctrl_z_without_job_control_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Session::start(home.path(), &[], 80, 24);
    s.wait_for("Expirées", 60);
    s.send("\x1a");
    s.send("2");
    s.wait_for("Intitulé", 30);
    assert!(s.alternate_screen());
    s.send("q");
    assert_eq!(s.wait_exit(10), 0);
}
