//! The employer's check of training organisations' declaration lines (décret 2022-1712 art. 7-I,
//! issue 16; migration 0006). The SQL is written once in [`calls`], expanded in each backend
//! module as `ported!` is (see the top of store.rs).
//!
//! A line reaches the employer as its passport entry does: through the entry of the line whose
//! SIRET_EMPLOYEUR is the employer's (docs/model.md). A row of `verifications` exists once the
//! employer acted; « à vérifier » and « réputée vérifiée » are computed at read from the window
//! of the rules and today. A correction request closes when the organisation removes the
//! titulaire (or deletes the declaration), or declares the same person again after it [I].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AccountRow, Idempotent, IdempotentRequest, Store, dispatch};
use crate::api::contract::{UndeclaredTraining, VerificationView};
use crate::domain::deadline::DeadlineRules;
use crate::domain::declaration::Declaration;
use crate::domain::training::{Catalogue, Confidence};
use crate::domain::verification::{
    self, Action, Decision, Refusal, Resolution, VerificationStatus, Window,
};
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::server::ServerError;

/// The line as the employer saw it, kept with a decision for when the line is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The organisation's declaration.
    pub declaration_id: i64,
    /// `ID_DECLARATION`.
    pub id_declaration: String,
    /// `REFERENCE_DECLARATION`.
    pub reference: String,
    /// ADF or JDR.
    pub kind: DeclarationKind,
    /// Title.
    pub training_title: String,
    /// `DATE_FIN_FORMATION`.
    pub training_end: Option<NaiveDate>,
    /// `DATE_DEBUT_VALIDITE`.
    pub validity_start: Option<NaiveDate>,
    /// The date that starts the window.
    pub reference_date: Option<NaiveDate>,
    /// `ID_UNIQUE_PARTENAIRE`.
    pub id_unique_partenaire: String,
    /// `NOM_TITULAIRE`.
    pub titulaire: String,
    /// NIR (13 characters).
    pub nir: String,
    /// `SIRET_EMPLOYEUR`.
    pub employer_siret: String,
    /// The organisation's name.
    pub organisme: String,
}

impl Subject {
    /// The subject of line `id_unique_partenaire` of `declaration`, if it still holds it.
    pub(in crate::server::store) fn of(
        declaration_id: i64,
        declaration: &Declaration,
        id_unique_partenaire: &str,
        organisme: String,
    ) -> Option<Self> {
        let titulaire = declaration
            .titulaires
            .iter()
            .find(|t| t.id_unique_partenaire == id_unique_partenaire)?;
        Some(Self {
            declaration_id,
            id_declaration: declaration.id_declaration.clone(),
            reference: declaration.reference_declaration.clone(),
            kind: declaration.kind,
            training_title: declaration.training_title().trim().to_owned(),
            training_end: declaration.date_fin_formation,
            validity_start: declaration.date_debut_validite,
            reference_date: declaration.reference_date(),
            id_unique_partenaire: titulaire.id_unique_partenaire.clone(),
            titulaire: titulaire.nom_titulaire.clone(),
            nir: titulaire.nir.clone(),
            employer_siret: titulaire.siret_employeur.trim().to_owned(),
            organisme,
        })
    }
}

/// The employer's decision on a line, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    /// `verifiee` or `correction_demandee`.
    pub requested: bool,
    /// The message of a request.
    pub message: Option<String>,
    /// Day of the decision.
    pub acted_on: NaiveDate,
}

/// One line with what the employer did, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRecord {
    /// The declaration line.
    pub line_id: i64,
    /// What the employer checks.
    pub subject: Subject,
    /// The employer's decision, if any.
    pub decision: Option<StoredDecision>,
    /// Whether the line is still declared (titulaire not removed, declaration not deleted).
    pub live: bool,
    /// Whether the organisation declared the same person again after the decision.
    pub redeclared: bool,
}

impl LineRecord {
    /// The domain decision, with how a request was answered.
    pub(in crate::server::store) fn decision(&self) -> Option<Decision> {
        let stored = self.decision.as_ref()?;
        Some(if stored.requested {
            let closed = if !self.live {
                Some(Resolution::TitulaireRetire)
            } else if self.redeclared {
                Some(Resolution::DeclareeANouveau)
            } else {
                None
            };
            Decision::CorrectionRequested {
                on: stored.acted_on,
                closed,
            }
        } else {
            Decision::Verified {
                on: stored.acted_on,
            }
        })
    }

    /// The line's window.
    pub(in crate::server::store) fn window(&self, rules: &DeadlineRules) -> Option<Window> {
        self.subject
            .reference_date
            .and_then(|reference| Window::of(rules, reference))
    }

    /// The line as the API shows it on `today`.
    pub fn view(&self, rules: &DeadlineRules, today: NaiveDate) -> VerificationView {
        let window = self.window(rules);
        let decision = self.decision();
        let status = verification::status(window.as_ref(), decision.as_ref(), today);
        let resolution = match decision {
            Some(Decision::CorrectionRequested { closed, .. }) => closed,
            _ => None,
        };
        let subject = self.subject.clone();
        VerificationView {
            line_id: self.line_id,
            declaration_id: subject.declaration_id,
            id_declaration: subject.id_declaration,
            reference: subject.reference,
            kind: subject.kind,
            training_title: subject.training_title,
            training_end: subject.training_end,
            validity_start: subject.validity_start,
            reference_date: subject.reference_date,
            id_unique_partenaire: subject.id_unique_partenaire,
            titulaire: subject.titulaire,
            nir: subject.nir,
            employer_siret: subject.employer_siret,
            organisme: subject.organisme,
            status,
            window_ends: window.as_ref().map(|w| w.last_day),
            deemed_verified_on: window.as_ref().and_then(Window::deemed_verified_on),
            window_source: window.as_ref().map(|w| w.source.clone()),
            window_note: window.as_ref().and_then(|w| w.note.clone()),
            window_assumed: window.as_ref().is_some_and(Window::assumed),
            message: self.decision.as_ref().and_then(|d| d.message.clone()),
            acted_on: self.decision.as_ref().map(|d| d.acted_on),
            resolution,
        }
    }
}

/// Merges the live lines and the decided ones of a viewer: a decided line takes its decision;
/// a decided line no longer live shows only when it was a correction request (its answer).
pub(in crate::server::store) fn merge(
    live: Vec<LineRecord>,
    decided: Vec<LineRecord>,
    employer: bool,
) -> Vec<LineRecord> {
    let mut lines: Vec<LineRecord> = if employer { live } else { Vec::new() };
    for record in decided {
        match lines.iter_mut().find(|l| l.line_id == record.line_id) {
            Some(line) => {
                line.decision = record.decision;
                line.redeclared = record.redeclared;
            }
            None if record.live || record.decision.as_ref().is_some_and(|d| d.requested) => {
                lines.push(record);
            }
            None => {}
        }
    }
    lines
}

/// Art. 7-II: a training the employer recorded at another organisme that no declaration
/// matched, before the deadlines are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeclaredRow {
    /// The employer's entry.
    pub entry_id: i64,
    /// The worker.
    pub worker_id: i64,
    /// NIR.
    pub nir: String,
    /// Birth name.
    pub last_name: String,
    /// First names.
    pub first_names: String,
    /// SIRET of the worker's establishment.
    pub employer_siret: String,
    /// Catalogue code.
    pub training_code: Option<String>,
    /// Title of the record or session, when stored (a record of a catalogue type may leave it
    /// to the catalogue).
    pub training_title: Option<String>,
    /// Session start.
    pub start_date: Option<NaiveDate>,
    /// Training end.
    pub end_date: NaiveDate,
    /// Validity written on the record.
    pub validity_start: Option<NaiveDate>,
    /// End of validity written on the record.
    pub validity_end: Option<NaiveDate>,
    /// The session of the entry.
    pub session_id: Option<i64>,
    /// The organisme named by the record or session.
    pub organisme: String,
}

/// What became of an employer's action on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideOutcome {
    /// The line as it now stands.
    Done(Box<VerificationView>),
    /// Refused in this state (409).
    Refused(Refusal),
    /// No such line for this employer (404).
    NotFound,
}

/// The SQL of the verification calls, written once: `calls!(Backend)` in a backend module
/// (where `Db`, `DbRow`, `DbConn`, `begin_write`, `lookup` and `remember` are that backend's).
macro_rules! calls {
    ($backend:ident) => {
        /// The verification calls of this backend.
        mod verifications {
            use sqlx::Row as _;

            use super::{$backend, DbConn, DbRow, append_audit, lookup, remember};
            use crate::domain::DeclarantKind;
            use crate::domain::deadline::DeadlineRules;
            use crate::domain::verification::{self, Action};
            use crate::server::ServerError;
            use crate::server::store::audit::AuditEvent;
            use crate::server::store::verifications::{
                DecideOutcome, LineRecord, StoredDecision, Subject, UndeclaredRow, merge,
            };
            use crate::server::store::{AccountRow, Idempotent, IdempotentRequest, parse_body};

            /// The live lines of organisations' declarations that name the employer, or line
            /// `only` of them.
            const LIVE_SQL: &str = "SELECT dt.id AS line_id, dt.id_unique_partenaire, \
                 d.id AS declaration_id, d.body, a.name AS organisme \
                 FROM declaration_titulaires dt \
                 JOIN declarations d ON d.id = dt.declaration_id \
                 JOIN accounts a ON a.id = d.account_id \
                 WHERE a.kind = 'organisme_formation' AND dt.removed = FALSE \
                 AND d.status <> 'supprimee' AND ($3 < 0 OR dt.id = $3) \
                 AND EXISTS (SELECT 1 FROM passport_entries e WHERE e.declaration_line_id = dt.id \
                 AND (e.employer_account_id = $1 OR e.employer_siret = $2)) \
                 ORDER BY dt.id";

            /// The decisions on lines, seen by the employer (`$1` in the employer column) or
            /// the organisation (in its column), or on line `only`.
            const DECIDED_SQL: &str = "SELECT v.line_id, v.status, v.message, v.acted_on, \
                 v.subject, (dt.removed = FALSE AND d.status <> 'supprimee') AS live, \
                 (SELECT COUNT(*) FROM declaration_titulaires n WHERE n.account_id = d.account_id \
                 AND n.nir = dt.nir AND n.removed = FALSE AND n.id > v.watermark) AS redeclared \
                 FROM verifications v \
                 JOIN declaration_titulaires dt ON dt.id = v.line_id \
                 JOIN declarations d ON d.id = dt.declaration_id \
                 WHERE (CASE WHEN $2 THEN v.employer_account_id ELSE v.organisation_account_id END) = $1 \
                 AND ($3 < 0 OR v.line_id = $3) ORDER BY v.line_id";

            /// Decodes a live line (`None` when its body no longer holds the titulaire).
            fn live_from_row(row: &DbRow) -> Result<Option<LineRecord>, ServerError> {
                let body: String = row.try_get("body")?;
                let declaration = parse_body(&body)?;
                let key: String = row.try_get("id_unique_partenaire")?;
                let subject = Subject::of(
                    row.try_get("declaration_id")?,
                    &declaration,
                    &key,
                    row.try_get("organisme")?,
                );
                let line_id: i64 = row.try_get("line_id")?;
                Ok(subject.map(|subject| LineRecord {
                    line_id,
                    subject,
                    decision: None,
                    live: true,
                    redeclared: false,
                }))
            }

            /// Decodes a decided line.
            fn decided_from_row(row: &DbRow) -> Result<LineRecord, ServerError> {
                let subject: String = row.try_get("subject")?;
                let subject: Subject =
                    serde_json::from_str(&subject).map_err(|e| ServerError::Corrupt {
                        what: "ligne vérifiée".to_owned(),
                        detail: e.to_string(),
                    })?;
                let status: String = row.try_get("status")?;
                let redeclared: i64 = row.try_get("redeclared")?;
                Ok(LineRecord {
                    line_id: row.try_get("line_id")?,
                    subject,
                    decision: Some(StoredDecision {
                        requested: status == "correction_demandee",
                        message: row.try_get("message")?,
                        acted_on: row.try_get("acted_on")?,
                    }),
                    live: row.try_get("live")?,
                    redeclared: redeclared > 0,
                })
            }

            /// The lines `account` sees (or line `only`), on an open connection.
            async fn lines(
                conn: &mut DbConn,
                account: &AccountRow,
                only: Option<i64>,
            ) -> Result<Vec<LineRecord>, ServerError> {
                let only = only.unwrap_or(-1);
                let employer = account.kind == DeclarantKind::Employeur;
                let mut live = Vec::new();
                if employer {
                    let rows = sqlx::query(LIVE_SQL)
                        .bind(account.id)
                        .bind(&account.siret)
                        .bind(only)
                        .fetch_all(&mut *conn)
                        .await?;
                    for row in &rows {
                        live.extend(live_from_row(row)?);
                    }
                }
                let rows = sqlx::query(DECIDED_SQL)
                    .bind(account.id)
                    .bind(employer)
                    .bind(only)
                    .fetch_all(&mut *conn)
                    .await?;
                let decided = rows
                    .iter()
                    .map(decided_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(merge(live, decided, employer))
            }

            /// The employer's live entries (training records and sessions) naming an organisme
            /// other than itself, of its own workers, that nobody declared: no organisation, nor
            /// the employer in its place, declared the same person with the same type (or title)
            /// and end date, and no live declaration of the employer names the person for the
            /// entry's session (a declared session adds no entry of its own).
            const UNDECLARED_SQL: &str = "SELECT e.id AS entry_id, w.id AS worker_id, w.site, \
                 w.nir, w.last_name, w.first_names, w.employer_siret, e.training_code, \
                 COALESCE(e.training_title, s.title) AS training_title, s.start_date, e.end_date, \
                 e.validity_start, e.validity_end, e.session_id, e.organisme \
                 FROM passport_entries e \
                 JOIN workers w ON w.person_id = e.person_id AND w.employer_account_id = $1 \
                 LEFT JOIN sessions s ON s.id = e.session_id \
                 WHERE e.source_account_id = $1 AND e.source IN ('recorded', 'session') \
                 AND e.removed_at IS NULL AND e.organisme IS NOT NULL AND e.organisme <> '' \
                 AND e.organisme <> $2 \
                 AND NOT EXISTS (SELECT 1 FROM passport_entries d \
                 JOIN accounts a ON a.id = d.source_account_id \
                 WHERE d.person_id = e.person_id AND d.source = 'declared' \
                 AND (a.kind = 'organisme_formation' OR a.id = $1) AND d.end_date = e.end_date \
                 AND (d.training_code = e.training_code OR d.training_title = e.training_title)) \
                 AND NOT EXISTS (SELECT 1 FROM declarations dd \
                 JOIN declaration_titulaires dt ON dt.declaration_id = dd.id \
                 JOIN persons p ON p.nir = dt.nir \
                 WHERE dd.account_id = $1 AND dd.session_id = e.session_id \
                 AND p.id = e.person_id AND dt.removed = FALSE AND dd.status <> 'supprimee') \
                 ORDER BY e.end_date, e.id";

            impl $backend {
                /// Art. 7-II candidates of an employer (see [`UNDECLARED_SQL`]), of the user's
                /// sites only for a user limited to sites.
                pub(in crate::server::store) async fn undeclared_rows(
                    &self,
                    account: &AccountRow,
                ) -> Result<Vec<UndeclaredRow>, ServerError> {
                    let rows = sqlx::query(UNDECLARED_SQL)
                        .bind(account.id)
                        .bind(&account.name)
                        .fetch_all(&self.pool)
                        .await?;
                    let sites = account.sites();
                    rows.iter()
                        .filter(|row| {
                            sites.is_none_or(|sites| {
                                row.try_get::<String, _>("site")
                                    .is_ok_and(|site| sites.contains(&site))
                            })
                        })
                        .map(|row| {
                            Ok(UndeclaredRow {
                                entry_id: row.try_get("entry_id")?,
                                worker_id: row.try_get("worker_id")?,
                                nir: row.try_get("nir")?,
                                last_name: row.try_get("last_name")?,
                                first_names: row.try_get("first_names")?,
                                employer_siret: row.try_get("employer_siret")?,
                                training_code: row.try_get("training_code")?,
                                training_title: row.try_get("training_title")?,
                                start_date: row.try_get("start_date")?,
                                end_date: row.try_get("end_date")?,
                                validity_start: row.try_get("validity_start")?,
                                validity_end: row.try_get("validity_end")?,
                                session_id: row.try_get("session_id")?,
                                organisme: row.try_get("organisme")?,
                            })
                        })
                        .collect()
                }

                /// Every line the account sees.
                pub(in crate::server::store) async fn verification_lines(
                    &self,
                    account: &AccountRow,
                ) -> Result<Vec<LineRecord>, ServerError> {
                    let mut conn = self.pool.acquire().await?;
                    lines(&mut conn, account, None).await
                }

                /// The employer's `action` on `line`, idempotently (see [`Store::decide`]).
                #[allow(clippy::too_many_arguments)]
                pub(in crate::server::store) async fn decide(
                    &self,
                    account: &AccountRow,
                    line: i64,
                    action: Action,
                    message: Option<&str>,
                    rules: &DeadlineRules,
                    today: chrono::NaiveDate,
                    request: &IdempotentRequest,
                ) -> Result<Idempotent<DecideOutcome>, ServerError> {
                    let mut tx = self.begin_write().await?;
                    if let Some(known) = lookup(&mut tx, account.id, request).await? {
                        return Ok(known);
                    }
                    if account.kind != DeclarantKind::Employeur {
                        return Ok(Idempotent::New(DecideOutcome::NotFound));
                    }
                    let Some(record) = lines(&mut tx, account, Some(line)).await?.pop() else {
                        return Ok(Idempotent::New(DecideOutcome::NotFound));
                    };
                    let window = record.window(rules);
                    let decision = record.decision();
                    let current =
                        verification::status(window.as_ref(), decision.as_ref(), today);
                    let wrote = match verification::allowed(
                        action,
                        current,
                        decision.as_ref(),
                        window.as_ref(),
                        today,
                    ) {
                        Err(refusal) => {
                            return Ok(Idempotent::New(DecideOutcome::Refused(refusal)));
                        }
                        Ok(false) => false,
                        Ok(true) => {
                            let status = match action {
                                Action::Verify => "verifiee",
                                Action::RequestCorrection => "correction_demandee",
                            };
                            let subject = serde_json::to_string(&record.subject).map_err(|e| {
                                ServerError::Corrupt {
                                    what: "ligne vérifiée".to_owned(),
                                    detail: e.to_string(),
                                }
                            })?;
                            sqlx::query(
                                "INSERT INTO verifications (line_id, employer_account_id, \
                                 organisation_account_id, status, message, acted_on, watermark, \
                                 subject) VALUES ($1, $2, (SELECT account_id FROM \
                                 declaration_titulaires WHERE id = $3), $4, $5, $6, \
                                 (SELECT MAX(id) FROM declaration_titulaires), $7) \
                                 ON CONFLICT (line_id) DO UPDATE SET status = excluded.status, \
                                 message = excluded.message, acted_on = excluded.acted_on, \
                                 watermark = excluded.watermark, subject = excluded.subject",
                            )
                            .bind(line)
                            .bind(account.id)
                            .bind(line)
                            .bind(status)
                            .bind(message)
                            .bind(today)
                            .bind(subject)
                            .execute(&mut *tx)
                            .await?;
                            true
                        }
                    };
                    let before = serde_json::json!({
                        "status": current,
                        "message": record.decision.as_ref().and_then(|d| d.message.clone()),
                    });
                    let record = lines(&mut tx, account, Some(line)).await?.pop().ok_or_else(
                        || ServerError::Corrupt {
                            what: "ligne vérifiée".to_owned(),
                            detail: format!("la ligne {line} a disparu"),
                        },
                    )?;
                    let view = record.view(rules, today);
                    remember(&mut tx, account.id, request, 200, &view).await?;
                    if wrote {
                        let event = AuditEvent {
                            action: match action {
                                Action::Verify => "vérification",
                                Action::RequestCorrection => "demande de correction",
                            },
                            entity: "vérification",
                            entity_id: line.to_string(),
                            before: Some(before),
                            after: Some(serde_json::json!({
                                "status": view.status,
                                "message": view.message,
                            })),
                        };
                        append_audit(&mut tx, account.id, account.user.as_ref(), event).await?;
                    }
                    tx.commit().await?;
                    Ok(Idempotent::New(DecideOutcome::Done(Box::new(view))))
                }
            }
        }
    };
}
pub(super) use calls;

impl Store {
    /// The lines `account` sees on `today`, nearest window first: an employer's, the lines
    /// organisations declared for its SIRET and those it acted on; an organisation's, the
    /// decisions employers made on its declarations. `status` keeps one status only. A user
    /// limited to sites sees the lines of the workers of those sites only.
    pub async fn verifications(
        &self,
        account: &AccountRow,
        status: Option<VerificationStatus>,
        rules: &DeadlineRules,
        today: NaiveDate,
    ) -> Result<Vec<VerificationView>, ServerError> {
        let mut lines = dispatch!(self, verification_lines(account))?;
        if account.sites().is_some() {
            let nirs: Vec<&str> = lines.iter().map(|l| l.subject.nir.as_str()).collect();
            let visible = self.visible_nirs(account, &nirs).await?;
            lines.retain(|l| visible.contains(&super::canonical_nir(&l.subject.nir)));
        }
        let mut views: Vec<VerificationView> = lines
            .iter()
            .map(|line| line.view(rules, today))
            .filter(|view| status.is_none_or(|status| view.status == status))
            .collect();
        views.sort_by_key(|view| (view.window_ends.is_none(), view.window_ends, view.line_id));
        Ok(views)
    }

    /// Art. 7-II on `today`: the employer's trainings at an organisation that the organisation
    /// had to declare (its obligation: in scope on the training's end, not excluded; an unknown
    /// type counts when some category was due,
    /// [`crate::domain::deadline::Obligation::shown_deadline`]) and that no declaration matched
    /// once its deadline passed, with the employer's own deadline (the `[[fallback]]` rule);
    /// oldest first. A record stored without its title (a catalogue type) takes the
    /// catalogue's.
    pub async fn undeclared(
        &self,
        account: &AccountRow,
        (rules, catalogue): (&DeadlineRules, &Catalogue),
        today: NaiveDate,
    ) -> Result<Vec<UndeclaredTraining>, ServerError> {
        let rows = dispatch!(self, undeclared_rows(account))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let training = row.training_code.as_deref().and_then(|c| catalogue.get(c));
                let organisation_due = rules
                    .obligation(
                        DeclarantKind::OrganismeFormation,
                        training,
                        row.end_date,
                        row.end_date,
                    )
                    .shown_deadline()?;
                if today <= organisation_due {
                    return None;
                }
                let rule = rules.fallback_rule(row.end_date);
                let training_title = row
                    .training_title
                    .filter(|t| !t.trim().is_empty())
                    .or_else(|| training.map(|t| t.title.clone()))
                    .or_else(|| row.training_code.clone())
                    .unwrap_or_default();
                Some(UndeclaredTraining {
                    entry_id: row.entry_id,
                    worker_id: row.worker_id,
                    worker_name: format!("{} {}", row.last_name, row.first_names),
                    nir: row.nir,
                    last_name: row.last_name,
                    employer_siret: row.employer_siret,
                    training_code: row.training_code,
                    training_title,
                    start_date: row.start_date,
                    end_date: row.end_date,
                    validity_start: row.validity_start,
                    validity_end: row.validity_end,
                    session_id: row.session_id,
                    organisme: row.organisme,
                    organisation_due,
                    employer_due: rule.and_then(|r| r.due_date(organisation_due)),
                    rule_note: rule.and_then(|r| r.note.clone()),
                    rule_assumed: rule.is_none_or(|r| {
                        r.confidence != Confidence::Official
                            || r.note
                                .as_deref()
                                .is_some_and(|n| n.to_lowercase().contains("à confirmer"))
                    }),
                })
            })
            .collect())
    }

    /// The employer's `action` on `line` on `today`, in one write transaction, idempotently:
    /// the line as it then stands, a refusal of its state, or not found (another account's line,
    /// a training organisation asking, a line of another site than a limited user's).
    #[allow(clippy::too_many_arguments)]
    pub async fn decide(
        &self,
        account: &AccountRow,
        line: i64,
        action: Action,
        message: Option<&str>,
        rules: &DeadlineRules,
        today: NaiveDate,
        request: &IdempotentRequest,
    ) -> Result<Idempotent<DecideOutcome>, ServerError> {
        if account.sites().is_some() {
            let seen = self.verifications(account, None, rules, today).await?;
            if !seen.iter().any(|view| view.line_id == line) {
                return Ok(Idempotent::New(DecideOutcome::NotFound));
            }
        }
        dispatch!(
            self,
            decide(account, line, action, message, rules, today, request)
        )
    }
}
