//! The rules audit's dated examples replayed against the sandbox's demo data on each backend (a
//! real SQLite file, a PostgreSQL database holding the same data: tests/common/demo_backends.rs):
//! one scope rule (keyed on the training end, category from the training type) wherever a status
//! or a deadline is shown, exclusions never « à déclarer », expiries on the last valid day.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/demo_backends.rs"]
mod demo_backends;

use chrono::{Months, NaiveDate};
use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    DeclarationStatus, DeclarationsQuery, ObligationKind, SessionDeclarationStatus, SessionsQuery,
    WorkersQuery,
};
use passeport::api::{ApiError, Client};
use passeport::domain::DeclarationKind;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::training::Catalogue;
use passeport::server::DEMO_TOKENS;
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use tokio::sync::oneshot;

use demo_backends::each_backend_with_demo;

/// The audit's today.
fn today() -> NaiveDate {
    date(2026, 12, 1)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A running server over one backend.
struct Harness {
    base: String,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<Result<(), passeport::server::ServerError>>,
}

/// Runs `body` on a server over the demo data of each backend, one after the other; the
/// backend's name is printed first, so a failure says which.
async fn on_each_backend(body: impl AsyncFn(&Harness)) {
    let demo = DemoOptions {
        workers: 300,
        seed: DEFAULT_SEED,
        today: today(),
    };
    for database in each_backend_with_demo(demo).await {
        eprintln!("== base {}", database.name);
        let harness = Harness::start(&database.settings).await;
        body(&harness).await;
        harness.stop().await;
        database.drop_now().await;
    }
}

impl Harness {
    async fn start(database: &DatabaseSettings) -> Self {
        let server = demo_backends::open(database, today()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Harness {
            base,
            stop,
            serving,
        }
    }

    /// Stops the server and waits for it to close its database.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.serving.await.unwrap().unwrap();
    }

    fn client(&self, index: usize) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, Some(DEMO_TOKENS[index].to_owned()), options).unwrap()
    }

    fn of(&self) -> Client {
        self.client(2)
    }
}

/// An OF attestation « PRAP IBC » ended 10/03/2026, as in the audit (D-7 (1)).
fn prap_attestation(training_code: Option<&str>, id: &str) -> Declaration {
    let mut declaration = Declaration::new(DeclarationKind::Attestation);
    declaration.training_code = training_code.map(str::to_owned);
    declaration.id_declaration = format!("RULES-{id}");
    declaration.reference_declaration = format!("REF-RULES-{id}");
    declaration.nom_formation = "PRAP IBC".to_owned();
    declaration.date_debut_formation = Some(date(2026, 3, 9));
    declaration.date_fin_formation = Some(date(2026, 3, 10));
    declaration.modalite_dispense = Some(Modalite::Presentiel);
    declaration.competence_transferable =
        ["115650", "121885", "400635"].map(str::to_owned).to_vec();
    declaration.qualification_formateur = Some(QualificationFormateur::Preventeur);
    declaration.formation_certifiante = Some(false);
    declaration.domaine_formation = vec!["42829".to_owned()];
    declaration.specialite_formation = vec!["344r".to_owned()];
    declaration.date_debut_validite = Some(date(2026, 3, 10));
    declaration.titulaires = vec![Titulaire {
        id_unique_partenaire: format!("RULES-{id}-1"),
        nir: "1850375112345".to_owned(),
        nom_titulaire: "DUPONT".to_owned(),
        presence_employeur: Some(true),
        siret_employeur: "73282932000074".to_owned(),
        reference_employeur: String::new(),
    }];
    declaration
}

#[tokio::test]
async fn a_category_3_declaration_is_never_late_for_a_period_when_it_was_not_mandatory() {
    on_each_backend(async |harness: &Harness| {
        let of = harness.of();
        let report = of
            .validate_declaration(&prap_attestation(Some("PRAP"), "A"))
            .await
            .unwrap();
        assert_eq!(report.deadline, None, "cat. 3 before 01/07/2026");
        let explanation = report.explanation.unwrap();
        assert_eq!(explanation.obligation, ObligationKind::NonObligatoire);
        assert!(
            explanation.message.contains("01/07/2026"),
            "{}",
            explanation.message
        );
        let (view, _) = of
            .create_declaration(&prap_attestation(Some("PRAP"), "A"), "rules-a")
            .await
            .unwrap();
        assert_eq!(view.summary.status, DeclarationStatus::Enregistree);
        assert_eq!(view.summary.deadline, None);

        // Without its training type the category is unknown: said, not guessed, and not late.
        let report = of
            .validate_declaration(&prap_attestation(None, "B"))
            .await
            .unwrap();
        let explanation = report.explanation.unwrap();
        assert_eq!(explanation.obligation, ObligationKind::CategorieInconnue);
        assert!(
            explanation.message.contains("30/09/2026"),
            "{}",
            explanation.message
        );
        let (view, _) = of
            .create_declaration(&prap_attestation(None, "B"), "rules-b")
            .await
            .unwrap();
        // The date that applies if it is category 1–2 stays shown; it is never « en retard ».
        assert_eq!(view.summary.deadline, Some(date(2026, 9, 30)));
        assert_eq!(view.summary.status, DeclarationStatus::Enregistree);

        // A category 2 training of the same dates was due 30/09/2026: late today, with its label.
        let (view, _) = of
            .create_declaration(&prap_attestation(Some("CACES_R489"), "C"), "rules-c")
            .await
            .unwrap();
        assert_eq!(view.summary.deadline, Some(date(2026, 9, 30)));
        assert_eq!(view.summary.status, DeclarationStatus::EnRetard);
        let report = of
            .validate_declaration(&prap_attestation(Some("CACES_R489"), "D"))
            .await
            .unwrap();
        let explanation = report.explanation.unwrap();
        assert_eq!(explanation.obligation, ObligationKind::Obligatoire);
        assert!(
            explanation.message.contains("[T]"),
            "{}",
            explanation.message
        );
        assert!(
            explanation
                .source
                .as_deref()
                .unwrap()
                .contains("quelles-sont-mes-obligations"),
            "{explanation:?}"
        );
    })
    .await;
}

/// The field errors of a 422.
fn refusal<T: std::fmt::Debug>(result: Result<T, ApiError>) -> Vec<passeport::domain::FieldError> {
    match result {
        Err(ApiError::Invalid { errors }) => errors,
        other => panic!("expected a 422, got {other:?}"),
    }
}

#[tokio::test]
async fn an_excluded_or_unknown_training_type_is_refused_with_the_rule() {
    on_each_backend(async |harness: &Harness| {
        let of = harness.of();
        let errors = refusal(
            of.validate_declaration(&prap_attestation(Some("FORMATEUR_SST"), "E"))
                .await,
        );
        let error = errors.iter().find(|e| e.field == "training_code").unwrap();
        assert_eq!(error.code, "excluded");
        assert!(error.message.contains("art. 4-II-1°"), "{}", error.message);
        let errors = refusal(
            of.create_declaration(&prap_attestation(Some("SSIAP_2"), "F"), "rules-f")
                .await,
        );
        assert!(errors.iter().any(|e| e.message.contains("art. 4-II-3°")));
        let errors = refusal(
            of.validate_declaration(&prap_attestation(Some("INCONNU"), "G"))
                .await,
        );
        assert_eq!(errors[0].code, "unknown");
    })
    .await;
}

#[tokio::test]
async fn sessions_are_a_declarer_only_when_in_scope_and_never_when_excluded() {
    on_each_backend(async |harness: &Harness| {
        let catalogue = Catalogue::embedded().unwrap();
        let rules = DeadlineRules::embedded().unwrap();
        for (index, kind) in [
            (0, passeport::domain::DeclarantKind::Employeur),
            (2, passeport::domain::DeclarantKind::OrganismeFormation),
        ] {
            let sessions = harness
                .client(index)
                .all_sessions(&SessionsQuery::default())
                .await
                .unwrap();
            assert!(!sessions.is_empty());
            let mut out_of_scope = 0;
            for session in &sessions {
                let training = catalogue.get(&session.training_code);
                let from = rules.first_end_in_scope(kind, training);
                let in_scope = from.is_some_and(|from| from <= session.end_date);
                if session.declaration_status == SessionDeclarationStatus::ADeclarer {
                    assert!(in_scope, "{kind:?} {session:?}");
                }
                if !in_scope && session.end_date < today() {
                    out_of_scope += 1;
                    assert_ne!(
                        session.declaration_status,
                        SessionDeclarationStatus::ADeclarer
                    );
                }
            }
            // The demo has past sessions ended before their category was mandatory (audit D-7 (2)).
            assert!(out_of_scope > 0, "{kind:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_catalogue_exposes_exclusions_and_labels() {
    on_each_backend(async |harness: &Harness| {
        let catalogue = harness.of().catalogue().await.unwrap();
        let formateur = catalogue
            .items
            .iter()
            .find(|t| t.code == "FORMATEUR_SST")
            .unwrap();
        assert!(
            formateur
                .exclusion
                .as_ref()
                .unwrap()
                .rule
                .contains("4-II-1°")
        );
        let mac = catalogue
            .items
            .iter()
            .find(|t| t.code == "MAC_SST")
            .unwrap();
        assert_eq!(mac.supersedes, ["SST"]);
    })
    .await;
}

#[tokio::test]
async fn stored_expiries_are_the_last_valid_day_and_demo_statuses_follow_the_scope() {
    on_each_backend(async |harness: &Harness| {
        let catalogue = Catalogue::embedded().unwrap();
        let employer = harness.client(0);
        let workers = employer
            .all_workers(&WorkersQuery::default())
            .await
            .unwrap();
        let mut checked = 0;
        let mut inferred_sst = false;
        for worker in workers.iter().take(60) {
            let passport = employer.passport(worker.id).await.unwrap();
            for entry in &passport.entries {
                // Every category comes with its label, so an inferred one is never shown as a fact.
                let training = catalogue.get(&entry.training_code);
                assert_eq!(
                    Some(entry.category_confidence),
                    training.map(|t| t.category_confidence),
                    "{entry:?}"
                );
                if entry.training_code == "SST" {
                    inferred_sst = true;
                    assert_eq!(
                        entry.category_confidence,
                        passeport::domain::training::Confidence::Inferred
                    );
                }
                let months = catalogue
                    .get(&entry.training_code)
                    .and_then(|t| t.validity_months);
                if let (Some(months), None) = (months, entry.validity_end) {
                    let start = entry.validity_start.unwrap_or(entry.end_date);
                    let next = start.checked_add_months(Months::new(months)).unwrap();
                    let expiry = entry.expires_on.unwrap();
                    // The day before the same date N months later (clamped months end earlier).
                    assert!(expiry < next, "{entry:?}");
                    assert!((next - expiry).num_days() <= 4, "{entry:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "{checked}");
        assert!(inferred_sst, "the demo has SST entries, category [I]");
        for declaration in harness
            .of()
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap()
        {
            if declaration.status == DeclarationStatus::EnRetard {
                assert!(declaration.deadline.is_some(), "{declaration:?}");
            }
        }
    })
    .await;
}
