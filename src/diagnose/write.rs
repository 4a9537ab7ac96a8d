//! The workbench's tables as CSV files in one output folder.
//!
//! `codes.csv`, `terms.csv` and `kwic.csv` always; with a reference also
//! `false_positives.csv`, `missed.csv` and `suggestions.csv`. Numbers of
//! statistics have six decimals, empty when undefined (as `tamlil agree` writes).

use super::{Diagnosis, Kwic};
use crate::agree::csv_number;
use crate::codebook::Codebook;
use crate::coded::UnitTable;
use crate::error::InputError;
use anyhow::Result;
use std::path::Path;

/// Words of context each side of a keyword-in-context match.
pub const CONTEXT_WORDS: usize = 6;

/// Writes every table of `d` into `dir`; returns the file names written.
pub fn write_all(
    dir: &Path,
    d: &Diagnosis,
    cb: &Codebook,
    units: &UnitTable,
) -> Result<Vec<&'static str>> {
    let mut files = vec![
        ("codes.csv", codes(d, cb)),
        ("terms.csv", terms(d, cb)),
        ("kwic.csv", kwic(d, cb, units)),
    ];
    if d.reference.is_some() {
        files.push(("false_positives.csv", false_positives(d, cb)));
        files.push(("missed.csv", missed(d, cb, units)));
        files.push(("suggestions.csv", suggestions(d, cb, units)));
    }
    let mut names = Vec::new();
    for (name, rows) in files {
        write_csv(&dir.join(name), &rows)?;
        names.push(name);
    }
    Ok(names)
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r)
            .map_err(|e| InputError::cannot_write(path, e))?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(path, bytes).map_err(|e| InputError::cannot_write(path, e).into())
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// The header of `codes.csv`.
pub const CODE_COLUMNS: &[&str] = &[
    "code_id",
    "label",
    "coded",
    "reference",
    "both",
    "only_reference",
    "only_tamlil",
    "neither",
    "precision",
    "recall",
    "kappa",
];

fn codes(d: &Diagnosis, cb: &Codebook) -> Vec<Vec<String>> {
    let mut rows = vec![strings(CODE_COLUMNS)];
    for r in &d.codes {
        let c = &cb.codes[r.code];
        let mut row = vec![c.id.clone(), c.label_he.clone(), r.coded.to_string()];
        match &r.counts {
            Some(k) => row.extend([
                (k.both + k.only_a).to_string(),
                k.both.to_string(),
                k.only_a.to_string(),
                k.only_b.to_string(),
                k.neither.to_string(),
                csv_number(k.precision()),
                csv_number(k.recall()),
                csv_number(k.kappa()),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 8)),
        }
        rows.push(row);
    }
    rows
}

/// The header of `terms.csv`.
pub const TERM_COLUMNS: &[&str] = &[
    "code_id",
    "rule",
    "term",
    "matched",
    "fired",
    "negated",
    "excluded",
    "only_because",
    "judged_against",
    "true_pos",
    "false_pos",
    "precision",
];

fn terms(d: &Diagnosis, cb: &Codebook) -> Vec<Vec<String>> {
    let mut rows = vec![strings(TERM_COLUMNS)];
    for t in &d.terms {
        let refd = d.reference.is_some() && t.rule.is_some();
        let opt = |n: usize| if refd { n.to_string() } else { String::new() };
        rows.push(vec![
            cb.codes[t.code].id.clone(),
            t.rule_name(cb),
            t.text.clone(),
            t.matched.to_string(),
            t.fired.to_string(),
            t.negated.to_string(),
            t.excluded.to_string(),
            t.only.to_string(),
            if refd {
                cb.codes[t.judged].id.clone()
            } else {
                String::new()
            },
            opt(t.true_pos),
            opt(t.false_pos),
            csv_number(t.precision()),
        ]);
    }
    rows
}

/// The words before and after a match: (left, match, right).
pub fn context(text: &str, k: &Kwic) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (k.start.min(chars.len()), k.end.min(chars.len()));
    let left: String = chars[..a].iter().collect();
    let right: String = chars[b..].iter().collect();
    let lw: Vec<&str> = left.split_whitespace().collect();
    let rw: Vec<&str> = right.split_whitespace().collect();
    let l = lw[lw.len().saturating_sub(CONTEXT_WORDS)..].join(" ");
    let r = rw[..rw.len().min(CONTEXT_WORDS)].join(" ");
    (l, chars[a..b].iter().collect(), r)
}

/// The header of `kwic.csv`.
pub const KWIC_COLUMNS: &[&str] = &[
    "code_id",
    "rule",
    "term",
    "doc_id",
    "unit_id",
    "status",
    "in_reference",
    "left",
    "match",
    "right",
];

fn kwic(d: &Diagnosis, cb: &Codebook, units: &UnitTable) -> Vec<Vec<String>> {
    let mut rows = vec![strings(KWIC_COLUMNS)];
    for t in &d.terms {
        for k in &t.kwic {
            let u = &units.units[k.unit];
            let (l, m, r) = context(&u.text, k);
            rows.push(vec![
                cb.codes[t.code].id.clone(),
                t.rule_name(cb),
                t.text.clone(),
                u.doc_id.clone(),
                u.unit_id.clone(),
                k.status.as_str().into(),
                d.in_reference(k.unit, t.code),
                l,
                m,
                r,
            ]);
        }
    }
    rows
}

/// The header of `false_positives.csv`.
pub const FP_COLUMNS: &[&str] = &[
    "code_id",
    "term",
    "rule",
    "false_positives",
    "only_because",
    "share",
];

/// Per code, its terms (and those of its sub-codes judged against it) by the
/// number of the code's false positives they counted in (most first); `share` is
/// of the code's false positives.
fn false_positives(d: &Diagnosis, cb: &Codebook) -> Vec<Vec<String>> {
    let mut rows = vec![strings(FP_COLUMNS)];
    for c in &d.codes {
        let fp = c.counts.map_or(0, |k| k.only_b);
        let mut ts: Vec<_> = d
            .terms
            .iter()
            .filter(|t| t.judged == c.code && t.fp_units > 0)
            .collect();
        ts.sort_by_key(|t| std::cmp::Reverse(t.fp_units));
        for t in ts {
            rows.push(vec![
                cb.codes[c.code].id.clone(),
                t.text.clone(),
                t.rule_name(cb),
                t.fp_units.to_string(),
                t.fp_only.to_string(),
                csv_number((fp > 0).then(|| t.fp_units as f64 / fp as f64)),
            ]);
        }
    }
    rows
}

/// The header of `missed.csv`.
pub const MISSED_COLUMNS: &[&str] = &["code_id", "unit_id", "doc_id", "near", "text"];

fn missed(d: &Diagnosis, cb: &Codebook, units: &UnitTable) -> Vec<Vec<String>> {
    let mut rows = vec![strings(MISSED_COLUMNS)];
    for m in &d.missed {
        let u = &units.units[m.unit];
        let near: Vec<String> = m.near.iter().map(|(t, s)| format!("{t} ({s})")).collect();
        rows.push(vec![
            cb.codes[m.code].id.clone(),
            u.unit_id.clone(),
            u.doc_id.clone(),
            near.join("; "),
            u.text.clone(),
        ]);
    }
    rows
}

/// The header of `suggestions.csv`.
pub const SUGGESTION_COLUMNS: &[&str] = &[
    "code_id",
    "rank",
    "suggestion",
    "kind",
    "in_code",
    "in_other",
    "in_docs",
    "log_odds",
    "z",
    "example_unit",
    "example_missed",
    "example_text",
];

fn suggestions(d: &Diagnosis, cb: &Codebook, units: &UnitTable) -> Vec<Vec<String>> {
    let mut rows = vec![strings(SUGGESTION_COLUMNS)];
    for s in &d.suggestions {
        let u = &units.units[s.example];
        rows.push(vec![
            cb.codes[s.code].id.clone(),
            s.rank.to_string(),
            s.text.clone(),
            if s.pair { "pair" } else { "word" }.into(),
            s.in_code.to_string(),
            s.in_other.to_string(),
            s.in_docs.to_string(),
            csv_number(Some(s.log_odds)),
            csv_number(Some(s.z)),
            u.unit_id.clone(),
            s.example_missed.to_string(),
            u.text.clone(),
        ]);
    }
    rows
}
