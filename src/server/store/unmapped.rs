//! Declared trainings of no catalogue type (« type non reconnu »): the titles an account sees,
//! for `passeport catalogue unmapped`, and their mapping when the catalogue learns them (an
//! alias added to `catalogue.toml` in the config directory), at start-up (docs/model.md). The
//! SQL is written once for both backends in [`ported`].

use super::{AccountRow, ServerError, Store, dispatch};
use crate::api::contract::UnmappedTitle;

impl Store {
    /// The titles of the live declared entries of no type that `account` sees, each with its
    /// number of entries and its last declaration (the entry written last); most entries first.
    pub async fn unmapped_titles(
        &self,
        account: &AccountRow,
    ) -> Result<Vec<UnmappedTitle>, ServerError> {
        dispatch!(self, unmapped_titles(account))
    }
}

/// The shared calls of unmapped titles, as a child module `unmapped` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// Unmapped titles on this backend (store/unmapped.rs).
        pub(in crate::server::store) mod unmapped {
            use sqlx::{QueryBuilder, Row as _};

            use super::{Db, push_entry_viewer, $backend as Backend};
            use crate::api::contract::UnmappedTitle;
            use crate::domain::training::Catalogue;
            use crate::server::ServerError;
            use crate::server::store::AccountRow;

            impl Backend {
                /// See [`crate::server::store::Store::unmapped_titles`].
                pub(in crate::server::store) async fn unmapped_titles(
                    &self,
                    account: &AccountRow,
                ) -> Result<Vec<UnmappedTitle>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT u.title, u.entries, last.reference, last.recorded_on \
                         FROM (SELECT e.training_title AS title, COUNT(*) AS entries, \
                         MAX(e.id) AS last_id FROM passport_entries e \
                         WHERE e.training_code IS NULL AND e.removed_at IS NULL \
                         AND e.training_title IS NOT NULL AND ",
                    );
                    push_entry_viewer(&mut builder, account);
                    builder.push(
                        " GROUP BY e.training_title) u \
                         JOIN passport_entries last ON last.id = u.last_id \
                         ORDER BY u.entries DESC, u.title",
                    );
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    rows.iter()
                        .map(|row| {
                            let entries: i64 = row.try_get("entries")?;
                            Ok(UnmappedTitle {
                                title: row.try_get("title")?,
                                entries: u64::try_from(entries).unwrap_or_default(),
                                last_reference: row.try_get("reference")?,
                                last_declared_on: row.try_get("recorded_on")?,
                            })
                        })
                        .collect()
                }

                /// Gives their type, in one transaction, to the live entries of no type whose
                /// title the catalogue now recognises (its title, code or an alias:
                /// [`Catalogue::recognise`]); the caller recomputes the expiries. Returns how
                /// many entries were mapped. A certification code added to the catalogue is
                /// not looked up again: the entry keeps only its title.
                pub(in crate::server::store) async fn map_unrecognised(
                    &self,
                    catalogue: &Catalogue,
                ) -> Result<u64, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let titles: Vec<String> = sqlx::query_scalar(
                        "SELECT DISTINCT training_title FROM passport_entries \
                         WHERE training_code IS NULL AND removed_at IS NULL \
                         AND training_title IS NOT NULL",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut mapped = 0;
                    for title in titles {
                        let Some(training) = catalogue.recognise(&title) else {
                            continue;
                        };
                        mapped += sqlx::query(
                            "UPDATE passport_entries SET training_code = $1 \
                             WHERE training_code IS NULL AND removed_at IS NULL \
                             AND training_title = $2",
                        )
                        .bind(&training.code)
                        .bind(&title)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                    tx.commit().await?;
                    Ok(mapped)
                }
            }
        }
    };
}

pub(super) use ported;
