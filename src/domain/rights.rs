//! Users' rights on a team server (issue 17): the three roles and which role each route needs.
//!
//! Assumption (not from a text): the roles are nested, `administration` can do what `saisie`
//! can, and `saisie` what `lecture` can, as in the peer HR tools the issue cites.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::ids::Nir;

/// The role of a user, from the fewest rights to the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads only; NIRs are masked unless the user also has the NIR access.
    Lecture,
    /// Records trainings, sessions, declarations, imports and verifications.
    Saisie,
    /// Manages users, tokens, requirements and settings, and reads the audit trail.
    Administration,
}

impl Role {
    /// Every role, fewest rights first.
    pub const ALL: [Role; 3] = [Role::Lecture, Role::Saisie, Role::Administration];

    /// The role's code, as stored, sent and typed (`lecture`, `saisie`, `administration`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Lecture => "lecture",
            Self::Saisie => "saisie",
            Self::Administration => "administration",
        }
    }

    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A role code that is none of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rôle inconnu « {0} » : lecture, saisie ou administration")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == text.trim())
            .ok_or_else(|| UnknownRole(text.trim().to_owned()))
    }
}

/// Path prefixes of the administration routes (users, tokens, audit trail, settings), every
/// method included.
const ADMINISTRATION_PATHS: [&str; 4] = ["/v1/users", "/v1/tokens", "/v1/audit", "/v1/settings"];

/// Path prefixes that every role reads but only `administration` writes: the requirements
/// per poste, which the compliance matrix of every user reads (issue 19 §1).
const ADMINISTRATION_WRITES: [&str; 1] = ["/v1/requirements"];

/// Writes by method that change nothing: they only check what they are sent.
const CHECKS_ONLY: [&str; 1] = ["/v1/declarations/validate"];

/// The role a route needs, from its method and its path template (`/v1/workers/{id}`): reads
/// need `lecture`, writes `saisie`, and the administration routes `administration`. Every
/// route falls in one class, so a new route cannot be left unchecked.
pub fn needed_role(method: &str, path: &str) -> Role {
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    if ADMINISTRATION_PATHS.iter().any(|prefix| under(prefix)) {
        return Role::Administration;
    }
    let read = ["GET", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m));
    if !read && ADMINISTRATION_WRITES.iter().any(|prefix| under(prefix)) {
        return Role::Administration;
    }
    if read || CHECKS_ONLY.contains(&path) {
        Role::Lecture
    } else {
        Role::Saisie
    }
}

/// Whether a JSON key names a NIR (`nir`, `NIR`, `titulaire_nir`…).
fn is_nir_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "nir" || key.ends_with("_nir")
}

/// A NIR as a `lecture` user or the audit trail shows it: sex, year and month visible, the
/// rest as bullets; text that is no NIR is bulleted whole.
pub fn mask_nir(text: &str) -> String {
    text.parse::<Nir>()
        .map_or_else(|_| "•".repeat(text.chars().count()), |nir| nir.masked())
}

/// Masks, in place, every string under a NIR key of `value`, at any depth.
pub fn mask_nirs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                match inner {
                    Value::String(text) if is_nir_key(key) => *text = mask_nir(text),
                    _ => mask_nirs(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_nirs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nirs_are_masked_at_any_depth() {
        let mut value = serde_json::json!({
            "items": [{"nir": "185037511234594", "last_name": "DUPONT"}],
            "NIR": "pas un nir",
            "count": 1
        });
        mask_nirs(&mut value);
        assert_eq!(value["items"][0]["nir"], "1 85 03 •• ••• ••• ••");
        assert_eq!(value["items"][0]["last_name"], "DUPONT");
        assert_eq!(value["NIR"], "••••••••••");
        assert_eq!(value["count"], 1);
    }

    #[test]
    fn roles_are_nested() {
        assert!(Role::Administration.allows(Role::Saisie));
        assert!(Role::Saisie.allows(Role::Lecture));
        assert!(!Role::Lecture.allows(Role::Saisie));
        assert!(!Role::Saisie.allows(Role::Administration));
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn routes_fall_in_their_class() {
        assert_eq!(needed_role("GET", "/v1/workers/{id}"), Role::Lecture);
        assert_eq!(
            needed_role("POST", "/v1/declarations/validate"),
            Role::Lecture
        );
        assert_eq!(needed_role("POST", "/v1/declarations"), Role::Saisie);
        assert_eq!(
            needed_role("DELETE", "/v1/sessions/{id}/trainees/{worker_id}"),
            Role::Saisie
        );
        assert_eq!(needed_role("GET", "/v1/audit"), Role::Administration);
        assert_eq!(needed_role("GET", "/v1/users/{id}"), Role::Administration);
        assert_eq!(needed_role("GET", "/v1/usersettings"), Role::Lecture);
        assert_eq!(needed_role("GET", "/v1/requirements"), Role::Lecture);
        assert_eq!(needed_role("PUT", "/v1/requirements"), Role::Administration);
    }
}
