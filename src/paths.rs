//! Where `passeport` keeps its files. Explicit XDG-style paths on every platform (also macOS), so
//! the documentation can name them: the configuration in `~/.config/passeport/` (or
//! `$PASSEPORT_CONFIG`), data (sandbox database, drafts, logs) in `~/.local/share/passeport/`.

use std::path::PathBuf;

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

/// The configuration file: `$PASSEPORT_CONFIG`, else `$XDG_CONFIG_HOME/passeport/config.toml`,
/// else `~/.config/passeport/config.toml`.
pub fn config_file() -> Result<PathBuf, NoHome> {
    if let Some(path) = std::env::var_os(CONFIG_VAR).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Ok(xdg("XDG_CONFIG_HOME", ".config")?
        .join("passeport")
        .join("config.toml"))
}

/// The configuration directory (where rules files may be overridden): the config file's folder.
pub fn config_dir() -> Result<PathBuf, NoHome> {
    let file = config_file()?;
    Ok(file.parent().map(PathBuf::from).unwrap_or_default())
}

/// The data directory: `$XDG_DATA_HOME/passeport`, else `~/.local/share/passeport`.
pub fn data_dir() -> Result<PathBuf, NoHome> {
    Ok(xdg("XDG_DATA_HOME", ".local/share")?.join("passeport"))
}
