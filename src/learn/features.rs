//! The features a learned model reads in a unit: its words, its question's words, the rules' codes, attributes.
//!
//! A word is a run of Hebrew letters as written (niqqud, cantillation and
//! directional marks skipped; geresh and gershayim kept inside an abbreviation, as
//! ASCII `'` and `"`).
//! Each word stands for itself and for what is left after a clitic prefix (ו ה ב כ
//! ל מ ש and their combinations), so `והידע`, `בידע` and `ידע` share the feature of
//! `ידע`. Feature names: `w:WORD` (the unit), `q:WORD` (the question it answers),
//! `c:CODE` (the rules coded it; value 1), `s:CODE` (the rules' score, capped at 10,
//! divided by 5), `a:NAME=VALUE` (an attribute the model names).

use crate::coding::Coding;

/// Whether `p` is a clitic prefix: ו ה ב כ ל מ ש, the pairs וש וה וב ול ומ וכ שה שב של
/// שמ כש מה לה בה, and וכש.
fn is_clitic(p: &[char]) -> bool {
    match p {
        ['ו', 'כ', 'ש'] => true,
        [a, b] => matches!(
            (a, b),
            ('ו', 'ש' | 'ה' | 'ב' | 'ל' | 'מ' | 'כ')
                | ('ש', 'ה' | 'ב' | 'ל' | 'מ')
                | ('כ', 'ש')
                | ('מ' | 'ל' | 'ב', 'ה')
        ),
        [a] => matches!(a, 'ו' | 'ה' | 'ב' | 'ל' | 'מ' | 'ש' | 'כ'),
        _ => false,
    }
}

/// The shortest stem (in letters) left after stripping a prefix.
const MIN_STEM: usize = 2;

/// The rules' score from which the score feature stops growing.
pub const SCORE_CAP: f32 = 10.0;

/// The value of a rules' score as a feature: capped at [`SCORE_CAP`], divided by 5.
pub fn score_value(score: f32) -> f32 {
    score.clamp(0.0, SCORE_CAP) / 5.0
}

/// A letter of a word, as the model sees it: ordinary letter forms, geresh and
/// gershayim as ASCII quotes; `None` for a mark to skip; `Some('\0')` for a break.
fn letter(c: char) -> Option<char> {
    match c {
        'א'..='ת' => Some(c),
        '\u{0591}'..='\u{05BD}'
        | '\u{05BF}'
        | '\u{05C1}'..='\u{05C2}'
        | '\u{05C4}'..='\u{05C5}'
        | '\u{05C7}' => None,
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
        '"' | '״' => Some('"'),
        '\'' | '׳' => Some('\''),
        _ => Some('\0'),
    }
}

/// Calls `f(word, byte_start, byte_end, char_start, char_end)` with every word of
/// `text` (in the model's spelling), in order. A word written as the model spells
/// it is a slice of `text`; one with marks to skip is spelled out in `word`.
pub fn for_each_word_at(
    text: &str,
    word: &mut String,
    mut f: impl FnMut(&str, usize, usize, usize, usize),
) {
    // Byte and char offsets of the word's first and one past its last letter, and
    // whether the text between them is already the model's spelling.
    let mut start: Option<(usize, usize)> = None;
    let (mut b1, mut c1) = (0, 0);
    let mut clean = true;
    let mut emit = |(b0, c0): (usize, usize), b1: usize, c1: usize, clean: bool| {
        let raw = &text[b0..b1];
        if clean {
            f(raw, b0, b1, c0, c1);
        } else {
            word.clear();
            word.extend(raw.chars().filter_map(letter).filter(|&l| l != '\0'));
            f(word, b0, b1, c0, c1);
        }
    };
    let bytes = text.as_bytes();
    let (mut bi, mut ci) = (0, 0);
    while bi < bytes.len() {
        // A letter of the Hebrew block (U+05D0..U+05EA: 0xD7 0x90..0xAA) without
        // decoding; any other character decoded.
        let (c, len) = match bytes[bi] {
            0xD7 if matches!(bytes.get(bi + 1), Some(0x90..=0xAA)) => ('א', 2),
            b if b < 0x80 => (b as char, 1),
            _ => {
                let c = text[bi..].chars().next().unwrap_or('\0');
                (c, c.len_utf8())
            }
        };
        match letter(c) {
            // A mark inside a word is skipped.
            None => clean &= start.is_none(),
            Some('\0') => {
                if let Some(at) = start.take() {
                    emit(at, b1, c1, clean);
                }
                clean = true;
            }
            // A quote mark opens no word; inside one it is an abbreviation's (and
            // one that ends the word is not part of it).
            Some(l @ ('"' | '\'')) => {
                if start.is_some() && l != c {
                    clean = false;
                }
            }
            Some(_) => {
                if start.is_none() {
                    start = Some((bi, ci));
                }
                (b1, c1) = (bi + len, ci + 1);
            }
        }
        bi += len;
        ci += 1;
    }
    if let Some(at) = start {
        emit(at, b1, c1, clean);
    }
}

/// Calls `f` with every word of `text` (in the model's spelling), in order.
pub fn for_each_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    for_each_word_at(text, word, |w, _, _, _, _| f(w));
}

/// Calls `f` with the word and each stem left after a clitic prefix (no stem twice).
pub fn for_each_form(word: &str, mut f: impl FnMut(&str)) {
    f(word);
    // The first three letters and where each ends.
    let mut first = ['\0'; 3];
    let mut ends = [0usize; 3];
    let mut n = 0;
    for (i, c) in word.char_indices().take(3) {
        first[n] = c;
        ends[n] = i + c.len_utf8();
        n += 1;
    }
    // Longest first; prefixes of different lengths leave different stems.
    for l in (1..=n).rev() {
        let stem = &word[ends[l - 1]..];
        if is_clitic(&first[..l]) && stem.chars().nth(MIN_STEM - 1).is_some() {
            f(stem);
        }
    }
}

/// Calls `f(name, 1.0)` with the feature of every word of `text` and of its stems,
/// named `prefix` + the form (`w:` for the unit, `q:` for its question); `key` is
/// the buffer names are written into, `word` the word buffer.
pub fn for_each_word_feature(
    prefix: &str,
    text: &str,
    key: &mut String,
    word: &mut String,
    mut f: impl FnMut(&str, f32),
) {
    for_each_word(text, word, |w| {
        for_each_form(w, |form| {
            key.clear();
            key.push_str(prefix);
            key.push_str(form);
            f(key, 1.0);
        })
    });
}

/// Calls `f(name, value)` with the features of the rules' codings and of the
/// attributes in `wanted_attrs`.
pub fn for_each_other_feature(
    codings: &[Coding],
    code_ids: &[String],
    attrs: &[(&str, &str)],
    wanted_attrs: &[String],
    key: &mut String,
    mut f: impl FnMut(&str, f32),
) {
    for c in codings {
        let id = &code_ids[c.code];
        key.clear();
        key.push_str("c:");
        key.push_str(id);
        f(key, 1.0);
        key.clear();
        key.push_str("s:");
        key.push_str(id);
        f(key, score_value(c.score));
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

/// Calls `f(name, value)` with every feature of a unit: its words, its question's
/// words, the rules' codings and the wanted attributes. A word feature may come
/// more than once (the caller counts each name once).
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
    for_each_word_feature("w:", text, key, word, &mut f);
    for q in question {
        for_each_word_feature("q:", q, key, word, &mut f);
    }
    for_each_other_feature(codings, code_ids, attrs, wanted_attrs, key, f);
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
    fn words_are_hebrew_letter_runs_with_marks_skipped_and_gershayim_as_quotes() {
        assert_eq!(
            words("שָׁלוֹם, הם הלכו\u{200F} לעו\"ס (בט״ל) ok 12."),
            vec!["שלום", "הם", "הלכו", "לעו\"ס", "בט\"ל"]
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
            learned: false,
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
