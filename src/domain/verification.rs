//! The employer's check of a training organisation's declaration line (décret 2022-1712 art. 7-I,
//! LEGIARTI000052037481 [C]): within a window after the reference quarter the employer may ask
//! the organisation to correct or complete it; unchecked, the line is *réputée vérifiée*.
//!
//! The window is the `[[verification]]` rule of `assets/deadlines.toml`. How the platform shows
//! this is published nowhere (shared/domain.md §9): the statuses below, the « corrigée » state of
//! an answered request and what closes it are our assumption [I].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deadline::DeadlineRules;
use super::training::Confidence;

/// Longest correction message, in characters (issue 16).
pub const MAX_MESSAGE: usize = 1000;

/// Where a titulaire line stands for the employer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Within the window, not checked yet.
    AVerifier,
    /// Checked by the employer.
    Verifiee,
    /// The employer asked the organisation to correct it; not answered yet.
    CorrectionDemandee,
    /// The organisation answered a request (titulaire removed, or declared again) [I].
    Corrigee,
    /// The window closed without a check (art. 7-I).
    ReputeeVerifiee,
}

impl VerificationStatus {
    /// Every status, in the order of the screens' filter.
    pub const ALL: [Self; 5] = [
        Self::AVerifier,
        Self::CorrectionDemandee,
        Self::Verifiee,
        Self::Corrigee,
        Self::ReputeeVerifiee,
    ];

    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::AVerifier => "à vérifier",
            Self::Verifiee => "vérifiée",
            Self::CorrectionDemandee => "correction demandée",
            Self::Corrigee => "corrigée",
            Self::ReputeeVerifiee => "réputée vérifiée",
        }
    }

    /// The code of the API and the commands (`a_verifier`…).
    pub fn code(self) -> &'static str {
        match self {
            Self::AVerifier => "a_verifier",
            Self::Verifiee => "verifiee",
            Self::CorrectionDemandee => "correction_demandee",
            Self::Corrigee => "corrigee",
            Self::ReputeeVerifiee => "reputee_verifiee",
        }
    }
}

/// How an organisation answered a correction request: the platform's only corrections
/// (shared/domain.md §4 [C]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The titulaire was removed from the declaration (or the declaration deleted).
    TitulaireRetire,
    /// The organisation declared the same person again after the request [I].
    DeclareeANouveau,
}

impl Resolution {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::TitulaireRetire => "titulaire retiré par l'organisme",
            Self::DeclareeANouveau => "déclarée à nouveau par l'organisme",
        }
    }
}

/// What the employer did with a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Checked on `on`.
    Verified {
        /// Day of the check.
        on: NaiveDate,
    },
    /// Correction asked on `on`; `closed` once the organisation answered.
    CorrectionRequested {
        /// Day of the request.
        on: NaiveDate,
        /// How it was answered, if it was.
        closed: Option<Resolution>,
    },
}

/// The window of a line: the last day the employer may ask for a correction, and its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Last day of the window; the line is deemed verified the day after.
    pub last_day: NaiveDate,
    /// URL of the rule's source.
    pub source: String,
    /// The rule's remark (what is to confirm).
    pub note: Option<String>,
    /// How firmly the rule rests on its source.
    pub confidence: Confidence,
}

impl Window {
    /// The window of a line of reference date `reference` (training end for an attestation,
    /// validity start for a justificatif); `None` when no rule covers it (trainings ended before
    /// 1 September 2025, when declaring was optional).
    pub fn of(rules: &DeadlineRules, reference: NaiveDate) -> Option<Self> {
        let rule = rules.verification_rule(reference)?;
        Some(Self {
            last_day: rule.due_date(reference)?,
            source: rule.source.clone(),
            note: rule.note.clone(),
            confidence: rule.confidence,
        })
    }

    /// The day the line is deemed verified when nobody checked it.
    pub fn deemed_verified_on(&self) -> Option<NaiveDate> {
        self.last_day.succ_opt()
    }

    /// Whether the rule is an assumption to confirm: not an official text, or noted « à
    /// confirmer » in the data.
    pub fn assumed(&self) -> bool {
        self.confidence != Confidence::Official
            || self
                .note
                .as_deref()
                .is_some_and(|note| note.to_lowercase().contains("à confirmer"))
    }
}

/// The status of a line on `today`.
pub fn status(
    window: Option<&Window>,
    decision: Option<&Decision>,
    today: NaiveDate,
) -> VerificationStatus {
    match decision {
        Some(Decision::CorrectionRequested {
            closed: Some(_), ..
        }) => VerificationStatus::Corrigee,
        Some(Decision::CorrectionRequested { closed: None, .. }) => {
            VerificationStatus::CorrectionDemandee
        }
        Some(Decision::Verified { .. }) => VerificationStatus::Verifiee,
        None => match window {
            Some(window) if today <= window.last_day => VerificationStatus::AVerifier,
            _ => VerificationStatus::ReputeeVerifiee,
        },
    }
}

/// What the employer asks of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST …/verify`.
    Verify,
    /// `POST …/request-correction`.
    RequestCorrection,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The window closed (or none applies).
    #[error("{}", window_closed(*.0))]
    WindowClosed(Option<NaiveDate>),
    /// A request is open: the organisation must answer it first.
    #[error(
        "une correction a été demandée le {} : l'organisme doit y répondre (retirer le titulaire \
         ou déclarer à nouveau)",
        french(*.0)
    )]
    RequestOpen(NaiveDate),
    /// The organisation already answered a request on this line.
    #[error("l'organisme a déjà répondu à la demande de correction de cette ligne")]
    Answered,
}

/// The text of [`Refusal::WindowClosed`].
fn window_closed(last_day: Option<NaiveDate>) -> String {
    match last_day {
        Some(day) => format!(
            "le délai de vérification s'est terminé le {} : la déclaration est réputée vérifiée \
             (décret 2022-1712 art. 7-I)",
            french(day)
        ),
        None => "aucun délai de vérification ne s'applique à cette formation (terminée avant le \
                 1er septembre 2025) : elle est réputée vérifiée"
            .to_owned(),
    }
}

/// A date as French users read it.
fn french(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Whether `action` may be done on a line of status `current`: `Ok(true)` writes,
/// `Ok(false)` changes nothing (verifying a verified line).
pub fn allowed(
    action: Action,
    current: VerificationStatus,
    decision: Option<&Decision>,
    window: Option<&Window>,
    today: NaiveDate,
) -> Result<bool, Refusal> {
    let last_day = window.map(|w| w.last_day);
    let open = last_day.is_some_and(|last| today <= last);
    match (action, current) {
        (_, VerificationStatus::Corrigee) => Err(Refusal::Answered),
        (_, VerificationStatus::CorrectionDemandee) => match decision {
            Some(Decision::CorrectionRequested { on, .. }) => Err(Refusal::RequestOpen(*on)),
            _ => Err(Refusal::Answered),
        },
        (_, VerificationStatus::ReputeeVerifiee) => Err(Refusal::WindowClosed(last_day)),
        (Action::Verify, VerificationStatus::Verifiee) => Ok(false),
        (Action::Verify, VerificationStatus::AVerifier) => Ok(true),
        (
            Action::RequestCorrection,
            VerificationStatus::AVerifier | VerificationStatus::Verifiee,
        ) => {
            if open {
                Ok(true)
            } else {
                Err(Refusal::WindowClosed(last_day))
            }
        }
    }
}

/// Checks a correction message: present, at most [`MAX_MESSAGE`] characters, no control or
/// invisible format character. Returns it trimmed, or the French reason.
pub fn check_message(message: &str) -> Result<String, String> {
    let message = message.trim();
    if message.is_empty() {
        Err("le message à l'organisme est obligatoire : dites ce qu'il doit corriger".to_owned())
    } else if message.chars().count() > MAX_MESSAGE {
        Err(format!("le message : au plus {MAX_MESSAGE} caractères"))
    } else if message.chars().any(char::is_control) {
        Err("le message : caractère de contrôle (tabulation, retour à la ligne) refusé".to_owned())
    } else if let Some((position, c)) = crate::text::first_invisible(message) {
        Err(crate::text::invisible_refusal("message", position, c))
    } else {
        Ok(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn rules() -> DeadlineRules {
        DeadlineRules::embedded().unwrap()
    }

    #[test]
    fn a_line_of_the_transition_is_to_check_until_its_last_day_then_deemed_verified() {
        // Q2 2026 (transition): 6 + 3 months after 30/06/2026 → 31/03/2027.
        let window = Window::of(&rules(), day(2026, 5, 20)).unwrap();
        assert_eq!(window.last_day, day(2027, 3, 31));
        assert_eq!(window.deemed_verified_on(), Some(day(2027, 4, 1)));
        assert!(window.assumed(), "la règle de transition est à confirmer");
        let on = |today| status(Some(&window), None, today);
        assert_eq!(on(day(2026, 6, 1)), VerificationStatus::AVerifier);
        assert_eq!(on(day(2027, 3, 30)), VerificationStatus::AVerifier);
        assert_eq!(on(day(2027, 3, 31)), VerificationStatus::AVerifier);
        assert_eq!(on(day(2027, 4, 1)), VerificationStatus::ReputeeVerifiee);
    }

    #[test]
    fn after_the_transition_the_window_is_six_months() {
        // Q1 2027: 6 months after 31/03/2027 → 30/09/2027.
        let window = Window::of(&rules(), day(2027, 2, 1)).unwrap();
        assert_eq!(window.last_day, day(2027, 9, 30));
        assert_eq!(
            status(Some(&window), None, day(2027, 9, 30)),
            VerificationStatus::AVerifier
        );
        assert_eq!(
            status(Some(&window), None, day(2027, 10, 1)),
            VerificationStatus::ReputeeVerifiee
        );
        // The last day of the transition and the first after it fall under different rules.
        let dec = Window::of(&rules(), day(2026, 12, 31)).unwrap();
        let jan = Window::of(&rules(), day(2027, 1, 1)).unwrap();
        assert_eq!(dec.last_day, day(2027, 9, 30));
        assert_eq!(jan.last_day, day(2027, 9, 30));
        assert_ne!(dec.note, jan.note);
    }

    #[test]
    fn a_training_before_september_2025_has_no_window() {
        assert_eq!(Window::of(&rules(), day(2025, 8, 31)), None);
        assert_eq!(
            status(None, None, day(2025, 9, 1)),
            VerificationStatus::ReputeeVerifiee
        );
        assert_eq!(
            allowed(
                Action::RequestCorrection,
                VerificationStatus::ReputeeVerifiee,
                None,
                None,
                day(2025, 9, 1)
            ),
            Err(Refusal::WindowClosed(None))
        );
    }

    #[test]
    fn decisions_drive_the_status_and_what_may_follow() {
        let window = Window::of(&rules(), day(2026, 5, 20)).unwrap();
        let today = day(2026, 12, 1);
        let verified = Decision::Verified { on: today };
        let asked = Decision::CorrectionRequested {
            on: today,
            closed: None,
        };
        let answered = Decision::CorrectionRequested {
            on: today,
            closed: Some(Resolution::TitulaireRetire),
        };
        let w = Some(&window);
        assert_eq!(
            status(w, Some(&verified), today),
            VerificationStatus::Verifiee
        );
        // A verified line stays verified after the window.
        assert_eq!(
            status(w, Some(&verified), day(2027, 6, 1)),
            VerificationStatus::Verifiee
        );
        assert_eq!(
            status(w, Some(&asked), day(2027, 6, 1)),
            VerificationStatus::CorrectionDemandee
        );
        assert_eq!(
            status(w, Some(&answered), today),
            VerificationStatus::Corrigee
        );
        let verify = |current, decision: Option<&Decision>, on| {
            allowed(Action::Verify, current, decision, w, on)
        };
        let request = |current, decision: Option<&Decision>, on| {
            allowed(Action::RequestCorrection, current, decision, w, on)
        };
        assert_eq!(verify(VerificationStatus::AVerifier, None, today), Ok(true));
        assert_eq!(
            verify(VerificationStatus::Verifiee, Some(&verified), today),
            Ok(false)
        );
        assert_eq!(
            request(VerificationStatus::Verifiee, Some(&verified), today),
            Ok(true)
        );
        assert_eq!(
            request(
                VerificationStatus::Verifiee,
                Some(&verified),
                day(2027, 4, 1)
            ),
            Err(Refusal::WindowClosed(Some(day(2027, 3, 31))))
        );
        assert_eq!(
            request(VerificationStatus::CorrectionDemandee, Some(&asked), today),
            Err(Refusal::RequestOpen(today))
        );
        assert_eq!(
            verify(VerificationStatus::Corrigee, Some(&answered), today),
            Err(Refusal::Answered)
        );
        let closed = Refusal::WindowClosed(Some(day(2027, 3, 31))).to_string();
        assert!(closed.contains("31/03/2027") && closed.contains("réputée vérifiée"));
    }

    #[test]
    fn a_message_is_required_short_and_without_control_characters() {
        assert_eq!(check_message("  NIR erroné  ").as_deref(), Ok("NIR erroné"));
        assert!(check_message("   ").unwrap_err().contains("obligatoire"));
        assert!(check_message(&"é".repeat(1000)).is_ok());
        assert!(
            check_message(&"é".repeat(1001))
                .unwrap_err()
                .contains("1000")
        );
        assert!(check_message("a\tb").unwrap_err().contains("contrôle"));
    }
}
