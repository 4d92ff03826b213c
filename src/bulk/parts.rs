//! Files the platform accepts (domain.md §8, common rules): at most 200 MB each, and a name of
//! at most 200 characters without `@ < > : " / \ | ? * %`. A larger export is cut into numbered
//! files ([`split`], [`numbered`]), each with the header line and whole declarations, so that
//! each is valid alone: the lines of one `ID_DECLARATION` are never parted (they carry the same
//! training data and count against its 500 titulaires). Pure, no I/O.

use std::path::Path;

use thiserror::Error;

use super::{LINE_END, SEPARATOR};

/// Largest file the platform takes: « 200 Mo », read as 200,000,000 bytes, the smaller of the
/// decimal and binary readings.
pub const MAX_FILE_BYTES: usize = 200_000_000;
/// Longest file name the platform takes, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Characters the platform refuses in a file name.
pub const FORBIDDEN_NAME_CHARS: [char; 11] =
    ['@', '<', '>', ':', '"', '/', '\\', '|', '?', '*', '%'];

/// Why the platform would refuse a file name (the name itself is left to the caller to show,
/// sanitised).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// More than [`MAX_NAME_CHARS`] characters.
    #[error(
        "le nom du fichier compte {chars} caractères ; le portail en accepte {MAX_NAME_CHARS} au \
         plus"
    )]
    TooLong {
        /// Characters of the name.
        chars: usize,
    },
    /// One of [`FORBIDDEN_NAME_CHARS`].
    #[error(
        "le nom du fichier contient « {character} », que le portail refuse (ni @ < > : \" / \\ | \
         ? * % dans un nom)"
    )]
    Forbidden {
        /// The first refused character.
        character: char,
    },
    /// No name at all.
    #[error("le chemin ne se termine pas par un nom de fichier")]
    Empty,
}

/// Checks a file name (its last path component only) against the platform's rules.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(character) = name.chars().find(|c| FORBIDDEN_NAME_CHARS.contains(c)) {
        return Err(NameError::Forbidden { character });
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong { chars });
    }
    Ok(())
}

/// The names of `count` parts of the file `name`: `name` itself for one, else
/// `attestations-1.csv`, `attestations-2.csv`… (numbers padded to the same width, so that the
/// files sort in order).
pub fn numbered(name: &Path, count: usize) -> Vec<std::path::PathBuf> {
    if count <= 1 {
        return vec![name.to_path_buf()];
    }
    let stem = name
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = name
        .extension()
        .map(|extension| format!(".{}", extension.to_string_lossy()))
        .unwrap_or_default();
    let width = count.to_string().len();
    (1..=count)
        .map(|n| name.with_file_name(format!("{stem}-{n:0width$}{extension}")))
        .collect()
}

/// A declaration too large to fit one file with the header line: it cannot be parted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "la déclaration des lignes {first_line} à {last_line} pèse {bytes} octets avec la ligne \
     d'en-tête, plus que les {max} octets d'un fichier ; ses lignes ne peuvent pas être séparées"
)]
pub struct TooLarge {
    /// Its first line in the whole file (the header is line 1).
    pub first_line: usize,
    /// Its last line.
    pub last_line: usize,
    /// Its size with the header line.
    pub bytes: usize,
    /// The limit.
    pub max: usize,
}

/// One file of a cut export: the header line, then whole declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    /// The header line with its line end.
    pub header: &'a str,
    /// The declaration lines, each with its line end.
    pub body: &'a str,
}

impl Part<'_> {
    /// Size of the file in bytes.
    pub fn len(&self) -> usize {
        self.header.len() + self.body.len()
    }

    /// Whether the file has no declaration line.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The file's text.
    pub fn text(&self) -> String {
        format!("{}{}", self.header, self.body)
    }

    /// Titulaire lines in the file.
    pub fn line_count(&self) -> usize {
        self.body.matches(LINE_END).count()
    }
}

/// Cuts a bulk file written by [`super::write`] into files of at most `max_bytes`, each with the
/// header line and whole declarations (consecutive lines with the same `ID_DECLARATION`, the
/// first column), in order; one part, the file itself, when it fits. Fails when one declaration
/// alone exceeds the limit.
pub fn split(file: &str, max_bytes: usize) -> Result<Vec<Part<'_>>, TooLarge> {
    let header_end = file
        .find(LINE_END)
        .map_or(file.len(), |at| at + LINE_END.len());
    let (header, body) = file.split_at(header_end);
    if file.len() <= max_bytes {
        return Ok(vec![Part { header, body }]);
    }
    let mut parts = Vec::new();
    // Byte offsets in `body`: start of the current part, of the current declaration.
    let (mut part_start, mut group_start) = (0, 0);
    let mut group_id: Option<&str> = None;
    let (mut line, mut group_line) = (1, 2);
    let mut offset = 0;
    while offset < body.len() {
        let end = body[offset..]
            .find(LINE_END)
            .map_or(body.len(), |at| offset + at + LINE_END.len());
        let record = &body[offset..end];
        line += 1;
        let id = record
            .split([SEPARATOR, '\r', '\n'])
            .next()
            .unwrap_or_default();
        if group_id != Some(id) {
            group_id = Some(id);
            group_start = offset;
            group_line = line;
        }
        if header.len() + end - part_start > max_bytes && group_start != part_start {
            parts.push(Part {
                header,
                body: &body[part_start..group_start],
            });
            part_start = group_start;
        }
        if header.len() + end - part_start > max_bytes {
            let group_end = declaration_end(body, end, id);
            let lines = body[group_start..group_end].matches(LINE_END).count();
            return Err(TooLarge {
                first_line: group_line,
                last_line: group_line + lines.saturating_sub(1),
                bytes: header.len() + group_end - group_start,
                max: max_bytes,
            });
        }
        offset = end;
    }
    parts.push(Part {
        header,
        body: &body[part_start..],
    });
    Ok(parts)
}

/// Where the lines of the declaration `id` that run through `from` end.
fn declaration_end(body: &str, mut from: usize, id: &str) -> usize {
    while from < body.len() {
        let end = body[from..]
            .find(LINE_END)
            .map_or(body.len(), |at| from + at + LINE_END.len());
        if body[from..end].split([SEPARATOR, '\r', '\n']).next() != Some(id) {
            break;
        }
        from = end;
    }
    from
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A file with a header of 7 bytes and declarations `A` (3 lines), `B` (1), `C` (2), lines
    /// of 9 bytes each (7 characters and CRLF).
    fn file() -> String {
        let mut file = String::from("H|EAD\r\n");
        for (id, lines) in [("A", 3), ("B", 1), ("C", 2)] {
            for n in 0..lines {
                file.push_str(&format!("{id}|line{n}\r\n"));
            }
        }
        file
    }

    fn bodies<'a>(parts: &[Part<'a>]) -> Vec<&'a str> {
        parts.iter().map(|part| part.body).collect()
    }

    #[test]
    fn a_file_that_fits_is_one_part_byte_for_byte() {
        let file = file();
        let parts = split(&file, file.len()).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text(), file);
        assert_eq!(parts[0].line_count(), 6);
    }

    #[test]
    fn parts_hold_whole_declarations_under_the_limit_each_with_the_header() {
        let file = file();
        // Header 7 bytes + 3 lines of 9 = 34: A fits alone, A + B does not.
        let parts = split(&file, 40).unwrap();
        assert_eq!(
            bodies(&parts),
            [
                "A|line0\r\nA|line1\r\nA|line2\r\n",
                "B|line0\r\nC|line0\r\nC|line1\r\n"
            ]
        );
        for part in &parts {
            assert!(part.len() <= 40);
            assert!(part.text().starts_with("H|EAD\r\n"));
        }
        let parts = split(&file, 34).unwrap();
        assert_eq!(parts.len(), 2, "A alone is exactly 34 bytes");
        let error = split(&file, 25).unwrap_err();
        assert_eq!(
            error,
            TooLarge {
                first_line: 2,
                last_line: 4,
                bytes: 34,
                max: 25
            }
        );
        assert!(
            error
                .to_string()
                .starts_with("la déclaration des lignes 2 à 4 pèse 34 octets")
        );
        // C alone (25 bytes) fits 25, but A does not: refused whatever comes after.
        let mut tail = String::from("H|EAD\r\nB|line0\r\n");
        tail.push_str("C|line0\r\nC|line1\r\nC|line2\r\n");
        assert_eq!(
            split(&tail, 30),
            Err(TooLarge {
                first_line: 3,
                last_line: 5,
                bytes: 34,
                max: 30
            }),
            "a declaration too large after another is refused too"
        );
    }

    #[test]
    fn every_line_lands_in_exactly_one_part_in_order() {
        let mut file = String::from("ID_DECLARATION|X\r\n");
        for n in 0..200 {
            let id = n / 7;
            file.push_str(&format!("D{id}|{}\r\n", "x".repeat(n % 13)));
        }
        for max in [150, 200, 500, 5_000] {
            let parts = split(&file, max).unwrap();
            let joined: String = parts.iter().map(|part| part.body).collect();
            assert_eq!(format!("ID_DECLARATION|X\r\n{joined}"), file, "{max}");
            for part in &parts {
                assert!(part.len() <= max && !part.is_empty(), "{max}");
            }
            let ids: Vec<Vec<&str>> = parts
                .iter()
                .map(|part| {
                    let mut ids: Vec<&str> = part
                        .body
                        .split("\r\n")
                        .filter(|line| !line.is_empty())
                        .map(|line| line.split('|').next().unwrap())
                        .collect();
                    ids.dedup();
                    ids
                })
                .collect();
            let mut all: Vec<&str> = ids.concat();
            let count = all.len();
            all.dedup();
            assert_eq!(all.len(), count, "no declaration in two parts ({max})");
        }
    }

    #[test]
    fn names_follow_the_platform_rules() {
        assert_eq!(check_name("passeport-ADF-lot12-20261201.csv"), Ok(()));
        assert_eq!(check_name(&"a".repeat(200)), Ok(()));
        assert_eq!(
            check_name(&"é".repeat(201)),
            Err(NameError::TooLong { chars: 201 })
        );
        for character in FORBIDDEN_NAME_CHARS {
            assert_eq!(
                check_name(&format!("lot{character}1.csv")),
                Err(NameError::Forbidden { character })
            );
        }
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(
            NameError::Forbidden { character: ':' }.to_string(),
            "le nom du fichier contient « : », que le portail refuse (ni @ < > : \" / \\ | ? * % \
             dans un nom)"
        );
    }

    #[test]
    fn numbered_names_keep_the_extension_and_sort() {
        let name = Path::new("/srv/exports/attestations.csv");
        assert_eq!(
            numbered(name, 1),
            [PathBuf::from("/srv/exports/attestations.csv")]
        );
        assert_eq!(
            numbered(name, 3),
            [
                PathBuf::from("/srv/exports/attestations-1.csv"),
                PathBuf::from("/srv/exports/attestations-2.csv"),
                PathBuf::from("/srv/exports/attestations-3.csv"),
            ]
        );
        let many = numbered(Path::new("lot"), 12);
        assert_eq!(many[0], PathBuf::from("lot-01"));
        assert_eq!(many[11], PathBuf::from("lot-12"));
    }
}
