//! LibreOffice for the tests of spreadsheets (issue 15 §7): `soffice --headless --convert-to`
//! turns a CSV text into the workbook LibreOffice writes (numbers and dates typed as it reads
//! them). CI installs it (`.ci/run`, Debian's `libreoffice-calc-nogui`).

// Shared by several test crates: not every helper is used by each.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `soffice`, or `None` outside CI when it is not installed (CI installs it: .ci/run).
pub fn soffice() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("soffice"))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "soffice is missing: .ci/run installs libreoffice-calc-nogui"
        );
        eprintln!("soffice absent: LibreOffice workbooks not tested here");
    }
    found
}

/// `text` saved as CSV (UTF-8), then converted by LibreOffice to `extension`; the workbook's
/// path.
pub fn libreoffice(soffice: &Path, dir: &Path, name: &str, text: &str, extension: &str) -> PathBuf {
    let csv = dir.join(format!("{name}.csv"));
    std::fs::write(&csv, text).unwrap();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.display()
        ))
        // CSV filter options: `,` separator, `"` quotes, UTF-8 (76), from line 1: the text is
        // read as written whatever the machine's locale.
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            extension,
        ])
        .arg("--outdir")
        .arg(dir)
        .arg(&csv)
        .status()
        .unwrap();
    assert!(status.success());
    dir.join(format!("{name}.{extension}"))
}

/// The workbook at `path` opened and saved again by LibreOffice as `extension`, beside it under
/// `dir`; the new workbook's path.
pub fn resave(soffice: &Path, dir: &Path, path: &Path, extension: &str) -> PathBuf {
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", extension, "--outdir"])
        .arg(dir)
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
    let stem = path.file_stem().unwrap().to_string_lossy();
    dir.join(format!("{stem}.{extension}"))
}
