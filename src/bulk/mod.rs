//! The official bulk files of the Passeport de prévention: ADF (attestations de formation) and
//! JDR (justificatifs de réussite), the platform's file import open since 9 July 2026.
//!
//! Format (domain.md §8, "Guide import en masse OF ADF" and "Guide import en masse OF JDR",
//! February 2026, <https://passeport-prevention.travail-emploi.gouv.fr/espace-public/sites/pp/files/2026-02/>):
//! UTF-8, `|` between columns, one header line with the column names, then one line per
//! titulaire; several values in one column joined with `/`; dates `jj/mm/aaaa`; OUI/NON for
//! yes/no columns; the NIR in 13 characters, without its key.
//!
//! Not stated by the guides, so the safe guess **\[I\]**: CRLF line endings, no BOM, no quoting.
//! Since nothing is quoted, a value holding `|` or a line break would shift or split the columns:
//! such a value is refused, never written.
//!
//! The column sets and their order live in one place, [`crate::domain::declaration::columns`];
//! [`Layout`] only points at them.

pub mod acceptance;
pub mod conformity;
pub mod parts;
pub mod read;
pub mod sheet;
mod write;

pub use write::write;

use std::fmt;

use thiserror::Error;

use crate::domain::DeclarationKind;
use crate::domain::declaration::columns;
use crate::domain::ids::IdError;

/// Separator between the columns of a line.
pub const SEPARATOR: char = '|';
/// End of every line, the header's included.
pub const LINE_END: &str = "\r\n";
/// Separator between the values of a multi-valued column (skills, Formacodes, NSF codes).
pub const VALUE_SEPARATOR: char = '/';
/// Date format of the files, `jj/mm/aaaa` (chrono syntax).
pub const DATE_FORMAT: &str = "%d/%m/%Y";
/// Token of a yes/no column for yes.
pub const YES: &str = "OUI";
/// Token of a yes/no column for no.
pub const NO: &str = "NON";

/// One of the two official bulk-file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Attestations de formation: 20 columns.
    Adf,
    /// Justificatifs de réussite: 29 columns.
    Jdr,
}

impl Layout {
    /// The layout that carries declarations of `kind`.
    pub fn for_kind(kind: DeclarationKind) -> Self {
        match kind {
            DeclarationKind::Attestation => Self::Adf,
            DeclarationKind::Justificatif => Self::Jdr,
        }
    }

    /// The declaration kind this layout carries.
    pub fn kind(self) -> DeclarationKind {
        match self {
            Self::Adf => DeclarationKind::Attestation,
            Self::Jdr => DeclarationKind::Justificatif,
        }
    }

    /// The official column names, in file order.
    pub fn columns(self) -> &'static [&'static str] {
        columns::for_kind(self.kind())
    }

    /// The header line, without its line end.
    pub fn header(self) -> String {
        self.columns().join(&SEPARATOR.to_string())
    }
}

/// Where a refused value sits: the file line (the header is line 1), the titulaire's rank in
/// its declaration (from 1) and the official column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Line of the file, counting the header as line 1.
    pub line: usize,
    /// Rank of the titulaire in its declaration, from 1.
    pub titulaire: usize,
    /// Official column name.
    pub column: &'static str,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ligne {} (titulaire n° {} de la déclaration), colonne {} ({})",
            self.line,
            self.titulaire,
            self.column,
            columns::label(self.column)
        )
    }
}

/// Why a bulk file cannot be written. Messages are in French and never repeat a NIR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BulkError {
    /// A value holds `|`, the column separator.
    #[error(
        "{at} : la valeur contient le caractère « | », séparateur des colonnes du fichier ; \
         retirez-le."
    )]
    ColumnSeparator {
        /// The refused value's place.
        at: Place,
    },
    /// A value holds a line break (CR, LF or another line or paragraph separator).
    #[error(
        "{at} : la valeur contient un retour à la ligne ; le fichier compte une ligne par \
         titulaire, retirez-le."
    )]
    LineBreak {
        /// The refused value's place.
        at: Place,
    },
    /// A value that a spreadsheet opening the file would compute as a formula (security review
    /// M6): the official file keeps its bytes, so the value is refused.
    #[error(
        "{at} : la valeur commence par « {first} » : un tableur ouvrant le fichier la lirait \
         comme une formule ; retirez ce caractère."
    )]
    FormulaStart {
        /// The refused value's place.
        at: Place,
        /// Its first character.
        first: char,
    },
    /// One value of a multi-valued column holds `/`, the separator between values.
    #[error(
        "{at} : la valeur n° {position} contient le caractère « / », séparateur des valeurs \
         multiples ; saisissez un code par valeur."
    )]
    ValueSeparator {
        /// The refused value's place.
        at: Place,
        /// Rank of the value in the column, from 1.
        position: usize,
    },
    /// An identifier (NIR, SIRET, code) that cannot be read, so cannot be written in its
    /// official form.
    #[error("{at} : {source}.")]
    InvalidIdentifier {
        /// The refused value's place.
        at: Place,
        /// Why the identifier was refused.
        source: IdError,
    },
    /// An `ID_UNIQUE_PARTENAIRE` already used on an earlier line of the file.
    #[error(
        "Ligne {line} : l'identifiant unique partenaire (ID_UNIQUE_PARTENAIRE) figure déjà \
         ligne {first_line} ; il doit être unique, sinon la plateforme rejette le fichier."
    )]
    DuplicateIdUniquePartenaire {
        /// The line repeating it.
        line: usize,
        /// The line that used it first.
        first_line: usize,
    },
    /// Two declarations with the same `ID_DECLARATION`: their lines could carry different
    /// training data, which rejects the file.
    #[error(
        "Ligne {line} : l'identifiant de la déclaration (ID_DECLARATION) est déjà celui de la \
         déclaration commencée ligne {first_line} ; chaque déclaration doit avoir le sien."
    )]
    DuplicateIdDeclaration {
        /// The first line of the second declaration.
        line: usize,
        /// The first line of the declaration that used it first.
        first_line: usize,
    },
    /// A declaration without titulaire would have no line, so would silently vanish.
    #[error(
        "La déclaration n° {declaration} du fichier n'a aucun titulaire : il en faut au moins un, \
         le fichier comptant une ligne par titulaire."
    )]
    NoTitulaire {
        /// Rank of the declaration among those written, from 1.
        declaration: usize,
    },
    /// A layout names a column the writer does not know (a changed official column set).
    #[error("Colonne « {column} » inconnue : ce format de fichier n'est pas pris en charge.")]
    UnknownColumn {
        /// The column name.
        column: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_point_at_the_official_column_lists() {
        assert_eq!(Layout::Adf.columns(), &columns::ADF);
        assert_eq!(Layout::Jdr.columns(), &columns::JDR);
        assert_eq!(Layout::Adf.columns().len(), 20);
        assert_eq!(Layout::Jdr.columns().len(), 29);
    }

    #[test]
    fn layout_and_kind_correspond() {
        for layout in [Layout::Adf, Layout::Jdr] {
            assert_eq!(Layout::for_kind(layout.kind()), layout);
        }
        assert_eq!(Layout::for_kind(DeclarationKind::Attestation), Layout::Adf);
        assert_eq!(Layout::for_kind(DeclarationKind::Justificatif), Layout::Jdr);
    }

    #[test]
    fn header_is_the_columns_joined_with_pipes() {
        assert!(Layout::Adf.header().starts_with(
            "ID_DECLARATION|REFERENCE_DECLARATION|ID_UNIQUE_PARTENAIRE|NOM_FORMATION|"
        ));
        assert!(
            Layout::Adf
                .header()
                .ends_with("DATE_DEBUT_VALIDITE|DATE_FIN_VALIDITE")
        );
        assert_eq!(Layout::Jdr.header().matches('|').count(), 28);
    }

    #[test]
    fn messages_name_line_titulaire_and_column_in_french() {
        let error = BulkError::ColumnSeparator {
            at: Place {
                line: 3,
                titulaire: 2,
                column: columns::NOM_TITULAIRE,
            },
        };
        assert_eq!(
            error.to_string(),
            "Ligne 3 (titulaire n° 2 de la déclaration), colonne NOM_TITULAIRE (nom de naissance \
             du titulaire) : la valeur contient le caractère « | », séparateur des colonnes du \
             fichier ; retirez-le."
        );
    }
}
