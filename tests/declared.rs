//! Declarations reach passports (issue 13 item 2): each titulaire becomes an entry of the person
//! with that NIR; an organisation's declaration reaches the employer named by SIRET_EMPLOYEUR
//! (« déclarée par <OF> »), and only it; removing the titulaire removes the entry; a training of
//! no catalogue type is « type non reconnu », without expiry, listed by
//! `GET /v1/catalogue/unmapped` until an alias in the catalogue maps it.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::contract::{EntrySource, ExpirationsQuery, NewWorker, Passport, UnmappedTitle};
use passeport::domain::declaration::Declaration;
use passeport::domain::training::Catalogue;
use passeport::domain::worker::WorkerId;
use team::{EMPLOYER, OTHER_EMPLOYER, Team, nir, on_each_backend};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An attestation de formation of ROUX, ended on 2 June 2026.
fn attestation(reference: &str, title: &str, nir: &str, siret: &str) -> Declaration {
    team::attestation(reference, title, nir, "ROUX", siret)
}

async fn hire(client: &Client, n: u32) -> WorkerId {
    let new = NewWorker {
        nir: nir(n),
        last_name: "ROUX".to_owned(),
        first_names: "Léa".to_owned(),
        ..NewWorker::default()
    };
    client
        .create_worker(&new, &format!("hire-{n}"))
        .await
        .unwrap()
        .0
        .worker
        .id
}

fn declared(passport: &Passport) -> Vec<&passeport::api::contract::PassportEntryView> {
    passport
        .entries
        .iter()
        .filter(|e| e.origin.source == EntrySource::Declared)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisations_declaration_reaches_the_employer_it_names_and_only_it() {
    on_each_backend(async |team: &mut Team| {
        let (employer, other, organisation) = (team.client(0), team.client(1), team.client(2));
        let mine = hire(&employer, 1).await;
        let theirs = hire(&other, 1).await;

        let sst = attestation(
            "OF-2026-7",
            "Sauveteur secouriste du travail",
            &nir(1),
            EMPLOYER,
        );
        let (view, _) = organisation.create_declaration(&sst, "of-1").await.unwrap();

        let passport = employer.passport(mine).await.unwrap();
        let entries = declared(&passport);
        assert_eq!(entries.len(), 1, "{:?}", passport.entries);
        let entry = entries[0];
        assert_eq!(entry.training_code, "SST", "mapped by its title");
        assert_eq!(
            entry.expires_on,
            Some(date(2028, 6, 1)),
            "24 months, the day before"
        );
        let day = view.summary.created_at.date_naive().format("%d/%m/%Y");
        assert_eq!(
            entry.origin.label(),
            Some(format!("déclarée par Formapro (réf. OF-2026-7, le {day})")),
            "the day the declaration was recorded"
        );
        let soon = employer
            .expirations(&ExpirationsQuery {
                within_days: Some(3660),
                ..ExpirationsQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(soon.items.len(), 1);
        assert_eq!(soon.items[0].worker_id, mine);

        // The other employer of the same person was not named: it sees nothing.
        assert!(other.passport(theirs).await.unwrap().entries.is_empty());

        // Removing the titulaire removes the entry.
        organisation
            .remove_titulaire(view.summary.id, "OF-2026-7-1")
            .await
            .unwrap();
        assert!(employer.passport(mine).await.unwrap().entries.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_before_the_worker_exists_is_there_when_they_are_recorded() {
    on_each_backend(async |team: &mut Team| {
        let organisation = team.client(2);
        let early = attestation("OF-EARLY", "SST", &nir(2), OTHER_EMPLOYER);
        organisation
            .create_declaration(&early, "early")
            .await
            .unwrap();
        let worker = hire(&team.client(1), 2).await;
        let passport = team.client(1).passport(worker).await.unwrap();
        assert_eq!(declared(&passport).len(), 1);
        assert_eq!(
            declared(&passport)[0].origin.account_name.as_deref(),
            Some("Formapro")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn types_are_mapped_by_certification_then_title_else_not_recognised() {
    on_each_backend(async |team: &mut Team| {
        let employer = team.client(0);
        let worker = hire(&employer, 3).await;

        // The employer's own declaration lands on its worker; its certification names the SST.
        let mut certifying = attestation("EMP-1", "Secourisme en entreprise", &nir(3), EMPLOYER);
        certifying.formation_certifiante = Some(true);
        certifying.certification_visee = "RS5801".to_owned();
        certifying.domaine_formation.clear();
        certifying.specialite_formation.clear();
        employer
            .create_declaration(&certifying, "emp-1")
            .await
            .unwrap();
        let unknown = attestation("EMP-2", "Gestes et postures maison", &nir(3), EMPLOYER);
        employer
            .create_declaration(&unknown, "emp-2")
            .await
            .unwrap();

        let passport = employer.passport(worker).await.unwrap();
        let by_reference = |reference: &str| {
            declared(&passport)
                .into_iter()
                .find(|e| e.origin.reference.as_deref() == Some(reference))
                .cloned()
                .unwrap()
        };
        let sst = by_reference("EMP-1");
        assert_eq!(sst.training_code, "SST", "by RS5801");
        assert!(!sst.origin.unrecognised);
        let other = by_reference("EMP-2");
        assert!(other.origin.unrecognised);
        assert_eq!(other.training_code, "");
        assert_eq!(other.training_title, "Gestes et postures maison");
        assert_eq!(other.expires_on, None, "no type, no expiry");
        assert!(
            other
                .origin
                .label()
                .unwrap()
                .ends_with("— type non reconnu")
        );
    })
    .await;
}

/// The embedded catalogue with `alias` added to the SST's aliases (an override in the config
/// directory).
fn catalogue_with_sst_alias(alias: &str) -> Catalogue {
    let mut catalogue = Catalogue::embedded().unwrap();
    let sst = catalogue
        .types
        .iter_mut()
        .find(|t| t.code == "SST")
        .unwrap();
    sst.aliases.push(alias.to_owned());
    catalogue
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmapped_titles_are_listed_per_account_until_an_alias_maps_them() {
    on_each_backend(async |team: &mut Team| {
    let (employer, other, organisation) = (team.client(0), team.client(1), team.client(2));
    let mine = hire(&employer, 5).await;
    let theirs = hire(&other, 7).await;

    let mut of = attestation("OF-MAISON", "Secourisme  maison", &nir(5), EMPLOYER);
    let mut second = of.titulaires[0].clone();
    second.id_unique_partenaire = "OF-MAISON-2".to_owned();
    second.nir = nir(6);
    second.siret_employeur = "73282932000074".to_owned();
    of.titulaires.push(second);
    organisation
        .create_declaration(&of, "of-maison")
        .await
        .unwrap();
    let own = attestation("LEROY-1", "Nacelle maison", &nir(7), OTHER_EMPLOYER);
    other.create_declaration(&own, "leroy-1").await.unwrap();

    let titles = |items: Vec<UnmappedTitle>| -> Vec<(String, u64, Option<String>)> {
        items
            .into_iter()
            .map(|t| (t.title, t.entries, t.last_reference))
            .collect()
    };
    let listed = employer.unmapped_titles().await.unwrap().items;
    assert_eq!(
        titles(listed.clone()),
        [(
            "Secourisme  maison".to_owned(),
            1,
            Some("OF-MAISON".to_owned())
        )],
        "the entry an OF declared with its SIRET, not another SIRET's nor the other employer's title"
    );
    assert!(listed[0].last_declared_on.is_some());
    assert_eq!(
        titles(organisation.unmapped_titles().await.unwrap().items),
        [(
            "Secourisme  maison".to_owned(),
            2,
            Some("OF-MAISON".to_owned())
        )],
        "both titulaires it declared"
    );
    assert_eq!(
        titles(other.unmapped_titles().await.unwrap().items),
        [("Nacelle maison".to_owned(), 1, Some("LEROY-1".to_owned()))],
        "only its own declaration"
    );

    // An alias in the catalogue override, then a restart: the entries take the type.
    team.restart(catalogue_with_sst_alias("Secourisme maison"))
        .await;
    let (employer, other, organisation) = (team.client(0), team.client(1), team.client(2));
    assert!(employer.unmapped_titles().await.unwrap().items.is_empty());
    assert!(
        organisation
            .unmapped_titles()
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(other.unmapped_titles().await.unwrap().items.len(), 1);
    let passport = employer.passport(mine).await.unwrap();
    let entry = declared(&passport)[0];
    assert_eq!(entry.training_code, "SST");
    assert!(!entry.origin.unrecognised);
    assert_eq!(
        entry.expires_on,
        Some(date(2028, 6, 1)),
        "the SST's 24 months"
    );
    let soon = employer
        .expirations(&ExpirationsQuery {
            within_days: Some(3660),
            ..ExpirationsQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(soon.items.len(), 1, "Échéances agrees");
    assert!(
        declared(&other.passport(theirs).await.unwrap())[0]
            .origin
            .unrecognised
    );
    })
    .await;
}
