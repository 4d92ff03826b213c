//! The recorded declarations of the demo: the training organisation declares some of its past
//! sessions, each valid as the platform would take it.

use std::collections::HashMap;

use chrono::Datelike;

use super::*;

/// Most titulaires in one declaration (domain.md §8: 1 to 500 per ID_DECLARATION).
const MAX_TITULAIRES: usize = 500;

impl Demo {
    /// A few recorded declarations of the training organisation for its past sessions, built from
    /// `workers` (any subset, e.g. the first few thousand): the latest sessions of the training
    /// organisation with trainees among them, up to four justificatifs de réussite and two
    /// attestations de formation, each listing those of `workers` who followed the session with
    /// a passport entry (at most 500, the platform's limit). Each is valid per
    /// `Declaration::validate(DeclarantKind::OrganismeFormation, today)`.
    pub fn declarations(&self, workers: &[DemoWorker]) -> Vec<DemoDeclaration> {
        let mut trainees: HashMap<SessionId, Vec<&DemoWorker>> = HashMap::new();
        for demo in workers {
            for entry in &demo.entries {
                if let Some(session_id) = entry.session_id {
                    trainees.entry(session_id).or_default().push(demo);
                }
            }
        }
        let today = self.options.today;
        let mut candidates: Vec<&DemoSession> = self
            .sessions
            .iter()
            .filter(|demo| {
                demo.owner == OF_ACCOUNT
                    && demo.session.end_date < today
                    && trainees.contains_key(&demo.session.id)
            })
            .collect();
        candidates.sort_by(|a, b| {
            (b.session.end_date, b.session.id).cmp(&(a.session.end_date, a.session.id))
        });
        let mut wanted = [
            (DeclarationKind::Justificatif, 4),
            (DeclarationKind::Attestation, 2),
        ];
        let mut declarations = Vec::new();
        for demo in candidates {
            let Some(info) = self
                .codes
                .iter()
                .find(|c| c.code == demo.session.training_code && !c.excluded)
            else {
                continue;
            };
            let Some((_, left)) = wanted
                .iter_mut()
                .find(|(kind, left)| *kind == info.kind && *left > 0)
            else {
                continue;
            };
            *left -= 1;
            let mut list = trainees.remove(&demo.session.id).unwrap_or_default();
            list.sort_by_key(|worker| worker.worker.id);
            list.truncate(MAX_TITULAIRES);
            declarations.push(DemoDeclaration {
                owner: OF_ACCOUNT,
                declaration: of_declaration(info, &demo.session, &list),
                session_id: demo.session.id,
            });
        }
        declarations
    }
}

/// The declaration of the training organisation for `session`, whose trainees are `workers`.
///
/// The codes are illustrative: ROME métier codes of the trades concerned, Formacodes 42829
/// (sauvetage secourisme travail) and 42866 (santé sécurité travail), NSF 344r (domain.md §6,
/// <https://www.francecompetences.fr/recherche/rs/5801/>). The trainings are declared as not
/// certifying, so no RS code is needed.
fn of_declaration(info: &CodeInfo, session: &Session, workers: &[&DemoWorker]) -> Declaration {
    let mut declaration = Declaration::new(info.kind);
    declaration.training_code = Some(info.code.to_owned());
    declaration.id_declaration = format!("DEMO-OF-{:06}", session.id);
    declaration.reference_declaration =
        format!("FORMAPREV-{}-{:06}", session.end_date.year(), session.id);
    if info.kind == DeclarationKind::Justificatif {
        declaration.type_jdr = Some(if info.code.starts_with("HAB_ELEC") {
            TypeJdr::Habilitation
        } else {
            TypeJdr::Certificat
        });
        declaration.nom_jdr.clone_from(&session.title);
        declaration.mode_obtention = Some(ModeObtention::ParAdmission);
        declaration.presence_formation = Some(true);
    }
    declaration.competence_transferable = rome_codes(info.code)
        .iter()
        .map(|&code| code.to_owned())
        .collect();
    declaration.nom_formation.clone_from(&session.title);
    declaration.date_debut_formation = Some(session.start_date);
    declaration.date_fin_formation = Some(session.end_date);
    declaration.modalite_dispense = Some(Modalite::Presentiel);
    declaration.qualification_formateur =
        Some(QualificationFormateur::FormateurDAdultesFormationSpecialisee);
    declaration.formation_certifiante = Some(false);
    let formacode = if matches!(info.code, "SST" | "MAC_SST") {
        "42829"
    } else {
        "42866"
    };
    declaration.domaine_formation = vec![formacode.to_owned()];
    declaration.specialite_formation = vec!["344r".to_owned()];
    declaration.date_debut_validite = Some(session.end_date);
    declaration.titulaires = workers
        .iter()
        .map(|demo| Titulaire {
            id_unique_partenaire: format!("DEMO-OF-{:06}-{:08}", session.id, demo.worker.id),
            nir: demo.worker.nir.as_str().to_owned(),
            nom_titulaire: demo.worker.last_name.clone(),
            presence_employeur: Some(true),
            siret_employeur: demo.worker.employer_siret.as_str().to_owned(),
            reference_employeur: format!("MAT-{:06}", demo.worker.id),
        })
        .collect();
    declaration
}

/// Illustrative transferable skills (ROME métier codes) of the trades that follow a training.
fn rome_codes(code: &str) -> &'static [&'static str] {
    if code.starts_with("HAB_ELEC") {
        &["F1602", "I1309", "H2602"]
    } else if matches!(code, "CACES_R485" | "CACES_R489") {
        &["N1101", "N1103", "N1105"]
    } else if code.starts_with("CACES") || code.starts_with("AIPR") {
        &["F1301", "F1302", "F1701"]
    } else if code.starts_with("AMIANTE") || code == "TRAVAIL_EN_HAUTEUR" {
        &["F1703", "F1704", "F1613"]
    } else {
        &["N1103", "F1703", "I1309"]
    }
}

#[cfg(test)]
mod tests {

    use super::super::tests::{demo, session_map, today};
    use super::*;

    #[test]
    fn demo_declarations_validate() {
        let demo = demo(DEFAULT_WORKERS, DEFAULT_SEED);
        let workers: Vec<DemoWorker> = demo.workers().collect();
        let declarations = demo.declarations(&workers);
        let kinds: Vec<DeclarationKind> = declarations.iter().map(|d| d.declaration.kind).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == DeclarationKind::Justificatif)
                .count(),
            4
        );
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == DeclarationKind::Attestation)
                .count(),
            2
        );
        let sessions = session_map(&demo);
        for demo_declaration in &declarations {
            let declaration = &demo_declaration.declaration;
            assert_eq!(
                declaration.validate(DeclarantKind::OrganismeFormation, today()),
                Ok(())
            );
            assert_eq!(demo_declaration.owner, OF_ACCOUNT);
            let session = &sessions[&demo_declaration.session_id].session;
            assert_eq!(declaration.date_fin_formation, Some(session.end_date));
            let expected: Vec<String> = workers
                .iter()
                .filter(|w| {
                    w.sessions()
                        .any(|(id, outcome)| id == session.id && outcome != TraineeOutcome::Absent)
                })
                .map(|w| w.worker.nir.as_str().to_owned())
                .collect();
            let listed: Vec<String> = declaration
                .titulaires
                .iter()
                .map(|t| t.nir.clone())
                .collect();
            assert_eq!(listed, expected);
        }
        assert_eq!(demo.declarations(&[]), Vec::new());
    }
}
