//! The employer's check of training organisations' declarations (décret 2022-1712 art. 7-I,
//! issue 16), through the real server on loopback, on each backend (tests/common/databases.rs):
//! the status of each line across the window's edges with a frozen clock, in and after the
//! transition; a correction request answered by removing the titulaire or declaring again; and
//! tenancy of every route for every other account (404).

#[path = "common/databases.rs"]
mod databases;

use chrono::NaiveDate;
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{VerificationList, VerificationView};
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::{Siret, compute_key};
use passeport::domain::training::Catalogue;
use passeport::domain::verification::{Resolution, VerificationStatus};
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::server::database::DatabaseSettings;
use passeport::server::{Server, ServerOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use databases::each_backend;

/// SIRET of the employer named by the declarations.
const EMPLOYER: &str = "35600000000048";
/// SIRET of another employer.
const OTHER_EMPLOYER: &str = "44200000600001";
/// SIRET of the declaring organisation.
const ORGANISATION: &str = "44200001400005";
/// SIRET of another organisation.
const OTHER_ORGANISATION: &str = "73282932000074";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn nir(n: u32) -> String {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// An attestation de formation of one titulaire for `siret`, ended on `end`.
fn attestation(reference: &str, end: NaiveDate, nir: &str, siret: &str) -> Declaration {
    Declaration {
        id_declaration: reference.to_owned(),
        reference_declaration: reference.to_owned(),
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
        titulaires: vec![Titulaire {
            id_unique_partenaire: format!("{reference}-1"),
            nir: nir.to_owned(),
            nom_titulaire: "ROUX".to_owned(),
            presence_employeur: Some(true),
            siret_employeur: siret.to_owned(),
            reference_employeur: String::new(),
        }],
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// A server over one database, reopened with another frozen today when the test moves the clock.
struct Site {
    settings: DatabaseSettings,
    base: String,
    stop: Option<oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<()>>,
    /// Tokens: employer, other employer, organisation, other organisation.
    tokens: Vec<String>,
}

impl Site {
    async fn open(settings: &DatabaseSettings, today: NaiveDate) -> Server {
        Server::open_on(
            settings,
            ServerOptions {
                db_path: std::path::PathBuf::new(),
                demo: None,
                today: Some(today),
            },
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap()
    }

    async fn start(settings: &DatabaseSettings, today: NaiveDate) -> Self {
        let server = Self::open(settings, today).await;
        let mut tokens = Vec::new();
        for (kind, siret, name, nda) in [
            (
                DeclarantKind::Employeur,
                EMPLOYER,
                "Menuiserie Martin",
                None,
            ),
            (
                DeclarantKind::Employeur,
                OTHER_EMPLOYER,
                "Transports Leroy",
                None,
            ),
            (
                DeclarantKind::OrganismeFormation,
                ORGANISATION,
                "Formapro",
                Some("11755555575"),
            ),
            (
                DeclarantKind::OrganismeFormation,
                OTHER_ORGANISATION,
                "Prévention Plus",
                Some("11755555555"),
            ),
        ] {
            let siret: Siret = siret.parse().unwrap();
            let nda = nda.map(|n| n.parse().unwrap());
            server
                .create_account(kind, &siret, name, nda.as_ref())
                .await
                .unwrap();
            tokens.push(server.create_token(&siret).await.unwrap());
        }
        let mut site = Self {
            settings: settings.clone(),
            base: String::new(),
            stop: None,
            serving: None,
            tokens,
        };
        site.serve(server).await;
        site
    }

    async fn serve(&mut self, server: Server) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        self.base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        self.stop = Some(stop);
        self.serving = Some(tokio::spawn(async move {
            server
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        }));
    }

    async fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await.unwrap();
        }
    }

    /// Reopens the same database with today frozen on `today`.
    async fn at(&mut self, today: NaiveDate) {
        self.shut().await;
        let server = Self::open(&self.settings, today).await;
        self.serve(server).await;
    }

    fn client(&self, account: usize) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, Some(self.tokens[account].clone()), options).unwrap()
    }

    /// A raw call: status and JSON body.
    async fn call(
        &self,
        account: usize,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[account])
            .header("Idempotency-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn list(&self, account: usize, query: &str) -> Vec<VerificationView> {
        let (status, body) = self
            .call(
                account,
                reqwest::Method::GET,
                &format!("/v1/verifications{query}"),
                "-",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value::<VerificationList>(body)
            .unwrap()
            .items
    }

    async fn verify(&self, account: usize, line: i64, key: &str) -> (StatusCode, Value) {
        self.call(
            account,
            reqwest::Method::POST,
            &format!("/v1/verifications/{line}/verify"),
            key,
            None,
        )
        .await
    }

    async fn request(
        &self,
        account: usize,
        line: i64,
        key: &str,
        message: &str,
    ) -> (StatusCode, Value) {
        self.call(
            account,
            reqwest::Method::POST,
            &format!("/v1/verifications/{line}/request-correction"),
            key,
            Some(json!({ "message": message })),
        )
        .await
    }
}

/// The employer's line of declaration `reference`.
fn line<'a>(lines: &'a [VerificationView], reference: &str) -> &'a VerificationView {
    lines
        .iter()
        .find(|l| l.reference == reference)
        .unwrap_or_else(|| panic!("{reference} absent de {lines:?}"))
}

/// Declares `declaration` as the organisation.
async fn declare(site: &Site, declaration: &Declaration, key: &str) {
    if let Err(error) = site.client(2).create_declaration(declaration, key).await {
        panic!("déclaration refusée : {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_follow_the_window_across_its_edges_and_the_transition() {
    for db in each_backend().await {
        let mut site = Site::start(&db.settings, day(2027, 3, 1)).await;
        // Q4 2025 (fixed 31/12/2026), Q2 2026 (transition: 31/03/2027), Q1 2027 (30/09/2027).
        declare(
            &site,
            &attestation("OF-Q4-2025", day(2025, 12, 15), &nir(1), EMPLOYER),
            "d1",
        )
        .await;
        declare(
            &site,
            &attestation("OF-Q2-2026", day(2026, 6, 2), &nir(2), EMPLOYER),
            "d2",
        )
        .await;
        declare(
            &site,
            &attestation("OF-Q1-2027", day(2027, 1, 15), &nir(3), EMPLOYER),
            "d3",
        )
        .await;

        let status_on = async |site: &mut Site, today: NaiveDate| {
            site.at(today).await;
            let lines = site.list(0, "").await;
            ["OF-Q4-2025", "OF-Q2-2026", "OF-Q1-2027"].map(|r| line(&lines, r).status)
        };
        use VerificationStatus::{AVerifier, ReputeeVerifiee};
        // The fixed date of the first transition row, the day before and after it.
        assert_eq!(
            status_on(&mut site, day(2026, 12, 31)).await,
            [AVerifier, AVerifier, AVerifier],
            "{}",
            db.name
        );
        assert_eq!(
            status_on(&mut site, day(2027, 1, 1)).await,
            [ReputeeVerifiee, AVerifier, AVerifier],
            "{}",
            db.name
        );
        // The transition window of a Q2 2026 training: its last day, then the day after.
        assert_eq!(
            status_on(&mut site, day(2027, 3, 31)).await,
            [ReputeeVerifiee, AVerifier, AVerifier],
            "{}",
            db.name
        );
        assert_eq!(
            status_on(&mut site, day(2027, 4, 1)).await,
            [ReputeeVerifiee, ReputeeVerifiee, AVerifier],
            "{}",
            db.name
        );
        // After the transition, 6 months: a Q1 2027 training until 30/09/2027.
        assert_eq!(
            status_on(&mut site, day(2027, 9, 30)).await,
            [ReputeeVerifiee, ReputeeVerifiee, AVerifier],
            "{}",
            db.name
        );
        assert_eq!(
            status_on(&mut site, day(2027, 10, 1)).await,
            [ReputeeVerifiee, ReputeeVerifiee, ReputeeVerifiee],
            "{}",
            db.name
        );

        site.at(day(2027, 3, 31)).await;
        let lines = site.list(0, "").await;
        let q2 = line(&lines, "OF-Q2-2026");
        assert_eq!(q2.window_ends, Some(day(2027, 3, 31)));
        assert_eq!(q2.deemed_verified_on, Some(day(2027, 4, 1)));
        assert!(q2.window_assumed, "the transition rule is to confirm");
        assert!(q2.window_note.as_deref().unwrap().contains("À confirmer"));
        assert_eq!(q2.organisme, "Formapro");
        assert_eq!(q2.titulaire, "ROUX");
        // Nearest window first; the filter keeps one status.
        let order: Vec<&str> = lines.iter().map(|l| l.reference.as_str()).collect();
        assert_eq!(order, ["OF-Q4-2025", "OF-Q2-2026", "OF-Q1-2027"]);
        let deemed = site.list(0, "?status=reputee_verifiee").await;
        assert_eq!(deemed.len(), 1);
        assert_eq!(deemed[0].reference, "OF-Q4-2025");
        let (status, _) = site
            .call(
                0,
                reqwest::Method::GET,
                "/v1/verifications?status=perdue",
                "-",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // On its last day a request is taken; the next day the window is closed.
        let (status, body) = site
            .request(0, q2.line_id, "r1", "Date de fin erronée")
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let q3 = line(&lines, "OF-Q1-2027").line_id;
        site.at(day(2027, 10, 1)).await;
        let (status, body) = site.verify(0, q3, "v-late").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("30/09/2027"),
            "{body}"
        );
        // The open request outlives the window: the organisation still has to answer it.
        let lines = site.list(0, "").await;
        assert_eq!(
            line(&lines, "OF-Q2-2026").status,
            VerificationStatus::CorrectionDemandee
        );

        site.shut().await;
        db.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_request_is_answered_by_removing_the_titulaire_or_declaring_again() {
    for db in each_backend().await {
        let mut site = Site::start(&db.settings, day(2026, 11, 26)).await;
        declare(
            &site,
            &attestation("OF-A", day(2026, 6, 2), &nir(1), EMPLOYER),
            "d1",
        )
        .await;
        declare(
            &site,
            &attestation("OF-B", day(2026, 6, 3), &nir(2), EMPLOYER),
            "d2",
        )
        .await;
        declare(
            &site,
            &attestation("OF-C", day(2026, 6, 4), &nir(3), EMPLOYER),
            "d3",
        )
        .await;
        let lines = site.list(0, "").await;
        let (a, b, c) = (
            line(&lines, "OF-A").line_id,
            line(&lines, "OF-B").line_id,
            line(&lines, "OF-C").line_id,
        );
        assert!(
            lines
                .iter()
                .all(|l| l.status == VerificationStatus::AVerifier)
        );
        assert!(site.list(2, "").await.is_empty(), "no request yet");

        // The message is required, at most 1,000 characters, without control characters.
        for bad in ["  ", &"x".repeat(1001), "ligne 1\nligne 2"] {
            let (status, body) = site.request(0, a, &format!("bad-{}", bad.len()), bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["errors"][0]["field"], "message");
        }

        let (status, first) = site.request(0, a, "ra", "NIR du titulaire erroné").await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let asked: VerificationView = serde_json::from_value(first.clone()).unwrap();
        assert_eq!(asked.status, VerificationStatus::CorrectionDemandee);
        assert_eq!(asked.message.as_deref(), Some("NIR du titulaire erroné"));
        assert_eq!(asked.acted_on, Some(day(2026, 11, 26)));
        // Same key, same answer; a second request is refused while the first is open.
        assert_eq!(
            site.request(0, a, "ra", "NIR du titulaire erroné").await,
            (StatusCode::OK, first)
        );
        let (status, body) = site.request(0, a, "ra-2", "encore").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("26/11/2026"),
            "{body}"
        );
        let (status, _) = site.verify(0, a, "va").await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The organisation sees the request with its message, and removes the titulaire.
        let requests = site.list(2, "").await;
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].line_id, a);
        assert_eq!(
            requests[0].message.as_deref(),
            Some("NIR du titulaire erroné")
        );
        assert_eq!(requests[0].status, VerificationStatus::CorrectionDemandee);
        let organisation = site.client(2);
        organisation
            .remove_titulaire(asked.declaration_id, &asked.id_unique_partenaire)
            .await
            .unwrap();
        for account in [0, 2] {
            let lines = site.list(account, "").await;
            let closed = line(&lines, "OF-A");
            assert_eq!(
                closed.status,
                VerificationStatus::Corrigee,
                "account {account}"
            );
            assert_eq!(closed.resolution, Some(Resolution::TitulaireRetire));
            assert_eq!(closed.message.as_deref(), Some("NIR du titulaire erroné"));
        }
        let (status, _) = site.request(0, a, "ra-3", "encore").await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "an answered request stays closed"
        );

        // Verifying; verifying again changes nothing; a request may still follow in the window.
        let (status, body) = site.verify(0, b, "vb").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "verifiee");
        let (status, again) = site.verify(0, b, "vb-2").await;
        assert_eq!(
            (status, &again["status"]),
            (StatusCode::OK, &json!("verifiee"))
        );
        let (status, body) = site.request(0, b, "rb", "Intitulé incomplet").await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Declaring the same person again closes the request; the new line is to check.
        let (status, _) = site.request(0, c, "rc", "Dates inversées").await;
        assert_eq!(status, StatusCode::OK);
        declare(
            &site,
            &attestation("OF-C2", day(2026, 6, 4), &nir(3), EMPLOYER),
            "d4",
        )
        .await;
        let lines = site.list(0, "").await;
        assert_eq!(line(&lines, "OF-C").status, VerificationStatus::Corrigee);
        assert_eq!(
            line(&lines, "OF-C").resolution,
            Some(Resolution::DeclareeANouveau)
        );
        assert_eq!(line(&lines, "OF-C2").status, VerificationStatus::AVerifier);
        assert_eq!(
            line(&lines, "OF-B").status,
            VerificationStatus::CorrectionDemandee
        );
        let open = site.list(0, "?status=correction_demandee").await;
        assert_eq!(open.iter().map(|l| l.line_id).collect::<Vec<_>>(), [b]);

        site.shut().await;
        db.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_but_the_named_employer_reads_or_acts_on_a_line() {
    for db in each_backend().await {
        let site = Site::start(&db.settings, day(2026, 11, 26)).await;
        // Before any declaration: empty lists, and no line to act on.
        assert!(site.list(0, "").await.is_empty(), "{}", db.name);
        assert!(site.list(2, "").await.is_empty(), "{}", db.name);
        let (status, body) = site.verify(0, 1, "v-none").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}: {body}", db.name);
        declare(
            &site,
            &attestation("OF-T", day(2026, 6, 2), &nir(1), EMPLOYER),
            "d1",
        )
        .await;
        // A line for the other employer, declared by the same organisation.
        declare(
            &site,
            &attestation("OF-U", day(2026, 6, 2), &nir(2), OTHER_EMPLOYER),
            "d2",
        )
        .await;
        let mine = site.list(0, "").await;
        assert_eq!(mine.len(), 1);
        let line_id = mine[0].line_id;
        let theirs = site.list(1, "").await;
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].reference, "OF-U");
        let (status, _) = site.request(0, line_id, "r", "à corriger").await;
        assert_eq!(status, StatusCode::OK);

        // Every other account, on every route: the line does not exist for it.
        for account in [1, 2, 3] {
            let (status, body) = site.verify(account, line_id, &format!("v{account}")).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{} verify by {account}: {body}",
                db.name
            );
            let (status, body) = site
                .request(account, line_id, &format!("r{account}"), "x")
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{} request by {account}: {body}",
                db.name
            );
        }
        assert!(site.list(1, "").await.iter().all(|l| l.line_id != line_id));
        assert!(
            site.list(3, "").await.is_empty(),
            "another organisation sees no request"
        );
        assert_eq!(
            site.list(2, "").await.len(),
            1,
            "the declaring organisation sees its request"
        );
        // The employer on a line of another employer, and on a line that does not exist.
        for line in [theirs[0].line_id, 999_999] {
            let (status, _) = site.verify(0, line, &format!("x{line}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (status, _) = site.request(0, line, &format!("y{line}"), "x").await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        // Without a token: 401.
        let response = reqwest::Client::new()
            .get(format!("{}/v1/verifications", site.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        let mut site = site;
        site.shut().await;
        db.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_the_organisation_did_not_declare_in_time_is_listed_for_the_employer() {
    use passeport::api::contract::{NewTrainingRecord, NewWorker};
    for db in each_backend().await {
        let mut site = Site::start(&db.settings, day(2027, 3, 31)).await;
        let employer = site.client(0);
        let mut hired = Vec::new();
        for (n, name) in [(1, "ROUX"), (2, "BLANC"), (3, "MOREAU")] {
            let worker = NewWorker {
                nir: nir(n),
                last_name: name.to_owned(),
                first_names: "Léa".to_owned(),
                ..NewWorker::default()
            };
            let (record, _) = employer
                .create_worker(&worker, &format!("hire-{n}"))
                .await
                .unwrap();
            hired.push(record.worker.id);
        }
        let record = |code: &str, end: NaiveDate, organisme: &str| NewTrainingRecord {
            training_code: code.to_owned(),
            end_date: Some(end),
            organisme: Some(organisme.to_owned()),
            ..NewTrainingRecord::default()
        };
        for (worker, training, key) in [
            // Q3 2026, in the organisations' scope (category 3 from 01/07/2026): due 31/03/2027.
            (hired[0], record("SST", day(2026, 7, 15), "Formapro"), "t-1"),
            // Q2 2026: an SST was not the organisation's to declare yet (category 3).
            (hired[0], record("SST", day(2026, 6, 2), "Formapro"), "t-2"),
            // The employer's own internal training is never the organisation's to declare.
            (
                hired[0],
                record("SST", day(2026, 7, 15), "Menuiserie Martin"),
                "t-3",
            ),
            // Category 2, in scope since 01/09/2025.
            (
                hired[1],
                record("CACES_R489", day(2026, 7, 20), "Prévention Plus"),
                "t-4",
            ),
        ] {
            employer
                .create_training(worker, &training, key)
                .await
                .unwrap();
        }

        // A session of the employer's, given by an organisation, that MOREAU passed.
        let new = passeport::api::contract::NewSession {
            training_code: "CACES_R489".to_owned(),
            title: "CACES cariste".to_owned(),
            start_date: Some(day(2026, 7, 6)),
            end_date: Some(day(2026, 7, 7)),
            place: "Lyon".to_owned(),
            organisme: Some("Formapro".to_owned()),
        };
        let (session, _) = employer.create_session(&new, "s-1").await.unwrap();
        let session = session.summary.id;
        let trainee = passeport::api::contract::NewTrainee {
            worker_id: Some(hired[2]),
            ..Default::default()
        };
        employer
            .enrol_trainee(session, &trainee, "e-1")
            .await
            .unwrap();
        employer
            .set_outcome(
                session,
                hired[2],
                passeport::domain::session::TraineeOutcome::Passed,
            )
            .await
            .unwrap();
        employer.close_session(session, "c-1").await.unwrap();

        // The organisations' last day: nothing is late yet.
        assert!(
            employer.undeclared().await.unwrap().items.is_empty(),
            "{}",
            db.name
        );
        site.at(day(2027, 4, 1)).await;
        let employer = site.client(0);
        let items = employer.undeclared().await.unwrap().items;
        assert_eq!(items.len(), 3, "{} {items:?}", db.name);
        // The session: its title, first day and id, for the form.
        let caces = &items[0];
        assert_eq!(caces.worker_id, hired[2]);
        assert_eq!(
            (
                caces.training_title.as_str(),
                caces.start_date,
                caces.session_id
            ),
            ("CACES cariste", Some(day(2026, 7, 6)), Some(session))
        );
        let sst = &items[1];
        assert_eq!(sst.worker_id, hired[0]);
        assert_eq!(sst.organisme, "Formapro");
        assert_eq!(sst.training_code.as_deref(), Some("SST"));
        // A record names no title: the catalogue's.
        assert_eq!(sst.training_title, "Sauveteur secouriste du travail (SST)");
        assert_eq!(sst.end_date, day(2026, 7, 15));
        assert_eq!(sst.organisation_due, day(2027, 3, 31));
        // Art. 7-II: the 9 months after the organisation's deadline.
        assert_eq!(sst.employer_due, Some(day(2027, 12, 31)));
        assert!(sst.rule_assumed);
        // What a declaration in the organisation's place needs.
        assert_eq!(sst.last_name, "ROUX");
        assert_eq!(
            sst.nir.get(..13),
            nir(1).get(..13),
            "the NIR, its key aside"
        );
        assert_eq!(sst.employer_siret, EMPLOYER);
        assert_eq!(items[2].worker_id, hired[1]);
        assert_eq!(items[2].organisme, "Prévention Plus");

        // Nobody else reads it: the other employer has none, an organisation is refused.
        assert!(site.client(1).undeclared().await.unwrap().items.is_empty());
        for account in [2, 3] {
            let (status, _) = site
                .call(
                    account,
                    reqwest::Method::GET,
                    "/v1/verifications/undeclared",
                    "-",
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "account {account}");
        }

        // The employer declares the CACES in the organisation's place: it leaves the list.
        let mut instead = attestation("EMP-7-II", day(2026, 7, 20), &nir(2), EMPLOYER);
        instead.nom_formation =
            "CACES R489 : chariots de manutention automoteurs à conducteur porté".to_owned();
        instead.titulaires[0].nom_titulaire = "BLANC".to_owned();
        employer
            .create_declaration(&instead, "instead-1")
            .await
            .unwrap();
        let items = employer.undeclared().await.unwrap().items;
        assert_eq!(
            items.iter().map(|i| i.worker_id).collect::<Vec<_>>(),
            [hired[2], hired[0]],
            "{}",
            db.name
        );
        // Declaring the session (its dates and trainee) adds no entry, yet takes it off too.
        let mut instead = attestation("EMP-SESSION", day(2026, 7, 7), &nir(3), EMPLOYER);
        instead.nom_formation = "CACES cariste".to_owned();
        instead.date_debut_formation = Some(day(2026, 7, 6));
        instead.titulaires[0].nom_titulaire = "MOREAU".to_owned();
        employer
            .create_declaration(&instead, "instead-2")
            .await
            .unwrap();
        let items = employer.undeclared().await.unwrap().items;
        assert_eq!(
            items.iter().map(|i| i.worker_id).collect::<Vec<_>>(),
            [hired[0]],
            "{}",
            db.name
        );

        // Once the organisation declares the SST (late), it is no longer the employer's either.
        declare(
            &site,
            &attestation("OF-LATE", day(2026, 7, 15), &nir(1), EMPLOYER),
            "d1",
        )
        .await;
        assert!(
            site.client(0).undeclared().await.unwrap().items.is_empty(),
            "{}",
            db.name
        );
        site.shut().await;
        db.drop_now().await;
    }
}
