//! `passeport`: until the screens exist, prints its version and the loaded catalogue.

use std::process::ExitCode;

use passeport::{paths, rules::Rules};

fn main() -> ExitCode {
    let dir = paths::config_dir().ok();
    match Rules::load(dir.as_deref()) {
        Ok(rules) => {
            println!("passeport {}", env!("CARGO_PKG_VERSION"));
            for t in rules.catalogue.iter() {
                println!("{:<22} cat. {}  {}", t.code, t.category.get(), t.title);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("passeport : {e}");
            ExitCode::from(2)
        }
    }
}
