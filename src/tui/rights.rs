//! What the user's role lets the TUI offer (issue 17 §4): the write commands need `saisie`, the
//! Journal `administration`; the app drops the bindings a role cannot use, so neither the footer
//! nor `?` lists them and their keys do nothing (the server would answer 403 anyway). Without a
//! user (a server older than users) nothing is dropped but the Journal, which such a server
//! lacks.

use super::keymap::Command;
use crate::domain::rights::Role;

/// The commands that change data on the server.
const WRITES: [Command; 20] = [
    Command::Declare,
    Command::ScreenImport,
    Command::Export,
    Command::Answer,
    Command::Delete,
    Command::NewWorker,
    Command::EditWorker,
    Command::AddTraining,
    Command::ArchiveWorker,
    Command::VerifyLine,
    Command::RequestCorrection,
    Command::DeclareInstead,
    Command::NewSession,
    Command::EditSession,
    Command::Enrol,
    Command::OutcomePassed,
    Command::OutcomeFailed,
    Command::OutcomeAttended,
    Command::OutcomeAbsent,
    Command::CloseSession,
];

/// The commands of the Journal (the audit trail).
const JOURNAL: [Command; 3] = [
    Command::ScreenJournal,
    Command::FilterEntity,
    Command::FilterUser,
];

/// The role a command needs.
pub fn needed_role(command: Command) -> Role {
    if JOURNAL.contains(&command) {
        Role::Administration
    } else if WRITES.contains(&command) {
        Role::Saisie
    } else {
        Role::Lecture
    }
}

/// Whether a user of `role` may run `command`; `None`: no user known (see the module).
pub fn allowed(role: Option<Role>, command: Command) -> bool {
    match role {
        Some(role) => role.allows(needed_role(command)),
        None => !JOURNAL.contains(&command),
    }
}

/// The header's text for the user: `Marie Curie (lecture)`.
pub fn user_label(name: &str, role: Role) -> String {
    format!("{name} ({role})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_cannot_declare_and_saisie_can() {
        let (lecture, saisie) = (Some(Role::Lecture), Some(Role::Saisie));
        assert!(!allowed(lecture, Command::Declare));
        assert!(!allowed(lecture, Command::ArchiveWorker));
        assert!(!allowed(lecture, Command::NewSession));
        assert!(allowed(lecture, Command::Open));
        assert!(allowed(saisie, Command::Declare));
        assert!(allowed(Some(Role::Administration), Command::Delete));
    }

    #[test]
    fn the_journal_is_for_administrators_only() {
        assert!(allowed(Some(Role::Administration), Command::ScreenJournal));
        assert!(!allowed(Some(Role::Saisie), Command::ScreenJournal));
        assert!(!allowed(None, Command::FilterUser));
        assert!(
            allowed(None, Command::Declare),
            "an older server: every other key"
        );
    }
}
