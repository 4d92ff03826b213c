//! Declarations only their declarant may make (issue 18 §6, finding M7 of the December security
//! review), on each backend: an employer declares for its own SIRET only; a training
//! organisation declares for its trainees' employers; a NIR the account knows under another
//! birth name is refused, field named, and nothing is recorded.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::contract::{DeclarationsQuery, NewSession, NewTrainee, NewWorker};
use passeport::domain::declaration::Declaration;
use team::{EMPLOYER, OTHER_EMPLOYER, Team, nir, on_each_backend};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An SST attestation de formation of one titulaire, ended on 2 June 2026.
fn attestation(reference: &str, nir: &str, name: &str, siret: &str) -> Declaration {
    team::attestation(
        reference,
        "Sauveteur secouriste du travail",
        nir,
        name,
        siret,
    )
}

async fn hire(client: &Client, n: u32, name: &str) {
    let new = NewWorker {
        nir: nir(n),
        last_name: name.to_owned(),
        first_names: "Léa".to_owned(),
        ..NewWorker::default()
    };
    client
        .create_worker(&new, &format!("hire-{n}"))
        .await
        .unwrap();
}

/// The (field, code) pairs of a refusal, which must be a 422.
fn refusal(error: &passeport::api::ApiError) -> Vec<(String, String)> {
    assert!(
        !error.field_errors().is_empty(),
        "a field-level 422, not {error}"
    );
    error
        .field_errors()
        .iter()
        .map(|e| (e.field.clone(), e.code.clone()))
        .collect()
}

async fn declaration_count(client: &Client) -> usize {
    client
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employer_declares_only_for_its_own_siret() {
    on_each_backend(async |team: &mut Team| {
        let employer = team.client(0);
        hire(&employer, 1, "ROUX").await;
        let forged = attestation("EMP-X", &nir(1), "ROUX", OTHER_EMPLOYER);
        let error = employer
            .validate_declaration(&forged)
            .await
            .expect_err("the dry run refuses it too");
        assert_eq!(
            refusal(&error),
            [(
                "titulaires[0].SIRET_EMPLOYEUR".to_owned(),
                "not_own_siret".to_owned()
            )]
        );
        let error = employer
            .create_declaration(&forged, "forged-1")
            .await
            .expect_err("another company's SIRET is refused");
        assert_eq!(refusal(&error)[0].1, "not_own_siret");
        let message = &error.field_errors()[0].message;
        assert!(
            message.contains(OTHER_EMPLOYER) && message.contains(EMPLOYER),
            "{message}"
        );
        assert_eq!(declaration_count(&employer).await, 0, "nothing recorded");

        let own = attestation("EMP-1", &nir(1), "ROUX", EMPLOYER);
        employer.create_declaration(&own, "own-1").await.unwrap();
        let mut spaced = attestation("EMP-2", &nir(1), "ROUX", "356 000 000 00048");
        spaced.titulaires[0].id_unique_partenaire = "EMP-2-1".to_owned();
        employer.create_declaration(&spaced, "own-2").await.unwrap();
        assert_eq!(declaration_count(&employer).await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_nir_under_another_birth_name_is_refused() {
    on_each_backend(async |team: &mut Team| {
        let employer = team.client(0);
        hire(&employer, 2, "LE GOFF").await;
        let forged = attestation("EMP-F", &nir(2), "FAUX", EMPLOYER);
        let error = employer
            .create_declaration(&forged, "faux-1")
            .await
            .expect_err("the name does not match the worker");
        assert_eq!(
            refusal(&error),
            [(
                "titulaires[0].NOM_TITULAIRE".to_owned(),
                "name_mismatch".to_owned()
            )]
        );
        assert!(
            error.field_errors()[0].message.contains("LE GOFF"),
            "{error:?}"
        );
        assert_eq!(declaration_count(&employer).await, 0);
        // Case, accents and separators aside, it is the same name.
        let same = attestation("EMP-G", &nir(2), "Le-Goff", EMPLOYER);
        employer.create_declaration(&same, "goff-1").await.unwrap();
        // A NIR the account does not know passes: only the platform holds the register.
        let unknown = attestation("EMP-U", &nir(3), "NOUVEAU", EMPLOYER);
        employer
            .create_declaration(&unknown, "new-1")
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_declares_for_its_trainees_employers_under_their_names() {
    on_each_backend(async |team: &mut Team| {
        let organisation = team.client(2);
        let session = NewSession {
            training_code: "SST".to_owned(),
            title: "SST juin".to_owned(),
            start_date: Some(date(2026, 6, 1)),
            end_date: Some(date(2026, 6, 2)),
            place: "Rennes".to_owned(),
            organisme: None,
        };
        let (detail, _) = organisation
            .create_session(&session, "session-1")
            .await
            .unwrap();
        let trainee = NewTrainee {
            nir: Some(nir(4)),
            last_name: Some("MARTIN".to_owned()),
            first_names: Some("Jules".to_owned()),
            employer_siret: Some(OTHER_EMPLOYER.to_owned()),
            ..NewTrainee::default()
        };
        organisation
            .enrol_trainee(detail.summary.id, &trainee, "trainee-1")
            .await
            .unwrap();

        // Two employers' SIRETs, neither the organisation's own: both accepted.
        for (n, siret) in [(4, OTHER_EMPLOYER), (5, EMPLOYER)] {
            let name = if n == 4 { "MARTIN" } else { "ROUX" };
            let declaration = attestation(&format!("OF-{n}"), &nir(n), name, siret);
            organisation
                .create_declaration(&declaration, &format!("of-{n}"))
                .await
                .unwrap();
        }
        let forged = attestation("OF-F", &nir(4), "DURAND", OTHER_EMPLOYER);
        let error = organisation
            .create_declaration(&forged, "of-f")
            .await
            .expect_err("its trainee's NIR under another name");
        assert_eq!(
            refusal(&error),
            [(
                "titulaires[0].NOM_TITULAIRE".to_owned(),
                "name_mismatch".to_owned()
            )]
        );
        assert!(error.field_errors()[0].message.contains("stagiaires"));
        assert_eq!(declaration_count(&organisation).await, 2);
    })
    .await;
}
