//! Users, roles and the audit trail (issue 17) on the real server over loopback, on a fresh
//! SQLite file and a fresh PostgreSQL database (tests/common/databases.rs): tokens belong to
//! named users, a revoked or expired token and a disabled user are refused at once, each role
//! reaches only its routes (403 in French naming the role needed), a `lecture` user reads NIRs
//! masked and a user limited to sites sees only their workers, and writes leave audit entries.

#[path = "common/databases.rs"]
mod databases;
#[allow(dead_code)]
#[path = "common/pty.rs"]
mod pty;
#[path = "common/team_server.rs"]
mod team_server;

use chrono::{NaiveDate, TimeDelta, Utc};
use passeport::api::Client;
use passeport::api::client::ClientOptions;
use passeport::api::contract::WorkersQuery;
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::ids::{Siret, compute_key};
use passeport::domain::rights::Role;
use passeport::domain::training::Catalogue;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::search::SearchIndex;
use passeport::server::database::DatabaseSettings;
use passeport::server::{NewUser, Server, ServerOptions};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use databases::each_backend;

/// SIRET of the employer.
const EMPLOYER: &str = "35600000000048";
/// SIRET of another employer.
const OTHER: &str = "44200001400005";

fn nir(n: u32) -> String {
    let body = format!("28507751{n:05}");
    format!("{body}{:02}", compute_key(&body).unwrap())
}

async fn open(settings: &DatabaseSettings) -> Server {
    let options = ServerOptions {
        db_path: std::path::PathBuf::new(),
        demo: None,
        today: Some(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
    };
    Server::open_on(
        settings,
        options,
        Catalogue::embedded().unwrap(),
        DeadlineRules::embedded().unwrap(),
    )
    .await
    .unwrap()
}

fn user(email: &str, role: Role, sites: Option<&[&str]>) -> NewUser {
    NewUser {
        name: format!("Utilisateur {email}"),
        email: email.to_owned(),
        role,
        nir_access: false,
        sites: sites.map(|s| s.iter().map(|&s| s.to_owned()).collect()),
    }
}

/// A running server and its HTTP client.
struct Running {
    base: String,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<Result<(), passeport::server::ServerError>>,
}

impl Running {
    fn start(server: Server, listener: tokio::net::TcpListener) -> Self {
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async {
            let _ = stopped.await;
        }));
        Running {
            base,
            http: reqwest::Client::new(),
            stop,
            serving,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.serving.await.unwrap().unwrap();
    }
}

async fn listener() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
}

#[tokio::test]
async fn tokens_of_users_are_refused_at_once_when_revoked_expired_or_disabled() {
    for database in each_backend().await {
        let name = database.name;
        let server = open(&database.settings).await;
        let employer: Siret = EMPLOYER.parse().unwrap();
        server
            .create_account(DeclarantKind::Employeur, &employer, "Équipe Tôlerie", None)
            .await
            .unwrap();
        server
            .create_user(&employer, &user("marie@acme.fr", Role::Saisie, None))
            .await
            .unwrap();
        let duplicate = server
            .create_user(&employer, &user("marie@acme.fr", Role::Lecture, None))
            .await
            .unwrap_err();
        assert!(
            duplicate.to_string().contains("existe déjà"),
            "{name}: {duplicate}"
        );
        let unknown = server
            .create_user_token(&employer, Some("nobody@acme.fr"), None)
            .await
            .unwrap_err();
        assert!(
            unknown.to_string().contains("nobody@acme.fr"),
            "{name}: {unknown}"
        );

        let marie = server
            .create_user_token(&employer, Some("marie@acme.fr"), None)
            .await
            .unwrap();
        let later = Utc::now() + TimeDelta::days(90);
        let expiring = server
            .create_user_token(&employer, Some("marie@acme.fr"), Some(later))
            .await
            .unwrap();
        let expired = server
            .create_user_token(
                &employer,
                Some("marie@acme.fr"),
                Some(Utc::now() - TimeDelta::seconds(1)),
            )
            .await
            .unwrap();
        let admin = server.create_token(&employer).await.unwrap();

        let tokens = server.tokens(&employer).await.unwrap();
        assert_eq!(tokens.len(), 4, "{name}");
        for token in &tokens {
            assert_eq!(token.prefix.len(), 11, "{name}: {token:?}");
            assert!(
                [&marie, &expiring, &expired, &admin]
                    .iter()
                    .any(|t| t.starts_with(&token.prefix) && t.len() > token.prefix.len() + 40),
                "{name}: a prefix, never the token"
            );
        }
        let users = server.users(&employer).await.unwrap();
        let emails: Vec<&str> = users.iter().map(|u| u.access.email.as_str()).collect();
        assert_eq!(emails, ["marie@acme.fr", "administration"], "{name}");

        let running = Running::start(server, listener().await);
        let (status, me) = running.call("GET", "/v1/me", &marie, None).await;
        assert_eq!(status, 200, "{name}: {me}");
        assert_eq!(me["user"]["email"], "marie@acme.fr", "{name}");
        assert_eq!(me["user"]["role"], "saisie", "{name}");
        let (_, me) = running.call("GET", "/v1/me", &admin, None).await;
        assert_eq!(me["user"]["role"], "administration", "{name}");
        assert_eq!(
            running.call("GET", "/v1/me", &expiring, None).await.0,
            200,
            "{name}"
        );
        let (status, problem) = running.call("GET", "/v1/me", &expired, None).await;
        assert_eq!(status, 401, "{name}: an expired token");
        assert!(
            problem["detail"].as_str().unwrap().contains("révoqué"),
            "{name}"
        );

        // Revocation, while the server runs, through a second handle on the same database.
        let admin_side = open(&database.settings).await;
        let short = admin_side.revoke_token("pp_").await.unwrap_err();
        assert!(short.to_string().contains("trop court"), "{name}: {short}");
        admin_side.revoke_token(&marie[..11]).await.unwrap();
        assert_eq!(
            running.call("GET", "/v1/me", &marie, None).await.0,
            401,
            "{name}: revoked"
        );
        assert_eq!(
            running.call("GET", "/v1/me", &expiring, None).await.0,
            200,
            "{name}"
        );
        let again = admin_side.revoke_token(&marie[..11]).await.unwrap_err();
        assert!(
            again.to_string().contains("aucun jeton actif"),
            "{name}: {again}"
        );

        admin_side
            .disable_user(&employer, "marie@acme.fr")
            .await
            .unwrap();
        assert_eq!(
            running.call("GET", "/v1/me", &expiring, None).await.0,
            401,
            "{name}: disabled"
        );
        assert_eq!(
            running.call("GET", "/v1/me", &admin, None).await.0,
            200,
            "{name}"
        );
        let refused = admin_side
            .create_user_token(&employer, Some("marie@acme.fr"), None)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("désactivé"),
            "{name}: {refused}"
        );
        let listed = admin_side.tokens(&employer).await.unwrap();
        let revoked = listed.iter().filter(|t| t.revoked_at.is_some()).count();
        assert_eq!(revoked, 1, "{name}");
        assert!(
            listed.iter().any(|t| t.last_used_at.is_some()),
            "{name}: last use recorded"
        );
        drop(admin_side);
        running.stop().await;
        database.drop_now().await;
    }
}

#[tokio::test]
async fn each_role_reaches_only_its_routes_and_lecture_reads_nirs_masked() {
    for database in each_backend().await {
        let name = database.name;
        let server = open(&database.settings).await;
        let employer: Siret = EMPLOYER.parse().unwrap();
        let other: Siret = OTHER.parse().unwrap();
        for siret in [&employer, &other] {
            server
                .create_account(DeclarantKind::Employeur, siret, "Équipe", None)
                .await
                .unwrap();
        }
        server
            .create_user(&employer, &user("lea@acme.fr", Role::Lecture, None))
            .await
            .unwrap();
        server
            .create_user(&employer, &user("sam@acme.fr", Role::Saisie, None))
            .await
            .unwrap();
        server
            .create_user(
                &employer,
                &user("lyon@acme.fr", Role::Lecture, Some(&["Lyon"])),
            )
            .await
            .unwrap();
        let mut clear = user("nina@acme.fr", Role::Lecture, None);
        clear.nir_access = true;
        server.create_user(&employer, &clear).await.unwrap();
        let token = async |email: &str| {
            server
                .create_user_token(&employer, Some(email), None)
                .await
                .unwrap()
        };
        let lea = token("lea@acme.fr").await;
        let sam = token("sam@acme.fr").await;
        let lyon = token("lyon@acme.fr").await;
        let nina = token("nina@acme.fr").await;
        let admin = server.create_token(&employer).await.unwrap();
        let other_admin = server.create_token(&other).await.unwrap();
        let running = Running::start(server, listener().await);

        let worker = |n: u32, site: &str| {
            json!({"nir": nir(n), "last_name": "DUPONT", "first_names": "Anne",
                   "birth_date": "1985-07-01", "site": site})
        };
        let (status, problem) = running
            .call("POST", "/v1/workers", &lea, Some(worker(1, "Lyon")))
            .await;
        assert_eq!(status, 403, "{name}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("« saisie »") && detail.contains("« lecture »"),
            "{name}: {detail}"
        );
        let (status, created) = running
            .call("POST", "/v1/workers", &sam, Some(worker(1, "Lyon")))
            .await;
        assert_eq!(status, 201, "{name}: {created}");
        let (status, _) = running
            .call("POST", "/v1/workers", &admin, Some(worker(2, "Paris")))
            .await;
        assert_eq!(status, 201, "{name}");
        let id = created["worker"]["id"]
            .as_i64()
            .unwrap_or_else(|| created["id"].as_i64().unwrap());

        // Reads: masked for lecture, clear with the NIR access and for saisie.
        let (status, page) = running.call("GET", "/v1/workers", &lea, None).await;
        assert_eq!(status, 200, "{name}");
        let nirs: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["nir"].as_str().unwrap())
            .collect();
        assert_eq!(nirs.len(), 2, "{name}");
        assert!(
            nirs.iter()
                .all(|n| n.contains('•') && !n.contains(&nir(1)[5..])),
            "{name}: {nirs:?}"
        );
        let (_, one) = running
            .call("GET", &format!("/v1/workers/{id}"), &lea, None)
            .await;
        assert!(
            one.to_string().contains('•') && !one.to_string().contains(&nir(1)),
            "{name}: {one}"
        );
        for clear in [&nina, &sam] {
            let (_, page) = running.call("GET", "/v1/workers", clear, None).await;
            assert!(page.to_string().contains(&nir(1)[..13]), "{name}: {page}");
        }
        // Sites: the Lyon user sees the Lyon worker only, and the Paris one is a 404 to it.
        let (_, page) = running.call("GET", "/v1/workers", &lyon, None).await;
        let sites: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["site"].as_str().unwrap())
            .collect();
        assert_eq!(sites, ["Lyon"], "{name}");
        // Another account's data stays a 404, whatever the role.
        let (status, _) = running
            .call("GET", &format!("/v1/workers/{id}"), &other_admin, None)
            .await;
        assert_eq!(status, 404, "{name}");

        // The audit trail is for administration only.
        let (status, problem) = running.call("GET", "/v1/audit", &sam, None).await;
        assert_eq!(status, 403, "{name}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("« administration »"),
            "{name}"
        );
        let (status, trail) = running
            .call("GET", "/v1/audit?entity=salari%C3%A9", &admin, None)
            .await;
        assert_eq!(status, 200, "{name}: {trail}");
        let items = trail["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{name}: {trail}");
        assert_eq!(items[0]["user"], "sam@acme.fr", "{name}");
        assert_eq!(items[0]["action"], "création", "{name}");
        assert_eq!(items[0]["entity_id"], id.to_string(), "{name}");
        assert_eq!(items[1]["user"], "administration", "{name}");
        let after = items[0]["after"].to_string();
        assert!(
            after.contains("DUPONT") && after.contains('•') && !after.contains(&nir(1)),
            "{name}: {after}"
        );
        let (_, others) = running.call("GET", "/v1/audit", &other_admin, None).await;
        assert!(
            others["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["entity"] != "salarié"),
            "{name}: another account's trail is its own: {others}"
        );
        let (_, mine) = running
            .call("GET", "/v1/audit?user=sam@acme.fr", &admin, None)
            .await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{name}: {mine}");
        let (status, later) = running
            .call("GET", "/v1/audit?since=2999-01-01", &admin, None)
            .await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(later["items"], json!([]), "{name}");
        running.stop().await;
        database.drop_now().await;
    }
}

#[tokio::test]
async fn worker_writes_leave_their_changes_in_the_trail_and_sites_bound_them() {
    for database in each_backend().await {
        let name = database.name;
        let server = open(&database.settings).await;
        let employer: Siret = EMPLOYER.parse().unwrap();
        server
            .create_account(DeclarantKind::Employeur, &employer, "Équipe", None)
            .await
            .unwrap();
        server
            .create_user(
                &employer,
                &user("lyon@acme.fr", Role::Saisie, Some(&["Lyon"])),
            )
            .await
            .unwrap();
        let lyon = server
            .create_user_token(&employer, Some("lyon@acme.fr"), None)
            .await
            .unwrap();
        let admin = server.create_token(&employer).await.unwrap();
        let running = Running::start(server, listener().await);
        let worker = |n: u32, site: &str| {
            json!({"nir": nir(n), "last_name": "MARTIN", "first_names": "Léo",
                   "birth_date": "1990-01-01", "site": site, "job": "cariste",
                   "employee_number": format!("M-{n}")})
        };
        let (status, problem) = running
            .call("POST", "/v1/workers", &lyon, Some(worker(1, "Paris")))
            .await;
        assert_eq!(status, 422, "{name}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "site", "{name}");
        let (_, paris) = running
            .call("POST", "/v1/workers", &admin, Some(worker(2, "Paris")))
            .await;
        let (status, mine) = running
            .call("POST", "/v1/workers", &lyon, Some(worker(3, "Lyon")))
            .await;
        assert_eq!(status, 201, "{name}: {mine}");
        let (paris, mine) = (paris["id"].as_i64().unwrap(), mine["id"].as_i64().unwrap());
        let trail = async || {
            let (_, page) = running.call("GET", "/v1/audit", &admin, None).await;
            page["items"].as_array().unwrap().clone()
        };
        let created = trail().await.len();

        let (serving, lyon) = (&running, lyon.as_str());
        let patch = async |id: i64, body: Value| {
            serving
                .call("PATCH", &format!("/v1/workers/{id}"), lyon, Some(body))
                .await
        };
        let (status, answer) = patch(mine, json!({"job": "magasinier"})).await;
        assert_eq!(status, 200, "{name}: {answer}");
        let (status, _) = patch(paris, json!({"job": "magasinier"})).await;
        assert_eq!(status, 404, "{name}: a worker of another site");
        let (status, _) = patch(mine, json!({"site": "Paris"})).await;
        assert_eq!(status, 422, "{name}: moved out of the user's sites");
        let (status, _) = patch(mine, json!({"employee_number": "M-2"})).await;
        assert_eq!(status, 409, "{name}: a refused write");
        let entries = trail().await;
        assert_eq!(
            entries.len(),
            created + 1,
            "{name}: refused writes leave no entry"
        );
        let last = &entries[created];
        assert_eq!(last["action"], "modification", "{name}");
        assert_eq!(last["user"], "lyon@acme.fr", "{name}");
        assert_eq!(last["before"], json!({"job": "cariste"}), "{name}");
        assert_eq!(last["after"], json!({"job": "magasinier"}), "{name}");

        // Training records: a refused one leaves no entry; creation and removal do.
        let trainings = format!("/v1/workers/{mine}/trainings");
        let bad = json!({"training_code": "INCONNU", "end_date": "2026-10-01"});
        let (status, _) = running.call("POST", &trainings, lyon, Some(bad)).await;
        assert_eq!(status, 422, "{name}");
        let count = trail().await.len();
        let record = json!({"training_code": "SST", "end_date": "2026-10-01"});
        let (status, saved) = running.call("POST", &trainings, lyon, Some(record)).await;
        assert_eq!(status, 201, "{name}: {saved}");
        let entry = saved["entry_id"].as_i64().unwrap();
        let removal = json!({"reason": "saisie en double"});
        let (status, answer) = running
            .call(
                "DELETE",
                &format!("{trainings}/{entry}"),
                lyon,
                Some(removal),
            )
            .await;
        assert!(status < 300, "{name}: {status} {answer}");
        let entries = trail().await;
        assert_eq!(entries.len(), count + 2, "{name}");
        assert_eq!(entries[count]["entity"], "formation", "{name}");
        assert_eq!(entries[count]["after"]["training_code"], "SST", "{name}");
        assert_eq!(entries[count + 1]["action"], "retrait", "{name}");
        assert_eq!(
            entries[count + 1]["after"]["removed_reason"],
            "saisie en double",
            "{name}"
        );

        let (status, _) = running
            .call("POST", &format!("/v1/workers/{mine}/archive"), lyon, None)
            .await;
        assert_eq!(status, 200, "{name}");
        let entries = trail().await;
        let last = entries.last().unwrap();
        assert_eq!(last["action"], "archivage", "{name}");
        assert_eq!(last["before"]["archived"], false, "{name}");
        assert_eq!(last["after"]["archived"], true, "{name}");
        running.stop().await;
        database.drop_now().await;
    }
}

/// An attestation de formation (SST, ended `end`, valid until `valid_until`) of `titulaires`
/// (NIR, birth name) employed by `siret`, as JSON.
fn attestation(
    reference: &str,
    end: NaiveDate,
    valid_until: NaiveDate,
    titulaires: &[(String, &str)],
    siret: &str,
) -> Value {
    let titulaires: Vec<Titulaire> = titulaires
        .iter()
        .enumerate()
        .map(|(n, (nir, name))| Titulaire {
            id_unique_partenaire: format!("{reference}-{n}"),
            nir: nir.clone(),
            nom_titulaire: (*name).to_owned(),
            presence_employeur: Some(true),
            siret_employeur: siret.to_owned(),
            reference_employeur: String::new(),
        })
        .collect();
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    serde_json::to_value(Declaration {
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
        date_fin_validite: Some(valid_until),
        titulaires,
        ..Declaration::new(DeclarationKind::Attestation)
    })
    .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The employer, its administrator's token and a user's token, served.
async fn employer_with(database: &DatabaseSettings, new: NewUser) -> (Running, String, String) {
    let server = open(database).await;
    let employer: Siret = EMPLOYER.parse().unwrap();
    server
        .create_account(DeclarantKind::Employeur, &employer, "Équipe Tôlerie", None)
        .await
        .unwrap();
    let email = new.email.clone();
    server.create_user(&employer, &new).await.unwrap();
    let token = server
        .create_user_token(&employer, Some(&email), None)
        .await
        .unwrap();
    let admin = server.create_token(&employer).await.unwrap();
    (Running::start(server, listener().await), admin, token)
}

/// Creates a worker of `site` as `token`; its id.
async fn hire(running: &Running, token: &str, n: u32, name: &str, site: &str) -> i64 {
    let body = json!({"nir": nir(n), "last_name": name, "first_names": "Anne",
                      "birth_date": "1985-07-01", "site": site});
    let (status, created) = running.call("POST", "/v1/workers", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_lecture_user_lists_searches_opens_passports_and_runs_expiring_with_nirs_masked() {
    for database in each_backend().await {
        let name = database.name;
        let (running, admin, lea) =
            employer_with(&database.settings, user("lea@acme.fr", Role::Lecture, None)).await;
        let dupont = hire(&running, &admin, 1, "DUPONT", "Lyon").await;
        hire(&running, &admin, 2, "MARTIN", "Paris").await;
        let declared = attestation(
            "EMP-1",
            day(2026, 6, 2),
            day(2026, 12, 20),
            &[(nir(1), "DUPONT")],
            EMPLOYER,
        );
        let (status, answer) = running
            .call("POST", "/v1/declarations", &admin, Some(declared))
            .await;
        assert_eq!(status, 201, "{name}: {answer}");

        // The typed client reads the lecture user's answers, every NIR masked.
        let client =
            Client::new(&running.base, Some(lea.clone()), ClientOptions::default()).unwrap();
        let roster = client.all_workers(&WorkersQuery::default()).await.unwrap();
        assert_eq!(roster.len(), 2, "{name}");
        for worker in &roster {
            assert!(worker.nir.is_masked(), "{name}: {:?}", worker.nir);
            assert!(worker.nir.masked().starts_with("2 85 07 ••"), "{name}");
        }
        let found = client
            .workers(&WorkersQuery {
                q: Some("dupont".to_owned()),
                ..WorkersQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1, "{name}: the server's search");
        let index = SearchIndex::new(&roster);
        let hits = index.search("dupont", 10, None, 1);
        let first = index.entry(hits.top[0].index).unwrap();
        assert!(first.text.starts_with("DUPONT"), "{name}: {}", first.text);
        let passport = client.passport(dupont).await.unwrap();
        assert_eq!(
            passport.worker.nir.masked(),
            "2 85 07 •• ••• ••• ••",
            "{name}"
        );
        assert!(passport.worker.nir.clear().is_none(), "{name}");
        assert_eq!(passport.entries.len(), 1, "{name}: {passport:?}");

        // `passeport expiring` as the lecture user: the expiry, and no NIR.
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("lea.toml");
        team_server::config(&config, &running.base, &lea);
        let mut command = team_server::passeport(home.path());
        command
            .arg("--config")
            .arg(&config)
            .args(["expiring", "--within", "90"]);
        // The binary runs off the runtime that serves it.
        let shown = tokio::task::spawn_blocking(move || team_server::run(&mut command))
            .await
            .unwrap();
        assert!(
            shown.contains("DUPONT") && shown.contains("20/12/2026"),
            "{name}: {shown}"
        );
        assert!(!shown.contains(&nir(1)[5..13]), "{name}: {shown}");
        running.stop().await;
        database.drop_now().await;
    }
}

#[tokio::test]
async fn a_user_limited_to_sites_sees_and_changes_only_their_workers_everywhere() {
    for database in each_backend().await {
        let name = database.name;
        let (running, admin, lyon) = employer_with(
            &database.settings,
            user("lyon@acme.fr", Role::Saisie, Some(&["Lyon"])),
        )
        .await;
        let anne = hire(&running, &admin, 1, "DUPONT", "Lyon").await;
        let paul = hire(&running, &admin, 2, "MARTIN", "Paris").await;
        let (end, until) = (day(2026, 6, 2), day(2026, 12, 20));
        let both = attestation(
            "BOTH",
            end,
            until,
            &[(nir(1), "DUPONT"), (nir(2), "MARTIN")],
            EMPLOYER,
        );
        let paris_only = attestation("PARIS", end, until, &[(nir(2), "MARTIN")], EMPLOYER);
        let (_, both) = running
            .call("POST", "/v1/declarations", &admin, Some(both))
            .await;
        let (_, paris_only) = running
            .call("POST", "/v1/declarations", &admin, Some(paris_only))
            .await;
        let (both, paris_only) = (
            both["id"].as_i64().unwrap(),
            paris_only["id"].as_i64().unwrap(),
        );

        // Declarations' lines: only those naming a worker of Lyon, counting those alone.
        let (_, list) = running.call("GET", "/v1/declarations", &lyon, None).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{name}: {list}");
        assert_eq!(items[0]["id"], both, "{name}");
        assert_eq!(items[0]["titulaire_count"], 1, "{name}");
        let (_, admin_list) = running.call("GET", "/v1/declarations", &admin, None).await;
        assert_eq!(admin_list["items"].as_array().unwrap().len(), 2, "{name}");
        let (status, detail) = running
            .call("GET", &format!("/v1/declarations/{both}"), &lyon, None)
            .await;
        assert_eq!(status, 200, "{name}");
        let names: Vec<&str> = detail["declaration"]["titulaires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["nom_titulaire"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["DUPONT"], "{name}: {detail}");
        let (status, _) = running
            .call(
                "GET",
                &format!("/v1/declarations/{paris_only}"),
                &lyon,
                None,
            )
            .await;
        assert_eq!(status, 404, "{name}: a declaration of Paris alone");
        let (status, _) = running
            .call(
                "DELETE",
                &format!("/v1/declarations/{both}/titulaires/BOTH-1"),
                &lyon,
                None,
            )
            .await;
        assert_eq!(
            status, 404,
            "{name}: a titulaire of Paris cannot be removed"
        );
        let outside = attestation("MINE", end, until, &[(nir(2), "MARTIN")], EMPLOYER);
        let (status, problem) = running
            .call("POST", "/v1/declarations", &lyon, Some(outside))
            .await;
        assert_eq!(status, 422, "{name}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "titulaires[0].NIR", "{name}");
        assert_eq!(problem["errors"][0]["code"], "outside_sites", "{name}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("MARTIN n'est pas un salarié de vos sites (Lyon)"),
            "{name}: {problem}"
        );
        let mine = attestation("MINE", end, until, &[(nir(1), "DUPONT")], EMPLOYER);
        let (status, _) = running
            .call("POST", "/v1/declarations", &lyon, Some(mine))
            .await;
        assert_eq!(status, 201, "{name}");

        // Expirations and passports: Lyon's worker only.
        let (_, expirations) = running.call("GET", "/v1/expirations", &lyon, None).await;
        let who: Vec<&str> = expirations["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["last_name"].as_str().unwrap())
            .collect();
        assert!(
            !who.is_empty() && who.iter().all(|n| *n == "DUPONT"),
            "{name}: {who:?}"
        );
        let (_, all) = running.call("GET", "/v1/expirations", &admin, None).await;
        assert!(all.to_string().contains("MARTIN"), "{name}: {all}");
        let (status, _) = running
            .call("GET", &format!("/v1/workers/{paul}/passport"), &lyon, None)
            .await;
        assert_eq!(status, 404, "{name}");
        let (status, _) = running
            .call("GET", &format!("/v1/workers/{anne}/passport"), &lyon, None)
            .await;
        assert_eq!(status, 200, "{name}");

        // Training records and the search roster.
        let record = json!({"training_code": "SST", "end_date": "2026-10-01"});
        let (status, _) = running
            .call(
                "POST",
                &format!("/v1/workers/{paul}/trainings"),
                &lyon,
                Some(record),
            )
            .await;
        assert_eq!(status, 404, "{name}: a record for a worker of Paris");
        let (status, _) = running
            .call("GET", &format!("/v1/workers/{paul}/trainings"), &lyon, None)
            .await;
        assert_eq!(status, 404, "{name}");
        let (_, found) = running
            .call("GET", "/v1/workers?q=2%2085%2007", &lyon, None)
            .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            1,
            "{name}: {found}"
        );

        // An export reaches every site: refused.
        let (status, problem) = running
            .call("POST", "/v1/exports", &lyon, Some(json!({"kind": "adf"})))
            .await;
        assert_eq!(status, 403, "{name}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("autres sites"),
            "{name}: {problem}"
        );

        // Sessions' trainees.
        let session = json!({"training_code": "SST", "title": "SST Lyon",
            "start_date": "2026-11-02", "end_date": "2026-11-03", "place": "Lyon"});
        let (status, created) = running
            .call("POST", "/v1/sessions", &admin, Some(session))
            .await;
        assert_eq!(status, 201, "{name}: {created}");
        let id = created["id"].as_i64().unwrap();
        for worker in [anne, paul] {
            let (status, answer) = running
                .call(
                    "POST",
                    &format!("/v1/sessions/{id}/trainees"),
                    &admin,
                    Some(json!({"worker_id": worker})),
                )
                .await;
            assert!(status < 300, "{name}: {status} {answer}");
        }
        let (_, detail) = running
            .call("GET", &format!("/v1/sessions/{id}"), &lyon, None)
            .await;
        let trainees: Vec<i64> = detail["trainees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["worker_id"].as_i64().unwrap())
            .collect();
        assert_eq!(trainees, [anne], "{name}: {detail}");
        assert_eq!(detail["trainee_count"], 1, "{name}: Lyon's trainees alone");
        let (_, sessions) = running.call("GET", "/v1/sessions", &lyon, None).await;
        assert_eq!(
            sessions["items"][0]["trainee_count"], 1,
            "{name}: {sessions}"
        );
        let (_, sessions) = running.call("GET", "/v1/sessions", &admin, None).await;
        assert_eq!(
            sessions["items"][0]["trainee_count"], 2,
            "{name}: {sessions}"
        );
        let outcome = json!({"outcome": "passed"});
        let trainee = |worker: i64| format!("/v1/sessions/{id}/trainees/{worker}");
        let (status, _) = running
            .call("PUT", &trainee(paul), &lyon, Some(outcome.clone()))
            .await;
        assert_eq!(status, 404, "{name}: the outcome of a trainee of Paris");
        let (status, _) = running.call("DELETE", &trainee(paul), &lyon, None).await;
        assert_eq!(status, 404, "{name}");
        let (status, _) = running
            .call("PUT", &trainee(anne), &lyon, Some(outcome.clone()))
            .await;
        assert_eq!(status, 200, "{name}");
        running
            .call("PUT", &trainee(paul), &admin, Some(outcome))
            .await;
        let (status, problem) = running
            .call("POST", &format!("/v1/sessions/{id}/close"), &lyon, None)
            .await;
        assert_eq!(status, 403, "{name}: {problem}");
        let (status, _) = running
            .call("POST", &format!("/v1/sessions/{id}/close"), &admin, None)
            .await;
        assert_eq!(status, 200, "{name}");
        running.stop().await;
        database.drop_now().await;
    }
}

#[tokio::test]
async fn verification_and_export_writes_leave_before_and_after_and_refused_ones_nothing() {
    for database in each_backend().await {
        let name = database.name;
        let server = open(&database.settings).await;
        let employer: Siret = EMPLOYER.parse().unwrap();
        let organisation: Siret = OTHER.parse().unwrap();
        server
            .create_account(DeclarantKind::Employeur, &employer, "Équipe Tôlerie", None)
            .await
            .unwrap();
        let nda = "11755555575".parse().unwrap();
        server
            .create_account(
                DeclarantKind::OrganismeFormation,
                &organisation,
                "Formapro",
                Some(&nda),
            )
            .await
            .unwrap();
        server
            .create_user(&employer, &user("sam@acme.fr", Role::Saisie, None))
            .await
            .unwrap();
        let sam = server
            .create_user_token(&employer, Some("sam@acme.fr"), None)
            .await
            .unwrap();
        let admin = server.create_token(&employer).await.unwrap();
        let of = server.create_token(&organisation).await.unwrap();
        let running = Running::start(server, listener().await);
        let declared = attestation(
            "OF-1",
            day(2026, 11, 2),
            day(2028, 11, 2),
            &[(nir(1), "DUPONT")],
            EMPLOYER,
        );
        let (status, answer) = running
            .call("POST", "/v1/declarations", &of, Some(declared))
            .await;
        assert_eq!(status, 201, "{name}: {answer}");
        let trail = async |token: &str, entity: &str| {
            let path = format!("/v1/audit?entity={entity}");
            let (_, page) = running.call("GET", &path, token, None).await;
            page["items"].as_array().unwrap().clone()
        };

        // Verifications: a verify, a verify that changes nothing, a request, a refused request.
        let (_, lines) = running.call("GET", "/v1/verifications", &sam, None).await;
        let line = lines["items"][0]["line_id"].as_i64().unwrap();
        let verify = format!("/v1/verifications/{line}/verify");
        let request = format!("/v1/verifications/{line}/request-correction");
        let (status, _) = running.call("POST", &verify, &sam, None).await;
        assert_eq!(status, 200, "{name}");
        let (status, _) = running.call("POST", &verify, &sam, None).await;
        assert_eq!(status, 200, "{name}: verified again changes nothing");
        let message = json!({"message": "Date de fin erronée"});
        let (status, _) = running
            .call("POST", &request, &sam, Some(message.clone()))
            .await;
        assert_eq!(status, 200, "{name}");
        let (status, _) = running.call("POST", &request, &sam, Some(message)).await;
        assert_eq!(status, 409, "{name}: a request already made");
        let entries = trail(&admin, "v%C3%A9rification").await;
        assert_eq!(entries.len(), 2, "{name}: {entries:?}");
        assert_eq!(entries[0]["user"], "sam@acme.fr", "{name}");
        assert_eq!(entries[0]["action"], "vérification", "{name}");
        assert_eq!(entries[0]["entity_id"], line.to_string(), "{name}");
        assert_eq!(
            entries[0]["before"],
            json!({"status": "a_verifier"}),
            "{name}"
        );
        assert_eq!(entries[0]["after"], json!({"status": "verifiee"}), "{name}");
        assert_eq!(entries[1]["action"], "demande de correction", "{name}");
        assert_eq!(
            entries[1]["before"],
            json!({"status": "verifiee", "message": null}),
            "{name}"
        );
        assert_eq!(
            entries[1]["after"],
            json!({"status": "correction_demandee", "message": "Date de fin erronée"}),
            "{name}"
        );

        // Exports: a batch and the portal's answer; nothing to send and a second answer, none.
        let (status, created) = running
            .call("POST", "/v1/exports", &of, Some(json!({"kind": "adf"})))
            .await;
        assert_eq!(status, 201, "{name}: {created}");
        let batch = created["id"].as_i64().unwrap();
        let (status, _) = running
            .call("POST", "/v1/exports", &of, Some(json!({"kind": "adf"})))
            .await;
        assert_eq!(status, 204, "{name}: nothing left to send");
        let answer = format!("/v1/exports/{batch}/answer");
        let accepted = json!({"answer": "accepted"});
        let (status, _) = running
            .call("POST", &answer, &of, Some(accepted.clone()))
            .await;
        assert_eq!(status, 200, "{name}");
        let (status, _) = running.call("POST", &answer, &of, Some(accepted)).await;
        assert_eq!(status, 409, "{name}: answered once");
        let entries = trail(&of, "export").await;
        assert_eq!(entries.len(), 2, "{name}: {entries:?}");
        assert_eq!(entries[0]["action"], "création", "{name}");
        assert_eq!(entries[0]["entity_id"], batch.to_string(), "{name}");
        assert_eq!(entries[0]["after"]["line_count"], 1, "{name}");
        assert_eq!(entries[0]["after"]["answer"], Value::Null, "{name}");
        assert_eq!(entries[1]["action"], "réponse du portail", "{name}");
        assert_eq!(entries[1]["before"]["answer"], Value::Null, "{name}");
        assert_eq!(entries[1]["after"]["answer"], "accepted", "{name}");
        assert!(
            trail(&admin, "export").await.is_empty(),
            "{name}: the organisation's trail is its own"
        );
        // Newest first, a page at a time back in time (the TUI's Journal).
        let (_, newest) = running
            .call("GET", "/v1/audit?newest_first=true&limit=1", &of, None)
            .await;
        assert_eq!(newest["items"][0]["action"], "réponse du portail", "{name}");
        let cursor = newest["next_cursor"].as_str().unwrap();
        let path = format!("/v1/audit?newest_first=true&limit=1&cursor={cursor}");
        let (_, before) = running.call("GET", &path, &of, None).await;
        assert_eq!(before["items"][0]["entity"], "export", "{name}");
        assert_eq!(before["items"][0]["action"], "création", "{name}");
        running.stop().await;
        database.drop_now().await;
    }
}
