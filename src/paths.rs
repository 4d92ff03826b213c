//! Where `passeport` keeps its files. Explicit XDG-style paths on every platform (also macOS), so
//! the documentation can name them: the configuration in `~/.config/passeport/` (or
//! `$PASSEPORT_CONFIG`), data (sandbox database, drafts, logs) in `~/.local/share/passeport/`.

use std::path::{Path, PathBuf};

/// Environment variable naming the configuration file.
pub const CONFIG_VAR: &str = "PASSEPORT_CONFIG";

/// Neither `HOME` nor the XDG variable is set: no place for our files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("impossible de trouver le dossier personnel : définissez HOME ou {0}")]
pub struct NoHome(pub &'static str);

fn xdg(var: &'static str, fallback: &str) -> Result<PathBuf, NoHome> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map(|h| h.join(fallback))
        .ok_or(NoHome(var))
}

/// The configuration file: `$PASSEPORT_CONFIG`, else `config.toml` in [`config_dir`].
pub fn config_file() -> Result<PathBuf, NoHome> {
    if let Some(path) = std::env::var_os(CONFIG_VAR).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Ok(config_dir()?.join("config.toml"))
}

/// The configuration directory: `$XDG_CONFIG_HOME/passeport`, else `~/.config/passeport`.
pub fn config_dir() -> Result<PathBuf, NoHome> {
    Ok(xdg("XDG_CONFIG_HOME", ".config")?.join("passeport"))
}

/// Where rules files may override the embedded ones: the configuration directory only, never
/// the folder of a file named by `--config` or `$PASSEPORT_CONFIG` (security review M3: with
/// `--config /tmp/x.toml`, every `catalogue.toml` left in `/tmp` would become the rules).
/// `None` without a home folder: the embedded rules then apply.
pub fn rules_dir() -> Option<PathBuf> {
    config_dir().ok()
}

/// The data directory: `$XDG_DATA_HOME/passeport`, else `~/.local/share/passeport`.
pub fn data_dir() -> Result<PathBuf, NoHome> {
    Ok(xdg("XDG_DATA_HOME", ".local/share")?.join("passeport"))
}

/// Creates `dir` (and its missing parents) readable by this user only (0700), and narrows an
/// existing `dir` of this user that others could read or change (a data directory holds NIRs).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        let meta = std::fs::metadata(dir)?;
        if meta.uid() == effective_uid() && meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Why a configuration or rules file is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    /// Another user than this one (or root) owns the file or its folder.
    #[error(
        "{path} est refusé : il appartient à un autre utilisateur (uid {owner}) ; seul votre \
         compte ou root peut en être propriétaire"
    )]
    Owner {
        /// The file or folder.
        path: String,
        /// Its owner.
        owner: u32,
    },
    /// The group or other users may change the file or its folder.
    #[error(
        "{path} est refusé : le groupe ou les autres utilisateurs peuvent le modifier (droits \
         {mode:o}) ; faites « chmod go-w {path} »"
    )]
    Writable {
        /// The file or folder.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
}

/// Checks that only this user (or root) can change `file` and the folder holding it: a
/// configuration or rules file others can write could redirect the token or change the rules.
#[cfg(unix)]
pub fn check_trusted(file: &Path) -> Result<(), Untrusted> {
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for path in [file, folder] {
        check_one(path)?;
    }
    Ok(())
}

/// [`check_trusted`] off Unix: file modes do not apply.
#[cfg(not(unix))]
pub fn check_trusted(_file: &Path) -> Result<(), Untrusted> {
    Ok(())
}

/// The owner and mode test of one path (an unreadable path is left to the reader to report).
#[cfg(unix)]
fn check_one(path: &Path) -> Result<(), Untrusted> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let shown = || crate::text::sanitize(&path.display().to_string());
    let owner = meta.uid();
    if owner != 0 && owner != effective_uid() {
        return Err(Untrusted::Owner {
            path: shown(),
            owner,
        });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(Untrusted::Writable {
            path: shown(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

/// The user id this process runs as.
#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}
