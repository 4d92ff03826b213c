//! The checks of a user limited to sites (issue 17 §2) on the routes whose store calls do not
//! see the sites themselves: a worker of another site is a 404, as another account's is; a
//! declaration may name only workers of the user's sites; a write that reaches every worker of
//! the account (an export, the closing of a session with trainees of other sites) is refused.

use super::{internal, visible_worker};
use crate::domain::FieldError;
use crate::domain::declaration::Declaration;
use crate::domain::worker::WorkerId;
use crate::server::AppState;
use crate::server::problem::ApiProblem;
use crate::server::store::AccountRow;

/// A 404 unless a user limited to sites sees worker `id` (anyone else: no check here, the
/// store checks the account).
pub(super) async fn worker_of_sites(
    state: &AppState,
    account: &AccountRow,
    id: WorkerId,
) -> Result<(), ApiProblem> {
    if account.sites().is_some() {
        visible_worker(state, account, id).await?;
    }
    Ok(())
}

/// A 422 on each titulaire of `declaration` that is no worker of the user's sites (a user
/// limited to sites; anyone else passes).
pub(super) async fn titulaires_of_sites(
    state: &AppState,
    account: &AccountRow,
    declaration: &Declaration,
) -> Result<(), ApiProblem> {
    let Some(sites) = account.sites() else {
        return Ok(());
    };
    let nirs: Vec<&str> = declaration
        .titulaires
        .iter()
        .map(|t| t.nir.as_str())
        .collect();
    let visible = state
        .store()
        .visible_nirs(account, &nirs)
        .await
        .map_err(internal)?;
    let errors: Vec<FieldError> = declaration
        .titulaires
        .iter()
        .enumerate()
        .filter(|(_, t)| !visible.contains(t.nir.as_str()))
        .map(|(index, t)| {
            FieldError::new(
                format!("titulaires[{index}].NIR"),
                "outside_sites",
                format!(
                    "{} n'est pas un salarié de vos sites ({}) : vous ne pouvez déclarer que \
                     leurs salariés",
                    t.nom_titulaire.trim(),
                    sites.join(", ")
                ),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiProblem::invalid(errors))
    }
}

/// A 403 for a user limited to sites: `what` reaches the workers of every site.
pub(super) fn every_site(account: &AccountRow, what: &str) -> Result<(), ApiProblem> {
    match account.sites() {
        Some(sites) => Err(ApiProblem::new(
            axum::http::StatusCode::FORBIDDEN,
            "Action non autorisée",
            Some(format!(
                "{what} porte aussi sur des salariés d'autres sites que les vôtres ({}) : \
                 demandez-le à un utilisateur sans limite de site",
                sites.join(", ")
            )),
        )),
        None => Ok(()),
    }
}
