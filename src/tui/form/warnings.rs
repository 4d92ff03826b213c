//! Warnings of the form: what is accepted but unusual, shown under its field without blocking
//! the declaration (domain.md §9): a provisional NIR (7 or 8), a person born abroad being
//! registered (3 or 4), an unknown or fictitious month of birth; a ROME métier code among the
//! transferable skills (domain.md §6). The same warnings as `passeport import`'s report.

use super::Form;
use super::fields::{self, Field};
use crate::domain::ids::{Competence, Nir};

impl Form {
    /// The warnings to show under a field: once its errors would show, for a valid value.
    pub fn warnings_of(&self, field: Field, titulaire: Option<usize>) -> Vec<String> {
        if !self.shows_errors_of(&fields::key(field, titulaire)) {
            return Vec::new();
        }
        match (field, titulaire) {
            (Field::Nir, Some(_)) => self
                .text(field, titulaire)
                .parse::<Nir>()
                .map(|nir| nir.warnings().iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            (Field::CompetenceTransferable, None) => self
                .declaration()
                .competence_transferable
                .iter()
                .filter_map(|code| code.parse::<Competence>().ok()?.warning())
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeclarantKind;
    use crate::tui::form::tests::{complete, nir_with_key};

    #[test]
    fn unusual_nirs_warn_under_their_field_once_it_was_left() {
        let mut form = complete(DeclarantKind::OrganismeFormation);
        let ordinary = form.titulaires().len() - 1;
        let provisional = form.add_titulaire(&nir_with_key("7850375112345"), "PROVISOIRE", None);
        let month = form.add_titulaire(&nir_with_key("1856075112345"), "MOIS", None);
        let abroad = form.add_titulaire("3850375112345", "ETRANGER", None);
        assert!(
            form.warnings_of(Field::Nir, Some(provisional)).is_empty(),
            "not before the field was left"
        );
        form.show_review();
        assert!(form.warnings_of(Field::Nir, Some(ordinary)).is_empty());
        assert_eq!(
            form.warnings_of(Field::Nir, Some(provisional)),
            [
                "numéro provisoire (premier chiffre 7 ou 8) : déclarez le NIR définitif dès qu'il \
              est connu, la plateforme vérifie le couple NIR et nom de naissance"
            ]
        );
        assert_eq!(
            form.warnings_of(Field::Nir, Some(month)),
            [
                "mois « 60 » : mois de naissance inconnu ou fictif (état civil incomplet), vérifiez \
              le numéro"
            ]
        );
        assert_eq!(form.warnings_of(Field::Nir, Some(abroad)).len(), 1);
        assert!(
            !form.problems().iter().any(|p| p.key.ends_with("NIR")),
            "a warning never blocks: {:?}",
            form.problems()
        );
    }

    #[test]
    fn the_warning_shows_under_the_nir_at_80_by_24() {
        use crate::tui::remote::Remote;
        use crate::tui::theme::{Theme, ThemeName};
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;

        let mut form = complete(DeclarantKind::OrganismeFormation);
        let added = form.add_titulaire(&nir_with_key("7850375112345"), "PROVISOIRE", None);
        form.focus_key(&format!("titulaires[{added}].NIR"));
        form.on_key(
            &KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            &Remote::default(),
        );
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| {
                super::super::render::render(
                    &form,
                    &Remote::default(),
                    frame,
                    frame.area(),
                    &Theme::new(ThemeName::Dark, false),
                );
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        let lines: Vec<String> = (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect();
        let screen = lines.join("\n");
        assert!(
            screen.contains("! numéro provisoire (premier chiffre 7 ou 8)"),
            "{screen}"
        );
    }

    #[test]
    fn a_rome_metier_code_warns_and_a_competence_code_does_not() {
        let mut form = complete(DeclarantKind::OrganismeFormation);
        form.show_review();
        assert!(
            form.warnings_of(Field::CompetenceTransferable, None)
                .is_empty()
        );
        form.set_text(Field::CompetenceTransferable, None, "115650 K2302 121885");
        let warnings = form.warnings_of(Field::CompetenceTransferable, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("« K2302 » est un code métier ROME"));
    }
}
