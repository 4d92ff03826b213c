//! Declaration drafts that are never lost (design.md §5): each declaration being entered is a JSON
//! file `<id>.json` in `data_dir()/drafts/`, rewritten on every change ATOMICALLY (temporary file
//! in the same directory, fsync, rename over the old file, fsync of the directory), so a crash,
//! a `kill -9` or a dropped SSH link leaves either the previous or the new version, never a torn
//! one. Each draft carries the idempotency key of its submission, generated once at creation, so
//! a retry after a timeout never creates a second declaration.
//!
//! The files hold NIRs (personal data): they are created `0600` in a `0700` directory.
//!
//! This is the I/O edge; the form that fills a [`Draft`] is pure (`tui::form`).

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, PoisonError};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::declaration::Declaration;
use crate::domain::session::SessionId;
use crate::domain::{DeclarantKind, DeclarationKind};
use crate::paths::{self, NoHome};

/// Version of the draft file layout.
pub const DRAFT_VERSION: u32 = 1;

/// Name of the drafts folder inside the data directory.
pub const DRAFTS_DIR: &str = "drafts";

/// The step of the form a draft was left at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStep {
    /// The training block (and, for a justificatif, the certificate fields).
    #[default]
    Training,
    /// The list of titulaires.
    Titulaires,
    /// The review before submission.
    Review,
}

/// Where the form stood when the draft was saved, to reopen it exactly as left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftPosition {
    /// The step shown.
    pub step: DraftStep,
    /// The focused field, by its key (`NOM_FORMATION`, `titulaires[1].NIR`); none for a list.
    pub field: Option<String>,
    /// The selected titulaire (0-based) on the titulaires step.
    pub titulaire: usize,
    /// The selected problem on the review step.
    pub problem: usize,
}

/// A declaration being entered. `Debug` masks the NIRs typed (personal data).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Layout version ([`DRAFT_VERSION`]).
    pub version: u32,
    /// Identifier, also the file name (`<id>.json`): 32 lowercase hex digits.
    pub id: String,
    /// The `Idempotency-Key` of the submission: 128 random bits in hex, fixed at creation.
    pub idempotency_key: String,
    /// Increases with every change; an older revision never overwrites a newer one.
    pub revision: u64,
    /// Who declares (decides which codes are required).
    pub declarant: DeclarantKind,
    /// The declaration as the form builds it from the fields.
    pub declaration: Declaration,
    /// Every text field exactly as typed, by field key (`DATE_FIN_FORMATION`,
    /// `titulaires[0].NIR`), including values the declaration cannot hold (a date being typed).
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Where the form stood.
    #[serde(default)]
    pub position: DraftPosition,
    /// Number given to the next titulaire line (`ID_UNIQUE_PARTENAIRE` suffix), never reused.
    #[serde(default)]
    pub next_line: u32,
    /// The session the declaration was started from, if any.
    #[serde(default)]
    pub session_id: Option<SessionId>,
    /// The deadline the simulator computed, if any.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// True once a submission was sent: its outcome may be unknown (timeout), so the draft is
    /// frozen and may only be sent again unchanged, under the same key.
    #[serde(default)]
    pub submit_attempted: bool,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inputs: BTreeMap<&str, &str> = self
            .inputs
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if k.ends_with("NIR") {
                        "<masqué>"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("Draft")
            .field("id", &self.id)
            .field("revision", &self.revision)
            .field("declarant", &self.declarant)
            .field("declaration", &self.declaration)
            .field("inputs", &inputs)
            .field("position", &self.position)
            .field("next_line", &self.next_line)
            .field("session_id", &self.session_id)
            .field("due_date", &self.due_date)
            .field("submit_attempted", &self.submit_attempted)
            .finish_non_exhaustive()
    }
}

impl Draft {
    /// A new empty draft with a fresh id and idempotency key.
    pub fn new(declarant: DeclarantKind, kind: DeclarationKind) -> Self {
        Self {
            version: DRAFT_VERSION,
            id: random_hex(),
            idempotency_key: random_hex(),
            revision: 0,
            declarant,
            declaration: Declaration::new(kind),
            inputs: BTreeMap::new(),
            position: DraftPosition::default(),
            next_line: 1,
            session_id: None,
            due_date: None,
            submit_attempted: false,
        }
    }

    /// The title shown in the drafts list (`NOM_FORMATION`, or `NOM_JDR` for a justificatif
    /// without one).
    pub fn title(&self) -> &str {
        let d = &self.declaration;
        if !d.nom_formation.trim().is_empty() {
            &d.nom_formation
        } else {
            &d.nom_jdr
        }
    }

    /// The date shown in the drafts list: the end of the training, else the validity start.
    pub fn date(&self) -> Option<NaiveDate> {
        self.declaration
            .date_fin_formation
            .or(self.declaration.date_debut_validite)
    }
}

/// 128 random bits (OS-seeded CSPRNG) as 32 lowercase hex digits.
pub fn random_hex() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A draft file that exists but cannot be read back: shown as such, never deleted silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorruptDraft {
    /// The id (file name without `.json`), to delete it on request.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Why it cannot be read, in French.
    pub message: String,
}

/// One file of the drafts folder.
#[derive(Debug, Clone, PartialEq)]
pub enum ListedDraft {
    /// A draft read back.
    Readable(Box<Draft>),
    /// A file that is not a readable draft.
    Corrupt(CorruptDraft),
}

impl ListedDraft {
    /// The id of the draft or of the unreadable file.
    pub fn id(&self) -> &str {
        match self {
            Self::Readable(draft) => &draft.id,
            Self::Corrupt(corrupt) => &corrupt.id,
        }
    }
}

/// A draft operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// No place for the data directory.
    #[error(transparent)]
    NoHome(#[from] NoHome),
    /// The file system refused.
    #[error("brouillon {path} : {action} impossible ({source})")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done, in French.
        action: &'static str,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file exists but is not a readable draft.
    #[error("brouillon {path} illisible : {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why, in French.
        message: String,
    },
    /// An id that could name a file outside the drafts folder.
    #[error("identifiant de brouillon invalide : « {0} »")]
    BadId(String),
}

/// The drafts folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftStore {
    dir: PathBuf,
}

/// The last revision written per draft file by this process (`u64::MAX` once deleted), so that
/// saves finishing out of order never put an older revision over a newer one.
static WRITTEN: LazyLock<Mutex<HashMap<PathBuf, u64>>> = LazyLock::new(Mutex::default);

/// Ids are file names: ASCII letters, digits, `-` and `_`, at most 64.
fn check_id(id: &str) -> Result<(), DraftError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(DraftError::BadId(id.to_owned()))
    }
}

fn io_error<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> DraftError + 'a {
    move |source| DraftError::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

impl DraftStore {
    /// A store over `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store of the user's data directory: `data_dir()/drafts`.
    pub fn open_default() -> Result<Self, DraftError> {
        Ok(Self::new(paths::data_dir()?.join(DRAFTS_DIR)))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of a draft.
    pub fn path_of(&self, id: &str) -> Result<PathBuf, DraftError> {
        check_id(id)?;
        Ok(self.dir.join(format!("{id}.json")))
    }

    fn create_dir(&self) -> Result<(), DraftError> {
        paths::create_private_dir(&self.dir).map_err(io_error(&self.dir, "création du dossier"))
    }

    /// Writes a draft atomically. Returns `false` (and writes nothing) when this process already
    /// wrote a newer revision of it, or deleted it.
    pub fn save(&self, draft: &Draft) -> Result<bool, DraftError> {
        let path = self.path_of(&draft.id)?;
        let mut written = WRITTEN.lock().unwrap_or_else(PoisonError::into_inner);
        if written
            .get(&path)
            .is_some_and(|last| *last > draft.revision)
        {
            return Ok(false);
        }
        self.create_dir()?;
        let body = serde_json::to_vec_pretty(draft).map_err(|e| DraftError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let temp = self
            .dir
            .join(format!(".{}.{}.tmp", draft.id, std::process::id()));
        let result = write_synced(&temp, &body).and_then(|()| {
            fs::rename(&temp, &path).map_err(io_error(&path, "remplacement"))?;
            sync_dir(&self.dir)
        });
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result?;
        written.insert(path, draft.revision);
        Ok(true)
    }

    /// Reads one draft.
    pub fn load(&self, id: &str) -> Result<Draft, DraftError> {
        let path = self.path_of(id)?;
        let bytes = fs::read(&path).map_err(io_error(&path, "lecture"))?;
        parse(id, &path, &bytes)
    }

    /// Every draft file, readable or not, most recently changed first. A missing folder is an
    /// empty list; temporary files of an interrupted write are skipped.
    pub fn list(&self) -> Result<Vec<ListedDraft>, DraftError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir, "lecture du dossier")(e)),
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&self.dir, "lecture du dossier"))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            let listed = match check_id(id)
                .and_then(|()| fs::read(&path).map_err(io_error(&path, "lecture")))
                .and_then(|bytes| parse(id, &path, &bytes))
            {
                Ok(draft) => ListedDraft::Readable(Box::new(draft)),
                Err(error) => ListedDraft::Corrupt(CorruptDraft {
                    id: id.to_owned(),
                    path: path.clone(),
                    message: match error {
                        DraftError::Corrupt { message, .. } => message,
                        other => other.to_string(),
                    },
                }),
            };
            found.push((modified, listed));
        }
        found.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.id().cmp(y.id())));
        Ok(found.into_iter().map(|(_, listed)| listed).collect())
    }

    /// Deletes a draft file (readable or not); a missing file is not an error. Later saves of the
    /// same draft by this process are ignored.
    pub fn delete(&self, id: &str) -> Result<(), DraftError> {
        let path = self.path_of(id)?;
        let mut written = WRITTEN.lock().unwrap_or_else(PoisonError::into_inner);
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(&self.dir)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&path, "suppression")(e)),
        }
        written.insert(path, u64::MAX);
        Ok(())
    }
}

fn parse(id: &str, path: &Path, bytes: &[u8]) -> Result<Draft, DraftError> {
    let corrupt = |message: String| DraftError::Corrupt {
        path: path.to_owned(),
        message,
    };
    let draft: Draft =
        serde_json::from_slice(bytes).map_err(|e| corrupt(format!("JSON invalide ({e})")))?;
    if draft.version != DRAFT_VERSION {
        return Err(corrupt(format!(
            "version {} inconnue (attendue : {DRAFT_VERSION})",
            draft.version
        )));
    }
    if draft.id != id {
        return Err(corrupt(format!(
            "l'identifiant « {} » ne correspond pas au nom du fichier",
            draft.id
        )));
    }
    Ok(draft)
}

/// Creates `path` (0600), writes `body` and flushes it to the disk.
fn write_synced(path: &Path, body: &[u8]) -> Result<(), DraftError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io_error(path, "création"))?;
    file.write_all(body).map_err(io_error(path, "écriture"))?;
    file.sync_all().map_err(io_error(path, "synchronisation"))
}

/// Flushes the directory entry (the rename) to the disk.
fn sync_dir(dir: &Path) -> Result<(), DraftError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir, "synchronisation du dossier"))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::declaration::Titulaire;

    fn draft() -> Draft {
        let mut d = Draft::new(
            DeclarantKind::OrganismeFormation,
            DeclarationKind::Attestation,
        );
        d.declaration.nom_formation = "Sauveteur secouriste du travail".into();
        d.declaration.date_fin_formation = NaiveDate::from_ymd_opt(2026, 10, 15);
        d.declaration.titulaires.push(Titulaire {
            nir: "1850375112345".into(),
            nom_titulaire: "DUPONT".into(),
            ..Titulaire::default()
        });
        d.inputs
            .insert("DATE_DEBUT_FORMATION".into(), "31/02/20".into());
        d.inputs
            .insert("titulaires[0].NIR".into(), "1850375112345".into());
        d.position = DraftPosition {
            step: DraftStep::Titulaires,
            field: Some("titulaires[0].NIR".into()),
            titulaire: 0,
            problem: 0,
        };
        d
    }

    #[test]
    fn ids_and_keys_are_128_bit_hex_and_distinct() {
        let keys: std::collections::HashSet<String> = (0..200).map(|_| random_hex()).collect();
        assert_eq!(keys.len(), 200);
        for key in &keys {
            assert_eq!(key.len(), 32);
            assert!(
                key.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
        let d = draft();
        assert_ne!(d.id, d.idempotency_key);
    }

    #[test]
    fn save_then_load_and_list_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts"));
        assert!(
            store.list().unwrap().is_empty(),
            "missing folder: no drafts"
        );
        let d = draft();
        assert!(store.save(&d).unwrap());
        assert_eq!(store.load(&d.id).unwrap(), d);
        assert_eq!(
            store.list().unwrap(),
            vec![ListedDraft::Readable(Box::new(d.clone()))]
        );
        // Nothing else left behind: no temporary file.
        let names: Vec<String> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![format!("{}.json", d.id)]);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts"));
        let d = draft();
        store.save(&d).unwrap();
        let mode = fs::metadata(store.path_of(&d.id).unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = fs::metadata(store.dir()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn an_older_revision_never_overwrites_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        let mut d = draft();
        d.revision = 5;
        d.declaration.nom_formation = "cinq".into();
        assert!(store.save(&d).unwrap());
        let mut old = d.clone();
        old.revision = 4;
        old.declaration.nom_formation = "quatre".into();
        assert!(!store.save(&old).unwrap());
        assert_eq!(store.load(&d.id).unwrap().declaration.nom_formation, "cinq");
        d.revision = 6;
        d.declaration.nom_formation = "six".into();
        assert!(store.save(&d).unwrap());
        assert_eq!(store.load(&d.id).unwrap().declaration.nom_formation, "six");
    }

    #[test]
    fn delete_removes_and_later_saves_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        let mut d = draft();
        store.save(&d).unwrap();
        store.delete(&d.id).unwrap();
        assert!(store.list().unwrap().is_empty());
        store.delete(&d.id).unwrap();
        d.revision += 1;
        assert!(
            !store.save(&d).unwrap(),
            "a save racing the deletion must not resurrect it"
        );
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn corrupt_files_are_listed_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        let good = draft();
        store.save(&good).unwrap();
        fs::write(dir.path().join("abc.json"), b"{ pas du json").unwrap();
        let mut other = draft();
        other.version = 99;
        fs::write(
            dir.path().join(format!("{}.json", other.id)),
            serde_json::to_vec(&other).unwrap(),
        )
        .unwrap();
        let mut renamed = draft();
        renamed.id = "autre".into();
        fs::write(
            dir.path().join("pas-le-bon.json"),
            serde_json::to_vec(&renamed).unwrap(),
        )
        .unwrap();
        // An interrupted write and a foreign file are not drafts.
        fs::write(dir.path().join(format!(".{}.1.tmp", good.id)), b"{").unwrap();
        fs::write(dir.path().join("notes.txt"), b"x").unwrap();

        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 4);
        let corrupt: BTreeMap<String, String> = listed
            .iter()
            .filter_map(|l| match l {
                ListedDraft::Corrupt(c) => Some((c.id.clone(), c.message.clone())),
                ListedDraft::Readable(_) => None,
            })
            .collect();
        assert!(corrupt["abc"].contains("JSON invalide"), "{corrupt:?}");
        assert!(corrupt[&other.id].contains("version 99"), "{corrupt:?}");
        assert!(
            corrupt["pas-le-bon"].contains("ne correspond pas"),
            "{corrupt:?}"
        );
        assert!(matches!(store.load("abc"), Err(DraftError::Corrupt { .. })));
        // Still there: nothing was deleted silently.
        assert!(dir.path().join("abc.json").exists());
        store.delete("abc").unwrap();
        assert!(!dir.path().join("abc.json").exists());
    }

    #[test]
    fn ids_cannot_escape_the_folder() {
        let store = DraftStore::new("/tmp/x");
        for bad in ["", "../etc/passwd", "a/b", "a.b", &"x".repeat(65)] {
            assert!(
                matches!(store.path_of(bad), Err(DraftError::BadId(_))),
                "{bad}"
            );
        }
        let mut d = draft();
        d.id = "../../evil".into();
        assert!(matches!(store.save(&d), Err(DraftError::BadId(_))));
    }

    #[test]
    fn the_nir_never_shows_in_debug() {
        let text = format!("{:?}", draft());
        assert!(!text.contains("1850375112345"), "{text}");
    }

    #[test]
    fn summary_fields() {
        let mut d = draft();
        assert_eq!(d.title(), "Sauveteur secouriste du travail");
        assert_eq!(d.date(), NaiveDate::from_ymd_opt(2026, 10, 15));
        d.declaration.nom_formation.clear();
        d.declaration.nom_jdr = "Certificat SST".into();
        assert_eq!(d.title(), "Certificat SST");
    }
}
