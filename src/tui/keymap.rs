//! The keymap: one table of (context, keys, command, French description) that the event loop
//! resolves keys with, and that feeds both the footer hints and the `?` help overlay.
//! The configuration may rebind any command (`[keymap] refresh = ["r", "f5"]`); the rest keeps
//! its defaults.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// Where a binding applies. Keys route topmost first: the screen's own context, then lists,
/// then global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere (unless a text input has the focus).
    Global,
    /// Screens showing a list or table: moving the selection.
    List,
    /// Lists whose rows open, filter and sort.
    Browse,
    /// One item opened from a list (a session, a declaration).
    Detail,
    /// The Passeport screen (one worker).
    Worker,
    /// The Recherche screen.
    Search,
    /// The Sessions list.
    Sessions,
    /// One session opened on the Sessions screen.
    Session,
    /// The « À vérifier » view of Déclarations (art. 7 of décret 2022-1712).
    Verify,
    /// The Journal screen (administrators only).
    Journal,
}

impl Context {
    /// French heading in the help overlay.
    pub fn label(self) -> &'static str {
        match self {
            Self::Global => "Partout",
            Self::List => "Déplacement",
            Self::Browse => "Listes",
            Self::Detail => "Détail",
            Self::Worker => "Passeport",
            Self::Search => "Recherche",
            Self::Sessions => "Sessions",
            Self::Session => "Session ouverte",
            Self::Verify => "À vérifier",
            Self::Journal => "Journal",
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Leave the application.
    Quit,
    /// Show or hide the help overlay.
    Help,
    /// Échéances screen.
    ScreenExpirations,
    /// Sessions screen.
    ScreenSessions,
    /// Recherche screen.
    ScreenSearch,
    /// Passeport screen (last worker opened).
    ScreenWorker,
    /// Simulateur screen.
    ScreenSimulator,
    /// Déclarations screen.
    ScreenDeclarations,
    /// Import screen (a file of declarations).
    ScreenImport,
    /// Next screen.
    NextScreen,
    /// Previous screen.
    PrevScreen,
    /// Reload the current screen's data.
    Refresh,
    /// Focus the search input.
    Search,
    /// Move up.
    Up,
    /// Move down.
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// First row.
    Home,
    /// Last row.
    End,
    /// Open the selection.
    Open,
    /// Go back.
    Back,
    /// Cycle the status filter.
    FilterStatus,
    /// Cycle the training-type filter.
    FilterTraining,
    /// Cycle the sort column.
    Sort,
    /// Show or mask the NIR (Passeport screen only).
    RevealNir,
    /// Scroll the timeline back in time.
    ScrollLeft,
    /// Scroll the timeline forward in time.
    ScrollRight,
    /// Zoom the timeline in.
    ZoomIn,
    /// Zoom the timeline out.
    ZoomOut,
    /// Declare the selection (a session: open the simulator pre-filled).
    Declare,
    /// Export the declarations not sent yet to bulk files.
    Export,
    /// Record the portal's answer to the selection's export batch.
    Answer,
    /// Delete the selection (asks for confirmation).
    Delete,
    /// A new worker (Recherche; an employer account only).
    NewWorker,
    /// Change the worker shown (Passeport).
    EditWorker,
    /// Add a training record to the worker shown (Passeport).
    AddTraining,
    /// Archive the worker shown, a leaver (asks for confirmation).
    ArchiveWorker,
    /// A new session (Sessions).
    NewSession,
    /// Change the opened session, while not closed.
    EditSession,
    /// Enrol trainees in the opened session (a picker over the roster).
    Enrol,
    /// The selected trainee passed.
    OutcomePassed,
    /// The selected trainee failed.
    OutcomeFailed,
    /// The selected trainee attended (no assessment, or not passed).
    OutcomeAttended,
    /// The selected trainee was absent.
    OutcomeAbsent,
    /// Close the opened session, writing the passports (asks for confirmation).
    CloseSession,
    /// Déclarations: switch between the declarations and the « À vérifier » view.
    ToggleVerifications,
    /// « À vérifier »: mark the selected line verified.
    VerifyLine,
    /// « À vérifier »: ask the organisation for a correction (a message is typed).
    RequestCorrection,
    /// « À vérifier »: declare a training « non déclarée par l'organisme » in its place (art.
    /// 7-II), the declaration form pre-filled.
    DeclareInstead,
    /// Journal screen (the audit trail; administrators only).
    ScreenJournal,
    /// Journal: cycle the filter on the kind of thing.
    FilterEntity,
    /// Journal: cycle the filter on the user.
    FilterUser,
}

/// A key with its modifiers, written like `q`, `ctrl-c`, `shift-tab`, `pgdn`, `f5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt (Shift is folded into the character or `BackTab`).
    pub modifiers: KeyModifiers,
}

impl Key {
    /// The key of a terminal event, normalised (Shift dropped for characters and BackTab).
    pub fn from_event(event: &KeyEvent) -> Self {
        let modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        Self {
            code: event.code,
            modifiers,
        }
    }
}

/// A key description that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("touche inconnue « {0} » (exemples : q, ctrl-c, shift-tab, pgdn, f5)")]
pub struct KeyParseError(pub String);

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || KeyParseError(s.to_owned());
        let lower = s.trim().to_lowercase();
        let (modifiers, name) = if let Some(rest) = lower.strip_prefix("ctrl-") {
            (KeyModifiers::CONTROL, rest)
        } else if let Some(rest) = lower.strip_prefix("alt-") {
            (KeyModifiers::ALT, rest)
        } else {
            (KeyModifiers::NONE, lower.as_str())
        };
        let code = match name {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" | "del" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 => {
                KeyCode::F(f[1..].parse().map_err(|_| err())?)
            }
            _ => {
                // Single characters keep their case from the original text (`G` ≠ `g`); the
                // prefix is ASCII, so it has the same length there (and `-` itself is a key).
                let original = s.trim();
                let original = original.get(lower.len() - name.len()..).unwrap_or(name);
                let mut chars = original.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(err()),
                }
            }
        };
        Ok(Self { code, modifiers })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            write!(f, "Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            write!(f, "Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "Espace"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "Entrée"),
            KeyCode::Esc => write!(f, "Échap"),
            KeyCode::Tab => write!(f, "Tab"),
            KeyCode::BackTab => write!(f, "Maj-Tab"),
            KeyCode::Backspace => write!(f, "Retour"),
            KeyCode::Up => write!(f, "↑"),
            KeyCode::Down => write!(f, "↓"),
            KeyCode::Left => write!(f, "←"),
            KeyCode::Right => write!(f, "→"),
            KeyCode::PageUp => write!(f, "PgUp"),
            KeyCode::PageDown => write!(f, "PgDn"),
            KeyCode::Home => write!(f, "Début"),
            KeyCode::End => write!(f, "Fin"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Delete => write!(f, "Suppr"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One row of the keymap table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys that trigger it.
    pub keys: Vec<Key>,
    /// What it does.
    pub command: Command,
    /// French description for the footer and the help.
    pub description: &'static str,
    /// Shown in the footer hints (the help shows every binding).
    pub hint: bool,
}

/// The built-in table: (context, keys, command, description, shown in footer). Screens have a
/// digit and a function key each: digits are typed in a text field, F1…F6 never are, so they
/// change screens from anywhere, a field or the form included.
const DEFAULTS: &[(Context, &[&str], Command, &str, bool)] = &[
    (
        Context::Global,
        &["q", "ctrl-c"],
        Command::Quit,
        "quitter",
        true,
    ),
    (Context::Global, &["?"], Command::Help, "aide", true),
    (
        Context::Global,
        &["1", "f1"],
        Command::ScreenExpirations,
        "Échéances",
        false,
    ),
    (
        Context::Global,
        &["2", "f2"],
        Command::ScreenSessions,
        "Sessions",
        false,
    ),
    (
        Context::Global,
        &["3", "f3"],
        Command::ScreenSearch,
        "Recherche",
        false,
    ),
    (
        Context::Global,
        &["4", "f4"],
        Command::ScreenWorker,
        "Passeport",
        false,
    ),
    (
        Context::Global,
        &["5", "f5"],
        Command::ScreenSimulator,
        "Simulateur",
        false,
    ),
    (
        Context::Global,
        &["6", "f6"],
        Command::ScreenDeclarations,
        "Déclarations",
        false,
    ),
    (
        Context::Global,
        &["7", "f7"],
        Command::ScreenJournal,
        "Journal",
        true,
    ),
    (
        Context::Global,
        &["I"],
        Command::ScreenImport,
        "importer",
        true,
    ),
    (
        Context::Global,
        &["tab"],
        Command::NextScreen,
        "écran suivant",
        false,
    ),
    (
        Context::Global,
        &["shift-tab"],
        Command::PrevScreen,
        "écran précédent",
        false,
    ),
    (
        Context::Global,
        &["r", "ctrl-r"],
        Command::Refresh,
        "actualiser",
        true,
    ),
    (Context::Global, &["/"], Command::Search, "rechercher", true),
    (Context::Global, &["esc"], Command::Back, "retour", false),
    (Context::List, &["up", "k"], Command::Up, "monter", false),
    (
        Context::List,
        &["down", "j"],
        Command::Down,
        "descendre",
        false,
    ),
    (
        Context::List,
        &["pgup"],
        Command::PageUp,
        "page précédente",
        false,
    ),
    (
        Context::List,
        &["pgdn"],
        Command::PageDown,
        "page suivante",
        false,
    ),
    (Context::List, &["home", "g"], Command::Home, "début", false),
    (Context::List, &["end", "G"], Command::End, "fin", false),
    (Context::Browse, &["enter"], Command::Open, "ouvrir", true),
    (
        Context::Browse,
        &["s"],
        Command::FilterStatus,
        "filtre statut",
        true,
    ),
    (
        Context::Browse,
        &["t"],
        Command::FilterTraining,
        "filtre type/période",
        true,
    ),
    (Context::Browse, &["o"], Command::Sort, "trier", true),
    (Context::Browse, &["d"], Command::Declare, "déclarer", false),
    (Context::Browse, &["e"], Command::Export, "exporter", false),
    (
        Context::Browse,
        &["a"],
        Command::Answer,
        "réponse du portail",
        false,
    ),
    (
        Context::Browse,
        &["x", "delete"],
        Command::Delete,
        "supprimer",
        false,
    ),
    (
        Context::Detail,
        &["d"],
        Command::Declare,
        "déclarer la session",
        false,
    ),
    (
        Context::Detail,
        &["x", "delete"],
        Command::Delete,
        "retirer titulaire ou stagiaire",
        false,
    ),
    (
        Context::Worker,
        &["e"],
        Command::EditWorker,
        "modifier",
        true,
    ),
    (
        Context::Worker,
        &["a"],
        Command::AddTraining,
        "ajouter une formation",
        true,
    ),
    (
        Context::Worker,
        &["x", "delete"],
        Command::Delete,
        "retirer la formation",
        true,
    ),
    (
        Context::Worker,
        &["A"],
        Command::ArchiveWorker,
        "archiver",
        true,
    ),
    (
        Context::Worker,
        &["v"],
        Command::RevealNir,
        "afficher/masquer le NIR",
        true,
    ),
    (
        Context::Worker,
        &["left", "h"],
        Command::ScrollLeft,
        "frise ←",
        true,
    ),
    (
        Context::Worker,
        &["right", "l"],
        Command::ScrollRight,
        "frise →",
        true,
    ),
    (
        Context::Worker,
        &["+", "="],
        Command::ZoomIn,
        "zoom +",
        true,
    ),
    (Context::Worker, &["-"], Command::ZoomOut, "zoom −", true),
    (
        Context::Search,
        &["ctrl-n"],
        Command::NewWorker,
        "nouveau salarié",
        true,
    ),
    (
        Context::Sessions,
        &["n"],
        Command::NewSession,
        "nouvelle session",
        true,
    ),
    (Context::Session, &["i"], Command::Enrol, "inscrire", true),
    (
        Context::Session,
        &["R"],
        Command::OutcomePassed,
        "réussite",
        true,
    ),
    (
        Context::Session,
        &["f", "é"],
        Command::OutcomeFailed,
        "échec",
        true,
    ),
    (
        Context::Session,
        &["p"],
        Command::OutcomeAttended,
        "présent",
        true,
    ),
    (
        Context::Session,
        &["b"],
        Command::OutcomeAbsent,
        "absent",
        true,
    ),
    (
        Context::Session,
        &["c"],
        Command::CloseSession,
        "clôturer",
        true,
    ),
    (
        Context::Session,
        &["e"],
        Command::EditSession,
        "modifier",
        true,
    ),
    (
        Context::Verify,
        &["V"],
        Command::ToggleVerifications,
        "à vérifier/déclarations",
        true,
    ),
    (
        Context::Verify,
        &["v"],
        Command::VerifyLine,
        "vérifier",
        true,
    ),
    (
        Context::Verify,
        &["c"],
        Command::RequestCorrection,
        "demander une correction",
        true,
    ),
    (
        Context::Verify,
        &["D"],
        Command::DeclareInstead,
        "déclarer à sa place",
        true,
    ),
    (
        Context::Journal,
        &["t"],
        Command::FilterEntity,
        "filtre objet",
        true,
    ),
    (
        Context::Journal,
        &["u"],
        Command::FilterUser,
        "filtre utilisateur",
        true,
    ),
];

/// A configuration entry that does not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// The command name is unknown.
    #[error("keymap : commande inconnue « {0} »")]
    UnknownCommand(String),
    /// A key of the command does not parse.
    #[error("keymap.{command} : {source}")]
    BadKey {
        /// The command being rebound.
        command: String,
        /// Why the key does not parse.
        source: KeyParseError,
    },
}

/// The resolved keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|&(context, keys, command, description, hint)| Binding {
                context,
                keys: keys.iter().filter_map(|k| k.parse().ok()).collect(),
                command,
                description,
                hint,
            })
            .collect();
        Self { bindings }
    }
}

impl Keymap {
    /// The defaults with the user's overrides merged over them: each overridden command gets
    /// exactly the keys given.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, KeymapError> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let command: Command = serde_json::from_value(serde_json::Value::String(name.clone()))
                .map_err(|_| KeymapError::UnknownCommand(name.clone()))?;
            let parsed = keys
                .iter()
                .map(|k| k.parse::<Key>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| KeymapError::BadKey {
                    command: name.clone(),
                    source,
                })?;
            for binding in map.bindings.iter_mut().filter(|b| b.command == command) {
                binding.keys.clone_from(&parsed);
            }
        }
        Ok(map)
    }

    /// Drops the bindings of the commands `keep` refuses (a role's forbidden actions).
    pub fn retain(&mut self, keep: impl Fn(Command) -> bool) {
        self.bindings.retain(|binding| keep(binding.command));
    }

    /// Every binding, in table order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The command bound to `key` in the first of `contexts` that binds it.
    pub fn resolve(&self, contexts: &[Context], key: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(key);
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .find(|b| b.context == *context && b.keys.contains(&key))
                .map(|b| b.command)
        })
    }

    /// The footer hints of these contexts: `(keys, description)`.
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        self.command_hints(contexts)
            .into_iter()
            .map(|(_, key, description)| (key, description))
            .collect()
    }

    /// The footer hints of these contexts with their commands: `(command, key, description)`.
    pub fn command_hints(&self, contexts: &[Context]) -> Vec<(Command, String, &'static str)> {
        contexts
            .iter()
            .rev()
            .flat_map(|c| {
                self.bindings
                    .iter()
                    .filter(move |b| b.context == *c && b.hint)
            })
            .filter_map(|b| {
                b.keys
                    .first()
                    .map(|k| (b.command, k.to_string(), b.description))
            })
            .collect()
    }

    /// The first key bound to a command, for messages like « appuyez sur r ».
    pub fn key_for(&self, command: Command) -> Option<Key> {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_resolve_by_context_order() {
        let map = Keymap::default();
        assert_eq!(
            map.resolve(
                &[Context::List, Context::Global],
                &press(KeyCode::Char('j'))
            ),
            Some(Command::Down)
        );
        assert_eq!(
            map.resolve(&[Context::Global], &press(KeyCode::Char('j'))),
            None
        );
        assert_eq!(
            map.resolve(&[Context::Global], &press(KeyCode::Char('3'))),
            Some(Command::ScreenSearch)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            map.resolve(&[Context::Global], &ctrl_c),
            Some(Command::Quit)
        );
        assert_eq!(
            map.resolve(&[Context::Global], &press(KeyCode::BackTab)),
            Some(Command::PrevScreen)
        );
    }

    #[test]
    fn overrides_replace_only_their_command() {
        let mut o = BTreeMap::new();
        o.insert("refresh".to_owned(), vec!["ctrl-r".to_owned()]);
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            map.resolve(&[Context::Global], &press(KeyCode::Char('r'))),
            None
        );
        let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(
            map.resolve(&[Context::Global], &ctrl_r),
            Some(Command::Refresh)
        );
        assert_eq!(
            map.resolve(&[Context::Global], &press(KeyCode::Char('q'))),
            Some(Command::Quit)
        );
    }

    #[test]
    fn bad_overrides_name_the_problem() {
        let mut o = BTreeMap::new();
        o.insert("voler".to_owned(), vec!["x".to_owned()]);
        assert_eq!(
            Keymap::with_overrides(&o),
            Err(KeymapError::UnknownCommand("voler".into()))
        );
        let mut o = BTreeMap::new();
        o.insert("quit".to_owned(), vec!["hyper-x".to_owned()]);
        let err = Keymap::with_overrides(&o).unwrap_err().to_string();
        assert!(
            err.contains("keymap.quit") && err.contains("hyper-x"),
            "{err}"
        );
    }

    /// The contexts each screen resolves keys in, Global last (as `App::on_key` does).
    const SCREEN_CONTEXTS: &[&[Context]] = &[
        &[Context::Browse, Context::List, Context::Global],
        &[Context::Detail, Context::List, Context::Global],
        &[
            Context::Search,
            Context::Browse,
            Context::List,
            Context::Global,
        ],
        &[Context::Worker, Context::List, Context::Global],
        &[
            Context::Sessions,
            Context::Browse,
            Context::List,
            Context::Global,
        ],
        &[
            Context::Session,
            Context::Detail,
            Context::List,
            Context::Global,
        ],
        &[
            Context::Verify,
            Context::Browse,
            Context::List,
            Context::Global,
        ],
        &[Context::Journal, Context::List, Context::Global],
    ];

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        let map = Keymap::default();
        for contexts in SCREEN_CONTEXTS {
            let mut seen: Vec<(Key, Context)> = Vec::new();
            for binding in map
                .bindings()
                .iter()
                .filter(|b| contexts.contains(&b.context))
            {
                for key in &binding.keys {
                    assert!(
                        !seen.iter().any(|(k, _)| k == key),
                        "{key} of {:?} already bound on a screen with {contexts:?}",
                        binding.context
                    );
                    seen.push((*key, binding.context));
                }
            }
        }
        // The staff keys reach their command from their screen, none shadowed by another context.
        let search = SCREEN_CONTEXTS[2];
        let worker = SCREEN_CONTEXTS[3];
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(map.resolve(search, &ctrl_n), Some(Command::NewWorker));
        for (c, command) in [
            ('e', Command::EditWorker),
            ('a', Command::AddTraining),
            ('x', Command::Delete),
            ('A', Command::ArchiveWorker),
        ] {
            assert_eq!(map.resolve(worker, &press(KeyCode::Char(c))), Some(command));
        }
        // Terminals send « A » with Shift held: it still archives, and `a` still adds.
        let shifted = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(map.resolve(worker, &shifted), Some(Command::ArchiveWorker));
        // The session keys reach their command from the Sessions list and an opened session;
        // `R` (réussite) is not `r` (actualiser).
        let (list, session) = (SCREEN_CONTEXTS[4], SCREEN_CONTEXTS[5]);
        assert_eq!(
            map.resolve(list, &press(KeyCode::Char('n'))),
            Some(Command::NewSession)
        );
        for (c, command) in [
            ('i', Command::Enrol),
            ('f', Command::OutcomeFailed),
            ('é', Command::OutcomeFailed),
            ('p', Command::OutcomeAttended),
            ('b', Command::OutcomeAbsent),
            ('c', Command::CloseSession),
            ('e', Command::EditSession),
            ('x', Command::Delete),
            ('d', Command::Declare),
            ('r', Command::Refresh),
        ] {
            assert_eq!(
                map.resolve(session, &press(KeyCode::Char(c))),
                Some(command)
            );
        }
        let passed = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(map.resolve(session, &passed), Some(Command::OutcomePassed));
        // « À vérifier »: `D` declares in the organisation's place, `d` stays the lists' own.
        let verify = SCREEN_CONTEXTS[6];
        let instead = KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT);
        assert_eq!(map.resolve(verify, &instead), Some(Command::DeclareInstead));
        assert_eq!(
            map.resolve(verify, &press(KeyCode::Char('d'))),
            Some(Command::Declare)
        );
    }

    #[test]
    fn hints_come_from_the_table() {
        let hints = Keymap::default().hints(&[Context::Browse, Context::List, Context::Global]);
        assert!(hints.contains(&("q".to_owned(), "quitter")));
        assert!(hints.contains(&("Entrée".to_owned(), "ouvrir")));
    }
}
