//! The fields of the declaration form: which official column each one fills, how it is typed
//! (free text, `jj/mm/aaaa` date, list of codes, choice), its French label, and when it applies.
//!
//! Columns, choices and conditions follow the official bulk-file guides (domain.md §8, "Guide
//! import en masse OF ADF / JDR", February 2026,
//! <https://passeport-prevention.travail-emploi.gouv.fr/espace-public/sites/pp/files/2026-02/>).

use chrono::NaiveDate;

use crate::domain::DeclarationKind;
use crate::domain::declaration::limits::{self, Measure};
use crate::domain::declaration::{
    Modalite, ModeObtention, QualificationFormateur, RS_ONLY, TypeJdr, columns,
};

/// How a field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// A date typed `jj/mm/aaaa`.
    Date,
    /// Several codes separated by `/` or spaces.
    Codes,
    /// One value of a fixed list, cycled with ←/→ or Space.
    Choice,
}

/// A field of the form. Declaration-level fields come first, then a titulaire's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `TYPE_JDR`.
    TypeJdr,
    /// `NOM_JDR`.
    NomJdr,
    /// `NOM_OPTION_SPECIALITE`.
    NomOptionSpecialite,
    /// `MODE_OBTENTION`.
    ModeObtention,
    /// `PRESENCE_FORMATION`.
    PresenceFormation,
    /// `NOM_FORMATION`.
    NomFormation,
    /// `DATE_DEBUT_FORMATION`.
    DateDebutFormation,
    /// `DATE_FIN_FORMATION`.
    DateFinFormation,
    /// `MODALITE_DISPENSE`.
    ModaliteDispense,
    /// `QUALIFICATION_FORMATEUR`.
    QualificationFormateur,
    /// `FORMATION_CERTIFIANTE`.
    FormationCertifiante,
    /// `CERTIFICATION_VISEE`.
    CertificationVisee,
    /// `DOMAINE_FORMATION`.
    DomaineFormation,
    /// `SPECIALITE_FORMATION`.
    SpecialiteFormation,
    /// `COMPETENCE_TRANSFERABLE`.
    CompetenceTransferable,
    /// `DATE_DEBUT_VALIDITE`.
    DateDebutValidite,
    /// `DATE_FIN_VALIDITE`.
    DateFinValidite,
    /// `RESULTAT_OBTENU`.
    ResultatObtenu,
    /// `MENTION_OBTENUE`.
    MentionObtenue,
    /// `LIEN_PREUVE`.
    LienPreuve,
    /// `IDENTIFIANT_PREUVE`.
    IdentifiantPreuve,
    /// `REFERENCE_DECLARATION`.
    ReferenceDeclaration,
    /// A titulaire's `NIR`.
    Nir,
    /// A titulaire's `NOM_TITULAIRE`.
    NomTitulaire,
    /// A titulaire's `PRESENCE_EMPLOYEUR`.
    PresenceEmployeur,
    /// A titulaire's `SIRET_EMPLOYEUR`.
    SiretEmployeur,
    /// A titulaire's `REFERENCE_EMPLOYEUR`.
    ReferenceEmployeur,
}

/// Labels of the OUI/NON columns, OUI first.
const YES_NO: &[&str] = &["Oui", "Non"];

impl Field {
    /// Every declaration-level field, in form order.
    pub const DECLARATION: [Field; 22] = [
        Field::TypeJdr,
        Field::NomJdr,
        Field::NomOptionSpecialite,
        Field::ModeObtention,
        Field::PresenceFormation,
        Field::NomFormation,
        Field::DateDebutFormation,
        Field::DateFinFormation,
        Field::ModaliteDispense,
        Field::QualificationFormateur,
        Field::FormationCertifiante,
        Field::CertificationVisee,
        Field::DomaineFormation,
        Field::SpecialiteFormation,
        Field::CompetenceTransferable,
        Field::DateDebutValidite,
        Field::DateFinValidite,
        Field::ResultatObtenu,
        Field::MentionObtenue,
        Field::LienPreuve,
        Field::IdentifiantPreuve,
        Field::ReferenceDeclaration,
    ];

    /// Every field of a titulaire, in form order.
    pub const TITULAIRE: [Field; 5] = [
        Field::Nir,
        Field::NomTitulaire,
        Field::PresenceEmployeur,
        Field::SiretEmployeur,
        Field::ReferenceEmployeur,
    ];

    /// The official column the field fills (the `field` of validation errors).
    pub fn column(self) -> &'static str {
        match self {
            Self::TypeJdr => columns::TYPE_JDR,
            Self::NomJdr => columns::NOM_JDR,
            Self::NomOptionSpecialite => columns::NOM_OPTION_SPECIALITE,
            Self::ModeObtention => columns::MODE_OBTENTION,
            Self::PresenceFormation => columns::PRESENCE_FORMATION,
            Self::NomFormation => columns::NOM_FORMATION,
            Self::DateDebutFormation => columns::DATE_DEBUT_FORMATION,
            Self::DateFinFormation => columns::DATE_FIN_FORMATION,
            Self::ModaliteDispense => columns::MODALITE_DISPENSE,
            Self::QualificationFormateur => columns::QUALIFICATION_FORMATEUR,
            Self::FormationCertifiante => columns::FORMATION_CERTIFIANTE,
            Self::CertificationVisee => columns::CERTIFICATION_VISEE,
            Self::DomaineFormation => columns::DOMAINE_FORMATION,
            Self::SpecialiteFormation => columns::SPECIALITE_FORMATION,
            Self::CompetenceTransferable => columns::COMPETENCE_TRANSFERABLE,
            Self::DateDebutValidite => columns::DATE_DEBUT_VALIDITE,
            Self::DateFinValidite => columns::DATE_FIN_VALIDITE,
            Self::ResultatObtenu => columns::RESULTAT_OBTENU,
            Self::MentionObtenue => columns::MENTION_OBTENUE,
            Self::LienPreuve => columns::LIEN_PREUVE,
            Self::IdentifiantPreuve => columns::IDENTIFIANT_PREUVE,
            Self::ReferenceDeclaration => columns::REFERENCE_DECLARATION,
            Self::Nir => columns::NIR,
            Self::NomTitulaire => columns::NOM_TITULAIRE,
            Self::PresenceEmployeur => columns::PRESENCE_EMPLOYEUR,
            Self::SiretEmployeur => columns::SIRET_EMPLOYEUR,
            Self::ReferenceEmployeur => columns::REFERENCE_EMPLOYEUR,
        }
    }

    /// The field filling an official column, if the form has one.
    pub fn from_column(column: &str) -> Option<Self> {
        Self::DECLARATION
            .iter()
            .chain(Self::TITULAIRE.iter())
            .copied()
            .find(|f| f.column() == column)
    }

    /// True for a titulaire's field.
    pub fn is_titulaire(self) -> bool {
        Self::TITULAIRE.contains(&self)
    }

    /// Short French label (at most 26 characters, to fit 80 columns).
    pub fn label(self) -> &'static str {
        match self {
            Self::TypeJdr => "Type de justificatif",
            Self::NomJdr => "Intitulé du justificatif",
            Self::NomOptionSpecialite => "Option ou spécialité",
            Self::ModeObtention => "Mode d'obtention",
            Self::PresenceFormation => "Formation suivie",
            Self::NomFormation => "Intitulé de la formation",
            Self::DateDebutFormation => "Début de la formation",
            Self::DateFinFormation => "Fin de la formation",
            Self::ModaliteDispense => "Modalité",
            Self::QualificationFormateur => "Qualification formateur",
            Self::FormationCertifiante => "Formation certifiante",
            Self::CertificationVisee => "Certification visée (RS)",
            Self::DomaineFormation => "Formacodes",
            Self::SpecialiteFormation => "Spécialités NSF",
            Self::CompetenceTransferable => "Compétences transférables",
            Self::DateDebutValidite => "Début de validité",
            Self::DateFinValidite => "Fin de validité",
            Self::ResultatObtenu => "Résultat obtenu",
            Self::MentionObtenue => "Mention obtenue",
            Self::LienPreuve => "Lien vers la preuve",
            Self::IdentifiantPreuve => "Identifiant de la preuve",
            Self::ReferenceDeclaration => "Référence déclaration",
            Self::Nir => "NIR",
            Self::NomTitulaire => "Nom de naissance",
            Self::PresenceEmployeur => "Employeur présent",
            Self::SiretEmployeur => "SIRET de l'employeur",
            Self::ReferenceEmployeur => "Référence employeur",
        }
    }

    /// How the field is typed.
    pub fn kind(self) -> FieldKind {
        match self {
            Self::TypeJdr
            | Self::ModeObtention
            | Self::PresenceFormation
            | Self::ModaliteDispense
            | Self::QualificationFormateur
            | Self::FormationCertifiante
            | Self::PresenceEmployeur => FieldKind::Choice,
            Self::DateDebutFormation
            | Self::DateFinFormation
            | Self::DateDebutValidite
            | Self::DateFinValidite => FieldKind::Date,
            Self::DomaineFormation | Self::SpecialiteFormation | Self::CompetenceTransferable => {
                FieldKind::Codes
            }
            _ => FieldKind::Text,
        }
    }

    /// The labels of a choice field, in the official order (OUI before NON); empty otherwise.
    pub fn options(self) -> Vec<&'static str> {
        match self {
            Self::TypeJdr => TypeJdr::ALL.iter().map(|v| v.label()).collect(),
            Self::ModeObtention => ModeObtention::ALL.iter().map(|v| v.label()).collect(),
            Self::ModaliteDispense => Modalite::ALL.iter().map(|v| v.label()).collect(),
            Self::QualificationFormateur => QualificationFormateur::ALL
                .iter()
                .map(|v| v.label())
                .collect(),
            Self::PresenceFormation | Self::FormationCertifiante | Self::PresenceEmployeur => {
                YES_NO.to_vec()
            }
            _ => Vec::new(),
        }
    }

    /// The most the field takes as typed, from the one table of official lengths
    /// ([`limits::LIMITS`]); the NIR is typed with its 2-digit key, dropped in the file (13 + 2).
    /// `None` for a choice.
    pub fn max_input(self) -> Option<usize> {
        match self {
            Self::Nir => limits::max_length(columns::NIR).map(|max| max + 2),
            _ => limits::max_length(self.column()),
        }
    }

    /// The length of `text` as its limit counts it: characters, codes joined by `/`, or an
    /// identifier without its spaces.
    pub fn input_length(self, text: &str) -> usize {
        match limits::of(self.column()).map(|l| l.measure) {
            Some(Measure::Joined) => {
                let codes = split_codes(text);
                codes.iter().map(|c| c.chars().count()).sum::<usize>()
                    + codes.len().saturating_sub(1)
            }
            Some(Measure::Compact) => text.chars().filter(|c| !c.is_whitespace()).count(),
            _ => text.chars().count(),
        }
    }

    /// A help line shown under the field while it has the focus.
    pub fn help(self) -> Option<String> {
        match self {
            // The same sentence as the validation message and the simulator (RS_ONLY).
            Self::CertificationVisee => {
                let mut help = String::from("S");
                help.push_str(RS_ONLY.strip_prefix('s').unwrap_or(RS_ONLY));
                Some(help)
            }
            // Assumption: the layout (domain.md §8) only lists the two codes; this reading of
            // them (an exam passed, a minimum score reached) is ours, not the platform's.
            Self::ModeObtention => Some(
                "Par admission : examen ou épreuve réussi · Par scoring : score minimal atteint \
                 à une évaluation"
                    .to_owned(),
            ),
            _ => None,
        }
    }

    /// What to type, shown in an empty field.
    pub fn placeholder(self) -> &'static str {
        match self {
            Self::Nir => "15 chiffres, clé comprise",
            Self::SiretEmployeur => "14 chiffres",
            Self::CertificationVisee => "code RS, par exemple RS5801",
            Self::CompetenceTransferable => "3 à 10 codes séparés par / ou espaces",
            Self::DomaineFormation => "1 à 5 codes à 5 chiffres (42829)",
            Self::SpecialiteFormation => "1 à 3 codes (344r)",
            Self::LienPreuve => "https://…",
            Self::NomTitulaire => "tel que sur une pièce officielle",
            _ => match self.kind() {
                FieldKind::Date => "jj/mm/aaaa",
                _ => "",
            },
        }
    }
}

/// The fields that apply on the training step of a declaration, in order: the layout's columns,
/// with the conditional ones shown only when their condition holds (domain.md §8: training
/// fields of a justificatif only when PRESENCE_FORMATION = OUI; certification visée when
/// certifying, Formacodes and NSF when not).
pub fn training_fields(
    kind: DeclarationKind,
    presence_formation: Option<bool>,
    certifiante: Option<bool>,
) -> Vec<Field> {
    use Field::*;
    let jdr = kind == DeclarationKind::Justificatif;
    let mut fields = Vec::new();
    if jdr {
        fields.extend([
            TypeJdr,
            NomJdr,
            NomOptionSpecialite,
            ModeObtention,
            PresenceFormation,
        ]);
    }
    if !jdr || presence_formation == Some(true) {
        fields.extend([
            NomFormation,
            DateDebutFormation,
            DateFinFormation,
            ModaliteDispense,
            QualificationFormateur,
            FormationCertifiante,
        ]);
        match certifiante {
            Some(true) => fields.push(CertificationVisee),
            Some(false) => fields.extend([DomaineFormation, SpecialiteFormation]),
            None => {}
        }
    }
    fields.extend([CompetenceTransferable, DateDebutValidite, DateFinValidite]);
    if jdr {
        fields.extend([
            ResultatObtenu,
            MentionObtenue,
            LienPreuve,
            IdentifiantPreuve,
        ]);
    }
    fields.push(ReferenceDeclaration);
    fields
}

/// The fields of one titulaire: SIRET and reference only with an employer present (domain.md §8).
pub fn titulaire_fields(presence_employeur: Option<bool>) -> Vec<Field> {
    let mut fields = vec![Field::Nir, Field::NomTitulaire, Field::PresenceEmployeur];
    if presence_employeur == Some(true) {
        fields.extend([Field::SiretEmployeur, Field::ReferenceEmployeur]);
    }
    fields
}

/// The key of a field in error lists and drafts: the column, `titulaires[i].COLUMN` for a
/// titulaire (the `field` of [`crate::domain::FieldError`]).
pub fn key(field: Field, titulaire: Option<usize>) -> String {
    match titulaire {
        Some(index) => format!("{}[{index}].{}", columns::TITULAIRES, field.column()),
        None => field.column().to_owned(),
    }
}

/// Where a key points: `(titulaire index, column)`; the titulaire is `None` for a
/// declaration-level column.
pub fn parse_key(key: &str) -> (Option<usize>, &str) {
    let prefix = format!("{}[", columns::TITULAIRES);
    if let Some(rest) = key.strip_prefix(&prefix)
        && let Some((index, column)) = rest.split_once("].")
        && let Ok(index) = index.parse()
    {
        return (Some(index), column);
    }
    (None, key)
}

/// Why a typed date is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    /// Not `jj/mm/aaaa`.
    #[error("« {0} » n'est pas une date au format jj/mm/aaaa (par exemple 15/10/2026).")]
    Format(String),
    /// The format is right but the day does not exist.
    #[error("Le {0} n'existe pas dans le calendrier.")]
    NoSuchDay(String),
}

/// A message as one sentence: first letter uppercase, a final full stop unless it already ends
/// with punctuation (every message of the form and the simulator reads the same way).
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect());
    if !out.is_empty() && !out.ends_with(['.', '!', '?', '…']) {
        out.push('.');
    }
    out
}

/// Reads a date typed `jj/mm/aaaa` (day and month on 1 or 2 digits, year on 4; surrounding
/// spaces ignored). The bulk files write dates this way (domain.md §8).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateInputError> {
    let text = text.trim();
    let format = || DateInputError::Format(text.to_owned());
    let parts: Vec<&str> = text.split('/').collect();
    let [day, month, year] = parts.as_slice() else {
        return Err(format());
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(day, 1..=2) || !digits(month, 1..=2) || !digits(year, 4..=4) {
        return Err(format());
    }
    let (Ok(d), Ok(m), Ok(y)) = (day.parse(), month.parse(), year.parse()) else {
        return Err(format());
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateInputError::NoSuchDay(text.to_owned()))
}

/// `jj/mm/aaaa`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Splits codes typed separated by `/`, spaces, commas or semicolons; empty pieces dropped.
pub fn split_codes(text: &str) -> Vec<String> {
    text.split(|c: char| c == '/' || c == ',' || c == ';' || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_field_has_its_column_and_a_short_label() {
        for field in Field::DECLARATION.iter().chain(Field::TITULAIRE.iter()) {
            assert_eq!(Field::from_column(field.column()), Some(*field));
            assert!(field.label().chars().count() <= 26, "{}", field.label());
            assert_eq!(
                field.kind() == FieldKind::Choice,
                !field.options().is_empty()
            );
        }
        assert_eq!(Field::from_column("ID_DECLARATION"), None);
    }

    #[test]
    fn conditional_fields_follow_the_guides() {
        use Field::*;
        let adf = training_fields(DeclarationKind::Attestation, None, Some(false));
        assert!(adf.contains(&DomaineFormation) && adf.contains(&SpecialiteFormation));
        assert!(!adf.contains(&CertificationVisee) && !adf.contains(&TypeJdr));
        let adf = training_fields(DeclarationKind::Attestation, None, Some(true));
        assert!(adf.contains(&CertificationVisee) && !adf.contains(&DomaineFormation));
        let jdr = training_fields(DeclarationKind::Justificatif, Some(false), Some(true));
        assert!(jdr.contains(&TypeJdr) && jdr.contains(&LienPreuve));
        assert!(!jdr.contains(&NomFormation) && !jdr.contains(&CertificationVisee));
        let jdr = training_fields(DeclarationKind::Justificatif, Some(true), None);
        assert!(jdr.contains(&NomFormation) && !jdr.contains(&DomaineFormation));
        assert_eq!(
            titulaire_fields(Some(false)),
            vec![Nir, NomTitulaire, PresenceEmployeur]
        );
        assert_eq!(titulaire_fields(Some(true)).len(), 5);
    }

    #[test]
    fn keys_round_trip() {
        assert_eq!(key(Field::NomFormation, None), "NOM_FORMATION");
        assert_eq!(key(Field::Nir, Some(3)), "titulaires[3].NIR");
        assert_eq!(parse_key("titulaires[3].NIR"), (Some(3), "NIR"));
        assert_eq!(parse_key("NOM_FORMATION"), (None, "NOM_FORMATION"));
        assert_eq!(parse_key("titulaires"), (None, "titulaires"));
        assert_eq!(parse_key("titulaires[x].NIR"), (None, "titulaires[x].NIR"));
    }

    #[test]
    fn dates_are_typed_day_month_year() {
        assert_eq!(
            parse_date(" 15/10/2026 "),
            Ok(NaiveDate::from_ymd_opt(2026, 10, 15).unwrap())
        );
        assert_eq!(
            parse_date("1/2/2026"),
            Ok(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())
        );
        for bad in [
            "",
            "15/10/26",
            "2026-10-15",
            "15/10/2026/1",
            "aa/bb/cccc",
            "15 10 2026",
        ] {
            assert!(
                matches!(parse_date(bad), Err(DateInputError::Format(_))),
                "{bad}"
            );
        }
        let err = parse_date("31/02/2026").unwrap_err();
        assert_eq!(err, DateInputError::NoSuchDay("31/02/2026".into()));
        assert_eq!(
            err.to_string(),
            "Le 31/02/2026 n'existe pas dans le calendrier."
        );
    }

    #[test]
    fn codes_split_on_slashes_and_spaces() {
        assert_eq!(
            split_codes("42829/42817  42866"),
            vec!["42829", "42817", "42866"]
        );
        assert_eq!(split_codes(" 344r, 333;"), vec!["344r", "333"]);
        assert!(split_codes(" / ").is_empty());
    }

    proptest! {
        #[test]
        fn every_real_date_reads_back(days in 0i64..80_000) {
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assert_eq!(parse_date(&format_date(date)), Ok(date));
        }

        #[test]
        fn codes_never_contain_separators(text in "[0-9a-z /,;]{0,40}") {
            for code in split_codes(&text) {
                prop_assert!(!code.is_empty());
                prop_assert!(!code.contains(['/', ' ', ',', ';']));
            }
        }
    }
}
