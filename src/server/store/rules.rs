//! Stored types and expiries follow the catalogue: when the rules that decide them change (an
//! override of `catalogue.toml` in the config directory, a new alias, a new release), the entries
//! of no type whose title is now recognised get their type, and every person's entries are
//! recomputed at start-up, so the Échéances list agrees with the passports, whose expiry is
//! computed at read (docs/model.md).

use sha2::{Digest, Sha256};

use super::{ServerError, Store, dispatch};
use crate::domain::training::Catalogue;

/// Key of the `meta` row holding the fingerprint of the rules the stored expiries follow.
const META_RULES: &str = "rules";
/// People recomputed per batch (one query for their ids, then one transaction).
const BATCH: i64 = 1000;

/// What decides a stored type, expiry and supersession of one training type: its code, validity
/// period, renewals, and the title and aliases a declared title is recognised by.
type TypeRules<'a> = (&'a str, Option<u32>, &'a [String], &'a str, &'a [String]);

/// The fingerprint of what decides a stored type, expiry and supersession ([`TypeRules`] of
/// every type).
fn fingerprint(catalogue: &Catalogue) -> String {
    let rules: Vec<TypeRules<'_>> = catalogue
        .iter()
        .map(|t| {
            (
                t.code.as_str(),
                t.validity_months,
                t.supersedes.as_slice(),
                t.title.as_str(),
                t.aliases.as_slice(),
            )
        })
        .collect();
    let bytes = serde_json::to_vec(&rules).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Makes the stored types and expiries follow `catalogue`: a database that never recorded
    /// its rules records them (its entries were computed with them); one whose rules differ has
    /// its entries of no type mapped by their title when the catalogue now recognises it, then
    /// every entry recomputed, by batches of people. Returns whether it recomputed.
    pub async fn follow_rules(&self, catalogue: &Catalogue) -> Result<bool, ServerError> {
        let wanted = fingerprint(catalogue);
        let stored = dispatch!(self, meta(META_RULES))?;
        if stored.as_deref() == Some(wanted.as_str()) {
            return Ok(false);
        }
        let recompute = stored.is_some();
        if recompute {
            let mapped = dispatch!(self, map_unrecognised(catalogue))?;
            if mapped > 0 {
                tracing::info!(mapped, "formations déclarées reconnues par le catalogue");
            }
            let mut after = 0_i64;
            loop {
                let people = dispatch!(self, people_with_entries(after, BATCH))?;
                let Some(last) = people.last().copied() else {
                    break;
                };
                dispatch!(self, refresh_people(&people, catalogue))?;
                after = last;
            }
        }
        dispatch!(self, set_meta(META_RULES, &wanted))?;
        Ok(recompute)
    }
}
