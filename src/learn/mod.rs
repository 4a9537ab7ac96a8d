//! Codes learned from hand-coded units: a logistic model that adds the codes the rules missed where it judges them likely.
//!
//! A codebook's `[learned]` section names a model file written by `tamlil learn`
//! from units a researcher coded by hand. For every code it learned, the model
//! weighs the features of a unit (see [`features`]): its words, the words of the
//! question it answers, the codes the rules gave it with their scores, and the
//! attributes it names. A unit's probability of a code is the logistic function of
//! the code's bias plus the weights of the unit's features; where it reaches the
//! codebook's `adds_at` and the rules did not give the code, the code is added.
//! The model never takes a code away.
//!
//! The file is UTF-8 text, one line per row, fields separated by tabs: a `codes`
//! line with the code ids (one column each), an `attributes` line with the
//! attribute names it reads, a `bias` line, then one line per feature with its name
//! and one weight per code. Lines starting with `#` are comments.

pub mod features;
pub mod fit;

use crate::codebook::matcher::MatchScratch;
use crate::coding::{Coding, Evidence};
use crate::error::InputError;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinct words a thread remembers the feature rows of before it forgets them all
/// and starts again (a bound on memory whatever the vocabulary of the corpus).
const MEMO_WORDS: usize = 1 << 18;

/// The source of [`Learned::id`]: every model read gets a new one, so a scratch
/// never serves rows remembered for another model.
static MODEL_IDS: AtomicU64 = AtomicU64::new(1);

/// A learned model, read and checked against a codebook's codes.
#[derive(Debug, Clone)]
pub struct Learned {
    /// Where the model was read from (for messages).
    pub path: PathBuf,
    /// The file's text (the embedded model's is not copied).
    text: Cow<'static, str>,
    /// The probability from which a code is added.
    pub adds_at: f32,
    /// Per model column: the index of its code in the codebook.
    pub codes: Vec<usize>,
    /// The attributes whose values are features.
    pub attributes: Vec<String>,
    bias: Vec<f32>,
    /// The rows of `weights` by feature: a word of the unit (`w:`) and of its
    /// question (`q:`) by the word, an attribute (`a:`) by `name=value`, and per code
    /// of the codebook, the rules' coding (`c:`) and score (`s:`).
    words: Map,
    asked_words: Map,
    attrs: Map,
    coded: Vec<Option<u32>>,
    scored: Vec<Option<u32>>,
    /// Rows of one weight per model code.
    weights: Vec<f32>,
    /// Tells this model's remembered word rows from another's (see [`MODEL_IDS`]).
    id: u64,
}

type Map = HashMap<Box<str>, u32, foldhash::fast::FixedState>;

/// Working memory for [`Learned::add_codes`], reused from unit to unit.
#[derive(Debug, Default)]
pub struct LearnScratch {
    key: String,
    word: String,
    /// Per feature row: the count it was last added in (`round`).
    stamp: Vec<u32>,
    round: u32,
    logits: Vec<f32>,
    /// What the current question adds to each code.
    asked: Vec<f32>,
    /// (weight, char start, char end, byte start, byte end) of the unit's words.
    words: Vec<(f32, usize, usize, usize, usize)>,
    /// Word (as the model spells it) -> the rows its forms have among the unit
    /// features, in the order of its forms (a range of `memo_rows`), for model
    /// `memo_of`: a word met before costs one look-up.
    memo: HashMap<compact_str::CompactString, (u32, u32), foldhash::fast::FixedState>,
    memo_rows: Vec<u32>,
    memo_of: u64,
    /// Per distinct token of the coder's matcher (by its slot, for the matcher's
    /// epoch `slot_epoch` and model `slot_of`): the rows of its words' forms (a range
    /// of `slot_rows`), or [`UNSET`].
    by_slot: Vec<(u32, u32)>,
    slot_rows: Vec<u32>,
    slot_epoch: u64,
    slot_of: u64,
    /// Per unit of the document being coded: the rows of its words, in order, as
    /// [`Learned::note_words`] read them off its tokens (a range of `unit_rows`).
    unit_at: Vec<Option<(u32, u32)>>,
    unit_rows: Vec<u32>,
}

/// A token whose rows are not known yet.
const UNSET: (u32, u32) = (u32::MAX, u32::MAX);

/// Whether the Hebrew word `raw` is spelled as its folded form `folded` (its final
/// letters made ordinary ones) is, with a final letter at the end where the letter
/// has one: the one spelling of the folded form the token memo can stand for.
fn usual_spelling(raw: &str, folded: &str) -> bool {
    let (r, f) = (raw.as_bytes(), folded.as_bytes());
    let n = r.len();
    if n != f.len() || n < 2 || r[..n - 2] != f[..n - 2] {
        return false;
    }
    // כ מ נ פ צ (D7 9B 9E A0 A4 A6) end a word as ך ם ן ף ץ (one code point less).
    let last = f[n - 1];
    let want = if matches!(last, 0x9B | 0x9E | 0xA0 | 0xA4 | 0xA6) {
        last - 1
    } else {
        last
    };
    r[n - 1] == want
}

/// The header written at the top of a model file.
pub const HEADER: &str =
    "# tamlil learned model: logistic weights per code (see codebooks/README.md)";

impl Learned {
    /// Reads a model from `text`, its codes checked against `code_ids` (the
    /// codebook's, by index). Problems name `path` and the line.
    pub fn parse(
        path: &Path,
        text: impl Into<Cow<'static, str>>,
        code_ids: &[String],
        adds_at: f32,
    ) -> Result<Learned, InputError> {
        let text = text.into();
        let mut codes: Option<Vec<usize>> = None;
        let mut attributes = Vec::new();
        let mut bias: Option<Vec<f32>> = None;
        let new_map = || Map::with_hasher(foldhash::fast::FixedState::default());
        let (mut words, mut asked_words, mut attrs) = (new_map(), new_map(), new_map());
        let mut coded = vec![None; code_ids.len()];
        let mut scored = vec![None; code_ids.len()];
        let mut weights = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let name = fields.next().unwrap_or("");
            match name {
                "codes" => {
                    let mut cs = Vec::new();
                    for id in fields {
                        let c = code_ids.iter().position(|x| x == id).ok_or_else(|| {
                            InputError::at(
                                path,
                                n,
                                format!("code {id:?} is not a code of the codebook"),
                            )
                        })?;
                        if cs.contains(&c) {
                            return Err(InputError::at(path, n, format!("code {id:?} twice")));
                        }
                        cs.push(c);
                    }
                    if cs.is_empty() {
                        return Err(InputError::at(path, n, "a model needs at least one code"));
                    }
                    codes = Some(cs);
                }
                "attributes" => attributes = fields.map(str::to_string).collect(),
                _ => {
                    let k = codes
                        .as_ref()
                        .ok_or_else(|| InputError::at(path, n, "the `codes` line must come first"))?
                        .len();
                    let mut row = Vec::with_capacity(k);
                    for f in fields {
                        let w: f32 =
                            f.parse()
                                .ok()
                                .filter(|w: &f32| w.is_finite())
                                .ok_or_else(|| {
                                    InputError::at(path, n, format!("weight {f:?} is not a number"))
                                })?;
                        row.push(w);
                    }
                    if row.len() != k {
                        return Err(InputError::at(
                            path,
                            n,
                            format!("{} weights, where the model has {k} codes", row.len()),
                        ));
                    }
                    if name == "bias" {
                        bias = Some(row);
                        continue;
                    }
                    let r = (weights.len() / k) as u32;
                    let twice = || InputError::at(path, n, format!("feature {name:?} twice"));
                    let slot = |v: &mut Vec<Option<u32>>, id: &str| -> Result<(), InputError> {
                        let c = code_ids.iter().position(|x| x == id).ok_or_else(|| {
                            InputError::at(
                                path,
                                n,
                                format!("feature {name:?}: {id:?} is not a code of the codebook"),
                            )
                        })?;
                        match v[c].replace(r) {
                            Some(_) => Err(twice()),
                            None => Ok(()),
                        }
                    };
                    let fresh = |m: &mut Map, key: &str| match m.insert(key.into(), r) {
                        Some(_) => Err(twice()),
                        None => Ok(()),
                    };
                    match name.split_once(':') {
                        Some(("w", w)) => fresh(&mut words, w)?,
                        Some(("q", w)) => fresh(&mut asked_words, w)?,
                        Some(("a", a)) => fresh(&mut attrs, a)?,
                        Some(("c", id)) => slot(&mut coded, id)?,
                        Some(("s", id)) => slot(&mut scored, id)?,
                        _ => {
                            return Err(InputError::at(
                                path,
                                n,
                                format!(
                                    "feature {name:?} is none of w:WORD, q:WORD, c:CODE, s:CODE, a:NAME=VALUE"
                                ),
                            ));
                        }
                    }
                    weights.extend(row);
                }
            }
        }
        let codes =
            codes.ok_or_else(|| InputError::file(path, "no `codes` line: not a tamlil model"))?;
        let bias = bias.ok_or_else(|| InputError::file(path, "no `bias` line"))?;
        Ok(Learned {
            path: path.to_path_buf(),
            text,
            adds_at,
            codes,
            attributes,
            bias,
            words,
            asked_words,
            attrs,
            coded,
            scored,
            weights,
            id: MODEL_IDS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The sha256 (hex) of the model file's text (part of the codebook's content hash).
    pub fn sha256(&self) -> String {
        crate::hash::sha256_hex(self.text.as_bytes())
    }

    /// The number of features with weights.
    pub fn n_features(&self) -> usize {
        self.weights.len() / self.codes.len()
    }

    /// Starts counting features afresh: a feature whose stamp is not `s.round` has not
    /// been counted yet.
    fn fresh_count(&self, s: &mut LearnScratch) {
        s.stamp.resize(self.n_features(), 0);
        s.round = s.round.wrapping_add(1);
        if s.round == 0 {
            s.stamp.fill(0);
            s.round = 1;
        }
    }

    /// Adds `v` times row `r` to `into` unless the row was counted since the last
    /// [`Learned::fresh_count`].
    fn count(&self, r: u32, v: f32, stamp: &mut [u32], round: u32, into: &mut [f32]) {
        let r = r as usize;
        if stamp[r] == round {
            return;
        }
        stamp[r] = round;
        let k = self.codes.len();
        for (l, w) in into.iter_mut().zip(&self.weights[r * k..(r + 1) * k]) {
            *l += v * w;
        }
    }

    /// Adds the rows of the words of `text` (each with its stems) that `map` weighs.
    fn count_words(
        &self,
        map: &Map,
        text: &str,
        word: &mut String,
        stamp: &mut [u32],
        round: u32,
        into: &mut [f32],
    ) {
        features::for_each_word(text, word, |w| {
            features::for_each_form(w, |form| {
                if let Some(&r) = map.get(form) {
                    self.count(r, 1.0, stamp, round, into);
                }
            })
        });
    }

    /// Appends the rows of the model's features for `word` and its clitic-free stems.
    fn push_rows(&self, word: &str, rows: &mut Vec<u32>) {
        features::for_each_form(word, |form| {
            if let Some(&r) = self.words.get(form) {
                rows.push(r);
            }
        });
    }

    /// Adds the rows of the words of `text` (each with its stems) to the logits,
    /// through the per-thread memo of words met before.
    fn count_text_words(&self, text: &str, s: &mut LearnScratch) {
        if s.memo_of != self.id || s.memo.len() >= MEMO_WORDS {
            s.memo.clear();
            s.memo_rows.clear();
            s.memo_of = self.id;
        }
        let LearnScratch {
            word,
            stamp,
            round,
            logits,
            memo,
            memo_rows,
            ..
        } = s;
        features::for_each_word(text, word, |w| {
            let (a, b) = match memo.get(w) {
                Some(&r) => r,
                None => {
                    let a = memo_rows.len() as u32;
                    self.push_rows(w, memo_rows);
                    let r = (a, memo_rows.len() as u32);
                    memo.insert(w.into(), r);
                    r
                }
            };
            for &r in &memo_rows[a as usize..b as usize] {
                self.count(r, 1.0, stamp, *round, logits);
            }
        });
    }

    /// Starts a document of `n_units` units for [`Learned::note_words`].
    pub fn begin_document(&self, n_units: usize, s: &mut LearnScratch) {
        s.unit_at.clear();
        s.unit_at.resize(n_units, None);
        s.unit_rows.clear();
    }

    /// Reads the rows of the words of unit `i` off the tokens the coder's matcher
    /// just found in its `text` (in `m`), where they are the model's words: each
    /// distinct token's rows are then worked out once per thread, and a unit costs
    /// no look-up of its own. A unit whose text has quote marks, points or other
    /// marks, or a word of Hebrew and Latin letters together, is read from its text
    /// when it is scored.
    pub fn note_words(&self, i: usize, text: &str, m: &MatchScratch, s: &mut LearnScratch) {
        if i >= s.unit_at.len() {
            s.unit_at.resize(i + 1, None);
        }
        s.unit_at[i] = None;
        // With only Hebrew letters and ASCII (no quote marks, which can join letters
        // into one word, no points or marks, which both skip inside a word), every
        // word the model reads is a token spelled as in the text.
        if !m.tokens.plain() {
            return;
        }
        if s.slot_of != self.id || s.slot_epoch != m.epoch() {
            s.by_slot.clear();
            s.slot_rows.clear();
            s.slot_of = self.id;
            s.slot_epoch = m.epoch();
        }
        let from = s.unit_rows.len();
        for (k, t) in m.tokens.tokens().iter().enumerate() {
            let bytes = (t.byte_end - t.byte_start) as usize;
            let chars = (t.end - t.start) as usize;
            if bytes == chars {
                continue; // Latin letters and digits: no word of the model
            }
            if bytes != 2 * chars {
                // Hebrew and Latin letters in one token: left to the text.
                s.unit_rows.truncate(from);
                return;
            }
            let raw = &text[t.byte_start as usize..t.byte_end as usize];
            if usual_spelling(raw, m.tokens.text(k)) {
                let slot = m.slot(k) as usize;
                if slot >= s.by_slot.len() {
                    s.by_slot.resize(slot + 1, UNSET);
                }
                if s.by_slot[slot] == UNSET {
                    let a = s.slot_rows.len() as u32;
                    self.push_rows(raw, &mut s.slot_rows);
                    s.by_slot[slot] = (a, s.slot_rows.len() as u32);
                }
                let (a, b) = s.by_slot[slot];
                s.unit_rows
                    .extend_from_slice(&s.slot_rows[a as usize..b as usize]);
            } else {
                self.push_rows(raw, &mut s.unit_rows);
            }
        }
        s.unit_at[i] = Some((from as u32, s.unit_rows.len() as u32));
    }

    /// Sets what the question an answer answers adds to each code (kept in `s` for
    /// the answers that follow, until the next question).
    pub fn set_question(&self, question: &[&str], s: &mut LearnScratch) {
        self.fresh_count(s);
        s.asked.clear();
        s.asked.resize(self.codes.len(), 0.0);
        let LearnScratch {
            word,
            stamp,
            round,
            asked,
            ..
        } = s;
        for q in question {
            self.count_words(&self.asked_words, q, word, stamp, *round, asked);
        }
    }

    /// Each model code's logit in a unit (`s.logits` after the call), with the
    /// question last set by [`Learned::set_question`].
    fn logits(
        &self,
        text: &str,
        noted: Option<(u32, u32)>,
        codings: &[Coding],
        attrs: &[(&str, &str)],
        s: &mut LearnScratch,
    ) {
        self.fresh_count(s);
        s.logits.clear();
        s.logits.extend_from_slice(&self.bias);
        for (l, q) in s.logits.iter_mut().zip(&s.asked) {
            *l += q;
        }
        if let Some((a, b)) = noted {
            let LearnScratch {
                stamp,
                round,
                logits,
                unit_rows,
                ..
            } = s;
            for &r in &unit_rows[a as usize..b as usize] {
                self.count(r, 1.0, stamp, *round, logits);
            }
        } else {
            self.count_text_words(text, s);
        }
        let LearnScratch {
            key,
            stamp,
            round,
            logits,
            ..
        } = s;
        for c in codings {
            if let Some(r) = self.coded[c.code] {
                self.count(r, 1.0, stamp, *round, logits);
            }
            if let Some(r) = self.scored[c.code] {
                self.count(r, features::score_value(c.score), stamp, *round, logits);
            }
        }
        for (name, value) in attrs {
            if self.attributes.iter().any(|a| a == name) {
                key.clear();
                key.push_str(name);
                key.push('=');
                key.push_str(value);
                if let Some(&r) = self.attrs.get(key.as_str()) {
                    self.count(r, 1.0, stamp, *round, logits);
                }
            }
        }
    }

    /// Adds to `out` (a unit's codings by the rules) every model code whose
    /// probability reaches `adds_at` and that `allowed` permits, with the question
    /// last set by [`Learned::set_question`]; its evidence is the unit's words that
    /// weigh most towards it. Returns whether any was added. With `unit` (its number
    /// in the document begun last), the words [`Learned::note_words`] read off its
    /// tokens, if it could, are used; otherwise they are read from `text`.
    pub fn add_codes(
        &self,
        unit: Option<usize>,
        text: &str,
        attrs: &[(&str, &str)],
        allowed: impl Fn(usize) -> bool,
        out: &mut Vec<Coding>,
        s: &mut LearnScratch,
    ) -> bool {
        let noted = unit.and_then(|i| s.unit_at.get(i).copied().flatten());
        self.logits(text, noted, out, attrs, s);
        // p >= adds_at exactly where the logit reaches ln(adds_at / (1 - adds_at)).
        let at = (self.adds_at / (1.0 - self.adds_at)).ln();
        let mut added = false;
        for j in 0..self.codes.len() {
            let c = self.codes[j];
            if s.logits[j] < at || !allowed(c) || out.iter().any(|x| x.code == c) {
                continue;
            }
            let evidence = self.evidence(text, j, s);
            out.push(Coding {
                code: c,
                score: 0.0,
                evidence,
                learned: true,
            });
            added = true;
        }
        if added {
            out.sort_by_key(|x| x.code);
        }
        added
    }

    /// The (at most three) words of `text` with the largest positive weights for
    /// model code `j`, in text order.
    fn evidence(&self, text: &str, j: usize, s: &mut LearnScratch) -> Vec<Evidence> {
        let k = self.codes.len();
        s.words.clear();
        let (index, weights, words) = (&self.words, &self.weights, &mut s.words);
        features::for_each_word_at(text, &mut s.word, |w, b0, b1, c0, c1| {
            let mut best = 0.0_f32;
            features::for_each_form(w, |form| {
                if let Some(&r) = index.get(form) {
                    best = best.max(weights[r as usize * k + j]);
                }
            });
            if best > 0.0 {
                words.push((best, c0, c1, b0, b1));
            }
        });
        s.words
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        s.words.truncate(3);
        s.words.sort_by_key(|w| w.1);
        s.words
            .iter()
            .map(|&(_, start, end, byte_start, byte_end)| Evidence {
                start,
                end,
                byte_start,
                byte_end,
            })
            .collect()
    }
}

/// Writes a model: `codes` (ids), `attributes`, `bias` and `rows` (feature name and
/// one weight per code), weights with 4 decimals.
pub fn write_model(
    codes: &[&str],
    attributes: &[String],
    bias: &[f32],
    rows: &[(String, Vec<f32>)],
    note: &str,
) -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    for l in note.lines() {
        out.push_str("# ");
        out.push_str(l);
        out.push('\n');
    }
    let line = |out: &mut String, name: &str, ws: &[f32]| {
        out.push_str(name);
        for w in ws {
            out.push('\t');
            out.push_str(&fmt_weight(*w));
        }
        out.push('\n');
    };
    out.push_str("codes");
    for c in codes {
        out.push('\t');
        out.push_str(c);
    }
    out.push('\n');
    out.push_str("attributes");
    for a in attributes {
        out.push('\t');
        out.push_str(a);
    }
    out.push('\n');
    line(&mut out, "bias", bias);
    for (name, ws) in rows {
        line(&mut out, name, ws);
    }
    out
}

/// A weight with at most 4 decimals and no trailing zeros (`0` for zero).
fn fmt_weight(w: f32) -> String {
    let s = format!("{:.4}", w);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "" | "-0" | "-" => "0".to_string(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        ["keys", "keys.knowledge", "keys.power"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    const MODEL: &str = "# a model\ncodes\tkeys.knowledge\tkeys.power\nattributes\tsector\nbias\t-2\t-2\nw:ידע\t3\t-1\nq:ידע\t1\t0\nc:keys.power\t-1\t0.5\ns:keys.power\t-0.5\t0\na:sector=business\t0\t2.5\n";

    #[test]
    fn a_model_adds_the_codes_it_judges_likely_with_the_words_behind_them() {
        let m = Learned::parse(Path::new("m.tsv"), MODEL, &ids(), 0.5).unwrap();
        assert_eq!(m.codes, vec![1, 2]);
        assert_eq!(m.n_features(), 5);
        let mut s = LearnScratch::default();
        // w:ידע (through the clitic of בידע) gives knowledge -2 + 3 = 1: p = 0.73;
        // power -2 - 1 = -3.
        let mut out = Vec::new();
        let text = "אז בידע, בידע הזה.";
        m.set_question(&[], &mut s);
        assert!(m.add_codes(None, text, &[], |_| true, &mut out, &mut s));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, 1);
        assert_eq!(out[0].score, 0.0);
        // Both occurrences weigh the same; the feature counted once (else p would be
        // higher, but the evidence is the two words).
        let spans: Vec<_> = out[0].evidence.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, vec![(3, 7), (9, 13)]);
        assert_eq!(
            &text[out[0].evidence[0].byte_start..out[0].evidence[0].byte_end],
            "בידע"
        );
        assert!((s.logits[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn words_remembered_for_one_model_are_not_served_to_another() {
        let a = Learned::parse(Path::new("a.tsv"), MODEL, &ids(), 0.5).unwrap();
        // b's rows are in another order: ידע is its second feature, not its first.
        let other = MODEL.replace("w:ידע\t3\t-1", "w:שלום\t9\t9\nw:ידע\t-3\t4");
        let b = Learned::parse(Path::new("b.tsv"), other, &ids(), 0.5).unwrap();
        let mut s = LearnScratch::default();
        // One scratch, the models in turn, each word met again: each model's logits
        // are its own (a: knowledge -2 + 3, power -2 - 1; b: -2 - 3, -2 + 4).
        for round in 0..3 {
            for (m, want) in [(&a, [1.0, -3.0]), (&b, [-5.0, 2.0])] {
                m.set_question(&[], &mut s);
                let mut out = Vec::new();
                m.add_codes(None, "בידע וידע", &[], |_| true, &mut out, &mut s);
                assert_eq!(s.logits, want, "round {round}");
            }
        }
        // A clone is the same model and may share what was remembered.
        let c = a.clone();
        let mut out = Vec::new();
        c.add_codes(None, "הידע", &[], |_| true, &mut out, &mut s);
        assert_eq!(s.logits, [1.0, -3.0]);
    }

    #[test]
    fn words_read_off_the_tokens_weigh_as_words_read_from_the_text() {
        use crate::codebook::matcher::Matcher;
        use crate::codebook::pattern::parse_term;
        // Final letters (שלום, ידעם), a final letter inside a word (שםו) and an
        // ordinary one at the end (שלומ), which fold alike; clitics; a Hebrew word
        // glued to Latin letters; quote marks and points, which make a text be read
        // from its letters.
        let text = "code\tw:שלום\t1\t0.5\nw:שלומ\t-4\t0\nw:שםו\t0\t-2\nw:ידעם\t0.25\t0.125\nw:ידע\t2\t0\nw:שמו\t8\t8\n";
        let model = MODEL.replace("w:ידע\t3\t-1\n", &text.replace("code\t", ""));
        let m = Learned::parse(Path::new("m.tsv"), model, &ids(), 0.5).unwrap();
        let mut matcher = Matcher::new();
        matcher.add_term(&parse_term("ידע").unwrap());
        let texts = [
            "שלום לך, בידע ובידעם שלומ.",
            "שםו ושמו ושלום שלום, 123 abc ABC!",
            "abcשלום ידע",
            "עו\"ס שלום ידע",
            "שָׁלוֹם ידע",
            "",
            "שלום",
        ];
        let mut ms = MatchScratch::default();
        let mut s = LearnScratch::default();
        let mut occs = Vec::new();
        m.begin_document(texts.len(), &mut s);
        for (i, t) in texts.iter().enumerate() {
            occs.clear();
            matcher.find(t, &mut ms, &mut occs);
            m.note_words(i, t, &ms, &mut s);
        }
        // The plain texts were read off their tokens, the others were not.
        let noted: Vec<bool> = s.unit_at.iter().map(Option::is_some).collect();
        assert_eq!(noted, [true, true, false, false, false, true, true]);
        m.set_question(&[], &mut s);
        for (i, t) in texts.iter().enumerate() {
            let mut out = Vec::new();
            m.add_codes(None, t, &[], |_| true, &mut out, &mut s);
            let from_text = s.logits.clone();
            let mut out = Vec::new();
            m.add_codes(Some(i), t, &[], |_| true, &mut out, &mut s);
            assert_eq!(s.logits, from_text, "{t}");
        }
        // שלום and שלומ fold alike but are two words of the model: -2 + 1 - 4 + 2.
        m.add_codes(Some(0), texts[0], &[], |_| true, &mut Vec::new(), &mut s);
        assert_eq!(s.logits[0], -2.0 + 1.0 - 4.0 + 2.0 + 0.25);
        // Another matcher numbers the tokens afresh (here ידע first, then שלום): the
        // rows remembered by the first one's numbers are not served for them.
        let mut other = Matcher::new();
        other.add_term(&parse_term("שלום").unwrap());
        let texts = ["ידע שלום", "שלום ידע ידע"];
        m.begin_document(texts.len(), &mut s);
        for (i, t) in texts.iter().enumerate() {
            occs.clear();
            other.find(t, &mut ms, &mut occs);
            m.note_words(i, t, &ms, &mut s);
        }
        // ידע 2 and שלום 1, each word once (the first matcher's first two numbers
        // were שלום's and לך's).
        for (i, t) in texts.iter().enumerate() {
            assert!(s.unit_at[i].is_some(), "{t}");
            m.add_codes(Some(i), t, &[], |_| true, &mut Vec::new(), &mut s);
            assert_eq!(s.logits[0], -2.0 + 2.0 + 1.0, "{t}");
        }
    }

    #[test]
    fn the_rules_codes_and_attributes_are_features_and_nothing_is_taken_away() {
        let m = Learned::parse(Path::new("m.tsv"), MODEL, &ids(), 0.5).unwrap();
        let mut s = LearnScratch::default();
        // The rules coded power with score 2: knowledge -2 + 3 - 1 (c:) - 0.5 x 2/5
        // (s:) = -0.2, under; with score 0 (an implied code) 0 -> p = 0.5 reaches 0.5;
        // a score over the cap counts as 10: -2 + 3 - 1 - 0.5 x 2 = -1.
        let power = |score: f32| {
            vec![Coding {
                code: 2,
                score,
                evidence: Vec::new(),
                learned: false,
            }]
        };
        m.set_question(&[], &mut s);
        let mut out = power(2.0);
        assert!(!m.add_codes(None, "ידע", &[], |_| true, &mut out, &mut s));
        assert!((s.logits[0] + 0.2).abs() < 1e-6);
        let mut out = power(50.0);
        assert!(!m.add_codes(None, "ידע", &[], |_| true, &mut out, &mut s));
        assert!((s.logits[0] + 1.0).abs() < 1e-6);
        let mut out = power(0.0);
        assert!(m.add_codes(None, "ידע", &[], |_| true, &mut out, &mut s));
        assert_eq!(out.iter().map(|c| c.code).collect::<Vec<_>>(), vec![1, 2]);
        // A business unit: power -2 + 2.5 = 0.5 -> added unless not allowed.
        let mut out = Vec::new();
        let attrs = [("sector", "business")];
        assert!(!m.add_codes(None, "שלום", &attrs, |c| c != 2, &mut out, &mut s));
        assert!(m.add_codes(None, "שלום", &attrs, |_| true, &mut out, &mut s));
        assert_eq!(out[0].code, 2);
        assert!(out[0].evidence.is_empty());
        // The question's word: -2 + 1 = -1 stays under.
        let mut out = Vec::new();
        m.set_question(&["מה הידע?"], &mut s);
        assert!(!m.add_codes(None, "שלום", &[], |_| true, &mut out, &mut s));
        // With a second word of knowledge in the answer it is: -2 + 1 + 3 = 2.
        assert!(m.add_codes(None, "ידע", &[], |_| true, &mut out, &mut s));
        assert!((s.logits[0] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn a_broken_model_is_an_error_naming_the_file_and_line() {
        let bad = |text: &str| {
            Learned::parse(Path::new("m.tsv"), text.to_string(), &ids(), 0.5)
                .unwrap_err()
                .to_string()
        };
        assert!(
            bad("codes\tkeys.knowledge\tkeys.nope\n")
                .contains("m.tsv:1: code \"keys.nope\" is not a code"),
            "{}",
            bad("codes\tkeys.knowledge\tkeys.nope\n")
        );
        assert!(bad("bias\t1\n").contains("m.tsv:1: the `codes` line must come first"));
        assert!(
            bad("codes\tkeys.power\nbias\t1\nw:א\t1\t2\n")
                .contains("m.tsv:3: 2 weights, where the model has 1 codes")
        );
        assert!(
            bad("codes\tkeys.power\nbias\tx\n").contains("m.tsv:2: weight \"x\" is not a number")
        );
        assert!(bad("codes\tkeys.power\n").contains("no `bias` line"));
        assert!(
            bad("codes\tkeys.power\nbias\t0\nx:א\t1\n")
                .contains("m.tsv:3: feature \"x:א\" is none of")
        );
        assert!(
            bad("codes\tkeys.power\nbias\t0\nc:keys.nope\t1\n")
                .contains("m.tsv:3: feature \"c:keys.nope\": \"keys.nope\" is not a code")
        );
        assert!(
            bad("codes\tkeys.power\nbias\t0\nw:א\t1\nw:א\t2\n")
                .contains("m.tsv:4: feature \"w:א\" twice")
        );
    }

    #[test]
    fn a_written_model_reads_back() {
        let text = write_model(
            &["keys.knowledge", "keys.power"],
            &["sector".to_string()],
            &[-2.0, -1.23456],
            &[("w:ידע".to_string(), vec![3.0, -0.00001])],
            "trained on 10 units",
        );
        assert!(text.contains("bias\t-2\t-1.2346\nw:ידע\t3\t0\n"), "{text}");
        let m = Learned::parse(Path::new("m.tsv"), text, &ids(), 0.5).unwrap();
        assert_eq!(m.attributes, vec!["sector"]);
        assert_eq!(m.n_features(), 1);
    }
}
