//! Requirements per poste and the compliance matrix's data (issue 19 §1-2) on the real server
//! over loopback, on each backend holding the demo data (tests/common/demo_backends.rs): the
//! administration role replaces the list (audited), every role reads it, a wrong line is a 422
//! in French, another account sees neither the list nor the workers, and the matrix built from
//! `GET /v1/matrix` shows each worker's status per required training.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/demo_backends.rs"]
mod demo_backends;

use chrono::NaiveDate;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{AuditQuery, RequirementList, WorkerPatch, WorkersQuery};
use passeport::api::{ApiError, Client};
use passeport::domain::expiry::DEFAULT_THRESHOLD_DAYS;
use passeport::domain::matrix::{CellStatus, Matrix};
use passeport::domain::requirements::Requirement;
use passeport::domain::training::Catalogue;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{DEMO_ROLE_USERS, DEMO_TOKENS};
use tokio::sync::oneshot;

use demo_backends::each_backend_with_demo;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn client(base: &str, token: &str) -> Client {
    let options = ClientOptions {
        retries: 0,
        ..ClientOptions::default()
    };
    Client::new(base, Some(token.to_owned()), options).unwrap()
}

fn requirement(poste: &str, code: &str, months: Option<u32>) -> Requirement {
    Requirement {
        poste: poste.to_owned(),
        site: None,
        service: None,
        training_code: code.to_owned(),
        validity_months: months,
    }
}

#[tokio::test]
async fn requirements_are_set_by_administration_and_drive_the_matrix() {
    let demo = DemoOptions {
        workers: 60,
        seed: DEFAULT_SEED,
        today: today(),
    };
    for database in each_backend_with_demo(demo).await {
        let name = database.name;
        let server = demo_backends::open(&database.settings, today()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        let admin = client(&base, DEMO_TOKENS[0]);
        let other = client(&base, DEMO_TOKENS[1]);
        let lecture = client(&base, DEMO_ROLE_USERS[0].0);
        let saisie = client(&base, DEMO_ROLE_USERS[1].0);

        // Two workers become « Cariste » and one of them holds a training of the demo.
        let workers = admin.all_workers(&WorkersQuery::default()).await.unwrap();
        let [first, second] = [&workers[0], &workers[1]];
        for worker in [first, second] {
            let patch = WorkerPatch {
                job: Some(" cariste ".to_owned()),
                ..WorkerPatch::default()
            };
            admin.update_worker(worker.id, &patch).await.unwrap();
        }
        let held = admin.passport(first.id).await.unwrap();
        let code = held
            .entries
            .iter()
            .find(|e| !e.superseded)
            .map(|e| e.training_code.clone())
            .unwrap_or_else(|| "SST".to_owned());

        let list = RequirementList {
            items: vec![
                requirement("Cariste", &code, None),
                requirement("Cariste", "TRAVAIL_EN_HAUTEUR", None),
                requirement("Cariste", "TRAVAIL_EN_HAUTEUR", None),
            ],
        };
        for refused in [&lecture, &saisie] {
            let error = refused.put_requirements(&list).await.unwrap_err();
            assert!(
                error.to_string().contains("« administration »"),
                "{name}: {error}"
            );
        }
        let saved = admin.put_requirements(&list).await.unwrap();
        assert_eq!(saved.items.len(), 2, "{name}: repeated line kept once");
        assert_eq!(lecture.requirements().await.unwrap(), saved, "{name}");
        assert!(
            other.requirements().await.unwrap().items.is_empty(),
            "{name}"
        );

        let wrong = RequirementList {
            items: vec![
                requirement("Cariste", "INCONNUE", None),
                requirement("", "SST", None),
                requirement("Cariste", "SST", Some(600)),
            ],
        };
        match admin.put_requirements(&wrong).await.unwrap_err() {
            ApiError::Invalid { errors } => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                assert_eq!(errors.len(), 3, "{name}: {messages:?}");
                assert!(messages[0].contains("ligne 1 : formation « INCONNUE » inconnue"));
                assert!(messages[1].contains("le poste est vide"));
                assert!(messages[2].contains("plus longue que celle du catalogue"));
            }
            error => panic!("{name}: {error}"),
        }
        assert_eq!(
            admin.requirements().await.unwrap(),
            saved,
            "{name}: unchanged"
        );

        let trail = admin
            .all_audit(&AuditQuery {
                entity: Some("exigences".to_owned()),
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 1, "{name}: one write audited");
        let after = trail[0].after.as_ref().unwrap().to_string();
        assert!(
            after.contains("Cariste → TRAVAIL_EN_HAUTEUR"),
            "{name}: {after}"
        );

        let data = admin.matrix().await.unwrap();
        assert_eq!(data.today, today());
        assert_eq!(
            data.workers.len(),
            workers.len(),
            "{name}: every worker a row"
        );
        let catalogue = Catalogue::embedded().unwrap();
        let matrix = Matrix::build(
            data.workers,
            &data.requirements,
            &catalogue,
            data.today,
            DEFAULT_THRESHOLD_DAYS,
        );
        let mut columns = vec![code.clone(), "TRAVAIL_EN_HAUTEUR".to_owned()];
        columns.sort();
        assert_eq!(matrix.trainings, columns, "{name}");
        let row = |id| matrix.workers.iter().position(|w| w.id == id).unwrap();
        let held_column = matrix.trainings.iter().position(|c| *c == code).unwrap();
        let first_cell = matrix.cell(row(first.id), held_column).unwrap();
        let expected = if held.entries.is_empty() {
            CellStatus::Missing
        } else {
            match held.entries.iter().find(|e| !e.superseded).unwrap().status {
                passeport::domain::expiry::ExpiryStatus::Expired => CellStatus::Expired,
                passeport::domain::expiry::ExpiryStatus::Expiring => CellStatus::Expiring,
                _ => CellStatus::Valid,
            }
        };
        assert_eq!(first_cell.status, expected, "{name}");
        let third = workers
            .iter()
            .find(|w| w.id != first.id && w.id != second.id);
        if let Some(third) = third {
            assert!(
                matrix
                    .row(row(third.id))
                    .iter()
                    .all(|c| c.status == CellStatus::NotRequired),
                "{name}: no requirement for another poste"
            );
        }

        let theirs = other.matrix().await.unwrap();
        assert!(theirs.requirements.is_empty(), "{name}");
        assert!(
            theirs
                .workers
                .iter()
                .all(|w| workers.iter().all(|mine| mine.id != w.id)),
            "{name}: another account's workers are never in the matrix"
        );

        drop((admin, other, lecture, saisie));
        let _ = stop.send(());
        serving.await.unwrap().unwrap();
        database.drop_now().await;
    }
}
