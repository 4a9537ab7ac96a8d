//! The features a learned model reads in a unit: its words, its question's words, the rules' codes, attributes.
//!
//! A word is a run of Hebrew letters (niqqud and cantillation skipped, final forms
//! written as ordinary letters, geresh and gershayim kept inside an abbreviation).
//! Each word stands for itself and for what is left after a clitic prefix (ו ה ב כ
//! ל מ ש and their combinations), so `והידע`, `בידע` and `ידע` share the feature of
//! `ידע`. Feature names: `w:WORD` (the unit), `q:WORD` (the question it answers),
//! `c:CODE` (the rules coded it; value 1), `s:CODE` (the rules' score, capped at 10,
//! divided by 5), `a:NAME=VALUE` (an attribute the model names).

use crate::coding::Coding;

/// Clitic prefixes stripped from the front of a word, longest first.
const PREFIXES: [&str; 22] = [
    "וכש", "וש", "וה", "וב", "ול", "ומ", "וכ", "שה", "שב", "של", "שמ", "כש", "מה", "לה", "בה", "ו",
    "ה", "ב", "ל", "מ", "ש", "כ",
];

/// The shortest word (in letters) left after stripping a prefix.
const MIN_STEM: usize = 2;

/// The rules' score from which the score feature stops growing.
pub const SCORE_CAP: f32 = 10.0;

/// A letter of a word, as the model sees it: ordinary letter forms, geresh and
/// gershayim as ASCII quotes; `None` for a mark to skip; `Some('\0')` for a break.
fn letter(c: char) -> Option<char> {
    match c {
        '\u{0591}'..='\u{05BD}'
        | '\u{05BF}'
        | '\u{05C1}'..='\u{05C2}'
        | '\u{05C4}'..='\u{05C5}'
        | '\u{05C7}' => None,
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
        'ך' => Some('כ'),
        'ם' => Some('מ'),
        'ן' => Some('נ'),
        'ף' => Some('פ'),
        'ץ' => Some('צ'),
        'א'..='ת' => Some(c),
        '"' | '״' => Some('"'),
        '\'' | '׳' => Some('\''),
        _ => Some('\0'),
    }
}

/// Calls `f(word, byte_start, byte_end, char_start, char_end)` with every word of
/// `text` (in the model's spelling), in order; `word` is the buffer it is written into.
pub fn for_each_word_at(
    text: &str,
    word: &mut String,
    mut f: impl FnMut(&str, usize, usize, usize, usize),
) {
    word.clear();
    // Byte and char offsets of the word's first and one past its last letter.
    let (mut b0, mut c0, mut b1, mut c1) = (0, 0, 0, 0);
    let flush =
        |word: &mut String, b0, b1, c0, c1, f: &mut dyn FnMut(&str, usize, usize, usize, usize)| {
            let w = word.trim_end_matches(['"', '\'']);
            if !w.is_empty() {
                f(w, b0, b1, c0, c1);
            }
            word.clear();
        };
    for (ci, (bi, c)) in text.char_indices().enumerate() {
        match letter(c) {
            None => {}
            Some('\0') => flush(word, b0, b1, c0, c1, &mut f),
            // A quote mark opens no word; inside one it is an abbreviation's.
            Some('"' | '\'') if word.is_empty() => {}
            Some(l) => {
                if word.is_empty() {
                    (b0, c0) = (bi, ci);
                }
                word.push(l);
                if l != '"' && l != '\'' {
                    (b1, c1) = (bi + c.len_utf8(), ci + 1);
                }
            }
        }
    }
    flush(word, b0, b1, c0, c1, &mut f);
}

/// Calls `f` with every word of `text` (in the model's spelling), in order.
pub fn for_each_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    for_each_word_at(text, word, |w, _, _, _, _| f(w));
}

/// Calls `f` with the word and each stem left after a clitic prefix (no stem twice).
pub fn for_each_form(word: &str, mut f: impl FnMut(&str)) {
    f(word);
    // Prefixes of different lengths leave different stems, so none comes twice.
    let letters = word.chars().count();
    for p in PREFIXES {
        if let Some(stem) = word.strip_prefix(p)
            && letters - p.chars().count() >= MIN_STEM
        {
            f(stem);
        }
    }
}

/// Calls `f(name, value)` with every feature of a unit: `key` is the buffer names
/// are written into, `word` the word buffer. A word feature may come more than once
/// (the caller counts each name once).
#[allow(clippy::too_many_arguments)]
pub fn for_each_feature(
    text: &str,
    question: &[&str],
    codings: &[Coding],
    code_ids: &[String],
    attrs: &[(&str, &str)],
    wanted_attrs: &[String],
    key: &mut String,
    word: &mut String,
    mut f: impl FnMut(&str, f32),
) {
    let mut words = |prefix: &str, text: &str, key: &mut String, word: &mut String| {
        for_each_word(text, word, |w| {
            for_each_form(w, |form| {
                key.clear();
                key.push_str(prefix);
                key.push_str(form);
                f(key, 1.0);
            })
        });
    };
    words("w:", text, key, word);
    for q in question {
        words("q:", q, key, word);
    }
    for c in codings {
        let id = &code_ids[c.code];
        key.clear();
        key.push_str("c:");
        key.push_str(id);
        f(key, 1.0);
        key.clear();
        key.push_str("s:");
        key.push_str(id);
        f(key, c.score.clamp(0.0, SCORE_CAP) / 5.0);
    }
    for (name, value) in attrs {
        if wanted_attrs.iter().any(|w| w == name) {
            key.clear();
            key.push_str("a:");
            key.push_str(name);
            key.push('=');
            key.push_str(value);
            f(key, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, &mut String::new(), |w| out.push(w.to_string()));
        out
    }

    fn forms(word: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_form(word, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_are_hebrew_letter_runs_with_final_forms_and_marks_folded() {
        assert_eq!(
            words("שָׁלוֹם, הם הלכו\u{200F} לעו\"ס (בט״ל) ok 12."),
            vec!["שלומ", "המ", "הלכו", "לעו\"ס", "בט\"ל"]
        );
        assert_eq!(words("\"ציטוט\" אמרה"), vec!["ציטוט", "אמרה"]);
        assert_eq!(words("ביטוח־לאומי"), vec!["ביטוח", "לאומי"]);
    }

    #[test]
    fn a_word_stands_for_itself_and_its_stems_after_a_clitic() {
        assert_eq!(forms("שהידע"), vec!["שהידע", "ידע", "הידע"]);
        assert_eq!(forms("והידע"), vec!["והידע", "ידע", "הידע"]);
        // A stem is at least two letters: ומה leaves מה, not ה.
        assert_eq!(forms("ומה"), vec!["ומה", "מה"]);
        assert_eq!(forms("ידע"), vec!["ידע"]);
    }

    #[test]
    fn features_name_words_question_codes_and_wanted_attributes() {
        let codings = [Coding {
            code: 1,
            score: 12.5,
            evidence: Vec::new(),
        }];
        let ids = vec!["a".to_string(), "keys.power".to_string()];
        let mut got = Vec::new();
        for_each_feature(
            "בידע",
            &["למה?"],
            &codings,
            &ids,
            &[("sector", "public"), ("site", "x")],
            &["sector".to_string()],
            &mut String::new(),
            &mut String::new(),
            |k, v| got.push((k.to_string(), v)),
        );
        let want: Vec<(String, f32)> = [
            ("w:בידע", 1.0),
            ("w:ידע", 1.0),
            ("q:למה", 1.0),
            ("q:מה", 1.0),
            ("c:keys.power", 1.0),
            ("s:keys.power", 2.0),
            ("a:sector=public", 1.0),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        assert_eq!(got, want);
    }
}
