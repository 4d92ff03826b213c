//! The audit trail (issue 17 §3), on both backends: [`audit_ported`] expands in
//! `store/sqlite.rs` and `store/postgres.rs`. A write appends its entry with `append_audit` on
//! its own transaction, so a write that fails leaves none; the API never updates or deletes an
//! entry. NIRs are masked before they are stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::domain::rights::mask_nirs;

/// Who made a write that no user made: the command line on the server's machine.
pub const COMMAND_LINE: &str = "ligne de commande";

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Identifier (increasing: the keyset cursor).
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the user's e-mail, or [`COMMAND_LINE`].
    pub user_email: String,
    /// What was done (`création`, `modification`, `suppression`, `révocation`…).
    pub action: String,
    /// On what kind of thing (`salarié`, `utilisateur`, `jeton`…).
    pub entity: String,
    /// Its identifier.
    pub entity_id: String,
    /// The changed fields before the write (`None` for a creation).
    pub before: Option<Value>,
    /// The changed fields after the write (`None` for a removal).
    pub after: Option<Value>,
}

/// Filters of `GET /v1/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Entries on or after this day (UTC).
    pub since: Option<NaiveDate>,
    /// Entries of this user (e-mail).
    pub user: Option<String>,
    /// Entries on this kind of thing.
    pub entity: Option<String>,
    /// Entries past this identifier (cursor): after it, or before it when newest first.
    pub cursor: Option<i64>,
    /// Newest first.
    pub newest_first: bool,
}

/// A write to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent<'a> {
    /// What was done.
    pub action: &'a str,
    /// On what kind of thing.
    pub entity: &'a str,
    /// Its identifier.
    pub entity_id: String,
    /// The thing before (`None` for a creation), as JSON.
    pub before: Option<Value>,
    /// The thing after (`None` for a removal), as JSON.
    pub after: Option<Value>,
}

/// The fields of `before` and `after` that differ, each side keeping only those, NIRs masked.
/// A side that is not an object is kept whole.
pub fn changed_fields(
    before: Option<Value>,
    after: Option<Value>,
) -> (Option<Value>, Option<Value>) {
    let (mut before, mut after) = match (before, after) {
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            let mut kept_old = Map::new();
            let mut kept_new = Map::new();
            for key in old
                .keys()
                .chain(new.keys().filter(|k| !old.contains_key(*k)))
            {
                let was = old.get(key).cloned().unwrap_or(Value::Null);
                let is = new.get(key).cloned().unwrap_or(Value::Null);
                if was != is {
                    kept_old.insert(key.clone(), was);
                    kept_new.insert(key.clone(), is);
                }
            }
            (Some(Value::Object(kept_old)), Some(Value::Object(kept_new)))
        }
        sides => sides,
    };
    for side in [&mut before, &mut after].into_iter().flatten() {
        mask_nirs(side);
    }
    (before, after)
}

/// The audit calls of `$backend`, and `append_audit` for its writes.
macro_rules! audit_ported {
    ($backend:ident) => {
        /// Appends the audit entry of a write in `account` by `user` (`None`: the command
        /// line) on `conn`, the write's own transaction.
        pub(in crate::server::store) async fn append_audit(
            conn: &mut DbConn,
            account: i64,
            user: Option<&crate::server::store::users::UserAccess>,
            event: crate::server::store::audit::AuditEvent<'_>,
        ) -> Result<(), crate::server::ServerError> {
            let (before, after) =
                crate::server::store::audit::changed_fields(event.before, event.after);
            let (user_id, email) = match user {
                Some(user) => (Some(user.id), user.email.clone()),
                None => (None, crate::server::store::audit::COMMAND_LINE.to_owned()),
            };
            sqlx::query(
                "INSERT INTO audit_entries (account_id, user_id, user_email, at, action, entity, \
                 entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(account)
            .bind(user_id)
            .bind(email)
            .bind(chrono::Utc::now())
            .bind(event.action)
            .bind(event.entity)
            .bind(event.entity_id)
            .bind(before.map(|v| v.to_string()))
            .bind(after.map(|v| v.to_string()))
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        impl $backend {
            /// See [`crate::server::store::Store::audit`].
            pub(in crate::server::store) async fn audit(
                &self,
                account: &crate::server::store::AccountRow,
                filter: &crate::server::store::audit::AuditFilter,
                limit: u32,
            ) -> Result<Vec<crate::server::store::audit::AuditRow>, crate::server::ServerError>
            {
                use sqlx::Row as _;
                let mut builder = sqlx::QueryBuilder::<Db>::new(
                    "SELECT id, at, user_email, action, entity, entity_id, before, after \
                     FROM audit_entries WHERE account_id = ",
                );
                builder.push_bind(account.id);
                if let Some(since) = filter.since {
                    builder
                        .push(" AND at >= ")
                        .push_bind(since.and_time(chrono::NaiveTime::MIN).and_utc());
                }
                if let Some(user) = &filter.user {
                    builder.push(" AND user_email = ").push_bind(user.clone());
                }
                if let Some(entity) = &filter.entity {
                    builder.push(" AND entity = ").push_bind(entity.clone());
                }
                let (past, order) = if filter.newest_first {
                    (" AND id < ", " ORDER BY id DESC LIMIT ")
                } else {
                    (" AND id > ", " ORDER BY id LIMIT ")
                };
                if let Some(cursor) = filter.cursor {
                    builder.push(past).push_bind(cursor);
                }
                builder.push(order).push_bind(i64::from(limit) + 1);
                let rows = builder.build().fetch_all(&self.pool).await?;
                let json = |text: Option<String>| {
                    text.map(|text| {
                        serde_json::from_str(&text).map_err(|e| {
                            crate::server::ServerError::Corrupt {
                                what: "entrée du journal".to_owned(),
                                detail: e.to_string(),
                            }
                        })
                    })
                    .transpose()
                };
                rows.iter()
                    .map(|row| {
                        Ok(crate::server::store::audit::AuditRow {
                            id: row.try_get("id")?,
                            at: row.try_get("at")?,
                            user_email: row.try_get("user_email")?,
                            action: row.try_get("action")?,
                            entity: row.try_get("entity")?,
                            entity_id: row.try_get("entity_id")?,
                            before: json(row.try_get("before")?)?,
                            after: json(row.try_get("after")?)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(super) use audit_ported;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_kept_with_nirs_masked() {
        let before =
            serde_json::json!({"site": "Lyon", "nir": "185037511234594", "job": "cariste"});
        let after =
            serde_json::json!({"site": "Lyon", "nir": "285037511234512", "job": "magasinier"});
        let (before, after) = changed_fields(Some(before), Some(after));
        assert_eq!(
            before,
            Some(serde_json::json!({"nir": "1 85 03 •• ••• ••• ••", "job": "cariste"}))
        );
        assert_eq!(
            after.as_ref().map(|a| a["job"].clone()),
            Some("magasinier".into())
        );
        assert_eq!(after.map(|a| a.get("site").is_none()), Some(true));
    }

    #[test]
    fn a_creation_keeps_the_whole_thing_masked() {
        let (before, after) = changed_fields(
            None,
            Some(serde_json::json!({"nir": "185037511234594", "site": "Lyon"})),
        );
        assert_eq!(before, None);
        assert_eq!(
            after,
            Some(serde_json::json!({"nir": "1 85 03 •• ••• ••• ••", "site": "Lyon"}))
        );
    }
}
