//! `d` on an opened session: the declaration form at once, pre-filled from the session — its
//! training, dates and the trainees it names. A declaration has one kind, so the form takes the
//! justificatifs de réussite first (those who passed, when the type issues one), then, on a
//! second `d` once they are declared, the attestations de formation (attended or failed);
//! absent trainees, and those without a result, are left out and counted in the form's notice.
//!
//! `D` on a training « non déclarée par l'organisme » (« À vérifier », art. 7-II): the form of
//! the employer's declaration in the organisation's place, pre-filled from the training.

use chrono::NaiveDate;

use super::{SimulatorScreen, issued_kind};
use crate::api::contract::{SessionDetail, UndeclaredTraining};
use crate::domain::session::TraineeOutcome;
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::simulator::Prefill;
use crate::tui::form::{Field, Form, fields};
use crate::tui::remote::Remote;
use crate::tui::widgets::sanitize;

/// Which trainees of a session one declaration takes, and who is left for later or out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    /// The kind of the declaration to open now.
    pub kind: DeclarationKind,
    /// Trainees not declared yet named by another kind (declared after this one).
    pub later: usize,
    /// Absent trainees, never declared.
    pub absent: usize,
    /// Trainees without a result yet.
    pub pending: usize,
}

impl SessionPlan {
    /// The plan for the trainees of `session` not declared yet, for a type whose success gives
    /// `issued`: a justificatif first when someone passed a type that issues one.
    pub fn of(session: &SessionDetail, issued: DeclarationKind) -> Self {
        let open = || session.trainees.iter().filter(|t| !t.declared);
        let kinds: Vec<DeclarationKind> = open()
            .filter_map(|t| t.outcome.declared_as(issued))
            .collect();
        let kind = if kinds.contains(&DeclarationKind::Justificatif) {
            DeclarationKind::Justificatif
        } else {
            DeclarationKind::Attestation
        };
        let count = |outcome: TraineeOutcome| open().filter(|t| t.outcome == outcome).count();
        Self {
            kind,
            later: kinds.iter().filter(|k| **k != kind).count(),
            absent: count(TraineeOutcome::Absent),
            pending: count(TraineeOutcome::Pending),
        }
    }

    /// What the form's notice adds after the titulaires taken: « 1 absent non repris »…
    pub fn left_out(&self) -> Vec<String> {
        let plural = |n: usize| if n > 1 { "s" } else { "" };
        let mut parts = Vec::new();
        if self.later > 0 {
            parts.push(format!(
                "{} en attestation de formation : d sur la session une fois celle-ci déclarée",
                self.later
            ));
        }
        if self.absent > 0 {
            let s = plural(self.absent);
            parts.push(format!("{} absent{s} non repris", self.absent));
        }
        if self.pending > 0 {
            let s = plural(self.pending);
            parts.push(format!("{} sans résultat non repris{s}", self.pending));
        }
        parts
    }
}

impl SimulatorScreen {
    /// Opens the declaration form of `session` (see the module's doc), the questions skipped:
    /// who declares is the account's answer (else `fallback`), the reference date the session's
    /// end — a justificatif's validity starting then \[I\], as the form assumes for an attestation.
    pub fn declare_session(
        &mut self,
        session: &SessionDetail,
        fallback: DeclarantKind,
        today: NaiveDate,
    ) {
        let declarant = self.walk.known().declarant.unwrap_or(fallback);
        self.restart();
        let issued = issued_kind(session, &self.catalogue);
        let plan = SessionPlan::of(session, issued);
        let end = session.summary.end_date;
        let prefill = Prefill {
            declarant,
            kind: plan.kind,
            date_fin_formation: Some(end),
            date_debut_validite: Some(end),
            formation_certifiante: None,
        };
        let due = self.walk.deadlines().due_date(declarant, end);
        let mut form = Form::from_prefill(&prefill, due, Some(session.summary.id), today);
        let added = form.apply_session(session, issued);
        let s = if added > 1 { "s" } else { "" };
        let kind = match plan.kind {
            DeclarationKind::Justificatif => "Justificatif de réussite",
            DeclarationKind::Attestation => "Attestation de formation",
        };
        let mut notice = vec![format!(
            "{kind} : {added} titulaire{s} repris de la session « {} »",
            session.summary.title
        )];
        notice.extend(plan.left_out());
        form.notice = Some(notice.join(" · "));
        self.from_session = Some(session.summary.id);
        self.session = Remote::ready(session.clone());
        self.form = Some(form);
        self.form_open = true;
    }
}

impl SimulatorScreen {
    /// Opens the form of the employer's declaration of `item` in the organisation's place (art.
    /// 7-II), the questions skipped: the kind the catalogue gives the type (an attestation for
    /// an unknown type) \[I\], the title, the dates the record or session holds (a justificatif's
    /// validity starting at the end when the record gives none, as for a session \[I\]), the
    /// worker as titulaire with the establishment's SIRET, and the employer's own deadline. The
    /// notice names the organisation and what is left to type (the codes no catalogue gives).
    pub fn declare_undeclared(&mut self, item: &UndeclaredTraining, today: NaiveDate) {
        self.restart();
        let training = item
            .training_code
            .as_deref()
            .and_then(|code| self.catalogue.get(code));
        let kind = training.map_or(DeclarationKind::Attestation, |t| t.declaration_kind);
        let prefill = Prefill {
            declarant: DeclarantKind::Employeur,
            kind,
            date_fin_formation: Some(item.end_date),
            date_debut_validite: item.validity_start.or(Some(item.end_date)),
            formation_certifiante: None,
        };
        let mut form = Form::from_prefill(&prefill, item.employer_due, item.session_id, today);
        let title = item.training_title.trim().to_owned();
        form.set_text(Field::NomFormation, None, title.clone());
        if kind == DeclarationKind::Justificatif {
            form.set_text(Field::NomJdr, None, title);
        }
        if let Some(start) = item.start_date {
            form.set_text(Field::DateDebutFormation, None, fields::format_date(start));
        }
        if let Some(end) = item.validity_end {
            form.set_text(Field::DateFinValidite, None, fields::format_date(end));
        }
        let siret = (!item.employer_siret.trim().is_empty()).then_some(item.employer_siret.trim());
        form.add_titulaire(&item.nir, &item.last_name, siret);
        let due = item.employer_due.map_or_else(String::new, |day| {
            format!(
                ", d'ici le {}{}",
                day.format("%d/%m/%Y"),
                if item.rule_assumed {
                    ", à confirmer"
                } else {
                    ""
                }
            )
        });
        let left = if item.start_date.is_some() {
            "codes à compléter"
        } else {
            "codes et date de début à compléter"
        };
        form.notice = Some(format!(
            "À la place de {} (art. 7-II{due}) : {} repris ; {left}",
            sanitize(&item.organisme),
            sanitize(&item.worker_name)
        ));
        self.form = Some(form);
        self.form_open = true;
    }
}
