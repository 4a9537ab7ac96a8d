//! Why a unit got its codes: each term occurrence with the part it played, read from the coder itself.
//!
//! [`Coder::explain_unit`] codes a unit exactly as [`Coder::code_unit`] does and then
//! reads the coder's own working state: which occurrences counted for which code,
//! which a negation stopped, which codes an exclusion vetoed. Nothing of the scoring
//! is repeated here. [`Coder::code_unit_without`] codes a unit as if one term were
//! not in the codebook: whether a code still fires then is the only test of "the code
//! got this unit only because of this term" that stays right whatever the scoring
//! weighs (weights, thresholds, roll-up, vetoes, and any context added later).

use super::{Coder, Coding, Kind, Scratch, UnitContext};
use crate::codebook::pattern::parse_term;

/// What one use of a term occurrence (the term in one rule of one code) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseStatus {
    /// It added to its code's score.
    Counted,
    /// A negation before it stopped it (its rule does not count negated terms).
    Negated,
    /// It lies inside a view the speaker reports of others: it counts for no code.
    Reported,
    /// It matched and added nothing: a longer matched term of the code covers it,
    /// or its `all` or `near` rule was not complete.
    Unused,
    /// It is one of the code's `exclude` terms: the code is vetoed in this unit.
    Vetoes,
}

/// One use of an occurrence: the code, the rule and what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermUse {
    /// Index into `codebook.codes`.
    pub code: usize,
    /// Index into the code's `rules`; `None` for its `exclude` list.
    pub rule: Option<usize>,
    pub status: UseStatus,
}

/// A term found in a unit, with every use the codebook makes of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TermOccurrence {
    /// The term's id (see [`Coder::term_id`]); equal terms share one.
    pub term: u32,
    /// Character offsets in the unit text.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of the same span.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Whether a negation word stands before it.
    pub negated: bool,
    pub uses: Vec<TermUse>,
}

/// The coding of one unit with its reasons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Explanation {
    /// The term occurrences, in text order.
    pub occurrences: Vec<TermOccurrence>,
    /// Codes whose exclusions occur in the unit (vetoed), in codebook order.
    pub vetoed: Vec<usize>,
    /// The unit's codings, as [`Coder::code_unit`] gives them.
    pub codings: Vec<Coding>,
}

impl Coder {
    /// The id of a codebook term as written (`קשר*`, `ביטוח לאומי`); `None` when the
    /// codebook has no such term or it does not parse.
    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.matcher.term_id(&parse_term(term).ok()?)
    }

    /// Codes one unit as [`Coder::code_unit`] does, and says what each term
    /// occurrence did for each code that uses it.
    pub fn explain_unit(&self, text: &str, ctx: &UnitContext, s: &mut Scratch) -> Explanation {
        let mut codings = Vec::new();
        self.code_unit(text, ctx, s, &mut codings);
        if s.occs.is_empty() {
            // code_unit stops before scoring: the rest of the scratch is stale.
            return Explanation {
                codings,
                ..Explanation::default()
            };
        }
        let toks = s.m.tokens.tokens();
        let occurrences = s
            .occs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let (a, b) = (toks[o.first as usize], toks[o.last as usize]);
                let uses = self
                    .uses(o.term)
                    .iter()
                    .map(|u| self.use_of(s, k, u.rule as usize))
                    .collect();
                TermOccurrence {
                    term: o.term,
                    start: a.start as usize,
                    end: b.end as usize,
                    byte_start: a.byte_start as usize,
                    byte_end: b.byte_end as usize,
                    negated: s.negated[k],
                    uses,
                }
            })
            .collect();
        let vetoed = (0..self.thresholds.len()).filter(|&c| s.veto[c]).collect();
        Explanation {
            occurrences,
            vetoed,
            codings,
        }
    }

    /// What occurrence `k` did in rule `rule_ix`, from the scratch of the last unit.
    fn use_of(&self, s: &Scratch, k: usize, rule_ix: usize) -> TermUse {
        let rule = &self.rules[rule_ix];
        let code = rule.code as usize;
        // Rules are compiled code by code, each code's exclusions last.
        let first = self.rules.partition_point(|r| (r.code as usize) < code);
        let (rule_pos, status) = if rule.kind == Kind::Exclude {
            (None, UseStatus::Vetoes)
        } else if s.silenced[k] {
            (Some(rule_ix - first), UseStatus::Reported)
        } else if s.contrib.contains(&(code as u32, k as u32)) {
            (Some(rule_ix - first), UseStatus::Counted)
        } else if s.negated[k] && !rule.count_negated {
            (Some(rule_ix - first), UseStatus::Negated)
        } else {
            (Some(rule_ix - first), UseStatus::Unused)
        };
        TermUse {
            code,
            rule: rule_pos,
            status,
        }
    }

    /// Codes one unit as if term `term` were not in the codebook (every use of it:
    /// rules and exclusions alike).
    pub fn code_unit_without(
        &self,
        text: &str,
        ctx: &UnitContext,
        term: u32,
        s: &mut Scratch,
        out: &mut Vec<Coding>,
    ) {
        s.without = Some(term);
        self.code_unit(text, ctx, s, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::{Codebook, parse_str};
    use std::path::Path;

    const SRC: &str = "[[code]]\nid = \"keys.knowledge\"\nthreshold = 2\nterms = [\"ידע\", \"קשר*\"]\nexclude = [\"קשר שתיקה\"]\n[[code.rule]]\nweight = 2\nany = [\"מומחה\"]\n";

    fn coder() -> (Codebook, Coder) {
        let (cb, problems) = parse_str(Path::new("t.toml"), SRC);
        assert!(problems.is_empty(), "{problems:?}");
        let cb = cb.unwrap();
        let c = Coder::new(&cb).unwrap();
        (cb, c)
    }

    fn statuses(c: &Coder, text: &str) -> (Vec<(String, Option<usize>, UseStatus)>, Explanation) {
        let e = c.explain_unit(text, &UnitContext::default(), &mut Scratch::default());
        let v = e
            .occurrences
            .iter()
            .flat_map(|o| {
                let surface = text[o.byte_start..o.byte_end].to_string();
                o.uses
                    .iter()
                    .map(move |u| (surface.clone(), u.rule, u.status))
            })
            .collect();
        (v, e)
    }

    #[test]
    fn a_vetoed_code_lists_its_sub_codes_as_vetoed() {
        let src = "[[code]]\nid = \"keys.power\"\nterms = [\"לחץ\"]\nexclude = [\"לא אני\"]\n\
                   [[code]]\nid = \"keys.power.legal\"\nparent = \"keys.power\"\nterms = [\"ערר\"]\n";
        let (cb, problems) = parse_str(Path::new("t.toml"), src);
        assert!(problems.is_empty(), "{problems:?}");
        let c = Coder::new(&cb.unwrap()).unwrap();
        let e = c.explain_unit(
            "ערר, זה כבר לא אני",
            &UnitContext::default(),
            &mut Scratch::default(),
        );
        assert_eq!(e.vetoed, [0, 1]);
        assert!(e.codings.is_empty());
    }

    #[test]
    fn counted_negated_and_vetoed() {
        let (_, c) = coder();
        let (v, e) = statuses(&c, "אין לנו ידע, אבל יש קשרים ומומחה");
        assert_eq!(
            v,
            [
                ("ידע".into(), Some(0), UseStatus::Negated),
                ("קשרים".into(), Some(0), UseStatus::Counted),
                ("ומומחה".into(), Some(1), UseStatus::Counted),
            ]
        );
        assert_eq!(e.codings.len(), 1);
        assert!(e.vetoed.is_empty());
        let (v, e) = statuses(&c, "יש ידע ויש קשר שתיקה");
        assert_eq!(
            v,
            [
                ("ידע".into(), Some(0), UseStatus::Counted),
                ("קשר".into(), Some(0), UseStatus::Counted),
                ("קשר שתיקה".into(), None, UseStatus::Vetoes),
            ]
        );
        assert_eq!(e.vetoed, [0]);
        assert!(e.codings.is_empty());
        // A unit without terms leaves no stale state behind.
        let (v, e) = statuses(&c, "שום דבר");
        assert!(v.is_empty() && e.vetoed.is_empty() && e.codings.is_empty());
    }

    #[test]
    fn without_a_term() {
        let (_, c) = coder();
        let mut s = Scratch::default();
        let mut out = Vec::new();
        let ctx = UnitContext::default();
        let (yeda, kesher) = (c.term_id("ידע").unwrap(), c.term_id("קשר*").unwrap());
        assert_eq!(c.term_id("אין כזה"), None);
        // Threshold 2: ידע + קשרים reach it, each alone does not.
        c.code_unit_without("ידע וקשרים", &ctx, yeda, &mut s, &mut out);
        assert!(out.is_empty());
        c.code_unit("ידע וקשרים", &ctx, &mut s, &mut out);
        assert_eq!(
            out.len(),
            1,
            "the left-out term is forgotten after one unit"
        );
        // Leaving out the exclusion lets the code through.
        let veto = c.term_id("קשר שתיקה").unwrap();
        c.code_unit_without("ידע וקשר שתיקה", &ctx, veto, &mut s, &mut out);
        assert_eq!(out.len(), 1);
        c.code_unit_without("ידע וקשר שתיקה", &ctx, kesher, &mut s, &mut out);
        assert!(out.is_empty());
    }
}
