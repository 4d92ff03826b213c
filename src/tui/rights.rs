//! What the user's role lets the TUI offer (issue 17 §4): the write commands need `saisie`;
//! the app drops their bindings for a `lecture` user, so neither the footer nor `?` lists them
//! and their keys do nothing (the server would answer 403 anyway).

use super::keymap::Command;
use crate::domain::rights::Role;

/// The commands that change data on the server.
const WRITES: [Command; 11] = [
    Command::Declare,
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
];

/// The role a command needs.
pub fn needed_role(command: Command) -> Role {
    if WRITES.contains(&command) {
        Role::Saisie
    } else {
        Role::Lecture
    }
}

/// Whether `role` may run `command`.
pub fn allowed(role: Role, command: Command) -> bool {
    role.allows(needed_role(command))
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
        assert!(!allowed(Role::Lecture, Command::Declare));
        assert!(!allowed(Role::Lecture, Command::ArchiveWorker));
        assert!(allowed(Role::Lecture, Command::Open));
        assert!(allowed(Role::Saisie, Command::Declare));
        assert!(allowed(Role::Administration, Command::Delete));
    }
}
