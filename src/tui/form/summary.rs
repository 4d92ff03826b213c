//! What a declaration sends, in French, column by column and titulaire by titulaire: shown by the
//! form's Vérification step before sending and by the detail of a recorded declaration on the
//! Déclarations screen, so that both say the same thing (UX review 2026-12, findings 6 and 26).
//!
//! Columns come in the official order of the bulk files (domain.md §8); identifiers and
//! technical ids are left out of the training rows (they are shown apart), and the NIR is always
//! masked (design.md §5).

use chrono::NaiveDate;

use super::fields::{Field, format_date};
use crate::api::contract::NirView;
use crate::domain::declaration::{Declaration, Titulaire, columns};
use crate::domain::ids::Siret;
use crate::tui::widgets::sanitize;

/// Columns of a titulaire's line, or technical ids: not part of the training rows.
const NOT_TRAINING: [&str; 7] = [
    columns::ID_DECLARATION,
    columns::ID_UNIQUE_PARTENAIRE,
    columns::NIR,
    columns::NOM_TITULAIRE,
    columns::PRESENCE_EMPLOYEUR,
    columns::SIRET_EMPLOYEUR,
    columns::REFERENCE_EMPLOYEUR,
];

/// The training block's filled columns, as `(label, value)`, in the official order.
pub fn training_rows(d: &Declaration) -> Vec<(String, String)> {
    columns::for_kind(d.kind)
        .iter()
        .filter(|column| !NOT_TRAINING.contains(column))
        .filter_map(|column| {
            let value = value_of(d, column);
            if value.trim().is_empty() {
                return None;
            }
            let label = Field::from_column(column).map_or_else(
                || capitalise(columns::label(column)),
                |field| field.label().to_owned(),
            );
            Some((label, sanitize(&value)))
        })
        .collect()
}

/// One titulaire on one line: `n° 1 DUPONT · 1 85 03 •• ••• ••• •• · SIRET 73282932000074`
/// (the SIRET in its 14 digits, as the form's list shows it, so that a line fits 80 columns).
pub fn titulaire_line(index: usize, t: &Titulaire) -> String {
    let name = if t.nom_titulaire.trim().is_empty() {
        "(sans nom)".to_owned()
    } else {
        sanitize(t.nom_titulaire.trim())
    };
    let employer = match t.presence_employeur {
        Some(true) => {
            let siret = t
                .siret_employeur
                .parse::<Siret>()
                .map_or_else(|_| sanitize(&t.siret_employeur), |s| s.as_str().to_owned());
            let reference = t.reference_employeur.trim();
            if reference.is_empty() {
                format!("SIRET {siret}")
            } else {
                format!("SIRET {siret} · réf. {}", sanitize(reference))
            }
        }
        Some(false) => "sans employeur".to_owned(),
        None => "employeur : —".to_owned(),
    };
    format!(
        "n° {} {name} · {} · {employer}",
        index + 1,
        masked_nir(&t.nir)
    )
}

/// The NIR masked as in every list (`1 85 03 •• ••• ••• ••`), whatever its stored form, and
/// as received when the server masked it.
pub fn masked_nir(text: &str) -> String {
    if text.trim().is_empty() {
        "NIR : —".to_owned()
    } else {
        NirView::masked_text(text).unwrap_or_else(|| "NIR invalide".to_owned())
    }
}

/// The value of a training column as the user reads it (labels, not file tokens).
fn value_of(d: &Declaration, column: &str) -> String {
    let date = |date: Option<NaiveDate>| date.map(format_date).unwrap_or_default();
    let yes_no = |flag: Option<bool>| match flag {
        Some(true) => "Oui".to_owned(),
        Some(false) => "Non".to_owned(),
        None => String::new(),
    };
    let label = |label: Option<&'static str>| label.unwrap_or_default().to_owned();
    match column {
        columns::REFERENCE_DECLARATION => d.reference_declaration.clone(),
        columns::TYPE_JDR => label(d.type_jdr.map(|v| v.label())),
        columns::NOM_JDR => d.nom_jdr.clone(),
        columns::NOM_OPTION_SPECIALITE => d.nom_option_specialite.clone(),
        columns::MODE_OBTENTION => label(d.mode_obtention.map(|v| v.label())),
        columns::COMPETENCE_TRANSFERABLE => d.competence_transferable.join(" / "),
        columns::PRESENCE_FORMATION => yes_no(d.presence_formation),
        columns::NOM_FORMATION => d.nom_formation.clone(),
        columns::DATE_DEBUT_FORMATION => date(d.date_debut_formation),
        columns::DATE_FIN_FORMATION => date(d.date_fin_formation),
        columns::MODALITE_DISPENSE => label(d.modalite_dispense.map(|v| v.label())),
        columns::QUALIFICATION_FORMATEUR => label(d.qualification_formateur.map(|v| v.label())),
        columns::FORMATION_CERTIFIANTE => yes_no(d.formation_certifiante),
        columns::CERTIFICATION_VISEE => d.certification_visee.clone(),
        columns::DOMAINE_FORMATION => d.domaine_formation.join(" / "),
        columns::SPECIALITE_FORMATION => d.specialite_formation.join(" / "),
        columns::DATE_DEBUT_VALIDITE => date(d.date_debut_validite),
        columns::DATE_FIN_VALIDITE => date(d.date_fin_validite),
        columns::RESULTAT_OBTENU => d.resultat_obtenu.clone(),
        columns::MENTION_OBTENUE => d.mention_obtenue.clone(),
        columns::LIEN_PREUVE => d.lien_preuve.clone(),
        columns::IDENTIFIANT_PREUVE => d.identifiant_preuve.clone(),
        _ => String::new(),
    }
}

/// First letter uppercase.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeclarationKind;
    use crate::domain::declaration::Modalite;
    use crate::domain::ids::compute_key;

    #[test]
    fn rows_follow_the_official_order_with_labels_and_no_identifiers() {
        let mut d = Declaration::new(DeclarationKind::Attestation);
        d.id_declaration = "PP-1".into();
        d.reference_declaration = "REF-1".into();
        d.nom_formation = "Sauveteur secouriste du travail".into();
        d.date_fin_formation = NaiveDate::from_ymd_opt(2026, 10, 15);
        d.modalite_dispense = Some(Modalite::Presentiel);
        d.formation_certifiante = Some(false);
        d.domaine_formation = vec!["42829".into(), "42817".into()];
        let rows = training_rows(&d);
        let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Référence déclaration",
                "Intitulé de la formation",
                "Fin de la formation",
                "Modalité",
                "Formation certifiante",
                "Formacodes"
            ]
        );
        assert_eq!(rows[2].1, "15/10/2026");
        assert_eq!(rows[3].1, "Présentiel", "a label, not PRESENTIEL");
        assert_eq!(rows[5].1, "42829 / 42817");
    }

    #[test]
    fn a_titulaire_reads_on_one_line_with_its_nir_masked() {
        let t = Titulaire {
            id_unique_partenaire: "PP-1-1".into(),
            nir: format!(
                "1850375112345{:02}",
                compute_key("1850375112345").unwrap_or(0)
            ),
            nom_titulaire: "DUPONT".into(),
            presence_employeur: Some(true),
            siret_employeur: "73282932000074".into(),
            reference_employeur: "M-12".into(),
        };
        let line = titulaire_line(0, &t);
        assert_eq!(
            line,
            "n° 1 DUPONT · 1 85 03 •• ••• ••• •• · SIRET 73282932000074 · réf. M-12"
        );
        let without_key = Titulaire {
            nir: "1850375112345".into(),
            presence_employeur: Some(false),
            ..t
        };
        assert!(titulaire_line(1, &without_key).contains("1 85 03 •• ••• ••• •• · sans employeur"));
    }
}
