//! A one-line text input with the editing keys every text field shares (the search field here,
//! the declaration form through [`EDITING_KEYS`] and its editor): characters, Retour arrière and
//! Suppr, ← → Début Fin (and Ctrl-A, Ctrl-E), Ctrl-W (the word before the cursor), Ctrl-U (up to
//! the start, as in a shell) and Ctrl-K (up to the end).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The editing keys of every text field, for the help overlay: (keys, French description).
pub const EDITING_KEYS: &[(&str, &str)] = &[
    (
        "← → Début Fin",
        "déplacer le curseur (aussi Ctrl-A, Ctrl-E)",
    ),
    ("Retour, Suppr", "effacer le caractère avant, après"),
    ("Ctrl-W", "effacer le mot avant le curseur"),
    ("Ctrl-U", "effacer jusqu'au début du champ"),
    ("Ctrl-K", "effacer jusqu'à la fin du champ"),
];

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved (or nothing changed, the key being an editing key all the same).
    Moved,
    /// Not an editing key: the caller decides.
    Ignored,
}

/// The text and the cursor (a position between characters, counted in characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    cursor: usize,
}

impl LineInput {
    /// The text typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Empties the input.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Inserts text at the cursor, control characters dropped (pasted text).
    pub fn insert_str(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }

    fn byte(&self, index: usize) -> usize {
        self.text
            .char_indices()
            .nth(index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn insert(&mut self, c: char) {
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Removes the characters in `start..end` (character positions) and puts the cursor at
    /// `start`; true when something was removed.
    fn remove(&mut self, start: usize, end: usize) -> bool {
        if start >= end {
            return false;
        }
        let (from, to) = (self.byte(start), self.byte(end));
        self.text.replace_range(from..to, "");
        self.cursor = start;
        true
    }

    /// The start of the word before the cursor (spaces before it included).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !chars[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }

    /// Applies an editing key.
    pub fn on_key(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if key.modifiers.contains(KeyModifiers::ALT) {
            return Edit::Ignored;
        }
        let changed = |yes: bool| if yes { Edit::Changed } else { Edit::Moved };
        match key.code {
            KeyCode::Char('w') if ctrl => changed(self.remove(self.word_start(), self.cursor)),
            KeyCode::Char('u') if ctrl => changed(self.remove(0, self.cursor)),
            KeyCode::Char('k') if ctrl => changed(self.remove(self.cursor, self.len())),
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = self.len();
                Edit::Moved
            }
            KeyCode::Char(_) if ctrl => Edit::Ignored,
            KeyCode::Char(c) => {
                self.insert(c);
                Edit::Changed
            }
            KeyCode::Backspace => {
                changed(self.cursor > 0 && self.remove(self.cursor - 1, self.cursor))
            }
            KeyCode::Delete => changed(self.remove(self.cursor, (self.cursor + 1).min(self.len()))),
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.len());
                Edit::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::End => {
                self.cursor = self.len();
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }

    /// The text split at the cursor: (before, after).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> LineInput {
        let mut input = LineInput::default();
        input.insert_str(text);
        input
    }

    fn press(input: &mut LineInput, code: KeyCode, modifiers: KeyModifiers) -> Edit {
        input.on_key(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn editing_keys_work_like_a_shell_line() {
        let ctrl = KeyModifiers::CONTROL;
        let none = KeyModifiers::NONE;
        let mut input = typed("quéré  diop noël");
        assert_eq!(press(&mut input, KeyCode::Char('w'), ctrl), Edit::Changed);
        assert_eq!(input.text(), "quéré  diop ");
        press(&mut input, KeyCode::Char('w'), ctrl);
        assert_eq!(input.text(), "quéré  ");
        press(&mut input, KeyCode::Home, none);
        press(&mut input, KeyCode::Right, none);
        press(&mut input, KeyCode::Delete, none);
        assert_eq!(input.text(), "qéré  ");
        press(&mut input, KeyCode::Char('u'), none);
        assert_eq!(input.text(), "quéré  ", "typed at the cursor");
        press(&mut input, KeyCode::Char('k'), ctrl);
        assert_eq!(input.split(), ("qu", ""));
        press(&mut input, KeyCode::Char('a'), ctrl);
        press(&mut input, KeyCode::Char('e'), ctrl);
        press(&mut input, KeyCode::Backspace, none);
        assert_eq!(input.text(), "q");
        press(&mut input, KeyCode::Char('u'), ctrl);
        assert_eq!((input.text(), input.cursor()), ("", 0));
        assert_eq!(press(&mut input, KeyCode::Backspace, none), Edit::Moved);
        assert_eq!(press(&mut input, KeyCode::Tab, none), Edit::Ignored);
        assert_eq!(press(&mut input, KeyCode::Char('c'), ctrl), Edit::Ignored);
    }
}
