//! The application state and its `update`: actions in, effects out. Pure enough to test without a
//! terminal: feed actions, assert state.

use std::collections::{HashMap, HashSet};
use std::mem::{Discriminant, discriminant};

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::action::{Action, Effect, Request, RequestId, Response};
use super::keymap::{Command, Context, Keymap};
use super::remote::Remote;
use super::screens::declarations::DeclarationsScreen;
use super::screens::expirations::ExpirationsScreen;
use super::screens::import::ImportScreen;
use super::screens::journal::JournalScreen;
use super::screens::search::SearchScreen;
use super::screens::sessions::SessionsScreen;
use super::screens::simulator::SimulatorScreen;
use super::screens::worker::WorkerScreen;
use super::screens::{Cx, Navigate, Screen, ScreenId};
use super::theme::Theme;
use super::ui;
use super::widgets::help;
use crate::api::contract::Account;
use crate::domain::expiry::DEFAULT_THRESHOLD_DAYS;
use crate::domain::rights::Role;
use crate::rules::Rules;

/// Settings the app starts with.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Today (frozen in tests).
    pub today: NaiveDate,
    /// Expiry threshold in days.
    pub threshold_days: u32,
    /// True when talking to the embedded sandbox server.
    pub sandbox: bool,
    /// The resolved keymap.
    pub keymap: Keymap,
    /// The theme.
    pub theme: Theme,
}

impl AppOptions {
    /// Defaults for a given today: default threshold and keymap, monochrome theme.
    pub fn new(today: NaiveDate) -> Self {
        Self {
            today,
            threshold_days: DEFAULT_THRESHOLD_DAYS,
            sandbox: false,
            keymap: Keymap::default(),
            theme: Theme::monochrome(),
        }
    }
}

/// The whole state of the terminal application.
#[derive(Debug)]
pub struct App {
    /// The screen shown.
    pub screen: ScreenId,
    history: Vec<ScreenId>,
    /// True while the help overlay is shown.
    pub help: bool,
    /// Rows the help overlay is scrolled by.
    pub help_scroll: u16,
    /// The account behind the token.
    pub account: Remote<Account>,
    /// Settings; its keymap keeps only what the user's role may use.
    pub options: AppOptions,
    /// The keymap before the role's cut, restored whenever the account is read again.
    full_keymap: Keymap,
    /// Requests in flight, with the screen waiting for each (None: the app itself) and their kind.
    in_flight: HashMap<RequestId, (Option<ScreenId>, Discriminant<Request>)>,
    /// Requests in flight that a newer one of the same kind and owner replaced: their answer is
    /// stale, and their error must not reach the status line.
    superseded: HashSet<RequestId>,
    /// Requests in flight that read or write local files (drafts), not the API.
    local: HashSet<RequestId>,
    /// Writes in flight that can change Échéances ([`Request::changes_expirations`]).
    writes: HashSet<RequestId>,
    /// The last request error, shown in the status line until the next success or refresh.
    pub last_error: Option<String>,
    /// A screen's message for the status line (where an export went), cleared by the next key.
    pub notice: Option<String>,
    next_id: RequestId,
    /// The terminal area of the last resize.
    pub area: Rect,
    /// Set when the user quits.
    pub quit: bool,
    /// Ticks received while requests were in flight (the spinner's frame).
    pub ticks: u64,
    /// Échéances.
    pub expirations: ExpirationsScreen,
    /// Sessions.
    pub sessions: SessionsScreen,
    /// Recherche.
    pub search: SearchScreen,
    /// Passeport.
    pub worker: WorkerScreen,
    /// Simulateur.
    pub simulator: SimulatorScreen,
    /// Déclarations.
    pub declarations: DeclarationsScreen,
    /// Journal (administrators only).
    pub journal: JournalScreen,
    /// Importer.
    pub import: ImportScreen,
}

/// The status line of a 401 in the sandbox: the demonstration tokens it accepts (retrying the
/// same token would not help, so the line has no retry hint).
pub fn sandbox_unauthorized() -> String {
    let tokens = crate::server::DEMO_TOKENS;
    let (last, others) = tokens.split_last().unwrap_or((&"", &[]));
    format!(
        "Jeton refusé (401) : essayez {} ou {last}",
        others.join(", ")
    )
}

impl App {
    /// A new app on the Échéances screen, and the effects of its first load.
    pub fn new(options: AppOptions, rules: &Rules) -> (Self, Vec<Effect>) {
        let full_keymap = options.keymap.clone();
        let mut app = Self {
            screen: ScreenId::Expirations,
            history: Vec::new(),
            help: false,
            help_scroll: 0,
            account: Remote::default(),
            in_flight: HashMap::new(),
            superseded: HashSet::new(),
            local: HashSet::new(),
            writes: HashSet::new(),
            last_error: None,
            notice: None,
            next_id: 0,
            area: Rect::new(0, 0, 80, 24),
            quit: false,
            ticks: 0,
            expirations: ExpirationsScreen::default(),
            sessions: SessionsScreen::default(),
            search: SearchScreen::default(),
            worker: WorkerScreen::default(),
            simulator: SimulatorScreen::new(rules),
            declarations: DeclarationsScreen::default(),
            journal: JournalScreen::default(),
            import: ImportScreen::new(
                std::sync::Arc::new(rules.clone()),
                std::env::var_os("HOME").map(std::path::PathBuf::from),
            ),
            options,
            full_keymap,
        };
        // Until the account says who the user is, every key but the Journal's.
        app.options
            .keymap
            .retain(|command| super::rights::allowed(None, command));
        app.sessions.read_only = app.options.keymap.key_for(Command::Declare).is_none();
        app.declarations.read_only = app.options.keymap.key_for(Command::Export).is_none();
        let mut effects = Vec::new();
        app.next_id += 1;
        let id = app.next_id;
        app.account.start(id);
        app.track(id, None, discriminant(&Request::Me));
        effects.push(Effect::Request {
            id,
            request: Request::Me,
        });
        app.with_screen(app.screen, &mut effects, |s, cx| s.on_enter(cx));
        for screen in ScreenId::ALL {
            app.with_screen(screen, &mut effects, |s, cx| s.preload(cx));
        }
        (app, effects)
    }

    /// Number of API requests in flight (status line); local draft writes are not counted.
    pub fn in_flight(&self) -> usize {
        self.in_flight
            .keys()
            .filter(|id| !self.local.contains(id))
            .count()
    }

    /// The current screen as a trait object.
    pub fn current(&self) -> &dyn Screen {
        self.screen_ref(self.screen)
    }

    fn screen_ref(&self, id: ScreenId) -> &dyn Screen {
        match id {
            ScreenId::Expirations => &self.expirations,
            ScreenId::Sessions => &self.sessions,
            ScreenId::Search => &self.search,
            ScreenId::Worker => &self.worker,
            ScreenId::Simulator => &self.simulator,
            ScreenId::Declarations => &self.declarations,
            ScreenId::Journal => &self.journal,
            ScreenId::Import => &self.import,
        }
    }

    /// The tabs of the header: the six screens, and the Journal while it is shown (its key in
    /// the footer leads there; a seventh tab would push the user and role out at 80 columns).
    pub fn tabs(&self) -> &'static [ScreenId] {
        if self.screen == ScreenId::Journal {
            &ScreenId::WITH_JOURNAL
        } else {
            &ScreenId::ALL
        }
    }

    /// The screens this user reaches, in tab order: the Journal for an administrator only.
    pub fn screens(&self) -> &'static [ScreenId] {
        let role = self
            .account
            .data()
            .and_then(|a| a.user.as_ref())
            .map(|u| u.role);
        if role == Some(Role::Administration) {
            &ScreenId::WITH_JOURNAL
        } else {
            &ScreenId::ALL
        }
    }

    fn screen_mut(&mut self, id: ScreenId) -> &mut dyn Screen {
        match id {
            ScreenId::Expirations => &mut self.expirations,
            ScreenId::Sessions => &mut self.sessions,
            ScreenId::Search => &mut self.search,
            ScreenId::Worker => &mut self.worker,
            ScreenId::Simulator => &mut self.simulator,
            ScreenId::Declarations => &mut self.declarations,
            ScreenId::Journal => &mut self.journal,
            ScreenId::Import => &mut self.import,
        }
    }

    /// Runs `f` on a screen with a context, then records its requests and follows its navigation.
    fn with_screen<R>(
        &mut self,
        id: ScreenId,
        effects: &mut Vec<Effect>,
        f: impl FnOnce(&mut dyn Screen, &mut Cx<'_>) -> R,
    ) -> R {
        let (today, threshold) = (self.options.today, self.options.threshold_days);
        let mut next_id = self.next_id;
        let first_new = effects.len();
        let (result, started, navigate, notice) = {
            let mut cx = Cx::new(&mut next_id, effects, today, threshold);
            let result = f(self.screen_mut(id), &mut cx);
            let started = std::mem::take(&mut cx.started);
            (result, started, cx.navigate.take(), cx.notice.take())
        };
        if notice.is_some() {
            self.notice = notice;
        }
        self.next_id = next_id;
        let new: Vec<(RequestId, Discriminant<Request>, bool, bool)> = effects[first_new..]
            .iter()
            .filter_map(|e| match e {
                Effect::Request { id, request } if started.contains(id) => Some((
                    *id,
                    discriminant(request),
                    request.is_local(),
                    request.changes_expirations(),
                )),
                _ => None,
            })
            .collect();
        for (request, kind, local, writes) in new {
            if local {
                self.local.insert(request);
            }
            if writes {
                self.writes.insert(request);
            }
            self.track(request, Some(id), kind);
        }
        if let Some(navigate) = navigate {
            self.navigate(navigate, effects);
        }
        result
    }

    /// Records a request in flight; an older one of the same kind for the same owner is then
    /// superseded (latest wins).
    fn track(&mut self, id: RequestId, owner: Option<ScreenId>, kind: Discriminant<Request>) {
        for (other, entry) in &self.in_flight {
            if *entry == (owner, kind) {
                self.superseded.insert(*other);
            }
        }
        self.in_flight.insert(id, (owner, kind));
    }

    fn navigate(&mut self, navigate: Navigate, effects: &mut Vec<Effect>) {
        match navigate {
            Navigate::Worker(worker_id) => {
                self.worker.open(worker_id);
                self.go_to(ScreenId::Worker, effects);
            }
            Navigate::SimulateSession(session_id) => {
                self.simulator.prefill_from_session(session_id);
                self.go_to(ScreenId::Simulator, effects);
            }
            Navigate::DeclareSession => {
                if let Some(detail) = self.sessions.opened().cloned() {
                    // Without the account yet, a session's declarant is assumed its organiser's
                    // kind most often: an employer's internal training [I].
                    let fallback = self
                        .account
                        .data()
                        .map_or(crate::domain::DeclarantKind::Employeur, |a| a.kind);
                    self.simulator
                        .declare_session(&detail, fallback, self.options.today);
                    self.go_to(ScreenId::Simulator, effects);
                }
            }
            Navigate::DeclareUndeclared => {
                if let Some(item) = self.declarations.verifications.selected_undeclared() {
                    let item = item.clone();
                    self.simulator.declare_undeclared(&item, self.options.today);
                    self.go_to(ScreenId::Simulator, effects);
                }
            }
            Navigate::Declarations => self.go_to(ScreenId::Declarations, effects),
            Navigate::Created { id, new } => {
                self.declarations.show_created(id, new);
                self.go_to(ScreenId::Declarations, effects);
            }
        }
    }

    /// Shows a screen, remembering where we came from for Esc.
    pub fn go_to(&mut self, id: ScreenId, effects: &mut Vec<Effect>) {
        if id != self.screen {
            self.history.push(self.screen);
            if self.history.len() > 32 {
                self.history.remove(0);
            }
            self.screen = id;
        }
        self.with_screen(id, effects, |s, cx| s.on_enter(cx));
    }

    /// Applies one action and returns the effects to run.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = Vec::new();
        match action {
            Action::Key(key) => self.on_key(key, &mut effects),
            Action::Mouse(mouse) => self.on_mouse(mouse, &mut effects),
            Action::Paste(text) if self.big_enough() => {
                let screen = self.screen;
                self.with_screen(screen, &mut effects, |s, cx| s.on_paste(&text, cx));
            }
            Action::Paste(_) => {}
            Action::Resize(width, height) => self.area = Rect::new(0, 0, width, height),
            Action::Loaded { id, result } => self.on_loaded(id, result, &mut effects),
            Action::Searched(matches) => self.search.on_matches(matches),
            Action::ImportProgress { id, sent } => self.import.on_progress(id, sent),
            Action::Tick => self.ticks = self.ticks.wrapping_add(1),
        }
        effects
    }

    fn on_loaded(
        &mut self,
        id: RequestId,
        result: Result<Response, crate::api::ApiError>,
        effects: &mut Vec<Effect>,
    ) {
        let Some((owner, _)) = self.in_flight.remove(&id) else {
            return;
        };
        let local = self.local.remove(&id);
        if self.writes.remove(&id) && result.is_ok() {
            self.expirations_changed(effects);
        }
        // A superseded request's answer is dropped by its screen: it says nothing of the data shown.
        if !self.superseded.remove(&id) {
            match &result {
                // Draft files are local: reading or writing them says nothing of the server, whose
                // error must stay on the status line.
                Ok(_) if local => {}
                Ok(_) => self.last_error = None,
                // In the sandbox the tokens are public: say which ones it accepts.
                Err(crate::api::ApiError::Unauthorized) if self.options.sandbox => {
                    self.last_error = Some(sandbox_unauthorized());
                }
                Err(e) => self.last_error = Some(e.to_string()),
            }
        }
        match owner {
            None => {
                let result = result.and_then(|r| match r {
                    Response::Me(account) => Ok(account),
                    _ => Err(super::action::unexpected()),
                });
                self.account.finish(id, result);
                if let Some(account) = self.account.data() {
                    let role = account.user.as_ref().map(|user| user.role);
                    self.options.keymap = self.full_keymap.clone();
                    self.options
                        .keymap
                        .retain(|command| super::rights::allowed(role, command));
                    self.sessions.read_only =
                        self.options.keymap.key_for(Command::Declare).is_none();
                    self.declarations.read_only =
                        self.options.keymap.key_for(Command::Export).is_none();
                    self.simulator.know_account(account.kind);
                    self.search.employer =
                        Some(account.kind == crate::domain::DeclarantKind::Employeur);
                }
                self.worker.delivered_only = self
                    .account
                    .data()
                    .is_some_and(|a| a.kind == crate::domain::DeclarantKind::OrganismeFormation);
                self.sessions.organisation = self.worker.delivered_only;
                self.expirations.employer_column = self.worker.delivered_only;
                self.declarations.organisation = self.worker.delivered_only;
                self.declarations.verifications.employer = self
                    .account
                    .data()
                    .is_some_and(|a| a.kind == crate::domain::DeclarantKind::Employeur);
            }
            Some(screen) => {
                self.with_screen(screen, effects, |s, cx| s.on_response(id, result, cx));
            }
        }
    }

    /// A write changed what Échéances lists: reloaded now if shown, else on its next visit.
    fn expirations_changed(&mut self, effects: &mut Vec<Effect>) {
        if self.screen == ScreenId::Expirations {
            self.with_screen(ScreenId::Expirations, effects, |s, cx| s.refresh(cx));
        } else {
            self.expirations.mark_stale();
        }
    }

    fn on_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        self.notice = None;
        if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
            effects.push(Effect::Suspend);
            return;
        }
        // Below the minimum size nothing is shown: keys would act blind (type into a hidden
        // field, send a declaration), so only quitting goes through.
        if !self.big_enough() {
            if self.options.keymap.resolve(&[Context::Global], &key) == Some(Command::Quit) {
                self.quit = true;
            }
            return;
        }
        // 1. The modal help.
        if self.help {
            let max = help::max_scroll(self.area, &self.options.keymap);
            let page = self.area.height.saturating_sub(4).max(1);
            let scroll = &mut self.help_scroll;
            match key.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => self.help = false,
                KeyCode::Down | KeyCode::Char('j') => *scroll = (*scroll + 1).min(max),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => *scroll = (*scroll + page).min(max),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
                KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
                KeyCode::End | KeyCode::Char('G') => *scroll = max,
                _ => {}
            }
            return;
        }
        // Function keys are never typed: their commands (F1…F6 screens) apply from anywhere,
        // a text field or the form included.
        if matches!(key.code, KeyCode::F(_))
            && let Some(command) = self.options.keymap.resolve(&[Context::Global], &key)
        {
            self.on_command(command, effects);
            return;
        }
        // 2. A focused input, 3. the screen, 4. global keys.
        let screen = self.screen;
        if self.with_screen(screen, effects, |s, cx| s.on_key(&key, cx)) {
            return;
        }
        let mut contexts: Vec<Context> = self.current().contexts().to_vec();
        contexts.push(Context::Global);
        if let Some(command) = self.options.keymap.resolve(&contexts, &key) {
            self.on_command(command, effects);
        }
    }

    /// Applies a keymap command.
    pub fn on_command(&mut self, command: Command, effects: &mut Vec<Effect>) {
        let screen = self.screen;
        if self.with_screen(screen, effects, |s, cx| s.on_command(command, cx)) {
            return;
        }
        let target = match command {
            Command::Quit => {
                self.quit = true;
                return;
            }
            Command::Help => {
                self.help = true;
                self.help_scroll = 0;
                return;
            }
            Command::Refresh => {
                self.last_error = None;
                if self.account.error().is_some() || self.account.is_idle() {
                    self.next_id += 1;
                    let id = self.next_id;
                    self.account.start(id);
                    self.track(id, None, discriminant(&Request::Me));
                    effects.push(Effect::Request {
                        id,
                        request: Request::Me,
                    });
                }
                self.with_screen(screen, effects, |s, cx| s.refresh(cx));
                return;
            }
            Command::Back => match self.history.pop() {
                Some(previous) => {
                    self.screen = previous;
                    self.with_screen(previous, effects, |s, cx| s.on_enter(cx));
                    return;
                }
                None => return,
            },
            Command::ScreenExpirations => ScreenId::Expirations,
            Command::ScreenSessions => ScreenId::Sessions,
            Command::ScreenSearch | Command::Search => ScreenId::Search,
            Command::ScreenWorker => ScreenId::Worker,
            Command::ScreenSimulator => ScreenId::Simulator,
            Command::ScreenDeclarations => ScreenId::Declarations,
            Command::ScreenJournal => ScreenId::Journal,
            Command::ScreenImport => ScreenId::Import,
            Command::NextScreen | Command::PrevScreen => {
                let screens = self.screens();
                let at = screens.iter().position(|s| *s == screen).unwrap_or(0);
                let step = if command == Command::NextScreen {
                    1
                } else {
                    screens.len() - 1
                };
                screens[(at + step) % screens.len()]
            }
            _ => return,
        };
        self.go_to(target, effects);
        if command == Command::Search {
            self.with_screen(target, effects, |s, cx| s.on_command(command, cx));
        }
    }

    /// False below the minimum size, where only a notice is drawn.
    fn big_enough(&self) -> bool {
        self.area.width >= ui::MIN_WIDTH && self.area.height >= ui::MIN_HEIGHT
    }

    fn on_mouse(&mut self, mouse: MouseEvent, effects: &mut Vec<Effect>) {
        if !self.big_enough() {
            return;
        }
        let layout = ui::layout(self.area);
        match mouse.kind {
            MouseEventKind::ScrollUp => self.on_command(Command::Up, effects),
            MouseEventKind::ScrollDown => self.on_command(Command::Down, effects),
            MouseEventKind::Down(MouseButton::Left) if self.help => self.help = false,
            MouseEventKind::Down(MouseButton::Left) => {
                if mouse.row == layout.header.y {
                    if let Some(target) = ui::tab_at(self, mouse.column) {
                        self.go_to(target, effects);
                    }
                } else if layout.body.contains((mouse.column, mouse.row).into()) {
                    let row = mouse.row - layout.body.y;
                    let screen = self.screen;
                    self.with_screen(screen, effects, |s, cx| s.on_click(row, cx));
                }
            }
            _ => {}
        }
    }
}
