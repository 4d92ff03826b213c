//! Loading the rules files of `assets/` (catalogue, deadlines, simulator tree).
//!
//! Each file is embedded in the binary with `include_str!` and may be overridden by a file of the
//! same name in the configuration directory. A broken file is a [`RulesError`] naming the file and
//! the line, never a panic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::domain::deadline::{DEADLINES_TOML, DeadlineRules};
use crate::domain::training::{CATALOGUE_TOML, Catalogue};
use crate::simulator::{SIMULATOR_TOML, Tree};

/// Every rules file, loaded and checked.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Training types and validity periods (`catalogue.toml`).
    pub catalogue: Arc<Catalogue>,
    /// Declaration deadlines and scope dates (`deadlines.toml`).
    pub deadlines: Arc<DeadlineRules>,
    /// The simulator's decision tree (`simulator.toml`).
    pub simulator: Arc<Tree>,
}

impl Rules {
    /// Loads the three files, each from `config_dir` when overridden there, else embedded.
    pub fn load(config_dir: Option<&Path>) -> Result<Self, RulesError> {
        let src = read_source("catalogue.toml", CATALOGUE_TOML, config_dir)?;
        let catalogue = Catalogue::from_toml(&src.path, &src.text)?;
        let src = read_source("deadlines.toml", DEADLINES_TOML, config_dir)?;
        let deadlines = DeadlineRules::from_toml(&src.path, &src.text)?;
        let src = read_source("simulator.toml", SIMULATOR_TOML, config_dir)?;
        let simulator = Tree::from_toml(&src.path, &src.text)?;
        simulator.check_catalogue(&src.path, &catalogue)?;
        Ok(Self {
            catalogue: Arc::new(catalogue),
            deadlines: Arc::new(deadlines),
            simulator: Arc::new(simulator),
        })
    }

    /// The embedded rules only (tests, benchmarks).
    pub fn embedded() -> Result<Self, RulesError> {
        Self::load(None)
    }
}

/// A rules file that could not be read, parsed or checked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RulesError {
    /// The override file exists but cannot be read.
    #[error("{path} : lecture impossible ({reason})")]
    Unreadable {
        /// Path of the file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// Others could change the override file or its folder.
    #[error("{0}")]
    Untrusted(#[from] crate::paths::Untrusted),
    /// The file is not valid TOML or does not have the expected shape.
    #[error("{path}, ligne {line} : {message}")]
    Syntax {
        /// Path (or embedded name) of the file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong, in French where we write it.
        message: String,
    },
    /// The file parses but breaks a consistency rule (unknown reference, cycle…).
    #[error("{path} : {message}")]
    Invalid {
        /// Path (or embedded name) of the file.
        path: String,
        /// What is wrong, in French.
        message: String,
    },
}

/// Where a rules file's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Display name: `assets/NAME` (embedded) or the override's path.
    pub path: String,
    /// The text of the file.
    pub text: String,
}

/// Returns the override in `config_dir` when one exists, else the embedded text.
pub fn read_source(
    name: &str,
    embedded: &str,
    config_dir: Option<&Path>,
) -> Result<Source, RulesError> {
    if let Some(dir) = config_dir {
        let path: PathBuf = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                crate::paths::check_trusted(&path)?;
                return Ok(Source {
                    path: path.display().to_string(),
                    text,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(RulesError::Unreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(Source {
        path: format!("assets/{name}"),
        text: embedded.to_owned(),
    })
}

/// Parses a TOML text into `T`, turning errors into [`RulesError::Syntax`] with the line number.
pub fn parse_toml<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, RulesError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| line_of(text, span.start));
        RulesError::Syntax {
            path: path.to_owned(),
            line,
            message: e.message().trim().to_owned(),
        }
    })
}

/// 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        months: u32,
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let err =
            parse_toml::<Sample>("x.toml", "name = \"a\"\n\nmonths = \"douze\"\n").unwrap_err();
        match err {
            RulesError::Syntax { path, line, .. } => {
                assert_eq!(path, "x.toml");
                assert_eq!(line, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn embedded_rules_load() {
        let rules = Rules::embedded().unwrap();
        assert!(rules.catalogue.get("SST").is_some());
    }

    #[test]
    fn broken_override_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("catalogue.toml"),
            "[[types]]\ncode = \"SST\"\ncategory = \n",
        )
        .unwrap();
        let err = Rules::load(Some(dir.path())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("catalogue.toml"), "{text}");
        assert!(matches!(err, RulesError::Syntax { line: 3, .. }), "{err:?}");
    }

    #[test]
    fn override_wins_over_embedded() {
        let dir = std::env::temp_dir().join(format!("passeport-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("r.toml"), "over").unwrap();
        let src = read_source("r.toml", "embedded", Some(&dir)).unwrap();
        assert_eq!(src.text, "over");
        let src = read_source("absent.toml", "embedded", Some(&dir)).unwrap();
        assert_eq!(src.text, "embedded");
        assert_eq!(src.path, "assets/absent.toml");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
