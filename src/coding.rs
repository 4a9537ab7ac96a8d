//! Applying a compiled codebook to meaning units: codings with their evidence.
//!
//! [`Coder::new`] compiles a [`Codebook`] once: its terms into one [`Matcher`], its
//! rules into flat tables indexed by term. [`Coder::code_unit`] then finds the term
//! occurrences of a unit, drops negated ones (unless a rule counts them) and those
//! inside a view reported of others, turns each rule's hits into cues, scores each
//! code by its best stretch of cues (`reach`), vetoes codes whose exclusions occur,
//! rolls sub-code scores up into their parents, and keeps the codes that reach
//! their threshold and whose role and attribute conditions the unit meets.
//! [`Coder::code_sequence`] codes the units of a document in order, adding the
//! weighted evidence of the question a turn answers and of the neighbouring
//! sentences (`[context]`). [`CodingWriter`] writes `codings.csv`.

use crate::codebook::matcher::{MatchScratch, Matcher, Occurrence};
use crate::codebook::pattern::parse_term;
use crate::codebook::stance;
use crate::codebook::{Codebook, RuleKind};
use crate::csvfield::push_csv_field;
use crate::error::InputError;
use crate::output::AtomicFile;
use crate::text::Role;
use anyhow::Result;
use rayon::prelude::*;
use std::io::Write as _;
use std::path::Path;

mod explain;
pub use explain::{Explanation, TermOccurrence, TermUse, UseStatus};

/// What a unit is besides its text: the speaker's role and the document attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitContext<'a> {
    /// The speaker's role; `None` when unknown (every role condition passes).
    pub role: Option<Role>,
    /// Attribute name/value pairs (e.g. `("sector", "public")`).
    pub attrs: &'a [(&'a str, &'a str)],
}

/// A matched term in a unit: character offsets (Unicode scalar values) in the unit text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    /// Byte offsets of the same span.
    pub byte_start: usize,
    pub byte_end: usize,
}

/// One code assigned to a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Coding {
    /// Index into `codebook.codes`.
    pub code: usize,
    /// The sum of the weights of the code's rules (and its sub-codes') that matched
    /// in the unit itself (what the context added to reach the threshold is not in it).
    pub score: f32,
    /// The matched terms, by position (for a learned coding, the words that weigh
    /// most towards it).
    pub evidence: Vec<Evidence>,
    /// Added by the codebook's learned model, not by its rules.
    pub learned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Any,
    All(u16),
    Near(u32),
    Exclude,
}

#[derive(Debug)]
struct CRule {
    code: u32,
    kind: Kind,
    weight: f32,
    count_negated: bool,
    /// Where the rule's terms count.
    scope: Scope,
}

/// Where a rule's terms count: as evidence of their own unit, only in the
/// interviewer's questions (`in_question`), or only as context for other units
/// (`in_context`: in the question and in the neighbouring sentences of the turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Evidence,
    Question,
    Context,
}

/// How the unit being scored is read, which decides the rules that count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Reading {
    /// An answer's own evidence (and every unit coded without context).
    #[default]
    Answer,
    /// An interviewer's question, as context for its answer: every rule counts.
    Question,
    /// An answer as context for its neighbours: `in_context` rules count too.
    Neighbour,
}

impl Scope {
    fn counts_in(self, reading: Reading) -> bool {
        match self {
            Scope::Evidence => true,
            Scope::Question => reading == Reading::Question,
            Scope::Context => reading != Reading::Answer,
        }
    }
}

/// A term's part in a rule: the rule, the slot (term position, or 0/1 for the two
/// sides of a `near` rule).
#[derive(Debug, Clone, Copy)]
struct Use {
    rule: u32,
    slot: u16,
    /// The rule is a `near` rule (set when the codebook is compiled).
    near: bool,
    /// Where the rule's terms count (set likewise).
    scope: Scope,
}

impl Use {
    fn new(rule: u32, slot: u16) -> Use {
        Use {
            rule,
            slot,
            near: false,
            scope: Scope::Evidence,
        }
    }
}

/// Per-thread working memory for [`Coder::code_unit`]; create one per thread and
/// reuse it for every unit.
#[derive(Debug, Default)]
pub struct Scratch {
    m: MatchScratch,
    occs: Vec<Occurrence>,
    negated: Vec<bool>,
    hits: Vec<(u32, u16, u32)>,
    shadowed: Vec<bool>,
    own: Vec<f32>,
    total: Vec<f32>,
    veto: Vec<bool>,
    eligible: Vec<bool>,
    fired: Vec<bool>,
    contrib: Vec<(u32, u32)>,
    /// Per entry of `contrib`: the span of its occurrence.
    contrib_spans: Vec<Evidence>,
    slots: Vec<u16>,
    /// Hits of one rule or code ordered by position (indices into `hits`).
    order: Vec<u32>,
    /// How the unit being scored is read (which rules count).
    reading: Reading,
    /// The last unit scored as an answer had a hit of an `in_context` rule.
    context_left_out: bool,
    /// A term left out of the next unit (see [`Coder::code_unit_without`]).
    without: Option<u32>,
    /// Per token: inside a view the speaker reports of others.
    reported: Vec<bool>,
    /// Per occurrence: not counted at all (inside a reported view).
    silenced: Vec<bool>,
    cues: Vec<Cue>,
    /// The occurrences of each cue (`Cue::occs` ranges into this).
    cue_occs: Vec<u32>,
    /// Distinct cue keys in the current stretch, with their counts.
    keys: Vec<(u32, u32)>,
    /// Own scores of every unit of a sequence (units x codes), the same with its
    /// `in_context` rules (what it gives its neighbours), and one unit's context.
    seq_own: Vec<f32>,
    seq_told: Vec<f32>,
    /// What the question an answer answers asks, per code.
    seq_asked: Vec<f32>,
    /// The matcher's working memory for the `[context]` term lists (background
    /// questions, continuation openers), and their occurrences in one unit.
    aux_m: MatchScratch,
    aux_occs: Vec<Occurrence>,
    seq_add: Vec<f32>,
    /// The neighbours of one unit.
    near: Vec<usize>,
    /// Per rule: the sides of a `near` rule found in the unit (bit 0, bit 1); all
    /// zero between units. `sided` lists the rules set.
    sides: Vec<u8>,
    sided: Vec<u32>,
    /// The codes whose conditions a unit meets, per role and attribute list.
    allowed: AllowedCodes,
    /// What [`Coder::decide`] reads of the units of a sequence that its second pass
    /// may code again (their own reading is the same in both passes).
    kept: KeptScores,
    /// The learned model's working memory, and per unit of a sequence x code
    /// whether an exclusion vetoed the code there (the model adds no vetoed code).
    learn: crate::learn::LearnScratch,
    seq_veto: Vec<bool>,
}

/// The scores of units kept between the passes of [`Coder::code_sequence`]: per
/// unit, `own`, `veto` and the `contrib` entries with their spans, as
/// [`Coder::score_unit`] left them.
#[derive(Debug, Default)]
struct KeptScores {
    /// Per unit of the sequence: its entry in `ranges`, if kept.
    at: Vec<Option<u32>>,
    /// Per kept unit: its first `contrib` entry (the own and veto rows are at its
    /// index times the number of codes).
    ranges: Vec<(u32, u32)>,
    own: Vec<f32>,
    veto: Vec<bool>,
    contrib: Vec<(u32, u32)>,
    contrib_spans: Vec<Evidence>,
}

impl KeptScores {
    fn clear(&mut self, units: usize) {
        self.at.clear();
        self.at.resize(units, None);
        self.ranges.clear();
        self.own.clear();
        self.veto.clear();
        self.contrib.clear();
        self.contrib_spans.clear();
    }

    /// Keeps the scores `s` holds for unit `i`.
    fn keep(&mut self, i: usize, s: &Scratch) {
        self.at[i] = Some(self.ranges.len() as u32);
        let a = self.contrib.len() as u32;
        self.own.extend_from_slice(&s.own);
        self.veto.extend_from_slice(&s.veto);
        self.contrib.extend_from_slice(&s.contrib);
        self.contrib_spans.extend_from_slice(&s.contrib_spans);
        self.ranges.push((a, self.contrib.len() as u32));
    }

    /// Puts the scores kept for unit `i` back into `s`; false if none were kept.
    fn restore(&self, i: usize, n_codes: usize, s: &mut Scratch) -> bool {
        let Some(e) = self.at[i] else {
            return false;
        };
        let e = e as usize;
        let (a, b) = (self.ranges[e].0 as usize, self.ranges[e].1 as usize);
        s.own.clear();
        s.own
            .extend_from_slice(&self.own[e * n_codes..(e + 1) * n_codes]);
        s.veto.clear();
        s.veto
            .extend_from_slice(&self.veto[e * n_codes..(e + 1) * n_codes]);
        s.contrib.clear();
        s.contrib.extend_from_slice(&self.contrib[a..b]);
        s.contrib_spans.clear();
        s.contrib_spans.extend_from_slice(&self.contrib_spans[a..b]);
        true
    }
}

/// Per role (none, interviewer, interviewee, other): which codes' conditions a
/// unit meets, for the attribute values last seen with the role. Forgotten at the
/// start of every call that uses it (attribute lists are known by their address
/// only while they are borrowed).
#[derive(Debug, Default)]
struct AllowedCodes {
    slots: [KnownAttrs; 4],
}

/// One role's entry of [`AllowedCodes`].
#[derive(Debug, Default)]
struct KnownAttrs {
    /// The attribute list last seen (address and length), if any.
    list: Option<(usize, usize)>,
    /// Its values of the attributes conditions name (`Coder::condition_keys`).
    values: Vec<Option<Box<str>>>,
    /// Per code: whether the conditions are met.
    flags: Vec<bool>,
}

impl AllowedCodes {
    /// Forgets every list seen.
    fn forget(&mut self) {
        for known in &mut self.slots {
            known.list = None;
        }
    }
}

thread_local! {
    /// Each worker thread's [`Scratch`], kept from one document to the next so the
    /// matcher's memory of the tokens it has seen lasts the whole run.
    static THREAD_SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's reusable [`Scratch`] (a fresh one if it is in use).
pub fn with_thread_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    THREAD_SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// One counted piece of evidence for a code: a term occurrence of an `any` rule, or
/// a whole `all` or `near` rule. Cues with the same `key` count once in a stretch.
#[derive(Debug, Clone, Copy)]
struct Cue {
    code: u32,
    /// The first token of the cue's first occurrence.
    first: u32,
    /// The rule and term slot (`rule << 16 | slot`; slot 0xFFFF for a whole rule).
    key: u32,
    weight: f32,
    /// Range of the cue's occurrences in `Scratch::cue_occs`.
    occs: (u32, u32),
}

/// A unit of a document as [`Coder::code_sequence`] takes it: its text, its role and
/// attributes, and its speaker turn (units of one turn share the number).
#[derive(Debug, Clone, Copy)]
pub struct SeqUnit<'a> {
    pub text: &'a str,
    pub ctx: UnitContext<'a>,
    pub turn: u32,
}

/// Whether an interviewer unit of turn `turn` goes on with the question of the unit
/// before it (`prev`: its role and turn): that unit is the interviewer's, in the same
/// turn. Otherwise it starts a new question.
pub fn continues_question(prev: Option<(Option<Role>, u32)>, turn: u32) -> bool {
    matches!(prev, Some((Some(Role::Interviewer), t)) if t == turn)
}

/// The interviewer's question that unit `i` (an interviewer unit) belongs to (see
/// [`continues_question`]).
fn question_through(
    units: &[SeqUnit],
    i: usize,
    question: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let prev = i.checked_sub(1).map(|p| (units[p].ctx.role, units[p].turn));
    if continues_question(prev, units[i].turn) {
        question.start..i + 1
    } else {
        i..i + 1
    }
}

/// A codebook compiled for coding.
#[derive(Debug)]
pub struct Coder {
    matcher: Matcher,
    rules: Vec<CRule>,
    /// Per term: its uses, a range of `use_list` (`use_start[t]..use_start[t + 1]`).
    use_start: Vec<u32>,
    use_list: Vec<Use>,
    thresholds: Vec<f32>,
    conditions: Vec<crate::codebook::Conditions>,
    /// The attributes any code's conditions require or forbid values of.
    condition_keys: Vec<String>,
    parent: Vec<Option<usize>>,
    /// Codes ordered deepest first, for rolling scores up.
    deepest_first: Vec<usize>,
    negation_window: usize,
    reach: usize,
    reported_speech: bool,
    context: crate::codebook::Context,
    /// Per code: whether an answer carries it on to sentences with no code of its
    /// family (`[context] carry`).
    carried: Vec<bool>,
    /// The terms of a question about the speaker's background (`[context]
    /// background`), and per code whether an answer to one does not take it.
    background: Option<Matcher>,
    skipped_in_background: Vec<bool>,
    /// The terms that, opening a sentence, point back to the one before it
    /// (`[context] continuation`), and per code whether such a sentence takes it
    /// from there (`[context] continues`).
    opener: Option<Matcher>,
    continued: Vec<bool>,
    /// Per code, whether a passage carries it over the sentences between two that
    /// got it (`[context] bridges`).
    bridged: Vec<bool>,
    /// Per code: the codes it implies (`[[code]] implies`), by index.
    implied: Vec<Vec<usize>>,
    /// Whether any code implies another.
    implies_any: bool,
    /// Per code: the codes it gives way to (`[[code]] yields_to`), by index.
    yields: Vec<Vec<usize>>,
    /// Whether any code gives way to another.
    yields_any: bool,
    /// Per code: its family's number (codes of one family share it).
    family: Vec<u32>,
    /// Per code: whether a follow-up question asks what the answer before it told
    /// (`[context] follow_up`).
    follows: Vec<bool>,
    /// The model that adds codes the rules missed (`[learned]`).
    learned: Option<std::sync::Arc<crate::learn::Learned>>,
}

impl Coder {
    /// Compiles `codebook` (which should have passed validation: invalid terms fail).
    pub fn new(codebook: &Codebook) -> Result<Coder> {
        let mut matcher = Matcher::new();
        let mut rules = Vec::new();
        let mut uses: Vec<Vec<Use>> = Vec::new();
        let add = |matcher: &mut Matcher,
                   uses: &mut Vec<Vec<Use>>,
                   text: &str,
                   line: usize,
                   u: Use|
         -> Result<()> {
            let words = parse_term(text).map_err(|e| InputError::at(&codebook.path, line, e))?;
            let t = matcher.add_term(&words) as usize;
            if uses.len() <= t {
                uses.resize_with(t + 1, Vec::new);
            }
            uses[t].push(u);
            Ok(())
        };
        for (ci, code) in codebook.codes.iter().enumerate() {
            for r in &code.rules {
                let rule = rules.len() as u32;
                let kind = match &r.kind {
                    RuleKind::Any(_) => Kind::Any,
                    RuleKind::All(t) => Kind::All(t.len() as u16),
                    RuleKind::Near { within, .. } => Kind::Near(*within as u32),
                };
                match &r.kind {
                    RuleKind::Any(terms) | RuleKind::All(terms) => {
                        for (slot, t) in terms.iter().enumerate() {
                            add(
                                &mut matcher,
                                &mut uses,
                                &t.text,
                                t.line,
                                Use::new(rule, slot as u16),
                            )?;
                        }
                    }
                    RuleKind::Near { terms, with, .. } => {
                        for t in terms {
                            add(&mut matcher, &mut uses, &t.text, t.line, Use::new(rule, 0))?;
                        }
                        for t in with {
                            add(&mut matcher, &mut uses, &t.text, t.line, Use::new(rule, 1))?;
                        }
                    }
                }
                rules.push(CRule {
                    code: ci as u32,
                    kind,
                    weight: r.weight,
                    count_negated: r.count_negated,
                    scope: if r.in_question {
                        Scope::Question
                    } else if r.in_context {
                        Scope::Context
                    } else {
                        Scope::Evidence
                    },
                });
            }
            if !code.exclude.is_empty() {
                let rule = rules.len() as u32;
                for t in &code.exclude {
                    add(&mut matcher, &mut uses, &t.text, t.line, Use::new(rule, 0))?;
                }
                rules.push(CRule {
                    code: ci as u32,
                    kind: Kind::Exclude,
                    weight: 0.0,
                    count_negated: true,
                    scope: Scope::Evidence,
                });
            }
        }
        uses.resize_with(matcher.term_count(), Vec::new);
        let parent: Vec<Option<usize>> = codebook
            .codes
            .iter()
            .map(|c| c.parent.as_deref().and_then(|p| codebook.code_index(p)))
            .collect();
        let mut deepest_first: Vec<usize> = (0..codebook.codes.len()).collect();
        deepest_first.sort_by_key(|&i| std::cmp::Reverse(codebook.depth(i)));
        let mut condition_keys: Vec<String> = Vec::new();
        for c in &codebook.codes {
            for (k, _) in c.conditions.require.iter().chain(&c.conditions.forbid) {
                if !condition_keys.contains(k) {
                    condition_keys.push(k.clone());
                }
            }
        }
        let mut use_start = Vec::with_capacity(uses.len() + 1);
        use_start.push(0);
        for u in &uses {
            use_start.push(use_start[use_start.len() - 1] + u.len() as u32);
        }
        let use_list: Vec<Use> = uses
            .concat()
            .into_iter()
            .map(|u| Use {
                near: matches!(rules[u.rule as usize].kind, Kind::Near(_)),
                scope: rules[u.rule as usize].scope,
                ..u
            })
            .collect();
        let terms_matcher = |list: &[String]| -> Result<Option<Matcher>, InputError> {
            if list.is_empty() {
                return Ok(None);
            }
            let mut m = Matcher::new();
            for t in list {
                let words = parse_term(t)
                    .map_err(|e| InputError::at(&codebook.path, codebook.context.line, e))?;
                m.add_term(&words);
            }
            Ok(Some(m))
        };
        let background = terms_matcher(&codebook.context.background)?;
        let opener = terms_matcher(&codebook.context.continuation)?;
        Ok(Coder {
            matcher,
            rules,
            use_start,
            use_list,
            thresholds: codebook.codes.iter().map(|c| c.threshold).collect(),
            conditions: codebook
                .codes
                .iter()
                .map(|c| c.conditions.clone())
                .collect(),
            condition_keys,
            parent,
            deepest_first,
            negation_window: codebook.negation_window,
            reach: codebook.scoring.reach,
            reported_speech: codebook.scoring.reported_speech,
            context: codebook.context.clone(),
            learned: codebook.learned.clone(),
            follows: codebook
                .codes
                .iter()
                .map(|c| codebook.context.follows_up(c))
                .collect(),
            family: codebook
                .codes
                .iter()
                .map(|c| {
                    codebook
                        .codes
                        .iter()
                        .position(|d| d.family == c.family)
                        .unwrap_or(0) as u32
                })
                .collect(),
            carried: codebook
                .codes
                .iter()
                .map(|c| codebook.context.carries(c))
                .collect(),
            background,
            skipped_in_background: codebook
                .codes
                .iter()
                .map(|c| codebook.context.skips_in_background(c))
                .collect(),
            opener,
            continued: codebook
                .codes
                .iter()
                .map(|c| codebook.context.continues_story(c))
                .collect(),
            bridged: codebook
                .codes
                .iter()
                .map(|c| codebook.context.bridges_passage(c))
                .collect(),
            implied: codebook
                .codes
                .iter()
                .map(|c| {
                    c.implies
                        .iter()
                        .filter_map(|id| codebook.code_index(id))
                        .collect()
                })
                .collect(),
            implies_any: codebook.codes.iter().any(|c| !c.implies.is_empty()),
            yields_any: codebook.codes.iter().any(|c| !c.yields_to.is_empty()),
            yields: codebook
                .codes
                .iter()
                .map(|c| {
                    c.yields_to
                        .iter()
                        .filter_map(|id| codebook.code_index(id))
                        .collect()
                })
                .collect(),
        })
    }

    /// Codes one unit on its own: appends its codings to `out` (cleared first), in
    /// codebook order. Context from other units is not used (see [`Coder::code_sequence`]).
    pub fn code_unit(&self, text: &str, ctx: &UnitContext, s: &mut Scratch, out: &mut Vec<Coding>) {
        out.clear();
        if self.score_unit(text, Reading::Answer, s) {
            let mut allowed = std::mem::take(&mut s.allowed);
            allowed.forget();
            self.decide(self.allowed(ctx, &mut allowed), None, s, out);
            s.allowed = allowed;
        }
    }

    /// Codes the units of one document in order, each with the evidence of the
    /// question its turn answers and of its neighbours in the turn, as the codebook's
    /// `[context]` says; `out` gets one list of codings per unit.
    pub fn code_sequence(&self, units: &[SeqUnit], s: &mut Scratch, out: &mut Vec<Vec<Coding>>) {
        out.clear();
        out.resize_with(units.len(), Vec::new);
        let n = self.thresholds.len();
        if let Some(model) = &self.learned {
            s.seq_veto.clear();
            s.seq_veto.resize(units.len() * n, false);
            model.begin_document(units.len(), &mut s.learn);
        }
        if !self.context.is_on() {
            for (i, (u, o)) in units.iter().zip(out.iter_mut()).enumerate() {
                self.code_unit(u.text, &u.ctx, s, o);
                self.note_words(i, u, s);
                self.keep_veto(i, s);
            }
            self.add_learned(units, s, out);
            return;
        }
        // The units' attribute lists stay put while `units` is borrowed, so the
        // conditions met are remembered per role and list for this document only.
        let mut allowed = std::mem::take(&mut s.allowed);
        allowed.forget();
        let mut kept = std::mem::take(&mut s.kept);
        kept.clear(units.len());
        let min_own = self.context.min_own;
        // A code that context can still lift in a unit: scored there, at least
        // `min_own`, and not yet assigned.
        // (A code implied with score 0 is still open: its own cues may yet reach it.)
        let open = |row: &[f32], coded: &[Coding], c: usize| {
            row[c] > 0.0 && row[c] >= min_own && !coded.iter().any(|x| x.code == c && x.score > 0.0)
        };
        // Pass 1: every unit coded on its own, and its own score per code with
        // sub-codes rolled up, conditions aside (a question is scored like an answer);
        // `told` is what a unit gives its neighbours: its own score, and in an answer
        // with a hit of an `in_context` rule the score with those rules.
        let mut own = std::mem::take(&mut s.seq_own);
        let mut told = std::mem::take(&mut s.seq_told);
        own.clear();
        own.resize(units.len() * n, 0.0);
        told.clear();
        told.resize(units.len() * n, 0.0);
        for (i, u) in units.iter().enumerate() {
            let reading = if u.ctx.role == Some(Role::Interviewer) {
                Reading::Question
            } else {
                Reading::Answer
            };
            if u.ctx.role == Some(Role::Other) {
                continue;
            }
            let scored = self.score_unit(u.text, reading, s);
            self.note_words(i, u, s);
            if scored {
                self.decide(self.allowed(&u.ctx, &mut allowed), None, s, &mut out[i]);
                self.keep_veto(i, s);
                let row = &mut own[i * n..(i + 1) * n];
                self.rolled_up(&s.own, row);
                // An answer pass 2 may code again keeps its scores.
                if reading == Reading::Answer && (0..n).any(|c| open(row, &out[i], c)) {
                    kept.keep(i, s);
                }
            }
            if s.context_left_out && self.score_unit(u.text, Reading::Neighbour, s) {
                self.rolled_up(&s.own, &mut told[i * n..(i + 1) * n]);
            } else {
                told[i * n..(i + 1) * n].copy_from_slice(&own[i * n..(i + 1) * n]);
            }
        }
        // Pass 2: each unit with what its question and its neighbours add; only a
        // unit where that can lift a code over its threshold is coded again.
        let mut add = std::mem::take(&mut s.seq_add);
        let mut near = std::mem::take(&mut s.near);
        let mut asked = std::mem::take(&mut s.seq_asked);
        asked.clear();
        asked.resize(n, 0.0);
        let mut question: std::ops::Range<usize> = 0..0;
        for (i, u) in units.iter().enumerate() {
            if u.ctx.role == Some(Role::Interviewer) {
                question = question_through(units, i, question);
                self.asked_by(units, question.clone(), &own, &told, &mut asked);
            }
            // Nothing is added to a question or to text outside the turns.
            if u.ctx.role == Some(Role::Interviewer) || u.ctx.role == Some(Role::Other) {
                continue;
            }
            // `row` is at least the unit's own total, so a code below `min_own` there
            // stays below it, and a code already assigned stays assigned. Pass 1 kept
            // the scores of exactly the units with such an open code.
            if kept.at[i].is_none() {
                continue;
            }
            let row = &own[i * n..(i + 1) * n];
            near.clear();
            near.extend(self.neighbours(units, i));
            // What the question and the best neighbour add to code `c`.
            let cap = |c: usize, v: f32| v.min(self.thresholds[c]);
            let add_to = |c: usize| {
                let mut a = 0.0_f32;
                a += self.context.question * cap(c, asked[c]);
                let best = near
                    .iter()
                    .map(|&j| told[j * n + c])
                    .fold(0.0_f32, f32::max);
                a += self.context.turn * cap(c, best);
                a
            };
            if !(0..n).any(|c| open(row, &out[i], c) && add_to(c) > 0.0) {
                continue;
            }
            add.clear();
            add.extend((0..n).map(add_to));
            // The unit's scores as an answer are those pass 1 kept.
            if kept.restore(i, n, s) {
                self.decide(
                    self.allowed(&u.ctx, &mut allowed),
                    Some(&add),
                    s,
                    &mut out[i],
                );
            }
        }
        if self.carried.iter().any(|&c| c) {
            self.carry(units, &own, &mut allowed, out);
        }
        if let Some(opener) = &self.opener {
            self.continue_story(opener, units, s, &mut allowed, out);
        }
        if self.context.bridge > 0 {
            self.bridge_passages(units, &mut allowed, out);
        }
        if let Some(bg) = &self.background {
            self.drop_in_background(bg, units, s, out);
        }
        if self.yields_any {
            for codings in out.iter_mut() {
                self.give_way(codings);
            }
        }
        s.seq_own = own;
        s.seq_told = told;
        s.seq_add = add;
        s.seq_asked = asked;
        s.near = near;
        s.allowed = allowed;
        s.kept = kept;
        self.add_learned(units, s, out);
    }

    /// With a learned model, has it read the words of interviewee unit `i` off the
    /// tokens the matcher just found in it (see [`crate::learn::Learned::note_words`]).
    fn note_words(&self, i: usize, u: &SeqUnit, s: &mut Scratch) {
        if let Some(model) = &self.learned
            && u.ctx.role == Some(Role::Interviewee)
        {
            model.note_words(i, u.text, &s.m, &mut s.learn);
        }
    }

    /// Keeps what the exclusions of unit `i`, just scored, vetoed (for the learned
    /// model's pass).
    fn keep_veto(&self, i: usize, s: &mut Scratch) {
        if self.learned.is_some() {
            let n = self.thresholds.len();
            s.seq_veto[i * n..(i + 1) * n].copy_from_slice(&s.veto[..n]);
        }
    }

    /// The learned model's pass: to each answer (a unit of the interviewee; the
    /// model learned from answers to questions, so text of unknown role gets nothing
    /// from it), the codes the model judges likely from its words, its question's
    /// words and the rules' codings, where the conditions allow them and no
    /// exclusion vetoed them.
    fn add_learned(&self, units: &[SeqUnit], s: &mut Scratch, out: &mut [Vec<Coding>]) {
        let Some(model) = &self.learned else {
            return;
        };
        let n = self.thresholds.len();
        let mut allowed = std::mem::take(&mut s.allowed);
        allowed.forget();
        let mut question: std::ops::Range<usize> = 0..0;
        let mut texts: Vec<&str> = Vec::new();
        // Whether the question changed since what it adds was last worked out.
        let mut asked = true;
        for (i, u) in units.iter().enumerate() {
            match u.ctx.role {
                Some(Role::Interviewer) => {
                    question = question_through(units, i, question);
                    asked = true;
                    continue;
                }
                Some(Role::Interviewee) => {}
                _ => continue,
            }
            if asked {
                texts.clear();
                texts.extend(units[question.clone()].iter().map(|q| q.text));
                model.set_question(&texts, &mut s.learn);
                asked = false;
            }
            let flags = self.allowed(&u.ctx, &mut allowed);
            let vetoed = &s.seq_veto[i * n..(i + 1) * n];
            model.add_codes(
                Some(i),
                u.text,
                u.ctx.attrs,
                |c| flags[c] && !vetoed[c],
                &mut out[i],
                &mut s.learn,
            );
        }
        s.allowed = allowed;
    }

    /// What the question `question` (a range of interviewer units) asks, per code:
    /// the sum of its units' scores; a question with no cue of any code ("and what
    /// did you do?", "what did you tell him?") asks the speaker to go on, and asks
    /// what the answer before it told (its units' best score per code).
    fn asked_by(
        &self,
        units: &[SeqUnit],
        question: std::ops::Range<usize>,
        own: &[f32],
        told: &[f32],
        asked: &mut [f32],
    ) {
        let n = asked.len();
        asked.fill(0.0);
        for j in question.clone() {
            for (a, v) in asked.iter_mut().zip(&own[j * n..(j + 1) * n]) {
                *a += v;
            }
        }
        let follows_up = self.follows.iter().any(|&f| f);
        if !follows_up || question.start == 0 || asked.iter().any(|&a| a > 0.0) {
            return;
        }
        let before = question.start - 1;
        let (turn, role) = (units[before].turn, units[before].ctx.role);
        if role == Some(Role::Interviewer) || role == Some(Role::Other) {
            return;
        }
        let mut j = before + 1;
        while j > 0 && units[j - 1].turn == turn && units[j - 1].ctx.role == role {
            j -= 1;
            let row = &told[j * n..(j + 1) * n];
            for ((a, v), &follows) in asked.iter_mut().zip(row).zip(&self.follows) {
                if follows {
                    *a = a.max(*v);
                }
            }
        }
    }

    /// Pass 4 of [`Coder::code_sequence`]: a sentence of an answer that got no code
    /// at all and opens by pointing back to the sentence before it (a `[context]
    /// continuation` term as its first word: "זה", "ככה", "ואז", "בסוף") goes on with
    /// that sentence, the one just before it in the same turn: it takes that
    /// sentence's codes that `continues` names and that it got on its own evidence or
    /// with its context (not those it was carried or continued), with score 0 and no
    /// evidence, as a carried coding.
    fn continue_story(
        &self,
        opener: &Matcher,
        units: &[SeqUnit],
        s: &mut Scratch,
        allowed: &mut AllowedCodes,
        out: &mut [Vec<Coding>],
    ) {
        for i in 1..units.len() {
            let (u, before) = (&units[i], &units[i - 1]);
            if matches!(u.ctx.role, Some(Role::Interviewer) | Some(Role::Other))
                || before.ctx.role != u.ctx.role
                || before.turn != u.turn
                || !out[i].is_empty()
                || !out[i - 1]
                    .iter()
                    .any(|x| x.score > 0.0 && self.continued[x.code])
            {
                continue;
            }
            s.aux_occs.clear();
            opener.find(u.text, &mut s.aux_m, &mut s.aux_occs);
            if !s.aux_occs.iter().any(|o| o.first == 0) {
                continue;
            }
            let ok = self.allowed(&u.ctx, allowed);
            let (done, todo) = out.split_at_mut(i);
            todo[0].extend(
                done[i - 1]
                    .iter()
                    .filter(|x| x.score > 0.0 && self.continued[x.code] && ok[x.code])
                    .map(|x| Coding {
                        code: x.code,
                        score: 0.0,
                        evidence: Vec::new(),
                        learned: false,
                    }),
            );
        }
    }

    /// Pass 5 of [`Coder::code_sequence`]: a passage. Coders code a story told over
    /// several sentences as one span, so a code two sentences of one answer got on
    /// their own evidence or with their context (not carried or continued), with at
    /// most `[context] bridge` sentences between them, covers those sentences too,
    /// for the codes `bridges` names: they take it with score 0 and no evidence, as a
    /// carried coding, and pass it on no further.
    fn bridge_passages(
        &self,
        units: &[SeqUnit],
        allowed: &mut AllowedCodes,
        out: &mut [Vec<Coding>],
    ) {
        let said = |x: &Coding| x.score > 0.0 && self.bridged[x.code];
        let in_answer =
            |u: &SeqUnit| !matches!(u.ctx.role, Some(Role::Interviewer) | Some(Role::Other));
        let mut gained: Vec<(usize, usize)> = Vec::new();
        for a in 0..units.len() {
            if !in_answer(&units[a]) || !out[a].iter().any(said) {
                continue;
            }
            let last = (a + self.context.bridge + 1).min(units.len() - 1);
            for b in a + 2..=last {
                if units[b - 1].turn != units[a].turn || units[b].turn != units[a].turn {
                    break;
                }
                for x in out[a].iter().filter(|x| said(x)) {
                    if out[b].iter().any(|y| y.code == x.code && said(y)) {
                        gained.extend((a + 1..b).map(|m| (m, x.code)));
                    }
                }
            }
        }
        // A unit's codings stay in codebook order, each code once.
        for (m, c) in gained {
            if !self.allowed(&units[m].ctx, allowed)[c] {
                continue;
            }
            let at = out[m].partition_point(|x| x.code < c);
            if out[m].get(at).is_some_and(|x| x.code == c) {
                continue;
            }
            out[m].insert(
                at,
                Coding {
                    code: c,
                    score: 0.0,
                    evidence: Vec::new(),
                    learned: false,
                },
            );
        }
    }

    /// Pass 6 of [`Coder::code_sequence`]: the answers to a question about the
    /// speaker's own background ("how did you come to this work?", `[context]
    /// background`) tell a biography, not the agent's practice, and lose the codes
    /// `background_skips` names.
    fn drop_in_background(
        &self,
        bg: &Matcher,
        units: &[SeqUnit],
        s: &mut Scratch,
        out: &mut [Vec<Coding>],
    ) {
        let mut question: std::ops::Range<usize> = 0..0;
        let mut asks_background = false;
        for (i, u) in units.iter().enumerate() {
            if u.ctx.role == Some(Role::Interviewer) {
                let next = question_through(units, i, question.clone());
                if next.start != question.start {
                    asks_background = false;
                }
                question = next;
                s.aux_occs.clear();
                bg.find(u.text, &mut s.aux_m, &mut s.aux_occs);
                asks_background |= !s.aux_occs.is_empty();
            } else if asks_background && u.ctx.role != Some(Role::Other) {
                out[i].retain(|x| !self.skipped_in_background[x.code]);
            }
        }
    }

    /// Pass 7 of [`Coder::code_sequence`]: a code that reached its threshold only with
    /// its context (its own score is under it: lifted, carried, continued or bridged)
    /// gives way, with its sub-codes, to a code it `yields_to` coded in the same unit;
    /// a code it alone implied goes with it.
    fn give_way(&self, codings: &mut Vec<Coding>) {
        let gone: Vec<usize> = codings
            .iter()
            .filter(|x| {
                let to = &self.yields[x.code];
                !to.is_empty()
                    && x.score < self.thresholds[x.code]
                    && codings.iter().any(|y| to.contains(&y.code))
            })
            .map(|x| x.code)
            .collect();
        if gone.is_empty() {
            return;
        }
        // The codings dropped: the yielding codes and their sub-codes.
        let dropped: Vec<usize> = codings
            .iter()
            .map(|x| x.code)
            .filter(|&c| gone.iter().any(|&g| self.is_self_or_descendant(c, g)))
            .collect();
        codings.retain(|x| !dropped.contains(&x.code));
        // An implied coding (score 0, no evidence) of a dropped code stays only while
        // a code still here implies it.
        let implied_by =
            |c: usize, from: &[usize]| from.iter().any(|&d| self.implied[d].contains(&c));
        let here: Vec<usize> = codings.iter().map(|x| x.code).collect();
        let orphans: Vec<usize> = codings
            .iter()
            .filter(|x| x.score == 0.0 && x.evidence.is_empty())
            .map(|x| x.code)
            .filter(|&c| implied_by(c, &dropped) && !implied_by(c, &here))
            .collect();
        codings.retain(|x| !orphans.contains(&x.code));
    }

    /// `row` = a unit's own scores per code (`own`, from [`Coder::score_unit`]) with
    /// sub-codes rolled up into their parents.
    fn rolled_up(&self, own: &[f32], row: &mut [f32]) {
        row.copy_from_slice(own);
        // Scores are never negative: a unit that scores nothing rolls up nothing.
        if own.iter().all(|&v| v == 0.0) {
            return;
        }
        for &c in &self.deepest_first {
            if let Some(p) = self.parent[c] {
                row[p] += row[c];
            }
        }
    }

    /// Per code: whether a unit with `ctx` meets its conditions, remembered in `a`
    /// per role for the values of the attributes conditions name (an attribute list
    /// seen last is known by its address alone).
    fn allowed<'a>(&self, ctx: &UnitContext, a: &'a mut AllowedCodes) -> &'a [bool] {
        let slot = match ctx.role {
            None => 0,
            Some(Role::Interviewer) => 1,
            Some(Role::Interviewee) => 2,
            Some(Role::Other) => 3,
        };
        let at = (ctx.attrs.as_ptr() as usize, ctx.attrs.len());
        let known = &mut a.slots[slot];
        if known.list == Some(at) {
            return &known.flags;
        }
        // What the conditions read of an attribute list: the first value of each
        // attribute they name.
        let value = |key: &str| ctx.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let same = known.list.is_some()
            && self
                .condition_keys
                .iter()
                .zip(&known.values)
                .all(|(k, v)| value(k) == v.as_deref());
        if !same {
            known.values.clear();
            known
                .values
                .extend(self.condition_keys.iter().map(|k| value(k).map(Box::from)));
            known.flags.clear();
            known.flags.extend(
                self.conditions
                    .iter()
                    .map(|c| c.allows(ctx.role, ctx.attrs)),
            );
        }
        known.list = Some(at);
        &known.flags
    }

    /// The units at most `story` places from unit `i`, in its turn and with its role:
    /// the neighbours a story's context and what an answer carries come from.
    fn neighbours<'u>(&self, units: &'u [SeqUnit], i: usize) -> impl Iterator<Item = usize> + 'u {
        let lo = i.saturating_sub(self.context.story);
        let hi = (i + self.context.story + 1).min(units.len());
        let (turn, role) = (units[i].turn, units[i].ctx.role);
        (lo..hi).filter(move |&j| j != i && units[j].turn == turn && units[j].ctx.role == role)
    }

    /// Pass 3 of [`Coder::code_sequence`]: an answer carries a code on to its
    /// sentences that have no code of its family. A carried code (`[context] carry`)
    /// goes to such a sentence when the question the turn answers has at least `min_own`
    /// of the code's score and a neighbour in the turn (at most `story` sentences
    /// away) was coded with it on its own evidence or with its context; what a
    /// sentence gets this way is not carried further. A carried coding has score 0
    /// and no evidence: nothing in the sentence itself says the code.
    fn carry(
        &self,
        units: &[SeqUnit],
        own: &[f32],
        allowed: &mut AllowedCodes,
        out: &mut [Vec<Coding>],
    ) {
        let n = self.thresholds.len();
        let mut question: std::ops::Range<usize> = 0..0;
        let mut gained: Vec<(usize, usize)> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            if u.ctx.role == Some(Role::Interviewer) {
                question = question_through(units, i, question);
                continue;
            }
            if u.ctx.role == Some(Role::Other) || question.is_empty() {
                continue;
            }
            for c in (0..n).filter(|&c| self.carried[c]) {
                if out[i].iter().any(|x| self.family[x.code] == self.family[c]) {
                    continue;
                }
                let asked: f32 = question.clone().map(|j| own[j * n + c]).sum();
                if asked <= 0.0 || asked < self.context.min_own || !self.allowed(&u.ctx, allowed)[c]
                {
                    continue;
                }
                let told = self
                    .neighbours(units, i)
                    .any(|j| out[j].iter().any(|x| x.code == c));
                if told {
                    gained.push((i, c));
                }
            }
        }
        // A unit's codings stay in codebook order.
        for (i, c) in gained {
            let at = out[i].partition_point(|x| x.code < c);
            out[i].insert(
                at,
                Coding {
                    code: c,
                    score: 0.0,
                    evidence: Vec::new(),
                    learned: false,
                },
            );
        }
    }

    /// Finds the cues of one unit and its own score per code (`s.own`, not rolled
    /// up), the codes an exclusion vetoes (`s.veto`) and the cues each code's score
    /// rests on (`s.contrib`), counting the rules the `reading` of the unit lets count
    /// (`in_question` rules only in a question, `in_context` rules in a question and
    /// in an answer read as its neighbours' context). Returns false when no term occurs.
    fn score_unit(&self, text: &str, reading: Reading, s: &mut Scratch) -> bool {
        s.reading = reading;
        s.context_left_out = false;
        let n_codes = self.thresholds.len();
        s.occs.clear();
        s.own.clear();
        s.own.resize(n_codes, 0.0);
        s.veto.clear();
        s.veto.resize(n_codes, false);
        s.contrib.clear();
        s.contrib_spans.clear();
        self.matcher.find(text, &mut s.m, &mut s.occs);
        if let Some(t) = s.without.take() {
            s.occs.retain(|o| o.term != t);
        }
        if s.occs.is_empty() {
            return false;
        }
        // Negation and reported views, once per occurrence.
        if self.reported_speech {
            stance::mark_reported(text, &s.m.tokens, &s.m.marks, &mut s.reported);
        }
        s.negated.clear();
        s.silenced.clear();
        for o in &s.occs {
            s.negated.push(self.matcher.is_negated(
                &s.m.tokens,
                &s.m.marks,
                o.first as usize,
                self.negation_window,
            ));
            s.silenced
                .push(self.reported_speech && s.reported[o.first as usize]);
        }
        // The sides of each `near` rule that occur: a rule with one side alone
        // finds nothing, so its hits are left out.
        if s.sides.len() < self.rules.len() {
            s.sides.resize(self.rules.len(), 0);
        }
        for (k, o) in s.occs.iter().enumerate() {
            if s.silenced[k] {
                continue;
            }
            for u in self.uses(o.term).iter().filter(|u| u.near) {
                let sides = &mut s.sides[u.rule as usize];
                if *sides == 0 {
                    s.sided.push(u.rule);
                }
                *sides |= 1 << u.slot;
            }
        }
        // Every (rule, slot, occurrence) hit that can count, grouped by rule (an
        // `in_question` rule counts only in a question, an `in_context` rule only
        // in a question or a neighbour's context; one left out is noted).
        s.hits.clear();
        for (k, o) in s.occs.iter().enumerate() {
            if s.silenced[k] {
                continue;
            }
            for u in self.uses(o.term) {
                if u.near && s.sides[u.rule as usize] != 0b11 {
                    continue;
                }
                if !u.scope.counts_in(s.reading) {
                    s.context_left_out |= u.scope == Scope::Context;
                    continue;
                }
                s.hits.push((u.rule, u.slot, k as u32));
            }
        }
        for r in s.sided.drain(..) {
            s.sides[r as usize] = 0;
        }
        s.hits.sort_unstable();
        self.shadow_overlaps(s);
        s.cues.clear();
        s.cue_occs.clear();
        let mut at = 0;
        while at < s.hits.len() {
            let rule_ix = s.hits[at].0;
            let mut end = at;
            while end < s.hits.len() && s.hits[end].0 == rule_ix {
                end += 1;
            }
            let rule = &self.rules[rule_ix as usize];
            let code = rule.code;
            let group = &s.hits[at..end];
            let shadow = &s.shadowed[at..end];
            let counts = |h: &&(u32, u16, u32)| rule.count_negated || !s.negated[h.2 as usize];
            let counts_at = |i: usize| !shadow[i] && counts(&&group[i]);
            let whole_rule = rule_ix << 16 | 0xFFFF;
            match rule.kind {
                Kind::Exclude => s.veto[code as usize] = true,
                Kind::Any => {
                    // Each counted occurrence is a cue; a term counts once per stretch.
                    for (i, h) in group.iter().enumerate() {
                        if counts_at(i) {
                            let o = s.occs[h.2 as usize];
                            s.cues.push(Cue {
                                code,
                                first: o.first,
                                key: rule_ix << 16 | h.1 as u32,
                                weight: rule.weight,
                                occs: (s.cue_occs.len() as u32, s.cue_occs.len() as u32 + 1),
                            });
                            s.cue_occs.push(h.2);
                        }
                    }
                }
                Kind::All(n) => {
                    s.slots.clear();
                    let from = s.cue_occs.len();
                    for (i, h) in group.iter().enumerate() {
                        if counts_at(i) {
                            if s.slots.last() != Some(&h.1) {
                                s.slots.push(h.1);
                            }
                            s.cue_occs.push(h.2);
                        }
                    }
                    if s.slots.len() == n as usize {
                        let first = s.cue_occs[from..]
                            .iter()
                            .map(|&k| s.occs[k as usize].first)
                            .min()
                            .unwrap_or(0);
                        s.cues.push(Cue {
                            code,
                            first,
                            key: whole_rule,
                            weight: rule.weight,
                            occs: (from as u32, s.cue_occs.len() as u32),
                        });
                    } else {
                        s.cue_occs.truncate(from);
                    }
                }
                Kind::Near(within) => {
                    // Occurrences are in text order, so the second slot's hits sorted
                    // by occurrence are sorted by position: for each hit of the
                    // first slot only those within reach are looked at.
                    let occs = &s.occs;
                    let span = by_position(&mut s.order, &s.hits, occs, at..end, |i| {
                        s.hits[i].1 == 1 && counts(&&s.hits[i])
                    });
                    for a in group.iter().filter(|h| h.1 == 0 && counts(h)) {
                        let oa = occs[a.2 as usize];
                        let lo = oa.first.saturating_sub(within.saturating_add(span));
                        let from = first_at(&s.order, &s.hits, occs, lo);
                        for &bi in &s.order[from..] {
                            let b = &s.hits[bi as usize];
                            let ob = occs[b.2 as usize];
                            if ob.first > oa.last.saturating_add(within) {
                                break;
                            }
                            if a.2 == b.2 {
                                continue;
                            }
                            let gap = if oa.first > ob.last {
                                oa.first - ob.last
                            } else {
                                ob.first.saturating_sub(oa.last)
                            };
                            if gap <= within {
                                s.cues.push(Cue {
                                    code,
                                    first: oa.first.min(ob.first),
                                    key: whole_rule,
                                    weight: rule.weight,
                                    occs: (s.cue_occs.len() as u32, s.cue_occs.len() as u32 + 2),
                                });
                                s.cue_occs.push(a.2);
                                s.cue_occs.push(b.2);
                            }
                        }
                    }
                }
            }
            at = end;
        }
        self.best_stretches(s);
        true
    }

    /// Scores each code by its best stretch of `reach` words (the whole unit when
    /// reach is 0): the weights of the distinct cues (a term, a whole `all` or `near`
    /// rule) in it. The stretch's cues become the code's evidence.
    fn best_stretches(&self, s: &mut Scratch) {
        s.cues.sort_unstable_by_key(|c| (c.code, c.first));
        let reach = if self.reach == 0 {
            u32::MAX
        } else {
            self.reach as u32
        };
        let mut at = 0;
        while at < s.cues.len() {
            let code = s.cues[at].code;
            let mut end = at;
            while end < s.cues.len() && s.cues[end].code == code {
                end += 1;
            }
            // Two pointers over the code's cues in position order; `keys` counts
            // each distinct cue in the current stretch.
            s.keys.clear();
            let (mut best, mut best_range) = (0.0_f32, at..at);
            let mut sum = 0.0_f32;
            let mut hi = at;
            for lo in at..end {
                while hi < end && s.cues[hi].first - s.cues[lo].first <= reach {
                    let c = s.cues[hi];
                    match s.keys.iter_mut().find(|(k, _)| *k == c.key) {
                        Some((_, n)) => *n += 1,
                        None => {
                            s.keys.push((c.key, 1));
                            sum += c.weight;
                        }
                    }
                    hi += 1;
                }
                if sum > best {
                    best = sum;
                    best_range = lo..hi;
                }
                let c = s.cues[lo];
                if let Some(p) = s.keys.iter().position(|(k, _)| *k == c.key) {
                    s.keys[p].1 -= 1;
                    if s.keys[p].1 == 0 {
                        s.keys.swap_remove(p);
                        sum -= c.weight;
                    }
                }
            }
            s.own[code as usize] = best;
            let toks = s.m.tokens.tokens();
            for c in &s.cues[best_range] {
                for &k in &s.cue_occs[c.occs.0 as usize..c.occs.1 as usize] {
                    s.contrib.push((code, k));
                    let o = s.occs[k as usize];
                    let (a, b) = (toks[o.first as usize], toks[o.last as usize]);
                    s.contrib_spans.push(Evidence {
                        start: a.start as usize,
                        end: b.end as usize,
                        byte_start: a.byte_start as usize,
                        byte_end: b.byte_end as usize,
                    });
                }
            }
            at = end;
        }
        // An exclusion of a code vetoes its sub-codes too: they are kinds of it
        // (shallowest first, so a veto reaches every level below).
        if s.veto.contains(&true) {
            for &c in self.deepest_first.iter().rev() {
                if let Some(p) = self.parent[c]
                    && s.veto[p]
                {
                    s.veto[c] = true;
                }
            }
        }
    }

    /// Turns the scores of [`Coder::score_unit`] (plus what the context adds per
    /// code, rolled up) into codings: eligibility (`allowed`: the codes whose
    /// conditions the unit meets), roll-up and thresholds.
    fn decide(
        &self,
        allowed: &[bool],
        add: Option<&[f32]>,
        s: &mut Scratch,
        out: &mut Vec<Coding>,
    ) {
        out.clear();
        // A code fires only with a score of its own or of a sub-code's, and scores
        // are never negative.
        if s.own.iter().all(|&v| v == 0.0) {
            return;
        }
        let n_codes = self.thresholds.len();
        s.eligible.clear();
        s.eligible.extend(
            s.veto[..n_codes]
                .iter()
                .zip(&allowed[..n_codes])
                .map(|(&veto, &allowed)| !veto && allowed),
        );
        s.total.clear();
        s.total.extend(
            s.eligible
                .iter()
                .zip(&s.own[..n_codes])
                .map(|(&eligible, &own)| if eligible { own } else { 0.0 }),
        );
        s.fired.clear();
        s.fired.resize(n_codes, false);
        let min_own = self.context.min_own;
        let extra = |c: usize, total: f32| match add {
            Some(a) if total >= min_own => a[c],
            _ => 0.0,
        };
        for &c in &self.deepest_first {
            let t = s.total[c];
            if s.eligible[c] && t > 0.0 && (t + extra(c, t) >= self.thresholds[c] || s.fired[c]) {
                s.fired[c] = true;
            }
            if let Some(p) = self.parent[c]
                && s.eligible[c]
                && s.eligible[p]
            {
                s.total[p] += s.total[c];
                if s.fired[c] {
                    s.fired[p] = true;
                }
            }
        }
        for c in 0..n_codes {
            if !s.fired[c] {
                continue;
            }
            let mut evidence = Vec::new();
            for (&(code, _), &span) in s.contrib.iter().zip(&s.contrib_spans) {
                if self.is_self_or_descendant(code as usize, c) && s.eligible[code as usize] {
                    evidence.push(span);
                }
            }
            evidence.sort_unstable();
            evidence.dedup();
            out.push(Coding {
                code: c,
                score: s.total[c],
                evidence,
                learned: false,
            });
        }
        if self.implies_any {
            self.add_implied(&s.eligible, out);
        }
    }

    /// The last step of [`Coder::decide`]: each coding it made (on the unit's own
    /// evidence or with its context; carried, continued and bridged codings come later
    /// and imply nothing) brings the codes its code implies (`[[code]] implies`), where
    /// the unit allows them (`eligible`: conditions met, no exclusion) and does not have
    /// them yet, with score 0 and no evidence: coaching is aimed at the client, a
    /// contact inside an office at the authority. `out` stays in codebook order.
    fn add_implied(&self, eligible: &[bool], out: &mut Vec<Coding>) {
        let n = out.len();
        for i in 0..n {
            for &c in &self.implied[out[i].code] {
                if eligible[c] && !out.iter().any(|x| x.code == c) {
                    out.push(Coding {
                        code: c,
                        score: 0.0,
                        evidence: Vec::new(),
                        learned: false,
                    });
                }
            }
        }
        if out.len() > n {
            out.sort_by_key(|x| x.code);
        }
    }

    /// Marks the hits that must not add to their code's score because another
    /// counted hit of the same code covers them: a term inside a longer matched
    /// term (`חותמת` inside `שמנו חותמת`), or the same words matched again by a
    /// later rule. Near rules and exclusions are left alone.
    fn shadow_overlaps(&self, s: &mut Scratch) {
        s.shadowed.clear();
        s.shadowed.resize(s.hits.len(), false);
        let mut at = 0;
        while at < s.hits.len() {
            let code = self.rules[s.hits[at].0 as usize].code;
            let mut end = at;
            while end < s.hits.len() && self.rules[s.hits[end].0 as usize].code == code {
                end += 1;
            }
            let eligible = |i: usize| {
                let r = &self.rules[s.hits[i].0 as usize];
                matches!(r.kind, Kind::Any | Kind::All(_))
                    && (r.count_negated || !s.negated[s.hits[i].2 as usize])
            };
            // A hit can only be covered by one that starts at most `span` words
            // before its end: look at those alone, in position order.
            let occs = &s.occs;
            let span = by_position(&mut s.order, &s.hits, occs, at..end, eligible);
            for i in at..end {
                if !eligible(i) {
                    continue;
                }
                let oi = occs[s.hits[i].2 as usize];
                let from = first_at(&s.order, &s.hits, occs, oi.last.saturating_sub(span));
                for &j in &s.order[from..] {
                    let j = j as usize;
                    let oj = occs[s.hits[j].2 as usize];
                    if oj.first > oi.first {
                        break;
                    }
                    if j == i || s.shadowed[j] {
                        continue;
                    }
                    let covers = oj.first <= oi.first && oj.last >= oi.last;
                    let same = oj.first == oi.first && oj.last == oi.last;
                    if covers && (!same || j < i) {
                        s.shadowed[i] = true;
                        break;
                    }
                }
            }
            at = end;
        }
    }

    /// The uses of term `t` in the rules.
    fn uses(&self, t: u32) -> &[Use] {
        let t = t as usize;
        &self.use_list[self.use_start[t] as usize..self.use_start[t + 1] as usize]
    }

    fn is_self_or_descendant(&self, mut code: usize, ancestor: usize) -> bool {
        for _ in 0..=self.parent.len() {
            if code == ancestor {
                return true;
            }
            match self.parent[code] {
                Some(p) => code = p,
                None => return false,
            }
        }
        false
    }

    /// Codes many units in parallel; the results are in input order.
    pub fn code_units(&self, units: &[(&str, UnitContext)]) -> Vec<Vec<Coding>> {
        units
            .par_iter()
            .map(|(text, ctx)| {
                let mut out = Vec::new();
                with_thread_scratch(|s| self.code_unit(text, ctx, s, &mut out));
                out
            })
            .collect()
    }
}

/// Fills `order` with the hits of `range` that `keep` accepts (indices into `hits`),
/// sorted by position (occurrences are in text order), and returns their longest
/// occurrence in words minus one.
fn by_position(
    order: &mut Vec<u32>,
    hits: &[(u32, u16, u32)],
    occs: &[Occurrence],
    range: std::ops::Range<usize>,
    keep: impl Fn(usize) -> bool,
) -> u32 {
    order.clear();
    order.extend(range.filter(|&i| keep(i)).map(|i| i as u32));
    order.sort_unstable_by_key(|&i| hits[i as usize].2);
    order
        .iter()
        .map(|&i| {
            let o = occs[hits[i as usize].2 as usize];
            o.last - o.first
        })
        .max()
        .unwrap_or(0)
}

/// The first place in `order` (sorted by position) whose occurrence starts at or
/// after word `lo`.
fn first_at(order: &[u32], hits: &[(u32, u16, u32)], occs: &[Occurrence], lo: u32) -> usize {
    order.partition_point(|&i| occs[hits[i as usize].2 as usize].first < lo)
}

/// The header of `codings.csv`.
pub const CODING_COLUMNS: &[&str] = &[
    "unit_id", "code_id", "family", "score", "evidence", "source",
];

/// Streams codings to `codings.csv`, which appears only when [`CodingWriter::finish`]
/// succeeds. One row per (unit, code); the evidence column lists the matched
/// spans as `start-end:text` (character offsets in the unit text) joined by `; `.
pub struct CodingWriter<'c> {
    out: AtomicFile,
    rows: CodingRows<'c>,
    n_rows: usize,
    source: &'static str,
}

impl<'c> CodingWriter<'c> {
    /// Creates the file (under a temporary name) and writes the header.
    pub fn create(path: &Path, codebook: &'c Codebook) -> Result<CodingWriter<'c>> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(CODING_COLUMNS)?;
        let mut out = AtomicFile::create(path)?;
        out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)?;
        Ok(CodingWriter {
            out,
            rows: CodingRows::new(codebook),
            n_rows: 0,
            source: crate::review::AUTO,
        })
    }

    /// Where the codings written next come from (the `source` column): `auto`
    /// (tamlil's coder, the default) or `reviewed` (a reviewer's file).
    pub fn set_source(&mut self, source: &'static str) {
        self.source = source;
    }

    /// Writes the codings of one unit (nothing if it has none).
    pub fn write_unit(&mut self, unit_id: &str, text: &str, codings: &[Coding]) -> Result<()> {
        if codings.is_empty() {
            return Ok(());
        }
        self.rows.unit(unit_id, text, codings, self.source)?;
        let (bytes, n) = self.rows.take();
        self.write_rows(&bytes, n)?;
        self.rows.give_back(bytes);
        Ok(())
    }

    /// Writes rows made by [`CodingRows`] (`n` of them).
    pub fn write_rows(&mut self, bytes: &[u8], n: usize) -> Result<()> {
        self.out.write_all(bytes)?;
        self.n_rows += n;
        Ok(())
    }

    /// Flushes and moves the file into place; returns the number of rows written.
    pub fn finish(self) -> Result<usize> {
        // The error names the file (see `AtomicFile`); it exits 74.
        self.out.commit()?;
        Ok(self.n_rows)
    }
}

/// `codings.csv` rows formatted into memory, as [`CodingWriter`] writes them, so
/// documents can be formatted apart (on several threads) and written in order.
/// Fields are written as the `csv` crate writes them by default (see
/// [`crate::csvfield::push_csv_field`]), rows end with a new line.
pub struct CodingRows<'c> {
    bytes: Vec<u8>,
    codebook: &'c Codebook,
    n: usize,
    buf: String,
    /// Scores formatted before (by their bits): a unit's scores are sums of a few
    /// rule weights, so the same few values come back again and again.
    scores: foldhash::HashMap<u32, Box<str>>,
}

impl<'c> CodingRows<'c> {
    /// No rows yet.
    pub fn new(codebook: &'c Codebook) -> CodingRows<'c> {
        CodingRows {
            bytes: Vec::new(),
            codebook,
            n: 0,
            buf: String::new(),
            scores: Default::default(),
        }
    }

    /// Adds the rows of one unit's codings, from `source` (`auto` or `reviewed`; an
    /// automatic coding the learned model added is `learned`).
    pub fn unit(
        &mut self,
        unit_id: &str,
        text: &str,
        codings: &[Coding],
        source: &str,
    ) -> Result<()> {
        for c in codings {
            let code = &self.codebook.codes[c.code];
            self.buf.clear();
            let mut num = itoa::Buffer::new();
            for (i, e) in c.evidence.iter().enumerate() {
                if i > 0 {
                    self.buf.push_str("; ");
                }
                let surface = text.get(e.byte_start..e.byte_end).unwrap_or("");
                self.buf.push_str(num.format(e.start));
                self.buf.push('-');
                self.buf.push_str(num.format(e.end));
                self.buf.push(':');
                self.buf.push_str(surface);
            }
            if self.scores.len() >= 1 << 12 {
                self.scores.clear();
            }
            let score = self
                .scores
                .entry(c.score.to_bits())
                .or_insert_with(|| format_score(c.score).into());
            let out = &mut self.bytes;
            push_csv_field(out, unit_id.as_bytes());
            out.push(b',');
            push_csv_field(out, code.id.as_bytes());
            out.push(b',');
            push_csv_field(out, code.family.as_bytes());
            out.push(b',');
            push_csv_field(out, score.as_bytes());
            out.push(b',');
            push_csv_field(out, self.buf.as_bytes());
            out.push(b',');
            // A code the learned model added says so, whatever the rules' source.
            let source = if c.learned && source == crate::review::AUTO {
                crate::review::LEARNED
            } else {
                source
            };
            push_csv_field(out, source.as_bytes());
            out.push(b'\n');
            self.n += 1;
        }
        Ok(())
    }

    /// The rows added so far and their number; starts again empty.
    pub fn take(&mut self) -> (Vec<u8>, usize) {
        (std::mem::take(&mut self.bytes), std::mem::take(&mut self.n))
    }

    /// Hands back a buffer from [`CodingRows::take`] to be reused.
    pub fn give_back(&mut self, mut bytes: Vec<u8>) {
        bytes.clear();
        self.bytes = bytes;
    }
}

/// Writes `codings.csv` for units given as `(unit_id, text, codings)`, in order;
/// returns the number of rows. The file appears only if everything was written.
pub fn write_codings_csv<'a, I>(path: &Path, codebook: &Codebook, units: I) -> Result<usize>
where
    I: IntoIterator<Item = (&'a str, &'a str, &'a [Coding])>,
{
    let mut w = CodingWriter::create(path, codebook)?;
    for (id, text, codings) in units {
        w.write_unit(id, text, codings)?;
    }
    w.finish()
}

/// A score as written in outputs: up to two decimals, no trailing zeros.
pub fn format_score(score: f32) -> String {
    let s = format!("{score:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::parse_str;

    fn coder(src: &str) -> (Codebook, Coder) {
        let (cb, problems) = parse_str(Path::new("t.toml"), src);
        assert!(problems.is_empty(), "{problems:?}");
        let cb = cb.unwrap();
        let coder = Coder::new(&cb).unwrap();
        (cb, coder)
    }

    /// An interviewer's question (turn 1) and the sentences of its answer (turn 2).
    fn question_and_answer<'a>(texts: &[&'a str]) -> Vec<SeqUnit<'a>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, &text)| SeqUnit {
                text,
                ctx: UnitContext {
                    role: Some(if i == 0 {
                        Role::Interviewer
                    } else {
                        Role::Interviewee
                    }),
                    attrs: &[],
                },
                turn: if i == 0 { 1 } else { 2 },
            })
            .collect()
    }

    fn codes_in(src: &str, text: &str, ctx: UnitContext) -> Vec<(String, f32)> {
        let (cb, c) = coder(src);
        let mut s = Scratch::default();
        let mut out = Vec::new();
        c.code_unit(text, &ctx, &mut s, &mut out);
        out.iter()
            .map(|x| (cb.codes[x.code].id.clone(), x.score))
            .collect()
    }

    fn ids(src: &str, text: &str) -> Vec<String> {
        codes_in(src, text, UnitContext::default())
            .into_iter()
            .map(|x| x.0)
            .collect()
    }

    const ONE: &str = "[[code]]\nid = \"keys.knowledge\"\nterms = [\"ידע\", \"קשר*\"]\n";

    #[test]
    fn prefixes_and_wildcards() {
        assert_eq!(ids(ONE, "וכשהידע הגיע"), ["keys.knowledge"]);
        assert_eq!(ids(ONE, "יש לנו הקשרים"), ["keys.knowledge"]);
        assert!(ids(ONE, "התקשרתי אליה, זה מידעון").is_empty());
    }

    #[test]
    fn evidence_offsets_are_characters() {
        let (cb, c) = coder(ONE);
        let text = "אמרתי\u{200F} לה שהידע וגם הקשרים";
        let mut s = Scratch::default();
        let mut out = Vec::new();
        c.code_unit(text, &UnitContext::default(), &mut s, &mut out);
        assert_eq!(out.len(), 1);
        let spans: Vec<(usize, usize)> = out[0].evidence.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, [(10, 15), (20, 26)]);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[10..15].iter().collect::<String>(), "שהידע");
        assert_eq!(out[0].score, 2.0);
        let _ = cb;
    }

    #[test]
    fn negation_blocks_unless_counted() {
        assert!(ids(ONE, "אין לנו שום ידע").is_empty());
        assert_eq!(ids(ONE, "אין לנו, אבל יש ידע"), ["keys.knowledge"]);
        let counted = "[[code]]\nid = \"barriers.knowledge\"\n[[code.rule]]\nany = [\"ידע*\"]\nnegated = true\n";
        assert_eq!(ids(counted, "הם לא ידעו"), ["barriers.knowledge"]);
    }

    #[test]
    fn threshold_needs_two_cues() {
        let src = "[[code]]\nid = \"keys.emotion\"\nthreshold = 2\nterms = [\"פחד*\", \"חרד*\"]\n[[code.rule]]\nweight = 2\nany = [\"לחזק אותה\"]\n";
        assert!(ids(src, "היא פחדה").is_empty());
        assert_eq!(
            codes_in(src, "היא פחדה וחרדה", UnitContext::default()),
            [("keys.emotion".into(), 2.0)]
        );
        assert_eq!(ids(src, "ניסיתי לחזק אותה"), ["keys.emotion"]);
    }

    #[test]
    fn all_rule_needs_every_term() {
        let src = "[[code]]\nid = \"keys.power\"\n[[code.rule]]\nall = [\"ערעור\", \"בית דין\"]\n";
        assert!(ids(src, "הגשנו ערעור").is_empty());
        assert_eq!(ids(src, "הגשנו ערעור לבית הדין"), ["keys.power"]);
    }

    #[test]
    fn near_rule_counts_words_between() {
        let src = "[[code]]\nid = \"keys.power.backing\"\n[[code.rule]]\nnear = [\"ליווי\", \"ליוויתי\"]\nwith = [\"ועד*\"]\nwithin = 3\n";
        assert_eq!(ids(src, "ליוויתי אותו אל הוועדה"), ["keys.power.backing"]);
        assert_eq!(ids(src, "לוועדה הרפואית ליוויתי"), ["keys.power.backing"]);
        assert!(ids(src, "ליוויתי אותו אתמול בבוקר אל הוועדה").is_empty());
    }

    #[test]
    fn near_and_covered_terms_in_a_long_unit() {
        // The windowed look-ups for near rules and covered terms give, in a unit of
        // 300 repeats, exactly the evidence of one repeat, 300 times over.
        let src = "[[code]]\nid = \"keys.power\"\n[[code.rule]]\nnear = [\"ליוויתי\"]\nwith = [\"ועד*\"]\nwithin = 3\n[[code.rule]]\nany = [\"חותמת\", \"שמנו חותמת\"]\n";
        let (_, c) = coder(src);
        let one = "ליוויתי אותו אל הוועדה ושמנו חותמת, אבל לא הייתה ועדה. ";
        let code = |text: &str| {
            let mut s = Scratch::default();
            let mut out = Vec::new();
            c.code_unit(text, &UnitContext::default(), &mut s, &mut out);
            out
        };
        let single = code(one);
        assert_eq!(single.len(), 1);
        let spans: Vec<(usize, usize)> = single[0]
            .evidence
            .iter()
            .map(|e| (e.start, e.end))
            .collect();
        // ליוויתי, הוועדה (near), שמנו חותמת (covering חותמת); ועדה is negated.
        assert_eq!(spans, [(0, 7), (16, 22), (23, 34)]);
        let n = one.chars().count();
        let long = code(&one.repeat(300));
        let want: Vec<(usize, usize)> = (0..300)
            .flat_map(|k| spans.iter().map(move |&(a, b)| (a + k * n, b + k * n)))
            .collect();
        let got: Vec<(usize, usize)> = long[0].evidence.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(got, want);
        assert_eq!(long[0].score, single[0].score);
    }

    #[test]
    fn exclude_vetoes() {
        let src =
            "[[code]]\nid = \"keys.networking\"\nterms = [\"קשר*\"]\nexclude = [\"קשר שתיקה\"]\n";
        assert_eq!(ids(src, "יש לנו קשרים"), ["keys.networking"]);
        assert!(ids(src, "יש לנו קשרים אבל יש קשר שתיקה").is_empty());
    }

    #[test]
    fn an_excluded_code_takes_its_sub_codes_with_it() {
        // The sub-code is a kind of its code: where the code is vetoed, so is it,
        // while an exclusion of the sub-code leaves its parent's own cues alone.
        let src = "[[code]]\nid = \"keys.power\"\nterms = [\"לחץ\"]\nexclude = [\"לא אני\"]\n\
                   [[code]]\nid = \"keys.power.legal\"\nparent = \"keys.power\"\nterms = [\"ערר\"]\n\
                   exclude = [\"ערר מס\"]\n";
        assert_eq!(ids(src, "הגשנו ערר"), ["keys.power", "keys.power.legal"]);
        assert!(ids(src, "הגשנו ערר, זה כבר לא אני").is_empty());
        assert_eq!(ids(src, "ערר מס עם לחץ"), ["keys.power"]);
    }

    #[test]
    fn roles_and_attributes() {
        let src = "[codebook]\nroles = [\"interviewee\"]\n[[code]]\nid = \"a.x\"\nterms = [\"ידע\"]\n[[code]]\nid = \"a.y\"\nrequire = { sector = \"public\" }\nterms = [\"ידע\"]\n[[code]]\nid = \"a.z\"\nroles = []\nforbid = { sector = [\"business\"] }\nterms = [\"ידע\"]\n";
        let public = [("sector", "public")];
        let business = [("sector", "business")];
        let got = |role, attrs: &[(&str, &str)]| -> Vec<String> {
            codes_in(src, "ידע", UnitContext { role, attrs })
                .into_iter()
                .map(|x| x.0)
                .collect()
        };
        assert_eq!(got(Some(Role::Interviewee), &public), ["a.x", "a.y", "a.z"]);
        assert_eq!(got(Some(Role::Interviewer), &public), ["a.z"]);
        assert_eq!(got(Some(Role::Interviewee), &business), ["a.x"]);
        assert_eq!(got(None, &[]), ["a.x", "a.z"]);
    }

    #[test]
    fn subcodes_roll_up() {
        let src = "[[code]]\nid = \"keys.knowledge\"\nthreshold = 2\nterms = [\"ידע\"]\n[[code]]\nid = \"keys.knowledge.tacit\"\nparent = \"keys.knowledge\"\nthreshold = 1\nterms = [\"מניסיון\"]\n";
        assert!(ids(src, "ידע").is_empty());
        assert_eq!(
            codes_in(src, "ידע מניסיון", UnitContext::default()),
            [
                ("keys.knowledge".into(), 2.0),
                ("keys.knowledge.tacit".into(), 1.0)
            ]
        );
        assert_eq!(
            ids(src, "מניסיון"),
            ["keys.knowledge", "keys.knowledge.tacit"]
        );
    }

    #[test]
    fn scores_format() {
        assert_eq!(format_score(2.0), "2");
        assert_eq!(format_score(1.5), "1.5");
        assert_eq!(format_score(0.25), "0.25");
    }

    #[test]
    fn writer_rows_and_evidence() {
        let (cb, c) = coder(ONE);
        let dir = std::env::temp_dir().join(format!("tamlil-codings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("codings.csv");
        let units = [("u1", "שהידע שלנו"), ("u2", "כלום"), ("u3", "קשרים")];
        let coded: Vec<Vec<Coding>> =
            c.code_units(&units.map(|(_, t)| (t, UnitContext::default())));
        let rows = write_codings_csv(
            &path,
            &cb,
            units
                .iter()
                .zip(&coded)
                .map(|((id, t), c)| (*id, *t, c.as_slice())),
        )
        .unwrap();
        assert_eq!(rows, 2);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "unit_id,code_id,family,score,evidence,source\nu1,keys.knowledge,keys,1,0-5:שהידע,auto\nu3,keys.knowledge,keys,1,0-5:קשרים,auto\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A codebook for the context tests: emotion needs 2, a weak cue gives 1.
    const CONTEXT: &str = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 1\nturn = 1\nstory = 1\nmin_own = 1\n[[code]]\nid = \"keys.emotion\"\nterms = [\"כעס*\", \"כועס*\", \"להרגיע\", \"סבלנות\", \"לחכות\"]\n[[code]]\nid = \"keys.power\"\nterms = [\"עורך דין\", \"ערעור\"]\n";

    /// Codes `(role, turn, text)` units as one document; the code ids per unit.
    fn sequence(src: &str, units: &[(Role, u32, &str)]) -> Vec<Vec<String>> {
        let (cb, c) = coder(src);
        let seq: Vec<SeqUnit> = units
            .iter()
            .map(|&(role, turn, text)| SeqUnit {
                text,
                ctx: UnitContext {
                    role: Some(role),
                    attrs: &[],
                },
                turn,
            })
            .collect();
        let mut out = Vec::new();
        c.code_sequence(&seq, &mut Scratch::default(), &mut out);
        out.iter()
            .map(|v| v.iter().map(|x| cb.codes[x.code].id.clone()).collect())
            .collect()
    }

    #[test]
    fn the_question_sets_the_context() {
        use Role::*;
        // "So I sit with him and wait" answers a question about anger: one weak cue
        // of its own (לחכות) and the question's evidence code it.
        let asked = sequence(
            CONTEXT,
            &[
                (Interviewer, 1, "איך את מתמודדת עם לקוחות כועסים?"),
                (Interviewee, 2, "אז אני יושבת איתו ומוכנה לחכות."),
            ],
        );
        assert_eq!(asked[1], ["keys.emotion"]);
        // The same answer to another question is not coded.
        let other = sequence(
            CONTEXT,
            &[
                (Interviewer, 1, "איך נראה יום עבודה?"),
                (Interviewee, 2, "אז אני יושבת איתו ומוכנה לחכות."),
            ],
        );
        assert!(other[1].is_empty());
        // The question itself is never coded, and context alone codes nothing.
        let alone = sequence(
            CONTEXT,
            &[
                (Interviewer, 1, "ואיך את מרגיעה אותו כשהוא כועס?"),
                (Interviewee, 2, "תלוי ביום."),
            ],
        );
        assert_eq!(alone, [Vec::<String>::new(), vec![]]);
    }

    #[test]
    fn a_story_continues_in_the_next_sentence() {
        use Role::*;
        let units = [
            (Interviewee, 2, "הוא הגיע כועס וצעק, וניסיתי להרגיע אותו."),
            (Interviewee, 2, "ביקשתי ממנו סבלנות."),
            (Interviewee, 4, "ביקשתי ממנו סבלנות."),
        ];
        let got = sequence(CONTEXT, &units);
        assert_eq!(got[0], ["keys.emotion"]);
        // The next sentence of the story, with a weak cue of its own, shares the code;
        // the same sentence in another turn does not.
        assert_eq!(got[1], ["keys.emotion"]);
        assert!(got[2].is_empty());
    }

    #[test]
    fn an_answer_carries_a_key_to_its_sentences_without_a_coding() {
        use Role::*;
        let carry = CONTEXT.replace("min_own = 1", "min_own = 1\ncarry = [\"keys\"]");
        let answer = |question: &'static str| {
            [
                (Interviewer, 1, question),
                (Interviewee, 2, "כן, עורך דין מתנדב מגיש בשבילנו ערעור."),
                (Interviewee, 2, "זה חוסך לנו חודשים."),
                (Interviewee, 2, "ממש ככה."),
                (Interviewee, 2, "הלקוחות כועסים ואני מנסה להרגיע."),
            ]
        };
        let got = sequence(&carry, &answer("יש לכם עורך דין שעוזר?"));
        assert_eq!(got[1], ["keys.power"]);
        // A sentence with no cue next to the coded one, in an answer to a question
        // about the key, continues the answer.
        assert_eq!(got[2], ["keys.power"]);
        // Two sentences away it is not a neighbour (story = 1), and a carried code is
        // not carried on from the sentence that got it.
        assert!(got[3].is_empty());
        // A sentence coded with something else keeps its own coding only.
        assert_eq!(got[4], ["keys.emotion"]);
        // When the question is about something else, nothing is carried.
        let other = sequence(&carry, &answer("איך נראה יום עבודה?"));
        assert_eq!(other[1], ["keys.power"]);
        assert!(other[2].is_empty());
        // Without `carry`, the same answer to the same question carries nothing.
        let off = sequence(CONTEXT, &answer("יש לכם עורך דין שעוזר?"));
        assert!(off[2].is_empty());
        // A sentence coded with a code of another family (a target) still goes on
        // with the story's key.
        let target = format!(
            "{carry}[[code]]\nid = \"target.client\"\nthreshold = 1\nterms = [\"חוסך לנו\"]\n"
        );
        let got = sequence(&target, &answer("יש לכם עורך דין שעוזר?"));
        assert_eq!(got[2], ["keys.power", "target.client"]);
        assert_eq!(got[4], ["keys.emotion"]);
    }

    #[test]
    fn a_question_only_rule_sets_the_context_and_codes_no_answer() {
        use Role::*;
        // How an interviewer asks about emotional work (how did he feel?) is not how
        // the agent describes it (I calmed him down): an `in_question` rule of
        // feeling words scores the question only.
        let src = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 1\nturn = 1\nstory = 1\nmin_own = 1\ncarry = [\"keys\"]\n[[code]]\nid = \"keys.emotion\"\n[[code.rule]]\nweight = 2\nany = [\"להרגיע\", \"הרגעתי\"]\n[[code.rule]]\nweight = 1\nany = [\"סבלנות\"]\n[[code.rule]]\nweight = 1\nin_question = true\nany = [\"הרגיש~\", \"כועס*\"]\n";
        let answer = |question: &'static str| {
            [
                (Interviewer, 1, question),
                (Interviewee, 2, "הוא היה במצוקה גדולה."),
                (Interviewee, 2, "ישבתי איתו והרגעתי אותו."),
                (Interviewee, 2, "זה דרש סבלנות."),
            ]
        };
        let asked = sequence(src, &answer("ואיך הוא הרגיש בכל התהליך?"));
        // The calming codes on its own, and the sentence before it, with no cue,
        // continues the story of an answer about feelings.
        assert_eq!(asked[2], ["keys.emotion"]);
        assert_eq!(asked[1], ["keys.emotion"]);
        // After a question with no feeling word, nothing is carried to it.
        let plain = sequence(src, &answer("ומה קרה אחר כך?"));
        assert_eq!(plain[2], ["keys.emotion"]);
        assert!(plain[1].is_empty());
        // The question-only words are no evidence in an answer: "he felt angry"
        // said by the agent, after a neutral question, codes nothing.
        let told = sequence(
            src,
            &[
                (Interviewer, 1, "ומה קרה אחר כך?"),
                (Interviewee, 2, "הוא הרגיש כועס וסבלנות לא הייתה לו."),
            ],
        );
        assert!(told[1].is_empty());
        // Coded on its own, without context, a question-only rule never counts.
        let (cb, c) = coder(src);
        let mut out = Vec::new();
        let ctx = UnitContext {
            role: Some(Interviewee),
            attrs: &[],
        };
        c.code_unit(
            "הרגיש כועס, כועס מאוד",
            &ctx,
            &mut Scratch::default(),
            &mut out,
        );
        assert!(
            out.is_empty(),
            "{:?}",
            out.iter().map(|x| &cb.codes[x.code].id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_feeling_told_is_context_for_the_sentences_around_it() {
        use Role::*;
        // The client's shame is told in one sentence, what the agent did about it in
        // the next: the feeling words of an `in_context` rule lift the agent's weak
        // cue next to them, and are no evidence in their own sentence.
        let src = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 0.5\nturn = 0.5\nstory = 1\nmin_own = 1\n[[code]]\nid = \"keys.emotion\"\n[[code.rule]]\nweight = 1\nany = [\"ישבתי איתו\"]\n[[code.rule]]\nweight = 2\nin_context = true\nany = [\"מתבייש~\", \"התבייש~\", \"בושה\"]\n";
        let story = |first: &'static str| {
            [
                (Interviewer, 1, "ספרי על מקרה."),
                (Interviewee, 2, first),
                (Interviewee, 2, "ישבתי איתו שלוש פעמים."),
                (Interviewee, 2, "בסוף הוא הגיש."),
            ]
        };
        let ashamed = sequence(src, &story("הוא התבייש לבקש, כל החיים עבד."));
        assert_eq!(ashamed[2], ["keys.emotion"]);
        // The feeling alone codes nothing, here or two sentences on.
        assert!(ashamed[1].is_empty());
        assert!(ashamed[3].is_empty());
        // The same act after a sentence with no feeling stays below the threshold.
        let plain = sequence(src, &story("הוא עבד כל החיים בבניין."));
        assert!(plain[2].is_empty());
        // Two sentences of feelings do not lift each other: neither has a cue of its own.
        let feelings = sequence(
            src,
            &[
                (Interviewer, 1, "ספרי על מקרה."),
                (Interviewee, 2, "הוא התבייש."),
                (Interviewee, 2, "בושה גדולה, בושה של גבר."),
            ],
        );
        assert!(feelings[1].is_empty() && feelings[2].is_empty());
        // Coded on its own, a context-only rule never counts.
        let (_, c) = coder(src);
        let mut out = Vec::new();
        let ctx = UnitContext {
            role: Some(Interviewee),
            attrs: &[],
        };
        c.code_unit(
            "הוא התבייש, ישבתי איתו",
            &ctx,
            &mut Scratch::default(),
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn a_follow_up_question_asks_what_the_answer_before_it_told() {
        use Role::*;
        // "And what did you do?" names no code: for the codes `follow_up` lists, its
        // answer is read as an answer about what the turn before it told.
        let with = |follow_up: &str| {
            format!(
                "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 1\nturn = 0.5\nstory = 1\nmin_own = 1\nfollow_up = [{follow_up}]\n[[code]]\nid = \"keys.emotion\"\n[[code.rule]]\nweight = 1\nany = [\"ישבתי איתו\"]\n[[code.rule]]\nweight = 2\nin_context = true\nany = [\"התבייש~\", \"בושה\"]\n[[code]]\nid = \"keys.knowledge\"\n[[code.rule]]\nweight = 2\nany = [\"טופס\"]\n"
            )
        };
        let story = |question: &'static str| {
            [
                (Interviewer, 1, "למה הוא לא הגיש?"),
                (Interviewee, 2, "זה היה עוד לפני הכל."),
                (Interviewee, 2, "הוא התבייש לבקש."),
                (Interviewer, 3, question),
                (Interviewee, 4, "ישבתי איתו שלוש פעמים."),
            ]
        };
        let followed = sequence(&with("\"keys.emotion\""), &story("ומה עשית?"));
        assert_eq!(followed[4], ["keys.emotion"]);
        // Not for a code the codebook leaves out of `follow_up`.
        let other = sequence(&with("\"keys.knowledge\""), &story("ומה עשית?"));
        assert!(other[4].is_empty());
        // A question with a cue of its own asks about that, not about the answer
        // before it.
        let asked = sequence(&with("\"keys.emotion\""), &story("ומה עשית עם הטופס?"));
        assert!(asked[4].is_empty());
        // The answer before it must be the one that told: a follow-up that opens the
        // interview has nothing to ask about.
        let first = sequence(
            &with("\"keys.emotion\""),
            &[
                (Interviewer, 1, "ומה עשית?"),
                (Interviewee, 2, "ישבתי איתו שלוש פעמים."),
            ],
        );
        assert!(first[1].is_empty());
    }

    #[test]
    fn an_answer_about_the_speakers_background_takes_no_practice_code() {
        use Role::*;
        // "How did you come to this field?" is answered with a biography: the court
        // of a first job is not the agent's legal lever; a barrier seen there still is.
        let src = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 0.5\nturn = 0.5\nstory = 1\nmin_own = 1\nbackground = [\"איך הגעת\"]\nbackground_skips = [\"keys\"]\n[[code]]\nid = \"keys.power\"\nterms = [\"בית הדין\", \"ערעור\"]\nthreshold = 1\n[[code]]\nid = \"barriers.knowledge\"\nterms = [\"לא ידעו\"]\nthreshold = 1\n";
        let answer = |question: &'static str| {
            [
                (Interviewer, 1, question),
                (
                    Interviewee,
                    2,
                    "בפעם הראשונה הלכתי לבית הדין עם עורכת דין ותיקה.",
                ),
                (Interviewee, 2, "וראיתי שאנשים לא ידעו מה מגיע להם."),
                (Interviewer, 3, "ומה אתם עושים היום?"),
                (Interviewee, 4, "אנחנו מגישים ערעור לבית הדין."),
            ]
        };
        let bio = sequence(src, &answer("ואיך הגעת לתחום?"));
        assert!(bio[1].is_empty(), "{:?}", bio[1]);
        assert_eq!(bio[2], ["barriers.knowledge"]);
        // The next question ends the biography.
        assert_eq!(bio[4], ["keys.power"]);
        // After another question the same sentence keeps its code.
        let plain = sequence(src, &answer("ואיך זה עובד אצלכם?"));
        assert_eq!(plain[1], ["keys.power"]);
    }

    #[test]
    fn a_sentence_that_points_back_goes_on_with_the_one_before_it() {
        use Role::*;
        // "And two days later the debt was cancelled" says nothing of the key itself:
        // it opens with a word that points back and tells what came of the call.
        let src = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 0.5\nturn = 0.5\nstory = 1\nmin_own = 1\ncontinuation = [\"ואז\", \"זה\", \"למחרת\"]\ncontinues = [\"keys\"]\n[[code]]\nid = \"keys.networking\"\n[[code.rule]]\nweight = 2\nany = [\"הרמתי טלפון לפקידה\"]\n[[code]]\nid = \"goals.wellbeing\"\n[[code.rule]]\nweight = 2\nany = [\"שקט נפשי\"]\n[[code]]\nid = \"barriers.knowledge\"\n[[code.rule]]\nweight = 2\nany = [\"לא ידעה\"]\n";
        let story = |second: &'static str, third: &'static str| {
            [
                (Interviewer, 1, "ומה עשית?"),
                (Interviewee, 2, "הרמתי טלפון לפקידה שאני מכירה בסניף."),
                (Interviewee, 2, second),
                (Interviewee, 2, third),
                (Interviewer, 3, "ואז?"),
                (Interviewee, 4, "ואז הלכנו הביתה."),
            ]
        };
        let got = sequence(src, &story("ולמחרת העיקול בוטל.", "זה היה מהיר."));
        assert_eq!(got[1], ["keys.networking"]);
        // The word that opens it (with its clitic: ולמחרת) points back: the key goes on.
        assert_eq!(got[2], ["keys.networking"]);
        // A continued sentence passes nothing on: the story is told by its own words.
        assert!(got[3].is_empty(), "{:?}", got[3]);
        // Not across the interviewer's question, into another turn.
        assert!(got[5].is_empty(), "{:?}", got[5]);
        // Without an opener, or with a code of its own, a sentence keeps what it has.
        let plain = sequence(
            src,
            &story("העיקול בוטל למחרת.", "ואז היא לא ידעה מה לעשות."),
        );
        assert!(plain[2].is_empty(), "{:?}", plain[2]);
        assert_eq!(plain[3], ["barriers.knowledge"]);
        // Codes the codebook leaves out of `continues` stay where they are said.
        let goal = [
            (Interviewee, 2, "אני רוצה שיהיה לה שקט נפשי."),
            (Interviewee, 2, "ואז נראה."),
        ];
        let got = sequence(src, &goal);
        assert_eq!(got[0], ["goals.wellbeing"]);
        assert!(got[1].is_empty(), "{:?}", got[1]);
    }

    #[test]
    fn a_code_on_both_sides_of_a_sentence_covers_the_passage_between() {
        use Role::*;
        // A story of going with the client to the office, told over four sentences:
        // the first and the last say the key, the two between tell what happened.
        let src = "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 0.5\nturn = 0.5\nstory = 1\nmin_own = 1\nbridge = 2\nbridges = [\"keys\", \"goals\"]\n[[code]]\nid = \"keys.networking\"\n[[code.rule]]\nweight = 2\nany = [\"פקידה שאני מכירה\", \"הקשר שלי עם הסניף\"]\n[[code]]\nid = \"keys.power\"\n[[code.rule]]\nweight = 2\nany = [\"מכתב התראה\"]\n[[code]]\nid = \"target.authority\"\n[[code.rule]]\nweight = 2\nany = [\"פקידה שאני מכירה\", \"הקשר שלי עם הסניף\"]\n[[code]]\nid = \"goals.wellbeing\"\n[[code.rule]]\nweight = 2\nany = [\"שקט נפשי\"]\n";
        let story = |between: &[&'static str], last: &'static str| {
            let mut units = vec![
                (Interviewer, 1, "איך זה עובד מול הסניף?"),
                (Interviewee, 2, "יש לי פקידה שאני מכירה שם שנים."),
            ];
            units.extend(between.iter().map(|&t| (Interviewee, 2, t)));
            units.push((Interviewee, 2, last));
            units
        };
        let two = ["נכנסנו ביום שלישי בבוקר.", "היא לקחה את הטופס וישבה איתנו."];
        let got = sequence(
            src,
            &story(&two, "בזכות הקשר שלי עם הסניף זה נגמר ביום אחד."),
        );
        assert_eq!(got[1], ["keys.networking", "target.authority"]);
        assert_eq!(got[4], ["keys.networking", "target.authority"]);
        // The two sentences between take the key the codebook lists, and not the
        // target, which it leaves to what a sentence itself says.
        assert_eq!(got[2], ["keys.networking"]);
        assert_eq!(got[3], ["keys.networking"]);
        // A sentence with a code of its own takes the passage's as well, in codebook
        // order.
        let coded = ["שלחתי מכתב התראה לפני כן.", "היא לקחה את הטופס."];
        let got = sequence(src, &story(&coded, "בזכות הקשר שלי עם הסניף זה נגמר."));
        assert_eq!(got[2], ["keys.networking", "keys.power"]);
        // More than `bridge` sentences between: no passage, only what each says.
        let three = ["נכנסנו בבוקר.", "ישבנו שעה.", "היא לקחה את הטופס."];
        let got = sequence(src, &story(&three, "בזכות הקשר שלי עם הסניף זה נגמר."));
        for (i, codes) in got.iter().enumerate().take(5).skip(2) {
            assert!(codes.is_empty(), "{i}: {codes:?}");
        }
        // Not across the interviewer's question: another turn is another passage.
        let mut split = story(&["נכנסנו בבוקר."], "בזכות הקשר שלי עם הסניף זה נגמר.");
        split.insert(3, (Interviewer, 3, "וזה עזר?"));
        for u in &mut split[4..] {
            u.1 = 4;
        }
        let got = sequence(src, &split);
        assert!(got[2].is_empty(), "{:?}", got[2]);
        // Both ends must get the code; one end alone bridges nothing.
        let got = sequence(
            src,
            &story(&["נכנסנו בבוקר."], "אני רוצה שיהיה לה שקט נפשי."),
        );
        assert!(got[2].is_empty(), "{:?}", got[2]);
        assert_eq!(got[3], ["goals.wellbeing"]);
    }

    #[test]
    fn context_is_off_unless_the_codebook_sets_it() {
        use Role::*;
        let off = CONTEXT.replace("question = 1\nturn = 1", "question = 0\nturn = 0");
        let got = sequence(
            &off,
            &[
                (Interviewer, 1, "איך את מתמודדת עם לקוחות כועסים?"),
                (Interviewee, 2, "אז אני יושבת איתו ומוכנה לחכות."),
            ],
        );
        assert!(got[1].is_empty());
    }

    #[test]
    fn a_reported_view_does_not_code() {
        let src = "[[code]]\nid = \"role.technical\"\nterms = [\"ניירת\"]\n";
        assert_eq!(ids(src, "מבחינתי זו ניירת."), ["role.technical"]);
        assert!(
            ids(
                src,
                "יש עובדים שאומרים שזו רק ניירת, אבל אני לא רואה את זה ככה."
            )
            .is_empty()
        );
        // After the contrast the speaker's own words count again.
        assert_eq!(
            ids(src, "יש כאלה שחושבים שזה טיפול, אבל אצלי זו ניירת."),
            ["role.technical"]
        );
        let off = format!("[codebook]\nreported_speech = false\n{src}");
        assert_eq!(
            ids(&off, "יש עובדים שאומרים שזו רק ניירת."),
            ["role.technical"]
        );
    }

    #[test]
    fn a_refused_strategy_is_absent() {
        let src = "[[code]]\nid = \"keys.emotion\"\nterms = [\"להתחנן\", \"לבכות\"]\n[[code]]\nid = \"goals.civic_awareness\"\nterms = [\"זכות\"]\n";
        assert_eq!(
            ids(src, "אני לא אתחיל לבכות אצלם, זו זכות."),
            ["goals.civic_awareness"]
        );
        assert!(ids(src, "אני מסרבת להתחנן בפני הפקידה").is_empty());
        assert!(ids(src, "במקום לבכות אצל הפקידה").is_empty());
    }

    #[test]
    fn a_code_brings_the_codes_it_implies() {
        let src = "[[code]]\nid = \"keys.knowledge\"\nterms = [\"ידע\"]\n\
            [[code]]\nid = \"keys.knowledge.coaching\"\nparent = \"keys.knowledge\"\n\
            terms = [\"מסביר~\"]\nimplies = [\"target.client\"]\n\
            [[code]]\nid = \"target.client\"\nterms = [\"לו\"]\nroles = [\"interviewee\"]\n\
            exclude = [\"אגיד לך\"]\n";
        let as_interviewee = UnitContext {
            role: Some(Role::Interviewee),
            attrs: &[],
        };
        let got = |text: &str, ctx: UnitContext| codes_in(src, text, ctx);
        let owned = |v: &[(&str, f32)]| -> Vec<(String, f32)> {
            v.iter().map(|&(c, x)| (c.to_string(), x)).collect()
        };
        // Coaching with no "him" in the sentence is still aimed at the client: the
        // target comes with score 0 and no evidence, in codebook order.
        assert_eq!(
            got("אני מסבירה מי יהיה בחדר", as_interviewee),
            owned(&[
                ("keys.knowledge", 1.0),
                ("keys.knowledge.coaching", 1.0),
                ("target.client", 0.0)
            ])
        );
        // A target the sentence says itself keeps its own score.
        assert_eq!(
            got("אני מסבירה לו מה להביא", as_interviewee),
            owned(&[
                ("keys.knowledge", 1.0),
                ("keys.knowledge.coaching", 1.0),
                ("target.client", 1.0)
            ])
        );
        // Not where the implied code's conditions forbid it or its exclusion occurs,
        // nor without the code.
        assert_eq!(
            got("אני אגיד לך, אני מסבירה מי יהיה בחדר", as_interviewee),
            owned(&[("keys.knowledge", 1.0), ("keys.knowledge.coaching", 1.0)])
        );
        let as_interviewer = UnitContext {
            role: Some(Role::Interviewer),
            attrs: &[],
        };
        assert_eq!(
            got("אני מסבירה מי יהיה בחדר", as_interviewer),
            owned(&[("keys.knowledge", 1.0), ("keys.knowledge.coaching", 1.0)])
        );
        assert_eq!(
            got("הוא יודע הכל", as_interviewee),
            Vec::<(String, f32)>::new()
        );
        // The same in a document coded with its context.
        let with_context = format!("[context]\nturn = 0.5\n{src}");
        assert_eq!(
            sequence(
                &with_context,
                &[
                    (Role::Interviewer, 1, "מה את עושה?"),
                    (Role::Interviewee, 2, "אני מסבירה מי יהיה בחדר.")
                ]
            ),
            [
                vec![],
                vec!["keys.knowledge", "keys.knowledge.coaching", "target.client"]
            ]
        );
        // A coding carried to a sentence with no cue of its own (score 0) implies
        // nothing: the next sentence of the answer goes on with the coaching, not with
        // an act aimed at the client. (The question is coded too, as this codebook sets
        // no roles for the coaching, and takes no target: the target is the interviewee's.)
        let carrying = format!("[context]\nquestion = 0.5\nturn = 0.5\ncarry = [\"keys\"]\n{src}");
        assert_eq!(
            sequence(
                &carrying,
                &[
                    (Role::Interviewer, 1, "מה את מסבירה?"),
                    (Role::Interviewee, 2, "אני מסבירה מי יהיה בחדר."),
                    (Role::Interviewee, 2, "זה לוקח שעה.")
                ]
            ),
            [
                vec!["keys.knowledge", "keys.knowledge.coaching"],
                vec!["keys.knowledge", "keys.knowledge.coaching", "target.client"],
                vec!["keys.knowledge", "keys.knowledge.coaching"]
            ]
        );
    }

    #[test]
    fn an_implied_code_can_still_be_coded_on_its_own_cues_with_context() {
        // The coaching implies the client target in the third sentence; the sentence's
        // own weak cue of the target ("לו", 1 of 2), lifted by its neighbour's target,
        // still codes it with its own score and evidence, not as an implied coding.
        let src = "[context]\nturn = 0.5\n\
            [[code]]\nid = \"keys.knowledge\"\nterms = [\"מסביר~\"]\nimplies = [\"target.client\"]\n\
            [[code]]\nid = \"target.client\"\nthreshold = 2\nterms = [\"לו\"]\n\
            [[code.rule]]\nweight = 2\nany = [\"איתו\"]\n";
        let (cb, c) = coder(src);
        let texts = ["מה את עושה?", "אני יושבת איתו.", "אני מסבירה לו הכל."];
        let seq = question_and_answer(&texts);
        let mut out = Vec::new();
        c.code_sequence(&seq, &mut Scratch::default(), &mut out);
        let got: Vec<(&str, f32, usize)> = out[2]
            .iter()
            .map(|x| (cb.codes[x.code].id.as_str(), x.score, x.evidence.len()))
            .collect();
        assert_eq!(got, [("keys.knowledge", 1.0, 1), ("target.client", 1.0, 1)]);
    }

    #[test]
    fn a_code_lifted_by_its_context_gives_way_to_the_code_it_yields_to() {
        // The question asks about fear and anxiety (2 of emotional work); "they are
        // afraid to come" has one weak cue of emotion of its own (1 of 3) and, lifted
        // by the question, would code it; it also says the barrier on its own, so
        // the barrier wins. A sentence with emotional work of its own keeps it.
        let src = "[codebook]\nthreshold = 2\n[context]\nquestion = 1\n\
            [[code]]\nid = \"keys.emotion\"\nthreshold = 3\nyields_to = [\"barriers.perception\"]\nterms = [\"פחד~\", \"מפחד~\", \"חרד~\"]\n\
            [[code.rule]]\nweight = 3\nany = [\"מרגיעה\"]\n\
            [[code]]\nid = \"keys.emotion.client\"\nparent = \"keys.emotion\"\nthreshold = 1\nterms = [\"להם\"]\n\
            [[code]]\nid = \"barriers.perception\"\n[[code.rule]]\nweight = 2\nany = [\"מפחדים לבוא\"]\n";
        let coded = |src: &str, answer: &str| -> Vec<(String, f32)> {
            let (cb, c) = coder(src);
            let texts = ["ואיך את מתמודדת עם הפחד והחרדה?", answer];
            let seq = question_and_answer(&texts);
            let mut out = Vec::new();
            c.code_sequence(&seq, &mut Scratch::default(), &mut out);
            out[1]
                .iter()
                .map(|x| (cb.codes[x.code].id.clone(), x.score))
                .collect()
        };
        let barrier = ("barriers.perception".to_string(), 2.0);
        assert_eq!(
            coded(src, "הם מפחדים לבוא אליי"),
            std::slice::from_ref(&barrier)
        );
        // The sub-code, coded on its own cue, goes with its code.
        assert_eq!(
            coded(src, "הם מפחדים לבוא, אני מחכה להם"),
            std::slice::from_ref(&barrier)
        );
        assert_eq!(
            coded(src, "הם מפחדים לבוא ואני מרגיעה אותם"),
            [("keys.emotion".to_string(), 4.0), barrier.clone()]
        );
        // Without the barrier, the context still codes the weak cue.
        assert_eq!(coded(src, "הם מפחדים"), [("keys.emotion".to_string(), 1.0)]);
        // A code it alone implied goes with it.
        let implying = src.replace(
            "yields_to = [\"barriers.perception\"]\n",
            "yields_to = [\"barriers.perception\"]\nimplies = [\"target.client\"]\n",
        ) + "[[code]]\nid = \"target.client\"\nthreshold = 1\nterms = [\"הלקוח\"]\n";
        assert_eq!(
            coded(&implying, "הם מפחדים לבוא אליי"),
            std::slice::from_ref(&barrier)
        );
        assert_eq!(
            coded(&implying, "הם מפחדים"),
            [
                ("keys.emotion".to_string(), 1.0),
                ("target.client".to_string(), 0.0)
            ]
        );
        // The same codebook without `yields_to` codes both.
        let both = src.replace("yields_to = [\"barriers.perception\"]\n", "");
        assert_eq!(
            coded(&both, "הם מפחדים לבוא, אני מחכה להם"),
            [
                ("keys.emotion".to_string(), 2.0),
                ("keys.emotion.client".to_string(), 1.0),
                barrier
            ]
        );
    }

    #[test]
    fn weak_cues_combine_only_within_reach() {
        let src = "[codebook]\nthreshold = 2\nreach = 5\n[[code]]\nid = \"keys.power\"\nterms = [\"מכתב\", \"חותמת\"]\n";
        // Two weak cues three words apart add up...
        assert_eq!(
            codes_in(src, "שלחתי מכתב עם חותמת של המחלקה", UnitContext::default()),
            [("keys.power".into(), 2.0)]
        );
        // ...but not when a long stretch lies between them.
        let far = "שלחתי מכתב ואחר כך דיברנו הרבה על הילדים ועל הבית ועל העבודה ורק בסוף שמו חותמת";
        assert!(ids(src, far).is_empty());
        let anywhere = src.replace("reach = 5\n", "");
        assert_eq!(ids(&anywhere, far), ["keys.power"]);
    }

    #[test]
    fn an_inflected_verb_codes_in_every_tense() {
        // Two inflecting stems cover the paradigm of ליווה (to accompany): past
        // (ליוויתי, ליווינו), present (מלווה), future (נלווה, אלווה), infinitive (ללוות).
        let src = "[codebook]\nthreshold = 2\n[[code]]\nid = \"keys.power.backing\"\n[[code.rule]]\nweight = 2\nnear = [\"ליוו~\", \"לוו~\"]\nwith = [\"ועד*\", \"סניף\"]\nwithin = 3\n";
        for text in [
            "ליוויתי אותה לוועדה",
            "ליווינו אותו לוועדה",
            "אני מלווה אותם לוועדה",
            "בשבוע הבא נלווה אותו לסניף",
            "אני אלווה אותך לוועדה",
            "הצעתי ללוות אותה לסניף",
        ] {
            assert_eq!(ids(src, text), ["keys.power.backing"], "{text}");
        }
        // A word that only starts like the stem is not a form of it.
        assert!(ids(src, "ראינו לוויין ליד הוועדה").is_empty());
        assert!(ids(src, "לא ליוויתי אותה לוועדה").is_empty());
    }
}
