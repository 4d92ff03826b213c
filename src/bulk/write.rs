//! Writing declarations as an ADF or JDR bulk file (domain.md §8).
//!
//! Every line is built column by column from the layout's official list, so the order is the
//! list's. Identifiers are written in their canonical form (the NIR in 13 characters, key
//! dropped); text is trimmed, since surrounding spaces are invisible in an unquoted file.
//! The writer checks what would break the file or reject it as a whole (separators, line
//! breaks, unreadable identifiers, repeated identifiers across declarations); every other rule is
//! [`Declaration::validate`]'s, to be run first.

mod cell;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::{BulkError, LINE_END, Layout, SEPARATOR};
use crate::domain::declaration::Declaration;

/// Writes the bulk file of `layout` for the declarations of its kind: the header line, then one
/// line per titulaire, each ending with CRLF. Declarations of the other kind are skipped.
///
/// Fails on the first value that would break the file (see [`BulkError`]); nothing is returned
/// then, so a broken file is never written.
pub fn write(layout: Layout, declarations: &[Declaration]) -> Result<String, BulkError> {
    let mut file = layout.header();
    file.push_str(LINE_END);
    let mut line = 1;
    let mut declaration_ids: HashMap<String, usize> = HashMap::new();
    let mut partner_ids: HashMap<String, usize> = HashMap::new();
    let selected = declarations
        .iter()
        .filter(|declaration| declaration.kind == layout.kind());
    for (rank, declaration) in selected.enumerate() {
        if declaration.titulaires.is_empty() {
            return Err(BulkError::NoTitulaire {
                declaration: rank + 1,
            });
        }
        remember(
            &mut declaration_ids,
            declaration.id_declaration.trim(),
            line + 1,
        )
        .map_err(|first_line| BulkError::DuplicateIdDeclaration {
            line: line + 1,
            first_line,
        })?;
        for (index, titulaire) in declaration.titulaires.iter().enumerate() {
            line += 1;
            let cells = cell::line(layout, declaration, titulaire, line, index + 1)?;
            remember(
                &mut partner_ids,
                titulaire.id_unique_partenaire.trim(),
                line,
            )
            .map_err(|first_line| BulkError::DuplicateIdUniquePartenaire { line, first_line })?;
            file.push_str(&cells.join(&SEPARATOR.to_string()));
            file.push_str(LINE_END);
        }
    }
    Ok(file)
}

/// Records a non-empty identifier first seen on `line`; `Err(first line)` if already seen.
/// An empty identifier is left to [`Declaration::validate`] (it is a missing required value).
fn remember(seen: &mut HashMap<String, usize>, id: &str, line: usize) -> Result<(), usize> {
    if id.is_empty() {
        return Ok(());
    }
    match seen.entry(id.to_owned()) {
        Entry::Occupied(first) => Err(*first.get()),
        Entry::Vacant(slot) => {
            slot.insert(line);
            Ok(())
        }
    }
}
