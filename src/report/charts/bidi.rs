//! Bidirectional text: logical-order labels to the visual order a bitmap font draws.

use std::borrow::Cow;
use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};

/// The label in visual order (left to right as drawn), by the Unicode
/// bidirectional algorithm (UAX #9) with the paragraph direction taken from the
/// first strong character (rules P2/P3), and with brackets mirrored inside
/// right-to-left runs (rule L4), so `(17)` in Hebrew still reads `(17)`.
///
/// Each line of a multi-line label is ordered on its own.
pub fn visual_order(label: &str) -> String {
    visual_order_with(label, None)
}

/// Like [`visual_order`], with the paragraph direction forced when `rtl_base`
/// is `Some` (true: right to left).
pub(super) fn visual_order_with(label: &str, rtl_base: Option<bool>) -> String {
    label
        .split('\n')
        .map(|line| visual_line(line, rtl_base))
        .collect::<Vec<_>>()
        .join("\n")
}

fn visual_line(line: &str, rtl_base: Option<bool>) -> String {
    if line.is_empty() {
        return String::new();
    }
    let base = rtl_base.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let info = BidiInfo::new(line, base);
    if !info.has_rtl() {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    for para in &info.paragraphs {
        let (levels, runs) = info.visual_runs(para, para.range.clone());
        for run in runs {
            let text = &line[run.clone()];
            if levels[run.start].is_rtl() {
                out.extend(text.chars().rev().map(mirrored));
            } else {
                out.push_str(text);
            }
        }
    }
    out
}

/// The label without bidirectional embedding, override and isolate controls
/// (U+202A-U+202E, U+2066-U+2069). A label's own controls (from a manifest value, a
/// codebook label) would reorder it or, unbalanced, what follows it; the charts
/// order labels themselves and add their own balanced isolates.
pub(super) fn without_controls(label: &str) -> Cow<'_, str> {
    let control = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if label.contains(control) {
        Cow::Owned(label.chars().filter(|&c| !control(c)).collect())
    } else {
        Cow::Borrowed(label)
    }
}

/// The mirror image of a bracket-like character (Unicode's Bidi_Mirroring_Glyph
/// for the pairs that occur in labels), or the character itself.
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

/// Whether the label holds a right-to-left letter (Hebrew or Arabic).
pub(super) fn has_rtl(label: &str) -> bool {
    label
        .chars()
        .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL))
}

/// Whether the first strong character of the label is right to left (P2/P3).
pub(super) fn first_strong_is_rtl(label: &str) -> bool {
    label
        .chars()
        .find_map(|c| match bidi_class(c) {
            BidiClass::R | BidiClass::AL => Some(true),
            BidiClass::L => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are written by hand: the visual order is the logical
    // string read from its last character to its first inside Hebrew runs,
    // with digit and Latin runs kept left to right (UAX #9, rules W/N/I/L).

    #[test]
    fn pure_hebrew_is_reversed() {
        assert_eq!(visual_order("ידע"), "עדי");
        assert_eq!(visual_order("מגזר שלישי"), "ישילש רזגמ");
    }

    #[test]
    fn number_in_hebrew_keeps_its_digit_order() {
        assert_eq!(visual_order("סקטור 3"), "3 רוטקס");
        assert_eq!(visual_order("סקטור 12"), "12 רוטקס");
    }

    #[test]
    fn latin_inside_hebrew_stays_left_to_right() {
        assert_eq!(visual_order("ארגון NGO גדול"), "לודג NGO ןוגרא");
    }

    #[test]
    fn parentheses_are_mirrored_in_hebrew() {
        assert_eq!(visual_order("ידע (17)"), "(17) עדי");
        assert_eq!(visual_order("כוח (מעט)"), "(טעמ) חוכ");
    }

    #[test]
    fn pure_english_is_unchanged() {
        assert_eq!(visual_order("Public sector (n=4)"), "Public sector (n=4)");
        assert_eq!(visual_order("42% (17)"), "42% (17)");
    }

    #[test]
    fn forced_rtl_base_puts_leading_latin_on_the_right() {
        // P2/P3 would make "NGO ..." a left-to-right paragraph; forced RTL puts
        // the Latin word, read first, at the right end.
        assert_eq!(visual_order("NGO עמותה"), "NGO התומע");
        assert_eq!(visual_order_with("NGO עמותה", Some(true)), "התומע NGO");
    }

    #[test]
    fn lines_are_ordered_separately() {
        assert_eq!(visual_order("ידע\n(17)"), "עדי\n(17)");
    }

    #[test]
    fn own_controls_are_dropped() {
        assert_eq!(
            without_controls("\u{202E}ידע\u{202C} \u{2066}NGO\u{2069} \u{2067}x"),
            "ידע NGO x"
        );
        assert!(matches!(without_controls("ידע\u{200F}"), Cow::Borrowed(_)));
    }

    #[test]
    fn direction_probes() {
        assert!(has_rtl("NGO עמותה"));
        assert!(!has_rtl("42% (17)"));
        assert!(first_strong_is_rtl("3 ידע"));
        assert!(!first_strong_is_rtl("NGO עמותה"));
        assert!(!first_strong_is_rtl("42%"));
    }
}
