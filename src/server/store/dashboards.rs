//! The lists a team watches, on both backends: an organisation's sessions with their computed
//! declaration status, one session with its trainees, and the expirations dashboard with its
//! counts by band. [`ported`] expands in `store/sqlite.rs` and `store/postgres.rs` (see the top
//! of store.rs); each backend gives `LIVE_EXPIRY`, the predicate of its partial expiry indexes
//! written as in its migration, so the planner of either engine recognises it.

/// Sessions of one account with their trainee count and computed declaration status, in parts
/// around the bound values (today, the scope by training type, then the account). A session is
/// `en_cours` until its end date has passed; `non_concernee` with no present trainee; `declaree`
/// when every present trainee's NIR is a live titulaire of a live declaration of the session's
/// owner linked to the session; `non_concernee` when its training type is excluded or its end is
/// before the scope of its category ([`super::SessionScope`]); `a_declarer` otherwise. The outer
/// query is aliased `y` for further conditions; the status uses `EXISTS` so it stops at the first
/// trainee that decides it.
pub(super) const SESSION_SQL_HEAD: &str = "SELECT * FROM (SELECT s.id, s.training_code, s.title, \
     s.organisme, s.place, s.start_date, s.end_date, s.closed_at, \
     (SELECT COUNT(*) FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
     WHERE t.session_id = s.id";
/// See [`SESSION_SQL_HEAD`]: after the count's site limit, the status.
pub(super) const SESSION_SQL_COUNTED: &str = ") AS trainee_count, CASE WHEN s.end_date >= ";
/// See [`SESSION_SQL_HEAD`].
pub(super) const SESSION_SQL_MID: &str = " THEN 'en_cours' \
       WHEN NOT EXISTS (SELECT 1 FROM session_trainees t WHERE t.session_id = s.id \
         AND t.outcome IN ('passed', 'attended')) THEN 'non_concernee' \
       WHEN NOT EXISTS (SELECT 1 FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
         WHERE t.session_id = s.id AND t.outcome IN ('passed', 'attended') \
         AND NOT EXISTS (SELECT 1 FROM declaration_titulaires dt \
           JOIN declarations d ON d.id = dt.declaration_id \
           WHERE dt.nir = w.nir AND dt.removed = FALSE AND d.session_id = s.id \
           AND d.account_id = s.account_id AND d.status <> 'supprimee')) THEN 'declaree' \
       WHEN s.end_date < COALESCE(";
/// See [`SESSION_SQL_HEAD`]: a type never in scope compares with the latest date (bound).
pub(super) const SESSION_SQL_SCOPE: &str = ") THEN 'non_concernee' \
       ELSE 'a_declarer' END AS declaration_status \
     FROM sessions s WHERE s.account_id = ";
/// See [`SESSION_SQL_HEAD`].
pub(super) const SESSION_SQL_TAIL: &str = ") AS y WHERE 1 = 1";

/// The shared calls of the dashboards, as a child module `dashboards` of the backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// The dashboards on this backend (store/dashboards.rs).
        pub(in crate::server::store) mod dashboards {
            use chrono::NaiveDate;
            use sqlx::{QueryBuilder, Row as _};

            use super::{$backend as Backend, Db, DbRow, push_site_limit};
            use crate::api::contract::{ExpirationCounts, SessionSummary};
            use crate::domain::DeclarantKind;
            use crate::domain::session::SessionId;
            use crate::server::ServerError;
            use crate::server::store::dashboards::{
                SESSION_SQL_COUNTED, SESSION_SQL_HEAD, SESSION_SQL_MID, SESSION_SQL_SCOPE, SESSION_SQL_TAIL,
            };
            use crate::server::store::{
                AccountRow, ExpirationFilter, ExpirationRow, SessionFilter, SessionScope,
                TraineeRow, code_of, parse_code,
            };

            /// The latest date, for a training type never in scope (four-digit, so it also
            /// compares as text on SQLite).
            fn never() -> NaiveDate {
                NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
            }

            /// Appends `CASE s.training_code WHEN … THEN <first end in scope> … ELSE … END`
            /// (NULL for a type never in scope).
            fn push_scope_case(builder: &mut QueryBuilder<'_, Db>, scope: &SessionScope) {
                if scope.by_code.is_empty() {
                    builder.push_bind(scope.unknown);
                    return;
                }
                builder.push("CASE s.training_code");
                for (code, from) in &scope.by_code {
                    builder
                        .push(" WHEN ")
                        .push_bind(code.clone())
                        .push(" THEN ")
                        .push_bind(*from);
                }
                builder.push(" ELSE ").push_bind(scope.unknown).push(" END");
            }

            /// Starts the session summary query for `account` (today bound for the status).
            fn push_session_select(
                builder: &mut QueryBuilder<'_, Db>,
                today: NaiveDate,
                scope: &SessionScope,
                account: &AccountRow,
            ) {
                builder.push(SESSION_SQL_HEAD);
                // A user limited to sites counts the trainees of those sites only, as the
                // session's detail lists them.
                push_site_limit(builder, account);
                builder
                    .push(SESSION_SQL_COUNTED)
                    .push_bind(today)
                    .push(SESSION_SQL_MID);
                push_scope_case(builder, scope);
                builder.push(", ").push_bind(never());
                builder.push(SESSION_SQL_SCOPE).push_bind(account.id);
                builder.push(SESSION_SQL_TAIL);
            }

            /// Decodes a session summary selected with [`push_session_select`].
            fn session_from_row(row: &DbRow) -> Result<SessionSummary, ServerError> {
                let status: String = row.try_get("declaration_status")?;
                let count: i64 = row.try_get("trainee_count")?;
                Ok(SessionSummary {
                    id: row.try_get("id")?,
                    training_code: row.try_get("training_code")?,
                    title: row.try_get("title")?,
                    organisme: row.try_get("organisme")?,
                    place: row.try_get("place")?,
                    start_date: row.try_get("start_date")?,
                    end_date: row.try_get("end_date")?,
                    trainee_count: u32::try_from(count).unwrap_or(u32::MAX),
                    declaration_status: parse_code("statut de session", &status)?,
                    closed_on: row.try_get("closed_at")?,
                })
            }

            /// Appends the join of an entry to the worker through which `account` sees it: the
            /// employer's own current (not archived) worker for the person; for a training
            /// organisation, its first trainee for the person (one row per entry, so the keyset
            /// pages stay exact).
            fn push_expiry_worker_join(builder: &mut QueryBuilder<'_, Db>, account: &AccountRow) {
                match account.kind {
                    DeclarantKind::Employeur => builder.push(
                        "JOIN workers w ON w.person_id = e.person_id \
                         AND w.employer_account_id = e.employer_account_id \
                         AND w.archived = FALSE",
                    ),
                    DeclarantKind::OrganismeFormation => builder.push(
                        "JOIN workers w ON w.id = (SELECT MIN(t.worker_id) FROM session_trainees t \
                         JOIN sessions s ON s.id = t.session_id JOIN workers x ON x.id = t.worker_id \
                         WHERE x.person_id = e.person_id AND s.account_id = e.session_account_id)",
                    ),
                };
            }

            /// Appends the common conditions of the expirations queries: the account's partial
            /// index, current entries up to `until`, and the training and site filters.
            fn push_expiry_scope(
                builder: &mut QueryBuilder<'_, Db>,
                account: &AccountRow,
                filter: &ExpirationFilter,
                until: NaiveDate,
            ) {
                let owner = match account.kind {
                    DeclarantKind::Employeur => "e.employer_account_id = ",
                    DeclarantKind::OrganismeFormation => "e.session_account_id = ",
                };
                builder.push(owner).push_bind(account.id);
                builder
                    .push(" AND ")
                    .push(Backend::LIVE_EXPIRY)
                    .push(" AND e.expires_on <= ");
                builder.push_bind(until);
                if let Some(training) = &filter.training {
                    builder
                        .push(" AND e.training_code = ")
                        .push_bind(training.clone());
                }
                if let Some(site) = &filter.site {
                    builder.push(" AND w.site = ").push_bind(site.clone());
                }
                push_site_limit(builder, account);
            }

            impl Backend {
                /// See [`crate::server::store::Store::sessions`].
                pub(in crate::server::store) async fn sessions(
                    &self,
                    account: &AccountRow,
                    filter: &SessionFilter,
                    after: Option<(NaiveDate, SessionId)>,
                    limit: u32,
                ) -> Result<Vec<SessionSummary>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new("");
                    push_session_select(&mut builder, filter.today, &filter.scope, account);
                    if let Some(from) = filter.from {
                        builder.push(" AND y.end_date >= ").push_bind(from);
                    }
                    if let Some(to) = filter.to {
                        builder.push(" AND y.start_date <= ").push_bind(to);
                    }
                    if let Some(status) = filter.status {
                        builder
                            .push(" AND y.declaration_status = ")
                            .push_bind(code_of(status));
                    }
                    if let Some((end, id)) = after {
                        builder
                            .push(" AND (y.end_date, y.id) < (")
                            .push_bind(end)
                            .push(", ");
                        builder.push_bind(id).push(")");
                    }
                    builder
                        .push(" ORDER BY y.end_date DESC, y.id DESC LIMIT ")
                        .push_bind(i64::from(limit) + 1);
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    rows.iter().map(session_from_row).collect()
                }

                /// See [`crate::server::store::Store::session`].
                pub(in crate::server::store) async fn session(
                    &self,
                    account: &AccountRow,
                    id: SessionId,
                    today: NaiveDate,
                    scope: &SessionScope,
                ) -> Result<Option<(SessionSummary, Vec<TraineeRow>)>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new("");
                    push_session_select(&mut builder, today, scope, account);
                    builder.push(" AND y.id = ").push_bind(id);
                    let Some(row) = builder.build().fetch_optional(&self.pool).await? else {
                        return Ok(None);
                    };
                    let summary = session_from_row(&row)?;
                    let rows = sqlx::query(
                        "SELECT w.id, w.last_name, w.first_names, w.nir, w.employer_siret, w.employer_name, \
                         w.site, t.outcome, EXISTS (SELECT 1 FROM declaration_titulaires dt \
                           JOIN declarations d ON d.id = dt.declaration_id \
                           WHERE d.session_id = t.session_id AND d.account_id = $1 \
                           AND d.status <> 'supprimee' AND dt.removed = FALSE \
                           AND dt.nir = w.nir) AS declared \
                         FROM session_trainees t JOIN workers w ON w.id = t.worker_id \
                         WHERE t.session_id = $2 ORDER BY w.last_name, w.first_names, w.id",
                    )
                    .bind(account.id)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    // A user limited to sites sees the trainees of those sites only.
                    let sites = account.sites();
                    let trainees = rows
                        .iter()
                        .filter(|row| {
                            sites.is_none_or(|sites| {
                                row.try_get::<String, _>("site")
                                    .is_ok_and(|site| sites.contains(&site))
                            })
                        })
                        .map(|row| {
                            let outcome: String = row.try_get("outcome")?;
                            Ok(TraineeRow {
                                worker_id: row.try_get("id")?,
                                last_name: row.try_get("last_name")?,
                                first_names: row.try_get("first_names")?,
                                nir: row.try_get("nir")?,
                                employer_siret: row.try_get("employer_siret")?,
                                employer_name: row.try_get("employer_name")?,
                                outcome: parse_code("résultat du stagiaire", &outcome)?,
                                declared: row.try_get("declared")?,
                            })
                        })
                        .collect::<Result<Vec<_>, ServerError>>()?;
                    Ok(Some((summary, trainees)))
                }

                /// See [`crate::server::store::Store::expirations`].
                pub(in crate::server::store) async fn expirations(
                    &self,
                    account: &AccountRow,
                    filter: &ExpirationFilter,
                    after: Option<(NaiveDate, i64)>,
                    limit: u32,
                ) -> Result<Vec<ExpirationRow>, ServerError> {
                    let mut builder = QueryBuilder::<Db>::new(
                        "SELECT e.id, w.id AS worker_id, w.last_name, w.first_names, w.site, \
                         w.employer_name, e.training_code, e.expires_on FROM passport_entries e ",
                    );
                    push_expiry_worker_join(&mut builder, account);
                    builder.push(" WHERE ");
                    push_expiry_scope(&mut builder, account, filter, filter.until);
                    if let Some((date, id)) = after {
                        builder
                            .push(" AND (e.expires_on, e.id) > (")
                            .push_bind(date)
                            .push(", ");
                        builder.push_bind(id).push(")");
                    }
                    builder
                        .push(" ORDER BY e.expires_on, e.id LIMIT ")
                        .push_bind(i64::from(limit) + 1);
                    let rows = builder.build().fetch_all(&self.pool).await?;
                    rows.iter()
                        .map(|row| {
                            Ok(ExpirationRow {
                                entry_id: row.try_get("id")?,
                                worker_id: row.try_get("worker_id")?,
                                last_name: row.try_get("last_name")?,
                                first_names: row.try_get("first_names")?,
                                site: row.try_get("site")?,
                                employer: row.try_get("employer_name")?,
                                training_code: row.try_get("training_code")?,
                                expires_on: row.try_get("expires_on")?,
                            })
                        })
                        .collect()
                }

                /// See [`crate::server::store::Store::expiration_counts`]. `COUNT(CASE …)`
                /// rather than `SUM(condition)`: PostgreSQL does not sum booleans.
                pub(in crate::server::store) async fn expiration_counts(
                    &self,
                    account: &AccountRow,
                    filter: &ExpirationFilter,
                ) -> Result<ExpirationCounts, ServerError> {
                    let today = filter.today;
                    let band = |days: u64| {
                        today
                            .checked_add_days(chrono::Days::new(days))
                            .unwrap_or(today)
                    };
                    let mut builder =
                        QueryBuilder::<Db>::new("SELECT COUNT(CASE WHEN e.expires_on < ");
                    builder
                        .push_bind(today)
                        .push(" THEN 1 END) AS expired, COUNT(CASE WHEN e.expires_on >= ");
                    builder
                        .push_bind(today)
                        .push(" AND e.expires_on <= ")
                        .push_bind(band(30));
                    builder
                        .push(" THEN 1 END) AS within_30, COUNT(CASE WHEN e.expires_on > ")
                        .push_bind(band(30));
                    builder.push(" AND e.expires_on <= ").push_bind(band(60));
                    builder
                        .push(" THEN 1 END) AS within_60, COUNT(CASE WHEN e.expires_on > ")
                        .push_bind(band(60));
                    builder.push(" AND e.expires_on <= ").push_bind(band(90));
                    builder.push(" THEN 1 END) AS within_90 FROM passport_entries e ");
                    // The worker decides visibility (a leaver's entries are not due).
                    push_expiry_worker_join(&mut builder, account);
                    builder.push(" WHERE ");
                    push_expiry_scope(&mut builder, account, filter, band(90));
                    let row = builder.build().fetch_one(&self.pool).await?;
                    let get = |name: &str| -> Result<u64, ServerError> {
                        let value: i64 = row.try_get(name)?;
                        Ok(u64::try_from(value).unwrap_or_default())
                    };
                    Ok(ExpirationCounts {
                        expired: get("expired")?,
                        within_30: get("within_30")?,
                        within_60: get("within_60")?,
                        within_90: get("within_90")?,
                    })
                }
            }
        }
    };
}

pub(super) use ported;
