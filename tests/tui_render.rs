//! Render tests of the terminal application: the whole frame (header, screen, footer, status line)
//! drawn on ratatui's `TestBackend` at 80×24 and 120×40, monochrome theme, today frozen at
//! 2026-11-26, snapshotted with insta; plus checks of the styles a snapshot cannot show.

mod tui_support;

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use passeport::api::ApiError;
use passeport::api::contract::{DeclarationExport, DeclarationStatus, ExportFormat, ExportState};
use passeport::tui::action::{Action, AnswerScope, ExportedFile, Request, Response};
use passeport::tui::app::App;
use passeport::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use tui_support::{
    account, ctrl, declarations, expirations, key, new_app, ok, press, request_id, requests,
    roster, run_searches, session_detail, sessions, workers,
};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The four states every screen shows.
#[derive(Debug, Clone, Copy)]
enum State {
    Loading,
    Loaded,
    Empty,
    Error,
}

const STATES: [State; 4] = [State::Loading, State::Loaded, State::Empty, State::Error];

impl State {
    fn name(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Loaded => "loaded",
            Self::Empty => "empty",
            Self::Error => "error",
        }
    }

    /// The answer of this state, none while loading.
    fn answer(self, loaded: Response, empty: Response) -> Option<Result<Response, ApiError>> {
        match self {
            Self::Loading => None,
            Self::Loaded => Some(Ok(loaded)),
            Self::Empty => Some(Ok(empty)),
            Self::Error => Some(Err(ApiError::Unreachable {
                url: "http://127.0.0.1:8080".to_owned(),
            })),
        }
    }
}

fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    terminal.backend().buffer().clone()
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

/// Snapshots `app` at both sizes as `{name}_{w}x{h}`.
fn snapshot(name: &str, app: &App) {
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("{name}_{width}x{height}"),
            render(app, width, height)
        );
    }
}

/// A sandbox app with its account loaded, on the Échéances screen, and its expirations request.
fn app_with_account() -> (App, u64) {
    let (mut app, effects) = new_app();
    app.options.sandbox = true;
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(account()),
    );
    (
        app,
        request_id(&effects, |r| matches!(r, Request::Expirations(_))),
    )
}

fn settle(app: &mut App, id: u64, answer: Option<Result<Response, ApiError>>) {
    if let Some(result) = answer {
        app.update(Action::Loaded { id, result });
    }
}

fn expirations_app(state: State) -> App {
    let (mut app, id) = app_with_account();
    let answer = state.answer(
        Response::Expirations(expirations(true)),
        Response::Expirations(expirations(false)),
    );
    settle(&mut app, id, answer);
    app
}

/// The app on another screen, reached with `key`, whose first request is in `state`.
fn screen_app(key_char: char, state: State, loaded: Response, empty: Response) -> App {
    let mut app = expirations_app(State::Loaded);
    let effects = app.update(key(key_char));
    let [(id, _)] = requests(&effects)[..] else {
        panic!("one request: {effects:?}")
    };
    settle(&mut app, id, state.answer(loaded, empty));
    app
}

fn sessions_app(state: State) -> App {
    screen_app(
        '2',
        state,
        Response::Sessions(sessions()),
        Response::Sessions(Vec::new()),
    )
}

fn declarations_app(state: State) -> App {
    screen_app(
        '6',
        state,
        Response::Declarations(declarations()),
        Response::Declarations(Vec::new()),
    )
}

/// Session 11 opened from the list (second row, most recent first).
fn session_detail_app(state: State) -> App {
    let mut app = sessions_app(State::Loaded);
    app.update(key('j'));
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| *r == Request::Session(11));
    let answer = state.answer(
        Response::Session(Box::new(session_detail(true))),
        Response::Session(Box::new(session_detail(false))),
    );
    settle(&mut app, id, answer);
    if matches!(state, State::Loaded) {
        app.update(key('j'));
    }
    app
}

/// Recherche with `query` typed and answered; the roster in `state`.
fn search_app(state: State, query: &str) -> App {
    let mut app = expirations_app(State::Loaded);
    let effects = app.update(key('/'));
    let id = request_id(&effects, |r| *r == Request::Roster);
    let effects = match state.answer(roster(workers()), roster(Vec::new())) {
        Some(result) => app.update(Action::Loaded { id, result }),
        None => Vec::new(),
    };
    run_searches(&mut app, effects);
    for c in query.chars() {
        let effects = app.update(key(c));
        run_searches(&mut app, effects);
    }
    app
}

#[test]
fn expirations_screen() {
    for state in STATES {
        snapshot(
            &format!("expirations_{}", state.name()),
            &expirations_app(state),
        );
    }
}

#[test]
fn expirations_filtered_and_scrolled() {
    let mut app = expirations_app(State::Loaded);
    app.update(key('s'));
    app.update(key('j'));
    snapshot("expirations_expired_only", &app);
}

#[test]
fn sessions_list() {
    for state in STATES {
        snapshot(&format!("sessions_{}", state.name()), &sessions_app(state));
    }
}

#[test]
fn sessions_detail() {
    for state in STATES {
        snapshot(
            &format!("session_detail_{}", state.name()),
            &session_detail_app(state),
        );
    }
}

#[test]
fn search_screen() {
    snapshot("search_loading", &search_app(State::Loading, ""));
    snapshot("search_all", &search_app(State::Loaded, ""));
    snapshot("search_highlights", &search_app(State::Loaded, "dup"));
    snapshot("search_no_match", &search_app(State::Loaded, "zzq"));
    snapshot("search_empty_roster", &search_app(State::Empty, ""));
    snapshot("search_error", &search_app(State::Error, ""));
}

#[test]
fn search_while_matching() {
    let mut app = search_app(State::Loaded, "du");
    app.update(key('p'));
    snapshot("search_pending", &app);
}

#[test]
fn declarations_screen() {
    for state in STATES {
        snapshot(
            &format!("declarations_{}", state.name()),
            &declarations_app(state),
        );
    }
}

/// The list after `e`: the notice on the status line says which batches and where the files
/// are, the filter line stays, and the Export column shows each declaration's batch (UX #9).
#[test]
fn declarations_after_an_export() {
    let mut app = declarations_app(State::Loaded);
    let effects = app.update(key('e'));
    let id = request_id(&effects, |r| *r == Request::ExportBatches);
    let file = |batch, kind, lines, name: &str| ExportedFile {
        path: PathBuf::from(format!("/srv/passeport/exports/{name}")),
        batch,
        kind,
        lines,
    };
    let effects = ok(
        &mut app,
        id,
        Response::Exported(vec![
            file(4, ExportFormat::Adf, 8, "passeport-ADF-lot4-20261126.csv"),
            file(5, ExportFormat::Jdr, 3, "passeport-JDR-lot5-20261126.csv"),
        ]),
    );
    let reload = request_id(&effects, |r| matches!(r, Request::Declarations(_)));
    let exported_at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
    let mut list = declarations();
    let states = [
        (5, ExportState::Refusee, 1),
        (4, ExportState::EnAttente, 0),
        (3, ExportState::Acceptee, 0),
    ];
    for (declaration, (batch_id, state, unsent)) in list.iter_mut().zip(states) {
        declaration.export = Some(DeclarationExport {
            batch_id,
            exported_at,
            state,
            unsent,
        });
    }
    ok(&mut app, reload, Response::Declarations(list));
    snapshot("declarations_exported", &app);
    let status = row(&draw(&app, 80, 24), 23);
    assert!(
        status.contains("Lot 4 ADF : 8 lignes, lot 5 JDR : 3 lignes → /srv/passeport/exports/"),
        "{status}"
    );
    app.update(key('o'));
    let status = row(&draw(&app, 80, 24), 23);
    assert!(
        status.starts_with("Prêt"),
        "the next key clears it: {status}"
    );

    // `a` on the top row (batch 4, awaiting its answer) asks in place of the filter line.
    app.update(key('o'));
    let effects = app.update(key('a'));
    assert!(
        requests(&effects).is_empty(),
        "nothing sent before the answer"
    );
    snapshot("declarations_answer_question", &app);
    let effects = app.update(key('r'));
    let (_, request) = requests(&effects)[0].clone();
    assert_eq!(
        request,
        Request::AnswerExport {
            batch: 4,
            answer: AnswerScope::Refused
        }
    );
}

/// A filter that hides every declaration says so, and how to change it.
#[test]
fn declarations_filtered_to_nothing() {
    let mut list = declarations();
    list.retain(|d| d.status != DeclarationStatus::Supprimee);
    let mut app = screen_app(
        '6',
        State::Loaded,
        Response::Declarations(list),
        Response::Declarations(Vec::new()),
    );
    for _ in 0..3 {
        app.update(key('s'));
    }
    snapshot("declarations_filtered_empty", &app);
}

#[test]
fn help_overlay() {
    let mut app = expirations_app(State::Loaded);
    app.update(key('?'));
    snapshot("help", &app);
    // The review's small sizes: the help scrolls to its last row, the editing keys.
    for (width, height) in [(80, 24), (60, 20)] {
        app.update(Action::Resize(width, height));
        app.update(key('?'));
        app.update(key('?'));
        let top = render(&app, width, height);
        assert!(top.contains("↓ défiler"), "{top}");
        insta::assert_snapshot!(format!("help_top_{width}x{height}"), top);
        app.update(press(KeyCode::End));
        let end = render(&app, width, height);
        assert!(end.contains("Ctrl-K") && end.contains("↑ défiler"), "{end}");
        insta::assert_snapshot!(format!("help_end_{width}x{height}"), end);
        // The Simulateur and the form are covered on the way.
        let mut seen = String::new();
        app.update(press(KeyCode::Home));
        for _ in 0..80 {
            seen.push_str(&render(&app, width, height));
            app.update(press(KeyCode::Down));
        }
        for text in [
            "Simulateur",
            "Formulaire de déclaration",
            "Ctrl-S",
            "Ctrl-W",
            "PgDn",
        ] {
            assert!(seen.contains(text), "{text} at {width}×{height}");
        }
    }
}

#[test]
fn tiny_terminal_shows_a_notice() {
    let app = expirations_app(State::Loaded);
    insta::assert_snapshot!("tiny_59x19", render(&app, 59, 19));
    let text = render(&app, 40, 10);
    assert!(text.contains("Terminal trop petit (40×10)"), "{text}");
    // The review's 40×12: the size and the minimum each whole on their line.
    let text = render(&app, 40, 12);
    assert!(text.contains("Terminal trop petit (40×12)"), "{text}");
    assert!(text.contains("60×20 minimum · q quitter"), "{text}");
    assert!(
        render(&app, 60, 20).contains("Échéances"),
        "60×20 is usable"
    );
}

/// The text of row `y`.
fn row(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// The modifiers of the cells of row `y` holding the characters of `text`, found at its first
/// occurrence.
fn modifiers_of(buffer: &Buffer, y: u16, text: &str) -> Vec<Modifier> {
    let symbols: Vec<String> = (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol().to_owned())
        .collect();
    let wanted: Vec<String> = text.chars().map(String::from).collect();
    let start = symbols
        .windows(wanted.len())
        .position(|w| w == wanted.as_slice())
        .unwrap_or_else(|| panic!("{text:?} not on row {y}: {}", row(buffer, y)));
    (start..start + wanted.len())
        .map(|x| buffer[(x as u16, y)].modifier)
        .collect()
}

#[test]
fn search_highlights_the_matched_characters() {
    let app = search_app(State::Loaded, "eloise");
    let buffer = draw(&app, 120, 40);
    // Body starts on line 1: input, info, table header, then the hit.
    let y = 4;
    assert!(
        row(&buffer, y).contains("LEFÈVRE Éloïse"),
        "{}",
        row(&buffer, y)
    );
    for m in modifiers_of(&buffer, y, "Éloïse") {
        assert!(
            m.contains(Modifier::UNDERLINED),
            "every matched character is underlined"
        );
    }
    for m in modifiers_of(&buffer, y, "LEFÈVRE") {
        assert!(
            !m.contains(Modifier::UNDERLINED),
            "unmatched characters are not"
        );
    }
}

#[test]
fn the_selected_row_is_reversed_and_statuses_have_markers() {
    let mut app = expirations_app(State::Loaded);
    app.update(key('j'));
    let buffer = draw(&app, 80, 24);
    // Header, counts, filters, table header: rows start on line 4.
    assert!(
        row(&buffer, 4).starts_with(" ✖ DUPUIS"),
        "{}",
        row(&buffer, 4)
    );
    assert!(
        row(&buffer, 5).starts_with("›✖ LEFÈVRE"),
        "the selection is marked: {}",
        row(&buffer, 5)
    );
    assert!(
        row(&buffer, 6).starts_with(" ! DUPONT"),
        "{}",
        row(&buffer, 6)
    );
    assert!(
        modifiers_of(&buffer, 5, "LEFÈVRE")
            .iter()
            .all(|m| m.contains(Modifier::REVERSED))
    );
    assert!(
        modifiers_of(&buffer, 4, "DUPUIS")
            .iter()
            .all(|m| !m.contains(Modifier::REVERSED))
    );
}

#[test]
fn a_late_declaration_deadline_is_in_the_error_style() {
    let app = declarations_app(State::Loaded);
    let buffer = draw(&app, 120, 40);
    // Most recent first: PDP-2026-0001 (on time), then PDP-2026-0002 (late).
    let late = modifiers_of(&buffer, 4, "31/10/2026");
    assert!(
        late.iter()
            .all(|m| m.contains(Modifier::BOLD | Modifier::UNDERLINED))
    );
    let on_time = modifiers_of(&buffer, 3, "15/12/2026");
    assert!(on_time.iter().all(|m| !m.contains(Modifier::UNDERLINED)));
}

#[test]
fn the_header_names_the_account_and_the_sandbox() {
    let app = expirations_app(State::Loaded);
    for (width, height) in SIZES {
        let buffer = draw(&app, width, height);
        let header = row(&buffer, 0);
        assert!(header.contains("BAC À SABLE"), "{width}×{height}: {header}");
        // At 80 columns the tab names take the room: the account moves to the status line.
        let status = row(&buffer, height - 1);
        assert!(
            header.contains("Société Générale de Levage")
                || status.contains("Société Générale de Levage"),
            "{width}×{height}: {header}"
        );
    }
    let footer = row(&draw(&app, 120, 40), 38);
    assert!(
        footer.contains("q quitter") && footer.contains("? aide"),
        "{footer}"
    );
}

#[test]
fn the_status_line_counts_requests_and_shows_the_last_error() {
    let (app, _) = app_with_account();
    assert!(row(&draw(&app, 80, 24), 23).contains("⟳ 1 requête en cours…"));
    let app = expirations_app(State::Error);
    let status = row(&draw(&app, 120, 40), 39);
    assert!(
        status.starts_with("✖ Serveur injoignable (http://127.0.0.1:8080)"),
        "{status}"
    );
    let mut app = expirations_app(State::Loaded);
    assert!(row(&draw(&app, 80, 24), 23).starts_with("Prêt"));
    app.update(ctrl('z'));
    assert!(row(&draw(&app, 80, 24), 23).starts_with("Prêt"));
}

/// The footer (key hints) and the status line of an 80×24 frame.
fn bottom(app: &App) -> (String, String) {
    let buffer = draw(app, 80, 24);
    (row(&buffer, 22), row(&buffer, 23))
}

/// Validates the simulator's answer `downs` rows below the first, as a person does.
fn answer(app: &mut App, downs: usize) {
    for _ in 0..downs {
        app.update(press(KeyCode::Down));
    }
    app.update(press(KeyCode::Enter));
}

#[test]
fn the_footer_says_what_escape_does_here() {
    let (mut app, _) = app_with_account();
    app.update(key('5'));
    // The declarant is known from the account (an employer): Échap reopens that question.
    assert!(
        bottom(&app).0.starts_with("Échap changer le déclarant"),
        "{:?}",
        bottom(&app)
    );
    answer(&mut app, 0);
    assert!(bottom(&app).0.starts_with("Échap question précédente"));
    // To the date: « Non » is the last answer (4th, then 3rd) of the two long questions.
    // Then a prevention objective, transferable skills, an attestation, category 1.
    for downs in [1, 1, 1, 3, 2, 0, 0, 1, 0] {
        answer(&mut app, downs);
    }
    let (footer, _) = bottom(&app);
    assert!(
        footer.starts_with("Échap question précédente  F1-F6 écrans"),
        "{footer}"
    );
    for c in "15/10/2026".chars() {
        app.update(key(c));
    }
    app.update(press(KeyCode::Enter));
    // Not certifying, not publicly funded.
    for _ in 0..2 {
        answer(&mut app, 1);
    }
    app.update(press(KeyCode::Enter));
    assert!(app.simulator.form_open);
    let (footer, _) = bottom(&app);
    assert!(footer.starts_with("Échap quitter le champ"), "{footer}");
    app.update(press(KeyCode::Esc));
    let (footer, _) = bottom(&app);
    assert!(
        footer.starts_with("Échap fermer le formulaire (brouillon gardé) · Entrée reprendre"),
        "{footer}"
    );
    app.update(press(KeyCode::Esc));
    assert!(!app.simulator.form_open);
}

#[test]
fn drafts_in_progress_are_announced_from_the_start() {
    use passeport::domain::{DeclarantKind, DeclarationKind};
    use passeport::drafts::{Draft, ListedDraft};
    let (mut app, effects) = new_app();
    let id = request_id(&effects, |r| *r == Request::ListDrafts);
    let draft = Draft::new(DeclarantKind::Employeur, DeclarationKind::Attestation);
    ok(
        &mut app,
        id,
        Response::Drafts(Ok(vec![ListedDraft::Readable(Box::new(draft))])),
    );
    let list = request_id(&effects, |r| matches!(r, Request::Expirations(_)));
    ok(&mut app, list, Response::Expirations(expirations(true)));
    let me = request_id(&effects, |r| *r == Request::Me);
    ok(&mut app, me, Response::Me(account()));
    let (_, status) = bottom(&app);
    assert_eq!(
        status.trim_end(),
        "Prêt · 1 brouillon de déclaration en cours : 5 puis b pour le reprendre"
    );
    app.update(key('5'));
    app.update(key('b'));
    assert!(app.simulator.drafts_focused, "b reaches the drafts");
    assert_eq!(bottom(&app).1.trim_end(), "Prêt", "said where it is shown");
}

#[test]
fn the_footer_offers_only_keys_that_act_here() {
    // Échéances: no sort on a list kept in the deadlines' order.
    let (footer, _) = bottom(&expirations_app(State::Loaded));
    assert!(footer.contains("filtre statut"), "{footer}");
    assert!(!footer.contains("trier"), "{footer}");
    // An error screen: nothing to open or filter, r retries.
    for app in [expirations_app(State::Error), sessions_app(State::Error)] {
        let (footer, _) = bottom(&app);
        assert!(footer.contains("actualiser"), "{footer}");
        assert!(
            !footer.contains("ouvrir") && !footer.contains("filtre"),
            "{footer}"
        );
    }
    // Recherche, out of the field: results open, nothing filters.
    let mut app = search_app(State::Loaded, "");
    app.update(press(KeyCode::Esc));
    let (footer, _) = bottom(&app);
    assert!(footer.contains("ouvrir"), "{footer}");
    assert!(!footer.contains("filtre"), "{footer}");
    // Passeport with no worker opened: no NIR to show, no timeline to move.
    let mut app = expirations_app(State::Loaded);
    app.update(key('4'));
    let (footer, _) = bottom(&app);
    assert!(
        !footer.contains("NIR") && !footer.contains("frise") && !footer.contains("zoom"),
        "{footer}"
    );
}

/// A training organisation tells its trainees apart by employer: Échéances shows the employer
/// where an employer's account shows the site (UX review 2026-12, finding 31).
#[test]
fn expirations_of_a_training_organisation_show_the_employer() {
    use passeport::domain::DeclarantKind;
    let (mut app, effects) = new_app();
    let of = passeport::api::contract::Account {
        kind: DeclarantKind::OrganismeFormation,
        name: "Formaprev Sécurité".to_owned(),
        ..account()
    };
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(of),
    );
    let id = request_id(&effects, |r| matches!(r, Request::Expirations(_)));
    settle(
        &mut app,
        id,
        Some(Ok(Response::Expirations(expirations(true)))),
    );
    let screen = render(&app, 80, 24);
    let header = screen.lines().nth(3).unwrap_or_default();
    assert!(
        header.contains("Employeur") && !header.contains("Site"),
        "{screen}"
    );
    assert!(
        screen.contains("Transports Durand · Lille Lesquin"),
        "{screen}"
    );
    let employer = render(&expirations_app(State::Loaded), 80, 24);
    let header = employer.lines().nth(3).unwrap_or_default();
    assert!(
        header.contains("Site") && !header.contains("Employeur"),
        "{employer}"
    );
}

/// A refused token in the sandbox: the status line lists the demonstration tokens, whole at
/// 80 columns (UX review 2026-12, finding 31).
#[test]
fn a_refused_token_in_the_sandbox_lists_the_demo_tokens() {
    let (mut app, effects) = new_app();
    app.options.sandbox = true;
    let me = request_id(&effects, |r| *r == Request::Me);
    app.update(Action::Loaded {
        id: me,
        result: Err(ApiError::Unauthorized),
    });
    let screen = render(&app, 80, 24);
    let status = screen.lines().last().unwrap_or_default();
    assert!(
        status
            .contains("✖ Jeton refusé (401) : essayez demo-employeur, demo-employeur-2 ou demo-of"),
        "{screen}"
    );
}

/// On a wide terminal the selection bar ends with the last column: a cursor move rewrites the
/// two rows' text, not the blank cells up to the edge (BENCHMARKS.md §2, bytes per move).
#[test]
fn the_selection_bar_ends_with_the_last_column() {
    let app = expirations_app(State::Loaded);
    let buffer = draw(&app, 200, 60);
    // Header, counts, filters, table header: the selected row is line 4.
    let reversed = |x: u16| buffer[(x, 4)].modifier.contains(Modifier::REVERSED);
    assert!(reversed(0) && reversed(20), "the selected row is reversed");
    assert!(!reversed(199), "but not up to the edge");
}
