//! A NIR as the API hands it to a reader: in full, or masked when the reader is a `lecture`
//! user without the NIR access (issue 17 §2). The server masks every `nir` field of such an
//! answer; the client reads either form into [`NirView`] and only offers what needs the full
//! number when it has it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::StaffRecord;
use crate::domain::ids::{IdError, MaskedNir, Nir};
use crate::domain::worker::Worker;

/// A worker as the API sends it: the NIR in full or masked.
pub type WorkerView = Worker<NirView>;

/// A worker with their employment as the API sends it: the NIR in full or masked.
pub type StaffView = StaffRecord<NirView>;

/// A NIR in an answer: the number, or its masked form (`1 85 03 •• ••• ••• ••`). Serialised as
/// the string it was read from: 13 characters, or the masked form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NirView {
    /// The reader may see the number.
    Clear(Nir),
    /// The server masked it for this reader.
    Masked(MaskedNir),
}

impl NirView {
    /// The number, when the reader may see it.
    pub fn clear(&self) -> Option<&Nir> {
        match self {
            Self::Clear(nir) => Some(nir),
            Self::Masked(_) => None,
        }
    }

    /// The text as the server sent it: the 13 characters, or the masked form. Code that needs
    /// the number itself asks [`NirView::clear`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::Clear(nir) => nir.as_str(),
            Self::Masked(masked) => masked.as_str(),
        }
    }

    /// Whether the server masked it.
    pub fn is_masked(&self) -> bool {
        matches!(self, Self::Masked(_))
    }

    /// The masked form, whichever was received (lists show no more, design.md §5).
    pub fn masked(&self) -> String {
        match self {
            Self::Clear(nir) => nir.masked(),
            Self::Masked(masked) => masked.as_str().to_owned(),
        }
    }

    /// The digits a roster search matches: all 13 of a clear number, the visible ones of a
    /// masked one.
    pub fn search_digits(&self) -> String {
        match self {
            Self::Clear(nir) => nir.as_str().to_owned(),
            Self::Masked(masked) => masked.visible_digits(),
        }
    }

    /// A NIR field of an answer held as text (a titulaire's, a trainee's) in its masked form,
    /// whether the server sent it clear or masked; `None` when it reads as neither.
    pub fn masked_text(text: &str) -> Option<String> {
        text.parse::<Self>().ok().map(|view| view.masked())
    }
}

impl From<Nir> for NirView {
    fn from(nir: Nir) -> Self {
        Self::Clear(nir)
    }
}

impl FromStr for NirView {
    type Err = IdError;

    /// A NIR in full (13 or 15 characters), else its masked form.
    fn from_str(text: &str) -> Result<Self, IdError> {
        match text.parse::<Nir>() {
            Ok(nir) => Ok(Self::Clear(nir)),
            Err(error) if !text.contains('•') => Err(error),
            Err(_) => text.parse::<MaskedNir>().map(Self::Masked),
        }
    }
}

impl TryFrom<String> for NirView {
    type Error = IdError;

    fn try_from(text: String) -> Result<Self, IdError> {
        text.parse()
    }
}

impl From<NirView> for String {
    fn from(view: NirView) -> String {
        view.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_form_reads_and_is_written_back_as_received() {
        let clear: NirView = serde_json::from_str("\"1850375112345\"").unwrap();
        assert_eq!(clear.clear().map(Nir::as_str), Some("1850375112345"));
        assert_eq!(clear.masked(), "1 85 03 •• ••• ••• ••");
        assert_eq!(clear.search_digits(), "1850375112345");
        assert_eq!(clear.as_str(), "1850375112345");
        assert_eq!(serde_json::to_string(&clear).unwrap(), "\"1850375112345\"");
        let masked: NirView = serde_json::from_str("\"1 85 03 •• ••• ••• ••\"").unwrap();
        assert!(masked.is_masked() && masked.clear().is_none());
        assert_eq!(masked.masked(), "1 85 03 •• ••• ••• ••");
        assert_eq!(masked.search_digits(), "18503");
        assert_eq!(
            serde_json::to_string(&masked).unwrap(),
            "\"1 85 03 •• ••• ••• ••\""
        );
    }

    #[test]
    fn what_is_neither_is_refused_with_the_nir_error() {
        assert_eq!(
            "185037511234512".parse::<NirView>().unwrap_err().code(),
            "invalid_key"
        );
        assert_eq!(
            "1 85 03 75 ••• ••• ••"
                .parse::<NirView>()
                .unwrap_err()
                .code(),
            "invalid_format"
        );
        assert_eq!(NirView::masked_text("••••"), None);
        assert_eq!(
            NirView::masked_text("185037511234594").as_deref(),
            Some("1 85 03 •• ••• ••• ••")
        );
    }
}
