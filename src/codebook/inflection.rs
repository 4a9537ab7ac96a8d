//! Inflecting stems (`ליוו~`): the prefix letters and the closed list of endings they take.
//!
//! A token matches a stem when, after its clitic prefixes, it is at most one
//! [`PREFIX_LETTERS`] letter, the stem, and one of the [`ENDINGS`] (or nothing).
//! The endings are a closed list of real Hebrew inflections, not a class of letters,
//! so a stem does not match inside longer unrelated words (`לוו~` matches `ליוויתי`'s
//! paradigm but not `לוויין`; `ספר~` not `ספרדי`).

use crate::text::normalize::fold_final;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The letters that may stand between the clitic prefixes and a stem: the future
/// tense persons (א ת י נ), the participle מ and the ה of הפעיל/התפעל past, infinitive
/// and imperative (`אלווה`, `מגישים`, `התקשרתי` with the stem `תקשר~`).
pub const PREFIX_LETTERS: &[char] = &['א', 'ת', 'י', 'נ', 'מ', 'ה'];

/// Every ending an inflecting stem may take besides none, grouped by what they inflect.
/// Written with final letters; tokens are compared after folding them.
///
/// Left out on purpose: `ן` and `ון` (derive new nouns: `ספרן`, `מידעון`), `יה`
/// (ends unrelated nouns: `לוויה`, `עיריה`), `יין` (`לוויין`), and object pronouns
/// on verbs beyond the ones that coincide with listed endings (speech says `אותו`).
#[rustfmt::skip]
pub const ENDINGS: &[&str] = &[
    // Verbs, past: הגשתי הגשת הגישה הגשנו הגשתם הגשתן הגישו.
    "תי", "ת", "תה", "נו", "תם", "תן", "ו", "ה",
    // Past of verbs ending in a vowel (ל"י): ליוויתי ליווית ליווינו ליוויתם ליוויתן.
    "יתי", "ית", "ינו", "יתם", "יתן",
    // Future, imperative, participle, infinitive: תגישי יגישו תגשנה מגישים מגישות ללוות.
    "י", "נה", "ים", "ות",
    // Adjectives in -י: ביורוקרטי ביורוקרטית ביורוקרטיים ביורוקרטיות.
    "יים", "יות",
    // Possessive on a singular noun (with י ו ה נו above): ספרי ספרך ספרו ספרה ספרנו ספרכם ספרכן ספרם.
    "ך", "כם", "כן", "ם",
    // Possessive on a noun in -ה/-ת: בקשתי בקשתך בקשתו בקשתה בקשתנו בקשתכם בקשתכן בקשתם בקשתן.
    "תך", "תו", "תנו", "תכם", "תכן",
    // Possessive on a plural noun: ילדיי ילדיך ילדיו ילדינו ילדיכם ילדיכן ילדיהם ילדיהן.
    "יי", "יך", "יו", "יכם", "יכן", "יהם", "יהן",
    // Possessive on a feminine plural noun: זכויותיי ... זכויותיהם.
    "ותי", "ותיי", "ותיך", "ותיו", "ותיה", "ותינו", "ותיכם", "ותיכן", "ותיהם", "ותיהן",
    // Object pronouns that are not endings above: הגישוהו ליווני.
    "הו", "ני",
];

/// The endings folded as tokens are (final letters to base letters).
static FOLDED: LazyLock<HashSet<String>> = LazyLock::new(|| {
    ENDINGS
        .iter()
        .map(|e| e.chars().map(fold_final).collect())
        .collect()
});

/// The longest ending, in bytes.
pub static MAX_ENDING_BYTES: LazyLock<usize> =
    LazyLock::new(|| ENDINGS.iter().map(|e| e.len()).max().unwrap_or(0));

/// Whether the folded `rest` of a token after a stem is an inflectional ending
/// (the empty string is).
pub fn is_ending(rest: &str) -> bool {
    rest.is_empty() || (rest.len() <= *MAX_ENDING_BYTES && FOLDED.contains(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_are_distinct_hebrew_and_short() {
        let distinct: HashSet<&str> = ENDINGS.iter().copied().collect();
        assert_eq!(distinct.len(), ENDINGS.len());
        for e in ENDINGS {
            assert!((1..=5).contains(&e.chars().count()), "{e}");
            assert!(e.chars().all(|c| ('א'..='ת').contains(&c)), "{e}");
        }
    }

    #[test]
    fn codebook_readme_lists_exactly_these_endings() {
        let readme = include_str!("../../codebooks/README.md");
        let table = readme
            .split("| inflection | endings |")
            .nth(1)
            .and_then(|t| t.split("\n\n").next())
            .expect("the endings table in codebooks/README.md");
        let documented: HashSet<&str> = table
            .lines()
            .skip(2)
            .filter_map(|row| row.split('|').nth(2))
            .flat_map(str::split_whitespace)
            .collect();
        let listed: HashSet<&str> = ENDINGS.iter().copied().collect();
        assert_eq!(documented, listed);
    }

    #[test]
    fn endings_fold_final_letters() {
        assert!(is_ending(""));
        assert!(is_ending("ימ"));
        assert!(is_ending("יתי"));
        assert!(is_ending("ותיהמ"));
        assert!(is_ending("כ"));
        // Derivations and unrelated word ends.
        for rest in ["ונ", "נ", "יה", "יינ", "די", "ור", "ותיהמו"] {
            assert!(!is_ending(rest), "{rest}");
        }
    }
}
