//! The TOML parser's and serde's messages about the configuration file, in French
//! (« unknown variant `sombre`, expected `dark` or `light` » → « valeur « sombre » inconnue ;
//! valeurs possibles : « dark » ou « light » »). A message not recognised keeps its text, quoted
//! after a French lead.

/// `message` in French.
pub(super) fn in_french(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (name, expected) = split_expected(rest);
        return format!(
            "valeur {} inconnue ; valeurs possibles : {}",
            quoted(name),
            alternatives(expected)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        return format!(
            "clé {} inconnue ; clés possibles : {}",
            quoted(name),
            alternatives(expected)
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = split_expected(rest);
        return format!("{} au lieu d'{}", unexpected(found), wanted(expected));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = split_expected(rest);
        return format!(
            "{} impossible ici : {} attendu",
            unexpected(found),
            wanted(expected)
        );
    }
    if let Some(name) = message.strip_prefix("missing field ") {
        return format!("clé {} manquante", quoted(name));
    }
    if let Some(name) = message.strip_prefix("duplicate field ") {
        return format!("clé {} écrite deux fois", quoted(name));
    }
    let known = match message {
        "duplicate key" => "clé écrite deux fois",
        "string values must be quoted, expected literal string" => {
            "un texte s'écrit entre guillemets, par exemple theme = \"dark\""
        }
        "unclosed table, expected `]`" => "table non fermée : « ] » attendu",
        "invalid basic string, expected `\"`" => "texte non fermé : « \" » attendu",
        "unquoted keys cannot be empty, expected letters, numbers, `-`, `_`" => {
            "clé vide : lettres, chiffres, « - » ou « _ » attendus avant « = »"
        }
        _ => return format!("syntaxe TOML invalide (« {message} »)"),
    };
    known.to_owned()
}

/// `rest` cut at `, expected `: what was found, and what was expected (may be empty).
fn split_expected(rest: &str) -> (&str, &str) {
    rest.split_once(", expected ").unwrap_or((rest, ""))
}

/// `` `name` `` as « name ».
fn quoted(name: &str) -> String {
    format!("« {} »", name.trim().trim_matches('`'))
}

/// serde's list of names (`` `a` or `b` ``, ``one of `a`, `b` ``) as « a » ou « b », « a », « b ».
fn alternatives(expected: &str) -> String {
    let list = expected.strip_prefix("one of ").unwrap_or(expected);
    if let Some((first, second)) = list.split_once(" or ") {
        return format!("{} ou {}", quoted(first), quoted(second));
    }
    list.split(", ").map(quoted).collect::<Vec<_>>().join(", ")
}

/// serde's description of a value found (`` string "90" ``, `` integer `3` ``…), in French.
fn unexpected(found: &str) -> String {
    let value = |rest: &str| rest.trim().trim_matches('`').to_owned();
    if let Some(rest) = found.strip_prefix("string ") {
        return format!("le texte {}", rest.trim());
    }
    if let Some(rest) = found.strip_prefix("integer ") {
        return format!("le nombre {}", value(rest));
    }
    if let Some(rest) = found.strip_prefix("floating point ") {
        return format!("le nombre décimal {}", value(rest));
    }
    if let Some(rest) = found.strip_prefix("boolean ") {
        return format!("la valeur {}", value(rest));
    }
    match found {
        "sequence" => "une liste".to_owned(),
        "map" => "une table".to_owned(),
        other => format!("la valeur {other}"),
    }
}

/// serde's description of what was expected (`u32`, `a string`…), in French, with its article
/// (« un nombre entier positif »).
fn wanted(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "un nombre entier positif".to_owned(),
        "a string" => "un texte entre guillemets".to_owned(),
        "a map" => "une table".to_owned(),
        "a sequence" => "une liste".to_owned(),
        "a boolean" => "une valeur true ou false".to_owned(),
        other => format!("une valeur {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::in_french;

    #[test]
    fn the_messages_the_review_met_read_in_french() {
        assert_eq!(
            in_french("unknown variant `sombre`, expected `dark` or `light`"),
            "valeur « sombre » inconnue ; valeurs possibles : « dark » ou « light »"
        );
        assert_eq!(
            in_french("invalid type: string \"90\", expected u32"),
            "le texte \"90\" au lieu d'un nombre entier positif"
        );
        assert_eq!(
            in_french(
                "unknown field `tokn`, expected one of `api_url`, `token`, `threshold_days`, \
                 `theme`, `keymap`"
            ),
            "clé « tokn » inconnue ; clés possibles : « api_url », « token », « threshold_days », \
             « theme », « keymap »"
        );
    }

    #[test]
    fn values_of_the_wrong_kind_and_syntax_errors_read_in_french() {
        assert_eq!(
            in_french("invalid value: integer `-1`, expected u32"),
            "le nombre -1 impossible ici : un nombre entier positif attendu"
        );
        assert_eq!(
            in_french("invalid type: floating point `1.5`, expected u32"),
            "le nombre décimal 1.5 au lieu d'un nombre entier positif"
        );
        assert_eq!(
            in_french("invalid type: integer `3`, expected a map"),
            "le nombre 3 au lieu d'une table"
        );
        assert_eq!(in_french("duplicate key"), "clé écrite deux fois");
        assert_eq!(
            in_french("string values must be quoted, expected literal string"),
            "un texte s'écrit entre guillemets, par exemple theme = \"dark\""
        );
        assert_eq!(
            in_french("unclosed table, expected `]`"),
            "table non fermée : « ] » attendu"
        );
        assert_eq!(in_french("missing field `x`"), "clé « x » manquante");
        assert_eq!(
            in_french("something new"),
            "syntaxe TOML invalide (« something new »)"
        );
    }
}
