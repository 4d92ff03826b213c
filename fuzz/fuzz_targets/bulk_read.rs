//! The import reader `passeport::bulk::read::read` on arbitrary bytes, for both declarants: no
//! panic, and every problem on a line of the file (tests/fuzz_props.rs, target `bulk_read`).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use passeport::bulk::read::{ReadError, read};
use passeport::domain::DeclarantKind;

fuzz_target!(|data: &[u8]| {
    let Some(today) = NaiveDate::from_ymd_opt(2026, 11, 26) else {
        return;
    };
    let breaks = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    let lines = 1..=breaks + 1;
    for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
        match read(data, declarant, today) {
            Ok(file) => {
                for error in &file.errors {
                    assert!(lines.contains(&error.line), "{error}");
                }
                for imported in &file.declarations {
                    assert_eq!(imported.lines.len(), imported.declaration.titulaires.len());
                }
            }
            Err(ReadError::Binary { line } | ReadError::Malformed { line, .. }) => {
                assert!(lines.contains(&line));
            }
            Err(_) => {}
        }
    }
});
