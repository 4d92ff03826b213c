//! Export memory (issue 12 item 5): a server on loopback over each backend of the tests (a fresh
//! SQLite file, a fresh PostgreSQL database when the tests have one), two training
//! organisations of its own, driven by the real client. Nothing is exported twice,
//! `all` re-exports, a refused line (whole file or by name) goes in the next export, a retry
//! with the same key returns the same batch, and batches belong to their account.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use passeport::api::client::ClientOptions;
use passeport::api::contract::{
    CreatedExport, ExportAnswer, ExportFormat, ExportState, NewExport, PortalAnswer,
};
use passeport::api::{ApiError, Client};
use passeport::domain::deadline::DeadlineRules;
use passeport::domain::declaration::{Declaration, Modalite, QualificationFormateur, Titulaire};
use passeport::domain::training::Catalogue;
use passeport::domain::{DeclarantKind, DeclarationKind};
use passeport::server::database::DatabaseSettings;
use passeport::server::{Server, ServerOptions};
use tokio::sync::oneshot;

#[path = "common/databases.rs"]
mod databases;

use databases::each_backend;

/// SIRETs of the two training organisations (La Poste head office, then a second valid one).
const SIRETS: [&str; 2] = ["35600000000048", "73282932000074"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A running server with two accounts; dropping it stops the server.
struct Harness {
    base: String,
    tokens: Vec<String>,
    _stop: oneshot::Sender<()>,
}

/// Runs `body` on a server over each backend of the tests, one after the other; the backend's
/// name is printed first, so a failure says which.
async fn on_each_backend(body: impl AsyncFn(&Harness)) {
    for database in each_backend().await {
        eprintln!("== base {}", database.name);
        let harness = Harness::start(&database.settings).await;
        body(&harness).await;
        drop(harness);
        database.drop_now().await;
    }
}

impl Harness {
    async fn start(database: &DatabaseSettings) -> Self {
        let options = ServerOptions {
            db_path: std::path::PathBuf::new(),
            demo: None,
            today: Some(date(2026, 11, 26)),
        };
        let server = Server::open_on(
            database,
            options,
            Catalogue::embedded().unwrap(),
            DeadlineRules::embedded().unwrap(),
        )
        .await
        .unwrap();
        let mut tokens = Vec::new();
        for (n, siret) in SIRETS.iter().enumerate() {
            let siret = siret.parse().unwrap();
            server
                .create_account(
                    DeclarantKind::OrganismeFormation,
                    &siret,
                    &format!("Organisme {n}"),
                    Some(&"11755555555".parse().unwrap()),
                )
                .await
                .unwrap();
            tokens.push(server.create_token(&siret).await.unwrap());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Harness {
            base,
            tokens,
            _stop: stop,
        }
    }

    fn client(&self, account: usize) -> Client {
        let options = ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        };
        Client::new(&self.base, Some(self.tokens[account].clone()), options).unwrap()
    }
}

/// A titulaire with a NIR of its own (order numbers 001, 002… of one commune and month).
fn titulaire(id: &str, name: &str) -> Titulaire {
    static ORDER: AtomicU32 = AtomicU32::new(1);
    let order = ORDER.fetch_add(1, Ordering::Relaxed);
    Titulaire {
        id_unique_partenaire: id.to_owned(),
        nir: format!("1850375112{order:03}"),
        nom_titulaire: name.to_owned(),
        presence_employeur: Some(true),
        siret_employeur: "73282932000074".to_owned(),
        reference_employeur: String::new(),
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// A valid attestation de formation `id` with one titulaire per (line key, name).
fn adf(id: &str, titulaires: &[(&str, &str)]) -> Declaration {
    Declaration {
        id_declaration: id.to_owned(),
        reference_declaration: format!("REF-{id}"),
        nom_formation: "Sauveteur secouriste du travail".to_owned(),
        date_debut_formation: Some(date(2026, 6, 1)),
        date_fin_formation: Some(date(2026, 6, 2)),
        modalite_dispense: Some(Modalite::Presentiel),
        competence_transferable: strings(&["115650", "121885", "400635"]),
        qualification_formateur: Some(QualificationFormateur::Preventeur),
        formation_certifiante: Some(false),
        domaine_formation: strings(&["42829"]),
        specialite_formation: strings(&["344r"]),
        date_debut_validite: Some(date(2026, 6, 2)),
        date_fin_validite: Some(date(2028, 6, 2)),
        titulaires: titulaires
            .iter()
            .map(|(key, name)| titulaire(key, name))
            .collect(),
        ..Declaration::new(DeclarationKind::Attestation)
    }
}

/// Records a declaration and returns its id.
async fn declare(client: &Client, declaration: &Declaration) -> i64 {
    let key = format!("decl-{}", declaration.id_declaration);
    client
        .create_declaration(declaration, &key)
        .await
        .unwrap()
        .0
        .summary
        .id
}

/// An ADF export of the lines not sent yet (or all), under `key`.
async fn export(client: &Client, key: &str, all: bool) -> Option<CreatedExport> {
    let request = NewExport {
        kind: ExportFormat::Adf,
        all,
    };
    client.create_export(&request, key).await.unwrap()
}

/// The ID_UNIQUE_PARTENAIRE of every line of a bulk file, in file order.
fn file_keys(file: &str) -> Vec<String> {
    file.split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split('|').nth(2).unwrap().to_owned())
        .collect()
}

/// The line keys of a batch, in file order.
fn batch_keys(created: &CreatedExport) -> Vec<String> {
    created
        .batch
        .lines
        .iter()
        .map(|l| l.id_unique_partenaire.clone())
        .collect()
}

fn answer(answer: PortalAnswer, titulaires: &[&str]) -> ExportAnswer {
    ExportAnswer {
        answer,
        titulaires: strings(titulaires),
    }
}

#[tokio::test]
async fn nothing_is_exported_twice_and_all_re_exports() {
    on_each_backend(async |h: &Harness| {
        let of = h.client(0);
        assert_eq!(export(&of, "vide", false).await, None, "nothing yet: 204");
        let first = declare(&of, &adf("D1", &[("A-1", "DUPONT"), ("A-2", "MARTIN")])).await;

        let one = export(&of, "lot-1", false).await.unwrap();
        assert_eq!(batch_keys(&one), ["A-1", "A-2"]);
        assert_eq!(
            file_keys(&one.file),
            ["A-1", "A-2"],
            "the file holds the lines"
        );
        assert_eq!(one.batch.summary.line_count, 2);
        assert_eq!(one.batch.summary.kind, ExportFormat::Adf);
        assert_eq!(one.batch.summary.answer, None);
        assert!(
            one.batch
                .summary
                .file_name
                .starts_with(&format!("passeport-ADF-lot{}-", one.batch.summary.id)),
            "{}",
            one.batch.summary.file_name
        );
        assert_eq!(export(&of, "lot-2", false).await, None, "already sent: 204");

        let second = declare(&of, &adf("D2", &[("B-1", "LEROY")])).await;
        let two = export(&of, "lot-3", false).await.unwrap();
        assert_eq!(batch_keys(&two), ["B-1"], "only the new declaration");

        let all = export(&of, "lot-tout", true).await.unwrap();
        assert_eq!(batch_keys(&all), ["A-1", "A-2", "B-1"], "all re-exports");
        assert!(all.batch.summary.all);

        // The batches, newest first, and their files byte for byte.
        let listed: Vec<i64> = of
            .all_exports()
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(
            listed,
            [
                all.batch.summary.id,
                two.batch.summary.id,
                one.batch.summary.id
            ]
        );
        assert_eq!(
            of.export_file(two.batch.summary.id).await.unwrap(),
            two.file
        );
        assert_eq!(
            of.export_batch(one.batch.summary.id).await.unwrap(),
            one.batch
        );

        // Each declaration says which batch holds it last.
        let view = of.declaration(first).await.unwrap();
        let state = view.summary.export.unwrap();
        assert_eq!(state.batch_id, all.batch.summary.id);
        assert_eq!((state.state, state.unsent), (ExportState::EnAttente, 0));
        let listed = of.all_declarations(&Default::default()).await.unwrap();
        let second = listed.iter().find(|d| d.id == second).unwrap();
        assert_eq!(second.export.unwrap().batch_id, all.batch.summary.id);

        // A JDR export is another layout: none of these attestations.
        let jdr = NewExport {
            kind: ExportFormat::Jdr,
            all: true,
        };
        assert_eq!(of.create_export(&jdr, "jdr").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn a_refused_line_is_exported_again() {
    on_each_backend(async |h: &Harness| {
        let of = h.client(0);
        let first = declare(&of, &adf("D1", &[("A-1", "DUPONT"), ("A-2", "Lefèvre")])).await;
        let second = declare(&of, &adf("D2", &[("B-1", "LEROY")])).await;
        let one = export(&of, "lot-1", false).await.unwrap();
        let id = one.batch.summary.id;

        // Titulaires named by NOM_TITULAIRE (case and accents ignored) or by line key.
        for (names, code) in [(&["INCONNU"][..], "unknown"), (&[][..], "required")] {
            let refused = of
                .answer_export(id, &answer(PortalAnswer::RefusedTitulaires, names))
                .await;
            match refused {
                Err(ApiError::Invalid { errors, .. }) => assert_eq!(errors[0].code, code),
                other => panic!("{names:?}: {other:?}"),
            }
        }
        let answered = of
            .answer_export(id, &answer(PortalAnswer::RefusedTitulaires, &["LEFEVRE"]))
            .await
            .unwrap();
        assert_eq!(
            answered.summary.answer,
            Some(PortalAnswer::RefusedTitulaires)
        );
        assert_eq!(answered.summary.refused_count, 1);
        assert!(answered.summary.answered_at.is_some());
        let refused: Vec<&str> = answered
            .lines
            .iter()
            .filter(|l| l.refused)
            .map(|l| l.id_unique_partenaire.as_str())
            .collect();
        assert_eq!(refused, ["A-2"]);
        let again = of
            .answer_export(id, &answer(PortalAnswer::Accepted, &[]))
            .await;
        assert!(
            matches!(again, Err(ApiError::Conflict { .. })),
            "a second answer: {again:?}"
        );

        let d1 = of.declaration(first).await.unwrap().summary.export.unwrap();
        assert_eq!(
            (d1.state, d1.unsent, d1.batch_id),
            (ExportState::Refusee, 1, id)
        );
        let d2 = of
            .declaration(second)
            .await
            .unwrap()
            .summary
            .export
            .unwrap();
        assert_eq!((d2.state, d2.unsent), (ExportState::Acceptee, 0));

        // The refused line goes in the next export, alone; refused whole, it goes again.
        let two = export(&of, "lot-2", false).await.unwrap();
        assert_eq!(batch_keys(&two), ["A-2"]);
        let whole = of
            .answer_export(two.batch.summary.id, &answer(PortalAnswer::Refused, &[]))
            .await
            .unwrap();
        assert!(whole.lines.iter().all(|l| l.refused));
        let three = export(&of, "lot-3", false).await.unwrap();
        assert_eq!(batch_keys(&three), ["A-2"]);
        of.answer_export(three.batch.summary.id, &answer(PortalAnswer::Accepted, &[]))
            .await
            .unwrap();
        assert_eq!(export(&of, "lot-4", false).await, None, "all accepted");
        let d1 = of.declaration(first).await.unwrap().summary.export.unwrap();
        assert_eq!(
            (d1.state, d1.unsent, d1.batch_id),
            (ExportState::Acceptee, 0, three.batch.summary.id)
        );

        // A name two lines of a batch share must be given by its line key.
        declare(&of, &adf("D3", &[("C-1", "BERNARD"), ("C-2", "Bernard")])).await;
        let four = export(&of, "lot-5", false).await.unwrap();
        let ambiguous = of
            .answer_export(
                four.batch.summary.id,
                &answer(PortalAnswer::RefusedTitulaires, &["bernard"]),
            )
            .await;
        match ambiguous {
            Err(ApiError::Invalid { errors, .. }) => {
                assert_eq!(
                    (errors[0].field.as_str(), errors[0].code.as_str()),
                    ("titulaires[0]", "ambiguous")
                );
            }
            other => panic!("{other:?}"),
        }
        let by_key = of
            .answer_export(
                four.batch.summary.id,
                &answer(PortalAnswer::RefusedTitulaires, &["C-2"]),
            )
            .await
            .unwrap();
        assert_eq!(by_key.summary.refused_count, 1);
        let five = export(&of, "lot-6", false).await.unwrap();
        assert_eq!(batch_keys(&five), ["C-2"]);
    })
    .await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_same_batch() {
    on_each_backend(async |h: &Harness| {
        let of = h.client(0);
        declare(&of, &adf("D1", &[("A-1", "DUPONT")])).await;
        let first = export(&of, "meme-cle", false).await.unwrap();
        // A line recorded since does not change the answer of the retry.
        declare(&of, &adf("D2", &[("B-1", "LEROY")])).await;
        let retry = export(&of, "meme-cle", false).await.unwrap();
        assert_eq!(retry, first, "same batch, same file");
        assert_eq!(
            of.all_exports().await.unwrap().len(),
            1,
            "nothing written twice"
        );
        let conflict = of
            .create_export(
                &NewExport {
                    kind: ExportFormat::Jdr,
                    all: false,
                },
                "meme-cle",
            )
            .await;
        assert!(
            matches!(conflict, Err(ApiError::Conflict { .. })),
            "{conflict:?}"
        );
        // Same key with `all`: another request, refused too.
        let conflict = h
            .client(0)
            .create_export(
                &NewExport {
                    kind: ExportFormat::Adf,
                    all: true,
                },
                "meme-cle",
            )
            .await;
        assert!(matches!(conflict, Err(ApiError::Conflict { .. })));
        let next = export(&of, "autre-cle", false).await.unwrap();
        assert_eq!(batch_keys(&next), ["B-1"]);
    })
    .await;
}

#[tokio::test]
async fn batches_belong_to_their_account() {
    on_each_backend(async |h: &Harness| {
        let (mine, theirs) = (h.client(0), h.client(1));
        declare(&mine, &adf("D1", &[("A-1", "DUPONT")])).await;
        declare(&theirs, &adf("D1", &[("A-1", "DUPONT")])).await;
        let batch = export(&mine, "lot", false).await.unwrap();
        let id = batch.batch.summary.id;

        assert!(matches!(
            theirs.export_batch(id).await,
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            theirs.export_file(id).await,
            Err(ApiError::NotFound)
        ));
        let answered = theirs
            .answer_export(id, &answer(PortalAnswer::Refused, &[]))
            .await;
        assert!(matches!(answered, Err(ApiError::NotFound)), "{answered:?}");
        assert_eq!(
            mine.export_batch(id).await.unwrap().summary.answer,
            None,
            "unchanged"
        );
        assert!(theirs.all_exports().await.unwrap().is_empty());

        // The same key and the same line keys are another account's own: its batch holds its line.
        let their_batch = export(&theirs, "lot", false).await.unwrap();
        assert_ne!(their_batch.batch.summary.id, id);
        let their_lines: BTreeSet<i64> = their_batch
            .batch
            .lines
            .iter()
            .map(|l| l.declaration_id)
            .collect();
        let my_lines: BTreeSet<i64> = batch.batch.lines.iter().map(|l| l.declaration_id).collect();
        assert!(their_lines.is_disjoint(&my_lines));
    })
    .await;
}
