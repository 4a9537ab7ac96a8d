//! Sentence boundaries in Hebrew transcript speech: `.` `?` `!` `...`, not inside
//! abbreviations (עו"ס, וכו', ד"ר, פרופ.), brackets (`[...]`) or open quotations.

use super::chars::{is_hebrew_letter, is_word_char};
use super::normalize::CLITICS;

/// Abbreviations written with a final period, after which a sentence does not end.
const PERIOD_ABBREVIATIONS: &[&str] = &[
    "פרופ", "גב", "מר", "רח", "עמ", "מס", "טל", "ת.ד", "וכו", "וגו", "etc", "Dr", "Mr", "Mrs",
    "Prof", "vs",
];

/// The length in bytes of the longest of [`PERIOD_ABBREVIATIONS`].
const LONGEST_ABBREVIATION: usize = {
    let mut longest = 0;
    let mut i = 0;
    while i < PERIOD_ABBREVIATIONS.len() {
        if PERIOD_ABBREVIATIONS[i].len() > longest {
            longest = PERIOD_ABBREVIATIONS[i].len();
        }
        i += 1;
    }
    longest
};

/// How many words an unclosed quotation may run before it is taken as a stray mark.
const MAX_QUOTE_WORDS: usize = 80;

/// Splits `text` into sentences; returns byte ranges, trimmed of white space.
/// A line break always ends a sentence (paragraphs are never joined here).
pub fn sentence_ranges(text: &str) -> Vec<(usize, usize)> {
    thread_local! {
        // The characters of the text scanned, kept from text to text.
        static CHARS: std::cell::RefCell<Vec<(usize, char)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CHARS.with(|buf| match buf.try_borrow_mut() {
        Ok(mut chars) => {
            chars.clear();
            chars.extend(text.char_indices());
            ranges_of(text, &chars)
        }
        Err(_) => ranges_of(text, &text.char_indices().collect::<Vec<_>>()),
    })
}

/// [`sentence_ranges`] of `text`, whose characters (with their byte offsets) are `chars`.
fn ranges_of(text: &str, chars: &[(usize, char)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut state = Scan::default();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let (at, c) = chars[i];
        let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
        let next = chars.get(i + 1).map(|&(_, c)| c);
        match c {
            '\n' => {
                push_trimmed(text, start, at, &mut out);
                start = at + 1;
                state = Scan::default();
                i += 1;
                continue;
            }
            '[' | '(' | '{' => state.brackets += 1,
            ']' | ')' | '}' => state.brackets = state.brackets.saturating_sub(1),
            '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => {
                state.quote_mark(c, prev, next)
            }
            '\'' | '\u{2018}' | '\u{2019}' => state.single_mark(c, prev, next),
            ' ' | '\t' if prev.is_some_and(is_word_char) => {
                state.words_in_quote += 1;
                if state.words_in_quote > MAX_QUOTE_WORDS {
                    state.double = 0;
                    state.single = 0;
                }
            }
            _ => {}
        }
        if is_terminal(c) && state.brackets == 0 {
            // The whole cluster of terminal marks and closing quotes/brackets.
            let mut j = i + 1;
            while j < n && is_terminal(chars[j].1) {
                j += 1;
            }
            let cluster_is_single_period = c == '.' && j == i + 1;
            while j < n && is_closer(chars[j].1) {
                let (_, q) = chars[j];
                let p = Some(chars[j - 1].1);
                let nx = chars.get(j + 1).map(|&(_, c)| c);
                match q {
                    '\'' | '\u{2018}' | '\u{2019}' => state.single_mark(q, p, nx),
                    ')' | ']' => {}
                    _ => state.quote_mark(q, p, nx),
                }
                j += 1;
            }
            let followed_by_space = j >= n || chars[j].1.is_whitespace();
            let quoted = state.double > 0 || state.single > 0;
            let abbreviation = (cluster_is_single_period && is_abbreviation_before(text, at))
                || (!cluster_is_single_period && after_lone_clitic(text, at));
            if followed_by_space && !quoted && !abbreviation {
                let end = if j < n { chars[j].0 } else { text.len() };
                push_trimmed(text, start, end, &mut out);
                start = end;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

/// Quote and bracket depth while scanning a paragraph.
#[derive(Default)]
struct Scan {
    double: u32,
    single: u32,
    brackets: u32,
    words_in_quote: usize,
}

impl Scan {
    /// A double quotation mark: gershayim between letters, otherwise an opening or closing quote.
    fn quote_mark(&mut self, c: char, prev: Option<char>, next: Option<char>) {
        let between_letters =
            prev.is_some_and(is_hebrew_letter) && next.is_some_and(is_hebrew_letter);
        if c == '"' && between_letters {
            return; // gershayim: עו"ס
        }
        let opening = match c {
            '\u{201E}' | '\u{00AB}' => true,
            '\u{00BB}' => false,
            _ => {
                prev.is_none_or(|p| {
                    p.is_whitespace()
                        || matches!(p, '(' | '[' | ':' | '-' | '–' | '\'' | '\u{2018}')
                }) && next.is_some_and(opens_word)
            }
        };
        if opening {
            if self.double == 0 && self.single == 0 {
                self.words_in_quote = 0;
            }
            self.double += 1;
        } else {
            self.double = self.double.saturating_sub(1);
        }
    }

    /// A single quotation mark: a geresh after a letter (וכו', ג'), otherwise a quote.
    fn single_mark(&mut self, c: char, prev: Option<char>, next: Option<char>) {
        if prev.is_some_and(is_word_char) {
            return; // geresh: מס', ג'ורג'
        }
        let opening = c != '\u{2019}'
            && prev.is_none_or(|p| {
                p.is_whitespace() || matches!(p, '(' | '[' | ':' | '-' | '"' | '\u{201C}')
            })
            && next.is_some_and(opens_word);
        if opening {
            if self.double == 0 && self.single == 0 {
                self.words_in_quote = 0;
            }
            self.single += 1;
        } else {
            self.single = self.single.saturating_sub(1);
        }
    }
}

/// Whether `c` can follow an opening quotation mark.
fn opens_word(c: char) -> bool {
    is_word_char(c) || matches!(c, '"' | '\'' | '[' | '(' | '.' | '\u{2026}')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '\u{2026}' | '\u{05C3}')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{00BB}' | ')' | ']'
    )
}

/// Whether the period at byte `dot` ends an abbreviation or a single-letter initial.
fn is_abbreviation_before(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(is_word_char(c) || c == '.' || c == '"' || c == '\''))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    if word.chars().count() == 1 && word.chars().all(|c| c.is_alphabetic()) {
        return true; // an initial: א. כהן
    }
    // The abbreviation may carry clitic prefixes: לפרופ. = ל + פרופ.
    let mut rest = word;
    for _ in 0..4 {
        if rest.len() <= LONGEST_ABBREVIATION && PERIOD_ABBREVIATIONS.contains(&rest) {
            return true;
        }
        match rest.chars().next() {
            Some(c) if CLITICS.contains(&c) => rest = &rest[c.len_utf8()..],
            _ => return false,
        }
    }
    false
}

/// Whether the marks at byte `at` follow a lone clitic letter, as in a hesitation
/// inside a word ("סיימתי את התואר ב... 2009"): the sentence goes on.
fn after_lone_clitic(text: &str, at: usize) -> bool {
    let mut rev = text[..at].chars().rev();
    match (rev.next(), rev.next()) {
        (Some(c), before) => CLITICS.contains(&c) && before.is_none_or(|b| !is_word_char(b)),
        _ => false,
    }
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let (s, e) = super::turns::trim_range(text, start, end);
    if s < e {
        out.push((s, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentence_ranges(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn basic_terminals() {
        assert_eq!(
            split("אני עובדת שם. מה את עושה? הכול! וזהו"),
            vec!["אני עובדת שם.", "מה את עושה?", "הכול!", "וזהו"]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            split("הלכתי לעו\"ס ולבט\"ל וכו'. ד\"ר כהן אמר לפרופ. לוי שזה בסדר. ואז א. כהן בא."),
            vec![
                "הלכתי לעו\"ס ולבט\"ל וכו'.",
                "ד\"ר כהן אמר לפרופ. לוי שזה בסדר.",
                "ואז א. כהן בא."
            ]
        );
    }

    #[test]
    fn ellipses_and_brackets() {
        assert_eq!(
            split("אני... אני חושבת ש[...] זה לא עבד. באמת…  לא יודעת."),
            vec![
                "אני...",
                "אני חושבת ש[...] זה לא עבד.",
                "באמת…",
                "לא יודעת."
            ]
        );
    }

    #[test]
    fn hesitation_after_a_prefix_letter_is_not_a_boundary() {
        assert_eq!(
            split("סיימתי את התואר ב... 2009 נראה לי. כן."),
            vec!["סיימתי את התואר ב... 2009 נראה לי.", "כן."]
        );
    }

    #[test]
    fn quotes_inside_quotes_stay_whole() {
        let t = "ואז היא אומרת לי: 'אבל אמרו לי בביטוח הלאומי \"אין לך זכאות. תלכי הביתה.\"', ואני שותקת. זהו.";
        assert_eq!(
            split(t),
            vec![
                "ואז היא אומרת לי: 'אבל אמרו לי בביטוח הלאומי \"אין לך זכאות. תלכי הביתה.\"', ואני שותקת.",
                "זהו."
            ]
        );
    }

    #[test]
    fn sentence_ending_inside_closing_quote() {
        assert_eq!(
            split("הוא אמר: \"אין מה לעשות.\" אז הלכנו."),
            vec!["הוא אמר: \"אין מה לעשות.\"", "אז הלכנו."]
        );
    }

    #[test]
    fn numbers_and_lines() {
        assert_eq!(
            split("קיבלה 3.5 אחוז ב-14.3.2018\nשורה שנייה"),
            vec!["קיבלה 3.5 אחוז ב-14.3.2018", "שורה שנייה"]
        );
    }

    #[test]
    fn stray_quote_does_not_swallow_the_paragraph_forever() {
        let t = format!("הוא אמר \"משהו {} סוף. ועוד.", "מילה ".repeat(100));
        assert_eq!(split(&t).len(), 2);
    }
}
