//! Identifiers found by their shape: Israeli ID numbers, phone numbers, e-mail and street addresses.
//!
//! Numbers are judged as whole numbers: a digit run that continues into more digits
//! (`3,500`, `14.3.2018`, `14/03/2018`, `2018-123456782`) or into Latin letters is
//! not an identifier, and neither is a number next to a currency or percent sign.

use super::ItemKind;
use super::names::{after_letters, stems};
use crate::text::chars::is_geresh_like;
use crate::text::normalize::{Tokens, folded_words};
use regex::Regex;
use std::collections::HashSet;

/// An identifier found by its shape; `key` is its normalised form (same key, same entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShapeHit {
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: ItemKind,
    pub key: String,
}

/// Whether `digits` (ASCII digits, at most 9; shorter ones are padded with leading
/// zeros) is an Israeli ID number with a valid check digit: the digits are
/// multiplied alternately by 1 and 2 from the left, the digits of each product
/// summed, and the total must be divisible by 10.
///
/// `123456782`: 1 4 3 8 5 (12->3) 7 (16->7) 2 = 40, valid; `123456789` sums to 47.
pub fn is_valid_israeli_id(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let pad = 9 - b.len();
    let mut sum = 0u32;
    for (i, &d) in b.iter().enumerate() {
        let weight = if (i + pad).is_multiple_of(2) { 1 } else { 2 };
        let p = u32::from(d - b'0') * weight;
        sum += if p > 9 { p - 9 } else { p };
    }
    sum.is_multiple_of(10)
}

/// Folded street words; abbreviations must be written with a geresh (`רח'`, `שד'`).
const STREETS: &[&str] = &[
    "רחוב",
    "שדרות",
    "שדרת",
    "דרך",
    "סמטת",
    "סמטה",
    "כיכר",
    "ככר",
];
const STREET_ABBREVIATIONS: &[&str] = &["רח", "שד"];
/// Words that cannot be part of a street name: they show that `דרך` means "through"
/// or "way" (`בדרך כלל 3 פעמים`, `דרך הבנק 200 שקל`).
const NOT_STREET_NAME: &[&str] = &[
    "כלל",
    "של",
    "את",
    "עם",
    "על",
    "אל",
    "לא",
    "כל",
    "זה",
    "זו",
    "זאת",
    "הזה",
    "הזאת",
    "הביתה",
    "עד",
    "גם",
    "רק",
    "אבל",
    "או",
    "כי",
    "אם",
    "יש",
    "אין",
    "היה",
    "הייתה",
    "הבנק",
    "האתר",
    "הטלפון",
    "המחשב",
    "האינטרנט",
    "הדואר",
    "המייל",
    "הוואטסאפ",
    "העבודה",
    "הרבה",
    "מאוד",
    "בערך",
    "כמו",
    "אחרי",
    "לפני",
    "אחד",
    "אחת",
    "שם",
    "פה",
    "כאן",
    "עוד",
    "בין",
    "אחר",
    "אחרת",
];
/// Words after a number that make it an amount, a duration or a count, not a house number.
const UNIT_WORDS: &[&str] = &[
    "ש\"ח",
    "שח",
    "שקל",
    "שקלים",
    "אש\"ח",
    "אלף",
    "אלפים",
    "מיליון",
    "דולר",
    "יורו",
    "אחוז",
    "אחוזים",
    "שנים",
    "שנה",
    "שנות",
    "חודשים",
    "חודש",
    "שבועות",
    "שבוע",
    "ימים",
    "יום",
    "שעות",
    "שעה",
    "דקות",
    "דקה",
    "פעמים",
    "פעם",
    "אנשים",
    "ילדים",
    "משפחות",
    "תיקים",
    "פניות",
    "מטר",
    "קילומטר",
    "ק\"מ",
    "קומות",
    "nis",
];
const NUMBER_WORDS: &[&str] = &["מספר", "מס"];

/// The shape patterns, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    number: Regex,
    phone: Regex,
    email: Regex,
    placeholder: Regex,
    streets: HashSet<String>,
    abbreviations: HashSet<String>,
    not_street_name: HashSet<String>,
    units: HashSet<String>,
    number_words: HashSet<String>,
}

fn folded_set(words: &[&str]) -> HashSet<String> {
    words.iter().flat_map(|w| folded_words(w)).collect()
}

impl Patterns {
    pub fn new() -> Patterns {
        let prefix = r"(?:5[0-9]|7[2-9]|[2-489])";
        let phone = format!(
            r"(?:(?:\+|00)972[- ]?(?:\(0\)[- ]?)?{prefix}|\(0{prefix}\)|0{prefix})[- ]?[0-9]{{3}}[- ]?[0-9]{{2}}[- ]?[0-9]{{2}}"
        );
        Patterns {
            number: Regex::new(r"[0-9]+(?:-[0-9]+)?").expect("number pattern"),
            phone: Regex::new(&phone).expect("phone pattern"),
            email: Regex::new(
                r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}",
            )
            .expect("email pattern"),
            placeholder: Regex::new(
                r#"\[(?:(?:שם|מקום|ארגון|כתובת|NAME|PLACE|ORG|ADDRESS)-[0-9]+|ת"ז|טלפון|דוא"ל|ID|PHONE|EMAIL)\]"#,
            )
            .expect("placeholder pattern"),
            streets: folded_set(STREETS),
            abbreviations: folded_set(STREET_ABBREVIATIONS),
            not_street_name: folded_set(NOT_STREET_NAME),
            units: folded_set(UNIT_WORDS),
            number_words: folded_set(NUMBER_WORDS),
        }
    }

    /// Byte spans of placeholders already in the text (they are never matched again).
    pub fn placeholders(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        if text.contains('[') {
            out.extend(
                self.placeholder
                    .find_iter(text)
                    .map(|m| (m.start(), m.end())),
            );
        }
    }

    /// Israeli ID numbers with a valid check digit, written as 9 digits or as 8
    /// digits, a hyphen and the check digit (`12345678-2`). Eight digits alone are
    /// taken, with a leading zero, only right after an ID cue (`ת"ז`, `זהות`).
    pub fn find_ids(
        &self,
        text: &str,
        blocked: impl Fn(usize, usize) -> bool,
        out: &mut Vec<ShapeHit>,
    ) {
        for m in self.number.find_iter(text) {
            let s = m.as_str();
            let (s0, e0) = (m.start(), m.end());
            let mut key = [b'0'; 9];
            let bytes = s.as_bytes();
            let ok = match bytes.len() {
                9 if !s.contains('-') => {
                    key.copy_from_slice(bytes);
                    true
                }
                10 if bytes[8] == b'-' => {
                    key[..8].copy_from_slice(&bytes[..8]);
                    key[8] = bytes[9];
                    true
                }
                8 if !s.contains('-') && id_cue_before(text, s0) => {
                    key[1..].copy_from_slice(bytes);
                    true
                }
                _ => false,
            };
            if !ok
                || !isolated_number(text, s0, e0)
                || money_around(text, s0, e0)
                || blocked(s0, e0)
            {
                continue;
            }
            let key = std::str::from_utf8(&key).expect("ASCII digits");
            if is_valid_israeli_id(key) {
                out.push(ShapeHit {
                    byte_start: s0,
                    byte_end: e0,
                    kind: ItemKind::Id,
                    key: key.to_string(),
                });
            }
        }
    }

    /// Israeli phone numbers: mobile `05X` and `07X` numbers of ten digits, landlines
    /// `0X` of nine, with `+972`/`00972` instead of the leading zero, in groups
    /// separated by single spaces or hyphens (`050-1234567`, `050-123-4567`,
    /// `050 123 45 67`, `02-6234567`, `(02) 6234567`, `+972-50-1234567`). Nine bare
    /// digits after an ID cue are an ID candidate, not a phone.
    pub fn find_phones(
        &self,
        text: &str,
        blocked: impl Fn(usize, usize) -> bool,
        out: &mut Vec<ShapeHit>,
    ) {
        for m in self.phone.find_iter(text) {
            let (s0, e0) = (m.start(), m.end());
            if !isolated_number(text, s0, e0) || blocked(s0, e0) {
                continue;
            }
            let raw = m.as_str();
            if raw.len() == 9 && raw.bytes().all(|b| b.is_ascii_digit()) && id_cue_before(text, s0)
            {
                continue;
            }
            let mut digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            for intl in ["00972", "972"] {
                if let Some(rest) = digits.strip_prefix(intl) {
                    let rest = rest.strip_prefix('0').unwrap_or(rest);
                    digits = format!("0{rest}");
                    break;
                }
            }
            out.push(ShapeHit {
                byte_start: s0,
                byte_end: e0,
                kind: ItemKind::Phone,
                key: digits,
            });
        }
    }

    /// E-mail addresses (ASCII; the key is lower-cased).
    pub fn find_emails(
        &self,
        text: &str,
        blocked: impl Fn(usize, usize) -> bool,
        out: &mut Vec<ShapeHit>,
    ) {
        if !text.contains('@') {
            return;
        }
        for m in self.email.find_iter(text) {
            if !blocked(m.start(), m.end()) {
                out.push(ShapeHit {
                    byte_start: m.start(),
                    byte_end: m.end(),
                    kind: ItemKind::Email,
                    key: m.as_str().to_ascii_lowercase(),
                });
            }
        }
    }

    /// Street addresses: a street word (`רחוב`, `רח'`, `שדרות`, `שד'`, `דרך`, `סמטת`,
    /// `כיכר`), with any clitic prefix but the article (`ברחוב`, `ובשדרות`; the
    /// prefix stays outside the placeholder), then one to three name words, an
    /// optional `מספר`/`מס'`, and a house number of one to four digits with an
    /// optional letter (`5א`) and `/apartment` (`12/3`). Not when the number is an
    /// amount or a count (`דרך הבנק 200 שקל`, `בדרך כלל 3 פעמים`).
    /// The key is the folded street name and number: `רחוב הרצל 12` and `ברח' הרצל 12`
    /// are one address.
    pub fn find_addresses(
        &self,
        text: &str,
        toks: &Tokens,
        blocked: impl Fn(usize, usize) -> bool,
        out: &mut Vec<ShapeHit>,
    ) {
        let tokens = toks.tokens();
        let mut i = 0;
        while i < tokens.len() {
            let mut street = None;
            stems(toks.text(i), |chain, stem| {
                if street.is_some()
                    || (chain > 0 && toks.text(i)[..toks.text(i).len() - stem.len()].ends_with('ה'))
                {
                    return;
                }
                if self.streets.contains(stem) {
                    street = Some(chain);
                } else if self.abbreviations.contains(stem) {
                    let end = tokens[i].byte_end as usize;
                    if text[end..].chars().next().is_some_and(is_geresh_like) {
                        street = Some(chain);
                    }
                }
            });
            let Some(chain) = street else {
                i += 1;
                continue;
            };
            let mut key = String::new();
            let mut j = i + 1;
            let mut names = 0;
            let mut number = None;
            while j < tokens.len() && !tokens[j].break_before {
                let w = toks.text(j);
                if is_house_number(w) {
                    if names > 0 {
                        number = Some(j);
                    }
                    break;
                }
                if self.number_words.contains(w) && names > 0 {
                    j += 1;
                    continue;
                }
                if names == 3
                    || w.starts_with(|c: char| c.is_ascii_digit())
                    || self.not_street_name.contains(w)
                {
                    break;
                }
                if !key.is_empty() {
                    key.push(' ');
                }
                key.push_str(w);
                names += 1;
                j += 1;
            }
            let Some(n) = number else {
                i += 1;
                continue;
            };
            let next_is_unit = n + 1 < tokens.len()
                && !tokens[n + 1].break_before
                && self.units.contains(toks.text(n + 1));
            let byte_start = after_letters(text, tokens[i].byte_start as usize, chain);
            let mut byte_end = tokens[n].byte_end as usize;
            key.push(' ');
            key.push_str(toks.text(n));
            // An apartment number: `12/3`.
            if let Some(rest) = text[byte_end..].strip_prefix('/') {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 {
                    key.push('/');
                    key.push_str(&rest[..digits]);
                    byte_end += 1 + digits;
                }
            }
            if next_is_unit
                || money_around(text, tokens[n].byte_start as usize, byte_end)
                || !isolated_number(text, tokens[n].byte_start as usize, byte_end)
                || blocked(byte_start, byte_end)
            {
                i += 1;
                continue;
            }
            out.push(ShapeHit {
                byte_start,
                byte_end,
                kind: ItemKind::Address,
                key,
            });
            i = n + 1;
        }
    }
}

/// A house number: 1-4 digits, optionally one letter (`5א`, `12b`).
fn is_house_number(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=4).contains(&digits) {
        return false;
    }
    let mut rest = w[digits..].chars();
    match (rest.next(), rest.next()) {
        (None, _) => true,
        (Some(c), None) => c.is_alphabetic(),
        _ => false,
    }
}

/// Whether the number at `s..e` stands alone: not continued by digits, by a digit
/// group after `. , / : -`, or by Latin letters, on either side.
fn isolated_number(text: &str, s: usize, e: usize) -> bool {
    let mut before = text[..s].chars().rev();
    match before.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '+' => return false,
        Some('.' | ',' | '/' | ':' | '-') if before.next().is_some_and(|c| c.is_ascii_digit()) => {
            return false;
        }
        _ => {}
    }
    let mut after = text[e..].chars();
    match after.next() {
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some('.' | ',' | '/' | ':' | '-') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    }
}

/// Whether a currency or percent sign or word stands right before or after `s..e`.
fn money_around(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].trim_end_matches([' ', '\u{00A0}']);
    if before.ends_with(['₪', '$', '€', '£']) {
        return true;
    }
    let after = text[e..].trim_start_matches([' ', '\u{00A0}']);
    [
        "₪",
        "%",
        "$",
        "€",
        "ש\"ח",
        "ש״ח",
        "ש”ח",
        "שח",
        "שקל",
        "אש\"ח",
        "אלף",
        "מיליון",
        "דולר",
        "יורו",
        "אחוז",
        "NIS",
    ]
    .iter()
    .any(|u| {
        after.strip_prefix(u).is_some_and(|rest| {
            // A whole word: `שח` is an amount, `שחר` is not.
            !rest.starts_with(|c: char| c.is_alphabetic()) || u.starts_with("שקל") || *u == "אחוז"
        })
    })
}

/// Whether an ID cue (`ת"ז`, `ת.ז`, `זהות`, `ID`) stands within the 30 characters
/// before byte `s`, with no phone cue (`טלפון`, `נייד`, `פקס`, ...) after it:
/// in `ת"ז 123456782 והטלפון 036123456` the second number is a phone.
fn id_cue_before(text: &str, s: usize) -> bool {
    let mut from = s.saturating_sub(4 * 30);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..s];
    let tail: &str = match window.char_indices().rev().nth(29) {
        Some((i, _)) => &window[i..],
        None => window,
    };
    let last = |cues: &[&str]| cues.iter().filter_map(|c| tail.rfind(c)).max();
    let id = last(&["ת\"ז", "ת״ז", "ת”ז", "ת.ז", "זהות", "ID"]);
    let phone = last(&[
        "טלפון",
        "טל'",
        "טל׳",
        "נייד",
        "פלאפון",
        "סלולר",
        "פקס",
        "phone",
        "Tel",
        "tel",
    ]);
    match (id, phone) {
        (Some(i), Some(p)) => i > p,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_check_digit() {
        // 123456782: products 1,4,3,8,5,12,7,16,2 -> digit sums 1+4+3+8+5+3+7+7+2 = 40.
        assert!(is_valid_israeli_id("123456782"));
        // 123456789: 1+4+3+8+5+3+7+7+9 = 47.
        assert!(!is_valid_israeli_id("123456789"));
        // 18 padded to 000000018: 1*2 + 8*1 = 10.
        assert!(is_valid_israeli_id("18"));
        assert!(!is_valid_israeli_id("1234567890"));
        assert!(!is_valid_israeli_id("12345678a"));
    }

    #[test]
    fn house_numbers() {
        for w in ["5", "12", "100", "5א", "1234"] {
            assert!(is_house_number(w), "{w}");
        }
        for w in ["", "12345", "5אב", "א5"] {
            assert!(!is_house_number(w), "{w}");
        }
    }

    #[test]
    fn isolated_numbers() {
        let t = "3,500 ו-14.3.2018 ו 123";
        // "500" continues "3,".
        let s = t.find("500").unwrap();
        assert!(!isolated_number(t, s, s + 3));
        // "14" is followed by ".3".
        let s = t.find("14").unwrap();
        assert!(!isolated_number(t, s, s + 2));
        let s = t.find("123").unwrap();
        assert!(isolated_number(t, s, s + 3));
        // A hyphen after a Hebrew prefix is not part of a number: ל-0501234567.
        let t = "ל-0501234567.";
        let s = t.find('0').unwrap();
        assert!(isolated_number(t, s, t.len() - 1));
    }

    #[test]
    fn id_cue_window() {
        let t = "מספר תעודת זהות שלי 12345674";
        assert!(id_cue_before(t, t.find('1').unwrap()));
        let t = "שילמתי בסך הכל 12345674";
        assert!(!id_cue_before(t, t.find('1').unwrap()));
        // The phone cue is nearer than the ID cue.
        let t = "ת\"ז 123456782 והטלפון 036123456";
        assert!(!id_cue_before(t, t.find('0').unwrap()));
        // Too far: more than 30 characters between the cue and the number.
        let t = "ת\"ז שלה, כך היא אמרה לי אתמול בערב, 12345674";
        assert!(!id_cue_before(t, t.find('1').unwrap()));
    }
}
