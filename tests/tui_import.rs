//! The import screen (issue 15 §6) on a real team server: `I`, a typed path, the preview read and
//! checked through `crate::import` (as `passeport import`), Entrée to send with progress, then
//! the declarations on Déclarations; a file with errors previews them at their cells and sends
//! nothing; a missing file says so in French.

// Shared with the other TUI tests: not every helper is used here.
#[allow(dead_code)]
mod tui_support;

#[path = "common/databases.rs"]
mod databases;
#[path = "common/team.rs"]
mod team;

use crossterm::event::KeyCode;
use passeport::api::contract::DeclarationsQuery;
use passeport::rules::Rules;
use passeport::tui::action::{Action, Effect};
use passeport::tui::app::{App, AppOptions};
use passeport::tui::screens::ScreenId;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{key, press};

/// Runs the requests among `effects` the way the event loop does (an import's progress fed back
/// as the runtime does), until the app asks for nothing more.
async fn drive(app: &mut App, client: &passeport::api::Client, effects: Vec<Effect>) {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        if let Effect::Request { id, request } = effect
            && !request.is_local()
        {
            let result = passeport::tui::run::fetch(client, request).await;
            queue.extend(app.update(Action::Loaded { id, result }));
        }
    }
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

/// `I`, then the path typed and Entrée.
async fn open_and_check(app: &mut App, client: &passeport::api::Client, path: &str) {
    let effects = app.update(key('I'));
    drive(app, client, effects).await;
    assert_eq!(app.screen, ScreenId::Import);
    for c in path.chars() {
        let effects = app.update(key(c));
        assert!(effects.is_empty(), "typing {c} asked for something");
    }
    let effects = app.update(press(KeyCode::Enter));
    drive(app, client, effects).await;
}

async fn started(team: &team::Team) -> (App, passeport::api::Client) {
    let client = team.client(2);
    let (mut app, effects) = App::new(AppOptions::new(team::today()), &Rules::embedded().unwrap());
    drive(&mut app, &client, effects).await;
    app.update(Action::Resize(80, 24));
    (app, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_adf_file_is_previewed_then_imported_and_listed_on_declarations() {
    let team = team::Team::start().await;
    let (mut app, client) = started(&team).await;
    open_and_check(
        &mut app,
        &client,
        "tests/fixtures/import/adf-avec-entete.csv",
    )
    .await;
    let report = app.import.report().expect("a preview").clone();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.declarations > 0);
    let preview = screen(&app, 80, 24);
    assert!(preview.contains("Entrée : importer"), "{preview}");
    assert!(
        client
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap()
            .is_empty(),
        "the preview sent something"
    );
    let effects = app.update(press(KeyCode::Enter));
    assert_eq!(app.import.progress(), Some((0, report.declarations)));
    let sending = screen(&app, 200, 60);
    assert!(
        sending.contains(&format!("Envoi : 0/{} déclarations", report.declarations)),
        "{sending}"
    );
    insta::assert_snapshot!("import_progress_200x60", sending);
    insta::assert_snapshot!("import_progress_80x24", screen(&app, 80, 24));
    drive(&mut app, &client, effects).await;
    let done = app.import.report().unwrap();
    assert_eq!(done.results.len(), report.declarations);
    let listed = client
        .all_declarations(&DeclarationsQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), report.declarations);
    let effects = app.update(press(KeyCode::Enter));
    drive(&mut app, &client, effects).await;
    assert_eq!(app.screen, ScreenId::Declarations);
    let shown = screen(&app, 200, 60);
    assert!(shown.contains("CLI-ADF-1"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_errors_shows_them_at_their_lines_and_sends_nothing() {
    let team = team::Team::start().await;
    let (mut app, client) = started(&team).await;
    // Relative to the crate (the tests' working folder): the snapshot does not depend on it.
    open_and_check(&mut app, &client, "tests/fixtures/import/erreurs.csv").await;
    let report = app.import.report().expect("a preview").clone();
    assert!(!report.errors.is_empty());
    let shown = screen(&app, 200, 60);
    assert!(
        shown.contains("ligne 3, colonne NIR : NIR : clé incorrecte"),
        "{shown}"
    );
    assert!(shown.contains("Rien ne sera importé"), "{shown}");
    insta::assert_snapshot!("import_preview_errors_80x24", screen(&app, 80, 24));
    insta::assert_snapshot!("import_preview_errors_200x60", shown);
    let effects = app.update(press(KeyCode::Enter));
    assert!(
        effects.is_empty(),
        "Entrée on a file with errors asked for something"
    );
    assert!(
        client
            .all_declarations(&DeclarationsQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_named_in_french() {
    let team = team::Team::start().await;
    let (mut app, client) = started(&team).await;
    open_and_check(&mut app, &client, "~/absent-passeport.csv").await;
    let failure = app.import.failure().expect("a failure").to_owned();
    assert!(
        failure.ends_with("absent-passeport.csv : fichier introuvable"),
        "{failure}"
    );
    assert!(!failure.contains('~'), "~ not expanded: {failure}");
}
