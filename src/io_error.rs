//! System errors (`std::io::Error`) in French, for every layer that reports a file, terminal or
//! network failure to a person: the command line, the import, the export check.

use std::io;

/// The messages crossterm (the terminal library) builds itself, in French.
const TERMINAL_MESSAGES: [(&str, &str); 4] = [
    (
        "The cursor position could not be read within a normal duration",
        "le terminal n'a pas donné la position du curseur à temps",
    ),
    (
        "The keyboard enhancement status could not be read within a normal duration",
        "le terminal n'a pas dit à temps s'il gère le clavier étendu",
    ),
    (
        "Failed to initialize input reader",
        "impossible de lire le clavier",
    ),
    (
        "Could not parse an event.",
        "séquence du terminal illisible",
    ),
];

/// A system error in French. An error built with its own message keeps it (ours are French),
/// unless it is one of the terminal library's English messages.
pub fn io_message(error: &io::Error) -> String {
    if let Some(inner) = error.get_ref() {
        let text = inner.to_string();
        return TERMINAL_MESSAGES
            .iter()
            .find(|(english, _)| *english == text)
            .map_or(text, |(_, french)| (*french).to_owned());
    }
    // ENXIO: what opening the terminal gives when there is none.
    const NO_DEVICE: i32 = 6;
    if error.raw_os_error() == Some(NO_DEVICE) {
        return "aucun terminal ni périphérique à cette adresse".to_owned();
    }
    use io::ErrorKind as Kind;
    let text = match error.kind() {
        Kind::NotFound => "fichier ou dossier introuvable",
        Kind::PermissionDenied => "permission refusée",
        Kind::ConnectionRefused => "connexion refusée",
        Kind::ConnectionReset | Kind::ConnectionAborted => "connexion interrompue",
        Kind::NotConnected => "pas de connexion",
        Kind::AddrInUse => "adresse déjà utilisée",
        Kind::AddrNotAvailable => "adresse indisponible",
        Kind::BrokenPipe => "la sortie a été fermée",
        Kind::AlreadyExists => "existe déjà",
        Kind::InvalidInput => "paramètre invalide",
        Kind::InvalidData => "données invalides",
        Kind::TimedOut => "délai dépassé",
        Kind::Interrupted => "opération interrompue",
        Kind::Unsupported => "opération non prise en charge",
        Kind::UnexpectedEof => "fin de fichier inattendue",
        Kind::OutOfMemory => "mémoire insuffisante",
        Kind::NotADirectory => "ce n'est pas un dossier",
        Kind::IsADirectory => "c'est un dossier",
        Kind::DirectoryNotEmpty => "dossier non vide",
        Kind::ReadOnlyFilesystem => "système de fichiers en lecture seule",
        Kind::StorageFull | Kind::QuotaExceeded => "plus de place sur le disque",
        Kind::FileTooLarge => "fichier trop gros",
        Kind::ResourceBusy | Kind::ExecutableFileBusy => "ressource occupée",
        Kind::InvalidFilename => "nom de fichier invalide",
        Kind::CrossesDevices => "déplacement impossible d'un disque à l'autre",
        Kind::TooManyLinks => "trop de liens",
        Kind::Deadlock => "interblocage",
        Kind::StaleNetworkFileHandle => "fichier réseau devenu invalide",
        Kind::HostUnreachable | Kind::NetworkUnreachable => "réseau injoignable",
        Kind::NetworkDown => "réseau coupé",
        _ => {
            return match error.raw_os_error() {
                Some(code) => format!("erreur système {code}"),
                None => "erreur d'entrée-sortie".to_owned(),
            };
        }
    };
    text.to_owned()
}
