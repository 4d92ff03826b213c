//! A team's own staff (issue 13): a server made with `account create`, no demo data, written
//! through the typed client: create, validate, 409 naming the existing worker, idempotent
//! retries, patch, archive and `?archived=true`.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::NaiveDate;
use passeport::api::ApiError;
use passeport::api::contract::{NewWorker, WorkerPatch, WorkersQuery};
use team::{EMPLOYER, Team, nir, on_each_backend, today};

fn marie() -> NewWorker {
    NewWorker {
        nir: nir(1),
        last_name: "DUPONT".to_owned(),
        usage_name: Some("MARTIN".to_owned()),
        first_names: "Marie".to_owned(),
        birth_date: NaiveDate::from_ymd_opt(1985, 7, 14),
        site: Some("Lyon".to_owned()),
        service: Some("Atelier".to_owned()),
        job: Some("Menuisière".to_owned()),
        employee_number: Some("M-001".to_owned()),
        manager: Some("Paul Girard".to_owned()),
        entry_date: NaiveDate::from_ymd_opt(2020, 3, 2),
        leaving_date: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employer_records_its_staff_once_and_finds_them() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        assert!(
            client
                .all_workers(&WorkersQuery::default())
                .await
                .unwrap()
                .is_empty(),
            "a new team server has no worker"
        );

        let (created, new) = client.create_worker(&marie(), "key-marie").await.unwrap();
        assert!(new);
        assert_eq!(
            created.worker.nir.clear().map(|n| n.as_str()),
            Some(&nir(1)[..13]),
            "13 characters kept"
        );
        assert_eq!(created.worker.employer_siret.as_str(), EMPLOYER);
        assert_eq!(created.worker.employer_name, "Menuiserie Martin");
        assert_eq!(created.employee_number.as_deref(), Some("M-001"));
        assert_eq!(created.job.as_deref(), Some("Menuisière"));

        // A retry with the same key gives the same worker, and nothing is written twice.
        let (again, new) = client.create_worker(&marie(), "key-marie").await.unwrap();
        assert!(!new, "a replay is a 200");
        assert_eq!(again, created);
        // The same key with another body is a conflict.
        let other = NewWorker {
            nir: nir(2),
            ..marie()
        };
        assert!(matches!(
            client.create_worker(&other, "key-marie").await,
            Err(ApiError::Conflict { .. })
        ));

        // The NIR (with or without its key) or the matricule of a worker already in the account is
        // a 409 naming that worker.
        for duplicate in [
            NewWorker {
                nir: nir(1)[..13].to_owned(),
                employee_number: None,
                ..marie()
            },
            NewWorker {
                nir: nir(3),
                ..marie()
            },
        ] {
            match client.create_worker(&duplicate, &duplicate.nir).await {
                Err(ApiError::Conflict { detail }) => {
                    assert!(detail.contains("DUPONT (MARTIN) Marie"), "{detail}");
                    assert!(
                        detail.contains(&format!("n° {}", created.worker.id)),
                        "{detail}"
                    );
                }
                other => panic!("expected a conflict, got {other:?}"),
            }
        }

        // Search finds her by usage name, and the detail carries her employment.
        let found = client
            .all_workers(&WorkersQuery {
                q: Some("martin lyon".to_owned()),
                ..WorkersQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|w| w.id).collect::<Vec<_>>(),
            vec![created.worker.id]
        );
        let record = client.staff(created.worker.id).await.unwrap();
        assert_eq!(record, created);

        // The other employer sees nothing of her, and may employ the same person without conflict.
        let other_employer = team.client(1);
        assert!(matches!(
            other_employer.staff(created.worker.id).await,
            Err(ApiError::NotFound)
        ));
        let (theirs, _) = other_employer
            .create_worker(&marie(), "key-marie")
            .await
            .unwrap();
        assert_ne!(theirs.worker.id, created.worker.id);

        // A training organisation keeps no staff.
        match team.client(2).create_worker(&marie(), "of-key").await {
            Err(ApiError::Other { status: 403, .. }) => {}
            other => panic!("expected a 403, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_errors_are_listed_in_french() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        let wrong = NewWorker {
            nir: "185037512345699".to_owned(),
            last_name: String::new(),
            first_names: "Jean".to_owned(),
            entry_date: NaiveDate::from_ymd_opt(2025, 1, 6),
            leaving_date: NaiveDate::from_ymd_opt(2024, 12, 31),
            ..NewWorker::default()
        };
        let Err(ApiError::Invalid { errors }) = client.create_worker(&wrong, "bad").await else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["nir", "last_name", "leaving_date"]);
        assert!(errors[0].message.contains("clé"), "{}", errors[0].message);
        assert!(errors[1].message.contains("obligatoire"));
        assert!(errors[2].message.contains("précède"));
        // Nothing was written, so the key is still free for the corrected body.
        let right = NewWorker {
            nir: nir(9),
            last_name: "BERNARD".to_owned(),
            leaving_date: None,
            ..wrong
        };
        assert!(client.create_worker(&right, "bad").await.unwrap().1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_is_archived_with_its_history_and_patches_keep_the_rest() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        let (marie, _) = client.create_worker(&marie(), "m").await.unwrap();
        let (paul, _) = client
            .create_worker(
                &NewWorker {
                    nir: nir(5),
                    last_name: "GIRARD".to_owned(),
                    first_names: "Paul".to_owned(),
                    employee_number: Some("M-002".to_owned()),
                    ..NewWorker::default()
                },
                "p",
            )
            .await
            .unwrap();

        let patched = client
            .update_worker(
                marie.worker.id,
                &WorkerPatch {
                    job: Some("Cheffe d'équipe".to_owned()),
                    usage_name: Some(String::new()),
                    ..WorkerPatch::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(patched.job.as_deref(), Some("Cheffe d'équipe"));
        assert_eq!(patched.worker.usage_name, None, "an empty text clears");
        assert_eq!(patched.employee_number.as_deref(), Some("M-001"), "kept");
        // Taking Paul's matricule is a conflict naming him.
        match client
            .update_worker(
                marie.worker.id,
                &WorkerPatch {
                    employee_number: Some("M-002".to_owned()),
                    ..WorkerPatch::default()
                },
            )
            .await
        {
            Err(ApiError::Conflict { detail }) => assert!(detail.contains("GIRARD Paul")),
            other => panic!("expected a conflict, got {other:?}"),
        }

        let archived = client
            .archive_worker(paul.worker.id, "leave-p")
            .await
            .unwrap();
        assert!(archived.archived);
        assert_eq!(archived.leaving_date, Some(today()), "left today");
        let again = client
            .archive_worker(paul.worker.id, "leave-p")
            .await
            .unwrap();
        assert_eq!(again, archived, "archiving again replays");
        let listed: Vec<i64> = client
            .all_workers(&WorkersQuery::default())
            .await
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        assert_eq!(
            listed,
            vec![marie.worker.id],
            "a leaver is hidden from lists"
        );
        let with_leavers: Vec<i64> = client
            .all_workers(&WorkersQuery {
                archived: Some(true),
                ..WorkersQuery::default()
            })
            .await
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        assert_eq!(with_leavers, vec![marie.worker.id, paul.worker.id]);
        // Still readable, with its passport.
        assert!(client.staff(paul.worker.id).await.unwrap().archived);
        assert!(client.passport(paul.worker.id).await.is_ok());
    })
    .await;
}
