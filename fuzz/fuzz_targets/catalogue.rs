//! `Catalogue::from_toml` on arbitrary text: no panic, a syntax error on a line of the text
//! (tests/fuzz_props.rs, target `catalogue`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use passeport::domain::training::Catalogue;
use passeport::rules::RulesError;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(RulesError::Syntax { line, .. }) = Catalogue::from_toml("fuzz.toml", &text) {
        assert!((1..=text.lines().count() + 1).contains(&line));
    }
});
