//! Word counts as Unicode word boundaries (UAX #29) define them, fast on Hebrew and ASCII text.
//!
//! `unicode_segmentation`'s `unicode_words` is the reference: a word is a segment
//! between word boundaries that holds a letter or digit, so `עו"ס`, `וכו'`, `3,500`
//! and `14.3.2018` are one word each and a maqaf (`בית־ספר`) separates two. It looks
//! every character up in Unicode tables, which made counting words most of the cost
//! of segmentation. [`count_words`] applies the same rules (WB4 to WB13b) directly to
//! the characters Hebrew transcripts are made of: Hebrew letters and points, ASCII,
//! spaces, punctuation and directional marks; a text with any other character is
//! counted by the reference. A test compares the two on random texts.

use super::chars::{is_directional_mark, is_hebrew_mark};
use unicode_segmentation::UnicodeSegmentation;

/// The word-break class of a character, for the characters handled here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wb {
    /// Hebrew_Letter.
    Hebrew,
    /// ALetter (ASCII letters, the Hebrew geresh U+05F3).
    Letter,
    Numeric,
    /// MidLetter (`:`, U+05F4 gershayim, U+00B7).
    MidLetter,
    /// MidNum (`,` `;`).
    MidNum,
    /// MidNumLet (`.`, U+2018, U+2019).
    MidNumLet,
    SingleQuote,
    DoubleQuote,
    /// ExtendNumLet (`_`).
    ExtendNumLet,
    /// Extend or Format: ignored after a word character (WB4).
    Ignore,
    /// Anything else here: spaces, other punctuation, new lines. Always a boundary.
    Other,
}

/// The class of `c`, or None for a character this module does not handle.
fn class(c: char) -> Option<Wb> {
    Some(match c {
        'a'..='z' | 'A'..='Z' => Wb::Letter,
        '0'..='9' => Wb::Numeric,
        '\u{05D0}'..='\u{05EA}' | '\u{05EF}'..='\u{05F2}' => Wb::Hebrew,
        '\u{05F3}' => Wb::Letter,
        ':' | '\u{05F4}' | '\u{00B7}' => Wb::MidLetter,
        ',' | ';' => Wb::MidNum,
        '.' | '\u{2018}' | '\u{2019}' => Wb::MidNumLet,
        '\'' => Wb::SingleQuote,
        '"' => Wb::DoubleQuote,
        '_' => Wb::ExtendNumLet,
        c if is_hebrew_mark(c) => Wb::Ignore,
        '\u{200D}' | '\u{00AD}' => Wb::Ignore,
        c if is_directional_mark(c) && c != '\u{061C}' && c != '\u{FEFF}' => Wb::Ignore,
        ' ' | '\t' | '\n' | '\r' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '-' | '/'
        | '\\' | '*' | '&' | '%' | '#' | '@' | '+' | '=' | '<' | '>' | '|' | '~' | '^' | '`'
        | '$' | '\u{05BE}' | '\u{05C0}' | '\u{05C3}' | '\u{05C6}' | '\u{00A0}' | '\u{2013}'
        | '\u{2014}' | '\u{2026}' | '\u{201C}' | '\u{201D}' | '\u{201E}' => Wb::Other,
        _ => return None,
    })
}

/// A letter or digit (the geresh U+05F3 is a word character but punctuation).
fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '\u{05D0}'..='\u{05EA}' | '\u{05EF}'..='\u{05F2}')
}

fn is_ahletter(w: Wb) -> bool {
    matches!(w, Wb::Hebrew | Wb::Letter)
}

/// The number of words of `s` (the count of `s.unicode_words()`).
pub fn count_words(s: &str) -> usize {
    fast_count(s).unwrap_or_else(|| s.unicode_words().count())
}

/// The count by the rules below, or None when `s` holds a character not handled
/// here or an Extend/Format mark where WB4 would attach it to a non-word segment.
fn fast_count(s: &str) -> Option<usize> {
    // The significant characters' classes (Extend/Format skipped per WB4).
    let mut words = 0usize;
    // The class of the previous significant character, when it is inside a word.
    let mut prev: Option<Wb> = None;
    // The word in progress holds a letter or digit.
    let mut alnum = false;
    // A Mid* or quote character seen after a word character, waiting for the next
    // character to decide whether it joins (WB6/7, WB7b/c, WB11/12), with the class
    // of the word character before it.
    let mut pending: Option<(Wb, Wb)> = None;
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // A Hebrew letter (U+05D0..U+05EA) after one, nothing pending, only goes on
        // with the word: the run of letters is passed over without decoding.
        if prev == Some(Wb::Hebrew)
            && pending.is_none()
            && bytes[at] == 0xD7
            && matches!(bytes.get(at + 1), Some(0x90..=0xAA))
        {
            at += 2;
            continue;
        }
        let c = match bytes[at] {
            b if b < 0x80 => b as char,
            _ => s[at..].chars().next()?,
        };
        at += c.len_utf8();
        let w = class(c)?;
        if w == Wb::Ignore {
            // WB4 attaches it to the character before it. A directional mark or a
            // joiner is no letter, so it never makes a word of its own; a point is
            // alphabetic, so after a space, a Mid character or `_` the reference
            // counts that segment as a word: leave such texts to it.
            if is_hebrew_mark(c) && (prev.is_none() || pending.is_some() || !alnum) {
                return None;
            }
            continue;
        }
        if let Some((before, mid)) = pending.take() {
            let joins = match mid {
                Wb::DoubleQuote => before == Wb::Hebrew && w == Wb::Hebrew,
                Wb::MidLetter => is_ahletter(before) && is_ahletter(w),
                Wb::MidNum => before == Wb::Numeric && w == Wb::Numeric,
                _ => {
                    (is_ahletter(before) && is_ahletter(w))
                        || (before == Wb::Numeric && w == Wb::Numeric)
                }
            };
            if joins {
                alnum |= is_alnum(c);
                prev = Some(w);
                continue;
            }
            // The word ended before the Mid character (or, after a Hebrew letter, a
            // single quote joined it by WB7a and ended it).
            if alnum {
                words += 1;
            }
            alnum = false;
            prev = None;
        }
        match (prev, w) {
            (Some(p), _) if joins_directly(p, w) => {
                alnum |= is_alnum(c);
                prev = Some(w);
            }
            (
                Some(p),
                Wb::MidLetter | Wb::MidNum | Wb::MidNumLet | Wb::SingleQuote | Wb::DoubleQuote,
            ) if p != Wb::ExtendNumLet => {
                pending = Some((p, w));
            }
            _ => {
                if prev.is_some() && alnum {
                    words += 1;
                }
                match w {
                    Wb::Hebrew | Wb::Letter | Wb::Numeric | Wb::ExtendNumLet => {
                        alnum = is_alnum(c);
                        prev = Some(w);
                    }
                    _ => {
                        alnum = false;
                        prev = None;
                    }
                }
            }
        }
    }
    if (prev.is_some() || pending.is_some()) && alnum {
        words += 1;
    }
    Some(words)
}

/// Whether `b` directly after `a` stays in the same word (WB5, WB8-10, WB13a/b).
fn joins_directly(a: Wb, b: Wb) -> bool {
    let word = |w: Wb| matches!(w, Wb::Hebrew | Wb::Letter | Wb::Numeric);
    (word(a) && word(b))
        || (b == Wb::ExtendNumLet && (word(a) || a == Wb::ExtendNumLet))
        || (a == Wb::ExtendNumLet && word(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hebrew_examples() {
        for (s, n) in [
            ("עו\"ס אמרה שהבט\"ל ישלם, וכו'.", 5),
            ("בית־ספר", 2),
            ("שילמו 3,500 ש\"ח ב-14.3.2018.", 5),
            ("שָׁלַחְתִּי לְרוֹנִית", 2),
            ("ר\u{200F}ונית", 1),
            ("\"כן\", \"לא\" ...", 2),
            ("ג'ני ו-ג׳ני", 3),
            ("", 0),
            ("  ,. ", 0),
        ] {
            assert_eq!(count_words(s), n, "{s}");
            assert_eq!(s.unicode_words().count(), n, "reference: {s}");
        }
    }

    /// A tiny deterministic generator (xorshift), so the test needs no crate.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn agrees_with_unicode_words_on_random_texts() {
        let alphabet: Vec<char> = "אבגדהוזחטיכךלמםנןסעפףצץקרשתab09 .,;:'\"_-!?()\n\u{05B0}\u{05B8}\u{05BC}\u{05C1}\u{05BE}\u{05F3}\u{05F4}\u{200F}\u{200E}\u{202B}\u{2066}\u{200D}\u{00AD}\u{2019}\u{2018}\u{201C}\u{2026}\u{2013}\u{00A0}\u{00B7}\t\r\u{05C0}\u{05C3}\u{05C6}\u{05EF}\u{05F0}\u{201D}\u{201E}%$@&*/#+=<>|~^`\\[]{}"
            .chars()
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut fast = 0;
        for _ in 0..200_000 {
            let len = (next(&mut state) % 12) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next(&mut state) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(count_words(&s), s.unicode_words().count(), "{s:?}");
            fast += fast_count(&s).is_some() as usize;
        }
        assert!(fast > 100_000, "the fast path counts most texts: {fast}");
    }

    #[test]
    fn agrees_on_every_line_of_the_sample_and_is_fast_on_nearly_all() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
        let (mut lines, mut fast) = (0, 0);
        for e in std::fs::read_dir(dir).unwrap() {
            let Ok(text) = std::fs::read_to_string(e.unwrap().path()) else {
                continue; // Windows-1255 and Word files
            };
            for line in text.lines() {
                assert_eq!(count_words(line), line.unicode_words().count(), "{line}");
                lines += 1;
                fast += fast_count(line).is_some() as usize;
            }
        }
        assert!(lines > 1000);
        assert!(fast * 100 >= lines * 99, "{fast} of {lines} lines");
    }
}
