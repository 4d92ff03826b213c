//! Users limited to sites (issue 17 §2): they see and change only the workers of their sites,
//! everywhere a worker appears. The lists of workers filter in SQL
//! (`push_worker_visibility`, `push_site_limit`); what names people by NIR (declarations'
//! titulaires, the employer's verification lines) keeps only the NIRs of a worker the user
//! sees ([`Store::visible_nirs`]). [`ported`] expands in `store/sqlite.rs` and
//! `store/postgres.rs` (see the top of store.rs).
//!
//! Assumption (not from a text): a titulaire is « of the user's sites » when the account has a
//! worker of one of those sites with that NIR; a titulaire the account knows no worker for is
//! hidden from such a user, as a worker of another site would be.

use std::collections::{HashMap, HashSet};

use super::{AccountRow, Store, canonical_nir, dispatch};
use crate::api::contract::{DeclarationId, DeclarationView};
use crate::domain::session::SessionId;
use crate::server::ServerError;

/// NIRs asked about in one query, well under the bound parameters either engine allows.
pub(super) const NIRS_PER_QUERY: usize = 500;

impl AccountRow {
    /// The sites the user is limited to; `None` for every site (or the command line).
    pub fn sites(&self) -> Option<&[String]> {
        self.user.as_ref().and_then(|user| user.sites.as_deref())
    }
}

/// The calls of the site limits on `$backend`, as a child module `sites` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// The site limits on this backend (store/sites.rs).
        pub(in crate::server::store) mod sites {
            use std::collections::{HashMap, HashSet};

            use sqlx::{QueryBuilder, Row as _};

            use super::{$backend as Backend, Db, DbConn, push_worker_visibility};
            use crate::api::contract::DeclarationId;
            use crate::domain::session::SessionId;
            use crate::server::ServerError;
            use crate::server::store::AccountRow;
            use crate::server::store::sites::NIRS_PER_QUERY;

            /// Of `nirs` (13 characters), those of a worker `account` sees, within the user's
            /// sites, on an open connection.
            pub(in crate::server::store) async fn visible_nirs_on(
                conn: &mut DbConn,
                account: &AccountRow,
                nirs: &[String],
            ) -> Result<HashSet<String>, ServerError> {
                let mut visible = HashSet::new();
                for chunk in nirs.chunks(NIRS_PER_QUERY) {
                    let mut builder =
                        QueryBuilder::<Db>::new("SELECT DISTINCT w.nir FROM workers w WHERE w.nir IN (");
                    let mut list = builder.separated(", ");
                    for nir in chunk {
                        list.push_bind(nir.clone());
                    }
                    builder.push(") AND ");
                    push_worker_visibility(&mut builder, account);
                    let rows = builder.build().fetch_all(&mut *conn).await?;
                    for row in &rows {
                        visible.insert(row.try_get::<String, _>("nir")?);
                    }
                }
                Ok(visible)
            }

            impl Backend {
                /// See [`crate::server::store::Store::visible_nirs`].
                pub(in crate::server::store) async fn visible_nirs(
                    &self,
                    account: &AccountRow,
                    nirs: &[String],
                ) -> Result<HashSet<String>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    visible_nirs_on(&mut conn, account, nirs).await
                }

                /// The birth name under which `account` knows each of `nirs` (13 characters)
                /// that names one of its visible workers.
                pub(in crate::server::store) async fn birth_names(
                    &self,
                    account: &AccountRow,
                    nirs: &[String],
                ) -> Result<HashMap<String, String>, ServerError> {
                    let mut names = HashMap::new();
                    for chunk in nirs.chunks(NIRS_PER_QUERY) {
                        let mut builder = QueryBuilder::<Db>::new(
                            "SELECT w.nir, w.last_name FROM workers w WHERE w.nir IN (",
                        );
                        let mut list = builder.separated(", ");
                        for nir in chunk {
                            list.push_bind(nir.clone());
                        }
                        builder.push(") AND ");
                        push_worker_visibility(&mut builder, account);
                        let rows = builder.build().fetch_all(&self.pool).await?;
                        for row in &rows {
                            names.insert(row.try_get("nir")?, row.try_get("last_name")?);
                        }
                    }
                    Ok(names)
                }

                /// Live titulaires of each of `ids` that `account` sees (a worker of its sites
                /// holds the NIR), by declaration.
                pub(in crate::server::store) async fn visible_titulaire_counts(
                    &self,
                    account: &AccountRow,
                    ids: &[DeclarationId],
                ) -> Result<HashMap<DeclarationId, u32>, ServerError> {
                    let mut counts = HashMap::new();
                    for chunk in ids.chunks(NIRS_PER_QUERY) {
                        let mut builder = QueryBuilder::<Db>::new(
                            "SELECT dt.declaration_id, COUNT(DISTINCT dt.id) AS visible \
                             FROM declaration_titulaires dt JOIN workers w ON w.nir = dt.nir \
                             WHERE dt.removed = FALSE AND dt.declaration_id IN (",
                        );
                        let mut list = builder.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        builder.push(") AND ");
                        push_worker_visibility(&mut builder, account);
                        builder.push(" GROUP BY dt.declaration_id");
                        let rows = builder.build().fetch_all(&self.pool).await?;
                        for row in &rows {
                            let count: i64 = row.try_get("visible")?;
                            counts.insert(
                                row.try_get("declaration_id")?,
                                u32::try_from(count).unwrap_or(u32::MAX),
                            );
                        }
                    }
                    Ok(counts)
                }

                /// See [`crate::server::store::Store::trainees_beyond_sites`].
                pub(in crate::server::store) async fn trainees_beyond_sites(
                    &self,
                    account: &AccountRow,
                    session: SessionId,
                ) -> Result<bool, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT COUNT(*) AS beyond FROM session_trainees t \
                         JOIN sessions s ON s.id = t.session_id \
                         JOIN workers w ON w.id = t.worker_id WHERE t.session_id = ",
                    );
                    builder.push_bind(session).push(" AND s.account_id = ");
                    // A worker without a site is beyond every site (NULL counts as false).
                    builder.push_bind(account.id).push(" AND NOT COALESCE((");
                    push_worker_visibility(&mut builder, account);
                    builder.push("), FALSE)");
                    let row = builder.build().fetch_one(&self.pool).await?;
                    Ok(row.try_get::<i64, _>("beyond")? > 0)
                }
            }
        }
    };
}

pub(super) use ported;

/// `view` with only the titulaires whose NIR is in `visible`; `None` when none is left.
pub(super) fn keep_visible(
    mut view: DeclarationView,
    visible: &HashSet<String>,
) -> Option<DeclarationView> {
    view.declaration
        .titulaires
        .retain(|t| visible.contains(&canonical_nir(&t.nir)));
    if view.declaration.titulaires.is_empty() {
        return None;
    }
    view.summary.titulaire_count = u32::try_from(view.declaration.titulaires.len()).unwrap_or(0);
    Some(view)
}

impl Store {
    /// Of `nirs` (any form a titulaire's NIR takes), the canonical ones of a worker `account`
    /// sees within the user's sites.
    pub async fn visible_nirs(
        &self,
        account: &AccountRow,
        nirs: &[&str],
    ) -> Result<HashSet<String>, ServerError> {
        let nirs: Vec<String> = nirs.iter().map(|nir| canonical_nir(nir)).collect();
        dispatch!(self, visible_nirs(account, &nirs))
    }

    /// The birth name under which `account` knows each of `nirs` (any form a titulaire's NIR
    /// takes) that names one of its workers (an employer's staff, an organisation's trainees),
    /// keyed by the canonical NIR.
    pub async fn birth_names(
        &self,
        account: &AccountRow,
        nirs: &[&str],
    ) -> Result<HashMap<String, String>, ServerError> {
        let nirs: Vec<String> = nirs.iter().map(|nir| canonical_nir(nir)).collect();
        dispatch!(self, birth_names(account, &nirs))
    }

    /// For a user limited to sites, `view` cut to the titulaires of those sites (`None` when
    /// none is); anyone else gets it whole.
    pub(super) async fn within_sites(
        &self,
        account: &AccountRow,
        view: Option<DeclarationView>,
    ) -> Result<Option<DeclarationView>, ServerError> {
        let Some(view) = view else {
            return Ok(None);
        };
        if account.sites().is_none() {
            return Ok(Some(view));
        }
        let nirs: Vec<&str> = view
            .declaration
            .titulaires
            .iter()
            .map(|t| t.nir.as_str())
            .collect();
        let visible = self.visible_nirs(account, &nirs).await?;
        Ok(keep_visible(view, &visible))
    }

    /// For a user limited to sites, the live titulaires of each declaration of `ids` that the
    /// user sees; `None` for anyone else (every titulaire counts).
    pub(super) async fn visible_titulaire_counts(
        &self,
        account: &AccountRow,
        ids: &[DeclarationId],
    ) -> Result<Option<HashMap<DeclarationId, u32>>, ServerError> {
        if account.sites().is_none() {
            return Ok(None);
        }
        dispatch!(self, visible_titulaire_counts(account, ids)).map(Some)
    }

    /// Whether one of `account`'s sessions enrols a worker beyond the user's sites (what the
    /// user's own view of the session does not count); false for anyone not limited to sites.
    pub async fn trainees_beyond_sites(
        &self,
        account: &AccountRow,
        session: SessionId,
    ) -> Result<bool, ServerError> {
        if account.sites().is_none() {
            return Ok(false);
        }
        dispatch!(self, trainees_beyond_sites(account, session))
    }
}
