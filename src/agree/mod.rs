//! Agreement between codings of the same units: counts, precision/recall/F1, Cohen's kappa, Krippendorff's alpha.
//!
//! Two codings (A, the reference, and B) are compared over the interviewee units
//! of a units table that both cover, per code, per family and pooled over all
//! codes. Codes roll up: a unit has code `c` when it was coded with `c` or with any
//! of its sub-codes, and has family `f` when it was coded with any code of `f` (or
//! with the family itself). For each code the variable is binary (present or
//! absent in a unit), so kappa and alpha are those of a 2x2 table; the pooled row
//! adds the 2x2 tables of all codes (each unit x code pair counts once), which is
//! the pooled kappa and the alpha of all unit x code pairs. With more than two
//! coders ([`compare_multi`]), alpha is computed with missing values: a coder who
//! did not cover a unit contributes nothing to it. See [`metrics`] for the
//! formulas and how undefined values are reported.

pub mod input;
pub mod metrics;

use crate::codebook::Codebook;
use crate::coded::{CodeNames, CoderCodings, Loaded, ReadOptions, Target, UnitTable, plural};
use crate::output::AtomicFile;
use anyhow::Result;
use metrics::{Coincidences, Counts};
use std::fmt::Write as _;
use std::path::Path;

/// Which codes and families each unit has, after roll-up: row `u` holds the codes
/// (`0..n_codes`) then the families.
struct Presence {
    width: usize,
    bits: Vec<bool>,
}

impl Presence {
    fn new(cb: &Codebook, n_units: usize, c: &CoderCodings) -> Presence {
        let n_codes = cb.codes.len();
        let width = n_codes + cb.families.len();
        let mut bits = vec![false; n_units * width];
        let fam_of = |i: usize| cb.families.iter().position(|f| f.id == cb.codes[i].family);
        for &(u, t) in &c.codings {
            let row = &mut bits[u * width..(u + 1) * width];
            match t {
                Target::Family(f) => row[n_codes + f] = true,
                Target::Code(i) => {
                    let mut cur = Some(i);
                    let mut steps = 0;
                    while let Some(j) = cur {
                        row[j] = true;
                        if let Some(f) = fam_of(j) {
                            row[n_codes + f] = true;
                        }
                        steps += 1;
                        if steps > n_codes {
                            break; // a parent cycle; codebook validation reports it
                        }
                        cur = cb.codes[j].parent.as_deref().and_then(|p| cb.code_index(p));
                    }
                }
            }
        }
        Presence { width, bits }
    }

    fn has(&self, u: usize, col: usize) -> bool {
        self.bits[u * self.width + col]
    }
}

/// The kind of row of an agreement table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Code,
    Family,
    /// Pooled over all codes (not families).
    All,
}

impl Level {
    /// The name written in the `level` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Code => "code",
            Level::Family => "family",
            Level::All => "all",
        }
    }
}

/// What a row of an agreement table is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    pub level: Level,
    /// Code id, family id, or `*` for the pooled row.
    pub id: String,
    pub label_he: String,
    pub label_en: String,
    /// The attribute broken down by (`--by`), empty for the whole set of units.
    pub by: String,
    /// The attribute's value, empty for the whole set.
    pub group: String,
}

/// One row of a two-coder comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    pub key: RowKey,
    pub counts: Counts,
}

/// One row of a many-coder comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiRow {
    pub key: RowKey,
    /// Units with at least two values (pairable).
    pub units: usize,
    /// Values in pairable units.
    pub values: usize,
    /// Of those, values that say "coded".
    pub coded: usize,
    /// Krippendorff's alpha (nominal, binary).
    pub alpha: Option<f64>,
}

/// The groups of units: the whole set, then (with `by`) each value of the
/// attribute in order of first appearance. Each group lists unit indices.
fn groups(
    units: &UnitTable,
    by: Option<&str>,
    keep: impl Fn(usize) -> bool,
) -> Result<Vec<(String, String, Vec<usize>)>> {
    let all: Vec<usize> = (0..units.units.len()).filter(|&u| keep(u)).collect();
    let mut out = vec![(String::new(), String::new(), all.clone())];
    if let Some(name) = by {
        let Some(col) = units.attribute(name) else {
            anyhow::bail!(
                "the units table has no attribute column {name:?}; attributes are: {}",
                if units.attributes.is_empty() {
                    "(none)".to_string()
                } else {
                    units.attributes.join(", ")
                }
            );
        };
        let mut values: Vec<String> = Vec::new();
        for &u in &all {
            let v = &units.units[u].attrs[col];
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        for v in values {
            let members = all
                .iter()
                .copied()
                .filter(|&u| units.units[u].attrs[col] == v)
                .collect();
            out.push((name.to_string(), v, members));
        }
    }
    Ok(out)
}

/// The rows of one group: codes in codebook order, families, then the pooled row.
fn keys(cb: &Codebook, by: &str, group: &str) -> Vec<(RowKey, Option<usize>)> {
    let mut out = Vec::new();
    let key = |level, id: &str, he: &str, en: &str| RowKey {
        level,
        id: id.to_string(),
        label_he: he.to_string(),
        label_en: en.to_string(),
        by: by.to_string(),
        group: group.to_string(),
    };
    for (i, c) in cb.codes.iter().enumerate() {
        out.push((key(Level::Code, &c.id, &c.label_he, &c.label_en), Some(i)));
    }
    for (f, fam) in cb.families.iter().enumerate() {
        out.push((
            key(Level::Family, &fam.id, &fam.label_he, &fam.label_en),
            Some(cb.codes.len() + f),
        ));
    }
    out.push((key(Level::All, "*", "כל הקודים", "all codes"), None));
    out
}

/// Compares B against A (the reference) over the interviewee units both cover:
/// one row per code, family and the pooled codes, for all units and (with `by`)
/// per value of that attribute.
pub fn compare_pair(
    units: &UnitTable,
    cb: &Codebook,
    a: &CoderCodings,
    b: &CoderCodings,
    by: Option<&str>,
) -> Result<Vec<PairRow>> {
    let n = units.units.len();
    let (pa, pb) = (Presence::new(cb, n, a), Presence::new(cb, n, b));
    let mut rows = Vec::new();
    for (by, group, members) in groups(units, by, |u| {
        units.is_compared(u) && a.covers(u) && b.covers(u)
    })? {
        let mut pooled = Counts::default();
        for (key, col) in keys(cb, &by, &group) {
            let counts = match col {
                Some(col) => {
                    let mut c = Counts::default();
                    for &u in &members {
                        c.add(pa.has(u, col), pb.has(u, col));
                    }
                    if key.level == Level::Code {
                        pooled.merge(&c);
                    }
                    c
                }
                None => pooled,
            };
            rows.push(PairRow { key, counts });
        }
    }
    Ok(rows)
}

/// Krippendorff's alpha for any number of coders, with missing data: per code,
/// family and pooled over codes, the binary variable "unit has the code" over the
/// interviewee units, each coder's value missing where they did not cover the unit.
pub fn compare_multi(
    units: &UnitTable,
    cb: &Codebook,
    coders: &[CoderCodings],
    by: Option<&str>,
) -> Result<Vec<MultiRow>> {
    let n = units.units.len();
    let pres: Vec<Presence> = coders.iter().map(|c| Presence::new(cb, n, c)).collect();
    let mut rows = Vec::new();
    for (by, group, members) in groups(units, by, |u| units.is_compared(u))? {
        let mut pooled = Coincidences::default();
        let mut pooled_stats = (0, 0, 0);
        for (key, col) in keys(cb, &by, &group) {
            let (m, stats) = match col {
                Some(col) => {
                    let mut m = Coincidences::default();
                    let mut stats = (0, 0, 0);
                    let mut values: Vec<Option<bool>> = Vec::with_capacity(coders.len());
                    for &u in &members {
                        values.clear();
                        values.extend(
                            coders
                                .iter()
                                .zip(&pres)
                                .map(|(c, p)| c.covers(u).then(|| p.has(u, col))),
                        );
                        let present = values.iter().flatten().count();
                        if present >= 2 {
                            stats.0 += 1;
                            stats.1 += present;
                            stats.2 += values.iter().flatten().filter(|&&v| v).count();
                        }
                        m.add_unit(&values);
                    }
                    if key.level == Level::Code {
                        pooled.merge(&m);
                        pooled_stats.0 += stats.0;
                        pooled_stats.1 += stats.1;
                        pooled_stats.2 += stats.2;
                    }
                    (m, stats)
                }
                None => (pooled.clone(), pooled_stats),
            };
            rows.push(MultiRow {
                key,
                units: stats.0,
                values: stats.1,
                coded: stats.2,
                alpha: m.alpha_nominal(),
            });
        }
    }
    Ok(rows)
}

/// A statistic for a CSV cell: six decimals, empty when undefined.
pub fn csv_number(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.6}");
            if s == "-0.000000" {
                "0.000000".into()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

/// A statistic for the summary: three decimals, `n/a` when undefined.
pub fn show_number(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.3}");
            if s == "-0.000" { "0.000".into() } else { s }
        }
        _ => "n/a".into(),
    }
}

/// The columns of the two-coder table.
pub const PAIR_COLUMNS: &[&str] = &[
    "level",
    "id",
    "label_he",
    "label_en",
    "by",
    "group",
    "units",
    "both",
    "only_a",
    "only_b",
    "neither",
    "agreement",
    "precision",
    "recall",
    "f1",
    "kappa",
    "alpha",
];

/// The columns of the many-coder table.
pub const MULTI_COLUMNS: &[&str] = &[
    "level", "id", "label_he", "label_en", "by", "group", "units", "values", "coded", "alpha",
];

fn key_fields(k: &RowKey) -> [&str; 6] {
    [
        k.level.as_str(),
        &k.id,
        &k.label_he,
        &k.label_en,
        &k.by,
        &k.group,
    ]
}

/// Writes the two-coder table as CSV, atomically.
pub fn write_pair_csv(path: &Path, rows: &[PairRow]) -> Result<()> {
    let mut w = csv::Writer::from_writer(AtomicFile::create(path)?);
    w.write_record(PAIR_COLUMNS)?;
    for r in rows {
        let c = &r.counts;
        let mut rec: Vec<String> = key_fields(&r.key).iter().map(|s| s.to_string()).collect();
        rec.extend(
            [c.n(), c.both, c.only_a, c.only_b, c.neither]
                .iter()
                .map(|x| x.to_string()),
        );
        rec.extend(
            [
                c.agreement(),
                c.precision(),
                c.recall(),
                c.f1(),
                c.kappa(),
                c.alpha(),
            ]
            .into_iter()
            .map(csv_number),
        );
        w.write_record(&rec)?;
    }
    finish(w)
}

/// Writes the many-coder table as CSV, atomically.
pub fn write_multi_csv(path: &Path, rows: &[MultiRow]) -> Result<()> {
    let mut w = csv::Writer::from_writer(AtomicFile::create(path)?);
    w.write_record(MULTI_COLUMNS)?;
    for r in rows {
        let mut rec: Vec<String> = key_fields(&r.key).iter().map(|s| s.to_string()).collect();
        rec.extend([r.units, r.values, r.coded].iter().map(|x| x.to_string()));
        rec.push(csv_number(r.alpha));
        w.write_record(&rec)?;
    }
    finish(w)
}

fn finish(w: csv::Writer<AtomicFile>) -> Result<()> {
    let file = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write the agreement table: {}", e.error()))?;
    file.commit()
}

/// Lays out rows in columns: the first left-aligned, the others right-aligned.
pub fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut w: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let mut out = String::new();
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - width(c);
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn row_name(k: &RowKey) -> String {
    match k.level {
        Level::Code => k.id.clone(),
        Level::Family => format!("[{}]", k.id),
        Level::All => "all codes (pooled)".into(),
    }
}

/// Which documents a comparison of A and B covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Documents with interviewee units, in order of first appearance.
    pub documents: usize,
    /// Documents both coders covered (compared), in that order.
    pub compared: Vec<String>,
    /// Documents left out, each with who did not cover it (`A`, `B` or `A and B`).
    pub left_out: Vec<(String, &'static str)>,
}

/// The documents both coders covered and those left out: a document is covered
/// by a coder who covered any of its compared units.
pub fn coverage(units: &UnitTable, a: &CoderCodings, b: &CoderCodings) -> Coverage {
    let mut docs: Vec<(&str, bool, bool)> = Vec::new();
    for (u, row) in units.units.iter().enumerate() {
        if !units.is_compared(u) {
            continue;
        }
        let at = match docs.iter().position(|d| d.0 == row.doc_id) {
            Some(i) => i,
            None => {
                docs.push((&row.doc_id, false, false));
                docs.len() - 1
            }
        };
        docs[at].1 |= a.covers(u);
        docs[at].2 |= b.covers(u);
    }
    let mut c = Coverage {
        documents: docs.len(),
        ..Coverage::default()
    };
    for (d, in_a, in_b) in docs {
        match (in_a, in_b) {
            (true, true) => c.compared.push(d.to_string()),
            (false, true) => c.left_out.push((d.to_string(), "A")),
            (true, false) => c.left_out.push((d.to_string(), "B")),
            (false, false) => c.left_out.push((d.to_string(), "A and B")),
        }
    }
    c
}

/// "in the 2 of 3 documents both coders covered; left out: C (not covered by B)".
pub fn coverage_note(c: &Coverage) -> String {
    if c.left_out.is_empty() {
        return format!(
            "in all {} document{} (both coders covered every one)",
            c.documents,
            plural(c.documents)
        );
    }
    const SHOWN: usize = 20;
    let mut by_who: Vec<(&str, Vec<&str>)> = Vec::new();
    for (d, who) in &c.left_out {
        match by_who.iter_mut().find(|(w, _)| w == who) {
            Some((_, ds)) => ds.push(d),
            None => by_who.push((who, vec![d])),
        }
    }
    let parts: Vec<String> = by_who
        .iter()
        .map(|(who, ds)| {
            let mut list = ds
                .iter()
                .take(SHOWN)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if ds.len() > SHOWN {
                let _ = write!(list, " and {} more", ds.len() - SHOWN);
            }
            format!("{list} (not covered by {who})")
        })
        .collect();
    format!(
        "in the {} of {} documents both coders covered; left out: {}",
        c.compared.len(),
        c.documents,
        parts.join("; ")
    )
}

/// The readable summary of a two-coder comparison: the whole set's table and,
/// with a breakdown, kappa and alpha per group.
pub fn pair_summary(
    units: &UnitTable,
    a: &CoderCodings,
    b: &CoderCodings,
    rows: &[PairRow],
) -> String {
    let mut out = String::new();
    let whole: Vec<&PairRow> = rows.iter().filter(|r| r.key.by.is_empty()).collect();
    let n = whole.first().map(|r| r.counts.n()).unwrap_or(0);
    let _ = writeln!(
        out,
        "A (reference) = {} [{}]\nB             = {} [{}]\n{n} interviewee unit{} compared, {}; families in [brackets]\n",
        a.source.display(),
        a.name,
        b.source.display(),
        b.name,
        plural(n),
        coverage_note(&coverage(units, a, b))
    );
    let header: Vec<String> = [
        "code",
        "both",
        "A only",
        "B only",
        "neither",
        "agree",
        "precision",
        "recall",
        "F1",
        "kappa",
        "alpha",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let table: Vec<Vec<String>> = whole
        .iter()
        .map(|r| {
            let c = &r.counts;
            vec![
                row_name(&r.key),
                c.both.to_string(),
                c.only_a.to_string(),
                c.only_b.to_string(),
                c.neither.to_string(),
                show_number(c.agreement()),
                show_number(c.precision()),
                show_number(c.recall()),
                show_number(c.f1()),
                show_number(c.kappa()),
                show_number(c.alpha()),
            ]
        })
        .collect();
    out.push_str(&aligned(&header, &table));
    let by_rows: Vec<&PairRow> = rows.iter().filter(|r| !r.key.by.is_empty()).collect();
    if let Some(first) = by_rows.first() {
        let mut groups: Vec<(&str, usize)> = Vec::new();
        for r in &by_rows {
            if !groups.iter().any(|(g, _)| *g == r.key.group) {
                groups.push((&r.key.group, r.counts.n()));
            }
        }
        let _ = writeln!(out, "\nkappa / alpha by {}:", first.key.by);
        let mut header = vec!["code".to_string()];
        for (g, n) in &groups {
            header.push(format!("{g} (n={n})"));
        }
        let table: Vec<Vec<String>> = whole
            .iter()
            .map(|w| {
                let mut line = vec![row_name(&w.key)];
                for (g, _) in &groups {
                    let c = by_rows
                        .iter()
                        .find(|r| {
                            r.key.group == *g && r.key.id == w.key.id && r.key.level == w.key.level
                        })
                        .map(|r| r.counts)
                        .unwrap_or_default();
                    line.push(format!(
                        "{} / {}",
                        show_number(c.kappa()),
                        show_number(c.alpha())
                    ));
                }
                line
            })
            .collect();
        out.push_str(&aligned(&header, &table));
    }
    out
}

/// The readable summary of a many-coder comparison.
pub fn multi_summary(coders: &[CoderCodings], rows: &[MultiRow]) -> String {
    let mut out = String::new();
    let names: Vec<&str> = coders.iter().map(|c| c.name.as_str()).collect();
    let _ = writeln!(
        out,
        "{} coders: {}\nKrippendorff's alpha (nominal, missing data allowed); families in [brackets]\n",
        coders.len(),
        names.join(", ")
    );
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !groups.contains(&(r.key.by.as_str(), r.key.group.as_str())) {
            groups.push((&r.key.by, &r.key.group));
        }
    }
    for (by, g) in groups {
        if !by.is_empty() {
            let _ = writeln!(out, "\n{by} = {g}:");
        }
        let header: Vec<String> = ["code", "units", "values", "coded", "alpha"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let table: Vec<Vec<String>> = rows
            .iter()
            .filter(|r| r.key.by == by && r.key.group == g)
            .map(|r| {
                vec![
                    row_name(&r.key),
                    r.units.to_string(),
                    r.values.to_string(),
                    r.coded.to_string(),
                    show_number(r.alpha),
                ]
            })
            .collect();
        out.push_str(&aligned(&header, &table));
    }
    out
}

/// Reads codings from a CSV file or a REFI-QDA project (`.qdpx`, or any zip).
pub fn load_codings(
    path: &Path,
    units: &UnitTable,
    names: &CodeNames,
    opts: &ReadOptions,
) -> Result<Loaded> {
    let is_qdpx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("qdpx"));
    if is_qdpx {
        return crate::qda::import::read_qdpx_codings(path, units, names, opts);
    }
    input::read_codings_csv(path, units, names, opts)
}
