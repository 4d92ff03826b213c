//! JSON documents written by the commands (`--format json`): serde_json's pretty layout, with the
//! C1 controls (U+0080 to U+009F, the one-byte CSI among them), the line and paragraph
//! separators and the invisible format characters (see [`crate::text::is_invisible`]) escaped
//! as `\uXXXX` too. serde_json escapes only C0: a value stays exactly the same for a script,
//! and none of it can act on a terminal or hide in a viewer (security review M4).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `value` as a pretty JSON document ending with a line break, every character that could act
/// on a terminal or hide escaped.
pub fn document<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut bytes, Escaping(PrettyFormatter::new()));
    value.serialize(&mut serializer)?;
    bytes.push(b'\n');
    // The formatter writes only what serde_json gives it (UTF-8) and ASCII escapes.
    String::from_utf8(bytes).map_err(|error| serde_json::Error::io(io::Error::other(error)))
}

/// Whether a character of a JSON string is written as an escape rather than as itself.
fn escaped(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}' | '\u{2028}' | '\u{2029}') || crate::text::is_invisible(c)
}

/// serde_json's pretty formatter, escaping the characters [`escaped`] names.
struct Escaping(PrettyFormatter<'static>);

impl Formatter for Escaping {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices().filter(|&(_, c)| escaped(c)) {
            writer.write_all(&fragment.as_bytes()[start..index])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = index + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::document;

    #[test]
    fn c1_and_invisible_characters_are_escaped_and_the_value_is_kept() {
        let value = serde_json::json!({
            "nom": "DU\u{9b}2JPONT\u{1b}\u{202E}\u{200B}\u{E0041}\u{2028}é",
            "liste": [1, "a"]
        });
        let text = document(&value).unwrap();
        assert!(
            text.contains(r#""DU\u009b2JPONT\u001b\u202e\u200b\udb40\udc41\u2028é""#),
            "{text}"
        );
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || crate::text::is_invisible(c)),
            "{text:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert_eq!(
            text,
            serde_json::to_string_pretty(&back).unwrap().replace(
                "DU\u{9b}2JPONT\\u001b\u{202E}\u{200B}\u{E0041}\u{2028}é",
                r"DU\u009b2JPONT\u001b\u202e\u200b\udb40\udc41\u2028é"
            ) + "\n",
            "the pretty layout is serde_json's"
        );
    }
}
