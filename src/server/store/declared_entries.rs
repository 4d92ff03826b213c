//! The passport entries that follow declarations, on both backends: the entry of each
//! titulaire of a recorded declaration, their withdrawal with a removed line, and the
//! recomputation of a person's expiries and supersession they trigger (docs/model.md).
//! [`ported`] expands in `store/sqlite.rs` and `store/postgres.rs` (see the top of store.rs).

/// The shared entry writes of declarations, as a child module `declared_entries` of the
/// backend module.
macro_rules! ported {
    ($backend:ident) => {
        /// Declared entries on this backend (store/declared_entries.rs).
        pub(in crate::server::store) mod declared_entries {
            use std::collections::HashMap;
            use std::str::FromStr;

            use chrono::NaiveDate;
            use sqlx::Row as _;

            use super::{$backend as Backend, DbConn, person_of};
            use crate::domain::DeclarantKind;
            use crate::domain::declaration::Declaration;
            use crate::domain::expiry::PassportEntry;
            use crate::domain::ids::Nir;
            use crate::domain::training::Catalogue;
            use crate::server::ServerError;
            use crate::server::store::entries::{Viewer, expiry};
            use crate::server::store::{parse_code, supersession};

            /// Recomputes `expires_on` and `superseded` of every live entry of a person, a session's
            /// entry taking the validity dates of the latest live declaration of that session naming
            /// the person (so the Passeport, Échéances and the declaration agree: UX review 2026-12,
            /// finding 23; the session's own dates come back once no such declaration is left): a
            /// newer entry of the same family supersedes the older ones seen by the same viewer (the
            /// employer column, else the organisation's), so one account's record never hides
            /// another's entry.
            pub(in crate::server::store) async fn refresh_person(
                conn: &mut DbConn,
                person: i64,
                catalogue: &Catalogue,
            ) -> Result<(), ServerError> {
                let sql = format!(
                    "SELECT e.id, e.training_code, e.end_date, \
                     COALESCE({}, e.validity_start) AS validity_start, \
                     COALESCE({}, e.validity_end) AS validity_end, \
                     e.employer_account_id, e.session_account_id FROM passport_entries e \
                     LEFT JOIN declarations v ON v.id = (SELECT d.id FROM declarations d \
                       JOIN declaration_titulaires dt ON dt.declaration_id = d.id \
                       JOIN persons p ON p.nir = dt.nir \
                       WHERE e.source = 'session' AND d.session_id = e.session_id \
                       AND p.id = e.person_id AND dt.removed = FALSE \
                       ORDER BY d.id DESC LIMIT 1) \
                     WHERE e.person_id = $1 AND e.removed_at IS NULL \
                     AND e.training_code IS NOT NULL",
                    Backend::json_date("v.body", "date_debut_validite"),
                    Backend::json_date("v.body", "date_fin_validite"),
                );
                let rows = sqlx::query(&sql)
                .bind(person)
                .fetch_all(&mut *conn)
                .await?;
                let mut groups: HashMap<Viewer, Vec<(i64, PassportEntry)>> = HashMap::new();
                for row in &rows {
                    let employer: Option<i64> = row.try_get("employer_account_id")?;
                    let session: Option<i64> = row.try_get("session_account_id")?;
                    let viewer = match employer {
                        Some(employer) => (Some(employer), None),
                        None => (None, session),
                    };
                    groups.entry(viewer).or_default().push((
                        row.try_get("id")?,
                        PassportEntry {
                            training_code: row.try_get("training_code")?,
                            end_date: row.try_get("end_date")?,
                            validity_start: row.try_get("validity_start")?,
                            validity_end: row.try_get("validity_end")?,
                        },
                    ));
                }
                for group in groups.values() {
                    let entries: Vec<PassportEntry> = group.iter().map(|(_, e)| e.clone()).collect();
                    let superseded = supersession(&entries, catalogue);
                    for ((id, entry), superseded) in group.iter().zip(superseded) {
                        sqlx::query("UPDATE passport_entries SET expires_on = $1, superseded = $2 WHERE id = $3")
                            .bind(expiry(catalogue, entry))
                            .bind(superseded)
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                Ok(())
            }

            /// Writes the passport entry of each titulaire of a recorded declaration (`lines`: the ids of
            /// its `declaration_titulaires` rows, in order), on the person of its NIR. An employer's own
            /// declaration is seen by the employer; an organisation's by the organisation and by the
            /// employer account whose SIRET is the line's SIRET_EMPLOYEUR (else kept for that SIRET until it
            /// has an account). The type is mapped by [`Catalogue::map_declared`]; none is « type non
            /// reconnu », without expiry. A line repeating a live session entry of the same declarant
            /// (same type and end) adds nothing: the session already put it on the passport, and takes
            /// the declared validity dates (its expiry is recomputed).
            pub(in crate::server::store) async fn declare_entries(
                conn: &mut DbConn,
                account_id: i64,
                declaration: &Declaration,
                lines: &[i64],
                recorded_on: NaiveDate,
                catalogue: &Catalogue,
            ) -> Result<(), ServerError> {
                let Some(end) = declaration
                    .date_fin_formation
                    .or_else(|| declaration.reference_date())
                else {
                    return Ok(());
                };
                let kind: String = sqlx::query_scalar("SELECT kind FROM accounts WHERE id = $1")
                    .bind(account_id)
                    .fetch_one(&mut *conn)
                    .await?;
                let kind: DeclarantKind = parse_code("type de compte", &kind)?;
                let training = catalogue.map_declared(
                    declaration.training_code.as_deref(),
                    &declaration.certification_visee,
                    declaration.training_title(),
                );
                let code = training.map(|t| t.code.clone());
                for (titulaire, line) in declaration.titulaires.iter().zip(lines) {
                    let Ok(nir) = Nir::from_str(&titulaire.nir) else {
                        continue;
                    };
                    let person = person_of(conn, nir.as_str()).await?;
                    let siret = titulaire.siret_employeur.trim();
                    let (employer, organisation) = match kind {
                        DeclarantKind::Employeur => (Some(account_id), None),
                        DeclarantKind::OrganismeFormation => {
                            let employer: Option<i64> = sqlx::query_scalar(
                                "SELECT id FROM accounts WHERE siret = $1 AND kind = 'employeur'",
                            )
                            .bind(siret)
                            .fetch_optional(&mut *conn)
                            .await?;
                            (employer, Some(account_id))
                        }
                    };
                    if let Some(code) = &code {
                        let known: Option<i64> = sqlx::query_scalar(
                            "SELECT id FROM passport_entries WHERE person_id = $1 AND source = 'session' \
                             AND source_account_id = $2 AND training_code = $3 AND end_date = $4 \
                             AND removed_at IS NULL",
                        )
                        .bind(person)
                        .bind(account_id)
                        .bind(code)
                        .bind(end)
                        .fetch_optional(&mut *conn)
                        .await?;
                        if known.is_some() {
                            // The session's entry takes the declared validity dates.
                            refresh_person(conn, person, catalogue).await?;
                            continue;
                        }
                    }
                    sqlx::query(
                        "INSERT INTO passport_entries (person_id, training_code, training_title, end_date, \
                         validity_start, validity_end, source, source_account_id, declaration_line_id, \
                         employer_siret, reference, recorded_on, employer_account_id, session_account_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'declared', $7, $8, $9, $10, $11, $12, $13)",
                    )
                    .bind(person)
                    .bind(&code)
                    .bind(declaration.training_title().trim())
                    .bind(end)
                    .bind(declaration.date_debut_validite)
                    .bind(declaration.date_fin_validite)
                    .bind(account_id)
                    .bind(line)
                    .bind(siret)
                    .bind(&declaration.reference_declaration)
                    .bind(recorded_on)
                    .bind(employer)
                    .bind(organisation)
                    .execute(&mut *conn)
                    .await?;
                    refresh_person(conn, person, catalogue).await?;
                }
                Ok(())
            }

            /// Removes the passport entries of a removed declaration line (the platform's correction), and
            /// recomputes its person's other entries: a session entry the line had given its validity
            /// dates takes back those of an earlier declaration, else the session's own.
            pub(in crate::server::store) async fn withdraw_entries(
                conn: &mut DbConn,
                line: i64,
                catalogue: &Catalogue,
            ) -> Result<(), ServerError> {
                let mut people: Vec<i64> = sqlx::query_scalar(
                    "DELETE FROM passport_entries WHERE declaration_line_id = $1 RETURNING person_id",
                )
                .bind(line)
                .fetch_all(&mut *conn)
                .await?;
                let named: Option<i64> = sqlx::query_scalar(
                    "SELECT p.id FROM declaration_titulaires dt JOIN persons p ON p.nir = dt.nir \
                     WHERE dt.id = $1",
                )
                .bind(line)
                .fetch_optional(&mut *conn)
                .await?;
                people.extend(named);
                people.sort_unstable();
                people.dedup();
                for person in people {
                    refresh_person(conn, person, catalogue).await?;
                }
                Ok(())
            }

            impl Backend {
                /// Recomputes the entries of `people` ([`refresh_person`]) in one transaction.
                pub(in crate::server::store) async fn refresh_people(
                    &self,
                    people: &[i64],
                    catalogue: &Catalogue,
                ) -> Result<(), ServerError> {
                    let mut tx = self.begin_write().await?;
                    for person in people {
                        refresh_person(&mut tx, *person, catalogue).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use ported;
