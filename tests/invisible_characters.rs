//! Invisible format characters in names and identifiers (issue 18 §4, review L5): a zero-width
//! space, a left-to-right or right-to-left mark, the Arabic letter mark, a byte-order mark or a
//! tag character makes two names or two `ID_UNIQUE_PARTENAIRE` look alike while they differ.
//! The API refuses each, field by field, with a 422 naming the field, the character and its
//! position, and records nothing; on SQLite and on PostgreSQL.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use passeport::api::ApiError;
use passeport::api::contract::DeclarationsQuery;
use passeport::api::contract::{NewWorker, WorkersQuery};
use passeport::domain::declaration::Declaration;
use team::{EMPLOYER, attestation, nir, on_each_backend};

/// The characters the review found accepted, with their code as the refusal writes it.
const INVISIBLE: [(char, &str); 6] = [
    ('\u{200E}', "U+200E"),
    ('\u{200F}', "U+200F"),
    ('\u{200B}', "U+200B"),
    ('\u{061C}', "U+061C"),
    ('\u{FEFF}', "U+FEFF"),
    ('\u{E0041}', "U+E0041"),
];

/// The declaration's fields the review found open, each with a way to put `c` in third
/// position of its value.
type Plant = fn(&mut Declaration, char);
const DECLARATION_FIELDS: [(&str, Plant); 6] = [
    ("ID_DECLARATION", |d, c| {
        d.id_declaration = format!("IN{c}V-1")
    }),
    ("REFERENCE_DECLARATION", |d, c| {
        d.reference_declaration = format!("RE{c}F-1")
    }),
    ("NOM_FORMATION", |d, c| {
        d.nom_formation = format!("Ge{c}stes et postures")
    }),
    ("titulaires[0].ID_UNIQUE_PARTENAIRE", |d, c| {
        d.titulaires[0].id_unique_partenaire = format!("PA{c}R-1")
    }),
    ("titulaires[0].NOM_TITULAIRE", |d, c| {
        d.titulaires[0].nom_titulaire = format!("DU{c}PONT")
    }),
    ("titulaires[0].REFERENCE_EMPLOYEUR", |d, c| {
        d.titulaires[0].reference_employeur = format!("MA{c}T-1")
    }),
];

/// Asserts that `result` is a 422 whose errors hold `field` refused for `code` at position 3.
fn assert_refused<T: std::fmt::Debug>(result: Result<T, ApiError>, field: &str, code: &str) {
    let Err(ApiError::Invalid { errors }) = result else {
        panic!("{field} {code}: 422 attendu, obtenu {result:?}");
    };
    let error = errors
        .iter()
        .find(|e| e.field == field)
        .unwrap_or_else(|| panic!("{field} {code}: {errors:?}"));
    assert_eq!(error.code, "invisible_character", "{field} {code}");
    assert!(
        error.message.contains("caractère invisible en position 3")
            && error.message.contains(&format!("({code},")),
        "{field}: {}",
        error.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_declaration_field_refuses_each_invisible_character() {
    on_each_backend(async |team| {
        let organisation = team.client(2);
        let clean = attestation("INV-1", "Gestes et postures", &nir(1), "DUPONT", EMPLOYER);
        organisation.validate_declaration(&clean).await.unwrap();
        for (field, plant) in DECLARATION_FIELDS {
            for (c, code) in INVISIBLE {
                let mut declaration = clean.clone();
                plant(&mut declaration, c);
                assert_refused(
                    organisation.validate_declaration(&declaration).await,
                    field,
                    code,
                );
                assert_refused(
                    organisation
                        .create_declaration(&declaration, &format!("cle-{field}-{code}"))
                        .await,
                    field,
                    code,
                );
            }
        }
        let recorded = organisation
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap();
        assert!(recorded.is_empty(), "nothing recorded: {recorded:?}");
    })
    .await;
}

/// A worker with every name and identifier filled.
fn worker() -> NewWorker {
    NewWorker {
        nir: nir(7),
        last_name: "MARTIN".to_owned(),
        usage_name: Some("DURAND".to_owned()),
        first_names: "Claire".to_owned(),
        birth_date: None,
        site: Some("Lyon".to_owned()),
        service: None,
        job: None,
        employee_number: Some("MAT-7".to_owned()),
        manager: None,
        entry_date: None,
        leaving_date: None,
    }
}

type PlantWorker = fn(&mut NewWorker, char);
const WORKER_FIELDS: [(&str, PlantWorker); 4] = [
    ("last_name", |w, c| w.last_name = format!("MA{c}RTIN")),
    ("usage_name", |w, c| {
        w.usage_name = Some(format!("DU{c}RAND"))
    }),
    ("first_names", |w, c| w.first_names = format!("Cl{c}aire")),
    ("employee_number", |w, c| {
        w.employee_number = Some(format!("MA{c}T-7"))
    }),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_worker_name_and_number_refuses_each_invisible_character() {
    on_each_backend(async |team| {
        let employer = team.client(0);
        for (field, plant) in WORKER_FIELDS {
            for (c, code) in INVISIBLE {
                let mut new = worker();
                plant(&mut new, c);
                assert_refused(
                    employer
                        .create_worker(&new, &format!("cle-{field}-{code}"))
                        .await,
                    field,
                    code,
                );
            }
        }
        let workers = employer
            .all_workers(&WorkersQuery::default())
            .await
            .unwrap();
        assert!(workers.is_empty(), "nothing recorded: {workers:?}");
        employer
            .create_worker(&worker(), "cle-propre")
            .await
            .unwrap();
    })
    .await;
}
