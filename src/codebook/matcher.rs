//! A codebook's terms compiled into one matcher over folded tokens.
//!
//! Every distinct term word is a key of a hash map (wildcard stems in a second map,
//! inflecting stems in a third); a token is looked up once per clitic stem
//! ([`clitic_stems`]), and for stems once per leading letter count, so the variants
//! are generated on the token side and the lookups cost the same however many terms
//! the codebook has. Phrases are chains of words matched on consecutive
//! tokens, found by their first two words. A token's word ids depend on its folded
//! text alone, so each thread remembers them per distinct token ([`MatchScratch`]):
//! a token seen before costs one hash look-up. Nothing is allocated per token but
//! the first time a distinct token is met.

use super::inflection::{PREFIX_LETTERS, is_ending};
use super::marks::{self, Marks};
use super::pattern::{Ending, MIN_WILDCARD_LETTERS, PatternWord};
use super::stance;
use crate::text::normalize::{Tokenizer, Tokens, clitic_stems, folded_words};
use compact_str::CompactString;
use foldhash::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinct tokens a thread remembers before it forgets them all and starts again
/// (a bound on memory whatever the vocabulary of the corpus).
const MEMO_TOKENS: usize = 1 << 18;

/// The source of [`Matcher::generation`]: every matcher and every term added gets a
/// new one, so a scratch never serves word ids remembered for other terms.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A term found in a text: its id and its first and last token (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub first: u32,
    pub last: u32,
    pub term: u32,
}

/// Per-thread buffers for matching one text after another.
#[derive(Debug, Default)]
pub struct MatchScratch {
    /// The tokens of the last text matched.
    pub tokens: Tokens,
    /// The [`Marks`] of each token of the last text matched.
    pub marks: Vec<Marks>,
    /// Per token of the last text: what the memo knows of it.
    known: Vec<Known>,
    /// The longer terms starting at one token, sorted before they are appended.
    phrase_occs: Vec<Occurrence>,
    /// A stem with the definite article put back (בידע -> הידע).
    article: String,
    /// Folded token (short ones stored inline) -> what is known of it, for
    /// matcher `memo_of`.
    memo: HashMap<CompactString, Known>,
    memo_ids: Vec<u32>,
    memo_of: u64,
    /// Counts the times the memo was emptied (see [`MatchScratch::epoch`]).
    epoch: u64,
}

impl MatchScratch {
    /// The number of the distinct folded token `i` of the last text matched: the
    /// same for the same token until the [`MatchScratch::epoch`] changes, so other
    /// per-token memos can be plain arrays indexed by it.
    pub fn slot(&self, i: usize) -> u32 {
        self.known[i].slot
    }

    /// Changes whenever the slots are given out afresh.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// What a thread remembers of a distinct folded token.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// Its word ids (a range of `MatchScratch::memo_ids`), followed there by the
    /// one-word terms it is, in id order (up to `terms_end`).
    ids: (u32, u32),
    terms_end: u32,
    marks: Marks,
    /// Whether one of its word ids starts a longer term.
    starts_phrase: bool,
    /// Whether one of its word ids is the second word of a longer term.
    second_in_phrase: bool,
    /// Its number among the distinct tokens the memo knows.
    slot: u32,
}

/// Words that negate what follows them (folded, with the clitics they take).
const NEGATORS: &[&str] = &[
    "לא",
    "אין",
    "בלי",
    "אינו",
    "אינה",
    "אינם",
    "אינן",
    "אינני",
    "איננו",
    "איננה",
    "אינך",
    "אינכם",
    "מעולם",
    // Refusal: what the speaker refuses to do is not done (מסרבת להתחנן).
    "מסרב",
    "מסרבת",
    "מסרבימ",
    "מסרבות",
    "סירבתי",
    "סירבנו",
];
/// "Instead of": what follows במקום ל... is set aside, not done (במקום לבכות, ...).
const INSTEAD: &str = "במקומ";
/// Words after a negator that make it no negation: לא רק, לא סתם, לא פעם, אין ספק, ...
const NOT_NEGATING_NEXT: &[&str] = &["רק", "סתם", "פחות", "ספק", "בעיה", "מעט", "פעם", "כל כך"];

/// The compiled terms of a codebook.
#[derive(Debug, Default)]
pub struct Matcher {
    exact: HashMap<Box<str>, u32>,
    prefix: HashMap<Box<str>, u32>,
    max_prefix_bytes: usize,
    inflected: HashMap<Box<str>, u32>,
    max_inflected_bytes: usize,
    /// Per word id: the one-word terms that are that word.
    word_terms: Vec<Vec<u32>>,
    /// Per word id: whether a longer term starts with it.
    starts_phrase: Vec<bool>,
    /// Per word id: whether it is the second word of a longer term.
    second_in_phrase: Vec<bool>,
    /// The terms of two words or more, by their first two word ids.
    phrases: HashMap<(u32, u32), Vec<u32>>,
    terms: Vec<Box<[u32]>>,
    term_ids: HashMap<Vec<PatternWord>, u32>,
    negators: HashSet<Box<str>>,
    not_negating: HashSet<Box<str>>,
    /// Changes whenever the terms change (see [`GENERATION`]).
    generation: u64,
}

impl Matcher {
    /// An empty matcher with the Hebrew negation words.
    pub fn new() -> Matcher {
        let mut m = Matcher {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            ..Matcher::default()
        };
        for n in NEGATORS {
            let w = folded_words(n).concat();
            for pre in ["", "ו", "ש", "וש", "כש", "וכש"] {
                m.negators.insert(format!("{pre}{w}").into());
            }
        }
        m.negators.insert("ללא".into());
        m.negators.insert("מבלי".into());
        for n in NOT_NEGATING_NEXT {
            m.not_negating.insert(folded_words(n).concat().into());
        }
        m
    }

    /// Adds a term (its parsed words) and returns its id; equal terms share an id.
    pub fn add_term(&mut self, words: &[PatternWord]) -> u32 {
        if let Some(&id) = self.term_ids.get(words) {
            return id;
        }
        let ids: Box<[u32]> = words.iter().map(|w| self.word_id(w)).collect();
        let id = self.terms.len() as u32;
        if ids.len() == 1 {
            self.word_terms[ids[0] as usize].push(id);
        } else {
            self.starts_phrase[ids[0] as usize] = true;
            self.second_in_phrase[ids[1] as usize] = true;
            self.phrases.entry((ids[0], ids[1])).or_default().push(id);
        }
        self.terms.push(ids);
        self.generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        self.term_ids.insert(words.to_vec(), id);
        id
    }

    fn word_id(&mut self, w: &PatternWord) -> u32 {
        let next = self.word_terms.len() as u32;
        let (map, max_bytes) = match w.ending {
            Ending::None => (&mut self.exact, None),
            Ending::Any => (&mut self.prefix, Some(&mut self.max_prefix_bytes)),
            Ending::Inflected => (&mut self.inflected, Some(&mut self.max_inflected_bytes)),
        };
        let id = *map.entry(w.text.as_str().into()).or_insert(next);
        if id == next {
            self.word_terms.push(Vec::new());
            self.starts_phrase.push(false);
            self.second_in_phrase.push(false);
            if let Some(m) = max_bytes {
                *m = (*m).max(w.text.len());
            }
        }
        id
    }

    /// The id of a term added before (its parsed words), if any.
    pub fn term_id(&self, words: &[PatternWord]) -> Option<u32> {
        self.term_ids.get(words).copied()
    }

    /// The number of distinct terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Tokenizes `text` into `s.tokens` and appends every term occurrence to `out`,
    /// ordered by first token, then last token, then term id.
    pub fn find(&self, text: &str, s: &mut MatchScratch, out: &mut Vec<Occurrence>) {
        Tokenizer::tokenize(text, &mut s.tokens);
        if s.memo_of != self.generation || s.memo.len() >= MEMO_TOKENS {
            s.memo.clear();
            s.memo_ids.clear();
            s.memo_of = self.generation;
            s.epoch += 1;
        }
        s.known.clear();
        s.marks.clear();
        for i in 0..s.tokens.len() {
            let word = s.tokens.text(i);
            let known = match s.memo.get(word) {
                Some(&k) => k,
                None => {
                    let mut k = self.learn(word, &mut s.article, &mut s.memo_ids);
                    k.slot = s.memo.len() as u32;
                    s.memo.insert(word.into(), k);
                    k
                }
            };
            s.known.push(known);
            s.marks.push(known.marks);
        }
        // The memo only grows during one text, so its word ids stay where they are.
        // Occurrences come out ordered by first token, then last, then term id: per
        // token its one-word terms (remembered in id order), then the longer terms
        // starting there, sorted.
        let memo_ids = &s.memo_ids;
        let ids = |i: usize| {
            let k = &s.known[i];
            &memo_ids[k.ids.0 as usize..k.ids.1 as usize]
        };
        let n_tokens = s.tokens.len();
        for i in 0..n_tokens {
            let k = s.known[i];
            for &t in &memo_ids[k.ids.1 as usize..k.terms_end as usize] {
                out.push(Occurrence {
                    first: i as u32,
                    last: i as u32,
                    term: t,
                });
            }
            if !k.starts_phrase || i + 1 >= n_tokens || !s.known[i + 1].second_in_phrase {
                continue;
            }
            s.phrase_occs.clear();
            for &w in ids(i) {
                if !self.starts_phrase[w as usize] {
                    continue;
                }
                for &w2 in ids(i + 1) {
                    if !self.second_in_phrase[w2 as usize] {
                        continue;
                    }
                    let Some(ts) = self.phrases.get(&(w, w2)) else {
                        continue;
                    };
                    for &t in ts {
                        let words = &self.terms[t as usize];
                        let n = words.len();
                        if i + n > n_tokens {
                            continue;
                        }
                        if words[2..]
                            .iter()
                            .enumerate()
                            .all(|(k, w3)| ids(i + 2 + k).contains(w3))
                        {
                            s.phrase_occs.push(Occurrence {
                                first: i as u32,
                                last: (i + n - 1) as u32,
                                term: t,
                            });
                        }
                    }
                }
            }
            s.phrase_occs.sort_unstable();
            out.extend_from_slice(&s.phrase_occs);
        }
    }

    /// What is known of the folded token `word`, met for the first time: its word
    /// ids and one-word terms (appended to `memo_ids`) and its marks.
    fn learn(&self, word: &str, article: &mut String, memo_ids: &mut Vec<u32>) -> Known {
        let a = memo_ids.len();
        self.word_ids_of(word, article, memo_ids);
        let b = memo_ids.len();
        let (mut starts_phrase, mut second_in_phrase) = (false, false);
        for j in a..b {
            let w = memo_ids[j] as usize;
            starts_phrase |= self.starts_phrase[w];
            second_in_phrase |= self.second_in_phrase[w];
            memo_ids.extend_from_slice(&self.word_terms[w]);
        }
        memo_ids[b..].sort_unstable();
        Known {
            ids: (a as u32, b as u32),
            terms_end: memo_ids.len() as u32,
            marks: self.marks_of(word),
            starts_phrase,
            second_in_phrase,
            slot: 0,
        }
    }

    /// Appends to `ids` the distinct word ids the folded token `word` can be: the
    /// exact, wildcard and inflecting term words its clitic stems are.
    fn word_ids_of(&self, word: &str, article: &mut String, ids: &mut Vec<u32>) {
        let start = ids.len();
        clitic_stems(word, |stem| {
            let mut push = |id: u32| {
                if !ids[start..].contains(&id) {
                    ids.push(id);
                }
            };
            if let Some(&id) = self.exact.get(stem) {
                push(id);
            }
            // After ב כ ל the definite article is not written (בידע = ב + הידע):
            // a term word written with its article matches there too.
            let chain = word.strip_suffix(stem).unwrap_or("");
            if chain.ends_with(['ב', 'כ', 'ל']) && !stem.starts_with('ה') {
                article.clear();
                article.push('ה');
                article.push_str(stem);
                if let Some(&id) = self.exact.get(article.as_str()) {
                    push(id);
                }
            }
            if !self.prefix.is_empty() {
                keys_starting(stem, &self.prefix, self.max_prefix_bytes, |id, _| push(id));
            }
            if !self.inflected.is_empty() {
                self.inflected_ids(stem, &mut push);
            }
        });
    }

    /// Pushes the inflecting stems `stem` (a token without its clitics) is a form of:
    /// an optional [`PREFIX_LETTERS`] letter, the stem, and an inflectional ending.
    fn inflected_ids(&self, stem: &str, mut push: impl FnMut(u32)) {
        let mut check = |word: &str| {
            keys_starting(
                word,
                &self.inflected,
                self.max_inflected_bytes,
                |id, rest| {
                    if is_ending(rest) {
                        push(id);
                    }
                },
            )
        };
        check(stem);
        if let Some(c) = stem.chars().next()
            && PREFIX_LETTERS.contains(&c)
        {
            check(&stem[c.len_utf8()..]);
        }
    }

    /// The [`Marks`] of the folded token `w`: its part in a negation and in a
    /// reported view.
    pub fn marks_of(&self, w: &str) -> Marks {
        let mut m = stance::marks(w);
        let bare = w.strip_prefix('ו').unwrap_or(w);
        for (yes, bit) in [
            (self.negators.contains(w), marks::NEGATOR),
            (bare == INSTEAD, marks::INSTEAD),
            (w == "פעמ", marks::PAAM),
            (w == "אפ", marks::AF),
            (self.not_negating.contains(w), marks::NOT_NEGATING),
            (bare == "אלא" || bare == "כי", marks::OPENS_CLAUSE),
            (bare == "עד" || bare == "כדי", marks::OPENS_BEFORE_SH),
            (w.starts_with('ש'), marks::STARTS_SH),
            (w.starts_with('ל'), marks::STARTS_L),
        ] {
            if yes {
                m |= bit;
            }
        }
        m
    }

    /// Whether token `i` of `tokens` (with their [`Matcher::marks_of`] in `m`) is
    /// negated: a negation word (לא, אין, בלי, אינו, אף פעם, ...) stands at most
    /// `window` tokens before it with no clause break in between, and is not part
    /// of לא רק, לא סתם, אין ספק, ... A new clause also starts at אלא (לא מתחננת
    /// אלא דורשת), כי (לא הגיש כי פחד) and עד ש / כדי ש (לא נחים עד שהזכאות
    /// מאושרת): what follows them is not under the negation before them.
    pub fn is_negated(&self, tokens: &Tokens, m: &[Marks], i: usize, window: usize) -> bool {
        let toks = tokens.tokens();
        for back in 1..=window.min(i) {
            let j = i - back;
            if toks[j + 1].break_before {
                return false;
            }
            let (w, next) = (m[j], m[j + 1]);
            let opens = w & marks::OPENS_CLAUSE != 0
                || (w & marks::OPENS_BEFORE_SH != 0 && next & marks::STARTS_SH != 0);
            if opens {
                return false;
            }
            let instead = w & marks::INSTEAD != 0 && next & marks::STARTS_L != 0;
            let negator = w & marks::NEGATOR != 0
                || instead
                || (w & marks::PAAM != 0 && j > 0 && m[j - 1] & marks::AF != 0);
            if negator && !(j + 1 < toks.len() && next & marks::NOT_NEGATING != 0) {
                return true;
            }
        }
        false
    }
}

/// Calls `f(id, rest)` for every key of `map` that starts `word` (at least
/// [`MIN_WILDCARD_LETTERS`] letters, at most `max_bytes`), `rest` being what follows it.
fn keys_starting(
    word: &str,
    map: &HashMap<Box<str>, u32>,
    max_bytes: usize,
    mut f: impl FnMut(u32, &str),
) {
    for (k, _) in word
        .char_indices()
        .skip(MIN_WILDCARD_LETTERS)
        .chain(std::iter::once((word.len(), ' ')))
    {
        if k > max_bytes {
            break;
        }
        if let Some(&id) = map.get(&word[..k]) {
            f(id, &word[k..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::pattern::parse_term;

    fn matcher(terms: &[&str]) -> Matcher {
        let mut m = Matcher::new();
        for t in terms {
            m.add_term(&parse_term(t).unwrap());
        }
        m
    }

    /// The surface words each term occurrence covers.
    fn found(terms: &[&str], text: &str) -> Vec<(usize, String)> {
        let m = matcher(terms);
        let mut s = MatchScratch::default();
        let mut out = Vec::new();
        m.find(text, &mut s, &mut out);
        let chars: Vec<char> = text.chars().collect();
        out.iter()
            .map(|o| {
                let a = s.tokens.tokens()[o.first as usize].start as usize;
                let b = s.tokens.tokens()[o.last as usize].end as usize;
                (o.term as usize, chars[a..b].iter().collect())
            })
            .collect()
    }

    fn surfaces(terms: &[&str], text: &str) -> Vec<String> {
        found(terms, text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn term_with_clitic_prefixes() {
        assert_eq!(
            surfaces(&["ידע"], "ידע הידע בידע שבידע וכשהידע"),
            ["ידע", "הידע", "בידע", "שבידע", "וכשהידע"]
        );
    }

    #[test]
    fn term_not_inside_unrelated_words() {
        // מידעון is not מ + ידע: the rest must be the term itself.
        assert!(surfaces(&["ידע"], "מידעון ידעתי").is_empty());
        // ע is no prefix.
        assert!(surfaces(&["רב"], "ערב").is_empty());
        assert_eq!(surfaces(&["רב"], "ברב"), ["ברב"]);
        // מ is a prefix: מידע reads as מ + ידע (documented in codebooks/README.md).
        assert_eq!(surfaces(&["ידע"], "מידע"), ["מידע"]);
    }

    #[test]
    fn wildcard_endings() {
        assert_eq!(
            surfaces(&["קשר*"], "קשרים קשרי הקשרים קשר"),
            ["קשרים", "קשרי", "הקשרים", "קשר"]
        );
        assert!(surfaces(&["קשר*"], "התקשרתי ובהתקשרות").is_empty());
    }

    /// The surfaces each of `terms` matches in `text`, one list per term.
    fn by_term(terms: &[&str], text: &str) -> Vec<Vec<String>> {
        let mut v = vec![Vec::new(); terms.len()];
        for (t, s) in found(terms, text) {
            v[t].push(s);
        }
        v
    }

    #[test]
    fn inflecting_stems_match_their_paradigm() {
        let text = "ליוויתי מלווה נלווה ללוות ליוותה ילוו ליוויתם שליווינו והליווי";
        assert_eq!(
            by_term(&["לוו~", "ליוו~"], text),
            [
                // מ/נ/י + לוו + ה/-; ל (clitic) + לוו + ת.
                vec!["מלווה", "נלווה", "ללוות", "ילוו"],
                // ליוו + יתי, תה, יתם (ם folds to מ), ינו after ש, י after וה.
                vec!["ליוויתי", "ליוותה", "ליוויתם", "שליווינו", "והליווי"],
            ]
        );
    }

    #[test]
    fn inflecting_stems_with_prefix_letters() {
        assert_eq!(
            surfaces(&["גיש~"], "אגיש מגישים תגישי יגישו להגיש הגישה נגיש שאגיש"),
            [
                "אגיש",
                "מגישים",
                "תגישי",
                "יגישו",
                "להגיש",
                "הגישה",
                "נגיש",
                "שאגיש"
            ]
        );
        assert_eq!(
            surfaces(&["הגש~"], "הגשתי הגשנו כשהגשתם הגשה"),
            ["הגשתי", "הגשנו", "כשהגשתם", "הגשה"]
        );
        // One ה-stem covers the התפעל paradigm: past, future, participle, infinitive.
        assert_eq!(
            surfaces(&["תקשר~"], "התקשרתי יתקשר מתקשרים להתקשר שהתקשרנו"),
            ["התקשרתי", "יתקשר", "מתקשרים", "להתקשר", "שהתקשרנו"]
        );
        // One prefix letter at most, and only א ת י נ מ ה.
        assert!(surfaces(&["לוו~"], "עלווה תילווה").is_empty());
    }

    #[test]
    fn inflecting_stems_not_inside_unrelated_words() {
        // Each continues with letters that are no inflectional ending.
        assert!(surfaces(&["לוו~"], "לוויין הלוויינים לוויה").is_empty());
        assert!(surfaces(&["ספר~"], "ספרדי ספרן ספרייה").is_empty());
        assert!(surfaces(&["גיש~"], "גישור").is_empty());
        assert!(surfaces(&["ידע~"], "מידעון").is_empty());
        assert!(surfaces(&["עיר~"], "עיריה").is_empty());
        // The same words' stems with real endings do match.
        assert_eq!(surfaces(&["ספר~"], "ספרים ספרו"), ["ספרים", "ספרו"]);
    }

    #[test]
    fn inflecting_stems_in_phrases_and_beside_other_terms() {
        assert_eq!(
            by_term(
                &["הגש~ ערעור", "ערעור", "ליוו*"],
                "והגשתי ערעור. הגשנו את הערעור. ליוויתי"
            ),
            [
                vec!["והגשתי ערעור"],
                vec!["ערעור", "הערעור"],
                vec!["ליוויתי"],
            ]
        );
    }

    #[test]
    fn final_letters_niqqud_and_marks_do_not_matter() {
        assert_eq!(surfaces(&["קשרים"], "קשרימ"), ["קשרימ"]);
        assert_eq!(surfaces(&["קשרימ"], "קשרים"), ["קשרים"]);
        assert_eq!(surfaces(&["זכויות"], "זְכֻיּוֹת"), Vec::<String>::new()); // different spelling (haser)
        assert_eq!(surfaces(&["זכות"], "זְכוּת"), ["זְכוּת"]);
        assert_eq!(
            surfaces(&["ביטוח לאומי"], "ביטוח\u{200F} לאומי"),
            ["ביטוח\u{200F} לאומי"]
        );
    }

    #[test]
    fn gershayim_spellings_match() {
        assert_eq!(surfaces(&["עו\"ס"], "העו״ס והעו”ס"), ["העו״ס", "והעו”ס"]);
    }

    #[test]
    fn phrases_and_maqaf() {
        assert_eq!(
            surfaces(&["ביטוח לאומי"], "הלכנו לביטוח הלאומי"),
            ["לביטוח הלאומי"]
        );
        assert_eq!(surfaces(&["חד הורי*"], "אמהות חד־הוריות"), ["חד־הוריות"]);
        assert_eq!(surfaces(&["חד-הורית"], "חד הורית"), ["חד הורית"]);
        assert!(surfaces(&["ביטוח לאומי"], "ביטוח רכב לאומי").is_empty());
    }

    #[test]
    fn article_elided_after_b_k_l() {
        // הידע written with its article matches בידע and לידע (the ה is not written
        // after ב כ ל), but not a bare ידע or an unrelated word.
        assert_eq!(
            surfaces(&["הידע שלי"], "משתמשת בידע שלי ולידע שלי"),
            ["בידע שלי", "ולידע שלי"]
        );
        assert!(surfaces(&["הידע שלי"], "ידע שלי").is_empty());
        assert!(surfaces(&["הנחה"], "היא נחה, ובנחת").is_empty());
        assert_eq!(surfaces(&["הנחה"], "בהנחה ובנחה"), ["בהנחה", "ובנחה"]);
    }

    #[test]
    fn doubled_vav_after_prefix() {
        assert_eq!(
            surfaces(&["ועדה"], "לוועדה הוועדה ועדה"),
            ["לוועדה", "הוועדה", "ועדה"]
        );
    }

    #[test]
    fn one_scratch_serves_several_matchers() {
        // Word ids remembered for one matcher's terms are not used for another's,
        // nor after a term is added.
        let mut a = matcher(&["ידע"]);
        let b = matcher(&["קשר*", "ביטוח לאומי"]);
        let mut s = MatchScratch::default();
        let terms = |m: &Matcher, s: &mut MatchScratch, text: &str| {
            let mut out = Vec::new();
            m.find(text, s, &mut out);
            out.iter()
                .map(|o| (o.first, o.last, o.term))
                .collect::<Vec<_>>()
        };
        let text = "הידע והקשרים בביטוח הלאומי, הידע";
        assert_eq!(terms(&a, &mut s, text), [(0, 0, 0), (4, 4, 0)]);
        assert_eq!(terms(&b, &mut s, text), [(1, 1, 0), (2, 3, 1)]);
        assert_eq!(terms(&a, &mut s, text), [(0, 0, 0), (4, 4, 0)]);
        a.add_term(&parse_term("קשרים").unwrap());
        assert_eq!(terms(&a, &mut s, text), [(0, 0, 0), (1, 1, 1), (4, 4, 0)]);
    }

    #[test]
    fn phrases_sharing_first_words() {
        assert_eq!(
            by_term(
                &["ביטוח לאומי", "ביטוח לאומי ישן", "ביטוח רכב", "ביטוח"],
                "ביטוח לאומי ישן, ביטוח רכב. ביטוח לאומי"
            ),
            [
                vec!["ביטוח לאומי", "ביטוח לאומי"],
                vec!["ביטוח לאומי ישן"],
                vec!["ביטוח רכב"],
                vec!["ביטוח", "ביטוח", "ביטוח"],
            ]
        );
    }

    #[test]
    fn equal_terms_share_an_id() {
        let mut m = Matcher::new();
        let a = m.add_term(&parse_term("קשר*").unwrap());
        let b = m.add_term(&parse_term("קשר *").unwrap_or_else(|_| parse_term("קשר*").unwrap()));
        let c = m.add_term(&parse_term("ידע").unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(m.term_count(), 2);
    }

    fn negated(text: &str, word: &str) -> bool {
        let m = Matcher::new();
        let mut s = MatchScratch::default();
        m.find(text, &mut s, &mut Vec::new());
        let i = s.tokens.words().iter().position(|w| *w == word).unwrap();
        m.is_negated(&s.tokens, &s.marks, i, 3)
    }

    #[test]
    fn negation_window() {
        assert!(negated("הם לא יודעים", "יודעימ"));
        assert!(negated("שאין לו קשרים", "קשרימ"));
        assert!(negated("בלי שום ליווי", "ליווי"));
        assert!(negated("היא אינה מכירה", "מכירה"));
        assert!(negated("אף פעם לא קיבלו", "קיבלו"));
        assert!(negated("אף פעם קיבלו", "קיבלו"));
        // Too far, or across a clause break.
        assert!(!negated("לא היה לנו אז שום קשר", "קשר"));
        assert!(!negated("לא, יש לנו קשרים", "קשרימ"));
        // לא רק, לא פעם, אין ספק: no negation.
        assert!(!negated("לא רק ידע", "ידע"));
        assert!(!negated("אין ספק שהקשרים", "שהקשרימ"));
        // מלא (full) is not מ + לא.
        assert!(!negated("תיק מלא מסמכים", "מסמכימ"));
        // A refusal, and "instead of" before an infinitive.
        assert!(negated("אני מסרבת להתחנן בפניהם", "להתחננ"));
        assert!(negated("במקום לבכות אצל הפקידה", "לבכות"));
        assert!(!negated("הכל במקום אחד", "אחד"));
        // A new clause after אלא, כי, עד ש, כדי ש is out of the negation's reach.
        assert!(!negated("אני לא מתחננת אלא דורשת", "דורשת"));
        assert!(negated("אני לא מתחננת אלא דורשת", "מתחננת"));
        assert!(!negated("לא נחים עד שהזכאות מאושרת", "מאושרת"));
        assert!(!negated("לא הגישה כי פחדה", "פחדה"));
        assert!(!negated("לא באתי כדי שתבכה", "שתבכה"));
        // עד and כדי alone do not open a clause: עד הסוף, כדי לבכות.
        assert!(negated("לא נלחמים עד הסוף", "הסופ"));
        assert!(negated("לא באה כדי לבכות", "לבכות"));
    }
}
