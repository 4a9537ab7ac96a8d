//! Suggested terms: words and word pairs over-represented in a code's reference units, by weighted log-odds.
//!
//! A unit's words are its tokens as the matcher folds them (niqqud, final letters,
//! gershayim), each read as one of its clitic stems ([`clitic_stems`]): the stem
//! that occurs most often as a whole token in the evaluated units (`הבית`,
//! `לבית`, `שבבית` -> `בית`; `משפחה` stays `משפחה`, since `שפחה` is rarer), so a
//! suggestion is a term the matcher finds with all its prefixes. Function words
//! ([`STOPWORDS`], with any prefixes: `ואני`, `שיש`) are left out, and a pair is two such words in a row with no
//! clause break between them. Each unit counts a word or pair once.
//!
//! For a code, group i is the units the reference coded with it and group j the
//! other evaluated units. With `y` a feature's units in a group, `n` the group's
//! total, and an informative Dirichlet prior `a` = the feature's count over all
//! evaluated units times [`PRIOR_SCALE`] (`a0` the sum over features), the
//! weighted log-odds ratio of Monroe, Colaresi & Quinn (2008, eq. 16-22) is
//!
//!   delta = log((y_i+a)/(n_i+a0-y_i-a)) - log((y_j+a)/(n_j+a0-y_j-a)),
//!   var ~ 1/(y_i+a) + 1/(y_j+a),   z = delta / sqrt(var).
//!
//! The prior shrinks a feature towards its corpus rate: a word seen in 3 of the
//! code's units and nowhere else ranks above one in 5 of them and 22 others.
//! Features in at least [`MIN_UNITS`] of the code's units, from at least
//! [`MIN_DOCS`] interviews, are ranked by z (ties: in more of the code's units
//! first); those the code's own terms (or its sub-codes') already match are left out.

use super::Reference;
use crate::codebook::Codebook;
use crate::coded::UnitTable;
use crate::coding::{Coder, Scratch, UnitContext};
use crate::text::normalize::{Tokenizer, Tokens, clitic_stems, folded_words};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The fewest reference units of a code a suggestion must occur in.
pub const MIN_UNITS: usize = 2;
/// The fewest interviews those units must come from (when the code's reference
/// units come from that many), so that one story told over several units does
/// not make its words look like markers of the code.
pub const MIN_DOCS: usize = 2;
/// The prior's weight: 1 = the corpus counts themselves, as much weight as the data.
pub const PRIOR_SCALE: f64 = 1.0;
/// Suggestions kept per code.
pub const PER_CODE: usize = 25;

/// Hebrew function words and fillers of speech (separated by spaces), never
/// suggested alone or in a pair.
pub const STOPWORDS: &str = "את של זה זו זאת הוא היא הם הן אני אנחנו אתה אתם לא כן גם עם על אל כל \
     מה מי איך כי אם או אבל רק עוד יש אין היה הייתה היתה היו להיות כמו אז \
     פה שם כבר מאוד ממש יותר אחד אחת כך ככה לי לו לה לנו להם שלי שלו שלה \
     שלנו שלהם אותו אותה אותם אותי אותנו אלה אלו בין עד אחרי לפני כאילו \
     נגיד טוב אוקיי בסדר אה אמ יעני נו הרבה קצת דבר דברים משהו אחר אחרת כזה \
     כזאת כאלה היום עכשיו פעם אצל בגלל לגבי כדי שאני שהוא שהיא אולי בטח סתם \
     בעצם כאן איפה למה כמה יודע יודעת אומר אומרת חושב חושבת ואז מבחינת \
     כלומר לך אתכם שום אף הזה הזאת האלה צריך צריכה יכול יכולה רוצה";

/// A suggested term for a code.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub code: usize,
    /// 1 for the best.
    pub rank: usize,
    /// The word or pair, as a codebook term (final letters restored).
    pub text: String,
    pub pair: bool,
    /// Reference units of the code with it, and other evaluated units with it.
    pub in_code: usize,
    pub in_other: usize,
    /// The interviews of the code's reference units with it.
    pub in_docs: usize,
    pub log_odds: f64,
    pub z: f64,
    /// An example unit (one the coder missed when there is one) and the
    /// character spans of the feature in it.
    pub example: usize,
    pub marks: Vec<(usize, usize)>,
    /// Whether the coder missed the code in the example unit.
    pub example_missed: bool,
}

/// A unit's tokens: the feature id of each token's word (or none) with its span.
struct UnitWords {
    words: Vec<(Option<u32>, usize, usize, bool)>,
    features: Vec<u32>,
}

/// Features (words, then pairs) of the evaluated units, interned.
struct Features {
    names: Vec<(String, bool)>,
    units: HashMap<usize, UnitWords>,
}

/// A token: its folded text, character span and whether a clause break precedes it.
type RawWord = (String, usize, usize, bool);

fn tokens_of(text: &str, toks: &mut Tokens) -> Vec<RawWord> {
    Tokenizer::tokenize(text, toks);
    toks.tokens()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                toks.text(i).to_string(),
                t.start as usize,
                t.end as usize,
                t.break_before,
            )
        })
        .collect()
}

/// The stem of `word` that occurs most often as a whole token (ties: the longest).
fn canonical<'a>(word: &'a str, bare: &HashMap<String, usize>) -> &'a str {
    let mut best = word;
    let mut best_n = bare.get(word).copied().unwrap_or(0);
    clitic_stems(word, |stem| {
        let n = bare.get(stem).copied().unwrap_or(0);
        if n > best_n || (n == best_n && stem.len() > best.len()) {
            // `stem` is a suffix of `word`: give back the same slice of `word`.
            best = &word[word.len() - stem.len()..];
            best_n = n;
        }
    });
    best
}

fn features(units: &UnitTable, evaluated: &[usize]) -> Features {
    let mut toks = Tokens::new();
    let raw: Vec<(usize, Vec<RawWord>)> = evaluated
        .iter()
        .map(|&u| (u, tokens_of(&units.units[u].text, &mut toks)))
        .collect();
    let mut bare: HashMap<String, usize> = HashMap::new();
    for (_, ws) in &raw {
        for w in ws {
            *bare.entry(w.0.clone()).or_default() += 1;
        }
    }
    let stop: HashSet<String> = STOPWORDS
        .split_whitespace()
        .map(|w| folded_words(w).concat())
        .collect();
    let mut ids: HashMap<(String, bool), u32> = HashMap::new();
    let mut names = Vec::new();
    let mut intern = |name: String, pair: bool| -> u32 {
        *ids.entry((name.clone(), pair)).or_insert_with(|| {
            names.push((name, pair));
            (names.len() - 1) as u32
        })
    };
    let mut out = HashMap::new();
    for (u, ws) in raw {
        let canon: Vec<Option<String>> = ws
            .iter()
            .map(|w| {
                let c = canonical(&w.0, &bare);
                let mut is_stop = false;
                clitic_stems(&w.0, |stem| is_stop |= stop.contains(stem));
                let usable =
                    c.chars().count() >= 2 && !c.chars().all(|ch| ch.is_ascii_digit()) && !is_stop;
                usable.then(|| c.to_string())
            })
            .collect();
        let mut feats = BTreeSet::new();
        let mut words = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            let id = canon[i].clone().map(|c| intern(c, false));
            if let Some(id) = id {
                feats.insert(id);
            }
            words.push((id, w.1, w.2, w.3));
            if i > 0
                && !w.3
                && let (Some(a), Some(b)) = (&canon[i - 1], &canon[i])
            {
                feats.insert(intern(format!("{a} {b}"), true));
            }
        }
        out.insert(
            u,
            UnitWords {
                words,
                features: feats.into_iter().collect(),
            },
        );
    }
    Features { names, units: out }
}

/// The weighted log-odds ratio and its z-score (see the module documentation).
pub fn log_odds(y_i: f64, n_i: f64, y_j: f64, n_j: f64, a: f64, a0: f64) -> (f64, f64) {
    let delta = ((y_i + a) / (n_i + a0 - y_i - a)).ln() - ((y_j + a) / (n_j + a0 - y_j - a)).ln();
    let var = 1.0 / (y_i + a) + 1.0 / (y_j + a);
    (delta, delta / var.sqrt())
}

/// A folded word with its final letter restored (`שלומ` -> `שלום`).
fn unfold(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() > 1
        && let Some(last) = chars.last_mut()
    {
        *last = match *last {
            'כ' => 'ך',
            'מ' => 'ם',
            'נ' => 'ן',
            'פ' => 'ף',
            'צ' => 'ץ',
            c => c,
        };
    }
    chars.into_iter().collect()
}

/// Whether the terms of code `c` or of its sub-codes already match `text`.
fn covered(coder: &Coder, cb: &Codebook, c: usize, text: &str, s: &mut Scratch) -> bool {
    let e = coder.explain_unit(text, &UnitContext::default(), s);
    e.occurrences.iter().any(|o| {
        o.uses
            .iter()
            .any(|t| t.rule.is_some() && super::self_and_ancestors(cb, t.code).contains(&c))
    })
}

/// The suggestions for every code the reference gives to at least [`MIN_UNITS`] units.
pub fn suggest(
    units: &UnitTable,
    cb: &Codebook,
    coder: &Coder,
    evaluated: &[usize],
    reference: &Reference,
    assigned: &BTreeSet<(usize, usize)>,
) -> Vec<Suggestion> {
    let f = features(units, evaluated);
    let mut total = vec![0usize; f.names.len()];
    for uw in f.units.values() {
        for &x in &uw.features {
            total[x as usize] += 1;
        }
    }
    let n_all: usize = total.iter().sum();
    let mut s = Scratch::default();
    let mut out = Vec::new();
    for c in 0..cb.codes.len() {
        let mine: Vec<usize> = evaluated
            .iter()
            .copied()
            .filter(|&u| reference.has.contains(&(u, c)))
            .collect();
        if mine.len() < MIN_UNITS {
            continue;
        }
        let mut y: HashMap<u32, usize> = HashMap::new();
        let mut docs: HashMap<u32, BTreeSet<&str>> = HashMap::new();
        for u in &mine {
            for &x in &f.units[u].features {
                *y.entry(x).or_default() += 1;
                docs.entry(x)
                    .or_default()
                    .insert(units.units[*u].doc_id.as_str());
            }
        }
        let code_docs: BTreeSet<&str> = mine
            .iter()
            .map(|&u| units.units[u].doc_id.as_str())
            .collect();
        let min_docs = MIN_DOCS.min(code_docs.len());
        let n_i: usize = y.values().sum();
        let n_j = n_all - n_i;
        let a0 = n_all as f64 * PRIOR_SCALE;
        let mut ranked: Vec<(f64, f64, u32)> = y
            .iter()
            .filter(|&(x, &yi)| yi >= MIN_UNITS && docs[x].len() >= min_docs)
            .map(|(&x, &yi)| {
                let yj = total[x as usize] - yi;
                let a = total[x as usize] as f64 * PRIOR_SCALE;
                let (d, z) = log_odds(yi as f64, n_i as f64, yj as f64, n_j as f64, a, a0);
                (z, d, x)
            })
            .filter(|r| r.0 > 0.0)
            .collect();
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| y[&b.2].cmp(&y[&a.2]))
                .then_with(|| f.names[a.2 as usize].cmp(&f.names[b.2 as usize]))
        });
        let mut rank = 0;
        for (z, d, x) in ranked {
            if rank == PER_CODE {
                break;
            }
            let (name, pair) = &f.names[x as usize];
            let text = name.split(' ').map(unfold).collect::<Vec<_>>().join(" ");
            if covered(coder, cb, c, &text, &mut s) {
                continue;
            }
            rank += 1;
            let has = |u: &usize| f.units[u].features.contains(&x);
            let example = mine
                .iter()
                .find(|u| has(u) && !assigned.contains(&(**u, c)))
                .or_else(|| mine.iter().find(|u| has(u)))
                .copied()
                .unwrap_or(mine[0]);
            out.push(Suggestion {
                code: c,
                rank,
                text,
                pair: *pair,
                in_code: y[&x],
                in_other: total[x as usize] - y[&x],
                in_docs: docs[&x].len(),
                log_odds: d,
                z,
                example,
                marks: marks(&f, example, name, *pair),
                example_missed: !assigned.contains(&(example, c)),
            });
        }
    }
    out
}

/// The character spans of feature `name` in unit `u`.
fn marks(f: &Features, u: usize, name: &str, pair: bool) -> Vec<(usize, usize)> {
    let ws = &f.units[&u].words;
    let is = |i: usize, want: &str| {
        ws[i]
            .0
            .is_some_and(|id| f.names[id as usize].0 == want && !f.names[id as usize].1)
    };
    let mut out = Vec::new();
    if pair {
        let (a, b) = name.split_once(' ').unwrap_or((name, ""));
        for i in 1..ws.len() {
            if !ws[i].3 && is(i - 1, a) && is(i, b) {
                out.push((ws[i - 1].1, ws[i].2));
            }
        }
    } else {
        for (i, w) in ws.iter().enumerate() {
            if is(i, name) {
                out.push((w.1, w.2));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_odds_by_hand() {
        // y_i=3, n_i=10, y_j=1, n_j=30, a=0.5, a0=10:
        // delta = ln(3.5/16.5) - ln(1.5/38.5) = -1.55060 + 3.24519 = 1.69460
        // var = 1/3.5 + 1/1.5 = 0.95238; z = 1.69460/0.97590 = 1.73644
        let (d, z) = log_odds(3.0, 10.0, 1.0, 30.0, 0.5, 10.0);
        assert!((d - 1.69460).abs() < 1e-4, "{d}");
        assert!((z - 1.73644).abs() < 1e-4, "{z}");
    }

    #[test]
    fn canonical_stem_is_the_most_frequent_bare_form() {
        let bare: HashMap<String, usize> = [("בית", 3), ("הבית", 1), ("משפחה", 2)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(canonical("לבית", &bare), "בית");
        assert_eq!(canonical("הבית", &bare), "בית");
        assert_eq!(canonical("משפחה", &bare), "משפחה");
        assert_eq!(canonical("שמשפחה", &bare), "משפחה");
        assert_eq!(canonical("מילה", &bare), "מילה");
    }

    #[test]
    fn final_letters_restored() {
        assert_eq!(unfold("שלומ"), "שלום");
        assert_eq!(unfold("בית"), "בית");
        assert_eq!(unfold("מ"), "מ");
    }
}
