//! `passeport::config::Config::load` on a private (0600) file holding arbitrary bytes: no panic,
//! and an error never shows a token (tests/fuzz_props.rs, target `config`).
#![no_main]

use std::os::unix::fs::PermissionsExt;

use libfuzzer_sys::fuzz_target;
use passeport::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("config.toml");
    if std::fs::write(&path, data).is_err()
        || std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).is_err()
    {
        return;
    }
    if let Err(error) = Config::load(&path) {
        let message = error.to_string();
        let text = String::from_utf8_lossy(data);
        for token in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
            if token.len() > 8 && token.starts_with("pp_") {
                assert!(!message.contains(token), "{message}");
            }
        }
    }
});
