//! Terms as patterns: a term's words folded for matching, `*` marking a wildcard ending.

use crate::text::normalize::{Tokenizer, Tokens};

/// One word of a term: its folded form, and whether any ending may follow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatternWord {
    pub text: String,
    pub wildcard: bool,
}

/// The fewest letters a wildcard stem may have (`קש*` would match half the language).
pub const MIN_WILDCARD_LETTERS: usize = 2;

/// Parses a codebook term into its folded words.
///
/// Words are separated by spaces, maqaf or hyphens; a `*` may end a word (`קשר*`,
/// `ועד* ערר`) and nowhere else. Folding is the one applied to texts (final
/// letters, niqqud, gershayim spellings), so a term matches what it looks like.
/// Errors say why the term is invalid or can never match.
pub fn parse_term(term: &str) -> Result<Vec<PatternWord>, String> {
    let mut words = Vec::new();
    let mut toks = Tokens::new();
    let spaced: String = term
        .chars()
        .map(|c| {
            if matches!(c, '-' | '\u{05BE}' | '\u{2010}' | '\u{2011}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    for raw in spaced.split_whitespace() {
        let (body, wildcard) = match raw.strip_suffix('*') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        if body.contains('*') {
            return Err(format!("invalid pattern {term:?}: `*` may only end a word"));
        }
        Tokenizer::tokenize(body, &mut toks);
        if toks.is_empty() {
            if wildcard {
                return Err(format!(
                    "invalid pattern {term:?}: `*` needs a stem before it"
                ));
            }
            continue;
        }
        let n = toks.len();
        for i in 0..n {
            let text = toks.text(i).to_string();
            let last = i + 1 == n;
            if wildcard && last && text.chars().count() < MIN_WILDCARD_LETTERS {
                return Err(format!(
                    "invalid pattern {term:?}: a wildcard needs at least {MIN_WILDCARD_LETTERS} letters before `*`"
                ));
            }
            words.push(PatternWord {
                text,
                wildcard: wildcard && last,
            });
        }
    }
    if words.is_empty() {
        return Err(format!(
            "term {term:?} can never match: no letters left after normalisation"
        ));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, wildcard: bool) -> PatternWord {
        PatternWord {
            text: text.into(),
            wildcard,
        }
    }

    #[test]
    fn words_and_wildcards() {
        assert_eq!(parse_term("קשר*").unwrap(), [w("קשר", true)]);
        assert_eq!(
            parse_term("ועד* ערר").unwrap(),
            [w("ועד", true), w("ערר", false)]
        );
        assert_eq!(
            parse_term("חד-הורי*").unwrap(),
            [w("חד", false), w("הורי", true)]
        );
        assert_eq!(
            parse_term("מקבלי ההחלטות").unwrap(),
            [w("מקבלי", false), w("ההחלטות", false)]
        );
    }

    #[test]
    fn folding_applies_to_terms() {
        assert_eq!(parse_term("עו״ס").unwrap(), [w("עו\"ס", false)]);
        assert_eq!(parse_term("זְכוּיוֹת").unwrap(), [w("זכויות", false)]);
        assert_eq!(parse_term("WhatsApp").unwrap(), [w("whatsapp", false)]);
    }

    #[test]
    fn invalid_terms() {
        assert!(parse_term("ק*ר").unwrap_err().contains("only end"));
        assert!(parse_term("*").unwrap_err().contains("stem"));
        assert!(parse_term("ב*").unwrap_err().contains("at least"));
        assert!(parse_term("?!").unwrap_err().contains("never match"));
        assert!(parse_term("\u{05B8}").unwrap_err().contains("never match"));
    }
}
