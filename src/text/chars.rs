//! Character classes of Hebrew transcripts: letters, marks, quotes, directional controls.

/// A Hebrew letter (U+05D0..U+05EA), including final forms.
pub fn is_hebrew_letter(c: char) -> bool {
    ('\u{05D0}'..='\u{05EA}').contains(&c)
}

/// Niqqud and cantillation marks (U+0591..U+05C7, except the punctuation among them).
pub fn is_hebrew_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0591}'
            ..='\u{05BD}'
                | '\u{05BF}'
                | '\u{05C1}'
                | '\u{05C2}'
                | '\u{05C4}'
                | '\u{05C5}'
                | '\u{05C7}'
    )
}

/// Invisible directional controls Word and editors insert (LRM, RLM, embeddings,
/// isolates, the Arabic letter mark) and the byte-order mark.
pub fn is_directional_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}'
    )
}

/// A letter of any script (Hebrew, Latin, ...), or a digit.
pub fn is_word_char(c: char) -> bool {
    is_hebrew_letter(c) || c.is_ascii_alphanumeric() || c.is_alphanumeric() || is_hebrew_mark(c)
}

/// Gershayim and geresh in their Hebrew and ASCII spellings.
pub fn is_geresh_like(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{05F3}' | '\u{05F4}' | '\u{2019}' | '\u{201D}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_hebrew_letter('א') && is_hebrew_letter('ת') && is_hebrew_letter('ך'));
        assert!(!is_hebrew_letter('a'));
        assert!(is_hebrew_mark('\u{05B8}')); // qamats
        assert!(!is_hebrew_mark('\u{05BE}')); // maqaf is punctuation
        assert!(is_directional_mark('\u{200F}'));
        assert!(is_word_char('ש') && is_word_char('7') && !is_word_char('-'));
    }
}
