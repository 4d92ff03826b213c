//! Recherche, Ctrl-N: a new worker of the employer account (`POST /v1/workers`). The form takes
//! the screen until it is saved or cancelled; on success the new worker's Passeport opens and the
//! roster reloads; a 409 names the worker who already holds the NIR or matricule, whom Ctrl-O
//! opens (the form stays, as typed, for when the user comes back).

use super::SearchScreen;
use crate::api::ApiError;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::screens::{Cx, Navigate, Screen};
use crate::tui::staff::worker::{new_form, new_worker};
use crate::tui::staff::{FormOutcome, FormState};

/// Why a training organisation gets no form.
pub const NOT_AN_EMPLOYER: &str = "Seul un compte employeur enregistre des salariés : un \
    organisme de formation connaît les stagiaires de ses sessions et de ses déclarations.";

/// Said while the account is not known yet.
const ACCOUNT_UNKNOWN: &str = "Compte en cours de lecture : réessayez dans un instant.";

impl SearchScreen {
    /// Ctrl-N: opens the form (again as left, if it was left for another screen), or says why not.
    pub(super) fn open_new_worker(&mut self, cx: &mut Cx<'_>) {
        match self.employer {
            Some(true) => {
                if self.create.is_none() {
                    self.create = Some(new_form());
                }
            }
            Some(false) => cx.notice = Some(NOT_AN_EMPLOYER.to_owned()),
            None => cx.notice = Some(ACCOUNT_UNKNOWN.to_owned()),
        }
    }

    /// A key while the form is open; false when it is not for the form.
    pub(super) fn create_key(&mut self, key: &crossterm::event::KeyEvent, cx: &mut Cx<'_>) -> bool {
        let Some(form) = &mut self.create else {
            return false;
        };
        match form.on_key(key) {
            FormOutcome::Ignored => false,
            FormOutcome::Handled => true,
            FormOutcome::Cancel => {
                self.create = None;
                true
            }
            FormOutcome::Submit => {
                let id = cx.request(Request::CreateWorker {
                    worker: Box::new(new_worker(form)),
                    key: form.idempotency_key.clone(),
                });
                form.state = FormState::Sending(id);
                true
            }
            FormOutcome::OpenWorker(worker) => {
                cx.navigate = Some(Navigate::Worker(worker));
                true
            }
        }
    }

    /// The answer of the creation; hands back any other answer.
    pub(super) fn create_response(
        &mut self,
        id: RequestId,
        result: Result<Response, ApiError>,
        cx: &mut Cx<'_>,
    ) -> Option<Result<Response, ApiError>> {
        let Some(form) = self
            .create
            .as_mut()
            .filter(|f| f.state == FormState::Sending(id))
        else {
            return Some(result);
        };
        match result {
            Ok(Response::Staff(record)) => {
                self.create = None;
                cx.notice = Some(format!(
                    "Salarié {} enregistré.",
                    record.worker.display_name()
                ));
                cx.navigate = Some(Navigate::Worker(record.worker.id));
                self.focused = false;
                self.refresh(cx);
            }
            Ok(_) => form.failed(&unexpected()),
            Err(error) => form.failed(&error),
        }
        None
    }
}
