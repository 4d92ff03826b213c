//! `simulator::Tree::from_toml` on arbitrary text, then a walk of an accepted tree always taking
//! the first answer: no panic (tests/fuzz_props.rs, target `simulator`).
#![no_main]

use std::sync::Arc;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use passeport::domain::deadline::DeadlineRules;
use passeport::rules::RulesError;
use passeport::simulator::{Step, Tree, Walk};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tree = match Tree::from_toml("fuzz.toml", &text) {
        Ok(tree) => tree,
        Err(RulesError::Syntax { line, .. }) => {
            assert!((1..=text.lines().count() + 1).contains(&line));
            return;
        }
        Err(_) => return,
    };
    let (Ok(deadlines), Some(day)) = (
        DeadlineRules::embedded(),
        NaiveDate::from_ymd_opt(2026, 10, 1),
    ) else {
        return;
    };
    let mut walk = Walk::new(Arc::new(tree), Arc::new(deadlines));
    for _ in 0..64 {
        let moved = match walk.current() {
            Step::Question { .. } => walk.answer(0).is_ok(),
            Step::Date { .. } => walk.answer_date(day).is_ok(),
            Step::Outcome(_) => false,
        };
        if !moved {
            break;
        }
    }
});
