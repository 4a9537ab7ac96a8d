//! The codebook workbench: what each code and term does in a set of units, and against a reference coding.
//!
//! [`analyse`] codes every unit with [`Coder::explain_unit`] and tallies, per
//! codebook term (per code and rule): the units where it matched, fired (counted
//! for its code, which no exclusion vetoed), was stopped by a negation, or counted
//! while an exclusion vetoed the code, and the units the code got only because of
//! it (the code is gone when the unit is coded without the term,
//! [`Coder::code_unit_without`]; for an `exclude` term: the code comes when it is
//! left out). With a reference coding ([`Reference`]) only the interviewee units of
//! the documents it covers count, and per term its precision, per code precision,
//! recall and kappa ([`Counts`]), the terms behind the false positives, the missed
//! units and suggested terms ([`suggest`]) are added. [`write`] and [`html`] write
//! the tables and the page.

pub mod html;
pub mod suggest;
pub mod write;

use crate::agree::metrics::Counts;
use crate::codebook::Codebook;
use crate::coded::{CoderCodings, Target, UnitTable};
use crate::coding::{Coder, Explanation, Scratch, UnitContext, UseStatus};
use crate::text::Role;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// Keyword-in-context lines kept per term.
pub const KWIC_PER_TERM: usize = 20;

/// A reference coding: which units it covers and which codes it gives them.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The coder's name and file, for the page.
    pub name: String,
    /// Per unit (index into the units table), whether it is evaluated.
    pub evaluated: Vec<bool>,
    /// (unit, code) pairs, rolled up to every ancestor code.
    pub has: BTreeSet<(usize, usize)>,
}

impl Reference {
    /// The reference from one coder's codings: the interviewee units (all units when
    /// the table has no roles) of the units it covers; codes roll up into their
    /// parents, as in `tamlil agree`; family-only codings are ignored.
    pub fn new(units: &UnitTable, cb: &Codebook, c: &CoderCodings) -> Reference {
        let evaluated = (0..units.units.len())
            .map(|u| units.is_compared(u) && c.covers(u))
            .collect();
        let mut has = BTreeSet::new();
        for &(u, t) in &c.codings {
            if let Target::Code(i) = t {
                for a in self_and_ancestors(cb, i) {
                    has.insert((u, a));
                }
            }
        }
        Reference {
            name: c.name.clone(),
            evaluated,
            has,
        }
    }
}

/// Code `i` and its ancestors.
pub fn self_and_ancestors(cb: &Codebook, i: usize) -> Vec<usize> {
    let mut out = vec![i];
    let mut cur = cb.codes[i].parent.as_deref().and_then(|p| cb.code_index(p));
    while let Some(j) = cur {
        if out.contains(&j) {
            break; // a cycle; validation reports it
        }
        out.push(j);
        cur = cb.codes[j].parent.as_deref().and_then(|p| cb.code_index(p));
    }
    out
}

/// One term of the codebook as a code uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct TermRow {
    pub code: usize,
    /// Index into the code's rules; `None` for the `exclude` list.
    pub rule: Option<usize>,
    /// The term as written.
    pub text: String,
    /// The coder's term id.
    pub term: u32,
    /// Units (evaluated) where the term occurs.
    pub matched: usize,
    /// Units where it counted for the code and no exclusion vetoed the code; for an
    /// `exclude` term, units where it vetoed the code.
    pub fired: usize,
    /// Units where it occurred only under a negation that stopped it.
    pub negated: usize,
    /// Units where it counted but an exclusion vetoed the code.
    pub excluded: usize,
    /// Units the code got only because of the term (for an `exclude` term: units
    /// the code lost only because of it).
    pub only: usize,
    /// The code the term's fired units are judged against: its own, or, when the
    /// reference never gives it (a sub-code the reference does not use), the
    /// nearest ancestor the reference gives.
    pub judged: usize,
    /// With a reference: fired units the reference coded with the judged code, and not.
    pub true_pos: usize,
    pub false_pos: usize,
    /// Of the judged code's false positives (assigned, not in the reference): those
    /// in which the term counted, and those the code got only because of it.
    pub fp_units: usize,
    pub fp_only: usize,
    /// Keyword-in-context lines, balanced across documents.
    pub kwic: Vec<Kwic>,
}

impl TermRow {
    /// Of the units it fired in, the share the reference coded with the code.
    pub fn precision(&self) -> Option<f64> {
        let n = self.true_pos + self.false_pos;
        (n > 0).then(|| self.true_pos as f64 / n as f64)
    }

    /// `any 1`, `all 2`, `near 3`, `exclude`: the rule, numbered from 1 in the code.
    pub fn rule_name(&self, cb: &Codebook) -> String {
        match self.rule {
            Some(r) => format!("{} {}", cb.codes[self.code].rules[r].kind.name(), r + 1),
            None => "exclude".into(),
        }
    }
}

/// What an occurrence of a term did in a unit, for a keyword-in-context line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KwicStatus {
    Fired,
    Negated,
    /// Counted, but an exclusion vetoed the code.
    Excluded,
    /// Matched, added nothing (covered by a longer term, incomplete `all`/`near`).
    Unused,
    /// An `exclude` term vetoing its code.
    Vetoes,
}

impl KwicStatus {
    /// The word written in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            KwicStatus::Fired => "fired",
            KwicStatus::Negated => "negated",
            KwicStatus::Excluded => "excluded",
            KwicStatus::Unused => "unused",
            KwicStatus::Vetoes => "vetoes",
        }
    }
}

/// One keyword-in-context line: a term occurrence in a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kwic {
    /// Index into the units table.
    pub unit: usize,
    /// Character offsets of the match in the unit text.
    pub start: usize,
    pub end: usize,
    pub status: KwicStatus,
}

/// A code's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRow {
    pub code: usize,
    /// Evaluated units the coder gave the code.
    pub coded: usize,
    /// With a reference: the 2x2 table, reference = A, coder = B.
    pub counts: Option<Counts>,
}

/// A unit the reference coded with a code that the coder did not give.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    pub code: usize,
    pub unit: usize,
    /// The code's terms that occur in the unit and what stopped each (text, status).
    pub near: Vec<(String, &'static str)>,
}

/// Everything the workbench found.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// Units looked at (all, or those the reference covers).
    pub evaluated: usize,
    pub documents: usize,
    pub codes: Vec<CodeRow>,
    pub terms: Vec<TermRow>,
    pub missed: Vec<Missed>,
    pub suggestions: Vec<suggest::Suggestion>,
    /// The reference coder's name, and its (unit, code) pairs after roll-up.
    pub reference: Option<String>,
    pub reference_has: BTreeSet<(usize, usize)>,
}

impl Diagnosis {
    /// `yes` or `no`: whether the reference coded unit `u` with code `c`; empty
    /// without a reference.
    pub fn in_reference(&self, u: usize, c: usize) -> String {
        match self.reference {
            Some(_) if self.reference_has.contains(&(u, c)) => "yes".into(),
            Some(_) => "no".into(),
            None => String::new(),
        }
    }
}

/// The terms of the codebook as rows, in codebook order (a term listed twice in
/// one rule once).
fn term_rows(cb: &Codebook, coder: &Coder) -> Vec<TermRow> {
    let mut rows: Vec<TermRow> = Vec::new();
    let mut push = |code: usize, rule: Option<usize>, text: &str| {
        let Some(term) = coder.term_id(text) else {
            return;
        };
        if rows
            .iter()
            .any(|r| r.code == code && r.rule == rule && r.term == term)
        {
            return;
        }
        rows.push(TermRow {
            code,
            rule,
            text: text.to_string(),
            term,
            matched: 0,
            fired: 0,
            negated: 0,
            excluded: 0,
            only: 0,
            judged: code,
            true_pos: 0,
            false_pos: 0,
            fp_units: 0,
            fp_only: 0,
            kwic: Vec::new(),
        });
    };
    for (ci, c) in cb.codes.iter().enumerate() {
        for (ri, r) in c.rules.iter().enumerate() {
            for t in r.kind.terms() {
                push(ci, Some(ri), &t.text);
            }
        }
        for t in &c.exclude {
            push(ci, None, &t.text);
        }
    }
    rows
}

/// One unit's findings, computed in parallel and tallied in order.
struct UnitFacts {
    explanation: Explanation,
    /// Per term id left out: the codes the unit gets without it.
    without: Vec<(u32, Vec<usize>)>,
}

/// The role and attributes of unit `u` as the coder sees them.
fn with_context<R>(units: &UnitTable, u: usize, f: impl FnOnce(&UnitContext) -> R) -> R {
    let row = &units.units[u];
    let attrs: Vec<(&str, &str)> = units
        .attributes
        .iter()
        .map(String::as_str)
        .zip(row.attrs.iter().map(String::as_str))
        .collect();
    let ctx = UnitContext {
        role: Role::parse(&row.role),
        attrs: &attrs,
    };
    f(&ctx)
}

fn facts(coder: &Coder, units: &UnitTable, u: usize, s: &mut Scratch) -> UnitFacts {
    let text = &units.units[u].text;
    with_context(units, u, |ctx| {
        let explanation = coder.explain_unit(text, ctx, s);
        // The terms worth leaving out: those that counted for a code the unit got,
        // and exclusions that vetoed a code.
        let mut terms: Vec<u32> = Vec::new();
        for o in &explanation.occurrences {
            for t in &o.uses {
                let decisive = match t.status {
                    UseStatus::Counted => explanation.codings.iter().any(|c| c.code == t.code),
                    UseStatus::Vetoes => true,
                    _ => false,
                };
                if decisive && !terms.contains(&o.term) {
                    terms.push(o.term);
                }
            }
        }
        let mut out = Vec::new();
        let without = terms
            .into_iter()
            .map(|t| {
                coder.code_unit_without(text, ctx, t, s, &mut out);
                (t, out.iter().map(|c| c.code).collect())
            })
            .collect();
        UnitFacts {
            explanation,
            without,
        }
    })
}

/// Codes the units and tallies what each code and term did; with a reference,
/// only the units it evaluates count.
pub fn analyse(
    units: &UnitTable,
    cb: &Codebook,
    reference: Option<&Reference>,
) -> Result<Diagnosis> {
    let coder = Coder::new(cb)?;
    let evaluated: Vec<usize> = (0..units.units.len())
        .filter(|&u| reference.is_none_or(|r| r.evaluated[u]))
        .collect();
    let all_facts: Vec<UnitFacts> = evaluated
        .par_iter()
        .map_init(Scratch::default, |s, &u| facts(&coder, units, u, s))
        .collect();
    let mut terms = term_rows(cb, &coder);
    if let Some(r) = reference {
        let used: BTreeSet<usize> = r
            .has
            .iter()
            .filter(|p| r.evaluated[p.0])
            .map(|p| p.1)
            .collect();
        for t in terms.iter_mut() {
            let chain = self_and_ancestors(cb, t.code);
            t.judged = chain
                .iter()
                .copied()
                .find(|c| used.contains(c))
                .unwrap_or(t.code);
        }
    }
    let index: HashMap<(usize, Option<usize>, u32), usize> = terms
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.code, r.rule, r.term), i))
        .collect();
    let mut codes: Vec<CodeRow> = (0..cb.codes.len())
        .map(|code| CodeRow {
            code,
            coded: 0,
            counts: reference.map(|_| Counts::default()),
        })
        .collect();
    let mut missed = Vec::new();
    let mut kwic: Vec<Vec<Kwic>> = vec![Vec::new(); terms.len()];
    for (&u, f) in evaluated.iter().zip(&all_facts) {
        let e = &f.explanation;
        let assigned = |c: usize| e.codings.iter().any(|x| x.code == c);
        let in_ref = |c: usize| reference.is_some_and(|r| r.has.contains(&(u, c)));
        for row in codes.iter_mut() {
            let got = assigned(row.code);
            row.coded += got as usize;
            if let Some(counts) = row.counts.as_mut() {
                counts.add(in_ref(row.code), got);
            }
        }
        // Per term row: the statuses of its occurrences in this unit.
        let mut seen: HashMap<usize, Vec<KwicStatus>> = HashMap::new();
        for o in &e.occurrences {
            for t in &o.uses {
                let Some(&i) = index.get(&(t.code, t.rule, o.term)) else {
                    continue;
                };
                let vetoed = e.vetoed.contains(&t.code);
                let status = match t.status {
                    UseStatus::Counted if vetoed => KwicStatus::Excluded,
                    UseStatus::Counted => KwicStatus::Fired,
                    // A reported view of others stops a term as a negation does.
                    UseStatus::Negated | UseStatus::Reported => KwicStatus::Negated,
                    UseStatus::Unused => KwicStatus::Unused,
                    UseStatus::Vetoes => KwicStatus::Vetoes,
                };
                seen.entry(i).or_default().push(status);
                kwic[i].push(Kwic {
                    unit: u,
                    start: o.start,
                    end: o.end,
                    status,
                });
            }
        }
        let without = |term: u32| f.without.iter().find(|w| w.0 == term).map(|w| &w.1);
        let mut seen: Vec<(usize, Vec<KwicStatus>)> = seen.into_iter().collect();
        seen.sort_unstable();
        for (i, st) in &seen {
            let row = &mut terms[*i];
            let code = row.code;
            row.matched += 1;
            let has = |s: KwicStatus| st.contains(&s);
            let fired = has(KwicStatus::Fired) || has(KwicStatus::Vetoes);
            if fired {
                row.fired += 1;
            } else if has(KwicStatus::Excluded) {
                row.excluded += 1;
            } else if has(KwicStatus::Negated) {
                row.negated += 1;
            }
            let only = match row.rule {
                Some(_) => {
                    assigned(code)
                        && has(KwicStatus::Fired)
                        && without(row.term).is_some_and(|w| !w.contains(&code))
                }
                None => !assigned(code) && without(row.term).is_some_and(|w| w.contains(&code)),
            };
            row.only += only as usize;
            if reference.is_some() && row.rule.is_some() && has(KwicStatus::Fired) {
                let j = row.judged;
                if in_ref(j) {
                    row.true_pos += 1;
                } else {
                    row.false_pos += 1;
                }
                if assigned(j) && !in_ref(j) {
                    row.fp_units += 1;
                    let lost = without(row.term).is_some_and(|w| !w.contains(&j));
                    row.fp_only += lost as usize;
                }
            }
        }
        if reference.is_some() {
            for code in 0..cb.codes.len() {
                if in_ref(code) && !assigned(code) {
                    let near = seen
                        .iter()
                        .filter(|(i, _)| terms[*i].code == code)
                        .map(|(i, st)| (terms[*i].text.clone(), near_status(st)))
                        .collect();
                    missed.push(Missed {
                        code,
                        unit: u,
                        near,
                    });
                }
            }
        }
    }
    for (row, lines) in terms.iter_mut().zip(kwic) {
        row.kwic = balanced(lines, units, KWIC_PER_TERM);
    }
    missed.sort_by_key(|m| (m.code, m.unit));
    let suggestions = match reference {
        Some(r) => suggest::suggest(
            units,
            cb,
            &coder,
            &evaluated,
            r,
            &codes_assigned(&all_facts, &evaluated),
        ),
        None => Vec::new(),
    };
    let documents = evaluated
        .iter()
        .map(|&u| units.units[u].doc_id.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    Ok(Diagnosis {
        evaluated: evaluated.len(),
        documents,
        codes,
        terms,
        missed,
        suggestions,
        reference: reference.map(|r| r.name.clone()),
        reference_has: reference.map(|r| r.has.clone()).unwrap_or_default(),
    })
}

/// (unit, code) pairs the coder assigned.
fn codes_assigned(facts: &[UnitFacts], evaluated: &[usize]) -> BTreeSet<(usize, usize)> {
    evaluated
        .iter()
        .zip(facts)
        .flat_map(|(&u, f)| f.explanation.codings.iter().map(move |c| (u, c.code)))
        .collect()
}

/// Why a code's term that occurs in a missed unit did not give the code.
fn near_status(st: &[KwicStatus]) -> &'static str {
    if st.contains(&KwicStatus::Fired) {
        "below threshold"
    } else if st.contains(&KwicStatus::Excluded) {
        "excluded"
    } else if st.contains(&KwicStatus::Negated) {
        "negated"
    } else if st.contains(&KwicStatus::Vetoes) {
        "vetoes"
    } else {
        "unused"
    }
}

/// At most `limit` lines, taken one document at a time in turn (the first line of
/// each document, then the second, ...) so one talkative interview does not fill
/// the list; documents in order of first appearance, lines in text order.
pub fn balanced(lines: Vec<Kwic>, units: &UnitTable, limit: usize) -> Vec<Kwic> {
    let mut docs: Vec<(&str, Vec<Kwic>)> = Vec::new();
    for k in lines {
        let d = units.units[k.unit].doc_id.as_str();
        match docs.iter_mut().find(|x| x.0 == d) {
            Some(x) => x.1.push(k),
            None => docs.push((d, vec![k])),
        }
    }
    let mut out = Vec::new();
    let mut round = 0;
    while out.len() < limit {
        let mut any = false;
        for (_, ls) in &docs {
            if let Some(k) = ls.get(round) {
                any = true;
                if out.len() < limit {
                    out.push(k.clone());
                }
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    out
}
