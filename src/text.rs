//! Small rules of French text shared by the terminal screens and the command line, and the
//! safety of untrusted text shown on a terminal.

/// `one` or `many`, agreed with the count `n`: French takes the singular for 0 and 1
/// (« 0 échéance », « 1 résultat », « 832 résultats »).
pub fn agree<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n <= 1 { one } else { many }
}

/// `n` and the noun agreed with it: `count(832, "résultat", "résultats")` is « 832 résultats ».
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", agree(n, one, many))
}

/// Removes control characters and bidi overrides from text that came from the server or a file,
/// so it can never act on the terminal: each is shown as `�`; the other invisible format
/// characters (see [`is_invisible`]) are dropped.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_control() || is_bidi_control(c) {
                Some('\u{FFFD}')
            } else if is_invisible(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// [`sanitize`] line by line, for a whole output shown on a terminal (a table, a CSV): the line
/// ends (`\n`, `\r\n`) stay, so the output keeps its shape.
pub fn sanitize_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        match line.strip_suffix('\r') {
            Some(line) => {
                out.push_str(&sanitize(line));
                out.push('\r');
            }
            None => out.push_str(&sanitize(line)),
        }
    }
    out
}

/// The bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069):
/// they reorder what follows them on screen.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is an invisible format character that can make two names look alike or reorder
/// what is shown (security review L5): zero-width space and joiners, LRM and RLM (U+200B to
/// U+200F), the bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to
/// U+2069), the Arabic letter mark (U+061C), word joiners and invisible operators (U+2060 to
/// U+2064), the byte order mark (U+FEFF), the soft hyphen (U+00AD) and the tag characters
/// (U+E0000 to U+E007F).
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// The first invisible format character of `value` (see [`is_invisible`]) and its position,
/// counted in characters from 1.
pub fn first_invisible(value: &str) -> Option<(usize, char)> {
    value
        .chars()
        .enumerate()
        .find(|&(_, c)| is_invisible(c))
        .map(|(index, c)| (index + 1, c))
}

/// The French refusal of a field holding an invisible character: the field's label, the
/// character (its code and its name) and its position, so the user can find and remove it.
pub fn invisible_refusal(label: &str, position: usize, c: char) -> String {
    format!(
        "Le champ « {label} » contient un caractère invisible en position {position} \
         (U+{:04X}, {}) : retirez-le.",
        u32::from(c),
        invisible_name(c)
    )
}

/// The French name of an invisible format character.
fn invisible_name(c: char) -> &'static str {
    match c {
        '\u{00AD}' => "trait d'union conditionnel",
        '\u{061C}' => "marque de lettre arabe",
        '\u{200B}' => "espace sans chasse",
        '\u{200C}' => "antiliant sans chasse",
        '\u{200D}' => "liant sans chasse",
        '\u{200E}' => "marque gauche-à-droite",
        '\u{200F}' => "marque droite-à-gauche",
        '\u{2060}' => "gluon de mots",
        '\u{FEFF}' => "indicateur d'ordre des octets",
        '\u{E0000}'..='\u{E007F}' => "caractère d'étiquette",
        c if is_bidi_control(c) => "formatage bidirectionnel",
        _ => "opérateur invisible",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sanitize_neutralises_controls_and_drops_invisible_characters() {
        assert_eq!(
            super::sanitize("A\u{1b}]0;x\u{7}\u{200E}B\u{FEFF}\u{E0041}\u{202E}C"),
            "A\u{FFFD}]0;x\u{FFFD}B\u{FFFD}C"
        );
    }

    #[test]
    fn sanitize_lines_keeps_the_line_ends() {
        assert_eq!(
            super::sanitize_lines("a\u{1b}[2J,b\r\nc\u{9b}\td\n"),
            "a\u{FFFD}[2J,b\r\nc\u{FFFD}\u{FFFD}d\n"
        );
    }

    #[test]
    fn every_invisible_character_is_found_with_its_position() {
        for c in [
            '\u{00AD}',
            '\u{061C}',
            '\u{200B}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2064}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{E0000}',
            '\u{E007F}',
        ] {
            assert_eq!(super::first_invisible(&format!("DÉ{c}PONT")), Some((3, c)));
            assert_eq!(
                super::sanitize(&format!("A{c}B")).replace('\u{FFFD}', ""),
                "AB"
            );
        }
        for visible in [
            "DUPONT",
            "Élodie-Anne",
            "N'Diaye",
            "李",
            "\u{2065}",
            "\u{2070}",
        ] {
            assert_eq!(super::first_invisible(visible), None, "{visible:?}");
        }
        assert_eq!(
            super::invisible_refusal("Nom du titulaire", 3, '\u{200B}'),
            "Le champ « Nom du titulaire » contient un caractère invisible en position 3 \
             (U+200B, espace sans chasse) : retirez-le."
        );
    }

    use super::*;

    #[test]
    fn zero_and_one_take_the_singular() {
        assert_eq!(count(0, "échéance", "échéances"), "0 échéance");
        assert_eq!(count(1, "résultat", "résultats"), "1 résultat");
        assert_eq!(count(832, "résultat", "résultats"), "832 résultats");
        assert_eq!(agree(2, "dépassée", "dépassées"), "dépassées");
    }
}
