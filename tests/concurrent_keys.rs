//! Every idempotent POST under one `Idempotency-Key` sent many times at once (issue 14): on each
//! backend (tests/common/databases.rs) the write happens once — one row, one audit entry — and
//! every request gets the same answer, a replay of the first. PostgreSQL runs the writers side by
//! side where SQLite takes them in turn, so this is where a lookup-then-insert would write twice
//! or answer 500.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::{Days, NaiveDate};
use futures_util::future::join_all;
use passeport::api::contract::{
    AuditQuery, SessionDetail, SessionsQuery, StaffView, VerificationsQuery, WorkersQuery,
};
use passeport::domain::DeclarationKind;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::session::TraineeOutcome;
use serde_json::{Value, json};
use team::{EMPLOYER, Team, nir, on_each_backend, today};

/// How many requests share one key.
const AT_ONCE: usize = 8;
/// The accounts of [`Team`].
const EMPLOYER_A: usize = 0;
const ORGANISATION_A: usize = 2;

/// Sends [`AT_ONCE`] identical POSTs of `path` with `key` as `account`, all at once; asserts
/// they all succeed (a null `body` sends none) with the same body (at most one 201, the others its replay) and returns it.
async fn at_once(team: &Team, account: usize, path: &str, key: &str, body: &Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", team.base());
    let answers = join_all((0..AT_ONCE).map(|_| async {
        let mut request = http
            .post(&url)
            .bearer_auth(team.token(account))
            .header("Idempotency-Key", key);
        if !body.is_null() {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }))
    .await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    for (status, text) in &answers {
        assert!(
            *status == 200 || *status == 201,
            "POST {path}: {status} {text}"
        );
    }
    assert!(created <= 1, "POST {path}: {created} created: {answers:?}");
    let first: Value = serde_json::from_str(&answers[0].1).unwrap();
    for (_, text) in &answers[1..] {
        let other: Value = serde_json::from_str(text).unwrap();
        assert_eq!(other, first, "POST {path}: every answer is the same");
    }
    first
}

/// How many audit entries the account has on `entity`.
async fn audited(team: &Team, account: usize, entity: &str) -> usize {
    let query = AuditQuery {
        entity: Some(entity.to_owned()),
        ..AuditQuery::default()
    };
    team.client(account).all_audit(&query).await.unwrap().len()
}

/// An attestation de formation for the employer, with one line per NIR order in `trainees`.
fn attestation(end: NaiveDate, trainees: &[u32]) -> Declaration {
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
    Declaration {
        id_declaration: "OF-CONC".to_owned(),
        reference_declaration: "OF-CONC".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(end),
        date_fin_formation: Some(end),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(end),
        titulaires: trainees
            .iter()
            .map(|n| Titulaire {
                id_unique_partenaire: format!("OF-CONC-{n}"),
                nir: nir(*n),
                nom_titulaire: "ROUX".to_owned(),
                presence_employeur: Some(true),
                siret_employeur: EMPLOYER.to_owned(),
                reference_employeur: String::new(),
            })
            .collect(),
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_sent_at_once_writes_once_and_answers_the_same_on_every_route() {
    on_each_backend(async |team: &mut Team| {
        let employer = team.client(EMPLOYER_A);
        let week_ago = today().checked_sub_days(Days::new(7));

        // A worker of the employer's staff.
        let body = json!({"nir": nir(1), "last_name": "LEROY", "first_names": "Léa",
                          "site": "Atelier"});
        let answer = at_once(team, EMPLOYER_A, "/v1/workers", "k-worker", &body).await;
        let worker = serde_json::from_value::<StaffView>(answer)
            .unwrap()
            .worker
            .id;
        let workers = employer.all_workers(&WorkersQuery::default()).await;
        assert_eq!(workers.unwrap().len(), 1, "one worker");
        assert_eq!(audited(team, EMPLOYER_A, "salarié").await, 1);

        // A training record of that worker.
        let body = json!({"training_code": "HAB_ELEC_B0_H0", "end_date": week_ago});
        let path = format!("/v1/workers/{worker}/trainings");
        at_once(team, EMPLOYER_A, &path, "k-training", &body).await;
        let records = employer.training_history(worker).await.unwrap();
        assert_eq!(records.len(), 1, "one training record");
        assert_eq!(audited(team, EMPLOYER_A, "formation").await, 1);

        // A session, one enrolment in it, then its close.
        let body = json!({"training_code": "SST", "title": "SST atelier", "place": "Lyon",
                          "start_date": week_ago, "end_date": week_ago});
        let answer = at_once(team, EMPLOYER_A, "/v1/sessions", "k-session", &body).await;
        let id = serde_json::from_value::<SessionDetail>(answer)
            .unwrap()
            .summary
            .id;
        let sessions = employer.all_sessions(&SessionsQuery::default()).await;
        assert_eq!(sessions.unwrap().len(), 1, "one session");
        let path = format!("/v1/sessions/{id}/trainees");
        let body = json!({"worker_id": worker});
        at_once(team, EMPLOYER_A, &path, "k-enrol", &body).await;
        let detail = employer.session(id).await.unwrap();
        assert_eq!(detail.trainees.len(), 1, "one enrolment");
        employer
            .set_outcome(id, worker, TraineeOutcome::Passed)
            .await
            .unwrap();
        let before = audited(team, EMPLOYER_A, "session").await;
        let path = format!("/v1/sessions/{id}/close");
        at_once(team, EMPLOYER_A, &path, "k-close", &Value::Null).await;
        assert_eq!(audited(team, EMPLOYER_A, "session").await, before + 1);
        let passport = employer.passport(worker).await.unwrap();
        let from_session = passport.entries.iter().filter(|e| e.session_id == Some(id));
        assert_eq!(
            from_session.count(),
            1,
            "one passport entry from the session"
        );

        // The worker leaves.
        let path = format!("/v1/workers/{worker}/archive");
        at_once(team, EMPLOYER_A, &path, "k-archive", &Value::Null).await;
        assert_eq!(
            audited(team, EMPLOYER_A, "salarié").await,
            2,
            "created, archived"
        );

        // The organisation declares two of the employer's staff, then exports the declaration.
        let declaration = serde_json::to_value(attestation(day_in_june(), &[2, 3])).unwrap();
        at_once(
            team,
            ORGANISATION_A,
            "/v1/declarations",
            "k-declare",
            &declaration,
        )
        .await;
        let organisation = team.client(ORGANISATION_A);
        let declared = organisation.all_declarations(&Default::default()).await;
        assert_eq!(declared.unwrap().len(), 1, "one declaration");
        let body = json!({"kind": "adf"});
        at_once(team, ORGANISATION_A, "/v1/exports", "k-export", &body).await;
        assert_eq!(organisation.all_exports().await.unwrap().len(), 1);
        assert_eq!(audited(team, ORGANISATION_A, "export").await, 1);

        // The employer verifies one line and asks for a correction of the other.
        let lines = employer
            .verifications(&VerificationsQuery::default())
            .await
            .unwrap()
            .items;
        assert_eq!(lines.len(), 2);
        let path = format!("/v1/verifications/{}/verify", lines[0].line_id);
        at_once(team, EMPLOYER_A, &path, "k-verify", &Value::Null).await;
        let path = format!("/v1/verifications/{}/request-correction", lines[1].line_id);
        let body = json!({"message": "Date de fin erronée"});
        at_once(team, EMPLOYER_A, &path, "k-correct", &body).await;
        assert_eq!(audited(team, EMPLOYER_A, "vérification").await, 2);
    })
    .await;
}

/// A training day inside the employer's verification window on [`today`].
fn day_in_june() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()
}
