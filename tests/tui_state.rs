//! State tests of the terminal application: actions in through `App::update`, effects and state
//! out, with no terminal and no server.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use passeport::api::ApiError;
use passeport::api::contract::SessionDeclarationStatus;
use passeport::tui::action::{Action, Effect, Request, Response};
use passeport::tui::app::App;
use passeport::tui::keymap::{Command, Context, Keymap};
use passeport::tui::screens::ScreenId;
use passeport::tui::screens::expirations::StatusFilter;
use passeport::tui::screens::sessions::{Period, SortBy};
use tui_support::{
    account, ctrl, declarations, expirations, key, new_app, ok, press, request_id, requests,
    roster, run_searches, session_detail, sessions, today, workers,
};

fn is_expirations(r: &Request) -> bool {
    matches!(r, Request::Expirations(_))
}

fn is_sessions(r: &Request) -> bool {
    matches!(r, Request::Sessions(_))
}

/// An app whose account and Échéances list are loaded.
fn loaded_app() -> App {
    let (mut app, effects) = new_app();
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(account()),
    );
    ok(
        &mut app,
        request_id(&effects, is_expirations),
        Response::Expirations(expirations(true)),
    );
    assert_eq!(app.in_flight(), 0);
    app
}

/// `loaded_app` on the Sessions screen with its list loaded.
fn sessions_app() -> App {
    let mut app = loaded_app();
    let effects = app.update(key('2'));
    ok(
        &mut app,
        request_id(&effects, is_sessions),
        Response::Sessions(sessions()),
    );
    app
}

/// `loaded_app` on the Recherche screen, input focused, roster loaded and the empty query
/// answered.
fn search_app() -> App {
    let mut app = loaded_app();
    let effects = app.update(key('/'));
    assert_eq!(app.screen, ScreenId::Search);
    assert!(app.search.focused);
    let effects = ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Roster),
        roster(workers()),
    );
    run_searches(&mut app, effects);
    app
}

/// The searches among `effects`: (query, generation, within).
fn searches(effects: &[Effect]) -> Vec<(String, u64, Option<Vec<u32>>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search {
                query,
                generation,
                within,
                ..
            } => Some((query.clone(), *generation, within.as_deref().cloned())),
            _ => None,
        })
        .collect()
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Action {
    Action::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn worker_names(app: &App) -> Vec<String> {
    app.expirations
        .visible()
        .iter()
        .map(|i| format!("{} {}", i.last_name, i.training_code))
        .collect()
}

#[test]
fn start_asks_for_the_account_and_the_expirations_within_the_threshold() {
    let (app, effects) = new_app();
    assert_eq!(app.screen, ScreenId::Expirations);
    let requests = requests(&effects);
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[0].1, Request::Me);
    let Request::Expirations(query) = &requests[1].1 else {
        panic!("{requests:?}")
    };
    assert_eq!(query.within_days, Some(90));
    assert_eq!(
        requests[2].1,
        Request::ListDrafts,
        "the drafts are listed from the start, to be announced"
    );
    assert_ne!(requests[0].0, requests[1].0, "every request has its own id");
    assert_eq!(app.in_flight(), 2, "the draft listing is local");
    assert!(app.expirations.data.is_loading());
}

#[test]
fn number_keys_switch_screens_and_load_each_once() {
    let mut app = loaded_app();
    let effects = app.update(key('2'));
    assert_eq!(app.screen, ScreenId::Sessions);
    let [(_, Request::Sessions(query))] = &requests(&effects)[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        query.from,
        today().checked_sub_months(chrono::Months::new(12)),
        "12 derniers mois"
    );

    let effects = app.update(key('3'));
    assert_eq!(app.screen, ScreenId::Search);
    assert!(app.search.focused, "the screen's field has the focus");
    assert_eq!(
        requests(&effects).iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Request::Roster]
    );
    // Digits are typed there (a NIR); F-keys and Tab change screens.
    app.update(key('6'));
    assert_eq!(app.search.query.text(), "6");
    app.update(press(KeyCode::Backspace));

    let effects = app.update(press(KeyCode::F(6)));
    assert_eq!(app.screen, ScreenId::Declarations);
    assert!(matches!(
        &requests(&effects)[..],
        [(_, Request::Declarations(_))]
    ));

    let effects = app.update(key('1'));
    assert_eq!(app.screen, ScreenId::Expirations);
    assert!(effects.is_empty(), "already loaded: {effects:?}");
    let effects = app.update(key('2'));
    assert!(
        effects.is_empty(),
        "still loading: no second request: {effects:?}"
    );

    app.update(key('5'));
    assert_eq!(app.screen, ScreenId::Simulator);
    app.update(key('4'));
    assert_eq!(app.screen, ScreenId::Worker);
}

#[test]
fn declarations_reload_on_every_visit() {
    let mut app = loaded_app();
    let first = app.update(key('6'));
    ok(
        &mut app,
        request_id(&first, |r| matches!(r, Request::Declarations(_))),
        Response::Declarations(declarations()),
    );
    app.update(key('1'));
    let again = app.update(key('6'));
    assert!(matches!(
        &requests(&again)[..],
        [(_, Request::Declarations(_))]
    ));
    assert_eq!(
        app.declarations.visible().len(),
        3,
        "the last good list stays while reloading"
    );
}

#[test]
fn tab_and_shift_tab_cycle_in_tab_order_and_wrap() {
    let mut app = loaded_app();
    let mut seen = Vec::new();
    for _ in 0..ScreenId::ALL.len() {
        app.update(press(KeyCode::Tab));
        seen.push(app.screen);
    }
    assert_eq!(
        seen,
        [
            ScreenId::Sessions,
            ScreenId::Search,
            ScreenId::Worker,
            ScreenId::Simulator,
            ScreenId::Declarations,
            ScreenId::Expirations
        ]
    );
    app.update(press(KeyCode::BackTab));
    assert_eq!(
        app.screen,
        ScreenId::Declarations,
        "Maj-Tab wraps backwards"
    );
    app.update(press(KeyCode::BackTab));
    assert_eq!(app.screen, ScreenId::Simulator);
}

#[test]
fn esc_goes_back_through_the_history_then_stays() {
    let mut app = loaded_app();
    app.update(key('2'));
    app.update(key('6'));
    app.update(key('6'));
    app.update(press(KeyCode::Esc));
    assert_eq!(
        app.screen,
        ScreenId::Sessions,
        "showing the same screen again is not a step"
    );
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Expirations);
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Expirations);
    assert!(!app.quit);
}

#[test]
fn help_is_modal_and_closes_with_esc_question_mark_or_q() {
    let mut app = loaded_app();
    app.update(key('?'));
    assert!(app.help);
    let effects = app.update(key('2'));
    assert!(app.help && effects.is_empty());
    assert_eq!(
        app.screen,
        ScreenId::Expirations,
        "keys do not reach the screen under the help"
    );
    app.update(press(KeyCode::Esc));
    assert!(!app.help);
    assert_eq!(
        app.screen,
        ScreenId::Expirations,
        "Esc closed the help, it did not go back"
    );

    app.update(key('?'));
    app.update(key('?'));
    assert!(!app.help);

    app.update(key('?'));
    app.update(key('q'));
    assert!(!app.help);
    assert!(!app.quit, "q closes the help without quitting");
    app.update(key('q'));
    assert!(app.quit);
}

#[test]
fn ctrl_c_quits_and_ctrl_z_suspends() {
    let mut app = loaded_app();
    let effects = app.update(ctrl('z'));
    assert!(matches!(&effects[..], [Effect::Suspend]));
    assert!(!app.quit);
    app.update(ctrl('c'));
    assert!(app.quit);
}

#[test]
fn typing_in_the_search_sends_generations_narrowing_when_the_query_extends() {
    let mut app = search_app();
    assert_eq!(
        app.search.generation, 1,
        "the empty query ran once the roster arrived"
    );
    assert_eq!(app.search.matches.as_ref().unwrap().top.len(), 3);

    let d = app.update(key('d'));
    assert_eq!(
        searches(&d),
        [("d".to_owned(), 2, None)],
        "the empty query narrows nothing"
    );
    run_searches(&mut app, d);
    let after_d = app.search.matches.as_ref().unwrap().all.to_vec();

    let u = app.update(key('u'));
    assert_eq!(searches(&u), [("du".to_owned(), 3, Some(after_d.clone()))]);
    // `p` typed before the answer to `du`: narrows within the last matches received.
    let p = app.update(key('p'));
    assert_eq!(searches(&p), [("dup".to_owned(), 4, Some(after_d))]);
    run_searches(&mut app, u);
    assert_eq!(
        app.search.matches.as_ref().unwrap().query,
        "d",
        "`du` is stale once `dup` is typed"
    );
    assert!(app.search.is_searching());
    run_searches(&mut app, p);
    let matches = app.search.matches.clone().unwrap();
    assert_eq!((matches.generation, matches.query.as_str()), (4, "dup"));
    assert!(!app.search.is_searching());

    let back = app.update(press(KeyCode::Backspace));
    assert_eq!(
        searches(&back),
        [("du".to_owned(), 5, None)],
        "a shorter query scans everything"
    );

    // Single letters are typed while the input has the focus, even `q`.
    let q = app.update(key('q'));
    assert_eq!(app.search.query.text(), "duq");
    assert!(!app.quit);
    assert_eq!(searches(&q).len(), 1);
}

#[test]
fn an_older_search_answer_is_dropped() {
    let mut app = search_app();
    let first = app.update(key('e'));
    let second = app.update(key('l'));
    run_searches(&mut app, second);
    let newest = app.search.matches.clone().unwrap();
    assert_eq!(newest.query, "el");
    run_searches(&mut app, first);
    assert_eq!(
        app.search.matches.as_ref(),
        Some(&newest),
        "the `e` answer came too late"
    );
}

#[test]
fn enter_on_a_search_hit_opens_the_worker() {
    let mut app = search_app();
    for c in "eloise".chars() {
        let effects = app.update(key(c));
        run_searches(&mut app, effects);
    }
    let effects = app.update(press(KeyCode::Enter));
    assert_eq!(app.screen, ScreenId::Worker);
    assert_eq!(
        requests(&effects)
            .into_iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        [Request::Passport(8)]
    );
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Search);
    assert!(app.search.focused, "back on the search: its field again");
    assert_eq!(app.search.query.text(), "eloise", "the query is kept");
    app.update(press(KeyCode::Esc));
    app.update(key('q'));
    assert!(app.quit, "out of the field, q quits");
}

#[test]
fn esc_leaves_the_search_input_then_goes_back() {
    let mut app = search_app();
    app.update(key('x'));
    app.update(press(KeyCode::Esc));
    assert!(!app.search.focused);
    assert_eq!(app.screen, ScreenId::Search);
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Expirations);
}

#[test]
fn paste_fills_the_search_without_control_characters() {
    let mut app = search_app();
    app.update(press(KeyCode::Esc));
    let effects = app.update(Action::Paste("Lefè\u{1b}[2Jvre\n".to_owned()));
    assert!(app.search.focused);
    assert_eq!(app.search.query.text(), "Lefè[2Jvre");
    assert_eq!(searches(&effects).len(), 1);
}

#[test]
fn a_stale_answer_is_ignored_and_the_latest_kept() {
    let (mut app, effects) = new_app();
    let first = request_id(&effects, is_expirations);
    let refresh = app.update(key('r'));
    let second = request_id(&refresh, is_expirations);
    assert!(second > first);

    let mut stale = expirations(true);
    stale.items.truncate(1);
    ok(&mut app, first, Response::Expirations(stale));
    assert!(
        app.expirations.data.data().is_none(),
        "answer of a superseded request"
    );
    assert!(app.expirations.data.is_loading());

    ok(&mut app, second, Response::Expirations(expirations(true)));
    assert_eq!(app.expirations.visible().len(), 5);

    // An id nobody asked for changes nothing.
    ok(&mut app, 999, Response::Expirations(expirations(false)));
    assert_eq!(app.expirations.visible().len(), 5);
}

#[test]
fn answers_out_of_order_keep_the_newest() {
    let (mut app, effects) = new_app();
    let first = request_id(&effects, is_expirations);
    let second = request_id(&app.update(key('r')), is_expirations);
    let third = request_id(&app.update(key('r')), is_expirations);
    assert!(first < second && second < third);
    ok(&mut app, third, Response::Expirations(expirations(true)));
    ok(&mut app, second, Response::Expirations(expirations(false)));
    ok(&mut app, first, Response::Expirations(expirations(false)));
    assert_eq!(app.expirations.visible().len(), 5);
    assert!(!app.expirations.data.is_loading());
}

#[test]
fn an_error_shows_in_the_status_and_the_screen_and_r_retries() {
    let (mut app, effects) = new_app();
    ok(
        &mut app,
        request_id(&effects, |r| *r == Request::Me),
        Response::Me(account()),
    );
    let id = request_id(&effects, is_expirations);
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Timeout),
    });
    let message = ApiError::Timeout.to_string();
    assert_eq!(app.last_error.as_deref(), Some(message.as_str()));
    assert_eq!(app.expirations.data.error(), Some(message.as_str()));
    assert!(!app.expirations.data.is_loading());

    let retry = app.update(key('r'));
    assert_eq!(app.last_error, None, "r clears the status line");
    let retry_id = request_id(&retry, is_expirations);
    assert_eq!(
        requests(&retry).len(),
        1,
        "the account is loaded: not asked again"
    );
    ok(&mut app, retry_id, Response::Expirations(expirations(true)));
    assert_eq!(app.expirations.data.error(), None);
    assert_eq!(app.expirations.visible().len(), 5);
}

#[test]
fn a_failed_account_is_asked_again_on_retry() {
    let (mut app, effects) = new_app();
    let me = request_id(&effects, |r| *r == Request::Me);
    app.update(Action::Loaded {
        id: me,
        result: Err(ApiError::Unauthorized),
    });
    assert!(app.last_error.as_deref().is_some_and(|e| e.contains("401")));
    assert!(app.account.error().is_some());
    let retry = app.update(ctrl('r'));
    let kinds: Vec<Request> = requests(&retry).into_iter().map(|r| r.1).collect();
    assert!(kinds.contains(&Request::Me), "{kinds:?}");
    assert!(kinds.iter().any(is_expirations), "{kinds:?}");
}

#[test]
fn errors_reach_the_screen_that_asked() {
    let mut app = loaded_app();
    let effects = app.update(key('2'));
    let id = request_id(&effects, is_sessions);
    app.update(key('1'));
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Server {
            status: 503,
            detail: "base indisponible".into(),
        }),
    });
    assert!(app.sessions.list.error().is_some_and(|e| e.contains("503")));
    assert_eq!(app.expirations.data.error(), None);
    assert!(app.last_error.is_some());
}

#[test]
fn enter_on_an_expiration_opens_that_worker() {
    let mut app = loaded_app();
    app.update(key('j'));
    assert_eq!(app.expirations.cursor.selected(), 1);
    let effects = app.update(press(KeyCode::Enter));
    assert_eq!(app.screen, ScreenId::Worker);
    assert_eq!(app.worker.worker_id, Some(8));
    let id = request_id(&effects, |r| *r == Request::Passport(8));
    assert_eq!(requests(&effects).len(), 1);
    assert!(app.worker.data.expects(id));
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Expirations);
    assert_eq!(
        app.expirations.cursor.selected(),
        1,
        "the selection is kept"
    );
}

#[test]
fn enter_on_an_empty_list_stays() {
    let (mut app, effects) = new_app();
    ok(
        &mut app,
        request_id(&effects, is_expirations),
        Response::Expirations(expirations(false)),
    );
    let effects = app.update(press(KeyCode::Enter));
    assert_eq!(app.screen, ScreenId::Expirations);
    assert!(effects.is_empty());
}

#[test]
fn status_filter_cycles_and_filters_expirations() {
    let mut app = loaded_app();
    app.update(key('G'));
    assert_eq!(app.expirations.cursor.selected(), 4);
    app.update(key('s'));
    assert_eq!(app.expirations.status, StatusFilter::Expired);
    assert_eq!(worker_names(&app), ["DUPUIS MAC_SST", "LEFÈVRE CACES_R489"]);
    assert_eq!(
        app.expirations.cursor.selected(),
        0,
        "filtering selects the first row"
    );
    app.update(key('s'));
    assert_eq!(app.expirations.status, StatusFilter::Expiring);
    assert_eq!(app.expirations.visible().len(), 3);
    app.update(key('s'));
    assert_eq!(app.expirations.status, StatusFilter::All);
    assert_eq!(app.expirations.visible().len(), 5);
}

#[test]
fn training_filter_cycles_through_the_codes_present() {
    let mut app = loaded_app();
    let mut seen = Vec::new();
    for _ in 0..4 {
        app.update(key('t'));
        seen.push((
            app.expirations.training.clone(),
            app.expirations.visible().len(),
        ));
    }
    assert_eq!(
        seen,
        [
            (Some("CACES_R489".to_owned()), 2),
            (Some("HAB_ELEC_B0_H0".to_owned()), 1),
            (Some("MAC_SST".to_owned()), 2),
            (None, 5)
        ]
    );
    app.update(key('t'));
    app.update(key('s'));
    assert_eq!(
        worker_names(&app),
        ["LEFÈVRE CACES_R489"],
        "both filters apply"
    );
}

#[test]
fn sort_cycles_the_session_order() {
    let mut app = sessions_app();
    let ids = |app: &App| {
        app.sessions
            .visible()
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(app.sessions.sort, SortBy::DateDesc);
    assert_eq!(ids(&app), [13, 11, 12, 14]);
    app.update(key('o'));
    assert_eq!(app.sessions.sort, SortBy::DateAsc);
    assert_eq!(ids(&app), [14, 12, 11, 13]);
    app.update(key('o'));
    assert_eq!(app.sessions.sort, SortBy::Title);
    assert_eq!(ids(&app), [12, 13, 14, 11]);
    app.update(key('o'));
    assert_eq!(app.sessions.sort, SortBy::Status);
    assert_eq!(
        ids(&app),
        [11, 13, 12, 14],
        "à déclarer, en cours, déclarée, non concernée"
    );
    app.update(key('o'));
    assert_eq!(app.sessions.sort, SortBy::DateDesc);
}

#[test]
fn session_filters_status_locally_and_period_on_the_server() {
    let mut app = sessions_app();
    app.update(key('s'));
    assert_eq!(
        app.sessions.status,
        Some(SessionDeclarationStatus::ADeclarer)
    );
    assert_eq!(
        app.sessions
            .visible()
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        [11]
    );
    for _ in 0..4 {
        app.update(key('s'));
    }
    assert_eq!(app.sessions.status, None, "four statuses then all");

    let effects = app.update(key('t'));
    assert_eq!(app.sessions.period, Period::All);
    let [(_, Request::Sessions(query))] = &requests(&effects)[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(query.from, None);
    let effects = app.update(key('t'));
    assert_eq!(app.sessions.period, Period::Quarter);
    let [(_, Request::Sessions(query))] = &requests(&effects)[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        query.from,
        today().checked_sub_months(chrono::Months::new(3))
    );
}

#[test]
fn a_session_opens_in_detail_and_esc_closes_it() {
    let mut app = sessions_app();
    app.update(key('j'));
    let effects = app.update(press(KeyCode::Enter));
    let id = request_id(&effects, |r| *r == Request::Session(11));
    assert!(app.sessions.detail.as_ref().is_some_and(|d| d.is_loading()));
    ok(
        &mut app,
        id,
        Response::Session(Box::new(session_detail(true))),
    );
    let detail = app.sessions.detail.as_ref().and_then(|d| d.data()).unwrap();
    assert_eq!(detail.trainees.len(), 3);

    app.update(key('j'));
    assert_eq!(app.sessions.trainee_cursor.selected(), 1);
    assert_eq!(
        app.sessions.cursor.selected(),
        1,
        "the list selection does not move"
    );

    app.update(press(KeyCode::Esc));
    assert!(app.sessions.detail.is_none());
    assert_eq!(
        app.screen,
        ScreenId::Sessions,
        "Esc closed the detail, not the screen"
    );
    app.update(press(KeyCode::Esc));
    assert_eq!(app.screen, ScreenId::Expirations);
}

#[test]
fn declaring_a_session_opens_the_simulator_prefilled_from_it() {
    let mut app = sessions_app();
    app.update(key('j'));
    let effects = app.update(key('d'));
    assert_eq!(app.screen, ScreenId::Simulator);
    assert_eq!(app.simulator.from_session, Some(11));
    assert!(
        requests(&effects)
            .iter()
            .any(|r| r.1 == Request::Session(11)),
        "{effects:?}"
    );
}

#[test]
fn sort_toggles_the_declaration_order() {
    let mut app = loaded_app();
    let effects = app.update(key('6'));
    ok(
        &mut app,
        request_id(&effects, |r| matches!(r, Request::Declarations(_))),
        Response::Declarations(declarations()),
    );
    let ids = |app: &App| {
        app.declarations
            .visible()
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&app), [1, 2, 3], "most recent first");
    app.update(key('o'));
    assert_eq!(ids(&app), [3, 2, 1]);
    app.update(key('s'));
    assert_eq!(ids(&app), [1], "enregistrée");
}

#[test]
fn clicking_a_tab_switches_screen() {
    let mut app = loaded_app();
    app.update(Action::Resize(120, 40));
    // Tabs: " 1 Échéances " (0–12), " 2 Sessions " (13–24), " 3 Recherche " (25–37)…
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 14, 0));
    assert_eq!(app.screen, ScreenId::Sessions);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 37, 0));
    assert_eq!(app.screen, ScreenId::Search);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 12, 0));
    assert_eq!(app.screen, ScreenId::Expirations);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 110, 0));
    assert_eq!(
        app.screen,
        ScreenId::Expirations,
        "right of the tabs: nothing"
    );
}

#[test]
fn clicking_a_row_selects_it_and_the_wheel_moves() {
    let mut app = loaded_app();
    // Header line, then counts, filters and the table header: the first row is on line 4.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 10, 6));
    assert_eq!(app.expirations.cursor.selected(), 2);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 10, 2));
    assert_eq!(
        app.expirations.cursor.selected(),
        2,
        "a click above the table selects nothing"
    );
    app.update(mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(app.expirations.cursor.selected(), 3);
    app.update(mouse(MouseEventKind::ScrollUp, 10, 10));
    app.update(mouse(MouseEventKind::ScrollUp, 10, 10));
    assert_eq!(app.expirations.cursor.selected(), 1);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 10, 20));
    assert_eq!(
        app.expirations.cursor.selected(),
        4,
        "below the last row: the last row"
    );
}

#[test]
fn a_click_closes_the_help() {
    let mut app = loaded_app();
    app.update(key('?'));
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 14, 0));
    assert!(!app.help);
    assert_eq!(
        app.screen,
        ScreenId::Expirations,
        "the click only closed the help"
    );
}

#[test]
fn a_late_error_of_a_superseded_request_does_not_reach_the_status_line() {
    let (mut app, effects) = new_app();
    let first = request_id(&effects, is_expirations);
    let second = request_id(&app.update(key('r')), is_expirations);
    ok(&mut app, second, Response::Expirations(expirations(true)));
    app.update(Action::Loaded {
        id: first,
        result: Err(ApiError::Timeout),
    });
    assert_eq!(app.last_error, None, "the newer answer already arrived");
    assert_eq!(app.expirations.data.error(), None);
    assert_eq!(app.in_flight(), 1, "only the account is still awaited");
}

#[test]
fn every_default_binding_has_its_keys_including_minus() {
    let keymap = Keymap::default();
    for binding in keymap.bindings() {
        assert!(!binding.keys.is_empty(), "{:?} has no key", binding.command);
    }
    let minus = crossterm::event::KeyEvent::new(KeyCode::Char('-'), KeyModifiers::NONE);
    assert_eq!(
        keymap.resolve(&[Context::Worker], &minus),
        Some(Command::ZoomOut)
    );
    let big_g = crossterm::event::KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(keymap.resolve(&[Context::List], &big_g), Some(Command::End));
}

#[test]
fn a_failed_roster_leaves_the_input_so_r_retries() {
    let mut app = loaded_app();
    let effects = app.update(key('/'));
    let id = request_id(&effects, |r| *r == Request::Roster);
    app.update(Action::Loaded {
        id,
        result: Err(ApiError::Timeout),
    });
    assert!(!app.search.focused);
    let retry = app.update(key('r'));
    assert_eq!(app.search.query.text(), "");
    request_id(&retry, |r| *r == Request::Roster);
}

#[test]
fn draft_files_are_not_counted_as_requests_in_flight() {
    let (mut app, effects) = new_app();
    assert_eq!(app.in_flight(), 2, "account and expirations");
    assert!(
        requests(&effects)
            .iter()
            .any(|(_, r)| matches!(r, Request::ListDrafts)),
        "the simulator lists the drafts on disk"
    );
    app.update(key('5'));
    assert_eq!(
        app.in_flight(),
        2,
        "a local draft read is not an API request"
    );
}

#[test]
fn the_spinner_turns_while_requests_are_in_flight() {
    let (mut app, _) = new_app();
    let status = |app: &App| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| passeport::tui::ui::render(app, f))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..80)
            .map(|x| buffer[(x, 23)].symbol().to_owned())
            .collect::<String>()
    };
    let before = status(&app);
    assert!(before.contains("2 requêtes en cours"), "{before}");
    app.update(Action::Tick);
    let after = status(&app);
    assert!(after.contains("2 requêtes en cours"), "{after}");
    assert_ne!(before, after, "the spinner's frame changed");
}

#[test]
fn recherche_takes_names_with_a_q_and_says_how_to_leave() {
    let mut app = loaded_app();
    app.update(key('3'));
    assert!(app.search.focused);
    for c in "jacques 1".chars() {
        app.update(key(c));
    }
    assert!(!app.quit, "a q is typed, never a command");
    assert_eq!(app.screen, ScreenId::Search, "a digit is typed too");
    assert_eq!(app.search.query.text(), "jacques 1");
    // The same editing keys as the form: Ctrl-W the word, Ctrl-U up to the start.
    app.update(ctrl('w'));
    assert_eq!(app.search.query.text(), "jacques ");
    app.update(press(KeyCode::Left));
    app.update(ctrl('u'));
    assert_eq!(app.search.query.text(), " ");
    // `/` starts a new search rather than appending to the last one.
    app.update(key('x'));
    app.update(press(KeyCode::Esc));
    app.update(key('/'));
    assert!(app.search.focused);
    assert_eq!(app.search.query.text(), "");
    // Tab leaves for the next screen; Échap then a digit too.
    app.update(press(KeyCode::Tab));
    assert_eq!(app.screen, ScreenId::Worker);
    app.update(key('3'));
    app.update(press(KeyCode::Esc));
    assert!(!app.search.focused);
    app.update(key('1'));
    assert_eq!(app.screen, ScreenId::Expirations);
}

#[test]
fn keys_behind_the_too_small_notice_do_nothing_but_quit() {
    let mut app = loaded_app();
    app.update(key('5'));
    app.update(Action::Resize(50, 15));
    for action in [key('1'), press(KeyCode::Enter), ctrl('s'), key('?')] {
        assert!(app.update(action).is_empty());
    }
    app.update(Action::Paste("XYZ".to_owned()));
    assert_eq!(app.screen, ScreenId::Simulator, "no key reached the screen");
    assert!(app.simulator.walk.user_steps() == 0 && !app.help);
    app.update(Action::Resize(80, 24));
    app.update(key('1'));
    assert_eq!(app.screen, ScreenId::Expirations);
    app.update(Action::Resize(40, 12));
    app.update(key('q'));
    assert!(app.quit);
}
