//! A declaration to the Passeport de prévention: an *attestation de formation* (bulk layout ADF)
//! or a *justificatif de réussite* (bulk layout JDR), with its titulaires, and its validation.
//!
//! Values are kept as typed so that a draft or an imported line can hold bad values;
//! [`Declaration::validate`] then reports every problem at once, each tied to its official column.
//!
//! Sources (domain.md §2 and §8):
//! - columns, lengths and conditions: "Guide import en masse OF ADF" and "Guide import en masse OF
//!   JDR" (February 2026), <https://passeport-prevention.travail-emploi.gouv.fr/espace-public/sites/pp/files/2026-02/>;
//! - fields of a declaration: <https://www.digiformag.com/reglementation/passeport-prevention-digiformag>;
//! - skills, Formacode and NSF mandatory for an OF, optional for an employer:
//!   <https://www.francechimie.fr/passeport-de-prevention-comment-se-preparer-efficacement-a-la-nouvelle-reglementation-33>.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ids::{CertificationCode, Competence, Formacode, IdError, Nir, Nsf, Siret};
use super::{DeclarantKind, DeclarationKind, FieldError};
use columns::*;

pub mod limits;

/// The official column names of the bulk files, used as the `field` of every [`FieldError`].
///
/// Each name is defined once here; [`ADF`] and [`JDR`] give the official column orders
/// (domain.md §8, "Guide import en masse OF ADF / JDR", February 2026).
pub mod columns {
    use crate::domain::DeclarationKind;

    /// Technical identifier of the declaration, shared by all its lines.
    pub const ID_DECLARATION: &str = "ID_DECLARATION";
    /// The declarant's own reference for the declaration.
    pub const REFERENCE_DECLARATION: &str = "REFERENCE_DECLARATION";
    /// The line's unique identifier (unique across every file ever imported).
    pub const ID_UNIQUE_PARTENAIRE: &str = "ID_UNIQUE_PARTENAIRE";
    /// Kind of justificatif de réussite (JDR only).
    pub const TYPE_JDR: &str = "TYPE_JDR";
    /// Title of the justificatif de réussite (JDR only).
    pub const NOM_JDR: &str = "NOM_JDR";
    /// Option or specialty of the justificatif (JDR only).
    pub const NOM_OPTION_SPECIALITE: &str = "NOM_OPTION_SPECIALITE";
    /// How the justificatif was obtained (JDR only).
    pub const MODE_OBTENTION: &str = "MODE_OBTENTION";
    /// Transferable skills (ROME competence codes).
    pub const COMPETENCE_TRANSFERABLE: &str = "COMPETENCE_TRANSFERABLE";
    /// Whether a training was followed (JDR only).
    pub const PRESENCE_FORMATION: &str = "PRESENCE_FORMATION";
    /// Title of the training.
    pub const NOM_FORMATION: &str = "NOM_FORMATION";
    /// First day of the training.
    pub const DATE_DEBUT_FORMATION: &str = "DATE_DEBUT_FORMATION";
    /// Last day of the training.
    pub const DATE_FIN_FORMATION: &str = "DATE_FIN_FORMATION";
    /// Delivery mode of the training.
    pub const MODALITE_DISPENSE: &str = "MODALITE_DISPENSE";
    /// Qualification of the trainer.
    pub const QUALIFICATION_FORMATEUR: &str = "QUALIFICATION_FORMATEUR";
    /// Whether the training leads to a certification.
    pub const FORMATION_CERTIFIANTE: &str = "FORMATION_CERTIFIANTE";
    /// The certification aimed at (an RS code).
    pub const CERTIFICATION_VISEE: &str = "CERTIFICATION_VISEE";
    /// Domain of a non-certifying training (Formacodes).
    pub const DOMAINE_FORMATION: &str = "DOMAINE_FORMATION";
    /// Specialty of a non-certifying training (NSF codes).
    pub const SPECIALITE_FORMATION: &str = "SPECIALITE_FORMATION";
    /// The titulaire's NIR (13 characters, without the key, in the file).
    pub const NIR: &str = "NIR";
    /// The titulaire's birth name.
    pub const NOM_TITULAIRE: &str = "NOM_TITULAIRE";
    /// Whether an employer is named on the line.
    pub const PRESENCE_EMPLOYEUR: &str = "PRESENCE_EMPLOYEUR";
    /// The employer's SIRET.
    pub const SIRET_EMPLOYEUR: &str = "SIRET_EMPLOYEUR";
    /// The employer's own reference.
    pub const REFERENCE_EMPLOYEUR: &str = "REFERENCE_EMPLOYEUR";
    /// First day of validity.
    pub const DATE_DEBUT_VALIDITE: &str = "DATE_DEBUT_VALIDITE";
    /// Last day of validity (optional).
    pub const DATE_FIN_VALIDITE: &str = "DATE_FIN_VALIDITE";
    /// Result obtained (JDR only).
    pub const RESULTAT_OBTENU: &str = "RESULTAT_OBTENU";
    /// Distinction obtained (JDR only).
    pub const MENTION_OBTENUE: &str = "MENTION_OBTENUE";
    /// Link to the proof (JDR only, an http(s) URL).
    pub const LIEN_PREUVE: &str = "LIEN_PREUVE";
    /// Identifier of the proof (JDR only).
    pub const IDENTIFIANT_PREUVE: &str = "IDENTIFIANT_PREUVE";
    /// Not a column: the field of errors about the list of titulaires as a whole.
    pub const TITULAIRES: &str = "titulaires";

    /// The 20 columns of an attestation de formation file, in the official order.
    pub const ADF: [&str; 20] = [
        ID_DECLARATION,
        REFERENCE_DECLARATION,
        ID_UNIQUE_PARTENAIRE,
        NOM_FORMATION,
        DATE_DEBUT_FORMATION,
        DATE_FIN_FORMATION,
        MODALITE_DISPENSE,
        COMPETENCE_TRANSFERABLE,
        QUALIFICATION_FORMATEUR,
        FORMATION_CERTIFIANTE,
        CERTIFICATION_VISEE,
        DOMAINE_FORMATION,
        SPECIALITE_FORMATION,
        NIR,
        NOM_TITULAIRE,
        PRESENCE_EMPLOYEUR,
        SIRET_EMPLOYEUR,
        REFERENCE_EMPLOYEUR,
        DATE_DEBUT_VALIDITE,
        DATE_FIN_VALIDITE,
    ];

    /// The 29 columns of a justificatif de réussite file, in the official order.
    pub const JDR: [&str; 29] = [
        ID_DECLARATION,
        REFERENCE_DECLARATION,
        ID_UNIQUE_PARTENAIRE,
        TYPE_JDR,
        NOM_JDR,
        NOM_OPTION_SPECIALITE,
        MODE_OBTENTION,
        COMPETENCE_TRANSFERABLE,
        PRESENCE_FORMATION,
        NOM_FORMATION,
        DATE_DEBUT_FORMATION,
        DATE_FIN_FORMATION,
        MODALITE_DISPENSE,
        QUALIFICATION_FORMATEUR,
        FORMATION_CERTIFIANTE,
        CERTIFICATION_VISEE,
        DOMAINE_FORMATION,
        SPECIALITE_FORMATION,
        NIR,
        NOM_TITULAIRE,
        PRESENCE_EMPLOYEUR,
        SIRET_EMPLOYEUR,
        REFERENCE_EMPLOYEUR,
        DATE_DEBUT_VALIDITE,
        DATE_FIN_VALIDITE,
        RESULTAT_OBTENU,
        MENTION_OBTENUE,
        LIEN_PREUVE,
        IDENTIFIANT_PREUVE,
    ];

    /// The columns of the bulk file for a declaration kind, in the official order.
    pub fn for_kind(kind: DeclarationKind) -> &'static [&'static str] {
        match kind {
            DeclarationKind::Attestation => &ADF,
            DeclarationKind::Justificatif => &JDR,
        }
    }

    /// The French label of a column, for forms and messages; an unknown name is returned as is.
    pub fn label(column: &str) -> &str {
        match column {
            ID_DECLARATION => "identifiant de la déclaration",
            REFERENCE_DECLARATION => "référence de la déclaration",
            ID_UNIQUE_PARTENAIRE => "identifiant unique partenaire",
            TYPE_JDR => "type de justificatif de réussite",
            NOM_JDR => "intitulé du justificatif de réussite",
            NOM_OPTION_SPECIALITE => "option ou spécialité",
            MODE_OBTENTION => "mode d'obtention",
            COMPETENCE_TRANSFERABLE => "compétences transférables",
            PRESENCE_FORMATION => "formation suivie",
            NOM_FORMATION => "intitulé de la formation",
            DATE_DEBUT_FORMATION => "date de début de formation",
            DATE_FIN_FORMATION => "date de fin de formation",
            MODALITE_DISPENSE => "modalité de dispense",
            QUALIFICATION_FORMATEUR => "qualification du formateur",
            FORMATION_CERTIFIANTE => "formation certifiante",
            CERTIFICATION_VISEE => "certification visée",
            DOMAINE_FORMATION => "domaine de formation (Formacode)",
            SPECIALITE_FORMATION => "spécialité de formation (NSF)",
            NIR => "NIR",
            NOM_TITULAIRE => "nom de naissance du titulaire",
            PRESENCE_EMPLOYEUR => "présence de l'employeur",
            SIRET_EMPLOYEUR => "SIRET de l'employeur",
            REFERENCE_EMPLOYEUR => "référence employeur",
            DATE_DEBUT_VALIDITE => "date de début de validité",
            DATE_FIN_VALIDITE => "date de fin de validité",
            RESULTAT_OBTENU => "résultat obtenu",
            MENTION_OBTENUE => "mention obtenue",
            LIEN_PREUVE => "lien vers la preuve",
            IDENTIFIANT_PREUVE => "identifiant de la preuve",
            TITULAIRES => "titulaires",
            other => other,
        }
    }
}

/// Declares an enum of official bulk-file tokens with its French labels.
macro_rules! official_values {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in the official order (for pick lists).
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The official token of the bulk files.
            pub fn as_code(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// Reads an official token (exact, uppercase); `None` for an unknown token.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// French label shown to users.
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label, )+
                }
            }
        }
    };
}

official_values! {
    /// How the training was delivered (`MODALITE_DISPENSE`, domain.md §8).
    Modalite {
        /// In person.
        Presentiel = "PRESENTIEL", "Présentiel";
        /// Remote.
        ADistance = "A_DISTANCE", "À distance";
        /// Both in person and remote.
        Mixte = "MIXTE", "Mixte";
    }
}

official_values! {
    /// The trainer's qualification (`QUALIFICATION_FORMATEUR`, domain.md §8).
    QualificationFormateur {
        /// Teacher.
        Enseignant = "ENSEIGNANT", "Enseignant";
        /// Adult trainer or specialised trainer.
        FormateurDAdultesFormationSpecialisee =
            "FORMATEUR_D_ADULTES_FORMATION_SPECIALISEE", "Formateur d'adultes / formation spécialisée";
        /// Engineer.
        Ingenieur = "INGENIEUR", "Ingénieur";
        /// Prevention specialist.
        Preventeur = "PREVENTEUR", "Préventeur";
        /// Psychologist.
        Psychologue = "PSYCHOLOGUE", "Psychologue";
        /// Quality, health, safety and environment manager.
        ResponsableQhse = "RESPONSABLE_QHSE", "Responsable QHSE";
        /// Former professional of the trade.
        AncienProfessionnel = "ANCIEN_PROFESSIONNEL", "Ancien professionnel";
    }
}

official_values! {
    /// Kind of justificatif de réussite (`TYPE_JDR`, domain.md §8).
    TypeJdr {
        /// Diploma.
        Diplome = "DIPLOME", "Diplôme";
        /// Professional title.
        Titre = "TITRE", "Titre";
        /// Authorisation (habilitation).
        Habilitation = "HABILITATION", "Habilitation";
        /// Certificate.
        Certificat = "CERTIFICAT", "Certificat";
    }
}

official_values! {
    /// How the justificatif was obtained (`MODE_OBTENTION`, domain.md §8).
    ModeObtention {
        /// By passing an admission test.
        ParAdmission = "PAR_ADMISSION", "Par admission";
        /// By reaching a score.
        ParScoring = "PAR_SCORING", "Par scoring";
    }
}

/// One trainee line of a declaration (columns `ID_UNIQUE_PARTENAIRE`, `NIR` … `REFERENCE_EMPLOYEUR`).
#[derive(Serialize, Deserialize, Clone, PartialEq, Default)]
#[serde(default)]
pub struct Titulaire {
    /// `ID_UNIQUE_PARTENAIRE`: the line's unique identifier (at most 255 characters).
    pub id_unique_partenaire: String,
    /// `NIR`, stored in ONE canonical form: its 13 characters without the key, as the bulk file
    /// carries it ([`Nir::as_str`], department `2A`/`2B` uppercase, no spaces). The form, the
    /// API and `passeport import` accept 13 characters or 15 with the key (checked), spaces
    /// allowed, and store it so ([`Declaration::normalise_nirs`]); a value that does not read is
    /// kept as typed, so that [`Declaration::validate`] explains what is wrong.
    pub nir: String,
    /// `NOM_TITULAIRE`: birth name as on an official document (at most 30 characters).
    pub nom_titulaire: String,
    /// `PRESENCE_EMPLOYEUR` (OUI/NON).
    pub presence_employeur: Option<bool>,
    /// `SIRET_EMPLOYEUR`: required when an employer is present, empty otherwise.
    pub siret_employeur: String,
    /// `REFERENCE_EMPLOYEUR`: optional when an employer is present, empty otherwise.
    pub reference_employeur: String,
}

/// Masks the NIR: it is personal data and must never reach a log (design.md §5).
impl fmt::Debug for Titulaire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Titulaire")
            .field("id_unique_partenaire", &self.id_unique_partenaire)
            .field(
                "nir",
                &format_args!("<masqué, {} caractères>", self.nir.chars().count()),
            )
            .field("nom_titulaire", &self.nom_titulaire)
            .field("presence_employeur", &self.presence_employeur)
            .field("siret_employeur", &self.siret_employeur)
            .field("reference_employeur", &self.reference_employeur)
            .finish()
    }
}

/// A declaration with exactly the fields of the official ADF and JDR layouts (domain.md §8).
///
/// Multi-valued columns are lists (joined with `/` in the files); OUI/NON columns are
/// `Option<bool>`; choices are `Option` of their enum. Validity dates are declaration-level.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Declaration {
    /// Attestation de formation (ADF) or justificatif de réussite (JDR).
    pub kind: DeclarationKind,
    /// Catalogue code of the training type (`SST`, `PRAP`…) when known. Not a column of the
    /// files: it lets the server apply the category scope and the exclusions (art. 4-II).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_code: Option<String>,
    /// `ID_DECLARATION` (at most 255 characters).
    pub id_declaration: String,
    /// `REFERENCE_DECLARATION` (at most 280 characters).
    pub reference_declaration: String,
    /// `TYPE_JDR` (JDR only, required).
    pub type_jdr: Option<TypeJdr>,
    /// `NOM_JDR` (JDR only, required, at most 255 characters).
    pub nom_jdr: String,
    /// `NOM_OPTION_SPECIALITE` (JDR only, optional).
    pub nom_option_specialite: String,
    /// `MODE_OBTENTION` (JDR only, optional).
    pub mode_obtention: Option<ModeObtention>,
    /// `COMPETENCE_TRANSFERABLE`: 3 to 10 ROME competence codes.
    pub competence_transferable: Vec<String>,
    /// `PRESENCE_FORMATION` (JDR only): OUI when a training was followed.
    pub presence_formation: Option<bool>,
    /// `NOM_FORMATION` (at most 250 characters).
    pub nom_formation: String,
    /// `DATE_DEBUT_FORMATION`.
    pub date_debut_formation: Option<NaiveDate>,
    /// `DATE_FIN_FORMATION`.
    pub date_fin_formation: Option<NaiveDate>,
    /// `MODALITE_DISPENSE` (optional).
    pub modalite_dispense: Option<Modalite>,
    /// `QUALIFICATION_FORMATEUR` (optional).
    pub qualification_formateur: Option<QualificationFormateur>,
    /// `FORMATION_CERTIFIANTE` (OUI/NON).
    pub formation_certifiante: Option<bool>,
    /// `CERTIFICATION_VISEE`: an RS code, for a certifying training.
    pub certification_visee: String,
    /// `DOMAINE_FORMATION`: 1 to 5 Formacodes, for a non-certifying training.
    pub domaine_formation: Vec<String>,
    /// `SPECIALITE_FORMATION`: 1 to 3 NSF codes, for a non-certifying training.
    pub specialite_formation: Vec<String>,
    /// `DATE_DEBUT_VALIDITE` (required).
    pub date_debut_validite: Option<NaiveDate>,
    /// `DATE_FIN_VALIDITE` (optional).
    pub date_fin_validite: Option<NaiveDate>,
    /// `RESULTAT_OBTENU` (JDR only, optional, at most 1000 characters).
    pub resultat_obtenu: String,
    /// `MENTION_OBTENUE` (JDR only, optional, at most 255 characters).
    pub mention_obtenue: String,
    /// `LIEN_PREUVE` (JDR only, optional, an http(s) URL).
    pub lien_preuve: String,
    /// `IDENTIFIANT_PREUVE` (JDR only, optional, at most 255 characters).
    pub identifiant_preuve: String,
    /// The trainees: 1 to 500 per declaration, one file line each.
    pub titulaires: Vec<Titulaire>,
}

impl Default for Declaration {
    fn default() -> Self {
        Self::new(DeclarationKind::Attestation)
    }
}

// Counts of domain.md §8 (Guides import en masse OF ADF/JDR, February 2026); lengths are in
// the one table of [`limits`].
const COMPETENCES: ListLimits = ListLimits { min: 3, max: 10 };
const FORMACODES: ListLimits = ListLimits { min: 1, max: 5 };
const NSF_CODES: ListLimits = ListLimits { min: 1, max: 3 };
const MAX_TITULAIRES: usize = 500;
/// [I] Dates are written `jj/mm/aaaa`: a four-digit year, and nothing before 1900 is plausible.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

impl Declaration {
    /// An empty declaration of the given kind.
    pub fn new(kind: DeclarationKind) -> Self {
        Self {
            kind,
            training_code: None,
            id_declaration: String::new(),
            reference_declaration: String::new(),
            type_jdr: None,
            nom_jdr: String::new(),
            nom_option_specialite: String::new(),
            mode_obtention: None,
            competence_transferable: Vec::new(),
            presence_formation: None,
            nom_formation: String::new(),
            date_debut_formation: None,
            date_fin_formation: None,
            modalite_dispense: None,
            qualification_formateur: None,
            formation_certifiante: None,
            certification_visee: String::new(),
            domaine_formation: Vec::new(),
            specialite_formation: Vec::new(),
            date_debut_validite: None,
            date_fin_validite: None,
            resultat_obtenu: String::new(),
            mention_obtenue: String::new(),
            lien_preuve: String::new(),
            identifiant_preuve: String::new(),
            titulaires: Vec::new(),
        }
    }

    /// Rewrites every NIR that reads into its canonical stored form (see [`Titulaire::nir`]):
    /// 13 characters, key dropped once checked. A NIR that does not read stays as typed.
    pub fn normalise_nirs(&mut self) {
        for titulaire in &mut self.titulaires {
            if let Ok(nir) = titulaire.nir.parse::<Nir>() {
                titulaire.nir = nir.as_str().to_owned();
            }
        }
    }

    /// Number of titulaires (file lines) of the declaration.
    pub fn titulaire_count(&self) -> usize {
        self.titulaires.len()
    }

    /// The date that starts the declaration deadline: the training's end for an attestation,
    /// the validity start for a justificatif (domain.md §4 and §8).
    pub fn reference_date(&self) -> Option<NaiveDate> {
        match self.kind {
            DeclarationKind::Attestation => self.date_fin_formation,
            DeclarationKind::Justificatif => self.date_debut_validite,
        }
    }

    /// The title shown in lists: `NOM_FORMATION` for an attestation, `NOM_JDR` for a justificatif.
    pub fn training_title(&self) -> &str {
        match self.kind {
            DeclarationKind::Attestation => &self.nom_formation,
            DeclarationKind::Justificatif => &self.nom_jdr,
        }
    }

    /// Checks every rule of the bulk-file guides (domain.md §8) and returns all problems at once,
    /// each tied to its official column (`titulaires[i].COLUMN` for a trainee, 0-based).
    ///
    /// `declarant` relaxes the skills, Formacode and NSF requirements for an employer
    /// (francechimie source above); `today` bounds the training dates.
    pub fn validate(
        &self,
        declarant: DeclarantKind,
        today: NaiveDate,
    ) -> Result<(), Vec<FieldError>> {
        let mut report = Report::default();
        let jdr = self.kind == DeclarationKind::Justificatif;
        let by_of = declarant == DeclarantKind::OrganismeFormation;

        report.text(ID_DECLARATION, &self.id_declaration, REQUIRED);
        report.text(REFERENCE_DECLARATION, &self.reference_declaration, REQUIRED);

        // Columns 4–7 and 26–29 exist only in the JDR layout.
        let (jdr_required, jdr_optional) = if jdr {
            (REQUIRED, Presence::Optional)
        } else {
            (Presence::Forbidden(ONLY_JDR), Presence::Forbidden(ONLY_JDR))
        };
        report.choice(TYPE_JDR, self.type_jdr.is_some(), jdr_required);
        report.text(NOM_JDR, &self.nom_jdr, jdr_required);
        report.text(
            NOM_OPTION_SPECIALITE,
            &self.nom_option_specialite,
            jdr_optional,
        );
        report.choice(MODE_OBTENTION, self.mode_obtention.is_some(), jdr_optional);

        let optional_for_employer = if by_of {
            Presence::Required(FOR_OF)
        } else {
            Presence::Optional
        };
        report.list(
            COMPETENCE_TRANSFERABLE,
            &self.competence_transferable,
            optional_for_employer,
            COMPETENCES,
            Competence::as_str,
        );

        report.choice(
            PRESENCE_FORMATION,
            self.presence_formation.is_some(),
            jdr_optional,
        );
        let with_training = !jdr || self.presence_formation == Some(true);
        self.check_training(&mut report, with_training, optional_for_employer, today);

        report.date(
            DATE_DEBUT_VALIDITE,
            self.date_debut_validite,
            REQUIRED,
            None,
        );
        report.date(
            DATE_FIN_VALIDITE,
            self.date_fin_validite,
            Presence::Optional,
            None,
        );
        self.check_date_order(&mut report, with_training);

        report.text(RESULTAT_OBTENU, &self.resultat_obtenu, jdr_optional);
        report.text(MENTION_OBTENUE, &self.mention_obtenue, jdr_optional);
        if let Some(link) = report.text(LIEN_PREUVE, &self.lien_preuve, jdr_optional) {
            check_link(&mut report, link);
        }
        report.text(IDENTIFIANT_PREUVE, &self.identifiant_preuve, jdr_optional);

        self.check_titulaires(&mut report);
        report.finish()
    }

    /// The training block: ADF columns 4–13, JDR columns 10–18 (empty without a training).
    fn check_training(
        &self,
        report: &mut Report,
        with_training: bool,
        codes: Presence,
        today: NaiveDate,
    ) {
        let (required, optional) = if with_training {
            let required = if self.kind == DeclarationKind::Justificatif {
                Presence::Required(WITH_TRAINING)
            } else {
                REQUIRED
            };
            (required, Presence::Optional)
        } else {
            (
                Presence::Forbidden(WITHOUT_TRAINING),
                Presence::Forbidden(WITHOUT_TRAINING),
            )
        };
        report.text(NOM_FORMATION, &self.nom_formation, required);
        report.date(
            DATE_DEBUT_FORMATION,
            self.date_debut_formation,
            required,
            Some(today),
        );
        report.date(
            DATE_FIN_FORMATION,
            self.date_fin_formation,
            required,
            Some(today),
        );
        report.choice(
            MODALITE_DISPENSE,
            self.modalite_dispense.is_some(),
            optional,
        );
        report.choice(
            QUALIFICATION_FORMATEUR,
            self.qualification_formateur.is_some(),
            optional,
        );
        report.choice(
            FORMATION_CERTIFIANTE,
            self.formation_certifiante.is_some(),
            required,
        );

        let (certification, domain_codes) = match (with_training, self.formation_certifiante) {
            (false, _) => (optional, optional),
            (true, Some(true)) => (
                Presence::Required(CERTIFYING),
                Presence::Forbidden(CERTIFYING),
            ),
            (true, Some(false)) => (
                Presence::Forbidden(NOT_CERTIFYING),
                match codes {
                    Presence::Required(_) => Presence::Required(FOR_OF_NOT_CERTIFYING),
                    other => other,
                },
            ),
            (true, None) => (Presence::Optional, Presence::Optional),
        };
        // An RS code is `RS` and 3 to 5 digits (ids.rs), so its canonical form always fits the
        // 9 characters of CERTIFICATION_VISEE; a longer value fails to parse.
        if let Some(code) = report.text(
            CERTIFICATION_VISEE,
            &self.certification_visee,
            certification,
        ) {
            match code.parse::<CertificationCode>() {
                Ok(parsed) if parsed.is_rs() => {}
                Ok(parsed) => report.push(
                    CERTIFICATION_VISEE,
                    "invalid_rs",
                    if parsed.is_rncp() {
                        format!("« {parsed} » est un code RNCP : {RS_ONLY}")
                    } else {
                        format!("« {parsed} » n'est pas un code RS : {RS_ONLY}")
                    },
                ),
                Err(error) => report.id_error(CERTIFICATION_VISEE, &error, None),
            }
        }
        report.list(
            DOMAINE_FORMATION,
            &self.domaine_formation,
            domain_codes,
            FORMACODES,
            Formacode::as_str,
        );
        report.list(
            SPECIALITE_FORMATION,
            &self.specialite_formation,
            domain_codes,
            NSF_CODES,
            Nsf::as_str,
        );
    }

    /// DATE_DEBUT_FORMATION ≤ DATE_FIN_FORMATION ≤ DATE_DEBUT_VALIDITE ≤ DATE_FIN_VALIDITE, each
    /// present date against the previous present one (domain.md §8, common rules).
    fn check_date_order(&self, report: &mut Report, with_training: bool) {
        let training: &[(&'static str, Option<NaiveDate>)] = if with_training {
            &[
                (DATE_DEBUT_FORMATION, self.date_debut_formation),
                (DATE_FIN_FORMATION, self.date_fin_formation),
            ]
        } else {
            &[]
        };
        let validity = [
            (DATE_DEBUT_VALIDITE, self.date_debut_validite),
            (DATE_FIN_VALIDITE, self.date_fin_validite),
        ];
        let mut previous: Option<(&str, NaiveDate)> = None;
        for &(field, date) in training.iter().chain(validity.iter()) {
            let Some(date) = date else { continue };
            if let Some((before, earlier)) = previous
                && date < earlier
            {
                report.push(
                    field,
                    "date_order",
                    format!(
                        "La {} ({}) est antérieure à la {} ({}).",
                        columns::label(field),
                        french_date(date),
                        columns::label(before),
                        french_date(earlier)
                    ),
                );
            }
            previous = Some((field, date));
        }
    }

    /// 1 to 500 titulaires, each line checked, ID_UNIQUE_PARTENAIRE and NIR unique.
    fn check_titulaires(&self, report: &mut Report) {
        let count = self.titulaires.len();
        if !(1..=MAX_TITULAIRES).contains(&count) {
            report.push(TITULAIRES, "count", titulaire_count_message(count));
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        // [I] The same person twice in one declaration would be a double declaration.
        let mut nirs: HashMap<Nir, usize> = HashMap::new();
        for (index, titulaire) in self.titulaires.iter().enumerate() {
            let field = |column: &str| format!("{TITULAIRES}[{index}].{column}");
            if let Some(id) = report.text(
                &field(ID_UNIQUE_PARTENAIRE),
                &titulaire.id_unique_partenaire,
                REQUIRED,
            ) {
                match ids.entry(id.trim()) {
                    Entry::Occupied(first) => report.push(
                        &field(ID_UNIQUE_PARTENAIRE),
                        "duplicate",
                        format!(
                            "L'identifiant unique partenaire est déjà utilisé par le titulaire n° {} \
                             de cette déclaration.",
                            first.get() + 1
                        ),
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                }
            }
            if let Some(nir) = report.text(&field(NIR), &titulaire.nir, REQUIRED) {
                match nir.parse::<Nir>() {
                    Err(error) => report.id_error(&field(NIR), &error, None),
                    Ok(nir) => match nirs.entry(nir) {
                        Entry::Occupied(first) => report.push(
                            &field(NIR),
                            "duplicate",
                            repeated_nir_message(*first.get()),
                        ),
                        Entry::Vacant(slot) => {
                            slot.insert(index);
                        }
                    },
                }
            }
            report.text(&field(NOM_TITULAIRE), &titulaire.nom_titulaire, REQUIRED);
            report.choice(
                &field(PRESENCE_EMPLOYEUR),
                titulaire.presence_employeur.is_some(),
                REQUIRED,
            );
            let (siret, reference) = match titulaire.presence_employeur {
                Some(true) => (Presence::Required(WITH_EMPLOYER), Presence::Optional),
                Some(false) => (
                    Presence::Forbidden(WITHOUT_EMPLOYER),
                    Presence::Forbidden(WITHOUT_EMPLOYER),
                ),
                None => (Presence::Optional, Presence::Optional),
            };
            // A SIRET parses only as 14 digits, the column's length.
            if let Some(value) =
                report.text(&field(SIRET_EMPLOYEUR), &titulaire.siret_employeur, siret)
                && let Err(error) = value.parse::<Siret>()
            {
                report.id_error(&field(SIRET_EMPLOYEUR), &error, None);
            }
            report.text(
                &field(REFERENCE_EMPLOYEUR),
                &titulaire.reference_employeur,
                reference,
            );
        }
    }
}

/// LIEN_PREUVE must be an http(s) URL (domain.md §8, JDR column 28): one address, so a second
/// `://` (two links pasted end to end, UX review 2026-12 finding 7) is refused.
fn check_link(report: &mut Report, link: &str) {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    let valid = rest.is_some_and(|rest| {
        !rest.is_empty() && !rest.chars().any(char::is_whitespace) && !rest.contains("://")
    });
    if !valid {
        report.push(
            LIEN_PREUVE,
            "invalid_url",
            "Le lien vers la preuve doit être une seule adresse commençant par http:// ou https://, \
             sans espace.",
        );
    }
}

/// What CERTIFICATION_VISEE takes, and what to enter for an RNCP training: said the same way by
/// the validation message, the form's help and the simulator (assets/simulator.toml,
/// `q9_certification`). The file's CERTIFICATION_VISEE is an RS code of at most 9 characters
/// (domain.md §8, "Guide import en masse OF ADF / JDR", February 2026; it supersedes the
/// « RNCP, RS or Certif Info » of §2). [I] A training preparing an RNCP diploma or title with no
/// RS code is then declared non-certifying, with its Formacodes and NSF codes: the only layout
/// the file accepts for it (an RNCP certification itself reaches the passport from its
/// certifier, decree art. 8).
pub const RS_ONLY: &str = "seul un code RS (répertoire spécifique, par exemple RS5801) peut être \
     la certification visée ; pour une formation RNCP sans code RS, indiquez «\u{a0}Non\u{a0}» à \
     «\u{a0}Formation certifiante\u{a0}», puis ses Formacodes et codes NSF.";

/// Whether a column must, may or must not be filled, with the reason shown in the message.
#[derive(Clone, Copy)]
enum Presence {
    /// Must be filled; the reason completes "est obligatoire" (empty for an unconditional rule).
    Required(&'static str),
    /// May be filled.
    Optional,
    /// Must be empty; the reason completes "doit rester vide".
    Forbidden(&'static str),
}

const REQUIRED: Presence = Presence::Required("");
const ONLY_JDR: &str =
    "dans une attestation de formation (colonne propre au justificatif de réussite)";
const FOR_OF: &str = "pour un organisme de formation";
const FOR_OF_NOT_CERTIFYING: &str =
    "pour une formation non certifiante déclarée par un organisme de formation";
// Reasons in the user's words: a column name (FORMATION_CERTIFIANTE = OUI) means nothing in
// the form; the import names the column beside the message anyway (UX review 2026-12, 25).
const WITH_TRAINING: &str = "quand une formation a été suivie (« formation suivie » : oui)";
const WITHOUT_TRAINING: &str = "quand aucune formation suivie n'est déclarée";
const CERTIFYING: &str = "pour une formation certifiante";
const NOT_CERTIFYING: &str = "pour une formation non certifiante";
const WITH_EMPLOYER: &str = "quand l'employeur est présent";
const WITHOUT_EMPLOYER: &str = "quand l'employeur n'est pas présent";

/// Count limits of a multi-valued column (its joined length is in [`limits`]).
#[derive(Clone, Copy)]
struct ListLimits {
    min: usize,
    max: usize,
}

/// The problems found so far.
#[derive(Default)]
struct Report {
    errors: Vec<FieldError>,
}

impl Report {
    fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Reports a missing or a forbidden value; returns whether a value is present and allowed.
    fn presence(&mut self, field: &str, present: bool, presence: Presence) -> bool {
        let label = label_of(field);
        match (present, presence) {
            (false, Presence::Required(why)) => {
                self.push(
                    field,
                    "required",
                    format!("Le champ « {label} » est obligatoire{}.", reason(why)),
                );
                false
            }
            (true, Presence::Forbidden(why)) => {
                self.push(
                    field,
                    "forbidden",
                    format!("Le champ « {label} » doit rester vide{}.", reason(why)),
                );
                false
            }
            (present, _) => present,
        }
    }

    /// Characters that would break the file or mislead a reader (domain.md §8: one line per
    /// trainee, `|` separator): control characters and bidirectional overrides; invisible format
    /// characters, which make two names or keys look alike (security review L5); and a value that
    /// a spreadsheet opening the file would compute (security review M6: the official file keeps
    /// its bytes, so such a value is refused rather than neutralised, see [`crate::formula`]).
    fn characters(&mut self, field: &str, value: &str) {
        let written = value.trim();
        if crate::formula::is_formula_like(written)
            && let Some(first) = written.chars().next()
        {
            self.push(
                field,
                "formula_start",
                format!(
                    "Le champ « {} » commence par « {first} » : un tableur ouvrant le fichier le \
                     lirait comme une formule ; retirez ce caractère.",
                    label_of(field)
                ),
            );
        }
        if value.chars().any(is_forbidden_char) {
            self.push(
                field,
                "control_character",
                format!(
                    "Le champ « {} » contient un caractère de contrôle (retour à la ligne, tabulation, \
                     caractère invisible de direction du texte…) : retirez-le.",
                    label_of(field)
                ),
            );
        } else if let Some((position, c)) = crate::text::first_invisible(value) {
            self.push(
                field,
                "invisible_character",
                crate::text::invisible_refusal(label_of(field), position, c),
            );
        }
        if value.contains('|') {
            self.push(
                field,
                "separator_character",
                format!(
                    "Le champ « {} » contient le caractère « | », séparateur des colonnes du fichier : \
                     retirez-le.",
                    label_of(field)
                ),
            );
        }
    }

    /// A text column; returns the value when it is present and allowed, for further checks.
    /// Its length is checked against [`limits::LIMITS`] (identifiers, measured without their
    /// spaces, are checked by their own parsing).
    fn text<'a>(&mut self, field: &str, value: &'a str, presence: Presence) -> Option<&'a str> {
        self.characters(field, value);
        if !self.presence(field, !value.trim().is_empty(), presence) {
            return None;
        }
        let length = value.chars().count();
        if let Some(limit) = limits::of(field).filter(|l| l.measure == limits::Measure::Text)
            && length > limit.max
        {
            self.push(
                field,
                "too_long",
                format!(
                    "Le champ « {} » dépasse {} caractères ({}).",
                    label_of(field),
                    limit.max,
                    typed(length)
                ),
            );
        }
        Some(value)
    }

    /// A choice or OUI/NON column.
    fn choice(&mut self, field: &str, present: bool, presence: Presence) {
        self.presence(field, present, presence);
    }

    /// A date column; training dates must not be after `not_after`.
    fn date(
        &mut self,
        field: &str,
        value: Option<NaiveDate>,
        presence: Presence,
        not_after: Option<NaiveDate>,
    ) {
        if !self.presence(field, value.is_some(), presence) {
            return;
        }
        let Some(date) = value else { return };
        let label = label_of(field);
        if !YEARS.contains(&date.year()) {
            self.push(
                field,
                "out_of_range",
                format!(
                    "La {label} ({}) doit avoir une année comprise entre {} et {}.",
                    french_date(date),
                    YEARS.start(),
                    YEARS.end()
                ),
            );
        }
        if let Some(today) = not_after
            && date > today
        {
            self.push(
                field,
                "future_date",
                format!(
                    "La {label} ({}) ne peut pas être postérieure à aujourd'hui ({}).",
                    french_date(date),
                    french_date(today)
                ),
            );
        }
    }

    /// A multi-valued column of identifiers `T` (joined with `/` in the file). Lengths and
    /// duplicates are measured on the canonical form the file will carry (`canonical`), or on the
    /// value as typed when it does not parse.
    fn list<T: FromStr<Err = IdError>>(
        &mut self,
        field: &str,
        values: &[String],
        presence: Presence,
        counts: ListLimits,
        canonical: fn(&T) -> &str,
    ) {
        for value in values {
            self.characters(field, value);
        }
        if !self.presence(field, !values.is_empty(), presence) {
            return;
        }
        let label = label_of(field);
        let count = values.len();
        if !(counts.min..=counts.max).contains(&count) {
            self.push(
                field,
                "count",
                format!(
                    "Le champ « {label} » attend de {} à {} codes ({}).",
                    counts.min,
                    counts.max,
                    typed(count)
                ),
            );
        }
        let parsed: Vec<Result<T, IdError>> = values.iter().map(|value| value.parse()).collect();
        let written: Vec<&str> = parsed
            .iter()
            .zip(values)
            .map(|(result, value)| result.as_ref().map_or(value.as_str(), canonical))
            .collect();
        let joined = written
            .iter()
            .map(|code| code.chars().count())
            .sum::<usize>()
            + count
            - 1;
        let max_joined = limits::max_length(field).unwrap_or(usize::MAX);
        if joined > max_joined {
            self.push(
                field,
                "too_long",
                format!(
                    "Le champ « {label} » dépasse {max_joined} caractères une fois les codes joints \
                     par « / » ({joined} caractères)."
                ),
            );
        }
        for (index, result) in parsed.iter().enumerate() {
            match result {
                Err(error) => self.id_error(field, error, Some(index)),
                Ok(_) if written[..index].contains(&written[index]) => self.push(
                    field,
                    "duplicate",
                    format!(
                        "Le code « {} » figure deux fois dans « {label} ».",
                        shown(written[index])
                    ),
                ),
                Ok(_) => {}
            }
        }
    }

    /// An identifier that does not parse; the message is the identifier's own (it never shows
    /// a NIR), with the position of the value in a list.
    fn id_error(&mut self, field: &str, error: &IdError, position: Option<usize>) {
        let message = match position {
            Some(index) => format!("{} (valeur n° {}).", shown(&error.to_string()), index + 1),
            None => format!("{}.", shown(&error.to_string())),
        };
        self.push(field, error.code(), message);
    }
}

/// The message of a declaration whose `count` titulaires fall outside 1 to 500 (domain.md §8).
pub fn titulaire_count_message(count: usize) -> String {
    format!(
        "Une déclaration compte de 1 à {MAX_TITULAIRES} titulaires ({}).",
        typed(count)
    )
}

/// The message of a NIR already held by the titulaire of rank `first` (from 0) of the same
/// declaration.
pub fn repeated_nir_message(first: usize) -> String {
    format!(
        "Ce NIR figure déjà au titulaire n° {} de cette déclaration.",
        first + 1
    )
}

/// The French label of a field path, `titulaires[3].NIR` included.
fn label_of(field: &str) -> &str {
    columns::label(field.rsplit('.').next().unwrap_or(field))
}

/// `1 saisi`, `251 saisis`.
fn typed(count: usize) -> String {
    if count > 1 {
        format!("{count} saisis")
    } else {
        format!("{count} saisi")
    }
}

/// " reason" or nothing.
fn reason(why: &str) -> String {
    if why.is_empty() {
        String::new()
    } else {
        format!(" {why}")
    }
}

/// Control characters (C0, DEL, C1) and bidirectional overrides and isolates.
fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A value safe to echo in a message: forbidden characters replaced.
fn shown(value: &str) -> String {
    value
        .chars()
        .map(|c| if is_forbidden_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// `jj/mm/aaaa`, the file's date format.
fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A change to a declaration, for table-driven tests.
    type Edit = fn(&mut Declaration);
    /// Sets a text column.
    type SetText = fn(&mut Declaration, String);
    /// Appends to a text column.
    type Append = fn(&mut Declaration, &str);

    const NIR_13: &str = "1850375112345";
    const SIRET_OK: &str = "73282932000074";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 7, 15)
    }

    /// The 15-character NIR: 13 digits and the key 97 − (n mod 97) (domain.md §6).
    fn with_key(nir13: &str) -> String {
        let number: u64 = nir13.parse().unwrap();
        format!("{nir13}{:02}", 97 - number % 97)
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| value.to_string()).collect()
    }

    /// A valid titulaire; `index` varies the identifier and the NIR's order number.
    fn titulaire(index: usize) -> Titulaire {
        let nir = if index == 0 {
            NIR_13.to_string()
        } else {
            format!("1850375113{:03}", index + 1)
        };
        Titulaire {
            id_unique_partenaire: format!("LIGNE-{index}"),
            nir,
            nom_titulaire: "DUPONT".into(),
            presence_employeur: Some(true),
            siret_employeur: SIRET_OK.into(),
            reference_employeur: "MAT-0001".into(),
        }
    }

    /// A valid non-certifying attestation de formation.
    fn valid_adf() -> Declaration {
        Declaration {
            id_declaration: "DECL-2026-001".into(),
            reference_declaration: "SST-JUIN-2026".into(),
            nom_formation: "Sauveteur secouriste du travail".into(),
            date_debut_formation: Some(date(2026, 6, 1)),
            date_fin_formation: Some(date(2026, 6, 2)),
            modalite_dispense: Some(Modalite::Presentiel),
            competence_transferable: strings(&["115650", "121885", "400635"]),
            qualification_formateur: Some(QualificationFormateur::Preventeur),
            formation_certifiante: Some(false),
            domaine_formation: strings(&["42829"]),
            specialite_formation: strings(&["344r"]),
            date_debut_validite: Some(date(2026, 6, 2)),
            date_fin_validite: Some(date(2028, 6, 2)),
            titulaires: vec![titulaire(0)],
            ..Declaration::new(DeclarationKind::Attestation)
        }
    }

    /// A valid justificatif de réussite with a certifying training.
    fn valid_jdr() -> Declaration {
        Declaration {
            kind: DeclarationKind::Justificatif,
            type_jdr: Some(TypeJdr::Certificat),
            nom_jdr: "Certificat de sauveteur secouriste du travail".into(),
            nom_option_specialite: "Secteur BTP".into(),
            mode_obtention: Some(ModeObtention::ParAdmission),
            presence_formation: Some(true),
            formation_certifiante: Some(true),
            certification_visee: "RS5801".into(),
            domaine_formation: Vec::new(),
            specialite_formation: Vec::new(),
            resultat_obtenu: "Admis".into(),
            mention_obtenue: "Très bien".into(),
            lien_preuve: "https://example.org/preuves/1".into(),
            identifiant_preuve: "PREUVE-1".into(),
            ..valid_adf()
        }
    }

    /// A valid justificatif de réussite without a training (columns 10–18 empty).
    fn valid_jdr_without_training() -> Declaration {
        Declaration {
            presence_formation: Some(false),
            nom_formation: String::new(),
            date_debut_formation: None,
            date_fin_formation: None,
            modalite_dispense: None,
            qualification_formateur: None,
            formation_certifiante: None,
            certification_visee: String::new(),
            ..valid_jdr()
        }
    }

    fn errors_as(declaration: &Declaration, declarant: DeclarantKind) -> Vec<(String, String)> {
        match declaration.validate(declarant, today()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    fn errors(declaration: &Declaration) -> Vec<(String, String)> {
        errors_as(declaration, DeclarantKind::OrganismeFormation)
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_string(), code.to_string())
    }

    /// Exactly one error, on `field` with `code`.
    fn assert_only(declaration: &Declaration, field: &str, code: &str) {
        assert_eq!(
            errors(declaration),
            vec![pair(field, code)],
            "{declaration:?}"
        );
    }

    /// At least one error on `field` whose code starts with `code`.
    fn assert_has(declaration: &Declaration, field: &str, code: &str) {
        let found = errors(declaration);
        assert!(
            found.iter().any(|(f, c)| f == field && c.starts_with(code)),
            "expected {field}/{code} in {found:?}"
        );
    }

    fn first(field: &str) -> String {
        format!("titulaires[0].{field}")
    }

    #[test]
    fn valid_examples_pass_for_both_declarants() {
        for declaration in [valid_adf(), valid_jdr(), valid_jdr_without_training()] {
            for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
                assert_eq!(
                    errors_as(&declaration, declarant),
                    vec![],
                    "{declaration:?}"
                );
            }
        }
    }

    #[test]
    fn optional_columns_may_stay_empty() {
        let mut adf = valid_adf();
        adf.modalite_dispense = None;
        adf.qualification_formateur = None;
        adf.date_fin_validite = None;
        adf.titulaires[0].reference_employeur.clear();
        assert_eq!(errors(&adf), vec![]);
        let mut jdr = valid_jdr();
        jdr.nom_option_specialite.clear();
        jdr.mode_obtention = None;
        jdr.resultat_obtenu.clear();
        jdr.mention_obtenue.clear();
        jdr.lien_preuve.clear();
        jdr.identifiant_preuve.clear();
        assert_eq!(errors(&jdr), vec![]);
    }

    #[test]
    fn required_columns_of_an_attestation() {
        let cases: Vec<(&str, Edit)> = vec![
            (ID_DECLARATION, |d| d.id_declaration = "   ".into()),
            (REFERENCE_DECLARATION, |d| d.reference_declaration.clear()),
            (NOM_FORMATION, |d| d.nom_formation.clear()),
            (DATE_DEBUT_FORMATION, |d| d.date_debut_formation = None),
            (DATE_FIN_FORMATION, |d| d.date_fin_formation = None),
            (COMPETENCE_TRANSFERABLE, |d| {
                d.competence_transferable.clear()
            }),
            (FORMATION_CERTIFIANTE, |d| d.formation_certifiante = None),
            (DATE_DEBUT_VALIDITE, |d| d.date_debut_validite = None),
            ("titulaires[0].ID_UNIQUE_PARTENAIRE", |d| {
                d.titulaires[0].id_unique_partenaire.clear()
            }),
            ("titulaires[0].NIR", |d| d.titulaires[0].nir.clear()),
            ("titulaires[0].NOM_TITULAIRE", |d| {
                d.titulaires[0].nom_titulaire = " ".into()
            }),
            ("titulaires[0].PRESENCE_EMPLOYEUR", |d| {
                d.titulaires[0].presence_employeur = None
            }),
        ];
        for (field, break_it) in cases {
            let mut declaration = valid_adf();
            break_it(&mut declaration);
            assert_only(&declaration, field, "required");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let cases: Vec<(&str, usize, SetText)> = vec![
            (ID_DECLARATION, 255, |d, v| d.id_declaration = v),
            (REFERENCE_DECLARATION, 280, |d, v| {
                d.reference_declaration = v
            }),
            (NOM_FORMATION, 250, |d, v| d.nom_formation = v),
            (NOM_JDR, 255, |d, v| d.nom_jdr = v),
            (NOM_OPTION_SPECIALITE, 255, |d, v| {
                d.nom_option_specialite = v
            }),
            (RESULTAT_OBTENU, 1000, |d, v| d.resultat_obtenu = v),
            (MENTION_OBTENUE, 255, |d, v| d.mention_obtenue = v),
            (IDENTIFIANT_PREUVE, 255, |d, v| d.identifiant_preuve = v),
            ("titulaires[0].ID_UNIQUE_PARTENAIRE", 255, |d, v| {
                d.titulaires[0].id_unique_partenaire = v
            }),
            ("titulaires[0].NOM_TITULAIRE", 30, |d, v| {
                d.titulaires[0].nom_titulaire = v
            }),
            ("titulaires[0].REFERENCE_EMPLOYEUR", 255, |d, v| {
                d.titulaires[0].reference_employeur = v
            }),
        ];
        for (field, max, set) in cases {
            assert_eq!(limits::max_length(field), Some(max), "one table: {field}");
            let mut at_max = valid_jdr();
            set(&mut at_max, "É".repeat(max));
            assert_eq!(errors(&at_max), vec![], "{field} at {max} characters");
            let mut over = valid_jdr();
            set(&mut over, "É".repeat(max + 1));
            assert_only(&over, field, "too_long");
        }
        // The proof link, unbounded before (UX review 2026-12, finding 7): 255 with its prefix.
        let mut at_max = valid_jdr();
        at_max.lien_preuve = format!("https://{}", "a".repeat(247));
        assert_eq!(errors(&at_max), vec![]);
        let mut over = valid_jdr();
        over.lien_preuve = format!("https://exemple.fr/{}", "a".repeat(5036));
        assert_only(&over, LIEN_PREUVE, "too_long");
        // One character over: « 1 saisi » would be wrong, 256 is plural.
        let mut one_over = valid_jdr();
        one_over.mention_obtenue = "x".repeat(256);
        let Err(found) = one_over.validate(DeclarantKind::OrganismeFormation, today()) else {
            panic!("too long")
        };
        assert_eq!(
            found[0].message,
            "Le champ « mention obtenue » dépasse 255 caractères (256 saisis)."
        );
    }

    #[test]
    fn competences_count_and_values() {
        let mut two = valid_adf();
        two.competence_transferable.truncate(2);
        assert_only(&two, COMPETENCE_TRANSFERABLE, "count");

        let mut eleven = valid_adf();
        eleven.competence_transferable = (0..11).map(|i| format!("1000{i:02}")).collect();
        assert_has(&eleven, COMPETENCE_TRANSFERABLE, "count");

        let mut long = valid_adf();
        long.competence_transferable = (0..10).map(|i| format!("100000{i}")).collect();
        assert_only(&long, COMPETENCE_TRANSFERABLE, "too_long");
        long.competence_transferable.truncate(8);
        assert_eq!(
            errors(&long),
            vec![],
            "8 codes of 7 digits fit in 70 characters"
        );

        let mut spaced = valid_adf();
        spaced.competence_transferable = (0..8).map(|i| format!(" 10 000{i} ")).collect();
        assert_eq!(
            errors(&spaced),
            vec![],
            "79 characters as typed, 55 as written in the file"
        );

        let mut invalid = valid_adf();
        invalid.competence_transferable[1] = "ABC".into();
        assert_has(&invalid, COMPETENCE_TRANSFERABLE, "invalid_");

        let mut twice = valid_adf();
        twice.competence_transferable[2] = "115 650".into();
        assert_only(&twice, COMPETENCE_TRANSFERABLE, "duplicate");
    }

    #[test]
    fn an_employer_may_omit_codes_but_not_break_them() {
        let employer = DeclarantKind::Employeur;
        let mut empty = valid_adf();
        empty.competence_transferable.clear();
        empty.domaine_formation.clear();
        empty.specialite_formation.clear();
        assert_eq!(errors_as(&empty, employer), vec![]);
        assert_eq!(
            errors(&empty),
            vec![
                pair(COMPETENCE_TRANSFERABLE, "required"),
                pair(DOMAINE_FORMATION, "required"),
                pair(SPECIALITE_FORMATION, "required"),
            ]
        );

        let mut two = valid_adf();
        two.competence_transferable.truncate(2);
        assert_eq!(
            errors_as(&two, employer),
            vec![pair(COMPETENCE_TRANSFERABLE, "count")]
        );

        let mut bad = valid_adf();
        bad.domaine_formation = strings(&["4282"]);
        let found = errors_as(&bad, employer);
        assert!(
            found
                .iter()
                .any(|(f, c)| f == DOMAINE_FORMATION && c.starts_with("invalid_")),
            "{found:?}"
        );

        let mut six = valid_adf();
        six.domaine_formation = strings(&["42829", "42817", "42819", "42866", "42875", "31407"]);
        assert!(errors_as(&six, employer).contains(&pair(DOMAINE_FORMATION, "count")));
    }

    #[test]
    fn a_certifying_training_names_an_rs_code_and_no_domain() {
        let mut missing = valid_jdr();
        missing.certification_visee.clear();
        assert_only(&missing, CERTIFICATION_VISEE, "required");

        let mut rncp = valid_jdr();
        rncp.certification_visee = "RNCP38510".into();
        assert_only(&rncp, CERTIFICATION_VISEE, "invalid_rs");

        let mut long = valid_jdr();
        long.certification_visee = "RS58010000".into();
        assert_has(&long, CERTIFICATION_VISEE, "invalid_");

        let mut lower = valid_jdr();
        lower.certification_visee = "rs5801".into();
        assert_eq!(errors(&lower), vec![]);

        let mut garbage = valid_jdr();
        garbage.certification_visee = "SST".into();
        assert_has(&garbage, CERTIFICATION_VISEE, "invalid_");

        let mut domain = valid_jdr();
        domain.domaine_formation = strings(&["42829"]);
        assert_only(&domain, DOMAINE_FORMATION, "forbidden");

        let mut specialty = valid_jdr();
        specialty.specialite_formation = strings(&["344r"]);
        assert_only(&specialty, SPECIALITE_FORMATION, "forbidden");

        let mut adf = valid_adf();
        adf.formation_certifiante = Some(true);
        adf.certification_visee = "RS5801".into();
        adf.domaine_formation.clear();
        adf.specialite_formation.clear();
        assert_eq!(errors(&adf), vec![]);
    }

    #[test]
    fn a_non_certifying_training_has_formacodes_and_nsf() {
        let mut certification = valid_adf();
        certification.certification_visee = "RS5801".into();
        assert_only(&certification, CERTIFICATION_VISEE, "forbidden");

        let mut no_domain = valid_adf();
        no_domain.domaine_formation.clear();
        assert_only(&no_domain, DOMAINE_FORMATION, "required");

        let mut no_specialty = valid_adf();
        no_specialty.specialite_formation.clear();
        assert_only(&no_specialty, SPECIALITE_FORMATION, "required");

        let mut six = valid_adf();
        six.domaine_formation = strings(&["42829", "42817", "42819", "42866", "42875", "31407"]);
        assert_has(&six, DOMAINE_FORMATION, "count");

        let mut four = valid_adf();
        four.specialite_formation = strings(&["344r", "333", "331r", "343"]);
        assert_has(&four, SPECIALITE_FORMATION, "count");

        let mut bad_formacode = valid_adf();
        bad_formacode.domaine_formation = strings(&["4282"]);
        assert_has(&bad_formacode, DOMAINE_FORMATION, "invalid_");

        let mut bad_nsf = valid_adf();
        bad_nsf.specialite_formation = strings(&["34"]);
        assert_has(&bad_nsf, SPECIALITE_FORMATION, "invalid_");

        let mut long_domain = valid_adf();
        long_domain.domaine_formation = vec!["428290".to_string(); 5];
        assert_has(&long_domain, DOMAINE_FORMATION, "too_long");

        let mut long_specialty = valid_adf();
        long_specialty.specialite_formation = vec!["3440r".to_string(); 3];
        assert_has(&long_specialty, SPECIALITE_FORMATION, "too_long");

        let mut full = valid_adf();
        full.domaine_formation = strings(&["42829", "42817", "42819", "42866", "42875"]);
        full.specialite_formation = strings(&["344r", "333", "331r"]);
        assert_eq!(errors(&full), vec![]);
    }

    #[test]
    fn employer_presence_drives_siret_and_reference() {
        let mut missing = valid_adf();
        missing.titulaires[0].siret_employeur.clear();
        assert_only(&missing, &first(SIRET_EMPLOYEUR), "required");

        let mut bad = valid_adf();
        bad.titulaires[0].siret_employeur = "73282932000075".into();
        assert_has(&bad, &first(SIRET_EMPLOYEUR), "invalid_");

        let mut absent = valid_adf();
        absent.titulaires[0].presence_employeur = Some(false);
        assert_eq!(
            errors(&absent),
            vec![
                pair(&first(SIRET_EMPLOYEUR), "forbidden"),
                pair(&first(REFERENCE_EMPLOYEUR), "forbidden")
            ]
        );
        absent.titulaires[0].siret_employeur.clear();
        absent.titulaires[0].reference_employeur.clear();
        assert_eq!(errors(&absent), vec![]);
    }

    #[test]
    fn nir_accepts_13_characters_or_15_with_a_correct_key() {
        let mut keyed = valid_adf();
        keyed.titulaires[0].nir = with_key(NIR_13);
        assert_eq!(errors(&keyed), vec![]);

        let mut wrong_key = valid_adf();
        let good = with_key(NIR_13);
        let wrong = if good.ends_with('1') { "00" } else { "01" };
        wrong_key.titulaires[0].nir = format!("{NIR_13}{wrong}");
        assert_has(&wrong_key, &first(NIR), "invalid_");

        let mut short = valid_adf();
        short.titulaires[0].nir = "185037511234".into();
        assert_has(&short, &first(NIR), "invalid_");
    }

    #[test]
    fn messages_speak_french_not_column_names() {
        let mut empty_adf = Declaration::new(DeclarationKind::Attestation);
        empty_adf.formation_certifiante = Some(true);
        empty_adf.domaine_formation = vec!["42829".into()];
        empty_adf.titulaires = vec![Titulaire {
            presence_employeur: Some(false),
            siret_employeur: SIRET_OK.into(),
            ..Titulaire::default()
        }];
        let mut empty_jdr = Declaration::new(DeclarationKind::Justificatif);
        empty_jdr.presence_formation = Some(false);
        empty_jdr.nom_formation = "SST".into();
        let mut with_training = Declaration::new(DeclarationKind::Justificatif);
        with_training.presence_formation = Some(true);
        with_training.formation_certifiante = Some(false);
        with_training.titulaires = vec![Titulaire {
            presence_employeur: Some(true),
            ..Titulaire::default()
        }];
        let mut messages = Vec::new();
        for declaration in [empty_adf, empty_jdr, with_training] {
            for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
                if let Err(found) = declaration.validate(declarant, today()) {
                    messages.extend(found.into_iter().map(|e| e.message));
                }
            }
        }
        assert!(messages.len() > 20, "{messages:?}");
        for message in &messages {
            for column in ADF.iter().chain(JDR.iter()).filter(|c| c.contains('_')) {
                assert!(!message.contains(column), "{column} in « {message} »");
            }
            assert!(
                !message.contains("= OUI") && !message.contains("vaut"),
                "{message}"
            );
            assert!(message.ends_with('.'), "one sentence: {message}");
        }
        // Singular when one value was typed.
        let mut one = valid_adf();
        one.competence_transferable = vec!["115650".into()];
        let Err(found) = one.validate(DeclarantKind::OrganismeFormation, today()) else {
            panic!("too few codes")
        };
        assert_eq!(
            found[0].message,
            "Le champ « compétences transférables » attend de 3 à 10 codes (1 saisi)."
        );
    }

    #[test]
    fn an_rncp_code_is_refused_with_what_to_enter_instead() {
        let mut declaration = valid_adf();
        declaration.formation_certifiante = Some(true);
        declaration.domaine_formation.clear();
        declaration.specialite_formation.clear();
        declaration.certification_visee = "RNCP35185".into();
        let Err(found) = declaration.validate(DeclarantKind::OrganismeFormation, today()) else {
            panic!("an RNCP code is not an RS code");
        };
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            format!("« RNCP35185 » est un code RNCP : {RS_ONLY}")
        );
        assert!(
            found[0]
                .message
                .contains("indiquez «\u{a0}Non\u{a0}» à «\u{a0}Formation certifiante\u{a0}»")
        );
        // The simulator says the same thing (domain.md §8: CERTIFICATION_VISEE is an RS code).
        let simulator = include_str!("../../assets/simulator.toml");
        assert!(
            simulator.contains(RS_ONLY),
            "assets/simulator.toml, q9_certification"
        );
        assert!(!simulator.contains("son code est alors la certification visée"));
    }

    #[test]
    fn nirs_are_stored_in_13_characters_whatever_their_source() {
        let mut declaration = valid_adf();
        let body = "1850375112345";
        declaration.titulaires[0].nir = with_key(body);
        declaration.titulaires.push(Titulaire {
            nir: "2 92 06 2a 351 042".into(),
            ..titulaire(1)
        });
        declaration.titulaires.push(Titulaire {
            nir: "12345".into(),
            ..titulaire(2)
        });
        declaration.normalise_nirs();
        let stored: Vec<&str> = declaration
            .titulaires
            .iter()
            .map(|t| t.nir.as_str())
            .collect();
        assert_eq!(stored, [body, "292062A351042", "12345"]);
    }

    #[test]
    fn messages_never_echo_the_nir() {
        let mut declaration = valid_adf();
        let nir = format!("{NIR_13}00");
        declaration.titulaires[0].nir = nir.clone();
        declaration.titulaires.push(Titulaire {
            id_unique_partenaire: "x".into(),
            ..titulaire(0)
        });
        let errors = declaration
            .validate(DeclarantKind::OrganismeFormation, today())
            .unwrap_err();
        assert!(errors.iter().any(|e| e.field.ends_with(".NIR")));
        assert!(
            errors.iter().all(|e| !e.message.contains(NIR_13)),
            "{errors:?}"
        );
        assert!(!format!("{declaration:?}").contains(NIR_13));
    }

    #[test]
    fn a_declaration_has_1_to_500_titulaires() {
        let mut none = valid_adf();
        none.titulaires.clear();
        assert_only(&none, TITULAIRES, "count");

        let mut full = valid_adf();
        full.titulaires = (0..500).map(titulaire).collect();
        assert_eq!(errors(&full), vec![]);
        full.titulaires.push(titulaire(500));
        assert_only(&full, TITULAIRES, "count");
    }

    #[test]
    fn partner_id_and_nir_are_unique_within_the_declaration() {
        let mut same_id = valid_adf();
        same_id.titulaires.push(Titulaire {
            id_unique_partenaire: " LIGNE-0".into(),
            ..titulaire(1)
        });
        assert_only(&same_id, "titulaires[1].ID_UNIQUE_PARTENAIRE", "duplicate");

        let mut same_person = valid_adf();
        same_person.titulaires.push(Titulaire {
            nir: with_key(NIR_13),
            ..titulaire(1)
        });
        assert_only(&same_person, "titulaires[1].NIR", "duplicate");
    }

    #[test]
    fn dates_follow_training_then_validity() {
        let mut training = valid_adf();
        training.date_debut_formation = Some(date(2026, 6, 3));
        assert_only(&training, DATE_FIN_FORMATION, "date_order");

        let mut validity_start = valid_adf();
        validity_start.date_debut_validite = Some(date(2026, 6, 1));
        assert_only(&validity_start, DATE_DEBUT_VALIDITE, "date_order");

        let mut validity_end = valid_adf();
        validity_end.date_fin_validite = Some(date(2026, 6, 1));
        assert_only(&validity_end, DATE_FIN_VALIDITE, "date_order");

        let mut same_day = valid_adf();
        same_day.date_debut_formation = Some(date(2026, 6, 2));
        same_day.date_fin_validite = Some(date(2026, 6, 2));
        assert_eq!(errors(&same_day), vec![]);
    }

    #[test]
    fn training_dates_are_not_in_the_future() {
        let mut on_today = valid_adf();
        on_today.date_fin_formation = Some(today());
        on_today.date_debut_validite = Some(today());
        assert_eq!(errors(&on_today), vec![]);

        let mut tomorrow = valid_adf();
        let next = today().succ_opt().unwrap();
        tomorrow.date_debut_formation = Some(next);
        tomorrow.date_fin_formation = Some(next);
        tomorrow.date_debut_validite = Some(next);
        assert_eq!(
            errors(&tomorrow),
            vec![
                pair(DATE_DEBUT_FORMATION, "future_date"),
                pair(DATE_FIN_FORMATION, "future_date")
            ]
        );
    }

    #[test]
    fn dates_have_a_four_digit_plausible_year() {
        let mut old = valid_adf();
        old.date_debut_formation = Some(date(1899, 12, 31));
        assert_only(&old, DATE_DEBUT_FORMATION, "out_of_range");

        let mut far = valid_adf();
        far.date_fin_validite = Some(date(10_000, 1, 1));
        assert_only(&far, DATE_FIN_VALIDITE, "out_of_range");
    }

    #[test]
    fn a_justificatif_names_its_type_and_title() {
        let mut no_type = valid_jdr();
        no_type.type_jdr = None;
        assert_only(&no_type, TYPE_JDR, "required");

        let mut no_title = valid_jdr();
        no_title.nom_jdr.clear();
        assert_only(&no_title, NOM_JDR, "required");
    }

    #[test]
    fn a_followed_training_requires_its_block() {
        let cases: Vec<(&str, Edit)> = vec![
            (NOM_FORMATION, |d| d.nom_formation.clear()),
            (DATE_DEBUT_FORMATION, |d| d.date_debut_formation = None),
            (DATE_FIN_FORMATION, |d| d.date_fin_formation = None),
            (FORMATION_CERTIFIANTE, |d| d.formation_certifiante = None),
        ];
        for (field, break_it) in cases {
            let mut declaration = valid_jdr();
            break_it(&mut declaration);
            assert_only(&declaration, field, "required");
        }
        let mut bare = valid_jdr();
        bare.modalite_dispense = None;
        bare.qualification_formateur = None;
        assert_eq!(errors(&bare), vec![]);
    }

    #[test]
    fn without_a_training_the_block_stays_empty() {
        let cases: Vec<(&str, Edit)> = vec![
            (NOM_FORMATION, |d| d.nom_formation = "SST".into()),
            (DATE_DEBUT_FORMATION, |d| {
                d.date_debut_formation = Some(date(2026, 6, 1))
            }),
            (DATE_FIN_FORMATION, |d| {
                d.date_fin_formation = Some(date(2026, 6, 1))
            }),
            (MODALITE_DISPENSE, |d| {
                d.modalite_dispense = Some(Modalite::Mixte)
            }),
            (QUALIFICATION_FORMATEUR, |d| {
                d.qualification_formateur = Some(QualificationFormateur::Ingenieur)
            }),
            (FORMATION_CERTIFIANTE, |d| {
                d.formation_certifiante = Some(false)
            }),
            (CERTIFICATION_VISEE, |d| {
                d.certification_visee = "RS5801".into()
            }),
            (DOMAINE_FORMATION, |d| {
                d.domaine_formation = strings(&["42829"])
            }),
            (SPECIALITE_FORMATION, |d| {
                d.specialite_formation = strings(&["344r"])
            }),
        ];
        for presence in [Some(false), None] {
            for (field, fill) in &cases {
                let mut declaration = valid_jdr_without_training();
                declaration.presence_formation = presence;
                fill(&mut declaration);
                assert_only(&declaration, field, "forbidden");
            }
        }
    }

    #[test]
    fn an_attestation_has_no_justificatif_columns() {
        let cases: Vec<(&str, Edit)> = vec![
            (TYPE_JDR, |d| d.type_jdr = Some(TypeJdr::Diplome)),
            (NOM_JDR, |d| d.nom_jdr = "CACES".into()),
            (NOM_OPTION_SPECIALITE, |d| {
                d.nom_option_specialite = "R489".into()
            }),
            (MODE_OBTENTION, |d| {
                d.mode_obtention = Some(ModeObtention::ParScoring)
            }),
            (PRESENCE_FORMATION, |d| d.presence_formation = Some(true)),
            (RESULTAT_OBTENU, |d| d.resultat_obtenu = "Admis".into()),
            (MENTION_OBTENUE, |d| d.mention_obtenue = "Bien".into()),
            (LIEN_PREUVE, |d| {
                d.lien_preuve = "https://example.org".into()
            }),
            (IDENTIFIANT_PREUVE, |d| d.identifiant_preuve = "P-1".into()),
        ];
        for (field, fill) in cases {
            let mut declaration = valid_adf();
            fill(&mut declaration);
            assert_only(&declaration, field, "forbidden");
        }
    }

    #[test]
    fn proof_link_is_an_http_url() {
        for bad in [
            "ftp://example.org",
            "https://",
            "example.org",
            "https://exa mple.org",
            "HTTPS//x",
            "https://exemple.fr/aaahttps://preuves.acme-logistique.fr/att/2026/000123.pdf",
        ] {
            let mut declaration = valid_jdr();
            declaration.lien_preuve = bad.into();
            assert_only(&declaration, LIEN_PREUVE, "invalid_url");
        }
        let mut plain = valid_jdr();
        plain.lien_preuve = "http://example.org/p?id=1".into();
        assert_eq!(errors(&plain), vec![]);
    }

    #[test]
    fn control_characters_and_separators_are_rejected_everywhere() {
        let cases: Vec<(&str, Append)> = vec![
            (ID_DECLARATION, |d, c| d.id_declaration.push_str(c)),
            (REFERENCE_DECLARATION, |d, c| {
                d.reference_declaration.push_str(c)
            }),
            (NOM_JDR, |d, c| d.nom_jdr.push_str(c)),
            (NOM_OPTION_SPECIALITE, |d, c| {
                d.nom_option_specialite.push_str(c)
            }),
            (NOM_FORMATION, |d, c| d.nom_formation.push_str(c)),
            (RESULTAT_OBTENU, |d, c| d.resultat_obtenu.push_str(c)),
            (MENTION_OBTENUE, |d, c| d.mention_obtenue.push_str(c)),
            (IDENTIFIANT_PREUVE, |d, c| d.identifiant_preuve.push_str(c)),
            ("titulaires[0].ID_UNIQUE_PARTENAIRE", |d, c| {
                d.titulaires[0].id_unique_partenaire.push_str(c)
            }),
            ("titulaires[0].NOM_TITULAIRE", |d, c| {
                d.titulaires[0].nom_titulaire.push_str(c)
            }),
            ("titulaires[0].REFERENCE_EMPLOYEUR", |d, c| {
                d.titulaires[0].reference_employeur.push_str(c)
            }),
        ];
        for (field, append) in cases {
            for (bad, code) in [
                ("\n", "control_character"),
                ("\u{202E}", "control_character"),
                ("|", "separator_character"),
                ("\u{200B}", "invisible_character"),
                ("\u{061C}", "invisible_character"),
                ("\u{00AD}", "invisible_character"),
                ("\u{2063}", "invisible_character"),
                ("\u{FEFF}", "invisible_character"),
                ("\u{E0041}", "invisible_character"),
            ] {
                let mut declaration = valid_jdr();
                append(&mut declaration, bad);
                assert_only(&declaration, field, code);
            }
        }
        let mut in_a_code = valid_jdr();
        in_a_code.competence_transferable[0].push('\t');
        assert_has(&in_a_code, COMPETENCE_TRANSFERABLE, "control_character");
        let mut in_a_nir = valid_jdr();
        in_a_nir.titulaires[0].nir.push('\u{2066}');
        assert_has(&in_a_nir, &first(NIR), "control_character");
        let mut in_a_link = valid_jdr();
        in_a_link.lien_preuve.push('\u{7f}');
        assert_has(&in_a_link, LIEN_PREUVE, "control_character");
    }

    #[test]
    fn a_value_a_spreadsheet_would_compute_is_refused_in_french() {
        let cases: Vec<(&str, Append)> = vec![
            (ID_DECLARATION, |d, v| d.id_declaration = v.into()),
            (REFERENCE_DECLARATION, |d, v| {
                d.reference_declaration = v.into()
            }),
            (NOM_JDR, |d, v| d.nom_jdr = v.into()),
            (NOM_FORMATION, |d, v| d.nom_formation = v.into()),
            (RESULTAT_OBTENU, |d, v| d.resultat_obtenu = v.into()),
            (MENTION_OBTENUE, |d, v| d.mention_obtenue = v.into()),
            (IDENTIFIANT_PREUVE, |d, v| d.identifiant_preuve = v.into()),
            ("titulaires[0].ID_UNIQUE_PARTENAIRE", |d, v| {
                d.titulaires[0].id_unique_partenaire = v.into()
            }),
            ("titulaires[0].NOM_TITULAIRE", |d, v| {
                d.titulaires[0].nom_titulaire = v.into()
            }),
            ("titulaires[0].REFERENCE_EMPLOYEUR", |d, v| {
                d.titulaires[0].reference_employeur = v.into()
            }),
        ];
        for (field, set) in cases {
            for value in ["=1+1", " =HYPERLINK(\"x\")", "+33", "-2+3", "@SUM(A1)"] {
                let mut declaration = valid_jdr();
                set(&mut declaration, value);
                assert_only(&declaration, field, "formula_start");
            }
        }
        let mut named = valid_adf();
        named.titulaires[0].nom_titulaire = "=DUPONT".into();
        let found = named
            .validate(DeclarantKind::OrganismeFormation, today())
            .unwrap_err();
        assert_eq!(
            found[0].message,
            "Le champ « nom de naissance du titulaire » commence par « = » : un tableur ouvrant \
             le fichier le lirait comme une formule ; retirez ce caractère."
        );
        for kept in ["Jean-Pierre", "A=B", "-25", "Sauveteur - secouriste"] {
            let mut declaration = valid_jdr();
            declaration.resultat_obtenu = kept.into();
            assert_eq!(
                declaration.validate(DeclarantKind::OrganismeFormation, today()),
                Ok(()),
                "{kept}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_in_one_call() {
        let mut declaration = valid_adf();
        declaration.titulaires[0].nir = format!("{NIR_13}00");
        declaration.titulaires[0].siret_employeur = "12345678912345".into();
        declaration.date_fin_formation = Some(date(2026, 5, 31));
        let found = errors(&declaration);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.contains(&pair(DATE_FIN_FORMATION, "date_order")));
        assert!(
            found
                .iter()
                .any(|(f, c)| f == &first(NIR) && c.starts_with("invalid_"))
        );
        assert!(
            found
                .iter()
                .any(|(f, c)| f == &first(SIRET_EMPLOYEUR) && c.starts_with("invalid_"))
        );
    }

    #[test]
    fn errors_name_official_columns_with_french_messages() {
        let mut broken = Declaration::new(DeclarationKind::Justificatif);
        broken.presence_formation = Some(true);
        broken.titulaires = vec![Titulaire::default(), Titulaire::default()];
        let errors = broken
            .validate(DeclarantKind::OrganismeFormation, today())
            .unwrap_err();
        assert!(errors.len() >= 10);
        for error in &errors {
            let column = error.field.rsplit('.').next().unwrap();
            assert!(JDR.contains(&column) || column == TITULAIRES, "{error:?}");
            assert!(
                error
                    .message
                    .starts_with(|c: char| c.is_uppercase() || c == '«'),
                "{error:?}"
            );
            assert!(error.message.ends_with('.'), "{error:?}");
        }
        assert!(
            errors
                .iter()
                .any(|e| e.message == "Le champ « NIR » est obligatoire.")
        );
    }

    #[test]
    fn helpers_follow_the_declaration_kind() {
        let adf = valid_adf();
        assert_eq!(adf.titulaire_count(), 1);
        assert_eq!(adf.reference_date(), Some(date(2026, 6, 2)));
        assert_eq!(adf.training_title(), "Sauveteur secouriste du travail");
        let mut jdr = valid_jdr();
        jdr.date_debut_validite = Some(date(2026, 6, 10));
        assert_eq!(jdr.reference_date(), Some(date(2026, 6, 10)));
        assert_eq!(
            jdr.training_title(),
            "Certificat de sauveteur secouriste du travail"
        );
        assert_eq!(
            Declaration::default(),
            Declaration::new(DeclarationKind::Attestation)
        );
    }

    #[test]
    fn column_lists_are_official_and_labelled() {
        assert_eq!(ADF.len(), 20);
        assert_eq!(JDR.len(), 29);
        assert_eq!(ADF[0], "ID_DECLARATION");
        assert_eq!(ADF[19], "DATE_FIN_VALIDITE");
        assert_eq!(JDR[3], "TYPE_JDR");
        assert_eq!(JDR[28], "IDENTIFIANT_PREUVE");
        for list in [&ADF[..], &JDR[..]] {
            for (i, column) in list.iter().enumerate() {
                assert!(!list[..i].contains(column), "{column} twice");
                assert!(
                    columns::label(column) != *column || *column == NIR,
                    "{column} has no label"
                );
            }
        }
        assert!(
            ADF.iter().all(|column| JDR.contains(column)),
            "every ADF column is a JDR column"
        );
        assert_eq!(columns::for_kind(DeclarationKind::Attestation), &ADF);
        assert_eq!(columns::for_kind(DeclarationKind::Justificatif), &JDR);
    }

    #[test]
    fn official_values_round_trip() {
        assert_eq!(Modalite::ALL.len(), 3);
        assert_eq!(QualificationFormateur::ALL.len(), 7);
        assert_eq!(TypeJdr::ALL.len(), 4);
        assert_eq!(ModeObtention::ALL.len(), 2);
        assert_eq!(Modalite::ADistance.as_code(), "A_DISTANCE");
        assert_eq!(
            QualificationFormateur::from_code("FORMATEUR_D_ADULTES_FORMATION_SPECIALISEE"),
            Some(QualificationFormateur::FormateurDAdultesFormationSpecialisee)
        );
        assert_eq!(TypeJdr::from_code("diplome"), None);
        for value in Modalite::ALL {
            assert_eq!(Modalite::from_code(value.as_code()), Some(*value));
            assert!(!value.label().is_empty());
        }
        for value in QualificationFormateur::ALL {
            assert_eq!(
                QualificationFormateur::from_code(value.as_code()),
                Some(*value)
            );
        }
        for value in TypeJdr::ALL {
            assert_eq!(TypeJdr::from_code(value.as_code()), Some(*value));
        }
        for value in ModeObtention::ALL {
            assert_eq!(ModeObtention::from_code(value.as_code()), Some(*value));
        }
    }

    #[test]
    fn serde_uses_snake_case_fields_and_official_tokens() {
        let text = r#"
            kind = "justificatif"
            type_jdr = "CERTIFICAT"
            mode_obtention = "PAR_SCORING"
            modalite_dispense = "A_DISTANCE"
            qualification_formateur = "RESPONSABLE_QHSE"
            competence_transferable = ["115650", "121885", "400635"]
            date_debut_validite = "2026-06-02"
            [[titulaires]]
            nir = "1850375112345"
            presence_employeur = false
        "#;
        let declaration: Declaration = toml::from_str(text).unwrap();
        assert_eq!(declaration.kind, DeclarationKind::Justificatif);
        assert_eq!(declaration.type_jdr, Some(TypeJdr::Certificat));
        assert_eq!(declaration.mode_obtention, Some(ModeObtention::ParScoring));
        assert_eq!(declaration.modalite_dispense, Some(Modalite::ADistance));
        assert_eq!(
            declaration.qualification_formateur,
            Some(QualificationFormateur::ResponsableQhse)
        );
        assert_eq!(declaration.date_debut_validite, Some(date(2026, 6, 2)));
        assert_eq!(declaration.titulaires[0].presence_employeur, Some(false));
        assert!(declaration.nom_jdr.is_empty());
        assert!(toml::from_str::<Declaration>("type_jdr = \"Certificat\"").is_err());
        assert_eq!(
            toml::from_str::<Declaration>("").unwrap(),
            Declaration::default()
        );
    }

    proptest! {
        #[test]
        fn birth_name_fits_30_characters(name in "[A-ZÉÈÀÇ' -]{1,40}") {
            prop_assume!(!name.trim().is_empty());
            // A leading hyphen is refused on its own (a_value_a_spreadsheet_would_compute…).
            prop_assume!(!name.trim_start().starts_with('-'));
            let mut declaration = valid_adf();
            declaration.titulaires[0].nom_titulaire = name.clone();
            let found = errors(&declaration);
            if name.chars().count() <= 30 {
                prop_assert_eq!(found, vec![]);
            } else {
                prop_assert_eq!(found, vec![pair(&first(NOM_TITULAIRE), "too_long")]);
            }
        }

        #[test]
        fn competence_count_depends_on_the_declarant(count in 0usize..14) {
            let mut declaration = valid_adf();
            declaration.competence_transferable = (0..count).map(|i| format!("1000{i:02}")).collect();
            let by_of = errors(&declaration).is_empty();
            let by_employer = errors_as(&declaration, DeclarantKind::Employeur).is_empty();
            prop_assert_eq!(by_of, (3..=10).contains(&count));
            prop_assert_eq!(by_employer, count == 0 || (3..=10).contains(&count));
        }

        #[test]
        fn date_order_errors_match_the_chain(offsets in proptest::array::uniform4(0i64..40)) {
            let base = date(2026, 1, 1);
            let dates: Vec<NaiveDate> = offsets.iter().map(|&days| base + chrono::Duration::days(days)).collect();
            let mut declaration = valid_adf();
            declaration.date_debut_formation = Some(dates[0]);
            declaration.date_fin_formation = Some(dates[1]);
            declaration.date_debut_validite = Some(dates[2]);
            declaration.date_fin_validite = Some(dates[3]);
            let fields = [DATE_DEBUT_FORMATION, DATE_FIN_FORMATION, DATE_DEBUT_VALIDITE, DATE_FIN_VALIDITE];
            let expected: Vec<_> = (1..4)
                .filter(|&i| dates[i] < dates[i - 1])
                .map(|i| pair(fields[i], "date_order"))
                .collect();
            prop_assert_eq!(errors(&declaration), expected);
        }

        #[test]
        fn any_control_character_is_caught(
            prefix in "[a-z]{0,10}",
            bad in prop_oneof![
                (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
                Just('\u{7f}'),
                (0x202Au32..=0x202E).prop_map(|c| char::from_u32(c).unwrap()),
                (0x2066u32..=0x2069).prop_map(|c| char::from_u32(c).unwrap()),
            ],
            suffix in "[a-z]{1,10}",
        ) {
            let mut declaration = valid_adf();
            declaration.nom_formation = format!("{prefix}{bad}{suffix}");
            prop_assert_eq!(errors(&declaration), vec![pair(NOM_FORMATION, "control_character")]);
        }
    }
}
