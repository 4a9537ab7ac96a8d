//! Decoding transcript bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1255.

use crate::error::InputError;
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1255};
use std::path::Path;

/// How a file's bytes were (or are to be) decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1255,
}

impl TextEncoding {
    /// Parses a manifest `encoding` value (any WHATWG label, e.g. `utf-8`, `windows-1255`, `cp1255`).
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let label = label.trim();
        if label.eq_ignore_ascii_case("cp1255") {
            return Some(TextEncoding::Windows1255);
        }
        let enc = Encoding::for_label(label.as_bytes())?;
        if enc == UTF_8 {
            Some(TextEncoding::Utf8)
        } else if enc == WINDOWS_1255 || enc == encoding_rs::ISO_8859_8 {
            Some(TextEncoding::Windows1255)
        } else if enc == UTF_16LE {
            Some(TextEncoding::Utf16Le)
        } else if enc == UTF_16BE {
            Some(TextEncoding::Utf16Be)
        } else {
            None
        }
    }

    /// The name written in provenance and messages.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1255 => "windows-1255",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Windows1255 => WINDOWS_1255,
        }
    }
}

/// Decodes a text file's bytes: the BOM wins, then a declared encoding, then detection
/// (valid UTF-8, else Windows-1255 if the result reads as Hebrew). Line ends become `\n`.
pub fn decode_text(
    path: &Path,
    bytes: &[u8],
    declared: Option<TextEncoding>,
) -> Result<(String, TextEncoding), InputError> {
    let (enc, body) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (TextEncoding::Utf8, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (TextEncoding::Utf16Le, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (TextEncoding::Utf16Be, rest)
    } else if let Some(d) = declared {
        (d, bytes)
    } else {
        (detect(path, bytes)?, bytes)
    };
    // Hebrew Windows-1255 text is never valid UTF-8 (its letters are bytes 0xE0..0xFA
    // followed by letters, not continuation bytes), so non-ASCII UTF-8 declared
    // Windows-1255 is a wrong declaration that would silently garble every letter.
    if enc == TextEncoding::Windows1255 && !body.is_ascii() && utf8(body).is_ok() {
        let first = body.iter().position(|b| !b.is_ascii()).unwrap_or(0);
        return Err(InputError::at(
            path,
            line_of(body, first),
            "declared windows-1255, but the file is UTF-8 text; set its encoding to utf-8 or leave it empty",
        ));
    }
    if matches!(enc, TextEncoding::Utf8 | TextEncoding::Windows1255) && body.contains(&0) {
        let line = line_of(body, body.iter().position(|&b| b == 0).unwrap_or(0));
        return Err(InputError::at(
            path,
            line,
            "contains a NUL byte: this is not a text file (a transcript must be .txt or .docx)",
        ));
    }
    let text = match enc {
        TextEncoding::Utf8 => match utf8(body) {
            Ok(s) => s.to_string(),
            Err(e) => {
                return Err(InputError::at(
                    path,
                    line_of(body, e.valid_up_to()),
                    format!(
                        "not valid UTF-8 (byte offset {}); if the file is Windows-1255, declare it in the manifest's encoding column",
                        e.valid_up_to()
                    ),
                ));
            }
        },
        other => {
            let decoded = other
                .encoding()
                .decode_without_bom_handling_and_without_replacement(body);
            match decoded {
                Some(s) => s.into_owned(),
                None => {
                    return Err(InputError::file(
                        path,
                        format!("not valid {} text", other.name()),
                    ));
                }
            }
        }
    };
    Ok((normalize_line_ends(text), enc))
}

/// `bytes` as UTF-8 text: checked with SIMD instructions, and again with `std` only
/// when invalid, for the offset where the invalid bytes begin.
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Guesses the encoding of BOM-less bytes.
fn detect(path: &Path, bytes: &[u8]) -> Result<TextEncoding, InputError> {
    match utf8(bytes) {
        Ok(_) => Ok(TextEncoding::Utf8),
        Err(e) => {
            if let Some(text) =
                WINDOWS_1255.decode_without_bom_handling_and_without_replacement(bytes)
                && reads_as_hebrew(&text)
            {
                return Ok(TextEncoding::Windows1255);
            }
            Err(InputError::at(
                path,
                line_of(bytes, e.valid_up_to()),
                format!(
                    "cannot tell the text encoding: not UTF-8 (invalid byte at offset {}) and not Hebrew Windows-1255; declare it in the manifest's encoding column",
                    e.valid_up_to()
                ),
            ))
        }
    }
}

/// Whether decoded text looks like Hebrew: most non-ASCII characters are Hebrew
/// letters, and Hebrew letters form words of their own rather than sitting inside
/// Latin words (as Latin-1 accents misread as Windows-1255 do: "cafי").
fn reads_as_hebrew(text: &str) -> bool {
    let hebrew = |c: char| ('\u{05D0}'..='\u{05EA}').contains(&c);
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    let letters = text.chars().filter(|&c| hebrew(c)).count();
    if non_ascii == 0 || letters * 10 < non_ascii * 7 {
        return false;
    }
    let (mut hebrew_words, mut mixed_words) = (0usize, 0usize);
    for word in text.split(|c: char| !(c.is_alphanumeric())) {
        let has_hebrew = word.chars().any(hebrew);
        if has_hebrew {
            hebrew_words += 1;
            if word.chars().any(|c| c.is_ascii_alphabetic()) {
                mixed_words += 1;
            }
        }
    }
    hebrew_words > 0 && mixed_words * 10 <= hebrew_words
}

/// The 1-based line number of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Turns CRLF and lone CR into LF.
pub fn normalize_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("t.txt")
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let (a, e) = decode_text(p(), "שלום\r\nעולם".as_bytes(), None).unwrap();
        assert_eq!(a, "שלום\nעולם");
        assert_eq!(e, TextEncoding::Utf8);
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice("שלום".as_bytes());
        assert_eq!(decode_text(p(), &b, None).unwrap().0, "שלום");
    }

    #[test]
    fn windows_1255_is_detected() {
        // "שלום עולם" in Windows-1255.
        let bytes = [
            0xF9, 0xEC, 0xE5, 0xED, 0x20, 0xF2, 0xE5, 0xEC, 0xED, 0x0D, 0x0A,
        ];
        let (t, e) = decode_text(p(), &bytes, None).unwrap();
        assert_eq!(t, "שלום עולם\n");
        assert_eq!(e, TextEncoding::Windows1255);
    }

    #[test]
    fn latin1_like_bytes_are_refused_with_line() {
        let bytes = b"hello\nw\xE9ird caf\xE9\n";
        let err = decode_text(p(), bytes, None).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("cannot tell the text encoding"));
    }

    #[test]
    fn declared_utf8_that_is_not_is_an_error() {
        let bytes = [0xF9, 0xEC, 0xE5, 0xED];
        let err = decode_text(p(), &bytes, Some(TextEncoding::Utf8)).unwrap_err();
        assert!(err.message.contains("not valid UTF-8"));
    }

    #[test]
    fn utf16_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "אב\r\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(p(), &b, None).unwrap().0, "אב\n");
    }

    #[test]
    fn labels() {
        assert_eq!(
            TextEncoding::from_label("cp1255"),
            Some(TextEncoding::Windows1255)
        );
        assert_eq!(
            TextEncoding::from_label("Windows-1255"),
            Some(TextEncoding::Windows1255)
        );
        assert_eq!(TextEncoding::from_label("utf8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("klingon"), None);
    }
}
