//! LibreOffice for the spreadsheet tests: `soffice --headless --convert-to …` proves that a file
//! passeport writes opens in a real spreadsheet, and makes workbooks as LibreOffice saves them.

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
        eprintln!("soffice absent: LibreOffice conversions not tested here");
    }
    found
}

/// Converts `input` with LibreOffice to `filter` (`csv`, `xls`, or a full filter string such as
/// `csv:Text - txt - csv (StarCalc):59,34,76`), written into `dir` with the extension `extension`;
/// returns the converted file's path. The profile lives in `dir`, so tests run in parallel.
pub fn convert(soffice: &Path, input: &Path, filter: &str, extension: &str, dir: &Path) -> PathBuf {
    let output = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", filter, "--outdir"])
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
