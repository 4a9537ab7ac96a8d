//! XML text helpers for REFI-QDA files: escaping of text and attributes, clean names.

use std::borrow::Cow;

/// Whether XML 1.0 allows `c` in a document at all (even as a character reference).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes `s` for element content: `&`, `<`, `>` as entities, a carriage return
/// as `&#13;` (so parsers keep it), characters XML cannot carry dropped.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escapes `s` for a double-quoted attribute value: as [`text`], plus `"` and the
/// whitespace characters tab, newline, carriage return as character references
/// (attribute normalisation would turn them into spaces).
pub fn attr(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, in_attr: bool) -> Cow<'_, str> {
    let needs = s.chars().any(|c| {
        matches!(c, '&' | '<' | '>' | '\r')
            || !is_xml_char(c)
            || (in_attr && matches!(c, '"' | '\t' | '\n'))
    });
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\t' if in_attr => out.push_str("&#9;"),
            '\n' if in_attr => out.push_str("&#10;"),
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` is a bidirectional embedding, override or isolate control
/// (U+202A-U+202E, U+2066-U+2069): invisible, and able to make a name display as
/// something else.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A name (of a code, a source, a case, a variable) as it goes into a QDA file:
/// bidi embedding/override/isolate controls dropped, line breaks and tabs turned
/// into spaces, surrounding whitespace trimmed. Source text is never passed here.
pub fn clean_name(s: &str) -> Cow<'_, str> {
    let dirty = |c: char| is_bidi_control(c) || matches!(c, '\t' | '\n' | '\r');
    if !s.chars().any(dirty) {
        return Cow::Borrowed(s.trim());
    }
    let cleaned: String = s
        .chars()
        .filter(|&c| !is_bidi_control(c))
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    Cow::Owned(cleaned.trim().to_string())
}

/// The text an entity or character reference stands for (`amp` -> `&`, `#13` ->
/// carriage return); None for an unknown entity.
pub fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = r.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

/// Decodes the bytes of an XML file to text: UTF-8 (a byte-order mark dropped) or
/// UTF-16 with a byte-order mark.
pub fn decode_xml_bytes(bytes: &[u8]) -> Option<String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (!had_errors).then(|| text.into_owned());
    }
    String::from_utf8(bytes.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(text("plain"), "plain");
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
        assert_eq!(
            text("<script>alert(\"x\") & 'y'</script>\r\n"),
            "&lt;script&gt;alert(\"x\") &amp; 'y'&lt;/script&gt;&#13;\n"
        );
        assert_eq!(
            attr("a\"b<c>&d\te\nf"),
            "a&quot;b&lt;c&gt;&amp;d&#9;e&#10;f"
        );
        // NUL, vertical tab, U+FFFF cannot appear in XML 1.0: dropped.
        assert_eq!(text("a\u{0}b\u{b}c\u{FFFF}d"), "abcd");
        // Hebrew and RTL marks are text like any other.
        assert_eq!(attr("שלום\u{200F}"), "שלום\u{200F}");
    }

    #[test]
    fn names_lose_bidi_controls_only() {
        assert_eq!(
            clean_name(" \u{202E}abc\u{202C} \u{2067}שם\u{2069}\n"),
            "abc שם"
        );
        assert_eq!(clean_name("עו\"ס\u{200F}"), "עו\"ס\u{200F}");
    }
}
