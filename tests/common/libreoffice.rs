//! LibreOffice for the tests of spreadsheets (issue 15 §7), the one helper of every test crate:
//! `soffice --headless --convert-to` proves that a file passeport writes opens in a real
//! spreadsheet, and makes workbooks as LibreOffice saves them (from a CSV text, numbers and dates
//! typed as it reads them, or by saving a workbook again). CI installs it (`.ci/run`, Debian's
//! `libreoffice-calc-nogui`).

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
        eprintln!("soffice absent: LibreOffice files not tested here");
    }
    found
}

/// Converts `input` with LibreOffice to `filter` (`csv`, `xls`, or a full filter string such as
/// `csv:Text - txt - csv (StarCalc):59,34,76`), written into `dir` with the extension `extension`;
/// returns the converted file's path. The profile lives in `dir`, so tests run in parallel.
pub fn convert(soffice: &Path, input: &Path, filter: &str, extension: &str, dir: &Path) -> PathBuf {
    run(soffice, dir, None, filter, input, extension)
}

/// `text` saved as CSV (UTF-8), then converted by LibreOffice to `extension`; the workbook's
/// path.
pub fn libreoffice(soffice: &Path, dir: &Path, name: &str, text: &str, extension: &str) -> PathBuf {
    let csv = dir.join(format!("{name}.csv"));
    std::fs::write(&csv, text).unwrap();
    // CSV filter options: `,` separator, `"` quotes, UTF-8 (76), from line 1: the text is read
    // as written whatever the machine's locale.
    run(
        soffice,
        dir,
        Some("CSV:44,34,76,1"),
        extension,
        &csv,
        extension,
    )
}

/// The workbook at `path` opened and saved again by LibreOffice as `extension`, under `dir`;
/// the new workbook's path.
pub fn resave(soffice: &Path, dir: &Path, path: &Path, extension: &str) -> PathBuf {
    run(soffice, dir, None, extension, path, extension)
}

/// One `soffice --headless` conversion of `input` into `dir`, asserting that it wrote its file.
fn run(
    soffice: &Path,
    dir: &Path,
    infilter: Option<&str>,
    filter: &str,
    input: &Path,
    extension: &str,
) -> PathBuf {
    let mut command = Command::new(soffice);
    command
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.display()
        ))
        .arg("--headless");
    if let Some(infilter) = infilter {
        command.arg(format!("--infilter={infilter}"));
    }
    let output = command
        .args(["--convert-to", filter, "--outdir"])
        .arg(dir)
        .arg(input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
    let converted = dir.join(format!("{stem}.{extension}"));
    assert!(converted.is_file(), "{output:?}");
    converted
}
