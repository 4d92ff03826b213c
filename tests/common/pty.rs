//! Runs the real `passeport` binary in a pseudo-terminal and reads its screen with vt100, as a
//! person at a terminal would see it.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// A running `passeport` in a pseudo-terminal.
pub struct Session {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Session {
    /// Starts the binary with `args` in a `cols`×`rows` terminal, with HOME and the XDG
    /// directories under `home` and today frozen.
    pub fn start(home: &Path, args: &[&str], cols: u16, rows: u16) -> Self {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_passeport"));
        cmd.args(args);
        Self::spawn(cmd, home, cols, rows)
    }

    /// Starts an interactive `bash` (no startup files, so job control and nothing else) in the
    /// same environment as [`Session::start`]; the test types the command line itself, with
    /// [`Session::binary`].
    pub fn start_shell(home: &Path, cols: u16, rows: u16) -> Self {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-i"]);
        Self::spawn(cmd, home, cols, rows)
    }

    /// The path of the `passeport` binary under test.
    pub fn binary() -> &'static str {
        env!("CARGO_BIN_EXE_passeport")
    }

    fn spawn(mut cmd: CommandBuilder, home: &Path, cols: u16, rows: u16) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        cmd.env_clear();
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("PASSEPORT_TODAY", "2026-11-26");
        cmd.env("TERM", "xterm-256color");
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        let child = pair.slave.spawn_command(cmd).expect("spawn passeport");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let sink = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("parser").process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        Self {
            master: pair.master,
            writer,
            child,
            parser,
        }
    }

    /// The screen's text.
    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    /// True while the program shows the alternate screen.
    pub fn alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .expect("parser")
            .screen()
            .alternate_screen()
    }

    /// Waits until the screen contains `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "« {text} » not on screen after {secs} s:\n{}",
            self.screen()
        );
    }

    /// Types keys.
    pub fn send(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader thread take the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("passeport did not exit within {secs} s:\n{}", self.screen());
    }

    /// True when the terminal is back in cooked mode (canonical input and echo).
    pub fn cooked_mode(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("pty fd");
        // SAFETY: tcgetattr only writes into the termios we pass, on a valid open fd.
        unsafe {
            let mut termios: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(fd, &mut termios), 0, "tcgetattr");
            termios.c_lflag & libc::ICANON != 0 && termios.c_lflag & libc::ECHO != 0
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
