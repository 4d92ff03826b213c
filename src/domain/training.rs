//! The catalogue of training types: what a training is, its category (1–4), the declaration it
//! usually gives rise to, and its validity period.
//!
//! The catalogue is data, in `assets/catalogue.toml` (each entry cites its source; see
//! `shared/domain.md` §1 for the categories and §5 for the validity periods). It is checked on
//! load: a broken entry is a [`RulesError`] naming the file and the line of the entry.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::DeclarationKind;
use super::declaration::TypeJdr;
use super::ids::{Competence, Formacode, IdError, Nsf};
use crate::rules::{RulesError, line_of, parse_toml};

/// The catalogue shipped with the binary.
pub const CATALOGUE_TOML: &str = include_str!("../../assets/catalogue.toml");

/// Display name of the embedded catalogue in error messages.
const EMBEDDED_PATH: &str = "assets/catalogue.toml";

/// Longest validity period accepted in the catalogue, in months (20 years).
const MAX_VALIDITY_MONTHS: u32 = 240;

/// One of the four categories of the DGT (domain.md §1), always within 1..=4.
///
/// Source: <https://passeport-prevention.travail-emploi.gouv.fr/simulateur>
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Category(u8);

/// A category number outside 1..=4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("catégorie {0} inconnue : la catégorie d'une formation va de 1 à 4")]
pub struct InvalidCategory(pub u8);

impl Category {
    /// The category numbered `number`, if it is within 1..=4.
    pub fn new(number: u8) -> Option<Self> {
        (1..=4).contains(&number).then_some(Self(number))
    }

    /// The category number, 1 to 4.
    pub fn get(self) -> u8 {
        self.0
    }

    /// French description of the category, as the official portal words it (paraphrased).
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "formations obligatoires encadrées par la réglementation",
            2 => "formations pour des postes nécessitant une autorisation de l'employeur",
            3 => "formations avec un objectif spécifique prévu par la réglementation",
            _ => "formations répondant à l'obligation générale de formation de l'employeur",
        }
    }
}

impl TryFrom<u8> for Category {
    type Error = InvalidCategory;

    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Self::new(number).ok_or(InvalidCategory(number))
    }
}

impl From<Category> for u8 {
    fn from(category: Category) -> Self {
        category.0
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catégorie {}", self.0)
    }
}

/// What the validity period of a training type rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityBasis {
    /// Set by a legal text (décret, arrêté, EU regulation).
    Law,
    /// Recommended by a reference body or standard (INRS, CNAM recommendation, NF C18-510).
    Recommendation,
    /// Common market practice, without a text.
    Practice,
    /// No confirmed period: the training has no expiry.
    None,
}

impl ValidityBasis {
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Law => "texte réglementaire",
            Self::Recommendation => "recommandation",
            Self::Practice => "usage",
            Self::None => "aucune durée confirmée",
        }
    }
}

/// A type of training in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingType {
    /// Stable short code in uppercase (`SST`, `MAC_SST`, `CACES_R489`).
    pub code: String,
    /// French title.
    pub title: String,
    /// Category 1–4 (domain.md §1).
    pub category: Category,
    /// The declaration this training usually gives rise to: a justificatif de réussite when it ends
    /// with a passed assessment, otherwise an attestation de formation (domain.md §8).
    pub declaration_kind: DeclarationKind,
    /// Validity period in months, counted from the validity start (else the end of the training).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_months: Option<u32>,
    /// What the validity period rests on.
    pub basis: ValidityBasis,
    /// URL of the source of the entry.
    pub source: String,
    /// Remarks in French (conditions, uncertainty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How firmly the category rests on its sources; an entry that does not say is an inference.
    #[serde(default)]
    pub category_confidence: Confidence,
    /// Why the Passeport excludes this training from declaration, when it does (décret 2022-1712
    /// art. 4-II): the training is kept for expiry tracking only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Exclusion>,
    /// Codes of the training types this one renews (a MAC SST renews the SST certificate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
    /// Other titles this training goes by, to map a declared free title to this type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Certification codes (France compétences RS or RNCP fiches) that this training leads to,
    /// to map a declared CERTIFICATION_VISEE to this type before its title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    /// The codes a declaration of this training carries in the official files, where a source
    /// gives them (a trainee sheet names none: `passeport import` takes them from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<OfficialCodes>,
}

/// The official-file codes of a training type (domain.md §8 and §6), each list optional: a
/// sheet column or a catalogue override in the configuration directory supplies what is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialCodes {
    /// `TYPE_JDR` of its justificatif de réussite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_jdr: Option<TypeJdr>,
    /// `COMPETENCE_TRANSFERABLE`: 3 to 10 ROME codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competences: Vec<String>,
    /// `DOMAINE_FORMATION`: 1 to 5 Formacodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formacodes: Vec<String>,
    /// `SPECIALITE_FORMATION`: 1 to 3 NSF codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nsf: Vec<String>,
    /// How firmly these codes rest on their source, shown beside them.
    pub confidence: Confidence,
    /// URL of the source.
    pub source: String,
}

impl OfficialCodes {
    /// Checks the codes: each reads as its kind, the lists within the official counts, an
    /// http(s) source; the message is in French.
    fn check(&self, code: &str) -> Result<(), String> {
        fn list<T: std::str::FromStr<Err = IdError>>(
            code: &str,
            name: &str,
            values: &[String],
            max: usize,
        ) -> Result<(), String> {
            if values.len() > max {
                return Err(format!("« {code} » : {name} compte au plus {max} codes"));
            }
            for value in values {
                value
                    .parse::<T>()
                    .map_err(|error| format!("« {code} » : {name} : {error}"))?;
            }
            Ok(())
        }
        if !self.competences.is_empty() && self.competences.len() < 3 {
            return Err(format!(
                "« {code} » : competences compte de 3 à 10 codes ROME"
            ));
        }
        list::<Competence>(code, "competences", &self.competences, 10)?;
        list::<Formacode>(code, "formacodes", &self.formacodes, 5)?;
        list::<Nsf>(code, "nsf", &self.nsf, 3)?;
        if !(self.source.starts_with("https://") || self.source.starts_with("http://")) {
            return Err(format!(
                "« {code} » : la source des codes doit être une URL http(s)"
            ));
        }
        Ok(())
    }
}

/// How firmly a fact rests on its sources, with the labels of `shared/domain.md`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// An official text (décret, arrêté, the portal's own pages).
    #[serde(rename = "C")]
    Official,
    /// Several agreeing secondary sources.
    #[serde(rename = "S")]
    Several,
    /// A single third party.
    #[serde(rename = "T")]
    ThirdParty,
    /// An inference of the project, to confirm.
    #[default]
    #[serde(rename = "I")]
    Inferred,
}

impl Confidence {
    /// The short label shown beside a fact: `[C]`, `[S]`, `[T]` or `[I]`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Official => "[C]",
            Self::Several => "[S]",
            Self::ThirdParty => "[T]",
            Self::Inferred => "[I]",
        }
    }

    /// French wording for a user: what the label means.
    pub fn label(self) -> &'static str {
        match self {
            Self::Official => "texte officiel",
            Self::Several => "plusieurs sources concordantes",
            Self::ThirdParty => "une seule source tierce, à confirmer",
            Self::Inferred => "déduction, à confirmer",
        }
    }
}

/// Why a training is excluded from the Passeport de prévention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The rule, as a user reads it (« art. 4-II-1° du décret 2022-1712 »).
    pub rule: String,
    /// The reason in French (« formation de formateurs »).
    pub reason: String,
    /// How firmly the exclusion rests on its sources.
    pub confidence: Confidence,
    /// URL of the source.
    pub source: String,
}

/// The catalogue of training types, checked on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// The training types, in file order.
    pub types: Vec<TrainingType>,
}

/// The shape of the catalogue file, with the span of each entry for error lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    types: Vec<toml::Spanned<TrainingType>>,
}

impl Catalogue {
    /// Parses and checks a catalogue file: codes non-empty, uppercase and unique, validity between
    /// 1 and 240 months and given exactly when the basis is not `none`, source an http(s) URL.
    pub fn from_toml(path: &str, text: &str) -> Result<Self, RulesError> {
        let file: CatalogueFile = parse_toml(path, text)?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for entry in &file.types {
            let line = line_of(text, entry.span().start);
            let training = entry.get_ref();
            let fail = |message: String| RulesError::Syntax {
                path: path.to_owned(),
                line,
                message,
            };
            check_entry(training).map_err(fail)?;
            if let Some(first) = seen.insert(training.code.as_str(), line) {
                return Err(fail(format!(
                    "code « {} » en double (déjà défini ligne {first})",
                    training.code
                )));
            }
        }
        for entry in &file.types {
            let training = entry.get_ref();
            if let Some(unknown) = training
                .supersedes
                .iter()
                .find(|other| !seen.contains_key(other.as_str()))
            {
                return Err(RulesError::Syntax {
                    path: path.to_owned(),
                    line: line_of(text, entry.span().start),
                    message: format!(
                        "« {} » renouvelle « {unknown} », absent du catalogue",
                        training.code
                    ),
                });
            }
        }
        if file.types.is_empty() {
            return Err(RulesError::Invalid {
                path: path.to_owned(),
                message: "le catalogue ne contient aucun type de formation".to_owned(),
            });
        }
        Ok(Self {
            types: file
                .types
                .into_iter()
                .map(toml::Spanned::into_inner)
                .collect(),
        })
    }

    /// The catalogue embedded in the binary ([`CATALOGUE_TOML`]).
    pub fn embedded() -> Result<Self, RulesError> {
        Self::from_toml(EMBEDDED_PATH, CATALOGUE_TOML)
    }

    /// The training type with this code, if any.
    pub fn get(&self, code: &str) -> Option<&TrainingType> {
        self.types.iter().find(|t| t.code == code)
    }

    /// The training types, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, TrainingType> {
        self.types.iter()
    }

    /// The training type a declared title names: its code, title or one of its aliases, compared
    /// without case, surrounding or repeated spaces. `None` when no type matches exactly: the
    /// product does not guess a type from a free title.
    pub fn recognise(&self, title: &str) -> Option<&TrainingType> {
        let wanted = normalise_title(title);
        if wanted.is_empty() {
            return None;
        }
        self.types.iter().find(|t| {
            std::iter::once(&t.code)
                .chain(std::iter::once(&t.title))
                .chain(&t.aliases)
                .any(|name| normalise_title(name) == wanted)
        })
    }

    /// The training type a declaration names: its catalogue code when it has one, else its
    /// certification (CERTIFICATION_VISEE, compared without case or spaces), else its title or
    /// one of the aliases ([`Catalogue::recognise`]). `None`: « type non reconnu ».
    pub fn map_declared(
        &self,
        code: Option<&str>,
        certification: &str,
        title: &str,
    ) -> Option<&TrainingType> {
        if let Some(training) = code.and_then(|code| self.get(code)) {
            return Some(training);
        }
        let wanted: String = certification
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if !wanted.is_empty()
            && let Some(training) = self
                .types
                .iter()
                .find(|t| t.certifications.iter().any(|c| c.to_uppercase() == wanted))
        {
            return Some(training);
        }
        self.recognise(title)
    }

    /// The family of `code`: the code at the root of its `supersedes` chain (MAC_SST → SST,
    /// AMIANTE_SS3_RECYCLAGE → AMIANTE_SS3), or `code` itself. Within a family the newest entry
    /// renews the older ones (catalogue notes [S]). A loop in the chain stops where it repeats.
    pub fn family<'a>(&'a self, code: &'a str) -> &'a str {
        let mut current = code;
        let mut visited = vec![code];
        while let Some(parent) = self
            .get(current)
            .and_then(|t| t.supersedes.first())
            .map(String::as_str)
        {
            if visited.contains(&parent) {
                break;
            }
            visited.push(parent);
            current = parent;
        }
        current
    }
}

impl TrainingType {
    /// The category as a user reads it, with its label: `cat. 3 [I]`.
    pub fn category_tag(&self) -> String {
        format!(
            "cat. {} {}",
            self.category.get(),
            self.category_confidence.tag()
        )
    }
}

impl<'a> IntoIterator for &'a Catalogue {
    type Item = &'a TrainingType;
    type IntoIter = std::slice::Iter<'a, TrainingType>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A title compared for [`Catalogue::recognise`]: lowercase, single spaces, trimmed.
fn normalise_title(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks one entry on its own; the message is in French.
fn check_entry(training: &TrainingType) -> Result<(), String> {
    let code = &training.code;
    if code.is_empty() {
        return Err("le code du type de formation est vide".to_owned());
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(format!(
            "code « {code} » invalide : lettres majuscules, chiffres et « _ » seulement"
        ));
    }
    if training.title.trim().is_empty() {
        return Err(format!("« {code} » : l'intitulé est vide"));
    }
    match (training.validity_months, training.basis) {
        (Some(months), _) if !(1..=MAX_VALIDITY_MONTHS).contains(&months) => {
            return Err(format!(
                "« {code} » : durée de validité de {months} mois hors de l'intervalle 1 à \
                 {MAX_VALIDITY_MONTHS}"
            ));
        }
        (Some(_), ValidityBasis::None) => {
            return Err(format!(
                "« {code} » : une durée de validité demande un fondement (law, recommendation \
                 ou practice), pas « none »"
            ));
        }
        (None, basis) if basis != ValidityBasis::None => {
            return Err(format!(
                "« {code} » : fondement « {} » sans durée de validité (validity_months)",
                basis.label()
            ));
        }
        _ => {}
    }
    if !(training.source.starts_with("https://") || training.source.starts_with("http://")) {
        return Err(format!("« {code} » : la source doit être une URL http(s)"));
    }
    if let Some(exclusion) = &training.exclusion
        && !(exclusion.source.starts_with("https://") || exclusion.source.starts_with("http://"))
    {
        return Err(format!(
            "« {code} » : la source de l'exclusion doit être une URL http(s)"
        ));
    }
    if let Some(codes) = &training.codes {
        codes.check(code)?;
    }
    if training.supersedes.iter().any(|other| other == code) {
        return Err(format!(
            "« {code} » ne peut pas se renouveler lui-même (supersedes)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY_A: &str = "[[types]]\ncode = \"A\"\ntitle = \"Formation A\"\ncategory = 1\n\
        declaration_kind = \"justificatif\"\nvalidity_months = 24\nbasis = \"law\"\n\
        source = \"https://example.org/a\"\n";

    fn entry(code: &str, extra: &str) -> String {
        format!(
            "\n[[types]]\ncode = \"{code}\"\ntitle = \"Formation\"\ncategory = 3\n\
             declaration_kind = \"attestation\"\nbasis = \"none\"\n\
             source = \"https://example.org/b\"\n{extra}"
        )
    }

    fn syntax_line(result: Result<Catalogue, RulesError>) -> (usize, String) {
        match result {
            Err(RulesError::Syntax { line, message, .. }) => (line, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn official_codes_are_checked_on_load() {
        let codes = |inline: &str| {
            Catalogue::from_toml("c.toml", &format!("{ENTRY_A}codes = {{ {inline} }}\n"))
        };
        let fine = codes(
            "type_jdr = \"CERTIFICAT\", formacodes = [\"42829\"], nsf = [\"344r\"], \
             confidence = \"I\", source = \"https://example.org/c\"",
        )
        .unwrap();
        let found = fine.get("A").unwrap().codes.as_ref().unwrap();
        assert_eq!(found.type_jdr, Some(TypeJdr::Certificat));
        assert_eq!(found.nsf, ["344r"]);
        let (line, message) = syntax_line(codes(
            "formacodes = [\"4282\"], confidence = \"I\", source = \"https://example.org/c\"",
        ));
        assert_eq!(line, 1);
        assert!(message.starts_with("« A » : formacodes : "), "{message}");
        let (_, message) = syntax_line(codes(
            "competences = [\"K2302\"], confidence = \"I\", source = \"https://example.org/c\"",
        ));
        assert!(message.contains("de 3 à 10 codes ROME"), "{message}");
        let sst = Catalogue::embedded().unwrap();
        let sst = sst.get("SST").unwrap().codes.as_ref().unwrap();
        assert_eq!(sst.formacodes, ["42829"]);
    }

    #[test]
    fn embedded_catalogue_parses() {
        let catalogue = Catalogue::embedded().unwrap();
        assert!(catalogue.iter().count() >= 40);
    }

    #[test]
    fn embedded_catalogue_has_the_required_types() {
        let catalogue = Catalogue::embedded().unwrap();
        for code in [
            "SST",
            "MAC_SST",
            "FORMATEUR_SST",
            "HAB_ELEC_B0_H0",
            "CACES_R482",
            "CACES_R483",
            "CACES_R484",
            "CACES_R485",
            "CACES_R486",
            "CACES_R487",
            "CACES_R489",
            "CACES_R490",
            "AIPR_OPERATEUR",
            "AIPR_ENCADRANT",
            "AIPR_CONCEPTEUR",
            "AMIANTE_SS3",
            "AMIANTE_SS4_OPERATEUR",
            "PCR",
            "DIISOCYANATES",
            "SSIAP_1",
            "SSIAP_2",
            "SSIAP_3",
            "ATEX",
            "TRAVAIL_EN_HAUTEUR",
            "PRAP",
            "GESTES_POSTURES",
            "RISQUE_CHIMIQUE",
            "RPS",
            "TMS",
            "RISQUE_ROUTIER",
        ] {
            assert!(catalogue.get(code).is_some(), "missing {code}");
        }
    }

    #[test]
    fn embedded_periods_follow_domain_section_5() {
        let catalogue = Catalogue::embedded().unwrap();
        let months = |code: &str| catalogue.get(code).unwrap().validity_months;
        assert_eq!(months("SST"), Some(24));
        assert_eq!(months("MAC_SST"), Some(24));
        assert_eq!(months("FORMATEUR_SST"), Some(36));
        assert_eq!(months("HAB_ELEC_B0_H0"), Some(36));
        assert_eq!(months("CACES_R482"), Some(120));
        for code in ["R483", "R484", "R485", "R486", "R487", "R489", "R490"] {
            assert_eq!(months(&format!("CACES_{code}")), Some(60), "{code}");
        }
        assert_eq!(months("AIPR_OPERATEUR"), Some(60));
        assert_eq!(months("AMIANTE_SS3"), Some(6));
        assert_eq!(months("AMIANTE_SS3_RECYCLAGE"), Some(36));
        assert_eq!(months("AMIANTE_SS4_OPERATEUR"), Some(36));
        assert_eq!(months("PCR"), Some(60));
        assert_eq!(months("DIISOCYANATES"), Some(60));
        assert_eq!(months("SSIAP_1"), Some(36));
        assert_eq!(months("ATEX"), Some(36));
        for code in [
            "TRAVAIL_EN_HAUTEUR",
            "PRAP",
            "GESTES_POSTURES",
            "RISQUE_CHIMIQUE",
            "RPS",
        ] {
            assert_eq!(months(code), None, "{code}");
            assert_eq!(catalogue.get(code).unwrap().basis, ValidityBasis::None);
        }
    }

    #[test]
    fn embedded_categories_and_kinds_follow_domain() {
        let catalogue = Catalogue::embedded().unwrap();
        let category = |code: &str| catalogue.get(code).unwrap().category.get();
        assert_eq!(category("PCR"), 1);
        assert_eq!(category("AMIANTE_SS4_OPERATEUR"), 1);
        assert_eq!(category("DIISOCYANATES"), 1);
        assert_eq!(category("CACES_R489"), 2);
        assert_eq!(category("HAB_ELEC_B1_B2_BR_BC"), 2);
        assert_eq!(category("GESTES_POSTURES"), 3);
        assert_eq!(category("RPS"), 4);
        assert_eq!(category("RISQUE_ROUTIER"), 4);
        let kind = |code: &str| catalogue.get(code).unwrap().declaration_kind;
        assert_eq!(kind("SST"), DeclarationKind::Justificatif);
        assert_eq!(kind("MAC_SST"), DeclarationKind::Justificatif);
        assert_eq!(kind("CACES_R489"), DeclarationKind::Justificatif);
        assert_eq!(kind("HAB_ELEC_B0_H0"), DeclarationKind::Justificatif);
        assert_eq!(kind("RPS"), DeclarationKind::Attestation);
    }

    #[test]
    fn embedded_exclusions_follow_article_4_ii() {
        let catalogue = Catalogue::embedded().unwrap();
        let formateur = catalogue.get("FORMATEUR_SST").unwrap();
        let exclusion = formateur
            .exclusion
            .as_ref()
            .expect("FORMATEUR_SST is excluded");
        assert!(exclusion.rule.contains("4-II-1°"), "{}", exclusion.rule);
        assert_eq!(exclusion.confidence, Confidence::Official);
        for code in ["SSIAP_1", "SSIAP_2", "SSIAP_3"] {
            let exclusion = catalogue.get(code).unwrap().exclusion.as_ref().unwrap();
            assert!(exclusion.rule.contains("4-II-3°"), "{code}");
            assert_eq!(exclusion.confidence, Confidence::Inferred, "{code}");
        }
        let excluded: Vec<&str> = catalogue
            .iter()
            .filter(|t| t.exclusion.is_some())
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(excluded, ["FORMATEUR_SST", "SSIAP_1", "SSIAP_2", "SSIAP_3"]);
        assert!(catalogue.get("SST").unwrap().exclusion.is_none());
    }

    #[test]
    fn embedded_category_labels_follow_the_audit() {
        let catalogue = Catalogue::embedded().unwrap();
        let label = |code: &str| catalogue.get(code).unwrap().category_confidence;
        for code in [
            "SST",
            "MAC_SST",
            "ATEX",
            "TRAVAIL_EN_HAUTEUR",
            "PRAP",
            "AIPR_OPERATEUR",
        ] {
            assert_eq!(label(code), Confidence::Inferred, "{code}");
        }
        for code in [
            "GESTES_POSTURES",
            "RISQUE_CHIMIQUE",
            "RPS",
            "TMS",
            "RISQUE_ROUTIER",
        ] {
            assert_eq!(label(code), Confidence::Several, "{code}");
        }
        assert_eq!(label("RISQUE_CHIMIQUE_N1"), Confidence::ThirdParty);
        assert_eq!(label("RISQUE_CHIMIQUE_N2"), Confidence::ThirdParty);
        assert_eq!(label("PCR"), Confidence::Official);
        assert_eq!(label("CACES_R489"), Confidence::Official);
        // No OPCO example is labelled as an official text any more.
        for training in &catalogue {
            if training.source.contains("opcoep") {
                let note = training.note.as_deref().unwrap_or_default();
                assert!(!note.contains("[C]"), "{}: {note}", training.code);
            }
        }
        let sst = catalogue.get("SST").unwrap();
        assert_eq!(sst.category_tag(), "cat. 3 [I]");
        // The sources disagree on working at height: the note says so.
        let height = catalogue.get("TRAVAIL_EN_HAUTEUR").unwrap();
        let note = height.note.as_deref().unwrap_or_default();
        assert!(note.contains("se contredisent"), "{note}");
        assert!(note.contains("À confirmer"), "{note}");
    }

    #[test]
    fn renewals_group_families() {
        let catalogue = Catalogue::embedded().unwrap();
        assert_eq!(catalogue.get("MAC_SST").unwrap().supersedes, ["SST"]);
        assert_eq!(
            catalogue.get("AMIANTE_SS3_RECYCLAGE").unwrap().supersedes,
            ["AMIANTE_SS3"]
        );
        assert_eq!(catalogue.family("MAC_SST"), "SST");
        assert_eq!(catalogue.family("SST"), "SST");
        assert_eq!(catalogue.family("AMIANTE_SS3_RECYCLAGE"), "AMIANTE_SS3");
        assert_eq!(catalogue.family("CACES_R489"), "CACES_R489");
        assert_eq!(catalogue.family("INCONNU"), "INCONNU");
    }

    #[test]
    fn a_declared_title_is_recognised_only_when_it_names_a_type() {
        let catalogue = Catalogue::embedded().unwrap();
        let code = |title: &str| catalogue.recognise(title).map(|t| t.code.as_str());
        assert_eq!(code("Formateur SST"), Some("FORMATEUR_SST"));
        assert_eq!(code("  formateur   sst "), Some("FORMATEUR_SST"));
        assert_eq!(code("SSIAP_1"), Some("SSIAP_1"));
        assert_eq!(code("SST Lyon mars"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn a_renewal_loop_does_not_hang() {
        let text = format!(
            "{}{}",
            entry("A", "supersedes = [\"B\"]\n"),
            entry("B", "supersedes = [\"A\"]\n")
        );
        let catalogue = Catalogue::from_toml("c.toml", &text).unwrap();
        assert_eq!(catalogue.family("A"), "B");
        assert_eq!(catalogue.family("B"), "A");
    }

    #[test]
    fn get_finds_by_code_only() {
        let catalogue = Catalogue::from_toml("c.toml", ENTRY_A).unwrap();
        let a = catalogue.get("A").unwrap();
        assert_eq!(a.category, Category::new(1).unwrap());
        assert_eq!(a.validity_months, Some(24));
        assert_eq!(a.basis, ValidityBasis::Law);
        assert!(catalogue.get("a").is_none());
        assert!(catalogue.get("B").is_none());
    }

    #[test]
    fn category_outside_one_to_four_is_a_syntax_error_on_its_line() {
        let text = format!(
            "{ENTRY_A}{}",
            entry("B", "").replace("category = 3", "category = 5")
        );
        let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert_eq!(line, 13);
        assert!(message.contains("catégorie 5"), "{message}");
    }

    #[test]
    fn duplicate_code_names_the_second_entry() {
        let text = format!("{ENTRY_A}{}", entry("A", ""));
        let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert_eq!(line, 10);
        assert!(message.contains("déjà défini ligne 1"), "{message}");
    }

    #[test]
    fn empty_or_lowercase_code_is_rejected() {
        for code in ["", "sst", "MAC SST"] {
            let text = format!("{ENTRY_A}{}", entry(code, ""));
            let (line, _) = syntax_line(Catalogue::from_toml("c.toml", &text));
            assert_eq!(line, 10, "{code:?}");
        }
    }

    #[test]
    fn validity_out_of_range_is_rejected() {
        for months in [0, 241] {
            let text = ENTRY_A.replace(
                "validity_months = 24",
                &format!("validity_months = {months}"),
            );
            let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
            assert_eq!(line, 1);
            assert!(message.contains("hors de l'intervalle"), "{message}");
        }
        for months in [1, 240] {
            let text = ENTRY_A.replace(
                "validity_months = 24",
                &format!("validity_months = {months}"),
            );
            assert!(Catalogue::from_toml("c.toml", &text).is_ok(), "{months}");
        }
    }

    #[test]
    fn validity_and_basis_must_agree() {
        let no_basis = entry("B", "validity_months = 12\n");
        let (line, _) = syntax_line(Catalogue::from_toml("c.toml", &no_basis));
        assert_eq!(line, 2);
        let no_months = ENTRY_A.replace("validity_months = 24\n", "");
        let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &no_months));
        assert_eq!(line, 1);
        assert!(message.contains("sans durée"), "{message}");
    }

    #[test]
    fn source_must_be_a_url() {
        let text = ENTRY_A.replace("https://example.org/a", "domain.md");
        let (_, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert!(message.contains("URL"), "{message}");
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let text = format!("{ENTRY_A}{}", entry("B", "note = \"unterminated\n"));
        let (line, _) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert_eq!(line, 17);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = format!("{ENTRY_A}{}", entry("B", "validity_month = 12\n"));
        let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert_eq!(line, 17);
        assert!(message.contains("validity_month"), "{message}");
    }

    #[test]
    fn renewal_of_an_unknown_code_names_the_entry() {
        let text = format!("{ENTRY_A}{}", entry("B", "supersedes = [\"C\"]\n"));
        let (line, message) = syntax_line(Catalogue::from_toml("c.toml", &text));
        assert_eq!(line, 10);
        assert!(message.contains("« C »"), "{message}");
    }

    #[test]
    fn renewal_exclusion_and_confidence_are_read() {
        let text = format!(
            "{ENTRY_A}{}",
            entry(
                "B",
                "supersedes = [\"A\"]\ncategory_confidence = \"S\"\n\
                 exclusion = { rule = \"art. 4-II-1°\", reason = \"formateurs\", \
                 confidence = \"C\", source = \"https://example.org/x\" }\n"
            )
        );
        let catalogue = Catalogue::from_toml("c.toml", &text).expect("valid catalogue");
        let b = catalogue.get("B").expect("B is listed");
        assert_eq!(b.supersedes, ["A"]);
        assert_eq!(b.category_confidence, Confidence::Several);
        assert_eq!(
            b.exclusion.as_ref().map(|e| e.confidence),
            Some(Confidence::Official)
        );
        let a = catalogue.get("A").expect("A is listed");
        assert_eq!(
            a.category_confidence,
            Confidence::Inferred,
            "unlabelled means inferred"
        );
    }

    #[test]
    fn empty_catalogue_is_invalid() {
        let result = Catalogue::from_toml("c.toml", "types = []\n");
        assert!(
            matches!(result, Err(RulesError::Invalid { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn category_round_trips_as_a_number() {
        assert!(Category::new(0).is_none());
        assert!(Category::new(5).is_none());
        let category = Category::try_from(2).unwrap();
        assert_eq!(u8::from(category), 2);
        assert_eq!(category.to_string(), "catégorie 2");
        assert_eq!(
            InvalidCategory(7).to_string(),
            "catégorie 7 inconnue : la catégorie d'une formation va de 1 à 4"
        );
    }
}
