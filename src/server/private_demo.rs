//! A demo database kept private to one user (security review M5): the embedded sandbox of the
//! full-screen application and of the commands listens on loopback, where any local user could
//! sign in with the public `demo-employeur`. Each demo sign-in there is given a random token
//! instead, and its public token is revoked; the database stays a demo one (`SANDBOX`).

use std::collections::BTreeMap;

use chrono::Utc;

use super::store::users::NewToken;
use super::{DEMO_ROLE_USERS, DEMO_TOKENS, Server, ServerError, auth, demo, refused};
use crate::domain::ids::Siret;

/// A sign-in of the demonstration data: its public token and the user it signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// The public token (`demo-employeur`, `demo-lecture`…), the name users know it by.
    pub public: &'static str,
    /// SIRET of its account.
    pub siret: Siret,
    /// E-mail of its user; `None` for the account's « administration » user.
    pub email: Option<&'static str>,
}

/// Every sign-in of the demonstration data: the three accounts ([`DEMO_TOKENS`]), then the
/// [`DEMO_ROLE_USERS`] of the first employer.
pub fn demo_logins() -> Vec<DemoLogin> {
    let accounts = demo::accounts();
    let mut logins: Vec<DemoLogin> = accounts
        .iter()
        .zip(DEMO_TOKENS)
        .map(|(account, public)| DemoLogin {
            public,
            siret: account.siret.clone(),
            email: None,
        })
        .collect();
    if let Some(employer) = accounts.first() {
        logins.extend(
            DEMO_ROLE_USERS
                .iter()
                .map(|(public, _, email, _)| DemoLogin {
                    public,
                    siret: employer.siret.clone(),
                    email: Some(email),
                }),
        );
    }
    logins
}

impl Server {
    /// Makes this demo database private: each demo sign-in named in `tokens` (public token →
    /// its private token) accepts that token (stored hashed, unless it is already live), and
    /// every public demo token is revoked, with its audit entry. Run again with the same
    /// tokens, it changes nothing; how many public tokens were still live.
    pub async fn privatise_demo(
        &self,
        tokens: &BTreeMap<String, String>,
    ) -> Result<u64, ServerError> {
        let store = self.state.store();
        let logins = demo_logins();
        for login in &logins {
            let Some(token) = tokens.get(login.public) else {
                continue;
            };
            let hash = auth::hash_token(token);
            if store.caller_by_token(&hash, Utc::now()).await?.is_some() {
                continue;
            }
            let new = NewToken {
                hash,
                prefix: token.chars().take(auth::PREFIX_LEN).collect(),
                expires_at: None,
            };
            store
                .add_user_token(&login.siret, login.email, &new)
                .await?
                .map_err(|refusal| {
                    refused(
                        refusal,
                        login.siret.as_str(),
                        login.email.unwrap_or_default(),
                        "",
                    )
                })?;
        }
        let public: Vec<String> = logins
            .iter()
            .map(|login| auth::hash_token(login.public))
            .collect();
        store.retire_demo_tokens(&public, false).await
    }
}
