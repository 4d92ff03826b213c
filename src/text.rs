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
/// so it can never act on the terminal: each is shown as `�`; invisible format characters
/// (see [`is_invisible`]) are dropped.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Whether `c` is an invisible format character that can make two names look alike or reorder
/// what is shown: zero-width space and joiners' neighbours (U+200B to U+200F, including LRM and
/// RLM), the Arabic letter mark (U+061C), word joiners and invisible operators (U+2060 to
/// U+2064), the byte order mark (U+FEFF), the soft hyphen (U+00AD) and the tag characters
/// (U+E0000 to U+E007F).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
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

    use super::*;

    #[test]
    fn zero_and_one_take_the_singular() {
        assert_eq!(count(0, "échéance", "échéances"), "0 échéance");
        assert_eq!(count(1, "résultat", "résultats"), "1 résultat");
        assert_eq!(count(832, "résultat", "résultats"), "832 résultats");
        assert_eq!(agree(2, "dépassée", "dépassées"), "dépassées");
    }
}
