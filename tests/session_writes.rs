//! The write side of sessions (issue 13 §1) on an empty team server over each backend (a real
//! SQLite file, a fresh PostgreSQL database: tests/common/team.rs): validation in French, the
//! tenancy of every new route for each account kind, idempotent retries, closing (entries in
//! the passport and the expirations, once, also under two concurrent closes) and what a closed
//! session still accepts.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::{Days, NaiveDate};
use passeport::api::contract::{
    AuditEntry, AuditQuery, EntrySource, ExpirationsQuery, NewSession, NewTrainee, NewWorker,
    SessionDetail, SessionPatch, SessionsQuery,
};
use passeport::api::{ApiError, Client};
use passeport::domain::rights::mask_nir;
use passeport::domain::session::{SessionId, TraineeOutcome};
use passeport::domain::worker::WorkerId;
use serde_json::{Value, json};
use team::{EMPLOYER, Team, nir, on_each_backend, today};

/// Account indexes of [`Team`].
const EMPLOYER_A: usize = 0;
const EMPLOYER_B: usize = 1;
const ORGANISATION: usize = 2;

async fn worker(team: &Team, account: usize, n: u32, last_name: &str) -> WorkerId {
    let new = NewWorker {
        nir: nir(n),
        last_name: last_name.to_owned(),
        first_names: "Léa".to_owned(),
        site: Some("Atelier".to_owned()),
        ..NewWorker::default()
    };
    team.client(account)
        .create_worker(&new, &format!("w-{account}-{n}"))
        .await
        .unwrap()
        .0
        .worker
        .id
}

/// An SST session ended a week ago.
fn sst(title: &str) -> NewSession {
    NewSession {
        training_code: "SST".to_owned(),
        title: title.to_owned(),
        start_date: today().checked_sub_days(Days::new(8)),
        end_date: today().checked_sub_days(Days::new(7)),
        place: "Lyon".to_owned(),
        organisme: None,
    }
}

async fn session(client: &Client, title: &str, key: &str) -> SessionDetail {
    let (detail, created) = client.create_session(&sst(title), key).await.unwrap();
    assert!(created);
    detail
}

fn outcome_of(detail: &SessionDetail, worker: WorkerId) -> Option<TraineeOutcome> {
    detail
        .trainees
        .iter()
        .find(|t| t.worker_id == worker)
        .map(|t| t.outcome)
}

/// The live session entries of a worker's passport, as `client` sees it.
async fn session_entries(client: &Client, worker: WorkerId) -> Vec<(SessionId, String)> {
    client
        .passport(worker)
        .await
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.origin.source == EntrySource::Session)
        .map(|e| (e.session_id.unwrap_or_default(), e.training_code))
        .collect()
}

fn conflict(result: Result<impl std::fmt::Debug, ApiError>) -> String {
    match result {
        Err(ApiError::Conflict { detail }) => detail,
        other => panic!("expected a 409, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_trainees_are_validated_field_by_field_in_french() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(EMPLOYER_A);
        let wrong = NewSession {
            training_code: "SST_INCONNU".to_owned(),
            title: "x".repeat(101),
            start_date: NaiveDate::from_ymd_opt(2026, 5, 10),
            end_date: NaiveDate::from_ymd_opt(2026, 5, 9),
            place: "Lyon\ncentre".to_owned(),
            organisme: None,
        };
        let Err(ApiError::Invalid { errors }) = client.create_session(&wrong, "bad").await else {
            panic!("expected field errors");
        };
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("training_code", "unknown"),
                ("title", "too_long"),
                ("end_date", "before_start"),
                ("place", "invalid"),
            ]
        );
        assert!(errors[0].message.contains("absent du catalogue"));
        assert!(errors[2].message.contains("précède la date de début"));
        let missing = NewSession::default();
        let Err(ApiError::Invalid { errors }) = client.create_session(&missing, "empty").await
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["training_code", "title", "start_date", "end_date", "place"]
        );
        assert!(errors[1].message.contains("obligatoire"));
        let listed = client.sessions(&SessionsQuery::default()).await.unwrap();
        assert!(listed.items.is_empty(), "nothing written");

        // The organisme defaults to the account's name; a patch keeps the dates in order.
        let created = session(&client, "SST atelier", "s-1").await;
        assert_eq!(created.summary.organisme, "Menuiserie Martin");
        assert_eq!(created.summary.closed_on, None);
        let late = SessionPatch {
            start_date: today().checked_add_days(Days::new(1)),
            ..SessionPatch::default()
        };
        let Err(ApiError::Invalid { errors }) =
            client.update_session(created.summary.id, &late).await
        else {
            panic!("expected field errors");
        };
        assert_eq!(errors[0].field, "end_date");

        // An employer enrols its own staff by id; an identity is for training organisations.
        let by_identity = NewTrainee {
            nir: Some(nir(9)),
            last_name: Some("ROUX".to_owned()),
            first_names: Some("Léa".to_owned()),
            employer_siret: Some(EMPLOYER.to_owned()),
            ..NewTrainee::default()
        };
        let Err(ApiError::Invalid { errors }) = client
            .enrol_trainee(created.summary.id, &by_identity, "id-1")
            .await
        else {
            panic!("expected field errors");
        };
        assert_eq!(errors[0].field, "worker_id");
        assert!(
            errors[0]
                .message
                .contains("un employeur inscrit ses salariés")
        );
        let organisation = team.client(ORGANISATION);
        let theirs = session(&organisation, "SST Formapro", "of-1").await;
        let Err(ApiError::Invalid { errors }) = organisation
            .enrol_trainee(
                theirs.summary.id,
                &NewTrainee {
                    nir: Some("185".to_owned()),
                    employer_siret: Some("123".to_owned()),
                    ..NewTrainee::default()
                },
                "id-2",
            )
            .await
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["nir", "last_name", "first_names", "employer_siret"]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_internal_session_puts_each_present_trainee_on_the_passport_once() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(EMPLOYER_A);
        let (passed, attended, failed, absent) = (
            worker(team, EMPLOYER_A, 1, "ROUX").await,
            worker(team, EMPLOYER_A, 2, "BLANC").await,
            worker(team, EMPLOYER_A, 3, "NOIR").await,
            worker(team, EMPLOYER_A, 4, "VERT").await,
        );
        let detail = session(&client, "SST atelier", "s-1").await;
        let id = detail.summary.id;

        // Idempotent: the same key and body are the same session; another body is a 409.
        let (again, created) = client
            .create_session(&sst("SST atelier"), "s-1")
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.summary.id, id);
        let listed = client.sessions(&SessionsQuery::default()).await.unwrap();
        assert_eq!(listed.items.len(), 1, "written once");
        assert!(conflict(client.create_session(&sst("Autre"), "s-1").await).contains("clé"));

        for (n, worker) in [passed, attended, failed, absent].into_iter().enumerate() {
            let key = format!("enrol-{n}");
            let (detail, created) = client
                .enrol_trainee(id, &NewTrainee::worker(worker), &key)
                .await
                .unwrap();
            assert!(created);
            assert_eq!(outcome_of(&detail, worker), Some(TraineeOutcome::Pending));
            let (replayed, created) = client
                .enrol_trainee(id, &NewTrainee::worker(worker), &key)
                .await
                .unwrap();
            assert!(!created);
            assert_eq!(replayed.trainees.len(), n + 1, "enrolled once");
        }

        // Pending trainees keep the session open.
        assert!(
            conflict(client.close_session(id, "close-0").await)
                .contains("4 stagiaires sans résultat")
        );
        for (worker, outcome) in [
            (passed, TraineeOutcome::Passed),
            (attended, TraineeOutcome::Attended),
            (failed, TraineeOutcome::Failed),
            (absent, TraineeOutcome::Absent),
        ] {
            let detail = client.set_outcome(id, worker, outcome).await.unwrap();
            assert_eq!(outcome_of(&detail, worker), Some(outcome));
        }
        let closed = client.close_session(id, "close-1").await.unwrap();
        assert_eq!(closed.summary.closed_on, Some(today()));
        assert_eq!(outcome_of(&closed, failed), Some(TraineeOutcome::Failed));

        // Passed and attended trainees have one session entry each; failed and absent ones none.
        for (worker, expected) in [(passed, 1), (attended, 1), (failed, 0), (absent, 0)] {
            let entries = session_entries(&client, worker).await;
            assert_eq!(entries.len(), expected, "worker {worker}: {entries:?}");
            if expected == 1 {
                assert_eq!(entries[0], (id, "SST".to_owned()));
            }
        }
        // SST: 24 months from the end, the day before (catalogue).
        let expires = today()
            .checked_sub_days(Days::new(7))
            .and_then(|end| end.checked_add_months(chrono::Months::new(24)))
            .and_then(|d| d.pred_opt())
            .unwrap();
        let expirations = client
            .all_expirations(&ExpirationsQuery {
                within_days: Some(3650),
                ..ExpirationsQuery::default()
            })
            .await
            .unwrap();
        let mut seen: Vec<(WorkerId, NaiveDate)> = expirations
            .items
            .iter()
            .map(|e| (e.worker_id, e.expires_on))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![(passed, expires), (attended, expires)]);

        // Closing again, with another key or the same, changes nothing and answers the same.
        assert_eq!(client.close_session(id, "close-2").await.unwrap(), closed);
        assert_eq!(client.close_session(id, "close-1").await.unwrap(), closed);
        assert_eq!(session_entries(&client, passed).await.len(), 1);

        // A closed session keeps its type, dates, trainees and outcomes; its texts still change.
        let moved = SessionPatch {
            end_date: today().checked_sub_days(Days::new(6)),
            ..SessionPatch::default()
        };
        assert!(conflict(client.update_session(id, &moved).await).contains("clôturée"));
        let extra = worker(team, EMPLOYER_A, 5, "GRIS").await;
        assert!(
            conflict(
                client
                    .enrol_trainee(id, &NewTrainee::worker(extra), "late")
                    .await
            )
            .contains("clôturée")
        );
        conflict(client.set_outcome(id, failed, TraineeOutcome::Passed).await);
        conflict(client.remove_trainee(id, absent).await);
        let renamed = client
            .update_session(
                id,
                &SessionPatch {
                    title: Some("SST atelier bois".to_owned()),
                    end_date: closed.summary.end_date.into(),
                    ..SessionPatch::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.summary.title, "SST atelier bois");
        let listed = client.sessions(&SessionsQuery::default()).await.unwrap();
        assert_eq!(listed.items[0].closed_on, Some(today()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_enrols_by_identity_and_the_employer_sees_the_closed_session() {
    on_each_backend(async |team: &mut Team| {
        let organisation = team.client(ORGANISATION);
        let employer = team.client(EMPLOYER_A);
        let staff = worker(team, EMPLOYER_A, 7, "MOREAU").await;

        // A session not over yet cannot be closed.
        let (future, _) = organisation
            .create_session(
                &NewSession {
                    start_date: today().checked_add_days(Days::new(3)),
                    end_date: today().checked_add_days(Days::new(4)),
                    ..sst("SST à venir")
                },
                "future",
            )
            .await
            .unwrap();
        assert!(
            conflict(organisation.close_session(future.summary.id, "c-0").await)
                .contains("pas terminée")
        );

        let id = session(&organisation, "SST Formapro", "of-1")
            .await
            .summary
            .id;
        let identity = NewTrainee {
            nir: Some(nir(7)),
            last_name: Some("MOREAU".to_owned()),
            first_names: Some("Paul".to_owned()),
            employer_siret: Some(EMPLOYER.to_owned()),
            ..NewTrainee::default()
        };
        let (detail, _) = organisation
            .enrol_trainee(id, &identity, "e-1")
            .await
            .unwrap();
        let trainee = detail.trainees[0].worker_id;
        assert_ne!(
            trainee, staff,
            "the organisation's own trainee, not the employer's worker"
        );
        assert_eq!(detail.trainees[0].employer_siret, EMPLOYER);
        // The same person again is the same trainee, in this session or the next.
        let (detail, _) = organisation
            .enrol_trainee(id, &identity, "e-2")
            .await
            .unwrap();
        assert_eq!(detail.trainees.len(), 1);
        let next = session(&organisation, "SST Formapro 2", "of-2")
            .await
            .summary
            .id;
        let (next_detail, _) = organisation
            .enrol_trainee(next, &identity, "e-3")
            .await
            .unwrap();
        assert_eq!(next_detail.trainees[0].worker_id, trainee);
        // Once a trainee, enrolled by id; removed from the second session.
        let (_, _) = organisation
            .enrol_trainee(next, &NewTrainee::worker(trainee), "e-4")
            .await
            .unwrap();
        let emptied = organisation.remove_trainee(next, trainee).await.unwrap();
        assert!(emptied.trainees.is_empty());
        assert!(matches!(
            organisation.remove_trainee(next, trainee).await,
            Err(ApiError::NotFound)
        ));

        organisation
            .set_outcome(id, trainee, TraineeOutcome::Passed)
            .await
            .unwrap();
        organisation.close_session(id, "c-1").await.unwrap();
        assert_eq!(
            session_entries(&organisation, trainee).await,
            vec![(id, "SST".to_owned())]
        );
        // The employer named by the SIRET sees the entry on its own worker (not the session).
        let passport = employer.passport(staff).await.unwrap();
        assert_eq!(passport.entries.len(), 1);
        assert_eq!(passport.entries[0].origin.source, EntrySource::Session);
        assert_eq!(passport.entries[0].session_id, None);
        assert_eq!(
            passport.entries[0].origin.account_name.as_deref(),
            Some("Formapro")
        );
        // The other employer sees nothing of it.
        let other = team.client(EMPLOYER_B);
        assert!(matches!(
            other.passport(trainee).await,
            Err(ApiError::NotFound)
        ));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_account_reaches_another_accounts_session_or_worker() {
    on_each_backend(async |team: &mut Team| {
        let clients: Vec<Client> = (0..3).map(|a| team.client(a)).collect();
        let mut sessions = Vec::new();
        let mut trainees = Vec::new();
        for (account, client) in clients.iter().enumerate() {
            let id = session(client, "SST", &format!("s-{account}"))
                .await
                .summary
                .id;
            let trainee = if account == ORGANISATION {
                NewTrainee {
                    nir: Some(nir(30)),
                    last_name: Some("PETIT".to_owned()),
                    first_names: Some("Jules".to_owned()),
                    employer_siret: Some(EMPLOYER.to_owned()),
                    ..NewTrainee::default()
                }
            } else {
                NewTrainee::worker(worker(team, account, 20 + account as u32, "PETIT").await)
            };
            let (detail, _) = client
                .enrol_trainee(id, &trainee, &format!("t-{account}"))
                .await
                .unwrap();
            sessions.push(id);
            trainees.push(detail.trainees[0].worker_id);
        }
        for (account, client) in clients.iter().enumerate() {
            for other in (0..3).filter(|o| *o != account) {
                let (id, worker) = (sessions[other], trainees[other]);
                let before = clients[other].session(id).await.unwrap();
                let what = format!("account {account} on session {id} of {other}");
                let results = [
                    client.session(id).await.err(),
                    client
                        .update_session(
                            id,
                            &SessionPatch {
                                title: Some("Piratée".to_owned()),
                                ..SessionPatch::default()
                            },
                        )
                        .await
                        .err(),
                    client
                        .enrol_trainee(id, &NewTrainee::worker(trainees[account]), "x")
                        .await
                        .err(),
                    client
                        .set_outcome(id, worker, TraineeOutcome::Passed)
                        .await
                        .err(),
                    client.remove_trainee(id, worker).await.err(),
                    client.close_session(id, "y").await.err(),
                ];
                for result in results {
                    assert_eq!(result, Some(ApiError::NotFound), "{what}");
                }
                assert_eq!(
                    clients[other].session(id).await.unwrap(),
                    before,
                    "{what}: unchanged"
                );
                // Another account's worker is unknown in one's own session, like a missing one.
                let unknown = |worker| NewTrainee::worker(worker);
                let foreign = client
                    .enrol_trainee(sessions[account], &unknown(worker), &format!("f-{other}"))
                    .await;
                let missing = client
                    .enrol_trainee(
                        sessions[account],
                        &unknown(9_000_000),
                        &format!("m-{other}"),
                    )
                    .await;
                assert_eq!(foreign, missing, "{what}: a foreign worker is unknown");
                assert!(matches!(foreign, Err(ApiError::Invalid { .. })));
            }
            let listed = client.sessions(&SessionsQuery::default()).await.unwrap();
            let ids: Vec<SessionId> = listed.items.iter().map(|s| s.id).collect();
            assert_eq!(
                ids,
                vec![sessions[account]],
                "account {account} lists its own"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_closes_write_each_entry_once() {
    on_each_backend(async |team: &mut Team| {
        let (first, second) = (team.client(EMPLOYER_A), team.client(EMPLOYER_A));
        let id = session(&first, "SST", "s").await.summary.id;
        let mut workers = Vec::new();
        for n in 0..3 {
            let worker = worker(team, EMPLOYER_A, 40 + n, "LEROY").await;
            first
                .enrol_trainee(id, &NewTrainee::worker(worker), &format!("e-{n}"))
                .await
                .unwrap();
            first
                .set_outcome(id, worker, TraineeOutcome::Passed)
                .await
                .unwrap();
            workers.push(worker);
        }
        let (a, b) = tokio::join!(
            first.close_session(id, "close-a"),
            second.close_session(id, "close-b")
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "both closes answer the same");
        assert_eq!(a.summary.closed_on, Some(today()));
        for worker in workers {
            assert_eq!(
                session_entries(&first, worker).await,
                vec![(id, "SST".to_owned())],
                "worker {worker}: one entry"
            );
        }
    })
    .await;
}

/// The audit entries of session writes (`session`, `stagiaire`) in `client`'s account, oldest
/// first.
async fn session_trail(client: &Client) -> Vec<AuditEntry> {
    let mut entries = client.all_audit(&AuditQuery::default()).await.unwrap();
    entries.retain(|e| e.entity == "session" || e.entity == "stagiaire");
    entries
}

/// (action, entity, entity id, before, after) of an audit entry.
fn audited(entry: &AuditEntry) -> (&str, &str, &str, Option<Value>, Option<Value>) {
    (
        entry.action.as_str(),
        entry.entity.as_str(),
        entry.entity_id.as_str(),
        entry.before.clone(),
        entry.after.clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_session_write_is_audited_with_its_changed_fields_and_a_refused_one_is_not() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(EMPLOYER_A);
        let (staff, other) = (
            worker(team, EMPLOYER_A, 50, "MOREL").await,
            worker(team, EMPLOYER_A, 51, "FABRE").await,
        );
        let trainee = |worker: WorkerId, name: &str, n: u32, outcome: &str| {
            json!({"worker_id": worker, "name": name, "nir": mask_nir(&nir(n)),
                   "outcome": outcome})
        };
        let id = session(&client, "SST atelier", "s-1").await.summary.id;
        let (sid, enrolled) = (id.to_string(), format!("{id}/{staff}"));
        let trail = session_trail(&client).await;
        assert_eq!(trail.len(), 1);
        assert_eq!(
            audited(&trail[0]),
            (
                "création",
                "session",
                sid.as_str(),
                None,
                Some(json!({"training_code": "SST", "title": "SST atelier",
                    "organisme": "Menuiserie Martin", "place": "Lyon",
                    "start_date": "2026-11-18", "end_date": "2026-11-19"}))
            )
        );
        assert_eq!(trail[0].user, "administration", "the user who wrote it");
        // A replay writes nothing.
        client
            .create_session(&sst("SST atelier"), "s-1")
            .await
            .unwrap();

        let renamed = SessionPatch {
            title: Some("SST atelier bois".to_owned()),
            place: Some("Lyon".to_owned()),
            ..SessionPatch::default()
        };
        client.update_session(id, &renamed).await.unwrap();
        client
            .enrol_trainee(id, &NewTrainee::worker(staff), "e-1")
            .await
            .unwrap();
        // Already enrolled: nothing written, nothing audited.
        client
            .enrol_trainee(id, &NewTrainee::worker(staff), "e-2")
            .await
            .unwrap();
        client
            .enrol_trainee(id, &NewTrainee::worker(other), "e-3")
            .await
            .unwrap();
        client.remove_trainee(id, other).await.unwrap();
        // Refused by the store: unknown worker, trainee not in the session, pending outcome.
        assert!(matches!(
            client
                .enrol_trainee(id, &NewTrainee::worker(9_000_000), "e-4")
                .await,
            Err(ApiError::Invalid { .. })
        ));
        assert_eq!(
            client
                .set_outcome(id, other, TraineeOutcome::Passed)
                .await
                .err(),
            Some(ApiError::NotFound)
        );
        conflict(client.close_session(id, "c-0").await);
        client
            .set_outcome(id, staff, TraineeOutcome::Passed)
            .await
            .unwrap();
        client.close_session(id, "c-1").await.unwrap();
        // Closed again, or changed where a closed session refuses: nothing more.
        client.close_session(id, "c-2").await.unwrap();
        let moved = SessionPatch {
            end_date: today().checked_sub_days(Days::new(6)),
            ..SessionPatch::default()
        };
        conflict(client.update_session(id, &moved).await);
        conflict(client.remove_trainee(id, staff).await);
        // Another account's attempts leave no entry, in its trail or the owner's.
        let intruder = team.client(EMPLOYER_B);
        let patch = SessionPatch {
            title: Some("Piratée".to_owned()),
            ..SessionPatch::default()
        };
        assert_eq!(
            intruder.update_session(id, &patch).await.err(),
            Some(ApiError::NotFound)
        );
        assert!(session_trail(&intruder).await.is_empty());

        let entries = session_trail(&client).await;
        let trail: Vec<_> = entries.iter().map(audited).collect();
        let removed = format!("{id}/{other}");
        assert_eq!(
            trail[1..],
            [
                (
                    "modification",
                    "session",
                    sid.as_str(),
                    Some(json!({"title": "SST atelier"})),
                    Some(json!({"title": "SST atelier bois"}))
                ),
                (
                    "inscription",
                    "stagiaire",
                    enrolled.as_str(),
                    None,
                    Some(trainee(staff, "MOREL Léa", 50, "pending"))
                ),
                (
                    "inscription",
                    "stagiaire",
                    removed.as_str(),
                    None,
                    Some(trainee(other, "FABRE Léa", 51, "pending"))
                ),
                (
                    "retrait",
                    "stagiaire",
                    removed.as_str(),
                    Some(trainee(other, "FABRE Léa", 51, "pending")),
                    None
                ),
                (
                    "modification",
                    "stagiaire",
                    enrolled.as_str(),
                    Some(json!({"outcome": "pending"})),
                    Some(json!({"outcome": "passed"}))
                ),
                (
                    "clôture",
                    "session",
                    sid.as_str(),
                    Some(json!({"closed_on": null})),
                    Some(json!({"closed_on": "2026-11-26"}))
                ),
            ]
        );
    })
    .await;
}
