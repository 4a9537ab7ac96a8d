//! Trust per code: tamlil's automatic coding against the reviewer's on the reviewed documents, and the rule that marks each code.
//!
//! The comparison is `tamlil agree` with the reviewer as A (the reference) and
//! tamlil as B, over the interviewee units of the reviewed documents: precision is
//! the share of tamlil's codings the reviewer kept, recall the share of the
//! reviewer's codings tamlil had found. Each row is then marked:
//!
//! - **trustworthy unreviewed**: kappa >= 0.8 and the reviewer gave the code to at
//!   least 10 units: the automatic coding can stand on unreviewed documents;
//! - **review before use**: kappa >= 0.6 (or >= 0.8 on fewer than 10 units), or
//!   no reviewed unit has the code at all (kappa undefined: untested);
//! - **code by hand**: kappa < 0.6.

use crate::agree::metrics::Counts;
use crate::agree::{self, Level, RowKey};
use crate::codebook::Codebook;
use crate::coded::{CoderCodings, UnitTable};
use crate::tally::table::Table;
use anyhow::Result;

/// Kappa at or above which a code with enough reviewed units is trustworthy.
pub const TRUST_KAPPA: f64 = 0.8;
/// Reviewed units with the code needed to call it trustworthy.
pub const MIN_UNITS: usize = 10;
/// Kappa at or above which a code needs review rather than hand coding.
pub const REVIEW_KAPPA: f64 = 0.6;

/// How far a code can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Trustworthy,
    ReviewBeforeUse,
    CodeByHand,
}

impl Verdict {
    /// The words written in the table and the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Trustworthy => "trustworthy unreviewed",
            Verdict::ReviewBeforeUse => "review before use",
            Verdict::CodeByHand => "code by hand",
        }
    }

    /// The same in Hebrew.
    pub fn label_he(self) -> &'static str {
        match self {
            Verdict::Trustworthy => "אמין גם ללא בדיקה",
            Verdict::ReviewBeforeUse => "לבדוק לפני שימוש",
            Verdict::CodeByHand => "לקודד ידנית",
        }
    }
}

/// One row of the trust table: a code, a family or all codes pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustRow {
    pub key: RowKey,
    /// A = the reviewer, B = tamlil.
    pub counts: Counts,
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
}

impl TrustRow {
    /// Reviewed units the reviewer gave the code to.
    pub fn reviewer_units(&self) -> usize {
        self.counts.both + self.counts.only_a
    }
}

/// The verdict on counts of (reviewer, tamlil), and why.
pub fn verdict(c: &Counts) -> (Verdict, String) {
    let n = c.both + c.only_a;
    match c.kappa() {
        Some(k) if k >= TRUST_KAPPA && n >= MIN_UNITS => (
            Verdict::Trustworthy,
            format!("kappa {k:.2} >= {TRUST_KAPPA} on {n} reviewed units with the code"),
        ),
        Some(k) if k >= TRUST_KAPPA => (
            Verdict::ReviewBeforeUse,
            format!(
                "kappa {k:.2} >= {TRUST_KAPPA}, but only {n} reviewed unit{} with the code ({MIN_UNITS} needed)",
                crate::coded::plural(n)
            ),
        ),
        Some(k) if k >= REVIEW_KAPPA => (
            Verdict::ReviewBeforeUse,
            format!("kappa {k:.2} between {REVIEW_KAPPA} and {TRUST_KAPPA}"),
        ),
        Some(k) => (
            Verdict::CodeByHand,
            format!("kappa {k:.2} < {REVIEW_KAPPA}"),
        ),
        None => (
            Verdict::ReviewBeforeUse,
            "no reviewed unit has the code (by the reviewer or by tamlil): untested".to_string(),
        ),
    }
}

/// Compares tamlil's coding (`auto`) with the reviewer's (`review`) over the units
/// both cover: one row per code, family and all codes pooled.
pub fn compare(
    units: &UnitTable,
    cb: &Codebook,
    review: &CoderCodings,
    auto: &CoderCodings,
) -> Result<Vec<TrustRow>> {
    Ok(agree::compare_pair(units, cb, review, auto, None)?
        .into_iter()
        .map(|r| {
            let (verdict, reason) = verdict(&r.counts);
            TrustRow {
                key: r.key,
                counts: r.counts,
                verdict,
                reason,
            }
        })
        .collect())
}

/// The table `code_trust`: one row per code, family and the pooled codes.
pub fn table(rows: &[TrustRow]) -> Table {
    let s = |f: &dyn Fn(&TrustRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let i =
        |f: &dyn Fn(&Counts) -> usize| rows.iter().map(|r| f(&r.counts) as i64).collect::<Vec<_>>();
    let x = |f: &dyn Fn(&Counts) -> Option<f64>| {
        rows.iter()
            .map(|r| f(&r.counts).filter(|v| v.is_finite()))
            .collect::<Vec<_>>()
    };
    Table::new("code_trust")
        .str("level", s(&|r| r.key.level.as_str().to_string()))
        .str("id", s(&|r| r.key.id.clone()))
        .str("label_he", s(&|r| r.key.label_he.clone()))
        .str("label_en", s(&|r| r.key.label_en.clone()))
        .int("units", i(&|c| c.n()))
        .int("reviewer_units", i(&|c| c.both + c.only_a))
        .int("both", i(&|c| c.both))
        .int("only_reviewer", i(&|c| c.only_a))
        .int("only_tamlil", i(&|c| c.only_b))
        .int("neither", i(&|c| c.neither))
        .float("precision", x(&|c| c.precision()))
        .float("recall", x(&|c| c.recall()))
        .float("f1", x(&|c| c.f1()))
        .float("kappa", x(&|c| c.kappa()))
        .str("verdict", s(&|r| r.verdict.as_str().to_string()))
        .str("reason", s(&|r| r.reason.clone()))
}

/// Whether a row is about one code (the rows the report marks).
pub fn is_code(r: &TrustRow) -> bool {
    r.key.level == Level::Code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(both: usize, only_a: usize, only_b: usize, neither: usize) -> Counts {
        Counts {
            both,
            only_a,
            only_b,
            neither,
        }
    }

    #[test]
    fn the_rule_marks_codes_by_kappa_and_reviewed_units() {
        // 10 reviewed units with the code, tamlil finds them all and nothing else:
        // kappa 1 on 10 units.
        assert_eq!(verdict(&counts(10, 0, 0, 90)).0, Verdict::Trustworthy);
        // The same agreement on 9 units is not enough evidence.
        let (v, why) = verdict(&counts(9, 0, 0, 91));
        assert_eq!(v, Verdict::ReviewBeforeUse);
        assert!(why.contains("only 9 reviewed units"), "{why}");
        // both 6, only reviewer 2, only tamlil 2, neither 90 (n = 100):
        // p_o = 0.96, p_A = p_B = 0.08, p_e = 0.0064 + 0.8464 = 0.8528,
        // kappa = 0.1072 / 0.1472 = 0.728: review before use.
        let c = counts(6, 2, 2, 90);
        assert!((c.kappa().unwrap() - 0.1072 / 0.1472).abs() < 1e-12);
        assert_eq!(verdict(&c).0, Verdict::ReviewBeforeUse);
        // both 2, only reviewer 8, neither 90: p_o = 0.92, p_A = 0.1, p_B = 0.02,
        // p_e = 0.002 + 0.882 = 0.884, kappa = 0.036 / 0.116 = 0.31: code by hand.
        let c = counts(2, 8, 0, 90);
        assert!((c.kappa().unwrap() - 0.036 / 0.116).abs() < 1e-12);
        assert_eq!(verdict(&c).0, Verdict::CodeByHand);
        // Nobody used the code: untested.
        let (v, why) = verdict(&counts(0, 0, 0, 50));
        assert_eq!(v, Verdict::ReviewBeforeUse);
        assert!(why.contains("untested"), "{why}");
    }
}
