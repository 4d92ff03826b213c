//! An employer's own training records (issue 13): recorded, validated, idempotent, superseding
//! by type, corrected, removed with a reason (kept in the history), invisible to other accounts,
//! and their expiry follows the catalogue in force; on each backend (a real SQLite file, a fresh
//! PostgreSQL database: tests/common/team.rs).

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::{Months, NaiveDate};
use passeport::api::contract::{
    AuditQuery, EntrySource, ExpirationsQuery, NewTrainingRecord, NewWorker, TrainingRecordPatch,
};
use passeport::api::{ApiError, Client};
use passeport::domain::training::Catalogue;
use passeport::domain::worker::WorkerId;
use serde_json::{Value, json};
use team::{Team, nir, on_each_backend, today};

async fn worker(team: &Team, account: usize, n: u32) -> WorkerId {
    let new = NewWorker {
        nir: nir(n),
        last_name: "ROUX".to_owned(),
        first_names: "Léa".to_owned(),
        site: Some("Entrepôt".to_owned()),
        ..NewWorker::default()
    };
    let key = format!("w-{account}-{n}");
    team.client(account)
        .create_worker(&new, &key)
        .await
        .unwrap()
        .0
        .worker
        .id
}

fn caces(end: NaiveDate) -> NewTrainingRecord {
    NewTrainingRecord {
        training_code: "CACES_R489".to_owned(),
        end_date: Some(end),
        organisme: Some("Cariste Formation".to_owned()),
        reference: Some("CACES-2022-118".to_owned()),
        ..NewTrainingRecord::default()
    }
}

/// The end date of a CACES R489 that expires within the month: 4 years 11 months ago.
fn nearly_five_years_ago() -> NaiveDate {
    today().checked_sub_months(Months::new(59)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_reaches_the_passport_and_the_expirations_once() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        let id = worker(team, 0, 1).await;
        let (answer, created) = client
            .create_training(id, &caces(nearly_five_years_ago()), "caces-1")
            .await
            .unwrap();
        assert!(created);
        let entry = &answer.passport.entries[0];
        assert_eq!(entry.training_code, "CACES_R489");
        assert_eq!(entry.origin.source, EntrySource::Recorded);
        assert_eq!(entry.origin.entry_id, Some(answer.entry_id));
        assert_eq!(entry.origin.reference.as_deref(), Some("CACES-2022-118"));
        // 60 months from the end, the day before (catalogue: CACES R489, 60 months).
        let expected = nearly_five_years_ago()
            .checked_add_months(Months::new(60))
            .unwrap()
            .pred_opt()
            .unwrap();
        assert_eq!(entry.expires_on, Some(expected));
        assert_eq!(
            entry.origin.label().as_deref(),
            Some("enregistrée par Menuiserie Martin (réf. CACES-2022-118, le 26/11/2026)")
        );

        // A retry is the same record.
        let (again, created) = client
            .create_training(id, &caces(nearly_five_years_ago()), "caces-1")
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.entry_id, answer.entry_id);
        assert_eq!(again.passport.entries.len(), 1, "written once");

        let page = client
            .expirations(&ExpirationsQuery {
                within_days: Some(60),
                ..ExpirationsQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].worker_id, id);
        assert_eq!(page.items[0].expires_on, expected);
        assert_eq!(page.counts.within_30 + page.counts.within_60, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_validated_corrected_superseded_and_removed_with_a_reason() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        let id = worker(team, 0, 2).await;

        let wrong = NewTrainingRecord {
            training_code: "CACES_R999".to_owned(),
            end_date: NaiveDate::from_ymd_opt(2027, 1, 1),
            validity_start: NaiveDate::from_ymd_opt(2026, 1, 1),
            validity_end: NaiveDate::from_ymd_opt(2025, 1, 1),
            ..NewTrainingRecord::default()
        };
        let Err(ApiError::Invalid { errors }) = client.create_training(id, &wrong, "bad").await
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["training_code", "end_date", "validity_end"]);
        assert!(errors[0].message.contains("absent du catalogue"));

        let sst = |end| NewTrainingRecord {
            training_code: "SST".to_owned(),
            end_date: Some(end),
            ..NewTrainingRecord::default()
        };
        let (old, _) = client
            .create_training(
                id,
                &sst(NaiveDate::from_ymd_opt(2023, 3, 10).unwrap()),
                "sst-1",
            )
            .await
            .unwrap();
        let (mac, _) = client
            .create_training(
                id,
                &NewTrainingRecord {
                    training_code: "MAC_SST".to_owned(),
                    ..sst(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
                },
                "sst-2",
            )
            .await
            .unwrap();
        let superseded = |answer: &passeport::api::contract::TrainingRecordAnswer, entry: i64| {
            answer
                .passport
                .entries
                .iter()
                .find(|e| e.origin.entry_id == Some(entry))
                .map(|e| e.superseded)
        };
        assert_eq!(
            superseded(&mac, old.entry_id),
            Some(true),
            "a MAC SST renews the SST"
        );
        assert_eq!(superseded(&mac, mac.entry_id), Some(false));

        // Correcting the renewal's date before the first SST makes the first one current again.
        let patched = client
            .update_training(
                id,
                mac.entry_id,
                &TrainingRecordPatch {
                    end_date: NaiveDate::from_ymd_opt(2022, 3, 1),
                    ..TrainingRecordPatch::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(superseded(&patched, old.entry_id), Some(false));
        assert_eq!(superseded(&patched, mac.entry_id), Some(true));

        // Removing needs a reason; the record leaves the passport and stays in the history.
        assert!(matches!(
            client.remove_training(id, old.entry_id, "  ").await,
            Err(ApiError::Invalid { .. })
        ));
        let removed = client
            .remove_training(id, old.entry_id, "saisie en double")
            .await
            .unwrap();
        assert_eq!(
            superseded(&removed, old.entry_id),
            None,
            "gone from the passport"
        );
        assert_eq!(
            superseded(&removed, mac.entry_id),
            Some(false),
            "current again"
        );
        assert!(matches!(
            client.remove_training(id, old.entry_id, "encore").await,
            Err(ApiError::NotFound)
        ));
        let history = client.training_history(id).await.unwrap();
        let gone = history.iter().find(|r| r.entry_id == old.entry_id).unwrap();
        assert_eq!(gone.removed_reason.as_deref(), Some("saisie en double"));
        assert_eq!(gone.removed_on, Some(today()));
        assert_eq!(history.len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_account_can_neither_see_nor_touch_a_record() {
    on_each_backend(async |team: &mut Team| {
        let id = worker(team, 0, 3).await;
        let (answer, _) = team
            .client(0)
            .create_training(id, &caces(nearly_five_years_ago()), "c")
            .await
            .unwrap();
        for account in [1, 2] {
            let other = team.client(account);
            let create = other.create_training(id, &caces(today()), "x").await;
            let expected_create = if account == 1 { 404 } else { 403 };
            match create {
                Err(ApiError::NotFound) if expected_create == 404 => {}
                Err(ApiError::Other { status: 403, .. }) if expected_create == 403 => {}
                other => panic!("account {account}: {other:?}"),
            }
            assert!(matches!(
                other
                    .update_training(id, answer.entry_id, &TrainingRecordPatch::default())
                    .await,
                Err(ApiError::NotFound)
            ));
            assert!(matches!(
                other.remove_training(id, answer.entry_id, "vol").await,
                Err(ApiError::NotFound)
            ));
            assert!(matches!(
                other.training_history(id).await,
                Err(ApiError::NotFound)
            ));
        }
        // The other employer employs the same person: it sees none of the first one's records.
        let theirs = worker(team, 1, 3).await;
        assert!(
            team.client(1)
                .passport(theirs)
                .await
                .unwrap()
                .entries
                .is_empty()
        );
        assert_eq!(team.client(0).passport(id).await.unwrap().entries.len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_override_changes_every_stored_expiry() {
    on_each_backend(async |team: &mut Team| {
        let id = worker(team, 0, 4).await;
        team.client(0)
            .create_training(id, &caces(nearly_five_years_ago()), "c")
            .await
            .unwrap();
        let embedded = std::fs::read_to_string("assets/catalogue.toml").unwrap();
        let start = embedded.find("code = \"CACES_R489\"").unwrap();
        let (head, tail) = embedded.split_at(start);
        let shorter = format!(
            "{head}{}",
            tail.replacen("validity_months = 60", "validity_months = 120", 1)
        );
        team.restart(Catalogue::from_toml("catalogue.toml", &shorter).unwrap())
            .await;
        let client = team.client(0);
        let expected = nearly_five_years_ago()
            .checked_add_months(Months::new(120))
            .unwrap()
            .pred_opt()
            .unwrap();
        let passport = client.passport(id).await.unwrap();
        assert_eq!(passport.entries[0].expires_on, Some(expected));
        let soon = client
            .expirations(&ExpirationsQuery {
                within_days: Some(90),
                ..ExpirationsQuery::default()
            })
            .await
            .unwrap();
        assert!(
            soon.items.is_empty(),
            "ten years now: not due within 90 days"
        );
        let all = client
            .expirations(&ExpirationsQuery {
                within_days: Some(3660),
                ..ExpirationsQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(all.items[0].expires_on, expected);
    })
    .await;
}

/// (action, entity id, before, after) of the `formation` audit entries of `client`'s account.
async fn record_trail(client: &Client) -> Vec<(String, String, Option<Value>, Option<Value>)> {
    let query = AuditQuery {
        entity: Some("formation".to_owned()),
        ..AuditQuery::default()
    };
    client
        .all_audit(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.entity_id, e.before, e.after))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_and_a_removal_are_audited_with_their_changed_fields_only() {
    on_each_backend(async |team: &mut Team| {
        let client = team.client(0);
        let id = worker(team, 0, 5).await;
        let end = nearly_five_years_ago();
        let (answer, _) = client.create_training(id, &caces(end), "c").await.unwrap();
        let entry = answer.entry_id;
        let patch = TrainingRecordPatch {
            end_date: end.succ_opt(),
            reference: Some("CACES-2022-119".to_owned()),
            organisme: Some("Cariste Formation".to_owned()),
            ..TrainingRecordPatch::default()
        };
        client.update_training(id, entry, &patch).await.unwrap();
        // Refused: another account's correction, an empty reason, a second removal.
        let other = team.client(1);
        assert!(matches!(
            other.update_training(id, entry, &patch).await,
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            client.remove_training(id, entry, " ").await,
            Err(ApiError::Invalid { .. })
        ));
        client
            .remove_training(id, entry, "saisie en double")
            .await
            .unwrap();
        assert!(matches!(
            client.remove_training(id, entry, "encore").await,
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            client.update_training(id, entry, &patch).await,
            Err(ApiError::NotFound)
        ));
        assert!(record_trail(&other).await.is_empty());

        let trail = record_trail(&client).await;
        let entity = format!("{id}/{entry}");
        assert_eq!(trail.len(), 3, "{trail:?}");
        assert_eq!((trail[0].0.as_str(), &trail[0].1), ("création", &entity));
        assert_eq!(
            trail[1..],
            [
                (
                    "modification".to_owned(),
                    entity.clone(),
                    Some(json!({"end_date": end, "reference": "CACES-2022-118"})),
                    Some(json!({"end_date": end.succ_opt(), "reference": "CACES-2022-119"}))
                ),
                (
                    "retrait".to_owned(),
                    entity.clone(),
                    Some(json!({"removed_on": null, "removed_reason": null})),
                    Some(json!({"removed_on": today(), "removed_reason": "saisie en double"}))
                ),
            ]
        );
    })
    .await;
}
