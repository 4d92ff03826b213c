//! The sandbox server on loopback, seeded with a small demo and a frozen today, driven by the
//! real client (and raw HTTP where the client hides the details): every test runs on a fresh
//! SQLite file, then on a fresh PostgreSQL database when `PASSEPORT_TEST_DATABASE_URL` names a
//! server (tests/common/databases.rs).

#[path = "common/databases.rs"]
mod databases;

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    DeclarationStatus, DeclarationsQuery, ExpirationsQuery, ExportFormat, SessionDeclarationStatus,
    SessionsQuery, WorkersQuery,
};
use passeport::api::{ApiError, Client};
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{
    Declaration, Modalite, ModeObtention, QualificationFormateur, Titulaire, TypeJdr,
};
use passeport::domain::expiry::ExpiryStatus;
use passeport::domain::ids::Siret;
use passeport::domain::session::TraineeOutcome;
use passeport::domain::training::Catalogue;
use passeport::domain::worker::WorkerId;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::server::database::DatabaseSettings;
use passeport::server::demo::{DEFAULT_SEED, DemoOptions};
use passeport::server::{DEMO_TOKENS, Server, ServerOptions};
use tokio::sync::oneshot;

use databases::each_backend;

/// SIRET of the extra training organisation created by the tests (La Poste head office).
const EXTRA_SIRET: &str = "35600000000048";

fn today() -> NaiveDate {
    date(2026, 11, 26)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A running server over a demo database of one backend.
struct Harness {
    base: String,
    extra_token: String,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<Result<(), passeport::server::ServerError>>,
}

/// Runs `test` against a fresh demo server on each backend (tests/common/databases.rs), one
/// after the other; the backend is printed first, so a failure names it.
async fn on_each_backend(test: impl AsyncFn(&Harness)) {
    for database in each_backend().await {
        eprintln!("== backend {}", database.name);
        let h = Harness::start(&database.settings).await;
        test(&h).await;
        h.stop().await;
        database.drop_now().await;
    }
}

impl Harness {
    async fn start(settings: &DatabaseSettings) -> Self {
        let options = ServerOptions {
            db_path: PathBuf::new(),
            demo: Some(DemoOptions {
                workers: 200,
                seed: DEFAULT_SEED,
                today: today(),
            }),
            today: Some(today()),
        };
        let server = Server::open_on(
            settings,
            options,
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        assert!(server.is_demo());
        let siret: Siret = EXTRA_SIRET.parse().unwrap();
        server
            .create_account(
                DeclarantKind::OrganismeFormation,
                &siret,
                "Organisme de test",
                Some(&"11755555555".parse().unwrap()),
            )
            .await
            .unwrap();
        assert!(
            server
                .create_account(DeclarantKind::Employeur, &siret, "Doublon", None)
                .await
                .is_err()
        );
        let extra_token = server.create_token(&siret).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Harness {
            base,
            extra_token,
            stop,
            serving,
        }
    }

    /// Stops the server and waits until it has closed its database.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.serving.await.unwrap().unwrap();
    }

    fn client(&self, token: Option<&str>) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, token.map(str::to_owned), options).unwrap()
    }

    fn demo(&self, index: usize) -> Client {
        self.client(Some(DEMO_TOKENS[index]))
    }

    fn extra(&self) -> Client {
        self.client(Some(&self.extra_token))
    }

    async fn raw_get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }
}

fn titulaire(id: &str, nir: &str, name: &str) -> Titulaire {
    Titulaire {
        id_unique_partenaire: id.to_owned(),
        nir: nir.to_owned(),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(true),
        siret_employeur: "73282932000074".to_owned(),
        reference_employeur: "MAT-0001".to_owned(),
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// A valid, non-certifying attestation de formation with two titulaires.
fn adf() -> Declaration {
    Declaration {
        id_declaration: "DECL-A".to_owned(),
        reference_declaration: "REF-A".to_owned(),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 6, 1)),
        date_fin_formation: Some(date(2026, 6, 2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829", "42866"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(date(2026, 6, 2)),
        date_fin_validite: Some(date(2028, 6, 2)),
        titulaires: vec![
            titulaire("A-1", "1850375112345", "DUPONT"),
            titulaire("A-2", "2900612345678", "LEFÈVRE"),
        ],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// A valid justificatif de réussite with a certifying training.
fn jdr() -> Declaration {
    Declaration {
        kind: DeclarationKind::Justificatif,
        id_declaration: "DECL-J".to_owned(),
        reference_declaration: "REF-J".to_owned(),
        type_jdr: Some(TypeJdr::Certificat),
        nom_jdr: "Certificat SST".to_owned(),
        mode_obtention: Some(ModeObtention::ParAdmission),
        presence_formation: Some(true),
        formation_certifiante: Some(true),
        certification_visee: "RS5801".to_owned(),
        domaine_formation: Vec::new(),
        specialite_formation: Vec::new(),
        resultat_obtenu: "Admis".to_owned(),
        titulaires: vec![titulaire("J-1", "1850375112345", "DUPONT")],
        ..adf()
    }
}

#[tokio::test]
async fn health_auth_catalogue_and_openapi() {
    on_each_backend(async |h| {
        let anonymous = h.client(None);
        assert_eq!(anonymous.health().await.unwrap().status, "ok");
        assert!(matches!(anonymous.me().await, Err(ApiError::Unauthorized)));
        assert!(matches!(
            h.client(Some("jeton-inconnu")).me().await,
            Err(ApiError::Unauthorized)
        ));
        let response = h.raw_get("/v1/workers", None).await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );

        let expected = [
            (DeclarantKind::Employeur, "ACME"),
            (DeclarantKind::Employeur, "Durand"),
            (DeclarantKind::OrganismeFormation, "Formaprev"),
        ];
        for (index, (kind, name)) in expected.iter().enumerate() {
            let me = h.demo(index).me().await.unwrap();
            assert_eq!(me.kind, *kind);
            assert!(me.name.contains(name), "{}", me.name);
            assert!(me.sandbox);
            assert_eq!(me.nda.is_some(), *kind == DeclarantKind::OrganismeFormation);
        }
        let extra = h.extra().me().await.unwrap();
        assert_eq!(
            (extra.siret.as_str(), extra.nda.as_deref()),
            (EXTRA_SIRET, Some("11755555555"))
        );

        let catalogue = h.demo(0).catalogue().await.unwrap();
        assert!(catalogue.items.iter().any(|t| t.code == "SST"));

        let unknown = h.raw_get("/v1/nulle-part", Some(DEMO_TOKENS[0])).await;
        assert_eq!(unknown.status(), 404);
        assert_eq!(
            unknown.headers()["content-type"],
            "application/problem+json"
        );

        let openapi = anonymous.openapi().await.unwrap();
        let routes = [
            ("/healthz", "get"),
            ("/v1/openapi.json", "get"),
            ("/v1/me", "get"),
            ("/v1/catalogue", "get"),
            ("/v1/workers", "get"),
            ("/v1/workers", "post"),
            ("/v1/workers/{id}", "get"),
            ("/v1/workers/{id}", "patch"),
            ("/v1/workers/{id}/archive", "post"),
            ("/v1/workers/{id}/trainings", "post"),
            ("/v1/workers/{id}/trainings", "get"),
            ("/v1/workers/{id}/trainings/{entry_id}", "patch"),
            ("/v1/workers/{id}/trainings/{entry_id}", "delete"),
            ("/v1/workers/{id}/passport", "get"),
            ("/v1/sessions", "get"),
            ("/v1/sessions/{id}", "get"),
            ("/v1/expirations", "get"),
            ("/v1/declarations/validate", "post"),
            ("/v1/declarations", "post"),
            ("/v1/declarations", "get"),
            ("/v1/declarations/export", "get"),
            ("/v1/declarations/{id}", "get"),
            (
                "/v1/declarations/{id}/titulaires/{id_unique_partenaire}",
                "delete",
            ),
            ("/v1/exports", "post"),
            ("/v1/exports", "get"),
            ("/v1/exports/{id}", "get"),
            ("/v1/exports/{id}/file", "get"),
            ("/v1/exports/{id}/answer", "post"),
            ("/v1/sessions", "post"),
            ("/v1/sessions/{id}", "patch"),
            ("/v1/sessions/{id}/trainees", "post"),
            ("/v1/sessions/{id}/trainees/{worker_id}", "put"),
            ("/v1/sessions/{id}/trainees/{worker_id}", "delete"),
            ("/v1/sessions/{id}/close", "post"),
            ("/v1/catalogue/unmapped", "get"),
            ("/v1/verifications", "get"),
            ("/v1/verifications/undeclared", "get"),
            ("/v1/verifications/{line}/verify", "post"),
            ("/v1/verifications/{line}/request-correction", "post"),
            ("/v1/audit", "get"),
            ("/v1/requirements", "get"),
            ("/v1/requirements", "put"),
            ("/v1/matrix", "get"),
        ];
        let paths = openapi["paths"].as_object().unwrap();
        for (path, method) in routes {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path}"
            );
        }
        let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(
            documented,
            routes.len(),
            "a route is documented but not tested here"
        );
        assert!(openapi["components"]["securitySchemes"]["bearer"].is_object());
    })
    .await;
}

#[tokio::test]
async fn pagination_walks_every_list_without_gaps_or_duplicates() {
    on_each_backend(async |h| {
        for index in 0..3 {
            let client = h.demo(index);
            let all = client.all_workers(&WorkersQuery::default()).await.unwrap();
            assert!(!all.is_empty());
            let mut walked = Vec::new();
            let mut cursor = None;
            loop {
                let query = WorkersQuery {
                    q: None,
                    limit: Some(7),
                    cursor,
                    archived: None,
                };
                let page = client.workers(&query).await.unwrap();
                assert!(page.items.len() <= 7);
                walked.extend(page.items.iter().map(|w| w.id));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(walked, all.iter().map(|w| w.id).collect::<Vec<_>>());
            assert!(
                walked.windows(2).all(|pair| pair[0] < pair[1]),
                "ids strictly increasing"
            );

            let sessions = client
                .all_sessions(&SessionsQuery::default())
                .await
                .unwrap();
            let mut walked = Vec::new();
            let mut cursor = None;
            loop {
                let page = client
                    .sessions(&SessionsQuery {
                        limit: Some(3),
                        cursor,
                        ..SessionsQuery::default()
                    })
                    .await
                    .unwrap();
                walked.extend(page.items.iter().map(|s| s.id));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(walked, sessions.iter().map(|s| s.id).collect::<Vec<_>>());
            assert_eq!(walked.iter().collect::<HashSet<_>>().len(), walked.len());
            assert!(
                sessions
                    .windows(2)
                    .all(|p| (p[0].end_date, p[0].id) > (p[1].end_date, p[1].id))
            );

            let everything = client
                .all_expirations(&ExpirationsQuery::default())
                .await
                .unwrap();
            let mut walked = Vec::new();
            let mut cursor = None;
            loop {
                let query = ExpirationsQuery {
                    limit: Some(4),
                    cursor,
                    ..ExpirationsQuery::default()
                };
                let page = client.expirations(&query).await.unwrap();
                walked.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(walked, everything.items);
        }
        let declarations = h
            .demo(2)
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap();
        assert!(
            declarations.len() >= 2,
            "the demo OF has recorded declarations"
        );
        let mut walked = Vec::new();
        let mut cursor = None;
        loop {
            let query = DeclarationsQuery {
                status: None,
                limit: Some(1),
                cursor,
            };
            let page = h.demo(2).declarations(&query).await.unwrap();
            walked.extend(page.items.iter().map(|d| d.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(
            walked,
            declarations.iter().map(|d| d.id).collect::<Vec<_>>()
        );

        for bad in [
            "/v1/workers?cursor=zz",
            "/v1/workers?limit=0",
            "/v1/workers?limit=5001",
            "/v1/sessions?cursor=abc",
            "/v1/expirations?within_days=beaucoup",
            "/v1/declarations?status=inconnu",
        ] {
            let response = h.raw_get(bad, Some(DEMO_TOKENS[0])).await;
            assert_eq!(response.status(), 400, "{bad}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{bad}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn tenancy_hides_other_accounts_data_behind_404() {
    on_each_backend(async |h| {
        let clients: Vec<Client> = (0..3).map(|i| h.demo(i)).collect();
        let mut workers = Vec::new();
        let mut sessions = Vec::new();
        let mut declarations = Vec::new();
        for client in &clients {
            let ids: BTreeSet<i64> = client
                .all_workers(&WorkersQuery::default())
                .await
                .unwrap()
                .iter()
                .map(|w| w.id)
                .collect();
            workers.push(ids);
            let ids: BTreeSet<i64> = client
                .all_sessions(&SessionsQuery::default())
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect();
            sessions.push(ids);
            let ids: BTreeSet<i64> = client
                .all_declarations(&DeclarationsQuery::default())
                .await
                .unwrap()
                .iter()
                .map(|d| d.id)
                .collect();
            declarations.push(ids);
        }
        assert!(
            workers[0].is_disjoint(&workers[1]),
            "employers share no worker"
        );
        assert_eq!(workers[0].len() + workers[1].len(), 200);
        assert!(
            workers[2]
                .iter()
                .all(|id| workers[0].contains(id) || workers[1].contains(id))
        );
        assert!(sessions.iter().all(|s| !s.is_empty()));

        let missing = h
            .raw_get("/v1/workers/99999999", Some(DEMO_TOKENS[0]))
            .await;
        assert_eq!(missing.status(), 404);
        let missing_body = missing.text().await.unwrap();
        for (me, client) in clients.iter().enumerate() {
            for other in (0..3).filter(|&o| o != me) {
                for id in workers[other].difference(&workers[me]).take(5) {
                    assert!(matches!(client.worker(*id).await, Err(ApiError::NotFound)));
                    assert!(matches!(
                        client.passport(*id).await,
                        Err(ApiError::NotFound)
                    ));
                    let body = h
                        .raw_get(&format!("/v1/workers/{id}"), Some(DEMO_TOKENS[me]))
                        .await
                        .text()
                        .await
                        .unwrap();
                    assert_eq!(body, missing_body, "same body as a missing id");
                }
                for id in sessions[other].difference(&sessions[me]).take(5) {
                    assert!(matches!(client.session(*id).await, Err(ApiError::NotFound)));
                }
                for id in &declarations[other] {
                    assert!(matches!(
                        client.declaration(*id).await,
                        Err(ApiError::NotFound)
                    ));
                    assert!(matches!(
                        client.remove_titulaire(*id, "PP-1-1").await,
                        Err(ApiError::NotFound)
                    ));
                }
            }
            for id in workers[me].iter().take(3) {
                assert_eq!(client.worker(*id).await.unwrap().id, *id);
                assert_eq!(client.passport(*id).await.unwrap().worker.id, *id);
            }
        }

        // A training organisation sees only the passport entries of its own sessions.
        let of_sessions = &sessions[2];
        let mut seen = 0;
        for id in workers[2].iter().take(20) {
            let passport = clients[2].passport(*id).await.unwrap();
            seen += passport.entries.len();
            for entry in &passport.entries {
                assert!(entry.session_id.is_some_and(|s| of_sessions.contains(&s)));
            }
        }
        assert!(
            seen > 0,
            "the training organisation sees its trainees' entries"
        );
        // Employers see session ids only for their own sessions.
        for me in 0..2 {
            for id in workers[me].iter().take(20) {
                for entry in clients[me].passport(*id).await.unwrap().entries {
                    if let Some(session) = entry.session_id {
                        assert!(sessions[me].contains(&session));
                    }
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn search_passport_and_expirations() {
    on_each_backend(async |h| {
        let client = h.demo(0);
        let query = WorkersQuery {
            q: Some("Dupont m".to_owned()),
            ..WorkersQuery::default()
        };
        let found = client.all_workers(&query).await.unwrap();
        assert!(!found.is_empty(), "the demo has a DUPONT M… at ACME");
        assert!(found.iter().all(|w| {
            w.last_name.to_uppercase().contains("DUPONT")
                || w.usage_name
                    .as_deref()
                    .is_some_and(|u| u.to_uppercase().contains("DUPONT"))
        }));
        let lower = WorkersQuery {
            q: Some("dupont".to_owned()),
            ..WorkersQuery::default()
        };
        assert!(client.all_workers(&lower).await.unwrap().len() >= found.len());
        let someone = &found[0];
        let by_nir = WorkersQuery {
            q: Some(someone.nir.as_str().to_owned()),
            ..WorkersQuery::default()
        };
        let by_nir = client.all_workers(&by_nir).await.unwrap();
        assert_eq!(
            by_nir.iter().map(|w| w.id).collect::<Vec<_>>(),
            vec![someone.id]
        );

        let passport = client.passport(someone.id).await.unwrap();
        assert_eq!(passport.today, today());
        assert!(
            passport
                .entries
                .windows(2)
                .all(|p| p[0].end_date >= p[1].end_date)
        );
        for entry in &passport.entries {
            match entry.expires_on {
                None => assert_eq!(entry.status, ExpiryStatus::NoExpiry),
                Some(expiry) => {
                    assert_eq!(entry.days_left, Some((expiry - today()).num_days()));
                    assert_eq!(entry.status == ExpiryStatus::Expired, expiry < today());
                }
            }
        }

        for index in 0..3 {
            let client = h.demo(index);
            let page = client
                .all_expirations(&ExpirationsQuery::default())
                .await
                .unwrap();
            assert_eq!(page.today, today());
            let horizon = date(2027, 2, 24);
            assert!(page.items.iter().all(|i| i.expires_on <= horizon));
            // Each item names the worker's employer (a training organisation's column).
            for item in &page.items {
                let worker = client.worker(item.worker_id).await.unwrap();
                assert_eq!(item.employer, worker.employer_name);
            }
            assert!(
                page.items
                    .windows(2)
                    .all(|p| p[0].expires_on <= p[1].expires_on)
            );
            let c = page.counts;
            assert_eq!(
                (c.expired + c.within_30 + c.within_60 + c.within_90) as usize,
                page.items.len()
            );
            let expired = page
                .items
                .iter()
                .filter(|i| i.status == ExpiryStatus::Expired)
                .count();
            assert_eq!(expired as u64, c.expired);
            assert!(
                page.items
                    .iter()
                    .all(|i| i.days_left == (i.expires_on - today()).num_days())
            );
            if index == 0 {
                assert!(c.expired > 0 && c.within_30 + c.within_60 + c.within_90 > 0);
                let first = &page.items[0];
                let query = ExpirationsQuery {
                    training: Some(first.training_code.clone()),
                    site: Some(first.site.clone()),
                    ..ExpirationsQuery::default()
                };
                let filtered = client.all_expirations(&query).await.unwrap();
                assert!(!filtered.items.is_empty());
                assert!(
                    filtered
                        .items
                        .iter()
                        .all(|i| i.training_code == first.training_code && i.site == first.site)
                );
                let wide = ExpirationsQuery {
                    within_days: Some(3000),
                    ..ExpirationsQuery::default()
                };
                let wide = client.all_expirations(&wide).await.unwrap();
                assert!(wide.items.len() > page.items.len());
                assert_eq!(
                    wide.counts, page.counts,
                    "counts do not depend on the window"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn session_statuses_agree_with_trainees() {
    on_each_backend(async |h| {
        let mut declared_somewhere = false;
        let catalogue = Catalogue::embedded().unwrap();
        let rules = DeadlineRules::embedded().unwrap();
        let kinds = [
            DeclarantKind::Employeur,
            DeclarantKind::Employeur,
            DeclarantKind::OrganismeFormation,
        ];
        for (index, kind) in kinds.into_iter().enumerate() {
            let client = h.demo(index);
            let all = client
                .all_sessions(&SessionsQuery::default())
                .await
                .unwrap();
            for summary in &all {
                let detail = client.session(summary.id).await.unwrap();
                assert_eq!(detail.summary, *summary);
                assert_eq!(detail.trainees.len() as u32, summary.trainee_count);
                let present: Vec<_> = detail
                    .trainees
                    .iter()
                    .filter(|t| {
                        matches!(
                            t.outcome,
                            passeport::domain::session::TraineeOutcome::Passed
                                | passeport::domain::session::TraineeOutcome::Attended
                        )
                    })
                    .collect();
                declared_somewhere |= detail.trainees.iter().any(|t| t.declared);
                // In scope: the session's training type is not excluded and its category was
                // mandatory for this declarant on the session's end date (rules audit D-7).
                let in_scope = rules
                    .first_end_in_scope(kind, catalogue.get(&summary.training_code))
                    .is_some_and(|from| from <= summary.end_date);
                let expected = if summary.end_date >= today() {
                    SessionDeclarationStatus::EnCours
                } else if present.is_empty() {
                    SessionDeclarationStatus::NonConcernee
                } else if present.iter().all(|t| t.declared) {
                    SessionDeclarationStatus::Declaree
                } else if !in_scope {
                    SessionDeclarationStatus::NonConcernee
                } else {
                    SessionDeclarationStatus::ADeclarer
                };
                assert_eq!(
                    summary.declaration_status, expected,
                    "session {}",
                    summary.id
                );
            }
            let mut union = 0;
            for status in [
                SessionDeclarationStatus::EnCours,
                SessionDeclarationStatus::ADeclarer,
                SessionDeclarationStatus::Declaree,
                SessionDeclarationStatus::NonConcernee,
            ] {
                let query = SessionsQuery {
                    status: Some(status),
                    ..SessionsQuery::default()
                };
                let some = client.all_sessions(&query).await.unwrap();
                assert!(some.iter().all(|s| s.declaration_status == status));
                union += some.len();
            }
            assert_eq!(union, all.len());
            let window = SessionsQuery {
                from: Some(date(2026, 1, 1)),
                to: Some(date(2026, 6, 30)),
                ..SessionsQuery::default()
            };
            for s in client.all_sessions(&window).await.unwrap() {
                assert!(s.end_date >= date(2026, 1, 1) && s.start_date <= date(2026, 6, 30));
            }
        }
        assert!(
            declared_somewhere,
            "the demo declarations mark their trainees declared"
        );
    })
    .await;
}

#[tokio::test]
async fn declaring_a_session_marks_its_trainees_declared() {
    on_each_backend(async |h| {
        let of = h.demo(2);
        let query = SessionsQuery {
            status: Some(SessionDeclarationStatus::ADeclarer),
            ..SessionsQuery::default()
        };
        let pending = of.all_sessions(&query).await.unwrap();
        let session = pending
            .first()
            .expect("the demo OF has a session to declare");
        let detail = of.session(session.id).await.unwrap();
        let to_declare: Vec<_> = detail
            .trainees
            .iter()
            .filter(|t| {
                !t.declared
                    && matches!(t.outcome, TraineeOutcome::Passed | TraineeOutcome::Attended)
            })
            .collect();
        assert!(!to_declare.is_empty());
        // Validity declared from the day after the session: the Passeport follows the declaration.
        let declared_start = session.end_date + chrono::Days::new(1);
        // A short declared validity, so that Échéances lists it (UX review 2026-12, finding 23).
        let declared_end = session.end_date + chrono::Days::new(41);
        let declaration = Declaration {
            id_declaration: format!("SESSION-{}", session.id),
            nom_formation: session.title.chars().take(250).collect(),
            date_debut_formation: Some(session.start_date),
            date_fin_formation: Some(session.end_date),
            date_debut_validite: Some(declared_start),
            date_fin_validite: Some(declared_end),
            titulaires: to_declare
                .iter()
                .map(|t| Titulaire {
                    id_unique_partenaire: String::new(),
                    nir: t.nir.clone(),
                    nom_titulaire: t.last_name.clone(),
                    presence_employeur: Some(true),
                    siret_employeur: t.employer_siret.clone(),
                    reference_employeur: String::new(),
                })
                .collect(),
            ..adf()
        };
        let (view, created) = of
            .create_declaration(&declaration, "session-1")
            .await
            .unwrap();
        assert!(created);
        assert_eq!(view.summary.titulaire_count as usize, to_declare.len());
        let after = of.session(session.id).await.unwrap();
        assert!(after.trainees.iter().all(|t| t.declared
            || !matches!(t.outcome, TraineeOutcome::Passed | TraineeOutcome::Attended)));
        assert_eq!(
            after.summary.declaration_status,
            SessionDeclarationStatus::Declaree
        );
        let passport = of.passport(to_declare[0].worker_id).await.unwrap();
        let entry = passport
            .entries
            .iter()
            .find(|e| e.session_id == Some(session.id))
            .expect("the session's entry is on the Passeport");
        assert_eq!(entry.end_date, session.end_date);
        assert_eq!(
            entry.validity_start,
            Some(declared_start),
            "the Passeport shows the declared validity, not the session's"
        );
        // Échéances agrees: the declared end of validity is the expiry.
        let expiries = |worker: WorkerId| {
            let of = &of;
            let code = session.training_code.clone();
            async move {
                let query = ExpirationsQuery {
                    within_days: Some(90),
                    ..ExpirationsQuery::default()
                };
                of.all_expirations(&query)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .filter(|i| i.worker_id == worker && i.training_code == code)
                    .map(|i| i.expires_on)
                    .collect::<Vec<_>>()
            }
        };
        let first_worker = to_declare[0].worker_id;
        assert_eq!(
            expiries(first_worker).await,
            vec![declared_end],
            "Échéances shows the declared end of validity"
        );

        // Withdrawing a titulaire puts the session back to declare, and its entry back to the
        // session's own validity.
        let first = &view.declaration.titulaires[0];
        assert_eq!(first.nir, to_declare[0].nir);
        of.remove_titulaire(view.summary.id, &first.id_unique_partenaire)
            .await
            .unwrap();
        let again = of.session(session.id).await.unwrap();
        assert_eq!(
            again.summary.declaration_status,
            SessionDeclarationStatus::ADeclarer
        );
        assert!(
            !expiries(first_worker).await.contains(&declared_end),
            "the withdrawn titulaire's entry no longer takes the declared dates"
        );
        if let Some(second) = to_declare.get(1) {
            assert_eq!(expiries(second.worker_id).await, vec![declared_end]);
        }
    })
    .await;
}

#[tokio::test]
async fn declarations_are_idempotent_validated_and_correctable() {
    on_each_backend(async |h| {
        let of = h.extra();
        let declaration = adf();

        let report = of.validate_declaration(&declaration).await.unwrap();
        assert!(report.valid);
        assert_eq!(report.deadline, Some(date(2026, 12, 31)));

        let raw = reqwest::Client::new()
            .post(format!("{}/v1/declarations", h.base))
            .bearer_auth(&h.extra_token)
            .json(&declaration)
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), 400, "Idempotency-Key is required");

        let (created, is_new) = of.create_declaration(&declaration, "cle-1").await.unwrap();
        assert!(is_new);
        assert_eq!(created.summary.status, DeclarationStatus::Enregistree);
        assert_eq!(created.summary.deadline, Some(date(2026, 12, 31)));
        assert_eq!(created.summary.titulaire_count, 2);
        assert_eq!(created.declaration, declaration);
        let (again, is_new) = of.create_declaration(&declaration, "cle-1").await.unwrap();
        assert!(!is_new);
        assert_eq!(again, created);
        let listed = of
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![created.summary.id]
        );

        let mut other = declaration.clone();
        other.reference_declaration = "REF-AUTRE".to_owned();
        assert!(matches!(
            of.create_declaration(&other, "cle-1").await,
            Err(ApiError::Conflict { .. })
        ));
        // Keys are per account: another account may use the same key.
        // An employer declares under its own SIRET (demo-employeur's).
        let mut own = titulaire("E-1", "1850375112345", "X");
        own.siret_employeur = "41287396000022".to_owned();
        let employer_decl = Declaration {
            titulaires: vec![own],
            ..adf()
        };
        let (by_employer, is_new) = h
            .demo(0)
            .create_declaration(&employer_decl, "cle-1")
            .await
            .unwrap();
        assert!(is_new);
        assert_ne!(by_employer.summary.id, created.summary.id);
        // An ID_UNIQUE_PARTENAIRE already declared elsewhere is a double declaration.
        assert!(matches!(
            of.create_declaration(&other, "cle-2").await,
            Err(ApiError::Conflict { .. })
        ));

        // Empty identifiers are assigned by the server.
        let mut anonymous = adf();
        anonymous.id_declaration.clear();
        anonymous.reference_declaration.clear();
        for t in &mut anonymous.titulaires {
            t.id_unique_partenaire.clear();
        }
        let (assigned, _) = of.create_declaration(&anonymous, "cle-3").await.unwrap();
        let id = assigned.summary.id;
        assert_eq!(assigned.declaration.id_declaration, format!("PP-{id}"));
        assert_eq!(assigned.summary.reference, format!("REF-{id}"));
        let partners: Vec<_> = assigned
            .declaration
            .titulaires
            .iter()
            .map(|t| t.id_unique_partenaire.clone())
            .collect();
        assert_eq!(partners, vec![format!("PP-{id}-1"), format!("PP-{id}-2")]);

        // A category 2 training ended in October 2025 was due by 30 September 2026: recorded late.
        // (Of unknown type, it would not be: only categories 1–2 were mandatory then.)
        let late = Declaration {
            training_code: Some("HAB_ELEC_B0_H0".to_owned()),
            nom_formation: "Habilitation électrique B0 H0".to_owned(),
            date_debut_formation: Some(date(2025, 10, 6)),
            date_fin_formation: Some(date(2025, 10, 7)),
            date_debut_validite: Some(date(2025, 10, 7)),
            titulaires: vec![titulaire("L-1", "1850375112345", "DUPONT")],
            ..adf()
        };
        let (late, _) = of.create_declaration(&late, "cle-4").await.unwrap();
        assert_eq!(late.summary.status, DeclarationStatus::EnRetard);
        assert_eq!(late.summary.deadline, Some(date(2026, 9, 30)));

        // The platform's only correction: remove titulaires one by one.
        let removed = of
            .remove_titulaire(created.summary.id, "A-1")
            .await
            .unwrap();
        assert_eq!(removed.summary.titulaire_count, 1);
        assert_eq!(removed.summary.status, DeclarationStatus::Enregistree);
        assert_eq!(removed.declaration.titulaires.len(), 1);
        assert!(matches!(
            of.remove_titulaire(created.summary.id, "A-1").await,
            Err(ApiError::NotFound)
        ));
        let emptied = of
            .remove_titulaire(created.summary.id, "A-2")
            .await
            .unwrap();
        assert_eq!(emptied.summary.status, DeclarationStatus::Supprimee);
        assert_eq!(emptied.summary.titulaire_count, 0);
        let query = DeclarationsQuery {
            status: Some(DeclarationStatus::Supprimee),
            ..Default::default()
        };
        let withdrawn = of.all_declarations(&query).await.unwrap();
        assert_eq!(
            withdrawn.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![created.summary.id]
        );
        // A removed line's identifier stays reserved.
        let reuse = Declaration {
            titulaires: vec![titulaire("A-1", "1850375112345", "D")],
            ..adf()
        };
        assert!(matches!(
            of.create_declaration(&reuse, "cle-5").await,
            Err(ApiError::Conflict { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn invalid_declaration_gets_every_field_error() {
    on_each_backend(async |h| {
        let mut declaration = adf();
        let nir = "185037511234500";
        declaration.titulaires[0].nir = nir.to_owned();
        declaration.titulaires[0].siret_employeur = "12345678912345".to_owned();
        declaration.date_debut_formation = Some(date(2026, 6, 3));
        let of = h.extra();
        for result in [
            of.validate_declaration(&declaration).await.map(|_| ()),
            of.create_declaration(&declaration, "cle-invalide")
                .await
                .map(|_| ()),
        ] {
            let Err(ApiError::Invalid { errors }) = result else {
                panic!("422 attendu, obtenu {result:?}");
            };
            let fields: Vec<(&str, &str)> = errors
                .iter()
                .map(|e| (e.field.as_str(), e.code.as_str()))
                .collect();
            assert!(
                fields.contains(&("titulaires[0].NIR", "invalid_key")),
                "{fields:?}"
            );
            assert!(
                fields
                    .iter()
                    .any(|(f, _)| *f == "titulaires[0].SIRET_EMPLOYEUR"),
                "{fields:?}"
            );
            assert!(fields.iter().any(|(_, c)| *c == "date_order"), "{fields:?}");
            assert!(errors.iter().all(|e| !e.message.is_empty()));
        }
        assert!(
            of.all_declarations(&DeclarationsQuery::default())
                .await
                .unwrap()
                .is_empty()
        );

        // A value the official file cannot hold is refused before it is recorded.
        let piped = Declaration {
            nom_formation: "SST | recyclage".to_owned(),
            ..adf()
        };
        let result = of.create_declaration(&piped, "cle-pipe").await;
        let Err(ApiError::Invalid { errors }) = result else {
            panic!("422 attendu, obtenu {result:?}");
        };
        assert!(
            errors.iter().any(|e| e.field == "NOM_FORMATION"),
            "{errors:?}"
        );

        let response = reqwest::Client::new()
            .post(format!("{}/v1/declarations/validate", h.base))
            .bearer_auth(&h.extra_token)
            .header("content-type", "application/json")
            .body("{\"kind\": \"inconnu\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    })
    .await;
}

#[tokio::test]
async fn every_field_is_bounded_by_its_official_length() {
    on_each_backend(async |h| {
        let of = h.extra();
        // The 5,054-character proof link of the UX review (2026-12, finding 7), and a birth name
        // one character over the 30 of NOM_TITULAIRE.
        let mut declaration = jdr();
        declaration.lien_preuve = format!("https://exemple.fr/{}", "a".repeat(5035));
        declaration.titulaires[0].nom_titulaire = "A".repeat(31);
        for result in [
            of.validate_declaration(&declaration).await.map(|_| ()),
            of.create_declaration(&declaration, "cle-trop-long")
                .await
                .map(|_| ()),
        ] {
            let Err(ApiError::Invalid { errors }) = result else {
                panic!("422 attendu, obtenu {result:?}");
            };
            let found: Vec<(&str, &str, &str)> = errors
                .iter()
                .map(|e| (e.field.as_str(), e.code.as_str(), e.message.as_str()))
                .collect();
            assert!(
                found.contains(&(
                    "LIEN_PREUVE",
                    "too_long",
                    "Le champ « lien vers la preuve » dépasse 255 caractères (5054 saisis)."
                )),
                "{found:?}"
            );
            assert!(
                found.contains(&(
                    "titulaires[0].NOM_TITULAIRE",
                    "too_long",
                    "Le champ « nom de naissance du titulaire » dépasse 30 caractères (31 saisis)."
                )),
                "{found:?}"
            );
        }
        assert!(
            of.all_declarations(&DeclarationsQuery::default())
                .await
                .unwrap()
                .is_empty(),
            "nothing recorded"
        );
        // Two links pasted end to end are one field too many.
        let doubled = Declaration {
            lien_preuve: "https://exemple.fr/ahttps://preuves.acme.fr/1.pdf".to_owned(),
            ..jdr()
        };
        let result = of.validate_declaration(&doubled).await;
        let Err(ApiError::Invalid { errors }) = result else {
            panic!("422 attendu, obtenu {result:?}");
        };
        assert!(
            errors
                .iter()
                .any(|e| e.field == "LIEN_PREUVE" && e.code == "invalid_url"),
            "{errors:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_nir_is_stored_in_13_characters_whatever_was_sent() {
    on_each_backend(async |h| {
        let of = h.extra();
        let mut declaration = adf();
        // With its key and spaces, as a user copies it from a card.
        declaration.titulaires[0].nir = "1 85 03 75 112 345 94".to_owned();
        let body13 = declaration.titulaires[1].nir.clone();
        declaration.titulaires[1].nir = format!(
            "{body13}{:02}",
            passeport::domain::ids::compute_key(&body13).unwrap()
        );
        let (created, _) = of
            .create_declaration(&declaration, "cle-nir-canonique")
            .await
            .unwrap();
        let stored: Vec<String> = created
            .declaration
            .titulaires
            .iter()
            .map(|t| t.nir.clone())
            .collect();
        assert_eq!(stored, ["1850375112345".to_owned(), body13.clone()]);
        let again = of.declaration(created.summary.id).await.unwrap();
        assert_eq!(again.declaration.titulaires[1].nir, body13);
        // The same declaration sent with the 13 characters is the same body: the same answer.
        let mut same = declaration.clone();
        same.titulaires[0].nir = "1850375112345".to_owned();
        same.titulaires[1].nir = body13;
        let (retried, _) = of
            .create_declaration(&same, "cle-nir-canonique")
            .await
            .unwrap();
        assert_eq!(retried.summary.id, created.summary.id);
    })
    .await;
}

#[tokio::test]
async fn exports_write_the_official_files() {
    on_each_backend(async |h| {
        let of = h.extra();
        let (attestation, _) = of.create_declaration(&adf(), "export-adf").await.unwrap();
        of.create_declaration(&jdr(), "export-jdr").await.unwrap();
        let withdrawn = Declaration {
            id_declaration: "DECL-W".to_owned(),
            titulaires: vec![titulaire("W-1", "1850375112345", "RETIRÉ")],
            ..adf()
        };
        let (withdrawn, _) = of.create_declaration(&withdrawn, "export-w").await.unwrap();
        of.remove_titulaire(withdrawn.summary.id, "W-1")
            .await
            .unwrap();

        let adf_text = of.export(ExportFormat::Adf).await.unwrap();
        let expected_adf = [
            "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|\
             DATE_DEBUT_FORMATION|DATE_FIN_FORMATION|MODALITE_DISPENSE|COMPETENCE_TRANSFERABLE|\
             QUALIFICATION_FORMATEUR|FORMATION_CERTIFIANTE|CERTIFICATION_VISEE|DOMAINE_FORMATION|\
             SPECIALITE_FORMATION|NIR|NOM_TITULAIRE|PRESENCE_EMPLOYEUR|SIRET_EMPLOYEUR|\
             REFERENCE_EMPLOYEUR|DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE",
            "DECL-A|REF-A|A-1|Sauveteur secouriste du travail|01/06/2026|02/06/2026|PRESENTIEL|\
             115650/121885/400635|PREVENTEUR|NON||42829/42866|344r|1850375112345|DUPONT|OUI|\
             73282932000074|MAT-0001|02/06/2026|02/06/2028",
            "DECL-A|REF-A|A-2|Sauveteur secouriste du travail|01/06/2026|02/06/2026|PRESENTIEL|\
             115650/121885/400635|PREVENTEUR|NON||42829/42866|344r|2900612345678|LEFÈVRE|OUI|\
             73282932000074|MAT-0001|02/06/2026|02/06/2028",
        ];
        assert!(adf_text.ends_with("\r\n"));
        let lines: Vec<&str> = adf_text.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(lines, expected_adf, "ADF line by line");
        assert!(lines.iter().all(|l| l.split('|').count() == 20));
        assert!(
            !adf_text.contains("DECL-W"),
            "a withdrawn declaration is not exported"
        );
        assert_eq!(attestation.summary.kind, DeclarationKind::Attestation);

        let jdr_text = of.export(ExportFormat::Jdr).await.unwrap();
        let expected_jdr = [
            "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|TYPE_JDR|NOM_JDR|\
             NOM_OPTION_SPECIALITE|MODE_OBTENTION|COMPETENCE_TRANSFERABLE|PRESENCE_FORMATION|\
             NOM_FORMATION|DATE_DEBUT_FORMATION|DATE_FIN_FORMATION|MODALITE_DISPENSE|\
             QUALIFICATION_FORMATEUR|FORMATION_CERTIFIANTE|CERTIFICATION_VISEE|DOMAINE_FORMATION|\
             SPECIALITE_FORMATION|NIR|NOM_TITULAIRE|PRESENCE_EMPLOYEUR|SIRET_EMPLOYEUR|\
             REFERENCE_EMPLOYEUR|DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE|RESULTAT_OBTENU|\
             MENTION_OBTENUE|LIEN_PREUVE|IDENTIFIANT_PREUVE",
            "DECL-J|REF-J|J-1|CERTIFICAT|Certificat SST||PAR_ADMISSION|115650/121885/400635|OUI|\
             Sauveteur secouriste du travail|01/06/2026|02/06/2026|PRESENTIEL|PREVENTEUR|OUI|\
             RS5801|||1850375112345|DUPONT|OUI|73282932000074|MAT-0001|02/06/2026|02/06/2028|\
             Admis|||",
        ];
        let lines: Vec<&str> = jdr_text.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(lines, expected_jdr, "JDR line by line");
        assert!(lines.iter().all(|l| l.split('|').count() == 29));

        let response = h
            .raw_get("/v1/declarations/export?format=adf", Some(&h.extra_token))
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let response = h
            .raw_get("/v1/declarations/export?format=xls", Some(&h.extra_token))
            .await;
        assert_eq!(response.status(), 400);
        // Another account's export holds none of these lines.
        let other = h.demo(2).export(ExportFormat::Adf).await.unwrap();
        assert!(!other.contains("DECL-A"));
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_reseed() {
    let plains = each_backend().await;
    for (database, plain) in each_backend().await.into_iter().zip(plains) {
        let name = database.name;
        let demo = DemoOptions {
            workers: 50,
            seed: DEFAULT_SEED,
            today: today(),
        };
        let open = |settings: &DatabaseSettings, demo: Option<DemoOptions>| {
            let options = ServerOptions {
                db_path: PathBuf::new(),
                demo,
                today: Some(today()),
            };
            let settings = settings.clone();
            async move {
                Server::open_on(
                    &settings,
                    options,
                    Catalogue::embedded().unwrap(),
                    DeadlineRules::embedded().unwrap(),
                )
                .await
            }
        };
        let first = open(&database.settings, Some(demo)).await.unwrap();
        assert!(first.is_demo(), "{name}");
        drop(first);
        let again = open(&database.settings, Some(demo)).await.unwrap();
        assert!(again.is_demo(), "{name}: reopened, not seeded twice");
        drop(again);
        let plain_server = open(&plain.settings, None).await.unwrap();
        assert!(!plain_server.is_demo(), "{name}");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(plain_server.serve(listener, async move {
            let _ = stopped.await;
        }));
        let client = Client::new(
            &base,
            Some(DEMO_TOKENS[0].to_owned()),
            ClientOptions::default(),
        )
        .unwrap();
        assert!(
            matches!(client.me().await, Err(ApiError::Unauthorized)),
            "{name}: no demo token here"
        );
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        database.drop_now().await;
        plain.drop_now().await;
    }
}
