//! The screens. Each owns its state, answers commands and API responses, and renders itself;
//! [`App`](super::app::App) routes to the current one.

pub mod declarations;
pub mod expirations;
pub mod import;
pub mod journal;
pub mod search;
pub mod sessions;
pub mod simulator;
pub mod worker;

use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::{Effect, Request, RequestId, Response};
use super::keymap::{Command, Context};
use super::theme::Theme;
use crate::api::ApiError;
use crate::domain::session::SessionId;
use crate::domain::worker::WorkerId;

/// The screens, in tab order: six for everyone, then the Journal for administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    /// Échéances: the expirations dashboard (start screen).
    Expirations,
    /// Sessions de formation.
    Sessions,
    /// Recherche: fuzzy search over the roster.
    Search,
    /// Passeport: one worker, with the expiry timeline.
    Worker,
    /// Simulateur: decide whether and how to declare.
    Simulator,
    /// Déclarations.
    Declarations,
    /// Journal: the audit trail (administrators only).
    Journal,
    /// Importer a file (`I`; not a tab).
    Import,
}

impl ScreenId {
    /// Every screen of every user, in tab order.
    pub const ALL: [ScreenId; 6] = [
        Self::Expirations,
        Self::Sessions,
        Self::Search,
        Self::Worker,
        Self::Simulator,
        Self::Declarations,
    ];

    /// The screens of an administrator, in tab order: [`ScreenId::ALL`] and the Journal.
    pub const WITH_JOURNAL: [ScreenId; 7] = [
        Self::Expirations,
        Self::Sessions,
        Self::Search,
        Self::Worker,
        Self::Simulator,
        Self::Declarations,
        Self::Journal,
    ];

    /// French title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Expirations => "Échéances",
            Self::Sessions => "Sessions",
            Self::Search => "Recherche",
            Self::Worker => "Passeport",
            Self::Simulator => "Simulateur",
            Self::Declarations => "Déclarations",
            Self::Journal => "Journal",
            Self::Import => "Importer",
        }
    }

    /// Short French title, for the tabs of a narrow terminal.
    pub fn short_title(self) -> &'static str {
        match self {
            Self::Simulator => "Simul.",
            Self::Declarations => "Décl.",
            other => other.title(),
        }
    }

    /// Position in tab order (its digit key less one).
    pub fn index(self) -> usize {
        Self::WITH_JOURNAL
            .iter()
            .position(|s| *s == self)
            .unwrap_or(0)
    }
}

/// A move to another screen, asked by a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Navigate {
    /// Open a worker's passport.
    Worker(WorkerId),
    /// Open the simulator pre-filled from a session.
    SimulateSession(SessionId),
    /// Open the declaration form pre-filled from the session opened on Sessions.
    DeclareSession,
    /// Open the declaration form pre-filled from the training « non déclarée par l'organisme »
    /// selected in « À vérifier » (art. 7-II).
    DeclareUndeclared,
    /// Show the Déclarations screen (reloaded on enter).
    Declarations,
    /// Show the Déclarations screen after a submission, the declaration selected and named.
    Created {
        /// The declaration recorded.
        id: crate::api::contract::DeclarationId,
        /// False when the server already held it under the same idempotency key.
        new: bool,
    },
}

/// What a screen may use while handling input: request ids, effects, navigation, today.
#[derive(Debug)]
pub struct Cx<'a> {
    next_id: &'a mut RequestId,
    /// Effects to run.
    pub effects: &'a mut Vec<Effect>,
    /// Requests this screen started (the app routes their answers back to it).
    pub started: Vec<RequestId>,
    /// Navigation asked by the screen.
    pub navigate: Option<Navigate>,
    /// A message for the status line, shown until the next key (e.g. where an export went).
    pub notice: Option<String>,
    /// Today (frozen in tests).
    pub today: NaiveDate,
    /// Expiry threshold in days.
    pub threshold_days: u32,
}

impl<'a> Cx<'a> {
    /// A context over the app's counters.
    pub fn new(
        next_id: &'a mut RequestId,
        effects: &'a mut Vec<Effect>,
        today: NaiveDate,
        threshold_days: u32,
    ) -> Self {
        Self {
            next_id,
            effects,
            started: Vec::new(),
            navigate: None,
            notice: None,
            today,
            threshold_days,
        }
    }

    /// Starts a request and returns its id.
    pub fn request(&mut self, request: Request) -> RequestId {
        *self.next_id += 1;
        let id = *self.next_id;
        self.effects.push(Effect::Request { id, request });
        self.started.push(id);
        id
    }

    /// Queues any other effect.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }
}

/// The behaviour every screen shares.
pub trait Screen {
    /// Keymap contexts of this screen, most specific first (Global is added by the app).
    fn contexts(&self) -> &'static [Context];

    /// Called when the screen becomes visible: load data if never loaded.
    fn on_enter(&mut self, cx: &mut Cx<'_>);

    /// Called once at start-up, before any key: local data worth announcing (the drafts).
    fn preload(&mut self, _cx: &mut Cx<'_>) {}

    /// Reload the data (`r`).
    fn refresh(&mut self, cx: &mut Cx<'_>);

    /// A key before the keymap: a focused text input takes it here. Returns true when consumed.
    fn on_key(&mut self, _key: &KeyEvent, _cx: &mut Cx<'_>) -> bool {
        false
    }

    /// True while a text input has the focus (global single-letter keys are then typed).
    fn input_focused(&self) -> bool {
        false
    }

    /// False for a command that would do nothing here and now (its hint is then not shown).
    fn offers(&self, _command: Command) -> bool {
        true
    }

    /// What Échap does here and now, for the footer; `None`: back to the previous screen.
    fn escape_hint(&self) -> Option<&'static str> {
        None
    }

    /// A command from the keymap. Returns true when handled.
    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool;

    /// The answer of a request this screen started.
    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, cx: &mut Cx<'_>);

    /// Pasted text (search inputs, forms).
    fn on_paste(&mut self, _text: &str, _cx: &mut Cx<'_>) {}

    /// A click on the body at row `row` (0 = first body line).
    fn on_click(&mut self, _row: u16, _cx: &mut Cx<'_>) {}

    /// Draws the screen's body.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, today: NaiveDate);
}
