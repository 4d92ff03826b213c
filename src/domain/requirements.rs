//! Which trainings a poste requires (issue 19 §1): the employer's requirements, as data.
//!
//! A requirement names a poste, optionally narrowed to a site and a service, and a training
//! type of the catalogue; the employer may set a validity shorter than the catalogue's (a
//! company rule, « recyclage tous les 12 mois »), never a longer one: the catalogue's period
//! comes from the texts (domain.md §5), so the shorter of the two applies.
//!
//! Assumption (not from a text): postes, sites and services match without regard to case,
//! accents or surrounding spaces, as the team's spreadsheets write them in several ways.

use serde::{Deserialize, Serialize};

/// One requirement: the workers of `poste` (and of `site`, `service` when set) must hold a
/// valid `training_code`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Requirement {
    /// The poste (fonction), as the staff records write it.
    pub poste: String,
    /// Only the workers of this site, when set.
    #[serde(default)]
    pub site: Option<String>,
    /// Only the workers of this service, when set.
    #[serde(default)]
    pub service: Option<String>,
    /// Catalogue code of the required training type.
    pub training_code: String,
    /// The employer's validity in months, when shorter than the catalogue's.
    #[serde(default)]
    pub validity_months: Option<u32>,
}

/// What a requirement is matched against: a worker's employment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Employment<'a> {
    /// Poste.
    pub poste: Option<&'a str>,
    /// Site.
    pub site: Option<&'a str>,
    /// Service.
    pub service: Option<&'a str>,
}

/// `text` folded for comparison: trimmed, lower case, without accents.
fn folded(text: &str) -> Vec<u8> {
    crate::search::fold_text(text.trim())
}

/// Whether `wanted` (none: any) matches `actual`.
fn matches(wanted: Option<&str>, actual: Option<&str>) -> bool {
    match wanted.filter(|w| !w.trim().is_empty()) {
        None => true,
        Some(wanted) => actual.is_some_and(|actual| folded(wanted) == folded(actual)),
    }
}

/// `text` trimmed, `None` when empty.
fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

impl Requirement {
    /// The same requirement with its texts trimmed and an empty site or service as none.
    pub fn normalised(&self) -> Self {
        Self {
            poste: self.poste.trim().to_owned(),
            site: trimmed(self.site.as_deref()),
            service: trimmed(self.service.as_deref()),
            training_code: self.training_code.trim().to_owned(),
            validity_months: self.validity_months,
        }
    }

    /// Whether this requirement applies to a worker of `employment`.
    pub fn applies_to(&self, employment: Employment<'_>) -> bool {
        matches(Some(&self.poste), employment.poste)
            && matches(self.site.as_deref(), employment.site)
            && matches(self.service.as_deref(), employment.service)
    }

    /// A problem with this requirement, in French: an empty poste, an unknown training type, a
    /// validity of zero months, or one longer than the catalogue's.
    pub fn problem(&self, catalogue: &crate::domain::training::Catalogue) -> Option<String> {
        if self.poste.trim().is_empty() {
            return Some("le poste est vide".to_owned());
        }
        let Some(training) = catalogue.get(self.training_code.trim()) else {
            return Some(format!(
                "formation « {} » inconnue du catalogue",
                self.training_code.trim()
            ));
        };
        match (self.validity_months, training.validity_months) {
            (Some(0), _) => Some("une validité de 0 mois n'a pas de sens".to_owned()),
            (Some(mine), Some(catalogue)) if mine > catalogue => Some(format!(
                "validité de {mine} mois plus longue que celle du catalogue ({catalogue} mois) \
                 pour « {} » : seule une validité plus courte peut être fixée",
                training.code
            )),
            _ => None,
        }
    }
}

/// For each training code required of a worker of `employment`, the employer's validity (the
/// shortest one set by the requirements that apply, `None` when none sets it); sorted by code.
pub fn required_of(
    requirements: &[Requirement],
    employment: Employment<'_>,
) -> Vec<(String, Option<u32>)> {
    let mut out: Vec<(String, Option<u32>)> = Vec::new();
    for requirement in requirements.iter().filter(|r| r.applies_to(employment)) {
        let code = requirement.training_code.trim();
        match out.iter_mut().find(|(c, _)| c == code) {
            Some((_, months)) => {
                *months = match (*months, requirement.validity_months) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => out.push((code.to_owned(), requirement.validity_months)),
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::training::Catalogue;

    fn requirement(
        poste: &str,
        site: Option<&str>,
        code: &str,
        months: Option<u32>,
    ) -> Requirement {
        Requirement {
            poste: poste.to_owned(),
            site: site.map(str::to_owned),
            service: None,
            training_code: code.to_owned(),
            validity_months: months,
        }
    }

    #[test]
    fn postes_match_without_case_or_accents_and_sites_narrow() {
        let list = [
            requirement("Cariste", None, "CACES_R489", None),
            requirement("cariste ", Some("Lyon"), "SST", Some(12)),
            requirement("Électricien", None, "HAB_ELEC", None),
        ];
        let lyon = Employment {
            poste: Some("CARISTE"),
            site: Some("lyon"),
            service: None,
        };
        assert_eq!(
            required_of(&list, lyon),
            vec![
                ("CACES_R489".to_owned(), None),
                ("SST".to_owned(), Some(12))
            ]
        );
        let paris = Employment {
            site: Some("Paris"),
            ..lyon
        };
        assert_eq!(
            required_of(&list, paris),
            vec![("CACES_R489".to_owned(), None)]
        );
        let electricien = Employment {
            poste: Some("electricien"),
            ..Employment::default()
        };
        assert_eq!(required_of(&list, electricien).len(), 1);
        assert!(required_of(&list, Employment::default()).is_empty());
    }

    #[test]
    fn the_shortest_validity_set_wins() {
        let list = [
            requirement("Cariste", None, "SST", Some(18)),
            requirement("Cariste", Some("Lyon"), "SST", Some(12)),
        ];
        let lyon = Employment {
            poste: Some("Cariste"),
            site: Some("Lyon"),
            service: None,
        };
        assert_eq!(required_of(&list, lyon), vec![("SST".to_owned(), Some(12))]);
    }

    #[test]
    fn a_longer_validity_or_an_unknown_training_is_refused() {
        let catalogue = Catalogue::embedded().unwrap();
        let sst = catalogue
            .get("SST")
            .and_then(|t| t.validity_months)
            .unwrap();
        assert!(
            requirement("Cariste", None, "SST", Some(sst + 1))
                .problem(&catalogue)
                .unwrap()
                .contains("plus longue")
        );
        assert!(
            requirement("Cariste", None, "NOPE", None)
                .problem(&catalogue)
                .unwrap()
                .contains("inconnue")
        );
        assert!(
            requirement(" ", None, "SST", None)
                .problem(&catalogue)
                .is_some()
        );
        assert_eq!(
            requirement("Cariste", None, "SST", Some(12)).problem(&catalogue),
            None
        );
    }
}
