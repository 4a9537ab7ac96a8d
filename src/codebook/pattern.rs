//! Terms as patterns: a term's words folded for matching, `*` marking any ending and
//! `~` an inflecting stem.

use crate::text::normalize::{Tokenizer, Tokens};

/// What may follow a term word in a token (after its clitic prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ending {
    /// Nothing: the token is the word (`ידע`).
    None,
    /// Any letters (`קשר*`).
    Any,
    /// An inflecting stem (`ליוו~`): one prefix letter may precede it and one of the
    /// inflectional endings follow it (see [`super::inflection`]).
    Inflected,
}

/// One word of a term: its folded form, and what may follow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatternWord {
    pub text: String,
    pub ending: Ending,
}

/// The fewest letters a wildcard or inflecting stem may have (`קש*` would match half
/// the language).
pub const MIN_WILDCARD_LETTERS: usize = 2;

/// Parses a codebook term into its folded words.
///
/// Words are separated by spaces, maqaf or hyphens; a `*` (`קשר*`, `ועד* ערר`) or a
/// `~` (`ליוו~`, `הגש~ ערעור`) may end a word and nowhere else. Folding is the one applied to texts (final
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
        let (body, ending) = split_ending(term, raw)?;
        Tokenizer::tokenize(body, &mut toks);
        let mark = if ending == Ending::Any { '*' } else { '~' };
        if toks.is_empty() {
            if ending != Ending::None {
                return Err(format!(
                    "invalid pattern {term:?}: `{mark}` needs a stem before it"
                ));
            }
            continue;
        }
        let n = toks.len();
        for i in 0..n {
            let text = toks.text(i).to_string();
            let last = i + 1 == n;
            if ending != Ending::None && last && text.chars().count() < MIN_WILDCARD_LETTERS {
                return Err(format!(
                    "invalid pattern {term:?}: a stem needs at least {MIN_WILDCARD_LETTERS} letters before `{mark}`"
                ));
            }
            words.push(PatternWord {
                text,
                ending: if last { ending } else { Ending::None },
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

/// A raw word without its final `*` or `~`, and the ending that mark stands for.
fn split_ending<'a>(term: &str, raw: &'a str) -> Result<(&'a str, Ending), String> {
    let (body, ending) = if let Some(b) = raw.strip_suffix('*') {
        (b, Ending::Any)
    } else if let Some(b) = raw.strip_suffix('~') {
        (b, Ending::Inflected)
    } else {
        (raw, Ending::None)
    };
    if body.ends_with(['*', '~']) {
        return Err(format!(
            "invalid pattern {term:?}: a word ends in `*` (any ending) or `~` (inflections), not both"
        ));
    }
    for mark in ['*', '~'] {
        if body.contains(mark) {
            return Err(format!(
                "invalid pattern {term:?}: `{mark}` may only end a word"
            ));
        }
    }
    Ok((body, ending))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, ending: Ending) -> PatternWord {
        PatternWord {
            text: text.into(),
            ending,
        }
    }
    use Ending::{Any, Inflected, None as Plain};

    #[test]
    fn words_and_wildcards() {
        assert_eq!(parse_term("קשר*").unwrap(), [w("קשר", Any)]);
        assert_eq!(
            parse_term("ועד* ערר").unwrap(),
            [w("ועד", Any), w("ערר", Plain)]
        );
        assert_eq!(
            parse_term("חד-הורי*").unwrap(),
            [w("חד", Plain), w("הורי", Any)]
        );
        assert_eq!(
            parse_term("מקבלי ההחלטות").unwrap(),
            [w("מקבלי", Plain), w("ההחלטות", Plain)]
        );
    }

    #[test]
    fn inflecting_stems() {
        assert_eq!(parse_term("ליוו~").unwrap(), [w("ליוו", Inflected)]);
        assert_eq!(
            parse_term("הגש~ ערעור").unwrap(),
            [w("הגש", Inflected), w("ערעור", Plain)]
        );
        assert_eq!(
            parse_term("ועד* התקשר~").unwrap(),
            [w("ועד", Any), w("התקשר", Inflected)]
        );
        // Folded like any word: a final letter in the stem is its base letter.
        assert_eq!(parse_term("חיפש~").unwrap(), [w("חיפש", Inflected)]);
        assert_eq!(parse_term("שלם~").unwrap(), [w("שלמ", Inflected)]);
        assert_ne!(parse_term("ליוו~").unwrap(), parse_term("ליוו").unwrap());
        assert_ne!(parse_term("ליוו~").unwrap(), parse_term("ליוו*").unwrap());
    }

    #[test]
    fn folding_applies_to_terms() {
        assert_eq!(parse_term("עו״ס").unwrap(), [w("עו\"ס", Plain)]);
        assert_eq!(parse_term("זְכוּיוֹת").unwrap(), [w("זכויות", Plain)]);
        assert_eq!(parse_term("WhatsApp").unwrap(), [w("whatsapp", Plain)]);
    }

    #[test]
    fn invalid_terms() {
        assert!(parse_term("ק*ר").unwrap_err().contains("`*` may only end"));
        assert!(parse_term("*").unwrap_err().contains("stem"));
        assert!(parse_term("ב*").unwrap_err().contains("at least"));
        assert!(parse_term("?!").unwrap_err().contains("never match"));
        assert!(parse_term("\u{05B8}").unwrap_err().contains("never match"));
    }

    #[test]
    fn invalid_inflecting_stems() {
        assert!(parse_term("ל~וו").unwrap_err().contains("`~` may only end"));
        assert!(
            parse_term("~ליוו")
                .unwrap_err()
                .contains("`~` may only end")
        );
        assert!(parse_term("~").unwrap_err().contains("`~` needs a stem"));
        assert!(
            parse_term("ל~")
                .unwrap_err()
                .contains("at least 2 letters before `~`")
        );
        assert!(parse_term("ליוו*~").unwrap_err().contains("not both"));
        assert!(parse_term("ליוו~*").unwrap_err().contains("not both"));
        assert!(parse_term("ליוו~~").unwrap_err().contains("not both"));
        assert!(
            parse_term("ל*וו~")
                .unwrap_err()
                .contains("`*` may only end")
        );
    }
}
