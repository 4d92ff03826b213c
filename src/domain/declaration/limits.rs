//! The official maximum length of every column of the bulk files, in one table: the form stops
//! typing there, [`Declaration::validate`](super::Declaration::validate) refuses past it, and so
//! the API (422) and `passeport import` (line, column) refuse it too.
//!
//! Source: domain.md §8, "Guide import en masse OF ADF" and "Guide import en masse OF JDR"
//! (February 2026), <https://passeport-prevention.travail-emploi.gouv.fr/espace-public/sites/pp/files/2026-02/>.
//! Lengths are counted in characters of the value written in the file (codes joined by `/`).
//! Where the guides give no length, the value is an assumption, marked **[I]**.

use super::columns::*;

/// How a column's length is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Characters of the text as written.
    Text,
    /// Characters of the codes joined by `/` (the file's multi-value separator).
    Joined,
    /// Characters of the identifier once its spaces are removed (NIR, SIRET, certification).
    Compact,
}

/// One column's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The official column.
    pub column: &'static str,
    /// Maximum characters in the file.
    pub max: usize,
    /// How the length is measured.
    pub measure: Measure,
    /// False when the guides state no length and the value is an assumption [I].
    pub official: bool,
}

const fn limit(column: &'static str, max: usize, measure: Measure, official: bool) -> Limit {
    Limit {
        column,
        max,
        measure,
        official,
    }
}

/// Every typed column of the ADF and JDR layouts and its maximum (domain.md §8). Choice and
/// OUI/NON columns hold a fixed token and have no typed length.
pub const LIMITS: [Limit; 22] = [
    limit(ID_DECLARATION, 255, Measure::Text, true),
    limit(REFERENCE_DECLARATION, 280, Measure::Text, true),
    limit(ID_UNIQUE_PARTENAIRE, 255, Measure::Text, true),
    limit(NOM_FORMATION, 250, Measure::Text, true),
    limit(NOM_JDR, 255, Measure::Text, true),
    // [I] No length is stated for NOM_OPTION_SPECIALITE: the 255 of its neighbours.
    limit(NOM_OPTION_SPECIALITE, 255, Measure::Text, false),
    limit(COMPETENCE_TRANSFERABLE, 70, Measure::Joined, true),
    limit(CERTIFICATION_VISEE, 9, Measure::Compact, true),
    limit(DOMAINE_FORMATION, 30, Measure::Joined, true),
    limit(SPECIALITE_FORMATION, 15, Measure::Joined, true),
    limit(NIR, 13, Measure::Compact, true),
    limit(NOM_TITULAIRE, 30, Measure::Text, true),
    limit(SIRET_EMPLOYEUR, 14, Measure::Compact, true),
    limit(REFERENCE_EMPLOYEUR, 255, Measure::Text, true),
    // Dates are written jj/mm/aaaa (domain.md §8): 10 characters.
    limit(DATE_DEBUT_FORMATION, 10, Measure::Text, true),
    limit(DATE_FIN_FORMATION, 10, Measure::Text, true),
    limit(DATE_DEBUT_VALIDITE, 10, Measure::Text, true),
    limit(DATE_FIN_VALIDITE, 10, Measure::Text, true),
    limit(RESULTAT_OBTENU, 1000, Measure::Text, true),
    limit(MENTION_OBTENUE, 255, Measure::Text, true),
    // [I] The guides say only « an http(s) URL »: the 255 of IDENTIFIANT_PREUVE, its pair. A
    // durable proof link fits; the 5,054-character paste of the UX review does not.
    limit(LIEN_PREUVE, 255, Measure::Text, false),
    limit(IDENTIFIANT_PREUVE, 255, Measure::Text, true),
];

/// The limit of an official column (a field path `titulaires[0].NIR` is read as its column).
pub fn of(column: &str) -> Option<Limit> {
    let column = column.rsplit('.').next().unwrap_or(column);
    LIMITS.iter().copied().find(|l| l.column == column)
}

/// The maximum length of an official column.
pub fn max_length(column: &str) -> Option<usize> {
    of(column).map(|l| l.max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_column_of_both_layouts_has_one_limit() {
        let choices = [
            TYPE_JDR,
            MODE_OBTENTION,
            PRESENCE_FORMATION,
            MODALITE_DISPENSE,
            QUALIFICATION_FORMATEUR,
            FORMATION_CERTIFIANTE,
            PRESENCE_EMPLOYEUR,
        ];
        for column in ADF.iter().chain(JDR.iter()) {
            let found = LIMITS.iter().filter(|l| l.column == *column).count();
            let expected = usize::from(!choices.contains(column));
            assert_eq!(found, expected, "{column}");
        }
    }

    #[test]
    fn the_guides_lengths() {
        assert_eq!(max_length(NOM_FORMATION), Some(250));
        assert_eq!(max_length(REFERENCE_DECLARATION), Some(280));
        assert_eq!(max_length("titulaires[3].NOM_TITULAIRE"), Some(30));
        assert_eq!(max_length(NIR), Some(13));
        assert_eq!(max_length(CERTIFICATION_VISEE), Some(9));
        assert_eq!(max_length(RESULTAT_OBTENU), Some(1000));
        assert_eq!(max_length(LIEN_PREUVE), Some(255));
        assert_eq!(max_length(TYPE_JDR), None);
        assert!(
            !of(LIEN_PREUVE).is_some_and(|l| l.official),
            "an assumption"
        );
    }
}
