//! Users and their tokens (issue 17), on both backends: [`users_ported`] expands in
//! `store/sqlite.rs` and `store/postgres.rs` like [`super::shared::ported`], with `$N`
//! placeholders. A token is accepted only while it is neither revoked nor expired and its user
//! is not disabled.

use chrono::{DateTime, Utc};

use crate::domain::rights::Role;

/// E-mail of the « administration » user that adopts the tokens made before users existed
/// (and those made by `token create` without `--user`).
pub const ADMINISTRATION_EMAIL: &str = "administration";
/// Name of that user.
pub const ADMINISTRATION_NAME: &str = "Administration";
/// How stale `last_used_at` may get before a request refreshes it (one write per token per
/// period, not one per request).
pub const LAST_USED_PERIOD: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// What a user may do, carried by the caller's [`super::AccountRow`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccess {
    /// Database identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail, unique in the account.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether a `lecture` user reads NIRs unmasked.
    pub nir_access: bool,
    /// The sites whose workers the user sees and changes; `None` for every site.
    pub sites: Option<Vec<String>>,
}

/// A user as `user list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Rights.
    pub access: UserAccess,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When it was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// NIR access of a `lecture` user.
    pub nir_access: bool,
    /// Sites it is limited to (`None`: every site).
    pub sites: Option<Vec<String>>,
}

/// A token as `token list` shows it: never the token, only its first characters and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// Its first characters (`#` and the start of its hash for a token made before users).
    pub prefix: String,
    /// Its user's e-mail.
    pub user_email: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last request made with it (to within [`LAST_USED_PERIOD`]).
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// SHA-256 hex digest of the token.
    pub hash: String,
    /// Its first characters.
    pub prefix: String,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a user or token write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRefusal {
    /// No account has this SIRET.
    NoAccount,
    /// The account has no user with this e-mail.
    NoUser,
    /// The account already has a user with this e-mail.
    UserExists,
    /// The user is disabled: it gets no new token.
    Disabled,
    /// No live token starts with this prefix.
    NoToken,
    /// Several live tokens start with this prefix.
    AmbiguousPrefix(u64),
}

/// Encodes a sites restriction as stored (a JSON array, NULL for every site).
pub(super) fn sites_text(sites: Option<&[String]>) -> Option<String> {
    sites.map(|sites| serde_json::Value::from(sites.to_vec()).to_string())
}

/// Decodes a stored sites restriction.
pub(super) fn parse_sites(
    text: Option<&str>,
) -> Result<Option<Vec<String>>, crate::server::ServerError> {
    text.map(|text| {
        serde_json::from_str(text).map_err(|e| crate::server::ServerError::Corrupt {
            what: "sites d'un utilisateur".to_owned(),
            detail: e.to_string(),
        })
    })
    .transpose()
}

/// The user and token calls of `$backend`.
macro_rules! users_ported {
    ($backend:ident) => {
        mod users_calls {
            use chrono::{DateTime, Utc};
            use sqlx::Row as _;

            use super::{$backend, DbConn, DbRow, append_audit};
            use crate::domain::rights::Role;
            use crate::server::ServerError;
            use crate::server::store::users::{
                ADMINISTRATION_EMAIL, ADMINISTRATION_NAME, LAST_USED_PERIOD, NewToken, NewUser,
                TokenRow, UserAccess, UserRefusal, UserRow, parse_sites, sites_text,
            };
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::{AccountRow, META_DEMO, parse_code};

            /// A user as its audit entries show it.
            fn user_json(new: &NewUser) -> serde_json::Value {
                serde_json::json!({
                    "name": new.name,
                    "email": new.email,
                    "role": new.role.code(),
                    "nir_access": new.nir_access,
                    "sites": new.sites,
                })
            }

            /// The columns of a user selected as `u`.
            const USER_COLUMNS: &str = "u.id AS user_id, u.name AS user_name, u.email, u.role, \
                 u.nir_access, u.sites, u.created_at AS user_created, u.disabled_at";

            /// Decodes a user selected with [`USER_COLUMNS`].
            fn access_from_row(row: &DbRow) -> Result<UserAccess, ServerError> {
                let role: String = row.try_get("role")?;
                let sites: Option<String> = row.try_get("sites")?;
                Ok(UserAccess {
                    id: row.try_get("user_id")?,
                    name: row.try_get("user_name")?,
                    email: row.try_get("email")?,
                    role: role.parse::<Role>().map_err(|e| ServerError::Corrupt {
                        what: "rôle".to_owned(),
                        detail: e.to_string(),
                    })?,
                    nir_access: row.try_get("nir_access")?,
                    sites: parse_sites(sites.as_deref())?,
                })
            }

            /// The account with this SIRET.
            async fn account_id(conn: &mut DbConn, siret: &str) -> Result<Option<i64>, ServerError> {
                Ok(sqlx::query_scalar("SELECT id FROM accounts WHERE siret = $1")
                    .bind(siret)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            /// Inserts a user; `None` when the account already has its e-mail.
            async fn insert_user(
                conn: &mut DbConn,
                account: i64,
                new: &NewUser,
            ) -> Result<Option<i64>, ServerError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO users (account_id, name, email, role, nir_access, sites, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (account_id, email) DO NOTHING RETURNING id",
                )
                .bind(account)
                .bind(&new.name)
                .bind(&new.email)
                .bind(new.role.code())
                .bind(new.nir_access)
                .bind(sites_text(new.sites.as_deref()))
                .bind(Utc::now())
                .fetch_optional(&mut *conn)
                .await?)
            }

            /// The « administration » user of the account, created when missing.
            async fn administration_user(
                conn: &mut DbConn,
                account: i64,
            ) -> Result<i64, ServerError> {
                let new = NewUser {
                    name: ADMINISTRATION_NAME.to_owned(),
                    email: ADMINISTRATION_EMAIL.to_owned(),
                    role: Role::Administration,
                    nir_access: true,
                    sites: None,
                };
                insert_user(conn, account, &new).await?;
                Ok(sqlx::query_scalar(
                    "SELECT id FROM users WHERE account_id = $1 AND email = $2",
                )
                .bind(account)
                .bind(ADMINISTRATION_EMAIL)
                .fetch_one(&mut *conn)
                .await?)
            }

            impl $backend {
                /// See [`crate::server::store::Store::adopt_tokens`].
                pub(in crate::server::store) async fn adopt_tokens(&self) -> Result<u64, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let accounts: Vec<i64> = sqlx::query_scalar(
                        "SELECT DISTINCT account_id FROM tokens WHERE user_id IS NULL \
                         ORDER BY account_id",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut adopted = 0;
                    for account in accounts {
                        let user = administration_user(&mut tx, account).await?;
                        adopted += sqlx::query(
                            "UPDATE tokens SET user_id = $1, \
                             prefix = COALESCE(prefix, '#' || substr(hash, 1, 8)) \
                             WHERE account_id = $2 AND user_id IS NULL",
                        )
                        .bind(user)
                        .bind(account)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                    tx.commit().await?;
                    Ok(adopted)
                }

                /// See [`crate::server::store::Store::create_user`].
                pub(in crate::server::store) async fn create_user(
                    &self,
                    siret: &str,
                    new: &NewUser,
                ) -> Result<Result<i64, UserRefusal>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(account) = account_id(&mut tx, siret).await? else {
                        return Ok(Err(UserRefusal::NoAccount));
                    };
                    let Some(id) = insert_user(&mut tx, account, new).await? else {
                        return Ok(Err(UserRefusal::UserExists));
                    };
                    let event = AuditEvent {
                        action: "création",
                        entity: "utilisateur",
                        entity_id: new.email.clone(),
                        before: None,
                        after: Some(user_json(new)),
                    };
                    append_audit(&mut tx, account, None, event).await?;
                    tx.commit().await?;
                    Ok(Ok(id))
                }

                /// See [`crate::server::store::Store::users`].
                pub(in crate::server::store) async fn users(
                    &self,
                    siret: &str,
                ) -> Result<Option<Vec<UserRow>>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    let Some(account) = account_id(&mut conn, siret).await? else {
                        return Ok(None);
                    };
                    let sql = format!(
                        "SELECT {USER_COLUMNS} FROM users u WHERE u.account_id = $1 ORDER BY u.id"
                    );
                    let rows = sqlx::query(&sql).bind(account).fetch_all(&mut *conn).await?;
                    rows.iter()
                        .map(|row| {
                            Ok(UserRow {
                                access: access_from_row(row)?,
                                created_at: row.try_get("user_created")?,
                                disabled_at: row.try_get("disabled_at")?,
                            })
                        })
                        .collect::<Result<Vec<_>, ServerError>>()
                        .map(Some)
                }

                /// See [`crate::server::store::Store::disable_user`].
                pub(in crate::server::store) async fn disable_user(
                    &self,
                    siret: &str,
                    email: &str,
                ) -> Result<Result<(), UserRefusal>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(account) = account_id(&mut tx, siret).await? else {
                        return Ok(Err(UserRefusal::NoAccount));
                    };
                    let was: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
                        "SELECT disabled_at FROM users WHERE account_id = $1 AND email = $2",
                    )
                    .bind(account)
                    .bind(email)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(was) = was else {
                        return Ok(Err(UserRefusal::NoUser));
                    };
                    if was.is_some() {
                        return Ok(Ok(()));
                    }
                    let now = Utc::now();
                    sqlx::query(
                        "UPDATE users SET disabled_at = $1 WHERE account_id = $2 AND email = $3",
                    )
                    .bind(now)
                    .bind(account)
                    .bind(email)
                    .execute(&mut *tx)
                    .await?;
                    let event = AuditEvent {
                        action: "désactivation",
                        entity: "utilisateur",
                        entity_id: email.to_owned(),
                        before: Some(serde_json::json!({"disabled_at": null})),
                        after: Some(serde_json::json!({"disabled_at": now})),
                    };
                    append_audit(&mut tx, account, None, event).await?;
                    tx.commit().await?;
                    Ok(Ok(()))
                }

                /// See [`crate::server::store::Store::add_user_token`].
                pub(in crate::server::store) async fn add_user_token(
                    &self,
                    siret: &str,
                    email: Option<&str>,
                    token: &NewToken,
                ) -> Result<Result<(), UserRefusal>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let Some(account) = account_id(&mut tx, siret).await? else {
                        return Ok(Err(UserRefusal::NoAccount));
                    };
                    let user = match email {
                        None => administration_user(&mut tx, account).await?,
                        Some(email) => {
                            let row = sqlx::query(
                                "SELECT id, disabled_at FROM users \
                                 WHERE account_id = $1 AND email = $2",
                            )
                            .bind(account)
                            .bind(email)
                            .fetch_optional(&mut *tx)
                            .await?;
                            let Some(row) = row else {
                                return Ok(Err(UserRefusal::NoUser));
                            };
                            let disabled: Option<DateTime<Utc>> = row.try_get("disabled_at")?;
                            if disabled.is_some() {
                                return Ok(Err(UserRefusal::Disabled));
                            }
                            row.try_get("id")?
                        }
                    };
                    sqlx::query(
                        "INSERT INTO tokens (hash, account_id, created_at, user_id, prefix, \
                         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&token.hash)
                    .bind(account)
                    .bind(Utc::now())
                    .bind(user)
                    .bind(&token.prefix)
                    .bind(token.expires_at)
                    .execute(&mut *tx)
                    .await?;
                    let event = AuditEvent {
                        action: "création",
                        entity: "jeton",
                        entity_id: token.prefix.clone(),
                        before: None,
                        after: Some(serde_json::json!({
                            "user": email.unwrap_or(ADMINISTRATION_EMAIL),
                            "expires_at": token.expires_at,
                        })),
                    };
                    append_audit(&mut tx, account, None, event).await?;
                    tx.commit().await?;
                    Ok(Ok(()))
                }

                /// See [`crate::server::store::Store::tokens`].
                pub(in crate::server::store) async fn tokens(
                    &self,
                    siret: &str,
                ) -> Result<Option<Vec<TokenRow>>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    let Some(account) = account_id(&mut conn, siret).await? else {
                        return Ok(None);
                    };
                    let rows = sqlx::query(
                        "SELECT t.prefix, u.email, t.created_at, t.expires_at, t.revoked_at, \
                         t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id \
                         WHERE t.account_id = $1 ORDER BY t.created_at, t.prefix",
                    )
                    .bind(account)
                    .fetch_all(&mut *conn)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(TokenRow {
                                prefix: row.try_get("prefix")?,
                                user_email: row.try_get("email")?,
                                created_at: row.try_get("created_at")?,
                                expires_at: row.try_get("expires_at")?,
                                revoked_at: row.try_get("revoked_at")?,
                                last_used_at: row.try_get("last_used_at")?,
                            })
                        })
                        .collect::<Result<Vec<_>, ServerError>>()
                        .map(Some)
                }

                /// See [`crate::server::store::Store::retire_demo_tokens`].
                pub(in crate::server::store) async fn retire_demo_tokens(
                    &self,
                    hashes: &[String],
                    end_demo: bool,
                ) -> Result<u64, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let mut retired = 0;
                    for hash in hashes {
                        let live = sqlx::query(
                            "UPDATE tokens SET revoked_at = $1 \
                             WHERE hash = $2 AND revoked_at IS NULL RETURNING account_id, prefix",
                        )
                        .bind(Utc::now())
                        .bind(hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some(row) = live else { continue };
                        let event = AuditEvent {
                            action: if end_demo {
                                "révocation (fin du mode démonstration)"
                            } else {
                                "révocation (bac à sable rendu privé)"
                            },
                            entity: "jeton",
                            entity_id: row.try_get("prefix")?,
                            before: Some(serde_json::json!({"revoked": false})),
                            after: Some(serde_json::json!({"revoked": true})),
                        };
                        append_audit(&mut tx, row.try_get("account_id")?, None, event).await?;
                        retired += 1;
                    }
                    if end_demo {
                        sqlx::query("DELETE FROM meta WHERE key = $1")
                            .bind(META_DEMO)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(retired)
                }

                /// See [`crate::server::store::Store::revoke_token`].
                pub(in crate::server::store) async fn revoke_token(
                    &self,
                    prefix: &str,
                ) -> Result<Result<(), UserRefusal>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    let live = sqlx::query(
                        "SELECT account_id, prefix FROM tokens \
                         WHERE substr(prefix, 1, length($1)) = $1 AND revoked_at IS NULL",
                    )
                    .bind(prefix)
                    .fetch_all(&mut *tx)
                    .await?;
                    let (account, full): (i64, String) = match live.as_slice() {
                        [] => return Ok(Err(UserRefusal::NoToken)),
                        [row] => (row.try_get("account_id")?, row.try_get("prefix")?),
                        rows => {
                            let count = u64::try_from(rows.len()).unwrap_or(u64::MAX);
                            return Ok(Err(UserRefusal::AmbiguousPrefix(count)));
                        }
                    };
                    sqlx::query(
                        "UPDATE tokens SET revoked_at = $1 \
                         WHERE substr(prefix, 1, length($2)) = $2 AND revoked_at IS NULL",
                    )
                    .bind(Utc::now())
                    .bind(prefix)
                    .execute(&mut *tx)
                    .await?;
                    let event = AuditEvent {
                        action: "révocation",
                        entity: "jeton",
                        entity_id: full,
                        before: Some(serde_json::json!({"revoked": false})),
                        after: Some(serde_json::json!({"revoked": true})),
                    };
                    append_audit(&mut tx, account, None, event).await?;
                    tx.commit().await?;
                    Ok(Ok(()))
                }

                /// See [`crate::server::store::Store::caller_by_token`].
                pub(in crate::server::store) async fn caller_by_token(
                    &self,
                    hash: &str,
                    now: DateTime<Utc>,
                ) -> Result<Option<AccountRow>, ServerError> {
                    let sql = format!(
                        "SELECT a.id, a.kind, a.siret, a.name, a.nda, t.last_used_at, \
                         {USER_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id \
                         JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1 \
                         AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
                         AND u.disabled_at IS NULL"
                    );
                    let row = sqlx::query(&sql)
                        .bind(hash)
                        .bind(now)
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some(row) = row else {
                        return Ok(None);
                    };
                    let last_used: Option<DateTime<Utc>> = row.try_get("last_used_at")?;
                    if last_used.is_none_or(|at| now - at > LAST_USED_PERIOD) {
                        sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE hash = $2")
                            .bind(now)
                            .bind(hash)
                            .execute(&self.pool)
                            .await?;
                    }
                    let kind: String = row.try_get("kind")?;
                    Ok(Some(AccountRow {
                        id: row.try_get("id")?,
                        kind: parse_code("type de compte", &kind)?,
                        siret: row.try_get("siret")?,
                        name: row.try_get("name")?,
                        nda: row.try_get("nda")?,
                        user: Some(access_from_row(&row)?),
                    }))
                }
            }
        }
    };
}

pub(super) use users_ported;
