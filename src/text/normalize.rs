//! Hebrew normalisation for matching, with a map back to the original text.
//!
//! Matching sees a text as a list of [`Token`]s: runs of letters and digits, folded
//! so that spelling noise does not matter, each with its character and byte span in
//! the original text. The steps are small and tested alone:
//!
//! - [`fold_char`]: one character -> what matching sees (niqqud, cantillation,
//!   directional marks and the BOM vanish; final letters become their base letter;
//!   Latin letters are lower-cased; every gershayim/geresh spelling becomes `"`/`'`;
//!   maqaf and hyphens join words like a space; clause punctuation is a break);
//! - [`Tokenizer`]: folded characters -> tokens (a geresh or gershayim stays inside
//!   a token only between two letters, as in `עו"ס` or `צ'ק`);
//! - [`clitic_stems`]: a token -> the stems left after stripping each valid chain
//!   of the clitic prefixes ו ה ב כ ל מ ש (`וכשהידע` -> `כשהידע`, `הידע`, `ידע`, ...).
//!
//! Offsets are CHARACTER offsets (Unicode scalar values), as Python slices strings.

use super::chars::{is_directional_mark, is_geresh_like, is_hebrew_mark};

/// What one character of the original text is for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Part of a word, as this (folded) character.
    Letter(char),
    /// A geresh (`'`) or gershayim (`"`) in any spelling; kept only inside a word.
    Geresh(char),
    /// Invisible for matching: niqqud, cantillation, directional marks, BOM, joiners.
    Skip,
    /// Separates words: spaces, maqaf, hyphens, quotes, brackets.
    Space,
    /// Separates words and ends a clause: `. , ; : ! ?`, dashes, new lines.
    Break,
}

/// The base letter of a Hebrew final form (ך ם ן ף ץ); other characters unchanged.
pub fn fold_final(c: char) -> char {
    match c {
        'ך' => 'כ',
        'ם' => 'מ',
        'ן' => 'נ',
        'ף' => 'פ',
        'ץ' => 'צ',
        _ => c,
    }
}

/// Classifies and folds one character (see the module documentation).
pub fn fold_char(c: char) -> Fold {
    // The common cases first, without Unicode table look-ups.
    match c {
        '\u{05D0}'..='\u{05EA}' => return Fold::Letter(fold_final(c)),
        'a'..='z' | '0'..='9' => return Fold::Letter(c),
        'A'..='Z' => return Fold::Letter(c.to_ascii_lowercase()),
        ' ' => return Fold::Space,
        _ => {}
    }
    if is_hebrew_mark(c)
        || is_directional_mark(c)
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{00AD}')
    {
        return Fold::Skip;
    }
    if is_geresh_like(c) || matches!(c, '\u{201C}' | '\u{2018}' | '\u{201E}') {
        let quote = match c {
            '\'' | '\u{05F3}' | '\u{2019}' | '\u{2018}' => '\'',
            _ => '"',
        };
        return Fold::Geresh(quote);
    }
    if c.is_alphanumeric() {
        let c = fold_final(c);
        if c.is_uppercase() {
            return Fold::Letter(c.to_lowercase().next().unwrap_or(c));
        }
        return Fold::Letter(c);
    }
    match c {
        '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '\r' | '\u{2013}' | '\u{2014}' | '\u{2026}'
        | '\u{05C3}' => Fold::Break,
        _ => Fold::Space,
    }
}

/// One word of a text, folded for matching, with its place in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte range of the folded word in the tokenizer's buffer ([`Tokens::text`]).
    pub norm_start: u32,
    pub norm_end: u32,
    /// Character offsets (Unicode scalar values) of the word in the original text.
    pub start: u32,
    pub end: u32,
    /// Byte offsets of the word in the original text.
    pub byte_start: u32,
    pub byte_end: u32,
    /// A clause break (`.`, `,`, `?`, a dash, a new line, ...) lies between the
    /// previous token and this one.
    pub break_before: bool,
}

/// The tokens of one text and the buffer holding their folded forms; reusable.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    buf: String,
    tokens: Vec<Token>,
    /// Whether the text held only Hebrew letters and ASCII other than quote marks.
    plain: bool,
}

impl Tokens {
    /// An empty token list.
    pub fn new() -> Tokens {
        Tokens::default()
    }

    /// Whether the text tokenized held only Hebrew letters (U+05D0..U+05EA) and
    /// ASCII characters other than the quote marks `"` and `'`: no points, marks,
    /// geresh or other characters, so each token is a plain slice of letters.
    pub fn plain(&self) -> bool {
        self.plain
    }

    /// The tokens in text order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The folded form of token `i`.
    pub fn text(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.buf[t.norm_start as usize..t.norm_end as usize]
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The folded forms of all tokens, e.g. for tests and messages.
    pub fn words(&self) -> Vec<&str> {
        (0..self.len()).map(|i| self.text(i)).collect()
    }
}

/// Splits a text into folded tokens, reusing the buffers of `out`.
pub struct Tokenizer;

impl Tokenizer {
    /// Tokenizes `text` into `out` (cleared first).
    pub fn tokenize(text: &str, out: &mut Tokens) {
        out.buf.clear();
        out.tokens.clear();
        out.plain = true;
        let mut cur: Option<Token> = None;
        // A geresh seen after a letter of the current token, waiting for a letter.
        let mut pending_geresh: Option<char> = None;
        let mut break_pending = false;
        let bytes = text.as_bytes();
        let (mut at, mut char_pos) = (0_usize, 0_u32);
        while at < bytes.len() {
            let byte_pos = at as u32;
            // A run of Hebrew letters (U+05D0..U+05EA: D7 90..D7 AA in UTF-8), the
            // common case, is taken whole without decoding: its letters are
            // copied as they are but final letters, which fold to their base letter.
            if let Some(&[0xD7, 0x90..=0xAA]) = bytes.get(at..at + 2) {
                let t = match cur.as_mut() {
                    Some(t) => {
                        if let Some(g) = pending_geresh.take() {
                            out.buf.push(g);
                        }
                        t
                    }
                    None => {
                        let first = Token {
                            norm_start: out.buf.len() as u32,
                            norm_end: 0,
                            start: char_pos,
                            end: 0,
                            byte_start: byte_pos,
                            byte_end: 0,
                            break_before: break_pending && !out.tokens.is_empty(),
                        };
                        break_pending = false;
                        cur.insert(first)
                    }
                };
                let (mut from, mut end) = (at, at);
                while let Some(&[0xD7, b @ 0x90..=0xAA]) = bytes.get(end..end + 2) {
                    if matches!(b, 0x9A | 0x9D | 0x9F | 0xA3 | 0xA5) {
                        out.buf.push_str(&text[from..end]);
                        let c = char::from_u32(0x05C0 + (b & 0x3F) as u32).unwrap_or('\u{FFFD}');
                        out.buf.push(fold_final(c));
                        from = end + 2;
                    }
                    end += 2;
                }
                out.buf.push_str(&text[from..end]);
                char_pos += ((end - at) / 2) as u32;
                t.norm_end = out.buf.len() as u32;
                t.end = char_pos;
                t.byte_end = end as u32;
                at = end;
                continue;
            }
            // A space, the most common character after the letters, ends a token.
            if bytes[at] == b' ' {
                pending_geresh = None;
                Self::finish(&mut cur, out);
                at += 1;
                char_pos += 1;
                continue;
            }
            let c = match bytes[at] {
                b'"' | b'\'' => {
                    out.plain = false;
                    bytes[at] as char
                }
                b if b < 0x80 => b as char,
                _ => {
                    out.plain = false;
                    text[at..].chars().next().unwrap_or('\u{FFFD}')
                }
            };
            let fold = fold_char(c);
            at += c.len_utf8();
            match fold {
                Fold::Letter(l) => match cur.as_mut() {
                    Some(t) => {
                        if let Some(g) = pending_geresh.take() {
                            out.buf.push(g);
                        }
                        out.buf.push(l);
                        t.norm_end = out.buf.len() as u32;
                        t.end = char_pos + 1;
                        t.byte_end = byte_pos + c.len_utf8() as u32;
                    }
                    None => {
                        let norm_start = out.buf.len() as u32;
                        out.buf.push(l);
                        cur = Some(Token {
                            norm_start,
                            norm_end: out.buf.len() as u32,
                            start: char_pos,
                            end: char_pos + 1,
                            byte_start: byte_pos,
                            byte_end: byte_pos + c.len_utf8() as u32,
                            break_before: break_pending && !out.tokens.is_empty(),
                        });
                        break_pending = false;
                    }
                },
                Fold::Skip => {
                    // Marks belong to the letter before them: extend the span.
                    if let Some(t) = cur.as_mut()
                        && pending_geresh.is_none()
                        && is_hebrew_mark(c)
                    {
                        t.end = char_pos + 1;
                        t.byte_end = byte_pos + c.len_utf8() as u32;
                    }
                }
                Fold::Geresh(g) => {
                    if cur.is_some() && pending_geresh.is_none() {
                        pending_geresh = Some(g);
                    } else {
                        pending_geresh = None;
                        Self::finish(&mut cur, out);
                    }
                }
                Fold::Space => {
                    pending_geresh = None;
                    Self::finish(&mut cur, out);
                }
                Fold::Break => {
                    pending_geresh = None;
                    Self::finish(&mut cur, out);
                    break_pending = true;
                }
            }
            char_pos += 1;
        }
        Self::finish(&mut cur, out);
    }

    fn finish(cur: &mut Option<Token>, out: &mut Tokens) {
        if let Some(t) = cur.take() {
            out.tokens.push(t);
        }
    }
}

/// Folds a short text (a codebook term) into its list of folded words.
pub fn folded_words(text: &str) -> Vec<String> {
    let mut toks = Tokens::new();
    Tokenizer::tokenize(text, &mut toks);
    (0..toks.len()).map(|i| toks.text(i).to_string()).collect()
}

/// The clitic prefix letters ו ה ב כ ל מ ש.
pub const CLITICS: &[char] = &['ו', 'ה', 'ב', 'כ', 'ל', 'מ', 'ש'];

/// The shortest stem left after stripping prefixes, in letters.
pub const MIN_STEM_LETTERS: usize = 2;

/// Whether `chain` (a run of prefix letters) is a valid chain of Hebrew clitics:
/// an optional conjunction ו, then an optional subordinator (ש, כש, מש, לכש), then
/// an optional preposition (ב כ ל מ), then an optional article ה (not after ב כ ל,
/// where the article is absorbed by the preposition).
///
/// Valid: ו ה ב ש וה וב שב מה שה כש וכש וכשה שמה לכש. Not valid: הו, בב, הב, לה, ששה.
pub fn is_clitic_chain(chain: &str) -> bool {
    let mut rest = chain;
    if let Some(r) = rest.strip_prefix('ו') {
        rest = r;
    }
    for sub in ["לכש", "כש", "מש", "ש"] {
        if let Some(r) = rest.strip_prefix(sub) {
            rest = r;
            break;
        }
    }
    let mut prep = None;
    for p in ['ב', 'כ', 'ל', 'מ'] {
        if let Some(r) = rest.strip_prefix(p) {
            rest = r;
            prep = Some(p);
            break;
        }
    }
    if let Some(r) = rest.strip_prefix('ה')
        && !matches!(prep, Some('ב' | 'כ' | 'ל'))
    {
        rest = r;
    }
    rest.is_empty()
}

/// Calls `f` with every stem of `word`: the word itself, then what is left after
/// each valid clitic chain ([`is_clitic_chain`]) when at least
/// [`MIN_STEM_LETTERS`] letters remain. A stem starting with a doubled ו (the
/// spelling of a word-initial ו after a prefix: `לוועדה`, `הוועדה`) is also tried
/// with a single ו. Allocation-free.
pub fn clitic_stems(word: &str, mut f: impl FnMut(&str)) {
    f(word);
    if let Some(rest) = word.strip_prefix("וו")
        && rest.chars().count() + 1 >= MIN_STEM_LETTERS
    {
        f(&word[2..]);
    }
    for (i, c) in word.char_indices() {
        if !CLITICS.contains(&c) || i >= 8 {
            break;
        }
        let chain_end = i + c.len_utf8();
        let chain = &word[..chain_end];
        let stem = &word[chain_end..];
        if stem.chars().count() < MIN_STEM_LETTERS || !is_clitic_chain(chain) {
            continue;
        }
        f(stem);
        if stem.starts_with("וו") && stem.chars().count() > MIN_STEM_LETTERS {
            f(&stem[2..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        folded_words(text)
    }

    fn stems(word: &str) -> Vec<String> {
        let mut v = Vec::new();
        clitic_stems(word, |s| v.push(s.to_string()));
        v
    }

    #[test]
    fn a_plain_text_has_hebrew_letters_and_ascii_but_quote_marks() {
        let plain = |t: &str| {
            let mut toks = Tokens::new();
            Tokenizer::tokenize(t, &mut toks);
            toks.plain()
        };
        assert!(plain("שלום לך, ABC 123 (ידע) - ש.ל.ו.ם!\n"));
        assert!(plain(""));
        for t in [
            "עו\"ס",
            "וכו'",
            "שָׁלוֹם",
            "ר\u{200F}ונית",
            "בית־ספר",
            "עו״ס",
            "…",
            "ü",
        ] {
            assert!(!plain(t), "{t}");
        }
        // Each text tokenized afresh.
        let mut toks = Tokens::new();
        Tokenizer::tokenize("עו\"ס", &mut toks);
        Tokenizer::tokenize("שלום", &mut toks);
        assert!(toks.plain());
    }

    #[test]
    fn fold_final_letters() {
        assert_eq!(
            words("קשרים ילדך ספן כף ארץ"),
            ["קשרימ", "ילדכ", "ספנ", "כפ", "ארצ"]
        );
    }

    #[test]
    fn fold_niqqud_and_cantillation_vanish() {
        // בְּקָשָׁה with niqqud and a cantillation mark.
        assert_eq!(words("בְּקָשָׁה֑"), ["בקשה"]);
    }

    #[test]
    fn fold_directional_marks_and_bom_vanish() {
        assert_eq!(
            words("\u{FEFF}ביטוח\u{200F} לא\u{200E}ומי"),
            ["ביטוח", "לאומי"]
        );
    }

    #[test]
    fn fold_gershayim_spellings_are_one() {
        for s in ["עו\"ס", "עו״ס", "עו”ס"] {
            assert_eq!(words(s), ["עו\"ס"], "{s}");
        }
        for s in ["צ'ק", "צ׳ק", "צ’ק"] {
            assert_eq!(words(s), ["צ'ק"], "{s}");
        }
    }

    #[test]
    fn fold_quotes_around_words_are_not_letters() {
        assert_eq!(words("\"תהיה ורבלי'\""), ["תהיה", "ורבלי"]);
        assert_eq!(words("וכו' וכו'"), ["וכו", "וכו"]);
    }

    #[test]
    fn fold_maqaf_and_hyphen_join_like_space() {
        assert_eq!(words("חד־הורית"), ["חד", "הורית"]);
        assert_eq!(words("חד-הורית"), ["חד", "הורית"]);
    }

    #[test]
    fn fold_latin_lowercase() {
        assert_eq!(words("WhatsApp Google"), ["whatsapp", "google"]);
    }

    #[test]
    fn tokens_have_char_offsets() {
        let text = "אני\u{200F} ידעתי: הידע";
        let mut t = Tokens::new();
        Tokenizer::tokenize(text, &mut t);
        let spans: Vec<(u32, u32)> = t.tokens().iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, [(0, 3), (5, 10), (12, 16)]);
        let chars: Vec<char> = text.chars().collect();
        let third: String = chars[12..16].iter().collect();
        assert_eq!(third, "הידע");
        assert_eq!(
            &text[t.tokens()[2].byte_start as usize..t.tokens()[2].byte_end as usize],
            "הידע"
        );
    }

    #[test]
    fn tokens_spans_include_niqqud() {
        let text = "שָׁלוֹם";
        let mut t = Tokens::new();
        Tokenizer::tokenize(text, &mut t);
        assert_eq!(t.text(0), "שלומ");
        assert_eq!(
            (t.tokens()[0].start, t.tokens()[0].end),
            (0, text.chars().count() as u32)
        );
    }

    #[test]
    fn tokens_mark_clause_breaks() {
        let mut t = Tokens::new();
        Tokenizer::tokenize("לא, אני יודעת", &mut t);
        let breaks: Vec<bool> = t.tokens().iter().map(|t| t.break_before).collect();
        assert_eq!(breaks, [false, true, false]);
    }

    #[test]
    fn hebrew_letters_take_the_short_way_as_fold_char_folds_them() {
        // The tokenizer folds D7 90..D7 AA without decoding: those bytes are exactly
        // the Hebrew letters, and fold_char gives each its base letter.
        for c in '\u{05D0}'..='\u{05EA}' {
            let mut b = [0; 4];
            let bytes = c.encode_utf8(&mut b).as_bytes();
            assert!(bytes.len() == 2 && bytes[0] == 0xD7 && (0x90..=0xAA).contains(&bytes[1]));
            assert_eq!(fold_char(c), Fold::Letter(fold_final(c)));
        }
        let mut t = Tokens::new();
        Tokenizer::tokenize("ספרים, עו\"ס\u{200F} ch\u{00E9}z שְׁלוֹם\u{05F3}ץ", &mut t);
        assert_eq!(t.words(), ["ספרימ", "עו\"ס", "chéz", "שלומ'צ"]);
        let spans: Vec<(u32, u32, u32, u32)> = t
            .tokens()
            .iter()
            .map(|k| (k.start, k.end, k.byte_start, k.byte_end))
            .collect();
        assert_eq!(
            spans,
            [
                (0, 5, 0, 10),
                (7, 11, 12, 19),
                (13, 17, 23, 28),
                (18, 27, 29, 47)
            ]
        );
    }

    #[test]
    fn tokenizer_reuses_buffers() {
        let mut t = Tokens::new();
        Tokenizer::tokenize("אחת שתיים שלוש", &mut t);
        Tokenizer::tokenize("ארבע", &mut t);
        assert_eq!(t.words(), ["ארבע"]);
    }

    #[test]
    fn clitic_chains() {
        for ok in [
            "ו", "ה", "ב", "כ", "ל", "מ", "ש", "וה", "וב", "שב", "מה", "שה", "כש", "וכש", "וכשה",
            "שמה", "לכש", "ושב",
        ] {
            assert!(is_clitic_chain(ok), "{ok}");
        }
        for bad in ["הו", "בב", "הב", "לה", "בה", "ששה", "שו", "ממ", "וו"] {
            assert!(!is_clitic_chain(bad), "{bad}");
        }
    }

    #[test]
    fn stems_of_prefixed_words() {
        assert!(stems("הידע").contains(&"ידע".to_string()));
        assert!(stems("וכשהידע").contains(&"ידע".to_string()));
        assert!(stems("שבידע").contains(&"ידע".to_string()));
        // ע is not a prefix: ערב never yields רב.
        assert_eq!(stems("ערב"), ["ערב"]);
        // ה then ת: התקשרתי yields תקשרתי, never קשר...
        assert!(!stems("התקשרתי").iter().any(|s| s.starts_with("קשר")));
        // At least two letters remain.
        assert!(!stems("בל").contains(&"ל".to_string()));
    }

    #[test]
    fn stems_of_doubled_vav() {
        assert!(stems("לוועדה").contains(&"ועדה".to_string()));
        assert!(stems("וועדה").contains(&"ועדה".to_string()));
        assert!(stems("הוועדה").contains(&"ועדה".to_string()));
    }
}
